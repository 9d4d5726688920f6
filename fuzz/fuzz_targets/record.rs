//! Bytes → a run record file → `gen_report::read_record` (what `--history` does with the
//! previous run's record): rows or a reason to skip it, never a panic, an abort or an
//! allocation beyond the record reader's bounds. Seeded with real records (scripts/fuzz).
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // tmpfs where there is one: a file per input is the reader's real path.
    let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "." };
    let mut f = tempfile::NamedTempFile::new_in(dir).expect("temp file");
    f.write_all(data).expect("write");
    if let Ok(rows) = gen_report::read_record(f.path()) {
        assert!(rows <= 1 << 22);
    }
});
