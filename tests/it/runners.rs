//! Every real runner's output under tests/fixtures/runners/<runner>/<case>/ (written by the
//! runner named in its RUNNER.md, with the runner's own printed summary) is read, and:
//! - the counts equal expected.json (the runner's summary), except where the file itself
//!   cannot carry a figure (listed below, each with why);
//! - no finding is raised: findings must mean the data disagrees with itself, and unmodified
//!   runner output does not, except where listed.
//!
//! Formats gen-report does not read (yet) are listed as such and skipped by name.

use crate::support;

use std::fs;
use std::path::{Path, PathBuf};

use gen_report::results::{CollectSink, Counts, ReadOptions, ResultsError, read_file_with};

const RUNNERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/runners");

/// Case folders whose files are one run together (read as one).
const ONE_RUN_IN_SEVERAL_FILES: &[&str] = &["xmlrunner/per-class-files", "tap-perl/mixed"];

/// (file suffix, field, why): counts the file cannot carry.
const COUNT_EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "pytest-rerunfailures/reruns/junit.xml",
        "flaky",
        "the passed-on-rerun test's failed attempt is an empty <testcase>: nothing says it failed",
    ),
    ("pytest-rerunfailures/reruns-xunit1/junit.xml", "flaky", "as above"),
    ("vitest/diff-retry-nested/junit.xml", "flaky", "vitest's JUnit drops retries (its JSON keeps them)"),
    ("jest/retries-no-describe/junit.xml", "flaky", "jest-junit drops retries (its CTRF and JSON keep them)"),
    (
        "nextest-junit/workspace-retries/junit.xml",
        "tests",
        "nextest's JUnit omits ignored tests entirely (no element, no count)",
    ),
    ("nextest-junit/workspace-retries/junit.xml", "skipped", "as above"),
    (
        "libtest-junit/workspace-abort/cargo-test-junit.xml",
        "tests",
        "the aborted binary wrote no document: only cargo's stderr names it",
    ),
    ("libtest-junit/workspace-abort/cargo-test-junit.xml", "errors", "as above"),
    (
        "mocha/junit-reporter/junit.xml",
        "flaky",
        "mocha-junit-reporter drops retries (mocha's JSON keeps currentRetry)",
    ),
    (
        "catch2/junit-reporter/catch2-junit.xml",
        "tests",
        "Catch2's JUnit writes each leaf SECTION as a test case (sections/positive, sections/negative)",
    ),
    (
        "catch2/junit-reporter/catch2-junit.xml",
        "skipped",
        "the [!shouldfail] test that failed as expected is skipped here (like pytest's xfail); Catch2 counts it as passed, and the extra section case makes up the pass count",
    ),
    (
        "ctest-junit/gtest-and-crashes/ctest-junit.xml",
        "failed",
        "ctest writes a segfault and an abort exactly like a failed test (<failure message=\"\"/>): they count as failures",
    ),
    ("ctest-junit/gtest-and-crashes/ctest-junit.xml", "errors", "as above"),
    (
        "node-test/suites-subtests/junit.xml",
        "tests",
        "node:test counts a test with subtests as a test; its JUnit writes it as a <testsuite>",
    ),
    ("node-test/suites-subtests/junit.xml", "failed", "as above: the parent of a failing subtest"),
    (
        "node-tap/subtests-junit-tap/junit.xml",
        "*",
        "`tap replay` JUnit counts assertions and repeats every subtest in its parent",
    ),
    (
        "pytest/teardown-error-output/junit.xml",
        "*",
        "pytest writes a teardown error as a second <testcase> of the same test and counts it (tests=\"5\"); the summary counted by worst outcome",
    ),
    (
        "gotestsum/junit-and-jsonfile/gotestsum.json",
        "tests",
        "gotestsum drops go's `FAIL example.com/demo/broken [build failed]` line from its --jsonfile: no trace of the package that failed to build (its junit.xml's errors=\"1\" has one)",
    ),
    ("gotestsum/junit-and-jsonfile/gotestsum.json", "errors", "as above"),
    (
        "tap-perl/bail-out/bail.tap",
        "tests",
        "`Bail out!` aborts the run: one errored case for the abort and one errored stand-in for the 2 planned tests that never ran; prove fails the file ('Failed 3/4 subtests') but counts 2 tests",
    ),
    ("tap-perl/bail-out/bail.tap", "errors", "as above: a crashed run never reads as passed"),
    (
        "tap-perl/plan-mismatch/plan_mismatch.tap",
        "tests",
        "planned 5, ran 3: the 2 missing tests are one errored stand-in (a script that died); prove says 'Bad plan' but counts 3 tests",
    ),
    ("tap-perl/plan-mismatch/plan_mismatch.tap", "errors", "as above"),
    (
        "tap-perl/mixed/basic.tap",
        "tests",
        "died.tap ends without a plan after the script died (exit 255): one errored stand-in for the run that did not finish, which prove's totals count nowhere",
    ),
    ("tap-perl/mixed/basic.tap", "errors", "as above"),
    (
        "tap-perl/duplicate-number/dup.tap",
        "tests",
        "numbers out of sequence fail the file (prove: 'Parse errors: Tests out of sequence', Result: FAIL): one errored stand-in says so; prove counts the 2 points only",
    ),
    ("tap-perl/duplicate-number/dup.tap", "errors", "as above"),
    ("tap-perl/out-of-order/order.tap", "tests", "as above"),
    ("tap-perl/out-of-order/order.tap", "errors", "as above"),
    (
        "check/xml-and-tap/check.tap",
        "failed",
        "TAP has only ok / not ok: Check's error (the segfault) is a `not ok` like its failure",
    ),
    ("check/xml-and-tap/check.tap", "errors", "as above"),
    (
        "pytest/teardown-error-7.4.4/junit.xml",
        "*",
        "as pytest 9: a failed test with a teardown error is two <testcase> elements (tests=\"4\", agreeing with them); the summary counts by worst outcome",
    ),
    ("pytest/teardown-error-8.3.5/junit.xml", "*", "as above"),
    (
        "playwright/ctrf-reporter/ctrf-report.json",
        "*",
        "playwright-ctrf-json-reporter 0.0.29 writes the `test.fail()` that passed (Playwright: failed) as a passed, flaky entry; only its summary keeps the failure",
    ),
    (
        "playwright/max-failures/pw-maxfail.json",
        "tests",
        "the top-level error 'Testing stopped early after 1 maximum allowed failures' is one errored `[run error]` case, which Playwright's own counts leave out",
    ),
    ("playwright/max-failures/pw-maxfail.json", "errors", "as above"),
];

/// (file suffix, why): findings that real output raises and that are kept, because the file
/// really does disagree with itself.
const FINDING_EXCEPTIONS: &[(&str, &str)] = &[
    ("tap-perl/bail-out/bail.tap", "the plan (1..4) is not met: the run bailed out"),
    ("tap-perl/plan-mismatch/plan_mismatch.tap", "the plan (1..5) is not met: 3 test points"),
    ("tap-perl/duplicate-number/dup.tap", "test 1 twice, test 2 never: prove's parse error"),
    ("tap-perl/out-of-order/order.tap", "1, 3, 2: prove's parse errors"),
    (
        "playwright/ctrf-reporter/ctrf-report.json",
        "its summary (failed 4) disagrees with its entries (3 failed): the entries lost a failure",
    ),
    (
        "tap-perl/mixed/basic.tap",
        "died.tap holds a Perl error line that is not TAP: it is reported, not ignored in silence",
    ),
    (
        "node-tap/subtests-junit-tap/junit.xml",
        "`tap replay` declares per-suite counts of assertions its cases do not show",
    ),
    (
        "node-test/suites-subtests/junit.xml",
        "node counts a todo in a nested suite as skipped there but not in its parent",
    ),
];

fn expected(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap()
}

fn result_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.file_name().unwrap() != "expected.json"
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("xml" | "json" | "jsonl" | "tap" | "trx")
                )
        })
        .collect();
    files.sort();
    files
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for runner in fs::read_dir(RUNNERS).unwrap() {
        let runner = runner.unwrap().path();
        if !runner.is_dir() {
            continue;
        }
        for case in fs::read_dir(&runner).unwrap() {
            let case = case.unwrap().path();
            if case.join("expected.json").is_file() {
                dirs.push(case);
            }
        }
    }
    dirs.sort();
    dirs
}

fn rel(p: &Path) -> String {
    p.strip_prefix(RUNNERS).unwrap().display().to_string()
}

#[test]
fn real_runner_output_matches_the_runners_summary() {
    let mut problems = Vec::new();
    let (mut checked, mut unread) = (Vec::new(), Vec::new());
    for dir in case_dirs() {
        let exp = expected(&dir);
        let mut groups: Vec<Vec<PathBuf>> = result_files(&dir).into_iter().map(|f| vec![f]).collect();
        if ONE_RUN_IN_SEVERAL_FILES.iter().any(|d| dir.ends_with(d)) {
            groups = vec![groups.concat()];
        }
        for files in groups {
            let name = rel(&files[0]);
            let mut sink = CollectSink::default();
            let mut result = Ok(());
            for f in &files {
                if let Err(e) = read_file_with(f, &mut sink, &ReadOptions::default()) {
                    result = Err(e);
                }
            }
            match result {
                Err(ResultsError::Unsupported { .. } | ResultsError::Unrecognised { .. }) => {
                    unread.push(name);
                    continue;
                }
                Err(e) => {
                    problems.push(format!("{name}: {e}"));
                    continue;
                }
                Ok(()) => {}
            }
            checked.push(name.clone());
            let got = Counts::of(&sink.cases);
            let fields = [
                ("tests", got.tests),
                ("passed", got.passed),
                ("failed", got.failures),
                ("errors", got.errors),
                ("skipped", got.skipped),
                ("flaky", got.flaky),
            ];
            for (field, value) in fields {
                let want = exp[field].as_u64().unwrap();
                let excused =
                    COUNT_EXCEPTIONS.iter().any(|(f, k, _)| name.ends_with(f) && (*k == field || *k == "*"));
                if want != value && !excused {
                    problems.push(format!("{name}: {field} {value}, the runner says {want}"));
                }
                if want == value
                    && excused
                    && !COUNT_EXCEPTIONS.iter().any(|(f, k, _)| name.ends_with(f) && *k == "*")
                {
                    problems.push(format!("{name}: {field} now agrees; drop its exception"));
                }
            }
            let excused = FINDING_EXCEPTIONS.iter().any(|(f, _)| name.ends_with(f));
            if !sink.findings.is_empty() && !excused {
                let msgs: Vec<&str> = sink.findings.iter().map(|f| f.message.as_str()).collect();
                problems.push(format!("{name}: findings on unmodified runner output: {msgs:?}"));
            }
            if sink.findings.is_empty() && excused {
                problems.push(format!("{name}: no finding any more; drop its exception"));
            }
        }
    }
    println!(
        "checked {} runner files: {checked:#?}\nnot read (formats gen-report does not read yet): {unread:#?}",
        checked.len()
    );
    assert!(checked.len() >= 25, "only {} files checked", checked.len());
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

// Snapshot of the failures section each real runner file renders to (zero-config Markdown): a
// reader's view of every dialect's failures, errors and crashes, so a change in what they show
// is reviewed.
#[test]
fn rendered_failures_of_every_runner() {
    let mut all = String::new();
    for dir in case_dirs() {
        for file in result_files(&dir) {
            let rel_repo = file
                .strip_prefix(env!("CARGO_MANIFEST_DIR"))
                .unwrap()
                .to_str()
                .unwrap()
                .trim_start_matches('/')
                .to_string();
            let out = support::output(
                std::process::Command::new(env!("CARGO_BIN_EXE_gen-report"))
                    .arg(&rel_repo)
                    .current_dir(env!("CARGO_MANIFEST_DIR"))
                    .env_remove("SOURCE_DATE_EPOCH"),
            );
            if out.status.code() != Some(0) {
                continue; // a format not read: listed by the test above
            }
            let md = String::from_utf8(out.stdout).unwrap();
            // "Failures by cause" and/or "Failures and errors", up to the next other section.
            let Some(start) = md.find("### ❌ Failures") else { continue };
            let after = |at: usize| md[at..].find("\n### ").map(|e| at + e + 1);
            let mut end = after(start).unwrap_or(md.len());
            if md[end..].starts_with("### ❌ Failures and errors") {
                end = after(end).unwrap_or(md.len());
            }
            all.push_str(&format!("==== {}\n{}\n", rel(&file), md[start..end].trim_end()));
        }
    }
    assert!(all.matches("==== ").count() >= 20, "failures rendered for too few files");
    assert_snapshot!("runner_failures", all);
}

// Checks that a ctest failure whose message is only ctest's status word (`Failed`) also shows
// the end of the test's <system-out>, where the cause is (ctest 4.4.5, real output).
#[test]
fn ctest_status_word_failures_show_the_output_tail() {
    let file = support::fixture("runners/ctest-junit/not-run-reasons/ctest-junit.xml");
    let mut sink = CollectSink::default();
    read_file_with(&file, &mut sink, &ReadOptions::default()).unwrap();
    let case = sink.cases.iter().find(|c| c.name == "db_setup").unwrap();
    assert_eq!(
        case.message.as_deref(),
        Some("Failed\n(the end of the test's output:)\ncannot start database")
    );
    // A real message is kept alone: "Unable to find executable" is more than a status word.
    let other = sink.cases.iter().find(|c| c.name == "missing_executable").unwrap();
    assert!(!other.message.as_deref().unwrap_or("").contains("end of the test's output"), "{other:?}");
}

// Checks that vitest's JSON "Error: STACK_TRACE_ERROR" (its text for a timeout, real vitest 3.2.7
// output) says the test timed out, and that its JUnit report's own words are kept.
#[test]
fn vitest_timeout_says_it_timed_out() {
    let dir = support::fixture("runners/vitest/json-timeout");
    for (file, headline) in [
        (
            "vitest.json",
            "timed out (Vitest's JSON report writes only `Error: STACK_TRACE_ERROR` for a timeout)\n",
        ),
        ("junit.xml", "Test timed out in 50ms."),
    ] {
        let mut sink = CollectSink::default();
        read_file_with(&dir.join(file), &mut sink, &ReadOptions::default()).unwrap();
        let slow = sink.cases.iter().find(|c| c.name.ends_with("slow")).unwrap();
        assert!(slow.message.as_deref().unwrap_or("").starts_with(headline), "{file}: {:?}", slow.message);
    }
}
