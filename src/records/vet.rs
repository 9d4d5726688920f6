//! Checks a run record's bytes before the Parquet reader sees them: the reader trusts the counts
//! and sizes a file declares (it preallocates from them, builds the schema by recursion and
//! inflates gzip pages without a bound), so a hostile file could abort the process, overflow
//! its stack or take gigabytes. Here the footer and every page header of a column about to be
//! read are decoded with a small, bounded Thrift reader and held to the limits below; a file
//! that breaks one is skipped with the reason. What passes can cost at most these bounds.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

/// Largest record file read (a record of 1M tests is ~20 MiB).
pub(super) const MAX_RECORD_BYTES: u64 = 256 << 20;
/// Largest footer (schema, row groups, statistics, header): a record's is a few KiB.
pub(super) const MAX_FOOTER_BYTES: u64 = 8 << 20;
/// Most rows (tests) in one record.
pub(super) const MAX_ROWS: u64 = 1 << 22;
/// Most bytes one page may inflate to (gen-report writes pages of about 1 MiB).
pub(super) const MAX_PAGE_BYTES: u64 = 16 << 20;
/// Most bytes one column chunk may inflate to.
pub(super) const MAX_COLUMN_BYTES: u64 = 256 << 20;
/// Most bytes the columns read from one record may inflate to, together.
pub(super) const MAX_FILE_BYTES: u64 = 512 << 20;
/// Longest string value kept (a longer test name is cut where shown; its identity is the hash).
pub(super) const MAX_VALUE_BYTES: usize = 4 << 10;
/// Most columns in a record (gen-report writes 10; other writers may add some).
const MAX_COLUMNS: usize = 64;
/// Deepest Thrift nesting accepted (a footer needs 6).
const MAX_DEPTH: usize = 12;
/// Most elements in one Thrift list, and most values in one footer.
const MAX_LIST: usize = 1 << 16;
const MAX_NODES: usize = 1 << 20;

/// A decoded Thrift compact-protocol value (binaries and doubles are skipped over).
#[derive(Debug)]
enum V {
    Int(i64),
    Bool(bool),
    List(Vec<V>),
    Struct(Vec<(i16, V)>),
    Other,
}

impl V {
    fn field(&self, id: i16) -> Option<&V> {
        match self {
            V::Struct(f) => f.iter().find(|(k, _)| *k == id).map(|(_, v)| v),
            _ => None,
        }
    }
    fn int(&self, id: i16) -> Option<i64> {
        match self.field(id) {
            Some(V::Int(i)) => Some(*i),
            _ => None,
        }
    }
    fn list(&self, id: i16) -> &[V] {
        match self.field(id) {
            Some(V::List(l)) => l,
            _ => &[],
        }
    }
}

struct Thrift<'a> {
    b: &'a [u8],
    at: usize,
    nodes: usize,
}

type R<T> = Result<T, String>;

impl<'a> Thrift<'a> {
    fn new(b: &'a [u8]) -> Self {
        Thrift { b, at: 0, nodes: 0 }
    }
    fn byte(&mut self) -> R<u8> {
        let x = *self.b.get(self.at).ok_or("ends inside a value")?;
        self.at += 1;
        Ok(x)
    }
    fn varint(&mut self) -> R<u64> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let x = self.byte()?;
            if shift == 63 && x > 1 {
                return Err("a number beyond 64 bits".into());
            }
            v |= u64::from(x & 0x7f) << shift;
            if x & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number beyond 64 bits".into())
    }
    fn zigzag(&mut self) -> R<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }
    fn skip(&mut self, n: usize) -> R<()> {
        if n > self.b.len() - self.at {
            return Err("ends inside a value".into());
        }
        self.at += n;
        Ok(())
    }
    fn value(&mut self, kind: u8, depth: usize) -> R<V> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(format!("more than {MAX_NODES} values in its metadata"));
        }
        if depth > MAX_DEPTH {
            return Err(format!("metadata nested deeper than {MAX_DEPTH} levels"));
        }
        Ok(match kind {
            1 => V::Bool(true),
            2 => V::Bool(false),
            3 => V::Int(i64::from(self.byte()? as i8)),
            4..=6 => V::Int(self.zigzag()?),
            7 => {
                self.skip(8)?;
                V::Other
            }
            8 => {
                let n = usize::try_from(self.varint()?).map_err(|_| "a length beyond memory")?;
                self.skip(n)?;
                V::Other
            }
            9 | 10 => {
                let h = self.byte()?;
                let n = if h >> 4 == 15 { self.varint()? } else { u64::from(h >> 4) };
                let n = self.count(n)?;
                let mut items = Vec::with_capacity(n.min(1024));
                for _ in 0..n {
                    // A bool in a list is a byte of its own.
                    items.push(if h & 15 == 1 || h & 15 == 2 {
                        V::Bool(self.byte()? == 1)
                    } else {
                        self.value(h & 15, depth + 1)?
                    });
                }
                V::List(items)
            }
            11 => {
                let n = self.varint()?;
                let n = self.count(n)?;
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        self.value(kv >> 4, depth + 1)?;
                        self.value(kv & 15, depth + 1)?;
                    }
                }
                V::Other
            }
            12 => {
                let mut fields = Vec::new();
                let mut last = 0i16;
                loop {
                    let h = self.byte()?;
                    if h == 0 {
                        break;
                    }
                    let id = if h >> 4 == 0 {
                        i16::try_from(self.zigzag()?).map_err(|_| "a field number beyond 16 bits")?
                    } else {
                        last.checked_add(i16::from(h >> 4)).ok_or("a field number beyond 16 bits")?
                    };
                    last = id;
                    let v = self.value(h & 15, depth + 1)?;
                    fields.push((id, v));
                }
                V::Struct(fields)
            }
            k => return Err(format!("unknown Thrift type {k}")),
        })
    }
    /// A declared element count, held to the list bound and to the bytes left (every element
    /// takes at least one).
    fn count(&self, n: u64) -> R<usize> {
        let left = (self.b.len() - self.at) as u64;
        if n > MAX_LIST as u64 || n > left {
            return Err(format!("a list of {n} elements in {left} bytes"));
        }
        Ok(n as usize)
    }
}

/// A column chunk of the footer: where it is and what it declares.
#[derive(Debug, Clone)]
pub(super) struct Chunk {
    pub start: u64,
    pub len: u64,
    pub codec: i64,
    pub values: i64,
    pub inflated: i64,
    /// The fewest bytes one value of the column's type takes (a length prefix for strings).
    pub min_value: u64,
}

/// What the footer holds that the reader relies on: per row group, its rows and its chunks.
#[derive(Debug)]
pub(super) struct Footer {
    pub groups: Vec<(u64, Vec<Chunk>)>,
}

/// Reads and checks a record's footer: size, nesting, flat schema, row counts, chunk bounds.
pub(super) fn footer(file: &mut File, len: u64) -> R<Footer> {
    if len > MAX_RECORD_BYTES {
        return Err(format!("{len} bytes: larger than any run record (the limit is {MAX_RECORD_BYTES})"));
    }
    if len < 12 {
        return Err(format!("not a readable Parquet file (corrupt or truncated?): {len} bytes"));
    }
    let mut tail = [0u8; 8];
    read_at(file, len - 8, &mut tail)?;
    if &tail[4..] != b"PAR1" {
        return Err("not a readable Parquet file (corrupt or truncated?): no `PAR1` at its end".into());
    }
    let size = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if size + 12 > len {
        return Err(
            "not a readable Parquet file (corrupt or truncated?): its footer is longer than the file".into(),
        );
    }
    if size > MAX_FOOTER_BYTES {
        return Err(format!("a footer of {size} bytes (the limit is {MAX_FOOTER_BYTES})"));
    }
    let mut b = vec![0u8; size as usize];
    read_at(file, len - 8 - size, &mut b)?;
    let meta = Thrift::new(&b)
        .value(12, 0)
        .map_err(|e| format!("not a readable Parquet file (corrupt footer: {e})"))?;
    let data_end = len - 8 - size;
    shape(&meta)?;
    let leaves = meta.list(2).len().saturating_sub(1);
    let mut groups = Vec::new();
    let mut total = 0u64;
    for g in meta.list(4) {
        let rows = u64::try_from(g.int(3).unwrap_or(-1)).map_err(|_| "a row group without a row count")?;
        total = total.saturating_add(rows);
        if total > MAX_ROWS {
            return Err(format!("more than {MAX_ROWS} rows: larger than any run record"));
        }
        let cols = g.list(1);
        if cols.len() != leaves {
            return Err(format!("a row group of {} columns, the schema has {leaves}", cols.len()));
        }
        let mut chunks = Vec::with_capacity(cols.len());
        for c in cols {
            if c.field(1).is_some() {
                return Err("a column stored in another file".into());
            }
            let m = c.field(3).ok_or("a column without metadata")?;
            let data = m.int(9).unwrap_or(-1);
            // Where the Parquet reader starts the chunk: its dictionary page if it names one.
            let start = m.int(11).unwrap_or(data);
            let clen = m.int(7).unwrap_or(-1);
            let (Ok(start), Ok(clen)) = (u64::try_from(start), u64::try_from(clen)) else {
                return Err("a column chunk with a negative offset or size".into());
            };
            if start < 4 || start.checked_add(clen).is_none_or(|end| end > data_end) {
                return Err("a column chunk beyond the data of the file (truncated?)".into());
            }
            let values = m.int(5).unwrap_or(-1);
            if u64::try_from(values).ok() != Some(rows) {
                return Err(format!("a column of {values} values in a row group of {rows} rows"));
            }
            let min_value = match m.int(1) {
                Some(2 | 5) => 8,
                Some(1 | 4 | 6) => 4,
                Some(3) => 12,
                _ => 1,
            };
            chunks.push(Chunk {
                min_value,
                start,
                len: clen,
                codec: m.int(4).unwrap_or(-1),
                values,
                inflated: m.int(6).unwrap_or(-1),
            });
        }
        groups.push((rows, chunks));
    }
    if meta.int(3) != Some(total as i64) {
        return Err("its row groups do not add up to its row count".into());
    }
    Ok(Footer { groups })
}

/// A record is flat: a root and its columns, none repeated, none a group.
fn shape(meta: &V) -> R<()> {
    let schema = meta.list(2);
    let Some((root, columns)) = schema.split_first() else {
        return Err("an empty schema".into());
    };
    let flat = "a nested schema: a run record is flat (one column per field)";
    if root.int(5) != Some(columns.len() as i64) {
        return Err(flat.into());
    }
    for c in columns {
        if c.int(5).unwrap_or(0) != 0 || c.int(1).is_none() || c.int(3) == Some(2) {
            return Err(flat.into());
        }
    }
    if columns.len() > MAX_COLUMNS {
        return Err(format!("{} columns (a run record has 10; the limit is {MAX_COLUMNS})", columns.len()));
    }
    Ok(())
}

fn read_at(file: &mut File, at: u64, buf: &mut [u8]) -> R<()> {
    file.seek(SeekFrom::Start(at))
        .and_then(|_| file.read_exact(buf))
        .map_err(|e| format!("cannot read: {}", crate::load::manifest::io_reason(&e)))
}

/// Names a codec this build does not read; `None` for those it does.
fn unsupported_codec(codec: i64) -> Option<&'static str> {
    match codec {
        0..=2 => None,
        3 => Some("LZO"),
        4 => Some("Brotli"),
        5 | 7 => Some("LZ4"),
        6 => Some("Zstandard"),
        _ => Some("an unknown codec"),
    }
}

/// Checks one column chunk's pages before it is read: each page within the chunk, each
/// declared size within the bounds, each gzip page inflating to exactly what it declares.
/// `budget` is what the file may still inflate to; the chunk's cost is taken from it.
pub(super) fn chunk(file: &mut File, c: &Chunk, name: &str, budget: &mut u64) -> R<()> {
    let col = |e: String| format!("column `{name}`: {e}");
    if let Some(codec) = unsupported_codec(c.codec) {
        return Err(col(format!(
            "compressed with {codec}, which gen-report does not read (it reads uncompressed, gzip and snappy columns; rewrite with one of them)"
        )));
    }
    if c.inflated < 0 || c.inflated as u64 > MAX_COLUMN_BYTES {
        return Err(col(format!("declares {} bytes inflated (the limit is {MAX_COLUMN_BYTES})", c.inflated)));
    }
    let mut b = vec![0u8; c.len as usize];
    read_at(file, c.start, &mut b)?;
    let (mut at, mut values, mut inflated) = (0usize, 0u64, 0u64);
    while at < b.len() {
        let mut t = Thrift::new(&b[at..]);
        let h = t.value(12, 0).map_err(|e| col(format!("corrupt page header: {e}")))?;
        at += t.at;
        let size = |id: i16| u64::try_from(h.int(id).unwrap_or(-1)).ok();
        let (Some(raw), Some(packed)) = (size(2), size(3)) else {
            return Err(col("a page header without sizes".into()));
        };
        if packed > (b.len() - at) as u64 {
            return Err(col("a page beyond its column chunk (truncated?)".into()));
        }
        if raw > MAX_PAGE_BYTES {
            return Err(col(format!("a page of {raw} bytes inflated (the limit is {MAX_PAGE_BYTES})")));
        }
        inflated += raw;
        if inflated > MAX_COLUMN_BYTES || inflated > *budget {
            return Err(col(format!(
                "inflates to more than {} bytes (the limit per column is {MAX_COLUMN_BYTES}, per record {MAX_FILE_BYTES})",
                inflated.min(*budget)
            )));
        }
        let page = &b[at..at + packed as usize];
        at += packed as usize;
        let (mut levels, mut compressed) = (0u64, c.codec != 0);
        match h.int(1) {
            Some(0) => values += nonneg(h.field(5).and_then(|d| d.int(1)))?,
            Some(2) => {
                let n = nonneg(h.field(7).and_then(|d| d.int(1)))?;
                // The reader allocates a slot per entry: held to what the page can hold.
                if n.saturating_mul(c.min_value) > raw {
                    return Err(col(format!("a dictionary of {n} values in {raw} bytes")));
                }
            }
            Some(3) => {
                let v2 = h.field(8).ok_or_else(|| col("a data page without its header".into()))?;
                values += nonneg(v2.int(1))?;
                levels = nonneg(v2.int(5))?.saturating_add(nonneg(v2.int(6))?);
                if levels > packed || levels > raw {
                    return Err(col("levels longer than their page".into()));
                }
                compressed &= !matches!(v2.field(7), Some(V::Bool(false)));
            }
            _ => {}
        }
        if values > c.values as u64 {
            return Err(col(format!("pages hold more values than the {} its row group has", c.values)));
        }
        if compressed && c.codec == 2 {
            // The reader inflates a gzip page to its end whatever it declares: count first.
            let mut z = flate2::read::MultiGzDecoder::new(&page[levels as usize..]).take(raw - levels + 1);
            let got = std::io::copy(&mut z, &mut std::io::sink())
                .map_err(|e| col(format!("corrupt gzip page: {e}")))?;
            if got != raw - levels {
                return Err(col(format!(
                    "a gzip page inflates to {got} bytes, not the {} it declares",
                    raw - levels
                )));
            }
        }
    }
    if values != c.values as u64 {
        return Err(col(format!("{values} values in its pages for {} rows (truncated?)", c.values)));
    }
    *budget -= inflated;
    Ok(())
}

fn nonneg(v: Option<i64>) -> R<u64> {
    v.and_then(|v| u64::try_from(v).ok()).ok_or_else(|| "a page header without a valid count".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_without_recursion_beyond_the_bound() {
        // 100,000 nested structs: field 1, type struct, each.
        let b = vec![0x1c; 100_000];
        let e = Thrift::new(&b).value(12, 0).unwrap_err();
        assert!(e.contains("nested deeper"), "{e}");
    }

    #[test]
    fn declared_list_sizes_are_held_to_the_bytes_left() {
        // A struct whose field 1 is a list of 2^32 i32s, in 8 bytes.
        let b = [0x19, 0xf5, 0x80, 0x80, 0x80, 0x80, 0x10, 0];
        let e = Thrift::new(&b).value(12, 0).unwrap_err();
        assert!(e.contains("elements in"), "{e}");
    }
}
