//! Where every instance of the program lives in Brian2: one `NeuronGroup` per kernel (all
//! instances of one component), members in program order, and the order the groups run in.
//! Kernels that differ only in constants share a group ([`super::shapes`]). A kernel whose
//! instances read from different kinds of places (one ion channel in two cell
//! types) is split into one group per kind of place, so each group reads from one group.
//!
//! jLEMS advances instance by instance, children before parents (docs/jlems-semantics.md
//! §4.1). Running one group for all its instances at once keeps that order whenever a
//! group's instances come, in the step order, before those of every group that reads them
//! (or receives their events): the groups are sorted by these constraints, then by their
//! first member's place. Groups span populations unless that closes a cycle of constraints;
//! the classes on a cycle then keep their populations apart, and [`merge`] joins those
//! groups again wherever no chain of constraints runs between them.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

use lemsc_runtime::program::{InstanceRec, Op, Program, Reduce};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

mod merge;

use super::kinetic::{scheme_groups, SchemeGroup};
use super::links::{link_uses, Use};
use super::shapes::Shapes;

/// One `NeuronGroup`.
#[derive(Clone, Debug)]
pub struct Group {
    /// The kernel of its first member; every member's kernel has the same statements
    /// (see [`super::shapes`]).
    pub kernel: u32,
    /// Each member's kernel.
    pub member_kernels: Vec<u32>,
    /// Instances (indices into `Program::instances`), member `j` is `members[j]`.
    pub members: Vec<u32>,
    /// Position among the groups that advance; `None` for a kernel never advanced.
    pub rank: Option<usize>,
}

/// Instances grouped by kernel, and a way back from an index into `vars`.
pub struct Layout {
    pub groups: Vec<Group>,
    /// Kinetic schemes of one shape, each stepped by a group of its own ([`super::kinetic`]),
    /// ranked among the groups.
    pub schemes: Vec<SchemeGroup>,
    pub shapes: Shapes,
    /// Per instance: (group, member index).
    pub place: Vec<(usize, usize)>,
    /// Instances sorted by their block's first slot, for [`Layout::locate`].
    by_base: Vec<(u64, u32)>,
    /// Per instance: its position in the step order (events of one step are written in it).
    pub step_position: Vec<usize>,
}

impl Layout {
    pub fn new(program: &Program) -> Layout {
        let mut by_base: Vec<(u64, u32)> = program
            .instances
            .iter()
            .enumerate()
            .map(|(i, r)| (r.base, i as u32))
            .collect();
        by_base.sort_unstable();
        let shapes = Shapes::new(program);
        let sites: Vec<String> = program.instances.iter().map(|r| site_of(&r.path)).collect();
        let mut step_position = vec![usize::MAX; program.instances.len()];
        for (pos, op) in program.step_order.iter().enumerate() {
            if let Op::Advance { inst } = op {
                step_position[*inst as usize] = pos;
            }
        }
        // Instances of one shape share a group across populations unless that puts groups
        // in a cycle (a cell of one population read by, or sending to, synapses on the cells
        // of the next, and the other way round): then the classes in the cycle keep their
        // populations apart, until no cycle is left. A product that reads one group twice
        // (two gates of one shape) keeps its factors apart by name. Should a conflict remain,
        // every class keeps its populations apart.
        let class_count = shapes.class_of_kernel.iter().max().map_or(0, |&c| c + 1);
        let mut apart = vec![Apart::Not; class_count];
        loop {
            let candidate = Candidate::new(program, &by_base, &shapes, &sites, &apart);
            let constraints = candidate.constraints(program, &by_base, &step_position, &sites);
            let Some(conflicts) = candidate.conflicts(program, &by_base, &constraints, &shapes)
            else {
                let merged = merge::merge_apart(
                    program,
                    &by_base,
                    &shapes,
                    &apart,
                    &candidate,
                    &constraints,
                )
                .map(|group_of| refine(program, &by_base, &group_of))
                .map(|group_of| Candidate::from_group_of(program, &by_base, &group_of))
                .map(|merged| {
                    let constraints = merged.constraints(program, &by_base, &step_position, &sites);
                    (merged, constraints)
                })
                .filter(|(merged, constraints)| {
                    merged
                        .conflicts(program, &by_base, constraints, &shapes)
                        .is_none()
                });
                let (candidate, constraints) = merged.unwrap_or((candidate, constraints));
                return candidate.into_layout(&constraints, shapes, by_base, step_position);
            };
            let mut raised = false;
            for (class, wanted) in conflicts {
                let wanted = wanted.max(apart[class].next());
                if apart[class] < wanted {
                    apart[class] = wanted;
                    raised = true;
                }
            }
            if !raised {
                if apart.iter().all(|&a| a == Apart::BySite) {
                    return candidate.into_layout(&constraints, shapes, by_base, step_position);
                }
                apart = vec![Apart::BySite; class_count];
            }
        }
    }

    /// The instance and slot of `vars[index]`.
    pub fn locate(&self, program: &Program, index: u64) -> Option<(u32, u32)> {
        locate(program, &self.by_base, index)
    }

    /// Group, member and slot of `vars[index]`.
    pub fn place_of(&self, program: &Program, index: u64) -> Option<(usize, usize, u32)> {
        let (inst, slot) = self.locate(program, index)?;
        let (g, j) = self.place[inst as usize];
        Some((g, j, slot))
    }
}

/// How far the instances of one shape class are kept apart by where they sit in the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Apart {
    Not,
    /// By their own name (the last part of their site: gate `m` apart from gate `h`).
    ByName,
    /// By their whole site (each population apart).
    BySite,
}

impl Apart {
    fn next(self) -> Apart {
        match self {
            Apart::Not => Apart::ByName,
            _ => Apart::BySite,
        }
    }
}

/// One way to group the instances, to be checked for conflicts before it is taken.
struct Candidate {
    groups: Vec<Group>,
    place: Vec<(usize, usize)>,
    schemes: Vec<SchemeGroup>,
}

/// What the order of the groups must respect, over nodes `0..groups` (the groups) and
/// `groups + s` (kinetic-scheme group `s`).
struct Constraints {
    /// `(a, b)`: node `a` must run before node `b`.
    edges: BTreeSet<(usize, usize)>,
    /// Per node: its first member's place in the step order (`usize::MAX`: never advanced).
    first: Vec<usize>,
    /// Groups where one member reads, or receives an event from, another member that jLEMS
    /// advances earlier in the step, from another population: one group cannot do that.
    inner: BTreeSet<usize>,
}

impl Candidate {
    fn new(
        program: &Program,
        by_base: &[(u64, u32)],
        shapes: &Shapes,
        sites: &[String],
        apart: &[Apart],
    ) -> Candidate {
        let group_of = partition(program, by_base, shapes, sites, apart);
        Candidate::from_group_of(program, by_base, &group_of)
    }

    /// The grouping where instance `i` is in group `group_of[i]` (numbered in order of
    /// first member).
    fn from_group_of(program: &Program, by_base: &[(u64, u32)], group_of: &[usize]) -> Candidate {
        let mut groups: Vec<Group> = Vec::new();
        let mut place = Vec::with_capacity(program.instances.len());
        for (i, inst) in program.instances.iter().enumerate() {
            let g = group_of[i];
            if g == groups.len() {
                groups.push(Group {
                    kernel: inst.kernel,
                    member_kernels: Vec::new(),
                    members: Vec::new(),
                    rank: None,
                });
            }
            place.push((g, groups[g].members.len()));
            groups[g].members.push(i as u32);
            groups[g].member_kernels.push(inst.kernel);
        }
        let schemes = scheme_groups(program, &|index| {
            let (inst, slot) = locate(program, by_base, index)?;
            let (g, j) = place[inst as usize];
            Some((g, j, slot))
        });
        Candidate {
            groups,
            place,
            schemes,
        }
    }

    fn node_count(&self) -> usize {
        self.groups.len() + self.schemes.len()
    }

    /// Node `reader` uses a value of node `owner`, or receives its events: the one jLEMS runs
    /// first runs first. A scheme reads and writes its occupancies and reads its rates.
    fn constraints(
        &self,
        program: &Program,
        by_base: &[(u64, u32)],
        step_position: &[usize],
        sites: &[String],
    ) -> Constraints {
        let place = &self.place;
        let groups = self.groups.len();
        let mut first = vec![usize::MAX; self.node_count()];
        for (inst, &pos) in step_position.iter().enumerate() {
            let g = place[inst].0;
            first[g] = first[g].min(pos);
        }
        // Every value a scheme touches (occupancies, then rates) and the occupancies it
        // writes: its node and step position.
        let mut touched: Vec<(u64, usize, usize)> = Vec::new();
        let mut written: HashMap<u64, (usize, usize)> = HashMap::new();
        for (s, scheme) in self.schemes.iter().enumerate() {
            let node = groups + s;
            for &pos in &scheme.ops {
                first[node] = first[node].min(pos);
                let Op::KineticScheme(ks) = &program.step_order[pos] else {
                    continue;
                };
                let rates = ks.edges.iter().flat_map(|e| [e.forward, e.reverse]);
                for index in ks.states.iter().copied().chain(rates) {
                    touched.push((index, node, pos));
                }
                for &index in &ks.states {
                    written.insert(index, (node, pos));
                }
            }
        }
        let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut inner: BTreeSet<usize> = BTreeSet::new();
        let mut constrain = |reader: usize, at: usize, owner: usize, owner_at: usize| {
            if reader == owner || owner_at == usize::MAX {
                return;
            }
            if owner_at < at {
                edges.insert((owner, reader));
            } else {
                edges.insert((reader, owner));
            }
        };
        for &(index, node, pos) in &touched {
            if let Some((y, _)) = locate(program, by_base, index) {
                let y = y as usize;
                constrain(node, pos, place[y].0, step_position[y]);
            }
        }
        // Instance `x` reads or hears instance `y`.
        let mut pair =
            |x: usize, y: usize, constrain: &mut dyn FnMut(usize, usize, usize, usize)| {
                let (gx, gy) = (place[x].0, place[y].0);
                if gx == gy && x != y && step_position[y] < step_position[x] && sites[x] != sites[y]
                {
                    inner.insert(gx);
                }
                constrain(gx, step_position[x], gy, step_position[y]);
            };
        let uses: Vec<BTreeMap<u32, Use>> = program.kernels.iter().map(link_uses).collect();
        for (x, rec) in program.instances.iter().enumerate() {
            if step_position[x] == usize::MAX {
                continue;
            }
            for (&entry, &usage) in &uses[rec.kernel as usize] {
                let at = (rec.links + u64::from(entry)) as usize;
                let read: Vec<u64> = match usage {
                    Use::Single => vec![program.links[at]],
                    Use::List(_) => {
                        let p = program.links[at] as usize;
                        let n = program.links[p] as usize;
                        program.links[p + 1..=p + n].to_vec()
                    }
                };
                for index in read {
                    if let Some(&(node, pos)) = written.get(&index) {
                        constrain(place[x].0, step_position[x], node, pos);
                    }
                    if let Some((y, _)) = locate(program, by_base, index) {
                        pair(x, y as usize, &mut constrain);
                    }
                }
            }
        }
        for c in &program.connections {
            let (x, y) = (c.target as usize, c.source as usize);
            if step_position[x] != usize::MAX {
                pair(x, y, &mut constrain);
            }
        }
        Constraints {
            edges,
            first,
            inner,
        }
    }

    /// The shape classes this grouping cannot hold, each with how far it must at least be
    /// kept apart: groups on a cycle of constraints, or holding a pair of members that
    /// [`Constraints::inner`] names, by site; the sources of a product that reads one group
    /// and slot twice for one member, one step further than now. `None`: no conflict.
    fn conflicts(
        &self,
        program: &Program,
        by_base: &[(u64, u32)],
        constraints: &Constraints,
        shapes: &Shapes,
    ) -> Option<Vec<(usize, Apart)>> {
        let class = |g: usize| shapes.class_of_kernel[self.groups[g].kernel as usize];
        let mut graph: DiGraph<(), ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..self.node_count()).map(|_| graph.add_node(())).collect();
        for &(a, b) in &constraints.edges {
            graph.add_edge(nodes[a], nodes[b], ());
        }
        let mut tangled: BTreeSet<usize> = constraints.inner.clone();
        for component in tarjan_scc(&graph) {
            if component.len() > 1 {
                tangled.extend(component.iter().map(|n| n.index()));
            }
        }
        let repeated = repeated_product_sources(program, by_base, self);
        if tangled.is_empty() && repeated.is_empty() {
            return None;
        }
        // A cycle of schemes alone names no class: the caller then keeps every class apart.
        let cyclic = tangled.into_iter().filter(|&n| n < self.groups.len());
        let mut out: Vec<(usize, Apart)> = cyclic.map(|g| (class(g), Apart::BySite)).collect();
        out.extend(repeated.into_iter().map(|g| (class(g), Apart::ByName)));
        Some(out)
    }

    fn into_layout(
        mut self,
        constraints: &Constraints,
        shapes: Shapes,
        by_base: Vec<(u64, u32)>,
        step_position: Vec<usize>,
    ) -> Layout {
        let groups = self.groups.len();
        for (rank, node) in group_order(constraints).into_iter().enumerate() {
            match node.checked_sub(groups) {
                None => self.groups[node].rank = Some(rank),
                Some(s) => self.schemes[s].rank = Some(rank),
            }
        }
        Layout {
            groups: self.groups,
            schemes: self.schemes,
            shapes,
            place: self.place,
            by_base,
            step_position,
        }
    }
}

/// The nodes that advance, in an order where every constraint holds, as far as they agree;
/// otherwise, and between unconstrained nodes, in the order of their first member in the
/// step order.
fn group_order(constraints: &Constraints) -> Vec<usize> {
    let (edges, first) = (&constraints.edges, &constraints.first);
    let node_count = first.len();
    let mut indegree = vec![0usize; node_count];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); node_count];
    for &(a, b) in edges {
        if !edges.contains(&(b, a)) {
            indegree[b] += 1;
            after[a].push(b);
        }
    }
    let advancing: Vec<usize> = (0..node_count)
        .filter(|&g| first[g] != usize::MAX)
        .collect();
    let mut ready: BinaryHeap<Reverse<(usize, usize)>> = advancing
        .iter()
        .filter(|&&g| indegree[g] == 0)
        .map(|&g| Reverse((first[g], g)))
        .collect();
    let mut order = Vec::with_capacity(advancing.len());
    let mut placed = vec![false; node_count];
    loop {
        while let Some(Reverse((_, g))) = ready.pop() {
            if placed[g] {
                continue;
            }
            placed[g] = true;
            order.push(g);
            for &b in &after[g] {
                if placed[b] {
                    continue;
                }
                indegree[b] = indegree[b].saturating_sub(1);
                if indegree[b] == 0 {
                    ready.push(Reverse((first[b], b)));
                }
            }
        }
        // A cycle: take the earliest group left and go on.
        let Some(&g) = advancing
            .iter()
            .filter(|&&g| !placed[g])
            .min_by_key(|&&g| first[g])
        else {
            return order;
        };
        indegree[g] = 0;
        ready.push(Reverse((first[g], g)));
    }
}

/// The groups some member of another group reads twice, at one slot, in one product
/// (`reduce="multiply"` over two gates of one shape): [`super::links`] needs one factor
/// per source group and slot.
fn repeated_product_sources(
    program: &Program,
    by_base: &[(u64, u32)],
    candidate: &Candidate,
) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for group in &candidate.groups {
        let uses = link_uses(&program.kernels[group.kernel as usize]);
        for (&entry, _) in uses
            .iter()
            .filter(|(_, &u)| u == Use::List(Reduce::Multiply))
        {
            for &inst in &group.members {
                let at = (program.instances[inst as usize].links + u64::from(entry)) as usize;
                let p = program.links[at] as usize;
                let n = program.links[p] as usize;
                let mut places: Vec<(usize, u32)> = program.links[p + 1..=p + n]
                    .iter()
                    .filter_map(|&i| locate(program, by_base, i))
                    .map(|(y, slot)| (candidate.place[y as usize].0, slot))
                    .collect();
                places.sort_unstable();
                for pair in places.windows(2).filter(|w| w[0] == w[1]) {
                    out.insert(pair[0].0);
                }
            }
        }
    }
    out
}

fn locate(program: &Program, by_base: &[(u64, u32)], index: u64) -> Option<(u32, u32)> {
    let at = by_base.partition_point(|&(base, _)| base <= index);
    let &(base, inst) = by_base.get(at.checked_sub(1)?)?;
    let kernel = &program.kernels[program.instances[inst as usize].kernel as usize];
    let slot = index - base;
    (slot < u64::from(kernel.block_len)).then_some((inst, slot as u32))
}

/// The group of each instance, numbered in order of first member: instances share a group
/// when they run the same kernel and each single value they read comes from the same group
/// and slot (for a product over a list: the same set of groups and slots; sums may differ),
/// and, for the shape classes kept [`Apart`], have the same name or sit in the same place of
/// the model ([`site_of`]). Refined until no group splits further.
fn partition(
    program: &Program,
    by_base: &[(u64, u32)],
    shapes: &Shapes,
    sites: &[String],
    apart: &[Apart],
) -> Vec<usize> {
    let class = |kernel: u32| shapes.class_of_kernel[kernel as usize];
    let mut ids: HashMap<(usize, &str), usize> = HashMap::new();
    let coarse: Vec<usize> = program
        .instances
        .iter()
        .enumerate()
        .map(|(x, rec)| {
            // Where populations stay apart, indices are left out of the site, so list
            // members still share a group.
            let site = match apart[class(rec.kernel)] {
                Apart::Not => "",
                Apart::ByName => sites[x].rsplit('/').next().unwrap_or(""),
                Apart::BySite => sites[x].as_str(),
            };
            let fresh = ids.len();
            *ids.entry((class(rec.kernel), site)).or_insert(fresh)
        })
        .collect();
    refine(program, by_base, &coarse)
}

/// The coarsest grouping within `coarse` (instances of one kernel shape) where every
/// member of a group reads its single values and products from the same places
/// ([`signature`]), numbered in order of first member.
fn refine(program: &Program, by_base: &[(u64, u32)], coarse: &[usize]) -> Vec<usize> {
    let uses: Vec<BTreeMap<u32, Use>> = program.kernels.iter().map(link_uses).collect();
    let mut group_of = coarse.to_vec();
    let mut count = usize::MAX;
    loop {
        let mut ids: HashMap<(usize, Vec<Vec<(usize, u32)>>), usize> = HashMap::new();
        let next: Vec<usize> = program
            .instances
            .iter()
            .enumerate()
            .map(|(x, rec)| {
                let signature =
                    signature(program, by_base, &uses[rec.kernel as usize], rec, &group_of);
                let fresh = ids.len();
                *ids.entry((coarse[x], signature)).or_insert(fresh)
            })
            .collect();
        let done = ids.len() == count;
        count = ids.len();
        group_of = next;
        if done {
            return group_of;
        }
    }
}

/// Where the single values and products an instance reads come from: (group, slot) of each,
/// per link entry, sorted and without repeats. Sums are left out (one summed variable per part
/// reads any mix of groups).
fn signature(
    program: &Program,
    by_base: &[(u64, u32)],
    uses: &BTreeMap<u32, Use>,
    rec: &InstanceRec,
    group_of: &[usize],
) -> Vec<Vec<(usize, u32)>> {
    let mut signature = Vec::new();
    for (&entry, &usage) in uses {
        if usage == Use::List(Reduce::Add) {
            continue;
        }
        let at = (rec.links + u64::from(entry)) as usize;
        let indices: &[u64] = match usage {
            Use::Single => std::slice::from_ref(&program.links[at]),
            Use::List(_) => {
                let p = program.links[at] as usize;
                let n = program.links[p] as usize;
                &program.links[p + 1..=p + n]
            }
        };
        let mut places: Vec<(usize, u32)> = indices
            .iter()
            .filter_map(|&i| locate(program, by_base, i))
            .map(|(inst, slot)| (group_of[inst as usize], slot))
            .collect();
        places.sort_unstable();
        places.dedup();
        signature.push(places);
    }
    signature
}

/// An instance path without its indices (`pop[3]/syn[0]` and `arr/12` give `pop[]/syn[]` and
/// `arr/`): where in the model an instance sits, whatever its number there.
fn site_of(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/') {
        if !out.is_empty() {
            out.push('/');
        }
        if segment.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let mut in_index = false;
        for c in segment.chars() {
            match c {
                '[' => {
                    in_index = true;
                    out.push(c);
                }
                ']' => {
                    in_index = false;
                    out.push(c);
                }
                c if in_index && c.is_ascii_digit() => {}
                c => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::site_of;

    #[test]
    fn sites_leave_out_indices_only() {
        assert_eq!(site_of("hh1pop[0]/bioPhys1"), "hh1pop[]/bioPhys1");
        assert_eq!(site_of("hh2pop[12]/syn1exp[3]"), "hh2pop[]/syn1exp[]");
        assert_eq!(site_of("spkArr/0"), "spkArr/");
    }
}
