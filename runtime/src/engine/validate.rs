//! Checks that every index in a [`Program`] is in bounds, before anything runs it.
//!
//! Compiled kernels read and write `vars` and `links` without bounds checks, trusting this
//! pass; so it checks every index a kernel can reach from every instance that runs it, and
//! every index the run loop itself uses. A failure is a compiler bug (or a hand-built
//! program's), reported as one sentence naming what is wrong and where.

use crate::program::order::check_repeats;
use crate::program::{
    CableSolve, Connection, EventOutputSpec, Expr, InstanceRec, Kernel, KineticScheme, Op,
    OutputSpec, Program, Stmt,
};

/// The deepest nesting of statements and expressions accepted: the interpreter and the
/// code generator recurse over it.
pub const MAX_NESTING: usize = 1024;

/// The most out-ports a kernel may have: an entry reports fired ports as bits of a `u64`.
pub const MAX_OUT_PORTS: usize = 64;

impl Program {
    /// Checks every index of the program (see [`validate`]).
    pub fn validate(&self) -> Result<(), String> {
        validate(self)
    }
}

/// Checks that `program` can be run without any index out of bounds: kernels, instances,
/// link lists, the init and step orders, kinetic schemes, connections and outputs.
pub fn validate(program: &Program) -> Result<(), String> {
    if !(program.dt > 0.0 && program.dt.is_finite()) {
        return Err(format!(
            "the time step must be a positive finite number of seconds, found {}",
            program.dt
        ));
    }
    let uses: Vec<LinkUses> = program
        .kernels
        .iter()
        .map(check_kernel)
        .collect::<Result<_, _>>()?;
    for (i, inst) in program.instances.iter().enumerate() {
        check_instance(program, &uses, i, inst)?;
    }
    for (order, ops) in [
        ("init_order", &program.init_order),
        ("step_order", &program.step_order),
    ] {
        for (i, op) in ops.iter().enumerate() {
            check_op(program, op).map_err(|e| format!("{order}[{i}]: {e}"))?;
        }
    }
    check_repeats(&program.init_order).map_err(|e| format!("init_order{e}"))?;
    if let Some(i) = (program.step_order.iter()).position(|op| matches!(op, Op::Repeat { .. })) {
        return Err(format!(
            "step_order[{i}]: a repeat (only the init order has them)"
        ));
    }
    for (i, conn) in program.connections.iter().enumerate() {
        check_connection(program, conn).map_err(|e| format!("connection {i}: {e}"))?;
    }
    for out in &program.outputs {
        check_output(program, out)?;
    }
    for out in &program.event_outputs {
        check_event_output(program, out)?;
    }
    Ok(())
}

/// Which link entries of a kernel are read as single values and which as lists.
#[derive(Default)]
struct LinkUses {
    single: Vec<u32>,
    list: Vec<u32>,
}

fn check_kernel(kernel: &Kernel) -> Result<LinkUses, String> {
    let name = &kernel.name;
    if kernel.out_ports.len() > MAX_OUT_PORTS {
        return Err(format!(
            "kernel '{name}' has {} out-ports, at most {MAX_OUT_PORTS} are supported",
            kernel.out_ports.len()
        ));
    }
    if kernel.in_ports.len() != kernel.on_event.len() {
        return Err(format!(
            "kernel '{name}' names {} in-ports but has {} event handlers (one per in-port)",
            kernel.in_ports.len(),
            kernel.on_event.len()
        ));
    }
    if let Some(&slot) = kernel.state_slots.iter().find(|&&s| s >= kernel.block_len) {
        return Err(format!(
            "kernel '{name}': state slot {slot} is outside its block of {} slots",
            kernel.block_len
        ));
    }
    let mut checker = StmtChecker {
        kernel,
        uses: LinkUses::default(),
    };
    let entries = [
        ("init", &kernel.init),
        ("init_derived", &kernel.init_derived),
        ("advance", &kernel.advance),
    ];
    for (entry, stmts) in entries {
        checker
            .stmts(stmts, 1)
            .map_err(|e| format!("kernel '{name}', {entry}: {e}"))?;
    }
    for (port, stmts) in kernel.on_event.iter().enumerate() {
        checker
            .stmts(stmts, 1)
            .map_err(|e| format!("kernel '{name}', on_event[{port}]: {e}"))?;
    }
    let mut uses = checker.uses;
    for list in [&mut uses.single, &mut uses.list] {
        list.sort_unstable();
        list.dedup();
    }
    Ok(uses)
}

/// Walks the statements of one kernel, checking slots, ports, link entries and nesting.
struct StmtChecker<'k> {
    kernel: &'k Kernel,
    uses: LinkUses,
}

impl StmtChecker<'_> {
    fn stmts(&mut self, stmts: &[Stmt], depth: usize) -> Result<(), String> {
        if depth > MAX_NESTING {
            return Err(format!(
                "statements nested more than {MAX_NESTING} levels deep"
            ));
        }
        for stmt in stmts {
            match stmt {
                Stmt::Set { slot, value } => {
                    self.slot(*slot, "assigns")?;
                    self.expr(value, depth + 1)?;
                }
                Stmt::If { test, then } => {
                    self.expr(test, depth + 1)?;
                    self.stmts(then, depth + 1)?;
                }
                Stmt::Emit { port } => {
                    let ports = self.kernel.out_ports.len();
                    if *port as usize >= ports {
                        return Err(format!(
                            "emits on out-port {port}, but the kernel has {ports} out-ports"
                        ));
                    }
                }
                Stmt::Switch { slot, arms } => {
                    self.slot(*slot, "switches on")?;
                    for arm in arms {
                        self.stmts(arm, depth + 1)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn slot(&self, slot: u32, what: &str) -> Result<(), String> {
        let len = self.kernel.block_len;
        if slot >= len {
            return Err(format!(
                "{what} slot {slot}, outside the block of {len} slots"
            ));
        }
        Ok(())
    }

    fn link(&self, k: u32) -> Result<(), String> {
        let count = self.kernel.link_count;
        if k >= count {
            return Err(format!(
                "reads link entry {k}, but the kernel has {count} link entries"
            ));
        }
        Ok(())
    }

    fn expr(&mut self, e: &Expr, depth: usize) -> Result<(), String> {
        if depth > MAX_NESTING {
            return Err(format!(
                "an expression nested more than {MAX_NESTING} levels deep"
            ));
        }
        match e {
            Expr::Const(_) | Expr::Time | Expr::Step => Ok(()),
            Expr::Local(slot) => self.slot(*slot, "reads"),
            Expr::Link(k) => {
                self.link(*k)?;
                self.uses.single.push(*k);
                Ok(())
            }
            Expr::Reduce(_, k) => {
                self.link(*k)?;
                self.uses.list.push(*k);
                Ok(())
            }
            Expr::Neg(x) | Expr::Not(x) | Expr::Call(_, x) | Expr::Random(x) => {
                self.expr(x, depth + 1)
            }
            Expr::Binary(_, l, r) => {
                self.expr(l, depth + 1)?;
                self.expr(r, depth + 1)
            }
        }
    }
}

fn check_instance(
    program: &Program,
    uses: &[LinkUses],
    i: usize,
    inst: &InstanceRec,
) -> Result<(), String> {
    let path = &inst.path;
    let Some(kernel) = program.kernels.get(inst.kernel as usize) else {
        return Err(format!(
            "instance {i} ({path}) runs kernel {}, but there are {} kernels",
            inst.kernel,
            program.kernels.len()
        ));
    };
    let vars = program.initial.len() as u64;
    let block_end = inst.base.checked_add(u64::from(kernel.block_len));
    if !matches!(block_end, Some(end) if end <= vars) {
        return Err(format!(
            "instance {i} ({path}): its block of {} slots at {} does not fit in the {vars} values",
            kernel.block_len, inst.base
        ));
    }
    let links = &program.links;
    let links_end = inst.links.checked_add(u64::from(kernel.link_count));
    if !matches!(links_end, Some(end) if end <= links.len() as u64) {
        return Err(format!(
            "instance {i} ({path}): its {} link entries at {} do not fit in the {} links",
            kernel.link_count,
            inst.links,
            links.len()
        ));
    }
    let entry = |k: u32| links[(inst.links + u64::from(k)) as usize];
    let uses = &uses[inst.kernel as usize];
    for &k in &uses.single {
        let index = entry(k);
        if index >= vars {
            return Err(format!(
                "instance {i} ({path}): link entry {k} names value {index}, beyond the {vars} values"
            ));
        }
    }
    for &k in &uses.list {
        check_list(links, entry(k), vars)
            .map_err(|e| format!("instance {i} ({path}): the list of link entry {k} {e}"))?;
    }
    Ok(())
}

/// A list at position `p` of `links`: a count, then that many indices into vars.
fn check_list(links: &[u64], p: u64, vars: u64) -> Result<(), String> {
    let len = links.len() as u64;
    if p >= len {
        return Err(format!("starts at {p}, beyond the {len} links"));
    }
    let count = links[p as usize];
    if count >= len - p {
        return Err(format!(
            "at {p} holds {count} members, more than the links after it"
        ));
    }
    let members = &links[(p + 1) as usize..=(p + count) as usize];
    if let Some(index) = members.iter().find(|&&index| index >= vars) {
        return Err(format!(
            "at {p} names value {index}, beyond the {vars} values"
        ));
    }
    Ok(())
}

fn check_op(program: &Program, op: &Op) -> Result<(), String> {
    match op {
        Op::Init { inst, .. } | Op::Advance { inst } => instance(program, *inst).map(|_| ()),
        Op::KineticScheme(scheme) => check_scheme(program, scheme),
        Op::Cable(cable) => check_cable(program, cable),
        Op::Repeat { .. } => Ok(()), // checked over the whole order
    }
}

/// Every voltage and contribution inside vars, every parent before its child, every
/// contribution range inside the list.
fn check_cable(program: &Program, cable: &CableSolve) -> Result<(), String> {
    let vars = program.initial.len() as u64;
    let outside = |index: u64| index >= vars;
    for (k, node) in cable.nodes.iter().enumerate() {
        if outside(node.v) {
            return Err(format!(
                "cable node {k}: voltage {} beyond the {vars} values",
                node.v
            ));
        }
        if node.parent.is_some_and(|p| p as usize >= k) {
            return Err(format!(
                "cable node {k}: its parent does not come before it"
            ));
        }
        let [start, end] = node.contributions;
        if start > end || end as usize > cable.contributions.len() {
            return Err(format!(
                "cable node {k}: contributions {start}..{end} out of range"
            ));
        }
    }
    if let Some(bad) = cable.contributions.iter().flatten().find(|&&i| outside(i)) {
        return Err(format!(
            "cable contribution names value {bad}, beyond the {vars} values"
        ));
    }
    Ok(())
}

/// The instance `inst` and its kernel, or an error naming the bad index.
fn instance(program: &Program, inst: u32) -> Result<(&InstanceRec, &Kernel), String> {
    let rec = program.instances.get(inst as usize).ok_or_else(|| {
        format!(
            "instance {inst} does not exist (there are {})",
            program.instances.len()
        )
    })?;
    // Checked with the instances.
    let kernel = &program.kernels[rec.kernel as usize];
    Ok((rec, kernel))
}

fn check_scheme(program: &Program, scheme: &KineticScheme) -> Result<(), String> {
    let vars = program.initial.len() as u64;
    let in_vars = |what: &str, index: u64| {
        if index < vars {
            Ok(())
        } else {
            Err(format!(
                "a kinetic scheme's {what} is value {index}, beyond the {vars} values"
            ))
        }
    };
    for &state in &scheme.states {
        in_vars("occupancy", state)?;
    }
    let states = scheme.states.len();
    for edge in &scheme.edges {
        for end in [edge.from, edge.to] {
            if end as usize >= states {
                return Err(format!(
                    "a kinetic scheme's edge joins state {end}, but the scheme has {states} states"
                ));
            }
        }
        in_vars("forward rate", edge.forward)?;
        in_vars("reverse rate", edge.reverse)?;
    }
    Ok(())
}

fn check_connection(program: &Program, conn: &Connection) -> Result<(), String> {
    check_port(program, conn.source, conn.out_port, "out", |k| {
        k.out_ports.len()
    })?;
    check_port(program, conn.target, conn.in_port, "in", |k| {
        k.on_event.len()
    })?;
    if conn.delay.is_nan() || conn.delay == f64::INFINITY {
        return Err(format!(
            "the delay must be a finite number of seconds, found {}",
            conn.delay
        ));
    }
    Ok(())
}

/// That instance `inst` exists and its kernel has `port` among its `ports(kernel)`
/// `direction`-ports (`out`, `in`).
fn check_port(
    program: &Program,
    inst: u32,
    port: u32,
    direction: &str,
    ports: impl Fn(&Kernel) -> usize,
) -> Result<(), String> {
    let (rec, kernel) = instance(program, inst)?;
    let ports = ports(kernel);
    if port as usize >= ports {
        return Err(format!(
            "{direction}-port {port} of {} does not exist ({} has {ports} {direction}-ports)",
            rec.path, kernel.name
        ));
    }
    Ok(())
}

fn check_output(program: &Program, out: &OutputSpec) -> Result<(), String> {
    let vars = program.initial.len() as u64;
    if let Some((col, index)) = out.columns.iter().enumerate().find(|(_, &i)| i >= vars) {
        return Err(format!(
            "output file '{}': column {col} records value {index}, beyond the {vars} values",
            out.id
        ));
    }
    Ok(())
}

fn check_event_output(program: &Program, out: &EventOutputSpec) -> Result<(), String> {
    for sel in &out.selections {
        let context = |e: String| {
            format!(
                "event output file '{}', selection '{}': {e}",
                out.id, sel.id
            )
        };
        let (inst, kernel) = instance(program, sel.inst).map_err(context)?;
        let ports = kernel.out_ports.len();
        if sel.out_port as usize >= ports {
            return Err(context(format!(
                "out-port {} of {} does not exist ({} has {ports} out-ports)",
                sel.out_port, inst.path, kernel.name
            )));
        }
    }
    Ok(())
}
