//! `--format junit`: results of any format, alone or merged, written as one JUnit XML document
//! and read back by gen-report with the same totals (tests, passed, failures, errors, skipped,
//! flaky; duration to the millisecond per case), and the same bytes on a second run.

use crate::support;

use std::fs;

use serde_json::Value;
use support::{fixture, gen_report};

/// `totals.measured` of the JSON model for these result files.
fn measured(files: &[String]) -> Value {
    let mut args: Vec<String> = files.to_vec();
    args.extend(["--format".into(), "json".into()]);
    let run = gen_report(&args).run();
    assert!(run.code <= 1, "{}", run.stderr);
    let model: Value = serde_json::from_str(&run.stdout).unwrap();
    model["totals"]["measured"].clone()
}

fn path(rel: &str) -> String {
    fixture(rel).to_str().unwrap().to_string()
}

#[test]
fn any_input_round_trips_through_junit_with_the_same_totals() {
    let inputs: Vec<Vec<String>> = vec![
        vec![path("runners/go-test-json/build-failure-panic/go-test.json")],
        vec![path("runners/tap-perl/mixed/basic.tap"), path("runners/tap-perl/mixed/died.tap")],
        vec![path("runners/libtest-json/workspace-abort/cargo-test.json")],
        vec![path("runners/jest/retries-no-describe/ctrf-report.json")],
        vec![path("runners/jest/retries-no-describe/jest.json")],
        vec![path("runners/mocha/json-reporter/mocha.json")],
        vec![path("runners/surefire-junit4/rerun-flaky/surefire-reports")],
        vec![path("formats/xunit-v2.xml")],
        // Several formats merged into one document.
        vec![
            path("runners/go-test-json/build-failure-panic/go-test.json"),
            path("runners/node-test/suites-subtests/report.tap"),
            path("results/nextest-libtest.json"),
        ],
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, files) in inputs.iter().enumerate() {
        let before = measured(files);
        assert!(before["tests"].as_u64().unwrap() > 0, "{files:?}");
        let out = dir.path().join(format!("{i}.xml"));
        let mut args = files.clone();
        args.extend(["--format".into(), "junit".into(), "-o".into(), out.to_str().unwrap().into()]);
        let run = gen_report(&args).run();
        assert!(run.code <= 1, "{files:?}: {}", run.stderr);
        let xml = fs::read_to_string(&out).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "), "{xml}");
        let after = measured(&[out.to_str().unwrap().to_string()]);
        for key in ["tests", "passed", "failures", "errors", "skipped", "flaky"] {
            assert_eq!(after[key], before[key], "{key} of {files:?}:\n{xml}");
        }
        let (b, a) = (before["duration_s"].as_f64().unwrap(), after["duration_s"].as_f64().unwrap());
        assert!((a - b).abs() <= 0.0005, "duration of {files:?}: {b} → {a}");
        // Same inputs, same bytes.
        let again = gen_report([&files[..], &["--format".into(), "junit".into()]].concat()).run();
        assert_eq!(again.stdout, xml);
    }
}

// Checks a data directory without results: a valid document of no tests (as `--format ctrf`).
#[test]
fn manifests_without_results_give_an_empty_document() {
    let run = gen_report(["data", "--format", "junit"]).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains(" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""), "{}", run.stdout);
}
