use gen_report::results::*;
fn main() {
    for a in std::env::args().skip(1) {
        let mut sink = CollectSink::default();
        let r = read_file(std::path::Path::new(&a), &mut sink);
        println!("== {a}: {:?}", r.as_ref().map(|s| s.format));
        if let Err(e) = r { println!("ERR {e}"); }
        for c in &sink.cases { println!("{:?} flaky={} runs={}/{} [{}#{}] {} | cls={:?} file={:?}:{:?} dur={} msg={:?}", c.outcome, c.flaky, c.runs, c.failed_runs, c.suite, c.suite_index, c.name, c.classname, c.file, c.line, c.duration_s, c.message.as_deref().map(|m| m.chars().take(150).collect::<String>())); }
        for f in &sink.findings { println!("FINDING {:?}: {}", f.line, f.message); }
        println!("{:?}", Counts::of(&sink.cases));
    }
}
