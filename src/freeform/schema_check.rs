//! `--schema`: JSON Schema validation of free-form data, each violation reported like a manifest
//! error — the data file, line and column, the source line, what was expected and, for an
//! unknown property, the closest known one.
//!
//! The validator is the `jsonschema` crate (every draft from 4 to 2020-12, chosen by the
//! schema's `$schema`, 2020-12 without one). It is built without network or file retrieval:
//! `$ref`s resolve inside the schema file only. The schema may be written in JSON or YAML, and
//! is read with the data's strict rules, so a broken schema is reported at its own position.

use std::path::{Path, PathBuf};

use jsonschema::error::{TypeKind, ValidationErrorKind};

use crate::error::Diagnostic;
use crate::freeform::data::{Data, Position, escape_token, shown};

/// A compiled schema and where it came from.
pub(crate) struct Schema {
    file: PathBuf,
    /// The schema as written (in its key order, for messages).
    tree: crate::freeform::data::Value,
    validator: jsonschema::Validator,
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Schema({})", self.file.display())
    }
}

/// Largest schema file read (a real one is a few KiB).
pub(crate) const MAX_SCHEMA_BYTES: u64 = 1 << 20;
/// Longest regular expression (`pattern`, a `patternProperties` key) compiled.
pub(crate) const MAX_PATTERN_BYTES: usize = 4096;

/// `s` cut to `max` characters, for quoting.
fn prefix(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Patterns longer than [`MAX_PATTERN_BYTES`]: (pointer, whether the key is the pattern, text).
fn long_patterns(v: &crate::freeform::data::Value, pointer: &str, out: &mut Vec<(String, bool, String)>) {
    use crate::freeform::data::Value;
    match v {
        Value::Map(entries) => {
            for (k, child) in entries {
                let here = format!("{pointer}/{}", escape_token(k));
                match (k.as_str(), child) {
                    ("pattern", Value::Str(p)) if p.len() > MAX_PATTERN_BYTES => {
                        out.push((here.clone(), false, p.clone()))
                    }
                    ("patternProperties", Value::Map(props)) => {
                        for (p, _) in props.iter().filter(|(p, _)| p.len() > MAX_PATTERN_BYTES) {
                            out.push((format!("{here}/{}", escape_token(p)), true, p.clone()));
                        }
                    }
                    _ => {}
                }
                long_patterns(child, &here, out);
            }
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                long_patterns(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Reads and compiles the schema in `file`.
///
/// # Errors
/// The file cannot be read or parsed, or is not a valid JSON Schema (at the schema's position).
pub(crate) fn load(file: &Path) -> Result<Schema, Vec<Diagnostic>> {
    // Sizes checked before anything is compiled: a regex is compiled per `pattern`, and a huge
    // one costs memory and time far beyond its text (5 MB took 1.5 GB).
    if let Ok(m) = std::fs::metadata(file)
        && m.is_file()
        && m.len() > MAX_SCHEMA_BYTES
    {
        return Err(vec![Diagnostic::error(
            file,
            None,
            format!("a schema of {} bytes: expected at most {MAX_SCHEMA_BYTES} (1 MiB)", m.len()),
        )]);
    }
    let (value, positions) = crate::freeform::data::read_file(file, "", 0)?;
    let mut long = Vec::new();
    long_patterns(&value, "", &mut long);
    if !long.is_empty() {
        return Err(long
            .into_iter()
            .map(|(pointer, is_key, text)| {
                let pos = positions.get(&pointer).and_then(|p| if is_key { p.key } else { Some(p.value) });
                Diagnostic::error(
                    file,
                    pos,
                    format!(
                        "a pattern of {} bytes (`{}`): expected at most {MAX_PATTERN_BYTES}",
                        text.len(),
                        prefix(&text, 40)
                    ),
                )
            })
            .collect());
    }
    let json = value.to_json();
    let validator = jsonschema::validator_for(&json).map_err(|e| {
        let pointer = e.instance_path().as_str().to_string();
        let pos = nearest(&positions, &pointer).map(|p| p.value);
        vec![Diagnostic::error(
            file,
            pos,
            format!(
                "not a valid JSON Schema: {}; expected a schema whose `$ref`s point inside this file",
                prefix(&e.to_string(), 300)
            ),
        )]
    })?;
    Ok(Schema { file: file.to_path_buf(), tree: value, validator })
}

impl Schema {
    /// The schema file.
    pub(crate) fn file(&self) -> &Path {
        &self.file
    }

    /// Every violation of the schema by `data`, ordered by file and position.
    pub(crate) fn check(&self, data: &Data) -> Vec<Diagnostic> {
        let instance = data.tree.to_json();
        let mut out = Vec::new();
        for e in self.validator.iter_errors(&instance) {
            let pointer = e.instance_path().as_str().to_string();
            let here = shown(&pointer);
            match e.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected }
                | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                    let known = self.known_properties(e.schema_path().as_str());
                    for name in unexpected {
                        let child = format!("{pointer}/{}", escape_token(name));
                        out.push(self.at(data, &child, true, unknown_property(name, &here, &known)));
                    }
                }
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().map_or_else(|| property.to_string(), str::to_string);
                    // The root of a folder (or of merged paths) is a map of files.
                    let expected = if pointer.is_empty() && !data.positions.contains_key("") {
                        format!(
                            "expected a data file or folder named `{name}` (`{name}.yaml`, `{name}.json`, …)"
                        )
                    } else {
                        format!("expected `{name}:` in this map")
                    };
                    out.push(self.at(
                        data,
                        &pointer,
                        false,
                        format!("missing required property `{name}` in {here}: {expected}"),
                    ));
                }
                ValidationErrorKind::Type { kind } => {
                    let expected = match kind {
                        TypeKind::Single(t) => type_name(t.as_str()).to_string(),
                        TypeKind::Multiple(set) => {
                            set.iter().map(|t| type_name(t.as_str())).collect::<Vec<_>>().join(" or ")
                        }
                    };
                    let found = describe(e.instance());
                    out.push(self.at(
                        data,
                        &pointer,
                        false,
                        format!("{here} is {found}: expected {expected}"),
                    ));
                }
                ValidationErrorKind::Enum { options } => {
                    out.push(self.at(data, &pointer, false, not_one_of(&here, e.instance(), options)));
                }
                _ => {
                    out.push(self.at(data, &pointer, false, format!("{here}: {e}")));
                }
            }
        }
        // Deterministic and readable: file by file, top to bottom.
        out.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        out
    }

    /// A diagnostic at the value at `pointer` (or its key), in the data file that holds it.
    fn at(&self, data: &Data, pointer: &str, key: bool, message: String) -> Diagnostic {
        match data.locate(pointer) {
            Some((file, pos)) => {
                let at = if key { pos.key.unwrap_or(pos.value) } else { pos.value };
                Diagnostic::error(file, Some(at), message)
            }
            // The data tree's root is no file: name the first `--data` path (or the schema).
            None => Diagnostic::error(
                data.roots.first().map_or(self.file.as_path(), PathBuf::as_path),
                None,
                message,
            ),
        }
    }

    /// The property names the schema declares beside the keyword at `schema_path`
    /// (`/properties/services/items/additionalProperties` → the keys of `…/items/properties`).
    fn known_properties(&self, schema_path: &str) -> Vec<String> {
        let parent = schema_path.rsplit_once('/').map_or("", |(p, _)| p);
        match self.tree.pointer(&format!("{parent}/properties")) {
            Some(crate::freeform::data::Value::Map(entries)) => {
                entries.iter().map(|(k, _)| k.clone()).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// JSON Schema's type names in the words the rest of gen-report uses.
fn type_name(t: &str) -> &str {
    match t {
        "integer" => "a whole number",
        "number" => "a number",
        "string" => "text",
        "boolean" => "true or false",
        "array" => "a list",
        "object" => "a map",
        "null" => "null",
        other => other,
    }
}

/// `the text "12k"`, `the number 3`, `a list`: what a value is.
fn describe(v: &serde_json::Value) -> String {
    use serde_json::Value as J;
    match v {
        J::Null => "null".into(),
        J::Bool(b) => format!("{b}"),
        J::Number(n) => format!("the number {n}"),
        J::String(s) => {
            let short: String = s.chars().take(40).collect();
            let more = if s.chars().count() > 40 { "…" } else { "" };
            format!("the text {:?}", format!("{short}{more}"))
        }
        J::Array(_) => "a list".into(),
        J::Object(_) => "a map".into(),
    }
}

fn nearest<'a>(
    positions: &'a std::collections::BTreeMap<String, Position>,
    pointer: &str,
) -> Option<&'a Position> {
    let mut p = pointer;
    loop {
        if let Some(pos) = positions.get(p) {
            return Some(pos);
        }
        p = &p[..p.rfind('/')?];
    }
}

/// "unknown property `x` in …": with the properties the schema knows, and the closest of them.
fn unknown_property(name: &str, here: &str, known: &[String]) -> String {
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = match crate::load::yaml::did_you_mean(name, &known) {
        Some(best) => format!(" (did you mean `{best}`?)"),
        None => String::new(),
    };
    let expected = if known.is_empty() {
        "expected no other properties".to_string()
    } else {
        format!("expected one of: {}", known.join(", "))
    };
    format!("unknown property `{name}` in {here}{hint}; {expected}")
}

/// "… is `x` (did you mean `y`?): expected one of: …" for an `enum` violation.
fn not_one_of(here: &str, instance: &serde_json::Value, options: &serde_json::Value) -> String {
    let choices: Vec<String> = options
        .as_array()
        .map(|a| a.iter().map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string)).collect())
        .unwrap_or_else(|| vec![options.to_string()]);
    let names: Vec<&str> = options
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    let hint = instance
        .as_str()
        .and_then(|s| crate::load::yaml::did_you_mean(s, &names))
        .map(|best| format!(" (did you mean `{best}`?)"))
        .unwrap_or_default();
    let found = describe(instance);
    format!("{here} is {found}{hint}: expected one of: {}", choices.join(", "))
}
