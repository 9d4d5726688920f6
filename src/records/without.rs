//! Run records when gen-report is built without the `records` feature (no Parquet): `--record`
//! and `--history` say so and stop, before anything is written.

use std::path::Path;

use crate::error::Error;
use crate::model::history::{CurrentRun, Folder, PastRun, RunInfo, TestLog};

const WITHOUT: &str = "gen-report was built without the `records` feature (Parquet run records): \
                       rebuild with the default features to use it";

/// What `--history DIR` found (never built without the feature).
pub(crate) struct Loaded {
    pub(crate) past: Vec<PastRun>,
    pub(crate) folder: Folder,
}

/// `--history`: refused.
///
/// # Errors
/// Always: there is no record reader in this build.
pub(crate) fn load(
    _dir: &Path,
    _label: &str,
    _current: &CurrentRun,
    _window: usize,
) -> Result<Loaded, Error> {
    Err(Error::Usage(format!("--history: {WITHOUT}")))
}

/// `--record`: refused.
///
/// # Errors
/// Always: there is no record writer in this build.
pub(crate) fn record_bytes(
    _info: &RunInfo,
    _log: Option<&TestLog>,
    _categories: &[String],
) -> Result<Vec<u8>, Error> {
    Err(Error::Usage(format!("--record: {WITHOUT}")))
}

/// The record reader's fuzz entry: refused.
///
/// # Errors
/// Always: there is no record reader in this build.
pub fn read_one(_path: &Path) -> Result<u64, String> {
    Err(WITHOUT.to_owned())
}
