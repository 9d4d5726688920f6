//! Writing output: atomically, never half-written; appending to job summaries; `--check`.
//!
//! Where `-o PATH` writes depends on what is there:
//! - nothing, a regular file or a symlink to one: a temp file is written beside the (real) file
//!   and renamed over it, so readers see the old report or the new one, never a part; a symlink
//!   stays a symlink and the file it points to is replaced. A new file gets the mode a shell
//!   redirect would give (`0666` less the umask), a replaced one keeps its mode (and owner,
//!   where permitted);
//! - `-`, `/dev/stdout`: standard output;
//! - a character or block device, a FIFO or a socket, or a path through `/proc` or `/dev/fd`:
//!   written in place, as a shell redirect would (a device cannot be replaced by a file).
//!
//! SIGINT, SIGTERM and SIGHUP during a write remove the temp file (the target is untouched)
//! and truncate a job summary being appended to back to its length before.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Largest committed report `--check` reads: far beyond any real report, small enough that a
/// symlink to `/dev/zero` or a runaway file cannot fill memory.
pub(crate) const MAX_CHECK_BYTES: u64 = 64 * 1024 * 1024;

/// Writes `bytes` to `path` (see the [module documentation](self) for what each kind of path
/// gets), or to `out` when `path` is `None`.
///
/// # Errors
/// The output cannot be written; an existing file is then left as it was.
pub(crate) fn write(path: Option<&Path>, bytes: &[u8], out: &mut dyn Write) -> Result<(), Error> {
    stage(path, bytes)?.commit(out)
}

/// Writes a new file atomically, refusing to replace an existing one.
///
/// # Errors
/// The file exists, or cannot be written.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    stage_new(path, bytes)?.commit(&mut std::io::sink())
}

/// A write prepared by [`stage`] or [`stage_new`]: for a file, the temp file holds the bytes
/// already; nothing is visible until [`Pending::commit`]. Dropped uncommitted, it leaves no trace.
pub(crate) struct Pending<'a> {
    shown: PathBuf,
    bytes: &'a [u8],
    kind: PendingKind,
}

enum PendingKind {
    Stdout,
    Direct(PathBuf),
    Temp { tmp: tempfile::NamedTempFile, target: PathBuf, replace: bool, _cleanup: cleanup::Guard },
}

/// Prepares writing `bytes` to `path` (standard output when `None` or `-`): a regular file is
/// written to a temp file beside it, synced, not yet renamed.
///
/// # Errors
/// The path is a directory, or the temp file cannot be created or written.
pub(crate) fn stage<'a>(path: Option<&Path>, bytes: &'a [u8]) -> Result<Pending<'a>, Error> {
    let Some(path) = path else {
        return Ok(Pending { shown: PathBuf::from("<stdout>"), bytes, kind: PendingKind::Stdout });
    };
    let io = |source| Error::Output { path: path.to_path_buf(), source };
    let kind = match destination(path).map_err(io)? {
        Dest::Stdout => PendingKind::Stdout,
        Dest::Direct(p) => PendingKind::Direct(p),
        Dest::File(target) => temp(&target, bytes, true).map_err(io)?,
    };
    Ok(Pending { shown: path.to_path_buf(), bytes, kind })
}

/// Like [`stage`] for a file that must not exist yet; [`Pending::commit`] then refuses to
/// replace one that appeared in the meantime.
///
/// # Errors
/// The file exists, or the temp file cannot be created or written.
pub(crate) fn stage_new<'a>(path: &Path, bytes: &'a [u8]) -> Result<Pending<'a>, Error> {
    if fs::symlink_metadata(path).is_ok() {
        return Err(Error::Usage(format!("`{}` exists already: not replacing it", path.display())));
    }
    let kind =
        temp(path, bytes, false).map_err(|source| Error::Output { path: path.to_path_buf(), source })?;
    Ok(Pending { shown: path.to_path_buf(), bytes, kind })
}

impl Pending<'_> {
    /// Makes the write visible: renames the temp file over the target, or writes standard
    /// output or the device.
    ///
    /// # Errors
    /// The rename or the write failed; a file target is then left as it was.
    pub(crate) fn commit(self, out: &mut dyn Write) -> Result<(), Error> {
        let io = |source| Error::Output { path: self.shown.clone(), source };
        match self.kind {
            PendingKind::Stdout => out.write_all(self.bytes).and_then(|()| out.flush()).map_err(io),
            PendingKind::Direct(p) => {
                let mut f = fs::OpenOptions::new().write(true).truncate(true).open(p).map_err(io)?;
                f.write_all(self.bytes).and_then(|()| f.flush()).map_err(io)
            }
            PendingKind::Temp { tmp, target, replace: true, .. } => {
                tmp.persist(&target).map(drop).map_err(|e| io(e.error))
            }
            PendingKind::Temp { tmp, target, replace: false, .. } => {
                tmp.persist_noclobber(&target).map(drop).map_err(|e| match e.error.kind() {
                    std::io::ErrorKind::AlreadyExists => {
                        Error::Usage(format!("`{}` exists already: not replacing it", self.shown.display()))
                    }
                    _ => io(e.error),
                })
            }
        }
    }

    /// The path as given, for messages.
    pub(crate) fn path(&self) -> &Path {
        &self.shown
    }
}

/// What `-o PATH` names, once symlinks are followed.
enum Dest {
    Stdout,
    /// A regular file (existing or not) at its real path.
    File(PathBuf),
    /// A device, FIFO or socket (or a `/proc` or `/dev/fd` path): written in place.
    Direct(PathBuf),
}

fn destination(path: &Path) -> std::io::Result<Dest> {
    if path == Path::new("-")
        || ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"].iter().any(|s| path == Path::new(s))
    {
        return Ok(Dest::Stdout);
    }
    if path.as_os_str().as_encoded_bytes().ends_with(b"/") {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "a path ending in `/` names a directory",
        ));
    }
    // Follow the links one by one: a dangling link is written through (like a redirect), and a
    // link into /proc (`/dev/stderr`, `/dev/fd/3`) names an open file, never to be renamed over.
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        if current.starts_with("/proc") || current.starts_with("/dev/fd") {
            return Ok(Dest::Direct(path.to_path_buf()));
        }
        let meta = match fs::symlink_metadata(&current) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Dest::File(current)),
            Err(e) => return Err(e),
        };
        if meta.file_type().is_symlink() {
            let target = fs::read_link(&current)?;
            current = match current.parent() {
                Some(dir) if target.is_relative() => dir.join(target),
                _ => target,
            };
        } else if meta.is_file() {
            return Ok(Dest::File(current));
        } else if meta.is_dir() {
            return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a directory"));
        } else {
            return Ok(Dest::Direct(path.to_path_buf()));
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// A temp file beside `target` holding `bytes`, synced, with the mode the report will have.
fn temp(target: &Path, bytes: &[u8], replace: bool) -> std::io::Result<PendingKind> {
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() && fs::symlink_metadata(dir).is_err() {
        // Named, rather than the bare "No such file or directory" creating the temp file gives.
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the folder `{}` does not exist; create it first", dir.display()),
        ));
    }
    let existing = if replace { fs::metadata(target).ok() } else { None };
    let mut guard = None;
    let mut tmp = tempfile::Builder::new().prefix(".tmp").make_in(dir, |p| {
        // Registered before it exists, so a signal can never leave it behind.
        let g = cleanup::register(p);
        let f = create_new(p)?;
        guard = Some(g);
        Ok(f)
    })?;
    if let Some(meta) = &existing {
        keep_owner_and_mode(tmp.as_file(), meta)?;
    }
    // Through the File itself: NamedTempFile's own writes add the temp path to errors.
    tmp.as_file_mut().write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(PendingKind::Temp { tmp, target: target.to_path_buf(), replace, _cleanup: guard.unwrap_or_default() })
}

/// Creates `p` as a new file with the mode a shell redirect gives (`0666` less the umask).
fn create_new(p: &Path) -> std::io::Result<fs::File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o666);
    o.open(p)
}

/// Gives the temp file the replaced file's mode, and its owner where permitted (as root).
fn keep_owner_and_mode(f: &fs::File, meta: &fs::Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Only root may give a file away; for anyone else this fails and the file is theirs.
        let _ = std::os::unix::fs::fchown(f, Some(meta.uid()), Some(meta.gid()));
    }
    f.set_permissions(meta.permissions())
}

/// Refuses an output path that is one of the inputs (or inside the template directory): writing
/// the report over a manifest or a results file would destroy the data it was computed from.
///
/// # Errors
/// `dest` is an input.
pub(crate) fn refuse_inputs(dest: &Path, inputs: &[&Path], templates: Option<&Path>) -> Result<(), Error> {
    let Some(dest_real) = real_path(dest) else { return Ok(()) };
    if let Some(input) = inputs.iter().find(|i| fs::canonicalize(i).is_ok_and(|i| i == dest_real)) {
        return Err(Error::Usage(format!(
            "`{}` is an input: refusing to write the report over it; choose another output path",
            input.display()
        )));
    }
    if let Some(t) = templates.and_then(|t| fs::canonicalize(t).ok())
        && dest_real.starts_with(&t)
    {
        return Err(Error::Usage(format!(
            "refusing to write `{}` inside the template directory",
            dest.display()
        )));
    }
    Ok(())
}

/// The real path of `p`, which may not exist yet (then its directory's real path and its name).
fn real_path(p: &Path) -> Option<PathBuf> {
    if let Ok(real) = fs::canonicalize(p) {
        return Some(real);
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some(fs::canonicalize(parent).ok()?.join(p.file_name()?))
}

/// Checks the job summary file before anything is written: it must be a regular file (or not
/// exist yet), and neither an input nor the `-o` output.
///
/// # Errors
/// A usage error naming the problem.
pub(crate) fn check_summary(
    path: &Path,
    inputs: &[&Path],
    templates: Option<&Path>,
    output: Option<&Path>,
) -> Result<(), Error> {
    let shown = path.display();
    match fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(m) => {
            let what =
                if m.is_dir() { "a directory" } else { "not a regular file (a FIFO, socket or device)" };
            return Err(Error::Usage(format!(
                "GITHUB_STEP_SUMMARY names `{shown}`, which is {what}: expected the job summary file"
            )));
        }
        Err(_) => {}
    }
    if let Err(Error::Usage(_)) = refuse_inputs(path, inputs, templates) {
        return Err(Error::Usage(format!(
            "GITHUB_STEP_SUMMARY names `{shown}`, an input: refusing to append the report to it"
        )));
    }
    if let (Some(o), Some(real)) = (output, real_path(path))
        && real_path(o).is_some_and(|o| o == real)
    {
        return Err(Error::Usage(format!(
            "GITHUB_STEP_SUMMARY names `{shown}`, the -o output too: choose another output path"
        )));
    }
    Ok(())
}

/// Bytes appended by [`append`], kept until the rest of the run has succeeded: dropping it
/// keeps them, [`Appended::rollback`] truncates the file back to its length before.
pub(crate) struct Appended {
    // Dropped first: the signal handler must stop using the descriptor before it is closed
    // (and its number possibly reused).
    _cleanup: cleanup::AppendGuard,
    file: fs::File,
    before: u64,
}

impl Appended {
    /// Truncates the file back to its length before the append.
    pub(crate) fn rollback(self) {
        let _ = self.file.set_len(self.before);
    }
}

/// Appends `bytes` to `path` (GitHub's job summary file, created when missing). A FIFO or
/// device is refused unopened (and even if one appears between check and open, it is opened
/// without blocking and refused); a short write is undone by truncating back.
///
/// # Errors
/// The file cannot be opened or fully written; it is then left as it was.
pub(crate) fn append(path: &Path, bytes: &[u8]) -> Result<Appended, Error> {
    let io = |source| Error::Output { path: path.to_path_buf(), source };
    let mut o = fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_NONBLOCK);
    let mut f = o.open(path).map_err(io)?;
    let meta = f.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(io(std::io::Error::other("not a regular file (a FIFO, socket or device)")));
    }
    let before = meta.len();
    let guard = cleanup::register_append(&f, before);
    if let Err(e) = f.write_all(bytes).and_then(|()| f.flush()) {
        let _ = f.set_len(before);
        return Err(io(e));
    }
    Ok(Appended { _cleanup: guard, file: f, before })
}

/// Compares a committed report with a fresh render; prints a unified diff to `out` when they
/// differ and returns whether they do.
///
/// # Errors
/// The committed file cannot be read: missing, not a regular file, or over [`MAX_CHECK_BYTES`].
pub(crate) fn check(committed: &Path, fresh: &str, out: &mut dyn Write) -> Result<bool, Error> {
    let old = read_committed(committed)?;
    if old == fresh {
        return Ok(false);
    }
    let name = committed.display().to_string();
    let diff = diff::unified(&old, fresh, &name, &format!("{name} (re-rendered)"));
    out.write_all(diff.as_bytes())
        .map_err(|source| Error::Output { path: PathBuf::from("<stdout>"), source })?;
    Ok(true)
}

/// Reads the committed report for `--check`: a regular file of at most [`MAX_CHECK_BYTES`].
fn read_committed(path: &Path) -> Result<String, Error> {
    let fail = |reason: String| Error::Read { path: path.to_path_buf(), reason };
    let expected = "expected the committed report file";
    let (f, meta) =
        match crate::load::open_regular(path).map_err(|e| fail(crate::load::manifest::io_reason(&e)))? {
            Ok(opened) => opened,
            Err(meta) if meta.is_dir() => return Err(fail(format!("it is a directory; {expected}"))),
            Err(_) => {
                return Err(fail(format!("it is not a regular file (a FIFO, socket or device); {expected}")));
            }
        };
    let too_big = |n: u64| {
        fail(format!(
            "it is {n} bytes; --check reads at most {MAX_CHECK_BYTES} bytes (64 MiB), the constant MAX_CHECK_BYTES in src/emit/output.rs"
        ))
    };
    if meta.len() > MAX_CHECK_BYTES {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::new();
    f.take(MAX_CHECK_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(crate::load::manifest::io_reason(&e)))?;
    if bytes.len() as u64 > MAX_CHECK_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// A unified diff whose time is bounded by the size of the input, not its square.
///
/// Myers' algorithm, which finds the shortest diff, takes time proportional to the length times
/// the number of differences: 33 s for two different 200,000-line reports. Here, after the common
/// start and end are set aside, lines that occur exactly once in each version anchor the
/// comparison (patience diff); the stretches between anchors are compared with Myers when they
/// are short, within a fixed total amount of work, and otherwise shown as removed then added.
/// The result is always a correct diff (applying it gives the fresh report), deterministic, and
/// minimal in all but pathological cases; whether the report is stale is decided before, by
/// comparing the texts.
mod diff {
    use std::collections::HashMap;
    use std::fmt::Write as _;

    use similar::{Algorithm, DiffOp};

    /// Longest stretch (old plus new lines) between anchors compared line by line.
    const GAP_LINES: usize = 2_000;
    /// Total work (sum of squared stretch lengths) spent comparing line by line: about a second.
    const WORK: usize = 100_000_000;
    /// Lines of context around each change, as `diff -u`.
    const CONTEXT: usize = 3;

    pub(super) fn unified(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
        let a = lines(old);
        let b = lines(new);
        let ops = ops(&a, &b);
        let mut out = String::new();
        for (n, group) in similar::group_diff_ops(ops, CONTEXT).into_iter().enumerate() {
            if n == 0 {
                let _ = writeln!(out, "--- {old_name}\n+++ {new_name}");
            }
            let (first, last) = (group[0], group[group.len() - 1]);
            let _ = writeln!(
                out,
                "@@ -{} +{} @@",
                range(first.old_range().start, last.old_range().end),
                range(first.new_range().start, last.new_range().end)
            );
            for op in &group {
                for i in op.old_range() {
                    if !matches!(op, DiffOp::Equal { .. }) {
                        line(&mut out, '-', a[i]);
                    }
                }
                match op {
                    DiffOp::Equal { .. } => op.old_range().for_each(|i| line(&mut out, ' ', a[i])),
                    _ => op.new_range().for_each(|j| line(&mut out, '+', b[j])),
                }
            }
        }
        out
    }

    /// One diff line; control characters in it are shown as pictures (a committed file may hold
    /// anything), so a carriage return reads `␍` at the end of its line.
    fn line(out: &mut String, tag: char, text: &str) {
        out.push(tag);
        let body = text.strip_suffix('\n');
        out.push_str(&crate::render::visible_controls_line(body.unwrap_or(text)));
        out.push('\n');
        if body.is_none() {
            out.push_str("\\ No newline at end of file\n");
        }
    }

    /// `start,len` as in a hunk header (1-based; an empty range names the line before it).
    fn range(start: usize, end: usize) -> String {
        match end - start {
            1 => format!("{}", start + 1),
            0 => format!("{start},0"),
            len => format!("{},{len}", start + 1),
        }
    }

    /// Lines with their terminators (`\n`, `\r\n`, or a lone `\r`).
    fn lines(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let bytes = s.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let end = match bytes[i] {
                b'\n' => Some(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => Some(i + 2),
                b'\r' => Some(i + 1),
                _ => None,
            };
            if let Some(e) = end {
                out.push(&s[start..e]);
                start = e;
                i = e;
            } else {
                i += 1;
            }
        }
        if start < s.len() {
            out.push(&s[start..]);
        }
        out
    }

    /// The edit script from `a` to `b`, with adjacent equal runs merged.
    fn ops(a: &[&str], b: &[&str]) -> Vec<DiffOp> {
        let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
        let suffix =
            a[prefix..].iter().rev().zip(b[prefix..].iter().rev()).take_while(|(x, y)| x == y).count();
        let (a_end, b_end) = (a.len() - suffix, b.len() - suffix);
        let mut out = Vec::new();
        push(&mut out, DiffOp::Equal { old_index: 0, new_index: 0, len: prefix });
        let mut budget = WORK;
        let (mut i, mut j) = (prefix, prefix);
        for (ai, bj) in anchors(a, prefix..a_end, b, prefix..b_end) {
            gap(&mut out, a, i..ai, b, j..bj, &mut budget);
            push(&mut out, DiffOp::Equal { old_index: ai, new_index: bj, len: 1 });
            (i, j) = (ai + 1, bj + 1);
        }
        gap(&mut out, a, i..a_end, b, j..b_end, &mut budget);
        push(&mut out, DiffOp::Equal { old_index: a_end, new_index: b_end, len: suffix });
        out
    }

    /// The differences between two stretches with no anchor in common.
    fn gap(
        out: &mut Vec<DiffOp>,
        a: &[&str],
        ra: std::ops::Range<usize>,
        b: &[&str],
        rb: std::ops::Range<usize>,
        budget: &mut usize,
    ) {
        let n = ra.len() + rb.len();
        if ra.is_empty() || rb.is_empty() || n > GAP_LINES || n * n > *budget {
            for op in out_ops(ra.start, ra.len(), rb.start, rb.len()) {
                push(out, op);
            }
            return;
        }
        *budget -= n * n;
        for op in similar::capture_diff(Algorithm::Myers, a, ra, b, rb) {
            push(out, op);
        }
    }

    /// `a`'s stretch removed and `b`'s added.
    fn out_ops(old_index: usize, old_len: usize, new_index: usize, new_len: usize) -> Vec<DiffOp> {
        let mut v = Vec::new();
        if old_len > 0 {
            v.push(DiffOp::Delete { old_index, old_len, new_index });
        }
        if new_len > 0 {
            v.push(DiffOp::Insert { old_index: old_index + old_len, new_index, new_len });
        }
        v
    }

    /// Appends `op`, merging it into a preceding equal run; empty runs are dropped.
    fn push(out: &mut Vec<DiffOp>, op: DiffOp) {
        if let DiffOp::Equal { len, .. } = op {
            if len == 0 {
                return;
            }
            if let Some(DiffOp::Equal { len: prev, .. }) = out.last_mut() {
                *prev += len;
                return;
            }
        }
        out.push(op);
    }

    /// Lines occurring exactly once in each stretch, paired, longest increasing run of them
    /// (patience sorting, O(n log n)).
    fn anchors(
        a: &[&str],
        ra: std::ops::Range<usize>,
        b: &[&str],
        rb: std::ops::Range<usize>,
    ) -> Vec<(usize, usize)> {
        // line → (count in a, index in a, count in b, index in b)
        let mut seen: HashMap<&str, (u32, usize, u32, usize)> = HashMap::new();
        for i in ra {
            let e = seen.entry(a[i]).or_insert((0, i, 0, 0));
            e.0 += 1;
            e.1 = i;
        }
        for j in rb {
            if let Some(e) = seen.get_mut(b[j]) {
                e.2 += 1;
                e.3 = j;
            }
        }
        let mut pairs: Vec<(usize, usize)> =
            seen.values().filter(|e| e.0 == 1 && e.2 == 1).map(|e| (e.1, e.3)).collect();
        pairs.sort_unstable();
        // Longest increasing subsequence of the b indices.
        let mut tails: Vec<usize> = Vec::new(); // index into pairs of the smallest tail per length
        let mut prev: Vec<Option<usize>> = vec![None; pairs.len()];
        for (k, &(_, bj)) in pairs.iter().enumerate() {
            let pos = tails.partition_point(|&t| pairs[t].1 < bj);
            prev[k] = pos.checked_sub(1).map(|p| tails[p]);
            if pos == tails.len() {
                tails.push(k);
            } else {
                tails[pos] = k;
            }
        }
        let mut chain = Vec::with_capacity(tails.len());
        let mut k = tails.last().copied();
        while let Some(i) = k {
            chain.push(pairs[i]);
            k = prev[i];
        }
        chain.reverse();
        chain
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Applies the diff's hunks to `old` and checks the result is `new`.
        fn applies(old: &str, new: &str) -> String {
            let d = unified(old, new, "a", "b");
            let a = lines(old);
            let mut result = String::new();
            let mut at = 0;
            for l in d.lines().skip(2) {
                if let Some(h) = l.strip_prefix("@@ -") {
                    let start: usize = h.split([',', ' ']).next().unwrap().parse().unwrap();
                    let start = if h.split(' ').next().unwrap().ends_with(",0") { start } else { start - 1 };
                    while at < start {
                        result.push_str(a[at]);
                        at += 1;
                    }
                } else if let Some(t) = l.strip_prefix('+') {
                    result.push_str(t);
                    result.push('\n');
                } else if l.starts_with('-') || l.starts_with(' ') {
                    if l.starts_with(' ') {
                        result.push_str(a[at]);
                    }
                    at += 1;
                } else if l.starts_with('\\') {
                    result.pop();
                }
            }
            while at < a.len() {
                result.push_str(a[at]);
                at += 1;
            }
            assert_eq!(result, new, "diff:\n{d}");
            d
        }

        #[test]
        fn small_change_gives_the_usual_hunk() {
            let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
            let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
            let d = applies(old, new);
            assert_eq!(d, "--- a\n+++ b\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n");
        }

        #[test]
        fn edges_and_missing_newlines() {
            assert_eq!(
                applies("x\n", "y"),
                "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n\\ No newline at end of file\n"
            );
            assert_eq!(applies("", "a\n"), "--- a\n+++ b\n@@ -0,0 +1 @@\n+a\n");
            applies("a\nb\n", "");
            applies("same\nx\ny\n", "x\nsame\ny\nz\n");
        }

        #[test]
        fn huge_reports_with_every_line_changed_stay_correct() {
            let old: String = (0..50_000).map(|i| format!("| row {i} | {} |\n", i % 7)).collect();
            let new: String = (0..50_000).map(|i| format!("| row {i} | {} |\n", (i + 1) % 7)).collect();
            applies(&old, &new);
            let shuffled: String = (0..50_000).rev().map(|i| format!("line {}\n", i % 10)).collect();
            applies(&old, &shuffled);
        }
    }
}

/// Removing temp files (and undoing a job summary append) on SIGINT, SIGTERM and SIGHUP.
///
/// libc's `sigaction` directly, rather than a crate: the handler must only make
/// async-signal-safe calls (`unlink`, `ftruncate`, `signal`, `raise`), which rules out any
/// channel or flag polled by the main thread — a write blocked on a slow disk polls nothing.
/// The handler is installed for a signal only when it has its default action (an ignored
/// SIGINT, as in a background job, stays ignored); after cleaning up it restores the default
/// and re-raises, so the process still dies of the signal, with the usual exit status.
#[cfg(unix)]
mod cleanup {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;
    use std::path::Path;
    use std::ptr::null_mut;
    use std::sync::Once;
    use std::sync::atomic::{AtomicI32, AtomicI64, AtomicPtr, Ordering::SeqCst};

    /// Temp files that may exist at once (`init` stages five).
    const SLOTS: usize = 16;
    static PATHS: [AtomicPtr<libc::c_char>; SLOTS] = [const { AtomicPtr::new(null_mut()) }; SLOTS];
    static APPEND_FD: AtomicI32 = AtomicI32::new(-1);
    static APPEND_LEN: AtomicI64 = AtomicI64::new(0);
    static INSTALL: Once = Once::new();

    /// Unregisters its path when dropped.
    #[derive(Default)]
    pub(super) struct Guard(Option<usize>);

    impl Drop for Guard {
        fn drop(&mut self) {
            if let Some(i) = self.0 {
                // The path's CString is leaked on purpose: the handler may be reading it.
                PATHS[i].store(null_mut(), SeqCst);
            }
        }
    }

    /// Registers `path` for removal on a signal.
    pub(super) fn register(path: &Path) -> Guard {
        install();
        let Ok(c) = CString::new(path.as_os_str().as_bytes()) else { return Guard(None) };
        let ptr = c.into_raw();
        for (i, slot) in PATHS.iter().enumerate() {
            if slot.compare_exchange(null_mut(), ptr, SeqCst, SeqCst).is_ok() {
                return Guard(Some(i));
            }
        }
        // All slots taken (not with gen-report's own writes): no cleanup for this one.
        drop(unsafe { CString::from_raw(ptr) });
        Guard(None)
    }

    /// Stops truncating the appended file on a signal when dropped.
    pub(super) struct AppendGuard;

    impl Drop for AppendGuard {
        fn drop(&mut self) {
            APPEND_FD.store(-1, SeqCst);
        }
    }

    /// Registers `file` to be truncated back to `len` bytes on a signal.
    pub(super) fn register_append(file: &std::fs::File, len: u64) -> AppendGuard {
        install();
        APPEND_LEN.store(i64::try_from(len).unwrap_or(i64::MAX), SeqCst);
        APPEND_FD.store(file.as_raw_fd(), SeqCst);
        AppendGuard
    }

    fn install() {
        INSTALL.call_once(|| {
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                // SAFETY: plain sigaction calls with zero-initialised structs; the handler only
                // makes async-signal-safe calls.
                unsafe {
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
                        || old.sa_sigaction != libc::SIG_DFL
                    {
                        continue;
                    }
                    let mut new: libc::sigaction = std::mem::zeroed();
                    new.sa_sigaction = handler as extern "C" fn(libc::c_int) as libc::sighandler_t;
                    libc::sigemptyset(&mut new.sa_mask);
                    new.sa_flags = libc::SA_RESTART;
                    libc::sigaction(sig, &new, null_mut());
                }
            }
        });
    }

    extern "C" fn handler(sig: libc::c_int) {
        // SAFETY: unlink, ftruncate, signal and raise are async-signal-safe; the paths are
        // leaked CStrings, valid for the life of the process.
        unsafe {
            for slot in &PATHS {
                let p = slot.load(SeqCst);
                if !p.is_null() {
                    libc::unlink(p);
                }
            }
            let fd = APPEND_FD.load(SeqCst);
            if fd >= 0 {
                libc::ftruncate(fd, APPEND_LEN.load(SeqCst) as libc::off_t);
            }
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }
}

/// Elsewhere signals end the process as before (a temp file may be left behind on a signal).
#[cfg(not(unix))]
mod cleanup {
    use std::path::Path;

    #[derive(Default)]
    pub struct Guard;
    pub struct AppendGuard;

    pub fn register(_: &Path) -> Guard {
        Guard
    }

    pub fn register_append(_: &std::fs::File, _: u64) -> AppendGuard {
        AppendGuard
    }
}
