//! Stage 2, **measure**: every result file found for the manifests (and `--results` patterns)
//! streamed into one [`model::Aggregator`].

use std::path::PathBuf;

use crate::error::{Diagnostic, Error};
use crate::load::manifest;
use crate::load::stage::Loaded;
use crate::{Command, Format, Options, model, results};

/// Stage 2, measure: every result file streamed into one aggregator.
pub(crate) struct Measurements {
    /// `None` when no results were given at all (declared-only mode).
    pub(crate) aggregator: Option<model::Aggregator>,
    pub(crate) files: Vec<model::ResultFile>,
}

pub(crate) fn measure(options: &Options, loaded: &Loaded) -> Result<Measurements, Error> {
    let declared_results = loaded.manifests.categories.iter().any(|c| c.results.is_some());
    let keep = Keep {
        cases: matches!(options.format, Format::Ctrf | Format::Junit) && options.command == Command::Render,
        tests: options.command == Command::Render && (options.record.is_some() || options.history.is_some()),
    };
    let (aggregator, files) = read_results(&loaded.manifests, &loaded.files, options.merge_reruns, keep)?;
    let given = !loaded.files.is_empty() || declared_results || !loaded.unmatched.is_empty();
    let aggregator = aggregator.filter(|_| given).map(|mut a| {
        a.any_results = true;
        a
    });
    Ok(Measurements { aggregator, files })
}

/// What the aggregator keeps beyond sums: every case whole (CTRF output), every case compactly
/// (run records and history).
#[derive(Clone, Copy)]
pub(crate) struct Keep {
    pub(crate) cases: bool,
    pub(crate) tests: bool,
}

/// Streams every result file into one aggregator; every unreadable file is reported.
pub(crate) fn read_results(
    m: &manifest::Manifests,
    files: &[(PathBuf, Option<usize>)],
    merge_reruns: bool,
    keep: Keep,
) -> Result<(Option<model::Aggregator>, Vec<model::ResultFile>), Error> {
    use rayon::prelude::*;
    let locator = std::sync::Arc::new(model::Locator::new(
        m.categories.iter().enumerate().filter_map(|(i, c)| c.location.as_deref().map(|l| (i, l))),
    ));
    // The same file named twice (a glob and a `results:`, or two spellings of one path) is read
    // once, by the first: the owner. Files are told apart by their canonical path.
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&(PathBuf, Option<usize>)> = files
        .iter()
        .filter(|(p, _)| seen.insert(std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())))
        .collect();
    let opts = results::ReadOptions { merge_reruns };
    let n = m.categories.len();
    let failure_categories = std::sync::Arc::new(m.report.failure_categories.clone());
    let fresh = || {
        let mut agg = model::Aggregator::new(n, locator.clone());
        agg.causes = model::causes::Causes::with_categories(failure_categories.clone());
        agg.keep_cases = keep.cases;
        agg.tests = keep.tests.then(model::history::TestLog::default);
        agg
    };
    // Files are read in parallel in contiguous chunks, each into its own aggregator; merging the
    // chunks in order gives exactly the sequential result, so output stays deterministic.
    let chunk = unique.len().div_ceil(rayon::current_num_threads() * 4).max(1);
    let parts: Vec<(model::Aggregator, Vec<model::ResultFile>, Vec<Diagnostic>)> = unique
        .par_chunks(chunk)
        .map(|chunk| {
            let mut agg = fresh();
            let (mut infos, mut problems) = (Vec::new(), Vec::new());
            for (path, owner) in chunk {
                let shown = path.display().to_string();
                agg.begin_file(&shown, *owner);
                let read = results::read_file_with(path, &mut agg, &opts);
                agg.end_file();
                match read {
                    Ok(summary) => infos.push(model::ResultFile {
                        path: shown,
                        format: summary.format.to_string(),
                        cases: summary.cases,
                    }),
                    Err(e) => problems.push(results_diagnostic(&e)),
                }
            }
            (agg, infos, problems)
        })
        .collect();
    let mut agg = fresh();
    let (mut infos, mut problems) = (Vec::new(), Vec::new());
    for (part, i, p) in parts {
        agg.merge(part);
        infos.extend(i);
        problems.extend(p);
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    Ok((Some(agg), infos))
}

pub(crate) fn results_diagnostic(e: &results::ResultsError) -> Diagnostic {
    use results::ResultsError as R;
    match e {
        R::Syntax { path, line, column, message } => {
            Diagnostic::error(path, Some((*line, *column)), message.clone())
        }
        R::Io { path, source } => {
            Diagnostic::error(path, None, format!("cannot read: {}", manifest::io_reason(source)))
        }
        R::Unsupported { path, .. } | R::Unrecognised { path, .. } => {
            Diagnostic::error(path, None, e.to_string())
        }
    }
}
