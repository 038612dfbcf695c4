//! The state and parameter blocks of a node model, with the initial values jLEMS computes
//! (see [`init`](super::super::init)) and the exact values the script sets with
//! `nest.SetDefaults`.

use std::collections::{BTreeMap, BTreeSet};

use crate::passes::mechanism::{eval_const, DerivedValue, MExpr, MechanismPlan, REGIME_VAR};

use super::super::expr::{number, Spelling};
use super::super::init::{initialise, Env};
use super::super::nodes::NodeModel;
use super::idents::Idents;
use super::spell::Spell;

/// The lines of the state and parameter blocks, and the exact value of each.
#[derive(Default)]
pub(super) struct Declarations {
    pub state: Vec<String>,
    pub parameters: Vec<String>,
    /// Exact values of every parameter and initial state (NESTML's literals keep 8 digits).
    pub defaults: Vec<(String, f64)>,
}

impl Declarations {
    /// A real state `id` starting at `v`.
    pub fn real_state(&mut self, id: &str, v: f64) {
        self.state.push(format!("{id} real = {}", number(v)));
        self.defaults.push((id.to_string(), v));
    }

    /// A real parameter `id` of value `v`.
    pub fn real_parameter(&mut self, id: &str, v: f64) {
        self.parameters.push(format!("{id} real = {}", number(v)));
        self.defaults.push((id.to_string(), v));
    }
}

/// Initial values of the cell and of each attachment kind, as jLEMS computes them.
pub(super) struct InitialValues {
    pub cell: Env,
    pub kinds: Vec<Env>,
    /// The cell's initial membrane potential, which the attachments read.
    pub voltage: Option<f64>,
}

impl InitialValues {
    pub fn compute(m: &NodeModel, temperature: Option<f64>) -> InitialValues {
        let mut cell = Env {
            temperature,
            ..Env::default()
        };
        for p in m.cell.params.iter().chain(&m.cell.properties) {
            cell.values.insert(p.name.clone(), p.value);
        }
        initialise(&m.cell, &mut cell);
        let voltage = m
            .cell
            .states
            .iter()
            .find(|s| s.is_voltage)
            .and_then(|s| cell.values.get(&s.name).copied());
        let mut kinds = Vec::new();
        for kind in &m.kinds {
            let mut env = Env {
                temperature,
                voltage,
                ..Env::default()
            };
            for p in kind.plan.params.iter().chain(&kind.plan.properties) {
                env.values.insert(p.name.clone(), p.value);
            }
            initialise(&kind.plan, &mut env);
            kinds.push(env);
        }
        InitialValues {
            cell,
            kinds,
            voltage,
        }
    }
}

/// The declarations of the whole node: the generator's own variables, the cell (with the
/// exposed copies of its states), then each attachment kind (with its per-node count).
pub(super) fn declare_node(
    m: &NodeModel,
    idents: &Idents,
    initial: &InitialValues,
    step: f64,
    temperature: Option<f64>,
) -> Declarations {
    let mut decl = Declarations::default();
    decl.state.push("t_lems real = 0.0".to_string());
    decl.real_parameter("lems_dt", step);
    if let Some(t) = temperature {
        decl.real_parameter("temperature", t);
    }
    let cell = &initial.cell;
    declare(
        &m.cell,
        cell,
        &idents.cell_spell(),
        &mut decl,
        &m.sum_names(),
    );
    for s in &m.cell.states {
        if let Some(copy) = idents.exposed.get(&s.name) {
            decl.real_state(copy, cell.values.get(&s.name).copied().unwrap_or(0.0));
        }
    }
    for (k, kind) in m.kinds.iter().enumerate() {
        let spell = idents.kind_spell(k);
        declare(
            &kind.plan,
            &initial.kinds[k],
            &spell,
            &mut decl,
            &BTreeSet::new(),
        );
        if let Some(c) = idents.count_param.get(&k) {
            decl.parameters.push(format!("{c} real = 0.0"));
        }
    }
    decl
}

/// State and parameter declarations of one plan.
fn declare(
    plan: &MechanismPlan,
    env: &Env,
    spell: &Spell,
    decl: &mut Declarations,
    variable: &BTreeSet<String>,
) {
    for p in plan.params.iter().chain(&plan.properties) {
        decl.real_parameter(&spell.var(&p.name), p.value);
    }
    if let Some(r) = &plan.regimes {
        decl.state
            .push(format!("{} integer = {}", spell.var(&r.var), r.initial));
    }
    let constants = constant_derived(plan, variable);
    for (name, v) in &constants {
        decl.real_parameter(&spell.var(name), *v);
    }
    // A name can be a state and a derived variable at once (pinskyRinzelCA3Cell's Sisat): one
    // variable, which the derived value overwrites each step, as in jLEMS.
    let mut seen = BTreeSet::new();
    let names = plan
        .states
        .iter()
        .filter(|s| s.name != REGIME_VAR)
        .map(|s| &s.name)
        .chain(
            plan.derived
                .iter()
                .filter(|d| !constants.contains_key(&d.name))
                .map(|d| &d.name),
        )
        .filter(|n| seen.insert(n.to_string()));
    for name in names {
        let v = env.values.get(name).copied().unwrap_or(0.0);
        if env.is_random(name) {
            // NESTML draws random numbers only in update blocks: such initial values are
            // drawn at the first step (`lems_started`), before anything else.
            decl.state.push(format!("{} real = 0.0", spell.var(name)));
        } else {
            decl.real_state(&spell.var(name), v);
        }
    }
}

/// The derived variables of `plan` that depend on parameters only (morphology, reversal
/// potentials...), with their values: the model holds them as parameters.
/// `variable` names derived variables that are not constants whatever the plan says (a
/// cell's sums over its attachments, which the plan cannot see).
pub fn constant_derived(
    plan: &MechanismPlan,
    variable: &BTreeSet<String>,
) -> BTreeMap<String, f64> {
    // Properties differ per node: what reads one is not a constant.
    let mut fixed = plan.clone();
    fixed.properties.clear();
    for d in &mut fixed.derived {
        if variable.contains(&d.name) {
            d.value = DerivedValue::Value(MExpr::Time);
        }
    }
    plan.derived
        .iter()
        .filter_map(|d| {
            let v = eval_const(&fixed, &MExpr::Var(d.name.clone()))?;
            Some((d.name.clone(), v))
        })
        .collect()
}

/// The value of each cell derived variable that sums attachments: the kinds' variables, a
/// kind that is not folded times its per-node count.
pub(super) fn sum_values(m: &NodeModel, idents: &Idents) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in &m.sums {
        let mut terms = Vec::new();
        for (k, kind) in m.kinds.iter().enumerate() {
            if kind.slot != s.slot {
                continue;
            }
            let Some(flat) = kind.plan.names.get(&(kind.plan.root, s.var.clone())) else {
                continue;
            };
            let id = &idents.kinds[&(k, flat.clone())];
            match idents.count_param.get(&k) {
                Some(c) => terms.push(format!("{c} * {id}")),
                None => terms.push(id.clone()),
            }
        }
        let value = if terms.is_empty() {
            "0.0".to_string()
        } else {
            terms.join(" + ")
        };
        out.insert(s.derived.clone(), value);
    }
    out
}
