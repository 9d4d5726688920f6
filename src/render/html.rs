//! A standalone HTML page from a rendered Markdown report (`--format html`).
//!
//! The Markdown comes from our templates, whose values are already escaped, but a user template
//! can hold anything, so this module trusts nothing in it:
//!
//! - raw HTML passes only as bare whitelisted tags (`<details>`, `<summary>`, `<br>`, `<sub>`,
//!   `<sup>`, `<kbd>` and their closers); every other tag is shown escaped, as text;
//! - links and images keep only `http:`, `https:`, `mailto:`, fragment and relative URLs; any
//!   other scheme (`javascript:`, `data:`, `vbscript:`, …) leaves just the link's text;
//! - the page carries a Content-Security-Policy that allows no script and no outside resource,
//!   so even a bypass of the above could neither run code nor call out.
//!
//! The output is a pure function of its inputs: same Markdown and title, same bytes.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

/// The page's stylesheet, embedded so that the page is one self-contained file.
const CSS: &str = include_str!("../../templates/page.css");

/// No script, no fetch, no frame; inline styles (ours) and `data:` images only.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/// Tags that may pass through as raw HTML, and only in their bare form: no attribute can ride
/// along, so none of them can carry an event handler or a URL.
const ALLOWED_TAGS: &[&str] = &["details", "summary", "br", "sub", "sup", "kbd"];

/// Status markers that get a `<span class="status …">`, longest first where one is a prefix of
/// another (⚠️ with its emoji variation selector before the bare ⚠).
const STATUS_MARKERS: &[(&str, &str)] = &[
    ("✅", "ok"),
    ("⚠\u{fe0f}", "warn"),
    ("⚠", "warn"),
    ("❌", "fail"),
    ("➖", "not-run"),
    ("[ok]", "ok"),
    ("[warn]", "warn"),
    ("[fail]", "fail"),
    ("[not run]", "not-run"),
];

/// Renders `markdown` (a gen-report report) as a standalone HTML5 page titled `title`.
///
/// The page embeds its CSS (tables, status colours, light and dark schemes) and loads nothing.
/// Raw HTML in `markdown` is reduced to a whitelist of bare tags, unsafe link schemes are
/// dropped, and `title` is escaped; see the module documentation.
pub fn page(markdown: &str, title: &str) -> String {
    page_with_charts(markdown, title, Vec::new())
}

/// Like [`page`], with a Mermaid block replaced by the chart of `charts` whose key (its title,
/// as the template writes it) the block's source holds: inline SVG built by gen-report from the
/// model. Other blocks stay readable source.
pub fn page_with_charts(markdown: &str, title: &str, charts: Vec<(String, String)>) -> String {
    let body = body(markdown, charts);
    let mut out = String::with_capacity(body.len() + CSS.len() + 512);
    out.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"");
    out.push_str(CSP);
    out.push_str("\">\n<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
    out.push_str(&escape(title));
    out.push_str("</title>\n<style>\n");
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<main>\n");
    out.push_str(&body);
    out.push_str("</main>\n</body>\n</html>\n");
    // Our HTML holds no control character but tab and line breaks: whatever else came with
    // the Markdown (a user template, a character reference such as `&#27;`) is shown, inert.
    super::escape::visible_controls(&out).into_owned()
}

/// The page's body: `markdown` converted to HTML, with raw HTML, URLs and status markers
/// treated as the module documentation says.
fn body(markdown: &str, charts: Vec<(String, String)>) -> String {
    // GFM tables and strikethrough are what the templates use. Footnotes, math and the rest
    // stay off: each option is more syntax a value could trip, for nothing the reports need.
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let events = sanitise(Parser::new_ext(markdown, options), charts);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// Rewrites the parser's events so that pulldown-cmark's HTML writer, which copies raw HTML
/// verbatim, only ever receives HTML built or checked here.
fn sanitise<'a>(events: impl Iterator<Item = Event<'a>>, charts: Vec<(String, String)>) -> Vec<Event<'a>> {
    let mut s = Sanitiser { charts, ..Sanitiser::default() };
    for event in events {
        if s.mermaid_src.is_some() {
            s.mermaid(event);
            continue;
        }
        if !matches!(event, Event::Text(_)) && !s.text.is_empty() {
            s.flush();
        }
        s.event(event);
    }
    if !s.text.is_empty() {
        s.flush();
    }
    s.out
}

/// The state of [`sanitise`] between events.
#[derive(Default)]
struct Sanitiser<'a> {
    /// Charts to draw, by the title their Mermaid source carries.
    charts: Vec<(String, String)>,
    /// Inside a Mermaid block: its source, until the block ends and a chart is chosen for it.
    mermaid_src: Option<String>,
    out: Vec<Event<'a>>,
    /// Whether each open link / image was dropped, so that its end is dropped too.
    links: Vec<bool>,
    images: Vec<bool>,
    /// Kept images: their content becomes an `alt` attribute, where markup would show as text.
    open_images: usize,
    /// Code blocks are literal text: no status spans there.
    in_code: bool,
    /// The parser splits text at every character that might start markup (`[ok]` can arrive as
    /// `[` + `ok]`); adjacent pieces are joined before looking for markers.
    text: String,
}

impl<'a> Sanitiser<'a> {
    fn flush(&mut self) {
        flush_text(&mut self.out, &mut self.text, self.in_code || self.open_images > 0);
    }

    /// An event inside a Mermaid block: collect its source; at its end, the chart it names.
    fn mermaid(&mut self, event: Event<'a>) {
        match event {
            Event::Text(t) => self.mermaid_src.get_or_insert_default().push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                let src = self.mermaid_src.take().unwrap_or_default();
                match self.charts.iter().find(|(key, _)| src.contains(key.as_str())) {
                    Some((_, svg)) => self.out.push(Event::Html(CowStr::from(svg.clone()))),
                    None => {
                        // Nothing renders diagrams here (no script may run); the source
                        // stays readable, marked so a viewer with Mermaid could pick it up.
                        self.out.push(Event::Html(CowStr::Borrowed("<pre class=\"mermaid\">")));
                        self.out.push(Event::Text(CowStr::from(src)));
                        self.out.push(Event::Html(CowStr::Borrowed("</pre>\n")));
                    }
                }
            }
            _ => {}
        }
    }

    fn event(&mut self, event: Event<'a>) {
        match event {
            Event::Text(t) => self.text.push_str(&t),
            Event::Html(h) => self.out.push(Event::Html(sanitise_html(&h).into())),
            Event::InlineHtml(h) => self.out.push(Event::InlineHtml(sanitise_html(&h).into())),
            // In an `alt` attribute markup would show as text: the writer's own escaping there.
            Event::Code(c) if self.open_images == 0 => self.out.push(Event::InlineHtml(code_span(&c).into())),
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let bad = !safe_url(&dest_url);
                self.links.push(bad);
                if !bad {
                    self.out.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
            }
            Event::End(TagEnd::Link) => {
                if self.links.pop() != Some(true) {
                    self.out.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let bad = !safe_url(&dest_url);
                self.images.push(bad);
                if !bad {
                    self.open_images = self.open_images.saturating_add(1);
                    self.out.push(Event::Start(Tag::Image { link_type, dest_url, title, id }));
                }
            }
            Event::End(TagEnd::Image) => {
                if self.images.pop() != Some(true) {
                    self.open_images = self.open_images.saturating_sub(1);
                    self.out.push(Event::End(TagEnd::Image));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                self.in_code = true;
                let is_mermaid = matches!(&kind, CodeBlockKind::Fenced(info)
                    if info.split_whitespace().next().is_some_and(|l| l.eq_ignore_ascii_case("mermaid")));
                if is_mermaid {
                    self.mermaid_src = Some(String::new());
                } else {
                    self.out.push(Event::Start(Tag::CodeBlock(kind)));
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                self.in_code = false;
                self.out.push(Event::End(TagEnd::CodeBlock));
            }
            other => self.out.push(other),
        }
    }
}

/// Emits the joined text, with status markers wrapped in spans unless `literal`.
fn flush_text<'a>(out: &mut Vec<Event<'a>>, text: &mut String, literal: bool) {
    let text = std::mem::take(text);
    if literal {
        out.push(Event::Text(text.into()));
        return;
    }
    let mut rest = text.as_str();
    while let Some((at, marker, class)) = find_marker(rest) {
        if at > 0 {
            out.push(Event::Text(rest[..at].to_string().into()));
        }
        out.push(Event::InlineHtml(status_span(marker, class).into()));
        rest = &rest[at + marker.len()..];
    }
    if !rest.is_empty() {
        out.push(Event::Text(rest.to_string().into()));
    }
}

/// `<code>` for an inline code span, with a line-break opportunity after each `/` and `_`:
/// paths are the long code spans of a report (locations, result files), and in a table cell
/// they should wrap between directories and words rather than stretch the table or break
/// mid-word. `<wbr>` adds no character, so copied text is unchanged.
fn code_span(code: &str) -> String {
    format!("<code>{}</code>", escape(code).replace('/', "/<wbr>").replace('_', "_<wbr>"))
}

/// The first status marker in `s`: its byte offset, the marker and its class.
fn find_marker(s: &str) -> Option<(usize, &'static str, &'static str)> {
    // Earliest position wins; at a tie, the earlier (longer) entry of STATUS_MARKERS.
    STATUS_MARKERS
        .iter()
        .filter_map(|&(marker, class)| s.find(marker).map(|at| (at, marker, class)))
        .min_by_key(|&(at, _, _)| at)
}

/// `<span class="status CLASS">MARKER</span>`; both are our constants, escaped all the same.
fn status_span(marker: &str, class: &str) -> String {
    format!("<span class=\"status {class}\">{}</span>", escape(marker))
}

/// Reduces raw HTML to safe HTML: whitelisted bare tags are kept (normalised to lower case),
/// comments are dropped (they show nothing in any Markdown viewer), and everything else is
/// escaped text in which only well-formed character references survive as such.
fn sanitise_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut text = String::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(end) = rest.strip_prefix("<!--").and_then(|r| r.find("-->")) {
                rest = &rest[4 + end + 3..];
                continue;
            }
            if let Some((tag, len)) = allowed_tag(rest) {
                push_text(&mut out, &std::mem::take(&mut text));
                out.push_str(&tag);
                rest = &rest[len..];
                continue;
            }
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    push_text(&mut out, &text);
    out
}

/// Text found inside raw HTML: escaped, status markers wrapped as in Markdown text.
fn push_text(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some((at, marker, class)) = find_marker(rest) {
        out.push_str(&escape_keeping_references(&rest[..at]));
        out.push_str(&status_span(marker, class));
        rest = &rest[at + marker.len()..];
    }
    out.push_str(&escape_keeping_references(rest));
}

/// If `s` starts with a bare whitelisted tag (`<name>`, `</name>`, or `<br/>` / `<br />`),
/// returns it in canonical lower-case form and the length it spans in `s`.
fn allowed_tag(s: &str) -> Option<(String, usize)> {
    let end = s.find('>')?;
    let inner = &s[1..end];
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(i) => (true, i),
        None => (false, inner),
    };
    let (name, self_closing) = match inner.strip_suffix('/') {
        Some(n) => (n.trim_end(), true),
        None => (inner, false),
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let name = name.to_ascii_lowercase();
    if !ALLOWED_TAGS.contains(&name.as_str()) {
        return None;
    }
    let tag = match (closing, self_closing) {
        (false, false) => format!("<{name}>"),
        (true, false) if name != "br" => format!("</{name}>"),
        (false, true) if name == "br" => "<br>".to_string(),
        _ => return None,
    };
    Some((tag, end + 1))
}

/// Escapes `s` for HTML text or a quoted attribute value.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Like [`escape`], but a well-formed character reference (`&amp;`, `&#95;`, `&#x5F;`) stays
/// one: the `html` template filter writes those inside `<summary>`, and escaping them again
/// would show `&#95;` instead of `_`. A reference only ever decodes to text, so it is safe.
fn escape_keeping_references(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        if c == '&' && reference_len(&s[i..]).is_some() {
            out.push('&');
        } else {
            out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
        }
    }
    out
}

/// The length of the character reference at the start of `s` (which starts with `&`), if any.
fn reference_len(s: &str) -> Option<usize> {
    let body = s.get(1..)?;
    let semi = body.find(';')?;
    let name = &body[..semi];
    // A numeric reference to a control character would bring it back: it is escaped instead.
    let printable = |code: Option<u32>| {
        code.and_then(char::from_u32).is_some_and(|c| !c.is_control() || c == '\t' || c == '\n')
    };
    let ok = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        (1..=6).contains(&hex.len())
            && hex.bytes().all(|b| b.is_ascii_hexdigit())
            && printable(u32::from_str_radix(hex, 16).ok())
    } else if let Some(dec) = name.strip_prefix('#') {
        (1..=7).contains(&dec.len()) && dec.bytes().all(|b| b.is_ascii_digit()) && printable(dec.parse().ok())
    } else {
        (2..=32).contains(&name.len())
            && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name.bytes().all(|b| b.is_ascii_alphanumeric())
    };
    ok.then_some(semi + 2)
}

/// Whether a link or image URL may stay: `http:`, `https:`, `mailto:`, or no scheme at all
/// (relative paths and `#fragment`s).
///
/// Browsers ignore leading whitespace and control characters and drop tabs and newlines
/// anywhere in a URL (so `java\tscript:` is `javascript:`); the scheme is read the same way.
fn safe_url(url: &str) -> bool {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|&c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    // A scheme ends at the first `:`, and only if no `/`, `?` or `#` comes before it.
    let Some(colon) = cleaned.find(':') else { return true };
    let head = &cleaned[..colon];
    if head.contains(['/', '?', '#']) {
        return true;
    }
    ["http", "https", "mailto"].iter().any(|s| head.eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_is_standalone_html5_with_strict_csp() {
        let p = page("# Hi\n", "Report");
        assert!(p.starts_with("<!doctype html>\n"));
        assert!(p.contains("<meta charset=\"utf-8\">"));
        assert!(p.contains("<meta name=\"viewport\""));
        assert!(p.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; img-src data:\">"
        ));
        assert!(p.contains("<style>\n") && p.contains("prefers-color-scheme: dark"));
        assert!(p.contains("<h1>Hi</h1>"));
        assert!(!p.contains("<script"), "no script, not even ours");
    }

    #[test]
    fn title_is_escaped() {
        let p = page("", "</title><script>alert(1)</script> & \"q\"");
        assert!(p.contains(
            "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;</title>"
        ));
        assert!(!p.contains("<script"));
    }

    #[test]
    fn table_status_and_details_render_exactly() {
        let md = "| a | b |\n|---|--:|\n| ✅ | 1 |\n\n<details><summary>x</summary>\n\ny\n\n</details>\n";
        assert_eq!(
            body(md, Vec::new()),
            "<table><thead><tr><th>a</th><th style=\"text-align: right\">b</th></tr></thead><tbody>\n\
             <tr><td><span class=\"status ok\">✅</span></td><td style=\"text-align: right\">1</td></tr>\n\
             </tbody></table>\n<details><summary>x</summary>\n<p>y</p>\n</details>\n"
        );
    }

    #[test]
    fn whitelisted_bare_tags_pass() {
        let b = body(
            "<details><summary>More &#95;x&#95; ❌</summary>\n\nbody<br/>x<BR>\n\n</details>\n",
            Vec::new(),
        );
        assert!(
            b.contains("<details><summary>More &#95;x&#95; <span class=\"status fail\">❌</span></summary>")
        );
        assert!(b.contains("</details>"));
        assert!(b.contains("body<br>x<br>"), "{b}");
        let b = body("press <kbd>Ctrl</kbd>, H<sub>2</sub>O, x<sup>2</sup>\n", Vec::new());
        assert!(b.contains("press <kbd>Ctrl</kbd>, H<sub>2</sub>O, x<sup>2</sup>"), "{b}");
    }

    #[test]
    fn other_html_is_escaped_text() {
        for (md, shown) in [
            ("<script>alert(1)</script>\n", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("a <img src=x onerror=\"alert(1)\"> b\n", "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"),
            ("<details open onclick=\"alert(1)\">\n", "&lt;details open onclick=&quot;alert(1)&quot;&gt;"),
            ("<summary class=x>s</summary>\n", "&lt;summary class=x&gt;s</summary>"),
            ("<iframe src=\"https://x\"></iframe>\n", "&lt;iframe src=&quot;https://x&quot;&gt;"),
            ("x <a href=\"javascript:alert(1)\">y</a>\n", "&lt;a href=&quot;javascript:alert(1)&quot;&gt;y"),
            ("<style>body{}</style>\n", "&lt;style&gt;body{}&lt;/style&gt;"),
        ] {
            let b = body(md, Vec::new());
            assert!(b.contains(shown), "{md:?} gave {b:?}");
            for tag in ["<script", "<img", "<details ", "<iframe", "<a ", "<style", "<summary "] {
                assert!(!b.contains(tag), "{md:?} gave {b:?}");
            }
        }
    }

    #[test]
    fn comments_are_dropped_and_stray_ampersands_escaped() {
        let b = body("<div>a & b &copy; &#x41; &#9999999999;<!-- c --></div>\n", Vec::new());
        assert_eq!(b, "&lt;div&gt;a &amp; b &copy; &#x41; &amp;#9999999999;&lt;/div&gt;\n");
    }

    #[test]
    fn unsafe_links_become_text() {
        // The link's text stays as text; the link itself goes.
        for (md, want) in [
            ("[x](javascript:document.title='PWNED')", "<p>x</p>\n"),
            ("[x](JaVaScRiPt:alert(1))", "<p>x</p>\n"),
            ("[x](<java\tscript:alert(1)>)", "<p>x</p>\n"),
            // Not a link at all to CommonMark (a control character in the destination).
            ("[x]( \u{1}javascript:alert(1))", "<p>[x]( \u{1}javascript:alert(1))</p>\n"),
            ("[x](data:text/html;base64,PHNjcmlwdD4=)", "<p>x</p>\n"),
            ("[x](vbscript:msgbox)", "<p>x</p>\n"),
            ("[x](javascript&#58;alert(1))", "<p>x</p>\n"),
            ("<javascript:alert(1)>", "<p>javascript:alert(1)</p>\n"),
            ("![x](javascript:alert(1))", "<p>x</p>\n"),
            ("[x][r]\n\n[r]: javascript:alert(1)", "<p>x</p>\n"),
        ] {
            assert_eq!(body(md, Vec::new()), want, "{md:?}");
        }
    }

    #[test]
    fn safe_links_stay() {
        for (md, href) in [
            ("[x](https://example.com/a?b=1)", "href=\"https://example.com/a?b=1\""),
            ("[x](HTTP://example.com)", "href=\"HTTP://example.com\""),
            ("[x](mailto:a@example.com)", "href=\"mailto:a@example.com\""),
            ("[x](#totals)", "href=\"#totals\""),
            ("[x](results/junit.xml)", "href=\"results/junit.xml\""),
            ("[x](a/b:c)", "href=\"a/b:c\""),
        ] {
            let b = body(md, Vec::new());
            assert!(b.contains(href), "{md:?} gave {b:?}");
        }
    }

    #[test]
    fn tables_render_with_alignment() {
        let b = body("| Name | Tests |\n|------|------:|\n| Auth | 6 |\n| E2E | 18 |\n", Vec::new());
        assert!(b.contains("<table>"));
        assert!(b.contains("<th style=\"text-align: right\">Tests</th>"), "{b}");
        assert!(b.contains("<td style=\"text-align: right\">18</td>"), "{b}");
    }

    #[test]
    fn status_markers_get_spans() {
        let b = body(
            "| s |\n|---|\n| ✅ | \n| ⚠️ |\n| ❌ |\n| ➖ |\n\n[ok] [warn] [fail] [not run] ⚠\n",
            Vec::new(),
        );
        for (class, marker) in
            [("ok", "✅"), ("warn", "⚠\u{fe0f}"), ("fail", "❌"), ("not-run", "➖"), ("warn", "⚠")]
        {
            assert!(b.contains(&format!("<span class=\"status {class}\">{marker}</span>")), "{b}");
        }
        for (class, marker) in
            [("ok", "[ok]"), ("warn", "[warn]"), ("fail", "[fail]"), ("not-run", "[not run]")]
        {
            assert!(b.contains(&format!("<span class=\"status {class}\">{marker}</span>")), "{b}");
        }
    }

    #[test]
    fn code_stays_literal() {
        let b = body("```\n✅ <script>\n```\n\n`[ok]`\n", Vec::new());
        assert!(b.contains("<pre><code>✅ &lt;script&gt;\n</code></pre>"), "{b}");
        assert!(b.contains("<code>[ok]</code>"), "{b}");
        let b = body("`a/b_c <d>`\n", Vec::new());
        assert!(b.contains("<code>a/<wbr>b_<wbr>c &lt;d&gt;</code>"), "{b}");
        let b = body("```mermaid\ngraph TD; A-->B<script>\n```\n", Vec::new());
        assert_eq!(b, "<pre class=\"mermaid\">graph TD; A--&gt;B&lt;script&gt;\n</pre>\n");
    }

    #[test]
    fn escaped_markdown_from_templates_stays_text() {
        // What escape_inline makes of hostile values: shown, never interpreted.
        let b = body("\\<script\\>alert(1)\\</script\\> \\[x\\](javascript:alert(1))\n", Vec::new());
        assert!(b.contains("&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))"), "{b}");
        assert!(!b.contains("href"));
    }
}
