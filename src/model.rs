//! The computed model: the only place where a figure or a status is derived.
//!
//! Templates and `--format json` see exactly these types. Field names are a documented
//! contract (README, "The model").

use serde::Serialize;

use crate::manifest::{Category, Extra, Manifests, Stage, StageState};

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
    pub tests: u64,
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
    /// Derived: ❌ when a stage failed; ⚠️ when below target or a stage has issues or did not
    /// run; ✅ otherwise.
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

/// Computes the report from validated manifests.
pub fn build(manifests: &Manifests, opts: &BuildOptions) -> Report {
    let r = &manifests.report;
    let categories: Vec<CategoryFigures> = manifests.categories.iter().map(category_figures).collect();

    let tests: u64 = categories.iter().map(|c| c.tests).fold(0, u64::saturating_add);
    let (target, target_source) = match r.target {
        Some(t) => (t, "explicit"),
        None => (categories.iter().map(|c| c.target).fold(0, u64::saturating_add), "sum-of-categories"),
    };
    let value: f64 = categories.iter().map(|c| c.value).sum();
    let categories_met = categories.iter().filter(|c| c.met).count();
    let met = tests >= target;
    let verdict = verdict(met, categories_met, categories.len());
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
    };

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
    }
}

fn category_figures(c: &Category) -> CategoryFigures {
    let met = c.tests >= c.target;
    let stages: Vec<StageView> = c.status.iter().map(stage_view).collect();
    CategoryFigures {
        slug: c.slug.clone(),
        name: c.name.clone(),
        file: c.file.display().to_string(),
        tests: c.tests,
        target: c.target,
        percent: percent(c.tests, c.target),
        met,
        shortfall: c.target.saturating_sub(c.tests),
        value: c.value,
        value_share: None,
        location: c.location.clone(),
        covers: c.covers.clone(),
        status: category_status(met, &stages),
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
    if total_met && categories_met == categories {
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
        assert_eq!(verdict(true, 0, 0), Verdict::Met);
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
