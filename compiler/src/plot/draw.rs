//! Drawing one chart with plotters, to PNG (its bitmap backend, text rasterised with the
//! DejaVu Sans font built into the binary: no system font or library is needed) and to SVG.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

/// Size of every plot, in pixels (PNG) or user units (SVG).
pub const WIDTH: u32 = 900;
pub const HEIGHT: u32 = 560;

/// The font family the charts name; registered once with the bundled font.
const FONT: &str = "sans-serif";

/// What one Display draws.
#[derive(Clone, Debug)]
pub struct Chart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    pub series: Vec<Series>,
}

/// One Line: its legend text, colour and points (already scaled and thinned).
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub color: (u8, u8, u8),
    pub points: Vec<(f64, f64)>,
}

/// The width of the plotting area in pixels, about: how finely points are worth keeping.
pub const PLOT_PIXELS: usize = WIDTH as usize - 120;

/// The bitmap is drawn twice as large and shrunk, averaging: plotters draws lines without
/// anti-aliasing, and this smooths them.
const SUPERSAMPLE: u32 = 2;

/// Writes `chart` as a PNG file.
pub fn write_png(chart: &Chart, path: &Path) -> Result<(), String> {
    register_font();
    let (w, h) = (WIDTH * SUPERSAMPLE, HEIGHT * SUPERSAMPLE);
    let mut large = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut large, (w, h)).into_drawing_area();
        draw(&root, chart, SUPERSAMPLE)?;
        root.present().map_err(|e| e.to_string())?;
    }
    let pixels = shrink(&large);
    let mut encoded = Vec::new();
    let mut encoder = png::Encoder::new(&mut encoded, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer
        .write_image_data(&pixels)
        .map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    write_whole(path, &encoded)
}

/// Writes `chart` as an SVG file: one `<polyline>` per series, text as `<text>`.
pub fn write_svg(chart: &Chart, path: &Path) -> Result<(), String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, chart, 1)?;
        root.present().map_err(|e| e.to_string())?;
    }
    write_whole(path, text.as_bytes())
}

/// Writes `bytes` under a temporary name beside `path`, then renames it: a plot file is
/// either complete or absent.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let partial = path.with_file_name(format!(".{name}.partial"));
    let written = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written.map_err(|e| e.to_string())
}

fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // DejaVu Sans is a valid TrueType font: registering it cannot fail.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

/// An RGB image of `2 * WIDTH` by `2 * HEIGHT` pixels shrunk to `WIDTH` by `HEIGHT`, each
/// pixel the mean of the 2×2 block it replaces. (Plain indexing: this runs for every pixel,
/// and stays quick in unoptimised test builds.)
fn shrink(large: &[u8]) -> Vec<u8> {
    let row = WIDTH as usize * 3;
    let mut out = vec![0u8; row * HEIGHT as usize];
    for (y, out_row) in out.chunks_exact_mut(row).enumerate() {
        let top = &large[2 * y * 2 * row..][..2 * row];
        let bottom = &large[(2 * y + 1) * 2 * row..][..2 * row];
        for (i, value) in out_row.iter_mut().enumerate() {
            let j = 6 * (i / 3) + i % 3;
            let sum = u16::from(top[j])
                + u16::from(top[j + 3])
                + u16::from(bottom[j])
                + u16::from(bottom[j + 3]);
            *value = ((sum + 2) / 4) as u8;
        }
    }
    out
}

/// A tick value as people write it: `20`, `0.25`, `-1.5e-10`.
fn tick(v: &f64) -> String {
    let v = if v.abs() < 1e-12 { 0.0 } else { *v };
    if v == 0.0 || (1e-4..1e6).contains(&v.abs()) {
        let text = format!("{v:.6}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        text.to_string()
    } else {
        format!("{v:.2e}")
    }
}

/// Draws `chart` on `root`; `s` multiplies every size in pixels (for supersampling).
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    s: u32,
) -> Result<(), String>
where
    DB::ErrorType: 'static,
{
    let px = |n: u32| n * s;
    let fail = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(fail)?;
    let (x0, x1) = chart.x_range;
    let (y0, y1) = chart.y_range;
    let mut builder = ChartBuilder::on(root);
    builder
        .margin_top(px(12))
        .margin_right(px(36))
        .margin_left(px(12))
        .margin_bottom(px(8))
        .x_label_area_size(px(52))
        .y_label_area_size(px(84));
    if !chart.title.is_empty() {
        builder.caption(&chart.title, (FONT, px(20)).into_font().color(&BLACK));
    }
    let mut ctx = builder.build_cartesian_2d(x0..x1, y0..y1).map_err(fail)?;
    ctx.configure_mesh()
        .x_desc(&chart.x_label)
        .y_desc(&chart.y_label)
        .label_style((FONT, px(14)))
        .axis_desc_style((FONT, px(16)))
        .set_all_tick_mark_size(px(5))
        .x_label_formatter(&tick)
        .y_label_formatter(&tick)
        .axis_style(BLACK.stroke_width(s))
        .bold_line_style(BLACK.mix(0.12).stroke_width(s))
        .light_line_style(BLACK.mix(0.0))
        .x_labels(10)
        .y_labels(8)
        .draw()
        .map_err(fail)?;
    for series in &chart.series {
        let (r, g, b) = series.color;
        let color = RGBColor(r, g, b);
        // Values beyond the y range are drawn at its edge, so that each Line stays one
        // polyline and nothing is drawn outside the plotting area.
        let points: Vec<(f64, f64)> = series
            .points
            .iter()
            .filter(|&&(x, _)| x >= x0 && x <= x1)
            .map(|&(x, y)| (x, y.clamp(y0, y1)))
            .collect();
        let (half, long, width) = (px(2) as i32, px(18) as i32, px(2));
        let drawn = if s == 1 {
            ctx.draw_series(LineSeries::new(points, color.stroke_width(width)))
        } else {
            // The mitred joins of a thick polyline shoot far past sharp turns (the tip of a
            // spike): in the bitmap each segment is drawn alone and the joins are dots.
            let segments = points
                .windows(2)
                .map(|w| PathElement::new(vec![w[0], w[1]], color.stroke_width(width)));
            ctx.draw_series(segments).map_err(fail)?;
            let joins = points
                .iter()
                .map(|&p| Circle::new(p, width / 2, color.filled()));
            ctx.draw_series(joins)
        };
        drawn
            .map_err(fail)?
            .label(&series.label)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - half), (x + long, y + half)], color.filled())
            });
    }
    if !chart.series.is_empty() {
        ctx.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.filled())
            .border_style(BLACK.mix(0.4).stroke_width(s))
            .label_font((FONT, px(14)))
            .margin(px(8))
            .legend_area_size(px(24))
            .draw()
            .map_err(fail)?;
    }
    Ok(())
}
