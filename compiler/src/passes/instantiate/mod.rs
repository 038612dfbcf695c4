//! Instantiation of a simulation's target the way jLEMS builds it: every component becomes an
//! instance with its nested Child/Children components below it, `MultiInstantiate` and
//! `ChildInstance` add instances, and then, once the whole tree exists, `With`, `ForEach`,
//! `EventConnection` and `Tunnel` of every instance (in tree order) make connections and the
//! synapse or input instances they attach to cells.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::front::expr;
use crate::ir::{ChildRef, EventConnection, Input, InstId, Instance, Population, SlotKind, Tunnel};
use crate::limits::Limits;
use crate::model::component::{CompId, Component};
use crate::model::types::{Assign, StructureItem};
use crate::model::Model;
use crate::passes::navigate::{ChildNames, Tree};
use crate::passes::user_site::BuiltinFiles;

mod connect;
#[cfg(test)]
mod tests;

/// The slot name under which a population keeps the instances `MultiInstantiate` made.
pub const MULTI_SLOT: &str = "members";

/// The instance tree of one target and what its Structure connected.
#[derive(Debug, Default)]
pub struct Instantiated {
    pub instances: Vec<Instance>,
    pub populations: Vec<Population>,
    pub event_connections: Vec<EventConnection>,
    pub tunnels: Vec<Tunnel>,
    pub inputs: Vec<Input>,
}

/// Builds the instance tree rooted at `target`; the root is `InstId(0)`.
pub fn instantiate(model: &Model, target: CompId) -> (Instantiated, Diagnostics) {
    instantiate_within(model, target, &Limits::default())
}

/// [`instantiate`], stopping with an error where the Structure makes more instances or
/// connections than `limits` allow.
pub fn instantiate_within(
    model: &Model,
    target: CompId,
    limits: &Limits,
) -> (Instantiated, Diagnostics) {
    let mut b = Builder {
        model,
        limits: limits.clone(),
        builtin: BuiltinFiles::of(model),
        out: Instantiated::default(),
        diags: Diagnostics::new(),
        depth: 0,
        stopped: false,
        child_names: ChildNames::default(),
    };
    b.build(
        target,
        None,
        String::new(),
        None,
        String::new(),
        SlotKind::Single,
    );
    b.list_populations();
    // Connections need every instance they name, so they come after the whole tree.
    let mut i = 0;
    while i < b.out.instances.len() && !b.stopped {
        b.connect(InstId(i as u32));
        i += 1;
    }
    // Populations in the order their instances were made (document order).
    b.out.populations.sort_by_key(|p| p.inst);
    (b.out, b.diags)
}

/// Deeper than this, a component contains itself (through ChildInstance or MultiInstantiate).
const MAX_DEPTH: usize = 64;

struct Builder<'m> {
    model: &'m Model,
    /// More instances than `limits.max_instances` is taken for a runaway Structure (a
    /// component that keeps attaching copies of itself) or a population too large for the
    /// machine; more connections than `limits.max_connections`, for a runaway `ForEach`
    /// cross product. Building stops with an error at what made them.
    limits: Limits,
    /// Errors in a core type's Structure are shown at the user's component first.
    builtin: BuiltinFiles,
    out: Instantiated,
    diags: Diagnostics,
    depth: usize,
    /// Set once building gave up (too deep or too many instances); nothing more is made.
    stopped: bool,
    /// Name indexes of large instances, for the paths of many connections.
    child_names: ChildNames,
}

/// The variables bound by `With` and `ForEach` while one Structure runs.
type Env = HashMap<String, InstId>;

impl<'m> Builder<'m> {
    fn comp(&self, id: CompId) -> &'m Component {
        self.model.component(id)
    }

    /// Moves the errors reported since `reported` that point into a built-in definition to
    /// `comp`'s element (see [`crate::passes::user_site`]).
    fn move_to_user_site(&mut self, reported: usize, comp: CompId) {
        for i in reported..self.diags.list.len() {
            let d = std::mem::replace(&mut self.diags.list[i], Diagnostic::error(""));
            self.diags.list[i] = self.builtin.at_user_site(self.model, comp, d);
        }
    }

    fn tree(&self) -> Tree<'_> {
        Tree {
            model: self.model,
            instances: &self.out.instances,
            names: Some(&self.child_names),
        }
    }

    /// Makes the instance of `comp` and everything its type and nested components contain.
    fn build(
        &mut self,
        comp: CompId,
        parent: Option<InstId>,
        name: String,
        index: Option<usize>,
        slot: String,
        kind: SlotKind,
    ) -> InstId {
        let id = InstId(self.out.instances.len() as u32);
        let place = parent.map_or(0, |p| {
            self.out.instances[p.0 as usize].children.len() as u32
        });
        self.out.instances.push(Instance {
            component: comp,
            parent,
            name,
            index,
            children: Vec::new(),
            assigned: Vec::new(),
            place,
        });
        if let Some(p) = parent {
            self.out.instances[p.0 as usize].children.push(ChildRef {
                slot,
                kind,
                inst: id,
            });
        }
        if self.stopped {
            return id;
        }
        let problem = if self.depth >= MAX_DEPTH {
            Some(format!(
                "instances nest more than {MAX_DEPTH} levels deep here; a component contains itself"
            ))
        } else if self.out.instances.len() > self.limits.max_instances {
            Some(format!(
                "more than {} instances; the Structure of this component keeps making more \
                 (raise the limit with --max-instances)",
                self.limits.max_instances
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            self.diags
                .push(Diagnostic::at(self.comp(comp).span, problem));
            self.stopped = true;
            return id;
        }
        self.depth += 1;
        let ty = self.model.ty(self.comp(comp).type_id);
        let reported = self.diags.list.len();
        for item in &ty.structure.items {
            match item {
                StructureItem::ChildInstance {
                    component,
                    assigns,
                    span,
                } => self.child_instance(id, comp, component, assigns, *span),
                StructureItem::MultiInstantiate {
                    number,
                    component,
                    component_type,
                    assigns,
                    span,
                } => self.multi_instantiate(
                    id,
                    comp,
                    number,
                    component.as_deref(),
                    component_type.as_deref(),
                    assigns,
                    *span,
                ),
                _ => {}
            }
        }
        self.move_to_user_site(reported, comp);
        // Children already made per slot (by MultiInstantiate, ChildInstance, earlier
        // nested components): counted once, not once per child.
        let mut made: HashMap<String, usize> = HashMap::new();
        for c in &self.out.instances[id.0 as usize].children {
            *made.entry(c.slot.clone()).or_default() += 1;
        }
        for (slot, child) in &self.comp(comp).children {
            let kind = if ty.child.iter().any(|c| &c.name == slot) {
                SlotKind::Single
            } else if ty.attachments.iter().any(|c| &c.name == slot) {
                SlotKind::Attachment
            } else {
                SlotKind::List
            };
            let count = made.entry(slot.clone()).or_default();
            let siblings = *count;
            *count += 1;
            let name = match kind {
                SlotKind::Single => slot.clone(),
                _ => self
                    .comp(*child)
                    .id
                    .clone()
                    .unwrap_or_else(|| siblings.to_string()),
            };
            let index = (kind != SlotKind::Single).then_some(siblings);
            self.build(*child, Some(id), name, index, slot.clone(), kind);
        }
        self.depth -= 1;
        id
    }

    fn child_instance(
        &mut self,
        id: InstId,
        comp: CompId,
        reference: &str,
        assigns: &[Assign],
        span: Span,
    ) {
        let Some(target) = self.reference(comp, reference, span) else {
            return;
        };
        let name = self
            .comp(target)
            .id
            .clone()
            .unwrap_or_else(|| reference.to_string());
        let child = self.build(target, Some(id), name.clone(), None, name, SlotKind::Single);
        self.assign(child, comp, assigns);
    }

    #[allow(clippy::too_many_arguments)]
    fn multi_instantiate(
        &mut self,
        id: InstId,
        comp: CompId,
        number: &str,
        component: Option<&str>,
        component_type: Option<&str>,
        assigns: &[Assign],
        span: Span,
    ) {
        let c = self.comp(comp);
        let Some(reference) = component else {
            self.diags.push(Diagnostic::at(
                span,
                format!(
                    "MultiInstantiate of component type '{}' is not supported yet; expected component=\"...\"",
                    component_type.unwrap_or("?")
                ),
            ));
            return;
        };
        let Some(cell) = self.reference(comp, reference, span) else {
            return;
        };
        let Some(n) = c.param(number).map(|p| p.si) else {
            self.diags.push(Diagnostic::at(
                c.span,
                format!(
                    "{} needs '{number}', the number of instances to make, and has none",
                    self.describe_comp(comp)
                ),
            ));
            return;
        };
        let max = self.limits.max_instances;
        if !(n >= 0.0 && n.fract() == 0.0 && n <= max as f64) {
            let at = c.param(number).map_or(c.span, |p| p.span);
            self.diags.push(Diagnostic::at(
                at,
                if n > max as f64 {
                    format!(
                        "'{number}' is {n}; at most {max} instances are made \
                         (raise the limit with --max-instances)"
                    )
                } else {
                    format!("'{number}' is {n}; expected a whole number of instances")
                },
            ));
            return;
        }
        let mut members = Vec::new();
        for i in 0..n as usize {
            if self.stopped {
                return;
            }
            let m = self.build(
                cell,
                Some(id),
                i.to_string(),
                Some(i),
                MULTI_SLOT.to_string(),
                SlotKind::Multi,
            );
            self.assign(m, comp, assigns);
            members.push(m);
        }
        self.out.populations.push(Population {
            name: c.id.clone().unwrap_or_default(),
            inst: id,
            component: cell,
            members,
        });
    }

    /// Populations given as lists of `instance`s (NeuroML `populationList`): each list member
    /// holds the cell its `ChildInstance` made.
    fn list_populations(&mut self) {
        let Some(&base) = self.model.type_by_name.get("basePopulation") else {
            return;
        };
        for i in 0..self.out.instances.len() {
            let inst = &self.out.instances[i];
            let comp = self.comp(inst.component);
            if !self.model.extends(comp.type_id, base)
                || self.out.populations.iter().any(|p| p.inst.0 as usize == i)
            {
                continue;
            }
            let Some(cell) = comp.reference("component") else {
                continue;
            };
            let members = inst
                .children
                .iter()
                .filter(|c| c.kind == SlotKind::List)
                .filter_map(|c| {
                    self.out.instances[c.inst.0 as usize]
                        .children
                        .iter()
                        .find(|g| self.out.instances[g.inst.0 as usize].component == cell)
                        .map(|g| g.inst)
                })
                .collect();
            self.out.populations.push(Population {
                name: comp.id.clone().unwrap_or_default(),
                inst: InstId(i as u32),
                component: cell,
                members,
            });
        }
    }

    /// A component named by a ComponentReference of `comp`; `../name` asks the parent.
    fn reference(&mut self, comp: CompId, name: &str, span: Span) -> Option<CompId> {
        let mut owner = comp;
        let mut rest = name;
        while let Some(r) = rest.strip_prefix("../") {
            match self.comp(owner).parent {
                Some(p) => owner = p,
                None => break,
            }
            rest = r;
        }
        // A local reference (a projection's populations) may be given by an enclosing
        // component rather than the one whose Structure asks for it.
        let mut found = self.comp(owner).reference(rest);
        let mut up = self.comp(owner).parent;
        while let (None, Some(p)) = (found, up) {
            found = self.comp(p).reference(rest);
            up = self.comp(p).parent;
        }
        if found.is_none() {
            let at = if owner == comp {
                self.comp(comp).span
            } else {
                span
            };
            self.diags.push(Diagnostic::at(
                at,
                format!(
                    "{} gives no component for '{rest}', which its Structure needs",
                    self.describe_comp(owner)
                ),
            ));
        }
        found
    }

    /// Evaluates `Assign`s with the parameters of `comp` and stores them on `inst`.
    fn assign(&mut self, inst: InstId, comp: CompId, assigns: &[Assign]) {
        let c = self.comp(comp);
        for a in assigns {
            let lookup = |n: &str| {
                c.param(n)
                    .or_else(|| c.derived.iter().find(|d| d.name == n))
                    .map(|p| p.si)
            };
            let mut no_random = || 0.0;
            // A parameter left out (e.g. an optional weight) leaves the property at its
            // default, as jLEMS does.
            if let Ok(v) = expr::eval(&a.value, &lookup, &mut no_random) {
                self.out.instances[inst.0 as usize]
                    .assigned
                    .push((a.property.clone(), v));
            }
        }
    }

    fn describe_comp(&self, comp: CompId) -> String {
        let c = self.comp(comp);
        let ty = &self.model.ty(c.type_id).name;
        match &c.id {
            Some(id) => format!("{ty} '{id}'"),
            None => ty.clone(),
        }
    }
}
