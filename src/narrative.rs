//! Spotting figures typed into narrative text.
//!
//! The seed report contradicted itself because its figures were typed by hand in prose
//! ("$1.1M+ ARR protection", "620% OVER TARGET"). Narrative holds words; the model computes the
//! figures. This scanner finds money amounts, percentages and test counts in text.

/// A figure found in narrative text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedFigure {
    /// `money amount`, `percentage` or `test count`.
    pub kind: &'static str,
    pub text: String,
}

const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥'];
const COUNT_NOUNS: &[&str] =
    &["test", "tests", "testcase", "testcases", "case", "cases", "category", "categories"];

/// The first figure in `text` that the model, not the author, should supply.
pub fn typed_figure(text: &str) -> Option<TypedFigure> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Money: a currency sign right before a digit ("$500K", "€ 3").
        if CURRENCY_SIGNS.contains(&c) {
            let mut j = i + 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() {
                let end = number_end(&chars, j);
                let end = suffix_end(&chars, end);
                return Some(found("money amount", &chars[i..end]));
            }
        }
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            let end = number_end(&chars, i);
            // Percentage: "620%", "90 %".
            let mut j = end;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j] == '%' {
                return Some(found("percentage", &chars[i..=j]));
            }
            // Count: "67+ comprehensive tests": a number, then a count noun within three words.
            let after: String = chars[end..].iter().collect();
            let words: Vec<String> = after
                .split_whitespace()
                .take(3)
                .map(|w| w.trim_matches(|ch: char| !ch.is_alphanumeric()).to_lowercase())
                .collect();
            if let Some(k) = words.iter().position(|w| COUNT_NOUNS.contains(&w.as_str())) {
                let tail: String = after.split_whitespace().take(k + 1).collect::<Vec<_>>().join(" ");
                let head: String = chars[i..end].iter().collect();
                return Some(TypedFigure { kind: "test count", text: format!("{head} {tail}") });
            }
            i = end;
            continue;
        }
        i += 1;
    }
    None
}

fn found(kind: &'static str, chars: &[char]) -> TypedFigure {
    TypedFigure { kind, text: chars.iter().collect() }
}

/// End of a number like `1,234.5` (and a trailing `+`).
fn number_end(chars: &[char], start: usize) -> usize {
    let mut j = start;
    while j < chars.len()
        && (chars[j].is_ascii_digit()
            || ((chars[j] == ',' || chars[j] == '.') && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit())))
    {
        j += 1;
    }
    if j < chars.len() && chars[j] == '+' {
        j += 1;
    }
    j
}

/// End of a magnitude suffix like `K`, `M+`, `bn`.
fn suffix_end(chars: &[char], start: usize) -> usize {
    let mut j = start;
    while j < chars.len() && matches!(chars[j], 'K' | 'k' | 'M' | 'B' | 'b' | 'n' | '+') {
        j += 1;
    }
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<&'static str> {
        typed_figure(s).map(|f| f.kind)
    }

    #[test]
    fn finds_the_seeds_typed_figures() {
        assert_eq!(typed_figure("Complete user workflows, $1.1M+ ARR protection").unwrap().text, "$1.1M+");
        assert_eq!(kind("620% OVER TARGET"), Some("percentage"));
        assert_eq!(kind("Created 67+ comprehensive integration tests"), Some("test count"));
        assert_eq!(kind("Chat delivers 90 % of platform value"), Some("percentage"));
        assert_eq!(kind("Enterprise SSO enabling €15K MRR"), Some("money amount"));
    }

    #[test]
    fn leaves_words_and_unrelated_numbers_alone() {
        assert_eq!(kind("All critical WebSocket events validated"), None);
        assert_eq!(kind("Python 3 and OAuth2 flows"), None);
        assert_eq!(kind("Fix the 5 critical events"), None);
        assert_eq!(kind("Costs in $ are computed"), None);
    }
}
