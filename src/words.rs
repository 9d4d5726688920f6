//! Numbers and counted nouns in prose: one spelling for every message, report line and finding
//! (`1 test`, `2,000 warnings`, `3 categories`).

use std::borrow::Cow;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len().saturating_add(digits.len() / 3));
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && digits.len().saturating_sub(i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The regular English plural of `word`: `tests`, `categories`, `boxes`, `days`.
pub(crate) fn plural_of(word: &str) -> Cow<'_, str> {
    let consonant_y = word.ends_with('y') && !["ay", "ey", "oy", "uy"].iter().any(|v| word.ends_with(v));
    if let (true, Some(stem)) = (consonant_y, word.strip_suffix('y')) {
        format!("{stem}ies").into()
    } else if ["s", "x", "ch", "sh"].iter().any(|e| word.ends_with(e)) {
        format!("{word}es").into()
    } else {
        format!("{word}s").into()
    }
}

/// `1 test`, `2,000 tests`, `3 categories`: `n` with thousands separators and `word` in the
/// number it agrees with.
pub(crate) fn count(n: u64, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{} {}", thousands(u128::from(n)), plural_of(word)) }
}

/// [`count`] for a word whose plural is irregular or a phrase: `count_as(2, "has", "have")`.
pub(crate) fn count_as(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(u128::from(n)), if n == 1 { one } else { many })
}

/// A length or index as a count (saturating; `usize` is at most 64 bits on every target).
pub(crate) fn len(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `67` → `67%`; `146.666` with 1 decimal → `146.7%`; `—` when `p` is not finite.
pub fn percent(p: f64, decimals: u32) -> String {
    if !p.is_finite() {
        return "—".into();
    }
    format!("{:.*}%", decimals as usize, round_to(p, decimals))
}

/// `x` rounded to `decimals` places.
pub(crate) fn round_to(x: f64, decimals: u32) -> f64 {
    let m = 10f64.powi(decimals as i32);
    (x * m).round() / m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_by_three() {
        let cases = [(0, "0"), (999, "999"), (1000, "1,000"), (1_234_567, "1,234,567")];
        for (n, want) in cases {
            assert_eq!(thousands(n), want);
        }
        assert_eq!(thousands(u128::MAX), "340,282,366,920,938,463,463,374,607,431,768,211,455");
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1, "test"), "1 test");
        assert_eq!(count(0, "test"), "0 tests");
        assert_eq!(count(2000, "warning"), "2,000 warnings");
        assert_eq!(count(2, "category"), "2 categories");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(3, "box"), "3 boxes");
        assert_eq!(count(2, "match"), "2 matches");
        assert_eq!(count_as(1, "has", "have"), "1 has");
        assert_eq!(count_as(1001, "child", "children"), "1,001 children");
    }
}
