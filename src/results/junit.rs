//! Streaming JUnit XML reader (quick-xml events, no DOM).
//!
//! Counting policy (one case per `<testcase>` element, wherever it sits under the suites):
//! - outcome = the most severe result child: `<error>` > `<failure>` > `<skipped>` > passed;
//! - a `status` attribute of `disabled`, `ignored`, `skipped` or `notrun` (any case) makes the
//!   case [`Outcome::Skipped`] and wins over any `<failure>`/`<error>` child. This matches
//!   mikepenz/action-junit-report: such tests were not run, so a recorded failure is stale;
//! - except ctest's not-run: ctest writes every test it did not run as `status="notrun"` with
//!   `<skipped message="{completion status}"/>`, and counts it failed unless that status is one
//!   of its skips (cmCTestRunTest: `SKIP_RETURN_CODE=<n>`, `SKIP_REGULAR_EXPRESSION_MATCHED`;
//!   `DISABLED` is `status="disabled"`). "Unable to find executable", "Required Files
//!   Missing", "Fixture dependency failed"... are [`Outcome::Failed`], as ctest prints them
//!   under "The following tests FAILED"; ctest's own `failures=`/`skipped=` count them as skipped;
//! - a `<skipped type=…>` whose type says the test was stopped (`timeout`, `cancelled`,
//!   `aborted`, `interrupted`: EUnit's surefire report of a cancelled test) is
//!   [`Outcome::Error`]; the producer's `skipped=` counts it, so its figures still agree;
//! - Surefire/Gradle `<flakyFailure>`/`<flakyError>` mean the case passed on a rerun:
//!   the outcome is decided by the other children (usually passed) and the case is flaky;
//! - `<rerunFailure>`/`<rerunError>` are further failed attempts of a failed case and do not
//!   change its outcome; only when no `<failure>`/`<error>` is present do they make it
//!   Failed/Error;
//! - `<system-out>`, `<system-err>`, `<properties>` and unknown elements are skipped over.
//!
//! Strictness: the document must be well-formed. Entity references other than the five
//! predefined ones and numeric character references are an error with position: a DOCTYPE is
//! tolerated but never expanded and nothing external is ever read (no XXE, no billion laughs).
//! Only UTF-8 (with or without BOM) is accepted. Duplicate attributes are detected for the
//! attributes the reader uses.

use std::borrow::Cow;
use std::io::BufRead;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::encoding::Decoder;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesRef, BytesStart, BytesText, Event};

use super::locate::Locator;
use super::message::MessageBuf;
use super::xml::{Resolved, UTF8_BOM, configure, is_utf8_label, parse_count, resolve_ref, skip_bom};
use super::{CaseSink, Counts, Finding, Outcome, ResultsError, TestCase, rerun};

/// Deepest element nesting accepted; deeper documents are refused rather than risked.
pub(super) const MAX_DEPTH: usize = 1000;

/// Most unlisted skipped tests stood in for per suite: a declared count is input, and a huge
/// one must not become a huge loop (beyond it the declared totals are only a finding).
const MAX_UNLISTED: u64 = 100_000;

#[path = "junit_split.rs"]
mod split;
pub(super) use split::{
    Params as SplitParams, SPLIT_MIN_BYTES, Stats as SplitStats, read_split, worth_splitting,
};

/// Reads a JUnit XML document from `src`, handing cases and findings to `sink`.
///
/// `path` names the document in errors and findings; `locator` turns byte offsets into lines
/// (used only for findings and errors). Returns the number of cases read.
pub(super) fn read<R: BufRead>(
    mut src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut Locator<'_>,
) -> Result<u64, ResultsError> {
    let base = skip_bom(&mut src).map_err(|e| ResultsError::io(path, e))?;
    let mut parser = Parser::new(path, sink, locator, base);
    let mut reader = Reader::from_reader(src);
    configure(&mut reader);
    let decoder = reader.decoder();
    let mut buf = Vec::with_capacity(16 * 1024);
    loop {
        let at = reader.buffer_position();
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) => {
                let end = reader.buffer_position();
                return parser.finish(end);
            }
            Ok(event) => event,
            Err(e) => {
                let pos = reader.error_position();
                return Err(parser.syntax(pos, e.to_string()));
            }
        };
        parser.event(event, at, decoder)?;
        buf.clear();
    }
}

/// Reads a JUnit XML document held in memory, as [`read`] does from a stream: the same events
/// from quick-xml's slice reader, borrowed instead of copied into a buffer one by one.
pub(super) fn read_slice(
    doc: &[u8],
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut Locator<'_>,
) -> Result<u64, ResultsError> {
    let mut src = doc;
    let base = skip_bom(&mut src).map_err(|e| ResultsError::io(path, e))?;
    let mut parser = Parser::new(path, sink, locator, base);
    let mut reader = Reader::from_reader(src);
    configure(&mut reader);
    let decoder = reader.decoder();
    loop {
        let at = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(Event::Eof) => {
                let end = reader.buffer_position();
                return parser.finish(end);
            }
            Ok(event) => event,
            Err(e) => {
                let pos = reader.error_position();
                return Err(parser.syntax(pos, e.to_string()));
            }
        };
        parser.event(event, at, decoder)?;
    }
}

/// What an open element is, as far as counting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Root `<testsuites>`.
    Suites,
    /// `<testsuite>`; its frame is the last of `Parser::suites`.
    Suite,
    /// `<testcase>`.
    Case,
    /// A result child of a test case.
    Result(ResultKind),
    /// A `<failure>`/`<error>` directly under `<testsuite>`, outside any test case: how
    /// Jenkins, Surefire and others record a class that failed to load or a suite fixture
    /// that blew up. It becomes a synthetic case of its own, so it counts and shows.
    SuiteResult(ResultKind),
    /// Anything else (`<properties>`, `<system-out>`, unknown elements...).
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResultKind {
    Failure,
    Error,
    Skipped,
    FlakyFailure,
    FlakyError,
    RerunFailure,
    RerunError,
}

impl ResultKind {
    fn from_name(name: &[u8]) -> Option<Self> {
        Some(match name {
            b"failure" => ResultKind::Failure,
            b"error" => ResultKind::Error,
            b"skipped" => ResultKind::Skipped,
            b"flakyFailure" => ResultKind::FlakyFailure,
            b"flakyError" => ResultKind::FlakyError,
            b"rerunFailure" => ResultKind::RerunFailure,
            b"rerunError" => ResultKind::RerunError,
            _ => return None,
        })
    }

    /// Whose message a case keeps: the first element of the highest rank.
    fn message_rank(self) -> u8 {
        match self {
            ResultKind::Error => 4,
            ResultKind::Failure => 3,
            ResultKind::Skipped => 2,
            ResultKind::RerunFailure
            | ResultKind::RerunError
            | ResultKind::FlakyFailure
            | ResultKind::FlakyError => 1,
        }
    }
}

/// Declared count attribute of a suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Declared {
    #[default]
    Absent,
    Num(u64),
    /// Present but not a whole number (already reported as a finding).
    Invalid,
}

/// Declared totals of one `<testsuite>`/`<testsuites>`, in attribute order
/// tests, failures, errors, skipped, disabled.
#[derive(Debug, Default)]
struct DeclaredTotals {
    tests: Declared,
    failures: Declared,
    errors: Declared,
    skipped: Declared,
    disabled: Declared,
}

/// An open suite (or the root `<testsuites>`). `Default` is a suite with nothing counted yet.
#[derive(Debug, Default)]
struct SuiteFrame {
    name: String,
    is_root_suites: bool,
    /// Byte offset of the start tag, for findings.
    start: u64,
    declared: DeclaredTotals,
    /// Cases directly inside plus those of closed nested suites.
    counts: Counts,
    /// Of `counts`, the synthetic cases made for suite-level errors: a runner may or may not
    /// count those in its declared `tests`.
    synthetic: u64,
    /// Ordinal of this `<testsuite>` in the document (see [`TestCase::suite_index`]).
    index: u32,
    /// Runs of `counts`' cases, reruns recorded inside them included (Surefire counts those).
    runs: u64,
    /// The suite's own cases, held until it closes when it declares `tests=`: only then can
    /// its count tell whether repeated names are reruns (pytest-rerunfailures declares the
    /// distinct tests and writes every attempt) or distinct tests (jest `it.each`).
    held: Option<Vec<TestCase>>,
    /// Counts of this suite's own attempts before reruns were merged, when they were.
    merged_attempts: Option<Counts>,
    /// Counts of every attempt below this suite (pre-merge), nested suites included.
    attempts: Counts,
    /// Counts of the suite's own cases only, nested suites excluded.
    own: Counts,
    /// Nested suites closed inside this one.
    child_suites: u64,
    /// Skipped cases the runner's own counts leave out (jest-junit's todos).
    uncounted: u64,
    /// Errors its nested suites account for: their declared `errors`, else their counted ones.
    child_errors: u64,
    /// A `go.version` property: Go test names are unique in a package, so a repeated name is
    /// a rerun (gotestsum `--rerun-fails`).
    unique_names: bool,
    /// The suite's `file` attribute (mocha-junit-reporter puts the test file there).
    file: Option<String>,
    /// Cases below it that ctest did not run and counts failed, but declares `skipped`.
    not_run: u64,
    /// Cases below it whose `<skipped>` says they were stopped (errors), declared `skipped`.
    cancelled: u64,
    /// Cases below it that stand for a unittest class or module fixture that failed
    /// (`setUpClass (mod.Class)`): nose2 leaves them out of its `tests=`.
    holders: u64,
}

/// What a suite's start tag says.
struct SuiteAttrs {
    name: Option<String>,
    time: Option<f64>,
    file: Option<String>,
    declared: DeclaredTotals,
    /// Declared figures that are not whole numbers: (attribute, value).
    invalid: Vec<(&'static str, String)>,
}

/// The readings of a suite's declared figures that real runners use: all the cases below it
/// (most runners), its attempts before reruns were merged (Surefire, gotestsum), or only its
/// own cases with each nested suite counting as one test (node:test).
struct Readings {
    all: Counts,
    attempts: Counts,
    own: Counts,
    child_suites: u64,
    synthetic: u64,
    runs: u64,
    uncounted: u64,
    not_run: u64,
    cancelled: u64,
    holders: u64,
}

impl Readings {
    fn agree(&self, n: u64, field: impl Fn(&Counts) -> u64) -> bool {
        n == field(&self.all) || n == field(&self.attempts) || n == field(&self.own)
    }

    fn failures_agree(&self, n: u64) -> bool {
        // ctest declares its not-run failures as skipped.
        self.agree(n, |k| k.failures) || n == self.all.failures.saturating_sub(self.not_run)
    }

    fn skipped_agree(&self, n: u64) -> bool {
        self.agree(n, |k| k.skipped)
            || n == self.all.skipped.saturating_sub(self.uncounted)
            || n == self.all.skipped.saturating_add(self.not_run).saturating_add(self.cancelled)
    }

    fn errors_agree(&self, n: u64) -> bool {
        // EUnit declares its timed-out tests as skipped.
        self.agree(n, |k| k.errors) || n == self.all.errors.saturating_sub(self.cancelled)
    }

    fn tests_agree(&self, n: u64) -> bool {
        // A suite-level error may or may not be in the runner's `tests`.
        n == self.all.tests
            || n == self.all.tests.saturating_sub(self.synthetic)
            || n == self.runs
            || n == self.attempts.tests
            || n == self.own.tests.saturating_add(self.child_suites)
            || n == self.all.tests.saturating_sub(self.uncounted)
            || (self.holders > 0 && n == self.all.tests.saturating_sub(self.holders))
    }
}

/// Runner dialects whose declared figures mean something else than case counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Dialect {
    #[default]
    Generic,
    /// Catch2's JUnit reporter (`hostname="tbd"`): `tests`/`failures` count assertions; a
    /// `[!shouldfail]` test that failed as expected has both `<skipped>` and `<failure>`.
    Catch2,
    /// mocha-junit-reporter (root `name="Mocha Tests"`): `tests` includes pending tests and
    /// tests behind a failed hook, which it does not write.
    Mocha,
}

impl Dialect {
    fn counts_assertions(self) -> bool {
        self == Dialect::Catch2
    }

    fn declares_unwritten_tests(self) -> bool {
        self == Dialect::Mocha
    }
}

/// The test case being read; reset per case.
#[derive(Debug, Default)]
struct CaseState {
    name: Option<String>,
    classname: Option<String>,
    file: Option<String>,
    line: Option<u32>,
    /// From the kept result element, used when the testcase has none.
    result_file: Option<String>,
    result_line: Option<u32>,
    duration_s: f64,
    status_skips: bool,
    /// `status="notrun"` (ctest's and gtest's word for a test that did not run).
    status_notrun: bool,
    /// The `message` of the first `<skipped>` child: ctest's completion status.
    skip_reason: Option<String>,
    /// A `<skipped type=…>` that says the test was stopped, not skipped (EUnit's `timeout`).
    skip_cancelled: bool,
    primary: Option<Outcome>,
    rerun: Option<Outcome>,
    flaky_seen: bool,
    msg_rank: u8,
    /// Made for a suite-level `<failure>`/`<error>`, not read from a `<testcase>`.
    synthetic: bool,
    /// Earlier failed attempts recorded inside the case (`flakyFailure`, `rerunFailure`, ...).
    failed_reruns: u32,
    skipped_seen: bool,
}

struct Parser<'p, 's, 'l, 'b> {
    path: &'p Path,
    sink: &'s mut dyn CaseSink,
    locator: &'l mut Locator<'b>,
    /// Bytes before quick-xml's offset 0 (a BOM).
    base: u64,
    /// Names of the open elements, concatenated; `stack` holds where each starts.
    names: Vec<u8>,
    stack: Vec<(usize, Kind)>,
    suites: Vec<SuiteFrame>,
    root_seen: bool,
    root_done: bool,
    case: CaseState,
    /// Stack depth of the result element whose text is being kept.
    capture_depth: Option<usize>,
    /// Stack depth of the failing case's `<system-out>`/`<system-err>` being kept: the only
    /// explanation when the failure has no message (ctest writes `<failure message=""/>`).
    out_depth: Option<usize>,
    out: MessageBuf,
    msg: MessageBuf,
    result_type: String,
    cases: u64,
    /// `<testsuite>` elements opened so far.
    suites_opened: u32,
    /// The root's `time`, else the sum of the top-level suites' (see
    /// [`CaseSink::stated_duration`]).
    root_time: Option<f64>,
    /// Entities the DOCTYPE declares, with the literal text a reference to each keeps.
    dtd: Vec<(String, String)>,
    /// Elements directly under a suite that JUnit does not have (the first few): a document of
    /// another kind under a JUnit root name (Check's `<suite>`/`<test>`) when no case is read.
    foreign: Vec<String>,
    top_time: Option<f64>,
    dialect: Dialect,
    /// Set when this parser reads test cases cut out of a split document (see `split`): each
    /// case read is left here, to be finished by the parser that knows its suites.
    fragment: Option<Vec<Pending>>,
}

/// A test case read to its end but not yet placed in its suite (see [`Parser::finish_case`]).
#[derive(Debug)]
struct Pending {
    state: CaseState,
    message: Option<String>,
}

impl<'p, 's, 'l, 'b> Parser<'p, 's, 'l, 'b> {
    fn new(path: &'p Path, sink: &'s mut dyn CaseSink, locator: &'l mut Locator<'b>, base: u64) -> Self {
        Parser {
            path,
            sink,
            locator,
            base,
            names: Vec::with_capacity(256),
            stack: Vec::with_capacity(16),
            suites: Vec::with_capacity(8),
            root_seen: false,
            root_done: false,
            case: CaseState::default(),
            capture_depth: None,
            out_depth: None,
            out: MessageBuf::default(),
            msg: MessageBuf::default(),
            result_type: String::new(),
            cases: 0,
            suites_opened: 0,
            root_time: None,
            foreign: Vec::new(),
            dtd: Vec::new(),
            top_time: None,
            dialect: Dialect::Generic,
            fragment: None,
        }
    }

    /// Handles one event other than `Eof` (whose handling depends on the caller).
    fn event(&mut self, event: Event<'_>, at: u64, decoder: Decoder) -> Result<(), ResultsError> {
        match event {
            Event::Start(e) => self.start(&e, at, false, decoder),
            Event::Empty(e) => self.start(&e, at, true, decoder),
            Event::End(e) => self.end(e.name().as_ref(), at),
            Event::Text(t) => self.text(&t, at),
            Event::CData(c) => {
                if self.stack.is_empty() {
                    return Err(self.syntax(at, self.outside_root("CDATA")));
                }
                if (self.capture_depth.is_some() && !self.msg.is_full()) || self.out_depth.is_some() {
                    let text = c.decode().map_err(|e| self.syntax(at, e.to_string()))?;
                    self.keep_text(&text);
                }
                Ok(())
            }
            Event::GeneralRef(r) => self.general_ref(&r, at),
            Event::Decl(d) => self.decl(&d, at),
            Event::DocType(d) => {
                if self.root_seen {
                    return Err(self.syntax(at, "DOCTYPE after the root element".to_owned()));
                }
                // Tolerated, never expanded nor fetched: a reference to an entity it declares
                // keeps its literal text; any other unknown reference is an error.
                let names = super::xml::dtd_entities(&d);
                if !names.is_empty() {
                    self.finding(at, super::xml::dtd_finding(&names));
                    self.dtd = names
                        .into_iter()
                        .map(|n| {
                            let literal = format!("&{n};");
                            (n, literal)
                        })
                        .collect();
                }
                Ok(())
            }
            Event::Comment(_) | Event::PI(_) | Event::Eof => Ok(()),
        }
    }

    /// Text kept for the message (or the failing case's output) being captured.
    fn keep_text(&mut self, text: &str) {
        if self.capture_depth.is_some() && !self.msg.is_full() {
            self.msg.push(text);
        } else if self.out_depth.is_some() {
            self.out.push(text);
        }
    }

    fn text(&mut self, t: &BytesText<'_>, at: u64) -> Result<(), ResultsError> {
        if (self.capture_depth.is_some() && !self.msg.is_full()) || self.out_depth.is_some() {
            // Decoded (and so checked as UTF-8) only when kept.
            let text = t.decode().map_err(|e| self.syntax(at, e.to_string()))?;
            self.keep_text(&text);
        } else if self.stack.is_empty() && t.iter().any(|b| !b.is_ascii_whitespace()) {
            return Err(self.syntax(at, self.outside_root("text")));
        }
        Ok(())
    }

    fn general_ref(&mut self, r: &BytesRef<'_>, at: u64) -> Result<(), ResultsError> {
        if self.stack.is_empty() {
            return Err(self.syntax(at, self.outside_root("an entity reference")));
        }
        // Resolved (and so validated) even when not captured: an undeclared entity is an error
        // wherever it appears.
        let resolved = match resolve_ref(r) {
            Ok(r) => r,
            Err(m) => {
                let name = String::from_utf8_lossy(r);
                match super::xml::entity_literal(&self.dtd, &name) {
                    Some(l) => Resolved::Owned(l.to_owned()),
                    None => return Err(self.syntax(at, m)),
                }
            }
        };
        let target = if self.capture_depth.is_some() {
            Some(&mut self.msg)
        } else if self.out_depth.is_some() {
            Some(&mut self.out)
        } else {
            None
        };
        if let Some(buf) = target {
            match resolved {
                Resolved::Char(c) => buf.push_char(c),
                Resolved::Str(s) => buf.push(s),
                Resolved::Owned(s) => buf.push(&s),
            }
        }
        Ok(())
    }

    fn decl(&mut self, d: &BytesDecl<'_>, at: u64) -> Result<(), ResultsError> {
        // `cargo test -- --format junit` writes one document per test binary, one after the
        // other: a declaration after a complete root starts the next document. One inside an
        // open root means the previous document was cut off.
        if self.root_done {
            self.root_seen = false;
            self.root_done = false;
        } else if let Some(&(start, _)) = self.stack.first() {
            let end = self.stack.get(1).map_or(self.names.len(), |&(e, _)| e);
            let open = String::from_utf8_lossy(&self.names[start..end]).into_owned();
            let innermost = String::from_utf8_lossy(self.top_name()).into_owned();
            return Err(self.syntax(
                at,
                format!(
                    "a new XML document starts here while `<{open}>` is still open (inside \
                     `<{innermost}>`): the previous document was cut off (a test binary that died \
                     while writing?)"
                ),
            ));
        }
        if let Some(enc) = d.encoding() {
            let enc = enc.map_err(|e| self.syntax(at, e.to_string()))?;
            if !is_utf8_label(&enc) {
                return Err(self.syntax(
                    at,
                    format!(
                        "the document declares encoding `{}`; only UTF-8 is supported (convert the \
                         file, e.g. with iconv)",
                        String::from_utf8_lossy(&enc)
                    ),
                ));
            }
        }
        Ok(())
    }

    fn syntax(&mut self, offset: u64, message: String) -> ResultsError {
        let (line, column) = self.locator.line_col(offset.saturating_add(self.base)).unwrap_or((0, 0));
        ResultsError::Syntax { path: self.path.to_path_buf(), line, column, message }
    }

    fn outside_root(&self, what: &str) -> String {
        if self.root_done {
            format!("{what} after the end of the root element")
        } else {
            format!("{what} before the root element")
        }
    }

    fn finding(&mut self, offset: u64, message: String) {
        let line = self.locator.line(offset.saturating_add(self.base));
        self.sink.finding(Finding { file: self.path.to_path_buf(), line, message });
    }

    fn parent_kind(&self) -> Option<Kind> {
        self.stack.last().map(|&(_, k)| k)
    }

    fn start(
        &mut self,
        e: &BytesStart<'_>,
        at: u64,
        empty: bool,
        decoder: Decoder,
    ) -> Result<(), ResultsError> {
        // `<` is never allowed inside a tag, even in a quoted attribute value; quick-xml
        // would accept it, expat and the spec do not.
        // memchr: this runs over every tag's bytes, and a byte loop here cost ~10% of a 1M-case run.
        if let Some(i) = memchr::memchr(b'<', e) {
            return Err(
                self.syntax(at.saturating_add(1).saturating_add(i as u64), "`<` inside a tag".to_owned())
            );
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.syntax(at, format!("nesting deeper than {MAX_DEPTH}")));
        }
        let name = e.name();
        let name = name.as_ref();
        let kind = self.kind(name, at)?;
        match kind {
            Kind::Suites | Kind::Suite => self.open_suite(e, at, kind == Kind::Suites, decoder)?,
            Kind::Case => self.open_case(e, at, decoder)?,
            Kind::Result(r) => self.open_result(e, at, r, decoder)?,
            Kind::SuiteResult(r) => {
                self.case = CaseState { synthetic: true, ..CaseState::default() };
                self.msg.clear();
                self.open_result(e, at, r, decoder)?;
            }
            Kind::Other if name == b"property" => self.property(e, at, decoder)?,
            Kind::Other
                if matches!(name, b"system-out" | b"system-err")
                    && self.parent_kind() == Some(Kind::Case)
                    && matches!(self.case.primary, Some(Outcome::Failed | Outcome::Error))
                    && (self.msg.is_empty() || self.msg.is_status_word()) =>
            {
                self.check_attrs(e, at)?;
                if !empty {
                    self.out.separate();
                    self.out_depth = Some(self.stack.len().saturating_add(1));
                }
            }
            Kind::Other => {
                if matches!(self.parent_kind(), Some(Kind::Suites | Kind::Suite))
                    && !matches!(name, b"properties" | b"system-out" | b"system-err")
                    && self.foreign.len() < 4
                {
                    let n = String::from_utf8_lossy(name).into_owned();
                    if !self.foreign.contains(&n) {
                        self.foreign.push(n);
                    }
                }
                self.check_attrs(e, at)?;
            }
        }
        if empty {
            self.close(kind)?;
        } else {
            let start = self.names.len();
            self.names.extend_from_slice(name);
            self.stack.push((start, kind));
        }
        Ok(())
    }

    /// What the element `name` starting at `at` is, given where it is.
    fn kind(&mut self, name: &[u8], at: u64) -> Result<Kind, ResultsError> {
        if self.root_done {
            if !matches!(name, b"testsuites" | b"testsuite") {
                return Err(self.syntax(at, self.outside_root("an element")));
            }
            // Concatenated documents without declarations: the next one starts.
            self.root_seen = false;
            self.root_done = false;
        }
        if !self.root_seen {
            self.root_seen = true;
            match name {
                b"testsuites" => Ok(Kind::Suites),
                b"testsuite" => Ok(Kind::Suite),
                other => Err(ResultsError::Unrecognised {
                    path: self.path.to_path_buf(),
                    reason: format!(
                        "XML root element `<{}>` is not JUnit (`<testsuites>`/`<testsuite>`)",
                        String::from_utf8_lossy(other)
                    ),
                }),
            }
        } else {
            let parent = self.parent_kind();
            let in_suites = matches!(parent, Some(Kind::Suites | Kind::Suite));
            Ok(match name {
                b"testsuite" | b"testcase" if !in_suites => {
                    let message = format!(
                        "`<{}>` inside `<{}>`; it is only allowed in `<testsuites>` or `<testsuite>`",
                        String::from_utf8_lossy(name),
                        String::from_utf8_lossy(self.top_name())
                    );
                    return Err(self.syntax(at, message));
                }
                b"testsuites" => {
                    return Err(
                        self.syntax(at, "`<testsuites>` is only allowed as the root element".to_owned())
                    );
                }
                b"testsuite" => Kind::Suite,
                b"testcase" => Kind::Case,
                _ if parent == Some(Kind::Case) => match ResultKind::from_name(name) {
                    Some(r) => Kind::Result(r),
                    None => Kind::Other,
                },
                b"error" if parent == Some(Kind::Suite) => Kind::SuiteResult(ResultKind::Error),
                b"failure" if parent == Some(Kind::Suite) => Kind::SuiteResult(ResultKind::Failure),
                _ => Kind::Other,
            })
        }
    }

    fn top_name(&self) -> &[u8] {
        match self.stack.last() {
            Some(&(start, _)) => &self.names[start..],
            None => b"",
        }
    }

    fn end(&mut self, name: &[u8], at: u64) -> Result<(), ResultsError> {
        let Some(&(start, kind)) = self.stack.last() else {
            return Err(self.syntax(
                at,
                format!("closing tag `</{}>` without an open element", String::from_utf8_lossy(name)),
            ));
        };
        if &self.names[start..] != name {
            let message = format!(
                "expected `</{}>`, found `</{}>`",
                String::from_utf8_lossy(&self.names[start..]),
                String::from_utf8_lossy(name)
            );
            return Err(self.syntax(at, message));
        }
        self.names.truncate(start);
        self.stack.pop();
        self.close(kind)
    }

    fn close(&mut self, kind: Kind) -> Result<(), ResultsError> {
        match kind {
            Kind::Suites | Kind::Suite => self.close_suite(),
            Kind::Case => self.close_case(),
            Kind::Result(_) | Kind::SuiteResult(_) => {
                if self.capture_depth.is_some_and(|d| d >= self.stack.len()) {
                    self.capture_depth = None;
                    if self.msg.is_empty() && !self.result_type.is_empty() {
                        // No message nor text: the type (e.g. an exception class) is all we have.
                        let ty = std::mem::take(&mut self.result_type);
                        self.msg.push(&ty);
                        self.result_type = ty;
                    }
                }
                if matches!(kind, Kind::SuiteResult(_)) {
                    self.close_case();
                }
            }
            Kind::Other => {
                if self.out_depth.is_some_and(|d| d > self.stack.len()) {
                    self.out_depth = None;
                }
            }
        }
        if self.stack.is_empty() {
            self.root_done = true;
        }
        Ok(())
    }

    fn finish(mut self, end: u64) -> Result<u64, ResultsError> {
        if let Some(&(start, _)) = self.stack.last() {
            let message = format!(
                "the document ends inside `<{}>` (missing `</{}>`; truncated file?)",
                String::from_utf8_lossy(&self.names[start..]),
                String::from_utf8_lossy(&self.names[start..])
            );
            return Err(self.syntax(end, message));
        }
        if !self.root_seen {
            return Err(self.syntax(end, "no root element".to_owned()));
        }
        if self.cases == 0 && !self.foreign.is_empty() {
            // Not an empty run: a document this reader does not know, which would read as
            // "0 tests" and hide whatever it holds.
            let names: Vec<String> = self.foreign.iter().map(|n| format!("`<{n}>`")).collect();
            return Err(ResultsError::Unrecognised {
                path: self.path.to_path_buf(),
                reason: format!(
                    "it has a JUnit root element but no `<testcase>`; it holds {} instead, so it is some \
                     other XML format, not an empty JUnit run",
                    names.join(", ")
                ),
            });
        }
        if let Some(t) = self.root_time.or(self.top_time).filter(|t| t.is_finite() && *t > 0.0) {
            self.sink.stated_duration(t);
        }
        Ok(self.cases)
    }

    /// A suite's `<property>`: `go.version` marks a Go package (unique test names).
    fn property(&mut self, e: &BytesStart<'_>, at: u64, decoder: Decoder) -> Result<(), ResultsError> {
        let [name] = self.pick(e, at, [b"name"])?;
        if let Some(a) = name
            && self.value(&a, at, decoder)? == "go.version"
            && let Some(frame) = self.suites.last_mut()
        {
            frame.unique_names = true;
        }
        Ok(())
    }

    /// Validates every attribute of an element whose content is ignored.
    fn check_attrs(&mut self, e: &BytesStart<'_>, at: u64) -> Result<(), ResultsError> {
        let mut attrs = e.attributes();
        attrs.with_checks(false);
        for attr in attrs {
            if let Err(err) = attr {
                return Err(self.attr_error(at, err));
            }
        }
        Ok(())
    }

    /// The attributes named in `keys`, in that order; a repeated one is an error, others are
    /// only checked for syntax.
    fn pick<'a, const N: usize>(
        &mut self,
        e: &'a BytesStart<'_>,
        at: u64,
        keys: [&[u8]; N],
    ) -> Result<[Option<Attribute<'a>>; N], ResultsError> {
        let mut found: [Option<Attribute<'a>>; N] = std::array::from_fn(|_| None);
        let mut attrs = e.attributes();
        attrs.with_checks(false);
        for attr in attrs {
            let attr = attr.map_err(|err| self.attr_error(at, err))?;
            let Some(i) = keys.iter().position(|k| *k == attr.key.as_ref()) else { continue };
            if found[i].is_some() {
                return Err(self.duplicate(at, keys[i]));
            }
            found[i] = Some(attr);
        }
        Ok(found)
    }

    fn attr_error(&mut self, at: u64, err: quick_xml::events::attributes::AttrError) -> ResultsError {
        use quick_xml::events::attributes::AttrError as A;
        let rel = match err {
            A::ExpectedEq(p)
            | A::ExpectedValue(p)
            | A::UnquotedValue(p)
            | A::ExpectedQuote(p, _)
            | A::Duplicated(p, _) => p,
        };
        self.syntax(at.saturating_add(1).saturating_add(rel as u64), format!("bad attribute: {err}"))
    }

    /// Decodes an attribute value (UTF-8 check, predefined and numeric references).
    fn value<'a>(
        &mut self,
        attr: &Attribute<'a>,
        at: u64,
        decoder: Decoder,
    ) -> Result<Cow<'a, str>, ResultsError> {
        let dtd = &self.dtd;
        let value = attr.decode_and_unescape_value_with(decoder, |n| {
            quick_xml::escape::resolve_predefined_entity(n).or_else(|| super::xml::entity_literal(dtd, n))
        });
        value.map_err(|err| {
            use quick_xml::escape::EscapeError;
            let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
            let what = match err {
                quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => format!(
                    "undeclared entity `&{name};` (only the five predefined XML entities are accepted; \
                     DTD entities are never expanded)"
                ),
                other => other.to_string(),
            };
            self.syntax(at, format!("attribute `{key}`: {what}"))
        })
    }

    fn duplicate(&mut self, at: u64, key: &[u8]) -> ResultsError {
        self.syntax(at, format!("duplicate attribute `{}`", String::from_utf8_lossy(key)))
    }

    /// The attributes of a `<testsuite>`/`<testsuites>` start tag that the reader uses.
    fn suite_attrs(
        &mut self,
        e: &BytesStart<'_>,
        at: u64,
        decoder: Decoder,
    ) -> Result<SuiteAttrs, ResultsError> {
        let mut name: Option<String> = None;
        let mut time: Option<f64> = None;
        let mut suite_file: Option<String> = None;
        let mut declared = DeclaredTotals::default();
        let mut invalid: Vec<(&'static str, String)> = Vec::new();
        let mut attrs = e.attributes();
        attrs.with_checks(false);
        for attr in attrs {
            let attr = attr.map_err(|err| self.attr_error(at, err))?;
            let key = attr.key.as_ref();
            let slot = match key {
                b"name" => {
                    if name.is_some() {
                        return Err(self.duplicate(at, key));
                    }
                    name = Some(self.value(&attr, at, decoder)?.into_owned());
                    continue;
                }
                b"time" => {
                    if time.is_some() {
                        return Err(self.duplicate(at, key));
                    }
                    time = Some(parse_time(&self.value(&attr, at, decoder)?));
                    continue;
                }
                b"file" => {
                    suite_file = Some(self.value(&attr, at, decoder)?.into_owned());
                    continue;
                }
                b"hostname" => {
                    if self.value(&attr, at, decoder)? == "tbd" {
                        self.dialect = Dialect::Catch2;
                    }
                    continue;
                }
                b"tests" => (&mut declared.tests, "tests"),
                b"failures" => (&mut declared.failures, "failures"),
                b"errors" => (&mut declared.errors, "errors"),
                b"skipped" => (&mut declared.skipped, "skipped"),
                b"disabled" => (&mut declared.disabled, "disabled"),
                _ => continue,
            };
            let (slot, label) = slot;
            if *slot != Declared::Absent {
                return Err(self.duplicate(at, key));
            }
            let value = self.value(&attr, at, decoder)?;
            *slot = match parse_count(&value) {
                Some(n) => Declared::Num(n),
                None => {
                    invalid.push((label, value.into_owned()));
                    Declared::Invalid
                }
            };
        }
        Ok(SuiteAttrs { name, time, file: suite_file, declared, invalid })
    }

    fn open_suite(
        &mut self,
        e: &BytesStart<'_>,
        at: u64,
        is_root_suites: bool,
        decoder: Decoder,
    ) -> Result<(), ResultsError> {
        let SuiteAttrs { name, time, file: suite_file, declared, invalid } =
            self.suite_attrs(e, at, decoder)?;
        if is_root_suites && name.as_deref() == Some("Mocha Tests") {
            self.dialect = Dialect::Mocha;
        }
        if let Some(t) = time {
            if is_root_suites {
                self.root_time = Some(t);
            } else if self.suites.iter().all(|s| s.is_root_suites) {
                self.top_time = Some(self.top_time.unwrap_or(0.0) + t);
            }
        }
        let index = self.suites_opened;
        if !is_root_suites {
            self.suites_opened = self.suites_opened.saturating_add(1);
        }
        // Held when its count or its properties (read after the start tag) may show reruns.
        let held = (!is_root_suites).then(Vec::new);
        let frame = SuiteFrame {
            name: name.unwrap_or_default(),
            is_root_suites,
            start: at,
            declared,
            index,
            held,
            file: suite_file,
            ..SuiteFrame::default()
        };
        for (label, value) in invalid {
            let message = format!(
                "{} has {label}=\"{value}\", which is not a whole number; it is not compared",
                suite_label(&frame)
            );
            self.finding(at, message);
        }
        self.suites.push(frame);
        Ok(())
    }

    #[allow(
        clippy::arithmetic_side_effects,
        reason = "`Counts` of cases read: each is below the document's size in bytes"
    )]
    fn close_suite(&mut self) {
        let Some(mut frame) = self.suites.pop() else {
            return;
        };
        self.release_held(&mut frame);
        self.unlisted_skipped(&mut frame);
        self.unlisted_errors(&mut frame);
        // What the suite's figures would be had no rerun been merged (its own cases counted
        // one by one when they were not merged, in `count`).
        if let Some(a) = frame.merged_attempts {
            frame.attempts += a;
        }
        for message in self.mismatches(&frame) {
            self.finding(frame.start, message);
        }
        let c = frame.counts;
        if let Some(parent) = self.suites.last_mut() {
            parent.counts += c;
            parent.synthetic = parent.synthetic.saturating_add(frame.synthetic);
            parent.runs = parent.runs.saturating_add(frame.runs);
            parent.attempts += frame.attempts;
            parent.child_suites = parent.child_suites.saturating_add(1);
            parent.uncounted = parent.uncounted.saturating_add(frame.uncounted);
            parent.not_run = parent.not_run.saturating_add(frame.not_run);
            parent.cancelled = parent.cancelled.saturating_add(frame.cancelled);
            parent.holders = parent.holders.saturating_add(frame.holders);
            let accounted = match frame.declared.errors {
                Declared::Num(n) => n.max(c.errors),
                _ => c.errors,
            };
            parent.child_errors = parent.child_errors.saturating_add(accounted);
        }
    }

    /// Emits the cases a suite held, merging reruns when its figures show them.
    fn release_held(&mut self, frame: &mut SuiteFrame) {
        let Some(held) = frame.held.take() else { return };
        // Reruns need fewer distinct tests than cases, and a Go package or a declared count of
        // them below the cases: without either, the names are not hashed to count the distinct
        // tests (a cost per case on the thread that puts a split file together).
        let possible =
            frame.unique_names || matches!(frame.declared.tests, Declared::Num(n) if n < held.len() as u64);
        let reruns = possible && {
            let distinct = rerun::distinct_tests(&held);
            held.len() > distinct
                && (frame.unique_names
                    || matches!(frame.declared.tests, Declared::Num(n) if n == distinct as u64))
        };
        let held = if reruns { held } else { self.uncounted_empty_cases(frame, held) };
        let cases = if reruns {
            // The runner may count failed attempts in `failures=`/`errors=` (gotestsum
            // does): those figures are compared with the attempts too.
            let mut attempts = Counts::default();
            for c in &held {
                attempts.add(c.outcome, c.flaky);
            }
            frame.merged_attempts = Some(attempts);
            rerun::merge_reruns(held)
        } else {
            held
        };
        let merged = frame.merged_attempts.is_some();
        for case in cases {
            frame.count(&case, !merged);
            self.emit(case);
        }
    }

    /// The suite's declared figures that none of the readings runners use agrees with.
    fn mismatches(&self, frame: &SuiteFrame) -> Vec<String> {
        let label = suite_label(frame);
        let c = frame.counts;
        let d = &frame.declared;
        // The readings of a declared figure that real runners use; any one agreeing is
        // agreement (see `Readings`).
        let r = Readings {
            all: c,
            attempts: frame.attempts,
            own: frame.own,
            child_suites: frame.child_suites,
            synthetic: frame.synthetic,
            runs: frame.runs,
            uncounted: frame.uncounted,
            not_run: frame.not_run,
            cancelled: frame.cancelled,
            holders: frame.holders,
        };
        let mut mismatches: Vec<String> = Vec::new();
        let mut check =
            |declared: Declared, attr: &str, ok: &dyn Fn(u64) -> bool, counted: u64, noun: (&str, &str)| {
                if let Declared::Num(n) = declared
                    && !ok(n)
                {
                    let noun = if counted == 1 { noun.0 } else { noun.1 };
                    mismatches.push(format!("{label} declares {attr}=\"{n}\" but has {counted} {noun}"));
                }
            };
        let lenient = self.dialect.declares_unwritten_tests();
        if !self.dialect.counts_assertions() {
            check(
                d.tests,
                "tests",
                &|n| r.tests_agree(n) || (lenient && n >= c.tests),
                c.tests,
                ("test case", "test cases"),
            );
            let failed = ("failed test case", "failed test cases");
            check(d.failures, "failures", &|n| r.failures_agree(n), c.failures, failed);
        }
        let errored = ("test case with an error", "test cases with an error");
        check(d.errors, "errors", &|n| r.errors_agree(n), c.errors, errored);
        let skipped = ("skipped test case", "skipped test cases");
        match (d.skipped, d.disabled) {
            (Declared::Num(s), Declared::Num(dis)) => {
                let n = s.saturating_add(dis);
                if !r.skipped_agree(n) {
                    let noun = if c.skipped == 1 { skipped.0 } else { skipped.1 };
                    mismatches.push(format!(
                        "{label} declares skipped=\"{s}\" and disabled=\"{dis}\" but has {} {noun}",
                        c.skipped
                    ));
                }
            }
            (s, Declared::Absent | Declared::Invalid) => {
                check(s, "skipped", &|n| r.skipped_agree(n), c.skipped, skipped)
            }
            // gtest's root declares `disabled` alone: the disabled tests are some of the
            // skipped ones (GTEST_SKIP adds the others).
            (Declared::Absent | Declared::Invalid, dis) => {
                check(dis, "disabled", &|n| n <= c.skipped, c.skipped, skipped)
            }
        }
        mismatches
    }

    /// libtest's JUnit, nextest and mocha-junit-reporter write ignored/pending tests only as a
    /// count: a suite that declares N more tests and N more skipped tests than it lists holds N
    /// unlisted skipped tests, counted as stand-in skipped cases so the totals match the
    /// runner's. (Skipped, so a wrong guess can never turn a run green.)
    fn unlisted_skipped(&mut self, frame: &mut SuiteFrame) {
        let d = &frame.declared;
        let Declared::Num(tests) = d.tests else { return };
        let skipped = match (d.skipped, d.disabled) {
            (Declared::Num(s), Declared::Num(dis)) => s.saturating_add(dis),
            (Declared::Num(s), _) | (_, Declared::Num(s)) => s,
            _ => return,
        };
        let c = frame.counts;
        let unlisted_tests = tests.saturating_sub(c.tests);
        let unlisted_skipped = skipped.saturating_sub(c.skipped);
        // mocha-junit-reporter's `tests` also counts tests behind a failed hook, so there the
        // unlisted skipped tests may be fewer than the unlisted tests.
        let consistent = unlisted_skipped == unlisted_tests
            || (self.dialect.declares_unwritten_tests() && unlisted_skipped < unlisted_tests);
        let missing = unlisted_skipped;
        if missing == 0 || !consistent || missing > MAX_UNLISTED {
            return;
        }
        for _ in 0..missing {
            let case = TestCase {
                message: Some(format!(
                    "the suite declares {missing} skipped test{} that it does not list",
                    if missing == 1 { "" } else { "s" }
                )),
                ..TestCase::ran_once(
                    frame.name.clone(),
                    frame.index,
                    "[skipped test not listed by the runner]".to_owned(),
                    Outcome::Skipped,
                )
            };
            frame.count(&case, true);
            self.emit(case);
        }
    }

    /// jest-junit writes a `test.todo` as an empty `<testcase time="0">` that its own `tests=`
    /// leaves out: when a suite lists k more cases than it declares and exactly k of them are
    /// empty zero-time passes, those k did not run and are counted as skipped. (Skipped, so a
    /// wrong guess can never turn a run green.)
    fn uncounted_empty_cases(&self, frame: &mut SuiteFrame, mut held: Vec<TestCase>) -> Vec<TestCase> {
        let Declared::Num(n) = frame.declared.tests else { return held };
        let extra = (held.len() as u64).saturating_sub(n);
        // jest-junit's default names: classname and name are both "<describe> <title>".
        let empty = |c: &TestCase| {
            c.outcome == Outcome::Passed
                && c.duration_s == 0.0
                && c.message.is_none()
                && c.classname.as_deref() == Some(c.name.as_str())
        };
        if self.dialect != Dialect::Generic
            || extra == 0
            || held.iter().filter(|c| empty(c)).count() as u64 != extra
        {
            return held;
        }
        frame.uncounted = frame.uncounted.saturating_add(extra);
        for c in held.iter_mut().filter(|c| empty(c)) {
            c.outcome = Outcome::Skipped;
            c.message = Some("not run: listed without a result and left out of the suite's own tests= count (how jest-junit writes test.todo)".to_owned());
        }
        held
    }

    /// A suite (or root) that declares more errors than its cases hold recorded them where no
    /// case could (gotestsum writes a package that failed to build only as `errors="1"` on
    /// `<testsuites>`): each becomes an errored stand-in case, so it counts and shows. Worst
    /// evidence wins: a declared error is evidence.
    fn unlisted_errors(&mut self, frame: &mut SuiteFrame) {
        // Only the root's errors can belong to no suite: a suite's own `errors=` often counts
        // `<error>` elements rather than cases (several in one case), which is no evidence of
        // anything unrecorded.
        if self.dialect.counts_assertions() || !frame.is_root_suites {
            return;
        }
        let Declared::Num(declared) = frame.declared.errors else { return };
        let counted = frame.child_errors.max(frame.counts.errors);
        let missing = declared.saturating_sub(counted);
        if missing == 0 || missing > MAX_UNLISTED {
            return;
        }
        let label = suite_label(frame);
        for _ in 0..missing {
            let message = format!(
                "{label} declares errors=\"{declared}\" but records {counted} as test cases: \
                 something failed outside any test (gotestsum writes a package that failed to \
                 build this way); see the runner's log"
            );
            let case = TestCase::errored(
                if frame.is_root_suites { String::new() } else { frame.name.clone() },
                frame.index,
                "[error declared by the suite, not recorded as a test case]".to_owned(),
                Some(message),
            );
            frame.count(&case, true);
            frame.synthetic = frame.synthetic.saturating_add(1);
            self.emit(case);
        }
    }

    /// Hands a finished case on.
    fn emit(&mut self, case: TestCase) {
        self.cases = self.cases.saturating_add(1);
        self.sink.case(case);
    }

    fn open_case(&mut self, e: &BytesStart<'_>, at: u64, decoder: Decoder) -> Result<(), ResultsError> {
        self.case = CaseState::default();
        self.msg.clear();
        self.out.clear();
        self.result_type.clear();
        self.capture_depth = None;
        self.out_depth = None;
        let [name, classname, file, line, time, status] =
            self.pick(e, at, [b"name", b"classname", b"file", b"line", b"time", b"status"])?;
        if let Some(a) = name {
            self.case.name = Some(self.value(&a, at, decoder)?.into_owned());
        }
        if let Some(a) = classname {
            self.case.classname = Some(self.value(&a, at, decoder)?.into_owned());
        }
        if let Some(a) = file {
            self.case.file = Some(self.value(&a, at, decoder)?.into_owned());
        }
        if let Some(a) = line {
            self.case.line = parse_line(&self.value(&a, at, decoder)?);
        }
        if let Some(a) = time {
            self.case.duration_s = parse_time(&self.value(&a, at, decoder)?);
        }
        if let Some(a) = status {
            let v = self.value(&a, at, decoder)?;
            self.case.status_skips = status_means_skipped(&v);
            self.case.status_notrun = v.trim().eq_ignore_ascii_case("notrun");
        }
        Ok(())
    }

    fn open_result(
        &mut self,
        e: &BytesStart<'_>,
        at: u64,
        kind: ResultKind,
        decoder: Decoder,
    ) -> Result<(), ResultsError> {
        let c = &mut self.case;
        match kind {
            ResultKind::Error => c.primary = c.primary.max(Some(Outcome::Error)),
            ResultKind::Failure => c.primary = c.primary.max(Some(Outcome::Failed)),
            ResultKind::Skipped => {
                c.primary = c.primary.max(Some(Outcome::Skipped));
                c.skipped_seen = true;
            }
            ResultKind::RerunError => c.rerun = c.rerun.max(Some(Outcome::Error)),
            ResultKind::RerunFailure => c.rerun = c.rerun.max(Some(Outcome::Failed)),
            ResultKind::FlakyFailure | ResultKind::FlakyError => c.flaky_seen = true,
        }
        if matches!(
            kind,
            ResultKind::RerunError
                | ResultKind::RerunFailure
                | ResultKind::FlakyFailure
                | ResultKind::FlakyError
        ) {
            c.failed_reruns = c.failed_reruns.saturating_add(1);
        }
        let rank = kind.message_rank();
        let keep = rank > c.msg_rank;
        // gtest and Catch2 write several `<failure>`s in one case: every one is shown.
        let also = !keep && rank == c.msg_rank && rank >= ResultKind::Failure.message_rank();
        if also {
            self.msg.paragraph();
            self.result_type.clear();
        }
        let keep = keep || also;
        if keep && !also {
            c.msg_rank = rank;
            c.result_file = None;
            c.result_line = None;
            self.msg.clear();
            self.result_type.clear();
        }
        // Duplicates are errors even in a result whose message is not kept.
        let [message, kind_attr, file, line] = self.pick(e, at, [b"message", b"type", b"file", b"line"])?;
        if kind == ResultKind::Skipped
            && self.case.skip_reason.is_none()
            && let Some(a) = &message
        {
            self.case.skip_reason = Some(self.value(a, at, decoder)?.into_owned());
        }
        if kind == ResultKind::Skipped
            && let Some(a) = &kind_attr
            && skip_type_means_stopped(&self.value(a, at, decoder)?)
        {
            self.case.skip_cancelled = true;
        }
        if keep {
            if let Some(a) = message {
                let v = self.value(&a, at, decoder)?;
                self.msg.push(&v);
            }
            if let Some(a) = kind_attr {
                let v = self.value(&a, at, decoder)?;
                self.result_type.push_str(&v);
            }
            // The first failure's location stands for the case.
            if let Some(a) = file.filter(|_| self.case.result_file.is_none()) {
                self.case.result_file = Some(self.value(&a, at, decoder)?.into_owned());
            }
            if let Some(a) = line.filter(|_| self.case.result_line.is_none()) {
                self.case.result_line = parse_line(&self.value(&a, at, decoder)?);
            }
        }
        if keep {
            self.msg.separate();
            // Text is captured until this element closes (the depth it will have once pushed).
            self.capture_depth = Some(self.stack.len().saturating_add(1));
        }
        Ok(())
    }

    fn close_case(&mut self) {
        let pending = self.take_case();
        match &mut self.fragment {
            Some(done) => done.push(pending),
            None => self.finish_case(pending),
        }
    }

    /// The case just read, with its message; the case state is reset for the next one.
    fn take_case(&mut self) -> Pending {
        let state = std::mem::take(&mut self.case);
        self.capture_depth = None;
        let message = match self.msg.take() {
            // Only a status word (ctest's `Failed`, `SEGFAULT`): the output says why.
            Some(word) if super::message::is_status_word(&word) => match self.out.take() {
                Some(o) => Some(format!("{word}\n(the end of the test's output:)\n{o}")),
                None => Some(word),
            },
            Some(m) => Some(m),
            // No message: the end of the output is the best explanation there is.
            None => {
                self.out.take().map(|o| format!("(no failure message; the end of the test's output:)\n{o}"))
            }
        };
        self.out.clear();
        self.msg.clear();
        Pending { state, message }
    }

    /// Places a case read to its end in its suite: what depends on the suites around it and on
    /// the document's dialect.
    fn finish_case(&mut self, Pending { state: c, message }: Pending) {
        // Catch2 writes a `[!shouldfail]` test that failed as expected with `<skipped>` and
        // `<failure>`: an expected failure, counted as skipped like pytest's xfail.
        let expected_failure =
            self.dialect == Dialect::Catch2 && c.skipped_seen && c.primary == Some(Outcome::Failed);
        // ctest's not-run that ctest counts failed (see the module's counting policy).
        let not_run = c.status_notrun && c.skipped_seen && !ctest_counts_skipped(c.skip_reason.as_deref());
        if not_run && let Some(frame) = self.suites.last_mut() {
            frame.not_run = frame.not_run.saturating_add(1);
        }
        // unittest's stand-in for a failed class/module fixture (nose2 splits its description
        // "setUpClass (mod.Class)" at the last dot, into classname and name).
        let holder = [c.classname.as_deref(), c.name.as_deref()].into_iter().flatten().any(|n| {
            ["setUpClass (", "tearDownClass (", "setUpModule (", "tearDownModule ("]
                .iter()
                .any(|p| n.starts_with(p))
        });
        if holder && let Some(frame) = self.suites.last_mut() {
            frame.holders = frame.holders.saturating_add(1);
        }
        // A skip that says the test was stopped (timed out, cancelled, aborted) is an error.
        let cancelled = c.skip_cancelled && !c.status_skips && c.primary == Some(Outcome::Skipped);
        if cancelled && let Some(frame) = self.suites.last_mut() {
            frame.cancelled = frame.cancelled.saturating_add(1);
        }
        let message = if not_run {
            Some(format!("Not Run (ctest counts it failed): {}", message.as_deref().unwrap_or("")))
        } else if cancelled {
            Some(format!(
                "cancelled: timed out or aborted, not skipped\n{}",
                message.as_deref().unwrap_or("")
            ))
        } else {
            message
        };
        let outcome = if cancelled {
            Outcome::Error
        } else if not_run {
            Outcome::Failed
        } else if c.status_skips || expected_failure {
            Outcome::Skipped
        } else {
            c.primary.or(c.rerun).unwrap_or(Outcome::Passed)
        };
        let flaky = outcome == Outcome::Passed && c.flaky_seen;
        let (file, line) = match (c.file, c.line) {
            (None, None) => (c.result_file, c.result_line),
            (file, line) => (file, line.or(c.result_line)),
        };
        let innermost = self.suites.last().filter(|s| !s.is_root_suites);
        let file = file.or_else(|| innermost.and_then(|s| s.file.clone()));
        let suite = innermost.map(|s| s.name.clone()).unwrap_or_default();
        let suite_index = innermost.map_or(0, |s| s.index);
        let (name, classname) = if c.synthetic {
            let what = if outcome == Outcome::Error { "error" } else { "failure" };
            (format!("[suite-level {what}]"), Some(suite.clone()).filter(|s| !s.is_empty()))
        } else {
            (c.name.unwrap_or_default(), c.classname)
        };
        let failed_now = u32::from(matches!(outcome, Outcome::Failed | Outcome::Error));
        let case = TestCase {
            suite,
            suite_index,
            name,
            classname,
            file,
            line,
            outcome,
            flaky,
            duration_s: c.duration_s,
            runs: c.failed_reruns.saturating_add(1),
            failed_runs: c.failed_reruns.saturating_add(failed_now),
            message,
        };
        if c.synthetic
            && let Some(frame) = self.suites.last_mut()
        {
            frame.synthetic = frame.synthetic.saturating_add(1);
        }
        match self.suites.last_mut() {
            Some(SuiteFrame { held: Some(held), .. }) => held.push(case),
            Some(frame) => {
                frame.count(&case, true);
                self.emit(case);
            }
            None => self.emit(case),
        }
    }
}

impl SuiteFrame {
    /// Counts one of the suite's own cases (and as an attempt, unless attempts were merged).
    fn count(&mut self, case: &TestCase, attempt: bool) {
        self.counts.add(case.outcome, case.flaky);
        self.own.add(case.outcome, case.flaky);
        if attempt {
            self.attempts.add(case.outcome, case.flaky);
        }
        self.runs = self.runs.saturating_add(u64::from(case.runs));
    }
}

fn suite_label(frame: &SuiteFrame) -> String {
    match (frame.is_root_suites, frame.name.is_empty()) {
        (true, true) => "`<testsuites>`".to_owned(),
        (true, false) => format!("`<testsuites>` `{}`", frame.name),
        (false, true) => "unnamed suite".to_owned(),
        (false, false) => format!("suite `{}`", frame.name),
    }
}

/// Whether a `<skipped type=…>` says the test was stopped rather than skipped: EUnit's
/// surefire writes a cancelled (timed-out) test as `<skipped type="timeout">`.
fn skip_type_means_stopped(kind: &str) -> bool {
    let k = kind.trim().to_ascii_lowercase();
    ["timeout", "timedout", "timed out", "timed_out", "cancel", "abort", "interrupt"]
        .iter()
        .any(|w| k.contains(w))
}

/// Whether ctest counts a not-run test with this completion status skipped, not failed
/// (cmCTestRunTest sets exactly these two for a skip; everything else not run is a failure).
fn ctest_counts_skipped(reason: Option<&str>) -> bool {
    let r = reason.unwrap_or("").trim();
    r == "SKIP_REGULAR_EXPRESSION_MATCHED"
        || r.strip_prefix("SKIP_RETURN_CODE=").is_some_and(|n| n.parse::<i64>().is_ok())
}

/// `status` values that mean the test did not run (compared case-insensitively).
fn status_means_skipped(status: &str) -> bool {
    let s = status.trim();
    ["disabled", "ignored", "skipped", "notrun"].iter().any(|k| s.eq_ignore_ascii_case(k))
}

fn parse_line(value: &str) -> Option<u32> {
    value.trim().parse().ok()
}

/// Seconds, leniently: missing, negative or unparsable → 0; a decimal comma is accepted
/// (`"1,5"`), and so are thousands separators when a point is also present (`"1,234.5"`).
pub(super) fn parse_time(value: &str) -> f64 {
    let v = value.trim();
    let parsed = if v.contains(',') {
        let fixed: String =
            if v.contains('.') { v.chars().filter(|&c| c != ',').collect() } else { v.replace(',', ".") };
        fixed.parse::<f64>()
    } else {
        v.parse::<f64>()
    };
    match parsed {
        Ok(t) if t.is_finite() && t > 0.0 => t,
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CollectSink, MESSAGE_LIMIT, TRUNCATION_MARKER};

    fn run(xml: &str) -> Result<CollectSink, ResultsError> {
        run_bytes(xml.as_bytes())
    }

    fn run_bytes(xml: &[u8]) -> Result<CollectSink, ResultsError> {
        let mut sink = CollectSink::default();
        let mut loc = Locator::bytes(xml);
        let n = read(xml, Path::new("r.xml"), &mut sink, &mut loc)?;
        assert_eq!(n as usize, sink.cases.len());
        Ok(sink)
    }

    /// (line, column, message) of a syntax error.
    fn syntax_err(xml: &str) -> (u64, u64, String) {
        match run(xml) {
            Err(ResultsError::Syntax { line, column, message, .. }) => (line, column, message),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    fn outcomes(sink: &CollectSink) -> Vec<(Outcome, bool)> {
        sink.cases.iter().map(|c| (c.outcome, c.flaky)).collect()
    }

    #[test]
    fn nested_suites_and_innermost_suite_name() {
        let sink = run(r#"<testsuites name="all">
  <testcase name="top" classname="T"/>
  <testsuite name="outer">
    <testsuite name="inner"><testcase name="deep" classname="D" time="0.25"/></testsuite>
    <testcase name="after-inner"/>
  </testsuite>
</testsuites>"#)
        .unwrap();
        let names: Vec<(&str, &str)> =
            sink.cases.iter().map(|c| (c.suite.as_str(), c.name.as_str())).collect();
        assert_eq!(names, [("", "top"), ("inner", "deep"), ("outer", "after-inner")]);
        assert_eq!(sink.cases[1].classname.as_deref(), Some("D"));
        assert_eq!(sink.cases[1].duration_s, 0.25);
        assert!(sink.findings.is_empty());
    }

    #[test]
    fn bare_testsuite_root_and_empty_roots() {
        let sink = run(r#"<testsuite name="s"><testcase name="a"/></testsuite>"#).unwrap();
        assert_eq!(sink.cases[0].suite, "s");
        assert_eq!(run("<testsuites/>").unwrap().cases.len(), 0);
        assert_eq!(run("<testsuite></testsuite>\n").unwrap().cases.len(), 0);
    }

    #[test]
    fn result_elements_and_severity() {
        let sink = run(r#"<testsuite>
  <testcase name="f"><failure message="m1">text1</failure></testcase>
  <testcase name="e"><error/></testcase>
  <testcase name="s"><skipped/></testcase>
  <testcase name="p"></testcase>
  <testcase name="multi"><skipped message="s"/><failure message="f"/><error message="e"/><failure message="f2"/></testcase>
  <testcase name="fs"><failure message="f"/><skipped message="s"/></testcase>
</testsuite>"#)
        .unwrap();
        use Outcome::*;
        assert_eq!(
            outcomes(&sink),
            [
                (Failed, false),
                (Error, false),
                (Skipped, false),
                (Passed, false),
                (Error, false),
                (Failed, false)
            ]
        );
        assert_eq!(sink.cases[0].message.as_deref(), Some("m1\ntext1"));
        assert_eq!(sink.cases[1].message, None);
        assert_eq!(sink.cases[4].message.as_deref(), Some("e"), "most severe's message");
        assert_eq!(sink.cases[5].message.as_deref(), Some("f"));
    }

    #[test]
    fn flaky_and_rerun_elements() {
        let sink = run(r#"<testsuite>
  <testcase name="flaky"><flakyFailure message="first try"><stackTrace>x</stackTrace></flakyFailure></testcase>
  <testcase name="flaky-err"><flakyError message="e"/><flakyFailure/></testcase>
  <testcase name="rerun"><failure message="f"/><rerunFailure message="r1"/><rerunError message="r2"/></testcase>
  <testcase name="rerun-only"><rerunFailure message="r"/></testcase>
  <testcase name="rerun-err-only"><rerunError/><rerunFailure/></testcase>
  <testcase name="flaky-but-failed"><flakyFailure/><failure/></testcase>
</testsuite>"#)
        .unwrap();
        use Outcome::*;
        assert_eq!(
            outcomes(&sink),
            [
                (Passed, true),
                (Passed, true),
                (Failed, false),
                (Failed, false),
                (Error, false),
                (Failed, false)
            ]
        );
        assert_eq!(sink.cases[0].message.as_deref(), Some("first try\nx"));
        assert_eq!(sink.cases[2].message.as_deref(), Some("f"));
    }

    // A JUnit root holding elements JUnit does not have and no test case is another format
    // (read as "0 tests" it would hide what it holds); an empty JUnit run stays readable.
    #[test]
    fn foreign_structure_under_a_junit_root_is_refused() {
        let err = run("<testsuites><suite><title>T</title><test result=\"failure\"/></suite></testsuites>")
            .unwrap_err()
            .to_string();
        assert!(err.contains("holds `<suite>` instead"), "{err}");
        assert!(
            run("<testsuites><testsuite name=\"s\" tests=\"0\"><properties/></testsuite></testsuites>")
                .is_ok()
        );
    }

    // DTD entities, internal or SYSTEM, are never expanded nor fetched: a reference keeps its
    // literal text (in text and attributes), the DOCTYPE is a finding; undeclared ones fail.
    #[test]
    fn dtd_entities_are_kept_literally() {
        let xml = "<!DOCTYPE testsuite [ <!ENTITY xxe SYSTEM \"file:///etc/passwd\"> <!ENTITY % p \"x\"> ]>\n\
                   <testsuite><testcase name=\"a&xxe;\"><failure message=\"m\">got &xxe;</failure></testcase></testsuite>";
        let sink = run(xml).unwrap();
        assert_eq!(sink.cases[0].name, "a&xxe;");
        assert_eq!(sink.cases[0].message.as_deref(), Some("m\ngot &xxe;"));
        assert_eq!(sink.findings.len(), 1);
        assert!(sink.findings[0].message.contains("the entity `xxe`"), "{:?}", sink.findings);
        let (_, _, m) = syntax_err("<testsuite><testcase name=\"a\">&nope;</testcase></testsuite>");
        assert!(m.starts_with("undeclared entity `&nope;`"), "{m}");
    }

    #[test]
    fn status_attribute_skips_and_wins_over_failure() {
        let sink = run(r#"<testsuite>
  <testcase name="a" status="disabled"><failure message="stale"/></testcase>
  <testcase name="b" status="Ignored"/>
  <testcase name="c" status="skipped"><error/></testcase>
  <testcase name="d" status="notrun"/>
  <testcase name="e" status="run"><failure/></testcase>
  <testcase name="f" status="passed"/>
</testsuite>"#)
        .unwrap();
        use Outcome::*;
        let got: Vec<Outcome> = sink.cases.iter().map(|c| c.outcome).collect();
        assert_eq!(got, [Skipped, Skipped, Skipped, Skipped, Failed, Passed]);
    }

    #[test]
    fn ignored_children_do_not_leak_into_messages() {
        let sink = run(r#"<testsuite><properties><property name="a" value="&lt;b&gt;"/></properties>
  <testcase name="t"><system-out>out &amp; more<![CDATA[ <x> ]]></system-out><failure message="real"/><system-err>err</system-err></testcase>
</testsuite>"#)
        .unwrap();
        assert_eq!(sink.cases[0].message.as_deref(), Some("real"));
    }

    #[test]
    fn entities_char_refs_and_cdata_are_decoded() {
        let sink = run("<testsuite name=\"a&amp;b\"><testcase name=\"&lt;&#65;&#x42;&quot;&apos;&gt;\">\
             <failure message=\"x &#x1F600;\">one &amp; two<![CDATA[ <raw> & ]]>&#10;three</failure>\
             </testcase></testsuite>")
        .unwrap();
        let c = &sink.cases[0];
        assert_eq!(c.suite, "a&b");
        assert_eq!(c.name, "<AB\"'>");
        assert_eq!(c.message.as_deref(), Some("x \u{1F600}\none & two <raw> & \nthree"));
    }

    #[test]
    fn bom_is_skipped_and_positions_stay_right() {
        let mut xml = b"\xEF\xBB\xBF".to_vec();
        xml.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite><testcase name=\"a\"/></testsuite>",
        );
        assert_eq!(run_bytes(&xml).unwrap().cases.len(), 1);
        let mut bad = b"\xEF\xBB\xBF".to_vec();
        bad.extend_from_slice(b"<testsuite>\n  <testcase></testsuite>");
        match run_bytes(&bad) {
            Err(ResultsError::Syntax { line, column, .. }) => assert_eq!((line, column), (2, 13)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn doctype_is_never_expanded() {
        // A declared-but-unused entity (even a billion-laughs one) is harmless.
        let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<testsuite><testcase name="a"/></testsuite>"#;
        assert_eq!(run(laughs).unwrap().cases.len(), 1);
        // Using a DTD entity (internal or external) keeps its literal text: never expanded.
        let xxe = r#"<!DOCTYPE t [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<testsuite>
  <testcase name="a"><failure>&xxe;</failure></testcase>
</testsuite>"#;
        assert_eq!(run(xxe).unwrap().cases[0].message.as_deref(), Some("&xxe;"));
        let in_attr = "<!DOCTYPE t [ <!ENTITY lol \"lol\"> ]>\n<testsuite name=\"&lol;\"><testcase name=\"&lol;\"/></testsuite>";
        let sink = run(in_attr).unwrap();
        assert_eq!((sink.cases[0].name.as_str(), sink.cases[0].suite.as_str()), ("&lol;", "&lol;"));
        // Even in content that is otherwise ignored.
        let ignored = "<testsuite><system-out>&custom;</system-out></testsuite>";
        assert!(syntax_err(ignored).2.contains("custom"));
    }

    #[test]
    fn lenient_time() {
        let sink = run(r#"<testsuite>
<testcase name="a"/><testcase name="b" time="abc"/><testcase name="c" time="1,5"/>
<testcase name="d" time=" 2.25 "/><testcase name="e" time="-3"/><testcase name="f" time="1,234.5"/>
<testcase name="g" time="NaN"/><testcase name="h" time=""/>
</testsuite>"#)
        .unwrap();
        let t: Vec<f64> = sink.cases.iter().map(|c| c.duration_s).collect();
        assert_eq!(t, [0.0, 0.0, 1.5, 2.25, 0.0, 1234.5, 0.0, 0.0]);
    }

    #[test]
    fn file_and_line_from_testcase_or_failure() {
        let sink = run(r#"<testsuite>
<testcase name="a" file="a.py" line="12"><failure file="other.c" line="3"/></testcase>
<testcase name="b"><failure message="x" file="b.cpp" line="40"/></testcase>
<testcase name="c" file="c.py"><failure line="7"/></testcase>
<testcase name="d" line="oops"/>
</testsuite>"#)
        .unwrap();
        let fl: Vec<(Option<&str>, Option<u32>)> =
            sink.cases.iter().map(|c| (c.file.as_deref(), c.line)).collect();
        assert_eq!(
            fl,
            [(Some("a.py"), Some(12)), (Some("b.cpp"), Some(40)), (Some("c.py"), Some(7)), (None, None)]
        );
    }

    #[test]
    fn huge_failure_text_is_bounded() {
        let body = "line of a very long stack trace\n".repeat(400_000); // ~13 MB
        let xml = format!(
            "<testsuite><testcase name=\"a\"><failure message=\"boom\">{body}</failure></testcase>\
             <testcase name=\"b\"/></testsuite>"
        );
        let sink = run(&xml).unwrap();
        let m = sink.cases[0].message.as_deref().unwrap();
        assert!(m.len() <= MESSAGE_LIMIT, "{}", m.len());
        assert!(m.starts_with("boom\nline of a very long stack trace\n"));
        assert!(m.contains(&format!("\n{TRUNCATION_MARKER} (")), "{m}");
        assert!(m.ends_with("\nline of a very long stack trace"), "the end is kept: {m}");
        assert_eq!(sink.cases.len(), 2);
        assert_eq!(sink.cases[1].message, None);
    }

    #[test]
    fn type_is_the_message_of_last_resort() {
        let sink = run(
            r#"<testsuite><testcase name="a"><error type="java.lang.NullPointerException"/></testcase></testsuite>"#,
        )
        .unwrap();
        assert_eq!(sink.cases[0].message.as_deref(), Some("java.lang.NullPointerException"));
    }

    #[test]
    fn declared_totals_are_compared_with_nested_counts() {
        let sink = run(r#"<?xml version="1.0"?>
<testsuites tests="4" failures="1" errors="0">
  <testsuite name="outer" tests="6" failures="1" skipped="0">
    <testsuite name="inner" tests="2" failures="1">
      <testcase name="a"><failure/></testcase>
      <testcase name="b"/>
    </testsuite>
    <testcase name="c"><skipped/></testcase>
  </testsuite>
  <testsuite name="bad" tests="abc" errors="1.0" disabled="1">
    <testcase name="d" status="disabled"/>
  </testsuite>
</testsuites>"#)
        .unwrap();
        let f: Vec<(Option<u64>, &str)> =
            sink.findings.iter().map(|f| (f.line, f.message.as_str())).collect();
        assert_eq!(
            f,
            [
                (Some(3), "suite `outer` declares tests=\"6\" but has 3 test cases"),
                (Some(3), "suite `outer` declares skipped=\"0\" but has 1 skipped test case"),
                (Some(10), "suite `bad` has tests=\"abc\", which is not a whole number; it is not compared"),
                (Some(10), "suite `bad` declares errors=\"1\" but has 0 test cases with an error"),
            ]
        );
        assert!(sink.findings.iter().all(|f| f.file == Path::new("r.xml")));
        // A root's error that no suite accounts for (gotestsum's build failure) is evidence: an
        // errored stand-in case; a suite's is only a finding (it may count `<error>` elements).
        let sink = run(r#"<testsuites tests="1" errors="1"><testsuite name="pkg" tests="1"><testcase name="a"/></testsuite></testsuites>"#).unwrap();
        let got: Vec<(&str, &str, Outcome)> =
            sink.cases.iter().map(|c| (c.suite.as_str(), c.name.as_str(), c.outcome)).collect();
        assert_eq!(
            got,
            [
                ("pkg", "a", Outcome::Passed),
                ("", "[error declared by the suite, not recorded as a test case]", Outcome::Error)
            ]
        );
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn root_totals_are_compared() {
        let sink = run(
            r#"<testsuites tests="3" failures="1"><testsuite><testcase name="a"/></testsuite></testsuites>"#,
        )
        .unwrap();
        let msgs: Vec<&str> = sink.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "`<testsuites>` declares tests=\"3\" but has 1 test case",
                "`<testsuites>` declares failures=\"1\" but has 0 failed test cases"
            ]
        );
    }

    #[test]
    fn malformed_documents_are_syntax_errors_with_positions() {
        let (l, c, m) = syntax_err("<testsuite>\n  <testcase name=\"a\">\n  </testsuite>");
        assert_eq!((l, c), (3, 3));
        assert!(m.contains("expected `</testcase>`"), "{m}");

        let (l, _, m) = syntax_err("<testsuite>\n<testcase name=\"a\"/>\n");
        assert_eq!(l, 3, "truncated: reported at the end");
        assert!(m.contains("ends inside `<testsuite>`"), "{m}");

        let (l, c, m) = syntax_err("<testsuite>\n  <testcase name=a/>\n</testsuite>");
        assert_eq!(l, 2);
        assert!(c > 3, "{c}");
        assert!(m.contains("attribute"), "{m}");

        let (l, c, m) = syntax_err("<testsuite>\n<testcase name=\"x\" time=\"<<computed>>\"/></testsuite>");
        assert_eq!((l, c), (2, 26));
        assert!(m.contains('<'), "{m}");

        let (l, _, _) = syntax_err("<testsuite>\n<testcase name=\"unterminated/>\n</testsuite>");
        assert!(l >= 2);

        // Concatenated documents are read as one file (cargo test --format junit); anything
        // else after a root is an error.
        let (_, _, m) = syntax_err("<testsuite/>\n<testcase/>");
        assert!(m.contains("after the end of the root"), "{m}");
        let (l, c, m) = syntax_err(
            "<?xml version=\"1.0\"?><testsuites><testsuite>\n<?xml version=\"1.0\"?><testsuites/>",
        );
        assert_eq!((l, c), (2, 1));
        assert_eq!(
            m,
            "a new XML document starts here while `<testsuites>` is still open (inside `<testsuite>`): \
             the previous document was cut off (a test binary that died while writing?)"
        );
        let two = run("<?xml version=\"1.0\"?><testsuites><testsuite name=\"test\"><testcase name=\"a\"/></testsuite></testsuites>\n\
                       <?xml version=\"1.0\"?><testsuites><testsuite name=\"test\"><testcase name=\"a\"/></testsuite></testsuites>\n")
        .unwrap();
        let ids: Vec<(u32, &str)> = two.cases.iter().map(|c| (c.suite_index, c.name.as_str())).collect();
        assert_eq!(ids, [(0, "a"), (1, "a")], "two documents, two suites");
        let (_, _, m) = syntax_err("junk<testsuite/>");
        assert!(m.contains("before the root"), "{m}");
        let (_, _, m) = syntax_err("<testsuite></testsuite></extra>");
        assert!(m.contains("`</extra>`"), "{m}");
        let (_, _, m) = syntax_err("<testsuite><testcase name=\"a\" name=\"b\"/></testsuite>");
        assert!(m.contains("duplicate attribute `name`"), "{m}");
        let (_, _, m) = syntax_err("<testsuite><testcase><testcase/></testcase></testsuite>");
        assert!(m.contains("`<testcase>` inside `<testcase>`"), "{m}");
        let (_, _, m) = syntax_err("<testsuites><testsuites/></testsuites>");
        assert!(m.contains("only allowed as the root"), "{m}");
        let (_, _, m) = syntax_err("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><testsuite/>");
        assert!(m.contains("ISO-8859-1"), "{m}");
        let (_, _, m) = syntax_err("<?xml version=\"1.0\"?>");
        assert!(m.contains("no root element"), "{m}");
        let got = syntax_err("<testsuite><!-- a -- b --></testsuite>");
        assert_eq!(
            got,
            (1, 19, "ill-formed document: forbidden string `--` was found in a comment".to_string())
        );
    }

    #[test]
    fn invalid_utf8_in_kept_text_is_an_error() {
        let xml = b"<testsuite><testcase name=\"a\"><failure>\xFF\xFE</failure></testcase></testsuite>";
        assert!(matches!(run_bytes(xml), Err(ResultsError::Syntax { line: 1, .. })));
        let name = b"<testsuite><testcase name=\"\xC3\x28\"/></testsuite>";
        assert!(matches!(run_bytes(name), Err(ResultsError::Syntax { .. })));
    }

    #[test]
    fn nesting_depth_is_limited() {
        let ok = format!(
            "<testsuite><testcase name=\"a\"/>{}{}</testsuite>",
            "<x>".repeat(MAX_DEPTH - 1),
            "</x>".repeat(MAX_DEPTH - 1)
        );
        assert!(run(&ok).is_ok());
        let deep = format!("<testsuite>{}{}</testsuite>", "<x>".repeat(MAX_DEPTH), "</x>".repeat(MAX_DEPTH));
        let (_, _, m) = syntax_err(&deep);
        assert_eq!(m, "nesting deeper than 1000");
        // Nested suites count towards the same limit.
        let suites =
            format!("{}{}", "<testsuite>".repeat(MAX_DEPTH + 1), "</testsuite>".repeat(MAX_DEPTH + 1));
        assert!(syntax_err(&suites).2.contains("nesting deeper"));
    }

    #[test]
    fn non_junit_root_is_unrecognised() {
        let mut sink = CollectSink::default();
        let xml = b"<html><body/></html>";
        let mut loc = Locator::bytes(xml);
        match read(&xml[..], Path::new("x.xml"), &mut sink, &mut loc) {
            Err(ResultsError::Unrecognised { reason, .. }) => assert!(reason.contains("<html>")),
            other => panic!("{other:?}"),
        }
    }
}
