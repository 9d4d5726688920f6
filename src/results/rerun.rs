//! Merging repeated runs of the same test into one case.
//!
//! pytest-rerunfailures, gotestsum `--rerun-fails`, jest retries, go test `-count` and similar
//! write the same test case several times in one file. Attempts of one test become one case:
//! - **last run wins**: a test whose last attempt passed is passed, and flaky when an earlier
//!   attempt failed or errored; otherwise the most severe outcome of its attempts (error >
//!   failure > skipped) — a pass followed by failures is a failure, never a flaky pass;
//! - duration: the sum of the attempts; `runs`/`failed_runs`: the sums of the attempts';
//! - message: from the latest attempt with the most severe failing outcome;
//! - file/line/classname: from the first attempt.
//!
//! Attempts are the same test only when their identity is equal: suite **element** (the
//! ordinal [`TestCase::suite_index`], not just the suite's name), suite name, file, classname
//! and name. Two `<testsuite>` elements that share a name (jest-junit's `undefined`, two cargo
//! test binaries) hold different tests and never merge.
//!
//! [`RerunMerger`] (`--merge-reruns`) merges attempts anywhere in a file and buffers the file's
//! cases; [`merge_reruns`] merges a list the caller already holds (a JUnit suite whose declared
//! count says its repeats are reruns).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use super::{CaseSink, Finding, Outcome, TestCase};

/// Merges reruns of the same test anywhere in a file, then forwards the merged cases to an
/// inner sink on [`RerunMerger::finish`].
///
/// It must see a whole file before merging, so it buffers every case of the file: memory grows
/// with the number of cases of one file (unlike the plain readers, which stream). Findings are
/// forwarded at once. Call [`RerunMerger::finish`] after each file, or buffered cases are lost.
pub struct RerunMerger<S: CaseSink> {
    inner: S,
    merged: Attempts,
}

impl<S: CaseSink> RerunMerger<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        RerunMerger { inner, merged: Attempts::default() }
    }

    /// Emits the merged cases of the file, in first-seen order, and returns how many.
    /// The merger is then empty and can take the next file.
    pub fn finish(&mut self) -> u64 {
        let cases = std::mem::take(&mut self.merged).into_cases();
        let n = cases.len() as u64;
        for case in cases {
            self.inner.case(case);
        }
        n
    }
}

#[cfg(test)]
impl<S: CaseSink> RerunMerger<S> {
    fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: CaseSink> CaseSink for RerunMerger<S> {
    fn case(&mut self, case: TestCase) {
        self.merged.add(case);
    }

    fn finding(&mut self, finding: Finding) {
        self.inner.finding(finding);
    }

    fn stated_duration(&mut self, seconds: f64) {
        self.inner.stated_duration(seconds);
    }
}

/// Merges the attempts in `cases` (in order) into one case per test identity, in first-seen
/// order.
pub(super) fn merge_reruns(cases: Vec<TestCase>) -> Vec<TestCase> {
    let mut merged = Attempts::default();
    for c in cases {
        merged.add(c);
    }
    merged.into_cases()
}

/// How many distinct test identities `cases` holds.
pub(super) fn distinct_tests(cases: &[TestCase]) -> usize {
    let hasher = RandomState::new();
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(cases.len());
    let mut n = 0usize;
    for (i, c) in cases.iter().enumerate() {
        let same = seen.entry(key_hash(&hasher, c)).or_default();
        if !same.iter().any(|&j| cases.get(j).is_some_and(|o| same_test(o, c))) {
            n = n.saturating_add(1);
            same.push(i);
        }
    }
    n
}

/// Attempts grouped by identity, in first-seen order.
#[derive(Default)]
struct Attempts {
    merged: Vec<Merged>,
    /// Hash of the identity → index of the first merged case with that hash; collisions are
    /// chained through [`Merged::next`], which avoids cloning key strings per case.
    index: HashMap<u64, usize>,
    hasher: RandomState,
}

impl Attempts {
    fn add(&mut self, case: TestCase) {
        let hash = key_hash(&self.hasher, &case);
        let mut slot = self.index.get(&hash).copied();
        let mut last = None;
        while let Some(i) = slot {
            if same_test(&self.merged[i].case, &case) {
                merge_into(&mut self.merged[i], case);
                return;
            }
            last = Some(i);
            slot = self.merged[i].next;
        }
        let new = self.merged.len();
        self.merged.push(Merged::first(case));
        match last {
            Some(i) => self.merged[i].next = Some(new),
            None => {
                self.index.insert(hash, new);
            }
        }
    }

    fn into_cases(self) -> Vec<TestCase> {
        self.merged.into_iter().map(Merged::into_case).collect()
    }
}

struct Merged {
    case: TestCase,
    last: Outcome,
    any_flaky: bool,
    /// Most severe non-passing outcome seen; `case.message` is from its latest attempt.
    worst: Option<Outcome>,
    next: Option<usize>,
}

fn key_hash(hasher: &RandomState, c: &TestCase) -> u64 {
    hasher.hash_one((c.suite_index, &c.suite, &c.file, &c.classname, &c.name))
}

fn same_test(a: &TestCase, b: &TestCase) -> bool {
    a.suite_index == b.suite_index
        && a.name == b.name
        && a.classname == b.classname
        && a.file == b.file
        && a.suite == b.suite
}

impl Merged {
    fn first(case: TestCase) -> Self {
        let failing = case.outcome != Outcome::Passed;
        Merged {
            last: case.outcome,
            any_flaky: case.flaky,
            worst: failing.then_some(case.outcome),
            next: None,
            case,
        }
    }

    fn into_case(self) -> TestCase {
        let mut case = self.case;
        if self.last == Outcome::Passed {
            case.outcome = Outcome::Passed;
            case.flaky = case.failed_runs > 0 || self.any_flaky;
            if !case.flaky {
                case.message = None;
            }
        } else {
            case.outcome = self.worst.unwrap_or(self.last);
            case.flaky = false;
        }
        case
    }
}

fn merge_into(m: &mut Merged, attempt: TestCase) {
    m.case.duration_s += attempt.duration_s;
    m.case.runs = m.case.runs.saturating_add(attempt.runs);
    m.case.failed_runs = m.case.failed_runs.saturating_add(attempt.failed_runs);
    if m.case.line.is_none() {
        m.case.line = attempt.line;
    }
    m.any_flaky |= attempt.flaky;
    m.last = attempt.outcome;
    if attempt.outcome != Outcome::Passed && m.worst.is_none_or(|w| attempt.outcome >= w) {
        // The latest attempt of the most severe outcome explains the result best.
        m.worst = Some(attempt.outcome);
        m.case.message = attempt.message;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CollectSink;

    fn case(name: &str, outcome: Outcome, secs: f64, msg: Option<&str>) -> TestCase {
        TestCase {
            classname: Some("C".into()),
            duration_s: secs,
            message: msg.map(str::to_owned),
            ..TestCase::ran_once("s".into(), 0, name.into(), outcome)
        }
    }

    fn merge(cases: Vec<TestCase>) -> Vec<TestCase> {
        let mut merger = RerunMerger::new(CollectSink::default());
        for c in cases {
            merger.case(c);
        }
        let n = merger.finish();
        let out = merger.into_inner().cases;
        assert_eq!(n as usize, out.len());
        out
    }

    #[test]
    fn fail_then_pass_is_flaky_pass_with_summed_time() {
        let out = merge(vec![
            case("a", Outcome::Failed, 1.0, Some("boom")),
            case("b", Outcome::Passed, 0.5, None),
            case("a", Outcome::Error, 2.0, Some("crash")),
            case("a", Outcome::Passed, 3.0, None),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].name, "a", "first-seen order");
        assert_eq!(out[0].outcome, Outcome::Passed);
        assert!(out[0].flaky);
        assert_eq!(out[0].duration_s, 6.0);
        assert_eq!(out[0].message.as_deref(), Some("crash"));
        assert_eq!(out[1].name, "b");
        assert!(!out[1].flaky);
    }

    #[test]
    fn all_attempts_failing_keeps_most_severe() {
        let out = merge(vec![
            case("a", Outcome::Failed, 1.0, Some("f1")),
            case("a", Outcome::Error, 1.0, Some("e1")),
            case("a", Outcome::Failed, 1.0, Some("f2")),
        ]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].outcome, Outcome::Error);
        assert!(!out[0].flaky);
        assert_eq!(out[0].message.as_deref(), Some("e1"));
    }

    #[test]
    fn skipped_and_passed_is_a_plain_pass() {
        let out =
            merge(vec![case("a", Outcome::Skipped, 0.0, Some("why")), case("a", Outcome::Passed, 1.0, None)]);
        assert_eq!(out[0].outcome, Outcome::Passed);
        assert!(!out[0].flaky);
        assert_eq!(out[0].message, None);
    }

    #[test]
    fn key_includes_classname_file_and_suite() {
        let mut other_class = case("a", Outcome::Failed, 1.0, None);
        other_class.classname = Some("D".into());
        let mut other_file = case("a", Outcome::Failed, 1.0, None);
        other_file.file = Some("x.py".into());
        let mut other_suite = case("a", Outcome::Failed, 1.0, None);
        other_suite.suite = "t".into();
        let out = merge(vec![case("a", Outcome::Passed, 1.0, None), other_class, other_file, other_suite]);
        assert_eq!(out.len(), 4);
        assert!(out.iter().all(|c| !c.flaky));
    }

    #[test]
    fn finish_resets_for_the_next_file() {
        let mut merger = RerunMerger::new(CollectSink::default());
        merger.case(case("a", Outcome::Failed, 1.0, None));
        assert_eq!(merger.finish(), 1);
        merger.case(case("a", Outcome::Passed, 1.0, None));
        assert_eq!(merger.finish(), 1);
        let out = merger.into_inner().cases;
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].outcome, Outcome::Passed);
        assert!(!out[1].flaky, "attempts of different files are not merged");
    }

    fn outcomes(cases: &[TestCase]) -> Vec<(&str, Outcome, bool, u32, u32)> {
        cases.iter().map(|c| (c.name.as_str(), c.outcome, c.flaky, c.runs, c.failed_runs)).collect()
    }

    // Checks "last run wins" on pytest-rerunfailures' shape: empty (pass-looking) rerun
    // entries followed by the final attempt.
    #[test]
    fn last_run_wins_for_adjacent_reruns() {
        let out = merge_reruns(vec![
            case("always", Outcome::Passed, 0.1, None),
            case("always", Outcome::Passed, 0.1, None),
            case("always", Outcome::Failed, 0.1, Some("boom 3")),
            case("flaky", Outcome::Failed, 0.1, Some("first")),
            case("flaky", Outcome::Passed, 0.1, None),
            case("broke", Outcome::Passed, 0.1, None),
            case("broke", Outcome::Failed, 0.1, Some("later")),
            case("ok", Outcome::Passed, 0.1, None),
        ]);
        assert_eq!(
            outcomes(&out),
            [
                ("always", Outcome::Failed, false, 3, 1),
                ("flaky", Outcome::Passed, true, 2, 1),
                ("broke", Outcome::Failed, false, 2, 1),
                ("ok", Outcome::Passed, false, 1, 0),
            ]
        );
        assert_eq!(out[0].message.as_deref(), Some("boom 3"));
        assert_eq!(out[1].message.as_deref(), Some("first"));
    }

    // Checks that two suite elements sharing a name (jest-junit's `undefined`) never merge.
    #[test]
    fn different_suite_elements_never_merge() {
        let mut second = case("it_works", Outcome::Failed, 0.1, None);
        second.suite_index = 1;
        let out = merge_reruns(vec![case("it_works", Outcome::Passed, 0.1, None), second]);
        assert_eq!(
            outcomes(&out),
            [("it_works", Outcome::Passed, false, 1, 0), ("it_works", Outcome::Failed, false, 1, 1)]
        );
    }
}
