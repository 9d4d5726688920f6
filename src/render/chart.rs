//! Charts drawn by gen-report itself, as inline SVG for the HTML page (which runs no script, so
//! it cannot draw the Markdown's Mermaid source): accessible (`role="img"`, a title, a
//! description that states every value, a `<title>` per bar) and coloured by CSS classes that
//! follow the page's light or dark scheme.

use std::fmt::Write;

use crate::model::{Report, Status};

use super::filters::escape_html;

/// The charts of a report, each with the key (its title, as the templates write it in the
/// Mermaid source) that says which Mermaid block it replaces.
pub fn for_report(report: &Report) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !report.categories.is_empty() {
        let what = if report.results.is_some() { "Passing tests" } else { "Declared tests" };
        let title = format!("{what} against target");
        // A bar is coloured by its category's status, the one the table shows: a category met
        // only on declared counts, or never run, is never painted "met".
        let bars: Vec<Bar> = report
            .categories
            .iter()
            .map(|c| (c.name.clone(), c.credited, c.target, Some(c.status)))
            .collect();
        out.push((title.clone(), bar_chart(&title, what, "target", &bars)));
    }
    if let Some(h) = &report.history
        && h.runs.len() > 1
    {
        // Bars: passed tests per run; marks: the tests run (a bar short of its mark failed).
        let bars: Vec<Bar> = h
            .runs
            .iter()
            .map(|r| match &r.totals {
                Some(t) => (r.label.clone(), t.passed, t.tests, None),
                None => (r.label.clone(), r.credited, r.target, None),
            })
            .collect();
        let svg = bar_chart("Passed tests per run", "Passed tests", "tests run", &bars);
        out.push(("Passed and failed tests per run".to_string(), svg));
    }
    out
}

/// One bar: label, value, target mark, and the status it stands for (`None`: the value
/// against its mark decides, as for history runs, whose bars count passed tests).
pub type Bar = (String, u64, u64, Option<Status>);

/// CSS class and the words a bar's title adds for a status.
fn bar_class(status: Option<Status>, value: u64, target: u64) -> (&'static str, &'static str) {
    match status {
        Some(Status::Ok) => ("met", ""),
        Some(Status::Unverified) => ("declared", " (declared, not backed by results)"),
        Some(Status::NotRun) => ("notrun", " (not run)"),
        Some(Status::Warn) => ("below", " (below target)"),
        Some(Status::Fail) => ("fail", " (failed)"),
        None if value >= target => ("met", ""),
        None => ("below", ""),
    }
}

/// Bars (`value`) with a target mark per bar.
pub fn bar_chart(title: &str, value_name: &str, mark_name: &str, bars: &[Bar]) -> String {
    const BAR: u64 = 48;
    const GAP: u64 = 24;
    const HEIGHT: u64 = 180;
    const LEFT: u64 = 40;
    const BOTTOM: u64 = 40;
    let max = bars.iter().map(|(_, v, t, _)| (*v).max(*t)).max().unwrap_or(0).max(1);
    let n = bars.len() as u64;
    let width = LEFT + n * (BAR + GAP) + GAP;
    let total_h = HEIGHT + BOTTOM + 10;
    let scale = |v: u64| -> u64 { ((v as u128 * HEIGHT as u128) / max as u128) as u64 };
    let desc: Vec<String> = bars
        .iter()
        .map(|(l, v, t, st)| {
            format!("{}: {v} of {t} ({mark_name}){}", escape_html(l), bar_class(*st, *v, *t).1)
        })
        .collect();
    // Ids unique per chart: a page may hold several.
    let id: String =
        title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" viewBox=\"0 0 {width} {total_h}\" width=\"{width}\" \
         height=\"{total_h}\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{} (bars) and \
         {mark_name} (marks): {}.</desc>",
        escape_html(title),
        escape_html(value_name),
        desc.join("; ")
    );
    let base = 10 + HEIGHT;
    let _ = write!(s, "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base}\" x2=\"{width}\" y2=\"{base}\"/>");
    let _ = write!(
        s,
        "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{max}</text>",
        LEFT - 4,
        10 + 4
    );
    let _ = write!(s, "<text class=\"tick\" x=\"{}\" y=\"{base}\" text-anchor=\"end\">0</text>", LEFT - 4);
    for (i, (label, value, target, status)) in bars.iter().enumerate() {
        let x = LEFT + GAP + i as u64 * (BAR + GAP);
        let h = scale(*value);
        let (class, words) = bar_class(*status, *value, *target);
        let _ = write!(
            s,
            "<rect class=\"bar {class}\" x=\"{x}\" y=\"{}\" width=\"{BAR}\" height=\"{h}\"><title>{}: {value} of {target}{words}</title></rect>",
            base - h,
            escape_html(label)
        );
        let ty = base - scale(*target);
        let _ = write!(
            s,
            "<line class=\"target\" x1=\"{}\" y1=\"{ty}\" x2=\"{}\" y2=\"{ty}\"><title>{mark_name}: {target}</title></line>",
            x.saturating_sub(4),
            x + BAR + 4
        );
        let _ = write!(
            s,
            "<text class=\"value\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{value}</text>",
            x + BAR / 2,
            (base - h).saturating_sub(4).max(10)
        );
        let short: String = label.chars().take(12).collect();
        let _ = write!(
            s,
            "<text class=\"label\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x + BAR / 2,
            base + 16,
            escape_html(&short)
        );
    }
    s.push_str("</svg></figure>\n");
    s
}
