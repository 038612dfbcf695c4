//! System packages the test suite needs, installed where missing.

use std::process::Command;

use crate::sh;

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
    install.extend_from_slice(LLVM_PACKAGES);
    apt(&install)?;
    if sh::have("llvm-config-19") {
        Ok(())
    } else {
        Err(format!(
            "apt-get finished but llvm-config-19 is still not on PATH; {manual}"
        ))
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
