//! A non-uniform channel density (`channelDensityNonUniform`): the mod computes the density
//! from a per-segment path distance that the runner sets, and — where NEURON is installed —
//! the leak it gives pulls every segment to its reversal potential, faster where the density
//! is larger.

use std::path::PathBuf;

mod common;

use common::neuron::{export_to, fresh_out_dir, neuron_python_for};

fn model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/LEMS_nonuniform.xml")
}

#[test]
fn nonuniform_density_is_an_expression_of_a_distance_the_runner_sets() {
    let dir = fresh_out_dir("nonuniform-export");
    let outcome = export_to(&model(), &dir, false);
    let text = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let m = text("nml_leak_all.mod");
    assert!(m.contains("RANGE path_distance"), "{m}");
    assert!(
        m.contains("condDensity = (10.0 * (1.0 + (path_distance / 100.0)))"),
        "{m}"
    );
    assert!(
        m.contains("iDensity = (gDensity * (erev - (v * 0.001)))"),
        "{m}"
    );
    let runner = std::fs::read_to_string(&outcome.runner).unwrap();
    // Every section of the group, distances from the root, translated (translationStart 0).
    assert!(
        runner.contains(
            "set_path_distance([C[3][0], C[3][1]], C[3][0], 'path_distance_nml_leak_all', True, False)"
        ),
        "{runner}"
    );
}

#[test]
fn nonuniform_leak_runs_in_neuron() {
    if neuron_python_for("nonuniform_leak_runs_in_neuron").is_none() {
        return;
    }
    let dir = fresh_out_dir("nonuniform-run");
    export_to(&model(), &dir, true);
    let data = std::fs::read_to_string(dir.join("nonuniform_v.dat")).expect("the output file");
    let rows: Vec<Vec<f64>> = data
        .lines()
        .map(|l| l.split('\t').filter(|s| !s.is_empty()))
        .map(|cols| cols.map(|s| s.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows[0], [0.0, -0.07, -0.07]);
    // The distal segment (larger density) leaves -70 mV faster than the soma...
    assert!(
        rows[1][2] > rows[1][1] && rows[1][1] > -0.07,
        "{:?}",
        rows[1]
    );
    // ...and both reach the leak's -60 mV (a density of zero would leave them at -70 mV).
    let last = rows.last().unwrap();
    assert!(
        (last[1] + 0.06).abs() < 1e-4 && (last[2] + 0.06).abs() < 1e-4,
        "{last:?}"
    );
}
