//! Reading rendered reports back with pulldown-cmark, as a Markdown viewer would.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// One GFM table: the header's cells and each body row's cells, as rendered text.
#[derive(Debug, Clone)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Body rows whose first cell is exactly `first`.
    pub fn rows_starting(&self, first: &str) -> Vec<&Vec<String>> {
        self.rows.iter().filter(|r| r.first().map(String::as_str) == Some(first)).collect()
    }
}

/// The GFM options a viewer has on (tables, strikethrough). Not math: viewers disagree on `$`.
pub fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Every table of `md`, checked to be well formed: every source row has exactly as many cells
/// as the header (counted on the source, since the parser pads and drops cells silently).
/// Cell text is the un-escaped text; a `<br>` in a cell reads as a line break.
#[track_caller]
pub fn tables(md: &str) -> Vec<Table> {
    let mut tables = Vec::new();
    let mut columns = 0;
    let mut current: Option<Table> = None;
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Table(aligns)) => {
                columns = aligns.len();
                current = Some(Table { header: Vec::new(), rows: Vec::new() });
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                let line = md[range].lines().next().unwrap_or("");
                let n = source_cells(line);
                assert_eq!(n, columns, "table row has {n} cells, header has {columns}:\n{line}");
                row.clear();
            }
            Event::End(TagEnd::TableHead) => {
                current.as_mut().unwrap().header = std::mem::take(&mut row);
            }
            Event::End(TagEnd::TableRow) => {
                current.as_mut().unwrap().rows.push(std::mem::take(&mut row));
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap()),
            Event::End(TagEnd::Table) => tables.push(current.take().unwrap()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::InlineHtml(h) => {
                if let Some(c) = cell.as_mut() {
                    if h.eq_ignore_ascii_case("<br>") {
                        c.push('\n');
                    } else {
                        c.push_str(&h);
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(c) = cell.as_mut() {
                    c.push('\n');
                }
            }
            _ => {}
        }
    }
    for t in &tables {
        for r in &t.rows {
            assert_eq!(r.len(), t.header.len(), "parsed row {r:?} vs header {:?}", t.header);
        }
    }
    tables
}

/// Number of cells in a source table row: `|` delimiters not escaped by `\`, minus one.
#[track_caller]
fn source_cells(line: &str) -> usize {
    let line = line.trim();
    assert!(line.starts_with('|') && line.ends_with('|'), "row must start and end with `|`: {line}");
    let mut pipes = 0;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => pipes += 1,
            _ => {}
        }
    }
    pipes - 1
}

/// The table whose header is exactly `header`.
#[track_caller]
pub fn table<'a>(tables: &'a [Table], header: &[&str]) -> &'a Table {
    let found: Vec<&Table> = tables.iter().filter(|t| t.header == header).collect();
    assert_eq!(found.len(), 1, "expected one table with header {header:?}, tables: {tables:#?}");
    found[0]
}

/// What a viewer would treat as more than text: raw HTML, links, images, math, headings.
#[derive(Debug, Default)]
pub struct Markup {
    pub html: Vec<String>,
    pub links: Vec<String>,
    pub images: Vec<String>,
    pub math: Vec<String>,
    pub headings: usize,
}

/// Collects the markup of `md`.
pub fn markup(md: &str) -> Markup {
    let mut m = Markup::default();
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => m.html.push(h.to_string()),
            Event::Start(Tag::Link { dest_url, .. }) => m.links.push(dest_url.to_string()),
            Event::Start(Tag::Image { dest_url, .. }) => m.images.push(dest_url.to_string()),
            Event::InlineMath(t) | Event::DisplayMath(t) => m.math.push(t.to_string()),
            Event::Start(Tag::Heading { .. }) => m.headings += 1,
            _ => {}
        }
    }
    m
}

/// Asserts that every table of `md` is well formed and nothing renders as math, HTML other than
/// `<br>`, a link or an image.
#[track_caller]
pub fn assert_well_formed(md: &str) -> Vec<Table> {
    let tables = tables(md);
    assert!(!tables.is_empty(), "no table found");
    let m = markup(md);
    assert!(m.html.iter().all(|h| h.eq_ignore_ascii_case("<br>")), "raw HTML: {:?}", m.html);
    assert!(m.links.is_empty(), "links: {:?}", m.links);
    assert!(m.images.is_empty(), "images: {:?}", m.images);
    assert!(m.math.is_empty(), "math spans: {:?}", m.math);
    tables
}
