//! JSON Schema of the manifests, for editors (`# yaml-language-server: $schema=…`).

use serde_json::{Value, json};

use crate::SchemaKind;

fn text_list() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

fn sections() -> Value {
    json!({
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": false,
            "required": ["title"],
            "properties": { "title": { "type": "string" }, "points": text_list() }
        }
    })
}

/// The schema of `report.yaml`.
pub(crate) fn report() -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://gen-report.invalid/schema/report.json",
        "title": "gen-report report.yaml",
        "description": "The report: what it is about, and its narrative. Narrative holds words; figures are computed.",
        "type": "object",
        "additionalProperties": false,
        "required": ["title"],
        "properties": {
            "title": { "type": "string", "description": "The report's title." },
            "date": { "type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "description": "YYYY-MM-DD." },
            "objective": { "type": "string" },
            "target": { "type": "integer", "minimum": 0, "description": "Overall test target; default: the sum of category targets." },
            "duration": { "type": "string" },
            "author": { "type": "string" },
            "currency": { "type": "string", "pattern": "^[A-Z]{3}$", "default": "USD" },
            "value_target": { "type": "number", "minimum": 0 },
            "achievements": sections(),
            "process": text_list(),
            "quality_standards": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "implementation"],
                    "properties": { "name": { "type": "string" }, "implementation": { "type": "string" } }
                }
            },
            "highlights": sections(),
            "sections": sections(),
            "next_steps": {
                "type": "object",
                "additionalProperties": false,
                "properties": { "immediate": text_list(), "medium_term": text_list(), "long_term": text_list() }
            },
            "final_remarks": text_list(),
            "extra": { "type": "object", "description": "Passed to templates untouched." },
            "failure_categories": {
                "type": "array",
                "description": "Failure categories, the first that matches a failure wins; unmatched failures are uncategorised.",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name"],
                    "anyOf": [{ "required": ["message"] }, { "required": ["trace"] }],
                    "properties": {
                        "name": { "type": "string", "minLength": 1 },
                        "message": { "type": "string", "description": "Regex searched in the failure's first line." },
                        "trace": { "type": "string", "description": "Regex searched in the rest of the failure's text." }
                    }
                }
            }
        }
    })
}

/// The schema of a category manifest.
pub(crate) fn category() -> Value {
    let state = json!({ "enum": ["ok", "issues", "failed", "not-run"] });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://gen-report.invalid/schema/category.json",
        "title": "gen-report category",
        "type": "object",
        "additionalProperties": false,
        "required": ["name", "target", "tests"],
        "properties": {
            "name": { "type": "string", "minLength": 1 },
            "target": { "type": "integer", "minimum": 0 },
            "tests": { "type": "integer", "minimum": 0, "description": "Declared number of tests (results, when given, are the evidence)." },
            "location": { "type": "string", "description": "Test file or folder; also matches result cases to this category." },
            "covers": text_list(),
            "value": { "type": "number", "minimum": 0, "description": "Business value protected, in the report's currency." },
            "status": {
                "type": "object",
                "description": "Stage → state (claims).",
                "additionalProperties": {
                    "oneOf": [
                        state,
                        {
                            "type": "object",
                            "additionalProperties": false,
                            "required": ["state"],
                            "properties": { "state": state, "note": { "type": "string" } }
                        }
                    ]
                }
            },
            "results": { "type": "string", "description": "Path or glob of result files, relative to this file." },
            "extra": { "type": "object", "description": "Passed to templates untouched." }
        }
    })
}

/// The schema(s) asked for.
pub(crate) fn schema(kind: SchemaKind) -> Value {
    match kind {
        SchemaKind::Report => report(),
        SchemaKind::Category => category(),
        SchemaKind::All => json!({ "report": report(), "category": category() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::manifest::{CATEGORY_FIELDS, REPORT_FIELDS};

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> =
            v["properties"].as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
        k.sort();
        k
    }

    // The schema must accept exactly the keys the loader accepts.
    #[test]
    fn schema_keys_match_the_loader() {
        let mut report_keys: Vec<String> =
            REPORT_FIELDS.iter().take(17).map(|(k, _)| k.to_string()).collect();
        report_keys.sort();
        assert_eq!(keys(&report()), report_keys);
        let mut cat_keys: Vec<String> = CATEGORY_FIELDS.iter().take(9).map(|(k, _)| k.to_string()).collect();
        cat_keys.sort();
        assert_eq!(keys(&category()), cat_keys);
    }
}
