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
#![warn(unreachable_pub)]

mod commands;
mod compute;
pub mod emit;
pub mod error;
pub mod freeform;
pub mod load;
mod measure;
pub mod model;
#[cfg(feature = "records")]
mod records;
#[cfg(not(feature = "records"))]
#[path = "records/without.rs"]
mod records;
pub mod render;
// src/results/ keeps its own surface (issue 27, part A2).
#[allow(unreachable_pub)]
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

use emit::output;

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::compute::{claim_warnings, compute, record};
use crate::emit::diagnostics::{print_diagnostics, print_findings, print_history_notes};
use crate::emit::stage::{emit, refuse_writing_over_inputs};
use crate::freeform::run::run_freeform;
use crate::load::stage::{load, strict};
use crate::measure::measure;
use crate::render::stage::{pretty_json, render_text, template_context};

pub use emit::diagnostics::describe;
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
    /// `--check`: the shell command that re-renders the committed report, for the stale message
    /// (the binary sets it from its arguments; `None` leaves it out).
    pub rerender: Option<String>,
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
            rerender: None,
        }
    }
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
/// output file) and diagnostics to `err`. The exit code is decided here ([`Error::exit_code`]
/// for errors, `--fail-on` and `--check` for runs); errors are worded by [`describe`].
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
        _ => commands::run(options, out, err),
    }
}

/// The report-producing commands, as the pipeline's named stages:
/// [`load`] → [`measure`] → [`compute`] → [`render_text`] → [`emit`].
pub(crate) fn run_report(
    options: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, Error> {
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
