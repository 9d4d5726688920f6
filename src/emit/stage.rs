//! Stage 5, emit, as the commands run it: the output file or stdout, `--check`, the job summary
//! and the run's record, all written only after every stage succeeded.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::emit::{annotations, output};
use crate::error::{self, Error};
use crate::load::stage::Loaded;
use crate::{Format, Options, Outcome, model, render};

pub(crate) fn refuse_writing_over_inputs(options: &Options, loaded: &Loaded) -> Result<(), Error> {
    let m = &loaded.manifests;
    let mut read: Vec<&Path> = vec![&m.report.file];
    read.extend(m.categories.iter().map(|c| c.file.as_path()));
    read.extend(loaded.files.iter().map(|(p, _)| p.as_path()));
    read.extend(options.baseline.as_deref());
    if let Some(t) = &options.template {
        read.push(Path::new(t));
    }
    if let Some(record) = &options.record {
        if options.output.as_deref().is_some_and(|o| same_path(o, record)) {
            return Err(Error::Usage(format!(
                "--record `{}` is also the report's output (-o): give the record a path of its own",
                record.display()
            )));
        }
        output::refuse_inputs(record, &read, options.templates.as_deref())?;
        // The job summary is other steps' output too: a record over it would replace it with
        // Parquet, whether or not this run appends to it.
        if let Some(summary) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty())
            && same_path(Path::new(&summary), record)
        {
            return Err(Error::Usage(format!(
                "--record `{}` is the job summary file (GITHUB_STEP_SUMMARY): give the record a path of its own",
                error::printable(&record.display().to_string())
            )));
        }
    }
    if let Some(dest) = &options.output {
        output::refuse_inputs(dest, &read, options.templates.as_deref())?;
    }
    if let Some(summary) = summary_file(options)? {
        output::check_summary(&summary, &read, options.templates.as_deref(), options.output.as_deref())?;
    }
    Ok(())
}

/// The job summary `--github-summary` appends to (`$GITHUB_STEP_SUMMARY`); none with `--check`.
pub(crate) fn summary_file(options: &Options) -> Result<Option<PathBuf>, Error> {
    if !options.github_summary || options.check.is_some() {
        return Ok(None);
    }
    std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(PathBuf::from).map(Some).ok_or_else(
        || {
            Error::Usage(
                "--github-summary: GITHUB_STEP_SUMMARY is not set (is this a GitHub Actions step?)".into(),
            )
        },
    )
}

/// Whether two paths (that may not exist yet) name the same file.
pub(crate) fn same_path(a: &Path, b: &Path) -> bool {
    let real = |p: &Path| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::canonicalize(parent).ok().zip(p.file_name()).map(|(d, n)| d.join(n))
    };
    a == b || real(a).is_some_and(|x| Some(x) == real(b))
}

/// Stage 5, emit: compare (`--check`), or write the report (budgeted for job summaries and
/// comments), then the annotations. Nothing is written when an earlier stage failed.
pub(crate) fn emit(
    options: &Options,
    text: &str,
    report: Option<model::Report>,
    record: Option<(PathBuf, Vec<u8>)>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, Error> {
    if let Some(committed) = &options.check {
        let stale = output::check(committed, text, out)?;
        if stale {
            let name = error::printable(&committed.display().to_string()).into_owned();
            let _ = match &options.rerender {
                Some(cmd) => writeln!(
                    err,
                    "error: `{name}` is stale (the diff is above): re-render it with\n  {}",
                    error::printable(cmd)
                ),
                None => writeln!(err, "error: `{name}` is stale: re-render it (the diff is above)"),
            };
        }
        return Ok(Outcome { report, stale, annotations: None });
    }
    let summary_file = summary_file(options)?;
    let budget = match (&options.budget, options.github_summary) {
        (Some(b), _) => Some(render::budget::Budget::parse(b).map_err(Error::Usage)?),
        (None, true) => Some(render::budget::Budget::parse("summary").map_err(Error::Usage)?),
        (None, false) => None,
    };
    let fitted = match &budget {
        Some(b) if options.format == Format::Markdown => {
            let fitted = render::budget::fit(text, b)
                .map_err(|e| Error::Usage(e.message(b, options.budget.as_deref())))?;
            if !fitted.omitted.is_empty() {
                let _ = writeln!(
                    err,
                    "note: shortened to fit the budget: {}",
                    error::printable(&fitted.omitted.join("; "))
                );
            }
            fitted.text
        }
        Some(_) => return Err(Error::Usage("--budget and --github-summary need --format markdown".into())),
        None => text.to_string(),
    };
    // All outputs of the run commit together or not at all: the record and the -o file are
    // written to temp files beside their targets (synced) before anything is visible, then the
    // summary is appended, then the temp files are renamed, the report's first. Any failure
    // before the renames (a full disk, a permission) leaves every output as it was, temp files
    // removed and the summary truncated back. A rename is per file: should the record's rename
    // fail after the report's (not seen short of the folder vanishing), the report is new.
    let mut made_dir = None;
    let record = match record {
        Some((path, bytes)) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
                // A CI cache that missed leaves no history folder: the first record makes it.
                std::fs::create_dir_all(dir)
                    .map_err(|source| Error::Output { path: dir.to_path_buf(), source })?;
                made_dir = Some(dir.to_path_buf());
            }
            Some((path, bytes))
        }
        None => None,
    };
    let undo_dir = |made: &Option<PathBuf>| {
        if let Some(d) = made {
            let _ = std::fs::remove_dir(d);
        }
    };
    let staged_record = match &record {
        Some((path, bytes)) => match output::stage(Some(path), bytes) {
            Ok(p) => Some(p),
            Err(e) => {
                undo_dir(&made_dir);
                return Err(e);
            }
        },
        None => None,
    };
    let mut staged_report = match &summary_file {
        // With a job summary, -o gets the full report (e.g. as an artifact), stdout nothing.
        Some(_) => options.output.as_ref().map(|p| output::stage(Some(p), text.as_bytes())).transpose(),
        None => output::stage(options.output.as_deref(), fitted.as_bytes()).map(Some),
    };
    let appended = match (&staged_report, &summary_file) {
        (Ok(_), Some(path)) => Some(output::append(path, fitted.as_bytes())),
        _ => None,
    };
    let appended = match appended.transpose() {
        Ok(a) => a,
        Err(e) => {
            staged_report = Err(e);
            None
        }
    };
    let committed = staged_report.and_then(|report| {
        if let Some(r) = report {
            r.commit(out)?;
        }
        if let Some(r) = staged_record {
            r.commit(out)?;
        }
        Ok(())
    });
    if let Err(e) = committed {
        if let Some(a) = appended {
            a.rollback();
        }
        undo_dir(&made_dir);
        return Err(e);
    }
    // Only once the report is written: a run that fails writes nothing, annotations included.
    // They go to stderr, so stdout stays the report (GitHub reads commands from both).
    let annotations = options.annotations.as_ref().zip(report.as_ref()).map(|(settings, report)| {
        let mut commands = Vec::new();
        let paths = annotations::PathMap::from_env(settings);
        let _ = annotations::github(report, &paths, &full_list(options), &mut commands);
        String::from_utf8_lossy(&commands).into_owned()
    });
    Ok(Outcome { report, stale: false, annotations })
}

/// Where the full report went, for the annotations' notice.
pub(crate) fn full_list(options: &Options) -> String {
    let file = options.output.as_ref().map(|p| format!("`{}`", p.display()));
    match (options.github_summary, file) {
        (true, Some(f)) => format!("the job summary and {f}"),
        (true, None) => "the job summary".to_string(),
        (false, Some(f)) => f,
        (false, None) => "the report".to_string(),
    }
}
