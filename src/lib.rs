//! gen-report: turn test manifests and real test results into a computed Markdown report.

pub mod results;
