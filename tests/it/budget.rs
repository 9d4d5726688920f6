//! `render::budget::fit` on reports shaped like gen-report's own (templates/report.md with
//! partials/results.md): edges of the budget, a 100,000-failure report shrunk to each preset,
//! multibyte text counted in characters and bytes, and many random budgets.

use crate::support;

use std::fmt::Write as _;
use std::time::Instant;

use gen_report::render::budget::{Budget, Fitted, Unit, fit};
use support::markdown;

const NOTICE: &str = "> ⚠️ This report was shortened to fit";
const TITLE: &str = "# Integration Test Report 🚀\n";

/// A report as templates/report.md renders one with results: header with the totals, a
/// statistics table of `categories` rows (passing and failing), the Evidence section with
/// `failures` `<details>` blocks (a fenced message each) and a slowest-tests table, a stability
/// table of passing stages, and closing sections. `emoji` puts multibyte text in names and
/// messages.
fn report(categories: usize, failures: usize, emoji: bool) -> String {
    let name = |i: usize| if emoji { format!("テスト_{i}_😀🔥") } else { format!("test_case_{i}") };
    let total = categories * 10;
    let mut md = String::new();
    md.push_str(TITLE);
    let _ = write!(
        md,
        "\n**Date**: 2025-09-11  \n{}\n\n---\n\n## 🎯 Mission Summary\n\n**Result**: {total} tests across {categories} categories.\n\n**Verdict**: ❌ not met\n\n---\n\n## 📊 Test Statistics\n\n",
        totals_line(total, failures)
    );
    md.push_str("| Category | Target | Tests | Of target | Passed | Failed | Skipped | Status | Location | Covers |\n");
    md.push_str("|----------|-------:|------:|----------:|-------:|-------:|--------:|:------:|----------|--------|\n");
    for c in 0..categories {
        let status = ["✅", "❌", "⚠️", "✅", "✅"][c % 5];
        let _ = writeln!(
            md,
            "| **Category {c}** | 10 | 10 | 100% | 9 | 1 | 0 | {status} | `tests/cat_{c}/` | login, logout, {} |",
            name(c)
        );
    }
    let _ = write!(
        md,
        "| **Total** | **{total}** | **{total}** | **100%** | **{}** | **{failures}** | **0** | ❌ | | |\n\n**Total tests**: {total} of {total} (100%)  \n**Business value protected**: \\$3.1M\n\n---\n\n## 🔎 Evidence and Reconciliation\n\nMeasured from 3 result files: {total} tests, {failures} failed.\n\n| Finding | Category | Details |\n|---------|----------|---------|\n| count-mismatch | Category 1 | declares 12, results have 10 |\n\n### ❌ Failures\n\n",
        total.saturating_sub(failures)
    );
    for f in 0..failures {
        let _ = write!(
            md,
            "<details><summary>❌ {} — suite&#95;{}</summary>\n\nAt `tests/cat_{}/test.rs:{}`, from `results/junit.xml`\n\n```\nassertion `left == right` failed{}\n  left: {f}\n right: 0 | pipe\n```\n\n</details>\n\n",
            name(f),
            f % 97,
            f % categories.max(1),
            f % 500,
            if emoji { format!("\n{}", "💥失敗😀".repeat(12)) } else { String::new() }
        );
    }
    md.push_str("### 🐢 Slowest tests\n\n| Test | Suite | Duration |\n|------|-------|---------:|\n");
    for s in 0..categories.min(500) {
        let _ = writeln!(md, "| {} | suite_{} | {}.5 s |", name(s), s % 97, 500 - s);
    }
    md.push_str("\n---\n\n## 📈 System Stability Assessment\n\n| Category | Stage | Status | Note |\n|----------|-------|:------:|------|\n");
    for c in 0..categories {
        let _ = writeln!(md, "| Category {c} | collection | ✅ ok |  |");
        let _ = writeln!(
            md,
            "| Category {c} | execution | {} |  |",
            if c % 7 == 0 { "⚠️ issues" } else { "✅ ok" }
        );
    }
    md.push_str("\n**Stages**: many ok\n\n---\n\n## 🏁 Final Assessment\n\n**Verdict**: ❌ **NOT MET**\n\n---\n\n**Status**: ❌ not met\n");
    md
}

fn totals_line(total: usize, failures: usize) -> String {
    format!("**Result**: ❌ Target not met: {total} tests, {failures} failed")
}

/// The invariants every fitted report keeps: within budget, tables well formed (every source
/// row has the header's cell count), `<details>` and fences balanced.
#[track_caller]
fn assert_fitted(input: &str, f: &Fitted, budget: &Budget) {
    let size = budget.measure(&f.text);
    assert!(size <= budget.limit, "{size} over the budget {budget:?}");
    if budget.measure(input) <= budget.limit {
        assert_eq!(f.text, input, "a fitting report must be unchanged");
        assert!(f.omitted.is_empty());
        return;
    }
    markdown::tables(&f.text);
    assert_eq!(f.text.matches("<details").count(), f.text.matches("</details>").count(), "{}", f.text);
    let fences = f.text.lines().filter(|l| l.trim_start().starts_with("```")).count();
    assert_eq!(fences % 2, 0, "unbalanced fences:\n{}", f.text);
    assert!(!f.omitted.is_empty(), "shortened without saying what was left out");
    // The head (title, date, result line) is always kept whole.
    let head = &input[..input.find("\n## ").unwrap_or(input.len()) + 1];
    assert!(f.text.starts_with(head), "head lost:\n{}", f.text);
    if budget.limit >= 300 {
        assert!(f.text.contains(NOTICE), "no notice:\n{}", f.text);
    }
}

#[test]
fn edges_of_the_budget() {
    for (unit, emoji) in [(Unit::Bytes, false), (Unit::Chars, true)] {
        let md = report(20, 50, emoji);
        let size = unit.measure(&md);
        for limit in [size + 1, size] {
            let budget = Budget { limit, unit };
            let f = fit(&md, &budget).unwrap();
            assert_eq!(f.text, md, "{unit:?} {limit}: fits, unchanged");
            assert!(f.omitted.is_empty());
        }
        let budget = Budget { limit: size - 1, unit };
        let f = fit(&md, &budget).unwrap();
        assert_ne!(f.text, md);
        assert_fitted(&md, &f, &budget);
        assert!(f.text.contains(&totals_line(200, 50)));
    }
}

#[test]
fn hundred_thousand_failures_fit_every_preset() {
    let md = report(2_000, 100_000, false);
    for (name, budget) in
        [("summary", Budget::SUMMARY), ("comment", Budget::COMMENT), ("check", Budget::CHECK)]
    {
        assert_eq!(Budget::parse(name), Ok(budget));
        let started = Instant::now();
        let f = fit(&md, &budget).unwrap();
        let elapsed = started.elapsed();
        eprintln!(
            "budget {name}: {} bytes ({} chars) in, {} bytes ({} chars) out, limit {} {:?}, in {elapsed:.2?}",
            md.len(),
            md.chars().count(),
            f.text.len(),
            f.text.chars().count(),
            budget.limit,
            budget.unit,
        );
        eprintln!("  omitted: {}", f.omitted.join("; "));
        assert_fitted(&md, &f, &budget);
        assert!(f.text.contains(NOTICE));
        assert!(f.text.contains(&totals_line(20_000, 100_000)), "totals lost");
        // What is left is what matters most: the failures, not the passing rows.
        assert!(f.text.contains("<details><summary>❌ test_case_0 — "));
        assert!(!f.text.contains("| Category 3 | collection | ✅ ok |"));
        assert!(f.text.contains("| **Total** | **20000** |"));
        // Its time is printed above for the note; bench/run is where speed is judged.
    }
}

#[test]
fn multibyte_text_counts_characters_or_bytes() {
    let md = report(50, 300, true);
    assert!(md.len() > md.chars().count() + 10_000, "emoji-heavy");
    let chars = Budget { limit: 10_000, unit: Unit::Chars };
    let f = fit(&md, &chars).unwrap();
    assert_fitted(&md, &f, &chars);
    assert!(f.text.chars().count() <= 10_000 && f.text.len() > 10_000, "counted in characters");
    assert!(f.text.contains("fit 10,000 characters:"));

    let bytes = Budget { limit: 10_000, unit: Unit::Bytes };
    let g = fit(&md, &bytes).unwrap();
    assert_fitted(&md, &g, &bytes);
    assert!(g.text.len() <= 10_000 && g.text.contains("fit 10,000 bytes:"));
    assert!(g.text.len() < f.text.len(), "a byte budget keeps less of multibyte text");
    // Never a split character: the output is a `String`, and whole blocks are kept.
    assert!(g.text.contains("テスト_0_😀🔥"));
}

/// A small deterministic generator (Knuth's MMIX LCG): no dependency, same cases every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

#[test]
fn random_budgets_keep_the_invariants() {
    let mut rng = Lcg(0x5eed);
    let docs = [report(30, 200, false), report(12, 40, true), report(300, 5, false)];
    for md in &docs {
        for unit in [Unit::Bytes, Unit::Chars] {
            let size = unit.measure(md);
            for round in 0..150 {
                // Mostly anywhere up to the size; every fifth round a tiny budget.
                let limit = if round % 5 == 0 { 1 + rng.below(400) } else { 1 + rng.below(size + 10) };
                let budget = Budget { limit, unit };
                match fit(md, &budget) {
                    Ok(f) => assert_fitted(md, &f, &budget),
                    // Too small for the head: refused, and the minimum it names is enough.
                    Err(e) => {
                        assert!(limit < e.minimum, "{limit} refused, minimum {}", e.minimum);
                        let at_min = Budget { limit: e.minimum, unit };
                        assert_fitted(md, &fit(md, &at_min).unwrap(), &at_min);
                    }
                }
            }
        }
    }
}
