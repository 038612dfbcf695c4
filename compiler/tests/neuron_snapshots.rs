//! Reviewed snapshots of the NEURON target's generated files.
//!
//! For a few representative examples, every `.mod` and the runner that
//! `lemsc::back::neuron::export` generates must equal the file of the same name in
//! `compiler/tests/snapshots/neuron/<example stem>/`. A missing snapshot or a generated file
//! without one fails too.
//!
//! After a deliberate generator change, rerun with `UPDATE_SNAPSHOTS=1`: the test then rewrites
//! the snapshot folders (removing stale files) instead of comparing, and `git diff` shows the
//! change to the generated code for review.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lemsc::back::neuron::{self, NeuronOptions};
use lemsc::diag::render;
use lemsc::{check, CheckOptions};

/// How many removed and how many added lines a failure shows at most.
const DIFF_LINES_SHOWN: usize = 6;
/// Unchanged lines shown before the first difference.
const DIFF_CONTEXT: usize = 3;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/neuroml2/LEMSexamples")
}

fn snapshots_dir(stem: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/neuron")
        .join(stem)
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

/// Every generated file of one example, by file name (the mods and the runner).
fn generated_files(stem: &str) -> BTreeMap<String, String> {
    let path = examples_dir().join(format!("{stem}.xml"));
    let checked = check(&[path], &CheckOptions::default());
    let rendered = render(&checked.sources, &checked.diagnostics.list, false);
    assert!(checked.ok(), "{stem} does not check:\n{rendered}");
    let model = checked.model.as_ref().expect("a checked model");
    let ir = checked
        .ir
        .as_ref()
        .unwrap_or_else(|| panic!("{stem} has no runnable Simulation:\n{rendered}"));
    let export = neuron::export(model, ir, stem, &NeuronOptions::default()).unwrap_or_else(|d| {
        panic!(
            "{stem}: NEURON export failed:\n{}",
            render(&checked.sources, &d, false)
        )
    });
    let mut files: BTreeMap<String, String> = export.mods.into_iter().collect();
    let (runner_name, runner_text) = export.runner;
    assert!(
        files.insert(runner_name.clone(), runner_text).is_none(),
        "{stem}: the runner {runner_name} has the name of a mod"
    );
    files
}

/// The snapshot files of one example, by file name (empty when the folder is missing).
fn snapshot_files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.expect("read snapshot folder entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            (name, text)
        })
        .collect()
}

/// Makes `dir` hold exactly `files`: writes each one, removes any other file.
fn rewrite_snapshots(dir: &Path, files: &BTreeMap<String, String>) {
    std::fs::create_dir_all(dir).expect("create snapshot folder");
    for name in snapshot_files(dir).keys() {
        if !files.contains_key(name) {
            std::fs::remove_file(dir.join(name)).expect("remove stale snapshot");
        }
    }
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write snapshot");
    }
}

/// A short unified-style diff of `expected` (the snapshot) against `actual` (generated):
/// the lines around the first difference, `-` for the snapshot's, `+` for the generated ones.
fn first_difference(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    let common_prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    // Lines equal at the end bound the changed hunk, so an inserted line does not make every
    // following line look different.
    let common_suffix = old[common_prefix..]
        .iter()
        .rev()
        .zip(new[common_prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_changed = &old[common_prefix..old.len() - common_suffix];
    let new_changed = &new[common_prefix..new.len() - common_suffix];
    let start = common_prefix.saturating_sub(DIFF_CONTEXT);

    let mut out = format!(
        "@@ -{},{} +{},{} @@\n",
        start + 1,
        common_prefix - start + old_changed.len(),
        start + 1,
        common_prefix - start + new_changed.len()
    );
    for line in &old[start..common_prefix] {
        out.push_str(&format!(" {line}\n"));
    }
    for (sign, lines) in [('-', old_changed), ('+', new_changed)] {
        for line in lines.iter().take(DIFF_LINES_SHOWN) {
            out.push_str(&format!("{sign}{line}\n"));
        }
        if lines.len() > DIFF_LINES_SHOWN {
            out.push_str(&format!(
                "{sign}... {} more lines\n",
                lines.len() - DIFF_LINES_SHOWN
            ));
        }
    }
    if old_changed.is_empty() && new_changed.is_empty() {
        // Same lines: only a final newline or line endings differ.
        out.push_str("(the texts differ only in line endings or the final newline)\n");
    }
    out
}

/// Every way the generated files of one example differ from its snapshots.
fn mismatches(
    dir: &Path,
    generated: &BTreeMap<String, String>,
    snapshots: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, text) in generated {
        match snapshots.get(name) {
            None => problems.push(format!(
                "{}: generated, but no snapshot file",
                dir.join(name).display()
            )),
            Some(expected) if expected != text => problems.push(format!(
                "{}: differs from the generated file\n{}",
                dir.join(name).display(),
                first_difference(expected, text)
            )),
            Some(_) => {}
        }
    }
    for name in snapshots.keys().filter(|n| !generated.contains_key(*n)) {
        problems.push(format!(
            "{}: snapshot file, but no longer generated",
            dir.join(name).display()
        ));
    }
    problems
}

fn check_snapshots(stem: &str) {
    let generated = generated_files(stem);
    let dir = snapshots_dir(stem);
    if updating() {
        rewrite_snapshots(&dir, &generated);
        eprintln!(
            "{stem}: rewrote {} snapshot files in {}",
            generated.len(),
            dir.display()
        );
        return;
    }
    let problems = mismatches(&dir, &generated, &snapshot_files(&dir));
    assert!(
        problems.is_empty(),
        "{stem}: the generated NEURON files differ from the snapshots:\n\n{}\n\
         If the change is intended, rerun with UPDATE_SNAPSHOTS=1 \
         (cargo test -p lemsc --test neuron_snapshots) and review `git diff`.",
        problems.join("\n")
    );
}

#[test]
fn point_cells_with_regimes_ex0() {
    check_snapshots("LEMS_NML2_Ex0_IaF");
}

#[test]
fn single_segment_cell_with_hh_channel_densities_ex5() {
    check_snapshots("LEMS_NML2_Ex5_DetCell");
}

#[test]
fn multi_compartment_cells_with_synapses_at_segments_ex25() {
    check_snapshots("LEMS_NML2_Ex25_MultiComp");
}

#[test]
fn the_line_diff_shows_the_first_changed_lines_with_context() {
    let old = "a\nb\nc\nd\ne\nf\n";
    let new = "a\nb\nc\nd\nX\nf\n";
    assert_eq!(
        first_difference(old, new),
        "@@ -2,4 +2,4 @@\n b\n c\n d\n-e\n+X\n"
    );
}

#[test]
fn the_line_diff_of_an_inserted_line_shows_only_that_line() {
    let old = "a\nb\nc\n";
    let new = "a\nnew\nb\nc\n";
    assert_eq!(first_difference(old, new), "@@ -1,1 +1,2 @@\n a\n+new\n");
}

#[test]
fn the_line_diff_is_cut_after_a_few_changed_lines() {
    let old: String = (0..40).map(|i| format!("old {i}\n")).collect();
    let new: String = (0..40).map(|i| format!("new {i}\n")).collect();
    let diff = first_difference(&old, &new);
    assert!(
        diff.contains("-old 5\n-... 34 more lines\n+new 0\n"),
        "{diff}"
    );
    assert!(diff.ends_with("+new 5\n+... 34 more lines\n"), "{diff}");
}

#[test]
fn a_missing_snapshot_and_an_extra_one_are_both_reported() {
    let dir = Path::new("snap");
    let generated = BTreeMap::from([
        ("a.mod".to_string(), "x\n".to_string()),
        ("run.py".to_string(), "y\n".to_string()),
    ]);
    let snapshots = BTreeMap::from([
        ("a.mod".to_string(), "x\n".to_string()),
        ("old.mod".to_string(), "z\n".to_string()),
    ]);
    let problems = mismatches(dir, &generated, &snapshots);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("run.py: generated, but no snapshot file"));
    assert!(problems[1].contains("old.mod: snapshot file, but no longer generated"));
}

#[test]
fn a_difference_in_the_final_newline_is_reported_and_explained() {
    let diff = first_difference("a\nb\n", "a\nb");
    assert!(diff.contains("final newline"), "{diff}");
    let problems = mismatches(
        Path::new("snap"),
        &BTreeMap::from([("a.mod".to_string(), "a\nb".to_string())]),
        &BTreeMap::from([("a.mod".to_string(), "a\nb\n".to_string())]),
    );
    assert_eq!(problems.len(), 1);
}
