//! End-to-end checks of `read_file` on hand-written CTRF / libtest fixtures, on edge-case files
//! written to a temp dir, and on a large generated JUnit file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use gen_report::results::{
    CollectSink, Counts, Format, MESSAGE_LIMIT, Outcome, ReadOptions, ResultsError, read_file, read_file_with,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results").join(name)
}

fn read(path: &Path) -> (Format, CollectSink) {
    let mut sink = CollectSink::default();
    let summary = read_file(path, &mut sink).unwrap();
    assert_eq!(summary.cases, sink.cases.len() as u64);
    (summary.format, sink)
}

#[test]
fn jest_ctrf_report_with_disagreeing_summary() {
    let (format, sink) = read(&fixture("jest-ctrf-report.json"));
    assert_eq!(format, Format::Ctrf);
    let c = Counts::of(&sink.cases);
    assert_eq!((c.tests, c.passed, c.failures, c.skipped, c.flaky), (5, 3, 1, 1, 1));
    let failed = &sink.cases[2];
    assert_eq!(failed.suite, "math.test.js > divide");
    assert!(failed.message.as_deref().unwrap().starts_with("expect(received).toThrow()"));
    assert_eq!(failed.duration_s, 0.012);
    let msgs: Vec<&str> = sink.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(msgs, ["CTRF summary declares tests=6 but the report has 5 tests"]);
}

#[test]
fn cargo_test_libtest_json() {
    let (format, sink) = read(&fixture("cargo-test-libtest.json"));
    assert_eq!(format, Format::LibtestJson);
    let c = Counts::of(&sink.cases);
    assert_eq!((c.tests, c.passed, c.failures, c.skipped), (5, 3, 1, 1));
    let failed = sink.cases.iter().find(|c| c.outcome == Outcome::Failed).unwrap();
    assert_eq!(failed.name, "parser::tests::parses_nested");
    assert!(failed.message.as_deref().unwrap().contains("left: 2"));
    assert!(sink.findings.is_empty(), "{:?}", sink.findings);
}

#[test]
fn nextest_libtest_json() {
    let (format, sink) = read(&fixture("nextest-libtest.json"));
    assert_eq!(format, Format::LibtestJson);
    let c = Counts::of(&sink.cases);
    assert_eq!((c.tests, c.passed, c.failures, c.skipped, c.flaky), (5, 3, 1, 1, 1));
    let flaky = sink.cases.iter().find(|c| c.flaky).unwrap();
    assert_eq!(flaky.name, "results::tests::reads_ctrf");
    assert_eq!(flaky.suite, "gen-report::gen_report");
    assert!(sink.findings.is_empty(), "{:?}", sink.findings);
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn unreadable_inputs_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut sink = CollectSink::default();

    let empty = write(dir.path(), "empty.xml", b"");
    match read_file(&empty, &mut sink) {
        Err(e @ ResultsError::Unrecognised { .. }) => assert!(e.to_string().contains("empty")),
        other => panic!("{other:?}"),
    }
    // TRX, NUnit 2 and xUnit.net v2 are read (an empty run is no case); TestNG is refused by name.
    let trx = write(
        dir.path(),
        "r.trx",
        b"\xEF\xBB\xBF<?xml version=\"1.0\"?><TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\"/>",
    );
    assert_eq!(read_file(&trx, &mut sink).unwrap().format, Format::Trx);
    let nunit2 = write(dir.path(), "n.xml", b"<test-results total=\"0\"/>");
    assert_eq!(read_file(&nunit2, &mut sink).unwrap().format, Format::Nunit { version: 2 });
    let xunit = write(dir.path(), "x.xml", b"<assemblies><assembly/></assemblies>");
    assert_eq!(read_file(&xunit, &mut sink).unwrap().format, Format::XunitNet);
    let testng = write(dir.path(), "testng-results.xml", b"<testng-results skipped=\"0\"/>");
    match read_file(&testng, &mut sink) {
        Err(e @ ResultsError::Unsupported { .. }) => assert!(e.to_string().contains("TestNG XML"), "{e}"),
        other => panic!("{other:?}"),
    }
    let missing = dir.path().join("missing.xml");
    assert!(matches!(read_file(&missing, &mut sink), Err(ResultsError::Io { .. })));
    let truncated =
        write(dir.path(), "t.xml", b"<testsuites>\n  <testsuite name=\"a\">\n    <testcase name=\"x\">");
    match read_file(&truncated, &mut sink) {
        Err(ResultsError::Syntax { line, column, .. }) => {
            assert_eq!((line, column), (3, 24));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!((sink.cases.len(), sink.findings.len()), (0, 0), "a refused file adds nothing");
}

#[test]
fn merge_reruns_option_through_read_file_with() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "reruns.xml",
        br#"<testsuite name="py" tests="3">
  <testcase classname="t.T" name="flaky" time="1"><failure message="no"/></testcase>
  <testcase classname="t.T" name="flaky" time="2"/>
  <testcase classname="t.T" name="stable" time="1"/>
</testsuite>"#,
    );
    let mut plain = CollectSink::default();
    assert_eq!(read_file(&path, &mut plain).unwrap().cases, 3);
    assert!(plain.findings.is_empty());

    let mut merged = CollectSink::default();
    let opts = ReadOptions { merge_reruns: true };
    let summary = read_file_with(&path, &mut merged, &opts).unwrap();
    assert_eq!(summary.cases, 2);
    assert_eq!(merged.cases[0].name, "flaky");
    assert!(merged.cases[0].flaky);
    assert_eq!(merged.cases[0].outcome, Outcome::Passed);
    assert_eq!(merged.cases[0].duration_s, 3.0);
    // Declared totals are compared with the file's own view (every <testcase>), before merging.
    assert!(merged.findings.is_empty(), "{:?}", merged.findings);
}

/// 200,000 cases, 5% failing with multi-line messages, written to a temp file.
#[test]
fn large_generated_junit_file() {
    const CASES: usize = 200_000;
    let dir = tempfile::tempdir().unwrap();
    let mut xml = String::with_capacity(CASES * 120);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    let mut failures = 0;
    for s in 0..CASES / 1000 {
        let _ = writeln!(xml, "  <testsuite name=\"suite{s}\" tests=\"1000\">");
        for t in 0..1000 {
            let i = s * 1000 + t;
            if i % 20 == 7 {
                failures += 1;
                let _ = writeln!(
                    xml,
                    "    <testcase classname=\"pkg.C{s}\" name=\"test_{i}\" time=\"0.00{t}\">\
                     <failure message=\"expected {i} &lt; 3\" type=\"AssertionError\">\
                     Traceback (most recent call last):\n  File \"t.py\", line {t}, in test_{i}\n    \
                     assert x &lt; 3\nAssertionError: {}\n</failure></testcase>",
                    "x".repeat(t % 50)
                );
            } else {
                let _ =
                    writeln!(xml, "    <testcase classname=\"pkg.C{s}\" name=\"test_{i}\" time=\"0.001\"/>");
            }
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    let path = write(dir.path(), "big.xml", xml.as_bytes());

    let started = Instant::now();
    let mut sink = CollectSink::default();
    let summary = read_file(&path, &mut sink).unwrap();
    let elapsed = started.elapsed();
    println!("read {} cases ({} MB) in {elapsed:?}", summary.cases, xml.len() / 1_000_000);
    let c = Counts::of(&sink.cases);
    assert_eq!(c.tests, CASES as u64);
    assert_eq!(c.failures, failures);
    assert_eq!(failures, (CASES / 20) as u64);
    assert_eq!(c.passed, c.tests - failures);
    assert!(sink.findings.is_empty());
    let failed = sink.cases.iter().find(|c| c.outcome == Outcome::Failed).unwrap();
    let msg = failed.message.as_deref().unwrap();
    assert!(msg.starts_with("expected 7 < 3\nTraceback"), "{msg}");
    assert!(msg.lines().count() >= 4);
    assert!(sink.cases.iter().all(|c| c.message.as_ref().is_none_or(|m| m.len() <= MESSAGE_LIMIT)));
    // Generous bound for debug builds on slow CI; release is far faster.
    // Speed is measured by bench/run, not asserted here: timings on a shared 2-core machine are noise.
}
