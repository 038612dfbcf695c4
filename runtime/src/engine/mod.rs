//! Runs a [`crate::program::Program`]: initialisation, time stepping, event delivery,
//! recording and output files.

pub mod code;
pub mod interp;

pub use code::{Entry, KernelCode, RunContext};
pub use interp::Interpreter;
