//! Hostile inputs: every test runs the real binary (with a timeout) on input built to break it,
//! and asserts the exact outcome: a correct report, or a refusal (exit 2, nothing on stdout, a
//! message naming the file, the position and what was expected, no output file created or
//! replaced). Never a panic, a hang or a partial file.
//!
//! Big inputs are generated in a temp dir at test time. The rules these tests pin down:
//! - YAML: nesting ≤ 64 levels, aliases replay ≤ 10,000 events, a manifest ≤ 10 MiB (refused
//!   unread above), one document, no duplicate keys, no custom tags; merge keys `<<` merge
//!   (explicit keys win); quoted digits (`tests: "5"`) read as the number.
//! - XML: only the five predefined entities and character references; a DOCTYPE is tolerated
//!   and never expanded or fetched; nesting ≤ 1,000; messages kept to 4 KiB per case.
//! - Files: symlinked files are read wherever they point; symlinked directories are never
//!   followed (no loops); FIFOs, sockets and devices are refused, never opened.

use crate::support;

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
use support::markdown;

/// The outcome of one run of the binary.
#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `gen-report args` in `dir`, killing it (and failing) after [`support::timeout`].
#[track_caller]
fn run_in<I, S>(dir: &Path, args: I) -> Out
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(support::BIN);
    cmd.args(args).current_dir(dir);
    run_cmd(cmd)
}

/// Runs `cmd` (gen-report, possibly through a wrapper) with `SOURCE_DATE_EPOCH` and
/// `GITHUB_STEP_SUMMARY` unset unless `cmd` sets them, killing it (and failing) after
/// [`support::timeout`]; checks it did not panic.
#[track_caller]
fn run_cmd(mut cmd: Command) -> Out {
    let envs: Vec<_> = cmd.get_envs().map(|(k, _)| k.to_owned()).collect();
    for var in ["SOURCE_DATE_EPOCH", "GITHUB_STEP_SUMMARY"] {
        if !envs.iter().any(|k| k == var) {
            cmd.env_remove(var);
        }
    }
    let out = support::output(&mut cmd);
    let stdout = String::from_utf8(out.stdout).expect("stdout is UTF-8");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let status = out.status;
    let code = status.code().unwrap_or_else(|| panic!("gen-report was killed by a signal: {status:?}"));
    assert!(!stderr.contains("panicked"), "gen-report panicked:\n{stderr}");
    assert_ne!(code, 101, "gen-report panicked:\n{stderr}");
    Out { code, stdout, stderr }
}

/// A temp dir with a minimal data directory `data/` (report.yaml and one category `a.yaml`).
struct Data {
    tmp: tempfile::TempDir,
}

const REPORT: &str = "title: T\n";
const CATEGORY: &str = "name: A\ntarget: 10\ntests: 5\n";

impl Data {
    fn new() -> Self {
        let d = Data { tmp: tempfile::tempdir().unwrap() };
        d.write("data/report.yaml", REPORT);
        d.write("data/categories/a.yaml", CATEGORY);
        d
    }

    fn root(&self) -> &Path {
        self.tmp.path()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let p = self.path(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, content).unwrap();
    }

    /// Runs gen-report in the temp dir.
    #[track_caller]
    fn run(&self, args: &[&str]) -> Out {
        run_in(self.root(), args)
    }

    /// Renders `data` to stdout and asserts a report (exit 0, no error).
    #[track_caller]
    fn report(&self, args: &[&str]) -> String {
        let mut all = vec!["data"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert_eq!(out.code, 0, "expected a report; stderr:\n{}", out.stderr);
        assert!(!out.stdout.is_empty());
        assert!(!out.stderr.contains("error"), "{}", out.stderr);
        out.stdout
    }

    /// Asserts that rendering `inputs` is refused: exit 2, nothing on stdout, every `needle` in
    /// stderr (the first one should be `--> file:line:column`), and, run again with `-o`, the
    /// existing output file untouched and no other file left beside it.
    #[track_caller]
    fn refused(&self, inputs: &[&str], needles: &[&str]) -> Out {
        let out = self.run(inputs);
        assert_refusal(&out, needles);
        let out_dir = self.path("out");
        fs::create_dir_all(&out_dir).unwrap();
        fs::write(out_dir.join("report.md"), "previous report\n").unwrap();
        let mut args = inputs.to_vec();
        args.extend(["-o", "out/report.md"]);
        let again = self.run(&args);
        assert_refusal(&again, needles);
        assert_eq!(fs::read_to_string(out_dir.join("report.md")).unwrap(), "previous report\n");
        assert_eq!(entries(&out_dir), ["report.md"], "a file was left beside the output");
        out
    }
}

#[track_caller]
fn assert_refusal(out: &Out, needles: &[&str]) {
    assert_eq!(out.code, 2, "expected exit 2; stdout:\n{}\nstderr:\n{}", out.stdout, out.stderr);
    assert!(out.stdout.is_empty(), "stdout must be empty on error:\n{}", out.stdout);
    assert!(out.stderr.starts_with("error: "), "stderr must start with `error: `:\n{}", out.stderr);
    assert!(out.stderr.contains("nothing was written"), "{}", out.stderr);
    for n in needles {
        assert!(out.stderr.contains(n), "stderr lacks {n:?}:\n{}", out.stderr);
    }
}

fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// The statistics table's row of category `name` (checked to be the only one).
#[track_caller]
fn stats_row(md: &str, name: &str) -> Vec<String> {
    let tables = markdown::tables(md);
    let stats = &tables[0];
    assert_eq!(stats.header[0], "Category");
    let rows = stats.rows_starting(name);
    assert_eq!(rows.len(), 1, "expected one row {name:?} in {stats:#?}");
    rows[0].clone()
}

/// `n` levels of nested flow sequences.
fn flow_nesting(n: usize) -> String {
    format!("{}{}", "[".repeat(n), "]".repeat(n))
}

/// `n` levels of nested block mappings under `extra:` (line 1 is `extra:`).
fn block_nesting(n: usize) -> String {
    let mut s = String::from("extra:\n");
    for i in 0..n {
        s.push_str(&" ".repeat(2 + i));
        s.push_str(&format!("k{i}:\n"));
    }
    s
}

/// Ten anchors, each a list of ten aliases of the previous: 10^9 nodes if expanded.
fn alias_bomb(indent: &str) -> String {
    let mut s = format!("{indent}a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        s.push_str(&format!("{indent}a{i}: &a{i} [{refs}]\n"));
    }
    s
}

// ---------------------------------------------------------------------------------------------
// YAML

// Checks that a billion-laughs alias bomb is refused quickly, in a category and in report.yaml.
#[test]
fn yaml_alias_bomb() {
    let d = Data::new();
    d.write("data/categories/a.yaml", format!("{CATEGORY}extra:\n{}", alias_bomb("  ")));
    d.refused(
        &["data"],
        &["--> data/categories/a.yaml:", "too many alias expansions (`*name` reusing `&name`)"],
    );

    let d = Data::new();
    d.write("data/report.yaml", format!("{REPORT}extra:\n{}", alias_bomb("  ")));
    d.refused(&["data"], &["--> data/report.yaml:", "too many alias expansions (`*name` reusing `&name`)"]);
}

// Checks that 10,000 levels of flow nesting are refused at the line, saying the limit.
#[test]
fn yaml_deep_flow_nesting() {
    let d = Data::new();
    d.write("data/categories/a.yaml", format!("{CATEGORY}extra:\n  x: {}\n", flow_nesting(10_000)));
    d.refused(&["data"], &["--> data/categories/a.yaml:5:", "nesting too deep: expected at most 64 levels"]);

    let d = Data::new();
    d.write("data/report.yaml", format!("{REPORT}extra: {{x: {}}}\n", flow_nesting(10_000)));
    d.refused(&["data"], &["--> data/report.yaml:2:", "nesting too deep: expected at most 64 levels"]);
}

// Checks that deep block nesting is refused where level 65 starts; 10,000 levels of block
// nesting need 50 MB of indentation, which the size limit refuses first.
#[test]
fn yaml_deep_block_nesting() {
    let d = Data::new();
    d.write("data/categories/a.yaml", format!("{CATEGORY}{}", block_nesting(200)));
    // Line 4 is `extra:` (depth 2 with the document mapping); key k62 on line 67 opens depth 65.
    d.refused(
        &["data"],
        &["--> data/categories/a.yaml:68:", "nesting deeper than 64 levels: expected at most 64 levels"],
    );

    let d = Data::new();
    d.write("data/report.yaml", format!("{REPORT}{}", block_nesting(200)));
    d.refused(&["data"], &["--> data/report.yaml:66:", "nesting deeper than 64 levels"]);

    let d = Data::new();
    d.write("data/categories/a.yaml", format!("{CATEGORY}{}", block_nesting(10_000)));
    d.refused(&["data"], &["--> data/categories/a.yaml\n", "expected a manifest of at most 10485760 bytes"]);
}

// Checks that a key written twice is an error at the second one, in both kinds of manifest.
#[test]
fn yaml_duplicate_keys() {
    let d = Data::new();
    d.write("data/categories/a.yaml", "name: A\ntarget: 10\ntests: 5\ntests: 6\n");
    d.refused(
        &["data"],
        &["--> data/categories/a.yaml:4:1", "duplicate key `tests`: each key may appear once"],
    );

    let d = Data::new();
    d.write("data/report.yaml", "title: T\nextra: {a: 1, a: 2}\n");
    d.refused(&["data"], &["--> data/report.yaml:2:", "duplicate key `a`"]);
}

// Checks that merge keys merge (YAML 1.1), explicit keys winning over merged ones.
#[test]
fn yaml_merge_keys() {
    let d = Data::new();
    d.write(
        "data/categories/a.yaml",
        "name: A\nextra:\n  defaults: &d {target: 10, tests: 5}\n<<: *d\ntests: 7\n",
    );
    d.write("data/report.yaml", "title: T\nextra:\n  base: &b {target: 20}\n<<: *b\n");
    let md = d.report(&[]);
    assert_eq!(stats_row(&md, "A")[1..4], ["10", "7", "70%"]);
    assert!(md.contains("7 of a 20-test target declared (35%)"), "{md}");
}

// Checks that application tags (`!!python/object`, `!foo`) are refused, never ignored.
#[test]
fn yaml_custom_tags() {
    let d = Data::new();
    d.write("data/categories/a.yaml", format!("{CATEGORY}extra: {{x: !!python/object:os.system [ls]}}\n"));
    d.refused(
        &["data"],
        &[
            "--> data/categories/a.yaml:4:",
            "unsupported tag `!!python/object:os.system`: expected plain YAML",
        ],
    );

    let d = Data::new();
    d.write("data/report.yaml", "title: !foo T\n");
    d.refused(&["data"], &["--> data/report.yaml:1:", "unsupported tag `!foo`"]);

    // The standard tags are fine.
    let d = Data::new();
    d.write("data/categories/a.yaml", "name: !!str A\ntarget: !!int 10\ntests: 5\n");
    assert_eq!(stats_row(&d.report(&[]), "A")[1..3], ["10", "5"]);
}

/// Writes `prefix`, a `len`-byte scalar of `x`, then `suffix`, without holding it in memory.
fn write_big(path: &Path, prefix: &str, len: usize, suffix: &str) {
    let mut f = std::io::BufWriter::new(fs::File::create(path).unwrap());
    f.write_all(prefix.as_bytes()).unwrap();
    let chunk = vec![b'x'; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        f.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    f.write_all(suffix.as_bytes()).unwrap();
}

// Checks that a 100 MB scalar is refused at once, unread: manifests are limited to 10 MiB.
#[test]
fn yaml_100mb_scalar() {
    let d = Data::new();
    write_big(&d.path("data/categories/a.yaml"), &format!("{CATEGORY}location: \""), 100_000_000, "\"\n");
    d.refused(
        &["data"],
        &[
            "--> data/categories/a.yaml\n",
            "the file is 100000041 bytes: expected a manifest of at most 10485760 bytes (10 MiB)",
        ],
    );

    let d = Data::new();
    write_big(&d.path("data/report.yaml"), "title: \"", 100_000_000, "\"\n");
    d.refused(&["data"], &["--> data/report.yaml\n", "expected a manifest of at most 10485760 bytes"]);
}

// Checks that numbers out of range are refused at the value, saying the range.
#[test]
fn yaml_numbers_out_of_range() {
    for bad in ["1e300", "-1", "99999999999999999999", "5.5", ".inf", "true", "~"] {
        let d = Data::new();
        d.write("data/categories/a.yaml", format!("name: A\ntarget: 10\ntests: {bad}\n"));
        d.refused(
            &["data"],
            &[
                "--> data/categories/a.yaml:3:8",
                "invalid value for `tests`: expected a whole number from 0 to 18446744073709551615",
            ],
        );
    }
    let d = Data::new();
    d.write("data/report.yaml", "title: T\ntarget: -1\n");
    d.refused(&["data"], &["--> data/report.yaml:2:9", "expected a whole number from 0"]);
    for bad in ["-5", "1e400", ".nan", ".inf", "1e18"] {
        let d = Data::new();
        d.write("data/categories/a.yaml", format!("{CATEGORY}value: {bad}\n"));
        d.refused(&["data"], &["--> data/categories/a.yaml:4:8", "`value`"]);
    }
}

// Checks that a zero target shows "—" for the percentage, never NaN or inf.
#[test]
fn yaml_target_zero() {
    let d = Data::new();
    d.write("data/categories/a.yaml", "name: A\ntarget: 0\ntests: 3\n");
    d.write("data/report.yaml", "title: T\ntarget: 0\n");
    let md = d.report(&[]);
    assert_eq!(stats_row(&md, "A")[1..4], ["0", "3", "—"]);
    assert!(md.contains("3 of a 0-test target declared (—)"), "{md}");
    for bad in ["NaN", "nan", "inf", "∞"] {
        assert!(!md.contains(bad), "{bad} in:\n{md}");
    }
    let json = d.report(&["--format", "json"]);
    assert!(json.contains("\"percent\": null"), "{json}");
}

// Checks that text where a number belongs is refused, except quoted digits (the same number).
#[test]
fn yaml_strings_where_numbers_belong() {
    for (bad, col) in [("five", 8), ("[1, 2]", 8), ("{n: 5}", 8)] {
        let d = Data::new();
        d.write("data/categories/a.yaml", format!("name: A\ntarget: 10\ntests: {bad}\n"));
        d.refused(
            &["data"],
            &[&format!("--> data/categories/a.yaml:3:{col}"), "`tests`: expected a whole number"],
        );
    }
    let d = Data::new();
    d.write("data/categories/a.yaml", format!("{CATEGORY}value: lots\n"));
    d.refused(&["data"], &["--> data/categories/a.yaml:4:8", "`value`"]);

    let d = Data::new();
    d.write("data/categories/a.yaml", "name: A\ntarget: \"10\"\ntests: '5'\n");
    assert_eq!(stats_row(&d.report(&[]), "A")[1..4], ["10", "5", "50%"]);
}

// Checks that bytes that are not UTF-8 are refused at the first bad byte.
#[test]
fn yaml_non_utf8() {
    let d = Data::new();
    d.write("data/categories/a.yaml", b"name: A\ntarget: 10\ntests: 5\ncovers: [caf\xe9]\n");
    d.refused(
        &["data"],
        &["--> data/categories/a.yaml:4:13", "the file is not valid UTF-8: expected UTF-8 text"],
    );
    let d = Data::new();
    d.write("data/report.yaml", b"\xff\xfet\x00i\x00t\x00");
    d.refused(&["data"], &["--> data/report.yaml:1:1", "not valid UTF-8"]);
}

// Checks that a BOM changes nothing: the report is byte for byte the one without it.
#[test]
fn yaml_bom() {
    let d = Data::new();
    let plain = d.report(&[]);
    d.write("data/report.yaml", format!("\u{feff}{REPORT}"));
    d.write("data/categories/a.yaml", format!("\u{feff}{CATEGORY}"));
    assert_eq!(d.report(&[]), plain);
}

// Checks that CRLF line endings work exactly like LF, folded and literal scalars included.
#[test]
fn yaml_crlf() {
    let report = "title: T\nobjective: >-\n  one\n  two\nprocess:\n  - |\n    a\n    b\n";
    let category = "name: A\ntarget: 10\ntests: 5\ncovers:\n  - x\n  - \"y\n    z\"\nstatus:\n  run: {state: issues, note: \"n\"}\n";
    let d = Data::new();
    d.write("data/report.yaml", report);
    d.write("data/categories/a.yaml", category);
    let lf = d.report(&[]);
    let lf_json = d.report(&["--format", "json"]);
    d.write("data/report.yaml", report.replace('\n', "\r\n"));
    d.write("data/categories/a.yaml", category.replace('\n', "\r\n"));
    assert_eq!(d.report(&[]), lf);
    assert_eq!(d.report(&["--format", "json"]), lf_json);
    assert!(lf.contains("one two"), "{lf}");
}

// Checks that lone CR line endings (old Mac) count as line breaks in positions and snippets
// alike (found by fuzzing: the position named a line the snippet could not show).
#[test]
fn yaml_lone_cr_line_endings() {
    let d = Data::new();
    d.write("data/categories/a.yaml", "name: A\rtarget: 10\rtests: five\r");
    d.refused(
        &["data"],
        &["--> data/categories/a.yaml:3:8", "3 | tests: five\n", "`tests`: expected a whole number"],
    );
    d.write("data/categories/a.yaml", CATEGORY.replace('\n', "\r"));
    assert_eq!(stats_row(&d.report(&[]), "A")[1..3], ["10", "5"]);
}

// Checks that an empty file and a file of only comments are refused as empty.
#[test]
fn yaml_empty_and_comment_only_files() {
    for text in ["", "\n\n", "# only\n# comments\n", "---\n# c\n"] {
        let d = Data::new();
        d.write("data/categories/a.yaml", text);
        d.refused(&["data"], &["--> data/categories/a.yaml\n", "the file is empty: expected a YAML mapping"]);
        let d = Data::new();
        d.write("data/report.yaml", text);
        d.refused(&["data"], &["--> data/report.yaml\n", "the file is empty: expected a YAML mapping"]);
    }
}

// ---------------------------------------------------------------------------------------------
// XML results

const SUITE_OPEN: &str = "<testsuites><testsuite name=\"s\">";
const SUITE_CLOSE: &str = "</testsuite></testsuites>\n";

// Checks that billion-laughs entities are never expanded: the reference keeps its literal text
// and the DOCTYPE's entities are a finding.
#[test]
fn xml_billion_laughs() {
    let d = Data::new();
    let mut dtd = String::from("<!ENTITY lol \"lol\">");
    for i in 1..10 {
        let prev = if i == 1 { "lol".to_string() } else { format!("lol{}", i - 1) };
        dtd.push_str(&format!("<!ENTITY lol{i} \"{}\">", format!("&{prev};").repeat(10)));
    }
    d.write(
        "r.xml",
        format!("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [{dtd}]>\n{SUITE_OPEN}<testcase name=\"c\"><failure>&lol9;</failure></testcase>{SUITE_CLOSE}"),
    );
    let out = d.run(&["r.xml", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("&lol9;") && !out.stdout.contains("lollol"), "{}", out.stdout);
    assert!(out.stdout.contains("the DTD declares the entities `lol`, `lol1`"), "{}", out.stdout);
}

// Checks that external entities are never read: the secret never reaches stdout or stderr; a
// reference keeps its literal text, in content and attributes.
#[test]
fn xml_external_entities() {
    let d = Data::new();
    d.write("secret.txt", "TOPSECRET-4242\n");
    let secret = d.path("secret.txt");
    let url = format!("file://{}", secret.display());
    let doctype = format!("<!DOCTYPE testsuites [<!ENTITY xxe SYSTEM \"{url}\">]>\n");
    let cases = [
        format!("{doctype}{SUITE_OPEN}<testcase name=\"c\"><failure>&xxe;</failure></testcase>{SUITE_CLOSE}"),
        format!(
            "{doctype}{SUITE_OPEN}<testcase name=\"c\"><failure message=\"&xxe;\"/></testcase>{SUITE_CLOSE}"
        ),
        format!("{doctype}{SUITE_OPEN}<testcase name=\"&xxe;\"/>{SUITE_CLOSE}"),
    ];
    for xml in &cases {
        d.write("r.xml", xml);
        let out = d.run(&["r.xml", "--format", "json"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(out.stdout.contains("&xxe;"), "{}", out.stdout);
        assert!(!out.stdout.contains("TOPSECRET") && !out.stderr.contains("TOPSECRET"));
    }
    // An undeclared entity is still refused where it is used.
    d.write(
        "r.xml",
        format!("{SUITE_OPEN}<testcase name=\"c\"><failure>&xxe;</failure></testcase>{SUITE_CLOSE}"),
    );
    d.refused(&["r.xml"], &["--> r.xml:1:", "undeclared entity `&xxe;`"]);
    // An external DTD and parameter entities are never fetched: the document reads as JUnit.
    let ok = [
        format!("<!DOCTYPE testsuites SYSTEM \"{url}\">\n{SUITE_OPEN}<testcase name=\"c\"/>{SUITE_CLOSE}"),
        format!(
            "<!DOCTYPE testsuites [<!ENTITY % p SYSTEM \"{url}\"> %p;]>\n{SUITE_OPEN}<testcase name=\"c\"/>{SUITE_CLOSE}"
        ),
    ];
    for xml in &ok {
        d.write("r.xml", xml);
        for format in ["markdown", "json"] {
            let out = d.run(&["r.xml", "--format", format]);
            assert_eq!(out.code, 0, "{}", out.stderr);
            assert!(!out.stdout.contains("TOPSECRET") && !out.stderr.contains("TOPSECRET"));
        }
    }
}

// Checks that truncated documents are refused at the end, naming what is still open.
#[test]
fn xml_truncated() {
    let d = Data::new();
    d.write("r.xml", format!("{SUITE_OPEN}<testcase name=\"c\"><failure>boom"));
    d.refused(
        &["r.xml"],
        &["--> r.xml:1:", "the document ends inside `<failure>` (missing `</failure>`; truncated file?)"],
    );
    d.write("r.xml", format!("{SUITE_OPEN}<testcase name=\"c"));
    d.refused(&["r.xml"], &["--> r.xml:1:"]);
    d.write("r.xml", "<testsuites>");
    d.refused(&["r.xml"], &["--> r.xml:1:", "missing `</testsuites>`"]);
}

// Checks that 10,000 levels of nesting are refused at the element beyond the limit.
#[test]
fn xml_deep_nesting() {
    let d = Data::new();
    let open = "<testsuite name=\"s\">";
    d.write(
        "r.xml",
        format!("<testsuites>{}{}</testsuites>", open.repeat(10_000), "</testsuite>".repeat(10_000)),
    );
    // The 1,001st element starts after `<testsuites>` and 999 `<testsuite ...>`.
    let col = "<testsuites>".len() + 999 * open.len() + 1;
    d.refused(&["r.xml"], &[&format!("--> r.xml:1:{col}"), "nesting deeper than 1000"]);
}

// Checks invalid numbers in attributes: never a failure, never NaN; a duration is 0 and a
// declared total that is not a number is a finding.
#[test]
fn xml_invalid_number_attributes() {
    let d = Data::new();
    for time in ["NaN", "-5", "1e400", "inf", "abc", ""] {
        d.write(
            "r.xml",
            format!("<testsuites><testsuite name=\"s\" time=\"{time}\"><testcase name=\"c\" time=\"{time}\"/>{SUITE_CLOSE}"),
        );
        let json = d.run(&["r.xml", "--format", "json"]);
        assert_eq!(json.code, 0, "{}", json.stderr);
        let model: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(model["totals"]["measured"]["tests"], 1);
        assert_eq!(model["totals"]["measured"]["passed"], 1);
        assert_eq!(model["totals"]["measured"]["duration_s"], 0.0, "time={time}");
        let md = d.run(&["r.xml"]);
        assert_eq!(md.code, 0);
        assert!(!md.stdout.contains("NaN") && !md.stdout.contains("inf"), "{}", md.stdout);
    }
    d.write(
        "r.xml",
        "<testsuites><testsuite name=\"s\" tests=\"abc\" failures=\"-1\"><testcase name=\"c\"/></testsuite></testsuites>",
    );
    let out = d.run(&["r.xml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(
            "finding: suite `s` has tests=\"abc\", which is not a whole number; it is not compared (r.xml:1)"
        ),
        "{}",
        out.stderr
    );
}

// Checks that a 100 MB failure message is cut: the report stays small and says it was cut.
#[test]
fn xml_100mb_failure_message() {
    let d = Data::new();
    write_big(
        &d.path("r.xml"),
        &format!("{SUITE_OPEN}<testcase name=\"c\"><failure message=\"big\">"),
        100_000_000,
        &format!("</failure></testcase>{SUITE_CLOSE}"),
    );
    let out = d.run(&["r.xml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.len() < 16 * 1024, "report of {} bytes", out.stdout.len());
    // The beginning and the end are kept; the marker says how much of the middle was cut.
    assert!(out.stdout.contains("… (99,99"), "no truncation marker:\n{}", out.stdout);
    assert!(out.stdout.contains(" bytes cut) …"), "{}", out.stdout);
}

// ---------------------------------------------------------------------------------------------
// Files

#[cfg(unix)]
fn symlink(target: &str, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

// Checks that a symlink loop in categories/ is not followed: the report has the one category.
#[cfg(unix)]
#[test]
fn symlink_loop_in_data_dir() {
    let d = Data::new();
    symlink("..", &d.path("data/categories/loop"));
    symlink(".", &d.path("data/categories/self"));
    let md = d.report(&[]);
    assert_eq!(markdown::tables(&md)[0].rows.len(), 2, "A and Total only:\n{md}");
    stats_row(&md, "A");
}

// Checks the symlink rule: a symlinked file is read wherever it points; a symlinked directory
// is not followed.
#[cfg(unix)]
#[test]
fn symlink_outside_data_dir() {
    let d = Data::new();
    d.write("outside/o.yaml", "name: Outside\ntarget: 1\ntests: 1\n");
    d.write("outside/sub/s.yaml", "name: Sub\ntarget: 1\ntests: 1\n");
    symlink("../../outside/o.yaml", &d.path("data/categories/o.yaml"));
    symlink("../../outside/sub", &d.path("data/categories/sub"));
    let md = d.report(&[]);
    stats_row(&md, "Outside");
    assert!(markdown::tables(&md)[0].rows_starting("Sub").is_empty(), "{md}");
    // A dangling symlink is skipped like a symlinked directory.
    symlink("missing.yaml", &d.path("data/categories/dangling.yaml"));
    assert_eq!(d.report(&[]), md);
}

/// Says that `what` cannot be checked here: a failure under CI (where every check must run),
/// a note on stderr elsewhere.
#[track_caller]
fn cannot_check(what: &str) {
    assert!(std::env::var_os("CI").is_none(), "cannot check {what} here, and CI is set");
    eprintln!("skipped: cannot check {what} here");
}

/// Makes a FIFO; false (after [`cannot_check`]) when that is impossible here.
#[cfg(unix)]
#[track_caller]
fn mkfifo(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    if unsafe { libc::mkfifo(c.as_ptr(), 0o644) } == 0 {
        return true;
    }
    cannot_check(&format!("FIFOs (mkfifo {}: {})", path.display(), std::io::Error::last_os_error()));
    false
}

// Checks that a FIFO named like a manifest or a result file is refused, never opened (no hang).
#[cfg(unix)]
#[test]
fn fifo_named_like_an_input() {
    let d = Data::new();
    if !mkfifo(&d.path("data/categories/f.yaml")) {
        return;
    }
    d.refused(&["data"], &["--> data/categories/f.yaml\n", "expected a regular file"]);

    let d = Data::new();
    fs::remove_file(d.path("data/report.yaml")).unwrap();
    assert!(mkfifo(&d.path("data/report.yaml")));
    d.refused(&["data"], &["--> data/report.yaml\n", "it is not a regular file (a FIFO, socket or device)"]);

    let d = Data::new();
    assert!(mkfifo(&d.path("r.xml")));
    d.refused(&["r.xml"], &["--> r.xml\n", "is not a test results file: it is not a regular file"]);
    d.refused(&["data", "--results", "r.xml"], &["--> r.xml\n", "not a regular file"]);
}

// Checks that a directory named like a manifest is a folder of categories, and that
// report.yaml being a directory is refused.
#[test]
fn directory_named_like_a_manifest() {
    let d = Data::new();
    d.write("data/categories/x.yaml/inner.yaml", "name: Inner\ntarget: 1\ntests: 1\n");
    let md = d.report(&[]);
    stats_row(&md, "A");
    stats_row(&md, "Inner");

    let d = Data::new();
    fs::remove_file(d.path("data/report.yaml")).unwrap();
    fs::create_dir(d.path("data/report.yaml")).unwrap();
    d.refused(&["data"], &["--> data/report.yaml\n", "it is a directory; expected a regular file"]);
}

/// Whether permissions stop this process from reading (false as root).
#[cfg(unix)]
fn permissions_apply(probe: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::write(probe, "x").unwrap();
    fs::set_permissions(probe, fs::Permissions::from_mode(0o000)).unwrap();
    let applies = fs::read(probe).is_err();
    fs::set_permissions(probe, fs::Permissions::from_mode(0o644)).unwrap();
    fs::remove_file(probe).unwrap();
    applies
}

/// gen-report in `d`'s root, run so that file permissions bind: directly when they bind for
/// this process, else (as root) as `nobody` through setpriv(1); `None` (after
/// [`cannot_check`]) when neither is possible.
#[cfg(unix)]
#[track_caller]
fn unprivileged(d: &Data) -> Option<Command> {
    use std::os::unix::fs::PermissionsExt;
    let mut cmd = if permissions_apply(&d.path("probe")) {
        Command::new(support::BIN)
    } else {
        const NOBODY: [&str; 3] = ["--reuid=65534", "--regid=65534", "--clear-groups"];
        let works = Command::new("setpriv").args(NOBODY).arg("true").status().is_ok_and(|s| s.success());
        if !works {
            cannot_check("permissions (running as root, and setpriv cannot switch to nobody)");
            return None;
        }
        // nobody must reach the files: the temp dir is created 0700.
        fs::set_permissions(d.root(), fs::Permissions::from_mode(0o755)).unwrap();
        let mut c = Command::new("setpriv");
        c.args(NOBODY).arg(support::BIN);
        c
    };
    cmd.current_dir(d.root());
    Some(cmd)
}

// Checks that an unreadable manifest is refused with "permission denied" (as root: run as
// nobody).
#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let d = Data::new();
    let Some(mut cmd) = unprivileged(&d) else { return };
    let file = d.path("data/categories/a.yaml");
    fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
    cmd.arg("data");
    let out = run_cmd(cmd);
    assert_refusal(&out, &["--> data/categories/a.yaml\n", "cannot read the file: permission denied"]);
}

// Checks that a results folder holding an unreadable folder is an error naming it, not a
// silent gap in the counts (as root: run as nobody).
#[cfg(unix)]
#[test]
fn unreadable_results_folder() {
    use std::os::unix::fs::PermissionsExt;
    let d = Data::new();
    let Some(mut cmd) = unprivileged(&d) else { return };
    fs::create_dir_all(d.path("results/shard-2")).unwrap();
    d.write("results/shard-1.xml", format!("{SUITE_OPEN}<testcase name=\"a\"/>{SUITE_CLOSE}"));
    fs::set_permissions(d.path("results/shard-2"), fs::Permissions::from_mode(0o000)).unwrap();
    cmd.arg("results");
    let out = run_cmd(cmd);
    fs::set_permissions(d.path("results/shard-2"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_refusal(&out, &["--> results/shard-2\n", "cannot read: permission denied"]);
}

// Checks that a data directory that cannot be listed, and a categories folder that cannot be
// read, are errors naming them: categories dropped in silence would under-report (as root: run
// as nobody).
#[cfg(unix)]
#[test]
fn unlistable_data_directory() {
    use std::os::unix::fs::PermissionsExt;
    let d = Data::new();
    let Some(mut cmd) = unprivileged(&d) else { return };
    fs::create_dir_all(d.path("data/categories/more")).unwrap();
    d.write("data/categories/more/b.yaml", "name: B\ntarget: 1\ntests: 1\n");
    fs::set_permissions(d.path("data/categories/more"), fs::Permissions::from_mode(0o000)).unwrap();
    // Search but not list: report.yaml stays readable, the stray-file scan cannot run.
    fs::set_permissions(d.path("data"), fs::Permissions::from_mode(0o311)).unwrap();
    cmd.arg("data");
    let out = run_cmd(cmd);
    fs::set_permissions(d.path("data"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(d.path("data/categories/more"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_refusal(
        &out,
        &[
            "--> data/categories/more\n",
            "cannot read the directory: permission denied",
            "--> data\n",
            "cannot list the data directory: permission denied",
        ],
    );
}

// Checks that an output path in a folder that does not exist names the folder, without the OS
// error code, and creates nothing.
#[test]
fn output_in_missing_folder_names_it() {
    let d = Data::new();
    let out = d.run(&["data", "-o", "nodir/report.md"]);
    assert_eq!((out.code, out.stdout.as_str()), (2, ""), "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "error: failed to write `nodir/report.md`: the folder `nodir` does not exist; create it first; nothing was written\n"
    );
    assert!(!d.path("nodir").exists());
}

// Checks that an output path that is a directory is refused and the directory left as it was.
#[test]
fn output_path_is_a_directory() {
    let d = Data::new();
    fs::create_dir(d.path("out")).unwrap();
    fs::write(d.path("out/keep"), "k").unwrap();
    let out = d.run(&["data", "-o", "out"]);
    assert_eq!((out.code, out.stdout.as_str()), (2, ""), "{}", out.stderr);
    assert_eq!(out.stderr, "error: failed to write `out`: it is a directory; nothing was written\n");
    assert_eq!(entries(&d.path("out")), ["keep"]);
}

// Checks that an output path in a read-only directory is refused and nothing is created.
#[cfg(unix)]
#[test]
fn output_in_read_only_directory() {
    use std::os::unix::fs::PermissionsExt;
    let d = Data::new();
    let Some(mut cmd) = unprivileged(&d) else { return };
    fs::create_dir(d.path("ro")).unwrap();
    fs::set_permissions(d.path("ro"), fs::Permissions::from_mode(0o555)).unwrap();
    cmd.args(["data", "-o", "ro/report.md"]);
    let out = run_cmd(cmd);
    fs::set_permissions(d.path("ro"), fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!((out.code, out.stdout.as_str()), (2, ""), "{}", out.stderr);
    assert!(out.stderr.starts_with("error: failed to write `ro/report.md`: "), "{}", out.stderr);
    assert!(entries(&d.path("ro")).is_empty());
}

// Checks that an output path equal to an input file is refused and the input left untouched.
#[test]
fn output_path_equals_an_input() {
    for input in ["data/report.yaml", "data/categories/a.yaml", "r.xml"] {
        let d = Data::new();
        d.write("r.xml", format!("{SUITE_OPEN}<testcase name=\"c\"/>{SUITE_CLOSE}"));
        let before = fs::read(d.path(input)).unwrap();
        let out = d.run(&["data", "--results", "r.xml", "-o", input]);
        assert_refusal(&out, &[input, "is an input"]);
        assert_eq!(fs::read(d.path(input)).unwrap(), before, "{input} was overwritten");
    }
}

// ---------------------------------------------------------------------------------------------
// Injection: data is text, never markup, HTML, links or a template.

const PAYLOADS: &[&str] = &[
    "pipe | in | name",
    "new\nline",
    "back`tick` and ``double``",
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "<!-- hidden -->",
    "```mermaid\ngraph TD; A-->B\n```",
    "{{ title }}",
    "{% if true %}evaluated{% endif %}",
    "<img src=x onerror=alert(1)>",
    "*em* _u_ ~~s~~ $x$",
];

/// A YAML double-quoted scalar holding `s` exactly.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// The HTML tags the built-in templates write themselves; data inside them is entity-escaped.
const TEMPLATE_TAGS: &[&str] = &["br", "details", "/details", "summary", "/summary"];

/// Asserts that no HTML in `md` comes from data (every tag is one the templates write, so no
/// `<script>`, `<img>` or comment) and that no link or image exists (no javascript: URL).
#[track_caller]
fn assert_inert(md: &str) {
    let m = markdown::markup(md);
    for h in &m.html {
        for (i, _) in h.match_indices('<') {
            let name: String =
                h[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '/').collect();
            assert!(TEMPLATE_TAGS.contains(&name.to_lowercase().as_str()), "HTML from data: {h:?}");
        }
        assert!(!h.to_lowercase().contains("<script"), "{h:?}");
    }
    for link in m.links.iter().chain(&m.images) {
        assert!(!link.to_lowercase().contains("javascript:"), "link from data: {link:?}");
    }
    assert!(m.links.is_empty() && m.images.is_empty(), "links {:?}, images {:?}", m.links, m.images);
}

// Checks that category names, locations and covers carrying markup are the text of exactly one
// cell each, and that nothing they hold becomes HTML, a link or a template.
#[test]
fn injection_in_category_fields() {
    let d = Data::new();
    fs::remove_file(d.path("data/categories/a.yaml")).unwrap();
    for (i, p) in PAYLOADS.iter().enumerate() {
        d.write(
            &format!("data/categories/c{i:02}.yaml"),
            format!(
                "name: {}\ntarget: 2\ntests: 1\nlocation: {}\ncovers: [{}]\n",
                yaml_str(p),
                yaml_str(&format!("tests/{p}")),
                yaml_str(p)
            ),
        );
    }
    d.write("data/report.yaml", "title: Real title\n");
    let md = d.report(&[]);
    assert_inert(&md);
    let tables = markdown::tables(&md);
    let stats = &tables[0];
    assert_eq!(stats.rows.len(), PAYLOADS.len() + 1, "{stats:#?}");
    let col = |name: &str| stats.header.iter().position(|h| h == name).unwrap();
    let (location, covers) = (col("Location"), col("Covers"));
    for p in PAYLOADS {
        let row = stats_row(&md, p);
        // The location is a code span, where a line break reads as a space (CommonMark).
        assert_eq!(row[location], format!("tests/{}", p.replace('\n', " ")), "location cell");
        assert_eq!(row[covers], *p, "covers cell");
    }
    // `{{ title }}` in data printed literally (it is the text of its cell, checked above), not
    // evaluated: the report's title appears only where the template puts it.
    assert_eq!(md.matches("Real title").count(), 1, "{md}");
}

/// Text of every fenced code block of `md`.
fn code_blocks(md: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for event in Parser::new_ext(md, markdown::options()) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_))) => current = Some(String::new()),
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}

// Checks that failure messages and test names carrying markup stay inert: each message is the
// exact text of one fenced block, names are text, `{{ title }}` prints literally.
#[test]
fn injection_in_failure_messages() {
    let d = Data::new();
    let mut xml = String::from(SUITE_OPEN);
    for (i, p) in PAYLOADS.iter().enumerate() {
        let esc = |s: &str| {
            s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
        };
        xml.push_str(&format!(
            "<testcase classname=\"k\" name=\"t{i} {}\"><failure>{}</failure></testcase>",
            esc(&p.replace('\n', " ")),
            esc(p)
        ));
    }
    xml.push_str(SUITE_CLOSE);
    d.write("r.xml", xml);
    for args in [vec!["r.xml"], vec!["data", "--results", "r.xml"]] {
        let out = d.run(&args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let md = &out.stdout;
        assert_inert(md);
        markdown::tables(md);
        let blocks = code_blocks(md);
        for p in PAYLOADS {
            // A failure shows its first line as the headline and the rest as details: each is
            // one code block, verbatim.
            let (head, rest) = p.split_once('\n').unwrap_or((p, ""));
            assert_eq!(
                blocks.iter().filter(|b| b.trim_end() == head).count(),
                1,
                "{head:?} in {blocks:#?}\n{md}"
            );
            if !rest.is_empty() {
                assert_eq!(
                    blocks.iter().filter(|b| b.trim_end() == rest).count(),
                    1,
                    "{rest:?} in {blocks:#?}"
                );
            }
        }
        assert!(!md.contains("evaluated\n"), "{md}");
    }
}

// ---------------------------------------------------------------------------------------------
// Templates (Tera 2): names resolve among loaded templates only (never the file system),
// `range` is capped at 100,000 elements, include/extends cycles are found before rendering,
// and the rendered output is capped at 64 MiB. A loop that writes nothing is bounded by time
// only: templates are code, like a Makefile.

/// Renders `data` with template `name` from directory `dir` (relative to the temp root).
#[track_caller]
fn render_with(d: &Data, dir: &str, name: &str) -> Out {
    d.run(&["data", "--templates", dir, "--template", name])
}

// Checks that `{% include %}` of a path outside the template directory is an unknown template,
// never a file read.
#[test]
fn template_include_outside_directory() {
    let d = Data::new();
    d.write("tpl/evil.md", "before\n{% include \"../../../../../../etc/passwd\" %}\n");
    let out = render_with(&d, "tpl", "evil.md");
    assert_refusal(&out, &["error: Unknown template `../../../../../../etc/passwd`", "--> tpl/evil.md:2:12"]);
    assert!(!out.stderr.contains("root:"), "{}", out.stderr);
}

// Checks that a loop over a huge range is refused by Tera's range cap, naming the template.
#[test]
fn template_huge_range() {
    let d = Data::new();
    d.write("tpl/loop.md", "ok\n{% for i in range(end=100000000) %}x{% endfor %}\n");
    let out = render_with(&d, "tpl", "loop.md");
    assert_refusal(
        &out,
        &[
            "`range` would produce 100000000 elements, which exceeds the limit of 100000",
            "--> tpl/loop.md:2:13",
        ],
    );
}

// Checks that nested loops (10^10 iterations, 1 KB each) stop at the 64 MiB output cap.
#[test]
fn template_runaway_output() {
    let d = Data::new();
    let body = "x".repeat(1000);
    d.write(
        "tpl/runaway.md",
        format!("{{% for i in range(end=100000) %}}{{% for j in range(end=100000) %}}{body}{{% endfor %}}{{% endfor %}}\n"),
    );
    let out = render_with(&d, "tpl", "runaway.md");
    assert_refusal(&out, &["the rendered output exceeds 64 MiB", "--> tpl/runaway.md"]);
}

// Checks that templates including each other (or themselves) are refused as a cycle, blaming
// the template with the cycle even when another one is rendered.
#[test]
fn template_recursive_include() {
    let d = Data::new();
    d.write("pair/a.md", "a {% include \"b.md\" %}\n");
    d.write("pair/b.md", "b {% include \"a.md\" %}\n");
    d.write("pair/ok.md", "fine\n");
    d.write("self/self.md", "s {% include \"self.md\" %}\n");
    d.write("ext/ext.md", "{% extends \"ext.md\" %}\n");
    for (dir, name, needles) in [
        ("pair", "a.md", ["Circular include detected for template 'a.md'", "--> pair/a.md\n"]),
        ("pair", "ok.md", ["Circular include detected for template 'a.md'", "--> pair/a.md\n"]),
        ("self", "self.md", ["Circular include detected for template 'self.md'", "--> self/self.md\n"]),
        ("ext", "ext.md", ["ircular", "--> ext/ext.md"]),
    ] {
        assert_refusal(&render_with(&d, dir, name), &needles);
    }
}

// ---------------------------------------------------------------------------------------------
// Writing: `-o` replaces a regular file (or the file a symlink points to) atomically, writes a
// device, FIFO or `/dev/stdout` in place, gives a new file the mode of a shell redirect, and
// leaves no temp file on SIGINT/SIGTERM. `--github-summary` appends last and undoes a short
// append; `init` creates all of its files or none.

/// The report `gen-report data` prints.
fn plain_report(d: &Data) -> String {
    d.report(&[])
}

/// `args` run through `sh -c SCRIPT` in `d`'s root, with gen-report as `"$0"` and `args` as
/// `"$@"`: for a umask or a file-size limit set just for gen-report.
fn run_wrapped(d: &Data, script: &str, args: &[&str], env: &[(&str, &Path)]) -> Out {
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(format!("{script} && exec \"$0\" \"$@\""))
        .arg(support::BIN)
        .args(args)
        .current_dir(d.root());
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_cmd(cmd)
}

// Checks that devices, FIFOs and `/dev/stdout` are written in place, never replaced by a file,
// and `-` is standard output.
#[cfg(unix)]
#[test]
fn output_to_devices_fifos_and_stdout() {
    use std::os::unix::fs::FileTypeExt;
    let d = Data::new();
    let report = plain_report(&d);
    let out = d.run(&["data", "-o", "/dev/null"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "", ""));
    assert!(fs::metadata("/dev/null").unwrap().file_type().is_char_device(), "/dev/null was replaced");
    for stdout in ["/dev/stdout", "-"] {
        let out = d.run(&["data", "-o", stdout]);
        assert_eq!((out.code, out.stdout.as_str()), (0, report.as_str()), "{stdout}: {}", out.stderr);
    }
    assert!(fs::symlink_metadata("/dev/stdout").unwrap().file_type().is_symlink());

    if !mkfifo(&d.path("pipe")) {
        return;
    }
    let reader = {
        let pipe = d.path("pipe");
        std::thread::spawn(move || fs::read_to_string(pipe).unwrap())
    };
    let out = d.run(&["data", "-o", "pipe"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(reader.join().unwrap(), report);
    assert!(fs::symlink_metadata(d.path("pipe")).unwrap().file_type().is_fifo(), "the FIFO was replaced");
    assert_eq!(entries(d.root()), ["data", "pipe"]);

    // A device that fails: nothing on stdout, exit 2.
    let out = d.run(&["data", "-o", "/dev/full"]);
    assert_refusal(&out, &["error: failed to write `/dev/full`: No space left on device"]);
}

// Checks that a symlinked report is updated through the link: the link stays, the file it
// points to gets the report (and a dangling link gets its file created, as with `>`).
#[cfg(unix)]
#[test]
fn output_through_a_symlink() {
    let d = Data::new();
    let report = plain_report(&d);
    d.write("docs/real.md", "old\n");
    symlink("docs/real.md", &d.path("REPORT.md"));
    let out = d.run(&["data", "-o", "REPORT.md"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    assert_eq!(fs::read_link(d.path("REPORT.md")).unwrap(), Path::new("docs/real.md"));
    assert_eq!(fs::read_to_string(d.path("docs/real.md")).unwrap(), report);
    assert_eq!(entries(&d.path("docs")), ["real.md"], "no temp file left");

    symlink("docs/new.md", &d.path("NEW.md"));
    assert_eq!(d.run(&["data", "-o", "NEW.md"]).code, 0);
    assert_eq!(fs::read_link(d.path("NEW.md")).unwrap(), Path::new("docs/new.md"));
    assert_eq!(fs::read_to_string(d.path("docs/new.md")).unwrap(), report);

    // A symlink to an input is that input: refused.
    symlink("data/report.yaml", &d.path("evil.md"));
    assert_refusal(&d.run(&["data", "-o", "evil.md"]), &["`data/report.yaml` is an input"]);
    assert_eq!(fs::read_to_string(d.path("data/report.yaml")).unwrap(), REPORT);
}

// Checks that a new report file gets the mode a shell redirect gives under the umask, and a
// replaced one keeps its mode.
#[cfg(unix)]
#[test]
fn output_mode_follows_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let d = Data::new();
    let mode = |p: &str| fs::metadata(d.path(p)).unwrap().permissions().mode() & 0o777;
    for (umask, expected) in [("077", 0o600), ("022", 0o644), ("002", 0o664)] {
        let name = format!("new-{umask}.md");
        let out = run_wrapped(&d, &format!("umask {umask}"), &["data", "-o", &name], &[]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert_eq!(mode(&name), expected, "umask {umask}");
    }
    d.write("kept.md", "old\n");
    fs::set_permissions(d.path("kept.md"), fs::Permissions::from_mode(0o640)).unwrap();
    let out = run_wrapped(&d, "umask 000", &["data", "-o", "kept.md"], &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode("kept.md"), 0o640);
}

/// An LD_PRELOAD library whose `fsync` takes a minute: a disk so slow that gen-report is sure to
/// be caught between writing its temp file and renaming it.
const SLOW_FSYNC: &str = r#"
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>
int fsync(int fd) {
    struct timespec t = {60, 0};
    nanosleep(&t, 0);
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    return real(fd);
}
"#;

// Checks that SIGTERM and SIGINT during `-o` remove the temp file and leave the target as it
// was; the process still dies of the signal.
#[cfg(target_os = "linux")]
#[test]
fn signal_during_output_removes_the_temp_file() {
    use std::os::unix::process::ExitStatusExt;
    let d = Data::new();
    d.write("shim/slow.c", SLOW_FSYNC);
    let so = d.path("shim/slow.so");
    let built = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&so)
        .arg(d.path("shim/slow.c"))
        .arg("-ldl")
        .status()
        .is_ok_and(|s| s.success());
    if !built {
        return cannot_check("signals during a write (no C compiler for the slow-disk library)");
    }
    for sig in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
        d.write("out/report.md", "previous report\n");
        let mut cmd = Command::new(support::BIN);
        cmd.args(["data", "-o", "out/report.md"])
            .current_dir(d.root())
            .env("LD_PRELOAD", &so)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // As a foreground run: a test run from a background job inherits SIGINT ignored, and
        // gen-report rightly leaves an ignored signal ignored.
        // SAFETY: only async-signal-safe `signal` calls between fork and exec.
        unsafe {
            use std::os::unix::process::CommandExt;
            cmd.pre_exec(|| {
                for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                    libc::signal(s, libc::SIG_DFL);
                }
                Ok(())
            });
        }
        let mut child = cmd.spawn().unwrap();
        let started = Instant::now();
        while !entries(&d.path("out")).iter().any(|e| e.starts_with(".tmp")) {
            assert!(child.try_wait().unwrap().is_none(), "gen-report ended before writing");
            if started.elapsed() > support::timeout() {
                support::kill(&mut child);
                panic!("no temp file after {:?}", support::timeout());
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        // SAFETY: a signal to our own child.
        assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, sig) }, 0);
        let status = support::wait_or_kill(
            &mut child,
            Instant::now(),
            support::timeout(),
            "gen-report after a signal",
        );
        assert_eq!(status.signal(), Some(sig), "{status:?}");
        assert_eq!(entries(&d.path("out")), ["report.md"], "signal {sig}: temp file left behind");
        assert_eq!(fs::read_to_string(d.path("out/report.md")).unwrap(), "previous report\n");
    }
}

// Checks that `--github-summary` appends only once everything else succeeded: a bad `-o`, a
// summary file that is an input, a FIFO or the `-o` file itself are refused before anything is
// written, and the report is appended when all is well.
#[cfg(unix)]
#[test]
fn github_summary_is_appended_last() {
    let d = Data::new();
    let report = plain_report(&d);
    d.write("summary.md", "## earlier step\n");
    let summary = d.path("summary.md");
    let with = |path: &Path, args: &[&str]| {
        let mut cmd = Command::new(support::BIN);
        cmd.args(["data", "--github-summary"])
            .args(args)
            .current_dir(d.root())
            .env("GITHUB_STEP_SUMMARY", path);
        run_cmd(cmd)
    };
    fs::create_dir(d.path("outdir")).unwrap();
    for (args, message) in [
        (vec!["-o", "outdir"], "error: failed to write `outdir`: it is a directory; nothing was written\n"),
        (
            vec!["-o", "missing/"],
            "error: failed to write `missing/`: a path ending in `/` names a directory; nothing was written\n",
        ),
        (
            vec!["-o", "summary.md"],
            "error: GITHUB_STEP_SUMMARY names `summary.md`, the -o output too: choose another output path; nothing was written\n",
        ),
    ] {
        let out = with(Path::new("summary.md"), &args);
        assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (2, "", message), "{args:?}");
        assert_eq!(fs::read_to_string(&summary).unwrap(), "## earlier step\n", "{args:?}");
    }
    let out = with(Path::new("data/report.yaml"), &[]);
    assert_eq!(
        out.stderr,
        "error: GITHUB_STEP_SUMMARY names `data/report.yaml`, an input: refusing to append the report to it; nothing was written\n"
    );
    assert_eq!(fs::read_to_string(d.path("data/report.yaml")).unwrap(), REPORT);
    if !mkfifo(&d.path("fifo")) {
        return;
    }
    let out = with(Path::new("fifo"), &[]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            2,
            "error: GITHUB_STEP_SUMMARY names `fifo`, which is not a regular file (a FIFO, socket or device): expected the job summary file; nothing was written\n"
        )
    );
    let out = with(Path::new("summary.md"), &["-o", "full.md"]);
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "", ""));
    assert_eq!(fs::read_to_string(&summary).unwrap(), format!("## earlier step\n{report}"));
    assert_eq!(fs::read_to_string(d.path("full.md")).unwrap(), report);
    assert_eq!(entries(d.root()), ["data", "fifo", "full.md", "outdir", "summary.md"]);
}

// Checks that a short append (a full disk, here a file-size limit) leaves the summary exactly
// as it was, and the `-o` file unwritten: no table cut mid-row.
#[cfg(unix)]
#[test]
fn github_summary_short_write_is_undone() {
    let d = Data::new();
    let before = "earlier step\n".repeat(3100); // 40,300 bytes
    d.write("summary.md", &before);
    let summary = d.path("summary.md");
    // 40 KiB per file: the report (a few KB) fits, the summary with it does not.
    let out = run_wrapped(
        &d,
        "ulimit -f 40 && trap '' XFSZ",
        &["data", "--github-summary", "-o", "full.md"],
        &[("GITHUB_STEP_SUMMARY", Path::new("summary.md"))],
    );
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (2, "", "error: failed to write `summary.md`: File too large; nothing was written\n")
    );
    assert_eq!(fs::read_to_string(&summary).unwrap(), before);
    assert_eq!(entries(d.root()), ["data", "summary.md"], "the -o file or a temp file was left");
}

// Checks that `init` on a full disk (here a file-size limit) creates nothing, and can then be
// run again.
#[cfg(unix)]
#[test]
fn init_is_all_or_nothing() {
    let d = Data::new();
    // 2 KiB per file: the manifests fit, the JSON Schemas do not.
    let out = run_wrapped(&d, "ulimit -f 2 && trap '' XFSZ", &["init", "new"], &[]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (2, "", "error: failed to write `new/schema/report.json`: File too large; nothing was written\n")
    );
    assert_eq!(entries(d.root()), ["data"], "init left files behind");
    let out = d.run(&["init", "new"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for f in [
        "report.yaml",
        "categories/api.yaml",
        "categories/ui.yaml",
        "schema/report.json",
        "schema/category.json",
    ] {
        assert!(d.path("new").join(f).is_file(), "{f}");
    }
    // Run again: refused, nothing changed.
    let out = d.run(&["init", "new"]);
    assert_eq!(
        out.stderr,
        "error: `new/report.yaml` exists already: init never overwrites; nothing was written\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Reading: `--check` reads a regular file of at most 64 MiB, and its diff takes time in
// proportion to the reports, not their square.

// Checks that `--check` refuses a symlink to /dev/zero, a FIFO (without waiting for a writer),
// a missing file and a file over 64 MiB, each with its reason.
#[cfg(unix)]
#[test]
fn check_reads_only_regular_files_within_the_bound() {
    let d = Data::new();
    symlink("/dev/zero", &d.path("zero.md"));
    let big = fs::File::create(d.path("big.md")).unwrap();
    big.set_len(64 * 1024 * 1024 + 1).unwrap();
    let not_regular =
        "it is not a regular file (a FIFO, socket or device); expected the committed report file";
    let mut cases = vec![
        ("zero.md", format!("error: cannot read `zero.md`: {not_regular}; nothing was written\n")),
        ("missing.md", "error: cannot read `missing.md`: no such file or directory; nothing was written\n".into()),
        (
            "big.md",
            "error: cannot read `big.md`: it is 67108865 bytes; --check reads at most 67108864 bytes (64 MiB), the constant MAX_CHECK_BYTES in src/emit/output.rs; nothing was written\n".into(),
        ),
    ];
    if mkfifo(&d.path("fifo.md")) {
        cases
            .push(("fifo.md", format!("error: cannot read `fifo.md`: {not_regular}; nothing was written\n")));
    }
    for (file, message) in cases {
        let out = d.run(&["data", "--check", file]);
        assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (2, "", message.as_str()), "{file}");
    }
}

/// Applies the unified diff `diff` (as `--check` prints it) to `old`.
fn apply(old: &str, diff: &str) -> String {
    let old: Vec<&str> = old.split_inclusive('\n').collect();
    let mut out = String::new();
    let mut at = 0;
    for l in diff.lines().skip(2) {
        if let Some(h) = l.strip_prefix("@@ -") {
            let range = h.split(' ').next().unwrap();
            let start: usize = range.split(',').next().unwrap().parse().unwrap();
            let start = if range.ends_with(",0") { start } else { start - 1 };
            out.extend(old[at..start].iter().copied());
            at = start;
        } else if let Some(t) = l.strip_prefix('+') {
            out.push_str(t);
            out.push('\n');
        } else if let Some(t) = l.strip_prefix(' ') {
            assert_eq!(old[at].trim_end_matches('\n'), t, "context line {at}");
            out.push_str(old[at]);
            at += 1;
        } else if let Some(t) = l.strip_prefix('-') {
            assert_eq!(old[at].trim_end_matches('\n'), t, "removed line {at}");
            at += 1;
        } else if l.starts_with('\\') {
            out.pop();
        }
    }
    out.extend(old[at..].iter().copied());
    out
}

// Checks that `--check` against 200,000-line reports answers (within the run timeout) with a
// diff that turns the committed report into the fresh one: every other line changed, and
// nothing in common.
// Checks that the stale message gives a command that re-renders the committed report: the same
// inputs and options with `-o FILE`, quoted for a shell; run by sh, it makes the report fresh.
#[test]
fn check_stale_gives_the_command_that_re_renders() {
    let d = Data::new();
    d.write("it's stale.md", "old\n");
    let out = d.run(&["data", "--date", "2026-01-01", "--check=it's stale.md"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let cmd = format!("{} data --date 2026-01-01 -o 'it'\\''s stale.md'", support::BIN);
    assert_eq!(
        out.stderr,
        format!("error: `it's stale.md` is stale (the diff is above): re-render it with\n  {cmd}\n")
    );
    let sh = Command::new("sh").arg("-c").arg(&cmd).current_dir(d.root()).status().unwrap();
    assert!(sh.success());
    let again = d.run(&["data", "--date", "2026-01-01", "--check", "it's stale.md"]);
    assert_eq!((again.code, again.stderr.as_str()), (0, ""), "{}", again.stdout);
}

#[test]
fn check_diff_of_huge_reports() {
    let d = Data::new();
    d.write(
        "tpl/big.md",
        "{% for i in range(end=100000) %}row {{ i }} of the report\nvalue {{ i * 7 }}\n{% endfor %}",
    );
    let args = ["data", "--templates", "tpl", "--template", "big.md"];
    let fresh = d.report(&args[1..]);
    assert_eq!(fresh.lines().count(), 200_000);
    let half: String = fresh
        .lines()
        .map(|l| if l.starts_with("value") { format!("{l}0\n") } else { format!("{l}\n") })
        .collect();
    let none: String = (0..200_000).map(|i| format!("other line {}\n", i % 1000)).collect();
    for committed in [half, none] {
        d.write("REPORT.md", &committed);
        let mut all = args.to_vec();
        all.extend(["--check", "REPORT.md"]);
        let out = d.run(&all);
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert_eq!(
            out.stderr,
            format!(
                "error: `REPORT.md` is stale (the diff is above): re-render it with\n  {} data --templates tpl --template big.md -o REPORT.md\n",
                support::BIN
            )
        );
        assert!(
            out.stdout.starts_with("--- REPORT.md\n+++ REPORT.md (re-rendered)\n@@ -1"),
            "{}",
            &out.stdout[..200]
        );
        assert_eq!(apply(&committed, &out.stdout), fresh);
    }
}

// ---------------------------------------------------------------------------------------------
// Budgets keep the head (title, verdict, headline figures) or refuse.

// Checks `--budget comment` on 3,000 categories: the verdict, the headline figures and the
// sections stay (a paragraph naming every category and the chart go), and a budget too small for
// the head is a usage error naming the minimum, which then fits.
#[test]
fn budget_keeps_verdict_and_figures_or_refuses() {
    let d = Data::new();
    fs::remove_file(d.path("data/categories/a.yaml")).unwrap();
    for i in 0..3000 {
        d.write(
            &format!("data/categories/c{i:04}.yaml"),
            format!("name: Category {i}\ntarget: 10\ntests: {}\n", i % 12),
        );
    }
    let out = d.run(&["data", "--budget", "comment"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let md = &out.stdout;
    assert!(md.chars().count() <= 65_000);
    let head = "# T\n\n**Result**: ⚠️ Target partly met on declared counts (unverified): 16,500 of a 30,000-test target declared (55%)  \n**Evidence**: Declared counts only — no test results were given: 0 of 3,000 categories shown to run\n\n---\n\n";
    assert!(md.starts_with(head), "{}", &md[..300]);
    for kept in ["## Summary\n", "## Test Statistics\n", "## Final Assessment\n"] {
        assert!(md.contains(kept), "{kept:?} lost");
    }
    assert!(
        md.contains("; 1 long paragraph; 1 long code block. The full report is in the job's artifacts.\n"),
        "{}",
        &md[md.len() - 400..]
    );
    markdown::tables(md);

    let out = d.run(&["data", "--budget", "1"]);
    let minimum = head.len() + 1 + "> ⚠️ Shortened.\n".len();
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (2, "", format!("error: --budget 1 (1 byte) is too small for this report: its title, verdict and headline figures, with the notice that the rest was left out, need at least {minimum} bytes; nothing was written\n").as_str())
    );
    let out = d.run(&["data", "--budget", &minimum.to_string()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{head}> ⚠️ Shortened.\n"));
    assert_eq!(d.run(&["data", "--budget", &(minimum - 1).to_string()]).code, 2);
}

// ---------------------------------------------------------------------------------------------
// What comes out is inert: control characters from data are shown, never acted on (terminal
// escapes, GitHub workflow commands, ill-formed XML); URLs, e-mails, mentions and references
// in data are text, not links; no output prints `inf`, `NaN` or hundreds of digits.

/// Whether `s` holds a control character other than tab and line feed.
fn has_controls(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// Asserts that no line of `s` is a GitHub Actions workflow command.
#[track_caller]
fn no_workflow_command(s: &str) {
    assert!(!s.lines().any(|l| l.trim_start().starts_with("::")), "a workflow command:\n{s}");
}

// Checks that a suite name and failure output carrying a line break, `::error` and ESC
// sequences stay inert on stderr, in Markdown, HTML, JSON and the badge.
#[test]
fn control_characters_from_data_are_inert() {
    let d = Data::new();
    d.write(
        "r.xml",
        "<testsuites><testsuite name=\"S&#10;::error title=Injected::pwned&#27;[31m\" tests=\"5\">\
         <testcase classname=\"k\" name=\"c&#27;]0;title&#7;\"><failure message=\"m\">boom &#27;[31mred&#27;[0m &#1; end</failure></testcase>\
         </testsuite></testsuites>\n",
    );
    let out = d.run(&["r.xml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stderr,
        "finding: suite `S\\n::error title=Injected::pwned\\u{1b}[31m` declares tests=\"5\" but has 1 test case (r.xml:1)\n"
    );
    no_workflow_command(&out.stdout);
    assert!(!has_controls(&out.stdout), "{:?}", out.stdout);
    assert!(out.stdout.contains("| S<br>::error title=Injected::pwned␛\\[31m |"), "{}", out.stdout);
    // Terminal colours in failure output are dropped; other controls are shown as pictures.
    assert!(out.stdout.contains("\n```\nm\n```\n\n```\nboom red ␁ end\n```\n"), "{}", out.stdout);
    for format in ["html", "json", "ctrf"] {
        let out = d.run(&["r.xml", "--format", format]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(!has_controls(&out.stdout), "{format}");
        no_workflow_command(&out.stdout);
    }
    // A manifest key and a badge label holding controls.
    let d = Data::new();
    d.write("data/categories/a.yaml", "name: A\ntarget: 1\ntests: 1\n\"x\\n::error::k\\e[2J\": 1\n");
    let out = d.run(&["data"]);
    assert_refusal(
        &out,
        &[
            "error: unknown key `x\\n::error::k\\u{1b}[2J`; expected one of:",
            "4 | \"x\\n::error::k\\e[2J\": 1\n",
        ],
    );
    no_workflow_command(&out.stderr);
    assert!(!has_controls(&out.stderr));
    d.write("data/categories/a.yaml", CATEGORY);
    let out = d.run(&["badge", "data", "--label", "t\u{1b}[31m\u{85}\u{7f}"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("<title>t␛[31m\u{fffd}␡: 5/10 declared</title>"), "{}", out.stdout);
    assert!(!has_controls(&out.stdout));
    let mut reader = quick_xml::Reader::from_str(&out.stdout);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("ill-formed SVG: {e}"),
        }
    }
}

/// Links in `md` as GitHub's renderer (cmark-gfm: tables, autolinks) would make them, rendered
/// by comrak, its Rust port; and the rendered text outside code (where GitHub's mention and
/// reference filters look).
fn gfm(md: &str) -> (usize, String) {
    let mut o = comrak::Options::default();
    o.extension.table = true;
    o.extension.autolink = true;
    let mut html = comrak::markdown_to_html(md, &o);
    for (open, close) in [("<pre", "</pre>"), ("<code", "</code>")] {
        while let Some(start) = html.find(open) {
            let end = html[start..].find(close).map_or(html.len(), |e| start + e + close.len());
            html.replace_range(start..end, "");
        }
    }
    let text: String = html.split('<').map(|part| part.split_once('>').map_or(part, |(_, t)| t)).collect();
    (html.matches("<a ").count(), text)
}

const LINKY: &[&str] = &[
    "see https://evil.example/x now",
    "ftp://files.evil.example",
    "www.evil.example/path",
    "WWW.EVIL.EXAMPLE",
    "mail me@evil.example",
    "mailto:me@evil.example",
    "xmpp:me@evil.example",
    "ping @octocat and @org/team",
    "fixes #123 and GH-7 and owner/repo#9",
];

// Checks that URLs, `www.` hosts, e-mail addresses, mentions and issue references in data are
// neither linked by cmark-gfm nor left for GitHub's mention and reference filters, and read the
// same; a title ending in ` #` keeps its `#`.
#[test]
fn autolinks_and_mentions_in_data_are_text() {
    let d = Data::new();
    fs::remove_file(d.path("data/categories/a.yaml")).unwrap();
    for (i, p) in LINKY.iter().enumerate() {
        d.write(
            &format!("data/categories/c{i}.yaml"),
            format!("name: {}\ntarget: 2\ntests: 1\ncovers: [{}]\n", yaml_str(p), yaml_str(p)),
        );
    }
    d.write(
        "data/report.yaml",
        "title: \"Fix C # and F #\"\nobjective: \"ask @octocat at https://evil.example\"\n",
    );
    let md = d.report(&[]);
    // The control: the same text, unescaped, gets six links (GitHub's filters would add the
    // mentions and references on top).
    assert_eq!(gfm(&LINKY.join("\n\n")).0, 6);
    let (links, text) = gfm(&md);
    assert_eq!(links, 0, "{md}");
    let shown = text.replace('\u{2060}', "");
    for p in LINKY {
        assert!(shown.contains(p), "{p:?} does not read the same:\n{shown}");
    }
    // What GitHub's filters would match in the rendered text: `@name`, `#123`, `GH-7`.
    let chars: Vec<char> = text.chars().collect();
    for w in chars.windows(2) {
        let linky = matches!(w[0], '@' | '#') && w[1].is_ascii_alphanumeric();
        assert!(!linky, "{}{} left for GitHub's filters", w[0], w[1]);
    }
    assert!(!text.contains("GH-7"));
    assert!(md.starts_with("# Fix C # and F \\#\n"), "{}", &md[..40]);
    assert!(gfm(&md).1.contains("Fix C # and F #\n"));
}

// Checks that absurd numbers never reach an output: a `time` of 1e307 counts as 0 s (two of
// them would sum to infinity), and a value target under a cent (whose ratio would be infinite
// or hundreds of digits long) is an input error with its position.
#[test]
fn absurd_numbers_never_reach_outputs() {
    let d = Data::new();
    d.write(
        "r.xml",
        format!("{SUITE_OPEN}<testcase name=\"a\" time=\"1e307\"/><testcase name=\"b\" time=\"1e306\"/><testcase name=\"c\" time=\"1.5\"/>{SUITE_CLOSE}"),
    );
    let md = d.report(&["--results", "r.xml"]);
    assert!(md.contains(" in 1.5 s."), "{md}");
    let out = d.run(&["r.xml"]);
    assert!(out.stdout.contains("0 skipped, in 1.5 s\n"), "{}", out.stdout);
    for format in ["markdown", "html", "json", "ctrf"] {
        let out = d.run(&["r.xml", "--format", format]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let absurd = out
            .stdout
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| ["inf", "infinity", "nan"].contains(&w.to_lowercase().as_str()) || w.contains("e30"));
        assert_eq!(absurd, None, "{format}:\n{}", out.stdout);
    }
    let out = d.run(&["r.xml", "--format", "ctrf"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let durations: Vec<f64> =
        v["results"]["tests"].as_array().unwrap().iter().map(|t| t["duration"].as_f64().unwrap()).collect();
    assert_eq!(durations, [0.0, 0.0, 1500.0]);
    let out = d.run(&["r.xml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["totals"]["measured"]["duration_s"], 1.5);

    for tiny in ["5e-324", "1e-300"] {
        d.write("data/report.yaml", format!("title: T\nvalue_target: {tiny}\n"));
        d.refused(
            &["data"],
            &[
                "--> data/report.yaml:2:15\n",
                &format!("invalid `value_target` {tiny}: expected 0 (no target) or an amount of at least 0.01 (one cent)"),
            ],
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Data errors are blamed on data.

// Checks that `extra.protects` and `extra.charts`, which the built-in template reads, are
// checked where they are written, not found wrong in the template.
#[test]
fn extra_fields_are_blamed_on_the_manifest() {
    let d = Data::new();
    for (value, found) in [
        ("5", "found the number 5"),
        ("true", "found `true`"),
        ("\"abc\"", "found the text \"abc\": write it as a list, [\"abc\"]"),
    ] {
        d.write("data/categories/a.yaml", format!("{CATEGORY}extra:\n  protects: {value}\n"));
        let out = d.refused(
            &["data"],
            &[&format!("error: invalid `extra.protects` (read by the built-in templates): expected a list of text, {found}\n  --> data/categories/a.yaml:5:13\n")],
        );
        assert!(!out.stderr.contains("built-in):"), "blamed on the template:\n{}", out.stderr);
    }
    d.write("data/categories/a.yaml", format!("{CATEGORY}extra:\n  protects: [payments, logins]\n"));
    assert!(d.report(&[]).contains("**A** protects:\n\n- payments\n- logins\n"));
    for (value, found) in
        [("\"false\"", "the text \"false\""), ("no", "the text \"no\""), ("0", "the number 0")]
    {
        d.write("data/report.yaml", format!("title: T\nextra:\n  charts: {value}\n"));
        d.refused(
            &["data"],
            &[&format!("error: invalid `extra.charts` (read by the built-in templates): expected true or false, found {found}\n  --> data/report.yaml:3:11\n")],
        );
    }
    d.write("data/report.yaml", "title: T\nextra:\n  charts: false\n");
    assert!(!d.report(&[]).contains("```mermaid"));
}

// Checks dates: only `YYYY-MM-DD` exactly, in the data and with `--date`; an empty
// SOURCE_DATE_EPOCH is unset (and `--date` wins over it); a malformed one is an error.
#[test]
fn dates_are_strict_and_empty_source_date_epoch_is_unset() {
    let d = Data::new();
    let env_run = |value: &str, args: &[&str]| {
        let mut cmd = Command::new(support::BIN);
        cmd.args(args).current_dir(d.root()).env("SOURCE_DATE_EPOCH", value);
        run_cmd(cmd)
    };
    let out = env_run("", &["data", "--date", "2026-01-02"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("**Date**: 2026-01-02  \n"));
    let out = env_run("", &["data"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("**Date**"));
    let out = env_run("soon", &["data", "--date", "2026-01-02"]);
    assert_refusal(&out, &["error: SOURCE_DATE_EPOCH=\"soon\": expected whole seconds since 1970-01-01"]);
    for (bad, why) in [
        ("2026-2-3", "expected a date as YYYY-MM-DD"),
        ("+12026-01-01", "expected a date as YYYY-MM-DD"),
        ("2026-02-30", "day 30 does not exist: February 2026 has 28 days"),
        ("2026-13-01", "month 13 does not exist"),
    ] {
        let out = d.run(&["data", "--date", bad]);
        assert_eq!(out.code, 2);
        assert!(
            out.stderr.contains(&format!("for '--date <YYYY-MM-DD>': \"{bad}\": {why}")),
            "{}",
            out.stderr
        );
        d.write("data/report.yaml", format!("title: T\ndate: \"{bad}\"\n"));
        d.refused(&["data"], &["--> data/report.yaml:2:7\n", &format!("invalid `date` \"{bad}\": {why}")]);
    }
}

// ---- Run records (--history) -------------------------------------------------------------
//
// Every case starts from a real record written by gen-report (`--record`) and damages it: the
// Thrift footer is decoded by the small walker below, one value replaced, the footer length
// rewritten. Each run also writes `-o` and a new `--record`: a bad record never costs the report.

/// A JUnit file of `n` passing tests named `t0`...
fn junit_of(n: usize, prefix: &str) -> String {
    let cases: String =
        (0..n).map(|k| format!("<testcase classname=\"c\" name=\"{prefix}{k}\" time=\"0.01\"/>")).collect();
    format!("<testsuites><testsuite name=\"s\" tests=\"{n}\">{cases}</testsuite></testsuites>\n")
}

/// A record of `n` tests written by gen-report, in `hist/1.parquet` of `d`.
fn real_record(d: &Data, n: usize) -> Vec<u8> {
    d.write("junit.xml", junit_of(n, "t"));
    fs::create_dir_all(d.path("hist")).unwrap();
    let out = d.run(&["junit.xml", "--record", "hist/1.parquet", "--run-label", "1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    fs::read(d.path("hist/1.parquet")).unwrap()
}

/// A Thrift compact-protocol value: its span and, for structs and lists, its parts.
#[derive(Debug)]
struct Node {
    start: usize,
    end: usize,
    parts: Vec<(i16, Node)>,
}

fn varint(b: &[u8], at: &mut usize) -> u64 {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let x = b[*at];
        *at += 1;
        v |= u64::from(x & 0x7f) << shift;
        if x & 0x80 == 0 {
            break;
        }
    }
    v
}

fn thrift(b: &[u8], at: &mut usize, kind: u8) -> Node {
    let start = *at;
    let mut parts = Vec::new();
    match kind {
        1 | 2 => {}
        3 => *at += 1,
        4..=6 => {
            varint(b, at);
        }
        7 => *at += 8,
        8 => {
            let n = varint(b, at) as usize;
            *at += n;
        }
        9 | 10 => {
            let h = b[*at];
            *at += 1;
            let n = if h >> 4 == 15 { varint(b, at) as usize } else { usize::from(h >> 4) };
            for k in 0..n {
                let item = if h & 15 <= 2 {
                    *at += 1;
                    Node { start: *at - 1, end: *at, parts: Vec::new() }
                } else {
                    thrift(b, at, h & 15)
                };
                parts.push((k as i16, item));
            }
        }
        12 => {
            let mut last = 0i16;
            loop {
                let h = b[*at];
                *at += 1;
                if h == 0 {
                    break;
                }
                assert_ne!(h >> 4, 0, "long field headers are not written by gen-report");
                last += i16::from(h >> 4);
                parts.push((last, thrift(b, at, h & 15)));
            }
        }
        k => panic!("type {k} in a gen-report footer"),
    }
    Node { start, end: *at, parts }
}

/// The node at `path` (field numbers, list indexes) under `n`.
fn at_path<'a>(n: &'a Node, path: &[i16]) -> &'a Node {
    path.iter().fold(n, |n, id| &n.parts.iter().find(|(k, _)| k == id).unwrap_or_else(|| panic!("no {id}")).1)
}

fn zigzag(v: i64) -> Vec<u8> {
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    let mut out = Vec::new();
    loop {
        let x = (z & 0x7f) as u8;
        z >>= 7;
        if z == 0 {
            out.push(x);
            return out;
        }
        out.push(x | 0x80);
    }
}

/// Footer edits: the path of a value and the bytes that replace it.
type Edits<'a> = &'a [(&'a [i16], Vec<u8>)];

/// `record` with the values at `edits` (paths in its footer) replaced by the given bytes.
fn edit_footer(record: &[u8], edits: Edits<'_>) -> Vec<u8> {
    let len = record.len();
    let size = u32::from_le_bytes(record[len - 8..len - 4].try_into().unwrap()) as usize;
    let start = len - 8 - size;
    let footer = &record[start..len - 8];
    let root = thrift(footer, &mut 0, 12);
    let mut spans: Vec<(usize, usize, &[u8])> = edits
        .iter()
        .map(|(path, with)| {
            let n = at_path(&root, path);
            (n.start, n.end, with.as_slice())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut f = footer.to_vec();
    for (s, e, with) in spans {
        f.splice(s..e, with.iter().copied());
    }
    let mut out = record[..start].to_vec();
    out.extend_from_slice(&f);
    out.extend_from_slice(&(f.len() as u32).to_le_bytes());
    out.extend_from_slice(b"PAR1");
    out
}

/// Runs the next report over `hist/` (holding only the damaged record) with `-o` and `--record`
/// under a 1 GiB address-space limit, and returns its history warnings.
fn report_over_damaged(d: &Data, damaged: &[u8]) -> Vec<String> {
    fs::write(d.path("hist/1.parquet"), damaged).unwrap();
    let _ = fs::remove_file(d.path("report.md"));
    let _ = fs::remove_file(d.path("2.parquet"));
    let out = run_wrapped(
        d,
        "ulimit -v 1048576",
        &["junit.xml", "--history", "hist", "--run-label", "2", "-o", "report.md", "--record", "2.parquet"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(d.path("report.md").is_file() && d.path("2.parquet").is_file(), "an output is missing");
    out.stderr.lines().filter(|l| l.starts_with("warning: history:")).map(str::to_string).collect()
}

// Checks that a record claiming 2^44 or 2^62 rows (in the file, in its row group, or in a
// column) is skipped with the reason, without allocating from the claim and without a panic.
#[test]
fn record_claiming_huge_row_counts() {
    let d = Data::new();
    let good = real_record(&d, 5);
    assert!(report_over_damaged(&d, &good).is_empty());
    for rows in [1i64 << 44, 1 << 62] {
        let cases: [(Edits<'_>, &str); 3] = [
            (
                &[(&[4, 0, 3], zigzag(rows)), (&[3], zigzag(rows))],
                "more than 4194304 rows: larger than any run record",
            ),
            (&[(&[4, 0, 3], zigzag(rows))], "more than 4194304 rows: larger than any run record"),
            (
                &[(&[4, 0, 1, 0, 3, 5], zigzag(rows))],
                &format!("a column of {rows} values in a row group of 5 rows"),
            ),
        ];
        for (edits, reason) in cases {
            let warnings = report_over_damaged(&d, &edit_footer(&good, edits));
            assert_eq!(warnings, [format!("warning: history: `hist/1.parquet`: {reason}")]);
        }
    }
}

// Checks that a record whose schema nests 10,000 groups is refused from its footer, before
// anything is built from it (building it recursively overflowed the stack).
#[test]
fn record_with_deeply_nested_schema() {
    let d = Data::new();
    let good = real_record(&d, 5);
    let n = 10_000usize;
    // list<SchemaElement> of n structs: {4: name "g", 5: num_children 1}, the last a leaf INT64.
    let mut list = vec![0xfc];
    let mut size = n as u64;
    loop {
        let x = (size & 0x7f) as u8;
        size >>= 7;
        if size == 0 {
            list.push(x);
            break;
        }
        list.push(x | 0x80);
    }
    for _ in 0..n - 1 {
        list.extend_from_slice(&[0x48, 0x01, b'g', 0x15, 0x02, 0x00]);
    }
    list.extend_from_slice(&[0x15, 0x04, 0x38, 0x01, b'x', 0x00]);
    let warnings = report_over_damaged(&d, &edit_footer(&good, &[(&[2], list)]));
    assert_eq!(
        warnings,
        ["warning: history: `hist/1.parquet`: a nested schema: a run record is flat (one column per field)"]
    );
}

// Checks that truncated and bit-flipped variants of a real record are each used whole or
// skipped with a reason, under a memory limit, never stopping the report.
#[test]
fn truncated_and_bit_flipped_records() {
    let d = Data::new();
    let good = real_record(&d, 40);
    let len = good.len();
    let mut skipped = 0;
    for k in 0..48 {
        let damaged = match k {
            0..16 => good[..k * len / 16].to_vec(),
            _ => {
                let mut b = good.clone();
                // Spread over the file, denser in the footer, where the counts are.
                let at = if k < 32 { (k - 16) * len / 16 } else { len - 8 - (k - 31) * 37 % (len / 4) };
                b[at] ^= 1 << (k % 8);
                b
            }
        };
        let warnings = report_over_damaged(&d, &damaged);
        assert!(warnings.len() <= 1, "{warnings:?}");
        skipped += warnings.len();
    }
    assert!(skipped >= 16, "{skipped}");
}

// Checks that a record rewritten by pyarrow (snappy, nullable columns, one mixed row group,
// dictionary pages) is read like gen-report's own: trends, still-failing tests and the
// removed test named. Before: skipped as "corrupt" (no snappy codec).
#[test]
fn record_rewritten_by_pyarrow_is_read() {
    let d = Data::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/history/pyarrow");
    fs::create_dir_all(d.path("hist")).unwrap();
    fs::copy(fixture.join("run-7.pyarrow.parquet"), d.path("hist/7.parquet")).unwrap();
    fs::copy(fixture.join("junit-8.xml"), d.path("junit.xml")).unwrap();
    let out = d.run(&["junit.xml", "--history", "hist", "--run-label", "8", "--format", "json"]);
    assert_eq!((out.code, out.stderr.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let h = &v["history"];
    assert_eq!(h["folder"]["skipped"], serde_json::json!([]));
    let labels: Vec<&str> =
        h["runs"].as_array().unwrap().iter().map(|r| r["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["7", "8"]);
    assert_eq!(h["runs"][0]["totals"]["failures"], 4);
    assert_eq!(h["still_failing_total"], 4);
    assert_eq!(h["new_failures_total"], 0);
    assert_eq!(h["changes"]["removed"][0]["name"], "test_1");
    assert_eq!(h["changes"]["removed_total"], 1);
    // The same record gen-report wrote reads to the same history.
    fs::copy(fixture.join("run-7.parquet"), d.path("hist/7.parquet")).unwrap();
    let own = d.run(&["junit.xml", "--history", "hist", "--run-label", "8", "--format", "json"]);
    let w: serde_json::Value = serde_json::from_str(&own.stdout).unwrap();
    let strip = |mut h: serde_json::Value| {
        h["runs"][0]["file"] = serde_json::Value::Null;
        h
    };
    assert_eq!(strip(w["history"].clone()), strip(h.clone()));
    // A codec this build does not read is named, with what it reads.
    fs::copy(fixture.join("run-7.zstd.parquet"), d.path("hist/7.parquet")).unwrap();
    let out = d.run(&["junit.xml", "--history", "hist", "--run-label", "8", "-o", "r.md"]);
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (
            0,
            "warning: history: `hist/7.parquet`: column `id`: compressed with Zstandard, which gen-report does not read (it reads uncompressed, gzip and snappy columns; rewrite with one of them)\n"
        )
    );
}

// Checks what a record of 1 MiB test names costs: in one 64 MiB page it is skipped with the
// page bound named; in 1 MiB pages it is read, and the removed tests are listed (50 at most)
// with names cut to 4 KiB. Before: 4 GB resident, or exit 2 blaming the template.
#[test]
fn record_with_megabyte_names() {
    let d = Data::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/history/big-names");
    fs::create_dir_all(d.path("hist")).unwrap();
    // The next run: 64 other tests, so that every test of the record is removed.
    d.write("junit.xml", junit_of(64, "u"));
    fs::copy(fixture.join("run-1.big-names.parquet"), d.path("hist/1.parquet")).unwrap();
    let warnings = report_over_damaged(&d, &fs::read(d.path("hist/1.parquet")).unwrap());
    assert_eq!(
        warnings,
        [
            "warning: history: `hist/1.parquet`: column `name`: a page of 67109238 bytes inflated (the limit is 16777216)"
        ]
    );
    let paged = fs::read(fixture.join("run-1.paged.parquet")).unwrap();
    assert!(report_over_damaged(&d, &paged).is_empty());
    let md = fs::read_to_string(d.path("report.md")).unwrap();
    assert!(md.len() < 1 << 20, "{} bytes", md.len());
    let x = "x".repeat(4096);
    assert_eq!(md.matches(&format!("{x}…")).count(), 50, "50 names listed, each cut to 4 KiB");
    assert!(!md.contains(&format!("{x}x")));
}

// Checks that a record file name holding CR/LF and a workflow command reaches stderr escaped,
// on one line: it never prints a `::warning::` line of its own.
#[cfg(unix)]
#[test]
fn record_file_name_with_newlines_is_escaped() {
    let d = Data::new();
    let good = real_record(&d, 5);
    fs::remove_file(d.path("hist/1.parquet")).unwrap();
    fs::write(d.path("hist/x\r\n::warning::owned\n.parquet"), &good[..good.len() / 2]).unwrap();
    let out = d.run(&["junit.xml", "--history", "hist", "--run-label", "2", "-o", "report.md"]);
    assert_eq!((out.code, out.stderr.lines().count()), (0, 1), "one line on stderr:\n{}", out.stderr);
    assert!(
        out.stderr.starts_with(
            "warning: history: `hist/x\\r\\n::warning::owned\\n.parquet`: not a readable Parquet file"
        ),
        "{}",
        out.stderr
    );
}

// Checks that the outputs of one run commit together: a record that cannot be written (a
// file-size limit; a 12 KiB tmpfs when run as root) leaves `-o`, the job summary and the
// history folder as they were, with no temp file. Before: `report.md` was already replaced.
#[cfg(unix)]
#[test]
fn failed_record_leaves_every_output_as_it_was() {
    let d = Data::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/history/pyarrow/junit.xml");
    fs::copy(&fixture, d.path("junit.xml")).unwrap();
    d.write("report.md", "old report\n");
    d.write("summary.md", "## earlier step\n");
    // 4 KiB per file: the report (~1.5 KB) fits, the record (~7 KB) does not.
    let out = run_wrapped(
        &d,
        "ulimit -f 4 && trap '' XFSZ",
        &[
            "junit.xml",
            "-o",
            "report.md",
            "--github-summary",
            "--record",
            "hist/1.parquet",
            "--run-label",
            "1",
        ],
        &[("GITHUB_STEP_SUMMARY", Path::new("summary.md"))],
    );
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (2, "", "error: failed to write `hist/1.parquet`: File too large; nothing was written\n")
    );
    assert_eq!(fs::read_to_string(d.path("report.md")).unwrap(), "old report\n");
    assert_eq!(fs::read_to_string(d.path("summary.md")).unwrap(), "## earlier step\n");
    assert_eq!(
        entries(d.root()),
        ["data", "junit.xml", "report.md", "summary.md"],
        "a temp file or hist/ was left"
    );

    // A real full disk, where mounting is allowed (root): the same.
    let tiny = d.path("tiny");
    fs::create_dir(&tiny).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=12k", "tmpfs"])
        .arg(&tiny)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        return;
    }
    fs::copy(&fixture, tiny.join("junit.xml")).unwrap();
    fs::write(tiny.join("report.md"), "old report\n").unwrap();
    let out =
        run_in(&tiny, ["junit.xml", "-o", "report.md", "--record", "hist/1.parquet", "--run-label", "1"]);
    let left = entries(&tiny);
    let _ = Command::new("umount").arg(&tiny).status();
    assert_eq!(
        (out.code, out.stderr.as_str()),
        (2, "error: failed to write `hist/1.parquet`: No space left on device; nothing was written\n")
    );
    assert_eq!(left, ["junit.xml", "report.md"]);
}

// Checks that `--record` onto the job summary file is refused before anything is written,
// with or without --github-summary (onto an input: `output_path_equals_an_input`; a record
// must be named *.parquet). Before: the summary was replaced with Parquet.
#[test]
fn record_onto_the_job_summary_is_refused() {
    let d = Data::new();
    d.write("junit.xml", junit_of(3, "t"));
    d.write("summary.parquet", "## earlier step\n");
    for github_summary in [false, true] {
        let mut cmd = Command::new(support::BIN);
        cmd.args(["junit.xml", "--record", "summary.parquet", "--run-label", "1"])
            .current_dir(d.root())
            .env("GITHUB_STEP_SUMMARY", "summary.parquet");
        if github_summary {
            cmd.arg("--github-summary");
        }
        let out = run_cmd(cmd);
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (
                2,
                "",
                "error: --record `summary.parquet` is the job summary file (GITHUB_STEP_SUMMARY): give the record a path of its own; nothing was written\n"
            )
        );
        assert_eq!(fs::read_to_string(d.path("summary.parquet")).unwrap(), "## earlier step\n");
    }
}

// Checks that a whole number beyond 64 bits in `--data` (YAML or JSON) is refused with file,
// line and column rather than read as a float with invented digits, and that `mean` divides
// the exact sum. Before: 123456789012345677877719597056 printed; mean 0.19999999999999998.
#[test]
fn data_numbers_beyond_64_bits_and_exact_mean() {
    let d = Data::new();
    d.write("t.md", "{{ data.a | mean }} {{ data.a | sum }} {{ data.b | mean }}\n");
    d.write("ok.yaml", "a: [0.1, 0.2, 0.3]\nb: [1, 1, 2]\n");
    let out = d.run(&["--data", "ok.yaml", "--template", "t.md"]);
    assert_eq!((out.code, out.stdout.as_str()), (0, "0.2 0.6 1.3333333333333333\n"), "{}", out.stderr);
    let digits = "123456789012345678901234567890";
    for (file, text, at) in [
        ("big.yaml", format!("a: [1]\nb: {digits}\n"), "--> big.yaml:2:4"),
        ("big.json", format!("{{\"a\": [1], \"b\": -{digits}}}\n"), "--> big.json:1:17"),
        ("u65.yaml", "a: [1]\nb: 99999999999999999999\n".to_string(), "--> u65.yaml:2:4"),
    ] {
        d.write(file, &text);
        let out = d.run(&["--data", file, "--template", "t.md"]);
        assert_refusal(&out, &[at, "is beyond 64 bits: it would be read as an approximation"]);
    }
}

// Checks that `--schema` refuses a schema above 1 MiB unread and a pattern above 4 KiB before
// compiling, quoting only a prefix. Before: a 5 MB pattern took 1.5 GB and was echoed whole.
#[test]
fn schema_with_huge_patterns() {
    let d = Data::new();
    d.write("d.yaml", "name: x\n");
    d.write("t.md", "{{ data.name }}\n");
    let big = "a".repeat(5 << 20);
    d.write("huge.json", format!("{{\"properties\": {{\"name\": {{\"pattern\": \"{big}\"}}}}}}\n"));
    let out = d.run(&["--data", "d.yaml", "--schema", "huge.json", "--template", "t.md"]);
    assert_refusal(&out, &["huge.json", "a schema of 5242922 bytes: expected at most 1048576 (1 MiB)"]);
    assert!(out.stderr.len() < 1000, "{} bytes on stderr", out.stderr.len());
    let long = "b".repeat(10_000);
    d.write(
        "long.yaml",
        // An explicit key (`? `): YAML's implicit keys stop at 1,024 characters.
        format!(
            "properties:\n  name:\n    pattern: \"{long}\"\npatternProperties:\n  ? \"{long}\"\n  : {{}}\n"
        ),
    );
    let out = d.run(&["--data", "d.yaml", "--schema", "long.yaml", "--template", "t.md"]);
    let quoted = format!("a pattern of 10000 bytes (`{}…`): expected at most 4096", "b".repeat(40));
    assert_refusal(&out, &["--> long.yaml:3:14", "--> long.yaml:5:5", &quoted]);
    assert!(out.stderr.len() < 2000, "{} bytes on stderr", out.stderr.len());
}

// Checks that links in a `--data` folder that cannot be read as data files are each named in
// a warning (to /dev/zero, a loop, a folder, nowhere), and the rest is read. Before: dropped
// without a word.
#[cfg(unix)]
#[test]
fn data_folder_links_are_named() {
    let d = Data::new();
    d.write("facts/a.yaml", "n: 1\n");
    d.write("elsewhere/b.yaml", "n: 2\n");
    d.write("t.md", "{{ data.a.n }}\n");
    symlink("/dev/zero", &d.path("facts/zero.yaml"));
    symlink("loop.yaml", &d.path("facts/loop.yaml"));
    symlink("../elsewhere", &d.path("facts/sub"));
    symlink("missing.yaml", &d.path("facts/gone.yaml"));
    let out = d.run(&["--data", "facts", "--template", "t.md"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "1\n");
    for (file, why) in [
        ("gone.yaml", "a symlink to `missing.yaml`, which cannot be read ("),
        ("loop.yaml", "a symlink loop (through `loop.yaml`): not read"),
        ("sub", "a symlink to the folder `../elsewhere`: not followed"),
        ("zero.yaml", "a symlink to `/dev/zero`, not a regular file (a device, FIFO or socket): not read"),
    ] {
        let line = out
            .stderr
            .lines()
            .find(|l| l.contains(why))
            .unwrap_or_else(|| panic!("no {why:?}:\n{}", out.stderr));
        assert!(out.stderr.contains(&format!("--> facts/{file}")), "{file}:\n{}", out.stderr);
        assert!(line.starts_with("warning: "), "{line}");
    }
}

// Checks that `--path-prefix` is normalised before use: `backend/../frontend` is `frontend`,
// and `../../etc` (above the repository) drops the annotation's file rather than pointing
// outside. Before: `file=../../etc/tests/test_x.py`.
#[test]
fn path_prefix_outside_the_repository() {
    let d = Data::new();
    d.write(
        "j.xml",
        "<testsuites><testsuite name=\"s\" tests=\"1\"><testcase classname=\"c\" name=\"t\" file=\"tests/test_x.py\" line=\"3\"><failure message=\"boom\">x</failure></testcase></testsuite></testsuites>\n",
    );
    let file_of = |prefix: &str| {
        let out = d.run(&["j.xml", "--annotations", "github", "--path-prefix", prefix, "-o", "r.md"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let line = out.stderr.lines().find(|l| l.starts_with("::error")).unwrap_or_default().to_string();
        line.split_once("file=").map(|(_, rest)| rest.split(',').next().unwrap_or_default().to_string())
    };
    assert_eq!(file_of("backend").as_deref(), Some("backend/tests/test_x.py"));
    assert_eq!(file_of("backend/../frontend").as_deref(), Some("frontend/tests/test_x.py"));
    for outside in ["../../etc", "a/../../b"] {
        assert_eq!(file_of(outside), None, "{outside}");
    }
}

// Checks that the job summary is checked against `--data` files too (a data file is an input).
#[test]
fn job_summary_onto_a_data_file_is_refused() {
    let d = Data::new();
    d.write("d.yaml", "n: 1\n");
    d.write("t.md", "{{ data.n }}\n");
    let mut cmd = Command::new(support::BIN);
    cmd.args(["--data", "d.yaml", "--template", "t.md", "--github-summary"])
        .current_dir(d.root())
        .env("GITHUB_STEP_SUMMARY", "d.yaml");
    let out = run_cmd(cmd);
    assert_refusal(
        &out,
        &["GITHUB_STEP_SUMMARY names `d.yaml`, an input: refusing to append the report to it"],
    );
    assert_eq!(fs::read_to_string(d.path("d.yaml")).unwrap(), "n: 1\n");
}
