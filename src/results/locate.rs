//! Byte offset → 1-based line and column, computed only when an error or finding needs one.
//!
//! Readers never count lines on the hot path; they remember byte offsets and ask a
//! [`Locator`] afterwards, which re-reads the file prefix (or scans the in-memory bytes).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Where the bytes of the document can be read again.
enum Source<'a> {
    /// Re-open this file and scan its prefix.
    File(&'a Path),
    /// The whole document is in memory.
    Bytes(&'a [u8]),
}

/// Maps byte offsets of one document to lines and columns.
///
/// Scanning resumes from the last answer when offsets grow (the usual order), so locating many
/// findings costs one pass over the file rather than one pass each.
pub(super) struct Locator<'a> {
    source: Source<'a>,
    pos: Pos,
    reader: Option<BufReader<File>>,
}

/// Counting state: position reached so far and the line/column there.
#[derive(Clone, Copy)]
struct Pos {
    offset: u64,
    line: u64,
    column: u64,
}

impl Pos {
    const START: Pos = Pos { offset: 0, line: 1, column: 1 };

    /// Advances over `bytes`; columns count characters (UTF-8 continuation bytes are skipped).
    fn advance(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.line = self.line.saturating_add(1);
                self.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.column = self.column.saturating_add(1);
            }
        }
        self.offset = self.offset.saturating_add(bytes.len() as u64);
    }
}

impl<'a> Locator<'a> {
    /// Locates offsets in the file at `path` (re-opened on first use).
    pub(super) fn file(path: &'a Path) -> Self {
        Self::new(Source::File(path))
    }

    /// Locates offsets in `bytes`.
    pub(super) fn bytes(bytes: &'a [u8]) -> Self {
        Self::new(Source::Bytes(bytes))
    }

    fn new(source: Source<'a>) -> Self {
        Locator { source, pos: Pos::START, reader: None }
    }

    /// Line and column of byte `offset` (both 1-based), or `None` if the bytes cannot be re-read.
    pub(super) fn line_col(&mut self, offset: u64) -> Option<(u64, u64)> {
        if offset < self.pos.offset {
            self.pos = Pos::START;
            self.reader = None;
        }
        match self.source {
            Source::Bytes(bytes) => {
                let len = bytes.len() as u64;
                let from = self.pos.offset.min(len) as usize;
                let to = offset.min(len) as usize;
                self.pos.advance(&bytes[from..to]);
            }
            Source::File(path) => {
                if self.reader.is_none() {
                    self.reader = Some(BufReader::new(File::open(path).ok()?));
                }
                let reader = self.reader.as_mut()?;
                while self.pos.offset < offset {
                    let chunk = reader.fill_buf().ok()?;
                    if chunk.is_empty() {
                        break;
                    }
                    let want = usize::try_from(offset.saturating_sub(self.pos.offset)).unwrap_or(usize::MAX);
                    let n = want.min(chunk.len());
                    self.pos.advance(&chunk[..n]);
                    reader.consume(n);
                }
            }
        }
        Some((self.pos.line, self.pos.column))
    }

    /// Line of byte `offset`, or `None` if the bytes cannot be re-read.
    pub(super) fn line(&mut self, offset: u64) -> Option<u64> {
        self.line_col(offset).map(|(line, _)| line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_and_char_columns() {
        let text = "ab\nc\u{e9}d\nxyz".as_bytes();
        let mut loc = Locator::bytes(text);
        assert_eq!(loc.line_col(0), Some((1, 1)));
        assert_eq!(loc.line_col(3), Some((2, 1)));
        // 'é' is two bytes but one column.
        assert_eq!(loc.line_col(6), Some((2, 3)));
        assert_eq!(loc.line_col(8), Some((3, 1)));
        // Past the end clamps to the end.
        assert_eq!(loc.line_col(1000), Some((3, 4)));
    }

    #[test]
    fn file_locator_matches_bytes_locator() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        let text = "one\ntwo\nthree\n".repeat(10_000);
        std::fs::write(&path, &text).unwrap();
        let mut file_loc = Locator::file(&path);
        let mut mem_loc = Locator::bytes(text.as_bytes());
        // Forward, then backward (forces a restart), then forward again.
        for off in [0u64, 5, 9000, 70_000, 139_999, 12, 70_001] {
            assert_eq!(file_loc.line_col(off), mem_loc.line_col(off));
        }
        assert_eq!(Locator::file(&dir.path().join("missing")).line_col(3), None);
    }
}
