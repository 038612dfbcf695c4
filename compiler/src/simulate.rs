//! Running a LEMS simulation file end to end: check, lower to a runnable program, compile its
//! kernels, run it, and say how long each stage took. The CLI and the conformance tests both
//! call [`run_file`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use lemsc_runtime::engine::{
    self, Interpreter, KernelCode, RunOptions as EngineOptions, RunReport,
};
use lemsc_runtime::output::OutputError;
use lemsc_runtime::program::Program;

use crate::confine::WriteRoot;
use crate::diag::{Diagnostic, SourceMap};
use crate::model::Model;
use crate::passes::cable::CellNumerics;
use crate::passes::kernels::ProgramOptions;
use crate::pipeline::{check, CheckOptions, Checked};

/// What runs the kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Machine code compiled with LLVM (needs the cargo feature `native`).
    Native,
    /// The reference interpreter of the runtime: slow, but the yardstick the native code
    /// must agree with bit for bit. A debugging aid.
    Interpreter,
}

impl Engine {
    /// The engine [`Engine::Native`] falls back to in a build without LLVM.
    pub fn available(self) -> Engine {
        if cfg!(feature = "native") {
            self
        } else {
            Engine::Interpreter
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Engine::Native => "native (LLVM)",
            Engine::Interpreter => "interpreter",
        }
    }
}

/// Called while the simulation runs with the number of steps done and the total.
pub type ProgressFn<'a> = &'a mut dyn FnMut(u64, u64);

/// How to run a file.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Folder that relative output paths (`results/x.dat`) are joined to; the LEMS file's
    /// folder when `None`.
    pub out_dir: Option<PathBuf>,
    /// Overrides the `<Simulation seed=...>` of the file.
    pub seed: Option<i64>,
    pub engine: Engine,
    /// Extra folders searched for included files (`-I`), and `--strict`.
    pub check: CheckOptions,
    /// The most bytes the OutputFiles may take, estimated before the run.
    pub max_output_bytes: u64,
    /// `--plot`: record the Displays' Lines and draw each Display (see [`crate::plot`]).
    pub plot: bool,
    /// `--fast`: the same model, not the same bits: linear synapses of one cell share one
    /// state (see [`crate::passes::fast`]).
    pub fast: bool,
    /// `--cell-numerics`: how NeuroML `<cell>`s are simulated (see
    /// [`crate::passes::cable::CellNumerics`]).
    pub cell_numerics: CellNumerics,
    /// `--threads`: how many threads the native engine may step the model on.
    pub threads: Threads,
}

/// How many threads a native run may step on. A step is split only where that keeps every
/// bit of a one-thread run (`lemsc_runtime::engine::lanes`) and the step does enough work
/// for the split to pay; small models always run on one thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Threads {
    /// The most threads (1: the calling thread only; 0: [`Threads::idle_cores`], counted as
    /// the run starts, for models large enough to split).
    pub count: usize,
    /// Split a step only when it does at least this much work (statements per step);
    /// `None`: the runtime's default.
    pub min_work: Option<u64>,
}

impl Threads {
    /// The calling thread only.
    pub const ONE: Threads = Threads {
        count: 1,
        min_work: None,
    };

    /// As many threads as [`Threads::idle_cores`] finds when the run starts.
    pub const IDLE_CORES: Threads = Threads {
        count: 0,
        min_work: None,
    };

    /// The thread count for running `program`: `count`, or for 0 one thread per idle core
    /// where the program has steps big enough to split.
    fn resolve(self, program: &Program) -> usize {
        // Far below any step worth splitting: not worth looking at the machine.
        const SMALL_STEP_OPS: usize = 1000;
        match self.count {
            0 if program.step_order.len() < SMALL_STEP_OPS => 1,
            0 => Threads::idle_cores(),
            n => n,
        }
    }

    /// One per core this process may use that other threads are not running on (the
    /// kernel's count of runnable threads in `/proc/loadavg`, this one left out; the least
    /// of a few looks 0.25 ms apart, so that a process starting beside this one, as in a
    /// pipe, is not counted). A split step waits for all its threads every step, so a thread
    /// that has to share its core slows the whole run down: izh-net N = 1000 `--fast` ran
    /// 1.7-2.4x slower on two threads than on one while another two-core job was running.
    pub fn idle_cores() -> usize {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let others = (0..8)
            .filter_map(|look| {
                if look > 0 {
                    std::thread::sleep(std::time::Duration::from_micros(250));
                }
                runnable_threads(&std::fs::read_to_string("/proc/loadavg").ok()?)
            })
            .min()
            .map_or(0, |runnable| runnable.saturating_sub(1));
        cores.saturating_sub(others).max(1)
    }
}

/// The default of [`RunOptions::max_output_bytes`]: a quarter of a small machine's disk.
pub const DEFAULT_MAX_OUTPUT_BYTES: u64 = 16 * 1024 * 1024 * 1024;

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            out_dir: None,
            seed: None,
            engine: Engine::Native,
            check: CheckOptions::default(),
            max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES,
            plot: false,
            fast: false,
            cell_numerics: CellNumerics::default(),
            threads: Threads::IDLE_CORES,
        }
    }
}

/// The threads runnable now, from the text of `/proc/loadavg`
/// (`0.52 0.58 0.59 3/812 12345`: the fourth field's first number).
fn runnable_threads(loadavg: &str) -> Option<usize> {
    let field = loadavg.split_whitespace().nth(3)?;
    field.split('/').next()?.parse().ok()
}

/// Wall-clock time of each stage.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Reading the XML, resolving and checking the model, instantiating its structure.
    pub parse_check: Duration,
    /// Lowering the instantiated model to kernels and a program.
    pub lowering: Duration,
    /// Compiling the kernels to machine code (zero for the interpreter).
    pub compile: Duration,
    /// Initialisation, time stepping and writing the output files.
    pub simulate: Duration,
}

impl Timings {
    pub fn total(&self) -> Duration {
        self.parse_check + self.lowering + self.compile + self.simulate
    }
}

/// A finished run.
pub struct RunOutcome {
    /// The sources read, for rendering [`RunOutcome::warnings`].
    pub sources: SourceMap,
    /// Warnings found while checking (errors stop the run instead).
    pub warnings: Vec<Diagnostic>,
    /// The engine that ran the kernels (the interpreter when built without LLVM).
    pub engine: Engine,
    pub steps: u64,
    /// The threads each step ran on.
    pub threads: usize,
    /// Seconds per step.
    pub dt: f64,
    /// The files written, time series first, then spike files.
    pub outputs: Vec<PathBuf>,
    /// With [`RunOptions::plot`]: the plots drawn, PNG then SVG of each Display.
    pub plots: Vec<PathBuf>,
    pub timings: Timings,
}

/// Why a run did not finish.
pub enum SimError {
    /// The file or an include folder does not exist: a usage error, not a model error.
    Usage(String),
    /// Errors in the model, located in `sources`; warnings found on the way are included.
    Model {
        sources: SourceMap,
        diagnostics: Vec<Diagnostic>,
    },
    /// The simulation itself failed (a value became NaN, an output file could not be
    /// written). The message names what, where and when.
    Run(String),
    /// The runtime stopped the run; [`run_file`] turns this into [`SimError::Stopped`] at
    /// the model text that caused it, [`run_program`] (which has no model) returns it as is.
    Engine(engine::RunError),
    /// The run stopped, located in the model: a value became NaN at the component and
    /// variable named, an output file at its element could not be written.
    Stopped {
        sources: SourceMap,
        diagnostics: Vec<Diagnostic>,
    },
}

impl SimError {
    /// A one-line description, without rendering source snippets.
    pub fn summary(&self) -> String {
        match self {
            SimError::Usage(message) | SimError::Run(message) => message.clone(),
            SimError::Engine(e) => e.to_string(),
            SimError::Model {
                sources,
                diagnostics,
            }
            | SimError::Stopped {
                sources,
                diagnostics,
            } => diagnostics
                .iter()
                .filter(|d| d.is_error())
                .map(|d| crate::diag::PlainDiagnostic { sources, diag: d }.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

impl fmt::Debug for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

/// Checks, lowers, compiles and runs the simulation in `path`; the output files are written
/// under `opts.out_dir` (default: the file's folder), their folders created as needed.
pub fn run_file(path: &Path, opts: &RunOptions) -> Result<RunOutcome, SimError> {
    run_file_with_progress(path, opts, &mut |_, _| {})
}

/// [`run_file`], reporting progress of the time stepping to `progress`.
pub fn run_file_with_progress(
    path: &Path,
    opts: &RunOptions,
    progress: ProgressFn<'_>,
) -> Result<RunOutcome, SimError> {
    let mut timings = Timings::default();
    let started = Instant::now();
    let checked = check_file(path, &opts.check)?;
    timings.parse_check = started.elapsed();

    let warnings: Vec<Diagnostic> = checked.diagnostics.list.clone();
    let root = output_root(path, opts.out_dir.as_deref());
    if let Err(mut diagnostics) = confine_checked(&checked, &root, &opts.check)? {
        diagnostics.splice(0..0, warnings);
        return Err(SimError::Model {
            sources: checked.sources,
            diagnostics,
        });
    }
    let plots = match plan_plots(&checked, &root, opts) {
        Ok(plots) => plots,
        Err(mut diagnostics) => {
            diagnostics.splice(0..0, warnings);
            return Err(SimError::Model {
                sources: checked.sources,
                diagnostics,
            });
        }
    };
    let started = Instant::now();
    let program = match lower_checked(path, &checked, opts, plots.as_ref()) {
        Ok(program) => program,
        Err(mut diagnostics) => {
            diagnostics.splice(0..0, warnings);
            return Err(SimError::Model {
                sources: checked.sources,
                diagnostics,
            });
        }
    };
    timings.lowering = started.elapsed();

    let engine = opts.engine.available();
    let executed = match run_program(&program, engine, opts.threads, progress) {
        Ok(executed) => executed,
        Err(e) => return Err(locate_run_error(e, checked, &program, warnings)),
    };
    timings.compile = executed.compile;
    timings.simulate = executed.simulate;
    let mut outputs = executed.report.files;
    let mut plot_files = Vec::new();
    if let Some(plots) = &plots {
        outputs.retain(|file| !plots.is_trace(file));
        plot_files = plots.draw().map_err(SimError::Run)?;
    }
    Ok(RunOutcome {
        sources: checked.sources,
        warnings,
        engine,
        steps: executed.report.steps,
        threads: executed.report.threads,
        dt: program.dt,
        outputs,
        plots: plot_files,
        timings,
    })
}

/// [`SimError::Engine`] becomes [`SimError::Stopped`] at the model text that caused it,
/// after the warnings found while checking; other errors pass through.
fn locate_run_error(
    err: SimError,
    checked: Checked,
    program: &Program,
    warnings: Vec<Diagnostic>,
) -> SimError {
    let SimError::Engine(e) = err else {
        return err;
    };
    let (Some(model), Some(ir)) = (&checked.model, &checked.ir) else {
        return SimError::Engine(e);
    };
    let cx = crate::run_errors::RunContext {
        sources: &checked.sources,
        model,
        ir,
        program,
    };
    let Some(located) = crate::run_errors::locate(&cx, &e) else {
        return SimError::Engine(e);
    };
    let mut diagnostics = warnings;
    diagnostics.push(located);
    SimError::Stopped {
        sources: checked.sources,
        diagnostics,
    }
}

/// Reads and checks `path`; a model with errors becomes [`SimError::Model`].
pub fn check_file(path: &Path, opts: &CheckOptions) -> Result<Checked, SimError> {
    if !path.is_file() {
        return Err(SimError::Usage(format!(
            "cannot read '{}': no such file",
            path.display()
        )));
    }
    if let Some(dir) = opts.include_dirs.iter().find(|d| !d.is_dir()) {
        return Err(SimError::Usage(format!(
            "include folder '{}' does not exist",
            dir.display()
        )));
    }
    let checked = check(&[path.to_path_buf()], opts);
    if checked.ok() {
        Ok(checked)
    } else {
        Err(SimError::Model {
            diagnostics: checked.diagnostics.list,
            sources: checked.sources,
        })
    }
}

/// The instantiated model of a checked file lowered to a program, or the errors that stop
/// that (no Simulation target, components the native target cannot simulate, ...).
fn lower_checked(
    path: &Path,
    checked: &Checked,
    opts: &RunOptions,
    plots: Option<&crate::plot::PlotPlan>,
) -> Result<Program, Vec<Diagnostic>> {
    let model = checked.model.as_ref().expect("a checked model");
    let Some(ir) = checked.ir.as_ref() else {
        // Checking lowers only a runnable Simulation target; lowering again says what is
        // missing.
        let (_, diags) = crate::passes::lower(model);
        let mut list = diags.list;
        if !list.iter().any(Diagnostic::is_error) {
            list.push(Diagnostic::error(format!(
                "{} has no <Target> Simulation to run",
                path.display()
            )));
        }
        return Err(list);
    };
    if let Some(too_big) = output_size_error(model, ir, opts.max_output_bytes) {
        return Err(vec![too_big]);
    }
    let out_dir = output_root(path, opts.out_dir.as_deref());
    // With plots, the Lines are recorded as extra output files (see `crate::plot`).
    let traced = plots.map(|p| p.traced_ir(ir));
    let lowered = traced.as_ref().unwrap_or(ir);
    let mut program = build_program(
        model,
        lowered,
        &ProgramOptions {
            out_dir,
            seed: opts.seed,
        },
        opts.check.limits.max_memory_bytes,
        opts.cell_numerics,
    )?;
    if opts.fast {
        crate::passes::fast::merge_linear_synapses(lowered, &mut program);
    }
    Ok(program)
}

/// With [`RunOptions::plot`], the plots to draw after the run; errors where a plot file may
/// not be written in the output folder.
fn plan_plots(
    checked: &Checked,
    root: &Path,
    opts: &RunOptions,
) -> Result<Option<crate::plot::PlotPlan>, Vec<Diagnostic>> {
    let (true, Some(model), Some(ir)) = (opts.plot, &checked.model, &checked.ir) else {
        return Ok(None);
    };
    let inputs = checked.sources.files().map(|(_, f)| f.path.as_path());
    let write_root =
        WriteRoot::new(root, inputs, opts.check.allow_writes_outside).map_err(|e| {
            vec![Diagnostic::error(format!(
                "cannot write plots in '{}': {e}",
                root.display()
            ))]
        })?;
    crate::plot::plan(model, ir, &write_root).map(Some)
}

/// The bytes a row value takes at most in an output file: a float32 in Java's format and a
/// tab.
const BYTES_PER_VALUE: f64 = 16.0;

/// An error at the Simulation's `length` when its OutputFiles would hold more than `limit`
/// bytes (rows × columns, estimated before anything is allocated or written).
fn output_size_error(model: &Model, ir: &crate::ir::Ir, limit: u64) -> Option<Diagnostic> {
    let sim = &ir.simulation;
    let rows = (sim.length / sim.step).ceil() + 1.0;
    let values: usize = ir.output_files.iter().map(|f| f.columns.len() + 1).sum();
    let estimate = rows * values as f64 * BYTES_PER_VALUE;
    if estimate <= limit as f64 {
        return None;
    }
    let comp = model.component(sim.component);
    let at = comp.param("length").map_or(comp.span, |p| p.span);
    let gib = |b: f64| b / (1024.0 * 1024.0 * 1024.0);
    Some(
        Diagnostic::at(
            at,
            format!(
                "the output files would take about {:.1} GiB ({rows:.0} rows of {values} values); \
                 the limit is {:.1} GiB",
                gib(estimate),
                gib(limit as f64)
            ),
        )
        .with_note("shorten length, lengthen step, or raise the limit with --max-output-gib"),
    )
}

/// The folder a run writes into: `-o DIR`, else the LEMS file's folder.
pub fn output_root(path: &Path, out_dir: Option<&Path>) -> PathBuf {
    let dir = match out_dir {
        Some(dir) => dir.to_path_buf(),
        None => path.parent().map(Path::to_path_buf).unwrap_or_default(),
    };
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    }
}

/// The output folder of a checked model, with its input files, as a [`WriteRoot`]; the
/// inner `Err` holds the located errors of output files that may not be written there
/// (see [`crate::model::outputs::confine_outputs`]). Every target calls this before it
/// writes anything.
pub fn confine_checked(
    checked: &Checked,
    root: &Path,
    opts: &CheckOptions,
) -> Result<Result<WriteRoot, Vec<Diagnostic>>, SimError> {
    let inputs = checked.sources.files().map(|(_, f)| f.path.as_path());
    let write_root = WriteRoot::new(root, inputs, opts.allow_writes_outside).map_err(|e| {
        SimError::Usage(format!(
            "cannot use '{}' as the output folder: {e}",
            root.display()
        ))
    })?;
    let (Some(model), Some(ir)) = (checked.model.as_ref(), checked.ir.as_ref()) else {
        return Ok(Ok(write_root));
    };
    let diags = crate::model::outputs::confine_outputs(model, ir.simulation.component, &write_root);
    if diags.has_errors() {
        Ok(Err(diags.list))
    } else {
        Ok(Ok(write_root))
    }
}

/// jLEMS writes into folders that must exist; we create them, so that `results/` need not be
/// made by hand. Returns the folders created, outermost first, for [`remove_empty_folders`].
fn create_output_folders(program: &Program) -> Result<Vec<PathBuf>, SimError> {
    let paths = program
        .outputs
        .iter()
        .map(|o| &o.path)
        .chain(program.event_outputs.iter().map(|o| &o.path));
    let mut created = Vec::new();
    for path in paths {
        let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
            continue;
        };
        let missing = dir
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists());
        let mut missing: Vec<PathBuf> = missing.map(Path::to_path_buf).collect();
        missing.reverse();
        std::fs::create_dir_all(dir).map_err(|source| {
            SimError::Engine(engine::RunError::Output(OutputError {
                path: path.clone(),
                source,
            }))
        })?;
        created.extend(missing);
    }
    Ok(created)
}

/// Removes the folders a failed run created, where they stayed empty.
fn remove_empty_folders(created: &[PathBuf]) {
    for dir in created.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

/// Lowers the IR to a program (see `passes::kernels`, or `passes::cable` for cells with a
/// morphology), within the memory limit.
pub fn build_program(
    model: &crate::model::Model,
    ir: &crate::ir::Ir,
    opts: &ProgramOptions,
    max_memory_bytes: u64,
    cell_numerics: CellNumerics,
) -> Result<Program, Vec<Diagnostic>> {
    // Cells with a morphology run as NEURON runs them (`passes::cable`).
    if crate::passes::cable::applies(model, ir, cell_numerics) {
        return crate::passes::cable::build_program(model, ir, opts);
    }
    crate::passes::kernels::build_program_within(model, ir, opts, max_memory_bytes)
}

/// What running a program gave: the compile and simulation times and the runtime's report.
#[derive(Clone, Debug)]
pub struct Executed {
    /// Zero for the interpreter.
    pub compile: Duration,
    pub simulate: Duration,
    pub report: RunReport,
}

/// Creates the folders of `program`'s output files, compiles its kernels (for the native
/// engine; the interpreter runs them in a build without LLVM) and runs it.
pub fn run_program(
    program: &Program,
    engine: Engine,
    threads: Threads,
    progress: ProgressFn<'_>,
) -> Result<Executed, SimError> {
    let created = create_output_folders(program)?;
    let result = run_program_in_folders(program, engine, threads, progress);
    if result.is_err() {
        remove_empty_folders(&created);
    }
    result
}

fn run_program_in_folders(
    program: &Program,
    engine: Engine,
    threads: Threads,
    progress: ProgressFn<'_>,
) -> Result<Executed, SimError> {
    match engine.available() {
        Engine::Interpreter => {
            let code = Interpreter::new(&program.kernels);
            let (simulate, report) = simulate_with(program, &code, threads, progress)?;
            Ok(Executed {
                compile: Duration::ZERO,
                simulate,
                report,
            })
        }
        Engine::Native => execute_native(program, threads, progress),
    }
}

#[cfg(feature = "native")]
fn execute_native(
    program: &Program,
    threads: Threads,
    progress: ProgressFn<'_>,
) -> Result<Executed, SimError> {
    let started = Instant::now();
    let code = crate::back::native::compile_program(program).map_err(|d| {
        SimError::Run(format!(
            "the kernels could not be compiled to machine code: {}",
            d.message
        ))
    })?;
    let compile = started.elapsed();
    let (simulate, report) = simulate_with(program, &code, threads, progress)?;
    Ok(Executed {
        compile,
        simulate,
        report,
    })
}

/// Without LLVM, [`Engine::available`] never picks the native engine.
#[cfg(not(feature = "native"))]
fn execute_native(
    program: &Program,
    threads: Threads,
    progress: ProgressFn<'_>,
) -> Result<Executed, SimError> {
    run_program_in_folders(program, Engine::Interpreter, threads, progress)
}

fn simulate_with(
    program: &Program,
    code: &dyn KernelCode,
    threads: Threads,
    progress: ProgressFn<'_>,
) -> Result<(Duration, RunReport), SimError> {
    let started = Instant::now();
    let opts = EngineOptions {
        progress: Some(progress),
        threads: threads.resolve(program),
        min_parallel_work: threads.min_work,
    };
    let report = engine::run(program, code, opts).map_err(SimError::Engine)?;
    Ok((started.elapsed(), report))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_temp(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("lemsc-simulate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn runnable_threads_are_read_from_loadavg() {
        assert_eq!(runnable_threads("0.52 0.58 0.59 3/812 12345\n"), Some(3));
        assert_eq!(runnable_threads("0.52 0.58"), None);
        assert!(Threads::idle_cores() >= 1);
    }

    #[test]
    fn a_missing_file_is_a_usage_error() {
        let err = run_file(Path::new("/no/such/file.xml"), &RunOptions::default())
            .err()
            .unwrap();
        assert!(matches!(&err, SimError::Usage(m) if m.contains("/no/such/file.xml")));
    }

    #[test]
    fn outputs_larger_than_the_limit_are_refused_before_the_run() {
        let text = r#"<Lems>
  <Target component="sim"/>
  <Include file="NeuroML2CoreTypes.xml"/>
  <Include file="Simulation.xml"/>
  <iafCell id="cell" leakReversal="-50mV" thresh="-55mV" reset="-70mV" C="0.2nF" leakConductance="0.01uS"/>
  <network id="net"><population id="pop" component="cell" size="1"/></network>
  <Simulation id="sim" length="1000ms" step="0.01ms" target="net">
    <OutputFile id="out" fileName="big_v.dat"><OutputColumn id="v" quantity="pop[0]/v"/></OutputFile>
  </Simulation>
</Lems>"#;
        let file = write_temp("big_output.xml", text);
        // 100001 rows of 2 values: about 3.2 MB.
        let small = RunOptions {
            max_output_bytes: 1_000_000,
            ..RunOptions::default()
        };
        let err = run_file(&file, &small).err().expect("over the limit");
        let summary = err.summary();
        assert!(summary.contains("big_output.xml:7:"), "{summary}");
        assert!(summary.contains("100001 rows of 2 values"), "{summary}");
        assert!(!file.with_file_name("big_v.dat").exists());
        let enough = RunOptions {
            max_output_bytes: 4_000_000,
            ..RunOptions::default()
        };
        let outcome = run_file(&file, &enough).unwrap_or_else(|e| panic!("{}", e.summary()));
        assert_eq!(outcome.outputs.len(), 1);
        let _ = std::fs::remove_file(&outcome.outputs[0]);
    }

    #[test]
    fn a_missing_include_folder_is_a_usage_error() {
        let file = write_temp("empty.xml", "<Lems/>");
        let opts = RunOptions {
            check: CheckOptions {
                include_dirs: vec![PathBuf::from("/no/such/folder")],
                ..CheckOptions::default()
            },
            ..RunOptions::default()
        };
        let err = run_file(&file, &opts).err().unwrap();
        assert!(matches!(&err, SimError::Usage(m) if m.contains("/no/such/folder")));
    }

    #[test]
    fn a_file_without_a_simulation_says_so_with_a_located_error() {
        let file = write_temp(
            "no_target.xml",
            "<Lems>\n<Dimension name=\"time\" t=\"1\"/>\n</Lems>\n",
        );
        let err = run_file(&file, &RunOptions::default()).err().unwrap();
        let SimError::Model { diagnostics, .. } = &err else {
            panic!("expected model errors, got {err:?}");
        };
        assert!(diagnostics.iter().any(Diagnostic::is_error), "{err:?}");
    }

    #[test]
    fn model_errors_keep_their_location() {
        let file = write_temp(
            "bad_unit.xml",
            "<Lems>\n<Target component=\"sim\"/>\n<Simulation id=\"sim\" length=\"10mV\" step=\"0.01ms\" target=\"x\"/>\n</Lems>\n",
        );
        let err = run_file(&file, &RunOptions::default()).err().unwrap();
        let summary = err.summary();
        assert!(summary.contains("bad_unit.xml:3:"), "{summary}");
    }

    #[test]
    fn without_llvm_the_native_engine_falls_back_to_the_interpreter() {
        let expected = if cfg!(feature = "native") {
            Engine::Native
        } else {
            Engine::Interpreter
        };
        assert_eq!(Engine::Native.available(), expected);
        assert_eq!(Engine::Interpreter.available(), Engine::Interpreter);
    }

    /// A hand-built program: one instance of `x' = -rate x` (or, with `explode`, of
    /// `x' = rate x²`, which overflows), x starting at 1, recorded into `results/x.dat`.
    fn decay_program(out_dir: &Path, explode: bool) -> Program {
        use lemsc_runtime::program::{BinOp, Expr, InstanceRec, Kernel, Op, OutputSpec, Stmt};
        let bin = |op, a, b| Expr::Binary(op, Box::new(a), Box::new(b));
        let (x, rate) = (Expr::Local(0), Expr::Local(1));
        let rate_term = if explode {
            bin(BinOp::Mul, bin(BinOp::Mul, rate, x.clone()), x.clone())
        } else {
            Expr::Neg(Box::new(bin(BinOp::Mul, rate, x.clone())))
        };
        let kernel = Kernel {
            name: "d (decay)".into(),
            block_len: 2,
            slot_names: vec!["x".into(), "rate".into()],
            state_slots: vec![0],
            init: vec![Stmt::Set {
                slot: 0,
                value: Expr::Const(1.0),
            }],
            advance: vec![Stmt::Set {
                slot: 0,
                value: bin(BinOp::Add, x, bin(BinOp::Mul, Expr::Step, rate_term)),
            }],
            ..Kernel::default()
        };
        Program {
            dt: 0.001,
            steps: 10,
            seed: 1234,
            kernels: vec![kernel],
            instances: vec![InstanceRec {
                kernel: 0,
                base: 0,
                links: 0,
                path: "d".into(),
            }],
            initial: vec![0.0, if explode { 1e6 } else { 100.0 }],
            links: vec![],
            init_order: vec![Op::Init {
                inst: 0,
                with_derived: false,
            }],
            step_order: vec![Op::Advance { inst: 0 }],
            connections: vec![],
            outputs: vec![OutputSpec {
                id: "of".into(),
                path: out_dir.join("results/x.dat"),
                columns: vec![0],
            }],
            event_outputs: vec![],
        }
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("lemsc-simulate-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn a_program_runs_into_a_results_folder_it_creates() {
        let dir = scratch_dir("decay");
        let program = decay_program(&dir, false);
        let mut calls = Vec::new();
        let run = run_program(
            &program,
            Engine::Interpreter,
            Threads::ONE,
            &mut |done, total| calls.push((done, total)),
        )
        .unwrap();
        assert_eq!(run.report.steps, 10);
        assert_eq!(run.compile, Duration::ZERO);
        assert_eq!(calls.last(), Some(&(10, 10)));
        let text = std::fs::read_to_string(dir.join("results/x.dat")).unwrap();
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows.len(), 11, "{text}");
        // Euler: x1 = 1 + 0.001 * -(100 * 1) = 0.9.
        assert_eq!(rows[0], "0.0\t1.0\t");
        assert_eq!(rows[1], "0.001\t0.9\t");
    }

    #[test]
    fn a_run_failing_at_its_last_file_leaves_none_under_its_real_name() {
        let dir = scratch_dir("publish");
        let mut program = decay_program(&dir, false);
        let mut second = program.outputs[0].clone();
        second.path = dir.join("results/y.dat");
        program.outputs.push(second);
        // A folder appears at the second file's path while the run goes on.
        let blocker = dir.join("results/y.dat");
        let err = run_program(&program, Engine::Interpreter, Threads::ONE, &mut |_, _| {
            let _ = std::fs::create_dir(&blocker);
        })
        .unwrap_err();
        assert!(err.summary().contains("y.dat"), "{err:?}");
        let left: Vec<String> = std::fs::read_dir(dir.join("results"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(left, ["y.dat"], "only the folder in the way may remain");
    }

    #[cfg(feature = "native")]
    #[test]
    fn native_and_interpreted_runs_write_the_same_bytes() {
        let dir = scratch_dir("engines");
        let read = |engine: Engine| {
            let out = dir.join(format!("{engine:?}"));
            run_program(
                &decay_program(&out, false),
                engine,
                Threads::ONE,
                &mut |_, _| {},
            )
            .unwrap();
            std::fs::read(out.join("results/x.dat")).unwrap()
        };
        assert_eq!(read(Engine::Native), read(Engine::Interpreter));
    }

    #[test]
    fn a_diverging_state_stops_the_run_naming_variable_instance_and_time() {
        let dir = scratch_dir("explode");
        for engine in [Engine::Native, Engine::Interpreter] {
            let program = decay_program(&dir, true);
            let err = run_program(&program, engine, Threads::ONE, &mut |_, _| {}).unwrap_err();
            let message = err.summary();
            assert!(
                message.contains("'x' of d") && message.contains("t = 0.007"),
                "{engine:?}: {message}"
            );
            assert!(
                !dir.join("results").exists(),
                "a failed run leaves no file, nor the folder it made"
            );
        }
    }
}
