//! What the Brian2 target cannot express, refused with an error at the model text.
//!
//! - Multi-compartment cells: Brian2 would need a `SpatialNeuron` with a cable solver; the
//!   program has no cable equation to print (the native target refuses them too).

use std::collections::BTreeSet;

use crate::diag::Diagnostic;
use crate::ir::Ir;
use crate::model::component::CompId;
use crate::model::Model;
use crate::passes::support::segment_count;

/// Errors for every instantiated cell with more than one segment, at the cell's definition.
pub fn check_brian2(model: &Model, ir: &Ir) -> Vec<Diagnostic> {
    let Some(&cell_type) = model.type_by_name.get("cell") else {
        return Vec::new();
    };
    let used: BTreeSet<CompId> = ir.instances.iter().map(|i| i.component).collect();
    let mut out = Vec::new();
    for comp in used {
        let c = model.component(comp);
        if !model.extends(c.type_id, cell_type) {
            continue;
        }
        let segments = segment_count(model, comp);
        if segments > 1 {
            out.push(
                Diagnostic::at(
                    c.name_span,
                    format!(
                        "cell '{}' has {segments} segments: the Brian2 target does not export \
                         multi-compartment cells",
                        c.id.as_deref().unwrap_or("?")
                    ),
                )
                .with_note("use `--target neuron` to simulate it with NEURON"),
            );
        }
    }
    out
}
