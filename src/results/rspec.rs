//! RSpec `--format json` reader, streaming `examples`.
//!
//! Each example is a case: `passed` → passed, `failed` → failed (RSpec has no error status: an
//! unexpected exception is a failure too, and so is a pending example that passed, "FIXED"),
//! `pending` → skipped with its `pending_message`. `suite` and `file` are the example's
//! `file_path`, `name` its `full_description`. `summary.errors_outside_of_examples_count` > 0
//! (a spec file that failed to load, an error in a `before(:suite)` hook) becomes one errored
//! case `[N errors outside of examples]` with the report's `messages`; the other summary counts
//! are compared with the examples.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess};

use super::json::{Each, Num, RootObject, Text, once, read_document};
use super::message::MessageBuf;
use super::{CaseSink, Counts, Finding, Outcome, ResultsError, TestCase};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Passed,
    Failed,
    Pending,
}

#[derive(Debug, Deserialize)]
struct Example {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    full_description: Option<String>,
    status: Status,
    #[serde(default)]
    file_path: Option<String>,
    #[serde(default)]
    line_number: Num,
    #[serde(default)]
    run_time: Num,
    #[serde(default)]
    pending_message: Option<String>,
    #[serde(default)]
    exception: Option<Exception>,
}

#[derive(Debug, Deserialize)]
struct Exception {
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    backtrace: Text,
}

#[derive(Debug, Default, Deserialize)]
struct Summary {
    #[serde(default)]
    example_count: Num,
    #[serde(default)]
    failure_count: Num,
    #[serde(default)]
    pending_count: Num,
    #[serde(default)]
    errors_outside_of_examples_count: Num,
}

struct State<'s> {
    sink: &'s mut dyn CaseSink,
    messages: Text,
    summary: Option<Summary>,
    counts: Counts,
    msg: MessageBuf,
}

/// Reads an RSpec JSON report from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(src: R, path: &Path, sink: &mut dyn CaseSink) -> Result<u64, ResultsError> {
    let mut state = State {
        sink,
        messages: Text::default(),
        summary: None,
        counts: Counts::default(),
        msg: MessageBuf::default(),
    };
    read_document(src, &mut state, |e| super::json::error(path, e))?;
    let examples = state.counts;
    let mut cases = examples.tests;
    if let Some(s) = state.summary.take() {
        let pairs = [
            ("example_count", s.example_count, examples.tests, "examples"),
            ("failure_count", s.failure_count, examples.failures, "failed examples"),
            ("pending_count", s.pending_count, examples.skipped, "pending examples"),
        ];
        for (field, declared, counted, what) in pairs {
            if let Some(n) = declared.count()
                && n != counted
            {
                state.sink.finding(Finding {
                    file: path.to_path_buf(),
                    line: None,
                    message: format!(
                        "the RSpec summary declares {field}={n} but the report has {counted} {what}"
                    ),
                });
            }
        }
        if let Some(n) = s.errors_outside_of_examples_count.count().filter(|n| *n > 0) {
            let s_ = if n == 1 { "" } else { "s" };
            let message = state.messages.text.take().or_else(|| {
                Some(format!(
                    "RSpec reports {n} error{s_} outside of examples (e.g. a spec file that failed to load)"
                ))
            });
            cases = cases.saturating_add(1);
            state.sink.case(TestCase::errored(
                String::new(),
                0,
                format!("[{n} error{s_} outside of examples]"),
                message,
            ));
        }
    }
    Ok(cases)
}

impl RootObject for State<'_> {
    const EXPECTING: &'static str = "an RSpec JSON report object";
    const REQUIRED: &'static str = "examples";
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        seen: &mut Vec<&'static str>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let st = self;
        match key {
            "examples" => {
                once(seen, "examples")?;
                let mut each = |e: Example| st.emit(e);
                map.next_value_seed(Each::new(&mut each))?;
            }
            "messages" => {
                once(seen, "messages")?;
                st.messages = map.next_value()?;
            }
            "summary" => {
                once(seen, "summary")?;
                st.summary = Some(map.next_value()?);
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl State<'_> {
    fn emit(&mut self, e: Example) {
        let outcome = match e.status {
            Status::Passed => Outcome::Passed,
            Status::Failed => Outcome::Failed,
            Status::Pending => Outcome::Skipped,
        };
        self.msg.clear();
        match outcome {
            Outcome::Skipped => {
                if let Some(m) = &e.pending_message {
                    self.msg.push(m);
                }
            }
            Outcome::Failed => {
                if let Some(x) = &e.exception {
                    let head = match (&x.class, &x.message) {
                        (Some(c), Some(m)) => format!("{c}: {}", m.trim_start()),
                        (Some(c), None) => c.clone(),
                        (None, Some(m)) => m.clone(),
                        (None, None) => String::new(),
                    };
                    self.msg.push(&head);
                    if let Some(bt) = &x.backtrace.text {
                        self.msg.separate();
                        self.msg.push(bt);
                    }
                }
            }
            _ => {}
        }
        self.counts.add(outcome, false);
        let name = e.full_description.or(e.description).unwrap_or_default();
        self.sink.case(TestCase {
            suite: e.file_path.clone().unwrap_or_default(),
            suite_index: 0,
            name,
            classname: None,
            file: e.file_path,
            line: e.line_number.count().and_then(|l| u32::try_from(l).ok()),
            outcome,
            flaky: false,
            duration_s: e.run_time.secs(),
            runs: 1,
            failed_runs: u32::from(outcome == Outcome::Failed),
            message: self.msg.take(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CollectSink;

    fn run(json: &str) -> Result<CollectSink, ResultsError> {
        let mut sink = CollectSink::default();
        let n = read(json.as_bytes(), Path::new("r.json"), &mut sink)?;
        assert_eq!(n as usize, sink.cases.len());
        Ok(sink)
    }

    #[test]
    fn examples_and_errors_outside() {
        let json = r#"{"version":"3.12.0","messages":["An error occurred while loading ./spec/b_spec.rb"],
          "examples":[
            {"full_description":"R adds","status":"passed","file_path":"./spec/r_spec.rb","line_number":5,"run_time":0.02},
            {"full_description":"R fails","status":"failed","file_path":"./spec/r_spec.rb","line_number":9,
             "exception":{"class":"NoMethodError","message":"undefined method","backtrace":["a.rb:1","a.rb:2"]}},
            {"full_description":"R later","status":"pending","pending_message":"needs a db"}],
          "summary":{"example_count":3,"failure_count":1,"pending_count":1,"errors_outside_of_examples_count":1}}"#;
        let sink = run(json).unwrap();
        let got: Vec<(&str, Outcome, Option<&str>)> =
            sink.cases.iter().map(|c| (c.name.as_str(), c.outcome, c.message.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("R adds", Outcome::Passed, None),
                ("R fails", Outcome::Failed, Some("NoMethodError: undefined method\na.rb:1\na.rb:2")),
                ("R later", Outcome::Skipped, Some("needs a db")),
                (
                    "[1 error outside of examples]",
                    Outcome::Error,
                    Some("An error occurred while loading ./spec/b_spec.rb")
                ),
            ]
        );
        assert_eq!((sink.cases[1].file.as_deref(), sink.cases[1].line), (Some("./spec/r_spec.rb"), Some(9)));
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn bad_status_is_an_error_with_position() {
        match run("{\"examples\":[\n{\"status\":\"broken\"}]}") {
            Err(ResultsError::Syntax { line: 2, message, .. }) => {
                assert!(message.contains("broken"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
}
