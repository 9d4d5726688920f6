//! Aggregating measured test cases, streamed from result files, into per-category figures.
//!
//! Nothing here keeps every case: counts are summed as cases arrive, and only a bounded number of
//! failures and of the slowest cases are retained, so memory grows with what the report shows.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::results::{CaseSink, Finding, Outcome, TestCase};

pub use super::locate::Locator;

/// Failures kept per bucket (category, uncategorised, total); the rest are counted.
pub const FAILURES_KEPT: usize = 50;
/// Flaky and skipped cases kept per bucket, each; the rest are counted.
pub const LISTED_KEPT: usize = 50;
/// Slowest cases kept per bucket.
pub const SLOWEST_KEPT: usize = 10;
/// Lines of a failure's details kept for the report (the useful part, see [`excerpt`]).
pub const DETAIL_LINES: usize = 25;
/// Characters of a failure's headline or a skip reason kept.
pub const HEADLINE_CHARS: usize = 300;

/// Counts of measured test cases. One `<testcase>` (or CTRF/libtest test) is one test.
/// Serialised with [`Measured::failed_total`] and [`Measured::status`] beside the counts, so
/// that no template or JSON reader adds figures or derives a status itself.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Measured {
    /// Test cases counted.
    pub tests: u64,
    /// Cases that passed (flaky ones included).
    pub passed: u64,
    /// Cases whose most severe result is a failure.
    pub failures: u64,
    /// Cases whose most severe result is an error.
    pub errors: u64,
    /// Cases skipped or disabled.
    pub skipped: u64,
    /// Cases that passed only on a rerun.
    pub flaky: u64,
    /// Sum of the cases' durations, in seconds.
    pub duration_s: f64,
}

impl Measured {
    /// Failures plus errors.
    pub fn failed_total(&self) -> u64 {
        self.failures.saturating_add(self.errors)
    }

    /// What these cases say on their own: ❌ when one failed or errored, ➖ when none was
    /// counted, else ✅.
    pub fn status(&self) -> super::Status {
        if self.failed_total() > 0 {
            super::Status::Fail
        } else if self.tests == 0 {
            super::Status::NotRun
        } else {
            super::Status::Ok
        }
    }

    fn add_case(&mut self, case: &TestCase) {
        self.tests = self.tests.saturating_add(1);
        let count = match case.outcome {
            Outcome::Passed => &mut self.passed,
            Outcome::Failed => &mut self.failures,
            Outcome::Error => &mut self.errors,
            Outcome::Skipped => &mut self.skipped,
        };
        *count = count.saturating_add(1);
        if case.flaky {
            self.flaky = self.flaky.saturating_add(1);
        }
        if case.duration_s.is_finite() && case.duration_s > 0.0 {
            self.duration_s += case.duration_s;
        }
    }
}

impl Measured {
    /// Adds `o`'s counts (saturating: counts of cases read never reach `u64::MAX`, but a
    /// bound here costs nothing).
    pub fn absorb(&mut self, o: Self) {
        self.tests = self.tests.saturating_add(o.tests);
        self.passed = self.passed.saturating_add(o.passed);
        self.failures = self.failures.saturating_add(o.failures);
        self.errors = self.errors.saturating_add(o.errors);
        self.skipped = self.skipped.saturating_add(o.skipped);
        self.flaky = self.flaky.saturating_add(o.flaky);
        self.duration_s += o.duration_s;
    }
}

/// A failing case as the report shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailedCase {
    pub name: String,
    pub suite: String,
    pub classname: Option<String>,
    /// `file:line` when known, else the file, else `null`.
    pub location: Option<String>,
    /// `failed` or `error`.
    pub outcome: Outcome,
    /// The failure's one-line headline (its message), at most [`HEADLINE_CHARS`].
    pub message: Option<String>,
    /// The part of the failure's text that explains it (see [`excerpt`]), without repeating the
    /// headline; `null` when the headline is all there is.
    pub details: Option<String>,
    /// Runs of the test and how many failed (reruns), e.g. 3 and 3.
    pub runs: u32,
    pub failed_runs: u32,
    /// The results file it came from.
    pub source: String,
}

/// A test that passed only after failing: named, with its run history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlakyCase {
    pub name: String,
    pub suite: String,
    pub classname: Option<String>,
    pub location: Option<String>,
    pub runs: u32,
    pub failed_runs: u32,
    /// "failed 2 of 3 runs, passed last".
    pub history: String,
    /// The failure that made it flaky, when the file kept it.
    pub message: Option<String>,
    pub source: String,
}

/// A skipped test and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedCase {
    pub name: String,
    pub suite: String,
    /// The reason the runner gave, when it gave one.
    pub reason: Option<String>,
    pub source: String,
}

/// A slow case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlowCase {
    pub name: String,
    pub suite: String,
    pub duration_s: f64,
}

impl Serialize for Measured {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct View {
            tests: u64,
            passed: u64,
            failures: u64,
            errors: u64,
            skipped: u64,
            flaky: u64,
            duration_s: f64,
            failed_total: u64,
            status: super::Status,
        }
        let m = *self;
        View {
            tests: m.tests,
            passed: m.passed,
            failures: m.failures,
            errors: m.errors,
            skipped: m.skipped,
            flaky: m.flaky,
            duration_s: m.duration_s,
            failed_total: m.failed_total(),
            status: m.status(),
        }
        .serialize(s)
    }
}

/// Everything measured for one category (or for the uncategorised cases, or in total).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Bucket {
    pub measured: Measured,
    /// The first [`FAILURES_KEPT`] failures, in input order.
    pub failed_cases: Vec<FailedCase>,
    /// Failures not kept in `failed_cases`.
    pub failed_omitted: u64,
    /// The first [`LISTED_KEPT`] flaky tests, in input order.
    pub flaky_cases: Vec<FlakyCase>,
    pub flaky_omitted: u64,
    /// The first [`LISTED_KEPT`] skipped tests, in input order.
    pub skipped_cases: Vec<SkippedCase>,
    pub skipped_omitted: u64,
    /// The slowest cases, slowest first.
    pub slowest: Vec<SlowCase>,
    /// The results files its cases came from, with how many each (the first
    /// [`SOURCES_KEPT`], in input order); the rest are counted in `sources_omitted`.
    pub sources: Vec<SourceCount>,
    pub sources_omitted: u64,
}

/// Results files listed per bucket.
pub const SOURCES_KEPT: usize = 20;

/// Suites listed in the results summary; the others are added up in one row.
pub const SUITES_KEPT: usize = 1000;

/// Findings from result files kept; the rest are counted.
pub const FINDINGS_KEPT: usize = 100;

/// Counts per suite, bounded: the [`SUITES_KEPT`] suites whose names sort first, and one sum of
/// all the others. Which suites are kept depends only on their names, never on the order the
/// files were read in or how they were split across threads, so the output is deterministic;
/// and a suite once dropped for a smaller name never comes back, so every kept suite's figures
/// are complete. (A million one-case suites cost a thousand entries.)
#[derive(Debug, Default)]
pub struct SuiteTable {
    kept: HashMap<String, Measured>,
    /// The kept names, sorted: the largest is the one to drop.
    order: std::collections::BTreeSet<String>,
    /// Every case of a suite not kept.
    pub others: Measured,
}

impl SuiteTable {
    fn add_case(&mut self, case: &TestCase) {
        if let Some(m) = self.kept.get_mut(case.suite.as_str()) {
            m.add_case(case);
            return;
        }
        let mut m = Measured::default();
        m.add_case(case);
        self.add(&case.suite, m);
    }

    fn add(&mut self, name: &str, m: Measured) {
        if let Some(k) = self.kept.get_mut(name) {
            k.absorb(m);
            return;
        }
        if self.kept.len() >= SUITES_KEPT {
            let largest = self.order.last().cloned();
            match largest {
                Some(l) if name < l.as_str() => {
                    self.order.remove(&l);
                    if let Some(dropped) = self.kept.remove(&l) {
                        self.others.absorb(dropped);
                    }
                }
                _ => {
                    self.others.absorb(m);
                    return;
                }
            }
        }
        self.order.insert(name.to_string());
        self.kept.insert(name.to_string(), m);
    }

    fn merge(&mut self, other: SuiteTable) {
        let SuiteTable { mut kept, order, others } = other;
        for name in order {
            if let Some(m) = kept.remove(&name) {
                self.add(&name, m);
            }
        }
        self.others.absorb(others);
    }
}

/// How many of a bucket's cases came from one results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceCount {
    pub file: String,
    pub cases: u64,
}

impl Bucket {
    /// Adds `other`, which holds cases read after this bucket's.
    pub fn merge(&mut self, other: Bucket) {
        self.measured.absorb(other.measured);
        append_bounded(
            &mut self.failed_cases,
            &mut self.failed_omitted,
            other.failed_cases,
            other.failed_omitted,
            FAILURES_KEPT,
        );
        append_bounded(
            &mut self.flaky_cases,
            &mut self.flaky_omitted,
            other.flaky_cases,
            other.flaky_omitted,
            LISTED_KEPT,
        );
        append_bounded(
            &mut self.skipped_cases,
            &mut self.skipped_omitted,
            other.skipped_cases,
            other.skipped_omitted,
            LISTED_KEPT,
        );
        for s in other.sources {
            if let Some(m) = self.sources.iter_mut().find(|m| m.file == s.file) {
                m.cases = m.cases.saturating_add(s.cases);
            } else if self.sources.len() < SOURCES_KEPT {
                self.sources.push(s);
            } else {
                self.sources_omitted = self.sources_omitted.saturating_add(s.cases);
            }
        }
        self.sources_omitted = self.sources_omitted.saturating_add(other.sources_omitted);
        for s in other.slowest {
            // Strictly slower only: on ties the earlier case stays first, as when read in order.
            let at =
                self.slowest.iter().position(|x| x.duration_s < s.duration_s).unwrap_or(self.slowest.len());
            if at < SLOWEST_KEPT {
                self.slowest.insert(at, s);
                self.slowest.truncate(SLOWEST_KEPT);
            }
        }
    }

    fn count_source(&mut self, source: &str) {
        // Cases come file by file: the last entry is almost always the one.
        if let Some(s) = self.sources.iter_mut().rev().find(|s| s.file == source) {
            s.cases = s.cases.saturating_add(1);
        } else if self.sources.len() < SOURCES_KEPT {
            self.sources.push(SourceCount { file: source.to_string(), cases: 1 });
        } else {
            self.sources_omitted = self.sources_omitted.saturating_add(1);
        }
    }

    fn add(&mut self, case: &TestCase, source: &str) {
        self.measured.add_case(case);
        self.count_source(source);
        match case.outcome {
            Outcome::Failed | Outcome::Error => {
                push_bounded(&mut self.failed_cases, &mut self.failed_omitted, FAILURES_KEPT, || {
                    failed_case(case, source)
                });
            }
            Outcome::Skipped => {
                push_bounded(&mut self.skipped_cases, &mut self.skipped_omitted, LISTED_KEPT, || {
                    SkippedCase {
                        name: case.name.clone(),
                        suite: case.suite.clone(),
                        reason: case.message.as_deref().and_then(first_line),
                        source: source.to_string(),
                    }
                });
            }
            Outcome::Passed if case.flaky => {
                push_bounded(&mut self.flaky_cases, &mut self.flaky_omitted, LISTED_KEPT, || {
                    flaky_case(case, source)
                });
            }
            Outcome::Passed => {}
        }
        keep_slowest(&mut self.slowest, case);
    }
}

/// Keeps the first `max` items made by `make`, counting the rest (no clone for those).
fn push_bounded<T>(list: &mut Vec<T>, omitted: &mut u64, max: usize, make: impl FnOnce() -> T) {
    if list.len() < max {
        list.push(make());
    } else {
        *omitted = omitted.saturating_add(1);
    }
}

/// Appends `other` (read after `list`) as if pushed one by one.
fn append_bounded<T>(list: &mut Vec<T>, omitted: &mut u64, other: Vec<T>, other_omitted: u64, max: usize) {
    let room = max.saturating_sub(list.len());
    let extra = other.len().saturating_sub(room) as u64;
    list.extend(other.into_iter().take(room));
    *omitted = omitted.saturating_add(other_omitted).saturating_add(extra);
}

pub(super) fn location(case: &TestCase) -> Option<String> {
    match (&case.file, case.line) {
        (Some(f), Some(l)) => Some(format!("{f}:{l}")),
        (Some(f), None) => Some(f.clone()),
        _ => None,
    }
}

/// The first non-blank line of `text`, bounded to [`HEADLINE_CHARS`].
fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(bounded_chars(line, HEADLINE_CHARS))
}

fn bounded_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn flaky_case(case: &TestCase, source: &str) -> FlakyCase {
    let runs = case.runs.max(2);
    let failed = case.failed_runs.clamp(1, runs.saturating_sub(1));
    FlakyCase {
        name: case.name.clone(),
        suite: case.suite.clone(),
        classname: case.classname.clone(),
        location: location(case),
        runs,
        failed_runs: failed,
        history: format!("failed {failed} of {runs} runs, passed last"),
        message: case.message.as_deref().and_then(first_line),
        source: source.to_string(),
    }
}

pub(super) fn failed_case(case: &TestCase, source: &str) -> FailedCase {
    let (message, details) = match case.message.as_deref() {
        Some(text) => headline_and_details(text),
        None => (None, None),
    };
    FailedCase {
        name: case.name.clone(),
        suite: case.suite.clone(),
        classname: case.classname.clone(),
        location: location(case),
        outcome: case.outcome,
        message,
        details,
        runs: case.runs,
        failed_runs: case.failed_runs,
        source: source.to_string(),
    }
}

/// Splits a failure text into its headline (the first line: the runner's message) and the
/// details that explain it, said once: a body line that merely repeats the headline (Java
/// traces start with `Exception: <message>`) is dropped.
pub fn headline_and_details(text: &str) -> (Option<String>, Option<String>) {
    let mut lines = text.lines().skip_while(|l| l.trim().is_empty());
    let Some(first) = lines.next() else { return (None, None) };
    let head = first.trim();
    let mut body: Vec<&str> = lines.collect();
    // `Exception: <message>` (Java) repeats the headline at the end of the body's first line.
    if body.first().is_some_and(|l| head.chars().count() >= 8 && l.trim_end().ends_with(head)) {
        body.remove(0);
    }
    while body.first().is_some_and(|l| l.trim().is_empty()) {
        body.remove(0);
    }
    let details = excerpt(&body, DETAIL_LINES);
    (Some(bounded_chars(head, HEADLINE_CHARS)), details)
}

/// Lines that explain a failure in the common runners' output: pytest's `E` lines and
/// `file:line: Error`, Rust's `panicked at` and `left:`/`right:`, jest/vitest's
/// Expected/Received diff, JUnit's `expected:`/`but was:`, Go's `_test.go:N:` lines.
fn is_useful(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("E ")
        || t.starts_with("> ")
        || line.contains("panicked at")
        || t.starts_with("left:")
        || t.starts_with("right:")
        || t.starts_with("Expected")
        || t.starts_with("Received")
        || t.starts_with("- Expected")
        || t.starts_with("+ Received")
        || t.starts_with("assertion")
        || t.starts_with("AssertionError")
        || t.contains("expected:")
        || t.contains("but was")
        || t.contains("_test.go:")
        || t.contains("Error: ")
}

/// At most `max` lines of `body` that explain the failure: all of it when short; else the
/// stretch around the useful lines (see [`is_useful`]), else the start and the end — the
/// middle of a long trace is what goes, with a line saying how many lines were left out.
pub fn excerpt(body: &[&str], max: usize) -> Option<String> {
    let body: Vec<&str> = {
        let mut b = body.to_vec();
        while b.last().is_some_and(|l| l.trim().is_empty()) {
            b.pop();
        }
        b
    };
    if body.is_empty() {
        return None;
    }
    if body.len() <= max {
        return Some(body.join("\n"));
    }
    let cut = |n: usize| format!("… ({n} lines left out) …");
    let useful: Vec<usize> = body.iter().enumerate().filter(|(_, l)| is_useful(l)).map(|(i, _)| i).collect();
    let (start, end) = match (useful.first(), useful.last()) {
        (Some(&first), Some(&last)) => {
            let end = last.saturating_add(3).min(body.len());
            (first.saturating_sub(3).max(end.saturating_sub(max.saturating_sub(2))), end)
        }
        _ => {
            let head = 5.min(max / 3);
            let tail = max.saturating_sub(head).saturating_sub(1);
            let mut out: Vec<String> = body[..head].iter().map(|l| l.to_string()).collect();
            let tail_start = body.len().saturating_sub(tail);
            out.push(cut(tail_start.saturating_sub(head)));
            out.extend(body[tail_start..].iter().map(|l| l.to_string()));
            return Some(out.join("\n"));
        }
    };
    let mut out: Vec<String> = Vec::new();
    if start > 0 {
        out.push(cut(start));
    }
    out.extend(body[start..end].iter().map(|l| l.to_string()));
    if end < body.len() {
        out.push(cut(body.len().saturating_sub(end)));
    }
    Some(out.join("\n"))
}

/// Keeps the `SLOWEST_KEPT` slowest cases, slowest first; ties keep input order.
fn keep_slowest(slowest: &mut Vec<SlowCase>, case: &TestCase) {
    let d = case.duration_s;
    if !(d.is_finite() && d > 0.0) {
        return;
    }
    if slowest.len() == SLOWEST_KEPT && slowest.last().is_some_and(|s| s.duration_s >= d) {
        return;
    }
    let at = slowest.iter().position(|s| s.duration_s < d).unwrap_or(slowest.len());
    slowest.insert(at, SlowCase { name: case.name.clone(), suite: case.suite.clone(), duration_s: d });
    slowest.truncate(SLOWEST_KEPT);
}

/// One case kept whole, for `--format ctrf` (the only output that needs every case).
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    pub case: TestCase,
    /// Index of the category the case belongs to.
    pub category: Option<usize>,
}

/// Receives cases from result files and sums them per category.
#[derive(Debug)]
pub struct Aggregator {
    locator: Arc<Locator>,
    /// One bucket per category, in category order.
    pub categories: Vec<Bucket>,
    /// Cases that match no category.
    pub uncategorised: Bucket,
    /// All cases.
    pub total: Bucket,
    /// Counts per suite name (for the results summary), bounded (see [`SuiteTable`]).
    pub suites: SuiteTable,
    /// Disagreements found in the files: the first [`FINDINGS_KEPT`].
    pub findings: Vec<Finding>,
    /// Findings beyond those kept.
    pub findings_omitted: u64,
    /// Category that owns the file being read (from its `results:`), if any.
    owner: Option<usize>,
    source: String,
    /// The file name of `source`.
    source_name: String,
    /// Whether any results file was read at all.
    pub any_results: bool,
    /// Categories that had a `results:` file read, even an empty one.
    pub had_results: Vec<bool>,
    /// Keep every case in `cases` (memory then grows with the cases; only CTRF output asks).
    pub keep_cases: bool,
    pub cases: Vec<CaseRecord>,
    /// Every case, compactly, when a run record or history is asked for (`--record`,
    /// `--history`); `None` otherwise.
    pub tests: Option<super::history::TestLog>,
    /// The current file's cases' summed duration when it began, and its stated duration.
    file_start_duration: f64,
    file_stated: Option<f64>,
    /// One sketch per file read, in order: to notice the same run read twice.
    pub sketches: Vec<FileSketch>,
    /// Failures grouped by signature and counted per failure category.
    pub causes: super::causes::Causes,
}

/// A bounded summary of one file's tests (the [`SKETCH_SIZE`] smallest hashes of trimmed name
/// and outcome, a "bottom-k" sketch), enough to tell that two files hold the same run — say
/// jest-junit and jest-ctrf output of one run — whatever their format, in fixed memory.
#[derive(Debug, Clone, Default)]
pub struct FileSketch {
    pub source: String,
    pub cases: u64,
    /// Sorted, distinct.
    smallest: Vec<u64>,
}

/// Hashes kept per file sketch.
pub const SKETCH_SIZE: usize = 128;

impl FileSketch {
    fn add(&mut self, case: &TestCase) {
        self.cases = self.cases.saturating_add(1);
        // A fixed hash (FNV-1a), not RandomState: the same inputs give the same findings.
        use super::history::{FNV_OFFSET, fnv1a};
        let h = fnv1a(fnv1a(FNV_OFFSET, case.name.trim().as_bytes()), &[0, case.outcome as u8]);
        if self.smallest.len() == SKETCH_SIZE && self.smallest.last().is_some_and(|&m| h >= m) {
            return;
        }
        if let Err(at) = self.smallest.binary_search(&h) {
            self.smallest.insert(at, h);
            self.smallest.truncate(SKETCH_SIZE);
        }
    }

    /// Estimated share of tests the two files have in common (Jaccard similarity of their
    /// name-and-outcome sets), from the union's smallest hashes.
    ///
    /// Both lists are sorted and distinct, so the union's smallest hashes come from one merge:
    /// no allocation, no sort. (Files of equal size are compared pairwise, and 100 of them were
    /// a seventh of reading 100k cases while this sorted a fresh vector per pair.)
    #[allow(clippy::arithmetic_side_effects, reason = "indices and counts below SKETCH_SIZE")]
    pub fn similarity(&self, other: &FileSketch) -> f64 {
        let (a, b) = (&self.smallest, &other.smallest);
        let (mut i, mut j, mut union, mut both) = (0, 0, 0usize, 0usize);
        while union < SKETCH_SIZE {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    both += 1;
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => i += 1,
                (Some(_), None) => i += 1,
                (_, Some(_)) => j += 1,
                (None, None) => break,
            }
            union += 1;
        }
        if union == 0 {
            return 0.0;
        }
        both as f64 / union as f64
    }
}

/// Pairs of files that look like the same run read twice: the same number of tests, and
/// (nearly) the same test names with the same outcomes.
pub fn duplicate_runs(sketches: &[FileSketch]) -> Vec<(&FileSketch, &FileSketch)> {
    let mut by_count: std::collections::BTreeMap<u64, Vec<&FileSketch>> = std::collections::BTreeMap::new();
    for s in sketches.iter().filter(|s| s.cases >= 3) {
        by_count.entry(s.cases).or_default().push(s);
    }
    let mut out = Vec::new();
    for group in by_count.values() {
        for (i, a) in group.iter().enumerate() {
            if let Some(b) = group[i..].iter().skip(1).find(|b| a.similarity(b) >= 0.9) {
                out.push((*a, *b));
            }
        }
    }
    out
}

impl Aggregator {
    /// An aggregator for `n` categories matched by `locator`.
    pub fn new(n: usize, locator: Arc<Locator>) -> Self {
        Self {
            locator,
            categories: vec![Bucket::default(); n],
            uncategorised: Bucket::default(),
            total: Bucket::default(),
            suites: SuiteTable::default(),
            findings_omitted: 0,
            findings: Vec::new(),
            owner: None,
            source: String::new(),
            source_name: String::new(),
            any_results: false,
            had_results: vec![false; n],
            keep_cases: false,
            cases: Vec::new(),
            tests: None,
            file_start_duration: 0.0,
            file_stated: None,
            sketches: Vec::new(),
            causes: super::causes::Causes::default(),
        }
    }

    /// Adds `other`, which read the files after this one's, as if one aggregator read them all.
    pub fn merge(&mut self, other: Aggregator) {
        for (mine, theirs) in self.categories.iter_mut().zip(other.categories) {
            mine.merge(theirs);
        }
        self.uncategorised.merge(other.uncategorised);
        self.total.merge(other.total);
        self.suites.merge(other.suites);
        append_bounded(
            &mut self.findings,
            &mut self.findings_omitted,
            other.findings,
            other.findings_omitted,
            FINDINGS_KEPT,
        );
        self.any_results |= other.any_results;
        for (mine, theirs) in self.had_results.iter_mut().zip(other.had_results) {
            *mine |= theirs;
        }
        self.cases.extend(other.cases);
        self.sketches.extend(other.sketches);
        self.causes.merge(other.causes);
        if let (Some(mine), Some(theirs)) = (self.tests.as_mut(), other.tests) {
            mine.merge(theirs);
        }
    }

    /// The suites kept, sorted by name.
    pub fn sorted_suites(&self) -> Vec<(&String, &Measured)> {
        self.suites.order.iter().filter_map(|n| self.suites.kept.get(n).map(|m| (n, m))).collect()
    }

    /// Starts a new results file; its cases go to `owner` when set, else by location.
    pub fn begin_file(&mut self, source: &str, owner: Option<usize>) {
        self.file_start_duration = self.total.measured.duration_s;
        self.file_stated = None;
        self.sketches.push(FileSketch { source: source.to_string(), ..FileSketch::default() });
        self.source = source.to_string();
        // Once per file, not per case: the label of the file's unnamed suites.
        self.source_name = std::path::Path::new(source)
            .file_name()
            .map_or_else(|| source.to_string(), |n| n.to_string_lossy().into_owned());
        self.owner = owner;
        self.any_results = true;
        if let Some(o) = owner
            && let Some(h) = self.had_results.get_mut(o)
        {
            *h = true;
        }
    }
}

impl Aggregator {
    /// Ends the current file: when the file stated a longer duration than its cases add up to
    /// (rounded or missing per-case times), the total takes the stated one.
    pub fn end_file(&mut self) {
        let summed = self.total.measured.duration_s - self.file_start_duration;
        if let Some(stated) = self.file_stated.take()
            && stated > summed
        {
            self.total.measured.duration_s += stated - summed;
        }
    }
}

/// Longest name, classname, suite or file kept, in bytes: a 70 MB test name must not become a
/// 70 MB report (or a 70 MB key in every table).
pub const NAME_LIMIT: usize = 1024;

/// `s` cut to [`NAME_LIMIT`] bytes (at a char boundary) with its full length noted.
fn bound_name(s: &mut String) {
    if s.len() <= NAME_LIMIT {
        return;
    }
    let mut cut = NAME_LIMIT;
    while !s.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    let full = s.len();
    s.truncate(cut);
    s.push_str(&format!("… ({} bytes)", crate::words::thousands(full as u128)));
}

/// Longest time a test case may take, in seconds (about 31.7 years): a larger `time` is as
/// invalid as `NaN` or `-5` and counts as 0 s, so that sums stay finite and exact enough to
/// print, and no output shows `inf` or a `null` duration.
pub const MAX_CASE_SECONDS: f64 = 1e9;

fn bounded_seconds(s: f64) -> f64 {
    if s.is_finite() && (0.0..=MAX_CASE_SECONDS).contains(&s) { s } else { 0.0 }
}

impl CaseSink for Aggregator {
    fn case(&mut self, mut case: TestCase) {
        case.duration_s = bounded_seconds(case.duration_s);
        bound_name(&mut case.name);
        bound_name(&mut case.suite);
        for s in [&mut case.classname, &mut case.file].into_iter().flatten() {
            bound_name(s);
        }
        if case.suite.is_empty() {
            // libtest and some jest files name no suite: the file and the suite's place in it
            // tell the reader where to look.
            case.suite = format!("{} · suite {}", self.source_name, u64::from(case.suite_index) + 1);
        }
        let idx = self.owner.or_else(|| self.locator.locate(&case)).filter(|&i| i < self.categories.len());
        match idx.and_then(|i| self.categories.get_mut(i)) {
            Some(b) => b.add(&case, &self.source),
            None => self.uncategorised.add(&case, &self.source),
        }
        self.total.add(&case, &self.source);
        self.causes.add(&case, &self.source);
        if let Some(sketch) = self.sketches.last_mut() {
            sketch.add(&case);
        }
        self.suites.add_case(&case);
        if let Some(log) = self.tests.as_mut() {
            log.push(&case, &self.source, idx);
        }
        if self.keep_cases {
            self.cases.push(CaseRecord { case, category: idx });
        }
    }

    fn finding(&mut self, finding: Finding) {
        push_bounded(&mut self.findings, &mut self.findings_omitted, FINDINGS_KEPT, || finding);
    }

    fn stated_duration(&mut self, seconds: f64) {
        self.file_stated = Some(bounded_seconds(seconds));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_similarity_is_the_union_sort_it_replaced() {
        fn by_sorting(a: &[u64], b: &[u64]) -> f64 {
            let mut union: Vec<u64> = a.iter().chain(b).copied().collect();
            union.sort_unstable();
            union.dedup();
            union.truncate(SKETCH_SIZE);
            if union.is_empty() {
                return 0.0;
            }
            let both =
                union.iter().filter(|h| a.binary_search(h).is_ok() && b.binary_search(h).is_ok()).count();
            both as f64 / union.len() as f64
        }
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |m: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % m
        };
        for round in 0..2000 {
            // Small value ranges make shared hashes common; lengths from empty to full.
            let range = [4, 50, 300, 1 << 40][round % 4];
            let mut sketch = || {
                let n = next(200);
                let mut v: Vec<u64> = (0..n).map(|_| next(range)).collect();
                v.sort_unstable();
                v.dedup();
                v.truncate(SKETCH_SIZE);
                FileSketch { source: String::new(), cases: v.len() as u64, smallest: v }
            };
            let (a, b) = (sketch(), sketch());
            assert_eq!(a.similarity(&b), by_sorting(&a.smallest, &b.smallest), "{a:?} {b:?}");
            assert_eq!(a.similarity(&a), if a.smallest.is_empty() { 0.0 } else { 1.0 });
        }
    }

    fn case(name: &str, file: Option<&str>, classname: Option<&str>, outcome: Outcome, d: f64) -> TestCase {
        TestCase {
            suite: "s".into(),
            suite_index: 0,
            name: name.into(),
            classname: classname.map(str::to_string),
            file: file.map(str::to_string),
            line: None,
            outcome,
            flaky: false,
            duration_s: d,
            runs: 1,
            failed_runs: u32::from(matches!(outcome, Outcome::Failed | Outcome::Error)),
            message: None,
        }
    }

    #[test]
    fn measured_counts_each_outcome_once() {
        let mut m = Measured::default();
        for o in [Outcome::Passed, Outcome::Failed, Outcome::Error, Outcome::Skipped, Outcome::Passed] {
            m.add_case(&case("t", None, None, o, 0.5));
        }
        assert_eq!((m.tests, m.passed, m.failures, m.errors, m.skipped), (5, 2, 1, 1, 1));
        assert_eq!(m.failed_total(), 2);
        assert!((m.duration_s - 2.5).abs() < 1e-9);
    }

    #[test]
    fn failures_are_bounded_and_counted() {
        let mut b = Bucket::default();
        for i in 0..(FAILURES_KEPT + 7) {
            b.add(&case(&format!("t{i}"), None, None, Outcome::Failed, 0.0), "r.xml");
        }
        assert_eq!(b.failed_cases.len(), FAILURES_KEPT);
        assert_eq!(b.failed_omitted, 7);
        assert_eq!(b.measured.failures, (FAILURES_KEPT + 7) as u64);
    }

    #[test]
    fn slowest_are_sorted_and_bounded() {
        let mut b = Bucket::default();
        for i in 0..30 {
            b.add(&case(&format!("t{i}"), None, None, Outcome::Passed, f64::from(i % 13)), "r");
        }
        assert_eq!(b.slowest.len(), SLOWEST_KEPT);
        assert_eq!(b.slowest[0].duration_s, 12.0);
        assert!(b.slowest.windows(2).all(|w| w[0].duration_s >= w[1].duration_s));
    }

    #[test]
    fn failures_keep_the_headline_and_the_useful_end() {
        // A pytest failure: the message attribute, then the traceback with its `E` lines last.
        let mut c = case("t", None, None, Outcome::Failed, 0.0);
        let mut text = vec!["AssertionError: assert 1 == 2".to_string()];
        text.extend((1..=40).map(|i| format!("    frame {i}")));
        text.extend([
            "E       AssertionError: assert 1 == 2".into(),
            "E        +  where 1 = f()".into(),
            "".into(),
            "test_x.py:10: AssertionError".into(),
        ]);
        c.message = Some(text.join("\n"));
        let f = failed_case(&c, "r");
        assert_eq!(f.message.as_deref(), Some("AssertionError: assert 1 == 2"));
        let d = f.details.unwrap();
        let lines: Vec<&str> = d.lines().collect();
        assert!(lines.len() <= DETAIL_LINES, "{d}");
        assert_eq!(lines[0], "… (37 lines left out) …");
        assert_eq!(
            &lines[lines.len() - 4..],
            [
                "E       AssertionError: assert 1 == 2",
                "E        +  where 1 = f()",
                "",
                "test_x.py:10: AssertionError"
            ]
        );
        // A Java trace repeating the message on its first line says it once.
        let (head, details) = headline_and_details(
            "expected: <1> but was: <2>\norg.opentest4j.AssertionFailedError: expected: <1> but was: <2>\n\tat demo.T.t(T.java:9)",
        );
        assert_eq!(head.as_deref(), Some("expected: <1> but was: <2>"));
        assert_eq!(details.as_deref(), Some("\tat demo.T.t(T.java:9)"));
        // No useful line: the start and the end, the middle cut.
        let body: Vec<String> = (1..=100).map(|i| format!("line {i}")).collect();
        let refs: Vec<&str> = body.iter().map(String::as_str).collect();
        let e = excerpt(&refs, 25).unwrap();
        assert_eq!(e.lines().count(), 25);
        assert!(
            e.starts_with("line 1\n") && e.ends_with("line 100") && e.contains("… (76 lines left out) …"),
            "{e}"
        );
    }

    // Reading in chunks and merging must equal reading everything in one aggregator.
    #[test]
    fn merged_chunks_equal_one_pass() {
        let cases: Vec<TestCase> = (0..300)
            .map(|i| {
                let o = match i % 7 {
                    0 => Outcome::Failed,
                    1 => Outcome::Error,
                    2 => Outcome::Skipped,
                    _ => Outcome::Passed,
                };
                {
                    let mut c = case(&format!("t{i}"), None, None, o, f64::from((i * 37) % 11));
                    c.suite = format!("s{}", i % 3);
                    c
                }
            })
            .collect();
        let loc = Arc::new(Locator::default());
        let mut one = Aggregator::new(0, loc.clone());
        one.begin_file("f", None);
        for c in &cases {
            one.case(c.clone());
        }
        let mut merged = Aggregator::new(0, loc.clone());
        for chunk in cases.chunks(37) {
            let mut part = Aggregator::new(0, loc.clone());
            part.begin_file("f", None);
            for c in chunk {
                part.case(c.clone());
            }
            merged.merge(part);
        }
        assert_eq!(merged.total.measured, one.total.measured);
        assert_eq!(merged.total.failed_cases, one.total.failed_cases);
        assert_eq!(merged.total.failed_omitted, one.total.failed_omitted);
        assert_eq!(merged.total.slowest, one.total.slowest);
        assert_eq!(merged.sorted_suites(), one.sorted_suites());
    }
}
