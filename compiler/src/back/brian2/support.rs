//! What the Brian2 target cannot express, refused with an error at the model text.
//!
//! - Multi-compartment cells: Brian2 would need a `SpatialNeuron` with a cable solver; the
//!   program has no cable equation to print (the native target refuses them too).
//! - Kinetic schemes: jLEMS steps them with a matrix exponential whose scaling depends on the
//!   rates at each step, which Brian2's per-group code cannot hold.

use std::collections::BTreeSet;

use lemsc_runtime::program::{Op, Program};

use crate::diag::{Diagnostic, Span};
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

/// An error at `simulation` when the program steps a kinetic scheme.
pub fn check_program(program: &Program, simulation: Span) -> Option<Diagnostic> {
    let scheme_owner = program.step_order.iter().enumerate().find_map(|(k, op)| {
        matches!(op, Op::KineticScheme(_)).then(|| {
            // The owner is advanced right after its schemes.
            program.step_order[k..].iter().find_map(|op| match op {
                Op::Advance { inst } => Some(*inst),
                _ => None,
            })
        })
    })?;
    let path = scheme_owner
        .map(|i| program.instances[i as usize].path.clone())
        .unwrap_or_default();
    Some(
        Diagnostic::at(
            simulation,
            format!(
                "this simulation steps a kinetic scheme (in {path}): the Brian2 target does not \
                 export kinetic schemes"
            ),
        )
        .with_note("the native target (`--target native`) and NEURON (`--target neuron`) run it"),
    )
}
