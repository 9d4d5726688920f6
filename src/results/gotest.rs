//! `go test -json` / gotestsum `--jsonfile` reader (test2json events, one JSON object a line).
//!
//! - Suites are packages: `suite` and `classname` are the import path, `suite_index` is the
//!   package's ordinal in the file (by first appearance, so a rerun of a package is the same
//!   suite). Tests and subtests (`TestA/sub`) are all cases, as gotestsum counts them.
//! - `pass`/`fail`/`skip` of a test give its outcome; `Elapsed` its duration. Its `output`
//!   lines (less the `=== RUN`/`--- PASS` framing) are its message: the first and last lines
//!   are kept when it is long (a panic's first line and the end of its stack). The first
//!   `file_test.go:NN:` line gives `file` and `line`. A skip keeps its `t.Skip` reason.
//! - A test that started and has no result when its package ends (a panic, `os.Exit`, a
//!   timeout) is an errored case; so is every test still running when the file ends.
//! - A package that fails with no failing test of its own (a build failure — the plain-text
//!   `FAIL pkg [build failed]` line of Go < 1.24 or a `FailedBuild` package event — a setup
//!   failure, `TestMain` exiting non-zero, a panic outside tests) is one errored case named after
//!   the package, with the build output or the package's output as message.
//! - A test that reports again in a later run of its package (gotestsum `--rerun-fails`)
//!   is a rerun: the attempts merge last-run-wins (passed last after failing = flaky). To allow
//!   this, failed results are held until the end of the file; passed and skipped ones stream.
//! - Lines that are not JSON are the go command's own output (build failures, compiler messages
//!   when stderr was merged) and are read as such; a line that starts with `{` must be a
//!   test2json event (else a syntax error with its line). Unknown actions are ignored.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::message::MessageBuf;
use super::{CaseSink, Outcome, ResultsError, TestCase, rerun};

#[derive(Debug, Deserialize)]
struct Event<'a> {
    #[serde(rename = "Action", borrow)]
    action: Cow<'a, str>,
    #[serde(rename = "Package", borrow, default)]
    package: Option<Cow<'a, str>>,
    #[serde(rename = "Test", borrow, default)]
    test: Option<Cow<'a, str>>,
    #[serde(rename = "Output", borrow, default)]
    output: Option<Cow<'a, str>>,
    #[serde(rename = "Elapsed", default)]
    elapsed: Option<f64>,
    #[serde(rename = "ImportPath", borrow, default)]
    import_path: Option<Cow<'a, str>>,
    #[serde(rename = "FailedBuild", borrow, default)]
    failed_build: Option<Cow<'a, str>>,
}

/// Bytes of a test's output kept from its start and from its end.
const HEAD_KEEP: usize = 1024;
const TAIL_KEEP: usize = 2800;

/// Output lines of one test or package: the first lines, and a window of the last ones.
#[derive(Debug, Default)]
struct OutBuf {
    head: String,
    tail: VecDeque<String>,
    tail_len: usize,
    dropped: bool,
    /// A line not finished yet (test2json may split long lines across events).
    partial: String,
}

impl OutBuf {
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "offsets and lengths of in-memory text, bounded by TAIL_KEEP/HEAD_KEEP"
    )]
    fn push(&mut self, chunk: &str, indent: usize) {
        let mut rest = chunk;
        while let Some(i) = rest.find('\n') {
            let piece = &rest[..i];
            if self.partial.is_empty() {
                self.line(piece, indent);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.push_str(piece);
                self.line(&line, indent);
            }
            rest = &rest[i + 1..];
        }
        if !rest.is_empty() {
            if self.partial.len() + rest.len() > TAIL_KEEP {
                let line = std::mem::take(&mut self.partial) + rest;
                self.line(&line, indent);
            } else {
                self.partial.push_str(rest);
            }
        }
    }

    #[allow(
        clippy::arithmetic_side_effects,
        reason = "lengths of in-memory text kept below TAIL_KEEP/HEAD_KEEP; a trimmed suffix is never longer than its line"
    )]
    fn line(&mut self, line: &str, indent: usize) {
        let trimmed = line.trim_start_matches(' ');
        if is_framing(trimmed) {
            return;
        }
        // Strip the indentation go adds per subtest level, keep any beyond it.
        let lead = line.len() - trimmed.len();
        let line = &line[lead.min(indent)..];
        let line = cut(line, TAIL_KEEP);
        if self.tail.is_empty() && self.head.len() + line.len() < HEAD_KEEP {
            self.head.push_str(line);
            self.head.push('\n');
            return;
        }
        self.tail_len = self.tail_len.saturating_add(line.len() + 1);
        self.tail.push_back(line.to_owned());
        while self.tail_len > TAIL_KEEP && self.tail.len() > 1 {
            if let Some(old) = self.tail.pop_front() {
                self.tail_len = self.tail_len.saturating_sub(old.len() + 1);
                self.dropped = true;
            }
        }
    }

    fn finish(&mut self, indent: usize) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.line(&line, indent);
        }
    }

    fn is_empty(&self) -> bool {
        self.head.is_empty() && self.tail.is_empty() && self.partial.is_empty()
    }

    /// Every kept line, in order.
    fn lines(&self) -> impl Iterator<Item = &str> {
        self.head.lines().chain(self.dropped.then_some("…")).chain(self.tail.iter().map(String::as_str))
    }

    fn write_to(&self, msg: &mut MessageBuf, strip_location: bool) {
        for line in self.lines() {
            let line = if strip_location { strip_go_location(line) } else { line };
            msg.push(line);
            msg.push("\n");
        }
    }
}

/// test2json framing lines that carry no information beyond the events.
fn is_framing(line: &str) -> bool {
    ["=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS:", "--- FAIL:", "--- SKIP:", "--- BENCH:"]
        .iter()
        .any(|p| line.starts_with(p))
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    &s[..end]
}

/// `x_test.go:12: text` → ("x_test.go", 12), for `t.Log`/`t.Error` lines.
#[allow(clippy::arithmetic_side_effects, reason = "offsets of matches inside `line`: bounded by its length")]
fn go_location(line: &str) -> Option<(&str, u32)> {
    let line = line.trim_start();
    let (file, rest) = line.split_once(".go:")?;
    if file.is_empty() || file.contains(char::is_whitespace) {
        return None;
    }
    let (num, after) = rest.split_once(':')?;
    if !after.is_empty() && !after.starts_with(' ') {
        return None;
    }
    let n = num.parse().ok()?;
    Some((&line[..file.len() + 3], n))
}

/// `x_test.go:58: reason` → `reason`.
#[allow(clippy::arithmetic_side_effects, reason = "offsets of matches inside `line`: bounded by its length")]
fn strip_go_location(line: &str) -> &str {
    let t = line.trim_start();
    match go_location(t) {
        Some((file, _)) => {
            let rest = &t[file.len() + 1..];
            rest.split_once(':').map_or(rest, |(_, r)| r).trim_start()
        }
        None => line,
    }
}

/// A test that started and has no result yet.
#[derive(Debug, Default)]
struct Running {
    out: OutBuf,
    /// Names of subtests that failed (the first few), for a parent with no output of its own.
    failed_subtests: Vec<String>,
}

#[derive(Debug, Default)]
struct Package {
    index: u32,
    /// Runs of this package finished so far; results after a finished run are reruns.
    run: u32,
    running: HashMap<String, Running>,
    /// Start order of `running` (for a deterministic order of errored cases).
    order: Vec<String>,
    out: OutBuf,
    /// Failed or errored results in the current run.
    failures_this_run: u64,
    /// Results in the current run.
    results_this_run: u64,
    /// Events seen since the last end of a run of this package.
    open: bool,
    line: u64,
}

/// Failed attempts of one test, held until the end of the file for reruns to merge into.
struct Held {
    /// Package run of the latest attempt.
    run: u32,
    attempts: Vec<TestCase>,
}

struct State<'s> {
    sink: &'s mut dyn CaseSink,
    packages: HashMap<String, Package>,
    /// Package names in first-seen order.
    package_order: Vec<String>,
    held: Vec<Held>,
    held_index: HashMap<(String, String), usize>,
    /// Build output by import path (`build-output` events, or `# pkg` blocks of merged stderr).
    build_output: HashMap<String, OutBuf>,
    /// The `# pkg` block that plain-text lines are being added to.
    plain_block: Option<String>,
    msg: MessageBuf,
    cases: u64,
}

/// Reads go test JSON from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(src: R, path: &Path, sink: &mut dyn CaseSink) -> Result<u64, ResultsError> {
    let mut state = State {
        sink,
        packages: HashMap::new(),
        package_order: Vec::new(),
        held: Vec::new(),
        held_index: HashMap::new(),
        build_output: HashMap::new(),
        plain_block: None,
        msg: MessageBuf::default(),
        cases: 0,
    };
    let mut lines = super::json::Lines::new(src);
    while let Some((line_no, text)) = lines.next_line(path)? {
        let lead = text.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let body = &text[lead..];
        if body.is_empty() {
            continue;
        }
        if body.first() != Some(&b'{') {
            state.plain_line(&String::from_utf8_lossy(body), line_no);
            continue;
        }
        let event: Event<'_> = serde_json::from_slice(body).map_err(|e| {
            let column = (e.column() as u64).saturating_add(lead as u64);
            let message = match super::json::json_error(path, e) {
                ResultsError::Syntax { message, .. } => message,
                other => other.to_string(),
            };
            ResultsError::Syntax {
                path: path.to_path_buf(),
                line: line_no,
                column: column.max(1),
                message: format!("not a test2json event: {message}"),
            }
        })?;
        state.plain_block = None;
        state.event(event, line_no);
    }
    state.finish();
    Ok(state.cases)
}

impl State<'_> {
    fn package(&mut self, name: &str, line: u64) -> &mut Package {
        if !self.packages.contains_key(name) {
            let index = u32::try_from(self.package_order.len()).unwrap_or(u32::MAX);
            self.package_order.push(name.to_owned());
            self.packages.insert(name.to_owned(), Package { index, line, ..Package::default() });
        }
        // Just inserted when missing.
        self.packages.entry(name.to_owned()).or_default()
    }

    fn plain_line(&mut self, text: &str, line: u64) {
        let text = text.trim_end();
        if let Some(header) = text.strip_prefix("# ") {
            // `# example.com/pkg [example.com/pkg.test]`: compiler output for that package follows.
            self.plain_block = Some(header.to_owned());
            self.build_output.entry(header.to_owned()).or_default();
            return;
        }
        if let Some(rest) = text.strip_prefix("FAIL\t").or_else(|| text.strip_prefix("FAIL "))
            && let Some((pkg, why)) = rest.split_once(" [")
            && let Some(why) = why.strip_suffix(']')
            && why.ends_with(" failed")
        {
            let pkg = pkg.trim().to_owned();
            self.plain_block = None;
            self.msg.clear();
            self.msg.push(&format!("{why}: the package's tests never ran"));
            self.msg.separate();
            self.push_build_output(&pkg);
            let index = self.package(&pkg, line).index;
            self.emit_error(&pkg, index, &pkg);
            return;
        }
        if let Some(block) = &self.plain_block
            && let Some(out) = self.build_output.get_mut(block)
        {
            out.push(text, 0);
            out.push("\n", 0);
        }
    }

    /// Appends the build output recorded for `pkg` (keyed `pkg` or `pkg [pkg.test]`).
    fn push_build_output(&mut self, pkg: &str) {
        let mut keys: Vec<&String> = self
            .build_output
            .keys()
            .filter(|k| k.as_str() == pkg || k.strip_prefix(pkg).is_some_and(|r| r.starts_with(" [")))
            .collect();
        keys.sort();
        for k in keys {
            if let Some(out) = self.build_output.get(k) {
                out.write_to(&mut self.msg, false);
            }
        }
    }

    fn event(&mut self, ev: Event<'_>, line: u64) {
        let action = ev.action.as_ref();
        if matches!(action, "build-output") {
            if let (Some(ip), Some(out)) = (&ev.import_path, &ev.output) {
                self.build_output.entry(ip.to_string()).or_default().push(out, 0);
            }
            return;
        }
        let Some(pkg) = ev.package.as_deref() else { return };
        let pkg_name = pkg.to_owned();
        self.package(&pkg_name, line).open = true;
        match (action, ev.test.as_deref()) {
            ("run", Some(test)) => {
                let p = self.package(&pkg_name, line);
                if p.running.insert(test.to_owned(), Running::default()).is_none() {
                    p.order.push(test.to_owned());
                }
            }
            ("output", Some(test)) => {
                let indent = subtest_indent(test);
                let p = self.package(&pkg_name, line);
                if let (Some(r), Some(out)) = (p.running.get_mut(test), ev.output.as_deref()) {
                    r.out.push(out, indent);
                } else if let Some(out) = ev.output.as_deref() {
                    p.out.push(out, 0);
                }
            }
            ("output", None) => {
                if let Some(out) = ev.output.as_deref() {
                    self.package(&pkg_name, line).out.push(out, 0);
                }
            }
            ("pass" | "fail" | "skip", Some(test)) => {
                let outcome = match action {
                    "pass" => Outcome::Passed,
                    "fail" => Outcome::Failed,
                    _ => Outcome::Skipped,
                };
                self.result(&pkg_name, test, outcome, ev.elapsed, line);
            }
            ("pass" | "fail" | "skip", None) => {
                self.package_end(&pkg_name, action == "fail", ev.failed_build.as_deref(), line);
            }
            ("start", None) => {
                self.package(&pkg_name, line);
            }
            // pause, cont, bench, attr and actions added after this reader: no result.
            _ => {}
        }
    }

    fn result(&mut self, pkg: &str, test: &str, outcome: Outcome, elapsed: Option<f64>, line: u64) {
        let p = self.package(pkg, line);
        let mut running = p.running.remove(test).unwrap_or_default();
        if let Some(i) = p.order.iter().position(|t| t == test) {
            p.order.remove(i);
        }
        p.results_this_run = p.results_this_run.saturating_add(1);
        let failing = outcome == Outcome::Failed;
        if failing {
            p.failures_this_run = p.failures_this_run.saturating_add(1);
            // Tell the parent (when it still runs), so a parent failing only through its subtests says why.
            if let Some((parent, _)) = test.rsplit_once('/')
                && let Some(r) = p.running.get_mut(parent)
                && r.failed_subtests.len() < 5
            {
                r.failed_subtests.push(test.to_owned());
            }
        }
        let (index, run) = (p.index, p.run);
        running.out.finish(subtest_indent(test));
        let (file, line_no) = running
            .out
            .lines()
            .find_map(go_location)
            .map_or((None, None), |(f, l)| (Some(f.to_owned()), Some(l)));
        self.msg.clear();
        match outcome {
            Outcome::Passed => {}
            Outcome::Skipped => running.out.write_to(&mut self.msg, true),
            _ => {
                running.out.write_to(&mut self.msg, false);
                if self.msg.is_empty() && !running.failed_subtests.is_empty() {
                    self.msg.push(&format!("failed subtests: {}", running.failed_subtests.join(", ")));
                }
            }
        }
        let case = TestCase {
            suite: pkg.to_owned(),
            suite_index: index,
            name: test.to_owned(),
            classname: Some(pkg.to_owned()),
            file,
            line: line_no,
            outcome,
            flaky: false,
            duration_s: elapsed.filter(|e| e.is_finite() && *e > 0.0).unwrap_or(0.0),
            runs: 1,
            failed_runs: u32::from(failing),
            message: self.msg.take(),
        };
        self.deliver(pkg, test, run, case);
    }

    /// Emits a case, or holds it when it failed or reruns an earlier held failure.
    fn deliver(&mut self, pkg: &str, test: &str, run: u32, mut case: TestCase) {
        let key = (pkg.to_owned(), test.to_owned());
        if let Some(&i) = self.held_index.get(&key)
            && let Some(h) = self.held.get_mut(i)
            && h.run < run
        {
            h.run = run;
            // One test: where it logs (the file) may differ between attempts, its identity may not.
            if let Some(first) = h.attempts.first() {
                case.file.clone_from(&first.file);
            }
            h.attempts.push(case);
            return;
        }
        if matches!(case.outcome, Outcome::Failed | Outcome::Error) {
            self.held_index.insert(key, self.held.len());
            self.held.push(Held { run, attempts: vec![case] });
            return;
        }
        self.emit(case);
    }

    fn emit(&mut self, case: TestCase) {
        self.cases = self.cases.saturating_add(1);
        self.sink.case(case);
    }

    /// An errored case for `name` of package `pkg`, with the message in `self.msg`.
    fn emit_error(&mut self, pkg: &str, index: u32, name: &str) {
        let case = TestCase {
            classname: Some(pkg.to_owned()),
            ..TestCase::errored(pkg.to_owned(), index, name.to_owned(), self.msg.take())
        };
        let run = self.packages.get(pkg).map_or(0, |p| p.run);
        self.deliver(pkg, name, run, case);
    }

    /// The package's run ended.
    fn package_end(&mut self, pkg: &str, failed: bool, failed_build: Option<&str>, line: u64) {
        self.close_run(pkg, true, failed, failed_build, line);
    }

    /// Closes the current run of `pkg`: it `ended` with an event, or the file ended while it ran.
    fn close_run(&mut self, pkg: &str, ended: bool, failed: bool, failed_build: Option<&str>, line: u64) {
        let p = self.package(pkg, line);
        let index = p.index;
        let order = std::mem::take(&mut p.order);
        let mut running = std::mem::take(&mut p.running);
        let mut package_out = std::mem::take(&mut p.out);
        let had_results = p.results_this_run > 0;
        let mut failures = p.failures_this_run;
        package_out.finish(0);
        let why = if ended {
            "the test binary stopped while this test was running (a panic, os.Exit, a timeout or a crash)"
        } else {
            "the file ends while this test was running (the run was killed, or the file is truncated)"
        };
        for test in order {
            let Some(mut r) = running.remove(&test) else { continue };
            r.out.finish(subtest_indent(&test));
            self.msg.clear();
            self.msg.push(&format!("started but never reported a result: {why}"));
            self.msg.separate();
            r.out.write_to(&mut self.msg, false);
            if r.out.is_empty() {
                package_out.write_to(&mut self.msg, false);
            }
            failures = failures.saturating_add(1);
            self.emit_error(pkg, index, &test);
        }
        let stand_in = if !ended {
            (failures == 0).then_some(if had_results {
                "the file ends before the package reported its result: tests after the last one reported \
                 may be missing (the run was killed, or the file is truncated)"
            } else {
                "the file ends before the package reported a result (the run was killed, or the file is \
                 truncated)"
            })
        } else if failed && failures == 0 {
            Some(if failed_build.is_some() {
                "build failed: the package's tests never ran"
            } else {
                "the package failed without a failing test (TestMain, init or a panic outside a test; see \
                 its output)"
            })
        } else {
            None
        };
        if let Some(what) = stand_in {
            self.msg.clear();
            self.msg.push(what);
            self.msg.separate();
            if let Some(fb) = failed_build {
                match self.build_output.get(fb) {
                    Some(out) => out.write_to(&mut self.msg, false),
                    None => self.push_build_output(pkg),
                }
            } else {
                package_out.write_to(&mut self.msg, false);
            }
            self.emit_error(pkg, index, pkg);
        }
        if let Some(p) = self.packages.get_mut(pkg) {
            p.run = p.run.saturating_add(1);
            p.failures_this_run = 0;
            p.results_this_run = 0;
            p.open = false;
        }
    }

    fn finish(&mut self) {
        // Packages still running when the file ends: killed, or the file is truncated.
        let open: Vec<String> = self
            .package_order
            .iter()
            .filter(|name| self.packages.get(name.as_str()).is_some_and(|p| p.open))
            .cloned()
            .collect();
        for name in open {
            let line = self.packages.get(&name).map_or(0, |p| p.line);
            self.close_run(&name, false, false, None, line);
        }
        for h in std::mem::take(&mut self.held) {
            for case in rerun::merge_reruns(h.attempts) {
                self.emit(case);
            }
        }
    }
}

/// Spaces go puts before a test's log lines: four per level (`TestA/sub` logs at 8).
fn subtest_indent(test: &str) -> usize {
    test.matches('/').count().saturating_add(1).saturating_mul(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CollectSink, Counts};

    fn run(text: &str) -> Result<CollectSink, ResultsError> {
        let mut sink = CollectSink::default();
        let n = read(text.as_bytes(), Path::new("go.json"), &mut sink)?;
        assert_eq!(n as usize, sink.cases.len());
        Ok(sink)
    }

    fn ev(action: &str, test: Option<&str>, output: Option<&str>) -> String {
        let mut v = serde_json::json!({"Action": action, "Package": "example.com/p"});
        if let Some(t) = test {
            v["Test"] = t.into();
        }
        if let Some(o) = output {
            v["Output"] = o.into();
        }
        format!("{v}\n")
    }

    #[test]
    fn subtests_messages_and_locations() {
        let text = [
            ev("run", Some("TestA"), None),
            ev("output", Some("TestA"), Some("=== RUN   TestA\n")),
            ev("run", Some("TestA/neg"), None),
            ev("output", Some("TestA/neg"), Some("    a_test.go:35: Abs(-4) = -4, want 4\n")),
            ev("output", Some("TestA/neg"), Some("            second line\n")),
            ev("output", Some("TestA"), Some("--- FAIL: TestA (0.02s)\n")),
            ev("fail", Some("TestA/neg"), None),
            ev("fail", Some("TestA"), None),
            ev("run", Some("TestS"), None),
            ev("output", Some("TestS"), Some("    s_test.go:58: docker not available\n")),
            ev("skip", Some("TestS"), None),
            ev("fail", None, None),
        ]
        .concat();
        let sink = run(&text).unwrap();
        let got: Vec<(&str, Outcome, Option<&str>)> =
            sink.cases.iter().map(|c| (c.name.as_str(), c.outcome, c.message.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("TestS", Outcome::Skipped, Some("docker not available")),
                ("TestA/neg", Outcome::Failed, Some("a_test.go:35: Abs(-4) = -4, want 4\n    second line")),
                ("TestA", Outcome::Failed, Some("failed subtests: TestA/neg")),
            ]
        );
        assert_eq!(sink.cases[1].file.as_deref(), Some("a_test.go"));
        assert_eq!(sink.cases[1].line, Some(35));
        assert_eq!(sink.cases[1].suite, "example.com/p");
        assert!(sink.findings.is_empty());
    }

    #[test]
    fn panics_and_build_failures_are_errors() {
        let text = [
            "FAIL\texample.com/broken [build failed]\n".to_owned(),
            ev("run", Some("TestOk"), None),
            ev("pass", Some("TestOk"), None),
            ev("run", Some("TestHang"), None),
            ev("output", None, Some("panic: test timed out after 1s\n")),
            ev("fail", None, None),
            ev("run", Some("TestCut"), None),
        ]
        .concat();
        let sink = run(&text).unwrap();
        let got: Vec<(&str, &str, Outcome)> =
            sink.cases.iter().map(|c| (c.suite.as_str(), c.name.as_str(), c.outcome)).collect();
        assert_eq!(
            got,
            [
                ("example.com/p", "TestOk", Outcome::Passed),
                ("example.com/broken", "example.com/broken", Outcome::Error),
                ("example.com/p", "TestHang", Outcome::Error),
                ("example.com/p", "TestCut", Outcome::Error),
            ]
        );
        assert_eq!(sink.cases[1].message.as_deref(), Some("build failed: the package's tests never ran"));
        let hang = sink.cases[2].message.as_deref().unwrap();
        assert!(hang.starts_with("started but never reported a result: the test binary stopped"), "{hang}");
        assert!(hang.ends_with("panic: test timed out after 1s"), "{hang}");
        assert!(sink.cases[3].message.as_deref().unwrap().contains("the file ends"));
    }

    #[test]
    fn package_failure_without_failing_test_is_an_error() {
        let text = [
            ev("run", Some("TestOk"), None),
            ev("pass", Some("TestOk"), None),
            ev("output", None, Some("TestMain: exit 3\n")),
            ev("fail", None, None),
        ]
        .concat();
        let sink = run(&text).unwrap();
        let c = Counts::of(&sink.cases);
        assert_eq!((c.tests, c.passed, c.errors), (2, 1, 1));
        assert_eq!(sink.cases[1].name, "example.com/p");
        assert!(sink.cases[1].message.as_deref().unwrap().ends_with("TestMain: exit 3"));
    }

    #[test]
    fn reruns_in_later_package_runs_merge() {
        let text = [
            ev("run", Some("TestFlaky"), None),
            ev("fail", Some("TestFlaky"), None),
            ev("run", Some("TestBad"), None),
            ev("fail", Some("TestBad"), None),
            ev("fail", None, None),
            ev("run", Some("TestFlaky"), None),
            ev("pass", Some("TestFlaky"), None),
            ev("pass", None, None),
            ev("run", Some("TestBad"), None),
            ev("fail", Some("TestBad"), None),
            ev("fail", None, None),
        ]
        .concat();
        let sink = run(&text).unwrap();
        let got: Vec<(&str, Outcome, bool, u32, u32)> =
            sink.cases.iter().map(|c| (c.name.as_str(), c.outcome, c.flaky, c.runs, c.failed_runs)).collect();
        assert_eq!(
            got,
            [("TestFlaky", Outcome::Passed, true, 2, 1), ("TestBad", Outcome::Failed, false, 2, 2)]
        );
    }

    #[test]
    fn count_n_in_one_run_is_not_merged() {
        let text = [
            ev("run", Some("TestX"), None),
            ev("fail", Some("TestX"), None),
            ev("run", Some("TestX"), None),
            ev("pass", Some("TestX"), None),
            ev("fail", None, None),
        ]
        .concat();
        let c = Counts::of(&run(&text).unwrap().cases);
        assert_eq!((c.tests, c.passed, c.failures, c.flaky), (2, 1, 1, 0));
    }

    #[test]
    fn bad_json_line_is_a_syntax_error() {
        let text = format!("{}{{\"Action\":\"run\",\"Pack", ev("run", Some("TestX"), None));
        match run(&text) {
            Err(ResultsError::Syntax { line, column, message, .. }) => {
                assert_eq!((line, column), (2, 21));
                assert!(message.starts_with("not a test2json event: EOF"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(run("{\"Package\":\"p\"}\n"), Err(ResultsError::Syntax { line: 1, .. })));
    }

    #[test]
    fn long_output_keeps_head_and_tail() {
        let mut text = ev("run", Some("TestP"), None);
        text.push_str(&ev("output", Some("TestP"), Some("panic: boom\n")));
        for i in 0..2000 {
            text.push_str(&ev("output", Some("TestP"), Some(&format!("\tframe {i}\n"))));
        }
        text.push_str(&ev("fail", Some("TestP"), None));
        let sink = run(&text).unwrap();
        let m = sink.cases[0].message.as_deref().unwrap();
        assert!(m.starts_with("panic: boom\n"), "{m}");
        assert!(m.contains("\n…\n"));
        assert!(m.ends_with("frame 1999") || m.ends_with(crate::results::TRUNCATION_MARKER), "{m}");
        assert!(m.len() <= crate::results::MESSAGE_LIMIT);
    }
}
