//! The Brian2 target on the real-world corpus (`../shared/realworld`): every LEMS file of the
//! jNeuroML test files (the ones `tests/realworld.rs` runs on the native target) is run on
//! the native target and through `--target brian2 --run`, two at a time, each into its own
//! folder under the test's temporary directory, and judged two ways:
//!
//! - **Against the native target**: every output file of the native run must be written by
//!   the script and agree with it as in `tests/brian2.rs` (value columns within
//!   `brian2compare::REL_TOL` of their size, the same events; random inputs by count).
//! - **OMV**: every observable of the jNeuroML test files, with the `.mep` values and
//!   tolerances, on the Brian2 outputs, judged as OMV judges them.
//!
//! Models the Brian2 target cannot express ([`REFUSED`]) must be refused with an error
//! located in the model text; none is skipped silently. `LEMSC_REALWORLD_ONLY=text` runs only
//! the test files whose path contains `text`.
//!
//! Brian2's C++ builds are cached by a hash of each script (`$LEMSC_BRIAN2_CACHE`), so an
//! unchanged model is not compiled again.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lemsc::diag::SourceMap;
use lemsc_testsuite::brian2compare::{
    assert_refused_at_model_text, compare_runs, run_all, skipped_without_brian2, Brian2Run, Random,
};
use lemsc_testsuite::failures::assert_none_failed;
use lemsc_testsuite::nrncompare::relocate_outputs;
use lemsc_testsuite::omv::{evaluate, load_mep, observable_failure, Omt, ENGINE_JNEUROML};
use lemsc_testsuite::realworld::{
    distinct_targets, omt_target, out_folder_name, realworld_omts, short_name,
};
use lemsc_testsuite::scratch::SharedScratch;

/// Models (their path below `../shared/realworld`) the Brian2 target refuses, and the words
/// of the error: none (the corpus's multi-compartment cells are not run natively either).
const REFUSED: &[(&str, &str)] = &[];

/// Output columns that random inputs drive, per model.
const RANDOM: &[(&str, Random)] = &[
    // poissonFiringSynapse inputs on every cell (Brian2 draws its own numbers).
    ("OpenCortex/examples/LEMS_SimpleNet.xml", Random::All),
];

/// Failures the Brian2 target has on these models, and why; printed, not failed.
const KNOWN_GAPS: &[(&str, &str)] = &[(
    ".test.simple.jnml.omt",
    "Poisson inputs: the expected spike times come from jLEMS's random stream",
)];

fn refusal_of(target: &Path) -> Option<&'static str> {
    let name = short_name(target);
    REFUSED.iter().find(|(n, _)| *n == name).map(|(_, w)| *w)
}

/// The jNeuroML test files (all, unless `LEMSC_REALWORLD_ONLY` picks some).
fn omts(sources: &mut SourceMap) -> Vec<Omt> {
    let omts = realworld_omts(sources, ENGINE_JNEUROML);
    match std::env::var("LEMSC_REALWORLD_ONLY") {
        Ok(only) if !only.is_empty() => omts
            .into_iter()
            .filter(|o| o.path.to_string_lossy().contains(&only))
            .collect(),
        _ => omts,
    }
}

fn runs_folder() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("brian2-realworld")
}

/// The two tests that read [`runs`]: the outputs (about 2 GB) go when both have passed.
static RUNS_FOLDER: SharedScratch = SharedScratch::new(2);

/// Every model the Brian2 target does not refuse, native and Brian2, once per test process,
/// two at a time (while one model's C++ compiles, another runs).
fn runs() -> &'static [Brian2Run] {
    static RUNS: OnceLock<Vec<Brian2Run>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let root = runs_folder();
        let mut targets: Vec<PathBuf> = distinct_targets(&omts(&mut SourceMap::new()))
            .into_iter()
            .filter(|t| refusal_of(t).is_none())
            .collect();
        targets.sort();
        run_all(&targets, &root, out_folder_name, short_name)
    })
}

#[test]
fn brian2_refuses_the_real_models_it_cannot_express_at_the_model_text() {
    let mut sources = SourceMap::new();
    let targets = distinct_targets(&omts(&mut sources));
    for (name, words) in REFUSED {
        let Some(target) = targets.iter().find(|t| short_name(t) == *name) else {
            assert!(
                std::env::var_os("LEMSC_REALWORLD_ONLY").is_some(),
                "{name} is listed as refused but no jNeuroML test file runs it"
            );
            continue;
        };
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("brian2-realworld-refused")
            .join(out_folder_name(target));
        assert_refused_at_model_text(name, target, &out, words);
    }
}

fn random_columns(target: &Path) -> Random<'static> {
    Random::of(RANDOM, &short_name(target))
}

#[test]
fn brian2_agrees_with_native_on_real_models() {
    if skipped_without_brian2("brian2_agrees_with_native_on_real_models") {
        return;
    }
    let _reading = RUNS_FOLDER.reader(runs_folder());
    let (failures, total) = compare_runs(runs(), short_name, random_columns);
    assert!(total > 0, "no output file compared");
    assert_none_failed("Brian2 output files", &failures, total, KNOWN_GAPS);
}

#[test]
fn brian2_passes_the_jneuroml_observables_of_real_models() {
    if skipped_without_brian2("brian2_passes_the_jneuroml_observables_of_real_models") {
        return;
    }
    let _reading = RUNS_FOLDER.reader(runs_folder());
    let mut sources = SourceMap::new();
    let (mut failures, mut total) = (Vec::new(), 0);
    for omt in &omts(&mut sources) {
        let label = short_name(&omt.path);
        let target = omt_target(omt);
        let Some(run) = runs().iter().find(|r| r.file == target) else {
            assert!(
                refusal_of(&target).is_some(),
                "{label}: its target was not run"
            );
            continue;
        };
        let Some(mep_path) = omt.mep_path() else {
            continue; // a dry run: it only has to run
        };
        let mep = load_mep(&mut sources, &mep_path).expect("a readable .mep");
        if let Err(why) = &run.result {
            total += omt.observable_count();
            failures.push(format!("{label}: observables not measured: {why}"));
            continue;
        }
        let moved = relocate_outputs(omt, &run.brian2_dir);
        for result in evaluate(&moved, &mep, &run.brian2_dir) {
            total += 1;
            if !result.passed() {
                failures.push(observable_failure(&label, &result));
            }
        }
    }
    println!(
        "{total} OMV observables on the Brian2 outputs, {} failed",
        failures.len()
    );
    assert!(total > 0, "no observable judged");
    assert_none_failed("OMV observables", &failures, total, KNOWN_GAPS);
}
