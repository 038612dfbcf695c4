//! `cargo xtask ci`: everything CI checks, runnable on a fresh Debian machine with Rust.

use std::process::Command;

use crate::sh::{self, workspace_root};

pub fn run(_args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    sh::run(
        Command::new("cargo")
            .args(["fmt", "--all", "--", "--check"])
            .current_dir(&root),
    )?;
    sh::run(
        Command::new("cargo")
            .args(["build", "--workspace", "--all-targets"])
            .current_dir(&root),
    )?;
    sh::run(
        Command::new("cargo")
            .args(["test", "--workspace"])
            .current_dir(&root),
    )?;
    Ok(())
}
