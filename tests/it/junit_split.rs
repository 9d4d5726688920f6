//! A JUnit file big enough to be read on every core (src/results/junit_split.rs) reads exactly
//! as the one-pass reader reads the same bytes: the same cases in the same order, the same
//! findings, the same totals in the report.

use crate::support;

use std::fmt::Write as _;
use std::path::Path;

use gen_report::results::{CollectSink, ReadOptions, read_bytes_with, read_file_with};

/// Over the 16 MiB from which a file is split: 70,000 cases in suites of 500, with `<testcase`
/// inside CDATA, comments and processing instructions, suite-level failures, reruns, a suite
/// whose declared count is wrong and one `go.version` package.
fn big_document() -> String {
    let mut doc = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"big\">\n");
    let mut case = 0u32;
    for s in 0..140u32 {
        let declared = if s == 7 { 499 } else { 500 };
        writeln!(doc, "<testsuite name=\"suite {s}\" tests=\"{declared}\" time=\"12.5\">").unwrap();
        if s == 9 {
            doc.push_str("<properties><property name=\"go.version\" value=\"go1.22\"/></properties>\n");
        }
        if s == 11 {
            doc.push_str("<failure message=\"setUpClass failed\">Traceback</failure>\n");
        }
        for k in 0..500u32 {
            case += 1;
            // Suite 9 (Go) runs its first test again: a rerun, merged.
            let rerun = s == 9 && k == 1;
            let (n, at) = if rerun { (case - 1, 0) } else { (case, k) };
            write!(
                doc,
                "  <testcase name=\"t{n} &amp; co\" classname=\"pkg.Class{}\" time=\"0.{:03}\" file=\"src/f{}.py\">",
                at % 7,
                k % 1000,
                at % 13
            )
            .unwrap();
            match case % 20 {
                0 => write!(
                    doc,
                    "<failure message=\"assert {case} == 1\" type=\"AssertionError\"><![CDATA[Traceback\n  \
                     </testcase><testcase name=\"fake {case}\">\n{}]]></failure>",
                    "x".repeat(120)
                )
                .unwrap(),
                1 => doc.push_str("<skipped message=\"not today\"/>"),
                2 => doc.push_str(
                    "<system-out><!-- <testcase name=\"commented\"/> -->out &lt;testcase&gt;</system-out>",
                ),
                3 => {
                    doc.push_str("<error type=\"Crash\"><?pi <testcase name=\"in a PI\"/>?>segfault</error>")
                }
                _ => doc.push_str(&" ".repeat(200)),
            }
            doc.push_str("</testcase>\n");
            if case.is_multiple_of(97) {
                doc.push_str("  <!-- <testcase name=\"between\"/> -->\n");
            }
        }
        doc.push_str("</testsuite>\n");
    }
    doc.push_str("</testsuites>\n");
    assert!(doc.len() > 17 << 20, "{} bytes: too small to be split", doc.len());
    doc
}

#[test]
fn a_big_file_reads_exactly_as_in_one_pass() {
    // Splitting needs more than one thread; the machine may have one core.
    rayon::ThreadPoolBuilder::new().num_threads(2).build_global().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("big.xml");
    let doc = big_document();
    std::fs::write(&path, &doc).unwrap();
    for merge_reruns in [false, true] {
        let opts = ReadOptions { merge_reruns };
        let mut split = CollectSink::default();
        let split_summary = read_file_with(&path, &mut split, &opts).unwrap();
        let mut one = CollectSink::default();
        let one_summary = read_bytes_with(doc.as_bytes(), &path, &mut one, &opts).unwrap();
        assert_eq!(split_summary, one_summary);
        assert_eq!(split.findings, one.findings);
        assert_eq!(split.cases.len(), one.cases.len());
        for (i, (a, b)) in split.cases.iter().zip(&one.cases).enumerate() {
            assert_eq!(a, b, "case {i}");
        }
        // 70,000 cases + 1 suite-level failure − 1 merged rerun.
        assert_eq!(one.cases.len(), 70_000, "merge_reruns {merge_reruns}");
        let msgs: Vec<&str> = one.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            ["suite `suite 7` declares tests=\"499\" but has 500 test cases"],
            "merge_reruns {merge_reruns}"
        );
    }
    let mut sink = CollectSink::default();
    read_file_with(&path, &mut sink, &ReadOptions::default()).unwrap();
    let failure = sink.cases.iter().find(|c| c.name == "t20 & co").unwrap();
    assert_eq!(
        failure.message.as_deref().map(|m| m.lines().take(3).collect::<Vec<_>>()),
        Some(vec!["assert 20 == 1", "Traceback", "  </testcase><testcase name=\"fake 20\">"])
    );
    assert!(!sink.cases.iter().any(|c| c.name.starts_with("fake") || c.name == "commented"));
}

#[test]
fn the_report_counts_every_case_of_a_big_file_once() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("big.xml");
    std::fs::write(&path, big_document()).unwrap();
    let out = support::output(
        std::process::Command::new(env!("CARGO_BIN_EXE_gen-report")).arg(&path).args(["--format", "json"]),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &v["totals"]["measured"];
    // Per 20 cases: a failure, a skip, an error (and 17 passes); suite 11's setUpClass failure
    // is a case of its own; suite 9's first test, skipped, passed on its rerun (merged).
    for (k, want) in
        [("tests", 70_000), ("failures", 3_501), ("errors", 3_500), ("skipped", 3_499), ("passed", 59_500)]
    {
        assert_eq!(m[k], want, "totals.measured.{k}");
    }
    assert!(Path::new(&path).exists());
}
