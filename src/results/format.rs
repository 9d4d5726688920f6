//! The format table: one row per format gen-report recognises — its name, the file endings
//! it is usually written with, what to do instead when it is recognised but not read, and its
//! reader. A new format is its reader file, one row here and, when its first bytes tell it
//! apart, one rule in `detect.rs`.

use std::fmt;
use std::io::BufRead;
use std::path::Path;

use super::locate::Locator;
use super::{CaseSink, ResultsError};
use super::{ctrf, dart, gotest, jestjson, junit, libtest, mocha, nunit, playwright, rspec, tap, trx, xunit};

/// What a results file is, as far as its first bytes tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JUnit XML (`<testsuites>` or `<testsuite>` root).
    Junit,
    /// CTRF JSON (`{"results": {"tool": ..., "tests": [...]}}`).
    Ctrf,
    /// libtest JSON lines (`cargo test -- --format json`, nextest `libtest-json`).
    LibtestJson,
    /// `go test -json` / gotestsum `--jsonfile` (test2json events, one per line).
    GoTestJson,
    /// TAP, the Test Anything Protocol (12, 13 and 14: prove, node --test, node-tap, ...).
    Tap,
    /// Mocha's `--reporter json` document.
    MochaJson,
    /// Playwright's `--reporter=json` document (`config`, `suites`, `errors`, `stats`).
    PlaywrightJson,
    /// Dart/Flutter `--reporter json` events (first line `{"type":"start","protocolVersion":…}`).
    DartJson,
    /// Jest's `--json` document (Vitest's `--reporter=json` has the same shape).
    JestJson,
    /// RSpec's `--format json` document.
    RspecJson,
    /// Visual Studio TRX (`<TestRun>` in the TeamTest 2010 namespace): `dotnet test --logger trx`.
    Trx,
    /// NUnit XML: version 3 (`<test-run>`) or 2.5 (`<test-results>`).
    Nunit {
        /// 2 or 3.
        version: u8,
    },
    /// xUnit.net v2 XML (`<assemblies>`).
    XunitNet,
    /// Catch2's own XML reporter (`<Catch>`/`<Catch2TestRun>`): recognised, not read.
    Catch2Xml,
    /// TestNG's `testng-results.xml`: recognised, not read.
    TestNg,
    /// Check's (the C unit test framework) own XML (`<testsuites xmlns="http://check.sourceforge.net/ns">`
    /// with `<suite>`/`<test result=…>`): recognised, not read.
    CheckXml,
    /// Nothing we know.
    Unknown,
}

/// A reader: streams the cases of `src` into the sink, returns how many it handed over.
pub(super) type ReadFn<R> = fn(R, &Path, &mut dyn CaseSink, &mut Locator<'_>) -> Result<u64, ResultsError>;

/// One row of the format table.
pub(super) struct Row<R> {
    /// The format the row describes.
    pub(super) format: Format,
    /// Human name, for messages (`Format`'s `Display`).
    pub(super) name: &'static str,
    /// File endings (lowercase, no dot) the format is usually written with.
    pub(super) extensions: &'static [&'static str],
    /// For a recognised format that is not read: what to give gen-report instead.
    pub(super) advice: Option<&'static str>,
    /// The reader; `None` for a format that is recognised, not read.
    pub(super) read: Option<ReadFn<R>>,
}

/// A row with a reader.
const fn reads<R>(
    format: Format,
    name: &'static str,
    extensions: &'static [&'static str],
    read: ReadFn<R>,
) -> Row<R> {
    Row { format, name, extensions, advice: None, read: Some(read) }
}

/// A row for a format that is recognised and refused with `advice`.
const fn refused<R>(format: Format, name: &'static str, advice: Option<&'static str>) -> Row<R> {
    Row { format, name, extensions: &[], advice, read: None }
}

const XML: &[&str] = &["xml"];
const JSON: &[&str] = &["json"];
const JSON_LINES: &[&str] = &["json", "jsonl", "ndjson"];

/// Every format, in one table. Generic over the input so each reader is still compiled for
/// the concrete reader type it is handed (no dynamic dispatch per byte).
pub(super) fn rows<R: BufRead>() -> [Row<R>; 18] {
    [
        reads(Format::Junit, "JUnit XML", XML, junit::read),
        reads(Format::Ctrf, "CTRF JSON", JSON, |src, path, sink, _| ctrf::read(src, path, sink)),
        reads(Format::LibtestJson, "libtest JSON", JSON_LINES, |src, path, sink, _| {
            libtest::read(src, path, sink)
        }),
        reads(Format::GoTestJson, "go test JSON (test2json)", JSON_LINES, |src, path, sink, _| {
            gotest::read(src, path, sink)
        }),
        reads(Format::Tap, "TAP", &["tap"], |src, path, sink, _| tap::read(src, path, sink)),
        reads(Format::MochaJson, "Mocha JSON", JSON, |src, path, sink, _| mocha::read(src, path, sink)),
        reads(Format::PlaywrightJson, "Playwright JSON", JSON, |src, path, sink, _| {
            playwright::read(src, path, sink)
        }),
        reads(Format::DartJson, "Dart JSON", JSON_LINES, |src, path, sink, _| dart::read(src, path, sink)),
        reads(Format::JestJson, "Jest/Vitest JSON", JSON, |src, path, sink, _| {
            jestjson::read(src, path, sink)
        }),
        reads(Format::RspecJson, "RSpec JSON", JSON, |src, path, sink, _| rspec::read(src, path, sink)),
        reads(Format::Trx, "TRX (Visual Studio test results)", &["trx", "xml"], trx::read),
        reads(Format::Nunit { version: 2 }, "NUnit 2 XML", XML, nunit::read),
        reads(Format::Nunit { version: 3 }, "NUnit 3 XML", XML, nunit::read),
        reads(Format::XunitNet, "xUnit.net v2 XML", XML, xunit::read),
        refused(Format::Catch2Xml, "Catch2 XML", Some("run the tests with `--reporter junit` for JUnit XML")),
        refused(
            Format::TestNg,
            "TestNG XML",
            Some("read the JUnit XML TestNG writes beside it (`junitreports/TEST-*.xml`) instead"),
        ),
        refused(
            Format::CheckXml,
            "Check XML",
            Some(
                "have Check write TAP instead (`srunner_set_tap(sr, \"check.tap\")` or \
                 CK_TAP_LOG_FILE_NAME=check.tap)",
            ),
        ),
        refused(Format::Unknown, "unknown format", None),
    ]
}

/// The row of `format` (input type `R`).
pub(super) fn row<R: BufRead>(format: Format) -> Row<R> {
    // NUnit is told apart by version 2; every other version reads (and is named) as NUnit 3.
    let key = match format {
        Format::Nunit { version: 2 } => format,
        Format::Nunit { .. } => Format::Nunit { version: 3 },
        other => other,
    };
    let mut unknown = None;
    for r in rows::<R>() {
        if r.format == key {
            return r;
        }
        if r.format == Format::Unknown {
            unknown = Some(r);
        }
    }
    // Every variant has a row (tested); an unknown row stands in rather than a panic.
    unknown.unwrap_or(Row {
        format: Format::Unknown,
        name: "unknown format",
        extensions: &[],
        advice: None,
        read: None,
    })
}

/// Row lookups that need no reader.
fn info(format: Format) -> Row<&'static [u8]> {
    row::<&'static [u8]>(format)
}

impl Format {
    /// Whether gen-report reads this format (the others are refused with a clear error).
    pub fn is_supported(self) -> bool {
        info(self).read.is_some()
    }

    /// What to do instead, for a recognised format gen-report does not read.
    pub(super) fn advice(self) -> Option<&'static str> {
        info(self).advice
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(info(*self).name)
    }
}

/// File endings (lowercase, without the dot) that result files are written with, each once,
/// in the table's order.
pub fn result_extensions() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for r in rows::<&[u8]>() {
        for e in r.extensions {
            if !out.contains(e) {
                out.push(e);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_has_its_own_row() {
        let all = [
            Format::Junit,
            Format::Ctrf,
            Format::LibtestJson,
            Format::GoTestJson,
            Format::Tap,
            Format::MochaJson,
            Format::PlaywrightJson,
            Format::DartJson,
            Format::JestJson,
            Format::RspecJson,
            Format::Trx,
            Format::Nunit { version: 2 },
            Format::Nunit { version: 3 },
            Format::XunitNet,
            Format::Catch2Xml,
            Format::TestNg,
            Format::CheckXml,
            Format::Unknown,
        ];
        let table = rows::<&[u8]>();
        assert_eq!(table.len(), all.len());
        for f in all {
            assert_eq!(table.iter().filter(|r| r.format == f).count(), 1, "{f:?}");
            // A read format needs no advice; a refused one (but Unknown) gives some.
            let r = info(f);
            assert_eq!(r.read.is_some(), r.advice.is_none() && f != Format::Unknown, "{f:?}");
        }
        assert_eq!(Format::Nunit { version: 4 }.to_string(), "NUnit 3 XML");
    }

    #[test]
    fn extensions_are_the_ones_directories_are_searched_for() {
        let mut got = result_extensions();
        got.sort_unstable();
        assert_eq!(got, ["json", "jsonl", "ndjson", "tap", "trx", "xml"]);
    }
}
