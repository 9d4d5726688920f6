//! Every result file of the real runner fixtures (`tests/fixtures/runners/*/*/`) against the
//! counts the runner itself printed (`expected.json` of its case).
//!
//! A case folder may hold one run in several formats (jest: JUnit, CTRF and Jest JSON): each
//! format alone must give the expected counts. Files of the same format in one folder are
//! parts of one run (xmlrunner's file per class, Surefire's `TEST-*.xml`, prove's two scripts)
//! and are added up. Where a file cannot match by design, [`EXCEPTIONS`] says which field
//! differs, what we count instead and why; every other field of that file must still match.
//!
//! Compared here: the formats of the go test JSON, TAP, Mocha/Jest/Vitest/RSpec JSON readers
//! (files are sniffed first). JUnit, CTRF and libtest files are left to their readers' own
//! fixture tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gen_report::results::{CollectSink, Counts, detect_format, read_file};
use serde_json::Value;

/// (case folder, format id, field, our value, why). Keep it short; each entry is a decision.
const EXCEPTIONS: &[(&str, &str, &str, u64, &str)] = &[
    (
        "gotestsum/junit-and-jsonfile",
        "go-test-json",
        "errors",
        0,
        "gotestsum drops go's plain-text `FAIL example.com/demo/broken [build failed]` line from its \
         --jsonfile (its stderr says so), so the file holds no trace of the package that failed to \
         build; only gotestsum's console and junit.xml's errors=\"1\" know of it",
    ),
    ("gotestsum/junit-and-jsonfile", "go-test-json", "tests", 17, "the same missing build failure"),
    (
        "tap-perl/bail-out",
        "tap",
        "errors",
        2,
        "`Bail out!` aborts the run: one errored case for the abort, one errored stand-in for the 2 \
         planned tests that never ran (prove fails the file too: 'Failed 3/4 subtests'); a crashed run \
         must never read as passed",
    ),
    ("tap-perl/bail-out", "tap", "tests", 4, "the same two errored cases"),
    (
        "tap-perl/plan-mismatch",
        "tap",
        "errors",
        1,
        "planned 5, ran 3: the 2 missing tests are one errored stand-in (a script that died), and \
         the plan mismatch is a finding; prove fails the file ('Bad plan', 'Failed 2/5 subtests') \
         but counts 3 tests",
    ),
    ("tap-perl/plan-mismatch", "tap", "tests", 4, "the same stand-in case"),
    (
        "tap-perl/mixed",
        "tap",
        "errors",
        1,
        "died.tap ends without a plan after the script died (exit 255): one errored stand-in for \
         the run that did not finish (prove: 'No plan found in TAP output', Result: FAIL) — counted \
         nowhere by prove's test totals",
    ),
    ("tap-perl/mixed", "tap", "tests", 12, "the same stand-in case"),
];

/// Format ids whose counts this test compares.
const COMPARED: &[&str] = &["go-test-json", "tap", "mocha-json", "jest-json", "rspec-json"];

/// Files in case folders that are not results (console captures are `.txt`).
fn is_result_candidate(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !matches!(name, "RUNNER.md" | "expected.json") && !name.ends_with(".txt") && !name.ends_with(".md")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "src") {
                files_under(&p, out);
            }
        } else if is_result_candidate(&p) {
            out.push(p);
        }
    }
}

fn expected_counts(v: &Value) -> Counts {
    let f = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("expected.json lacks `{k}`"));
    Counts {
        tests: f("tests"),
        passed: f("passed"),
        failed: f("failed"),
        errors: f("errors"),
        skipped: f("skipped"),
        flaky: f("flaky"),
    }
}

fn fields(c: &Counts) -> [(&'static str, u64); 6] {
    [
        ("tests", c.tests),
        ("passed", c.passed),
        ("failed", c.failed),
        ("errors", c.errors),
        ("skipped", c.skipped),
        ("flaky", c.flaky),
    ]
}

#[test]
fn runner_fixtures_match_the_runners_own_counts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runners");
    let mut cases: Vec<PathBuf> = Vec::new();
    for runner in std::fs::read_dir(&root).unwrap() {
        let runner = runner.unwrap().path();
        if runner.is_dir() {
            for case in std::fs::read_dir(&runner).unwrap() {
                let case = case.unwrap().path();
                if case.join("expected.json").is_file() {
                    cases.push(case);
                }
            }
        }
    }
    cases.sort();
    assert!(cases.len() >= 30, "only {} runner cases found under {}", cases.len(), root.display());
    let mut compared_files = 0;

    let mut problems = Vec::new();
    let mut used_exceptions = vec![false; EXCEPTIONS.len()];
    let mut table = Vec::new();
    for case in &cases {
        let rel = case.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap()).unwrap();
        let want = expected_counts(&expected);
        let mut files = Vec::new();
        files_under(case, &mut files);
        // Counts per format: files of one format in one case are parts of one run.
        let mut by_format: BTreeMap<&'static str, (Counts, Vec<String>)> = BTreeMap::new();
        for file in &files {
            let name = file.strip_prefix(case).unwrap().to_string_lossy().into_owned();
            if !COMPARED.contains(&detect_format(&std::fs::read(file).unwrap()).id()) {
                continue;
            }
            let mut sink = CollectSink::default();
            match read_file(file, &mut sink) {
                Ok(summary) => {
                    assert_eq!(summary.cases, sink.cases.len() as u64, "{rel}/{name}");
                    compared_files += 1;
                    let entry = by_format.entry(summary.format.id()).or_default();
                    entry.0 += Counts::of(&sink.cases);
                    entry.1.push(name);
                }
                Err(e) => problems.push(format!("{rel}/{name}: {e}")),
            }
        }
        for (format, (got, names)) in by_format {
            for ((field, w), (_, g)) in fields(&want).into_iter().zip(fields(&got)) {
                let exception = EXCEPTIONS
                    .iter()
                    .position(|(c, f, fld, _, _)| *c == rel && *f == format && *fld == field);
                match exception {
                    Some(i) => {
                        used_exceptions[i] = true;
                        if g != EXCEPTIONS[i].3 {
                            problems.push(format!(
                                "{rel} ({format}): {field} is {g}, the exception table says {}",
                                EXCEPTIONS[i].3
                            ));
                        }
                    }
                    None if g != w => problems.push(format!(
                        "{rel} ({format}, {}): {field} expected {w}, got {g}",
                        names.join(" + ")
                    )),
                    None => {}
                }
            }
            table.push(format!(
                "{rel:45} {format:13} {:50} expected {:?} got {:?}",
                names.join(" + "),
                fields(&want).map(|f| f.1),
                fields(&got).map(|f| f.1)
            ));
        }
    }
    for (i, used) in used_exceptions.iter().enumerate() {
        if !used {
            problems.push(format!("exception {:?} matches no file: remove it", &EXCEPTIONS[i].0));
        }
    }
    println!("{}", table.join("\n"));
    // Every format compared here has real fixtures: losing them must not pass silently.
    assert!(compared_files >= 14, "only {compared_files} result files of the compared formats");
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}
