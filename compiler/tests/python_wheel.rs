//! The Python wheel: `cargo xtask wheel` builds it, `pip install` puts it into a fresh virtual
//! environment, and there the `lemsc` command simulates Ex1 natively and `lemsc.run` reads
//! back Ex1's trace and Ex23's spike files, which must hold jLEMS's numbers
//! (`shared/reference/jlems/`). The wheel is tagged manylinux_2_36 and carries the shared
//! libraries that policy does not allow.
//!
//! Needs python3 with venv and pip access to PyPI (for maturin and numpy). Without python3
//! the test is skipped, except under CI (`CI=true`), where that is a failure. Building the
//! wheel is a release build of lemsc with the native backend, done once in the workspace's
//! target folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn shared() -> PathBuf {
    workspace().join("../shared")
}

fn ran(what: &str, out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn python3_has_venv() -> bool {
    Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Reads `lemsc.run`'s results for Ex1 and Ex23 and compares them with jLEMS's files; prints
/// one summary line. Arguments: Ex1, Ex23, output folder, reference folder.
const CHECK_SCRIPT: &str = r#"
import sys, numpy as np, lemsc
ex1, ex23, out, ref = sys.argv[1:5]
r = lemsc.run(ex1, out_dir=out + "/ex1")
trace = r["results/hh_v.dat"]
assert sorted(trace) == ["t", "v"], sorted(trace)
reference = np.loadtxt(ref + "/hh_v.dat")
every = 4  # the reference keeps every 4th row (MANIFEST.md)
assert len(trace["t"]) == 15001, len(trace["t"])
t, v = trace["t"][::every], trace["v"][::every]
assert len(t) == len(reference), (len(t), len(reference))
dt = np.max(np.abs(t - reference[:, 0]))
dv = np.max(np.abs(v - reference[:, 1]))
assert dt < 1e-12 and dv < 1e-9, (dt, dv)

r = lemsc.run(ex23, out_dir=out + "/ex23", seed=123)
spikes = r["results/ex23.iaf.spikes"]
reference = np.loadtxt(ref + "/ex23.iaf.spikes")
total = 0
for selection in ["0", "1", "2", "3"]:
    expected = reference[reference[:, 1] == int(selection), 0]
    got = spikes[selection]
    assert len(got) == len(expected), (selection, got, expected)
    assert np.allclose(got, expected, rtol=0, atol=1e-9), (selection, got, expected)
    total += len(got)
hh = r["results/ex23.hh.spikes"]["0"]
print("ex1 rows %d peak %.6f mV; ex23 iaf spikes %d, hh spikes %d"
      % (len(trace["t"]), 1e3 * trace["v"].max(), total, len(hh)))
"#;

#[test]
fn the_wheel_installs_and_runs_models_without_rust_or_llvm() {
    if !python3_has_venv() {
        let why = "python3 with venv is needed to build and install the wheel";
        assert!(!in_ci(), "{why}; under CI this is a failure, not a skip");
        println!("SKIPPED python_wheel: {why}");
        return;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = std::time::Instant::now();
    let printed = ran(
        "cargo xtask wheel",
        Command::new(&cargo)
            .args(["xtask", "wheel"])
            .current_dir(workspace())
            .stdin(Stdio::null())
            .output()
            .expect("cargo runs"),
    );
    let wheel = PathBuf::from(printed.lines().last().expect("the wheel's path").trim());
    assert!(wheel.is_file(), "{}", wheel.display());
    // A manylinux tag: pip on any machine with this glibc or newer takes it, and the libraries
    // outside the manylinux policy travel inside it.
    let name = wheel.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("-manylinux_2_36_x86_64.whl"), "{name}");
    println!(
        "wheel built in {:.0} s: {}",
        started.elapsed().as_secs_f64(),
        wheel.display()
    );

    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("python-wheel");
    let _ = std::fs::remove_dir_all(&scratch);
    let venv = scratch.join("venv");
    ran(
        "python3 -m venv",
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .unwrap(),
    );
    ran(
        "pip install the wheel",
        Command::new(venv.join("bin/python"))
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .arg(&wheel)
            .output()
            .unwrap(),
    );

    // The installed program runs a model on its own, and carries LLVM inside it.
    let lemsc = venv.join("bin/lemsc");
    let ex1 = shared().join("neuroml2/LEMSexamples/LEMS_NML2_Ex1_HH.xml");
    let ex23 = shared().join("neuroml2/LEMSexamples/LEMS_NML2_Ex23_Spiketimes.xml");
    let cli_out = scratch.join("cli");
    let verbose = Command::new(&lemsc)
        .arg(&ex1)
        .arg("-o")
        .arg(&cli_out)
        .arg("-v")
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .unwrap();
    ran("the installed lemsc", verbose.clone());
    let timings = String::from_utf8_lossy(&verbose.stderr);
    assert!(timings.contains("native (LLVM) engine"), "{timings}");
    let rows = std::fs::read_to_string(cli_out.join("results/hh_v.dat"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(rows, 15001);
    // bin/lemsc is maturin's launcher; the program is in site-packages/lemsc.scripts/, and the
    // libraries it carries in lemsc.libs/ must be the ones it loads.
    let platlib = ran(
        "python sysconfig",
        Command::new(venv.join("bin/python"))
            .args([
                "-c",
                "import sysconfig; print(sysconfig.get_path('platlib'))",
            ])
            .output()
            .unwrap(),
    );
    let program = Path::new(platlib.trim()).join("lemsc.scripts/lemsc");
    let libraries = ran(
        "ldd",
        Command::new("ldd")
            .arg(&program)
            .output()
            .expect("ldd runs"),
    );
    assert!(
        !libraries.to_lowercase().contains("llvm"),
        "LLVM is linked in statically:\n{libraries}"
    );
    assert!(!libraries.contains("not found"), "{libraries}");
    for carried in ["libffi", "libzstd"] {
        let line = libraries.lines().find(|l| l.contains(carried));
        assert!(
            line.is_some_and(|l| l.contains("lemsc.libs")),
            "{carried} should load from the wheel's lemsc.libs:\n{libraries}"
        );
    }

    // The Python module reads what lemsc wrote, as numbers.
    let summary = ran(
        "lemsc.run",
        Command::new(venv.join("bin/python"))
            .arg("-c")
            .arg(CHECK_SCRIPT)
            .args([&ex1, &ex23])
            .arg(scratch.join("py"))
            .arg(shared().join("reference/jlems"))
            // The module finds the program beside its own Python, not on PATH.
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap(),
    );
    println!("{}", summary.trim());
    assert!(summary.starts_with("ex1 rows 15001 peak "), "{summary}");
    assert!(Path::new(&scratch.join("py/ex23/results/ex23.iaf.spikes")).is_file());
    println!("whole test: {:.0} s", started.elapsed().as_secs_f64());
    // Passed: its virtual environment and runs are not kept.
    let _ = std::fs::remove_dir_all(&scratch);
}
