//! The command line (the binary's only; clap stays out of the library, as in ripgrep and
//! nextest): clap types, converted into plain [`gen_report::Options`]. No I/O here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use gen_report::{Command, FailOn, Format, Options, SchemaKind};

const EXAMPLES: &str = "\
Examples:
  gen-report data/ > REPORT.md              render the report from a data directory
  gen-report data/ -o REPORT.md             write it atomically (never half-written)
  gen-report data/ --format json            print the computed model as JSON
  gen-report check data/                    validate every manifest, list every problem
  gen-report data/ --results 'reports/**/*.xml' --fail-on failures,mismatch
  gen-report junit.xml more-results/        summarise result files without manifests
  gen-report data/ --templates my-templates --template custom.md
  gen-report data/ --check REPORT.md        exit 1 with a diff when the committed report is stale
  gen-report data/ --results 'r/*.xml' --github-summary   append to the job summary, within 1 MB
  gen-report badge data/ -o tests.svg       a shields-style badge for READMEs
  SOURCE_DATE_EPOCH=1757548800 gen-report data/   date the report reproducibly
  gen-report --data findings.yaml --schema findings.schema.json --template findings.md
                                            any YAML/JSON data through your template
  gen-report context --data findings.yaml   the exact context a template receives, as JSON
  pytest --junitxml=/dev/stdout | gen-report -   results from stdin (`-`; the format is sniffed)

Exit status:
  0  the report was written and no --fail-on condition holds (check: no problem found)
  1  the report was written, but a --fail-on condition holds, or --check found it stale
  2  bad input or usage: nothing was written (the error names file, line and column)";

/// What `--help` and the man page say before the options: the conventions every command follows
/// (`-h` shows the one-line `about` alone).
const LONG_ABOUT: &str = "\
Turn test manifests and real test results into a computed, honest Markdown report

Every total, percentage and status is computed from the manifests and the result files; nothing\n\
that no test result backs gets a ✅. The reference is in the repository's docs/ folder.

Conventions: `-` as an input reads result files from stdin, its format sniffed as for a file\n\
(`go test -json ./... | gen-report -`); stdin is copied to a temporary file named by a hash of its\n\
bytes, so the same input gives the same report. File names may come after `--`\n\
(`gen-report --fail-on failures -- \"$@\"`), so none is ever taken for an option. Control\n\
characters in any message, usage errors included, are printed as escapes (`\\n`, `\\u{1b}`).\n\
The date shown is --date, else `date:` in report.yaml, else SOURCE_DATE_EPOCH (UTC), else none:\n\
never the clock; an empty SOURCE_DATE_EPOCH counts as unset, a malformed one is an error even when\n\
another date wins. Inputs are read in sorted order: the same inputs give the same bytes. Colour\n\
appears only in usage errors and help, and follows NO_COLOR (never) and CLICOLOR_FORCE (always);\n\
NO_COLOR wins.";

/// Turn test manifests into a computed, honest Markdown report.
#[derive(Debug, Parser)]
#[command(name = "gen-report", version = env!("GEN_REPORT_VERSION"), about, long_about = LONG_ABOUT, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Sub>,

    /// A data directory (report.yaml and categories/), or result files and folders of them.
    #[arg(value_name = "DATA_DIR|RESULTS")]
    pub inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub render: RenderArgs,
}

/// Subcommands besides rendering.
#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Validate the manifests of a data directory and list every problem found.
    Check {
        /// The data directory (or result files).
        #[arg(value_name = "DATA_DIR|RESULTS", required_unless_present = "data")]
        inputs: Vec<PathBuf>,

        #[command(flatten)]
        free: FreeformArgs,

        /// Result files (path or glob) to reconcile with the manifests; repeatable.
        #[arg(long, value_name = "GLOB")]
        results: Vec<String>,

        /// Merge repeated runs of the same test case within a file into one test.
        #[arg(long)]
        merge_reruns: bool,
    },
    /// Write a shields-style SVG badge ("tests 67/100", coloured by verdict).
    Badge {
        /// The data directory (or result files).
        #[arg(value_name = "DATA_DIR|RESULTS", required = true)]
        inputs: Vec<PathBuf>,

        /// Result files (path or glob) to reconcile with the manifests; repeatable.
        #[arg(long, value_name = "GLOB")]
        results: Vec<String>,

        /// Merge reruns anywhere in a file, as for the report (the badge must tell its story).
        #[arg(long)]
        merge_reruns: bool,

        /// Where to write the SVG (atomically); stdout when omitted.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,

        /// The badge's label.
        #[arg(long, default_value = "tests")]
        label: String,
    },
    /// Print the context a template receives, as JSON (the same input options as a render).
    Context {
        /// The data directory (or result files); none with --data.
        #[arg(value_name = "DATA_DIR|RESULTS", required_unless_present = "data")]
        inputs: Vec<PathBuf>,

        #[command(flatten)]
        free: FreeformArgs,

        /// Result files (path or glob) to reconcile with the manifests; repeatable.
        #[arg(long, value_name = "GLOB")]
        results: Vec<String>,

        /// The report's date (YYYY-MM-DD), overriding the data and SOURCE_DATE_EPOCH.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        date: Option<chrono::NaiveDate>,

        /// Write the JSON to FILE (atomically) instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Print the JSON Schema of the manifests (for editor completion and validation).
    Schema {
        /// Which manifest.
        #[arg(value_enum, default_value_t = SchemaArg::All)]
        kind: SchemaArg,
    },
    /// Create a starter data directory: report.yaml and two categories.
    Init {
        /// Where to create it.
        #[arg(default_value = "data")]
        dir: PathBuf,
    },
    /// List the built-in templates, or export one to start your own from.
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// `templates` actions.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// List the built-in templates.
    List,
    /// Write a built-in template to FILE (default: its name, in the current directory).
    Export {
        /// The built-in's name, e.g. report.md.
        name: String,
        /// Where to write it; `-` for stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// `schema` kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaArg {
    /// Both, as one document with `report` and `category` definitions.
    All,
    /// `report.yaml`.
    Report,
    /// `categories/*.yaml`.
    Category,
}

/// Free-form data: any YAML or JSON, a schema for it, and how strict to be.
#[derive(Debug, Default, clap::Args)]
pub struct FreeformArgs {
    /// Free-form data: a YAML or JSON file (the entry named by its stem) or a folder of them
    /// (an entry per file and subfolder); repeatable. Renders --template with it.
    #[arg(long, value_name = "PATH")]
    pub data: Vec<PathBuf>,

    /// A JSON Schema (JSON or YAML) the --data tree must satisfy; violations are errors with
    /// file, line and column.
    #[arg(long, value_name = "FILE", requires = "data")]
    pub schema: Option<PathBuf>,

    /// Warnings (figures typed into data, templates or narrative; files not read) are errors:
    /// exit 2, nothing written.
    #[arg(long)]
    pub strict: bool,
}

/// Options of a render.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub free: FreeformArgs,

    /// Write the report to FILE (atomically) instead of stdout.
    ///
    /// A missing or regular FILE (or a symlink to one) gets a temp file written beside it, synced
    /// and renamed over it: never a half-written file. A symlink stays a symlink and its target
    /// gets the report. A new file gets the mode a shell redirect gives (0666 less the umask); a
    /// replaced one keeps its mode. `-` or /dev/stdout is standard output; a device, FIFO or
    /// socket (/dev/null, a named pipe), or a path through /proc or /dev/fd, is written in place
    /// as a redirect would; a directory is an error. FILE may not be any file the report is read
    /// from. On exit 2 nothing is created or replaced.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// No findings or warnings on stderr (errors still; the report holds every finding).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Output format.
    ///
    /// html: the rendered Markdown in one standalone page (embedded CSS, a Content-Security-Policy
    /// that forbids scripts and outside loads, charts as inline SVG). json: the computed model
    /// (what templates see; `schema_version` 2). ctrf: the measured cases as a CTRF document,
    /// gen-report's categories in `results.extra.categories`. junit: whatever was read (go test
    /// -json, TAP, libtest, TRX, CTRF, jest, mocha, several merged) as one JUnit XML document that
    /// GitLab, Jenkins and Azure read; a flaky case holds Surefire's `<flakyFailure>`.
    #[arg(long, value_enum, default_value_t = FormatArg::Markdown)]
    pub format: FormatArg,

    /// Template to render: a built-in or user template name, or a template file.
    ///
    /// Default: report.md (the built-in summary.md for result files alone). Templates are Tera 2 files; one
    /// can `{% extends "report.md" %}` and replace its blocks. In templates whose name ends in .md
    /// every value is escaped as Markdown text. `gen-report templates export report.md` writes a
    /// built-in out to start from.
    #[arg(long, value_name = "NAME|FILE")]
    pub template: Option<String>,

    /// Directory of templates that override built-ins by name and add new ones.
    ///
    /// Every file below DIR is loaded by its relative name; `include` and `extends` resolve only
    /// among loaded templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Use ASCII status markers ([ok] [warn] [fail]) instead of emoji.
    #[arg(long)]
    pub ascii: bool,

    /// Result files (path or glob, e.g. 'reports/**/*.xml') to reconcile with the manifests;
    /// repeatable.
    ///
    /// `*` stays in a folder, `**` crosses folders. Quote the pattern: gen-report expands it
    /// (an unquoted glob the shell expanded is an error that says so). Formats are sniffed from
    /// the content, not the name. A path that does not exist is an error (exit 2); a glob that
    /// matches nothing is a finding that makes `--fail-on not-run` exit 1.
    #[arg(long, value_name = "GLOB")]
    pub results: Vec<String>,

    /// Write the report, then exit 1 if one of these holds.
    ///
    /// Any subset, comma-separated; without it a report with failures exits 0. In CI use at
    /// least `--fail-on failures,not-run,empty`. The report (and -o FILE) is written first; the
    /// conditions that held are named on stderr.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "CONDITIONS")]
    pub fail_on: Vec<FailOnArg>,

    /// Merge repeated runs of the same test (same suite element, file, class and name) anywhere
    /// in a results file into one test, last run wins: passed (and flaky) if the last run
    /// passed, else its worst result. Needed only where the file does not say the repeats are
    /// reruns (docs/results.md, "Counting policy").
    #[arg(long)]
    pub merge_reruns: bool,

    /// Re-render and compare with FILE (a committed report): exit 0 when equal, 1 with a
    /// unified diff when stale. Writes nothing.
    ///
    /// The `cargo fmt --check` of reports; every other option applies as given. FILE must be a
    /// regular file (or a symlink to one) of at most 64 MiB: a FIFO, a device or a bigger file
    /// is an error (exit 2), never read. The stale/not-stale answer is always exact.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["output", "github_summary"])]
    pub check: Option<PathBuf>,

    /// Append the report to the file named by $GITHUB_STEP_SUMMARY (implies --budget summary).
    ///
    /// Instead of stdout; -o FILE still receives the full report. The summary file must be a
    /// regular file (or not exist yet), neither an input nor the -o file; unset is an error. The
    /// append comes last; if anything fails (a bad -o, a full disk) the summary is truncated back
    /// to its length before, the -o file is left as it was, and the exit code is 2.
    #[arg(long)]
    pub github_summary: bool,

    /// Shrink the report to fit: summary (1,000,000 bytes), comment (65,000 characters),
    /// check (65,000 bytes) or a number of bytes.
    ///
    /// GitHub's limits: a job summary under 1 MiB, a PR comment under 65,536 characters, a
    /// check-run body under 65,535 bytes; the presets keep a margin. Passing table rows go
    /// first, then blocks that could never fit, then long lists are cut ("… and N more"), then
    /// failure details collapsed, then whole sections from the end; never inside a table row,
    /// code fence or `<details>` block, and a notice says what was left out. The title and the
    /// result line are always kept: a budget too small for them is a usage error naming the
    /// minimum.
    #[arg(long, value_name = "PRESET|BYTES")]
    pub budget: Option<String>,

    /// A JSON output (--format json) of an earlier run: show deltas against it.
    ///
    /// A Trend section: deltas in total and per category (tests, passed, failed, skipped), new
    /// and removed categories, newly failing and fixed tests (among the up to 50 failures each
    /// run lists).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// The report's date (YYYY-MM-DD), overriding the data and SOURCE_DATE_EPOCH.
    ///
    /// Exactly YYYY-MM-DD (`2026-2-3` is an error). Without it: `date:` of report.yaml, else
    /// SOURCE_DATE_EPOCH (UTC), else no date; never the clock.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<chrono::NaiveDate>,

    /// Also write one workflow command per failing test on stderr (GitHub shows them on the
    /// diff), after the report was written.
    ///
    /// `::error file=src/x.py,line=12,title=…::…`. The place is the case's file/line, else the
    /// first frame of its failure message inside the repository (Python, Java/Kotlin,
    /// JavaScript, .NET, Rust, Go, pytest frames); paths are made relative to GITHUB_WORKSPACE
    /// (else the working directory). GitHub shows 10 per step: failures come before errors,
    /// located ones first, then one notice counts the rest. Names and messages are escaped, and
    /// everything else on stderr is fenced by ::stop-commands::, so no test name can raise an
    /// annotation of its own. No token, no network.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub annotations: Option<AnnotationsArg>,

    /// Annotations: prepend DIR to relative paths (the tests ran in DIR of the repository).
    #[arg(long, value_name = "DIR", requires = "annotations")]
    pub path_prefix: Option<String>,

    /// Annotations: remove PREFIX from the start of paths (absolute or container paths, e.g.
    /// /app); repeatable.
    #[arg(long, value_name = "PREFIX", requires = "annotations")]
    pub strip_prefix: Vec<String>,

    /// After writing the report, write this run's record (a Parquet file: every test's outcome
    /// and duration, the totals) to FILE, e.g. history/$GITHUB_RUN_NUMBER.parquet.
    ///
    /// Written atomically together with -o and the job summary; its folder is created when
    /// missing. FILE must end in .parquet and may not be an input, the -o file or
    /// $GITHUB_STEP_SUMMARY.
    #[arg(long, value_name = "FILE", conflicts_with = "check")]
    pub record: Option<PathBuf>,

    /// This run's label in its record and the History section (default: $GITHUB_RUN_NUMBER,
    /// else $GITHUB_SHA, else the report's date).
    #[arg(long, value_name = "LABEL")]
    pub run_label: Option<String>,

    /// A folder of earlier runs' records (and CTRF reports): adds a History section — trend,
    /// new failures, still failing, fixed, flaky across runs, slowest and slowed-down tests.
    ///
    /// The records in DIR (not its subfolders), newest first, in every output (Markdown, HTML,
    /// JSON's `history`). A missing DIR is a cache that missed: no earlier runs, a note on
    /// stderr. A bad record is skipped with a warning, never stops the report.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,

    /// Runs the History section covers, this one included (the newest of the folder).
    ///
    /// From 2 to 100000.
    #[arg(long, value_name = "N", requires = "history", default_value_t = gen_report::model::history::DEFAULT_WINDOW,
          value_parser = parse_window)]
    pub history_window: usize,
}

/// `--annotations` formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnnotationsArg {
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

/// `--fail-on` conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// A measured test case failed or errored.
    Failures,
    /// The overall target or a category's target is not met.
    BelowTarget,
    /// Declared counts disagree with measured ones (or a file with itself).
    Mismatch,
    /// Results were given, but a category has none or a results glob matched nothing.
    NotRun,
    /// Results were given and not a single test was counted (an empty file, a glob that
    /// caught nothing).
    Empty,
    /// A test fails that did not fail in the previous run of --history (known failures pass).
    /// Without any earlier run every failure counts as new.
    NewFailures,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// The rendered template.
    Markdown,
    /// The computed model.
    Json,
    /// The rendered Markdown in a standalone HTML page.
    Html,
    /// The measured results as a CTRF document (categories in `extra`).
    Ctrf,
    /// The measured results as one JUnit XML document (GitLab, Jenkins, Azure read it).
    Junit,
}

fn parse_window(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (2..=100_000).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number of runs from 2 to 100000 (this run and at least one earlier), got {s:?}"
        )),
    }
}

fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    gen_report::manifest::check_date(s).map_err(|why| format!("{s:?}: {why}"))
}

impl Cli {
    /// The plain options the library runs with.
    ///
    /// # Errors
    /// A usage problem clap cannot express (no input given).
    pub fn into_options(self) -> Result<Options, String> {
        let mut r = self.render;
        let (command, inputs) = match self.command {
            Some(sub) => sub.into_command(&mut r)?,
            None if self.inputs.is_empty() && r.free.data.is_empty() => {
                return Err("missing DATA_DIR: expected a data directory or result files (see --help)".into());
            }
            None => (Command::Render, self.inputs),
        };
        r.validate()?;
        glob_expanded_by_the_shell(&r, &inputs)?;
        Ok(r.into_options(command, inputs))
    }
}

/// `--results reports/*.xml` unquoted: the shell expands it, `--results` takes the first file and
/// the others land among the inputs. Say so instead of reading them as something else.
fn glob_expanded_by_the_shell(r: &RenderArgs, inputs: &[PathBuf]) -> Result<(), String> {
    let after_data = if r.free.data.is_empty() { 1 } else { 0 };
    if r.results.is_empty() || inputs.len() <= after_data {
        return Ok(());
    }
    let first = r.results.last().map(String::as_str).unwrap_or_default();
    let extra = &inputs[after_data..];
    Err(format!(
        "--results `{}` is followed by {} more file name{} (`{}`{}): the shell expanded an unquoted glob; quote it, e.g. --results 'reports/**/*.xml' (gen-report expands it)",
        gen_report::error::printable(first),
        extra.len(),
        if extra.len() == 1 { "" } else { "s" },
        gen_report::error::printable(&extra[0].to_string_lossy()),
        if extra.len() > 1 { ", …" } else { "" }
    ))
}

impl Sub {
    /// The library command; a subcommand's own flags are folded into `r`.
    fn into_command(self, r: &mut RenderArgs) -> Result<(Command, Vec<PathBuf>), String> {
        Ok(match self {
            Sub::Check { inputs, free, results, merge_reruns } => {
                r.results.extend(results);
                r.merge_reruns |= merge_reruns;
                r.free = free;
                (Command::Check, inputs)
            }
            Sub::Context { inputs, free, results, date, output } => {
                r.results.extend(results);
                r.free = free;
                r.date = date;
                r.output = output;
                (Command::Context, inputs)
            }
            Sub::Badge { inputs, results, merge_reruns, output, label } => {
                r.results.extend(results);
                r.merge_reruns |= merge_reruns;
                r.output = output;
                (Command::Badge { label }, inputs)
            }
            Sub::Schema { kind } => (
                Command::Schema(match kind {
                    SchemaArg::All => SchemaKind::All,
                    SchemaArg::Report => SchemaKind::Report,
                    SchemaArg::Category => SchemaKind::Category,
                }),
                Vec::new(),
            ),
            Sub::Init { dir } => (Command::Init { dir }, Vec::new()),
            Sub::Templates { action: TemplatesAction::List } => (Command::TemplatesList, Vec::new()),
            Sub::Templates { action: TemplatesAction::Export { name, output } } => {
                (Command::TemplatesExport { name, output }, Vec::new())
            }
            Sub::Completions { shell } => (Command::Completions(completions(shell)), Vec::new()),
            Sub::Man => (Command::Man(man_page()?), Vec::new()),
        })
    }
}

impl RenderArgs {
    /// Combinations clap cannot express.
    fn validate(&self) -> Result<(), String> {
        if self.fail_on.contains(&FailOnArg::NewFailures) && self.history.is_none() {
            return Err("--fail-on new-failures needs --history DIR: the earlier runs that say which failures are new"
                .into());
        }
        if let Some(p) = &self.record
            && !p.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
        {
            return Err(format!(
                "--record `{}`: a run record is a Parquet file: name it *.parquet (see docs/history.md, \"History and trends\")",
                p.display()
            ));
        }
        Ok(())
    }

    fn into_options(self, command: Command, inputs: Vec<PathBuf>) -> Options {
        let r = self;
        Options {
            command,
            inputs,
            results: r.results,
            merge_reruns: r.merge_reruns,
            fail_on: r.fail_on.into_iter().map(FailOnArg::into_lib).collect(),
            output: r.output,
            format: match r.format {
                FormatArg::Markdown => Format::Markdown,
                FormatArg::Json => Format::Json,
                FormatArg::Html => Format::Html,
                FormatArg::Ctrf => Format::Ctrf,
                FormatArg::Junit => Format::Junit,
            },
            check: r.check,
            github_summary: r.github_summary,
            budget: r.budget,
            baseline: r.baseline,
            template: r.template,
            templates: r.templates,
            ascii: r.ascii,
            date: r.date,
            annotations: r.annotations.map(|AnnotationsArg::Github| gen_report::annotations::Settings {
                path_prefix: r.path_prefix,
                strip_prefixes: r.strip_prefix,
            }),
            data: r.free.data,
            schema: r.free.schema,
            strict: r.free.strict,
            record: r.record,
            run_label: r.run_label,
            history: r.history,
            history_window: r.history_window,
            quiet: r.quiet,
            rerender: None,
        }
    }
}

impl FailOnArg {
    fn into_lib(self) -> FailOn {
        match self {
            FailOnArg::Failures => FailOn::Failures,
            FailOnArg::BelowTarget => FailOn::BelowTarget,
            FailOnArg::Mismatch => FailOn::Mismatch,
            FailOnArg::NotRun => FailOn::NotRun,
            FailOnArg::Empty => FailOn::Empty,
            FailOnArg::NewFailures => FailOn::NewFailures,
        }
    }
}

/// The completion script for `shell`, generated from the clap definition.
fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "gen-report", &mut out);
    out
}

/// The man page's EXIT STATUS section (the same codes as `--help` and gen_report::exit_code).
const EXIT_STATUS_ROFF: &str = "\
.SH \"EXIT STATUS\"
.TP
\\fB0\\fR
The report was written and no \\-\\-fail\\-on condition holds (check: no problem found).
.TP
\\fB1\\fR
The report was written, but a \\-\\-fail\\-on condition holds, or \\-\\-check found the committed report stale.
.TP
\\fB2\\fR
Bad input or usage: nothing was written; the error names the file, line and column.
";

/// The man page, generated from the clap definition.
fn man_page() -> Result<Vec<u8>, String> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    let man = clap_mangen::Man::new(Cli::command());
    let sections = (|| -> std::io::Result<()> {
        man.render_title(&mut out)?;
        man.render_name_section(&mut out)?;
        man.render_synopsis_section(&mut out)?;
        man.render_description_section(&mut out)?;
        man.render_options_section(&mut out)?;
        man.render_subcommands_section(&mut out)?;
        man.render_extra_section(&mut out)?;
        out.extend_from_slice(EXIT_STATUS_ROFF.as_bytes());
        man.render_version_section(&mut out)
    })();
    sections.map_err(|e| format!("cannot render the man page: {e}"))?;
    Ok(out)
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
    fn fail_on_takes_a_comma_list() {
        let o = Cli::try_parse_from(["gen-report", "d", "--fail-on", "failures,not-run"])
            .unwrap()
            .into_options()
            .unwrap();
        assert_eq!(o.fail_on, vec![FailOn::Failures, FailOn::NotRun]);
        let e = Cli::try_parse_from(["gen-report", "d", "--fail-on", "bogus"]).unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue);
        assert!(
            e.to_string().starts_with("error: invalid value 'bogus' for '--fail-on <CONDITIONS>'"),
            "{e}"
        );
    }

    #[test]
    fn bad_date_is_rejected() {
        for bad in ["11/09/2025", "2026-2-3", "+12026-01-01"] {
            let e = Cli::try_parse_from(["gen-report", "d", "--date", bad]).unwrap_err();
            let want = format!("\"{bad}\": expected a date as YYYY-MM-DD");
            assert!(e.to_string().contains(&want), "{bad}: {e}");
        }
        // A date of the right shape that does not exist says which part does not.
        for (bad, why) in [
            ("2026-13-01", "month 13 does not exist"),
            ("2026-00-10", "month 0 does not exist"),
            ("2026-02-29", "day 29 does not exist: February 2026 has 28 days"),
            ("2026-04-31", "day 31 does not exist: April 2026 has 30 days"),
        ] {
            let e = Cli::try_parse_from(["gen-report", "d", "--date", bad]).unwrap_err();
            assert!(e.to_string().contains(why), "{bad}: {e}");
        }
        assert!(Cli::try_parse_from(["gen-report", "d", "--date", "2028-02-29"]).is_ok());
    }
}
