//! Bytes → the YAML loader of a category manifest and of report.yaml: errors, never panics.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The loader reads UTF-8 only (with an optional BOM); other bytes are refused before YAML.
    let Ok(text) = std::str::from_utf8(data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data)) else { return };
    let file = Path::new("categories/fuzz.yaml");
    match gen_report::manifest::parse_category_str(text, file) {
        Ok(c) => {
            assert!(c.value.is_finite() && c.value >= 0.0, "invalid value accepted: {}", c.value);
            assert!(!c.name.trim().is_empty(), "empty name accepted");
        }
        Err(diags) => check(&diags, text, file),
    }
    let file = Path::new("report.yaml");
    match gen_report::manifest::parse_report_str(text, file) {
        Ok(r) => assert!(r.value_target.is_none_or(|v| v.is_finite() && v >= 0.0)),
        Err(diags) => check(&diags, text, file),
    }
});

/// Every error names the file, says something, and (when it has one) points inside the text.
fn check(diags: &[gen_report::Diagnostic], text: &str, file: &Path) {
    assert!(!diags.is_empty());
    // Lines as YAML counts them: a lone CR is a line break too.
    let lines = text.replace("\r\n", "\n").replace('\r', "\n").lines().count() as u64;
    for d in diags {
        assert_eq!(d.file, file);
        assert!(!d.message.is_empty());
        if let Some(line) = d.line {
            assert!(line >= 1 && line <= lines + 1, "line {line} outside the text: {d:?}");
        }
        // Rendering with the source must not panic either (it slices lines and pads carets).
        let _ = d.render(Some(text));
    }
}
