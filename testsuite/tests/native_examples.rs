//! Every official LEMS example (`LEMS_NML2_Ex*.xml`) run with the native target, each into its
//! own folder under the test's temporary directory (`-o`), then judged two ways:
//!
//! - **OMV**: every observable of the examples' `jNeuroML` test files (`test/.test.*.omt`),
//!   with the `.mep` values and tolerances, as OMV judges them (`lemsc_testsuite::omv`);
//! - **jLEMS's files**: every output file against `shared/reference/jlems/` at the rows kept
//!   there (`lemsc_testsuite::refcompare`). Tolerances: the time column must be the same
//!   text (same steps, same accumulated `t`); a value passes when its text is the same or it
//!   is within 1e-6 of its column's range (both sides compute in double precision in the same
//!   order and print float32; only last-bit differences of `exp`/`pow` between Rust and Java
//!   are expected, and a spike a step early or late is off by a large part of the range);
//!   spike files need the same count per id and every time within one step.
//!
//! Ex23 (Poisson inputs) and Ex6 (a random spike source) match jLEMS only where random numbers
//! are drawn in jLEMS's order; they stay in the report like every other example.
//!
//! Each test lists every failure, one line per example, observable or file, rather than
//! stopping at the first. Ex25 (a multi-compartment cell, which jLEMS cannot run) is run as
//! NEURON runs it; `native_cable.rs` judges it against NEURON.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use lemsc::diag::SourceMap;
use lemsc::simulate::{run_file, RunOptions};
use lemsc_testsuite::omv::{judge_observables, omts_for_engine, ENGINE_JNEUROML};
use lemsc_testsuite::refcompare::{compare_files, manifest_strides};
use lemsc_testsuite::runs::{fresh_root, run_natively, two_at_a_time};
use lemsc_testsuite::shared_dir;

/// The multi-compartment example, which has no jLEMS reference.
const MULTI_COMPARTMENT: &str = lemsc_testsuite::MULTI_COMPARTMENT_EXAMPLE;

/// Examples whose outputs depend on the order of random draws.
const STOCHASTIC: &[&str] = &["LEMS_NML2_Ex6_NMDA.xml", "LEMS_NML2_Ex23_Spiketimes.xml"];

fn examples_dir() -> PathBuf {
    shared_dir().join("neuroml2/LEMSexamples")
}

fn reference_dir() -> PathBuf {
    shared_dir().join("reference/jlems")
}

/// One example's run.
struct ExampleRun {
    /// The LEMS file's name (`LEMS_NML2_Ex5_DetCell.xml`).
    name: String,
    /// Where its outputs went (`results/x.dat` is `out_dir/results/x.dat`).
    out_dir: PathBuf,
    /// The step and the files written, or why the run failed.
    result: Result<(f64, Vec<PathBuf>), String>,
    seconds: f64,
}

impl ExampleRun {
    fn label(&self) -> String {
        let mut label = self.name.clone();
        if STOCHASTIC.contains(&self.name.as_str()) {
            label.push_str(" (random draws)");
        }
        label
    }
}

/// The examples to run: every `LEMS_NML2_Ex*.xml` but the multi-compartment one.
fn example_files() -> Vec<PathBuf> {
    lemsc_testsuite::native_lems_examples()
}

fn run_one(file: &Path, root: &Path) -> ExampleRun {
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let out_dir = root.join(file.file_stem().unwrap());
    let started = Instant::now();
    let result = run_natively(file, &out_dir).map(|outcome| (outcome.dt, outcome.outputs));
    ExampleRun {
        name,
        out_dir,
        result,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Every example run once per test process, two at a time (tests share the results).
fn runs() -> &'static [ExampleRun] {
    static RUNS: OnceLock<Vec<ExampleRun>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("native-examples");
        fresh_root(&root);
        let mut runs = two_at_a_time(&example_files(), |file| run_one(file, &root));
        runs.sort_by(|a, b| a.name.cmp(&b.name));
        for run in &runs {
            let status = match &run.result {
                Ok((_, files)) => format!("ok, {} files", files.len()),
                Err(_) => "FAILED".into(),
            };
            println!("{:<45} {:>7.2} s  {status}", run.name, run.seconds);
        }
        runs
    })
}

fn run_named(name: &str) -> Option<&'static ExampleRun> {
    runs().iter().find(|r| r.name == name)
}

/// Panics with `failures` (one per line) out of `total` when there is any.
fn assert_none_failed(what: &str, failures: &[String], total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} {what} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_example_runs_natively() {
    let failures: Vec<String> = runs()
        .iter()
        .filter_map(|run| {
            let why = run.result.as_ref().err()?;
            Some(format!("{}: {why}", run.label()))
        })
        .collect();
    assert_none_failed("examples", &failures, runs().len());
}

#[test]
fn omv_observables_of_jneuroml_tests_pass() {
    let mut sources = SourceMap::new();
    let omts = omts_for_engine(&mut sources, &examples_dir().join("test"), ENGINE_JNEUROML)
        .expect("the examples' OMV test files");
    let (failures, total) = judge_observables(&mut sources, &omts, |omt| {
        let target = Path::new(&omt.target)
            .file_name()
            .unwrap()
            .to_string_lossy();
        let Some(run) = run_named(&target) else {
            panic!(
                "{} names {target}, which is not among the examples run",
                omt.path.display()
            );
        };
        let results = match &run.result {
            Ok(_) => Ok(run.out_dir.join("results")),
            Err(_) => Err("the run failed (see every_example_runs_natively)".to_string()),
        };
        Some((run.label(), results))
    });
    println!("{total} observables, {} failed", failures.len());
    // As counted in omv_catalog.rs: 57 from traces, 2 from Ex6's spike file.
    assert_eq!(total, 59, "observables found");
    assert_none_failed("OMV observables", &failures, total);
}

#[test]
fn output_files_match_jlems_reference_outputs() {
    let strides = manifest_strides(&reference_dir()).unwrap();
    let (mut failures, mut total) = (Vec::new(), 0);
    for (file, &stride) in &strides {
        let reference = reference_dir().join(file);
        let writers: Vec<(&ExampleRun, f64, &PathBuf)> = runs()
            .iter()
            .filter_map(|run| {
                let (dt, files) = run.result.as_ref().ok()?;
                let ours = files
                    .iter()
                    .find(|p| p.file_name().unwrap() == file.as_str())?;
                Some((run, *dt, ours))
            })
            .collect();
        if writers.is_empty() {
            total += 1;
            failures.push(format!(
                "{file}: not written by any example run (see every_example_runs_natively)"
            ));
        }
        for (run, dt, ours) in writers {
            total += 1;
            match compare_files(ours, &reference, stride, dt) {
                Ok(summary) => println!("{file} ({}): ok, {summary}", run.label()),
                Err(why) => failures.push(format!("{file} ({}): {why}", run.label())),
            }
        }
    }
    // 41 reference files; ex19_v.dat is compared with both Ex19's and Ex19a's.
    assert_eq!(total, 42, "output files compared");
    assert_none_failed("output files", &failures, total);
}

#[test]
fn the_multi_compartment_example_runs_and_writes_its_files() {
    let file = examples_dir().join(MULTI_COMPARTMENT);
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("native-ex25");
    fresh_root(&out_dir);
    let opts = RunOptions {
        out_dir: Some(out_dir.clone()),
        ..RunOptions::default()
    };
    run_file(&file, &opts).unwrap_or_else(|e| panic!("{}", e.summary()));
    for k in 0..3 {
        let text = std::fs::read_to_string(out_dir.join(format!("results/ex25_{k}.dat")))
            .expect("an output file");
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows.len(), 28001);
        // Cell 0 is driven to spike: its soma crosses 0 V.
        let peak = rows
            .iter()
            .filter_map(|r| r.split_whitespace().nth(1)?.parse::<f64>().ok())
            .fold(f64::MIN, f64::max);
        assert!(k != 0 || peak > 0.0, "cell 0 never spiked (peak {peak} V)");
    }
}
