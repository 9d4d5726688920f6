//! Free-form reports (`--data PATH… --template FILE`): any YAML or JSON data, a template,
//! figures computed by the template's filters, and the test report's guarantees — schema
//! validation with positions, the typed-figure lint, `--check`, atomic writes.
//!
//! This module is the free-form **load** stage and the context its templates receive; `lib.rs`
//! runs it through the same measure, compute, render and emit stages as test reports.

use std::path::PathBuf;

use serde::Serialize;

pub(crate) mod data;
pub(crate) mod lint;
pub(crate) mod run;
#[cfg(feature = "schema")]
pub(crate) mod schema_check;
#[cfg(not(feature = "schema"))]
#[path = "schema_without.rs"]
pub(crate) mod schema_check;

use self::data::Data;
use crate::error::{Diagnostic, Error};
use crate::render::TemplateSet;
use crate::{OptionsView, model};

/// What the free-form load stage read.
#[derive(Debug)]
pub struct Loaded {
    pub data: Data,
    /// The `--schema` file, when one was given (the data satisfied it).
    pub schema: Option<PathBuf>,
    /// Files in data folders that are not data, and figures typed into the data or the
    /// templates.
    pub warnings: Vec<Diagnostic>,
}

/// Reads the `--data` paths, checks them against `schema`, and lints the data's strings and the
/// literal text of the user's templates in `set`.
///
/// # Errors
/// Every unreadable or invalid data file, or every schema violation (not both: data that does
/// not parse is not checked against the schema).
pub fn load(paths: &[PathBuf], schema: Option<&std::path::Path>, set: &TemplateSet) -> Result<Loaded, Error> {
    // The schema first: a broken schema is reported even when the data is fine.
    let schema = match schema {
        Some(file) => Some(schema_check::load(file).map_err(Error::Input)?),
        None => None,
    };
    let data = data::load(paths).map_err(Error::Input)?;
    if let Some(s) = &schema {
        let violations = s.check(&data);
        if !violations.is_empty() {
            return Err(Error::Input(violations));
        }
    }
    let mut warnings = data.warnings.clone();
    let counts = lint::DataCounts::for_data(&data);
    warnings.extend(lint::data(&data, &counts));
    for source in set.sources.values() {
        // Built-in templates are ours; the user's are linted like their data.
        if let Some(path) = &source.path {
            warnings.extend(lint::template(path, &source.text, &counts));
        }
    }
    Ok(Loaded { data, schema: schema.map(|s| s.file().to_path_buf()), warnings })
}

/// What a free-form template receives (and `gen-report context --data …` prints).
#[derive(Serialize)]
pub struct Context<'a> {
    /// The data tree.
    pub data: &'a data::Value,
    /// The report's date: `--date`, else `SOURCE_DATE_EPOCH`, else null.
    pub date: Option<String>,
    /// The test model of `--results` (as in zero-config mode), else null.
    pub tests: Option<&'a model::Report>,
    pub options: OptionsView,
}

/// One key of a template context, for the template reference (docs/templates.md).
pub struct Key {
    pub name: &'static str,
    pub kind: &'static str,
    pub meaning: &'static str,
}

const fn key(name: &'static str, kind: &'static str, meaning: &'static str) -> Key {
    Key { name, kind, meaning }
}

/// The top-level keys of a free-form template's context: [`Context`]'s fields.
pub const FREEFORM_KEYS: &[Key] = &[
    key(
        "data",
        "any",
        "the `--data` tree: one file is its content, one folder a map of its files (by stem) and subfolders; several paths merge into one map",
    ),
    key("date", "text or null", "`--date`, else `SOURCE_DATE_EPOCH` (UTC), else null — never the clock"),
    key(
        "tests",
        "map or null",
        "with `--results`: the test model of those files, as the default mode's top level has it (`tests.totals`, `tests.results`, `tests.findings`, …); else null",
    ),
    key("options", "map", "`options.ascii`: `--ascii` was given"),
];

/// The top-level keys of a test report's context: the model's fields, `manifests` and
/// `options` (see `TemplateContext` in `lib.rs`).
pub const DEFAULT_KEYS: &[Key] = &[
    key("schema_version", "number", "version of this shape (also in `--format json`)"),
    key("title", "text", "`title` of report.yaml (\"Test results\" in zero-config mode)"),
    key("date", "text or null", "`--date`, else `date:` of report.yaml, else `SOURCE_DATE_EPOCH`, else null"),
    key("objective", "text or null", "from report.yaml"),
    key("duration", "text or null", "from report.yaml"),
    key("author", "text or null", "from report.yaml"),
    key("currency", "text", "ISO code of every amount (`USD` by default)"),
    key(
        "totals",
        "map",
        "every total: tests, target, percent, met, value, verdict, measured figures, conditions",
    ),
    key("categories", "list", "per category: figures, status, stages, evidence, failed cases"),
    key("stage_names", "list", "every declared stage, in first-declared order"),
    key("findings", "list", "disagreements between claims and evidence"),
    key(
        "results",
        "map or null",
        "what the result files said: files, suites, all cases, uncategorised; null without results",
    ),
    key("baseline", "map or null", "deltas against `--baseline`; null without one"),
    key(
        "unverified_claims",
        "list",
        "narrative claims the computed state contradicts: text, claim, kind, reasons, file, line, column",
    ),
    key("unverified", "map", "each contradicted narrative sentence → why (for marking it in the template)"),
    key(
        "history",
        "map or null",
        "trends and per-test lists across the runs of `--history`; null without it",
    ),
    key(
        "manifests",
        "map",
        "the manifests as read: `manifests.report`, `manifests.categories[]`, with `extra`",
    ),
    key("options", "map", "`options.ascii`: `--ascii` was given"),
];

/// The template reference (docs/templates.md): both contexts and the computing filters, generated from
/// the tables above and [`crate::render::compute::REFERENCE`].
pub fn reference_markdown() -> String {
    let mut s = String::new();
    s.push_str(
        "Free-form templates (`--data`) receive:\n\n| key | type | meaning |\n|-----|------|---------|\n",
    );
    for k in FREEFORM_KEYS {
        s.push_str(&format!("| `{}` | {} | {} |\n", k.name, k.kind, k.meaning));
    }
    s.push_str("\nTest-report templates (a data directory, or result files) receive:\n\n");
    s.push_str("| key | type | meaning |\n|-----|------|---------|\n");
    for k in DEFAULT_KEYS {
        s.push_str(&format!("| `{}` | {} | {} |\n", k.name, k.kind, k.meaning));
    }
    s.push_str("\nFilters that compute (in both modes; each example runs in the tests, on `items` = ");
    s.push_str("`[{name: a, team: web, cost: 1000}, {name: b, team: db, cost: 250}, {name: c, team: web, cost: 0.5}]`):\n\n");
    s.push_str("| filter | computes | example | output |\n|--------|----------|---------|--------|\n");
    for (name, what, example, output) in crate::render::compute::REFERENCE {
        let cell = |t: &str| t.replace('|', "\\|");
        s.push_str(&format!("| `{name}` | {} | `{}` | `{}` |\n", cell(what), cell(example), cell(output)));
    }
    s
}
