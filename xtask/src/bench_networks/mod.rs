//! `cargo xtask bench --networks [--sizes 100,1000] [--engines lemsc,eden,neuron] [--quick]`:
//! lemsc against EDEN and NEURON on the generated benchmark networks of
//! `../shared/bench/gen_models.py` (izh-net and hh-net with N cells and 100 inputs each, 1 s
//! at 0.025 ms; hh-single, one HH cell for 10 s).
//!
//! Each model runs once per engine, in the same invocation: lemsc native (release build with
//! the native backend and HDF5) in its exact mode and with `--fast` (the `lemsc-fast` row, whose
//! spikes are compared one by one with the exact run's), EDEN 0.2.3 single-threaded (`OMP_NUM_THREADS=1`, with the
//! shared `eden_gcc_shim` first on PATH, without which EDEN cannot load its kernels on Debian
//! 12), and lemsc's NEURON export (`--target neuron --run`, twice: the first run compiles the
//! mechanisms with nrnivmodl, the second reuses them), and lemsc's NEST export (`--target nest
//! --run`, twice: the first builds the NESTML module into an empty cache, the second finds it
//! there; `--engines` must name `nest`). Wall seconds, CPU seconds (user + sys
//! of the child and what it waited for) and peak RSS come from `wait4`. Spike counts are
//! compared across engines, since timing a wrong simulation says nothing. The table is printed
//! and written to `target/bench-work/networks/report.md`.

use std::fmt::Write as _;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::sh::{self, workspace_root};

mod measure;
pub mod multicomp;
mod pyr_net;
mod report;

use measure::*;
use report::*;

/// Spike counts of two engines further apart than this (relative to lemsc's) are flagged.
const SPIKE_TOLERANCE: f64 = 0.05;

/// The generator and the gcc wrapper EDEN needs, read from the shared folder at run time.
const GENERATOR: &str = "../shared/bench/gen_models.py";
const EDEN_SHIM: &str = "../shared/bench/eden_gcc_shim";

/// The venv holding EDEN and numpy (which the generator needs).
const EDEN_VENV: &str = "target/eden-venv";
const EDEN_PIP_PACKAGES: &[&str] = &["eden-simulator==0.2.3", "numpy"];

const USAGE: &str = "usage: cargo xtask bench --networks [--sizes 100,1000] \
                     [--engines lemsc,lemsc-fast,eden,neuron,nest] [--quick] \
                     (lemsc runs both modes, lemsc-fast the fast one only)";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Engine {
    Lemsc,
    /// lemsc with `--fast`.
    LemscFast,
    Eden,
    /// The NEURON export's first run: nrnivmodl and the simulation.
    NeuronBuild,
    /// The second run, with the compiled mechanisms reused.
    Neuron,
    /// The NEST export's first run: the NESTML module build and the simulation.
    NestBuild,
    /// The second run, with the module from the cache.
    Nest,
}

impl Engine {
    fn label(self) -> &'static str {
        match self {
            Engine::Lemsc => "lemsc native",
            Engine::LemscFast => "lemsc-fast",
            Engine::Eden => "EDEN",
            Engine::NeuronBuild => "NEURON (build+run)",
            Engine::Neuron => "NEURON (run)",
            Engine::NestBuild => "NEST (build+run)",
            Engine::Nest => "NEST (run)",
        }
    }
}

struct Options {
    sizes: Vec<usize>,
    lemsc: bool,
    lemsc_fast: bool,
    eden: bool,
    neuron: bool,
    nest: bool,
    quick: bool,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut sizes = vec![100, 1000];
    let set_sizes = |list: &str| {
        sizes = list
            .split(',')
            .map(cell_count)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| format!("--sizes wants cell counts >= 2, got `{list}`"))?;
        Ok(())
    };
    let known = ["lemsc", "lemsc-fast", "eden", "neuron", "nest"];
    let args = parse_args(args, "--networks", &known, USAGE, ("--sizes", set_sizes))?;
    // NEST only when asked for: its module build is long.
    let names = args
        .engines
        .unwrap_or_else(|| vec!["lemsc", "lemsc-fast", "eden", "neuron"]);
    let lemsc = names.contains(&"lemsc");
    Ok(Options {
        sizes,
        lemsc,
        lemsc_fast: lemsc || names.contains(&"lemsc-fast"),
        eden: names.contains(&"eden"),
        neuron: names.contains(&"neuron"),
        nest: names.contains(&"nest"),
        quick: args.quick,
    })
}

/// What the command lines of both benchmarks share.
struct CommonArgs<'a> {
    /// `--quick`.
    quick: bool,
    /// The names of `--engines a,b`, when given.
    engines: Option<Vec<&'a str>>,
}

/// Reads a benchmark's arguments: `flag` (the one that chose the benchmark), `--quick`,
/// `--engines a,b` (each one of `known`) and the benchmark's own `option`, whose value goes
/// to its setter. Anything else is an error showing `usage`.
fn parse_args<'a>(
    args: &'a [String],
    flag: &str,
    known: &[&str],
    usage: &str,
    (option, mut set): (&str, impl FnMut(&'a str) -> Result<(), String>),
) -> Result<CommonArgs<'a>, String> {
    let mut common = CommonArgs {
        quick: false,
        engines: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            a if a == flag => {}
            "--quick" => common.quick = true,
            "--engines" => common.engines = Some(engine_list(&mut args, known, usage)?),
            a if a == option => set(args.next().ok_or(usage)?)?,
            _ => return Err(usage.into()),
        }
    }
    Ok(common)
}

/// A cell count of a benchmark option (`--sizes`, `--cells`): a number >= 2.
fn cell_count(text: &str) -> Option<usize> {
    text.trim().parse::<usize>().ok().filter(|&n| n >= 2)
}

/// The engine names of `--engines a,b` (the next argument), each one of `known`.
fn engine_list<'a>(
    args: &mut std::slice::Iter<'a, String>,
    known: &[&str],
    usage: &str,
) -> Result<Vec<&'a str>, String> {
    let list = args.next().ok_or(usage)?;
    let names: Vec<&str> = list.split(',').map(str::trim).collect();
    if let Some(bad) = names.iter().find(|n| !known.contains(n)) {
        return Err(format!("unknown engine `{bad}`; {usage}"));
    }
    Ok(names)
}

/// One generated model: its LEMS file and what it simulates.
struct Model {
    /// `izh-net`, `hh-net` or `hh-single`.
    kind: &'static str,
    cells: usize,
    lems: PathBuf,
    /// The generated network file the LEMS file includes.
    network: PathBuf,
}

impl Model {
    fn name(&self) -> String {
        format!("{} N={}", self.kind, self.cells)
    }
}

/// What one run of one engine cost, and what it produced.
struct Measured {
    wall_s: f64,
    cpu_s: f64,
    peak_rss_kib: u64,
    /// The simulation phase alone, when the engine reports it.
    sim_s: Option<f64>,
    spikes: Option<usize>,
    /// The threads lemsc stepped the model on (`-v`), when more than one.
    threads: Option<usize>,
}

struct Row {
    model: String,
    cells: usize,
    engine: Engine,
    result: Result<Measured, String>,
    ftz: &'static str,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    let root = workspace_root();
    let work = root.join("target/bench-work/networks");
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;

    let python = ensure_eden_venv(&root)?;
    let lemsc = if options.lemsc || options.lemsc_fast || options.neuron || options.nest {
        Some(build_lemsc(&root, &work)?)
    } else {
        None
    };
    let neuron_python = options
        .neuron
        .then(crate::deps::ensure_neuron)
        .transpose()?;
    let nest_python = options.nest.then(crate::deps::ensure_nest).transpose()?;
    let eden = options.eden.then(|| eden_executable(&python)).transpose()?;

    let models = generate_models(&root, &python, &work, &options)?;
    let lemsc_ftz = match &lemsc {
        Some(lemsc) => lemsc_ftz_state(lemsc, &work.join("ftz-probe"))?,
        None => "-",
    };

    let mut rows = Vec::new();
    let mut fast_checks = Vec::new();
    for model in &models {
        let model_work = work.join(model.kind).join(format!("N{}", model.cells));
        let mut add = |engine: Engine, result: Result<Measured, String>, ftz: &'static str| {
            match &result {
                Ok(m) => eprintln!(
                    "bench: {} {}: {:.2} s wall, {:.2} s CPU, {} MiB",
                    model.name(),
                    engine.label(),
                    m.wall_s,
                    m.cpu_s,
                    m.peak_rss_kib / 1024
                ),
                Err(why) => eprintln!("bench: {} {}: FAILED: {why}", model.name(), engine.label()),
            }
            rows.push(Row {
                model: model.name(),
                cells: model.cells,
                engine,
                result,
                ftz,
            });
        };
        if let (true, Some(lemsc)) = (options.lemsc, &lemsc) {
            eprintln!("bench: {} with lemsc", model.name());
            add(
                Engine::Lemsc,
                run_lemsc(lemsc, model, &model_work.join("lemsc"), false),
                lemsc_ftz,
            );
        }
        if let (true, Some(lemsc)) = (options.lemsc_fast, &lemsc) {
            eprintln!("bench: {} with lemsc --fast", model.name());
            let out = model_work.join("lemsc-fast");
            add(
                Engine::LemscFast,
                run_lemsc(lemsc, model, &out, true),
                lemsc_ftz,
            );
            if options.lemsc {
                let exact = spike_file(&model_work.join("lemsc"), model);
                fast_checks.push(compare_spikes(
                    model.name(),
                    &exact,
                    &spike_file(&out, model),
                ));
            }
        }
        if let Some(eden) = &eden {
            eprintln!("bench: {} with EDEN", model.name());
            add(
                Engine::Eden,
                run_eden(&root, eden, model, &model_work.join("eden")),
                EDEN_FTZ,
            );
        }
        if let (Some(lemsc), Some(python)) = (&lemsc, &neuron_python) {
            let out = model_work.join("neuron");
            // A fresh folder, so the first run includes nrnivmodl.
            remove_dir(&out)?;
            for engine in [Engine::NeuronBuild, Engine::Neuron] {
                eprintln!("bench: {} with {}", model.name(), engine.label());
                add(engine, run_neuron(lemsc, python, model, &out), NEURON_FTZ);
            }
        }

        if let (Some(lemsc), Some(python)) = (&lemsc, &nest_python) {
            let out = model_work.join("nest");
            // An empty module cache, so the first run includes the build.
            remove_dir(&out)?;
            for engine in [Engine::NestBuild, Engine::Nest] {
                eprintln!("bench: {} with {}", model.name(), engine.label());
                add(engine, run_nest(lemsc, python, model, &out), NEST_FTZ);
            }
        }
    }

    let fast_lost: Vec<String> = fast_checks
        .iter()
        .filter(|c| !c.kept_every_spike())
        .map(FastCheck::describe)
        .collect();
    let mut why = Vec::new();
    if !fast_lost.is_empty() {
        why.push(format!(
            "--fast changed spikes of the exact run:\n  {}",
            fast_lost.join("\n  ")
        ));
    }
    finish(
        &work,
        &report(&rows, &network_header(&options), &fast_checks),
        &rows,
        why,
    )
}

/// Prints the report and writes it to `work/report.md`; fails with `why` and every run that
/// failed or whose spike count disagrees with lemsc's.
fn finish(work: &Path, report: &str, rows: &[Row], mut why: Vec<String>) -> Result<(), String> {
    println!("\n{report}");
    let path = work.join("report.md");
    std::fs::write(&path, report).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!("bench: wrote {}", path.display());
    let failed: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            r.result
                .as_ref()
                .err()
                .map(|e| format!("{} {}: {e}", r.model, r.engine.label()))
        })
        .collect();
    if !failed.is_empty() {
        why.push(format!("runs failed:\n  {}", failed.join("\n  ")));
    }
    let disagreeing = disagreements(rows);
    if !disagreeing.is_empty() {
        why.push(format!(
            "spike counts differ by more than {:.0} % from lemsc's:\n  {}",
            SPIKE_TOLERANCE * 100.0,
            disagreeing.join("\n  ")
        ));
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(why.join("\n"))
    }
}

/// EDEN's floating-point mode as run here: the shim links its kernel with `-nostdlib`, so
/// gcc's `crtfastmath.o` is not linked, and nothing else sets MXCSR's FTZ/DAZ bits.
const EDEN_FTZ: &str = "off (shim as shipped)";
/// NEURON's: neither NEURON nor the generated runner sets MXCSR's FTZ/DAZ bits.
const NEURON_FTZ: &str = "off (not set)";
/// NEST's: neither NEST nor the NESTML-generated models set them.
const NEST_FTZ: &str = "off (not set)";

/// `target/eden-venv/bin/python`, with EDEN 0.2.3 and numpy installed on first use.
fn ensure_eden_venv(root: &Path) -> Result<PathBuf, String> {
    let venv = root.join(EDEN_VENV);
    let python = venv.join("bin/python");
    if imports(&python, "eden_simulator, numpy") {
        return Ok(python);
    }
    crate::deps::ensure_python_venv()?;
    sh::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    sh::run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet"])
            .args(EDEN_PIP_PACKAGES),
    )?;
    if imports(&python, "eden_simulator, numpy") {
        Ok(python)
    } else {
        Err(format!(
            "pip installed {} but {} cannot import them",
            EDEN_PIP_PACKAGES.join(" "),
            python.display()
        ))
    }
}

fn imports(python: &Path, modules: &str) -> bool {
    Command::new(python)
        .arg("-c")
        .arg(format!("import {modules}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The EDEN program itself (run directly: the `eden` Python wrapper would add its own start-up
/// to the measurement).
fn eden_executable(python: &Path) -> Result<PathBuf, String> {
    let output = Command::new(python)
        .args([
            "-c",
            "from eden_simulator import embeden; print(embeden.get_exe_path())",
        ])
        .output()
        .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
    let path = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "eden_simulator gives no EDEN program: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}

/// The release lemsc with the native backend and HDF5, copied into `work` so that every run
/// of this benchmark uses the same program even if `target/release` is rebuilt meanwhile.
fn build_lemsc(root: &Path, work: &Path) -> Result<PathBuf, String> {
    crate::deps::ensure_llvm()?;
    crate::deps::ensure_hdf5()?;
    sh::run(
        Command::new("cargo")
            .args([
                "build",
                "--release",
                "-p",
                "lemsc",
                "--features",
                "native,hdf5",
            ])
            .current_dir(root),
    )?;
    let copy = work.join("lemsc");
    std::fs::copy(root.join("target/release/lemsc"), &copy)
        .map_err(|e| format!("cannot copy lemsc to {}: {e}", copy.display()))?;
    Ok(copy)
}

/// Generates each model with the shared script, unless an earlier run left it (the script is
/// deterministic, and N=10 000 takes minutes to write). `--quick` simulates a tenth as long.
fn generate_models(
    root: &Path,
    python: &Path,
    work: &Path,
    options: &Options,
) -> Result<Vec<Model>, String> {
    let generator = root.join(GENERATOR);
    if !generator.is_file() {
        return Err(format!("the generator {} is missing", generator.display()));
    }
    let folder = work.join(if options.quick {
        "models-quick"
    } else {
        "models"
    });
    let mut wanted: Vec<(&'static str, usize)> = Vec::new();
    for &n in &options.sizes {
        wanted.push(("izh-net", n));
        wanted.push(("hh-net", n));
    }
    wanted.push(("hh-single", 1));
    let mut models = Vec::new();
    for (kind, cells) in wanted {
        let stem = format!("{kind}_N{cells}");
        let model = Model {
            kind,
            cells,
            lems: folder.join(format!("LEMS_{stem}.xml")),
            network: folder.join(format!("{stem}.net.nml")),
        };
        if !(model.lems.is_file() && model.network.is_file()) {
            let full_ms = if kind == "hh-single" { 10_000 } else { 1_000 };
            let ms = if options.quick { full_ms / 10 } else { full_ms };
            sh::run(
                Command::new(python)
                    .arg(&generator)
                    .arg(kind)
                    .args(["-n", &cells.to_string(), "--duration", &ms.to_string()])
                    .arg("--out")
                    .arg(&folder)
                    .stdout(Stdio::null()),
            )?;
        }
        models.push(model);
    }
    Ok(models)
}

fn fresh_dir(dir: &Path) -> Result<(), String> {
    remove_dir(dir)?;
    std::fs::create_dir_all(dir.join("results"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

/// Removes `dir` and everything in it, if it is there.
fn remove_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("cannot empty {}: {e}", dir.display()))?;
    }
    Ok(())
}

fn run_lemsc(lemsc: &Path, model: &Model, out: &Path, fast: bool) -> Result<Measured, String> {
    fresh_dir(out)?;
    let mut cmd = Command::new(lemsc);
    cmd.arg(&model.lems).arg("-v").arg("-o").arg(out);
    if fast {
        cmd.arg("--fast");
    }
    let mut m = measure(&mut cmd, out)?;
    m.sim_s = lemsc_sim_seconds(out);
    m.threads = lemsc_threads(out);
    m.spikes = Some(count_spikes(&spike_file(out, model))?);
    Ok(m)
}

/// The `on N threads` of lemsc `-v`'s summary line in `out`, when the step was split.
fn lemsc_threads(out: &Path) -> Option<usize> {
    let log = read_log(out, "stderr.log");
    let (_, after) = log.split_once(" engine on ")?;
    after.split_whitespace().next()?.parse().ok()
}

/// The `simulate   X s` line among the phase times lemsc `-v` logged in `out`.
fn lemsc_sim_seconds(out: &Path) -> Option<f64> {
    read_log(out, "stderr.log").lines().find_map(|l| {
        l.trim()
            .strip_prefix("simulate")?
            .trim()
            .strip_suffix(" s")?
            .trim()
            .parse()
            .ok()
    })
}

fn run_eden(root: &Path, eden: &Path, model: &Model, out: &Path) -> Result<Measured, String> {
    // EDEN writes the output files relative to its working folder: run it in a copy.
    fresh_dir(out)?;
    for file in [&model.lems, &model.network] {
        let name = file.file_name().expect("generated files have names");
        std::fs::copy(file, out.join(name))
            .map_err(|e| format!("cannot copy {}: {e}", file.display()))?;
    }
    let lems = model.lems.file_name().expect("generated files have names");
    let mut m = measure_eden(root, eden, Path::new(lems), out, out)?;
    m.spikes = Some(count_spikes(&spike_file(out, model))?);
    Ok(m)
}

/// One EDEN run of `lems` in `folder` (where it writes its outputs), logged in `out`;
/// with its `Run:` time as the simulation phase.
fn measure_eden(
    root: &Path,
    eden: &Path,
    lems: &Path,
    folder: &Path,
    out: &Path,
) -> Result<Measured, String> {
    let shim = root.join(EDEN_SHIM);
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![shim];
    paths.extend(std::env::split_paths(&path));
    let mut cmd = Command::new(eden);
    cmd.arg("nml")
        .arg(lems)
        .current_dir(folder)
        .env("OMP_NUM_THREADS", "1")
        .env(
            "PATH",
            std::env::join_paths(paths).map_err(|e| e.to_string())?,
        )
        .env("EDEN_SHIM_CACHE", out.join("shim-cache"));
    let mut m = measure(&mut cmd, out)?;
    // EDEN ends with `Config: A Setup: B Run: C` (seconds).
    m.sim_s = read_log(out, "stdout.log").lines().find_map(|l| {
        let rest = l.split("Run:").nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    });
    Ok(m)
}

fn run_neuron(lemsc: &Path, python: &Path, model: &Model, out: &Path) -> Result<Measured, String> {
    let spikes = spike_file(out, model);
    let _ = std::fs::remove_file(&spikes);
    let mut m = measure_neuron(lemsc, python, &model.lems, &[], out)?;
    m.spikes = Some(count_spikes(&spikes)?);
    Ok(m)
}

/// One `lemsc LEMS ARGS --target neuron --run -o out` with the NEURON of `python`'s venv. The
/// mechanisms compiled into `out` by an earlier run are reused (nrnivmodl is skipped).
fn measure_neuron(
    lemsc: &Path,
    python: &Path,
    lems: &Path,
    args: &[&str],
    out: &Path,
) -> Result<Measured, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let bin = python.parent().expect("a venv python sits in bin/");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.to_path_buf()];
    paths.extend(std::env::split_paths(&path));
    let mut cmd = Command::new(lemsc);
    cmd.arg(lems)
        .args(args)
        .args(["--target", "neuron", "--run", "-o"])
        .arg(out)
        .env("LEMSC_PYTHON", python)
        .env(
            "PATH",
            std::env::join_paths(paths).map_err(|e| e.to_string())?,
        );
    measure(&mut cmd, out)
}

fn run_nest(lemsc: &Path, python: &Path, model: &Model, out: &Path) -> Result<Measured, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let spikes = spike_file(out, model);
    let _ = std::fs::remove_file(&spikes);
    let mut cmd = Command::new(lemsc);
    cmd.arg(&model.lems)
        .args(["--target", "nest", "--run", "-o"])
        .arg(out)
        .env("LEMSC_NEST_PYTHON", python)
        .env("LEMSC_NEST_CACHE", out.join("module-cache"));
    let mut m = measure(&mut cmd, out)?;
    m.spikes = Some(count_spikes(&spikes)?);
    Ok(m)
}

/// `DIR/results/<model>_N<n>.spikes`, the generated EventOutputFile.
fn spike_file(dir: &Path, model: &Model) -> PathBuf {
    dir.join(format!("results/{}_N{}.spikes", model.kind, model.cells))
}

/// The number of events in an `ID TIME` spike file.
fn count_spikes(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("no spike file {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| l.split_whitespace().count() == 2)
        .count())
}

/// The spikes of lemsc's exact and `--fast` runs of one model, compared one by one.
struct FastCheck {
    model: String,
    /// (exact, fast) spike counts, or why a file could not be read.
    counts: Result<(usize, usize), String>,
    /// Spikes of the exact run found in the fast run: same cell, same time as printed.
    same: usize,
}

impl FastCheck {
    fn kept_every_spike(&self) -> bool {
        matches!(self.counts, Ok((exact, fast)) if exact == fast && self.same == exact)
    }

    fn describe(&self) -> String {
        match &self.counts {
            Ok((exact, fast)) => format!(
                "{}: {}/{exact} spikes of the exact run kept (fast run: {fast})",
                self.model, self.same
            ),
            Err(why) => format!("{}: {why}", self.model),
        }
    }
}

fn compare_spikes(model: String, exact: &Path, fast: &Path) -> FastCheck {
    let read = |path: &Path| -> Result<Vec<(String, String)>, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("no spike file {}: {e}", path.display()))?;
        let mut spikes: Vec<(String, String)> = text
            .lines()
            .filter_map(|l| {
                let mut parts = l.split_whitespace();
                Some((parts.next()?.to_string(), parts.next()?.to_string()))
            })
            .collect();
        spikes.sort_unstable();
        Ok(spikes)
    };
    match (read(exact), read(fast)) {
        (Ok(a), Ok(b)) => {
            let same = a.iter().filter(|s| b.binary_search(s).is_ok()).count();
            FastCheck {
                model,
                counts: Ok((a.len(), b.len())),
                same,
            }
        }
        (Err(why), _) | (_, Err(why)) => FastCheck {
            model,
            counts: Err(why),
            same: 0,
        },
    }
}

fn read_log(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

/// Whether lemsc's native engine runs with FTZ/DAZ: a state starting subnormal (1e-310) and
/// read as `x * 1e300` prints about 1e-10 when subnormals are kept and 0 once flushed.
fn lemsc_ftz_state(lemsc: &Path, dir: &Path) -> Result<&'static str, String> {
    fresh_dir(dir)?;
    let model = dir.join("LEMS_ftz_probe.xml");
    std::fs::write(&model, FTZ_PROBE)
        .map_err(|e| format!("cannot write {}: {e}", model.display()))?;
    let status = Command::new(lemsc)
        .arg(&model)
        .arg("-q")
        .arg("-o")
        .arg(dir)
        .status()
        .map_err(|e| format!("cannot start {}: {e}", lemsc.display()))?;
    let output = std::fs::read_to_string(dir.join("results/probe.dat")).unwrap_or_default();
    let last = output
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok());
    match (status.success(), last) {
        (true, Some(y)) => Ok(if y == 0.0 {
            "on (probed)"
        } else {
            "off (probed)"
        }),
        _ => Err(format!(
            "the FTZ probe {} did not run ({status}) or wrote no value",
            model.display()
        )),
    }
}

const FTZ_PROBE: &str = r#"<Lems>
    <Target component="sim"/>
    <Include file="Simulation.xml"/>
    <ComponentType name="Decay">
        <Parameter name="x0" dimension="none"/>
        <Parameter name="tau" dimension="time"/>
        <Exposure name="y" dimension="none"/>
        <Dynamics>
            <StateVariable name="x" dimension="none"/>
            <DerivedVariable name="y" dimension="none" exposure="y" value="x * 1e300"/>
            <TimeDerivative variable="x" value="-x / tau"/>
            <OnStart>
                <StateAssignment variable="x" value="x0"/>
            </OnStart>
        </Dynamics>
    </ComponentType>
    <Decay id="probe" x0="1e-310" tau="10ms"/>
    <Simulation id="sim" length="0.1ms" step="0.025ms" target="probe">
        <OutputFile id="out" fileName="results/probe.dat">
            <OutputColumn id="y" quantity="y"/>
        </OutputFile>
    </Simulation>
</Lems>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_and_lists() {
        let o = parse_options(&["--networks".into()]).unwrap();
        assert_eq!(o.sizes, [100, 1000]);
        assert!(o.lemsc && o.eden && o.neuron && !o.quick);
        let args: Vec<String> = [
            "--networks",
            "--sizes",
            "100,10000",
            "--engines",
            "lemsc",
            "--quick",
        ]
        .map(String::from)
        .into();
        let o = parse_options(&args).unwrap();
        assert_eq!(o.sizes, [100, 10000]);
        assert!(o.lemsc && !o.eden && !o.neuron && o.quick);
        assert!(o.lemsc_fast, "lemsc runs both of its modes");
        let only_fast = parse_options(&["--engines".into(), "lemsc-fast,eden".into()]).unwrap();
        assert!(!only_fast.lemsc && only_fast.lemsc_fast && only_fast.eden);
        assert!(parse_options(&["--sizes".into(), "ten".into()]).is_err());
        assert!(parse_options(&["--engines".into(), "brian".into()]).is_err());
    }

    #[test]
    fn child_usage_is_measured() {
        let dir = std::env::temp_dir().join(format!("xtask-measure-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A child that burns CPU and touches ~64 MiB.
        let mut cmd = Command::new("python3");
        cmd.args(["-c", "b = bytearray(64 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\ns = sum(range(3_000_000))"]);
        let m = measure(&mut cmd, &dir).unwrap();
        assert!(m.cpu_s > 0.01, "{}", m.cpu_s);
        assert!(m.peak_rss_kib > 60 * 1024, "{}", m.peak_rss_kib);
        assert!(m.wall_s >= m.cpu_s * 0.5);
        let mut failing = Command::new("python3");
        failing.args(["-c", "import sys; sys.exit(3)"]);
        assert!(measure(&mut failing, &dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn row(engine: Engine, cpu_s: f64, spikes: usize) -> Row {
        Row {
            model: "hh-net N=100".into(),
            cells: 100,
            engine,
            result: Ok(Measured {
                wall_s: cpu_s * 2.0,
                cpu_s,
                peak_rss_kib: 102_400,
                sim_s: None,
                spikes: Some(spikes),
                threads: (engine == Engine::Lemsc).then_some(2),
            }),
            ftz: "-",
        }
    }

    #[test]
    fn report_gives_ratios_and_flags_disagreeing_spike_counts() {
        let options = parse_options(&[]).unwrap();
        let rows = vec![
            row(Engine::Lemsc, 8.0, 1620),
            row(Engine::Eden, 32.0, 1441),
            row(Engine::Neuron, 16.0, 1585),
        ];
        let text = report(&rows, &network_header(&options), &[]);
        assert!(
            text.contains("| hh-net N=100 | EDEN | 0.25 | 0.25 | 1.00 |"),
            "{text}"
        );
        assert!(
            text.contains("| hh-net N=100 | NEURON (run) | 0.50 | 0.50 | 1.00 |"),
            "{text}"
        );
        assert!(text.contains("| 1024 | 1441 | -11.0 % |"), "{text}");
        assert!(
            text.contains("| hh-net N=100 | lemsc native (2 threads) | 16.00 | 8.00 |"),
            "{text}"
        );
        assert_eq!(
            disagreements(&rows),
            ["hh-net N=100: lemsc 1620, EDEN 1441"]
        );

        let alone = report(&rows[..1], &network_header(&options), &[]);
        assert!(!alone.contains("lemsc / other"), "{alone}");
        assert!(alone.contains("no other engine ran"), "{alone}");
    }

    #[test]
    fn fast_spikes_are_compared_one_by_one_and_reported() {
        let dir = std::env::temp_dir().join(format!("xtask-fast-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (exact, fast, moved) = (dir.join("e"), dir.join("f"), dir.join("m"));
        std::fs::write(&exact, "3\t0.0125\n0\t0.0300\n").unwrap();
        std::fs::write(&fast, "0\t0.0300\n3\t0.0125\n").unwrap();
        std::fs::write(&moved, "3\t0.0125\n0\t0.030025\n").unwrap();
        let same = compare_spikes("hh-net N=100".into(), &exact, &fast);
        assert!(same.kept_every_spike(), "{}", same.describe());
        let shifted = compare_spikes("hh-net N=100".into(), &exact, &moved);
        assert!(!shifted.kept_every_spike());
        assert_eq!(
            shifted.describe(),
            "hh-net N=100: 1/2 spikes of the exact run kept (fast run: 2)"
        );
        let missing = compare_spikes("x".into(), &exact, &dir.join("absent"));
        assert!(!missing.kept_every_spike());
        std::fs::remove_dir_all(&dir).unwrap();

        let rows = vec![
            row(Engine::Lemsc, 8.0, 2),
            row(Engine::LemscFast, 2.0, 2),
            row(Engine::Eden, 4.0, 2),
        ];
        let text = report(
            &rows,
            &network_header(&parse_options(&[]).unwrap()),
            &[same],
        );
        assert!(
            text.contains("| hh-net N=100 | 2/2 | 8.00 | 2.00 | 4.0x |"),
            "{text}"
        );
        assert!(
            text.contains("| hh-net N=100 (--fast) | EDEN | 0.50 | 0.50 | 1.00 |"),
            "{text}"
        );
    }

    #[test]
    fn spike_files_are_counted_and_compared() {
        let dir = std::env::temp_dir().join(format!("xtask-spikes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.spikes");
        std::fs::write(&file, "0\t0.0023\n1 +0.01865\n\n").unwrap();
        assert_eq!(count_spikes(&file).unwrap(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(relative_difference(104, 100) <= SPIKE_TOLERANCE);
        assert!(relative_difference(90, 100) > SPIKE_TOLERANCE);
    }
}
