//! The evaluator checked against real data: jLEMS's own outputs in `shared/reference/jlems`,
//! with the examples' `results/` folder mapped there.
//!
//! Spike files there are whole, so their observables must pass. Time series (`.dat`) are
//! thinned to every k-th row (MANIFEST.md), so a threshold crossing is found at the first
//! kept row after it, up to (k-1) original steps late, and a narrow spike can be missed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use lemsc::diag::SourceMap;
use lemsc_testsuite::omv::{
    allowed_difference, evaluate, load_mep, omts_for_engine, read_spike_file, read_trace,
    CellSelection, Detection, Mep, ObservableResult, Omt, SpikeFile, SpikeFormat, SpikeSource,
    TraceFile, Values, ENGINE_JNEUROML,
};
use lemsc_testsuite::refcompare::manifest_strides;
use lemsc_testsuite::shared_dir;

fn reference_dir() -> PathBuf {
    shared_dir().join("reference/jlems")
}

/// The jNeuroML `.omt`s with a `.mep`, evaluated on jLEMS's reference outputs.
fn evaluated() -> Vec<(Omt, Vec<ObservableResult>)> {
    let mut sources = SourceMap::new();
    let dir = shared_dir().join("neuroml2/LEMSexamples/test");
    omts_for_engine(&mut sources, &dir, ENGINE_JNEUROML)
        .unwrap()
        .into_iter()
        .filter_map(|omt| {
            let mep: Mep = load_mep(&mut sources, &omt.mep_path()?).unwrap();
            let results = evaluate(&omt, &mep, &reference_dir());
            Some((omt, results))
        })
        .collect()
}

/// Thinning stride per reference file, read from MANIFEST.md ("N rows, every k"; 1 if whole).
fn strides() -> BTreeMap<String, usize> {
    manifest_strides(&reference_dir()).unwrap()
}

fn label(omt: &Omt, r: &ObservableResult) -> String {
    let name = omt.path.file_name().unwrap().to_string_lossy();
    format!("{name}:{}", r.experiment)
}

fn times_of(values: &Option<Values>) -> &[f64] {
    match values {
        Some(Values::SpikeTimes(t)) => t,
        other => panic!("expected spike times, found {other:?}"),
    }
}

#[test]
fn spike_file_observables_pass_on_jlems_output() {
    let mut checked = 0;
    for (omt, results) in evaluated() {
        let observables = omt.experiments.iter().flat_map(|e| &e.observables);
        for (obs, r) in observables.zip(&results) {
            if let SpikeSource::SpikeFile(_) = obs.source {
                assert!(r.passed(), "{r}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 2, "ex6's spike times and spike rate");
}

/// Thinning loses a spike only when the value stays above the threshold for less than the
/// stride; Ex15's somatic spikes are above 0 mV for less than 141 steps of 1 µs.
const SPIKES_LOST_TO_THINNING: &[&str] = &[".test.ex15.jnml.omt:v"];

#[test]
fn thinned_traces_give_the_expected_spike_counts() {
    let mut checked = 0;
    for (omt, results) in evaluated() {
        for r in &results {
            if r.data_file.extension().is_some_and(|e| e == "spikes") {
                continue;
            }
            let observed = times_of(&r.observed).len();
            let expected = times_of(&r.expected).len();
            let name = label(&omt, r);
            if SPIKES_LOST_TO_THINNING.contains(&name.as_str()) {
                assert!(observed < expected, "{name}: {observed} vs {expected}");
            } else {
                assert_eq!(observed, expected, "{name}: spike count");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 57);
}

/// The full-resolution spike time lies within the thinning window before (threshold) or
/// around (derivative) the detected row. The jNeuroML tolerances fit jLEMS's full-resolution
/// runs, so each expected value must lie within that window widened by the allowed difference.
#[test]
fn thinned_spike_times_bracket_the_expected_ones() {
    let strides = strides();
    let mut checked = 0;
    for (omt, results) in evaluated() {
        let observables = omt.experiments.iter().flat_map(|e| &e.observables);
        for (obs, r) in observables.zip(&results) {
            let SpikeSource::Trace(trace) = &obs.source else {
                continue;
            };
            let name = label(&omt, r);
            let file = r.data_file.file_name().unwrap().to_string_lossy();
            let k = strides[file.as_ref()];
            let (times, _) = read_trace(&r.data_file, trace).unwrap();
            let step = (times[1] - times[0]) / k as f64;
            let (before, after) = match trace.detection {
                Detection::Threshold(_) => ((k - 1) as f64 * step, 0.0),
                Detection::Derivative => (k as f64 * step, k as f64 * step),
            };
            let observed = times_of(&r.observed);
            let expected = times_of(&r.expected);
            if observed.len() != expected.len() {
                continue; // counted in the test above
            }
            for (i, (&o, &e)) in observed.iter().zip(expected).enumerate() {
                let slack = allowed_difference(e, obs.tolerance);
                assert!(
                    o - before - slack <= e && e <= o + after + slack,
                    "{name} spike {i}: detected {o}, expected {e}, window -{before}/+{after}, \
                     allowed {slack}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 250, "only {checked} spike times compared");
}

/// What OMV says of jLEMS's reference outputs as they are: the observables passing despite
/// the thinning. The others fail by a few thinned rows (see the bracketing test above), or
/// have tolerance 0 (Ex9, Ex22) against values from finer runs.
#[test]
fn jlems_reference_passes_these_observables() {
    let passing: Vec<String> = evaluated()
        .iter()
        .flat_map(|(omt, results)| {
            results
                .iter()
                .filter(|r| r.passed())
                .map(move |r| label(omt, r))
        })
        .collect();
    let expected = [
        ".test.ex0.jnml.omt:iafPop0",
        ".test.ex0.jnml.omt:iafRefPop0",
        ".test.ex1.jnml.omt:v",
        ".test.ex12.jnml.omt:v1",
        ".test.ex14.jnml.omt:pop_post_1",
        ".test.ex14.jnml.omt:pop_post_2",
        ".test.ex14.jnml.omt:pop_post_3",
        ".test.ex14.jnml.omt:pop_post_1_g",
        ".test.ex14.jnml.omt:pop_post_2_g",
        ".test.ex19.jnml.omt:cell1",
        ".test.ex19a.jnml.omt:cell1",
        ".test.ex26.jnml.omt:post6",
        ".test.ex5.jnml.omt:m",
        ".test.ex6.jnml.omt:v",
        ".test.ex6.jnml.omt:spiketimes",
        ".test.ex6.jnml.omt:spikerate",
        ".test.ex7.jnml.omt:v0",
        ".test.ex7.jnml.omt:v1",
        ".test.ex7.jnml.omt:v2",
    ];
    assert_eq!(passing, expected);
}

/// An independent check of threshold detection: jLEMS also wrote Ex23's HH cell spikes as
/// events (its `spikeThresh` is -20 mV). Detection on the trace, thinned every 2 steps of
/// 0.05 ms, finds each event at its own time, or one step later where the event's row was
/// dropped: the first sample above the threshold is the event's step, not interpolated.
#[test]
fn threshold_detection_agrees_with_jlems_spike_events() {
    let trace = TraceFile {
        path: "ex23.hh.dat".into(),
        columns: [0, 1],
        header: 0,
        scaling: [1.0, 1.0],
        detection: Detection::Threshold(-0.020),
    };
    let (t, v) = read_trace(&reference_dir().join("ex23.hh.dat"), &trace).unwrap();
    let detected = lemsc_testsuite::omv::spike_times(&t, &v, trace.detection);
    let events = SpikeFile {
        path: "ex23.hh.spikes".into(),
        format: SpikeFormat::IdTime,
        ids: CellSelection::One(0),
        scaling: 1.0,
    };
    let cells = read_spike_file(&reference_dir().join("ex23.hh.spikes"), &events).unwrap();
    let events = &cells[&0];
    assert_eq!(events.len(), 9);
    assert_eq!(detected.len(), events.len());
    let step = 0.05e-3;
    for (d, e) in detected.iter().zip(events) {
        assert!(
            *d >= e - 1e-12 && *d <= e + step + 1e-12,
            "detected {d} for the event at {e}"
        );
    }
}
