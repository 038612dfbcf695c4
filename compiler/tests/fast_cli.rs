//! `lemsc FILE --fast` from the command line: the run writes its outputs, `--emit program
//! --fast` shows the merged synapses' relays, and `--fast` with an export is a usage error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Ex23 sends several connections of one linear synapse into each of its cells.
fn ex23() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/neuroml2/LEMSexamples/LEMS_NML2_Ex23_Spiketimes.xml")
}

fn lemsc(args: &[&str], out: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lemsc"))
        .arg(ex23())
        .args(args)
        .arg("-o")
        .arg(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(out))
        .output()
        .expect("run lemsc")
}

#[test]
fn fast_runs_and_its_program_relays_the_merged_connections() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fast-cli-run");
    let _ = std::fs::remove_dir_all(&out);
    let run = lemsc(&["--fast", "-v"], "fast-cli-run");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let written: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("wrote "))
        .collect();
    assert!(!written.is_empty(), "{stderr}");
    for file in written {
        let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        assert!(size > 0, "{file} is empty");
    }

    let relays = |args: &[&str]| {
        let emitted = lemsc(args, "fast-cli-emit");
        assert!(emitted.status.success());
        String::from_utf8_lossy(&emitted.stdout)
            .lines()
            .filter(|l| l.starts_with("kernel ") && l.contains("(merged connection)"))
            .count()
    };
    assert!(relays(&["--emit", "program", "--fast"]) > 0);
    assert_eq!(relays(&["--emit", "program"]), 0);
}

#[test]
fn fast_with_an_export_is_a_usage_error() {
    let run = lemsc(&["--fast", "--target", "neuron"], "fast-cli-neuron");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--fast merges the synapses"));
}

#[test]
fn fast_gives_the_same_bits_in_llvm_code_and_in_the_interpreter() {
    let written = |engine: &str| {
        let folder = format!("fast-cli-{engine}");
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(&folder);
        let _ = std::fs::remove_dir_all(&out);
        let run = lemsc(&["--fast", "--engine", engine], &folder);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(out.join("results"))
            .expect("a results folder")
            .map(|e| {
                let path = e.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let native = written("native");
    assert!(native.iter().any(|(_, bytes)| !bytes.is_empty()));
    assert_eq!(native, written("interpreter"));
}
