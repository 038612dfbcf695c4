//! `--fast` on the models with OMV tests: the official LEMS examples and the real model
//! repositories (`../shared/realworld`). Every LEMS file a `jNeuroML` test file runs, and
//! every example, is lowered; those whose program `--fast` changes (linear synapses merged)
//! run natively with `--fast`, and every observable of their test files (`.mep` values and
//! tolerances, judged as OMV judges them) must pass and every dry run must finish. A model
//! `--fast` leaves unchanged runs the exact program that `native_examples.rs` and
//! `realworld.rs` already judge, so it is not run again here.

use std::path::{Path, PathBuf};

use lemsc::diag::SourceMap;
use lemsc::passes::fast::merge_linear_synapses;
use lemsc::passes::kernels::{build_program, ProgramOptions};
use lemsc::pipeline::CheckOptions;
use lemsc::simulate::{check_file, run_file, Engine, RunOptions};
use lemsc_testsuite::nrncompare::relocate_outputs;
use lemsc_testsuite::omv::{
    evaluate, load_mep, observable_failure, omts_for_engine, Omt, ENGINE_JNEUROML,
};
use lemsc_testsuite::realworld::{omt_target, realworld_omts, short_name};
use lemsc_testsuite::runs::first_error;
use lemsc_testsuite::scratch::Scratch;
use lemsc_testsuite::shared_dir;

/// The synapse instances `--fast` merges in `file`; 0 where it does not build (the exact
/// mode's tests report that).
fn merged_in(file: &Path) -> usize {
    let Ok(checked) = check_file(file, &CheckOptions::default()) else {
        return 0;
    };
    let (Some(model), Some(ir)) = (&checked.model, &checked.ir) else {
        return 0;
    };
    let opts = ProgramOptions {
        out_dir: std::env::temp_dir(),
        seed: None,
    };
    match build_program(model, ir, &opts) {
        Ok(mut program) => merge_linear_synapses(ir, &mut program).merged,
        Err(_) => 0,
    }
}

/// Every example, and every realworld test file's target, with the jNeuroML test files that
/// run it.
fn models_and_tests(sources: &mut SourceMap) -> Vec<(PathBuf, Vec<Omt>)> {
    let example_tests = omts_for_engine(
        sources,
        &shared_dir().join("neuroml2/LEMSexamples/test"),
        ENGINE_JNEUROML,
    )
    .expect("the examples' OMV test files");
    let mut all: Vec<(PathBuf, Vec<Omt>)> = lemsc_testsuite::native_lems_examples()
        .into_iter()
        .map(|file| {
            let name = file.file_name().unwrap().to_owned();
            let tests = example_tests
                .iter()
                .filter(|omt| Path::new(&omt.target).file_name() == Some(&name))
                .cloned()
                .collect();
            (file, tests)
        })
        .collect();
    for omt in realworld_omts(sources, ENGINE_JNEUROML) {
        let target = omt_target(&omt);
        match all.iter_mut().find(|(file, _)| *file == target) {
            Some((_, tests)) => tests.push(omt),
            None => all.push((target, vec![omt])),
        }
    }
    all
}

#[test]
fn omv_observables_pass_with_merged_synapses() {
    let mut sources = SourceMap::new();
    let changed: Vec<(PathBuf, Vec<Omt>, usize)> = models_and_tests(&mut sources)
        .into_iter()
        .filter_map(|(file, tests)| {
            let merged = merged_in(&file);
            (merged > 0).then_some((file, tests, merged))
        })
        .collect();

    let root = Scratch::fresh(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fast-examples"));
    let (mut failures, mut judged) = (Vec::new(), 0);
    for (k, (file, tests, merged)) in changed.iter().enumerate() {
        let name = short_name(file);
        println!("{name}: {merged} synapse instances merged");
        let out_dir = root.join(k.to_string());
        let opts = RunOptions {
            out_dir: Some(out_dir.clone()),
            engine: Engine::Native,
            fast: true,
            ..RunOptions::default()
        };
        if let Err(e) = run_file(file, &opts) {
            failures.push(format!(
                "{name}: the --fast run failed: {}",
                first_error(&e)
            ));
            continue;
        }
        for omt in tests {
            let Some(mep_path) = omt.mep_path() else {
                continue; // a dry run: finishing was the test
            };
            let mep = load_mep(&mut sources, &mep_path).expect("a readable .mep");
            for result in evaluate(&relocate_outputs(omt, &out_dir), &mep, &out_dir) {
                judged += 1;
                if !result.passed() {
                    failures.push(observable_failure(&format!("{name} --fast"), &result));
                }
            }
        }
    }
    println!(
        "{} models changed by --fast, {judged} observables judged, {} failures",
        changed.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "with --fast:\n{}", failures.join("\n"));
    // Without merged models with observables this test would judge nothing.
    assert!(judged > 0, "no observable of a model --fast changes");
}
