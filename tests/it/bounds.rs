//! Memory follows the output, not the input: a million suites (each with a finding) run under
//! a fixed address-space limit that the old per-suite state (1.3 GB) could not fit in.

use crate::support;

#[cfg(unix)]
#[test]
fn a_million_suites_fit_in_a_fixed_memory_limit() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("1m.xml");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "<testsuites>").unwrap();
    for i in 0..1_000_000u32 {
        // `tests="2"` with one case: every suite is also a finding.
        writeln!(f, "<testsuite name=\"s{i:07}\" tests=\"2\"><testcase name=\"t\"/></testsuite>").unwrap();
    }
    writeln!(f, "</testsuites>").unwrap();
    f.into_inner().unwrap().sync_all().unwrap();

    // 512 MiB of address space: the binary, its threads' stacks and the report fit; a
    // per-suite or per-finding table does not.
    let out = support::output(
        std::process::Command::new("bash")
            .args(["-c", "ulimit -v 524288 && exec \"$0\" \"$@\"", env!("CARGO_BIN_EXE_gen-report")])
            .arg(&path),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("**Result**: ✅ All tests passed: 1,000,000 tests"), "{}", &md[..md.len().min(2000)]);
    // The suite table lists the first 1,000 names and adds up the rest in one row.
    assert_eq!(md.lines().filter(|l| l.starts_with("| s")).count(), 1000);
    assert!(md.contains("| *… other suites* | 999,000 | 999,000 | 0 | 0 | 0 | ✅ |"), "{}", &md[..2000]);
    // 100 findings listed, the rest counted, on stderr as in the report.
    assert_eq!(stderr.lines().filter(|l| l.starts_with("finding: suite")).count(), 100);
    assert!(
        stderr.contains("finding: … and 999,900 more findings in the result files, not listed"),
        "{stderr}"
    );
    assert!(md.len() < 1_000_000, "{} bytes", md.len());
}
