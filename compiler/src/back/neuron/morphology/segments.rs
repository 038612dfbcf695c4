//! The morphology's segments as a tree: ids, parents, 3-D points, and the order sections
//! are built in.

use std::collections::HashMap;

use super::*;

pub(super) struct Segment {
    pub(super) comp: CompId,
    pub(super) id: u32,
    pub(super) name: Option<String>,
    /// Index of the parent segment and the fraction along it where this one attaches.
    pub(super) parent: Option<(usize, f64)>,
    /// Resolved: the written proximal point, or the point on the parent it attaches to.
    pub(super) proximal: [f64; 4],
    pub(super) distal: [f64; 4],
}

pub(super) struct SegmentTree {
    pub(super) segments: Vec<Segment>,
    pub(super) by_id: HashMap<u32, usize>,
    /// Segment indices, every parent before its children (depth first, file order).
    pub(super) order: Vec<usize>,
    /// Position of each segment in `order`.
    pub(super) rank: Vec<usize>,
    pub(super) children: Vec<Vec<usize>>,
}

impl SegmentTree {
    pub(super) fn read(model: &Model, morphology: CompId) -> Result<SegmentTree, Vec<Diagnostic>> {
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

    pub(super) fn segment_by_text(&self, text: Option<&str>) -> Option<usize> {
        let id = text?.trim().parse::<u32>().ok()?;
        self.by_id.get(&id).copied()
    }
}

pub(super) fn point(comp: &Component) -> [f64; 4] {
    let value = |name: &str| comp.param(name).map_or(0.0, |p| p.si);
    [value("x"), value("y"), value("z"), value("diameter")]
}

pub(super) fn interpolate(a: [f64; 4], b: [f64; 4], fraction: f64) -> [f64; 4] {
    std::array::from_fn(|k| a[k] + fraction * (b[k] - a[k]))
}

pub(super) fn resolve_parent(
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
pub(super) fn depth_first(segments: &[Segment], children: &[Vec<usize>]) -> Vec<usize> {
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
