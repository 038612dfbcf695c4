//! The stepping part of the update block: the LEMS time advances, then each attachment kind
//! and then the cell compute their derived values, rates outside regimes, conditions and
//! active regime (see the module doc of [`super`]); children that read the cell's `v` a few
//! steps late read kept copies of it (see [`lags`](super::super::lags)).

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::Ir;
use crate::model::Model;
use crate::passes::mechanism::{Actions, DerivedValue, MExpr, MechanismPlan};

use super::super::expr::{boolean, print, Spelling};
use super::super::lags;
use super::super::names::NameTable;
use super::super::nodes::{AttachmentKind, Mode, NodeModel};
use super::declare::{constant_derived, sum_values, Declarations};
use super::idents::Idents;
use super::spell::{replace_external_voltage, replace_var, RawSpell, Spell};

/// [`Lagged::voltage`] of an attachment, which reads the cell's v as an external.
const EXTERNAL_VOLTAGE: &str = "\u{0}external v";

/// Past values of the cell's `v` that its children read (see [`lags`]).
#[derive(Default)]
struct Lagged {
    /// Flat name of the cell's `v` ([`EXTERNAL_VOLTAGE`] in an attachment).
    voltage: Option<String>,
    lags: BTreeMap<String, usize>,
    /// `history[k - 2]` holds v_{n-k} at the start of step n.
    history: Vec<String>,
    /// The local holding v at the start of the step.
    start: String,
}

/// The update block after the arrivals: time, the attachment kinds, the cell, and the
/// shift of the kept past values of `v`. `v0` is the cell's initial `v`.
pub(super) fn stepping_lines(
    model: &Model,
    ir: &Ir,
    m: &NodeModel,
    idents: &Idents,
    v0: Option<f64>,
    decl: &mut Declarations,
    names: &mut NameTable,
) -> Vec<String> {
    let mut update = vec!["t_lems += lems_dt".to_string()];
    // Past values of v for the children (of the cell and of its synapses) that read it a few
    // steps late (see `lags`).
    let mut lagged = Lagged::default();
    let kind_lags: Vec<BTreeMap<String, usize>> = m
        .kinds
        .iter()
        .map(|k| lags::attachment_voltage_lags(model, ir, &k.plan))
        .collect();
    let v_state = m.cell.states.iter().find(|s| s.is_voltage);
    if let Some(v) = v_state.map(|s| s.name.clone()) {
        lagged.lags = lags::voltage_lags(model, ir, &m.cell);
        let deepest = lagged
            .lags
            .values()
            .chain(kind_lags.iter().flat_map(|l| l.values()))
            .copied()
            .max()
            .unwrap_or(0);
        let v_id = idents.cell[&v].clone();
        let v0 = v0.unwrap_or(0.0);
        for k in 2..=deepest {
            let h = names.fresh(&format!("{v_id}__lag{k}"));
            decl.real_state(&h, v0);
            lagged.history.push(h);
        }
        if !lagged.history.is_empty() {
            let start = names.fresh(&format!("{v_id}__at_start"));
            update.push(format!("{start} real = {v_id}"));
            lagged.voltage = Some(v);
            lagged.start = start;
        }
    }
    for (k, kind) in m.kinds.iter().enumerate() {
        update.push(format!("# {} ({})", kind.label, mode_text(kind)));
        // The attachment reads the cell's v as an external: its children, older copies.
        let kind_lagged = Lagged {
            voltage: lagged
                .voltage
                .as_ref()
                .map(|_| EXTERNAL_VOLTAGE.to_string()),
            lags: kind_lags[k].clone(),
            history: lagged.history.clone(),
            start: lagged.start.clone(),
        };
        let part = Part {
            plan: &kind.plan,
            spell: &idents.kind_spell(k),
            sums: &BTreeMap::new(),
            exposed: None,
            lagged: &kind_lagged,
        };
        part.step_lines(&mut update, names);
    }
    let sums = sum_values(m, idents);
    update.push("# the cell".to_string());
    let cell = Part {
        plan: &m.cell,
        spell: &idents.cell_spell(),
        sums: &sums,
        exposed: Some(&idents.exposed),
        lagged: &lagged,
    };
    cell.step_lines(&mut update, names);
    for k in (1..lagged.history.len()).rev() {
        update.push(format!("{} = {}", lagged.history[k], lagged.history[k - 1]));
    }
    if let Some(first) = lagged.history.first() {
        update.push(format!("{first} = {}", lagged.start));
    }
    update
}

fn mode_text(kind: &AttachmentKind) -> &'static str {
    match kind.mode {
        Mode::Folded => "every instance on the cell summed into one",
        Mode::Scaled => "identical copies: one, times the count",
        Mode::Single => "at most one per cell",
    }
}

/// One plan of the node (an attachment kind or the cell) and what its step reads.
struct Part<'a> {
    plan: &'a MechanismPlan,
    spell: &'a Spell<'a>,
    /// The cell's derived variables that sum attachments, with their values.
    sums: &'a BTreeMap<String, String>,
    /// The cell's exposed copies of its states (a cell with regimes).
    exposed: Option<&'a BTreeMap<String, String>>,
    lagged: &'a Lagged,
}

impl Part<'_> {
    /// `e`, read by `owner`, with the cell's `v` replaced by the past copy `owner` reads.
    fn lag(&self, owner: &str, e: &MExpr) -> MExpr {
        let lagged = self.lagged;
        match (&lagged.voltage, lags::lag_of(&lagged.lags, owner)) {
            (Some(v), Some(k)) if v == EXTERNAL_VOLTAGE => {
                replace_external_voltage(e, &lagged.history[k - 2])
            }
            (Some(v), Some(k)) => replace_var(e, v, &lagged.history[k - 2]),
            _ => e.clone(),
        }
    }

    /// The plan's step: derived values, rates, conditions and regimes (see the module doc).
    fn step_lines(&self, out: &mut Vec<String>, names: &mut NameTable) {
        let plan = self.plan;
        let raw_spell = RawSpell { inner: self.spell };
        let spell: &dyn Spelling = &raw_spell;
        self.derived_lines(spell, out);
        // Rates outside regimes, all from the state at the start of the step.
        let mut pending = Vec::new();
        for r in plan.rates.iter().filter(|r| r.regime.is_none()) {
            let local = names.fresh(&format!("rate__{}", spell.var(&r.state)));
            out.push(format!(
                "{local} real = {}",
                print(&self.lag(&r.state, &r.value), spell)
            ));
            pending.push((spell.var(&r.state), local));
        }
        for (state, local) in pending {
            out.push(format!("{state} += lems_dt * {local}"));
        }
        let entries = plan.regimes.as_ref().map(|r| r.on_entry.clone());
        let regime_var = plan.regimes.as_ref().map(|r| spell.var(&r.var));
        let transitions = Transitions {
            entries: entries.as_deref(),
            regime_var: regime_var.as_deref(),
        };
        for c in plan.conditions.iter().filter(|c| c.regime.is_none()) {
            let mut body = Vec::new();
            transitions.action_lines(&c.actions, spell, None, "    ", &mut body);
            if !body.is_empty() {
                out.push(format!("if {}:", boolean(&c.test, spell)));
                out.extend(body);
            }
        }
        if let Some(exposed) = self.exposed {
            for s in &plan.states {
                if let Some(copy) = exposed.get(&s.name) {
                    out.push(format!("{copy} = {}", spell.var(&s.name)));
                }
            }
        }
        let (Some(regimes), Some(reg)) = (&plan.regimes, regime_var.as_deref()) else {
            return;
        };
        // The regime's rates one after the other, then its conditions; a transition does not
        // stop the old regime's later conditions from being tested in this pass.
        let before = names.fresh(&format!("{reg}__before"));
        out.push(format!("{before} integer = {reg}"));
        for k in 0..regimes.names.len() {
            let rates: Vec<_> = plan.rates.iter().filter(|r| r.regime == Some(k)).collect();
            if rates.is_empty() {
                continue;
            }
            out.push(format!("if {reg} == {k}:"));
            for r in rates {
                out.push(format!(
                    "    {} += lems_dt * ({})",
                    spell.var(&r.state),
                    print(&r.value, spell)
                ));
            }
        }
        for c in &plan.conditions {
            let Some(k) = c.regime else { continue };
            let mut body = Vec::new();
            transitions.action_lines(&c.actions, spell, None, "    ", &mut body);
            if !body.is_empty() {
                out.push(format!(
                    "if {before} == {k} and {}:",
                    boolean(&c.test, spell)
                ));
                out.extend(body);
            }
        }
    }

    /// The derived values that are not constants, in the plan's order.
    fn derived_lines(&self, spell: &dyn Spelling, out: &mut Vec<String>) {
        let sum_names: BTreeSet<String> = self.sums.keys().cloned().collect();
        let constants = constant_derived(self.plan, &sum_names);
        for d in &self.plan.derived {
            if constants.contains_key(&d.name) {
                continue;
            }
            let id = spell.var(&d.name);
            if let Some(sum) = self.sums.get(&d.name) {
                out.push(format!("{id} = {sum}"));
                continue;
            }
            let lag = |e: &MExpr| self.lag(&d.name, e);
            match &d.value {
                DerivedValue::Value(e) => out.push(format!("{id} = {}", print(&lag(e), spell))),
                DerivedValue::Cases(cases) => {
                    // No case holding gives 0, as in jLEMS.
                    let mut first = true;
                    let mut default = None;
                    for (cond, value) in cases {
                        match cond {
                            Some(c) => {
                                let kw = if first { "if" } else { "elif" };
                                out.push(format!("{kw} {}:", boolean(&lag(c), spell)));
                                out.push(format!("    {id} = {}", print(&lag(value), spell)));
                                first = false;
                            }
                            None => {
                                default = Some(value);
                                break;
                            }
                        }
                    }
                    let default = default
                        .map(|v| print(&lag(v), spell))
                        .unwrap_or_else(|| "0.0".into());
                    if first {
                        out.push(format!("{id} = {default}"));
                    } else {
                        out.push("else:".into());
                        out.push(format!("    {id} = {default}"));
                    }
                }
            }
        }
    }
}

/// What a transition needs: each regime's OnEntry and the variable holding the regime.
#[derive(Clone, Copy)]
pub(super) struct Transitions<'a> {
    pub entries: Option<&'a [Actions]>,
    pub regime_var: Option<&'a str>,
}

impl Transitions<'_> {
    /// Assignments, spikes and transitions (with the entered regime's OnEntry). `weight`,
    /// `(flat name, NESTML text)`, reads a received weight in place of the variable.
    pub fn action_lines(
        self,
        a: &Actions,
        spell: &dyn Spelling,
        weight: Option<(&str, &str)>,
        indent: &str,
        out: &mut Vec<String>,
    ) {
        for assign in &a.assigns {
            let value = match weight {
                Some((flat, replacement)) => {
                    print(&replace_var(&assign.value, flat, replacement), spell)
                }
                None => print(&assign.value, spell),
            };
            out.push(format!("{indent}{} = {value}", spell.var(&assign.var)));
        }
        if !a.event_outs.is_empty() && spell.emits() {
            out.push(format!("{indent}emit_spike()"));
        }
        if let (Some(k), Some(reg)) = (a.transition, self.regime_var) {
            out.push(format!("{indent}{reg} = {k}"));
            if let Some(entry) = self.entries.and_then(|e| e.get(k)) {
                // An OnEntry runs no further transition.
                let none = Transitions {
                    entries: None,
                    regime_var: None,
                };
                none.action_lines(entry, spell, weight, indent, out);
            }
        }
    }
}
