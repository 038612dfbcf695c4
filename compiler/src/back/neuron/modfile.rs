//! One mechanism plan printed as an NMODL `.mod` file.
//!
//! The block layout follows the recipe of docs/neuron-target.md §3, which reproduces
//! NEURON's reference spike times: every derived value and every state's rate is computed in
//! `rates()` (called at the start of `DERIVATIVE`, so `cnexp` takes a forward-Euler step on
//! `x' = rate_x`); `BREAKPOINT` takes the current from what `rates()` left for point cells,
//! and recomputes only the top component's own derived values (conductance and current of a
//! synapse or channel density) with the present voltage otherwise. Conditions become `WATCH`
//! statements, events `NET_RECEIVE`. Inside, every quantity is SI; conversions happen where
//! NEURON's variables are read or written (v in mV, t in ms, currents in nA or mA/cm²).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::ir::Ir;
use crate::model::Model;
use crate::passes::mechanism::{
    inline, Actions, BinOp, Condition, Derived, DerivedValue, External, Func, InlineOptions, MExpr,
    MechanismPlan, REGIME_VAR,
};

use super::classify::{Kinds, MechKind, Mechanism};
use super::names::NameTable;
use super::nmodl_expr::{function_definitions, used_functions, uses_random, Printer};

const TEMPLATE: &str = include_str!("../../../../codegen-templates/neuron/mechanism.mod.tera");

/// Flags of `NET_RECEIVE`: 1 arms the WATCHes; condition k fires as `CONDITION_FLAG + k`.
const CONDITION_FLAG: usize = 1000;

/// Names the generator itself uses in a mod; model names are renamed around them.
const GENERATOR_NAMES: &[&str] = &[
    "v",
    "t",
    "dt",
    "i",
    "celsius",
    "area",
    "rng",
    "flag",
    "w",
    "vpeer",
    "rates",
    "root_derived",
    "states",
    "regime",
];

/// The plan and printed text of each mechanism, in `kinds` order.
pub struct ModFile {
    pub file_name: String,
    pub text: String,
    pub plan: MechanismPlan,
    /// NMODL name of every flat name of the plan.
    pub idents: BTreeMap<String, String>,
}

/// Every `.mod` of the simulation.
pub fn mod_files(model: &Model, ir: &Ir, kinds: &Kinds) -> Result<Vec<ModFile>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for mech in &kinds.mechanisms {
        match mod_file(model, ir, mech) {
            Ok(m) => out.push(m),
            Err(d) => diags.extend(d),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn mod_file(model: &Model, ir: &Ir, mech: &Mechanism) -> Result<ModFile, Vec<Diagnostic>> {
    let voltage_is_state = matches!(mech.kind, MechKind::PointCell { .. });
    let mut plan = inline(
        model,
        ir,
        mech.representative,
        &InlineOptions {
            voltage_is_state,
            properties_from_connections: true,
        },
    )?;
    let comp = model.component(mech.component);
    if model
        .ty(comp.type_id)
        .name
        .starts_with("channelDensityNonUniform")
    {
        vary_density(model, ir, comp, &mut plan).map_err(|d| vec![d])?;
    }
    let title = format!(
        "{} '{}'",
        model.ty(comp.type_id).name,
        comp.id.as_deref().unwrap_or("")
    );
    let mut w = Writer::new(&plan, mech);
    let view = w.view(&title);
    let text = render(&view).map_err(|e| {
        vec![Diagnostic::at(
            comp.name_span,
            format!("NMODL template failed: {e}"),
        )]
    })?;
    Ok(ModFile {
        file_name: format!("{}.mod", mech.name),
        text,
        idents: w.idents,
        plan,
    })
}

/// The longest model text a mod's title comment shows (nocmodl refuses lines over 512
/// characters, comments included).
const TITLE_CHARS: usize = 160;

/// `title` as comment text: nocmodl refuses non-ASCII anywhere, comments included, so every
/// other character becomes a space; cut to [`TITLE_CHARS`] with `...`.
fn comment_text(title: &str) -> String {
    let mut out: String = title
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != ':' {
                c
            } else {
                ' '
            }
        })
        .collect();
    if out.len() > TITLE_CHARS {
        out.truncate(TITLE_CHARS - 3);
        out.push_str("...");
    }
    out
}

fn render(view: &ModView) -> Result<String, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("mechanism.mod", TEMPLATE)?;
    tera.render("mechanism.mod", &tera::Context::from_serialize(view)?)
}

/// What the template prints: names and statements already in NMODL.
#[derive(Serialize)]
struct ModView {
    title: String,
    name: String,
    point_process: bool,
    useions: Vec<String>,
    nonspecific: Option<String>,
    ranges: Vec<String>,
    pointers: Vec<String>,
    random: bool,
    params: Vec<(String, String)>,
    assigned: Vec<String>,
    /// NEURON's own variables the mod uses, with units.
    simulator: Vec<String>,
    states: Vec<String>,
    /// A DERIVATIVE block is needed (states with rates).
    derivative_used: bool,
    functions: String,
    rates: Vec<String>,
    root_derived: Vec<String>,
    initial: Vec<String>,
    breakpoint: Vec<String>,
    derivative: Vec<String>,
    kinetic: Vec<String>,
    net_receive: Vec<String>,
}

struct Writer<'p> {
    plan: &'p MechanismPlan,
    mech: &'p Mechanism,
    idents: BTreeMap<String, String>,
    /// States with a rate (in `STATE`); the rest are `ASSIGNED`.
    integrated: Vec<String>,
    /// Occupancies of kinetic-scheme states (in `STATE`, solved by `KINETIC kin`).
    kinetic_states: Vec<String>,
    functions: BTreeSet<&'static str>,
    random: bool,
    voltage: Option<String>,
    /// Ion variables used (`ena`, `ica`, `cai`): declared in ASSIGNED.
    ion_vars: BTreeSet<String>,
}

impl<'p> Writer<'p> {
    fn new(plan: &'p MechanismPlan, mech: &'p Mechanism) -> Self {
        let mut names = NameTable::new();
        for n in GENERATOR_NAMES {
            names.reserve(n);
        }
        let mut idents = BTreeMap::new();
        let mut claim = |flat: &str| {
            if !idents.contains_key(flat) {
                let raw = match flat {
                    REGIME_VAR => "regime_index",
                    DISTANCE_VAR => "path_distance",
                    _ => flat,
                };
                idents.insert(flat.to_string(), names.claim(raw));
            }
        };
        for p in plan.params.iter().chain(&plan.properties) {
            claim(&p.name);
        }
        for s in &plan.states {
            claim(&s.name);
        }
        for d in &plan.derived {
            claim(&d.name);
        }
        let mut integrated = Vec::new();
        for r in &plan.rates {
            claim(&format!("rate {}", r.state));
            let is_voltage = plan
                .states
                .iter()
                .any(|s| s.name == r.state && s.is_voltage);
            if !is_voltage && !integrated.contains(&r.state) {
                integrated.push(r.state.clone());
            }
        }
        let voltage = plan
            .states
            .iter()
            .find(|s| s.is_voltage)
            .map(|s| s.name.clone());
        Writer {
            plan,
            mech,
            idents,
            integrated,
            kinetic_states: plan.kinetic.iter().flat_map(|k| k.states.clone()).collect(),
            functions: BTreeSet::new(),
            random: false,
            voltage,
            ion_vars: BTreeSet::new(),
        }
    }

    fn id(&self, flat: &str) -> String {
        self.idents
            .get(flat)
            .cloned()
            .unwrap_or_else(|| panic!("no NMODL name for '{flat}'"))
    }

    fn rate_id(&self, state: &str) -> String {
        self.id(&format!("rate {state}"))
    }

    fn expr(&mut self, e: &MExpr) -> String {
        used_functions(e, &mut self.functions);
        self.random |= uses_random(e);
        let voltage = self.voltage.clone();
        let reversal = self.neuron_reversal();
        let idents = &self.idents;
        let var = |flat: &str| -> String {
            if voltage.as_deref() == Some(flat) {
                "(v * 0.001)".to_string()
            } else if flat == "erev" && reversal.is_some() {
                format!("({} * 0.001)", reversal.as_deref().unwrap())
            } else {
                idents
                    .get(flat)
                    .cloned()
                    .unwrap_or_else(|| panic!("no NMODL name for '{flat}'"))
            }
        };
        let external = |x: &External| external_text(x);
        Printer {
            var: &var,
            external: &external,
        }
        .expr(e)
    }

    fn view(&mut self, title: &str) -> ModView {
        let plan = self.plan;
        let point_process = !matches!(
            self.mech.kind,
            MechKind::Density { .. } | MechKind::Concentration { .. }
        );
        let rates = self.rates_body();
        let root_derived = self.root_derived_body();
        let initial = self.initial_body();
        let derivative = self.derivative_body();
        let kinetic = self.kinetic_body();
        // Density mechanisms have no NET_RECEIVE: their conditions (a concentration kept
        // non-negative) are not carried over yet.
        let net_receive = if point_process {
            self.net_receive_body()
        } else {
            Vec::new()
        };
        let (breakpoint, nonspecific, useions) = self.currents();

        let mut ranges = Vec::new();
        let mut params = Vec::new();
        for p in plan.params.iter().chain(&plan.properties) {
            let id = self.id(&p.name);
            params.push((id.clone(), number(p.value)));
            ranges.push(id);
        }
        let mut states = Vec::new();
        let mut assigned = Vec::new();
        for s in &plan.states {
            if s.is_voltage {
                continue;
            }
            let id = self.id(&s.name);
            if self.integrated.contains(&s.name) || self.kinetic_states.contains(&s.name) {
                states.push(id.clone());
            } else {
                assigned.push(id.clone());
            }
            ranges.push(id);
        }
        for d in &plan.derived {
            // A name can be both a state and a derived variable (jLEMS lets the derived value
            // overwrite the state): declared once.
            let id = self.id(&d.name);
            if !assigned.contains(&id) && !states.contains(&id) {
                assigned.push(id.clone());
                ranges.push(id);
            }
        }
        for r in &plan.rates {
            let id = self.rate_id(&r.state);
            if !assigned.contains(&id) {
                // Every per-instance value must be RANGE: an ASSIGNED that is not is one
                // GLOBAL shared by all instances of the mechanism.
                assigned.push(id.clone());
                ranges.push(id);
            }
        }
        let mut simulator = vec!["v (mV)".to_string()];
        if nonspecific.is_some() {
            simulator.push(
                if point_process {
                    "i (nA)"
                } else {
                    "i (mA/cm2)"
                }
                .to_string(),
            );
        }
        if plan.externals.contains(&External::Temperature) {
            simulator.push("celsius (degC)".into());
        }
        let uses_area = plan
            .externals
            .iter()
            .any(|x| matches!(x, External::Area | External::IonCurrent(_)));
        if uses_area {
            simulator.push("area (um2)".into());
        }
        simulator.extend(self.ion_vars.iter().cloned());
        let mut pointers = Vec::new();
        if plan.externals.contains(&External::PeerVoltage) {
            pointers.push("vpeer".to_string());
        }
        let functions = function_definitions(&self.functions);
        ModView {
            title: comment_text(title),
            name: self.mech.name.clone(),
            point_process,
            useions,
            nonspecific,
            ranges,
            pointers,
            random: self.random,
            params,
            assigned,
            simulator,
            states,
            derivative_used: !self.integrated.is_empty(),
            functions,
            rates,
            root_derived,
            initial,
            breakpoint,
            derivative,
            kinetic,
            net_receive,
        }
    }

    /// Lines computing the derived variables `keep` selects, in dependency order.
    fn derived_lines(&mut self, keep: impl Fn(&Derived) -> bool) -> Vec<String> {
        let mut lines = Vec::new();
        let reversal = self.neuron_reversal();
        for d in &self.plan.derived {
            if !keep(d) || (d.name == "erev" && reversal.is_some()) {
                continue;
            }
            let id = self.id(&d.name);
            match &d.value {
                DerivedValue::Value(e) => {
                    let e = self.expr(e);
                    lines.push(format!("{id} = {e}"));
                }
                DerivedValue::Cases(cases) => {
                    let mut first = true;
                    let mut closed = false;
                    for (cond, value) in cases {
                        let value = self.expr(value);
                        match cond {
                            Some(c) => {
                                let c = self.expr(c);
                                let kw = if first { "if" } else { "} else if" };
                                lines.push(format!("{kw} ({c}) {{"));
                                lines.push(format!("    {id} = {value}"));
                                first = false;
                            }
                            None if first => {
                                lines.push(format!("{id} = {value}"));
                                closed = true;
                            }
                            None => {
                                lines.push("} else {".into());
                                lines.push(format!("    {id} = {value}"));
                                lines.push("}".into());
                                closed = true;
                            }
                        }
                    }
                    if !closed && !first {
                        lines.push("}".into());
                    }
                }
            }
        }
        lines
    }

    fn rates_body(&mut self) -> Vec<String> {
        // In a point cell, conductances are computed in BREAKPOINT from the gates' state that
        // rates() left, and the current computed by rates() uses them a step later: the
        // arithmetic NEURON's reference values come from (docs/neuron-target.md §3).
        let cell = self.voltage.is_some();
        let mut lines = self.derived_lines(|d| !(cell && is_conductance(d)));
        let regime = self.regime_id();
        let mut seen = BTreeSet::new();
        for r in &self.plan.rates {
            let id = self.rate_id(&r.state);
            if seen.insert(id.clone()) && self.plan.regimes.is_some() {
                lines.push(format!("{id} = 0"));
            }
            let value = self.expr(&r.value);
            match (r.regime, &regime) {
                (Some(k), Some(reg)) => {
                    lines.push(format!("if ({reg} == {k}) {{"));
                    lines.push(format!("    {id} = {value}"));
                    lines.push("}".into());
                }
                _ => lines.push(format!("{id} = {value}")),
            }
        }
        lines.extend(self.voltage_clamps());
        lines
    }

    /// A regime without time derivatives whose OnEntry sets `v` (a refractory period) holds
    /// `v` there with a stiff current, as the reference export does (1e7 per ms), so inputs
    /// cannot move it. Only where BREAKPOINT calls rates(), so NEURON sees the current's
    /// dependence on v and integrates it implicitly; otherwise the rate stays 0.
    fn voltage_clamps(&mut self) -> Vec<String> {
        let (Some(v), Some(regimes), Some(reg)) = (
            self.voltage.clone(),
            self.plan.regimes.clone(),
            self.regime_id(),
        ) else {
            return Vec::new();
        };
        let implicit = self.integrated.is_empty() && self.kinetic_states.is_empty();
        if !implicit || !self.plan.rates.iter().any(|r| r.state == v) {
            return Vec::new();
        }
        let rate = self.rate_id(&v);
        let mut lines = Vec::new();
        for (k, entry) in regimes.on_entry.iter().enumerate() {
            let has_rates = self.plan.rates.iter().any(|r| r.regime == Some(k));
            let Some(held) = entry.assigns.iter().rev().find(|a| a.var == v) else {
                continue;
            };
            if has_rates {
                continue;
            }
            let held = self.expr(&held.value);
            lines.push(format!("if ({reg} == {k}) {{"));
            lines.push(format!("    {rate} = 1e10 * ({held} - (v * 0.001))"));
            lines.push("}".into());
        }
        lines
    }

    fn root_derived_body(&mut self) -> Vec<String> {
        if self.voltage.is_some() {
            return self.derived_lines(is_conductance);
        }
        if !matches!(self.mech.kind, MechKind::Density { .. }) {
            return Vec::new();
        }
        self.derived_lines(|d| !d.name.contains('/'))
    }

    /// NEURON's reversal potential variable (`eca`) when the density takes it from NEURON.
    fn neuron_reversal(&self) -> Option<String> {
        match &self.mech.kind {
            MechKind::Density {
                ion: Some(ion),
                nernst: true,
            } => Some(format!("e{ion}")),
            _ => None,
        }
    }

    /// Channel densities and concentration models (SUFFIX mechanisms).
    fn is_density(&self) -> bool {
        matches!(
            self.mech.kind,
            MechKind::Density { .. } | MechKind::Concentration { .. }
        )
    }

    /// Conditions tested in BREAKPOINT at every step (as jLEMS tests them): those that only
    /// assign the mechanism's own variables. The others (sending events, changing regime,
    /// resetting v) are WATCHed and handled in NET_RECEIVE.
    fn tested_in_breakpoint(&self, c: &Condition) -> bool {
        c.actions.event_outs.is_empty()
            && c.actions.transition.is_none()
            && !c
                .actions
                .assigns
                .iter()
                .any(|a| Some(&a.var) == self.voltage.as_ref())
    }

    fn watched(&self) -> Vec<Condition> {
        let plan = self.plan;
        plan.conditions
            .iter()
            .filter(|c| !self.is_density() && !self.tested_in_breakpoint(c))
            .cloned()
            .collect()
    }

    /// BREAKPOINT lines of the conditions tested there.
    fn breakpoint_conditions(&mut self) -> Vec<String> {
        let plan = self.plan;
        let mut lines = Vec::new();
        for c in &plan.conditions {
            if !self.is_density() && !self.tested_in_breakpoint(c) {
                continue;
            }
            let test = self.condition_test(c);
            lines.push(format!("if ({test}) {{"));
            let body = self.actions(&c.actions);
            lines.extend(body.into_iter().map(|l| format!("    {l}")));
            lines.push("}".into());
        }
        lines
    }

    /// The condition's test, with its regime.
    fn condition_test(&mut self, c: &Condition) -> String {
        let test = self.regime_test(c);
        self.expr(&test)
    }

    fn regime_test(&self, c: &Condition) -> MExpr {
        let mut test = c.test.clone();
        if let (Some(k), Some(r)) = (c.regime, &self.plan.regimes) {
            let in_regime = MExpr::Bin(
                BinOp::Eq,
                Box::new(MExpr::Var(r.var.clone())),
                Box::new(MExpr::Num(k as f64)),
            );
            test = MExpr::Bin(BinOp::And, Box::new(in_regime), Box::new(test));
        }
        test
    }

    fn regime_id(&self) -> Option<String> {
        self.plan.regimes.as_ref().map(|r| self.id(&r.var))
    }

    fn initial_body(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(r) = &self.plan.regimes {
            lines.push(format!("{} = {}", self.id(&r.var), r.initial));
        }
        // Twice, as the reference export does: a child that reads its parent's derived value
        // (a gate's steadyState reading the gate's alpha) sees the previous call's, so one
        // call would start the states from values computed with alpha = 0.
        lines.push("rates()".into());
        lines.push("rates()".into());
        for a in &self.plan.on_start {
            if Some(&a.var) == self.voltage.as_ref() {
                // The runner sets the section's initial voltage.
                continue;
            }
            let value = self.expr(&a.value);
            lines.push(format!("{} = {value}", self.id(&a.var)));
        }
        lines.extend(self.concentration_out());
        if !self.kinetic_states.is_empty() {
            // Schemes start at their steady state for the initial voltage.
            lines.push("SOLVE kin STEADYSTATE sparse".into());
        }
        let point_process = !matches!(
            self.mech.kind,
            MechKind::Density { .. } | MechKind::Concentration { .. }
        );
        if point_process && !self.watched().is_empty() {
            lines.push("net_send(0, 1)".into());
        }
        lines
    }

    fn derivative_body(&mut self) -> Vec<String> {
        let mut lines = vec!["rates()".to_string()];
        for s in self.integrated.clone() {
            lines.push(format!("{}' = {} * 0.001", self.id(&s), self.rate_id(&s)));
        }
        lines.extend(self.concentration_out());
        lines
    }

    /// `KINETIC kin`: every transition of every scheme, rates per ms, occupancies summing to 1.
    fn kinetic_body(&mut self) -> Vec<String> {
        if self.kinetic_states.is_empty() {
            return Vec::new();
        }
        let mut lines = vec!["rates()".to_string()];
        for k in &self.plan.kinetic {
            for (from, to, fwd, rev) in &k.edges {
                let (fwd, rev) = (self.expr(fwd), self.expr(rev));
                lines.push(format!(
                    "~ {} <-> {} ({fwd} * 0.001, {rev} * 0.001)",
                    self.id(from),
                    self.id(to)
                ));
            }
            let sum: Vec<String> = k.states.iter().map(|s| self.id(s)).collect();
            lines.push(format!("CONSERVE {} = 1", sum.join(" + ")));
        }
        lines
    }

    /// A concentration model hands its concentration to NEURON's ion (mol/m³ = mM).
    fn concentration_out(&self) -> Vec<String> {
        match &self.mech.kind {
            MechKind::Concentration { ion } => {
                let conc = self.id("concentration");
                vec![format!("{ion}i = {conc}")]
            }
            _ => Vec::new(),
        }
    }

    /// BREAKPOINT lines, the NONSPECIFIC_CURRENT and USEION lines.
    fn currents(&mut self) -> (Vec<String>, Option<String>, Vec<String>) {
        let mut lines = Vec::new();
        if self.integrated.is_empty() && self.kinetic_states.is_empty() {
            lines.push("rates()".to_string());
        }
        if !self.integrated.is_empty() {
            lines.push("SOLVE states METHOD cnexp".to_string());
        }
        if !self.kinetic_states.is_empty() {
            lines.push("SOLVE kin METHOD sparse".to_string());
        }
        if matches!(self.mech.kind, MechKind::Density { .. })
            && self.plan.derived.iter().any(|d| !d.name.contains('/'))
            || self.voltage.is_some() && self.plan.derived.iter().any(is_conductance)
        {
            lines.push("root_derived()".into());
        }
        lines.extend(self.breakpoint_conditions());
        let mut useions = Vec::new();
        let mut nonspecific = None;
        let mut ions: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
        for x in &self.plan.externals {
            match x {
                External::ConcentrationIn(ion) => {
                    ions.entry(ion.clone())
                        .or_default()
                        .0
                        .insert(format!("{ion}i"));
                }
                External::ConcentrationOut(ion) => {
                    ions.entry(ion.clone())
                        .or_default()
                        .0
                        .insert(format!("{ion}o"));
                }
                External::IonCurrent(ion) => {
                    ions.entry(ion.clone())
                        .or_default()
                        .0
                        .insert(format!("i{ion}"));
                }
                _ => {}
            }
        }
        match &self.mech.kind {
            MechKind::PointCell { capacitance } => {
                if let Some(v) = self.voltage.clone() {
                    nonspecific = Some("i".to_string());
                    let c = number(*capacitance);
                    // In a regime without dv/dt the rate is 0 and only other currents (synapses)
                    // move v, as in the reference exports; a cell whose v has no dv/dt at all
                    // (a rate model keeping v for its base type) passes no current.
                    let current = if self.plan.rates.iter().any(|r| r.state == v) {
                        format!("i = -({c} * {}) * 1e9", self.rate_id(&v))
                    } else {
                        "i = 0".to_string()
                    };
                    if !current.is_empty() {
                        lines.push(current);
                    }
                }
            }
            MechKind::Attachment => {
                if let Some(i) = self.root_current() {
                    nonspecific = Some("i".to_string());
                    lines.push(format!("i = -({i}) * 1e9"));
                }
            }
            MechKind::Density { ion, nernst } => {
                let density = self.id("iDensity");
                match ion {
                    Some(ion) => {
                        let e = ions.entry(ion.clone()).or_default();
                        e.1.insert(format!("i{ion}"));
                        if *nernst {
                            e.0.insert(format!("e{ion}"));
                        }
                        lines.push(format!("i{ion} = -({density}) * 0.1"));
                    }
                    None => {
                        nonspecific = Some("i".to_string());
                        lines.push(format!("i = -({density}) * 0.1"));
                    }
                }
            }
            MechKind::Concentration { ion } => {
                // Written where the state changes (DERIVATIVE and INITIAL): nocmodl accepts a
                // WRITE of a concentration only there. A model without rates changes it only in
                // its conditions, tested here (a concentration clamp).
                if self.integrated.is_empty() && self.kinetic_states.is_empty() {
                    lines.extend(self.concentration_out());
                }
                ions.entry(ion.clone())
                    .or_default()
                    .1
                    .insert(format!("{ion}i"));
            }
        }
        for (read, write) in ions.values() {
            self.ion_vars.extend(read.iter().chain(write).cloned());
        }
        for (ion, (read, write)) in ions {
            let read: Vec<String> = read.difference(&write).cloned().collect();
            let mut line = format!("USEION {ion}");
            if !read.is_empty() {
                line.push_str(&format!(" READ {}", read.join(", ")));
            }
            if !write.is_empty() {
                line.push_str(&format!(
                    " WRITE {}",
                    write.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            let valence = if ion == "ca" || ion == "ca2" { 2 } else { 1 };
            line.push_str(&format!(" VALENCE {valence}"));
            useions.push(line);
        }
        (lines, nonspecific, useions)
    }

    /// The NMODL name of the top component's current `i`, if it has one.
    fn root_current(&self) -> Option<String> {
        let name = self.plan.names.get(&(self.plan.root, "i".to_string()))?;
        self.idents.get(name).cloned()
    }

    fn net_receive_body(&mut self) -> Vec<String> {
        let plan = self.plan;
        let mut lines = Vec::new();
        let handlers: Vec<_> = plan.on_events.iter().filter(|h| h.port == "in").collect();
        if let Some(h) = handlers.first() {
            lines.push("if (flag == 0) {".into());
            let body = self.actions(&h.actions);
            lines.extend(body.into_iter().map(|l| format!("    {l}")));
            lines.push("}".into());
        }
        let watched = self.watched();
        if watched.is_empty() {
            return lines;
        }
        let mut tests = Vec::new();
        let mut margins = Vec::new();
        for c in &watched {
            let test = self.regime_test(c);
            margins.push(self.expr(&margin(&test)));
            tests.push(self.expr(&test));
        }
        lines.push("if (flag == 1) {".into());
        // A WATCH takes one comparison: each condition is watched as a margin that is
        // positive exactly when the condition holds.
        for (k, m) in margins.iter().enumerate() {
            let f = CONDITION_FLAG + k;
            lines.push(format!("    WATCH ({m} > 0) {f}"));
        }
        // WATCH fires on a false-to-true change only; a condition already true at the start
        // fires once now, as it would at the first step of jLEMS.
        for (k, t) in tests.iter().enumerate() {
            let f = CONDITION_FLAG + k;
            lines.push(format!("    if ({t}) {{"));
            lines.push(format!("        net_send(0, {f})"));
            lines.push("    }".into());
        }
        lines.push("}".into());
        for (k, c) in watched.iter().enumerate() {
            let f = CONDITION_FLAG + k;
            lines.push(format!("if (flag == {f}) {{"));
            lines.push(format!("    if ({}) {{", tests[k]));
            let body = self.actions(&c.actions);
            lines.extend(body.into_iter().map(|l| format!("        {l}")));
            lines.push("    }".into());
            lines.push("}".into());
        }
        lines
    }

    fn actions(&mut self, actions: &Actions) -> Vec<String> {
        let mut lines = Vec::new();
        for a in &actions.assigns {
            let value = self.expr(&a.value);
            if Some(&a.var) == self.voltage.as_ref() {
                lines.push(format!("v = ({value}) * 1000"));
                // The current from the last rates() belongs to the voltage before the reset:
                // it stops until rates() runs again.
                if self.plan.regimes.is_none() && self.plan.rates.iter().any(|r| r.state == a.var) {
                    lines.push(format!("{} = 0", self.rate_id(&a.var)));
                }
            } else {
                lines.push(format!("{} = {value}", self.id(&a.var)));
            }
        }
        if let (Some(k), Some(r)) = (actions.transition, self.plan.regimes.clone()) {
            lines.push(format!("{} = {k}", self.id(&r.var)));
            let entry = self.actions(&r.on_entry[k]);
            lines.extend(entry);
        }
        for _ in &actions.event_outs {
            lines.push("net_event(t)".into());
        }
        lines
    }
}

/// Flat name of a non-uniform density's distance variable (`p`), set per segment by the
/// runner (`@` cannot occur in LEMS names).
pub const DISTANCE_VAR: &str = "@distance";

/// A non-uniform channel density gives no current in LEMS (its conductance depends on where it
/// sits). Here it computes its current as `channelDensity` (or `channelDensityNernst`) does,
/// with the varying parameter given by its expression of [`DISTANCE_VAR`], which the runner
/// sets per segment as the reference export does.
fn vary_density(
    model: &Model,
    ir: &Ir,
    comp: &crate::model::component::Component,
    plan: &mut MechanismPlan,
) -> Result<(), Diagnostic> {
    let ty = &model.ty(comp.type_id).name;
    let Some((parameter, _, value)) = super::morphology::variable_parameter(model, comp) else {
        return Err(Diagnostic::at(
            comp.name_span,
            format!(
                "{ty} '{}' has no variableParameter with an inhomogeneousValue",
                comp.id.as_deref().unwrap_or("")
            ),
        ));
    };
    if ty == "channelDensityNonUniformGHK" || parameter != "condDensity" {
        return Err(Diagnostic::at(
            comp.name_span,
            format!("{ty} varying '{parameter}' is not supported by the NEURON target yet"),
        ));
    }
    let span = value
        .texts
        .iter()
        .find(|(n, _, _)| n == "value")
        .map_or(value.name_span, |(_, _, s)| *s);
    let text = value.text("value").unwrap_or("");
    let expr = crate::front::expr::parse(text, span)?;
    let density = distance_expr(&expr, &mut None)?;
    let fopen = ir
        .inst(plan.root)
        .children
        .iter()
        .find_map(|c| plan.names.get(&(c.inst, "fopen".to_string())))
        .cloned()
        .ok_or_else(|| Diagnostic::at(comp.name_span, "the density's ionChannel has no fopen"))?;
    let b = |op, l: MExpr, r: MExpr| MExpr::Bin(op, Box::new(l), Box::new(r));
    let var = |n: &str| MExpr::Var(n.to_string());
    let conductance_density = crate::model::dims::Dim {
        m: -1,
        l: -4,
        t: 3,
        i: 2,
        ..crate::model::dims::Dim::NONE
    };
    let current_density = crate::model::dims::Dim {
        l: -2,
        i: 1,
        ..crate::model::dims::Dim::NONE
    };
    let derived = |name: &str, dim, value| Derived {
        name: name.to_string(),
        dim,
        value: DerivedValue::Value(value),
    };
    plan.params.push(crate::passes::mechanism::Param {
        name: DISTANCE_VAR.to_string(),
        value: 0.0,
        dim: crate::model::dims::Dim::NONE,
    });
    plan.derived.retain(|d| d.name != "iDensity");
    plan.derived.extend([
        derived("condDensity", conductance_density, density),
        derived("channelf", crate::model::dims::Dim::NONE, var(&fopen)),
        derived(
            "gDensity",
            conductance_density,
            b(BinOp::Mul, var("condDensity"), var("channelf")),
        ),
        derived(
            "iDensity",
            current_density,
            b(
                BinOp::Mul,
                var("gDensity"),
                b(BinOp::Sub, var("erev"), MExpr::Ext(External::Voltage)),
            ),
        ),
    ]);
    for n in ["condDensity", "gDensity", "iDensity"] {
        plan.names.insert((plan.root, n.to_string()), n.to_string());
    }
    Ok(())
}

/// An inhomogeneousValue expression with its one variable (`seen`) read as [`DISTANCE_VAR`].
fn distance_expr(
    e: &crate::front::expr::Expr,
    seen: &mut Option<String>,
) -> Result<MExpr, Diagnostic> {
    use crate::front::expr::ExprKind;
    let mut bx = |e| distance_expr(e, seen).map(Box::new);
    Ok(match &e.kind {
        ExprKind::Number(x) => MExpr::Num(*x),
        ExprKind::Name(n) => {
            if seen.get_or_insert_with(|| n.clone()) != n {
                return Err(Diagnostic::at(
                    e.span,
                    format!("'{n}': the value may use one variable, its inhomogeneousParameter's"),
                ));
            }
            MExpr::Var(DISTANCE_VAR.to_string())
        }
        ExprKind::Neg(x) => MExpr::Neg(bx(x)?),
        ExprKind::Not(x) => MExpr::Not(bx(x)?),
        ExprKind::Binary(op, l, r) => {
            let l = bx(l)?;
            MExpr::Bin(*op, l, bx(r)?)
        }
        ExprKind::Call(Func::Random, args) if args.len() == 1 => MExpr::Random(bx(&args[0])?),
        ExprKind::Call(f, args) if args.len() == 1 => MExpr::Call(*f, bx(&args[0])?),
        ExprKind::Call(..) => {
            return Err(Diagnostic::at(
                e.span,
                "a function of one argument was expected",
            ))
        }
    })
}

/// Conductance or conductance density.
fn is_conductance(d: &Derived) -> bool {
    let x = d.dim;
    (x.m, x.t, x.i, x.k, x.n, x.j) == (-1, 3, 2, 0, 0, 0) && (x.l == -2 || x.l == -4)
}

/// NMODL text of a simulator value, in SI.
fn external_text(x: &External) -> String {
    match x {
        External::Voltage => "(v * 0.001)".into(),
        External::Temperature => "(celsius + 273.15)".into(),
        External::ConcentrationIn(ion) => format!("{ion}i"),
        External::ConcentrationOut(ion) => format!("{ion}o"),
        // mA/cm² outward per unit area → A inward through the segment (area in µm²).
        External::IonCurrent(ion) => format!("(-i{ion} * area * 1e-11)"),
        External::Area => "(area * 1e-12)".into(),
        External::PeerVoltage => "(vpeer * 0.001)".into(),
    }
}

/// A literal NMODL reads back to the same f64, in the form a `PARAMETER` line accepts (no
/// parentheses, unlike `nmodl_expr::number`): `{:e}` is the shortest round-trip form
/// (`1e-5`, `-6.5e-2`).
fn number(x: f64) -> String {
    format!("{x:e}")
}

/// An arithmetic expression that is positive exactly when the boolean `test` holds (up to
/// equality at the boundary): WATCH accepts one comparison, not `&&`, `||` or `!`.
fn margin(test: &MExpr) -> MExpr {
    let b = |op, l: MExpr, r: MExpr| MExpr::Bin(op, Box::new(l), Box::new(r));
    let abs = |x: MExpr| MExpr::Call(Func::Abs, Box::new(x));
    let half = |x: MExpr| b(BinOp::Mul, x, MExpr::Num(0.5));
    match test {
        MExpr::Bin(op, l, r) => {
            let (l, r) = ((**l).clone(), (**r).clone());
            match op {
                BinOp::Gt | BinOp::Ge => b(BinOp::Sub, l, r),
                BinOp::Lt | BinOp::Le => b(BinOp::Sub, r, l),
                BinOp::Eq => b(BinOp::Sub, MExpr::Num(1e-9), abs(b(BinOp::Sub, l, r))),
                BinOp::Ne => b(BinOp::Sub, abs(b(BinOp::Sub, l, r)), MExpr::Num(1e-9)),
                BinOp::And | BinOp::Or => {
                    let (ml, mr) = (margin(&l), margin(&r));
                    let sum = b(BinOp::Add, ml.clone(), mr.clone());
                    let gap = abs(b(BinOp::Sub, ml, mr));
                    // min(a, b) = (a + b - |a - b|) / 2; max with +.
                    let op = if *op == BinOp::And {
                        BinOp::Sub
                    } else {
                        BinOp::Add
                    };
                    half(b(op, sum, gap))
                }
                _ => abs(test.clone()),
            }
        }
        MExpr::Not(x) => MExpr::Neg(Box::new(margin(x))),
        other => abs(other.clone()),
    }
}
