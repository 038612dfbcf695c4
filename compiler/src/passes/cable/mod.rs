//! Multi-compartment cells as cables: NEURON's discretisation of a cell's sections.

pub mod build;
pub mod geometry;
pub mod kinetic;
pub mod mechanism;
mod nernst;

pub use build::build_program;

use crate::ir::Ir;
use crate::model::Model;

/// How NeuroML `<cell>`s are simulated natively.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CellNumerics {
    /// As jLEMS where jLEMS can (cells of one compartment, forward Euler); as NEURON for
    /// cells of several compartments, which jLEMS cannot simulate.
    #[default]
    Jlems,
    /// Every `<cell>` as NEURON simulates it (compartments, backward Euler), as the
    /// `jNeuroML_NEURON` and `jNeuroML_EDEN` OMV engines run them.
    Neuron,
}

/// Whether the simulation runs as NEURON runs it (see [`build`]) rather than as jLEMS does:
/// it has a cell of more than one segment, or `numerics` asks for it and it has a `<cell>`.
pub fn applies(model: &Model, ir: &Ir, numerics: CellNumerics) -> bool {
    match numerics {
        CellNumerics::Jlems => {
            !crate::passes::support::multi_compartment_cells(model, ir).is_empty()
        }
        CellNumerics::Neuron => has_cells(model, ir),
    }
}

/// Whether a population member is a NeuroML `<cell>`.
fn has_cells(model: &Model, ir: &Ir) -> bool {
    let Some(&cell) = model.type_by_name.get("cell") else {
        return false;
    };
    ir.populations.iter().any(|p| {
        p.members
            .iter()
            .any(|&m| model.extends(model.component(ir.inst(m).component).type_id, cell))
    })
}

/// Whether every population member is a NeuroML `<cell>` (and there is one): the models
/// [`build_program`] can lower.
pub fn cells_only(model: &Model, ir: &Ir) -> bool {
    let Some(&cell) = model.type_by_name.get("cell") else {
        return false;
    };
    let members = || ir.populations.iter().flat_map(|p| &p.members);
    members().next().is_some()
        && members().all(|&m| model.extends(model.component(ir.inst(m).component).type_id, cell))
}
