//! Diagnostics on stderr: warnings, findings, history notes, and errors as messages
//! ([`describe`]).

use std::io::Write;
use std::path::PathBuf;

use crate::error::{self, Diagnostic, Error};
use crate::load::manifest;
use crate::model;

/// The history files that were not used, as warnings (the History section lists them too).
pub(crate) fn print_history_notes(err: &mut dyn Write, report: &model::Report) {
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

pub(crate) fn print_findings(err: &mut dyn Write, report: &model::Report) {
    for f in &report.findings {
        let at = match (&f.file, f.line) {
            (Some(file), Some(line)) => format!(" ({file}:{line})"),
            (Some(file), None) => format!(" ({file})"),
            _ => String::new(),
        };
        let _ = writeln!(err, "finding: {}{}", error::printable(&f.message), error::printable(&at));
    }
}

pub(crate) fn print_diagnostics(err: &mut dyn Write, diags: &[Diagnostic]) {
    let mut sources = Sources::default();
    for d in diags {
        let _ = write!(err, "{}", sources.render(d));
    }
}

/// Source lines for diagnostics: the file of the last diagnostic, read once and indexed by line,
/// so many diagnostics in one big file print in linear time (and one file at a time is held).
#[derive(Default)]
pub(crate) struct Sources {
    pub(crate) file: Option<PathBuf>,
    /// The text and the byte offset of each line's start.
    pub(crate) text: Option<(String, Vec<usize>)>,
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

/// `msg` without the trailing ` (os error N)` std adds to system errors: the code means
/// nothing to a user, the words before it say it all.
fn without_os_code(msg: &str) -> String {
    match msg.rfind(" (os error ") {
        Some(i) if msg.ends_with(')') => msg[..i].to_string(),
        _ => msg.to_string(),
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
                s.push_str(&format!(": {}", error::printable(&without_os_code(&cause.to_string()))));
                source = cause.source();
            }
            s.push_str("; nothing was written\n");
            s
        }
    }
}
