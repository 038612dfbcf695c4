//! Runs a [`crate::program::Program`]: initialisation, time stepping, event delivery,
//! recording and output files.

pub mod code;

pub use code::{Entry, KernelCode, RunContext};
