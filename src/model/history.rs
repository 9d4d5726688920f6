//! History across runs (`--history DIR`, `--record FILE`): the trend of the last runs, new
//! failures, tests still failing, fixed tests, tests flaky across runs, the slowest tests and the
//! tests that slowed down. Every figure of the History section is computed here; reading and
//! writing record files is `crate::records`'s job.
//!
//! Tests are told apart by their identity: their suite, classname and name ([`test_id`]), never
//! the results file's path (that only tells apart two cases of
//! one run sharing all of those, [`TestLog::ids`]). Per-test lists are about the tests of this run.

use std::collections::HashMap;

use serde::Serialize;

use crate::results::{Outcome, TestCase};

/// Runs a History section covers by default, this one included.
pub const DEFAULT_WINDOW: usize = 20;
/// Tests listed per list (new failures, still failing, fixed, flaky, slowed down); the rest are
/// counted in the list's `_total`.
pub const LIST_KEPT: usize = 50;
/// Slowest tests of this run listed.
pub const SLOWEST_KEPT: usize = 10;
/// A test is flaky across runs when its outcome flipped (passed ↔ failed) at least this often
/// in the window: one flip is a break or a fix, two are a test that does not stay put.
pub const FLAKY_MIN_FLIPS: u64 = 2;
/// A test slowed down when this run took at least this many times the median of its earlier
/// timings in the window...
pub const SLOWED_RATIO: f64 = 2.0;
/// ... and at least this many seconds more (so a 2 ms test taking 5 ms is not news) ...
pub const SLOWED_MIN_DELTA_S: f64 = 0.1;
/// ... with at least this many earlier timings to take a median of.
pub const SLOWED_MIN_RUNS: usize = 3;

/// One test's state in one run. Ordered so that a larger value is a worse outcome among those
/// that ran; `Absent` means the run has no such test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum State {
    #[default]
    Absent = 0,
    Passed = 1,
    /// Passed on a rerun within the run (flaky within the run).
    Flaky = 2,
    Skipped = 3,
    Failed = 4,
    Error = 5,
}

impl State {
    /// The state of one case.
    pub fn of(outcome: Outcome, flaky: bool) -> State {
        match outcome {
            Outcome::Passed if flaky => State::Flaky,
            Outcome::Passed => State::Passed,
            Outcome::Skipped => State::Skipped,
            Outcome::Failed => State::Failed,
            Outcome::Error => State::Error,
        }
    }

    fn from_u8(v: u8) -> State {
        match v {
            1 => State::Passed,
            2 => State::Flaky,
            3 => State::Skipped,
            4 => State::Failed,
            5 => State::Error,
            _ => State::Absent,
        }
    }

    /// Failed or errored.
    pub fn failing(self) -> bool {
        matches!(self, State::Failed | State::Error)
    }

    /// Passed, on the first try or a rerun.
    pub fn passing(self) -> bool {
        matches!(self, State::Passed | State::Flaky)
    }

    /// Ran to a verdict (passed or failed): the runs that count for flips and timings.
    pub fn ran(self) -> bool {
        self.passing() || self.failing()
    }

    /// Two results of one test in one run (a test written twice, reruns not merged): passed if
    /// either passed (flaky when the other failed), else the worse — the `--merge-reruns` rule.
    pub fn merge(self, other: State) -> State {
        match (self, other) {
            (State::Absent, o) | (o, State::Absent) => o,
            (a, b) if a.passing() || b.passing() => {
                if a == State::Flaky || b == State::Flaky || a.failing() || b.failing() {
                    State::Flaky
                } else {
                    State::Passed
                }
            }
            (a, b) => a.max(b),
        }
    }
}

/// The 64-bit identity of a test (records of version 2 on): FNV-1a over the length-prefixed
/// suite, classname and name, finished with MurmurHash3's mixer. The results file's path is not
/// in it: CI writes `run-7/junit-1234.xml` one run and `run-8/junit-1240.xml` the next. Nor is
/// the source file a case states: readers take it from a failure's location when the test case
/// has none (so it would come and go with the failure), and runners write absolute checkout
/// paths that differ between machines. Stable across platforms and versions (records store it).
pub fn test_id(suite: &str, classname: &str, name: &str) -> u64 {
    hash_parts(&[suite, classname, name])
}

/// The identity of a case whose [`test_id`] an earlier results file of this run already gave
/// to another case: the results file path, only here, tells the two apart.
pub fn test_id_in(suite: &str, classname: &str, name: &str, file: &str) -> u64 {
    hash_parts(&[suite, classname, name, file])
}

/// The identity records of version 1 stored: the results file path, suite, classname and name.
/// Kept to document and test what those records hold; their rows are matched by [`test_id`]
/// computed from their suite, classname and name columns.
pub fn test_id_v1(file: &str, suite: &str, classname: &str, name: &str) -> u64 {
    hash_parts(&[file, suite, classname, name])
}

/// A looser identity, suite and name only, for CTRF reports: CTRF says neither which results
/// file a test came from nor its class.
pub fn loose_id(suite: &str, name: &str) -> u64 {
    hash_parts(&[suite, name])
}

fn hash_parts(parts: &[&str]) -> u64 {
    let h = parts.iter().fold(FNV_OFFSET, |h, p| {
        // The length first, so ("ab", "c") and ("a", "bc") differ.
        fnv1a(fnv1a(h, &(p.len() as u64).to_le_bytes()), p.as_bytes())
    });
    mix64(h)
}

/// FNV-1a 64's starting state.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// FNV-1a 64 over `bytes`, continuing from state `h` ([`FNV_OFFSET`] to start): a fixed hash,
/// the same on every platform and run.
pub(crate) fn fnv1a(h: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// MurmurHash3's 64-bit finaliser: FNV's low bits mix poorly, and hash tables index by them.
pub(crate) fn mix64(h: u64) -> u64 {
    let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    let h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// A results file path as part of an identity: `./` and `\` spellings of one path are one path.
pub fn identity_file(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    p
}

/// Strings kept once (results files, suites, classnames repeat across many tests).
#[derive(Debug, Clone, Default)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interner {
    /// The index of `s`, added when new.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = u32::try_from(self.strings.len()).unwrap_or(u32::MAX);
        self.strings.push(s.into());
        self.index.insert(s.into(), i);
        i
    }

    /// The string at `i` ("" when out of range).
    pub fn get(&self, i: u32) -> &str {
        self.strings.get(i as usize).map_or("", |s| s)
    }
}

/// One test case of this run, compactly: what a record keeps per test.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedTest {
    /// Interned: the results file (as an identity, see [`identity_file`]).
    pub file: u32,
    /// Interned suite.
    pub suite: u32,
    /// Interned classname ("" when none).
    pub classname: u32,
    pub name: Box<str>,
    pub outcome: Outcome,
    pub flaky: bool,
    /// Wall time in whole milliseconds (records keep milliseconds, so this run compares with
    /// earlier ones at the same precision).
    pub duration_ms: u64,
    /// Index of the category the case belongs to.
    pub category: Option<u32>,
}

/// Every case of this run, for `--record` and `--history` (the only features that need every
/// case: memory then grows with the cases, about 60 bytes plus the name each).
#[derive(Debug, Clone, Default)]
pub struct TestLog {
    pub strings: Interner,
    pub tests: Vec<LoggedTest>,
}

/// Milliseconds of a duration in seconds (0 for nonsense).
pub fn millis(seconds: f64) -> u64 {
    if seconds.is_finite() && seconds > 0.0 {
        (seconds * 1000.0).round().min(u64::MAX as f64) as u64
    } else {
        0
    }
}

impl TestLog {
    /// Adds one case read from `source` (the results file).
    pub fn push(&mut self, case: &TestCase, source: &str, category: Option<usize>) {
        let file = self.strings.intern(&identity_file(source));
        let suite = self.strings.intern(&case.suite);
        let classname = self.strings.intern(case.classname.as_deref().unwrap_or(""));
        self.tests.push(LoggedTest {
            file,
            suite,
            classname,
            name: case.name.as_str().into(),
            outcome: case.outcome,
            flaky: case.flaky,
            duration_ms: millis(case.duration_s),
            category: category.and_then(|c| u32::try_from(c).ok()),
        });
    }

    /// Appends `other`'s cases, read after this log's.
    pub fn merge(&mut self, other: TestLog) {
        let map: Vec<u32> = other.strings.strings.iter().map(|s| self.strings.intern(s)).collect();
        let remap = |i: u32| map.get(i as usize).copied().unwrap_or(0);
        self.tests.extend(other.tests.into_iter().map(|mut t| {
            t.file = remap(t.file);
            t.suite = remap(t.suite);
            t.classname = remap(t.classname);
            t
        }));
    }

    /// The identity of every case, in log order: [`test_id`], or [`test_id_in`] for a case
    /// whose [`test_id`] a case of an earlier results file of this run has (cases of one file
    /// sharing it are one test run twice).
    pub fn ids(&self) -> Vec<u64> {
        let mut first_file: HashMap<u64, u32, IdHasher> = HashMap::default();
        self.tests
            .iter()
            .map(|t| {
                let g = |i| self.strings.get(i);
                let id = test_id(g(t.suite), g(t.classname), &t.name);
                match *first_file.entry(id).or_insert(t.file) {
                    f if f == t.file => id,
                    _ => test_id_in(g(t.suite), g(t.classname), &t.name, g(t.file)),
                }
            })
            .collect()
    }
}

/// A test as the History section names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestRef {
    pub name: String,
    pub suite: String,
    /// `null` when the results have none.
    pub classname: Option<String>,
    /// The results file it came from.
    pub file: String,
}

/// The tests of this run, one entry per identity, with the index past runs are mapped onto.
#[derive(Debug, Clone, Default)]
pub struct CurrentRun<'a> {
    log: Option<&'a TestLog>,
    /// Per identity, in first-seen order: the index of its first case in the log.
    first: Vec<u32>,
    pub states: Vec<State>,
    /// Milliseconds (summed over the cases of one identity).
    pub durations: Vec<u64>,
    ids: HashMap<u64, u32, IdHasher>,
    /// Per identity, in first-seen order: the identity (for [`CurrentRun::index_after`]).
    id_of: Vec<u64>,
    /// Loose identities (suite and name) that are unique in this run.
    loose: HashMap<u64, u32, IdHasher>,
    /// [`test_id`]s (suite, classname, name) of one test only in this run: version-1 records'
    /// match (a second results file's copy has [`test_id_in`] but makes the triple ambiguous).
    plain: HashMap<u64, u32, IdHasher>,
}

/// Hashes identities, which are hashes already: well mixed, and a map lookup per test and run
/// of the window must be cheap (SipHash was a tenth of a 100-run history's time).
#[derive(Debug, Clone, Copy, Default)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

impl std::hash::BuildHasher for IdHasher {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

/// `u32::MAX` in [`CurrentRun::loose`]: two tests of this run share the loose identity.
const AMBIGUOUS: u32 = u32::MAX;

impl<'a> CurrentRun<'a> {
    /// This run's tests from its log; cases sharing an identity merge (see [`State::merge`]).
    pub fn from_log(log: &'a TestLog) -> CurrentRun<'a> {
        let mut run = CurrentRun { log: Some(log), ..CurrentRun::default() };
        for (k, (t, id)) in log.tests.iter().zip(log.ids()).enumerate() {
            let state = State::of(t.outcome, t.flaky);
            match run.ids.get(&id) {
                Some(&i) => {
                    let i = i as usize;
                    run.states[i] = run.states[i].merge(state);
                    run.durations[i] = run.durations[i].saturating_add(t.duration_ms);
                }
                None => {
                    let i = u32::try_from(run.first.len()).unwrap_or(AMBIGUOUS - 1);
                    run.ids.insert(id, i);
                    run.loose
                        .entry(loose_id(log.strings.get(t.suite), &t.name))
                        .and_modify(|v| *v = AMBIGUOUS)
                        .or_insert(i);
                    let g = |s| log.strings.get(s);
                    run.plain
                        .entry(test_id(g(t.suite), g(t.classname), &t.name))
                        .and_modify(|v| *v = AMBIGUOUS)
                        .or_insert(i);
                    run.first.push(u32::try_from(k).unwrap_or(u32::MAX));
                    run.id_of.push(id);
                    run.states.push(state);
                    run.durations.push(t.duration_ms);
                }
            }
        }
        run
    }

    /// Test `i` as the History section names it.
    pub fn test(&self, i: usize) -> TestRef {
        let Some((log, t)) = self.log.and_then(|l| Some((l, l.tests.get(*self.first.get(i)? as usize)?)))
        else {
            return TestRef {
                name: String::new(),
                suite: String::new(),
                classname: None,
                file: String::new(),
            };
        };
        let classname = log.strings.get(t.classname);
        TestRef {
            name: t.name.to_string(),
            suite: log.strings.get(t.suite).to_string(),
            classname: (!classname.is_empty()).then(|| classname.to_string()),
            file: log.strings.get(t.file).to_string(),
        }
    }

    /// The category index of test `i` in this run.
    pub fn category(&self, i: usize) -> Option<u32> {
        let log = self.log?;
        log.tests.get(*self.first.get(i)? as usize)?.category
    }

    /// The index of the test with identity `id`, if this run has it.
    pub fn index(&self, id: u64) -> Option<usize> {
        self.ids.get(&id).map(|&i| i as usize)
    }

    /// Like [`CurrentRun::index`], trying the test after `previous` first: an earlier run's rows
    /// mostly come in this run's order, so most rows need no map lookup.
    pub fn index_after(&self, id: u64, previous: Option<usize>) -> Option<usize> {
        let next = previous.map_or(0, |p| p.saturating_add(1));
        if self.id_of.get(next) == Some(&id) { Some(next) } else { self.index(id) }
    }

    /// The index of the one test of this run with this loose identity.
    pub fn index_loose(&self, loose: u64) -> Option<usize> {
        self.loose.get(&loose).filter(|&&i| i != AMBIGUOUS).map(|&i| i as usize)
    }

    /// The one test of this run with this [`test_id`] (a version-1 record's row, recomputed).
    pub fn index_plain(&self, plain: u64) -> Option<usize> {
        self.plain.get(&plain).filter(|&&i| i != AMBIGUOUS).map(|&i| i as usize)
    }

    /// Whether per-test results exist for this run (false in declared-only mode).
    pub fn measured(&self) -> bool {
        self.log.is_some()
    }

    pub fn len(&self) -> usize {
        self.first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }
}

/// Totals of one run, as its record states them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct RunTotals {
    pub tests: u64,
    pub passed: u64,
    pub failures: u64,
    pub errors: u64,
    pub skipped: u64,
    pub flaky: u64,
    pub duration_s: f64,
}

/// One category's figures in one run.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct CategoryPoint {
    pub name: String,
    pub target: u64,
    /// The count declared in the manifest.
    pub declared: u64,
    /// Measured tests; `null` when the category had no results.
    pub tests: Option<u64>,
    /// Tests credited toward the target (passing tests when measured, else declared).
    pub credited: u64,
    pub met: bool,
}

/// What a run's record says about the run as a whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct RunInfo {
    pub label: String,
    /// The report's date (`YYYY-MM-DD`), when it had one.
    pub date: Option<String>,
    /// `SOURCE_DATE_EPOCH` (seconds) when it was set: orders runs of one day.
    pub timestamp: Option<i64>,
    /// `GITHUB_SHA`, when set.
    pub commit: Option<String>,
    /// Measured totals; `null` when the run had no results.
    pub totals: Option<RunTotals>,
    /// The overall target (manifest mode), else 0.
    pub target: u64,
    /// Tests credited toward it.
    pub credited: u64,
    #[serde(default)]
    pub categories: Vec<CategoryPoint>,
}

/// This run's header, from its report: what its record says and its row in the trend.
pub fn run_info(
    report: &super::Report,
    label: String,
    timestamp: Option<i64>,
    commit: Option<String>,
) -> RunInfo {
    let totals = report.totals.measured.map(|m| RunTotals {
        tests: m.tests,
        passed: m.passed,
        failures: m.failures,
        errors: m.errors,
        skipped: m.skipped,
        flaky: m.flaky,
        duration_s: m.duration_s,
    });
    RunInfo {
        label,
        date: report.date.clone(),
        timestamp,
        commit,
        totals,
        target: report.totals.target,
        credited: report.totals.credited,
        categories: report
            .categories
            .iter()
            .map(|c| CategoryPoint {
                name: c.name.clone(),
                target: c.target,
                declared: c.declared_tests,
                tests: c.measured.map(|m| m.tests),
                credited: c.credited,
                met: c.met,
            })
            .collect(),
    }
}

/// One earlier run, mapped onto this run's tests.
#[derive(Debug, Clone)]
pub struct PastRun {
    pub info: RunInfo,
    /// The record's file, as shown.
    pub file: String,
    /// Per test of this run (see [`CurrentRun`]): its state in that run, as `State as u8`.
    states: Vec<u8>,
    /// Per test of this run: milliseconds in that run.
    durations: Vec<u32>,
    /// Rows of the record that are not tests of this run.
    pub unmatched: u64,
    /// Read for the previous run only: its tests that this run lacks (the first
    /// [`LIST_KEPT`]), and how many there are.
    pub removed: Vec<TestRef>,
    pub removed_total: u64,
    /// Read for the previous run only: per test of this run, its category in that run; empty
    /// when not read (a CTRF report has no categories).
    pub categories: Vec<Option<String>>,
}

impl PastRun {
    /// An earlier run with no test of this run seen yet.
    pub fn new(info: RunInfo, file: String, tests: usize) -> PastRun {
        PastRun {
            info,
            file,
            states: vec![0; tests],
            durations: vec![0; tests],
            unmatched: 0,
            removed: Vec::new(),
            removed_total: 0,
            categories: Vec::new(),
        }
    }

    /// Records one row of the run: the test at `index` of this run (or none) ended in `state`.
    pub fn add(&mut self, index: Option<usize>, state: State, duration_ms: u64) {
        let Some(i) = index.filter(|&i| i < self.states.len()) else {
            self.unmatched = self.unmatched.saturating_add(1);
            return;
        };
        let ms = u32::try_from(duration_ms).unwrap_or(u32::MAX);
        if self.states[i] == State::Absent as u8 {
            self.states[i] = state as u8;
            self.durations[i] = ms;
        } else {
            self.states[i] = State::from_u8(self.states[i]).merge(state) as u8;
            self.durations[i] = self.durations[i].saturating_add(ms);
        }
    }

    pub fn state(&self, i: usize) -> State {
        self.states.get(i).map_or(State::Absent, |&s| State::from_u8(s))
    }

    fn duration_ms(&self, i: usize) -> u64 {
        self.durations.get(i).map_or(0, |&d| u64::from(d))
    }
}

/// A record in the history folder before it is read in full: enough to order and pick it.
#[derive(Debug, Clone)]
pub struct RecordMeta {
    pub info: RunInfo,
    /// The record's file, as shown; the last tie-breaker.
    pub file: String,
}

/// Sorts records oldest first: by label as a number when every label is a whole number (run
/// numbers), else by date, then `SOURCE_DATE_EPOCH`, then label in natural order ("run-9" before
/// "run-10"); records without a date come first. Ties go by file name. Deterministic.
pub fn sort_records(records: &mut [RecordMeta]) {
    let numeric = records.iter().all(|r| r.info.label.parse::<u64>().is_ok());
    records.sort_by(|a, b| {
        let by_label = if numeric {
            let n = |r: &RecordMeta| r.info.label.parse::<u64>().unwrap_or(0);
            n(a).cmp(&n(b))
        } else {
            a.info
                .date
                .cmp(&b.info.date)
                .then(a.info.timestamp.cmp(&b.info.timestamp))
                .then_with(|| natural_cmp(&a.info.label, &b.info.label))
        };
        by_label.then_with(|| a.file.cmp(&b.file))
    });
}

/// Compares strings with runs of digits compared as numbers.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a.as_bytes(), b.as_bytes());
    loop {
        match (x.first(), y.first()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let dx = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let dy = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (nx, ny) = (trim_zeros(&x[..dx]), trim_zeros(&y[..dy]));
                let o = nx.len().cmp(&ny.len()).then(nx.cmp(ny));
                if o != Ordering::Equal {
                    return o;
                }
                x = &x[dx..];
                y = &y[dy..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn trim_zeros(d: &[u8]) -> &[u8] {
    let z = d.iter().take_while(|&&c| c == b'0').count();
    &d[z.min(d.len().saturating_sub(1))..]
}

/// A history file that was not used, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedRecord {
    pub file: String,
    pub reason: String,
}

/// What was found in the history folder.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Folder {
    pub path: String,
    /// False when the folder does not exist (yet): a CI cache that missed.
    pub exists: bool,
    /// Records found (readable headers), before the window was applied.
    pub records: usize,
    /// Files not used: unreadable, corrupt, truncated, from a newer gen-report, foreign.
    pub skipped: Vec<SkippedRecord>,
}

/// One run of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunPoint {
    pub label: String,
    pub date: Option<String>,
    pub commit: Option<String>,
    /// This run (the newest).
    pub current: bool,
    /// The record it was read from; `null` for this run.
    pub file: Option<String>,
    /// Measured totals; `null` when that run had no results.
    pub totals: Option<RunTotals>,
    /// Failures plus errors (0 without results).
    pub failed: u64,
    pub target: u64,
    pub credited: u64,
}

/// A test failing now that did not fail in the previous run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFailure {
    #[serde(flatten)]
    pub test: TestRef,
    /// `failed` or `error`.
    pub state: State,
    /// Its state in the previous run: `passed`, `flaky`, `skipped`, `absent` (a new test, or
    /// one that did not run), or `null` when there is no previous run.
    pub previous: Option<State>,
}

/// A test failing now and in the previous run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StillFailing {
    #[serde(flatten)]
    pub test: TestRef,
    pub state: State,
    /// Consecutive runs, ending with this one, in which it failed.
    pub runs: u64,
    /// The first run of that streak.
    pub since: String,
    /// The streak reaches the oldest run of the window: it may be longer.
    pub at_least: bool,
}

/// A test that failed in the previous run and passes now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fixed {
    #[serde(flatten)]
    pub test: TestRef,
    /// Consecutive runs it had failed, ending with the previous one.
    pub failed_runs: u64,
    /// The first run of that streak.
    pub since: String,
    pub at_least: bool,
}

/// A test whose outcome flipped between passed and failed within the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlakyTest {
    #[serde(flatten)]
    pub test: TestRef,
    /// Runs of the window in which it passed or failed (skipped and absent runs do not count).
    pub runs: u64,
    /// Changes between passed and failed from one such run to the next.
    pub flips: u64,
    /// Runs in which it failed.
    pub failed: u64,
    /// `flips / (runs − 1) × 100`.
    pub flip_rate: f64,
    /// `failed / runs × 100`.
    pub fail_rate: f64,
    /// Runs in which it passed only on a rerun (within-run flakiness, shown beside).
    pub rerun_flaky: u64,
    /// Its state in this run.
    pub state: State,
}

/// One of this run's slowest tests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlowTest {
    #[serde(flatten)]
    pub test: TestRef,
    pub duration_s: f64,
    /// Median of its earlier timings in the window; `null` without any.
    pub median_s: Option<f64>,
}

/// A test that took much longer in this run than usual.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlowedTest {
    #[serde(flatten)]
    pub test: TestRef,
    pub duration_s: f64,
    /// Median of its earlier timings in the window.
    pub median_s: f64,
    /// `duration_s / median_s` (`null` when the median is 0).
    pub ratio: Option<f64>,
    /// `duration_s − median_s`.
    pub delta_s: f64,
    /// Earlier timings the median is taken over.
    pub timings: u64,
}

/// One category across the window (manifest mode).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryTrend {
    pub name: String,
    /// Its target in this run.
    pub target: u64,
    /// One per run of [`History::runs`]; `null` where that run had no such category.
    pub points: Vec<Option<CategoryPoint>>,
}

/// The rules the lists follow (README, "History and trends").
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rules {
    pub flaky_min_flips: u64,
    pub slowed_ratio: f64,
    pub slowed_min_delta_s: f64,
    pub slowed_min_runs: usize,
}

/// The History section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    /// Runs asked for (`--history-window`), this one included.
    pub window: usize,
    /// The runs used, oldest first; this run is last.
    pub runs: Vec<RunPoint>,
    /// This run's label.
    pub current: String,
    /// The run before this one, when there is one.
    pub previous: Option<String>,
    /// Whether this run has per-test results (the lists need them).
    pub per_test: bool,
    pub new_failures: Vec<NewFailure>,
    pub new_failures_total: u64,
    pub still_failing: Vec<StillFailing>,
    pub still_failing_total: u64,
    pub fixed: Vec<Fixed>,
    pub fixed_total: u64,
    /// Flaky across runs, worst first.
    pub flaky: Vec<FlakyTest>,
    pub flaky_total: u64,
    pub slowest: Vec<SlowTest>,
    /// Slowed down, largest increase first.
    pub slowed: Vec<SlowedTest>,
    pub slowed_total: u64,
    /// Manifest mode: each category over the window.
    pub categories: Vec<CategoryTrend>,
    pub folder: Folder,
    pub rules: Rules,
    /// What changed in the suite itself since the previous run; `null` without a previous run
    /// or per-test results.
    pub changes: Option<TestChanges>,
    /// This run's headline figures minus the previous run's (signed); `null` without a previous
    /// run or when either has no measured totals.
    pub delta: Option<Delta>,
}

/// The change of each headline figure since the previous run (this run minus that one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delta {
    pub tests: i64,
    pub passed: i64,
    pub failures: i64,
    pub errors: i64,
    pub skipped: i64,
    pub flaky: i64,
}

impl Delta {
    /// `now - before` for each figure (saturating: counts never come near `i64::MAX`).
    pub fn between(now: &RunTotals, before: &RunTotals) -> Delta {
        let d = |a: u64, b: u64| {
            let (a, b) = (i64::try_from(a).unwrap_or(i64::MAX), i64::try_from(b).unwrap_or(i64::MAX));
            a.saturating_sub(b)
        };
        Delta {
            tests: d(now.tests, before.tests),
            passed: d(now.passed, before.passed),
            failures: d(now.failures, before.failures),
            errors: d(now.errors, before.errors),
            skipped: d(now.skipped, before.skipped),
            flaky: d(now.flaky, before.flaky),
        }
    }
}

/// A test whose category changed since the previous run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recategorised {
    #[serde(flatten)]
    pub test: TestRef,
    /// Its category then and now; `null` for uncategorised.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Tests added, removed, newly skipped and moved to another category since the previous run:
/// the suite's own changes. Lists hold the first [`LIST_KEPT`]; the totals count all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestChanges {
    /// The previous run's label.
    pub against: String,
    /// In this run, not in the previous one.
    pub added: Vec<TestRef>,
    pub added_total: u64,
    /// In the previous run, not in this one: not counted in this run at all (never as passing).
    pub removed: Vec<TestRef>,
    pub removed_total: u64,
    /// Skipped now, passed or failed in the previous run.
    pub newly_skipped: Vec<NewlySkipped>,
    pub newly_skipped_total: u64,
    /// In another category than in the previous run (records written by gen-report only).
    pub recategorised: Vec<Recategorised>,
    pub recategorised_total: u64,
}

/// A test skipped now that ran in the previous run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewlySkipped {
    #[serde(flatten)]
    pub test: TestRef,
    /// Its state in the previous run.
    pub previous: State,
}

/// The suite's own changes between the previous run and this one.
pub fn test_changes(now: &RunInfo, current: &CurrentRun, prev: &PastRun) -> TestChanges {
    let mut added = Vec::new();
    let mut newly_skipped = Vec::new();
    let mut recategorised = Vec::new();
    let name_of = |c: Option<u32>| c.and_then(|c| now.categories.get(c as usize)).map(|c| c.name.clone());
    for i in 0..current.len() {
        let (s, before) = (current.states[i], prev.state(i));
        if before == State::Absent {
            added.push(current.test(i));
            continue;
        }
        if s == State::Skipped && before.ran() {
            newly_skipped.push(NewlySkipped { test: current.test(i), previous: before });
        }
        if let Some(then) = prev.categories.get(i) {
            let to = name_of(current.category(i));
            if *then != to {
                recategorised.push(Recategorised { test: current.test(i), from: then.clone(), to });
            }
        }
    }
    let (added, added_total) = kept(added);
    let (newly_skipped, newly_skipped_total) = kept(newly_skipped);
    let (recategorised, recategorised_total) = kept(recategorised);
    TestChanges {
        against: prev.info.label.clone(),
        added,
        added_total,
        removed: prev.removed.iter().take(LIST_KEPT).cloned().collect(),
        removed_total: prev.removed_total,
        newly_skipped,
        newly_skipped_total,
        recategorised,
        recategorised_total,
    }
}

/// Computes the History section: `now` is this run, `past` the earlier runs of the window,
/// oldest first.
pub fn analyse(
    now: RunInfo,
    current: &CurrentRun,
    past: Vec<PastRun>,
    window: usize,
    folder: Folder,
) -> History {
    let prev = past.last();
    let changes = prev
        .filter(|p| current.measured() && p.info.totals.is_some())
        .map(|p| test_changes(&now, current, p));
    let delta = match (now.totals.as_ref(), prev.and_then(|p| p.info.totals.as_ref())) {
        (Some(a), Some(b)) => Some(Delta::between(a, b)),
        _ => None,
    };
    let PerTest { new_failures, mut still_failing, fixed, mut flaky, mut slowed, medians } =
        per_test(&now, current, &past);

    // Worst first; ties keep this run's order (sorts are stable).
    still_failing.sort_by_key(|t| std::cmp::Reverse(t.runs));
    flaky.sort_by(|a, b| {
        b.flip_rate
            .total_cmp(&a.flip_rate)
            .then(b.fail_rate.total_cmp(&a.fail_rate))
            .then(b.flips.cmp(&a.flips))
    });
    slowed.sort_by(|a, b| b.delta_s.total_cmp(&a.delta_s));

    let (new_failures, new_failures_total) = kept(new_failures);
    let (still_failing, still_failing_total) = kept(still_failing);
    let (fixed, fixed_total) = kept(fixed);
    let (flaky, flaky_total) = kept(flaky);
    let (slowed, slowed_total) = kept(slowed);
    History {
        window,
        current: now.label.clone(),
        runs: run_points(&now, &past),
        previous: prev.map(|r| r.info.label.clone()),
        per_test: current.measured(),
        new_failures,
        new_failures_total,
        still_failing,
        still_failing_total,
        fixed,
        fixed_total,
        flaky,
        flaky_total,
        slowest: slowest(current, &medians),
        slowed,
        slowed_total,
        categories: category_trends(&now, &past),
        folder,
        rules: Rules {
            flaky_min_flips: FLAKY_MIN_FLIPS,
            slowed_ratio: SLOWED_RATIO,
            slowed_min_delta_s: SLOWED_MIN_DELTA_S,
            slowed_min_runs: SLOWED_MIN_RUNS,
        },
        changes,
        delta,
    }
}

/// What [`per_test`] finds, unsorted and unbounded.
struct PerTest {
    new_failures: Vec<NewFailure>,
    still_failing: Vec<StillFailing>,
    fixed: Vec<Fixed>,
    flaky: Vec<FlakyTest>,
    slowed: Vec<SlowedTest>,
    /// Each test's median duration over the earlier runs where it ran, in seconds.
    medians: Vec<Option<f64>>,
}

/// Every test of this run against the window: new, still failing, fixed, flaky, slowed down.
fn per_test(now: &RunInfo, current: &CurrentRun, past: &[PastRun]) -> PerTest {
    let prev = past.last();
    let n = current.len();
    // The streak of failing runs ending with run index `end` (in past + now), oldest-first
    // order; returns (length, first run's label, reaches the window's start).
    let labels: Vec<&str> = past.iter().map(|r| r.info.label.as_str()).chain([now.label.as_str()]).collect();
    let streak = |i: usize, end: usize| -> (u64, String, bool) {
        let state_at = |k: usize| if k == past.len() { current.states[i] } else { past[k].state(i) };
        let mut start = end;
        while let Some(before) = start.checked_sub(1)
            && state_at(before).failing()
        {
            start = before;
        }
        let len = crate::words::len(end.saturating_sub(start)).saturating_add(1);
        (len, labels.get(start).copied().unwrap_or("").to_string(), start == 0)
    };
    let mut out = PerTest {
        new_failures: Vec::new(),
        still_failing: Vec::new(),
        fixed: Vec::new(),
        flaky: Vec::new(),
        slowed: Vec::new(),
        medians: Vec::with_capacity(n),
    };
    let mut timings: Vec<u64> = Vec::with_capacity(past.len());
    for i in 0..n {
        let s = current.states[i];
        let before = prev.map(|r| r.state(i));
        if s.failing() {
            match before {
                Some(b) if b.failing() => {
                    let (runs, since, at_least) = streak(i, past.len());
                    let test = current.test(i);
                    out.still_failing.push(StillFailing { test, state: s, runs, since, at_least });
                }
                _ => out.new_failures.push(NewFailure { test: current.test(i), state: s, previous: before }),
            }
        } else if s.passing() && before.is_some_and(State::failing) {
            let (failed_runs, since, at_least) = streak(i, past.len().saturating_sub(1));
            out.fixed.push(Fixed { test: current.test(i), failed_runs, since, at_least });
        }
        out.flaky.extend(flaky_test(current, past, i));
        let (median, slowed) = slowed_test(current, past, i, &mut timings);
        out.medians.push(median);
        out.slowed.extend(slowed);
    }
    out
}

/// Test `i` when it flipped between passed and failed at least [`FLAKY_MIN_FLIPS`] times over
/// the runs where it ran to a verdict.
fn flaky_test(current: &CurrentRun, past: &[PastRun], i: usize) -> Option<FlakyTest> {
    let s = current.states[i];
    let (mut runs, mut flips, mut failed, mut rerun_flaky) = (0u64, 0u64, 0u64, 0u64);
    let mut last: Option<bool> = None;
    for st in past.iter().map(|r| r.state(i)).chain([s]) {
        if !st.ran() {
            continue;
        }
        runs = runs.saturating_add(1);
        let f = st.failing();
        failed = failed.saturating_add(u64::from(f));
        rerun_flaky = rerun_flaky.saturating_add(u64::from(st == State::Flaky));
        if last.is_some_and(|l| l != f) {
            flips = flips.saturating_add(1);
        }
        last = Some(f);
    }
    (flips >= FLAKY_MIN_FLIPS).then(|| FlakyTest {
        test: current.test(i),
        runs,
        flips,
        failed,
        flip_rate: flips as f64 / runs.saturating_sub(1) as f64 * 100.0,
        fail_rate: failed as f64 / runs as f64 * 100.0,
        rerun_flaky,
        state: s,
    })
}

/// Test `i`'s median duration over the earlier runs where it ran (seconds), and the test when
/// this run was markedly slower than that median. `timings` is scratch space.
fn slowed_test(
    current: &CurrentRun,
    past: &[PastRun],
    i: usize,
    timings: &mut Vec<u64>,
) -> (Option<f64>, Option<SlowedTest>) {
    timings.clear();
    timings.extend(past.iter().filter(|r| r.state(i).ran()).map(|r| r.duration_ms(i)));
    if timings.is_empty() {
        return (None, None);
    }
    let median_s = median_ms(timings) / 1000.0;
    let now_s = current.durations[i] as f64 / 1000.0;
    let delta = now_s - median_s;
    let slowed = current.states[i].ran()
        && timings.len() >= SLOWED_MIN_RUNS
        && now_s >= SLOWED_RATIO * median_s
        && delta >= SLOWED_MIN_DELTA_S - 1e-9;
    let test = slowed.then(|| SlowedTest {
        test: current.test(i),
        duration_s: now_s,
        median_s,
        ratio: (median_s > 0.0).then(|| now_s / median_s),
        delta_s: delta,
        timings: timings.len() as u64,
    });
    (Some(median_s), test)
}

/// This run's slowest tests (slowest first; equal durations keep this run's order).
fn slowest(current: &CurrentRun, medians: &[Option<f64>]) -> Vec<SlowTest> {
    let mut order: Vec<usize> = (0..current.len()).filter(|&i| current.durations[i] > 0).collect();
    order.sort_by(|&a, &b| current.durations[b].cmp(&current.durations[a]));
    order
        .into_iter()
        .take(SLOWEST_KEPT)
        .map(|i| SlowTest {
            test: current.test(i),
            duration_s: current.durations[i] as f64 / 1000.0,
            median_s: medians.get(i).copied().flatten(),
        })
        .collect()
}

/// Each category of this run, with its figures in every run of the window.
fn category_trends(now: &RunInfo, past: &[PastRun]) -> Vec<CategoryTrend> {
    now.categories
        .iter()
        .map(|c| CategoryTrend {
            name: c.name.clone(),
            target: c.target,
            points: past
                .iter()
                .map(|r| &r.info)
                .chain([now])
                .map(|info| info.categories.iter().find(|p| p.name == c.name).cloned())
                .collect(),
        })
        .collect()
}

/// The window's runs, oldest first, this one last.
fn run_points(now: &RunInfo, past: &[PastRun]) -> Vec<RunPoint> {
    let point = |info: &RunInfo, file: Option<&str>, current: bool| RunPoint {
        label: info.label.clone(),
        date: info.date.clone(),
        commit: info.commit.clone(),
        current,
        file: file.map(str::to_string),
        totals: info.totals,
        failed: info.totals.map_or(0, |t| t.failures.saturating_add(t.errors)),
        target: info.target,
        credited: info.credited,
    };
    let mut runs: Vec<RunPoint> = past.iter().map(|r| point(&r.info, Some(&r.file), false)).collect();
    runs.push(point(now, None, true));
    runs
}

fn kept<T>(mut v: Vec<T>) -> (Vec<T>, u64) {
    let total = v.len() as u64;
    v.truncate(LIST_KEPT);
    (v, total)
}

/// The median of `v` (sorted in place), in the same unit; the mean of the middle two for an
/// even count.
fn median_ms(v: &mut [u64]) -> f64 {
    let n = v.len();
    let (below, mid, _) = v.select_nth_unstable(n / 2);
    let upper = *mid as f64;
    if n % 2 == 1 {
        return upper;
    }
    // An even count: the mean of the middle two, the lower being the largest value below.
    let lower = below.iter().copied().max().map_or(upper, |x| x as f64);
    (lower + upper) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, outcome: Outcome, ms: u64) -> TestCase {
        TestCase {
            suite: "s".into(),
            suite_index: 0,
            name: name.into(),
            classname: Some("c".into()),
            file: None,
            line: None,
            outcome,
            flaky: false,
            duration_s: ms as f64 / 1000.0,
            runs: 1,
            failed_runs: 0,
            message: None,
        }
    }

    fn info(label: &str) -> RunInfo {
        RunInfo { label: label.into(), ..RunInfo::default() }
    }

    /// A past run of `current`'s tests with these states and durations.
    fn past(label: &str, current: &CurrentRun, states: &[(State, u64)]) -> PastRun {
        let mut r = PastRun::new(info(label), format!("{label}.parquet"), current.len());
        for (i, &(s, ms)) in states.iter().enumerate() {
            if s != State::Absent {
                r.add(Some(i), s, ms);
            }
        }
        r
    }

    #[test]
    fn ids_are_stable_and_unambiguous() {
        assert_eq!(test_id("s", "c", "n"), test_id("s", "c", "n"));
        assert_ne!(test_id("s", "ab", "c"), test_id("s", "a", "bc"));
        assert_ne!(test_id("s", "c", "n"), test_id_in("s", "c", "n", "r.xml"));
        // What version-1 records hold (matched by `test_id` of their columns now).
        assert_eq!(
            format!("{:016x}", test_id_v1("junit.xml", "pytest", "test_mixed", "test_passes_quickly")),
            "f8fa9ce6941ee084"
        );
        // Pinned: version-2 records store this value, so it must never change.
        assert_eq!(
            format!("{:016x}", test_id("pytest", "test_mixed", "test_passes_quickly")),
            "db33d0ccd28fb67a"
        );
        assert_eq!(identity_file(".\\reports\\junit.xml"), "reports/junit.xml");
        assert_eq!(identity_file("././a.xml"), "a.xml");
    }

    #[test]
    fn delta_is_now_minus_before_signed() {
        let before = RunTotals { tests: 10, passed: 8, failures: 1, errors: 1, ..RunTotals::default() };
        let now = RunTotals { tests: 11, passed: 7, failures: 3, skipped: 1, ..RunTotals::default() };
        assert_eq!(
            Delta::between(&now, &before),
            Delta { tests: 1, passed: -1, failures: 2, errors: -1, skipped: 1, flaky: 0 }
        );
        let huge = RunTotals { tests: u64::MAX, ..RunTotals::default() };
        assert_eq!(Delta::between(&RunTotals::default(), &huge).tests, -i64::MAX);
    }

    #[test]
    fn merging_states_follows_the_rerun_rule() {
        use State::*;
        assert_eq!(Failed.merge(Passed), Flaky);
        assert_eq!(Passed.merge(Passed), Passed);
        assert_eq!(Passed.merge(Skipped), Passed);
        assert_eq!(Skipped.merge(Failed), Failed);
        assert_eq!(Failed.merge(Error), Error);
        assert_eq!(Absent.merge(Skipped), Skipped);
    }

    #[test]
    fn natural_order_compares_numbers_as_numbers() {
        let mut v = vec!["run-10", "run-9", "run-09", "a", "run-100"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["a", "run-09", "run-9", "run-10", "run-100"]);
    }

    #[test]
    fn records_sort_by_number_when_every_label_is_one() {
        let meta = |label: &str, date: Option<&str>, file: &str| RecordMeta {
            info: RunInfo { label: label.into(), date: date.map(str::to_string), ..RunInfo::default() },
            file: file.into(),
        };
        let mut v = vec![meta("10", Some("2025-01-01"), "b"), meta("9", Some("2025-02-01"), "a")];
        sort_records(&mut v);
        assert_eq!(v.iter().map(|r| r.info.label.as_str()).collect::<Vec<_>>(), ["9", "10"]);
        let mut v = vec![
            meta("abc", Some("2025-02-01"), "a"),
            meta("10", Some("2025-01-01"), "b"),
            meta("x", None, "c"),
        ];
        sort_records(&mut v);
        assert_eq!(v.iter().map(|r| r.info.label.as_str()).collect::<Vec<_>>(), ["x", "10", "abc"]);
    }

    #[test]
    fn lists_and_counts() {
        let mut log = TestLog::default();
        for (name, o, ms) in [
            ("flips", Outcome::Passed, 10),
            ("breaks", Outcome::Failed, 10),
            ("fixed", Outcome::Passed, 10),
            ("slows", Outcome::Passed, 1000),
            ("new_test", Outcome::Failed, 5),
        ] {
            log.push(&case(name, o, ms), "./junit.xml", None);
        }
        let cur = CurrentRun::from_log(&log);
        use State::{Absent as A, Failed as F, Passed as P};
        let runs = vec![
            past("1", &cur, &[(P, 10), (P, 10), (F, 10), (P, 100), (A, 0)]),
            past("2", &cur, &[(F, 10), (P, 10), (F, 10), (P, 100), (A, 0)]),
            past("3", &cur, &[(P, 10), (F, 10), (F, 10), (P, 100), (A, 0)]),
            past("4", &cur, &[(F, 10), (F, 10), (F, 10), (P, 100), (A, 0)]),
        ];
        let h = analyse(info("5"), &cur, runs, 5, Folder::default());
        let names = |v: Vec<&TestRef>| v.into_iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        assert_eq!(h.previous.as_deref(), Some("4"));
        assert_eq!(names(h.new_failures.iter().map(|t| &t.test).collect()), ["new_test"]);
        assert_eq!(h.new_failures[0].previous, Some(State::Absent));
        assert_eq!(names(h.still_failing.iter().map(|t| &t.test).collect()), ["breaks"]);
        assert_eq!((h.still_failing[0].runs, h.still_failing[0].since.as_str()), (3, "3"));
        assert_eq!(names(h.fixed.iter().map(|t| &t.test).collect()), ["flips", "fixed"]);
        assert_eq!((h.fixed[1].failed_runs, h.fixed[1].since.as_str(), h.fixed[1].at_least), (4, "1", true));
        assert_eq!(names(h.flaky.iter().map(|t| &t.test).collect()), ["flips"]);
        let f = &h.flaky[0];
        assert_eq!((f.runs, f.flips, f.failed), (5, 4, 2));
        assert_eq!((f.flip_rate, f.fail_rate), (100.0, 40.0));
        assert_eq!(names(h.slowed.iter().map(|t| &t.test).collect()), ["slows"]);
        assert_eq!((h.slowed[0].median_s, h.slowed[0].ratio, h.slowed[0].timings), (0.1, Some(10.0), 4));
        assert_eq!(h.slowest[0].test.name, "slows");
        assert_eq!(h.runs.len(), 5);
        assert!(h.runs[4].current);
    }

    #[test]
    fn without_a_previous_run_every_failure_is_new() {
        let mut log = TestLog::default();
        log.push(&case("a", Outcome::Failed, 1), "j.xml", None);
        log.push(&case("a", Outcome::Passed, 1), "j.xml", None);
        log.push(&case("b", Outcome::Error, 1), "j.xml", None);
        let cur = CurrentRun::from_log(&log);
        assert_eq!(cur.len(), 2);
        assert_eq!(cur.states, [State::Flaky, State::Error]);
        let h = analyse(info("1"), &cur, Vec::new(), 20, Folder::default());
        assert_eq!(h.new_failures_total, 1);
        assert_eq!(h.new_failures[0].previous, None);
    }

    #[test]
    fn median_of_even_and_odd_counts() {
        assert_eq!(median_ms(&mut [3, 1, 2]), 2.0);
        assert_eq!(median_ms(&mut [4, 1, 2, 3]), 2.5);
    }
}
