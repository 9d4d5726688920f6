//! Run records and the history folder: writing this run's record (`--record FILE`) and reading
//! the earlier runs of `--history DIR`. The figures are computed in [`crate::model::history`].
//!
//! A record is a Parquet file: one row per test case (`run`, `id`, `file`, `suite`,
//! `classname`, `name`, `outcome`, `flaky`, `duration_ms`, `category`), and the run's header
//! (label, date, totals, categories) as JSON in the key-value metadata `gen_report.run`. DuckDB,
//! DataFusion, Spark and Polars read it as is. Reading an earlier run touches only its `id`,
//! `outcome`, `flaky` and `duration_ms` columns, so a window of 100 runs of 100,000 tests is read
//! in a fraction of a second. CTRF reports are read as records too (every test, slower).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, GzipLevel};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int64Type};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::ColumnPath;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::model::history::{
    CurrentRun, Folder, LIST_KEPT, LoggedTest, PastRun, RecordMeta, RunInfo, RunTotals, SkippedRecord, State,
    TestLog, TestRef, loose_id, millis, sort_records, test_id,
};
use crate::results::{self, CaseSink, Finding, TestCase};

/// The record format's version; a reader skips records of a newer one. Version 2: `id` is
/// [`crate::model::history::test_id`] (no results path); version 1's hashed the path too, and its
/// rows are matched by suite, classname and name instead (`plain_of`).
pub(crate) const RECORD_VERSION: u32 = 2;
/// The Parquet key-value metadata key holding the run's header (JSON).
pub(crate) const META_KEY: &str = "gen_report.run";
/// What a record says it is, in its header.
const FORMAT_NAME: &str = "gen-report run record";
mod vet;

/// Files larger than this in the history folder are not read (no record comes near it).
const MAX_RECORD_BYTES: u64 = vet::MAX_RECORD_BYTES;

const SCHEMA: &str = "message gen_report_run {
  REQUIRED BYTE_ARRAY run (STRING);
  REQUIRED INT64 id;
  REQUIRED BYTE_ARRAY file (STRING);
  REQUIRED BYTE_ARRAY suite (STRING);
  REQUIRED BYTE_ARRAY classname (STRING);
  REQUIRED BYTE_ARRAY name (STRING);
  REQUIRED BYTE_ARRAY outcome (STRING);
  REQUIRED BOOLEAN flaky;
  REQUIRED INT64 duration_ms;
  OPTIONAL BYTE_ARRAY category (STRING);
}";

/// The header of a record, in its `gen_report.run` metadata.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    #[serde(flatten)]
    info: RunInfo,
    /// Rows that follow (one per test case).
    rows: u64,
    /// Sums over the columns a reader relies on, so that damage to them is noticed (Parquet
    /// pages carry no checksum here): the XOR of every `id` (hex) and the sum of `duration_ms`.
    #[serde(default)]
    check: Option<Check>,
    /// What the columns hold, for whoever opens the file without docs/history.md.
    #[serde(default, skip_deserializing)]
    columns: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Check {
    ids: String,
    duration_ms: u64,
}

impl Check {
    fn add(&mut self, xor: &mut u64, id: u64, ms: u64) {
        *xor ^= id;
        self.duration_ms = self.duration_ms.wrapping_add(ms);
    }
}

fn columns_doc() -> serde_json::Value {
    serde_json::json!({
        "run": "the run's label (the same in every row)",
        "id": "64-bit hash of suite, classname and name: the test's identity (the results file path is hashed in only to tell apart two results files of one run holding the same test)",
        "file": "the results file the test came from",
        "suite": "suite name",
        "classname": "class name (empty when the results have none)",
        "name": "test name",
        "outcome": "passed, failed, error or skipped",
        "flaky": "passed only on a rerun within the run",
        "duration_ms": "wall time in milliseconds",
        "category": "gen-report category (null when uncategorised)",
    })
}

/// Builds the record of this run: Parquet bytes, written by the caller once the report is.
///
/// # Errors
/// Only if the Parquet writer fails (it writes to memory).
pub(crate) fn record_bytes(
    info: &RunInfo,
    log: Option<&TestLog>,
    categories: &[String],
) -> Result<Vec<u8>, Error> {
    let empty = TestLog::default();
    let log = log.unwrap_or(&empty);
    let header = serde_json::to_string(&header(info, log)).map_err(|e| Error::Usage(e.to_string()))?;
    let schema = Arc::new(parse_message_type(SCHEMA).map_err(parquet_error)?);
    let col = |name: &str| ColumnPath::from(name);
    // Strings compress well with gzip (and every engine reads it); the identity hashes do not,
    // so they are stored plain, where a reader gets them without inflating anything.
    let props = WriterProperties::builder()
        .set_created_by(format!("gen-report {}", env!("CARGO_PKG_VERSION")))
        .set_compression(Compression::GZIP(GzipLevel::default()))
        .set_column_compression(col("id"), Compression::UNCOMPRESSED)
        .set_column_dictionary_enabled(col("id"), false)
        .set_column_dictionary_enabled(col("name"), false)
        // Pages are closed after a batch that passes the page size: small batches keep a page
        // of long names near 1 MiB, far below what a reader accepts (vet::MAX_PAGE_BYTES).
        .set_write_batch_size(64)
        .set_key_value_metadata(Some(vec![KeyValue::new(META_KEY.into(), header)]))
        .build();
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, Arc::new(props)).map_err(parquet_error)?;
    // One row group per outcome, each in test order: a reader learns a group's outcome from its
    // statistics (min = max) without reading a string per row.
    let ids = log.ids();
    for outcome in [
        results::Outcome::Passed,
        results::Outcome::Failed,
        results::Outcome::Error,
        results::Outcome::Skipped,
    ] {
        let (tests, group_ids): (Vec<&LoggedTest>, Vec<u64>) =
            log.tests.iter().zip(&ids).filter(|(x, _)| x.outcome == outcome).map(|(x, &id)| (x, id)).unzip();
        if tests.is_empty() {
            continue;
        }
        let mut group = writer.next_row_group().map_err(parquet_error)?;
        let mut column = 0;
        while let Some(mut w) = group.next_column().map_err(parquet_error)? {
            write_column(&mut w, column, &tests, &Rows { info, log, categories, ids: &group_ids })?;
            w.close().map_err(parquet_error)?;
            column += 1;
        }
        group.close().map_err(parquet_error)?;
    }
    writer.into_inner().map_err(parquet_error)
}

/// `s` cut to at most `max` bytes, at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn parquet_error(e: parquet::errors::ParquetError) -> Error {
    Error::Usage(format!("cannot build the run record: {e}"))
}

/// The record's header (in the file's key-value metadata): the run, the row count and a check
/// over every row, so a reader knows a record is whole without trusting its row groups.
fn header(info: &RunInfo, log: &TestLog) -> Header {
    let (mut check, mut xor) = (Check::default(), 0u64);
    for (t, id) in log.tests.iter().zip(log.ids()) {
        check.add(&mut xor, id, t.duration_ms);
    }
    check.ids = format!("{xor:016x}");
    Header {
        format: FORMAT_NAME.into(),
        version: RECORD_VERSION,
        info: info.clone(),
        rows: log.tests.len() as u64,
        check: Some(check),
        columns: Some(columns_doc()),
    }
}

/// What every column of a row group is drawn from.
struct Rows<'a> {
    info: &'a RunInfo,
    log: &'a TestLog,
    categories: &'a [String],
    /// The identities of this group's tests.
    ids: &'a [u64],
}

/// Writes column number `column` (in [`SCHEMA`]'s order) of one row group.
fn write_column(
    w: &mut parquet::file::writer::SerializedColumnWriter<'_>,
    column: usize,
    t: &[&LoggedTest],
    rows: &Rows<'_>,
) -> Result<(), Error> {
    let log = rows.log;
    let bytes = |v: Vec<ByteArray>, w: &mut parquet::file::writer::SerializedColumnWriter<'_>| {
        w.typed::<ByteArrayType>().write_batch(&v, None, None).map(drop).map_err(parquet_error)
    };
    let strings = |pick: fn(&LoggedTest) -> u32| -> Vec<ByteArray> {
        t.iter().map(|x| ByteArray::from(log.strings.get(pick(x)))).collect()
    };
    match column {
        0 => bytes(vec![ByteArray::from(rows.info.label.as_str()); t.len()], w),
        1 => {
            // The hash's bits as a signed 64-bit integer (Parquet has no unsigned INT64 here).
            let v: Vec<i64> = rows.ids.iter().map(|&id| id as i64).collect();
            w.typed::<Int64Type>().write_batch(&v, None, None).map(drop).map_err(parquet_error)
        }
        2 => bytes(strings(|x| x.file), w),
        3 => bytes(strings(|x| x.suite), w),
        4 => bytes(strings(|x| x.classname), w),
        // Names are shown, never matched (the `id` is the identity): a longer one is cut.
        5 => bytes(t.iter().map(|x| ByteArray::from(cut(&x.name, vet::MAX_VALUE_BYTES))).collect(), w),
        6 => bytes(t.iter().map(|x| ByteArray::from(outcome_name(x.outcome))).collect(), w),
        7 => {
            let v: Vec<bool> = t.iter().map(|x| x.flaky).collect();
            w.typed::<BoolType>().write_batch(&v, None, None).map(drop).map_err(parquet_error)
        }
        8 => {
            let v: Vec<i64> = t.iter().map(|x| i64::try_from(x.duration_ms).unwrap_or(i64::MAX)).collect();
            w.typed::<Int64Type>().write_batch(&v, None, None).map(drop).map_err(parquet_error)
        }
        _ => {
            let name = |x: &LoggedTest| {
                x.category.and_then(|c| rows.categories.get(c as usize)).map(|n| ByteArray::from(n.as_str()))
            };
            let def: Vec<i16> = t.iter().map(|x| i16::from(name(x).is_some())).collect();
            let v: Vec<ByteArray> = t.iter().filter_map(|x| name(x)).collect();
            w.typed::<ByteArrayType>().write_batch(&v, Some(&def), None).map(drop).map_err(parquet_error)
        }
    }
}

fn outcome_of(name: &[u8]) -> Option<results::Outcome> {
    match name {
        b"passed" => Some(results::Outcome::Passed),
        b"failed" => Some(results::Outcome::Failed),
        b"error" => Some(results::Outcome::Error),
        b"skipped" => Some(results::Outcome::Skipped),
        _ => None,
    }
}

fn outcome_name(o: results::Outcome) -> &'static str {
    match o {
        results::Outcome::Passed => "passed",
        results::Outcome::Failed => "failed",
        results::Outcome::Error => "error",
        results::Outcome::Skipped => "skipped",
    }
}

/// What `--history DIR` found: the earlier runs of the window, oldest first, and the folder's
/// account (records found, files skipped and why).
pub(crate) struct Loaded {
    pub past: Vec<PastRun>,
    pub folder: Folder,
}

/// A file of the history folder, with what kind of record it claims to be.
enum Candidate {
    Record(PathBuf),
    Ctrf(PathBuf),
}

/// Reads the history folder: every record's header (to order them), then the newest
/// `window - 1` in full, mapped onto this run's tests. A missing folder is no earlier run (a
/// CI cache that missed); a file that cannot be used is skipped and listed, never fatal.
///
/// # Errors
/// `dir` exists but is not a folder, or cannot be listed.
pub(crate) fn load(
    dir: &Path,
    current_label: &str,
    current: &CurrentRun,
    window: usize,
) -> Result<Loaded, Error> {
    use rayon::prelude::*;
    let mut folder = Folder { path: dir.display().to_string(), ..Folder::default() };
    if !dir.exists() {
        return Ok(Loaded { past: Vec::new(), folder });
    }
    folder.exists = true;
    if !dir.is_dir() {
        return Err(Error::Usage(format!("--history: `{}` is not a folder", dir.display())));
    }
    let candidates = list_candidates(dir, &mut folder)?;

    // Headers first (cheap: a Parquet footer), to order the records and pick the window.
    let metas: Vec<Result<RecordMeta, SkippedRecord>> = candidates.par_iter().map(read_meta).collect();
    let mut records = Vec::new();
    for m in metas {
        match m {
            Ok(m) => records.push(m),
            Err(s) => folder.skipped.push(s),
        }
    }
    folder.records = records.len();
    sort_records(&mut records);
    let kept = one_per_label(records, current_label, &mut folder);
    let first = kept.len().saturating_sub(window.saturating_sub(1));
    let chosen = &kept[first..];
    let read: Vec<Result<PastRun, SkippedRecord>> = chosen.par_iter().map(|m| read_run(m, current)).collect();
    let mut past = Vec::new();
    for r in read {
        match r {
            Ok(run) => past.push(run),
            Err(s) => folder.skipped.push(s),
        }
    }
    if let Some(prev) = past.last_mut()
        && let Err(reason) = previous_details(prev, current)
    {
        folder.skipped.push(SkippedRecord { file: prev.file.clone(), reason });
        past.pop();
    }
    folder.skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(Loaded { past, folder })
}

/// The folder's files that may be records, in name order; the others are listed as skipped.
///
/// # Errors
/// The folder, or an entry of it, cannot be read: a run left out in silence would change
/// every trend.
fn list_candidates(dir: &Path, folder: &mut Folder) -> Result<Vec<Candidate>, Error> {
    let cannot = |e: std::io::Error| {
        Error::Usage(format!(
            "--history: cannot list `{}`: {}",
            dir.display(),
            crate::load::manifest::io_reason(&e)
        ))
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .and_then(|entries| entries.map(|e| e.map(|e| e.path())).collect())
        .map_err(cannot)?;
    paths.sort();
    let mut candidates = Vec::new();
    for p in paths {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // Hidden files (.gitkeep, .DS_Store) are no one's records.
        if name.starts_with('.') {
            continue;
        }
        let skip = |reason: &str| SkippedRecord { file: p.display().to_string(), reason: reason.into() };
        let lower = name.to_ascii_lowercase();
        if p.is_dir() {
            folder.skipped.push(skip("a folder: records are not looked for in subfolders"));
        } else if lower.ends_with(".parquet") {
            candidates.push(Candidate::Record(p));
        } else if lower.ends_with(".json") {
            candidates.push(Candidate::Ctrf(p));
        } else {
            folder.skipped.push(skip(
                "not a run record: expected a gen-report record (.parquet) or a CTRF report (.json)",
            ));
        }
    }
    Ok(candidates)
}

/// Sorted records with one per label (the newest file of a label wins) and none with this run's
/// label (this run replaces it); the others are listed as skipped, with the reason.
fn one_per_label(records: Vec<RecordMeta>, current_label: &str, folder: &mut Folder) -> Vec<RecordMeta> {
    let mut kept: Vec<RecordMeta> = Vec::new();
    for r in records {
        if r.info.label == current_label {
            folder.skipped.push(SkippedRecord {
                file: r.file.clone(),
                reason: format!("has this run's label `{current_label}`: this run replaces it"),
            });
            continue;
        }
        if let Some(last) = kept.last()
            && last.info.label == r.info.label
        {
            let older = kept.pop().map(|m| m.file).unwrap_or_default();
            folder.skipped.push(SkippedRecord {
                file: older,
                reason: format!(
                    "has the same label `{}` as `{}`, which is used instead",
                    r.info.label, r.file
                ),
            });
        }
        kept.push(r);
    }
    kept
}

fn read_meta(c: &Candidate) -> Result<RecordMeta, SkippedRecord> {
    match c {
        Candidate::Record(p) => {
            let skip = |reason: String| SkippedRecord { file: p.display().to_string(), reason };
            let opened = open_record(p).map_err(skip)?;
            Ok(RecordMeta { info: opened.header.info, file: p.display().to_string() })
        }
        Candidate::Ctrf(p) => ctrf_meta(p),
    }
}

/// Runs `f`, turning a panic of the Parquet reader on a hostile file into a skipped record:
/// whatever a file in the folder holds, the report goes on. [`vet`] checks what the reader
/// would trust before it runs, so this is a last resort; it prints nothing (the panic hook
/// stays quiet on a thread inside it) and the record is named with the reason.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    use std::cell::Cell;
    thread_local!(static QUIET: Cell<bool> = const { Cell::new(false) });
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET.with(|q| q.replace(true));
    let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was));
    out.unwrap_or_else(|_| Err("the Parquet reader could not make sense of it (corrupt file)".into()))
}

/// An open record: its checked footer, its header, and what it may still cost to read.
struct Opened {
    reader: SerializedFileReader<File>,
    header: Header,
    footer: vet::Footer,
    file: File,
    budget: u64,
}

/// Opens a record and checks its footer (see [`vet`]) and its header.
fn open_record(p: &Path) -> Result<Opened, String> {
    let Ok((mut file, meta)) = crate::load::open_regular(p)
        .map_err(|e| format!("cannot read: {}", crate::load::manifest::io_reason(&e)))?
    else {
        return Err("not a regular file".into());
    };
    let footer = vet::footer(&mut file, meta.len())?;
    let mine =
        file.try_clone().map_err(|e| format!("cannot read: {}", crate::load::manifest::io_reason(&e)))?;
    let (reader, header) = guarded(|| {
        let reader = SerializedFileReader::new(mine)
            .map_err(|e| format!("not a readable Parquet file (corrupt or truncated?): {e}"))?;
        if reader.num_row_groups() != footer.groups.len() {
            return Err("not a readable Parquet file (its row groups disagree)".into());
        }
        let kv = reader.metadata().file_metadata().key_value_metadata();
        let Some(text) =
            kv.and_then(|kv| kv.iter().find(|k| k.key == META_KEY)).and_then(|k| k.value.clone())
        else {
            return Err(format!(
                "a Parquet file, but not a gen-report run record (no `{META_KEY}` metadata)"
            ));
        };
        let version = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("version").and_then(serde_json::Value::as_u64));
        match version {
            Some(v) if v > u64::from(RECORD_VERSION) => {
                return Err(format!(
                    "record version {v}, written by a newer gen-report (this one reads version {RECORD_VERSION})"
                ));
            }
            Some(0) | None => return Err("its header has no valid record version".into()),
            _ => {}
        }
        let header: Header = serde_json::from_str(&text)
            .map_err(|e| format!("its header is not a valid record header: {e}"))?;
        if header.format != FORMAT_NAME {
            return Err(format!("its header names the format `{}`, not `{FORMAT_NAME}`", header.format));
        }
        if header.info.label.trim().is_empty() {
            return Err("its header has an empty label".into());
        }
        Ok((reader, header))
    })?;
    Ok(Opened { reader, header, footer, file, budget: vet::MAX_FILE_BYTES })
}

/// Rows read at a time: what a column costs in memory, whatever the file declares.
const BATCH: usize = 4096;

/// Physical types a record's columns have.
trait Typed: parquet::data_type::DataType + Sized {
    const WHAT: &'static str;
    fn take(r: ColumnReader) -> Option<ColumnReaderImpl<Self>>;
}

macro_rules! typed {
    ($t:ty, $variant:ident, $what:literal) => {
        impl Typed for $t {
            const WHAT: &'static str = $what;
            fn take(r: ColumnReader) -> Option<ColumnReaderImpl<Self>> {
                match r {
                    ColumnReader::$variant(r) => Some(r),
                    _ => None,
                }
            }
        }
    };
}
typed!(Int64Type, Int64ColumnReader, "INT64");
typed!(BoolType, BoolColumnReader, "BOOLEAN");
typed!(ByteArrayType, ByteArrayColumnReader, "string");

/// One column of one row group, read [`BATCH`] rows at a time; nullable columns (other
/// writers make every column nullable) are read with their definition levels.
struct Col<T: Typed> {
    r: ColumnReaderImpl<T>,
    name: &'static str,
    nullable: bool,
    values: Vec<T::T>,
    defs: Vec<i16>,
}

impl<T: Typed> Col<T> {
    /// Reads the next `n` rows into `values` (and `defs` if nullable).
    fn next(&mut self, n: usize) -> Result<(), String> {
        self.values.clear();
        self.defs.clear();
        let mut got = 0;
        while got < n {
            let defs = if self.nullable { Some(&mut self.defs) } else { None };
            let (records, _, _) = self
                .r
                .read_records(n - got, defs, None, &mut self.values)
                .map_err(|e| format!("column `{}`: corrupt: {e}", self.name))?;
            if records == 0 {
                return Err(format!("column `{}` ends before its row group does (truncated?)", self.name));
            }
            got += records;
        }
        Ok(())
    }

    /// The next `n` values, none of which may be null.
    fn required(&mut self, n: usize) -> Result<&[T::T], String> {
        self.next(n)?;
        if self.values.len() != n {
            return Err(format!("column `{}` has nulls: a run record's has none", self.name));
        }
        Ok(&self.values)
    }

    /// The next `n` values, `None` where null.
    fn optional(&mut self, n: usize) -> Result<Vec<Option<&T::T>>, String> {
        self.next(n)?;
        if !self.nullable {
            return Ok(self.values.iter().map(Some).collect());
        }
        let mut values = self.values.iter();
        let out: Vec<Option<&T::T>> =
            self.defs.iter().map(|&d| if d > 0 { values.next() } else { None }).collect();
        if out.len() != n || values.next().is_some() {
            return Err(format!("column `{}`: its levels and values disagree (corrupt?)", self.name));
        }
        Ok(out)
    }
}

impl Opened {
    /// Checks column `c` of row group `g` (see [`vet::chunk`]) and opens it.
    fn col<T: Typed>(&mut self, g: usize, c: usize, name: &'static str) -> Result<Col<T>, String> {
        let chunk =
            self.footer.groups.get(g).and_then(|(_, cs)| cs.get(c)).ok_or("corrupt: a missing column")?;
        vet::chunk(&mut self.file, chunk, name, &mut self.budget)?;
        let schema = self.reader.metadata().file_metadata().schema_descr();
        let nullable = schema.column(c).max_def_level() > 0;
        let r = guarded(|| {
            self.reader
                .get_row_group(g)
                .and_then(|g| g.get_column_reader(c))
                .map_err(|e| format!("corrupt: {e}"))
        })?;
        let r = T::take(r).ok_or_else(|| format!("column `{name}`: expected {} values", T::WHAT))?;
        Ok(Col { r, name, nullable, values: Vec::new(), defs: Vec::new() })
    }

    fn find(&self, name: &str) -> Result<usize, String> {
        let schema = self.reader.metadata().file_metadata().schema_descr();
        schema.columns().iter().position(|c| c.name() == name).ok_or(format!("it has no `{name}` column"))
    }

    fn rows(&self, g: usize) -> Result<usize, String> {
        let n = self.footer.groups.get(g).map_or(0, |(n, _)| *n);
        usize::try_from(n).map_err(|_| "corrupt: a row count beyond memory".into())
    }
}

/// Text of a string value, cut to [`vet::MAX_VALUE_BYTES`].
fn text(b: &ByteArray) -> String {
    let d = b.data();
    if d.len() <= vet::MAX_VALUE_BYTES {
        return String::from_utf8_lossy(d).into_owned();
    }
    let mut s = String::from_utf8_lossy(&d[..vet::MAX_VALUE_BYTES]).into_owned();
    s.push('…');
    s
}

/// Reads one record as `--history` reads the previous run (header, rows, the names of up to
/// [`LIST_KEPT`] removed tests), against a run of no tests: the record reader's fuzz entry
/// (fuzz/fuzz_targets/record.rs). Returns the rows read, or why the record would be skipped.
///
/// # Errors
/// The reason the record would be skipped.
#[doc(hidden)]
pub fn read_one(path: &Path) -> Result<u64, String> {
    let current = CurrentRun::default();
    let mut op = open_record(path)?;
    let mut run = guarded(|| read_rows(&mut op, path.display().to_string(), &current))?;
    previous_details(&mut run, &current)?;
    Ok(run.removed_total)
}

/// Reads the rows of one earlier run, mapped onto this run's tests, and checks them against
/// the header's totals: a record that disagrees with itself is not used.
fn read_run(m: &RecordMeta, current: &CurrentRun) -> Result<PastRun, SkippedRecord> {
    let path = Path::new(&m.file);
    let skip = |reason: String| SkippedRecord { file: m.file.clone(), reason };
    if m.file.to_ascii_lowercase().ends_with(".json") {
        return read_ctrf_run(path, m, current);
    }
    let mut op = open_record(path).map_err(skip)?;
    guarded(|| read_rows(&mut op, m.file.clone(), current)).map_err(skip)
}

fn read_rows(op: &mut Opened, file: String, current: &CurrentRun) -> Result<PastRun, String> {
    let (c_id, c_outcome, c_flaky, c_duration) =
        (op.find("id")?, op.find("outcome")?, op.find("flaky")?, op.find("duration_ms")?);
    let header = op.header.clone();
    let mut run = PastRun::new(header.info.clone(), file, current.len());
    let mut counted = RunTotals::default();
    let mut rows = 0u64;
    let mut previous = None;
    let (mut check, mut xor) = (Check::default(), 0u64);
    for g in 0..op.footer.groups.len() {
        let n = op.rows(g)?;
        // A group of one outcome (gen-report writes one per outcome) says so in its statistics;
        // other writers' groups are read row by row.
        let uniform = op.reader.metadata().row_group(g).column(c_outcome).statistics().and_then(|st| {
            let (min, max) = (st.min_bytes_opt()?, st.max_bytes_opt()?);
            (min == max && st.null_count_opt().unwrap_or(0) == 0).then(|| outcome_of(min)).flatten()
        });
        let mut ids = op.col::<Int64Type>(g, c_id, "id")?;
        let plain = plain_of(op, g, n)?;
        let mut durations = op.col::<Int64Type>(g, c_duration, "duration_ms")?;
        let mut flaky = op.col::<BoolType>(g, c_flaky, "flaky")?;
        let mut outcomes = match uniform {
            Some(_) => None,
            None => Some(op.col::<ByteArrayType>(g, c_outcome, "outcome")?),
        };
        let mut done = 0;
        while done < n {
            let k = BATCH.min(n - done);
            let (ids, durations, flaky) = (ids.required(k)?, durations.required(k)?, flaky.required(k)?);
            let names = match &mut outcomes {
                Some(o) => Some(o.required(k)?),
                None => None,
            };
            for i in 0..k {
                let outcome = match (uniform, names) {
                    (Some(o), _) => o,
                    (None, Some(names)) => {
                        let raw = names[i].data();
                        outcome_of(raw).ok_or_else(|| {
                            format!(
                                "row {}: outcome `{}` is not passed, failed, error or skipped",
                                rows + (done + i) as u64 + 1,
                                text(&names[i])
                            )
                        })?
                    }
                    (None, None) => unreachable!("outcomes are read when not uniform"),
                };
                let state = State::of(outcome, flaky[i]);
                tally(&mut counted, state, flaky[i]);
                let ms = u64::try_from(durations[i]).unwrap_or(0);
                check.add(&mut xor, ids[i] as u64, ms);
                let found = match &plain {
                    Some(p) => current.index_plain(p[done + i]),
                    None => current.index_after(ids[i] as u64, previous),
                };
                previous = found.or(previous);
                run.add(found, state, ms);
            }
            done += k;
        }
        rows += n as u64;
    }
    check_totals(&header.info, header.rows, rows, &counted)?;
    check.ids = format!("{xor:016x}");
    if let Some(stated) = &header.check
        && *stated != check
    {
        return Err("its rows do not match its header's check sums (damaged?): not used".into());
    }
    Ok(run)
}

/// The previous run's tests that this run lacks (named, the first [`LIST_KEPT`]; counted once
/// per identity) and each matched test's category then: what "test changes" compares. Only
/// this one record's `id` and `category` columns are read whole; the name columns only in the
/// row groups holding one of the tests listed, and only those rows are kept.
fn previous_details(run: &mut PastRun, current: &CurrentRun) -> Result<(), String> {
    if run.file.to_ascii_lowercase().ends_with(".json") {
        // CTRF: names were kept while reading (see `CtrfSink`); no categories.
        return Ok(());
    }
    let mut op = open_record(Path::new(&run.file))?;
    guarded(|| {
        let c_id = op.find("id")?;
        let c_category = op.find("category")?;
        let names = [op.find("file")?, op.find("suite")?, op.find("classname")?, op.find("name")?];
        let mut gone = std::collections::HashSet::new();
        let mut categories = vec![None; current.len()];
        let mut previous = None;
        // (row group, row in it) of each test to list.
        let mut wanted: Vec<(usize, usize)> = Vec::new();
        for g in 0..op.footer.groups.len() {
            let n = op.rows(g)?;
            let mut ids = op.col::<Int64Type>(g, c_id, "id")?;
            let plain = plain_of(&mut op, g, n)?;
            let mut category = op.col::<ByteArrayType>(g, c_category, "category")?;
            let mut done = 0;
            while done < n {
                let k = BATCH.min(n - done);
                let ids = ids.required(k)?;
                let category = category.optional(k)?;
                for (i, &id) in ids.iter().enumerate() {
                    // A removed test is still counted once per stored `id` (version 1's too).
                    let found = match &plain {
                        Some(p) => current.index_plain(p[done + i]),
                        None => current.index_after(id as u64, previous),
                    };
                    previous = found.or(previous);
                    if let Some(t) = found {
                        if let Some(slot) = categories.get_mut(t) {
                            *slot = category[i].map(text);
                        }
                        continue;
                    }
                    if gone.insert(id) && wanted.len() < LIST_KEPT {
                        wanted.push((g, done + i));
                    }
                }
                done += k;
            }
        }
        let mut at = 0;
        while at < wanted.len() {
            let g = wanted[at].0;
            let rows: Vec<usize> = wanted[at..].iter().take_while(|w| w.0 == g).map(|w| w.1).collect();
            at += rows.len();
            let mut cols = [
                op.col::<ByteArrayType>(g, names[0], "file")?,
                op.col::<ByteArrayType>(g, names[1], "suite")?,
                op.col::<ByteArrayType>(g, names[2], "classname")?,
                op.col::<ByteArrayType>(g, names[3], "name")?,
            ];
            let (n, mut done, mut next) = (op.rows(g)?, 0, rows.iter().peekable());
            while done < n && next.peek().is_some() {
                let k = BATCH.min(n - done);
                let mut batch: Vec<Vec<Option<String>>> = Vec::with_capacity(4);
                for c in &mut cols {
                    let values = c.optional(k)?;
                    batch.push(values.into_iter().map(|v| v.map(text)).collect());
                }
                while let Some(&&row) = next.peek() {
                    if row >= done + k {
                        break;
                    }
                    next.next();
                    let pick = |c: usize| batch[c][row - done].clone().unwrap_or_default();
                    let classname = Some(pick(2)).filter(|c| !c.is_empty());
                    run.removed.push(TestRef { name: pick(3), suite: pick(1), classname, file: pick(0) });
                }
                done += k;
            }
        }
        run.removed_total = gone.len() as u64;
        run.categories = categories;
        Ok(())
    })
}

/// For a version-1 record (whose `id` hashed the results path), the [`test_id`] of each row of
/// group `g` from its suite, classname and name columns; `None` for later versions.
fn plain_of(op: &mut Opened, g: usize, n: usize) -> Result<Option<Vec<u64>>, String> {
    if op.header.version >= 2 {
        return Ok(None);
    }
    let (cs, cc, cn) = (op.find("suite")?, op.find("classname")?, op.find("name")?);
    let mut cols = [
        op.col::<ByteArrayType>(g, cs, "suite")?,
        op.col::<ByteArrayType>(g, cc, "classname")?,
        op.col::<ByteArrayType>(g, cn, "name")?,
    ];
    let mut out = Vec::with_capacity(n.min(BATCH * 16));
    let mut done = 0;
    while done < n {
        let k = BATCH.min(n - done);
        let mut batch: Vec<Vec<String>> = Vec::with_capacity(3);
        for c in &mut cols {
            batch.push(c.required(k)?.iter().map(text).collect());
        }
        out.extend((0..k).map(|i| test_id(&batch[0][i], &batch[1][i], &batch[2][i])));
        done += k;
    }
    Ok(Some(out))
}

fn tally(t: &mut RunTotals, s: State, flaky: bool) {
    t.tests += 1;
    match s {
        State::Passed | State::Flaky => t.passed += 1,
        State::Failed => t.failures += 1,
        State::Error => t.errors += 1,
        State::Skipped | State::Absent => t.skipped += 1,
    }
    t.flaky += u64::from(flaky && s.passing());
}

/// A record's rows must add up to the totals its header states (the report's figures).
fn check_totals(info: &RunInfo, declared_rows: u64, rows: u64, counted: &RunTotals) -> Result<(), String> {
    if rows != declared_rows {
        return Err(format!(
            "its header says {declared_rows} rows, the file has {rows} (truncated or edited?)"
        ));
    }
    let Some(t) = info.totals else {
        return if rows == 0 { Ok(()) } else { Err(format!("{rows} rows, but its header has no totals")) };
    };
    let pairs = [
        ("tests", t.tests, counted.tests),
        ("passed", t.passed, counted.passed),
        ("failures", t.failures, counted.failures),
        ("errors", t.errors, counted.errors),
        ("skipped", t.skipped, counted.skipped),
    ];
    for (what, stated, rows) in pairs {
        if stated != rows {
            return Err(format!("its header says {what} = {stated}, its rows count {rows}: not used"));
        }
    }
    Ok(())
}

// ---- CTRF reports as records -------------------------------------------------------------

#[derive(Deserialize)]
struct CtrfDoc {
    results: CtrfResults,
}

#[derive(Deserialize)]
struct CtrfResults {
    #[serde(default)]
    summary: Option<CtrfSummary>,
    #[serde(default)]
    environment: Option<CtrfEnvironment>,
    // Required (a gen-report JSON model has `results` too, but no `tests`), parsed past without
    // being kept: only the header is wanted here.
    #[allow(dead_code)]
    tests: serde::de::IgnoredAny,
}

#[derive(Deserialize)]
struct CtrfSummary {
    #[serde(default)]
    start: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CtrfEnvironment {
    #[serde(default)]
    build_number: Option<serde_json::Value>,
    #[serde(default)]
    build_name: Option<String>,
    #[serde(default)]
    report_name: Option<String>,
    #[serde(default)]
    commit: Option<String>,
}

/// A CTRF report's label (its `environment.buildNumber`, else `buildName`, `reportName`, else
/// the file name without extension) and time (`summary.start`, in milliseconds).
fn ctrf_meta(p: &Path) -> Result<RecordMeta, SkippedRecord> {
    let skip = |reason: String| SkippedRecord { file: p.display().to_string(), reason };
    let opened = crate::load::open_regular(p)
        .map_err(|e| skip(format!("cannot read: {}", crate::load::manifest::io_reason(&e))))?;
    let file = match opened {
        Ok((file, meta)) if meta.len() <= MAX_RECORD_BYTES => file,
        _ => return Err(skip("not a regular file of a sensible size".into())),
    };
    let doc: CtrfDoc = serde_json::from_reader(std::io::BufReader::new(file)).map_err(|e| {
        skip(format!(
            "not a CTRF report (expected {{\"results\": {{\"tests\": [...]}}}}): {e}; a gen-report record is a .parquet file"
        ))
    })?;
    let env = doc.results.environment;
    let from_env = env.as_ref().and_then(|e| {
        let number = e.build_number.as_ref().and_then(|v| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        });
        number.or_else(|| e.build_name.clone()).or_else(|| e.report_name.clone())
    });
    let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let label = from_env.filter(|l| !l.trim().is_empty()).unwrap_or(stem);
    let timestamp = doc
        .results
        .summary
        .and_then(|s| s.start)
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(|ms| (ms / 1000.0) as i64);
    let date = timestamp
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|d| d.date_naive().format("%Y-%m-%d").to_string());
    let info = RunInfo { label, date, timestamp, commit: env.and_then(|e| e.commit), ..RunInfo::default() };
    Ok(RecordMeta { info, file: p.display().to_string() })
}

/// Maps a CTRF report's tests onto this run's by suite and name: CTRF says neither which
/// results file a test came from nor its class (a suite and name that two tests of this run
/// share is not matched).
struct CtrfSink<'a> {
    current: &'a CurrentRun<'a>,
    run: PastRun,
    counted: RunTotals,
}

impl CaseSink for CtrfSink<'_> {
    fn case(&mut self, case: TestCase) {
        let state = State::of(case.outcome, case.flaky);
        tally(&mut self.counted, state, case.flaky);
        self.counted.duration_s += if case.duration_s.is_finite() { case.duration_s.max(0.0) } else { 0.0 };
        let loose = loose_id(&case.suite, &case.name);
        let found = self.current.index_loose(loose);
        if found.is_none() {
            // Counted per case (CTRF names no file or class to tell two of one name apart).
            self.run.removed_total = self.run.removed_total.saturating_add(1);
            if self.run.removed.len() < LIST_KEPT {
                self.run.removed.push(TestRef {
                    name: case.name.clone(),
                    suite: case.suite.clone(),
                    classname: None,
                    file: String::new(),
                });
            }
        }
        self.run.add(found, state, millis(case.duration_s));
    }
    fn finding(&mut self, _finding: Finding) {}
}

fn read_ctrf_run(p: &Path, m: &RecordMeta, current: &CurrentRun) -> Result<PastRun, SkippedRecord> {
    let skip = |reason: String| SkippedRecord { file: m.file.clone(), reason };
    let mut sink = CtrfSink {
        current,
        run: PastRun::new(m.info.clone(), m.file.clone(), current.len()),
        counted: RunTotals::default(),
    };
    let summary = results::read_file(p, &mut sink).map_err(|e| skip(e.to_string()))?;
    if summary.format != results::Format::Ctrf {
        return Err(skip(format!("a {} file, not a CTRF report", summary.format)));
    }
    let mut run = sink.run;
    run.info.totals = Some(sink.counted);
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_parses() {
        assert!(parse_message_type(SCHEMA).is_ok());
    }
}
