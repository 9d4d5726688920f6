//! History across runs (`--record`, `--history`, `--fail-on new-failures`), on runs derived
//! from real runner output.
//!
//! The runs are DERIVED: each is the real pytest 9.2 JUnit file of
//! `tests/fixtures/runners/pytest/mixed-outcomes/junit.xml` (see its RUNNER.md) with named test
//! cases edited: a passing `<testcase/>` given a `<failure>`, a failing one emptied (passed), a
//! `time` attribute changed. Everything else — names, classnames, Unicode, the other failures,
//! errors and skips — is the runner's own output. The scenario, runs 1 to 6:
//!
//! | test (role)                           | 1    | 2    | 3    | 4    | 5    | 6     |
//! |---------------------------------------|------|------|------|------|------|-------|
//! | `test_unexpected_pass` (flips)        | pass | FAIL | pass | FAIL | pass | pass  |
//! | `test_passes_quickly` (breaks, stays) | pass | pass | pass | FAIL | FAIL | FAIL  |
//! | `test_list_diff` (gets fixed)         | FAIL | FAIL | FAIL | FAIL | FAIL | pass  |
//! | `test_passes_slowly` (slows 10×)      | .051 | .050 | .052 | .051 | .049 | .510 s|
//! | `test_roundtrip[na\xefve]` (new)      | pass | pass | pass | pass | pass | FAIL  |
//!
//! Run 3's record is the CTRF report gen-report wrote for it (`--format ctrf`), the others are
//! gen-report records (`--record`).

use crate::support;

use std::fs;
use std::path::Path;

use support::{assert_exit, gen_report};

const BASE: &str = include_str!("../fixtures/runners/pytest/mixed-outcomes/junit.xml");

const FLIPS: &str = "test_unexpected_pass";
const BREAKS: &str = "test_passes_quickly";
const FIXED: &str = "test_list_diff";
const SLOWS: &str = "test_passes_slowly";
const NEW: &str = r"test_roundtrip[na\xefve]";

/// The byte range of the `<testcase>` element named `name` (attribute exactly `name`).
fn element(xml: &str, name: &str) -> (usize, usize) {
    let at = xml.find(&format!(" name=\"{name}\"")).unwrap_or_else(|| panic!("no test case {name}"));
    let start = xml[..at].rfind("<testcase").unwrap();
    let open_end = start + xml[start..].find('>').unwrap() + 1;
    let end = if xml[..open_end].ends_with("/>") {
        open_end
    } else {
        open_end + xml[open_end..].find("</testcase>").unwrap() + "</testcase>".len()
    };
    (start, end)
}

/// The element's opening tag's attributes (`classname="…" name="…" time="…"`).
fn attributes(xml: &str, name: &str) -> String {
    let (start, _) = element(xml, name);
    let open = &xml[start..start + xml[start..].find('>').unwrap()];
    open.trim_start_matches("<testcase").trim_end_matches('/').trim().to_string()
}

fn passed(xml: &str, name: &str) -> String {
    let (s, e) = element(xml, name);
    format!("{}<testcase {} />{}", &xml[..s], attributes(xml, name), &xml[e..])
}

fn failed(xml: &str, name: &str) -> String {
    let (s, e) = element(xml, name);
    format!(
        "{}<testcase {}><failure message=\"derived run: made to fail\">assert False</failure></testcase>{}",
        &xml[..s],
        attributes(xml, name),
        &xml[e..]
    )
}

fn timed(xml: &str, name: &str, seconds: &str) -> String {
    let (s, e) = element(xml, name);
    let el = &xml[s..e];
    let t = el.find(" time=\"").unwrap() + " time=\"".len();
    let q = t + el[t..].find('"').unwrap();
    format!("{}{}{seconds}{}{}", &xml[..s], &el[..t], &el[q..], &xml[e..])
}

/// Run `n` (1 to 6) of the scenario in the module documentation.
fn run(n: usize) -> String {
    let mut x = BASE.to_string();
    x = if [2, 4].contains(&n) { failed(&x, FLIPS) } else { passed(&x, FLIPS) };
    x = if n >= 4 { failed(&x, BREAKS) } else { passed(&x, BREAKS) };
    x = if n == 6 { passed(&x, FIXED) } else { failed(&x, FIXED) };
    x = timed(&x, SLOWS, ["0.051", "0.050", "0.052", "0.051", "0.049", "0.510"][n - 1]);
    if n == 6 { failed(&x, NEW) } else { passed(&x, NEW) }
}

/// A temp dir holding `hist/` with the records of runs 1 to `last` (run 3 as CTRF), written by
/// gen-report from `junit.xml` (the same path every run, as in CI).
fn history(last: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for n in 1..=last {
        fs::write(tmp.path().join("junit.xml"), run(n)).unwrap();
        let label = n.to_string();
        let args: Vec<String> = if n == 3 {
            vec!["junit.xml".into(), "--format".into(), "ctrf".into(), "-o".into(), "hist/3.json".into()]
        } else {
            vec![
                "junit.xml".into(),
                "--record".into(),
                format!("hist/{n}.parquet"),
                "--run-label".into(),
                label,
            ]
        };
        if n == 3 {
            fs::create_dir_all(tmp.path().join("hist")).unwrap();
        }
        let r = gen_report(&args).current_dir(tmp.path()).run();
        assert_exit(&r, 0);
    }
    tmp
}

/// Writes run `n` as the current `junit.xml` and renders it with `--history hist` and `args`.
fn report(tmp: &Path, n: usize, args: &[&str]) -> support::Run {
    fs::write(tmp.join("junit.xml"), run(n)).unwrap();
    let label = n.to_string();
    let mut all = vec!["junit.xml", "--history", "hist", "--run-label", label.as_str()];
    all.extend(args);
    gen_report(&all).current_dir(tmp).run()
}

fn json(r: &support::Run) -> serde_json::Value {
    assert_exit(r, 0);
    serde_json::from_str(&r.stdout).unwrap()
}

fn names(v: &serde_json::Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_string()).collect()
}

#[test]
fn each_test_lands_in_the_right_list_with_counts_and_labels() {
    let tmp = history(5);
    let r = report(tmp.path(), 6, &["--format", "json"]);
    let h = &json(&r)["history"];
    assert_eq!(h["current"], "6");
    assert_eq!(h["previous"], "5");
    let labels: Vec<&str> =
        h["runs"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(h["runs"][2]["file"], "hist/3.json", "the CTRF report is run 3");
    let failed: Vec<u64> =
        h["runs"].as_array().unwrap().iter().map(|r| r["failed"].as_u64().unwrap()).collect();
    // 4 failures of the runner's own (3 failed, 2 errors, minus test_list_diff) + the edits.
    assert_eq!(failed, [5, 6, 5, 7, 6, 6]);

    // The new failure: failing now, passed in run 5.
    assert_eq!(names(&h["new_failures"]), [NEW]);
    assert_eq!(h["new_failures"][0]["previous"], "passed");
    assert_eq!(h["new_failures"][0]["classname"], "test_mixed.TestÜnïcödeGroup.TestNested");
    assert_eq!(h["new_failures_total"], 1);

    // Broke in run 4 and stayed broken: 3 runs since 4; the runner's own failures fail in all
    // six runs (the whole window: "6+ runs").
    let still = &h["still_failing"];
    assert_eq!(
        names(still),
        [
            "test_broken_import",
            "test_multiline_string_diff",
            "test_raises_unexpected_exception",
            "test_needs_database",
            BREAKS
        ]
    );
    let a = &still[0];
    assert_eq!(
        (a["runs"].as_u64(), a["since"].as_str(), a["at_least"].as_bool()),
        (Some(6), Some("1"), Some(true))
    );
    let b = &still[4];
    assert_eq!(
        (b["runs"].as_u64(), b["since"].as_str(), b["at_least"].as_bool()),
        (Some(3), Some("4"), Some(false))
    );

    // Fixed in run 6 after failing in every earlier run.
    assert_eq!(names(&h["fixed"]), [FIXED]);
    let f = &h["fixed"][0];
    assert_eq!(
        (f["failed_runs"].as_u64(), f["since"].as_str(), f["at_least"].as_bool()),
        (Some(5), Some("1"), Some(true))
    );

    // Flipped four times in six runs; the one that broke and the one that got fixed flipped
    // once and are not flaky.
    assert_eq!(names(&h["flaky"]), [FLIPS]);
    let k = &h["flaky"][0];
    assert_eq!((k["flips"].as_u64(), k["runs"].as_u64(), k["failed"].as_u64()), (Some(4), Some(6), Some(2)));
    assert_eq!(k["flip_rate"], 80.0);
    assert_eq!(k["fail_rate"].as_f64().map(|r| (r * 100.0).round() / 100.0), Some(33.33));

    // Slowed down 10×: 0.510 s against a median of 0.051 s.
    assert_eq!(names(&h["slowed"]), [SLOWS]);
    let s = &h["slowed"][0];
    assert_eq!(
        (s["duration_s"].as_f64(), s["median_s"].as_f64(), s["timings"].as_u64()),
        (Some(0.51), Some(0.051), Some(5))
    );
    assert_eq!(s["ratio"].as_f64().map(|r| (r * 1000.0).round() / 1000.0), Some(10.0));
    assert_eq!(h["slowest"][0]["name"], SLOWS);
    assert!(h["folder"]["skipped"].as_array().unwrap().is_empty(), "{}", h["folder"]);
}

#[test]
fn the_rendered_history_section() {
    let tmp = history(5);
    let r = report(tmp.path(), 6, &[]);
    assert_exit(&r, 0);
    let start = r.stdout.find("## History").expect("a History section");
    let end = r.stdout[start..].find("\n## Suites").map_or(r.stdout.len(), |e| start + e);
    let section = &r.stdout[start..end];
    support::markdown::tables(section);
    assert_snapshot!("history_section_run_6", section);
}

#[test]
fn fail_on_new_failures_exits_1_only_for_a_new_failure() {
    let tmp = history(5);
    // Run 6 has one new failure: exit 1, after the report was written.
    let r = report(tmp.path(), 6, &["--fail-on", "new-failures", "-o", "report.md"]);
    assert_exit(&r, 1);
    assert_eq!(r.stderr.lines().last(), Some("error: --fail-on condition holds: new-failures"));
    assert!(fs::read_to_string(tmp.path().join("report.md")).unwrap().contains("### 🆕 New failures (1)"));
    // Run 5 fails too, but only tests that failed in run 4: the gate passes (its own record, of
    // the same label, is left out of its history).
    let r = report(tmp.path(), 5, &["--fail-on", "new-failures"]);
    assert_exit(&r, 0);
    assert!(r.stdout.contains("### 🔁 Still failing (6)"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("warning: history: `hist/5.parquet`: has this run's label `5`: this run replaces it")
    );
    // --fail-on failures still sees every failure.
    assert_exit(&report(tmp.path(), 5, &["--fail-on", "failures"]), 1);
}

#[test]
fn without_earlier_runs_every_failure_is_new() {
    let tmp = tempfile::tempdir().unwrap();
    let r = report(tmp.path(), 5, &["--fail-on", "new-failures", "--format", "json"]);
    assert_exit(&r, 1);
    assert!(r.stderr.contains("note: history: `hist` does not exist (yet): no earlier runs"), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["history"]["new_failures_total"], 6);
    assert_eq!(v["history"]["new_failures"][0]["previous"], serde_json::Value::Null);
}

#[test]
fn bad_files_in_the_folder_are_named_and_skipped() {
    let tmp = history(2);
    let hist = tmp.path().join("hist");
    let good = fs::read(hist.join("2.parquet")).unwrap();
    // Edits of the header in the footer; the same length keeps the Parquet file valid.
    let edit = |edits: &[(&str, &str)]| {
        let mut b = good.clone();
        for (from, to) in edits {
            assert_eq!(from.len(), to.len());
            let at = b.windows(from.len()).position(|w| w == from.as_bytes()).expect("in the footer");
            b[at..at + to.len()].copy_from_slice(to.as_bytes());
        }
        b
    };
    fs::write(hist.join("10.parquet"), &good[..good.len() / 2]).unwrap();
    fs::write(hist.join("11.parquet"), b"PAR1 this is not a parquet file PAR1").unwrap();
    fs::write(hist.join("12.parquet"), edit(&[("\"version\":2", "\"version\":9")])).unwrap();
    fs::write(hist.join("13.parquet"), edit(&[("gen_report.run", "gen_report.xyz")])).unwrap();
    fs::write(
        hist.join("14.parquet"),
        edit(&[("\"passed\":5", "\"passed\":7"), ("\"label\":\"2\"", "\"label\":\"4\"")]),
    )
    .unwrap();
    fs::write(hist.join("15.json"), "{\"results\": {\"tests\": [").unwrap();
    fs::write(hist.join("16.json"), BASE).unwrap();
    fs::write(hist.join("notes.txt"), "not a record").unwrap();
    fs::write(hist.join(".gitkeep"), "").unwrap();
    fs::create_dir(hist.join("old")).unwrap();

    let r = report(tmp.path(), 6, &["--format", "json"]);
    let v = json(&r);
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("warning: history:")).collect();
    let expected = [
        "warning: history: `hist/10.parquet`: not a readable Parquet file (corrupt or truncated?): ",
        "warning: history: `hist/11.parquet`: not a readable Parquet file (corrupt or truncated?): ",
        "warning: history: `hist/12.parquet`: record version 9, written by a newer gen-report (this one reads version 2)",
        "warning: history: `hist/13.parquet`: a Parquet file, but not a gen-report run record (no `gen_report.run` metadata)",
        "warning: history: `hist/14.parquet`: its header says passed = 7, its rows count 5: not used",
        "warning: history: `hist/15.json`: not a CTRF report (expected {\"results\": {\"tests\": [...]}}): ",
        "warning: history: `hist/16.json`: not a CTRF report (expected {\"results\": {\"tests\": [...]}}): ",
        "warning: history: `hist/notes.txt`: not a run record: expected a gen-report record (.parquet) or a CTRF report (.json)",
        "warning: history: `hist/old`: a folder: records are not looked for in subfolders",
    ];
    assert_eq!(warnings.len(), expected.len(), "{}", r.stderr);
    for (w, e) in warnings.iter().zip(expected) {
        assert!(w.starts_with(e), "{w:?}\n  should start with\n{e:?}");
    }
    // Never a silently wrong trend: only the two good records and this run.
    let h = &v["history"];
    let labels: Vec<&str> =
        h["runs"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "2", "6"]);
    // Records whose header could be read: 1, 2 and 14 (its rows are what is wrong).
    assert_eq!(h["folder"]["records"], 3);
}

#[test]
fn records_are_deterministic_and_readable_as_parquet() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("junit.xml"), BASE).unwrap();
    for f in ["a.parquet", "b.parquet"] {
        let r = gen_report(["junit.xml", "--record", f, "--run-label", "41"]).current_dir(tmp.path()).run();
        assert_exit(&r, 0);
    }
    let a = fs::read(tmp.path().join("a.parquet")).unwrap();
    assert_eq!(a, fs::read(tmp.path().join("b.parquet")).unwrap(), "same inputs, same bytes");

    let reader = SerializedFileReader::new(fs::File::open(tmp.path().join("a.parquet")).unwrap()).unwrap();
    let meta = reader.metadata().file_metadata();
    assert_eq!(meta.num_rows(), 14);
    let columns: Vec<&str> = meta.schema_descr().columns().iter().map(|c| c.name()).collect();
    assert_eq!(
        columns,
        ["run", "id", "file", "suite", "classname", "name", "outcome", "flaky", "duration_ms", "category"]
    );
    let header = meta.key_value_metadata().unwrap().iter().find(|k| k.key == "gen_report.run").unwrap();
    let header: serde_json::Value = serde_json::from_str(header.value.as_deref().unwrap()).unwrap();
    assert_eq!(header["format"], "gen-report run record");
    assert_eq!(header["version"], 2);
    assert_eq!(header["label"], "41");
    assert_eq!(header["rows"], 14);
    assert_eq!(header["totals"]["failures"], 3);
    assert_eq!(header["totals"]["errors"], 2);
    // One row group per outcome (passed, failed, error, skipped), each in test order.
    let groups: Vec<i64> = reader.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
    assert_eq!(groups, [6, 3, 2, 3]);
    let rows: Vec<String> = reader.get_row_iter(None).unwrap().map(|r| r.unwrap().to_string()).collect();
    assert_eq!(rows.len(), 14);
    assert_eq!(
        rows[0],
        format!(
            "{{run: \"41\", id: {}, file: \"junit.xml\", suite: \"pytest\", classname: \"test_mixed\", \
             name: \"test_passes_quickly\", outcome: \"passed\", flaky: false, duration_ms: 0, category: null}}",
            0xdb33_d0cc_d28f_b67a_u64 as i64
        )
    );
}

#[test]
fn categories_over_time_in_manifest_mode() {
    let seed = support::SeedCopy::new();
    let hist = seed.tmp.path().join("hist");
    let data = seed.data.to_str().unwrap().to_string();
    let h = hist.to_str().unwrap().to_string();
    for (label, auth) in [("1", "6"), ("2", "14")] {
        if auth != "6" {
            seed.edit("categories/auth.yaml", "tests: 6", &format!("tests: {auth}"));
        }
        let rec = hist.join(format!("{label}.parquet"));
        let r = gen_report([data.as_str(), "--record", rec.to_str().unwrap(), "--run-label", label]).run();
        assert_exit(&r, 0);
    }
    seed.edit("categories/auth.yaml", "tests: 14", "tests: 19");
    let r = gen_report([data.as_str(), "--history", h.as_str(), "--run-label", "3"]).run();
    assert_exit(&r, 0);
    let t = support::markdown::tables(&r.stdout);
    let cats = t
        .iter()
        .find(|t| {
            t.header.first().map(String::as_str) == Some("Category") && t.header[2].starts_with("Toward")
        })
        .unwrap();
    assert_eq!(cats.rows_starting("Auth")[0], &["Auth", "25", "6 → 14 → 19", "19 of 25"]);
    assert!(r.stdout.contains("This run has no test results: the per-test lists need them."));
}

#[test]
fn usage_errors() {
    let r =
        support::run(["tests/fixtures/runners/pytest/mixed-outcomes/junit.xml", "--fail-on", "new-failures"]);
    support::assert_bad_input(&r, &["--fail-on new-failures needs --history DIR"]);
    let r = support::run(["tests/fixtures/runners/pytest/mixed-outcomes/junit.xml", "--record", "run.json"]);
    support::assert_bad_input(&r, &["a run record is a Parquet file: name it *.parquet"]);
    // A record needs a label; with none of its sources, nothing is written.
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("junit.xml"), BASE).unwrap();
    let r = gen_report(["junit.xml", "--record", "hist/1.parquet", "-o", "report.md"])
        .current_dir(tmp.path())
        .env_remove("GITHUB_RUN_NUMBER")
        .env_remove("GITHUB_SHA")
        .run();
    support::assert_bad_input(&r, &["--record: this run needs a label: give --run-label"]);
    assert_eq!(support::dir_entries(tmp.path()), ["junit.xml"]);
}

#[test]
fn the_budget_shrinker_cuts_the_history_section_like_any_other() {
    let tmp = history(5);
    let r = report(tmp.path(), 6, &["--budget", "2500"]);
    assert_exit(&r, 0);
    assert!(r.stdout.len() <= 2500, "{} bytes", r.stdout.len());
    support::markdown::tables(&r.stdout);
    // Verdict and totals first; what did not fit is named.
    assert!(r.stdout.starts_with("# Test results\n\n**Result**: ❌ Tests failed"), "{}", r.stdout);
    assert!(r.stderr.contains("note: shortened to fit the budget: "), "{}", r.stderr);
}

#[test]
fn damaged_records_never_crash_the_report() {
    let tmp = history(1);
    let hist = tmp.path().join("hist");
    let good = fs::read(hist.join("1.parquet")).unwrap();
    // 30 records with one byte flipped, 30 cut short, each alone in the folder: each is read
    // whole or named and skipped; never a crash.
    let mut skipped = 0;
    for k in 0..60 {
        let bytes = if k < 30 {
            let mut b = good.clone();
            b[k * good.len() / 30] ^= 0xff;
            b
        } else {
            good[..(k - 30) * good.len() / 30].to_vec()
        };
        fs::write(hist.join("1.parquet"), bytes).unwrap();
        let r = report(tmp.path(), 2, &["--format", "json"]);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        let v = json(&r);
        let h = &v["history"];
        let used = h["runs"].as_array().unwrap().len() - 1;
        let named = h["folder"]["skipped"].as_array().unwrap().len();
        assert_eq!(used + named, 1, "case {k}: {}", h["folder"]);
        skipped += named;
        if k >= 30 {
            assert_eq!(
                named,
                1,
                "a record cut at {} of {} bytes was used",
                (k - 30) * good.len() / 30,
                good.len()
            );
        }
    }
    assert!(skipped >= 30, "{skipped}");
}

/// Records of runs 1 to 5 written from a new path each run (`run-N/junit-100N.xml`, as CI
/// artifacts land), and run 6 reported from `run-6/junit-1005.xml`: the tests are the same
/// tests (issue 29). Before: "added"/"removed" for every test, the still-failing ones called new
/// failures, nothing fixed, no flaky or slowed test.
#[test]
fn identity_does_not_depend_on_the_results_path() {
    let tmp = tempfile::tempdir().unwrap();
    let write_run = |n: usize| -> String {
        let path = format!("run-{n}/junit-{}.xml", 999 + n);
        fs::create_dir_all(tmp.path().join(format!("run-{n}"))).unwrap();
        fs::write(tmp.path().join(&path), run(n)).unwrap();
        path
    };
    for n in 1..=5 {
        let path = write_run(n);
        let record = format!("hist/{n}.parquet");
        let r = gen_report([path.as_str(), "--record", record.as_str(), "--run-label", &n.to_string()])
            .current_dir(tmp.path())
            .run();
        assert_exit(&r, 0);
    }
    let path = write_run(6);
    let r = gen_report([path.as_str(), "--history", "hist", "--run-label", "6", "--format", "json"])
        .current_dir(tmp.path())
        .run();
    let h = &json(&r)["history"];
    let c = &h["changes"];
    assert_eq!((c["added_total"].as_u64(), c["removed_total"].as_u64()), (Some(0), Some(0)), "{c}");
    assert_eq!(names(&h["new_failures"]), [NEW]);
    assert_eq!(h["still_failing_total"], 5);
    assert_eq!(h["still_failing"][4]["name"], BREAKS);
    assert_eq!(h["still_failing"][4]["since"], "4");
    assert_eq!(names(&h["fixed"]), [FIXED]);
    assert_eq!(names(&h["flaky"]), [FLIPS]);
    assert_eq!(names(&h["slowed"]), [SLOWS]);
    // The test is named with the results file it came from this run.
    assert_eq!(h["fixed"][0]["file"], "run-6/junit-1005.xml");
}

/// Two results files of one run holding the same tests (one suite run on two platforms) stay
/// two tests each: the path tells them apart within a run, and a run later, the same pair.
#[test]
fn the_path_tells_apart_two_cases_of_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir_all(tmp.path().join("linux")).unwrap();
    fs::create_dir_all(tmp.path().join("mac")).unwrap();
    fs::write(tmp.path().join("linux/junit.xml"), run(1)).unwrap();
    fs::write(tmp.path().join("mac/junit.xml"), run(1)).unwrap();
    let r =
        gen_report(["linux/junit.xml", "mac/junit.xml", "--record", "hist/1.parquet", "--run-label", "1"])
            .current_dir(tmp.path())
            .run();
    assert_exit(&r, 0);
    // Run 2 breaks BREAKS on mac only.
    fs::write(tmp.path().join("mac/junit.xml"), failed(&run(1), BREAKS)).unwrap();
    let r = gen_report([
        "linux/junit.xml",
        "mac/junit.xml",
        "--history",
        "hist",
        "--run-label",
        "2",
        "--format",
        "json",
    ])
    .current_dir(tmp.path())
    .run();
    let h = &json(&r)["history"];
    assert_eq!(h["changes"]["added_total"], 0);
    assert_eq!(h["changes"]["removed_total"], 0);
    assert_eq!(names(&h["new_failures"]), [BREAKS]);
    assert_eq!(h["new_failures"][0]["file"], "mac/junit.xml");
}

/// A version-1 record (gen-report 0.1.0, whose `id` hashed the results path: see the fixture's
/// PROVENANCE.md) is matched by suite, classname and name, whatever path this run's file has.
#[test]
fn version_1_records_are_read_by_suite_classname_and_name() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/history/pyarrow");
    fs::create_dir_all(tmp.path().join("hist")).unwrap();
    fs::create_dir_all(tmp.path().join("results-8")).unwrap();
    fs::copy(fixture.join("run-7.parquet"), tmp.path().join("hist/7.parquet")).unwrap();
    fs::copy(fixture.join("junit-8.xml"), tmp.path().join("results-8/junit-8.xml")).unwrap();
    let r =
        gen_report(["results-8/junit-8.xml", "--history", "hist", "--run-label", "8", "--format", "json"])
            .current_dir(tmp.path())
            .run();
    assert_eq!(r.stderr, "");
    let h = &json(&r)["history"];
    let c = &h["changes"];
    assert_eq!(names(&c["removed"]), ["test_1"]);
    assert_eq!(names(&c["added"]), ["test_1b"]);
    assert_eq!((c["added_total"].as_u64(), c["removed_total"].as_u64()), (Some(1), Some(1)));
    assert_eq!(h["still_failing_total"], 4);
    assert_eq!(h["new_failures_total"], 0);
}

/// "1 run", not "1 runs"; the trend's failure column says it adds errors (issue 29 item 4).
#[test]
fn one_run_is_singular_and_the_failed_column_names_errors() {
    // FLIPS failed in run 2 only: fixed in run 3 after one failed run.
    let tmp = history(2);
    let r = report(tmp.path(), 3, &["-o", "r.md"]);
    assert_exit(&r, 0);
    let md = fs::read_to_string(tmp.path().join("r.md")).unwrap();
    let row = md.lines().find(|l| l.starts_with(&format!("| {FLIPS} |"))).unwrap_or_else(|| panic!("{md}"));
    assert!(row.contains("| 1 run, since 2 |"), "{row}");
    assert!(!md.contains("1 runs"), "{md}");
    assert!(md.contains("| Run | Date | Tests | Passed | Failed + errors | Skipped |"), "{md}");
}

/// The summary's first table puts the change since the previous run beside each figure
/// (issue 32): run 4 breaks `test_passes_quickly` against run 2; nothing beside a figure that
/// did not change, nor anywhere without a previous run.
#[test]
fn the_summary_shows_each_figure_s_change_since_the_previous_run() {
    let tmp = history(2);
    let r = report(tmp.path(), 4, &["--format", "json"]);
    let d = &json(&r)["history"]["delta"];
    assert_eq!(
        *d,
        serde_json::json!({"tests": 0, "passed": -1, "failures": 1, "errors": 0, "skipped": 0, "flaky": 0})
    );
    let r = report(tmp.path(), 4, &["-o", "r.md"]);
    assert_exit(&r, 0);
    let md = fs::read_to_string(tmp.path().join("r.md")).unwrap();
    let row = md.lines().nth(md.lines().position(|l| l.starts_with("|------:")).unwrap() + 1).unwrap();
    assert!(row.starts_with("| 14 | 4 (−1) | 5 (+1) | 2 | 3 | 0 |"), "{row}");

    let none = tempfile::tempdir().unwrap();
    let r = report(none.path(), 4, &["--format", "json"]);
    assert!(json(&r)["history"]["delta"].is_null());
    let r = report(none.path(), 4, &["-o", "r.md"]);
    assert_exit(&r, 0);
    let md = fs::read_to_string(none.path().join("r.md")).unwrap();
    assert!(md.contains("\n| 14 | 4 | 5 | 2 | 3 | 0 |"), "{md}");
}

/// A failure element's location (which readers take as the case's file when the test case
/// names none) comes and goes with the failure: it is not in the identity, so the test that
/// failed with one and passes without is fixed, not "removed" and "added".
#[test]
fn a_failure_s_location_does_not_change_the_test() {
    let tmp = tempfile::tempdir().unwrap();
    let located = failed(&run(1), FLIPS).replace(
        "<failure message=\"derived run: made to fail\">",
        "<failure message=\"derived run: made to fail\" file=\"/home/runner/work/x/test_mixed.py\" line=\"3\">",
    );
    fs::write(tmp.path().join("junit.xml"), located).unwrap();
    let r = gen_report(["junit.xml", "--record", "hist/1.parquet", "--run-label", "1"])
        .current_dir(tmp.path())
        .run();
    assert_exit(&r, 0);
    let r = report(tmp.path(), 3, &["--format", "json"]);
    let h = &json(&r)["history"];
    assert!(names(&h["fixed"]).contains(&FLIPS.to_string()), "{}", h["fixed"]);
    assert_eq!(h["changes"]["added_total"], 0);
}
