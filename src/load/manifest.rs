//! Loading the YAML manifests of a data directory into validated types.
//!
//! `report.yaml` describes the report; `categories/**/*.{yaml,yml}` hold one category each.
//! Every file is read and every problem collected before failing, so `check` lists them all.
//! Only this module (and `results`) read input.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::error::Diagnostic;
use crate::load::narrative::NarrativeText;
use crate::load::yaml;

/// Name of the report manifest at the root of a data directory.
pub const REPORT_FILE: &str = "report.yaml";
/// Folder of category manifests inside a data directory.
pub const CATEGORIES_DIR: &str = "categories";

/// Free-form user fields passed through to templates untouched.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// Everything read from a data directory.
#[derive(Debug, Clone, Serialize)]
pub struct Manifests {
    pub report: ReportManifest,
    /// Categories in the sorted order of their file paths.
    pub categories: Vec<Category>,
    /// Non-fatal problems (figures typed into narrative, ignored files).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
    /// The narrative strings of `report.yaml` with their positions, for the claims lint (which
    /// needs the computed model, so runs after loading).
    #[serde(skip)]
    pub narrative: Vec<NarrativeText>,
}

/// `report.yaml`: what the report is about, and its narrative (words only).
#[derive(Debug, Clone, Serialize)]
pub struct ReportManifest {
    pub file: PathBuf,
    pub title: String,
    pub date: Option<chrono::NaiveDate>,
    pub objective: Option<String>,
    pub target: Option<u64>,
    pub duration: Option<String>,
    pub author: Option<String>,
    pub currency: String,
    pub value_target: Option<f64>,
    pub achievements: Vec<Section>,
    pub process: Vec<String>,
    pub quality_standards: Vec<Standard>,
    pub highlights: Vec<Section>,
    /// Further narrative sections (e.g. "Stability Maintenance", "Key Success Factors"), shown
    /// as the team's statements after the highlights.
    pub sections: Vec<Section>,
    pub next_steps: NextSteps,
    pub final_remarks: Vec<String>,
    pub extra: Extra,
    /// `failure_categories:`, in declared order (the first that matches a failure wins).
    pub failure_categories: Vec<crate::load::categories::FailureCategory>,
}

/// A titled group of narrative points.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    pub title: String,
    pub points: Vec<String>,
}

/// A quality standard and how it is implemented (a claim: shown without a status).
#[derive(Debug, Clone, Serialize)]
pub struct Standard {
    pub name: String,
    pub implementation: String,
}

/// Next steps grouped by horizon.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NextSteps {
    pub immediate: Vec<String>,
    pub medium_term: Vec<String>,
    pub long_term: Vec<String>,
}

/// One category of tests, from `categories/<slug>.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct Category {
    /// File path relative to `categories/`, without extension (`auth`, `backend/api`).
    pub slug: String,
    pub file: PathBuf,
    pub name: String,
    pub target: u64,
    /// Declared number of tests (a claim; results, when given, are the evidence).
    pub tests: u64,
    pub location: Option<String>,
    pub covers: Vec<String>,
    pub value: f64,
    /// Stages in the order they were declared.
    pub status: Vec<Stage>,
    /// Path or glob of result files, relative to the manifest.
    pub results: Option<String>,
    /// Line and column of `results:`'s value, for errors about it.
    #[serde(skip)]
    pub results_at: Option<(u64, u64)>,
    pub extra: Extra,
}

/// One declared stage status (`collection: ok`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub stage: String,
    pub state: StageState,
    pub note: Option<String>,
}

/// A stage's declared state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageState {
    Ok,
    Issues,
    Failed,
    NotRun,
}

impl StageState {
    /// The state as written in manifests (`not-run`).
    pub fn name(self) -> &'static str {
        match self {
            StageState::Ok => "ok",
            StageState::Issues => "issues",
            StageState::Failed => "failed",
            StageState::NotRun => "not-run",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Raw serde types: exactly the YAML shape, with spans where later checks need a position.

/// Keys of `report.yaml`, with what each expects (for messages).
pub(crate) const REPORT_FIELDS: &[(&str, &str)] = &[
    ("title", "text"),
    ("date", "a date as YYYY-MM-DD"),
    ("objective", "text"),
    ("target", "a whole number"),
    ("duration", "text"),
    ("author", "text"),
    ("currency", "a three-letter ISO code"),
    ("value_target", "an amount"),
    ("achievements", "a list of {title, points}"),
    ("process", "a list of text"),
    ("quality_standards", "a list of {name, implementation}"),
    ("highlights", "a list of {title, points}"),
    ("sections", "a list of {title, points}"),
    ("next_steps", "a map of immediate, medium_term, long_term"),
    ("final_remarks", "a list of text"),
    ("extra", "a map"),
    ("failure_categories", "a list of {name, message, trace}"),
    ("points", "a list of text"),
    ("name", "text"),
    ("implementation", "text"),
    ("immediate", "a list of text"),
    ("medium_term", "a list of text"),
    ("long_term", "a list of text"),
    ("message", "a regex"),
    ("trace", "a regex"),
];

/// Keys of a category manifest, with what each expects (for messages).
pub(crate) const CATEGORY_FIELDS: &[(&str, &str)] = &[
    ("name", "text"),
    ("target", "a whole number"),
    ("tests", "a whole number"),
    ("location", "text"),
    ("covers", "a list of text"),
    ("value", "an amount"),
    ("status", "a map of stage to ok, issues, failed or not-run"),
    ("results", "a path or glob"),
    ("extra", "a map"),
    ("state", "one of ok, issues, failed, not-run"),
    ("note", "text"),
];

type Text = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    title: String,
    date: Option<Spanned<String>>,
    objective: Option<Text>,
    target: Option<u64>,
    duration: Option<String>,
    author: Option<String>,
    currency: Option<Spanned<String>>,
    value_target: Option<Spanned<f64>>,
    #[serde(default)]
    achievements: Vec<RawSection>,
    #[serde(default)]
    process: Vec<Text>,
    #[serde(default)]
    quality_standards: Vec<RawStandard>,
    #[serde(default)]
    highlights: Vec<RawSection>,
    #[serde(default)]
    sections: Vec<RawSection>,
    #[serde(default)]
    next_steps: RawNextSteps,
    #[serde(default)]
    final_remarks: Vec<Text>,
    #[serde(default)]
    extra: RawExtra,
    #[serde(default)]
    failure_categories: Vec<RawFailureCategory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFailureCategory {
    name: Spanned<String>,
    message: Option<Spanned<String>>,
    trace: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    title: Text,
    #[serde(default)]
    points: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStandard {
    name: Text,
    implementation: Text,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNextSteps {
    #[serde(default)]
    immediate: Vec<Text>,
    #[serde(default)]
    medium_term: Vec<Text>,
    #[serde(default)]
    long_term: Vec<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    name: Spanned<String>,
    target: u64,
    tests: u64,
    location: Option<String>,
    #[serde(default)]
    covers: Vec<Text>,
    value: Option<Spanned<f64>>,
    #[serde(default)]
    status: RawStatus,
    results: Option<Spanned<String>>,
    #[serde(default)]
    extra: RawExtra,
}

/// `extra:` as read, with the position of each top-level value, so that the fields the built-in
/// templates read can be checked and blamed on their line.
#[derive(Default)]
struct RawExtra {
    map: Extra,
    positions: BTreeMap<String, (u64, u64)>,
}

impl<'de> Deserialize<'de> for RawExtra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawExtra;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawExtra, A::Error> {
                let mut out = RawExtra::default();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<Spanned<serde_json::Value>>()?;
                    out.positions.insert(key.clone(), pos(&value));
                    out.map.insert(key, value.value);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

/// What the built-in templates read from `extra`, and what each must be.
#[derive(Clone, Copy)]
enum ExtraField {
    /// `report.yaml`'s `extra.charts`: whether the statistics chart is drawn.
    Boolean,
    /// A category's `extra.protects`: what it protects, listed under Business Impact.
    ListOfText,
}

/// Checks `extra.<key>` against what the built-in templates expect of it.
fn check_extra(extra: &RawExtra, key: &str, kind: ExtraField, file: &Path, errors: &mut Vec<Diagnostic>) {
    let Some(value) = extra.map.get(key) else { return };
    let found = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "nothing (null)".to_string(),
        serde_json::Value::Bool(b) => format!("`{b}`"),
        serde_json::Value::Number(n) => format!("the number {n}"),
        serde_json::Value::String(t) => format!("the text {t:?}"),
        serde_json::Value::Array(_) => "a list".to_string(),
        serde_json::Value::Object(_) => "a map".to_string(),
    };
    let problem = match (kind, value) {
        (ExtraField::Boolean, serde_json::Value::Bool(_)) => None,
        (ExtraField::Boolean, v) => Some(format!("expected true or false, found {}", found(v))),
        (ExtraField::ListOfText, serde_json::Value::Array(items)) => items
            .iter()
            .position(|i| !i.is_string())
            .map(|at| format!("expected a list of text, but item {} is {}", at + 1, found(&items[at]))),
        (ExtraField::ListOfText, serde_json::Value::String(t)) => {
            Some(format!("expected a list of text, found the text {t:?}: write it as a list, [{t:?}]"))
        }
        (ExtraField::ListOfText, v) => Some(format!("expected a list of text, found {}", found(v))),
    };
    if let Some(p) = problem {
        errors.push(Diagnostic::error(
            file,
            extra.positions.get(key).copied(),
            format!("invalid `extra.{key}` (read by the built-in templates): {p}"),
        ));
    }
}

/// `status:` keeps the declared stage order, which a `BTreeMap` would lose.
#[derive(Default)]
struct RawStatus(Vec<(String, RawStage)>);

/// A stage is `ok` or `{ state: ok, note: "..." }`.
struct RawStage {
    state: StageState,
    note: Option<String>,
}

impl<'de> Deserialize<'de> for RawStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawStatus;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of stage name to ok, issues, failed or not-run")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawStatus, A::Error> {
                let mut out: Vec<(String, RawStage)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, RawStage>()? {
                    out.push((k, v));
                }
                Ok(RawStatus(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for RawStage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawStage;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("one of ok, issues, failed, not-run, or a map with `state` and `note`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawStage, E> {
                Ok(RawStage { state: parse_state(s)?, note: None })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawStage, A::Error> {
                let mut state = None;
                let mut note = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "state" => state = Some(parse_state::<A::Error>(&map.next_value::<String>()?)?),
                        "note" => note = Some(map.next_value::<String>()?),
                        other => return Err(de::Error::unknown_field(other, &["state", "note"])),
                    }
                }
                let state = state.ok_or_else(|| de::Error::missing_field("state"))?;
                Ok(RawStage { state, note })
            }
        }
        d.deserialize_any(V)
    }
}

fn parse_state<E: de::Error>(s: &str) -> Result<StageState, E> {
    match s {
        "ok" => Ok(StageState::Ok),
        "issues" => Ok(StageState::Issues),
        "failed" => Ok(StageState::Failed),
        "not-run" => Ok(StageState::NotRun),
        other => Err(de::Error::unknown_variant(other, &["ok", "issues", "failed", "not-run"])),
    }
}

// ---------------------------------------------------------------------------------------------

/// Loads and validates every manifest under `root`.
///
/// # Errors
/// Every problem found in every file, as diagnostics (the caller fails with all of them).
pub fn load_dir(root: &Path) -> Result<Manifests, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut narrative = Vec::new();

    let meta = fs::metadata(root).map_err(|e| {
        vec![Diagnostic::error(root, None, format!("cannot read the data directory: {}", io_reason(&e)))]
    })?;
    if !meta.is_dir() {
        return Err(vec![Diagnostic::error(root, None, "expected a data directory")]);
    }

    let report = load_report(&root.join(REPORT_FILE), &mut errors, &mut warnings, &mut narrative);

    let mut files = Vec::new();
    let cat_dir = root.join(CATEGORIES_DIR);
    if cat_dir.is_dir() {
        collect_yaml(&cat_dir, &mut files, &mut errors, &mut warnings);
    }
    sort_paths(&mut files);
    warn_stray_yaml(root, &mut warnings, &mut errors);
    if files.is_empty() {
        warnings.push(Diagnostic::warning(
            &cat_dir,
            None,
            format!("no category manifests found: expected `{CATEGORIES_DIR}/<slug>.yaml` files"),
        ));
    }
    let categories = load_categories(&cat_dir, &files, &mut errors, &mut warnings);

    match report {
        Some(report) if errors.is_empty() => Ok(Manifests { report, categories, warnings, narrative }),
        _ => Err(errors),
    }
}

/// Reads and validates report.yaml; `None` (with the problems in `errors`) when it is unusable.
fn load_report(
    report_path: &Path,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
    narrative: &mut Vec<NarrativeText>,
) -> Option<ReportManifest> {
    let text = match read_text(report_path) {
        Ok(text) => text,
        Err(d) => {
            errors.push(d);
            return None;
        }
    };
    match yaml::parse::<RawReport>(&text, REPORT_FIELDS) {
        Ok(raw) => {
            let mut read = ReportReader { file: report_path, source: &text, errors, warnings, narrative };
            validate_report(raw, &mut read)
        }
        Err(e) => {
            errors.push(e.at(report_path));
            None
        }
    }
}

/// Reads every category file (on all cores), then validates them in the sorted order of
/// `files`, so that duplicates are blamed on the later file and output stays deterministic.
fn load_categories(
    cat_dir: &Path,
    files: &[PathBuf],
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Category> {
    use rayon::prelude::*;
    let parsed: Vec<Result<RawCategory, Diagnostic>> = files
        .par_iter()
        .map(|file| {
            let text = read_text(file)?;
            yaml::parse::<RawCategory>(&text, CATEGORY_FIELDS).map_err(|e| e.at(file))
        })
        .collect();
    let mut categories: Vec<Category> = Vec::new();
    let mut by_name: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut by_slug: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (file, parsed) in files.iter().zip(parsed) {
        let raw = match parsed {
            Ok(raw) => raw,
            Err(d) => {
                errors.push(d);
                continue;
            }
        };
        let slug = slug_of(cat_dir, file);
        if let Some(first) = by_slug.get(&slug) {
            errors.push(Diagnostic::error(
                file,
                None,
                format!("category `{slug}` is defined twice: here and in `{}`", first.display()),
            ));
            continue;
        }
        by_slug.insert(slug.clone(), file.clone());
        let name_pos = pos(&raw.name);
        let key = raw.name.value.trim().to_lowercase();
        if let Some(first) = by_name.get(&key) {
            errors.push(Diagnostic::error(
                file,
                Some(name_pos),
                format!("category `{}` is defined twice: here and in `{}`", raw.name.value, first.display()),
            ));
            continue;
        }
        by_name.insert(key, file.clone());
        if let Some(c) = validate_category(raw, slug, file, errors, warnings) {
            categories.push(c);
        }
    }
    categories
}

/// Parses and validates the text of one category manifest as if read from `file` (its slug is
/// the file stem). For tools and fuzzing; [`load_dir`] is the way to read a data directory.
///
/// # Errors
/// Every problem found, as diagnostics naming `file`.
pub fn parse_category_str(text: &str, file: &Path) -> Result<Category, Vec<Diagnostic>> {
    let raw = yaml::parse::<RawCategory>(text, CATEGORY_FIELDS).map_err(|e| vec![e.at(file)])?;
    let slug = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    validate_category(raw, slug, file, &mut errors, &mut warnings).ok_or(errors)
}

/// Parses and validates the text of a `report.yaml` as if read from `file`. For tools and
/// fuzzing; [`load_dir`] is the way to read a data directory.
///
/// # Errors
/// Every problem found, as diagnostics naming `file`.
pub fn parse_report_str(text: &str, file: &Path) -> Result<ReportManifest, Vec<Diagnostic>> {
    let raw = yaml::parse::<RawReport>(text, REPORT_FIELDS).map_err(|e| vec![e.at(file)])?;
    let (mut errors, mut warnings, mut narrative) = (Vec::new(), Vec::new(), Vec::new());
    let mut read = ReportReader {
        file,
        source: text,
        errors: &mut errors,
        warnings: &mut warnings,
        narrative: &mut narrative,
    };
    validate_report(raw, &mut read).ok_or(errors)
}

impl Manifests {
    /// No manifests: zero-config mode, where result files are summarised on their own.
    pub fn results_only() -> Self {
        Manifests {
            report: ReportManifest {
                file: PathBuf::new(),
                title: "Test results".into(),
                date: None,
                objective: None,
                target: None,
                duration: None,
                author: None,
                currency: "USD".into(),
                value_target: None,
                achievements: Vec::new(),
                process: Vec::new(),
                quality_standards: Vec::new(),
                highlights: Vec::new(),
                sections: Vec::new(),
                next_steps: NextSteps::default(),
                final_remarks: Vec::new(),
                extra: Extra::new(),
                failure_categories: Vec::new(),
            },
            categories: Vec::new(),
            warnings: Vec::new(),
            narrative: Vec::new(),
        }
    }
}

/// What validating `report.yaml` reads from and adds to.
struct ReportReader<'a> {
    file: &'a Path,
    /// The manifest's text, for exact positions inside narrative strings.
    source: &'a str,
    errors: &'a mut Vec<Diagnostic>,
    warnings: &'a mut Vec<Diagnostic>,
    narrative: &'a mut Vec<NarrativeText>,
}

impl ReportReader<'_> {
    /// Keeps a narrative string with its position, after warning about typed figures.
    fn narrative(&mut self, t: Text, field: &'static str) -> String {
        warn_figures(&t, self.file, self.warnings);
        let (line, column) = pos(&t);
        let span = t.referenced.span();
        let written = span
            .byte_offset()
            .zip(span.byte_len())
            .and_then(|(o, l)| self.source.get(usize::try_from(o).ok()?..usize::try_from(o + l).ok()?));
        // Exact positions inside the text only when it is written as read, on one line.
        let text_column = written.filter(|_| !t.value.contains(['\n', '\r'])).and_then(|w| {
            let quoted = w.len() == t.value.len() + 2
                && ((w.starts_with('"') && w.ends_with('"')) || (w.starts_with('\'') && w.ends_with('\'')));
            if w == t.value {
                Some(column)
            } else if quoted && w.get(1..w.len() - 1) == Some(t.value.as_str()) {
                Some(column + 1)
            } else {
                None
            }
        });
        self.narrative.push(NarrativeText {
            text: t.value.clone(),
            field,
            file: self.file.to_path_buf(),
            line,
            column,
            text_column,
        });
        t.value
    }
}

/// `date:` as a date, or an error at its position.
fn report_date(d: &Spanned<String>, file: &Path, errors: &mut Vec<Diagnostic>) -> Option<chrono::NaiveDate> {
    match check_date(&d.value) {
        Ok(date) => Some(date),
        Err(why) => {
            errors.push(Diagnostic::error(
                file,
                Some(pos(d)),
                format!("invalid `date` {:?}: {why}", d.value),
            ));
            None
        }
    }
}

/// `currency:` as a three-letter code, or an error at its position (and an empty code).
fn currency(c: &Spanned<String>, file: &Path, errors: &mut Vec<Diagnostic>) -> String {
    let code = c.value.trim();
    if code.len() == 3 && code.chars().all(|ch| ch.is_ascii_uppercase()) {
        return code.to_string();
    }
    errors.push(Diagnostic::error(
        file,
        Some(pos(c)),
        format!("invalid `currency` {:?}: expected a three-letter ISO code such as USD or EUR", c.value),
    ));
    String::new()
}

/// `value_target:` as an amount; `None` (with an error at its position) when unusable.
fn value_target(v: &Spanned<f64>, file: &Path, errors: &mut Vec<Diagnostic>) -> Option<f64> {
    // The ratio divides by it: below a cent it would print absurd or infinite figures.
    if v.value > 0.0 && v.value < MIN_VALUE_TARGET {
        errors.push(Diagnostic::error(
            file,
            Some(pos(v)),
            format!(
                "invalid `value_target` {}: expected 0 (no target) or an amount of at least {MIN_VALUE_TARGET} (one cent)",
                shown(v.value)
            ),
        ));
        return None;
    }
    check_amount(v, "value_target", file, errors)
}

fn validate_report(raw: RawReport, read: &mut ReportReader) -> Option<ReportManifest> {
    let file = read.file;
    let errors = &mut *read.errors;
    let before = errors.len();
    let date = raw.date.and_then(|d| report_date(&d, file, errors));
    let currency = raw.currency.map_or_else(|| "USD".to_string(), |c| currency(&c, file, errors));
    let value_target = raw.value_target.map(|v| value_target(&v, file, errors));
    check_extra(&raw.extra, "charts", ExtraField::Boolean, file, errors);
    let failure_categories = failure_categories(raw.failure_categories, file, errors);
    let failed = errors.len() > before;

    let mut texts = |items: Vec<Text>, field: &'static str| -> Vec<String> {
        items.into_iter().map(|t| read.narrative(t, field)).collect()
    };
    let objective = raw.objective.map(|t| texts(vec![t], "objective").remove(0));
    let process = texts(raw.process, "process");
    let final_remarks = texts(raw.final_remarks, "final_remarks");
    let next_steps = NextSteps {
        immediate: texts(raw.next_steps.immediate, "next_steps"),
        medium_term: texts(raw.next_steps.medium_term, "next_steps"),
        long_term: texts(raw.next_steps.long_term, "next_steps"),
    };
    let quality_standards = raw
        .quality_standards
        .into_iter()
        .map(|s| {
            let mut v = texts(vec![s.name, s.implementation], "quality_standards");
            let implementation = v.pop().unwrap_or_default();
            let name = v.pop().unwrap_or_default();
            Standard { name, implementation }
        })
        .collect();
    let mut sections = |raw: Vec<RawSection>, field: &'static str| -> Vec<Section> {
        raw.into_iter()
            .map(|s| {
                let title = read.narrative(s.title, field);
                let points = s.points.into_iter().map(|p| read.narrative(p, field)).collect();
                Section { title, points }
            })
            .collect()
    };
    let achievements = sections(raw.achievements, "achievements");
    let highlights = sections(raw.highlights, "highlights");
    let extra_sections = sections(raw.sections, "sections");

    if failed {
        return None;
    }
    Some(ReportManifest {
        file: file.to_path_buf(),
        title: raw.title.trim().to_string(),
        date,
        objective,
        target: raw.target,
        duration: raw.duration,
        author: raw.author,
        currency,
        value_target: value_target.flatten(),
        achievements,
        process,
        quality_standards,
        highlights,
        sections: extra_sections,
        next_steps,
        final_remarks,
        extra: raw.extra.map,
        failure_categories,
    })
}

/// Validates `failure_categories:`: a unique name (not `uncategorised`, the name of failures
/// none matches) and at least one of `message` and `trace`, each a valid regex.
fn failure_categories(
    raw: Vec<RawFailureCategory>,
    file: &Path,
    errors: &mut Vec<Diagnostic>,
) -> Vec<crate::load::categories::FailureCategory> {
    use crate::load::categories::{FailureCategory, UNCATEGORISED, compile};
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for c in raw {
        let name = c.name.value.trim().to_string();
        let problem = if name.is_empty() {
            Some("an empty `failure_categories` name: expected text".to_string())
        } else if name.eq_ignore_ascii_case(UNCATEGORISED) {
            Some(format!("failure category {name:?}: the name is reserved for failures no category matches"))
        } else if !seen.insert(name.to_lowercase()) {
            Some(format!("failure category {name:?} is defined twice (names are case-insensitive)"))
        } else if c.message.is_none() && c.trace.is_none() {
            Some(format!(
                "failure category {name:?} has neither `message` nor `trace`: expected at least one regex"
            ))
        } else {
            None
        };
        if let Some(p) = problem {
            errors.push(Diagnostic::error(file, Some(pos(&c.name)), p));
            continue;
        }
        let mut regex = |r: Option<Spanned<String>>, key: &str| {
            let r = r?;
            compile(&r.value)
                .map_err(|e| {
                    errors.push(Diagnostic::error(
                        file,
                        Some(pos(&r)),
                        format!(
                            "invalid `{key}` regex of failure category {name:?}: {}",
                            crate::load::categories::regex_reason(&e)
                        ),
                    ));
                })
                .ok()
        };
        let (had_message, had_trace) = (c.message.is_some(), c.trace.is_some());
        let message = regex(c.message, "message");
        let trace = regex(c.trace, "trace");
        if message.is_some() == had_message && trace.is_some() == had_trace {
            out.push(FailureCategory { name, message, trace });
        }
    }
    out
}

fn validate_category(
    raw: RawCategory,
    slug: String,
    file: &Path,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) -> Option<Category> {
    let before = errors.len();
    if raw.name.value.trim().is_empty() {
        errors.push(Diagnostic::error(
            file,
            Some(pos(&raw.name)),
            "`name` is empty: expected the category's name",
        ));
    }
    let value = raw.value.and_then(|v| check_amount(&v, "value", file, errors)).unwrap_or(0.0);
    let covers = raw
        .covers
        .into_iter()
        .map(|t| {
            warn_figures(&t, file, warnings);
            t.value
        })
        .collect();
    let status =
        raw.status.0.into_iter().map(|(stage, s)| Stage { stage, state: s.state, note: s.note }).collect();
    check_extra(&raw.extra, "protects", ExtraField::ListOfText, file, errors);
    if errors.len() > before {
        return None;
    }
    Some(Category {
        slug,
        file: file.to_path_buf(),
        name: raw.name.value.trim().to_string(),
        target: raw.target,
        tests: raw.tests,
        location: raw.location,
        covers,
        value,
        status,
        results_at: raw.results.as_ref().map(pos),
        results: raw.results.map(|r| r.value),
        extra: raw.extra.map,
    })
}

/// Smallest non-zero `value_target`: one cent.
pub const MIN_VALUE_TARGET: f64 = 0.01;

/// A date written exactly `YYYY-MM-DD` (four-digit year, two-digit month and day), as the
/// manifests and `--date` take it; chrono alone would also take `2026-2-3` and `+12026-01-01`.
pub fn parse_date(s: &str) -> Option<chrono::NaiveDate> {
    check_date(s).ok()
}

/// [`parse_date`], or why `s` is not a date: the shape it must have, or, when it has that shape,
/// the part that does not exist ("month 13 does not exist"), since repeating "expected
/// YYYY-MM-DD" to someone who wrote that shape tells them nothing.
pub fn check_date(s: &str) -> Result<chrono::NaiveDate, String> {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err("expected a date as YYYY-MM-DD (four-digit year, two-digit month and day)".into());
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
    let (year, month, day) = (num(0..4), num(5..7), num(8..10));
    let Some(name) = month.checked_sub(1).and_then(|m| MONTHS.get(m as usize)) else {
        return Err(format!("month {month} does not exist: expected a month from 01 to 12"));
    };
    let days = (28..=31).rev().find(|&d| chrono::NaiveDate::from_ymd_opt(year as i32, month, d).is_some());
    match chrono::NaiveDate::from_ymd_opt(year as i32, month, day) {
        Some(date) => Ok(date),
        None => match days {
            Some(days) => Err(format!("day {day} does not exist: {name} {year} has {days} days")),
            None => Err(format!("year {year} is out of range")),
        },
    }
}

/// A money amount must be finite and not negative.
fn check_amount(v: &Spanned<f64>, field: &str, file: &Path, errors: &mut Vec<Diagnostic>) -> Option<f64> {
    if v.value.is_finite() && v.value >= 0.0 && v.value < 1e18 {
        Some(v.value)
    } else {
        errors.push(Diagnostic::error(
            file,
            Some(pos(v)),
            format!("invalid `{field}` {}: expected an amount from 0 to 10^18", shown(v.value)),
        ));
        None
    }
}

/// A number for a message: as written when of ordinary size, else in scientific notation (1e-300
/// and 1e300 would print three hundred digits).
fn shown(v: f64) -> String {
    if v == 0.0 || (1e-6..1e18).contains(&v.abs()) { format!("{v}") } else { format!("{v:e}") }
}

fn pos<T>(s: &Spanned<T>) -> (u64, u64) {
    (s.referenced.line(), s.referenced.column())
}

/// Warns when narrative text carries a figure the model should compute instead.
fn warn_figures(text: &Text, file: &Path, warnings: &mut Vec<Diagnostic>) {
    if let Some(found) = crate::load::narrative::typed_figure(&text.value) {
        warnings.push(Diagnostic::warning(
            file,
            Some(pos(text)),
            format!(
                "narrative text contains a typed {} ({:?}): figures in the report are computed from the data; say it in words or let the template show the computed figure",
                found.kind, found.text
            ),
        ));
    }
}

/// Largest manifest read, in bytes: real manifests are a few KB; this bounds time and memory.
pub const MAX_MANIFEST_BYTES: u64 = 10 * 1024 * 1024;

/// Reads a file as UTF-8 text, stripping a BOM.
///
/// Only regular files (or symlinks to them) are opened: a FIFO or device named like a manifest
/// would block or never end. Files larger than [`MAX_MANIFEST_BYTES`] are refused unread.
pub(crate) fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let cannot =
        |e: &std::io::Error| Diagnostic::error(path, None, format!("cannot read the file: {}", io_reason(e)));
    // One path lookup: open (never waiting, should it be a FIFO), then ask the open file what
    // it is. (10,000 manifests: a stat and an open each were a tenth of loading them.)
    let (f, meta) = match crate::load::open_regular(path).map_err(|e| cannot(&e))? {
        Ok(opened) => opened,
        Err(meta) => {
            let what =
                if meta.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
            return Err(Diagnostic::error(
                path,
                None,
                format!("cannot read the file: it is {what}; expected a regular file"),
            ));
        }
    };
    let too_big = |size: u64| {
        Diagnostic::error(
            path,
            None,
            format!(
                "the file is {size} bytes: expected a manifest of at most {MAX_MANIFEST_BYTES} bytes (10 MiB)"
            ),
        )
    };
    if meta.len() > MAX_MANIFEST_BYTES {
        return Err(too_big(meta.len()));
    }
    // Sized for the file and one more byte, so it is read in one call and the end seen in a
    // second; the file may grow between the check and the read: never read more than the limit.
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0).saturating_add(1));
    f.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut bytes).map_err(|e| cannot(&e))?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        // Manifests are read with lone CRs as line breaks, so snippets show the line reported.
        Ok(s) if is_yaml(path) && s.contains('\r') => Ok(yaml::lone_cr_to_lf(&s).into_owned()),
        Ok(s) => Ok(s),
        Err(e) => {
            let (line, col) = line_col(e.as_bytes(), e.utf8_error().valid_up_to());
            Err(Diagnostic::error(
                path,
                Some((line, col)),
                "the file is not valid UTF-8: expected UTF-8 text",
            ))
        }
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..]).chars().count() as u64 + 1;
    (line, col)
}

pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Collects manifest files below `dir`. Symlinked directories are not followed (no loops).
/// Sorts paths listed under one directory in `Path` order (component by component) by a byte
/// key: each separator mapped below every other byte orders clean paths the same way, and the
/// component-by-component comparison was a tenth of loading 10,000 manifests.
fn sort_paths(files: &mut [PathBuf]) {
    files.sort_by_cached_key(|p| {
        let bytes = p.as_os_str().as_encoded_bytes();
        bytes.iter().map(|&b| if std::path::is_separator(char::from(b)) { 0 } else { b }).collect::<Vec<u8>>()
    });
}

fn collect_yaml(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    errors: &mut Vec<Diagnostic>,
    warnings: &mut Vec<Diagnostic>,
) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(Diagnostic::error(
                dir,
                None,
                format!("cannot read the directory: {}", io_reason(&e)),
            ));
            return;
        }
    };
    // An entry that cannot be read is an error, never skipped: a category dropped in silence
    // would be a report that quietly omits tests.
    let unreadable = |path: &Path, e: &std::io::Error| {
        Diagnostic::error(path, None, format!("cannot read the directory entry: {}", io_reason(e)))
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(unreadable(dir, &e));
                continue;
            }
        };
        let path = entry.path();
        let ft = match entry.file_type() {
            Ok(ft) => ft,
            Err(e) => {
                errors.push(unreadable(&path, &e));
                continue;
            }
        };
        if ft.is_dir() {
            collect_yaml(&path, out, errors, warnings);
        } else if is_yaml(&path) {
            // Only symlinks need a second look (to what they point at).
            if ft.is_file() || (ft.is_symlink() && fs::metadata(&path).is_ok_and(|m| m.is_file())) {
                out.push(path);
            } else if !ft.is_symlink() {
                errors.push(Diagnostic::error(&path, None, "expected a regular file"));
            }
        } else if is_yaml_leftover(&path) {
            warnings.push(leftover_warning(&path));
        }
    }
}

/// A file named like a manifest with something after the extension (`auth.yaml.bak`,
/// `auth.yml~`, `.auth.yaml.swp`): an editor's or a hand-made backup, or a manifest renamed out
/// of the way. Not read, and said so, since it may equally be a category someone meant to keep.
fn is_yaml_leftover(path: &Path) -> bool {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()) else {
        return false;
    };
    !is_yaml(path) && (name.contains(".yaml") || name.contains(".yml"))
}

fn leftover_warning(path: &Path) -> Diagnostic {
    Diagnostic::warning(path, None, "not read: only files ending in `.yaml` or `.yml` are manifests")
}

/// YAML files in the data directory that no rule reads are pointed out, never silently dropped.
/// A data directory that cannot be listed is an error (its report.yaml may still be readable).
fn warn_stray_yaml(root: &Path, warnings: &mut Vec<Diagnostic>, errors: &mut Vec<Diagnostic>) {
    let listed = fs::read_dir(root).and_then(|entries| entries.map(|e| e.map(|e| e.path())).collect());
    let mut stray: Vec<PathBuf> = match listed {
        Ok(paths) => paths,
        Err(e) => {
            let what = format!("cannot list the data directory: {}", io_reason(&e));
            errors.push(Diagnostic::error(root, None, what));
            return;
        }
    };
    stray.retain(|p| {
        (is_yaml(p) || is_yaml_leftover(p)) && p.file_name().and_then(|n| n.to_str()) != Some(REPORT_FILE)
    });
    stray.sort();
    for p in stray {
        if is_yaml_leftover(&p) {
            warnings.push(leftover_warning(&p));
            continue;
        }
        warnings.push(Diagnostic::warning(
            &p,
            None,
            format!("not read: the report is `{REPORT_FILE}` and categories go in `{CATEGORIES_DIR}/`"),
        ));
    }
}

fn slug_of(cat_dir: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(cat_dir).unwrap_or(file).with_extension("");
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_accepts_scalar_and_map() {
        let y = "name: A\ntarget: 1\ntests: 1\nstatus:\n  collection: ok\n  execution: {state: issues, note: flaky}\n";
        let raw: RawCategory = yaml::parse(y, CATEGORY_FIELDS).unwrap();
        assert_eq!(raw.status.0[0].0, "collection");
        assert_eq!(raw.status.0[0].1.state, StageState::Ok);
        assert_eq!(raw.status.0[1].1.state, StageState::Issues);
        assert_eq!(raw.status.0[1].1.note.as_deref(), Some("flaky"));
    }

    #[test]
    fn unknown_stage_state_is_an_error() {
        let y = "name: A\ntarget: 1\ntests: 1\nstatus:\n  collection: done\n";
        let e = yaml::parse::<RawCategory>(y, CATEGORY_FIELDS).err().unwrap();
        assert!(e.message.contains("done"), "{}", e.message);
        assert_eq!(e.line, Some(5));
    }

    #[test]
    fn paths_sort_as_path_does() {
        let parts = ["a", "a-b", "a.b", "ab", "a b", "b", "A", "é"];
        let mut all = Vec::new();
        for x in parts {
            all.push(PathBuf::from("data/categories").join(x));
            for y in parts {
                all.push(PathBuf::from("data/categories").join(x).join(y));
                all.push(PathBuf::from("data/categories").join(x).join(y).join("z.yaml"));
            }
        }
        let mut expected = all.clone();
        expected.sort();
        // From several starting orders: a stable sort must not hide a wrong key.
        for rotate in [0, 7, 40, 100] {
            let mut got = all.clone();
            got.rotate_left(rotate);
            got.reverse();
            sort_paths(&mut got);
            assert_eq!(got, expected);
        }
        // `a/b` before `a-b`: where bytewise order ('-' < '/') and component order differ.
        let i = |p: &str| expected.iter().position(|q| q == Path::new("data/categories").join(p).as_path());
        assert!(i("a/b") < i("a-b"));
    }

    #[test]
    fn read_text_refuses_what_is_not_a_small_regular_file() {
        let d = tempfile::tempdir().unwrap();
        let e = read_text(d.path()).unwrap_err();
        assert!(e.message.contains("it is a directory; expected a regular file"), "{}", e.message);
        let big = d.path().join("big.yaml");
        let f = fs::File::create(&big).unwrap();
        f.set_len(MAX_MANIFEST_BYTES + 1).unwrap();
        let e = read_text(&big).unwrap_err();
        assert!(e.message.contains("expected a manifest of at most 10485760 bytes"), "{}", e.message);
        f.set_len(3).unwrap();
        assert_eq!(read_text(&big).unwrap(), "\0\0\0");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let fifo = d.path().join("fifo.yaml");
            let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            if unsafe { libc::mkfifo(c.as_ptr(), 0o644) } == 0 {
                let e = read_text(&fifo).unwrap_err();
                assert_eq!(
                    e.message,
                    "cannot read the file: it is not a regular file (a FIFO, socket or device); expected a regular file"
                );
            } else {
                // Every check runs in CI; elsewhere a system without FIFOs skips this one.
                assert!(
                    std::env::var_os("CI").is_none(),
                    "mkfifo failed: {}",
                    std::io::Error::last_os_error()
                );
                eprintln!("skipped: mkfifo failed: {}", std::io::Error::last_os_error());
            }
        }
    }

    #[test]
    fn parse_str_functions_validate_like_load_dir() {
        let c = parse_category_str("name: A\ntarget: 2\ntests: 1\n", Path::new("c/auth.yaml")).unwrap();
        assert_eq!((c.slug.as_str(), c.target, c.tests), ("auth", 2, 1));
        let e =
            parse_category_str("name: A\ntarget: 2\ntests: 1\nvalue: -1\n", Path::new("a.yaml")).unwrap_err();
        assert_eq!(e[0].line, Some(4));
        let r = parse_report_str("title: T\ncurrency: EUR\n", Path::new("report.yaml")).unwrap();
        assert_eq!(r.currency, "EUR");
        let e = parse_report_str("title: T\ncurrency: euro\n", Path::new("report.yaml")).unwrap_err();
        assert_eq!(
            (e.len(), e[0].line, e[0].column, e[0].message.as_str()),
            (
                1,
                Some(2),
                Some(11),
                "invalid `currency` \"euro\": expected a three-letter ISO code such as USD or EUR"
            )
        );
    }

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert_eq!(parse_date("2026-02-03"), chrono::NaiveDate::from_ymd_opt(2026, 2, 3));
        for bad in ["2026-2-3", "+12026-01-01", "2026-02-30", " 2026-02-03", "2026/02/03", "20260-1-01", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn extra_fields_the_templates_read_are_checked_with_their_position() {
        let cat = |extra: &str| {
            parse_category_str(
                &format!("name: A\ntarget: 1\ntests: 1\nextra:\n  other: 5\n  protects: {extra}\n"),
                Path::new("a.yaml"),
            )
        };
        let msg = |extra: &str| {
            let e = cat(extra).unwrap_err();
            assert_eq!((e[0].line, e[0].column), (Some(6), Some(13)), "{extra}");
            e[0].message.clone()
        };
        assert_eq!(
            msg("5"),
            "invalid `extra.protects` (read by the built-in templates): expected a list of text, found the number 5"
        );
        assert_eq!(
            msg("true"),
            "invalid `extra.protects` (read by the built-in templates): expected a list of text, found `true`"
        );
        assert_eq!(
            msg("\"abc\""),
            "invalid `extra.protects` (read by the built-in templates): expected a list of text, found the text \"abc\": write it as a list, [\"abc\"]"
        );
        assert_eq!(
            msg("[a, {b: c}]"),
            "invalid `extra.protects` (read by the built-in templates): expected a list of text, but item 2 is a map"
        );
        assert_eq!(
            cat("[payments, \"2FA\"]").unwrap().extra["protects"],
            serde_json::json!(["payments", "2FA"])
        );
        let report = |charts: &str| {
            parse_report_str(&format!("title: T\nextra:\n  charts: {charts}\n"), Path::new("report.yaml"))
        };
        for bad in ["\"false\"", "no", "0", "~"] {
            let e = report(bad).err().unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!((e[0].line, e[0].column), (Some(3), Some(11)), "{bad}");
            assert!(
                e[0].message.starts_with(
                    "invalid `extra.charts` (read by the built-in templates): expected true or false, found "
                ),
                "{}",
                e[0].message
            );
        }
        assert_eq!(report("false").unwrap().extra["charts"], serde_json::json!(false));
    }

    #[test]
    fn value_target_below_a_cent_is_refused() {
        for tiny in ["5e-324", "1e-300", "0.001"] {
            let e = parse_report_str(&format!("title: T\nvalue_target: {tiny}\n"), Path::new("r.yaml"))
                .unwrap_err();
            assert_eq!(e[0].line, Some(2));
            assert!(
                e[0].message.ends_with("expected 0 (no target) or an amount of at least 0.01 (one cent)"),
                "{}",
                e[0].message
            );
        }
        assert!(parse_report_str("title: T\nvalue_target: 0\n", Path::new("r.yaml")).is_ok());
        assert!(parse_report_str("title: T\nvalue_target: 0.01\n", Path::new("r.yaml")).is_ok());
    }

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_col(b"", 0), (1, 1));
    }
}
