//! Mocha `--reporter json` reader, streaming the `passes`, `pending` and `failures` arrays.
//!
//! Mocha writes each test in `tests` (without a status) and again in exactly one of `passes`,
//! `pending` or `failures`; a failed hook (`"before all" hook for …`) is only in `failures`.
//! So the three status arrays are the cases: `passes` → passed (flaky when `currentRetry` > 0:
//! it passed on a retry), `pending` → skipped, `failures` → failed (a failed hook too, as Mocha
//! counts it). `tests` is only counted. `stats` (`tests`, `passes`, `pending`, `failures`) is
//! compared with the arrays; a disagreement is a finding. `duration` is in milliseconds; the
//! suite is `fullTitle` without the test's own title.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess};

use super::json::{Each, Num, RootObject, count_elements, once, read_document};
use super::message::MessageBuf;
use super::{CaseSink, Finding, Outcome, ResultsError, TestCase};

#[derive(Debug, Default, Deserialize)]
struct Stats {
    #[serde(default)]
    tests: Num,
    #[serde(default)]
    passes: Num,
    #[serde(default)]
    pending: Num,
    #[serde(default)]
    failures: Num,
}

#[derive(Debug, Deserialize)]
struct MochaTest {
    title: String,
    #[serde(rename = "fullTitle", default)]
    full_title: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    duration: Num,
    #[serde(rename = "currentRetry", default)]
    current_retry: Num,
    #[serde(default)]
    err: Option<MochaErr>,
}

#[derive(Debug, Default, Deserialize)]
struct MochaErr {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    stack: Option<String>,
}

#[derive(Default)]
struct Listed {
    tests: u64,
    passes: u64,
    pending: u64,
    failures: u64,
}

struct State<'s> {
    sink: &'s mut dyn CaseSink,
    stats: Option<Stats>,
    listed: Listed,
    msg: MessageBuf,
}

/// Reads a Mocha JSON report from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(src: R, path: &Path, sink: &mut dyn CaseSink) -> Result<u64, ResultsError> {
    let mut state = State { sink, stats: None, listed: Listed::default(), msg: MessageBuf::default() };
    read_document(src, &mut state, |e| super::json::error(path, e))?;
    let l = &state.listed;
    let cases = l.passes.saturating_add(l.pending).saturating_add(l.failures);
    if let Some(s) = state.stats.take() {
        let pairs = [
            ("tests", s.tests, l.tests, "entries in `tests`"),
            ("passes", s.passes, l.passes, "entries in `passes`"),
            ("pending", s.pending, l.pending, "entries in `pending`"),
            ("failures", s.failures, l.failures, "entries in `failures`"),
        ];
        for (field, declared, counted, what) in pairs {
            if let Some(n) = declared.count()
                && n != counted
            {
                state.sink.finding(Finding {
                    file: path.to_path_buf(),
                    line: None,
                    message: format!("Mocha stats declare {field}={n} but the report has {counted} {what}"),
                });
            }
        }
    }
    Ok(cases)
}

impl RootObject for State<'_> {
    const EXPECTING: &'static str = "a Mocha JSON report object";
    const REQUIRED: &'static str = "stats";
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        seen: &mut Vec<&'static str>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let st = self;
        match key {
            "stats" => {
                once(seen, "stats")?;
                st.stats = Some(map.next_value()?);
            }
            "tests" => {
                once(seen, "tests")?;
                st.listed.tests = map.next_value_seed(CountSeed)?;
            }
            "passes" | "pending" | "failures" => {
                let (field, outcome): (&'static str, Outcome) = match key {
                    "passes" => ("passes", Outcome::Passed),
                    "pending" => ("pending", Outcome::Skipped),
                    _ => ("failures", Outcome::Failed),
                };
                once(seen, field)?;
                let mut n = 0u64;
                let mut each = |t: MochaTest| {
                    n = n.saturating_add(1);
                    st.emit(t, outcome);
                };
                map.next_value_seed(Each::new(&mut each))?;
                match outcome {
                    Outcome::Passed => st.listed.passes = n,
                    Outcome::Skipped => st.listed.pending = n,
                    _ => st.listed.failures = n,
                }
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct CountSeed;

impl<'de> DeserializeSeed<'de> for CountSeed {
    type Value = u64;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        count_elements(d)
    }
}

impl State<'_> {
    fn emit(&mut self, t: MochaTest, outcome: Outcome) {
        let retries = t.current_retry.count().map_or(0, |r| u32::try_from(r).unwrap_or(u32::MAX));
        let flaky = outcome == Outcome::Passed && retries > 0;
        self.msg.clear();
        if outcome == Outcome::Failed
            && let Some(err) = &t.err
        {
            match (&err.message, &err.stack) {
                // The stack starts with the message (`Error: message\n    at …`): keep it alone.
                (Some(m), Some(s)) if s.contains(m.as_str()) => self.msg.push(s),
                (m, s) => {
                    for part in [m, s].into_iter().flatten() {
                        self.msg.separate();
                        self.msg.push(part);
                    }
                }
            }
        }
        let suite = match &t.full_title {
            Some(full) => full.strip_suffix(t.title.as_str()).unwrap_or("").trim_end().to_owned(),
            None => String::new(),
        };
        let failed_now = u32::from(outcome == Outcome::Failed);
        self.sink.case(TestCase {
            suite,
            suite_index: 0,
            name: t.title,
            classname: None,
            file: t.file,
            line: None,
            outcome,
            flaky,
            duration_s: t.duration.ms_to_s(),
            runs: retries.saturating_add(1),
            failed_runs: retries.saturating_add(failed_now),
            message: self.msg.take(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CollectSink, Counts};

    fn run(json: &str) -> Result<CollectSink, ResultsError> {
        let mut sink = CollectSink::default();
        let n = read(json.as_bytes(), Path::new("m.json"), &mut sink)?;
        assert_eq!(n as usize, sink.cases.len());
        Ok(sink)
    }

    #[test]
    fn statuses_retries_and_stats() {
        let json = r#"{"stats":{"tests":3,"passes":1,"pending":1,"failures":2},
          "tests":[{"title":"a"},{"title":"b"},{"title":"c"}],
          "pending":[{"title":"b","fullTitle":"S b","file":"t.js","err":{}}],
          "failures":[{"title":"c","fullTitle":"S c","duration":11,"currentRetry":2,
             "err":{"message":"boom","stack":"Error: boom\n    at t.js:3"}},
             {"title":"\"before all\" hook","fullTitle":"S \"before all\" hook","err":{"message":"no server"}}],
          "passes":[{"title":"a","fullTitle":"S a","duration":5,"currentRetry":1,"err":{}}]}"#;
        let sink = run(json).unwrap();
        let c = Counts::of(&sink.cases);
        assert_eq!((c.tests, c.passed, c.failures, c.skipped, c.flaky), (4, 1, 2, 1, 1));
        let c = &sink.cases[1];
        assert_eq!((c.suite.as_str(), c.name.as_str(), c.runs, c.failed_runs), ("S", "c", 3, 3));
        assert_eq!(c.message.as_deref(), Some("Error: boom\n    at t.js:3"));
        assert_eq!(c.duration_s, 0.011);
        assert_eq!(sink.cases[2].message.as_deref(), Some("no server"));
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn disagreeing_stats_and_bad_documents() {
        let sink = run(r#"{"stats":{"passes":2},"passes":[{"title":"a"}]}"#).unwrap();
        assert_eq!(
            sink.findings[0].message,
            "Mocha stats declare passes=2 but the report has 1 entries in `passes`"
        );
        match run("{\"stats\":{},\n\"passes\":[{\"title\":1}]}") {
            Err(ResultsError::Syntax { line: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            run(r#"{"stats":{},"passes":[{"title":"a"}"#),
            Err(ResultsError::Syntax { line: 1, .. })
        ));
        assert!(matches!(run(r#"{"passes":[]}"#), Err(ResultsError::Syntax { .. })));
    }
}
