//! Rendering the model through Tera templates. No I/O happens here.

pub mod badge;
pub mod budget;
pub mod chart;
pub mod compute;
pub mod ctrf;
mod escape;
pub mod filters;
pub mod html;
pub mod junit;
pub(crate) mod stage;
pub mod templates;

use serde::Serialize;
use tera::{Context, Tera};

pub use escape::{escape_cell, escape_inline, visible_controls, visible_controls_line};
pub use filters::FilterSettings;
pub use templates::{DEFAULT_TEMPLATE, SUMMARY_TEMPLATE, TemplateSet};

use crate::error::Error;

/// Renders `template` from `set` with `context` serialised at the top level.
///
/// Templates whose names end in `.md` auto-escape every value as Markdown text.
///
/// # Errors
/// Template syntax errors, unknown filters, undefined variables: each names the template file,
/// line and column.
pub fn render<C: Serialize>(
    set: &TemplateSet,
    template: &str,
    context: &C,
    settings: &FilterSettings,
) -> Result<String, Error> {
    let mut tera = Tera::new();
    tera.autoescape_on([".md"]);
    tera.set_escape_fn(escape::escape_markdown);
    filters::register(&mut tera, settings);
    let sources: Vec<(&str, &str)> = set.sources.iter().map(|(n, s)| (n.as_str(), s.text.as_str())).collect();
    tera.add_raw_templates(sources).map_err(|e| template_error(set, template, &e))?;
    if !tera.contains_template(template) {
        let known: Vec<&str> =
            set.sources.keys().map(String::as_str).filter(|n| !n.starts_with("partials/")).collect();
        return Err(Error::Usage(format!(
            "no template named `{template}`: expected one of {} or a template file path",
            known.join(", ")
        )));
    }
    let ctx = Context::from_serialize(context).map_err(|e| template_error(set, template, &e))?;
    let mut out = Capped(Vec::new());
    let rendered = tera.render_to(template, &ctx, &mut out);
    // The context is a tree of values as big as the model (10,000 categories: tens of MB);
    // freeing it was 8% of such a report's CPU time (perf), so it is freed off the caller's path.
    let _ = std::thread::Builder::new().name("free-context".into()).spawn(move || drop(ctx));
    rendered.map_err(|e| template_error(set, template, &e))?;
    String::from_utf8(out.0)
        .map_err(|_| Error::Usage(format!("template `{template}` rendered invalid UTF-8")))
}

/// Largest rendered output: far beyond any real report, small enough that a runaway template
/// loop fails with a message instead of filling memory.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024 * 1024;

/// A buffer that refuses to grow beyond [`MAX_OUTPUT_BYTES`] (Tera renders into it as it goes).
struct Capped(Vec<u8>);

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT_BYTES {
            return Err(std::io::Error::other(format!(
                "the rendered output exceeds {} MiB: expected a template whose loops are bounded",
                MAX_OUTPUT_BYTES >> 20
            )));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Turns a Tera error into ours, with the template's file, line and column.
fn template_error(set: &TemplateSet, fallback: &str, e: &tera::Error) -> Error {
    let (name, pos, message) = match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let name = if r.filename().is_empty() { fallback } else { r.filename() };
            let span = r.span();
            (name.to_string(), Some((span.start_line, span.start_col + 1)), r.message().to_string())
        }
        // Cycles and missing parents name the template at fault, which may not be the one
        // being rendered (every template of a --templates directory is loaded).
        tera::ErrorKind::CircularInclude { tpl, .. } | tera::ErrorKind::CircularExtend { tpl, .. } => {
            (tpl.clone(), None, e.to_string())
        }
        tera::ErrorKind::MissingParent { current, .. } => (current.clone(), None, e.to_string()),
        // Validation errors (unknown filter, missing parent) arrive pre-rendered as
        // "error: MSG\n --> NAME:LINE:COL\n..."; recover their parts.
        _ => match parse_rendered(&e.to_string()) {
            Some((msg, name, line, col)) => (name, Some((line, col)), msg),
            None => (fallback.to_string(), None, e.to_string()),
        },
    };
    let mut message = message;
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let file = std::path::PathBuf::from(set.origin(&name));
    let pos = pos.map(|(l, c)| (l as u64, c as u64));
    Error::Template {
        diagnostic: crate::Diagnostic::error(&file, pos, message),
        text: set.sources.get(&name).map(|s| s.text.clone()),
    }
}

/// Splits Tera's rendered report into message, template name, line and column.
fn parse_rendered(text: &str) -> Option<(String, String, usize, usize)> {
    let mut lines = text.lines();
    let msg = lines.next()?.trim().strip_prefix("error: ")?.to_string();
    let loc = lines.next()?.trim().strip_prefix("--> ")?;
    let mut parts = loc.rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let name = parts.next()?.to_string();
    Some((msg, name, line, col))
}
