//! Lowering the simulation IR to a runnable [`lemsc_runtime::program::Program`].

pub mod flatten;
pub mod plan;
