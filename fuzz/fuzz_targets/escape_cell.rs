//! Property of `escape_cell`: for any string `s`, the table
//!
//! ```text
//! | h |
//! |---|
//! | {escape_cell(s)} |
//! ```
//!
//! read by pulldown-cmark with GFM tables has exactly one body row of exactly one cell, made of
//! text only (no emphasis, link, code span, image or HTML other than `<br>`), and that text is
//! `expected(s)`: `s` with every line break (`\r\n`, `\r`, `\n`) as one `<br>` (read back as
//! `\n`), and the ASCII whitespace other than line breaks (space, tab, VT, FF) at either end of
//! the cell trimmed (GFM trims cells).
//! (pulldown-cmark passes NUL through; CommonMark viewers show it as U+FFFD, which is theirs to do.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fuzz_target!(|s: &str| {
    let md = format!("| h |\n|---|\n| {} |\n", gen_report::render::escape_cell(s));
    let mut rows = 0;
    let mut cells: Vec<String> = Vec::new();
    let mut in_body = false;
    for event in Parser::new_ext(&md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) | Event::End(TagEnd::Table) => {}
            Event::Start(Tag::TableHead) => in_body = false,
            Event::End(TagEnd::TableHead) => in_body = true,
            Event::Start(Tag::TableRow) => rows += 1,
            Event::End(TagEnd::TableRow) => {}
            Event::Start(Tag::TableCell) if in_body => cells.push(String::new()),
            Event::Start(Tag::TableCell) | Event::End(TagEnd::TableCell) => {}
            Event::Text(t) if in_body => cells.last_mut().expect("text outside a cell").push_str(&t),
            Event::Text(t) => assert_eq!(&*t, "h", "header changed: {md:?}"),
            Event::InlineHtml(h) if &*h == "<br>" && in_body => cells.last_mut().unwrap().push('\n'),
            other => panic!("unexpected {other:?} in {md:?}"),
        }
    }
    assert_eq!(rows, 1, "expected one body row in {md:?}");
    assert_eq!(cells.len(), 1, "expected one cell in {md:?}");
    assert_eq!(cells[0], expected(s), "cell text differs for {md:?}");
});

/// What the cell must read as (see the module docs).
fn expected(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    s.trim_matches([' ', '\t', '\x0b', '\x0c']).to_string()
}
