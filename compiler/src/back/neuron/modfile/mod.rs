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
//!
//! This file makes the mods and holds the `Writer`'s names and expressions; its other
//! methods are grouped by what they print:
//! - `declarations`: the NEURON block, declarations and currents;
//! - `blocks`: `rates()`, `INITIAL`, `DERIVATIVE` and `KINETIC` statements;
//! - `events`: conditions, `WATCH` margins and `NET_RECEIVE`;
//! - `nonuniform`: non-uniform channel densities' distance expressions.

mod blocks;
mod declarations;
mod events;
mod nonuniform;

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

pub use nonuniform::{vary_density, DISTANCE_VAR};

const TEMPLATE: &str = include_str!("../../../../../codegen-templates/neuron/mechanism.mod.tera");

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
