//! What the native target can simulate. It runs point neurons: a NeuroML `cell` whose
//! morphology has more than one segment needs a cable solver, which it does not have yet.

use std::collections::BTreeSet;

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::Ir;
use crate::model::component::CompId;
use crate::model::Model;

/// Errors for every instantiated component the native target cannot simulate, each located at
/// the component's definition.
pub fn check_native(model: &Model, ir: &Ir) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let Some(&cell_type) = model.type_by_name.get("cell") else {
        return diags;
    };
    let used: BTreeSet<CompId> = ir.instances.iter().map(|i| i.component).collect();
    for comp in used {
        let c = model.component(comp);
        if !model.extends(c.type_id, cell_type) {
            continue;
        }
        let segments = segment_count(model, comp);
        if segments > 1 {
            diags.push(
                Diagnostic::at(
                    c.name_span,
                    format!(
                        "cell '{}' has {segments} segments: the native target does not simulate \
                         multi-compartment cells yet",
                        c.id.as_deref().unwrap_or("?")
                    ),
                )
                .with_note("use `--target neuron` to simulate it with NEURON"),
            );
        }
    }
    diags
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
