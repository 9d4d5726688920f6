//! Dart/Flutter `--reporter json` reader (`dart test`, `flutter test --machine`): the test
//! package's JSON protocol, one event object a line.
//!
//! - `suite` events name the suites (a test file's path); `testStart` registers a test (its
//!   name already holds its groups' names), `error` adds its message and stack trace to it,
//!   a skip's `print` its reason, and `testDone` ends it:
//!   `success` → passed (skipped when `skipped: true`), `failure` → failed, `error` → error.
//! - Hidden tests (`hidden: true`, the runner's "loading <file>" stand-ins) are not cases,
//!   unless they did not succeed: a file that failed to load is an errored case.
//! - A test that started and never ended when the stream ends is an errored case; a stream
//!   without its `done` event (the runner was killed) is one more, `[run did not finish]`; a
//!   `done` with `success: false` and no failing case is `[run failed]`.
//! - Lines that are not JSON objects are ignored (`flutter test` prints some); a line that starts
//!   with `{` must parse, else a syntax error with its line.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::json::Num;
use super::message::MessageBuf;
use super::{CaseSink, Outcome, ResultsError, TestCase};

#[derive(Debug, Deserialize)]
struct Event {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    suite: Option<SuiteInfo>,
    #[serde(default)]
    test: Option<TestInfo>,
    #[serde(rename = "testID", default)]
    test_id: Option<u64>,
    #[serde(default)]
    result: Option<String>,
    #[serde(default)]
    skipped: bool,
    #[serde(default)]
    hidden: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(rename = "stackTrace", default)]
    stack_trace: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    success: Option<bool>,
    #[serde(default)]
    time: Num,
}

#[derive(Debug, Deserialize)]
struct SuiteInfo {
    id: u64,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
struct TestInfo {
    id: u64,
    #[serde(default)]
    name: String,
    #[serde(rename = "suiteID", default)]
    suite_id: Option<u64>,
    #[serde(default)]
    metadata: Option<Metadata>,
    #[serde(default)]
    line: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
struct Metadata {
    #[serde(rename = "skipReason", default)]
    skip_reason: Option<String>,
}

/// A test that started.
struct Running {
    name: String,
    suite_id: Option<u64>,
    line: Option<u32>,
    start_ms: f64,
    skip_reason: Option<String>,
    msg: MessageBuf,
}

struct State<'s> {
    sink: &'s mut dyn CaseSink,
    suites: HashMap<u64, (String, u32)>,
    running: HashMap<u64, Running>,
    /// Start order of the running tests (a HashMap has none): for deterministic stand-ins.
    order: Vec<u64>,
    cases: u64,
    failing: u64,
    done: Option<bool>,
}

/// Reads a Dart JSON reporter stream. Returns the number of cases read.
pub(super) fn read<R: BufRead>(src: R, path: &Path, sink: &mut dyn CaseSink) -> Result<u64, ResultsError> {
    let mut state = State {
        sink,
        suites: HashMap::new(),
        running: HashMap::new(),
        order: Vec::new(),
        cases: 0,
        failing: 0,
        done: None,
    };
    let mut lines = super::json::Lines::new(src);
    while let Some((line_no, text)) = lines.next_line(path)? {
        let body = text.trim_ascii();
        if body.first() != Some(&b'{') {
            continue;
        }
        let event: Event = serde_json::from_slice(body).map_err(|e| ResultsError::Syntax {
            path: path.to_path_buf(),
            line: line_no,
            column: (e.column() as u64).max(1),
            message: format!("not a Dart test event: {e}"),
        })?;
        state.event(event);
    }
    state.finish();
    Ok(state.cases)
}

impl State<'_> {
    fn event(&mut self, e: Event) {
        match e.kind.as_str() {
            "suite" => {
                if let Some(s) = e.suite {
                    let index = u32::try_from(self.suites.len()).unwrap_or(u32::MAX);
                    self.suites.entry(s.id).or_insert((s.path.unwrap_or_default(), index));
                }
            }
            "testStart" => {
                if let Some(t) = e.test {
                    let skip_reason = t.metadata.and_then(|m| m.skip_reason);
                    self.order.push(t.id);
                    self.running.insert(
                        t.id,
                        Running {
                            name: t.name,
                            suite_id: t.suite_id,
                            line: t.line,
                            start_ms: e.time.0.unwrap_or(0.0),
                            skip_reason,
                            msg: MessageBuf::default(),
                        },
                    );
                }
            }
            "error" => {
                if let Some(r) = e.test_id.and_then(|id| self.running.get_mut(&id)) {
                    r.msg.push(e.error.as_deref().unwrap_or(""));
                    r.msg.separate();
                    r.msg.push(e.stack_trace.as_deref().unwrap_or(""));
                    r.msg.separate();
                }
            }
            "print" => {
                if let Some(r) = e.test_id.and_then(|id| self.running.get_mut(&id))
                    && e.skipped
                {
                    r.msg.push(e.message.as_deref().unwrap_or(""));
                }
            }
            "testDone" => {
                let Some(id) = e.test_id else { return };
                let Some(r) = self.running.remove(&id) else { return };
                let outcome = match e.result.as_deref() {
                    Some("success") if e.skipped => Outcome::Skipped,
                    Some("success") => Outcome::Passed,
                    Some("failure") => Outcome::Failed,
                    // "error", and anything the protocol may add: never a pass.
                    _ => Outcome::Error,
                };
                if e.hidden && outcome == Outcome::Passed {
                    return;
                }
                let end = e.time.0.unwrap_or(r.start_ms);
                let duration_s = ((end - r.start_ms) / 1000.0).max(0.0);
                self.emit(r, outcome, duration_s);
            }
            "done" => self.done = Some(e.success.unwrap_or(false)),
            _ => {}
        }
    }

    fn emit(&mut self, mut r: Running, outcome: Outcome, duration_s: f64) {
        let (suite, suite_index) =
            r.suite_id.and_then(|id| self.suites.get(&id).cloned()).unwrap_or_else(|| (String::new(), 0));
        let message = match outcome {
            Outcome::Passed => None,
            Outcome::Skipped => r.skip_reason.take().or_else(|| r.msg.take()),
            _ => r.msg.take(),
        };
        if matches!(outcome, Outcome::Failed | Outcome::Error) {
            self.failing = self.failing.saturating_add(1);
        }
        self.cases = self.cases.saturating_add(1);
        self.sink.case(TestCase {
            file: Some(suite.clone()).filter(|s| !s.is_empty()),
            line: r.line,
            duration_s,
            message,
            ..TestCase::ran_once(suite, suite_index, r.name, outcome)
        });
    }

    fn stand_in(&mut self, name: &str, message: &str) {
        let mut msg = MessageBuf::default();
        msg.push(message);
        let r = Running {
            name: name.to_owned(),
            suite_id: None,
            line: None,
            start_ms: 0.0,
            skip_reason: None,
            msg,
        };
        self.emit(r, Outcome::Error, 0.0);
    }

    fn finish(&mut self) {
        // Tests still running when the stream ended never finished: errors, in start order.
        for id in std::mem::take(&mut self.order) {
            if let Some(mut r) = self.running.remove(&id) {
                r.msg.separate();
                r.msg.push("the test started and never finished (the run ended first)");
                self.emit(r, Outcome::Error, 0.0);
            }
        }
        match self.done {
            None => self.stand_in(
                "[run did not finish]",
                "the event stream ends without its `done` event: the runner was killed or crashed",
            ),
            Some(false) if self.failing == 0 => self.stand_in(
                "[run failed]",
                "the runner's `done` event says success: false, with no failing test",
            ),
            _ => {}
        }
    }
}
