//! Which cells need a cable: a NeuroML `cell` whose morphology has more than one segment is
//! simulated as NEURON simulates it (`passes::cable`), since jLEMS has no cable solver.

use std::collections::BTreeSet;

use crate::ir::Ir;
use crate::model::component::CompId;
use crate::model::Model;

/// Every instantiated `cell` component with more than one segment, in component order.
pub fn multi_compartment_cells(model: &Model, ir: &Ir) -> Vec<CompId> {
    let Some(&cell_type) = model.type_by_name.get("cell") else {
        return Vec::new();
    };
    let used: BTreeSet<CompId> = ir.instances.iter().map(|i| i.component).collect();
    used.into_iter()
        .filter(|&c| model.extends(model.component(c).type_id, cell_type))
        .filter(|&c| segment_count(model, c) > 1)
        .collect()
}

/// Segments in the cell's morphology, nested or referenced (`morphology="id"`: the model
/// makes the referenced morphology the cell's child as well).
pub fn segment_count(model: &Model, cell: CompId) -> usize {
    segments(model, cell).count()
}

/// The ids of the segments of the cell's morphology.
pub fn segment_ids(model: &Model, cell: CompId) -> impl Iterator<Item = &str> {
    segments(model, cell).filter_map(|s| model.component(s).id.as_deref())
}

fn segments(model: &Model, cell: CompId) -> impl Iterator<Item = CompId> + '_ {
    let morph = model
        .component(cell)
        .children
        .iter()
        .find(|(slot, _)| slot == "morphology")
        .map(|(_, m)| *m);
    morph
        .into_iter()
        .flat_map(|m| model.component(m).children.iter())
        .filter(|(slot, _)| slot == "segments")
        .map(|(_, s)| *s)
}
