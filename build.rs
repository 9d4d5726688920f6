//! Sets `GEN_REPORT_VERSION` for `--version`: the crate version, and the git commit it was built
//! from when known — from `git` in a checkout, else from the `.cargo_vcs_info.json` that `cargo
//! package` writes into a crate. Without either (no git, a copied tree) the version alone.
//! No dependencies: a failure here only drops the commit.

use std::path::Path;
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&dir);
    println!("cargo:rerun-if-changed=build.rs");
    let commit = from_git(dir).or_else(|| from_vcs_info(dir));
    match commit {
        Some(c) => println!("cargo:rustc-env=GEN_REPORT_VERSION={version} ({c})"),
        None => println!("cargo:rustc-env=GEN_REPORT_VERSION={version}"),
    }
}

/// The checkout's commit, and the files whose change means a new commit (to rebuild then).
fn from_git(dir: &Path) -> Option<String> {
    // Only the crate's own repository: a crate unpacked inside some other checkout is not it.
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = Path::new(&top).canonicalize().ok()? == dir.canonicalize().ok()?;
    if !same {
        return None;
    }
    let commit = git(dir, &["rev-parse", "--short=12", "HEAD"])?;
    let mut watched = vec![git(dir, &["rev-parse", "--git-path", "HEAD"])?];
    if let Some(head_ref) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.extend(git(dir, &["rev-parse", "--git-path", &head_ref]));
    }
    watched.extend(git(dir, &["rev-parse", "--git-path", "packed-refs"]));
    for w in watched {
        let p = dir.join(w);
        // A path that does not exist would make cargo rerun this script on every build.
        if p.exists() {
            println!("cargo:rerun-if-changed={}", p.display());
        }
    }
    Some(commit)
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

/// `"sha1": "…"` in `.cargo_vcs_info.json` (a crate built from crates.io or `cargo package`).
fn from_vcs_info(dir: &Path) -> Option<String> {
    let path = dir.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    let after = text.split_once("\"sha1\"")?.1;
    let value = after.split_once('"')?.1.split_once('"')?.0;
    let valid = value.len() >= 12 && value.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| value[..12].to_string())
}
