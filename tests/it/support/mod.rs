//! Helpers for the CLI tests: run the real binary (always with a timeout), check exit codes,
//! copy and edit data dirs, name snapshots.

#![allow(dead_code)]

pub mod markdown;

use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

/// `insta::assert_snapshot!` under the names the snapshots had when each area was its own test
/// binary: `tests/snapshots/<area>__<name>.snap` (insta would otherwise prefix `it__<area>__`
/// and look in `tests/it/snapshots`).
macro_rules! assert_snapshot {
    ($name:expr, $value:expr $(,)?) => {
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!($crate::support::snapshot_name(module_path!(), $name), $value)
        })
    };
}

/// `<area>__<name>`, the area being the test module's (`it::cli` → `cli`).
pub fn snapshot_name(module_path: &str, name: &str) -> String {
    let area = module_path.rsplit("::").next().unwrap_or(module_path);
    format!("{area}__{name}")
}

/// The environment variable that overrides [`DEFAULT_TIMEOUT`], in seconds.
pub const TIMEOUT_VAR: &str = "GEN_REPORT_TEST_TIMEOUT";

/// How long one run of the binary may take before it is killed and the test fails: generous,
/// as the machine may be shared and the hostile tests run big inputs; a hang fails, never blocks.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The run timeout: `GEN_REPORT_TEST_TIMEOUT` seconds if set, else [`DEFAULT_TIMEOUT`].
pub fn timeout() -> Duration {
    match std::env::var(TIMEOUT_VAR) {
        Ok(v) => match v.trim().parse::<f64>() {
            Ok(secs) if secs.is_finite() && secs > 0.0 => Duration::from_secs_f64(secs),
            _ => panic!("{TIMEOUT_VAR}={v:?}: expected a positive number of seconds"),
        },
        Err(_) => DEFAULT_TIMEOUT,
    }
}

/// Runs `cmd` as `Command::output` does (stdin closed, stdout and stderr captured), but kills it
/// and fails the test if it runs longer than [`timeout()`]. On Unix the run gets its own process
/// group and the whole group is killed, so a wrapper's (bash's) children go too and cannot keep
/// the pipes open.
#[track_caller]
pub fn output(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null());
    output_with_stdin(cmd, None)
}

/// [`output`], writing `stdin` to the run's standard input (then closing it).
#[track_caller]
pub fn output_with_stdin(cmd: &mut Command, stdin: Option<Vec<u8>>) -> Output {
    output_within(cmd, stdin, timeout())
}

/// [`output_with_stdin`] with an explicit `limit`.
#[track_caller]
fn output_within(cmd: &mut Command, stdin: Option<Vec<u8>>, limit: Duration) -> Output {
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let what = describe(cmd);
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let feed = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        std::thread::spawn(move || {
            use std::io::Write;
            // A run that exits without reading all of it closes the pipe: not our failure.
            let _ = pipe.write_all(&bytes);
        })
    });
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().expect("stdout is piped")));
    let err = drain(Box::new(child.stderr.take().expect("stderr is piped")));
    let status = wait_or_kill(&mut child, started, limit, &what);
    if let Some(feed) = feed {
        let _ = feed.join();
    }
    Output { status, stdout: out.join().expect("stdout reader"), stderr: err.join().expect("stderr reader") }
}

/// Waits for `child`; past `limit` kills it (its process group on Unix) and panics.
#[track_caller]
pub fn wait_or_kill(
    child: &mut std::process::Child,
    started: Instant,
    limit: Duration,
    what: &str,
) -> ExitStatus {
    loop {
        if let Some(status) = child.try_wait().expect("waiting for the run") {
            return status;
        }
        if started.elapsed() > limit {
            kill(child);
            panic!("{what} hung: killed after {limit:?} (raise {TIMEOUT_VAR} if the machine is just slow)");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Kills `child` and, on Unix, the process group it leads (see [`output`]), then reaps it.
pub fn kill(child: &mut std::process::Child) {
    #[cfg(unix)]
    if let Ok(pid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: a signal to the process group our own child leads.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `program args…`, for messages.
fn describe(cmd: &Command) -> String {
    let mut parts: Vec<OsString> = vec![cmd.get_program().to_owned()];
    parts.extend(cmd.get_args().map(ToOwned::to_owned));
    let text = parts.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join(" ");
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_gen-report");

/// Exit code for bad input or usage.
pub const BAD_INPUT: i32 = 2;

/// The crate root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/fixtures`.
pub fn fixtures() -> PathBuf {
    repo().join("tests").join("fixtures")
}

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    let p = fixtures().join(name);
    assert!(p.exists(), "missing fixture {}", p.display());
    p
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout_bytes: Vec<u8>,
    pub stdout: String,
    pub stderr: String,
}

/// A `gen-report` invocation, run from the crate root with `SOURCE_DATE_EPOCH` unset.
pub struct GenReport {
    cmd: Command,
}

/// Starts a `gen-report` invocation with `args`.
pub fn gen_report<I, S>(args: I) -> GenReport
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(repo()).env_remove("SOURCE_DATE_EPOCH");
    GenReport { cmd }
}

impl GenReport {
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(mut self, key: &str) -> Self {
        self.cmd.env_remove(key);
        self
    }

    pub fn run(mut self) -> Run {
        let out = output(&mut self.cmd);
        Run {
            code: out.status.code().expect("gen-report was killed by a signal"),
            stdout: String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8"),
            stdout_bytes: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs `gen-report args` from the crate root.
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    gen_report(args).run()
}

/// Asserts the exit code, showing stderr when it differs.
#[track_caller]
pub fn assert_exit(run: &Run, code: i32) {
    assert_eq!(run.code, code, "unexpected exit code; stderr:\n{}", run.stderr);
}

/// Asserts a successful run with a non-empty report on stdout.
#[track_caller]
pub fn assert_ok(run: &Run) {
    assert_exit(run, 0);
    assert!(!run.stdout.is_empty(), "empty stdout; stderr:\n{}", run.stderr);
}

/// Asserts exit 2, nothing on stdout, and that stderr contains every one of `needles`.
#[track_caller]
pub fn assert_bad_input(run: &Run, needles: &[&str]) {
    assert_exit(run, BAD_INPUT);
    assert!(run.stdout_bytes.is_empty(), "stdout must be empty on error, got:\n{}", run.stdout);
    // Warnings about the input (the seed's unverified claims) may come first.
    assert!(
        after_warnings(&run.stderr).starts_with("error: "),
        "stderr must start with `error: ` after any warnings:\n{}",
        run.stderr
    );
    for needle in needles {
        assert!(run.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", run.stderr);
    }
}

/// `stderr` after its leading warnings (each a `warning: ` line and its source snippet).
pub fn after_warnings(stderr: &str) -> &str {
    let mut rest = stderr;
    while rest.starts_with("warning: ") {
        let mut lines = rest.split_inclusive('\n');
        let mut skip = lines.next().map_or(0, str::len);
        // The snippet: `  --> file:line:col`, `   |`, `16 | text`, `   |   ^`.
        for l in lines {
            let snippet = l.starts_with(' ')
                || l.split_once(" | ").is_some_and(|(n, _)| n.trim().parse::<u64>().is_ok());
            if !snippet {
                break;
            }
            skip += l.len();
        }
        rest = &rest[skip..];
    }
    rest
}

/// Replaces every occurrence of `dir` (as given and canonicalized) with `[TMP]`.
pub fn redact(text: &str, dir: &Path) -> String {
    let mut out = text.to_string();
    let mut forms = vec![dir.display().to_string()];
    if let Ok(c) = dir.canonicalize() {
        forms.push(c.display().to_string());
    }
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    for f in forms {
        out = out.replace(&f, "[TMP]");
    }
    out
}

/// Copies the directory tree `src` into `dst` (created).
pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for entry in fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
}

/// A temp dir holding a copy of the repo's `data/` as `<tmp>/data`.
pub struct SeedCopy {
    pub tmp: tempfile::TempDir,
    pub data: PathBuf,
}

impl SeedCopy {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let data = tmp.path().join("data");
        copy_dir(&repo().join("data"), &data);
        Self { tmp, data }
    }

    /// A file of the copy, relative to its data dir.
    pub fn file(&self, rel: &str) -> PathBuf {
        self.data.join(rel)
    }

    /// Replaces the one occurrence of `from` with `to` in `rel` (a path in the data dir).
    #[track_caller]
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let path = self.file(rel);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once in {rel}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }
}

/// Names of the entries of `dir`, sorted.
pub fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

// Checks the run timeout itself: a run that outlives it is killed (with the wrapper's children,
// which hold the pipes) and the test fails naming the run, instead of blocking.
#[cfg(unix)]
#[test]
#[should_panic(expected = "bash -c sleep 60 & wait hung: killed after 300ms")]
fn a_hung_run_fails_the_test() {
    let mut cmd = Command::new("bash");
    cmd.args(["-c", "sleep 60 & wait"]);
    output_within(&mut cmd, None, Duration::from_millis(300));
}
