//! `.omt`/`.mep` reading and evaluation on small hand-written files: defaults, located
//! errors for bad input, and each way an observable can fail.

use std::path::{Path, PathBuf};

use lemsc::diag::{PlainDiagnostic, SourceMap};
use lemsc_testsuite::omv::{
    data_path, evaluate, load_omt, load_omt_and_mep, CellSelection, Detection, FailReason,
    ObservableKind, RateMethod, SpikeFormat, SpikeSource, Values, Verdict, DEFAULT_TOLERANCE,
};

/// A fresh folder for one test's files, under Cargo's scratch folder for integration tests.
fn scratch(test: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("omv-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("test")).unwrap();
    std::fs::create_dir_all(dir.join("results")).unwrap();
    dir
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

/// The one-line `file:line:col: error: message` of loading a bad `.omt`.
fn omt_error(test: &str, text: &str) -> String {
    let dir = scratch(test);
    let path = write(&dir.join("test/bad.omt"), text);
    let mut sources = SourceMap::new();
    let d = load_omt(&mut sources, &path).expect_err("the file is bad");
    let line = PlainDiagnostic {
        sources: &sources,
        diag: &d,
    }
    .to_string();
    line.replace(&format!("{}", path.display()), "bad.omt")
}

const TRACE_OMT: &str = "\
target: ../Model.xml
engine: jNeuroML
mep: .test.mep
experiments:
  cell:
    observables:
      spike times:
        file:
          path: ../results/v.dat
          columns: [0, 2]
          scaling: [1000, 1000]
        spike detection:
          method: threshold
          threshold: -10
        tolerance: 0.01
";

#[test]
fn an_omt_is_read_with_omvs_defaults() {
    let dir = scratch("defaults");
    let path = write(
        &dir.join("test/a.omt"),
        "target: ../M.xml\nengine: jNeuroML\nmep: a.mep\nexperiments:\n  e:\n    observables:\n      spike times:\n        file:\n          path: ../results/v.dat\n        spike detection:\n          method: threshold\n",
    );
    let omt = load_omt(&mut SourceMap::new(), &path).unwrap();
    let obs = &omt.experiments[0].observables[0];
    assert_eq!(obs.tolerance, DEFAULT_TOLERANCE);
    let SpikeSource::Trace(trace) = &obs.source else {
        panic!("expected a trace, found {:?}", obs.source)
    };
    assert_eq!(trace.columns, [0, 1]);
    assert_eq!(trace.scaling, [1.0, 1.0]);
    assert_eq!(trace.detection, Detection::Threshold(0.0));
    assert_eq!(omt.mep_path(), Some(dir.join("test/a.mep")));
}

#[test]
fn a_dry_run_has_no_experiments() {
    let dir = scratch("dry");
    let path = write(
        &dir.join("test/a.omt"),
        "target: ../M.xml\nengine: jNeuroML\n",
    );
    let (omt, mep) = load_omt_and_mep(&mut SourceMap::new(), &path).unwrap();
    assert!(omt.experiments.is_empty() && mep.is_none());
}

#[test]
fn spike_file_and_rate_options_are_read() {
    let dir = scratch("spikefile");
    let path = write(
        &dir.join("test/a.omt"),
        "target: ../M.xml\nengine: jNeuroML\nmep: a.mep\nexperiments:\n  r:\n    observables:\n      spike rate:\n        spiketimes file:\n          path: ../results/s.spikes\n          format: TIME_ID\n          ids: '*'\n          scaling: 1000\n        method: duration based\n        start_time: 0.1\n        end_time: 0.5\n        tolerance: 0\n",
    );
    let omt = load_omt(&mut SourceMap::new(), &path).unwrap();
    let obs = &omt.experiments[0].observables[0];
    assert_eq!(
        obs.kind,
        ObservableKind::SpikeRate(RateMethod::DurationBased {
            start: 0.1,
            end: 0.5
        })
    );
    let SpikeSource::SpikeFile(file) = &obs.source else {
        panic!("expected a spike file, found {:?}", obs.source)
    };
    assert_eq!(file.format, SpikeFormat::TimeId);
    assert_eq!(file.ids, CellSelection::All);
    assert_eq!(file.scaling, 1000.0);
}

#[test]
fn bad_omt_files_give_located_errors() {
    // (case, text of TRACE_OMT replaced, by what, the error's start)
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "method",
            "method: threshold",
            "method: peaks",
            "bad.omt:13:19: error: unknown spike detection method `peaks`; expected `threshold` or `derivative`",
        ),
        (
            "columns",
            "[0, 2]",
            "[0, 1, 2]",
            "bad.omt:10:20: error: expected two values for `columns` (time, then the watched value), found 3",
        ),
        (
            "threshold",
            "threshold: -10",
            "threshold: high",
            "bad.omt:14:22: error: expected a number for `threshold`, found the text `high`",
        ),
        (
            "tolerance",
            "tolerance: 0.01",
            "tolerance: -1",
            "bad.omt:15:20: error: expected a number >= 0 for `tolerance`, found -1",
        ),
        (
            "typo",
            "scaling:",
            "scalling:",
            "bad.omt:11:11: error: unknown key `scalling` in `file`; expected one of: `path`, `columns`, `header`, `scaling`",
        ),
        (
            "observable",
            "spike times:",
            "resting:",
            "bad.omt:7:7: error: unsupported observable `resting`; this harness evaluates `spike times`, `spike rate`",
        ),
        (
            "nodetection",
            "        spike detection:\n          method: threshold\n          threshold: -10\n",
            "",
            "bad.omt:7:7: error: observable `spike times` reads a `file` but has no `spike detection`; expected `spike detection:` with `method: threshold` and a `threshold`, or `method: derivative`",
        ),
        (
            "yaml",
            "columns: [0, 2]",
            "columns: [0, 2",
            "bad.omt:11:18: error: invalid YAML: illegal placement of ':' indicator",
        ),
        (
            "noengine",
            "engine: jNeuroML\n",
            "",
            "bad.omt:1:1: error: the .omt file has no `engine`",
        ),
    ];
    for (name, from, to, expected) in cases {
        let found = omt_error(name, &TRACE_OMT.replace(from, to));
        assert!(
            found.starts_with(expected),
            "{name}:\n found    {found}\n expected {expected}"
        );
    }
}

#[test]
fn an_id_that_omv_would_ignore_is_an_error() {
    let text = "target: ../M.xml\nengine: jNeuroML\nmep: a.mep\nexperiments:\n  s:\n    observables:\n      spike times:\n        spiketimes file:\n          path: ../results/s.spikes\n          format: ID_TIME\n          id: 3\n";
    let found = omt_error("id", text);
    assert!(
        found.starts_with("bad.omt:11:15: error: `id: 3` differs from the cell OMV reads"),
        "{found}"
    );
}

#[test]
fn results_paths_are_mapped_to_the_results_root() {
    let dir = scratch("mapping");
    let path = write(&dir.join("test/a.omt"), TRACE_OMT);
    let omt = load_omt(&mut SourceMap::new(), &path).unwrap();
    let root = Path::new("/elsewhere/out");
    assert_eq!(
        data_path(&omt, "../results/v.dat", root),
        root.join("v.dat")
    );
    assert_eq!(
        data_path(&omt, "results/sub/v.dat", root),
        root.join("sub/v.dat")
    );
    assert_eq!(
        data_path(&omt, "../data/v.dat", root),
        dir.join("test/../data/v.dat")
    );
}

/// A trace with spikes (column 2 above -10 mV after scaling) at rows 2 and 6, i.e. at
/// 20 ms and 60 ms; column 1 never crosses.
const TRACE: &str = "\
0.000 -0.07 -0.07
0.010 -0.07 -0.02
0.020 -0.07 0.01
0.030 -0.07 -0.05
# a comment line

0.040 -0.07 -0.06
0.050 -0.07 -0.01
0.060 -0.07 0.02
";

fn evaluate_trace(test: &str, mep_times: &str, omt_text: &str) -> Vec<(Verdict, Option<Values>)> {
    let dir = scratch(test);
    let omt_path = write(&dir.join("test/a.omt"), omt_text);
    write(
        &dir.join("test/.test.mep"),
        &format!(
            "system: t\nexperiments:\n  cell:\n    expected:\n      spike times: {mep_times}\n"
        ),
    );
    write(&dir.join("results/v.dat"), TRACE);
    let (omt, mep) = load_omt_and_mep(&mut SourceMap::new(), &omt_path).unwrap();
    evaluate(&omt, &mep.unwrap(), &dir.join("results"))
        .into_iter()
        .map(|r| (r.verdict, r.observed))
        .collect()
}

#[test]
fn threshold_spikes_are_scaled_sample_times() {
    let results = evaluate_trace("pass", "[20.0, 60.0]", TRACE_OMT);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].0, Verdict::Pass);
    assert_eq!(results[0].1, Some(Values::SpikeTimes(vec![20.0, 60.0])));
}

#[test]
fn values_beyond_the_relative_tolerance_fail() {
    // 1% of 59 is 0.59: 60 is 1 ms off.
    let results = evaluate_trace("tolerance", "[20.0, 59.0]", TRACE_OMT);
    let Verdict::Fail(FailReason::OutsideTolerance { index, allowed, .. }) = results[0].0 else {
        panic!("expected a tolerance failure, found {:?}", results[0].0)
    };
    assert_eq!(index, 1);
    assert!((allowed - (0.59 + 1e-8)).abs() < 1e-12);
}

#[test]
fn a_different_spike_count_fails() {
    let results = evaluate_trace("count", "[20.0]", TRACE_OMT);
    assert_eq!(
        results[0].0,
        Verdict::Fail(FailReason::CountMismatch {
            observed: 2,
            expected: 1
        })
    );
}

#[test]
fn a_missing_data_file_or_experiment_fails_with_the_reason() {
    let missing_file = evaluate_trace(
        "nofile",
        "[20.0, 60.0]",
        &TRACE_OMT.replace("v.dat", "w.dat"),
    );
    assert!(
        matches!(&missing_file[0].0, Verdict::Fail(FailReason::DataUnreadable(why)) if why.contains("w.dat")),
        "{:?}",
        missing_file[0].0
    );
    let missing_experiment = evaluate_trace(
        "noexp",
        "[20.0, 60.0]",
        &TRACE_OMT.replace("  cell:", "  other:"),
    );
    assert_eq!(
        missing_experiment[0].0,
        Verdict::Fail(FailReason::NoExpectedValue)
    );
}

#[test]
fn a_short_row_is_reported_with_its_line() {
    let results = evaluate_trace(
        "shortrow",
        "[20.0, 60.0]",
        &TRACE_OMT.replace("[0, 2]", "[0, 3]"),
    );
    assert!(
        matches!(&results[0].0, Verdict::Fail(FailReason::DataUnreadable(why))
            if why.ends_with(":1: expected a column 3 (counting from 0), found 3 columns")),
        "{:?}",
        results[0].0
    );
}

fn evaluate_spike_file(
    test: &str,
    observable: &str,
    ids: &str,
    spikes: &str,
    expected: &str,
) -> Verdict {
    let dir = scratch(test);
    let omt_path = write(
        &dir.join("test/a.omt"),
        &format!("target: ../M.xml\nengine: jNeuroML\nmep: a.mep\nexperiments:\n  s:\n    observables:\n      {observable}:\n        spiketimes file:\n          path: ../results/s.spikes\n          format: ID_TIME\n          ids: {ids}\n        tolerance: 0\n"),
    );
    write(
        &dir.join("test/a.mep"),
        &format!("system: t\nexperiments:\n  s:\n    expected:\n      {observable}: {expected}\n"),
    );
    write(&dir.join("results/s.spikes"), spikes);
    let (omt, mep) = load_omt_and_mep(&mut SourceMap::new(), &omt_path).unwrap();
    let results = evaluate(&omt, &mep.unwrap(), &dir.join("results"));
    assert_eq!(results.len(), 1);
    results.into_iter().next().unwrap().verdict
}

#[test]
fn spike_files_select_the_cell_and_rates_are_isi_based() {
    let spikes = "0 0.1\n1 0.12\n0 0.2\n0 0.4\n";
    assert_eq!(
        evaluate_spike_file("st", "spike times", "0", spikes, "[0.1, 0.2, 0.4]"),
        Verdict::Pass
    );
    // Two intervals over 0.3 s.
    assert_eq!(
        evaluate_spike_file("rate", "spike rate", "0", spikes, "6.666666666666667"),
        Verdict::Pass
    );
    assert!(matches!(
        evaluate_spike_file("rate2", "spike rate", "0", spikes, "5"),
        Verdict::Fail(FailReason::OutsideTolerance { .. })
    ));
}

#[test]
fn a_spike_at_time_zero_fails_as_in_omv() {
    assert_eq!(
        evaluate_spike_file("zero", "spike times", "0", "0 0\n0 0.2\n", "[0.1, 0.2]"),
        Verdict::Fail(FailReason::ZeroSpikeTime)
    );
}

#[test]
fn spike_times_from_several_cells_fail_and_their_rates_are_averaged() {
    let spikes = "0 0.1\n1 0.1\n0 0.2\n1 0.5\n";
    assert_eq!(
        evaluate_spike_file("cells", "spike times", "'*'", spikes, "[0.1, 0.2]"),
        Verdict::Fail(FailReason::NotOneCell { cells: 2 })
    );
    // Cell 0: 1 interval of 0.1 s (10 Hz); cell 1: 1 of 0.4 s (2.5 Hz).
    assert_eq!(
        evaluate_spike_file("cellrates", "spike rate", "'*'", spikes, "6.25"),
        Verdict::Pass
    );
}
