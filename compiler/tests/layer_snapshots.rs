//! Reviewed snapshots of every printable layer of the compiler, for a few examples: the
//! lowered IR (`--emit ir`), the runtime program the native target runs (`--emit program`)
//! and the mechanism plans the text targets receive (`--emit mechanism`), in
//! `compiler/tests/snapshots/layers/<example stem>/{ir,program,mechanism}.txt`. A change in
//! any pass shows up here as a diff of the layer it changes (`UPDATE_SNAPSHOTS=1` rewrites
//! them for review).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::snapshots::{check_snapshot_folder, checked_example};
use lemsc::diag::render;

/// The three layers of one example, printed, by snapshot file name.
fn printed_layers(stem: &str) -> BTreeMap<String, String> {
    let checked = checked_example(stem);
    let model = checked.model.as_ref().expect("a checked model");
    let ir = checked.ir.as_ref().expect("a lowered model");
    let failed = |what: &str, d: &[lemsc::diag::Diagnostic]| -> ! {
        panic!(
            "{stem}: {what} failed:\n{}",
            render(&checked.sources, d, false)
        )
    };
    // A fixed relative output folder keeps the printed file paths the same on every machine.
    let opts = lemsc::passes::kernels::ProgramOptions {
        out_dir: PathBuf::from("out"),
        seed: None,
    };
    let program = lemsc::passes::kernels::build_program(model, ir, &opts)
        .unwrap_or_else(|d| failed("building the program", &d));
    let plans = lemsc::back::neuron::mechanism_plans(model, ir)
        .unwrap_or_else(|d| failed("planning the mechanisms", &d));
    let mechanisms: Vec<String> = plans
        .iter()
        .map(|(name, plan)| lemsc::passes::mechanism::print::print(plan, name))
        .collect();
    BTreeMap::from([
        ("ir.txt".to_string(), lemsc::ir::print::print(ir, model)),
        (
            "program.txt".to_string(),
            lemsc_runtime::program::print::print(&program),
        ),
        ("mechanism.txt".to_string(), mechanisms.join("\n")),
    ])
}

#[test]
fn point_cells_with_regimes_ex0() {
    check_snapshot_folder(
        "layers",
        "LEMS_NML2_Ex0_IaF",
        &printed_layers("LEMS_NML2_Ex0_IaF"),
    );
}

#[test]
fn hh_cell_with_gates_and_a_pulse_input_ex1() {
    check_snapshot_folder(
        "layers",
        "LEMS_NML2_Ex1_HH",
        &printed_layers("LEMS_NML2_Ex1_HH"),
    );
}

#[test]
fn network_with_projections_and_event_outputs_ex12() {
    check_snapshot_folder(
        "layers",
        "LEMS_NML2_Ex12_Net2",
        &printed_layers("LEMS_NML2_Ex12_Net2"),
    );
}
