//! Claims of completion or success in the narrative that the computed state contradicts: the
//! scanner ([`crate::load::narrative::claims`]) finds them when the manifests load; this module
//! keeps the ones the computed totals and categories contradict.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::load::narrative::{CLAIM_FIELDS, ClaimKind, NarrativeText, claims};
use crate::model::{CategoryFigures, Evidence, Totals};

/// A computed fact that can contradict a claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fact {
    /// A measured test failed or errored, or a stage is declared failed.
    Failures,
    /// No test results were given (or they hold no test).
    NoResults,
    /// A category has no results, or declares a stage not-run and no result shows it ran.
    NotRun,
    /// The overall target or a category's target is not met.
    BelowTarget,
}

/// The facts that contradict the claim (docs/manifests.md, "Claims lint").
fn contradicted_by(kind: ClaimKind) -> &'static [Fact] {
    match kind {
        ClaimKind::AllPass => &[Fact::Failures, Fact::NoResults, Fact::NotRun],
        ClaimKind::ProductionReady => &[Fact::Failures, Fact::BelowTarget, Fact::NotRun],
        ClaimKind::Complete | ClaimKind::FullCoverage => &[Fact::BelowTarget],
        ClaimKind::Verified | ClaimKind::Ran => &[Fact::NoResults, Fact::NotRun],
    }
}

/// A claim of completion or success that the computed state contradicts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnverifiedClaim {
    /// The narrative text, as read from the manifest.
    pub text: String,
    /// The words that make the claim, as written ("Production quality").
    pub claim: String,
    pub kind: ClaimKind,
    /// The computed facts that contradict it, in the reader's words.
    pub contradicted_by: Vec<String>,
    pub file: String,
    pub line: u64,
    pub column: u64,
}

impl UnverifiedClaim {
    /// The warning printed for it.
    pub fn message(&self) -> String {
        format!(
            "narrative claims {} ({:?}), but {} — marked unverified in the report",
            self.kind.what(),
            self.claim,
            self.contradicted_by.join("; ")
        )
    }
}

/// The claims in narrative `texts` (of the fields in [`CLAIM_FIELDS`]) that the computed
/// totals and categories contradict, in the order of the texts.
pub fn unverified_claims(
    texts: &[NarrativeText],
    totals: &Totals,
    categories: &[CategoryFigures],
) -> Vec<UnverifiedClaim> {
    let facts = Facts::of(totals, categories);
    let mut out = Vec::new();
    for t in texts.iter().filter(|t| CLAIM_FIELDS.contains(&t.field)) {
        for c in claims(&t.text) {
            let against: Vec<String> =
                contradicted_by(c.kind).iter().flat_map(|f| facts.get(*f)).cloned().collect();
            if against.is_empty() {
                continue;
            }
            let (line, column) = t.position(c.offset);
            out.push(UnverifiedClaim {
                text: t.text.clone(),
                claim: c.phrase,
                kind: c.kind,
                contradicted_by: against,
                file: t.file.display().to_string(),
                line,
                column,
            });
        }
    }
    // In the order written, whatever order the fields were read in.
    out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    out
}

/// The texts of `claims`, each with why it is unverified, for templates: `{% if p in unverified %}`
/// is a lookup, so marking every narrative line stays linear.
pub fn by_text(claims: &[UnverifiedClaim]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for c in claims {
        out.entry(c.text.clone()).or_insert_with(|| c.contradicted_by.join("; "));
    }
    out
}

/// The computed facts that contradict claims, each in the reader's words (empty: not so).
struct Facts {
    failures: Vec<String>,
    no_results: Vec<String>,
    not_run: Vec<String>,
    below_target: Vec<String>,
}

impl Facts {
    fn of(t: &Totals, categories: &[CategoryFigures]) -> Facts {
        let mut failures = Vec::new();
        if t.failed_total > 0 {
            failures.push(format!("{} failed", count(t.failed_total, "test", "tests")));
        }
        let failed_stage: Vec<&str> = categories
            .iter()
            .filter(|c| c.stages.iter().any(|s| s.state == crate::load::manifest::StageState::Failed))
            .map(|c| c.name.as_str())
            .collect();
        if !failed_stage.is_empty() {
            failures.push(format!(
                "{} {} a stage declared failed",
                names(&failed_stage),
                has(failed_stage.len())
            ));
        }

        let mut no_results = Vec::new();
        if !t.verified {
            no_results.push("no test results were given".to_string());
        } else if t.conditions.empty {
            no_results.push("the test results hold no test".to_string());
        }

        // Not run: no results while results were given, or a stage declared not-run that no
        // result contradicts.
        let not_run: Vec<&str> = categories
            .iter()
            .filter(|c| {
                let ran = c.measured.is_some_and(|m| m.tests > m.skipped);
                c.evidence == Evidence::NotRun
                    || (!ran && c.stages.iter().any(|s| s.state == crate::load::manifest::StageState::NotRun))
            })
            .map(|c| c.name.as_str())
            .collect();
        let not_run =
            if not_run.is_empty() { Vec::new() } else { vec![format!("{} did not run", names(&not_run))] };

        let mut below_target = Vec::new();
        if t.credited < t.target {
            below_target.push(format!(
                "the target is not met ({} of {} tests)",
                thousands(t.credited),
                thousands(t.target)
            ));
        }
        let below: Vec<&str> = categories.iter().filter(|c| !c.met).map(|c| c.name.as_str()).collect();
        if !below.is_empty() {
            let verb = if below.len() == 1 { "is" } else { "are" };
            below_target.push(format!("{} {verb} below target", names(&below)));
        }
        if below_target.is_empty() && !t.met && !categories.is_empty() {
            below_target.push("the target is not met".to_string());
        }
        Facts { failures, no_results, not_run, below_target }
    }

    fn get(&self, f: Fact) -> &[String] {
        match f {
            Fact::Failures => &self.failures,
            Fact::NoResults => &self.no_results,
            Fact::NotRun => &self.not_run,
            Fact::BelowTarget => &self.below_target,
        }
    }
}

/// "Auth", "Auth and E2E", "Auth, E2E and GCP", "Auth, E2E, GCP and 2 more". Long names are
/// shortened: a message is copied for every claim, so its size stays bounded.
fn names(list: &[&str]) -> String {
    const SHOWN: usize = 3;
    let short = |n: &&str| -> String {
        if n.chars().count() > 40 {
            format!("{}…", n.chars().take(40).collect::<String>())
        } else {
            n.to_string()
        }
    };
    let shown: Vec<String> = list.iter().take(SHOWN).map(short).collect();
    match list.len() {
        0 => String::new(),
        1 => shown[0].clone(),
        n if n <= SHOWN => {
            let last = n.saturating_sub(1);
            format!("{} and {}", shown[..last].join(", "), shown[last])
        }
        n => format!("{} and {} more", shown.join(", "), n.saturating_sub(SHOWN)),
    }
}

fn has(n: usize) -> &'static str {
    if n == 1 { "has" } else { "have" }
}

use crate::words::count_as as count;

fn thousands(n: u64) -> String {
    crate::words::thousands(u128::from(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_briefly() {
        assert_eq!(names(&["A"]), "A");
        assert_eq!(names(&["A", "B"]), "A and B");
        assert_eq!(names(&["A", "B", "C"]), "A, B and C");
        assert_eq!(names(&["A", "B", "C", "D", "E"]), "A, B, C and 2 more");
        let long = "x".repeat(50);
        assert_eq!(names(&[long.as_str()]), format!("{}…", "x".repeat(40)));
    }
}
