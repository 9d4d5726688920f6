//! TODO
use super::{CaseSink, ResultsError};
use std::io::BufRead;
use std::path::Path;
pub(crate) fn read<R: BufRead>(
    _src: R,
    _path: &Path,
    _sink: &mut dyn CaseSink,
) -> Result<u64, ResultsError> {
    todo!()
}
