//! User-defined failure categories (`failure_categories:` in report.yaml) as the manifest loads
//! them: compiled, size-limited regexes. [`crate::model::causes`] counts failures into them.

use serde::Serialize;

/// One user-defined failure category (`failure_categories:` in report.yaml).
#[derive(Debug, Clone)]
pub struct FailureCategory {
    pub name: String,
    /// Searched in the failure's headline (its first line).
    pub message: Option<regex::Regex>,
    /// Searched in the rest of the failure's text (the trace).
    pub trace: Option<regex::Regex>,
}

impl Serialize for FailureCategory {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("FailureCategory", 3)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("message", &self.message.as_ref().map(regex::Regex::as_str))?;
        st.serialize_field("trace", &self.trace.as_ref().map(regex::Regex::as_str))?;
        st.end()
    }
}

/// The name failures that match no category are counted under.
pub const UNCATEGORISED: &str = "uncategorised";
/// Compiled size limit of one category regex, in bytes: a hostile pattern is refused, never
/// slow (the `regex` crate matches in linear time, without backtracking).
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a category regex with the size limit.
///
/// # Errors
/// The pattern is not a valid regex, or too large.
pub fn compile(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern).size_limit(REGEX_SIZE_LIMIT).dfa_size_limit(REGEX_SIZE_LIMIT).build()
}

/// A regex error in one line: what is wrong and where in the pattern (the crate's own message
/// spans lines, drawing a caret under the pattern).
pub fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    let lines: Vec<&str> = text.lines().collect();
    let Some(reason) = lines.last().and_then(|l| l.strip_prefix("error: ")) else {
        return lines.join(" ");
    };
    // "regex parse error:", the pattern indented by 4, the caret line, "error: …".
    let caret = lines.get(2).and_then(|l| l.find('^')).map(|c| c.saturating_sub(4));
    match caret {
        Some(c) if lines.len() == 4 => {
            format!("{reason} (at character {} of the pattern)", c.saturating_add(1))
        }
        _ => reason.to_string(),
    }
}
