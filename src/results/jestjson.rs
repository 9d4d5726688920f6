//! Jest `--json` reader; Vitest's `--reporter=json` has the same shape and is read alike.
//!
//! Each `testResults[]` entry is a test file (a suite: `suite` is its path, `suite_index` its
//! ordinal); each of its `assertionResults[]` is a case, named by its describe blocks and title
//! joined with ` > `. A file's cases are handed on once the file's entry is complete (its
//! `name` comes after its cases), so memory holds one test file's cases at a time.
//!
//! Status: `passed` (and `focused`) → passed; `failed` → failed; `pending`, `skipped`,
//! `disabled` and `todo` → skipped (the values of `@jest/types` `Status`); `error` (a stand-in
//! for a test file that failed to run) and anything else is an errored case, never refused.
//! A passed test that needed retries is flaky: Jest says so with `invocations` > 1 (and `retryReasons`), Vitest only
//! keeps the failed attempt's message in `failureMessages`. A test file that failed without a
//! failing test (it did not compile, a hook threw: Jest's "Test suite failed to run") is one
//! errored case named `[test file failed to run]` with the file's message; `wasInterrupted` is
//! one errored case too. The top-level `num*Tests` totals are compared (pending and todo
//! together with skipped), never used.

use std::fmt;
use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};

use super::json::{Each, Key, Num, RootObject, Text, once, read_document};
use super::message::MessageBuf;
use super::{CaseSink, Counts, Finding, Outcome, ResultsError, TestCase};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Passed,
    Focused,
    Failed,
    Pending,
    Skipped,
    Disabled,
    Todo,
    /// A stand-in some producers write for a test file that failed to run.
    Error,
    /// Any status neither Jest nor Vitest documents: never read as a pass.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Assertion {
    #[serde(default)]
    ancestor_titles: Vec<String>,
    title: String,
    status: Status,
    #[serde(default)]
    duration: Num,
    #[serde(default)]
    failure_messages: Text,
    #[serde(default)]
    invocations: Num,
    #[serde(default)]
    retry_reasons: Text,
    #[serde(default)]
    location: Option<Location>,
}

#[derive(Debug, Deserialize)]
struct Location {
    #[serde(default)]
    line: Num,
}

/// One test file, its cases already turned into [`TestCase`]s (without suite fields).
#[derive(Debug, Default)]
struct TestFile {
    name: Option<String>,
    message: Text,
    failed: bool,
    cases: Vec<TestCase>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Totals {
    num_total_tests: Option<u64>,
    num_passed_tests: Option<u64>,
    num_failed_tests: Option<u64>,
    num_pending_tests: Option<u64>,
    num_todo_tests: Option<u64>,
}

struct State<'s> {
    sink: &'s mut dyn CaseSink,
    totals: Totals,
    interrupted: bool,
    counts: Counts,
    stand_ins: u64,
    files: u32,
    cases: u64,
}

/// Reads a Jest/Vitest JSON report from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(src: R, path: &Path, sink: &mut dyn CaseSink) -> Result<u64, ResultsError> {
    let mut state = State {
        sink,
        totals: Totals::default(),
        interrupted: false,
        counts: Counts::default(),
        stand_ins: 0,
        files: 0,
        cases: 0,
    };
    read_document(src, &mut state, |e| super::json::error(path, e))?;
    if state.interrupted {
        state.stand_in(
            "",
            state.files,
            "[run interrupted]",
            Some("the run was interrupted (`wasInterrupted`): tests after this point never ran".to_owned()),
        );
    }
    let t = &state.totals;
    let c = state.counts;
    let sum = |a: Option<u64>, b: Option<u64>| a.map(|a| a.saturating_add(b.unwrap_or(0)));
    let pairs = [
        ("numTotalTests", t.num_total_tests, c.tests, "tests"),
        ("numPassedTests", t.num_passed_tests, c.passed, "passed tests"),
        ("numFailedTests", t.num_failed_tests, c.failures, "failed tests"),
        (
            "numPendingTests + numTodoTests",
            sum(t.num_pending_tests, t.num_todo_tests),
            c.skipped,
            "skipped or todo tests",
        ),
    ];
    for (field, declared, counted, what) in pairs {
        if let Some(n) = declared
            && n != counted
        {
            state.sink.finding(Finding {
                file: path.to_path_buf(),
                line: None,
                message: format!("the report declares {field} = {n} but lists {counted} {what}"),
            });
        }
    }
    Ok(state.cases)
}

impl RootObject for State<'_> {
    const EXPECTING: &'static str = "a Jest/Vitest JSON report object";
    const REQUIRED: &'static str = "testResults";
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        seen: &mut Vec<&'static str>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let st = self;
        let slot = match key {
            "testResults" => {
                once(seen, "testResults")?;
                let mut each = |f: TestFile| st.file(f);
                map.next_value_seed(Each::new(&mut each))?;
                return Ok(());
            }
            "wasInterrupted" => {
                st.interrupted = map.next_value::<Option<bool>>()?.unwrap_or(false);
                return Ok(());
            }
            "numTotalTests" => &mut st.totals.num_total_tests,
            "numPassedTests" => &mut st.totals.num_passed_tests,
            "numFailedTests" => &mut st.totals.num_failed_tests,
            "numPendingTests" => &mut st.totals.num_pending_tests,
            "numTodoTests" => &mut st.totals.num_todo_tests,
            _ => {
                map.next_value::<IgnoredAny>()?;
                return Ok(());
            }
        };
        *slot = map.next_value::<Num>()?.count();
        Ok(())
    }
}

impl<'de> Deserialize<'de> for TestFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TestFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a test file result (`testResults[]`)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TestFile, A::Error> {
                let mut file = TestFile::default();
                let mut msg = MessageBuf::default();
                let mut seen = Vec::new();
                while let Some(Key(key)) = map.next_key()? {
                    match key.as_str() {
                        "assertionResults" => {
                            once(&mut seen, "assertionResults")?;
                            let mut each = |a: Assertion| file.cases.push(case_of(a, &mut msg));
                            map.next_value_seed(Each::new(&mut each))?;
                        }
                        "name" => file.name = map.next_value()?,
                        "message" | "failureMessage" => {
                            let t: Text = map.next_value()?;
                            if t.text.is_some() && file.message.text.is_none() {
                                file.message = t;
                            }
                        }
                        "status" => {
                            file.failed = map.next_value::<Option<String>>()?.as_deref() == Some("failed")
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(file)
            }
        }
        d.deserialize_map(V)
    }
}

/// A case from an assertion result; suite fields are filled in when its file is complete.
fn case_of(a: Assertion, msg: &mut MessageBuf) -> TestCase {
    let outcome = match a.status {
        Status::Passed | Status::Focused => Outcome::Passed,
        Status::Failed => Outcome::Failed,
        Status::Pending | Status::Skipped | Status::Disabled | Status::Todo => Outcome::Skipped,
        Status::Error | Status::Unknown => Outcome::Error,
    };
    let invocations = a.invocations.count().map_or(1, |n| u32::try_from(n.max(1)).unwrap_or(u32::MAX));
    // Failed attempts before the last: Jest counts invocations; Vitest only leaves the failed
    // attempts' messages on a passed test.
    let earlier_failures = if invocations > 1 {
        invocations.saturating_sub(1)
    } else if outcome == Outcome::Passed {
        a.failure_messages.parts.max(a.retry_reasons.parts)
    } else {
        0
    };
    let flaky = outcome == Outcome::Passed && earlier_failures > 0;
    let runs = if invocations > 1 { invocations } else { earlier_failures.saturating_add(1) };
    msg.clear();
    let message = match outcome {
        Outcome::Passed if flaky => a.retry_reasons.text.or(a.failure_messages.text),
        Outcome::Passed | Outcome::Skipped => None,
        _ => a.failure_messages.text.or_else(|| match a.status {
            Status::Unknown => Some("a status neither Jest nor Vitest writes: read as an error".to_owned()),
            Status::Error => Some("status `error`: the test did not run to completion".to_owned()),
            _ => None,
        }),
    };
    let message = message.map(timed_out);
    let mut name = a.ancestor_titles.join(" > ");
    if !name.is_empty() {
        name.push_str(" > ");
    }
    name.push_str(&a.title);
    TestCase {
        suite: String::new(),
        suite_index: 0,
        name,
        classname: None,
        file: None,
        line: a.location.and_then(|l| l.line.count()).and_then(|l| u32::try_from(l).ok()),
        outcome,
        flaky,
        duration_s: a.duration.ms_to_s(),
        runs,
        failed_runs: earlier_failures.saturating_add(u32::from(outcome == Outcome::Failed)),
        message,
    }
}

impl State<'_> {
    fn file(&mut self, f: TestFile) {
        let index = self.files;
        self.files = self.files.saturating_add(1);
        let name = f.name.unwrap_or_default();
        let mut any_failed = false;
        for mut case in f.cases {
            case.suite.clone_from(&name);
            case.suite_index = index;
            case.file = Some(name.clone()).filter(|n| !n.is_empty());
            any_failed |= matches!(case.outcome, Outcome::Failed | Outcome::Error);
            self.counts.add(case.outcome, case.flaky);
            self.cases = self.cases.saturating_add(1);
            self.sink.case(case);
        }
        if f.failed && !any_failed {
            let message =
                f.message.text.or_else(|| Some("the test file failed without a failing test".to_owned()));
            self.stand_in(&name, index, "[test file failed to run]", message);
        }
    }

    fn stand_in(&mut self, suite: &str, index: u32, name: &str, message: Option<String>) {
        self.stand_ins = self.stand_ins.saturating_add(1);
        self.cases = self.cases.saturating_add(1);
        self.sink.case(TestCase {
            file: Some(suite.to_owned()).filter(|s| !s.is_empty()),
            ..TestCase::errored(suite.to_owned(), index, name.to_owned(), message)
        });
    }
}

/// Vitest's JSON report gives a timed-out test (or hook) only the placeholder error its runner
/// creates to hold the stack, `Error: STACK_TRACE_ERROR` (its JUnit report says "Test timed out
/// in N ms"): the headline says what that means, the stack follows.
fn timed_out(message: String) -> String {
    match message.strip_prefix("Error: STACK_TRACE_ERROR") {
        Some(rest) if rest.is_empty() || rest.starts_with('\n') => {
            format!(
                "timed out (Vitest's JSON report writes only `Error: STACK_TRACE_ERROR` for a timeout){rest}"
            )
        }
        _ => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CollectSink;

    fn run(json: &str) -> Result<CollectSink, ResultsError> {
        let mut sink = CollectSink::default();
        let n = read(json.as_bytes(), Path::new("j.json"), &mut sink)?;
        assert_eq!(n as usize, sink.cases.len());
        Ok(sink)
    }

    // A synthetic `error` entry (a test file that failed to run) and a status no runner
    // documents are errored cases, not a refused file.
    #[test]
    fn error_and_unknown_statuses_are_errors() {
        let json = r#"{"numTotalTests":2,"numPassedTests":0,"numFailedTests":1,"testResults":[
            {"assertionResults":[
               {"ancestorTitles":[],"title":"Test suite failed to run","status":"error","failureMessages":["process.exit called with 1"]},
               {"ancestorTitles":[],"title":"odd","status":"exploded"}],
             "name":"/p/a.test.js","status":"failed","message":""}]}"#;
        let sink = run(json).unwrap();
        let got: Vec<(&str, Outcome)> = sink.cases.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
        assert_eq!(got, [("Test suite failed to run", Outcome::Error), ("odd", Outcome::Error)]);
        assert_eq!(sink.cases[0].message.as_deref(), Some("process.exit called with 1"));
    }

    #[test]
    fn jest_retries_todo_and_broken_files() {
        let json = r#"{"numTotalTests":4,"numPassedTests":2,"numFailedTests":0,"numPendingTests":0,"numTodoTests":1,
          "testResults":[
            {"assertionResults":[
               {"ancestorTitles":["Parser","JUnit"],"title":"reads","status":"passed","duration":8},
               {"ancestorTitles":[],"title":"flaky","status":"passed","invocations":2,"retryReasons":["Error: first"]},
               {"ancestorTitles":[],"title":"later","status":"todo","duration":null}],
             "name":"/p/a.test.js","status":"passed","message":""},
            {"assertionResults":[],"name":"/p/b.test.js","status":"failed",
             "message":"  \u001b[1m● Test suite failed to run\u001b[22m\n\n    SyntaxError: x"}]}"#;
        let sink = run(json).unwrap();
        let got: Vec<(&str, &str, Outcome, bool, u32)> = sink
            .cases
            .iter()
            .map(|c| (c.suite.as_str(), c.name.as_str(), c.outcome, c.flaky, c.runs))
            .collect();
        assert_eq!(
            got,
            [
                ("/p/a.test.js", "Parser > JUnit > reads", Outcome::Passed, false, 1),
                ("/p/a.test.js", "flaky", Outcome::Passed, true, 2),
                ("/p/a.test.js", "later", Outcome::Skipped, false, 1),
                ("/p/b.test.js", "[test file failed to run]", Outcome::Error, false, 1),
            ]
        );
        assert_eq!(sink.cases[1].message.as_deref(), Some("Error: first"));
        assert_eq!(
            sink.cases[3].message.as_deref(),
            Some("● Test suite failed to run\n\n    SyntaxError: x")
        );
        assert_eq!(sink.cases[3].suite_index, 1);
        let msgs: Vec<&str> = sink.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs, ["the report declares numTotalTests = 4 but lists 3 tests"]);
    }

    #[test]
    fn vitest_flaky_and_errors() {
        let json = r#"{"numTotalTests":1,"testResults":[{"assertionResults":[
            {"ancestorTitles":[],"title":"retry","status":"passed","failureMessages":["AssertionError: first"]}],
            "name":"v.test.js","status":"passed"}]}"#;
        let sink = run(json).unwrap();
        assert!(sink.cases[0].flaky);
        assert_eq!((sink.cases[0].runs, sink.cases[0].failed_runs), (2, 1));
        // A status no runner documents is an errored case, never a pass and never a refusal.
        let odd = r#"{"testResults":[{"assertionResults":[{"title":"x","status":"exploded"}]}]}"#;
        assert_eq!(run(odd).unwrap().cases[0].outcome, Outcome::Error);
        assert!(matches!(run(r#"{"testResults":[{"assertionResults":[]"#), Err(ResultsError::Syntax { .. })));
    }
}
