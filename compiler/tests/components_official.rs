//! Every official NeuroML2 LEMS example and NeuroML model file builds into a model without
//! errors, read with the official core type definitions.

use std::path::{Path, PathBuf};

use lemsc::diag::{plain_lines, SourceMap};
use lemsc::front::load::{load, LoadOptions};
use lemsc::model::{self, Model};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/neuroml2");

fn official_options() -> LoadOptions {
    LoadOptions {
        include_dirs: vec![Path::new(SHARED).join("NeuroML2CoreTypes")],
    }
}

/// Loads and builds one file; returns the model or every diagnostic, one per line.
fn build_file(path: &Path) -> Result<Model, String> {
    let mut roots = vec![path.to_path_buf()];
    // NeuroML files are read with the core types, which leave out the PyNN cells; jNeuroML
    // validates them against the full set, so read those definitions too.
    if path.extension().is_some_and(|e| e == "nml") {
        roots.insert(0, Path::new(SHARED).join("NeuroML2CoreTypes/PyNN.xml"));
    }
    let mut sources = SourceMap::new();
    let (docs, mut diags) = load(&mut sources, &roots, &official_options());
    let model = if diags.has_errors() {
        None
    } else {
        let (model, build_diags) = model::build(&docs, &sources);
        diags.extend(build_diags);
        model
    };
    let errors = plain_lines(&sources, diags.list.iter().filter(|d| d.is_error()));
    match model {
        Some(m) if errors.is_empty() => Ok(m),
        _ => Err(errors.join("\n")),
    }
}

fn files_in(dir: &str, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(Path::new(SHARED).join(dir))
        .expect("the shared examples folder is readable")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .collect();
    files.sort();
    files
}

fn assert_all_build(files: &[PathBuf]) -> Vec<Model> {
    let mut failures = Vec::new();
    let mut models = Vec::new();
    for f in files {
        match build_file(f) {
            Ok(m) => models.push(m),
            Err(e) => failures.push(format!("{}:\n{e}", f.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    models
}

#[test]
fn every_lems_example_builds() {
    let files = files_in("LEMSexamples", |n| {
        n.starts_with("LEMS_NML2_Ex") && n.ends_with(".xml")
    });
    assert!(
        files.len() >= 20,
        "expected the official LEMS examples, found {}",
        files.len()
    );
    let models = assert_all_build(&files);
    // Every LEMS example names a simulation to run.
    for (f, m) in files.iter().zip(&models) {
        let target = m
            .target
            .unwrap_or_else(|| panic!("{} has no target", f.display()));
        assert_eq!(
            m.ty(m.component(target).type_id).name,
            "Simulation",
            "{}",
            f.display()
        );
    }
}

#[test]
fn every_neuroml_example_builds() {
    let files = files_in("examples", |n| n.ends_with(".nml"));
    assert!(
        files.len() >= 10,
        "expected the official NeuroML examples, found {}",
        files.len()
    );
    assert_all_build(&files);
}

#[test]
fn summary_of_the_hodgkin_huxley_example() {
    let path = Path::new(SHARED).join("LEMSexamples/LEMS_NML2_Ex5_DetCell.xml");
    let m = build_file(&path).expect("Ex5 builds");
    let text = model::summary::summary(&m);
    let has = |line: &str| {
        assert!(
            text.lines().any(|l| l == line),
            "no line `{line}` in:\n{text}"
        )
    };
    has("target: sim1 (Simulation), length 300ms, step 0.01ms");
    has("  ionChannelHH             3");
    has("populations: 1");
    has("  hhpop  1 x hhcell (cell)");
    has("  hhcell  v, spiking, bioPhys1/membraneProperties/naChans/naChan/m/q, \
         bioPhys1/membraneProperties/naChans/naChan/h/q, bioPhys1/membraneProperties/kChans/kChan/n/q");
    has("outputs: 2 files, 4 displays (9 lines)");
    has("  OutputFile  of1  results/ex5_vars.dat  3 columns");
    // Deterministic: the same model gives the same text.
    assert_eq!(text, model::summary::summary(&m));
}
