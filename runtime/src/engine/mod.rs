//! Runs a [`crate::program::Program`]: initialisation, time stepping, event delivery,
//! recording and output files.

pub mod code;
pub mod interp;
pub mod validate;

pub use code::{Entry, KernelCode, RunContext};
pub use interp::Interpreter;
pub use validate::validate;
