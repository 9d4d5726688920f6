//! Stage 3, **compute**: the model ([`model::build`]), with the baseline and, with `--history`,
//! the earlier runs' records; this run's record (`--record`) is built here from the same model.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error};
use crate::load::stage::Loaded;
use crate::measure::Measurements;
use crate::{Command, Options, model};

/// Stage 3, compute: the model, where every figure and status is decided.
pub(crate) fn compute(
    options: &Options,
    loaded: &Loaded,
    measured: &Measurements,
) -> Result<model::Report, Error> {
    let baseline = match &options.baseline {
        Some(p) => Some(model::baseline::load(p)?),
        None => None,
    };
    let build = model::BuildOptions {
        date: options.date,
        source_date: source_date_epoch()?,
        unmatched: loaded.unmatched.clone(),
    };
    let mut report =
        model::build(&loaded.manifests, measured.aggregator.as_ref(), measured.files.clone(), &build);
    if let Some(b) = &baseline {
        report.baseline = Some(model::baseline::compare(&report, b));
    }
    if let (Some(dir), Command::Render) = (&options.history, &options.command) {
        let info = run_info(options, &report, false)?;
        let current = match measured.aggregator.as_ref().and_then(|a| a.tests.as_ref()) {
            Some(log) => model::history::CurrentRun::from_log(log),
            None => model::history::CurrentRun::default(),
        };
        let found = crate::records::load(dir, &info.label, &current, options.history_window)?;
        report.history =
            Some(model::history::analyse(info, &current, found.past, options.history_window, found.folder));
    }
    Ok(report)
}

/// The claims lint's warnings: narrative claims the computed state contradicts.
pub(crate) fn claim_warnings(report: &model::Report) -> Vec<Diagnostic> {
    report
        .unverified_claims
        .iter()
        .map(|c| Diagnostic::warning(Path::new(&c.file), Some((c.line, c.column)), c.message()))
        .collect()
}

/// This run's label and header: `--run-label`, else `GITHUB_RUN_NUMBER`, else `GITHUB_SHA` (its
/// first 12 characters), else the report's date. A record needs one; the History section
/// says "this run" without.
pub(crate) fn run_info(
    options: &Options,
    report: &model::Report,
    required: bool,
) -> Result<model::history::RunInfo, Error> {
    let env = |k: &str| std::env::var(k).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let label = options
        .run_label
        .clone()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .or_else(|| env("GITHUB_RUN_NUMBER"))
        .or_else(|| env("GITHUB_SHA").map(|s| s.chars().take(12).collect()))
        .or_else(|| report.date.clone());
    let label = match label {
        Some(l) => l,
        None if required => {
            return Err(Error::Usage(
                "--record: this run needs a label: give --run-label, or set GITHUB_RUN_NUMBER, GITHUB_SHA or \
                 the report's date (--date, date: in report.yaml, SOURCE_DATE_EPOCH)"
                    .into(),
            ));
        }
        None => "this run".to_string(),
    };
    let timestamp = std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok());
    Ok(model::history::run_info(report, label, timestamp, env("GITHUB_SHA")))
}

/// `--record`: this run's record, built before anything is written (and written after the
/// report, by [`emit`]).
pub(crate) fn record(
    options: &Options,
    loaded: &Loaded,
    measured: &Measurements,
    report: &model::Report,
) -> Result<Option<(PathBuf, Vec<u8>)>, Error> {
    let Some(path) = &options.record else { return Ok(None) };
    if options.check.is_some() {
        return Ok(None);
    }
    let info = run_info(options, report, true)?;
    let log = measured.aggregator.as_ref().and_then(|a| a.tests.as_ref());
    let names: Vec<String> = loaded.manifests.categories.iter().map(|c| c.name.clone()).collect();
    Ok(Some((path.clone(), crate::records::record_bytes(&info, log, &names)?)))
}

/// `SOURCE_DATE_EPOCH` as a UTC date, if set.
pub(crate) fn source_date_epoch() -> Result<Option<chrono::NaiveDate>, Error> {
    // Set but empty counts as unset (CI systems export empty variables); set and malformed is
    // an error even when another date wins, as the reproducible-builds specification asks.
    let Some(raw) = std::env::var_os("SOURCE_DATE_EPOCH").filter(|v| !v.is_empty()) else { return Ok(None) };
    let raw = raw.to_string_lossy();
    let secs: i64 = raw.trim().parse().map_err(|_| {
        Error::Usage(format!("SOURCE_DATE_EPOCH={raw:?}: expected whole seconds since 1970-01-01"))
    })?;
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| Some(d.date_naive()))
        .ok_or_else(|| Error::Usage(format!("SOURCE_DATE_EPOCH={raw:?} is out of range")))
}
