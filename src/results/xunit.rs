//! stub
use std::io::BufRead;
use std::path::Path;
use super::{CaseSink, ResultsError};
use super::locate::Locator;
pub(crate) fn read<R: BufRead>(_src: R, _path: &Path, _sink: &mut dyn CaseSink, _l: &mut Locator<'_>) -> Result<u64, ResultsError> { Ok(0) }
