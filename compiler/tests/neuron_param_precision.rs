//! Parameters with more significant digits than NEURON keeps in a mod's `PARAMETER` default
//! (nocmodl prints 6): a channel density's `condDensity` and `erev` and a point cell's own
//! parameters reach NEURON whole, set by the runner as the reference export sets them (Ex15's
//! calcium channel density, 0.9084216 mS/cm², drifted its spikes by a step when rounded to
//! 0.908422).
//!
//! The model's membranes relax to their reversal potentials, so the last row's `v` is the
//! potential NEURON used; the passive channel's `gDensity` is its `condDensity`. Needs NEURON
//! (`$LEMSC_PYTHON`, else python3): skipped without it, a failure under CI (`CI=true`).

mod common;

use std::path::PathBuf;

use common::neuron::{fresh_out_dir, neuron_python_for};
use lemsc::back::neuron::{export_file as export_neuron, NeuronRunOptions};

fn model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/LEMS_param_precision.xml")
}

/// Whether `got` (a 32-bit float's text) is `want` to a float's precision; a value rounded
/// to 6 significant digits is at least 4e-7 off in this model.
fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1.5e-7 * want.abs()
}

#[test]
fn parameters_reach_neuron_with_every_digit() {
    if neuron_python_for("parameters_reach_neuron_with_every_digit").is_none() {
        return;
    }
    let dir = fresh_out_dir("param-precision");
    let opts = NeuronRunOptions {
        out_dir: Some(dir.clone()),
        run: true,
        ..Default::default()
    };
    let outcome = export_neuron(&model(), &opts).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(outcome.status, Some(0));
    let data = std::fs::read_to_string(dir.join("param_precision.dat")).expect("the output file");
    let rows: Vec<Vec<f64>> = data
        .lines()
        .map(|l| l.split('\t').filter(|s| !s.is_empty()))
        .map(|cols| cols.map(|s| s.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 6001, "60 ms in steps of 0.01 ms");
    let last = rows.last().unwrap();
    // The cell started at -65 mV: it reached the channel's erev (-77.123444 mV).
    assert!(close(rows[0][1], -0.065), "{:?}", rows[0]);
    assert!(close(last[1], -0.077123444), "cell v {last:?}");
    // condDensity 0.9084216 mS/cm² = 9.084216 S/m², the passive channel always open.
    assert!(close(rows[3000][2], 9.084216), "gDensity {:?}", rows[3000]);
    // The point cell holds its leakReversal (-61.234567 mV).
    assert!(close(last[3], -0.061234567), "point cell v {last:?}");
}
