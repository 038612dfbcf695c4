//! Backends: turn the simulation IR into something that runs.

pub mod brian2;
#[cfg(feature = "native")]
pub mod native;
pub mod nest;
pub mod neuron;
