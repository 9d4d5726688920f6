//! Failures grouped by cause: each failure's message is normalised into a *signature*
//! (numbers, hex addresses, UUIDs, timestamps, temporary paths and quoted tokens become
//! placeholders) and failures with the same signature form one group. User-defined failure
//! categories (`failure_categories:` in report.yaml) are counted here too.
//!
//! Memory is bounded: at most [`GROUPS_TRACKED`] signatures are tracked, each with a bounded
//! member list; every failure is counted, those of untracked signatures in one exact sum.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use super::evidence::{FAILURES_KEPT, FailedCase, HEADLINE_CHARS};
use crate::results::{Outcome, TestCase};

/// Signatures tracked at most. When a run has more, the ones kept are those whose signature
/// hash is smallest: a choice that depends only on the failures, never on the order files are
/// read in or how reading was split across threads (so output stays deterministic).
pub const GROUPS_TRACKED: usize = 5_000;
/// Groups of two or more failures listed in the report, largest first.
pub const GROUPS_SHOWN: usize = 20;
/// Members named per group.
pub const MEMBERS_KEPT: usize = 10;
/// Distinct suites counted per group ("in 1,000+ suites" beyond).
pub const SUITES_COUNTED: usize = 1_000;
/// Placeholders the normaliser writes.
const NUM: &[u8] = b"<n>";
const HEX: &[u8] = b"<hex>";
const UUID: &[u8] = b"<uuid>";
const TS: &[u8] = b"<ts>";
const TMP: &[u8] = b"<tmp>";
const QUOTED: &[u8] = b"<q>";
/// Longest quoted token replaced by [`QUOTED`], in bytes.
const QUOTED_MAX: usize = 200;

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// End of a run of bytes from `i` satisfying `f`.
fn run(b: &[u8], i: usize, f: impl Fn(u8) -> bool) -> usize {
    b.get(i..).map_or(i, |rest| rest.iter().position(|&c| !f(c)).map_or(b.len(), |p| i.saturating_add(p)))
}

/// Exactly `n` ASCII digits at `i`: the end.
fn digits_n(b: &[u8], i: usize, n: usize) -> Option<usize> {
    let end = i.checked_add(n)?;
    b.get(i..end)?.iter().all(u8::is_ascii_digit).then_some(end)
}

/// `HH:MM` then optional `:SS` and `.fff`: the end.
fn clock(b: &[u8], i: usize) -> Option<usize> {
    let e = digits_n(b, i, 2)?;
    let e = if at(b, e) == b':' { digits_n(b, e.saturating_add(1), 2)? } else { return None };
    let e = if at(b, e) == b':' { digits_n(b, e.saturating_add(1), 2).unwrap_or(e) } else { e };
    Some(if at(b, e) == b'.' && at(b, e.saturating_add(1)).is_ascii_digit() {
        run(b, e.saturating_add(1), |c| c.is_ascii_digit())
    } else {
        e
    })
}

/// An ISO-like date (`2026-12-02`), optionally with a time and a zone, or a bare clock time
/// (`08:30:17.123`), at `i`: the end.
fn timestamp(b: &[u8], i: usize) -> Option<usize> {
    if let Some(e) = digits_n(b, i, 4)
        && at(b, e) == b'-'
        && let Some(e) = digits_n(b, e.saturating_add(1), 2)
        && at(b, e) == b'-'
        && let Some(e) = digits_n(b, e.saturating_add(1), 2)
    {
        let mut end = e;
        if matches!(at(b, e), b'T' | b' ')
            && let Some(t) = clock(b, e.saturating_add(1))
        {
            end = t;
            if at(b, end) == b'Z' {
                end = end.saturating_add(1);
            } else if matches!(at(b, end), b'+' | b'-')
                && let Some(z) = digits_n(b, end.saturating_add(1), 2)
            {
                let z2 = if at(b, z) == b':' { z.saturating_add(1) } else { z };
                end = digits_n(b, z2, 2).unwrap_or(z);
            }
        }
        return Some(end);
    }
    let e = clock(b, i)?;
    // `12:30` alone may be a ratio or `file:line`; a time has seconds.
    (e.saturating_sub(i) >= 8).then_some(e)
}

/// A UUID (8-4-4-4-12 hex digits) at `i`: the end.
fn uuid(b: &[u8], i: usize) -> Option<usize> {
    let mut e = i;
    for (k, len) in [8usize, 4, 4, 4, 12].into_iter().enumerate() {
        if k > 0 {
            if at(b, e) != b'-' {
                return None;
            }
            e = e.saturating_add(1);
        }
        let end = e.checked_add(len)?;
        if !b.get(e..end)?.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        e = end;
    }
    (!is_word(at(b, e))).then_some(e)
}

/// `0x…` or a hex word of 8 or more digits with letters and digits (a hash, an object id): the
/// end.
fn hex(b: &[u8], i: usize) -> Option<usize> {
    if at(b, i) == b'0' && matches!(at(b, i.saturating_add(1)), b'x' | b'X') {
        let e = run(b, i.saturating_add(2), |c| c.is_ascii_hexdigit());
        return (e > i.saturating_add(2) && !is_word(at(b, e))).then_some(e);
    }
    let e = run(b, i, |c| c.is_ascii_hexdigit());
    let word = b.get(i..e)?;
    let ok = word.len() >= 8
        && word.iter().any(u8::is_ascii_digit)
        && word.iter().any(u8::is_ascii_alphabetic)
        && !is_word(at(b, e));
    ok.then_some(e)
}

/// A temporary path (`/tmp/…`, `/var/folders/…`, `C:\Users\me\AppData\Local\Temp\…`) at `i`:
/// the end of the path.
fn temp_path(b: &[u8], i: usize) -> Option<usize> {
    const UNIX: [&[u8]; 6] =
        [b"/tmp/", b"/var/tmp/", b"/var/folders/", b"/private/var/folders/", b"/private/tmp/", b"/dev/shm/"];
    let rest = b.get(i..)?;
    let ends = |c: u8| c.is_ascii_whitespace() || b"'\"`)]>,;".contains(&c);
    if UNIX.iter().any(|p| rest.starts_with(p)) {
        return Some(run(b, i, |c| !ends(c) && c != b':'));
    }
    if rest.len() > 3 && rest[0].is_ascii_alphabetic() && rest[1] == b':' && rest[2] == b'\\' {
        let e = run(b, i, |c| !ends(c));
        let path = b.get(i..e)?.to_ascii_lowercase();
        let temp = path.windows(6).any(|w| w == b"\\temp\\") || path.windows(5).any(|w| w == b"\\tmp\\");
        return temp.then_some(e);
    }
    None
}

/// A quoted token without whitespace (`'user_42'`, `"a1b2"`) at `i`: the end. Quoted text with
/// spaces is a message (pytest's `failed on setup with "…"`) and is normalised, not replaced.
fn quoted(b: &[u8], i: usize) -> Option<usize> {
    let q = at(b, i);
    let start = i.saturating_add(1);
    let limit = start.saturating_add(QUOTED_MAX).min(b.len());
    let body = b.get(start..limit)?;
    let close = body.iter().position(|&c| c == q || c.is_ascii_whitespace())?;
    (body.get(close) == Some(&q)).then(|| start.saturating_add(close).saturating_add(1))
}

/// Normalises one line of failure text: variable parts become placeholders, runs of
/// whitespace one space. Linear in the length of `s`.
pub fn normalise(s: &str) -> String {
    let b = s.as_bytes();
    let mut o: Vec<u8> = Vec::with_capacity(b.len());
    let (mut i, mut space) = (0usize, false);
    while let Some(&c) = b.get(i) {
        if c.is_ascii_whitespace() {
            space = true;
            i = i.saturating_add(1);
            continue;
        }
        if std::mem::take(&mut space) && !o.is_empty() {
            o.push(b' ');
        }
        let boundary = i == 0 || !is_word(at(b, i.saturating_sub(1)));
        let found = if boundary { placeholder(b, i) } else { None };
        if let Some((end, ph)) = found {
            o.extend_from_slice(ph);
            i = end;
        } else if c.is_ascii_digit() {
            // A number, with its decimals: 1.5 and 2.25 are one placeholder each.
            let mut e = run(b, i, |c| c.is_ascii_digit());
            while at(b, e) == b'.' && at(b, e.saturating_add(1)).is_ascii_digit() {
                e = run(b, e.saturating_add(1), |c| c.is_ascii_digit());
            }
            o.extend_from_slice(NUM);
            i = e;
        } else {
            o.push(c);
            i = i.saturating_add(1);
        }
    }
    // Only ASCII was replaced, at ASCII positions: the bytes are still UTF-8.
    String::from_utf8(o).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The placeholder for the token starting at a word boundary `i`, if one applies.
fn placeholder(b: &[u8], i: usize) -> Option<(usize, &'static [u8])> {
    let c = at(b, i);
    if let Some(e) = temp_path(b, i) {
        return Some((e, TMP));
    }
    if matches!(c, b'\'' | b'"' | b'`') {
        return quoted(b, i).map(|e| (e, QUOTED));
    }
    if !c.is_ascii_hexdigit() {
        return None;
    }
    if let Some(e) = uuid(b, i) {
        return Some((e, UUID));
    }
    if let Some(e) = timestamp(b, i) {
        return Some((e, TS));
    }
    hex(b, i).map(|e| (e, HEX))
}

/// The first non-blank line of a failure text, trimmed and bounded to [`HEADLINE_CHARS`].
pub fn headline(text: &str) -> &str {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    match line.char_indices().nth(HEADLINE_CHARS) {
        Some((cut, _)) => &line[..cut],
        None => line,
    }
}

/// Paths of frames outside the repository: the language's runtime, installed packages, test
/// frameworks.
const LIBRARY: &[&str] = &[
    "site-packages",
    "dist-packages",
    "node_modules",
    "/usr/lib/",
    "/usr/local/lib/",
    "/lib/python",
    "\\lib\\python",
    "<frozen",
    "node:internal",
    "(internal/",
    "/rustc/",
    ".cargo/registry",
    "/go/pkg/mod/",
    "/usr/local/go/",
    "_pytest/",
    "pluggy/",
    "java.base/",
    "jdk.internal.",
    "sun.reflect.",
    "java.lang.reflect.",
    "org.junit.",
    "junit.framework.",
    "org.apache.maven.",
    "org.gradle.",
    "kotlin.",
];

/// [`LIBRARY`] as one matcher: one pass over a line instead of one search per path (the
/// searches were most of the time grouping took).
static LIBRARY_MATCHER: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    let alternatives: Vec<String> = LIBRARY.iter().map(|l| regex::escape(l)).collect();
    regex::Regex::new(&alternatives.join("|")).ok()
});

/// A pytest location line: `tests/test_x.py:12: …`.
fn pytest_location(t: &str) -> Option<&str> {
    let (path, rest) = t.split_once(':')?;
    let line_no = rest.split(':').next()?;
    let ok = !path.is_empty()
        && !path.contains(' ')
        && path.contains('.')
        && !line_no.is_empty()
        && line_no.bytes().all(|c| c.is_ascii_digit());
    ok.then_some(path)
}

/// The innermost stack frame inside the repository, as a key: `at` frames (Java, JavaScript,
/// .NET) list the innermost first; Python tracebacks and pytest locations list it last.
pub fn repo_frame(text: &str) -> Option<String> {
    // Frame-like lines first (cheap prefix checks), the library paths only for those.
    let outside = |t: &str| match &*LIBRARY_MATCHER {
        Some(m) => m.is_match(t),
        None => LIBRARY.iter().any(|l| t.contains(l)),
    };
    for line in text.lines() {
        let t = line.trim();
        if let Some(frame) = t.strip_prefix("at ") {
            if outside(t) {
                continue;
            }
            // Where, not which function: `demo.ApiTest.t1(ApiTest.java:9)` → `ApiTest.java:<n>`,
            // so one cause raised from the tests of one class stays one.
            let place = frame.rsplit_once('(').and_then(|(_, p)| p.strip_suffix(')')).unwrap_or(frame);
            return Some(normalise(place));
        }
    }
    // No `at` frame in the repository: the last Python frame or location line that is. Read
    // from the end, so the library matcher runs on the frames after it only, not on every one.
    for line in text.lines().rev() {
        let t = line.trim();
        if t.starts_with("at ") {
            continue;
        }
        if let Some(rest) = t.strip_prefix("File \"")
            && let Some((path, _)) = rest.split_once('"')
        {
            if !outside(t) {
                return Some(normalise(path));
            }
        } else if pytest_location(t).is_some() && !outside(t) {
            // `path:line: what` — pytest's location lines, Go's `x_test.go:12: got 1, want 2`:
            // what was said there tells two places in one file apart.
            return Some(normalise(t));
        }
    }
    None
}

/// The signature of a failure text: its normalised headline, plus the innermost frame inside
/// the repository when the text has one (its file, or its `path:line: …` line): a generic headline
/// (`AssertionError`, jest's `expect(received).toBe(expected)`) raised in two places is two
/// causes, while one error raised through one fixture or helper stays one.
pub fn signature(text: Option<&str>) -> String {
    signature_if_telling(text.unwrap_or("")).unwrap_or_default()
}

/// TAP YAML diagnostic keys (node:test, node-tap): a headline starting with one is where the
/// runner put the failure, not what it was.
const TAP_KEYS: &[&str] = &[
    "at",
    "location",
    "diff",
    "stack",
    "failureType",
    "duration_ms",
    "found",
    "wanted",
    "compare",
    "operator",
    "expected",
    "actual",
    "source",
    "severity",
    "datetime",
    "type",
];

/// The signature of a failure text, or `None` when it tells nothing to group by: a headline
/// that is one bare word with no frame to place it (`assert`, `Failed`), or a TAP diagnostic
/// key (`at:`, `location: '…'`).
fn signature_if_telling(text: &str) -> Option<String> {
    let head = headline(text);
    let key = head.split_once(':').map_or("", |(k, _)| k);
    if TAP_KEYS.contains(&key) {
        return None;
    }
    let mut sig = normalise(head);
    match repo_frame(text) {
        Some(frame) => {
            sig.push_str(" @ ");
            sig.push_str(&frame);
        }
        None if !sig.contains(' ') => return None,
        None => {}
    }
    Some(sig)
}

/// How the JUnit reader introduces the output of a failure that has no message.
const NO_MESSAGE: &str = "(no failure message";

/// A signature no other test shares: for a failure without a message.
fn own_signature(case: &TestCase) -> String {
    let classname = case.classname.as_deref().unwrap_or("");
    format!("\u{1}no message\u{1}{}\u{1}{classname}\u{1}{}", case.suite, case.name)
}

/// A fixed hash (FNV-1a, mixed), so the signatures kept and their order are the same on every
/// run.
fn fnv(s: &str) -> u64 {
    use super::history::{FNV_OFFSET, fnv1a, mix64};
    mix64(fnv1a(FNV_OFFSET, s.as_bytes()))
}

/// Sets and maps keyed by those hashes: already mixed, so hashing them again (SipHash) is
/// wasted work on every failure.
type Hashes = std::hash::BuildHasherDefault<super::history::IdHasher>;

pub use crate::load::categories::{FailureCategory, REGEX_SIZE_LIMIT, UNCATEGORISED, compile, regex_reason};

/// The index of the first category a failure text matches (first match wins). A category with
/// both regexes needs both to match.
pub fn classify(categories: &[FailureCategory], text: Option<&str>) -> Option<usize> {
    let text = text.unwrap_or("");
    let trimmed = text.trim_start();
    let (head, trace) = match trimmed.find('\n') {
        Some(p) => (trimmed[..p].trim(), &trimmed[p..]),
        None => (trimmed.trim(), ""),
    };
    categories.iter().position(|c| {
        c.message.as_ref().is_none_or(|r| r.is_match(head))
            && c.trace.as_ref().is_none_or(|r| r.is_match(trace))
    })
}

/// A member of a group, as listed under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMember {
    pub name: String,
    pub suite: String,
    pub classname: Option<String>,
    pub location: Option<String>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone)]
struct Group {
    signature: String,
    /// The failure's place among all failures read: the first member's.
    first_seen: u64,
    example: FailedCase,
    failures: u64,
    errors: u64,
    suites: HashSet<u64, Hashes>,
    suites_more: bool,
    /// Distinct suite-and-classname pairs (pytest writes one suite; its classnames are files).
    classes: HashSet<u64, Hashes>,
    /// The last member's place: consecutive members mostly share it.
    last_place: (u64, Option<u64>),
    members: Vec<GroupMember>,
    members_omitted: u64,
    category: Option<usize>,
}

impl Group {
    fn count(&self) -> u64 {
        self.failures.saturating_add(self.errors)
    }

    fn add_suite(&mut self, h: u64) {
        if self.suites.len() < SUITES_COUNTED {
            self.suites.insert(h);
        } else if !self.suites.contains(&h) {
            self.suites_more = true;
        }
    }

    fn add_class(&mut self, h: u64) {
        if self.classes.len() < SUITES_COUNTED {
            self.classes.insert(h);
        }
    }

    /// Adds `other`, the same signature's failures read after this group's.
    fn merge(&mut self, other: Group) {
        self.failures = self.failures.saturating_add(other.failures);
        self.errors = self.errors.saturating_add(other.errors);
        self.suites_more |= other.suites_more;
        for h in other.suites {
            self.add_suite(h);
        }
        for h in other.classes {
            self.add_class(h);
        }
        let room = MEMBERS_KEPT.saturating_sub(self.members.len());
        let extra = other.members.len().saturating_sub(room) as u64;
        self.members.extend(other.members.into_iter().take(room));
        self.members_omitted =
            self.members_omitted.saturating_add(other.members_omitted).saturating_add(extra);
    }
}

/// Failures grouped by signature and counted per failure category, as they are read.
#[derive(Debug, Clone, Default)]
pub struct Causes {
    categories: Arc<Vec<FailureCategory>>,
    groups: HashMap<u64, Group, Hashes>,
    /// The hashes kept, sorted: the largest goes first when the table is full.
    order: BTreeSet<u64>,
    /// Failures read.
    seen: u64,
    /// Failures whose signature is not tracked.
    untracked: u64,
    /// Failures per failure category, and unmatched ones.
    per_category: Vec<u64>,
    uncategorised: u64,
}

impl Causes {
    /// Counts failures into `categories` (first match wins).
    pub fn with_categories(categories: Arc<Vec<FailureCategory>>) -> Causes {
        let n = categories.len();
        Causes { categories, per_category: vec![0; n], ..Causes::default() }
    }

    /// Adds a failing case (failed or errored) read from `source`; others are ignored.
    pub fn add(&mut self, case: &TestCase, source: &str) {
        if !matches!(case.outcome, Outcome::Failed | Outcome::Error) {
            return;
        }
        let category = classify(&self.categories, case.message.as_deref());
        match category.and_then(|c| self.per_category.get_mut(c)) {
            Some(n) => *n = n.saturating_add(1),
            None => self.uncategorised = self.uncategorised.saturating_add(1),
        }
        // Nothing to tell a cause by (no message; JUnit writes the test's output after this
        // marker; a bare word): a signature of the test's own, so it stays a single failure.
        let signature = match case.message.as_deref() {
            Some(m) if !m.starts_with(NO_MESSAGE) => signature_if_telling(m),
            _ => None,
        }
        .unwrap_or_else(|| own_signature(case));
        let h = fnv(&signature);
        let seen = self.seen;
        self.seen = self.seen.saturating_add(1);
        let suite = fnv(&case.suite);
        let place = (suite, case.classname.as_deref().map(|c| fnv(c) ^ suite));
        if let Some(g) = self.groups.get_mut(&h) {
            count_member(g, case, place);
            return;
        }
        if !self.room_for(h) {
            self.untracked = self.untracked.saturating_add(1);
            return;
        }
        let example = super::evidence::failed_case(case, source);
        let mut g = Group {
            signature,
            first_seen: seen,
            example,
            failures: 0,
            errors: 0,
            suites: HashSet::default(),
            suites_more: false,
            classes: HashSet::default(),
            last_place: (0, None),
            members: Vec::new(),
            members_omitted: 0,
            category,
        };
        count_member(&mut g, case, place);
        self.order.insert(h);
        self.groups.insert(h, g);
    }

    /// Makes room for a new signature with hash `h` when the table is full, by dropping the
    /// largest hash if it is larger (its failures become untracked); false when `h` stays out.
    fn room_for(&mut self, h: u64) -> bool {
        if self.groups.len() < GROUPS_TRACKED {
            return true;
        }
        match self.order.last().copied() {
            Some(largest) if h < largest => {
                self.order.remove(&largest);
                if let Some(g) = self.groups.remove(&largest) {
                    self.untracked = self.untracked.saturating_add(g.count());
                }
                true
            }
            _ => false,
        }
    }

    /// Adds `other`, which read the files after this one's, as if one pass read them all.
    pub fn merge(&mut self, other: Causes) {
        let Causes { mut groups, order, seen, untracked, per_category, uncategorised, .. } = other;
        for (mine, theirs) in self.per_category.iter_mut().zip(per_category) {
            *mine = mine.saturating_add(theirs);
        }
        self.uncategorised = self.uncategorised.saturating_add(uncategorised);
        self.untracked = self.untracked.saturating_add(untracked);
        for h in order {
            let Some(mut g) = groups.remove(&h) else { continue };
            g.first_seen = g.first_seen.saturating_add(self.seen);
            if let Some(mine) = self.groups.get_mut(&h) {
                mine.merge(g);
            } else if self.room_for(h) {
                self.order.insert(h);
                self.groups.insert(h, g);
            } else {
                self.untracked = self.untracked.saturating_add(g.count());
            }
        }
        self.seen = self.seen.saturating_add(seen);
    }

    /// Failures per failure category, in declared order, then the uncategorised ones; empty
    /// when report.yaml declares no category.
    pub fn category_counts(&self) -> Vec<CategoryCount> {
        if self.categories.is_empty() {
            return Vec::new();
        }
        let mut out: Vec<CategoryCount> = self
            .categories
            .iter()
            .zip(&self.per_category)
            .map(|(c, &n)| CategoryCount { name: c.name.clone(), failures: n, uncategorised: false })
            .collect();
        out.push(CategoryCount {
            name: UNCATEGORISED.into(),
            failures: self.uncategorised,
            uncategorised: true,
        });
        out
    }

    /// The groups as the report shows them.
    pub fn view(&self) -> CausesView {
        let mut multi: Vec<&Group> = self.groups.values().filter(|g| g.count() >= 2).collect();
        // Largest first; equal sizes by signature, so the order never depends on reading.
        multi.sort_by(|a, b| b.count().cmp(&a.count()).then_with(|| a.signature.cmp(&b.signature)));
        let groups_total = multi.len() as u64;
        let groups: Vec<FailureGroup> = multi.iter().take(GROUPS_SHOWN).map(|g| self.group_view(g)).collect();
        let grouped_failures = groups.iter().map(|g| g.count).fold(0u64, u64::saturating_add);
        let mut singles: Vec<&Group> = self.groups.values().filter(|g| g.count() == 1).collect();
        singles.sort_by_key(|g| g.first_seen);
        let singles_total = singles.len() as u64;
        let singles: Vec<FailedCase> =
            singles.into_iter().take(FAILURES_KEPT).map(|g| g.example.clone()).collect();
        let listed = grouped_failures.saturating_add(singles.len() as u64);
        CausesView {
            groups_omitted: groups_total.saturating_sub(groups.len() as u64),
            groups,
            groups_total,
            grouped_failures,
            singles_omitted: singles_total.saturating_sub(singles.len() as u64),
            singles,
            unlisted: self.seen.saturating_sub(listed),
            untracked: self.untracked,
            signatures: self.groups.len() as u64,
        }
    }

    fn group_view(&self, g: &Group) -> FailureGroup {
        FailureGroup {
            signature: g.signature.clone(),
            headline: g.example.message.clone(),
            count: g.count(),
            failures: g.failures,
            errors: g.errors,
            suites: g.suites.len() as u64,
            suites_more: g.suites_more,
            classes: g.classes.len() as u64,
            category: g.category.and_then(|c| self.categories.get(c)).map(|c| c.name.clone()),
            example: g.example.clone(),
            members: g.members.clone(),
            members_omitted: g.members_omitted,
        }
    }
}

/// Counts a member into `g`; `place` is the hash of its suite and of its suite and classname.
fn count_member(g: &mut Group, case: &TestCase, place: (u64, Option<u64>)) {
    if case.outcome == Outcome::Error {
        g.errors = g.errors.saturating_add(1);
    } else {
        g.failures = g.failures.saturating_add(1);
    }
    if g.last_place != place || g.count() == 1 {
        g.add_suite(place.0);
        if let Some(c) = place.1 {
            g.add_class(c);
        }
        g.last_place = place;
    }
    if g.members.len() < MEMBERS_KEPT {
        g.members.push(GroupMember {
            name: case.name.clone(),
            suite: case.suite.clone(),
            classname: case.classname.clone(),
            location: super::evidence::location(case),
            outcome: case.outcome,
        });
    } else {
        g.members_omitted = g.members_omitted.saturating_add(1);
    }
}

/// Failures of one failure category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    pub name: String,
    pub failures: u64,
    /// The entry for failures no category matched.
    pub uncategorised: bool,
}

/// Failures that share a signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureGroup {
    /// The normalised headline (and frame) the members share.
    pub signature: String,
    /// The first member's headline, as the runner wrote it.
    pub headline: Option<String>,
    /// Failures plus errors.
    pub count: u64,
    pub failures: u64,
    pub errors: u64,
    /// Distinct suites among the members (at most 1,000 counted: `suites_more` beyond).
    pub suites: u64,
    pub suites_more: bool,
    /// Distinct classnames (within their suites) among the members, at most 1,000 counted; 0
    /// when the results name none.
    pub classes: u64,
    /// The failure category of its first member, when report.yaml declares categories.
    pub category: Option<String>,
    /// The first member, with the details that explain it.
    pub example: FailedCase,
    /// The first members, in reading order.
    pub members: Vec<GroupMember>,
    pub members_omitted: u64,
}

/// Failures grouped by cause, as the report shows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CausesView {
    /// Groups of two or more failures, largest first (ties by signature), the first 20.
    pub groups: Vec<FailureGroup>,
    /// Groups of two or more failures in all.
    pub groups_total: u64,
    pub groups_omitted: u64,
    /// Failures in the groups listed.
    pub grouped_failures: u64,
    /// Failures alone in their signature, in reading order: the first 50.
    pub singles: Vec<FailedCase>,
    pub singles_omitted: u64,
    /// Failures neither in a listed group nor listed alone.
    pub unlisted: u64,
    /// Failures whose signature was not tracked (beyond 5,000 signatures).
    pub untracked: u64,
    /// Signatures tracked.
    pub signatures: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forward scan `repo_frame` replaced, kept as the oracle: the first repository `at`
    /// frame, else the last repository Python frame or location line.
    fn repo_frame_forward(text: &str) -> Option<String> {
        let outside = |t: &str| LIBRARY.iter().any(|l| t.contains(l));
        let mut last_python: Option<&str> = None;
        for line in text.lines() {
            let t = line.trim();
            if let Some(frame) = t.strip_prefix("at ") {
                if outside(t) {
                    continue;
                }
                let place = frame.rsplit_once('(').and_then(|(_, p)| p.strip_suffix(')')).unwrap_or(frame);
                return Some(normalise(place));
            }
            if let Some(rest) = t.strip_prefix("File \"")
                && let Some((path, _)) = rest.split_once('"')
            {
                if !outside(t) {
                    last_python = Some(path);
                }
            } else if pytest_location(t).is_some() && !outside(t) {
                last_python = Some(t);
            }
        }
        last_python.map(normalise)
    }

    #[test]
    fn repo_frame_agrees_with_the_forward_scan_on_every_mix_of_frames() {
        let kinds = [
            "    at demo.ApiTest.t1(ApiTest.java:9)",
            "    at org.junit.Assert.fail(Assert.java:89)",
            "  File \"/app/tests/test_db.py\", line 12, in test_x",
            "  File \"/usr/lib/python3/site-packages/_pytest/runner.py\", line 3, in call",
            "  File \"/app/unclosed.py, line 4",
            "tests/test_api.py:41: AssertionError",
            "/home/u/.cargo/registry/src/x.rs:7: panicked",
            "E   assert 1 == 2",
        ];
        let mut checked = 0;
        for len in 0..=4u32 {
            for mut code in 0..kinds.len().pow(len) {
                let mut lines = vec!["Headline: something broke"];
                for _ in 0..len {
                    lines.push(kinds[code % kinds.len()]);
                    code /= kinds.len();
                }
                let text = lines.join("\n");
                assert_eq!(repo_frame(&text), repo_frame_forward(&text), "{text}");
                checked += 1;
            }
        }
        assert_eq!(checked, 1 + 8 + 64 + 512 + 4096);
    }

    #[test]
    fn placeholders() {
        let cases = [
            ("Connection refused: 127.0.0.1:5432", "Connection refused: <n>:<n>"),
            ("object at 0x7f3a9c2e1b40 has no attribute", "object at <hex> has no attribute"),
            ("id 123e4567-e89b-12d3-a456-426614174000 missing", "id <uuid> missing"),
            ("at 2026-12-02T08:30:17.123+01:00 timed out", "at <ts> timed out"),
            ("at 2026-12-02 08:30:17Z timed out", "at <ts> timed out"),
            ("started 08:30:17.5, gave up", "started <ts>, gave up"),
            ("no such file: /tmp/pytest-of-ci/pytest-3/test_a0/out.txt", "no such file: <tmp>"),
            ("open /var/folders/x1/T/tmpab12/f.json: denied", "open <tmp>: denied"),
            (r"cannot read C:\Users\ci\AppData\Local\Temp\tmp12.txt", "cannot read <tmp>"),
            ("KeyError: 'user_42'", "KeyError: <q>"),
            ("assert \"abc1\" == \"abd2\"", "assert <q> == <q>"),
            (
                "failed on setup with \"OSError: [Errno 98] in use\"",
                "failed on setup with \"OSError: [Errno <n>] in use\"",
            ),
            ("commit deadbeef01 not found", "commit <hex> not found"),
            ("  took   1.25s   of  3s ", "took <n>s of <n>s"),
            ("user_123 and test2", "user_<n> and test<n>"),
            ("don't stop 'til done", "don't stop 'til done"),
            ("Überprüfung 12 fehlgeschlagen", "Überprüfung <n> fehlgeschlagen"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(normalise(input), want, "{input}");
        }
    }

    #[test]
    fn port_numbers_and_temp_paths_group_together() {
        let a = signature(Some("ConnectionRefusedError: [Errno 111] connect to localhost:5432 refused\n..."));
        let b = signature(Some("ConnectionRefusedError: [Errno 111] connect to localhost:6543 refused"));
        assert_eq!(a, b);
        assert_eq!(a, "ConnectionRefusedError: [Errno <n>] connect to localhost:<n> refused");
        let c = signature(Some("FileNotFoundError: /tmp/pytest-of-a/pytest-1/test_x0/data.csv"));
        let d = signature(Some("FileNotFoundError: /tmp/pytest-of-b/pytest-7/test_y3/data.csv"));
        assert_eq!(c, d);
        assert_ne!(a, c);
    }

    #[test]
    fn a_bare_type_is_told_apart_by_its_frame() {
        let trace = |helper: &str| {
            format!(
                "AssertionError\nTraceback (most recent call last):\n  File \"/usr/lib/python3.12/unittest/case.py\", line 58, in testPartExecutor\n  File \"/home/ci/repo/tests/{helper}.py\", line 12, in check\n    assert ok\nAssertionError"
            )
        };
        let a = signature(Some(&trace("helpers")));
        assert_eq!(a, "AssertionError @ /home/ci/repo/tests/helpers.py");
        assert_ne!(a, signature(Some(&trace("other"))));
        // Java: the first `at` frame outside the JDK and JUnit.
        let java = "java.lang.NullPointerException\n\tat java.base/java.util.Objects.requireNonNull(Objects.java:233)\n\tat demo.Db.connect(Db.java:41)\n\tat demo.DbTest.t(DbTest.java:9)";
        assert_eq!(signature(Some(java)), "java.lang.NullPointerException @ Db.java:<n>");
        // Go: the location line says what failed there.
        let go = "Failed\n=== RUN   TestAbs\n    mathx_test.go:35: Abs(-4) = -4, want 4\n--- FAIL: TestAbs (0.02s)";
        assert_eq!(signature(Some(go)), "Failed @ mathx_test.go:<n>: Abs(-<n>) = -<n>, want <n>");
        assert_eq!(signature(Some("ValueError: bad input 3")), "ValueError: bad input <n>");
    }

    fn failing(name: &str, suite: &str, message: &str) -> TestCase {
        TestCase {
            suite: suite.into(),
            suite_index: 0,
            name: name.into(),
            classname: None,
            file: None,
            line: None,
            outcome: Outcome::Failed,
            flaky: false,
            duration_s: 0.0,
            runs: 1,
            failed_runs: 1,
            message: Some(message.into()),
        }
    }

    #[test]
    fn groups_largest_first_singletons_apart() {
        let mut c = Causes::default();
        for i in 0..5 {
            c.add(
                &failing(&format!("db{i}"), &format!("s{}", i % 2), &format!("refused on port {}", 5000 + i)),
                "r",
            );
        }
        c.add(&failing("odd", "s", "boom"), "r");
        for i in 0..5 {
            c.add(&failing(&format!("t{i}"), "s", &format!("timeout after {i} s")), "r");
        }
        let v = c.view();
        assert_eq!(v.groups.len(), 2);
        // Equal sizes: by signature.
        assert_eq!(v.groups[0].signature, "refused on port <n>");
        assert_eq!((v.groups[0].count, v.groups[0].suites), (5, 2));
        assert_eq!(v.groups[0].headline.as_deref(), Some("refused on port 5000"));
        assert_eq!(v.groups[1].signature, "timeout after <n> s");
        assert_eq!(v.singles.len(), 1);
        assert_eq!(v.singles[0].name, "odd");
        assert_eq!((v.grouped_failures, v.unlisted), (10, 0));
    }

    #[test]
    fn merged_parts_equal_one_pass_even_when_full() {
        // More signatures than are tracked: the kept set and counts must not depend on chunks.
        let cases: Vec<TestCase> = (0..GROUPS_TRACKED * 2)
            .map(|i| {
                failing(&format!("t{i}"), "s", &format!("cause {} of {}", i % (GROUPS_TRACKED + 300), i % 7))
            })
            .map(|mut c| {
                // Letters, not digits, so each cause is its own signature.
                let m = c.message.take().unwrap_or_default();
                c.message = Some(
                    m.bytes()
                        .map(|b| if b.is_ascii_digit() { b'a' + (b - b'0') } else { b } as char)
                        .collect(),
                );
                c
            })
            .collect();
        let mut one = Causes::default();
        cases.iter().for_each(|c| one.add(c, "r"));
        let mut merged = Causes::default();
        for chunk in cases.chunks(997) {
            let mut part = Causes::default();
            chunk.iter().for_each(|c| part.add(c, "r"));
            merged.merge(part);
        }
        assert_eq!(merged.view(), one.view());
        assert!(one.view().untracked > 0);
    }

    #[test]
    fn first_matching_category_wins() {
        let cat = |name: &str, m: Option<&str>, t: Option<&str>| FailureCategory {
            name: name.into(),
            message: m.map(|p| compile(p).unwrap()),
            trace: t.map(|p| compile(p).unwrap()),
        };
        let cats = vec![
            cat("Infrastructure", Some("(?i)connection|timeout"), None),
            cat("Network", Some("Connection"), None),
            cat("Test bug", None, Some("conftest\\.py")),
            cat("Both", Some("^KeyError"), Some("models\\.py")),
        ];
        assert_eq!(classify(&cats, Some("ConnectionRefusedError: refused")), Some(0));
        assert_eq!(classify(&cats, Some("boom\n  File \"tests/conftest.py\", line 3")), Some(2));
        // The message regex looks at the headline only.
        assert_eq!(classify(&cats, Some("boom\nconnection lost later")), None);
        assert_eq!(classify(&cats, Some("KeyError: 'x'\n  File \"app/models.py\"")), Some(3));
        assert_eq!(classify(&cats, Some("KeyError: 'x'\n  File \"app/views.py\"")), None);
        let mut c = Causes::with_categories(Arc::new(cats));
        c.add(&failing("a", "s", "Connection refused"), "r");
        c.add(&failing("b", "s", "nothing known"), "r");
        let counts = c.category_counts();
        assert_eq!(
            counts.iter().map(|c| (c.name.as_str(), c.failures)).collect::<Vec<_>>(),
            [("Infrastructure", 1), ("Network", 0), ("Test bug", 0), ("Both", 0), ("uncategorised", 1)]
        );
        assert_eq!(c.view().singles.len(), 2);
    }
}
