//! The go test JSON, TAP, Mocha, Jest/Vitest, RSpec, TRX, NUnit and xUnit.net readers through
//! `read_file`: what real files give case by case, malformed and truncated files (a syntax
//! error with its position, or — for line formats cut at a line — a run that shows as broken,
//! never as passed), and format sniffing past long prologues.

use crate::support;

use std::path::{Path, PathBuf};

use gen_report::results::{
    CollectSink, Counts, Format, Outcome, ReadOptions, ResultsError, read_bytes_with, read_file,
};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn formats(name: &str) -> PathBuf {
    repo("tests/fixtures/formats").join(name)
}

fn read(path: &Path) -> (Format, CollectSink) {
    let mut sink = CollectSink::default();
    let summary = read_file(path, &mut sink).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(summary.cases, sink.cases.len() as u64);
    (summary.format, sink)
}

fn counts(sink: &CollectSink) -> [u64; 6] {
    let c = Counts::of(&sink.cases);
    [c.tests, c.passed, c.failures, c.errors, c.skipped, c.flaky]
}

fn case<'a>(sink: &'a CollectSink, name: &str) -> &'a gen_report::results::TestCase {
    sink.cases.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case `{name}`"))
}

/// (line, column, message) of the syntax error reading `path` gives.
fn syntax_error(path: &Path) -> (u64, u64, String) {
    let mut sink = CollectSink::default();
    match read_file(path, &mut sink) {
        Err(ResultsError::Syntax { line, column, message, .. }) => (line, column, message),
        other => panic!("{}: expected a syntax error, got {other:?}", path.display()),
    }
}

#[test]
fn go_test_json_cases_messages_and_build_failure() {
    let (format, sink) = read(&repo("tests/fixtures/runners/go-test-json/build-failure-panic/go-test.json"));
    assert_eq!(format, Format::GoTestJson);
    assert_eq!(counts(&sink), [18, 12, 3, 1, 2, 0]);
    let neg = case(&sink, "TestAbs/negative");
    assert_eq!(
        (neg.suite.as_str(), neg.classname.as_deref()),
        ("example.com/demo/mathx", Some("example.com/demo/mathx"))
    );
    assert_eq!((neg.file.as_deref(), neg.line), (Some("mathx_test.go"), Some(35)));
    assert_eq!(neg.message.as_deref(), Some("mathx_test.go:35: Abs(-4) = -4, want 4"));
    assert_eq!(neg.duration_s, 0.02);
    assert_eq!(case(&sink, "TestAbs").message.as_deref(), Some("failed subtests: TestAbs/negative"));
    assert_eq!(case(&sink, "TestNeedsDocker").message.as_deref(), Some("docker not available in CI"));
    let panic = case(&sink, "TestParsePair").message.as_deref().unwrap();
    assert!(panic.starts_with(
        "mathx_test.go:66: now parsing a malformed pair\npanic: runtime error: index out of range"
    ));
    let broken = case(&sink, "example.com/demo/broken");
    assert_eq!(broken.outcome, Outcome::Error);
    assert_eq!(broken.message.as_deref(), Some("build failed: the package's tests never ran"));
    // Packages are suites, numbered by first appearance.
    assert_eq!((broken.suite_index, neg.suite_index, case(&sink, "TestShout").suite_index), (0, 1, 2));
    assert!(sink.findings.is_empty(), "{:?}", sink.findings);
}

#[test]
fn gotestsum_reruns_merge_last_run_wins() {
    let (_, sink) = read(&repo("tests/fixtures/runners/gotestsum/rerun-fails/gotestsum.json"));
    let got: Vec<(&str, Outcome, bool, u32, u32)> =
        ["TestFlakyConnect", "TestPool", "TestPool/flaky_release", "TestRetriesAlwaysFails"]
            .iter()
            .map(|n| {
                let c = case(&sink, n);
                (c.name.as_str(), c.outcome, c.flaky, c.runs, c.failed_runs)
            })
            .collect();
    assert_eq!(
        got,
        [
            ("TestFlakyConnect", Outcome::Passed, true, 2, 1),
            ("TestPool", Outcome::Passed, true, 2, 1),
            ("TestPool/flaky_release", Outcome::Passed, true, 2, 1),
            ("TestRetriesAlwaysFails", Outcome::Failed, false, 3, 3),
        ]
    );
}

#[test]
fn go_test_json_malformed_truncated_and_killed() {
    assert_eq!(
        syntax_error(&formats("go-truncated.json")),
        (3, 114, "not a test2json event: EOF while parsing a string".to_owned())
    );
    // Cut at a line boundary (a killed run): the running test is an error, not a pass.
    let (_, sink) = read(&formats("go-killed.json"));
    assert_eq!(counts(&sink), [2, 1, 0, 1, 0, 0]);
    assert_eq!(
        case(&sink, "TestSlow").message.as_deref(),
        Some(
            "started but never reported a result: the file ends while this test was running (the run was \
             killed, or the file is truncated)"
        )
    );
}

#[test]
fn tap_dialects_and_messages() {
    let (format, sink) = read(&repo("tests/fixtures/runners/node-test/suites-subtests/report.tap"));
    assert_eq!(format, Format::Tap);
    let inner = case(&sink, "inner fails");
    assert_eq!(inner.suite, "subtests");
    assert_eq!((inner.file.as_deref(), inner.line), (Some("/home/ci/project/test/plain.test.mjs"), Some(10)));
    assert!(inner.message.as_deref().unwrap().contains("error: |-\n  Expected values to be strictly equal:"));
    assert_eq!(case(&sink, "todo with a reason").outcome, Outcome::Skipped);
    assert_eq!(
        case(&sink, "skipped with a reason").message.as_deref(),
        Some("escaping of emoji not designed yet")
    );
    assert!(sink.findings.is_empty(), "node's own summary comments agree: {:?}", sink.findings);

    let (_, perl) = read(&repo("tests/fixtures/runners/tap-perl/mixed/basic.tap"));
    assert_eq!(counts(&perl), [10, 4, 3, 0, 3, 0]);
    assert_eq!(case(&perl, "parses negative durations").outcome, Outcome::Passed, "a passing TODO in TAP 12");
    let todo = case(&perl, "rounds half up");
    assert_eq!(todo.outcome, Outcome::Skipped);
    assert!(
        todo.message.as_deref().unwrap().starts_with("rounding is not implemented yet\nFailed (TODO) test")
    );
    let hash = case(&perl, "summary hash matches");
    assert_eq!((hash.file.as_deref(), hash.line), (Some("t/basic.t"), Some(14)));
}

#[test]
fn tap_runs_that_did_not_finish_never_read_as_passed() {
    let (_, bail) = read(&repo("tests/fixtures/runners/tap-perl/bail-out/bail.tap"));
    let abort = case(&bail, "[run aborted: Bail out!]");
    assert_eq!(abort.outcome, Outcome::Error);
    assert_eq!(
        abort.message.as_deref(),
        Some("Bail out! fixture directory missing, cannot continue\nthe test script aborted the run")
    );
    assert_eq!(case(&bail, "[2 planned tests never ran]").outcome, Outcome::Error);
    let (_, short) = read(&repo("tests/fixtures/runners/tap-perl/plan-mismatch/plan_mismatch.tap"));
    assert_eq!(case(&short, "[2 planned tests never ran]").outcome, Outcome::Error);
    let msgs: Vec<(Option<u64>, &str)> =
        short.findings.iter().map(|f| (f.line, f.message.as_str())).collect();
    assert_eq!(msgs, [(Some(1), "the plan (1..5) does not match its 3 test points")]);
    let (_, died) = read(&repo("tests/fixtures/runners/tap-perl/mixed/died.tap"));
    let stand_in = case(&died, "[no plan: run did not finish]");
    assert!(stand_in.message.as_deref().unwrap().contains("Can't open config file 'report.yml'"));
    assert!(
        stand_in
            .message
            .as_deref()
            .unwrap()
            .ends_with("# Looks like your test exited with 255 just after 1.")
    );
}

#[test]
fn tap_malformed() {
    assert_eq!(
        syntax_error(&formats("tap-yaml-unterminated.tap")),
        (4, 3, "the file ends inside this YAML diagnostic block (missing `...`; truncated file?)".to_owned())
    );
    assert_eq!(
        syntax_error(&formats("tap-two-plans.tap")),
        (4, 1, "a second plan at this level (the first is on line 1)".to_owned())
    );
}

#[test]
fn json_documents_details_and_errors() {
    let (format, mocha) = read(&repo("tests/fixtures/runners/mocha/json-reporter/mocha.json"));
    assert_eq!(format, Format::MochaJson);
    let flaky = case(&mocha, "flaky: fails once, then passes");
    assert_eq!(
        (flaky.outcome, flaky.flaky, flaky.runs, flaky.suite.as_str()),
        (Outcome::Passed, true, 2, "Report retries")
    );
    assert_eq!(
        case(&mocha, "always fails").message.as_deref(),
        Some(
            "Error: upstream returned 503\n  body: service unavailable\n    at Context.<anonymous> (test/report.spec.js:54:13)"
        )
    );

    let (format, jest) = read(&repo("tests/fixtures/runners/jest/retries-no-describe/jest.json"));
    assert_eq!(format, Format::JestJson);
    let flaky = case(&jest, "flaky: fails once then passes");
    assert_eq!((flaky.flaky, flaky.runs, flaky.failed_runs), (true, 2, 1));
    assert!(
        flaky
            .message
            .as_deref()
            .unwrap()
            .starts_with("Error: expect(received).toBeGreaterThanOrEqual(expected)")
    );
    assert_eq!(
        case(&jest, "Parser > CTRF > rejects negative counts").suite,
        "/home/ci/project/nested.test.js"
    );

    let (format, vitest) = read(&repo("tests/fixtures/runners/vitest/diff-retry-nested/vitest.json"));
    assert_eq!(format, Format::JestJson);
    assert!(case(&vitest, "flaky with retry: 2").flaky);

    let (format, rspec) = read(&repo("tests/fixtures/runners/rspec/mixed-outcomes/rspec.json"));
    assert_eq!(format, Format::RspecJson);
    let pending = case(&rspec, "Report ünïcödé 日本語 🎉 is skipped with a reason");
    assert_eq!(
        (pending.outcome, pending.message.as_deref()),
        (Outcome::Skipped, Some("needs a running database"))
    );
    assert_eq!(pending.line, Some(39));
    let (_, load) = read(&repo("tests/fixtures/runners/rspec/load-error/rspec.json"));
    let err = case(&load, "[1 error outside of examples]");
    assert!(
        err.message.as_deref().unwrap().starts_with("An error occurred while loading ./spec/broken_spec.rb.")
    );

    assert_eq!(
        syntax_error(&formats("mocha-truncated.json")),
        (42, 34, "EOF while parsing a string".to_owned())
    );
    assert_eq!(
        syntax_error(&formats("rspec-truncated.json")),
        (1, 700, "EOF while parsing a string".to_owned())
    );
    // A status Jest does not document is an errored case, never a pass nor a refused file.
    let (_, odd) = read(&formats("jest-bad-status.json"));
    assert_eq!(case(&odd, "todo: handle rerun reports").outcome, Outcome::Error);
}

// Checks the flavours a peer Action reads: an xUnit.net file whose root is `<assembly>` (no
// `<assemblies>`) and an NUnit 2 file whose root is `<test-suite>` (no `<test-results>`), cut
// from the fixtures above (no .NET runtime here to write them): read with the same cases.
#[test]
fn lone_assembly_and_test_suite_roots() {
    let full = std::fs::read_to_string(formats("xunit-v2.xml")).unwrap();
    let start = full.find("<assembly ").unwrap();
    let end = full.rfind("</assembly>").unwrap() + "</assembly>".len();
    let lone = &full[start..end];
    let mut sink = CollectSink::default();
    let s = read_bytes_with(lone.as_bytes(), Path::new("a.xml"), &mut sink, &ReadOptions::default()).unwrap();
    assert_eq!(s.format, Format::XunitNet);
    assert_eq!(counts(&sink), [5, 2, 1, 1, 1, 0]);
    assert!(sink.findings.is_empty(), "{:?}", sink.findings);

    let nunit2 = r#"<?xml version="1.0" encoding="utf-8"?>
<test-suite type="Assembly" name="Shop.Tests.dll" executed="True" result="Failure" success="False" time="0.02">
  <results>
    <test-suite type="TestFixture" name="CartTests" executed="True" result="Failure" success="False" time="0.010">
      <results>
        <test-case name="Shop.Tests.CartTests.Totals" executed="True" result="Failure" success="False" time="0.010">
          <failure><message>expected 3</message></failure>
        </test-case>
        <test-case name="Shop.Tests.CartTests.Adds" executed="True" result="Success" success="True" time="0.001"/>
      </results>
    </test-suite>
  </results>
</test-suite>"#;
    let mut sink = CollectSink::default();
    let s =
        read_bytes_with(nunit2.as_bytes(), Path::new("n.xml"), &mut sink, &ReadOptions::default()).unwrap();
    assert_eq!(s.format, Format::Nunit { version: 2 });
    assert_eq!(counts(&sink), [2, 1, 1, 0, 0, 0]);
    assert_eq!(case(&sink, "Shop.Tests.CartTests.Totals").message.as_deref(), Some("expected 3"));
}

// Checks Dart's `--reporter json` events (a published fixture, see dart-json.ORIGIN.md): hidden
// "loading" tests are not cases, a timeout and exceptions are errors; a stream cut before its
// `done` event leaves the running test errored and the run red.
#[test]
fn dart_json_events() {
    let (format, sink) = read(&formats("dart-json.json"));
    assert_eq!(format, Format::DartJson);
    assert_eq!(counts(&sink), [6, 1, 1, 3, 1, 0]);
    let failing = case(&sink, "Test 1 Test 1.1 Failing test");
    assert_eq!(failing.outcome, Outcome::Failed);
    assert!(failing.message.as_deref().unwrap().starts_with("Expected: <2>"));
    assert_eq!(case(&sink, "Timeout test").outcome, Outcome::Error);
    assert_eq!(case(&sink, "Skipped test").message.as_deref(), Some("skipped test"));
    let whole = std::fs::read_to_string(formats("dart-json.json")).unwrap();
    let cut: String = whole.lines().take(13).map(|l| format!("{l}\n")).collect();
    let mut sink = CollectSink::default();
    read_bytes_with(cut.as_bytes(), Path::new("d.json"), &mut sink, &ReadOptions::default()).unwrap();
    let names: Vec<(&str, Outcome)> = sink.cases.iter().map(|c| (c.name.as_str(), c.outcome)).collect();
    assert_eq!(
        names,
        [
            ("Timeout test", Outcome::Error),
            ("Test 1 Passing test", Outcome::Error),
            ("[run did not finish]", Outcome::Error)
        ]
    );
}

#[test]
fn dotnet_formats() {
    let corpus = "tests/corpus/junit/dorny__test-reporter/__tests__/fixtures";
    let (format, trx) = read(&repo(&format!("{corpus}/dotnet-trx.trx")));
    assert_eq!(format, Format::Trx);
    assert_eq!(counts(&trx), [11, 5, 5, 0, 1, 0]);
    let t = case(&trx, "Should be even number(i: 3)");
    assert_eq!(
        t.classname.as_deref(),
        Some("DotnetTests.XUnitTests.CalculatorTests"),
        "from TestDefinitions"
    );
    assert!(
        t.message
            .as_deref()
            .unwrap()
            .starts_with("Assert.True() Failure\nExpected: True\nActual:   False\n   at DotnetTests.")
    );
    // A TRX stack keeps the first frame's indent, like the frames after it.
    let thrown = case(&trx, "DotnetTests.XUnitTests.CalculatorTests.Exception_In_TargetTest");
    let stack: Vec<&str> =
        thrown.message.as_deref().unwrap().lines().filter(|l| l.contains(" at ")).collect();
    assert_eq!(stack.len(), 2, "{:?}", thrown.message);
    assert!(stack.iter().all(|l| l.starts_with("   at DotnetTests.")), "{stack:?}");
    assert_eq!(t.duration_s, 0.0006537);
    assert!(trx.findings.is_empty(), "{:?}", trx.findings);

    let (format, nunit) = read(&repo(&format!("{corpus}/dotnet-nunit.xml")));
    assert_eq!(format, Format::Nunit { version: 3 });
    assert_eq!(counts(&nunit), [9, 3, 3, 2, 1, 0]);
    assert_eq!(case(&nunit, "Exception_In_Test").outcome, Outcome::Error, "label=\"Error\"");
    assert_eq!(case(&nunit, "Timeout_Test").message.as_deref(), Some("Test exceeded Timeout value 1ms."));
    assert_eq!(
        case(&nunit, "Is_Even_Number(3)").suite,
        "DotnetTests.XUnitTests.CalculatorTests",
        "theory looked through"
    );

    let (format, xunit) = read(&formats("xunit-v2.xml"));
    assert_eq!(format, Format::XunitNet);
    assert_eq!(counts(&xunit), [5, 2, 1, 1, 1, 0]);
    let cleanup = case(&xunit, "[test-class-cleanup: Shop.Tests.CartTests]");
    assert_eq!((cleanup.outcome, cleanup.suite.as_str()), (Outcome::Error, "Shop.Tests.dll"));
    assert_eq!(
        case(&xunit, "Shop.Tests.CartTests.Totals(count: 3)").message.as_deref().unwrap().lines().next(),
        Some("Xunit.Sdk.EqualException: Assert.Equal() Failure")
    );
    assert_eq!(case(&xunit, "Shop.Tests.CartTests.Empties").message.as_deref(), Some("needs a database"));
    assert!(xunit.findings.is_empty(), "declared totals agree: {:?}", xunit.findings);

    assert_eq!(
        syntax_error(&formats("trx-truncated.trx")),
        (
            21,
            3,
            "the document ends inside `<UnitTestResult>` (missing `</UnitTestResult>`; truncated file?)"
                .to_owned()
        )
    );
    assert_eq!(
        syntax_error(&formats("nunit3-mismatched.xml")),
        (36, 11, "expected `</test-case>`, found `</test-suite>`".to_owned())
    );
    // A DTD-declared entity is never expanded: its reference stays as written, with a finding.
    let (_, dtd) = read(&formats("nunit2-entity.xml"));
    assert_eq!(case(&dtd, "Shop.Tests.CartTests.Totals").message.as_deref(), Some("&boom;"));
    assert_eq!(dtd.findings.len(), 1, "{:?}", dtd.findings);
    assert!(dtd.findings[0].message.contains("declares the entity `boom`: never expanded nor fetched"));
    let (line, _, message) = syntax_error(&formats("xunit-duplicate-attr.xml"));
    assert_eq!(line, 27);
    assert!(message.contains("duplicated attribute"), "{message}");
}

#[test]
fn declared_totals_that_disagree_are_findings_with_lines() {
    let dir = tempfile::tempdir().unwrap();
    let nunit = dir.path().join("n.xml");
    std::fs::write(
        &nunit,
        "<test-run total=\"3\" passed=\"1\">\n  <test-suite type=\"TestFixture\" name=\"F\" total=\"1\" passed=\"1\">\n    \
         <test-case name=\"a\" result=\"Passed\"/>\n  </test-suite>\n</test-run>\n",
    )
    .unwrap();
    let (_, sink) = read(&nunit);
    let msgs: Vec<(Option<u64>, &str)> = sink.findings.iter().map(|f| (f.line, f.message.as_str())).collect();
    assert_eq!(msgs, [(Some(1), "`<test-run>` declares total=\"3\" but has 1")]);
    let teardown = dir.path().join("t.xml");
    std::fs::write(
        &teardown,
        "<test-run><test-suite type=\"TestFixture\" name=\"F\" result=\"Failed\" site=\"TearDown\">\
         <failure><message>OneTimeTearDown: disk full</message></failure>\
         <test-case name=\"a\" result=\"Passed\"/></test-suite></test-run>",
    )
    .unwrap();
    let (_, sink) = read(&teardown);
    let td = case(&sink, "[suite teardown failure]");
    assert_eq!((td.outcome, td.message.as_deref()), (Outcome::Error, Some("OneTimeTearDown: disk full")));
}

/// Every prefix of every real file of these formats: a positioned syntax error, or cases —
/// and a prefix cut inside a line of a line format is never read as passed.
#[test]
fn truncated_real_files_never_panic_and_keep_positions() {
    let files = [
        "tests/fixtures/runners/go-test-json/build-failure-panic/go-test.json",
        "tests/fixtures/runners/gotestsum/rerun-fails/gotestsum.json",
        "tests/fixtures/runners/node-test/suites-subtests/report.tap",
        "tests/fixtures/runners/node-tap/subtests-junit-tap/report.tap",
        "tests/fixtures/runners/tap-perl/mixed/basic.tap",
        "tests/fixtures/runners/mocha/json-reporter/mocha.json",
        "tests/fixtures/runners/jest/retries-no-describe/jest.json",
        "tests/fixtures/runners/vitest/diff-retry-nested/vitest.json",
        "tests/fixtures/runners/rspec/mixed-outcomes/rspec.json",
        "tests/corpus/junit/dorny__test-reporter/__tests__/fixtures/dotnet-trx.trx",
        "tests/corpus/junit/dorny__test-reporter/__tests__/fixtures/dotnet-nunit.xml",
        "tests/fixtures/formats/xunit-v2.xml",
    ];
    let mut syntax = 0;
    for rel in files {
        let bytes = std::fs::read(repo(rel)).unwrap();
        let whole = detect(&bytes);
        let step = (bytes.len() / 60).max(1);
        for cut in (1..bytes.len()).step_by(step) {
            let prefix = &bytes[..cut];
            let mut sink = CollectSink::default();
            match read_bytes_with(prefix, Path::new(rel), &mut sink, &ReadOptions::default()) {
                Err(ResultsError::Syntax { line, column, .. }) => {
                    assert!(line > 0 && column > 0, "{rel} cut at {cut}");
                    syntax += 1;
                }
                Err(ResultsError::Unrecognised { .. }) => {} // too short to tell what it is
                Err(e) => panic!("{rel} cut at {cut}: {e}"),
                Ok(summary) => {
                    assert_eq!(summary.format, whole, "{rel} cut at {cut}");
                    // Only line formats may read a prefix; XML and JSON documents never do.
                    assert!(
                        matches!(whole, Format::GoTestJson | Format::Tap),
                        "{rel} cut at {cut} read as {whole:?}"
                    );
                }
            }
        }
    }
    assert!(syntax > 400, "only {syntax} syntax errors");
}

fn detect(bytes: &[u8]) -> Format {
    gen_report::results::detect_format(bytes)
}

/// Issue 10: sniffing looks past whitespace, BOMs, comments and processing instructions of
/// any length, and reads every byte once (the positions of later errors stay right).
#[test]
fn sniffing_past_long_prologues() {
    let dir = tempfile::tempdir().unwrap();
    let comment = format!("<!-- {} -->\n", "x".repeat(200_000));
    let junit = dir.path().join("long.xml");
    std::fs::write(
        &junit,
        format!("\u{feff}<?xml version=\"1.0\"?>\n{comment}<?pi data?>\n<testsuite name=\"s\"><testcase name=\"a\"/></testsuite>\n"),
    )
    .unwrap();
    let (format, sink) = read(&junit);
    assert_eq!((format, sink.cases.len()), (Format::Junit, 1));

    let ctrf = dir.path().join("ws.json");
    std::fs::write(
        &ctrf,
        format!("{}{{\"results\":{{\"tool\":{{\"name\":\"x\"}},\"tests\":[]}}}}", " \n".repeat(60_000)),
    )
    .unwrap();
    assert_eq!(read(&ctrf).0, Format::Ctrf);

    // An error after the prologue is still placed exactly.
    let bad = dir.path().join("bad.trx");
    std::fs::write(
        &bad,
        format!(
            "{comment}<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\">\n<Results>\n</TestRun>"
        ),
    )
    .unwrap();
    assert_eq!(syntax_error(&bad), (4, 1, "expected `</Results>`, found `</TestRun>`".to_owned()));
}

#[test]
fn the_binary_summarises_the_new_formats() {
    let out = support::output(
        std::process::Command::new(env!("CARGO_BIN_EXE_gen-report"))
            .args(["--format", "json"])
            .arg(repo("tests/fixtures/runners/go-test-json/build-failure-panic/go-test.json"))
            .arg(repo("tests/fixtures/runners/tap-perl/mixed/basic.tap"))
            .arg(repo("tests/fixtures/formats/xunit-v2.xml")),
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &v["totals"]["measured"];
    let got: Vec<u64> =
        ["tests", "passed", "failures", "errors", "skipped"].iter().map(|k| m[k].as_u64().unwrap()).collect();
    assert_eq!(got, [18 + 10 + 5, 12 + 4 + 2, 3 + 3 + 1, 1 + 1, 2 + 3 + 1]);
}

/// A prologue longer than the sniffer keeps (64 MiB of whitespace) is refused, not held.
#[test]
fn endless_prologue_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spaces.xml");
    std::fs::write(&path, vec![b' '; 65 * 1024 * 1024]).unwrap();
    let mut sink = CollectSink::default();
    match read_file(&path, &mut sink) {
        Err(e @ ResultsError::Unrecognised { .. }) => assert!(
            e.to_string().ends_with(
                "is not a test results file: its first 64 MiB hold no test results, only whitespace, comments \
                 or an XML prologue"
            ),
            "{e}"
        ),
        other => panic!("{other:?}"),
    }
}
