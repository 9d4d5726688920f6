//! Placeholder until the html branch lands.

/// A standalone page for `markdown`.
pub fn page(markdown: &str, title: &str) -> String {
    format!("<!doctype html><title>{title}</title><pre>{markdown}</pre>")
}
