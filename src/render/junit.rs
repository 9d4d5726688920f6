//! `--format junit`: the measured results, whatever format they were read from (go test -json,
//! TAP, libtest, TRX, CTRF…, several merged), as one JUnit XML document in the shape GitLab's
//! `artifacts:reports:junit`, Jenkins' JUnit plugin and Azure's PublishTestResults read: one
//! `<testsuites>` with totals, a `<testsuite>` per suite name (in order of first appearance), a
//! `<testcase>` per case with `<failure>`, `<error>` or `<skipped>`. A flaky case (passed on a
//! rerun) is a passing case holding Surefire's `<flakyFailure>`, which gen-report reads back as
//! flaky and the others ignore. gen-report reads the document back with the same totals.

use std::collections::HashMap;
use std::fmt::Write;

use crate::model::{CaseRecord, Report};
use crate::results::Outcome;

#[derive(Default)]
struct Suite<'a> {
    name: &'a str,
    cases: Vec<&'a CaseRecord>,
    failures: u64,
    errors: u64,
    skipped: u64,
    time: f64,
}

/// The JUnit XML document for `report`, listing `cases`.
pub fn document(report: &Report, cases: &[CaseRecord]) -> String {
    let mut suites: Vec<Suite<'_>> = Vec::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for r in cases {
        let name = r.case.suite.as_str();
        let i = *by_name.entry(name).or_insert_with(|| {
            suites.push(Suite { name, ..Suite::default() });
            suites.len() - 1
        });
        let s = &mut suites[i];
        match r.case.outcome {
            Outcome::Failed => s.failures += 1,
            Outcome::Error => s.errors += 1,
            Outcome::Skipped => s.skipped += 1,
            Outcome::Passed => {}
        }
        s.time += r.case.duration_s;
        s.cases.push(r);
    }
    let (mut failures, mut errors, mut skipped, mut time) = (0, 0, 0, 0.0);
    for s in &suites {
        failures += s.failures;
        errors += s.errors;
        skipped += s.skipped;
        time += s.time;
    }
    // The measured duration, which counts what a runner stated for a whole file (suite setup,
    // a crashed run) beyond its cases' times; gen-report reads a root `time` as that figure.
    if let Some(m) = report.totals.measured.as_ref().filter(|m| m.duration_s > 0.0) {
        time = m.duration_s;
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{}\">",
        attr(&report.title),
        cases.len(),
        seconds(time)
    );
    for s in &suites {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\">",
            attr(s.name),
            s.cases.len(),
            s.failures,
            s.errors,
            s.skipped,
            seconds(s.time)
        );
        for r in &s.cases {
            case(&mut out, r);
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn case(out: &mut String, r: &CaseRecord) {
    let c = &r.case;
    // Jenkins and GitLab group by classname; without one, the suite stands in.
    let classname = c.classname.as_deref().filter(|s| !s.is_empty()).unwrap_or(&c.suite);
    let _ = write!(out, "    <testcase name=\"{}\" classname=\"{}\"", attr(&c.name), attr(classname));
    if let Some(f) = &c.file {
        let _ = write!(out, " file=\"{}\"", attr(f));
    }
    if let Some(l) = c.line {
        let _ = write!(out, " line=\"{l}\"");
    }
    let _ = write!(out, " time=\"{}\"", seconds(c.duration_s));
    let message = c.message.as_deref().unwrap_or("");
    let headline = message.lines().next().unwrap_or("");
    let element = match c.outcome {
        Outcome::Failed => Some("failure"),
        Outcome::Error => Some("error"),
        Outcome::Skipped => Some("skipped"),
        Outcome::Passed if c.flaky => Some("flakyFailure"),
        Outcome::Passed => None,
    };
    match element {
        None => out.push_str("/>\n"),
        Some(e) if message.is_empty() => {
            let _ = writeln!(out, ">\n      <{e}/>\n    </testcase>");
        }
        Some(e) => {
            let _ = writeln!(
                out,
                ">\n      <{e} message=\"{}\">{}</{e}>\n    </testcase>",
                attr(headline),
                text(message)
            );
        }
    }
}

/// Seconds with millisecond precision: the same figures give the same bytes.
fn seconds(s: f64) -> String {
    let s = if s.is_finite() && s > 0.0 { s } else { 0.0 };
    format!("{s:.3}")
}

/// A character XML 1.0 can hold; the others (most C0 controls) become U+FFFD.
fn xml_char(c: char) -> char {
    match c {
        '\t' | '\n' | '\r' => c,
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
        c => c,
    }
}

fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(xml_char) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_xml_cannot_hold() {
        assert_eq!(attr("a\"<b>&\n\u{1}"), "a&quot;&lt;b&gt;&amp;&#10;\u{FFFD}");
        assert_eq!(text("x < y\n\u{0}"), "x &lt; y\n\u{FFFD}");
        assert_eq!(seconds(f64::NAN), "0.000");
        assert_eq!(seconds(1.23456), "1.235");
    }
}
