//! Official examples built into programs by `passes::kernels::build_program` and run by the
//! runtime's interpreter, each output file compared with jLEMS's at the rows kept in
//! `shared/reference/jlems` (row i there is row i*k here, k = ceil(rows/5000) above 5000
//! rows). A value passes when its float32 text is the same or it is within 1e-6 of its
//! column's range: both sides compute in double precision in the same order, so only
//! last-bit differences of `exp`/`pow` are expected, while a state update a step early or
//! late is off by a large part of the range.

use std::path::{Path, PathBuf};

use lemsc::diag::render;
use lemsc::passes::kernels::{build_program, ProgramOptions};
use lemsc::{check, CheckOptions};
use lemsc_runtime::engine::interp::Interpreter;
use lemsc_runtime::engine::{run, RunOptions};

pub fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// Builds and runs one example into a fresh folder; returns the files it wrote.
pub fn run_example(name: &str) -> Result<Vec<PathBuf>, String> {
    let path = shared().join("neuroml2/LEMSexamples").join(name);
    let checked = check(&[path], &CheckOptions::default());
    if !checked.ok() {
        return Err(render(&checked.sources, &checked.diagnostics.list, false));
    }
    let model = checked.model.as_ref().expect("a checked model");
    let ir = checked.ir.as_ref().ok_or("no simulation to run")?;
    let out_dir = std::env::temp_dir().join(format!(
        "lemsc-smoke-{}-{}",
        std::process::id(),
        name.trim_end_matches(".xml")
    ));
    let opts = ProgramOptions {
        out_dir: out_dir.clone(),
        seed: None,
    };
    let program =
        build_program(model, ir, &opts).map_err(|d| render(&checked.sources, &d, false))?;
    for out in &program.outputs {
        std::fs::create_dir_all(out.path.parent().unwrap()).unwrap();
    }
    for out in &program.event_outputs {
        std::fs::create_dir_all(out.path.parent().unwrap()).unwrap();
    }
    let code = Interpreter::new(&program.kernels);
    let report = run(&program, &code, RunOptions::default()).map_err(|e| e.to_string())?;
    Ok(report.files)
}

fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .map(|l| l.split('\t').filter(|v| !v.is_empty()).collect())
        .collect()
}

/// Compares one `.dat` file with the reference of the same name; `Err` says where it differs.
pub fn compare_dat(ours: &Path) -> Result<(), String> {
    let name = ours.file_name().unwrap().to_string_lossy().to_string();
    let reference = std::fs::read_to_string(shared().join("reference/jlems").join(&name))
        .map_err(|e| format!("{name}: no reference ({e})"))?;
    let ours_text = std::fs::read_to_string(ours).unwrap();
    let (ours, theirs) = (rows(&ours_text), rows(&reference));
    let stride = if ours.len() > 5000 {
        ours.len().div_ceil(5000)
    } else {
        1
    };
    if (ours.len() - 1) / stride + 1 != theirs.len() {
        return Err(format!(
            "{name}: {} rows here (stride {stride}), {} in the reference",
            ours.len(),
            theirs.len()
        ));
    }
    let columns = theirs[0].len();
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    let range: Vec<f64> = (0..columns)
        .map(|c| {
            theirs
                .iter()
                .map(|r| num(r[c]).abs())
                .fold(0.0, f64::max)
                .max(1e-30)
        })
        .collect();
    for (i, theirs_row) in theirs.iter().enumerate() {
        let ours_row = &ours[i * stride];
        if ours_row.len() != columns {
            return Err(format!(
                "{name}: row {} has {} columns",
                i * stride,
                ours_row.len()
            ));
        }
        for c in 0..columns {
            let (a, b) = (ours_row[c], theirs_row[c]);
            let close = a == b || (num(a) - num(b)).abs() <= 1e-6 * range[c];
            if !close || (c == 0 && a != b) {
                return Err(format!(
                    "{name}: row {} column {c}: {a} here, {b} in jLEMS",
                    i * stride
                ));
            }
        }
    }
    Ok(())
}

fn check_example(name: &str) {
    let files = run_example(name).unwrap_or_else(|e| panic!("{name} did not run:\n{e}"));
    assert!(!files.is_empty(), "{name} wrote no file");
    let failures: Vec<String> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "dat"))
        .filter_map(|f| compare_dat(f).err())
        .collect();
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

#[test]
fn ex0_iaf() {
    check_example("LEMS_NML2_Ex0_IaF.xml");
}

#[test]
fn ex1_hh() {
    check_example("LEMS_NML2_Ex1_HH.xml");
}

#[test]
fn ex5_detailed_cell() {
    check_example("LEMS_NML2_Ex5_DetCell.xml");
}

#[test]
fn ex7_short_term_plasticity() {
    check_example("LEMS_NML2_Ex7_STP.xml");
}

#[test]
fn ex8_adex() {
    check_example("LEMS_NML2_Ex8_AdEx.xml");
}

#[test]
fn ex19_gap_junctions() {
    check_example("LEMS_NML2_Ex19_GapJunctions.xml");
}
