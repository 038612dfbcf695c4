//! `cargo xtask wheel`: the Python wheel `target/wheels/lemsc-*.whl`, built with maturin
//! (`compiler/pyproject.toml`): the lemsc program with the native backend (LLVM linked in
//! statically, as llvm-sys does by default) and the Python module `lemsc`
//! (`compiler/python/lemsc/`). `pip install` of the wheel needs no Rust and no LLVM.
//!
//! maturin builds in the workspace's target folder with the release profile, so a release
//! build of lemsc with the same features is reused.

use std::path::PathBuf;
use std::process::Command;

use crate::deps;
use crate::sh::{self, workspace_root};

/// Where the wheel goes.
pub const WHEEL_DIR: &str = "target/wheels";

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(extra) = args.first() {
        return Err(format!(
            "cargo xtask wheel takes no arguments (got {extra})"
        ));
    }
    let wheel = build()?;
    println!("{}", wheel.display());
    Ok(())
}

/// Builds the wheel; its path. Older lemsc wheels in [`WHEEL_DIR`] are removed first, so the
/// folder holds exactly the one just built.
pub fn build() -> Result<PathBuf, String> {
    deps::ensure_llvm()?;
    let maturin = deps::ensure_maturin()?;
    let root = workspace_root();
    let out = root.join(WHEEL_DIR);
    for old in wheels_in(&out) {
        std::fs::remove_file(&old).map_err(|e| format!("cannot remove {}: {e}", old.display()))?;
    }
    // `--compatibility linux`: the program links the system's libffi, zlib, zstd and libstdc++
    // (present on any Debian or Ubuntu), which the manylinux policies do not list, so the wheel
    // is tagged for this platform's glibc rather than repaired.
    sh::run(
        Command::new(&maturin)
            .args([
                "build",
                "--release",
                "--compatibility",
                "linux",
                "--manifest-path",
            ])
            .arg(root.join("compiler/Cargo.toml"))
            .arg("--out")
            .arg(&out)
            .current_dir(&root),
    )?;
    match wheels_in(&out).as_slice() {
        [wheel] => Ok(wheel.clone()),
        found => Err(format!(
            "maturin finished but {} holds {} lemsc wheels",
            out.display(),
            found.len()
        )),
    }
}

fn wheels_in(dir: &std::path::Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("lemsc-") && name.ends_with(".whl")
        })
        .collect()
}
