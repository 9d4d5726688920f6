//! Failures grouped by cause, user failure categories and the suite's own changes (issue 18):
//! the real binary on a real runner's output and on files written here.

use crate::support;

use std::fs;
use std::path::Path;

use support::{assert_bad_input, assert_ok, gen_report, run};

/// pytest 9.2.0: a `db` fixture that cannot connect, raised from 9 tests in 3 files; 3 failures
/// naming their own temp path; 1 assertion failure (see its RUNNER.md).
const DB_DOWN: &str = "tests/fixtures/runners/pytest/db-down-causes/junit.xml";

fn json(args: &[&str]) -> serde_json::Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let r = run(&a);
    assert_ok(&r);
    serde_json::from_str(&r.stdout).expect("json")
}

/// The Markdown from the first `### ❌ Failures` heading to the next section after them.
fn failures_section(md: &str) -> &str {
    let start = md.find("### ❌ Failures").expect("a failures section");
    let end = md[start..].find("### 🐢").map_or(md.len(), |e| start + e);
    &md[start..end]
}

#[test]
fn one_error_raised_from_many_tests_is_one_cause() {
    let v = json(&[DB_DOWN]);
    let c = &v["results"]["causes"];
    let groups = c["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{c:#}");
    let db = &groups[0];
    // The message, and the innermost frame in the repository: the fixture in conftest.py.
    assert_eq!(
        db["signature"],
        "failed on setup with \"ConnectionRefusedError: [Errno <n>] Connection refused\" @ conftest.py:<n>:"
    );
    assert_eq!(
        db["headline"],
        "failed on setup with \"ConnectionRefusedError: [Errno 111] Connection refused\""
    );
    assert_eq!(
        (db["count"].as_u64(), db["errors"].as_u64(), db["failures"].as_u64()),
        (Some(9), Some(9), Some(0))
    );
    assert_eq!((db["suites"].as_u64(), db["classes"].as_u64()), (Some(1), Some(3)));
    let members: Vec<&str> =
        db["members"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(members[..3], ["test_billing_list", "test_billing_create", "test_billing_delete"]);
    assert_eq!(members.len(), 9);
    // Messages that differ only in their temp path: one cause, apart from the database.
    let tmp = &groups[1];
    assert_eq!(
        tmp["signature"],
        "FileNotFoundError: [Errno <n>] No such file or directory: <q> @ test_cache.py:<n>: FileNotFoundError"
    );
    assert_eq!(tmp["count"], 3);
    // The assertion failure stands alone, listed as before.
    let singles = c["singles"].as_array().unwrap();
    assert_eq!(singles.len(), 1);
    assert_eq!(singles[0]["name"], "test_sum");
    assert_eq!(singles[0]["message"], "assert (2 + 2) == 5");
    assert_eq!((c["grouped_failures"].as_u64(), c["unlisted"].as_u64()), (Some(12), Some(0)));
    // The failing cases the model listed before are unchanged.
    assert_eq!(v["results"]["all"]["failed_cases"].as_array().unwrap().len(), 13);
}

#[test]
fn the_failures_section_leads_with_the_causes() {
    let r = run([DB_DOWN]);
    assert_ok(&r);
    let section = failures_section(&r.stdout).replace(DB_DOWN, "[FIXTURE]");
    assert_snapshot!("db_down_failures_section", section);
}

#[test]
fn html_and_json_tell_the_same_story() {
    let r = run([DB_DOWN, "--format", "html"]);
    assert_ok(&r);
    assert!(r.stdout.contains("<strong>9 errors</strong>"), "{}", r.stdout);
    assert!(r.stdout.contains("Failures by cause"));
}

#[test]
fn the_budget_keeps_the_cause_headlines_longest() {
    let full = run([DB_DOWN]);
    assert_ok(&full);
    // Room for the causes but not for every folded failure.
    let budget = (full.stdout.len() * 2 / 5).to_string();
    let r = run([DB_DOWN, "--budget", budget.as_str()]);
    assert_ok(&r);
    assert!(r.stdout.len() < full.stdout.len());
    assert!(r.stdout.contains("**9 errors** — `failed on setup with"), "{}", r.stdout);
    assert!(r.stdout.contains("**3 failures** — `FileNotFoundError"), "{}", r.stdout);
    assert!(!r.stdout.contains("<details><summary>9 errors"), "{}", r.stdout);
}

/// A data dir whose report.yaml declares `failure_categories` (and one category reading DB_DOWN).
fn categorised(dir: &Path, failure_categories: &str) {
    fs::create_dir_all(dir.join("categories")).unwrap();
    fs::write(dir.join("report.yaml"), format!("title: Causes\nfailure_categories:\n{failure_categories}"))
        .unwrap();
    let junit = support::repo().join(DB_DOWN);
    fs::write(
        dir.join("categories/api.yaml"),
        format!("name: API\ntarget: 17\ntests: 17\nresults: {}\n", junit.display()),
    )
    .unwrap();
}

#[test]
fn overlapping_categories_first_match_wins() {
    let tmp = tempfile::tempdir().unwrap();
    categorised(
        tmp.path(),
        concat!(
            "  - {name: Infrastructure, message: 'Connection(Refused|Reset)Error'}\n",
            // Also matches the database errors: listed second, it gets none of them.
            "  - {name: Network, message: 'Error'}\n",
            "  - {name: Test bug, trace: 'test_cache\\.py:\\d+'}\n",
        ),
    );
    let v = json(&[tmp.path().to_str().unwrap()]);
    let counts: Vec<(String, u64)> = v["totals"]["failure_categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c["failures"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        counts,
        [
            ("Infrastructure".to_string(), 9),
            ("Network".to_string(), 3),
            ("Test bug".to_string(), 0),
            ("uncategorised".to_string(), 1)
        ]
    );
    assert_eq!(v["results"]["causes"]["groups"][0]["category"], "Infrastructure");
    let md = run([tmp.path()]);
    assert!(
        md.stdout.contains("Connection refused\"` — in 1 suite, 3 classes · Infrastructure"),
        "{}",
        md.stdout
    );
    assert!(
        md.stdout
            .contains("By failure category: Infrastructure 9, Network 3, Test bug 0, uncategorised 1.\n"),
        "{}",
        md.stdout
    );
}

#[test]
fn a_bad_failure_category_is_an_error_with_its_position() {
    let tmp = tempfile::tempdir().unwrap();
    categorised(tmp.path(), "  - name: Infrastructure\n    message: 'Connection(Refused'\n");
    let r = gen_report([tmp.path()]).run();
    assert_bad_input(
        &r,
        &[
            "report.yaml:4:14",
            "invalid `message` regex of failure category \"Infrastructure\": unclosed group (at character 11 of the pattern)",
        ],
    );
    let tmp = tempfile::tempdir().unwrap();
    categorised(tmp.path(), "  - name: Flaky\n  - {name: uncategorised, trace: x}\n");
    let r = gen_report([tmp.path()]).run();
    assert_bad_input(
        &r,
        &[
            "report.yaml:3:11",
            "failure category \"Flaky\" has neither `message` nor `trace`",
            "report.yaml:4:12",
            "the name is reserved",
        ],
    );
}

fn junit(cases: &[(&str, &str)]) -> String {
    let mut x = String::from("<testsuites><testsuite name=\"s\">\n");
    for (name, outcome) in cases {
        let body = match *outcome {
            "skipped" => "<skipped message=\"not today\"/>",
            "failed" => "<failure message=\"boom\"/>",
            _ => "",
        };
        x.push_str(&format!("<testcase classname=\"c\" name=\"{name}\">{body}</testcase>\n"));
    }
    x.push_str("</testsuite></testsuites>\n");
    x
}

#[test]
fn removed_and_newly_skipped_tests_are_listed_against_the_previous_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (history, file) = (tmp.path().join("history"), tmp.path().join("junit.xml"));
    fs::write(&file, junit(&[("a", "passed"), ("b", "passed"), ("c", "passed"), ("gone", "passed")]))
        .unwrap();
    let record = history.join("1.parquet");
    let r = gen_report(["junit.xml", "--record", record.to_str().unwrap(), "--run-label", "1"])
        .current_dir(tmp.path())
        .run();
    assert_ok(&r);
    fs::write(&file, junit(&[("a", "passed"), ("b", "skipped"), ("c", "failed"), ("new", "passed")]))
        .unwrap();
    let args = ["junit.xml", "--history", "history", "--run-label", "2"];
    let r = gen_report(args.iter().chain(&["--format", "json"])).current_dir(tmp.path()).run();
    assert_ok(&r);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ch = &v["history"]["changes"];
    let names = |k: &str| -> Vec<String> {
        ch[k].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(ch["against"], "1");
    assert_eq!(names("removed"), ["gone"]);
    assert_eq!(names("newly_skipped"), ["b"]);
    assert_eq!(ch["newly_skipped"][0]["previous"], "passed");
    assert_eq!(names("added"), ["new"]);
    assert_eq!((ch["removed_total"].as_u64(), ch["recategorised_total"].as_u64()), (Some(1), Some(0)));
    // The removed test counts nowhere in this run: 4 tests, 2 of them passed.
    assert_eq!(
        (v["totals"]["measured"]["tests"].as_u64(), v["totals"]["measured"]["passed"].as_u64()),
        (Some(4), Some(2))
    );
    let md = gen_report(args).current_dir(tmp.path()).run();
    assert_ok(&md);
    let start = md.stdout.find("### 🧩 Test changes since run 1").expect("a test changes section");
    let section = &md.stdout[start..];
    let end = section[4..].find("\n### ").map_or(section.len(), |e| e + 4);
    assert_snapshot!("test_changes_section", &section[..end]);
}

#[test]
fn a_test_in_another_category_is_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir_all(data.join("categories")).unwrap();
    fs::write(data.join("report.yaml"), "title: Moves\n").unwrap();
    let category = |name: &str, location: &str| {
        fs::write(
            data.join("categories").join(format!("{}.yaml", name.to_lowercase())),
            format!("name: {name}\ntarget: 1\ntests: 1\nlocation: {location}\n"),
        )
        .unwrap();
    };
    category("API", "c");
    fs::write(tmp.path().join("junit.xml"), junit(&[("a", "passed")])).unwrap();
    let r =
        gen_report(["data", "--results", "junit.xml", "--record", "history/1.parquet", "--run-label", "1"])
            .current_dir(tmp.path())
            .run();
    assert_ok(&r);
    fs::remove_file(data.join("categories/api.yaml")).unwrap();
    category("Core", "c");
    let args =
        ["data", "--results", "junit.xml", "--history", "history", "--run-label", "2", "--format", "json"];
    let r = gen_report(args).current_dir(tmp.path()).run();
    assert_ok(&r);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let ch = &v["history"]["changes"];
    assert_eq!(ch["recategorised_total"], 1, "{ch:#}");
    assert_eq!(
        (&ch["recategorised"][0]["name"], &ch["recategorised"][0]["from"], &ch["recategorised"][0]["to"]),
        (&serde_json::json!("a"), &serde_json::json!("API"), &serde_json::json!("Core"))
    );
    assert_eq!((ch["added_total"].as_u64(), ch["removed_total"].as_u64()), (Some(0), Some(0)));
}
