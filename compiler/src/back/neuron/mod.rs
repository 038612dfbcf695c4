//! The NEURON target: one NMODL `.mod` file per mechanism and a Python runner
//! (`LEMS_<name>_nrn.py`) that builds the model with NEURON's Python API, runs it with the
//! simulation's length and step, and writes the same output files as the native target.
//!
//! - [`names`]: identifiers that can never inject text into a `.mod` or Python file;
//! - [`nmodl_expr`]: [`crate::passes::mechanism::MExpr`] printed as NMODL text;
//! - [`classify`]: what each component becomes in NEURON (point cell, synapse, input,
//!   density channel, concentration model...);
//! - [`morphology`]: sections, nseg, 3-D points and biophysics of a `<cell>`;
//! - [`modfile`]: a mechanism plan printed through `codegen-templates/neuron/mechanism.mod.tera`;
//! - [`runner`]: the runner's view of the IR, printed through `runner.py.tera`; it imports
//!   its model-independent helpers and the output-file format from support modules written
//!   beside it;
//! - [`runner_params`]: the parameters the runner sets itself, where nocmodl would round
//!   their mod defaults;
//! - [`run`]: `--run`: `nrnivmodl`, then the runner, with NEURON's exit status.
//!
//! docs/neuron-target.md records the NEURON facts and the integration recipe this follows.

pub mod classify;
mod driver;
pub mod modfile;
pub mod morphology;
pub mod names;
pub mod nmodl_expr;
pub mod run;
pub mod runner;
mod runner_params;

pub use driver::{export_file, NeuronOutcome, NeuronRunOptions};

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Span};
use crate::ir::Ir;
use crate::model::Model;

/// What the command line adds to the model.
#[derive(Clone, Debug, Default)]
pub struct NeuronOptions {
    /// `--seed`, overriding the Simulation's seed.
    pub seed: Option<i64>,
    /// How the runner writes the output files.
    pub output_style: OutputStyle,
}

/// The text of the output files the runner writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputStyle {
    /// As jLEMS writes them: the same text as the native target (32-bit floats, Java's
    /// layout, times accumulated step by step).
    #[default]
    Jlems,
    /// As jNeuroML's NEURON export writes them (`jnml FILE -neuron -run`): every number
    /// printed with `%e` (7 significant digits), times as NEURON kept them. Test files made
    /// with that export compare spike times found at a threshold with tolerance 0, and the
    /// digits decide the step at which a trace crosses it.
    Jneuroml,
}

/// The generated files, by file name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NeuronExport {
    /// `(file name, text)` of each `.mod`, sorted by name.
    pub mods: Vec<(String, String)>,
    /// `(file name, text)` of the runner.
    pub runner: (String, String),
    /// `(file name, text)` of the modules the runner imports ([`runner::RUNNER_SUPPORT_FILE`]
    /// and the output format it imports, [`runner::SUPPORT_FILE`]): the same for every model.
    pub support: Vec<(String, String)>,
    /// The model element each file comes from (a mod's component, the Simulation for the
    /// runner and the support modules), where an error writing it is reported.
    pub origins: BTreeMap<String, Span>,
}

impl NeuronExport {
    /// Every file: the mods, the runner, the support modules.
    pub fn files(&self) -> impl Iterator<Item = &(String, String)> {
        self.mods
            .iter()
            .chain([&self.runner])
            .chain(self.support.iter())
    }
}

/// The NEURON files for a lowered simulation; `lems_stem` is the LEMS file's name without
/// `.xml` (`LEMS_NML2_Ex0_IaF`), which names the runner (`LEMS_NML2_Ex0_IaF_nrn.py`).
pub fn export(
    model: &Model,
    ir: &Ir,
    lems_stem: &str,
    opts: &NeuronOptions,
) -> Result<NeuronExport, Vec<Diagnostic>> {
    let kinds = classify::classify(model, ir)?;
    let mods = modfile::mod_files(model, ir, &kinds)?;
    let runner = runner::runner(model, ir, &kinds, &mods, lems_stem, opts)?;
    let support: Vec<(String, String)> = [
        (runner::RUNNER_SUPPORT_FILE, runner::RUNNER_SUPPORT_TEXT),
        (runner::SUPPORT_FILE, runner::SUPPORT_TEXT),
    ]
    .iter()
    .map(|(name, text)| (name.to_string(), text.to_string()))
    .collect();
    let simulation = model.component(ir.simulation.component).name_span;
    let mut origins = BTreeMap::new();
    // mods[i] is the mod of kinds.mechanisms[i].
    for (m, mech) in mods.iter().zip(&kinds.mechanisms) {
        let component = model.component(mech.component).name_span;
        origins.insert(m.file_name.clone(), component);
    }
    origins.insert(runner.0.clone(), simulation);
    for (name, _) in &support {
        origins.insert(name.clone(), simulation);
    }
    let mut files: Vec<(String, String)> =
        mods.into_iter().map(|m| (m.file_name, m.text)).collect();
    files.sort();
    Ok(NeuronExport {
        mods: files,
        runner,
        support,
        origins,
    })
}

/// The mechanism plan of every mod the export makes, by file name (`lemsc FILE --emit
/// mechanism`).
pub fn mechanism_plans(
    model: &Model,
    ir: &Ir,
) -> Result<Vec<(String, crate::passes::mechanism::MechanismPlan)>, Vec<Diagnostic>> {
    let kinds = classify::classify(model, ir)?;
    let mods = modfile::mod_files(model, ir, &kinds)?;
    let mut plans: Vec<_> = mods.into_iter().map(|m| (m.file_name, m.plan)).collect();
    plans.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(plans)
}
