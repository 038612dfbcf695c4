//! Reviewed snapshots of the Brian2 target's generated scripts.
//!
//! For two representative examples (Ex12: a network of integrate-and-fire cells with spike
//! sources, three synapse kinds, weights and delays, some of whose waits vary; Ex4: HH cells
//! whose sodium channel is a kinetic scheme), the script `lemsc::back::brian2::export_file`
//! writes must equal the file of the same name in `compiler/tests/snapshots/brian2/<example
//! stem>/` (`tests/common/snapshots.rs`: a missing, changed or extra file fails;
//! `UPDATE_SNAPSHOTS=1` rewrites the folders for review with `git diff`). The modules written
//! beside it (`lemsc_brian2_support.py`, `lemsc_javafloat.py`) are fixed files of
//! `codegen-templates/`, not generated, so the snapshots hold only what the model makes.

mod common;

use std::collections::BTreeMap;

use common::snapshots::{check_snapshot_folder, examples_dir};
use lemsc::back::brian2::{export_file, script_file_name, Brian2Options};

/// The script of one example, by file name.
fn generated_script(stem: &str) -> BTreeMap<String, String> {
    let out = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("brian2-snapshots")
        .join(stem);
    let opts = Brian2Options {
        out_dir: Some(out.clone()),
        ..Brian2Options::default()
    };
    let path = examples_dir().join(format!("{stem}.xml"));
    let outcome = export_file(&path, &opts)
        .unwrap_or_else(|e| panic!("{stem}: the Brian2 export failed: {e:?}"));
    let name = script_file_name(stem);
    let text = std::fs::read_to_string(&outcome.script)
        .unwrap_or_else(|e| panic!("{stem}: cannot read {}: {e}", outcome.script.display()));
    let _ = std::fs::remove_dir_all(&out);
    BTreeMap::from([(name, text)])
}

#[test]
fn network_with_spike_sources_synapse_kinds_weights_and_delays_ex12() {
    let stem = "LEMS_NML2_Ex12_Net2";
    check_snapshot_folder("brian2", stem, &generated_script(stem));
}

#[test]
fn hh_cells_with_a_kinetic_scheme_channel_ex4() {
    let stem = "LEMS_NML2_Ex4_KS";
    check_snapshot_folder("brian2", stem, &generated_script(stem));
}
