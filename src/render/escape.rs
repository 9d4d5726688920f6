//! Markdown escaping: data is shown as text, never interpreted as markup.
//!
//! Used as Tera's auto-escape function for `.md` templates, so every `{{ value }}` is escaped
//! unless a filter built it from escaped parts and marked it safe.

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

fn escape(s: &str, newline: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let chars: Vec<char> = s.chars().collect();
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

/// Tera escape function for Markdown templates.
pub fn escape_markdown(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(escape_inline(input).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn line_breaks_never_start_a_block() {
        assert_eq!(escape_inline("a\n# b\r\nc"), "a # b c");
        assert_eq!(escape_cell("a\n|b"), "a<br>\\|b");
    }
}
