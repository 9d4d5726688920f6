//! Which category a test case belongs to, by its file or classname (`location:`).
//!
//! A case belongs to the category whose `location` equals a run of whole segments of the
//! case's `file` or of its classname; the longest matching location wins (ties: the first
//! category). Each ecosystem's natural spelling matches:
//!
//! | ecosystem | `location:` | matches |
//! |---|---|---|
//! | Python | `tests/integration/test_gcp.py` | file `tests/integration/test_gcp.py`, classname `tests.integration.test_gcp.TestGcp` |
//! | Java/Kotlin | `src/test/java/demo/FlakyTest.java` or `demo.FlakyTest` | classname `demo.FlakyTest` (the source root `src/*/java/` is not part of the package) |
//! | Go | `example.com/demo/netx` | classname (package) `example.com/demo/netx`, subpackages below it |
//! | JS/TS | `test/report.spec.js` | file `/home/ci/project/test/report.spec.js` (mocha's suite-level `file` too) |
//! | Rust | `alpha` | nextest's binary id `alpha`, `alpha::alpha` |
//!
//! Paths are split on `/`, `\` and `.`, and classnames also on `::`; a known source-file
//! extension is dropped first (`.py`, `.java`, `.go`, `.js`, …), while other dots are
//! separators (`demo.FlakyTest` is a package and a class, not a file with a `.FlakyTest`
//! extension).
//!
//! Matching is linear in the case's segments: locations are indexed by their last segment, and
//! only locations ending in a case segment are compared.

use std::collections::HashMap;

use crate::results::TestCase;

/// File extensions of test sources, dropped before matching.
const SOURCE_EXTENSIONS: &[&str] = &[
    "py", "java", "kt", "kts", "scala", "groovy", "go", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx",
    "rs", "rb", "php", "cs", "fs", "vb", "cpp", "cc", "cxx", "c", "h", "hpp", "m", "mm", "swift", "dart",
    "ex", "exs", "erl", "clj", "lua", "pl", "t", "r", "jl", "xml", "json",
];

/// Source roots that are not part of a JVM package (`src/test/java/demo/T.java` → `demo/T`).
const JVM_ROOTS: &[&str] = &["java", "kotlin", "scala", "groovy"];

/// Case segments considered: a classname of 100,000 segments is not worth more.
const MAX_SEGMENTS: usize = 256;

/// Decides which category a case belongs to by its file or classname.
#[derive(Debug, Default)]
pub struct Locator {
    /// Last segment → (location segments, category index), first category first.
    by_last: HashMap<String, Vec<(Vec<String>, usize)>>,
}

impl Locator {
    /// A locator over `(category index, location)` pairs.
    pub fn new<'a>(locations: impl IntoIterator<Item = (usize, &'a str)>) -> Self {
        let mut by_last: HashMap<String, Vec<(Vec<String>, usize)>> = HashMap::new();
        for (i, loc) in locations {
            for segs in spellings(loc) {
                let Some(last) = segs.last().cloned() else { continue };
                let entry = by_last.entry(last).or_default();
                if !entry.iter().any(|(s, _)| *s == segs) {
                    entry.push((segs, i));
                }
            }
        }
        Self { by_last }
    }

    /// The category index of `case`, if any location matches.
    pub fn locate(&self, case: &TestCase) -> Option<usize> {
        if self.by_last.is_empty() {
            return None;
        }
        let mut best: Option<(usize, usize)> = None; // (segments matched, category)
        let mut consider = |segs: &[&str]| {
            let segs = &segs[segs.len().saturating_sub(MAX_SEGMENTS)..];
            // `upto` counts the segments up to and including `seg`.
            for (upto, seg) in (1..).zip(segs) {
                let Some(candidates) = self.by_last.get(*seg) else { continue };
                for (loc, cat) in candidates {
                    let n = loc.len();
                    if n > upto || !loc.iter().rev().zip(segs[..upto].iter().rev()).all(|(a, b)| a == b) {
                        continue;
                    }
                    let better = match best {
                        None => true,
                        Some((len, c)) => n > len || (n == len && *cat < c),
                    };
                    if better {
                        best = Some((n, *cat));
                    }
                }
            }
        };
        if let Some(f) = &case.file {
            consider(&path_segments(strip_source_ext(f)));
        }
        if let Some(c) = &case.classname {
            consider(&classname_segments(c));
        }
        best.map(|(_, c)| c)
    }
}

/// The segment lists a `location:` matches by: as written, and for a JVM source path also
/// its package path.
fn spellings(loc: &str) -> Vec<Vec<String>> {
    let segs: Vec<String> = path_segments(strip_source_ext(loc)).into_iter().map(str::to_string).collect();
    let mut out = vec![segs.clone()];
    // `src/test/java/demo/FlakyTest` → `demo/FlakyTest`.
    if let Some(root) = segs.iter().position(|s| JVM_ROOTS.contains(&s.as_str()))
        && root > 0
        && let Some((_, below)) = segs[root..].split_first()
        && !below.is_empty()
    {
        out.push(below.to_vec());
    }
    out
}

/// `a/b/c.py` → `a/b/c`; `demo.FlakyTest` stays (not a source extension).
fn strip_source_ext(p: &str) -> &str {
    // The last dot is the extension's when no separator follows it and the file name has a
    // stem before it (`.hidden` has none).
    match p.rsplit_once('.') {
        Some((stem, ext))
            if !ext.contains(['/', '\\'])
                && !stem.is_empty()
                && !stem.ends_with(['/', '\\'])
                && SOURCE_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)) =>
        {
            stem
        }
        _ => p,
    }
}

fn path_segments(p: &str) -> Vec<&str> {
    p.split(['/', '\\', '.']).filter(|s| !s.is_empty()).collect()
}

fn classname_segments(c: &str) -> Vec<&str> {
    c.split(['/', '\\', '.', ':']).filter(|s| !s.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Outcome;

    fn case(file: Option<&str>, classname: Option<&str>) -> TestCase {
        TestCase {
            suite: "s".into(),
            suite_index: 0,
            name: "t".into(),
            classname: classname.map(str::to_string),
            file: file.map(str::to_string),
            line: None,
            outcome: Outcome::Passed,
            flaky: false,
            duration_s: 0.0,
            runs: 1,
            failed_runs: 0,
            message: None,
        }
    }

    #[test]
    fn matches_files_classnames_and_prefers_the_longest() {
        let loc =
            Locator::new([(0, "tests/integration"), (1, "tests/integration/test_gcp.py"), (2, "tests/e2e/")]);
        let c = |f: Option<&str>, cl: Option<&str>| loc.locate(&case(f, cl));
        assert_eq!(c(Some("tests/integration/test_gcp.py"), None), Some(1));
        assert_eq!(c(Some("/home/ci/repo/tests/integration/test_staging.py"), None), Some(0));
        assert_eq!(c(None, Some("tests.integration.test_gcp.TestGcp")), Some(1));
        assert_eq!(c(None, Some("tests.e2e.test_flow")), Some(2));
        assert_eq!(c(Some("./tests/e2e/a.py"), None), Some(2));
        assert_eq!(c(Some("other/tests_integration.py"), None), None);
        assert_eq!(c(None, None), None);
    }

    // Checks one natural spelling per ecosystem (the table in the module docs).
    #[test]
    fn each_ecosystem_matches_its_own_spelling() {
        let loc = Locator::new([
            (0, "src/test/java/demo/FlakyTest.java"),
            (1, "example.com/demo/netx"),
            (2, "test/report.spec.js"),
            (3, "alpha"),
            (4, "demo.Other"),
        ]);
        let c = |f: Option<&str>, cl: Option<&str>| loc.locate(&case(f, cl));
        assert_eq!(c(None, Some("demo.FlakyTest")), Some(0), "Java classname ↔ source path");
        assert_eq!(c(None, Some("example.com/demo/netx")), Some(1), "Go import path");
        assert_eq!(c(None, Some("example.com/demo/netx/sub")), Some(1), "Go subpackage");
        assert_eq!(c(Some("/home/ci/project/test/report.spec.js"), None), Some(2), "JS test file");
        assert_eq!(c(None, Some("alpha::alpha")), Some(3), "nextest binary id");
        assert_eq!(c(None, Some("demo.Other")), Some(4), "a dotted location is not a file extension");
        assert_eq!(c(None, Some("demo.FlakyTestHelper")), None, "whole segments only");
    }

    // Checks that a huge classname is cheap: only the last MAX_SEGMENTS segments are looked at,
    // each with one hash lookup.
    #[test]
    fn huge_classnames_are_bounded() {
        let loc = Locator::new((0..31).map(|i| (i, if i == 0 { "a.b" } else { "x.y" })));
        let long = vec!["a"; 100_000].join(".") + ".a.b";
        assert_eq!(loc.locate(&case(None, Some(&long))), Some(0));
    }
}
