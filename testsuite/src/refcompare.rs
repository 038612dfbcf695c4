//! Comparing a run's output files with jLEMS's reference outputs in `shared/reference/jlems`.
//!
//! The reference time series are thinned (MANIFEST.md there): the first row, then every k-th
//! row of the full run, unchanged. A full-length file of ours is compared at those rows.
//!
//! Tolerances, and why:
//! - the time column must be the same text: both sides accumulate `t` by adding `dt` in double
//!   precision and print it as a float32, so any difference is a different step or a
//!   different row count;
//! - a value column passes where the text is the same or `|ours - jLEMS| <=`
//!   [`TRACE_TOLERANCE_OF_RANGE`] `×` the column's range over the reference rows (its largest
//!   magnitude for a flat column). Both sides compute in double precision in the same order
//!   and print float32 (7 significant digits), so the only differences expected are from the
//!   math library (`exp`, `pow` of Rust and Java may differ in the last bit) grown by the
//!   dynamics: about 1e-7 of the range on the traces reproduced so far. A spike one step
//!   early or late gives a difference of a good part of the range, far above the tolerance;
//! - spike files: the same ids with the same number of spikes, each time within one step
//!   (plus float32 printing error) of jLEMS's: a spike file only records the step of an
//!   event, so the step is the finest useful unit.

use std::collections::BTreeMap;
use std::path::Path;

/// A value column's allowed difference, as a fraction of its range.
pub const TRACE_TOLERANCE_OF_RANGE: f64 = 1e-6;

/// Thinning stride of each reference file, from MANIFEST.md's table ("N rows, every k"; 1 for
/// a whole file).
pub fn manifest_strides(reference_dir: &Path) -> Result<BTreeMap<String, usize>, String> {
    let path = reference_dir.join("MANIFEST.md");
    let manifest = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(parse_manifest(&manifest))
}

fn parse_manifest(manifest: &str) -> BTreeMap<String, usize> {
    manifest
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (file, rows) = (cells.get(1)?, cells.get(3)?);
            if !(file.ends_with(".dat") || file.ends_with(".spikes")) {
                return None;
            }
            let stride = match rows.rsplit_once("every ") {
                Some((_, k)) => k.parse().ok()?,
                None => 1,
            };
            Some((file.to_string(), stride))
        })
        .collect()
}

/// Compares two files: a time series when `ours` ends in `.dat`, else a spike file. `dt` is
/// the run's step (s). A one-line summary on success, the first problems on failure.
pub fn compare_files(
    ours: &Path,
    reference: &Path,
    stride: usize,
    dt: f64,
) -> Result<String, String> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    };
    let (ours_text, reference_text) = (read(ours)?, read(reference)?);
    if ours.extension().is_some_and(|e| e == "dat") {
        compare_dat(&ours_text, &reference_text, stride)
    } else {
        compare_spikes(&ours_text, &reference_text, dt)
    }
}

/// Fields of each non-empty line (a `.dat` row ends with a TAB, which adds no field).
fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').filter(|f| !f.is_empty()).collect())
        .collect()
}

/// One value column's comparison so far.
#[derive(Default)]
struct ColumnCheck {
    allowed: f64,
    outside: usize,
    /// The first row outside the tolerance: (kept row, t text, ours, jLEMS).
    first: Option<(usize, String, String, String)>,
    max_difference: f64,
}

/// Compares a full `.dat` of ours with a reference thinned every `stride` rows.
pub fn compare_dat(ours: &str, reference: &str, stride: usize) -> Result<String, String> {
    let (ours, reference) = (rows(ours), rows(reference));
    if ours.is_empty() {
        return Err("our file is empty".into());
    }
    let kept = (ours.len() - 1) / stride + 1;
    if kept != reference.len() {
        return Err(format!(
            "{} rows, which thinned every {stride} gives {kept}; jLEMS kept {}",
            ours.len(),
            reference.len()
        ));
    }
    let columns = reference[0].len();
    let mut checks: Vec<ColumnCheck> = (1..columns)
        .map(|c| ColumnCheck {
            allowed: TRACE_TOLERANCE_OF_RANGE * column_scale(&reference, c),
            ..ColumnCheck::default()
        })
        .collect();
    let mut identical = 0usize;
    for (kept_row, reference_row) in reference.iter().enumerate() {
        let row = kept_row * stride;
        let ours_row = &ours[row];
        if ours_row.len() != reference_row.len() {
            return Err(format!(
                "row {row}: {} columns, jLEMS has {}",
                ours_row.len(),
                reference_row.len()
            ));
        }
        if ours_row[0] != reference_row[0] {
            return Err(format!(
                "row {row}: time {}, jLEMS {}",
                ours_row[0], reference_row[0]
            ));
        }
        for (c, check) in checks.iter_mut().enumerate() {
            let (o, r) = (ours_row[c + 1], reference_row[c + 1]);
            if o == r {
                identical += 1;
                continue;
            }
            // Unreadable text and NaN against a number count as infinitely far apart.
            let difference = match (o.parse::<f64>(), r.parse::<f64>()) {
                (Ok(o), Ok(r)) if !(o - r).is_nan() => (o - r).abs(),
                _ => f64::INFINITY,
            };
            if difference > check.allowed {
                check.outside += 1;
                if check.first.is_none() {
                    check.first = Some((row, ours_row[0].into(), o.into(), r.into()));
                }
            }
            check.max_difference = check.max_difference.max(difference);
        }
    }
    let values = reference.len() * (columns - 1);
    let failing: Vec<String> = checks
        .iter()
        .enumerate()
        .filter_map(|(c, check)| {
            let (row, t, o, r) = check.first.as_ref()?;
            Some(format!(
                "column {}: {} of {} rows off, first row {row} (t = {t}): ours {o}, jLEMS {r} \
                 (allowed |Δ| {:.2e}, largest {:.2e})",
                c + 1,
                check.outside,
                reference.len(),
                check.allowed,
                check.max_difference
            ))
        })
        .collect();
    if failing.is_empty() {
        let largest = checks
            .iter()
            .map(|c| c.max_difference / c.allowed * TRACE_TOLERANCE_OF_RANGE)
            .fold(0.0, f64::max);
        Ok(format!(
            "{} rows, {identical} of {values} values the same text, largest |Δ| {largest:.1e} \
             of a column's range",
            reference.len()
        ))
    } else {
        Err(failing.join("; "))
    }
}

/// A column's range over the reference rows, or its largest magnitude when flat (1 when all
/// zero), the unit of its tolerance.
fn column_scale(reference: &[Vec<&str>], column: usize) -> f64 {
    let values = reference
        .iter()
        .filter_map(|row| row.get(column)?.parse::<f64>().ok())
        .filter(|v| v.is_finite());
    let (mut low, mut high, mut magnitude) = (f64::INFINITY, f64::NEG_INFINITY, 0.0f64);
    for v in values {
        low = low.min(v);
        high = high.max(v);
        magnitude = magnitude.max(v.abs());
    }
    if high > low {
        high - low
    } else if magnitude > 0.0 {
        magnitude
    } else {
        1.0
    }
}

/// Spike times per id, in file order. The time is the field with a decimal point or an
/// exponent (Java prints every float with one); the id is an integer.
fn spikes_by_id(text: &str, whose: &str) -> Result<BTreeMap<String, Vec<f64>>, String> {
    let mut by_id: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (index, fields) in rows(text).into_iter().enumerate() {
        let is_time = |f: &str| f.contains(['.', 'E']);
        let (id, time) = match fields.as_slice() {
            [a, b] if is_time(b) && !is_time(a) => (a, b),
            [a, b] if is_time(a) && !is_time(b) => (b, a),
            _ => {
                return Err(format!(
                    "{whose} line {}: expected an id and a time, found {fields:?}",
                    index + 1
                ))
            }
        };
        let time: f64 = time
            .parse()
            .map_err(|_| format!("{whose} line {}: `{time}` is not a time", index + 1))?;
        by_id.entry(id.to_string()).or_default().push(time);
    }
    Ok(by_id)
}

/// Compares two spike files: the same ids, the same count per id, every time within one step
/// `dt` (and float32 printing error) of jLEMS's.
pub fn compare_spikes(ours: &str, reference: &str, dt: f64) -> Result<String, String> {
    let ours = spikes_by_id(ours, "ours")?;
    let reference = spikes_by_id(reference, "jLEMS")?;
    let mut problems = Vec::new();
    let (mut spikes, mut same_step) = (0usize, 0usize);
    let ids: std::collections::BTreeSet<&String> = ours.keys().chain(reference.keys()).collect();
    for id in ids {
        let empty = Vec::new();
        let o = ours.get(id).unwrap_or(&empty);
        let r = reference.get(id).unwrap_or(&empty);
        if o.len() != r.len() {
            problems.push(format!(
                "id {id}: {} spikes, jLEMS {} (first ours {:?}, jLEMS {:?})",
                o.len(),
                r.len(),
                &o[..o.len().min(4)],
                &r[..r.len().min(4)]
            ));
            continue;
        }
        for (k, (&to, &tr)) in o.iter().zip(r).enumerate() {
            spikes += 1;
            let slack = 1e-6 * tr.abs().max(dt);
            let difference = (to - tr).abs();
            if difference <= slack {
                same_step += 1;
            } else if difference > dt + slack {
                problems.push(format!(
                    "id {id} spike {k}: t = {to}, jLEMS {tr} (more than one step of {dt} apart)"
                ));
                break;
            }
        }
    }
    if problems.is_empty() {
        Ok(format!(
            "{spikes} spikes of {} ids, {same_step} at the same step",
            ours.len()
        ))
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_gives_strides_and_whole_files() {
        let manifest = "| file | by | rows |\n|---|---|---|\n\
                        | a.dat | X.xml | 12001 rows, every 3 |\n\
                        | b.spikes | X.xml | whole |\n";
        let strides = parse_manifest(manifest);
        assert_eq!(strides.get("a.dat"), Some(&3));
        assert_eq!(strides.get("b.spikes"), Some(&1));
        assert_eq!(strides.len(), 2);
    }

    const FULL: &str = "0.0\t-0.065\t\n1.0E-5\t-0.064\t\n2.0E-5\t-0.063\t\n3.0E-5\t-0.062\t\n\
                        4.0E-5\t-0.061\t\n";

    #[test]
    fn a_full_file_matches_its_own_thinned_rows() {
        let thinned = "0.0\t-0.065\t\n2.0E-5\t-0.063\t\n4.0E-5\t-0.061\t\n";
        let summary = compare_dat(FULL, thinned, 2).unwrap();
        assert!(summary.starts_with("3 rows, 3 of 3 values"), "{summary}");
    }

    #[test]
    fn a_value_off_by_more_than_the_tolerance_is_reported_with_its_row_and_time() {
        let thinned = "0.0\t-0.065\t\n2.0E-5\t-0.0631\t\n4.0E-5\t-0.061\t\n";
        let why = compare_dat(FULL, thinned, 2).unwrap_err();
        assert!(why.contains("column 1: 1 of 3 rows off"), "{why}");
        assert!(
            why.contains("row 2 (t = 2.0E-5): ours -0.063, jLEMS -0.0631"),
            "{why}"
        );
    }

    #[test]
    fn a_tiny_difference_within_the_range_tolerance_passes() {
        // Range 0.004 V: 1e-6 of it is 4e-9 V.
        let thinned = "0.0\t-0.065\t\n2.0E-5\t-0.063000001\t\n4.0E-5\t-0.061\t\n";
        assert!(compare_dat(FULL, thinned, 2).is_ok());
    }

    #[test]
    fn a_missing_row_or_a_shifted_time_fails() {
        let short = "0.0\t-0.065\t\n2.0E-5\t-0.063\t\n";
        let why = compare_dat(FULL, short, 2).unwrap_err();
        assert!(why.contains("5 rows"), "{why}");
        let shifted = "0.0\t-0.065\t\n2.1E-5\t-0.063\t\n4.0E-5\t-0.061\t\n";
        let why = compare_dat(FULL, shifted, 2).unwrap_err();
        assert!(why.contains("time 2.0E-5, jLEMS 2.1E-5"), "{why}");
    }

    #[test]
    fn spikes_match_within_one_step_in_either_layout() {
        let ours = "0\t0.0565\n0\t0.09176\n";
        let jlems = "0\t0.0565\n0\t0.09175\n";
        let summary = compare_spikes(ours, jlems, 1e-5).unwrap();
        assert_eq!(summary, "2 spikes of 1 ids, 1 at the same step");
        let time_id = "0.02705\t1\n";
        assert!(compare_spikes(time_id, time_id, 1e-5).is_ok());
    }

    #[test]
    fn spikes_two_steps_apart_or_missing_fail() {
        let jlems = "0\t0.0565\n0\t0.09175\n";
        let late = "0\t0.0565\n0\t0.09177\n";
        let why = compare_spikes(late, jlems, 1e-5).unwrap_err();
        assert!(why.contains("id 0 spike 1"), "{why}");
        let missing = "0\t0.0565\n";
        let why = compare_spikes(missing, jlems, 1e-5).unwrap_err();
        assert!(why.contains("id 0: 1 spikes, jLEMS 2"), "{why}");
    }
}
