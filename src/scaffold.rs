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
/// # Errors
/// A file that exists already, or one that cannot be written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let schema = |kind| {
        let mut s = serde_json::to_string_pretty(&crate::schema::schema(kind)).unwrap_or_default();
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
        if p.exists() {
            return Err(Error::Usage(format!("`{}` exists already: init never overwrites", p.display())));
        }
    }
    for (p, text) in &files {
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|source| Error::Output { path: parent.to_path_buf(), source })?;
        }
        crate::output::write_new(p, text.as_bytes())?;
    }
    Ok(files.into_iter().map(|(p, _)| p).collect())
}
