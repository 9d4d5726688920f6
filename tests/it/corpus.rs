//! Checks the results readers against the corpus of real-world JUnit files.
//!
//! The corpus is vendored under `tests/corpus` (provenance and licences there);
//! `GEN_REPORT_CORPUS` points the test at another copy. A missing corpus FAILS this test: a
//! silent pass would hide that nothing was checked.

use std::path::{Path, PathBuf};

use gen_report::results::{CollectSink, Counts, ReadOptions, ResultsError, read_file, read_file_with};
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    match std::env::var_os("GEN_REPORT_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus"),
    }
}

/// Figures that our documented counting policy legitimately does not reproduce:
/// (path suffix, view, field, why). Keep this list short and every entry justified.
/// All peer figures are reproduced; the only exceptions are against the corpus' own
/// element count (`computed.counts`), which ignores the `status` attribute.
const EXCEPTIONS: &[(&str, &str, &str, &str)] = &[
    (
        "flaky_retries/flaky_success_first.xml",
        "merged",
        "passed",
        "last run wins: a test that passed and then failed and errored on later runs is an error, \
         not a flaky pass (mikepenz keeps the first success)",
    ),
    (
        "flaky_retries/flaky_success_first.xml",
        "merged",
        "failed_total",
        "same case as above, seen from the failed side",
    ),
    (
        "junit-server-test/report.xml",
        "plain-vs-computed",
        "tests",
        "gotestsum --rerun-fails: the suite declares tests=\"3\" for 3 distinct tests and writes 4 \
         <testcase> elements, so the repeat is a rerun and is merged by default (last run wins: \
         flaky pass)",
    ),
    (
        "junit-server-test/report.xml",
        "plain-vs-computed",
        "failures",
        "same case as above: the failed first attempt of the rerun test is merged into its pass",
    ),
    (
        "test_results/mocha/mocha.xml",
        "plain",
        "tests",
        "mocha-junit-reporter writes no element for a pending test: the root's skipped=\"1\" is \
         one unlisted skipped test, counted as a skipped stand-in",
    ),
    ("test_results/mocha/mocha.xml", "plain", "skipped", "same case as above"),
    (
        "test_results/mocha/mocha.xml",
        "findings",
        "tests-findings",
        "mocha-junit-reporter's tests= counts tests it does not write (pending, behind a failed \
         hook), so fewer cases than declared is its normal output, not a finding (this file is a \
         trimmed copy of a 15,515-test run)",
    ),
    (
        "junit-server-test/report.xml",
        "findings",
        "tests-findings",
        "same case as above: after merging, tests=\"3\" agrees, so there is nothing to report",
    ),
    (
        "issues/testFailedDisabled.xml",
        "plain-vs-computed",
        "failures",
        "status=\"disabled\" wins over <failure>: we (like mikepenz) count the case as skipped; \
         computed.counts counts the <failure> element",
    ),
    (
        "issues/testFailedDisabled.xml",
        "plain-vs-computed",
        "skipped",
        "same case as above, seen from the skipped side",
    ),
];

struct Figures {
    tests: Option<u64>,
    passed: Option<u64>,
    failures: Option<u64>,
    errors: Option<u64>,
    skipped: Option<u64>,
    failed_total: Option<u64>,
}

impl Figures {
    fn from(v: &Value) -> Self {
        let f = |k: &str| v.get(k).and_then(Value::as_u64);
        Figures {
            tests: f("tests"),
            passed: f("passed"),
            failures: f("failures"),
            errors: f("errors"),
            skipped: f("skipped"),
            failed_total: f("failed_total"),
        }
    }
}

/// Compares the stated (non-null) figures; returns one line per disagreement.
fn compare(path: &str, view: &str, want: &Figures, got: &Counts) -> Vec<String> {
    let mut out = Vec::new();
    let mut cmp = |field: &str, want: Option<u64>, got: u64| {
        if let Some(w) = want
            && w != got
            && !EXCEPTIONS.iter().any(|(p, v, f, _)| path.ends_with(p) && *v == view && *f == field)
        {
            out.push(format!("{path} [{view}]: {field} expected {w}, got {got}"));
        }
    };
    cmp("tests", want.tests, got.tests);
    cmp("passed", want.passed, got.passed);
    cmp("failures", want.failures, got.failures);
    cmp("errors", want.errors, got.errors);
    cmp("skipped", want.skipped, got.skipped);
    if want.failures.is_none() || want.errors.is_none() {
        cmp("failed_total", want.failed_total, got.failures + got.errors);
    }
    out
}

fn read_counts(path: &Path, merge: bool) -> Result<(Counts, CollectSink), ResultsError> {
    let mut sink = CollectSink::default();
    let opts = ReadOptions { merge_reruns: merge };
    let summary = read_file_with(path, &mut sink, &opts)?;
    assert_eq!(summary.cases, sink.cases.len() as u64, "{}", path.display());
    Ok((Counts::of(&sink.cases), sink))
}

#[test]
fn junit_corpus_matches_expected_figures() {
    let root = corpus_dir().join("junit");
    let expected_path = root.join("expected.json");
    let text = std::fs::read_to_string(&expected_path).unwrap_or_else(|e| {
        panic!(
            "corpus not found at {} ({e}); it must be present (set GEN_REPORT_CORPUS to its \
             folder) — this test refuses to pass without checking anything",
            expected_path.display()
        )
    });
    let expected: Value = serde_json::from_str(&text).unwrap();
    let files = expected["files"].as_array().unwrap();
    assert!(!files.is_empty(), "expected.json lists no files");

    let mut problems = Vec::new();
    let (mut junit, mut dotnet, mut broken, mut merged_views) = (0, 0, 0, 0);
    for record in files {
        let rel = record["path"].as_str().unwrap();
        let path = root.join(rel);
        let format = record["format"].as_str().unwrap();
        match format {
            "junit" => {
                junit += 1;
                let exp = &record["expected"];
                let merge = exp["options"].as_str().is_some_and(|o| o.contains("checkRetries=true"));
                match read_counts(&path, merge) {
                    Ok((got, sink)) => {
                        problems.extend(compare(
                            rel,
                            if merge { "merged" } else { "plain" },
                            &Figures::from(exp),
                            &got,
                        ));
                        // Declared `tests=` totals that disagree with the element count are
                        // listed independently in the corpus; we must report each as a finding.
                        let mut want = record["computed"]["attr_count_mismatch_total"].as_u64().unwrap_or(0);
                        if EXCEPTIONS.iter().any(|(p, _, f, _)| rel.ends_with(p) && *f == "tests-findings") {
                            want = 0;
                        }
                        let got_findings =
                            sink.findings.iter().filter(|f| f.message.contains(" declares tests=\"")).count()
                                as u64;
                        if want != got_findings {
                            problems.push(format!(
                                "{rel}: expected {want} `tests=` findings, got {got_findings}: {:?}",
                                sink.findings
                            ));
                        }
                        if sink.findings.iter().any(|f| f.line.is_none_or(|l| l == 0)) {
                            problems.push(format!("{rel}: finding without a line"));
                        }
                    }
                    Err(e) => problems.push(format!("{rel}: unexpected error: {e}")),
                }
                if merge {
                    // Both views: without merging, every <testcase> counts, as in the corpus'
                    // independent element count.
                    merged_views += 1;
                    let mut want = Counts::default();
                    let c = &record["computed"]["counts"];
                    want.tests = c["tests"].as_u64().unwrap();
                    want.passed = c["passed"].as_u64().unwrap();
                    want.failures = c["failures"].as_u64().unwrap();
                    want.errors = c["errors"].as_u64().unwrap();
                    want.skipped = c["skipped"].as_u64().unwrap();
                    match read_counts(&path, false) {
                        Ok((got, _)) => {
                            let want = Figures {
                                tests: Some(want.tests),
                                passed: Some(want.passed),
                                failures: Some(want.failures),
                                errors: Some(want.errors),
                                skipped: Some(want.skipped),
                                failed_total: None,
                            };
                            problems.extend(compare(rel, "plain-vs-computed", &want, &got));
                        }
                        Err(e) => problems.push(format!("{rel}: unexpected error: {e}")),
                    }
                }
            }
            "not-well-formed-xml" => {
                // We are strict: a document that is not well-formed XML is an error with a
                // position. (The peer parsed junit-web-test/expected.xml leniently and stated
                // counts for it; those counts are a guess we deliberately do not make.)
                broken += 1;
                let mut sink = CollectSink::default();
                match read_file(&path, &mut sink) {
                    Err(ResultsError::Syntax { line, column, .. }) if line > 0 && column > 0 => {}
                    other => {
                        problems.push(format!("{rel}: expected a Syntax error with position, got {other:?}"))
                    }
                }
            }
            "trx" | "nunit3" | "nunit2" | "xunit" | "xunit-net" => {
                // Read since gen-report supports these formats: the peer's figures where it
                // states them, else the totals the file itself declares (which must then agree:
                // no finding).
                dotnet += 1;
                let exp = &record["expected"];
                match read_counts(&path, false) {
                    Ok((got, sink)) => {
                        if exp["source"] == "peer" {
                            problems.extend(compare(rel, "peer", &Figures::from(exp), &got));
                        } else {
                            let s = &exp["non_junit_summary"];
                            let n = |k: &str| s[k].as_str().and_then(|v| v.parse::<u64>().ok());
                            let want = Figures {
                                tests: n("total"),
                                passed: n("passed"),
                                failures: None,
                                errors: None,
                                skipped: n("skipped").zip(n("inconclusive")).map(|(a, b)| a + b),
                                failed_total: n("failed"),
                            };
                            problems.extend(compare(rel, "declared", &want, &got));
                            if want.tests.is_none() {
                                problems.push(format!("{rel}: no figures to compare"));
                            }
                        }
                        if !sink.findings.is_empty() {
                            problems.push(format!("{rel}: unexpected findings {:?}", sink.findings));
                        }
                    }
                    Err(e) => problems.push(format!("{rel}: unexpected error: {e}")),
                }
            }
            other => problems.push(format!("{rel}: format `{other}` is not known to this test")),
        }
    }
    for (p, v, f, why) in EXCEPTIONS {
        println!("exception: {p} [{v}] {f}: {why}");
    }
    println!(
        "corpus: {} files checked ({junit} JUnit, {merged_views} of them also merged, \
         {dotnet} TRX/NUnit/xUnit.net, {broken} not well-formed), {} exception(s)",
        files.len(),
        EXCEPTIONS.len()
    );
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

/// Truncated and byte-mutated corpus files must give a case list or a positioned error —
/// never a panic, never a Syntax error without a position.
#[test]
fn mangled_corpus_files_never_panic() {
    use gen_report::results::read_bytes_with;
    let root = corpus_dir().join("junit");
    let text = std::fs::read_to_string(root.join("expected.json"))
        .unwrap_or_else(|e| panic!("corpus not found under {} ({e})", root.display()));
    let expected: Value = serde_json::from_str(&text).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut runs = 0;
    for record in expected["files"].as_array().unwrap() {
        let path = root.join(record["path"].as_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        if bytes.len() > 40_000 {
            continue;
        }
        let step = (bytes.len() / 40).max(1);
        let mut variants: Vec<Vec<u8>> =
            (0..bytes.len()).step_by(step).map(|n| bytes[..n].to_vec()).collect();
        for _ in 0..20 {
            let mut v = bytes.clone();
            for _ in 0..3 {
                let i = (next() as usize) % v.len().max(1);
                if let Some(b) = v.get_mut(i) {
                    const NASTY: &[u8] = b"<>&\"'/ =x\0\xff]!?-";
                    *b = NASTY[(next() % NASTY.len() as u64) as usize];
                }
            }
            variants.push(v);
        }
        for v in variants {
            runs += 1;
            let mut sink = CollectSink::default();
            for merge in [false, true] {
                let opts = ReadOptions { merge_reruns: merge };
                if let Err(ResultsError::Syntax { line, column, .. }) =
                    read_bytes_with(&v, &path, &mut sink, &opts)
                {
                    assert!(line > 0 && column > 0, "{}", path.display());
                }
            }
        }
    }
    println!("mangled corpus: {runs} variants read without a panic");
    assert!(runs > 1000);
}
