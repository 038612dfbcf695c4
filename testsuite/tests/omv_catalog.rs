//! Every OMV test file of the NeuroML2 examples reads without error, and the observables the
//! native and NEURON targets must pass are counted.

use std::path::PathBuf;

use lemsc::diag::{PlainDiagnostic, SourceMap};
use lemsc_testsuite::omv::{
    load_omt_and_mep, observables_for_engine, omt_files, omts_for_engine, SpikeSource,
    ENGINE_JNEUROML, ENGINE_NEURON,
};
use lemsc_testsuite::shared_dir;

fn test_dir() -> PathBuf {
    shared_dir().join("neuroml2/LEMSexamples/test")
}

#[test]
fn every_omt_and_its_mep_read_without_error() {
    let files = omt_files(&test_dir()).expect("the OMV test folder lists");
    // 68 `.omt` files: 29 jNeuroML, 22 jNeuroML_NEURON, the rest other engines.
    assert_eq!(files.len(), 68);
    let mut sources = SourceMap::new();
    for file in &files {
        if let Err(d) = load_omt_and_mep(&mut sources, file) {
            panic!(
                "{}",
                PlainDiagnostic {
                    sources: &sources,
                    diag: &d
                }
            );
        }
    }
}

#[test]
fn disabled_todo_tests_are_not_listed() {
    let files = omt_files(&test_dir()).unwrap();
    assert!(files
        .iter()
        .all(|f| f.extension().is_some_and(|e| e == "omt")));
    assert!(test_dir().join(".test.ex0.pylems.omt.todo").exists());
}

/// How many observables an engine must pass, and in how many files; the dry runs (an `.omt`
/// without a `.mep`: the simulation must only run) are counted apart.
struct EngineCounts {
    observables: usize,
    files_with_observables: usize,
    dry_runs: usize,
    from_spike_files: usize,
}

fn counts(engine: &str) -> EngineCounts {
    let mut sources = SourceMap::new();
    let omts = omts_for_engine(&mut sources, &test_dir(), engine).unwrap();
    let listed = observables_for_engine(&mut sources, &test_dir(), engine).unwrap();
    EngineCounts {
        observables: listed.len(),
        files_with_observables: omts.iter().filter(|o| o.observable_count() > 0).count(),
        dry_runs: omts.iter().filter(|o| o.mep.is_none()).count(),
        from_spike_files: listed
            .iter()
            .filter(|l| matches!(l.observable.source, SpikeSource::SpikeFile(_)))
            .count(),
    }
}

#[test]
fn the_native_target_must_pass_59_observables() {
    // 59 observables (57 spike-time lists from traces, a spike-time list and a rate from
    // ex6's spike file) in 20 files; 9 more jNeuroML files (ex2, 4, 8, 11, 13, 17, 20, 23, 27)
    // are dry runs. Ex19 and Ex19a share their 2 observables' file and expectations.
    let c = counts(ENGINE_JNEUROML);
    assert_eq!(c.observables, 59);
    assert_eq!(c.files_with_observables, 20);
    assert_eq!(c.dry_runs, 9);
    assert_eq!(c.from_spike_files, 2);
}

#[test]
fn the_neuron_export_must_pass_62_observables() {
    // As for jNeuroML less Ex22, plus Ex25's 5 multi-compartment observables; ex23 and ex27
    // are dry runs.
    let c = counts(ENGINE_NEURON);
    assert_eq!(c.observables, 62);
    assert_eq!(c.files_with_observables, 20);
    assert_eq!(c.dry_runs, 2);
    assert_eq!(c.from_spike_files, 2);
}

#[test]
fn every_listed_observable_has_an_expected_value() {
    for engine in [ENGINE_JNEUROML, ENGINE_NEURON] {
        let mut sources = SourceMap::new();
        for omt in omts_for_engine(&mut sources, &test_dir(), engine).unwrap() {
            let Some(mep_path) = omt.mep_path() else {
                continue;
            };
            let mep = lemsc_testsuite::omv::load_mep(&mut sources, &mep_path).unwrap();
            for exp in &omt.experiments {
                for obs in &exp.observables {
                    let found = mep
                        .experiment(&exp.name)
                        .and_then(|m| m.expected(obs.kind.key()));
                    assert!(
                        found.is_some(),
                        "{} {}: no expected `{}`",
                        omt.path.display(),
                        exp.name,
                        obs.kind.key()
                    );
                }
            }
        }
    }
}
