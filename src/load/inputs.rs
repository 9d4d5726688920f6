//! Finding the input files: a data directory or result files, and `results:` / `--results` globs.

use std::fs;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

use crate::error::{Diagnostic, Error};
use crate::load::manifest::{REPORT_FILE, io_reason};

/// File endings read as results when a directory is given.
/// (The format table's: a new format's ending is searched for without a second list here.)
fn result_extensions() -> &'static [&'static str] {
    static ENDINGS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    ENDINGS.get_or_init(crate::results::result_extensions)
}

/// What the positional inputs are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mode {
    /// One data directory with `report.yaml`.
    Data(PathBuf),
    /// Result files and directories of result files, without manifests (zero-config).
    Results(Vec<PathBuf>),
}

/// Decides the mode: a single directory holding `report.yaml` is a data directory.
///
/// # Errors
/// No inputs, or an input that does not exist.
pub(crate) fn mode(inputs: &[PathBuf]) -> Result<Mode, Error> {
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
        [one] if one.is_dir() && !has_result_files(one) => Err(Error::Input(vec![neither(one)])),
        many => Ok(Mode::Results(many.to_vec())),
    }
}

/// A folder with neither manifests nor results: what each would need, since "cannot read
/// report.yaml" would send a user who meant results to write a manifest.
fn neither(dir: &Path) -> Diagnostic {
    let endings = result_extensions().iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(", ");
    Diagnostic::error(
        dir,
        None,
        format!(
            "neither a data directory nor a folder of test results: a data directory holds \
             `{REPORT_FILE}` and `categories/*.yaml` (`gen-report init <dir>` writes a start), and \
             result files end in {endings}"
        ),
    )
}

fn has_result_files(dir: &Path) -> bool {
    let mut found = Vec::new();
    // An unreadable folder inside counts as "has results": reading them then says what failed.
    walk(dir, &mut found, &mut |p| is_result_file(p)).is_err() || !found.is_empty()
}

fn is_result_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| result_extensions().contains(&e.to_ascii_lowercase().as_str()))
}

/// Result files named by `inputs`: files as given, directories walked for result files.
///
/// # Errors
/// A directory that cannot be read (never skipped in silence).
pub(crate) fn result_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found, &mut |f| is_result_file(f))?;
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// What a results pattern named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expanded {
    /// An existing file or folder, taken literally (even when its name has glob characters,
    /// such as `[shard-1]`): the files it holds.
    Literal(Vec<PathBuf>),
    /// A glob: the files it matched (possibly none).
    Glob(Vec<PathBuf>),
}

impl Expanded {
    /// The files found.
    pub(crate) fn files(self) -> Vec<PathBuf> {
        match self {
            Expanded::Literal(f) | Expanded::Glob(f) => f,
        }
    }
}

/// Files named by `pattern` (a path, or a glob such as `reports/**/*.xml`), relative to `base`.
///
/// A path that exists is taken literally; a folder means every result file below it. Otherwise
/// a pattern with glob characters is a glob: `*` does not cross `/`; `**` does. Matches come
/// back sorted.
///
/// # Errors
/// A path without glob characters that does not exist, or an invalid glob.
pub(crate) fn expand(base: &Path, pattern: &str) -> Result<Expanded, String> {
    let full = normalize(&if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        base.join(pattern)
    });
    if full.is_dir() {
        return result_files(&[full]).map(Expanded::Literal).map_err(|d| d.to_string());
    }
    if full.exists() {
        return Ok(Expanded::Literal(vec![full]));
    }
    if !pattern.contains(['*', '?', '[', '{']) {
        return Err(format!("`{}`: no such file or directory", full.display()));
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
        walk(&root, &mut found, &mut |p| matcher.is_match(p)).map_err(|d| d.to_string())?;
    } else if matcher.is_match(&root) {
        found.push(root);
    }
    found.sort();
    Ok(Expanded::Glob(found))
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
///
/// # Errors
/// A directory (or an entry of it) that cannot be read: an error naming it, never a silent gap.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, keep: &mut dyn FnMut(&Path) -> bool) -> Result<(), Diagnostic> {
    let entries = fs::read_dir(dir).map_err(|e| dir_error(dir, &e))?;
    for entry in entries {
        let entry = entry.map_err(|e| dir_error(dir, &e))?;
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| dir_error(&path, &e))?;
        if ft.is_dir() {
            walk(&path, out, keep)?;
        } else if (ft.is_file() || (ft.is_symlink() && path.is_file())) && keep(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// A readable message for an unreadable directory.
pub(crate) fn dir_error(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(path, None, format!("cannot read: {}", io_reason(e)))
}

/// A results pattern that matched nothing.
#[derive(Debug, Clone)]
pub struct Unmatched {
    pub pattern: String,
    /// Index of the category whose `results:` it is.
    pub category: Option<usize>,
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
        assert_eq!(expand(d.path(), "r/*.xml").unwrap().files().len(), 1);
        assert_eq!(expand(d.path(), "r/**/*.xml").unwrap().files().len(), 2);
        assert_eq!(
            expand(d.path(), "r").unwrap(),
            Expanded::Literal(vec![d.path().join("r/a.xml"), d.path().join("r/sub/b.xml")])
        );
        assert_eq!(expand(d.path(), "missing/*.xml").unwrap(), Expanded::Glob(vec![]));
        assert_eq!(
            expand(d.path(), "missing.xml").unwrap_err(),
            format!("`{}`: no such file or directory", d.path().join("missing.xml").display())
        );
    }

    // Checks that an existing folder whose name looks like a glob is taken literally.
    #[test]
    fn existing_paths_with_glob_characters_are_literal() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir_all(d.path().join("[shard-1]")).unwrap();
        fs::write(d.path().join("[shard-1]/junit.xml"), "x").unwrap();
        let want = vec![d.path().join("[shard-1]/junit.xml")];
        assert_eq!(expand(d.path(), "[shard-1]/junit.xml").unwrap(), Expanded::Literal(want.clone()));
        assert_eq!(expand(d.path(), "[shard-1]").unwrap(), Expanded::Literal(want));
    }
}
