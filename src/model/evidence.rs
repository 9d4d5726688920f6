//! Aggregating measured test cases, streamed from result files, into per-category figures.
//!
//! Nothing here keeps every case: counts are summed as cases arrive, and only a bounded number of
//! failures and of the slowest cases are retained, so memory grows with what the report shows.

use std::collections::HashMap;
use std::ops::AddAssign;
use std::sync::Arc;

use serde::Serialize;

use crate::results::{CaseSink, Finding, Outcome, TestCase};

/// Failures kept per bucket (category, uncategorised, total); the rest are counted.
pub const FAILURES_KEPT: usize = 50;
/// Slowest cases kept per bucket.
pub const SLOWEST_KEPT: usize = 10;
/// Lines of a failure message kept for the report.
pub const MESSAGE_LINES: usize = 6;

/// Counts of measured test cases. One `<testcase>` (or CTRF/libtest test) is one test.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
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

    fn add_case(&mut self, case: &TestCase) {
        self.tests += 1;
        match case.outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failures += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Skipped => self.skipped += 1,
        }
        if case.flaky {
            self.flaky += 1;
        }
        if case.duration_s.is_finite() && case.duration_s > 0.0 {
            self.duration_s += case.duration_s;
        }
    }
}

impl AddAssign for Measured {
    fn add_assign(&mut self, o: Self) {
        self.tests += o.tests;
        self.passed += o.passed;
        self.failures += o.failures;
        self.errors += o.errors;
        self.skipped += o.skipped;
        self.flaky += o.flaky;
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
    /// The first lines of the message.
    pub message: Option<String>,
    /// The results file it came from.
    pub source: String,
}

/// A slow case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlowCase {
    pub name: String,
    pub suite: String,
    pub duration_s: f64,
}

/// Everything measured for one category (or for the uncategorised cases, or in total).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Bucket {
    pub measured: Measured,
    /// The first [`FAILURES_KEPT`] failures, in input order.
    pub failed_cases: Vec<FailedCase>,
    /// Failures not kept in `failed_cases`.
    pub failed_omitted: u64,
    /// The slowest cases, slowest first.
    pub slowest: Vec<SlowCase>,
}

impl Bucket {
    /// Adds `other`, which holds cases read after this bucket's.
    pub fn merge(&mut self, other: Bucket) {
        self.measured += other.measured;
        let room = FAILURES_KEPT.saturating_sub(self.failed_cases.len());
        let extra = other.failed_cases.len().saturating_sub(room) as u64;
        self.failed_cases.extend(other.failed_cases.into_iter().take(room));
        self.failed_omitted += other.failed_omitted + extra;
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

    fn add(&mut self, case: &TestCase, source: &str) {
        self.measured.add_case(case);
        if matches!(case.outcome, Outcome::Failed | Outcome::Error) {
            if self.failed_cases.len() < FAILURES_KEPT {
                self.failed_cases.push(failed_case(case, source));
            } else {
                self.failed_omitted += 1;
            }
        }
        keep_slowest(&mut self.slowest, case);
    }
}

fn failed_case(case: &TestCase, source: &str) -> FailedCase {
    let location = match (&case.file, case.line) {
        (Some(f), Some(l)) => Some(format!("{f}:{l}")),
        (Some(f), None) => Some(f.clone()),
        _ => None,
    };
    let message = case.message.as_ref().map(|m| {
        let mut lines: Vec<&str> = m.lines().take(MESSAGE_LINES + 1).collect();
        if lines.len() > MESSAGE_LINES {
            lines.truncate(MESSAGE_LINES);
            lines.push("…");
        }
        lines.join("\n")
    });
    FailedCase {
        name: case.name.clone(),
        suite: case.suite.clone(),
        classname: case.classname.clone(),
        location,
        outcome: case.outcome,
        message,
        source: source.to_string(),
    }
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

/// Decides which category a case belongs to by its file or classname.
///
/// A case belongs to the category whose `location` (without a file extension) matches a run of
/// whole path segments of the case's `file`, or of its classname read as a path (`a.b.C` →
/// `a/b/C`); the longest matching location wins. Absolute and `./` paths match too.
#[derive(Debug, Default)]
pub struct Locator {
    /// Location segments → category index (the first category, for a location given twice).
    locations: HashMap<Vec<String>, usize>,
    /// The most segments any location has.
    longest: usize,
}

impl Locator {
    /// A locator over `(category index, location)` pairs.
    pub fn new<'a>(locations: impl IntoIterator<Item = (usize, &'a str)>) -> Self {
        let mut map: HashMap<Vec<String>, usize> = HashMap::new();
        for (i, loc) in locations {
            let segs = segments(strip_ext(loc), &['/', '\\']);
            if !segs.is_empty() {
                let e = map.entry(segs).or_insert(i);
                *e = (*e).min(i);
            }
        }
        let longest = map.keys().map(Vec::len).max().unwrap_or(0);
        Self { locations: map, longest }
    }

    /// The category index of `case`, if any location matches.
    ///
    /// Looks up every run of whole segments of the case's paths, longest runs first: a hash
    /// lookup per run instead of a comparison per category, so 10,000 categories cost no more
    /// per case than ten.
    pub fn locate(&self, case: &TestCase) -> Option<usize> {
        if self.locations.is_empty() {
            return None;
        }
        let mut candidates: Vec<Vec<String>> = Vec::with_capacity(2);
        if let Some(f) = &case.file {
            candidates.push(segments(strip_ext(f), &['/', '\\']));
        }
        if let Some(c) = &case.classname {
            candidates.push(segments(&c.replace("::", "."), &['.', '/', '\\']));
        }
        for len in (1..=self.longest).rev() {
            let best = candidates
                .iter()
                .filter(|c| c.len() >= len)
                .flat_map(|c| c.windows(len))
                .filter_map(|w| self.locations.get(w).copied())
                .min();
            if best.is_some() {
                return best;
            }
        }
        None
    }
}

fn strip_ext(p: &str) -> &str {
    let name_start = p.rfind(['/', '\\']).map_or(0, |i| i + 1);
    match p[name_start..].rfind('.') {
        Some(dot) if dot > 0 => &p[..name_start + dot],
        _ => p,
    }
}

fn segments(p: &str, seps: &[char]) -> Vec<String> {
    p.split(seps).filter(|s| !s.is_empty() && *s != ".").map(str::to_string).collect()
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
    /// Counts per suite name (for the results summary); sorted when the model is built.
    pub suites: HashMap<String, Measured>,
    /// Disagreements found in the files.
    pub findings: Vec<Finding>,
    /// Category that owns the file being read (from its `results:`), if any.
    owner: Option<usize>,
    source: String,
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
}

impl Aggregator {
    /// An aggregator for `n` categories matched by `locator`.
    pub fn new(n: usize, locator: Arc<Locator>) -> Self {
        Self {
            locator,
            categories: vec![Bucket::default(); n],
            uncategorised: Bucket::default(),
            total: Bucket::default(),
            suites: HashMap::new(),
            findings: Vec::new(),
            owner: None,
            source: String::new(),
            any_results: false,
            had_results: vec![false; n],
            keep_cases: false,
            cases: Vec::new(),
            tests: None,
            file_start_duration: 0.0,
            file_stated: None,
        }
    }

    /// Adds `other`, which read the files after this one's, as if one aggregator read them all.
    pub fn merge(&mut self, other: Aggregator) {
        for (mine, theirs) in self.categories.iter_mut().zip(other.categories) {
            mine.merge(theirs);
        }
        self.uncategorised.merge(other.uncategorised);
        self.total.merge(other.total);
        for (suite, m) in other.suites {
            *self.suites.entry(suite).or_default() += m;
        }
        self.findings.extend(other.findings);
        self.any_results |= other.any_results;
        for (mine, theirs) in self.had_results.iter_mut().zip(other.had_results) {
            *mine |= theirs;
        }
        self.cases.extend(other.cases);
        if let (Some(mine), Some(theirs)) = (self.tests.as_mut(), other.tests) {
            mine.merge(theirs);
        }
    }

    /// Suites sorted by name.
    pub fn sorted_suites(&self) -> Vec<(&String, &Measured)> {
        let mut v: Vec<(&String, &Measured)> = self.suites.iter().collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// Starts a new results file; its cases go to `owner` when set, else by location.
    pub fn begin_file(&mut self, source: &str, owner: Option<usize>) {
        self.file_start_duration = self.total.measured.duration_s;
        self.file_stated = None;
        self.source = source.to_string();
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

impl CaseSink for Aggregator {
    fn case(&mut self, case: TestCase) {
        let idx = self.owner.or_else(|| self.locator.locate(&case)).filter(|&i| i < self.categories.len());
        match idx.and_then(|i| self.categories.get_mut(i)) {
            Some(b) => b.add(&case, &self.source),
            None => self.uncategorised.add(&case, &self.source),
        }
        self.total.add(&case, &self.source);
        match self.suites.get_mut(case.suite.as_str()) {
            Some(m) => m.add_case(&case),
            None => {
                let mut m = Measured::default();
                m.add_case(&case);
                self.suites.insert(case.suite.clone(), m);
            }
        }
        if let Some(log) = self.tests.as_mut() {
            log.push(&case, &self.source, idx);
        }
        if self.keep_cases {
            self.cases.push(CaseRecord { case, category: idx });
        }
    }

    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn stated_duration(&mut self, seconds: f64) {
        self.file_stated = Some(seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn locator_matches_files_classnames_and_prefers_the_longest() {
        let loc =
            Locator::new([(0, "tests/integration"), (1, "tests/integration/test_gcp.py"), (2, "tests/e2e/")]);
        let c = |f: Option<&str>, cl: Option<&str>| loc.locate(&case("x", f, cl, Outcome::Passed, 0.0));
        assert_eq!(c(Some("tests/integration/test_gcp.py"), None), Some(1));
        assert_eq!(c(Some("/home/ci/repo/tests/integration/test_staging.py"), None), Some(0));
        assert_eq!(c(None, Some("tests.integration.test_gcp.TestGcp")), Some(1));
        assert_eq!(c(None, Some("tests.e2e.test_flow")), Some(2));
        assert_eq!(c(Some("./tests/e2e/a.py"), None), Some(2));
        assert_eq!(c(Some("other/tests_integration.py"), None), None);
        assert_eq!(c(None, None), None);
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
    fn messages_keep_the_first_lines() {
        let mut c = case("t", None, None, Outcome::Failed, 0.0);
        c.message = Some((1..=20).map(|i| format!("line {i}")).collect::<Vec<_>>().join("\n"));
        let f = failed_case(&c, "r");
        let m = f.message.unwrap();
        assert_eq!(m.lines().count(), MESSAGE_LINES + 1);
        assert!(m.ends_with('…'));
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
