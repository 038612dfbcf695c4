//! Reviewed snapshots of the NEST target's generated files.
//!
//! For two representative examples (Ex0: four integrate-and-fire cells, regimes included;
//! Ex12: a network with spike sources, three synapse kinds, weights and delays), every NESTML
//! model and the script that `lemsc::back::nest::export` generates must equal the file of the
//! same name in `compiler/tests/snapshots/nest/<example stem>/` (`tests/common/snapshots.rs`:
//! a missing, changed or extra file fails; `UPDATE_SNAPSHOTS=1` rewrites the folders for
//! review with `git diff`).

mod common;

use std::collections::BTreeMap;

use common::snapshots::{check_snapshot_folder, checked_example};
use lemsc::back::nest::{self, NestOptions};
use lemsc::diag::render;

/// The models and the script of one example, by file name.
fn generated_files(stem: &str) -> BTreeMap<String, String> {
    let checked = checked_example(stem);
    let model = checked.model.as_ref().expect("a checked model");
    let ir = checked.ir.as_ref().expect("a lowered model");
    let export = nest::export(model, ir, stem, &NestOptions::default()).unwrap_or_else(|d| {
        panic!(
            "{stem}: NEST export failed:\n{}",
            render(&checked.sources, &d, false)
        )
    });
    let mut files: BTreeMap<String, String> = export.models.into_iter().collect();
    assert!(!files.is_empty(), "{stem}: at least one NESTML model");
    let (script_name, script_text) = export.script;
    assert!(
        files.insert(script_name.clone(), script_text).is_none(),
        "{stem}: the script {script_name} has the name of a model"
    );
    files
}

#[test]
fn point_cells_with_regimes_ex0() {
    check_snapshot_folder(
        "nest",
        "LEMS_NML2_Ex0_IaF",
        &generated_files("LEMS_NML2_Ex0_IaF"),
    );
}

#[test]
fn network_with_spike_sources_synapse_kinds_weights_and_delays_ex12() {
    let stem = "LEMS_NML2_Ex12_Net2";
    check_snapshot_folder("nest", stem, &generated_files(stem));
}
