//! Serde helpers shared by the whole-document JSON readers (Mocha, Jest/Vitest, RSpec):
//! streaming an array element by element, lenient numbers, bounded message text.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::message::MessageBuf;

/// Deserialises an array one element at a time, handing each to `f` before reading the next.
pub(super) struct Each<'f, T, F>(pub(super) &'f mut F, PhantomData<T>);

impl<'f, T, F> Each<'f, T, F> {
    pub(super) fn new(f: &'f mut F) -> Self {
        Each(f, PhantomData)
    }
}

impl<'de, T: Deserialize<'de>, F: FnMut(T)> DeserializeSeed<'de> for Each<'_, T, F> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: Deserialize<'de>, F: FnMut(T)> Visitor<'de> for Each<'_, T, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(x) = seq.next_element::<T>()? {
            (self.0)(x);
        }
        Ok(())
    }
}

/// Counts an array's elements without keeping them.
pub(super) fn count_elements<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let mut n = 0u64;
    let mut f = |_: IgnoredAny| n = n.saturating_add(1);
    Each::new(&mut f).deserialize(d)?;
    Ok(n)
}

/// A number that may also come as a numeric string or null (reporters differ).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Num(pub(super) Option<f64>);

impl Num {
    /// Milliseconds → seconds (0 for nonsense).
    pub(super) fn ms_to_s(self) -> f64 {
        self.0.filter(|v| v.is_finite() && *v > 0.0).map_or(0.0, |ms| ms / 1000.0)
    }
    /// Seconds (0 for nonsense).
    pub(super) fn secs(self) -> f64 {
        self.0.filter(|v| v.is_finite() && *v > 0.0).unwrap_or(0.0)
    }
    /// A whole, non-negative count.
    pub(super) fn count(self) -> Option<u64> {
        self.0.filter(|v| v.is_finite() && *v >= 0.0 && v.fract() == 0.0 && *v < 1e15).map(|v| v as u64)
    }
}

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Some(v as f64)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num(Some(v as f64)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num(Some(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                Ok(Num(v.trim().parse().ok()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Text kept to [`super::MESSAGE_LIMIT`]: a string, or an array of strings (one per line), or
/// null; ANSI colour sequences removed. `parts` counts the non-empty strings.
#[derive(Debug, Default)]
pub(super) struct Text {
    pub(super) text: Option<String>,
    pub(super) parts: u32,
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                let mut m = MessageBuf::default();
                m.push(&strip_ansi(v));
                let text = m.take();
                Ok(Text { parts: u32::from(text.is_some()), text })
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
                let mut m = MessageBuf::default();
                let mut parts = 0u32;
                while let Some(s) = seq.next_element::<Option<String>>()? {
                    let Some(s) = s else { continue };
                    if s.trim().is_empty() {
                        continue;
                    }
                    if parts > 0 {
                        m.separate();
                    }
                    m.push(&strip_ansi(&s));
                    parts = parts.saturating_add(1);
                }
                Ok(Text { text: m.take(), parts })
            }
        }
        d.deserialize_any(V)
    }
}

/// Removes ANSI colour sequences (`ESC [ … m`), which Jest writes into failure messages.
pub(super) fn strip_ansi(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\u{1b}') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Maps a serde_json error to ours (serde_json positions are 1-based).
/// The lines of an event stream (JSON lines: libtest, go test -json, Dart), read into one reused
/// buffer, numbered from 1, the first line's UTF-8 byte-order mark skipped.
pub(super) struct Lines<R> {
    src: R,
    buf: Vec<u8>,
    no: u64,
}

impl<R: std::io::BufRead> Lines<R> {
    pub(super) fn new(src: R) -> Self {
        Lines { src, buf: Vec::with_capacity(4096), no: 0 }
    }

    /// The next line (with its line break) and its number; `None` at the end of the stream.
    pub(super) fn next_line(
        &mut self,
        path: &std::path::Path,
    ) -> Result<Option<(u64, &[u8])>, super::ResultsError> {
        self.buf.clear();
        let n = self.src.read_until(b'\n', &mut self.buf).map_err(|e| super::ResultsError::io(path, e))?;
        if n == 0 {
            return Ok(None);
        }
        self.no = self.no.saturating_add(1);
        let text: &[u8] = &self.buf;
        let text = if self.no == 1 { text.strip_prefix(super::xml::UTF8_BOM).unwrap_or(text) } else { text };
        Ok(Some((self.no, text)))
    }
}

pub(super) fn json_error(path: &std::path::Path, e: serde_json::Error) -> super::ResultsError {
    if e.is_io() {
        let source = std::io::Error::other(e.to_string());
        return super::ResultsError::io(path, source);
    }
    let message = e.to_string();
    // serde_json appends " at line L column C"; the position has its own fields.
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message,
    };
    super::ResultsError::Syntax {
        path: path.to_path_buf(),
        line: e.line() as u64,
        column: e.column() as u64,
        message,
    }
}

/// A serde_json error as ours, positioned at line ≥ 1 and column ≥ 1 (serde_json says column 0
/// for an error just after a line break).
pub(super) fn error(path: &std::path::Path, e: serde_json::Error) -> super::ResultsError {
    match json_error(path, e) {
        super::ResultsError::Syntax { path, line, column, message } => {
            super::ResultsError::Syntax { path, line: line.max(1), column: column.max(1), message }
        }
        other => other,
    }
}

/// An object key.
pub(super) struct Key(pub(super) String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Key)
    }
}

/// Fails on a key seen twice (serde_json itself would let the last one win).
pub(super) fn once<E: de::Error>(seen: &mut Vec<&'static str>, key: &'static str) -> Result<(), E> {
    if seen.contains(&key) {
        return Err(E::duplicate_field(key));
    }
    seen.push(key);
    Ok(())
}

/// A JSON report whose root is one object, walked key by key without building it: the
/// state of a reader implements this and [`read_document`] does the rest.
pub(super) trait RootObject {
    /// What the root is, for serde's "expected ..." messages.
    const EXPECTING: &'static str;
    /// The key the root must have.
    const REQUIRED: &'static str;
    /// Consumes the value of `key` (call [`once`] with `seen` for a key that may appear once;
    /// `REQUIRED` must be recorded there).
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        seen: &mut Vec<&'static str>,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

/// The root visitor every [`RootObject`] shares.
struct Root<'a, T>(&'a mut T);

impl<'de, T: RootObject> DeserializeSeed<'de> for Root<'_, T> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: RootObject> Visitor<'de> for Root<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Vec::new();
        while let Some(Key(key)) = map.next_key()? {
            self.0.field(&key, &mut seen, &mut map)?;
        }
        if !seen.contains(&T::REQUIRED) {
            return Err(de::Error::missing_field(T::REQUIRED));
        }
        Ok(())
    }
}

/// Reads one JSON document from `src` into `state`, with nothing but whitespace after it;
/// errors are mapped by `to_error`.
pub(super) fn read_document<R: std::io::BufRead, T: RootObject>(
    src: R,
    state: &mut T,
    to_error: impl Fn(serde_json::Error) -> super::ResultsError,
) -> Result<(), super::ResultsError> {
    let mut de = serde_json::Deserializer::from_reader(src);
    Root(state).deserialize(&mut de).map_err(&to_error)?;
    de.end().map_err(to_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_joins_and_strips_colours() {
        let t: Text = serde_json::from_str(r#"["\u001b[31mred\u001b[39m", null, "", "two"]"#).unwrap();
        assert_eq!(t.text.as_deref(), Some("red\ntwo"));
        assert_eq!(t.parts, 2);
        let n: Num = serde_json::from_str("\"12.5\"").unwrap();
        assert_eq!(n.ms_to_s(), 0.0125);
        assert_eq!(serde_json::from_str::<Num>("null").unwrap().count(), None);
    }
}
