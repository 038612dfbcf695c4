//! Kinetic schemes on the Brian2 target. `brian2/LEMS_kinetic_schemes.xml` (a three-state
//! scheme in two cell types, so two scheme groups of one shape; a two-state scheme beside it;
//! cells with different inputs, so groups of several members) is run on the native target
//! and through its Brian2 script, on cpp_standalone (the schemes' C++ function) and on numpy
//! (their Python function). The script steps each scheme with the native runtime's
//! operations in the same order, so every output file must be byte for byte the native one.
//!
//! (The LEMS examples with kinetic schemes, Ex4 and Ex4a, record them in displays only;
//! `tests/brian2_realworld.rs` compares SolinasEtAl's six-state Golgi_KAHP.)

use std::path::{Path, PathBuf};

use lemsc::back::brian2::{export_file, Brian2Options, Device};
use lemsc::simulate::{run_file, Engine, RunOptions};
use lemsc_testsuite::brian2compare::{compare_outputs, skipped_without_brian2, Random};
use lemsc_testsuite::nrncompare::read_dat;

fn model() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("brian2/LEMS_kinetic_schemes.xml")
}

/// Runs the model natively and on `device`; returns the native output files and both
/// folders.
fn run_both(device: Device) -> (Vec<PathBuf>, PathBuf, PathBuf) {
    if std::env::var_os("LEMSC_BRIAN2_CACHE").is_none() {
        let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../brian2-cache");
        std::env::set_var("LEMSC_BRIAN2_CACHE", cache);
    }
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("brian2-kinetic")
        .join(device.name());
    let _ = std::fs::remove_dir_all(&root);
    let (native_dir, brian2_dir) = (root.join("native"), root.join("brian2"));
    let native = RunOptions {
        out_dir: Some(native_dir.clone()),
        engine: Engine::Native,
        ..RunOptions::default()
    };
    let outputs = run_file(&model(), &native)
        .unwrap_or_else(|e| panic!("the native run failed: {}", e.summary()))
        .outputs;
    let opts = Brian2Options {
        out_dir: Some(brian2_dir.clone()),
        run: true,
        device,
        ..Brian2Options::default()
    };
    let outcome = export_file(&model(), &opts)
        .unwrap_or_else(|e| panic!("the Brian2 export failed: {}", e.summary()));
    assert_eq!(
        outcome.status,
        Some(0),
        "{} exited with a failure",
        outcome.script.display()
    );
    (outputs, native_dir, brian2_dir)
}

fn assert_same_as_native(device: Device) {
    let (outputs, native_dir, brian2_dir) = run_both(device);
    assert_eq!(outputs.len(), 2, "the model writes two output files");
    let failures = compare_outputs(&outputs, &native_dir, &brian2_dir, Random::None);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for native in &outputs {
        let ours = brian2_dir.join(native.strip_prefix(&native_dir).unwrap());
        let (a, b) = (
            std::fs::read(native).unwrap(),
            std::fs::read(&ours).unwrap(),
        );
        assert!(
            a == b,
            "{} is not byte for byte {}",
            ours.display(),
            native.display()
        );
    }
    // The schemes did move: the stimulated cell's open state starts closed and opens.
    let states = read_dat(&brian2_dir.join("kinetic_states.dat")).unwrap();
    assert_eq!(states.times.len(), 4001);
    let open = &states.columns[2];
    assert_eq!(open[0], 0.0);
    assert!(open.iter().any(|&p| p > 0.5), "the open state never opened");
}

#[test]
fn brian2_steps_kinetic_schemes_as_native_on_cpp_standalone() {
    if skipped_without_brian2("brian2_steps_kinetic_schemes_as_native_on_cpp_standalone") {
        return;
    }
    assert_same_as_native(Device::CppStandalone);
}

#[test]
fn brian2_steps_kinetic_schemes_as_native_on_numpy() {
    if skipped_without_brian2("brian2_steps_kinetic_schemes_as_native_on_numpy") {
        return;
    }
    assert_same_as_native(Device::Numpy);
}
