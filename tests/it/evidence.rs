//! End-to-end tests of result ingestion and reconciliation: the real binary on fixture folders.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn gen_report(args: &[&str]) -> Output {
    support::output(
        Command::new(env!("CARGO_BIN_EXE_gen-report"))
            .args(args)
            .current_dir(root())
            .env_remove("SOURCE_DATE_EPOCH"),
    )
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let o = gen_report(&a);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

const RECONCILE: &[&str] =
    &["tests/fixtures/reconcile", "--results", "tests/fixtures/reconcile/results/staging.xml"];

// Checks the seed data with results: one category matching, one count mismatch, one failing,
// two not run, rendered as a whole.
#[test]
fn reconcile() {
    let o = gen_report(RECONCILE);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_snapshot!("reconcile", stdout(&o));
}

// Checks the measured figures in the JSON model, per category and in total.
#[test]
fn reconcile_json() {
    let v = json(RECONCILE);
    let m = &v["totals"]["measured"];
    for (k, want) in
        [("tests", 40), ("passed", 38), ("failures", 2), ("errors", 0), ("skipped", 0), ("flaky", 0)]
    {
        assert_eq!(m[k], want, "totals.measured.{k}");
    }
    // 6 Auth cases (2 × 0.25 s, 4 × 0.1 s), 22 GCP and 12 Staging cases at 0.1 s.
    assert!((m["duration_s"].as_f64().unwrap() - 4.3).abs() < 1e-9, "{}", m["duration_s"]);
    let cat =
        |name: &str| v["categories"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone();
    assert_eq!(cat("GCP")["measured"]["tests"], 22);
    assert_eq!(cat("GCP")["status"], "ok");
    assert_eq!(cat("Staging")["measured"]["tests"], 12);
    assert_eq!(cat("Staging")["declared_tests"], 15);
    assert_eq!(cat("Staging")["tests"], 12);
    assert_eq!(cat("Auth")["measured"]["failures"], 2);
    assert_eq!(cat("Auth")["status"], "fail");
    assert_eq!(cat("E2E")["measured"], serde_json::Value::Null);
    assert_eq!(cat("E2E")["status"], "not-run");
    // Evidence decides: GCP and Staging ran and passed (✅ on both questions); Auth failed.
    let statuses = |name: &str| {
        let c = cat(name);
        [c["target_status"].clone(), c["run_status"].clone(), c["status"].clone()]
    };
    assert_eq!(statuses("GCP"), ["ok", "ok", "ok"]);
    assert_eq!(statuses("Staging"), ["ok", "ok", "ok"]);
    assert_eq!(statuses("Auth"), ["warn", "fail", "fail"]);
    assert_eq!(statuses("E2E"), ["not-run", "not-run", "not-run"]);
    assert_eq!(cat("Auth")["credited"], 4, "only passing tests count toward the target");
    assert_eq!(v["totals"]["credited"], 38);
    assert_eq!(v["totals"]["status"], "fail", "never better than its worst category");
    let kinds: Vec<&str> =
        v["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["not-run", "count-mismatch", "stage-contradicted", "not-run"]);
}

// Checks that --fail-on writes the full report first, then exits 1 naming the condition.
#[test]
fn fail_on_conditions() {
    let mut args = RECONCILE.to_vec();
    args.extend(["--fail-on", "failures,not-run"]);
    let o = gen_report(&args);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("## Final Assessment"), "full report written");
    assert!(stderr(&o).contains("failures, not-run"), "{}", stderr(&o));
    // Without the flag, failures still exit 0.
    assert_eq!(gen_report(RECONCILE).status.code(), Some(0));
    // A condition that does not hold keeps exit 0.
    let zc = gen_report(&["tests/fixtures/zero_config", "--fail-on", "not-run"]);
    assert_eq!(zc.status.code(), Some(0), "{}", stderr(&zc));
}

// Checks zero-config mode on real runners' files (pytest, Maven Surefire).
#[test]
fn zero_config() {
    let o = gen_report(&["tests/fixtures/zero_config"]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_snapshot!("zero_config", stdout(&o));
    let v = json(&["tests/fixtures/zero_config"]);
    let m = &v["totals"]["measured"];
    assert_eq!(
        (m["tests"].as_u64(), m["failures"].as_u64(), m["errors"].as_u64()),
        (Some(12), Some(4), Some(5))
    );
}

// Checks that files of different formats merge, with totals recounted from the cases.
#[test]
fn mixed_formats_merge() {
    let dir = root().join("tests/fixtures/results");
    let files: Vec<PathBuf> =
        ["jest-ctrf-report.json", "cargo-test-libtest.json"].iter().map(|f| dir.join(f)).collect();
    let junit = root().join("tests/fixtures/zero_config/pytest.xml");
    let mut total = 0;
    for f in files.iter().chain([&junit]) {
        let v = json(&[f.to_str().unwrap()]);
        total += v["totals"]["measured"]["tests"].as_u64().unwrap();
    }
    assert_eq!(total, 13, "5 CTRF + 5 libtest + 3 pytest cases");
    let v = json(&[files[0].to_str().unwrap(), files[1].to_str().unwrap(), junit.to_str().unwrap()]);
    assert_eq!(v["totals"]["measured"]["tests"].as_u64().unwrap(), total);
    assert_eq!(v["results"]["files"].as_array().unwrap().len(), 3);
}

// Checks that unsupported formats are refused by name, with exit 2 and nothing on stdout.
#[test]
fn unsupported_format_is_refused() {
    let catch2 = root().join("tests/fixtures/runners/catch2/xml-reporter/catch2.xml");
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("results.xml");
    std::fs::copy(&catch2, &copy).expect("runner fixture present");
    let o = gen_report(&[copy.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("is a Catch2 XML file"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--reporter junit"), "{}", stderr(&o));
}

// Checks that a malformed results file gives file:line:column and writes nothing.
#[test]
fn malformed_results_file() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.xml");
    std::fs::write(&f, "<testsuite>\n  <testcase name=\"a\">\n</testsuite>\n").unwrap();
    let out = tmp.path().join("out.md");
    let o = gen_report(&[f.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!Path::new(&out).exists());
    let e = stderr(&o);
    assert!(e.contains("bad.xml:3:"), "{e}");
}
