//! `gen-report init`: a starter data directory that renders as is.

use std::path::{Path, PathBuf};

use crate::error::Error;

const REPORT: &str = r#"# yaml-language-server: $schema=schema/report.json
# The report. Narrative holds words only: every figure is computed from categories/.
title: Integration Test Report
date: 2026-01-01
objective: What this test suite sets out to cover.
author: Your team
currency: USD
value_target: 100000

achievements:
  - title: What went well
    points:
      - Describe it in words; the report computes the figures.

next_steps:
  immediate:
    - Run the suite in CI and pass its results with --results.
"#;

const API: &str = r#"# yaml-language-server: $schema=../schema/category.json
name: API
target: 20
tests: 12
location: tests/api
covers: [authentication, pagination]
value: 60000
status:
  collection: ok
  execution: not-run
"#;

const UI: &str = r#"# yaml-language-server: $schema=../schema/category.json
name: UI
target: 10
tests: 10
location: tests/ui
covers: [login form, dashboard]
value: 40000
status:
  collection: ok
  execution:
    state: issues
    note: two tests are flaky on slow machines
"#;

/// Creates `dir` with a report, two categories and the JSON Schemas; never overwrites.
///
/// All or nothing: every file is written to a temp file first, and only when all five are
/// written are they renamed into place; on any failure (a full disk, say) the files and
/// folders created so far are removed, so `init` can simply be run again.
///
/// # Errors
/// A file that exists already, or one that cannot be written.
pub(crate) fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let schema = |kind| {
        let mut s = serde_json::to_string_pretty(&crate::commands::schema::schema(kind)).unwrap_or_default();
        s.push('\n');
        s
    };
    let files: Vec<(PathBuf, String)> = vec![
        (dir.join("report.yaml"), REPORT.to_string()),
        (dir.join("categories/api.yaml"), API.to_string()),
        (dir.join("categories/ui.yaml"), UI.to_string()),
        (dir.join("schema/report.json"), schema(crate::SchemaKind::Report)),
        (dir.join("schema/category.json"), schema(crate::SchemaKind::Category)),
    ];
    // Check everything first, so a refusal leaves nothing half-created.
    for (p, _) in &files {
        if p.symlink_metadata().is_ok() {
            return Err(Error::Usage(format!("`{}` exists already: init never overwrites", p.display())));
        }
    }
    let mut made = Made::default();
    let result = write_all(&files, &mut made);
    if result.is_err() {
        made.undo();
    }
    result.map(|()| files.into_iter().map(|(p, _)| p).collect())
}

/// What `init` created, to be removed again when it fails.
#[derive(Default)]
struct Made {
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

impl Made {
    fn undo(self) {
        for f in self.files.iter().rev() {
            let _ = std::fs::remove_file(f);
        }
        // Innermost first; a folder that is not empty (someone else's file) stays.
        for d in self.dirs.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

fn write_all(files: &[(PathBuf, String)], made: &mut Made) -> Result<(), Error> {
    for (p, _) in files {
        if let Some(parent) = p.parent() {
            create_dirs(parent, made)?;
        }
    }
    let mut staged = Vec::with_capacity(files.len());
    for (p, text) in files {
        staged.push(crate::emit::output::stage_new(p, text.as_bytes())?);
    }
    for pending in staged {
        let path = pending.path().to_path_buf();
        pending.commit(&mut std::io::sink())?;
        made.files.push(path);
    }
    Ok(())
}

/// Creates `dir` and its missing parents, recording each one created.
fn create_dirs(dir: &Path, made: &mut Made) -> Result<(), Error> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dirs(parent, made)?;
    }
    match std::fs::create_dir(dir) {
        Ok(()) => {
            made.dirs.push(dir.to_path_buf());
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(source) => Err(Error::Output { path: dir.to_path_buf(), source }),
    }
}
