//! Ingesting real test results: JUnit XML, CTRF JSON, libtest JSON, go test JSON, TAP, Mocha,
//! Jest/Vitest and RSpec JSON, TRX, NUnit 2/3 and xUnit.net v2 XML.
//!
//! Every reader streams: it hands each test case to a [`CaseSink`] as soon as the case is
//! complete and keeps nothing else, so a million cases never become a million-node tree.
//! Totals are always recounted from the cases; a file's own declared totals are only compared
//! against that count and any disagreement becomes a [`Finding`].
//!
//! The exceptions to streaming, each bounded by one unit of the file: the opt-in
//! [`RerunMerger`] (`--merge-reruns`) sees a whole file; a Jest/Vitest test file's cases wait
//! for its name (written after them); TRX results wait for the test definitions that follow
//! them (class names); go test JSON keeps failed results until the end of the file, where a
//! `--rerun-fails` rerun of them may still come.
//!
//! # Counting policy
//! - One case per test: JUnit `<testcase>`, CTRF `tests[]` entry, libtest result event, go test
//!   result event (tests and subtests alike, as gotestsum counts), TAP test point (subtests
//!   counted as the producer of each TAP version counts them), Mocha/Jest/RSpec test entry, TRX `UnitTestResult`, NUnit
//!   `test-case`, xUnit.net `test`; declared totals (`tests=`, CTRF `summary`, libtest suite
//!   counts, TAP plans, TRX `Counters`, NUnit/xUnit.net `total=`, Mocha `stats`, ...) are never
//!   used as counts, only compared (a mismatch is a [`Finding`], with a line where the format
//!   allows).
//! - Several results in one case: the most severe wins (error > failure > skipped > passed).
//! - JUnit `status="disabled|ignored|skipped|notrun"` makes a case skipped, even with a
//!   `<failure>` (as mikepenz/action-junit-report does).
//! - Passed after failed attempts (Surefire `flakyFailure`/`flakyError`, CTRF `flaky`, nextest
//!   `#N` retries, Jest/Vitest retries, Mocha `currentRetry`, merged reruns) = passed and flaky;
//!   `rerunFailure`/`rerunError` leave a failed case failed.
//! - Reruns of one test written as separate entries merge last-run-wins where the format says
//!   they are reruns (gotestsum `--rerun-fails`: the same package and test in a later run of
//!   the package; a JUnit suite whose `tests=` counts distinct tests).
//! - A skipped case keeps its reason in `message` (`t.Skip`, `# SKIP`, pending messages, ...);
//!   CTRF `pending`/`other`, TAP `# TODO` that failed, Jest `todo`, NUnit `Inconclusive`, TRX
//!   `NotExecuted`/`Inconclusive` count as skipped; libtest `ignored` as skipped.
//! - A run that crashed never reads as passed: a crashed or aborted run (a libtest binary that
//!   stopped, a go test binary that panicked, a TAP `Bail out!` or a TAP stream shorter than
//!   its plan, a go package that failed to build, RSpec errors outside examples, a suite-level
//!   setup/teardown failure) becomes errored cases with a message — the tests that were running
//!   and, as one named stand-in, those that never ran.
//! - Not well-formed or unsupported input is an error (with line and column), never a guess. No
//!   XML entity is expanded beyond the predefined ones.
//!
//! Input reaches every sum here: counts saturate, declared figures are compared, never trusted.
#![deny(clippy::arithmetic_side_effects)]
#![warn(unreachable_pub, missing_docs)]

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

mod ctrf;
mod dart;
mod detect;
mod format;
mod gotest;
mod jestjson;
mod json;
mod junit;
mod libtest;
mod locate;
mod message;
mod mocha;
mod nunit;
mod playwright;
mod rerun;
mod rspec;
mod tap;
mod trx;
mod xml;
mod xunit;

pub use detect::detect_format;
pub use format::{Format, result_extensions};
pub use rerun::RerunMerger;

/// Longest failure message kept per case, in bytes; the rest is cut with a marker.
pub const MESSAGE_LIMIT: usize = 4 * 1024;

/// Marker appended to a message that was cut at [`MESSAGE_LIMIT`].
pub const TRUNCATION_MARKER: &str = "…";

/// How one test case ended. When a case has several results, the most severe wins:
/// error > failure > skipped > passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The test ran and passed (possibly only on a rerun, see [`TestCase::flaky`]).
    Passed,
    /// The test did not run (skipped, ignored, disabled, pending).
    Skipped,
    /// An assertion failed.
    Failed,
    /// The test could not run to completion (unexpected exception, crash, setup error).
    Error,
}

/// One test case as read from a result file.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// Name of the innermost enclosing suite ("" when none).
    pub suite: String,
    /// Which suite of the file the case sits in: the ordinal of its `<testsuite>` element (or
    /// libtest suite run, CTRF document...), from 0. Two suites with the same name are still
    /// two suites (jest-junit names every file-level suite `undefined`; every cargo test binary
    /// has a nameless suite), so this, not the name, tells tests apart.
    pub suite_index: u32,
    /// Name of the test itself.
    pub name: String,
    /// Class (JUnit `classname`, nextest binary id), when the format has one.
    pub classname: Option<String>,
    /// Source file of the test, when the runner states it (`file` attribute, CTRF `filePath`).
    pub file: Option<String>,
    /// Line of the test in [`TestCase::file`], when the runner states it.
    pub line: Option<u32>,
    /// How the test ended.
    pub outcome: Outcome,
    /// Passed only after one or more failed attempts (Surefire `flakyFailure`/`flakyError`,
    /// CTRF `flaky`, or merged reruns).
    pub flaky: bool,
    /// Wall time in seconds, all runs together (0 when the file does not say or says nonsense).
    pub duration_s: f64,
    /// How many times the test ran (1, or more when reruns were recorded or merged).
    pub runs: u32,
    /// How many of those runs failed or errored.
    pub failed_runs: u32,
    /// First part of the failure/error message and text, at most [`MESSAGE_LIMIT`] bytes.
    pub message: Option<String>,
}

impl TestCase {
    /// A case of `suite` that ran once and ended as `outcome` (its one run counted as failed
    /// when it failed or errored), with no class, file, line, time or message yet: a reader
    /// sets what its format states with `TestCase { field, ..TestCase::ran_once(..) }`.
    pub fn ran_once(suite: String, suite_index: u32, name: String, outcome: Outcome) -> Self {
        TestCase {
            suite,
            suite_index,
            name,
            classname: None,
            file: None,
            line: None,
            outcome,
            flaky: false,
            duration_s: 0.0,
            runs: 1,
            failed_runs: u32::from(matches!(outcome, Outcome::Failed | Outcome::Error)),
            message: None,
        }
    }

    /// A case that ran once and passed.
    pub fn passed(suite: String, suite_index: u32, name: String) -> Self {
        Self::ran_once(suite, suite_index, name, Outcome::Passed)
    }

    /// The errored stand-in for what a crash, an abort or a failure outside any test left
    /// unrun or unrecorded (a crash never reads as passed): one errored run, with `message`.
    pub fn errored(suite: String, suite_index: u32, name: String, message: Option<String>) -> Self {
        TestCase { message, ..Self::ran_once(suite, suite_index, name, Outcome::Error) }
    }
}

/// A disagreement found while reading a results file (never fatal).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    /// The results file the finding is about.
    pub file: PathBuf,
    /// 1-based line of the element the finding is about, when known.
    pub line: Option<u64>,
    /// What disagrees, in one sentence.
    pub message: String,
}

/// Receives what a reader finds, in document order.
pub trait CaseSink {
    /// One complete test case.
    fn case(&mut self, case: TestCase);
    /// One non-fatal disagreement (declared totals, dangling events, ...).
    fn finding(&mut self, finding: Finding);
    /// The run's own statement of how long it took (a JUnit root's or top-level suites'
    /// `time`), once per file, when the file says. Per-case times may be rounded (pytest
    /// writes 0.000 for fast tests) or absent, so totals prefer this when it is larger.
    fn stated_duration(&mut self, _seconds: f64) {}
}

// Lets callers pass `&mut sink` where a `CaseSink` is taken by value (e.g. `RerunMerger::new`).
impl<S: CaseSink + ?Sized> CaseSink for &mut S {
    fn case(&mut self, case: TestCase) {
        (**self).case(case);
    }
    fn finding(&mut self, finding: Finding) {
        (**self).finding(finding);
    }
    fn stated_duration(&mut self, seconds: f64) {
        (**self).stated_duration(seconds);
    }
}

/// What a reader reports about one whole file once it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSummary {
    /// The format the file was read as.
    pub format: Format,
    /// Cases handed to the sink (after merging, when reruns are merged).
    pub cases: u64,
}

/// Options for [`read_file_with`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Merge repeated runs of the same test anywhere in the file, not only runs that follow
    /// each other (see [`RerunMerger`]).
    pub merge_reruns: bool,
}

/// Why a results file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file could not be opened or read.
    #[error("failed to read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Not well-formed XML/JSON, or a structure the format does not allow.
    #[error("`{}`:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: u64,
        /// 1-based column, in characters.
        column: u64,
        /// What is wrong.
        message: String,
    },
    /// A known format that gen-report does not read (Catch2 XML, TestNG XML).
    #[error("`{}` is a {format} file, which gen-report does not read: {advice} (it reads {SUPPORTED})", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// Human name of the format (see [`Format`]'s `Display`).
        format: String,
        /// What to give gen-report instead.
        advice: String,
    },
    /// Neither a known results format nor anything recognisable.
    #[error("`{}` is not a test results file: {reason}", path.display())]
    Unrecognised {
        /// The file.
        path: PathBuf,
        /// Why not.
        reason: String,
    },
}

impl ResultsError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        ResultsError::Io { path: path.to_path_buf(), source }
    }
}

/// The formats gen-report reads, for messages.
pub const SUPPORTED: &str = "JUnit XML, CTRF JSON, libtest JSON, go test JSON, TAP, Mocha JSON, \
    Playwright JSON, Dart JSON, Jest/Vitest JSON, RSpec JSON, TRX, NUnit 2/3 XML and xUnit.net v2 XML";

/// Reads one results file of any supported format, streaming its cases into `sink`.
///
/// # Errors
/// I/O failures, malformed documents (with line and column), and unsupported formats.
pub fn read_file(path: &Path, sink: &mut dyn CaseSink) -> Result<FileSummary, ResultsError> {
    read_file_with(path, sink, &ReadOptions::default())
}

/// Like [`read_file`], with options (e.g. merging reruns).
///
/// # Errors
/// I/O failures, malformed documents (with line and column), and unsupported formats.
pub fn read_file_with(
    path: &Path,
    sink: &mut dyn CaseSink,
    opts: &ReadOptions,
) -> Result<FileSummary, ResultsError> {
    // Opening a FIFO blocks until a writer comes, and a device may never end: refuse both.
    let meta = std::fs::metadata(path).map_err(|e| ResultsError::io(path, e))?;
    if !meta.is_file() {
        let what =
            if meta.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
        return Err(ResultsError::Unrecognised { path: path.to_path_buf(), reason: format!("it is {what}") });
    }
    let file = File::open(path).map_err(|e| ResultsError::io(path, e))?;
    let mut src = BufReader::with_capacity(64 * 1024, file);
    // The sniffer decides on the reader's own buffer; bytes it had to consume to decide (a long
    // prologue) are replayed in front of the rest, so every byte is read from the file once.
    let (format, held) = detect::sniff_stream(&mut src).map_err(|e| ResultsError::io(path, e))?;
    if !format.is_supported() {
        if held.len() >= detect::MAX_PROLOGUE {
            let reason = format!(
                "its first {} MiB hold no test results, only whitespace, comments or an XML prologue",
                detect::MAX_PROLOGUE >> 20
            );
            return Err(ResultsError::Unrecognised { path: path.to_path_buf(), reason });
        }
        let head =
            if held.is_empty() { src.fill_buf().map_err(|e| ResultsError::io(path, e))? } else { &held };
        return Err(unreadable(path, head, format));
    }
    let mut src = std::io::Cursor::new(held).chain(src);
    let mut locator = locate::Locator::file(path);
    if format == Format::Junit && meta.len() < junit::SPLIT_MIN_BYTES {
        // A file below the split size is read whole and parsed in place: quick-xml's slice
        // reader borrows each event instead of copying it (a tenth of the parsing time).
        let mut doc = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
        (&mut src)
            .take(junit::SPLIT_MIN_BYTES)
            .read_to_end(&mut doc)
            .map_err(|e| ResultsError::io(path, e))?;
        if (doc.len() as u64) < junit::SPLIT_MIN_BYTES {
            return merged(format, sink, opts, |sink| junit::read_slice(&doc, path, sink, &mut locator));
        }
        // It grew while being read: the rest is streamed after what is held.
        let src = std::io::Cursor::new(doc).chain(src);
        return merged_dispatch(format, src, path, sink, &mut locator, opts);
    }
    if format == Format::Junit && junit::worth_splitting(meta.len()) {
        // One big file: read on every core (see src/results/junit_split.rs).
        let reopen = || File::open(path).map(|f| BufReader::with_capacity(64 * 1024, f));
        let (params, mut stats) = (junit::SplitParams::for_files(), junit::SplitStats::default());
        return merged(format, sink, opts, |sink| {
            junit::read_split(src, path, sink, &mut locator, reopen, params, &mut stats)
        });
    }
    merged_dispatch(format, src, path, sink, &mut locator, opts)
}

/// Runs the reader for `format` behind the rerun merger the options ask for.
fn merged_dispatch<R: std::io::BufRead>(
    format: Format,
    src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut locate::Locator<'_>,
    opts: &ReadOptions,
) -> Result<FileSummary, ResultsError> {
    merged(format, sink, opts, |sink| dispatch(format, src, path, sink, locator))
}

/// Runs `read` behind the rerun merger the options ask for.
fn merged(
    format: Format,
    sink: &mut dyn CaseSink,
    opts: &ReadOptions,
    read: impl FnOnce(&mut dyn CaseSink) -> Result<u64, ResultsError>,
) -> Result<FileSummary, ResultsError> {
    if !opts.merge_reruns {
        let cases = read(sink)?;
        return Ok(FileSummary { format, cases });
    }
    let mut merger = RerunMerger::new(sink);
    read(&mut merger)?;
    let cases = merger.finish();
    Ok(FileSummary { format, cases })
}

/// The error for a sniffed format that cannot be read.
fn unreadable(path: &Path, head: &[u8], format: Format) -> ResultsError {
    match format.advice() {
        Some(advice) => ResultsError::Unsupported {
            path: path.to_path_buf(),
            format: format.to_string(),
            advice: advice.to_owned(),
        },
        None => ResultsError::Unrecognised { path: path.to_path_buf(), reason: detect::unknown_reason(head) },
    }
}

/// Runs the reader for `format`; returns the number of cases handed to `sink`.
fn dispatch<R: std::io::BufRead>(
    format: Format,
    src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut locate::Locator<'_>,
) -> Result<u64, ResultsError> {
    match format::row::<R>(format).read {
        Some(read) => read(src, path, sink, locator),
        // Refused by `read_file_with`/`read_bytes_with` before the file is dispatched.
        None => Err(ResultsError::Unrecognised {
            path: path.to_path_buf(),
            reason: format!("no reader for {format}"),
        }),
    }
}

/// Reads results held in memory (format sniffed as for files); `path` only names them in
/// errors and findings.
///
/// # Errors
/// As [`read_file_with`], except that nothing is opened.
pub fn read_bytes_with(
    bytes: &[u8],
    path: &Path,
    sink: &mut dyn CaseSink,
    opts: &ReadOptions,
) -> Result<FileSummary, ResultsError> {
    let format = detect_format(bytes);
    if !format.is_supported() {
        return Err(unreadable(path, bytes, format));
    }
    let mut locator = locate::Locator::bytes(bytes);
    if format == Format::Junit {
        return merged(format, sink, opts, |sink| junit::read_slice(bytes, path, sink, &mut locator));
    }
    merged_dispatch(format, bytes, path, sink, &mut locator, opts)
}

/// A sink that keeps everything; handy for tests and small tools.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CollectSink {
    /// Cases in the order received.
    pub cases: Vec<TestCase>,
    /// Findings in the order received.
    pub findings: Vec<Finding>,
}

impl CaseSink for CollectSink {
    fn case(&mut self, case: TestCase) {
        self.cases.push(case);
    }
    fn finding(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}

/// Per-outcome totals of a set of cases.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// All cases.
    pub tests: u64,
    /// [`Outcome::Passed`] cases.
    pub passed: u64,
    /// [`Outcome::Failed`] cases (named as in the model and the JSON: `failures`).
    pub failures: u64,
    /// [`Outcome::Error`] cases.
    pub errors: u64,
    /// [`Outcome::Skipped`] cases.
    pub skipped: u64,
    /// Passed cases marked flaky.
    pub flaky: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        self.tests = self.tests.saturating_add(o.tests);
        self.passed = self.passed.saturating_add(o.passed);
        self.failures = self.failures.saturating_add(o.failures);
        self.errors = self.errors.saturating_add(o.errors);
        self.skipped = self.skipped.saturating_add(o.skipped);
        self.flaky = self.flaky.saturating_add(o.flaky);
    }
}

impl Counts {
    /// Adds one case.
    pub fn add(&mut self, outcome: Outcome, flaky: bool) {
        self.tests = self.tests.saturating_add(1);
        match outcome {
            Outcome::Passed => self.passed = self.passed.saturating_add(1),
            Outcome::Failed => self.failures = self.failures.saturating_add(1),
            Outcome::Error => self.errors = self.errors.saturating_add(1),
            Outcome::Skipped => self.skipped = self.skipped.saturating_add(1),
        }
        if flaky {
            self.flaky = self.flaky.saturating_add(1);
        }
    }

    /// Totals of `cases`.
    pub fn of(cases: &[TestCase]) -> Self {
        let mut c = Counts::default();
        for case in cases {
            c.add(case.outcome, case.flaky);
        }
        c
    }
}
