//! Ingesting real test results: JUnit XML, CTRF JSON and libtest JSON.
//!
//! Every reader streams: it hands each test case to a [`CaseSink`] as soon as the case is
//! complete and keeps nothing else, so a million cases never become a million-node tree.
//! Totals are always recounted from the cases; a file's own declared totals are only compared
//! against that count and any disagreement becomes a [`Finding`].

use std::path::{Path, PathBuf};

// mod detect;
// mod junit;
// mod ctrf;
// mod libtest;
// mod rerun;

// pub use detect::{detect_format, Format};
// pub use rerun::RerunMerger;

/// Longest failure message kept per case, in bytes; the rest is cut with a marker.
pub const MESSAGE_LIMIT: usize = 4 * 1024;

/// How one test case ended. When a case has several results, the most severe wins:
/// error > failure > skipped > passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Skipped,
    Failed,
    Error,
}

/// One test case as read from a result file.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// Name of the innermost enclosing suite ("" when none).
    pub suite: String,
    pub name: String,
    pub classname: Option<String>,
    /// Source file of the test, when the runner states it (`file` attribute, CTRF `filePath`).
    pub file: Option<String>,
    pub line: Option<u32>,
    pub outcome: Outcome,
    /// Passed only after one or more failed attempts (Surefire `flakyFailure`/`flakyError`,
    /// CTRF `flaky`, or merged reruns).
    pub flaky: bool,
    pub duration_s: f64,
    /// First part of the failure/error message and text, at most [`MESSAGE_LIMIT`] bytes.
    pub message: Option<String>,
}

/// A disagreement found while reading a results file (never fatal).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Finding {
    pub file: PathBuf,
    /// 1-based line of the element the finding is about, when known.
    pub line: Option<u64>,
    pub message: String,
}

/// Receives what a reader finds, in document order.
pub trait CaseSink {
    fn case(&mut self, case: TestCase);
    fn finding(&mut self, finding: Finding);
}

/// What a reader reports about one whole file once it is done.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSummary {
    pub format: String,
    pub cases: u64,
}

/// Why a results file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    #[error("failed to read `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not well-formed XML/JSON, or a structure the format does not allow.
    #[error("`{}`:{line}:{column}: {message}", path.display())]
    Syntax { path: PathBuf, line: u64, column: u64, message: String },
    /// A known format that gen-report does not read (TRX, NUnit, xUnit.net v2, ...).
    #[error("`{}` is a {format} file, which gen-report does not read (it reads JUnit XML, CTRF JSON and libtest JSON)", path.display())]
    Unsupported { path: PathBuf, format: String },
    /// Neither a known results format nor anything recognisable.
    #[error("`{}` is not a test results file: {reason}", path.display())]
    Unrecognised { path: PathBuf, reason: String },
}

/// Reads one results file of any supported format, streaming its cases into `sink`.
///
/// # Errors
/// I/O failures, malformed documents (with line and column), and unsupported formats.
pub fn read_file(path: &Path, sink: &mut dyn CaseSink) -> Result<FileSummary, ResultsError> {
    let _ = (path, sink);
    unimplemented!()
}
