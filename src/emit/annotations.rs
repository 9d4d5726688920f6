//! GitHub Actions annotations (`--annotations github`): one `::error` workflow command per
//! failing test, placed on the file and line of the test so it shows on the pull request's diff.
//!
//! No token and no network: GitHub reads workflow commands from a step's output. Three rules
//! shape this module:
//! - **escaping**: data is escaped the way GitHub's own toolkit does (`%`, CR, LF; in properties
//!   also `:` and `,`), so every command is one line and no test name or message can end a
//!   property early or start a command of its own;
//! - **limits**: GitHub shows at most 10 error and 10 warning annotations per step (50 per job),
//!   so the most useful come first and one `::notice::` says how many were left out and where
//!   the full list is;
//! - **paths**: annotations land on the diff only with paths relative to the repository root
//!   (`GITHUB_WORKSPACE`), so absolute and container paths are mapped ([`PathMap`]).
//!
//! [`records`] turns the model into plain [`Record`]s and [`write_github`] writes them: a richer
//! model (flaky tests by name, full traces) only has to produce more records.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::model::{FailedCase, FlakyCase, Report};
use crate::results::Outcome;

/// Error annotations GitHub shows per step.
pub const ERRORS_PER_STEP: usize = 10;
/// Warning annotations GitHub shows per step.
pub const WARNINGS_PER_STEP: usize = 10;
/// Characters of a title kept: a title is one line in GitHub's UI.
const TITLE_CHARS: usize = 200;
/// Characters of a message kept (the model keeps a few lines already; this bounds odd inputs).
const MESSAGE_CHARS: usize = 4000;
/// Files listed at most when looking a frame's file up by its tail (bounds the walk of a huge
/// checkout).
const INDEX_FILES: usize = 200_000;
/// Path segments that hold installed dependencies, never the project's own code.
const DEPENDENCY_DIRS: [&str; 4] = ["node_modules", "site-packages", "dist-packages", ".cargo"];

/// The settings of `--annotations`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `--path-prefix`: prepended to relative paths (the tests ran in a subdirectory).
    pub path_prefix: Option<String>,
    /// `--strip-prefix`: removed from the start of paths (absolute or container paths).
    pub strip_prefixes: Vec<String>,
}

/// How serious an annotation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// A failing test.
    Error,
    /// A flaky test (passed on a rerun).
    Warning,
}

/// One annotation: what a workflow command carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub level: Level,
    /// Path relative to the repository root, `/`-separated; `None` when unknown.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<u32>,
    pub title: String,
    pub message: String,
}

/// Annotations for a report, and how many cases deserve one but have no record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Records {
    /// Most useful first within each level.
    pub records: Vec<Record>,
    /// Failing cases the model counts but does not list (it keeps the first 50).
    pub unlisted_errors: u64,
    /// Flaky cases the model counts but does not list.
    pub unlisted_warnings: u64,
}

/// Writes the annotations of `report` as GitHub workflow commands: [`records`], then
/// [`write_github`]. `full_list` says where the full report is ("the job summary").
///
/// # Errors
/// Writing to `out` failed.
pub fn github(report: &Report, paths: &PathMap, full_list: &str, out: &mut dyn Write) -> io::Result<()> {
    let r = records(report, paths);
    write_github(out, &r.records, r.unlisted_errors, r.unlisted_warnings, full_list)
}

/// The annotations of a report: one error per failing case the model lists, failures (an
/// assertion that did not hold) before errors (a crash or a broken fixture, which tends to
/// repeat across many tests), in input order otherwise.
pub fn records(report: &Report, paths: &PathMap) -> Records {
    let Some(results) = &report.results else { return Records::default() };
    let all = &results.all;
    let mut index = RepoIndex::default();
    let mut failed: Vec<&FailedCase> = all.failed_cases.iter().collect();
    // Stable: input order is kept within each outcome.
    failed.sort_by_key(|c| c.outcome != Outcome::Failed);
    let mut records: Vec<Record> = failed.into_iter().map(|c| failed_record(c, paths, &mut index)).collect();
    records.extend(all.flaky_cases.iter().map(|c| flaky_record(c, paths)));
    Records {
        records,
        unlisted_errors: all.measured.failed_total().saturating_sub(all.failed_cases.len() as u64),
        unlisted_warnings: all.measured.flaky.saturating_sub(all.flaky_cases.len() as u64),
    }
}

/// A warning for a test that passed only after failing.
fn flaky_record(c: &FlakyCase, paths: &PathMap) -> Record {
    let (file, line) = split_location(c.location.as_deref());
    let file = file.and_then(|f| paths.resolve(f));
    let line = file.as_ref().and(line);
    let message = match &c.message {
        Some(m) => format!("Flaky: {}. {m}", c.history),
        None => format!("Flaky: {}.", c.history),
    };
    Record {
        level: Level::Warning,
        file,
        line,
        title: title(c.classname.as_deref(), &c.suite, &c.name),
        message,
    }
}

fn title(classname: Option<&str>, suite: &str, name: &str) -> String {
    let owner = classname.filter(|s| !s.is_empty()).unwrap_or(suite);
    match owner {
        "" => name.to_string(),
        o if o == name => name.to_string(),
        o => format!("{o} › {name}"),
    }
}

fn failed_record(c: &FailedCase, paths: &PathMap, index: &mut RepoIndex) -> Record {
    let (file, line) = split_location(c.location.as_deref());
    // go test names a bare `x_test.go`; its package's import path says which folder.
    let go = file.zip(c.classname.as_deref()).and_then(|(f, pkg)| go_package_file(f, pkg, paths, index));
    let mut at = go.or_else(|| file.and_then(|f| paths.resolve(f))).map(|f| (f, line));
    // The headline and the details that explain it, as the report shows them.
    let text = match (c.message.as_deref(), c.details.as_deref()) {
        (Some(m), Some(d)) => Some(format!("{m}\n{d}")),
        (Some(m), None) => Some(m.to_string()),
        (None, d) => d.map(str::to_string),
    };
    if at.is_none() {
        at = text.as_deref().and_then(|m| first_frame_in_repo(m, paths, index));
    }
    let title = title(c.classname.as_deref(), &c.suite, &c.name);
    let message = match text.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => m.to_string(),
        None if c.outcome == Outcome::Error => "The test errored (no message).".to_string(),
        None => "The test failed (no message).".to_string(),
    };
    let (file, line) = match at {
        Some((f, l)) => (Some(f), l),
        None => (None, None),
    };
    Record { level: Level::Error, file, line, title, message }
}

/// `file:line` (as the model writes a location) → file and line.
fn split_location(location: Option<&str>) -> (Option<&str>, Option<u32>) {
    let Some(loc) = location.filter(|l| !l.is_empty()) else { return (None, None) };
    match loc.rsplit_once(':') {
        Some((f, l)) if !f.is_empty() && !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => {
            (Some(f), l.parse().ok())
        }
        _ => (Some(loc), None),
    }
}

/// Pauses GitHub's workflow commands (`::stop-commands::TOKEN`) until [`resume_commands`], so
/// the lines in between — which quote test names, messages and files — cannot raise
/// annotations or set outputs, in either the `::cmd::` or the legacy `##[cmd]` form. The token is
/// random: no input can know it and resume commands early. Returns it.
pub fn pause_commands(out: &mut dyn Write) -> String {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    let mut token = String::from("gen-report-");
    for salt in [1u64, 2] {
        let mut h = state.build_hasher();
        h.write_u64(salt);
        h.write_u32(std::process::id());
        token.push_str(&format!("{:016x}", h.finish()));
    }
    let _ = writeln!(out, "::stop-commands::{token}");
    token
}

/// Resumes the workflow commands paused by [`pause_commands`].
pub fn resume_commands(out: &mut dyn Write, token: &str) {
    let _ = writeln!(out, "::{token}::");
}

/// Writes `records` as workflow commands, within GitHub's per-step limits: located annotations
/// first within each level (they land on the diff), then one `::notice::` counting what was left
/// out — records beyond the limits plus the `unlisted_*` cases — and saying where the full list
/// is.
///
/// # Errors
/// Writing to `out` failed.
pub fn write_github(
    out: &mut dyn Write,
    records: &[Record],
    unlisted_errors: u64,
    unlisted_warnings: u64,
    full_list: &str,
) -> io::Result<()> {
    let mut ordered: Vec<&Record> = records.iter().collect();
    ordered.sort_by_key(|r| (r.level, r.file.is_none()));
    let (mut errors, mut warnings) = (0usize, 0usize);
    let (mut left_errors, mut left_warnings) = (unlisted_errors, unlisted_warnings);
    for r in ordered {
        let (shown, left, limit, command) = match r.level {
            Level::Error => (&mut errors, &mut left_errors, ERRORS_PER_STEP, "error"),
            Level::Warning => (&mut warnings, &mut left_warnings, WARNINGS_PER_STEP, "warning"),
        };
        if *shown == limit {
            *left += 1;
            continue;
        }
        *shown += 1;
        writeln!(out, "{}", command_line(command, r))?;
    }
    if left_errors + left_warnings > 0 {
        let mut parts = Vec::new();
        if left_errors > 0 {
            parts.push(count(left_errors, "failing test"));
        }
        if left_warnings > 0 {
            parts.push(count(left_warnings, "flaky test"));
        }
        let text = format!(
            "{} not annotated (GitHub shows at most {ERRORS_PER_STEP} error and \
             {WARNINGS_PER_STEP} warning annotations per step); the full list is in {full_list}.",
            parts.join(" and ")
        );
        writeln!(out, "::notice title=gen-report::{}", escape_data(&text))?;
    }
    out.flush()
}

fn count(n: u64, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}

/// One workflow command: `::error file=F,line=N,title=T::message`.
fn command_line(command: &str, r: &Record) -> String {
    let mut props = Vec::new();
    if let Some(f) = &r.file {
        props.push(format!("file={}", escape_property(f)));
        if let Some(l) = r.line.filter(|l| *l > 0) {
            props.push(format!("line={l}"));
        }
    }
    let title: String = r.title.chars().take(TITLE_CHARS).collect();
    if !title.is_empty() {
        props.push(format!("title={}", escape_property(&title)));
    }
    let message: String = r.message.chars().take(MESSAGE_CHARS).collect();
    match props.is_empty() {
        true => format!("::{command}::{}", escape_data(&message)),
        false => format!("::{command} {}::{}", props.join(","), escape_data(&message)),
    }
}

/// A command's message, escaped as GitHub's toolkit does: `%`, CR and LF. The command is then
/// one line whatever the data holds, so the data can never start a command of its own.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A command's property value: [`escape_data`], and `:` and `,`, which would end it early.
pub fn escape_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Maps the paths result files hold to paths relative to the repository root.
#[derive(Debug, Clone)]
pub struct PathMap {
    /// The repository root: `GITHUB_WORKSPACE`, else the working directory.
    root: String,
    /// The root's real path when it differs (a symlinked checkout).
    real_root: Option<String>,
    strip_prefixes: Vec<String>,
    path_prefix: Option<String>,
    /// `--path-prefix` climbs above the root once normalised (`../../etc`): every relative
    /// path would land outside the repository, so each is dropped.
    prefix_outside: bool,
}

impl PathMap {
    /// A map for a repository at `root` (absolute).
    pub fn new(root: &Path, settings: &Settings) -> Self {
        let real_root = std::fs::canonicalize(root)
            .ok()
            .map(|p| slashes(&p.to_string_lossy()))
            .filter(|r| *r != slashes(&root.to_string_lossy()));
        // Normalised lexically (`a/../b` is `b`); `None` inside when it climbs above the root.
        let prefix = settings.path_prefix.as_deref().map(|p| lexical(slashes(p).trim_start_matches('/')));
        Self {
            root: slashes(&root.to_string_lossy()),
            real_root,
            strip_prefixes: settings.strip_prefixes.iter().map(|p| slashes(p)).collect(),
            path_prefix: prefix.clone().flatten().filter(|p| !p.is_empty()),
            prefix_outside: matches!(prefix, Some(None)),
        }
    }

    /// The root from the environment: `GITHUB_WORKSPACE` when set, else the working directory.
    pub fn from_env(settings: &Settings) -> Self {
        let root = std::env::var_os("GITHUB_WORKSPACE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        Self::new(&root, settings)
    }

    /// A path as a runner wrote it (a `file` attribute) → relative to the root, taken at its
    /// word: the first matching strip prefix is removed, an absolute path is made relative to
    /// the root (`None` when outside it), a relative one gets the path prefix.
    pub fn resolve(&self, raw: &str) -> Option<String> {
        let mut p = slashes(raw.trim());
        if let Some(rest) = p.strip_prefix("file://") {
            p = rest.to_string();
        }
        if let Some(rest) = self.strip_prefixes.iter().find_map(|s| strip_dir_prefix(&p, s)) {
            p = rest.to_string();
        }
        let relative = if is_absolute(&p) {
            let under = [Some(&self.root), self.real_root.as_ref()]
                .into_iter()
                .flatten()
                .find_map(|r| strip_dir_prefix(&p, r))?;
            normalise(under)?
        } else {
            let rel = normalise(&p)?;
            if self.prefix_outside {
                return None;
            }
            match &self.path_prefix {
                Some(prefix) => format!("{prefix}/{rel}"),
                None => rel,
            }
        };
        Some(relative).filter(|r| !r.is_empty())
    }

    fn root_path(&self) -> &Path {
        Path::new(&self.root)
    }
}

/// `s` with `\` as `/`.
fn slashes(s: &str) -> String {
    s.replace('\\', "/")
}

/// `/x`, `C:/x`.
fn is_absolute(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with('/') || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'/')
}

/// `path` without the directory `prefix` (whole segments only), or `None`.
fn strip_dir_prefix<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let prefix = prefix.trim_end_matches('/');
    if prefix.is_empty() {
        return None;
    }
    let rest = path.strip_prefix(prefix)?;
    match rest.strip_prefix('/') {
        Some(r) => Some(r),
        None if rest.is_empty() => Some(rest),
        None => None,
    }
}

/// A relative path without `.` segments, or `None` when it climbs out (`..`).
/// `p` with `.` and `x/..` resolved, or `None` when it climbs above where it starts.
fn lexical(p: &str) -> Option<String> {
    let mut segs: Vec<&str> = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => {
                segs.pop()?;
            }
            s => segs.push(s),
        }
    }
    Some(segs.join("/"))
}

fn normalise(p: &str) -> Option<String> {
    let mut segs = Vec::new();
    for s in p.split('/') {
        match s {
            "" | "." => {}
            ".." => return None,
            s => segs.push(s),
        }
    }
    Some(segs.join("/"))
}

/// A file and line named in a failure message or stack trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// As written, or a package path built from a Java frame (`com/example/FooTest.java`).
    pub path: String,
    pub line: u32,
}

/// The frames of a trace, in order. Recognised shapes:
/// Python `File "x.py", line N`; Java/Kotlin `at pkg.Class.method(Class.java:N)` (the file is
/// placed in the package's directory); JavaScript `at f (path/x.js:N:M)` and `at path/x.js:N:M`;
/// .NET `in /path/X.cs:line N`; and `path.ext:N` followed by `:` or the end of a word, which
/// covers Rust panics (`src/x.rs:N:M`), Go (`x_test.go:N:`), pytest (`x.py:N: Error`) and more.
pub fn frames(text: &str) -> Vec<Frame> {
    let mut found = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("File \"")
            && let Some((path, rest)) = rest.split_once('"')
            && let Some(n) = rest.strip_prefix(", line ").and_then(leading_number)
        {
            found.push(Frame { path: path.to_string(), line: n });
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            // .NET: `in /path/File.cs:line 42`.
            if let Some(path) = word.strip_suffix(":line")
                && let Some(n) = words.get(i + 1).and_then(|w| leading_number(w))
                && has_extension(path)
            {
                found.push(Frame { path: path.to_string(), line: n });
                continue;
            }
            if let Some(frame) = word_frame(word) {
                found.push(frame);
            }
        }
    }
    found
}

/// A frame in one whitespace-separated word, if it holds one.
fn word_frame(word: &str) -> Option<Frame> {
    if let Some((before, inside)) = word.split_once('(') {
        let inside = inside.trim_end_matches([')', ',', ';', '.', ':']);
        let mut frame = path_line(inside)?;
        // Java: `com.example.FooTest.test(FooTest.java:12)` names the file without its
        // directory; the package (all but the class and method) gives it.
        if !frame.path.contains('/') {
            let qualified = before.rsplit_once('/').map_or(before, |(_, q)| q); // `java.base/…`
            let segs: Vec<&str> = qualified.split('.').collect();
            if segs.len() > 2 && segs.iter().all(|s| is_identifier(s)) {
                let package = segs[..segs.len() - 2].join("/");
                frame.path = format!("{package}/{}", frame.path);
            }
        }
        return Some(frame);
    }
    let w = word.trim_matches(|c: char| matches!(c, '"' | '\'' | '[' | ']' | '<' | '>' | ',' | ';' | '`'));
    path_line(w)
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// `path.ext:N`, `path.ext:N:M`, `path.ext:N:` (anything may follow a second `:`).
fn path_line(w: &str) -> Option<Frame> {
    let w = w.strip_prefix("file://").unwrap_or(w);
    if w.contains("://") {
        return None; // a URL's port is not a line
    }
    // Scan the colons: a Windows drive (`C:/…`) is not followed by digits, so it is passed over.
    let mut from = 0;
    while let Some(at) = w[from..].find(':').map(|i| i + from) {
        let rest = &w[at + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && matches!(rest.as_bytes().get(digits), None | Some(b':')) {
            let path = &w[..at];
            if has_extension(path) {
                return rest[..digits].parse().ok().map(|line| Frame { path: path.to_string(), line });
            }
        }
        from = at + 1;
    }
    None
}

fn leading_number(s: &str) -> Option<u32> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    s[..digits].parse().ok()
}

/// The last segment has an extension of letters and digits (`x.py`, `x.test.js`).
fn has_extension(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) => {
            !stem.is_empty()
                && (1..=10).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                && ext.bytes().any(|b| b.is_ascii_alphabetic())
        }
        None => false,
    }
}

/// The first frame of `text` that lies inside the repository: a file that exists below the
/// root (after [`PathMap::resolve`]), or whose path is the tail of exactly one file there (a
/// Java frame's package path, a Go frame's bare file name). Dependencies (`node_modules`,
/// `site-packages`, …) never count.
pub fn first_frame_in_repo(
    text: &str,
    paths: &PathMap,
    index: &mut RepoIndex,
) -> Option<(String, Option<u32>)> {
    frames(text).into_iter().find_map(|f| {
        let rel = paths.resolve(&f.path)?;
        if rel.split('/').any(|s| DEPENDENCY_DIRS.contains(&s)) {
            return None;
        }
        if paths.root_path().join(&rel).is_file() {
            return Some((rel, Some(f.line)));
        }
        // Only a relative frame may be found by its tail: an absolute one names its place.
        if is_absolute(&slashes(&f.path)) {
            return None;
        }
        let tail = normalise(&slashes(&f.path))?;
        index.unique_with_tail(paths.root_path(), &tail).map(|p| (p, Some(f.line)))
    })
}

/// A Go test file as `go test` names it (`mathx_test.go`, no folder) in its package's folder: the
/// import path (`example.com/demo/mathx`) less the module path of the go.mod that declares the
/// longest prefix of it (`module example.com/demo` in `go.mod` → `mathx/mathx_test.go`; a go.mod
/// in `backend/` → `backend/mathx/mathx_test.go`). `None` unless that file exists.
fn go_package_file(file: &str, package: &str, paths: &PathMap, index: &mut RepoIndex) -> Option<String> {
    if file.contains(['/', '\\']) || !file.ends_with(".go") {
        return None;
    }
    let root = paths.root_path();
    let (dir, rest) = index
        .go_modules(root)
        .iter()
        .filter_map(|(dir, module)| {
            let rest = if package == module {
                ""
            } else {
                package.strip_prefix(module.as_str())?.strip_prefix('/')?
            };
            Some((module.len(), dir, rest))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, dir, rest)| (dir.clone(), rest.to_string()))?;
    let rel = [dir.as_str(), rest.as_str(), file]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    let rel = normalise(&rel)?;
    root.join(&rel).is_file().then_some(rel)
}

/// The module path a go.mod declares: `module example.com/demo` (quoted or not, a comment after).
fn go_module_path(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("module")?;
        if !rest.starts_with([' ', '\t']) {
            return None;
        }
        let rest = rest.split("//").next()?.trim().trim_matches('"').trim_matches('`');
        (!rest.is_empty()).then(|| rest.to_string())
    })
}

/// The repository's files by name, listed once on first use (hidden directories, `target` and
/// dependency folders skipped; symlinked directories not followed), for finding a frame's file
/// by the tail of its path.
#[derive(Debug, Default)]
pub struct RepoIndex {
    /// File name → paths relative to the root, sorted.
    by_name: Option<BTreeMap<String, Vec<String>>>,
    /// The go.mod files' folders (relative, `""` for the root) and module paths.
    go_modules: Option<Vec<(String, String)>>,
}

impl RepoIndex {
    fn go_modules(&mut self, root: &Path) -> &[(String, String)] {
        if self.go_modules.is_none() {
            let by_name = self.by_name.get_or_insert_with(|| list_files(root));
            let found = by_name
                .get("go.mod")
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    // A go.mod is a few lines; a huge file of that name is not one.
                    let meta = std::fs::metadata(root.join(p)).ok()?;
                    if meta.len() > 1 << 20 {
                        return None;
                    }
                    let module = go_module_path(&std::fs::read_to_string(root.join(p)).ok()?)?;
                    let dir = p.strip_suffix("go.mod")?.trim_end_matches('/').to_string();
                    Some((dir, module))
                })
                .collect();
            self.go_modules = Some(found);
        }
        self.go_modules.as_deref().unwrap_or_default()
    }

    fn unique_with_tail(&mut self, root: &Path, tail: &str) -> Option<String> {
        let name = tail.rsplit('/').next()?;
        let by_name = self.by_name.get_or_insert_with(|| list_files(root));
        let mut matching =
            by_name.get(name)?.iter().filter(|p| *p == tail || p.ends_with(&format!("/{tail}")));
        let first = matching.next()?;
        // Two candidates: guessing would put the annotation on the wrong file.
        matching.next().is_none().then(|| first.clone())
    }
}

fn list_files(root: &Path) -> BTreeMap<String, Vec<String>> {
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    let mut listed = 0;
    while let Some((dir, rel)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(kind) = e.file_type() else { continue };
            let path = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if kind.is_dir() {
                if !name.starts_with('.') && name != "target" && !DEPENDENCY_DIRS.contains(&name.as_str()) {
                    stack.push((e.path(), path));
                }
            } else if kind.is_file() {
                listed += 1;
                if listed > INDEX_FILES {
                    return by_name;
                }
                by_name.entry(name).or_default().push(path);
            }
        }
    }
    for v in by_name.values_mut() {
        v.sort();
    }
    by_name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(root: &str, strip: &[&str], prefix: Option<&str>) -> PathMap {
        PathMap::new(
            Path::new(root),
            &Settings {
                path_prefix: prefix.map(str::to_string),
                strip_prefixes: strip.iter().map(|s| s.to_string()).collect(),
            },
        )
    }

    #[test]
    fn path_prefix_is_normalised_and_never_leaves_the_root() {
        let m = map("/repo", &[], Some("backend/../frontend/./"));
        assert_eq!(m.resolve("tests/x.py").as_deref(), Some("frontend/tests/x.py"));
        for outside in ["../../etc", "..", "a/../../b", "/../etc"] {
            assert_eq!(map("/repo", &[], Some(outside)).resolve("tests/x.py"), None, "{outside}");
        }
        // Absolute paths under the root do not take the prefix, so they stay.
        assert_eq!(map("/repo", &[], Some("../../etc")).resolve("/repo/x.py").as_deref(), Some("x.py"));
    }

    fn frame(path: &str, line: u32) -> Frame {
        Frame { path: path.to_string(), line }
    }

    #[test]
    fn escapes_data_and_properties_as_the_toolkit_does() {
        assert_eq!(escape_data("100% a\r\nb::c,d"), "100%25 a%0D%0Ab::c,d");
        assert_eq!(escape_property("100% a\r\nb::c,d"), "100%25 a%0D%0Ab%3A%3Ac%2Cd");
    }

    #[test]
    fn resolves_paths_against_the_root() {
        let m = map("/home/runner/work/r/r", &["/app"], Some("backend"));
        assert_eq!(m.resolve("/home/runner/work/r/r/src/x.py").as_deref(), Some("src/x.py"));
        assert_eq!(m.resolve("/home/runner/work/r/rr/x.py"), None, "a sibling is outside");
        assert_eq!(m.resolve("/usr/lib/python3/x.py"), None);
        assert_eq!(m.resolve("/app/tests/x.py").as_deref(), Some("backend/tests/x.py"));
        assert_eq!(m.resolve("./tests/x.py").as_deref(), Some("backend/tests/x.py"));
        assert_eq!(m.resolve("tests\\x.py").as_deref(), Some("backend/tests/x.py"));
        assert_eq!(m.resolve("../x.py"), None);
        let w = map("D:\\a\\r\\r", &[], None);
        assert_eq!(w.resolve("D:\\a\\r\\r\\src\\X.cs").as_deref(), Some("src/X.cs"));
    }

    #[test]
    fn reads_the_frames_of_common_traces() {
        let text = "\
Traceback (most recent call last):
  File \"/home/u/r/tests/test_x.py\", line 12, in test_x
\tat com.example.FooTest.testBar(FooTest.java:34)
\tat java.base/jdk.internal.reflect.Method.invoke(Method.java:566)
thread 'main' panicked at src/lib.rs:56:9:
    foo_test.go:78: expected 1
    at Object.<anonymous> (/r/src/x.test.js:90:5)
    at /r/src/y.js:11:2
   at Foo.Bar() in C:\\r\\src\\Foo.cs:line 13
tests/test_y.py:14: AssertionError
see http://example.com:8080 and version 1.2:3";
        assert_eq!(
            frames(text),
            vec![
                frame("/home/u/r/tests/test_x.py", 12),
                frame("com/example/FooTest.java", 34),
                frame("jdk/internal/reflect/Method.java", 566),
                frame("src/lib.rs", 56),
                frame("foo_test.go", 78),
                frame("/r/src/x.test.js", 90),
                frame("/r/src/y.js", 11),
                frame("C:\\r\\src\\Foo.cs", 13),
                frame("tests/test_y.py", 14),
            ]
        );
    }

    #[test]
    fn reads_the_module_path_of_a_go_mod() {
        assert_eq!(
            go_module_path("module example.com/demo\n\ngo 1.19\n").as_deref(),
            Some("example.com/demo")
        );
        assert_eq!(go_module_path("// x\nmodule \"a.b/c\" // why\n").as_deref(), Some("a.b/c"));
        assert_eq!(go_module_path("modules x\ngo 1.21\n"), None);
        assert_eq!(go_module_path(""), None);
    }

    #[test]
    fn splits_the_model_location() {
        assert_eq!(split_location(Some("a/b.py:12")), (Some("a/b.py"), Some(12)));
        assert_eq!(split_location(Some("a/b.py")), (Some("a/b.py"), None));
        assert_eq!(split_location(Some("C:/b.py")), (Some("C:/b.py"), None));
        assert_eq!(split_location(None), (None, None));
    }

    #[test]
    fn a_command_without_a_file_has_no_line() {
        let r = Record {
            level: Level::Error,
            file: None,
            line: Some(3),
            title: String::new(),
            message: "m".into(),
        };
        assert_eq!(command_line("error", &r), "::error::m");
    }
}
