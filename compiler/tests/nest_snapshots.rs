//! Reviewed snapshots of the NEST target's generated files.
//!
//! For two representative examples (Ex0: four integrate-and-fire cells, regimes included;
//! Ex12: a network with spike sources, three synapse kinds, weights and delays), every NESTML
//! model and the script that `lemsc::back::nest::export` generates must equal the file of the
//! same name in `compiler/tests/snapshots/nest/<example stem>/`. A missing snapshot or a
//! generated file without one fails too. After a deliberate generator change, rerun with
//! `UPDATE_SNAPSHOTS=1` to rewrite the folders, and review the change with `git diff`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lemsc::back::nest::{self, NestOptions};
use lemsc::diag::render;
use lemsc::{check, CheckOptions};

const EXAMPLES: &[&str] = &["LEMS_NML2_Ex0_IaF", "LEMS_NML2_Ex12_Net2"];

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/neuroml2/LEMSexamples")
}

fn snapshots_dir(stem: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/nest")
        .join(stem)
}

/// The models and the script of one example, by file name.
fn generated_files(stem: &str) -> BTreeMap<String, String> {
    let path = examples_dir().join(format!("{stem}.xml"));
    let checked = check(&[path], &CheckOptions::default());
    let rendered = render(&checked.sources, &checked.diagnostics.list, false);
    assert!(checked.ok(), "{stem} does not check:\n{rendered}");
    let model = checked.model.as_ref().expect("a checked model");
    let ir = checked.ir.as_ref().expect("a runnable Simulation");
    let export = nest::export(model, ir, stem, &NestOptions::default()).unwrap_or_else(|d| {
        panic!(
            "{stem}: NEST export failed:\n{}",
            render(&checked.sources, &d, false)
        )
    });
    let mut files: BTreeMap<String, String> = export.models.into_iter().collect();
    files.insert(export.script.0, export.script.1);
    files
}

fn snapshot_files(stem: &str) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(snapshots_dir(stem)) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The first line where two texts differ, for the failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            return format!("line {}: snapshot {x:?}, generated {y:?}", i + 1);
        }
    }
    "the same lines, different line ends".into()
}

#[test]
fn nest_files_match_their_snapshots() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1");
    let mut failures = Vec::new();
    for stem in EXAMPLES {
        let generated = generated_files(stem);
        assert!(
            generated.len() >= 2,
            "{stem}: at least one model and the script"
        );
        if update {
            let dir = snapshots_dir(stem);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, text) in &generated {
                std::fs::write(dir.join(name), text).unwrap();
            }
            continue;
        }
        let snapshots = snapshot_files(stem);
        for (name, text) in &generated {
            match snapshots.get(name) {
                None => failures.push(format!("{stem}/{name}: no snapshot")),
                Some(s) if s != text => failures.push(format!(
                    "{stem}/{name}: differs, {}",
                    first_difference(s, text)
                )),
                Some(_) => {}
            }
        }
        for name in snapshots.keys().filter(|n| !generated.contains_key(*n)) {
            failures.push(format!(
                "{stem}/{name}: snapshot of a file no longer generated"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} snapshot failures (UPDATE_SNAPSHOTS=1 rewrites them):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
