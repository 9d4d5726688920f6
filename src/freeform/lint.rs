//! The typed-figure lint, generalised to free-form reports: a money amount, a percentage or a
//! count typed into a template's literal text or into a string of the data is a warning, since
//! that is how hand-written reports come to contradict themselves. A number in the data is a
//! number (the template computes with it); `"$1.1M+"` in a string is a typed figure.
//!
//! The test-report scanner ([`crate::load::narrative::typed_figure`]) finds money, percentages and
//! test counts; it is reached through [`FigureScanner`] so that this module does not depend on
//! how it is written. Counts of the data's own things ("12 services" where the data has a list
//! `services`) are found here, by [`DataCounts`].

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::Diagnostic;
use crate::freeform::data::{Data, Value, shown};

/// A figure found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Figure {
    /// `money amount`, `percentage`, `test count`, `count`.
    pub kind: &'static str,
    /// The figure as written.
    pub text: String,
}

/// Something that finds the first typed figure in a text.
pub(crate) trait FigureScanner {
    fn first_figure(&self, text: &str) -> Option<Figure>;
}

/// Money amounts, percentages and test counts, as the manifests' narrative lint finds them.
pub(crate) struct Narrative;

impl FigureScanner for Narrative {
    fn first_figure(&self, text: &str) -> Option<Figure> {
        crate::load::narrative::typed_figure(text).map(|f| Figure { kind: f.kind, text: f.text })
    }
}

/// Counts of things the data lists: a number followed within three words by the name of a list
/// in the data (`services`, or `service`), or by `item(s)`.
pub(crate) struct DataCounts {
    nouns: BTreeSet<String>,
}

impl DataCounts {
    /// The nouns of `tree`: every key whose value is a list, singular and plural.
    pub(crate) fn of(tree: &Value) -> Self {
        let mut nouns: BTreeSet<String> = ["item", "items"].iter().map(|s| (*s).to_string()).collect();
        collect_list_keys(tree, &mut nouns);
        DataCounts { nouns }
    }

    /// The nouns of `data`: its lists' keys, and the names of its files (`services.yaml` holds
    /// services, even when it is the whole tree).
    pub(crate) fn for_data(data: &Data) -> Self {
        let mut counts = DataCounts::of(&data.tree);
        for file in &data.files {
            let stem = file.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
            add_noun(&stem, &mut counts.nouns);
        }
        counts
    }
}

/// `open_findings` names findings: the last word of a key, singular and plural.
fn add_noun(key: &str, nouns: &mut BTreeSet<String>) {
    let last = key.rsplit(['_', '-', ' ']).next().unwrap_or(key).to_lowercase();
    if last.chars().count() > 2 && last.chars().all(char::is_alphabetic) {
        nouns.insert(singular(&last));
        nouns.insert(last);
    }
}

fn collect_list_keys(v: &Value, nouns: &mut BTreeSet<String>) {
    match v {
        Value::Map(entries) => {
            for (k, child) in entries {
                if matches!(child, Value::List(_)) {
                    add_noun(k, nouns);
                }
                collect_list_keys(child, nouns);
            }
        }
        Value::List(items) => items.iter().for_each(|i| collect_list_keys(i, nouns)),
        _ => {}
    }
}

/// `services` → `service`, `entries` → `entry`, `boxes` → `box`.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["ses", "xes", "ches", "shes"] {
        if word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    word.strip_suffix('s').unwrap_or(word).to_string()
}

impl FigureScanner for DataCounts {
    fn first_figure(&self, text: &str) -> Option<Figure> {
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let starts_number = chars[i].is_ascii_digit()
                && (i == 0 || !(chars[i - 1].is_alphanumeric() || matches!(chars[i - 1], '.' | ',' | '-')));
            if !starts_number {
                i += 1;
                continue;
            }
            let mut end = i;
            while end < chars.len()
                && (chars[end].is_ascii_digit()
                    || (matches!(chars[end], ',' | '.')
                        && chars.get(end + 1).is_some_and(char::is_ascii_digit)))
            {
                end += 1;
            }
            if chars.get(end) == Some(&'+') {
                end += 1;
            }
            // A version or date (`3.1.2`, `2025-01-05`) is not a count.
            let glued = chars.get(end).is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '/'));
            if !glued {
                let after: String = chars[end..].iter().collect();
                // Up to three words, within the clause: "2 owners; 40 services" counts owners.
                let mut words: Vec<&str> = Vec::new();
                for w in after.split_whitespace().take(3) {
                    words.push(w);
                    if w.ends_with([';', ',', '.', ':', ')']) {
                        break;
                    }
                }
                let hit = words.iter().position(|w| {
                    let w = w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
                    self.nouns.contains(&w)
                });
                if let Some(k) = hit {
                    let head: String = chars[i..end].iter().collect();
                    return Some(Figure { kind: "count", text: format!("{head} {}", words[..=k].join(" ")) });
                }
            }
            i = end.max(i + 1);
        }
        None
    }
}

/// Every figure in `text`, with its byte offset, earliest first.
pub(crate) fn figures(text: &str, scanners: &[&dyn FigureScanner]) -> Vec<(usize, Figure)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let rest = &text[start..];
        let next = scanners
            .iter()
            .filter_map(|s| s.first_figure(rest))
            .map(|f| (offset_of(rest, &f.text), f))
            .min_by_key(|(o, _)| *o);
        let Some((offset, figure)) = next else { break };
        let len = rest[offset..].find(&figure.text).map_or(1, |_| figure.text.len()).max(1);
        out.push((start + offset, figure));
        // Past the figure, on a character boundary.
        let mut next_start = start + offset + len;
        while next_start < text.len() && !text.is_char_boundary(next_start) {
            next_start += 1;
        }
        start = next_start;
    }
    out
}

/// Where a scanner's figure starts in `text`: the figure as written, else its first word (a
/// count's words are given joined by single spaces).
fn offset_of(text: &str, figure: &str) -> usize {
    text.find(figure)
        .or_else(|| figure.split_whitespace().next().and_then(|head| text.find(head)))
        .unwrap_or(0)
}

/// Warnings for figures typed into the strings of `data` (the first of each string).
pub(crate) fn data(data: &Data, counts: &DataCounts) -> Vec<Diagnostic> {
    let scanners: [&dyn FigureScanner; 2] = [&Narrative, counts];
    let mut out = Vec::new();
    walk_strings(&data.tree, &mut String::new(), &mut |pointer, text| {
        let Some((_, figure)) = figures(text, &scanners).into_iter().next() else { return };
        if let Some((file, pos)) = data.locate(pointer) {
            out.push(Diagnostic::warning(
                file,
                Some(pos.value),
                format!(
                    "{} contains a typed {} ({:?}): figures are computed; give the figure its own field as a number and let the template compute and format it",
                    shown(pointer),
                    figure.kind,
                    figure.text
                ),
            ));
        }
    });
    out
}

fn walk_strings(v: &Value, pointer: &mut String, f: &mut dyn FnMut(&str, &str)) {
    let len = pointer.len();
    match v {
        Value::Str(s) => f(pointer, s),
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                pointer.push_str(&format!("/{i}"));
                walk_strings(item, pointer, f);
                pointer.truncate(len);
            }
        }
        Value::Map(entries) => {
            for (k, child) in entries {
                pointer.push('/');
                pointer.push_str(&crate::freeform::data::escape_token(k));
                walk_strings(child, pointer, f);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// Warnings for figures typed into the literal text of a template (outside `{{ }}`, `{% %}`
/// and `{# #}`), each with its line and column in `file`.
pub(crate) fn template(file: &Path, text: &str, counts: &DataCounts) -> Vec<Diagnostic> {
    let scanners: [&dyn FigureScanner; 2] = [&Narrative, counts];
    let mut out = Vec::new();
    for (start, end) in literal_spans(text) {
        for (offset, figure) in figures(&text[start..end], &scanners) {
            let pos = crate::load::manifest::line_col(text.as_bytes(), start + offset);
            out.push(Diagnostic::warning(
                file,
                Some(pos),
                format!(
                    "template text contains a typed {} ({:?}): figures are computed; compute it from the data (`sum`, `count`, `percent_of`, …) or say it in words",
                    figure.kind, figure.text
                ),
            ));
        }
    }
    out
}

/// Byte ranges of a Tera template's literal text: everything outside tags, comments and
/// expressions, plus the inside of `{% raw %}` blocks.
pub(crate) fn literal_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut literal_start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != b'{' || !matches!(bytes[i + 1], b'{' | b'%' | b'#') {
            i += 1;
            continue;
        }
        if literal_start < i {
            spans.push((literal_start, i));
        }
        let close: &[u8] = match bytes[i + 1] {
            b'{' => b"}}",
            b'%' => b"%}",
            _ => b"#}",
        };
        let end = tag_end(bytes, i + 2, close, bytes[i + 1] != b'#');
        let tag = &text[i..end];
        i = end;
        literal_start = end;
        if close == b"%}" && tag_word(tag) == Some("raw") {
            // The raw block's content is literal text, up to `{% endraw %}`.
            let mut j = i;
            while let Some(k) = text[j..].find("{%") {
                let at = j + k;
                let e = tag_end(bytes, at + 2, b"%}", true);
                if tag_word(&text[at..e]) == Some("endraw") {
                    if i < at {
                        spans.push((i, at));
                    }
                    i = e;
                    literal_start = e;
                    break;
                }
                j = e;
            }
        }
    }
    if literal_start < bytes.len() {
        spans.push((literal_start, bytes.len()));
    }
    spans
}

/// The end (exclusive) of a tag opened before `from`, skipping quoted strings in code.
fn tag_end(bytes: &[u8], from: usize, close: &[u8], code: bool) -> usize {
    let mut i = from;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        match quote {
            Some(q) if bytes[i] == b'\\' && q != b'`' => i += 1,
            Some(q) if bytes[i] == q => quote = None,
            Some(_) => {}
            None if code && matches!(bytes[i], b'"' | b'\'' | b'`') => quote = Some(bytes[i]),
            None if bytes[i..].starts_with(close) => return i + close.len(),
            None => {}
        }
        i += 1;
    }
    bytes.len()
}

/// The first word of a `{% … %}` tag: `raw`, `endraw`, `for`, …
fn tag_word(tag: &str) -> Option<&str> {
    tag.strip_prefix("{%")?
        .trim_start_matches('-')
        .split_whitespace()
        .next()
        .map(|w| w.trim_end_matches("-%}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, tree: &Value) -> Vec<(&'static str, String)> {
        let counts = DataCounts::of(tree);
        figures(text, &[&Narrative, &counts]).into_iter().map(|(_, f)| (f.kind, f.text)).collect()
    }

    fn services() -> Value {
        Value::Map(vec![("services".into(), Value::List(vec![])), ("owner".into(), Value::Str("x".into()))])
    }

    #[test]
    fn literal_text_is_what_lies_outside_tags() {
        let t =
            "A {{ x | percent }} b {% if y == \"%}\" %}c{% endif %}{# 50% #}d {% raw %}{{ 5% }}{% endraw %}e";
        let parts: Vec<&str> = literal_spans(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(parts, ["A ", " b ", "c", "d ", "{{ 5% }}", "e"]);
    }

    #[test]
    fn counts_of_the_datas_own_lists() {
        let tree = services();
        assert_eq!(kinds("12 services migrated", &tree), [("count", "12 services".to_string())]);
        assert_eq!(
            kinds("one more service to go, then 3 remaining items", &tree),
            [("count", "3 remaining items".to_string())]
        );
        assert_eq!(kinds("Python 3 and 2 owners; v2.1 services", &tree), []);
        assert_eq!(kinds("Deadline 2025-01-05 services", &tree), []);
    }

    #[test]
    fn every_figure_with_its_offset() {
        let tree = services();
        let text = "Saved $1.1M+ with 95% of 40 services";
        let found: Vec<(usize, &str)> =
            figures(text, &[&Narrative, &DataCounts::of(&tree)]).iter().map(|(o, f)| (*o, f.kind)).collect();
        assert_eq!(found, [(6, "money amount"), (18, "percentage"), (25, "count")]);
    }

    #[test]
    fn singulars() {
        assert_eq!(singular("services"), "service");
        assert_eq!(singular("entries"), "entry");
        assert_eq!(singular("boxes"), "box");
    }
}
