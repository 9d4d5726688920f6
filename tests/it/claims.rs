//! The claims lint: narrative claims of completion and success ("all tests pass",
//! "production-ready", "complete", "100%", "validated", "tests were run"), checked against the
//! computed state. For each family: one state that backs the claim (no warning, no marker) and
//! one that contradicts it (a warning naming file:line:column, the sentence marked unverified,
//! the report still written with exit 0). Every test runs the real binary on files written to a
//! temp dir.

use crate::support;

use std::fs;
use std::path::PathBuf;

use support::{Run, assert_ok, gen_report};

/// A data directory in a temp dir: `data/report.yaml` with one narrative point, one category
/// `API` and, when given, its JUnit results.
struct Data {
    tmp: tempfile::TempDir,
}

/// The computed state a claim is checked against.
#[derive(Clone, Copy)]
enum State {
    /// Results given: 2 of a 2-test target, both pass.
    Backed,
    /// Results given: 2 tests, 1 fails.
    Failing,
    /// Declared only: 2 tests of a 5-test target.
    BelowTarget,
    /// Declared only: 2 tests of a 2-test target.
    DeclaredMet,
    /// Declared only, at target, with execution declared not-run.
    NotRunStage,
}

/// A JUnit file with `passed` passing and `failed` failing cases.
fn junit(passed: usize, failed: usize) -> String {
    let mut cases = String::new();
    for i in 0..passed {
        cases.push_str(&format!("  <testcase classname=\"api\" name=\"ok_{i}\" time=\"0.1\"/>\n"));
    }
    for i in 0..failed {
        cases.push_str(&format!(
            "  <testcase classname=\"api\" name=\"bad_{i}\" time=\"0.1\"><failure message=\"boom\"/></testcase>\n"
        ));
    }
    format!(
        "<?xml version=\"1.0\"?>\n<testsuite name=\"api\" tests=\"{}\" failures=\"{failed}\">\n{cases}</testsuite>\n",
        passed + failed
    )
}

impl Data {
    fn new(point: &str, state: State) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        fs::create_dir_all(data.join("categories")).unwrap();
        fs::write(
            data.join("report.yaml"),
            format!("title: Claims\nachievements:\n  - title: Work\n    points:\n      - \"{point}\"\n"),
        )
        .unwrap();
        let (target, results) = match state {
            State::Backed => (2, Some(junit(2, 0))),
            State::Failing => (2, Some(junit(1, 1))),
            State::BelowTarget => (5, None),
            State::DeclaredMet | State::NotRunStage => (2, None),
        };
        let mut category = format!("name: API\ntarget: {target}\ntests: 2\n");
        if let Some(xml) = results {
            fs::create_dir_all(data.join("results")).unwrap();
            fs::write(data.join("results/api.xml"), xml).unwrap();
            category.push_str("results: ../results/api.xml\n");
        }
        if let State::NotRunStage = state {
            category.push_str("status:\n  execution: not-run\n");
        }
        fs::write(data.join("categories/api.yaml"), category).unwrap();
        Data { tmp }
    }

    fn path(&self) -> PathBuf {
        self.tmp.path().to_path_buf()
    }

    /// `gen-report data ARGS`, from the temp dir (so paths print as `data/…`).
    fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["data"];
        all.extend_from_slice(args);
        gen_report(all).current_dir(self.path()).run()
    }
}

/// The warning for a claim at `data/report.yaml:5:column` (the point's line), as printed.
fn warning(point: &str, column: usize, message: &str) -> String {
    format!(
        "warning: {message}\n  --> data/report.yaml:5:{column}\n  |\n5 |       - \"{point}\"\n  | {}^\n",
        " ".repeat(column - 1)
    )
}

/// The state backs the claim: no warning, no marker.
#[track_caller]
fn backed(point: &str, state: State) {
    let r = Data::new(point, state).run(&[]);
    assert_ok(&r);
    assert_eq!(r.stderr, "", "{point:?} is backed: no warning");
    assert!(r.stdout.contains(&format!("\n- {point}\n")), "{}", r.stdout);
    assert!(!r.stdout.contains("*(unverified)*"), "{}", r.stdout);
}

/// The state contradicts the claim: exactly this warning, the sentence marked, exit 0.
#[track_caller]
fn contradicted(point: &str, state: State, column: usize, message: &str) {
    let r = Data::new(point, state).run(&[]);
    assert_ok(&r);
    assert_eq!(r.stderr, warning(point, column, message));
    assert!(r.stdout.contains(&format!("\n- {point} *(unverified)*\n")), "{}", r.stdout);
}

// Checks "all tests pass" holds when every test passed and is contradicted by a failure.
#[test]
fn all_tests_pass() {
    backed("All tests pass", State::Backed);
    contradicted(
        "All tests pass",
        State::Failing,
        10,
        "narrative claims that all tests pass (\"All tests pass\"), but 1 test failed — marked unverified in the report",
    );
    contradicted(
        "Every test passes",
        State::DeclaredMet,
        10,
        "narrative claims that all tests pass (\"Every test passes\"), but no test results were given — marked unverified in the report",
    );
}

// Checks "production-ready" holds at target with every test passing and is contradicted by a
// missed target.
#[test]
fn production_ready() {
    backed("Production-ready: the API suite", State::Backed);
    contradicted(
        "Production-ready: the API suite",
        State::BelowTarget,
        10,
        "narrative claims production readiness (\"Production-ready\"), but the target is not met (2 of 5 tests); API is below target — marked unverified in the report",
    );
}

// Checks "accomplished" holds when every target is met and is contradicted by a missed target.
#[test]
fn complete() {
    backed("Mission accomplished", State::DeclaredMet);
    contradicted(
        "Mission accomplished",
        State::BelowTarget,
        18,
        "narrative claims completion (\"accomplished\"), but the target is not met (2 of 5 tests); API is below target — marked unverified in the report",
    );
}

// Checks "… covered" and "100%" hold when every target is met and are contradicted by a missed
// target.
#[test]
fn full_coverage() {
    backed("Every endpoint covered", State::DeclaredMet);
    contradicted(
        "Every endpoint covered",
        State::BelowTarget,
        10,
        "narrative claims full coverage (\"Every endpoint covered\"), but the target is not met (2 of 5 tests); API is below target — marked unverified in the report",
    );
    let r = Data::new("Endpoints: 100% covered", State::BelowTarget).run(&[]);
    assert_ok(&r);
    // A typed percentage warns too (figures are computed), at the string; the claim at its words.
    assert!(r.stderr.contains("--> data/report.yaml:5:9\n"), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: narrative claims full coverage (\"100%\"), but the target is not met (2 of 5 tests); API is below target — marked unverified in the report\n  --> data/report.yaml:5:21\n"
        ),
        "{}",
        r.stderr
    );
}

// Checks "validated" holds when results back it and is contradicted when none were given.
#[test]
fn verified() {
    backed("All flows validated", State::Backed);
    contradicted(
        "All flows validated",
        State::DeclaredMet,
        20,
        "narrative claims verification (\"validated\"), but no test results were given — marked unverified in the report",
    );
}

// Checks "tests were run" holds when results show the tests ran and is contradicted by a stage
// declared not-run.
#[test]
fn tests_were_run() {
    backed("Test execution: tests were run and issues identified", State::Backed);
    contradicted(
        "Test execution: tests were run and issues identified",
        State::NotRunStage,
        26,
        "narrative claims that the tests ran (\"tests were run\"), but no test results were given; API did not run — marked unverified in the report",
    );
}

// Checks negated, hedged and planned statements claim nothing, even when the state would
// contradict the claim.
#[test]
fn negations_claim_nothing() {
    for point in [
        "Not yet production-ready",
        "The suite is not yet complete",
        "Test execution: attempted to run the tests and identify issues",
        "Not all tests pass",
        "No coverage of the admin endpoints: not fully covered",
    ] {
        for state in [State::Failing, State::BelowTarget, State::NotRunStage] {
            let r = Data::new(point, state).run(&[]);
            assert_ok(&r);
            assert!(!r.stderr.contains("narrative claims"), "{point:?}: {}", r.stderr);
            assert!(!r.stdout.contains("*(unverified)*"), "{point:?}: {}", r.stdout);
        }
    }
}

// Checks plans (next steps) and the objective are not checked: they state aims.
#[test]
fn plans_are_not_claims() {
    let d = Data::new("Work", State::BelowTarget);
    let report = d.path().join("data/report.yaml");
    let text = fs::read_to_string(&report).unwrap();
    fs::write(
        &report,
        format!("{text}objective: Complete coverage, production-ready\nnext_steps:\n  immediate: [All tests passing, mission accomplished]\n"),
    )
    .unwrap();
    let r = d.run(&[]);
    assert_ok(&r);
    assert_eq!(r.stderr, "");
}

// Checks the model lists the unverified claims and `check` counts their warnings.
#[test]
fn model_and_check() {
    let d = Data::new("Production-ready and done", State::BelowTarget);
    let r = d.run(&["--format", "json"]);
    assert_ok(&r);
    let model: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let reasons = ["the target is not met (2 of 5 tests)", "API is below target"];
    assert_eq!(
        model["unverified_claims"],
        serde_json::json!([
            {
                "text": "Production-ready and done",
                "claim": "Production-ready",
                "kind": "production-ready",
                "contradicted_by": reasons,
                "file": "data/report.yaml",
                "line": 5,
                "column": 10
            },
            {
                "text": "Production-ready and done",
                "claim": "done",
                "kind": "complete",
                "contradicted_by": reasons,
                "file": "data/report.yaml",
                "line": 5,
                "column": 31
            }
        ])
    );
    assert_eq!(
        model["unverified"],
        serde_json::json!({"Production-ready and done": "the target is not met (2 of 5 tests); API is below target"})
    );
    let r = gen_report(["check", "data"]).current_dir(d.path()).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.ends_with("ok: 1 category, 0 result files, 2 warnings, 0 findings\n"), "{}", r.stderr);
}

// Checks the narrative lint is linear: a manifest with 200,000 numbers in one text and 2,000
// contradicted claims in as many points is checked in the ordinary test run. (The lint once
// copied the rest of the text for each number, and read the manifest again for each warning:
// this input then took hours.)
#[test]
fn big_narrative_is_checked_in_linear_time() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir_all(data.join("categories")).unwrap();
    let numbers: Vec<String> = (0..200_000).map(|n| format!("step {n}")).collect();
    let mut yaml = format!("title: Big\nfinal_remarks:\n  - \"{}\"\nprocess:\n", numbers.join(", "));
    for n in 0..2_000 {
        yaml.push_str(&format!("  - \"Stage {n} done\"\n"));
    }
    fs::write(data.join("report.yaml"), yaml).unwrap();
    fs::write(data.join("categories/api.yaml"), "name: API\ntarget: 5\ntests: 2\n").unwrap();
    let r = gen_report(["check", "data"]).current_dir(tmp.path()).run();
    assert_eq!(r.code, 0, "{}", &r.stderr[..r.stderr.len().min(2000)]);
    assert_eq!(r.stderr.matches("warning: narrative claims completion (\"done\")").count(), 2_000);
    assert!(r.stderr.contains("--> data/report.yaml:2004:17\n"), "the last point's claim");
    assert!(r.stderr.ends_with("ok: 1 category, 0 result files, 2,000 warnings, 0 findings\n"));
}
