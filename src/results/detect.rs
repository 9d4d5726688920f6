//! Recognising a results file from its first bytes.
//!
//! The sniffer looks past a BOM, whitespace, XML declarations, processing instructions,
//! comments and a doctype — however long — and then at most [`CONTENT_LIMIT`] bytes of content.
//! [`sniff_stream`] works on a `BufRead`'s own buffer: when the decision fits in the first
//! buffer (the usual case) nothing is consumed; otherwise the bytes it had to look at are handed
//! back so the reader sees them first. Either way no byte of the file is read twice.

use std::io::BufRead;

use super::Format;
use super::xml::UTF8_BOM;

const TRX_NAMESPACE: &[u8] = b"http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
const CHECK_NAMESPACE: &[u8] = b"http://check.sourceforge.net/ns";

/// How many bytes of content (after the prologue: BOM, whitespace, XML declaration, comments,
/// processing instructions, doctype) are looked at to decide.
pub(super) const CONTENT_LIMIT: usize = 64 * 1024;

/// Most bytes held while looking for the content: a prologue this long (whitespace, comments)
/// is refused rather than kept in memory.
pub(super) const MAX_PROLOGUE: usize = 64 * 1024 * 1024;

/// The sniffer's answer for the bytes seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sniff {
    /// Decided.
    Known(Format),
    /// More bytes could change the answer.
    NeedMore,
}

/// Sniffs the format from the first bytes of a file (a few KB is usually plenty).
///
/// XML: skips a UTF-8 BOM, whitespace, the XML declaration, processing instructions, comments
/// and a doctype (with internal subset), then looks at the root element's name. JSON: CTRF is
/// an object with a top-level `results` holding `tool`/`tests`; libtest JSON and go test JSON
/// are one object per line (`type` is `suite`/`test`, or an `Action`); Mocha, Jest/Vitest and
/// RSpec are told by their top-level keys. TAP by its version line, plan or numbered test
/// lines. `head` is taken to be the whole input.
pub fn detect_format(head: &[u8]) -> Format {
    match sniff(head, true) {
        Sniff::Known(f) => f,
        Sniff::NeedMore => Format::Unknown,
    }
}

/// Sniffs a stream. Returns the format and the bytes it had to consume to decide (empty when
/// the decision fitted in `src`'s buffer); the reader must see those bytes before the rest of
/// `src`. Memory: at most the prologue plus [`CONTENT_LIMIT`] bytes, and never more than about
/// [`MAX_PROLOGUE`] (then the format is [`Format::Unknown`]).
pub(super) fn sniff_stream<R: BufRead>(src: &mut R) -> std::io::Result<(Format, Vec<u8>)> {
    let mut held: Vec<u8> = Vec::new();
    // Re-sniff only when the held bytes have doubled, so a long prologue costs linear time.
    let mut next_try = 0usize;
    loop {
        let buf = src.fill_buf()?;
        let eof = buf.is_empty();
        if held.is_empty() {
            if let Sniff::Known(f) = sniff(buf, eof) {
                return Ok((f, held));
            }
        } else if eof || held.len() >= next_try {
            if let Sniff::Known(f) = sniff(&held, eof) {
                return Ok((f, held));
            }
            next_try = held.len().saturating_mul(2);
        }
        if eof {
            return Ok((detect_format(&held), held));
        }
        if held.len() >= MAX_PROLOGUE {
            return Ok((Format::Unknown, held));
        }
        let n = buf.len();
        held.extend_from_slice(buf);
        src.consume(n);
        if next_try == 0 {
            next_try = held.len().saturating_mul(2);
        }
    }
}

/// Sniffs `head`; `eof` says whether it is the whole input.
pub(super) fn sniff(head: &[u8], eof: bool) -> Sniff {
    let body = skip_ws(head.strip_prefix(UTF8_BOM).unwrap_or(head));
    let more = |known: Format| if eof { Sniff::Known(known) } else { Sniff::NeedMore };
    match body.first() {
        None => {
            // An incomplete BOM is still only a prefix.
            more(Format::Unknown)
        }
        Some(b'<') => match root_element(body) {
            Root::Found(name, tag, complete) => {
                // Only TRX and Check are told by more than their root's name (a namespace).
                if !complete
                    && !eof
                    && matches!(name, b"TestRun" | b"testsuites")
                    && tag.len() < CONTENT_LIMIT
                {
                    return Sniff::NeedMore;
                }
                Sniff::Known(classify_root(name, tag))
            }
            Root::Incomplete => more(Format::Unknown),
            Root::NotXml => Sniff::Known(Format::Unknown),
        },
        Some(b'{') => classify_json(body, eof),
        Some(_) => classify_text(body, eof),
    }
}

/// Explains why a head was classified as [`Format::Unknown`] (for error messages).
pub(super) fn unknown_reason(head: &[u8]) -> String {
    if head.is_empty() {
        return "the file is empty".to_owned();
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return "the file is UTF-16 encoded; only UTF-8 is supported".to_owned();
    }
    let body = skip_ws(head.strip_prefix(UTF8_BOM).unwrap_or(head));
    match body.first() {
        None => "the file contains only whitespace".to_owned(),
        Some(b'<') => match root_element(body) {
            Root::Found(name, _, _) => format!(
                "XML with root element `<{}>`, which is none of JUnit (`<testsuites>`/`<testsuite>`), \
                 TRX (`<TestRun>`), NUnit (`<test-run>`/`<test-results>`/`<test-suite>`) or xUnit.net \
                 (`<assemblies>`/`<assembly>`)",
                String::from_utf8_lossy(name)
            ),
            _ => "XML whose root element was not found".to_owned(),
        },
        Some(b'{') => "JSON, but none of CTRF (`results.tests`), libtest or go test JSON lines, Mocha, \
                       Playwright, Jest/Vitest or RSpec JSON"
            .to_owned(),
        Some(b'[') => "a JSON array; the JSON result formats are objects".to_owned(),
        Some(_) => "neither XML, JSON nor TAP".to_owned(),
    }
}

fn classify_root(name: &[u8], tag: &[u8]) -> Format {
    match name {
        // Check's own XML borrows JUnit's root name; its namespace tells it apart.
        b"testsuites" if contains(tag, CHECK_NAMESPACE) => Format::CheckXml,
        b"testsuites" | b"testsuite" => Format::Junit,
        b"test-run" => Format::Nunit { version: 3 },
        b"test-results" | b"test-suite" => Format::Nunit { version: 2 },
        b"assemblies" | b"assembly" => Format::XunitNet,
        // TRX's root is plain `<TestRun>`; only the namespace makes it TRX.
        b"TestRun" if contains(tag, TRX_NAMESPACE) => Format::Trx,
        b"Catch" | b"Catch2TestRun" => Format::Catch2Xml,
        b"testng-results" => Format::TestNg,
        _ => Format::Unknown,
    }
}

fn classify_json(body: &[u8], eof: bool) -> Sniff {
    let window = &body[..body.len().min(CONTENT_LIMIT)];
    // Line formats: the first line is a complete event object.
    let newline = memchr::memchr(b'\n', window);
    if let Some(line) = newline.map(|i| &window[..i]).or(eof.then_some(window))
        && let Some(format) = classify_event_line(line)
    {
        return Sniff::Known(format);
    }
    // Whole-document formats: told by their top-level keys.
    let keys = top_level_keys(window);
    if let Some(format) = classify_document(&keys) {
        return Sniff::Known(format);
    }
    if eof || body.len() >= CONTENT_LIMIT || keys.finished {
        return Sniff::Known(Format::Unknown);
    }
    Sniff::NeedMore
}

/// libtest or go test JSON from one event line.
fn classify_event_line(line: &[u8]) -> Option<Format> {
    let serde_json::Value::Object(obj) = serde_json::from_slice(line).ok()? else {
        return None;
    };
    if obj.get("type").and_then(|t| t.as_str()) == Some("start") && obj.contains_key("protocolVersion") {
        return Some(Format::DartJson);
    }
    if matches!(obj.get("type").and_then(|t| t.as_str()), Some("suite" | "test")) {
        return Some(Format::LibtestJson);
    }
    if obj.get("Action").is_some_and(serde_json::Value::is_string) {
        return Some(Format::GoTestJson);
    }
    None
}

fn classify_document(keys: &TopKeys) -> Option<Format> {
    let has = |k: &str| keys.keys.iter().any(|(key, _)| key == k);
    let object_value = |k: &str| keys.keys.iter().any(|(key, v)| key == k && *v == b'{');
    if object_value("results") {
        return Some(Format::Ctrf);
    }
    // Playwright's document has a `stats` object too (its keys are not Mocha's): its
    // `config` and `suites` tell it apart, and Mocha needs its own arrays beside `stats`.
    if has("config") && has("suites") {
        return Some(Format::PlaywrightJson);
    }
    if object_value("stats") && (has("tests") || has("passes") || has("failures") || has("pending")) {
        return Some(Format::MochaJson);
    }
    if has("numTotalTests") || has("numTotalTestSuites") || (has("testResults") && has("numFailedTests")) {
        return Some(Format::JestJson);
    }
    if has("examples") || has("summary_line") || (has("version") && has("messages")) {
        return Some(Format::RspecJson);
    }
    None
}

/// Top-level keys of a JSON object, with the first byte of each value; scanning stops at the
/// end of the bytes (or of the object: `finished`).
#[derive(Debug, Default)]
struct TopKeys {
    keys: Vec<(String, u8)>,
    finished: bool,
}

/// A tolerant skim: enough to read keys, never a validation (the reader does that).
#[allow(
    clippy::arithmetic_side_effects,
    reason = "offsets within the sniffed slice: each is < its length, so +1/+2 cannot overflow"
)]
fn top_level_keys(s: &[u8]) -> TopKeys {
    let mut out = TopKeys::default();
    let mut depth = 0usize;
    let mut i = 0usize;
    let mut expect_key = false;
    let mut pending_key: Option<String> = None;
    while i < s.len() {
        let b = s[i];
        match b {
            b'"' => {
                let start = i + 1;
                let mut j = start;
                let mut closed = false;
                while j < s.len() {
                    match s[j] {
                        b'\\' => j = j.saturating_add(2),
                        b'"' => {
                            closed = true;
                            break;
                        }
                        _ => j = j.saturating_add(1),
                    }
                }
                if !closed {
                    return out;
                }
                if depth == 1 && expect_key && out.keys.len() < 64 {
                    pending_key = Some(String::from_utf8_lossy(&s[start..j]).into_owned());
                    expect_key = false;
                }
                i = j + 1;
                continue;
            }
            b':' if depth == 1 => {
                if let Some(k) = pending_key.take() {
                    let v = skip_ws(&s[i + 1..]).first().copied();
                    match v {
                        Some(v) => out.keys.push((k, v)),
                        None => return out,
                    }
                }
            }
            b',' if depth == 1 => expect_key = true,
            b'{' | b'[' => {
                depth = depth.saturating_add(1);
                if depth == 1 {
                    expect_key = b == b'{';
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    out.finished = true;
                    return out;
                }
            }
            _ => {}
        }
        i = i.saturating_add(1);
    }
    out
}

/// Text formats, line by line: TAP (version line, plan, numbered test line, bail out) or go
/// test JSON preceded by the go command's plain-text lines (`FAIL\tpkg [build failed]`,
/// `# pkg` headers and compiler messages when stderr was merged).
#[allow(
    clippy::arithmetic_side_effects,
    reason = "offsets within the sniffed slice: each is < its length, so +1 cannot overflow"
)]
fn classify_text(body: &[u8], eof: bool) -> Sniff {
    let window = &body[..body.len().min(CONTENT_LIMIT)];
    let complete = eof && window.len() == body.len();
    let mut rest = window;
    while !rest.is_empty() {
        let (line, next, whole) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..], true),
            None => (rest, &rest[rest.len()..], complete),
        };
        if !whole {
            break;
        }
        rest = next;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let trimmed = skip_ws(line);
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        if trimmed.starts_with(b"{") {
            return match classify_event_line(trimmed) {
                Some(Format::GoTestJson) => Sniff::Known(Format::GoTestJson),
                _ => Sniff::Known(Format::Unknown),
            };
        }
        if is_tap_line(line) {
            return Sniff::Known(Format::Tap);
        }
        // Anything else (go's plain status lines, compiler output, a script's stray output)
        // does not decide; keep looking.
    }
    if eof || body.len() >= CONTENT_LIMIT { Sniff::Known(Format::Unknown) } else { Sniff::NeedMore }
}

/// A line that only TAP writes: `TAP version N`, a plan `1..N`, a numbered `ok N`/`not ok N`,
/// or `Bail out!`. (An unnumbered `ok` is valid TAP but too common in prose to decide on.)
fn is_tap_line(line: &[u8]) -> bool {
    if let Some(v) = line.strip_prefix(b"TAP version ") {
        return !v.is_empty() && v.iter().take_while(|b| !b.is_ascii_whitespace()).all(u8::is_ascii_digit);
    }
    if line.starts_with(b"Bail out!") {
        return true;
    }
    if let Some(rest) = line.strip_prefix(b"1..") {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let after = &rest[digits..];
        return digits > 0 && (after.iter().all(u8::is_ascii_whitespace) || skip_ws(after).starts_with(b"#"));
    }
    let rest = line.strip_prefix(b"not ").unwrap_or(line);
    if let Some(rest) = rest.strip_prefix(b"ok ") {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        return digits > 0 && rest.get(digits).is_none_or(|b| *b == b' ' || *b == b'\t');
    }
    false
}

/// What was found at the start of an XML document.
enum Root<'a> {
    /// Root name, its start tag so far, and whether the tag's `>` was seen.
    Found(&'a [u8], &'a [u8], bool),
    /// The prologue continues past the bytes given.
    Incomplete,
    /// Not an XML prologue.
    NotXml,
}

/// Name and whole start tag (up to `>` or the end of the bytes) of the root element.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "offsets within the sniffed slice: each is < its length, so +2/+3 cannot overflow"
)]
fn root_element(mut s: &[u8]) -> Root<'_> {
    loop {
        s = skip_ws(s);
        let skip = if s.starts_with(b"<?") {
            find(s, b"?>").map(|i| i + 2)
        } else if s.starts_with(b"<!--") {
            find(s, b"-->").map(|i| i + 3)
        } else if s.starts_with(b"<!DOCTYPE") || s.starts_with(b"<!doctype") {
            doctype_end(s)
        } else if s.starts_with(b"<") {
            let tag = &s[1..];
            let name_len = tag
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
                .unwrap_or(tag.len());
            if name_len == tag.len() {
                return Root::Incomplete;
            }
            if name_len == 0 {
                return Root::NotXml;
            }
            let tag_end = memchr::memchr(b'>', tag);
            let tag_bytes = &tag[..tag_end.unwrap_or(tag.len())];
            return Root::Found(&tag[..name_len], tag_bytes, tag_end.is_some());
        } else if s.is_empty() {
            return Root::Incomplete;
        } else {
            return Root::NotXml;
        };
        match skip {
            Some(n) => s = &s[n..],
            None => return Root::Incomplete,
        }
    }
}

/// Offset just past a doctype, honouring an internal subset in brackets.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "offsets within the sniffed slice: each is < its length, so +1 cannot overflow"
)]
fn doctype_end(s: &[u8]) -> Option<usize> {
    let mut depth = 0u32;
    let mut quote: Option<u8> = None;
    for (i, &b) in s.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'[') => depth = depth.saturating_add(1),
            (None, b']') => depth = depth.saturating_sub(1),
            (None, b'>') if depth == 0 => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn skip_ws(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &s[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junit_roots_with_prologue() {
        assert_eq!(detect_format(b"<testsuites/>"), Format::Junit);
        let prologue = "\u{feff}\n<?xml version=\"1.0\"?>\n<!-- <testsuite> in a comment -->\n\
            <!DOCTYPE testsuite [ <!ENTITY x \"<TestRun>\"> ]>\n  <testsuite name=\"a\">";
        assert_eq!(detect_format(prologue.as_bytes()), Format::Junit);
    }

    #[test]
    fn xml_formats() {
        let trx = br#"<?xml version="1.0" encoding="utf-8"?><TestRun id="1" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">"#;
        assert_eq!(detect_format(trx), Format::Trx);
        assert_eq!(detect_format(b"<TestRun id=\"1\">"), Format::Unknown);
        assert_eq!(detect_format(b"<test-run id=\"2\">"), Format::Nunit { version: 3 });
        assert_eq!(detect_format(b"<test-results name=\"x\">"), Format::Nunit { version: 2 });
        assert_eq!(detect_format(b"<assemblies>"), Format::XunitNet);
        assert_eq!(detect_format(b"<Catch name=\"x\">"), Format::Catch2Xml);
        assert_eq!(detect_format(b"<testng-results>"), Format::TestNg);
        assert!(!Format::TestNg.is_supported());
        assert!(Format::Trx.is_supported());
        assert_eq!(detect_format(b"<html>"), Format::Unknown);
        assert_eq!(Format::Trx.to_string(), "TRX (Visual Studio test results)");
        assert_eq!(Format::Nunit { version: 3 }.to_string(), "NUnit 3 XML");
    }

    #[test]
    fn json_formats() {
        let ctrf = b"{\n  \"results\": {\n    \"tool\": { \"name\": \"jest\" },\n    \"tests\": []}}";
        assert_eq!(detect_format(ctrf), Format::Ctrf);
        let ctrf2 = br#"{"reportFormat":"CTRF","specVersion":"0.0.0","results":{"tests":[]}}"#;
        assert_eq!(detect_format(ctrf2), Format::Ctrf);
        let libtest =
            b"{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 2 }\n{ \"type\": \"test\"";
        assert_eq!(detect_format(libtest), Format::LibtestJson);
        let go = b"{\"Time\":\"2026-12-02T05:23:37Z\",\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"T\"}\n";
        assert_eq!(detect_format(go), Format::GoTestJson);
        let mocha = b"{\n  \"stats\": {\n    \"suites\": 5,\n    \"tests\": 13\n  },\n  \"tests\": []\n}";
        assert_eq!(detect_format(mocha), Format::MochaJson);
        let jest = br#"{"numFailedTestSuites":3,"numFailedTests":5,"numTotalTests":18,"testResults":[]}"#;
        assert_eq!(detect_format(jest), Format::JestJson);
        let rspec = br#"{"version":"3.12.0","examples":[],"summary":{},"summary_line":"0 examples"}"#;
        assert_eq!(detect_format(rspec), Format::RspecJson);
        assert_eq!(detect_format(b"{\"type\":\"other\"}\n"), Format::Unknown);
        assert_eq!(detect_format(b"{\"results\": 3}"), Format::Unknown);
        assert_eq!(
            detect_format(b"{\"name\": \"pkg\", \"dependencies\": {\"results\": {}}}"),
            Format::Unknown
        );
        assert_eq!(detect_format(b"[1,2]"), Format::Unknown);
    }

    #[test]
    fn text_formats() {
        assert_eq!(detect_format(b"TAP version 13\n# Subtest: a\nok 1 - a\n"), Format::Tap);
        assert_eq!(detect_format(b"1..4\nok 1 - x\n"), Format::Tap);
        assert_eq!(detect_format(b"ok 1 - loads\nCan't open config\n"), Format::Tap);
        assert_eq!(detect_format(b"# comment\nnot ok 1\n"), Format::Tap);
        assert_eq!(detect_format(b"ok so this is prose\n"), Format::Unknown);
        let go = b"FAIL\texample.com/demo/broken [build failed]\n{\"Action\":\"run\",\"Package\":\"p\"}\n";
        assert_eq!(detect_format(go), Format::GoTestJson);
        let merged = b"# example.com/b [example.com/b.test]\nb/b.go:5:14: cannot use\n\
                       FAIL\texample.com/b [build failed]\n{\"Action\":\"start\",\"Package\":\"p\"}\n";
        assert_eq!(detect_format(merged), Format::GoTestJson);
        assert_eq!(detect_format(b"hello\n{\"a\":1}\n"), Format::Unknown);
    }

    #[test]
    fn incomplete_heads_ask_for_more() {
        assert_eq!(sniff(b"\xEF\xBB", false), Sniff::NeedMore);
        assert_eq!(sniff(b"   \n", false), Sniff::NeedMore);
        assert_eq!(sniff(b"<!-- long", false), Sniff::NeedMore);
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><testsu", false), Sniff::NeedMore);
        assert_eq!(sniff(b"<TestRun id=\"1\" ", false), Sniff::NeedMore);
        assert_eq!(sniff(b"<testsuite ", false), Sniff::Known(Format::Junit));
        assert_eq!(sniff(b"{\"type\":\"sui", false), Sniff::NeedMore);
        assert_eq!(sniff(b"TAP vers", false), Sniff::NeedMore);
        assert_eq!(sniff(b"{\"a\":1}", false), Sniff::Known(Format::Unknown));
    }

    #[test]
    fn stream_sniffing_passes_long_prologues_without_rereading() {
        let mut doc = Vec::new();
        doc.extend_from_slice(b"<?xml version=\"1.0\"?>\n<!--");
        doc.extend(std::iter::repeat_n(b'x', 300_000));
        doc.extend_from_slice(b"-->\n<testsuites><testsuite name=\"a\"/></testsuites>\n");
        let mut src = std::io::BufReader::with_capacity(8 * 1024, &doc[..]);
        let (format, held) = sniff_stream(&mut src).unwrap();
        assert_eq!(format, Format::Junit);
        // The held bytes and the rest of the stream are the document, once.
        let mut rest = Vec::new();
        std::io::Read::read_to_end(&mut src, &mut rest).unwrap();
        assert_eq!([held, rest].concat(), doc);

        let ws = [vec![b' '; 100_000], b"{\"results\":{\"tests\":[]}}".to_vec()].concat();
        let mut src = std::io::BufReader::with_capacity(4096, &ws[..]);
        assert_eq!(sniff_stream(&mut src).unwrap().0, Format::Ctrf);

        let small = b"<testsuites/>";
        let mut src = std::io::BufReader::new(&small[..]);
        let (format, held) = sniff_stream(&mut src).unwrap();
        assert_eq!((format, held.len()), (Format::Junit, 0), "decided in the buffer: nothing consumed");
    }

    #[test]
    fn reasons_for_unknown() {
        assert_eq!(detect_format(b""), Format::Unknown);
        assert!(unknown_reason(b"").contains("empty"));
        assert!(unknown_reason(b" \n ").contains("whitespace"));
        assert!(unknown_reason(b"<html><body>").contains("`<html>`"));
        assert!(unknown_reason(b"\xFF\xFE<\0").contains("UTF-16"));
        assert!(unknown_reason(b"hello").contains("neither XML, JSON nor TAP"));
    }
}
