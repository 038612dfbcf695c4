//! lemsc: a compiler for LEMS and NeuroML2 models.
//!
//! The pipeline, stage by stage (see [`pipeline`]): `front` reads XML into syntax trees with
//! spans, `model` resolves them into a typed, dimension-checked model; later stages lower it to
//! the simulation IR and hand it to a backend.

pub mod back;
pub mod confine;
pub mod cputime;
pub mod diag;
pub mod diag_json;
pub mod front;
pub mod ir;
pub mod limits;
pub mod model;
pub mod passes;
pub mod pipeline;
pub mod plot;
pub mod run_errors;
pub mod simulate;
pub mod suggest;
#[cfg(test)]
mod test_support;

pub use pipeline::{check, CheckOptions, Checked};
