//! The computed model: the only place where a figure or a status is derived.
//!
//! Templates and `--format json` see exactly these types. Field names are a documented
//! contract (README, "The model").

use serde::Serialize;

pub mod baseline;
pub mod evidence;

use crate::manifest::{Category, Extra, Manifests, Stage, StageState};
pub use evidence::{Aggregator, Bucket, CaseRecord, FailedCase, Locator, Measured, SlowCase};

/// Bumped when a documented field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

/// A derived status, shown as ✅ ⚠️ ❌ ➖ (or ASCII) by the `symbol` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
    NotRun,
}

impl From<StageState> for Status {
    fn from(s: StageState) -> Self {
        match s {
            StageState::Ok => Status::Ok,
            StageState::Issues => Status::Warn,
            StageState::Failed => Status::Fail,
            StageState::NotRun => Status::NotRun,
        }
    }
}

/// The overall verdict on the targets (rule in README, "The model").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The overall target and every category's target are met.
    Met,
    /// Some targets are met, others are not.
    PartlyMet,
    /// No category met its target and the overall target is not met.
    NotMet,
}

/// The whole computed report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub title: String,
    /// The report's date (`--date`, else `date:` in report.yaml, else `SOURCE_DATE_EPOCH`).
    pub date: Option<String>,
    pub objective: Option<String>,
    pub duration: Option<String>,
    pub author: Option<String>,
    pub currency: String,
    pub totals: Totals,
    pub categories: Vec<CategoryFigures>,
    /// Disagreements between claims and evidence, and within result files.
    pub findings: Vec<ModelFinding>,
    /// What the result files said; `null` when none were given.
    pub results: Option<ResultsView>,
    /// Deltas against `--baseline`; `null` without one.
    pub baseline: Option<baseline::Trend>,
}

/// A disagreement the report must show rather than hide.
#[derive(Debug, Clone, Serialize)]
pub struct ModelFinding {
    /// `count-mismatch`, `stage-contradicted`, `not-run`, `uncategorised` or `declared-totals`.
    pub kind: &'static str,
    pub category: Option<String>,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub message: String,
}

/// Results over all files.
#[derive(Debug, Clone, Serialize)]
pub struct ResultsView {
    /// The files read, in the order read.
    pub files: Vec<ResultFile>,
    /// Counts per suite, sorted by suite name.
    pub suites: Vec<SuiteFigures>,
    /// All cases: counts, the first failures, the slowest.
    pub all: Bucket,
    /// Cases that matched no category.
    pub uncategorised: Bucket,
}

/// One results file.
#[derive(Debug, Clone, Serialize)]
pub struct ResultFile {
    pub path: String,
    pub format: String,
    pub cases: u64,
}

/// Counts of one suite.
#[derive(Debug, Clone, Serialize)]
pub struct SuiteFigures {
    pub name: String,
    pub measured: Measured,
}

/// Which conditions hold, for `--fail-on`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Conditions {
    /// Some measured case failed or errored.
    pub failures: bool,
    /// The overall target or some category target is not met.
    pub below_target: bool,
    /// Declared counts disagree with measured ones, or files disagree with themselves.
    pub mismatch: bool,
    /// Results were given, but some category has none.
    pub not_run: bool,
}

/// Figures over all categories.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Sum of the categories' tests.
    pub tests: u64,
    /// The overall target: `target:` in report.yaml, else the sum of category targets.
    pub target: u64,
    /// `explicit` or `sum-of-categories`.
    pub target_source: &'static str,
    /// `tests / target × 100`; `null` when the target is 0.
    pub percent: Option<f64>,
    /// `tests ≥ target`.
    pub met: bool,
    /// Tests still missing to reach the target (0 when met).
    pub shortfall: u64,
    pub categories_total: usize,
    pub categories_met: usize,
    /// Sum of the categories' `value`.
    pub value: f64,
    pub value_target: Option<f64>,
    /// `value / value_target` (6.2 means 6.2× the target); `null` without a positive target.
    pub value_ratio: Option<f64>,
    /// `value ≥ value_target`; `null` without a value target.
    pub value_met: Option<bool>,
    pub verdict: Verdict,
    /// Status shown for the verdict: met ✅, partly met ⚠️, not met ❌.
    pub status: Status,
    /// Number of declared stages in each state, over all categories.
    pub stages: StageCounts,
    /// Sum of the categories' declared `tests`.
    pub declared_tests: u64,
    /// Measured over all result files; `null` when none were given.
    pub measured: Option<Measured>,
    /// Categories with no results while results were given.
    pub categories_not_run: usize,
    pub conditions: Conditions,
}

/// How many declared stages are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StageCounts {
    pub ok: usize,
    pub issues: usize,
    pub failed: usize,
    pub not_run: usize,
}

/// Figures for one category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryFigures {
    pub slug: String,
    pub name: String,
    pub file: String,
    /// Measured tests where results exist, else the declared count.
    pub tests: u64,
    /// The count declared in the manifest.
    pub declared_tests: u64,
    /// `measured` (results exist), `declared` (no results given at all) or `not-run`
    /// (results were given, none for this category).
    pub evidence: &'static str,
    /// Measured figures; `null` without results for this category.
    pub measured: Option<Measured>,
    /// The first failing cases.
    pub failed_cases: Vec<FailedCase>,
    /// Failing cases not listed.
    pub failed_omitted: u64,
    pub slowest: Vec<SlowCase>,
    pub target: u64,
    /// `tests / target × 100`; `null` when the target is 0.
    pub percent: Option<f64>,
    /// `tests ≥ target`.
    pub met: bool,
    pub shortfall: u64,
    pub value: f64,
    /// This category's share of the total value, in percent; `null` when the total is 0.
    pub value_share: Option<f64>,
    pub location: Option<String>,
    pub covers: Vec<String>,
    /// Declared stages, in declared order (claims, not evidence).
    pub stages: Vec<StageView>,
    /// Derived: ➖ without results while results were given; ❌ when a case failed or a stage
    /// failed; ⚠️ when below target or a stage has issues or did not run; ✅ otherwise.
    pub status: Status,
    pub extra: Extra,
}

/// A declared stage with its derived status.
#[derive(Debug, Clone, Serialize)]
pub struct StageView {
    pub stage: String,
    pub state: StageState,
    pub status: Status,
    pub note: Option<String>,
}

/// Options that change what the model says, resolved by the caller.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `--date`, overriding everything.
    pub date: Option<chrono::NaiveDate>,
    /// `SOURCE_DATE_EPOCH` as a date, used when the data has no date.
    pub source_date: Option<chrono::NaiveDate>,
}

/// Computes the report from validated manifests and, when given, the measured results.
pub fn build(
    manifests: &Manifests,
    evidence: Option<&Aggregator>,
    files: Vec<ResultFile>,
    opts: &BuildOptions,
) -> Report {
    let r = &manifests.report;
    let any_results = evidence.is_some_and(|e| e.any_results);
    let mut findings = Vec::new();
    let categories: Vec<CategoryFigures> = manifests
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let bucket = evidence.and_then(|e| {
                let b = e.categories.get(i)?;
                (b.measured.tests > 0 || e.had_results.get(i).copied().unwrap_or(false)).then_some(b)
            });
            category_figures(c, bucket, any_results, &mut findings)
        })
        .collect();

    let tests: u64 = categories.iter().map(|c| c.tests).fold(0, u64::saturating_add);
    // Cases that belong to no category still count in the total: never silently dropped.
    let tests = tests.saturating_add(evidence.map_or(0, |e| e.uncategorised.measured.tests));
    let (target, target_source) = match r.target {
        Some(t) => (t, "explicit"),
        None => (categories.iter().map(|c| c.target).fold(0, u64::saturating_add), "sum-of-categories"),
    };
    let value: f64 = categories.iter().map(|c| c.value).sum();
    let categories_met = categories.iter().filter(|c| c.met).count();
    let categories_not_run = categories.iter().filter(|c| c.evidence == "not-run").count();
    let met = tests >= target;
    let measured = evidence.filter(|e| e.any_results).map(|e| e.total.measured);
    let failing = measured.is_some_and(|m| m.failed_total() > 0);
    let mut verdict = verdict(met, categories_met, categories.len());
    // Targets reached by failing or missing evidence are not met.
    if verdict == Verdict::Met && (failing || categories_not_run > 0) {
        verdict = Verdict::PartlyMet;
    }
    if let Some(e) = evidence {
        if e.uncategorised.measured.tests > 0 && !manifests.categories.is_empty() {
            findings.push(ModelFinding {
                kind: "uncategorised",
                category: None,
                file: None,
                line: None,
                message: format!(
                    "{} measured test cases match no category (no `results:` and no `location` covers them)",
                    e.uncategorised.measured.tests
                ),
            });
        }
        for f in &e.findings {
            findings.push(ModelFinding {
                kind: "declared-totals",
                category: None,
                file: Some(f.file.display().to_string()),
                line: f.line,
                message: f.message.clone(),
            });
        }
    }
    let conditions = Conditions {
        failures: failing,
        below_target: !met || categories_met < categories.len(),
        mismatch: findings
            .iter()
            .any(|f| matches!(f.kind, "count-mismatch" | "declared-totals" | "stage-contradicted")),
        not_run: categories_not_run > 0,
    };
    let value_ratio = r.value_target.filter(|t| *t > 0.0).map(|t| value / t);

    let mut stages = StageCounts::default();
    for s in manifests.categories.iter().flat_map(|c| &c.status) {
        match s.state {
            StageState::Ok => stages.ok += 1,
            StageState::Issues => stages.issues += 1,
            StageState::Failed => stages.failed += 1,
            StageState::NotRun => stages.not_run += 1,
        }
    }

    let categories = categories
        .into_iter()
        .map(|mut c| {
            c.value_share = (value > 0.0).then(|| c.value / value * 100.0);
            c
        })
        .collect::<Vec<_>>();

    let totals = Totals {
        tests,
        target,
        target_source,
        percent: percent(tests, target),
        met,
        shortfall: target.saturating_sub(tests),
        categories_total: categories.len(),
        categories_met,
        value,
        value_target: r.value_target,
        value_ratio,
        value_met: r.value_target.map(|t| value >= t),
        verdict,
        status: match verdict {
            Verdict::Met => Status::Ok,
            Verdict::PartlyMet => Status::Warn,
            Verdict::NotMet => Status::Fail,
        },
        stages,
        declared_tests: manifests.categories.iter().map(|c| c.tests).fold(0, u64::saturating_add),
        measured,
        categories_not_run,
        conditions,
    };

    let results = evidence.filter(|e| e.any_results).map(|e| ResultsView {
        files,
        suites: e
            .sorted_suites()
            .into_iter()
            .map(|(name, m)| SuiteFigures { name: name.clone(), measured: *m })
            .collect(),
        all: e.total.clone(),
        uncategorised: e.uncategorised.clone(),
    });
    let date = opts.date.or(r.date).or(opts.source_date).map(|d| d.format("%Y-%m-%d").to_string());
    Report {
        schema_version: SCHEMA_VERSION,
        title: r.title.clone(),
        date,
        objective: r.objective.clone(),
        duration: r.duration.clone(),
        author: r.author.clone(),
        currency: r.currency.clone(),
        totals,
        categories,
        findings,
        results,
        baseline: None,
    }
}

fn category_figures(
    c: &Category,
    bucket: Option<&Bucket>,
    any_results: bool,
    findings: &mut Vec<ModelFinding>,
) -> CategoryFigures {
    let measured = bucket.map(|b| b.measured);
    let tests = measured.map_or(c.tests, |m| m.tests);
    let met = tests >= c.target;
    let stages: Vec<StageView> = c.status.iter().map(stage_view).collect();
    let evidence = match (measured, any_results) {
        (Some(_), _) => "measured",
        (None, true) => "not-run",
        (None, false) => "declared",
    };
    let finding = |kind, message: String| ModelFinding {
        kind,
        category: Some(c.name.clone()),
        file: Some(c.file.display().to_string()),
        line: None,
        message,
    };
    if let Some(m) = measured {
        if m.tests != c.tests {
            findings.push(finding(
                "count-mismatch",
                format!("{} declares {} tests; its results have {}", c.name, c.tests, m.tests),
            ));
        }
        if m.failed_total() > 0 {
            for s in stages.iter().filter(|s| s.state == StageState::Ok) {
                findings.push(finding(
                    "stage-contradicted",
                    format!(
                        "{} declares stage `{}` ok, but {} of its {} measured tests failed",
                        c.name,
                        s.stage,
                        m.failed_total(),
                        m.tests
                    ),
                ));
            }
        }
    } else if any_results {
        findings.push(finding("not-run", format!("{} has no test results: not run", c.name)));
    }
    let mut status = category_status(met, &stages);
    if measured.is_some_and(|m| m.failed_total() > 0) {
        status = Status::Fail;
    }
    if evidence == "not-run" {
        status = Status::NotRun;
    }
    CategoryFigures {
        slug: c.slug.clone(),
        name: c.name.clone(),
        file: c.file.display().to_string(),
        tests,
        declared_tests: c.tests,
        evidence,
        measured,
        failed_cases: bucket.map(|b| b.failed_cases.clone()).unwrap_or_default(),
        failed_omitted: bucket.map_or(0, |b| b.failed_omitted),
        slowest: bucket.map(|b| b.slowest.clone()).unwrap_or_default(),
        target: c.target,
        percent: percent(tests, c.target),
        met,
        shortfall: c.target.saturating_sub(tests),
        value: c.value,
        value_share: None,
        location: c.location.clone(),
        covers: c.covers.clone(),
        status,
        stages,
        extra: c.extra.clone(),
    }
}

fn stage_view(s: &Stage) -> StageView {
    StageView { stage: s.stage.clone(), state: s.state, status: s.state.into(), note: s.note.clone() }
}

/// ❌ if any stage failed; ⚠️ if below target or any stage is not ok; ✅ otherwise.
fn category_status(met: bool, stages: &[StageView]) -> Status {
    let worst = stages.iter().map(|s| s.status).max().unwrap_or(Status::Ok);
    match worst {
        Status::Fail => Status::Fail,
        Status::Warn | Status::NotRun => Status::Warn,
        Status::Ok if !met => Status::Warn,
        Status::Ok => Status::Ok,
    }
}

/// Met when everything is met; not met when nothing is; partly met in between.
pub fn verdict(total_met: bool, categories_met: usize, categories: usize) -> Verdict {
    // Nothing to measure is not success.
    if categories == 0 {
        Verdict::NotMet
    } else if total_met && categories_met == categories {
        Verdict::Met
    } else if !total_met && categories_met == 0 {
        Verdict::NotMet
    } else {
        Verdict::PartlyMet
    }
}

/// `part / whole × 100`, or `None` when `whole` is 0 (a percentage of nothing is undefined).
pub fn percent(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64 * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_of_zero_is_undefined() {
        assert_eq!(percent(5, 0), None);
        assert_eq!(percent(67, 100), Some(67.0));
        assert_eq!(percent(22, 15).map(|p| (p * 100.0).round() / 100.0), Some(146.67));
    }

    #[test]
    fn verdict_rule() {
        assert_eq!(verdict(true, 5, 5), Verdict::Met);
        assert_eq!(verdict(false, 2, 5), Verdict::PartlyMet);
        assert_eq!(verdict(true, 4, 5), Verdict::PartlyMet);
        assert_eq!(verdict(false, 0, 5), Verdict::NotMet);
        assert_eq!(verdict(true, 0, 0), Verdict::NotMet);
    }

    #[test]
    fn category_status_never_ok_with_issues() {
        let st = |state: StageState| StageView { stage: "x".into(), state, status: state.into(), note: None };
        assert_eq!(category_status(true, &[st(StageState::Ok)]), Status::Ok);
        assert_eq!(category_status(true, &[st(StageState::Ok), st(StageState::Issues)]), Status::Warn);
        assert_eq!(category_status(true, &[st(StageState::NotRun)]), Status::Warn);
        assert_eq!(category_status(true, &[st(StageState::Failed), st(StageState::Issues)]), Status::Fail);
        assert_eq!(category_status(false, &[st(StageState::Ok)]), Status::Warn);
        assert_eq!(category_status(false, &[]), Status::Warn);
    }
}
