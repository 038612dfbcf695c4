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

//!
//! The model is printed in stages, each its own module: [`idents`] names every variable and
//! port, [`declare`] writes the state and parameter blocks with jLEMS's initial values,
//! [`step`] the stepping part of the update block, and [`arrivals`] the spike arrivals that
//! come first in it. [`spell`] holds how each part of the node spells its variables.

mod arrivals;
mod declare;
mod idents;
mod spell;
mod step;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::ir::Ir;
use crate::model::Model;
use crate::passes::mechanism::External;

use super::delays::PortKey;
use super::expr::{print, Spelling};
use super::names::NameTable;
use super::nodes::NodeModel;

pub use declare::constant_derived;
pub use idents::Idents;

use declare::{declare_node, Declarations, InitialValues};

const TEMPLATE: &str = include_str!("../../../../../codegen-templates/nest/model.nestml.tera");

/// A printed model and the names the script needs.
#[derive(Clone, Debug)]
pub struct ModelFile {
    pub name: String,
    pub file_name: String,
    pub text: String,
    pub idents: Idents,
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
    let comp = model.component(m.component);
    let mut names = NameTable::default();
    let idents = Idents::assign(m, checked_delays, &mut names);
    let initial = InitialValues::compute(m, temperature);
    let mut decl = declare_node(m, &idents, &initial, step, temperature);
    let reads_voltage = m
        .kinds
        .iter()
        .any(|k| k.plan.externals.contains(&External::Voltage));
    if idents.voltage.is_none() && reads_voltage {
        return Err(vec![Diagnostic::at(
            comp.name_span,
            "this component has no membrane potential 'v' for its synapses and inputs to read",
        )]);
    }
    let inputs = idents
        .kind_ports
        .values()
        .chain(idents.cell_ports.values())
        .chain(idents.delayed_ports.values())
        .map(|port| format!("{port} <- spike"))
        .collect();

    // The update block: random initial values, the arrivals, then the step (attachments
    // first, then the cell). The arrivals take their names after the step's.
    let mut update = random_start(&idents, &initial, &mut decl);
    let stepping = step::stepping_lines(
        model,
        ir,
        m,
        &idents,
        initial.voltage,
        &mut decl,
        &mut names,
    );
    update.extend(arrivals::arrival_lines(
        m, &idents, step, &mut decl, &mut names,
    ));
    update.extend(stepping);

    let Declarations {
        state,
        parameters,
        defaults,
    } = decl;
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
        idents,
        defaults,
    })
}

/// NESTML draws random numbers only in update blocks: random initial values (declared 0)
/// are drawn at the first step, before anything else.
fn random_start(idents: &Idents, initial: &InitialValues, decl: &mut Declarations) -> Vec<String> {
    let cell = (&initial.cell, idents.cell_spell());
    let kinds = (initial.kinds.iter().enumerate()).map(|(k, env)| (env, idents.kind_spell(k)));
    let mut draws = Vec::new();
    for (env, spell) in std::iter::once(cell).chain(kinds) {
        for (flat, e) in &env.random {
            draws.push(format!("    {} = {}", spell.var(flat), print(e, &spell)));
        }
    }
    if draws.is_empty() {
        return draws;
    }
    decl.state.push("lems_started integer = 0".into());
    let mut update = vec!["if lems_started == 0:".to_string()];
    update.extend(draws);
    update.push("    lems_started = 1".into());
    update
}

fn render(view: &View) -> Result<String, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("model.nestml", TEMPLATE)?;
    tera.render("model.nestml", &tera::Context::from_serialize(view)?)
}
