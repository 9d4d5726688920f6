//! A shields-style SVG badge, self-contained (no outside host, no font download).

use crate::model::{Report, Status};

/// Colours by verdict, as shields.io uses them.
const GREEN: &str = "#4c1";
const YELLOW: &str = "#dfb317";
const RED: &str = "#e05d44";

/// The badge for a report: "tests 67/100" with targets and results ("67/100 declared" when no
/// result backs them), "tests 40 passed, 2 failed" with
/// results only; coloured by the verdict (or by failures in zero-config mode).
pub fn for_report(report: &Report, label: &str) -> String {
    let t = &report.totals;
    let message = if report.categories.is_empty() {
        match t.measured {
            Some(m) if m.failed_total() > 0 => format!("{} passed, {} failed", m.passed, m.failed_total()),
            Some(m) if m.tests > 0 => format!("{} passed", m.passed),
            _ => "no tests ran".to_string(),
        }
    } else if t.verified {
        format!("{}/{}", t.credited, t.target)
    } else {
        // No result backs the figure: it is what the manifests declare, not what passed.
        format!("{}/{} declared", t.credited, t.target)
    };
    // The colour is the report's one status: the badge cannot be greener than the report.
    let colour = match t.status {
        Status::Ok => GREEN,
        Status::Unverified | Status::Warn => YELLOW,
        Status::NotRun | Status::Fail => RED,
    };
    svg(label, &message, colour)
}

/// A flat two-part badge.
pub fn svg(label: &str, message: &str, colour: &str) -> String {
    let lw = text_width(label) + 10;
    let mw = text_width(message) + 10;
    let w = lw + mw;
    let (l, m) = (xml(label), xml(message));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{l}: {m}"><title>{l}: {m}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{mw}" height="20" fill="{colour}"/><rect width="{w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="15" fill="#010101" fill-opacity=".3">{l}</text><text x="{lx}" y="14">{l}</text><text x="{mx}" y="15" fill="#010101" fill-opacity=".3">{m}</text><text x="{mx}" y="14">{m}</text></g></svg>
"##,
        lx = lw / 2,
        mx = lw + mw / 2,
    )
}

/// Approximate width of Verdana 11px text: narrow, wide and average glyphs.
fn text_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' => 4,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '/' | '-' => 5,
            'm' | 'w' | 'M' | 'W' => 10,
            c if c.is_ascii_uppercase() => 8,
            _ => 7,
        })
        .sum()
}

/// Escapes `s` for XML text and attributes. Characters XML 1.0 forbids even as references
/// (C0 controls, U+FFFE, U+FFFF) would make the SVG ill-formed, and other controls (tab, line
/// breaks, DEL, C1) have no place in a one-line label: all are shown as pictures or `�`.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(super::escape::control_picture(c).unwrap_or(c)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badge_is_escaped_and_sized() {
        let s = svg("te<st", "6/10", GREEN);
        assert!(s.starts_with("<svg"));
        assert!(s.contains("te&lt;st: 6/10"));
        assert!(!s.contains("te<st"));
        assert!(s.contains("#4c1"));
    }

    #[test]
    fn control_characters_never_reach_the_svg() {
        let s = svg("a\u{1b}[31m\0\n\u{85}\u{ffff}", "1/2", RED);
        assert!(s.contains("<title>a␛[31m␀␊\u{fffd}\u{fffd}: 1/2</title>"), "{s}");
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s}");
    }

    #[test]
    fn wider_text_gives_a_wider_badge() {
        let w = |s: &str| {
            s.split("width=\"").nth(1).and_then(|r| r.split('"').next()).and_then(|n| n.parse::<usize>().ok())
        };
        assert!(w(&svg("tests", "67/100", RED)) < w(&svg("tests", "1000 passed, 20 failed", RED)));
    }
}
