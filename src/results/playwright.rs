//! Playwright `--reporter=json` reader.
//!
//! The document is `{config, suites, errors, stats}`; suites nest (file → describe → …), each
//! with `specs`; a spec (one `test()` call) has one `tests[]` entry per project, and each of
//! those is a case, with one `results[]` entry per attempt (retries). The case's outcome is
//! Playwright's own verdict in `status`, as its summary counts it:
//! - `expected` → passed (a `test.fail()` that failed as expected too: Playwright counts it
//!   passed), or skipped when the expected status was `skipped`;
//! - `flaky` → passed and flaky (an attempt failed, a later one passed);
//! - `skipped` → skipped (reason from the `skip`/`fixme` annotation);
//! - `unexpected` → the last attempt decides: `interrupted` is an error (the run was stopped),
//!   `failed`, `timedOut` and an unexpected pass (`test.fail()` that passed) are failures;
//! - any other status is an error naming it.
//!
//! Top-level `errors[]` (a global setup that threw, a test file that did not load, "Testing
//! stopped early after N maximum allowed failures") are one errored case `[run error]` with
//! their messages: the run did not do what it was asked. `stats` (`expected`, `unexpected`,
//! `flaky`, `skipped`) is compared with the cases; a disagreement is a finding.
//!
//! The document is read whole (Playwright writes it in one piece at the end of the run, so
//! its size is its reporter's memory too).

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::json::{Num, strip_ansi};
use super::message::MessageBuf;
use super::{CaseSink, Finding, Outcome, ResultsError, TestCase};

#[derive(Debug, Deserialize)]
struct Doc {
    #[serde(default)]
    suites: Vec<Suite>,
    #[serde(default)]
    errors: Vec<PwError>,
    #[serde(default)]
    stats: Option<Stats>,
}

#[derive(Debug, Default, Deserialize)]
struct Stats {
    #[serde(default)]
    expected: Option<u64>,
    #[serde(default)]
    unexpected: Option<u64>,
    #[serde(default)]
    flaky: Option<u64>,
    #[serde(default)]
    skipped: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Suite {
    #[serde(default)]
    title: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    specs: Vec<Spec>,
    #[serde(default)]
    suites: Vec<Suite>,
}

#[derive(Debug, Deserialize)]
struct Spec {
    title: String,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default)]
    tests: Vec<Test>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Test {
    #[serde(default)]
    project_name: Option<String>,
    #[serde(default)]
    expected_status: Option<String>,
    status: String,
    #[serde(default)]
    annotations: Vec<Annotation>,
    #[serde(default)]
    results: Vec<PwResult>,
}

#[derive(Debug, Deserialize)]
struct Annotation {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
struct PwResult {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    duration: Num,
    #[serde(default)]
    errors: Vec<PwError>,
    #[serde(default)]
    error: Option<PwError>,
}

#[derive(Debug, Default, Deserialize)]
struct PwError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    stack: Option<String>,
}

/// Tally for the `stats` comparison (the run-error stand-in is not in Playwright's stats).
#[derive(Default)]
struct Tally {
    expected: u64,
    unexpected: u64,
    flaky: u64,
    skipped: u64,
}

struct State<'s> {
    sink: &'s mut dyn CaseSink,
    tally: Tally,
    cases: u64,
    suites: u32,
    msg: MessageBuf,
}

/// Reads a Playwright JSON report. Returns the number of cases read.
pub(super) fn read<R: BufRead>(src: R, path: &Path, sink: &mut dyn CaseSink) -> Result<u64, ResultsError> {
    let mut de = serde_json::Deserializer::from_reader(src);
    let to_error = |e: serde_json::Error| super::json::error(path, e);
    let doc = Doc::deserialize(&mut de).map_err(to_error)?;
    de.end().map_err(to_error)?;
    let mut state = State { sink, tally: Tally::default(), cases: 0, suites: 0, msg: MessageBuf::default() };
    let mut titles = Vec::new();
    for suite in &doc.suites {
        state.suite(suite, &mut titles, None);
    }
    if !doc.errors.is_empty() {
        state.msg.clear();
        for e in &doc.errors {
            state.push_error(e);
        }
        let case = TestCase::errored(String::new(), state.suites, "[run error]".to_owned(), state.msg.take());
        state.cases = state.cases.saturating_add(1);
        state.sink.case(case);
    }
    if let Some(s) = &doc.stats {
        let t = &state.tally;
        let pairs = [
            ("expected", s.expected, t.expected),
            ("unexpected", s.unexpected, t.unexpected),
            ("flaky", s.flaky, t.flaky),
            ("skipped", s.skipped, t.skipped),
        ];
        for (key, declared, counted) in pairs {
            if let Some(d) = declared
                && d != counted
            {
                state.sink.finding(Finding {
                    file: path.to_path_buf(),
                    line: None,
                    message: format!("`stats.{key}` is {d} but the report holds {counted} such tests"),
                });
            }
        }
    }
    Ok(state.cases)
}

impl State<'_> {
    fn suite<'a>(&mut self, suite: &'a Suite, titles: &mut Vec<&'a str>, file: Option<&'a str>) {
        let file = suite.file.as_deref().or(file);
        titles.push(&suite.title);
        let index = self.suites;
        self.suites = self.suites.saturating_add(1);
        // The file-level suite's title is the file: the suite name is the describe path.
        let name = titles.iter().skip(1).copied().collect::<Vec<_>>().join(" › ");
        let suite_name =
            if name.is_empty() { titles.first().copied().unwrap_or("").to_owned() } else { name };
        for spec in &suite.specs {
            for test in &spec.tests {
                let case = self.case(spec, test, &suite_name, index, file);
                self.cases = self.cases.saturating_add(1);
                self.sink.case(case);
            }
        }
        for child in &suite.suites {
            self.suite(child, titles, file);
        }
        titles.pop();
    }

    fn push_error(&mut self, e: &PwError) {
        let text = e.stack.as_deref().or(e.message.as_deref()).unwrap_or("");
        if !text.is_empty() {
            self.msg.push(&strip_ansi(text));
            self.msg.separate();
        }
    }

    fn case(
        &mut self,
        spec: &Spec,
        test: &Test,
        suite: &str,
        suite_index: u32,
        file: Option<&str>,
    ) -> TestCase {
        let last = test.results.last().and_then(|r| r.status.as_deref());
        let (outcome, flaky) = match test.status.as_str() {
            "expected" if test.expected_status.as_deref() == Some("skipped") => (Outcome::Skipped, false),
            "expected" => (Outcome::Passed, false),
            "flaky" => (Outcome::Passed, true),
            "skipped" => (Outcome::Skipped, false),
            "unexpected" => match last {
                Some("interrupted") => (Outcome::Error, false),
                _ => (Outcome::Failed, false),
            },
            _ => (Outcome::Error, false),
        };
        let t = &mut self.tally;
        let slot = match (test.status.as_str(), outcome) {
            (_, Outcome::Skipped) => &mut t.skipped,
            ("expected", _) => &mut t.expected,
            ("flaky", _) => &mut t.flaky,
            _ => &mut t.unexpected,
        };
        *slot = slot.saturating_add(1);
        let runs = u32::try_from(test.results.len().max(1)).unwrap_or(u32::MAX);
        let failed_runs = u32::try_from(
            test.results
                .iter()
                // An attempt failed when it ended otherwise than expected (a `test.fail()` that
                // passed failed).
                .filter(|r| {
                    let expected = test.expected_status.as_deref().unwrap_or("passed");
                    !matches!(r.status.as_deref(), Some("skipped") | None)
                        && r.status.as_deref() != Some(expected)
                })
                .count(),
        )
        .unwrap_or(u32::MAX);
        let duration_s: f64 = test.results.iter().map(|r| r.duration.ms_to_s()).sum();
        self.msg.clear();
        match outcome {
            Outcome::Skipped => {
                for a in &test.annotations {
                    if matches!(a.kind.as_str(), "skip" | "fixme")
                        && let Some(d) = &a.description
                    {
                        self.msg.push(d);
                    }
                }
            }
            Outcome::Passed if !flaky => {}
            _ => {
                // The last failed attempt explains the verdict (for a flaky test: the failure
                // it recovered from).
                let failed = test.results.iter().rev().find(|r| r.error.is_some() || !r.errors.is_empty());
                match failed {
                    Some(r) => {
                        if let Some(e) = &r.error {
                            self.push_error(e);
                        } else {
                            for e in &r.errors {
                                self.push_error(e);
                            }
                        }
                    }
                    None => match (test.status.as_str(), last) {
                        ("unexpected", Some("passed")) => {
                            self.msg.push("expected to fail (test.fail), but passed")
                        }
                        (status, last) => self.msg.push(&format!(
                            "Playwright status `{status}`, last attempt `{}`",
                            last.unwrap_or("none")
                        )),
                    },
                }
                if last == Some("timedOut") || last == Some("interrupted") {
                    self.msg.separate();
                    self.msg.push(&format!("last attempt: {}", last.unwrap_or("")));
                }
            }
        }
        let name = match &test.project_name {
            Some(p) if !p.is_empty() => format!("{} [{p}]", spec.title),
            _ => spec.title.clone(),
        };
        TestCase {
            suite: suite.to_owned(),
            suite_index,
            name,
            classname: None,
            file: spec.file.clone().or_else(|| file.map(str::to_owned)),
            line: spec.line,
            outcome,
            flaky,
            duration_s,
            runs,
            failed_runs,
            message: self.msg.take(),
        }
    }
}
