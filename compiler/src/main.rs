//! The `lemsc` command line.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use lemsc::diag::{group_warnings, render, Diagnostic};
use lemsc::limits::{self, Limits};
use lemsc::pipeline::CheckOptions;
use lemsc::simulate::{
    check_file, run_file_with_progress, Engine, RunOptions, RunOutcome, SimError, Threads,
};
use lemsc::Checked;

mod jnml_home;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Like `print!` and `eprint!`, but a closed pipe (`lemsc check FILE | head -1`) is not an
// error: the text is dropped and lemsc goes on to its usual exit status instead of panicking.
macro_rules! stdout {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! stdoutln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! stderr {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}
macro_rules! stderrln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

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

    /// The LEMS simulation file to build and run (e.g. LEMS_NML2_Ex1_HH.xml)
    #[arg(required = true)]
    file: Option<PathBuf>,

    /// What to build the model for; `native` also runs it
    #[arg(long, value_enum, default_value_t = Target::Native)]
    target: Target,

    /// Print an intermediate form to stdout instead of building
    #[arg(long, value_enum, value_name = "FORM")]
    emit: Option<Emit>,

    /// Seed of the random generator, instead of the Simulation's `seed` (default 1234)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    seed: Option<i64>,

    /// Refuse to run a simulation whose output files would take more than this many GiB
    /// (estimated from length, step and columns before the run)
    #[arg(long, value_name = "GIB", default_value_t = 16.0)]
    max_output_gib: f64,

    /// Write output files under DIR instead of the LEMS file's folder (`results/x.dat`
    /// becomes DIR/results/x.dat)
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: Option<PathBuf>,

    /// Run the kernels in the reference interpreter instead of LLVM-compiled code (slow; a
    /// debugging aid to tell a compiler bug from a model problem)
    #[arg(long, value_enum, default_value_t = EngineArg::Native, hide = true)]
    engine: EngineArg,

    /// Also draw each `<Display>` of the simulation as DISPLAY_ID.png and DISPLAY_ID.svg in
    /// the output folder (native target)
    #[arg(long)]
    plot: bool,

    /// The same model, not the same bits: linear synapses of one component on one cell share
    /// one state (each connection keeps its weight); native target
    #[arg(long)]
    fast: bool,

    /// The most threads a native run steps the model on (default: one per core no other
    /// thread is running on as the run starts). Only networks whose steps do enough work
    /// are split, and a split run writes the same bits as one thread
    #[arg(long, value_name = "N")]
    threads: Option<usize>,

    /// Split a step between threads only when it runs at least this many statements
    /// (benchmarks and tests)
    #[arg(long, value_name = "STATEMENTS", hide = true)]
    parallel_min_work: Option<u64>,

    /// How NeuroML <cell>s are simulated natively: `jlems` (default) as jLEMS for cells of
    /// one compartment and as NEURON for multi-compartment cells; `neuron`: every <cell> as
    /// NEURON does (compartments, backward Euler), as the jNeuroML_NEURON and EDEN OMV
    /// engines run them
    #[arg(long, value_enum, default_value_t = CellNumericsArg::Jlems, value_name = "HOW")]
    cell_numerics: CellNumericsArg,

    /// With `--target neuron`: also compile the mechanisms (nrnivmodl) and run the runner;
    /// with `--target nest`: also build the NESTML module (cached) and run the script; the
    /// exit status is the simulator's. With `--target brian2`: also run the script
    #[arg(long)]
    run: bool,

    /// With `--target brian2`: the device the script runs on by default
    #[arg(long, value_enum, default_value_t = Brian2DeviceArg::CppStandalone, value_name = "DEVICE")]
    brian2_device: Brian2DeviceArg,

    /// With `--target neuron`: the text of the output files the runner writes, as jLEMS
    /// writes them (the native target's text) or as jNeuroML's NEURON export does
    #[arg(long, value_enum, default_value_t = NeuronOutputArg::Jlems, value_name = "STYLE")]
    neuron_output: NeuronOutputArg,

    /// Print the time spent reading, lowering, compiling and simulating
    #[arg(short, long, conflicts_with = "quiet")]
    verbose: bool,

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

    /// Print a folder holding a `jnml` program that runs lemsc with jNeuroML's command line
    ///
    /// `JNML_HOME=$(lemsc jnml-home) omv test FILE.omt` runs OMV's jNeuroML and
    /// jNeuroML_NEURON tests with lemsc. The program is made (or remade) on demand in the
    /// user's cache folder.
    JnmlHome,

    /// jNeuroML's command line (what the `jnml` program of `lemsc jnml-home` runs)
    #[command(hide = true, disable_help_flag = true)]
    Jnml {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
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

    /// How diagnostics are printed on stderr: `human` (with the source line) or `json` (one
    /// object a line, in cargo's `--message-format json` shape; stderr then holds nothing
    /// else)
    #[arg(long, value_enum, value_name = "FMT", default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,

    /// Print only errors
    #[arg(short, long)]
    quiet: bool,

    /// Refuse what lemsc otherwise accepts with a warning, as jLEMS accepts it
    /// (docs/leniency.md): for model repositories that want their files clean
    #[arg(long)]
    strict: bool,

    /// Let the model's output files lie outside the output folder (`-o DIR`, else the LEMS
    /// file's folder); by default such a file name is an error
    #[arg(long)]
    allow_writes_outside: bool,

    /// Refuse a model whose Structure makes more than N instances (cells, synapses, inputs
    /// and their parts)
    #[arg(long, value_name = "N", default_value_t = limits::DEFAULT_MAX_INSTANCES)]
    max_instances: usize,

    /// Refuse a model whose Structure makes more than N event connections
    #[arg(long, value_name = "N", default_value_t = limits::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,

    /// Refuse a simulation whose state would take more than this many GiB of memory
    /// (estimated before it is allocated)
    #[arg(long, value_name = "GIB", default_value_t = 12.0)]
    max_memory_gib: f64,
}

impl CommonArgs {
    fn check_options(&self) -> CheckOptions {
        CheckOptions {
            include_dirs: self.include_dirs.clone(),
            strict: self.strict,
            allow_writes_outside: self.allow_writes_outside,
            limits: Limits {
                max_instances: self.max_instances,
                max_connections: self.max_connections,
                max_memory_bytes: limits::gib_to_bytes(self.max_memory_gib),
            },
        }
    }
}

/// `--cell-numerics`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CellNumericsArg {
    Jlems,
    Neuron,
}

impl CellNumericsArg {
    fn numerics(self) -> lemsc::passes::cable::CellNumerics {
        match self {
            CellNumericsArg::Jlems => lemsc::passes::cable::CellNumerics::Jlems,
            CellNumericsArg::Neuron => lemsc::passes::cable::CellNumerics::Neuron,
        }
    }
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

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Brian2DeviceArg {
    /// C++ built as one program (cached by content)
    #[value(name = "cpp_standalone")]
    CppStandalone,
    /// Cython runtime code
    Cython,
    /// numpy, no compiler
    Numpy,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineArg {
    /// LLVM-compiled kernels (the interpreter in a build without the `native` feature)
    Native,
    /// The reference interpreter
    Interpreter,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum NeuronOutputArg {
    /// 32-bit floats in Java's layout, as jLEMS and the native target write them
    Jlems,
    /// `%e` numbers (7 significant digits) and NEURON's own times, as `jnml -neuron -run`
    Jneuroml,
}

#[derive(Clone, Copy, ValueEnum)]
enum Emit {
    /// The simulation IR: instances, connections, inputs and resolved recorders
    Ir,
    /// The native target's program: each kernel's statements, the instances, the
    /// initialisation and step orders, connections and recorded values
    Program,
    /// The mechanism plans the text targets receive (one per mod of the NEURON export):
    /// parameters, states, derived values in order, rates, conditions, events, regimes
    Mechanism,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    /// Messages for people: file:line:column, the source line, notes
    Human,
    /// One JSON object a line, as cargo prints them (`reason`, `message` with `spans`)
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    remove_partial_outputs_on_signals();
    ExitCode::from(dispatch(cli))
}

/// Runs what the command line asks for; the exit code.
fn dispatch(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Check { files, common }) => run_check(&files, &common),
        Some(Command::JnmlHome) => run_jnml_home(),
        Some(Command::Jnml { args }) => run_jnml(&args),
        None => {
            let file = cli
                .file
                .clone()
                .expect("clap requires FILE without a subcommand");
            match (cli.target, cli.emit) {
                (Target::Native, None) => run_native(&file, &cli),
                _ if cli.plot => {
                    let message = "--plot draws the Displays of a native run (`lemsc FILE --plot`)";
                    print_plain_error(message, &cli.common);
                    EXIT_USAGE
                }
                (_, None) if cli.fast => {
                    let message =
                        "--fast merges the synapses of a native run (`lemsc FILE --fast`); \
                                   the exports keep every synapse";
                    print_plain_error(message, &cli.common);
                    EXIT_USAGE
                }
                (Target::Neuron, None) => run_neuron(&file, &cli),
                (Target::Nest, None) => run_nest(&file, &cli),
                (Target::Brian2, None) => run_brian2(&file, &cli),
                (_, Some(emit)) => run_emit(&file, emit, &cli),
            }
        }
    }
}

/// `lemsc jnml-home`: the folder, on stdout.
fn run_jnml_home() -> u8 {
    match jnml_home::ensure_home() {
        Ok(home) => {
            stdoutln!("{}", home.display());
            EXIT_OK
        }
        Err(message) => {
            stderrln!("error: {message}");
            EXIT_MODEL_ERRORS
        }
    }
}

/// `lemsc jnml ARGS...`: jNeuroML's command line, translated into lemsc's.
fn run_jnml(args: &[OsString]) -> u8 {
    match jnml_home::translate(args) {
        jnml_home::JnmlCommand::Version => {
            stdoutln!("{}", jnml_home::version_line());
            EXIT_OK
        }
        jnml_home::JnmlCommand::Lemsc(argv) => match Cli::try_parse_from(argv) {
            Ok(cli) => dispatch(cli),
            Err(e) => {
                let _ = e.print();
                EXIT_USAGE
            }
        },
        jnml_home::JnmlCommand::Unsupported(message) => {
            stderrln!("jnml (lemsc): {message}");
            EXIT_USAGE
        }
    }
}

/// SIGINT and SIGTERM end a run without leaving its temporary output files behind: a thread
/// waits for them, deletes those files, then lets the signal end the process as it would
/// have (so the caller still sees "killed by SIGINT").
#[cfg(unix)]
fn remove_partial_outputs_on_signals() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            lemsc_runtime::output::remove_pending_files();
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    });
}

#[cfg(not(unix))]
fn remove_partial_outputs_on_signals() {}

/// `lemsc check FILE...`: each file is checked on its own, as a separate model.
fn run_check(files: &[PathBuf], common: &CommonArgs) -> u8 {
    let mut worst = EXIT_OK;
    for file in files {
        let code = match load_checked(file, common) {
            Ok(checked) => {
                if !common.quiet {
                    if let Some(model) = &checked.model {
                        stdoutln!("{}:", file.display());
                        let summary = lemsc::model::summary::summary(model);
                        stdoutln!("{}", summary.trim_end());
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

/// `lemsc FILE [--target native]`: check, lower, compile and run; the output files are written
/// where the simulation names them.
fn run_native(file: &Path, cli: &Cli) -> u8 {
    let engine = match cli.engine {
        EngineArg::Native => Engine::Native,
        EngineArg::Interpreter => Engine::Interpreter,
    };
    let opts = RunOptions {
        out_dir: cli.out_dir.clone(),
        seed: cli.seed,
        engine,
        check: cli.common.check_options(),
        max_output_bytes: (cli.max_output_gib.max(0.0) * 1024.0 * 1024.0 * 1024.0) as u64,
        plot: cli.plot,
        fast: cli.fast,
        cell_numerics: cli.cell_numerics.numerics(),
        threads: Threads {
            count: cli.threads.map_or(Threads::IDLE_CORES.count, |n| n.max(1)),
            min_work: cli.parallel_min_work,
        },
    };
    if cli.verbose && engine.available() != engine && !json_messages(&cli.common) {
        stderrln!(
            "note: this lemsc was built without the `native` feature (LLVM); the kernels run \
             in the interpreter"
        );
    }
    let mut progress = ProgressDisplay::new(!cli.common.quiet && !json_messages(&cli.common));
    let result =
        run_file_with_progress(file, &opts, &mut |done, total| progress.update(done, total));
    progress.finish();
    match result {
        Ok(outcome) => {
            let shown = shown_diagnostics(&outcome.warnings, cli.common.quiet);
            print_diagnostics(&outcome.sources, &shown, &cli.common);
            if cli.verbose && !json_messages(&cli.common) {
                print_timings(&outcome);
            }
            EXIT_OK
        }
        Err(err) => report_sim_error(file, err, &cli.common),
    }
}

/// Prints why a file could not be checked or run; the exit code.
fn report_sim_error(file: &Path, err: SimError, common: &CommonArgs) -> u8 {
    match err {
        SimError::Usage(message) => {
            print_plain_error(&message, common);
            EXIT_USAGE
        }
        SimError::Model {
            sources,
            diagnostics,
        } => {
            let shown = shown_diagnostics(&diagnostics, common.quiet);
            print_diagnostics(&sources, &shown, common);
            print_error_count(
                file,
                diagnostics.iter().filter(|d| d.is_error()).count(),
                common,
            );
            EXIT_MODEL_ERRORS
        }
        SimError::Run(message) => {
            print_plain_error(&message, common);
            if !json_messages(common) {
                stderrln!("{}: the simulation stopped", file.display());
            }
            EXIT_MODEL_ERRORS
        }
        SimError::Engine(e) => report_sim_error(file, SimError::Run(e.to_string()), common),
        SimError::Stopped {
            sources,
            diagnostics,
        } => {
            let shown = shown_diagnostics(&diagnostics, common.quiet);
            print_diagnostics(&sources, &shown, common);
            if !json_messages(common) {
                stderrln!("{}: the simulation stopped", file.display());
            }
            EXIT_MODEL_ERRORS
        }
    }
}

/// `-v`: where the time went, stage by stage.
fn print_timings(outcome: &RunOutcome) {
    let t = &outcome.timings;
    let row = |what: &str, d: Duration| stderrln!("  {what:<16}{:>10.3} s", d.as_secs_f64());
    let threads = match outcome.threads {
        1 => String::new(),
        n => format!(" on {n} threads"),
    };
    stderrln!(
        "{} steps, kernels run by the {} engine{threads}:",
        outcome.steps,
        outcome.engine.name()
    );
    row("parse and check", t.parse_check);
    row("lowering", t.lowering);
    row("compile", t.compile);
    row("simulate", t.simulate);
    row("total", t.total());
    for path in outcome.outputs.iter().chain(&outcome.plots) {
        stderrln!("  wrote {}", path.display());
    }
}

/// Every error, and the warnings too unless `quiet`.
fn shown_diagnostics(diags: &[Diagnostic], quiet: bool) -> Vec<Diagnostic> {
    let kept: Vec<Diagnostic> = diags
        .iter()
        .filter(|d| d.is_error() || !quiet)
        .cloned()
        .collect();
    group_warnings(&kept)
}

/// Prints diagnostics on stderr in the `--message-format` asked for.
fn print_diagnostics(sources: &lemsc::diag::SourceMap, shown: &[Diagnostic], common: &CommonArgs) {
    if shown.is_empty() {
        return;
    }
    match common.message_format {
        MessageFormat::Human => stderr!("{}", render(sources, shown, use_color(common.color))),
        MessageFormat::Json => {
            for d in shown {
                stderrln!("{}", lemsc::diag_json::message_line(sources, d));
            }
        }
    }
}

/// An error with no place in the model (a missing file, a failed run).
fn print_plain_error(message: &str, common: &CommonArgs) {
    match common.message_format {
        MessageFormat::Human => stderrln!("error: {message}"),
        MessageFormat::Json => stderrln!("{}", lemsc::diag_json::plain_error_line(message)),
    }
}

/// With `--message-format json`, stderr holds only JSON lines: summaries and timings are
/// left out.
fn json_messages(common: &CommonArgs) -> bool {
    common.message_format == MessageFormat::Json
}

fn print_error_count(file: &Path, errors: usize, common: &CommonArgs) {
    if json_messages(common) {
        return;
    }
    let n = errors.max(1);
    stderrln!(
        "{}: {n} error{}",
        file.display(),
        if n == 1 { "" } else { "s" }
    );
}

fn use_color(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal(),
    }
}

/// A progress bar for long runs. It appears only on a terminal and only once a run has gone
/// on for [`ProgressDisplay::SHOW_AFTER`], so short runs and logs stay clean.
struct ProgressDisplay {
    enabled: bool,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl ProgressDisplay {
    const SHOW_AFTER: Duration = Duration::from_secs(2);

    fn new(wanted: bool) -> ProgressDisplay {
        ProgressDisplay {
            enabled: wanted && std::io::stderr().is_terminal(),
            started: Instant::now(),
            bar: None,
        }
    }

    fn update(&mut self, done: u64, total: u64) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() {
            if self.started.elapsed() < Self::SHOW_AFTER {
                return;
            }
            let bar = ProgressBar::new(total);
            let style = ProgressStyle::with_template(
                "simulating {wide_bar} {percent:>3}% {elapsed} (eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

/// `lemsc FILE --target neuron [--run]`: write the mods and the runner (beside the LEMS file,
/// or in `-o DIR`); with `--run` also compile and run them with NEURON.
fn run_neuron(file: &Path, cli: &Cli) -> u8 {
    let opts = lemsc::back::neuron::NeuronRunOptions {
        out_dir: cli.out_dir.clone(),
        seed: cli.seed,
        run: cli.run,
        output_style: match cli.neuron_output {
            NeuronOutputArg::Jlems => lemsc::back::neuron::OutputStyle::Jlems,
            NeuronOutputArg::Jneuroml => lemsc::back::neuron::OutputStyle::Jneuroml,
        },
        check: cli.common.check_options(),
    };
    match lemsc::back::neuron::export_file(file, &opts) {
        Ok(o) => report_export(&exported!(o, "the NEURON runner", runner), cli),
        Err(e) => report_sim_error(file, e, &cli.common),
    }
}

/// `lemsc FILE --target brian2 [--run]`: write the Brian2 script (beside the LEMS file, or
/// in `-o DIR`); with `--run` also run it.
fn run_brian2(file: &Path, cli: &Cli) -> u8 {
    use lemsc::back::brian2::{export_file, Brian2Options, Device};
    let opts = Brian2Options {
        out_dir: cli.out_dir.clone(),
        seed: cli.seed,
        run: cli.run,
        device: match cli.brian2_device {
            Brian2DeviceArg::CppStandalone => Device::CppStandalone,
            Brian2DeviceArg::Cython => Device::Cython,
            Brian2DeviceArg::Numpy => Device::Numpy,
        },
        check: cli.common.check_options(),
    };
    match export_file(file, &opts) {
        Ok(o) => report_export(&exported!(o, "the Brian2 script", script), cli),
        Err(e) => report_sim_error(file, e, &cli.common),
    }
}

/// `lemsc FILE --target nest [--run]`: write the NESTML models and the script (beside the
/// LEMS file, or in `-o DIR`); with `--run` also build the module and run the script.
fn run_nest(file: &Path, cli: &Cli) -> u8 {
    let opts = lemsc::back::nest::NestRunOptions {
        out_dir: cli.out_dir.clone(),
        seed: cli.seed,
        run: cli.run,
        check: cli.common.check_options(),
    };
    match lemsc::back::nest::export_file(file, &opts) {
        Ok(o) => report_export(&exported!(o, "the NEST script", script), cli),
        Err(e) => report_sim_error(file, e, &cli.common),
    }
}

/// The [`Exported`] view of a text target's outcome `$o`, whose generated program is
/// `$o.$program`, called `$what`: the outcome types of the three targets share these fields.
macro_rules! exported {
    ($o:expr, $what:literal, $program:ident) => {
        Exported {
            sources: &$o.sources,
            warnings: &$o.warnings,
            files: &$o.files,
            status: $o.status,
            program: format!("{} {}", $what, $o.$program.display()),
        }
    };
}
use exported;

/// What a text target's export did, in the terms the command line reports.
struct Exported<'a> {
    sources: &'a lemsc::diag::SourceMap,
    warnings: &'a [Diagnostic],
    files: &'a [PathBuf],
    /// The generated program's exit status, when `--run` ran it.
    status: Option<i32>,
    /// What ran, for the error line ("the NEST script x").
    program: String,
}

/// Prints an export's warnings and written files (or, with `--run`, only when verbose); the
/// exit code: the generated program's own status when it failed.
fn report_export(exported: &Exported, cli: &Cli) -> u8 {
    let shown = shown_diagnostics(exported.warnings, cli.common.quiet);
    print_diagnostics(exported.sources, &shown, &cli.common);
    if (cli.verbose || !cli.run) && !cli.common.quiet && !json_messages(&cli.common) {
        for f in exported.files {
            stderrln!("  wrote {}", f.display());
        }
    }
    match exported.status {
        Some(0) | None => EXIT_OK,
        Some(code) => {
            let message = format!("{} exited with status {code}", exported.program);
            print_plain_error(&message, &cli.common);
            u8::try_from(code).unwrap_or(1).max(1)
        }
    }
}

/// `lemsc FILE --emit ir|program|mechanism`: check, then print that layer of the model.
fn run_emit(file: &Path, emit: Emit, cli: &Cli) -> u8 {
    let common = &cli.common;
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
    match emit {
        Emit::Ir => {
            stdout!("{}", lemsc::ir::print::print(ir, model));
            EXIT_OK
        }
        Emit::Program => {
            let out_dir = cli
                .out_dir
                .clone()
                .unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default());
            let opts = lemsc::passes::kernels::ProgramOptions {
                out_dir,
                seed: cli.seed,
            };
            let built = lemsc::simulate::build_program(
                model,
                ir,
                &opts,
                cli.common.check_options().limits.max_memory_bytes,
                cli.cell_numerics.numerics(),
            );
            match built {
                Ok(mut program) => {
                    if cli.fast {
                        lemsc::passes::fast::merge_linear_synapses(ir, &mut program);
                    }
                    stdout!("{}", lemsc_runtime::program::print::print(&program));
                    EXIT_OK
                }
                Err(diags) => report_failure(file, &checked, &diags, common),
            }
        }
        Emit::Mechanism => match lemsc::back::neuron::mechanism_plans(model, ir) {
            Ok(plans) => {
                for (k, (name, plan)) in plans.iter().enumerate() {
                    if k > 0 {
                        stdoutln!();
                    }
                    stdout!("{}", lemsc::passes::mechanism::print::print(plan, name));
                }
                EXIT_OK
            }
            Err(diags) => report_failure(file, &checked, &diags, common),
        },
    }
}

/// Prints the errors of a stage after checking and the error count; the exit code.
fn report_failure(file: &Path, checked: &Checked, diags: &[Diagnostic], common: &CommonArgs) -> u8 {
    let shown = group_warnings(diags);
    print_diagnostics(&checked.sources, &shown, common);
    print_error_count(file, diags.iter().filter(|d| d.is_error()).count(), common);
    EXIT_MODEL_ERRORS
}

/// Loads and checks one model, printing its diagnostics; the exit code on failure.
fn load_checked(file: &Path, common: &CommonArgs) -> Result<Checked, u8> {
    match check_file(file, &common.check_options()) {
        Ok(checked) => {
            let shown = shown_diagnostics(&checked.diagnostics.list, common.quiet);
            print_diagnostics(&checked.sources, &shown, common);
            Ok(checked)
        }
        Err(err) => Err(report_sim_error(file, err, common)),
    }
}
