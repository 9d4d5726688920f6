//! One big JUnit file on every core.
//!
//! A CI job usually writes one JUnit file, so reading files in parallel leaves one core busy.
//! Here the file is read in windows; in each window a pre-pass at `memchr` speed finds the
//! `<testcase` starts that lie outside comments, CDATA sections and processing instructions,
//! the window is cut at some of them into chunks, and the chunks are parsed in parallel. The
//! document's own reader ([`Parser`]) then takes the chunks in order: each test case comes
//! read to its end (the part of reading that needs nothing outside the case), and everything
//! between cases (suite tags, properties, suite-level failures...) is handed to it as the bytes
//! they are, so suites, declared totals, reruns, dialects and findings are worked out by the
//! very code and state the one-pass reader uses. Applying window *n* overlaps parsing window
//! *n + 1*.
//!
//! Why the result is the one-pass reader's, byte for byte:
//! - Between two events, quick-xml keeps only the stack of open names (end names are not
//!   checked, empty elements are not expanded), and uses it only to refuse an end tag with
//!   nothing open. Chunk readers let those through ([`configure_fragment`]); the document's
//!   parser, whose stack is the same, refuses them itself, which falls back. So a reader
//!   started at an event boundary sees the same events from there as one that read from the
//!   start. A chunk starts at a `<testcase` outside comments,
//!   CDATA and PIs; if that is not an event boundary after all (it sat in an attribute value,
//!   which the reader refuses anyway), the chunk before it ends inside a tag, which is an
//!   error there, and an error anywhere falls back (below). So chunks that parse cleanly give
//!   exactly the one-pass reader's events.
//! - Inside a test case, reading depends only on the case's own elements; what depends on the
//!   outside (the parent being a suite, the nesting limit, the innermost suite's name, file and
//!   `go.version` property, the dialect) is checked or done when the case is applied, by the
//!   one-pass reader's code ([`Parser::finish_case`]).
//! - Anything unusual falls back to the one-pass reader: a DOCTYPE, a construct the pre-pass
//!   cannot place, a malformed chunk, a case whose parent is not a suite, a case too deep, a
//!   window that grows past its bound, and every error (so errors and their positions are the
//!   one-pass reader's). The fallback re-reads the file from its start and passes on only what
//!   was not yet handed to the sink: what was handed on is a prefix of what it hands on.
//!
//! `tests/it/junit_split.rs`-style equality is checked by the unit tests below over every XML file
//! in `tests/` and over generated documents with `<testcase` inside CDATA, comments and PIs.

use std::io::{BufRead, Read};
use std::ops::Range;
use std::path::Path;

use memchr::memmem;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::{Kind, MAX_DEPTH, Parser, Pending, SuiteFrame, UTF8_BOM};
use super::{configure, read, skip_bom};
use crate::results::locate::Locator;
use crate::results::{CaseSink, Finding, ResultsError, TestCase};

/// Files of at least this many bytes are split. Below it the one-pass reader takes under
/// ~40 ms, and a folder of smaller files is already read on every core, a file per task.
pub(crate) const SPLIT_MIN_BYTES: u64 = 16 << 20;

/// How a document is cut (the unit tests cut tiny documents between every case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Params {
    /// Bytes read per window.
    pub(crate) window: usize,
    /// A window that holds no place to cut grows up to this, then the file is read in one pass.
    pub(crate) max_window: usize,
    /// Chunks per window: a few per core, so a slow chunk does not leave a core idle.
    pub(crate) chunks: usize,
}

impl Params {
    /// The cut used for files: 1 MiB windows (two in flight: memory stays flat), two chunks
    /// per core. On 2 cores, 256 KiB to 4 MiB windows took the same time on a 1M-case file;
    /// 4 MiB kept 55 MiB resident, 1 MiB 35 MiB.
    pub(crate) fn for_files() -> Self {
        let threads = rayon::current_num_threads().max(1);
        Params { window: 1 << 20, max_window: 64 << 20, chunks: threads.saturating_mul(2) }
    }
}

/// Whether a JUnit file of `len` bytes is worth splitting here.
pub(crate) fn worth_splitting(len: u64) -> bool {
    len >= SPLIT_MIN_BYTES && rayon::current_num_threads() > 1
}

/// What happened, for tests: whether the split reading went through or fell back.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stats {
    pub(crate) fell_back: bool,
    /// Why it fell back.
    pub(crate) reason: Option<&'static str>,
    pub(crate) chunks: usize,
}

/// Reads the JUnit document `src` as [`read`] does, on every core. `reopen` gives the document
/// again from its start, for the fallback.
pub(crate) fn read_split<R, B, F>(
    src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut Locator<'_>,
    reopen: F,
    params: Params,
    stats: &mut Stats,
) -> Result<u64, ResultsError>
where
    R: BufRead,
    B: BufRead,
    F: FnOnce() -> std::io::Result<B>,
{
    let mut counting = Counting { inner: sink, cases: 0, findings: 0 };
    let result = split_pass(src, path, &mut counting, locator, params, stats);
    let (cases, findings) = (counting.cases, counting.findings);
    let why = match result {
        Ok(n) => return Ok(n),
        Err(Fallback(why)) => why,
    };
    stats.fell_back = true;
    stats.reason = Some(why);
    let src = reopen().map_err(|e| ResultsError::io(path, e))?;
    let mut skip = Skip { inner: counting.inner, cases, findings };
    read(src, path, &mut skip, locator)
}

/// The split reading; `Err` means: fall back.
fn split_pass<R: BufRead>(
    mut src: R,
    path: &Path,
    sink: &mut dyn CaseSink,
    locator: &mut Locator<'_>,
    params: Params,
    stats: &mut Stats,
) -> Result<u64, Fallback> {
    let base = skip_bom(&mut src).map_err(|_| Fallback("read error"))?;
    let mut parser = Parser::new(path, sink, locator, base);
    let end = windows(&mut parser, &mut src, path, params, stats)?;
    parser.finish(end).map_err(|_| Fallback("error at the end"))
}

/// Reads, cuts, parses and applies window after window; returns the document's length.
fn windows<R: Read>(
    parser: &mut Parser<'_, '_, '_, '_>,
    src: &mut R,
    path: &Path,
    params: Params,
    stats: &mut Stats,
) -> Result<u64, Fallback> {
    let mut cur: Vec<u8> = Vec::with_capacity(params.window);
    let mut next: Vec<u8> = Vec::with_capacity(params.window);
    let mut eof = fill(src, &mut cur, params.window)?;
    let mut planned = plan(&cur, eof, params.chunks)?;
    // Document offset of `cur[0]`.
    let mut pos: u64 = 0;
    let mut parsed: Option<Vec<Option<ChunkOut>>> = None;
    loop {
        let ranges = match planned.take() {
            Some(r) => r,
            None => grow(src, &mut cur, &mut eof, params)?,
        };
        let cut = ranges.last().map_or(0, |r| r.end);
        stats.chunks = stats.chunks.saturating_add(ranges.len());
        let last = eof && cut == cur.len();
        let mut outs: Vec<Option<ChunkOut>> = ranges.iter().map(|_| None).collect();
        let mut applied = Ok(());
        let (mut next_eof, mut next_plan) = (Ok(true), Ok(None));
        rayon::in_place_scope(|s| {
            for (r, slot) in ranges.iter().zip(outs.iter_mut()) {
                let bytes = &cur[r.clone()];
                let at = pos.saturating_add(r.start as u64);
                s.spawn(move |_| *slot = Some(parse_chunk(bytes, at, path)));
            }
            // Meanwhile, on this thread: the previous window's chunks, then the next window.
            if let Some(prev) = parsed.take() {
                applied = apply_all(parser, prev);
            }
            if !last {
                next.clear();
                next.extend_from_slice(&cur[cut..]);
                next_eof = fill(src, &mut next, params.window);
                if let Ok(e) = next_eof {
                    next_plan = plan(&next, e, params.chunks);
                }
            }
        });
        applied?;
        if last {
            apply_all(parser, outs)?;
            return Ok(pos.saturating_add(cur.len() as u64));
        }
        parsed = Some(outs);
        pos = pos.saturating_add(cut as u64);
        std::mem::swap(&mut cur, &mut next);
        eof = next_eof?;
        planned = next_plan?;
    }
}

/// Reads more into a window that holds no place to cut, until it does (or is too big).
fn grow<R: Read>(
    src: &mut R,
    cur: &mut Vec<u8>,
    eof: &mut bool,
    params: Params,
) -> Result<Vec<Range<usize>>, Fallback> {
    loop {
        if cur.len() >= params.max_window {
            return Err(Fallback("no place to cut"));
        }
        let grown = cur.len().saturating_mul(2).max(params.window).max(1);
        *eof = fill(src, cur, grown)?;
        if let Some(r) = plan(cur, *eof, params.chunks)? {
            return Ok(r);
        }
    }
}

/// The split reading cannot vouch for the document: it is read in one pass instead.
#[derive(Debug)]
struct Fallback(&'static str);

/// Reads until `buf` holds `target` bytes; true at the end of the input.
fn fill<R: Read>(src: &mut R, buf: &mut Vec<u8>, target: usize) -> Result<bool, Fallback> {
    let want = target.saturating_sub(buf.len());
    let got = src.by_ref().take(want as u64).read_to_end(buf).map_err(|_| Fallback("read error"))?;
    Ok(got < want)
}

/// Where to cut `buf`: up to `chunks` ranges, each from a safe `<testcase` start (or the start
/// of `buf`) to the next; `None` when `buf` holds no place to cut yet (read more).
fn plan(buf: &[u8], eof: bool, chunks: usize) -> Result<Option<Vec<Range<usize>>>, Fallback> {
    let starts = safe_starts(buf, eof)?;
    let cut = if eof {
        buf.len()
    } else {
        match starts.last() {
            Some(&c) => c,
            None => return Ok(None),
        }
    };
    let chunks = chunks.max(1);
    let mut ranges = Vec::with_capacity(chunks);
    let mut from: usize = 0;
    for j in 1..chunks {
        // The first safe start at or after the j-th equal share.
        let share = cut.checked_div(chunks).unwrap_or(cut).saturating_mul(j);
        let i = starts.partition_point(|&p| p < share.max(from.saturating_add(1)));
        match starts.get(i) {
            Some(&b) if b < cut => {
                ranges.push(from..b);
                from = b;
            }
            _ => break,
        }
    }
    ranges.push(from..cut);
    Ok(Some(ranges))
}

/// The `<testcase` starts in `buf` (after its first byte) that are outside comments, CDATA
/// sections and processing instructions: the places a chunk may start. Scanning stops at a
/// construct that `buf` does not hold whole (the next window starts before it); a DOCTYPE or
/// any other `<!` falls back.
fn safe_starts(buf: &[u8], eof: bool) -> Result<Vec<usize>, Fallback> {
    const CASE: &[u8] = b"<testcase";
    let case = memmem::Finder::new(CASE);
    let mut out = Vec::new();
    let mut i = 1;
    // The next `<!` or `<?` at or after `i` (recomputed once passed).
    let mut special = find_special(buf, 0);
    while let Some(c) = case.find(buf.get(i..).unwrap_or_default()).map(|c| c.saturating_add(i)) {
        while special.is_some_and(|s| s < c) {
            let Some(s) = special else { break };
            match skip_construct(buf, s, eof)? {
                Some(end) => {
                    i = end;
                    special = find_special(buf, i);
                }
                None => return Ok(out),
            }
        }
        if i > c {
            // The candidate was inside the construct just skipped.
            continue;
        }
        let Some(&delim) = buf.get(c.saturating_add(CASE.len())) else {
            return Ok(out);
        };
        if matches!(delim, b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') {
            out.push(c);
        }
        i = c.saturating_add(CASE.len());
    }
    Ok(out)
}

/// The first `<!` or `<?` at or after `from`. One `memchr2` pass for `!` and `?` (rare in test
/// results) rather than one search per pair: this runs over every byte on the thread that puts
/// the chunks together.
fn find_special(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from.saturating_add(1);
    loop {
        let p = memchr::memchr2(b'!', b'?', buf.get(i..)?)?.saturating_add(i);
        // `p >= i > from`, so the `<` before it is at or after `from`.
        let lt = p.saturating_sub(1);
        if buf.get(lt) == Some(&b'<') {
            return Some(lt);
        }
        i = p.saturating_add(1);
    }
}

/// The end of the comment, CDATA section or PI starting at `s`; `None` when `buf` ends first.
fn skip_construct(buf: &[u8], s: usize, eof: bool) -> Result<Option<usize>, Fallback> {
    let rest = buf.get(s..).unwrap_or_default();
    let (open, close): (&[u8], &[u8]) = if rest.starts_with(b"<?") {
        (b"<?", b"?>")
    } else if rest.starts_with(b"<!--") {
        (b"<!--", b"-->")
    } else if rest.starts_with(b"<![CDATA[") {
        (b"<![CDATA[", b"]]>")
    } else if !eof && (b"<![CDATA[".starts_with(rest) || b"<!--".starts_with(rest)) {
        // Too short to tell yet.
        return Ok(None);
    } else {
        // A DOCTYPE (its internal subset may hold `<testcase` text) or something malformed.
        return Err(Fallback("DOCTYPE"));
    };
    let body = rest.get(open.len()..).unwrap_or_default();
    match memmem::find(body, close) {
        Some(e) => Ok(Some(s.saturating_add(open.len()).saturating_add(e).saturating_add(close.len()))),
        None if eof => Err(Fallback("unclosed construct")),
        None => Ok(None),
    }
}

/// One chunk, parsed: its test cases read to their end and the bytes between them.
struct ChunkOut {
    items: Vec<Item>,
    /// The bytes of the segments, one after the other.
    segments: Vec<u8>,
    /// The chunk did not parse cleanly on its own.
    failed: bool,
}

enum Item {
    Case {
        case: Pending,
        /// Elements open inside the case at its deepest start tag, the case itself excluded.
        depth: usize,
        /// The case holds a `go.version` property (which marks its suite).
        unique_names: bool,
    },
    /// Bytes between cases that are more than whitespace, comments and PIs: `at` is their
    /// document offset, `range` where they are in [`ChunkOut::segments`].
    Segment { at: u64, range: Range<usize> },
}

/// A sink for a fragment parser, which hands nothing on.
struct NoSink;

impl CaseSink for NoSink {
    fn case(&mut self, _: TestCase) {}
    fn finding(&mut self, _: Finding) {}
}

/// The one-pass reader's settings, for a reader that starts inside the document: an end tag
/// of an element opened before the start is let through (see the module's comment).
fn configure_fragment<R>(reader: &mut Reader<R>) {
    configure(reader);
    reader.config_mut().allow_unmatched_ends = true;
}

/// Parses one chunk starting at document offset `at0`.
fn parse_chunk(bytes: &[u8], at0: u64, path: &Path) -> ChunkOut {
    // About 250 bytes a case in real files: few regrowths of a vector of big items.
    let mut out =
        ChunkOut { items: Vec::with_capacity(bytes.len() / 256), segments: Vec::new(), failed: false };
    let mut sink = NoSink;
    let mut locator = Locator::bytes(&[]);
    let mut p = fragment_parser(path, &mut sink, &mut locator);
    let mut reader = Reader::from_reader(bytes);
    configure_fragment(&mut reader);
    let decoder = reader.decoder();
    let mut segment: Option<usize> = None;
    let mut depth = 0;
    loop {
        let at = reader.buffer_position() as usize;
        let Ok(event) = reader.read_event() else {
            out.failed = true;
            return out;
        };
        if p.stack.len() == 1 {
            // Between cases.
            let starts_case =
                matches!(&event, Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase");
            let ignorable = match &event {
                Event::Text(t) => t.iter().all(u8::is_ascii_whitespace),
                Event::Comment(_) | Event::PI(_) => true,
                _ => false,
            };
            if starts_case || matches!(event, Event::Eof) {
                if let Some(s) = segment.take() {
                    let start = out.segments.len();
                    out.segments.extend_from_slice(bytes.get(s..at).unwrap_or_default());
                    let range = start..out.segments.len();
                    out.items.push(Item::Segment { at: at0.saturating_add(s as u64), range });
                }
                if matches!(event, Event::Eof) {
                    return out;
                }
                depth = 0;
            } else {
                if !ignorable && segment.is_none() {
                    segment = Some(at);
                }
                continue;
            }
        }
        match &event {
            Event::Start(_) | Event::Empty(_) => depth = depth.max(p.stack.len().saturating_sub(1)),
            Event::Eof => {
                // The chunk ends inside a case.
                out.failed = true;
                return out;
            }
            _ => {}
        }
        if p.event(event, at as u64, decoder).is_err() {
            out.failed = true;
            return out;
        }
        if p.stack.len() == 1 {
            let done = p.fragment.as_mut().and_then(Vec::pop);
            let unique_names = p.suites.last_mut().is_some_and(|f| std::mem::take(&mut f.unique_names));
            match done {
                Some(case) => out.items.push(Item::Case { case, depth, unique_names }),
                None => {
                    out.failed = true;
                    return out;
                }
            }
        }
    }
}

/// A parser for the inside of test cases: as if directly inside a `<testsuite>` (the real
/// parent is checked when the case is applied).
fn fragment_parser<'p, 's, 'l, 'b>(
    path: &'p Path,
    sink: &'s mut dyn CaseSink,
    locator: &'l mut Locator<'b>,
) -> Parser<'p, 's, 'l, 'b> {
    let mut p = Parser::new(path, sink, locator, 0);
    p.fragment = Some(Vec::new());
    p.root_seen = true;
    p.names.extend_from_slice(b"testsuite");
    p.stack.push((0, Kind::Suite));
    p.suites.push(SuiteFrame::default());
    p
}

/// Applies parsed chunks in order.
fn apply_all(parser: &mut Parser<'_, '_, '_, '_>, outs: Vec<Option<ChunkOut>>) -> Result<(), Fallback> {
    for out in outs {
        let out = out.ok_or(Fallback("chunk not parsed"))?;
        if out.failed {
            return Err(Fallback("chunk does not parse on its own"));
        }
        for item in out.items {
            match item {
                Item::Case { case, depth, unique_names } => parser.apply_case(case, depth, unique_names)?,
                Item::Segment { at, range } => {
                    parser.apply_segment(out.segments.get(range).unwrap_or_default(), at)?
                }
            }
        }
    }
    Ok(())
}

impl Parser<'_, '_, '_, '_> {
    /// A case read by a chunk's parser, placed as the one-pass reader would have placed it.
    fn apply_case(&mut self, case: Pending, depth: usize, unique_names: bool) -> Result<(), Fallback> {
        // What `start` checks of a `<testcase>` that only the document's parser can tell.
        let in_suite = matches!(self.parent_kind(), Some(Kind::Suites | Kind::Suite));
        if self.root_done
            || !self.root_seen
            || !in_suite
            || self.stack.len().saturating_add(depth) >= MAX_DEPTH
        {
            return Err(Fallback("case out of place"));
        }
        if unique_names && let Some(frame) = self.suites.last_mut() {
            frame.unique_names = true;
        }
        self.finish_case(case);
        Ok(())
    }

    /// Bytes between cases, read as the one-pass reader reads them.
    fn apply_segment(&mut self, bytes: &[u8], at: u64) -> Result<(), Fallback> {
        // A fresh reader drops a leading BOM that the one-pass reader reads as text.
        if bytes.starts_with(UTF8_BOM) {
            return Err(Fallback("BOM"));
        }
        let mut reader = Reader::from_reader(bytes);
        configure_fragment(&mut reader);
        let decoder = reader.decoder();
        loop {
            let offset = at.saturating_add(reader.buffer_position());
            match reader.read_event() {
                Ok(Event::Eof) => return Ok(()),
                Ok(event) => {
                    self.event(event, offset, decoder).map_err(|_| Fallback("error between cases"))?
                }
                Err(_) => return Err(Fallback("error between cases")),
            }
        }
    }
}

/// Counts what is handed to the sink, so a fallback can skip it.
struct Counting<'s> {
    inner: &'s mut dyn CaseSink,
    cases: u64,
    findings: u64,
}

impl CaseSink for Counting<'_> {
    fn case(&mut self, case: TestCase) {
        self.cases = self.cases.saturating_add(1);
        self.inner.case(case);
    }
    fn finding(&mut self, finding: Finding) {
        self.findings = self.findings.saturating_add(1);
        self.inner.finding(finding);
    }
    fn stated_duration(&mut self, seconds: f64) {
        self.inner.stated_duration(seconds);
    }
}

/// Passes on what comes after the first `cases` cases and `findings` findings.
struct Skip<'s> {
    inner: &'s mut dyn CaseSink,
    cases: u64,
    findings: u64,
}

impl CaseSink for Skip<'_> {
    fn case(&mut self, case: TestCase) {
        match self.cases.checked_sub(1) {
            Some(left) => self.cases = left,
            None => self.inner.case(case),
        }
    }
    fn finding(&mut self, finding: Finding) {
        match self.findings.checked_sub(1) {
            Some(left) => self.findings = left,
            None => self.inner.finding(finding),
        }
    }
    fn stated_duration(&mut self, seconds: f64) {
        self.inner.stated_duration(seconds);
    }
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects, reason = "small numbers of a test generator")]
mod tests {
    use super::*;

    /// Everything a reader hands on, in order.
    #[derive(Debug, Default, PartialEq)]
    struct Record {
        cases: Vec<TestCase>,
        findings: Vec<Finding>,
        durations: Vec<f64>,
    }

    impl CaseSink for Record {
        fn case(&mut self, case: TestCase) {
            self.cases.push(case);
        }
        fn finding(&mut self, finding: Finding) {
            self.findings.push(finding);
        }
        fn stated_duration(&mut self, seconds: f64) {
            self.durations.push(seconds);
        }
    }

    type Outcome = (Result<u64, String>, Record);

    fn one_pass(doc: &[u8]) -> Outcome {
        let mut rec = Record::default();
        let mut loc = Locator::bytes(doc);
        let r = read(doc, Path::new("r.xml"), &mut rec, &mut loc).map_err(|e| e.to_string());
        (r, rec)
    }

    fn in_memory(doc: &[u8]) -> Outcome {
        let mut rec = Record::default();
        let mut loc = Locator::bytes(doc);
        let r =
            super::super::read_slice(doc, Path::new("r.xml"), &mut rec, &mut loc).map_err(|e| e.to_string());
        (r, rec)
    }

    fn split(doc: &[u8], params: Params) -> (Outcome, Stats) {
        let mut rec = Record::default();
        let mut loc = Locator::bytes(doc);
        let mut stats = Stats::default();
        let r = read_split(doc, Path::new("r.xml"), &mut rec, &mut loc, || Ok(doc), params, &mut stats)
            .map_err(|e| e.to_string());
        ((r, rec), stats)
    }

    /// Cuts from one chunk per window to a chunk per case, windows from tiny to whole.
    fn cuts() -> Vec<Params> {
        let mut v = Vec::new();
        for window in [1, 64, 300, 4096, 1 << 20] {
            for chunks in [1, 2, 3, 8, 1000] {
                v.push(Params { window, max_window: 1 << 30, chunks });
            }
        }
        v
    }

    /// The split reading gives exactly the one-pass result under every cut; returns the first
    /// cut that had to fall back.
    fn check_equal(name: &str, doc: &[u8]) -> Option<(Params, Option<&'static str>)> {
        let want = one_pass(doc);
        assert_eq!(in_memory(doc), want, "{name}: the slice reader differs from the stream reader");
        let mut fell_back = None;
        for params in cuts() {
            let (got, stats) = split(doc, params);
            assert_eq!(got, want, "{name}: split {params:?} differs from the one-pass reader");
            if stats.fell_back && fell_back.is_none() {
                fell_back = Some((params, stats.reason));
            }
        }
        fell_back
    }

    fn xml_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                xml_files(&p, out);
            } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
                out.push(p);
            }
        }
    }

    #[test]
    fn every_xml_file_in_the_tests_reads_the_same_split() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
        let mut files = Vec::new();
        xml_files(&root, &mut files);
        assert!(
            files.len() >= 100,
            "expected the XML fixtures and corpus under tests/, found {}",
            files.len()
        );
        let mut split_ok = 0;
        for f in &files {
            let doc = std::fs::read(f).unwrap();
            let fell_back = check_equal(&f.display().to_string(), &doc);
            let (result, _) = one_pass(&doc);
            let junit_ok = result.is_ok() && memmem::find(&doc, b"<!DOCTYPE").is_none();
            // A well-formed JUnit file without a DOCTYPE is always read split.
            assert!(!(junit_ok && fell_back.is_some()), "{}: fell back with {fell_back:?}", f.display());
            split_ok += usize::from(junit_ok);
        }
        assert!(split_ok >= 60, "only {split_ok} files were JUnit read without a fallback");
    }

    /// A small deterministic generator (xorshift), so the test needs no dependency.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len() as u64) as usize]
        }
    }

    /// Text that mentions `<testcase` where a blind split would cut.
    const TRAPS: &[&str] = &[
        "<!-- <testcase name=\"in a comment\"/> -->",
        "<?pi <testcase name=\"in a PI\"/> ?>",
        "<![CDATA[<testcase name=\"in CDATA\"><failure/></testcase>]]>",
        "<!-- a - b <testcase -->",
        "",
        "\n  ",
    ];

    fn case(g: &mut Gen, i: u64, suite_names: &mut Vec<String>) -> String {
        let name = if g.below(6) == 0 && !suite_names.is_empty() {
            suite_names[g.below(suite_names.len() as u64) as usize].clone()
        } else {
            format!("t{i} &amp; &lt;x&gt; &#233;")
        };
        suite_names.push(name.clone());
        let attrs = format!(
            "name=\"{name}\" classname=\"pkg.C{}\" time=\"0.{}\"{}{}",
            g.below(3),
            g.below(1000),
            if g.below(4) == 0 { " file=\"src/a.rs\" line=\"12\"" } else { "" },
            if g.below(20) == 0 { " status=\"disabled\"" } else { "" }
        );
        let body = match g.below(12) {
            0 => return format!("<testcase {attrs}/>"),
            1 => format!(
                "<failure message=\"boom &quot;x&quot;\" type=\"E\">line 1&#10;{}</failure>",
                g.pick(TRAPS)
            ),
            2 => "<error type=\"Crash\"/><system-out>out &lt;testcase name=&quot;x&quot;/&gt;</system-out>"
                .to_owned(),
            3 => "<skipped message=\"later\"/>".to_owned(),
            4 => "<flakyFailure message=\"first\"><![CDATA[<testcase]]></flakyFailure>".to_owned(),
            5 => "<rerunFailure/><failure/><system-err><![CDATA[</testcase><testcase>]]></system-err>"
                .to_owned(),
            6 => "<properties><property name=\"go.version\" value=\"1.22\"/></properties>".to_owned(),
            7 => format!("<failure>{}</failure><failure>second</failure>", g.pick(TRAPS)),
            _ => g.pick(TRAPS).to_owned(),
        };
        format!("<testcase {attrs}>{body}</testcase>")
    }

    fn suite(g: &mut Gen, depth: u32, next: &mut u64, index: &mut u64) -> String {
        let n = g.below(12);
        let mut names = Vec::new();
        let mut inner = String::new();
        for _ in 0..n {
            inner.push_str(g.pick(TRAPS));
            match g.below(14) {
                0 if depth < 3 => inner.push_str(&suite(g, depth + 1, next, index)),
                1 => inner.push_str("<failure message=\"suite setup failed\">trace</failure>"),
                2 => inner.push_str("<properties><property name=\"go.version\" value=\"go1\"/></properties>"),
                3 => inner.push_str("<system-out>suite output &amp; <![CDATA[<testcase>]]></system-out>"),
                _ => {
                    *next += 1;
                    inner.push_str(&case(g, *next, &mut names));
                }
            }
            inner.push('\n');
        }
        *index += 1;
        let declared = match g.below(4) {
            0 => format!(" tests=\"{n}\" failures=\"1\""),
            1 => format!(" tests=\"{}\" skipped=\"2\"", n + 2),
            2 => " tests=\"x\"".to_owned(),
            _ => String::new(),
        };
        let host = if g.below(10) == 0 { " hostname=\"tbd\"" } else { "" };
        let file = if g.below(5) == 0 { " file=\"spec/s.js\"" } else { "" };
        format!("<testsuite name=\"s{index}\" time=\"1.5\"{declared}{host}{file}>\n{inner}</testsuite>")
    }

    fn document(seed: u64) -> String {
        let mut g = Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let (mut next, mut index) = (0, 0);
        let mut doc = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        if g.below(8) == 0 {
            doc.insert(0, '\u{FEFF}');
        }
        let root_name = g.pick(&["bench", "Mocha Tests", ""]);
        doc.push_str(&format!("<testsuites name=\"{root_name}\" errors=\"{}\" time=\"3\">\n", g.below(3)));
        for _ in 0..1 + g.below(4) {
            doc.push_str(&suite(&mut g, 0, &mut next, &mut index));
            doc.push_str(g.pick(TRAPS));
        }
        doc.push_str("</testsuites>\n");
        if g.below(6) == 0 {
            // cargo test writes one document per test binary.
            doc.push_str(
                "<?xml version=\"1.0\"?>\n<testsuite name=\"second\"><testcase name=\"z\"/></testsuite>\n",
            );
        }
        doc
    }

    #[test]
    fn generated_documents_with_testcase_in_cdata_comments_and_pis_read_the_same_split() {
        let mut split_ok = 0;
        for seed in 1..=150 {
            let doc = document(seed);
            let fell_back = check_equal(&format!("seed {seed}"), doc.as_bytes());
            let (read, _) = one_pass(doc.as_bytes());
            assert!(read.is_ok(), "seed {seed}: generated document unreadable: {read:?}\n{doc}");
            assert_eq!(fell_back, None, "seed {seed} fell back:\n{doc}");
            split_ok += 1;
        }
        assert_eq!(split_ok, 150, "generated documents fell back");
    }

    #[test]
    fn broken_documents_give_the_one_pass_error() {
        let mut g = Gen(77);
        for seed in 1..=60 {
            let doc = document(seed);
            let bytes = doc.as_bytes();
            // Cut anywhere (truncated files), and damage: `<` in an attribute, a DOCTYPE, a
            // case outside a suite, a stray end tag, an undeclared entity.
            let cut = g.below(bytes.len() as u64) as usize;
            check_equal(&format!("seed {seed} cut at {cut}"), &bytes[..cut]);
            for (from, to) in [
                ("time=\"1.5\"", "time=\"1.5\" x=\"a<testcase b\""),
                ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<!DOCTYPE x [<!ENTITY e \"<testcase/>\">]>"),
                ("</testsuite>", "</testsuite><testcase name=\"loose\"/>"),
                ("</testcase>", "</testcase></properties>"),
                ("&amp;", "&nbsp;"),
                ("<testcase name", "<!-- a -- b <testcase --><testcase name"),
                ("<failure", "<properties><testcase/></properties><failure"),
            ] {
                let damaged = doc.replacen(from, to, 1);
                check_equal(&format!("seed {seed}: {to}"), damaged.as_bytes());
            }
        }
    }

    #[test]
    fn cuts_only_outside_comments_cdata_and_pis() {
        let doc = b"<a><!-- <testcase --><testcase/><![CDATA[<testcase ]]><?p <testcase?><testcase>";
        assert_eq!(safe_starts(doc, true).unwrap(), vec![21, 69]);
        // A construct the window does not hold whole stops the scan before it.
        assert_eq!(safe_starts(b"<a><testcase/><!-- <testcase ", false).unwrap(), vec![3]);
        assert_eq!(safe_starts(b"<a><testcase/><![CDA", false).unwrap(), vec![3]);
        assert!(safe_starts(b"<!DOCTYPE a><a><testcase/>", false).is_err());
        // `<testcases>` is not a case.
        assert!(safe_starts(b"<a><testcases>", true).unwrap().is_empty());
        let text = b"<a>!?<b><!x<?y <<!<?!?<";
        for from in 0..=text.len() {
            let naive =
                (from..text.len()).find(|&i| text[i] == b'<' && matches!(text.get(i + 1), Some(b'!' | b'?')));
            assert_eq!(find_special(text, from), naive, "from {from}");
        }
    }
}
