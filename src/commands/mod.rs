//! The commands beside the report: `init` (`scaffold`) and `schema` (the manifests' JSON Schemas).

pub(crate) mod scaffold;
pub(crate) mod schema;
