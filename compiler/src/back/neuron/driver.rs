//! `lemsc FILE --target neuron [--run]` from start to end: the file checked and lowered, the
//! mods and the runner written, and with `--run` compiled and run with NEURON.

use std::path::{Path, PathBuf};

use crate::back::export::ExportInput;
use crate::diag::{Diagnostic, SourceMap};
use crate::pipeline::CheckOptions;
use crate::simulate::SimError;

/// What `--target neuron` is asked to do.
#[derive(Clone, Debug, Default)]
pub struct NeuronRunOptions {
    /// Where the mods and the runner go (and where the runner runs); the LEMS file's folder
    /// when `None`, as jNeuroML does.
    pub out_dir: Option<PathBuf>,
    /// Overrides the `<Simulation seed=...>` of the file.
    pub seed: Option<i64>,
    /// Also compile the mechanisms with `nrnivmodl` and run the runner.
    pub run: bool,
    /// How the runner writes the output files.
    pub output_style: super::OutputStyle,
    /// Extra folders searched for included files (`-I`), and `--strict`.
    pub check: CheckOptions,
}

/// A finished NEURON export (and run).
pub struct NeuronOutcome {
    /// Mods and runner were written here; the runner ran with it as working folder.
    pub dir: PathBuf,
    pub runner: PathBuf,
    /// Every generated file.
    pub files: Vec<PathBuf>,
    /// The runner's exit status, when it ran.
    pub status: Option<i32>,
    pub sources: SourceMap,
    pub warnings: Vec<Diagnostic>,
}

/// Checks `path`, writes its NEURON mechanisms and runner, and with `opts.run` compiles and
/// runs them. A failing `nrnivmodl` is [`SimError::Run`] naming the folder; the runner's own
/// exit status is returned in the outcome (its output went to the terminal).
pub fn export_file(path: &Path, opts: &NeuronRunOptions) -> Result<NeuronOutcome, SimError> {
    use crate::back::neuron;
    let input = ExportInput::prepare(path, opts.out_dir.as_deref(), &opts.check)?;
    let nopts = neuron::NeuronOptions {
        seed: opts.seed,
        output_style: opts.output_style,
    };
    let export = match neuron::export(input.model(), input.ir(), &input.stem, &nopts) {
        Ok(e) => e,
        Err(diagnostics) => return Err(input.fail(diagnostics)),
    };
    let files: Vec<(&str, &str)> = export
        .files()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let files = match input.write(&files, &|name| export.origins.get(name).copied()) {
        Ok(files) => files,
        Err(diagnostics) => return Err(input.fail(diagnostics)),
    };
    let dir = input.dir.clone();
    let runner = dir.join(&export.runner.0);
    let mut status = None;
    if opts.run {
        let tools = neuron::run::find_tools().map_err(SimError::Usage)?;
        neuron::run::compile_mechanisms(&tools, &dir).map_err(|f| SimError::Run(f.message))?;
        let code =
            neuron::run::run_runner(&tools, &runner, &dir).map_err(|f| SimError::Run(f.message))?;
        status = Some(code);
    }
    let (sources, warnings) = input.into_report();
    Ok(NeuronOutcome {
        dir,
        runner,
        files,
        status,
        sources,
        warnings,
    })
}
