//! Groups that were kept apart by site, merged again where the order allows.
//!
//! Keeping a class's populations apart breaks a cycle, but makes a group per population or
//! projection: c302 has a projection per pair of neurons, so its synapses made hundreds of
//! groups, each a `Synapses` and a summed variable to compile. Two groups of one class and
//! one signature ([`super::signature`]) can run as one whenever no chain of constraints leads
//! from one to the other: the merged group then sits where both could, and nothing that
//! jLEMS runs between them has to run between them. Groups are taken in their first member's
//! order and each joins the first earlier group it can.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use lemsc_runtime::program::Program;

use super::super::links::link_uses;
use super::super::shapes::Shapes;
use super::{signature, Apart, Candidate, Constraints};

/// The group of every instance after merging (numbered in order of first member; still to be
/// refined, see [`super::refine`]), or `None` when nothing merges.
pub(super) fn merge_apart(
    program: &Program,
    by_base: &[(u64, u32)],
    shapes: &Shapes,
    apart: &[Apart],
    candidate: &Candidate,
    constraints: &Constraints,
) -> Option<Vec<usize>> {
    let groups = candidate.groups.len();
    let group_of: Vec<usize> = candidate.place.iter().map(|&(g, _)| g).collect();
    // Keys read sources by class: groups that read from groups merged alike merge too (a
    // graded synapse and the silent synapse it reads, projection by projection); the
    // caller refines the result where members then read from different groups.
    let class_of_group: Vec<usize> = group_of
        .iter()
        .map(|&g| shapes.class_of_kernel[candidate.groups[g].kernel as usize])
        .collect();
    let mut graph = Quotient::new(candidate.node_count(), &constraints.edges);
    let mut by_key: HashMap<(usize, Vec<Vec<(usize, u32)>>), Vec<usize>> = HashMap::new();
    let mut order: Vec<usize> = (0..groups).collect();
    order.sort_by_key(|&g| constraints.first[g]);
    let mut merged_any = false;
    for g in order {
        let group = &candidate.groups[g];
        let class = shapes.class_of_kernel[group.kernel as usize];
        if apart[class] != Apart::BySite || constraints.first[g] == usize::MAX {
            continue;
        }
        let first = &program.instances[group.members[0] as usize];
        let uses = link_uses(&program.kernels[first.kernel as usize]);
        let key = (
            class,
            signature(program, by_base, &uses, first, &class_of_group),
        );
        let earlier = by_key.entry(key).or_default();
        match earlier.iter().find(|&&r| graph.independent(r, g)) {
            Some(&r) => {
                graph.merge(r, g);
                merged_any = true;
            }
            None => earlier.push(g),
        }
    }
    if !merged_any {
        return None;
    }
    // Renumber in order of first member, as the partition numbers.
    let mut number: BTreeMap<usize, usize> = BTreeMap::new();
    let merged = group_of
        .iter()
        .map(|&g| {
            let root = graph.root(g);
            let fresh = number.len();
            *number.entry(root).or_insert(fresh)
        })
        .collect();
    Some(merged)
}

/// The constraint graph with some nodes merged into others.
struct Quotient {
    /// Per node: the node it was merged into, or itself.
    into: Vec<usize>,
    after: Vec<BTreeSet<usize>>,
}

impl Quotient {
    fn new(nodes: usize, edges: &BTreeSet<(usize, usize)>) -> Quotient {
        let mut after = vec![BTreeSet::new(); nodes];
        for &(a, b) in edges {
            after[a].insert(b);
        }
        Quotient {
            into: (0..nodes).collect(),
            after,
        }
    }

    fn root(&self, mut node: usize) -> usize {
        while self.into[node] != node {
            node = self.into[node];
        }
        node
    }

    /// No chain of constraints leads from either node to the other.
    fn independent(&self, a: usize, b: usize) -> bool {
        let (a, b) = (self.root(a), self.root(b));
        a != b && !self.reaches(a, b) && !self.reaches(b, a)
    }

    fn reaches(&self, from: usize, to: usize) -> bool {
        let mut seen = vec![false; self.into.len()];
        let mut stack = vec![from];
        while let Some(node) = stack.pop() {
            for &next in &self.after[node] {
                let next = self.root(next);
                if next == to {
                    return true;
                }
                if !seen[next] {
                    seen[next] = true;
                    stack.push(next);
                }
            }
        }
        false
    }

    /// Node `b` becomes part of node `a`.
    fn merge(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        self.into[b] = a;
        let moved = std::mem::take(&mut self.after[b]);
        self.after[a].extend(moved);
    }
}
