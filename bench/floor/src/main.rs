//! `xml-floor FILE...`: counts the XML events of each file with quick-xml on one core, as
//! gen-report's JUnit reader tokenises them (same reader settings), and prints the total.

use std::fs::File;
use std::io::BufReader;

use quick_xml::Reader;
use quick_xml::events::Event;

fn main() {
    let mut events: u64 = 0;
    for path in std::env::args_os().skip(1) {
        let file = File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.to_string_lossy()));
        let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, file));
        let config = reader.config_mut();
        config.check_end_names = false;
        config.check_comments = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
        let mut buf = Vec::with_capacity(16 * 1024);
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Eof) => break,
                Ok(_) => events += 1,
                Err(e) => panic!("{}: {e}", path.to_string_lossy()),
            }
            buf.clear();
        }
    }
    println!("{events}");
}
