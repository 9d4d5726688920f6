//! Bytes → a data directory (report.yaml, one category, one JUnit file) → `gen_report::main_with`
//! as the binary would run it: any exit code but a panic, and the exit-code contract holds
//! (2: nothing on stdout; 0 or 1: a report).
//!
//! The input is split at the first two `\xFF` bytes (never valid UTF-8, so never inside a real
//! manifest) into report.yaml, categories/c.yaml and results/r.xml; the first byte picks the
//! output format.
#![no_main]

use std::sync::OnceLock;

use gen_report::{Command, Format, Options};
use libfuzzer_sys::fuzz_target;

fn root() -> &'static tempfile::TempDir {
    static ROOT: OnceLock<tempfile::TempDir> = OnceLock::new();
    ROOT.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("data/categories")).unwrap();
        std::fs::create_dir_all(d.path().join("results")).unwrap();
        d
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let mut parts = rest.splitn(3, |&b| b == 0xFF);
    let report = parts.next().unwrap_or_default();
    let category = parts.next().unwrap_or_default();
    let junit = parts.next().unwrap_or_default();

    let root = root().path();
    let data_dir = root.join("data");
    let results = root.join("results/r.xml");
    std::fs::write(data_dir.join("report.yaml"), report).unwrap();
    std::fs::write(data_dir.join("categories/c.yaml"), category).unwrap();
    std::fs::write(&results, junit).unwrap();

    let command = if flags & 4 != 0 { Command::Check } else { Command::Render };
    let options = Options {
        results: if flags & 2 != 0 { vec![results.to_string_lossy().into_owned()] } else { Vec::new() },
        merge_reruns: flags & 8 != 0,
        format: if flags & 1 != 0 { Format::Json } else { Format::Markdown },
        ascii: flags & 16 != 0,
        // A budget that shrinks most reports, or that is too small for them (exit 2).
        budget: if flags & 32 != 0 { Some((usize::from(flags >> 6) * 600 + 100).to_string()) } else { None },
        ..Options::new(command, vec![data_dir.clone()])
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = gen_report::main_with(&options, &mut out, &mut err);
    match code {
        0 | 1 => assert!(options.command == Command::Check || !out.is_empty(), "exit {code} with no report"),
        2 => assert!(out.is_empty(), "exit 2 with output on stdout"),
        other => panic!("unexpected exit code {other}"),
    }
    // Control characters from data never act: only line breaks and tabs reach either stream.
    let controls = |b: &[u8]| String::from_utf8_lossy(b).chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'));
    assert!(!controls(&err), "a control character on stderr: {:?}", String::from_utf8_lossy(&err));
    if options.format == Format::Markdown {
        assert!(!controls(&out), "a control character in the report");
    }
    if options.format == Format::Json && code == 0 && options.command == Command::Render {
        let text = String::from_utf8(out).expect("JSON is UTF-8");
        assert!(!text.contains("NaN") && !text.contains("Infinity"), "non-finite number in the model");
    }
});
