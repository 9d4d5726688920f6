//! `--format ctrf`: the measured results as a CTRF document (<https://ctrf.io>), with
//! gen-report's categories in `extra`, for the CTRF ecosystem's reporters.

use serde_json::{Value, json};

use crate::model::{CaseRecord, Report};
use crate::results::Outcome;

/// The CTRF document for `report`, listing `cases`.
pub fn document(report: &Report, cases: &[CaseRecord]) -> Value {
    let m = report.totals.measured.unwrap_or_default();
    let tests: Vec<Value> = cases
        .iter()
        .map(|r| {
            let c = &r.case;
            let mut t = json!({
                "name": c.name,
                "status": match c.outcome {
                    Outcome::Passed => "passed",
                    Outcome::Failed | Outcome::Error => "failed",
                    Outcome::Skipped => "skipped",
                },
                "duration": (c.duration_s * 1000.0).round(),
                "suite": c.suite,
            });
            let obj = t.as_object_mut();
            if let Some(o) = obj {
                if let Some(f) = &c.file {
                    o.insert("filePath".into(), json!(f));
                }
                if let Some(l) = c.line {
                    o.insert("line".into(), json!(l));
                }
                if let Some(msg) = &c.message {
                    o.insert("message".into(), json!(msg));
                }
                if c.flaky {
                    o.insert("flaky".into(), json!(true));
                }
                if c.outcome == Outcome::Error {
                    o.insert("rawStatus".into(), json!("error"));
                }
                let category = r.category.and_then(|i| report.categories.get(i)).map(|c| c.name.clone());
                o.insert("extra".into(), json!({ "category": category }));
            }
            t
        })
        .collect();
    let categories: Vec<Value> = report
        .categories
        .iter()
        .map(|c| {
            json!({
                "name": c.name, "tests": c.tests, "declared_tests": c.declared_tests, "target": c.target,
                "met": c.met, "value": c.value, "status": c.status, "evidence": c.evidence,
            })
        })
        .collect();
    json!({
        "reportFormat": "CTRF",
        "specVersion": "0.0.0",
        "results": {
            "tool": { "name": "gen-report", "version": env!("CARGO_PKG_VERSION") },
            "summary": {
                "tests": m.tests,
                "passed": m.passed,
                "failed": m.failed_total(),
                "skipped": m.skipped,
                "pending": 0,
                "other": 0,
                "flaky": m.flaky,
                // Timestamps would make the output differ run to run; the data has none.
                "start": 0,
                "stop": 0,
                "duration": (m.duration_s * 1000.0).round(),
            },
            "tests": tests,
            "extra": {
                "generator": "gen-report",
                "title": report.title,
                "verdict": report.totals.verdict,
                "categories": categories,
            },
        },
    })
}
