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
pub fn run_example(name: &str) -> Result<(PathBuf, Vec<PathBuf>), String> {
    run_example_with(name, false)
}

/// [`run_example`] with the kernels run by the interpreter, or compiled by LLVM (`native`).
pub fn run_example_with(name: &str, native: bool) -> Result<(PathBuf, Vec<PathBuf>), String> {
    let path = shared().join("neuroml2/LEMSexamples").join(name);
    let checked = check(&[path], &CheckOptions::default());
    if !checked.ok() {
        return Err(render(&checked.sources, &checked.diagnostics.list, false));
    }
    let model = checked.model.as_ref().expect("a checked model");
    let ir = checked.ir.as_ref().ok_or("no simulation to run")?;
    let out_dir = std::env::temp_dir().join(format!(
        "lemsc-smoke-{}-{}-{}",
        std::process::id(),
        name.trim_end_matches(".xml"),
        if native { "native" } else { "interpreted" }
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
    let report = if native {
        run_native(&program)?
    } else {
        let code = Interpreter::new(&program.kernels);
        run(&program, &code, RunOptions::default()).map_err(|e| e.to_string())?
    };
    Ok((out_dir, report.files))
}

#[cfg(feature = "native")]
fn run_native(
    program: &lemsc_runtime::program::Program,
) -> Result<lemsc_runtime::engine::RunReport, String> {
    let code = lemsc::back::native::compile_program(program).map_err(|d| d.message)?;
    run(program, &code, RunOptions::default()).map_err(|e| e.to_string())
}

#[cfg(not(feature = "native"))]
fn run_native(
    _program: &lemsc_runtime::program::Program,
) -> Result<lemsc_runtime::engine::RunReport, String> {
    Err("built without the native backend (--features lemsc/native)".to_string())
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

/// Spike files are compared whole: the same events at the same float32 times, in order.
pub fn compare_spikes(ours: &Path) -> Result<(), String> {
    let name = ours.file_name().unwrap().to_string_lossy().to_string();
    let reference = std::fs::read_to_string(shared().join("reference/jlems").join(&name))
        .map_err(|e| format!("{name}: no reference ({e})"))?;
    let ours_text = std::fs::read_to_string(ours).unwrap();
    match ours_text
        .lines()
        .zip(reference.lines())
        .position(|(a, b)| a != b)
    {
        Some(i) => Err(format!(
            "{name}: line {} is '{}' here, '{}' in jLEMS",
            i + 1,
            ours_text.lines().nth(i).unwrap_or(""),
            reference.lines().nth(i).unwrap_or("")
        )),
        None if ours_text.lines().count() != reference.lines().count() => Err(format!(
            "{name}: {} events here, {} in jLEMS",
            ours_text.lines().count(),
            reference.lines().count()
        )),
        None => Ok(()),
    }
}

/// Runs an example and compares every file it wrote with jLEMS's.
fn check_example(name: &str) {
    check_example_with(name, false);
}

fn check_example_with(name: &str, native: bool) {
    let (out_dir, files) =
        run_example_with(name, native).unwrap_or_else(|e| panic!("{name} did not run:\n{e}"));
    assert!(!files.is_empty(), "{name} wrote no file");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| match f.extension().and_then(|e| e.to_str()) {
            Some("spikes") => compare_spikes(f).err(),
            _ => compare_dat(f).err(),
        })
        .collect();
    let _ = std::fs::remove_dir_all(out_dir);
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

/// Examples jLEMS writes no file for (they only display) still build and run.
#[test]
fn examples_without_output_files_run() {
    for name in [
        "LEMS_NML2_Ex2_Izh.xml",
        "LEMS_NML2_Ex11_STDP.xml",
        "LEMS_NML2_Ex13_Instances.xml",
        "LEMS_NML2_Ex17_Tissue.xml",
    ] {
        let (out_dir, _) = run_example(name).unwrap_or_else(|e| panic!("{name} did not run:\n{e}"));
        let _ = std::fs::remove_dir_all(out_dir);
    }
}

/// Ex4's `gateKS` channels: every kinetic scheme keeps its occupancies a distribution.
#[test]
fn ex4_kinetic_scheme_occupancies_stay_a_distribution() {
    let path = shared().join("neuroml2/LEMSexamples/LEMS_NML2_Ex4_KS.xml");
    let checked = check(&[path], &CheckOptions::default());
    assert!(checked.ok());
    let opts = ProgramOptions {
        out_dir: std::env::temp_dir().join(format!("lemsc-smoke-{}-ks", std::process::id())),
        seed: None,
    };
    let program = build_program(
        checked.model.as_ref().unwrap(),
        checked.ir.as_ref().unwrap(),
        &opts,
    )
    .unwrap_or_else(|d| panic!("{}", render(&checked.sources, &d, false)));
    let schemes: Vec<_> = program
        .step_order
        .iter()
        .filter_map(|op| match op {
            lemsc_runtime::program::Op::KineticScheme(ks) => Some(ks.clone()),
            _ => None,
        })
        .collect();
    assert!(!schemes.is_empty(), "no kinetic scheme in Ex4");
    let code = Interpreter::new(&program.kernels);
    let report = run(&program, &code, RunOptions::default()).unwrap();
    for ks in &schemes {
        assert!(ks.states.len() >= 2 && !ks.edges.is_empty());
        let p: Vec<f64> = ks
            .states
            .iter()
            .map(|&s| report.final_vars[s as usize])
            .collect();
        let total: f64 = p.iter().sum();
        assert!((total - 1.0).abs() < 1e-9, "occupancies {p:?}");
        assert!(
            p.iter().all(|&x| (0.0..=1.0).contains(&x)),
            "occupancies {p:?}"
        );
        // The scheme moved away from its start (all in the first state).
        assert!(p[0] < 1.0 - 1e-6, "occupancies {p:?}");
    }
    let _ = std::fs::remove_dir_all(&opts.out_dir);
}

/// Per example, a module with the interpreted run and (with `--features lemsc/native`) the
/// run compiled by LLVM.
macro_rules! matches_jlems {
    ($($test:ident: $file:literal,)*) => {$(
        mod $test {
            #[test]
            fn interpreted() {
                super::check_example($file);
            }

            #[cfg(feature = "native")]
            #[test]
            fn native() {
                super::check_example_with($file, true);
            }
        }
    )*};
}

matches_jlems! {
    ex0_iaf: "LEMS_NML2_Ex0_IaF.xml",
    ex1_hh: "LEMS_NML2_Ex1_HH.xml",
    ex3_network: "LEMS_NML2_Ex3_Net.xml",
    ex5_detailed_cell: "LEMS_NML2_Ex5_DetCell.xml",
    ex6_nmda: "LEMS_NML2_Ex6_NMDA.xml",
    ex7_short_term_plasticity: "LEMS_NML2_Ex7_STP.xml",
    ex8_adex: "LEMS_NML2_Ex8_AdEx.xml",
    ex9_fitzhugh_nagumo: "LEMS_NML2_Ex9_FN.xml",
    ex10_q10: "LEMS_NML2_Ex10_Q10.xml",
    ex12_network: "LEMS_NML2_Ex12_Net2.xml",
    ex14_pynn_with_default_seed: "LEMS_NML2_Ex14_PyNN.xml",
    ex15_calcium_dynamics: "LEMS_NML2_Ex15_CaDynamics.xml",
    ex16_inputs_with_random_draws: "LEMS_NML2_Ex16_Inputs.xml",
    ex18_ghk: "LEMS_NML2_Ex18_GHK.xml",
    ex19_gap_junctions: "LEMS_NML2_Ex19_GapJunctions.xml",
    ex19a_gap_junction_instances: "LEMS_NML2_Ex19a_GapJunctionInstances.xml",
    ex20_analog_synapses: "LEMS_NML2_Ex20_AnalogSynapses.xml",
    ex20a_analog_synapses_hh: "LEMS_NML2_Ex20a_AnalogSynapsesHH.xml",
    ex21_current_based_synapses: "LEMS_NML2_Ex21_CurrentBasedSynapses.xml",
    ex22_pinsky_rinzel: "LEMS_NML2_Ex22_PinskyRinzelCA3.xml",
    ex23_poisson_spike_times: "LEMS_NML2_Ex23_Spiketimes.xml",
    ex24_fractional_conductance: "LEMS_NML2_Ex24_FractionalConductance.xml",
    ex26_weights: "LEMS_NML2_Ex26_Weights.xml",
    ex27_multi_synapses: "LEMS_NML2_Ex27_MultiSynapses.xml",
}
