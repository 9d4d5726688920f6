//! Opt-in merging of repeated runs of the same test within one results file (`--merge-reruns`).
//!
//! pytest-rerunfailures, jest retries, go test `-count` and similar write the same test case
//! several times in one file. Without merging, each attempt is a case (the file's own view).
//! With merging, attempts of one test become one case:
//! - outcome: [`Outcome::Passed`] if any attempt passed, flaky if some attempt failed or
//!   errored (or was itself flaky); otherwise the most severe outcome (error > failure > skipped);
//! - duration: the sum of the attempts;
//! - message: from the first attempt with the most severe outcome (for a flaky pass, the
//!   failure that made it flaky);
//! - file/line/classname: from the first attempt.
//!
//! Attempts are the same test when suite, file, classname and name are all equal. The suite is
//! part of the key (beyond file/classname/name) because nested JUnit suites often repeat
//! `classname=""` + a short name for different tests (see the corpus' `nested/junit.xml`).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use super::{CaseSink, Finding, Outcome, TestCase};

/// Merges reruns of the same test, then forwards to an inner sink on [`RerunMerger::finish`].
///
/// It must see a whole file before merging, so it buffers every case of the file: memory grows
/// with the number of cases of one file (unlike the plain readers, which stream). Findings are
/// forwarded at once. Call [`RerunMerger::finish`] after each file, or buffered cases are lost.
pub struct RerunMerger<S: CaseSink> {
    inner: S,
    merged: Vec<Merged>,
    /// Hash of the key → index of the first merged case with that hash; collisions are chained
    /// through [`Merged::next`], which avoids cloning key strings per case.
    index: HashMap<u64, usize>,
    hasher: RandomState,
}

struct Merged {
    case: TestCase,
    any_passed: bool,
    any_failed: bool,
    any_flaky: bool,
    /// Most severe non-passing outcome seen, and whether `case.message` comes from it.
    worst: Option<Outcome>,
    next: Option<usize>,
}

impl<S: CaseSink> RerunMerger<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        RerunMerger { inner, merged: Vec::new(), index: HashMap::new(), hasher: RandomState::new() }
    }

    /// Emits the merged cases of the file, in first-seen order, and returns how many.
    /// The merger is then empty and can take the next file.
    pub fn finish(&mut self) -> u64 {
        self.index.clear();
        let n = self.merged.len() as u64;
        for m in self.merged.drain(..) {
            let mut case = m.case;
            if m.any_passed {
                case.outcome = Outcome::Passed;
                case.flaky = m.any_failed || m.any_flaky;
                if !case.flaky {
                    case.message = None;
                }
            } else {
                case.outcome = m.worst.unwrap_or(Outcome::Passed);
                case.flaky = false;
            }
            self.inner.case(case);
        }
        n
    }

    /// The inner sink (after [`RerunMerger::finish`]).
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn key_hash(&self, c: &TestCase) -> u64 {
        self.hasher.hash_one((&c.suite, &c.file, &c.classname, &c.name))
    }
}

fn same_test(a: &TestCase, b: &TestCase) -> bool {
    a.name == b.name && a.classname == b.classname && a.file == b.file && a.suite == b.suite
}

impl<S: CaseSink> CaseSink for RerunMerger<S> {
    fn case(&mut self, case: TestCase) {
        let hash = self.key_hash(&case);
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
        let failed = matches!(case.outcome, Outcome::Failed | Outcome::Error);
        self.merged.push(Merged {
            any_passed: case.outcome == Outcome::Passed,
            any_failed: failed,
            any_flaky: case.flaky,
            worst: (case.outcome != Outcome::Passed).then_some(case.outcome),
            next: None,
            case,
        });
        match last {
            Some(i) => self.merged[i].next = Some(new),
            None => {
                self.index.insert(hash, new);
            }
        }
    }

    fn finding(&mut self, finding: Finding) {
        self.inner.finding(finding);
    }
}

fn merge_into(m: &mut Merged, attempt: TestCase) {
    m.case.duration_s += attempt.duration_s;
    if m.case.line.is_none() {
        m.case.line = attempt.line;
    }
    m.any_flaky |= attempt.flaky;
    match attempt.outcome {
        Outcome::Passed => m.any_passed = true,
        other => {
            m.any_failed |= matches!(other, Outcome::Failed | Outcome::Error);
            // Keep the message of the first attempt with the most severe outcome.
            if m.worst.is_none_or(|w| other > w) {
                m.worst = Some(other);
                m.case.message = attempt.message;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CollectSink;

    fn case(name: &str, outcome: Outcome, secs: f64, msg: Option<&str>) -> TestCase {
        TestCase {
            suite: "s".into(),
            name: name.into(),
            classname: Some("C".into()),
            file: None,
            line: None,
            outcome,
            flaky: false,
            duration_s: secs,
            message: msg.map(str::to_owned),
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
}
