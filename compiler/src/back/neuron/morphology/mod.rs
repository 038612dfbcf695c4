//! Sections, nseg, 3-D points and biophysics of a NeuroML `<cell>`, as NEURON wants them
//! (docs/neuron-target.md §2.4).
//!
//! - Every segment group marked as an unbranched, non-overlapping cable (NeuroLex
//!   `sao864921383`) becomes one section holding its segments in order; every other segment is
//!   a section of its own.
//! - A section attaches at its first segment's parent, at the x where that parent segment's
//!   `fractionAlong` falls on the parent's section.
//! - Lengths are µm (NeuroML morphologies are written in µm); capacitance µF/cm², axial
//!   resistivity Ω·cm, conductance density S/cm², permeability cm/s, potentials mV,
//!   concentrations mM: the units of NEURON's `cm`, `Ra`, `gmax`, `e<ion>` and `<ion>i/o`.
//!
//! [`layout`] reads the model; [`CellLayout::locate`] turns a `segmentId`/`fractionAlong` into a
//! section and x, for synapses, inputs and recordings. This file holds the layout's types and
//! the helpers that read a cell's parts; the steps are modules of their own:
//! - `segments`: the segments as a tree;
//! - `groups`: the segment groups, includes and paths resolved;
//! - `sections`: sections, their points, nseg and attachment, and each group's sections;
//! - `biophysics`: `biophysicalProperties` in NEURON's units.

mod biophysics;
mod groups;
mod sections;
mod segments;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde::Serialize;

pub use biophysics::variable_parameter;

use biophysics::*;
use groups::*;
use sections::*;
use segments::*;

use crate::diag::Diagnostic;
use crate::model::component::{CompId, Component};
use crate::model::Model;

/// NeuroLex id of an unbranched, non-overlapping cable: such a group is one NEURON section.
const UNBRANCHED_CABLE: &str = "sao864921383";
/// The group that means every segment, whether the morphology defines it or not.
const ALL_GROUP: &str = "all";

/// A cell's sections, segment groups and biophysics.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellLayout {
    /// Parents before children, root first.
    pub sections: Vec<SectionPlan>,
    /// Every segmentGroup of the morphology, in file order, then `all` when the file lacks it.
    pub groups: Vec<GroupPlan>,
    pub biophysics: Biophysics,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectionPlan {
    /// Unique, sanitised (`[A-Za-z0-9_]`, letter first).
    pub name: String,
    /// Parent section index and the x (0..1) on it where this section's 0 end attaches.
    pub parent: Option<(usize, f64)>,
    /// pt3d points: x, y, z, diameter (µm).
    pub points: Vec<[f64; 4]>,
    /// `numberInternalDivisions` of its cable group, else 1.
    pub nseg: u32,
    /// The NeuroML segments it holds, proximal to distal.
    pub segments: Vec<SegmentSpan>,
}

/// Where one NeuroML segment lies along its section, as fractions of the section's length.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SegmentSpan {
    pub id: u32,
    pub name: Option<String>,
    pub start: f64,
    pub end: f64,
}

/// A segmentGroup and the sections holding any of its segments (ascending indices).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupPlan {
    pub name: String,
    pub sections: Vec<usize>,
}

/// Membrane and intracellular properties. A group of `None` means the whole cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Biophysics {
    /// µF/cm².
    pub specific_capacitance: Vec<(Option<String>, f64)>,
    /// Ω·cm.
    pub resistivity: Vec<(Option<String>, f64)>,
    /// mV.
    pub init_membrane_potential: Vec<(Option<String>, f64)>,
    /// mV, the NetCon threshold; 0 mV when the cell gives no `spikeThresh`.
    pub spike_threshold: f64,
    pub channels: Vec<ChannelPlacement>,
    pub species: Vec<SpeciesPlacement>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelPlacement {
    /// The channelDensity* component.
    #[serde(serialize_with = "comp_id_as_number")]
    pub density: CompId,
    /// Its type name: channelDensity, channelDensityNernst, channelDensityGHK, ...
    pub density_kind: String,
    /// The ionChannel it uses.
    #[serde(serialize_with = "comp_id_as_number")]
    pub channel: CompId,
    /// segmentGroup; `None` = all (for the non-uniform kinds: their variableParameter's group).
    pub group: Option<String>,
    /// Set when the density is placed on one segment.
    pub segment: Option<u32>,
    /// S/cm².
    pub cond_density: Option<f64>,
    /// cm/s (channelDensityGHK).
    pub permeability: Option<f64>,
    /// mV; `None` for the Nernst, GHK and non-uniform kinds that have none.
    pub erev: Option<f64>,
    /// "na", "k", "ca"...; `None` for a non-specific current.
    pub ion: Option<String>,
    /// How the non-uniform kinds vary along the cell.
    pub variation: Option<Variation>,
}

/// A `variableParameter` of a non-uniform channel density: the mechanism computes the
/// parameter from a distance the runner sets per segment, as NEURON's `SubsetDomainIterator`
/// (metric 0, path length from the root's 0 end, in µm) measures it over the group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Variation {
    /// With `proximal translationStart`: the group's most proximal point is moved to 0.
    pub translate: bool,
    /// With `distal normalizationEnd`: the (translated) distance is divided by its largest
    /// value in the group.
    pub normalize: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpeciesPlacement {
    pub ion: String,
    #[serde(serialize_with = "comp_id_as_number")]
    pub concentration_model: CompId,
    pub group: Option<String>,
    /// mM.
    pub initial_in: f64,
    /// mM.
    pub initial_out: f64,
}

fn comp_id_as_number<S: serde::Serializer>(id: &CompId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u32(id.0)
}

impl CellLayout {
    /// Section and x (0..1 along the section) of a point `fraction_along` segment `segment_id`.
    pub fn locate(&self, segment_id: u32, fraction_along: f64) -> Option<(usize, f64)> {
        self.sections.iter().enumerate().find_map(|(i, section)| {
            let span = section.segments.iter().find(|s| s.id == segment_id)?;
            Some((i, span.start + fraction_along * (span.end - span.start)))
        })
    }

    /// The section holding segment 0 (or the root) — where a cell's spikes are detected.
    pub fn root_section(&self) -> usize {
        self.locate(0, 0.0).map_or(0, |(section, _)| section)
    }
}

/// Where each synapse and input sits on its cell: the `segmentId`/`fractionAlong` of the input
/// that made it, or the `postSegmentId`/`postFractionAlong` of its connection (either may be
/// absent: the middle of segment 0 then).
pub fn attachment_points(
    model: &Model,
    ir: &crate::ir::Ir,
) -> std::collections::BTreeMap<crate::ir::InstId, (Option<u32>, Option<f64>)> {
    let number = |comp: CompId, name: &str| {
        let c = model.component(comp);
        c.text(name)
            .and_then(|t| t.trim().parse::<f64>().ok())
            .or_else(|| c.param(name).map(|p| p.si))
    };
    let mut placed = std::collections::BTreeMap::new();
    for input in &ir.inputs {
        let seg = number(input.made_by, "segmentId").map(|x| x as u32);
        placed.insert(input.input, (seg, number(input.made_by, "fractionAlong")));
    }
    for c in &ir.event_connections {
        if let Some(r) = c.receiver {
            let seg = number(c.made_by, "postSegmentId").map(|x| x as u32);
            placed.insert(r, (seg, number(c.made_by, "postFractionAlong")));
        }
    }
    placed
}

/// Lays out `cell` (a NeuroML `cell` component): its morphology as sections and its
/// biophysical properties. Every problem found is returned, located at the component at fault.
pub fn layout(model: &Model, cell: CompId) -> Result<CellLayout, Vec<Diagnostic>> {
    let cell_comp = model.component(cell);
    let Some(morphology) = part_of(cell_comp, "morphology") else {
        return Err(vec![Diagnostic::at(
            cell_comp.name_span,
            format!("cell '{}' has no morphology", display_id(cell_comp)),
        )]);
    };
    let tree = SegmentTree::read(model, morphology)?;
    let groups = GroupSet::read(model, morphology, &tree)?;
    let sections = build_sections(model, &tree, &groups)?;
    let group_plans = group_plans(&tree, &groups, &sections);
    let known_groups: HashSet<&str> = group_plans.iter().map(|g| g.name.as_str()).collect();
    let biophysics = match part_of(cell_comp, "biophysicalProperties") {
        Some(bio) => read_biophysics(model, bio, morphology, &known_groups, &tree)?,
        None => Biophysics::empty(),
    };
    Ok(CellLayout {
        sections: sections.into_iter().map(|s| s.plan).collect(),
        groups: group_plans,
        biophysics,
    })
}

/// The cell's nested child or referenced component for `slot` (`morphology`,
/// `biophysicalProperties`); the `2CaPools` variants' slots start with the same name. The type
/// declares these as children, so a reference (`morphology="id"`) is kept as an extra
/// attribute and resolved here by id.
fn part_of(cell: &Component, slot: &str) -> Option<CompId> {
    // Given by reference (`morphology="id"`), the part is a child as well: the model resolves
    // such attributes into children.
    let nested = cell.children.iter().find(|(s, _)| s.starts_with(slot));
    let referenced = || cell.refs.iter().find(|(s, _, _)| s.starts_with(slot));
    nested
        .map(|(_, c)| *c)
        .or_else(|| referenced().map(|(_, c, _)| *c))
}

fn children_in<'m>(
    model: &'m Model,
    comp: &'m Component,
    slot: &'m str,
) -> impl Iterator<Item = (CompId, &'m Component)> + 'm {
    comp.children
        .iter()
        .filter(move |(s, _)| s == slot)
        .map(move |(_, c)| (*c, model.component(*c)))
}

fn child_in<'m>(model: &'m Model, comp: &'m Component, slot: &'m str) -> Option<&'m Component> {
    children_in(model, comp, slot).next().map(|(_, c)| c)
}

/// A text attribute, whether the type declares it or it was kept as an extra attribute.
fn text_or_extra<'c>(comp: &'c Component, name: &str) -> Option<&'c str> {
    comp.text(name).or_else(|| {
        comp.extra
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.as_str())
    })
}

fn display_id(comp: &Component) -> &str {
    comp.id.as_deref().unwrap_or("?")
}
