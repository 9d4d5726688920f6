//! The integration tests, one binary (as ripgrep and nextest do): one link instead of one per
//! area, and `support` compiled once. Each area is a module; `cargo test NAME` filters as before.
//! Every run of the gen-report binary goes through `support`'s timeout (`support::output`).

#[macro_use]
mod support;

mod action;
mod annotations;
mod bounds;
mod browser;
mod budget;
mod causes;
mod claims;
mod cli;
mod corpus;
mod dist;
mod evidence;
mod false_green;
mod formats_readers;
mod history;
mod hostile;
mod junit_out;
mod junit_split;
mod outputs;
mod results_formats;
mod runners;
mod templating;
