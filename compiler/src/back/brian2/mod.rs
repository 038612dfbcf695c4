//! The Brian2 target: `lemsc FILE --target brian2 [-o DIR] [--run]` writes
//! `LEMS_<name>_brian2.py`, a self-contained Brian2 script that reproduces jLEMS's run and
//! writes the same output files as the native target.
//!
//! It prints the lowered [`Program`] (the kernels the native target runs, which already
//! follow jLEMS's step: requirement copies, exposures, derived variables in document order,
//! regimes after the Euler update) rather than Brian2 equations and integrators:
//! - [`layout`]: one `NeuronGroup` per kernel (across populations where the order allows),
//!   the groups' order;
//! - [`shapes`]: kernels that differ only in constants share a group;
//! - [`code`]: kernel statements as Brian2 abstract code (conditions as `lemsc_ifelse`);
//! - [`links`]: values read from other instances as linked or summed variables;
//! - [`events`]: event connections as `Synapses`, with jLEMS's delivery times;
//! - [`kinetic`]: kinetic schemes, stepped by a user function of their own groups;
//! - [`initial`]: the initial state, from the runtime's own initialisation;
//! - [`script`]: the script through `codegen-templates/brian2/script.py.tera`;
//! - [`support`]: what Brian2 cannot express, refused at the model text;
//! - [`run`]: `--run`, the script run by a Python that has brian2.

pub mod code;
pub mod events;
pub mod initial;
pub mod kinetic;
pub mod layout;
pub mod links;
pub mod names;
pub mod run;
pub mod script;
pub mod shapes;
pub mod support;

use std::path::{Path, PathBuf};

use lemsc_runtime::program::Program;

use crate::back::export::ExportInput;
use crate::diag::{Diagnostic, SourceMap};
use crate::passes::kernels::ProgramOptions;
use crate::pipeline::CheckOptions;
use crate::simulate::SimError;

/// Output helpers written beside the script (the NEURON runner's: same files, same format).
pub const SUPPORT_TEXT: &str = crate::back::neuron::runner::SUPPORT_TEXT;
pub const SUPPORT_FILE: &str = crate::back::neuron::runner::SUPPORT_FILE;
/// The support module's C++ row writer, which the script has it compile into the build cache.
pub const WRITER_TEXT: &str = crate::back::neuron::runner::WRITER_TEXT;
pub const WRITER_FILE: &str = crate::back::neuron::runner::WRITER_FILE;
/// What every script shares (its functions, build and output files), written beside it.
pub const BRIAN2_SUPPORT_TEXT: &str =
    include_str!("../../../../codegen-templates/brian2/support.py");
pub const BRIAN2_SUPPORT_FILE: &str = "lemsc_brian2_support.py";

/// Where Brian2 runs the generated code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Device {
    /// C++ compiled as one program (IEEE arithmetic, fastest; builds are cached).
    #[default]
    CppStandalone,
    /// Cython runtime code.
    Cython,
    /// numpy, no compiler.
    Numpy,
}

impl Device {
    pub fn name(self) -> &'static str {
        match self {
            Device::CppStandalone => "cpp_standalone",
            Device::Cython => "cython",
            Device::Numpy => "numpy",
        }
    }
}

/// What the command line asks of the Brian2 target.
#[derive(Clone, Debug, Default)]
pub struct Brian2Options {
    /// `-o DIR`: where the script goes and runs (the LEMS file's folder when `None`).
    pub out_dir: Option<PathBuf>,
    pub seed: Option<i64>,
    /// Also run the script.
    pub run: bool,
    pub device: Device,
    pub check: CheckOptions,
}

/// A written (and perhaps run) script.
pub struct Brian2Outcome {
    pub script: PathBuf,
    /// Every file written.
    pub files: Vec<PathBuf>,
    /// The script's exit status, when it ran.
    pub status: Option<i32>,
    pub sources: SourceMap,
    pub warnings: Vec<Diagnostic>,
}

/// `<stem>_brian2.py`.
pub fn script_file_name(lems_stem: &str) -> String {
    const SUFFIX: &str = "_brian2.py";
    let stem = crate::back::neuron::names::shorten(lems_stem, 255 - SUFFIX.len());
    format!("{stem}{SUFFIX}")
}

/// The script's text for a lowered program; `title` names it in its first line.
pub fn script_text(program: &Program, title: &str, device: Device) -> Result<String, String> {
    let initial = initial::initial_values(program)?;
    script::script(
        program,
        &script::ScriptInput {
            title,
            support_module: SUPPORT_FILE.trim_end_matches(".py"),
            brian2_support: BRIAN2_SUPPORT_FILE.trim_end_matches(".py"),
            device: device.name(),
            initial: &initial,
        },
    )
}

/// Checks `path`, writes its Brian2 script (and the output helpers) and, with `opts.run`,
/// runs it.
pub fn export_file(path: &Path, opts: &Brian2Options) -> Result<Brian2Outcome, SimError> {
    let input = ExportInput::prepare(path, opts.out_dir.as_deref(), &opts.check)?;
    let (model, ir) = (input.model(), input.ir());
    let refused = support::check_brian2(model, ir);
    if !refused.is_empty() {
        return Err(input.fail(refused));
    }
    // Output paths stay relative: the script writes them from its own folder.
    let program_opts = ProgramOptions {
        out_dir: PathBuf::new(),
        seed: opts.seed,
    };
    let program = match crate::passes::kernels::build_program_within(
        model,
        ir,
        &program_opts,
        opts.check.limits.max_memory_bytes,
    ) {
        Ok(p) => p,
        Err(diags) => return Err(input.fail(diags)),
    };
    let simulation = model.component(ir.simulation.component).name_span;
    let text = match script_text(&program, &input.stem, opts.device) {
        Ok(text) => text,
        Err(why) => {
            let d = Diagnostic::at(simulation, format!("cannot write a Brian2 script: {why}"));
            return Err(input.fail(vec![d]));
        }
    };
    let name = script_file_name(&input.stem);
    let files = [
        (name.as_str(), text.as_str()),
        (SUPPORT_FILE, SUPPORT_TEXT),
        (WRITER_FILE, WRITER_TEXT),
        (BRIAN2_SUPPORT_FILE, BRIAN2_SUPPORT_TEXT),
    ];
    let written = match input.write(&files, &|_| Some(simulation)) {
        Ok(written) => written,
        Err(d) => return Err(input.fail(d)),
    };
    let dir = input.dir.clone();
    let mut status = None;
    if opts.run {
        let python = run::find_python().map_err(SimError::Usage)?;
        let code = run::run_script(&python, Path::new(&name), &dir, opts.device.name())
            .map_err(SimError::Run)?;
        status = Some(code);
    }
    let (sources, warnings) = input.into_report();
    Ok(Brian2Outcome {
        script: dir.join(&name),
        files: written,
        status,
        sources,
        warnings,
    })
}
