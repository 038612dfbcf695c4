//! `extends`: each type flattened with the members it inherits, as jLEMS combines them.

use super::*;

#[derive(Clone, Copy, PartialEq)]
enum Visit {
    New,
    Active,
    Done,
}

struct Flattener<'a> {
    raws: &'a [RawType],
    by_name: &'a HashMap<String, TypeId>,
    state: Vec<Visit>,
    out: Vec<Option<(ComponentType, [bool; 3])>>,
    /// Indices of the types being flattened, outermost first, to report cycles.
    chain: Vec<usize>,
}

pub(super) fn flatten_all(
    raws: &[RawType],
    by_name: &HashMap<String, TypeId>,
    diags: &mut Diagnostics,
) -> Vec<ComponentType> {
    let mut f = Flattener {
        raws,
        by_name,
        state: vec![Visit::New; raws.len()],
        out: vec![None; raws.len()],
        chain: Vec::new(),
    };
    for i in 0..raws.len() {
        f.flatten(i, diags);
    }
    f.out
        .into_iter()
        .map(|t| t.expect("every type flattened").0)
        .collect()
}

impl Flattener<'_> {
    fn flatten(&mut self, i: usize, diags: &mut Diagnostics) {
        if self.state[i] == Visit::Done {
            return;
        }
        self.state[i] = Visit::Active;
        self.chain.push(i);
        let raw = &self.raws[i];
        let mut ty = raw.ty.clone();
        let mut has = [raw.has_dynamics, raw.has_structure, raw.has_simulation];
        if let Some((base_name, span)) = &raw.ty.extends {
            let span = raw.extends_span.unwrap_or(*span);
            match self.by_name.get(base_name) {
                None => diags.push(
                    Diagnostic::at(
                        span,
                        format!(
                            "ComponentType '{}' extends an unknown type '{base_name}'",
                            ty.name
                        ),
                    )
                    .with_note(similar_note(base_name, self.by_name.keys())),
                ),
                Some(&base) if self.state[base.0 as usize] == Visit::Active => {
                    let from = self
                        .chain
                        .iter()
                        .position(|&c| c == base.0 as usize)
                        .unwrap_or(0);
                    let mut names: Vec<&str> = self.chain[from..]
                        .iter()
                        .map(|&c| self.raws[c].ty.name.as_str())
                        .collect();
                    names.push(&self.raws[base.0 as usize].ty.name);
                    diags.push(Diagnostic::at(
                        span,
                        format!(
                            "ComponentType inheritance cycle: {}",
                            names.join(" extends ")
                        ),
                    ));
                }
                Some(&base) => {
                    self.flatten(base.0 as usize, diags);
                    if let Some((base_ty, base_has)) = &self.out[base.0 as usize] {
                        inherit(&mut ty, base_ty, &mut has, *base_has);
                        ty.parent = Some(base);
                    }
                }
            }
        }
        self.chain.pop();
        self.state[i] = Visit::Done;
        self.out[i] = Some((ty, has));
    }
}

/// Members of `base` that `own` does not redeclare, followed by `own`'s.
fn merge<T: Clone>(own: &mut Vec<T>, base: &[T], name: impl Fn(&T) -> &str) {
    let mut merged: Vec<T> = base
        .iter()
        .filter(|b| !own.iter().any(|o| name(o) == name(b)))
        .cloned()
        .collect();
    merged.append(own);
    *own = merged;
}

fn inherit(ty: &mut ComponentType, base: &ComponentType, has: &mut [bool; 3], base_has: [bool; 3]) {
    merge(&mut ty.parameters, &base.parameters, |q| &q.name);
    merge(&mut ty.derived_parameters, &base.derived_parameters, |d| {
        &d.q.name
    });
    merge(&mut ty.index_parameters, &base.index_parameters, |n| {
        &n.name
    });
    merge(&mut ty.constants, &base.constants, |c| &c.q.name);
    merge(&mut ty.properties, &base.properties, |p| &p.q.name);
    merge(&mut ty.exposures, &base.exposures, |q| &q.name);
    merge(&mut ty.requirements, &base.requirements, |q| &q.name);
    merge(
        &mut ty.component_requirements,
        &base.component_requirements,
        |s| &s.name,
    );
    merge(
        &mut ty.instance_requirements,
        &base.instance_requirements,
        |s| &s.name,
    );
    merge(&mut ty.texts, &base.texts, |n| &n.name);
    merge(&mut ty.paths, &base.paths, |n| &n.name);
    merge(&mut ty.links, &base.links, |s| &s.name);
    merge(
        &mut ty.component_references,
        &base.component_references,
        |s| &s.name,
    );
    merge(&mut ty.child, &base.child, |s| &s.name);
    merge(&mut ty.children, &base.children, |s| &s.name);
    merge(&mut ty.attachments, &base.attachments, |s| &s.name);
    merge(&mut ty.event_ports, &base.event_ports, |p| &p.name);
    merge(&mut ty.fixed, &base.fixed, |f| &f.parameter);
    if !has[0] {
        ty.dynamics = base.dynamics.clone();
        has[0] = base_has[0];
    }
    if !has[1] {
        ty.structure = base.structure.clone();
        has[1] = base_has[1];
    }
    if !has[2] {
        ty.simulation = base.simulation.clone();
        has[2] = base_has[2];
    }
    if ty.description.is_none() {
        ty.description = base.description.clone();
    }
}

/// A declaration without `dimension=` is dimensionless, except that a state or derived
/// variable published through `exposure=` has its exposure's dimension (as in jLEMS).
pub(super) fn dimensions_from_exposures(ty: &mut ComponentType) {
    let exposures = ty.exposures.clone();
    let resolve = |q: &mut Quantity, exposure: &Option<String>| {
        if !q.dimension.is_empty() {
            return;
        }
        let from = exposure
            .as_ref()
            .and_then(|n| exposures.iter().find(|e| &e.name == n));
        match from {
            Some(e) => (q.dimension, q.dim) = (e.dimension.clone(), e.dim),
            None => q.dimension = "none".to_string(),
        }
    };
    let d = &mut ty.dynamics;
    for v in &mut d.state_variables {
        resolve(&mut v.q, &v.exposure);
    }
    for v in &mut d.derived_variables {
        resolve(&mut v.q, &v.exposure);
    }
    for v in &mut d.conditional_derived_variables {
        resolve(&mut v.q, &v.exposure);
    }
    let none = || "none".to_string();
    let all = ty
        .parameters
        .iter_mut()
        .chain(ty.exposures.iter_mut())
        .chain(ty.requirements.iter_mut())
        .chain(ty.derived_parameters.iter_mut().map(|p| &mut p.q))
        .chain(ty.constants.iter_mut().map(|c| &mut c.q))
        .chain(ty.properties.iter_mut().map(|p| &mut p.q));
    for q in all {
        if q.dimension.is_empty() {
            q.dimension = none();
        }
    }
}

/// Gives every Child/Children/Link/... slot the id of the type it names; unknown type
/// names are reported once, on the type that declares the slot.
pub(super) fn resolve_slot_types(
    types: &mut [ComponentType],
    by_name: &HashMap<String, TypeId>,
    diags: &mut Diagnostics,
) {
    for (i, ty) in types.iter_mut().enumerate() {
        let owner = TypeId(i as u32);
        let type_name = ty.name.clone();
        let slots = ty
            .links
            .iter_mut()
            .chain(ty.component_references.iter_mut())
            .chain(ty.child.iter_mut())
            .chain(ty.children.iter_mut())
            .chain(ty.attachments.iter_mut())
            .chain(ty.component_requirements.iter_mut())
            .chain(ty.instance_requirements.iter_mut());
        for slot in slots {
            let Some(name) = &slot.type_name else {
                continue;
            };
            if name == ANY_TYPE {
                continue;
            }
            slot.type_id = by_name.get(name).copied();
            if slot.type_id.is_none() && slot.declared_in == owner {
                diags.push(
                    Diagnostic::at(
                        slot.span,
                        format!(
                            "'{}' in ComponentType '{type_name}' names an unknown type '{name}'",
                            slot.name
                        ),
                    )
                    .with_note(similar_note(name, by_name.keys())),
                );
            }
        }
    }
}
