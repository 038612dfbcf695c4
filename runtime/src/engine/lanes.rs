//! A step split into lanes: parts that share no instance block, run side by side on worker
//! threads (`engine::crew`) with the same bits as one thread.
//!
//! Two advances can run at the same time only when neither reads or writes a block the
//! other writes. The advances that touch each other's blocks (a cell, its synapses and its
//! inputs) are joined into one part with a union-find over the blocks each op touches
//! (`regroup::step_accesses`); parts are then cut into lanes of about equal work, keeping
//! the order of the regrouped step within each lane and neighbouring parts in one lane (so
//! each lane keeps to its own stretch of memory). What else an advance does is made to come
//! out as on one thread:
//!
//! - an advance's zero-delay receivers run at once in its lane, as on one thread: their
//!   blocks are in its part, and receivers that fire or draw in turn make the step a
//!   barrier (`regroup`), which is not split;
//! - the rest of serving the ports an advance fires (queueing delayed events, noting
//!   recorded ones) waits until all lanes finish and is done in step-order position
//!   (`crew`), the order one thread serves them in: advances that fire keep their written
//!   order in the regrouped step, and nothing else in the step sees what serving does;
//! - every advance that draws random numbers is put in one lane, which alone holds the
//!   generator, so the draws come in the same order;
//! - a step with anything else (kinetic schemes, cable solves, barriers) is not split.

use super::plan::StepPlan;
use super::regroup::{delayed_receiver_accesses, step_accesses, Access};
use crate::program::{Op, Program, Stmt};

/// The default of [`super::RunOptions::min_parallel_work`]: splitting a step costs two
/// waits per step, and the workers spin (using CPU) while the calling thread delivers
/// events and writes rows, so a step is split only when its advances do this much work
/// (statements per step, about a nanosecond each when compiled). Measured on the benchmark
/// networks: izh-net N = 100 `--fast` (4 400) ran no faster split; hh-net N = 100 `--fast`
/// (23 800) gained a quarter of its wall time for a tenth more CPU; izh-net N = 1000
/// `--fast` (44 000) and every exact run of them (100 000 and more) gain a third to a half.
pub const DEFAULT_MIN_PARALLEL_WORK: u64 = 30_000;

/// The lanes of a split step.
pub(super) struct Lanes<'p> {
    /// Each lane's advances, in regrouped step order.
    pub plans: Vec<StepPlan<'p>>,
    /// The threads that run them: one per lane. (Lanes handed to whichever thread is free
    /// ran slower on izh-net N = 1000, four or sixteen per thread alike: a lane's blocks
    /// then move between the cores' caches.)
    pub threads: usize,
    /// The lane whose advances draw random numbers, if any advance does.
    pub rng_lane: Option<usize>,
    /// When the lanes deliver the delayed events themselves, at the start of their part of
    /// each step: the lane of each instance that receives them (`u32::MAX` for others).
    pub delivery: Option<Vec<u32>>,
}

/// Splits the step of `program` (run in `order`, positions in its step order) into lanes
/// for up to `threads` threads, or `None` when it cannot be split, is one part, or does
/// less than `min_work` per step. The lanes also deliver the delayed events where every
/// receiver's `OnEvent` neither fires nor draws and keeps to blocks of one lane; else the
/// calling thread delivers them all before the lanes start.
pub(super) fn split<'p>(
    program: &'p Program,
    order: &[usize],
    threads: usize,
    min_work: u64,
) -> Option<Lanes<'p>> {
    if threads < 2 {
        return None;
    }
    // Worked out once for both tries below.
    let accesses: Vec<Access> = step_accesses(program).collect();
    split_with(program, &accesses, order, threads, min_work, true)
        .or_else(|| split_with(program, &accesses, order, threads, min_work, false))
}

/// [`split`], given what each step op touches (`accesses`, in step order), with the lanes
/// delivering the delayed events when `deliver` (or `None` where they cannot).
fn split_with<'p>(
    program: &'p Program,
    accesses: &[Access],
    order: &[usize],
    threads: usize,
    min_work: u64,
    deliver: bool,
) -> Option<Lanes<'p>> {
    let kernel_work: Vec<u64> = program
        .kernels
        .iter()
        .map(|k| 1 + statement_count(&k.advance))
        .collect();
    let instances = program.instances.len();
    // One node per instance block, and one for the random generator.
    let generator = instances;
    let mut parts = UnionFind::new(instances + 1);
    let mut work_of = vec![0u64; program.step_order.len()];
    let mut total = 0u64;
    for (p, access) in accesses.iter().enumerate() {
        if access.free {
            continue;
        }
        let Op::Advance { inst } = program.step_order[p] else {
            return None;
        };
        if access.barrier {
            return None;
        }
        let inst = inst as usize;
        for &block in access.reads.iter().chain(&access.writes) {
            parts.union(inst, block as usize);
        }
        if access.draws {
            parts.union(inst, generator);
        }
        work_of[p] = kernel_work[program.instances[inst].kernel as usize];
        total += work_of[p];
    }
    if total < min_work.max(1) {
        return None;
    }
    // A delivery touches its receiver's block and what its `OnEvent` reads: one part.
    let mut receivers: Vec<u32> = Vec::new();
    if deliver {
        for (target, access) in delayed_receiver_accesses(program) {
            if access.ordered {
                return None;
            }
            // Its own block comes first; none when the in-port has no `OnEvent` at all.
            let Some(&target_block) = access.reads.first() else {
                receivers.extend([u32::MAX, target]);
                continue;
            };
            for &block in access.reads.iter().chain(&access.writes) {
                parts.union(target_block as usize, block as usize);
            }
            receivers.extend([target_block, target]);
        }
    }

    // Parts in the order the step first reaches them, with their work.
    let none = usize::MAX;
    let mut part_index = vec![none; instances + 1];
    let mut part_work: Vec<u64> = Vec::new();
    let mut part_of = vec![none; program.step_order.len()];
    for &p in order {
        let Op::Advance { inst } = program.step_order[p] else {
            continue;
        };
        if work_of[p] == 0 {
            continue;
        }
        let root = parts.find(inst as usize);
        if part_index[root] == none {
            part_index[root] = part_work.len();
            part_work.push(0);
        }
        part_of[p] = part_index[root];
        part_work[part_index[root]] += work_of[p];
    }

    // Consecutive parts to each lane, cut where the work done so far crosses a share.
    let lanes = threads;
    let mut lane_of_part = Vec::with_capacity(part_work.len());
    let mut done = 0u64;
    for &work in &part_work {
        let middle = done + work / 2;
        let lane = (u128::from(middle) * lanes as u128 / u128::from(total)) as usize;
        lane_of_part.push(lane.min(lanes - 1));
        done += work;
    }
    // Lanes no part fell into are dropped (a part can hold more than a share).
    let mut renumbered = vec![none; lanes];
    let mut lane_count = 0;
    for lane in lane_of_part.iter_mut() {
        if renumbered[*lane] == none {
            renumbered[*lane] = lane_count;
            lane_count += 1;
        }
        *lane = renumbered[*lane];
    }
    if lane_count < 2 {
        return None;
    }
    let generator_part = part_index[parts.find(generator)];
    let rng_lane = (generator_part != none).then(|| lane_of_part[generator_part]);
    let delivery = if deliver {
        let mut lane_of = vec![u32::MAX; instances];
        for pair in receivers.chunks(2) {
            let (block, target) = (pair[0], pair[1] as usize);
            if block == u32::MAX {
                // Nothing runs: any lane may count the delivery.
                lane_of[target] = 0;
                continue;
            }
            // A receiver in no part with advances has no lane to deliver it.
            let part = part_index[parts.find(block as usize)];
            if part == none {
                return None;
            }
            lane_of[target] = lane_of_part[part] as u32;
        }
        Some(lane_of)
    } else {
        None
    };
    let plans: Vec<StepPlan> = (0..lane_count)
        .map(|lane| {
            StepPlan::new(
                program,
                order
                    .iter()
                    .filter(|&&p| part_of[p] != none && lane_of_part[part_of[p]] == lane)
                    .map(|&p| (p, &program.step_order[p])),
            )
        })
        .collect();
    Some(Lanes {
        threads: threads.min(plans.len()),
        plans,
        rng_lane,
        delivery,
    })
}

/// Statements in `stmts`, those inside `If` and `Switch` included.
fn statement_count(stmts: &[Stmt]) -> u64 {
    stmts
        .iter()
        .map(|stmt| {
            1 + match stmt {
                Stmt::If { then, .. } => statement_count(then),
                Stmt::Switch { arms, .. } => arms.iter().map(|arm| statement_count(arm)).sum(),
                Stmt::Set { .. } | Stmt::Emit { .. } => 0,
            }
        })
        .sum()
}

/// Disjoint sets of `0..n`, by parent pointers with path halving.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            // The smaller index stays the root, so roots do not depend on union order.
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::regroup::tests::{adds, kernel as kernel_of, program};
    use crate::program::{Expr, Kernel};

    /// A kernel whose advance adds to slot 0: link 0's value with `reads`, a random number
    /// with `draws`, else a constant.
    fn kernel(reads: bool, draws: bool) -> Kernel {
        let value = match (reads, draws) {
            (true, _) => Expr::Link(0),
            (false, true) => Expr::Random(Box::new(Expr::Const(1.0))),
            (false, false) => Expr::Const(1.0),
        };
        kernel_of("k", adds(value))
    }

    fn lane_insts(lanes: &Lanes) -> Vec<Vec<u32>> {
        lanes.plans.iter().map(|plan| plan.insts.clone()).collect()
    }

    fn written(program: &Program) -> Vec<usize> {
        (0..program.step_order.len()).collect()
    }

    #[test]
    fn instances_that_read_each_other_share_a_lane_and_parts_are_cut_in_order() {
        // Pairs (0, 1), (2, 3), (4, 5), (6, 7): the odd one reads the even one.
        let p = program(
            vec![kernel(false, false), kernel(true, false)],
            &[0, 1, 0, 1, 0, 1, 0, 1],
            &[0, 0, 0, 2, 0, 4, 0, 6],
        );
        let lanes = split(&p, &written(&p), 2, 0).expect("four parts make two lanes");
        assert_eq!(lane_insts(&lanes), [vec![0, 1, 2, 3], vec![4, 5, 6, 7]]);
        assert_eq!(lanes.threads, 2);
        assert_eq!(lanes.rng_lane, None);
        let three = split(&p, &written(&p), 3, 0).expect("three lanes");
        assert_eq!(three.plans.len(), 3);
        // A lane per part at most.
        assert_eq!(split(&p, &written(&p), 16, 0).unwrap().plans.len(), 4);
    }

    #[test]
    fn lanes_deliver_the_delayed_events_of_their_own_receivers() {
        use crate::program::Connection;
        // Pairs (0, 1), (2, 3), (4, 5), (6, 7); 0 sends to 7 and 6 to 1, after a delay.
        let mut receiver = kernel(true, false);
        receiver.in_ports = vec!["in".into()];
        receiver.on_event = vec![adds(Expr::Const(1.0))];
        let mut p = program(
            vec![kernel(false, false), receiver],
            &[0, 1, 0, 1, 0, 1, 0, 1],
            &[0, 0, 0, 2, 0, 4, 0, 6],
        );
        let delayed = |source, target| Connection {
            source,
            out_port: 0,
            target,
            in_port: 0,
            delay: 1e-3,
        };
        p.connections = vec![delayed(0, 7), delayed(6, 1)];
        let lanes = split(&p, &written(&p), 2, 0).expect("two lanes");
        let lane_of = lanes.delivery.as_ref().expect("the lanes deliver");
        assert_eq!((lane_of[1], lane_of[7]), (0, 1));
        // A receiver whose OnEvent reads a block of the other lane joins the parts.
        // (Its link 1 is entry 8, which only instance 7 reaches.)
        let mut reads_other = p.clone();
        reads_other.kernels[1].link_count = 2;
        reads_other.kernels[1].on_event = vec![adds(Expr::Link(1))];
        reads_other.links.push(0);
        let lanes = split(&reads_other, &written(&reads_other), 2, 0).expect("lanes");
        let lane_of = lanes.delivery.as_ref().expect("the lanes deliver");
        assert_eq!(lane_of[7], lanes_of(&lanes, 0), "7 reads 0's block");
        // One that draws leaves the delivery to the calling thread.
        let mut draws = p.clone();
        draws.kernels[1].on_event = vec![adds(Expr::Random(Box::new(Expr::Const(1.0))))];
        let lanes = split(&draws, &written(&draws), 2, 0).expect("still split");
        assert!(lanes.delivery.is_none());
    }

    /// The lane whose plan advances `inst`.
    fn lanes_of(lanes: &Lanes, inst: u32) -> u32 {
        lanes
            .plans
            .iter()
            .position(|plan| plan.insts.contains(&inst))
            .expect("advanced in some lane") as u32
    }

    #[test]
    fn every_instance_that_draws_runs_in_one_lane_which_holds_the_generator() {
        // 0, 2 and 5 draw; the others are on their own.
        let p = program(
            vec![kernel(false, false), kernel(false, true)],
            &[1, 0, 1, 0, 0, 1, 0, 0],
            &[0; 8],
        );
        let lanes = split(&p, &written(&p), 2, 0).expect("split");
        let holding = lanes.rng_lane.expect("a lane holds the generator");
        let drawing = &lane_insts(&lanes)[holding];
        for inst in [0, 2, 5] {
            assert!(drawing.contains(&inst), "{inst} draws: {drawing:?}");
        }
    }

    #[test]
    fn small_single_part_or_unsplittable_steps_stay_on_one_thread() {
        let pairs = program(
            vec![kernel(false, false), kernel(true, false)],
            &[0, 1, 0, 1],
            &[0, 0, 0, 2],
        );
        assert!(
            split(&pairs, &written(&pairs), 1, 0).is_none(),
            "one thread"
        );
        assert!(
            split(&pairs, &written(&pairs), 2, 1000).is_none(),
            "too little work"
        );
        // A chain 0 <- 1 <- 2 <- 3 is one part.
        let chain = program(vec![kernel(true, false)], &[0, 0, 0, 0], &[0, 0, 1, 2]);
        assert!(split(&chain, &written(&chain), 2, 0).is_none(), "one part");
        // Anything but an advance (here a cable solve) keeps the step whole.
        let mut with_cable = pairs.clone();
        with_cable
            .step_order
            .push(Op::Cable(Box::new(crate::program::CableSolve {
                nodes: Vec::new(),
                contributions: Vec::new(),
            })));
        let order = written(&with_cable);
        assert!(split(&with_cable, &order, 2, 0).is_none(), "a cable solve");
    }
}
