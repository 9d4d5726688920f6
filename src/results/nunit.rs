//! NUnit XML reader: NUnit 3 (`<test-run>`, nunit3-console `--result`, the NUnit adapter's
//! `NUnit.TestOutput`) and NUnit 2.5 (`<test-results>`, also written by Pester), streaming.
//!
//! - Each `test-case` is a case; `suite` is its innermost `test-suite` (a fixture; theory and
//!   parameterised-method suites are looked through), `suite_index` that suite's ordinal.
//! - NUnit 3 `result`: `Passed` and `Warning` → passed; `Failed` → failed, or error when its
//!   `label` is `Error`, `Cancelled` or `Invalid`; `Skipped` and `Inconclusive` → skipped with
//!   the `reason` message. NUnit 2: `Success` → passed; `Failure` → failed; `Error` and
//!   `Cancelled` → error; `Ignored`, `Skipped`, `NotRunnable` and `Inconclusive` → skipped (with
//!   `executed`/`success` read when `result` is absent, as NUnit 2.2 writes). Any other result
//!   is an error.
//! - A suite that failed by itself — `site="SetUp"`/`"TearDown"` in NUnit 3 (a failing
//!   `OneTimeSetUp`/`OneTimeTearDown`), its own `<failure>` in NUnit 2 — when none of its cases
//!   shows the failure (teardown failures never do), is one errored case
//!   `[suite setup failure]`/`[suite teardown failure]` with the suite's message.
//! - Declared totals are compared: every NUnit 3 `test-suite` and the `test-run` (`total`,
//!   `passed`, `failed`, `inconclusive`, `skipped`, `warnings`), and NUnit 2's `test-results`
//!   (`errors`, `failures`, `ignored`, `skipped`, `invalid`, `inconclusive`, `not-run`, and
//!   `total`, which NUnit 2 writes either with or without the tests not run).

use std::io::BufRead;
use std::path::Path;

use quick_xml::events::BytesStart;

use super::locate::Locator;
use super::message::MessageBuf;
use super::xml::{self, Attrs, Ctx, Handler};
use super::{CaseSink, Outcome, ResultsError, TestCase};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum El {
    Root,
    Suite,
    Case,
    /// `<failure>`/`<reason>` of a case (true) or of a suite (false).
    Failure(bool),
    /// `<message>`/`<stack-trace>` inside one, capturing.
    Text(bool),
    Other,
}

/// Raw results counted below a suite, by NUnit's own result names.
#[derive(Debug, Default, Clone, Copy)]
struct Raw {
    cases: u64,
    passed: u64,
    failed: u64,
    errored: u64,
    inconclusive: u64,
    skipped: u64,
    warnings: u64,
    ignored: u64,
    invalid: u64,
    failing_cases: u64,
}

impl Raw {
    /// Adds `o`'s counts (saturating: the figures come from the file).
    fn absorb(&mut self, o: Raw) {
        self.cases = self.cases.saturating_add(o.cases);
        self.passed = self.passed.saturating_add(o.passed);
        self.failed = self.failed.saturating_add(o.failed);
        self.errored = self.errored.saturating_add(o.errored);
        self.inconclusive = self.inconclusive.saturating_add(o.inconclusive);
        self.skipped = self.skipped.saturating_add(o.skipped);
        self.warnings = self.warnings.saturating_add(o.warnings);
        self.ignored = self.ignored.saturating_add(o.ignored);
        self.invalid = self.invalid.saturating_add(o.invalid);
        self.failing_cases = self.failing_cases.saturating_add(o.failing_cases);
    }
}

#[derive(Debug)]
struct Frame {
    name: String,
    kind: String,
    index: u32,
    at: u64,
    attrs: Attrs,
    raw: Raw,
    msg: MessageBuf,
    own_failure: bool,
    root: bool,
}

#[derive(Debug, Default)]
struct CaseState {
    name: String,
    classname: Option<String>,
    duration_s: f64,
    outcome: Option<Outcome>,
    raw_result: String,
    label: String,
}

struct Nunit<'s> {
    sink: &'s mut dyn CaseSink,
    version: u8,
    stack: Vec<El>,
    frames: Vec<Frame>,
    case: CaseState,
    msg: MessageBuf,
    suites_opened: u32,
    cases: u64,
}

/// Reads an NUnit 2 or 3 document from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(
    src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut Locator<'_>,
) -> Result<u64, ResultsError> {
    let mut h = Nunit {
        sink,
        version: 0,
        stack: Vec::new(),
        frames: Vec::new(),
        case: CaseState::default(),
        msg: MessageBuf::default(),
        suites_opened: 0,
        cases: 0,
    };
    let findings = xml::walk(src, path, locator, &mut h)?;
    for f in findings {
        h.sink.finding(f);
    }
    Ok(h.cases)
}

/// NUnit 3 outcome of `result` and `label`.
fn outcome3(result: &str, label: &str) -> Option<Outcome> {
    Some(match result {
        "Passed" | "Warning" => Outcome::Passed,
        "Failed" if matches!(label, "Error" | "Cancelled" | "Invalid") => Outcome::Error,
        "Failed" => Outcome::Failed,
        "Skipped" | "Inconclusive" => Outcome::Skipped,
        _ => return None,
    })
}

/// NUnit 2 outcome of `result`.
fn outcome2(result: &str) -> Option<Outcome> {
    Some(match result {
        "Success" => Outcome::Passed,
        "Failure" => Outcome::Failed,
        "Error" | "Cancelled" => Outcome::Error,
        "Ignored" | "Skipped" | "NotRunnable" | "Inconclusive" => Outcome::Skipped,
        _ => return None,
    })
}

impl Nunit<'_> {
    fn parent(&self) -> Option<El> {
        self.stack.last().copied()
    }

    fn open_suite(
        &mut self,
        x: &mut Ctx<'_, '_, '_>,
        e: &BytesStart<'_>,
        at: u64,
        root: bool,
    ) -> Result<(), ResultsError> {
        let mut attrs = x.attrs(e, at)?;
        let name = if self.version == 3 {
            attrs.take("fullname").or_else(|| attrs.take("name"))
        } else {
            attrs.take("name")
        };
        let kind = attrs.take("type").unwrap_or_default();
        let index = self.suites_opened;
        if !root {
            self.suites_opened = self.suites_opened.saturating_add(1);
        }
        self.frames.push(Frame {
            name: name.unwrap_or_default(),
            kind,
            index,
            at,
            attrs,
            raw: Raw::default(),
            msg: MessageBuf::default(),
            own_failure: false,
            root,
        });
        Ok(())
    }

    fn open_case(
        &mut self,
        x: &mut Ctx<'_, '_, '_>,
        e: &BytesStart<'_>,
        at: u64,
    ) -> Result<(), ResultsError> {
        let mut a = x.attrs(e, at)?;
        let name = a.take("name").unwrap_or_default();
        let raw_result = a.take("result").unwrap_or_default();
        let label = a.take("label").unwrap_or_default();
        let outcome = if self.version == 3 {
            outcome3(&raw_result, &label)
        } else if raw_result.is_empty() {
            // NUnit 2.2: only `executed` and `success`.
            Some(match (a.get("executed"), a.get("success")) {
                (Some(e), _) if e.eq_ignore_ascii_case("false") => Outcome::Skipped,
                (_, Some(s)) if s.eq_ignore_ascii_case("true") => Outcome::Passed,
                (_, Some(_)) => Outcome::Failed,
                _ => Outcome::Passed,
            })
        } else {
            outcome2(&raw_result)
        };
        let Some(outcome) = outcome else {
            return Err(x.syntax(at, format!("unknown NUnit test-case result `{raw_result}`")));
        };
        let classname = if self.version == 3 {
            a.take("classname")
        } else {
            let base = name.split('(').next().unwrap_or(&name);
            base.rsplit_once('.').map(|(c, _)| c.to_owned())
        };
        let duration_s = a.get("duration").or_else(|| a.get("time")).map_or(0.0, xml::parse_seconds);
        self.case = CaseState { name, classname, duration_s, outcome: Some(outcome), raw_result, label };
        self.msg.clear();
        Ok(())
    }

    fn close_case(&mut self) {
        let c = std::mem::take(&mut self.case);
        let outcome = c.outcome.unwrap_or(Outcome::Passed);
        let mut raw = Raw { cases: 1, ..Raw::default() };
        match (self.version, c.raw_result.as_str()) {
            (3, "Passed") | (2, "Success") => raw.passed = 1,
            (3, "Failed") => raw.failed = 1,
            (2, "Failure") => raw.failed = 1,
            (2, "Error" | "Cancelled") => raw.errored = 1,
            (_, "Inconclusive") => raw.inconclusive = 1,
            (_, "Skipped") => raw.skipped = 1,
            (3, "Warning") => raw.warnings = 1,
            (2, "Ignored") => raw.ignored = 1,
            (2, "NotRunnable") => raw.invalid = 1,
            _ => {}
        }
        if matches!(outcome, Outcome::Failed | Outcome::Error) {
            raw.failing_cases = 1;
        }
        let (suite, suite_index) = self.case_suite();
        if let Some(f) = self.frames.last_mut() {
            f.raw.absorb(raw);
        }
        let mut message = if outcome == Outcome::Passed { None } else { self.msg.take() };
        if message.is_none() && outcome != Outcome::Passed && !c.label.is_empty() {
            // NUnit 3 puts some reasons only in the label ("Test exceeded Timeout value 1ms.").
            message = Some(c.label);
        }
        self.emit(TestCase {
            classname: c.classname,
            duration_s: c.duration_s,
            message,
            ..TestCase::ran_once(suite, suite_index, c.name, outcome)
        });
    }

    /// The suite a case belongs to: the innermost fixture-like suite.
    fn case_suite(&self) -> (String, u32) {
        let is_method_suite = |k: &str| matches!(k, "Theory" | "ParameterizedMethod" | "GenericMethod");
        let frame = self
            .frames
            .iter()
            .rev()
            .filter(|f| !f.root)
            .find(|f| !is_method_suite(&f.kind))
            .or_else(|| self.frames.iter().rev().find(|f| !f.root));
        frame.map_or((String::new(), 0), |f| (f.name.clone(), f.index))
    }

    fn emit(&mut self, case: TestCase) {
        self.cases = self.cases.saturating_add(1);
        self.sink.case(case);
    }

    fn close_suite(&mut self, x: &mut Ctx<'_, '_, '_>) {
        let Some(mut f) = self.frames.pop() else { return };
        let r = f.raw;
        if self.version == 3 {
            let what =
                if f.root { "`<test-run>`".to_owned() } else { format!("`<test-suite>` `{}`", f.name) };
            let pairs = [
                ("total", f.attrs.get("total"), r.cases),
                ("passed", f.attrs.get("passed"), r.passed),
                ("failed", f.attrs.get("failed"), r.failed),
                ("inconclusive", f.attrs.get("inconclusive"), r.inconclusive),
                ("skipped", f.attrs.get("skipped"), r.skipped),
                ("warnings", f.attrs.get("warnings"), r.warnings),
            ];
            xml::compare_declared(x, f.at, &what, &pairs);
        } else if f.root {
            let not_run = r.ignored.saturating_add(r.skipped).saturating_add(r.invalid);
            let pairs = [
                ("errors", f.attrs.get("errors"), r.errored),
                ("failures", f.attrs.get("failures"), r.failed),
                ("ignored", f.attrs.get("ignored"), r.ignored),
                ("skipped", f.attrs.get("skipped"), r.skipped),
                ("invalid", f.attrs.get("invalid"), r.invalid),
                ("inconclusive", f.attrs.get("inconclusive"), r.inconclusive),
                ("not-run", f.attrs.get("not-run"), not_run),
            ];
            xml::compare_declared(x, f.at, "`<test-results>`", &pairs);
            // NUnit 2.5 counts only the tests that ran in `total`; other writers count all.
            if let Some(t) = f.attrs.get("total")
                && xml::parse_count(t).is_some_and(|n| n != r.cases && n != r.cases.saturating_sub(not_run))
            {
                xml::compare_declared(x, f.at, "`<test-results>`", &[("total", Some(t), r.cases)]);
            }
        }
        if !f.root {
            self.suite_failure(&mut f);
        }
        if let Some(parent) = self.frames.last_mut() {
            parent.raw.absorb(f.raw);
        }
    }

    /// A suite that failed by itself, with no case showing it: one errored case.
    fn suite_failure(&mut self, f: &mut Frame) {
        let result = f.attrs.get("result").unwrap_or("");
        let site = f.attrs.get("site").unwrap_or("");
        let failed = if self.version == 3 {
            result == "Failed" && matches!(site, "SetUp" | "TearDown")
        } else {
            matches!(result, "Failure" | "Error") && f.own_failure
        };
        if !failed || (site != "TearDown" && f.raw.failing_cases > 0) {
            return;
        }
        let what = match site {
            "TearDown" => "teardown",
            "SetUp" => "setup",
            _ => "suite-level",
        };
        let message = f.msg.take().or_else(|| Some(format!("the suite's {what} failed")));
        f.raw.failing_cases = f.raw.failing_cases.saturating_add(1);
        self.emit(TestCase {
            classname: f.attrs.get("classname").map(str::to_owned),
            ..TestCase::errored(f.name.clone(), f.index, format!("[suite {what} failure]"), message)
        });
    }
}

impl Handler for Nunit<'_> {
    fn start(&mut self, x: &mut Ctx<'_, '_, '_>, e: &BytesStart<'_>, at: u64) -> Result<(), ResultsError> {
        let qname = e.name();
        let name = qname.as_ref();
        let el = if self.stack.is_empty() && name == b"test-suite" {
            // NUnit 2 written without its `<test-results>` wrapper (a peer Action reads these):
            // the root is the outermost suite.
            self.version = 2;
            self.open_suite(x, e, at, false)?;
            El::Suite
        } else if self.stack.is_empty() {
            self.version = match name {
                b"test-run" => 3,
                b"test-results" => 2,
                other => {
                    return Err(ResultsError::Unrecognised {
                        path: x.path().to_path_buf(),
                        reason: format!(
                            "XML root element `<{}>` is not NUnit (`<test-run>`/`<test-results>`/`<test-suite>`)",
                            String::from_utf8_lossy(other)
                        ),
                    });
                }
            };
            self.open_suite(x, e, at, true)?;
            El::Root
        } else {
            let in_suite = matches!(self.parent(), Some(El::Root | El::Suite | El::Other))
                && self.frames.last().is_some();
            match (self.parent(), name) {
                (_, b"test-suite") if in_suite && self.case.outcome.is_none() => {
                    self.open_suite(x, e, at, false)?;
                    El::Suite
                }
                (_, b"test-case") if in_suite && self.case.outcome.is_none() => {
                    self.open_case(x, e, at)?;
                    El::Case
                }
                (Some(El::Case), b"failure" | b"reason") => {
                    self.msg.separate();
                    El::Failure(true)
                }
                (Some(El::Suite), b"failure" | b"reason") => {
                    if name == b"failure"
                        && let Some(f) = self.frames.last_mut()
                    {
                        f.own_failure = true;
                    }
                    El::Failure(false)
                }
                (Some(El::Failure(case)), b"message" | b"stack-trace") => {
                    if case {
                        self.msg.separate();
                    } else if let Some(f) = self.frames.last_mut() {
                        f.msg.separate();
                    }
                    El::Text(case)
                }
                _ => {
                    x.attrs(e, at)?;
                    El::Other
                }
            }
        };
        self.stack.push(el);
        Ok(())
    }

    fn end(&mut self, x: &mut Ctx<'_, '_, '_>, _at: u64) -> Result<(), ResultsError> {
        match self.stack.pop() {
            Some(El::Case) => self.close_case(),
            Some(El::Suite | El::Root) => self.close_suite(x),
            _ => {}
        }
        Ok(())
    }

    fn wants_text(&self) -> bool {
        matches!(self.stack.last(), Some(El::Text(_)))
    }

    fn text(&mut self, text: &str) {
        match self.stack.last() {
            Some(El::Text(true)) => self.msg.push(text),
            Some(El::Text(false)) => {
                if let Some(f) = self.frames.last_mut() {
                    f.msg.push(text);
                }
            }
            _ => {}
        }
    }
}
