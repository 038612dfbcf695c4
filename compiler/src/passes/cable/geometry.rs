//! A multi-compartment cell's nodes, membrane areas and axial resistances, discretised exactly
//! as NEURON discretises the sections our NEURON export builds (`h.Section`, `nseg`, `pt3dadd`,
//! `child.connect(parent(x), 0)`, `Ra`), so that a native simulation solves the same cable
//! equations as NEURON.
//!
//! Nodes, as NEURON makes them:
//! - every section has `nseg` centre nodes, at x = (i + 0.5)/nseg, and a node of zero area at
//!   its 1 end;
//! - a section without a parent (the root) also has a node of zero area at its 0 end;
//! - a child's 0 end is not a node of its own: its first centre node hangs off the node its
//!   parent has at the x of attachment — the parent's 1-end node for x = 1, the centre node of
//!   the segment holding x for 0 < x < 1, and for x = 0 whatever node the parent's own 0 end
//!   is (following the chain up to the root's 0-end node).
//!
//! Areas and resistances integrate the pt3d points piecewise: each segment is split at its
//! centre into two halves, each half integrated over the frusta between consecutive 3-D
//! points, with the diameter interpolated linearly in arc length where a half starts or ends
//! between two points. A centre node's area is its segment's lateral frustum area; its
//! resistance to its parent is the left half of its segment plus the right half of the
//! segment before it (nothing more for a section's first node: the parent's node is a point);
//! an end node's resistance is the right half of the section's last segment.
//!
//! NEURON keeps the points in single precision (its `Pt3d` holds floats), which changes areas
//! by up to ~1e-7 relative: the points are rounded the same way here.
//!
//! Units: µm, µm², Ω·cm (Ra), MΩ (resistances) — those of NEURON's `seg.area()` and
//! `seg.ri()`.

use std::f64::consts::PI;

use crate::back::neuron::morphology::CellLayout;

/// The cell as NEURON's tree of nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct CellCable {
    /// Parents before children: a section's nodes come after its parent section's.
    pub nodes: Vec<CableNode>,
    /// Where each section's nodes are, indexed like `CellLayout::sections`.
    pub sections: Vec<SectionNodes>,
}

/// One node of the cable: a segment's centre or a section end.
#[derive(Clone, Debug, PartialEq)]
pub struct CableNode {
    /// Index into `CellCable::nodes`; `None` only for the root's 0-end node.
    pub parent: Option<usize>,
    /// Membrane area (µm², NEURON's `seg.area()`); 0 for the end nodes.
    pub area_um2: f64,
    /// Axial resistance between this node and its parent (MΩ, NEURON's `seg.ri()`);
    /// infinite for the root's 0-end node, which has no parent.
    pub ri_megohm: f64,
    /// Mean diameter of the segment (µm, NEURON's `seg.diam`); for an end node, that of the
    /// section's nearest segment (as NEURON reports `sec(0).diam` and `sec(1).diam`).
    pub diam_um: f64,
    /// The section (index into `CellLayout::sections`) and x along it: (i + 0.5)/nseg for a
    /// centre node, 0 or 1 for an end node.
    pub section: usize,
    pub x: f64,
}

impl CableNode {
    /// Whether the node is a segment's centre, that is, has membrane.
    pub fn is_centre(&self) -> bool {
        self.x > 0.0 && self.x < 1.0
    }
}

/// The nodes of one section.
#[derive(Clone, Debug, PartialEq)]
pub struct SectionNodes {
    /// The node at x = 0: the root's own 0-end node, else the node the section hangs off (in
    /// an ancestor section).
    pub start: usize,
    /// The first of the `nseg` centre nodes, which are consecutive.
    pub first_centre: usize,
    pub nseg: usize,
    /// The node at x = 1.
    pub end: usize,
}

impl SectionNodes {
    /// Indices of the centre nodes, proximal to distal.
    pub fn centres(&self) -> std::ops::Range<usize> {
        self.first_centre..self.first_centre + self.nseg
    }
}

impl CellCable {
    /// NEURON's node for `sec(x)`: x ≤ 0 gives the section's 0 end (see [`SectionNodes::start`]),
    /// x ≥ 1 its 1-end node, otherwise the centre of the segment holding x (segment
    /// ⌊nseg·x⌋, as NEURON truncates it).
    pub fn node_at(&self, section: usize, x: f64) -> usize {
        let nodes = &self.sections[section];
        if x <= 0.0 {
            nodes.start
        } else if x >= 1.0 {
            nodes.end
        } else {
            nodes.first_centre + segment_holding(nodes.nseg, x)
        }
    }
}

/// The segment (0-based) NEURON assigns to 0 < x < 1 of a section of `nseg` segments.
fn segment_holding(nseg: usize, x: f64) -> usize {
    // NEURON truncates nseg·x toward zero; x = 1 would give nseg, which belongs to the last.
    ((nseg as f64 * x) as usize).min(nseg - 1)
}

/// The nodes of `layout`'s cell, with `ra_ohm_cm[i]` the axial resistivity of section `i`.
/// A section with nseg 0 is given one segment; one with fewer than two points has no length,
/// hence no area and no resistance.
pub fn cable(layout: &CellLayout, ra_ohm_cm: &[f64]) -> CellCable {
    assert_eq!(
        layout.sections.len(),
        ra_ohm_cm.len(),
        "one axial resistivity per section"
    );
    let mut cable = CellCable {
        nodes: Vec::new(),
        sections: Vec::with_capacity(layout.sections.len()),
    };
    for (s, section) in layout.sections.iter().enumerate() {
        let nseg = section.nseg.max(1) as usize;
        let halves = integrate_halves(&section.points, nseg, ra_ohm_cm[s]);
        let start = match section.parent {
            Some((parent, x)) => cable.node_at(parent, x),
            None => cable.push(CableNode {
                parent: None,
                area_um2: 0.0,
                ri_megohm: f64::INFINITY,
                diam_um: halves[0].mean_diam_um,
                section: s,
                x: 0.0,
            }),
        };
        let first_centre = cable.nodes.len();
        let mut previous = start;
        let mut right_of_previous = 0.0;
        for (i, segment) in halves.iter().enumerate() {
            previous = cable.push(CableNode {
                parent: Some(previous),
                area_um2: segment.area_um2,
                ri_megohm: right_of_previous + segment.left_megohm,
                diam_um: segment.mean_diam_um,
                section: s,
                x: (i as f64 + 0.5) / nseg as f64,
            });
            right_of_previous = segment.right_megohm;
        }
        let end = cable.push(CableNode {
            parent: Some(previous),
            area_um2: 0.0,
            ri_megohm: right_of_previous,
            diam_um: halves[nseg - 1].mean_diam_um,
            section: s,
            x: 1.0,
        });
        cable.sections.push(SectionNodes {
            start,
            first_centre,
            nseg,
            end,
        });
    }
    cable
}

/// NEURON's default axial resistivity (Ω·cm), which a section keeps when no
/// `resistivity` of the cell covers it.
pub const NEURON_DEFAULT_RA: f64 = 35.4;

/// Each section's axial resistivity (Ω·cm) as our NEURON export sets `Ra`: the cell's
/// `resistivity` entries in order, each over its segment group (the whole cell for none, or
/// for a group the layout does not know), a later entry overriding an earlier one.
pub fn axial_resistivity(layout: &CellLayout) -> Vec<f64> {
    let mut ra = vec![NEURON_DEFAULT_RA; layout.sections.len()];
    for (group, value) in &layout.biophysics.resistivity {
        let sections = group
            .as_ref()
            .and_then(|name| layout.groups.iter().find(|g| &g.name == name))
            .map(|g| g.sections.clone())
            .unwrap_or_else(|| (0..layout.sections.len()).collect());
        for s in sections {
            ra[s] = *value;
        }
    }
    ra
}

impl CellCable {
    fn push(&mut self, node: CableNode) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }
}

/// One segment's integrals.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct SegmentIntegrals {
    area_um2: f64,
    /// Resistance of the proximal (left) and distal (right) half, MΩ.
    left_megohm: f64,
    right_megohm: f64,
    mean_diam_um: f64,
}

/// A section's length (µm, NEURON's `L`): the arc length through its pt3d points.
pub fn section_length(points: &[[f64; 4]]) -> f64 {
    let stored: Vec<[f32; 4]> = points.iter().map(stored).collect();
    arc_lengths(&stored).last().copied().unwrap_or(0.0)
}

/// A pt3d point as NEURON keeps it: x, y, z and diameter in single precision.
fn stored(point: &[f64; 4]) -> [f32; 4] {
    point.map(|v| v as f32)
}

/// Cumulative arc length at each point (µm), as NEURON sums it: each coordinate difference
/// taken in single precision, the rest in double.
fn arc_lengths(points: &[[f32; 4]]) -> Vec<f64> {
    let mut arcs = Vec::with_capacity(points.len());
    let mut arc = 0.0;
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            let q = &points[i - 1];
            let [dx, dy, dz] = [0, 1, 2].map(|k| (p[k] - q[k]) as f64);
            arc += (dx * dx + dy * dy + dz * dz).sqrt();
        }
        arcs.push(arc);
    }
    arcs
}

/// Area and half resistances of each of the `nseg` equal-length segments of a section with
/// these pt3d points. The section is walked once, proximal to distal: each half segment adds
/// up the frusta from where the last one stopped to its own end, which falls either on a
/// point or between two (diameter interpolated there). The floors below (1e-15 for a length
/// or a conductance) keep zero-length pieces and zero diameters finite, as NEURON's do, and
/// the sums are formed in NEURON's order so that the results agree to rounding.
fn integrate_halves(points: &[[f64; 4]], nseg: usize, ra_ohm_cm: f64) -> Vec<SegmentIntegrals> {
    if points.len() < 2 {
        return vec![SegmentIntegrals::default(); nseg];
    }
    let points: Vec<[f32; 4]> = points.iter().map(stored).collect();
    let arcs = arc_lengths(&points);
    let diam = |j: usize| (points[j][3] as f64).abs();
    let last = points.len() - 1;
    let ds = arcs[last] / nseg as f64;
    // Ω·cm · µm⁻¹ · 4/π, in MΩ.
    let megohm = |sum: f64| sum * ra_ohm_cm / PI * (4.0 * 0.01);
    // The walk's position: the point j at or before it, and its arc length and diameter.
    let mut j = 0;
    let (mut s1, mut d1) = (arcs[0], diam(0));
    let mut segments = Vec::with_capacity(nseg);
    for i in 0..nseg {
        let mut half_start = i as f64 * ds;
        let (mut diam_sum, mut area_sum) = (0.0, 0.0);
        let mut half_resistance = [0.0; 2];
        for resistance in &mut half_resistance {
            let half_end = half_start + ds / 2.0;
            let mut sum = 0.0;
            loop {
                let next = j + 1;
                let (sj, snext) = (arcs[j], arcs[next]);
                // Stop inside this piece (or at the last point, whatever round-off says).
                let stops_here = snext > half_end || next == last;
                let (s2, d2) = if stops_here {
                    let frac = if (snext - sj).abs() < 1e-10 {
                        1.0
                    } else {
                        (half_end - sj) / (snext - sj)
                    };
                    (half_end, (1.0 - frac) * diam(j) + frac * diam(next))
                } else {
                    (snext, diam(next))
                };
                let mut length = s2 - s1;
                diam_sum += (d2 + d1) * length;
                if length < 1e-15 {
                    length = 1e-15;
                }
                let mut conductance_like = d2 * d1 / length;
                if conductance_like == 0.0 {
                    conductance_like = 1e-15;
                }
                sum += 1.0 / conductance_like;
                let taper = 0.5 * (d2 - d1);
                area_sum += (d2 + d1) * (length * length + taper * taper).sqrt();
                s1 = s2;
                d1 = d2;
                if stops_here {
                    break;
                }
                j = next;
            }
            *resistance = megohm(sum);
            half_start = half_end;
        }
        segments.push(SegmentIntegrals {
            area_um2: area_sum * 0.5 * PI,
            left_megohm: half_resistance[0],
            right_megohm: half_resistance[1],
            // A section of no length has no mean: its first point's diameter stands in.
            mean_diam_um: if ds > 0.0 {
                diam_sum * 0.5 / ds
            } else {
                diam(0)
            },
        });
    }
    segments
}

#[cfg(test)]
mod tests;
