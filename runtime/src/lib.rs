//! The lemsc runtime: owns time stepping, event delivery, recording and output files for
//! compiled kernels. Built so far: the pieces whose output must match jLEMS bit for bit.
//!
//! - [`javafmt`]: Java's `Float.toString`, the text of every number jLEMS writes.
//! - [`javarand`]: `java.util.Random`, the generator behind LEMS `random()`.
//! - [`output`]: the `.dat` (OutputFile) and spike (EventOutputFile) writers.
//! - [`strict_log`]: Java's `StrictMath.log`, which `nextGaussian` depends on.
//! - [`math`]: the arithmetic of expressions (operators, functions), defined once.
//! - [`program`]: a compiled simulation as plain data (kernels, instances, order, outputs).
//! - [`engine`]: runs a program.

pub mod engine;
pub mod javafmt;
pub mod javarand;
pub mod math;
pub mod output;
pub mod program;
pub mod strict_log;
