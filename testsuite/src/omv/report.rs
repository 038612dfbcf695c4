//! Failure lines for observables, and the judging of a test's runs, shared by the tests
//! that judge them.

use std::path::PathBuf;

use lemsc::diag::SourceMap;

use super::{evaluate, load_mep, FailReason, ObservableResult, Omt, Values, Verdict};

/// A few values of a list, for failure lines.
pub fn few(values: &Option<Values>) -> String {
    match values {
        None => "none".into(),
        Some(Values::SpikeRate(rate)) => format!("{rate}"),
        Some(Values::SpikeTimes(times)) => {
            let shown: Vec<String> = times.iter().take(5).map(|t| format!("{t}")).collect();
            let more = if times.len() > 5 { ", ..." } else { "" };
            format!("[{}{more}]", shown.join(", "))
        }
    }
}

/// One failure line for an observable of `label` (an example), with observed and expected
/// values when the reason alone does not show them.
pub fn observable_failure(label: &str, result: &ObservableResult) -> String {
    let mut line = format!("{label}: {result}");
    if let Verdict::Fail(FailReason::CountMismatch { .. }) = result.verdict {
        line.push_str(&format!(
            "; observed {}, expected {}",
            few(&result.observed),
            few(&result.expected)
        ));
    }
    line
}

/// Judges every observable of `omts` (those with a `.mep`) on a test's runs: `run_of` gives
/// the label of the run of an `.omt`'s target and the folder of its `results/` outputs, or why
/// it has none; `None` skips a target not run (one the test checks is refused). Returns the
/// failures and how many observables were judged (those of a failed run count as failed).
pub fn judge_observables(
    sources: &mut SourceMap,
    omts: &[Omt],
    run_of: impl Fn(&Omt) -> Option<(String, Result<PathBuf, String>)>,
) -> (Vec<String>, usize) {
    let (mut failures, mut total) = (Vec::new(), 0);
    for omt in omts {
        let Some(mep_path) = omt.mep_path() else {
            continue; // a dry run: it only has to run
        };
        let Some((label, results)) = run_of(omt) else {
            continue;
        };
        let mep = load_mep(sources, &mep_path).expect("a readable .mep");
        match results {
            Err(why) => {
                let count = omt.observable_count();
                total += count;
                failures.push(format!("{label}: {count} observables not measured: {why}"));
            }
            Ok(dir) => {
                for result in evaluate(omt, &mep, &dir) {
                    total += 1;
                    if !result.passed() {
                        failures.push(observable_failure(&label, &result));
                    }
                }
            }
        }
    }
    (failures, total)
}
