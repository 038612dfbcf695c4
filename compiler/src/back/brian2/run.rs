//! `--target brian2 --run`: the script, run by a Python that imports brian2, in the output
//! folder; its output goes to the terminal and its exit status is returned.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const HINT: &str = "install Brian2 with `pip install brian2==2.9.0 \"numpy<2.4\"` (into a \
                    virtual environment, then set LEMSC_BRIAN2_PYTHON to its bin/python)";

/// The Python to run the script with: `$LEMSC_BRIAN2_PYTHON`, else `$LEMSC_PYTHON`, else
/// `python3` or `python` on PATH. A Python named in a variable must import brian2; the
/// first of them that does is taken.
pub fn find_python() -> Result<PathBuf, String> {
    let named = ["LEMSC_BRIAN2_PYTHON", "LEMSC_PYTHON"]
        .iter()
        .filter_map(|var| std::env::var_os(var).filter(|v| !v.is_empty()));
    let on_path = ["python3", "python"].iter().map(OsString::from);
    let mut tried = Vec::new();
    for candidate in named.chain(on_path) {
        let python = PathBuf::from(&candidate);
        if imports_brian2(&python) {
            return Ok(python);
        }
        tried.push(python.display().to_string());
    }
    Err(format!(
        "no Python that can `import brian2` was found (tried {}); {HINT}",
        tried.join(", ")
    ))
}

fn imports_brian2(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import brian2"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `script` with `python` in `dir`, on `device`; the exit status (1 when killed by a
/// signal).
pub fn run_script(python: &Path, script: &Path, dir: &Path, device: &str) -> Result<i32, String> {
    let status = Command::new(python)
        .arg(script)
        .args(["--device", device])
        .current_dir(dir)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
    Ok(status.code().unwrap_or(1))
}
