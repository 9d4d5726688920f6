//! Strict, streaming XML walking shared by the TRX, NUnit and xUnit.net readers (quick-xml
//! events, no DOM).
//!
//! The walker enforces what the JUnit reader enforces: a well-formed document with one root,
//! matching end tags, no `<` inside a tag, only UTF-8, at most [`MAX_DEPTH`] levels, and no
//! entity beyond the five predefined ones and character references (a DOCTYPE is tolerated
//! but never expanded; nothing external is read). Readers get start/end events and, only when
//! they ask for it, decoded text.

use std::io::BufRead;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesRef, BytesStart, Event};

use super::locate::Locator;
use super::{Finding, ResultsError};

/// Deepest element nesting accepted.
pub(super) const MAX_DEPTH: usize = 1000;

pub(super) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// What a format reader does with the walk.
pub(super) trait Handler {
    /// An element opened (`depth` = number of open ancestors; 0 for the root).
    fn start(&mut self, x: &mut Ctx<'_, '_, '_>, e: &BytesStart<'_>, at: u64) -> Result<(), ResultsError>;
    /// The element opened last closed (right after `start` for an empty element).
    fn end(&mut self, x: &mut Ctx<'_, '_, '_>, at: u64) -> Result<(), ResultsError>;
    /// Whether text at the current position is wanted (decoding is skipped otherwise).
    fn wants_text(&self) -> bool;
    /// Decoded text (possibly in several pieces).
    fn text(&mut self, text: &str);
}

/// What the walker offers a handler: positions, attribute decoding, findings.
pub(super) struct Ctx<'p, 'l, 'b> {
    path: &'p Path,
    locator: &'l mut Locator<'b>,
    /// Bytes before quick-xml's offset 0 (a BOM).
    base: u64,
    decoder: Decoder,
    depth: usize,
    /// Findings made so far, handed over by the reader.
    pub(super) findings: Vec<Finding>,
    /// Entities the DOCTYPE declares, with the literal text a reference to each keeps.
    dtd: Vec<(String, String)>,
}

impl Ctx<'_, '_, '_> {
    /// A syntax error at byte `at` of the document.
    pub(super) fn syntax(&mut self, at: u64, message: String) -> ResultsError {
        let (line, column) = self.locator.line_col(at.saturating_add(self.base)).unwrap_or((0, 0));
        ResultsError::Syntax { path: self.path.to_path_buf(), line, column, message }
    }

    /// A finding about the element at byte `at`.
    pub(super) fn finding(&mut self, at: u64, message: String) {
        let line = self.locator.line(at.saturating_add(self.base));
        self.findings.push(Finding { file: self.path.to_path_buf(), line, message });
    }

    /// Number of open elements around the current one (0 at the root).
    pub(super) fn depth(&self) -> usize {
        self.depth
    }

    /// The results file.
    pub(super) fn path(&self) -> &Path {
        self.path
    }

    /// Every attribute of `e`, decoded (a repeated attribute is an error).
    pub(super) fn attrs(&mut self, e: &BytesStart<'_>, at: u64) -> Result<Attrs, ResultsError> {
        let mut out = Attrs(Vec::new());
        for attr in e.attributes() {
            let attr = attr.map_err(|err| {
                use quick_xml::events::attributes::AttrError as A;
                let rel = match err {
                    A::ExpectedEq(p)
                    | A::ExpectedValue(p)
                    | A::UnquotedValue(p)
                    | A::ExpectedQuote(p, _)
                    | A::Duplicated(p, _) => p,
                };
                self.syntax(at.saturating_add(1).saturating_add(rel as u64), format!("bad attribute: {err}"))
            })?;
            let dtd = &self.dtd;
            let value = attr.decode_and_unescape_value_with(self.decoder, |n| {
                quick_xml::escape::resolve_predefined_entity(n).or_else(|| entity_literal(dtd, n))
            });
            let value = value.map_err(|err| {
                use quick_xml::escape::EscapeError;
                let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
                let what = match err {
                    quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, name)) => format!(
                        "undeclared entity `&{name};` (only the five predefined XML entities are accepted; \
                         DTD entities are never expanded)"
                    ),
                    other => other.to_string(),
                };
                self.syntax(at, format!("attribute `{key}`: {what}"))
            })?;
            out.0.push((
                String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned(),
                value.into_owned(),
            ));
        }
        Ok(out)
    }
}

/// Decoded attributes of one element (local names).
#[derive(Debug, Default)]
pub(super) struct Attrs(Vec<(String, String)>);

impl Attrs {
    /// The value of `key`, if present.
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Takes the value of `key` out, if present.
    pub(super) fn take(&mut self, key: &str) -> Option<String> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.swap_remove(i).1)
    }
}

/// Walks the document in `src`; the handler sees every element. Returns the findings the
/// handler made through [`Ctx::finding`].
pub(super) fn walk<R: BufRead, H: Handler>(
    src: R,
    path: &Path,
    locator: &mut Locator<'_>,
    handler: &mut H,
) -> Result<Vec<Finding>, ResultsError> {
    let (mut reader, base) = open(src, path)?;
    let decoder = reader.decoder();
    let mut x = Ctx { path, locator, base, decoder, depth: 0, findings: Vec::new(), dtd: Vec::new() };
    let mut w = Walker { names: Vec::with_capacity(256), stack: Vec::with_capacity(16), ..Walker::default() };
    let mut buf = Vec::with_capacity(16 * 1024);
    loop {
        let at = reader.buffer_position();
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => {
                let pos = reader.error_position();
                return Err(x.syntax(pos, e.to_string()));
            }
        };
        if w.pending_cr && !matches!(event, Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) {
            w.pending_cr = false;
            if handler.wants_text() {
                handler.text("\n");
            }
        }
        match event {
            Event::Start(ref e) => w.start(&mut x, handler, e, at, false)?,
            Event::Empty(ref e) => w.start(&mut x, handler, e, at, true)?,
            Event::End(e) => w.end(&mut x, handler, e.name().as_ref(), at)?,
            Event::Text(t) => {
                if w.stack.is_empty() {
                    if t.iter().any(|b| !b.is_ascii_whitespace()) {
                        return Err(x.syntax(at, w.outside("text")));
                    }
                } else if handler.wants_text() {
                    let text = t.decode().map_err(|e| x.syntax(at, e.to_string()))?;
                    w.text(handler, &text);
                }
            }
            Event::CData(c) => {
                if w.stack.is_empty() {
                    return Err(x.syntax(at, w.outside("CDATA")));
                }
                if handler.wants_text() {
                    let text = c.decode().map_err(|e| x.syntax(at, e.to_string()))?;
                    w.text(handler, &text);
                }
            }
            Event::GeneralRef(r) => {
                if w.stack.is_empty() {
                    return Err(x.syntax(at, w.outside("an entity reference")));
                }
                let resolved = match resolve_ref(&r) {
                    Ok(r) => r,
                    Err(m) => match entity_literal(&x.dtd, &String::from_utf8_lossy(&r)) {
                        // A DTD-declared entity: kept as written, never expanded.
                        Some(l) => Resolved::Owned(l.to_owned()),
                        None => return Err(x.syntax(at, m)),
                    },
                };
                if handler.wants_text() {
                    w.reference(handler, resolved.as_str(&mut [0; 4]));
                }
            }
            Event::Decl(d) => check_encoding(&mut x, &d, at)?,
            Event::DocType(d) => {
                if w.root_seen {
                    return Err(x.syntax(at, "DOCTYPE after the root element".to_owned()));
                }
                let names = dtd_entities(&d);
                if !names.is_empty() {
                    let message = dtd_finding(&names);
                    x.finding(at, message);
                    x.dtd = names
                        .into_iter()
                        .map(|n| {
                            let literal = format!("&{n};");
                            (n, literal)
                        })
                        .collect();
                }
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => {
                w.eof(&mut x, reader.buffer_position())?;
                return Ok(x.findings);
            }
        }
        buf.clear();
    }
}

/// The reader over `src` past a BOM (whose length is returned: quick-xml's offsets start after
/// it), set to check comments and leave empty elements and text as written.
fn open<R: BufRead>(mut src: R, path: &Path) -> Result<(Reader<R>, u64), ResultsError> {
    let base = skip_bom(&mut src).map_err(|e| ResultsError::io(path, e))?;
    let mut reader = Reader::from_reader(src);
    configure(&mut reader);
    Ok((reader, base))
}

/// Drops a UTF-8 BOM: quick-xml drops one without counting it in its offsets, so ours are
/// corrected by the amount returned.
pub(super) fn skip_bom<R: BufRead>(src: &mut R) -> std::io::Result<u64> {
    let head = src.fill_buf()?;
    if head.starts_with(UTF8_BOM) {
        src.consume(UTF8_BOM.len());
        return Ok(UTF8_BOM.len() as u64);
    }
    Ok(0)
}

/// The reader settings every pass over an XML document uses (JUnit's one-pass reader, the
/// chunks of a split one and the other XML readers tokenise alike). End tags are matched by
/// the readers themselves: they need the open names for their own messages.
pub(super) fn configure<R>(reader: &mut Reader<R>) {
    let config = reader.config_mut();
    config.check_end_names = false;
    config.check_comments = true;
    config.expand_empty_elements = false;
    config.trim_text(false);
}

/// The walk's state between events.
#[derive(Default)]
struct Walker {
    /// Names of the open elements, concatenated; `stack` holds where each starts.
    names: Vec<u8>,
    stack: Vec<usize>,
    root_seen: bool,
    root_done: bool,
    /// A `&#xD;` just before a line feed (how .NET writes CRLF) is dropped; a lone one is a
    /// line break. It is held until the next piece of text shows which.
    pending_cr: bool,
}

impl Walker {
    /// "`what` before the root element" or "… after the end of the root element".
    fn outside(&self, what: &str) -> String {
        if self.root_done {
            format!("{what} after the end of the root element")
        } else {
            format!("{what} before the root element")
        }
    }

    fn start<H: Handler>(
        &mut self,
        x: &mut Ctx<'_, '_, '_>,
        handler: &mut H,
        e: &BytesStart<'_>,
        at: u64,
        empty: bool,
    ) -> Result<(), ResultsError> {
        if let Some(i) = memchr::memchr(b'<', e) {
            return Err(
                x.syntax(at.saturating_add(1).saturating_add(i as u64), "`<` inside a tag".to_owned())
            );
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(x.syntax(at, format!("nesting deeper than {MAX_DEPTH}")));
        }
        if self.root_done {
            return Err(x.syntax(at, self.outside("an element")));
        }
        self.root_seen = true;
        x.depth = self.stack.len();
        handler.start(x, e, at)?;
        if empty {
            handler.end(x, at)?;
            self.root_done = self.stack.is_empty();
        } else {
            self.stack.push(self.names.len());
            self.names.extend_from_slice(e.name().as_ref());
        }
        Ok(())
    }

    fn end<H: Handler>(
        &mut self,
        x: &mut Ctx<'_, '_, '_>,
        handler: &mut H,
        name: &[u8],
        at: u64,
    ) -> Result<(), ResultsError> {
        let Some(&start) = self.stack.last() else {
            let message =
                format!("closing tag `</{}>` without an open element", String::from_utf8_lossy(name));
            return Err(x.syntax(at, message));
        };
        if self.names[start..] != *name {
            let message = format!(
                "expected `</{}>`, found `</{}>`",
                String::from_utf8_lossy(&self.names[start..]),
                String::from_utf8_lossy(name)
            );
            return Err(x.syntax(at, message));
        }
        self.names.truncate(start);
        self.stack.pop();
        x.depth = self.stack.len();
        handler.end(x, at)?;
        self.root_done = self.stack.is_empty();
        Ok(())
    }

    /// Text or CDATA inside the root: a held `&#xD;` not followed by a line feed becomes one.
    fn text<H: Handler>(&mut self, handler: &mut H, text: &str) {
        if std::mem::take(&mut self.pending_cr) && !text.starts_with('\n') {
            handler.text("\n");
        }
        handler.text(text);
    }

    /// A resolved entity or character reference inside the root.
    fn reference<H: Handler>(&mut self, handler: &mut H, resolved: &str) {
        let was_cr = std::mem::take(&mut self.pending_cr);
        if resolved == "\r" {
            if was_cr {
                handler.text("\n");
            }
            self.pending_cr = true;
        } else {
            if was_cr && resolved != "\n" {
                handler.text("\n");
            }
            handler.text(resolved);
        }
    }

    /// The end of the input: every element closed, and there was one.
    fn eof(&self, x: &mut Ctx<'_, '_, '_>, end: u64) -> Result<(), ResultsError> {
        if let Some(&start) = self.stack.last() {
            let name = String::from_utf8_lossy(&self.names[start..]).into_owned();
            return Err(x.syntax(
                end,
                format!("the document ends inside `<{name}>` (missing `</{name}>`; truncated file?)"),
            ));
        }
        if !self.root_seen {
            return Err(x.syntax(end, "no root element".to_owned()));
        }
        Ok(())
    }
}

/// The XML declaration: only UTF-8 (or no encoding) is read.
fn check_encoding(
    x: &mut Ctx<'_, '_, '_>,
    d: &quick_xml::events::BytesDecl<'_>,
    at: u64,
) -> Result<(), ResultsError> {
    if let Some(enc) = d.encoding() {
        let enc = enc.map_err(|e| x.syntax(at, e.to_string()))?;
        if !is_utf8_label(&enc) {
            return Err(x.syntax(
                at,
                format!(
                    "the document declares encoding `{}`; only UTF-8 is supported \
                     (convert the file, e.g. with iconv)",
                    String::from_utf8_lossy(&enc)
                ),
            ));
        }
    }
    Ok(())
}

/// Names of the general entities a DOCTYPE's internal subset declares (`<!ENTITY name …>`;
/// parameter entities, `<!ENTITY % name …>`, cannot be referenced in content). At most 64.
/// The declarations are only read for their names: nothing is ever expanded or fetched.
pub(super) fn dtd_entities(doctype: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = doctype;
    while let Some(i) = memchr::memmem::find(rest, b"<!ENTITY") {
        rest = &rest[i.saturating_add(8)..];
        let body = rest.trim_ascii_start();
        if body.first() == Some(&b'%') {
            continue;
        }
        let end = body.iter().position(|b| b.is_ascii_whitespace() || *b == b'>').unwrap_or(body.len());
        let name = String::from_utf8_lossy(&body[..end]).into_owned();
        if !name.is_empty() && !out.contains(&name) && out.len() < 64 {
            out.push(name);
        }
    }
    out
}

/// The literal text kept for a reference to a DTD-declared entity: the reference itself.
pub(super) fn entity_literal<'e>(literals: &'e [(String, String)], name: &str) -> Option<&'e str> {
    literals.iter().find(|(n, _)| n == name).map(|(_, l)| l.as_str())
}

/// The finding for a DOCTYPE that declares entities.
pub(super) fn dtd_finding(names: &[String]) -> String {
    let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    let (what, refs) = if names.len() == 1 {
        ("entity", "its references are")
    } else {
        ("entities", "their references are")
    };
    format!(
        "the DTD declares the {what} {}: never expanded nor fetched, {refs} kept as written (`&{};`)",
        list.join(", "),
        names.first().map_or("", String::as_str)
    )
}

/// What an entity or character reference stands for.
pub(super) enum Resolved {
    Char(char),
    Str(&'static str),
    /// The literal text of a reference to a DTD-declared entity.
    Owned(String),
}

impl Resolved {
    /// The text, a character encoded into `buf`.
    pub(super) fn as_str<'a>(&'a self, buf: &'a mut [u8; 4]) -> &'a str {
        match self {
            Resolved::Char(c) => c.encode_utf8(buf),
            Resolved::Str(s) => s,
            Resolved::Owned(s) => s,
        }
    }
}

/// Resolves a character reference or one of the five predefined entities; anything else is
/// an error message (the caller may still accept a DTD-declared entity as written).
pub(super) fn resolve_ref(r: &BytesRef<'_>) -> Result<Resolved, String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(Resolved::Char(c)),
            Ok(None) | Err(_) => {
                Err(format!("invalid character reference `&{};`", String::from_utf8_lossy(r)))
            }
        };
    }
    let name = std::str::from_utf8(r).unwrap_or("");
    match quick_xml::escape::resolve_predefined_entity(name) {
        Some(s) => Ok(Resolved::Str(s)),
        None => Err(format!(
            "undeclared entity `&{};` (only the five predefined XML entities are accepted; \
             DTD entities are never expanded)",
            String::from_utf8_lossy(r)
        )),
    }
}

/// An encoding label that means UTF-8 (ASCII is a subset).
pub(super) fn is_utf8_label(enc: &[u8]) -> bool {
    enc.eq_ignore_ascii_case(b"utf-8")
        || enc.eq_ignore_ascii_case(b"utf8")
        || enc.eq_ignore_ascii_case(b"us-ascii")
        || enc.eq_ignore_ascii_case(b"ascii")
}

/// A declared count: a whole number (`"3.0"` accepted); `None` for anything else.
pub(super) fn parse_count(value: &str) -> Option<u64> {
    let v = value.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Some(n);
    }
    match v.parse::<f64>() {
        Ok(f) if f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 1e15 => Some(f as u64),
        _ => None,
    }
}

/// Seconds from a plain number (0 for anything else, negative or not finite).
pub(super) fn parse_seconds(value: &str) -> f64 {
    super::junit::parse_time(value)
}

/// Compares declared totals with counted ones; one finding line per disagreement, naming the
/// `what` (e.g. "`<test-run>`") and the attribute.
pub(super) fn compare_declared(
    x: &mut Ctx<'_, '_, '_>,
    at: u64,
    what: &str,
    pairs: &[(&str, Option<&str>, u64)],
) {
    for (attr, declared, counted) in pairs {
        let Some(raw) = declared else { continue };
        match parse_count(raw) {
            Some(n) if n == *counted => {}
            Some(n) => x.finding(at, format!("{what} declares {attr}=\"{n}\" but has {counted}")),
            None => x.finding(
                at,
                format!("{what} has {attr}=\"{raw}\", which is not a whole number; it is not compared"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Names(Vec<(usize, String)>, String, bool);

    impl Handler for Names {
        fn start(
            &mut self,
            x: &mut Ctx<'_, '_, '_>,
            e: &BytesStart<'_>,
            at: u64,
        ) -> Result<(), ResultsError> {
            let a = x.attrs(e, at)?;
            self.0.push((x.depth(), String::from_utf8_lossy(e.name().as_ref()).into_owned()));
            self.2 = a.get("keep").is_some();
            Ok(())
        }
        fn end(&mut self, _: &mut Ctx<'_, '_, '_>, _: u64) -> Result<(), ResultsError> {
            self.2 = false;
            Ok(())
        }
        fn wants_text(&self) -> bool {
            self.2
        }
        fn text(&mut self, text: &str) {
            self.1.push_str(text);
        }
    }

    fn walk_str(s: &str) -> Result<Names, ResultsError> {
        let mut h = Names(Vec::new(), String::new(), false);
        let mut loc = Locator::bytes(s.as_bytes());
        walk(s.as_bytes(), Path::new("x.xml"), &mut loc, &mut h)?;
        Ok(h)
    }

    #[test]
    fn depths_and_text() {
        let h = walk_str("\u{feff}<a><b keep=\"1\">x &amp; &#233;<![CDATA[<y>]]>&#xD;\nz&#xD;</b><c/></a>")
            .unwrap();
        assert_eq!(h.0, [(0, "a".to_owned()), (1, "b".to_owned()), (1, "c".to_owned())]);
        assert_eq!(h.1, "x & é<y>\nz\n");
    }

    #[test]
    fn strictness() {
        let err = |s: &str| match walk_str(s) {
            Err(ResultsError::Syntax { line, column, message, .. }) => (line, column, message),
            other => panic!("{s}: {:?}", other.map(|h| h.0)),
        };
        assert!(err("<a>\n<b></a>").2.contains("expected `</b>`"));
        assert!(err("<a>&xxe;</a>").2.contains("undeclared entity"));
        assert!(err("<a x=\"1\" x=\"2\"/>").2.contains("bad attribute"));
        assert!(err("<a/><b/>").2.contains("after the end of the root"));
        assert!(err("<?xml version=\"1.0\" encoding=\"latin1\"?><a/>").2.contains("only UTF-8"));
        let (line, column, message) = err("<a>\n  <b>");
        assert_eq!((line, column), (2, 6));
        assert!(message.contains("truncated"), "{message}");
        assert!(err("").2.contains("no root"));
        assert!(err(&"<a>".repeat(1001)).2.contains("nesting"));
    }
}
