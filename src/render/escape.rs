//! Markdown escaping: data is shown as text, never interpreted as markup.
//!
//! Used as Tera's auto-escape function for `.md` templates, so every `{{ value }}` is escaped
//! unless a filter built it from escaped parts and marked it safe.
//!
//! Besides Markdown syntax, two kinds of text must not act when shown:
//! - control characters (Unicode category Cc: C0, DEL, C1), which drive terminals and break XML,
//!   are shown as their Unicode Control Pictures (`␛` for ESC, `␀` for NUL); C1 controls, which
//!   have none, as `�`;
//! - what GitHub turns into live links or notifications: bare URLs (`https://…`), `www.` hosts
//!   and e-mail addresses (cmark-gfm's autolink extension), `@mentions`, `#123` and `GH-123`
//!   references (GitHub's filters, which run on the rendered text, so Markdown escapes and HTML
//!   entities do not stop them). A WORD JOINER (U+2060: invisible, zero-width, no line break) is
//!   put inside each match, after `@`, the `:` of `://`, the `www`, the `#` or the `GH-`; the
//!   text reads the same.

use std::borrow::Cow;

/// The invisible character that breaks autolinks and mentions (see the module documentation).
pub(super) const WORD_JOINER: char = '\u{2060}';

/// Escapes `s` so that it renders as the same text inline (one line, no markup, no HTML).
///
/// Line breaks become spaces: a value can never start a new block (list, heading, table row).
pub fn escape_inline(s: &str) -> String {
    escape(s, " ")
}

/// Escapes `s` for a GFM table cell: like [`escape_inline`], with line breaks as `<br>`.
pub fn escape_cell(s: &str) -> String {
    escape(s, "<br>")
}

/// The visible stand-in for a control character: its Control Picture (U+2400 + code for C0,
/// U+2421 for DEL), or U+FFFD for a C1 control; `None` for any other character.
pub(super) fn control_picture(c: char) -> Option<char> {
    match c {
        '\0'..='\x1f' => char::from_u32(0x2400 + c as u32),
        '\x7f' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// `s` with every control character except tab and line breaks (`\n`, `\r`) shown as its
/// `control_picture`.
pub fn visible_controls(s: &str) -> Cow<'_, str> {
    let keep = |c: char| matches!(c, '\t' | '\n' | '\r') || control_picture(c).is_none();
    if s.chars().all(keep) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if keep(c) { c } else { control_picture(c).unwrap_or(c) }).collect())
}

/// `s` with every control character except tab shown as its `control_picture`: for one line
/// of text printed as is (a line break or carriage return in it shows as `␊` or `␍`).
pub fn visible_controls_line(s: &str) -> Cow<'_, str> {
    let keep = |c: char| c == '\t' || control_picture(c).is_none();
    if s.chars().all(keep) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if keep(c) { c } else { control_picture(c).unwrap_or(c) }).collect())
}

/// `s` without ANSI escape sequences (CSI such as colours `ESC[31m`, and OSC such as titles and
/// hyperlinks `ESC]…BEL`), the terminal styling test runners put in failure messages; other
/// control characters are left for [`visible_controls`].
pub(super) fn strip_ansi(s: &str) -> Cow<'_, str> {
    if !s.contains('\x1b') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\x1b') {
        out.push_str(&rest[..at]);
        let seq = &rest[at + 1..];
        let len = if let Some(body) = seq.strip_prefix('[') {
            // Parameter and intermediate bytes, then one final byte in @..~.
            let params = body.bytes().take_while(|b| (0x20..=0x3f).contains(b)).count();
            match body.as_bytes().get(params) {
                Some(b) if (0x40..=0x7e).contains(b) => Some(1 + params + 1),
                _ => None,
            }
        } else if let Some(body) = seq.strip_prefix(']') {
            // Ends at BEL or ST (`ESC \`), never across a line.
            match body.find(['\x07', '\x1b', '\n']) {
                Some(e) if body.as_bytes()[e] == 0x07 => Some(1 + e + 1),
                Some(e) if body[e..].starts_with("\x1b\\") => Some(1 + e + 2),
                _ => None,
            }
        } else {
            None
        };
        match len {
            Some(n) => rest = &seq[n..],
            None => {
                // A lone ESC stays, to be shown as ␛.
                out.push('\x1b');
                rest = seq;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Puts a [`WORD_JOINER`] inside every bare URL scheme (`://`), `www.` host, e-mail address or
/// `@mention`, `#123` and `GH-123` reference, so neither cmark-gfm nor GitHub links them.
pub(super) fn break_autolinks(s: &str) -> Cow<'_, str> {
    // Every rule below starts at one of these bytes (`www` needs its `.`).
    if !s.bytes().any(|b| matches!(b, b'@' | b':' | b'#' | b'-' | b'.')) {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut at = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let joins = match c {
            // E-mail domains and mentions start right after the `@`.
            '@' => next.is_some_and(|n| n.is_alphanumeric() || n == '_' || n == '-'),
            ':' => chars.get(i + 1..i + 3) == Some(&['/', '/']),
            '#' => next.is_some_and(|n| n.is_ascii_digit()),
            '-' => {
                next.is_some_and(|n| n.is_ascii_digit())
                    && i >= 2
                    && chars[i - 2].eq_ignore_ascii_case(&'g')
                    && chars[i - 1].eq_ignore_ascii_case(&'h')
                    && (i == 2 || !chars[i - 3].is_alphanumeric())
            }
            // `www` followed by `.`: the joiner goes between them.
            'w' | 'W' => {
                next == Some('.') && i >= 2 && chars[i - 2..i].iter().all(|p| p.eq_ignore_ascii_case(&'w'))
            }
            _ => false,
        };
        if joins {
            at.push(i);
        }
    }
    if at.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + at.len() * 3);
    let mut next_at = at.iter().peekable();
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        if next_at.peek() == Some(&&i) {
            next_at.next();
            out.push(WORD_JOINER);
        }
    }
    Cow::Owned(out)
}

fn escape(s: &str, newline: &str) -> String {
    // Most values (names, numbers, lists of words) contain nothing any rule below touches; a
    // report of 10,000 categories escapes every cell, and the rules cost many times this check.
    if is_inert(s) {
        return s.to_string();
    }
    escape_by_rules(s, newline)
}

/// Letters, digits, spaces and commas: text that [`escape_by_rules`] leaves as it is (digits
/// open a list only before `.` or `)`; `w` starts an autolink only before `.`).
fn is_inert(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b',')
}

fn escape_by_rules(s: &str, newline: &str) -> String {
    let s = break_autolinks(s);
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
    let closing = closing_hashes(&chars);
    let mut at_start = true;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\r' => {
                if chars.get(i + 1) != Some(&'\n') {
                    out.push_str(newline);
                }
            }
            '\n' => out.push_str(newline),
            '\t' => out.push('\t'),
            c if control_picture(c).is_some() => out.push(control_picture(c).unwrap_or(c)),
            // Always special inline: emphasis, code, links, HTML, entities, tables, strikethrough,
            // math (GitHub renders $...$), autolink-like angle brackets.
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            // `_` only emphasises at a word boundary; keep snake_case readable.
            '_' => {
                let prev = i.checked_sub(1).map(|p| chars[p]);
                let next = chars.get(i + 1);
                let inner =
                    prev.is_some_and(char::is_alphanumeric) && next.is_some_and(|n| n.is_alphanumeric());
                if !inner {
                    out.push('\\');
                }
                out.push('_');
            }
            // Block markers matter only where the value starts.
            '#' | '-' | '+' | '=' if at_start && marker_follows(&chars, i) => {
                out.push('\\');
                out.push(c);
            }
            // A heading's closing sequence (` #` at the end) would be dropped from a title.
            '#' if closing == Some(i) => {
                out.push('\\');
                out.push('#');
            }
            '0'..='9' if at_start => {
                // "1. x" or "1) x" at the start would open an ordered list.
                let mut j = i;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    out.push(chars[j]);
                    j += 1;
                }
                if j < chars.len() && (chars[j] == '.' || chars[j] == ')') && marker_follows(&chars, j) {
                    out.push('\\');
                }
                i = j;
                at_start = false;
                continue;
            }
            _ => out.push(c),
        }
        if !c.is_whitespace() {
            at_start = false;
        }
        i += 1;
    }
    out
}

/// Whether the marker at `i` is followed by what makes it a block marker: a space, the end,
/// or (for `#`, `=`, `-`) a run of the same character.
fn marker_follows(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        None => true,
        Some(n) if n.is_whitespace() => true,
        Some(n) => *n == chars[i] && matches!(chars[i], '#' | '=' | '-'),
    }
}

/// Index of the first `#` of a run that ends the text (before trailing spaces) and follows a
/// space or tab: in an ATX heading, such a run is a closing sequence and is not shown.
fn closing_hashes(chars: &[char]) -> Option<usize> {
    let end = chars.iter().rposition(|&c| c != ' ' && c != '\t')?;
    if chars[end] != '#' {
        return None;
    }
    let start = chars[..=end].iter().rposition(|&c| c != '#').map_or(0, |p| p + 1);
    (start > 0 && matches!(chars[start - 1], ' ' | '\t')).then_some(start)
}

/// Tera escape function for Markdown templates.
pub(super) fn escape_markdown(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(escape_inline(input).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inert_text_is_what_the_rules_leave_alone() {
        // Every string of up to 5 characters over the inert alphabet plus the characters next
        // to it that the rules do touch.
        let alphabet = ['a', 'w', 'Z', '0', '9', ' ', ',', '.', '#', '-', '_', ')'];
        let mut checked = 0;
        for len in 0..=5u32 {
            for mut code in 0..alphabet.len().pow(len) {
                let mut s = String::new();
                for _ in 0..len {
                    s.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                let by_rules = escape_by_rules(&s, "<br>");
                if is_inert(&s) {
                    assert_eq!(by_rules, s, "the rules change inert text {s:?}");
                    checked += 1;
                }
                assert_eq!(escape(&s, "<br>"), by_rules, "{s:?}");
            }
        }
        assert_eq!(checked, (0..=5).map(|n| 7usize.pow(n)).sum::<usize>());
        assert_eq!(escape("1. x", ""), "1\\. x");
    }

    #[test]
    fn plain_text_is_untouched() {
        assert_eq!(escape_inline("Auth tests for auth_service"), "Auth tests for auth_service");
    }

    #[test]
    fn markup_is_neutralised() {
        assert_eq!(escape_inline("<script>"), "\\<script\\>");
        assert_eq!(escape_inline("[x](javascript:alert(1))"), "\\[x\\](javascript:alert(1))");
        assert_eq!(escape_inline("a|b"), "a\\|b");
        assert_eq!(escape_inline("`rm`"), "\\`rm\\`");
        assert_eq!(escape_inline("_em_"), "\\_em\\_");
        assert_eq!(escape_inline("# title"), "\\# title");
        assert_eq!(escape_inline("1. first"), "1\\. first");
        assert_eq!(escape_inline("- item"), "\\- item");
        assert_eq!(escape_inline("a - b"), "a - b");
        assert_eq!(escape_inline("6.2×"), "6.2×");
        assert_eq!(escape_inline("-5 degrees"), "-5 degrees");
        assert_eq!(escape_inline("---"), "\\---");
        assert_eq!(escape_inline("$3.1M and $5"), "\\$3.1M and \\$5");
        assert_eq!(escape_inline("<!-- c -->"), "\\<!-- c --\\>");
    }

    #[test]
    fn controls_are_shown_as_pictures() {
        assert_eq!(escape_inline("a\u{1b}[31mb\0c\u{7f}\u{85}\td"), "a␛\\[31mb␀c␡\u{fffd}\td");
        assert_eq!(escape_cell("x\u{b}y\u{c}"), "x␋y␌");
        assert_eq!(visible_controls_line("a\r\n"), "a␍␊");
        assert_eq!(visible_controls("a\r\n\u{7}"), "a\r\n␇");
    }

    #[test]
    fn ansi_sequences_are_stripped() {
        assert_eq!(strip_ansi("\u{1b}[1;31mred\u{1b}[0m plain"), "red plain");
        assert_eq!(strip_ansi("\u{1b}]8;;https://x\u{7}link\u{1b}]8;;\u{1b}\\ end"), "link end");
        // A lone ESC, or one that starts no complete sequence, stays for visible_controls.
        assert_eq!(strip_ansi("a\u{1b}b \u{1b}[12"), "a\u{1b}b \u{1b}[12");
        assert_eq!(strip_ansi("\u{1b}]0;title\nnext"), "\u{1b}]0;title\nnext");
    }

    #[test]
    fn autolinks_and_mentions_get_a_word_joiner() {
        let wj = |s: &str| s.replace('\u{2060}', "|");
        assert_eq!(
            wj(&break_autolinks("see https://x.example, www.y.example and WWW.Z")),
            "see https:|//x.example, www|.y.example and WWW|.Z"
        );
        assert_eq!(
            wj(&break_autolinks("me@x.example @octocat @ alone, a@")),
            "me@|x.example @|octocat @ alone, a@"
        );
        assert_eq!(wj(&break_autolinks("#123 GH-7 gh-8 UGH-9 C# #x")), "#|123 GH-|7 gh-|8 UGH-9 C# #x");
        assert_eq!(break_autolinks("plain text: no links"), "plain text: no links");
    }

    #[test]
    fn closing_hash_sequence_is_escaped() {
        assert_eq!(escape_inline("Fix C #"), "Fix C \\#");
        assert_eq!(escape_inline("Fix C ## "), "Fix C \\## ");
        assert_eq!(escape_inline("C#"), "C#");
        assert_eq!(escape_inline("a # b"), "a # b");
    }

    #[test]
    fn line_breaks_never_start_a_block() {
        assert_eq!(escape_inline("a\n# b\r\nc"), "a # b c");
        assert_eq!(escape_cell("a\n|b"), "a<br>\\|b");
    }
}
