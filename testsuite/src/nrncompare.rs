//! Judging the NEURON target's output files: OMV observables with a tolerance of 0 read as
//! "within one simulation step", and NEURON's files compared with the native target's.
//!
//! Bounds used when comparing two runs of the same model (NEURON against native):
//!
//! - **Spiking columns** (an OMV observable watches the column, or the trace has resets, or it
//!   is a membrane potential `v` that crosses OMV's default threshold of 0): the same number of
//!   spikes, and spike `k` of each run within `max(step, rel · t)` of the other, where `rel` is
//!   the tolerance the example's jNeuroML-engine `.omt` gives that column (what OMV already
//!   accepts between jLEMS and NEURON), or the largest of that file's tolerances when no
//!   observable reads the column, or 0.
//! - **Other columns**: `max |a − b| <= 1e-3 · (max − min of the native column)` plus
//!   `1e-6 · max |native|` (files hold float32 text), over the sample times both files have,
//!   leaving out windows around every spike of the example (`max(step, rel · t)` plus
//!   [`WINDOW_STEPS`] steps each side) and around every steep native sample (a one-step change
//!   above [`STEEP_FRACTION`] of the range, such as a synaptic jump).
//! - **Random columns** (driven by random inputs, whose streams differ between the targets):
//!   only spike counts, within `3·√(a + b) + 2` of each other ([`loose_count_bound`]).

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::omv::{
    compare, detect_spikes, evaluate, read_spike_file, CellSelection, Detection, FailReason, Mep,
    ObservableResult, Omt, SpikeFile, SpikeFormat, SpikeSource, Values, Verdict, ALLCLOSE_ATOL,
};

/// Relative bound on a continuous column, as a fraction of the native column's size: its
/// range, or its largest magnitude when that is larger (a membrane potential that stays near
/// rest has a tiny range but is still compared at 1e-3 of ~65 mV).
pub const CONTINUOUS_REL_TOL: f64 = 1e-3;
/// Extra relative slack for values printed as float32 text.
pub const FLOAT32_REL_SLACK: f64 = 1e-6;
/// Steps left out on each side of a spike or a steep sample in continuous comparisons.
pub const WINDOW_STEPS: f64 = 5.0;
/// A one-step change above this fraction of a column's range makes the sample steep.
pub const STEEP_FRACTION: f64 = 0.02;
/// A one-step change above this fraction of a column's range is a reset (or a jump in), which
/// makes the column a spiking one.
pub const RESET_FRACTION: f64 = 0.25;

/// `path` with `.` and `..` removed lexically (the files need not exist).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A copy of `omt` whose data files are read under `out_dir`, the folder a target wrote its
/// outputs to in place of the LEMS file's folder (`../results/x.dat` next to `test/` becomes
/// `out_dir/results/x.dat`; `x.dat` next to a `morphologies/` LEMS file becomes `out_dir/x.dat`).
pub fn relocate_outputs(omt: &Omt, out_dir: &Path) -> Omt {
    let lems_dir = normalize(&omt.folder().join(&omt.target))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut moved = omt.clone();
    for experiment in &mut moved.experiments {
        for observable in &mut experiment.observables {
            let path = match &mut observable.source {
                SpikeSource::Trace(trace) => &mut trace.path,
                SpikeSource::SpikeFile(file) => &mut file.path,
            };
            let written = normalize(&omt.folder().join(&*path));
            let relative = written.strip_prefix(&lems_dir).unwrap_or(&written);
            *path = out_dir.join(relative).to_string_lossy().into_owned();
        }
    }
    moved
}

/// The factor from seconds to an observable's time unit (`scaling` of its time column).
pub fn time_scaling(source: &SpikeSource) -> f64 {
    match source {
        SpikeSource::Trace(trace) => trace.scaling[0],
        SpikeSource::SpikeFile(file) => file.scaling,
    }
}

/// OMV's judgement, except that a tolerance of 0 means: spike times in the same number,
/// each within one `step` (in the observable's time unit) of the expected; a spike rate
/// within `2 · step · rate` relative (moving the first and last spike by a step each).
pub fn judge_within_step(
    observed: &Values,
    expected: &Values,
    tolerance: f64,
    step: f64,
) -> Verdict {
    if tolerance != 0.0 {
        return compare(observed, expected, tolerance);
    }
    match (observed, expected) {
        (Values::SpikeTimes(obs), Values::SpikeTimes(exp)) => {
            if obs.len() != exp.len() {
                return Verdict::Fail(FailReason::CountMismatch {
                    observed: obs.len(),
                    expected: exp.len(),
                });
            }
            let allowed = step * (1.0 + 1e-9) + ALLCLOSE_ATOL;
            for (index, (&o, &e)) in obs.iter().zip(exp).enumerate() {
                if (o - e).abs() > allowed || o.is_nan() {
                    return Verdict::Fail(FailReason::OutsideTolerance {
                        index,
                        observed: o,
                        expected: e,
                        allowed,
                    });
                }
            }
            Verdict::Pass
        }
        (Values::SpikeRate(_), Values::SpikeRate(rate)) => {
            compare(observed, expected, 2.0 * step * rate.abs())
        }
        _ => compare(observed, expected, tolerance),
    }
}

/// Every observable of `omt` on the files under `out_dir` (the folder that stands for the
/// LEMS file's), judged by [`judge_within_step`] with the simulation step `step_s` (seconds).
pub fn evaluate_within_step(
    omt: &Omt,
    mep: &Mep,
    out_dir: &Path,
    step_s: f64,
) -> Vec<ObservableResult> {
    let moved = relocate_outputs(omt, out_dir);
    let observables = moved.experiments.iter().flat_map(|e| &e.observables);
    let mut results = evaluate(&moved, mep, out_dir);
    for (result, observable) in results.iter_mut().zip(observables) {
        if let (Some(obs), Some(exp)) = (&result.observed, &result.expected) {
            let step = step_s * time_scaling(&observable.source);
            result.verdict = judge_within_step(obs, exp, result.tolerance, step);
        }
    }
    results
}

/// A time series file: the time column, then every value column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatFile {
    pub times: Vec<f64>,
    pub columns: Vec<Vec<f64>>,
}

/// Reads a whitespace-separated time series file (time, then one value per column).
pub fn read_dat(path: &Path) -> Result<DatFile, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_dat(&text).map_err(|why| format!("{}:{why}", path.display()))
}

/// [`read_dat`] on text; errors start with the 1-based line number.
pub fn parse_dat(text: &str) -> Result<DatFile, String> {
    let mut dat = DatFile::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split_whitespace().map(|f| {
            f.parse::<f64>()
                .map_err(|_| format!("{}: expected a number, found `{f}`", index + 1))
        });
        let time = fields.next().expect("a non-blank line has a field")?;
        let values = fields.collect::<Result<Vec<f64>, String>>()?;
        if dat.times.is_empty() {
            dat.columns = vec![Vec::new(); values.len()];
        } else if values.len() != dat.columns.len() {
            return Err(format!(
                "{}: expected {} values after the time, found {}",
                index + 1,
                dat.columns.len(),
                values.len()
            ));
        }
        dat.times.push(time);
        for (column, value) in dat.columns.iter_mut().zip(values) {
            column.push(value);
        }
    }
    Ok(dat)
}

/// `max - min` of `values` (0 for none).
pub fn range_of(values: &[f64]) -> f64 {
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if lo.is_finite() && hi.is_finite() {
        hi - lo
    } else {
        0.0
    }
}

/// Indices `i` where `|values[i] - values[i-1]|` exceeds `fraction` of the range.
pub fn jumps(values: &[f64], fraction: f64) -> Vec<usize> {
    let limit = fraction * range_of(values);
    if limit <= 0.0 {
        return Vec::new();
    }
    (1..values.len())
        .filter(|&i| (values[i] - values[i - 1]).abs() > limit)
        .collect()
}

/// Where the spikes of a column are, or `None` for a continuous column: with `detection`
/// (an OMV observable watches the column, in the file's own units) OMV's detection; else its
/// resets (one-step changes above [`RESET_FRACTION`] of the range in the `native` trace are
/// looked for, and the same rule is applied to each trace); else, for a membrane potential,
/// crossings of OMV's default threshold 0 when the native trace has any.
pub fn spike_detector(
    native: &[f64],
    detection: Option<Detection>,
    is_membrane_potential: bool,
) -> Option<SpikeDetector> {
    if let Some(detection) = detection {
        return Some(SpikeDetector::Omv(detection));
    }
    if !jumps(native, RESET_FRACTION).is_empty() {
        return Some(SpikeDetector::Resets);
    }
    let zero = Detection::Threshold(0.0);
    if is_membrane_potential && !detect_spikes(native, zero).is_empty() {
        return Some(SpikeDetector::Omv(zero));
    }
    None
}

/// How spikes are found in a spiking column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SpikeDetector {
    Omv(Detection),
    /// One-step changes above [`RESET_FRACTION`] of the trace's range.
    Resets,
}

impl SpikeDetector {
    /// The times of the spikes in a trace.
    pub fn spike_times(&self, times: &[f64], values: &[f64]) -> Vec<f64> {
        let indices = match self {
            SpikeDetector::Omv(detection) => detect_spikes(values, *detection),
            SpikeDetector::Resets => jumps(values, RESET_FRACTION),
        };
        indices.into_iter().map(|i| times[i]).collect()
    }
}

/// How far a NEURON and a native spike time at about `t` may be apart: `step + rel · t`,
/// with a relative slack of 1e-6 for times read back from float32 text. The bound is the
/// triangle inequality through the reference values: NEURON's time is within one step of the
/// `.mep` value (the NEURON test files' rule) and jLEMS's, which the native target reproduces,
/// within `rel · t` of it (the jNeuroML test files' tolerance, which OMV applies relative to
/// the expected time).
pub fn spike_time_allowance(t: f64, step: f64, rel: f64) -> f64 {
    (step + rel * t.abs()) * (1.0 + 1e-6)
}

/// The same number of spikes, and each pair within [`spike_time_allowance`].
pub fn compare_spike_times(
    native: &[f64],
    neuron: &[f64],
    step: f64,
    rel: f64,
) -> Result<(), String> {
    if native.len() != neuron.len() {
        return Err(format!(
            "{} spikes with NEURON, {} native; first times {} and {}",
            neuron.len(),
            native.len(),
            first_few(neuron),
            first_few(native)
        ));
    }
    for (index, (&a, &b)) in native.iter().zip(neuron).enumerate() {
        // OMV scales by the expected (NEURON reference) time; the later of the two is safe.
        let allowed = spike_time_allowance(a.abs().max(b.abs()), step, rel);
        if (a - b).abs() > allowed || b.is_nan() {
            return Err(format!(
                "spike {index}: {b} s with NEURON, {a} s native; off by {:e} s, allowed {allowed:e}",
                (a - b).abs()
            ));
        }
    }
    Ok(())
}

/// The loose bound on the difference of two spike counts driven by different random
/// streams: three standard deviations of the difference of two Poisson counts, plus 2.
pub fn loose_count_bound(native: usize, neuron: usize) -> f64 {
    3.0 * ((native + neuron) as f64).sqrt() + 2.0
}

/// Spike counts of a randomly driven column within [`loose_count_bound`].
pub fn compare_spike_counts_loosely(native: usize, neuron: usize) -> Result<(), String> {
    let bound = loose_count_bound(native, neuron);
    if (native as f64 - neuron as f64).abs() > bound {
        return Err(format!(
            "{neuron} spikes with NEURON, {native} native; allowed a difference of {bound:.1}"
        ));
    }
    Ok(())
}

/// Time intervals left out of a continuous comparison.
#[derive(Clone, Debug, Default)]
pub struct Exclusions {
    intervals: Vec<(f64, f64)>,
}

impl Exclusions {
    /// Leaves out `[t - half_width, t + half_width]`.
    pub fn add(&mut self, t: f64, half_width: f64) {
        self.intervals.push((t - half_width, t + half_width));
    }

    /// Leaves out everything from `t` on.
    pub fn add_from(&mut self, t: f64) {
        self.intervals.push((t, f64::INFINITY));
    }

    /// Leaves out the window around a spike at `t`: its allowance plus [`WINDOW_STEPS`] steps.
    pub fn add_spike(&mut self, t: f64, step: f64, rel: f64) {
        self.add(t, spike_time_allowance(t, step, rel) + WINDOW_STEPS * step);
    }

    pub fn contains(&self, t: f64) -> bool {
        self.intervals.iter().any(|&(lo, hi)| t >= lo && t <= hi)
    }
}

/// A passed continuous comparison: samples compared and the largest difference found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContinuousAgreement {
    pub compared: usize,
    pub max_difference: f64,
    pub allowed: f64,
}

/// Compares two traces sampled at (mostly) the same times: samples whose times agree within
/// half a step and are not `excluded`, and the native trace's steep samples are left out too.
/// Passes when `max |a - b|` is within [`CONTINUOUS_REL_TOL`] of the native range (plus
/// float32 slack).
pub fn compare_continuous(
    native: (&[f64], &[f64]),
    neuron: (&[f64], &[f64]),
    step: f64,
    excluded: &Exclusions,
) -> Result<ContinuousAgreement, String> {
    let (native_t, native_v) = native;
    let (neuron_t, neuron_v) = neuron;
    let mut excluded = excluded.clone();
    for i in jumps(native_v, STEEP_FRACTION) {
        excluded.add(native_t[i], WINDOW_STEPS * step);
    }
    let scale = native_v.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let allowed = CONTINUOUS_REL_TOL * range_of(native_v).max(scale) + FLOAT32_REL_SLACK * scale;
    let (mut i, mut j) = (0, 0);
    let mut compared = 0;
    let mut worst: Option<(f64, f64, f64, f64)> = None; // (difference, t, native, neuron)
    while i < native_t.len() && j < neuron_t.len() {
        let (a, b) = (native_t[i], neuron_t[j]);
        if (a - b).abs() <= 0.5 * step {
            if !excluded.contains(a) {
                compared += 1;
                let difference = (native_v[i] - neuron_v[j]).abs();
                let difference = if difference.is_nan() {
                    f64::INFINITY
                } else {
                    difference
                };
                if worst.is_none_or(|w| difference > w.0) {
                    worst = Some((difference, a, native_v[i], neuron_v[j]));
                }
            }
            i += 1;
            j += 1;
        } else if a < b {
            i += 1;
        } else {
            j += 1;
        }
    }
    if compared == 0 {
        return Err(format!(
            "no sample to compare ({} native rows, {} NEURON rows)",
            native_t.len(),
            neuron_t.len()
        ));
    }
    let (max_difference, t, a, b) = worst.expect("a compared sample");
    if max_difference > allowed {
        return Err(format!(
            "at t = {t} s: {b} with NEURON, {a} native; off by {max_difference:e}, allowed \
             {allowed:e} ({compared} samples compared)"
        ));
    }
    Ok(ContinuousAgreement {
        compared,
        max_difference,
        allowed,
    })
}

/// Up to five values, for failure lines.
fn first_few(values: &[f64]) -> String {
    let shown: Vec<String> = values.iter().take(5).map(|v| format!("{v}")).collect();
    let more = if values.len() > 5 { ", ..." } else { "" };
    format!("[{}{more}]", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::omv::{Observable, ObservableKind, OmtExperiment, TraceFile};
    use lemsc::diag::{FileId, Span};

    /// A sawtooth between -70 and -50 with a reset every `period` samples, sampled at `step`,
    /// shifted by `shift` samples.
    fn sawtooth(n: usize, period: usize, shift: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let phase = (i + period - shift % period) % period;
                -70.0 + 20.0 * phase as f64 / period as f64
            })
            .collect()
    }

    fn times(n: usize, step: f64) -> Vec<f64> {
        (0..n).map(|i| i as f64 * step).collect()
    }

    #[test]
    fn normalize_removes_dot_and_dot_dot() {
        assert_eq!(
            normalize(Path::new("/a/test/./../results/x.dat")),
            PathBuf::from("/a/results/x.dat")
        );
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }

    fn omt_reading(folder: &str, target: &str, path: &str) -> Omt {
        let trace = TraceFile {
            path: path.into(),
            columns: [0, 1],
            header: 0,
            scaling: [1000.0, 1000.0],
            detection: Detection::Threshold(0.0),
        };
        Omt {
            path: PathBuf::from(folder).join(".test.x.omt"),
            target: target.into(),
            engine: "jNeuroML_NEURON".into(),
            mep: Some(".test.x.mep".into()),
            experiments: vec![OmtExperiment {
                name: "v".into(),
                span: Span::new(FileId(0), 0, 0),
                observables: vec![Observable {
                    kind: ObservableKind::SpikeTimes,
                    source: SpikeSource::Trace(trace),
                    tolerance: 0.0,
                    span: Span::new(FileId(0), 0, 0),
                }],
            }],
        }
    }

    fn first_path(omt: &Omt) -> String {
        omt.experiments[0].observables[0].source.path().to_string()
    }

    #[test]
    fn outputs_are_relocated_relative_to_the_lems_file_folder() {
        let omt = omt_reading("/ex/test", "../LEMS_x.xml", "../results/x.dat");
        let moved = relocate_outputs(&omt, Path::new("/tmp/out"));
        assert_eq!(first_path(&moved), "/tmp/out/results/x.dat");
        // Beside the LEMS file, as in morphologies/.
        let omt = omt_reading("/ex/morph", "LEMS_m.xml", "soma_0.dat");
        let moved = relocate_outputs(&omt, Path::new("/tmp/m"));
        assert_eq!(first_path(&moved), "/tmp/m/soma_0.dat");
    }

    #[test]
    fn zero_tolerance_spike_times_pass_within_one_step() {
        let expected = Values::SpikeTimes(vec![10.0, 20.0]);
        let within = Values::SpikeTimes(vec![10.01, 19.99]);
        let outside = Values::SpikeTimes(vec![10.0, 20.02]);
        assert_eq!(
            judge_within_step(&within, &expected, 0.0, 0.01),
            Verdict::Pass
        );
        assert!(matches!(
            judge_within_step(&outside, &expected, 0.0, 0.01),
            Verdict::Fail(FailReason::OutsideTolerance { index: 1, .. })
        ));
        let fewer = Values::SpikeTimes(vec![10.0]);
        assert!(matches!(
            judge_within_step(&fewer, &expected, 0.0, 0.01),
            Verdict::Fail(FailReason::CountMismatch {
                observed: 1,
                expected: 2
            })
        ));
    }

    #[test]
    fn a_nonzero_tolerance_keeps_omvs_relative_rule() {
        let expected = Values::SpikeTimes(vec![100.0]);
        let observed = Values::SpikeTimes(vec![100.05]);
        // One step would not allow 0.05, rtol 1e-3 of 100 does.
        assert_eq!(
            judge_within_step(&observed, &expected, 1e-3, 0.01),
            Verdict::Pass
        );
    }

    #[test]
    fn zero_tolerance_rates_allow_a_step_at_each_end() {
        // 5 spikes every 0.075 s: 13.33 Hz; a step of 1e-4 s moves it by at most 0.27 %.
        let expected = Values::SpikeRate(13.333333333333332);
        let close = Values::SpikeRate(4.0 / (0.3 + 2e-4));
        let far = Values::SpikeRate(4.0 / 0.31);
        assert_eq!(
            judge_within_step(&close, &expected, 0.0, 1e-4),
            Verdict::Pass
        );
        assert_ne!(judge_within_step(&far, &expected, 0.0, 1e-4), Verdict::Pass);
    }

    #[test]
    fn dat_text_is_read_by_columns() {
        let dat = parse_dat("0\t1\t2\t\n1e-5\t3\t4\t\n\n").unwrap();
        assert_eq!(dat.times, vec![0.0, 1e-5]);
        assert_eq!(dat.columns, vec![vec![1.0, 3.0], vec![2.0, 4.0]]);
        let err = parse_dat("0 1 2\n1 3\n").unwrap_err();
        assert!(err.starts_with("2: expected 2 values"), "{err}");
        assert!(parse_dat("0 x\n").unwrap_err().contains("`x`"));
    }

    #[test]
    fn resets_make_a_column_spiking_and_mark_its_spikes() {
        let v = sawtooth(100, 20, 0);
        let t = times(100, 1e-4);
        let detector = spike_detector(&v, None, true).expect("a spiking column");
        assert_eq!(detector, SpikeDetector::Resets);
        assert_eq!(detector.spike_times(&t, &v).len(), 4);
    }

    #[test]
    fn a_membrane_potential_crossing_zero_is_spiking_and_a_smooth_current_is_not() {
        let n = 1000;
        let spiky: Vec<f64> = (0..n)
            .map(|i| -0.07 + 0.11 * (-(((i % 250) as f64 - 125.0) / 10.0).powi(2)).exp())
            .collect();
        let detector = spike_detector(&spiky, None, true).unwrap();
        assert_eq!(detector, SpikeDetector::Omv(Detection::Threshold(0.0)));
        assert_eq!(detector.spike_times(&times(n, 1.0), &spiky).len(), 4);
        let sine: Vec<f64> = (0..n).map(|i| (i as f64 / 100.0).sin()).collect();
        assert_eq!(spike_detector(&sine, None, false), None);
        // An observable's detection wins.
        let watched = spike_detector(&sine, Some(Detection::Threshold(0.5)), false);
        assert_eq!(watched, Some(SpikeDetector::Omv(Detection::Threshold(0.5))));
    }

    #[test]
    fn spike_times_agree_within_a_step_or_the_relative_tolerance() {
        let native = [0.010, 0.100];
        assert!(compare_spike_times(&native, &[0.01001, 0.09999], 1e-5, 0.0).is_ok());
        assert!(compare_spike_times(&native, &[0.01, 0.10003], 1e-5, 0.0).is_err());
        // rel 1e-3 at 0.1 s allows 1e-4 s.
        assert!(compare_spike_times(&native, &[0.01, 0.10009], 1e-5, 1e-3).is_ok());
        // Scaled by the later time: 1e-3 · 0.1001 covers a difference of 1e-4.
        assert!(compare_spike_times(&native, &[0.01, 0.1001], 1e-5, 1e-3).is_ok());
        assert!(compare_spike_times(&native, &[0.01, 0.1002], 1e-5, 1e-3).is_err());
        let err = compare_spike_times(&native, &[0.01], 1e-5, 1e-3).unwrap_err();
        assert!(err.starts_with("1 spikes with NEURON, 2 native"), "{err}");
    }

    #[test]
    fn random_counts_pass_within_the_loose_bound() {
        assert!(compare_spike_counts_loosely(100, 110).is_ok());
        assert!(compare_spike_counts_loosely(100, 160).is_err());
        assert!(compare_spike_counts_loosely(0, 2).is_ok());
        assert!(compare_spike_counts_loosely(0, 20).is_err());
    }

    #[test]
    fn continuous_traces_agree_within_a_thousandth_of_the_range() {
        let n = 500;
        let t = times(n, 1e-4);
        let a: Vec<f64> = t.iter().map(|&x| (x * 100.0).sin()).collect();
        let close: Vec<f64> = a.iter().map(|v| v + 1e-3).collect();
        let far: Vec<f64> = a.iter().map(|v| v + 3e-3).collect();
        let none = Exclusions::default();
        let ok = compare_continuous((&t, &a), (&t, &close), 1e-4, &none).unwrap();
        assert_eq!(ok.compared, n);
        let err = compare_continuous((&t, &a), (&t, &far), 1e-4, &none).unwrap_err();
        assert!(err.contains("allowed"), "{err}");
    }

    #[test]
    fn continuous_comparison_leaves_out_spike_windows_and_unmatched_rows() {
        let n = 200;
        let t = times(n, 1e-4);
        let a: Vec<f64> = t.iter().map(|&x| x * 10.0).collect();
        let mut b = a.clone();
        b[100] += 1.0; // a spike-sized difference at one sample
        let mut spikes = Exclusions::default();
        spikes.add_spike(t[100], 1e-4, 0.0);
        let ok = compare_continuous((&t, &a), (&t, &b), 1e-4, &spikes).unwrap();
        // 2 × (1 + 5) steps plus the spike's sample are left out.
        assert_eq!(ok.compared, n - 13);
        assert!(compare_continuous((&t, &a), (&t, &b), 1e-4, &Exclusions::default()).is_err());
        // NEURON's file one row longer: the extra row is not compared.
        let mut t_long = t.clone();
        t_long.push(n as f64 * 1e-4);
        let mut a_long = a.clone();
        a_long.push(1e9);
        let ok =
            compare_continuous((&t, &a), (&t_long, &a_long), 1e-4, &Exclusions::default()).unwrap();
        assert_eq!(ok.compared, n);
    }

    #[test]
    fn steep_native_samples_are_left_out() {
        // A step up by half the range at sample 100, one sample later with NEURON.
        let n = 200;
        let t = times(n, 1e-4);
        let a: Vec<f64> = (0..n).map(|i| if i < 100 { 0.0 } else { 1.0 }).collect();
        let b: Vec<f64> = (0..n).map(|i| if i < 101 { 0.0 } else { 1.0 }).collect();
        assert!(compare_continuous((&t, &a), (&t, &b), 1e-4, &Exclusions::default()).is_ok());
    }
}

/// One example's run on the native target and on another (`name`), for comparing their files.
pub struct RunPair<'a> {
    pub example: &'a str,
    pub native_dir: &'a Path,
    pub other_dir: &'a Path,
    /// The other target's name in messages (`NEST`, `NEURON`).
    pub name: &'a str,
}

/// Judges one example run natively and on the target `name`: a run that failed is one
/// failure; else `compare` gives the columns and spike ids it compared (pushing what
/// failed), and one line says how it went. Returns how many things were judged: the example,
/// its columns and its ids.
pub fn judge_example<T, U>(
    example: &str,
    (native, other): (&Result<T, String>, &Result<U, String>),
    name: &str,
    failures: &mut Vec<String>,
    compare: impl FnOnce(&mut Vec<String>) -> usize,
) -> usize {
    let why_not = match (native, other) {
        (Err(why), _) => format!("the native run failed: {why}"),
        (_, Err(why)) => format!("the {name} run failed: {why}"),
        _ => {
            let before = failures.len();
            let compared = compare(failures);
            let failed = failures.len() - before;
            println!("{example:<45} {compared} columns and spike ids compared, {failed} failed");
            return 1 + compared;
        }
    };
    failures.push(format!("{example}: not compared: {why_not}"));
    1
}

/// Compares the spike files (name as written, `TIME_ID`/`ID_TIME`) of both runs cell id by
/// cell id: spike times within `tolerance` (s), or only their counts where `random(id)`; the
/// times compared open windows in `spikes`. Returns the ids compared and the earliest spike
/// time compared (infinite when there is none).
pub fn compare_spike_files(
    pair: &RunPair,
    files: &[(String, String)],
    tolerance: f64,
    random: impl Fn(i64) -> bool,
    spikes: &mut Exclusions,
    failures: &mut Vec<String>,
) -> (usize, f64) {
    let example = pair.example;
    let (mut compared, mut first_spike) = (0, f64::INFINITY);
    for (file_name, format) in files {
        let spec = SpikeFile {
            path: file_name.clone(),
            format: match format.as_str() {
                "TIME_ID" => SpikeFormat::TimeId,
                _ => SpikeFormat::IdTime,
            },
            ids: CellSelection::All,
            scaling: 1.0,
        };
        let read = |dir: &Path| read_spike_file(&dir.join(file_name), &spec);
        let (a, b) = match (read(pair.native_dir), read(pair.other_dir)) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(why), _) => {
                failures.push(format!("{example} {file_name} (native): {why}"));
                continue;
            }
            (_, Err(why)) => {
                failures.push(format!("{example} {file_name} ({}): {why}", pair.name));
                continue;
            }
        };
        let ids: BTreeSet<i64> = a.keys().chain(b.keys()).copied().collect();
        let none = Vec::new();
        for id in ids {
            let (a, b) = (a.get(&id).unwrap_or(&none), b.get(&id).unwrap_or(&none));
            compared += 1;
            let verdict = if random(id) {
                compare_spike_counts_loosely(a.len(), b.len())
            } else {
                for &t in a.iter().chain(b) {
                    spikes.add_spike(t, tolerance, 0.0);
                    first_spike = first_spike.min(t);
                }
                compare_spike_times(a, b, tolerance, 0.0)
            };
            if let Err(why) = verdict {
                failures.push(format!("{example} {file_name} id {id}: {why}"));
            }
        }
    }
    (compared, first_spike)
}
