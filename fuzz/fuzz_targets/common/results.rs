//! Shared by the results targets: feed bytes to the reader with a counting sink.

use std::path::Path;

use gen_report::results::{CaseSink, Finding, MESSAGE_LIMIT, ReadOptions, TestCase, read_bytes_with};

/// Which format the input is steered towards (the reader sniffs; the prefix makes it likely).
/// Each target uses one variant.
#[derive(Clone, Copy)]
#[allow(dead_code)]
pub enum Flavour {
    Junit,
    Ctrf,
    Libtest,
    GoTest,
    Tap,
    Mocha,
    Jest,
    Rspec,
    Trx,
    Nunit,
    Xunit,
}

impl Flavour {
    /// The usual opening of a file of this format.
    fn opening(self) -> &'static [u8] {
        match self {
            Flavour::Junit => b"<testsuites>",
            Flavour::Ctrf => br#"{"results":{"tool":{"name":"x"},"tests":["#,
            Flavour::Libtest => b"{ \"type\": \"suite\", \"event\": \"started\", \"test_count\": 1 }\n",
            Flavour::GoTest => b"{\"Action\":\"run\",\"Package\":\"p\",\"Test\":\"T\"}\n",
            Flavour::Tap => b"TAP version 14\n1..3\n",
            Flavour::Mocha => br#"{"stats":{},"passes":["#,
            Flavour::Jest => br#"{"numTotalTests":1,"testResults":[{"assertionResults":["#,
            Flavour::Rspec => br#"{"version":"3.12.0","examples":["#,
            Flavour::Trx => br#"<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>"#,
            Flavour::Nunit => br#"<test-run><test-suite type="TestFixture" name="F">"#,
            Flavour::Xunit => br#"<assemblies><assembly name="a.dll"><collection name="c">"#,
        }
    }
}

/// Counts what it receives and checks every case's invariants.
#[derive(Default)]
struct Counting {
    cases: u64,
    findings: u64,
}

impl CaseSink for Counting {
    fn case(&mut self, case: TestCase) {
        self.cases += 1;
        assert!(case.duration_s.is_finite() && case.duration_s >= 0.0, "duration {}", case.duration_s);
        if let Some(m) = &case.message {
            assert!(m.len() <= MESSAGE_LIMIT, "message of {} bytes", m.len());
        }
    }
    fn finding(&mut self, _: Finding) {
        self.findings += 1;
    }
}

pub fn check(data: &[u8], flavour: Flavour) {
    // Steer the sniffer: raw bytes rarely start like the format, so half the inputs get the
    // format's usual opening; the rest test sniffing itself.
    let mut buf;
    let input = match data.first().map(|b| b & 1) {
        Some(1) => {
            buf = flavour.opening().to_vec();
            buf.extend_from_slice(&data[1..]);
            &buf[..]
        }
        _ => data,
    };
    let path = Path::new("fuzz-input");
    for merge_reruns in [false, true] {
        let mut sink = Counting::default();
        let opts = ReadOptions { merge_reruns };
        if let Ok(summary) = read_bytes_with(input, path, &mut sink, &opts) {
            assert_eq!(summary.cases, sink.cases, "summary count differs from cases handed over");
        }
    }
}
