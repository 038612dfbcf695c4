//! The numerics of OMV's spike analysis: reading data files, detecting spikes, spike rates,
//! and numpy's `allclose`.

use std::collections::BTreeMap;
use std::path::Path;

use super::spec::{CellSelection, Detection, RateMethod, SpikeFile, SpikeFormat, TraceFile};

/// numpy's default absolute tolerance in `allclose`, which OMV leaves in place.
pub const ALLCLOSE_ATOL: f64 = 1e-8;

/// Reads the two columns a trace observable names, scaled; `(times, values)`.
///
/// Like `numpy.loadtxt`: whitespace-separated numbers, `#` starts a comment, blank lines are
/// skipped, and the first `header` lines are dropped.
pub fn read_trace(path: &Path, trace: &TraceFile) -> Result<(Vec<f64>, Vec<f64>), String> {
    let rows = read_rows(path, trace.header)?;
    let mut times = Vec::with_capacity(rows.len());
    let mut values = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        for (column, scale, out) in [
            (trace.columns[0], trace.scaling[0], &mut times),
            (trace.columns[1], trace.scaling[1], &mut values),
        ] {
            let value = row.get(column).ok_or_else(|| {
                format!(
                    "{}:{line}: expected a column {column} (counting from 0), found {} columns",
                    path.display(),
                    row.len()
                )
            })?;
            out.push(value * scale);
        }
    }
    Ok((times, values))
}

/// Data rows as (1-based line number, numbers).
fn read_rows(path: &Path, header: usize) -> Result<Vec<(usize, Vec<f64>)>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut rows = Vec::new();
    for (index, raw) in text.lines().enumerate().skip(header) {
        let line = index + 1;
        let content = raw.split('#').next().unwrap_or("");
        if content.trim().is_empty() {
            continue;
        }
        let row = content
            .split_whitespace()
            .map(|field| {
                field.parse::<f64>().map_err(|_| {
                    format!(
                        "{}:{line}: expected a number, found `{field}`",
                        path.display()
                    )
                })
            })
            .collect::<Result<Vec<f64>, String>>()?;
        rows.push((line, row));
    }
    Ok(rows)
}

/// Spike times per cell id from a spike file, for the cells `file.ids` selects, scaled.
pub fn read_spike_file(path: &Path, file: &SpikeFile) -> Result<BTreeMap<i64, Vec<f64>>, String> {
    let header = match file.format {
        SpikeFormat::IdTimeNestDat => 3,
        SpikeFormat::IdTime | SpikeFormat::TimeId => 0,
    };
    let mut cells: BTreeMap<i64, Vec<f64>> = BTreeMap::new();
    for (line, row) in read_rows(path, header)? {
        if row.len() < 2 {
            return Err(format!(
                "{}:{line}: expected an id and a time, found {} value(s)",
                path.display(),
                row.len()
            ));
        }
        let (id, time) = match file.format {
            SpikeFormat::IdTime | SpikeFormat::IdTimeNestDat => (row[0], row[1]),
            SpikeFormat::TimeId => (row[1], row[0]),
        };
        if id.fract() != 0.0 {
            return Err(format!(
                "{}:{line}: expected a whole cell id, found {id}",
                path.display()
            ));
        }
        let id = id as i64;
        if matches!(file.ids, CellSelection::One(wanted) if wanted != id) {
            continue;
        }
        cells.entry(id).or_default().push(time * file.scaling);
    }
    Ok(cells)
}

/// Indices of the samples detected as spikes.
pub fn detect_spikes(values: &[f64], detection: Detection) -> Vec<usize> {
    match detection {
        Detection::Threshold(threshold) => (1..values.len())
            .filter(|&i| values[i - 1] <= threshold && values[i] > threshold)
            .collect(),
        // A rise or flat step into sample i followed by a strict fall out of it.
        Detection::Derivative => (1..values.len().saturating_sub(1))
            .filter(|&i| values[i] - values[i - 1] >= 0.0 && values[i + 1] - values[i] < 0.0)
            .collect(),
    }
}

/// Spike times detected in a trace: the time of each detected sample, not interpolated.
pub fn spike_times(times: &[f64], values: &[f64], detection: Detection) -> Vec<f64> {
    detect_spikes(values, detection)
        .into_iter()
        .map(|i| times[i])
        .collect()
}

/// The spike rate of one cell.
pub fn spike_rate(spikes: &[f64], method: RateMethod) -> f64 {
    match method {
        RateMethod::IsiBased { start, end } => {
            let inside = |t: f64| t >= start && t <= end;
            let intervals: Vec<f64> = spikes
                .windows(2)
                .filter(|pair| inside(pair[0]) && inside(pair[1]))
                .map(|pair| pair[1] - pair[0])
                .collect();
            if intervals.is_empty() {
                0.0
            } else {
                intervals.len() as f64 / intervals.iter().sum::<f64>()
            }
        }
        RateMethod::DurationBased { start, end } => {
            let count = spikes.iter().filter(|&&t| t >= start && t <= end).count();
            count as f64 / (end - start)
        }
    }
}

/// The mean of the cells' rates (0 for no cell), as OMV rates a spike file.
pub fn mean_spike_rate<'a>(
    cells: impl IntoIterator<Item = &'a Vec<f64>>,
    method: RateMethod,
) -> f64 {
    let rates: Vec<f64> = cells.into_iter().map(|s| spike_rate(s, method)).collect();
    if rates.is_empty() {
        0.0
    } else {
        rates.iter().sum::<f64>() / rates.len() as f64
    }
}

/// numpy's `isclose(observed, expected, rtol)` with the default atol: the tolerance scales
/// with the expected value. NaN is never close; infinities are close only to themselves.
pub fn is_close(observed: f64, expected: f64, rtol: f64) -> bool {
    if observed.is_infinite() || expected.is_infinite() {
        return observed == expected;
    }
    (observed - expected).abs() <= allowed_difference(expected, rtol)
}

/// How far an observed value may lie from `expected` and still pass.
pub fn allowed_difference(expected: f64, rtol: f64) -> f64 {
    ALLCLOSE_ATOL + rtol * expected.abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_detection_takes_the_first_sample_above_the_threshold() {
        let v = [-1.0, 0.0, 1.0, 0.0, -1.0, 0.0, 1.0, 0.0];
        assert_eq!(detect_spikes(&v, Detection::Threshold(0.1)), vec![2, 6]);
        // Reaching the threshold is not crossing it; leaving it upwards is.
        assert_eq!(detect_spikes(&v, Detection::Threshold(0.0)), vec![2, 6]);
        assert_eq!(detect_spikes(&v, Detection::Threshold(-0.5)), vec![1, 5]);
    }

    #[test]
    fn a_trace_that_starts_above_the_threshold_has_no_spike_at_sample_0() {
        let v = [1.0, 0.0, -1.0, 0.0, 1.0];
        assert_eq!(detect_spikes(&v, Detection::Threshold(0.1)), vec![4]);
    }

    #[test]
    fn derivative_detection_finds_local_maxima_and_the_end_of_plateaus() {
        let v = [-1.0, 0.0, 1.0, 0.0, -1.0, 0.0, 1.0, 0.0];
        assert_eq!(detect_spikes(&v, Detection::Derivative), vec![2, 6]);
        // On a plateau the last flat sample before the fall is the spike.
        let plateau = [0.0, 1.0, 1.0, 1.0, 0.0];
        assert_eq!(detect_spikes(&plateau, Detection::Derivative), vec![3]);
        // A maximum at the last sample is not detected: no fall follows it.
        assert_eq!(
            detect_spikes(&[0.0, 1.0, 2.0], Detection::Derivative),
            Vec::<usize>::new()
        );
        assert_eq!(
            detect_spikes(&[], Detection::Derivative),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn spike_times_are_sample_times_without_interpolation() {
        let t = [0.0, 0.1, 0.2, 0.3];
        let v = [-2.0, -1.0, 5.0, 6.0];
        assert_eq!(spike_times(&t, &v, Detection::Threshold(0.0)), vec![0.2]);
    }

    #[test]
    fn isi_rate_is_intervals_over_their_total_length() {
        let isi = RateMethod::IsiBased {
            start: 0.0,
            end: f64::INFINITY,
        };
        let spikes = [0.075, 0.15, 0.225, 0.3, 0.375];
        assert!((spike_rate(&spikes, isi) - 4.0 / 0.3).abs() < 1e-12);
        assert_eq!(spike_rate(&[0.1], isi), 0.0);
        let window = RateMethod::IsiBased {
            start: 0.0,
            end: 0.25,
        };
        // Only the pairs with both spikes inside [0, 0.25]: 0.1-0.2.
        assert!((spike_rate(&[0.1, 0.2, 0.3, 0.4], window) - 10.0).abs() < 1e-12);
    }

    #[test]
    fn duration_rate_counts_spikes_in_the_window() {
        let window = RateMethod::DurationBased {
            start: 0.0,
            end: 0.25,
        };
        assert!((spike_rate(&[0.1, 0.2, 0.3, 0.4], window) - 8.0).abs() < 1e-12);
    }

    #[test]
    fn mean_rate_averages_over_cells() {
        let isi = RateMethod::IsiBased {
            start: 0.0,
            end: f64::INFINITY,
        };
        let cells = [vec![0.0, 0.1], vec![0.0, 0.5]];
        assert!((mean_spike_rate(&cells, isi) - 6.0).abs() < 1e-12);
        assert_eq!(mean_spike_rate(&[], isi), 0.0);
    }

    #[test]
    fn closeness_is_relative_to_the_expected_value_plus_numpys_atol() {
        assert!(is_close(100.1, 100.0, 1e-3));
        assert!(!is_close(100.2, 100.0, 1e-3));
        // Zero tolerance still allows numpy's atol of 1e-8.
        assert!(is_close(1.0 + 5e-9, 1.0, 0.0));
        assert!(!is_close(1.0 + 2e-8, 1.0, 0.0));
        // Scaled by the expected value, not the observed one.
        assert!(is_close(0.0, 1.0, 1.0));
        assert!(!is_close(1.0, 0.0, 1.0));
        assert!(!is_close(f64::NAN, f64::NAN, 1.0));
        assert!(is_close(f64::INFINITY, f64::INFINITY, 0.0));
    }
}
