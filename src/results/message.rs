//! Bounded accumulation of failure messages.
//!
//! A failure text can be a 100 MB log; readers push every chunk here and this buffer keeps only
//! the first [`MESSAGE_LIMIT`] bytes (cut at a char boundary, marked with
//! [`TRUNCATION_MARKER`]), so memory per case stays bounded while the reader still consumes
//! the rest of the element.

use super::{MESSAGE_LIMIT, TRUNCATION_MARKER};

/// A reusable, size-capped message buffer (one per reader, cleared per case).
#[derive(Debug, Default)]
pub(crate) struct MessageBuf {
    buf: String,
    truncated: bool,
    /// Whether something other than whitespace was pushed since the last separator, so leading
    /// blank lines of an element's text are not kept.
    started: bool,
}

/// Bytes available for content: the marker must still fit after a cut.
const CONTENT_LIMIT: usize = MESSAGE_LIMIT - TRUNCATION_MARKER.len();

impl MessageBuf {
    /// Forgets the current message (keeps the allocation).
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.truncated = false;
        self.started = false;
    }

    /// True once nothing more will be kept; callers may skip decoding further text.
    pub(crate) fn is_full(&self) -> bool {
        self.truncated
    }

    /// True when nothing has been kept.
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Starts a new part (e.g. the element text after the `message` attribute) on a new line.
    pub(crate) fn separate(&mut self) {
        if !self.buf.is_empty() && !self.buf.ends_with('\n') {
            self.push_raw("\n");
        }
        self.started = false;
    }

    /// Appends text; carriage returns are normalised away (`\r\n` and lone `\r` become `\n`).
    pub(crate) fn push(&mut self, mut text: &str) {
        if self.truncated {
            return;
        }
        if !self.started {
            text = text.trim_start();
            if text.is_empty() {
                return;
            }
            self.started = true;
        }
        if !text.contains('\r') {
            self.push_raw(text);
            return;
        }
        let mut parts = text.split('\r');
        if let Some(first) = parts.next() {
            self.push_raw(first);
        }
        for part in parts {
            // "\r\n" → the "\n" that follows is kept as is; a lone "\r" becomes "\n".
            if !part.starts_with('\n') {
                self.push_raw("\n");
            }
            self.push_raw(part);
        }
    }

    /// Appends one character (used for decoded character references).
    pub(crate) fn push_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        self.push(c.encode_utf8(&mut tmp));
    }

    fn push_raw(&mut self, text: &str) {
        if self.truncated {
            return;
        }
        let room = CONTENT_LIMIT - self.buf.len();
        if text.len() <= room {
            self.buf.push_str(text);
            return;
        }
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.buf.push_str(&text[..cut]);
        self.truncated = true;
    }

    /// The message so far (trimmed, with the marker when cut), or `None` when empty.
    pub(crate) fn take(&self) -> Option<String> {
        let body = self.buf.trim_end();
        if body.is_empty() {
            return None;
        }
        if self.truncated {
            let mut out = String::with_capacity(body.len() + TRUNCATION_MARKER.len());
            out.push_str(body);
            out.push_str(TRUNCATION_MARKER);
            Some(out)
        } else {
            Some(body.to_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_parts_and_trims() {
        let mut m = MessageBuf::default();
        m.push("expected 1");
        m.separate();
        m.push("\n\n   at foo\r\n  at bar\rbaz  \n");
        assert_eq!(m.take().as_deref(), Some("expected 1\nat foo\n  at bar\nbaz"));
        m.clear();
        assert!(m.is_empty());
        assert_eq!(m.take(), None);
        m.push("   \n ");
        assert_eq!(m.take(), None);
    }

    #[test]
    fn truncates_at_char_boundary_with_marker() {
        let mut m = MessageBuf::default();
        // 'é' is 2 bytes; an odd prefix forces the cut to land mid-character.
        m.push("x");
        for _ in 0..10_000 {
            m.push("é");
        }
        assert!(m.is_full());
        let msg = m.take().unwrap();
        assert!(msg.len() <= MESSAGE_LIMIT, "{}", msg.len());
        assert!(msg.ends_with(TRUNCATION_MARKER));
        assert!(msg.len() > MESSAGE_LIMIT - 8);
        // Pushing more changes nothing.
        m.push("tail");
        assert_eq!(m.take().unwrap(), msg);
    }

    #[test]
    fn exact_fit_is_not_marked() {
        let mut m = MessageBuf::default();
        m.push(&"a".repeat(CONTENT_LIMIT));
        assert!(!m.is_full());
        assert!(!m.take().unwrap().ends_with(TRUNCATION_MARKER));
        m.push("b");
        assert!(m.is_full());
    }
}
