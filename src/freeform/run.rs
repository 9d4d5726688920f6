//! The free-form pipeline (`--data`): the same stages on any YAML or JSON data.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::compute::{compute, source_date_epoch};
use crate::emit::diagnostics::{print_diagnostics, print_findings};
use crate::emit::output;
use crate::emit::stage::{emit, refuse_writing_over_inputs, summary_file};
use crate::error::{self, Error};
use crate::load::stage::{Found, Loaded, extra_result_files, strict};
use crate::load::{inputs, manifest};
use crate::measure::{Measurements, measure};
use crate::render::stage::{pretty_json, render_markdown, templates};
use crate::{Command, Format, Options, OptionsView, Outcome, freeform, render};

/// The free-form pipeline: load (the data, checked and linted; the result files) → measure →
/// compute (the results' test model, when results were given) → render → emit, with the same
/// render and emit stages as a test report.
pub(crate) fn run_freeform(
    options: &Options,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Outcome, Error> {
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
pub(crate) fn render_freeform(
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
pub(crate) fn load_freeform(options: &Options) -> Result<(Loaded, freeform::Loaded), Error> {
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
pub(crate) fn first_heading(markdown: &str) -> Option<String> {
    markdown.lines().find_map(|l| l.strip_prefix("# ")).map(|t| t.trim().replace('\\', ""))
}
