//! Link resolution: what each instance's `Expr::Link`/`Expr::Reduce` entries read, as
//! indices into vars, by jLEMS's rules (`StateInstance.getVariable`, `getChild`; §4.3, §7,
//! §10 of docs/jlems-semantics.md).

use std::collections::HashMap;

use super::layout::ProgramLayout;
use crate::diag::{Diagnostic, Span};
use crate::ir::{InstId, SlotKind};
use crate::passes::kernels::plan::LinkSpec;
use crate::passes::navigate::segments;

/// Fills every instance's link entries in `links`, appending the lists they point to, and
/// appends to `vars` the constant slots that stand for absent optional targets.
pub(super) fn resolve(
    layout: &ProgramLayout,
    vars: &mut Vec<f64>,
    links: &mut Vec<u64>,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut missing_slots: HashMap<u64, u64> = HashMap::new();
    for i in 0..layout.ir.instances.len() {
        let inst = InstId(i as u32);
        let start = layout.link_start[i] as usize;
        for (k, spec) in layout.plan(inst).links.iter().enumerate() {
            let entry = match spec {
                LinkSpec::Requirement { name, span } => requirement(layout, inst, name, *span),
                LinkSpec::Select {
                    path,
                    required,
                    missing,
                    span,
                } => match single(layout, inst, path) {
                    Ok(index) => Ok(index),
                    Err(_) if !required => {
                        Ok(*missing_slots.entry(missing.to_bits()).or_insert_with(|| {
                            vars.push(*missing);
                            vars.len() as u64 - 1
                        }))
                    }
                    Err(why) => Err(select_error(layout, inst, path, *span, why)),
                },
                LinkSpec::SelectList { path, span } => match list(layout, inst, path) {
                    Ok(members) => {
                        let at = links.len() as u64;
                        links.push(members.len() as u64);
                        links.extend(members);
                        Ok(at)
                    }
                    Err(why) => Err(select_error(layout, inst, path, *span, why)),
                },
            };
            match entry {
                Ok(index) => links[start + k] = index,
                Err(d) => diags.push(d),
            }
        }
    }
    diags
}

/// `getVariable(name)` asked of the parent: its readable slot, else the grandparent's, ...
fn requirement(
    layout: &ProgramLayout,
    inst: InstId,
    name: &str,
    span: Span,
) -> Result<u64, Diagnostic> {
    let mut up = layout.ir.inst(inst).parent;
    while let Some(p) = up {
        if let Some(index) = layout.readable(p, name) {
            return Ok(index);
        }
        up = layout.ir.inst(p).parent;
    }
    Err(Diagnostic::at(
        span,
        format!(
            "{} requires '{name}', and none of the instances above it has a variable of that name",
            layout.describe(inst)
        ),
    )
    .with_note("a Requirement is read from the nearest enclosing instance that has the variable"))
}

fn select_error(
    layout: &ProgramLayout,
    inst: InstId,
    path: &str,
    span: Span,
    why: String,
) -> Diagnostic {
    Diagnostic::at(
        span,
        format!(
            "select=\"{path}\" of {} finds nothing: {why}",
            layout.describe(inst)
        ),
    )
}

/// A path naming one value: instances step by step, then a variable of the last one.
fn single(layout: &ProgramLayout, inst: InstId, path: &str) -> Result<u64, String> {
    let parts = segments(path);
    let Some((&(_, variable), steps)) = parts.split_last() else {
        return Err("the path is empty; expected instance names and a variable".to_string());
    };
    let mut cur = inst;
    for &(_, name) in steps {
        cur = step(layout, cur, name)?;
    }
    read(layout, cur, variable)
}

/// A multi-select path (`synapses[*]/i`, `../pop/*/v`): every member it reaches, in the
/// order of the groups they come from.
fn list(layout: &ProgramLayout, inst: InstId, path: &str) -> Result<Vec<u64>, String> {
    let parts = segments(path);
    let Some((&(_, variable), steps)) = parts.split_last() else {
        return Err("the path is empty; expected instance names and a variable".to_string());
    };
    let mut set = vec![inst];
    let mut i = 0;
    while i < steps.len() {
        let name = steps[i].1;
        // `group[*]` or `group[name='value']`: the members of one group, maybe filtered.
        let filter = steps
            .get(i + 1)
            .map(|s| s.1)
            .filter(|s| s.starts_with('[') && !is_index(s));
        let mut next = Vec::new();
        for &cur in &set {
            if is_star(name) {
                next.extend(all_members(layout, cur));
            } else if let Some(filter) = filter.filter(|_| has_group(layout, cur, name)) {
                for m in group(layout, cur, name) {
                    if matches(layout, m, filter)? {
                        next.push(m);
                    }
                }
            } else {
                let found = step(layout, cur, name)?;
                match filter {
                    Some(f) if is_star(f) => next.extend(all_members(layout, found)),
                    Some(f) => {
                        for m in all_members(layout, found) {
                            if matches(layout, m, f)? {
                                next.push(m);
                            }
                        }
                    }
                    None => next.push(found),
                }
            }
        }
        i += if filter.is_some() { 2 } else { 1 };
        set = next;
    }
    set.into_iter().map(|m| read(layout, m, variable)).collect()
}

fn is_index(segment: &str) -> bool {
    segment
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim()
        .parse::<usize>()
        .is_ok()
}

/// Whether member `inst` passes a `[*]` or `[name='value']` filter: the member's text or
/// parameter `name` equals the value.
fn matches(layout: &ProgramLayout, inst: InstId, filter: &str) -> Result<bool, String> {
    if is_star(filter) {
        return Ok(true);
    }
    let inner = filter.trim_start_matches('[').trim_end_matches(']');
    let Some((key, value)) = inner.split_once('=') else {
        return Err(format!(
            "'{filter}' is not a filter; expected [*] or [name='value']"
        ));
    };
    let (key, value) = (
        key.trim(),
        value.trim().trim_matches(|c| c == '\'' || c == '"'),
    );
    let comp = layout.model.component(layout.ir.inst(inst).component);
    Ok(match comp.text(key) {
        Some(text) => text == value,
        None => comp
            .param(key)
            .is_some_and(|p| value.parse::<f64>().is_ok_and(|v| v == p.si)),
    })
}

fn is_star(name: &str) -> bool {
    name == "*" || name == "[*]"
}

fn has_group(layout: &ProgramLayout, inst: InstId, slot: &str) -> bool {
    let ty = layout.model.ty(layout
        .model
        .component(layout.ir.inst(inst).component)
        .type_id);
    ty.children.iter().any(|c| c.name == slot)
        || ty.attachments.iter().any(|c| c.name == slot)
        || layout
            .ir
            .inst(inst)
            .children
            .iter()
            .any(|c| c.kind != SlotKind::Single && c.slot == slot)
}

/// Members of one list, attachment set or population group, in their order.
fn group(layout: &ProgramLayout, inst: InstId, slot: &str) -> Vec<InstId> {
    layout
        .ir
        .inst(inst)
        .children
        .iter()
        .filter(|c| c.kind != SlotKind::Single && c.slot == slot)
        .map(|c| c.inst)
        .collect()
}

/// `*` on an instance: the members of all its groups.
fn all_members(layout: &ProgramLayout, inst: InstId) -> Vec<InstId> {
    layout
        .ir
        .inst(inst)
        .children
        .iter()
        .filter(|c| c.kind != SlotKind::Single)
        .map(|c| c.inst)
        .collect()
}

/// One path segment: a tunnel's name leads to the coupling instance at the other end (§10),
/// anything else follows jLEMS's `getChild`.
fn step(layout: &ProgramLayout, cur: InstId, name: &str) -> Result<InstId, String> {
    for t in &layout.ir.tunnels {
        if t.name == name {
            if t.at_a == cur {
                return Ok(t.at_b);
            }
            if t.at_b == cur {
                return Ok(t.at_a);
            }
        }
    }
    let tree = layout.tree();
    tree.child(cur, name).or_else(|why| {
        // A child made by `ChildInstance` is also known by the reference it was made from
        // (`ionChannel/fopen` in a channelDensity).
        let comp = layout.model.component(layout.ir.inst(cur).component);
        let made =
            comp.reference(name).and_then(|target| {
                layout.ir.inst(cur).children.iter().find(|c| {
                    c.kind == SlotKind::Single && layout.ir.inst(c.inst).component == target
                })
            });
        made.map(|c| c.inst).ok_or(why)
    })
}

/// `getVariable` of jLEMS: the instance's own exposure or variable, else its parent's, and so
/// on up (a graded synapse reading `peer/r` gets the peer's cell's `r`).
fn read(layout: &ProgramLayout, inst: InstId, variable: &str) -> Result<u64, String> {
    let mut cur = Some(inst);
    while let Some(at) = cur {
        if let Some(index) = layout.readable(at, variable) {
            return Ok(index);
        }
        cur = layout.ir.inst(at).parent;
    }
    Err(format!(
        "{} has no variable '{variable}', nor has any instance above it",
        layout.describe(inst)
    ))
}
