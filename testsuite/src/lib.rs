//! Helpers shared by the conformance tests in `tests/`.

use std::path::PathBuf;

pub mod brian2compare;
pub mod diagtext;
pub mod failures;
pub mod ir_outputs;
pub mod nrncompare;
pub mod omv;
pub mod realworld;
pub mod refcompare;
pub mod runs;
pub mod scratch;
pub mod simulators;

/// The read-only shared data folder beside the checkout (`../shared`).
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The multi-compartment example, which the native target does not run yet.
pub const MULTI_COMPARTMENT_EXAMPLE: &str = "LEMS_NML2_Ex25_MultiComp.xml";

/// Every `LEMS_NML2_Ex*.xml` of the shared NeuroML2 examples but the multi-compartment one,
/// sorted: the examples the native target runs.
pub fn native_lems_examples() -> Vec<PathBuf> {
    let dir = shared_dir().join("neuroml2/LEMSexamples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the NeuroML2 LEMS examples in ../shared")
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with("LEMS_NML2_Ex")
                && name.ends_with(".xml")
                && name != MULTI_COMPARTMENT_EXAMPLE
        })
        .collect();
    files.sort();
    assert!(files.len() >= 30, "only {} examples found", files.len());
    files
}
