//! Stage 1, **load**: the data directory's manifests ([`manifest`]), the YAML reader under them,
//! the narrative scanner that checks their prose, and the result files they name (`inputs`).

pub mod categories;
pub(crate) mod inputs;
pub mod manifest;
pub(crate) mod narrative;
pub(crate) mod stage;
pub(crate) mod yaml;

use std::fs::{File, Metadata};
use std::path::Path;

/// Opens `path` for reading the one safe way every reader of a regular file shares: open
/// without waiting (`O_NONBLOCK`: a FIFO swapped in never blocks the run), then ask the open
/// file what it is. Never stat, then open: the file may change in between.
///
/// `Ok(Err(meta))`: it opened but is not a regular file (a directory, FIFO, socket or device);
/// the caller words the refusal.
///
/// # Errors
/// The file cannot be opened or asked what it is.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<Result<(File, Metadata), Metadata>> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_NONBLOCK);
    // Elsewhere a directory cannot be opened as a file: say what it is instead.
    #[cfg(not(unix))]
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_dir()
    {
        return Ok(Err(meta));
    }
    let f = o.open(path)?;
    let meta = f.metadata()?;
    Ok(if meta.is_file() { Ok((f, meta)) } else { Err(meta) })
}
