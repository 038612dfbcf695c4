//! Plots of a run's `<Display>`s (`lemsc FILE --plot`): one PNG and one SVG per Display,
//! named after its id, in the output folder.
//!
//! The Lines are recorded only when plots are asked for: [`PlotPlan::traced_ir`] adds one
//! trace file per Display (time, then one column per Line) in a private temporary folder,
//! which the run writes like any OutputFile; [`PlotPlan::draw`] reads them back, draws the
//! charts and the folder is removed when the plan is dropped. A run without `--plot`
//! records nothing more.

pub mod displays;
pub mod draw;
pub mod traces;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::confine::WriteRoot;
use crate::diag::Diagnostic;
use crate::ir::{Ir, OutputColumn, OutputFile};
use crate::model::Model;
use displays::DisplaySpec;
pub use draw::{HEIGHT, WIDTH};

/// Colours of Lines that give none (or not as `#rrggbb`).
const PALETTE: [(u8, u8, u8); 6] = [
    (0x1f, 0x77, 0xb4),
    (0xd6, 0x27, 0x28),
    (0x2c, 0xa0, 0x2c),
    (0xff, 0x7f, 0x0e),
    (0x94, 0x67, 0xbd),
    (0x8c, 0x56, 0x4b),
];

/// The plots one run will draw, with the files they go to.
pub struct PlotPlan {
    displays: Vec<PlannedDisplay>,
    /// Where the trace files are written; removed with the plan.
    trace_dir: PathBuf,
    /// Length of the simulation (s), for a Display without an x range.
    length: f64,
}

struct PlannedDisplay {
    spec: DisplaySpec,
    png: PathBuf,
    svg: PathBuf,
    /// The trace file of its Lines (none for a Display without Lines).
    trace: Option<PathBuf>,
}

/// Reads the Displays of the target Simulation and checks that their files may be written
/// in `root` (as output files are; an error at the Display where not).
pub fn plan(model: &Model, ir: &Ir, root: &WriteRoot) -> Result<PlotPlan, Vec<Diagnostic>> {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let trace_dir = std::env::temp_dir().join(format!(
        "lemsc-plot-{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    ));
    let mut planned = Vec::new();
    let mut errors = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for (index, spec) in displays::displays(model, ir).into_iter().enumerate() {
        let mut name = if spec.id.is_empty() {
            format!("display{}", index + 1)
        } else {
            spec.id.clone()
        };
        if names.contains(&name) {
            name = format!("{name}_{}", index + 1);
        }
        names.push(name.clone());
        let mut files = Vec::new();
        for ext in ["png", "svg"] {
            let file = format!("{name}.{ext}");
            let path = root.folder().join(&file);
            match root.check(&path) {
                Ok(_) => files.push(path),
                Err(why) => errors.push(
                    Diagnostic::at(spec.span, format!("will not write plot '{file}': it {why}"))
                        .with_note(format!("{} {why}", path.display())),
                ),
            }
        }
        if let Ok([png, svg]) = <[PathBuf; 2]>::try_from(files) {
            let trace = (!spec.lines.is_empty()).then(|| trace_dir.join(format!("{index}.dat")));
            planned.push(PlannedDisplay {
                spec,
                png,
                svg,
                trace,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PlotPlan {
        displays: planned,
        trace_dir,
        length: ir.simulation.length,
    })
}

impl PlotPlan {
    /// `ir` with one more OutputFile per Display that has Lines: its trace file.
    pub fn traced_ir(&self, ir: &Ir) -> Ir {
        let mut traced = ir.clone();
        for d in &self.displays {
            let Some(trace) = &d.trace else { continue };
            traced.output_files.push(OutputFile {
                id: format!("plot of Display {}", d.spec.id),
                file_name: trace.to_string_lossy().into_owned(),
                columns: d
                    .spec
                    .lines
                    .iter()
                    .map(|l| OutputColumn {
                        id: l.id.clone(),
                        target: l.target.clone(),
                    })
                    .collect(),
            });
        }
        traced
    }

    /// Is `path` one of the trace files (not an output of the model)?
    pub fn is_trace(&self, path: &Path) -> bool {
        path.starts_with(&self.trace_dir)
    }

    /// The plot files, PNG then SVG for each Display.
    pub fn files(&self) -> Vec<PathBuf> {
        self.displays
            .iter()
            .flat_map(|d| [d.png.clone(), d.svg.clone()])
            .collect()
    }

    /// Draws every Display from the traces of the finished run; the files written.
    pub fn draw(&self) -> Result<Vec<PathBuf>, String> {
        for d in &self.displays {
            let trace = match &d.trace {
                Some(path) => traces::read_trace(path, d.spec.lines.len())?,
                None => traces::Trace::default(),
            };
            let chart = self.chart(&d.spec, &trace);
            let fail = |path: &Path, e: String| format!("cannot write {}: {e}", path.display());
            if let Some(folder) = d.png.parent() {
                std::fs::create_dir_all(folder).map_err(|e| fail(&d.png, e.to_string()))?;
            }
            draw::write_png(&chart, &d.png).map_err(|e| fail(&d.png, e))?;
            draw::write_svg(&chart, &d.svg).map_err(|e| fail(&d.svg, e))?;
        }
        Ok(self.files())
    }

    /// The chart of one Display: each Line scaled, on the Display's axes.
    fn chart(&self, spec: &DisplaySpec, trace: &traces::Trace) -> draw::Chart {
        let x_range = spec
            .x_range
            .unwrap_or((0.0, (self.length / spec.time_scale).max(f64::MIN_POSITIVE)));
        let one_unit = spec
            .lines
            .windows(2)
            .all(|pair| pair[0].unit == pair[1].unit);
        let series: Vec<draw::Series> = spec
            .lines
            .iter()
            .zip(&trace.columns)
            .enumerate()
            .map(|(i, (line, values))| {
                let xs: Vec<f64> = trace.times.iter().map(|t| t / line.time_scale).collect();
                let ys: Vec<f64> = values.iter().map(|v| v / line.scale).collect();
                let label = if one_unit || line.unit.is_empty() {
                    line.id.clone()
                } else {
                    format!("{} ({})", line.id, line.unit)
                };
                draw::Series {
                    label,
                    color: line
                        .color
                        .filter(|&c| !too_light(c))
                        .unwrap_or(PALETTE[i % PALETTE.len()]),
                    points: traces::thin(&xs, &ys, x_range, draw::PLOT_PIXELS),
                }
            })
            .collect();
        let y_range = spec
            .y_range
            .unwrap_or_else(|| data_range(series.iter().flat_map(|s| &s.points)));
        draw::Chart {
            title: spec.title.clone(),
            x_label: format!("time ({})", spec.time_unit),
            y_label: match spec.lines.first() {
                Some(first) if one_unit => first.unit.clone(),
                _ => String::new(),
            },
            x_range,
            y_range,
            series,
        }
    }
}

impl Drop for PlotPlan {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.trace_dir);
    }
}

/// Would a line of this colour vanish on the white background (jLEMS draws on black, and
/// some examples give white Lines)?
fn too_light((r, g, b): (u8, u8, u8)) -> bool {
    let luminance = 0.2126 * f64::from(r) + 0.7152 * f64::from(g) + 0.0722 * f64::from(b);
    luminance > 0.85 * 255.0
}

/// The y values' range with a margin, for a Display that gives none.
fn data_range<'a>(points: impl Iterator<Item = &'a (f64, f64)>) -> (f64, f64) {
    let (lo, hi) = points.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, y)| {
        (lo.min(y), hi.max(y))
    });
    if !(lo.is_finite() && hi.is_finite()) {
        return (-1.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.05
    } else {
        lo.abs().max(1.0) * 0.05
    };
    (lo - pad, hi + pad)
}
