//! `scripts/dist`, the release packaging, run for the host target on the binary under test (the
//! release workflow runs the same script on a `--profile dist` build): the archive unpacks, holds
//! the binary, README and licences, the binary prints `--version`, and the SHA-256 file verifies.

#![cfg(unix)]

use crate::support;

use std::fs;
use std::process::Command;

use support::{BIN, repo};

fn host() -> String {
    let out = Command::new("rustc").arg("-vV").output().expect("rustc runs");
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc -vV names the host").to_string()
}

fn sha256(path: &std::path::Path) -> String {
    let tool = if Command::new("sha256sum").arg("--version").output().is_ok() {
        Command::new("sha256sum").arg(path).output()
    } else {
        Command::new("shasum").args(["-a", "256"]).arg(path).output()
    };
    let out = String::from_utf8(tool.expect("a sha-256 tool runs").stdout).unwrap();
    out.split_whitespace().next().expect("a digest").to_string()
}

/// The binary under test without its debug info (a dev build is ~250 MB, compressing it would be
/// most of the test's time), or as it is where `strip` is missing.
fn small_binary(dir: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("gen-report");
    let stripped = Command::new("strip").arg("-o").arg(&out).arg(BIN).status();
    if stripped.is_ok_and(|s| s.success()) { out } else { BIN.into() }
}

#[test]
fn dist_packages_the_host_binary_with_readme_licences_and_checksum() {
    let target = host();
    let out = tempfile::tempdir().unwrap();
    let bin_dir = tempfile::tempdir().unwrap();
    let bin = small_binary(bin_dir.path());
    let run = support::output(
        Command::new("bash")
            .arg(repo().join("scripts/dist"))
            .arg("--bin")
            .arg(&bin)
            .arg("--out")
            .arg(out.path()),
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "scripts/dist failed: {stderr}");
    let name = format!("gen-report-{target}");
    let archive = out.path().join(format!("{name}.tar.gz"));
    assert_eq!(String::from_utf8_lossy(&run.stdout).trim(), archive.display().to_string());

    // The checksum file: one `<hex>  <file name>` line that matches the archive's bytes.
    let line = fs::read_to_string(out.path().join(format!("{name}.tar.gz.sha256"))).unwrap();
    assert_eq!(line, format!("{}  {name}.tar.gz\n", sha256(&archive)));
    let tampered = out.path().join("tampered.tar.gz");
    let mut bytes = fs::read(&archive).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    fs::write(&tampered, bytes).unwrap();
    assert_ne!(sha256(&tampered), sha256(&archive), "the digest sees one flipped bit");

    let unpacked = tempfile::tempdir().unwrap();
    let tar = Command::new("tar").arg("-xzf").arg(&archive).arg("-C").arg(unpacked.path()).status();
    assert!(tar.unwrap().success(), "the archive unpacks");
    let dir = unpacked.path().join(&name);
    let mut files: Vec<String> =
        fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    files.sort();
    assert_eq!(files, ["CHANGELOG.md", "LICENSE-APACHE", "LICENSE-MIT", "README.md", "docs", "gen-report"]);
    // README's links into docs/ resolve inside the archive.
    assert!(dir.join("docs/ci.md").is_file() && dir.join("docs/history.md").is_file());
    let version = support::output(Command::new(dir.join("gen-report")).arg("--version"));
    assert!(version.status.success());
    let version = String::from_utf8(version.stdout).unwrap();
    assert!(
        version.starts_with(&format!("gen-report {}", env!("CARGO_PKG_VERSION"))),
        "--version of the packaged binary: {version}"
    );

    // Same inputs, same bytes: a second run gives the same archive.
    let again = support::output(
        Command::new("bash")
            .arg(repo().join("scripts/dist"))
            .arg("--bin")
            .arg(&bin)
            .arg("--out")
            .arg(out.path()),
    );
    assert!(again.status.success());
    assert_eq!(fs::read_to_string(out.path().join(format!("{name}.tar.gz.sha256"))).unwrap(), line);
}
