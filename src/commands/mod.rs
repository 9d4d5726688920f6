//! The commands beside the report: `init` (`scaffold`) and `schema` (the manifests' JSON Schemas).

pub(crate) mod scaffold;
pub(crate) mod schema;

use std::io::Write;
use std::path::Path;

use crate::emit::output;
use crate::error::{self, Error};
use crate::{Command, Options, Outcome, render};

/// The commands that make no report: `schema`, `init`, `templates`, completions and the man page.
///
/// # Errors
/// An output problem, or an unknown template name.
pub(crate) fn run(options: &Options, out: &mut dyn Write, err: &mut dyn Write) -> Result<Outcome, Error> {
    match &options.command {
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
        Command::Render | Command::Check | Command::Badge { .. } | Command::Context => {
            crate::run_report(options, out, err)
        }
    }
}
