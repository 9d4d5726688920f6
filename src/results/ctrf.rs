//! CTRF JSON reader (<https://ctrf.io>), streaming the `results.tests` array.
//!
//! The document is walked with serde seeds/visitors: each element of `tests` is deserialised,
//! turned into a [`TestCase`] and handed to the sink before the next one is read, so the array
//! is never collected. Unknown fields are ignored (CTRF has many optional ones).
//!
//! Status mapping: `passed` → Passed, `failed` → Failed, `skipped` and `pending` → Skipped,
//! `other` → Skipped (CTRF uses it for outcomes that are neither a pass nor a failure, e.g.
//! "todo" or "disabled": the test did not produce a verdict, so it is not counted as a pass or
//! a failure). Any other status is an error. `flaky: true` marks a passed test flaky.
//! `duration` is in milliseconds. `suite` may be a string or (CTRF ≥ 0.0.16) an array from the
//! outermost to the innermost suite; the innermost is kept.
//!
//! Strings are read whole by serde_json before being cut to [`super::MESSAGE_LIMIT`], so a
//! single huge `message`/`trace` is held in memory once while its case is read.
//! Findings have no line: serde does not expose value positions.

use std::fmt;
use std::io::BufRead;
use std::path::Path;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::json::{RootObject, json_error, once, read_document};
use super::message::MessageBuf;
use super::{CaseSink, Finding, Outcome, ResultsError, TestCase};

/// Reads a CTRF document from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(src: R, path: &Path, sink: &mut dyn CaseSink) -> Result<u64, ResultsError> {
    let mut state =
        State { sink, msg: MessageBuf::default(), counted: StatusCounts::default(), summary: None };
    read_document(src, &mut state, |e| json_error(path, e))?;

    if let Some(summary) = state.summary.take() {
        compare_summary(path, &summary, &state.counted, state.sink);
    }
    Ok(state.counted.total())
}

struct State<'s> {
    sink: &'s mut dyn CaseSink,
    msg: MessageBuf,
    counted: StatusCounts,
    summary: Option<Summary>,
}

/// Cases per CTRF status, as counted.
#[derive(Debug, Default)]
struct StatusCounts {
    passed: u64,
    failed: u64,
    skipped: u64,
    pending: u64,
    other: u64,
}

impl StatusCounts {
    fn total(&self) -> u64 {
        [self.passed, self.failed, self.skipped, self.pending, self.other]
            .iter()
            .fold(0, |a, &n| a.saturating_add(n))
    }
}

/// `results.summary`: the declared totals (other summary fields are ignored).
#[derive(Debug, Deserialize)]
struct Summary {
    tests: Option<u64>,
    passed: Option<u64>,
    failed: Option<u64>,
    skipped: Option<u64>,
    pending: Option<u64>,
    other: Option<u64>,
}

fn compare_summary(path: &Path, s: &Summary, c: &StatusCounts, sink: &mut dyn CaseSink) {
    let pairs = [
        ("tests", s.tests, c.total()),
        ("passed", s.passed, c.passed),
        ("failed", s.failed, c.failed),
        ("skipped", s.skipped, c.skipped),
        ("pending", s.pending, c.pending),
        ("other", s.other, c.other),
    ];
    for (field, declared, counted) in pairs {
        if let Some(n) = declared
            && n != counted
        {
            let noun = match (field, counted == 1) {
                ("tests", true) => "test".to_owned(),
                ("tests", false) => "tests".to_owned(),
                (status, true) => format!("test with status `{status}`"),
                (status, false) => format!("tests with status `{status}`"),
            };
            sink.finding(Finding {
                file: path.to_path_buf(),
                line: None,
                message: format!("CTRF summary declares {field}={n} but the report has {counted} {noun}"),
            });
        }
    }
}

impl RootObject for State<'_> {
    const EXPECTING: &'static str = "a CTRF report object";
    const REQUIRED: &'static str = "results";
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        seen: &mut Vec<&'static str>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        if key == "results" {
            once(seen, "results")?;
            map.next_value_seed(ResultsSeed(self))?;
        } else {
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

struct ResultsSeed<'a, 's>(&'a mut State<'s>);

impl<'de> DeserializeSeed<'de> for ResultsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ResultsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the CTRF `results` object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen_tests = false;
        while let Some(key) = map.next_key::<KeyName>()? {
            match key.0.as_str() {
                "tests" => {
                    if seen_tests {
                        return Err(de::Error::duplicate_field("tests"));
                    }
                    seen_tests = true;
                    map.next_value_seed(TestsSeed(&mut *self.0))?;
                }
                "summary" => {
                    if self.0.summary.is_some() {
                        return Err(de::Error::duplicate_field("summary"));
                    }
                    self.0.summary = Some(map.next_value::<Summary>()?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !seen_tests {
            return Err(de::Error::missing_field("tests"));
        }
        Ok(())
    }
}

/// An object key; short-lived, reused only for matching.
struct KeyName(String);

impl<'de> Deserialize<'de> for KeyName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(KeyName)
    }
}

struct TestsSeed<'a, 's>(&'a mut State<'s>);

impl<'de> DeserializeSeed<'de> for TestsSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for TestsSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the CTRF `tests` array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // One element at a time: each test is emitted before the next is parsed.
        while let Some(test) = seq.next_element::<RawTest>()? {
            self.0.emit(test);
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Passed,
    Failed,
    Skipped,
    Pending,
    Other,
}

/// One element of `tests` (fields gen-report uses; the rest are skipped).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTest {
    name: String,
    status: Status,
    #[serde(default)]
    duration: LenientNumber,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    trace: Option<String>,
    #[serde(default)]
    file_path: Option<String>,
    #[serde(default)]
    line: LenientNumber,
    #[serde(default)]
    suite: Option<SuiteField>,
    #[serde(default)]
    flaky: Option<bool>,
    /// Attempts before the final one (CTRF `retries`).
    #[serde(default)]
    retries: LenientNumber,
}

impl State<'_> {
    fn emit(&mut self, t: RawTest) {
        let outcome = match t.status {
            Status::Passed => {
                self.counted.passed = self.counted.passed.saturating_add(1);
                Outcome::Passed
            }
            Status::Failed => {
                self.counted.failed = self.counted.failed.saturating_add(1);
                Outcome::Failed
            }
            Status::Skipped => {
                self.counted.skipped = self.counted.skipped.saturating_add(1);
                Outcome::Skipped
            }
            Status::Pending => {
                self.counted.pending = self.counted.pending.saturating_add(1);
                Outcome::Skipped
            }
            Status::Other => {
                self.counted.other = self.counted.other.saturating_add(1);
                Outcome::Skipped
            }
        };
        self.msg.clear();
        if let Some(m) = &t.message {
            self.msg.push(m);
        }
        if let Some(trace) = &t.trace {
            self.msg.separate();
            self.msg.push(trace);
        }
        let duration_s = match t.duration.0 {
            Some(ms) if ms.is_finite() && ms > 0.0 => ms / 1000.0,
            _ => 0.0,
        };
        let line =
            t.line.0.filter(|l| l.fract() == 0.0 && *l >= 1.0 && *l <= f64::from(u32::MAX)).map(|l| l as u32);
        let retries =
            t.retries.0.filter(|r| r.fract() == 0.0 && *r >= 0.0 && *r < 1e6).map_or(0, |r| r as u32);
        let failed_now = u32::from(outcome == Outcome::Failed);
        self.sink.case(TestCase {
            runs: retries.saturating_add(1),
            failed_runs: retries.saturating_add(failed_now),
            suite: t.suite.map(|s| s.0).unwrap_or_default(),
            // One CTRF document is one run: its suites are names only.
            suite_index: 0,
            name: t.name,
            classname: None,
            file: t.file_path,
            line,
            outcome,
            flaky: outcome == Outcome::Passed && t.flaky == Some(true),
            duration_s,
            message: self.msg.take(),
        });
    }
}

/// A number that may also come as a numeric string or null (reporters differ).
#[derive(Debug, Default)]
struct LenientNumber(Option<f64>);

impl<'de> Deserialize<'de> for LenientNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = LenientNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LenientNumber, E> {
                Ok(LenientNumber(Some(v as f64)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LenientNumber, E> {
                Ok(LenientNumber(Some(v as f64)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LenientNumber, E> {
                Ok(LenientNumber(Some(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LenientNumber, E> {
                Ok(LenientNumber(v.trim().parse().ok()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<LenientNumber, E> {
                Ok(LenientNumber(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// `suite`: a string, or an array of strings from outermost to innermost (innermost kept).
#[derive(Debug)]
struct SuiteField(String);

impl<'de> Deserialize<'de> for SuiteField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SuiteField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a suite name or an array of suite names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SuiteField, E> {
                Ok(SuiteField(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<SuiteField, E> {
                Ok(SuiteField(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<SuiteField, E> {
                Ok(SuiteField(String::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SuiteField, A::Error> {
                let mut last = String::new();
                while let Some(s) = seq.next_element::<String>()? {
                    last = s;
                }
                Ok(SuiteField(last))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CollectSink, MESSAGE_LIMIT};

    fn run(json: &str) -> Result<CollectSink, ResultsError> {
        let mut sink = CollectSink::default();
        let n = read(json.as_bytes(), Path::new("r.json"), &mut sink)?;
        assert_eq!(n as usize, sink.cases.len());
        Ok(sink)
    }

    const REPORT: &str = r#"{
      "reportFormat": "CTRF", "specVersion": "0.0.0",
      "results": {
        "tool": { "name": "jest", "version": "29.7.0" },
        "tests": [
          { "name": "adds", "status": "passed", "duration": 1500, "suite": "math.test.js > add",
            "filePath": "src/math.test.js", "line": 12, "screenshot": "AAAA", "extra": {"a": [1]} },
          { "name": "subtracts", "status": "failed", "duration": 20, "message": "expected 1",
            "trace": "Error: expected 1\n    at sub (math.test.js:20:5)",
            "suite": ["math", "sub"] },
          { "name": "retried", "status": "passed", "duration": 3, "flaky": true, "retries": 2 },
          { "name": "later", "status": "pending", "duration": 0 },
          { "name": "todo", "status": "other", "duration": null },
          { "name": "off", "status": "skipped", "duration": "7" }
        ],
        "summary": { "tests": 7, "passed": 2, "failed": 1, "skipped": 1, "pending": 1,
                     "other": 1, "start": 1, "stop": 2 },
        "environment": { "appName": "x" }
      }
    }"#;

    #[test]
    fn maps_statuses_durations_and_suites() {
        let sink = run(REPORT).unwrap();
        let c = &sink.cases;
        assert_eq!(c.len(), 6);
        assert_eq!(c[0].outcome, Outcome::Passed);
        assert_eq!(c[0].duration_s, 1.5);
        assert_eq!(c[0].suite, "math.test.js > add");
        assert_eq!(c[0].file.as_deref(), Some("src/math.test.js"));
        assert_eq!(c[0].line, Some(12));
        assert_eq!(c[1].outcome, Outcome::Failed);
        assert_eq!(c[1].suite, "sub", "innermost of an array suite");
        assert_eq!(
            c[1].message.as_deref(),
            Some("expected 1\nError: expected 1\n    at sub (math.test.js:20:5)")
        );
        assert!(c[2].flaky && c[2].outcome == Outcome::Passed);
        assert_eq!(c[3].outcome, Outcome::Skipped, "pending");
        assert_eq!(c[4].outcome, Outcome::Skipped, "other");
        assert_eq!(c[4].duration_s, 0.0);
        assert_eq!(c[5].duration_s, 0.007, "numeric string duration");
    }

    #[test]
    fn summary_mismatch_becomes_a_finding() {
        let sink = run(REPORT).unwrap();
        assert_eq!(sink.findings.len(), 1, "{:?}", sink.findings);
        assert_eq!(sink.findings[0].message, "CTRF summary declares tests=7 but the report has 6 tests");
    }

    #[test]
    fn flaky_only_counts_on_a_pass() {
        let sink = run(
            r#"{"results":{"tool":{"name":"t"},"tests":[{"name":"a","status":"failed","duration":1,"flaky":true}]}}"#,
        )
        .unwrap();
        assert!(!sink.cases[0].flaky);
        assert!(sink.findings.is_empty(), "no summary, nothing compared");
    }

    #[test]
    fn errors_have_positions() {
        let bad = "{\"results\": {\"tests\": [\n  {\"name\": \"a\", \"status\": \"passed\",}\n]}}";
        match run(bad) {
            Err(ResultsError::Syntax { line, column, .. }) => {
                assert_eq!(line, 2);
                assert!(column > 30, "{column}");
            }
            other => panic!("{other:?}"),
        }
        let status = "{\"results\": {\"tests\": [\n{\"name\": \"a\", \"status\": \"broken\"}]}}";
        match run(status) {
            Err(ResultsError::Syntax { line, message, .. }) => {
                assert_eq!(line, 2);
                assert!(message.contains("broken"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            run("{\"results\": {\"tool\": {}}}"),
            Err(ResultsError::Syntax { message, .. }) if message.contains("tests")
        ));
        assert!(matches!(run("{\"results\": {\"tests\": []}} trailing"), Err(ResultsError::Syntax { .. })));
        assert!(matches!(
            run("{\"results\": {\"tests\": [], \"tests\": []}}"),
            Err(ResultsError::Syntax { message, .. }) if message.contains("duplicate")
        ));
    }

    #[test]
    fn long_message_is_truncated() {
        let long = "x".repeat(MESSAGE_LIMIT * 3);
        let json = format!(
            r#"{{"results":{{"tests":[{{"name":"a","status":"failed","duration":1,"message":"{long}"}}]}}}}"#
        );
        let sink = run(&json).unwrap();
        let m = sink.cases[0].message.as_deref().unwrap();
        assert!(m.len() <= MESSAGE_LIMIT, "{}", m.len());
        // Both ends kept, the middle cut with the count of bytes not shown.
        assert!(m.starts_with("xxx") && m.ends_with("xxx"), "{m}");
        assert!(m.contains("… (") && m.contains(" bytes cut) …"), "{m}");
    }
}
