//! Runs a [`crate::program::Program`]: initialisation, time stepping, event delivery,
//! recording and output files.
//!
//! - [`run`]: the run loop and event delivery ([`run()`] is the entry point);
//! - [`interp`]: the reference interpreter of kernel statements;
//! - `plan`: the step order regrouped into batches of same-kernel advances;
//! - [`validate`]: the bounds checks every program passes before it runs;
//! - [`kinetic`]: kinetic schemes stepped by jLEMS's matrix exponential;
//! - [`queue`], [`routes`], [`record`]: delayed events, where events go, output files.

pub mod code;
pub mod flush;
pub mod interp;
pub mod kinetic;
mod plan;
pub mod queue;
pub mod record;
pub mod routes;
pub mod run;
pub mod validate;

pub use code::{advance_each, AdvanceBatch, BatchStop, Entry, KernelCode, RunContext};
pub use interp::Interpreter;
pub use run::{run, RunError, RunOptions, RunReport};
pub use validate::validate;
