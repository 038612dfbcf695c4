//! The native target with NEURON's numerics (`--cell-numerics neuron`; the default for cells
//! of several compartments) against NEURON:
//!
//! - every `jNeuroML_NEURON` and `jNeuroML_EDEN` OMV test file of the LEMS examples, of
//!   `morphologies/` and of the real models (`../shared/realworld`) whose model is made of
//!   NeuroML `<cell>`s runs natively and passes every observable (a tolerance of 0 read as
//!   spike times within 0.05 ms, as for the NEURON export);
//! - on the multi-compartment examples, every column the native target writes agrees with
//!   the NEURON export's run of the same model within [`TRACE_REL_TOL`] of the column's size.
//!
//! Each distinct LEMS file runs once, into its own folder under the test's temporary
//! directory (`-o`), so nothing is written into `../shared`.

use std::path::{Path, PathBuf};

use lemsc::back::neuron::{export_file as export_neuron, NeuronRunOptions};
use lemsc::diag::SourceMap;
use lemsc::passes::cable::{cells_only, CellNumerics};
use lemsc::simulate::{check_file, run_file, Engine, RunOptions};
use lemsc_testsuite::failures::assert_none_failed;
use lemsc_testsuite::nrncompare::{evaluate_within_step, read_dat};
use lemsc_testsuite::omv::{load_mep, load_omt, observable_failure, omt_files, Omt};
use lemsc_testsuite::realworld::{omt_files_under, omt_target, realworld_dir, short_name};
use lemsc_testsuite::runs::{first_error, two_at_a_time};
use lemsc_testsuite::scratch::Scratch;
use lemsc_testsuite::simulators::skipped_without_neuron;

/// The engines whose reference values come from NEURON's numerics.
const ENGINES: &[&str] = &["jNeuroML_NEURON", "jNeuroML_EDEN"];
/// A tolerance of 0 read as the NEURON export's tests read it: within 0.05 ms.
const ZERO_TOLERANCE_WINDOW_S: f64 = 0.05e-3;
/// Native against NEURON export, per column: the largest difference allowed, as a fraction
/// of the column's size (its range or its largest magnitude, whichever is larger).
const TRACE_REL_TOL: f64 = 1e-4;
/// Observables of the real models' NEURON test files whose model is made of `<cell>`s.
const REALWORLD_OBSERVABLES: usize = 38;
/// Test files that fail for a reason outside the simulation: the NEURON export fails them
/// too (testsuite/tests/realworld.rs).
const KNOWN_GAPS: &[(&str, &str)] = &[(
    ".test.1d.jnmlnrn.omt",
    "Poisson inputs: expected spike times from another random stream",
)];
/// Test files counted on the examples (LEMSexamples/test and morphologies/).
const EXAMPLE_FILES: usize = 17;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/neuroml2/LEMSexamples")
}

fn tmp_root(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// The NEURON-numerics test files among `paths` whose model is made of `<cell>`s.
fn cell_omts(sources: &mut SourceMap, paths: &[PathBuf]) -> Vec<Omt> {
    let mut omts = Vec::new();
    for path in paths {
        let omt =
            load_omt(sources, path).unwrap_or_else(|d| panic!("{}: {}", path.display(), d.message));
        if !ENGINES.contains(&omt.engine.as_str()) {
            continue;
        }
        let checked = check_file(&omt_target(&omt), &Default::default())
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), first_error(&e)));
        let (Some(model), Some(ir)) = (checked.model.as_ref(), checked.ir.as_ref()) else {
            panic!("{}: the model does not check", path.display());
        };
        if cells_only(model, ir) {
            omts.push(omt);
        }
    }
    omts
}

/// Runs each distinct target natively with NEURON's numerics, two at a time, and judges
/// every observable; the failures and the number of observables.
fn run_and_judge(sources: &mut SourceMap, omts: &[Omt], root: &Path) -> (Vec<String>, usize) {
    let mut targets: Vec<PathBuf> = omts.iter().map(omt_target).collect();
    targets.sort();
    targets.dedup();
    let runs = two_at_a_time(&targets, |target| {
        let out_dir = root.join(short_name(target).replace(['/', '\\'], "__"));
        let opts = RunOptions {
            out_dir: Some(out_dir.clone()),
            engine: Engine::Native,
            cell_numerics: CellNumerics::Neuron,
            ..RunOptions::default()
        };
        let result = run_file(target, &opts)
            .map(|_| ())
            .map_err(|e| first_error(&e));
        (target.clone(), out_dir, result)
    });
    let mut failures = Vec::new();
    let mut total = 0;
    for omt in omts {
        let label = short_name(&omt.path);
        let target = omt_target(omt);
        let (_, out_dir, result) = runs
            .iter()
            .find(|r| r.0 == target)
            .expect("every target ran");
        let Some(mep_path) = omt.mep_path() else {
            if let Err(why) = result {
                failures.push(format!("{label}: {why}"));
            }
            continue;
        };
        let mep = load_mep(sources, &mep_path).expect("a readable .mep");
        if let Err(why) = result {
            total += omt.observable_count();
            failures.push(format!("{label}: the run failed: {why}"));
            continue;
        }
        for r in evaluate_within_step(omt, &mep, out_dir, ZERO_TOLERANCE_WINDOW_S) {
            total += 1;
            if !r.passed() {
                failures.push(observable_failure(&label, &r));
            }
        }
    }
    println!(
        "{} LEMS files, {total} observables, {} failures",
        targets.len(),
        failures.len()
    );
    (failures, total)
}

#[test]
fn examples_pass_every_neuron_and_eden_observable_natively() {
    let dir = examples_dir();
    let mut paths = omt_files(&dir.join("test")).expect("the example tests");
    paths.extend(omt_files(&dir.join("morphologies")).expect("the morphology tests"));
    let mut sources = SourceMap::new();
    let omts = cell_omts(&mut sources, &paths);
    for omt in &omts {
        println!("{}", short_name(&omt.path));
    }
    assert_eq!(
        omts.len(),
        EXAMPLE_FILES,
        "NEURON and EDEN test files of <cell> models"
    );
    let root = Scratch::fresh(tmp_root("cable-examples"));
    let (failures, total) = run_and_judge(&mut sources, &omts, &root);
    assert!(total > 0);
    assert_none_failed("observables", &failures, total, &[]);
}

#[test]
fn real_models_of_cells_pass_every_neuron_observable_natively() {
    let paths = omt_files_under(&realworld_dir());
    let mut sources = SourceMap::new();
    let omts = cell_omts(&mut sources, &paths);
    for omt in &omts {
        println!("{}", short_name(&omt.path));
    }
    let root = Scratch::fresh(tmp_root("cable-realworld"));
    let (failures, total) = run_and_judge(&mut sources, &omts, &root);
    assert_eq!(total, REALWORLD_OBSERVABLES, "observables of <cell> models");
    assert_none_failed("observables", &failures, total, KNOWN_GAPS);
}

/// Every column of every output file of `native` against the same file of `neuron`.
fn trace_differences(native: &Path, neuron: &Path, files: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for file in files {
        let a = read_dat(&native.join(file)).unwrap_or_else(|e| panic!("{e}"));
        let b = read_dat(&neuron.join(file)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.times.len(), b.times.len(), "{file}: rows");
        for (c, (x, y)) in a.columns.iter().zip(&b.columns).enumerate() {
            let (lo, hi) = y
                .iter()
                .fold((f64::MAX, f64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
            let size = (hi - lo).max(lo.abs()).max(hi.abs());
            let worst = x
                .iter()
                .zip(y)
                .map(|(p, q)| (p - q).abs())
                .fold(0.0, f64::max);
            println!(
                "{file} column {}: max |native - NEURON| = {worst:.3e} (size {size:.3e})",
                c + 1
            );
            if worst > TRACE_REL_TOL * size {
                out.push(format!(
                    "{file} column {}: native and NEURON differ by {worst:.3e}, more than {:.1e} of {size:.3e}",
                    c + 1,
                    TRACE_REL_TOL
                ));
            }
        }
    }
    out
}

#[test]
fn multicompartment_examples_agree_with_the_neuron_export() {
    if skipped_without_neuron("multicompartment_examples_agree_with_the_neuron_export") {
        return;
    }
    let dir = examples_dir();
    let cases: &[(PathBuf, &[&str])] = &[
        (
            dir.join("LEMS_NML2_Ex25_MultiComp.xml"),
            &[
                "results/ex25_0.dat",
                "results/ex25_1.dat",
                "results/ex25_2.dat",
            ],
        ),
        (
            dir.join("morphologies/LEMS_pyrfull_in.xml"),
            &[
                "pyramidals_0.0.dat",
                "pyramidals_0.4.dat",
                "pyramidals_0.8.dat",
                "pyramidals_0.0.Ca_conc_CONC_ca.dat",
            ],
        ),
    ];
    let root = Scratch::fresh(tmp_root("cable-vs-neuron"));
    let failures: Vec<String> = two_at_a_time(cases, |(lems, files)| {
        let name = lems.file_stem().unwrap().to_string_lossy().into_owned();
        let native = root.join(format!("{name}-native"));
        let neuron = root.join(format!("{name}-neuron"));
        let opts = RunOptions {
            out_dir: Some(native.clone()),
            ..RunOptions::default()
        };
        if let Err(e) = run_file(lems, &opts) {
            return vec![format!("{name}: native run failed: {}", first_error(&e))];
        }
        let nopts = NeuronRunOptions {
            out_dir: Some(neuron.clone()),
            run: true,
            ..NeuronRunOptions::default()
        };
        match export_neuron(lems, &nopts) {
            Ok(outcome) if outcome.status == Some(0) => {}
            Ok(outcome) => {
                return vec![format!(
                    "{name}: the NEURON runner exited with {:?}",
                    outcome.status
                )]
            }
            Err(e) => return vec![format!("{name}: NEURON export failed: {}", first_error(&e))],
        }
        trace_differences(&native, &neuron, files)
            .into_iter()
            .map(|f| format!("{name}: {f}"))
            .collect()
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
