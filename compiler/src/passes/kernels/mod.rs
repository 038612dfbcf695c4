//! Lowering the simulation IR to a runnable [`lemsc_runtime::program::Program`].
//!
//! `flatten` turns each component into a kernel plan; `assemble` lays out every instance,
//! resolves links and builds the run's orders, connections and outputs.

mod assemble;
pub mod flatten;
pub mod plan;

pub(crate) use assemble::output_spec;

use std::path::PathBuf;

use lemsc_runtime::program::Program;

use crate::diag::Diagnostic;
use crate::ir::Ir;
use crate::model::Model;

/// What the command line adds to the model when building a program.
#[derive(Clone, Debug, Default)]
pub struct ProgramOptions {
    /// Folder output file names are relative to (the LEMS file's folder, or `-o DIR`).
    pub out_dir: PathBuf,
    /// `--seed`, overriding the Simulation's seed (default 1234 when neither).
    pub seed: Option<i64>,
}

/// The runnable program of a simulation: one kernel per component in use, every instance
/// laid out in vars with its links resolved, jLEMS's initialisation and step orders, the
/// event connections and the output files. Errors are located diagnostics.
pub fn build_program(
    model: &Model,
    ir: &Ir,
    opts: &ProgramOptions,
) -> Result<Program, Vec<Diagnostic>> {
    build_program_within(model, ir, opts, crate::limits::DEFAULT_MAX_MEMORY_BYTES)
}

/// [`build_program`], refusing (at the Simulation, before allocating the run's state) a
/// program whose state is estimated to take more than `max_memory_bytes`.
pub fn build_program_within(
    model: &Model,
    ir: &Ir,
    opts: &ProgramOptions,
    max_memory_bytes: u64,
) -> Result<Program, Vec<Diagnostic>> {
    assemble::build(model, ir, opts, max_memory_bytes)
}
