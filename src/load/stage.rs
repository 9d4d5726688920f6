//! Stage 1, load, as the report command runs it: the manifests (or none, in zero-config mode)
//! and the result files to read.

use std::path::{Path, PathBuf};

use crate::Options;
use crate::error::{Diagnostic, Error, Severity};
use crate::load::{inputs, manifest};

/// `--strict`: the warnings found so far are errors, and nothing is written.
pub(crate) fn strict(options: &Options, warnings: &[Diagnostic]) -> Result<(), Error> {
    if !options.strict || warnings.is_empty() {
        return Ok(());
    }
    let errors = warnings
        .iter()
        .map(|w| Diagnostic {
            severity: Severity::Error,
            message: format!("{} (an error with --strict)", w.message),
            ..w.clone()
        })
        .collect();
    Err(Error::Input(errors))
}

/// Stage 1, load: the manifests (or none, in zero-config mode) and the result files to read.
pub(crate) struct Loaded {
    pub(crate) mode: inputs::Mode,
    pub(crate) manifests: manifest::Manifests,
    /// Result files, each with the category that owns it.
    pub(crate) files: Vec<(PathBuf, Option<usize>)>,
    pub(crate) unmatched: Vec<inputs::Unmatched>,
}

pub(crate) fn load(options: &Options) -> Result<Loaded, Error> {
    let mode = inputs::mode(&options.inputs)?;
    let (manifests, found) = match &mode {
        inputs::Mode::Data(dir) => {
            let m = manifest::load_dir(dir).map_err(Error::Input)?;
            let found = category_result_files(&m, &options.results)?;
            (m, found)
        }
        inputs::Mode::Results(paths) => {
            let mut found = Found::default();
            let files = inputs::result_files(paths).map_err(|d| Error::Input(vec![d]))?;
            found.files.extend(files.into_iter().map(|p| (p, None)));
            extra_result_files(&options.results, &mut found)?;
            (manifest::Manifests::results_only(), found)
        }
    };
    Ok(Loaded { mode, manifests, files: found.files, unmatched: found.unmatched })
}

/// Result files to read, each with the category that owns it, and the patterns that matched
/// nothing.
#[derive(Default)]
pub(crate) struct Found {
    pub(crate) files: Vec<(PathBuf, Option<usize>)>,
    pub(crate) unmatched: Vec<inputs::Unmatched>,
}

/// Result files named by the categories' `results:` (owned by them) and by `--results`.
pub(crate) fn category_result_files(m: &manifest::Manifests, extra: &[String]) -> Result<Found, Error> {
    let mut found = Found::default();
    let mut problems = Vec::new();
    for (i, c) in m.categories.iter().enumerate() {
        let Some(pattern) = &c.results else { continue };
        let base = c.file.parent().unwrap_or(Path::new("."));
        match inputs::expand(base, pattern) {
            Ok(inputs::Expanded::Glob(f)) if f.is_empty() => {
                found.unmatched.push(inputs::Unmatched { pattern: pattern.clone(), category: Some(i) });
            }
            Ok(e) => found.files.extend(e.files().into_iter().map(|f| (f, Some(i)))),
            Err(e) => problems.push(Diagnostic::error(
                &c.file,
                c.results_at,
                format!("`results`: {e}; expected an existing file or folder, or a glob"),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    extra_result_files(extra, &mut found)?;
    Ok(found)
}

/// Files matched by `--results` patterns (relative to the working directory).
pub(crate) fn extra_result_files(patterns: &[String], found: &mut Found) -> Result<(), Error> {
    for p in patterns {
        match inputs::expand(Path::new(""), p).map_err(|e| Error::Usage(format!("--results: {e}")))? {
            inputs::Expanded::Glob(f) if f.is_empty() => {
                found.unmatched.push(inputs::Unmatched { pattern: p.clone(), category: None });
            }
            e => found.files.extend(e.files().into_iter().map(|f| (f, None))),
        }
    }
    Ok(())
}
