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
//! `\n`), every other control character but tab shown as its Control Picture (`␛`; `�` for C1
//! controls), and spaces and tabs at either end of the cell trimmed (GFM trims cells) — compared
//! once the invisible word joiners that break autolinks and mentions (U+2060) are taken out.
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
    assert_eq!(cells[0].replace('\u{2060}', ""), expected(s), "cell text differs for {md:?}");
});

/// What the cell must read as (see the module docs).
fn expected(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    let shown: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\t' => c,
            '\0'..='\x1f' => char::from_u32(0x2400 + c as u32).unwrap(),
            '\x7f' => '\u{2421}',
            '\u{80}'..='\u{9f}' => '\u{fffd}',
            c => c,
        })
        .collect();
    // Trimmed first: a word joiner in `s` itself keeps the spaces beside it, as in the cell.
    shown.trim_matches([' ', '\t']).replace('\u{2060}', "")
}
