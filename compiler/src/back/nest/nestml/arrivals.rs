//! The start of the update block: the spikes that arrived for this step run their OnEvent
//! handlers before anything advances, as jLEMS delivers its events at the start of a step
//! (docs/nest-target.md §3). NEST adds the weights of one step's spikes on one port: a
//! handler runs once when any arrived (connections to non-folded blocks and to the cell carry
//! weight 1). Spikes on a delayed port (see [`delays`]) are held a step when jLEMS's due time
//! is not reached yet.

use std::collections::BTreeMap;

use crate::passes::mechanism::MechanismPlan;

use super::super::delays::{self, PortKey};
use super::super::expr::Spelling;
use super::super::names::NameTable;
use super::super::nodes::{Mode, NodeModel, WEIGHT};
use super::declare::Declarations;
use super::idents::Idents;
use super::spell::{RawSpell, Spell};
use super::step::Transitions;

/// The arrival lines of every input port of the node, after the clocks of the delayed ones.
pub(super) fn arrival_lines(
    m: &NodeModel,
    idents: &Idents,
    step: f64,
    decl: &mut Declarations,
    names: &mut NameTable,
) -> Vec<String> {
    let mut arrivals = Vec::new();
    let mut due = Due {
        delayed_ports: &idents.delayed_ports,
        sent_times: BTreeMap::new(),
        step,
    };
    let mut port_list: Vec<(PortKey, &String)> = idents
        .kind_ports
        .iter()
        .map(|((k, port), p)| ((Some(*k), port.clone()), p))
        .collect();
    port_list.extend(
        idents
            .cell_ports
            .iter()
            .map(|(port, p)| ((None, port.clone()), p)),
    );
    for (key, nest_port) in port_list {
        let weight_var = names.fresh(&format!("{nest_port}__weight"));
        let mut body = Vec::new();
        match key.0 {
            Some(k) => {
                let kind = &m.kinds[k];
                // A folded kind adds the received weight where its handlers read `weight`.
                let weight = (kind.mode == Mode::Folded)
                    .then(|| kind.plan.properties.iter().find(|p| p.name == WEIGHT))
                    .flatten()
                    .map(|p| (p.name.as_str(), weight_var.as_str()));
                let spell = idents.kind_spell(k);
                handler_lines(&kind.plan, &key.1, &spell, weight, &mut body);
            }
            None => handler_lines(&m.cell, &key.1, &idents.cell_spell(), None, &mut body),
        }
        if body.is_empty() {
            continue;
        }
        arrivals.push(format!("{weight_var} real = {nest_port} * 1 s"));
        due.lines(&key, &weight_var, names, decl, &mut arrivals);
        arrivals.push(format!("if {weight_var} != 0.0:"));
        arrivals.extend(body.into_iter().map(|l| format!("    {l}")));
    }
    // Before the arrivals: the times their delayed spikes were sent.
    let mut clocks = Vec::new();
    if !due.sent_times.is_empty() {
        decl.state.push("lems_step integer = 0".into());
        clocks.push("lems_step += 1".to_string());
        for (k, sent) in &due.sent_times {
            clocks.push(format!("if lems_step > {k}:"));
            clocks.push(format!("    {sent} += lems_dt"));
        }
    }
    clocks.extend(arrivals);
    clocks
}

/// The OnEvent handlers of `plan` for in-port `port`.
fn handler_lines(
    plan: &MechanismPlan,
    port: &str,
    spell: &Spell,
    weight: Option<(&str, &str)>,
    out: &mut Vec<String>,
) {
    let entries = plan.regimes.as_ref().map(|r| r.on_entry.clone());
    let reg = plan.regimes.as_ref().map(|r| spell.var(&r.var));
    let weighted = RawSpell { inner: spell };
    let transitions = Transitions {
        entries: entries.as_deref(),
        regime_var: reg.as_deref(),
    };
    for h in plan.on_events.iter().filter(|h| h.port == port) {
        match (h.regime, &reg) {
            (Some(k), Some(r)) => {
                let mut body = Vec::new();
                transitions.action_lines(&h.actions, &weighted, weight, "    ", &mut body);
                if !body.is_empty() {
                    out.push(format!("if {r} == {k}:"));
                    out.extend(body);
                }
            }
            _ => transitions.action_lines(&h.actions, &weighted, weight, "", out),
        }
    }
}

/// The due-time check of the delayed ports (see [`delays`]).
struct Due<'a> {
    delayed_ports: &'a BTreeMap<(PortKey, u64), String>,
    /// Per delay in steps k, the state holding `t` of k steps ago (when spikes of that
    /// delay arriving now were sent).
    sent_times: BTreeMap<u64, String>,
    step: f64,
}

impl Due<'_> {
    /// Adds to `weight_var` what the delayed ports of `key` deliver at this step: a spike
    /// held from the last step, and one arriving now if jLEMS's sum `t_s + delay` is
    /// reached by this step's time (else it is held for the next step).
    fn lines(
        &mut self,
        key: &PortKey,
        weight_var: &str,
        names: &mut NameTable,
        decl: &mut Declarations,
        out: &mut Vec<String>,
    ) {
        for ((k2, bits), port) in self.delayed_ports {
            if k2 != key {
                continue;
            }
            let delay = f64::from_bits(*bits);
            let k = delays::steps(delay, self.step);
            let sent = self
                .sent_times
                .entry(k)
                .or_insert_with(|| names.fresh(&format!("t_lems__{k}_steps_ago")))
                .clone();
            if !decl
                .state
                .iter()
                .any(|l| l.starts_with(&format!("{sent} ")))
            {
                decl.state.push(format!("{sent} real = 0.0"));
            }
            let held = names.fresh(&format!("{port}__held"));
            decl.state.push(format!("{held} real = 0.0"));
            let delay_param = names.fresh(&format!("{port}__delay"));
            decl.real_parameter(&delay_param, delay);
            let arrived = names.fresh(&format!("{port}__arrived"));
            out.push(format!("{weight_var} += {held}"));
            out.push(format!("{held} = 0.0"));
            out.push(format!("{arrived} real = {port} * 1 s"));
            out.push(format!("if t_lems + lems_dt >= {sent} + {delay_param}:"));
            out.push(format!("    {weight_var} += {arrived}"));
            out.push("else:".to_string());
            out.push(format!("    {held} = {arrived}"));
        }
    }
}
