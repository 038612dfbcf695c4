//! Which kernels are linear synapses: state equations linear in the states with coefficients
//! that do not depend on them, initial states zero, and event handlers that only add a
//! state-independent increment to a state. For such a kernel the sum of several instances'
//! states evolves exactly as one instance started from the sum (up to rounding), and every
//! value it computes from its states is the sum of theirs — so instances of it on one cell may
//! share one state. Decided from the kernel's statements, never from the component's type.

use lemsc_runtime::program::{BinOp, Expr, Kernel, Stmt};

/// How a value depends on the instance's states.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Exactly zero whatever the states (`0.0`, or a slot never given anything else).
    Zero,
    /// Independent of the states: constants, parameters, linked values, time.
    Fixed,
    /// A linear combination of the states with no constant term, so that the sum over
    /// instances of the value is the value of the summed states.
    Linear,
    /// Anything else (products of states, functions of states, random draws, ...).
    Other,
}

impl Kind {
    /// The kind of a slot given values of kinds `self` and `other` at different places.
    fn join(self, other: Kind) -> Kind {
        match (self, other) {
            (Kind::Zero, k) | (k, Kind::Zero) => k,
            (a, b) if a == b => a,
            _ => Kind::Other,
        }
    }

    fn state_free(self) -> bool {
        matches!(self, Kind::Zero | Kind::Fixed)
    }
}

/// What merging instances of a linear synapse kernel needs to know.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct LinearSynapse {
    /// The kind of every slot's value, wherever it is set.
    pub kinds: Vec<Kind>,
    /// Link entries read by initialisation or the step: instances merged into one must read
    /// the same values through them (e.g. their cell's `v`).
    pub shared_links: Vec<u32>,
    /// Slots never written and read only by the event handlers (a connection's `weight`):
    /// the one thing merged instances may differ in, folded into each event's increment.
    pub per_connection: Vec<u32>,
    /// Every slot never written that the handlers read; the merged handler reads each from
    /// the block of the instance the connection was made for.
    pub handler_constants: Vec<u32>,
}

/// `Some` when `kernel` is a linear synapse (see the module doc).
pub(super) fn analyse(kernel: &Kernel) -> Option<LinearSynapse> {
    if kernel.on_event.is_empty() || !kernel.out_ports.is_empty() {
        return None;
    }
    let len = kernel.block_len as usize;
    let dynamics = [&kernel.init, &kernel.init_derived, &kernel.advance];
    let mut written = vec![false; len];
    for stmts in dynamics.iter().copied().chain(kernel.on_event.iter()) {
        for stmt in stmts {
            let Stmt::Set { slot, .. } = stmt else {
                // Conditions, regimes and emitted events are not linear dynamics.
                return None;
            };
            *written.get_mut(*slot as usize)? = true;
        }
    }
    let mut is_state = vec![false; len];
    for &s in &kernel.state_slots {
        *is_state.get_mut(s as usize)? = true;
    }
    let mut kinds: Vec<Kind> = (0..len)
        .map(|s| match (is_state[s], written[s]) {
            (true, _) => Kind::Linear,
            (false, true) => Kind::Zero,
            (false, false) => Kind::Fixed,
        })
        .collect();
    // Flow-insensitive: a slot's kind is the join of everything ever assigned to it, so a read
    // anywhere (before or after the assignment, this step or the next) is covered.
    loop {
        let mut changed = false;
        for stmts in dynamics {
            for stmt in stmts {
                let Stmt::Set { slot, value } = stmt else {
                    unreachable!("only assignments remain")
                };
                let joined = kinds[*slot as usize].join(kind_of(value, &kinds));
                if joined != kinds[*slot as usize] {
                    kinds[*slot as usize] = joined;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    if kernel
        .state_slots
        .iter()
        .any(|&s| kinds[s as usize] != Kind::Linear)
        || kinds.contains(&Kind::Other)
    {
        return None;
    }

    let mut handler_reads = Vec::new();
    for handler in &kernel.on_event {
        for stmt in handler {
            let Stmt::Set { slot, value } = stmt else {
                return None;
            };
            if !is_state[*slot as usize] {
                return None;
            }
            let increment = added_to(*slot, value)?;
            if !kind_of(increment, &kinds).state_free() {
                return None;
            }
            locals(increment, &mut handler_reads);
        }
    }
    let mut dynamics_reads = Vec::new();
    let mut shared_links = Vec::new();
    for stmts in dynamics {
        for stmt in stmts {
            if let Stmt::Set { value, .. } = stmt {
                locals(value, &mut dynamics_reads);
                links(value, &mut shared_links);
            }
        }
    }
    let handler_constants: Vec<u32> = sorted(handler_reads)
        .into_iter()
        .filter(|&s| !written[s as usize])
        .collect();
    let dynamics_reads = sorted(dynamics_reads);
    let per_connection = handler_constants
        .iter()
        .copied()
        .filter(|s| dynamics_reads.binary_search(s).is_err())
        .collect();
    Some(LinearSynapse {
        kinds,
        shared_links: sorted(shared_links),
        per_connection,
        handler_constants,
    })
}

/// `e` when `value` is `state + e` or `e + state`.
fn added_to(state: u32, value: &Expr) -> Option<&Expr> {
    match value {
        Expr::Binary(BinOp::Add, a, b) if **a == Expr::Local(state) => Some(b),
        Expr::Binary(BinOp::Add, a, b) if **b == Expr::Local(state) => Some(a),
        _ => None,
    }
}

/// The kind of `e`, reading slot kinds from `kinds`.
fn kind_of(e: &Expr, kinds: &[Kind]) -> Kind {
    use Kind::*;
    match e {
        Expr::Const(c) if *c == 0.0 => Zero,
        Expr::Const(_) | Expr::Link(_) | Expr::Reduce(..) | Expr::Time | Expr::Step => Fixed,
        Expr::Local(s) => kinds.get(*s as usize).copied().unwrap_or(Other),
        Expr::Neg(a) => kind_of(a, kinds),
        Expr::Not(a) | Expr::Call(_, a) => state_free_or_other(kind_of(a, kinds)),
        Expr::Random(_) => Other,
        Expr::Binary(op, a, b) => {
            let (a, b) = (kind_of(a, kinds), kind_of(b, kinds));
            match op {
                BinOp::Add | BinOp::Sub => match (a, b) {
                    (Zero, k) | (k, Zero) => k,
                    (x, y) if x == y => x,
                    _ => Other,
                },
                BinOp::Mul => match (a, b) {
                    (Other, _) | (_, Other) => Other,
                    (Zero, _) | (_, Zero) => Zero,
                    (Linear, Fixed) | (Fixed, Linear) => Linear,
                    (Fixed, Fixed) => Fixed,
                    (Linear, Linear) => Other,
                },
                BinOp::Div => match (a, b) {
                    (Zero, Fixed) => Zero,
                    (Linear, Fixed) => Linear,
                    (Fixed, Fixed) => Fixed,
                    _ => Other,
                },
                _ => {
                    if a.state_free() && b.state_free() {
                        Fixed
                    } else {
                        Other
                    }
                }
            }
        }
    }
}

fn state_free_or_other(k: Kind) -> Kind {
    if k.state_free() {
        Kind::Fixed
    } else {
        Kind::Other
    }
}

/// Collects the slots `e` reads.
fn locals(e: &Expr, out: &mut Vec<u32>) {
    walk(e, &mut |e| {
        if let Expr::Local(s) = e {
            out.push(*s);
        }
    });
}

/// Collects the link entries `e` reads, single values and lists.
fn links(e: &Expr, out: &mut Vec<u32>) {
    walk(e, &mut |e| match e {
        Expr::Link(k) | Expr::Reduce(_, k) => out.push(*k),
        _ => {}
    });
}

/// Calls `f` on `e` and every expression inside it.
pub(super) fn walk(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Neg(a) | Expr::Not(a) | Expr::Call(_, a) | Expr::Random(a) => walk(a, f),
        Expr::Binary(_, a, b) => {
            walk(a, f);
            walk(b, f);
        }
        _ => {}
    }
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}
