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
fn targets_not_built_yet_say_so_and_exit_2() {
    let model = shared("neuroml2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml");
    for target in ["native", "neuron", "brian2", "nest"] {
        let out = lemsc(&[&model, "--target", target]);
        assert_eq!(out.status.code(), Some(2), "target {target}");
        assert!(
            text(&out.stderr).contains("not built yet"),
            "target {target}"
        );
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
