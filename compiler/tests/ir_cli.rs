//! `lemsc FILE --emit ir|program|mechanism` and the native target's refusal of what it cannot
//! simulate.

use std::path::PathBuf;
use std::process::{Command, Output};

fn lemsc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lemsc"))
        .args(args)
        .output()
        .expect("lemsc runs")
}

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/neuroml2/LEMSexamples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn emit_ir_prints_the_same_ir_every_time_and_exits_0() {
    let file = example("LEMS_NML2_Ex1_HH.xml");
    let first = lemsc(&[&file, "--emit", "ir"]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(0), "{stderr}");
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    for expected in [
        "simulation sim1: length 0.15 s, step 0.00001 s, seed 1234 (default), target net1",
        "populations: 1\n  hhpop: 1 x hhpointcell at hhpop\n",
        "m: gateHHrates (list of gates)",
        "inputs: 1\n  hhpop[0]/pulseGen1 -> hhpop[0] (synapses), events hhpop[0]:spike -> in\n",
        "  of0 'results/hh_v.dat'\n    v: hhpop[0]/v\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let second = lemsc(&[&file, "--emit", "ir"]);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn emit_program_prints_the_kernels_and_orders_without_running() {
    let file = example("LEMS_NML2_Ex1_HH.xml");
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("emit-program");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out_arg = out_dir.to_string_lossy().into_owned();
    let first = lemsc(&[&file, "--emit", "program", "-o", &out_arg]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(0), "{stderr}");
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    for expected in [
        "program: dt 0.00001 s, 15000 steps, seed 1234,",
        "  states: v",
        "  advance:",
        "  advance hhpop[0]",
        "output file of0 -> ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    // The output column is the cell's exposed v.
    let column = text
        .lines()
        .skip_while(|l| !l.starts_with("output file of0"));
    assert_eq!(
        column.skip(1).next(),
        Some("  hhpop[0]/v@exposed"),
        "{text}"
    );
    assert!(!out_dir.exists(), "--emit program writes no output file");
    let second = lemsc(&[&file, "--emit", "program", "-o", &out_arg]);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn emit_mechanism_prints_each_plan_the_text_targets_receive() {
    let file = example("LEMS_NML2_Ex0_IaF.xml");
    let first = lemsc(&[&file, "--emit", "mechanism"]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert_eq!(first.status.code(), Some(0), "{stderr}");
    let text = String::from_utf8_lossy(&first.stdout).into_owned();
    for expected in [
        "mechanism nml_iaf.mod:\n",
        "  states: v (membrane voltage)\n",
        "    iMemb = (leakConductance * (leakReversal - v)) + iSyn\n",
        "    dv/dt = iMemb / C\n",
        "  when v .gt. thresh:\n    v = reset\n    send spike\n",
        "  regimes (@regime): refractory, integrating; starts in integrating\n",
        "    dv/dt = iMemb / C in regime integrating\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let second = lemsc(&[&file, "--emit", "mechanism"]);
    assert_eq!(first.stdout, second.stdout);
}

#[test]
fn native_target_runs_a_multi_compartment_cell_as_neuron_does() {
    let out = lemsc(&[
        &example("LEMS_NML2_Ex25_MultiComp.xml"),
        "--emit",
        "program",
        "--color",
        "never",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Three cells of 15 nodes each, stepped by one cable solve.
    assert!(
        stdout.contains("cable solve over 45 nodes (3 trees"),
        "{stdout}"
    );
}
