//! Trends: deltas against the JSON model of an earlier run (`--baseline previous.json`).

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Report;
use crate::error::{Diagnostic, Error};

/// The parts of an earlier `--format json` output that trends need. Unknown fields are ignored:
/// the baseline may come from an older or newer gen-report.
#[derive(Debug, Clone, Deserialize)]
pub struct Baseline {
    pub schema_version: u32,
    pub totals: BaseTotals,
    #[serde(default)]
    pub categories: Vec<BaseCategory>,
    #[serde(default)]
    pub results: Option<BaseResults>,
}

/// Earlier totals.
#[derive(Debug, Clone, Deserialize)]
pub struct BaseTotals {
    pub tests: u64,
    #[serde(default)]
    pub measured: Option<BaseMeasured>,
}

/// Earlier measured counts.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct BaseMeasured {
    pub tests: u64,
    pub passed: u64,
    pub failures: u64,
    pub errors: u64,
    pub skipped: u64,
}

/// An earlier category.
#[derive(Debug, Clone, Deserialize)]
pub struct BaseCategory {
    pub name: String,
    pub tests: u64,
    #[serde(default)]
    pub measured: Option<BaseMeasured>,
}

/// Earlier results: the failing cases listed.
#[derive(Debug, Clone, Deserialize)]
pub struct BaseResults {
    pub all: BaseBucket,
}

/// Earlier failing cases.
#[derive(Debug, Clone, Deserialize)]
pub struct BaseBucket {
    #[serde(default)]
    pub failed_cases: Vec<BaseCase>,
}

/// An earlier failing case.
#[derive(Debug, Clone, Deserialize)]
pub struct BaseCase {
    pub name: String,
    #[serde(default)]
    pub suite: String,
}

/// Deltas shown in the report.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// Change in total tests.
    pub tests: i64,
    /// Change in failures + errors; `null` when either run has no results.
    pub failed: Option<i64>,
    pub passed: Option<i64>,
    pub skipped: Option<i64>,
    pub categories: Vec<CategoryTrend>,
    /// Categories that did not exist in the baseline.
    pub new_categories: Vec<String>,
    /// Baseline categories that are gone.
    pub removed_categories: Vec<String>,
    /// Failing now, not failing in the baseline (among the failures each run lists).
    pub newly_failing: Vec<String>,
    /// Failing in the baseline, not failing now (among the failures each run lists).
    pub fixed: Vec<String>,
}

/// Deltas of one category present in both runs.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryTrend {
    pub name: String,
    /// Change in tests when both runs measured the category (or both only declared it);
    /// `null` when one run measured it and the other did not: the two figures are not alike.
    pub tests: Option<i64>,
    pub failed: Option<i64>,
}

/// Reads a baseline file.
///
/// # Errors
/// The file cannot be read or is not a gen-report JSON model.
pub fn load(path: &Path) -> Result<Baseline, Error> {
    let text = crate::load::manifest::read_text(path).map_err(|d| Error::Input(vec![d]))?;
    let base: Baseline = serde_json::from_str(&text).map_err(|e| {
        Error::Input(vec![Diagnostic::error(
            path,
            Some((e.line() as u64, e.column() as u64)),
            format!("not a gen-report JSON model (from --format json): {e}"),
        )])
    })?;
    // Versions 1 and 2 share every field read here; a newer model may not.
    if base.schema_version == 0 || base.schema_version > super::SCHEMA_VERSION {
        return Err(Error::Input(vec![Diagnostic::error(
            path,
            None,
            format!(
                "schema_version {} is not one this gen-report reads (1 to {}): re-create the \
                 baseline with this version's --format json",
                base.schema_version,
                super::SCHEMA_VERSION
            ),
        )]));
    }
    Ok(base)
}

fn failed(m: &BaseMeasured) -> u64 {
    m.failures.saturating_add(m.errors)
}

fn delta(now: u64, then: u64) -> i64 {
    i64::try_from(now).unwrap_or(i64::MAX).saturating_sub(i64::try_from(then).unwrap_or(i64::MAX))
}

/// Compares the current report with a baseline.
pub fn compare(now: &Report, then: &Baseline) -> Trend {
    let m_now = now.totals.measured;
    let m_then = then.totals.measured;
    let both = m_now.zip(m_then);
    let categories = now
        .categories
        .iter()
        .filter_map(|c| {
            let b = then.categories.iter().find(|b| b.name == c.name)?;
            let failed = c.measured.zip(b.measured).map(|(n, t)| delta(n.failed_total(), failed(&t)));
            let tests = match (c.measured, b.measured) {
                (Some(n), Some(t)) => Some(delta(n.tests, t.tests)),
                (None, None) => Some(delta(c.tests, b.tests)),
                _ => None,
            };
            Some(CategoryTrend { name: c.name.clone(), tests, failed })
        })
        .collect();
    let names_then: BTreeSet<&str> = then.categories.iter().map(|c| c.name.as_str()).collect();
    let names_now: BTreeSet<&str> = now.categories.iter().map(|c| c.name.as_str()).collect();
    let key = |suite: &str, name: &str| {
        if suite.is_empty() { name.to_string() } else { format!("{suite} › {name}") }
    };
    let failing_now: BTreeSet<String> = now
        .results
        .as_ref()
        .map(|r| r.all.failed_cases.iter().map(|f| key(&f.suite, &f.name)).collect())
        .unwrap_or_default();
    let failing_then: BTreeSet<String> = then
        .results
        .as_ref()
        .map(|r| r.all.failed_cases.iter().map(|f| key(&f.suite, &f.name)).collect())
        .unwrap_or_default();
    Trend {
        tests: delta(now.totals.tests, then.totals.tests),
        failed: both.map(|(n, t)| delta(n.failed_total(), failed(&t))),
        passed: both.map(|(n, t)| delta(n.passed, t.passed)),
        skipped: both.map(|(n, t)| delta(n.skipped, t.skipped)),
        categories,
        new_categories: names_now.difference(&names_then).map(|s| s.to_string()).collect(),
        removed_categories: names_then.difference(&names_now).map(|s| s.to_string()).collect(),
        newly_failing: failing_now.difference(&failing_then).cloned().collect(),
        fixed: failing_then.difference(&failing_now).cloned().collect(),
    }
}
