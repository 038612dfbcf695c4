//! Helpers shared by the runtime's tests: running a small Java program on the machine's JDK,
//! reporting mismatches readably, scratch folders and expression constructors.

#![allow(dead_code)] // each test file uses only some of these

pub mod exprs;
pub mod program;
pub mod scratch;

use std::process::Command;

/// Compiles `source` (a public class named `class`) and runs it with `args`; its standard
/// output, or `None` when no JDK (`javac`) is installed.
pub fn run_java(class: &str, source: &str, args: &[&str]) -> Option<String> {
    let javac_ok = Command::new("javac")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !javac_ok {
        return None;
    }
    let dir = std::env::temp_dir().join(format!("lemsc-java-{class}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    std::fs::write(dir.join(format!("{class}.java")), source).expect("write java source");
    let compiled = Command::new("javac")
        .arg(format!("{class}.java"))
        .current_dir(&dir)
        .status();
    assert!(
        compiled.is_ok_and(|s| s.success()),
        "javac failed on {class}"
    );
    let run = Command::new("java")
        .args(["-cp", "."])
        .arg(class)
        .args(args)
        .current_dir(&dir)
        .output()
        .expect("run java");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        run.status.success(),
        "java failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    Some(String::from_utf8(run.stdout).expect("java prints ASCII"))
}

/// Fails listing the first mismatches, if there are any.
pub fn assert_no_mismatches(mismatches: &[String], compared: usize, what: &str) {
    assert!(
        mismatches.is_empty(),
        "{} of {compared} {what} differ; first ones:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
