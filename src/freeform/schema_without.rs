//! `--schema` when gen-report is built without the `schema` feature (no JSON Schema validator):
//! the option says so and stops, before anything is written.

use std::path::{Path, PathBuf};

use crate::error::Diagnostic;
use crate::freeform::data::Data;

/// Never built without the feature.
#[derive(Debug)]
pub(crate) struct Schema {
    file: PathBuf,
}

/// `--schema`: refused.
///
/// # Errors
/// Always: there is no validator in this build.
pub(crate) fn load(file: &Path) -> Result<Schema, Vec<Diagnostic>> {
    Err(vec![Diagnostic::error(
        file,
        None,
        "--schema: gen-report was built without the `schema` feature (JSON Schema validation): \
         rebuild with the default features to use it",
    )])
}

impl Schema {
    /// The schema file.
    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    /// Nothing to check against.
    pub(crate) fn check(&self, _data: &Data) -> Vec<Diagnostic> {
        Vec::new()
    }
}
