//! Writing output: atomically, never half-written; appending to job summaries; `--check`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes `bytes` to `path` atomically (temp file in the same directory, then rename), or to
/// `out` when `path` is `None`.
///
/// # Errors
/// The output cannot be written; an existing file is then left as it was.
pub fn write(path: Option<&Path>, bytes: &[u8], out: &mut dyn Write) -> Result<(), Error> {
    let Some(path) = path else {
        return out
            .write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|source| Error::Output { path: PathBuf::from("<stdout>"), source });
    };
    let io = |source| Error::Output { path: path.to_path_buf(), source };
    if path.is_dir() {
        return Err(io(std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a directory")));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    // The temp file is created 0600; give the report the mode it had, or an ordinary 0644.
    let perms = match fs::metadata(path) {
        Ok(m) => Some(m.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(perms) = perms {
        tmp.as_file().set_permissions(perms).map_err(io)?;
    }
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Refuses an output path that is one of the inputs (or inside the template directory): writing
/// the report over a manifest or a results file would destroy the data it was computed from.
///
/// # Errors
/// `dest` is an input.
pub fn refuse_inputs(dest: &Path, inputs: &[&Path], templates: Option<&Path>) -> Result<(), Error> {
    // Resolve the directory (the file itself may not exist yet), then compare real paths.
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (Ok(dir), Some(name)) = (fs::canonicalize(parent), dest.file_name()) else { return Ok(()) };
    let dest_real = fs::canonicalize(dest).unwrap_or_else(|_| dir.join(name));
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

/// Writes a new file atomically, refusing to replace an existing one.
///
/// # Errors
/// The file exists, or cannot be written.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if path.exists() {
        return Err(Error::Usage(format!("`{}` exists already: not replacing it", path.display())));
    }
    write(Some(path), bytes, &mut std::io::sink())
}

/// Appends `bytes` to `path` in one write (GitHub's job summary file).
///
/// # Errors
/// The file cannot be opened or written.
pub fn append(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let io = |source| Error::Output { path: path.to_path_buf(), source };
    let mut f = fs::OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.flush().map_err(io)
}

/// Compares a committed report with a fresh render; prints a unified diff to `out` when they
/// differ and returns whether they do.
///
/// # Errors
/// The committed file cannot be read.
pub fn check(committed: &Path, fresh: &str, out: &mut dyn Write) -> Result<bool, Error> {
    let old =
        fs::read(committed).map_err(|source| Error::Output { path: committed.to_path_buf(), source })?;
    let old = String::from_utf8_lossy(&old);
    if old == fresh {
        return Ok(false);
    }
    let name = committed.display().to_string();
    let diff = similar::TextDiff::from_lines(old.as_ref(), fresh)
        .unified_diff()
        .context_radius(3)
        .header(&name, &format!("{name} (re-rendered)"))
        .to_string();
    out.write_all(diff.as_bytes())
        .map_err(|source| Error::Output { path: PathBuf::from("<stdout>"), source })?;
    Ok(true)
}

/// Mode of a new report file: `rw-r--r--`, what an ordinary redirect gives under umask 022.
#[cfg(unix)]
fn default_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o644))
}

/// Elsewhere the temp file's own permissions are ordinary already.
#[cfg(not(unix))]
fn default_permissions() -> Option<fs::Permissions> {
    None
}
