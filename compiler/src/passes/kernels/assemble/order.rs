//! The initialisation and step orders (§4.1, §5, §8 of docs/jlems-semantics.md): children
//! before their parent, single children first (`<Child>` ones in Java HashMap order, then
//! those made by `ChildInstance`), then lists, attachment sets and population members.

use lemsc_runtime::program::{KineticEdge, KineticScheme, Op};

use super::layout::ProgramLayout;
use crate::diag::Diagnostic;
use crate::ir::{InstId, Ir, SlotKind};
use crate::model::Model;
use crate::passes::jlems_order::java_hash_map_order;
use crate::passes::kernels::plan::KineticSchemePlan;

/// jLEMS's `initialize` recursion from the root: own pass without derived variables,
/// children, own pass with derived, children again, own pass with derived. An instance at
/// depth d gets its passes 2^d times; the repetition is kept because `random()` draws
/// depend on it. Instances whose kernel does nothing at init add no ops.
///
/// "Children, own pass with derived" runs twice in a row, so it is written once and then
/// [`Op::Repeat`]ed: the order grows with the number of instances, not with 2^depth (a
/// 1000-cell network's order went from five million ops to a few hundred thousand).
pub(super) fn init_order(layout: &ProgramLayout) -> Vec<Op> {
    let mut ops = Vec::new();
    init(layout, layout.ir.root, &mut ops);
    ops
}

fn init(layout: &ProgramLayout, inst: InstId, ops: &mut Vec<Op>) {
    let kernel = &layout.plan(inst).kernel;
    let own = !(kernel.init.is_empty() && kernel.init_derived.is_empty());
    let pass = |ops: &mut Vec<Op>, with_derived: bool| {
        if own {
            ops.push(Op::Init {
                inst: inst.0,
                with_derived,
            });
        }
    };
    pass(ops, false);
    let start = ops.len();
    for c in children_in_order(layout, inst) {
        init(layout, c, ops);
    }
    pass(ops, true);
    let twice = ops.len() - start;
    if twice > 0 {
        let len = u32::try_from(twice).expect("an init order of under 2^32 ops per subtree");
        ops.push(Op::Repeat { len });
    }
}

/// How many times jLEMS runs the instance's OnStart blocks per init pass: 2 for the root and
/// for anything a builder made (population members, `ChildInstance` children, connection
/// and input receivers), 1 for members of `<Children>` lists, and a `<Child>` as its parent.
/// The kernel of each instance repeats OnStart that many times in each pass (see
/// `flatten::plan_component_with`).
pub(super) fn onstart_copies(model: &Model, ir: &Ir, inst: InstId) -> u32 {
    let mut cur = inst;
    loop {
        let Some(parent) = ir.inst(cur).parent else {
            return 2;
        };
        let Some(place) = ir.place_of(cur) else {
            return 2;
        };
        match place.kind {
            SlotKind::List => return 1,
            SlotKind::Multi | SlotKind::Attachment => return 2,
            SlotKind::Single => {
                let ty = model.ty(model.component(ir.inst(parent).component).type_id);
                if !ty.child.iter().any(|d| d.name == place.slot) {
                    return 2; // made by ChildInstance
                }
                cur = parent;
            }
        }
    }
}

/// jLEMS's `advance` recursion from the root: children, then the instance's kinetic schemes,
/// then its own update (left out when its kernel has nothing to advance). Sets each
/// scheme's first occupancy to 1 in `vars`, as a new scheme starts there.
pub(super) fn step_order(
    layout: &ProgramLayout,
    vars: &mut [f64],
) -> Result<Vec<Op>, Vec<Diagnostic>> {
    let mut ops = Vec::new();
    let mut diags = Vec::new();
    advance(layout, layout.ir.root, vars, &mut ops, &mut diags);
    if diags.is_empty() {
        Ok(ops)
    } else {
        Err(diags)
    }
}

fn advance(
    layout: &ProgramLayout,
    inst: InstId,
    vars: &mut [f64],
    ops: &mut Vec<Op>,
    diags: &mut Vec<Diagnostic>,
) {
    for c in children_in_order(layout, inst) {
        advance(layout, c, vars, ops, diags);
    }
    for ks in &layout.plan(inst).kinetic_schemes {
        match kinetic_scheme(layout, inst, ks) {
            Ok(scheme) => {
                if let Some(&first) = scheme.states.first() {
                    vars[first as usize] = 1.0;
                }
                ops.push(Op::KineticScheme(Box::new(scheme)));
            }
            Err(d) => diags.push(d),
        }
    }
    if !layout.plan(inst).kernel.advance.is_empty() {
        ops.push(Op::Advance { inst: inst.0 });
    }
}

/// The children of `inst` in the order jLEMS advances (and initialises) them.
pub(super) fn children_in_order(layout: &ProgramLayout, inst: InstId) -> Vec<InstId> {
    let model = layout.model;
    let ty = model.ty(model.component(layout.ir.inst(inst).component).type_id);
    let children = &layout.ir.inst(inst).children;
    let of_kind = |kind: SlotKind| children.iter().filter(move |c| c.kind == kind);

    let (declared, built): (Vec<_>, Vec<_>) =
        of_kind(SlotKind::Single).partition(|c| ty.child.iter().any(|d| d.name == c.slot));
    let names: Vec<&str> = declared.iter().map(|c| c.slot.as_str()).collect();
    let mut out: Vec<InstId> = java_hash_map_order(&names)
        .into_iter()
        .map(|i| declared[i].inst)
        .collect();
    out.extend(built.iter().map(|c| c.inst));

    // Lists: each group where its first member appears, members in document order.
    let mut lists: Vec<&str> = Vec::new();
    for c in of_kind(SlotKind::List) {
        if !lists.contains(&c.slot.as_str()) {
            lists.push(&c.slot);
        }
    }
    for slot in lists {
        out.extend(
            of_kind(SlotKind::List)
                .filter(|c| c.slot == slot)
                .map(|c| c.inst),
        );
    }

    // Attachment sets in HashMap order of their names, members in attachment order.
    let mut sets: Vec<&str> = ty.attachments.iter().map(|a| a.name.as_str()).collect();
    for c in of_kind(SlotKind::Attachment) {
        if !sets.contains(&c.slot.as_str()) {
            sets.push(&c.slot);
        }
    }
    for i in java_hash_map_order(&sets) {
        out.extend(
            of_kind(SlotKind::Attachment)
                .filter(|c| c.slot == sets[i])
                .map(|c| c.inst),
        );
    }

    out.extend(of_kind(SlotKind::Multi).map(|c| c.inst));
    out
}

/// A kinetic scheme of `inst`: its node list's occupancies and its edge list's rates.
fn kinetic_scheme(
    layout: &ProgramLayout,
    inst: InstId,
    ks: &KineticSchemePlan,
) -> Result<KineticScheme, Diagnostic> {
    let members = |slot: &str| -> Vec<InstId> {
        layout
            .ir
            .inst(inst)
            .children
            .iter()
            .filter(|c| c.slot == slot)
            .map(|c| c.inst)
            .collect()
    };
    let fail = |what: String| {
        Diagnostic::at(
            ks.span,
            format!("kinetic scheme of {}: {what}", layout.describe(inst)),
        )
    };
    let nodes = members(&ks.nodes);
    let mut states = Vec::with_capacity(nodes.len());
    for &n in &nodes {
        let index = layout.variable(n, &ks.state_variable).ok_or_else(|| {
            fail(format!(
                "state {} has no variable '{}'",
                layout.describe(n),
                ks.state_variable
            ))
        })?;
        states.push(index);
    }
    let mut edges = Vec::new();
    for e in members(&ks.edges) {
        let end = |link: &str| -> Result<u32, Diagnostic> {
            let comp = layout.model.component(layout.ir.inst(e).component);
            let by_ref = comp.reference(link);
            let by_text = comp.text(link);
            nodes
                .iter()
                .position(|&n| {
                    let node = layout.ir.inst(n);
                    let node_comp = layout.model.component(node.component);
                    by_ref == Some(node.component)
                        || by_text
                            .is_some_and(|t| node.name == t || node_comp.id.as_deref() == Some(t))
                })
                .map(|p| p as u32)
                .ok_or_else(|| {
                    fail(format!(
                        "transition {} names no state of '{}' as its '{link}'",
                        layout.describe(e),
                        ks.nodes
                    ))
                })
        };
        let rate = |name: &str| {
            layout.readable(e, name).ok_or_else(|| {
                fail(format!(
                    "transition {} has no rate '{name}'",
                    layout.describe(e)
                ))
            })
        };
        edges.push(KineticEdge {
            from: end(&ks.edge_source)?,
            to: end(&ks.edge_target)?,
            forward: rate(&ks.forward_rate)?,
            reverse: rate(&ks.reverse_rate)?,
        });
    }
    Ok(KineticScheme { states, edges })
}
