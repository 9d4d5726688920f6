//! Bounded accumulation of failure messages.
//!
//! A failure text can be a 100 MB log; readers push every chunk here and this buffer keeps the
//! beginning and the **end** of it (what explains a failure is usually at the end: pytest's
//! final `E` lines, a Rust `panicked at` block after the output, a jest diff), cutting the
//! middle with a marker that says how much was cut. Memory per case stays bounded at
//! [`MESSAGE_LIMIT`] bytes while the reader still consumes the whole element.

use super::{MESSAGE_LIMIT, TRUNCATION_MARKER};

/// Bytes kept from the start of a long message.
const HEAD: usize = MESSAGE_LIMIT / 4;
/// Bytes kept from the end of a long message.
const TAIL: usize = MESSAGE_LIMIT - HEAD - 64;

/// A reusable, size-capped message buffer (one per reader, cleared per case).
#[derive(Debug, Default)]
pub(super) struct MessageBuf {
    /// The first bytes (all of them while the message is short).
    head: String,
    /// Once `head` is full: the latest bytes, trimmed back to [`TAIL`] as it grows.
    tail: String,
    /// Bytes dropped between `head` and `tail`.
    cut: u64,
    /// Whether something other than whitespace was pushed since the last separator, so leading
    /// blank lines of an element's text are not kept.
    started: bool,
    /// The last chunk ended with `\r`: a `\n` starting the next one is the same line break.
    after_cr: bool,
    /// This part keeps its first line's indent (a stack whose frames are all indented): only
    /// leading blank lines go.
    keep_indent: bool,
    /// With `keep_indent`, before `started`: the whitespace since the last line break, pushed
    /// with the first text (it may come in a chunk of its own).
    indent: String,
}

/// The completion statuses ctest writes as a failure's whole message (`GetTestStatus` in
/// Source/CTest/cmCTestTestHandler.cxx), and the like: words that say a test failed, not why.
const STATUS_WORDS: [&str; 13] = [
    "failed",
    "failure",
    "segfault",
    "timeout",
    "illegal",
    "interrupt",
    "numerical",
    "other_fault",
    "bad_command",
    "exception",
    "subprocess aborted",
    "child aborted",
    "error",
];

/// Whether `s` is only one of [`STATUS_WORDS`].
pub(super) fn is_status_word(s: &str) -> bool {
    let s = s.trim();
    STATUS_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

impl MessageBuf {
    /// Forgets the current message (keeps the allocations).
    pub(super) fn clear(&mut self) {
        self.head.clear();
        self.tail.clear();
        self.cut = 0;
        self.started = false;
        self.after_cr = false;
        self.keep_indent = false;
        self.indent.clear();
    }

    /// Never: the end of a message is kept, so every chunk matters.
    pub(super) fn is_full(&self) -> bool {
        false
    }

    /// True when nothing has been kept.
    pub(super) fn is_empty(&self) -> bool {
        self.head.is_empty()
    }

    /// True when all that was kept is a runner's bare status word (ctest's `Failed`,
    /// `SEGFAULT`, `Timeout`...): no explanation, so the test's output is wanted too.
    pub(super) fn is_status_word(&self) -> bool {
        self.tail.is_empty() && self.cut == 0 && is_status_word(&self.head)
    }

    /// Starts a new part (e.g. the element text after the `message` attribute) on a new line.
    pub(super) fn separate(&mut self) {
        let ends_with_newline =
            if self.tail.is_empty() { self.head.ends_with('\n') } else { self.tail.ends_with('\n') };
        if !self.head.is_empty() && !ends_with_newline {
            self.push_raw("\n");
        }
        self.started = false;
        self.after_cr = false;
        self.keep_indent = false;
        self.indent.clear();
    }

    /// Like [`MessageBuf::separate`], for a part whose first line keeps its indent (a stack
    /// trace: `   at X` then `   at Y`, not `at X` then `   at Y`).
    pub(super) fn separate_keeping_indent(&mut self) {
        self.separate();
        self.keep_indent = true;
    }

    /// Starts a new paragraph (the next of several failures of one case): a blank line.
    pub(super) fn paragraph(&mut self) {
        if !self.head.is_empty() {
            self.separate();
            self.push_raw("\n");
        }
        self.started = false;
    }

    /// Appends text; carriage returns are normalised away (`\r\n` and lone `\r` become `\n`,
    /// also when the two come in separate chunks, as `&#13;&#10;` does).
    pub(super) fn push(&mut self, mut text: &str) {
        if self.after_cr {
            text = text.strip_prefix('\n').unwrap_or(text);
            self.after_cr = false;
        }
        if !self.started {
            let rest = text.trim_start();
            if self.keep_indent {
                let lead = text.strip_suffix(rest).unwrap_or("");
                match lead.rsplit_once(['\n', '\r']) {
                    Some((_, indent)) => {
                        self.indent.clear();
                        self.indent.push_str(indent);
                    }
                    None => self.indent.push_str(lead),
                }
            }
            text = rest;
            if text.is_empty() {
                return;
            }
            self.started = true;
            if !self.indent.is_empty() {
                let indent = std::mem::take(&mut self.indent);
                self.push_raw(&indent);
            }
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
        self.after_cr = text.ends_with('\r');
    }

    /// Appends one character (used for decoded character references).
    pub(super) fn push_char(&mut self, c: char) {
        let mut tmp = [0u8; 4];
        self.push(c.encode_utf8(&mut tmp));
    }

    #[allow(
        clippy::arithmetic_side_effects,
        reason = "lengths of in-memory text; each subtraction is guarded by the comparison before it"
    )]
    fn push_raw(&mut self, text: &str) {
        if self.tail.is_empty() && self.cut == 0 {
            let room = HEAD.saturating_sub(self.head.len());
            if text.len() <= room {
                self.head.push_str(text);
                return;
            }
            let cut = floor_boundary(text, room);
            self.head.push_str(&text[..cut]);
            self.tail.push_str(&text[cut..]);
        } else {
            self.tail.push_str(text);
        }
        // Trim the tail back once it is twice its size: amortised linear in the input.
        if self.tail.len() > 2 * TAIL {
            let drop = ceil_boundary(&self.tail, self.tail.len() - TAIL);
            self.cut = self.cut.saturating_add(drop as u64);
            self.tail.drain(..drop);
        }
    }

    /// The message so far: whole when short, else its beginning and end with a marker saying
    /// how much of the middle was cut; `None` when empty.
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "lengths of in-memory text; each subtraction is guarded by the comparison before it"
    )]
    pub(super) fn take(&self) -> Option<String> {
        if self.head.trim().is_empty() {
            return None;
        }
        let mut tail: &str = &self.tail;
        let mut cut = self.cut;
        if tail.len() > TAIL {
            let drop = ceil_boundary(tail, tail.len() - TAIL);
            cut = cut.saturating_add(drop as u64);
            tail = &tail[drop..];
        }
        if cut == 0 {
            let mut whole = String::with_capacity(self.head.len() + tail.len());
            whole.push_str(&self.head);
            whole.push_str(tail);
            return Some(whole.trim_end().to_owned());
        }
        // Cut at line boundaries where there are some, so no line is shown half.
        let (head, head_rest) = match self.head.rfind('\n') {
            Some(i) if i > 0 => (&self.head[..i], self.head.len() - i - 1),
            _ => (self.head.as_str(), 0),
        };
        let (tail, tail_rest) = match tail.find('\n') {
            Some(i) if i + 1 < tail.len() => (&tail[i + 1..], i + 1),
            _ => (tail, 0),
        };
        let cut = cut.saturating_add((head_rest + tail_rest) as u64);
        Some(format!(
            "{}\n{TRUNCATION_MARKER} ({} bytes cut) {TRUNCATION_MARKER}\n{}",
            head.trim_end(),
            crate::words::thousands(u128::from(cut)),
            tail.trim_end()
        ))
    }
}

/// The largest char boundary ≤ `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i = i.saturating_sub(1);
    }
    i
}

/// The smallest char boundary ≥ `i`.
fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i = i.saturating_add(1);
    }
    i.min(s.len())
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

    // Checks that `&#13;&#10;` (a CR and an LF pushed separately) is one line break.
    #[test]
    fn split_crlf_is_one_break() {
        let mut m = MessageBuf::default();
        m.push("a");
        m.push("\r");
        m.push("\n");
        m.push("b");
        assert_eq!(m.take().as_deref(), Some("a\nb"));
    }

    // Checks that a long message keeps its beginning and its end, cut at lines, with the size
    // of the cut said, within the limit.
    #[test]
    fn long_messages_keep_both_ends() {
        let mut m = MessageBuf::default();
        m.push("first line\n");
        for i in 0..10_000 {
            m.push(&format!("noise line {i}\n"));
        }
        m.push("E   AssertionError: the useful end\n");
        let msg = m.take().unwrap();
        assert!(msg.len() <= MESSAGE_LIMIT, "{}", msg.len());
        assert!(msg.starts_with("first line\nnoise line 0\n"), "{msg}");
        assert!(msg.ends_with("noise line 9999\nE   AssertionError: the useful end"), "{msg}");
        let marker = msg.lines().find(|l| l.starts_with(TRUNCATION_MARKER)).unwrap();
        let total = "first line\n".len()
            + (0..10_000).map(|i| format!("noise line {i}\n").len()).sum::<usize>()
            + "E   AssertionError: the useful end\n".len();
        let kept: usize =
            msg.lines().filter(|l| !l.starts_with(TRUNCATION_MARKER)).map(|l| l.len() + 1).sum();
        let said: usize =
            marker.trim_matches(|c: char| !c.is_ascii_digit()).replace(',', "").parse().unwrap();
        assert_eq!(said + kept, total, "the marker counts exactly the bytes not shown: {marker}");
    }

    // Checks a cut never splits a multi-byte character.
    #[test]
    fn cuts_at_char_boundaries() {
        let mut m = MessageBuf::default();
        m.push("x");
        for _ in 0..10_000 {
            m.push("é");
        }
        let msg = m.take().unwrap();
        assert!(msg.len() <= MESSAGE_LIMIT, "{}", msg.len());
        assert!(msg.contains(TRUNCATION_MARKER));
        assert!(msg.ends_with('é'));
    }

    #[test]
    fn exact_fit_is_not_marked() {
        let mut m = MessageBuf::default();
        m.push(&"a".repeat(HEAD + TAIL));
        assert!(!m.take().unwrap().contains(TRUNCATION_MARKER));
    }
}
