//! The computed model: where every figure and status of a manifest report is derived (the
//! History section's in [`history`], a free-form report's by the template filters of
//! [`crate::render::compute`]).
//!
//! Templates and `--format json` see exactly these types. Field names are a documented
//! contract (docs/model.md).
//!
//! No arithmetic here can overflow or panic: counts saturate, and the few sums of values that
//! are proven small say why where they are allowed.
#![deny(clippy::arithmetic_side_effects)]

use serde::Serialize;

pub mod baseline;
pub mod causes;
pub mod claims;
pub mod evidence;
pub mod history;
pub mod locate;

use crate::load::manifest::{Category, Extra, Manifests, Stage, StageState};
pub use evidence::{
    Aggregator, Bucket, CaseRecord, FailedCase, FlakyCase, Locator, Measured, SkippedCase, SlowCase,
};

/// Bumped when a documented field changes meaning or disappears.
/// 2: figures toward a target count passing tests only; verdicts for zero-config runs; enums for
/// evidence and finding kinds.
pub const SCHEMA_VERSION: u32 = 2;

/// A derived status, shown as ✅ ❔ ⚠️ ➖ ❌ (or ASCII) by the `symbol` filter. Ordered from
/// best to worst: the worst evidence wins wherever statuses combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Backed by results: ran, passed, at target.
    Ok,
    /// Only declared: no result backs it (never ✅).
    Unverified,
    /// Results were given, none for this (or a stage is declared not run).
    NotRun,
    /// Below target, or a declared stage has issues.
    Warn,
    /// A test failed, errored or crashed, or a stage failed.
    Fail,
}

impl From<StageState> for Status {
    /// A declared stage is a claim: "ok" is unverified, while claims of trouble count.
    fn from(s: StageState) -> Self {
        match s {
            StageState::Ok => Status::Unverified,
            StageState::Issues => Status::Warn,
            StageState::Failed => Status::Fail,
            StageState::NotRun => Status::NotRun,
        }
    }
}

/// The overall verdict (rule in docs/model.md). Manifest mode judges targets; zero-config
/// mode (results without manifests) judges the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every target is met by passing tests, nothing failed, every category ran.
    Met,
    /// Some targets are met, others are not.
    PartlyMet,
    /// No category met its target and the overall target is not met.
    NotMet,
    /// Zero-config: every test that ran passed.
    Passed,
    /// Zero-config: some test failed, errored or crashed.
    Failed,
    /// Zero-config: no test ran.
    Empty,
}

impl Verdict {
    /// The one phrase for the verdict, used everywhere the report states it.
    pub fn phrase(self, verified: bool) -> &'static str {
        match (self, verified) {
            (Verdict::Met, true) => "Target met",
            (Verdict::Met, false) => "Target met on declared counts only (unverified)",
            (Verdict::PartlyMet, true) => "Target partly met",
            (Verdict::PartlyMet, false) => "Target partly met on declared counts (unverified)",
            (Verdict::NotMet, _) => "Target not met",
            (Verdict::Passed, _) => "All tests passed",
            (Verdict::Failed, _) => "Tests failed",
            (Verdict::Empty, _) => "No tests ran",
        }
    }
}

/// Where a category's figures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// Result files were read for it.
    Measured,
    /// No results were given at all: its figures are the manifest's claims.
    Declared,
    /// Results were given, none for it: declared, not run.
    NotRun,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// A category's declared test count differs from its measured one.
    CountMismatch,
    /// A declared stage state is contradicted by the results (table in docs/results.md, "Reconciliation").
    StageContradicted,
    /// Results were given, none for this category.
    NotRun,
    /// A `results:` glob or `--results` pattern matched no file.
    NoResults,
    /// Measured cases that belong to no category.
    Uncategorised,
    /// A results file disagrees with itself (declared totals, dangling events...).
    ResultsFile,
    /// Two files hold the same tests with the same results: one run read twice (counted twice).
    DuplicateRun,
}

impl FindingKind {
    /// Findings that `--fail-on mismatch` turns into exit 1.
    pub fn is_mismatch(self) -> bool {
        matches!(
            self,
            FindingKind::CountMismatch
                | FindingKind::ResultsFile
                | FindingKind::StageContradicted
                | FindingKind::DuplicateRun
        )
    }
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
    /// Every declared stage name, in first-declared order: the columns of the stage table.
    pub stage_names: Vec<String>,
    /// Disagreements between claims and evidence, and within result files.
    pub findings: Vec<ModelFinding>,
    /// What the result files said; `null` when none were given.
    pub results: Option<ResultsView>,
    /// Deltas against `--baseline`; `null` without one.
    pub baseline: Option<baseline::Trend>,
    /// Claims of completion or success in the narrative that the computed state contradicts
    /// (docs/manifests.md, "Claims lint"), in the order written.
    pub unverified_claims: Vec<crate::model::claims::UnverifiedClaim>,
    /// The texts of those claims, each with why it is unverified: for templates,
    /// `{% if point in unverified %}`.
    pub unverified: std::collections::BTreeMap<String, String>,
    /// Trends and per-test lists across the runs of `--history`; `null` without it.
    pub history: Option<history::History>,
}

/// A disagreement the report must show rather than hide.
#[derive(Debug, Clone, Serialize)]
pub struct ModelFinding {
    pub kind: FindingKind,
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
    /// Counts per suite, sorted by suite name: the first 1,000 names.
    pub suites: Vec<SuiteFigures>,
    /// The cases of suites beyond those listed, added up; `null` when every suite is listed.
    pub other_suites: Option<Measured>,
    /// All cases: counts, the first failures, the slowest.
    pub all: Bucket,
    /// Cases that matched no category.
    pub uncategorised: Bucket,
    /// All failures grouped by cause (docs/causes.md).
    pub causes: causes::CausesView,
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
    /// ✅ when every case passed or was skipped, ❌ when one failed or errored.
    pub status: Status,
}

/// Which conditions hold, for `--fail-on`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Conditions {
    /// Some measured case failed, errored or did not finish (a crash).
    pub failures: bool,
    /// The overall target or some category target is not met by passing tests.
    pub below_target: bool,
    /// Declared counts disagree with measured ones, or files disagree with themselves.
    pub mismatch: bool,
    /// Results were given, but some category has none, or a results pattern matched nothing.
    pub not_run: bool,
    /// Results were given and not a single test was counted.
    pub empty: bool,
}

/// Figures over all categories.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Tests counted: every measured case when results were given, else the declared counts.
    pub tests: u64,
    /// Tests credited toward the target: passing tests (flaky ones included) when results
    /// were given, else the declared counts.
    pub credited: u64,
    /// The overall target: `target:` in report.yaml, else the sum of category targets.
    pub target: u64,
    /// `explicit` or `sum-of-categories`.
    pub target_source: &'static str,
    /// `credited / target × 100`; `null` when the target is 0.
    pub percent: Option<f64>,
    /// `credited ≥ target` (never with failures or unrun categories when results were given).
    pub met: bool,
    /// Tests still missing to reach the target (0 when met).
    pub shortfall: u64,
    pub categories_total: usize,
    pub categories_met: usize,
    /// Categories with results.
    pub categories_run: usize,
    /// Categories with no results while results were given.
    pub categories_not_run: usize,
    /// Declared value of all categories (a claim: the manifests say so).
    pub value: f64,
    /// Value of categories whose tests ran and all passed (backed by evidence).
    pub value_backed: f64,
    /// Value of categories that failed or did not run (results given); 0 without results.
    pub value_at_risk: f64,
    pub value_target: Option<f64>,
    /// `value / value_target` (6.2 means 6.2× the target); `null` without a positive target.
    pub value_ratio: Option<f64>,
    /// `value_backed ≥ value_target`; `null` without a value target.
    pub value_met: Option<bool>,
    pub verdict: Verdict,
    /// Results back the verdict (false in declared-only mode).
    pub verified: bool,
    /// The verdict's one phrase ("Target partly met"), computed once for every place it shows.
    pub verdict_text: &'static str,
    /// Status shown for the verdict and the Total row: never better than the worst category.
    pub status: Status,
    /// One sentence: the verdict and the figures behind it.
    pub headline: String,
    /// How much of the report results back, in one sentence.
    pub evidence_note: String,
    /// Number of declared stages in each state, over all categories.
    pub stages: StageCounts,
    /// Sum of the categories' declared `tests`.
    pub declared_tests: u64,
    /// Measured over all result files; `null` when none were given.
    pub measured: Option<Measured>,
    /// `measured.failures + measured.errors`; 0 without results.
    pub failed_total: u64,
    /// Result patterns that matched no file.
    pub unmatched_patterns: Vec<String>,
    pub conditions: Conditions,
    /// Failures (and errors) per failure category of report.yaml, first match wins, then the
    /// `uncategorised` ones; empty when report.yaml declares none or no results were given.
    pub failure_categories: Vec<causes::CategoryCount>,
}

/// How many declared stages are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StageCounts {
    pub ok: usize,
    pub issues: usize,
    pub failed: usize,
    pub not_run: usize,
    /// All declared stages.
    pub total: usize,
}

/// Figures for one category.
#[derive(Debug, Clone, Serialize)]
pub struct CategoryFigures {
    pub slug: String,
    pub name: String,
    pub file: String,
    /// Tests counted: measured cases where results exist, else the declared count.
    pub tests: u64,
    /// The count declared in the manifest.
    pub declared_tests: u64,
    /// Tests credited toward the target: passing tests (flaky included) where results exist;
    /// the declared count when no results were given at all; 0 when not run.
    pub credited: u64,
    pub evidence: Evidence,
    /// Measured figures; `null` without results for this category.
    pub measured: Option<Measured>,
    /// Failures plus errors measured; 0 without results.
    pub failed_total: u64,
    /// The first failing cases.
    pub failed_cases: Vec<FailedCase>,
    /// Failing cases not listed.
    pub failed_omitted: u64,
    pub slowest: Vec<SlowCase>,
    /// What the category matched: each results file and how many of its cases (by the
    /// category's `results:`, or by `location`).
    pub matched: Vec<evidence::SourceCount>,
    /// Cases from files not listed in `matched` (beyond the first 20 files).
    pub matched_omitted: u64,
    pub target: u64,
    /// `credited / target × 100`; `null` when the target is 0.
    pub percent: Option<f64>,
    /// `credited ≥ target`, and never for a category that was not run.
    pub met: bool,
    pub shortfall: u64,
    pub value: f64,
    /// This category's share of the total value, in percent; `null` when the total is 0.
    pub value_share: Option<f64>,
    pub location: Option<String>,
    pub covers: Vec<String>,
    /// Declared stages, in declared order (claims, not evidence).
    pub stages: Vec<StageView>,
    /// The category's stage for each of [`Report::stage_names`] (`null` where it declares none).
    pub stage_cells: Vec<Option<StageView>>,
    /// Count against target: ✅ met by passing tests, ❔ met on declared counts only, ⚠️ below
    /// target, ➖ not run.
    pub target_status: Status,
    /// Execution: ✅ ran and passed, ❌ a test failed/errored or a stage failed, ➖ not run (or a
    /// stage declared not run), ⚠️ a stage has issues, ❔ declared only.
    pub run_status: Status,
    /// The worse of the two.
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
    /// Result patterns (`results:` globs, `--results`) that matched no file, with the
    /// category that declared them.
    pub unmatched: Vec<Unmatched>,
}

pub use crate::load::inputs::Unmatched;

/// Computes the report from validated manifests and, when given, the measured results.
pub fn build(
    manifests: &Manifests,
    evidence: Option<&Aggregator>,
    files: Vec<ResultFile>,
    opts: &BuildOptions,
) -> Report {
    let r = &manifests.report;
    let any_results = evidence.is_some_and(|e| e.any_results) || !opts.unmatched.is_empty();
    let mut findings = Vec::new();
    let mut categories: Vec<CategoryFigures> = manifests
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
    let value = categories.iter().map(|c| c.value).fold(0.0, |a, v| a + v);
    let mut stage_names: Vec<String> = Vec::new();
    for s in categories.iter().flat_map(|c| &c.stages) {
        if !stage_names.contains(&s.stage) {
            stage_names.push(s.stage.clone());
        }
    }
    for c in &mut categories {
        c.value_share = (value > 0.0).then(|| c.value / value * 100.0);
        c.stage_cells =
            stage_names.iter().map(|n| c.stages.iter().find(|s| &s.stage == n).cloned()).collect();
    }
    findings.extend(unmatched_findings(manifests, &opts.unmatched));
    if let Some(e) = evidence {
        findings.extend(evidence_findings(manifests, e));
    }
    let measured = evidence.filter(|e| e.any_results).map(|e| e.total.measured);
    let totals = totals(manifests, &categories, evidence, measured, &findings, &opts.unmatched, value);
    let unverified_claims =
        crate::model::claims::unverified_claims(&manifests.narrative, &totals, &categories);

    let results = evidence.filter(|e| e.any_results).map(|e| ResultsView {
        files,
        suites: e
            .sorted_suites()
            .into_iter()
            .map(|(name, m)| SuiteFigures { name: name.clone(), measured: *m, status: m.status() })
            .collect(),
        other_suites: (e.suites.others.tests > 0).then_some(e.suites.others),
        all: e.total.clone(),
        uncategorised: e.uncategorised.clone(),
        causes: e.causes.view(),
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
        stage_names,
        findings,
        results,
        baseline: None,
        unverified: crate::model::claims::by_text(&unverified_claims),
        unverified_claims,
        history: None,
    }
}

fn unmatched_findings(manifests: &Manifests, unmatched: &[Unmatched]) -> Vec<ModelFinding> {
    unmatched
        .iter()
        .map(|u| {
            let c = u.category.and_then(|i| manifests.categories.get(i));
            ModelFinding {
                kind: FindingKind::NoResults,
                category: c.map(|c| c.name.clone()),
                file: c.map(|c| c.file.display().to_string()),
                line: None,
                message: format!("results pattern `{}` matched no file: nothing was read for it", u.pattern),
            }
        })
        .collect()
}

fn evidence_findings(manifests: &Manifests, e: &Aggregator) -> Vec<ModelFinding> {
    let mut out = Vec::new();
    if e.uncategorised.measured.tests > 0 && !manifests.categories.is_empty() {
        out.push(ModelFinding {
            kind: FindingKind::Uncategorised,
            category: None,
            file: None,
            line: None,
            message: format!(
                "{} measured test cases match no category (no `results:` and no `location` covers them)",
                e.uncategorised.measured.tests
            ),
        });
    }
    for (a, b) in evidence::duplicate_runs(&e.sketches) {
        out.push(ModelFinding {
            kind: FindingKind::DuplicateRun,
            category: None,
            file: Some(b.source.clone()),
            line: None,
            message: format!(
                "`{}` and `{}` hold the same {} tests with the same results — one run written in two \
                 formats? Both are counted; read only one of them",
                a.source, b.source, a.cases
            ),
        });
    }
    for f in &e.findings {
        out.push(ModelFinding {
            kind: FindingKind::ResultsFile,
            category: None,
            file: Some(f.file.display().to_string()),
            line: f.line,
            message: f.message.clone(),
        });
    }
    if e.findings_omitted > 0 {
        out.push(ModelFinding {
            kind: FindingKind::ResultsFile,
            category: None,
            file: None,
            line: None,
            message: format!(
                "… and {} more findings in the result files, not listed",
                crate::words::thousands(u128::from(e.findings_omitted))
            ),
        });
    }
    out
}

/// The totals, the verdict and the one status every output shows: the only place they are
/// decided.
fn totals(
    manifests: &Manifests,
    categories: &[CategoryFigures],
    evidence: Option<&Aggregator>,
    measured: Option<Measured>,
    findings: &[ModelFinding],
    unmatched: &[Unmatched],
    value: f64,
) -> Totals {
    let r = &manifests.report;
    let with_results = measured.is_some() || !unmatched.is_empty();
    let sum = |f: &dyn Fn(&CategoryFigures) -> u64| categories.iter().map(f).fold(0, u64::saturating_add);
    let declared_tests = manifests.categories.iter().map(|c| c.tests).fold(0, u64::saturating_add);
    // Every measured case counts, categorised or not: never silently dropped.
    let tests = measured.map_or(declared_tests, |m| m.tests);
    let credited =
        sum(&|c| c.credited).saturating_add(evidence.map_or(0, |e| e.uncategorised.measured.passed));
    let (target, target_source) =
        r.target.map_or_else(|| (sum(&|c| c.target), "sum-of-categories"), |t| (t, "explicit"));
    let failed_total = measured.map_or(0, |m| m.failed_total());
    let categories_met = categories.iter().filter(|c| c.met).count();
    let categories_not_run = categories.iter().filter(|c| c.evidence == Evidence::NotRun).count();
    let categories_run = categories.iter().filter(|c| c.evidence == Evidence::Measured).count();
    let empty = with_results && measured.is_none_or(|m| m.tests == 0);
    let met = credited >= target && failed_total == 0 && categories_not_run == 0 && !empty;

    let zero_config = categories.is_empty();
    let verified = with_results || zero_config;
    let verdict = if zero_config {
        zero_config_verdict(measured, failed_total)
    } else {
        verdict(met, categories_met, categories.len())
    };
    let status = overall_status(verdict, verified, categories, failed_total);
    let (value_backed, value_at_risk) = value_split(categories, with_results);
    let stages = stage_counts(manifests);
    let below_target = !zero_config && (!met || categories_met < categories.len());
    let conditions =
        Conditions::of(failed_total, below_target, findings, categories_not_run, unmatched, empty);
    let verdict_text = verdict.phrase(verified);
    let percent = percent(credited, target);
    let headline =
        headline(verdict_text, categories, measured, credited, target, percent, categories_not_run);
    let evidence_note = evidence_note(categories, measured, categories_run, with_results);
    Totals {
        tests,
        credited,
        target,
        target_source,
        percent,
        met,
        shortfall: target.saturating_sub(credited),
        categories_total: categories.len(),
        categories_met,
        categories_run,
        categories_not_run,
        value,
        value_backed,
        value_at_risk,
        value_target: r.value_target,
        value_ratio: r.value_target.filter(|t| *t > 0.0).map(|t| value / t),
        value_met: r.value_target.map(|t| value_backed >= t),
        verdict,
        verified,
        verdict_text,
        status,
        headline,
        evidence_note,
        stages,
        declared_tests,
        measured,
        failed_total,
        unmatched_patterns: unmatched.iter().map(|u| u.pattern.clone()).collect(),
        conditions,
        failure_categories: evidence
            .filter(|e| e.any_results)
            .map(|e| e.causes.category_counts())
            .unwrap_or_default(),
    }
}

impl Conditions {
    /// The `--fail-on` conditions, from the figures [`totals`] computed.
    fn of(
        failed_total: u64,
        below_target: bool,
        findings: &[ModelFinding],
        categories_not_run: usize,
        unmatched: &[Unmatched],
        empty: bool,
    ) -> Conditions {
        Conditions {
            failures: failed_total > 0,
            below_target,
            mismatch: findings.iter().any(|f| f.kind.is_mismatch()),
            not_run: categories_not_run > 0 || !unmatched.is_empty(),
            empty,
        }
    }
}

/// The verdict without manifests: the results alone pass, fail or are empty.
fn zero_config_verdict(measured: Option<Measured>, failed_total: u64) -> Verdict {
    match measured {
        Some(m) if m.failed_total() > 0 => Verdict::Failed,
        Some(m) if m.tests > 0 => Verdict::Passed,
        _ if failed_total > 0 => Verdict::Failed,
        _ => Verdict::Empty,
    }
}

/// The one status of the run (Total row, badge, exit code): the verdict's, never better than
/// the worst category's, and ❌ whenever a test failed.
fn overall_status(
    verdict: Verdict,
    verified: bool,
    categories: &[CategoryFigures],
    failed_total: u64,
) -> Status {
    let worst_category = categories.iter().map(|c| c.status).max().unwrap_or(Status::Ok);
    let verdict_status = match verdict {
        Verdict::Met | Verdict::Passed if verified => Status::Ok,
        Verdict::Met | Verdict::Passed => Status::Unverified,
        Verdict::PartlyMet => Status::Warn,
        Verdict::NotMet | Verdict::Failed | Verdict::Empty => Status::Fail,
    };
    if failed_total > 0 { Status::Fail } else { verdict_status.max(worst_category) }
}

/// Declared value backed by measured, passing categories, and value at risk in categories that
/// failed or did not run (only when results were given).
fn value_split(categories: &[CategoryFigures], with_results: bool) -> (f64, f64) {
    let value_backed = categories
        .iter()
        .filter(|c| c.run_status == Status::Ok && c.evidence == Evidence::Measured)
        .map(|c| c.value)
        .fold(0.0, |a, v| a + v);
    let value_at_risk = categories
        .iter()
        .filter(|c| with_results && matches!(c.run_status, Status::Fail | Status::NotRun))
        .map(|c| c.value)
        .fold(0.0, |a, v| a + v);
    (value_backed, value_at_risk)
}

/// How many declared stages are in each state, over every category.
fn stage_counts(manifests: &Manifests) -> StageCounts {
    let mut stages = StageCounts::default();
    for s in manifests.categories.iter().flat_map(|c| &c.status) {
        let count = match s.state {
            StageState::Ok => &mut stages.ok,
            StageState::Issues => &mut stages.issues,
            StageState::Failed => &mut stages.failed,
            StageState::NotRun => &mut stages.not_run,
        };
        *count = count.saturating_add(1);
        stages.total = stages.total.saturating_add(1);
    }
    stages
}

/// "Target partly met: 40 of a 100-test target pass (40%); 3 failed; 2 of 5 categories not
/// run" — the verdict phrase and the figures that decide it.
fn headline(
    verdict_text: &str,
    categories: &[CategoryFigures],
    measured: Option<Measured>,
    credited: u64,
    target: u64,
    percent: Option<f64>,
    not_run: usize,
) -> String {
    // The same rounding as the `percent` filter, so the headline and the tables agree.
    let pct = percent.map_or_else(|| "—".to_owned(), |p| crate::words::percent(p, 0));
    let mut s = if categories.is_empty() {
        match measured {
            Some(m) => format!("{verdict_text}: {}", plural(m.tests, "test", "tests")),
            None => verdict_text.to_owned(),
        }
    } else if measured.is_some() {
        format!("{verdict_text}: {} of a {}-test target pass ({pct})", thousands(credited), thousands(target))
    } else {
        format!(
            "{verdict_text}: {} of a {}-test target declared ({pct})",
            thousands(credited),
            thousands(target)
        )
    };
    if let Some(m) = measured {
        if m.failures > 0 {
            s.push_str(&format!("; {} failed", thousands(m.failures)));
        }
        if m.errors > 0 {
            s.push_str(&format!("; {}", plural(m.errors, "error", "errors")));
        }
    }
    if not_run > 0 {
        s.push_str(&format!(
            "; {} of {} not run",
            not_run,
            plural(categories.len() as u64, "category", "categories")
        ));
    }
    s
}

/// How much of the report results back, in the reader's words.
fn evidence_note(
    categories: &[CategoryFigures],
    measured: Option<Measured>,
    run: usize,
    with_results: bool,
) -> String {
    let n = categories.len() as u64;
    match (with_results, measured) {
        (false, _) => format!(
            "Declared counts only — no test results were given: 0 of {} shown to run",
            plural(n, "category", "categories")
        ),
        (true, m) if categories.is_empty() => {
            format!("Measured from test results: {}", plural(m.map_or(0, |m| m.tests), "test", "tests"))
        }
        (true, m) => format!(
            "Measured from test results: {run} of {} ran ({})",
            plural(n, "category", "categories"),
            plural(m.map_or(0, |m| m.tests), "test", "tests")
        ),
    }
}

use crate::words::count_as as plural;

fn thousands(n: u64) -> String {
    crate::words::thousands(u128::from(n))
}

fn category_figures(
    c: &Category,
    bucket: Option<&Bucket>,
    any_results: bool,
    findings: &mut Vec<ModelFinding>,
) -> CategoryFigures {
    let measured = bucket.map(|b| b.measured);
    let evidence = match (measured, any_results) {
        (Some(_), _) => Evidence::Measured,
        (None, true) => Evidence::NotRun,
        (None, false) => Evidence::Declared,
    };
    let tests = measured.map_or(c.tests, |m| m.tests);
    let credited = match evidence {
        Evidence::Measured => measured.map_or(0, |m| m.passed),
        Evidence::Declared => c.tests,
        Evidence::NotRun => 0,
    };
    let failed_total = measured.map_or(0, |m| m.failed_total());
    let met = evidence != Evidence::NotRun && credited >= c.target;
    let stages: Vec<StageView> = c.status.iter().map(stage_view).collect();
    findings.extend(stage_findings(c, &stages, measured, evidence));

    let target_status = match evidence {
        Evidence::NotRun => Status::NotRun,
        _ if !met => Status::Warn,
        Evidence::Declared => Status::Unverified,
        Evidence::Measured => Status::Ok,
    };
    // Claims of trouble count; a claim of "ok" adds nothing to measured evidence, and a claim
    // of "not run" is void once results show the tests ran (a finding says so).
    let ran = measured.is_some_and(|m| m.tests > m.skipped);
    let worst_stage = stages
        .iter()
        .map(|s| s.status)
        .filter(|s| *s != Status::Unverified && !(ran && *s == Status::NotRun))
        .max()
        .unwrap_or(Status::Ok);
    let run_status = match evidence {
        _ if failed_total > 0 => Status::Fail,
        Evidence::NotRun => Status::NotRun,
        // Claims of failure count; claims of success do not make a ✅.
        Evidence::Declared => worst_stage.max(Status::Unverified),
        Evidence::Measured => worst_stage,
    };
    CategoryFigures {
        slug: c.slug.clone(),
        name: c.name.clone(),
        file: c.file.display().to_string(),
        tests,
        declared_tests: c.tests,
        credited,
        evidence,
        measured,
        failed_total,
        failed_cases: bucket.map(|b| b.failed_cases.clone()).unwrap_or_default(),
        failed_omitted: bucket.map_or(0, |b| b.failed_omitted),
        slowest: bucket.map(|b| b.slowest.clone()).unwrap_or_default(),
        matched: bucket.map(|b| b.sources.clone()).unwrap_or_default(),
        matched_omitted: bucket.map_or(0, |b| b.sources_omitted),
        target: c.target,
        percent: percent(credited, c.target),
        met,
        shortfall: c.target.saturating_sub(credited),
        value: c.value,
        value_share: None,
        location: c.location.clone(),
        covers: c.covers.clone(),
        target_status,
        run_status,
        status: target_status.max(run_status),
        stage_cells: Vec::new(),
        stages,
        extra: c.extra.clone(),
    }
}

/// Which measured fact contradicts which declared stage: the one table (docs/results.md, "Stages and
/// evidence").
///
/// | declared                         | contradicted when the category's results show      |
/// |----------------------------------|----------------------------------------------------|
/// | `execution: ok`                  | a test failed or errored                           |
/// | `execution: failed`              | tests ran and none failed or errored               |
/// | `execution: not-run`             | tests ran                                          |
/// | `collection: not-run`/`failed`   | tests ran (so they were collected)                 |
/// | any stage                        | nothing when the category has no results           |
fn stage_findings(
    c: &Category,
    stages: &[StageView],
    measured: Option<Measured>,
    evidence: Evidence,
) -> Vec<ModelFinding> {
    let mut out = Vec::new();
    let finding = |kind, message: String| ModelFinding {
        kind,
        category: Some(c.name.clone()),
        file: Some(c.file.display().to_string()),
        line: None,
        message,
    };
    let Some(m) = measured else {
        if evidence == Evidence::NotRun {
            out.push(finding(FindingKind::NotRun, format!("{} has no test results: not run", c.name)));
        }
        return out;
    };
    if m.tests != c.tests {
        out.push(finding(
            FindingKind::CountMismatch,
            format!("{} declares {} tests; its results have {}", c.name, c.tests, m.tests),
        ));
    }
    let ran = m.tests > m.skipped;
    for s in stages {
        let why = match (s.stage.as_str(), s.state) {
            ("execution", StageState::Ok) if m.failed_total() > 0 => {
                Some(format!("{} of its {} measured tests failed", m.failed_total(), m.tests))
            }
            ("execution", StageState::Failed) if ran && m.failed_total() == 0 => {
                Some(format!("its {} measured tests ran and none failed", m.tests))
            }
            ("execution" | "collection", StageState::NotRun) if ran => {
                Some(format!("{} of its tests ran", m.tests.saturating_sub(m.skipped)))
            }
            ("collection", StageState::Failed) if ran => Some(format!(
                "{} of its tests ran, so they were collected",
                m.tests.saturating_sub(m.skipped)
            )),
            _ => None,
        };
        if let Some(why) = why {
            out.push(finding(
                FindingKind::StageContradicted,
                format!("{} declares stage `{}` {}, but {why}", c.name, s.stage, s.state.name()),
            ));
        }
    }
    out
}

fn stage_view(s: &Stage) -> StageView {
    StageView { stage: s.stage.clone(), state: s.state, status: s.state.into(), note: s.note.clone() }
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
}
