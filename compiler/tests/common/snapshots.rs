//! Reviewed snapshot folders of generated text, shared by the snapshot tests: one folder per
//! example under `compiler/tests/snapshots/<kind>/<example stem>/`, one file per generated
//! file. A missing snapshot, a changed one or a generated file without one fails; with
//! `UPDATE_SNAPSHOTS=1` the folder is rewritten instead (stale files removed) for review with
//! `git diff`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lemsc::diag::render;
use lemsc::{check, CheckOptions, Checked};

/// How many removed and how many added lines a failure shows at most.
const DIFF_LINES_SHOWN: usize = 6;
/// Unchanged lines shown before the first difference.
const DIFF_CONTEXT: usize = 3;

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
pub fn first_difference(expected: &str, actual: &str) -> String {
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
pub fn mismatches(
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

/// The official LEMS examples folder.
pub fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/neuroml2/LEMSexamples")
}

/// An official example checked and lowered; panics with the rendered errors otherwise.
pub fn checked_example(stem: &str) -> Checked {
    let path = examples_dir().join(format!("{stem}.xml"));
    let checked = check(&[path], &CheckOptions::default());
    let rendered = render(&checked.sources, &checked.diagnostics.list, false);
    assert!(checked.ok(), "{stem} does not check:\n{rendered}");
    assert!(
        checked.ir.is_some(),
        "{stem} has no runnable Simulation:\n{rendered}"
    );
    checked
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

/// Compares `generated` (file name -> text) with the snapshot folder `<kind>/<stem>`, or
/// rewrites that folder under `UPDATE_SNAPSHOTS=1`.
pub fn check_snapshot_folder(kind: &str, stem: &str, generated: &BTreeMap<String, String>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(kind)
        .join(stem);
    if updating() {
        rewrite_snapshots(&dir, generated);
        eprintln!(
            "{kind}/{stem}: rewrote {} snapshot files in {}",
            generated.len(),
            dir.display()
        );
        return;
    }
    let problems = mismatches(&dir, generated, &snapshot_files(&dir));
    assert!(
        problems.is_empty(),
        "{kind}/{stem}: the generated files differ from the snapshots:\n\n{}\n\
         If the change is intended, rerun with UPDATE_SNAPSHOTS=1 and review `git diff`.",
        problems.join("\n")
    );
}
