//! The GitHub Action (`action.yml`), run here the way a runner runs a composite action: each
//! step's `env` evaluated from the inputs (`${{ inputs.x }}`, defaults, `||`), its `run` written
//! to a file and run with `bash --noprofile --norc -eo pipefail FILE` in `GITHUB_WORKSPACE`, with
//! temporary `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and `GITHUB_PATH`, then the action's
//! `outputs` resolved from the step's. No network: gen-report is the binary under test
//! (`GEN_REPORT_BIN`, or found on `PATH`), and `gh` is a stand-in on `PATH` that records its calls.
//! Also: the pre-commit hook, `--version` and colour switches. Unix only: the stand-ins are
//! shell scripts made executable (the action itself runs under bash on every runner).

#![cfg(unix)]

use crate::support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use support::{copy_dir, fixture, repo};

const BIN: &str = env!("CARGO_BIN_EXE_gen-report");

#[derive(Debug, Deserialize)]
struct Action {
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, Output>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
struct Input {
    #[allow(dead_code)]
    description: String,
    #[serde(default)]
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Output {
    value: String,
}

#[derive(Debug, Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
struct Step {
    id: Option<String>,
    shell: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    run: Option<String>,
    /// An action step: the source build's actions/cache is skipped, as on a runner with an
    /// empty cache; actions/cache/restore and save use the runner's cache folder.
    uses: Option<String>,
    #[serde(rename = "if")]
    condition: Option<String>,
    #[serde(default)]
    with: BTreeMap<String, String>,
}

/// A step's `if:` as the runner evaluates the forms the action uses: terms joined by `&&`, each
/// `!cancelled()` or `always()` (status functions: the step runs after a failed one) or
/// `CONTEXT == 'v'` / `CONTEXT != 'v'`. Without a status function a step runs only when every
/// step before it succeeded. Any other form fails the test.
fn condition_holds(condition: Option<&str>, ctx: &BTreeMap<String, String>, failed: bool) -> bool {
    let Some(text) = condition else { return !failed };
    let text = text.trim();
    let text = text.strip_prefix("${{").and_then(|t| t.strip_suffix("}}")).unwrap_or(text);
    let mut status = false;
    let mut holds = true;
    for term in text.split("&&").map(str::trim) {
        if term == "!cancelled()" || term == "always()" {
            status = true;
            continue;
        }
        let (lhs, rhs, equal) = if let Some((l, r)) = term.split_once("!=") {
            (l, r, false)
        } else if let Some((l, r)) = term.split_once("==") {
            (l, r, true)
        } else {
            panic!("unsimulated condition `{term}`");
        };
        let value = ctx.get(lhs.trim()).map(String::as_str).unwrap_or("");
        let want = rhs.trim().strip_prefix('\'').and_then(|r| r.strip_suffix('\'')).expect("a quoted value");
        holds &= (value == want) == equal;
    }
    holds && (status || !failed)
}

/// The workflow cache, as a folder: entries in creation order, each a key and a copy of a folder.
/// Entries are immutable (a second save of a key is refused with a warning, as on GitHub).
struct Cache {
    dir: tempfile::TempDir,
}

impl Cache {
    fn new() -> Self {
        Cache { dir: tempfile::tempdir().unwrap() }
    }

    fn keys(&self) -> Vec<String> {
        let index = fs::read_to_string(self.dir.path().join("index")).unwrap_or_default();
        index.lines().map(str::to_string).collect()
    }

    fn entry(&self, n: usize) -> PathBuf {
        self.dir.path().join(format!("entry-{n}"))
    }

    /// The files of the entry saved under `key`.
    fn files(&self, key: &str) -> Vec<String> {
        let n = self.keys().iter().position(|k| k == key).unwrap_or_else(|| panic!("no cache entry {key}"));
        let mut names: Vec<String> = fs::read_dir(self.entry(n))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// actions/cache/restore: the exact key, else the newest entry whose key starts with a
    /// `restore-keys` line. Returns what it logs.
    fn restore(&self, path: &Path, key: &str, prefixes: &str) -> String {
        let keys = self.keys();
        let hit = keys.iter().position(|k| k == key).or_else(|| {
            prefixes
                .lines()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .find_map(|p| keys.iter().rposition(|k| k.starts_with(p)))
        });
        match hit {
            Some(n) => {
                copy_dir(&self.entry(n), path);
                format!("Cache restored from key: {}\n", keys[n])
            }
            None => format!("Cache not found for input keys: {key}\n"),
        }
    }

    /// actions/cache/save. Returns what it logs.
    fn save(&self, path: &Path, key: &str) -> String {
        let mut keys = self.keys();
        if keys.iter().any(|k| k == key) {
            return format!("Warning: Failed to save: a cache entry for {key} exists\n");
        }
        if !path.is_dir() {
            return format!("Warning: Path Validation Error: {} does not exist\n", path.display());
        }
        copy_dir(path, &self.entry(keys.len()));
        keys.push(key.to_string());
        fs::write(self.dir.path().join("index"), keys.join("\n") + "\n").unwrap();
        format!("Cache saved with key: {key}\n")
    }
}

fn action() -> Action {
    let text = fs::read_to_string(repo().join("action.yml")).unwrap();
    serde_saphyr::from_str(&text).expect("action.yml parses")
}

/// The `${{ … }}` expressions the action uses, evaluated as the runner does: a context lookup,
/// `a || b` giving the first non-empty operand. Any other expression fails the test, so a new
/// one cannot go unsimulated.
fn evaluate(text: &str, ctx: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("unclosed expression") + start;
        let expr = rest[start + 3..end].trim();
        let value = expr
            .split("||")
            .map(|operand| {
                let operand = operand.trim();
                match ctx.get(operand) {
                    Some(v) => v.clone(),
                    // An output a step did not set is empty, as on a runner.
                    None if operand.starts_with("steps.") => String::new(),
                    None => panic!("unsimulated expression `{operand}` in `{text}`"),
                }
            })
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `GITHUB_OUTPUT` as the runner reads it: `k=v` lines and `k<<DELIMITER` blocks.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((k, delimiter)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delimiter).collect();
            map.insert(k.to_string(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            map.insert(k.to_string(), v.to_string());
        } else {
            panic!("not an output line: {line:?}");
        }
    }
    map
}

/// A runner for the action in a temporary workspace.
struct Runner {
    ws: tempfile::TempDir,
    temp: tempfile::TempDir,
    inputs: BTreeMap<String, String>,
    /// `github.*` and other contexts besides `inputs`.
    github: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    /// Directories put before the system PATH.
    path: Vec<PathBuf>,
    /// The workflow cache that actions/cache/restore and save use (none: they find nothing).
    cache: Option<std::rc::Rc<Cache>>,
}

/// What one run of the action left.
#[derive(Debug)]
struct Ran {
    code: i32,
    /// The step's log: stdout then stderr.
    log: String,
    outputs: BTreeMap<String, String>,
    summary: String,
    path_file: String,
}

impl Runner {
    fn new() -> Self {
        let mut github = BTreeMap::new();
        for key in ["github.token", "github.action_repository", "github.action_ref"] {
            github.insert(key.to_string(), String::new());
        }
        github.insert("github.event.pull_request.number".into(), String::new());
        let mut env = BTreeMap::new();
        env.insert("GEN_REPORT_BIN".into(), BIN.into());
        Runner {
            ws: tempfile::tempdir().unwrap(),
            temp: tempfile::tempdir().unwrap(),
            inputs: BTreeMap::new(),
            github,
            env,
            path: Vec::new(),
            cache: None,
        }
    }

    fn input(mut self, k: &str, v: &str) -> Self {
        self.inputs.insert(k.into(), v.into());
        self
    }

    fn workspace(&self) -> &Path {
        self.ws.path()
    }

    fn run(&self) -> Ran {
        let action = action();
        assert_eq!(action.runs.using, "composite");
        for k in self.inputs.keys() {
            assert!(action.inputs.contains_key(k), "action.yml has no input `{k}`");
        }
        let mut ctx = self.github.clone();
        for (name, input) in &action.inputs {
            let given = self.inputs.get(name).cloned();
            let value =
                given.unwrap_or_else(|| evaluate(input.default.as_deref().unwrap_or(""), &self.github));
            ctx.insert(format!("inputs.{name}"), value);
        }
        let t = self.temp.path();
        let (output, summary, path_file) = (t.join("output"), t.join("summary.md"), t.join("path"));
        let mut code = 0;
        let mut log = String::new();
        for (i, step) in action.runs.steps.iter().enumerate() {
            if !condition_holds(step.condition.as_deref(), &ctx, code != 0) {
                continue;
            }
            if let Some(uses) = &step.uses {
                let with = |k: &str| evaluate(step.with.get(k).map(String::as_str).unwrap_or(""), &ctx);
                let cache = self.cache.as_deref();
                if uses.starts_with("actions/cache/restore@") {
                    if let Some(cache) = cache {
                        log.push_str(&cache.restore(
                            Path::new(&with("path")),
                            &with("key"),
                            &with("restore-keys"),
                        ));
                    }
                } else if uses.starts_with("actions/cache/save@") {
                    if let Some(cache) = cache {
                        log.push_str(&cache.save(Path::new(&with("path")), &with("key")));
                    }
                } else {
                    assert!(uses.starts_with("actions/cache@"), "unsimulated action step {uses}");
                }
                continue;
            }
            assert_eq!(step.shell.as_deref(), Some("bash"), "the test runs bash steps only");
            fs::write(&output, "").unwrap();
            let script = t.join(format!("step{i}.sh"));
            fs::write(&script, evaluate(step.run.as_deref().expect("a run step"), &ctx)).unwrap();
            let system_path = std::env::var("PATH").unwrap_or_default();
            let mut path: Vec<String> = self.path.iter().map(|p| p.display().to_string()).collect();
            path.push(system_path);
            let mut cmd = Command::new("bash");
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(self.workspace())
                .env_clear()
                .env("PATH", path.join(":"))
                .env("HOME", t)
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_WORKSPACE", self.workspace())
                .env("GITHUB_ACTION_PATH", repo())
                .env("GITHUB_OUTPUT", &output)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .env("GITHUB_PATH", &path_file)
                .env("GITHUB_REPOSITORY", "owner/repo")
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64")
                .env("RUNNER_TEMP", t);
            for (k, v) in &step.env {
                cmd.env(k, evaluate(v, &ctx));
            }
            for (k, v) in &self.env {
                cmd.env(k, v);
            }
            let out = support::output(&mut cmd);
            log.push_str(&String::from_utf8_lossy(&out.stdout));
            log.push_str(&String::from_utf8_lossy(&out.stderr));
            let step_code = out.status.code().expect("the step was killed");
            if code == 0 {
                code = step_code; // the job's result: the first step that failed
            }
            let id = step.id.as_deref().unwrap_or("");
            for (k, v) in parse_outputs(&fs::read_to_string(&output).unwrap()) {
                ctx.insert(format!("steps.{id}.outputs.{k}"), v);
            }
        }
        let outputs = action
            .outputs
            .iter()
            .map(|(name, o)| {
                // An output the step never set is empty, as on a runner.
                let value =
                    o.value.trim().strip_prefix("${{").and_then(|v| v.strip_suffix("}}")).map(str::trim);
                let value = value.and_then(|k| ctx.get(k)).cloned().unwrap_or_default();
                (name.clone(), value)
            })
            .collect();
        Ran {
            code,
            log,
            outputs,
            summary: fs::read_to_string(&summary).unwrap_or_default(),
            path_file: fs::read_to_string(&path_file).unwrap_or_default(),
        }
    }
}

fn outputs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// A workspace holding the zero-config fixture's result files under `results/`.
fn with_results(r: Runner) -> Runner {
    let dir = r.workspace().join("results");
    fs::create_dir_all(&dir).unwrap();
    for f in ["pytest.xml", "surefire.xml"] {
        fs::copy(fixture("zero_config").join(f), dir.join(f)).unwrap();
    }
    r
}

/// gen-report run directly in `dir` (to compare the action's files with).
fn gen_report(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(dir).env_remove("SOURCE_DATE_EPOCH").env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = support::output(&mut cmd);
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
}

// Checks a results-only run with the defaults: the job summary, the report file, one annotation
// per failing test, the outputs — and that gen-report's directory is added to GITHUB_PATH.
#[test]
fn summarises_results_with_annotations_and_outputs() {
    let r = with_results(Runner::new()).input("results", "results/**/*.xml\n");
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    let report_path = r.temp.path().join("gen-report/report.md");
    assert_eq!(
        ran.outputs,
        outputs(&[
            ("verdict", "failed"),
            ("tests", "12"),
            ("passed", "3"),
            ("failed", "9"),
            ("errors", "5"),
            ("skipped", "0"),
            ("flaky", "0"),
            ("duration", "0.093"),
            ("report-path", report_path.to_str().unwrap()),
        ])
    );
    let ws = r.workspace();
    let files = ["results/pytest.xml", "results/surefire.xml"];
    let (_, full) = gen_report(ws, &files, &[]);
    assert_eq!(fs::read_to_string(&report_path).unwrap(), full);
    let (_, fitted) = gen_report(ws, &[&files[..], &["--budget", "summary"]].concat(), &[]);
    assert_eq!(ran.summary, fitted);
    let errors = ran.log.lines().filter(|l| l.starts_with("::error ")).count();
    assert_eq!(errors, 9, "{}", ran.log);
    assert_eq!(ran.path_file.trim(), Path::new(BIN).parent().unwrap().to_str().unwrap());
}

// Checks a data-directory run with `fail-on`, `check` (a stale committed report), `template`,
// `output` and `summary: false`: the step fails (exit 1) after writing the report and the
// outputs, and says the committed report is stale.
#[test]
fn fails_after_reporting_on_fail_on_and_a_stale_report() {
    let r = Runner::new();
    let ws = r.workspace().to_path_buf();
    copy_dir(&fixture("reconcile"), &ws.join("reconcile"));
    fs::write(ws.join("REPORT.md"), "# an old report\n").unwrap();
    let r = r
        .input("data", "reconcile")
        .input("results", "reconcile/results/staging.xml")
        .input("fail-on", "failures")
        .input("check", "REPORT.md")
        .input("template", "summary.md")
        .input("output", "out/report.md")
        .input("summary", "false")
        .input("annotations", "false");
    let ran = r.run();
    assert_eq!(ran.code, 1, "{}", ran.log);
    let report_path = ws.join("out/report.md").canonicalize().unwrap();
    assert_eq!(
        ran.outputs,
        outputs(&[
            ("verdict", "partly-met"),
            ("tests", "40"),
            ("passed", "38"),
            ("failed", "2"),
            ("errors", "0"),
            ("skipped", "0"),
            ("flaky", "0"),
            ("duration", "4.3"),
            ("report-path", report_path.to_str().unwrap()),
        ])
    );
    let args = ["reconcile", "--results", "reconcile/results/staging.xml", "--template", "summary.md"];
    let (_, expected) = gen_report(&ws, &args, &[]);
    assert_eq!(fs::read_to_string(&report_path).unwrap(), expected);
    assert_eq!(ran.summary, "", "summary: false writes no job summary");
    assert!(ran.log.contains("error: --fail-on condition holds: failures"), "{}", ran.log);
    // One error on the run page names the conditions that held, outside the paused block.
    let raised: Vec<&str> =
        ran.log.lines().filter(|l| l.starts_with("::error title=gen-report::fail-on")).collect();
    assert_eq!(raised, ["::error title=gen-report::fail-on: failures held (after the report was written)"]);
    assert!(
        ran.log.contains("::error title=gen-report::REPORT.md is stale: re-render it and commit it"),
        "{}",
        ran.log
    );
    assert!(!ran.log.lines().any(|l| l.starts_with("::error file=")), "annotations: false");
}

// Checks bad input: a glob matching nothing fails the step with gen-report's exit code 2 and its
// error, and no outputs.
#[test]
fn bad_input_fails_the_step_with_exit_2() {
    let ran = Runner::new().input("results", "nothing/*.xml").run();
    assert_eq!(ran.code, 2, "{}", ran.log);
    assert!(ran.log.contains("nothing/*.xml"), "{}", ran.log);
    assert_eq!(ran.outputs.get("verdict").map(String::as_str), Some(""));
    let bad = Runner::new().input("results", "x.xml").input("summary", "yes").run();
    assert_eq!(bad.code, 2);
    assert!(bad.log.contains("::error title=gen-report::input `summary` must be true or false, got `yes`"));
}

// Checks that without GEN_REPORT_BIN the action uses the gen-report found on PATH, and leaves
// GITHUB_PATH alone (it is on PATH already).
#[test]
fn uses_gen_report_from_path() {
    let mut r = with_results(Runner::new()).input("results", "results/pytest.xml");
    r.env.remove("GEN_REPORT_BIN");
    let bin = r.temp.path().join("bin");
    fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(BIN, bin.join("gen-report")).unwrap();
    r.path.push(bin.clone());
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert_eq!(ran.outputs["tests"], "3");
    assert_eq!(ran.path_file, "");
}

/// A stand-in `gh` that appends each call's arguments (one per line, then `--`) to `gh.log`, and
/// a `body=@FILE` field's file to `bodies.log`. `gh api user` prints `$GH_LOGIN` (fails when it
/// is empty, as for the default token); listing comments runs the action's `--jq` filter with the
/// real jq over `$GH_COMMENTS` (a JSON array), so the filter itself is under test.
fn stand_in_gh(r: &mut Runner) -> PathBuf {
    let bin = r.temp.path().join("gh-bin");
    fs::create_dir(&bin).unwrap();
    let log = r.temp.path().join("gh.log");
    let script = format!(
        r#"#!/usr/bin/env bash
set -eu
{{ printf 'GH_TOKEN=%s\n' "${{GH_TOKEN:-}}"; printf '%s\n' "$@"; echo --; }} >>'{log}'
for a in "$@"; do
  case "$a" in body=@*) cat "${{a#body=@}}" >>'{log}.bodies'; echo '--' >>'{log}.bodies' ;; esac
done
if [ "${{2:-}}" = user ]; then [ -n "${{GH_LOGIN:-}}" ] && printf '%s\n' "$GH_LOGIN"; exit $?; fi
if [ "${{2:-}}" = --paginate ]; then printf '%s' "${{GH_COMMENTS:-[]}}" | jq -r "$5"; fi
"#,
        log = log.display()
    );
    let gh = bin.join("gh");
    fs::write(&gh, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&gh, fs::Permissions::from_mode(0o755)).unwrap();
    r.path.push(bin);
    log
}

fn calls(log: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(log).unwrap_or_default();
    text.split("--\n").filter(|c| !c.is_empty()).map(|c| c.lines().map(str::to_string).collect()).collect()
}

fn commenting(existing: &str, mode: &str) -> (Runner, PathBuf) {
    let mut r = with_results(Runner::new())
        .input("results", "results/pytest.xml")
        .input("comment", mode)
        .input("annotations", "false");
    r.github.insert("github.token".into(), "t0ken".into());
    r.github.insert("github.event.pull_request.number".into(), "7".into());
    // A comment by someone else that starts with the marker comes first: it must never be taken.
    let mut comments =
        vec![format!(r#"{{"id": 666, "user": {{"login": "mallory"}}, "body": "{MARKER}\nplanted"}}"#)];
    if !existing.is_empty() {
        comments.push(format!(
            r#"{{"id": {existing}, "user": {{"login": "github-actions[bot]"}}, "body": "{MARKER}\nold"}}"#
        ));
    }
    r.env.insert("GH_COMMENTS".into(), format!("[{}]", comments.join(",")));
    let log = stand_in_gh(&mut r);
    (r, log)
}

const LIST: [&str; 5] = ["GH_TOKEN=t0ken", "api", "--paginate", "repos/owner/repo/issues/7/comments", "--jq"];
const MARKER: &str = "<!-- gen-report-comment: gen-report -->";

// Checks the comment: the first push posts one comment carrying the hidden marker, a later push
// (the marked comment found) updates that same comment; both hold the report within the comment
// budget.
#[test]
fn posts_one_comment_then_updates_it() {
    let (r, log) = commenting("", "always");
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    let jq = format!(
        ".[] | select(.user.login == \"github-actions[bot]\" and (.body | startswith(\"{MARKER}\"))) | .id"
    );
    let c = calls(&log);
    assert_eq!(c.len(), 3, "{c:?}");
    assert_eq!(c[0], ["GH_TOKEN=t0ken", "api", "user", "--jq", ".login"]);
    assert_eq!(c[1], [&LIST[..], &[jq.as_str()]].concat());
    assert_eq!(c[2][..5], ["GH_TOKEN=t0ken", "api", "-X", "POST", "repos/owner/repo/issues/7/comments"]);
    assert_eq!(c[2].len(), 7);
    assert!(c[2][6].starts_with("body=@"), "{:?}", c[2]);
    let (_, report) = gen_report(r.workspace(), &["results/pytest.xml", "--budget", "comment"], &[]);
    let bodies = fs::read_to_string(log.with_extension("log.bodies")).unwrap();
    assert_eq!(bodies, format!("{MARKER}\n{report}--\n"));

    let (r, log) = commenting("4242", "always");
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    let c = calls(&log);
    assert_eq!(c.len(), 3, "{c:?}");
    assert_eq!(c[2][..5], ["GH_TOKEN=t0ken", "api", "-X", "PATCH", "repos/owner/repo/issues/comments/4242"]);

    // A token that can read /user (a personal token): its login is the author looked for.
    let (mut r, log) = commenting("", "always");
    r.env.insert("GH_LOGIN".into(), "mallory".into());
    assert_eq!(r.run().code, 0);
    let c = calls(&log);
    assert_eq!(c[2][..5], ["GH_TOKEN=t0ken", "api", "-X", "PATCH", "repos/owner/repo/issues/comments/666"]);
}

// Checks `comment: on-failure`: a run where something failed posts; a green run posts nothing
// new, but still updates a comment posted earlier (so it stops showing fixed failures).
#[test]
fn on_failure_comments_only_when_something_failed() {
    let (r, log) = commenting("", "on-failure");
    assert_eq!(r.run().code, 0);
    assert_eq!(calls(&log).iter().filter(|c| c.contains(&"POST".to_string())).count(), 1);

    let green = |existing: &str| {
        let (r, log) = commenting(existing, "on-failure");
        fs::write(
            r.workspace().join("results/pytest.xml"),
            "<testsuite name=\"s\"><testcase classname=\"c\" name=\"ok\"/></testsuite>",
        )
        .unwrap();
        let ran = r.run();
        assert_eq!(ran.code, 0, "{}", ran.log);
        (ran, calls(&log))
    };
    let (ran, c) = green("");
    assert_eq!(c.len(), 2, "only the lookups: {c:?}");
    assert!(
        ran.log.contains("::notice title=gen-report::comment: nothing failed; no comment"),
        "{}",
        ran.log
    );
    let (_, c) = green("99");
    assert_eq!(c[2][..5], ["GH_TOKEN=t0ken", "api", "-X", "PATCH", "repos/owner/repo/issues/comments/99"]);
}

// Checks that without a token (a fork's pull request) the action still reports and sets its
// outputs, warns, and never calls gh.
#[test]
fn without_a_token_everything_but_the_comment_works() {
    let (mut r, log) = commenting("", "always");
    r.github.insert("github.token".into(), String::new());
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert_eq!(ran.outputs["failed"], "2");
    assert!(!ran.summary.is_empty());
    assert!(ran.log.contains("::warning title=gen-report::comment: no token, so no comment"), "{}", ran.log);
    assert_eq!(calls(&log), Vec::<Vec<String>>::new());
}

#[derive(Debug, Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    #[serde(default)]
    args: Vec<String>,
    pass_filenames: bool,
}

// Checks the pre-commit hooks as pre-commit runs them (entry + args, in the repository, no file
// names): exit 0 on an up-to-date REPORT.md, 1 with a diff on a stale one.
#[test]
fn pre_commit_hook_catches_a_stale_report() {
    let text = fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<Hook> = serde_saphyr::from_str(&text).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["gen-report-check", "gen-report-check-system"]);
    let ws = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("data"), &ws.path().join("data"));
    let (_, fresh) = gen_report(ws.path(), &["data"], &[]);
    for hook in &hooks {
        assert!(["rust", "system"].contains(&hook.language.as_str()), "{hook:?}");
        assert!(!hook.pass_filenames);
        let mut words = hook.entry.split_whitespace();
        assert_eq!(words.next(), Some("gen-report"));
        let args: Vec<String> = words.map(str::to_string).chain(hook.args.iter().cloned()).collect();
        let run = |report: &str| {
            fs::write(ws.path().join("REPORT.md"), report).unwrap();
            support::output(
                Command::new(BIN).args(&args).current_dir(ws.path()).env_remove("SOURCE_DATE_EPOCH"),
            )
        };
        assert_eq!(run(&fresh).status.code(), Some(0), "{hook:?}");
        let stale = run(&fresh.replace("67 of a 100-test target", "70 of a 100-test target"));
        assert_eq!(stale.status.code(), Some(1));
        let diff = String::from_utf8_lossy(&stale.stdout).into_owned();
        assert!(diff.lines().any(|l| l.starts_with('+') && l.contains("67 of a 100-test target")), "{diff}");
    }
}

// Checks `--version`: the crate version, and in a git checkout the commit it was built from.
#[test]
fn version_names_the_commit() {
    let out = support::output(Command::new(BIN).arg("--version"));
    let version = String::from_utf8(out.stdout).unwrap();
    let git = Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "--short=12", "HEAD"])
        .output();
    match git {
        Ok(g) if g.status.success() => {
            let commit = String::from_utf8(g.stdout).unwrap();
            assert_eq!(version, format!("gen-report {} ({})\n", env!("CARGO_PKG_VERSION"), commit.trim()));
        }
        _ => {
            assert!(std::env::var_os("CI").is_none(), "CI: git is needed to check the commit in --version");
            assert_eq!(version, format!("gen-report {}\n", env!("CARGO_PKG_VERSION")));
        }
    }
}

// Checks the colour switches of the one coloured output (clap's usage errors): CLICOLOR_FORCE
// colours even into a pipe, NO_COLOR wins over it, and a pipe is plain by default.
#[test]
fn colour_follows_no_color_and_clicolor_force() {
    let stderr = |env: &[(&str, &str)]| {
        let mut cmd = Command::new(BIN);
        cmd.arg("--no-such-flag").env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE").env_remove("CLICOLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = support::output(&mut cmd);
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8(out.stderr).unwrap()
    };
    assert!(stderr(&[("CLICOLOR_FORCE", "1")]).contains("\u{1b}["));
    assert!(!stderr(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\u{1b}'));
    assert!(!stderr(&[]).contains('\u{1b}'));
}

/// A stand-in `curl` serving `https://github.com/owner/gen-report/releases/download/…` from
/// `dir` (`curl -fsSL --retry 3 -o OUT URL`), 22 (curl's HTTP error) for a missing file, and
/// logging each URL to `curl.log`.
fn stand_in_curl(r: &mut Runner, dir: &Path) -> PathBuf {
    let bin = r.temp.path().join("curl-bin");
    fs::create_dir(&bin).unwrap();
    let log = r.temp.path().join("curl.log");
    let script = format!(
        r#"#!/usr/bin/env bash
set -eu
out="$5" url="$6"
printf '%s\n' "$url" >>'{log}'
f='{dir}'/"${{url#https://github.com/owner/gen-report/releases/download/}}"
[ -f "$f" ] || exit 22
cp "$f" "$out"
"#,
        log = log.display(),
        dir = dir.display()
    );
    fs::write(bin.join("curl"), script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(bin.join("curl"), fs::Permissions::from_mode(0o755)).unwrap();
    r.path.push(bin);
    log
}

/// A release made by scripts/dist from the binary under test, in `<dir>/v<version>/`.
fn release(dir: &Path) -> PathBuf {
    let tag = dir.join(format!("v{}", env!("CARGO_PKG_VERSION")));
    let stripped = dir.join("gen-report");
    let ok = Command::new("strip").arg("-o").arg(&stripped).arg(BIN).status().is_ok_and(|s| s.success());
    let bin = if ok { stripped } else { PathBuf::from(BIN) };
    let run = support::output(
        Command::new("bash")
            .arg(repo().join("scripts/dist"))
            .args(["--target", "x86_64-unknown-linux-musl", "--bin"])
            .arg(&bin)
            .arg("--out")
            .arg(&tag),
    );
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    tag
}

// Checks the binary's way in without GEN_REPORT_BIN and without gen-report on PATH: a SHA pin
// downloads the release of Cargo.toml's version, verifies its SHA-256, keeps it in the tool cache
// and adds it to GITHUB_PATH; the next run takes it from the cache without a download; a release
// whose checksum does not match is never run (exit 2, one error).
#[test]
fn downloads_the_release_binary_verified_and_caches_it() {
    let served = tempfile::tempdir().unwrap();
    let tag = release(served.path());
    let tools = tempfile::tempdir().unwrap();
    let setup = |r: Runner| {
        let mut r = with_results(r).input("results", "results/pytest.xml");
        r.env.remove("GEN_REPORT_BIN");
        r.env.insert("RUNNER_TOOL_CACHE".into(), tools.path().display().to_string());
        r.github.insert("github.action_repository".into(), "owner/gen-report".into());
        r.github.insert("github.action_ref".into(), "0123456789abcdef0123456789abcdef01234567".into());
        let log = stand_in_curl(&mut r, served.path());
        (r, log)
    };
    let version = env!("CARGO_PKG_VERSION");
    let cached = tools.path().join(format!("gen-report/{version}/X64/gen-report"));
    let (r, log) = setup(Runner::new());
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert_eq!(ran.outputs["tests"], "3");
    let url = format!(
        "https://github.com/owner/gen-report/releases/download/v{version}/gen-report-x86_64-unknown-linux-musl.tar.gz"
    );
    assert_eq!(fs::read_to_string(&log).unwrap(), format!("{url}\n{url}.sha256\n"));
    assert!(cached.is_file());
    assert_eq!(ran.path_file.trim(), cached.parent().unwrap().to_str().unwrap());
    assert!(ran.log.contains("SHA-256 verified"), "{}", ran.log);

    let (r, log) = setup(Runner::new());
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert!(!log.exists(), "the tool cache is used: no download");

    // A tampered archive: refused before anything runs.
    fs::remove_dir_all(tools.path().join("gen-report")).unwrap();
    let sum = tag.join("gen-report-x86_64-unknown-linux-musl.tar.gz.sha256");
    let text = fs::read_to_string(&sum).unwrap();
    fs::write(&sum, format!("{}{}", "0".repeat(64), &text[64..])).unwrap();
    let (r, _) = setup(Runner::new());
    let ran = r.run();
    assert_eq!(ran.code, 2, "{}", ran.log);
    assert_eq!(
        ran.log.lines().filter(|l| l.starts_with("::error title=gen-report::")).count(),
        1,
        "{}",
        ran.log
    );
    assert!(ran.log.contains("not run"), "{}", ran.log);
    assert!(!cached.exists());
}

// Checks that bad input raises exactly one error on the run page, outside any paused block, with
// control characters escaped — for gen-report's own error and for clap's usage error — and that
// a file named like an option stays a file name (it is passed after `--`).
#[test]
fn one_escaped_error_for_bad_input_and_file_names_stay_file_names() {
    let paused = |log: &str| {
        // The error line must not be inside a stop-commands block.
        let mut token: Option<String> = None;
        for line in log.lines() {
            if let Some(t) = line.strip_prefix("::stop-commands::") {
                token = Some(t.to_string());
            } else if token.as_ref().is_some_and(|t| line == format!("::{t}::")) {
                token = None;
            } else if line.starts_with("::error title=gen-report::") {
                return token.is_some();
            }
        }
        panic!("no error raised: {log}");
    };
    let r = Runner::new();
    fs::write(r.workspace().join("bad.xml"), "<testsuite><testcase name=\"x\">").unwrap();
    let ran = r.input("results", "bad.xml").run();
    assert_eq!(ran.code, 2, "{}", ran.log);
    assert!(!paused(&ran.log), "{}", ran.log);
    let errors: Vec<&str> = ran.log.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 1, "{}", ran.log);
    assert!(errors[0].contains("bad.xml"), "{}", errors[0]);

    // An empty file named `--templates=tdir.xml` beside a folder `tdir.xml/`: both are read as
    // results (the folder holds a failing run), never as an option.
    let r = Runner::new();
    let ws = r.workspace();
    fs::write(ws.join("--templates=tdir.xml"), "").unwrap();
    fs::create_dir(ws.join("tdir.xml")).unwrap();
    fs::copy(fixture("zero_config").join("pytest.xml"), ws.join("tdir.xml/pytest.xml")).unwrap();
    let ran = r.input("results", "*").input("fail-on", "failures").run();
    assert_ne!(ran.code, 0, "{}", ran.log);
    assert!(!ran.summary.contains("All tests passed"), "{}", ran.summary);

    // A name holding a newline and a tab, in an `args` usage error: one line, both visible.
    let ran = Runner::new().input("results", "x.xml").input("args", "'--no-such\n\tflag'").run();
    assert_eq!(ran.code, 2, "{}", ran.log);
    let errors: Vec<&str> = ran.log.lines().filter(|l| l.starts_with("::error")).collect();
    assert_eq!(errors.len(), 1, "{}", ran.log);
    // gen-report escapes the newline itself (`\n`); the action makes the tab visible.
    assert!(errors[0].contains("--no-such\\n\\x09flag"), "{}", errors[0]);
}

// Checks findings as warning annotations (escaped, at most 10, then one notice), a results
// pattern matching nothing as a finding while the report is written from the others, `args`
// split like a shell, and the verdict of manifests without results.
#[test]
fn findings_patterns_args_and_the_unverified_verdict() {
    let r = with_results(Runner::new())
        .input("results", "results/pytest.xml\nshard-9/*.xml")
        .input("template", "custom.md")
        .input("args", r#"--templates "my  dir" --merge-reruns"#);
    fs::create_dir(r.workspace().join("my  dir")).unwrap();
    fs::write(r.workspace().join("my  dir/custom.md"), "custom {{ totals.tests }} tests\n").unwrap();
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert_eq!(ran.outputs["tests"], "3", "the report is written from the other pattern");
    assert!(
        ran.log.contains("::warning title=gen-report::results pattern `shard-9/*.xml` matched no file"),
        "{}",
        ran.log
    );
    assert!(ran.summary.contains("shard-9/*.xml"), "{}", ran.summary);
    let report = fs::read_to_string(&ran.outputs["report-path"]).unwrap();
    assert_eq!(report, "custom 3 tests\n", "the quoted name is one argument");

    let ran = Runner::new().input("results", "none/*.xml").run();
    assert_eq!(ran.code, 2);
    assert!(ran.log.contains("no pattern matched a file (`none/*.xml`)"), "{}", ran.log);
    let ran = Runner::new().input("results", "x.xml").input("args", "'open").run();
    assert_eq!(ran.code, 2);
    assert!(ran.log.contains("quote is not closed"), "{}", ran.log);

    // Manifests without results: the report says unverified, so does the output.
    let r = Runner::new();
    copy_dir(&repo().join("data"), &r.workspace().join("data"));
    let ran = r.input("data", "data").run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert_eq!(ran.outputs["verdict"], "unverified");
    let warnings = ran.log.lines().filter(|l| l.starts_with("::warning title=gen-report::")).count();
    assert!((1..=10).contains(&warnings), "{}", ran.log);
}

// Checks `check` with `results`: a committed report rendered from the same results is up to date.
#[test]
fn check_with_results_passes_on_a_fresh_report() {
    let r = with_results(Runner::new());
    let (_, fresh) = gen_report(r.workspace(), &["--", "results/pytest.xml", "results/surefire.xml"], &[]);
    fs::write(r.workspace().join("REPORT.md"), fresh).unwrap();
    let ran = r.input("results", "results/*.xml").input("check", "REPORT.md").run();
    assert_eq!(ran.code, 0, "{}", ran.log);
}

/// A JUnit file of tests a, b and c in which `failing` fail.
fn abc_junit(failing: &[&str]) -> String {
    let cases: String = ["a", "b", "c"]
        .iter()
        .map(|n| {
            let failure = if failing.contains(n) {
                format!("<failure message=\"{n} broke\">at t.{n}</failure>")
            } else {
                String::new()
            };
            format!("<testcase classname=\"t\" name=\"{n}\" time=\"0.010\">{failure}</testcase>")
        })
        .collect();
    format!("<testsuite name=\"s\" tests=\"3\" failures=\"{}\">{cases}</testsuite>\n", failing.len())
}

/// A run of the action with the history on: a push to main (`pr: None`) or pull request 7 into
/// main, as run `number`, with tests a, b, c of which `failing` fail.
fn history_run(cache: &std::rc::Rc<Cache>, pr: Option<u32>, number: u32, failing: &[&str]) -> Runner {
    let mut r = Runner::new().input("results", "results/*.xml");
    r.cache = Some(cache.clone());
    fs::create_dir_all(r.workspace().join("results")).unwrap();
    fs::write(r.workspace().join("results/junit.xml"), abc_junit(failing)).unwrap();
    let (event, git_ref, ref_name, base) = match pr {
        None => ("push", "refs/heads/main".to_string(), "main".to_string(), ""),
        Some(n) => ("pull_request", format!("refs/pull/{n}/merge"), format!("{n}/merge"), "main"),
    };
    for (k, v) in [
        ("GITHUB_EVENT_NAME", event.to_string()),
        ("GITHUB_REF", git_ref),
        ("GITHUB_REF_NAME", ref_name),
        ("GITHUB_BASE_REF", base.to_string()),
        ("GITHUB_RUN_NUMBER", number.to_string()),
        ("GITHUB_RUN_ID", (1000 + number).to_string()),
        ("GITHUB_RUN_ATTEMPT", "1".to_string()),
    ] {
        r.env.insert(k.into(), v);
    }
    r
}

// Checks the history kept in the workflow cache: each push to main restores main's newest
// records, adds its own and saves them under a new key (even when tests fail); a pull request
// is reported against main's latest run — a new failure and a fix named, the new-failures gate
// holding — and saves nothing.
#[test]
fn history_follows_the_base_branch_through_the_cache() {
    let cache = std::rc::Rc::new(Cache::new());
    let ran = history_run(&cache, None, 1, &["b"]).run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert!(ran.log.contains("Cache not found"), "{}", ran.log);
    assert!(
        ran.log.contains("::notice title=gen-report::history: no earlier runs of main in the cache yet"),
        "{}",
        ran.log
    );
    assert_eq!(cache.keys(), ["gen-report-history-gen-report-main-1001-1"]);
    assert_eq!(cache.files("gen-report-history-gen-report-main-1001-1"), ["1.parquet"]);

    // A failing run still saves its record (the gate fails the step after the report).
    let ran = history_run(&cache, None, 2, &["b"]).input("fail-on", "failures").run();
    assert_eq!(ran.code, 1, "{}", ran.log);
    assert!(
        ran.log.contains("Cache restored from key: gen-report-history-gen-report-main-1001-1"),
        "{}",
        ran.log
    );
    assert!(ran.summary.contains("### 🔁 Still failing (1)"), "{}", ran.summary);
    assert_eq!(cache.files("gen-report-history-gen-report-main-1002-1"), ["1.parquet", "2.parquet"]);

    // The pull request breaks a and fixes b.
    let ran = history_run(&cache, Some(7), 3, &["a"]).input("fail-on", "new-failures").run();
    assert_eq!(ran.code, 1, "{}", ran.log);
    assert!(
        ran.log.contains("Cache restored from key: gen-report-history-gen-report-main-1002-1"),
        "{}",
        ran.log
    );
    assert!(ran.summary.contains("compared with the previous run, **2**"), "{}", ran.summary);
    assert!(ran.summary.contains("### 🆕 New failures (1)"), "{}", ran.summary);
    assert!(ran.summary.contains("### 🩹 Fixed (1)"), "{}", ran.summary);
    assert!(ran.log.contains("::error title=gen-report::fail-on: "), "{}", ran.log);
    assert_eq!(cache.keys().len(), 2, "a pull request saves nothing: {:?}", cache.keys());

    // The same pull request without new failures passes the gate: b's failure is main's too.
    let ran = history_run(&cache, Some(7), 4, &["b"]).input("fail-on", "new-failures").run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert!(ran.summary.contains("### 🔁 Still failing (1)"), "{}", ran.summary);
}

// Checks a pull request from a fork (no token) whose base branch has no cache (never made, or
// evicted): "no history yet", a report and no error — and the new-failures gate does not pass
// on failures it cannot compare (every failure is new when nothing is known).
#[test]
fn an_evicted_cache_reads_as_no_history_yet() {
    let cache = std::rc::Rc::new(Cache::new());
    let ran = history_run(&cache, Some(9), 5, &[]).input("token", "").input("comment", "always").run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert!(ran.log.contains("history: no earlier runs of main in the cache yet"), "{}", ran.log);
    assert!(!ran.log.contains("::error"), "{}", ran.log);
    assert!(ran.summary.contains("does not exist yet"), "{}", ran.summary);
    assert!(!ran.summary.contains("Test changes"), "{}", ran.summary);
    assert!(cache.keys().is_empty());
    let ran = history_run(&cache, Some(9), 6, &["c"]).input("fail-on", "new-failures").run();
    assert_eq!(ran.code, 1, "{}", ran.log);
}

// Checks two matrix shards keep apart histories under their own keys, and that the cache keeps
// `history-window` records.
#[test]
fn shards_keep_their_own_history_and_the_window_bounds_it() {
    let cache = std::rc::Rc::new(Cache::new());
    for number in 1..=3 {
        for shard in ["tests-1", "tests-2"] {
            let ran = history_run(&cache, None, number, &[])
                .input("history-key", shard)
                .input("history-window", "2")
                .run();
            assert_eq!(ran.code, 0, "{}", ran.log);
            if number == 1 {
                assert!(
                    ran.log.contains("Cache not found"),
                    "{shard} restored another shard's:\n{}",
                    ran.log
                );
            }
        }
    }
    let keys = cache.keys();
    assert_eq!(keys.len(), 6, "{keys:?}");
    assert_eq!(cache.files("gen-report-history-tests-1-main-1003-1"), ["2.parquet", "3.parquet"]);
    assert_eq!(cache.files("gen-report-history-tests-2-main-1003-1"), ["2.parquet", "3.parquet"]);
    let ran = history_run(&cache, None, 4, &[]).input("history-window", "1").run();
    assert_eq!(ran.code, 2, "{}", ran.log);
    assert!(ran.log.contains("input `history-window` must be a whole number from 2 to 1000"), "{}", ran.log);
}

// Checks `history: false` reads and keeps nothing.
#[test]
fn history_can_be_turned_off() {
    let cache = std::rc::Rc::new(Cache::new());
    for number in 1..=2 {
        let ran = history_run(&cache, None, number, &["a"]).input("history", "false").run();
        assert_eq!(ran.code, 0, "{}", ran.log);
        assert!(!ran.summary.contains("History"), "{}", ran.summary);
    }
    assert!(cache.keys().is_empty());
}

// Checks the log holds no empty stop-commands pair (a pause with nothing to quote) and that with
// `check` set the findings are shown once, not again by the check's run.
#[test]
fn the_log_pauses_only_around_output_and_shows_findings_once() {
    let r = Runner::new();
    let ws = r.workspace().to_path_buf();
    fs::create_dir_all(ws.join("results")).unwrap();
    // Declares 5 tests and holds 3: a finding.
    fs::write(ws.join("results/j.xml"), abc_junit(&[]).replace("tests=\"3\"", "tests=\"5\"")).unwrap();
    let fresh = gen_report(&ws, &["--", "results/j.xml"], &[]).1;
    fs::write(ws.join("REPORT.md"), fresh).unwrap();
    let ran =
        r.input("results", "results/j.xml").input("check", "REPORT.md").input("annotations", "false").run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    // One pause: around the report run's stderr; the fresh check printed nothing to fence.
    assert_eq!(ran.log.matches("::stop-commands::").count(), 1, "{}", ran.log);
    let findings = ran.log.matches("declares").count();
    // Once as gen-report printed it, once as the warning annotation.
    assert_eq!(findings, 2, "{}", ran.log);
}

// Checks a workflow_run (which reports another run's results, often a pull request's, on the
// default branch) reads the branch's history and saves nothing into it.
#[test]
fn a_workflow_run_reads_the_history_and_saves_nothing() {
    let cache = std::rc::Rc::new(Cache::new());
    let ran = history_run(&cache, None, 1, &["a"]).run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    let mut r = history_run(&cache, None, 2, &["b"]);
    r.env.insert("GITHUB_EVENT_NAME".into(), "workflow_run".into());
    let ran = r.run();
    assert_eq!(ran.code, 0, "{}", ran.log);
    assert!(ran.summary.contains("### 🆕 New failures (1)"), "{}", ran.summary);
    assert_eq!(cache.keys(), ["gen-report-history-gen-report-main-1001-1"]);
}
