//! Runs a [`crate::program::Program`]: initialisation, time stepping, event delivery,
//! recording and output files.
//!
//! - [`run`]: the run loop and event delivery ([`run()`] is the entry point);
//! - [`interp`]: the reference interpreter of kernel statements;
//! - `regroup`: the step order reordered so advances of one kernel sit together, where no
//!   result can change;
//! - `plan`: the step order regrouped into batches of same-kernel advances;
//! - `lanes`, `crew`: a step split into parts that share no block, run on worker threads
//!   with the same bits;
//! - [`validate`]: the bounds checks every program passes before it runs;
//! - [`kinetic`]: kinetic schemes stepped by jLEMS's matrix exponential;
//! - [`cable`]: membrane potentials of cells with a morphology (backward Euler, Hines solve);
//! - [`queue`], [`routes`], [`record`]: delayed events, where events go, output files.

pub mod cable;
pub mod code;
mod crew;
pub mod flush;
pub mod interp;
pub mod kinetic;
mod lanes;
mod plan;
pub mod queue;
pub mod record;
mod regroup;
pub mod routes;
pub mod run;
pub mod validate;

pub use code::{
    advance_each, AdvanceBatch, BatchStop, Entry, KernelCall, KernelCode, RunContext, SharedKernels,
};
pub use interp::Interpreter;
pub use lanes::DEFAULT_MIN_PARALLEL_WORK;
pub use run::{run, RunError, RunOptions, RunReport};
pub use validate::validate;
