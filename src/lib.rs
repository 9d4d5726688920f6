//! gen-report turns test manifests (YAML) into a Markdown report in which every figure and every
//! status is computed, never typed.
//!
//! The pipeline: [`manifest::load_dir`] reads and validates the data directory, [`model::build`]
//! computes every figure, and [`render::render`] fills a Tera template with the model. Only
//! [`run`] writes output, and it writes nothing at all when any step fails.
//!
//! ```no_run
//! let manifests = gen_report::manifest::load_dir("data".as_ref()).expect("valid data");
//! let report = gen_report::model::build(&manifests, None, Vec::new(), &Default::default());
//! println!("{} of {} tests", report.totals.tests, report.totals.target);
//! ```

pub mod cli;
pub mod error;
pub mod inputs;
pub mod manifest;
pub mod model;
pub mod narrative;
pub mod render;
pub mod results;
mod yaml;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use error::{Diagnostic, Error, Severity, exit_code};

/// What to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Render the report.
    Render,
    /// Validate only.
    Check,
}

/// Conditions that `--fail-on` turns into exit code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    Failures,
    BelowTarget,
    Mismatch,
    NotRun,
}

impl FailOn {
    fn name(self) -> &'static str {
        match self {
            FailOn::Failures => "failures",
            FailOn::BelowTarget => "below-target",
            FailOn::Mismatch => "mismatch",
            FailOn::NotRun => "not-run",
        }
    }

    fn holds(self, c: &model::Conditions) -> bool {
        match self {
            FailOn::Failures => c.failures,
            FailOn::BelowTarget => c.below_target,
            FailOn::Mismatch => c.mismatch,
            FailOn::NotRun => c.not_run,
        }
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The rendered template.
    Markdown,
    /// The computed model as JSON.
    Json,
}

/// Everything a run needs, independent of how it was asked for.
#[derive(Debug, Clone)]
pub struct Options {
    pub command: Command,
    /// A data directory, or result files and folders (zero-config mode).
    pub inputs: Vec<PathBuf>,
    /// Extra result files or globs (`--results`).
    pub results: Vec<String>,
    pub merge_reruns: bool,
    pub fail_on: Vec<FailOn>,
    pub output: Option<PathBuf>,
    pub format: Format,
    pub template: Option<String>,
    pub templates: Option<PathBuf>,
    pub ascii: bool,
    pub date: Option<chrono::NaiveDate>,
}

/// What templates see: the model's fields at the top level, plus the raw manifests and options.
#[derive(Serialize)]
struct TemplateContext<'a> {
    #[serde(flatten)]
    model: &'a model::Report,
    manifests: &'a manifest::Manifests,
    options: OptionsView,
}

/// The options a template may branch on.
#[derive(Serialize)]
struct OptionsView {
    ascii: bool,
}

/// Runs gen-report and returns the process exit code, writing the report to `out` (or the
/// output file) and diagnostics to `err`. The one place errors become messages.
pub fn main_with(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match run(options, out, err) {
        Ok(report) => {
            let held: Vec<&str> = options
                .fail_on
                .iter()
                .filter(|f| f.holds(&report.totals.conditions))
                .map(|f| f.name())
                .collect();
            if held.is_empty() {
                exit_code::OK
            } else {
                let _ = writeln!(err, "error: --fail-on condition holds: {}", held.join(", "));
                exit_code::CONDITION
            }
        }
        Err(e) => {
            let _ = write!(err, "{}", describe(&e));
            e.exit_code()
        }
    }
}

/// Runs one command.
///
/// # Errors
/// Any bad input, template or output problem; nothing is written to `out` or the output file
/// when an error is returned.
pub fn run(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<model::Report, Error> {
    let mode = inputs::mode(&options.inputs)?;
    let (manifests, files) = match &mode {
        inputs::Mode::Data(dir) => {
            let m = manifest::load_dir(dir).map_err(Error::Input)?;
            let files = category_result_files(&m, &options.results)?;
            (m, files)
        }
        inputs::Mode::Results(paths) => {
            let mut files: Vec<(PathBuf, Option<usize>)> =
                inputs::result_files(paths).into_iter().map(|p| (p, None)).collect();
            files.extend(extra_result_files(&options.results)?);
            (manifest::Manifests::results_only(), files)
        }
    };
    print_diagnostics(err, &manifests.warnings);
    let declared_results = manifests.categories.iter().any(|c| c.results.is_some());
    let (aggregator, file_infos) = read_results(&manifests, &files, options.merge_reruns)?;
    let aggregator = aggregator.filter(|_| !files.is_empty() || declared_results).map(|mut a| {
        a.any_results = true;
        a
    });
    let build = model::BuildOptions { date: options.date, source_date: source_date_epoch()? };
    let report = model::build(&manifests, aggregator.as_ref(), file_infos, &build);
    for f in &report.findings {
        let at = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!(" ({file}:{line})"),
            (Some(file), None) => format!(" ({file})"),
            _ => String::new(),
        };
        let _ = writeln!(err, "finding: {}{at}", f.message);
    }

    if options.command == Command::Check {
        let _ = writeln!(
            err,
            "ok: {}, {}, {}, {}",
            error::plural(manifests.categories.len(), "category"),
            error::plural(files.len(), "result file"),
            error::plural(manifests.warnings.len(), "warning"),
            error::plural(report.findings.len(), "finding")
        );
        return Ok(report);
    }

    let text = match options.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report).map_err(|e| Error::Usage(e.to_string()))?;
            s.push('\n');
            s
        }
        Format::Markdown => {
            let mut set = render::TemplateSet::builtin();
            if let Some(dir) = &options.templates {
                set.add_dir(dir)?;
            }
            let default = match mode {
                inputs::Mode::Data(_) => render::DEFAULT_TEMPLATE,
                inputs::Mode::Results(_) => render::SUMMARY_TEMPLATE,
            };
            let name = template_name(&mut set, options.template.as_deref(), default)?;
            let settings = render::FilterSettings { currency: report.currency.clone(), ascii: options.ascii };
            let ctx = TemplateContext {
                model: &report,
                manifests: &manifests,
                options: OptionsView { ascii: options.ascii },
            };
            render::render(&set, &name, &ctx, &settings)?
        }
    };
    write_output(options.output.as_deref(), &text, out)?;
    Ok(report)
}

/// Result files named by the categories' `results:` (owned by them) and by `--results`.
fn category_result_files(
    m: &manifest::Manifests,
    extra: &[String],
) -> Result<Vec<(PathBuf, Option<usize>)>, Error> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for (i, c) in m.categories.iter().enumerate() {
        let Some(pattern) = &c.results else { continue };
        let base = c.file.parent().unwrap_or(Path::new("."));
        match inputs::expand(base, pattern) {
            Ok(found) => files.extend(found.into_iter().map(|f| (f, Some(i)))),
            Err(e) => problems.push(Diagnostic::error(&c.file, None, e)),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    files.extend(extra_result_files(extra)?);
    Ok(files)
}

/// Files matched by `--results` patterns (relative to the working directory).
fn extra_result_files(patterns: &[String]) -> Result<Vec<(PathBuf, Option<usize>)>, Error> {
    let mut files = Vec::new();
    for p in patterns {
        let found = inputs::expand(Path::new(""), p).map_err(Error::Usage)?;
        if found.is_empty() {
            return Err(Error::Usage(format!("--results {p:?} matches no file")));
        }
        files.extend(found.into_iter().map(|f| (f, None)));
    }
    Ok(files)
}

/// Streams every result file into one aggregator; every unreadable file is reported.
fn read_results(
    m: &manifest::Manifests,
    files: &[(PathBuf, Option<usize>)],
    merge_reruns: bool,
) -> Result<(Option<model::Aggregator>, Vec<model::ResultFile>), Error> {
    let locator = model::Locator::new(
        m.categories.iter().enumerate().filter_map(|(i, c)| c.location.as_deref().map(|l| (i, l))),
    );
    let mut agg = model::Aggregator::new(m.categories.len(), locator);
    let mut infos = Vec::new();
    let mut problems = Vec::new();
    let opts = results::ReadOptions { merge_reruns };
    let mut seen = std::collections::BTreeSet::new();
    for (path, owner) in files {
        // The same file named twice (a glob and a `results:`) is read once, by its owner.
        if !seen.insert(path.clone()) {
            continue;
        }
        let shown = path.display().to_string();
        agg.begin_file(&shown, *owner);
        match results::read_file_with(path, &mut agg, &opts) {
            Ok(summary) => infos.push(model::ResultFile {
                path: shown,
                format: summary.format.to_string(),
                cases: summary.cases,
            }),
            Err(e) => problems.push(results_diagnostic(&e)),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    Ok((Some(agg), infos))
}

fn results_diagnostic(e: &results::ResultsError) -> Diagnostic {
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

/// Resolves `--template`: a known template name, else a file added under its own name.
fn template_name(
    set: &mut render::TemplateSet,
    requested: Option<&str>,
    default: &str,
) -> Result<String, Error> {
    let Some(req) = requested else { return Ok(default.to_string()) };
    if set.sources.contains_key(req) {
        return Ok(req.to_string());
    }
    let path = Path::new(req);
    if path.is_file() {
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| req.to_string());
        // A file named like a built-in (e.g. report.md extending report.md) keeps its path as name.
        let name = if set.sources.contains_key(&name) { req.to_string() } else { name };
        set.add_file(name.clone(), path)?;
        return Ok(name);
    }
    Ok(req.to_string())
}

/// Writes `text` to `path` atomically (temp file in the same directory, then rename), or to `out`.
fn write_output(path: Option<&Path>, text: &str, out: &mut dyn Write) -> Result<(), Error> {
    let Some(path) = path else {
        return out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|source| Error::Output { path: PathBuf::from("<stdout>"), source });
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io = |source| Error::Output { path: path.to_path_buf(), source };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    // The temp file is created 0600; give the report the mode it had, or an ordinary 0644.
    let perms = match std::fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(perms) = perms {
        tmp.as_file().set_permissions(perms).map_err(io)?;
    }
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Mode of a new report file: `rw-r--r--`, what an ordinary redirect gives under umask 022.
#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Elsewhere the temp file's own permissions are ordinary already.
#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

/// `SOURCE_DATE_EPOCH` as a UTC date, if set.
fn source_date_epoch() -> Result<Option<chrono::NaiveDate>, Error> {
    let Ok(raw) = std::env::var("SOURCE_DATE_EPOCH") else { return Ok(None) };
    let secs: i64 = raw.trim().parse().map_err(|_| {
        Error::Usage(format!("SOURCE_DATE_EPOCH={raw:?}: expected whole seconds since 1970-01-01"))
    })?;
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| Some(d.date_naive()))
        .ok_or_else(|| Error::Usage(format!("SOURCE_DATE_EPOCH={raw:?} is out of range")))
}

fn print_diagnostics(err: &mut dyn Write, diags: &[Diagnostic]) {
    for d in diags {
        let source = manifest::read_text(&d.file).ok();
        let _ = write!(err, "{}", d.render(source.as_deref()));
    }
}

/// The full message for an error, with source snippets for input problems.
pub fn describe(e: &Error) -> String {
    match e {
        Error::Input(diags) => {
            let mut s = String::new();
            for d in diags {
                let source = manifest::read_text(&d.file).ok();
                s.push_str(&d.render(source.as_deref()));
            }
            s.push_str(&format!("error: {e}; nothing was written\n"));
            s
        }
        Error::Template { diagnostic, text } => {
            format!("{}error: template error; nothing was written\n", diagnostic.render(text.as_deref()))
        }
        other => {
            let mut s = format!("error: {other}");
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                s.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            s.push('\n');
            s
        }
    }
}
