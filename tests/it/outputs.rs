//! End-to-end tests of the CI outputs and helper commands: the real binary, real files.

use crate::support;

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gen-report"));
    c.current_dir(root()).env_remove("SOURCE_DATE_EPOCH").env_remove("GITHUB_STEP_SUMMARY");
    c
}

fn run(args: &[&str]) -> Output {
    support::output(cmd().args(args))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

const RECONCILE: &[&str] =
    &["tests/fixtures/reconcile", "--results", "tests/fixtures/reconcile/results/staging.xml"];

// Checks --check: exit 0 on an up-to-date report, exit 1 with a unified diff on a stale one.
#[test]
fn check_committed_report() {
    let tmp = tempfile::tempdir().unwrap();
    let committed = tmp.path().join("REPORT.md");
    let fresh = run(&["data"]);
    std::fs::write(&committed, &fresh.stdout).unwrap();
    let ok = run(&["data", "--check", committed.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    assert!(ok.stdout.is_empty());

    let stale = text(&fresh.stdout)
        .replace("| Tests (declared) | 100 | 67 (67%)", "| Tests (declared) | 100 | 70 (70%)");
    std::fs::write(&committed, stale).unwrap();
    let o = run(&["data", "--check", committed.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let diff = text(&o.stdout);
    assert!(diff.contains("--- ") && diff.contains("+++ ") && diff.contains("@@"), "{diff}");
    assert!(
        diff.contains("-| Tests (declared) | 100 | 70 (70%)")
            && diff.contains("+| Tests (declared) | 100 | 67 (67%)"),
        "{diff}"
    );
    assert!(text(&o.stderr).contains("stale"));
    // --check writes nothing: the committed file is untouched.
    assert!(std::fs::read_to_string(&committed).unwrap().contains("| 70 (70%)"));
}

// Checks --github-summary: an error without the variable, an append with it.
#[test]
fn github_summary() {
    let o = run(&["data", "--github-summary"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("GITHUB_STEP_SUMMARY"));
    assert!(o.stdout.is_empty());

    let tmp = tempfile::tempdir().unwrap();
    let summary = tmp.path().join("summary.md");
    std::fs::write(&summary, "## earlier step\n").unwrap();
    for _ in 0..2 {
        let o =
            support::output(cmd().args(["data", "--github-summary"]).env("GITHUB_STEP_SUMMARY", &summary));
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert!(o.stdout.is_empty(), "the summary gets the report, not stdout");
    }
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(s.starts_with("## earlier step\n"), "appended, not replaced");
    assert_eq!(s.matches("## Test Statistics").count(), 2);
}

// Checks --format ctrf: a CTRF document whose summary is recounted from the cases listed.
#[test]
fn ctrf_output() {
    let mut args = RECONCILE.to_vec();
    args.extend(["--format", "ctrf"]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["reportFormat"], "CTRF");
    let r = &v["results"];
    let tests = r["tests"].as_array().unwrap();
    assert_eq!(r["summary"]["tests"].as_u64().unwrap() as usize, tests.len());
    assert_eq!(tests.len(), 40);
    let failed = tests.iter().filter(|t| t["status"] == "failed").count();
    assert_eq!(r["summary"]["failed"], failed as u64);
    assert_eq!(failed, 2);
    assert!(tests.iter().all(|t| t["duration"].is_number() && t["name"].is_string()));
    assert_eq!(r["extra"]["categories"].as_array().unwrap().len(), 5);
    assert!(tests.iter().any(|t| t["extra"]["category"] == "GCP"));
    // The output reads back as CTRF.
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("ctrf.json");
    std::fs::write(&f, &o.stdout).unwrap();
    let back = run(&[f.to_str().unwrap(), "--format", "json"]);
    let m: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
    assert_eq!(m["totals"]["measured"]["tests"], 40);
    assert_eq!(m["totals"]["measured"]["failures"], 2);
}

// Checks the badge: an SVG with the computed figure and the verdict's colour.
#[test]
fn badge() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tests.svg");
    let o = run(&["badge", "data", "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("tests: 67/100"));
    assert!(svg.contains("#dfb317"), "partly met is yellow");
    assert_eq!(svg.matches("http://").count(), 1, "only the SVG namespace");
    assert!(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""));
}

// Checks --baseline: deltas per category and in total, newly failing and fixed cases.
#[test]
fn baseline_trend() {
    let tmp = tempfile::tempdir().unwrap();
    let base = tmp.path().join("previous.json");
    let mut args = RECONCILE.to_vec();
    args.extend(["--format", "json"]);
    std::fs::write(&base, run(&args).stdout).unwrap();
    // Now without the staging results: 12 tests fewer measured, staging back to declared.
    let o = run(&["tests/fixtures/reconcile", "--baseline", base.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let t = &v["baseline"];
    assert_eq!(t["tests"], -12, "28 measured now vs 40 before; declared counts never mix in");
    assert_eq!(t["passed"], -12);
    assert_eq!(t["failed"], 0);
    let cat = |name: &str| t["categories"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
    assert_eq!(cat("Staging")["tests"], serde_json::Value::Null, "measured then, not run now");
    assert_eq!(cat("GCP")["tests"], 0);
    let md = run(&["tests/fixtures/reconcile", "--baseline", base.to_str().unwrap()]);
    assert!(text(&md.stdout).contains("## Trend Against the Baseline"));
    assert!(text(&md.stdout).contains("| Staging | — | — |"), "{}", text(&md.stdout));
    assert!(text(&md.stdout).contains("| Passed | −12 |"));
    // A baseline that is not a model is a clear error.
    std::fs::write(&base, "{\"nope\": 1}").unwrap();
    let bad = run(&["data", "--baseline", base.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("previous.json") && bad.stdout.is_empty());
}

// Checks schema, init, templates list/export, completions and the man page.
#[test]
fn helper_commands() {
    let s = run(&["schema"]);
    let v: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    assert_eq!(v["category"]["required"], serde_json::json!(["name", "target", "tests"]));
    assert_eq!(v["report"]["additionalProperties"], false);

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let o = run(&["init", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let r = run(&[dir.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(0), "{}", text(&r.stderr));
    assert!(text(&r.stdout).contains("22 of a 30-test target declared"), "{}", text(&r.stdout));
    let again = run(&["init", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "init never overwrites");

    let list = text(&run(&["templates", "list"]).stdout);
    assert!(list.contains("report.md") && list.contains("summary.md"));
    let exported = tmp.path().join("mine.md");
    let e = run(&["templates", "export", "report.md", "-o", exported.to_str().unwrap()]);
    assert_eq!(e.status.code(), Some(0));
    let body = std::fs::read_to_string(&exported).unwrap();
    assert!(body.contains("{% block statistics %}"));
    // The exported template renders the same report as the built-in.
    let mine = run(&["data", "--template", exported.to_str().unwrap()]);
    assert_eq!(mine.stdout, run(&["data"]).stdout);

    assert!(text(&run(&["completions", "bash"]).stdout).contains("gen-report"));
    assert!(text(&run(&["completions", "zsh"]).stdout).contains("#compdef gen-report"));
    assert!(text(&run(&["man"]).stdout).contains(".TH gen-report"));
}

// Checks that the Mermaid chart keeps hostile names inside its labels and its fence.
#[test]
fn chart_labels_are_contained() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    std::fs::create_dir_all(data.join("categories")).unwrap();
    std::fs::write(data.join("report.yaml"), "title: T\n").unwrap();
    std::fs::write(
        data.join("categories/x.yaml"),
        "name: \"A\\\"] ``` end\\nline [x]\"\ntarget: 2\ntests: 1\n",
    )
    .unwrap();
    let o = run(&[data.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let md = text(&o.stdout);
    let chart = md.split("```mermaid").nth(1).unwrap().split("\n```").next().unwrap();
    assert!(
        chart.contains("x-axis [\"A end line x \"]") || chart.contains("x-axis [\"A end line x\"]"),
        "{chart}"
    );
    assert_eq!(md.matches("```").count() % 2, 0, "fences balanced");
}

// Checks that -o never overwrites an input the report is computed from.
#[test]
fn output_over_an_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    std::fs::create_dir_all(data.join("categories")).unwrap();
    std::fs::write(data.join("report.yaml"), "title: T\n").unwrap();
    std::fs::write(data.join("categories/a.yaml"), "name: A\ntarget: 1\ntests: 1\n").unwrap();
    for victim in ["report.yaml", "categories/a.yaml"] {
        let p = data.join(victim);
        let before = std::fs::read(&p).unwrap();
        let o = run(&[data.to_str().unwrap(), "-o", p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{victim}");
        assert!(text(&o.stderr).contains("is an input"), "{}", text(&o.stderr));
        assert_eq!(std::fs::read(&p).unwrap(), before, "{victim} untouched");
    }
    // The same file reached through `..` is the same file.
    let sneaky = data.join("categories/../report.yaml");
    assert_eq!(run(&[data.to_str().unwrap(), "-o", sneaky.to_str().unwrap()]).status.code(), Some(2));
    assert_eq!(
        run(&[data.to_str().unwrap(), "-o", data.join("R.md").to_str().unwrap()]).status.code(),
        Some(0)
    );
}

// Checks --format html through the binary: a standalone page, no script, hostile data as text.
#[test]
fn html_output() {
    let o = run(&["tests/fixtures/markdown_tables_well_formed", "--format", "html"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let page = text(&o.stdout);
    assert!(page.starts_with("<!doctype html>") || page.starts_with("<!DOCTYPE html>"), "{}", &page[..60]);
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("<table"));
    assert!(!page.to_lowercase().contains("<script"), "no script element");
    assert!(page.contains("&lt;script&gt;"), "the injected tag is shown as text");
    assert!(!page.to_lowercase().contains("href=\"javascript"), "no javascript: link survives as a link");
    assert!(page.contains("[x](javascript:alert(1))"), "it is shown as text");
}

// Checks --budget end to end on 100,000 failures in 5,000 suites: the Markdown fits the preset,
// stays well-formed, and says what it left out.
#[test]
fn budget_on_a_huge_run() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("junit.xml");
    let mut xml = String::from("<testsuites>\n");
    for s in 0..5000 {
        xml.push_str(&format!(
            "<testsuite name=\"suite {s:04} of the budget test, named at length like real packages\">\n"
        ));
        for i in 0..20 {
            xml.push_str(&format!(
                "<testcase name=\"t{i}\" time=\"0.{i}\"><failure message=\"boom {s}/{i}\">trace line 1\ntrace line 2</failure></testcase>\n"
            ));
        }
        xml.push_str("</testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    std::fs::write(&f, xml).unwrap();
    let full = run(&[f.to_str().unwrap()]);
    assert_eq!(full.status.code(), Some(0), "{}", text(&full.stderr));
    assert!(full.stdout.len() > 65_000, "the full report is over the comment limit");
    for (preset, limit, chars) in
        [("comment", 65_000, true), ("check", 65_000, false), ("20000", 20_000, false)]
    {
        let o = run(&[f.to_str().unwrap(), "--budget", preset]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        let md = text(&o.stdout);
        let size = if chars { md.chars().count() } else { md.len() };
        eprintln!("--budget {preset}: {} bytes in, {size} out", full.stdout.len());
        assert!(size <= limit, "{preset}: {size} > {limit}");
        assert!(md.contains("This report was shortened"), "{preset}: visible notice");
        assert!(
            md.contains("**Result**: ❌ Tests failed: 100,000 tests; 100,000 failed"),
            "{preset}: the verdict stays"
        );
        assert_eq!(md.matches("<details>").count(), md.matches("</details>").count());
        assert_eq!(md.lines().filter(|l| l.starts_with("```")).count() % 2, 0);
        assert!(text(&o.stderr).contains("shortened"));
    }
}
