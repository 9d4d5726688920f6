//! xUnit.net v2 XML reader (`<assemblies>`: `dotnet test --logger xunit`, xunit.console
//! `-xml`), streaming.
//!
//! - Each `test` is a case: `Pass` → passed, `Fail` → failed, `Skip` → skipped with its
//!   `reason`, `NotRun` → skipped; any other result is an error. `suite` is the assembly (its
//!   file name), `suite_index` the assembly's ordinal, `classname` the test's `type`.
//! - Each `errors/error` of an assembly (a failing fixture or class cleanup, a fatal error:
//!   failures outside any test) is one errored case `[<type>: <name>]` with its message.
//! - Declared `total`/`passed`/`failed`/`skipped`/`errors` of every `assembly` and `total`/
//!   `passed`/`failed`/`skipped` of every `collection` are compared with the cases.

use std::io::BufRead;
use std::path::Path;

use quick_xml::events::BytesStart;

use super::locate::Locator;
use super::message::MessageBuf;
use super::xml::{self, Attrs, Ctx, Handler};
use super::{CaseSink, Counts, Outcome, ResultsError, TestCase};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum El {
    Root,
    Assembly,
    Errors,
    Error,
    Collection,
    Test,
    Failure,
    /// `message`, `stack-trace` or `reason`: captured.
    Text,
    Other,
}

#[derive(Debug)]
struct Group {
    name: String,
    at: u64,
    attrs: Attrs,
    counts: Counts,
    errors: u64,
}

#[derive(Debug, Default)]
struct TestState {
    name: String,
    classname: Option<String>,
    duration_s: f64,
    outcome: Option<Outcome>,
    /// For an assembly `error`: its type and name.
    error: Option<(String, String)>,
    /// The failure's `exception-type`.
    exception: Option<String>,
}

struct Xunit<'s> {
    sink: &'s mut dyn CaseSink,
    stack: Vec<El>,
    assembly: Option<Group>,
    collection: Option<Group>,
    assemblies: u32,
    test: TestState,
    msg: MessageBuf,
    cases: u64,
}

/// Reads an xUnit.net v2 document from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(
    src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut Locator<'_>,
) -> Result<u64, ResultsError> {
    let mut h = Xunit {
        sink,
        stack: Vec::new(),
        assembly: None,
        collection: None,
        assemblies: 0,
        test: TestState::default(),
        msg: MessageBuf::default(),
        cases: 0,
    };
    let findings = xml::walk(src, path, locator, &mut h)?;
    for f in findings {
        h.sink.finding(f);
    }
    Ok(h.cases)
}

/// The file name of an assembly path (`C:\x\Tests.dll` → `Tests.dll`).
fn short_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_owned()
}

impl Xunit<'_> {
    fn parent(&self) -> Option<El> {
        self.stack.last().copied()
    }

    fn emit(&mut self, case: TestCase) {
        if let Some(a) = &mut self.assembly {
            a.counts.add(case.outcome, case.flaky);
        }
        if let Some(c) = &mut self.collection {
            c.counts.add(case.outcome, case.flaky);
        }
        self.cases = self.cases.saturating_add(1);
        self.sink.case(case);
    }

    fn close_test(&mut self) {
        let t = std::mem::take(&mut self.test);
        let (suite, index) = match &self.assembly {
            Some(a) => (a.name.clone(), self.assemblies.saturating_sub(1)),
            None => (String::new(), 0),
        };
        let (name, classname, outcome) = match t.error {
            Some((kind, name)) => (format!("[{kind}: {name}]"), Some(name), Outcome::Error),
            None => (t.name, t.classname, t.outcome.unwrap_or(Outcome::Passed)),
        };
        let mut message = if outcome == Outcome::Passed { None } else { self.msg.take() };
        // The exception type, unless the message already names it (xUnit's usually does).
        if let Some(ty) = t.exception
            && outcome != Outcome::Passed
            && !message.as_deref().is_some_and(|m| m.contains(ty.as_str()))
        {
            self.msg.clear();
            self.msg.push(&ty);
            if let Some(m) = &message {
                self.msg.push(": ");
                self.msg.push(m);
            }
            message = self.msg.take();
        }
        if outcome == Outcome::Error
            && let Some(a) = &mut self.assembly
        {
            a.errors = a.errors.saturating_add(1);
        }
        self.emit(TestCase {
            classname,
            duration_s: t.duration_s,
            message,
            ..TestCase::ran_once(suite, index, name, outcome)
        });
    }

    fn compare(x: &mut Ctx<'_, '_, '_>, g: &Group, what: &str, with_errors: bool) {
        let c = g.counts;
        let tests = c.tests.saturating_sub(g.errors);
        let mut pairs = vec![
            ("total", g.attrs.get("total"), tests),
            ("passed", g.attrs.get("passed"), c.passed),
            ("failed", g.attrs.get("failed"), c.failures),
            ("skipped", g.attrs.get("skipped"), c.skipped),
        ];
        if with_errors {
            pairs.push(("errors", g.attrs.get("errors"), g.errors));
        }
        xml::compare_declared(x, g.at, &format!("{what} `{}`", g.name), &pairs);
    }
}

impl Handler for Xunit<'_> {
    fn start(&mut self, x: &mut Ctx<'_, '_, '_>, e: &BytesStart<'_>, at: u64) -> Result<(), ResultsError> {
        let qname = e.name();
        let name = qname.as_ref();
        let el = match (self.parent(), name) {
            (None, b"assemblies") => {
                x.attrs(e, at)?;
                El::Root
            }
            // A lone `<assembly>` root (no `<assemblies>` wrapper) is read as its only assembly.
            (Some(El::Root) | None, b"assembly") => {
                let mut attrs = x.attrs(e, at)?;
                let name = attrs.take("name").map(|n| short_name(&n)).unwrap_or_default();
                self.assemblies = self.assemblies.saturating_add(1);
                self.assembly = Some(Group { name, at, attrs, counts: Counts::default(), errors: 0 });
                El::Assembly
            }
            (None, other) => {
                return Err(ResultsError::Unrecognised {
                    path: x.path().to_path_buf(),
                    reason: format!(
                        "XML root element `<{}>` is not xUnit.net v2 (`<assemblies>`/`<assembly>`)",
                        String::from_utf8_lossy(other)
                    ),
                });
            }
            (Some(El::Assembly), b"errors") => El::Errors,
            (Some(El::Errors), b"error") => {
                let mut a = x.attrs(e, at)?;
                let kind = a.take("type").unwrap_or_else(|| "error".to_owned());
                let name = a.take("name").unwrap_or_default();
                self.test = TestState { error: Some((kind, name)), ..TestState::default() };
                self.msg.clear();
                El::Error
            }
            (Some(El::Assembly), b"collection") => {
                let mut attrs = x.attrs(e, at)?;
                let name = attrs.take("name").unwrap_or_default();
                self.collection = Some(Group { name, at, attrs, counts: Counts::default(), errors: 0 });
                El::Collection
            }
            (Some(El::Collection), b"test") => {
                let mut a = x.attrs(e, at)?;
                let result = a.take("result").unwrap_or_default();
                let outcome = match result.as_str() {
                    "Pass" => Outcome::Passed,
                    "Fail" => Outcome::Failed,
                    "Skip" | "NotRun" => Outcome::Skipped,
                    other => return Err(x.syntax(at, format!("unknown xUnit.net test result `{other}`"))),
                };
                self.test = TestState {
                    name: a.take("name").unwrap_or_default(),
                    classname: a.take("type"),
                    duration_s: a.get("time").map_or(0.0, xml::parse_seconds),
                    outcome: Some(outcome),
                    ..TestState::default()
                };
                self.msg.clear();
                El::Test
            }
            (Some(El::Test | El::Error), b"failure") => {
                let mut a = x.attrs(e, at)?;
                self.test.exception = a.take("exception-type");
                El::Failure
            }
            (Some(El::Failure), b"message" | b"stack-trace") | (Some(El::Test), b"reason") => {
                self.msg.separate();
                El::Text
            }
            _ => {
                x.attrs(e, at)?;
                El::Other
            }
        };
        self.stack.push(el);
        Ok(())
    }

    fn end(&mut self, x: &mut Ctx<'_, '_, '_>, _at: u64) -> Result<(), ResultsError> {
        match self.stack.pop() {
            Some(El::Test | El::Error) => self.close_test(),
            Some(El::Collection) => {
                if let Some(c) = self.collection.take() {
                    Self::compare(x, &c, "collection", false);
                }
            }
            Some(El::Assembly) => {
                if let Some(a) = self.assembly.take() {
                    Self::compare(x, &a, "assembly", true);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn wants_text(&self) -> bool {
        self.stack.last() == Some(&El::Text)
    }

    fn text(&mut self, text: &str) {
        self.msg.push(text);
    }
}
