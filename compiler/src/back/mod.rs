//! Backends: turn the simulation IR into something that runs.

pub mod brian2;
pub mod export;
#[cfg(feature = "native")]
pub mod native;
pub mod nest;
pub mod neuron;
