//! TRX reader (Visual Studio test results: `dotnet test --logger trx`, vstest, MSTest), streaming.
//!
//! - Each `UnitTestResult` (and the other `*TestResult` elements) under `Results` is a case;
//!   a result with `InnerResults` (data-driven rows, retries of MSTest) is summarised by its
//!   inner results, which are the cases.
//! - Outcomes: `Passed`, `Completed`, `Warning`, `PassedButRunAborted` → passed; `Failed`,
//!   `Timeout` → failed; `Error`, `Aborted`, `Disconnected`, `InProgress` (the run ended while
//!   it ran), `NotRunnable` → error; `NotExecuted`, `Inconclusive`, `Pending` → skipped.
//! - `classname` (and `suite`) come from `TestDefinitions/UnitTest/TestMethod/@className`, which
//!   dotnet writes after the results: results are held until the definitions are read (memory:
//!   one TRX file's cases; messages are bounded).
//! - The message: `Output/ErrorInfo/Message` and `StackTrace`; for a result that did not pass
//!   without them, `Output/StdOut` (xUnit's skip reason lands there).
//! - `ResultSummary/Counters` (`total`, `executed`, `passed`, `failed`, `error`, `timeout`,
//!   `aborted`, `inconclusive`) are compared with the top-level results; `notExecuted` is not:
//!   vstest leaves it 0 for skipped tests. A run that was aborted (`ResultSummary
//!   outcome="Aborted"`, or a `RunInfo` saying the test run was aborted or the test host
//!   crashed) is one errored case `[test run aborted]`.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use quick_xml::events::BytesStart;

use super::locate::Locator;
use super::message::MessageBuf;
use super::xml::{self, Attrs, Ctx, Handler};
use super::{CaseSink, Outcome, ResultsError, TestCase};

/// What an open element is to this reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum El {
    Results,
    Result,
    InnerResults,
    Output,
    ErrorInfo,
    ErrorMessage,
    StackTrace,
    StdOut,
    Definitions,
    UnitTest,
    RunInfo,
    RunInfoText,
    Other,
}

/// An open result element.
#[derive(Debug)]
struct ResultFrame {
    test_id: Option<String>,
    name: String,
    raw_outcome: String,
    duration_s: f64,
    msg: MessageBuf,
    stdout: MessageBuf,
    inner: u32,
    top_level: bool,
}

/// Raw outcome counts of the top-level results, for the `Counters` comparison.
#[derive(Debug, Default)]
struct RawCounts {
    total: u64,
    by_outcome: HashMap<String, u64>,
}

struct Trx<'s> {
    sink: &'s mut dyn CaseSink,
    stack: Vec<El>,
    results: Vec<ResultFrame>,
    /// Cases waiting for the class names of `TestDefinitions`: (test id, case).
    held: Vec<(Option<String>, TestCase)>,
    definitions_done: bool,
    classes: HashMap<String, String>,
    /// The `UnitTest` definition being read: its id.
    unit_test: Option<String>,
    raw: RawCounts,
    counters: Option<(u64, Attrs)>,
    summary_outcome: Option<String>,
    run_info: MessageBuf,
    run_aborted: bool,
    /// Text of the `RunInfo/Text` being read.
    run_text: String,
    root_checked: bool,
    cases: u64,
}

/// Reads a TRX document from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(
    src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut Locator<'_>,
) -> Result<u64, ResultsError> {
    let mut h = Trx {
        sink,
        stack: Vec::new(),
        results: Vec::new(),
        held: Vec::new(),
        definitions_done: false,
        classes: HashMap::new(),
        unit_test: None,
        raw: RawCounts::default(),
        counters: None,
        summary_outcome: None,
        run_info: MessageBuf::default(),
        run_aborted: false,
        run_text: String::new(),
        root_checked: false,
        cases: 0,
    };
    let findings = xml::walk(src, path, locator, &mut h)?;
    for f in findings {
        h.sink.finding(f);
    }
    h.flush_held();
    if h.run_aborted
        || h.summary_outcome
            .as_deref()
            .is_some_and(|o| matches!(o, "Aborted" | "Error" | "Timeout" | "Disconnected"))
    {
        let mut message = h.run_info.take();
        if message.is_none() {
            message = Some(format!(
                "the test run ended with outcome `{}`: tests may be missing",
                h.summary_outcome.as_deref().unwrap_or("Aborted")
            ));
        }
        h.emit(TestCase::errored(String::new(), 0, "[test run aborted]".to_owned(), message));
    }
    Ok(h.cases)
}

/// Outcome of a TRX result outcome string; unknown values are errors (see the module docs).
fn outcome_of(raw: &str) -> Option<Outcome> {
    Some(match raw {
        "Passed" | "Completed" | "Warning" | "PassedButRunAborted" => Outcome::Passed,
        "Failed" | "Timeout" => Outcome::Failed,
        "Error" | "Aborted" | "Disconnected" | "InProgress" | "NotRunnable" => Outcome::Error,
        "NotExecuted" | "Inconclusive" | "Pending" => Outcome::Skipped,
        _ => return None,
    })
}

/// `hh:mm:ss.fffffff` → seconds.
fn parse_duration(v: &str) -> f64 {
    let mut total = 0.0;
    for part in v.trim().split(':') {
        match part.parse::<f64>() {
            Ok(n) if n.is_finite() && n >= 0.0 => total = total * 60.0 + n,
            _ => return 0.0,
        }
    }
    if total.is_finite() { total } else { 0.0 }
}

impl Trx<'_> {
    fn emit(&mut self, case: TestCase) {
        self.cases = self.cases.saturating_add(1);
        self.sink.case(case);
    }

    fn class_of(&self, id: Option<&String>) -> Option<String> {
        id.and_then(|id| self.classes.get(id)).cloned()
    }

    fn flush_held(&mut self) {
        for (id, mut case) in std::mem::take(&mut self.held) {
            if let Some(class) = self.class_of(id.as_ref()) {
                case.suite.clone_from(&class);
                case.classname = Some(class);
            }
            self.emit(case);
        }
    }

    fn parent(&self) -> Option<El> {
        self.stack.last().copied()
    }

    fn open_result(
        &mut self,
        x: &mut Ctx<'_, '_, '_>,
        e: &BytesStart<'_>,
        at: u64,
    ) -> Result<(), ResultsError> {
        let mut a = x.attrs(e, at)?;
        let raw_outcome = a.take("outcome").unwrap_or_else(|| "Passed".to_owned());
        if outcome_of(&raw_outcome).is_none() {
            return Err(x.syntax(at, format!("unknown TRX outcome `{raw_outcome}`")));
        }
        let top_level = self.parent() == Some(El::Results);
        if let Some(parent) = self.results.last_mut() {
            parent.inner = parent.inner.saturating_add(1);
        }
        self.results.push(ResultFrame {
            test_id: a.take("testId"),
            name: a.take("testName").unwrap_or_default(),
            raw_outcome,
            duration_s: a.get("duration").map_or(0.0, parse_duration),
            msg: MessageBuf::default(),
            stdout: MessageBuf::default(),
            inner: 0,
            top_level,
        });
        Ok(())
    }

    fn close_result(&mut self) {
        let Some(mut r) = self.results.pop() else { return };
        if r.top_level {
            self.raw.total = self.raw.total.saturating_add(1);
            let n = self.raw.by_outcome.entry(r.raw_outcome.clone()).or_default();
            *n = n.saturating_add(1);
        }
        if r.inner > 0 {
            // Summarised by its inner results, which were the cases.
            return;
        }
        let outcome = outcome_of(&r.raw_outcome).unwrap_or(Outcome::Error);
        let message = match outcome {
            Outcome::Passed => None,
            _ => r.msg.take().or_else(|| r.stdout.take()),
        };
        let case = TestCase {
            duration_s: r.duration_s,
            message,
            ..TestCase::ran_once(String::new(), 0, r.name, outcome)
        };
        if self.definitions_done {
            let mut case = case;
            if let Some(class) = self.class_of(r.test_id.as_ref()) {
                case.suite.clone_from(&class);
                case.classname = Some(class);
            }
            self.emit(case);
        } else {
            self.held.push((r.test_id.take(), case));
        }
    }

    fn compare_counters(&mut self, x: &mut Ctx<'_, '_, '_>) {
        let Some((at, attrs)) = self.counters.take() else { return };
        let by = |k: &str| self.raw.by_outcome.get(k).copied().unwrap_or(0);
        let not_executed = by("NotExecuted");
        let pairs = [
            ("total", attrs.get("total"), self.raw.total),
            ("executed", attrs.get("executed"), self.raw.total.saturating_sub(not_executed)),
            ("passed", attrs.get("passed"), by("Passed")),
            ("failed", attrs.get("failed"), by("Failed")),
            ("error", attrs.get("error"), by("Error")),
            ("timeout", attrs.get("timeout"), by("Timeout")),
            ("aborted", attrs.get("aborted"), by("Aborted")),
            ("inconclusive", attrs.get("inconclusive"), by("Inconclusive")),
        ];
        xml::compare_declared(x, at, "TRX `Counters`", &pairs);
    }
}

impl Handler for Trx<'_> {
    fn start(&mut self, x: &mut Ctx<'_, '_, '_>, e: &BytesStart<'_>, at: u64) -> Result<(), ResultsError> {
        let local = e.local_name();
        let name = local.as_ref();
        if !self.root_checked {
            self.root_checked = true;
            if name != b"TestRun" {
                return Err(ResultsError::Unrecognised {
                    path: x.path().to_path_buf(),
                    reason: format!(
                        "XML root element `<{}>` is not TRX (`<TestRun>`)",
                        String::from_utf8_lossy(name)
                    ),
                });
            }
        }
        let parent = self.parent();
        let el = match (parent, name) {
            (_, b"Results") if x.depth() == 1 => El::Results,
            (Some(El::Results | El::InnerResults), n)
                if n.ends_with(b"Result") || n.ends_with(b"ResultAggregation") =>
            {
                self.open_result(x, e, at)?;
                El::Result
            }
            (Some(El::Result), b"InnerResults") => El::InnerResults,
            (Some(El::Result), b"Output") => El::Output,
            (Some(El::Output), b"ErrorInfo") => El::ErrorInfo,
            (Some(El::ErrorInfo), b"Message") => El::ErrorMessage,
            (Some(El::ErrorInfo), b"StackTrace") => El::StackTrace,
            (Some(El::Output), b"StdOut") => El::StdOut,
            (_, b"TestDefinitions") if x.depth() == 1 => El::Definitions,
            (Some(El::Definitions), _) => {
                let mut a = x.attrs(e, at)?;
                self.unit_test = a.take("id");
                El::UnitTest
            }
            (Some(El::UnitTest), b"TestMethod") => {
                let mut a = x.attrs(e, at)?;
                if let (Some(id), Some(class)) = (self.unit_test.clone(), a.take("className")) {
                    self.classes.insert(id, class);
                }
                El::Other
            }
            (_, b"ResultSummary") if x.depth() == 1 => {
                let a = x.attrs(e, at)?;
                self.summary_outcome = a.get("outcome").map(str::to_owned);
                El::Other
            }
            (_, b"Counters") => {
                let a = x.attrs(e, at)?;
                self.counters = Some((at, a));
                El::Other
            }
            (_, b"RunInfo") => El::RunInfo,
            (Some(El::RunInfo), b"Text") => {
                self.run_text.clear();
                El::RunInfoText
            }
            _ => {
                x.attrs(e, at)?;
                El::Other
            }
        };
        if let Some(r) = self.results.last_mut() {
            match el {
                El::ErrorMessage => r.msg.separate(),
                // .NET indents every frame: the first keeps its indent like the others.
                El::StackTrace => r.msg.separate_keeping_indent(),
                _ => {}
            }
        }
        self.stack.push(el);
        Ok(())
    }

    fn end(&mut self, x: &mut Ctx<'_, '_, '_>, _at: u64) -> Result<(), ResultsError> {
        let Some(el) = self.stack.pop() else { return Ok(()) };
        match el {
            El::Result => self.close_result(),
            El::Definitions => {
                self.definitions_done = true;
                self.flush_held();
            }
            El::RunInfoText => {
                let lower = self.run_text.to_ascii_lowercase();
                if lower.contains("test run was aborted") || lower.contains("test host process crashed") {
                    self.run_aborted = true;
                    self.run_info.separate();
                    self.run_info.push(&self.run_text);
                }
            }
            _ => {}
        }
        if self.stack.is_empty() {
            self.compare_counters(x);
        }
        Ok(())
    }

    fn wants_text(&self) -> bool {
        matches!(self.stack.last(), Some(El::ErrorMessage | El::StackTrace | El::StdOut | El::RunInfoText))
    }

    fn text(&mut self, text: &str) {
        match self.stack.last() {
            Some(El::RunInfoText) => {
                if self.run_text.len() < super::MESSAGE_LIMIT {
                    self.run_text.push_str(text);
                }
            }
            Some(El::StdOut) => {
                if let Some(r) = self.results.last_mut() {
                    r.stdout.push(text);
                }
            }
            _ => {
                if let Some(r) = self.results.last_mut() {
                    r.msg.push(text);
                }
            }
        }
    }
}
