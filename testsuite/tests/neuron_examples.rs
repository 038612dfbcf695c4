//! Every official LEMS example (`LEMS_NML2_Ex*.xml`, the multi-compartment Ex25 included) and
//! the LEMS files of `morphologies/`, exported to NEURON and run (`export_neuron` with
//! `run: true`), each into its own folder under the test's temporary directory, then judged
//! two ways:
//!
//! - **OMV** (`neuron_omv_observables`): every observable of the `jNeuroML_NEURON` test files
//!   (`test/` and `morphologies/`) with the `.mep` values. All of them have a tolerance of 0,
//!   read as: the same number of spikes, each within one simulation `step` of the expected
//!   (`lemsc_testsuite::nrncompare::judge_within_step`).
//! - **Against the native target** (`neuron_agrees_with_native`): every example the native
//!   target also runs (all but Ex25 and `morphologies/`) is run natively too, and every output
//!   file is compared column by column with the bounds stated in
//!   `lemsc_testsuite::nrncompare`: spiking columns by spike count and times within
//!   `step + rel · t` (`rel` from the example's jNeuroML-engine `.omt`: the triangle
//!   inequality through the `.mep` values), other columns within 1e-3 of the native column's
//!   size (its range or largest magnitude) from the third row up to 2 ms before the example's
//!   first spike (after it, trajectories are shifted by the spike-time
//!   difference); spike files per cell id like spiking columns.
//!
//! Columns driven by random inputs ([`RANDOM_COLUMNS`]) are compared by spike count only,
//! within a loose statistical bound, because the two targets draw from different random
//! streams; a randomly driven column without spikes is skipped (said in the output). Ex6's
//! spike source is a regular `spikeGenerator` and Ex14's Poisson sources reach no recorded
//! cell, so both are compared in full.
//!
//! When no Python with `import neuron` is found (`$LEMSC_PYTHON`, else `python3`), both tests
//! pass after saying so. Each lists every failure, one line per example, observable or column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use lemsc::back::neuron::{export_file as export_neuron, NeuronRunOptions};
use lemsc::diag::SourceMap;
use lemsc::simulate::{run_file, Engine, RunOptions};
use lemsc_testsuite::failures::assert_none_failed;
use lemsc_testsuite::ir_outputs::{with_ir, IrOutputs};
use lemsc_testsuite::nrncompare::{
    compare_continuous, compare_spike_counts_loosely, compare_spike_files, compare_spike_times,
    evaluate_within_step, judge_example, normalize, read_dat, relocate_outputs, spike_detector,
    DatFile, Exclusions, RunPair, SpikeDetector,
};
use lemsc_testsuite::omv::{
    load_mep, observable_failure, omts_for_engine, Detection, Omt, SpikeSource, ENGINE_JNEUROML,
    ENGINE_NEURON,
};
use lemsc_testsuite::runs::{first_error, fresh_root, run_natively, status, two_at_a_time};
use lemsc_testsuite::shared_dir;
use lemsc_testsuite::simulators::skipped_without_neuron;

/// The multi-compartment example, which the native target refuses.
const MULTI_COMPARTMENT: &str = "LEMS_NML2_Ex25_MultiComp.xml";

/// Columns (by `OutputColumn` id; `*`: every column and spike file) driven by random inputs,
/// per example, and why.
const RANDOM_COLUMNS: &[(&str, &[&str], &str)] = &[
    (
        "LEMS_NML2_Ex16_Inputs.xml",
        &["v6", "v7", "v8"],
        "izhPop[6], [7] and [8] are driven by a random spike generator, a Poisson generator \
         and a Poisson firing synapse",
    ),
    (
        "LEMS_NML2_Ex23_Spiketimes.xml",
        &["*"],
        "every cell is driven by a Poisson firing synapse",
    ),
];

fn examples_dir() -> PathBuf {
    shared_dir().join("neuroml2/LEMSexamples")
}

fn morphologies_dir() -> PathBuf {
    examples_dir().join("morphologies")
}

/// (column id, variable name) of each column of a time series file.
type ColumnNames = [(String, String)];

/// The step and output files of a LEMS file, from its checked IR.
fn example_outputs(file: &Path) -> Result<IrOutputs, String> {
    with_ir(file, IrOutputs::of)
}

/// One example's run with one target.
struct ExampleRun {
    file: PathBuf,
    /// `LEMS_NML2_Ex5_DetCell.xml`, or `morphologies/LEMS_m_in_b_in.xml`.
    name: String,
    /// The folder standing for the LEMS file's (outputs are relative to it).
    out_dir: PathBuf,
    /// The example's outputs, and the run's success, or why either failed.
    result: Result<IrOutputs, String>,
    seconds: f64,
}

impl ExampleRun {
    fn outputs(&self) -> Option<&IrOutputs> {
        self.result.as_ref().ok()
    }
}

/// The examples: every `LEMS_NML2_Ex*.xml` and every LEMS file in `morphologies/`.
fn example_files() -> Vec<PathBuf> {
    let lems_files = |dir: &Path, prefix: &str| -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("the NeuroML2 LEMS examples in ../shared")
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with(prefix) && name.ends_with(".xml")
            })
            .collect();
        files.sort();
        files
    };
    let mut files = lems_files(&examples_dir(), "LEMS_NML2_Ex");
    assert!(files.len() >= 31, "only {} examples found", files.len());
    let morphologies = lems_files(&morphologies_dir(), "LEMS_");
    assert!(
        morphologies.len() >= 4,
        "only {} morphologies",
        morphologies.len()
    );
    files.extend(morphologies);
    files
}

fn is_morphology(file: &Path) -> bool {
    file.parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == "morphologies")
}

fn display_name(file: &Path) -> String {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    if is_morphology(file) {
        format!("morphologies/{name}")
    } else {
        name
    }
}

/// The examples the native target runs too.
fn native_runs_it(file: &Path) -> bool {
    !is_morphology(file) && file.file_name().unwrap() != MULTI_COMPARTMENT
}

fn out_dir_for(file: &Path, root: &Path) -> PathBuf {
    let stem = file.file_stem().unwrap();
    if is_morphology(file) {
        root.join("morphologies").join(stem)
    } else {
        root.join(stem)
    }
}

/// How a target runs an example into a folder (which it may move, as NEURON's export does
/// to its own): the example's outputs, or why it failed.
type Target = fn(&Path, &mut PathBuf) -> Result<IrOutputs, String>;

fn run_neuron(file: &Path, out_dir: &mut PathBuf) -> Result<IrOutputs, String> {
    let opts = NeuronRunOptions {
        out_dir: Some(out_dir.clone()),
        run: true,
        ..NeuronRunOptions::default()
    };
    let outputs = example_outputs(file)?;
    let outcome = export_neuron(file, &opts).map_err(|e| first_error(&e))?;
    *out_dir = outcome.dir.clone();
    match outcome.status {
        Some(0) => Ok(outputs),
        Some(status) => Err(format!(
            "the runner {} exited with status {status}",
            outcome.runner.display()
        )),
        None => Err("the runner was not run".into()),
    }
}

fn run_native(file: &Path, out_dir: &mut PathBuf) -> Result<IrOutputs, String> {
    let outputs = example_outputs(file)?;
    run_natively(file, out_dir).map(|_| outputs)
}

/// Runs `run` on every file under a fresh `root`, two at a time, and prints one line per
/// example.
fn run_all(files: &[PathBuf], root: &Path, target: &str, run: Target) -> Vec<ExampleRun> {
    fresh_root(root);
    let mut runs = two_at_a_time(files, |file| {
        let started = Instant::now();
        let mut out_dir = out_dir_for(file, root);
        let result = run(file, &mut out_dir);
        ExampleRun {
            file: file.to_path_buf(),
            name: display_name(file),
            out_dir,
            result,
            seconds: started.elapsed().as_secs_f64(),
        }
    });
    runs.sort_by(|a, b| a.name.cmp(&b.name));
    for run in &runs {
        let status = status(&run.result);
        println!(
            "{target:<7} {:<45} {:>7.2} s  {status}",
            run.name, run.seconds
        );
    }
    runs
}

fn tmp_root(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// Every example exported and run with NEURON once per test process.
fn neuron_runs() -> &'static [ExampleRun] {
    static RUNS: OnceLock<Vec<ExampleRun>> = OnceLock::new();
    RUNS.get_or_init(|| {
        run_all(
            &example_files(),
            &tmp_root("neuron-examples"),
            "NEURON",
            run_neuron,
        )
    })
}

/// The examples the native target runs, run natively once per test process.
fn native_runs() -> &'static [ExampleRun] {
    static RUNS: OnceLock<Vec<ExampleRun>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let files: Vec<PathBuf> = example_files()
            .into_iter()
            .filter(|f| native_runs_it(f))
            .collect();
        run_all(
            &files,
            &tmp_root("neuron-examples-native"),
            "native",
            run_native,
        )
    })
}

fn run_of<'a>(runs: &'a [ExampleRun], file: &Path) -> Option<&'a ExampleRun> {
    let wanted = normalize(file);
    runs.iter().find(|r| normalize(&r.file) == wanted)
}

/// The LEMS file an `.omt` runs.
fn omt_target(omt: &Omt) -> PathBuf {
    normalize(&omt.folder().join(omt.target.trim()))
}

/// Every `.omt` of `engine` in `test/` and `morphologies/`.
fn omts_of(sources: &mut SourceMap, engine: &str) -> Vec<Omt> {
    let mut omts = Vec::new();
    for dir in [examples_dir().join("test"), morphologies_dir()] {
        omts.extend(omts_for_engine(sources, &dir, engine).expect("the examples' OMV test files"));
    }
    omts
}

/// Continuous columns are compared until this many steps, or [`UPSTROKE`] when longer,
/// before the first spike (the rise towards a spike is where the shift shows first).
const WINDOW_BEFORE_FIRST_SPIKE_STEPS: f64 = 5.0;
const UPSTROKE: f64 = 2e-3;

/// Examples the NEURON export does not reproduce yet, with the reason; their failures are
/// printed but do not fail the test, and one that starts passing is reported so it can be
/// taken off. docs/neuron-target.md §6 tracks them.
const KNOWN_OMV_GAPS: &[(&str, &str)] = &[];

/// The same for the comparison with the native target.
const KNOWN_NATIVE_GAPS: &[(&str, &str)] = &[
    (
        "LEMS_NML2_Ex8_AdEx.xml",
        "after a reset the cell keeps the rate from just above threshold for one step, as the \
         reference export does (Ex14's reference values depend on it); with the adaptive \
         exponential cell's exponential term that rate is huge and v runs away",
    ),
    (
        "LEMS_NML2_Ex16_Inputs.xml",
        "the ramp-driven cell's late spikes drift by up to 47 steps (no reference values for \
         that column) and the voltage clamp holds v 0.2 mV apart at its onset",
    ),
    (
        "LEMS_NML2_Ex20_AnalogSynapses.xml",
        "graded synapses: the first spike of a driven cell is 5 steps apart (no reference \
         values for this example's NEURON run)",
    ),
];

#[test]
fn neuron_omv_observables() {
    if skipped_without_neuron("neuron_omv_observables") {
        return;
    }
    let runs = neuron_runs();
    // Every example must run, observed or not.
    let mut failures: Vec<String> = runs
        .iter()
        .filter_map(|run| {
            let why = run.result.as_ref().err()?;
            Some(format!("{}: the NEURON run failed: {why}", run.name))
        })
        .collect();
    let mut sources = SourceMap::new();
    let (mut total, mut dry_runs) = (0, 0);
    for omt in &omts_of(&mut sources, ENGINE_NEURON) {
        let target = omt_target(omt);
        let Some(run) = run_of(runs, &target) else {
            panic!(
                "{} names {}, which is not among the examples run",
                omt.path.display(),
                target.display()
            );
        };
        let Some(mep_path) = omt.mep_path() else {
            dry_runs += 1; // must only run: a failed run is listed above
            continue;
        };
        let mep = load_mep(&mut sources, &mep_path).expect("a readable .mep");
        let Some(outputs) = run.outputs() else {
            let count = omt.observable_count();
            total += count;
            failures.push(format!(
                "{}: {count} observables not measured: the run failed",
                run.name
            ));
            continue;
        };
        for result in evaluate_within_step(omt, &mep, &run.out_dir, outputs.step) {
            total += 1;
            if !result.passed() {
                failures.push(observable_failure(&run.name, &result));
            }
        }
    }
    println!(
        "{} examples, {total} observables and {dry_runs} dry runs, {} failures",
        runs.len(),
        failures.len()
    );
    // 62 in test/ (as omv_catalog.rs counts) and 4 in morphologies/.
    assert_eq!(total, 66, "observables found");
    assert_none_failed(
        "examples and observables",
        &failures,
        runs.len() + total,
        KNOWN_OMV_GAPS,
    );
}

/// Why a column (or spike file id) is compared by spike count only, if it is.
fn random_reason(example: &str, column: &str) -> Option<&'static str> {
    RANDOM_COLUMNS
        .iter()
        .find(|(name, columns, _)| {
            *name == example && columns.iter().any(|c| *c == "*" || *c == column)
        })
        .map(|(_, _, why)| *why)
}

/// What the example's OMV test files say about one column of one file.
#[derive(Default)]
struct ColumnHints {
    /// OMV's detection, in the file's units (threshold divided by the value scaling).
    detection: Option<Detection>,
    /// The jNeuroML-engine tolerance for spike times.
    rel: f64,
}

/// Hints for `column` (1-based, after time) of the file at `path` (as relocated).
fn column_hints(omts_neuron: &[Omt], omts_jnml: &[Omt], path: &Path, column: usize) -> ColumnHints {
    let reads_column = |source: &SpikeSource| match source {
        SpikeSource::Trace(t) => normalize(Path::new(&t.path)) == path && t.columns[1] == column,
        SpikeSource::SpikeFile(_) => false,
    };
    let mut hints = ColumnHints::default();
    for omt in omts_neuron.iter().chain(omts_jnml) {
        for observable in omt.experiments.iter().flat_map(|e| &e.observables) {
            if let (None, SpikeSource::Trace(t)) = (hints.detection, &observable.source) {
                if reads_column(&observable.source) {
                    hints.detection = Some(match t.detection {
                        Detection::Threshold(th) => Detection::Threshold(th / t.scaling[1]),
                        other => other,
                    });
                }
            }
        }
    }
    // The jNeuroML engine's tolerance of this column, else the largest of its files'.
    let observables: Vec<_> = omts_jnml
        .iter()
        .flat_map(|omt| omt.experiments.iter().flat_map(|e| &e.observables))
        .collect();
    hints.rel = match observables.iter().find(|o| reads_column(&o.source)) {
        Some(o) => o.tolerance,
        None => observables.iter().map(|o| o.tolerance).fold(0.0, f64::max),
    };
    hints
}

/// One trace column of both runs, ready to compare.
struct Column<'a> {
    label: String,
    native: (&'a [f64], &'a [f64]),
    neuron: (&'a [f64], &'a [f64]),
    detector: Option<SpikeDetector>,
    rel: f64,
    random: Option<&'static str>,
}

/// Compares every output file of one example; failure lines go to `failures`, and the
/// number of columns and spike ids compared is returned.
fn compare_example(
    native: &ExampleRun,
    neuron: &ExampleRun,
    omts_neuron: &[Omt],
    omts_jnml: &[Omt],
    failures: &mut Vec<String>,
) -> usize {
    let outputs = native.outputs().expect("a native run that succeeded");
    let step = outputs.step;
    let example = native.name.as_str();
    let omts_neuron: Vec<Omt> = omts_neuron
        .iter()
        .map(|o| relocate_outputs(o, &native.out_dir))
        .collect();
    let omts_jnml: Vec<Omt> = omts_jnml
        .iter()
        .map(|o| relocate_outputs(o, &native.out_dir))
        .collect();

    // Read every trace file of both runs first: spikes anywhere in the example open windows
    // in every continuous comparison.
    let mut files: Vec<(&str, &ColumnNames, DatFile, DatFile)> = Vec::new();
    for (file_name, columns) in &outputs.traces {
        let read = |run: &ExampleRun| read_dat(&run.out_dir.join(file_name));
        match (read(native), read(neuron)) {
            (Ok(a), Ok(b)) => files.push((file_name, columns, a, b)),
            (Err(why), _) => failures.push(format!("{example} {file_name} (native): {why}")),
            (_, Err(why)) => failures.push(format!("{example} {file_name} (NEURON): {why}")),
        }
    }
    let mut columns: Vec<Column> = Vec::new();
    for (file_name, ids, a, b) in &files {
        if a.columns.len() != b.columns.len() || a.columns.len() != ids.len() {
            failures.push(format!(
                "{example} {file_name}: {} value columns with NEURON, {} native, {} in the model",
                b.columns.len(),
                a.columns.len(),
                ids.len()
            ));
            continue;
        }
        if a.times.len().abs_diff(b.times.len()) > 1 {
            failures.push(format!(
                "{example} {file_name}: {} rows with NEURON, {} native",
                b.times.len(),
                a.times.len()
            ));
        }
        let path = normalize(&native.out_dir.join(file_name));
        for (index, (id, variable)) in ids.iter().enumerate() {
            let hints = column_hints(&omts_neuron, &omts_jnml, &path, index + 1);
            columns.push(Column {
                label: format!("{file_name} column {id}"),
                native: (&a.times, &a.columns[index]),
                neuron: (&b.times, &b.columns[index]),
                detector: spike_detector(&a.columns[index], hints.detection, variable == "v"),
                rel: hints.rel,
                random: random_reason(example, id),
            });
        }
    }

    let mut spikes = Exclusions::default();
    let mut first_spike = f64::INFINITY;
    let mut compared = 0;
    let mut continuous = Vec::new();
    for column in &columns {
        let Some(detector) = column.detector else {
            continuous.push(column);
            continue;
        };
        let a = detector.spike_times(column.native.0, column.native.1);
        let b = detector.spike_times(column.neuron.0, column.neuron.1);
        compared += 1;
        let verdict = match column.random {
            Some(_) => compare_spike_counts_loosely(a.len(), b.len()),
            None => {
                for &t in a.iter().chain(&b) {
                    spikes.add_spike(t, step, column.rel);
                    first_spike = first_spike.min(t);
                }
                compare_spike_times(&a, &b, step, column.rel)
            }
        };
        if let Err(why) = verdict {
            failures.push(format!("{example} {} (spikes): {why}", column.label));
        }
    }
    let pair = RunPair {
        example,
        native_dir: &native.out_dir,
        other_dir: &neuron.out_dir,
        name: "NEURON",
    };
    let random = |id: i64| random_reason(example, &id.to_string()).is_some();
    let (ids, _) = compare_spike_files(&pair, &outputs.spikes, step, random, &mut spikes, failures);
    compared += ids;
    // From the first spike on, the two targets' spikes are a few steps apart (NEURON's
    // implicit voltage step against jLEMS's explicit one) and every trajectory after it is
    // shifted by that much: continuous columns are compared up to the first spike, the
    // spikes themselves by their times.
    if first_spike.is_finite() {
        spikes.add_from(first_spike - (WINDOW_BEFORE_FIRST_SPIKE_STEPS * step).max(UPSTROKE));
    }
    // The first row holds values from before any step: NEURON's mechanisms compute their
    // derived values (a gate's conductance) at the first step, not at initialisation, as the
    // reference export does. The second row too: a channel density's recorded gDensity and
    // iDensity belong to the gates of the step before (the reference export's `gion`), which
    // at the first step are those from before the gates start at their steady state.
    spikes.add(0.0, 1.5 * step);
    for column in continuous {
        if let Some(why) = column.random {
            println!(
                "{example} {}: not compared, random and without spikes ({why})",
                column.label
            );
            continue;
        }
        compared += 1;
        if let Err(why) = compare_continuous(column.native, column.neuron, step, &spikes) {
            failures.push(format!("{example} {}: {why}", column.label));
        }
    }
    compared
}

#[test]
fn neuron_agrees_with_native() {
    if skipped_without_neuron("neuron_agrees_with_native") {
        return;
    }
    let mut sources = SourceMap::new();
    let by_target = |omts: Vec<Omt>| {
        let mut map: BTreeMap<PathBuf, Vec<Omt>> = BTreeMap::new();
        for omt in omts {
            map.entry(omt_target(&omt)).or_default().push(omt);
        }
        map
    };
    let omts_neuron = by_target(omts_of(&mut sources, ENGINE_NEURON));
    let omts_jnml = by_target(omts_of(&mut sources, ENGINE_JNEUROML));
    let (mut failures, mut total) = (Vec::new(), 0);
    for native in native_runs() {
        let Some(neuron) = run_of(neuron_runs(), &native.file) else {
            panic!("{} was not run with NEURON", native.name);
        };
        let key = normalize(&native.file);
        let no_omts = Vec::new();
        let (neuron_omts, jnml_omts) = (
            omts_neuron.get(&key).unwrap_or(&no_omts),
            omts_jnml.get(&key).unwrap_or(&no_omts),
        );
        let results = (&native.result, &neuron.result);
        total += judge_example(&native.name, results, "NEURON", &mut failures, |failures| {
            compare_example(native, neuron, neuron_omts, jnml_omts, failures)
        });
    }
    assert_none_failed(
        "examples, columns and spike ids",
        &failures,
        total,
        KNOWN_NATIVE_GAPS,
    );
}

/// Spike sources selected by `EventSelection`s whose ids are not numbers (a space, quotes, a
/// backslash, non-ASCII), one source in two files: the NEURON runner writes every event file
/// with the same text as the native target (`time<TAB>id` or `id<TAB>time`, the id as written
/// in the model), and a source recorded twice keeps its events in both files.
#[test]
fn event_files_have_the_native_targets_ids() {
    if skipped_without_neuron("event_files_have_the_native_targets_ids") {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("neuron-event-ids");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("LEMS_event_ids.xml");
    std::fs::write(
        &model,
        r#"<Lems>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Simulation.xml"/>
    <spikeGenerator id="fast" period="4ms"/>
    <spikeGenerator id="slow" period="7ms"/>
    <network id="net">
        <population id="a" component="fast" size="2"/>
        <population id="b" component="slow" size="1"/>
    </network>
    <Simulation id="sim" length="30ms" step="0.01ms" target="net">
        <EventOutputFile id="ev" fileName="ids.spikes" format="TIME_ID">
            <EventSelection id="first cell" select="a[0]" eventPort="spike"/>
            <EventSelection id="q&quot;'\x" select="b[0]" eventPort="spike"/>
            <EventSelection id="7" select="a[1]" eventPort="spike"/>
        </EventOutputFile>
        <EventOutputFile id="ev2" fileName="ids2.spikes" format="ID_TIME">
            <EventSelection id="&#233;t&#233;" select="b[0]" eventPort="spike"/>
        </EventOutputFile>
    </Simulation>
    <Target component="sim"/>
</Lems>
"#,
    )
    .unwrap();
    let native_dir = dir.join("native");
    run_file(
        &model,
        &RunOptions {
            out_dir: Some(native_dir.clone()),
            engine: Engine::Native,
            ..RunOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("native: {}", first_error(&e)));
    let neuron_dir = dir.join("neuron");
    let outcome = export_neuron(
        &model,
        &NeuronRunOptions {
            out_dir: Some(neuron_dir.clone()),
            run: true,
            ..NeuronRunOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("neuron: {}", first_error(&e)));
    assert_eq!(outcome.status, Some(0));
    for (file, lines) in [("ids.spikes", 7 + 7 + 4), ("ids2.spikes", 4)] {
        let native = std::fs::read_to_string(native_dir.join(file)).unwrap();
        let neuron = std::fs::read_to_string(neuron_dir.join(file)).unwrap();
        assert_eq!(native.lines().count(), lines, "{file}:\n{native}");
        assert_eq!(neuron, native, "{file}");
    }
    let ids2 = std::fs::read_to_string(neuron_dir.join("ids2.spikes")).unwrap();
    assert_eq!(ids2.lines().next(), Some("été\t0.007"));
    let _ = std::fs::remove_dir_all(&dir);
}
