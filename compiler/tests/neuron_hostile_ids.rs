//! Model ids that would break generated code if copied verbatim (quotes, a brace, a leading
//! digit, non-ASCII, NEURON built-in names such as `hh` and `IClamp`) give mods nocmodl accepts
//! and a runner Python compiles, and — where NEURON is installed — a run that writes the
//! output file under its quoted name.

use std::path::PathBuf;
use std::process::Command;

mod common;

use common::neuron::{export_to, fresh_out_dir, neuron_python_for};

fn model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/LEMS_hostile_ids.xml")
}

#[test]
fn hostile_ids_give_ascii_mods_and_a_runner_that_compiles() {
    let dir = fresh_out_dir("hostile-export");
    let outcome = export_to(&model(), &dir, false);
    let mut mods = 0;
    for file in &outcome.files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.is_ascii(), "{} is not ASCII", file.display());
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".mod") {
            mods += 1;
            assert!(name.starts_with("nml_"), "{name}");
            assert!(
                name.trim_end_matches(".mod")
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{name}"
            );
        }
    }
    assert_eq!(mods, 2);
    let compiled = Command::new("python3")
        .args(["-m", "py_compile"])
        .arg(&outcome.runner)
        .output()
        .expect("python3 runs");
    assert!(
        compiled.status.success(),
        "{}",
        String::from_utf8_lossy(&compiled.stderr)
    );
}

#[test]
fn hostile_ids_run_in_neuron() {
    if neuron_python_for("hostile_ids_run_in_neuron").is_none() {
        return;
    }
    let dir = fresh_out_dir("hostile-run");
    export_to(&model(), &dir, true);
    let data = std::fs::read_to_string(dir.join("out\"'x.dat")).expect("the output file");
    let rows: Vec<&str> = data.lines().collect();
    assert_eq!(rows.len(), 5001, "50 ms at 0.01 ms, plus the initial row");
    // Both cells start at their reset potential and relax towards -50 mV.
    assert_eq!(rows[0], "0.0\t-0.07\t-0.07\t");
    let last: Vec<f64> = rows[5000]
        .split('\t')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(last[1] > -0.07 && last[1] < -0.05, "{last:?}");
}
