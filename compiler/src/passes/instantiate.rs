//! Instantiation of a simulation's target the way jLEMS builds it: every component becomes an
//! instance with its nested Child/Children components below it, `MultiInstantiate` and
//! `ChildInstance` add instances, and then, once the whole tree exists, `With`, `ForEach`,
//! `EventConnection` and `Tunnel` of every instance (in tree order) make connections and the
//! synapse or input instances they attach to cells.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::front::expr;
use crate::ir::{ChildRef, EventConnection, Input, InstId, Instance, Population, SlotKind, Tunnel};
use crate::model::component::{CompId, Component};
use crate::model::types::{Assign, Direction, StructureItem};
use crate::model::Model;
use crate::passes::navigate::{segments, Tree};

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
    let mut b = Builder {
        model,
        out: Instantiated::default(),
        diags: Diagnostics::new(),
        depth: 0,
        stopped: false,
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

/// More instances than this is taken for a runaway Structure (a component that keeps
/// attaching copies of itself) rather than a model; building stops with an error.
pub const MAX_INSTANCES: usize = 2_000_000;

struct Builder<'m> {
    model: &'m Model,
    out: Instantiated,
    diags: Diagnostics,
    depth: usize,
    /// Set once building gave up (too deep or too many instances); nothing more is made.
    stopped: bool,
}

/// The variables bound by `With` and `ForEach` while one Structure runs.
type Env = HashMap<String, InstId>;

impl<'m> Builder<'m> {
    fn comp(&self, id: CompId) -> &'m Component {
        self.model.component(id)
    }

    fn tree(&self) -> Tree<'_> {
        Tree {
            model: self.model,
            instances: &self.out.instances,
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
        self.out.instances.push(Instance {
            component: comp,
            parent,
            name,
            index,
            children: Vec::new(),
            assigned: Vec::new(),
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
        } else if self.out.instances.len() > MAX_INSTANCES {
            Some(format!(
                "more than {MAX_INSTANCES} instances; the Structure of this component keeps making more"
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
        for (slot, child) in &self.comp(comp).children {
            let kind = if ty.child.iter().any(|c| &c.name == slot) {
                SlotKind::Single
            } else if ty.attachments.iter().any(|c| &c.name == slot) {
                SlotKind::Attachment
            } else {
                SlotKind::List
            };
            let siblings = self.out.instances[id.0 as usize]
                .children
                .iter()
                .filter(|c| &c.slot == slot)
                .count();
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
        if !(n >= 0.0 && n.fract() == 0.0 && n <= MAX_INSTANCES as f64) {
            let at = c.param(number).map_or(c.span, |p| p.span);
            self.diags.push(Diagnostic::at(
                at,
                if n > MAX_INSTANCES as f64 {
                    format!("'{number}' is {n}; at most {MAX_INSTANCES} instances are supported")
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

    /// Runs the connection-making Structure items of one instance.
    fn connect(&mut self, id: InstId) {
        let comp = self.out.instances[id.0 as usize].component;
        let ty = self.model.ty(self.comp(comp).type_id);
        let mut env = Env::new();
        self.run_items(id, comp, &ty.structure.items, &mut env);
    }

    fn run_items(&mut self, id: InstId, comp: CompId, items: &'m [StructureItem], env: &mut Env) {
        for item in items {
            match item {
                StructureItem::ChildInstance { .. } | StructureItem::MultiInstantiate { .. } => {}
                StructureItem::With {
                    instance,
                    list,
                    index,
                    as_name,
                    span,
                } => {
                    let found = match (instance, list, index) {
                        (Some(path), _, _) => self.with_instance(id, comp, path, *span, false),
                        (None, Some(list), Some(index)) => {
                            self.with_list(id, comp, list, index, *span)
                        }
                        _ => {
                            self.diags.push(Diagnostic::at(
                                *span,
                                "With needs instance=\"path\" or list=\"...\" with index=\"...\"",
                            ));
                            None
                        }
                    };
                    if let Some(found) = found {
                        env.insert(as_name.clone(), found);
                    }
                }
                StructureItem::ForEach {
                    instances,
                    as_name,
                    body,
                    span,
                } => {
                    let Some(group) = self.with_instance(id, comp, instances, *span, true) else {
                        continue;
                    };
                    let members: Vec<InstId> = self.out.instances[group.0 as usize]
                        .children
                        .iter()
                        .filter(|c| c.kind != SlotKind::Single)
                        .map(|c| c.inst)
                        .collect();
                    for m in members {
                        let mut inner = env.clone();
                        inner.insert(as_name.clone(), m);
                        self.run_items(id, comp, body, &mut inner);
                    }
                }
                StructureItem::EventConnection(ec) => self.event_connection(comp, ec, env),
                StructureItem::Tunnel {
                    name,
                    end_a,
                    end_b,
                    component_a,
                    component_b,
                    assigns,
                    span,
                } => {
                    let (Some(a), Some(b)) =
                        (self.bound(env, end_a, *span), self.bound(env, end_b, *span))
                    else {
                        continue;
                    };
                    let (Some(ca), Some(cb)) = (
                        self.reference(comp, component_a, *span),
                        self.reference(comp, component_b, *span),
                    ) else {
                        continue;
                    };
                    let (Some(set_a), Some(set_b)) = (
                        self.container(a, None, *span),
                        self.container(b, None, *span),
                    ) else {
                        continue;
                    };
                    let at_a = self.attach(a, ca, set_a);
                    let at_b = self.attach(b, cb, set_b);
                    self.assign(at_a, comp, assigns);
                    self.assign(at_b, comp, assigns);
                    self.out.tunnels.push(Tunnel {
                        made_by: comp,
                        name: name.clone(),
                        end_a: a,
                        end_b: b,
                        at_a,
                        at_b,
                    });
                }
            }
        }
    }

    fn event_connection(
        &mut self,
        comp: CompId,
        ec: &crate::model::types::EventConnection,
        env: &Env,
    ) {
        let (Some(from), Some(to)) = (
            self.bound(env, &ec.from, ec.span),
            self.bound(env, &ec.to, ec.span),
        ) else {
            return;
        };
        let receiver = match &ec.receiver {
            Some(r) => {
                let Some(rc) = self.reference(comp, r, ec.span) else {
                    return;
                };
                let wanted = ec
                    .receiver_container
                    .as_deref()
                    .and_then(|t| self.text_or_literal(comp, t));
                let Some(set) = self.container(to, wanted.as_deref(), ec.span) else {
                    return;
                };
                let inst = self.attach(to, rc, set.clone());
                self.assign(inst, comp, &ec.assigns);
                Some((inst, set))
            }
            None => None,
        };
        let receiving = receiver.as_ref().map_or(to, |r| r.0);
        let source_port = self.port(comp, ec.source_port.as_deref(), from, Direction::Out);
        let target_port = self.port(comp, ec.target_port.as_deref(), receiving, Direction::In);
        // An input is a connection from a cell to itself whose receiver is the input.
        if let (true, Some((input, destination))) = (from == to, &receiver) {
            self.out.inputs.push(Input {
                made_by: comp,
                cell: to,
                destination: destination.clone(),
                input: *input,
            });
            return;
        }
        let delay = ec
            .delay
            .as_deref()
            .and_then(|d| self.comp(comp).param(d))
            .map_or(0.0, |p| p.si);
        let assigned = receiver.as_ref().map_or_else(Vec::new, |r| {
            self.out.instances[r.0 .0 as usize].assigned.clone()
        });
        self.out.event_connections.push(EventConnection {
            made_by: comp,
            assigned,
            source: from,
            source_port,
            target: to,
            receiver: receiver.map(|r| r.0),
            target_port,
            delay,
        });
    }

    /// A Structure attribute that names a Text/Path of the type gives that text's value; an
    /// empty or absent value gives None; anything else is taken literally.
    fn text_or_literal(&self, comp: CompId, name: &str) -> Option<String> {
        let c = self.comp(comp);
        let ty = self.model.ty(c.type_id);
        let declared = ty.texts.iter().chain(&ty.paths).any(|t| t.name == name);
        let value = if declared {
            c.text(name).map(str::to_string)
        } else {
            Some(name.to_string())
        };
        value.filter(|v| !v.trim().is_empty())
    }

    /// The port an EventConnection uses on `inst`: the one its `sourcePort`/`targetPort`
    /// names (through a Text of the type, or literally), else the first port of `dir`.
    fn port(&mut self, comp: CompId, named: Option<&str>, inst: InstId, dir: Direction) -> String {
        let c = self.comp(comp);
        let ty = self.model.ty(c.type_id);
        let ports: Vec<&str> = self
            .model
            .ty(self
                .comp(self.out.instances[inst.0 as usize].component)
                .type_id)
            .event_ports
            .iter()
            .filter(|p| p.direction == dir)
            .map(|p| p.name.as_str())
            .collect();
        let first = ports.first().map_or(String::new(), |p| p.to_string());
        let Some(named) = named else {
            return first;
        };
        let declared = ty.texts.iter().chain(&ty.paths).any(|t| t.name == named);
        if !declared {
            // Not a Text of the type: a port name written directly, or (as jLEMS reads an
            // unset text) nothing, which leaves the default.
            return if ports.contains(&named) {
                named.to_string()
            } else {
                first
            };
        }
        match c.texts.iter().find(|(n, _, _)| n == named) {
            Some((_, v, at)) if !v.trim().is_empty() => {
                if !ports.contains(&v.as_str()) {
                    let dir = if dir == Direction::Out { "out" } else { "in" };
                    let what = self.tree().describe(inst);
                    self.diags.push(Diagnostic::at(
                        *at,
                        format!(
                            "'{v}' is not an {dir}-port of {what}; its {dir}-ports: {}",
                            if ports.is_empty() {
                                "none".to_string()
                            } else {
                                ports.join(", ")
                            }
                        ),
                    ));
                }
                v.clone()
            }
            _ => first,
        }
    }

    fn bound(&mut self, env: &Env, name: &str, span: Span) -> Option<InstId> {
        let found = env.get(name).copied();
        if found.is_none() {
            let mut known: Vec<&str> = env.keys().map(String::as_str).collect();
            known.sort_unstable();
            self.diags.push(Diagnostic::at(
                span,
                format!(
                    "'{name}' is not bound by a With or ForEach here; bound: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
        found
    }

    /// The attachment set of `cell` that a connection's new instance joins.
    fn container(&mut self, cell: InstId, wanted: Option<&str>, span: Span) -> Option<String> {
        let comp = self.comp(self.out.instances[cell.0 as usize].component);
        let ty = self.model.ty(comp.type_id);
        let sets: Vec<&str> = ty.attachments.iter().map(|a| a.name.as_str()).collect();
        let what = self.tree().describe(cell);
        let problem = match (wanted, sets.as_slice()) {
            (Some(w), _) if sets.contains(&w) => return Some(w.to_string()),
            (None, [only]) => return Some(only.to_string()),
            (_, []) => format!("{what} has no attachment sets to receive it"),
            (Some(w), _) => format!(
                "{what} has no attachment set '{w}'; it has: {}",
                sets.join(", ")
            ),
            (None, _) => format!(
                "{what} has several attachment sets ({}); name one with destination",
                sets.join(", ")
            ),
        };
        self.diags.push(Diagnostic::at(
            span,
            format!("cannot attach the connection: {problem}"),
        ));
        None
    }

    fn attach(&mut self, cell: InstId, comp: CompId, set: String) -> InstId {
        let index = self.out.instances[cell.0 as usize]
            .children
            .iter()
            .filter(|c| c.slot == set)
            .count();
        let name = self
            .comp(comp)
            .id
            .clone()
            .unwrap_or_else(|| index.to_string());
        self.build(
            comp,
            Some(cell),
            name,
            Some(index),
            set,
            SlotKind::Attachment,
        )
    }

    /// `With instance="path"`: the path is a Path/Text of the type (or written literally) and
    /// starts at the parent of the instance whose Structure runs (`ForEach` paths start at the
    /// instance itself: `from_self`).
    fn with_instance(
        &mut self,
        id: InstId,
        comp: CompId,
        path: &str,
        span: Span,
        from_self: bool,
    ) -> Option<InstId> {
        let c = self.comp(comp);
        let (value, at) = match c.texts.iter().find(|(n, _, _)| n == path) {
            Some((_, v, s)) => (v.clone(), *s),
            None => (path.to_string(), span),
        };
        // `this` and `./x` start at the instance itself (a poissonFiringSynapse's
        // `spikeTarget="./syn"` names its own child); other paths start at its parent.
        let own =
            from_self || value == "this" || value.starts_with("this/") || value.starts_with("./");
        let start = match self.out.instances[id.0 as usize].parent {
            Some(parent) if !own => parent,
            _ => id,
        };
        let mut cur = start;
        for (_, seg) in segments(&value) {
            let step = self.tree().child(cur, seg);
            match step {
                Ok(next) => cur = next,
                Err(msg) => {
                    // A Link or ComponentReference of the instance reached names the
                    // component whose instance is meant (`../source` of an AllAll pattern).
                    let linked = self
                        .comp(self.out.instances[cur.0 as usize].component)
                        .reference(seg);
                    if let Some(found) = linked.and_then(|l| self.instance_of(l, cur)) {
                        cur = found;
                        continue;
                    }
                    self.diags.push(Diagnostic::at(
                        at,
                        format!("cannot resolve '{value}': {msg}"),
                    ));
                    return None;
                }
            }
        }
        Some(cur)
    }

    /// The instance of `comp` nearest to `near`: among the children of `near`, then of each of
    /// its ancestors in turn.
    fn instance_of(&self, comp: CompId, near: InstId) -> Option<InstId> {
        let mut cur = Some(near);
        while let Some(a) = cur {
            let inst = &self.out.instances[a.0 as usize];
            if let Some(c) = inst
                .children
                .iter()
                .find(|ch| self.out.instances[ch.inst.0 as usize].component == comp)
            {
                return Some(c.inst);
            }
            cur = inst.parent;
        }
        None
    }

    /// `With list="popRef" index="param"`: the index-th member of a referenced population.
    fn with_list(
        &mut self,
        id: InstId,
        comp: CompId,
        list: &str,
        index: &str,
        span: Span,
    ) -> Option<InstId> {
        let pop = self.reference(comp, list, span)?;
        let c = self.comp(comp);
        let Some(i) = c.param(index).map(|p| p.si as usize) else {
            self.diags.push(Diagnostic::at(
                c.span,
                format!(
                    "{} has no '{index}' to pick a cell of the population",
                    self.describe_comp(comp)
                ),
            ));
            return None;
        };
        let found = self.instance_of(pop, id);
        let Some(pop_inst) = found else {
            self.diags.push(Diagnostic::at(
                c.span,
                format!(
                    "population {} is not part of this network",
                    self.describe_comp(pop)
                ),
            ));
            return None;
        };
        match self.tree().child(pop_inst, &format!("[{i}]")) {
            Ok(m) => Some(m),
            Err(msg) => {
                let at = c.param(index).map_or(c.span, |p| p.span);
                self.diags
                    .push(Diagnostic::at(at, format!("'{index}': {msg}")));
                None
            }
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
