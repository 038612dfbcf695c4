//! Every official NeuroML2 LEMS example and NeuroML example must load and check without an
//! error, using only our own built-in core type definitions.

use std::path::{Path, PathBuf};

use lemsc::{check, CheckOptions};
use lemsc_testsuite::diagtext::plain_lines;
use lemsc_testsuite::shared_dir;

fn files_in(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .collect();
    files.sort();
    files
}

/// Checks each file on its own and returns one line per file that had errors.
fn failures(files: &[PathBuf]) -> Vec<String> {
    let mut failed = Vec::new();
    for file in files {
        let checked = check(std::slice::from_ref(file), &CheckOptions::default());
        if !checked.ok() {
            let first = checked.diagnostics.list.iter().filter(|d| d.is_error());
            let errors = plain_lines(&checked.sources, first.take(5));
            failed.push(format!(
                "{} ({} errors):\n    {}",
                file.display(),
                checked.diagnostics.error_count(),
                errors.join("\n    ")
            ));
        }
    }
    failed
}

/// Checks every file of `dir` that `keep` selects (at least `at_least` of them).
fn assert_all_check_clean(dir: &Path, at_least: usize, keep: impl Fn(&str) -> bool) {
    let files = files_in(dir, keep);
    assert!(
        files.len() >= at_least,
        "expected at least {at_least} models in {}",
        dir.display()
    );
    let failed = failures(&files);
    assert!(
        failed.is_empty(),
        "{} of {} failed:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn every_lems_example_checks_clean() {
    let dir = shared_dir().join("neuroml2/LEMSexamples");
    assert_all_check_clean(&dir, 28, |n| {
        n.starts_with("LEMS_NML2_Ex") && n.ends_with(".xml")
    });
}

#[test]
fn every_neuroml_example_checks_clean() {
    let dir = shared_dir().join("neuroml2/examples");
    assert_all_check_clean(&dir, 17, |n| n.ends_with(".nml"));
}
