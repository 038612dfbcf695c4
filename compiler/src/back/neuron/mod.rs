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
//!   the output-file helpers from a support module written beside it;
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

pub use driver::{export_file, NeuronOutcome, NeuronRunOptions};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// `(file name, text)` of the module the runner imports ([`runner::SUPPORT_FILE`]): the
    /// same for every model.
    pub support: (String, String),
    /// The model element each file comes from (a mod's component, the Simulation for the
    /// runner and the support module), where an error writing it is reported.
    pub origins: BTreeMap<String, Span>,
}

impl NeuronExport {
    /// Every file: the mods, the runner, the support module.
    pub fn files(&self) -> impl Iterator<Item = &(String, String)> {
        self.mods.iter().chain([&self.runner, &self.support])
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
    let support = (
        runner::SUPPORT_FILE.to_string(),
        runner::SUPPORT_TEXT.to_string(),
    );
    let simulation = model.component(ir.simulation.component).name_span;
    let mut origins = BTreeMap::new();
    // mods[i] is the mod of kinds.mechanisms[i].
    for (m, mech) in mods.iter().zip(&kinds.mechanisms) {
        let component = model.component(mech.component).name_span;
        origins.insert(m.file_name.clone(), component);
    }
    origins.insert(runner.0.clone(), simulation);
    origins.insert(support.0.clone(), simulation);
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

/// Writes every file of `export` into `dir` (created if missing); returns the paths written.
/// A file that cannot be written is an error at the model element it comes from.
pub fn write(export: &NeuronExport, dir: &Path) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    let located = |name: &str, message: String| {
        let diagnostic = match export.origins.get(name) {
            Some(&span) => Diagnostic::at(span, message),
            None => Diagnostic::error(message),
        };
        vec![diagnostic]
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        let message = format!(
            "cannot make the NEURON output folder {}: {e}",
            dir.display()
        );
        return Err(located(&export.runner.0, message));
    }
    let mut written = Vec::new();
    for (name, text) in export.files() {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            let message = format!("cannot write the NEURON file {}: {e}", path.display());
            return Err(located(name, message));
        }
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn export_with(origin: Span) -> NeuronExport {
        let file = |name: &str| (name.to_string(), String::new());
        NeuronExport {
            mods: vec![file("nml_a.mod")],
            runner: file("m_nrn.py"),
            support: file(runner::SUPPORT_FILE),
            origins: [("nml_a.mod".to_string(), origin)].into_iter().collect(),
        }
    }

    #[test]
    fn a_file_that_cannot_be_written_is_an_error_at_its_component() {
        let dir = std::env::temp_dir().join(format!("lemsc-neuron-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        // A folder where the mod goes.
        std::fs::create_dir_all(dir.join("nml_a.mod")).unwrap();
        let origin = Span::new(FileId(2), 10, 20);
        let errors = write(&export_with(origin), &dir).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].primary.as_ref().map(|p| p.0), Some(origin));
        assert!(
            errors[0].message.contains("nml_a.mod"),
            "{}",
            errors[0].message
        );

        // Once it can be written, every file is, the support module included.
        std::fs::remove_dir(dir.join("nml_a.mod")).unwrap();
        let written = write(&export_with(origin), &dir).unwrap();
        let names: Vec<_> = written.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(names, ["nml_a.mod", "m_nrn.py", runner::SUPPORT_FILE]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
