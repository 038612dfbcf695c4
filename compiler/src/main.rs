//! The `lemsc` command line.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use lemsc::diag::{render, Diagnostic};
use lemsc::{check, CheckOptions, Checked};

/// Exit status: the model is fine.
const EXIT_OK: u8 = 0;
/// Exit status: the model has errors.
const EXIT_MODEL_ERRORS: u8 = 1;
/// Exit status: the command line was wrong (bad option, missing file, target not available).
const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "lemsc",
    version,
    about = "Compile LEMS and NeuroML2 models to fast simulations",
    long_about = "Compile LEMS and NeuroML2 models to fast simulations.\n\n\
        `lemsc LEMS_sim.xml` reads a LEMS simulation file and everything it includes (NeuroML2 \
        files too) and builds it for a target. `lemsc check FILE...` only reads and checks.\n\n\
        Includes of the NeuroML2 core types (`Cells.xml`, `NeuroML2CoreTypes/Networks.xml`, ...) \
        resolve to the definitions built into lemsc unless such a file sits beside the \
        including file or in a folder given with -I.\n\n\
        Exit status: 0 success, 1 errors in the model, 2 usage errors.",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// The LEMS simulation file to build (e.g. LEMS_NML2_Ex1_HH.xml)
    #[arg(required = true)]
    file: Option<PathBuf>,

    /// What to build the model for
    #[arg(long, value_enum, default_value_t = Target::Native)]
    target: Target,

    /// Print an intermediate form to stdout instead of building
    #[arg(long, value_enum, value_name = "FORM")]
    emit: Option<Emit>,

    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Read and check models without building them; print a summary of each
    ///
    /// Every file is loaded with its includes, every component type and component is
    /// resolved, and every expression is dimension-checked. Errors name file, line and column.
    Check {
        /// LEMS (.xml) or NeuroML2 (.nml) files
        #[arg(required = true)]
        files: Vec<PathBuf>,

        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Args, Clone)]
struct CommonArgs {
    /// Search DIR for included files (after the including file's folder, before the built-in
    /// core types); repeatable
    #[arg(short = 'I', long = "include-dir", value_name = "DIR")]
    include_dirs: Vec<PathBuf>,

    /// When to colour diagnostics
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,

    /// Print only errors
    #[arg(short, long)]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Target {
    /// Native code through LLVM, run in process (jLEMS-compatible output files)
    Native,
    /// NMODL mechanisms and a Python runner for NEURON
    Neuron,
    /// A Python script for Brian2
    Brian2,
    /// A Python script for NEST
    Nest,
}

#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    /// The simulation IR: instances, connections, inputs and resolved recorders
    Ir,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Check { files, common }) => run_check(&files, &common),
        None => {
            let file = cli.file.expect("clap requires FILE without a subcommand");
            run_build(&file, cli.target, cli.emit, &cli.common)
        }
    };
    ExitCode::from(code)
}

/// `lemsc check FILE...`: each file is checked on its own, as a separate model.
fn run_check(files: &[PathBuf], common: &CommonArgs) -> u8 {
    let mut worst = EXIT_OK;
    for file in files {
        let code = match load_checked(file, common) {
            Ok(checked) => {
                if !common.quiet {
                    if let Some(model) = &checked.model {
                        println!("{}:", file.display());
                        let summary = lemsc::model::summary::summary(model);
                        println!("{}", summary.trim_end());
                    }
                }
                EXIT_OK
            }
            Err(code) => code,
        };
        worst = worst.max(code);
    }
    worst
}

/// `lemsc FILE --target T`: check, then hand the model to the target's backend.
fn run_build(file: &PathBuf, target: Target, emit: Option<Emit>, common: &CommonArgs) -> u8 {
    let checked = match load_checked(file, common) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    let model = checked.model.as_ref().expect("a checked model");
    let Some(ir) = checked.ir.as_ref() else {
        // Checking lowers only a Simulation target; lowering again says what is missing.
        let (_, diags) = lemsc::passes::lower(model);
        return report_failure(file, &checked, &diags.list, common);
    };
    if let Some(Emit::Ir) = emit {
        print!("{}", lemsc::ir::print::print(ir, model));
        return EXIT_OK;
    }
    if let Target::Native = target {
        let unsupported = lemsc::passes::support::check_native(model, ir);
        if unsupported.has_errors() {
            return report_failure(file, &checked, &unsupported.list, common);
        }
    }
    let name = match target {
        Target::Native => "native",
        Target::Neuron => "neuron",
        Target::Brian2 => "brian2",
        Target::Nest => "nest",
    };
    eprintln!(
        "error: the {name} target is not built yet; the model was read and checked \
         (`lemsc check` prints a summary of it)"
    );
    EXIT_USAGE
}

/// Prints the errors of a stage after checking and the error count; the exit code.
fn report_failure(file: &Path, checked: &Checked, diags: &[Diagnostic], common: &CommonArgs) -> u8 {
    let color = match common.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal(),
    };
    eprint!("{}", render(&checked.sources, diags, color));
    let n = diags.iter().filter(|d| d.is_error()).count().max(1);
    eprintln!(
        "{}: {n} error{}",
        file.display(),
        if n == 1 { "" } else { "s" }
    );
    EXIT_MODEL_ERRORS
}

/// Loads and checks one model, printing its diagnostics; the exit code on failure.
fn load_checked(file: &PathBuf, common: &CommonArgs) -> Result<Checked, u8> {
    if !file.is_file() {
        eprintln!("error: cannot read '{}': no such file", file.display());
        return Err(EXIT_USAGE);
    }
    for dir in &common.include_dirs {
        if !dir.is_dir() {
            eprintln!("error: include folder '{}' does not exist", dir.display());
            return Err(EXIT_USAGE);
        }
    }
    let opts = CheckOptions {
        include_dirs: common.include_dirs.clone(),
    };
    let checked = check(std::slice::from_ref(file), &opts);
    let shown: Vec<Diagnostic> = checked
        .diagnostics
        .list
        .iter()
        .filter(|d| d.is_error() || !common.quiet)
        .cloned()
        .collect();
    if !shown.is_empty() {
        let color = match common.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => std::io::stderr().is_terminal(),
        };
        eprint!("{}", render(&checked.sources, &shown, color));
    }
    if checked.ok() {
        Ok(checked)
    } else {
        let n = checked.diagnostics.error_count().max(1);
        eprintln!(
            "{}: {n} error{}",
            file.display(),
            if n == 1 { "" } else { "s" }
        );
        Err(EXIT_MODEL_ERRORS)
    }
}
