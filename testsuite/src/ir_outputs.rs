//! What a model's checked IR says about its outputs: the step and every output file with its
//! columns, which the simulator tests (NEURON, NEST) compare file by file with the native run.

use std::path::Path;

use lemsc::ir::Ir;
use lemsc::simulate::check_file;

use crate::runs::first_error;

/// What the IR says about a model's outputs.
#[derive(Clone, Debug)]
pub struct IrOutputs {
    /// Simulation step (s).
    pub step: f64,
    /// Time series files: name as written, then (column id, variable name) per column.
    pub traces: Vec<(String, Vec<(String, String)>)>,
    /// Spike files: name as written and format (`ID_TIME`/`TIME_ID`).
    pub spikes: Vec<(String, String)>,
}

impl IrOutputs {
    pub fn of(ir: &Ir) -> IrOutputs {
        IrOutputs {
            step: ir.simulation.step,
            traces: ir
                .output_files
                .iter()
                .map(|f| {
                    let columns = f
                        .columns
                        .iter()
                        .map(|c| (c.id.clone(), c.target.variable.clone()))
                        .collect();
                    (f.file_name.clone(), columns)
                })
                .collect(),
            spikes: ir
                .event_output_files
                .iter()
                .map(|f| (f.file_name.clone(), f.format.clone()))
                .collect(),
        }
    }
}

/// The IR of a LEMS file, handed to `read`; or why there is none (the model's first error,
/// or no Simulation).
pub fn with_ir<T>(file: &Path, read: impl FnOnce(&Ir) -> T) -> Result<T, String> {
    let checked =
        check_file(file, &lemsc::pipeline::CheckOptions::default()).map_err(|e| first_error(&e))?;
    let ir = checked
        .ir
        .as_ref()
        .ok_or_else(|| format!("{} has no Simulation to run", file.display()))?;
    Ok(read(ir))
}
