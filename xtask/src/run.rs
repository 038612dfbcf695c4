//! `cargo xtask run ARGS...`: lemsc with everything it can use, on a machine that has only
//! Rust. LLVM 19 (the native backend) and libhdf5 (NeuroML HDF5 networks) are installed with
//! apt-get where missing, then lemsc is built in release mode with both features and run
//! with ARGS, so a new user's first command simulates a model natively.

use std::process::Command;

use crate::deps;
use crate::sh::{self, workspace_root};

pub fn run(args: &[String]) -> Result<(), String> {
    if args.is_empty() {
        return Err("usage: cargo xtask run FILE [lemsc options], e.g. \
                    cargo xtask run LEMS_NML2_Ex1_HH.xml -o out"
            .into());
    }
    deps::ensure_llvm()?;
    deps::ensure_hdf5()?;
    // The user's folder stays the working folder: their paths are relative to it.
    let manifest = workspace_root().join("Cargo.toml");
    sh::run(
        Command::new("cargo")
            .args(["run", "--quiet", "--release", "-p", "lemsc"])
            .arg("--manifest-path")
            .arg(manifest)
            .args(["--features", "native,hdf5", "--"])
            .args(args),
    )
}
