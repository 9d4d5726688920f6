//! The HTML page in a real browser: Debian's headless Chromium loads a page built by
//! `gen_report::render::html::page` from a report full of hostile values, and the DOM it ends up
//! with (after any script would have run) must hold the report and nothing active.
//!
//! Needs `/usr/bin/chromium` (`.ci/install-chromium`). Without it the tests fail under CI (the
//! `CI` variable is set) and are skipped with a note elsewhere, so `cargo test` works on a laptop.

use crate::support;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use gen_report::render::html::page;

const CHROMIUM: &str = "/usr/bin/chromium";

/// How long one Chromium run may take before it is killed and the test fails.
const DEADLINE: Duration = Duration::from_secs(60);

/// Headless, and quiet on the network: this machine has none, and without these flags Chromium
/// keeps trying to reach its update and sync services.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

/// The title the page must still have after loading: hostile characters included, escaped.
const TITLE: &str = "Injection check <b> & \"quotes\"";
/// The same title as Chromium serialises `<title>`'s text.
const TITLE_IN_DOM: &str = "Injection check &lt;b&gt; &amp; \"quotes\"";

#[test]
fn hostile_report_is_inert_in_a_real_browser() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let markdown = std::fs::read_to_string(fixture("report.md")).unwrap();
    let html_path = dir.path().join("report.html");
    std::fs::write(&html_path, page(&markdown, TITLE)).unwrap();
    let url = file_url(&html_path);

    let dom = dump_dom(&chromium, dir.path(), &url);
    let tags = tags(&dom);
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();

    // The report is there: its table, its statuses, its folded failures, its code.
    for name in ["table", "thead", "tbody", "th", "td", "details", "summary", "pre", "kbd", "sub", "sup"] {
        assert!(names.contains(&name), "no <{name}> in the DOM:\n{dom}");
    }
    assert!(dom.contains("<span class=\"status fail\">❌</span>"), "no status span:\n{dom}");
    assert!(dom.contains("<span class=\"status warn\">[warn]</span>"), "no ASCII status span:\n{dom}");
    assert!(dom.contains("<a href=\"https://example.com/staging\">docs</a>"), "safe link lost:\n{dom}");
    // Hostile markup is shown as text, not dropped and not interpreted.
    assert!(dom.contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;"), "{dom}");
    assert!(dom.contains("&lt;img src=x onerror=\"document.title='PWNED'\"&gt;"), "{dom}");

    // No script ran: the title is ours.
    assert_eq!(title(&dom), Some(TITLE_IN_DOM), "the page's title changed:\n{dom}");
    // Nothing that could run or load: no such element, no event handler, no script URL.
    for forbidden in ["script", "img", "iframe", "svg", "object", "embed", "b"] {
        assert!(!names.contains(&forbidden), "a <{forbidden}> element is in the DOM:\n{dom}");
    }
    for tag in &tags {
        for (attr, value) in &tag.attributes {
            assert!(!attr.starts_with("on"), "<{} {attr}=…> in the DOM:\n{dom}", tag.name);
            let v: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_lowercase();
            assert!(
                !v.contains("javascript:") && !v.contains("vbscript:") && !v.starts_with("data:"),
                "<{} {attr}=\"{value}\"> in the DOM:\n{dom}",
                tag.name
            );
        }
        // Whitelisted tags pass bare: `<details open onclick=…>` must not become an element.
        if ["details", "summary", "kbd", "sub", "sup", "br"].contains(&tag.name.as_str()) {
            assert!(tag.attributes.is_empty(), "<{}> kept attributes {:?}", tag.name, tag.attributes);
        }
    }
    // Our <style> is the only one, in <head>: `<style>body { display: none }</style>` is text.
    assert_eq!(names.iter().filter(|n| **n == "style").count(), 1, "{dom}");

    // And it draws: a real screenshot of a real page, not an empty one.
    let png = dir.path().join("page.png");
    let status = run(
        &chromium,
        dir.path(),
        &[format!("--screenshot={}", png.display()), "--window-size=1200,900".into(), url],
    );
    assert!(status.success(), "chromium --screenshot failed: {status}");
    let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", png.display());
    assert!(bytes.len() > 10 * 1024, "screenshot of {} bytes: is the page blank?", bytes.len());
    // To look at it: GEN_REPORT_SCREENSHOT=/tmp/page.png cargo test --test it seed_chart_is_drawn_as_svg
    if let Some(keep) = std::env::var_os("GEN_REPORT_SCREENSHOT") {
        std::fs::copy(&png, &keep).unwrap();
    }
}

// Checks the seed report's chart is drawn as inline SVG in Chromium (no script, no Mermaid
// source on the page), with its values stated for screen readers, and screenshots it.
#[test]
fn seed_chart_is_drawn_as_svg() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = support::output(
        std::process::Command::new(env!("CARGO_BIN_EXE_gen-report"))
            .args(["data", "--format", "html"])
            .current_dir(env!("CARGO_MANIFEST_DIR")),
    );
    assert_eq!(out.status.code(), Some(0));
    let html_path = dir.path().join("seed.html");
    std::fs::write(&html_path, &out.stdout).unwrap();
    let url = file_url(&html_path);
    let dom = dump_dom(&chromium, dir.path(), &url);
    assert!(dom.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""), "no chart:\n{dom}");
    assert!(dom.contains("Auth: 6 of 25 (target) (below target); E2E: 18 of 25 (target) (below target); GCP: 22 of 15 (target) (not run)"), "{dom}");
    assert_eq!(dom.matches("<rect class=\"bar").count(), 5, "one bar per category");
    assert!(
        !dom.contains("xychart-beta") && !dom.contains("class=\"mermaid\""),
        "Mermaid source on the page"
    );
    let png = dir.path().join("seed.png");
    let status = run(
        &chromium,
        dir.path(),
        &[format!("--screenshot={}", png.display()), "--window-size=1000,1400".into(), url],
    );
    assert!(status.success(), "chromium --screenshot failed: {status}");
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 10 * 1024);
    if let Some(keep) = std::env::var_os("GEN_REPORT_CHART_SCREENSHOT") {
        std::fs::copy(&png, &keep).unwrap();
    }
}

/// The control: the same checks on a page *without* our sanitising would fail, because
/// headless Chromium does run scripts and handlers before dumping the DOM. Without this, a
/// title that stayed put could just mean that nothing ever runs here.
#[test]
fn control_unsanitised_page_does_run_script() {
    let Some(chromium) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("control.html");
    std::fs::write(
        &path,
        "<!doctype html><title>safe</title><img src=x onerror=\"document.body.dataset.hit='img'\">\
         <script>document.title='PWNED'</script>",
    )
    .unwrap();
    let dom = dump_dom(&chromium, dir.path(), &file_url(&path));
    assert_eq!(title(&dom), Some("PWNED"), "the control script did not run:\n{dom}");
    assert!(tags(&dom).iter().any(|t| t.name == "img" && t.attributes.iter().any(|(a, _)| a == "onerror")));
}

/// Chromium's path, or `None` (after a note) when it is missing outside CI.
fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from(CHROMIUM);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!("{CHROMIUM} not found: the browser tests need it under CI; run .ci/install-chromium");
    }
    eprintln!("note: {CHROMIUM} not found, browser test skipped (run .ci/install-chromium to enable it)");
    None
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/html_injection").join(name)
}

fn file_url(path: &Path) -> String {
    // Temp paths are plain ASCII without spaces, so no percent-encoding is needed.
    format!("file://{}", path.display())
}

/// The DOM of `url` after load, as `chromium --dump-dom` prints it.
fn dump_dom(chromium: &Path, dir: &Path, url: &str) -> String {
    let status = run(chromium, dir, &["--dump-dom".into(), url.into()]);
    let dom = std::fs::read_to_string(dir.join("stdout")).unwrap();
    assert!(status.success(), "chromium --dump-dom failed: {status}\n{}", stderr(dir));
    assert!(dom.contains("<html"), "no DOM from chromium:\n{dom}\n{}", stderr(dir));
    dom
}

fn stderr(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("stderr")).unwrap_or_default()
}

/// Runs Chromium with `args` and a fresh profile, stdout and stderr to files in `dir`, killing
/// it (and the processes it started) when it outlives [`DEADLINE`].
fn run(chromium: &Path, dir: &Path, args: &[String]) -> ExitStatus {
    use std::os::unix::process::CommandExt;

    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        // Files, not pipes: nothing has to drain them while we wait.
        .stdout(File::create(dir.join("stdout")).unwrap())
        .stderr(File::create(dir.join("stderr")).unwrap())
        // Its own process group, so a kill reaches Chromium's helper processes too.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > DEADLINE {
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} ran for over {DEADLINE:?} and was killed\n{}", stderr(dir));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The text of the document's `<title>`.
fn title(dom: &str) -> Option<&str> {
    let start = dom.find("<title>")? + "<title>".len();
    let len = dom[start..].find("</title>")?;
    Some(&dom[start..start + len])
}

/// A start tag in serialised HTML: its name and attributes, lower-cased names.
#[derive(Debug)]
struct StartTag {
    name: String,
    attributes: Vec<(String, String)>,
}

/// Every start tag of `dom`. In serialised HTML, `<` only ever opens markup (text has `&lt;`);
/// the one exception is raw text in `<style>`, which our CSS keeps free of `<`.
fn tags(dom: &str) -> Vec<StartTag> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if rest.starts_with(['/', '!']) {
            continue;
        }
        let (tag, after) = split_tag(rest);
        rest = after;
        let mut parts = attributes(tag);
        if parts.is_empty() {
            continue;
        }
        let (name, _) = parts.remove(0);
        out.push(StartTag { name, attributes: parts });
    }
    out
}

/// The inside of the tag at the start of `s` (up to its `>`, quotes respected) and what follows.
fn split_tag(s: &str) -> (&str, &str) {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return (&s[..i], &s[i + 1..]),
            _ => {}
        }
    }
    (s, "")
}

/// `name attr="v" flag` → `[(name, ""), (attr, v), (flag, "")]`.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = tag.trim_end_matches('/').chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=')).collect();
        if name.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(q) => value.extend(std::iter::from_fn(|| chars.next_if(|c| *c != q))),
                None => value.extend(std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace()))),
            }
            chars.next();
        }
        out.push((name.to_lowercase(), value));
    }
    out
}
