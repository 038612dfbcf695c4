//! Kinetic schemes as NEURON solves the NEURON export's `KINETIC` blocks (`SOLVE kin METHOD
//! sparse`), written out as straight-line kernel statements.
//!
//! nocmodl turns each scheme into the linear system of one backward Euler step,
//! `(I/dt - Q) p_new = p_old/dt`, where `Q` is the scheme's generator (an edge `i -> j` moves
//! occupancy from `i` to `j` at its forward rate and back at its reverse rate), and `CONSERVE`
//! replaces the balance equation of one state by `sum(p_new) = 1`. The state whose row is
//! replaced is the last one the `CONSERVE` statement names (nocmodl's term list is built
//! back to front and it takes the list's head), which is the last node of our schemes.
//! `SOLVE kin STEADYSTATE sparse` in `INITIAL` is the same step with `dt = 1e9 ms`.
//!
//! The system is solved by Gaussian elimination unrolled for the scheme's size, in the order
//! of the nodes, without pivoting, which is safe here: the block of the balance equations
//! (every state but the last) is a principal submatrix of `I/dt - Q`, a column-diagonally
//! dominant M-matrix (positive diagonal, non-positive off-diagonal entries, every column
//! summing to at least `1/dt`), so its pivots stay positive and its multipliers stay in
//! [-1, 0]; the conservation row, eliminated last, only ever gets non-negative additions,
//! and its final pivot `1 + 1ᵀ B⁻¹ |c|` is at least 1. With non-negative old occupancies the
//! balance rows only add terms of one sign; the conservation row's right side becomes one
//! minus the other states' share, so the last state carries an absolute rounding error of
//! about 1e-16, as in NEURON's own solve. Entries that are zero by the scheme's structure are
//! left out at compile time, fill-in included.

use lemsc_runtime::program::{BinOp as KOp, Expr, Stmt};

/// NEURON's step for `STEADYSTATE` schemes: 1e9 ms, in seconds.
pub const STEADY_STATE_STEP: f64 = 1e6;

/// One kinetic scheme over a kernel's slots.
pub struct SchemeSlots {
    /// Occupancy of each node; the last one's balance equation is replaced by conservation.
    pub states: Vec<u32>,
    /// Transitions: (from, to) as positions in `states`, and the forward and reverse rates
    /// (1/s).
    pub edges: Vec<(usize, usize, Expr, Expr)>,
}

/// Statements taking the occupancies of `scheme` one backward Euler step on, where the step
/// is `dt` (an expression of the kernel), with the occupancies summing to 1 after it.
/// `scratch` gives the slot of a named temporary (the same name, the same slot).
pub fn implicit_step(
    scheme: &SchemeSlots,
    dt: Expr,
    scratch: &mut dyn FnMut(&str) -> u32,
) -> Vec<Stmt> {
    let n = scheme.states.len();
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let set = |out: &mut Vec<Stmt>, slot: u32, value: Expr| out.push(Stmt::Set { slot, value });
    let local = |s: u32| Box::new(Expr::Local(s));

    let inv_dt = scratch("@kinetic 1/dt");
    set(
        &mut out,
        inv_dt,
        Expr::Binary(KOp::Div, Box::new(Expr::Const(1.0)), Box::new(dt)),
    );
    // Each rate once: they may be long expressions.
    let mut rates = Vec::new();
    for (k, (_, _, fwd, rev)) in scheme.edges.iter().enumerate() {
        let f = scratch(&format!("@kinetic rate {k} forward"));
        let r = scratch(&format!("@kinetic rate {k} reverse"));
        set(&mut out, f, fwd.clone());
        set(&mut out, r, rev.clone());
        rates.push((f, r));
    }

    // The terms of each entry of `I/dt - Q` (balance rows) and of the conservation row.
    let last = n - 1;
    let mut diagonal: Vec<Vec<Expr>> = (0..n).map(|_| vec![Expr::Local(inv_dt)]).collect();
    let mut inflow: Vec<Vec<Vec<Expr>>> = vec![vec![Vec::new(); n]; n];
    for (&(from, to, _, _), &(f, r)) in scheme.edges.iter().zip(&rates) {
        if from == to {
            continue;
        }
        diagonal[from].push(Expr::Local(f));
        diagonal[to].push(Expr::Local(r));
        inflow[to][from].push(Expr::Local(f));
        inflow[from][to].push(Expr::Local(r));
    }
    let sum = |terms: Vec<Expr>| {
        terms
            .into_iter()
            .reduce(|a, b| Expr::Binary(KOp::Add, Box::new(a), Box::new(b)))
    };
    // a[i][j]: the slot of a structurally non-zero entry.
    let mut a: Vec<Vec<Option<u32>>> = vec![vec![None; n]; n];
    let mut b: Vec<u32> = Vec::with_capacity(n);
    for i in 0..n {
        for j in 0..n {
            let value = if i == last {
                Some(Expr::Const(1.0))
            } else if i == j {
                sum(std::mem::take(&mut diagonal[i]))
            } else {
                sum(std::mem::take(&mut inflow[i][j])).map(|s| Expr::Neg(Box::new(s)))
            };
            if let Some(value) = value {
                let slot = scratch(&format!("@kinetic a{i},{j}"));
                set(&mut out, slot, value);
                a[i][j] = Some(slot);
            }
        }
        let slot = scratch(&format!("@kinetic b{i}"));
        let value = if i == last {
            Expr::Const(1.0)
        } else {
            Expr::Binary(KOp::Mul, local(scheme.states[i]), local(inv_dt))
        };
        set(&mut out, slot, value);
        b.push(slot);
    }

    // Forward elimination.
    let factor = scratch("@kinetic factor");
    for k in 0..n {
        let pivot = a[k][k].expect("a diagonal entry is never structurally zero");
        for i in k + 1..n {
            let Some(aik) = a[i][k] else { continue };
            set(
                &mut out,
                factor,
                Expr::Binary(KOp::Div, local(aik), local(pivot)),
            );
            let row_k = a[k].clone();
            for (j, akj) in row_k.iter().enumerate().skip(k + 1) {
                let Some(akj) = *akj else { continue };
                let product = Expr::Binary(KOp::Mul, local(factor), local(akj));
                let (slot, value) = match a[i][j] {
                    Some(aij) => (aij, Expr::Binary(KOp::Sub, local(aij), Box::new(product))),
                    None => {
                        let slot = scratch(&format!("@kinetic a{i},{j}"));
                        a[i][j] = Some(slot);
                        (slot, Expr::Neg(Box::new(product)))
                    }
                };
                set(&mut out, slot, value);
            }
            set(
                &mut out,
                b[i],
                Expr::Binary(
                    KOp::Sub,
                    local(b[i]),
                    Box::new(Expr::Binary(KOp::Mul, local(factor), local(b[k]))),
                ),
            );
        }
    }

    // Back substitution, straight into the occupancies (those after `k` are already new).
    for k in (0..n).rev() {
        let mut value = Expr::Local(b[k]);
        for (j, akj) in a[k].iter().enumerate().skip(k + 1) {
            if let Some(akj) = *akj {
                value = Expr::Binary(
                    KOp::Sub,
                    Box::new(value),
                    Box::new(Expr::Binary(KOp::Mul, local(akj), local(scheme.states[j]))),
                );
            }
        }
        let pivot = a[k][k].expect("a diagonal entry is never structurally zero");
        set(
            &mut out,
            scheme.states[k],
            Expr::Binary(KOp::Div, Box::new(value), local(pivot)),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Evaluates the statements `implicit_step` writes (sets of arithmetic over slots).
    fn run(stmts: &[Stmt], vars: &mut [f64], dt: f64) {
        fn eval(e: &Expr, vars: &[f64], dt: f64) -> f64 {
            match e {
                Expr::Const(x) => *x,
                Expr::Local(s) => vars[*s as usize],
                Expr::Step => dt,
                Expr::Neg(a) => -eval(a, vars, dt),
                Expr::Binary(op, a, b) => {
                    let (a, b) = (eval(a, vars, dt), eval(b, vars, dt));
                    match op {
                        KOp::Add => a + b,
                        KOp::Sub => a - b,
                        KOp::Mul => a * b,
                        KOp::Div => a / b,
                        other => panic!("unexpected operator {other:?}"),
                    }
                }
                other => panic!("unexpected expression {other:?}"),
            }
        }
        for s in stmts {
            let Stmt::Set { slot, value } = s else {
                panic!("unexpected statement {s:?}")
            };
            let x = eval(value, vars, dt);
            vars[*slot as usize] = x;
        }
    }

    /// Solves `m x = rhs` by Gaussian elimination with partial pivoting.
    fn dense_solve(mut m: Vec<Vec<f64>>, mut rhs: Vec<f64>) -> Vec<f64> {
        let n = rhs.len();
        for k in 0..n {
            let p = (k..n)
                .max_by(|&i, &j| m[i][k].abs().total_cmp(&m[j][k].abs()))
                .unwrap();
            m.swap(k, p);
            rhs.swap(k, p);
            for i in k + 1..n {
                let f = m[i][k] / m[k][k];
                let row_k = m[k].clone();
                for (x, y) in m[i][k..].iter_mut().zip(&row_k[k..]) {
                    *x -= f * y;
                }
                rhs[i] -= f * rhs[k];
            }
        }
        let mut x = vec![0.0; n];
        for k in (0..n).rev() {
            let s: f64 = (k + 1..n).map(|j| m[k][j] * x[j]).sum();
            x[k] = (rhs[k] - s) / m[k][k];
        }
        x
    }

    /// The system nocmodl writes: balance rows of `I/dt - Q`, the last row conservation.
    fn reference(n: usize, edges: &[(usize, usize, f64, f64)], old: &[f64], dt: f64) -> Vec<f64> {
        let mut m = vec![vec![0.0; n]; n];
        for (i, row) in m.iter_mut().enumerate() {
            row[i] = 1.0 / dt;
        }
        for &(from, to, f, r) in edges {
            m[from][from] += f;
            m[to][from] -= f;
            m[to][to] += r;
            m[from][to] -= r;
        }
        m[n - 1] = vec![1.0; n];
        let mut rhs: Vec<f64> = old.iter().map(|p| p / dt).collect();
        rhs[n - 1] = 1.0;
        dense_solve(m, rhs)
    }

    /// A small deterministic generator for rates spanning several orders of magnitude.
    fn rates(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let u = (*seed >> 11) as f64 / (1u64 << 53) as f64;
        10f64.powf(-1.0 + 5.0 * u)
    }

    fn check(n: usize, edges: &[(usize, usize)], dt: f64, seed: &mut u64) {
        let edges: Vec<(usize, usize, f64, f64)> = edges
            .iter()
            .map(|&(i, j)| (i, j, rates(seed), rates(seed)))
            .collect();
        let mut old: Vec<f64> = (0..n).map(|_| rates(seed)).collect();
        let total: f64 = old.iter().sum();
        old.iter_mut().for_each(|p| *p /= total);

        // Occupancies in slots 0..n, rates in the slots after them.
        let mut vars: Vec<f64> = old.clone();
        let mut scheme = SchemeSlots {
            states: (0..n as u32).collect(),
            edges: Vec::new(),
        };
        for &(i, j, f, r) in &edges {
            let fs = vars.len() as u32;
            vars.extend([f, r]);
            scheme
                .edges
                .push((i, j, Expr::Local(fs), Expr::Local(fs + 1)));
        }
        let mut names: HashMap<String, u32> = HashMap::new();
        let base = vars.len() as u32;
        let stmts = implicit_step(&scheme, Expr::Step, &mut |name| {
            let next = base + names.len() as u32;
            *names.entry(name.to_string()).or_insert(next)
        });
        vars.resize(base as usize + names.len(), f64::NAN);
        run(&stmts, &mut vars, dt);

        let want = reference(n, &edges, &old, dt);
        for (k, w) in want.iter().enumerate() {
            let got = vars[k];
            assert!(
                (got - w).abs() <= 1e-12 * w.abs() + 1e-14,
                "state {k} of {n}: {got} vs dense {w} (dt {dt})"
            );
            assert!(got >= -1e-15, "state {k} negative: {got}");
        }
        let sum: f64 = (0..n).map(|k| vars[k]).sum();
        assert!((sum - 1.0).abs() < 1e-13, "occupancies sum to {sum}");
    }

    #[test]
    fn unrolled_elimination_matches_a_dense_solve() {
        let mut seed = 7;
        let chain = [(0, 1), (1, 2), (2, 3), (3, 4)];
        // A ring with a chord (fill-in), a star, and the KAHP-like chain with side branches.
        let ring = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (1, 4)];
        let star = [(0, 3), (1, 3), (2, 3)];
        let branched = [(0, 1), (1, 2), (2, 3), (0, 4), (1, 5), (2, 6), (3, 7)];
        for dt in [2.5e-5, 1e-3, STEADY_STATE_STEP] {
            check(2, &[(0, 1)], dt, &mut seed);
            check(5, &chain, dt, &mut seed);
            check(6, &ring, dt, &mut seed);
            check(4, &star, dt, &mut seed);
            check(8, &branched, dt, &mut seed);
            // Edges given backwards, and a node whose only link is an edge into it.
            check(3, &[(2, 1), (1, 0)], dt, &mut seed);
        }
    }

    #[test]
    fn the_steady_state_is_the_generators_null_vector() {
        // Two states, forward a, reverse b: p = (b, a) / (a + b).
        let (a, b) = (30.0, 10.0);
        let mut vars = vec![0.0, 0.0, a, b];
        let scheme = SchemeSlots {
            states: vec![0, 1],
            edges: vec![(0, 1, Expr::Local(2), Expr::Local(3))],
        };
        let mut names: HashMap<String, u32> = HashMap::new();
        let stmts = implicit_step(&scheme, Expr::Const(STEADY_STATE_STEP), &mut |name| {
            let next = 4 + names.len() as u32;
            *names.entry(name.to_string()).or_insert(next)
        });
        vars.resize(4 + names.len(), f64::NAN);
        run(&stmts, &mut vars, 0.0);
        // Off by about (1/dt) / rate, as NEURON's is: 1e-6 / 40 here.
        assert!((vars[0] - 0.25).abs() < 1e-7 && (vars[1] - 0.75).abs() < 1e-7);
        assert!(
            (vars[0] - 0.25).abs() > 0.0,
            "the 1e6 s step leaves its trace"
        );
        assert!((vars[0] + vars[1] - 1.0).abs() < 1e-15);
    }
}
