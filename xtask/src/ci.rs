//! `cargo xtask ci`: everything CI checks, runnable on a fresh Debian machine with Rust.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::deps;
use crate::sh::{self, workspace_root};

/// The native backend (LLVM) and NeuroML HDF5 networks (libhdf5): CI builds and tests both.
const FEATURES: &str = "lemsc/native,lemsc/hdf5";

pub fn run(_args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    deps::ensure_llvm()?;
    deps::ensure_hdf5()?;
    let neuron_python = deps::ensure_neuron()?;
    // testsuite/tests/brian2.rs runs the Brian2 scripts with this Python.
    let brian2_python = deps::ensure_brian2()?;
    // testsuite/tests/nest.rs builds NESTML modules and runs the NEST scripts with this one.
    let nest_python = deps::ensure_nest()?;
    // compiler/tests/python_wheel.rs builds the wheel with maturin (`cargo xtask wheel`).
    deps::ensure_maturin()?;
    sh::run(
        Command::new("cargo")
            .args(["fmt", "--all", "--", "--check"])
            .current_dir(&root),
    )?;
    sh::run(
        Command::new("cargo")
            .args([
                "build",
                "--workspace",
                "--all-targets",
                "--features",
                FEATURES,
            ])
            .current_dir(&root),
    )?;
    // The NEURON target's tests find NEURON through LEMSC_PYTHON, and nrnivmodl on PATH.
    let totals = run_tests(
        Command::new("cargo")
            .args(["test", "--workspace", "--features", FEATURES])
            .env("LEMSC_PYTHON", &neuron_python)
            .env("LEMSC_BRIAN2_PYTHON", &brian2_python)
            // Brian2's C++ builds, kept between runs by a hash of each script.
            .env("LEMSC_BRIAN2_CACHE", root.join("target/brian2-cache"))
            .env("LEMSC_NEST_PYTHON", &nest_python)
            // NESTML modules, built once for each distinct set of models.
            .env("LEMSC_NEST_CACHE", root.join("target/nest-cache"))
            // Tests that need a simulator fail instead of skipping when it is missing.
            .env("CI", "true")
            .env("PATH", path_with(neuron_python.parent().unwrap_or(&root))?)
            .current_dir(&root),
    )?;
    // One closing line for the whole suite: cargo prints one per test binary.
    println!("tests: {} passed, {} failed", totals.passed, totals.failed);
    if totals.failed > 0 || !totals.success {
        return Err("the test suite failed".into());
    }
    if totals.passed == 0 {
        return Err("the test suite ran no test".into());
    }
    Ok(())
}

/// PATH with `dir` in front.
fn path_with(dir: &Path) -> Result<OsString, String> {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(dir.to_path_buf()).chain(std::env::split_paths(&rest));
    std::env::join_paths(dirs).map_err(|e| format!("cannot put {} on PATH: {e}", dir.display()))
}

#[derive(Default)]
struct Totals {
    passed: u64,
    failed: u64,
    success: bool,
}

/// Runs `cargo test`, passing its output through while adding up its `test result:` lines.
fn run_tests(cmd: &mut Command) -> Result<Totals, String> {
    eprintln!("$ cargo test --workspace --features {FEATURES}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start cargo test: {e}"))?;
    let mut totals = Totals::default();
    let stdout = child.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading cargo test's output: {e}"))?;
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            totals.passed += count_before(rest, " passed");
            totals.failed += count_before(rest, " failed");
        }
    }
    totals.success = child
        .wait()
        .map_err(|e| format!("waiting for cargo test: {e}"))?
        .success();
    Ok(totals)
}

/// The number just before `label` in a line like `ok. 9 passed; 0 failed; ...`.
fn count_before(text: &str, label: &str) -> u64 {
    text.find(label)
        .and_then(|end| text[..end].rsplit([' ', '.']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::count_before;

    #[test]
    fn counts_are_read_from_cargo_test_result_lines() {
        let line = "ok. 93 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!(count_before(line, " passed"), 93);
        assert_eq!(count_before(line, " failed"), 2);
        assert_eq!(count_before("FAILED. 0 passed; 1 failed;", " failed"), 1);
    }
}
