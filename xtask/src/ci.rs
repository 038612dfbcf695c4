//! `cargo xtask ci`: everything CI checks, runnable on a fresh Debian machine with Rust.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::deps;
use crate::sh::{self, workspace_root};

/// The native backend (LLVM) and NeuroML HDF5 networks (libhdf5): CI builds and tests both.
/// LLVM is linked as a shared library, once, instead of into each of fifty test binaries.
const FEATURES: &str = "lemsc/native,lemsc/llvm-dynamic,lemsc/hdf5";

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
    // Every test binary is built before any runs, one package selection at a time, with
    // exactly the selections the test processes use below (a different selection unifies
    // features differently and would build lemsc and its tests again).
    for selection in [&WORKSPACE_BUT_TESTSUITE[..], &TESTSUITE[..]] {
        let mut build = test_command(&root, &neuron_python, &brian2_python, &nest_python)?;
        sh::run(build.args(selection).arg("--no-run"))?;
    }
    // The suite runs as two cargo processes side by side: the Brian2 and NEST tests (long,
    // mostly waiting on their simulators' C++ builds) in one, everything else in the other.
    let mut everything_else = test_command(&root, &neuron_python, &brian2_python, &nest_python)?;
    everything_else.args(WORKSPACE_BUT_TESTSUITE);
    let mut testsuite_rest = test_command(&root, &neuron_python, &brian2_python, &nest_python)?;
    testsuite_rest.args(TESTSUITE).arg("--lib");
    let mut simulators = test_command(&root, &neuron_python, &brian2_python, &nest_python)?;
    simulators.args(TESTSUITE);
    for name in testsuite_targets(&root)? {
        let cmd = if PARALLEL_TESTS.contains(&name.as_str()) {
            &mut simulators
        } else {
            &mut testsuite_rest
        };
        cmd.args(["--test", &name]);
    }
    let beside = spawn_captured(&mut simulators)?;
    let mut totals = run_tests(&mut everything_else)?;
    totals.add(run_tests(&mut testsuite_rest)?);
    totals.add(finish_captured(beside)?);
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

/// The packages of the first test process: everything but the testsuite.
const WORKSPACE_BUT_TESTSUITE: [&str; 3] = ["--workspace", "--exclude", "lemsc-testsuite"];
/// The package of the other two.
const TESTSUITE: [&str; 2] = ["-p", "lemsc-testsuite"];

/// Testsuite targets run in their own cargo process, beside the rest of the suite.
const PARALLEL_TESTS: &[&str] = &["brian2", "brian2_realworld", "nest"];

/// `cargo test --features ...` with what the simulator tests need in its environment.
fn test_command(
    root: &Path,
    neuron_python: &Path,
    brian2_python: &Path,
    nest_python: &Path,
) -> Result<Command, String> {
    let mut cmd = Command::new("cargo");
    // --no-fail-fast: a failing test binary must not hide how the ones after it do.
    cmd.args(["test", "--no-fail-fast", "--features", FEATURES])
        // The NEURON target's tests find NEURON through LEMSC_PYTHON, and nrnivmodl on PATH.
        .env("LEMSC_PYTHON", neuron_python)
        .env("LEMSC_BRIAN2_PYTHON", brian2_python)
        // Brian2's C++ builds, kept between runs by a hash of each script.
        .env("LEMSC_BRIAN2_CACHE", root.join("target/brian2-cache"))
        .env("LEMSC_NEST_PYTHON", nest_python)
        // NESTML modules, built once for each distinct set of models.
        .env("LEMSC_NEST_CACHE", root.join("target/nest-cache"))
        // Tests that need a simulator fail instead of skipping when it is missing.
        .env("CI", "true")
        // CI builds once from a fresh clone: incremental state would only take disk.
        .env("CARGO_INCREMENTAL", "0")
        // Nor does CI read debug info: it is half of each test binary's size, and CI's disk
        // is small. (The release build is the wheel's, built by compiler/tests/python_wheel.rs.)
        .env("CARGO_PROFILE_DEV_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("PATH", path_with(neuron_python.parent().unwrap_or(root))?)
        .current_dir(root);
    Ok(cmd)
}

/// The integration test targets of the testsuite (`testsuite/tests/*.rs`), sorted.
fn testsuite_targets(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("testsuite/tests");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
            .path();
        if path.extension().is_some_and(|x| x == "rs") {
            if let Some(stem) = path.file_stem() {
                names.push(stem.to_string_lossy().into_owned());
            }
        }
    }
    names.sort();
    Ok(names)
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

impl Totals {
    fn add(&mut self, other: Totals) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.success &= other.success;
    }
}

/// A `cargo test` started in the background with its output kept, to be printed whole when
/// it ends (so it does not interleave with the other process's).
struct Captured {
    what: String,
    child: std::process::Child,
    stdout: std::thread::JoinHandle<String>,
}

fn spawn_captured(cmd: &mut Command) -> Result<Captured, String> {
    let what = describe(cmd);
    eprintln!("$ {what} (in the background)");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let mut out = child.stdout.take().expect("stdout is piped");
    let mut err = child.stderr.take().expect("stderr is piped");
    // stderr is drained on its own thread so neither pipe can fill and stall the child.
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut text);
        text
    });
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut text);
        let errors = stderr.join().unwrap_or_default();
        format!("{errors}{text}")
    });
    Ok(Captured {
        what,
        child,
        stdout,
    })
}

fn finish_captured(mut captured: Captured) -> Result<Totals, String> {
    let status = captured
        .child
        .wait()
        .map_err(|e| format!("waiting for {}: {e}", captured.what))?;
    let text = captured.stdout.join().unwrap_or_default();
    eprintln!("--- output of {} ---", captured.what);
    let mut totals = Totals::default();
    for line in text.lines() {
        println!("{line}");
        if let Some(rest) = line.strip_prefix("test result: ") {
            totals.passed += count_before(rest, " passed");
            totals.failed += count_before(rest, " failed");
        }
    }
    totals.success = status.success();
    Ok(totals)
}

/// A command as a shell line, for logs.
fn describe(cmd: &Command) -> String {
    let args: Vec<String> = cmd
        .get_args()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    format!("{} {}", cmd.get_program().to_string_lossy(), args.join(" "))
}

/// Runs `cargo test`, passing its output through while adding up its `test result:` lines.
fn run_tests(cmd: &mut Command) -> Result<Totals, String> {
    eprintln!("$ {}", describe(cmd));
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
