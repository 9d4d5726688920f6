//! Charts drawn by gen-report itself, as inline SVG for the HTML page (which runs no script, so
//! it cannot draw the Markdown's Mermaid source): accessible (`role="img"`, a title, a
//! description that states every value, a `<title>` per bar) and coloured by CSS classes that
//! follow the page's light or dark scheme.

use std::fmt::Write;

use crate::model::Report;

use super::filters::escape_html;

/// One bar chart with a target line: the categories' credited tests against their targets.
pub fn categories(report: &Report) -> Option<String> {
    if report.categories.is_empty() {
        return None;
    }
    let measured = report.results.is_some();
    let what = if measured { "Passing tests" } else { "Declared tests" };
    let bars: Vec<(String, u64, u64)> =
        report.categories.iter().map(|c| (c.name.clone(), c.credited, c.target)).collect();
    Some(bar_chart(&format!("{what} against target"), what, &bars))
}

/// Bars (`value`) with a target mark per bar; `bars` = (label, value, target).
pub fn bar_chart(title: &str, value_name: &str, bars: &[(String, u64, u64)]) -> String {
    const BAR: u64 = 48;
    const GAP: u64 = 24;
    const HEIGHT: u64 = 180;
    const LEFT: u64 = 40;
    const BOTTOM: u64 = 40;
    let max = bars.iter().map(|(_, v, t)| (*v).max(*t)).max().unwrap_or(0).max(1);
    let n = bars.len() as u64;
    let width = LEFT + n * (BAR + GAP) + GAP;
    let total_h = HEIGHT + BOTTOM + 10;
    let scale = |v: u64| -> u64 { ((v as u128 * HEIGHT as u128) / max as u128) as u64 };
    let desc: Vec<String> =
        bars.iter().map(|(l, v, t)| format!("{}: {v} of a {t} target", escape_html(l))).collect();
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" \
         aria-labelledby=\"chart-title chart-desc\" viewBox=\"0 0 {width} {total_h}\" width=\"{width}\" \
         height=\"{total_h}\"><title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{} (bars) and \
         targets (marks): {}.</desc>",
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
    for (i, (label, value, target)) in bars.iter().enumerate() {
        let x = LEFT + GAP + i as u64 * (BAR + GAP);
        let h = scale(*value);
        let met = value >= target;
        let _ = write!(
            s,
            "<rect class=\"bar {}\" x=\"{x}\" y=\"{}\" width=\"{BAR}\" height=\"{h}\"><title>{}: {value} of {target}</title></rect>",
            if met { "met" } else { "below" },
            base - h,
            escape_html(label)
        );
        let ty = base - scale(*target);
        let _ = write!(
            s,
            "<line class=\"target\" x1=\"{}\" y1=\"{ty}\" x2=\"{}\" y2=\"{ty}\"><title>target {target}</title></line>",
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
