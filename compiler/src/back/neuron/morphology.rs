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
//! section and x, for synapses, inputs and recordings.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

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

// ---------------------------------------------------------------------------------------------
// Segments as a tree

struct Segment {
    comp: CompId,
    id: u32,
    name: Option<String>,
    /// Index of the parent segment and the fraction along it where this one attaches.
    parent: Option<(usize, f64)>,
    /// Resolved: the written proximal point, or the point on the parent it attaches to.
    proximal: [f64; 4],
    distal: [f64; 4],
}

struct SegmentTree {
    segments: Vec<Segment>,
    by_id: HashMap<u32, usize>,
    /// Segment indices, every parent before its children (depth first, file order).
    order: Vec<usize>,
    /// Position of each segment in `order`.
    rank: Vec<usize>,
    children: Vec<Vec<usize>>,
}

impl SegmentTree {
    fn read(model: &Model, morphology: CompId) -> Result<SegmentTree, Vec<Diagnostic>> {
        let morph = model.component(morphology);
        let mut diags = Vec::new();
        let mut segments = Vec::new();
        let mut by_id = HashMap::new();
        // Parent ids and written proximal points, resolved once every id is known.
        let mut pending = Vec::new();
        for (comp_id, comp) in children_in(model, morph, "segments") {
            let written_id = comp.id.as_deref().unwrap_or("");
            let Ok(id) = written_id.trim().parse::<u32>() else {
                diags.push(Diagnostic::at(
                    comp.name_span,
                    format!("segment id '{written_id}' is not a non-negative integer"),
                ));
                continue;
            };
            let Some(distal) = child_in(model, comp, "distal").map(point) else {
                diags.push(Diagnostic::at(
                    comp.name_span,
                    format!("segment {id} has no <distal> point"),
                ));
                continue;
            };
            if by_id.insert(id, segments.len()).is_some() {
                diags.push(Diagnostic::at(
                    comp.name_span,
                    format!("segment id {id} is used twice in this morphology"),
                ));
                continue;
            }
            pending.push((
                child_in(model, comp, "parent"),
                child_in(model, comp, "proximal").map(point),
            ));
            segments.push(Segment {
                comp: comp_id,
                id,
                name: comp.text("name").map(str::to_string),
                parent: None,
                proximal: distal,
                distal,
            });
        }
        for (index, (parent, _)) in pending.iter().enumerate() {
            if let Some(parent) = parent {
                match resolve_parent(parent, &by_id, segments[index].id) {
                    Ok(attach) => segments[index].parent = Some(attach),
                    Err(d) => diags.push(d),
                }
            }
        }
        if segments.is_empty() && diags.is_empty() {
            diags.push(Diagnostic::at(
                morph.name_span,
                format!("morphology '{}' has no segments", display_id(morph)),
            ));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut children = vec![Vec::new(); segments.len()];
        for (i, s) in segments.iter().enumerate() {
            if let Some((p, _)) = s.parent {
                children[p].push(i);
            }
        }
        let order = depth_first(&segments, &children);
        if order.len() < segments.len() {
            let on_cycle = (0..segments.len())
                .find(|i| !order.contains(i))
                .unwrap_or(0);
            let comp = model.component(segments[on_cycle].comp);
            return Err(vec![Diagnostic::at(
                comp.name_span,
                format!(
                    "segment {} never reaches a root segment: its parents form a cycle",
                    segments[on_cycle].id
                ),
            )]);
        }
        let mut rank = vec![0; segments.len()];
        for (position, &i) in order.iter().enumerate() {
            rank[i] = position;
        }
        // A missing proximal point is the point of the parent it attaches to.
        for &i in &order {
            segments[i].proximal = match (pending[i].1, segments[i].parent) {
                (Some(written), _) => written,
                (None, Some((p, fraction))) => {
                    interpolate(segments[p].proximal, segments[p].distal, fraction)
                }
                (None, None) => segments[i].distal,
            };
        }
        Ok(SegmentTree {
            segments,
            by_id,
            order,
            rank,
            children,
        })
    }

    fn segment_by_text(&self, text: Option<&str>) -> Option<usize> {
        let id = text?.trim().parse::<u32>().ok()?;
        self.by_id.get(&id).copied()
    }
}

fn point(comp: &Component) -> [f64; 4] {
    let value = |name: &str| comp.param(name).map_or(0.0, |p| p.si);
    [value("x"), value("y"), value("z"), value("diameter")]
}

fn interpolate(a: [f64; 4], b: [f64; 4], fraction: f64) -> [f64; 4] {
    std::array::from_fn(|k| a[k] + fraction * (b[k] - a[k]))
}

fn resolve_parent(
    parent: &Component,
    by_id: &HashMap<u32, usize>,
    child_id: u32,
) -> Result<(usize, f64), Diagnostic> {
    let written = parent.text("segment").unwrap_or("");
    let index = written
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(|id| by_id.get(&id).copied())
        .ok_or_else(|| {
            Diagnostic::at(
                parent.name_span,
                format!("segment {child_id} has parent '{written}', which is not a segment of this morphology"),
            )
        })?;
    let fraction = match text_or_extra(parent, "fractionAlong") {
        None => 1.0,
        Some(text) => match text.trim().parse::<f64>() {
            Ok(f) if (0.0..=1.0).contains(&f) => f,
            _ => {
                return Err(Diagnostic::at(
                    parent.name_span,
                    format!("fractionAlong '{text}' of segment {child_id}'s parent is not a number from 0 to 1"),
                ))
            }
        },
    };
    Ok((index, fraction))
}

/// Segment indices in depth-first order from each root, children in file order. Segments on a
/// parent cycle are never reached.
fn depth_first(segments: &[Segment], children: &[Vec<usize>]) -> Vec<usize> {
    let mut order = Vec::with_capacity(segments.len());
    let mut stack: Vec<usize> = (0..segments.len())
        .filter(|&i| segments[i].parent.is_none())
        .rev()
        .collect();
    while let Some(i) = stack.pop() {
        order.push(i);
        stack.extend(children[i].iter().rev());
    }
    order
}

// ---------------------------------------------------------------------------------------------
// Segment groups

struct GroupDef {
    comp: CompId,
    name: String,
    cable: bool,
    /// `numberInternalDivisions`.
    divisions: Option<u32>,
}

struct GroupSet {
    defs: Vec<GroupDef>,
    /// Segment indices of each group (same order as `defs`), in tree order.
    members: Vec<Vec<usize>>,
}

impl GroupSet {
    fn read(
        model: &Model,
        morphology: CompId,
        tree: &SegmentTree,
    ) -> Result<GroupSet, Vec<Diagnostic>> {
        let morph = model.component(morphology);
        let mut diags = Vec::new();
        let mut defs = Vec::new();
        for (comp_id, comp) in children_in(model, morph, "segmentGroups") {
            let name = comp.id.clone().unwrap_or_default();
            if defs.iter().any(|d: &GroupDef| d.name == name) {
                diags.push(Diagnostic::at(
                    comp.name_span,
                    format!("segmentGroup '{name}' is defined twice"),
                ));
                continue;
            }
            let mut divisions = None;
            for (_, property) in children_in(model, comp, "property") {
                if property.text("tag") != Some("numberInternalDivisions") {
                    continue;
                }
                let value = property.text("value").unwrap_or("");
                match value.trim().parse::<u32>() {
                    Ok(n) if n > 0 => divisions = Some(n),
                    _ => diags.push(Diagnostic::at(
                        property.name_span,
                        format!("numberInternalDivisions '{value}' of segmentGroup '{name}' is not a positive integer"),
                    )),
                }
            }
            defs.push(GroupDef {
                comp: comp_id,
                cable: text_or_extra(comp, "neuroLexId") == Some(UNBRANCHED_CABLE),
                name,
                divisions,
            });
        }
        let mut resolver = GroupResolver {
            model,
            tree,
            defs: &defs,
            done: vec![None; defs.len()],
            visiting: vec![false; defs.len()],
            diags: &mut diags,
        };
        let members: Vec<Vec<usize>> = (0..defs.len())
            .map(|g| resolver.members(g).unwrap_or_default())
            .collect();
        if diags.is_empty() {
            Ok(GroupSet { defs, members })
        } else {
            Err(diags)
        }
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.defs.iter().position(|d| d.name == name)
    }
}

/// Resolves groups' `member`, `include`, `path` and `subTree` elements, includes recursively.
struct GroupResolver<'a> {
    model: &'a Model,
    tree: &'a SegmentTree,
    defs: &'a [GroupDef],
    done: Vec<Option<Vec<usize>>>,
    visiting: Vec<bool>,
    diags: &'a mut Vec<Diagnostic>,
}

impl GroupResolver<'_> {
    fn members(&mut self, group: usize) -> Option<Vec<usize>> {
        if let Some(done) = &self.done[group] {
            return Some(done.clone());
        }
        let comp = self.model.component(self.defs[group].comp);
        if self.visiting[group] {
            self.diags.push(Diagnostic::at(
                comp.name_span,
                format!(
                    "segmentGroup '{}' includes itself (through its <include>s)",
                    self.defs[group].name
                ),
            ));
            return None;
        }
        self.visiting[group] = true;
        let mut found = Vec::new();
        for (_, member) in children_in(self.model, comp, "members") {
            found.extend(self.segment_at(member, member.text("segment")));
        }
        for (_, include) in children_in(self.model, comp, "includes") {
            let target = include.text("segmentGroup").unwrap_or("");
            match self.defs.iter().position(|d| d.name == target) {
                Some(other) => found.extend(self.members(other).unwrap_or_default()),
                None => self.diags.push(Diagnostic::at(
                    include.name_span,
                    format!("<include> names segmentGroup '{target}', which this morphology does not define"),
                )),
            }
        }
        for (_, path) in children_in(self.model, comp, "paths") {
            found.extend(self.path(path));
        }
        for (_, sub_tree) in children_in(self.model, comp, "subTrees") {
            found.extend(self.sub_tree(sub_tree));
        }
        found.sort_by_key(|&s| self.tree.rank[s]);
        found.dedup();
        self.visiting[group] = false;
        self.done[group] = Some(found.clone());
        Some(found)
    }

    /// The segment a `member`/`from`/`to` names, or a diagnostic at it.
    fn segment_at(&mut self, at: &Component, text: Option<&str>) -> Option<usize> {
        let found = self.tree.segment_by_text(text);
        if found.is_none() {
            self.diags.push(Diagnostic::at(
                at.name_span,
                format!(
                    "'{}' is not a segment of this morphology",
                    text.unwrap_or("")
                ),
            ));
        }
        found
    }

    fn end_of(&mut self, owner: &Component, slot: &str) -> Option<usize> {
        match child_in(self.model, owner, slot) {
            Some(end) => self.segment_at(end, end.text("segment")),
            None => None,
        }
    }

    /// `from` to `to` inclusive, walking up from `to`; without `to`, the subtree of `from`.
    fn path(&mut self, path: &Component) -> Vec<usize> {
        let from = self.end_of(path, "from");
        let Some(to) = self.end_of(path, "to") else {
            return from.map(|f| self.descendants(f)).unwrap_or_default();
        };
        let mut walked = vec![to];
        let mut at = to;
        while Some(at) != from {
            match self.tree.segments[at].parent {
                Some((p, _)) => {
                    at = p;
                    walked.push(p);
                }
                None if from.is_none() => break,
                None => {
                    self.diags.push(Diagnostic::at(
                        path.name_span,
                        "<path>: its <to> segment does not lie distal to its <from> segment",
                    ));
                    return Vec::new();
                }
            }
        }
        walked
    }

    fn sub_tree(&mut self, sub_tree: &Component) -> Vec<usize> {
        self.end_of(sub_tree, "from")
            .map(|f| self.descendants(f))
            .unwrap_or_default()
    }

    fn descendants(&self, root: usize) -> Vec<usize> {
        let mut found = vec![root];
        let mut k = 0;
        while k < found.len() {
            found.extend(&self.tree.children[found[k]]);
            k += 1;
        }
        found
    }
}

// ---------------------------------------------------------------------------------------------
// Sections

struct BuiltSection {
    plan: SectionPlan,
    /// Segment indices, proximal to distal.
    segments: Vec<usize>,
}

fn build_sections(
    model: &Model,
    tree: &SegmentTree,
    groups: &GroupSet,
) -> Result<Vec<BuiltSection>, Vec<Diagnostic>> {
    let cable_of = assign_cables(model, tree, groups)?;
    let mut sections: Vec<BuiltSection> = Vec::new();
    let mut section_of = vec![usize::MAX; tree.segments.len()];
    let mut section_of_cable = HashMap::new();
    for &s in &tree.order {
        let existing = cable_of[s].and_then(|g| section_of_cable.get(&g).copied());
        if let Some(existing) = existing {
            section_of[s] = existing;
            sections[existing].segments.push(s);
            continue;
        }
        let segment = &tree.segments[s];
        let (raw_name, nseg) = match cable_of[s] {
            Some(g) => {
                section_of_cable.insert(g, sections.len());
                let def = &groups.defs[g];
                (def.name.clone(), def.divisions.unwrap_or(1))
            }
            None => (
                segment
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("section_{}", segment.id)),
                1,
            ),
        };
        section_of[s] = sections.len();
        sections.push(BuiltSection {
            plan: SectionPlan {
                name: raw_name,
                parent: None,
                points: Vec::new(),
                nseg,
                segments: Vec::new(),
            },
            segments: vec![s],
        });
    }
    // Cables keep their group's name; a segment's own name gives way when they clash.
    let mut names = UniqueNames::default();
    for from_cable in [true, false] {
        for section in &mut sections {
            if cable_of[section.segments[0]].is_some() == from_cable {
                section.plan.name = names.claim(&section.plan.name);
            }
        }
    }
    for section in &mut sections {
        let (points, segments) = shape(tree, &section.segments);
        section.plan.points = points;
        section.plan.segments = segments;
    }
    // Parents come first in tree order, so their spans are known here.
    for i in 0..sections.len() {
        let head = &tree.segments[sections[i].segments[0]];
        if let Some((p, fraction)) = head.parent {
            let parent_section = section_of[p];
            let span = sections[parent_section]
                .plan
                .segments
                .iter()
                .find(|span| span.id == tree.segments[p].id)
                .expect("every segment is in a section");
            let x = span.start + fraction * (span.end - span.start);
            sections[i].plan.parent = Some((parent_section, x));
        }
    }
    Ok(sections)
}

/// For each segment, the cable group (index into `groups.defs`) it belongs to. A cable must be
/// an unbranched chain (each segment the distal child of the one before) and cables may not
/// share segments.
fn assign_cables(
    model: &Model,
    tree: &SegmentTree,
    groups: &GroupSet,
) -> Result<Vec<Option<usize>>, Vec<Diagnostic>> {
    let mut cable_of: Vec<Option<usize>> = vec![None; tree.segments.len()];
    let mut diags = Vec::new();
    for (g, def) in groups.defs.iter().enumerate().filter(|(_, d)| d.cable) {
        let members = &groups.members[g];
        let at = model.component(def.comp).name_span;
        for pair in members.windows(2) {
            let (before, next) = (&tree.segments[pair[0]], &tree.segments[pair[1]]);
            if next.parent.map(|(p, f)| (p, f == 1.0)) != Some((pair[0], true)) {
                diags.push(Diagnostic::at(
                    at,
                    format!(
                        "segmentGroup '{}' is marked as an unbranched cable ({UNBRANCHED_CABLE}), but segment {} does not continue from the distal end of segment {}",
                        def.name, next.id, before.id
                    ),
                ));
                break;
            }
        }
        for &s in members {
            if let Some(other) = cable_of[s].replace(g) {
                diags.push(Diagnostic::at(
                    at,
                    format!(
                        "segment {} is in two unbranched cables, '{}' and '{}'",
                        tree.segments[s].id, groups.defs[other].name, def.name
                    ),
                ));
            }
        }
    }
    if diags.is_empty() {
        Ok(cable_of)
    } else {
        Err(diags)
    }
}

/// pt3d points of a section and where each segment lies along it (fractions of its length).
///
/// A segment whose proximal and distal points coincide is a sphere in NeuroML; NEURON would
/// give it no area, so it becomes a cylinder as long as it is wide (the same lateral area,
/// π·d²), centred on the point along y.
fn shape(tree: &SegmentTree, segments: &[usize]) -> (Vec<[f64; 4]>, Vec<SegmentSpan>) {
    let mut points: Vec<[f64; 4]> = Vec::new();
    let mut arc = 0.0;
    let mut arcs = Vec::new();
    for &s in segments {
        let segment = &tree.segments[s];
        let (mut proximal, mut distal) = (segment.proximal, segment.distal);
        if proximal[..3] == distal[..3] {
            let diameter = distal[3];
            proximal = [distal[0], distal[1] - diameter / 2.0, distal[2], diameter];
            distal = [distal[0], distal[1] + diameter / 2.0, distal[2], diameter];
        }
        if points.last() != Some(&proximal) {
            if let Some(last) = points.last() {
                arc += distance(last, &proximal);
            }
            points.push(proximal);
        }
        let start = arc;
        arc += distance(&proximal, &distal);
        points.push(distal);
        arcs.push((segment, start, arc));
    }
    let total = arc;
    let count = arcs.len() as f64;
    let spans = arcs
        .into_iter()
        .enumerate()
        .map(|(k, (segment, start, end))| {
            // Only a section of zero-diameter spheres has no length: share it out evenly.
            let (start, end) = if total > 0.0 {
                (start / total, end / total)
            } else {
                (k as f64 / count, (k + 1) as f64 / count)
            };
            SegmentSpan {
                id: segment.id,
                name: segment.name.clone(),
                start,
                end,
            }
        })
        .collect();
    (points, spans)
}

fn distance(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Section names: `[A-Za-z0-9_]`, a letter first, never the same twice.
#[derive(Default)]
struct UniqueNames {
    taken: HashSet<String>,
}

impl UniqueNames {
    fn claim(&mut self, raw: &str) -> String {
        let mut base: String = raw
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            base.insert_str(0, "sec_");
        }
        let mut name = base.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        name
    }
}

fn group_plans(tree: &SegmentTree, groups: &GroupSet, sections: &[BuiltSection]) -> Vec<GroupPlan> {
    let mut section_of = vec![0; tree.segments.len()];
    for (i, section) in sections.iter().enumerate() {
        for &s in &section.segments {
            section_of[s] = i;
        }
    }
    let mut plans: Vec<GroupPlan> = groups
        .defs
        .iter()
        .zip(&groups.members)
        .map(|(def, members)| {
            let mut in_group: Vec<usize> = members.iter().map(|&s| section_of[s]).collect();
            in_group.sort_unstable();
            in_group.dedup();
            GroupPlan {
                name: def.name.clone(),
                sections: in_group,
            }
        })
        .collect();
    if groups.index(ALL_GROUP).is_none() {
        plans.push(GroupPlan {
            name: ALL_GROUP.to_string(),
            sections: (0..sections.len()).collect(),
        });
    }
    plans
}

// ---------------------------------------------------------------------------------------------
// Biophysics

// SI → NEURON units.
const F_PER_M2_TO_UF_PER_CM2: f64 = 100.0;
const OHM_M_TO_OHM_CM: f64 = 100.0;
const V_TO_MV: f64 = 1e3;
const S_PER_M2_TO_S_PER_CM2: f64 = 1e-4;
const M_PER_S_TO_CM_PER_S: f64 = 100.0;
/// mol/m³ is mM.
const MOL_PER_M3_TO_MM: f64 = 1.0;

impl Biophysics {
    fn empty() -> Biophysics {
        Biophysics {
            specific_capacitance: Vec::new(),
            resistivity: Vec::new(),
            init_membrane_potential: Vec::new(),
            spike_threshold: 0.0,
            channels: Vec::new(),
            species: Vec::new(),
        }
    }
}

/// Reads `biophysicalProperties` (or its 2CaPools variant); every segmentGroup it names must be
/// one of `known_groups`, every segment one of the tree.
fn read_biophysics(
    model: &Model,
    bio: CompId,
    morphology: CompId,
    known_groups: &HashSet<&str>,
    tree: &SegmentTree,
) -> Result<Biophysics, Vec<Diagnostic>> {
    let bio = model.component(bio);
    let mut out = Biophysics::empty();
    let mut diags = Vec::new();
    let group_of = |comp: &Component, diags: &mut Vec<Diagnostic>| -> Option<String> {
        let name = text_or_extra(comp, "segmentGroup")?;
        if !known_groups.contains(name) {
            diags.push(Diagnostic::at(
                comp.name_span,
                format!("segmentGroup '{name}' is not defined in the cell's morphology"),
            ));
        }
        Some(name.to_string())
    };
    let part = |prefix: &str| {
        bio.children
            .iter()
            .find(|(slot, _)| slot.starts_with(prefix))
            .map(|(_, c)| model.component(*c))
    };
    if let Some(membrane) = part("membraneProperties") {
        for (_, c) in children_in(model, membrane, "specificCapacitances") {
            let value = param_or_zero(c, "value") * F_PER_M2_TO_UF_PER_CM2;
            out.specific_capacitance
                .push((group_of(c, &mut diags), value));
        }
        for (_, c) in children_in(model, membrane, "initMembPotential") {
            let value = param_or_zero(c, "value") * V_TO_MV;
            out.init_membrane_potential
                .push((group_of(c, &mut diags), value));
        }
        if let Some(thresh) = child_in(model, membrane, "spikeThresh") {
            out.spike_threshold = param_or_zero(thresh, "value") * V_TO_MV;
        }
        for (density, comp) in children_in(model, membrane, "channelDensities") {
            match channel_placement(model, density, comp, tree) {
                Ok(mut placement) => {
                    let group_holder = child_in(model, comp, "variableParameter").unwrap_or(comp);
                    placement.group = group_of(group_holder, &mut diags);
                    if let Some((_, id, value)) = variable_parameter(model, comp) {
                        match variation(model, morphology, id) {
                            Ok(v) => placement.variation = Some(v),
                            Err(message) => diags.push(Diagnostic::at(value.name_span, message)),
                        }
                    }
                    out.channels.push(placement);
                }
                Err(d) => diags.push(d),
            }
        }
    }
    if let Some(intracellular) = part("intracellularProperties") {
        for (_, c) in children_in(model, intracellular, "resistivity") {
            let value = param_or_zero(c, "value") * OHM_M_TO_OHM_CM;
            out.resistivity.push((group_of(c, &mut diags), value));
        }
        for (_, c) in children_in(model, intracellular, "speciesList") {
            let (Some(ion), Some(concentration_model)) =
                (text_or_extra(c, "ion"), c.reference("concentrationModel"))
            else {
                diags.push(Diagnostic::at(
                    c.name_span,
                    "<species> needs an ion and a concentrationModel",
                ));
                continue;
            };
            out.species.push(SpeciesPlacement {
                ion: ion.to_string(),
                concentration_model,
                group: group_of(c, &mut diags),
                initial_in: param_or_zero(c, "initialConcentration") * MOL_PER_M3_TO_MM,
                initial_out: param_or_zero(c, "initialExtConcentration") * MOL_PER_M3_TO_MM,
            });
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn param_or_zero(comp: &Component, name: &str) -> f64 {
    comp.param(name).map_or(0.0, |p| p.si)
}

/// One channel density; its group is filled in by the caller.
fn channel_placement(
    model: &Model,
    density: CompId,
    comp: &Component,
    tree: &SegmentTree,
) -> Result<ChannelPlacement, Diagnostic> {
    let channel = comp.reference("ionChannel").ok_or_else(|| {
        Diagnostic::at(
            comp.name_span,
            format!("channel density '{}' names no ionChannel", display_id(comp)),
        )
    })?;
    let segment = match text_or_extra(comp, "segment") {
        None => None,
        Some(text) => Some(
            tree.segment_by_text(Some(text))
                .map(|s| tree.segments[s].id)
                .ok_or_else(|| {
                    Diagnostic::at(
                        comp.name_span,
                        format!("segment '{text}' is not a segment of the cell's morphology"),
                    )
                })?,
        ),
    };
    // The ion: the density's `ion`, else the channel's `species`; "non_specific" is none.
    let ion = text_or_extra(comp, "ion")
        .or_else(|| text_or_extra(model.component(channel), "species"))
        .filter(|ion| !ion.is_empty() && *ion != "non_specific")
        .map(str::to_string);
    let scaled = |name: &str, factor: f64| comp.param(name).map(|p| p.si * factor);
    Ok(ChannelPlacement {
        density,
        density_kind: model.ty(comp.type_id).name.clone(),
        channel,
        group: None,
        segment,
        cond_density: scaled("condDensity", S_PER_M2_TO_S_PER_CM2),
        permeability: scaled("permeability", M_PER_S_TO_CM_PER_S),
        erev: scaled("erev", V_TO_MV),
        ion,
        variation: None,
    })
}

/// The `variableParameter` of a non-uniform channel density: the parameter that varies, the
/// id of the inhomogeneousParameter its value uses, and the value expression (SI).
pub fn variable_parameter<'m>(
    model: &'m Model,
    density: &'m Component,
) -> Option<(&'m str, &'m str, &'m Component)> {
    let vp = child_in(model, density, "variableParameter")?;
    let value = child_in(model, vp, "inhomogeneousValue")?;
    Some((
        text_or_extra(vp, "parameter")?,
        text_or_extra(value, "inhomogeneousParameter")?,
        value,
    ))
}

/// The `inhomogeneousParameter` called `id` in any segmentGroup of the morphology, read as a
/// [`Variation`]. Only the metric NEURON's exporter knows is accepted: path length from root.
fn variation(model: &Model, morphology: CompId, id: &str) -> Result<Variation, String> {
    let morph = model.component(morphology);
    let param = children_in(model, morph, "segmentGroups")
        .flat_map(|(_, g)| children_in(model, g, "inhomogeneousParameter"))
        .map(|(_, p)| p)
        .find(|p| p.id.as_deref() == Some(id))
        .ok_or_else(|| format!("no segmentGroup defines the inhomogeneousParameter '{id}'"))?;
    let metric = text_or_extra(param, "metric").unwrap_or("");
    if metric != "Path Length from root" {
        return Err(format!(
            "inhomogeneousParameter '{id}': metric '{metric}' is not supported (only 'Path Length from root')"
        ));
    }
    // NEURON's SubsetDomainIterator moves the start to 0 and the end to 1 only.
    let given = |slot: &str, attr: &str, wanted: f64| -> Result<bool, String> {
        let Some(c) = child_in(model, param, slot) else {
            return Ok(false);
        };
        let text = text_or_extra(c, attr).unwrap_or("");
        match text.trim().parse::<f64>() {
            Ok(x) if x == wanted => Ok(true),
            _ => Err(format!(
                "inhomogeneousParameter '{id}': {attr} '{text}' is not supported (only {wanted})"
            )),
        }
    };
    Ok(Variation {
        translate: given("proximal", "translationStart", 0.0)?,
        normalize: given("distal", "normalizationEnd", 1.0)?,
    })
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::pipeline::{check, Checked};

    const EXAMPLES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/neuroml2/LEMSexamples"
    );

    /// Reads and checks `path`; the model must build. Errors of the later stages (lowering the
    /// simulation) are printed, not fatal: the layout needs the model only.
    fn checked(path: &Path) -> Checked {
        let checked = check(&[path.to_path_buf()], &Default::default());
        let errors: Vec<&str> = checked
            .diagnostics
            .list
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.message.as_str())
            .collect();
        assert!(checked.model.is_some(), "{}: {errors:?}", path.display());
        if !errors.is_empty() {
            println!(
                "{}: the simulation does not lower: {errors:?}",
                path.display()
            );
        }
        checked
    }

    /// The model of an example, or `None` (with a note) when the examples are absent.
    fn example(relative: &str) -> Option<Checked> {
        let path = Path::new(EXAMPLES).join(relative);
        if !path.is_file() {
            println!("skipped: {} is absent", path.display());
            return None;
        }
        Some(checked(&path))
    }

    /// The model of a `morphologies/` example. Two of its channel files define ComponentTypes
    /// inside `<neuroml>`, which the loader does not read yet; when the folder does not load as
    /// it is, it is copied with those two channels replaced by passive ones of the same id, so
    /// the cell files themselves are read unchanged.
    fn morphology_example(lems: &str) -> Option<Checked> {
        let folder = Path::new(EXAMPLES).join("morphologies");
        if !folder.is_dir() {
            println!("skipped: {} is absent", folder.display());
            return None;
        }
        let as_is = check(&[folder.join(lems)], &Default::default());
        if as_is.model.is_some() {
            return Some(as_is);
        }
        let copy = std::env::temp_dir().join(format!(
            "lemsc-morphology-{}-{}",
            std::process::id(),
            lems.trim_end_matches(".xml")
        ));
        std::fs::create_dir_all(&copy).unwrap();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_string_lossy().to_string();
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            if let Some(channel) = file.strip_suffix(".channel.nml") {
                if text.contains("<ComponentType") {
                    text = format!(
                        "<neuroml id=\"{channel}\">\n  <ionChannel id=\"{channel}\" conductance=\"10pS\" type=\"ionChannelPassive\"/>\n</neuroml>\n"
                    );
                }
            }
            std::fs::write(copy.join(&file), text).unwrap();
        }
        let result = checked(&copy.join(lems));
        std::fs::remove_dir_all(&copy).ok();
        Some(result)
    }

    fn layout_of(checked: &Checked, cell: &str) -> CellLayout {
        let model = checked.model.as_ref().unwrap();
        match layout(model, model.component_by_id[cell]) {
            Ok(layout) => layout,
            Err(diags) => panic!(
                "{cell}: {:?}",
                diags.iter().map(|d| &d.message).collect::<Vec<_>>()
            ),
        }
    }

    fn names(layout: &CellLayout) -> Vec<&str> {
        layout.sections.iter().map(|s| s.name.as_str()).collect()
    }

    fn group<'l>(layout: &'l CellLayout, name: &str) -> &'l [usize] {
        &layout
            .groups
            .iter()
            .find(|g| g.name == name)
            .unwrap()
            .sections
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * (1.0 + b.abs())
    }

    fn assert_close(a: f64, b: f64) {
        assert!(close(a, b), "{a} != {b}");
    }

    fn id_of(checked: &Checked, comp: CompId) -> &str {
        checked
            .model
            .as_ref()
            .unwrap()
            .component(comp)
            .id
            .as_deref()
            .unwrap()
    }

    #[test]
    fn a_spherical_soma_becomes_a_cylinder_as_long_as_wide() {
        let Some(ex5) = example("LEMS_NML2_Ex5_DetCell.xml") else {
            return;
        };
        let cell = layout_of(&ex5, "hhcell");
        assert_eq!(names(&cell), ["soma"]);
        let soma = &cell.sections[0];
        assert_eq!((soma.parent, soma.nseg), (None, 1));
        let d = 17.841242;
        assert_eq!(
            soma.points,
            [[0.0, -d / 2.0, 0.0, d], [0.0, d / 2.0, 0.0, d]]
        );
        assert_eq!(
            soma.segments,
            [SegmentSpan {
                id: 0,
                name: Some("soma".into()),
                start: 0.0,
                end: 1.0
            }]
        );
        assert_eq!(group(&cell, "soma_group"), [0]);
        assert_eq!(
            group(&cell, "all"),
            [0],
            "`all` is added when the file lacks it"
        );
        assert_eq!(cell.locate(0, 0.5), Some((0, 0.5)));
        assert_eq!(cell.locate(1, 0.5), None);
        assert_eq!(cell.root_section(), 0);

        let bio = &cell.biophysics;
        assert_eq!(bio.specific_capacitance.len(), 1);
        assert_eq!(bio.specific_capacitance[0].0, None);
        assert_close(bio.specific_capacitance[0].1, 1.0);
        assert_close(bio.resistivity[0].1, 30.0); // 0.03 kohm_cm
        assert_close(bio.init_membrane_potential[0].1, -65.0);
        assert_close(bio.spike_threshold, -20.0);
        assert!(bio.species.is_empty());
        let channels: Vec<_> = bio
            .channels
            .iter()
            .map(|c| {
                (
                    id_of(&ex5, c.density),
                    id_of(&ex5, c.channel),
                    c.density_kind.as_str(),
                    c.ion.as_deref(),
                    c.group.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            channels,
            [
                ("leak", "passiveChan", "channelDensity", None, None),
                ("naChans", "naChan", "channelDensity", Some("na"), None),
                ("kChans", "kChan", "channelDensity", Some("k"), None),
            ]
        );
        let g: Vec<f64> = bio
            .channels
            .iter()
            .map(|c| c.cond_density.unwrap())
            .collect();
        let e: Vec<f64> = bio.channels.iter().map(|c| c.erev.unwrap()).collect();
        for (got, want) in g.iter().zip([3e-4, 0.12, 0.036]) {
            assert_close(*got, want);
        }
        for (got, want) in e.iter().zip([-54.3, 50.0, -77.0]) {
            assert_close(*got, want);
        }
        assert!(bio
            .channels
            .iter()
            .all(|c| c.permeability.is_none() && c.segment.is_none()));
    }

    #[test]
    fn ex25_cables_become_sections_with_their_divisions() {
        let Some(ex25) = example("LEMS_NML2_Ex25_MultiComp.xml") else {
            return;
        };
        let cell = layout_of(&ex25, "MultiCompCell");
        assert_eq!(names(&cell), ["soma", "dendSec1", "dendSec2"]);
        let parents: Vec<_> = cell.sections.iter().map(|s| s.parent).collect();
        assert_eq!(parents, [None, Some((0, 1.0)), Some((1, 1.0))]);
        let nseg: Vec<_> = cell.sections.iter().map(|s| s.nseg).collect();
        assert_eq!(nseg, [1, 1, 9]);
        // Segment 3 has no proximal point: it starts at segment 2's distal one.
        let dend2 = &cell.sections[2];
        assert_eq!(
            dend2.points,
            [
                [0.0, 20.0, 0.0, 3.0],
                [0.0, 30.0, 0.0, 2.5],
                [0.0, 50.0, 0.0, 1.5]
            ]
        );
        let spans: Vec<_> = dend2
            .segments
            .iter()
            .map(|s| (s.id, s.start, s.end))
            .collect();
        assert_eq!(spans, [(2, 0.0, 1.0 / 3.0), (3, 1.0 / 3.0, 1.0)]);
        // The synapse positions of the file's projections.
        assert_eq!(cell.locate(0, 0.5), Some((0, 0.5)));
        assert_eq!(cell.locate(1, 0.5), Some((1, 0.5)));
        let (section, x) = cell.locate(3, 0.3).unwrap();
        assert_eq!(section, 2);
        assert_close(x, 1.0 / 3.0 + 0.3 * 2.0 / 3.0);
        let (_, x) = cell.locate(3, 0.25).unwrap();
        assert_close(x, 0.5);
        assert_eq!(cell.root_section(), 0);

        assert_eq!(group(&cell, "soma_group"), [0]);
        assert_eq!(group(&cell, "dendrite_group"), [1, 2]);
        assert_eq!(group(&cell, "dendSec2"), [2]);
        assert_eq!(group(&cell, "all"), [0, 1, 2]);
        assert_close(cell.biophysics.resistivity[0].1, 100_000.0); // 100 kohm_cm
        assert_eq!(cell.biophysics.channels.len(), 3);
    }

    /// The 9-segment pyramidal cell of `morphologies/`, with its morphology and biophysics
    /// inside the cell (pyr_4_sym) or referenced from other files (pyr_full_out).
    #[test]
    fn the_nine_segment_pyramidal_cell() {
        let Some(inside) = morphology_example("LEMS_pyrfull_in.xml") else {
            return;
        };
        let outside = morphology_example("LEMS_pyrfull_out.xml").unwrap();
        let cell = layout_of(&inside, "pyr_4_sym");
        assert_eq!(
            names(&cell),
            [
                "soma", "apical0", "apical2", "apical3", "apical4", "apical1", "basal0", "basal1",
                "basal2"
            ]
        );
        let parents: Vec<_> = cell.sections.iter().map(|s| s.parent).collect();
        assert_eq!(
            parents,
            [
                None,
                Some((0, 1.0)),
                Some((1, 1.0)),
                Some((2, 1.0)),
                Some((3, 1.0)),
                Some((1, 1.0)),
                Some((0, 0.0)), // basal0: fractionAlong="0.0" on the soma
                Some((6, 1.0)),
                Some((6, 1.0)),
            ]
        );
        assert!(cell
            .sections
            .iter()
            .all(|s| s.nseg == 1 && s.points.len() == 2));
        assert_eq!(cell.sections[6].points[0], [0.0, 0.0, 0.0, 4.0]);
        assert_eq!(group(&cell, "all"), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(group(&cell, "soma_group"), [0]);
        assert_eq!(group(&cell, "dendrite_group"), [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(group(&cell, "apical_dends"), [1, 2, 3, 4, 5]);
        assert_eq!(group(&cell, "basal_dends"), [6, 7, 8]);
        assert_eq!(group(&cell, "middle_apical_dendrite"), [3]);
        assert_eq!(cell.groups.iter().filter(|g| g.name == "all").count(), 1);
        assert_eq!(cell.locate(3, 0.5), Some((3, 0.5)));

        let bio = &cell.biophysics;
        assert_close(bio.spike_threshold, 0.0);
        assert_close(bio.specific_capacitance[0].1, 2.84);
        assert_close(bio.resistivity[0].1, 200.0); // 0.2 kohm_cm
        assert_close(bio.init_membrane_potential[0].1, -65.0);
        let channels: Vec<_> = bio
            .channels
            .iter()
            .map(|c| {
                (
                    id_of(&inside, c.channel),
                    c.group.as_deref(),
                    c.ion.as_deref(),
                    c.erev.unwrap(),
                )
            })
            .collect();
        assert_eq!(
            channels,
            [
                ("Ca_pyr", Some("soma_group"), Some("ca"), 80.0),
                ("Kahp_pyr", Some("soma_group"), Some("k"), -75.0),
                ("Kdr_pyr", Some("soma_group"), Some("k"), -75.0),
                ("LeakConductance_pyr", None, None, -66.0),
                ("Na_pyr", Some("soma_group"), Some("na"), 55.0),
            ]
        );
        for (c, g) in bio
            .channels
            .iter()
            .zip([0.01, 0.0025, 0.08, 0.0001420051, 0.12])
        {
            assert_close(c.cond_density.unwrap(), g);
        }
        let [species] = &bio.species[..] else {
            panic!("{:?}", bio.species)
        };
        assert_eq!(
            (species.ion.as_str(), species.group.as_deref()),
            ("ca", Some("soma_group"))
        );
        assert_eq!(id_of(&inside, species.concentration_model), "Ca_conc");
        assert_close(species.initial_in, 5e-5); // 5.0E-11 mol_per_cm3
        assert_close(species.initial_out, 3.0); // 3.0E-6 mol_per_cm3

        // The same cell written with a referenced morphology and biophysics lays out the same.
        let referenced = layout_of(&outside, "pyr_full_out");
        assert_eq!(referenced.sections, cell.sections);
        assert_eq!(referenced.groups, cell.groups);
        assert_eq!(
            referenced.biophysics.specific_capacitance,
            bio.specific_capacitance
        );
        assert_eq!(referenced.biophysics.channels.len(), 5);
    }

    /// The four ways of writing the one-segment cell (morphology and biophysics in or out of
    /// the cell) give the same layout.
    #[test]
    fn the_soma_only_variants_agree() {
        let mut layouts = Vec::new();
        for (lems, cell) in [
            ("LEMS_m_in_b_in.xml", "pyr_soma_m_in_b_in"),
            ("LEMS_m_in_b_out.xml", "pyr_soma_m_in_b_out"),
            ("LEMS_m_out_b_in.xml", "pyr_soma_m_out_b_in"),
            ("LEMS_m_out_b_out.xml", "pyr_soma_m_out_b_out"),
        ] {
            let Some(checked) = morphology_example(lems) else {
                return;
            };
            let layout = layout_of(&checked, cell);
            let channels: Vec<_> = layout
                .biophysics
                .channels
                .iter()
                .map(|c| {
                    (
                        id_of(&checked, c.channel).to_string(),
                        c.group.clone(),
                        c.cond_density,
                    )
                })
                .collect();
            layouts.push((
                layout.sections,
                layout.groups,
                channels,
                layout.biophysics.spike_threshold,
            ));
        }
        let (sections, groups, channels, _) = &layouts[0];
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].name, "soma");
        assert_eq!(
            sections[0].points,
            [[0.0, 0.0, 0.0, 23.0], [0.0, 17.0, 0.0, 23.0]]
        );
        assert!(groups
            .iter()
            .any(|g| g.name == "soma_group" && g.sections == [0]));
        assert_eq!(channels.len(), 5);
        for other in &layouts[1..] {
            assert_eq!(other, &layouts[0]);
        }
    }

    // --- hand-written morphologies for the rules the examples do not exercise -------------

    /// Lays out the cell `c` of a NeuroML file made of `morphology` (the inside of
    /// `<morphology>`) and `biophysics` (the inside of `<membraneProperties>`).
    fn written(morphology: &str, membrane: &str) -> Result<CellLayout, Vec<String>> {
        let dir = std::env::temp_dir().join(format!(
            "lemsc-morphology-written-{}-{:x}",
            std::process::id(),
            {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                (morphology, membrane).hash(&mut h);
                h.finish()
            }
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let file: PathBuf = dir.join("cell.nml");
        std::fs::write(
            &file,
            format!(
                "<neuroml id=\"n\">\n<ionChannel id=\"pas\" conductance=\"10pS\" type=\"ionChannelPassive\"/>\n\
                 <cell id=\"c\">\n<morphology id=\"m\">\n{morphology}\n</morphology>\n\
                 <biophysicalProperties id=\"b\"><membraneProperties>\n{membrane}\n\
                 <spikeThresh value=\"-10mV\"/><specificCapacitance value=\"1 uF_per_cm2\"/>\
                 <initMembPotential value=\"-70mV\"/>\n</membraneProperties>\n\
                 <intracellularProperties><resistivity value=\"100 ohm_cm\"/></intracellularProperties>\n\
                 </biophysicalProperties>\n</cell>\n</neuroml>\n"
            ),
        )
        .unwrap();
        let checked = checked(&file);
        std::fs::remove_dir_all(&dir).ok();
        let model = checked.model.as_ref().unwrap();
        layout(model, model.component_by_id["c"])
            .map_err(|diags| diags.into_iter().map(|d| d.message).collect())
    }

    fn seg(id: u32, parent: Option<&str>, proximal_y: Option<f64>, distal_y: f64) -> String {
        let parent = parent.map_or(String::new(), |p| format!("<parent {p}/>"));
        let proximal = proximal_y.map_or(String::new(), |y| {
            format!("<proximal x=\"0\" y=\"{y}\" z=\"0\" diameter=\"2\"/>")
        });
        format!(
            "<segment id=\"{id}\">{parent}{proximal}<distal x=\"0\" y=\"{distal_y}\" z=\"0\" diameter=\"2\"/></segment>"
        )
    }

    #[test]
    fn a_missing_proximal_point_lies_fraction_along_the_parent() {
        let cell = written(
            &[
                seg(0, None, Some(0.0), 10.0),
                seg(1, Some("segment=\"0\" fractionAlong=\"0.25\""), None, 40.0),
            ]
            .concat(),
            "",
        )
        .unwrap();
        assert_eq!(names(&cell), ["section_0", "section_1"]);
        assert_eq!(cell.sections[1].parent, Some((0, 0.25)));
        assert_eq!(cell.sections[1].points[0], [0.0, 2.5, 0.0, 2.0]);
    }

    #[test]
    fn paths_and_subtrees_select_segments() {
        // 0 - 1 - 2 - 3, and 4 branching off 1.
        let segments = [
            seg(0, None, Some(0.0), 10.0),
            seg(1, Some("segment=\"0\""), None, 20.0),
            seg(2, Some("segment=\"1\""), None, 30.0),
            seg(3, Some("segment=\"2\""), None, 40.0),
            seg(4, Some("segment=\"1\""), None, 50.0),
        ]
        .concat();
        let groups = "<segmentGroup id=\"p\"><path><from segment=\"1\"/><to segment=\"3\"/></path></segmentGroup>\
             <segmentGroup id=\"t\"><subTree><from segment=\"2\"/></subTree></segmentGroup>\
             <segmentGroup id=\"u\"><include segmentGroup=\"t\"/><member segment=\"4\"/></segmentGroup>";
        let cell = written(&format!("{segments}{groups}"), "").unwrap();
        assert_eq!(cell.sections.len(), 5);
        // Depth first: 0, 1, 2, 3, then 4.
        assert_eq!(cell.sections[4].parent, Some((1, 1.0)));
        assert_eq!(group(&cell, "p"), [1, 2, 3]);
        assert_eq!(group(&cell, "t"), [2, 3]);
        assert_eq!(group(&cell, "u"), [2, 3, 4]);
    }

    #[test]
    fn placement_on_a_group_and_names_are_sanitised() {
        let segments = [
            "<segment id=\"0\" name=\"2 soma\"><proximal x=\"0\" y=\"0\" z=\"0\" diameter=\"2\"/><distal x=\"0\" y=\"10\" z=\"0\" diameter=\"2\"/></segment>".to_string(),
            "<segment id=\"1\" name=\"soma\"><parent segment=\"0\"/><distal x=\"0\" y=\"20\" z=\"0\" diameter=\"2\"/></segment>".to_string(),
            "<segment id=\"2\" name=\"d\"><parent segment=\"1\"/><distal x=\"0\" y=\"30\" z=\"0\" diameter=\"2\"/></segment>".to_string(),
            "<segmentGroup id=\"soma\" neuroLexId=\"sao864921383\"><member segment=\"2\"/></segmentGroup>".to_string(),
        ]
        .concat();
        let cell = written(
            &segments,
            "<channelDensity id=\"leak\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\" erev=\"-70mV\" segmentGroup=\"soma\" ion=\"non_specific\"/>",
        )
        .unwrap();
        assert_eq!(names(&cell), ["sec_2_soma", "soma_2", "soma"]);
        assert_eq!(cell.biophysics.channels[0].group.as_deref(), Some("soma"));
        assert_eq!(group(&cell, "soma"), [2]);
    }

    #[test]
    fn errors_name_the_problem() {
        let two = [
            seg(0, None, Some(0.0), 10.0),
            seg(1, Some("segment=\"7\""), None, 20.0),
        ]
        .concat();
        let errors = written(&two, "").unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("parent '7'"), "{errors:?}");

        let cycle = [
            seg(0, None, Some(0.0), 10.0),
            seg(1, Some("segment=\"2\""), Some(0.0), 20.0),
            seg(2, Some("segment=\"1\""), Some(0.0), 30.0),
        ]
        .concat();
        let errors = written(&cycle, "").unwrap_err();
        assert!(errors[0].contains("cycle"), "{errors:?}");

        let branching_cable = [
            seg(0, None, Some(0.0), 10.0),
            seg(1, Some("segment=\"0\""), None, 20.0),
            seg(2, Some("segment=\"0\""), None, 30.0),
            "<segmentGroup id=\"cab\" neuroLexId=\"sao864921383\"><member segment=\"0\"/><member segment=\"1\"/><member segment=\"2\"/></segmentGroup>".into(),
        ]
        .concat();
        let errors = written(&branching_cable, "").unwrap_err();
        assert!(errors[0].contains("unbranched cable"), "{errors:?}");

        let groups = [
            seg(0, None, Some(0.0), 10.0),
            "<segmentGroup id=\"g\"><member segment=\"5\"/><include segmentGroup=\"h\"/></segmentGroup>".into(),
            "<segmentGroup id=\"h\"><include segmentGroup=\"g\"/></segmentGroup>".into(),
        ]
        .concat();
        let errors = written(&groups, "").unwrap_err();
        assert!(
            errors.iter().any(|e| e.contains("'5' is not a segment")),
            "{errors:?}"
        );
        assert!(
            errors.iter().any(|e| e.contains("includes itself")),
            "{errors:?}"
        );

        let errors = written(
            &seg(0, None, Some(0.0), 10.0),
            "<channelDensity id=\"leak\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\" erev=\"-70mV\" segmentGroup=\"dends\" ion=\"non_specific\"/>",
        )
        .unwrap_err();
        assert!(errors[0].contains("segmentGroup 'dends'"), "{errors:?}");

        let divisions = [
            seg(0, None, Some(0.0), 10.0),
            "<segmentGroup id=\"s\" neuroLexId=\"sao864921383\"><property tag=\"numberInternalDivisions\" value=\"0\"/><member segment=\"0\"/></segmentGroup>".into(),
        ]
        .concat();
        let errors = written(&divisions, "").unwrap_err();
        assert!(errors[0].contains("numberInternalDivisions"), "{errors:?}");
    }
}
