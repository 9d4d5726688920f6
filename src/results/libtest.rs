//! libtest JSON lines reader: `cargo test -- -Z unstable-options --format json --report-time`
//! and nextest `--message-format libtest-json[-plus]`.
//!
//! One JSON object per line (blank lines allowed); any other line is a syntax error with its
//! line number. Events:
//! - `{"type":"test","event":"started"}` is not a case (only counted to notice tests that never
//!   finished);
//! - `ok` → Passed, `failed` → Failed, `ignored` → Skipped;
//! - `timeout` is libtest's "running for over 60 seconds" warning: the test keeps running and
//!   reports its real result later, so it becomes a Failed case only if no result follows;
//! - `{"type":"suite","event":"ok"|"failed"}` declares `passed`/`failed`/`ignored`; each is
//!   compared with the cases counted since that suite started, and a mismatch is a finding
//!   (as is a started suite that never finishes).
//!
//! nextest names tests `crate::binary$path` (plus `@stress-N` after the binary and `#N` after a
//! retried test): the part before `$` becomes the suite and classname, the rest the name, and
//! a passed test with a `#N` suffix is flaky (it needed N attempts).
//! `bench` events and unknown event types carry no test result and are skipped.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::message::MessageBuf;
use super::{CaseSink, Counts, Finding, Outcome, ResultsError, TestCase};

#[derive(Debug, Deserialize)]
struct Event<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    event: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    exec_time: Option<f64>,
    #[serde(borrow)]
    stdout: Option<Cow<'a, str>>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
    passed: Option<u64>,
    failed: Option<u64>,
    ignored: Option<u64>,
    test_count: Option<u64>,
    #[serde(borrow)]
    nextest: Option<NextestMeta<'a>>,
}

#[derive(Debug, Deserialize)]
struct NextestMeta<'a> {
    #[serde(rename = "crate", borrow)]
    krate: Option<Cow<'a, str>>,
    #[serde(borrow)]
    test_binary: Option<Cow<'a, str>>,
}

/// An open suite: counted results since its `started` event.
#[derive(Debug, Default)]
struct OpenSuite {
    line: u64,
    test_count: Option<u64>,
    counts: Counts,
    /// Tests started and not yet finished, in start order (at most the runner's thread count,
    /// so a `Vec` is the right set).
    running: Vec<String>,
    /// Ordinal of this suite run in the file (see [`TestCase::suite_index`]).
    index: u32,
    /// nextest only: its closing event came (it may open again for retries).
    closed: bool,
}

struct State<'p, 's> {
    path: &'p Path,
    sink: &'s mut dyn CaseSink,
    /// Keyed by nextest `crate::binary` when the events say it, else "" (cargo test runs one
    /// binary after the other, so one open suite at a time).
    suites: HashMap<String, OpenSuite>,
    /// Tests that reported `timeout` and no result yet (rare; usually empty).
    timed_out: HashSet<String>,
    /// Suite runs started so far.
    suites_started: u32,
    cases: u64,
    msg: MessageBuf,
}

/// Reads libtest JSON lines from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(src: R, path: &Path, sink: &mut dyn CaseSink) -> Result<u64, ResultsError> {
    let mut state = State {
        path,
        sink,
        suites: HashMap::new(),
        timed_out: HashSet::new(),
        suites_started: 0,
        cases: 0,
        msg: MessageBuf::default(),
    };
    let mut lines = super::json::Lines::new(src);
    while let Some((line_no, text)) = lines.next_line(path)? {
        if text.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let event: Event<'_> = serde_json::from_slice(text).map_err(|e| {
            let message = super::json::json_error(path, e);
            match message {
                ResultsError::Syntax { column, message, .. } => ResultsError::Syntax {
                    path: path.to_path_buf(),
                    line: line_no,
                    column,
                    message: format!("not a libtest JSON event: {message}"),
                },
                other => other,
            }
        })?;
        state.event(event, line_no)?;
    }
    state.finish();
    Ok(state.cases)
}

impl State<'_, '_> {
    fn syntax(&self, line: u64, message: String) -> ResultsError {
        ResultsError::Syntax { path: self.path.to_path_buf(), line, column: 1, message }
    }

    fn finding(&mut self, line: Option<u64>, message: String) {
        self.sink.finding(Finding { file: self.path.to_path_buf(), line, message });
    }

    fn event(&mut self, ev: Event<'_>, line: u64) -> Result<(), ResultsError> {
        let kind = ev.kind.as_ref();
        if kind != "suite" && kind != "test" {
            // Benchmarks and future event types carry no test result.
            return Ok(());
        }
        let Some(event) = ev.event.as_deref() else {
            return Err(self.syntax(line, format!("`{kind}` event without an `event` field")));
        };
        if kind == "suite" { self.suite_event(&ev, event, line) } else { self.test_event(&ev, event, line) }
    }

    fn suite_key(ev: &Event<'_>) -> String {
        match &ev.nextest {
            Some(NextestMeta { krate: Some(k), test_binary: Some(b) }) => format!("{k}::{b}"),
            _ => String::new(),
        }
    }

    fn suite_event(&mut self, ev: &Event<'_>, event: &str, line: u64) -> Result<(), ResultsError> {
        let key = Self::suite_key(ev);
        match event {
            "started" if !key.is_empty() && self.suites.contains_key(&key) => {
                // nextest closes a binary's suite while a retry is pending and opens it again
                // for the retry: one suite, announced once, whose results span the segments.
                if let Some(suite) = self.suites.get_mut(&key) {
                    suite.closed = false;
                }
                Ok(())
            }
            "ok" | "failed" if !key.is_empty() => {
                // nextest: segments' counts overlap (ignored tests are repeated), so they are
                // not compared; the announced test_count is, when the file ends.
                if let Some(suite) = self.suites.get_mut(&key) {
                    suite.closed = true;
                }
                Ok(())
            }
            "started" => {
                if let Some(old) = self.suites.remove(&key) {
                    self.unfinished_suite(&key, old);
                }
                let index = self.suites_started;
                self.suites_started = self.suites_started.saturating_add(1);
                let suite = OpenSuite { line, test_count: ev.test_count, index, ..OpenSuite::default() };
                self.suites.insert(key, suite);
                Ok(())
            }
            "ok" | "failed" => {
                let mut suite = self.suites.remove(&key).unwrap_or_default();
                // Started tests with no result when their suite closed never finished either.
                for name in std::mem::take(&mut suite.running) {
                    self.msg.clear();
                    self.msg.push("started but never reported a result before its suite ended");
                    self.emit_in(&mut suite, &name);
                }
                let label = if key.is_empty() { "suite".to_owned() } else { format!("suite `{key}`") };
                let c = suite.counts;
                let checks = [
                    ("passed", ev.passed, c.passed),
                    ("failed", ev.failed, c.failures.saturating_add(c.errors)),
                    ("ignored", ev.ignored, c.skipped),
                ];
                for (field, declared, counted) in checks {
                    if let Some(n) = declared
                        && n != counted
                    {
                        let noun = if counted == 1 { "result" } else { "results" };
                        self.finding(
                            Some(line),
                            format!("{label} declares {field}={n} but has {counted} {field} test {noun}"),
                        );
                    }
                }
                if let Some(n) = suite.test_count
                    && n != c.tests
                {
                    self.finding(
                        Some(suite.line),
                        format!("{label} started with test_count={n} but reported {} test results", c.tests),
                    );
                }
                Ok(())
            }
            other => Err(self.syntax(line, format!("unknown suite event `{other}`"))),
        }
    }

    fn test_event(&mut self, ev: &Event<'_>, event: &str, line: u64) -> Result<(), ResultsError> {
        let Some(full_name) = ev.name.as_deref() else {
            return Err(self.syntax(line, "test event without a `name`".to_owned()));
        };
        let outcome = match event {
            "started" => {
                let key = self.key_of(full_name).to_owned();
                let suite =
                    self.suites.entry(key).or_insert_with(|| OpenSuite { line, ..OpenSuite::default() });
                suite.running.push(without_attempt(full_name).to_owned());
                return Ok(());
            }
            "timeout" => {
                self.timed_out.insert(full_name.to_owned());
                return Ok(());
            }
            "ok" => Outcome::Passed,
            "failed" => Outcome::Failed,
            "ignored" => Outcome::Skipped,
            other => return Err(self.syntax(line, format!("unknown test event `{other}`"))),
        };
        if !self.timed_out.is_empty() {
            self.timed_out.remove(full_name);
        }
        self.msg.clear();
        for part in [&ev.message, &ev.reason, &ev.stdout].into_iter().flatten() {
            self.msg.separate();
            self.msg.push(part);
        }
        let duration_s = ev.exec_time.filter(|t| t.is_finite() && *t > 0.0).unwrap_or(0.0);
        self.emit(full_name, outcome, duration_s);
        Ok(())
    }

    /// The open suite a test belongs to: its nextest `crate::binary`, else the one suite
    /// cargo test has open.
    fn key_of<'n>(&self, full_name: &'n str) -> &'n str {
        let (prefix, _, _) = split_name(full_name);
        // Suite events name `crate::binary`; stress runs add `@stress-N` to test names only.
        match prefix.map(|p| p.split_once('@').map_or(p, |(k, _)| k)) {
            Some(p) if self.suites.contains_key(p) => p,
            _ => "",
        }
    }

    fn emit(&mut self, full_name: &str, outcome: Outcome, duration_s: f64) {
        let (prefix, name, attempts) = split_name(full_name);
        let flaky = outcome == Outcome::Passed && attempts > 1;
        let key = self.key_of(full_name);
        let mut suite_index = 0;
        if let Some(suite) = self.suites.get_mut(key) {
            suite.counts.add(outcome, flaky);
            suite_index = suite.index;
            let base = without_attempt(full_name);
            if let Some(i) = suite.running.iter().position(|r| r == base) {
                suite.running.remove(i);
            }
        }
        self.cases = self.cases.saturating_add(1);
        let message = if outcome == Outcome::Passed && !flaky { None } else { self.msg.take() };
        self.sink.case(TestCase {
            suite: prefix.unwrap_or("").to_owned(),
            suite_index,
            name: name.to_owned(),
            classname: prefix.map(str::to_owned),
            file: None,
            line: None,
            outcome,
            flaky,
            duration_s,
            runs: attempts.max(1),
            failed_runs: attempts
                .saturating_sub(1)
                .saturating_add(u32::from(matches!(outcome, Outcome::Failed | Outcome::Error))),
            message,
        });
    }

    /// A suite whose run ended without its closing event: the test binary crashed, was killed
    /// or aborted. Each test it had started becomes an errored case, and the tests it announced
    /// but never started become one more errored case, so the crash counts and shows.
    fn unfinished_suite(&mut self, key: &str, mut suite: OpenSuite) {
        let label = if key.is_empty() { "the test binary".to_owned() } else { format!("`{key}`") };
        let running = std::mem::take(&mut suite.running);
        let reported = suite.counts.tests;
        for name in &running {
            self.msg.clear();
            self.msg.push(&format!(
                "started but never reported a result: {label} stopped while this test was running \
                 (crashed, aborted or killed; see the runner's log)"
            ));
            self.emit_in(&mut suite, name);
        }
        let accounted = reported.saturating_add(running.len() as u64);
        let missing = suite.test_count.map_or(0, |n| n.saturating_sub(accounted));
        if missing > 0 || (running.is_empty() && suite.test_count.is_some()) {
            let n = suite.test_count.unwrap_or(0);
            self.msg.clear();
            self.msg.push(&format!(
                "{label} announced {n} test{} and stopped before reporting them all: {reported} \
                 reported a result, {} {} running when it stopped, {missing} never started",
                if n == 1 { "" } else { "s" },
                running.len(),
                if running.len() == 1 { "was" } else { "were" },
            ));
            let name = if missing > 0 {
                format!("[{missing} test{} never started: run aborted]", if missing == 1 { "" } else { "s" })
            } else {
                "[run aborted]".to_owned()
            };
            // Not a test of its own: a named stand-in for the tests the crash cost.
            self.emit_in(&mut suite, &name);
        }
    }

    /// Emits an errored case (a crash's stand-in) for a suite that is no longer in `self.suites`.
    fn emit_in(&mut self, suite: &mut OpenSuite, full_name: &str) {
        let (prefix, name, _) = split_name(full_name);
        suite.counts.add(Outcome::Error, false);
        self.cases = self.cases.saturating_add(1);
        self.sink.case(TestCase {
            classname: prefix.map(str::to_owned),
            ..TestCase::errored(
                prefix.unwrap_or("").to_owned(),
                suite.index,
                name.to_owned(),
                self.msg.take(),
            )
        });
    }

    fn finish(&mut self) {
        let mut timed_out: Vec<String> = self.timed_out.drain().collect();
        timed_out.sort();
        for name in timed_out {
            self.msg.clear();
            self.msg.push("timed out: libtest reported `timeout` and no result followed");
            self.emit(&name, Outcome::Failed, 0.0);
        }
        let mut open: Vec<(String, OpenSuite)> = self.suites.drain().collect();
        open.sort_by_key(|(_, s)| s.line);
        for (key, suite) in open {
            let complete = suite.closed && suite.running.is_empty();
            match suite.test_count {
                Some(n) if complete && suite.counts.tests > n => {
                    let message = format!(
                        "suite `{key}` started with test_count={n} but reported {} test results",
                        suite.counts.tests
                    );
                    self.finding(Some(suite.line), message);
                }
                Some(n) if complete && suite.counts.tests < n => self.unfinished_suite(&key, suite),
                _ if complete => {}
                _ => self.unfinished_suite(&key, suite),
            }
        }
    }
}

/// A test's name without nextest's `#N` attempt suffix.
fn without_attempt(full: &str) -> &str {
    match split_name(full) {
        (Some(_), _, n) if n > 1 => full.rsplit_once('#').map_or(full, |(base, _)| base),
        _ => full,
    }
}

/// Splits a nextest name `crate::binary$path#N` into (Some("crate::binary"), "path", N);
/// plain libtest names give (None, name, 1).
fn split_name(full: &str) -> (Option<&str>, &str, u32) {
    let (prefix, rest) = match full.split_once('$') {
        Some((p, r)) => (Some(p), r),
        None => (None, full),
    };
    if prefix.is_some()
        && let Some((name, n)) = rest.rsplit_once('#')
        && let Ok(n) = n.parse::<u32>()
    {
        return (prefix, name, n);
    }
    (prefix, rest, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CollectSink;

    fn run(text: &str) -> Result<CollectSink, ResultsError> {
        let mut sink = CollectSink::default();
        let n = read(text.as_bytes(), Path::new("t.json"), &mut sink)?;
        assert_eq!(n as usize, sink.cases.len());
        Ok(sink)
    }

    const CARGO: &str = r#"{ "type": "suite", "event": "started", "test_count": 3 }
{ "type": "test", "event": "started", "name": "tests::adds" }
{ "type": "test", "event": "started", "name": "tests::fails" }
{ "type": "test", "event": "started", "name": "tests::slow" }
{ "type": "test", "name": "tests::adds", "event": "ok", "exec_time": 0.0012 }

{ "type": "test", "name": "tests::fails", "event": "failed", "exec_time": 0.002, "stdout": "thread 'tests::fails' panicked at src/lib.rs:9:5:\nassertion failed\n" }
{ "type": "test", "event": "ignored", "name": "tests::slow", "message": "needs network" }
{ "type": "suite", "event": "failed", "passed": 1, "failed": 1, "ignored": 1, "measured": 0, "filtered_out": 0, "exec_time": 0.003 }
"#;

    #[test]
    fn cargo_test_events() {
        let sink = run(CARGO).unwrap();
        let c = &sink.cases;
        assert_eq!(c.len(), 3, "started events are not cases");
        assert_eq!(c[0].name, "tests::adds");
        assert_eq!(c[0].outcome, Outcome::Passed);
        assert_eq!(c[0].duration_s, 0.0012);
        assert_eq!(c[0].message, None);
        assert_eq!(c[1].outcome, Outcome::Failed);
        assert!(c[1].message.as_deref().unwrap().starts_with("thread 'tests::fails' panicked"));
        assert_eq!(c[2].outcome, Outcome::Skipped);
        assert_eq!(c[2].message.as_deref(), Some("needs network"));
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn suite_totals_are_compared() {
        let text = CARGO.replace("\"passed\": 1", "\"passed\": 4");
        let sink = run(&text).unwrap();
        assert_eq!(sink.findings.len(), 1, "{:?}", sink.findings);
        assert_eq!(sink.findings[0].line, Some(9));
        assert!(sink.findings[0].message.contains("passed=4 but has 1"));
    }

    #[test]
    fn nextest_names_retries_and_interleaved_suites() {
        let text = r#"{"type":"suite","event":"started","test_count":2,"nextest":{"crate":"app","test_binary":"app","kind":"lib"}}
{"type":"suite","event":"started","test_count":1,"nextest":{"crate":"app","test_binary":"cli","kind":"test"}}
{"type":"test","event":"started","name":"app::app$a::one"}
{"type":"test","event":"ok","name":"app::app$a::one#3","exec_time":0.5}
{"type":"test","event":"failed","name":"app::cli$runs","exec_time":1.0,"reason":"time limit exceeded"}
{"type":"test","event":"failed","name":"app::app$a::two#2","exec_time":0.1,"stdout":"boom"}
{"type":"suite","event":"failed","passed":1,"failed":1,"ignored":0,"measured":0,"filtered_out":0,"exec_time":0.6,"nextest":{"crate":"app","test_binary":"app","kind":"lib"}}
{"type":"suite","event":"failed","passed":0,"failed":1,"ignored":0,"measured":0,"filtered_out":3,"exec_time":1.0,"nextest":{"crate":"app","test_binary":"cli","kind":"test"}}
"#;
        let sink = run(text).unwrap();
        let c = &sink.cases;
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].suite, "app::app");
        assert_eq!(c[0].classname.as_deref(), Some("app::app"));
        assert_eq!(c[0].name, "a::one");
        assert!(c[0].flaky && c[0].outcome == Outcome::Passed);
        assert_eq!(c[1].message.as_deref(), Some("time limit exceeded"));
        assert_eq!(c[2].name, "a::two");
        assert!(!c[2].flaky && c[2].outcome == Outcome::Failed);
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn timeout_warning_is_not_a_second_case() {
        let text = r#"{ "type": "test", "event": "started", "name": "slow" }
{ "type": "test", "event": "timeout", "name": "slow" }
{ "type": "test", "event": "ok", "name": "slow" }
{ "type": "test", "event": "started", "name": "hangs" }
{ "type": "test", "event": "timeout", "name": "hangs" }
"#;
        let sink = run(text).unwrap();
        assert_eq!(sink.cases.len(), 2);
        assert_eq!(sink.cases[0].outcome, Outcome::Passed);
        assert_eq!(sink.cases[1].name, "hangs");
        assert_eq!(sink.cases[1].outcome, Outcome::Failed);
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn aborted_runs_are_errored_cases() {
        let text = "{\"type\":\"suite\",\"event\":\"started\",\"test_count\":4}\n\
                    {\"type\":\"test\",\"event\":\"started\",\"name\":\"a\"}\n\
                    {\"type\":\"test\",\"event\":\"started\",\"name\":\"b\"}\n\
                    {\"type\":\"test\",\"event\":\"ok\",\"name\":\"a\"}\n";
        let sink = run(text).unwrap();
        let got: Vec<(&str, Outcome)> = sink.cases.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
        assert_eq!(
            got,
            [
                ("a", Outcome::Passed),
                ("b", Outcome::Error),
                ("[2 tests never started: run aborted]", Outcome::Error)
            ]
        );
        assert_eq!(
            sink.cases[1].message.as_deref(),
            Some(
                "started but never reported a result: the test binary stopped while this test was running \
                 (crashed, aborted or killed; see the runner's log)"
            )
        );
        assert_eq!(
            sink.cases[2].message.as_deref(),
            Some(
                "the test binary announced 4 tests and stopped before reporting them all: 1 reported a \
                 result, 1 was running when it stopped, 2 never started"
            )
        );
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn bad_line_is_a_syntax_error_with_its_line() {
        let text = "{\"type\":\"test\",\"event\":\"ok\",\"name\":\"a\"}\n\nrunning 3 tests\n";
        match run(text) {
            Err(ResultsError::Syntax { line, column, .. }) => {
                assert_eq!(line, 3);
                assert!(column >= 1);
            }
            other => panic!("{other:?}"),
        }
        let unknown = "{\"type\":\"test\",\"event\":\"exploded\",\"name\":\"a\"}\n";
        assert!(matches!(
            run(unknown),
            Err(ResultsError::Syntax { line: 1, message, .. }) if message.contains("exploded")
        ));
        // Benchmarks are skipped, not errors.
        let bench = "{\"type\":\"bench\",\"name\":\"b\",\"median\":10,\"deviation\":1}\n";
        assert_eq!(run(bench).unwrap().cases.len(), 0);
    }

    #[test]
    fn split_nextest_names() {
        assert_eq!(split_name("m::t"), (None, "m::t", 1));
        assert_eq!(split_name("c::b$m::t"), (Some("c::b"), "m::t", 1));
        assert_eq!(split_name("c::b$m::t#2"), (Some("c::b"), "m::t", 2));
        assert_eq!(split_name("c::b$m::t#x"), (Some("c::b"), "m::t#x", 1));
    }
}
