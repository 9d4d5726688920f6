//! Recognising a results file from its first few kilobytes.

use std::fmt;

/// What a results file is, as far as its first bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JUnit XML (`<testsuites>` or `<testsuite>` root): read.
    Junit,
    /// CTRF JSON (`{"results": {"tool": ..., "tests": [...]}}`): read.
    Ctrf,
    /// libtest JSON lines (`cargo test -- --format json`, nextest `libtest-json`): read.
    LibtestJson,
    /// Visual Studio TRX (`<TestRun>` in the TeamTest 2010 namespace): recognised, not read.
    Trx,
    /// NUnit XML: version 3 (`<test-run>`) or 2 (`<test-results>`): recognised, not read.
    Nunit {
        /// 2 or 3.
        version: u8,
    },
    /// xUnit.net v2 XML (`<assemblies>`): recognised, not read.
    XunitNet,
    /// Nothing we know.
    Unknown,
}

impl Format {
    /// Short stable identifier (`junit`, `ctrf`, `libtest-json`, `trx`, `nunit3`, ...).
    pub fn id(self) -> &'static str {
        match self {
            Format::Junit => "junit",
            Format::Ctrf => "ctrf",
            Format::LibtestJson => "libtest-json",
            Format::Trx => "trx",
            Format::Nunit { version: 2 } => "nunit2",
            Format::Nunit { .. } => "nunit3",
            Format::XunitNet => "xunit-net",
            Format::Unknown => "unknown",
        }
    }

    /// Whether gen-report reads this format (the others are refused with a clear error).
    pub fn is_supported(self) -> bool {
        matches!(self, Format::Junit | Format::Ctrf | Format::LibtestJson)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Format::Junit => "JUnit XML",
            Format::Ctrf => "CTRF JSON",
            Format::LibtestJson => "libtest JSON",
            Format::Trx => "TRX (Visual Studio test results)",
            Format::Nunit { version: 2 } => "NUnit 2 XML",
            Format::Nunit { .. } => "NUnit 3 XML",
            Format::XunitNet => "xUnit.net v2 XML",
            Format::Unknown => "unknown format",
        };
        f.write_str(name)
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const TRX_NAMESPACE: &[u8] = b"http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

/// Sniffs the format from the first bytes of a file (a few KB is plenty).
///
/// XML: skips a UTF-8 BOM, whitespace, the XML declaration, processing instructions, comments
/// and a doctype (with internal subset), then looks at the root element's name. JSON: CTRF is
/// an object with a top-level `results` holding `tool`/`tests`; libtest JSON is one object per
/// line whose `type` is `suite` or `test`.
pub fn detect_format(head: &[u8]) -> Format {
    let body = skip_ws(head.strip_prefix(UTF8_BOM).unwrap_or(head));
    match body.first() {
        Some(b'<') => match root_element(body) {
            Some((name, tag)) => classify_root(name, tag),
            None => Format::Unknown,
        },
        Some(b'{') => classify_json(body),
        _ => Format::Unknown,
    }
}

/// Explains why a head was classified as [`Format::Unknown`] (for error messages).
pub(crate) fn unknown_reason(head: &[u8]) -> String {
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
            Some((name, _)) => format!(
                "XML with root element `<{}>`, which is not JUnit (`<testsuites>`/`<testsuite>`)",
                String::from_utf8_lossy(name)
            ),
            None => "XML whose root element was not found in the first bytes".to_owned(),
        },
        Some(b'{') => "JSON, but neither CTRF (`results.tests`) nor libtest JSON lines \
                       (`\"type\": \"suite\"|\"test\"`)"
            .to_owned(),
        Some(b'[') => "a JSON array; CTRF and libtest JSON are objects".to_owned(),
        Some(_) => "neither XML nor JSON".to_owned(),
    }
}

fn classify_root(name: &[u8], tag: &[u8]) -> Format {
    match name {
        b"testsuites" | b"testsuite" => Format::Junit,
        b"test-run" => Format::Nunit { version: 3 },
        b"test-results" => Format::Nunit { version: 2 },
        b"assemblies" => Format::XunitNet,
        // TRX's root is plain `<TestRun>`; only the namespace makes it TRX.
        b"TestRun" if contains(tag, TRX_NAMESPACE) => Format::Trx,
        _ => Format::Unknown,
    }
}

fn classify_json(body: &[u8]) -> Format {
    // libtest: the first line is a complete event object.
    let first_line = body.split(|&b| b == b'\n').next().unwrap_or(body);
    if let Ok(serde_json::Value::Object(obj)) = serde_json::from_slice(first_line)
        && matches!(obj.get("type").and_then(|t| t.as_str()), Some("suite" | "test"))
    {
        return Format::LibtestJson;
    }
    // CTRF: a `results` key, with `tool` or `tests` after it. A key match in the head is enough
    // for sniffing; the reader validates the structure properly.
    if let Some(at) = find(body, b"\"results\"") {
        let rest = skip_ws(&body[at + 9..]);
        if let Some(rest) = rest.strip_prefix(b":")
            && skip_ws(rest).first() == Some(&b'{')
            && (contains(rest, b"\"tool\"") || contains(rest, b"\"tests\""))
        {
            return Format::Ctrf;
        }
    }
    Format::Unknown
}

/// Name and whole start tag (up to `>` or the end of the head) of the root element.
fn root_element(mut s: &[u8]) -> Option<(&[u8], &[u8])> {
    loop {
        s = skip_ws(s);
        if s.starts_with(b"<?") {
            s = &s[find(s, b"?>")? + 2..];
        } else if s.starts_with(b"<!--") {
            s = &s[find(s, b"-->")? + 3..];
        } else if s.starts_with(b"<!DOCTYPE") || s.starts_with(b"<!doctype") {
            s = &s[doctype_end(s)?..];
        } else if s.starts_with(b"<") {
            let tag = &s[1..];
            let name_len = tag
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
                .unwrap_or(tag.len());
            if name_len == 0 {
                return None;
            }
            let tag_end = tag.iter().position(|&b| b == b'>').unwrap_or(tag.len());
            return Some((&tag[..name_len], &tag[..tag_end]));
        } else {
            return None;
        }
    }
}

/// Offset just past a doctype, honouring an internal subset in brackets.
fn doctype_end(s: &[u8]) -> Option<usize> {
    let mut depth = 0u32;
    let mut quote: Option<u8> = None;
    for (i, &b) in s.iter().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'[') => depth += 1,
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
    hay.windows(needle.len()).position(|w| w == needle)
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
    fn unsupported_xml_formats() {
        let trx = br#"<?xml version="1.0" encoding="utf-8"?><TestRun id="1" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">"#;
        assert_eq!(detect_format(trx), Format::Trx);
        assert_eq!(detect_format(b"<TestRun id=\"1\">"), Format::Unknown);
        assert_eq!(detect_format(b"<test-run id=\"2\">"), Format::Nunit { version: 3 });
        assert_eq!(detect_format(b"<test-results name=\"x\">"), Format::Nunit { version: 2 });
        assert_eq!(detect_format(b"<assemblies>"), Format::XunitNet);
        assert_eq!(detect_format(b"<html>"), Format::Unknown);
        assert_eq!(Format::Trx.to_string(), "TRX (Visual Studio test results)");
        assert_eq!(Format::Nunit { version: 3 }.to_string(), "NUnit 3 XML");
        assert_eq!(Format::Nunit { version: 2 }.id(), "nunit2");
    }

    #[test]
    fn json_formats() {
        let ctrf = b"{\n  \"results\": {\n    \"tool\": { \"name\": \"jest\" },\n    \"tests\": []";
        assert_eq!(detect_format(ctrf), Format::Ctrf);
        let ctrf2 = br#"{"reportFormat":"CTRF","specVersion":"0.0.0","results":{"tests":[]}}"#;
        assert_eq!(detect_format(ctrf2), Format::Ctrf);
        let libtest =
            b"{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 2 }\n{ \"type\": \"test\"";
        assert_eq!(detect_format(libtest), Format::LibtestJson);
        assert_eq!(detect_format(b"{\"type\":\"other\"}\n"), Format::Unknown);
        assert_eq!(detect_format(b"{\"results\": 3}"), Format::Unknown);
        assert_eq!(detect_format(b"[1,2]"), Format::Unknown);
    }

    #[test]
    fn reasons_for_unknown() {
        assert_eq!(detect_format(b""), Format::Unknown);
        assert!(unknown_reason(b"").contains("empty"));
        assert!(unknown_reason(b" \n ").contains("whitespace"));
        assert!(unknown_reason(b"<html><body>").contains("`<html>`"));
        assert!(unknown_reason(b"\xFF\xFE<\0").contains("UTF-16"));
        assert!(unknown_reason(b"hello").contains("neither XML nor JSON"));
    }
}
