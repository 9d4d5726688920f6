//! Fitting a rendered report into a size budget.
//!
//! GitHub refuses a step's job summary of 1 MiB or more, a pull-request comment over 65,536
//! characters and a check-run body over 65,535 bytes; a report over the limit is lost entirely.
//! [`fit`] shrinks a report *structurally* so that what is left is still well-formed Markdown, in
//! this order, stopping as soon as the result fits:
//!
//! 1. drop passing rows (✅ or `[ok]`) from tables, keeping header, delimiter and `**Total**` rows;
//! 2. leave out paragraphs and code blocks that alone take more than a quarter of the budget (a
//!    chart or a list of names over thousands of categories), largest first;
//! 3. cut long lists, tables and runs of `<details>` blocks to their first 20, 10, 5, then 1 items;
//! 4. collapse each run of `<details>` blocks into one line;
//! 5. drop whole sections from the end backwards;
//! 6. cut the document at a block boundary.
//!
//! None of these touches the *head*: the first H1 heading and what follows it up to the next
//! heading (everything before the first heading when there is no H1), where gen-report's
//! templates put the verdict and the headline figures. A budget too small for the head and the
//! shortest notice is refused ([`TooSmall`]) rather than met with a report that says nothing.
//!
//! A notice at the end says what was left out; its size is part of the budget.
//!
//! A report of tens of megabytes must fit in well under a second, so nothing is re-rendered per
//! attempt: the document is parsed once into blocks whose sizes are measured once, each step only
//! flips flags and sums sizes, and the text is assembled once at the end.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag};

/// How a [`Budget`] counts text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// UTF-8 bytes: job summaries and check-run bodies are limited in bytes.
    Bytes,
    /// Unicode scalar values (`str::chars`): pull-request comments are limited in characters.
    Chars,
}

impl Unit {
    /// The size of `s` counted in this unit.
    pub fn measure(self, s: &str) -> usize {
        match self {
            Unit::Bytes => s.len(),
            Unit::Chars => s.chars().count(),
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::Chars => "characters",
        }
    }
}

/// A size limit for a rendered report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The largest size allowed, inclusive.
    pub limit: usize,
    /// How `limit` is counted.
    pub unit: Unit,
}

impl Budget {
    /// `summary`: a step's job summary. GitHub rejects 1 MiB (1,048,576 bytes) and more; the
    /// margin leaves room for other writers to the same summary file.
    pub const SUMMARY: Budget = Budget { limit: 1_000_000, unit: Unit::Bytes };
    /// `comment`: a pull-request comment, limited to 65,536 characters.
    pub const COMMENT: Budget = Budget { limit: 65_000, unit: Unit::Chars };
    /// `check`: a check-run output body, limited to 65,535 bytes.
    pub const CHECK: Budget = Budget { limit: 65_000, unit: Unit::Bytes };

    /// Parses a `--budget` value: `summary`, `comment`, `check`, or a positive number of bytes
    /// (`_` may group digits: `65_000`).
    ///
    /// # Errors
    /// A message naming the accepted values when `s` is none of them, is 0 or does not fit a
    /// `usize`.
    pub fn parse(s: &str) -> Result<Budget, String> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "summary" => return Ok(Self::SUMMARY),
            "comment" => return Ok(Self::COMMENT),
            "check" => return Ok(Self::CHECK),
            _ => {}
        }
        let digits: String = t.chars().filter(|&c| c != '_').collect();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "invalid budget `{s}`: expected `summary`, `comment`, `check` or a positive number of bytes"
            ));
        }
        match digits.parse::<usize>() {
            Ok(0) => Err(format!("invalid budget `{s}`: must be at least 1 byte")),
            Ok(limit) => Ok(Budget { limit, unit: Unit::Bytes }),
            Err(_) => Err(format!("invalid budget `{s}`: too large")),
        }
    }

    /// The size of `s` in this budget's unit.
    pub fn measure(&self, s: &str) -> usize {
        self.unit.measure(s)
    }
}

/// The result of [`fit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fitted {
    /// The report, at most the budget in size.
    pub text: String,
    /// Human descriptions of what was left out ("12 passing table rows", "section “Files”"), as
    /// listed in the notice; empty when the report fitted unchanged.
    pub omitted: Vec<String>,
}

/// A budget too small for the report's head (title, verdict, headline figures) and a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooSmall {
    /// The smallest budget, in the budget's unit, that this report can be fitted into.
    pub minimum: usize,
}

impl TooSmall {
    /// The usage error for `--budget GIVEN` (the preset or number as typed; `summary` when the
    /// budget came from `--github-summary`).
    pub fn message(&self, budget: &Budget, given: Option<&str>) -> String {
        let amount = |n: usize| {
            let noun = budget.unit.noun();
            format!("{} {}", thousands(n), if n == 1 { &noun[..noun.len() - 1] } else { noun })
        };
        format!(
            "--budget {} ({}) is too small for this report: its title, verdict and headline figures, with the notice that the rest was left out, need at least {}",
            given.unwrap_or("summary"),
            amount(budget.limit),
            amount(self.minimum)
        )
    }
}

/// Fits `markdown` into `budget`: unchanged when it fits, otherwise shrunk structurally (see the
/// [module documentation](self)) with a notice at the end saying what was left out.
///
/// The result is always at most `budget.limit` in size, keeps the head whole and never cuts
/// inside a table row, a code fence or a `<details>` block. Small budgets get shorter notices.
///
/// # Errors
/// The budget cannot hold the head and the shortest notice; [`TooSmall`] says what can.
pub fn fit(markdown: &str, budget: &Budget) -> Result<Fitted, TooSmall> {
    if budget.measure(markdown) <= budget.limit {
        return Ok(Fitted { text: markdown.to_string(), omitted: Vec::new() });
    }
    // Every block then ends with a newline, so blocks can be dropped and joined freely.
    let owned;
    let src = if markdown.ends_with('\n') {
        markdown
    } else {
        owned = format!("{markdown}\n");
        owned.as_str()
    };
    Doc::parse(src, budget.unit).shrink(budget)
}

/// Step 2's last cuts, from gentle to drastic (after halving down from the longest group).
const CUTS: [usize; 4] = [20, 10, 5, 1];
/// Dropped sections named in the notice; the rest are counted.
const NAMED_SECTIONS: usize = 3;
/// Longest section title quoted in the notice, in characters.
const TITLE_CHARS: usize = 60;
/// Room kept for the newline that separates a generated paragraph (or the notice) from what
/// precedes it, when that does not already end with a blank line. Estimates are upper bounds:
/// assembly never produces more than was counted.
const SEPARATOR: usize = 1;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// A parsed document: top-level blocks covering the source without gaps, each running from its
/// first line to the first line of the next, so that trailing blank lines travel with it.
struct Doc<'a> {
    src: &'a str,
    unit: Unit,
    blocks: Vec<Block>,
    /// Heading blocks of the sections dropped by steps 2 and 5.
    dropped_sections: Vec<usize>,
}

struct Block {
    span: Span,
    kind: Kind,
    dropped: bool,
    /// Left out by step 2 (too large on its own), and not since in a dropped section.
    long: bool,
}

enum Kind {
    /// Kept or dropped whole: paragraphs, code blocks, rules, block quotes, other HTML, …
    Plain,
    Heading(u8),
    /// A table, a list or a run of `<details>` blocks: shrinkable item by item.
    Group(Group),
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    size: usize,
}

impl Span {
    fn new(src: &str, unit: Unit, range: Range<usize>) -> Span {
        Span { start: range.start, end: range.end, size: unit.measure(&src[range]) }
    }

    fn text<'s>(&self, src: &'s str) -> &'s str {
        &src[self.start..self.end]
    }
}

struct Group {
    kind: GroupKind,
    /// Before the first item: a table's header and delimiter rows.
    prefix: Span,
    items: Vec<Item>,
    /// After the last item: blank lines before the next block.
    suffix: Span,
    /// Index of the first of the `**Total**` rows that end a table; the "… and N" row goes before
    /// them so the total stays last. `items.len()` for lists and `<details>` runs.
    tail: usize,
    /// Sum of the sizes of the kept items.
    kept_size: usize,
    passing_dropped: usize,
    cut_dropped: usize,
    collapsed: bool,
}

enum GroupKind {
    Table { cells: usize },
    List { indent: String, marker: ListMarker },
    Details,
}

enum ListMarker {
    Bullet(char),
    Ordered { start: u64, delimiter: char },
}

struct Item {
    span: Span,
    /// A table row whose first cell is `**Total**`: never dropped by steps 1 and 2.
    pinned: bool,
    /// A table row marked ✅ or `[ok]` and nothing worse.
    passing: bool,
    kept: bool,
}

/// What has been left out of blocks still (partly) shown; dropped sections are named instead.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    passing_rows: usize,
    table_rows: usize,
    list_items: usize,
    details: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.passing_rows += o.passing_rows;
        self.table_rows += o.table_rows;
        self.list_items += o.list_items;
        self.details += o.details;
    }

    fn sub(&mut self, o: Tally) {
        self.passing_rows -= o.passing_rows;
        self.table_rows -= o.table_rows;
        self.list_items -= o.list_items;
        self.details -= o.details;
    }
}

/// Where step 5 cut the document: blocks before `block` are kept, then `items` items of `block`
/// (a group) when non-zero, then nothing.
#[derive(Debug, Clone, Copy)]
struct Cut {
    block: usize,
    items: usize,
}

impl Group {
    fn size(&self, unit: Unit) -> usize {
        if self.collapsed {
            return unit.measure(&self.collapsed_text()) + 2 + SEPARATOR;
        }
        let marker = self.marker().map_or(0, |m| {
            unit.measure(&m) + if matches!(self.kind, GroupKind::Details) { 2 + SEPARATOR } else { 0 }
        });
        self.prefix.size + self.kept_size + self.suffix.size + marker
    }

    fn collapsed_text(&self) -> String {
        format!("… {} not shown", count(self.items.len(), "failure detail"))
    }

    /// The table row, list item or paragraph standing for the dropped items, if any.
    fn marker(&self) -> Option<String> {
        let (passing, cut) = (self.passing_dropped, self.cut_dropped);
        if self.collapsed || passing + cut == 0 {
            return None;
        }
        Some(match &self.kind {
            GroupKind::Table { cells } => {
                let text = match (passing, cut) {
                    (p, 0) => format!("… and {} not shown", count(p, "passing row")),
                    (0, c) => format!("… and {} more", thousands(c)),
                    (p, c) => {
                        format!("… and {} more rows not shown ({} passing)", thousands(p + c), thousands(p))
                    }
                };
                let mut row = format!("| {text} |");
                for _ in 1..*cells {
                    row.push_str("  |");
                }
                row.push('\n');
                row
            }
            GroupKind::List { indent, marker } => {
                let kept = self.items.len() - cut;
                let marker = match marker {
                    ListMarker::Bullet(c) => c.to_string(),
                    ListMarker::Ordered { start, delimiter } => format!("{}{delimiter}", start + kept as u64),
                };
                format!("{indent}{marker} … and {} more\n", thousands(cut))
            }
            GroupKind::Details => format!("… and {} not shown", count(cut, "more failure detail")),
        })
    }

    fn tally(&self) -> Tally {
        match self.kind {
            GroupKind::Table { .. } => {
                Tally { passing_rows: self.passing_dropped, table_rows: self.cut_dropped, ..Tally::default() }
            }
            GroupKind::List { .. } => Tally { list_items: self.cut_dropped, ..Tally::default() },
            GroupKind::Details => Tally {
                details: if self.collapsed { self.items.len() } else { self.cut_dropped },
                ..Tally::default()
            },
        }
    }

    /// Step 1.
    fn drop_passing(&mut self) {
        if !matches!(self.kind, GroupKind::Table { .. }) {
            return;
        }
        for item in &mut self.items {
            if item.kept && item.passing && !item.pinned {
                item.kept = false;
                self.kept_size -= item.span.size;
                self.passing_dropped += 1;
            }
        }
    }

    /// Step 2: keeps the first `k` kept items that are not pinned.
    fn cut(&mut self, k: usize) {
        if self.collapsed {
            return;
        }
        let mut seen = 0;
        for item in &mut self.items {
            if !item.kept || item.pinned {
                continue;
            }
            seen += 1;
            if seen > k {
                item.kept = false;
                self.kept_size -= item.span.size;
                self.cut_dropped += 1;
            }
        }
    }

    /// Writes the group; with `limit`, only the prefix and the first `limit` kept items (step 5).
    fn emit(&self, src: &str, out: &mut String, limit: Option<usize>) {
        if self.collapsed {
            push_paragraph(out, &self.collapsed_text());
            return;
        }
        let marker = if limit.is_none() { self.marker() } else { None };
        let push_marker = |out: &mut String| {
            if let Some(m) = &marker {
                match self.kind {
                    GroupKind::Details => push_paragraph(out, m),
                    _ => out.push_str(m),
                }
            }
        };
        out.push_str(self.prefix.text(src));
        let mut emitted = 0;
        for (i, item) in self.items.iter().enumerate() {
            if i == self.tail {
                push_marker(out);
            }
            if item.kept {
                if limit == Some(emitted) {
                    return;
                }
                out.push_str(item.span.text(src));
                emitted += 1;
            }
        }
        if limit.is_some() {
            return;
        }
        if self.tail == self.items.len() {
            push_marker(out);
        }
        out.push_str(self.suffix.text(src));
    }
}

/// Appends `text` as a paragraph of its own: after a blank line, followed by one.
fn push_paragraph(out: &mut String, text: &str) {
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(text);
    out.push_str("\n\n");
}

impl Block {
    fn size(&self, unit: Unit) -> usize {
        match &self.kind {
            Kind::Group(g) => g.size(unit),
            _ => self.span.size,
        }
    }

    fn tally(&self) -> Tally {
        match &self.kind {
            Kind::Group(g) => g.tally(),
            _ => Tally::default(),
        }
    }
}

/// A top-level block as pulldown-cmark reports it, before `<details>` blocks are merged.
struct Raw {
    /// Start of the block's first line.
    start: usize,
    /// End of the block as reported.
    end: usize,
    kind: RawKind,
    role: Role,
    /// `<details>` nesting after the block.
    details_after: usize,
}

enum RawKind {
    Plain,
    Heading(u8),
    Table { cells: usize, rows: Vec<usize> },
    List { start: Option<u64>, items: Vec<usize> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Plain,
    /// An HTML block starting with `<details`.
    OpensDetails,
    /// Inside an open `<details>` block.
    InDetails,
}

/// The top-level blocks of `src`. `<details>` nesting is counted only on HTML pulldown-cmark
/// recognises as HTML, so a `</details>` line inside a fenced message does not end the block.
fn scan(src: &str) -> Vec<Raw> {
    let mut raws: Vec<Raw> = Vec::new();
    let mut depth = 0usize;
    let mut details = 0usize;
    let mut in_details = false;
    for (event, range) in Parser::new_ext(src, options()).into_offset_iter() {
        match event {
            Event::Start(tag) => {
                if depth == 0 {
                    let role = if details > 0 {
                        Role::InDetails
                    } else if matches!(tag, Tag::HtmlBlock) && opens_details(&src[range.start..]) {
                        Role::OpensDetails
                    } else {
                        Role::Plain
                    };
                    in_details = role != Role::Plain;
                    let kind = match tag {
                        Tag::Heading { level, .. } => RawKind::Heading(level as u8),
                        Tag::Table(aligns) => RawKind::Table { cells: aligns.len(), rows: Vec::new() },
                        Tag::List(start) => RawKind::List { start, items: Vec::new() },
                        _ => RawKind::Plain,
                    };
                    let start = line_start(src, range.start);
                    raws.push(Raw { start, end: range.end, kind, role, details_after: details });
                } else if depth == 1
                    && let Some(raw) = raws.last_mut()
                {
                    match (&tag, &mut raw.kind) {
                        (Tag::TableRow, RawKind::Table { rows, .. }) => {
                            rows.push(line_start(src, range.start))
                        }
                        (Tag::Item, RawKind::List { items, .. }) => items.push(line_start(src, range.start)),
                        _ => {}
                    }
                }
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && let Some(raw) = raws.last_mut()
                {
                    raw.details_after = details;
                }
            }
            Event::Html(html) | Event::InlineHtml(html) if in_details => count_details(&html, &mut details),
            Event::Rule if depth == 0 => {
                let role = if details > 0 { Role::InDetails } else { Role::Plain };
                in_details = role != Role::Plain;
                let start = line_start(src, range.start);
                raws.push(Raw { start, end: range.end, kind: RawKind::Plain, role, details_after: details });
            }
            _ => {}
        }
    }
    raws
}

/// Whether `s` starts (after indentation) with a `<details` tag.
fn opens_details(s: &str) -> bool {
    let s = s.trim_start_matches([' ', '\t']).as_bytes();
    tag_at(s, b"<details")
}

/// Whether `s` starts with `name` (ASCII case-insensitive) followed by the end of a tag name.
fn tag_at(s: &[u8], name: &[u8]) -> bool {
    s.len() >= name.len()
        && s[..name.len()].eq_ignore_ascii_case(name)
        && s.get(name.len()).is_none_or(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
}

/// Updates the `<details>` nesting `depth` with the tags of an HTML fragment, in order.
fn count_details(html: &str, depth: &mut usize) {
    let b = html.as_bytes();
    for (i, _) in html.match_indices('<') {
        let rest = &b[i..];
        if tag_at(rest, b"</details") {
            *depth = depth.saturating_sub(1);
        } else if tag_at(rest, b"<details") {
            *depth += 1;
        }
    }
}

/// `end` moved back over whole blank lines, not before the first line of `start..end`.
fn trim_blank_lines(src: &str, start: usize, end: usize) -> usize {
    let mut end = end;
    while end > start {
        let before = &src[start..end - 1];
        let line = before.rfind('\n').map_or(start, |p| start + p + 1);
        if line == start || !src[line..end].trim().is_empty() {
            break;
        }
        end = line;
    }
    end
}

/// The start of the line holding `pos`.
fn line_start(src: &str, pos: usize) -> usize {
    src[..pos].rfind('\n').map_or(0, |p| p + 1)
}

/// The end of the line holding the last character before `pos` (after its newline).
fn line_end(src: &str, pos: usize) -> usize {
    if pos == 0 || src.as_bytes()[pos - 1] == b'\n' {
        return pos;
    }
    src[pos..].find('\n').map_or(src.len(), |p| pos + p + 1)
}

impl<'a> Doc<'a> {
    fn parse(src: &'a str, unit: Unit) -> Doc<'a> {
        let mut raws = scan(src);
        // Top-level blocks start on distinct lines; should two ever share one, the later is
        // kept within the earlier rather than risk overlapping spans.
        let mut last = None;
        raws.retain(|r| {
            let keep = last.is_none_or(|l| r.start > l);
            if keep {
                last = Some(r.start);
            }
            keep
        });
        let mut blocks = Vec::with_capacity(raws.len() + 1);
        let first = raws.first().map_or(src.len(), |r| r.start);
        if first > 0 || raws.is_empty() {
            blocks.push(Block {
                span: Span::new(src, unit, 0..first),
                kind: Kind::Plain,
                dropped: false,
                long: false,
            });
        }
        let next_start = |k: usize| raws.get(k + 1).map_or(src.len(), |r| r.start);
        let mut i = 0;
        while i < raws.len() {
            let raw = &raws[i];
            if raw.role == Role::OpensDetails {
                // A run of consecutive <details> blocks, each spanning every top-level block up
                // to the one that closes it.
                let start = raw.start;
                let mut items = Vec::new();
                while i < raws.len() && raws[i].role == Role::OpensDetails {
                    let mut j = i;
                    while raws[j].details_after > 0 && j + 1 < raws.len() {
                        j += 1;
                    }
                    items.push(Span::new(src, unit, raws[i].start..next_start(j)));
                    i = j + 1;
                }
                let end = items.last().map_or(start, |s| s.end);
                let group = Group::new(GroupKind::Details, src, unit, start, items, end..end);
                blocks.push(Block {
                    span: Span { start, end, size: 0 },
                    kind: Kind::Group(group),
                    dropped: false,
                    long: false,
                });
                continue;
            }
            let end = next_start(i);
            let span = Span::new(src, unit, raw.start..end);
            let kind = match &raw.kind {
                RawKind::Heading(level) => Kind::Heading(*level),
                RawKind::Table { cells, rows } => {
                    table(src, unit, raw.start, raw.end, end, *cells, rows).unwrap_or(Kind::Plain)
                }
                RawKind::List { start, items } => {
                    list(src, unit, raw, end, *start, items).unwrap_or(Kind::Plain)
                }
                RawKind::Plain => Kind::Plain,
            };
            blocks.push(Block { span, kind, dropped: false, long: false });
            i += 1;
        }
        Doc { src, unit, blocks, dropped_sections: Vec::new() }
    }

    fn groups(&mut self) -> impl Iterator<Item = &mut Group> {
        self.blocks.iter_mut().filter(|b| !b.dropped).filter_map(|b| match &mut b.kind {
            Kind::Group(g) => Some(g),
            _ => None,
        })
    }

    fn body_size(&self) -> usize {
        self.blocks.iter().filter(|b| !b.dropped).map(|b| b.size(self.unit)).sum()
    }

    fn tally(&self) -> Tally {
        let mut t = Tally::default();
        for b in self.blocks.iter().filter(|b| !b.dropped) {
            t.add(b.tally());
        }
        t
    }

    /// Index of the first block after the head (see the module documentation).
    fn head_end(&self) -> usize {
        let heading = |b: &Block| matches!(b.kind, Kind::Heading(_));
        let h1 = self.blocks.iter().position(|b| matches!(b.kind, Kind::Heading(1)));
        match h1 {
            Some(h) => (h + 1..self.blocks.len()).find(|&i| heading(&self.blocks[i])).unwrap_or(h + 1),
            None => self.blocks.iter().position(heading).unwrap_or(0),
        }
    }

    /// Size of the head's kept blocks.
    fn head_size(&self) -> usize {
        self.blocks[..self.head_end()].iter().filter(|b| !b.dropped).map(|b| b.size(self.unit)).sum()
    }

    /// Step 2: leaves out paragraphs and code blocks after the head that could not fit even
    /// beside the head alone: kept, they would take their section and every later one with
    /// them. A section left empty goes too (its heading, named as a dropped section).
    fn drop_long(&mut self, budget: &Budget) -> Option<Fitted> {
        let unit = self.unit;
        let shortest = notices(budget, &[]).iter().map(|n| budget.measure(n)).min().unwrap_or(0);
        let room = budget.limit.saturating_sub(self.head_size() + SEPARATOR + shortest);
        let head_end = self.head_end();
        let mut any = false;
        for i in head_end..self.blocks.len() {
            let b = &mut self.blocks[i];
            if !b.dropped && matches!(b.kind, Kind::Plain) && b.size(unit) > room {
                b.dropped = true;
                b.long = true;
                any = true;
                // Its section's heading: the nearest heading before it.
                let Some(h) = (head_end..i).rev().find(|&j| matches!(self.blocks[j].kind, Kind::Heading(_)))
                else {
                    continue;
                };
                let end = (h + 1..self.blocks.len())
                    .find(|&j| matches!(self.blocks[j].kind, Kind::Heading(_)))
                    .unwrap_or(self.blocks.len());
                if !self.blocks[h].dropped && self.blocks[h + 1..end].iter().all(|b| b.dropped) {
                    self.blocks[h].dropped = true;
                    self.blocks[h + 1..end].iter_mut().for_each(|b| b.long = false);
                    self.dropped_sections.push(h);
                }
            }
        }
        if any { self.finish_if_fits(budget) } else { None }
    }

    /// Steps 1 to 6, each tried only when the previous ones were not enough.
    fn shrink(mut self, budget: &Budget) -> Result<Fitted, TooSmall> {
        self.groups().for_each(Group::drop_passing);
        if let Some(f) = self.finish_if_fits(budget) {
            return Ok(f);
        }
        if let Some(f) = self.drop_long(budget) {
            return Ok(f);
        }
        // Halve from the longest group down to the fixed cuts, so a roomy budget (1 MB) keeps
        // thousands of failures rather than twenty: each cut is cheap, a check is a sum.
        let longest =
            self.groups().map(|g| g.items.iter().filter(|i| i.kept && !i.pinned).count()).max().unwrap_or(0);
        let mut cuts = Vec::new();
        let mut k = longest / 2;
        while k > CUTS[0] {
            cuts.push(k);
            k /= 2;
        }
        cuts.extend(CUTS);
        for k in cuts {
            self.groups().for_each(|g| g.cut(k));
            if let Some(f) = self.finish_if_fits(budget) {
                return Ok(f);
            }
        }
        for g in self.groups() {
            if matches!(g.kind, GroupKind::Details) {
                g.collapsed = true;
            }
        }
        if let Some(f) = self.finish_if_fits(budget) {
            return Ok(f);
        }
        if let Some(f) = self.drop_sections(budget) {
            return Ok(f);
        }
        self.truncate(budget)
    }

    fn finish_if_fits(&self, budget: &Budget) -> Option<Fitted> {
        let items = self.items(self.tally(), false);
        let notice = notice(budget, &items);
        (self.body_size() + SEPARATOR + budget.measure(&notice) <= budget.limit)
            .then(|| self.finish(budget, &notice, items, None))
    }

    /// Step 4: drops sections from the end backwards, keeping the first H1 and what precedes
    /// the next heading (gen-report's verdict and totals). Sizes are updated incrementally.
    fn drop_sections(&mut self, budget: &Budget) -> Option<Fitted> {
        let heads: Vec<usize> =
            (0..self.blocks.len()).filter(|&i| matches!(self.blocks[i].kind, Kind::Heading(_))).collect();
        let h1 = heads.iter().position(|&i| matches!(self.blocks[i].kind, Kind::Heading(1)));
        let mut body = self.body_size();
        let mut tally = self.tally();
        for pos in (0..heads.len()).rev() {
            if Some(pos) == h1 {
                continue;
            }
            // Every heading after this one is dropped already (or is the kept H1), so the
            // section's own blocks end at the next heading.
            let to = heads.get(pos + 1).copied().unwrap_or(self.blocks.len());
            if self.blocks[heads[pos]].dropped {
                // Emptied and named by step 2 already.
                continue;
            }
            for b in &mut self.blocks[heads[pos]..to] {
                // A long block left out before goes with its section: named once, as the section.
                b.long = false;
                if !b.dropped {
                    b.dropped = true;
                    body -= b.size(self.unit);
                    tally.sub(b.tally());
                }
            }
            self.dropped_sections.push(heads[pos]);
            let items = self.items(tally, false);
            let notice = notice(budget, &items);
            if body + SEPARATOR + budget.measure(&notice) <= budget.limit {
                return Some(self.finish(budget, &notice, items, None));
            }
        }
        None
    }

    /// Step 6: keeps the head, then blocks (and a group's items) while they fit.
    fn truncate(&self, budget: &Budget) -> Result<Fitted, TooSmall> {
        let items = self.items(self.tally(), true);
        let unit = self.unit;
        let head = self.head_size();
        let candidates = notices(budget, &items);
        // The fullest notice that leaves room for the head.
        let Some(notice) =
            candidates.iter().find(|n| head + SEPARATOR + budget.measure(n) <= budget.limit).cloned()
        else {
            let shortest = candidates.iter().map(|n| budget.measure(n)).min().unwrap_or(0);
            return Err(TooSmall { minimum: head + SEPARATOR + shortest });
        };
        let reserve = SEPARATOR + budget.measure(&notice);
        let room = budget.limit.saturating_sub(reserve);
        let mut used = 0;
        let mut cut = Cut { block: self.blocks.len(), items: 0 };
        for (i, b) in self.blocks.iter().enumerate().filter(|(_, b)| !b.dropped) {
            let size = b.size(unit);
            if used + size <= room {
                used += size;
                continue;
            }
            cut.block = i;
            if let Kind::Group(g) = &b.kind
                && !g.collapsed
                && used + g.prefix.size <= room
            {
                used += g.prefix.size;
                for item in g.items.iter().filter(|it| it.kept) {
                    if used + item.span.size > room {
                        break;
                    }
                    used += item.span.size;
                    cut.items += 1;
                }
            }
            break;
        }
        let truncated = cut.block < self.blocks.len();
        let items = if truncated { items } else { self.items(self.tally(), false) };
        Ok(self.finish(budget, &notice, items, truncated.then_some(cut)))
    }

    /// What the notice lists, from the running tally and the dropped sections.
    fn items(&self, t: Tally, truncated: bool) -> Vec<String> {
        let mut items = Vec::new();
        if t.passing_rows > 0 {
            items.push(count(t.passing_rows, "passing table row"));
        }
        if t.table_rows > 0 {
            items.push(count(t.table_rows, "more table row"));
        }
        if t.list_items > 0 {
            items.push(count(t.list_items, "more list item"));
        }
        if t.details > 0 {
            items.push(count(t.details, "failure detail"));
        }
        let long: Vec<&Block> = self.blocks.iter().filter(|b| b.long).collect();
        let code = long.iter().filter(|b| is_code_block(b.span.text(self.src))).count();
        if long.len() > code {
            items.push(count(long.len() - code, "long paragraph"));
        }
        if code > 0 {
            items.push(count(code, "long code block"));
        }
        if !self.dropped_sections.is_empty() {
            let n = self.dropped_sections.len();
            let mut first = self.dropped_sections.clone();
            first.sort_unstable();
            let names: Vec<String> = first.iter().take(NAMED_SECTIONS).map(|&i| self.title(i)).collect();
            items.push(match n {
                1 => format!("section {}", names[0]),
                _ if n <= NAMED_SECTIONS => {
                    format!("sections {} and {}", names[..n - 1].join(", "), names[n - 1])
                }
                _ => format!("sections {} and {} more", names.join(", "), thousands(n - NAMED_SECTIONS)),
            });
        }
        if truncated {
            items.push("the rest of the report".to_string());
        }
        items
    }

    /// A heading's text, quoted and shortened, for the notice.
    fn title(&self, block: usize) -> String {
        let line = self.blocks[block].span.text(self.src).lines().next().unwrap_or("");
        let text = line.trim().trim_start_matches('#').trim();
        // An ATX closing sequence is a run of `#` after a space: "C#" keeps its `#`.
        let open = text.trim_end_matches('#');
        let text = if open.is_empty() || open.ends_with([' ', '\t']) { open.trim_end() } else { text };
        let short: String = text.chars().take(TITLE_CHARS).collect();
        let ellipsis = if short.len() < text.len() { "…" } else { "" };
        // Raw HTML in a title (a `<details>` tag, say) must not become markup in the notice.
        format!("“{}{ellipsis}”", short.replace('<', "&lt;"))
    }

    /// Assembles the text once.
    fn finish(&self, budget: &Budget, notice: &str, omitted: Vec<String>, cut: Option<Cut>) -> Fitted {
        let mut out = String::with_capacity(budget.limit.min(self.src.len()) + 64);
        for (i, b) in self.blocks.iter().enumerate() {
            if let Some(c) = cut
                && i >= c.block
            {
                if let (Kind::Group(g), true) = (&b.kind, c.items > 0) {
                    g.emit(self.src, &mut out, Some(c.items));
                }
                break;
            }
            if b.dropped {
                continue;
            }
            match &b.kind {
                Kind::Group(g) => g.emit(self.src, &mut out, None),
                _ => out.push_str(b.span.text(self.src)),
            }
        }
        if !notice.is_empty() {
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push('\n');
            }
            out.push_str(notice);
        }
        let size = budget.measure(&out);
        debug_assert!(size <= budget.limit, "fitted report is {size}, over the budget of {}", budget.limit);
        if size > budget.limit {
            // Unreachable when the estimates hold; the guarantee matters more than the content.
            let text = notices(budget, &omitted)
                .into_iter()
                .find(|n| budget.measure(n) <= budget.limit)
                .unwrap_or_default();
            return Fitted { text, omitted };
        }
        Fitted { text: out, omitted }
    }
}

/// A table group, or `None` when the table has no body rows or its rows are not where expected.
fn table(
    src: &str,
    unit: Unit,
    start: usize,
    reported_end: usize,
    end: usize,
    cells: usize,
    rows: &[usize],
) -> Option<Kind> {
    let items = item_spans(src, unit, start, reported_end, end, rows)?;
    let last_end = items.last()?.end;
    let items: Vec<Item> = items
        .into_iter()
        .map(|span| {
            let text = span.text(src);
            Item { span, pinned: is_total_row(text), passing: is_passing_row(text), kept: true }
        })
        .collect();
    let mut group = Group::new(GroupKind::Table { cells: cells.max(1) }, src, unit, start, Vec::new(), 0..0);
    group.prefix = Span::new(src, unit, start..rows[0]);
    group.suffix = Span::new(src, unit, last_end..end);
    group.tail = items.iter().rposition(|it| !it.pinned).map_or(0, |p| p + 1);
    group.kept_size = items.iter().map(|it| it.span.size).sum();
    group.items = items;
    Some(Kind::Group(group))
}

fn list(src: &str, unit: Unit, raw: &Raw, end: usize, start: Option<u64>, items: &[usize]) -> Option<Kind> {
    let spans = item_spans(src, unit, raw.start, raw.end, end, items)?;
    let last_end = spans.last()?.end;
    let line = &src[items[0]..];
    let body = line.trim_start_matches([' ', '\t']);
    let indent = line[..line.len() - body.len()].to_string();
    let marker = match (start, body.chars().next()) {
        (None, Some(c @ ('-' | '*' | '+'))) => ListMarker::Bullet(c),
        (Some(start), _) => {
            let delimiter = body.trim_start_matches(|c: char| c.is_ascii_digit()).chars().next();
            ListMarker::Ordered { start, delimiter: if delimiter == Some(')') { ')' } else { '.' } }
        }
        _ => return None,
    };
    let mut group =
        Group::new(GroupKind::List { indent, marker }, src, unit, raw.start, spans, last_end..end);
    group.prefix = Span::new(src, unit, raw.start..items[0]);
    Some(Kind::Group(group))
}

/// Items running from each start to the next, the last to the end of its line; `None` unless
/// the starts are increasing and inside the block.
fn item_spans(
    src: &str,
    unit: Unit,
    start: usize,
    reported_end: usize,
    end: usize,
    starts: &[usize],
) -> Option<Vec<Span>> {
    let (&first, &last) = (starts.first()?, starts.last()?);
    if first < start || starts.windows(2).any(|w| w[0] >= w[1]) || last >= end {
        return None;
    }
    // Blank lines after the last item belong to the block's suffix, so that whatever follows a
    // cut list or table ("- … and 3 more") is still separated from the next block.
    let last_end = trim_blank_lines(src, last, line_end(src, reported_end).clamp(last + 1, end));
    let mut spans: Vec<Span> = starts.windows(2).map(|w| Span::new(src, unit, w[0]..w[1])).collect();
    spans.push(Span::new(src, unit, last..last_end));
    Some(spans)
}

impl Group {
    fn new(
        kind: GroupKind,
        src: &str,
        unit: Unit,
        start: usize,
        spans: Vec<Span>,
        suffix: Range<usize>,
    ) -> Group {
        let items: Vec<Item> =
            spans.into_iter().map(|span| Item { span, pinned: false, passing: false, kept: true }).collect();
        Group {
            kind,
            prefix: Span { start, end: start, size: 0 },
            tail: items.len(),
            kept_size: items.iter().map(|it| it.span.size).sum(),
            items,
            suffix: Span::new(src, unit, suffix),
            passing_dropped: 0,
            cut_dropped: 0,
            collapsed: false,
        }
    }
}

/// Whether a block is a code block (fenced, or indented by four spaces or a tab).
fn is_code_block(text: &str) -> bool {
    let t = text.trim_start_matches(' ');
    t.starts_with("```") || t.starts_with("~~~") || text.starts_with("    ") || text.starts_with('\t')
}

/// A row whose first cell is exactly `**Total**`.
fn is_total_row(row: &str) -> bool {
    let row = row.trim_start();
    let row = row.strip_prefix('|').unwrap_or(row);
    row.split('|').next().is_some_and(|cell| cell.trim() == "**Total**")
}

/// A row marked as passing and not also as failing, warning or not run: a stage table row such
/// as `| Auth | collection | ✅ ok |` is passing, a category row showing ✅ beside ❌ is not.
fn is_passing_row(row: &str) -> bool {
    const PASS: [&str; 2] = ["✅", "[ok]"];
    const WORSE: [&str; 6] = ["❌", "⚠", "➖", "[fail]", "[warn]", "[not run]"];
    PASS.iter().any(|m| row.contains(m)) && !WORSE.iter().any(|m| row.contains(m))
}

/// The notice, fullest first: listing what was omitted, then shorter ones for small budgets.
fn notices(budget: &Budget, items: &[String]) -> Vec<String> {
    vec![
        notice(budget, items),
        format!(
            "> ⚠️ This report was shortened to fit {} {}. The full report is in the job's artifacts.\n",
            thousands(budget.limit),
            budget.unit.noun()
        ),
        "> ⚠️ Shortened; the full report is in the job's artifacts.\n".to_string(),
        "> ⚠️ Shortened.\n".to_string(),
    ]
}

fn notice(budget: &Budget, items: &[String]) -> String {
    let what = if items.is_empty() { String::new() } else { format!(": {}", items.join("; ")) };
    format!(
        "> ⚠️ This report was shortened to fit {} {}{what}. The full report is in the job's artifacts.\n",
        thousands(budget.limit),
        budget.unit.noun()
    )
}

/// `n` and `noun`, plural unless `n` is 1: "1 passing row", "1,234 passing rows".
fn count(n: usize, noun: &str) -> String {
    crate::words::count(crate::words::len(n), noun)
}

/// `1234567` as `1,234,567`.
fn thousands(n: usize) -> String {
    crate::words::thousands(u128::from(crate::words::len(n)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::TagEnd;

    fn bytes(limit: usize) -> Budget {
        Budget { limit, unit: Unit::Bytes }
    }

    /// Fits and checks the invariants: within budget, tables with consistent cells, balanced
    /// `<details>` and fences, a notice whenever something was left out.
    #[track_caller]
    fn fit_ok(md: &str, budget: Budget) -> Fitted {
        let f = fit(md, &budget).unwrap_or_else(|e| panic!("{e:?} for a budget of {}", budget.limit));
        assert!(
            budget.measure(&f.text) <= budget.limit,
            "{} > {}:\n{}",
            budget.measure(&f.text),
            budget.limit,
            f.text
        );
        assert_valid(&f.text);
        if f.text != md && budget.limit >= 100 {
            assert!(f.text.contains("> ⚠️"), "no notice:\n{}", f.text);
        }
        f
    }

    #[track_caller]
    fn assert_valid(md: &str) {
        let mut cells = 0;
        for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
            match event {
                Event::Start(Tag::Table(a)) => cells = a.len(),
                Event::Start(Tag::TableHead | Tag::TableRow) => {
                    let line = md[range].lines().next().unwrap_or("");
                    let n = line.trim().matches('|').count() - 1;
                    assert_eq!(n, cells, "row `{line}` in:\n{md}");
                }
                Event::End(TagEnd::Table) => cells = 0,
                _ => {}
            }
        }
        assert_eq!(md.matches("<details").count(), md.matches("</details>").count(), "{md}");
        assert_eq!(md.lines().filter(|l| l.trim_start().starts_with("```")).count() % 2, 0, "{md}");
    }

    fn details(i: usize, pad: usize) -> String {
        format!(
            "<details><summary>❌ test_{i}</summary>\n\nAt `t.rs`\n\n```\n{}\n```\n\n</details>\n\n",
            "x".repeat(pad)
        )
    }

    #[test]
    fn parse_presets_and_numbers() {
        assert_eq!(Budget::parse("summary"), Ok(Budget::SUMMARY));
        assert_eq!(Budget::parse("comment"), Ok(Budget { limit: 65_000, unit: Unit::Chars }));
        assert_eq!(Budget::parse(" check "), Ok(Budget { limit: 65_000, unit: Unit::Bytes }));
        assert_eq!(Budget::parse("1000"), Ok(bytes(1000)));
        assert_eq!(Budget::parse("65_000"), Ok(bytes(65_000)));
        for bad in ["", "0", "-5", "1.5", "10k", "summaries", "99999999999999999999999"] {
            assert!(Budget::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fitting_input_is_unchanged() {
        let md = "# T\n\nsome text\n";
        assert_eq!(fit(md, &bytes(md.len())), Ok(Fitted { text: md.into(), omitted: vec![] }));
        assert_eq!(fit_ok("no newline", bytes(10)).text, "no newline");
    }

    #[test]
    fn step1_drops_passing_rows_keeps_total_and_failures() {
        let mut md = String::from(
            "# T\n\n**Result**: 2 failed\n\n| Name | Status | Note |\n|------|:------:|------|\n",
        );
        for i in 0..50 {
            md.push_str(&format!("| ok_{i:02} | ✅ | {} |\n", "p".repeat(80)));
        }
        md.push_str(
            "| bad_1 | ❌ | broken |\n| warned | ✅ ok, ⚠️ issues | |\n| **Total** | ❌ | |\n\nAfter.\n",
        );
        let f = fit_ok(&md, bytes(md.len() - 3000));
        assert_eq!(f.omitted, ["50 passing table rows"]);
        assert!(!f.text.contains("ok_"));
        assert!(f.text.contains(
            "| warned | ✅ ok, ⚠️ issues | |\n| … and 50 passing rows not shown |  |  |\n| **Total** | ❌ | |\n"
        ));
        assert!(f.text.contains("| bad_1 |") && f.text.contains("After.\n\n> ⚠️ This report was shortened"));
        assert!(f.text.ends_with("50 passing table rows. The full report is in the job's artifacts.\n"));
    }

    #[test]
    fn step3_cuts_lists_tables_and_details_runs() {
        let mut md = String::from("# T\n\n");
        for i in 0..100 {
            md.push_str(&format!("- item {i:03} {}\n", "l".repeat(40)));
        }
        md.push_str("\n3. first\n3. second\n\n| A | B |\n|---|---|\n");
        for i in 0..100 {
            md.push_str(&format!("| row {i:03} | ❌ {} |\n", "r".repeat(40)));
        }
        md.push_str("| **Total** | 100 |\n\n");
        for i in 0..100 {
            md.push_str(&details(i, 40));
        }
        md.push_str("Tail.\n");
        let f = fit_ok(&md, bytes(md.len() / 3));
        // Halving from 100: 50 does not fit, 25 does.
        assert_eq!(f.omitted, ["75 more table rows", "75 more list items", "75 failure details"]);
        assert!(f.text.contains("- item 024") && !f.text.contains("- item 025"));
        assert!(f.text.contains(&format!("- item 024 {}\n- … and 75 more\n\n3. first", "l".repeat(40))));
        assert!(f.text.contains("| … and 75 more |  |\n| **Total** | 100 |\n"));
        assert!(f.text.contains("test_24<") && !f.text.contains("test_25<"));
        assert!(f.text.contains("</details>\n\n… and 75 more failure details not shown\n\nTail.\n"));

        // Tighter: down to one item each; the ordered list keeps its numbering style.
        let f = fit_ok(&md, bytes(800));
        assert!(
            f.text.contains("- … and 99 more\n") && f.text.contains("3. first\n4. … and 1 more\n"),
            "{}",
            f.text
        );
        assert!(f.text.contains("| … and 99 more |  |\n| **Total** | 100 |"));
        assert!(f.text.contains("… and 99 more failure details not shown"));
    }

    #[test]
    fn step4_collapses_details() {
        let mut md = String::from("# T\n\nVerdict.\n\n### Failures\n\n");
        for i in 0..30 {
            md.push_str(&details(i, 1000));
        }
        let f = fit_ok(&md, bytes(600));
        assert!(!f.text.contains("<details"));
        assert!(f.text.contains("### Failures\n\n… 30 failure details not shown\n\n> ⚠️"), "{}", f.text);
        assert_eq!(f.omitted, ["30 failure details"]);
    }

    #[test]
    fn step5_drops_sections_from_the_end_never_the_h1_preamble() {
        let big = "b".repeat(2000);
        let a = "a".repeat(300);
        let md = format!(
            "# Title\n\n**Result**: totals here\n\n---\n\n## A\n\n{a}\n\n### A.1\n\n{big}\n\n## B\n\n{big}\n\n## C\n\n{big}\n"
        );
        let f = fit_ok(&md, bytes(2600));
        assert!(f.text.contains("## A\n") && f.text.contains("### A.1"));
        assert!(!f.text.contains("## B") && !f.text.contains("## C"));
        assert_eq!(f.omitted, ["sections “B” and “C”"]);

        let f = fit_ok(&md, bytes(400));
        assert!(f.text.starts_with("# Title\n\n**Result**: totals here\n\n---\n\n> ⚠️"), "{}", f.text);
        assert_eq!(f.omitted, ["sections “A”, “A.1”, “B” and 1 more"]);
    }

    #[test]
    fn step6_truncates_at_a_block_boundary() {
        let mut md = String::from("# Title\n\n");
        for i in 0..100 {
            md.push_str(&format!("Paragraph {i:03} {}\n\n", "p".repeat(40)));
        }
        let f = fit_ok(&md, bytes(500));
        assert!(f.text.starts_with("# Title\n\nParagraph 000"));
        assert_eq!(f.omitted, ["the rest of the report"]);
        // Whole paragraphs only.
        for line in f.text.lines().filter(|l| l.starts_with("Paragraph")) {
            assert_eq!(line.len(), "Paragraph 000 ".len() + 40);
        }
        // A table is cut between rows, keeping its header.
        let mut md = String::from("| A | B |\n|---|---|\n");
        for i in 0..100 {
            md.push_str(&format!("| {i} | ❌ |\n"));
        }
        let f = fit_ok(&md, bytes(300));
        assert!(f.text.starts_with("| A | B |\n|---|---|\n| 0 | ❌ |\n"), "{}", f.text);
    }

    #[test]
    fn step2_leaves_out_blocks_that_can_never_fit() {
        // A chart and a list of names in one paragraph, each larger than the budget: kept,
        // they would take the verdict (and everything after) with them.
        let names = "name, ".repeat(2000);
        let chart = format!("```mermaid\n{}\n```\n", "x ".repeat(3000));
        let md = format!(
            "# T\n\n**Result**: 3 of 9\n\n## Mission\n\nBelow target: {names}\n\n**Verdict**: not met\n\n## Statistics\n\n{chart}\nBars.\n\n## Only long\n\n{names}\n\n## End\n\nFinal.\n"
        );
        let f = fit_ok(&md, bytes(4000));
        assert_eq!(
            f.text,
            "# T\n\n**Result**: 3 of 9\n\n## Mission\n\n**Verdict**: not met\n\n## Statistics\n\nBars.\n\n## End\n\nFinal.\n\n> ⚠️ This report was shortened to fit 4,000 bytes: 1 long paragraph; 1 long code block; section “Only long”. The full report is in the job's artifacts.\n"
        );
        // Blocks that fit beside the head stay for step 5, which drops whole sections.
        let f = fit_ok(&md, bytes(md.len() - 100));
        assert_eq!(f.omitted, ["sections “Only long” and “End”"]);
    }

    #[test]
    fn budgets_too_small_for_the_head_are_refused_with_the_minimum() {
        let md = format!("# A long enough title\n\n**Result**: 2 of 3\n\n## Next\n\n{}\n", "x".repeat(5000));
        let f = fit_ok(&md, bytes(200));
        assert_eq!(
            f.text,
            "# A long enough title\n\n**Result**: 2 of 3\n\n> ⚠️ This report was shortened to fit 200 bytes: section “Next”. The full report is in the job's artifacts.\n"
        );
        let min = fit(&md, &bytes(10)).unwrap_err().minimum;
        assert_eq!(
            min,
            "# A long enough title\n\n**Result**: 2 of 3\n\n".len() + 1 + "> ⚠️ Shortened.\n".len()
        );
        assert_eq!(
            fit_ok(&md, bytes(min)).text,
            "# A long enough title\n\n**Result**: 2 of 3\n\n> ⚠️ Shortened.\n"
        );
        for limit in 0..min {
            assert_eq!(fit(&md, &bytes(limit)), Err(TooSmall { minimum: min }), "{limit}");
        }
        for limit in min..400 {
            assert!(
                fit_ok(&md, bytes(limit)).text.starts_with("# A long enough title\n\n**Result**: 2 of 3\n\n")
            );
        }
        assert_eq!(
            TooSmall { minimum: 1234 }.message(&Budget::COMMENT, Some("comment")),
            "--budget comment (65,000 characters) is too small for this report: its title, verdict and headline figures, with the notice that the rest was left out, need at least 1,234 characters"
        );
        assert_eq!(
            TooSmall { minimum: 1 }.message(&bytes(1), None),
            "--budget summary (1 byte) is too small for this report: its title, verdict and headline figures, with the notice that the rest was left out, need at least 1 byte"
        );
    }

    #[test]
    fn details_block_with_blank_lines_and_fenced_close_tag_is_one_unit() {
        let tricky = "<details><summary>x</summary>\n\n```\n</details>\n<details>\n```\n\n| a |\n|---|\n| ✅ |\n\n</details>\n\n";
        let md = format!("# T\n\n{}{}", tricky.repeat(30), "end\n");
        let doc = Doc::parse(&md, Unit::Bytes);
        let Kind::Group(g) = &doc.blocks[1].kind else { panic!("not a group") };
        assert!(matches!(g.kind, GroupKind::Details));
        assert_eq!(g.items.len(), 30);
        assert!(g.items.iter().all(|it| it.span.text(&md) == tricky));
        // The table inside a <details> block is not shrunk on its own.
        let f = fit_ok(&md, bytes(md.len() - 200));
        assert_eq!(f.omitted, ["10 failure details"]);
    }

    #[test]
    fn chars_and_bytes_count_differently() {
        let md = format!("# 🎉\n\n{}", format!("{}\n\n", "😀".repeat(10)).repeat(20));
        // Emoji are 1 character and 4 bytes each.
        assert_eq!((md.chars().count(), md.len()), (245, 848));
        assert_eq!(fit_ok(&md, Budget { limit: 245, unit: Unit::Chars }).text, md);
        assert_ne!(fit_ok(&md, bytes(846)).text, md);
        let f = fit_ok(&md, Budget { limit: 200, unit: Unit::Chars });
        assert!(f.text.chars().count() <= 200 && f.text.len() > 200);
        assert!(f.text.contains("fit 200 characters: the rest of the report."));
        assert_eq!(f.text.matches("😀").count() % 10, 0, "whole paragraphs only");
    }

    #[test]
    fn input_without_final_newline() {
        let md = format!("| A |\n|---|\n{}| ❌ last |", "| ✅ |\n".repeat(100));
        let f = fit_ok(&md, bytes(300));
        assert!(f.text.contains("| ❌ last |\n| … and 100 passing rows not shown |\n\n> ⚠️"), "{}", f.text);
    }

    #[test]
    fn section_titles_in_the_notice_are_plain() {
        let big = "b".repeat(500);
        let md =
            format!("# T\n\n## C# tips ##\n\n{big}\n\n## <details> in a title\n\n{big}\n\n## ✅\n\n{big}\n");
        let f = fit_ok(&md, bytes(300));
        assert_eq!(f.omitted, ["sections “C# tips”, “&lt;details> in a title” and “✅”"]);
    }

    #[test]
    fn thousands_and_counts() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(count(1, "row"), "1 row");
        assert_eq!(count(2, "row"), "2 rows");
    }
}
