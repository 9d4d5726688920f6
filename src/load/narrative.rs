//! The narrative lint: figures typed into prose, and claims the computed state contradicts.
//!
//! The seed report contradicted itself because its figures were typed by hand in prose
//! ("$1.1M+ ARR protection", "620% OVER TARGET"), and it claimed success ("MISSION
//! ACCOMPLISHED", "Production quality") that its own figures did not back. Narrative holds
//! words; the model computes the figures and decides every status. This module finds typed
//! figures ([`typed_figure`]) and claims of completion or success ([`claims`]), and keeps the
//! claims the computed state contradicts (`model::claims`).
//!
//! Every scan is linear in the text: one pass, with look-ahead and look-behind bounded by a
//! constant, never a copy of the rest of the text per match (a manifest may hold 10 MiB).

use std::path::PathBuf;

use serde::Serialize;

// ---------------------------------------------------------------------------------------------
// Narrative strings and where they are written

/// One narrative string of `report.yaml`, with its position, kept for checks that need the
/// computed model (and so run after the manifests are read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrativeText {
    pub text: String,
    /// The manifest field it belongs to (`achievements`, `process`, `next_steps`, …).
    pub field: &'static str,
    pub file: PathBuf,
    /// Line and column of the YAML scalar (its opening quote, when quoted).
    pub line: u64,
    pub column: u64,
    /// Column of the text's first character when the scalar is written on one line exactly as
    /// read (plain, or quoted without escapes): positions inside the text are then exact.
    pub text_column: Option<u64>,
}

impl NarrativeText {
    /// Line and column of the byte `offset` of the text; the scalar's own position when the text
    /// is not written verbatim on one line (folded, escaped).
    pub fn position(&self, offset: usize) -> (u64, u64) {
        match (self.text_column, self.text.get(..offset)) {
            (Some(col), Some(before)) => (self.line, col + before.chars().count() as u64),
            _ => (self.line, self.column),
        }
    }
}

/// Fields whose text states what was done. `objective` and `next_steps` state aims ("Validate
/// all tests"), so a claim there is a plan, not a claim of success.
pub(crate) const CLAIM_FIELDS: &[&str] =
    &["achievements", "process", "quality_standards", "highlights", "sections", "final_remarks"];

// ---------------------------------------------------------------------------------------------
// Typed figures

/// A figure found in narrative text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypedFigure {
    /// `money amount`, `percentage` or `test count`.
    pub kind: &'static str,
    pub text: String,
    /// Byte offset of the figure in the text.
    pub offset: usize,
}

const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥'];
const COUNT_NOUNS: &[&str] =
    &["test", "tests", "testcase", "testcases", "case", "cases", "category", "categories"];
/// How far after a number a count noun is looked for, in bytes: three words of ordinary length
/// ("67+ comprehensive integration tests"). A bound, so no number makes the scan re-read the
/// rest of the text.
const COUNT_WINDOW: usize = 128;
/// A word longer than this is no count noun, even with punctuation around it, and ends the
/// look-ahead: numbers joined into one long word ("1-2-3-…") cost a few bytes each.
const COUNT_WORD: usize = 24;

/// The first figure in `text` that the model, not the author, should supply.
pub(crate) fn typed_figure(text: &str) -> Option<TypedFigure> {
    let bytes = text.as_bytes();
    let mut after_alnum = false;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        // Money: a currency sign right before a digit ("$500K", "€ 3").
        if CURRENCY_SIGNS.contains(&c) {
            let j = skip_spaces(bytes, i + c.len_utf8());
            if bytes.get(j).is_some_and(u8::is_ascii_digit) {
                let end = suffix_end(bytes, number_end(bytes, j));
                return Some(TypedFigure { kind: "money amount", text: text[i..end].to_string(), offset: i });
            }
        }
        if c.is_ascii_digit() && !after_alnum {
            let end = number_end(bytes, i);
            // Percentage: "620%", "90 %".
            let j = skip_spaces(bytes, end);
            if bytes.get(j) == Some(&b'%') {
                return Some(TypedFigure { kind: "percentage", text: text[i..=j].to_string(), offset: i });
            }
            // Count: "67+ comprehensive tests": a number, then a count noun within three words.
            if let Some(tail) = count_noun_after(text, end) {
                let text = format!("{} {tail}", &text[i..end]);
                return Some(TypedFigure { kind: "test count", text, offset: i });
            }
            // A number ends in an ASCII digit or `+`.
            after_alnum = bytes[end - 1].is_ascii_digit();
            i = end;
            continue;
        }
        after_alnum = c.is_alphanumeric();
        i += c.len_utf8();
    }
    None
}

fn skip_spaces(bytes: &[u8], mut j: usize) -> usize {
    while bytes.get(j) == Some(&b' ') {
        j += 1;
    }
    j
}

/// End of a number like `1,234.5` (and a trailing `+`).
fn number_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start;
    while j < bytes.len()
        && (bytes[j].is_ascii_digit()
            || (matches!(bytes[j], b',' | b'.') && bytes.get(j + 1).is_some_and(u8::is_ascii_digit)))
    {
        j += 1;
    }
    if bytes.get(j) == Some(&b'+') {
        j += 1;
    }
    j
}

/// End of a magnitude suffix like `K`, `M+`, `bn`.
fn suffix_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start;
    while bytes.get(j).is_some_and(|b| matches!(b, b'K' | b'k' | b'M' | b'B' | b'b' | b'n' | b'+')) {
        j += 1;
    }
    j
}

/// The words up to a count noun among the three words after `from` ("comprehensive tests"),
/// looked for within [`COUNT_WINDOW`] bytes.
fn count_noun_after(text: &str, from: usize) -> Option<String> {
    let mut limit = (from + COUNT_WINDOW).min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let window = &text[from..limit];
    // A word the window cuts short is not a word of the text.
    let cut = text[limit..].starts_with(|c: char| !c.is_whitespace());
    let mut words: Vec<&str> = Vec::with_capacity(3);
    let mut rest = window;
    while words.len() < 3 {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            break;
        }
        let mut probe = COUNT_WORD.min(trimmed.len());
        while !trimmed.is_char_boundary(probe) {
            probe -= 1;
        }
        let len = match trimmed[..probe].find(char::is_whitespace) {
            Some(len) => len,
            None if trimmed.len() <= COUNT_WORD && !(cut && probe == trimmed.len()) => trimmed.len(),
            // Too long, or cut short by the window.
            None => break,
        };
        let word = &trimmed[..len];
        words.push(word);
        let core = word.trim_matches(|ch: char| !ch.is_alphanumeric());
        if COUNT_NOUNS.iter().any(|n| core.eq_ignore_ascii_case(n)) {
            return Some(words.join(" "));
        }
        rest = &trimmed[len..];
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Claims of completion and success

/// A family of claims of completion or success, each contradicted by some computed facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClaimKind {
    /// "all tests pass", "tests are green", "100% passing", "no failures".
    AllPass,
    /// "production-ready", "production quality", "enterprise grade", "ready for production".
    ProductionReady,
    /// "complete" (as a state, not "the complete workflow"), "completed", "accomplished",
    /// "done", "finished".
    Complete,
    /// "100%", "fully covered", "full coverage", "all … covered".
    FullCoverage,
    /// "validated", "verified", "tested".
    Verified,
    /// "tests were run", "the suite was executed", "ran the tests".
    Ran,
}

impl ClaimKind {
    /// What the claim asserts, for messages.
    pub fn what(self) -> &'static str {
        match self {
            ClaimKind::AllPass => "that all tests pass",
            ClaimKind::ProductionReady => "production readiness",
            ClaimKind::Complete => "completion",
            ClaimKind::FullCoverage => "full coverage",
            ClaimKind::Verified => "verification",
            ClaimKind::Ran => "that the tests ran",
        }
    }
}

/// A claim found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Claim {
    pub kind: ClaimKind,
    /// The words that make the claim, as written ("Production quality").
    pub phrase: String,
    /// Byte offset of the phrase in the text.
    pub offset: usize,
}

/// The claims of completion or success in `text`: the first of each kind, in text order.
///
/// Words match whole and case-insensitively. A statement that is negated, hedged or planned
/// ("not yet complete", "not production-ready", "attempted to run the tests", "once all tests
/// pass", "to be verified") claims nothing.
pub(crate) fn claims(text: &str) -> Vec<Claim> {
    let s = Scan { text, toks: tokenize(text) };
    let mut out: Vec<Claim> = Vec::new();
    for i in 0..s.toks.len() {
        if !may_start(s.word(i)) {
            continue;
        }
        for (kind, matcher) in MATCHERS {
            if out.iter().any(|c| c.kind == *kind) {
                continue;
            }
            if let Some((first, last)) = matcher(&s, i)
                && !s.blocked(first, last)
            {
                let start = s.toks[first].start;
                // "100%" ends at its sign.
                let end = match s.toks[last].percent_end {
                    Some(e) if s.is_number(last) => e,
                    _ => s.toks[last].end,
                };
                out.push(Claim { kind: *kind, phrase: text[start..end].to_string(), offset: start });
            }
        }
    }
    out.sort_by_key(|c| c.offset);
    out
}

type Matcher = fn(&Scan, usize) -> Option<(usize, usize)>;

/// Tried in this order at every word; each returns the first and last word of its phrase.
const MATCHERS: &[(ClaimKind, Matcher)] = &[
    (ClaimKind::AllPass, all_pass),
    (ClaimKind::ProductionReady, production_ready),
    (ClaimKind::FullCoverage, full_coverage),
    (ClaimKind::Complete, complete),
    (ClaimKind::Verified, verified),
    (ClaimKind::Ran, ran),
];

/// Every word a matcher starts from, sorted: other words are skipped with one lookup.
const TRIGGERS: &[&str] = &[
    "0",
    "accomplished",
    "all",
    "check",
    "checks",
    "complete",
    "completed",
    "completely",
    "done",
    "enterprise",
    "entirely",
    "every",
    "executed",
    "finished",
    "full",
    "fully",
    "no",
    "production",
    "ran",
    "ready",
    "run",
    "spec",
    "specs",
    "suite",
    "suites",
    "test",
    "testcase",
    "testcases",
    "tested",
    "tests",
    "total",
    "totally",
    "validated",
    "verified",
    "zero",
];

/// `word` may start a claim: a trigger (case-insensitive) or "100%".
fn may_start(word: &str) -> bool {
    const LONGEST: usize = 12;
    if word.len() > LONGEST {
        return false;
    }
    let mut buf = [0u8; LONGEST];
    for (b, c) in buf.iter_mut().zip(word.bytes()) {
        *b = c.to_ascii_lowercase();
    }
    let lower = &buf[..word.len()];
    is_hundred(word) || TRIGGERS.binary_search_by(|t| t.as_bytes().cmp(lower)).is_ok()
}

/// "100", "100.0", "100.00".
fn is_hundred(word: &str) -> bool {
    word == "100" || word.strip_prefix("100.").is_some_and(|z| !z.is_empty() && z.bytes().all(|b| b == b'0'))
}

const SUBJECTS: &[&str] =
    &["test", "tests", "suite", "suites", "spec", "specs", "check", "checks", "testcase", "testcases"];
const PASS: &[&str] = &["pass", "passes", "passed", "passing", "green"];
const PASS_AUX: &[&str] = &[
    "are",
    "were",
    "is",
    "was",
    "have",
    "has",
    "had",
    "been",
    "all",
    "now",
    "still",
    "consistently",
    "successfully",
    "fully",
    "reliably",
    "always",
];
/// Words that make "tests pass" a statement about some tests, not all.
const PARTIAL: &[&str] = &[
    "some",
    "most",
    "few",
    "many",
    "several",
    "half",
    "majority",
    "part",
    "certain",
    "other",
    "remaining",
    "failing",
    "flaky",
    "skipped",
    "new",
];
const FAILS: &[&str] = &["failures", "failure", "failing", "failed", "errors"];
const RUN_SUBJECTS: &[&str] = &["test", "tests", "suite", "suites"];
const RUN_AUX: &[&str] = &[
    "were",
    "was",
    "been",
    "have",
    "has",
    "had",
    "all",
    "successfully",
    "now",
    "fully",
    "already",
    "also",
    "then",
    "actually",
];
const PERFECT: &[&str] = &["were", "was", "been", "have", "has", "had"];
/// Words before "complete" that make it a state ("is complete"), not an adjective ("the
/// complete workflow").
const COMPLETE_STATE: &[&str] = &[
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "now",
    "fully",
    "feature",
    "functionally",
    "mission",
    "all",
    "work",
    "migration",
];
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "nor",
    "neither",
    "without",
    "cannot",
    "can't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "hasn't",
    "haven't",
    "hadn't",
    "doesn't",
    "don't",
    "didn't",
    "won't",
    "wouldn't",
    "shouldn't",
    "couldn't",
    "none",
    "nothing",
    "hardly",
    "barely",
];
/// Words that make what follows an attempt, a plan, a condition or a part, not a claim of
/// success.
const HEDGES: &[&str] = &[
    "partially",
    "partly",
    "almost",
    "nearly",
    "mostly",
    "largely",
    "half",
    "somewhat",
    "attempted",
    "attempt",
    "attempts",
    "attempting",
    "tried",
    "try",
    "tries",
    "trying",
    "aim",
    "aims",
    "aiming",
    "goal",
    "goals",
    "plan",
    "plans",
    "planned",
    "planning",
    "intend",
    "intends",
    "intended",
    "pending",
    "toward",
    "towards",
    "until",
    "unless",
    "once",
    "if",
    "when",
    "whether",
    "before",
    "will",
    "would",
    "should",
    "shall",
    "must",
    "could",
    "can",
    "may",
    "might",
    "need",
    "needs",
    "needed",
    "require",
    "requires",
    "required",
    "requiring",
    "expect",
    "expects",
    "expected",
    "hope",
    "hopefully",
    "yet",
    "eventually",
    "soon",
    "being",
    "ensure",
    "ensuring",
    "improve",
    "improving",
    "reach",
    "reaching",
];
/// How many words before a claim are searched for a negation or hedge (within its clause).
const LOOK_BEHIND: usize = 5;

/// "all tests pass", "every test passed", "tests are green", "all green", "100% passing",
/// "no failures".
fn all_pass(s: &Scan, i: usize) -> Option<(usize, usize)> {
    if let Some(last) = s.hundred_percent(i) {
        return s.is_at(last + 1, i, PASS).then_some((i, last + 1));
    }
    if s.is(i, &["no", "zero", "0"]) {
        let j = if s.is_at(i + 1, i, &["test", "tests"]) { i + 2 } else { i + 1 };
        return s.is_at(j, i, FAILS).then_some((i, j));
    }
    if s.is(i, &["all"]) && s.is_at(i + 1, i, &["green", "passing", "passed", "pass"]) {
        return Some((i, i + 1));
    }
    if !s.is(i, SUBJECTS) {
        return None;
    }
    let mut j = i + 1;
    while j < i + 3 && s.is_at(j, i, PASS_AUX) {
        j += 1;
    }
    if !s.is_at(j, i, PASS) {
        return None;
    }
    let before: Vec<usize> = s.before(i, 3).collect();
    let universal = before.iter().copied().find(|&k| s.is(k, &["all", "every", "each"]));
    let partial = before.iter().any(|&k| s.is(k, PARTIAL) || (s.is_number(k) && universal.is_none()));
    (!partial).then_some((universal.unwrap_or(i), j))
}

/// "production-ready", "production quality", "enterprise grade", "ready for production".
fn production_ready(s: &Scan, i: usize) -> Option<(usize, usize)> {
    if s.is(i, &["production", "enterprise"]) && s.is_at(i + 1, i, &["ready", "quality", "grade", "worthy"]) {
        return Some((i, i + 1));
    }
    (s.is(i, &["ready"]) && s.is_at(i + 1, i, &["for"]) && s.is_at(i + 2, i, &["production"]))
        .then_some((i, i + 2))
}

/// "100%", "fully covered", "full coverage", "all critical events covered".
fn full_coverage(s: &Scan, i: usize) -> Option<(usize, usize)> {
    if let Some(last) = s.hundred_percent(i) {
        // "100% passing" claims passing tests, not coverage.
        return (!s.is_at(last + 1, i, PASS)).then_some((i, last));
    }
    if s.is(i, &["fully", "completely", "entirely", "totally"]) && s.is_at(i + 1, i, &["covered"]) {
        return Some((i, i + 1));
    }
    if s.is(i, &["full", "complete", "total"]) && s.is_at(i + 1, i, &["coverage"]) {
        return Some((i, i + 1));
    }
    if s.is(i, &["all", "every"]) {
        return (i + 1..=i + 4)
            .take_while(|&j| s.same_clause(j, i))
            .find(|&j| s.is(j, &["covered"]))
            .map(|j| (i, j));
    }
    None
}

/// "completed", "accomplished", "done", "finished", and "complete" as a state: "is complete",
/// "Migration complete.", never "the complete workflow".
fn complete(s: &Scan, i: usize) -> Option<(usize, usize)> {
    if s.is(i, &["completed", "accomplished", "finished", "done"]) {
        return Some((i, i));
    }
    if !s.is(i, &["complete"]) || s.is_at(i + 1, i, &["coverage"]) {
        return None;
    }
    let state = i > 0 && s.is_at(i - 1, i, COMPLETE_STATE);
    let clause_ends = !s.same_clause(i + 1, i);
    (state || clause_ends).then_some((i, i))
}

/// "validated", "verified", "tested".
fn verified(s: &Scan, i: usize) -> Option<(usize, usize)> {
    s.is(i, &["validated", "verified", "tested"]).then_some((i, i))
}

/// "tests were run", "the suite has been executed", "tests ran", "ran the tests", "executed the
/// whole suite".
fn ran(s: &Scan, i: usize) -> Option<(usize, usize)> {
    if s.is(i, RUN_SUBJECTS) {
        let (mut j, mut perfect) = (i + 1, false);
        while j < i + 4 && s.is_at(j, i, RUN_AUX) {
            perfect |= s.is(j, PERFECT);
            j += 1;
        }
        if s.is_at(j, i, &["ran", "executed"]) || (perfect && s.is_at(j, i, &["run"])) {
            return Some((i, j));
        }
        return None;
    }
    let verb = s.is(i, &["ran", "executed"]) || (s.is(i, &["run"]) && i > 0 && s.is_at(i - 1, i, PERFECT));
    if !verb {
        return None;
    }
    (i + 1..=i + 4).take_while(|&j| s.same_clause(j, i)).find(|&j| s.is(j, RUN_SUBJECTS)).map(|j| (i, j))
}

/// A word of the text, and the clause it belongs to.
#[derive(Debug, Clone, Copy)]
struct Tok {
    start: usize,
    end: usize,
    /// Clauses are separated by punctuation (`.,;:!?()[]|—–`, line breaks): a negation in one
    /// clause says nothing about the next.
    clause: u32,
    /// End of the `%` that follows (after spaces), if one does.
    percent_end: Option<usize>,
}

/// The text's words: runs of letters, digits and `_`, with inner apostrophes (`isn't`) and, between
/// digits, `.` and `,` (`1,000.5`). One pass.
fn tokenize(text: &str) -> Vec<Tok> {
    let mut toks = Vec::new();
    let mut clause = 0u32;
    let mut new_clause = false;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if !is_word_char(c) {
            new_clause |= matches!(
                c,
                '.' | ','
                    | ';'
                    | ':'
                    | '!'
                    | '?'
                    | '('
                    | ')'
                    | '['
                    | ']'
                    | '|'
                    | '—'
                    | '–'
                    | '\n'
                    | '\r'
                    | '•'
            );
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut last = c;
        i += c.len_utf8();
        while let Some(d) = text[i..].chars().next() {
            let next = text[i + d.len_utf8()..].chars().next();
            let joins = is_word_char(d)
                || (matches!(d, '\'' | '’') && last.is_alphabetic() && next.is_some_and(char::is_alphabetic))
                || (matches!(d, '.' | ',')
                    && last.is_ascii_digit()
                    && next.is_some_and(|n| n.is_ascii_digit()));
            if !joins {
                break;
            }
            last = d;
            i += d.len_utf8();
        }
        if new_clause && !toks.is_empty() {
            clause += 1;
        }
        new_clause = false;
        let after = text[i..].trim_start_matches(' ');
        let percent_end = after.starts_with('%').then(|| text.len() - after.len() + 1);
        toks.push(Tok { start, end: i, clause, percent_end });
    }
    toks
}

/// Letters, digits and `_` (so `tool_completed`, a name, is one word and claims nothing).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A text and its words, for the matchers.
struct Scan<'a> {
    text: &'a str,
    toks: Vec<Tok>,
}

impl Scan<'_> {
    fn word(&self, k: usize) -> &str {
        &self.text[self.toks[k].start..self.toks[k].end]
    }

    /// Word `k` is one of `words` (lowercase ASCII; `’` reads as `'`).
    fn is(&self, k: usize, words: &[&str]) -> bool {
        k < self.toks.len() && words.iter().any(|w| same_word(self.word(k), w))
    }

    /// Word `k` exists, is in the clause of word `of`, and is one of `words`.
    fn is_at(&self, k: usize, of: usize, words: &[&str]) -> bool {
        self.same_clause(k, of) && self.is(k, words)
    }

    fn same_clause(&self, k: usize, of: usize) -> bool {
        k < self.toks.len() && of < self.toks.len() && self.toks[k].clause == self.toks[of].clause
    }

    /// Up to `n` words right before `i` in its clause, nearest first.
    fn before(&self, i: usize, n: usize) -> impl Iterator<Item = usize> + '_ {
        (i.saturating_sub(n)..i).rev().take_while(move |&k| self.same_clause(k, i))
    }

    fn is_number(&self, k: usize) -> bool {
        self.word(k).starts_with(|c: char| c.is_ascii_digit())
    }

    /// "100%", "100 %", "100 percent", "100.0%": the last word of the phrase.
    fn hundred_percent(&self, i: usize) -> Option<usize> {
        if !is_hundred(self.word(i)) {
            return None;
        }
        if self.toks[i].percent_end.is_some() {
            Some(i)
        } else {
            self.is_at(i + 1, i, &["percent"]).then_some(i + 1)
        }
    }

    /// The phrase from word `first` to `last` claims nothing: a negation or hedge comes before
    /// it in its clause ("not yet complete", "attempted to run"), "to" right before it ("to be
    /// verified"), a negation inside it ("all events are not covered"), "not yet" or "pending"
    /// right after it, or it is a question.
    fn blocked(&self, first: usize, last: usize) -> bool {
        for (n, k) in self.before(first, LOOK_BEHIND).enumerate() {
            if self.is(k, NEGATIONS) || self.is(k, HEDGES) || (n < 3 && self.is(k, &["to"])) {
                return true;
            }
        }
        if (first + 1..last).any(|k| self.is(k, NEGATIONS)) {
            return true;
        }
        if (self.is(last + 1, &["not"]) && self.is(last + 2, &["yet"]))
            || self.is(last + 1, &["pending", "tbd"])
        {
            return true;
        }
        self.text[self.toks[last].end..].trim_start().starts_with('?')
    }
}

/// `word` equals the lowercase ASCII `key`, ignoring case; `’` reads as `'`.
fn same_word(word: &str, key: &str) -> bool {
    if !key.contains('\'') {
        return word.eq_ignore_ascii_case(key);
    }
    let mut a = word.chars().map(|c| if c == '’' { '\'' } else { c.to_ascii_lowercase() });
    let mut b = key.chars();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<&'static str> {
        typed_figure(s).map(|f| f.kind)
    }

    #[test]
    fn finds_the_seeds_typed_figures() {
        let f = typed_figure("Complete user workflows, $1.1M+ ARR protection").unwrap();
        assert_eq!((f.text.as_str(), f.offset), ("$1.1M+", 25));
        assert_eq!(kind("620% OVER TARGET"), Some("percentage"));
        assert_eq!(
            typed_figure("Created 67+ comprehensive integration tests").unwrap().text,
            "67+ comprehensive integration tests"
        );
        assert_eq!(kind("Chat delivers 90 % of platform value"), Some("percentage"));
        assert_eq!(kind("Enterprise SSO enabling €15K MRR"), Some("money amount"));
    }

    #[test]
    fn leaves_words_and_unrelated_numbers_alone() {
        assert_eq!(kind("All critical WebSocket events validated"), None);
        assert_eq!(kind("Python 3 and OAuth2 flows"), None);
        assert_eq!(kind("Fix the 5 critical events"), None);
        assert_eq!(kind("Costs in $ are computed"), None);
    }

    #[test]
    fn count_nouns_are_looked_for_within_three_words_and_a_bounded_window() {
        assert_eq!(typed_figure("67 tests").unwrap().text, "67 tests");
        assert_eq!(typed_figure("12 new e2e cases, more").unwrap().text, "12 new e2e cases,");
        assert_eq!(kind("12 new shiny e2e cases"), None, "a fourth word is too far");
        // A word longer than the window is no count noun, and the scan goes on after it.
        let long = format!("1 {} 2 tests", "x".repeat(300));
        assert_eq!(typed_figure(&long).unwrap().text, "2 tests");
        // Numbers joined by punctuation each start a figure: none here.
        let joined: String = (0..2000).map(|n| n.to_string()).collect::<Vec<_>>().join("-");
        assert_eq!(typed_figure(&joined), None);
    }

    #[test]
    fn typed_figure_offsets_are_bytes() {
        let f = typed_figure("Déjà vu: 90% done").unwrap();
        assert_eq!((f.text.as_str(), &"Déjà vu: 90% done"[f.offset..f.offset + 3]), ("90%", "90%"));
    }

    fn found(s: &str) -> Vec<(ClaimKind, String)> {
        claims(s).into_iter().map(|c| (c.kind, c.phrase)).collect()
    }

    fn one(s: &str) -> Option<ClaimKind> {
        let c = claims(s);
        assert!(c.len() <= 1, "{s:?}: {c:?}");
        c.first().map(|c| c.kind)
    }

    use ClaimKind::*;

    #[test]
    fn all_pass_claims() {
        assert_eq!(found("All tests pass"), [(AllPass, "All tests pass".into())]);
        assert_eq!(one("all integration tests passed"), Some(AllPass));
        assert_eq!(one("Every test passes on CI"), Some(AllPass));
        assert_eq!(one("The suite is green"), Some(AllPass));
        assert_eq!(one("Tests are all passing"), Some(AllPass));
        assert_eq!(one("Auth: all green"), Some(AllPass));
        assert_eq!(one("100% passing"), Some(AllPass));
        assert_eq!(one("Zero failures"), Some(AllPass));
        assert_eq!(one("no failing tests"), Some(AllPass));
        assert_eq!(one("All 67 tests pass"), Some(AllPass));
        // Not claims about every test.
        assert_eq!(one("Some tests pass"), None);
        assert_eq!(one("12 tests pass"), None);
        assert_eq!(one("Most of the flaky tests passed"), None);
        assert_eq!(one("the passing tests"), None);
    }

    #[test]
    fn production_ready_claims() {
        assert_eq!(
            found("Production quality: tests exercise actual business functionality"),
            [(ProductionReady, "Production quality".into())]
        );
        assert_eq!(one("The suite is production-ready"), Some(ProductionReady));
        assert_eq!(one("enterprise-grade isolation"), Some(ProductionReady));
        assert_eq!(one("Ready for production"), Some(ProductionReady));
        assert_eq!(one("Real services fixtures: production-like testing conditions"), None);
        assert_eq!(one("Production readiness"), None);
        assert_eq!(one("Multi-tenant isolation for enterprise customers"), None);
    }

    #[test]
    fn complete_claims() {
        assert_eq!(one("MISSION ACCOMPLISHED"), Some(Complete));
        assert_eq!(one("Migration complete."), Some(Complete));
        assert_eq!(one("The suite is complete and green"), Some(Complete));
        assert_eq!(one("Auth tests: done"), Some(Complete));
        assert_eq!(one("Work finished on schedule"), Some(Complete));
        assert_eq!(one("Completed the WebSocket suite"), Some(Complete));
        // "complete" as an adjective describes, it does not claim.
        assert_eq!(one("Complete user workflows"), None);
        assert_eq!(one("Golden Path protection: the complete user login → AI response workflow"), None);
        assert_eq!(one("incomplete"), None);
    }

    #[test]
    fn full_coverage_claims() {
        assert_eq!(
            found("All critical events covered: agent_started, agent_thinking"),
            [(FullCoverage, "All critical events covered".into())]
        );
        assert_eq!(one("100% of the critical paths"), Some(FullCoverage));
        assert_eq!(one("100 percent of endpoints"), Some(FullCoverage));
        assert_eq!(one("Auth is fully covered"), Some(FullCoverage));
        assert_eq!(one("full coverage of the API"), Some(FullCoverage));
        assert_eq!(one("Complete coverage"), Some(FullCoverage));
        assert_eq!(one("99% of the paths"), None);
        assert_eq!(one("1100% growth"), None);
        assert_eq!(one("Coverage: add edge cases"), None);
    }

    #[test]
    fn verified_claims() {
        assert_eq!(found("Imports verified against the registry"), [(Verified, "verified".into())]);
        assert_eq!(one("All flows validated"), Some(Verified));
        assert_eq!(one("Battle-tested"), Some(Verified));
        assert_eq!(one("security validation for enterprise customers"), None);
        assert_eq!(one("each test validates critical business functionality"), None);
        assert_eq!(one("untested"), None);
    }

    #[test]
    fn ran_claims() {
        assert_eq!(
            found("Test execution: tests were run and issues identified"),
            [(Ran, "tests were run".into())]
        );
        assert_eq!(one("The suite has been executed"), Some(Ran));
        assert_eq!(one("tests ran overnight"), Some(Ran));
        assert_eq!(one("We ran the full suite"), Some(Ran));
        assert_eq!(one("Executed all integration tests"), Some(Ran));
        assert_eq!(one("have run the tests"), Some(Ran));
        assert_eq!(one("Run the complete suite to verify functionality"), None);
        assert_eq!(one("tests run in CI"), None);
    }

    #[test]
    fn negations_hedges_and_plans_claim_nothing() {
        for s in [
            "not yet complete",
            "Not production-ready",
            "The suite is not production ready yet",
            "Test execution: attempted to run the tests and identify issues",
            "Attempted to run the tests",
            "tests were never run",
            "Not all tests pass",
            "No tests were executed",
            "once all tests pass",
            "Quality gates: require all tests passing before production deployment",
            "to be verified",
            "Almost done",
            "partially complete",
            "The migration will be complete next week",
            "Work is not done",
            "isn't complete",
            "isn’t validated",
            "Production-ready: not yet",
            "Done? Not quite",
            "All events are not covered",
            "Validate all tests: run the complete suite to verify functionality",
            "We hope to be fully covered",
        ] {
            assert_eq!(claims(s), [], "{s:?}");
        }
    }

    #[test]
    fn a_negation_reaches_only_its_clause() {
        assert_eq!(one("No mocks. All tests pass"), Some(AllPass));
        assert_eq!(one("Not flaky; production-ready"), Some(ProductionReady));
        assert_eq!(one("No mocks, and the work is complete"), Some(Complete));
    }

    #[test]
    fn claims_of_several_kinds_and_their_offsets() {
        let c = claims("Done: all tests pass, 100% covered and production-ready");
        let got: Vec<(ClaimKind, &str, usize)> =
            c.iter().map(|c| (c.kind, c.phrase.as_str(), c.offset)).collect();
        assert_eq!(
            got,
            [
                (Complete, "Done", 0),
                (AllPass, "all tests pass", 6),
                (FullCoverage, "100%", 22),
                (ProductionReady, "production-ready", 39),
            ]
        );
    }

    #[test]
    fn narrative_positions_are_exact_when_written_verbatim() {
        let t = NarrativeText {
            text: "Déjà: done".into(),
            field: "process",
            file: "report.yaml".into(),
            line: 4,
            column: 5,
            text_column: Some(6),
        };
        assert_eq!(t.position("Déjà: ".len()), (4, 12));
        let folded = NarrativeText { text_column: None, ..t };
        assert_eq!(folded.position(8), (4, 5));
    }

    #[test]
    fn every_matcher_starts_from_a_trigger() {
        assert!(TRIGGERS.windows(2).all(|w| w[0] < w[1]), "sorted, for the binary search");
        for list in [SUBJECTS, RUN_SUBJECTS] {
            assert!(list.iter().all(|w| may_start(w)), "{list:?}");
        }
        assert!(may_start("PRODUCTION") && may_start("100") && may_start("100.0"));
        assert!(!may_start("1000") && !may_start("100.5") && !may_start("accomplishment"));
    }

    #[test]
    fn scans_are_linear_on_long_texts() {
        // 50,000 numbers and words in one text, and numbers joined into one word: each scan is
        // one pass (tests/it/claims.rs runs the binary on 200,000).
        let text: String = (0..50_000).map(|n| format!("step {n}, done-{n} ")).collect();
        assert_eq!(typed_figure(&text), None);
        assert_eq!(claims(&text).len(), 1);
        let joined: String = (0..50_000).map(|n| format!("{n}-")).collect();
        assert_eq!(typed_figure(&joined), None);
        assert_eq!(claims(&joined), []);
    }
}
