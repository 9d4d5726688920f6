//! TAP reader (Test Anything Protocol 12, 13 and 14: Perl's Test::More read by prove,
//! `node --test --test-reporter=tap`, node-tap, and any producer of plain TAP), line by line.
//!
//! # Counting
//! Each test point (`ok`/`not ok`) is a case, except as subtests require — and there the
//! producers that write each TAP version count differently, so gen-report follows the version
//! line, to give the figures the runner itself prints:
//! - **TAP 12** (no `TAP version` line: Perl's Test::More, as prove reads it): only top-level
//!   points are tests; a subtest's points are summarised by its parent point (whose message
//!   names the failed subtests).
//! - **TAP 13** (`node --test`): every point is a test, parents of subtests included, except
//!   the points whose YAML says `type: 'suite'` (`describe` blocks).
//! - **TAP 14** (node-tap): the innermost points are the tests; a point that closes a subtest
//!   only summarises it (TAP 14 §Subtests) — unless it failed while none of its subtest's cases
//!   did (a crash after the last assertion), then it is a failed case of its own.
//!
//! # Outcomes
//! - `ok` → passed, `not ok` → failed; `# SKIP` → skipped with its reason;
//! - `not ok … # TODO` → skipped (an expected failure is not a failure); `ok … # TODO` → passed
//!   in TAP 12 (prove: "unexpectedly succeeded", counted ok), skipped in TAP 13/14 (node --test
//!   and node-tap count every todo test as todo, never as a pass);
//! - the message: a YAML diagnostic block (`---` … `...`) or, for Perl, the `#` diagnostic lines
//!   that follow a failed point; `duration_ms`, `location`/`at` (file and line) and `# time=`
//!   are read from them.
//!
//! # A run that did not finish
//! - `Bail out!` aborts the run: an errored case `[run aborted: Bail out!]` with the reason, and
//!   the planned tests that never ran as one errored stand-in; the rest of the file is not read.
//! - a plan that does not match the points is a finding; when fewer points ran than planned,
//!   one errored stand-in case counts the tests that never ran (the script died);
//! - a top-level stream without any plan is one errored stand-in (prove: "No plan found"); its
//!   message holds the last comment and non-TAP lines (a die message, "Looks like your test
//!   exited with 255").
//!
//! Declared totals are only compared: node --test's closing `# tests N`/`# pass N`/… comments
//! and node-tap's `# { total: N, pass: N, … }` line.
//!
//! # Errors
//! A second plan at one level, a malformed plan (`1..x`) and a YAML block the file ends in are
//! syntax errors with line and column. Lines that are not TAP (a script's stray output) are
//! ignored, as the TAP specification allows, and reported in one finding. A file cut at a line
//! boundary reads as a run that stopped early (see above).

use std::collections::VecDeque;
use std::io::BufRead;
use std::path::Path;

use super::message::MessageBuf;
use super::{CaseSink, Counts, Finding, Outcome, ResultsError, TestCase};

/// How subtests and passing TODOs count (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Tap12,
    Tap13,
    Tap14,
}

#[derive(Debug, Clone, PartialEq)]
enum Directive {
    Skip(String),
    Todo(String),
}

/// A test point whose diagnostics may still follow.
#[derive(Debug)]
struct Point {
    ok: bool,
    number: Option<u64>,
    name: String,
    directive: Option<Directive>,
    indent: usize,
    duration_s: f64,
    file: Option<String>,
    file_line: Option<u32>,
    /// YAML says `type: suite` (node --test `describe`).
    is_suite: bool,
    /// What the subtest this point closes held.
    children: Option<Children>,
}

/// Summary of a closed subtest.
#[derive(Debug, Default)]
struct Children {
    points: u64,
    failing_cases: u64,
    failed_names: Vec<String>,
}

/// One nesting level (the top level, or a subtest).
#[derive(Debug)]
struct Level {
    indent: usize,
    name: Option<String>,
    suite_index: u32,
    plan: Option<Plan>,
    points: u64,
    /// Failed or errored cases emitted in this level or below.
    failing_cases: u64,
    /// Names of failed points of this level (the first few).
    failed_names: Vec<String>,
    /// Points whose number is not their place (TAP::Parser: "Tests out of sequence"): how
    /// many, and prove's words for the first few.
    out_of_sequence: u64,
    sequence_errors: Vec<String>,
    sequence_line: Option<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Plan {
    count: u64,
    line: u64,
}

/// An open YAML block.
#[derive(Debug)]
struct Yaml {
    indent: usize,
    start_line: u64,
    /// Inside `at:` (node-tap's location map).
    in_at: bool,
}

/// node --test's and node-tap's closing summary comments.
#[derive(Debug, Default)]
struct Declared {
    line: u64,
    tests: Option<u64>,
    pass: Option<u64>,
    fail: Option<u64>,
    cancelled: Option<u64>,
    skipped: Option<u64>,
    todo: Option<u64>,
}

struct State<'p, 's> {
    path: &'p Path,
    sink: &'s mut dyn CaseSink,
    dialect: Dialect,
    levels: Vec<Level>,
    pending: Option<Point>,
    /// Message of the pending point.
    msg: MessageBuf,
    yaml: Option<Yaml>,
    /// A `# Subtest: name` header waiting for its level: (indent, name).
    header: Option<(usize, String)>,
    /// Summary of the subtest that just closed, for the point that closes it.
    closed: Option<Children>,
    /// Last comment and non-TAP lines (for the message of a run that did not finish).
    recent: VecDeque<String>,
    junk_lines: u64,
    first_junk: Option<(u64, String)>,
    declared: Declared,
    counts: Counts,
    /// Cases from `# TODO` points counted skipped (tape's `# pass` counts them as passes).
    todo_cases: u64,
    suites_opened: u32,
    cases: u64,
    line_no: u64,
    seen_content: bool,
    bailed: bool,
}

/// Reads TAP from `src`. Returns the number of cases read.
pub(super) fn read<R: BufRead>(
    mut src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
) -> Result<u64, ResultsError> {
    let mut state = State {
        path,
        sink,
        dialect: Dialect::Tap12,
        levels: vec![Level::new(0, None, 0)],
        pending: None,
        msg: MessageBuf::default(),
        yaml: None,
        header: None,
        closed: None,
        recent: VecDeque::new(),
        junk_lines: 0,
        first_junk: None,
        declared: Declared::default(),
        counts: Counts::default(),
        todo_cases: 0,
        suites_opened: 1,
        cases: 0,
        line_no: 0,
        seen_content: false,
        bailed: false,
    };
    let mut raw = Vec::with_capacity(1024);
    loop {
        raw.clear();
        let n = src.read_until(b'\n', &mut raw).map_err(|e| ResultsError::io(path, e))?;
        if n == 0 {
            break;
        }
        state.line_no = state.line_no.saturating_add(1);
        let mut bytes: &[u8] = &raw;
        if state.line_no == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        let text = String::from_utf8_lossy(bytes);
        let line = text.trim_end_matches(['\n', '\r']);
        if state.line(line)? {
            break;
        }
    }
    state.finish()?;
    Ok(state.cases)
}

impl Level {
    fn new(indent: usize, name: Option<String>, suite_index: u32) -> Self {
        Level {
            indent,
            name,
            suite_index,
            plan: None,
            points: 0,
            failing_cases: 0,
            failed_names: Vec::new(),
            out_of_sequence: 0,
            sequence_errors: Vec::new(),
            sequence_line: None,
        }
    }
}

/// Deepest subtest nesting accepted (each level costs memory; real runs nest a few deep).
const MAX_DEPTH: usize = 1000;

/// How many "out of sequence" lines one stand-in's message quotes.
const MAX_SEQUENCE_ERRORS: usize = 5;

/// How many recent comment/non-TAP lines are kept for stand-in messages.
const RECENT_LINES: usize = 8;

impl State<'_, '_> {
    fn syntax(&self, line: u64, column: usize, message: String) -> ResultsError {
        ResultsError::Syntax {
            path: self.path.to_path_buf(),
            line,
            column: (column as u64).saturating_add(1),
            message,
        }
    }

    fn finding(&mut self, line: Option<u64>, message: String) {
        self.sink.finding(Finding { file: self.path.to_path_buf(), line, message });
    }

    /// Handles one line; returns true when reading must stop (bail out).
    #[allow(clippy::arithmetic_side_effects, reason = "a trimmed suffix is never longer than its line")]
    fn line(&mut self, line: &str) -> Result<bool, ResultsError> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = line[indent..].trim_end();
        if let Some(yaml) = &self.yaml {
            if body == "..." && indent == yaml.indent {
                self.yaml = None;
            } else {
                self.yaml_line(line, indent, body);
            }
            return Ok(false);
        }
        if body.is_empty() {
            return Ok(false);
        }
        let first = !self.seen_content;
        self.seen_content = true;
        if let Some(v) = body.strip_prefix("TAP version ") {
            if first {
                self.dialect = match v.trim().parse::<u32>() {
                    Ok(n) if n >= 14 => Dialect::Tap14,
                    Ok(13) => Dialect::Tap13,
                    _ => Dialect::Tap12,
                };
            }
            return Ok(false);
        }
        if body.starts_with("pragma ") {
            return Ok(false);
        }
        if body == "---" && self.pending.as_ref().is_some_and(|p| indent > p.indent) {
            self.yaml = Some(Yaml { indent, start_line: self.line_no, in_at: false });
            return Ok(false);
        }
        if let Some(comment) = body.strip_prefix('#') {
            self.comment(comment.trim(), indent)?;
            return Ok(false);
        }
        if let Some(reason) = body.strip_prefix("Bail out!") {
            self.bail_out(reason.trim());
            return Ok(true);
        }
        if let Some(rest) = body.strip_prefix("1..") {
            let plan = parse_plan(rest).ok_or_else(|| {
                self.syntax(self.line_no, indent, format!("malformed plan `{body}` (expected `1..N`)"))
            })?;
            self.structure(indent)?;
            let level = self.level_at(indent);
            if let Some(first) = self.levels[level].plan {
                return Err(self.syntax(
                    self.line_no,
                    indent,
                    format!("a second plan at this level (the first is on line {})", first.line),
                ));
            }
            self.levels[level].plan = Some(Plan { count: plan, line: self.line_no });
            return Ok(false);
        }
        if let Some(point) = parse_point(body, indent) {
            self.structure(indent)?;
            let mut point = point;
            point.children = self.closed.take();
            // A `# Subtest:` header is spent by the point it announced.
            if self.header.as_ref().is_some_and(|(h, _)| *h >= indent) {
                self.header = None;
            }
            let level = self.level_at(indent);
            let l = &mut self.levels[level];
            l.points = l.points.saturating_add(1);
            // TAP::Parser numbers a point without a number itself; a number that is not the
            // point's place (duplicate, missing, out of order) is a parse error failing the file.
            if let Some(n) = point.number
                && n != l.points
            {
                l.out_of_sequence = l.out_of_sequence.saturating_add(1);
                l.sequence_line = l.sequence_line.or(Some(self.line_no));
                if l.sequence_errors.len() < MAX_SEQUENCE_ERRORS {
                    l.sequence_errors.push(format!(
                        "line {}: Tests out of sequence.  Found ({n}) but expected ({})",
                        self.line_no, l.points
                    ));
                }
            }
            self.msg.clear();
            if let Some(Directive::Skip(r) | Directive::Todo(r)) = &point.directive {
                self.msg.push(r);
                self.msg.separate();
            }
            self.pending = Some(point);
            return Ok(false);
        }
        self.junk(line.trim());
        Ok(false)
    }

    /// A point, plan or bail out at `indent`: the pending point is complete; deeper levels
    /// close; a deeper line opens a level.
    fn structure(&mut self, indent: usize) -> Result<(), ResultsError> {
        self.flush_pending();
        self.closed = None;
        while self.levels.len() > 1 && self.levels.last().is_some_and(|l| l.indent > indent) {
            let closed = self.close_level();
            self.closed = Some(closed);
        }
        if self.levels.last().is_some_and(|l| indent > l.indent) {
            if self.levels.len() >= MAX_DEPTH {
                return Err(self.syntax(
                    self.line_no,
                    indent,
                    format!("subtests nested deeper than {MAX_DEPTH}"),
                ));
            }
            let name = match self.header.take() {
                Some((h, name)) if h < indent => Some(name),
                other => {
                    self.header = other;
                    None
                }
            };
            let index = self.suites_opened;
            self.suites_opened = self.suites_opened.saturating_add(1);
            self.levels.push(Level::new(indent, name, index));
            self.closed = None;
        }
        Ok(())
    }

    /// Index of the level a line at `indent` belongs to (the innermost not deeper than it).
    fn level_at(&self, indent: usize) -> usize {
        self.levels.iter().rposition(|l| l.indent <= indent).unwrap_or(0)
    }

    fn counts_children(&self) -> bool {
        self.dialect != Dialect::Tap12
    }

    /// Closes the innermost level; returns what it held.
    fn close_level(&mut self) -> Children {
        let depth = self.levels.len().saturating_sub(1);
        if self.counts_children() {
            self.check_plan(depth, None);
        }
        let level = self.levels.pop().unwrap_or_else(|| Level::new(0, None, 0));
        if let Some(parent) = self.levels.last_mut() {
            parent.failing_cases = parent.failing_cases.saturating_add(level.failing_cases);
        }
        Children {
            points: level.points,
            failing_cases: level.failing_cases,
            failed_names: level.failed_names,
        }
    }

    /// Compares level `depth`'s plan with its points; a shortfall is an errored stand-in.
    /// `bailed`: the reason of a bail out, which stands for the missing tests itself.
    fn check_plan(&mut self, depth: usize, bailed: Option<&str>) {
        self.check_sequence(depth);
        let level = &self.levels[depth];
        let (points, plan) = (level.points, level.plan);
        let where_ = level.name.as_ref().map_or(String::new(), |n| format!(" of subtest `{n}`"));
        match plan {
            Some(plan) if plan.count != points => {
                let noun = if points == 1 { "test point" } else { "test points" };
                self.finding(
                    Some(plan.line),
                    format!("the plan{where_} (1..{}) does not match its {points} {noun}", plan.count),
                );
                if plan.count > points && bailed.is_none() {
                    let missing = plan.count.saturating_sub(points);
                    self.msg.clear();
                    self.msg.push(&format!(
                        "the plan{where_} (1..{}, line {}) announced {} tests but only {points} ran: the \
                         script died or stopped early",
                        plan.count, plan.line, plan.count
                    ));
                    self.push_recent();
                    let s = if missing == 1 { "" } else { "s" };
                    self.stand_in(depth, &format!("[{missing} planned test{s} never ran]"));
                }
            }
            None if depth == 0 && bailed.is_none() => {
                self.msg.clear();
                self.msg.push(
                    "the TAP stream ends without a plan: the script died or stopped before it finished \
                     (prove: \"No plan found in TAP output\")",
                );
                self.push_recent();
                self.stand_in(0, "[no plan: run did not finish]");
            }
            _ => {}
        }
    }

    /// Test numbers out of sequence at level `depth` fail the stream (prove: "Parse errors:
    /// Tests out of sequence", result FAIL): one errored stand-in and a finding.
    fn check_sequence(&mut self, depth: usize) {
        let level = &mut self.levels[depth];
        let n = level.out_of_sequence;
        if n == 0 {
            return;
        }
        let errors = std::mem::take(&mut level.sequence_errors);
        let line = level.sequence_line;
        let where_ = level.name.as_ref().map_or(String::new(), |n| format!(" of subtest `{n}`"));
        let noun = if n == 1 { "test point is" } else { "test points are" };
        self.finding(
            line,
            format!("{n} {noun} numbered out of sequence{where_} (duplicate, missing or reordered numbers)"),
        );
        self.msg.clear();
        self.msg.push(&format!(
            "{n} {noun} numbered out of sequence{where_}: TAP::Harness fails the file (\"Parse errors\")"
        ));
        self.msg.separate();
        for e in &errors {
            self.msg.push(e);
            self.msg.push("\n");
        }
        self.stand_in(depth, "[tests out of sequence]");
    }

    fn push_recent(&mut self) {
        if self.recent.is_empty() {
            return;
        }
        self.msg.separate();
        for l in &self.recent {
            self.msg.push(l);
            self.msg.push("\n");
        }
    }

    fn comment(&mut self, text: &str, indent: usize) -> Result<(), ResultsError> {
        if let Some(name) = text.strip_prefix("Subtest:") {
            let name = name.trim().to_owned();
            if self.levels.last().is_some_and(|l| indent > l.indent) {
                // The first line of a subtest: it opens the level, named by the header before it
                // (or, in the older style that indents the header with its subtest, by itself).
                if self.header.as_ref().is_none_or(|(h, _)| *h >= indent) {
                    self.header = Some((0, name.clone()));
                }
                self.structure(indent)?;
            }
            self.header = Some((indent, name));
            return Ok(());
        }
        if indent == 0 {
            self.declared_totals(text);
        }
        if let Some(p) = &mut self.pending
            && let Some(t) = text.strip_prefix("time=")
        {
            p.duration_s = parse_ms(t).unwrap_or(p.duration_s);
        }
        let diag = self.pending.as_ref().is_some_and(|p| {
            (!p.ok) && indent >= p.indent && !text.starts_with("Looks like") && !text.starts_with("time=")
        });
        if diag {
            // Perl: `#   at t/basic.t line 14.` locates the failure.
            if let Some(p) = &mut self.pending
                && p.file.is_none()
                && let Some((file, line)) = perl_location(text)
            {
                p.file = Some(file.to_owned());
                p.file_line = Some(line);
            }
            self.msg.push(text);
            self.msg.push("\n");
        }
        self.remember(&format!("# {text}"));
        Ok(())
    }

    fn remember(&mut self, line: &str) {
        if self.recent.len() == RECENT_LINES {
            self.recent.pop_front();
        }
        let mut l = line.to_owned();
        if l.len() > 512 {
            let mut end = 512;
            while !l.is_char_boundary(end) {
                end = end.saturating_sub(1);
            }
            l.truncate(end);
        }
        self.recent.push_back(l);
    }

    fn junk(&mut self, line: &str) {
        self.junk_lines = self.junk_lines.saturating_add(1);
        if self.first_junk.is_none() {
            self.first_junk = Some((self.line_no, line.chars().take(80).collect()));
        }
        self.remember(line);
    }

    fn declared_totals(&mut self, text: &str) {
        // node --test: `# tests 15`, `# pass 7`, ... one per line.
        let mut set = |key: &str, n: u64| {
            let d = &mut self.declared;
            let slot = match key {
                "tests" | "total" => &mut d.tests,
                "pass" => &mut d.pass,
                "fail" => &mut d.fail,
                "cancelled" => &mut d.cancelled,
                "skipped" | "skip" => &mut d.skipped,
                "todo" => &mut d.todo,
                _ => return,
            };
            *slot = Some(n);
            d.line = self.line_no;
        };
        if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            // node-tap: `# { total: 10, pass: 5, fail: 3, todo: 1, skip: 1 }`.
            for part in inner.split(',') {
                if let Some((k, v)) = part.split_once(':')
                    && let Ok(n) = v.trim().parse()
                {
                    set(k.trim(), n);
                }
            }
        } else if let Some((k, v)) = text.split_once(' ')
            && matches!(k, "tests" | "pass" | "fail" | "cancelled" | "skipped" | "todo")
            && let Ok(n) = v.trim().parse()
        {
            set(k, n);
        }
    }

    #[allow(clippy::arithmetic_side_effects, reason = "a trimmed suffix is never longer than its line")]
    fn yaml_line(&mut self, line: &str, indent: usize, body: &str) {
        let Some(yaml) = &mut self.yaml else { return };
        let Some(p) = &mut self.pending else { return };
        let rel = indent.saturating_sub(yaml.indent);
        if rel == 0 && !body.is_empty() {
            yaml.in_at = body == "at:";
            if let Some(v) = body.strip_prefix("duration_ms:") {
                p.duration_s = v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|t| t.is_finite() && *t > 0.0)
                    .map_or(0.0, |ms| ms / 1000.0);
                return;
            }
            if let Some(v) = body.strip_prefix("type:") {
                p.is_suite = v.trim().trim_matches(['\'', '"']) == "suite";
                return;
            }
            if let Some(v) = body.strip_prefix("location:")
                && p.file.is_none()
            {
                // node --test: '/path/file.mjs:10:11'
                let v = v.trim().trim_matches(['\'', '"']);
                let mut parts = v.rsplitn(3, ':');
                let (_col, line_s, file) = (parts.next(), parts.next(), parts.next());
                if let (Some(file), Some(Ok(l))) = (file, line_s.map(str::parse::<u32>)) {
                    p.file = Some(file.to_owned());
                    p.file_line = Some(l);
                }
            }
        } else if yaml.in_at && rel == 2 {
            if let Some(v) = body.strip_prefix("fileName:")
                && p.file.is_none()
            {
                p.file = Some(v.trim().trim_matches(['\'', '"']).to_owned());
            } else if let Some(v) = body.strip_prefix("lineNumber:")
                && p.file_line.is_none()
            {
                p.file_line = v.trim().parse().ok();
            }
        }
        if !p.ok || p.directive.is_some() {
            let keep = yaml.indent.min(line.len() - line.trim_start_matches(' ').len());
            self.msg.push(&line[keep..]);
            self.msg.push("\n");
        }
    }

    /// Emits the pending point (as a case, or folded into its parent, per the dialect).
    fn flush_pending(&mut self) {
        let Some(p) = self.pending.take() else { return };
        let depth = self.level_at(p.indent);
        let outcome = match (&p.directive, p.ok) {
            (Some(Directive::Skip(_)), _) => Outcome::Skipped,
            (Some(Directive::Todo(_)), false) => Outcome::Skipped,
            (Some(Directive::Todo(_)), true) if self.dialect == Dialect::Tap12 => Outcome::Passed,
            (Some(Directive::Todo(_)), true) => Outcome::Skipped,
            (None, true) => Outcome::Passed,
            (None, false) => Outcome::Failed,
        };
        let has_children = p.children.as_ref().is_some_and(|c| c.points > 0);
        let is_case = match self.dialect {
            Dialect::Tap12 => depth == 0,
            Dialect::Tap13 => !p.is_suite,
            Dialect::Tap14 => {
                !has_children
                    || (outcome == Outcome::Failed
                        && p.children.as_ref().is_some_and(|c| c.failing_cases == 0))
            }
        };
        if outcome == Outcome::Failed && self.levels[depth].failed_names.len() < 5 {
            self.levels[depth].failed_names.push(p.name.clone());
        }
        if !is_case {
            return;
        }
        if matches!(p.directive, Some(Directive::Todo(_))) && outcome == Outcome::Skipped {
            self.todo_cases = self.todo_cases.saturating_add(1);
        }
        if outcome == Outcome::Failed
            && let Some(c) = &p.children
            && !c.failed_names.is_empty()
        {
            self.msg.separate();
            self.msg.push(&format!("failed subtests: {}", c.failed_names.join(", ")));
        }
        let name = if p.name.is_empty() {
            p.number.map_or_else(|| "(unnamed test)".to_owned(), |n| format!("test {n}"))
        } else {
            p.name
        };
        let message = if outcome == Outcome::Passed { None } else { self.msg.take() };
        let failing = outcome == Outcome::Failed;
        let case = TestCase {
            suite: self.suite_name(depth),
            suite_index: self.levels[depth].suite_index,
            name,
            classname: None,
            file: p.file,
            line: p.file_line,
            outcome,
            flaky: false,
            duration_s: p.duration_s,
            runs: 1,
            failed_runs: u32::from(failing),
            message,
        };
        self.emit(depth, case);
    }

    fn suite_name(&self, depth: usize) -> String {
        let names: Vec<&str> = self.levels[..=depth].iter().filter_map(|l| l.name.as_deref()).collect();
        names.join(" > ")
    }

    fn emit(&mut self, depth: usize, case: TestCase) {
        if matches!(case.outcome, Outcome::Failed | Outcome::Error) {
            self.levels[depth].failing_cases = self.levels[depth].failing_cases.saturating_add(1);
        }
        self.counts.add(case.outcome, case.flaky);
        self.cases = self.cases.saturating_add(1);
        self.sink.case(case);
    }

    /// An errored case at level `depth`, with the message in `self.msg`.
    fn stand_in(&mut self, depth: usize, name: &str) {
        let case = TestCase::errored(
            self.suite_name(depth),
            self.levels[depth].suite_index,
            name.to_owned(),
            self.msg.take(),
        );
        self.emit(depth, case);
    }

    fn bail_out(&mut self, reason: &str) {
        self.bailed = true;
        self.flush_pending();
        // Levels below the top were cut short by the abort: their plans are not checked.
        while self.levels.len() > 1 {
            self.levels.pop();
        }
        let top = &self.levels[0];
        let (plan, points) = (top.plan, top.points);
        self.msg.clear();
        self.msg.push(&format!("Bail out! {reason}"));
        self.msg.separate();
        self.msg.push("the test script aborted the run");
        self.stand_in(0, "[run aborted: Bail out!]");
        if let Some(p) = plan
            && p.count != points
        {
            let noun = if points == 1 { "test point" } else { "test points" };
            self.finding(
                Some(p.line),
                format!("the plan (1..{}) does not match its {points} {noun}", p.count),
            );
            if p.count > points {
                let missing = p.count.saturating_sub(points);
                self.msg.clear();
                self.msg.push(&format!(
                    "the plan (1..{}, line {}) announced {} tests; {points} ran before `Bail out! {reason}`",
                    p.count, p.line, p.count
                ));
                let s = if missing == 1 { "" } else { "s" };
                self.stand_in(0, &format!("[{missing} planned test{s} never ran]"));
            }
        }
        self.compare_declared();
    }

    fn finish(&mut self) -> Result<(), ResultsError> {
        if let Some(y) = &self.yaml {
            return Err(self.syntax(
                y.start_line,
                y.indent,
                "the file ends inside this YAML diagnostic block (missing `...`; truncated file?)".to_owned(),
            ));
        }
        if self.bailed {
            // Everything was reported at the bail out.
            return Ok(());
        }
        self.flush_pending();
        while self.levels.len() > 1 {
            self.close_level();
        }
        self.check_plan(0, None);
        if self.junk_lines > 0
            && let Some((line, text)) = self.first_junk.take()
        {
            let n = self.junk_lines;
            let what = if n == 1 { "line is".to_owned() } else { format!("{n} lines are") };
            self.finding(Some(line), format!("{what} not TAP and ignored (the first: `{text}`)"));
        }
        self.compare_declared();
        Ok(())
    }

    fn compare_declared(&mut self) {
        let d = std::mem::take(&mut self.declared);
        let c = self.counts;
        let sum = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        let pairs = [
            ("tests", d.tests, c.tests),
            ("pass", d.pass, c.passed),
            ("fail", sum(d.fail, d.cancelled), c.failures.saturating_add(c.errors)),
            ("skip and todo", sum(d.skipped, d.todo), c.skipped),
        ];
        for (what, declared, counted) in pairs {
            // tape's rule: its `# pass` counts every TODO point as a pass, failing ones too.
            let tape_pass = what == "pass"
                && d.todo.is_none()
                && declared == Some(counted.saturating_add(self.todo_cases));
            if let Some(n) = declared
                && n != counted
                && !tape_pass
            {
                self.finding(
                    Some(d.line),
                    format!("the runner's summary comments declare {what} {n} but the stream has {counted}"),
                );
            }
        }
    }
}

/// `N` of a plan `1..N`, with an optional `# reason`.
fn parse_plan(rest: &str) -> Option<u64> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let n = rest[..digits].parse().ok()?;
    let after = rest[digits..].trim();
    (after.is_empty() || after.starts_with('#')).then_some(n)
}

/// A test point line, or `None`.
fn parse_point(body: &str, indent: usize) -> Option<Point> {
    let (ok, rest) = if let Some(r) = body.strip_prefix("not ok") {
        (false, r)
    } else if let Some(r) = body.strip_prefix("ok") {
        (true, r)
    } else {
        return None;
    };
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let rest = rest.trim_start();
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let number = rest[..digits].parse().ok();
    let rest = rest[digits..].trim_start();
    let rest = rest.strip_prefix("- ").or_else(|| rest.strip_prefix('-')).unwrap_or(rest);
    // The description ends at the first unescaped `#`.
    let (desc, tail) = split_unescaped_hash(rest);
    let mut directive = None;
    let mut duration_s = 0.0;
    if let Some(tail) = tail {
        let t = tail.trim_start();
        let word: String = t.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let reason = t[word.len()..].trim_start_matches(':').trim().to_owned();
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("skip") {
            directive = Some(Directive::Skip(reason));
        } else if lower.starts_with("todo") {
            directive = Some(Directive::Todo(reason));
        } else if let Some(ms) = t.strip_prefix("time=") {
            duration_s = parse_ms(ms).unwrap_or(0.0);
        }
    }
    Some(Point {
        ok,
        number,
        name: unescape(desc.trim()),
        directive,
        indent,
        duration_s,
        file: None,
        file_line: None,
        is_suite: false,
        children: None,
    })
}

#[allow(clippy::arithmetic_side_effects, reason = "offsets within `s`: each is < its length")]
fn split_unescaped_hash(s: &str) -> (&str, Option<&str>) {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i = i.saturating_add(2),
            b'#' => return (&s[..i], Some(&s[i + 1..])),
            _ => i = i.saturating_add(1),
        }
    }
    (s, None)
}

fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('#' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `6.291ms` → 0.006291 s.
fn parse_ms(s: &str) -> Option<f64> {
    let v: f64 = s.trim().strip_suffix("ms")?.parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v / 1000.0)
}

/// Perl's `at t/basic.t line 14.`
fn perl_location(text: &str) -> Option<(&str, u32)> {
    let rest = text.trim().strip_prefix("at ")?;
    let (file, line) = rest.rsplit_once(" line ")?;
    let line = line.trim_end_matches('.').parse().ok()?;
    Some((file, line))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::CollectSink;

    fn run(text: &str) -> Result<CollectSink, ResultsError> {
        let mut sink = CollectSink::default();
        let n = read(text.as_bytes(), Path::new("t.tap"), &mut sink)?;
        assert_eq!(n as usize, sink.cases.len());
        Ok(sink)
    }

    fn outcomes(sink: &CollectSink) -> Vec<(&str, Outcome)> {
        sink.cases.iter().map(|c| (c.name.as_str(), c.outcome)).collect()
    }

    #[test]
    fn perl_points_directives_and_diagnostics() {
        let sink = run("1..5\nok 1 - a\nnot ok 2 - b\n#   Failed test 'b'\n#   at t/x.t line 14.\n\
                        #          got: '2'\nok 3 # skip no db\nnot ok 4 - c # TODO later\nok 5 - d # TODO later\n\
                        # Looks like you failed 1 test of 5.\n")
        .unwrap();
        assert_eq!(
            outcomes(&sink),
            [
                ("a", Outcome::Passed),
                ("b", Outcome::Failed),
                ("test 3", Outcome::Skipped),
                ("c", Outcome::Skipped),
                ("d", Outcome::Passed)
            ]
        );
        let b = &sink.cases[1];
        assert_eq!(b.message.as_deref(), Some("Failed test 'b'\nat t/x.t line 14.\ngot: '2'"));
        assert_eq!((b.file.as_deref(), b.line), (Some("t/x.t"), Some(14)));
        assert_eq!(sink.cases[2].message.as_deref(), Some("no db"));
        assert_eq!(sink.cases[3].message.as_deref(), Some("later"));
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn tap12_subtests_fold_into_their_parent() {
        let sink =
            run("1..2\n# Subtest: s\n    1..2\n    ok 1 - x\n    not ok 2 - y\nnot ok 1 - s\nok 2 - t\n")
                .unwrap();
        assert_eq!(outcomes(&sink), [("s", Outcome::Failed), ("t", Outcome::Passed)]);
        assert_eq!(sink.cases[0].message.as_deref(), Some("failed subtests: y"));
    }

    #[test]
    fn tap13_counts_parents_but_not_suites() {
        let text = "TAP version 13\n# Subtest: parent\n    # Subtest: inner\n    ok 1 - inner\n      ---\n      \
                    duration_ms: 2.5\n      ...\n    1..1\nok 1 - parent\n  ---\n  duration_ms: 3\n  ...\n\
                    # Subtest: d\n    ok 1 - leaf # TODO later\n    1..1\nok 2 - d\n  ---\n  type: 'suite'\n  ...\n1..2\n\
                    # tests 3\n# pass 2\n";
        let sink = run(text).unwrap();
        assert_eq!(
            outcomes(&sink),
            [("inner", Outcome::Passed), ("parent", Outcome::Passed), ("leaf", Outcome::Skipped)]
        );
        assert_eq!(sink.cases[0].suite, "parent");
        assert_eq!(sink.cases[0].duration_s, 0.0025);
        assert!(sink.findings.is_empty(), "{:?}", sink.findings);
    }

    #[test]
    fn tap14_counts_leaves() {
        let text = "TAP version 14\n1..2\n# Subtest: f\n    ok 1 - a\n    not ok 2 - b\n      ---\n      at:\n        \
                    fileName: t.js\n        lineNumber: 9\n      ...\n    1..2\nnot ok 1 - f # time=5ms\n\
                    # Subtest: g\n    ok 1 - c\n    1..1\nnot ok 2 - g\n  ---\n  exitCode: 1\n  ...\n";
        let sink = run(text).unwrap();
        assert_eq!(
            outcomes(&sink),
            [("a", Outcome::Passed), ("b", Outcome::Failed), ("c", Outcome::Passed), ("g", Outcome::Failed)]
        );
        assert_eq!((sink.cases[1].file.as_deref(), sink.cases[1].line), (Some("t.js"), Some(9)));
        assert!(sink.cases[1].message.as_deref().unwrap().starts_with("at:\n  fileName: t.js"));
        assert_eq!(sink.cases[3].message.as_deref(), Some("exitCode: 1"));
    }

    #[test]
    fn runs_that_did_not_finish() {
        let bail = run("1..4\nok 1 - a\nBail out!  no fixtures\nok 2 - ignored\n").unwrap();
        assert_eq!(
            outcomes(&bail),
            [
                ("a", Outcome::Passed),
                ("[run aborted: Bail out!]", Outcome::Error),
                ("[3 planned tests never ran]", Outcome::Error)
            ]
        );
        assert_eq!(
            bail.cases[1].message.as_deref(),
            Some("Bail out! no fixtures\nthe test script aborted the run")
        );
        assert_eq!(
            bail.cases[2].message.as_deref(),
            Some("the plan (1..4, line 1) announced 4 tests; 1 ran before `Bail out! no fixtures`")
        );
        assert_eq!(bail.findings[0].message, "the plan (1..4) does not match its 1 test point");

        let short = run("1..3\nok 1\n# Looks like you planned 3 tests but ran 1.\n").unwrap();
        assert_eq!(
            outcomes(&short),
            [("test 1", Outcome::Passed), ("[2 planned tests never ran]", Outcome::Error)]
        );
        assert!(
            short.cases[1]
                .message
                .as_deref()
                .unwrap()
                .ends_with("# Looks like you planned 3 tests but ran 1.")
        );
        assert_eq!(short.findings[0].line, Some(1));

        let died = run("ok 1 - loads\nCan't open config\n").unwrap();
        assert_eq!(
            outcomes(&died),
            [("loads", Outcome::Passed), ("[no plan: run did not finish]", Outcome::Error)]
        );
        assert!(died.cases[1].message.as_deref().unwrap().ends_with("Can't open config"));
        assert_eq!(died.findings[0].message, "line is not TAP and ignored (the first: `Can't open config`)");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = |t: &str| match run(t) {
            Err(ResultsError::Syntax { line, column, message, .. }) => (line, column, message),
            other => panic!("{other:?}"),
        };
        let (l, c, m) = err("TAP version 13\nnot ok 1 - a\n  ---\n  error: x\n");
        assert_eq!((l, c), (3, 3));
        assert!(m.contains("YAML"), "{m}");
        assert_eq!(err("1..2\nok 1\n1..2\n").0, 3);
        assert!(err("1..x\n").2.contains("malformed plan"));
        let deep: String = (0..1200).map(|i| format!("{}ok 1\n", " ".repeat(4 * i))).collect();
        assert_eq!(err(&deep), (1001, 4001, "subtests nested deeper than 1000".to_owned()));
    }

    #[test]
    fn escapes_and_time() {
        let sink = run("1..1\nok 1 - header starts with \\# # time=6.5ms\n").unwrap();
        assert_eq!(sink.cases[0].name, "header starts with #");
        assert_eq!(sink.cases[0].duration_s, 0.0065);
    }
}
