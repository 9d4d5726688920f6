//! The template filters a report needs, registered in one place.
//!
//! Every string a filter returns that contains Markdown syntax is built from escaped parts and
//! marked safe; everything else goes through the Markdown auto-escaper.

use tera::{Kwargs, State, Tera, TeraResult, Value};

use super::escape::{break_autolinks, escape_cell, escape_inline, strip_ansi, visible_controls};

/// Settings the filters need from the command line and the data.
#[derive(Debug, Clone)]
pub struct FilterSettings {
    /// ISO code of the report's currency (for `money`).
    pub currency: String,
    /// ASCII status markers instead of emoji (`--ascii`).
    pub ascii: bool,
}

/// Most decimals `percent` and `ratio` print: beyond that a figure only shows float noise.
const MAX_DECIMALS: u32 = 6;

/// Registers every gen-report filter on `tera`.
pub fn register(tera: &mut Tera, settings: &FilterSettings) {
    let currency = settings.currency.clone();
    tera.register_filter("money", move |v: Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
        let Some(amount) = v.as_f64().filter(|a| a.is_finite()) else { return Ok(Value::safe_string("—")) };
        let code = kw.get::<&str>("currency")?.unwrap_or(&currency).to_string();
        let exact = kw.get::<bool>("exact")?.unwrap_or(false);
        // `$` is escaped: renderers with math support read `$3.1M ($3,100,000)` as a formula.
        Ok(Value::safe_string(&money(amount, &code, exact).replace('$', "\\$")))
    });
    tera.register_filter("percent", |v: Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
        let decimals = kw.get::<u32>("decimals")?.unwrap_or(0).min(MAX_DECIMALS);
        Ok(Value::from(v.as_f64().map_or_else(|| "—".to_string(), |p| percent(p, decimals))))
    });
    tera.register_filter("ratio", |v: Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
        let decimals = kw.get::<u32>("decimals")?.unwrap_or(1).min(MAX_DECIMALS);
        Ok(Value::from(v.as_f64().map_or_else(|| "—".to_string(), |r| ratio(r, decimals))))
    });
    tera.register_filter("pluralize", |v: Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
        let n = v.as_f64().unwrap_or(0.0);
        let plural = kw.get::<&str>("plural")?;
        // Without `word`, behave like Tera's own `pluralize`: an "s" suffix or nothing.
        match kw.get::<&str>("word")? {
            Some(word) => Ok(Value::from(pluralize(n, word, plural))),
            None if n == 1.0 => Ok(Value::from("")),
            None => Ok(Value::from(plural.unwrap_or("s"))),
        }
    });
    let ascii = settings.ascii;
    tera.register_filter("symbol", move |v: &str, _: Kwargs, _: &State| -> TeraResult<Value> {
        Ok(Value::safe_string(symbol(v, ascii).unwrap_or("?")))
    });
    tera.register_filter("cell", |v: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
        Ok(Value::safe_string(&escape_cell(&plain(&v))))
    });
    tera.register_filter("code", |v: Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
        let in_table = kw.get::<bool>("in_table")?.unwrap_or(false);
        Ok(Value::safe_string(&code_span(&plain(&v), in_table)))
    });
    tera.register_filter("fence", |v: Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
        let lang = kw.get::<&str>("lang")?.unwrap_or("");
        Ok(Value::safe_string(&fence(&plain(&v), lang)))
    });
    tera.register_filter("bar", |v: Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
        let width = kw.get::<usize>("width")?.unwrap_or(10).clamp(1, 100);
        Ok(Value::from(v.as_f64().map_or_else(String::new, |p| bar(p, width))))
    });
    tera.register_filter("mermaid", |v: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
        Ok(Value::safe_string(&mermaid_label(&plain(&v))))
    });
    tera.register_filter("signed", |v: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
        Ok(Value::from(v.as_f64().map_or_else(|| "—".to_string(), signed)))
    });
    tera.register_filter("html", |v: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
        Ok(Value::safe_string(&escape_html(&plain(&v))))
    });
    tera.register_filter("seconds", |v: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
        Ok(Value::from(v.as_f64().map_or_else(|| "—".to_string(), seconds)))
    });
    // Every count a report prints goes through this one formatter: `299,400`, never `299400`.
    // (Not `count`: Tera has a built-in `count`, the length of a list.)
    tera.register_filter("thousands", |v: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
        Ok(Value::from(count(&v)))
    });
    tera.register_filter("md", |v: Value, _: Kwargs, _: &State| -> TeraResult<Value> {
        Ok(Value::safe_string(&escape_inline(&plain(&v))))
    });
    super::compute::register(tera);
}

/// A count for people, with thousands separators (`299400` → `299,400`, `-1200` → `-1,200`);
/// a fraction prints as is, `none` as `—`, anything else as its text.
pub fn count(v: &Value) -> String {
    if let Some(n) = v.as_u128() {
        return thousands(n);
    }
    if let Some(n) = v.as_i128() {
        return format!("-{}", thousands(n.unsigned_abs()));
    }
    match v.as_f64() {
        Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e30 => {
            let sign = if f < 0.0 { "-" } else { "" };
            format!("{sign}{}", thousands(f.abs() as u128))
        }
        Some(f) => format!("{f}"),
        None if v.is_none() || v.is_undefined() => "—".to_string(),
        None => plain(v),
    }
}

/// The text of a value as it would print (strings without quotes).
fn plain(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.to_string(),
        None if v.is_none() || v.is_undefined() => String::new(),
        None => v.to_string(),
    }
}

/// A text progress bar: `▓▓▓▓▓▓▓░░░` for 67 %; capped at full.
pub fn bar(percent: f64, width: usize) -> String {
    let filled = if percent.is_finite() {
        ((percent / 100.0) * width as f64).round().clamp(0.0, width as f64) as usize
    } else {
        0
    };
    format!("{}{}", "▓".repeat(filled), "░".repeat(width - filled))
}

/// A label safe inside a Mermaid chart's quoted string in a fenced block: no quotes, brackets,
/// backticks or line breaks, which could end the string, the list or the fence.
pub fn mermaid_label(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| match c {
            '"' | '`' | '[' | ']' | '\r' | '\n' | '\\' | '<' | '>' | '{' | '}' | ';' | '#' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("\"{}\"", collapsed.chars().take(40).collect::<String>())
}

/// `+3`, `−1` (a real minus sign), `0`; `—` for a number that is not finite.
pub fn signed(n: f64) -> String {
    if !n.is_finite() {
        return "—".into();
    }
    let shown =
        if n.fract() == 0.0 && n.abs() < 1e30 { thousands(n.abs() as u128) } else { format!("{}", n.abs()) };
    if n > 0.0 {
        format!("+{shown}")
    } else if n < 0.0 {
        format!("−{shown}")
    } else {
        "0".into()
    }
}

/// Escapes text for use inside raw HTML (where Markdown escapes do not apply); line breaks
/// become spaces so the HTML block cannot end early.
pub fn escape_html(s: &str) -> String {
    // HTML's own escapes, then what else could break out: a line break would end the HTML block;
    // `*`, `_`, `` ` `` and `|` stay literal even where a renderer looks for Markdown in HTML.
    // GitHub links mentions and `#123` in HTML text too: those are broken like in Markdown.
    super::html::escape(&visible_controls(&break_autolinks(s)))
        .replace(['\r', '\n'], " ")
        .replace('*', "&#42;")
        .replace('_', "&#95;")
        .replace('`', "&#96;")
        .replace('|', "&#124;")
}

/// The sign used before amounts of a currency, or the code itself followed by a space.
fn currency_prefix(code: &str) -> String {
    match code {
        "USD" => "$".into(),
        "EUR" => "€".into(),
        "GBP" => "£".into(),
        "JPY" | "CNY" => "¥".into(),
        "INR" => "₹".into(),
        other => format!("{other} "),
    }
}

/// `$3.1M`, `$500K`, `$950`; with `exact`, `$3,100,000` (cents only when there are any);
/// `—` for an amount that is not finite.
pub fn money(amount: f64, code: &str, exact: bool) -> String {
    if !amount.is_finite() {
        return "—".into();
    }
    let sign = if amount < 0.0 { "-" } else { "" };
    let a = amount.abs();
    let prefix = currency_prefix(code);
    if exact {
        let cents = (a * 100.0).round() as u128;
        let whole = thousands(cents / 100);
        return if cents.is_multiple_of(100) {
            format!("{sign}{prefix}{whole}")
        } else {
            format!("{sign}{prefix}{whole}.{:02}", cents % 100)
        };
    }
    // Round first, then choose the unit, so 999,950 reads $1M and not $1000K.
    let units = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")];
    for (i, (scale, unit)) in units.iter().enumerate() {
        let scaled = round_to(a / scale, 1);
        if a >= *scale {
            if scaled >= 1000.0 && i > 0 {
                let (bigger, bigger_unit) = units[i - 1];
                return format!("{sign}{prefix}{}{bigger_unit}", trim_zero(round_to(a / bigger, 1)));
            }
            return format!("{sign}{prefix}{}{unit}", trim_zero(scaled));
        }
    }
    format!("{sign}{prefix}{}", trim_zero(round_to(a, 2)))
}

/// `3.0` → `3`, `3.1` → `3.1`.
fn trim_zero(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub use crate::words::thousands;

pub use crate::words::percent;
use crate::words::round_to;

/// `6.2` → `6.2×`; `6.0` → `6×`; `—` when `r` is not finite.
pub fn ratio(r: f64, decimals: u32) -> String {
    if !r.is_finite() {
        return "—".into();
    }
    format!("{}×", trim_zero(round_to(r, decimals)))
}

/// `1 test`, `6 tests`, `2 categories`.
pub fn pluralize(n: f64, word: &str, plural: Option<&str>) -> String {
    let shown = count(&Value::from(n));
    if n == 1.0 {
        return format!("{shown} {word}");
    }
    let many = match plural {
        Some(p) => p.to_string(),
        None => crate::words::plural_of(word).into_owned(),
    };
    format!("{shown} {many}")
}

/// A duration for people: never "0.0 s" for a run that took time (`0.004` → "<0.01 s",
/// `0.563` → "0.56 s", `75.2` → "1 min 15 s"); `—` for nonsense.
pub fn seconds(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "—".to_string();
    }
    if s == 0.0 {
        "0 s".to_string()
    } else if s < 0.01 {
        "<0.01 s".to_string()
    } else if s < 60.0 {
        format!("{} s", trim_zero(round_to(s, if s < 10.0 { 2 } else { 1 })))
    } else if s < 360_000.0 {
        let whole = s.round() as u64;
        let (h, m, sec) = (whole / 3600, whole / 60 % 60, whole % 60);
        if h > 0 { format!("{h} h {m} min") } else { format!("{m} min {sec} s") }
    } else {
        format!("{} h", thousands((s / 3600.0).round() as u128))
    }
}

/// The marker for a status or verdict name; `None` for an unknown name.
pub fn symbol(status: &str, ascii: bool) -> Option<&'static str> {
    let (emoji, text) = match status {
        "ok" | "met" | "passed" | "true" => ("✅", "[ok]"),
        "unverified" | "declared" => ("❔", "[unverified]"),
        "warn" | "issues" | "partly-met" | "flaky" | "skipped" => ("⚠️", "[warn]"),
        "fail" | "failed" | "not-met" | "false" | "empty" => ("❌", "[fail]"),
        // An error (the test could not run to completion) is told apart from a failure.
        "error" => ("💥", "[error]"),
        "not-run" => ("➖", "[not run]"),
        _ => return None,
    };
    Some(if ascii { text } else { emoji })
}

/// An inline code span that survives any backticks in `s` (CommonMark §6.1); control
/// characters are shown as pictures.
pub fn code_span(s: &str, in_table: bool) -> String {
    let s = visible_controls(&s.replace(['\r', '\n'], " ")).into_owned();
    let longest = longest_run(&s, '`');
    let ticks = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() { " " } else { "" };
    // In a GFM table a `|` ends the cell even inside a code span unless escaped.
    let body = if in_table { s.replace('|', "\\|") } else { s };
    format!("{ticks}{pad}{body}{pad}{ticks}")
}

/// A fenced code block that no line of `s` can close early. Terminal colours (ANSI escape
/// sequences, common in failure output) are dropped and other control characters shown as
/// pictures.
pub fn fence(s: &str, lang: &str) -> String {
    let shown = visible_controls(&strip_ansi(s)).into_owned();
    let s = shown.as_str();
    let longest = longest_run(s, '`').max(2);
    let ticks = "`".repeat(longest + 1);
    let lang: String = lang.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let body = s.trim_end_matches(['\n', '\r']);
    format!("{ticks}{lang}\n{body}\n{ticks}")
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_compact() {
        assert_eq!(money(3_100_000.0, "USD", false), "$3.1M");
        assert_eq!(money(500_000.0, "USD", false), "$500K");
        assert_eq!(money(1_100_000.0, "USD", false), "$1.1M");
        assert_eq!(money(999_950.0, "USD", false), "$1M");
        assert_eq!(money(950.0, "USD", false), "$950");
        assert_eq!(money(0.0, "USD", false), "$0");
        assert_eq!(money(2_500_000_000.0, "EUR", false), "€2.5B");
        assert_eq!(money(1500.0, "CHF", false), "CHF 1.5K");
    }

    #[test]
    fn money_exact() {
        assert_eq!(money(3_100_000.0, "USD", true), "$3,100,000");
        assert_eq!(money(1234.5, "GBP", true), "£1,234.50");
        assert_eq!(money(999.0, "USD", true), "$999");
    }

    #[test]
    fn percent_and_ratio() {
        assert_eq!(percent(67.0, 0), "67%");
        assert_eq!(percent(146.666_666, 0), "147%");
        assert_eq!(percent(146.666_666, 1), "146.7%");
        assert_eq!(ratio(6.2, 1), "6.2×");
        assert_eq!(ratio(6.0, 1), "6×");
    }

    #[test]
    fn pluralize_rules() {
        assert_eq!(pluralize(1.0, "test", None), "1 test");
        assert_eq!(pluralize(6.0, "test", None), "6 tests");
        assert_eq!(pluralize(0.0, "test", None), "0 tests");
        assert_eq!(pluralize(2.0, "category", None), "2 categories");
        assert_eq!(pluralize(2.0, "day", None), "2 days");
        assert_eq!(pluralize(3.0, "box", None), "3 boxes");
        assert_eq!(pluralize(3.0, "person", Some("people")), "3 people");
    }

    #[test]
    fn seconds_never_hide_a_run_that_took_time() {
        let cases = [
            (0.0, "0 s"),
            (0.004, "<0.01 s"),
            (0.563, "0.56 s"),
            (0.5, "0.5 s"),
            (12.34, "12.3 s"),
            (75.2, "1 min 15 s"),
            (7260.0, "2 h 1 min"),
            (f64::INFINITY, "—"),
            (-1.0, "—"),
        ];
        for (s, want) in cases {
            assert_eq!(seconds(s), want, "{s}");
        }
    }

    #[test]
    fn symbols_have_ascii_twins() {
        assert_eq!(symbol("ok", false), Some("✅"));
        assert_eq!(symbol("warn", false), Some("⚠️"));
        assert_eq!(symbol("fail", false), Some("❌"));
        assert_eq!(symbol("fail", true), Some("[fail]"));
        assert_eq!(symbol("not-run", true), Some("[not run]"));
        assert_eq!(symbol("bogus", true), None);
    }

    #[test]
    fn bars_labels_and_signs() {
        assert_eq!(bar(67.0, 10), "▓▓▓▓▓▓▓░░░");
        assert_eq!(bar(150.0, 4), "▓▓▓▓");
        assert_eq!(bar(0.0, 3), "░░░");
        assert_eq!(mermaid_label("A \"b\"]\n```x"), "\"A b x\"");
        assert_eq!(signed(3.0), "+3");
        assert_eq!(signed(-1.0), "−1");
        assert_eq!(signed(0.0), "0");
    }

    #[test]
    fn html_escape_neutralises_tags_and_breaks() {
        assert_eq!(escape_html("<script>a</script>\n&"), "&lt;script&gt;a&lt;/script&gt; &amp;");
        assert_eq!(escape_html("__init__"), "&#95;&#95;init&#95;&#95;");
    }

    #[test]
    fn code_span_survives_backticks_and_pipes() {
        assert_eq!(code_span("a.py", false), "`a.py`");
        assert_eq!(code_span("a`b", false), "``a`b``");
        assert_eq!(code_span("`x`", false), "`` `x` ``");
        assert_eq!(code_span("a|b", true), "`a\\|b`");
    }

    #[test]
    fn fence_is_longer_than_any_backtick_run() {
        assert_eq!(fence("x ``` y\n", ""), "````\nx ``` y\n````");
        assert_eq!(fence("plain", "text"), "```text\nplain\n```");
    }
}
