//! Reviewed snapshots of the NEURON target's generated files.
//!
//! For a few representative examples, every `.mod` and the runner that
//! `lemsc::back::neuron::export` generates must equal the file of the same name in
//! `compiler/tests/snapshots/neuron/<example stem>/`. A missing snapshot or a generated file
//! without one fails too.
//!
//! After a deliberate generator change, rerun with `UPDATE_SNAPSHOTS=1`: the test then rewrites
//! the snapshot folders (removing stale files) instead of comparing, and `git diff` shows the
//! change to the generated code for review.

mod common;

use std::collections::BTreeMap;

use common::snapshots::{check_snapshot_folder, checked_example};
use lemsc::back::neuron::{self, NeuronOptions};
use lemsc::diag::render;

/// Every generated file of one example, by file name (the mods and the runner).
fn generated_files(stem: &str) -> BTreeMap<String, String> {
    let checked = checked_example(stem);
    let model = checked.model.as_ref().expect("a checked model");
    let ir = checked.ir.as_ref().expect("a lowered model");
    let export = neuron::export(model, ir, stem, &NeuronOptions::default()).unwrap_or_else(|d| {
        panic!(
            "{stem}: NEURON export failed:\n{}",
            render(&checked.sources, &d, false)
        )
    });
    let mut files: BTreeMap<String, String> = export.mods.into_iter().collect();
    let (runner_name, runner_text) = export.runner;
    assert!(
        files.insert(runner_name.clone(), runner_text).is_none(),
        "{stem}: the runner {runner_name} has the name of a mod"
    );
    files
}

fn check_snapshots(stem: &str) {
    check_snapshot_folder("neuron", stem, &generated_files(stem));
}

#[test]
fn point_cells_with_regimes_ex0() {
    check_snapshots("LEMS_NML2_Ex0_IaF");
}

#[test]
fn single_segment_cell_with_hh_channel_densities_ex5() {
    check_snapshots("LEMS_NML2_Ex5_DetCell");
}

#[test]
fn multi_compartment_cells_with_synapses_at_segments_ex25() {
    check_snapshots("LEMS_NML2_Ex25_MultiComp");
}
