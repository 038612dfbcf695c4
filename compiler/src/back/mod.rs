//! Backends: turn the simulation IR into something that runs.

#[cfg(feature = "native")]
pub mod native;
pub mod brian2;
pub mod nest;
pub mod neuron;
