//! Multi-compartment cells as cables: NEURON's discretisation of a cell's sections.

pub mod build;
pub mod geometry;
pub mod mechanism;

pub use build::build_program;

use crate::ir::Ir;
use crate::model::Model;

/// Whether the simulation has a cell with more than one segment: such a model runs as
/// NEURON runs it (see [`build`]), every other one as jLEMS does.
pub fn applies(model: &Model, ir: &Ir) -> bool {
    !crate::passes::support::check_native(model, ir)
        .list
        .is_empty()
}
