//! What a Simulation's `<Display>`s ask to be drawn, read from the model: title, axis
//! ranges, time scale, and each `<Line>` with its recorded quantity, scale and colour.

use crate::diag::Span;
use crate::ir::{Ir, VarRef};
use crate::model::component::{CompId, Component};
use crate::model::Model;

/// One `<Display>`.
#[derive(Clone, Debug)]
pub struct DisplaySpec {
    pub id: String,
    pub title: String,
    /// The element, for errors about its plot files.
    pub span: Span,
    /// x range in the Display's time units; None where not given or empty.
    pub x_range: Option<(f64, f64)>,
    /// y range as given (`ymin`, `ymax`); None where not given or empty.
    pub y_range: Option<(f64, f64)>,
    /// Seconds per unit of the time axis, and that unit (`ms` for `timeScale="1ms"`).
    pub time_scale: f64,
    pub time_unit: String,
    pub lines: Vec<LineSpec>,
}

/// One `<Line>` whose quantity resolved to a variable.
#[derive(Clone, Debug)]
pub struct LineSpec {
    pub id: String,
    pub target: VarRef,
    /// Values are divided by this (SI) before they are drawn: `scale="1mV"` shows mV.
    pub scale: f64,
    /// The unit the scale names (`mV`; empty for a plain number).
    pub unit: String,
    /// Seconds per unit of the x axis for this line (its own `timeScale`, else the
    /// Display's).
    pub time_scale: f64,
    /// `#rrggbb`, where the Line gives a valid one.
    pub color: Option<(u8, u8, u8)>,
}

/// Every Display of the target Simulation, in the order written, with the Lines that
/// resolved (a Line that reads nothing was already dropped with a warning).
pub fn displays(model: &Model, ir: &Ir) -> Vec<DisplaySpec> {
    let sim = model.component(ir.simulation.component);
    sim.children
        .iter()
        .filter(|(slot, _)| slot == "displays")
        .map(|(_, id)| display(model, ir, *id))
        .collect()
}

fn display(model: &Model, ir: &Ir, id: CompId) -> DisplaySpec {
    let c = model.component(id);
    let time_scale = positive(c, "timeScale").unwrap_or(1.0);
    let time_unit = c
        .param("timeScale")
        .map(|p| unit_of(&p.written))
        .unwrap_or_else(|| "s".to_string());
    let lines = c
        .children
        .iter()
        .filter(|(slot, _)| slot == "lines")
        .filter_map(|(_, line)| {
            let target = ir.display_lines.iter().find(|l| l.line == *line)?;
            let lc = model.component(*line);
            Some(LineSpec {
                id: lc.id.clone().unwrap_or_default(),
                target: target.target.clone(),
                scale: lc
                    .param("scale")
                    .map(|p| p.si)
                    .filter(|s| s.is_finite() && *s != 0.0)
                    .unwrap_or(1.0),
                unit: lc
                    .param("scale")
                    .map(|p| unit_of(&p.written))
                    .unwrap_or_default(),
                time_scale: positive(lc, "timeScale").unwrap_or(time_scale),
                color: lc.text("color").and_then(hex_color),
            })
        })
        .collect();
    DisplaySpec {
        id: c.id.clone().unwrap_or_default(),
        title: c.text("title").unwrap_or_default().to_string(),
        span: c.span,
        x_range: range(c, "xmin", "xmax"),
        y_range: range(c, "ymin", "ymax"),
        time_scale,
        time_unit,
        lines,
    }
}

fn positive(c: &Component, name: &str) -> Option<f64> {
    c.param(name)
        .map(|p| p.si)
        .filter(|v| v.is_finite() && *v > 0.0)
}

fn range(c: &Component, min: &str, max: &str) -> Option<(f64, f64)> {
    let (lo, hi) = (c.param(min)?.si, c.param(max)?.si);
    (lo.is_finite() && hi.is_finite() && lo < hi).then_some((lo, hi))
}

/// The unit part of a quantity as written: `1mV` → `mV`, `1` → ``, `0.5 ms` → `0.5 ms`
/// (a factor other than 1 stays, so that the axis does not lie).
pub fn unit_of(written: &str) -> String {
    let written = written.trim();
    let number_len = number_prefix_len(written);
    let (number, unit) = written.split_at(number_len);
    let unit = unit.trim();
    match number.parse::<f64>() {
        Ok(n) if n == 1.0 => unit.to_string(),
        Ok(_) if unit.is_empty() => format!("×{number}"),
        Ok(_) => format!("{number} {unit}"),
        Err(_) => unit.to_string(),
    }
}

/// The length of the number at the start of `s` (`-1.5e-3mV` → 7).
fn number_prefix_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let mut any = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        any |= digits(&mut i);
    }
    if !any {
        return 0;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        if digits(&mut j) {
            i = j;
        }
    }
    i
}

/// `#ee40FF` → (0xee, 0x40, 0xff).
pub fn hex_color(text: &str) -> Option<(u8, u8, u8)> {
    let hex = text.trim().strip_prefix('#')?;
    if hex.len() != 6 || !hex.is_ascii() {
        return None;
    }
    let part = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((part(0)?, part(2)?, part(4)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_read_from_the_written_scale() {
        assert_eq!(unit_of("1mV"), "mV");
        assert_eq!(unit_of("1 ms"), "ms");
        assert_eq!(unit_of("1"), "");
        assert_eq!(unit_of("1e-3"), "×1e-3");
        assert_eq!(unit_of("0.5ms"), "0.5 ms");
        assert_eq!(unit_of("1.0e0nA"), "nA");
    }

    #[test]
    fn colours_are_hex_triples() {
        assert_eq!(hex_color("#ee40FF"), Some((0xee, 0x40, 0xff)));
        assert_eq!(hex_color("#000000"), Some((0, 0, 0)));
        assert_eq!(hex_color("red"), None);
        assert_eq!(hex_color("#12345"), None);
    }
}
