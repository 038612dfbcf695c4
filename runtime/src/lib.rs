//! The lemsc runtime: owns time stepping, event delivery, recording and output files for
//! compiled kernels. Built so far: the pieces whose output must match jLEMS bit for bit.
//!
//! - [`javafmt`]: Java's `Float.toString`, the text of every number jLEMS writes.

pub mod javafmt;
