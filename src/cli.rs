//! The command line: clap types only, converted into plain [`crate::Options`]. No I/O here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::{Command, Format, Options};

const EXAMPLES: &str = "\
Examples:
  gen-report data/ > REPORT.md              render the report from a data directory
  gen-report data/ -o REPORT.md             write it atomically (never half-written)
  gen-report data/ --format json            print the computed model as JSON
  gen-report check data/                    validate every manifest, list every problem
  gen-report data/ --templates my-templates --template custom.md
  SOURCE_DATE_EPOCH=1757548800 gen-report data/   date the report reproducibly";

/// Turn test manifests into a computed, honest Markdown report.
#[derive(Debug, Parser)]
#[command(name = "gen-report", version, about, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Sub>,

    /// The data directory (report.yaml and categories/).
    #[arg(value_name = "DATA_DIR")]
    pub input: Option<PathBuf>,

    #[command(flatten)]
    pub render: RenderArgs,
}

/// Subcommands besides rendering.
#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Validate the manifests of a data directory and list every problem found.
    Check {
        /// The data directory.
        #[arg(value_name = "DATA_DIR")]
        input: PathBuf,
    },
}

/// Options of a render.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// Write the report to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Markdown)]
    pub format: FormatArg,

    /// Template to render: a built-in or user template name, or a template file.
    #[arg(long, value_name = "NAME|FILE")]
    pub template: Option<String>,

    /// Directory of templates that override built-ins by name and add new ones.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Use ASCII status markers ([ok] [warn] [fail]) instead of emoji.
    #[arg(long)]
    pub ascii: bool,

    /// The report's date (YYYY-MM-DD), overriding the data and SOURCE_DATE_EPOCH.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Markdown,
    Json,
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("expected a date as YYYY-MM-DD, got {s:?}"))
}

impl Cli {
    /// The plain options the library runs with.
    ///
    /// # Errors
    /// A usage problem clap cannot express (no input given).
    pub fn into_options(self) -> Result<Options, String> {
        let (command, input) = match self.command {
            Some(Sub::Check { input }) => (Command::Check, input),
            None => match self.input {
                Some(input) => (Command::Render, input),
                None => return Err("missing DATA_DIR: expected a data directory (see --help)".into()),
            },
        };
        let r = self.render;
        Ok(Options {
            command,
            input,
            output: r.output,
            format: match r.format {
                FormatArg::Markdown => Format::Markdown,
                FormatArg::Json => Format::Json,
            },
            template: r.template,
            templates: r.templates,
            ascii: r.ascii,
            date: r.date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_is_a_subcommand() {
        let o = Cli::try_parse_from(["gen-report", "check", "d"]).unwrap().into_options().unwrap();
        assert_eq!(o.command, Command::Check);
    }

    #[test]
    fn bad_date_is_rejected() {
        assert!(Cli::try_parse_from(["gen-report", "d", "--date", "11/09/2025"]).is_err());
    }
}
