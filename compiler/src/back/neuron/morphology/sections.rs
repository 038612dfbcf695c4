//! NEURON sections from segments: unbranched cables become one section, every other segment
//! its own; each section's 3-D points, nseg, parent and x of attachment, and the groups'
//! sections.

use std::collections::{HashMap, HashSet};

use super::*;

pub(super) struct BuiltSection {
    pub(super) plan: SectionPlan,
    /// Segment indices, proximal to distal.
    pub(super) segments: Vec<usize>,
}

pub(super) fn build_sections(
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
pub(super) fn assign_cables(
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
pub(super) fn shape(tree: &SegmentTree, segments: &[usize]) -> (Vec<[f64; 4]>, Vec<SegmentSpan>) {
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

pub(super) fn distance(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// Section names: `[A-Za-z0-9_]`, a letter first, never the same twice.
#[derive(Default)]
pub(super) struct UniqueNames {
    pub(super) taken: HashSet<String>,
}

impl UniqueNames {
    pub(super) fn claim(&mut self, raw: &str) -> String {
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

pub(super) fn group_plans(
    tree: &SegmentTree,
    groups: &GroupSet,
    sections: &[BuiltSection],
) -> Vec<GroupPlan> {
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
