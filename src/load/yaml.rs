//! The one place that knows which YAML library we use (serde-saphyr), so it can be swapped.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::Diagnostic;

/// Deepest nesting a manifest may have; real manifests need fewer than ten levels.
const MAX_DEPTH: usize = 64;

/// A YAML problem with its position, not yet tied to a file.
#[derive(Debug)]
pub(crate) struct YamlError {
    pub message: String,
    pub line: Option<u64>,
    pub column: Option<u64>,
}

impl YamlError {
    /// Ties the error to the file it came from.
    pub(crate) fn at(self, file: &Path) -> Diagnostic {
        let pos = self.line.map(|l| (l, self.column.unwrap_or(1)));
        Diagnostic::error(file, pos, self.message)
    }
}

/// Parses one YAML document into `T`, with strict limits against hostile input.
///
/// `fields` are the keys `T` accepts, used for "did you mean" hints on unknown keys.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, fields: &[(&str, &str)]) -> Result<T, YamlError> {
    let text = &*lone_cr_to_lf(text);
    if text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---"
    }) {
        return Err(YamlError {
            message: "the file is empty: expected a YAML mapping".into(),
            line: None,
            column: None,
        });
    }
    let options = serde_saphyr::options! {
        strict_booleans: true,
        // `!!python/object`, `!foo`: a manifest is data, and a tag we do not know is a mistake.
        reject_unsupported_tags: true,
        with_snippet: false,
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_documents: 1,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 10_000,
            max_replay_stack_depth: 16,
            max_alias_expansions_per_anchor: 100,
        },
    };
    serde_saphyr::from_str_with_options::<T>(text, options).map_err(|e| {
        let loc = e.location();
        let raw = e.to_string();
        let raw = strip_location(&raw);
        let mut message = explain(raw, fields);
        // Name the key whose value is wrong, from the source line the error points at, and say
        // what that key expects. (Not for errors about the mapping as a whole.)
        let about_value = !raw.starts_with("missing field")
            && !raw.starts_with("unknown field")
            && !raw.starts_with("duplicate")
            && !is_limit(raw);
        if about_value
            && let Some(key) = loc.and_then(|l| key_on_line(text, l.line()))
            && !message.contains(&format!("`{key}`"))
        {
            let expects = fields.iter().find(|(k, _)| *k == key).map(|(_, e)| *e);
            message = match expects {
                Some(e)
                    if message.starts_with("expected string scalar")
                        || message.starts_with("invalid type") =>
                {
                    format!("invalid value for `{key}`: expected {e}")
                }
                _ => format!("invalid value for `{key}`: {message}"),
            };
        }
        YamlError {
            message,
            line: loc.map(|l| l.line()).filter(|&l| l > 0),
            column: loc.map(|l| l.column()).filter(|&c| c > 0),
        }
    })
}

/// YAML counts a lone `\r` (old Mac line ending) as a line break, `str::lines` does not: turn
/// each into `\n` so that the positions the parser reports are the lines we print. (YAML reads
/// every line break in content as `\n` anyway, so the meaning is unchanged.)
pub(crate) fn lone_cr_to_lf(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('\r') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// The mapping key written on 1-based `line`, if the line is `key: value`.
fn key_on_line(text: &str, line: u64) -> Option<String> {
    let l = text.lines().nth(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let (key, value) = l.trim_start().trim_start_matches("- ").split_once(':')?;
    let key = key.trim();
    let ok = !key.is_empty()
        && !value.trim().is_empty()
        && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    ok.then(|| key.to_string())
}

/// The library appends " at line L, column C"; we print the position ourselves.
fn strip_location(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i) => &msg[..i],
        None => msg,
    }
}

/// Whether the library refused the document for breaking one of our limits.
fn is_limit(msg: &str) -> bool {
    msg.starts_with("budget breached") || msg.starts_with("recursion limit exceeded") || is_alias_limit(msg)
}

/// The library's alias limits ("alias replay limit exceeded: …", "alias expansion …").
fn is_alias_limit(msg: &str) -> bool {
    msg.starts_with("alias") && msg.contains("exceeded")
}

/// Rewords library messages into what the user must write instead.
fn explain(msg: &str, fields: &[(&str, &str)]) -> String {
    if let Some(rest) = msg.strip_prefix("budget breached: ") {
        let what = rest.split([' ', '{']).next().unwrap_or(rest);
        return match what {
            "Depth" => format!("nesting deeper than {MAX_DEPTH} levels: expected at most {MAX_DEPTH} levels"),
            "Nodes" | "Events" => {
                "too many YAML nodes: expected a manifest of a few thousand entries at most".into()
            }
            "ScalarBytes" => "text values too long: expected at most 64 MiB of text in all".into(),
            "Documents" => "more than one YAML document: expected one mapping per file".into(),
            other => {
                format!("the document exceeds a safety limit ({other}): expected a smaller, simpler manifest")
            }
        };
    }
    if is_alias_limit(msg) {
        // An "alias bomb": anchors reused through aliases until the document is huge.
        return "too many alias expansions (`*name` reusing `&name`): expected at most 10000 nodes \
                replayed through aliases in all, 100 uses of one anchor"
            .into();
    }
    if msg.starts_with("unsupported tag") {
        return format!("{msg}: expected plain YAML values (the standard `!!str`, `!!int`, … tags at most)");
    }
    if msg.starts_with("recursion limit exceeded") {
        return format!("nesting too deep: expected at most {MAX_DEPTH} levels");
    }
    if let Some(rest) = msg.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return format!("duplicate key `{key}`: each key may appear once");
    }
    // Messages say "key", as YAML does, never serde's "field".
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or("");
        return match fields.iter().find(|(k, _)| *k == name) {
            Some((_, e)) => format!("missing key `{name}`: expected {e}"),
            None => format!("missing key `{name}`"),
        };
    }
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        // Only the keys valid at this level, as the library lists them.
        let level: Vec<&str> = rest
            .split_once("expected one of ")
            .map(|(_, l)| l.split(',').map(str::trim).filter(|k| !k.is_empty()).collect())
            .unwrap_or_else(|| fields.iter().map(|(k, _)| *k).collect());
        let expected = level.join(", ");
        return match did_you_mean(name, &level) {
            Some(best) => {
                format!("unknown key `{name}` (did you mean `{best}`?); expected one of: {expected}")
            }
            None => format!("unknown key `{name}`; expected one of: {expected}"),
        };
    }
    if msg.starts_with("invalid u64") || msg.starts_with("invalid u32") {
        return "expected a whole number from 0 to 18446744073709551615".into();
    }
    if msg.starts_with("invalid f64") {
        return "expected a number".into();
    }
    msg.to_string()
}

/// The closest accepted key, if it is close enough to be a typo.
pub(crate) fn did_you_mean<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (levenshtein(name, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        target: u64,
    }

    #[test]
    fn unknown_key_suggests_the_closest() {
        let e = parse::<T>("targt: 3\n", &[("target", "a whole number")]).unwrap_err();
        assert!(e.message.contains("did you mean `target`"), "{}", e.message);
        assert_eq!((e.line, e.column), (Some(1), Some(1)));
    }

    #[test]
    fn negative_count_names_the_range() {
        let e = parse::<T>("target: -1\n", &[("target", "a whole number")]).unwrap_err();
        assert!(e.message.contains("whole number"), "{}", e.message);
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn wrong_shape_says_what_the_key_expects() {
        let e = parse::<T>("target: [1, 2]\n", &[("target", "a whole number")]).unwrap_err();
        assert!(e.message.contains("`target`: expected a whole number"), "{}", e.message);
        let e = parse::<T>("target: 1\ntarget: 2\n", &[("target", "a whole number")]).unwrap_err();
        assert!(e.message.starts_with("duplicate key `target`"), "{}", e.message);
    }

    #[test]
    fn empty_and_comment_only_files_are_errors() {
        assert!(parse::<T>("", &[]).unwrap_err().message.contains("empty"));
        assert!(parse::<T>("# nothing\n", &[]).unwrap_err().message.contains("empty"));
    }

    #[test]
    fn custom_tags_are_refused() {
        let e = parse::<T>("target: !foo 3\n", &[("target", "a whole number")]).unwrap_err();
        assert!(e.message.contains("unsupported tag `!foo`"), "{}", e.message);
        assert_eq!((e.line, e.column), (Some(1), Some(14)));
        let e = parse::<serde_json::Value>("x: !!python/object:os.system [ls]\n", &[]).unwrap_err();
        assert!(e.message.contains("unsupported tag `!!python/object:os.system`"), "{}", e.message);
        assert_eq!(parse::<T>("target: !!int 3\n", &[]).unwrap().target, 3);
    }

    #[test]
    fn deep_nesting_is_refused_in_words() {
        let flow = format!("x: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let e = parse::<serde_json::Value>(&flow, &[]).unwrap_err();
        assert_eq!(e.message, "nesting too deep: expected at most 64 levels");
        let block: String = (0..200).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let e = parse::<serde_json::Value>(&block, &[]).unwrap_err();
        assert_eq!(e.message, "nesting deeper than 64 levels: expected at most 64 levels");
        assert_eq!(e.line, Some(65));
    }

    #[test]
    fn lone_cr_is_a_line_break_we_count() {
        // Found by fuzzing: the parser reported line 4 of a text that `lines()` sees as one line.
        let e = parse::<T>("# c\r\r\rtarget: x\r", &[("target", "a whole number")]).unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("`target`"), "{}", e.message);
        assert_eq!(lone_cr_to_lf("a\r\nb\rc"), "a\r\nb\nc");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut y = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            y.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
                p = i - 1
            ));
        }
        y.push_str("target: 1\n");
        let e = parse::<serde_json::Value>(&y, &[]).unwrap_err();
        assert_eq!(
            (e.line, e.column, e.message.as_str()),
            (
                Some(4),
                Some(45),
                "too many alias expansions (`*name` reusing `&name`): expected at most 10000 nodes \
                 replayed through aliases in all, 100 uses of one anchor"
            )
        );
    }

    #[test]
    fn levenshtein_distances() {
        assert_eq!(levenshtein("targt", "target"), 1);
        assert_eq!(did_you_mean("zzzzzz", &["target"]), None);
    }
}
