//! Finding the input files: a data directory or result files, and `results:` / `--results` globs.

use std::fs;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

use crate::error::{Diagnostic, Error};
use crate::manifest::{REPORT_FILE, io_reason};

/// File endings read as results when a directory is given.
const RESULT_EXTENSIONS: &[&str] = &["xml", "json", "jsonl", "ndjson", "trx", "tap"];

/// What the positional inputs are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// One data directory with `report.yaml`.
    Data(PathBuf),
    /// Result files and directories of result files, without manifests (zero-config).
    Results(Vec<PathBuf>),
}

/// Decides the mode: a single directory holding `report.yaml` is a data directory.
///
/// # Errors
/// No inputs, or an input that does not exist.
pub fn mode(inputs: &[PathBuf]) -> Result<Mode, Error> {
    for p in inputs {
        if fs::metadata(p).is_err() {
            return Err(Error::Input(vec![Diagnostic::error(
                p,
                None,
                "no such file or directory: expected a data directory or test result files",
            )]));
        }
    }
    match inputs {
        [] => Err(Error::Usage("no input: expected a data directory or result files".into())),
        [one] if one.is_dir() && (one.join(REPORT_FILE).exists() || one.join("categories").is_dir()) => {
            Ok(Mode::Data(one.clone()))
        }
        [one] if one.is_dir() && !has_result_files(one) => Ok(Mode::Data(one.clone())),
        many => Ok(Mode::Results(many.to_vec())),
    }
}

fn has_result_files(dir: &Path) -> bool {
    let mut found = Vec::new();
    walk(dir, &mut found, &mut |p| is_result_file(p));
    !found.is_empty()
}

fn is_result_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| RESULT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Result files named by `inputs`: files as given, directories walked for result files.
pub fn result_files(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, &mut |f| is_result_file(f));
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// Files matching `pattern` (a path or a glob such as `reports/**/*.xml`), relative to `base`.
///
/// A plain path to a directory means every result file below it. `*` does not cross `/`; `**`
/// does. Matches come back sorted.
///
/// # Errors
/// An invalid glob.
pub fn expand(base: &Path, pattern: &str) -> Result<Vec<PathBuf>, String> {
    let is_glob = pattern.contains(['*', '?', '[', '{']);
    let full = normalize(&if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        base.join(pattern)
    });
    if !is_glob {
        return Ok(if full.is_dir() {
            result_files(&[full])
        } else if full.exists() {
            vec![full]
        } else {
            vec![]
        });
    }
    // Walk from the longest literal prefix of the pattern.
    let mut root = PathBuf::new();
    for comp in Path::new(pattern).components() {
        let s = comp.as_os_str().to_string_lossy();
        if s.contains(['*', '?', '[', '{']) {
            break;
        }
        root.push(comp);
    }
    let root = normalize(&if Path::new(pattern).is_absolute() { root } else { base.join(root) });
    let matcher: GlobMatcher = GlobBuilder::new(&full.to_string_lossy())
        .literal_separator(true)
        .build()
        .map_err(|e| format!("invalid glob {pattern:?}: {e}"))?
        .compile_matcher();
    let mut found = Vec::new();
    if root.is_dir() {
        walk(&root, &mut found, &mut |p| matcher.is_match(p));
    } else if matcher.is_match(&root) {
        found.push(root);
    }
    found.sort();
    Ok(found)
}

/// Removes `.` and `name/..` pairs without touching the file system, so paths read well.
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out.iter().collect()
}

/// Collects files below `dir` accepted by `keep`. Symlinked directories are not followed.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, keep: &mut dyn FnMut(&Path) -> bool) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, out, keep);
        } else if (ft.is_file() || (ft.is_symlink() && path.is_file())) && keep(&path) {
            out.push(path);
        }
    }
}

/// A readable message for an unreadable directory.
pub fn dir_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(path, None, format!("cannot read: {}", io_reason(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_star_stays_in_one_folder() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("r/sub")).unwrap();
        fs::write(d.path().join("r/a.xml"), "x").unwrap();
        fs::write(d.path().join("r/sub/b.xml"), "x").unwrap();
        fs::write(d.path().join("r/c.txt"), "x").unwrap();
        assert_eq!(expand(d.path(), "r/*.xml").unwrap().len(), 1);
        assert_eq!(expand(d.path(), "r/**/*.xml").unwrap().len(), 2);
        assert_eq!(expand(d.path(), "r").unwrap().len(), 2);
        assert_eq!(expand(d.path(), "missing/*.xml").unwrap().len(), 0);
    }
}
