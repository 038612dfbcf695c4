//! Failure lines for observables, shared by the tests that judge them.

use super::{FailReason, ObservableResult, Values, Verdict};

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
