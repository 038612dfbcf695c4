//! The recorded values of a Display's Lines, read back from the trace file the run wrote
//! (time, then one column per Line), and thinned to what a plot of a given width can show.

use std::path::Path;

/// Columns of a trace file: `times` and one `Vec` per Line, all of one length.
#[derive(Debug, Default)]
pub struct Trace {
    pub times: Vec<f64>,
    pub columns: Vec<Vec<f64>>,
}

/// Reads a file of rows `t v1 v2 ...` (whitespace-separated) with `columns` values each.
pub fn read_trace(path: &Path, columns: usize) -> Result<Trace, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the trace {}: {e}", path.display()))?;
    let mut trace = Trace {
        times: Vec::new(),
        columns: vec![Vec::new(); columns],
    };
    for (n, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace().map(str::parse::<f64>);
        let bad = || format!("{}:{}: not a row of numbers", path.display(), n + 1);
        let t = fields.next().ok_or_else(bad)?.map_err(|_| bad())?;
        trace.times.push(t);
        for column in &mut trace.columns {
            column.push(fields.next().ok_or_else(bad)?.map_err(|_| bad())?);
        }
    }
    Ok(trace)
}

/// The points `(x, y)` of one line thinned to at most four a pixel column: the first, the
/// lowest, the highest and the last of each, in time order. A spike narrower than a pixel
/// keeps its peak; a million-step run still makes a small SVG. Non-finite values are left
/// out.
pub fn thin(xs: &[f64], ys: &[f64], x_range: (f64, f64), pixels: usize) -> Vec<(f64, f64)> {
    let (x0, x1) = x_range;
    let width = (x1 - x0).max(f64::MIN_POSITIVE);
    let pixels = pixels.max(1);
    let mut out = Vec::new();
    let mut bucket: Option<(i64, [usize; 4])> = None; // (pixel, [first, min, max, last])
    let flush = |b: [usize; 4], out: &mut Vec<(f64, f64)>| {
        let mut picked = b;
        picked.sort_unstable();
        let mut last = usize::MAX;
        for i in picked {
            if i != last {
                out.push((xs[i], ys[i]));
                last = i;
            }
        }
    };
    for (i, (&x, &y)) in xs.iter().zip(ys).enumerate() {
        if !x.is_finite() || !y.is_finite() {
            continue;
        }
        let pixel = ((x - x0) / width * pixels as f64).floor() as i64;
        match &mut bucket {
            Some((p, b)) if *p == pixel => {
                if y < ys[b[1]] {
                    b[1] = i;
                }
                if y > ys[b[2]] {
                    b[2] = i;
                }
                b[3] = i;
            }
            _ => {
                if let Some((_, b)) = bucket.take() {
                    flush(b, &mut out);
                }
                bucket = Some((pixel, [i; 4]));
            }
        }
    }
    if let Some((_, b)) = bucket {
        flush(b, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_a_narrow_spike_and_bounds_the_points() {
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
        let mut ys = vec![0.0; n];
        ys[50_001] = 1.0;
        ys[70_000] = -2.0;
        let points = thin(&xs, &ys, (0.0, 1.0), 100);
        assert!(points.len() <= 4 * 101, "{}", points.len());
        assert!(points.iter().any(|&(_, y)| y == 1.0));
        assert!(points.iter().any(|&(_, y)| y == -2.0));
        assert!(points.windows(2).all(|w| w[0].0 <= w[1].0));
        assert_eq!(points.first(), Some(&(0.0, 0.0)));
        assert_eq!(points.last().map(|p| p.0), xs.last().copied());
    }

    #[test]
    fn a_trace_file_is_read_by_columns() {
        let dir = std::env::temp_dir().join(format!("lemsc-trace-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.dat");
        std::fs::write(&path, "0.0\t-0.065\t1.0\t\n1.0E-5\t-0.064\t2.0\t\n").unwrap();
        let trace = read_trace(&path, 2).unwrap();
        assert_eq!(trace.times, vec![0.0, 1.0e-5]);
        assert_eq!(trace.columns, vec![vec![-0.065, -0.064], vec![1.0, 2.0]]);
        assert!(read_trace(&path, 3).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
