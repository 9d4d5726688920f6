//! gen-report turns test manifests (YAML) into a Markdown report in which every figure and every
//! status is computed, never typed.
//!
//! The pipeline, one named stage each (see `run_report`): **load** ([`manifest::load_dir`] reads
//! and validates the data directory, `inputs` finds the result files) → **measure**
//! ([`results`] streams every file into a [`model::Aggregator`]) → **compute** ([`model::build`]:
//! every figure, status and verdict, in one place; with `--history`, `history` reads the
//! earlier runs' records and [`model::history`] computes the History section) → **render**
//! ([`render::render`] fills a Tera template with the model; JSON, CTRF, HTML and the badge are
//! views of the same model) → **emit** (`output`: atomic writes, `--check`, job summaries;
//! then this run's record, `--record`). Only [`run`] writes output, and it writes nothing at
//! all when any stage fails. Free-form reports (`--data`) load with [`freeform::load`] (any
//! YAML or JSON, `schema_check`, `lint`) and go through the same render and emit stages.
//!
//! ```no_run
//! let manifests = gen_report::manifest::load_dir("data".as_ref()).expect("valid data");
//! let report = gen_report::model::build(&manifests, None, Vec::new(), &Default::default());
//! println!("{} of {} tests", report.totals.tests, report.totals.target);
//! ```

mod commands;
pub mod emit;
pub mod error;
pub mod freeform;
pub mod load;
pub mod model;
mod records;
pub mod render;
pub mod results;
mod words;

#[cfg(test)]
mod architecture;

/// Moved to [`emit::annotations`]; the old path stays for the binary and the tests.
pub use emit::annotations;
/// Moved to [`load::manifest`]; the old path stays for the binary, the tests and fuzz targets.
pub use load::manifest;
/// The run record reader, for its fuzz target (fuzz/fuzz_targets/record.rs).
#[doc(hidden)]
pub use records::read_one as read_record;

use commands::{scaffold, schema};
use emit::output;
use load::inputs;
use records as history;

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
    /// Print the context a template receives, as JSON.
    Context,
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
    Empty,
    /// A test fails that did not fail in the previous run of `--history`.
    NewFailures,
}

impl FailOn {
    fn name(self) -> &'static str {
        match self {
            FailOn::Failures => "failures",
            FailOn::BelowTarget => "below-target",
            FailOn::Mismatch => "mismatch",
            FailOn::NotRun => "not-run",
            FailOn::Empty => "empty",
            FailOn::NewFailures => "new-failures",
        }
    }

    fn holds(self, r: &model::Report) -> bool {
        let c = &r.totals.conditions;
        match self {
            FailOn::Failures => c.failures,
            FailOn::BelowTarget => c.below_target,
            FailOn::Mismatch => c.mismatch,
            FailOn::NotRun => c.not_run,
            FailOn::Empty => c.empty,
            FailOn::NewFailures => r.history.as_ref().is_some_and(|h| h.new_failures_total > 0),
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
    /// The measured results as one JUnit XML document.
    Junit,
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
    /// `--annotations github`: workflow commands for the failing tests, on `err`.
    pub annotations: Option<annotations::Settings>,
    /// `--data`: free-form data files and folders (free-form mode when not empty).
    pub data: Vec<PathBuf>,
    /// `--schema FILE`: a JSON Schema the free-form data must satisfy.
    pub schema: Option<PathBuf>,
    /// `--strict`: warnings are errors (exit 2, nothing written).
    pub strict: bool,
    /// `--record FILE`: write this run's record (Parquet) after the report.
    pub record: Option<PathBuf>,
    /// `--run-label`: this run's label in records and the History section.
    pub run_label: Option<String>,
    /// `--history DIR`: a folder of earlier runs' records.
    pub history: Option<PathBuf>,
    /// `--history-window N`: runs the History section covers, this one included.
    pub history_window: usize,
    /// `--quiet`: no findings or warnings on stderr (errors still are; the report has them all).
    pub quiet: bool,
}

impl Options {
    /// `command` on `inputs` with every other option at the command line's default: Markdown to
    /// stdout, the built-in templates, no results beyond the manifests', no gates.
    pub fn new(command: Command, inputs: Vec<PathBuf>) -> Self {
        Options {
            command,
            inputs,
            results: Vec::new(),
            merge_reruns: false,
            fail_on: Vec::new(),
            output: None,
            format: Format::Markdown,
            template: None,
            templates: None,
            ascii: false,
            date: None,
            check: None,
            github_summary: false,
            budget: None,
            baseline: None,
            annotations: None,
            data: Vec::new(),
            schema: None,
            strict: false,
            record: None,
            run_label: None,
            history: None,
            history_window: model::history::DEFAULT_WINDOW,
            quiet: false,
        }
    }
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
pub struct OptionsView {
    pub ascii: bool,
}

/// What a successful run produced, for the exit code.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The computed report, when one was built.
    pub report: Option<model::Report>,
    /// `--check`: the committed report differs from a fresh render.
    pub stale: bool,
    /// `--annotations`: the workflow commands, printed after everything else.
    pub annotations: Option<String>,
}

/// Runs gen-report and returns the process exit code, writing the report to `out` (or the
/// output file) and diagnostics to `err`. The one place errors become messages.
pub fn main_with(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    // With annotations, everything else said on stderr (findings, errors: they quote test names
    // and files) is inert for GitHub: no data can raise an annotation of its own.
    let paused = options.annotations.as_ref().map(|_| annotations::pause_commands(err));
    let result = run(options, out, err);
    let code = exit_code_of(options, &result, err);
    if let Some(token) = paused {
        annotations::resume_commands(err, &token);
        if let Ok(Outcome { annotations: Some(commands), .. }) = &result {
            let _ = err.write_all(commands.as_bytes());
        }
    }
    code
}

/// The exit code of a run, after saying why it is not 0.
fn exit_code_of(options: &Options, result: &Result<Outcome, Error>, err: &mut dyn Write) -> i32 {
    match result {
        Ok(outcome) => {
            if outcome.stale {
                return exit_code::CONDITION;
            }
            let held: Vec<&str> = match &outcome.report {
                Some(r) => options.fail_on.iter().filter(|f| f.holds(r)).map(|f| f.name()).collect(),
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
            let _ = write!(err, "{}", describe(e));
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
        Command::Render | Command::Check | Command::Badge { .. } | Command::Context => {
            run_report(options, out, err)
        }
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

/// The report-producing commands, as the pipeline's named stages:
/// [`load`] → [`measure`] → [`compute`] → [`render_text`] → [`emit`].
fn run_report(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, Error> {
    if !options.data.is_empty() {
        return run_freeform(options, out, err);
    }
    let loaded = load(options)?;
    // Before anything is printed or read further: never write over what we read.
    refuse_writing_over_inputs(options, &loaded)?;
    strict(options, &loaded.manifests.warnings)?;
    let mut sink = std::io::sink();
    let notes: &mut dyn Write = if options.quiet { &mut sink } else { err };
    print_diagnostics(notes, &loaded.manifests.warnings);
    let measured = measure(options, &loaded)?;
    let report = compute(options, &loaded, &measured)?;
    let claims = claim_warnings(&report);
    print_diagnostics(notes, &claims);
    print_findings(notes, &report);
    print_history_notes(notes, &report);
    match &options.command {
        Command::Check => {
            let _ = writeln!(
                err,
                "ok: {}, {}, {}, {}",
                error::plural(loaded.manifests.categories.len(), "category"),
                error::plural(loaded.files.len(), "result file"),
                error::plural(loaded.manifests.warnings.len() + claims.len(), "warning"),
                error::plural(report.findings.len(), "finding")
            );
            return Ok(Outcome { report: Some(report), stale: false, annotations: None });
        }
        Command::Badge { label } => {
            let svg = render::badge::for_report(&report, label);
            output::write(options.output.as_deref(), svg.as_bytes(), out)?;
            return Ok(Outcome { report: Some(report), stale: false, annotations: None });
        }
        Command::Context => {
            let text = pretty_json(&template_context(options, &loaded, &report))?;
            output::write(options.output.as_deref(), text.as_bytes(), out)?;
            return Ok(Outcome { report: Some(report), stale: false, annotations: None });
        }
        _ => {}
    }
    let text = render_text(options, &loaded, &measured, &report)?;
    let record = record(options, &loaded, &measured, &report)?;
    emit(options, &text, Some(report), record, out, err)
}

/// `--strict`: the warnings found so far are errors, and nothing is written.
fn strict(options: &Options, warnings: &[Diagnostic]) -> Result<(), Error> {
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

/// The free-form pipeline: load (the data, checked and linted; the result files) → measure →
/// compute (the results' test model, when results were given) → render → emit, with the same
/// render and emit stages as a test report.
fn run_freeform(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, Error> {
    let (loaded, free) = load_freeform(options)?;
    refuse_writing_over_inputs(options, &loaded)?;
    let mut read: Vec<&Path> = free.data.files.iter().map(PathBuf::as_path).collect();
    read.extend(free.schema.as_deref());
    // Every output against the data and schema files too.
    for dest in options.output.iter().chain(options.record.iter()) {
        output::refuse_inputs(dest, &read, None)?;
    }
    if let Some(summary) = summary_file(options)? {
        output::check_summary(&summary, &read, None, options.output.as_deref())?;
    }
    strict(options, &free.warnings)?;
    print_diagnostics(err, &free.warnings);
    let results_given = !loaded.files.is_empty() || !loaded.unmatched.is_empty();
    let (measured, report) = if results_given {
        let measured = measure(options, &loaded)?;
        let report = compute(options, &loaded, &measured)?;
        if !options.quiet {
            print_findings(err, &report);
        }
        (Some(measured), Some(report))
    } else {
        (None, None)
    };
    let date = match options.date {
        Some(d) => Some(d),
        None => source_date_epoch()?,
    };
    let ctx = freeform::Context {
        data: &free.data.tree,
        date: date.map(|d| d.format("%Y-%m-%d").to_string()),
        tests: report.as_ref(),
        options: OptionsView { ascii: options.ascii },
    };
    match &options.command {
        Command::Check => {
            let _ = writeln!(
                err,
                "ok: {}{}, {}, {}",
                error::plural(free.data.files.len(), "data file"),
                if free.schema.is_some() { " valid against the schema" } else { "" },
                error::plural(loaded.files.len(), "result file"),
                error::plural(free.warnings.len(), "warning")
            );
            return Ok(Outcome { report, stale: false, annotations: None });
        }
        Command::Badge { .. } => {
            return Err(Error::Usage(
                "badge needs a data directory or result files: free-form data (--data) has no verdict".into(),
            ));
        }
        Command::Context => {
            output::write(options.output.as_deref(), pretty_json(&ctx)?.as_bytes(), out)?;
            return Ok(Outcome { report, stale: false, annotations: None });
        }
        _ => {}
    }
    let text = render_freeform(options, &ctx, measured.as_ref())?;
    emit(options, &text, report, None, out, err)
}

/// Stage 4, render (free-form): the output format's text, from the same template stage.
fn render_freeform(
    options: &Options,
    ctx: &freeform::Context<'_>,
    measured: Option<&Measurements>,
) -> Result<String, Error> {
    Ok(match options.format {
        // The context is the free-form "model".
        Format::Json => pretty_json(ctx)?,
        Format::Markdown => render_markdown(options, "", ctx, "USD")?,
        Format::Html => {
            let markdown = render_markdown(options, "", ctx, "USD")?;
            render::html::page(&markdown, &first_heading(&markdown).unwrap_or_else(|| "Report".into()))
        }
        Format::Ctrf => match (ctx.tests, measured) {
            (Some(report), Some(m)) => {
                let cases = m.aggregator.as_ref().map(|a| a.cases.as_slice()).unwrap_or_default();
                pretty_json(&render::ctrf::document(report, cases))?
            }
            _ => return Err(Error::Usage("--format ctrf needs --results: it lists test cases".into())),
        },
        Format::Junit => match (ctx.tests, measured) {
            (Some(report), Some(m)) => {
                let cases = m.aggregator.as_ref().map(|a| a.cases.as_slice()).unwrap_or_default();
                render::junit::document(report, cases)
            }
            _ => return Err(Error::Usage("--format junit needs --results: it lists test cases".into())),
        },
    })
}

/// Stage 1, load (free-form): the result files of `--results` (as in zero-config mode), then
/// the data, checked against the schema and linted with the templates that will render it.
fn load_freeform(options: &Options) -> Result<(Loaded, freeform::Loaded), Error> {
    if let Some(first) = options.inputs.first() {
        return Err(Error::Usage(format!(
            "`{}`: with --data, nothing is read from positional arguments; give result files with --results",
            first.display()
        )));
    }
    if options.template.is_none() && options.command != Command::Check && options.command != Command::Context
    {
        return Err(Error::Usage(
            "--data needs --template FILE: the template that turns the data into the report".into(),
        ));
    }
    if !options.fail_on.is_empty() && options.results.is_empty() {
        return Err(Error::Usage(
            "--fail-on needs --results with --data: its conditions are about tests".into(),
        ));
    }
    let mut found = Found::default();
    extra_result_files(&options.results, &mut found)?;
    let loaded = Loaded {
        mode: inputs::Mode::Results(Vec::new()),
        manifests: manifest::Manifests::results_only(),
        files: found.files,
        unmatched: found.unmatched,
    };
    let (set, _) = templates(options, "")?;
    let free = freeform::load(&options.data, options.schema.as_deref(), &set)?;
    Ok((loaded, free))
}

/// The text of the first `# ` heading, for the HTML page's title.
fn first_heading(markdown: &str) -> Option<String> {
    markdown.lines().find_map(|l| l.strip_prefix("# ")).map(|t| t.trim().replace('\\', ""))
}

/// Stage 1, load: the manifests (or none, in zero-config mode) and the result files to read.
struct Loaded {
    mode: inputs::Mode,
    manifests: manifest::Manifests,
    /// Result files, each with the category that owns it.
    files: Vec<(PathBuf, Option<usize>)>,
    unmatched: Vec<model::Unmatched>,
}

fn load(options: &Options) -> Result<Loaded, Error> {
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

fn refuse_writing_over_inputs(options: &Options, loaded: &Loaded) -> Result<(), Error> {
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
fn summary_file(options: &Options) -> Result<Option<PathBuf>, Error> {
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
fn same_path(a: &Path, b: &Path) -> bool {
    let real = |p: &Path| {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::canonicalize(parent).ok().zip(p.file_name()).map(|(d, n)| d.join(n))
    };
    a == b || real(a).is_some_and(|x| Some(x) == real(b))
}

/// Stage 2, measure: every result file streamed into one aggregator.
struct Measurements {
    /// `None` when no results were given at all (declared-only mode).
    aggregator: Option<model::Aggregator>,
    files: Vec<model::ResultFile>,
}

fn measure(options: &Options, loaded: &Loaded) -> Result<Measurements, Error> {
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

/// Stage 3, compute: the model, where every figure and status is decided.
fn compute(options: &Options, loaded: &Loaded, measured: &Measurements) -> Result<model::Report, Error> {
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
        let found = history::load(dir, &info.label, &current, options.history_window)?;
        report.history =
            Some(model::history::analyse(info, &current, found.past, options.history_window, found.folder));
    }
    Ok(report)
}

/// The claims lint's warnings: narrative claims the computed state contradicts.
fn claim_warnings(report: &model::Report) -> Vec<Diagnostic> {
    report
        .unverified_claims
        .iter()
        .map(|c| Diagnostic::warning(Path::new(&c.file), Some((c.line, c.column)), c.message()))
        .collect()
}

/// This run's label and header: `--run-label`, else `GITHUB_RUN_NUMBER`, else `GITHUB_SHA` (its
/// first 12 characters), else the report's date. A record needs one; the History section
/// says "this run" without.
fn run_info(
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
fn record(
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
    Ok(Some((path.clone(), history::record_bytes(&info, log, &names)?)))
}

/// The history files that were not used, as warnings (the History section lists them too).
fn print_history_notes(err: &mut dyn Write, report: &model::Report) {
    let Some(h) = &report.history else { return };
    if !h.folder.exists {
        let _ = writeln!(
            err,
            "note: history: `{}` does not exist (yet): no earlier runs",
            error::printable(&h.folder.path)
        );
    }
    for s in &h.folder.skipped {
        // File names and reasons (which may quote a record's bytes) are escaped: a CR or LF in
        // them would print a line of its own, which GitHub runs as a workflow command.
        let _ = writeln!(
            err,
            "warning: history: `{}`: {}",
            error::printable(&s.file),
            error::printable(&s.reason)
        );
    }
}

fn print_findings(err: &mut dyn Write, report: &model::Report) {
    for f in &report.findings {
        let at = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!(" ({file}:{line})"),
            (Some(file), None) => format!(" ({file})"),
            _ => String::new(),
        };
        let _ = writeln!(err, "finding: {}{}", error::printable(&f.message), error::printable(&at));
    }
}

/// What a test report's template receives.
fn template_context<'a>(
    options: &Options,
    loaded: &'a Loaded,
    report: &'a model::Report,
) -> TemplateContext<'a> {
    TemplateContext {
        model: report,
        manifests: &loaded.manifests,
        options: OptionsView { ascii: options.ascii },
    }
}

/// The templates (built-ins, `--templates`, `--template`) and the name of the one to render.
fn templates(options: &Options, default: &str) -> Result<(render::TemplateSet, String), Error> {
    let mut set = render::TemplateSet::builtin();
    if let Some(dir) = &options.templates {
        set.add_dir(dir)?;
    }
    let name = template_name(&mut set, options.template.as_deref(), default)?;
    Ok((set, name))
}

/// Renders the chosen template with `ctx`: the render stage of both modes.
fn render_markdown<C: Serialize>(
    options: &Options,
    default: &str,
    ctx: &C,
    currency: &str,
) -> Result<String, Error> {
    let (set, name) = templates(options, default)?;
    let settings = render::FilterSettings { currency: currency.to_string(), ascii: options.ascii };
    render::render(&set, &name, ctx, &settings)
}

/// Stage 4, render: the output format's text.
fn render_text(
    options: &Options,
    loaded: &Loaded,
    measured: &Measurements,
    report: &model::Report,
) -> Result<String, Error> {
    let markdown = |report: &model::Report| -> Result<String, Error> {
        let default = match loaded.mode {
            inputs::Mode::Data(_) => render::DEFAULT_TEMPLATE,
            inputs::Mode::Results(_) => render::SUMMARY_TEMPLATE,
        };
        render_markdown(options, default, &template_context(options, loaded, report), &report.currency)
    };
    Ok(match options.format {
        Format::Json => pretty_json(report)?,
        Format::Markdown => markdown(report)?,
        Format::Html => render::html::page_with_charts(
            &markdown(report)?,
            &report.title,
            render::chart::for_report(report),
        ),
        Format::Ctrf => {
            let cases = measured.aggregator.as_ref().map(|a| a.cases.as_slice()).unwrap_or_default();
            pretty_json(&render::ctrf::document(report, cases))?
        }
        Format::Junit => {
            let cases = measured.aggregator.as_ref().map(|a| a.cases.as_slice()).unwrap_or_default();
            render::junit::document(report, cases)
        }
    })
}

fn pretty_json<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut s = serde_json::to_string_pretty(value).map_err(|e| Error::Usage(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

/// Stage 5, emit: compare (`--check`), or write the report (budgeted for job summaries and
/// comments), then the annotations. Nothing is written when an earlier stage failed.
fn emit(
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
            let _ = writeln!(
                err,
                "error: `{}` is stale: re-render it (the diff is above)",
                error::printable(&committed.display().to_string())
            );
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
fn full_list(options: &Options) -> String {
    let file = options.output.as_ref().map(|p| format!("`{}`", p.display()));
    match (options.github_summary, file) {
        (true, Some(f)) => format!("the job summary and {f}"),
        (true, None) => "the job summary".to_string(),
        (false, Some(f)) => f,
        (false, None) => "the report".to_string(),
    }
}

/// Result files to read, each with the category that owns it, and the patterns that matched
/// nothing.
#[derive(Default)]
struct Found {
    files: Vec<(PathBuf, Option<usize>)>,
    unmatched: Vec<model::Unmatched>,
}

/// Result files named by the categories' `results:` (owned by them) and by `--results`.
fn category_result_files(m: &manifest::Manifests, extra: &[String]) -> Result<Found, Error> {
    let mut found = Found::default();
    let mut problems = Vec::new();
    for (i, c) in m.categories.iter().enumerate() {
        let Some(pattern) = &c.results else { continue };
        let base = c.file.parent().unwrap_or(Path::new("."));
        match inputs::expand(base, pattern) {
            Ok(inputs::Expanded::Glob(f)) if f.is_empty() => {
                found.unmatched.push(model::Unmatched { pattern: pattern.clone(), category: Some(i) });
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
fn extra_result_files(patterns: &[String], found: &mut Found) -> Result<(), Error> {
    for p in patterns {
        match inputs::expand(Path::new(""), p).map_err(|e| Error::Usage(format!("--results: {e}")))? {
            inputs::Expanded::Glob(f) if f.is_empty() => {
                found.unmatched.push(model::Unmatched { pattern: p.clone(), category: None });
            }
            e => found.files.extend(e.files().into_iter().map(|f| (f, None))),
        }
    }
    Ok(())
}

/// What the aggregator keeps beyond sums: every case whole (CTRF output), every case compactly
/// (run records and history).
#[derive(Clone, Copy)]
struct Keep {
    cases: bool,
    tests: bool,
}

/// Streams every result file into one aggregator; every unreadable file is reported.
fn read_results(
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
    let mut sources = Sources::default();
    for d in diags {
        let _ = write!(err, "{}", sources.render(d));
    }
}

/// Source lines for diagnostics: the file of the last diagnostic, read once and indexed by line,
/// so many diagnostics in one big file print in linear time (and one file at a time is held).
#[derive(Default)]
struct Sources {
    file: Option<PathBuf>,
    /// The text and the byte offset of each line's start.
    text: Option<(String, Vec<usize>)>,
}

impl Sources {
    fn render(&mut self, d: &Diagnostic) -> String {
        if self.file.as_deref() != Some(d.file.as_path()) {
            self.text = manifest::read_text(&d.file).ok().map(|t| {
                let starts = std::iter::once(0).chain(t.match_indices('\n').map(|(i, _)| i + 1)).collect();
                (t, starts)
            });
            self.file = Some(d.file.clone());
        }
        let line = self.text.as_ref().zip(d.line).and_then(|((text, starts), l)| {
            let l = usize::try_from(l).ok()?;
            let start = *starts.get(l.checked_sub(1)?)?;
            // As `str::lines`: no line after a final line break, and no `\r` before the break.
            if start == text.len() {
                return None;
            }
            let end = starts.get(l).map_or(text.len(), |next| next - 1);
            Some(text[start..end].strip_suffix('\r').unwrap_or(&text[start..end]))
        });
        d.render_line(line)
    }
}

/// The full message for an error, with source snippets for input problems.
pub fn describe(e: &Error) -> String {
    match e {
        Error::Input(diags) => {
            let mut s = String::new();
            let mut sources = Sources::default();
            for d in diags {
                s.push_str(&sources.render(d));
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
