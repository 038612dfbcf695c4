//! Evaluating an `.omt`'s observables on output files against its `.mep`, as OMV judges them.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::signal;
use super::spec::{Expected, Mep, Observable, ObservableKind, Omt, SpikeSource};

/// Observed or expected values of one observable.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    SpikeTimes(Vec<f64>),
    SpikeRate(f64),
}

/// The judgement on one observable of one experiment.
#[derive(Clone, Debug)]
pub struct ObservableResult {
    pub omt: PathBuf,
    pub experiment: String,
    pub kind: ObservableKind,
    pub tolerance: f64,
    /// The data file read (after mapping `results/`).
    pub data_file: PathBuf,
    pub observed: Option<Values>,
    pub expected: Option<Values>,
    pub verdict: Verdict,
}

impl ObservableResult {
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    Pass,
    Fail(FailReason),
}

#[derive(Clone, Debug, PartialEq)]
pub enum FailReason {
    /// The `.mep` has no such experiment, or no value for the observable.
    NoExpectedValue,
    /// The data file is missing or unreadable (message says which line, if any).
    DataUnreadable(String),
    /// A spike file observable needs spikes of exactly one cell.
    NotOneCell {
        cells: usize,
    },
    /// OMV takes a zero in a list of spike times as a missing value and fails.
    ZeroSpikeTime,
    CountMismatch {
        observed: usize,
        expected: usize,
    },
    /// The first value outside `|observed - expected| <= 1e-8 + tolerance * |expected|`.
    OutsideTolerance {
        index: usize,
        observed: f64,
        expected: f64,
        allowed: f64,
    },
}

impl fmt::Display for FailReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailReason::NoExpectedValue => write!(f, "the .mep file has no expected value"),
            FailReason::DataUnreadable(why) => write!(f, "{why}"),
            FailReason::NotOneCell { cells } => write!(
                f,
                "expected spikes of exactly one cell in the spike file, found {cells} cells"
            ),
            FailReason::ZeroSpikeTime => write!(
                f,
                "a spike time of exactly 0, which OMV reads as a missing value"
            ),
            FailReason::CountMismatch { observed, expected } => {
                write!(f, "found {observed} spikes, expected {expected}")
            }
            FailReason::OutsideTolerance {
                index,
                observed,
                expected,
                allowed,
            } => write!(
                f,
                "value {index}: observed {observed}, expected {expected}; off by {}, \
                 allowed {allowed}",
                (observed - expected).abs()
            ),
        }
    }
}

impl fmt::Display for ObservableResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.omt.file_name().map_or_else(
            || self.omt.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        write!(f, "{name} {} `{}`: ", self.experiment, self.kind.key())?;
        match &self.verdict {
            Verdict::Pass => write!(f, "pass"),
            Verdict::Fail(reason) => write!(f, "FAIL: {reason}"),
        }
    }
}

/// Where a data file an `.omt` names is read from. The examples write `../results/NAME`
/// (relative to the `.omt`); the path's part after its `results` folder is joined to
/// `results_root`, so a simulation run anywhere can be checked. A path without a `results`
/// folder is read relative to the `.omt`.
pub fn data_path(omt: &Omt, written: &str, results_root: &Path) -> PathBuf {
    let path = Path::new(written);
    let mut components = path.components();
    while let Some(component) = components.next() {
        match component {
            Component::ParentDir | Component::CurDir => {}
            Component::Normal(first) if first == "results" => {
                return results_root.join(components.as_path())
            }
            _ => break,
        }
    }
    omt.folder().join(path)
}

/// Evaluates every observable of `omt` on the files under `results_root`.
pub fn evaluate(omt: &Omt, mep: &Mep, results_root: &Path) -> Vec<ObservableResult> {
    let mut results = Vec::new();
    for experiment in &omt.experiments {
        let mep_experiment = mep.experiment(&experiment.name);
        for observable in &experiment.observables {
            let expected = mep_experiment
                .and_then(|e| e.expected(observable.kind.key()))
                .and_then(|e| expected_values(e, observable.kind));
            let data_file = data_path(omt, observable.source.path(), results_root);
            let observed = observe(observable, &data_file);
            let verdict = match (&observed, &expected) {
                (_, None) => Verdict::Fail(FailReason::NoExpectedValue),
                (Err(reason), _) => Verdict::Fail(reason.clone()),
                (Ok(obs), Some(exp)) => compare(obs, exp, observable.tolerance),
            };
            results.push(ObservableResult {
                omt: omt.path.clone(),
                experiment: experiment.name.clone(),
                kind: observable.kind,
                tolerance: observable.tolerance,
                data_file,
                observed: observed.ok(),
                expected,
                verdict,
            });
        }
    }
    results
}

fn expected_values(expected: &Expected, kind: ObservableKind) -> Option<Values> {
    match (expected, kind) {
        (Expected::SpikeTimes(t), ObservableKind::SpikeTimes) => {
            Some(Values::SpikeTimes(t.clone()))
        }
        (Expected::SpikeRate(r), ObservableKind::SpikeRate(_)) => Some(Values::SpikeRate(*r)),
        _ => None,
    }
}

/// The observed values of one observable from its data file.
pub fn observe(observable: &Observable, data_file: &Path) -> Result<Values, FailReason> {
    let unreadable = FailReason::DataUnreadable;
    match (&observable.source, observable.kind) {
        (SpikeSource::Trace(trace), kind) => {
            let (times, values) = signal::read_trace(data_file, trace).map_err(unreadable)?;
            let spikes = signal::spike_times(&times, &values, trace.detection);
            Ok(match kind {
                ObservableKind::SpikeTimes => Values::SpikeTimes(spikes),
                ObservableKind::SpikeRate(method) => {
                    Values::SpikeRate(signal::spike_rate(&spikes, method))
                }
            })
        }
        (SpikeSource::SpikeFile(file), ObservableKind::SpikeTimes) => {
            let cells = signal::read_spike_file(data_file, file).map_err(unreadable)?;
            if cells.len() != 1 {
                return Err(FailReason::NotOneCell { cells: cells.len() });
            }
            let spikes = cells.into_values().next().unwrap_or_default();
            if spikes.contains(&0.0) {
                return Err(FailReason::ZeroSpikeTime);
            }
            Ok(Values::SpikeTimes(spikes))
        }
        (SpikeSource::SpikeFile(file), ObservableKind::SpikeRate(method)) => {
            let cells = signal::read_spike_file(data_file, file).map_err(unreadable)?;
            Ok(Values::SpikeRate(signal::mean_spike_rate(
                cells.values(),
                method,
            )))
        }
    }
}

/// OMV's comparison: equal counts, then `numpy.allclose(observed, expected, rtol=tolerance)`
/// with numpy's default `atol` of 1e-8 (in the scaled units of the observable).
pub fn compare(observed: &Values, expected: &Values, tolerance: f64) -> Verdict {
    let (obs, exp): (&[f64], &[f64]) = match (observed, expected) {
        (Values::SpikeTimes(o), Values::SpikeTimes(e)) => {
            if e.contains(&0.0) {
                return Verdict::Fail(FailReason::ZeroSpikeTime);
            }
            (o, e)
        }
        (Values::SpikeRate(o), Values::SpikeRate(e)) => {
            (std::slice::from_ref(o), std::slice::from_ref(e))
        }
        _ => return Verdict::Fail(FailReason::NoExpectedValue),
    };
    if obs.len() != exp.len() {
        return Verdict::Fail(FailReason::CountMismatch {
            observed: obs.len(),
            expected: exp.len(),
        });
    }
    for (index, (&o, &e)) in obs.iter().zip(exp).enumerate() {
        if !signal::is_close(o, e, tolerance) {
            return Verdict::Fail(FailReason::OutsideTolerance {
                index,
                observed: o,
                expected: e,
                allowed: signal::allowed_difference(e, tolerance),
            });
        }
    }
    Verdict::Pass
}
