//! Error types, diagnostics and the exit codes they map to.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// Exit codes, the contract with CI scripts.
pub mod exit_code {
    /// The report was produced and no `--fail-on` condition holds.
    pub const OK: i32 = 0;
    /// The report was produced, but a `--fail-on` condition holds.
    pub const CONDITION: i32 = 1;
    /// Bad input or usage: nothing was written.
    pub const BAD_INPUT: i32 = 2;
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A problem found in one input file, with its position when known.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    /// 1-based line.
    pub line: Option<u64>,
    /// 1-based column.
    pub column: Option<u64>,
    pub message: String,
}

impl Diagnostic {
    /// An error at a position in `file`.
    pub fn error(file: &Path, pos: Option<(u64, u64)>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, file, pos, message)
    }

    /// A warning at a position in `file`.
    pub fn warning(file: &Path, pos: Option<(u64, u64)>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, file, pos, message)
    }

    fn new(severity: Severity, file: &Path, pos: Option<(u64, u64)>, message: impl Into<String>) -> Self {
        Self {
            severity,
            file: file.to_path_buf(),
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
            message: message.into(),
        }
    }

    /// `file:line:column` (or less, when the position is unknown), printable (see
    /// [`printable`]).
    pub fn location(&self) -> String {
        let file = self.file.display().to_string();
        let file = printable(&file);
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(l), None) => format!("{file}:{l}"),
            _ => file.into_owned(),
        }
    }

    /// Renders the diagnostic rustc-style, with the offending source line when `source` is given.
    pub fn render(&self, source: Option<&str>) -> String {
        let line = source.zip(self.line).and_then(|(src, l)| src.lines().nth(l.saturating_sub(1) as usize));
        self.render_line(line)
    }

    /// Renders the diagnostic with `line_text`, the text of the line it points at, when known.
    pub fn render_line(&self, line_text: Option<&str>) -> String {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{label}: {}\n  --> {}\n", printable(&self.message), self.location());
        if let (Some(text), Some(line)) = (line_text, self.line) {
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            let text: String = text.chars().take(200).collect();
            let text = printable(&text);
            out.push_str(&format!("{pad} |\n{num} | {text}\n"));
            if let Some(col) = self.column {
                let caret_pad = " ".repeat(col.saturating_sub(1).min(200) as usize);
                out.push_str(&format!("{pad} | {caret_pad}^\n"));
            }
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), printable(&self.message))
    }
}

/// Everything that can stop gen-report from producing a report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more input files are invalid; every problem found is listed.
    #[error("{} in the input", plural(.0.len(), "problem"))]
    Input(Vec<Diagnostic>),
    /// A template failed to parse or render.
    #[error("template error: {diagnostic}")]
    Template {
        /// Where (the template file, or `NAME (built-in)`) and what.
        diagnostic: Diagnostic,
        /// The template's text, for the snippet.
        text: Option<String>,
    },
    /// The command line asks for something impossible.
    #[error("{0}")]
    Usage(String),
    /// A file to compare with (`--check`) cannot be read.
    #[error("cannot read `{}`: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    /// Writing the output failed; nothing was left half-written.
    #[error("failed to write `{}`", path.display())]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The process exit code this error maps to.
    pub fn exit_code(&self) -> i32 {
        exit_code::BAD_INPUT
    }
}

/// `1 problem`, `2 problems`, `2,000 categories` (see [`crate::words::count`]).
pub(crate) fn plural(n: usize, word: &str) -> String {
    crate::words::count(crate::words::len(n), word)
}

/// `s` made safe to print on a terminal or in a CI log: every control character but tab is
/// written as an escape (`\n`, `\r`, `\u{1b}`), so text from data can neither start a line of
/// its own (GitHub Actions runs `::error …` at the start of a log line as a workflow command)
/// nor drive the terminal with escape sequences.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push('\t'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_controls_but_tab() {
        assert_eq!(printable("plain\ttext"), "plain\ttext");
        assert_eq!(
            printable("a\n::error title=x::y\r\u{1b}[2J\u{85}"),
            "a\\n::error title=x::y\\r\\u{1b}[2J\\u{85}"
        );
    }

    #[test]
    fn diagnostics_print_data_inert() {
        let d = Diagnostic::error(Path::new("a\nb.yaml"), Some((1, 3)), "unknown key `x\n::error::y`");
        let text = d.render(Some("x\u{1b}]0;t\u{7}: 1\n"));
        assert_eq!(
            text,
            "error: unknown key `x\\n::error::y`\n  --> a\\nb.yaml:1:3\n  |\n1 | x\\u{1b}]0;t\\u{7}: 1\n  |   ^\n"
        );
        assert!(!text.lines().any(|l| l.starts_with("::")));
    }
}
