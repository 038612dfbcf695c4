//! The NEST target on the official LEMS examples.
//!
//! - `nest_refuses_what_it_cannot_run` (no NEST needed): every example of [`REFUSED`] is
//!   refused with an error located in the model (file, line, column) that says why.
//! - `nest_omv_observables`: every other example is exported, its NESTML module built
//!   (cached by a hash of the models, see `back::nest::run`) and its script run
//!   (`export_file` with `run: true`, two examples at a time); every observable of the
//!   example's jNeuroML OMV test files is judged on the NEST outputs as OMV judges it, with
//!   the `.mep` values and the file's tolerance. In examples with zero-delay connections
//!   between cells (which NEST delivers up to [`ZERO_DELAY_LATE_STEPS`] late) a spike time
//!   may be off by that many steps more; the observables that pass only so are printed.
//! - `nest_agrees_with_native`: the same runs against the native target's (which equals
//!   jLEMS), every column and spike id, with the bounds of `lemsc_testsuite::nrncompare`:
//!   spike counts equal and times within `k·step + rel·t` (`rel` from the example's
//!   jNeuroML `.omt`; `k` = 1, or [`HOP_STEPS`] where the example has zero-delay
//!   connections: NEST's one-step minimum delay makes such a spike arrive a step late);
//!   other columns within 1e-3 of the native column's size up to the first spike.
//!   Columns driven by random inputs are compared by spike count, loosely.
//!
//! Without a Python that imports nest and pynestml (`$LEMSC_NEST_PYTHON`, else `python3`)
//! the run tests skip after saying so; under CI (`CI=true`) that is a failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use lemsc::back::nest::{export_file, NestRunOptions};
use lemsc::diag::SourceMap;
use lemsc::simulate::SimError;
use lemsc_testsuite::failures::assert_none_failed;
use lemsc_testsuite::ir_outputs::{with_ir, IrOutputs};
use lemsc_testsuite::nrncompare::{
    compare_continuous, compare_spike_counts_loosely, compare_spike_files, compare_spike_times,
    judge_example, normalize, read_dat, relocate_outputs, spike_detector, time_scaling, Exclusions,
    RunPair,
};
use lemsc_testsuite::omv::{
    evaluate, load_mep, observable_failure, omts_for_engine, Detection, ObservableResult, Omt,
    SpikeSource, Values, ENGINE_JNEUROML,
};
use lemsc_testsuite::runs::{fresh_root, run_natively, status, two_at_a_time};
use lemsc_testsuite::shared_dir;
use lemsc_testsuite::simulators::in_ci;

/// Examples the NEST target refuses, with words its error must say.
const REFUSED: &[(&str, &str)] = &[
    ("LEMS_NML2_Ex17_Tissue.xml", "temperature with dynamics"),
    ("LEMS_NML2_Ex19_GapJunctions.xml", "continuous couplings"),
    (
        "LEMS_NML2_Ex19a_GapJunctionInstances.xml",
        "continuous couplings",
    ),
    ("LEMS_NML2_Ex20_AnalogSynapses.xml", "continuous couplings"),
    (
        "LEMS_NML2_Ex20a_AnalogSynapsesHH.xml",
        "continuous couplings",
    ),
    ("LEMS_NML2_Ex25_MultiComp.xml", "point neurons only"),
    ("LEMS_NML2_Ex26_Weights.xml", "continuous couplings"),
];

/// Columns (by `OutputColumn` id; `*`: all, spike files too) driven by random inputs: NEST
/// draws from its own stream, so only spike counts are compared, loosely.
const RANDOM_COLUMNS: &[(&str, &[&str])] = &[
    ("LEMS_NML2_Ex16_Inputs.xml", &["v6", "v7", "v8"]),
    ("LEMS_NML2_Ex23_Spiketimes.xml", &["*"]),
];

/// How many steps late a spike of a zero-delay connection may take effect in NEST: NEST's
/// smallest delay is one step, so it always arrives at the start of the next step, while
/// jLEMS applies it in the step it was sent when it updates the target after the sender
/// (docs/nest-target.md §3). Delayed connections arrive exactly as in jLEMS.
const ZERO_DELAY_LATE_STEPS: f64 = 1.0;

/// Spike-time slack, in steps, against the native target for examples with zero-delay
/// connections: [`ZERO_DELAY_LATE_STEPS`] late arrivals move later spikes by a step or two.
const HOP_STEPS: f64 = 3.0;

/// Examples the NEST target does not reproduce yet, with the reason (printed, not failed;
/// docs/nest-target.md §6 tracks them).
const KNOWN_NATIVE_GAPS: &[(&str, &str)] = &[];

/// The same for the jNeuroML OMV observables (zero-delay lateness is allowed for, see
/// [`ZERO_DELAY_LATE_STEPS`]).
const KNOWN_OMV_GAPS: &[(&str, &str)] = &[];

fn examples_dir() -> PathBuf {
    shared_dir().join("neuroml2/LEMSexamples")
}

fn example_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .expect("the NeuroML2 LEMS examples in ../shared")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("LEMS_NML2_Ex") && name.ends_with(".xml")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 31, "only {} examples found", files.len());
    files
}

fn name_of(file: &Path) -> String {
    file.file_name().unwrap().to_string_lossy().into_owned()
}

/// The examples the run tests take: every one not refused, or with `LEMSC_NEST_EXAMPLES`
/// (comma-separated parts of names, e.g. `Ex3_,Ex12`) only those, to iterate quickly.
fn supported_files() -> Vec<PathBuf> {
    let only: Vec<String> = std::env::var("LEMSC_NEST_EXAMPLES")
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    example_files()
        .into_iter()
        .filter(|f| !REFUSED.iter().any(|(n, _)| *n == name_of(f)))
        .filter(|f| only.is_empty() || only.iter().any(|o| name_of(f).contains(o.as_str())))
        .collect()
}

/// The Python with NEST and NESTML, if any.
fn nest_python() -> Option<String> {
    let python = std::env::var("LEMSC_NEST_PYTHON").unwrap_or_else(|_| "python3".into());
    Command::new(&python)
        .args(["-c", "import nest, pynestml"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        .then_some(python)
}

fn skipped_without_nest(test: &str) -> bool {
    if nest_python().is_some() {
        return false;
    }
    let why = "no Python with NEST and NESTML (`import nest, pynestml` failed for \
               $LEMSC_NEST_PYTHON, or python3 when it is unset); `cargo xtask ci` installs \
               them into target/nest-venv";
    if in_ci() {
        panic!("{test}: {why}; under CI this is a failure, not a skip");
    }
    println!("SKIPPED {test}: {why}");
    true
}

#[test]
fn nest_refuses_what_it_cannot_run() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("nest-refused");
    let mut failures = Vec::new();
    for (name, words) in REFUSED {
        let file = examples_dir().join(name);
        let opts = NestRunOptions {
            out_dir: Some(root.join(name)),
            ..NestRunOptions::default()
        };
        match export_file(&file, &opts) {
            Ok(_) => failures.push(format!("{name}: exported, but NEST cannot run it")),
            Err(SimError::Model {
                sources,
                diagnostics,
            }) => {
                let error = diagnostics
                    .iter()
                    .find(|d| d.message.contains(words))
                    .map(|d| lemsc::diag::render(&sources, std::slice::from_ref(d), false));
                match error {
                    // Rendered with file:line:column of the element it points at.
                    Some(text) if text.contains(".xml:") || text.contains(".nml:") => {}
                    Some(text) => failures.push(format!("{name}: not located: {text}")),
                    None => failures.push(format!(
                        "{name}: no error saying '{words}' among {:?}",
                        diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
                    )),
                }
            }
            Err(other) => failures.push(format!("{name}: {}", other.summary())),
        }
    }
    assert_none_failed("refused examples", &failures, REFUSED.len(), &[]);
}

/// What the IR says about an example's outputs.
struct Outputs {
    ir: IrOutputs,
    /// Whether a connection between two cells has a delay below one step (see
    /// [`ZERO_DELAY_LATE_STEPS`]).
    has_zero_delay_connections: bool,
}

fn outputs_of(file: &Path) -> Result<Outputs, String> {
    with_ir(file, |ir| Outputs {
        ir: IrOutputs::of(ir),
        has_zero_delay_connections: ir
            .event_connections
            .iter()
            .any(|c| c.delay < ir.simulation.step && !within(ir, c.source, c.target)),
    })
}

/// Whether `inst` is `cell` or inside it (an input's event from its own cell, a spike
/// array's from one of its spikes: no NEST connection).
fn within(ir: &lemsc::ir::Ir, mut inst: lemsc::ir::InstId, cell: lemsc::ir::InstId) -> bool {
    loop {
        if inst == cell {
            return true;
        }
        match ir.inst(inst).parent {
            Some(p) => inst = p,
            None => return false,
        }
    }
}

struct Run {
    file: PathBuf,
    name: String,
    out_dir: PathBuf,
    result: Result<Outputs, String>,
    seconds: f64,
}

/// How a target runs an example into a folder: its outputs, or why it failed.
type Target = fn(&Path, &Path) -> Result<Outputs, String>;

fn run_nest(file: &Path, out_dir: &Path) -> Result<Outputs, String> {
    let opts = NestRunOptions {
        out_dir: Some(out_dir.to_path_buf()),
        run: true,
        ..NestRunOptions::default()
    };
    let outputs = outputs_of(file)?;
    let outcome = export_file(file, &opts).map_err(|e| e.summary())?;
    match outcome.status {
        Some(0) => Ok(outputs),
        other => Err(format!("the NEST script exited with {other:?}")),
    }
}

fn run_native(file: &Path, out_dir: &Path) -> Result<Outputs, String> {
    let outputs = outputs_of(file)?;
    run_natively(file, out_dir).map(|_| outputs)
}

/// Runs `run` on every file under a fresh `root`, two at a time (module builds take the
/// machine's two cores).
fn run_all(files: &[PathBuf], root: &Path, label: &str, target: Target) -> Vec<Run> {
    fresh_root(root);
    let mut runs = two_at_a_time(files, |file| {
        let started = Instant::now();
        let out_dir = root.join(file.file_stem().unwrap());
        let result = target(file, &out_dir);
        Run {
            file: file.to_path_buf(),
            name: name_of(file),
            out_dir,
            result,
            seconds: started.elapsed().as_secs_f64(),
        }
    });
    runs.sort_by(|a, b| a.name.cmp(&b.name));
    for r in &runs {
        let status = status(&r.result);
        println!("{label:<6} {:<45} {:>7.2} s  {status}", r.name, r.seconds);
    }
    runs
}

fn tmp(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn nest_runs() -> &'static [Run] {
    static RUNS: OnceLock<Vec<Run>> = OnceLock::new();
    RUNS.get_or_init(|| {
        if std::env::var_os("LEMSC_NEST_CACHE").is_none() {
            // Modules survive between test runs: each distinct one is built once.
            std::env::set_var("LEMSC_NEST_CACHE", tmp("nest-cache"));
        }
        let started = Instant::now();
        let runs = run_all(&supported_files(), &tmp("nest-examples"), "NEST", run_nest);
        println!(
            "NEST: {} examples in {:.1} s",
            runs.len(),
            started.elapsed().as_secs_f64()
        );
        runs
    })
}

fn native_runs() -> &'static [Run] {
    static RUNS: OnceLock<Vec<Run>> = OnceLock::new();
    RUNS.get_or_init(|| {
        run_all(
            &supported_files(),
            &tmp("nest-examples-native"),
            "native",
            run_native,
        )
    })
}

fn run_of<'a>(runs: &'a [Run], file: &Path) -> Option<&'a Run> {
    let wanted = normalize(file);
    runs.iter().find(|r| normalize(&r.file) == wanted)
}

fn jnml_omts(sources: &mut SourceMap) -> BTreeMap<PathBuf, Vec<Omt>> {
    let mut map: BTreeMap<PathBuf, Vec<Omt>> = BTreeMap::new();
    for omt in omts_for_engine(sources, &examples_dir().join("test"), ENGINE_JNEUROML)
        .expect("the examples' OMV test files")
    {
        let target = normalize(&omt.folder().join(omt.target.trim()));
        map.entry(target).or_default().push(omt);
    }
    map
}

#[test]
fn nest_omv_observables() {
    if skipped_without_nest("nest_omv_observables") {
        return;
    }
    let runs = nest_runs();
    let mut failures: Vec<String> = runs
        .iter()
        .filter_map(|r| Some(format!("{}: {}", r.name, r.result.as_ref().err()?)))
        .collect();
    let mut sources = SourceMap::new();
    let (mut total, mut examples_passing) = (0, 0);
    // Observables that pass only with the zero-delay allowance.
    let mut allowed: Vec<String> = Vec::new();
    for (target, omts) in jnml_omts(&mut sources) {
        let Some(run) = run_of(runs, &target) else {
            continue; // a refused example
        };
        let before = failures.len();
        for omt in &omts {
            let Some(mep_path) = omt.mep_path() else {
                continue;
            };
            let mep = load_mep(&mut sources, &mep_path).expect("a readable .mep");
            if run.result.is_err() {
                total += omt.observable_count();
                continue;
            }
            let moved = relocate_outputs(omt, &run.out_dir);
            let observables = moved.experiments.iter().flat_map(|e| &e.observables);
            let late_by = zero_delay_allowance(run);
            for (result, observable) in evaluate(&moved, &mep, &run.out_dir).iter().zip(observables)
            {
                total += 1;
                if result.passed() {
                    continue;
                }
                let extra = late_by * time_scaling(&observable.source);
                if extra > 0.0 && passes_with_extra(result, extra) {
                    allowed.push(format!(
                        "{}: {result} (within OMV's tolerance + {ZERO_DELAY_LATE_STEPS} step)",
                        run.name
                    ));
                } else {
                    failures.push(observable_failure(&run.name, result));
                }
            }
        }
        if run.result.is_ok() && failures.len() == before {
            examples_passing += 1;
        }
    }
    println!(
        "{} examples run, {examples_passing} pass all their jNeuroML OMV observables ({total} \
         observables; {} of them only with the zero-delay allowance of {ZERO_DELAY_LATE_STEPS} \
         step)",
        runs.len(),
        allowed.len()
    );
    let with_allowance: Vec<&str> = runs
        .iter()
        .filter(|r| zero_delay_allowance(r) > 0.0)
        .map(|r| r.name.as_str())
        .collect();
    println!(
        "zero-delay connections (allowance of {ZERO_DELAY_LATE_STEPS} step): {}",
        with_allowance.join(", ")
    );
    for line in &allowed {
        println!("passed with the zero-delay allowance: {line}");
    }
    assert_none_failed("examples and observables", &failures, total, KNOWN_OMV_GAPS);
}

/// The extra spike-time tolerance (seconds) of an example's observables: zero-delay
/// connections may act [`ZERO_DELAY_LATE_STEPS`] late; none for other examples.
fn zero_delay_allowance(run: &Run) -> f64 {
    match &run.result {
        Ok(o) if o.has_zero_delay_connections => ZERO_DELAY_LATE_STEPS * o.ir.step,
        _ => 0.0,
    }
}

/// OMV's spike-time judgement (`|observed - expected| <= 1e-8 + tolerance·|expected|`, same
/// count) with `extra` (in the observable's time unit) added to what each spike may be off.
fn passes_with_extra(result: &ObservableResult, extra: f64) -> bool {
    match (&result.observed, &result.expected) {
        (Some(Values::SpikeTimes(obs)), Some(Values::SpikeTimes(exp))) => {
            obs.len() == exp.len()
                && obs
                    .iter()
                    .zip(exp)
                    .all(|(&o, &e)| (o - e).abs() <= 1e-8 + result.tolerance * e.abs() + extra)
        }
        _ => false,
    }
}

fn random_column(example: &str, column: &str) -> bool {
    RANDOM_COLUMNS
        .iter()
        .any(|(n, cols)| *n == example && cols.iter().any(|c| *c == "*" || *c == column))
}

/// The jNeuroML tolerance and OMV detection of one column, from the example's `.omt`s.
fn hints(omts: &[Omt], path: &Path, column: usize) -> (Option<Detection>, f64) {
    let mut detection = None;
    let mut rel: f64 = 0.0;
    for omt in omts {
        for o in omt.experiments.iter().flat_map(|e| &e.observables) {
            rel = rel.max(o.tolerance);
            if let SpikeSource::Trace(t) = &o.source {
                if normalize(Path::new(&t.path)) == path && t.columns[1] == column {
                    detection = Some(match t.detection {
                        Detection::Threshold(th) => Detection::Threshold(th / t.scaling[1]),
                        other => other,
                    });
                }
            }
        }
    }
    (detection, rel)
}

fn compare(native: &Run, nest: &Run, omts: &[Omt], failures: &mut Vec<String>) -> usize {
    let outputs = native.result.as_ref().expect("a native run");
    let step = outputs.ir.step;
    let slack = if outputs.has_zero_delay_connections {
        HOP_STEPS
    } else {
        1.0
    };
    let example = native.name.as_str();
    let omts: Vec<Omt> = omts
        .iter()
        .map(|o| relocate_outputs(o, &native.out_dir))
        .collect();
    let mut compared = 0;
    let mut spikes = Exclusions::default();
    let mut first_spike = f64::INFINITY;
    let mut continuous = Vec::new();
    let mut files = Vec::new();
    for (file_name, ids) in &outputs.ir.traces {
        match (
            read_dat(&native.out_dir.join(file_name)),
            read_dat(&nest.out_dir.join(file_name)),
        ) {
            (Ok(a), Ok(b)) => files.push((file_name, ids, a, b)),
            (Err(why), _) | (_, Err(why)) => failures.push(format!("{example}: {why}")),
        }
    }
    for (file_name, ids, a, b) in &files {
        if a.columns.len() != b.columns.len() || a.times.len() != b.times.len() {
            failures.push(format!(
                "{example} {file_name}: {}x{} values with NEST, {}x{} native",
                b.times.len(),
                b.columns.len(),
                a.times.len(),
                a.columns.len()
            ));
            continue;
        }
        let path = normalize(&native.out_dir.join(file_name));
        for (index, (id, variable)) in ids.iter().enumerate() {
            let (detection, rel) = hints(&omts, &path, index + 1);
            let label = format!("{file_name} column {id}");
            let native_col = (&a.times[..], &a.columns[index][..]);
            let nest_col = (&b.times[..], &b.columns[index][..]);
            match spike_detector(&a.columns[index], detection, variable == "v") {
                Some(d) => {
                    compared += 1;
                    let x = d.spike_times(native_col.0, native_col.1);
                    let y = d.spike_times(nest_col.0, nest_col.1);
                    let verdict = if random_column(example, id) {
                        compare_spike_counts_loosely(x.len(), y.len())
                    } else {
                        for &t in x.iter().chain(&y) {
                            spikes.add_spike(t, slack * step, rel);
                            first_spike = first_spike.min(t);
                        }
                        compare_spike_times(&x, &y, slack * step, rel)
                    };
                    if let Err(why) = verdict {
                        failures.push(format!("{example} {label} (spikes): {why}"));
                    }
                }
                None if random_column(example, id) => {}
                None => continuous.push((label, native_col, nest_col)),
            }
        }
    }
    let pair = RunPair {
        example,
        native_dir: &native.out_dir,
        other_dir: &nest.out_dir,
        name: "NEST",
    };
    let random = |_: i64| random_column(example, "*");
    let (ids, first) = compare_spike_files(
        &pair,
        &outputs.ir.spikes,
        slack * step,
        random,
        &mut spikes,
        failures,
    );
    compared += ids;
    first_spike = first_spike.min(first);
    // After the first spike trajectories are shifted by the spike-time difference.
    if first_spike.is_finite() {
        spikes.add_from(first_spike - (5.0 * slack * step).max(2e-3));
    }
    spikes.add(0.0, 0.5 * step);
    for (label, a, b) in continuous {
        compared += 1;
        if let Err(why) = compare_continuous(a, b, step, &spikes) {
            failures.push(format!("{example} {label}: {why}"));
        }
    }
    compared
}

#[test]
fn nest_agrees_with_native() {
    if skipped_without_nest("nest_agrees_with_native") {
        return;
    }
    let mut sources = SourceMap::new();
    let omts = jnml_omts(&mut sources);
    let (mut failures, mut total) = (Vec::new(), 0);
    for native in native_runs() {
        let nest = run_of(nest_runs(), &native.file).expect("every supported example runs");
        let none = Vec::new();
        let omts = omts.get(&normalize(&native.file)).unwrap_or(&none);
        let results = (&native.result, &nest.result);
        total += judge_example(&native.name, results, "NEST", &mut failures, |failures| {
            compare(native, nest, omts, failures)
        });
    }
    assert_none_failed(
        "examples, columns and spike ids",
        &failures,
        total,
        KNOWN_NATIVE_GAPS,
    );
}
