//! Where every instance of the program lives in Brian2: one `NeuronGroup` per kernel (all
//! instances of one component), members in program order, and the order the groups run in.
//! Kernels that differ only in constants share a group ([`super::shapes`]). A kernel whose
//! instances read from different kinds of places (one ion channel in two cell
//! types) is split into one group per kind of place, so each group reads from one group.
//!
//! jLEMS advances instance by instance, children before parents (docs/jlems-semantics.md
//! §4.1). Running one group for all its instances at once keeps that order whenever a
//! group's instances come, in the step order, before those of every group that reads them:
//! the groups are sorted by these constraints, then by their first member's place.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

use lemsc_runtime::program::{Op, Program, Reduce};

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
        let group_of = partition(program, &by_base, &shapes);
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
        let mut step_position = vec![usize::MAX; program.instances.len()];
        for (pos, op) in program.step_order.iter().enumerate() {
            if let Op::Advance { inst } = op {
                step_position[*inst as usize] = pos;
            }
        }
        let mut schemes = scheme_groups(program, &|index| {
            let (inst, slot) = locate(program, &by_base, index)?;
            let (g, j) = place[inst as usize];
            Some((g, j, slot))
        });
        let nodes = Nodes {
            place: &place,
            step_position: &step_position,
            groups: groups.len(),
            schemes: &schemes,
        };
        let order = group_order(program, &by_base, &nodes);
        for (rank, node) in order.into_iter().enumerate() {
            match node.checked_sub(groups.len()) {
                None => groups[node].rank = Some(rank),
                Some(s) => schemes[s].rank = Some(rank),
            }
        }
        Layout {
            groups,
            schemes,
            shapes,
            place,
            by_base,
            step_position,
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

/// What [`group_order`] orders: the groups (nodes `0..groups`) and the kinetic-scheme groups
/// after them (node `groups + s`).
struct Nodes<'a> {
    place: &'a [(usize, usize)],
    step_position: &'a [usize],
    groups: usize,
    schemes: &'a [SchemeGroup],
}

/// The groups that advance and the scheme groups, in an order where a group runs before
/// every group that reads it after jLEMS has advanced it (and after every group that it reads
/// before jLEMS advances that one), as far as these constraints agree; otherwise, and between
/// unconstrained groups, in the order of their first member in the step order. A scheme reads
/// and writes its occupancies and reads its rates.
fn group_order(program: &Program, by_base: &[(u64, u32)], nodes: &Nodes) -> Vec<usize> {
    let (place, step_position) = (nodes.place, nodes.step_position);
    let node_count = nodes.groups + nodes.schemes.len();
    let mut first = vec![usize::MAX; node_count];
    for (inst, &pos) in step_position.iter().enumerate() {
        let g = place[inst].0;
        first[g] = first[g].min(pos);
    }
    // Every value a scheme touches (occupancies, then rates) and the occupancies it
    // writes: its node and step position.
    let mut touched: Vec<(u64, usize, usize)> = Vec::new();
    let mut written: HashMap<u64, (usize, usize)> = HashMap::new();
    for (s, scheme) in nodes.schemes.iter().enumerate() {
        let node = nodes.groups + s;
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
    // Node `reader`, at step position `at`, uses a value of node `owner`, advanced at
    // `owner_at`: the one jLEMS runs first runs first.
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
                let Some((y, _)) = locate(program, by_base, index) else {
                    continue;
                };
                let y = y as usize;
                constrain(place[x].0, step_position[x], place[y].0, step_position[y]);
            }
        }
    }
    let mut indegree = vec![0usize; node_count];
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); node_count];
    for &(a, b) in &edges {
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

fn locate(program: &Program, by_base: &[(u64, u32)], index: u64) -> Option<(u32, u32)> {
    let at = by_base.partition_point(|&(base, _)| base <= index);
    let &(base, inst) = by_base.get(at.checked_sub(1)?)?;
    let kernel = &program.kernels[program.instances[inst as usize].kernel as usize];
    let slot = index - base;
    (slot < u64::from(kernel.block_len)).then_some((inst, slot as u32))
}

/// The group of each instance, numbered in order of first member: instances share a group
/// when they run the same kernel and each single value they read comes from the same group
/// and slot (for a product over a list: the same set of groups and slots; sums may differ). Refined until no group splits further.
fn partition(program: &Program, by_base: &[(u64, u32)], shapes: &Shapes) -> Vec<usize> {
    let uses: Vec<BTreeMap<u32, Use>> = program.kernels.iter().map(link_uses).collect();
    let class = |kernel: u32| shapes.class_of_kernel[kernel as usize];
    let mut group_of: Vec<usize> = program.instances.iter().map(|r| class(r.kernel)).collect();
    let mut count = usize::MAX;
    loop {
        let mut ids: HashMap<(usize, String, Vec<Vec<(usize, u32)>>), usize> = HashMap::new();
        let next: Vec<usize> = program
            .instances
            .iter()
            .map(|rec| {
                let mut signature = Vec::new();
                for (&entry, &usage) in &uses[rec.kernel as usize] {
                    if usage == Use::List(Reduce::Add) {
                        // A sum reads any mix of groups (one summed variable per part).
                        continue;
                    }
                    let at = (rec.links + u64::from(entry)) as usize;
                    let indices: Vec<u64> = match usage {
                        Use::Single => vec![program.links[at]],
                        Use::List(_) => {
                            let p = program.links[at] as usize;
                            let n = program.links[p] as usize;
                            program.links[p + 1..=p + n].to_vec()
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
                // Instances of different populations stay apart, so the order between them
                // (a cell of one population sending to synapses on the cells of the next)
                // can be kept; indices are left out, so list members still share a group.
                let site = site_of(&rec.path);
                let fresh = ids.len();
                *ids.entry((class(rec.kernel), site, signature))
                    .or_insert(fresh)
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
