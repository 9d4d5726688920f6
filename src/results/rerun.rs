//! TODO
use super::{CaseSink, Finding, TestCase};
/// x
pub struct RerunMerger<S: CaseSink> {
    inner: S,
}
impl<S: CaseSink> RerunMerger<S> {
    /// x
    pub fn new(inner: S) -> Self {
        Self { inner }
    }
    /// x
    pub fn finish(&mut self) -> u64 {
        0
    }
}
impl<S: CaseSink> CaseSink for RerunMerger<S> {
    fn case(&mut self, c: TestCase) {
        self.inner.case(c)
    }
    fn finding(&mut self, f: Finding) {
        self.inner.finding(f)
    }
}
