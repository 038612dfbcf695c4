//! One [`NodeModel`] printed as a NESTML model through
//! `codegen-templates/nest/model.nestml.tera`.
//!
//! The update block is jLEMS's step written out (docs/jlems-semantics.md §4): the spikes
//! that arrived for this step run their handlers first (jLEMS delivers events at the start
//! of a step, §6; NEST has summed them into the input ports before the update block), then
//! the LEMS time `t_lems` advances; each attachment block, then the cell, computes its derived
//! values, applies its rates outside regimes all from the same state, tests its conditions
//! against the new state, and then runs the active regime (rates one after the other,
//! conditions, transitions with OnEntry). A cell with regimes keeps a copy of its states
//! taken before the regime part (`<x>__exposed`): that is what jLEMS records and what its
//! synapses read, one step behind the regime's changes (§4.4). No `onReceive` block is
//! used: NESTML runs those after the update block, a step later than jLEMS.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::ir::Ir;
use crate::model::Model;
use crate::passes::mechanism::{
    eval_const, Actions, DerivedValue, External, MExpr, MechanismPlan, REGIME_VAR,
};

use super::delays::{self, PortKey};
use super::expr::{boolean, number, print, Spelling};
use super::init::{initialise, Env};
use super::lags;
use super::names::NameTable;
use super::nodes::{AttachmentKind, Mode, NodeModel, WEIGHT};

const TEMPLATE: &str = include_str!("../../../../codegen-templates/nest/model.nestml.tera");

/// A printed model and the names the script needs.
#[derive(Clone, Debug)]
pub struct ModelFile {
    pub name: String,
    pub file_name: String,
    pub text: String,
    /// NESTML name of each cell flat name, and of each kind's (kind index, flat name).
    pub cell_idents: BTreeMap<String, String>,
    pub kind_idents: BTreeMap<(usize, String), String>,
    /// The state recorded for a cell state (its exposed copy in a cell with regimes).
    pub recorded: BTreeMap<String, String>,
    /// Per-node parameter of each kind in [`Mode::Scaled`] or [`Mode::Single`]: its count.
    pub count_param: BTreeMap<usize, String>,
    /// NEST port name of each (kind, in-port), and of each cell in-port.
    pub kind_ports: BTreeMap<(usize, String), String>,
    pub cell_ports: BTreeMap<String, String>,
    /// NEST port of the connections of one checked delay (`f64::to_bits`) to a port.
    pub delayed_ports: BTreeMap<(PortKey, u64), String>,
    /// Parameters (NESTML names) the script sets per node: a Single kind's properties.
    pub node_properties: Vec<(usize, String, String)>,
    /// Exact values of every parameter and initial state, which the script sets with
    /// `nest.SetDefaults` (NESTML's literals keep 8 digits).
    pub defaults: Vec<(String, f64)>,
}

#[derive(Serialize)]
struct View {
    title: String,
    name: String,
    state: Vec<String>,
    parameters: Vec<String>,
    inputs: Vec<String>,
    update: Vec<String>,
}

/// Prints node model `m`; `step` is the simulation's step (s), `temperature` the network's (K).
pub fn model_file(
    model: &Model,
    ir: &Ir,
    m: &NodeModel,
    step: f64,
    temperature: Option<f64>,
    checked_delays: &BTreeMap<PortKey, BTreeSet<u64>>,
) -> Result<ModelFile, Vec<Diagnostic>> {
    let mut names = NameTable::default();
    // The generator's own names first, so model names step aside.
    for own in ["t_lems", "lems_dt", "temperature", "lems_started"] {
        names.fresh(own);
    }
    let mut cell_idents = BTreeMap::new();
    for flat in plan_names(&m.cell) {
        let id = if flat == REGIME_VAR {
            names.fresh("regime")
        } else {
            names.ident(&flat)
        };
        cell_idents.insert(flat, id);
    }
    let mut kind_idents = BTreeMap::new();
    for (k, kind) in m.kinds.iter().enumerate() {
        for flat in plan_names(&kind.plan) {
            let raw = if flat == REGIME_VAR {
                format!("{}/regime", kind.label)
            } else {
                format!("{}/{flat}", kind.label)
            };
            kind_idents.insert((k, flat), names.fresh(&raw.replace('/', "__")));
        }
    }
    let has_regimes = m.cell.regimes.is_some();
    let mut recorded = BTreeMap::new();
    let mut exposed = BTreeMap::new();
    for s in m.cell.states.iter().filter(|s| s.name != REGIME_VAR) {
        let id = &cell_idents[&s.name];
        if has_regimes {
            let copy = names.fresh(&format!("{id}__exposed"));
            exposed.insert(s.name.clone(), copy.clone());
            recorded.insert(s.name.clone(), copy);
        } else {
            recorded.insert(s.name.clone(), id.clone());
        }
    }
    let mut count_param = BTreeMap::new();
    let mut kind_ports = BTreeMap::new();
    let mut node_properties = Vec::new();
    for (k, kind) in m.kinds.iter().enumerate() {
        if kind.mode != Mode::Folded {
            count_param.insert(k, names.fresh(&format!("{}__count", kind.label)));
        }
        for port in &kind.ports {
            kind_ports.insert(
                (k, port.clone()),
                names.fresh(&format!("{}__{port}__spikes", kind.label)),
            );
        }
        if kind.mode == Mode::Single {
            for p in &kind.plan.properties {
                node_properties.push((
                    k,
                    p.name.clone(),
                    kind_idents[&(k, p.name.clone())].clone(),
                ));
            }
        }
    }
    let mut cell_ports = BTreeMap::new();
    for port in &m.cell_ports {
        cell_ports.insert(port.clone(), names.fresh(&format!("{port}__spikes")));
    }
    // A port of its own for each delay whose spikes jLEMS's due time decides (`delays`).
    let mut delayed_ports: BTreeMap<(PortKey, u64), String> = BTreeMap::new();
    for (key, delays) in checked_delays {
        let base = match &key.0 {
            Some(k) => kind_ports.get(&(*k, key.1.clone())),
            None => cell_ports.get(&key.1),
        };
        let Some(base) = base.cloned() else { continue };
        for (i, bits) in delays.iter().enumerate() {
            let port = names.fresh(&format!("{base}__delay{}", i + 1));
            delayed_ports.insert((key.clone(), *bits), port);
        }
    }

    // Initial values, as jLEMS computes them.
    let mut cell_env = Env {
        temperature,
        ..Env::default()
    };
    for p in m.cell.params.iter().chain(&m.cell.properties) {
        cell_env.values.insert(p.name.clone(), p.value);
    }
    initialise(&m.cell, &mut cell_env);
    let v0 = m
        .cell
        .states
        .iter()
        .find(|s| s.is_voltage)
        .and_then(|s| cell_env.values.get(&s.name).copied());
    let mut kind_envs = Vec::new();
    for kind in &m.kinds {
        let mut env = Env {
            temperature,
            voltage: v0,
            ..Env::default()
        };
        for p in kind.plan.params.iter().chain(&kind.plan.properties) {
            env.values.insert(p.name.clone(), p.value);
        }
        initialise(&kind.plan, &mut env);
        kind_envs.push(env);
    }

    let voltage = m.cell.states.iter().find(|s| s.is_voltage).map(|s| {
        exposed
            .get(&s.name)
            .unwrap_or(&cell_idents[&s.name])
            .clone()
    });
    let mut diags = Vec::new();
    let mut state = vec!["t_lems real = 0.0".to_string()];
    let mut parameters = vec![format!("lems_dt real = {}", number(step))];
    let mut defaults = vec![("lems_dt".to_string(), step)];
    if let Some(t) = temperature {
        parameters.push(format!("temperature real = {}", number(t)));
        defaults.push(("temperature".to_string(), t));
    }
    {
        let spell = Spell {
            idents: &cell_idents,
            voltage: None,
            cell: true,
        };
        declare(
            &m.cell,
            &cell_env,
            &spell,
            &mut state,
            &mut parameters,
            &mut defaults,
            &m.sum_names(),
        );
        for s in &m.cell.states {
            if let Some(copy) = exposed.get(&s.name) {
                let v = cell_env.values.get(&s.name).copied().unwrap_or(0.0);
                state.push(format!("{copy} real = {}", number(v)));
                defaults.push((copy.clone(), v));
            }
        }
    }
    for (k, kind) in m.kinds.iter().enumerate() {
        let idents = kind_map(&kind_idents, k);
        let spell = Spell {
            idents: &idents,
            voltage: voltage.clone(),
            cell: false,
        };
        declare(
            &kind.plan,
            &kind_envs[k],
            &spell,
            &mut state,
            &mut parameters,
            &mut defaults,
            &BTreeSet::new(),
        );
        if let Some(c) = count_param.get(&k) {
            parameters.push(format!("{c} real = 0.0"));
        }
    }
    if voltage.is_none()
        && m.kinds
            .iter()
            .any(|k| k.plan.externals.contains(&External::Voltage))
    {
        let c = model.component(m.component);
        diags.push(Diagnostic::at(
            c.name_span,
            "this component has no membrane potential 'v' for its synapses and inputs to read",
        ));
    }

    let mut inputs = Vec::new();
    for port in kind_ports
        .values()
        .chain(cell_ports.values())
        .chain(delayed_ports.values())
    {
        inputs.push(format!("{port} <- spike"));
    }

    // The update block: attachments first, then the cell.
    let mut update = Vec::new();
    let mut random_inits = Vec::new();
    {
        let spell = Spell {
            idents: &cell_idents,
            voltage: None,
            cell: true,
        };
        for (flat, e) in &cell_env.random {
            random_inits.push(format!("    {} = {}", spell.var(flat), print(e, &spell)));
        }
    }
    for (k, env) in kind_envs.iter().enumerate() {
        let idents = kind_map(&kind_idents, k);
        let spell = Spell {
            idents: &idents,
            voltage: voltage.clone(),
            cell: false,
        };
        for (flat, e) in &env.random {
            random_inits.push(format!("    {} = {}", spell.var(flat), print(e, &spell)));
        }
    }
    if !random_inits.is_empty() {
        state.push("lems_started integer = 0".into());
        update.push("if lems_started == 0:".into());
        update.extend(random_inits);
        update.push("    lems_started = 1".into());
    }
    let arrivals_at = update.len();
    update.push("t_lems += lems_dt".to_string());
    // Past values of v for the children (of the cell and of its synapses) that read it a few
    // steps late (see `lags`).
    let mut lagged = Lagged::default();
    let kind_lags: Vec<BTreeMap<String, usize>> = m
        .kinds
        .iter()
        .map(|k| lags::attachment_voltage_lags(model, ir, &k.plan))
        .collect();
    let v_state = m
        .cell
        .states
        .iter()
        .find(|s| s.is_voltage)
        .map(|s| s.name.clone());
    if let Some(v) = v_state {
        lagged.lags = lags::voltage_lags(model, ir, &m.cell);
        let deepest = lagged
            .lags
            .values()
            .chain(kind_lags.iter().flat_map(|l| l.values()))
            .copied()
            .max()
            .unwrap_or(0);
        let v_id = cell_idents[&v].clone();
        let v0 = v0.unwrap_or(0.0);
        for k in 2..=deepest {
            let h = names.fresh(&format!("{v_id}__lag{k}"));
            state.push(format!("{h} real = {}", number(v0)));
            defaults.push((h.clone(), v0));
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
        let idents = kind_map(&kind_idents, k);
        let spell = Spell {
            idents: &idents,
            voltage: voltage.clone(),
            cell: false,
        };
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
        step_lines(
            &kind.plan,
            &spell,
            &BTreeMap::new(),
            None,
            &kind_lagged,
            &mut update,
            &mut names,
        );
    }
    let sums = sum_values(m, &kind_idents, &count_param);
    update.push("# the cell".to_string());
    let spell = Spell {
        idents: &cell_idents,
        voltage: None,
        cell: true,
    };
    step_lines(
        &m.cell,
        &spell,
        &sums,
        Some(&exposed),
        &lagged,
        &mut update,
        &mut names,
    );
    for k in (1..lagged.history.len()).rev() {
        update.push(format!("{} = {}", lagged.history[k], lagged.history[k - 1]));
    }
    if let Some(first) = lagged.history.first() {
        update.push(format!("{first} = {}", lagged.start));
    }

    // Spikes that arrived for this step run their handlers before anything advances, as
    // jLEMS delivers its events at the start of a step (docs/nest-target.md §3). NEST adds
    // the weights of one step's spikes on one port: a handler runs once when any arrived
    // (connections to non-folded blocks and to the cell carry weight 1).
    let mut arrivals = Vec::new();
    let mut due = Due {
        delayed_ports: &delayed_ports,
        sent_times: BTreeMap::new(),
        step,
    };
    let mut port_list: Vec<(PortKey, &String)> = kind_ports
        .iter()
        .map(|((k, port), p)| ((Some(*k), port.clone()), p))
        .collect();
    port_list.extend(cell_ports.iter().map(|(port, p)| ((None, port.clone()), p)));
    for (key, nest_port) in port_list {
        let weight_var = names.fresh(&format!("{nest_port}__weight"));
        let mut body = Vec::new();
        match key.0 {
            Some(k) => {
                let kind = &m.kinds[k];
                let idents = kind_map(&kind_idents, k);
                let weight = (kind.mode == Mode::Folded)
                    .then(|| {
                        kind.plan
                            .properties
                            .iter()
                            .find(|p| p.name == WEIGHT)
                            .map(|p| p.name.clone())
                    })
                    .flatten();
                let kind_spell = Spell {
                    idents: &idents,
                    voltage: voltage.clone(),
                    cell: false,
                };
                let w = weight.as_deref().map(|flat| (flat, weight_var.as_str()));
                handler_lines(&kind.plan, &key.1, &kind_spell, w, &mut body);
            }
            None => handler_lines(&m.cell, &key.1, &spell, None, &mut body),
        }
        if body.is_empty() {
            continue;
        }
        arrivals.push(format!("{weight_var} real = {nest_port} * 1 s"));
        due.lines(
            &key,
            &weight_var,
            &mut names,
            &mut state,
            &mut parameters,
            &mut defaults,
            &mut arrivals,
        );
        arrivals.push(format!("if {weight_var} != 0.0:"));
        arrivals.extend(body.into_iter().map(|l| format!("    {l}")));
    }
    // Before the arrivals: the times their delayed spikes were sent.
    let mut clocks = Vec::new();
    if !due.sent_times.is_empty() {
        state.push("lems_step integer = 0".into());
        clocks.push("lems_step += 1".to_string());
        for (k, sent) in &due.sent_times {
            clocks.push(format!("if lems_step > {k}:"));
            clocks.push(format!("    {sent} += lems_dt"));
        }
    }
    clocks.extend(arrivals);
    let arrivals = clocks;
    update.splice(arrivals_at..arrivals_at, arrivals);
    if !diags.is_empty() {
        return Err(diags);
    }
    let comp = model.component(m.component);
    let view = View {
        title: format!(
            "NEST model of {} '{}'",
            model.ty(comp.type_id).name,
            comp.id.as_deref().unwrap_or("")
        )
        .replace(['\n', '\r'], " "),
        name: m.name.clone(),
        state,
        parameters,
        inputs,
        update,
    };
    let text = render(&view).map_err(|e| {
        vec![Diagnostic::at(
            comp.name_span,
            format!("NESTML template failed: {e}"),
        )]
    })?;
    Ok(ModelFile {
        name: m.name.clone(),
        file_name: format!("{}.nestml", m.name),
        text,
        cell_idents,
        kind_idents,
        recorded,
        count_param,
        kind_ports,
        cell_ports,
        delayed_ports,
        node_properties,
        defaults,
    })
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
    #[allow(clippy::too_many_arguments)]
    fn lines(
        &mut self,
        key: &PortKey,
        weight_var: &str,
        names: &mut NameTable,
        state: &mut Vec<String>,
        parameters: &mut Vec<String>,
        defaults: &mut Vec<(String, f64)>,
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
            if !state.iter().any(|l| l.starts_with(&format!("{sent} "))) {
                state.push(format!("{sent} real = 0.0"));
            }
            let held = names.fresh(&format!("{port}__held"));
            state.push(format!("{held} real = 0.0"));
            let delay_param = names.fresh(&format!("{port}__delay"));
            parameters.push(format!("{delay_param} real = {}", number(delay)));
            defaults.push((delay_param.clone(), delay));
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

fn render(view: &View) -> Result<String, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("model.nestml", TEMPLATE)?;
    tera.render("model.nestml", &tera::Context::from_serialize(view)?)
}

fn mode_text(kind: &AttachmentKind) -> &'static str {
    match kind.mode {
        Mode::Folded => "every instance on the cell summed into one",
        Mode::Scaled => "identical copies: one, times the count",
        Mode::Single => "at most one per cell",
    }
}

/// Every flat name of a plan that becomes a NESTML variable.
fn plan_names(plan: &MechanismPlan) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let all = plan
        .params
        .iter()
        .chain(&plan.properties)
        .map(|p| p.name.clone())
        .chain(plan.states.iter().map(|s| s.name.clone()))
        .chain(plan.derived.iter().map(|d| d.name.clone()))
        .chain(plan.regimes.iter().map(|r| r.var.clone()));
    for n in all {
        if seen.insert(n.clone()) {
            out.push(n);
        }
    }
    out
}

fn kind_map(all: &BTreeMap<(usize, String), String>, k: usize) -> BTreeMap<String, String> {
    all.iter()
        .filter(|((i, _), _)| *i == k)
        .map(|((_, flat), id)| (flat.clone(), id.clone()))
        .collect()
}

struct Spell<'a> {
    idents: &'a BTreeMap<String, String>,
    /// What an attachment reads as the cell's voltage; `None` in the cell itself, whose
    /// EventOuts are the node's spikes (an attachment's go nowhere in NEST).
    voltage: Option<String>,
    /// True in the cell itself.
    cell: bool,
}

impl Spelling for Spell<'_> {
    fn var(&self, flat: &str) -> String {
        self.idents
            .get(flat)
            .cloned()
            .unwrap_or_else(|| "(0.0 * (1e308 * 1e308))".into())
    }
    fn external(&self, ext: &External) -> String {
        match ext {
            External::Voltage => self.voltage.clone().unwrap_or_else(|| "v".into()),
            External::Temperature => "temperature".into(),
            _ => "(0.0 * (1e308 * 1e308))".into(),
        }
    }
    fn time(&self) -> String {
        "t_lems".into()
    }
    fn emits(&self) -> bool {
        self.cell
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

/// State and parameter declarations of one plan.
fn declare(
    plan: &MechanismPlan,
    env: &Env,
    spell: &Spell,
    state: &mut Vec<String>,
    parameters: &mut Vec<String>,
    defaults: &mut Vec<(String, f64)>,
    variable: &BTreeSet<String>,
) {
    for p in plan.params.iter().chain(&plan.properties) {
        parameters.push(format!("{} real = {}", spell.var(&p.name), number(p.value)));
        defaults.push((spell.var(&p.name), p.value));
    }
    if let Some(r) = &plan.regimes {
        state.push(format!("{} integer = {}", spell.var(&r.var), r.initial));
    }
    // NESTML draws random numbers only in update blocks: such initial values are drawn
    // at the first step (`lems_started`), before anything else.
    let initial = |name: &str| -> String {
        if env.is_random(name) {
            "0.0".into()
        } else {
            number(env.values.get(name).copied().unwrap_or(0.0))
        }
    };
    let constants = constant_derived(plan, variable);
    for (name, v) in &constants {
        parameters.push(format!("{} real = {}", spell.var(name), number(*v)));
        defaults.push((spell.var(name), *v));
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
        state.push(format!("{} real = {}", spell.var(name), initial(name)));
        if !env.is_random(name) {
            let v = env.values.get(name).copied().unwrap_or(0.0);
            defaults.push((spell.var(name), v));
        }
    }
}

/// The value of each cell derived variable that sums attachments: the kinds' variables, a
/// kind that is not folded times its per-node count.
fn sum_values(
    m: &NodeModel,
    kind_idents: &BTreeMap<(usize, String), String>,
    count_param: &BTreeMap<usize, String>,
) -> BTreeMap<String, String> {
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
            let id = &kind_idents[&(k, flat.clone())];
            match count_param.get(&k) {
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

/// Past values of the cell's `v` that its children read (see [`lags`]).
/// [`Lagged::voltage`] of an attachment, which reads the cell's v as an external.
const EXTERNAL_VOLTAGE: &str = "\u{0}external v";

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

/// One plan's step: derived values, rates, conditions and regimes (see the module doc).
fn step_lines(
    plan: &MechanismPlan,
    spell: &Spell,
    sums: &BTreeMap<String, String>,
    exposed: Option<&BTreeMap<String, String>>,
    lagged: &Lagged,
    out: &mut Vec<String>,
    names: &mut NameTable,
) {
    let lagged_spell = WeightSpell { inner: spell };
    let lag = |owner: &str, e: &MExpr| -> MExpr {
        match (&lagged.voltage, lags::lag_of(&lagged.lags, owner)) {
            (Some(v), Some(k)) if v == EXTERNAL_VOLTAGE => {
                replace_external_voltage(e, &lagged.history[k - 2])
            }
            (Some(v), Some(k)) => replace_var(e, v, &lagged.history[k - 2]),
            _ => e.clone(),
        }
    };
    let spell: &dyn Spelling = &lagged_spell;
    let sum_names: BTreeSet<String> = sums.keys().cloned().collect();
    let constants = constant_derived(plan, &sum_names);
    for d in &plan.derived {
        if constants.contains_key(&d.name) {
            continue;
        }
        let id = spell.var(&d.name);
        if let Some(sum) = sums.get(&d.name) {
            out.push(format!("{id} = {sum}"));
            continue;
        }
        match &d.value {
            DerivedValue::Value(e) => {
                out.push(format!("{id} = {}", print(&lag(&d.name, e), spell)))
            }
            DerivedValue::Cases(cases) => {
                // No case holding gives 0, as in jLEMS.
                let mut first = true;
                let mut default = None;
                for (cond, value) in cases {
                    match cond {
                        Some(c) => {
                            let kw = if first { "if" } else { "elif" };
                            out.push(format!("{kw} {}:", boolean(&lag(&d.name, c), spell)));
                            out.push(format!("    {id} = {}", print(&lag(&d.name, value), spell)));
                            first = false;
                        }
                        None => {
                            default = Some(value);
                            break;
                        }
                    }
                }
                let default = default
                    .map(|v| print(&lag(&d.name, v), spell))
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
    // Rates outside regimes, all from the state at the start of the step.
    let mut pending = Vec::new();
    for r in plan.rates.iter().filter(|r| r.regime.is_none()) {
        let local = names.fresh(&format!("rate__{}", spell.var(&r.state)));
        out.push(format!(
            "{local} real = {}",
            print(&lag(&r.state, &r.value), spell)
        ));
        pending.push((spell.var(&r.state), local));
    }
    for (state, local) in pending {
        out.push(format!("{state} += lems_dt * {local}"));
    }
    let entries = plan.regimes.as_ref().map(|r| r.on_entry.clone());
    let regime_var = plan.regimes.as_ref().map(|r| spell.var(&r.var));
    for c in plan.conditions.iter().filter(|c| c.regime.is_none()) {
        let mut body = Vec::new();
        action_lines(
            &c.actions,
            spell,
            entries.as_deref(),
            regime_var.as_deref(),
            None,
            "    ",
            &mut body,
        );
        if !body.is_empty() {
            out.push(format!("if {}:", boolean(&c.test, spell)));
            out.extend(body);
        }
    }
    if let Some(exposed) = exposed {
        for s in &plan.states {
            if let Some(copy) = exposed.get(&s.name) {
                out.push(format!("{copy} = {}", spell.var(&s.name)));
            }
        }
    }
    let (Some(regimes), Some(reg)) = (&plan.regimes, regime_var.clone()) else {
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
        action_lines(
            &c.actions,
            spell,
            entries.as_deref(),
            Some(&reg),
            None,
            "    ",
            &mut body,
        );
        if !body.is_empty() {
            out.push(format!(
                "if {before} == {k} and {}:",
                boolean(&c.test, spell)
            ));
            out.extend(body);
        }
    }
}

/// Assignments, spikes and transitions (with the entered regime's OnEntry).
fn action_lines(
    a: &Actions,
    spell: &dyn Spelling,
    entries: Option<&[Actions]>,
    regime_var: Option<&str>,
    weight: Option<(&str, &str)>,
    indent: &str,
    out: &mut Vec<String>,
) {
    let start = out.len();
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
    if let (Some(k), Some(reg)) = (a.transition, regime_var) {
        out.push(format!("{indent}{reg} = {k}"));
        if let Some(entry) = entries.and_then(|e| e.get(k)) {
            action_lines(entry, spell, None, None, weight, indent, out);
        }
    }
    let _ = start;
}

/// `e` with the external voltage read as the raw NESTML text `replacement` (a past v).
fn replace_external_voltage(e: &MExpr, replacement: &str) -> MExpr {
    let go = |x: &MExpr| Box::new(replace_external_voltage(x, replacement));
    match e {
        MExpr::Ext(External::Voltage) => MExpr::Var(format!("\u{0}{replacement}")),
        MExpr::Neg(x) => MExpr::Neg(go(x)),
        MExpr::Not(x) => MExpr::Not(go(x)),
        MExpr::Random(x) => MExpr::Random(go(x)),
        MExpr::Call(f, x) => MExpr::Call(*f, go(x)),
        MExpr::Bin(op, l, r) => MExpr::Bin(*op, go(l), go(r)),
        other => other.clone(),
    }
}

/// `e` with variable `flat` read as the raw NESTML text `replacement` (the received weight).
fn replace_var(e: &MExpr, flat: &str, replacement: &str) -> MExpr {
    let go = |x: &MExpr| Box::new(replace_var(x, flat, replacement));
    match e {
        MExpr::Var(n) if n == flat => MExpr::Var(format!("\u{0}{replacement}")),
        MExpr::Neg(x) => MExpr::Neg(go(x)),
        MExpr::Not(x) => MExpr::Not(go(x)),
        MExpr::Random(x) => MExpr::Random(go(x)),
        MExpr::Call(f, x) => MExpr::Call(*f, go(x)),
        MExpr::Bin(op, l, r) => MExpr::Bin(*op, go(l), go(r)),
        other => other.clone(),
    }
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
    let weighted = WeightSpell { inner: spell };
    for h in plan.on_events.iter().filter(|h| h.port == port) {
        let w = weight;
        match (h.regime, &reg) {
            (Some(k), Some(r)) => {
                let mut body = Vec::new();
                action_lines(
                    &h.actions,
                    &weighted,
                    entries.as_deref(),
                    Some(r),
                    w,
                    "    ",
                    &mut body,
                );
                if !body.is_empty() {
                    out.push(format!("if {r} == {k}:"));
                    out.extend(body);
                }
            }
            _ => action_lines(
                &h.actions,
                &weighted,
                entries.as_deref(),
                reg.as_deref(),
                w,
                "",
                out,
            ),
        }
    }
}

/// Reads the marked replacement variables of [`replace_var`] as raw text.
struct WeightSpell<'a, 'b> {
    inner: &'a Spell<'b>,
}

impl Spelling for WeightSpell<'_, '_> {
    fn var(&self, flat: &str) -> String {
        match flat.strip_prefix('\u{0}') {
            Some(raw) => raw.to_string(),
            None => self.inner.var(flat),
        }
    }
    fn external(&self, ext: &External) -> String {
        self.inner.external(ext)
    }
    fn time(&self) -> String {
        self.inner.time()
    }
    fn emits(&self) -> bool {
        self.inner.emits()
    }
}
