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
pub mod output;
pub mod render;
pub mod results;
pub mod scaffold;
pub mod schema;
mod yaml;

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use error::{Diagnostic, Error, Severity, exit_code};

/// What to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Render the report.
    Render,
    /// Validate only.
    Check,
    /// Write an SVG badge.
    Badge { label: String },
    /// Print the manifests' JSON Schema.
    Schema(SchemaKind),
    /// Scaffold a data directory.
    Init { dir: PathBuf },
    /// List the built-in templates.
    TemplatesList,
    /// Write a built-in template out.
    TemplatesExport { name: String, output: Option<PathBuf> },
    /// Print these bytes (a completion script).
    Completions(Vec<u8>),
    /// Print these bytes (the man page).
    Man(Vec<u8>),
}

/// Which manifest schema to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    All,
    Report,
    Category,
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
    /// The rendered Markdown in a standalone HTML page.
    Html,
    /// The measured results as CTRF JSON.
    Ctrf,
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
    /// `--check FILE`: compare instead of writing.
    pub check: Option<PathBuf>,
    /// Append to `$GITHUB_STEP_SUMMARY`.
    pub github_summary: bool,
    /// `--budget` as given (a preset or bytes).
    pub budget: Option<String>,
    /// `--baseline FILE`: a JSON model of an earlier run.
    pub baseline: Option<PathBuf>,
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

/// What a successful run produced, for the exit code.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The computed report, when one was built.
    pub report: Option<model::Report>,
    /// `--check`: the committed report differs from a fresh render.
    pub stale: bool,
}

/// Runs gen-report and returns the process exit code, writing the report to `out` (or the
/// output file) and diagnostics to `err`. The one place errors become messages.
pub fn main_with(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    match run(options, out, err) {
        Ok(outcome) => {
            if outcome.stale {
                return exit_code::CONDITION;
            }
            let held: Vec<&str> = match &outcome.report {
                Some(r) => options
                    .fail_on
                    .iter()
                    .filter(|f| f.holds(&r.totals.conditions))
                    .map(|f| f.name())
                    .collect(),
                None => Vec::new(),
            };
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
pub fn run(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, Error> {
    match &options.command {
        Command::Render | Command::Check | Command::Badge { .. } => run_report(options, out, err),
        Command::Schema(kind) => {
            let mut text = serde_json::to_string_pretty(&schema::schema(*kind))
                .map_err(|e| Error::Usage(e.to_string()))?;
            text.push('\n');
            output::write(options.output.as_deref(), text.as_bytes(), out)?;
            Ok(Outcome::default())
        }
        Command::Init { dir } => {
            let written = scaffold::init(dir)?;
            for f in written {
                let _ = writeln!(err, "created `{}`", error::printable(&f.display().to_string()));
            }
            let _ = writeln!(
                err,
                "next: gen-report {} > REPORT.md",
                error::printable(&dir.display().to_string())
            );
            Ok(Outcome::default())
        }
        Command::TemplatesList => {
            let mut text = String::new();
            for (name, body) in render::templates::BUILTINS {
                let first = body
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("{#-")
                    .trim_start_matches("{#")
                    .trim();
                text.push_str(&format!(
                    "{name}\t{}\n",
                    first.trim_end_matches("-#}").trim_end_matches("#}").trim()
                ));
            }
            output::write(None, text.as_bytes(), out)?;
            Ok(Outcome::default())
        }
        Command::TemplatesExport { name, output: dest } => {
            let Some((_, body)) = render::templates::BUILTINS.iter().find(|(n, _)| n == name) else {
                let known: Vec<&str> = render::templates::BUILTINS.iter().map(|(n, _)| *n).collect();
                return Err(Error::Usage(format!(
                    "no built-in template `{name}`: expected one of {}",
                    known.join(", ")
                )));
            };
            match dest.as_deref() {
                Some(p) if p == Path::new("-") => output::write(None, body.as_bytes(), out)?,
                Some(p) => output::write_new(p, body.as_bytes())?,
                None => {
                    let file = Path::new(name.rsplit('/').next().unwrap_or(name));
                    output::write_new(file, body.as_bytes())?;
                    let shown = error::printable(&file.display().to_string()).into_owned();
                    let _ = writeln!(err, "wrote `{shown}`: use it with --template {shown}");
                }
            }
            Ok(Outcome::default())
        }
        Command::Completions(bytes) | Command::Man(bytes) => {
            output::write(options.output.as_deref(), bytes, out)?;
            Ok(Outcome::default())
        }
    }
}

/// Loads, measures, computes and renders: the report-producing commands.
fn run_report(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, Error> {
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
    // Before anything is printed or read further: never write over what we read.
    let summary_file = match options.github_summary && options.check.is_none() {
        true => Some(
            std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(PathBuf::from).ok_or_else(
                || {
                    Error::Usage(
                        "--github-summary: GITHUB_STEP_SUMMARY is not set (is this a GitHub Actions step?)"
                            .into(),
                    )
                },
            )?,
        ),
        false => None,
    };
    {
        let mut read: Vec<&Path> = vec![&manifests.report.file];
        read.extend(manifests.categories.iter().map(|c| c.file.as_path()));
        read.extend(files.iter().map(|(p, _)| p.as_path()));
        read.extend(options.baseline.as_deref());
        if let Some(t) = &options.template {
            read.push(Path::new(t));
        }
        if let Some(dest) = &options.output {
            output::refuse_inputs(dest, &read, options.templates.as_deref())?;
        }
        if let Some(summary) = &summary_file {
            output::check_summary(summary, &read, options.templates.as_deref(), options.output.as_deref())?;
        }
    }

    print_diagnostics(err, &manifests.warnings);
    let declared_results = manifests.categories.iter().any(|c| c.results.is_some());
    let keep_cases = options.format == Format::Ctrf && options.command == Command::Render;
    let (aggregator, file_infos) = read_results(&manifests, &files, options.merge_reruns, keep_cases)?;
    let aggregator = aggregator.filter(|_| !files.is_empty() || declared_results).map(|mut a| {
        a.any_results = true;
        a
    });
    let baseline = match &options.baseline {
        Some(p) => Some(model::baseline::load(p)?),
        None => None,
    };
    let build = model::BuildOptions { date: options.date, source_date: source_date_epoch()? };
    let mut report = model::build(&manifests, aggregator.as_ref(), file_infos, &build);
    if let Some(b) = &baseline {
        report.baseline = Some(model::baseline::compare(&report, b));
    }
    for f in &report.findings {
        let at = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!(" ({file}:{line})"),
            (Some(file), None) => format!(" ({file})"),
            _ => String::new(),
        };
        let _ = writeln!(err, "finding: {}{}", error::printable(&f.message), error::printable(&at));
    }

    match &options.command {
        Command::Check => {
            let _ = writeln!(
                err,
                "ok: {}, {}, {}, {}",
                error::plural(manifests.categories.len(), "category"),
                error::plural(files.len(), "result file"),
                error::plural(manifests.warnings.len(), "warning"),
                error::plural(report.findings.len(), "finding")
            );
            return Ok(Outcome { report: Some(report), stale: false });
        }
        Command::Badge { label } => {
            let svg = render::badge::for_report(&report, label);
            output::write(options.output.as_deref(), svg.as_bytes(), out)?;
            return Ok(Outcome { report: Some(report), stale: false });
        }
        _ => {}
    }

    let markdown = |report: &model::Report| -> Result<String, Error> {
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
            model: report,
            manifests: &manifests,
            options: OptionsView { ascii: options.ascii },
        };
        render::render(&set, &name, &ctx, &settings)
    };
    let text = match options.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report).map_err(|e| Error::Usage(e.to_string()))?;
            s.push('\n');
            s
        }
        Format::Markdown => markdown(&report)?,
        Format::Html => render::html::page(&markdown(&report)?, &report.title),
        Format::Ctrf => {
            let cases = aggregator.as_ref().map(|a| a.cases.as_slice()).unwrap_or_default();
            let mut s = serde_json::to_string_pretty(&render::ctrf::document(&report, cases))
                .map_err(|e| Error::Usage(e.to_string()))?;
            s.push('\n');
            s
        }
    };

    if let Some(committed) = &options.check {
        let stale = output::check(committed, &text, out)?;
        if stale {
            let _ = writeln!(
                err,
                "error: `{}` is stale: re-render it (the diff is above)",
                error::printable(&committed.display().to_string())
            );
        }
        return Ok(Outcome { report: Some(report), stale });
    }
    let budget = match (&options.budget, options.github_summary) {
        (Some(b), _) => Some(render::budget::Budget::parse(b).map_err(Error::Usage)?),
        (None, true) => Some(render::budget::Budget::parse("summary").map_err(Error::Usage)?),
        (None, false) => None,
    };
    let fitted = match &budget {
        Some(b) if options.format == Format::Markdown => {
            let fitted = render::budget::fit(&text, b)
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
        None => text.clone(),
    };
    if let Some(path) = summary_file {
        // The full report still goes to -o when asked for, e.g. as an artifact. Written to a
        // temp file first, then the summary appended, then the temp file renamed: should any
        // step fail, the summary is truncated back and the -o file left as it was.
        let pending = match &options.output {
            Some(p) => Some(output::stage(Some(p), text.as_bytes())?),
            None => None,
        };
        let appended = output::append(&path, fitted.as_bytes())?;
        if let Some(pending) = pending
            && let Err(e) = pending.commit(out)
        {
            appended.rollback();
            return Err(e);
        }
    } else {
        output::write(options.output.as_deref(), fitted.as_bytes(), out)?;
    }
    Ok(Outcome { report: Some(report), stale: false })
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
    keep_cases: bool,
) -> Result<(Option<model::Aggregator>, Vec<model::ResultFile>), Error> {
    use rayon::prelude::*;
    let locator = std::sync::Arc::new(model::Locator::new(
        m.categories.iter().enumerate().filter_map(|(i, c)| c.location.as_deref().map(|l| (i, l))),
    ));
    // The same file named twice (a glob and a `results:`) is read once, by the first: the owner.
    let mut seen = std::collections::HashSet::new();
    let unique: Vec<&(PathBuf, Option<usize>)> =
        files.iter().filter(|(p, _)| seen.insert(p.clone())).collect();
    let opts = results::ReadOptions { merge_reruns };
    let n = m.categories.len();
    let fresh = || {
        let mut agg = model::Aggregator::new(n, locator.clone());
        agg.keep_cases = keep_cases;
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
                match results::read_file_with(path, &mut BoundedTimes(&mut agg), &opts) {
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

/// Longest time a test case may take, in seconds (about 31.7 years): a larger `time` is as
/// invalid as `NaN` or `-5` and counts as 0 s, so that sums stay finite and exact enough to
/// print, and no output shows `inf` or a `null` duration.
pub const MAX_CASE_SECONDS: f64 = 1e9;

/// Passes cases on to the aggregator with their durations bounded by [`MAX_CASE_SECONDS`].
struct BoundedTimes<'a>(&'a mut model::Aggregator);

impl results::CaseSink for BoundedTimes<'_> {
    fn case(&mut self, mut case: results::TestCase) {
        if !(case.duration_s.is_finite() && (0.0..=MAX_CASE_SECONDS).contains(&case.duration_s)) {
            case.duration_s = 0.0;
        }
        self.0.case(case);
    }

    fn finding(&mut self, finding: results::Finding) {
        self.0.finding(finding);
    }
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

/// `SOURCE_DATE_EPOCH` as a UTC date, if set.
fn source_date_epoch() -> Result<Option<chrono::NaiveDate>, Error> {
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
            let mut s = format!("error: {}", error::printable(&other.to_string()));
            let mut source = std::error::Error::source(other);
            while let Some(cause) = source {
                s.push_str(&format!(": {}", error::printable(&cause.to_string())));
                source = cause.source();
            }
            s.push_str("; nothing was written\n");
            s
        }
    }
}
