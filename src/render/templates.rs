//! Built-in templates (embedded in the binary) and user overrides.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::load::manifest::io_reason;

/// The built-in templates, by name. A user's template directory overrides them by name.
pub const BUILTINS: &[(&str, &str)] = &[
    ("report.md", include_str!("../../templates/report.md")),
    ("summary.md", include_str!("../../templates/summary.md")),
    ("partials/results.md", include_str!("../../templates/partials/results.md")),
    ("partials/history.md", include_str!("../../templates/partials/history.md")),
];

/// The template rendered for a data directory when none is named.
pub const DEFAULT_TEMPLATE: &str = "report.md";
/// The template rendered for result files without manifests (zero-config mode).
pub const SUMMARY_TEMPLATE: &str = "summary.md";

/// Template sources by name, with where each came from (for error messages).
#[derive(Debug, Clone, Default)]
pub struct TemplateSet {
    pub sources: BTreeMap<String, Source>,
}

/// One template's text and origin.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: String,
    /// `None` for a built-in.
    pub path: Option<PathBuf>,
}

impl TemplateSet {
    /// The built-ins only.
    pub fn builtin() -> Self {
        let sources = BUILTINS
            .iter()
            .map(|(name, text)| ((*name).to_string(), Source { text: (*text).to_string(), path: None }))
            .collect();
        Self { sources }
    }

    /// Adds (or overrides) every file below `dir`, named by its path relative to `dir`.
    ///
    /// # Errors
    /// A directory or file that cannot be read, or a template that is not UTF-8.
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), Error> {
        let mut files = Vec::new();
        walk(dir, &mut files)?;
        files.sort();
        for file in files {
            let rel = file.strip_prefix(dir).unwrap_or(&file);
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            self.add_file(name, &file)?;
        }
        Ok(())
    }

    /// Adds one template file under `name`.
    ///
    /// # Errors
    /// The file cannot be read or is not UTF-8.
    pub fn add_file(&mut self, name: String, file: &Path) -> Result<(), Error> {
        let text = read_template(file)?;
        self.sources.insert(name, Source { text, path: Some(file.to_path_buf()) });
        Ok(())
    }

    /// Where the template `name` came from, for messages.
    pub fn origin(&self, name: &str) -> String {
        match self.sources.get(name).and_then(|s| s.path.as_ref()) {
            Some(p) => p.display().to_string(),
            None => format!("{name} (built-in)"),
        }
    }
}

fn read_template(file: &Path) -> Result<String, Error> {
    let bytes = fs::read(file)
        .map_err(|e| Error::Usage(format!("cannot read template `{}`: {}", file.display(), io_reason(&e))))?;
    String::from_utf8(bytes)
        .map_err(|_| Error::Usage(format!("template `{}` is not valid UTF-8", file.display())))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let entries = fs::read_dir(dir).map_err(|e| {
        Error::Usage(format!("cannot read template directory `{}`: {}", dir.display(), io_reason(&e)))
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(ft) if ft.is_dir() => walk(&path, out)?,
            Ok(_) if path.is_file() => out.push(path),
            _ => {}
        }
    }
    Ok(())
}
