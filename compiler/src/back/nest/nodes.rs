//! Which NESTML model each population member becomes, and how its attachments fit into it.
//!
//! NEST nodes hold a fixed set of variables, but LEMS attaches one synapse instance per
//! incoming connection. One model is made per cell component; every attachment kind (an
//! attachment component in one attachment set) found on any of its cells becomes one block
//! of that model, in one of three ways:
//! - [`Mode::Folded`]: a synapse whose state is linear and homogeneous (every rate, every
//!   value the cell reads is a sum of terms with exactly one state factor, states start at
//!   0, events only add to states): any number of instances sum into one block exactly, and
//!   each event carries its connection's `weight` as the NEST weight;
//! - [`Mode::Scaled`]: a deterministic input no connection targets (pulse, sine, ramp...):
//!   identical copies evolve identically, so one block times the node's count;
//! - [`Mode::Single`]: anything else, allowed once per cell; its properties are per-node
//!   parameters and a per-node 0/1 says whether the cell has it.
//!
//! Models with morphology, continuous couplings (gap junctions, graded synapses) and
//! values NEST cannot provide are refused here with errors at the model element.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{Diagnostic, Span};
use crate::ir::{InstId, Ir, SlotKind};
use crate::model::component::CompId;
use crate::model::types::DerivedValue as TypeDerived;
use crate::model::Model;
use crate::passes::mechanism::{
    inline, BinOp, DerivedValue, External, InlineOptions, MExpr, MechanismPlan,
};

use super::expr::{unsupported_function, uses_random};
use super::names::model_name;

/// The property a NEST connection's weight carries (into [`Mode::Folded`] blocks).
pub const WEIGHT: &str = "weight";

/// How the instances of one attachment kind live in the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Folded,
    Scaled,
    Single,
}

/// One attachment kind of a node model.
#[derive(Clone, Debug)]
pub struct AttachmentKind {
    pub component: CompId,
    /// The attachment set (`synapses`).
    pub slot: String,
    pub plan: MechanismPlan,
    pub mode: Mode,
    /// Instances on each cell (node), in attachment order.
    pub on_cell: BTreeMap<InstId, Vec<InstId>>,
    /// Whether event connections target it.
    pub receives: bool,
    /// Its in-ports that connections target: one NEST spike port each.
    pub ports: Vec<String>,
    /// Name base for its block's identifiers (the component id).
    pub label: String,
}

/// A reduction of the cell over an attachment set (`iSyn = synapses[*]/i`): the cell's
/// derived variable (flat name) and the attachments' variable it sums.
#[derive(Clone, Debug)]
pub struct AttachmentSum {
    pub derived: String,
    pub slot: String,
    pub var: String,
}

/// One NESTML model: a cell component with every attachment kind its cells carry.
#[derive(Clone, Debug)]
pub struct NodeModel {
    pub name: String,
    pub component: CompId,
    pub cell: MechanismPlan,
    pub kinds: Vec<AttachmentKind>,
    pub sums: Vec<AttachmentSum>,
    /// The cell's in-ports connections target directly (no synapse instance).
    pub cell_ports: Vec<String>,
    /// Population members made from this model, in population order.
    pub members: Vec<InstId>,
}

impl NodeModel {
    /// The cell's derived variables that sum attachments.
    pub fn sum_names(&self) -> BTreeSet<String> {
        self.sums.iter().map(|s| s.derived.clone()).collect()
    }
}

/// Every node model, and which model and kind each instance belongs to.
#[derive(Clone, Debug, Default)]
pub struct Nodes {
    pub models: Vec<NodeModel>,
    /// Model index of every population member.
    pub model_of: BTreeMap<InstId, usize>,
    /// (model, kind) of every attachment instance.
    pub kind_of: BTreeMap<InstId, (usize, usize)>,
    /// The cell each attachment instance sits on.
    pub cell_of: BTreeMap<InstId, InstId>,
}

/// Groups the IR's populations into node models; errors for what NEST cannot run.
pub fn nodes(model: &Model, ir: &Ir) -> Result<Nodes, Vec<Diagnostic>> {
    let mut diags = refuse_continuous_couplings(model, ir);
    let receivers: BTreeSet<InstId> = ir
        .event_connections
        .iter()
        .filter_map(|c| c.receiver)
        .collect();
    let cell_type = model.type_by_name.get("cell").copied();
    let mut out = Nodes::default();
    let mut by_component: BTreeMap<CompId, usize> = BTreeMap::new();
    let mut names = BTreeSet::new();
    for pop in &ir.populations {
        for &member in &pop.members {
            let comp_id = ir.inst(member).component;
            let comp = model.component(comp_id);
            let is_cell = cell_type.is_some_and(|t| model.extends(comp.type_id, t));
            let segments = if is_cell {
                crate::passes::support::segment_count(model, comp_id)
            } else {
                1
            };
            if segments > 1 {
                let refused = diags
                    .iter()
                    .any(|d: &Diagnostic| d.primary.as_ref().map(|p| p.0) == Some(comp.name_span));
                if !refused {
                    diags.push(
                        Diagnostic::at(
                            comp.name_span,
                            format!(
                                "cell '{}' has {segments} segments: the NEST target runs point \
                                 neurons only (one compartment)",
                                comp.id.as_deref().unwrap_or("?")
                            ),
                        )
                        .with_note("use --target neuron to simulate it with NEURON"),
                    );
                }
                continue;
            }
            let index = match by_component.get(&comp_id) {
                Some(&i) => i,
                None => {
                    let plan = match inline(
                        model,
                        ir,
                        member,
                        &InlineOptions {
                            voltage_is_state: true,
                            properties_from_connections: false,
                        },
                    ) {
                        Ok(p) => p,
                        Err(d) => {
                            diags.extend(d);
                            continue;
                        }
                    };
                    let raw = comp
                        .id
                        .clone()
                        .unwrap_or_else(|| model.ty(comp.type_id).name.clone());
                    let mut name = model_name(&raw);
                    let mut n = 1;
                    while !names.insert(name.clone()) {
                        n += 1;
                        name = format!("{}_{n}", model_name(&raw));
                    }
                    out.models.push(NodeModel {
                        name,
                        component: comp_id,
                        sums: attachment_sums(model, comp_id),
                        cell: plan,
                        kinds: Vec::new(),
                        cell_ports: Vec::new(),
                        members: Vec::new(),
                    });
                    by_component.insert(comp_id, out.models.len() - 1);
                    out.models.len() - 1
                }
            };
            out.model_of.insert(member, index);
            out.models[index].members.push(member);
        }
    }
    // Attachments, after every model exists.
    for mi in 0..out.models.len() {
        let members = out.models[mi].members.clone();
        for cell in members {
            for child in &ir.inst(cell).children {
                if child.kind != SlotKind::Attachment {
                    continue;
                }
                let a = child.inst;
                let comp = ir.inst(a).component;
                let kinds = &mut out.models[mi].kinds;
                let k = match kinds
                    .iter()
                    .position(|k| k.component == comp && k.slot == child.slot)
                {
                    Some(k) => k,
                    None => {
                        let plan = match inline(
                            model,
                            ir,
                            a,
                            &InlineOptions {
                                voltage_is_state: false,
                                properties_from_connections: true,
                            },
                        ) {
                            Ok(p) => p,
                            Err(d) => {
                                diags.extend(d);
                                continue;
                            }
                        };
                        let c = model.component(comp);
                        let label =
                            c.id.clone()
                                .unwrap_or_else(|| model.ty(c.type_id).name.clone());
                        kinds.push(AttachmentKind {
                            component: comp,
                            slot: child.slot.clone(),
                            plan,
                            mode: Mode::Single,
                            on_cell: BTreeMap::new(),
                            receives: false,
                            ports: Vec::new(),
                            label,
                        });
                        kinds.len() - 1
                    }
                };
                kinds[k].on_cell.entry(cell).or_default().push(a);
                if receivers.contains(&a) {
                    kinds[k].receives = true;
                }
                out.kind_of.insert(a, (mi, k));
                out.cell_of.insert(a, cell);
            }
        }
        for k in 0..out.models[mi].kinds.len() {
            let mode = choose_mode(&out.models[mi].kinds[k], &out.models[mi].sums);
            out.models[mi].kinds[k].mode = mode;
            let kind = &out.models[mi].kinds[k];
            if mode == Mode::Single {
                if let Some((_, list)) = kind.on_cell.iter().find(|(_, l)| l.len() > 1) {
                    let c = model.component(kind.component);
                    diags.push(
                        Diagnostic::at(
                            c.name_span,
                            format!(
                                "the NEST target cannot give one cell {} instances of this \
                                 {}: its dynamics are not linear in its state (or it draws \
                                 random numbers), so they cannot share one NEST node's \
                                 variables",
                                list.len(),
                                model.ty(c.type_id).name
                            ),
                        )
                        .with_note(
                            "linear synapses (expOneSynapse, expTwoSynapse, alphaSynapse, \
                             blockingPlasticSynapse without plasticity...) and deterministic \
                             inputs can be repeated",
                        ),
                    );
                }
            }
        }
    }
    // Connections straight to a cell's in-port, and what connections may come from.
    for c in &ir.event_connections {
        if internal(ir, &out, c.source, c.receiver.unwrap_or(c.target)) {
            // Inside one node (a spikeArray's spikes to the array): the plan inlines it.
            continue;
        }
        if !out.model_of.contains_key(&c.source) {
            let made_by = model.component(c.made_by);
            diags.push(Diagnostic::at(
                made_by.name_span,
                "the NEST target sends events only from population members (NEST nodes)",
            ));
            continue;
        };
        if let Some(r) = c.receiver {
            if let Some(&(m, k)) = out.kind_of.get(&r) {
                let ports = &mut out.models[m].kinds[k].ports;
                if !ports.contains(&c.target_port) {
                    ports.push(c.target_port.clone());
                }
            }
        } else {
            match out.model_of.get(&c.target) {
                Some(&m) => {
                    if !out.models[m].cell_ports.contains(&c.target_port) {
                        out.models[m].cell_ports.push(c.target_port.clone());
                    }
                }
                None => {
                    let made_by = model.component(c.made_by);
                    diags.push(Diagnostic::at(
                        made_by.name_span,
                        "the NEST target delivers events only to cells and their synapses",
                    ));
                }
            }
        }
    }
    let network = model.component(ir.inst(ir.root).component);
    let temperature = Temperature {
        fixed: network.param("temperature").is_some(),
        root: format!(
            "'{}' ({})",
            network.id.as_deref().unwrap_or("?"),
            model.ty(network.type_id).name
        ),
    };
    for m in &out.models {
        check_plan(model, &m.cell, true, &temperature, &mut diags);
        for k in &m.kinds {
            check_plan(model, &k.plan, false, &temperature, &mut diags);
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

/// The node or attachment whose mechanism holds an instance, if any.
fn owner(ir: &Ir, nodes: &Nodes, mut inst: InstId) -> Option<InstId> {
    loop {
        if nodes.model_of.contains_key(&inst) || nodes.kind_of.contains_key(&inst) {
            return Some(inst);
        }
        inst = ir.inst(inst).parent?;
    }
}

/// Whether an event stays inside one mechanism (a spikeArray's spikes to the array, a
/// synapse's relay to its plasticity child): the plan inlines it.
pub fn internal(ir: &Ir, nodes: &Nodes, source: InstId, receiver: InstId) -> bool {
    match (owner(ir, nodes, source), owner(ir, nodes, receiver)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Gap junctions and graded synapses couple cells continuously: NEST has no such coupling
/// for arbitrary models.
fn refuse_continuous_couplings(model: &Model, ir: &Ir) -> Vec<Diagnostic> {
    let mut seen = BTreeSet::new();
    let mut diags = Vec::new();
    for t in &ir.tunnels {
        if !seen.insert(t.made_by) {
            continue;
        }
        let c = model.component(t.made_by);
        diags.push(
            Diagnostic::at(
                c.name_span,
                "the NEST target cannot run continuous couplings between cells (gap junctions, \
                 graded/analog synapses): NEST connects its nodes by spikes only",
            )
            .with_note("use --target native or --target neuron for this model"),
        );
    }
    diags
}

/// The cell's derived variables that sum its attachments (`select="synapses[*]/i"`).
fn attachment_sums(model: &Model, comp: CompId) -> Vec<AttachmentSum> {
    let ty = model.ty(model.component(comp).type_id);
    let sets: BTreeSet<&str> = ty.attachments.iter().map(|a| a.name.as_str()).collect();
    let mut out = Vec::new();
    for d in &ty.dynamics.derived_variables {
        let TypeDerived::Select { select, .. } = &d.value else {
            continue;
        };
        let parts: Vec<&str> = select.split('/').filter(|p| !p.is_empty()).collect();
        if parts.len() != 2 {
            continue;
        }
        let slot = parts[0].trim_end_matches("[*]");
        if sets.contains(slot) {
            out.push(AttachmentSum {
                derived: d.q.name.clone(),
                slot: slot.to_string(),
                var: parts[1].to_string(),
            });
        }
    }
    out
}

fn choose_mode(kind: &AttachmentKind, sums: &[AttachmentSum]) -> Mode {
    let read: Vec<&str> = sums
        .iter()
        .filter(|s| s.slot == kind.slot)
        .map(|s| s.var.as_str())
        .collect();
    if linear_homogeneous(&kind.plan, &read) {
        return Mode::Folded;
    }
    let random = kind.plan.derived.iter().any(|d| match &d.value {
        DerivedValue::Value(e) => uses_random(e),
        DerivedValue::Cases(c) => c
            .iter()
            .any(|(k, v)| k.as_ref().is_some_and(uses_random) || uses_random(v)),
    }) || kind.plan.rates.iter().any(|r| uses_random(&r.value))
        || kind.plan.on_start.iter().any(|a| uses_random(&a.value))
        || kind.plan.conditions.iter().any(|c| {
            uses_random(&c.test) || c.actions.assigns.iter().any(|a| uses_random(&a.value))
        });
    if !kind.receives && !random && kind.plan.properties.is_empty() {
        return Mode::Scaled;
    }
    Mode::Single
}

/// Degree of an expression in the plan's states: no state, exactly one state factor in
/// every term, or anything else.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Degree {
    Zero,
    One,
    Other,
}

struct Degrees<'a> {
    plan: &'a MechanismPlan,
    states: BTreeSet<&'a str>,
    /// Properties (the connection's weight) make an expression "other": they may only
    /// appear in event handlers.
    properties: BTreeSet<&'a str>,
}

impl Degrees<'_> {
    fn of(&self, e: &MExpr, depth: usize) -> Degree {
        use Degree::*;
        if depth > 64 {
            return Other;
        }
        match e {
            MExpr::Num(_) | MExpr::Ext(_) | MExpr::Time => Zero,
            MExpr::Random(_) => Other,
            MExpr::Var(n) if self.states.contains(n.as_str()) => One,
            MExpr::Var(n) if self.properties.contains(n.as_str()) => Other,
            MExpr::Var(n) => match self.plan.derived.iter().find(|d| &d.name == n) {
                Some(d) => match &d.value {
                    DerivedValue::Value(x) => self.of(x, depth + 1),
                    DerivedValue::Cases(cases) => {
                        let all_zero = cases.iter().all(|(c, v)| {
                            c.as_ref().is_none_or(|c| self.of(c, depth + 1) == Zero)
                                && self.of(v, depth + 1) == Zero
                        });
                        if all_zero {
                            Zero
                        } else {
                            Other
                        }
                    }
                },
                None => Zero,
            },
            MExpr::Neg(x) => self.of(x, depth + 1),
            MExpr::Not(x) | MExpr::Call(_, x) => match self.of(x, depth + 1) {
                Zero => Zero,
                _ => Other,
            },
            MExpr::Bin(op, l, r) => {
                let (l, r) = (self.of(l, depth + 1), self.of(r, depth + 1));
                match op {
                    BinOp::Add | BinOp::Sub => match (l, r) {
                        (Zero, Zero) => Zero,
                        (One, One) => One,
                        _ => Other,
                    },
                    BinOp::Mul => match (l, r) {
                        (Zero, x) | (x, Zero) => x,
                        _ => Other,
                    },
                    BinOp::Div => match r {
                        Zero => l,
                        _ => Other,
                    },
                    _ => match (l, r) {
                        (Zero, Zero) => Zero,
                        _ => Other,
                    },
                }
            }
        }
    }
}

/// Whether instances of `plan` may be summed into one: see [`Mode::Folded`]. `read` are the
/// variables the cell sums.
fn linear_homogeneous(plan: &MechanismPlan, read: &[&str]) -> bool {
    if plan.regimes.is_some() || !plan.conditions.is_empty() || !plan.kinetic.is_empty() {
        return false;
    }
    let d = Degrees {
        plan,
        states: plan.states.iter().map(|s| s.name.as_str()).collect(),
        properties: plan.properties.iter().map(|p| p.name.as_str()).collect(),
    };
    let homogeneous = |e: &MExpr| d.of(e, 0) == Degree::One || *e == MExpr::Num(0.0);
    if !plan.rates.iter().all(|r| homogeneous(&r.value)) {
        return false;
    }
    if !read.iter().all(|v| homogeneous(&MExpr::Var(v.to_string()))) {
        return false;
    }
    if !plan
        .on_start
        .iter()
        .all(|a| matches!(a.value, MExpr::Num(x) if x == 0.0))
    {
        return false;
    }
    // Events only add a state-free amount to a state (the weight may appear there).
    let handler_degrees = Degrees {
        plan,
        states: d.states.clone(),
        properties: plan
            .properties
            .iter()
            .map(|p| p.name.as_str())
            .filter(|p| *p != WEIGHT)
            .collect(),
    };
    plan.on_events.iter().all(|h| {
        h.regime.is_none()
            && h.actions.event_outs.is_empty()
            && h.actions.transition.is_none()
            && h.actions.assigns.iter().all(|a| match &a.value {
                MExpr::Bin(BinOp::Add, l, r) => {
                    let (state, inc) = match (&**l, &**r) {
                        (MExpr::Var(s), inc) if *s == a.var => (s, inc),
                        (inc, MExpr::Var(s)) if *s == a.var => (s, inc),
                        _ => return false,
                    };
                    d.states.contains(state.as_str()) && handler_degrees.of(inc, 0) == Degree::Zero
                }
                _ => false,
            })
    })
}

/// The simulation's temperature: a network's fixed parameter, or not.
struct Temperature {
    fixed: bool,
    /// The simulation's target component, named for the error.
    root: String,
}

/// What a plan may read and call in NEST: the cell's own voltage and the temperature.
fn check_plan(
    model: &Model,
    plan: &MechanismPlan,
    is_cell: bool,
    temperature: &Temperature,
    diags: &mut Vec<Diagnostic>,
) {
    let span: Span = model.component(plan.component).name_span;
    for ext in &plan.externals {
        if *ext == External::Temperature && !temperature.fixed {
            diags.push(
                Diagnostic::at(
                    span,
                    format!(
                        "this component reads the temperature, and the simulation's target {} \
                         gives none as a fixed parameter (a network's `temperature`): the NEST \
                         target cannot follow a temperature with dynamics of its own",
                        temperature.root
                    ),
                )
                .with_note(
                    "a NEST node takes the temperature as a parameter; following a changing \
                     one would mean copying the target's dynamics into every node, with the \
                     step-late copies jLEMS makes for each child that requires it. The native \
                     target runs this model",
                ),
            );
            return;
        }
        let ok = match ext {
            External::Voltage => !is_cell,
            External::Temperature => true,
            _ => false,
        };
        if !ok {
            diags.push(Diagnostic::at(
                span,
                format!(
                    "the NEST target cannot provide {} to this component (NEST nodes are \
                     point neurons without ion pools, areas or peers)",
                    describe(ext)
                ),
            ));
            return;
        }
    }
    let mut exprs: Vec<&MExpr> = Vec::new();
    for d in &plan.derived {
        match &d.value {
            DerivedValue::Value(e) => exprs.push(e),
            DerivedValue::Cases(c) => {
                for (k, v) in c {
                    exprs.extend(k.iter());
                    exprs.push(v);
                }
            }
        }
    }
    exprs.extend(plan.rates.iter().map(|r| &r.value));
    for e in exprs {
        if let Some(f) = unsupported_function(e) {
            diags.push(Diagnostic::at(
                span,
                format!("the NEST target has no '{}' function for NESTML", f.name()),
            ));
            return;
        }
    }
}

fn describe(ext: &External) -> String {
    match ext {
        External::Voltage => "a membrane voltage".into(),
        External::Temperature => "the temperature".into(),
        External::ConcentrationIn(i) => format!("the inner {i} concentration"),
        External::ConcentrationOut(i) => format!("the outer {i} concentration"),
        External::IonCurrent(i) => format!("the {i} current"),
        External::Area => "a membrane area".into(),
        External::PeerVoltage => "a peer's voltage (gap junction, graded synapse)".into(),
    }
}
