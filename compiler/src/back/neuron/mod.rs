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
//! - [`runner`]: the runner's view of the IR, printed through `runner.py.tera`;
//! - [`run`]: `--run`: `nrnivmodl`, then the runner, with NEURON's exit status.
//!
//! docs/neuron-target.md records the NEURON facts and the integration recipe this follows.

pub mod classify;
pub mod modfile;
pub mod morphology;
pub mod names;
pub mod nmodl_expr;
pub mod run;
pub mod runner;

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::ir::Ir;
use crate::model::Model;

/// What the command line adds to the model.
#[derive(Clone, Debug, Default)]
pub struct NeuronOptions {
    /// `--seed`, overriding the Simulation's seed.
    pub seed: Option<i64>,
}

/// The generated files, by file name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NeuronExport {
    /// `(file name, text)` of each `.mod`, sorted by name.
    pub mods: Vec<(String, String)>,
    /// `(file name, text)` of the runner.
    pub runner: (String, String),
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
    let mut files: Vec<(String, String)> =
        mods.into_iter().map(|m| (m.file_name, m.text)).collect();
    files.sort();
    Ok(NeuronExport {
        mods: files,
        runner,
    })
}

/// Writes every file of `export` into `dir` (created if missing); returns the paths written.
pub fn write(export: &NeuronExport, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, text) in export.mods.iter().chain(std::iter::once(&export.runner)) {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}
