//! The `lemsc` command line: exit codes, where output goes, and what errors look like.

use std::path::PathBuf;
use std::process::{Command, Output};

fn lemsc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lemsc"))
        .args(args)
        .output()
        .expect("lemsc runs")
}

fn shared(rel: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared")
        .join(rel);
    p.to_string_lossy().into_owned()
}

fn bad(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testsuite/bad")
        .join(name);
    p.to_string_lossy().into_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_of_a_good_model_exits_0_with_a_summary() {
    let out = lemsc(&[
        "check",
        &shared("neuroml2/LEMSexamples/LEMS_NML2_Ex1_HH.xml"),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert!(stdout.contains("hhpop"), "{stdout}");
    assert!(stdout.contains("results/hh_v.dat"), "{stdout}");
    assert!(stdout.contains("naChans/na/m/q"), "{stdout}");
}

#[test]
fn check_of_a_bad_model_exits_1_naming_file_line_and_column() {
    let out = lemsc(&["check", "--color", "never", &bad("wrong_dimension.xml")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("wrong_dimension.xml:3:"), "{stderr}");
    assert!(stderr.contains("expected a time"), "{stderr}");
    assert!(out.stdout.is_empty(), "no summary for a model with errors");
}

#[test]
fn check_reports_the_worst_of_several_files() {
    let good = shared("neuroml2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml");
    let out = lemsc(&["check", "-q", &good, &bad("unknown_unit.xml")]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let out = lemsc(&["check", "/no/such/model.xml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/no/such/model.xml"));
}

#[test]
fn an_unknown_option_is_a_usage_error() {
    let out = lemsc(&["check", "--frobnicate", "x.xml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_missing_include_folder_is_a_usage_error() {
    let good = shared("neuroml2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml");
    let out = lemsc(&["check", "-I", "/no/such/folder", &good]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn include_folders_can_replace_the_built_in_core_types() {
    let good = shared("neuroml2/LEMSexamples/LEMS_NML2_Ex1_HH.xml");
    let core = shared("neuroml2/NeuroML2CoreTypes");
    let out = lemsc(&["check", "-I", &core, &good]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn text_targets_write_their_scripts_into_the_out_folder_without_a_simulator() {
    let model = shared("neuroml2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml");
    for (target, script) in [
        ("brian2", "LEMS_NML2_Ex0_IaF_brian2.py"),
        ("nest", "LEMS_NML2_Ex0_IaF_nest.py"),
        ("neuron", "LEMS_NML2_Ex0_IaF_nrn.py"),
    ] {
        let dir = scratch(&format!("export-{target}"));
        let out = lemsc(&[&model, "--target", target, "-o", dir.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "target {target}: {}",
            text(&out.stderr)
        );
        let written = std::fs::read_to_string(dir.join(script))
            .unwrap_or_else(|e| panic!("target {target}: no {script}: {e}"));
        assert!(written.contains("iaf_v.dat"), "target {target}: {script}");
        // Nothing is simulated without --run: no output file yet.
        assert!(!dir.join("results/iaf_v.dat").exists(), "target {target}");
    }
}

/// A fresh folder under the test target dir.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn native_run_writes_the_output_files_under_the_out_folder() {
    let dir = scratch("native-run");
    let model = shared("neuroml2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml");
    let out = lemsc(&[&model, "-o", dir.to_str().unwrap(), "-v"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let dat = std::fs::read_to_string(dir.join("results/iaf_v.dat")).expect("iaf_v.dat written");
    // 0.3 s at 0.005 ms: 60000 steps and the row at t = 0.
    assert_eq!(dat.lines().count(), 60001);
    assert!(dat.starts_with("0.0\t"), "{}", &dat[..40]);
    let reference =
        std::fs::read_to_string(shared("reference/jlems/iaf_v.dat")).expect("reference");
    assert_eq!(
        dat.lines().next(),
        reference.lines().next(),
        "first row as jLEMS writes it"
    );
    let stderr = text(&out.stderr);
    for stage in ["parse and check", "compile", "simulate"] {
        assert!(stderr.contains(stage), "-v lacks {stage}: {stderr}");
    }
}

#[test]
fn native_run_seed_option_changes_a_stochastic_run_and_is_deterministic() {
    let model = shared("neuroml2/LEMSexamples/LEMS_NML2_Ex23_Spiketimes.xml");
    let run = |name: &str, seed: Option<&str>| {
        let dir = scratch(name);
        let mut args = vec![model.as_str(), "-o", dir.to_str().unwrap(), "-q"];
        if let Some(s) = seed {
            args.extend(["--seed", s]);
        }
        let out = lemsc(&args);
        assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
        std::fs::read_to_string(dir.join("results/ex23.iaf.spikes")).unwrap()
    };
    let default = run("seed-default", None);
    assert_eq!(
        default,
        run("seed-default-again", None),
        "same seed, same spikes"
    );
    let reference = std::fs::read_to_string(shared("reference/jlems/ex23.iaf.spikes")).unwrap();
    assert_eq!(default, reference, "the model's own seed reproduces jLEMS");
    assert_ne!(
        default,
        run("seed-5", Some("5")),
        "--seed 5 draws other numbers"
    );
}

#[test]
fn multi_compartment_cells_run_natively() {
    let dir = scratch("ex25");
    let model = shared("neuroml2/LEMSexamples/LEMS_NML2_Ex25_MultiComp.xml");
    let out = lemsc(&[&model, "-o", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for k in 0..3 {
        let file = dir.join(format!("results/ex25_{k}.dat"));
        let rows = std::fs::read_to_string(&file)
            .expect("the output file")
            .lines()
            .count();
        // 140 ms at 0.005 ms, and the row at t = 0.
        assert_eq!(rows, 28001, "{}", file.display());
    }
}

#[test]
fn help_documents_commands_and_options() {
    let out = lemsc(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    for word in ["check", "--target", "--include-dir", "Exit status"] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
}

fn lenient(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testsuite/lenient")
        .join(name);
    p.to_string_lossy().into_owned()
}

#[test]
fn a_tolerated_model_warns_once_per_rule_exits_0_and_strict_refuses_it() {
    let file = lenient("unused_attributes.xml");
    let out = lemsc(&["check", "--color", "never", &file]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.matches("warning:").count(), 1, "{stderr}");
    assert!(stderr.contains("unused_attributes.xml:12:"), "{stderr}");
    assert!(stderr.contains("2 more warnings like this one"), "{stderr}");
    assert!(stderr.contains("unused-attribute"), "{stderr}");

    let quiet = lemsc(&["check", "-q", &file]);
    assert_eq!(quiet.status.code(), Some(0));
    assert!(text(&quiet.stderr).is_empty(), "{}", text(&quiet.stderr));

    let strict = lemsc(&["check", "--strict", "--color", "never", &file]);
    let stderr = text(&strict.stderr);
    assert_eq!(strict.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.matches("error:").count(), 3, "{stderr}");
    assert!(stderr.contains("--strict"), "{stderr}");
}
