//! Folding an instance subtree into one [`MechanismPlan`].
//!
//! Names resolve the way jLEMS resolves them for one instance (own parameters, variables,
//! requirements looked up in the parents, `select` paths walked down the instance tree), but
//! every value lands in one flat namespace: the flat name of variable `x` of the instance at
//! slot path `m/forwardRate` is `m/forwardRate/x` (the root's own names have no prefix). A
//! requirement or path that leaves the subtree is something the simulator provides
//! ([`External`]); anything else leaving it is an error.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{
    Actions, Assign, Condition, Derived, DerivedValue, EventHandler, External, Kinetic, MExpr,
    MechanismPlan, Param, Rate, Regimes, StateVar,
};
use crate::diag::{Diagnostic, Span};
use crate::front::expr::{BinOp, Expr, ExprKind, Func};
use crate::ir::{InstId, Ir, SlotKind};
use crate::model::component::Component;
use crate::model::types::{Action, ComponentType, DerivedValue as TypeDerived, Reduce};
use crate::model::Model;
use crate::passes::navigate::Tree;

/// How the subtree meets the simulator.
#[derive(Clone, Debug, Default)]
pub struct InlineOptions {
    /// The root's own `v` state is the simulator's membrane potential (point cells).
    pub voltage_is_state: bool,
    /// A property takes only the value a connection assigns, else its type's default: a
    /// component's own attribute for it is ignored. NEURON's reference export does this (a
    /// synapse's `weight` is the NetCon's weight, 1 for a `timedSynapticInput`'s synapse).
    pub properties_from_connections: bool,
}

/// Flat name of the variable holding the active regime (cannot clash: `@` is not allowed in
/// LEMS names).
pub const REGIME_VAR: &str = "@regime";

/// The subtree of `root` (attachments excluded) as one mechanism.
pub fn inline(
    model: &Model,
    ir: &Ir,
    root: InstId,
    opts: &InlineOptions,
) -> Result<MechanismPlan, Vec<Diagnostic>> {
    let mut inl = Inliner {
        model,
        ir,
        tree: Tree::new(model, &ir.instances),
        root,
        opts,
        prefix: HashMap::new(),
        order: Vec::new(),
        plan: MechanismPlan {
            root,
            component: ir.inst(root).component,
            params: Vec::new(),
            properties: Vec::new(),
            states: Vec::new(),
            on_start: Vec::new(),
            derived: Vec::new(),
            rates: Vec::new(),
            conditions: Vec::new(),
            on_events: Vec::new(),
            regimes: None,
            kinetic: Vec::new(),
            externals: Vec::new(),
            names: BTreeMap::new(),
        },
        externals: BTreeSet::new(),
        diags: Vec::new(),
    };
    inl.collect(root, String::new());
    for id in inl.order.clone() {
        inl.declare(id);
    }
    for id in inl.order.clone() {
        inl.dynamics(id);
    }
    inl.order_derived_children_first();
    inl.plan.externals = inl.externals.iter().cloned().collect();
    if inl.diags.is_empty() {
        Ok(inl.plan)
    } else {
        Err(inl.diags)
    }
}

struct Inliner<'a> {
    model: &'a Model,
    ir: &'a Ir,
    tree: Tree<'a>,
    root: InstId,
    opts: &'a InlineOptions,
    /// Flat-name prefix of every instance of the subtree (`m/forwardRate/`).
    prefix: HashMap<InstId, String>,
    /// The subtree in preorder.
    order: Vec<InstId>,
    plan: MechanismPlan,
    externals: BTreeSet<External>,
    diags: Vec<Diagnostic>,
}

impl<'a> Inliner<'a> {
    fn comp(&self, id: InstId) -> &'a Component {
        self.model.component(self.ir.inst(id).component)
    }

    fn ty(&self, id: InstId) -> &'a ComponentType {
        self.model.ty(self.comp(id).type_id)
    }

    fn collect(&mut self, id: InstId, prefix: String) {
        self.prefix.insert(id, prefix.clone());
        self.order.push(id);
        for child in &self.ir.inst(id).children {
            if child.kind == SlotKind::Attachment {
                continue;
            }
            let name = &self.ir.inst(child.inst).name;
            self.collect(child.inst, format!("{prefix}{name}/"));
        }
    }

    fn flat(&self, id: InstId, name: &str) -> String {
        format!("{}{name}", self.prefix[&id])
    }

    fn error(&mut self, span: Span, message: String) {
        let c = self.comp(self.root);
        self.diags.push(
            Diagnostic::at(span, message)
                .with_secondary(c.name_span, "in the mechanism made from this component"),
        );
    }

    /// Parameters, properties and states of one instance, and the names outputs may use.
    fn declare(&mut self, id: InstId) {
        let ty = self.ty(id);
        let comp = self.comp(id);
        let inst = self.ir.inst(id);
        let is_property = |n: &str| ty.properties.iter().any(|p| p.q.name == n);
        for c in &ty.constants {
            self.param(id, &c.q.name, c.value, c.q.dim);
        }
        for p in comp.params.iter().chain(&comp.derived) {
            if !is_property(&p.name) {
                self.param(id, &p.name, p.si, p.dim);
            }
        }
        for p in &ty.properties {
            let assigned = inst
                .assigned
                .iter()
                .find(|(n, _)| *n == p.q.name)
                .map(|(_, v)| *v)
                .or_else(|| {
                    let own = comp.param(&p.q.name).map(|v| v.si);
                    own.filter(|_| !self.opts.properties_from_connections)
                });
            let value = assigned.or(p.default_value).unwrap_or(0.0);
            let param = Param {
                name: self.flat(id, &p.q.name),
                value,
                dim: p.q.dim,
            };
            self.name(id, &p.q.name, &param.name.clone());
            if id == self.root {
                self.plan.properties.push(param);
            } else {
                self.plan.params.push(param);
            }
        }
        for s in &ty.dynamics.state_variables {
            let flat = self.flat(id, &s.q.name);
            let is_voltage = id == self.root && self.opts.voltage_is_state && s.q.name == "v";
            self.plan.states.push(StateVar {
                name: flat.clone(),
                dim: s.q.dim,
                is_voltage,
            });
            self.name(id, &s.q.name, &flat);
            if let Some(e) = &s.exposure {
                self.name(id, e, &flat);
            }
        }
        let d = &ty.dynamics;
        for v in &d.derived_variables {
            let flat = self.flat(id, &v.q.name);
            self.name(id, &v.q.name, &flat);
            if let Some(e) = &v.exposure {
                self.name(id, e, &flat);
            }
        }
        for v in &d.conditional_derived_variables {
            let flat = self.flat(id, &v.q.name);
            self.name(id, &v.q.name, &flat);
            if let Some(e) = &v.exposure {
                self.name(id, e, &flat);
            }
        }
    }

    fn param(&mut self, id: InstId, name: &str, value: f64, dim: crate::model::dims::Dim) {
        let flat = self.flat(id, name);
        if self.plan.params.iter().any(|p| p.name == flat) {
            return;
        }
        self.name(id, name, &flat);
        self.plan.params.push(Param {
            name: flat,
            value,
            dim,
        });
    }

    fn name(&mut self, id: InstId, name: &str, flat: &str) {
        self.plan
            .names
            .entry((id, name.to_string()))
            .or_insert_with(|| flat.to_string());
    }

    /// Derived variables, rates, conditions, events and kinetic schemes of one instance.
    fn dynamics(&mut self, id: InstId) {
        let ty = self.ty(id);
        let d = &ty.dynamics;
        for v in &d.derived_variables {
            let value = match &v.value {
                TypeDerived::Expr(e) => DerivedValue::Value(self.expr(id, e)),
                TypeDerived::Select {
                    select,
                    reduce,
                    required,
                    span,
                } => DerivedValue::Value(self.select(id, select, *reduce, *required, *span)),
            };
            self.plan.derived.push(Derived {
                name: self.flat(id, &v.q.name),
                dim: v.q.dim,
                value,
            });
        }
        for v in &d.conditional_derived_variables {
            let cases = v
                .cases
                .iter()
                .map(|c| {
                    let cond = c.condition.as_ref().map(|e| self.expr(id, e));
                    (cond, self.expr(id, &c.value))
                })
                .collect();
            self.plan.derived.push(Derived {
                name: self.flat(id, &v.q.name),
                dim: v.q.dim,
                value: DerivedValue::Cases(cases),
            });
        }
        for sa in &d.on_start {
            let a = self.assign(id, &sa.variable, &sa.value, sa.span);
            self.plan.on_start.push(a);
        }
        for td in &d.time_derivatives {
            let value = self.expr(id, &td.value);
            self.plan.rates.push(Rate {
                state: self.flat(id, &td.variable),
                regime: None,
                value,
            });
        }
        for oc in &d.on_conditions {
            let test = self.expr(id, &oc.test);
            let actions = self.actions(id, &oc.actions, &[]);
            self.plan.conditions.push(Condition {
                test,
                regime: None,
                actions,
            });
        }
        if !d.regimes.is_empty() {
            self.regimes(id);
        }
        if id == self.root {
            for oe in &d.on_events {
                let actions = self.actions(id, &oe.actions, &[]);
                self.plan.on_events.push(EventHandler {
                    port: oe.port.clone(),
                    regime: None,
                    actions,
                });
            }
        }
        for ks in &d.kinetic_schemes {
            self.kinetic(id, ks);
        }
    }

    fn regimes(&mut self, id: InstId) {
        let ty = self.ty(id);
        let regimes = &ty.dynamics.regimes;
        if id != self.root {
            self.error(
                regimes[0].span,
                "regimes are supported only on the top component of a mechanism".into(),
            );
            return;
        }
        let names: Vec<String> = regimes.iter().map(|r| r.name.clone()).collect();
        let initial = crate::passes::jlems_order::initial_regime(regimes);
        self.plan.states.push(StateVar {
            name: REGIME_VAR.into(),
            dim: crate::model::dims::Dim::NONE,
            is_voltage: false,
        });
        let mut on_entry = Vec::new();
        for (k, r) in regimes.iter().enumerate() {
            for td in &r.time_derivatives {
                let value = self.expr(id, &td.value);
                self.plan.rates.push(Rate {
                    state: self.flat(id, &td.variable),
                    regime: Some(k),
                    value,
                });
            }
            for oc in &r.on_conditions {
                let test = self.expr(id, &oc.test);
                let actions = self.actions(id, &oc.actions, &names);
                self.plan.conditions.push(Condition {
                    test,
                    regime: Some(k),
                    actions,
                });
            }
            on_entry.push(self.actions(id, &r.on_entry, &names));
        }
        self.plan.regimes = Some(Regimes {
            var: REGIME_VAR.into(),
            names,
            initial,
            on_entry,
        });
    }

    fn kinetic(&mut self, id: InstId, ks: &crate::model::types::KineticScheme) {
        let members = |slot: &str| -> Vec<InstId> {
            self.ir
                .inst(id)
                .children
                .iter()
                .filter(|c| c.slot == slot)
                .map(|c| c.inst)
                .collect()
        };
        let nodes = members(&ks.nodes);
        let mut states = Vec::new();
        let mut node_state = HashMap::new();
        for &n in &nodes {
            let flat = self.flat(n, &ks.state_variable);
            node_state.insert(self.ir.inst(n).name.clone(), flat.clone());
            if let Some(cid) = self.comp(n).id.as_deref() {
                node_state.insert(cid.to_string(), flat.clone());
            }
            states.push(flat);
        }
        let mut edges = Vec::new();
        for e in members(&ks.edges) {
            let comp = self.comp(e);
            let end = |name: &str| {
                comp.text(name)
                    .or_else(|| {
                        comp.reference(name)
                            .and_then(|c| self.model.component(c).id.as_deref())
                    })
                    .and_then(|n| node_state.get(n).cloned())
            };
            let (Some(from), Some(to)) = (end(&ks.edge_source), end(&ks.edge_target)) else {
                self.error(
                    ks.span,
                    format!(
                        "a transition of kinetic scheme '{}' names a state that is not one of \
                         its nodes",
                        ks.name
                    ),
                );
                continue;
            };
            let fwd = MExpr::Var(self.flat(e, &ks.forward_rate));
            let rev = MExpr::Var(self.flat(e, &ks.reverse_rate));
            edges.push((from, to, fwd, rev));
        }
        self.plan.kinetic.push(Kinetic { states, edges });
    }

    /// Event-handler actions, with the actions of subtree members that receive the events it
    /// sends (jLEMS delivers zero-delay events at once, after the sender's assignments).
    fn actions(&mut self, id: InstId, actions: &[Action], regimes: &[String]) -> Actions {
        let mut out = Actions::default();
        for a in actions {
            match a {
                Action::Assign(sa) => {
                    let assign = self.assign(id, &sa.variable, &sa.value, sa.span);
                    out.assigns.push(assign);
                }
                Action::EventOut { port, span } => {
                    let internal = self.internal_receivers(id, port);
                    if internal.is_empty() {
                        if id == self.root {
                            out.event_outs.push(port.clone());
                        }
                    } else {
                        for (target, in_port) in internal {
                            let handlers = self.ty(target).dynamics.on_events.clone();
                            match handlers.iter().find(|h| h.port == in_port) {
                                Some(h) => {
                                    let inner = self.actions(target, &h.actions, &[]);
                                    out.assigns.extend(inner.assigns);
                                    // What the receiver sends on (only the top component's
                                    // ports survive) leaves the mechanism too.
                                    out.event_outs.extend(inner.event_outs);
                                }
                                None => self.error(
                                    *span,
                                    format!("no OnEvent for port '{in_port}' of the receiver"),
                                ),
                            }
                        }
                    }
                }
                Action::Transition { regime, span } => {
                    match regimes.iter().position(|r| r == regime) {
                        Some(k) => out.transition = Some(k),
                        None => self.error(*span, format!("unknown regime '{regime}'")),
                    }
                }
            }
        }
        out
    }

    /// Instances of the subtree connected to out-port `port` of `id`, with their in-ports.
    fn internal_receivers(&self, id: InstId, port: &str) -> Vec<(InstId, String)> {
        self.ir
            .event_connections
            .iter()
            .filter(|c| c.source == id && c.source_port == port)
            .filter_map(|c| {
                let target = c.receiver.unwrap_or(c.target);
                self.prefix
                    .contains_key(&target)
                    .then(|| (target, c.target_port.clone()))
            })
            .collect()
    }

    fn assign(&mut self, id: InstId, var: &str, value: &Expr, span: Span) -> Assign {
        let value = self.expr(id, value);
        let declared = self
            .ty(id)
            .dynamics
            .state_variables
            .iter()
            .any(|s| s.q.name == var);
        if !declared {
            self.error(span, format!("'{var}' is not a state variable here"));
        }
        Assign {
            var: self.flat(id, var),
            value,
        }
    }

    fn expr(&mut self, id: InstId, e: &Expr) -> MExpr {
        match &e.kind {
            ExprKind::Number(v) => MExpr::Num(*v),
            ExprKind::Name(n) => self.resolve(id, n, e.span),
            ExprKind::Neg(x) => MExpr::Neg(Box::new(self.expr(id, x))),
            ExprKind::Not(x) => MExpr::Not(Box::new(self.expr(id, x))),
            ExprKind::Binary(op, l, r) => {
                let l = self.expr(id, l);
                let r = self.expr(id, r);
                MExpr::Bin(*op, Box::new(l), Box::new(r))
            }
            ExprKind::Call(f, args) => {
                let [arg] = args.as_slice() else {
                    self.error(e.span, format!("'{}' takes one argument", f.name()));
                    return MExpr::Num(f64::NAN);
                };
                let arg = Box::new(self.expr(id, arg));
                match f {
                    Func::Random => MExpr::Random(arg),
                    f => MExpr::Call(*f, arg),
                }
            }
        }
    }

    /// A name used in an expression of instance `id`.
    fn resolve(&mut self, id: InstId, name: &str, span: Span) -> MExpr {
        if let Some(flat) = self.plan.names.get(&(id, name.to_string())) {
            return MExpr::Var(flat.clone());
        }
        if name == "t" {
            return MExpr::Time;
        }
        let ty = self.ty(id);
        if ty.requirements.iter().any(|r| r.name == name) {
            return self.requirement(self.ir.inst(id).parent, name, span);
        }
        self.error(
            span,
            format!("'{name}' names nothing in ComponentType '{}'", ty.name),
        );
        MExpr::Num(f64::NAN)
    }

    /// A requirement, looked up in `from` and its parents (jLEMS `getVariable`).
    fn requirement(&mut self, from: Option<InstId>, name: &str, span: Span) -> MExpr {
        let mut cur = from;
        while let Some(id) = cur {
            if !self.prefix.contains_key(&id) {
                break;
            }
            if let Some(flat) = self.plan.names.get(&(id, name.to_string())) {
                return MExpr::Var(flat.clone());
            }
            cur = self.ir.inst(id).parent;
        }
        if external_of(name).is_none() {
            // A parameter of an enclosing component (a species' initial concentration) is a
            // constant the mechanism can carry.
            while let Some(id) = cur {
                if let Some(p) = self.comp(id).param(name) {
                    return MExpr::Num(p.si);
                }
                cur = self.ir.inst(id).parent;
            }
        }
        self.external(name, span)
    }

    fn external(&mut self, name: &str, span: Span) -> MExpr {
        let Some(ext) = external_of(name) else {
            self.error(
                span,
                format!(
                    "'{name}' comes from outside this mechanism, which the simulator cannot \
                     provide; expected v, temperature, caConc, caConcExt, iCa (or caConc2, \
                     caConcExt2, iCa2 of a second calcium pool) or surfaceArea"
                ),
            );
            return MExpr::Num(f64::NAN);
        };
        self.externals.insert(ext.clone());
        MExpr::Ext(ext)
    }

    /// A `select` path: one value, or the reduction of many.
    fn select(
        &mut self,
        id: InstId,
        path: &str,
        reduce: Option<Reduce>,
        required: bool,
        span: Span,
    ) -> MExpr {
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        let Some((var, steps)) = parts.split_last() else {
            self.error(span, format!("empty select path '{path}'"));
            return MExpr::Num(f64::NAN);
        };
        // A tunnel end reads its peer: `peer/v`.
        if steps.len() == 1 && self.is_tunnel_name(id, steps[0]) {
            if *var == "v" {
                self.externals.insert(External::PeerVoltage);
                return MExpr::Ext(External::PeerVoltage);
            }
            self.error(span, format!("only v can be read through '{}'", steps[0]));
            return MExpr::Num(f64::NAN);
        }
        let mut current = vec![id];
        for step in steps {
            let mut next = Vec::new();
            for &at in &current {
                // `group[*]` takes every member, `group[ion='ca']` those whose text or
                // parameter `ion` is `ca` (jLEMS's filters, as the native target reads them).
                let (slot, filter) = split_filter(step);
                let all = filter.is_some();
                let list: Vec<InstId> = self
                    .ir
                    .inst(at)
                    .children
                    .iter()
                    .filter(|c| c.kind != SlotKind::Single && c.slot == slot)
                    .map(|c| c.inst)
                    .filter(|&m| filter.as_ref().is_none_or(|f| self.passes(m, f)))
                    .collect();
                if all || (!list.is_empty() && reduce.is_some()) {
                    next.extend(list);
                } else if *step == ".." {
                    match self.ir.inst(at).parent {
                        Some(p) => next.push(p),
                        None => {}
                    }
                } else {
                    match self
                        .tree
                        .child(at, step)
                        .or_else(|e| self.referenced_child(at, step).ok_or(e))
                    {
                        Ok(c) => next.push(c),
                        Err(_) if !required || reduce.is_some() => {}
                        Err(msg) => {
                            self.error(span, format!("select '{path}': {msg}"));
                            return MExpr::Num(f64::NAN);
                        }
                    }
                }
            }
            current = next;
        }
        let mut values = Vec::new();
        for at in current {
            if !self.prefix.contains_key(&at) {
                // Attachments (synapses, inputs) are mechanisms of their own.
                continue;
            }
            match self.plan.names.get(&(at, var.to_string())) {
                Some(flat) => values.push(MExpr::Var(flat.clone())),
                None => {
                    self.error(span, format!("select '{path}': no '{var}' there"));
                    return MExpr::Num(f64::NAN);
                }
            }
        }
        match reduce {
            None => match values.len() {
                1 => values.pop().unwrap(),
                0 if !required => MExpr::Num(0.0),
                // A single value outside the subtree: what the simulator provides.
                0 => self.external(var, span),
                _ => {
                    self.error(span, format!("select '{path}' names several values"));
                    MExpr::Num(f64::NAN)
                }
            },
            Some(r) => {
                let (op, unit) = match r {
                    Reduce::Add => (BinOp::Add, 0.0),
                    Reduce::Multiply => (BinOp::Mul, 1.0),
                };
                let mut it = values.into_iter();
                match it.next() {
                    None => MExpr::Num(unit),
                    Some(first) => {
                        it.fold(first, |acc, v| MExpr::Bin(op, Box::new(acc), Box::new(v)))
                    }
                }
            }
        }
    }

    /// Whether member `inst` passes filter `f` (see [`Filter`]).
    fn passes(&self, inst: InstId, f: &Filter) -> bool {
        let Filter::Equals(key, value) = f else {
            return true;
        };
        let comp = self.comp(inst);
        match comp.text(key) {
            Some(text) => text == value,
            None => comp
                .param(key)
                .is_some_and(|p| value.parse::<f64>().is_ok_and(|v| v == p.si)),
        }
    }

    /// The child made by `ChildInstance` from the component that reference `name` names.
    fn referenced_child(&self, at: InstId, name: &str) -> Option<InstId> {
        let target = self.comp(at).reference(name)?;
        self.ir
            .inst(at)
            .children
            .iter()
            .map(|c| c.inst)
            .find(|&c| self.ir.inst(c).component == target)
    }

    fn is_tunnel_name(&self, id: InstId, name: &str) -> bool {
        self.ir
            .tunnels
            .iter()
            .any(|t| t.name == name && (t.at_a == id || t.at_b == id))
    }

    /// Derived variables in jLEMS's order, which NEURON's reference values also follow:
    /// children before their parent (in child order), each instance's own in document order.
    /// A child that reads a parent's derived value (a gate's time course reading the gate's
    /// `alpha`) thus sees the value of the previous evaluation, as in jLEMS.
    fn order_derived_children_first(&mut self) {
        fn postorder(ir: &Ir, id: InstId, out: &mut Vec<InstId>) {
            for c in &ir.inst(id).children {
                if c.kind != SlotKind::Attachment {
                    postorder(ir, c.inst, out);
                }
            }
            out.push(id);
        }
        let mut post = Vec::new();
        postorder(self.ir, self.root, &mut post);
        let rank: HashMap<&str, usize> = post
            .iter()
            .enumerate()
            .map(|(r, id)| (self.prefix[id].as_str(), r))
            .collect();
        let owner_rank = |name: &str| {
            let prefix = name.rfind('/').map_or("", |i| &name[..=i]);
            rank.get(prefix).copied().unwrap_or(usize::MAX)
        };
        let mut derived = std::mem::take(&mut self.plan.derived);
        derived.sort_by_key(|d| owner_rank(&d.name));
        self.plan.derived = derived;
    }
}

/// The filter of a `select` path step: `[*]`, or `[name='value']`.
enum Filter {
    All,
    Equals(String, String),
}

/// `populations[ion='ca']` as the group `populations` and its filter; a step without one (or
/// with an index, `pop[0]`, which the instance tree resolves) as itself.
fn split_filter(step: &str) -> (&str, Option<Filter>) {
    let Some((slot, rest)) = step.split_once('[').filter(|(s, _)| !s.is_empty()) else {
        return (step, None);
    };
    let Some(inner) = rest.strip_suffix(']') else {
        return (step, None);
    };
    if inner.trim() == "*" {
        return (slot, Some(Filter::All));
    }
    match inner.split_once('=') {
        Some((key, value)) => {
            let value = value.trim().trim_matches(|c| c == '\'' || c == '"');
            (slot, Some(Filter::Equals(key.trim().into(), value.into())))
        }
        None => (step, None),
    }
}

/// What the simulator provides under a requirement's name: the membrane's voltage,
/// temperature and area, and calcium's concentrations and current, for the ion `ca` and for
/// `ca2` (the second pool of `biophysicalProperties2CaPools`).
fn external_of(name: &str) -> Option<External> {
    Some(match name {
        "v" => External::Voltage,
        "temperature" => External::Temperature,
        "surfaceArea" => External::Area,
        "caConc" => External::ConcentrationIn("ca".into()),
        "caConcExt" => External::ConcentrationOut("ca".into()),
        "iCa" => External::IonCurrent("ca".into()),
        "caConc2" => External::ConcentrationIn("ca2".into()),
        "caConcExt2" => External::ConcentrationOut("ca2".into()),
        "iCa2" => External::IonCurrent("ca2".into()),
        _ => return None,
    })
}
