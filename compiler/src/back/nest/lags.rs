//! jLEMS's lagged requirement copies (docs/jlems-semantics.md §4.3): an instance that declares
//! `<Requirement name="v">` copies it from its parent at its own update, and children update
//! before parents, so each such ancestor on the way down adds a step. In a NeuroML cell a
//! channel density reads v_{n-1}, its ion channel v_{n-2} and a gate's rate v_{n-3}: HH spikes
//! move by tens of steps without this. The cell's model keeps past values of `v`
//! (`v__lag2`, `v__lag3`...) and each of its child's expressions reads the one of its depth.

use std::collections::BTreeMap;

use crate::ir::Ir;
use crate::model::Model;
use crate::passes::mechanism::MechanismPlan;

/// How many steps back each flat-name prefix (`naChans/na/m/forwardRate`) reads the root's
/// `v`: the number of instances on the path from the root's child down to it (itself
/// included) that declare a requirement `v`. Prefixes with a lag below 2 are left out.
pub fn voltage_lags(model: &Model, ir: &Ir, plan: &MechanismPlan) -> BTreeMap<String, usize> {
    lags_below(model, ir, plan, 0)
}

/// The same for a synapse or input on the cell (an attachment's plan): the attachment itself
/// copies the cell's `v` at its update (v_{n-1}, the `v` it reads), so each of its children
/// that requires `v` reads one more step back (a synapse's block mechanism, v_{n-2}).
pub fn attachment_voltage_lags(
    model: &Model,
    ir: &Ir,
    plan: &MechanismPlan,
) -> BTreeMap<String, usize> {
    let root = model.ty(model.component(ir.inst(plan.root).component).type_id);
    let copies = usize::from(root.requirements.iter().any(|q| q.name == "v"));
    lags_below(model, ir, plan, copies)
}

fn lags_below(
    model: &Model,
    ir: &Ir,
    plan: &MechanismPlan,
    start: usize,
) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let owners = plan
        .derived
        .iter()
        .map(|d| d.name.as_str())
        .chain(plan.rates.iter().map(|r| r.state.as_str()));
    for flat in owners {
        let Some((prefix, _)) = flat.rsplit_once('/') else {
            continue;
        };
        if out.contains_key(prefix) {
            continue;
        }
        let mut at = plan.root;
        let mut lag = start;
        for name in prefix.split('/') {
            let Some(child) = ir
                .inst(at)
                .children
                .iter()
                .find(|c| ir.inst(c.inst).name == name)
            else {
                lag = 0;
                break;
            };
            at = child.inst;
            let ty = model.ty(model.component(ir.inst(at).component).type_id);
            if ty.requirements.iter().any(|q| q.name == "v") {
                lag += 1;
            }
        }
        if lag >= 2 {
            out.insert(prefix.to_string(), lag);
        }
    }
    out
}

/// The lag of the instance owning flat name `flat`.
pub fn lag_of(lags: &BTreeMap<String, usize>, flat: &str) -> Option<usize> {
    let (prefix, _) = flat.rsplit_once('/')?;
    lags.get(prefix).copied()
}
