//! Stage 5, **emit**: atomic output files, `--check`, job summaries (`output`) and CI
//! annotations ([`annotations`]).

pub mod annotations;
pub(crate) mod diagnostics;
pub(crate) mod output;
pub(crate) mod stage;
