//! The NEST target: one NESTML model per cell component (with the synapses and inputs its
//! cells carry) and a Python script (`LEMS_<name>_nest.py`) that installs the module NESTML
//! builds from them, creates the network in NEST, runs it with the simulation's length and
//! step and writes the same output files as the native target.
//!
//! - [`nodes`]: which model each population member becomes, how attachments fit into it,
//!   and what NEST cannot run (refused with located errors);
//! - [`init`]: initial values, computed as jLEMS initialises;
//! - [`delays`]: connection delays in NEST steps, and the spikes jLEMS delivers a step later;
//! - [`lags`]: how many steps back a cell's children read its `v`, as jLEMS copies it;
//! - [`expr`] and [`names`]: expressions and identifiers as NESTML text;
//! - [`nestml`]: a node model printed through `codegen-templates/nest/model.nestml.tera`;
//! - [`script`]: the script, through `script.py.tera`;
//! - [`run`]: `--run`: build the module (cached by a hash of the models), then the script.
//!
//! docs/nest-target.md records the semantics, the build recipe and what is refused.

pub mod delays;
pub mod expr;
pub mod init;
pub mod lags;
pub mod names;
pub mod nestml;
pub mod nodes;
pub mod run;
pub mod script;

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::ir::Ir;
use crate::model::Model;

/// The output files' format, shared with the NEURON runner; [`SCRIPT_SUPPORT_FILE`] imports it.
pub const SUPPORT_TEXT: &str = include_str!("../../../../codegen-templates/neuron/javafloat.py");
pub const SUPPORT_FILE: &str = "lemsc_javafloat.py";
/// The script's model-independent helpers (the kernel's setup, the run, the output files):
/// the same text for every model, so the script itself holds only the model. The script
/// imports it by the name without `.py`.
pub const SCRIPT_SUPPORT_TEXT: &str =
    include_str!("../../../../codegen-templates/nest/script_support.py");
pub const SCRIPT_SUPPORT_FILE: &str = "lemsc_nest_support.py";
/// The folder, beside the script, of the NESTML models.
pub const MODELS_DIR: &str = "nestml";

/// What the command line adds to the model.
#[derive(Clone, Debug, Default)]
pub struct NestOptions {
    /// `--seed`, overriding the Simulation's seed.
    pub seed: Option<i64>,
}

/// The generated files.
#[derive(Clone, Debug, PartialEq)]
pub struct NestExport {
    /// `(file name, text)` of each NESTML model (under [`MODELS_DIR`]), sorted by name.
    pub models: Vec<(String, String)>,
    pub script: (String, String),
    /// `(file name, text)` of the modules the script imports: the same for every model.
    pub support: Vec<(String, String)>,
    /// The module's name (`lemsc<hash>module`): a hash of the models, so a module is built
    /// once for each distinct set of models.
    pub module: String,
}

impl NestExport {
    /// Every file, with its path relative to the output folder.
    pub fn files(&self) -> Vec<(String, &str)> {
        let mut out: Vec<(String, &str)> = self
            .models
            .iter()
            .map(|(n, t)| (format!("{MODELS_DIR}/{n}"), t.as_str()))
            .collect();
        out.push((self.script.0.clone(), &self.script.1));
        out.extend(self.support.iter().map(|(n, t)| (n.clone(), t.as_str())));
        out
    }
}

/// The NEST files for a lowered simulation; `lems_stem` names the script.
pub fn export(
    model: &Model,
    ir: &Ir,
    lems_stem: &str,
    opts: &NestOptions,
) -> Result<NestExport, Vec<Diagnostic>> {
    let nodes = nodes::nodes(model, ir)?;
    let temperature = model
        .component(ir.inst(ir.root).component)
        .param("temperature")
        .map(|p| p.si);
    let checked_delays = delays::checked_delays(ir, &nodes);
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for (m, checked) in nodes.models.iter().zip(&checked_delays) {
        match nestml::model_file(model, ir, m, ir.simulation.step, temperature, checked) {
            Ok(f) => files.push(f),
            Err(d) => diags.extend(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut models: Vec<(String, String)> = files
        .iter()
        .map(|f| (f.file_name.clone(), f.text.clone()))
        .collect();
    models.sort();
    let module = run::module_name(&models);
    let script = script::script(
        model,
        ir,
        lems_stem,
        &script::ScriptInput {
            nodes: &nodes,
            files: &files,
            module_file: &format!("{module}.so"),
            support_module: SCRIPT_SUPPORT_FILE.trim_end_matches(".py"),
            seed: opts.seed.unwrap_or(ir.simulation.seed_or_default()),
        },
    )?;
    Ok(NestExport {
        models,
        script,
        support: [
            (SCRIPT_SUPPORT_FILE, SCRIPT_SUPPORT_TEXT),
            (SUPPORT_FILE, SUPPORT_TEXT),
        ]
        .iter()
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect(),
        module,
    })
}

/// What `--target nest` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct NestRunOptions {
    /// Where the files go (and where the script runs); the LEMS file's folder when `None`.
    pub out_dir: Option<PathBuf>,
    pub seed: Option<i64>,
    /// Also build the module and run the script.
    pub run: bool,
    pub check: crate::pipeline::CheckOptions,
}

/// A finished NEST export (and run).
pub struct NestOutcome {
    pub dir: PathBuf,
    pub script: PathBuf,
    pub files: Vec<PathBuf>,
    /// Whether the module was built now (false: it came from the cache, or no run).
    pub built: bool,
    /// The script's exit status, when it ran.
    pub status: Option<i32>,
    pub sources: crate::diag::SourceMap,
    pub warnings: Vec<Diagnostic>,
}

/// Checks `path`, writes its NESTML models and script, and with `opts.run` builds the module
/// and runs the script.
pub fn export_file(
    path: &Path,
    opts: &NestRunOptions,
) -> Result<NestOutcome, crate::simulate::SimError> {
    use crate::back::export::ExportInput;
    use crate::simulate::SimError;
    let input = ExportInput::prepare(path, opts.out_dir.as_deref(), &opts.check)?;
    let nest_opts = NestOptions { seed: opts.seed };
    let export = match export(input.model(), input.ir(), &input.stem, &nest_opts) {
        Ok(e) => e,
        Err(d) => return Err(input.fail(d)),
    };
    let named = export.files();
    let files: Vec<(&str, &str)> = named.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let files = match input.write(&files, &|_| None) {
        Ok(files) => files,
        Err(d) => return Err(input.fail(d)),
    };
    let dir = input.dir.clone();
    let script = dir.join(&export.script.0);
    let (mut built, mut status) = (false, None);
    if opts.run {
        let python = run::python();
        run::check_tools(&python).map_err(SimError::Usage)?;
        let (module, fresh) = run::ensure_module(&python, &export).map_err(SimError::Run)?;
        built = fresh;
        run::install_module(&module, &dir).map_err(SimError::Run)?;
        status = Some(run::run_script(&python, &script, &dir).map_err(SimError::Run)?);
    }
    let (sources, warnings) = input.into_report();
    Ok(NestOutcome {
        dir,
        script,
        files,
        built,
        status,
        sources,
        warnings,
    })
}
