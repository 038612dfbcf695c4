//! `--fast`: the same model, not the same bits. A rewrite of the lowered [`Program`] that
//! merges the linear synapses of one cell: instances of one kernel that [`linear::analyse`]
//! proves linear, attached to the same parent, reading the same values and summed into the
//! same lists, share the state of the first of them. A cell with 100 incoming `expTwoSynapse`
//! connections of one component then advances one synapse state instead of 100.
//!
//! Each connection into a merged instance is redirected to a *relay*: an instance with no
//! dynamics whose block is the shared state and whose event handler adds the connection's own
//! increment, reading its `weight` (any slot only the handlers read) through a link into the
//! block of the instance the connection was made for. The merged instances are no longer
//! initialised or advanced, and leave the lists their parent sums over. Summing first and
//! advancing once rounds differently from advancing each and summing, so values differ in the
//! last bits.
//!
//! Instances anything else looks at (recorded columns, event selections, single links from
//! other instances, kinetic schemes, cable solves, out-going connections) are never merged.

mod linear;
mod rewrite;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use lemsc_runtime::program::{Expr, Op, Program, Reduce, Stmt};

use crate::ir::{InstId, Ir};
use linear::{Kind, LinearSynapse};

/// What [`merge_linear_synapses`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeSummary {
    /// Shared states that now stand for two or more synapse instances.
    pub groups: usize,
    /// Instances that stopped advancing: their connections now feed a shared state.
    pub merged: usize,
}

/// Merges the linear synapses of `program`, lowered from `ir` (instance `i` of the program is
/// instance `i` of the IR). Leaves the program as it is where nothing can be merged.
pub fn merge_linear_synapses(ir: &Ir, program: &mut Program) -> MergeSummary {
    if program.instances.len() != ir.instances.len() {
        return MergeSummary::default();
    }
    let analyses: Vec<Option<LinearSynapse>> =
        program.kernels.iter().map(linear::analyse).collect();
    let Some(candidates) = Candidates::find(ir, program, &analyses) else {
        return MergeSummary::default();
    };
    let groups = candidates.groups(ir, program, &analyses);
    rewrite::apply(program, &analyses, &groups, &candidates.listed_in)
}

/// The instances that may merge, with the lists that read each.
struct Candidates {
    /// Candidate instances by block start, for finding which one a vars index falls in.
    by_base: Vec<(u64, u32)>,
    /// Per instance: still a candidate.
    eligible: Vec<bool>,
    /// Per candidate: the (list position, slot) pairs of the sums that read it, in list order.
    /// Indexed by instance (empty for most): a network has a million of them to look up.
    listed_in: Vec<Vec<(u64, u32)>>,
}

impl Candidates {
    /// Receivers of event connections whose kernel is a linear synapse and that nothing but
    /// additive lists reads. None when the program holds an operation this pass does not
    /// know how to look through.
    fn find(ir: &Ir, program: &Program, analyses: &[Option<LinearSynapse>]) -> Option<Candidates> {
        let n = program.instances.len();
        let mut eligible = vec![false; n];
        for c in &ir.event_connections {
            if let Some(r) = c.receiver {
                let kernel = program.instances[r.0 as usize].kernel as usize;
                eligible[r.0 as usize] = analyses[kernel].is_some();
            }
        }
        let mut by_base: Vec<(u64, u32)> = (0..n as u32)
            .filter(|&i| eligible[i as usize])
            .map(|i| (program.instances[i as usize].base, i))
            .collect();
        by_base.sort_unstable();
        let mut this = Candidates {
            by_base,
            eligible,
            listed_in: vec![Vec::new(); n],
        };
        this.exclude_watched(program)?;
        this.read_lists(program, analyses);
        Some(this)
    }

    /// The candidate whose block holds vars index `var`.
    fn owner(&self, program: &Program, var: u64) -> Option<u32> {
        let at = self.by_base.partition_point(|&(base, _)| base <= var);
        let &(base, inst) = self.by_base.get(at.checked_sub(1)?)?;
        let rec = &program.instances[inst as usize];
        let len = u64::from(program.kernels[rec.kernel as usize].block_len);
        (var < base + len).then_some(inst)
    }

    fn exclude_var(&mut self, program: &Program, var: u64) {
        if let Some(o) = self.owner(program, var) {
            self.eligible[o as usize] = false;
        }
    }

    /// Rules out what is recorded, sends events, is read through a single link by another
    /// instance, or is touched by a kinetic scheme or a cable solve.
    fn exclude_watched(&mut self, program: &Program) -> Option<()> {
        for out in &program.outputs {
            for &var in &out.columns {
                self.exclude_var(program, var);
            }
        }
        for out in &program.event_outputs {
            for sel in &out.selections {
                self.eligible[sel.inst as usize] = false;
            }
        }
        for c in &program.connections {
            self.eligible[c.source as usize] = false;
        }
        for op in program.init_order.iter().chain(&program.step_order) {
            match op {
                Op::Init { .. } | Op::Advance { .. } | Op::Repeat { .. } => {}
                Op::KineticScheme(ks) => {
                    let edges = ks.edges.iter().flat_map(|e| [e.forward, e.reverse]);
                    for var in ks.states.iter().copied().chain(edges) {
                        self.exclude_var(program, var);
                    }
                }
                Op::Cable(cable) => {
                    let nodes = cable.nodes.iter().map(|n| n.v);
                    let flows = cable.contributions.iter().flatten().copied();
                    for var in nodes.chain(flows) {
                        self.exclude_var(program, var);
                    }
                }
                #[allow(unreachable_patterns)]
                _ => return None,
            }
        }
        let single_links = kernel_links(program, false);
        for (i, rec) in program.instances.iter().enumerate() {
            for &k in &single_links[rec.kernel as usize] {
                let var = program.links[(rec.links + u64::from(k)) as usize];
                if self.owner(program, var).is_some_and(|o| o as usize != i) {
                    self.exclude_var(program, var);
                }
            }
        }
        Some(())
    }

    /// Records which sums read each candidate; a candidate in a product, or whose value read
    /// by a sum is not linear in its states, is ruled out.
    fn read_lists(&mut self, program: &Program, analyses: &[Option<LinearSynapse>]) {
        let list_links: Vec<Vec<(u32, bool)>> = kernel_links(program, true)
            .into_iter()
            .zip(&program.kernels)
            .map(|(ks, kernel)| {
                ks.into_iter()
                    .map(|k| (k, reduces(kernel, k).iter().all(|r| *r == Reduce::Add)))
                    .collect()
            })
            .collect();
        let mut lists: HashMap<u64, bool> = HashMap::new();
        for rec in &program.instances {
            for &(k, additive) in &list_links[rec.kernel as usize] {
                let p = program.links[(rec.links + u64::from(k)) as usize];
                *lists.entry(p).or_insert(true) &= additive;
            }
        }
        let mut positions: Vec<(u64, bool)> = lists.into_iter().collect();
        positions.sort_unstable();
        for (p, additive) in positions {
            let count = program.links[p as usize];
            for &var in &program.links[p as usize + 1..=(p + count) as usize] {
                let Some(o) = self.owner(program, var) else {
                    continue;
                };
                let rec = &program.instances[o as usize];
                let slot = (var - rec.base) as u32;
                let linear = analyses[rec.kernel as usize]
                    .as_ref()
                    .is_some_and(|a| matches!(a.kinds[slot as usize], Kind::Linear | Kind::Zero));
                if !additive || !linear {
                    self.eligible[o as usize] = false;
                }
                self.listed_in[o as usize].push((p, slot));
            }
        }
    }

    /// The eligible candidates grouped by what must be equal for them to share a state:
    /// kernel, parent, the sums that read them, the values their dynamics link to, and every
    /// start value but the per-connection ones. Groups in order of their first instance.
    fn groups(
        &self,
        ir: &Ir,
        program: &Program,
        analyses: &[Option<LinearSynapse>],
    ) -> Vec<Vec<u32>> {
        let mut index: HashMap<GroupKey, usize> = HashMap::new();
        let mut groups: Vec<Vec<u32>> = Vec::new();
        for &(_, inst) in &self.by_base {
            if !self.eligible[inst as usize] {
                continue;
            }
            let rec = &program.instances[inst as usize];
            let analysis = analyses[rec.kernel as usize]
                .as_ref()
                .expect("a candidate's kernel is linear");
            let Some(key) = group_key(ir, program, analysis, inst, &self.listed_in[inst as usize])
            else {
                continue;
            };
            match index.get(&key) {
                Some(&g) => groups[g].push(inst),
                None => {
                    index.insert(key, groups.len());
                    groups.push(vec![inst]);
                }
            }
        }
        groups.retain(|g| g.len() > 1);
        groups.sort_unstable_by_key(|g| g[0]);
        groups
    }
}

#[derive(Hash, PartialEq, Eq)]
struct GroupKey {
    kernel: u32,
    parent: Option<InstId>,
    lists: Vec<(u64, u32)>,
    linked: Vec<u64>,
    start_bits: Vec<u64>,
}

/// What instance `inst` must share with the others of its group; None when its states do not
/// start at zero (the shared state starts as the first instance's).
fn group_key(
    ir: &Ir,
    program: &Program,
    analysis: &LinearSynapse,
    inst: u32,
    lists: &[(u64, u32)],
) -> Option<GroupKey> {
    let rec = &program.instances[inst as usize];
    let block = &program.initial[rec.base as usize..][..analysis.kinds.len()];
    let starts_at_zero = analysis
        .kinds
        .iter()
        .zip(block)
        .all(|(kind, &v)| *kind != Kind::Linear || v == 0.0);
    if !starts_at_zero {
        return None;
    }
    let start_bits = block
        .iter()
        .enumerate()
        .filter(|(s, _)| analysis.per_connection.binary_search(&(*s as u32)).is_err())
        .map(|(_, v)| v.to_bits())
        .collect();
    Some(GroupKey {
        kernel: rec.kernel,
        parent: ir.instances[inst as usize].parent,
        lists: lists.to_vec(),
        linked: analysis
            .shared_links
            .iter()
            .map(|&k| program.links[(rec.links + u64::from(k)) as usize])
            .collect(),
        start_bits,
    })
}

/// Per kernel, the link entries it reads as single values (`lists == false`) or as lists.
fn kernel_links(program: &Program, lists: bool) -> Vec<Vec<u32>> {
    program
        .kernels
        .iter()
        .map(|kernel| {
            let mut found = Vec::new();
            for_each_expr(kernel, &mut |e| match e {
                Expr::Link(k) if !lists => found.push(*k),
                Expr::Reduce(_, k) if lists => found.push(*k),
                _ => {}
            });
            found.sort_unstable();
            found.dedup();
            found
        })
        .collect()
}

/// How `kernel` reduces the list at link entry `k`.
fn reduces(kernel: &lemsc_runtime::program::Kernel, k: u32) -> Vec<Reduce> {
    let mut found = Vec::new();
    for_each_expr(kernel, &mut |e| {
        if let Expr::Reduce(r, at) = e {
            if *at == k {
                found.push(*r);
            }
        }
    });
    found
}

/// Calls `f` on every expression of every statement of `kernel`.
fn for_each_expr(kernel: &lemsc_runtime::program::Kernel, f: &mut dyn FnMut(&Expr)) {
    let entries = [&kernel.init, &kernel.init_derived, &kernel.advance];
    for stmts in entries.into_iter().chain(&kernel.on_event) {
        stmts_exprs(stmts, f);
    }
}

fn stmts_exprs(stmts: &[Stmt], f: &mut dyn FnMut(&Expr)) {
    for stmt in stmts {
        match stmt {
            Stmt::Set { value, .. } => linear::walk(value, f),
            Stmt::If { test, then } => {
                linear::walk(test, f);
                stmts_exprs(then, f);
            }
            Stmt::Switch { arms, .. } => arms.iter().for_each(|arm| stmts_exprs(arm, f)),
            Stmt::Emit { .. } => {}
        }
    }
}
