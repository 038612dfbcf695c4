//! The step order reordered so that advances of one kernel sit next to each other, which
//! makes longer batches for [`super::plan`], wherever that cannot change a bit of the run.
//!
//! jLEMS advances instance by instance (docs/jlems-semantics.md §4.1). In a network that
//! interleaves kernels per cell (synapses, input, cell; then the next cell), so every batch
//! would hold one instance. Two ops may trade places only when neither can see the other
//! ran first:
//!
//! - an advance writes only its own block (`Stmt::Set`), and reads its own block and the
//!   values its links point at (`Expr::Link`, `Expr::Reduce`): two advances keep their order
//!   when one writes a block the other reads or writes;
//! - an advance that can fire a port sends its zero-delay events at once: their receivers'
//!   `OnEvent` is part of it (reads and writes of the receivers' blocks). A receiver whose
//!   `OnEvent` fires in turn or draws random numbers makes the sender a barrier;
//! - advances that fire ports or draw `random()` keep their relative order: the generator's
//!   draws, the order delayed events are queued in (events due at the same time are
//!   delivered in that order) and the lines of event output files depend on it;
//! - a kinetic scheme writes its occupancies and reads them and its rates: it keeps its
//!   order with the advances that write or read those blocks, like an advance;
//! - cable solves and any other op are barriers: nothing moves across them.
//!
//! A run that fails names the failure the written order meets first, even when two
//! independent instances diverge in the same step (`run`'s `first_failure`).
//!
//! These facts give a dependency graph over the step order, with edges only where order
//! matters, always from an earlier op to a later one. A list schedule then takes the ops in
//! an order the graph allows, continuing the kernel it ran last while one of its advances is
//! ready, otherwise taking the earliest ready op. It works window by window of the step
//! order (about 32 KiB of advanced blocks each: two cells of 100 exact synapses, many cells
//! of `--fast`), so that what a batch writes is still in the L1 cache when a cell reads it:
//! a network regrouped whole ran slower at N = 1000. Both steps are deterministic. Reads
//! through links are tracked per instance block (a read of any slot of a block conflicts
//! with a write of any other), which is coarser than needed and never wrong.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::program::{Expr, Kernel, KineticScheme, Op, Program, Stmt};

/// The positions in `program.step_order` in the order to run them: a permutation that
/// gives the same results, bit for bit, as running the step order as written.
pub(super) fn regrouped_order(program: &Program) -> Vec<usize> {
    regrouped_in_windows(program, WINDOW_SLOTS)
}

fn regrouped_in_windows(program: &Program, window_slots: u64) -> Vec<usize> {
    let graph = Dependencies::of(program);
    schedule(program, &graph, window_slots)
}

/// Values (f64 slots) of the blocks advanced in one window of the schedule: 32 KiB, about
/// a core's L1 data cache. On izh-net N = 1000 exact, where a cell's 100 synapses hold
/// 12.8 KiB, windows of 256 KiB ran 10-20 % slower than the order as written (the cell
/// reads its synapses from L2), and a whole network at once 20-40 %; at 32 KiB it ran alike.
/// In `--fast` runs a cell's state is small, and a window holds many cells.
const WINDOW_SLOTS: u64 = 4 * 1024;

/// What a kernel's code reads through its links and whether it writes, fires or draws.
#[derive(Default)]
struct CodeFacts {
    /// Link entries read: `(entry, is_list)`.
    links: Vec<(u32, bool)>,
    sets: bool,
    emits: bool,
    draws: bool,
}

impl CodeFacts {
    fn of(stmts: &[Stmt]) -> CodeFacts {
        let mut facts = CodeFacts::default();
        facts.walk(stmts);
        facts.links.sort_unstable();
        facts.links.dedup();
        facts
    }

    fn walk(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            match stmt {
                Stmt::Set { value, .. } => {
                    self.sets = true;
                    self.expr(value);
                }
                Stmt::If { test, then } => {
                    self.expr(test);
                    self.walk(then);
                }
                Stmt::Emit { .. } => self.emits = true,
                Stmt::Switch { arms, .. } => arms.iter().for_each(|arm| self.walk(arm)),
            }
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Const(_) | Expr::Local(_) | Expr::Time | Expr::Step => {}
            Expr::Link(k) => self.links.push((*k, false)),
            Expr::Reduce(_, k) => self.links.push((*k, true)),
            Expr::Neg(x) | Expr::Not(x) | Expr::Call(_, x) => self.expr(x),
            Expr::Random(x) => {
                self.draws = true;
                self.expr(x);
            }
            Expr::Binary(_, l, r) => {
                self.expr(l);
                self.expr(r);
            }
        }
    }
}

/// Per kernel: the facts of its `advance` and of each `OnEvent`.
struct KernelFacts {
    /// False when the advance does nothing at all (no statements, no state to check): the
    /// plan leaves such advances out, so they constrain nothing.
    active: bool,
    advance: CodeFacts,
    on_event: Vec<CodeFacts>,
}

impl KernelFacts {
    fn of(kernel: &Kernel) -> KernelFacts {
        KernelFacts {
            active: !(kernel.advance.is_empty() && kernel.state_slots.is_empty()),
            advance: CodeFacts::of(&kernel.advance),
            on_event: kernel.on_event.iter().map(|s| CodeFacts::of(s)).collect(),
        }
    }
}

/// What one op of the step order touches, by instance block.
#[derive(Default)]
pub(super) struct Access {
    pub reads: Vec<u32>,
    pub writes: Vec<u32>,
    /// Fires ports or draws random numbers: keeps its order among such ops.
    pub ordered: bool,
    /// Draws random numbers (itself or a zero-delay receiver of what it fires).
    pub draws: bool,
    /// Can fire a port that has zero-delay receivers, which then run at once.
    pub sends_at_once: bool,
    /// Nothing moves across it.
    pub barrier: bool,
    /// Does nothing: no edges at all.
    pub free: bool,
}

/// What each op of `program.step_order` touches, in order (see [`Access`]).
pub(super) fn step_accesses(program: &Program) -> impl Iterator<Item = Access> + '_ {
    let facts: Vec<KernelFacts> = program.kernels.iter().map(KernelFacts::of).collect();
    let blocks = Blocks::new(program);
    let immediate = ImmediateReceivers::new(program);
    program
        .step_order
        .iter()
        .map(move |op| access_of(program, &facts, &blocks, &immediate, op))
}

/// What delivering a delayed event to each `(target, in_port)` of `program`'s delayed
/// connections does, as an [`Access`]: the `OnEvent`'s reads and writes by block, `ordered`
/// when it fires or draws. In connection order, one per connection.
pub(super) fn delayed_receiver_accesses(
    program: &Program,
) -> impl Iterator<Item = (u32, Access)> + '_ {
    let facts: Vec<KernelFacts> = program.kernels.iter().map(KernelFacts::of).collect();
    let blocks = Blocks::new(program);
    // The same test as `routes`: anything not delayed is delivered at once.
    program
        .connections
        .iter()
        .filter(|c| c.delay > 0.0)
        .map(move |c| {
            let kernel = program.instances[c.target as usize].kernel as usize;
            let mut access = Access::default();
            if let Some(code) = facts[kernel].on_event.get(c.in_port as usize) {
                access.ordered = code.emits || code.draws;
                let own = blocks.block_of(program, c.target);
                access.reads.push(own);
                read_links(program, &blocks, c.target, code, &mut access.reads);
                if code.sets {
                    access.writes.push(own);
                }
            }
            (c.target, access)
        })
}

/// Finds the instance whose block holds an index into vars.
struct Blocks {
    /// `(base, end, instance)` sorted by base.
    by_base: Vec<(u64, u64, u32)>,
}

impl Blocks {
    fn new(program: &Program) -> Blocks {
        let mut by_base: Vec<(u64, u64, u32)> = program
            .instances
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let len = u64::from(program.kernels[r.kernel as usize].block_len);
                (r.base, r.base + len, i as u32)
            })
            .collect();
        by_base.sort_unstable();
        Blocks { by_base }
    }

    /// The block of instance `inst`, named by the instance [`Blocks::owner`] gives for its
    /// first value: instances that share a block (`--fast` relays write the block of the
    /// synapse they were merged into) get the same name. An instance without values is
    /// its own.
    fn block_of(&self, program: &Program, inst: u32) -> u32 {
        let rec = &program.instances[inst as usize];
        if program.kernels[rec.kernel as usize].block_len == 0 {
            return inst;
        }
        self.owner(rec.base).unwrap_or(inst)
    }

    /// The instance whose block holds `index`; None for a value of no instance (which no
    /// advance writes).
    fn owner(&self, index: u64) -> Option<u32> {
        let at = self.by_base.partition_point(|&(base, _, _)| base <= index);
        let &(_, end, inst) = self.by_base.get(at.checked_sub(1)?)?;
        (index < end).then_some(inst)
    }
}

/// The dependency graph: `after[p]` are the ops that must run after op `p`.
struct Dependencies {
    after: Vec<Vec<u32>>,
    indegree: Vec<u32>,
}

impl Dependencies {
    fn of(program: &Program) -> Dependencies {
        let n = program.step_order.len();
        let mut graph = Dependencies {
            after: vec![Vec::new(); n],
            indegree: vec![0; n],
        };
        let none = u32::MAX;
        let mut last_write = vec![none; program.instances.len()];
        let mut readers: Vec<Vec<u32>> = vec![Vec::new(); program.instances.len()];
        let mut last_ordered = none;
        let mut last_barrier = none;
        let mut since_barrier: Vec<u32> = Vec::new();
        for (p, access) in step_accesses(program).enumerate() {
            let p = p as u32;
            if access.free {
                continue;
            }
            if access.barrier {
                for &q in since_barrier.iter().chain([&last_barrier]) {
                    graph.edge(q, p);
                }
                since_barrier.clear();
                last_barrier = p;
                last_ordered = p;
                continue;
            }
            graph.edge(last_barrier, p);
            since_barrier.push(p);
            if access.ordered {
                graph.edge(last_ordered, p);
                last_ordered = p;
            }
            for &b in &access.reads {
                graph.edge(last_write[b as usize], p);
            }
            for &b in &access.writes {
                let b = b as usize;
                graph.edge(last_write[b], p);
                for q in std::mem::take(&mut readers[b]) {
                    graph.edge(q, p);
                }
                last_write[b] = p;
            }
            for &b in &access.reads {
                if last_write[b as usize] != p {
                    readers[b as usize].push(p);
                }
            }
        }
        graph
    }

    /// `p` runs before `q` (`p` is u32::MAX for "no op": nothing to add).
    fn edge(&mut self, p: u32, q: u32) {
        if p == u32::MAX || p == q {
            return;
        }
        self.after[p as usize].push(q);
        self.indegree[q as usize] += 1;
    }
}

/// The zero-delay connections of each instance, as `(target, in_port)`.
struct ImmediateReceivers {
    by_source: std::collections::HashMap<u32, Vec<(u32, u32)>>,
}

impl ImmediateReceivers {
    fn new(program: &Program) -> ImmediateReceivers {
        let mut by_source: std::collections::HashMap<u32, Vec<(u32, u32)>> = Default::default();
        // The same test as `routes`: anything not delayed is delivered at once.
        for c in program.connections.iter().filter(|c| c.delay <= 0.0) {
            by_source
                .entry(c.source)
                .or_default()
                .push((c.target, c.in_port));
        }
        ImmediateReceivers { by_source }
    }
}

fn access_of(
    program: &Program,
    facts: &[KernelFacts],
    blocks: &Blocks,
    immediate: &ImmediateReceivers,
    op: &Op,
) -> Access {
    let inst = match op {
        Op::Advance { inst } => *inst,
        Op::KineticScheme(scheme) => return scheme_access(blocks, scheme),
        _ => {
            return Access {
                barrier: true,
                ..Access::default()
            }
        }
    };
    let kernel = program.instances[inst as usize].kernel as usize;
    let kf = &facts[kernel];
    if !kf.active {
        return Access {
            free: true,
            ..Access::default()
        };
    }
    let mut access = Access {
        ordered: kf.advance.emits || kf.advance.draws,
        draws: kf.advance.draws,
        ..Access::default()
    };
    let own = blocks.block_of(program, inst);
    access.reads.push(own);
    read_links(program, blocks, inst, &kf.advance, &mut access.reads);
    if kf.advance.sets {
        access.writes.push(own);
    }
    if kf.advance.emits {
        for &(target, in_port) in immediate.by_source.get(&inst).into_iter().flatten() {
            let receiver_kernel = program.instances[target as usize].kernel as usize;
            access.sends_at_once = true;
            let Some(code) = facts[receiver_kernel].on_event.get(in_port as usize) else {
                continue;
            };
            if code.emits || code.draws {
                access.barrier = true;
                return access;
            }
            if code.links.is_empty() && !code.sets {
                continue; // An empty OnEvent (a pulse generator's `in`) changes nothing.
            }
            let target_block = blocks.block_of(program, target);
            access.reads.push(target_block);
            read_links(program, blocks, target, code, &mut access.reads);
            if code.sets {
                access.writes.push(target_block);
            }
        }
    }
    for list in [&mut access.reads, &mut access.writes] {
        list.sort_unstable();
        list.dedup();
    }
    access
}

/// What a kinetic scheme's step touches: it reads its occupancies and rates and writes its
/// occupancies. Values outside every instance block make it a barrier.
fn scheme_access(blocks: &Blocks, scheme: &KineticScheme) -> Access {
    let barrier = Access {
        barrier: true,
        ..Access::default()
    };
    let rates = scheme.edges.iter().flat_map(|e| [e.forward, e.reverse]);
    let (Some(mut reads), Some(mut writes)) = (
        scheme
            .states
            .iter()
            .copied()
            .chain(rates)
            .map(|i| blocks.owner(i))
            .collect::<Option<Vec<u32>>>(),
        scheme
            .states
            .iter()
            .map(|&i| blocks.owner(i))
            .collect::<Option<Vec<u32>>>(),
    ) else {
        return barrier;
    };
    for list in [&mut reads, &mut writes] {
        list.sort_unstable();
        list.dedup();
    }
    Access {
        reads,
        writes,
        ..Access::default()
    }
}

/// Adds the blocks `code` of instance `inst` reads through its links.
fn read_links(program: &Program, blocks: &Blocks, inst: u32, code: &CodeFacts, out: &mut Vec<u32>) {
    let start = program.instances[inst as usize].links;
    for &(entry, is_list) in &code.links {
        let at = (start + u64::from(entry)) as usize;
        if is_list {
            let p = program.links[at] as usize;
            let n = program.links[p] as usize;
            out.extend(
                program.links[p + 1..=p + n]
                    .iter()
                    .filter_map(|&i| blocks.owner(i)),
            );
        } else {
            out.extend(blocks.owner(program.links[at]));
        }
    }
}

/// A topological order of the graph, window by window of the step order, that continues
/// the kernel of the last advance while one of its advances in the window is ready, and
/// otherwise takes the earliest ready op of the window.
fn schedule(program: &Program, graph: &Dependencies, window_slots: u64) -> Vec<usize> {
    let n = program.step_order.len();
    let kernel_of = |p: usize| match program.step_order[p] {
        Op::Advance { inst } => Some(program.instances[inst as usize].kernel as usize),
        _ => None,
    };
    let window_of = windows(program, window_slots);
    let mut left_in_window = vec![0usize; window_of.last().map_or(0, |&w| w + 1)];
    for &w in &window_of {
        left_in_window[w] += 1;
    }
    let mut indegree = graph.indegree.clone();
    // Ops ready but in a later window than the one being scheduled.
    let mut waiting: Vec<Vec<u32>> = vec![Vec::new(); left_in_window.len()];
    let mut ready: BinaryHeap<Reverse<u32>> = BinaryHeap::new();
    let mut ready_of_kernel: Vec<BinaryHeap<Reverse<u32>>> =
        vec![BinaryHeap::new(); program.kernels.len()];
    let mut window = 0;
    let make_ready = |p: usize,
                      ready: &mut BinaryHeap<Reverse<u32>>,
                      ready_of_kernel: &mut Vec<BinaryHeap<Reverse<u32>>>| {
        ready.push(Reverse(p as u32));
        if let Some(k) = kernel_of(p) {
            ready_of_kernel[k].push(Reverse(p as u32));
        }
    };
    for p in (0..n).filter(|&p| indegree[p] == 0) {
        if window_of[p] == window {
            make_ready(p, &mut ready, &mut ready_of_kernel);
        } else {
            waiting[window_of[p]].push(p as u32);
        }
    }
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut current: Option<usize> = None;
    while order.len() < n {
        while left_in_window[window] == 0 {
            window += 1;
            for p in std::mem::take(&mut waiting[window]) {
                make_ready(p as usize, &mut ready, &mut ready_of_kernel);
            }
        }
        let same_kernel = current.and_then(|k| pop_unplaced(&mut ready_of_kernel[k], &placed));
        let p = match same_kernel {
            Some(p) => p,
            None => pop_unplaced(&mut ready, &placed)
                .expect("edges only go forward, so an op of the window is always ready"),
        };
        placed[p] = true;
        order.push(p);
        left_in_window[window] -= 1;
        current = kernel_of(p);
        for &q in &graph.after[p] {
            let q = q as usize;
            indegree[q] -= 1;
            if indegree[q] == 0 {
                if window_of[q] == window {
                    make_ready(q, &mut ready, &mut ready_of_kernel);
                } else {
                    waiting[window_of[q]].push(q as u32);
                }
            }
        }
    }
    order
}

/// The window of each op: consecutive stretches of the step order whose advanced blocks
/// hold about `window_slots` values in all. Regrouping within a window keeps what a cell
/// reads from its synapses in the cache: across a whole network of 1000 cells, each
/// synapse's block would be evicted between its advance and the cell's read of it.
fn windows(program: &Program, window_slots: u64) -> Vec<usize> {
    let mut window = 0;
    let mut filled = 0u64;
    program
        .step_order
        .iter()
        .map(|op| {
            if let Op::Advance { inst } = *op {
                let kernel = program.instances[inst as usize].kernel as usize;
                let slots = u64::from(program.kernels[kernel].block_len);
                if filled > 0 && filled + slots > window_slots {
                    window += 1;
                    filled = 0;
                }
                filled += slots;
            }
            window
        })
        .collect()
}

fn pop_unplaced(heap: &mut BinaryHeap<Reverse<u32>>, placed: &[bool]) -> Option<usize> {
    while let Some(Reverse(p)) = heap.pop() {
        if !placed[p as usize] {
            return Some(p as usize);
        }
    }
    None
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::program::{BinOp, Connection, InstanceRec};

    /// `slot 0 = slot 0 + value`: an advance that writes its own block.
    pub(in crate::engine) fn adds(value: Expr) -> Vec<Stmt> {
        vec![Stmt::Set {
            slot: 0,
            value: Expr::Binary(BinOp::Add, Box::new(Expr::Local(0)), Box::new(value)),
        }]
    }

    pub(in crate::engine) fn kernel(name: &str, advance: Vec<Stmt>) -> Kernel {
        Kernel {
            name: name.into(),
            block_len: 1,
            link_count: 1,
            advance,
            ..Kernel::default()
        }
    }

    /// A program of one-slot instances; instance `i` has kernel `kernels_of[i]`, block `i`
    /// and one link entry at `i`, pointing at `link_to[i]`.
    pub(in crate::engine) fn program(
        kernels: Vec<Kernel>,
        kernels_of: &[u32],
        link_to: &[u64],
    ) -> Program {
        Program {
            dt: 1e-5,
            steps: 1,
            kernels,
            instances: kernels_of
                .iter()
                .enumerate()
                .map(|(i, &kernel)| InstanceRec {
                    kernel,
                    base: i as u64,
                    links: i as u64,
                    path: format!("i{i}"),
                })
                .collect(),
            initial: vec![0.0; kernels_of.len()],
            links: link_to.to_vec(),
            step_order: (0..kernels_of.len() as u32)
                .map(|inst| Op::Advance { inst })
                .collect(),
            ..Program::default()
        }
    }

    /// Kernels of the tests: 0 "syn" reads its link, 1 "cell" reads its link, 2 "cell"
    /// that fires.
    fn syn_and_cell(fires: bool) -> Vec<Kernel> {
        let mut cell = adds(Expr::Link(0));
        if fires {
            cell.push(Stmt::Emit { port: 0 });
        }
        let mut cell = kernel("cell", cell);
        cell.out_ports = vec!["spike".into()];
        cell.in_ports = vec!["in".into()];
        cell.on_event = vec![adds(Expr::Const(1.0))];
        let mut syn = kernel("syn", adds(Expr::Link(0)));
        syn.in_ports = vec!["in".into()];
        syn.on_event = vec![adds(Expr::Const(1.0))];
        vec![syn, cell]
    }

    #[test]
    fn independent_instances_of_one_kernel_are_grouped() {
        // Three cells, each with a synapse advanced before it: syn0 cell0 syn1 cell1 syn2
        // cell2. A synapse reads its own cell, a cell its own synapse; cells fire.
        let p = program(syn_and_cell(true), &[0, 1, 0, 1, 0, 1], &[1, 0, 3, 2, 5, 4]);
        assert_eq!(regrouped_order(&p), vec![0, 2, 4, 1, 3, 5]);
    }

    #[test]
    fn an_advance_that_reads_what_another_wrote_keeps_its_place() {
        // syn0 cell0 syn1 cell1, but syn1 reads cell0, which cell0 has already advanced
        // when syn1 runs: moving syn1 before cell0 would change what it reads.
        let p = program(syn_and_cell(false), &[0, 1, 0, 1], &[1, 0, 1, 2]);
        assert_eq!(regrouped_order(&p), vec![0, 1, 2, 3]);
        // The same with syn1 reading its own cell: the synapses come together.
        let p = program(syn_and_cell(false), &[0, 1, 0, 1], &[1, 0, 3, 2]);
        assert_eq!(regrouped_order(&p), vec![0, 2, 1, 3]);
    }

    #[test]
    fn an_advance_never_moves_before_one_that_reads_what_it_writes() {
        // cell0 reads syn1, advanced after cell0: syn1 must not move before cell0.
        let p = program(syn_and_cell(false), &[0, 1, 0, 1], &[1, 2, 3, 2]);
        assert_eq!(regrouped_order(&p), vec![0, 1, 2, 3]);
    }

    #[test]
    fn random_draws_and_fired_ports_keep_their_order() {
        // d0 s0 d1 s1, kernel 0 draws, kernel 1 fires: nothing reads anything else, yet
        // draws and sends stay in one chain, so nothing moves.
        let draws = kernel("noise", adds(Expr::Random(Box::new(Expr::Const(1.0)))));
        let mut fires = kernel("source", vec![Stmt::Emit { port: 0 }]);
        fires.out_ports = vec!["spike".into()];
        fires.state_slots = vec![0];
        let p = program(vec![draws, fires], &[0, 1, 0, 1], &[0, 1, 2, 3]);
        assert_eq!(regrouped_order(&p), vec![0, 1, 2, 3]);
    }

    #[test]
    fn a_zero_delay_event_makes_its_receiver_part_of_the_sender() {
        // syn0 cell0 syn1 cell1; cell0 sends at once to syn1 (which adds to its state). syn1
        // may not move before cell0, since cell0's event writes it.
        let mut p = program(syn_and_cell(true), &[0, 1, 0, 1], &[1, 0, 3, 2]);
        p.connections = vec![Connection {
            source: 1,
            out_port: 0,
            target: 2,
            in_port: 0,
            delay: 0.0,
        }];
        assert_eq!(regrouped_order(&p), vec![0, 1, 2, 3]);
        // Delayed, the event arrives at the start of a later step: the synapses group.
        p.connections[0].delay = 1e-3;
        assert_eq!(regrouped_order(&p), vec![0, 2, 1, 3]);
    }

    #[test]
    fn a_receiver_sharing_another_instance_block_counts_as_that_block() {
        // syn0 cell0 syn1 cell1, and a relay (as `--fast` makes) that shares syn1's block;
        // cell0 sends at once to the relay, so syn1 may not move before cell0.
        let mut p = program(syn_and_cell(true), &[0, 1, 0, 1], &[1, 0, 3, 2]);
        p.instances.push(InstanceRec {
            kernel: 0,
            base: 2,
            links: 2,
            path: "relay".into(),
        });
        p.connections = vec![Connection {
            source: 1,
            out_port: 0,
            target: 4,
            in_port: 0,
            delay: 0.0,
        }];
        assert_eq!(regrouped_order(&p), vec![0, 1, 2, 3]);
    }

    #[test]
    fn a_failing_step_names_the_instance_the_written_order_fails_at_first() {
        // a0 b0 a1 b1 runs as a0 a1 b0 b1. b0 and a1 both divide by zero (their slot 1),
        // so the regrouped order meets a1 first; the step order as written meets b0.
        let divide = |name: &str| Kernel {
            name: name.into(),
            block_len: 2,
            slot_names: vec!["x".into(), "d".into()],
            state_slots: vec![0],
            advance: vec![Stmt::Set {
                slot: 0,
                value: Expr::Binary(
                    BinOp::Div,
                    Box::new(Expr::Const(1.0)),
                    Box::new(Expr::Local(1)),
                ),
            }],
            ..Kernel::default()
        };
        let mut p = program(vec![divide("a"), divide("b")], &[0, 1, 0, 1], &[]);
        for (i, inst) in p.instances.iter_mut().enumerate() {
            inst.base = 2 * i as u64;
            inst.links = 0;
        }
        p.initial = vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0];
        assert_eq!(regrouped_order(&p), vec![0, 2, 1, 3]);
        let code = crate::engine::Interpreter::new(&p.kernels);
        match crate::engine::run(&p, &code, Default::default()) {
            Err(crate::engine::RunError::NonFinite { instance, .. }) => assert_eq!(instance, "i1"),
            other => panic!("expected the run to diverge at i1, got {other:?}"),
        }
    }

    #[test]
    fn regrouping_stays_within_windows_of_the_step_order() {
        // syn0 cell0 syn1 cell1 syn2 cell2, independent cells, one slot each: windows of
        // four slots regroup the first two cells and leave the third alone.
        let p = program(syn_and_cell(true), &[0, 1, 0, 1, 0, 1], &[1, 0, 3, 2, 5, 4]);
        assert_eq!(regrouped_in_windows(&p, 4), vec![0, 2, 1, 3, 4, 5]);
        assert_eq!(regrouped_in_windows(&p, 2), vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_kinetic_scheme_keeps_its_place_only_among_the_blocks_it_touches() {
        // syn0 cell0 [scheme] syn1 cell1. The scheme's occupancy and rates are in cell0's
        // block: it stays after cell0, and syn1 and cell1 may move before it.
        let mut p = program(syn_and_cell(false), &[0, 1, 0, 1], &[1, 0, 3, 2]);
        let scheme = crate::program::KineticScheme {
            states: vec![1],
            edges: vec![crate::program::KineticEdge {
                from: 0,
                to: 0,
                forward: 1,
                reverse: 1,
            }],
        };
        p.step_order.insert(2, Op::KineticScheme(Box::new(scheme)));
        assert_eq!(regrouped_order(&p), vec![0, 3, 1, 4, 2]);
        // A scheme over a value of no instance is a barrier.
        let Op::KineticScheme(scheme) = &mut p.step_order[2] else {
            unreachable!()
        };
        scheme.states = vec![99];
        assert_eq!(regrouped_order(&p), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn other_ops_are_barriers() {
        // syn0 cell0 [cable] syn1 cell1: nothing crosses the cable solve.
        let mut p = program(syn_and_cell(false), &[0, 1, 0, 1], &[1, 0, 3, 2]);
        p.step_order.insert(
            2,
            Op::Cable(Box::new(crate::program::CableSolve {
                nodes: Vec::new(),
                contributions: Vec::new(),
            })),
        );
        assert_eq!(regrouped_order(&p), vec![0, 1, 2, 3, 4]);
    }
}
