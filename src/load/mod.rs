//! Stage 1, **load**: the data directory's manifests ([`manifest`]), the YAML reader under them,
//! the narrative scanner that checks their prose, and the result files they name (`inputs`).

pub mod categories;
pub(crate) mod inputs;
pub mod manifest;
pub(crate) mod narrative;
pub(crate) mod stage;
pub(crate) mod yaml;
