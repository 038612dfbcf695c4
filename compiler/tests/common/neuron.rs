//! What the NEURON export tests share: a fresh output folder, and the Python with NEURON that
//! `--run` uses (skipped without one on a developer's machine, a failure under CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use lemsc::back::neuron::{export_file, NeuronOutcome, NeuronRunOptions};

/// The folder `name` in the tests' temporary folder, emptied of what an earlier run left.
pub fn fresh_out_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Whether the tests run under CI (`CI` set to anything but `false`, `0` or empty).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The Python with `import neuron` (`$LEMSC_PYTHON`, else python3), set as `LEMSC_PYTHON` for
/// `--run`. Without one, `test` is skipped (after saying so), except under CI where it fails.
pub fn neuron_python_for(test: &str) -> Option<String> {
    let python = std::env::var("LEMSC_PYTHON").unwrap_or_else(|_| "python3".into());
    let works = Command::new(&python)
        .args(["-c", "import neuron"])
        .output()
        .is_ok_and(|o| o.status.success());
    if works {
        std::env::set_var("LEMSC_PYTHON", &python);
        return Some(python);
    }
    let why = "no Python with `import neuron` (pip install neuron, set LEMSC_PYTHON)";
    assert!(
        !in_ci(),
        "{test}: {why}; under CI this is a failure, not a skip"
    );
    println!("SKIPPED {test}: {why}");
    None
}

/// Exports `model` for NEURON into `dir` (and with `run`, compiles and runs it there, which
/// must succeed).
pub fn export_to(model: &Path, dir: &Path, run: bool) -> NeuronOutcome {
    let opts = NeuronRunOptions {
        out_dir: Some(dir.to_path_buf()),
        run,
        ..Default::default()
    };
    let outcome = export_file(model, &opts).unwrap_or_else(|e| panic!("{e:?}"));
    if run {
        assert_eq!(outcome.status, Some(0), "{} did not run", model.display());
    }
    outcome
}
