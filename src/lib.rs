//! gen-report turns test manifests (YAML) into a Markdown report in which every figure and every
//! status is computed, never typed.
//!
//! The pipeline: [`manifest::load_dir`] reads and validates the data directory, [`model::build`]
//! computes every figure, and [`render::render`] fills a Tera template with the model. Only
//! [`run`] writes output, and it writes nothing at all when any step fails.
//!
//! ```no_run
//! let manifests = gen_report::manifest::load_dir("data".as_ref()).expect("valid data");
//! let report = gen_report::model::build(&manifests, &Default::default());
//! println!("{} of {} tests", report.totals.tests, report.totals.target);
//! ```

pub mod cli;
pub mod error;
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
    pub input: PathBuf,
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
        Ok(()) => exit_code::OK,
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
pub fn run(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), Error> {
    let manifests = manifest::load_dir(&options.input).map_err(Error::Input)?;
    print_diagnostics(err, &manifests.warnings);
    let build = model::BuildOptions { date: options.date, source_date: source_date_epoch()? };
    let report = model::build(&manifests, &build);

    if options.command == Command::Check {
        let _ = writeln!(
            err,
            "ok: `{}` is valid ({} categories, {} warnings)",
            options.input.display(),
            manifests.categories.len(),
            manifests.warnings.len()
        );
        return Ok(());
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
            let name = template_name(&mut set, options.template.as_deref())?;
            let settings = render::FilterSettings { currency: report.currency.clone(), ascii: options.ascii };
            let ctx = TemplateContext {
                model: &report,
                manifests: &manifests,
                options: OptionsView { ascii: options.ascii },
            };
            render::render(&set, &name, &ctx, &settings)?
        }
    };
    write_output(options.output.as_deref(), &text, out)
}

/// Resolves `--template`: a known template name, else a file added under its own name.
fn template_name(set: &mut render::TemplateSet, requested: Option<&str>) -> Result<String, Error> {
    let Some(req) = requested else { return Ok(render::DEFAULT_TEMPLATE.to_string()) };
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
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
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
