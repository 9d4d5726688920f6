//! "Never a false green": a run that crashed, errored or failed must never read as passed, in
//! any output. Each test runs the real binary on a real runner's output (tests/fixtures/runners,
//! each with RUNNER.md naming the runner and version) unless it says otherwise.

use crate::support;

use std::fs;

use support::{fixture, gen_report};

const RED: &str = "#e05d44";
const GREEN: &str = "#4c1";

/// Every output of one input: Markdown, JSON, CTRF, badge, and the exit code under
/// `--fail-on failures`.
struct Outputs {
    markdown: String,
    json: serde_json::Value,
    ctrf: serde_json::Value,
    badge: String,
    fail_on_failures: i32,
}

fn outputs(args: &[&str]) -> Outputs {
    let run = |extra: &[&str]| {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(extra);
        let r = gen_report(&a).run();
        assert!(r.code == 0 || r.code == 1, "exit {} for {a:?}: {}", r.code, r.stderr);
        r
    };
    let badge_dir = tempfile::tempdir().unwrap();
    let badge = badge_dir.path().join("badge.svg");
    let mut badge_args = vec!["badge"];
    badge_args.extend(args);
    badge_args.extend(["-o", badge.to_str().unwrap()]);
    let b = gen_report(&badge_args).run();
    assert_eq!(b.code, 0, "{}", b.stderr);
    Outputs {
        markdown: run(&[]).stdout,
        json: serde_json::from_str(&run(&["--format", "json"]).stdout).unwrap(),
        ctrf: serde_json::from_str(&run(&["--format", "ctrf"]).stdout).unwrap(),
        badge: fs::read_to_string(&badge).unwrap(),
        fail_on_failures: run(&["--fail-on", "failures"]).code,
    }
}

/// Lines of the Markdown that state a total or the verdict.
fn verdict_lines(md: &str) -> Vec<&str> {
    md.lines()
        .filter(|l| {
            l.starts_with("**Result**")
                || l.starts_with("**Verdict**")
                // The statistics table's Total row (the value table's holds amounts only).
                || (l.starts_with("| **Total**") && !l.contains('$'))
        })
        .collect()
}

/// Asserts that every output says red.
fn assert_red(o: &Outputs) {
    let lines = verdict_lines(&o.markdown);
    assert!(!lines.is_empty(), "{}", o.markdown);
    for l in &lines {
        assert!(!l.contains('✅'), "a ✅ on a total or verdict: {l}");
        assert!(l.contains('❌'), "no ❌ on {l}");
    }
    assert_eq!(o.json["totals"]["status"], "fail");
    assert!(o.json["totals"]["conditions"]["failures"].as_bool().unwrap());
    assert!(o.ctrf["results"]["summary"]["failed"].as_u64().unwrap() > 0, "{}", o.ctrf["results"]["summary"]);
    assert!(o.badge.contains(RED) && !o.badge.contains(GREEN), "{}", o.badge);
    assert_eq!(o.fail_on_failures, 1);
}

// Checks a Rust test binary killed by SIGABRT (cargo test, libtest JSON): its running and
// never-started tests are errors, named in the failures list, and every output is red.
#[test]
fn crashed_test_binary_is_red() {
    let file = fixture("runners/libtest-json/workspace-abort").join("cargo-test.json");
    let o = outputs(&[file.to_str().unwrap()]);
    assert_red(&o);
    let m = &o.json["totals"]["measured"];
    assert_eq!(
        (m["tests"].as_u64(), m["errors"].as_u64(), m["failures"].as_u64()),
        (Some(13), Some(3), Some(3))
    );
    let names: Vec<&str> = o.json["results"]["all"]["failed_cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "error")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["tests::b_aborts_midway", "tests::c_slow_still_running", "[1 test never started: run aborted]"]
    );
    assert!(o.markdown.contains("the test binary announced 4 tests and stopped before reporting them all"));
    assert_eq!(o.json["totals"]["verdict"], "failed");
}

// Checks ctest's not-run tests (ctest 4.4.5 --output-junit): a missing executable, missing
// required files and a failed fixture are failures as ctest prints them ("4 tests failed"),
// its skips (SKIP_RETURN_CODE, SKIP_REGULAR_EXPRESSION) and DISABLED are skipped, and no
// finding: ctest's own failures="1" skipped="5" follow its rule.
#[test]
fn ctest_not_run_is_failed() {
    let file = fixture("runners/ctest-junit/not-run-reasons").join("ctest-junit.xml");
    let o = outputs(&[file.to_str().unwrap()]);
    assert_red(&o);
    let m = &o.json["totals"]["measured"];
    assert_eq!(
        [&m["tests"], &m["passed"], &m["failures"], &m["skipped"]].map(|v| v.as_u64().unwrap()),
        [8, 1, 4, 3]
    );
    let failed: Vec<&str> = o.json["results"]["all"]["failed_cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["missing_executable", "required_file_missing", "db_setup", "needs_db"]);
    assert!(
        o.markdown.contains("Not Run (ctest counts it failed): Unable to find executable"),
        "{}",
        o.markdown
    );
    assert!(o.json["findings"].as_array().unwrap().is_empty(), "{}", o.json["findings"]);
}

// Checks EUnit's surefire report of a test cancelled by its timeout (`<skipped type="timeout">`;
// EUnit printed "One or more tests were cancelled", result error): an error, red everywhere.
#[test]
fn eunit_timeout_is_an_error() {
    let file = fixture("runners/eunit/surefire-timeout").join("TEST-demo_tests.xml");
    let o = outputs(&[file.to_str().unwrap()]);
    assert_red(&o);
    let m = &o.json["totals"]["measured"];
    assert_eq!(
        [&m["tests"], &m["passed"], &m["errors"], &m["skipped"]].map(|v| v.as_u64().unwrap()),
        [3, 1, 2, 0]
    );
    assert!(o.markdown.contains("cancelled: timed out or aborted, not skipped"), "{}", o.markdown);
    assert!(o.json["findings"].as_array().unwrap().is_empty(), "skipped=\"1\" is EUnit's rule");
}

// Checks TAP numbering as TAP::Harness reads it: `1..2 / ok 1 / ok 1` and `ok 1 / ok 3 / ok 2`
// (prove: "Tests out of sequence", Result: FAIL) are red, never "All tests passed".
#[test]
fn tap_numbers_out_of_sequence_are_red() {
    for (case, file, tests) in [("duplicate-number", "dup.tap", 3), ("out-of-order", "order.tap", 4)] {
        let path = fixture(&format!("runners/tap-perl/{case}")).join(file);
        let o = outputs(&[path.to_str().unwrap()]);
        assert_red(&o);
        assert_eq!(o.json["totals"]["measured"]["tests"], tests, "{case}");
        assert!(o.markdown.contains("[tests out of sequence]"), "{}", o.markdown);
        assert!(o.markdown.contains("Tests out of sequence.  Found ("), "{}", o.markdown);
    }
}

// Checks Playwright's JSON reporter output (1.65.2): read as Playwright, never as Mocha JSON
// (both have `stats`); 4 failures (a timeout among them) and a flaky test, as Playwright printed.
#[test]
fn playwright_json_is_read_as_playwright() {
    let file = fixture("runners/playwright/mixed-retries").join("playwright.json");
    let o = outputs(&[file.to_str().unwrap()]);
    assert_red(&o);
    let m = &o.json["totals"]["measured"];
    assert_eq!(
        [&m["tests"], &m["passed"], &m["failures"], &m["skipped"], &m["flaky"]].map(|v| v.as_u64().unwrap()),
        [8, 3, 4, 1, 1]
    );
    assert!(o.markdown.contains("| Playwright JSON | 8 |"), "{}", o.markdown);
    assert!(o.markdown.contains("Test timeout of 1000ms exceeded"), "{}", o.markdown);
    // Stopped by --max-failures: the run's own error is an errored case.
    let file = fixture("runners/playwright/max-failures").join("pw-maxfail.json");
    let o = outputs(&[file.to_str().unwrap()]);
    assert_red(&o);
    assert!(o.markdown.contains("Testing stopped early after 1 maximum allowed failures"), "{}", o.markdown);
}

// Checks Check's own XML (root `<testsuites xmlns="http://check.sourceforge.net/ns">`, read as
// "JUnit, 0 tests" before): refused with exit 2, saying what it is and what to use instead.
#[test]
fn check_xml_is_refused_not_read_as_empty_junit() {
    let file = fixture("runners/check/xml-and-tap").join("check.xml");
    let r = gen_report([file.to_str().unwrap(), "--fail-on", "failures"]).run();
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("is a Check XML file, which gen-report does not read"), "{}", r.stderr);
    assert!(r.stderr.contains("srunner_set_tap"), "{}", r.stderr);
    // Its TAP log of the same run is read, and red.
    let tap = fixture("runners/check/xml-and-tap").join("check.tap");
    assert_red(&outputs(&[tap.to_str().unwrap()]));
}

// Checks the bundled data/ (declared counts only, no results): the chart never paints a
// category "met" (GCP and Staging are over target on declared counts and never ran), the badge
// says "declared", and the Result line and the Metrics row show the same status.
#[test]
fn declared_counts_are_never_painted_met() {
    let html = gen_report(["data", "--format", "html"]).run();
    assert_eq!(html.code, 0, "{}", html.stderr);
    assert!(!html.stdout.contains("class=\"bar met\""), "a declared-only bar painted met");
    assert!(html.stdout.contains("<rect class=\"bar notrun\""));
    assert!(html.stdout.contains("<title>GCP: 22 of 15 (not run)</title>"));
    let tmp = tempfile::tempdir().unwrap();
    let badge = tmp.path().join("b.svg");
    let b = gen_report(["badge", "data", "-o", badge.to_str().unwrap()]).run();
    assert_eq!(b.code, 0, "{}", b.stderr);
    let svg = fs::read_to_string(&badge).unwrap();
    assert!(svg.contains("<title>tests: 67/100 declared</title>"), "{svg}");
    assert!(!svg.contains(GREEN));
    let md = gen_report(["data"]).run().stdout;
    let result = md.lines().find(|l| l.starts_with("**Result**")).unwrap();
    let row = md.lines().find(|l| l.starts_with("| Tests (declared) |")).unwrap();
    assert!(result.starts_with("**Result**: ⚠️"), "{result}");
    assert_eq!(row, "| Tests (declared) | 100 | 67 (67%) | ⚠️ |");
}

// Checks a suite-level <error> outside any <testcase> (hand-written in TestReports.jl's shape,
// see the fixture's ORIGIN.md): counted, named, shown with its message, and red.
#[test]
fn suite_level_error_is_red() {
    let file = fixture("suite_level_error").join("junit.xml");
    let o = outputs(&[file.to_str().unwrap()]);
    assert_red(&o);
    let m = &o.json["totals"]["measured"];
    assert_eq!((m["tests"].as_u64(), m["errors"].as_u64()), (Some(4), Some(1)));
    assert!(o.markdown.contains("💥 error: Error outside test › [suite-level error]"), "{}", o.markdown);
    assert!(o.markdown.contains("UndefVarError: doesntexist not defined"));
    assert!(o.json["findings"].as_array().unwrap().is_empty(), "the declared totals agree");
}

// Checks pytest-rerunfailures output (every attempt a <testcase>, earlier attempts empty):
// a test that failed on every run is failed (last run wins), counted once, and the run is red
// with or without --merge-reruns. pytest printed "1 failed, 7 passed, 3 rerun".
#[test]
fn reruns_failing_every_time_stay_failed() {
    let file = fixture("runners/pytest-rerunfailures/reruns").join("junit.xml");
    for extra in [None, Some("--merge-reruns")] {
        let mut args = vec![file.to_str().unwrap()];
        args.extend(extra);
        let o = outputs(&args);
        assert_red(&o);
        let m = &o.json["totals"]["measured"];
        assert_eq!(
            [&m["tests"], &m["passed"], &m["failures"]].map(|v| v.as_u64().unwrap()),
            [8, 7, 1],
            "{extra:?}"
        );
        assert!(o.json["findings"].as_array().unwrap().is_empty(), "tests=\"8\" agrees once merged");
    }
}

// Checks that different tests sharing a name never merge: two cargo crates' `tests::it_works`
// (libtest JSON), and jest-junit's file-level suites all named `undefined`.
#[test]
fn distinct_tests_sharing_a_name_stay_distinct() {
    let cargo = fixture("runners/libtest-json/workspace-abort").join("cargo-test.json");
    let jest = fixture("runners/jest/retries-no-describe").join("junit.xml");
    for (file, tests) in [(&cargo, 13), (&jest, 18)] {
        for extra in [None, Some("--merge-reruns")] {
            let mut args = vec![file.to_str().unwrap(), "--format", "json"];
            args.extend(extra);
            let r = gen_report(&args).run();
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            assert_eq!(v["totals"]["measured"]["tests"], tests, "{file:?} {extra:?}");
        }
    }
}

// Checks manifest mode with results: a category whose tests fail is never "at target", the
// Total row is never better than its worst category, and the badge shows passing tests.
#[test]
fn failing_category_never_meets_its_target() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir_all(data.join("categories")).unwrap();
    let results = fixture("runners/pytest-rerunfailures/reruns").join("junit.xml");
    fs::write(data.join("report.yaml"), "title: Reruns\n").unwrap();
    // 8 tests of an 8-test target, one of which fails: counts say "met", evidence says no.
    fs::write(
        data.join("categories/api.yaml"),
        format!("name: API\ntarget: 8\ntests: 8\nresults: {}\n", results.display()),
    )
    .unwrap();
    fs::write(data.join("categories/ui.yaml"), "name: UI\ntarget: 1\ntests: 1\n").unwrap();
    let o = outputs(&[data.to_str().unwrap()]);
    assert_red(&o);
    let md = &o.markdown;
    assert!(!md.contains("Target met"), "{md}");
    assert!(md.contains("**Result**: ❌ Target not met: 7 of a 9-test target pass (78%); 1 failed; 1 of 2 categories not run"), "{md}");
    let cat = |name: &str| {
        o.json["categories"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone()
    };
    assert_eq!(cat("API")["met"], false);
    assert_eq!(cat("API")["credited"], 7);
    assert_eq!(cat("API")["status"], "fail");
    assert_eq!(cat("UI")["evidence"], "not-run");
    assert_eq!(cat("UI")["met"], false, "declared, not run: never met");
    assert_eq!(o.json["totals"]["categories_met"], 0);
    assert!(o.badge.contains(">7/9<"), "{}", o.badge);
    let metrics: Vec<&str> = md.lines().filter(|l| l.starts_with("| Passing tests |")).collect();
    assert_eq!(metrics, ["| Passing tests | 9 | 7 (78%) | ❌ |"]);
    // The chart's bars take the categories' statuses: API failed, UI never ran; none is "met".
    let html = gen_report([data.to_str().unwrap(), "--format", "html"]).run().stdout;
    assert!(!html.contains("class=\"bar met\""), "a bar painted met");
    assert!(html.contains("<rect class=\"bar fail\""), "API's bar is not red");
    assert!(
        html.contains("<title>UI: 1 of 1 (not run)</title>")
            || html.contains("<title>UI: 0 of 1 (not run)</title>")
    );
}

// Checks zero-config on a run where everything passed: passed, ✅, no -0.0, and a duration
// from the file's own time (pytest rounds each of 600 cases to 0.000; it printed "in 0.52s").
#[test]
fn all_passed_reads_passed() {
    let file = fixture("runners/pytest/600-passing").join("junit.xml");
    let o = outputs(&[file.to_str().unwrap()]);
    assert_eq!(o.json["totals"]["verdict"], "passed");
    assert_eq!(o.json["totals"]["status"], "ok");
    assert_eq!(o.fail_on_failures, 0);
    assert!(o.badge.contains(GREEN));
    assert_eq!(
        verdict_lines(&o.markdown),
        ["**Result**: ✅ All tests passed: 600 tests — 600 passed, 0 skipped, in 0.53 s"]
    );
    let raw = gen_report([file.to_str().unwrap(), "--format", "json"]).run().stdout;
    assert!(!raw.contains("-0.0"), "{raw}");
}

// Checks that a results path that does not exist is exit 2 naming the manifest line, that a
// glob matching nothing is a finding that trips --fail-on not-run, and that an existing folder
// whose name looks like a glob is read literally.
#[test]
fn missing_results_are_never_not_run() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    fs::create_dir_all(data.join("categories")).unwrap();
    fs::write(data.join("report.yaml"), "title: T\n").unwrap();
    fs::write(data.join("categories/a.yaml"), "name: A\ntarget: 1\ntests: 1\nresults: missing.xml\n")
        .unwrap();
    let r = gen_report([data.to_str().unwrap()]).run();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("categories/a.yaml:4:10"), "{}", r.stderr);
    assert!(r.stderr.contains("no such file or directory; expected an existing file or folder, or a glob"));

    fs::write(data.join("categories/a.yaml"), "name: A\ntarget: 1\ntests: 1\nresults: out/*.xml\n").unwrap();
    let r = gen_report([data.to_str().unwrap(), "--fail-on", "not-run"]).run();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("finding: results pattern `out/*.xml` matched no file"), "{}", r.stderr);

    let shard = data.join("categories/[shard-1]");
    fs::create_dir_all(&shard).unwrap();
    fs::copy(fixture("runners/pytest/600-passing").join("junit.xml"), shard.join("junit.xml")).unwrap();
    fs::write(data.join("categories/a.yaml"), "name: A\ntarget: 1\ntests: 600\nresults: \"[shard-1]\"\n")
        .unwrap();
    let r = gen_report([data.to_str().unwrap(), "--format", "json", "--fail-on", "not-run"]).run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["totals"]["measured"]["tests"], 600);

    let r = gen_report(["--results", "nope/missing.xml", "data"]).run();
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--results: `nope/missing.xml`: no such file or directory"), "{}", r.stderr);
}

// Checks that results with no test at all (pytest collected nothing and wrote an empty suite)
// trip --fail-on empty and read as "No tests ran" ❌.
#[test]
fn empty_results_trip_fail_on_empty() {
    let file = fixture("runners/pytest/empty-no-tests").join("junit.xml");
    let f = file.to_str().unwrap();
    assert_eq!(gen_report([f, "--fail-on", "empty"]).run().code, 1);
    assert_eq!(gen_report([f, "--fail-on", "failures"]).run().code, 0);
    let md = gen_report([f]).run().stdout;
    assert_eq!(verdict_lines(&md), ["**Result**: ❌ No tests ran: 0 tests — 0 passed, 0 skipped, in 0.02 s"]);
}

// Property: for any results input, if any case failed, errored, timed out, was not run (as its
// runner counts it) or its stream is broken, no output shows ✅ on a total or verdict, the badge
// is not green, and --fail-on failures exits 1; otherwise (some case passed, none failed) the
// run reads green. Inputs are generated JUnit (ctest's not-run and EUnit's timeout shapes
// among them), libtest, TAP (numbers out of sequence among them) and Playwright JSON documents
// from a fixed seed, so a failure reproduces.
#[test]
fn property_no_false_green() {
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % n
    };
    for round in 0..48 {
        let cases = 1 + next(6);
        let mut bad = false;
        let path = match round % 4 {
            0 => {
                let mut xml = String::from("<testsuites>\n");
                for s in 0..1 + next(3) {
                    xml.push_str(&format!("<testsuite name=\"s{s}\">\n"));
                    for c in 0..cases {
                        let (attrs, body) = match next(10) {
                            0 => {
                                bad = true;
                                ("", "<failure message=\"boom\"/>")
                            }
                            1 => {
                                bad = true;
                                ("", "<error message=\"crash\"/>")
                            }
                            2 => ("", "<skipped/>"),
                            3 => ("", "<flakyFailure message=\"first try\"/>"),
                            4 => {
                                bad = true;
                                ("", "<skipped type=\"timeout\">in function timer:sleep/1</skipped>")
                            }
                            5 => {
                                bad = true;
                                (" status=\"notrun\"", "<skipped message=\"Unable to find executable\"/>")
                            }
                            6 => (" status=\"notrun\"", "<skipped message=\"SKIP_RETURN_CODE=77\"/>"),
                            7 => (" status=\"disabled\"", ""),
                            _ => ("", ""),
                        };
                        xml.push_str(&format!(
                            "<testcase classname=\"c\" name=\"t{c}\"{attrs}>{body}</testcase>\n"
                        ));
                    }
                    if next(8) == 0 {
                        bad = true;
                        xml.push_str("<error message=\"fixture blew up\"/>\n");
                    }
                    xml.push_str("</testsuite>\n");
                }
                xml.push_str("</testsuites>\n");
                let p = tmp.path().join(format!("r{round}.xml"));
                fs::write(&p, xml).unwrap();
                p
            }
            1 => {
                let mut lines =
                    vec![format!("{{\"type\":\"suite\",\"event\":\"started\",\"test_count\":{cases}}}")];
                let crash = next(4) == 0;
                for c in 0..cases {
                    lines.push(format!("{{\"type\":\"test\",\"event\":\"started\",\"name\":\"t{c}\"}}"));
                    if crash && c == cases - 1 {
                        bad = true;
                        break;
                    }
                    let event = match next(5) {
                        0 => {
                            bad = true;
                            "failed"
                        }
                        1 => "ignored",
                        _ => "ok",
                    };
                    lines.push(format!("{{\"type\":\"test\",\"event\":\"{event}\",\"name\":\"t{c}\"}}"));
                }
                if !crash {
                    lines.push("{\"type\":\"suite\",\"event\":\"ok\"}".into());
                }
                let p = tmp.path().join(format!("r{round}.json"));
                fs::write(&p, lines.join("\n") + "\n").unwrap();
                p
            }
            2 => {
                // TAP 12 as prove reads it: a wrong number (duplicate, gap, reorder) fails it.
                let mut lines = vec![format!("1..{cases}")];
                for c in 1..=cases {
                    let mut n = c;
                    if next(6) == 0 {
                        bad = true;
                        n = if c > 1 { c - 1 } else { c + 1 };
                    }
                    let line = match next(6) {
                        0 => {
                            bad = true;
                            format!("not ok {n} - t{c}")
                        }
                        1 => format!("ok {n} - t{c} # SKIP no db"),
                        _ => format!("ok {n} - t{c}"),
                    };
                    lines.push(line);
                }
                let p = tmp.path().join(format!("r{round}.tap"));
                fs::write(&p, lines.join("\n") + "\n").unwrap();
                p
            }
            _ => {
                // Playwright JSON: a spec per case, its status and attempts.
                let mut specs = Vec::new();
                let mut run_errors = "[]";
                for c in 0..cases {
                    let (status, results) = match next(7) {
                        0 => {
                            bad = true;
                            (
                                "unexpected",
                                r#"[{"status":"failed","errors":[{"message":"boom"}],"error":{"message":"boom"}}]"#,
                            )
                        }
                        1 => {
                            bad = true;
                            (
                                "unexpected",
                                r#"[{"status":"timedOut","errors":[{"message":"Test timeout"}],"error":{"message":"Test timeout"}}]"#,
                            )
                        }
                        2 => {
                            bad = true;
                            ("unexpected", r#"[{"status":"interrupted","errors":[]}]"#)
                        }
                        3 => (
                            "flaky",
                            r#"[{"status":"failed","errors":[{"message":"first"}],"error":{"message":"first"}},{"status":"passed","errors":[]}]"#,
                        ),
                        4 => ("skipped", r#"[{"status":"skipped","errors":[]}]"#),
                        _ => ("expected", r#"[{"status":"passed","errors":[]}]"#),
                    };
                    specs.push(format!(
                        r#"{{"title":"t{c}","ok":true,"file":"a.spec.js","line":{c},"tests":[{{"expectedStatus":"passed","status":"{status}","annotations":[],"results":{results}}}]}}"#
                    ));
                }
                if next(8) == 0 {
                    bad = true;
                    run_errors = r#"[{"message":"Error: global setup failed"}]"#;
                }
                let doc = format!(
                    r#"{{"config":{{}},"suites":[{{"title":"a.spec.js","file":"a.spec.js","specs":[{}],"suites":[]}}],"errors":{run_errors}}}"#,
                    specs.join(",")
                );
                let p = tmp.path().join(format!("pw{round}.json"));
                fs::write(&p, doc).unwrap();
                p
            }
        };
        let o = outputs(&[path.to_str().unwrap()]);
        let ran = o.json["totals"]["measured"]["passed"].as_u64().unwrap() > 0;
        if bad {
            assert_red(&o);
        } else if ran {
            assert_eq!(o.json["totals"]["status"], "ok", "round {round}: {}", o.markdown);
            assert_eq!(o.fail_on_failures, 0);
        }
    }
}
