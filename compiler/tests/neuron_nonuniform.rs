//! A non-uniform channel density (`channelDensityNonUniform`): the mod computes the density
//! from a per-segment path distance that the runner sets, and — where NEURON is installed —
//! the leak it gives pulls every segment to its reversal potential, faster where the density
//! is larger.

use std::path::PathBuf;
use std::process::Command;

use lemsc::back::neuron::{export_file as export_neuron, NeuronRunOptions};

fn model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/LEMS_nonuniform.xml")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn neuron_python() -> Option<String> {
    let python = std::env::var("LEMSC_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import neuron"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

#[test]
fn nonuniform_density_is_an_expression_of_a_distance_the_runner_sets() {
    let dir = out_dir("nonuniform-export");
    let opts = NeuronRunOptions {
        out_dir: Some(dir.clone()),
        ..Default::default()
    };
    let outcome = export_neuron(&model(), &opts).unwrap_or_else(|e| panic!("{e:?}"));
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
    let Some(python) = neuron_python() else {
        println!("SKIPPED: no Python with `import neuron` (pip install neuron, set LEMSC_PYTHON)");
        return;
    };
    std::env::set_var("LEMSC_PYTHON", &python);
    let dir = out_dir("nonuniform-run");
    let opts = NeuronRunOptions {
        out_dir: Some(dir.clone()),
        run: true,
        ..Default::default()
    };
    let outcome = export_neuron(&model(), &opts).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(outcome.status, Some(0));
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
