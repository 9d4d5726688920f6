//! `--annotations github`: the real binary on JUnit files written into a temporary repository
//! (so absolute paths, traces and the files they name are real), and the writer's limits.

use crate::support;

use std::fs;
use std::path::Path;

use gen_report::annotations::{Level, Record, write_github};
use support::gen_report;

/// The workflow commands a run gives GitHub: stderr opens with `::stop-commands::TOKEN` (so
/// findings and errors, which quote data, are inert), resumes with `::TOKEN::`, and then holds
/// only commands.
#[track_caller]
fn commands(stderr: &str) -> Vec<&str> {
    let mut lines = stderr.lines();
    let first = lines.next().unwrap_or_default();
    let token = first.strip_prefix("::stop-commands::").unwrap_or_else(|| panic!("not paused:\n{stderr}"));
    assert!(token.len() > 30, "a guessable token: {token}");
    let resume = format!("::{token}::");
    let mut lines = lines.skip_while(|l| *l != resume);
    assert_eq!(lines.next(), Some(resume.as_str()), "never resumed:\n{stderr}");
    let after: Vec<&str> = lines.collect();
    assert!(after.iter().all(|l| l.starts_with("::")), "not a command after resuming:\n{stderr}");
    after
}

/// No line GitHub would read as a command.
#[track_caller]
fn no_commands(stderr: &str) {
    assert!(!stderr.lines().any(|l| l.trim_start().starts_with("::") || l.contains("##[")), "{stderr}");
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A JUnit file of failing cases: `(name, attributes, failure text)`.
fn junit(cases: &[(&str, &str, &str)]) -> String {
    let mut xml = String::from("<testsuite name=\"s\">\n");
    for (name, attrs, text) in cases {
        xml.push_str(&format!(
            "<testcase classname=\"c\" name=\"{name}\" {attrs}><failure>{text}</failure></testcase>\n"
        ));
    }
    xml.push_str("</testsuite>\n");
    xml
}

/// A repository with sources where traces point, and a dependency folder.
fn repository() -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    for f in [
        "src/app/test_calc.py",
        "src/test/java/com/example/FooTest.java",
        "pkg/foo/foo_test.go",
        "node_modules/lib/index.js",
        "a/util.go",
        "b/util.go",
    ] {
        write(&ws.path().join(f), "x\n");
    }
    ws
}

// Checks that a name and message holding `%`, CR, LF, `::`, `,` and `:` stay inside one command:
// escaped in the title (a property) and in the message (data), so nothing starts a command.
#[test]
fn escapes_names_and_messages() {
    let ws = repository();
    let name = "100% sure, really: yes&#13;&#10;::error::pwned";
    let message = "line 1&#10;::warning file=x::injected, 50%";
    write(&ws.path().join("r.xml"), &junit(&[(name, "file=\"src/a,b:c.py\" line=\"3\"", message)]));
    let run = gen_report(["r.xml", "--annotations", "github"])
        .current_dir(ws.path())
        .env("GITHUB_WORKSPACE", ws.path().to_str().unwrap())
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        commands(&run.stderr),
        vec![
            "::error file=src/a%2Cb%3Ac.py,line=3,title=c › 100%25 sure%2C really%3A yes%0D%0A%3A%3Aerror%3A%3Apwned\
             ::line 1%0A::warning file=x::injected, 50%25"
        ]
    );
}

// Checks that data quoted on stderr (here a finding naming a suite whose name holds a line
// starting `::error::` and a legacy `##[error]`) sits between the pause and the resume, where
// GitHub reads no command; the test's own annotation still follows.
#[test]
fn data_on_stderr_cannot_raise_annotations() {
    let ws = tempfile::tempdir().unwrap();
    write(
        &ws.path().join("r.xml"),
        "<testsuite name=\"s&#10;::error::injected ##[error]legacy\" tests=\"5\">\
         <testcase classname=\"c\" name=\"t\"><failure>m</failure></testcase></testsuite>",
    );
    let run = gen_report(["r.xml", "--annotations", "github"]).current_dir(ws.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    // The line break in the name is shown escaped, and the line sits between the pause and
    // the resume anyway.
    assert_eq!(
        lines[1],
        "finding: suite `s\\n::error::injected ##[error]legacy` declares tests=\"5\" but has 1 test case (r.xml:1)"
    );
    assert!(lines[0].starts_with("::stop-commands::") && lines[2].ends_with("::"), "{}", run.stderr);
    assert_eq!(lines.len(), 4, "{}", run.stderr);
    assert_eq!(commands(&run.stderr), vec!["::error title=c › t::m"]);
}

// Checks where annotations land: `file`/`line` made relative to GITHUB_WORKSPACE, else the first
// trace frame inside the repository (Python, Java by package, Go by file name), never a
// dependency or an ambiguous file; located annotations first.
#[test]
fn places_annotations_on_repository_files() {
    let ws = repository();
    let root = ws.path().to_str().unwrap();
    let xml = junit(&[
        ("outside", "file=\"/elsewhere/x.py\" line=\"1\"", "no trace"),
        ("absolute", &format!("file=\"{root}/src/app/test_calc.py\" line=\"7\""), "boom"),
        (
            "python",
            "",
            &format!(
                "Traceback (most recent call last):\n  File \"/usr/lib/python3/case.py\", line 58, in run\n  \
                 File \"{root}/src/app/test_calc.py\", line 12, in test_add\nAssertionError"
            ),
        ),
        (
            "java",
            "",
            "java.lang.AssertionError\n\tat org.junit.Assert.fail(Assert.java:89)\n\t\
             at com.example.FooTest.testBar(FooTest.java:34)",
        ),
        ("go", "", "    foo_test.go:21: got 1, want 2"),
        ("dependency", "", "TypeError: x\n    at f (node_modules/lib/index.js:3:1)"),
        ("ambiguous", "", "util.go:5: bad"),
    ]);
    write(&ws.path().join("results/junit.xml"), &xml);
    let run = gen_report(["results/junit.xml", "--annotations", "github", "-o", "report.md"])
        .current_dir(ws.path())
        .env("GITHUB_WORKSPACE", root)
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        commands(&run.stderr),
        vec![
            "::error file=src/app/test_calc.py,line=7,title=c › absolute::boom",
            "::error file=src/app/test_calc.py,line=12,title=c › python::Traceback (most recent call last):%0A  \
             File \"/usr/lib/python3/case.py\", line 58, in run%0A  File \"ROOT/src/app/test_calc.py\", line 12, \
             in test_add%0AAssertionError"
                .replace("ROOT", root)
                .as_str(),
            "::error file=src/test/java/com/example/FooTest.java,line=34,title=c › java::java.lang.AssertionError%0A\t\
             at org.junit.Assert.fail(Assert.java:89)%0A\tat com.example.FooTest.testBar(FooTest.java:34)",
            "::error file=pkg/foo/foo_test.go,line=21,title=c › go::foo_test.go:21: got 1, want 2",
            "::error title=c › outside::no trace",
            "::error title=c › dependency::TypeError: x%0A    at f (node_modules/lib/index.js:3:1)",
            "::error title=c › ambiguous::util.go:5: bad",
        ]
    );
}

// Checks --strip-prefix (a container path) and --path-prefix (tests run in a subdirectory).
#[test]
fn maps_container_and_subdirectory_paths() {
    let ws = repository();
    let root = ws.path().to_str().unwrap();
    let xml = junit(&[
        ("container", "file=\"/app/tests/test_x.py\" line=\"4\"", "m"),
        ("relative", "file=\"tests/test_y.py\" line=\"5\"", "m"),
    ]);
    write(&ws.path().join("r.xml"), &xml);
    let plain = gen_report(["r.xml", "--annotations", "github"])
        .current_dir(ws.path())
        .env("GITHUB_WORKSPACE", root)
        .run();
    assert_eq!(
        commands(&plain.stderr),
        vec!["::error file=tests/test_y.py,line=5,title=c › relative::m", "::error title=c › container::m"]
    );
    let mapped = gen_report([
        "r.xml",
        "--annotations",
        "github",
        "--strip-prefix",
        "/app/",
        "--path-prefix",
        "./backend/",
    ])
    .current_dir(ws.path())
    .env("GITHUB_WORKSPACE", root)
    .run();
    assert_eq!(
        commands(&mapped.stderr),
        vec![
            "::error file=backend/tests/test_x.py,line=4,title=c › container::m",
            "::error file=backend/tests/test_y.py,line=5,title=c › relative::m",
        ]
    );
}

// Checks GitHub's per-step limit: 10 error annotations, failures (assertions) before errors,
// then one notice counting the rest — including failures beyond the 50 the model lists — and
// naming where the full list is.
#[test]
fn stops_at_the_limit_with_a_notice() {
    let ws = tempfile::tempdir().unwrap();
    let mut xml = String::from("<testsuite name=\"s\">\n");
    for i in 0..5 {
        xml.push_str(&format!("<testcase classname=\"c\" name=\"err{i}\"><error>e{i}</error></testcase>\n"));
    }
    for i in 0..60 {
        xml.push_str(&format!(
            "<testcase classname=\"c\" name=\"fail{i}\"><failure>f{i}</failure></testcase>\n"
        ));
    }
    xml.push_str("</testsuite>\n");
    write(&ws.path().join("r.xml"), &xml);
    fs::create_dir(ws.path().join("out")).unwrap();
    let summary = ws.path().join("summary.md");
    let run = gen_report(["r.xml", "--annotations", "github", "--github-summary", "-o", "out/report.md"])
        .current_dir(ws.path())
        .env("GITHUB_WORKSPACE", ws.path().to_str().unwrap())
        .env("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected: Vec<String> = (0..10).map(|i| format!("::error title=c › fail{i}::f{i}")).collect();
    expected.push(
        "::notice title=gen-report::55 failing tests not annotated (GitHub shows at most 10 \
         error and 10 warning annotations per step); the full list is in the job summary and `out/report.md`."
            .to_string(),
    );
    assert_eq!(commands(&run.stderr), expected);
}

// Checks that a run that fails (exit 2) emits no annotation, and a run without the flag none.
#[test]
fn no_annotations_without_a_report_or_the_flag() {
    let ws = tempfile::tempdir().unwrap();
    write(&ws.path().join("r.xml"), &junit(&[("t", "", "m")]));
    write(&ws.path().join("bad.xml"), "<testsuite><testcase name=\"x\">");
    let bad = gen_report(["r.xml", "bad.xml", "--annotations", "github"]).current_dir(ws.path()).run();
    assert_eq!(bad.code, 2);
    assert_eq!(commands(&bad.stderr), Vec::<&str>::new(), "{}", bad.stderr);
    let plain = gen_report(["r.xml"]).current_dir(ws.path()).run();
    assert_eq!(plain.code, 0);
    no_commands(&plain.stderr);
    // `--check` writes no report, so no annotations; commands are resumed all the same.
    write(&ws.path().join("REPORT.md"), "stale\n");
    let check =
        gen_report(["r.xml", "--annotations", "github", "--check", "REPORT.md"]).current_dir(ws.path()).run();
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert_eq!(commands(&check.stderr), Vec::<&str>::new(), "{}", check.stderr);
    let usage = gen_report(["r.xml", "--path-prefix", "x"]).current_dir(ws.path()).run();
    assert_eq!(usage.code, 2);
    assert!(usage.stderr.contains("--annotations <FORMAT>"), "{}", usage.stderr);
}

// Checks that annotations come from the manifests' reports too (the failing cases of every
// category), with `--fail-on` still deciding the exit code after they are written.
#[test]
fn annotates_a_data_directory_report() {
    let run = gen_report([
        "tests/fixtures/reconcile",
        "--results",
        "tests/fixtures/reconcile/results/staging.xml",
        "--annotations",
        "github",
        "--fail-on",
        "failures",
    ])
    .env("GITHUB_WORKSPACE", support::repo().to_str().unwrap())
    .run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors = commands(&run.stderr);
    assert!(!errors.is_empty(), "{}", run.stderr);
    assert!(errors.iter().all(|l| l.starts_with("::error ")), "{errors:?}");
    let json = gen_report([
        "tests/fixtures/reconcile",
        "--results",
        "tests/fixtures/reconcile/results/staging.xml",
        "--format",
        "json",
    ])
    .run();
    let model: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let failed = model["results"]["all"]["failed_cases"].as_array().unwrap().len();
    assert_eq!(errors.len(), failed.min(10));
}

fn record(level: Level, file: Option<&str>, n: usize) -> Record {
    Record {
        level,
        file: file.map(str::to_string),
        line: file.map(|_| n as u32 + 1),
        title: format!("t{n}"),
        message: format!("m{n}"),
    }
}

// Checks the writer on its own: 10 errors and 10 warnings at most, located records first within
// a level, and a notice counting both kinds left out.
#[test]
fn writer_limits_errors_and_warnings_separately() {
    let mut records = Vec::new();
    for n in 0..12 {
        records.push(record(Level::Warning, if n % 2 == 0 { None } else { Some("w.rs") }, n));
    }
    for n in 0..11 {
        records.push(record(Level::Error, if n < 3 { None } else { Some("e.rs") }, n));
    }
    let mut out = Vec::new();
    write_github(&mut out, &records, 4, 1, "`r.md`").unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut expected: Vec<String> =
        (3..11).map(|n| format!("::error file=e.rs,line={},title=t{n}::m{n}", n + 1)).collect();
    expected.extend((0..2).map(|n| format!("::error title=t{n}::m{n}")));
    expected
        .extend([1, 3, 5, 7, 9, 11].map(|n| format!("::warning file=w.rs,line={},title=t{n}::m{n}", n + 1)));
    expected.extend([0, 2, 4, 6].map(|n| format!("::warning title=t{n}::m{n}")));
    expected.push(
        "::notice title=gen-report::5 failing tests and 3 flaky tests not annotated (GitHub shows \
         at most 10 error and 10 warning annotations per step); the full list is in `r.md`."
            .to_string(),
    );
    assert_eq!(lines, expected);
}

// Checks Go failures on their package's file: the real `go test -json` run of the fixture's
// module (`module example.com/demo`, RUNNER.md) names `mathx_test.go` of package
// `example.com/demo/mathx`; go.mod's module path places it at `mathx/mathx_test.go`, also when
// the module lives in a subfolder of the repository (its own go.mod there).
#[test]
fn go_failures_land_on_the_package_file() {
    let fixture = support::fixture("runners/go-test-json/build-failure-panic");
    for sub in ["", "backend"] {
        let ws = tempfile::tempdir().unwrap();
        let module = if sub.is_empty() { ws.path().to_path_buf() } else { ws.path().join(sub) };
        support::copy_dir(&fixture.join("src"), &module);
        // A file of the same name elsewhere: the package path, not the name alone, decides.
        write(&ws.path().join("other/mathx_test.go"), "package other\n");
        let run = gen_report([fixture.join("go-test.json").to_str().unwrap(), "--annotations", "github"])
            .current_dir(ws.path())
            .env("GITHUB_WORKSPACE", ws.path().to_str().unwrap())
            .run();
        let want = if sub.is_empty() {
            "mathx/mathx_test.go".to_string()
        } else {
            format!("{sub}/mathx/mathx_test.go")
        };
        let files: Vec<&str> = commands(&run.stderr)
            .into_iter()
            .filter_map(|c| c.strip_prefix("::error file="))
            .map(|c| c.split(',').next().unwrap())
            .collect();
        assert_eq!(files, [want.as_str(), want.as_str()], "{}", run.stderr);
    }
}
