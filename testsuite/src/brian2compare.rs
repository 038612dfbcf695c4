//! Brian2 outputs against the native target's, shared by the Brian2 tests (`tests/brian2.rs`
//! on the LEMS examples, `tests/brian2_realworld.rs` on the real-world corpus).
//!
//! A value column agrees when `max |brian2 - native| <= REL_TOL · size`, its size being the
//! native column's range or its largest magnitude. The script reproduces jLEMS's step (most
//! files come out byte for byte identical); the tolerance covers the order of additions Brian2
//! chooses (sympy reorders sums) and sums taken over synapses in another order. Columns that
//! random inputs drive are compared by spike count. Event files must hold the same events.
//!
//! Both tests run their models the same way ([`run_all`]: native, then the Brian2 script, two
//! models at a time) and check refusals the same way ([`assert_refused_at_model_text`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use lemsc::back::brian2::run::find_python;
use lemsc::back::brian2::{export_file, script_file_name, Brian2Options};
use lemsc::simulate::SimError;

use crate::nrncompare::{compare_spike_counts_loosely, read_dat};
use crate::runs::{first_error, fresh_root, run_natively, status, two_at_a_time};
use crate::simulators::in_ci;

/// A value column agrees when `max |brian2 - native| <= REL_TOL · size`.
pub const REL_TOL: f64 = 1e-4;

/// Which output columns random inputs drive (numbered from 1 after the time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Random<'a> {
    None,
    Columns(&'a [usize]),
    /// Every column and every event file.
    All,
}

impl Random<'_> {
    /// What random inputs drive in the model called `name`, by a table of names.
    pub fn of<'a>(table: &[(&str, Random<'a>)], name: &str) -> Random<'a> {
        table
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(Random::None, |(_, r)| *r)
    }

    fn drives(self, column: usize) -> bool {
        match self {
            Random::None => false,
            Random::Columns(columns) => columns.contains(&column),
            Random::All => true,
        }
    }
}

/// True (after saying so) when no Python imports brian2; panics instead under CI.
pub fn skipped_without_brian2(test: &str) -> bool {
    match find_python() {
        Ok(_) => false,
        Err(why) if in_ci() => panic!("{test}: {why}; under CI this is a failure, not a skip"),
        Err(why) => {
            println!("SKIPPED {test}: {why}");
            true
        }
    }
}

/// Upward crossings of 0 (membrane potentials in volts: spikes).
pub fn spike_count(values: &[f64]) -> usize {
    values
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count()
}

/// The failures of one `.dat` file written by both targets.
pub fn compare_dat(native: &Path, brian2: &Path, random: Random) -> Vec<String> {
    let (a, b) = match (read_dat(native), read_dat(brian2)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return vec![e],
    };
    if a.times != b.times {
        return vec![format!(
            "{} rows or times differ ({} and {} rows)",
            brian2.display(),
            a.times.len(),
            b.times.len()
        )];
    }
    if a.columns.len() != b.columns.len() {
        return vec![format!("{}: column counts differ", brian2.display())];
    }
    let mut failures = Vec::new();
    for (k, (x, y)) in a.columns.iter().zip(&b.columns).enumerate() {
        let column = k + 1;
        if random.drives(column) {
            if let Err(why) = compare_spike_counts_loosely(spike_count(x), spike_count(y)) {
                failures.push(format!("{} column {column}: {why}", brian2.display()));
            }
            continue;
        }
        if let Some(why) = compare_column(x, y) {
            failures.push(format!("{} column {column}: {why}", brian2.display()));
        }
    }
    failures
}

/// Why `brian2` differs from `native` beyond [`REL_TOL`] of the native column's size.
fn compare_column(native: &[f64], brian2: &[f64]) -> Option<String> {
    let (lo, hi) = native
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let size = (hi - lo).max(native.iter().fold(0.0f64, |m, v| m.max(v.abs())));
    let (worst, at) = native
        .iter()
        .zip(brian2)
        .enumerate()
        .map(|(i, (p, q))| ((p - q).abs(), i))
        .fold((0.0f64, 0), |best, d| {
            if d.0 > best.0 || d.0.is_nan() {
                d
            } else {
                best
            }
        });
    (!(worst <= REL_TOL * size)).then(|| {
        format!(
            "differs by {worst:e} at row {at} (allowed {:e})",
            REL_TOL * size
        )
    })
}

/// Event lines (`time id` or `id time`) as sorted texts.
fn events(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    Ok(lines)
}

/// The failures of one event file written by both targets: the same events, or (random
/// inputs) about as many.
pub fn compare_event_file(native: &Path, brian2: &Path, random: Random) -> Vec<String> {
    let (a, b) = match (events(native), events(brian2)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return vec![e],
    };
    if random == Random::All {
        return compare_spike_counts_loosely(a.len(), b.len())
            .err()
            .map(|why| format!("{}: {why}", brian2.display()))
            .into_iter()
            .collect();
    }
    if a == b {
        return Vec::new();
    }
    vec![format!(
        "{}: {} events, {} native, or different times",
        brian2.display(),
        b.len(),
        a.len()
    )]
}

/// The failures of every output file of a native run (`outputs`, under `native_dir`) against
/// the same files under `brian2_dir`.
pub fn compare_outputs(
    outputs: &[PathBuf],
    native_dir: &Path,
    brian2_dir: &Path,
    random: Random,
) -> Vec<String> {
    let mut failures = Vec::new();
    for native in outputs {
        let relative = native.strip_prefix(native_dir).unwrap_or(native);
        let ours = brian2_dir.join(relative);
        if !ours.is_file() {
            failures.push(format!("{} was not written", ours.display()));
            continue;
        }
        // OutputFiles are `.dat`; everything else is an event file.
        if native.extension().is_some_and(|e| e == "dat") {
            failures.extend(compare_dat(native, &ours, random));
        } else {
            failures.extend(compare_event_file(native, &ours, random));
        }
    }
    failures
}

/// One model run on the native target and through its Brian2 script, each into its own folder.
pub struct Brian2Run {
    pub file: PathBuf,
    pub native_dir: PathBuf,
    pub brian2_dir: PathBuf,
    /// The native run's output files, or why a run failed.
    pub result: Result<Vec<PathBuf>, String>,
    pub seconds: f64,
}

/// Runs `file` natively into `root/native/<folder>`, then its Brian2 script (built and run)
/// into `root/brian2/<folder>`.
pub fn run_both(file: &Path, root: &Path, folder: &str) -> Brian2Run {
    let native_dir = root.join("native").join(folder);
    let brian2_dir = root.join("brian2").join(folder);
    let brian2 = Brian2Options {
        out_dir: Some(brian2_dir.clone()),
        run: true,
        ..Brian2Options::default()
    };
    let started = Instant::now();
    let result = run_natively(file, &native_dir)
        .map_err(|why| format!("the native run failed: {why}"))
        .map(|outcome| outcome.outputs)
        .and_then(|outputs| match export_file(file, &brian2) {
            Ok(outcome) if outcome.status == Some(0) => Ok(outputs),
            Ok(outcome) => Err(format!(
                "the script {} exited with status {:?}",
                outcome.script.display(),
                outcome.status
            )),
            Err(e) => Err(first_error(&e)),
        });
    Brian2Run {
        file: file.to_path_buf(),
        native_dir,
        brian2_dir,
        result,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// Every file through [`run_both`] under a fresh `root`, two at a time, in the files' order,
/// with a status line each (`label` names a file). Builds are cached in
/// `$LEMSC_BRIAN2_CACHE`, `target/brian2-cache` when unset (`root` is a folder of
/// `target/tmp`).
pub fn run_all(
    files: &[PathBuf],
    root: &Path,
    folder: impl Fn(&Path) -> String + Sync,
    label: impl Fn(&Path) -> String,
) -> Vec<Brian2Run> {
    if std::env::var_os("LEMSC_BRIAN2_CACHE").is_none() {
        // `root` is in the tests' temporary folder, `target/tmp`.
        let cache = root.join("../../brian2-cache");
        std::env::set_var("LEMSC_BRIAN2_CACHE", cache);
    }
    fresh_root(root);
    let started = Instant::now();
    let runs = two_at_a_time(files, |file| run_both(file, root, &folder(file)));
    for run in &runs {
        let status = status(&run.result);
        println!(
            "brian2 {:<60} {:>7.2} s  {status}",
            label(&run.file),
            run.seconds
        );
    }
    println!(
        "{} models in {:.1} s",
        runs.len(),
        started.elapsed().as_secs_f64()
    );
    runs
}

/// The failures of every run (a failed run, or an output file that disagrees) and how many
/// output files were compared; `label` names a run, `random` says what random inputs drive.
pub fn compare_runs(
    runs: &[Brian2Run],
    label: impl Fn(&Path) -> String,
    random: impl Fn(&Path) -> Random<'static>,
) -> (Vec<String>, usize) {
    let mut failures = Vec::new();
    let mut total = 0;
    for run in runs {
        let name = label(&run.file);
        let outputs = match &run.result {
            Ok(outputs) => outputs,
            Err(why) => {
                failures.push(format!("{name}: {why}"));
                continue;
            }
        };
        total += outputs.len();
        let found = compare_outputs(outputs, &run.native_dir, &run.brian2_dir, random(&run.file));
        failures.extend(found.into_iter().map(|f| format!("{name}: {f}")));
    }
    println!("{total} output files compared (value columns within {REL_TOL:e} of their size)");
    (failures, total)
}

/// Asserts that exporting `file` into `out` fails with an error located in the model text
/// (file:line:column) that says `words`, and writes no script.
pub fn assert_refused_at_model_text(name: &str, file: &Path, out: &Path, words: &str) {
    let opts = Brian2Options {
        out_dir: Some(out.to_path_buf()),
        ..Brian2Options::default()
    };
    let Err(SimError::Model {
        sources,
        diagnostics,
    }) = export_file(file, &opts)
    else {
        panic!("{name}: expected a located model error");
    };
    let error = diagnostics
        .iter()
        .find(|d| d.is_error())
        .unwrap_or_else(|| panic!("{name}: no error among the diagnostics"));
    let text = lemsc::diag::render(&sources, std::slice::from_ref(error), false);
    assert!(text.contains(words), "{name}: {text}");
    let located = text
        .lines()
        .any(|l| l.contains(".xml:") || l.contains(".nml:"));
    assert!(located, "{name}: the error is not located:\n{text}");
    let stem = file.file_stem().unwrap().to_string_lossy();
    assert!(
        !out.join(script_file_name(&stem)).exists(),
        "{name}: a script was written although the model was refused"
    );
}
