//! Kinetic schemes: occupancies advanced by `p <- exp(Q dt) p`, computed the way jLEMS
//! computes it (`run/KScheme.advance` and `run/Matrix.expOf`), operation for operation, so
//! the occupancies agree to the bit.
//!
//! The exponential is taken by scaling and squaring: `A = Q dt` is halved `s` times until
//! its largest entry is at most 1e-12, `exp(A / 2^s)` is taken as `I + A / 2^s`, and the
//! result is squared `s` times. To keep precision the identity is carried separately:
//! with `M = exp - I`, squaring is `M <- 2M + M^2`, and `I` is added once at the end.

use crate::program::KineticScheme;

/// Below this largest entry, `I + A` is taken as `exp(A)` (jLEMS's value).
const SMALL_ENOUGH: f64 = 1.0e-12;

/// Scratch matrices for kinetic schemes of up to `n` states, allocated once per run.
pub struct KineticWork {
    n: usize,
    /// The generator, then `exp - I`, row-major.
    m: Vec<f64>,
    /// The square of `m`.
    square: Vec<f64>,
    /// The occupancies.
    occupancy: Vec<f64>,
    /// The new occupancies.
    next: Vec<f64>,
}

impl KineticWork {
    /// Room for every scheme in `schemes`.
    pub fn for_schemes<'a>(schemes: impl IntoIterator<Item = &'a KineticScheme>) -> KineticWork {
        let n = schemes
            .into_iter()
            .map(|s| s.states.len())
            .max()
            .unwrap_or(0);
        KineticWork {
            n,
            m: vec![0.0; n * n],
            square: vec![0.0; n * n],
            occupancy: vec![0.0; n],
            next: vec![0.0; n],
        }
    }
}

/// Advances the occupancies of `scheme` in `vars` by one step of `dt`, reading the rates
/// from `vars`. The scheme must be valid for `vars` (see [`crate::program::Program::validate`])
/// and `work` made for it.
pub fn advance_scheme(scheme: &KineticScheme, vars: &mut [f64], dt: f64, work: &mut KineticWork) {
    let n = scheme.states.len();
    assert!(n <= work.n, "kinetic scratch made for smaller schemes");
    let m = &mut work.m[..n * n];
    let square = &mut work.square[..n * n];

    // Q: an edge i -> j moves occupancy from i to j at the forward rate and back at the
    // reverse rate; the diagonal holds minus the outflow.
    m.fill(0.0);
    for edge in &scheme.edges {
        let (i, j) = (edge.from as usize, edge.to as usize);
        let forward = vars[edge.forward as usize];
        let reverse = vars[edge.reverse as usize];
        m[i * n + i] -= forward;
        m[j * n + i] += forward;
        m[j * n + j] -= reverse;
        m[i * n + j] += reverse;
    }

    exp_minus_identity(m, square, n, dt);
    for (k, x) in m.iter_mut().enumerate() {
        // jLEMS adds the whole identity matrix, zeros included (0 + -0 is +0).
        *x += if k % (n + 1) == 0 { 1.0 } else { 0.0 };
    }

    let occupancy = &mut work.occupancy[..n];
    for (p, &state) in occupancy.iter_mut().zip(&scheme.states) {
        *p = vars[state as usize];
    }
    let next = &mut work.next[..n];
    for (i, out) in next.iter_mut().enumerate() {
        let row = &m[i * n..(i + 1) * n];
        *out = row
            .iter()
            .zip(occupancy.iter())
            .fold(0.0, |acc, (a, p)| acc + a * p);
    }
    for (&state, &p) in scheme.states.iter().zip(next.iter()) {
        vars[state as usize] = p;
    }
}

/// Replaces `m` (n×n, row-major) by `exp(m·dt) - I`, as jLEMS's `Matrix.expOf` computes it
/// before adding the identity.
fn exp_minus_identity(m: &mut [f64], square: &mut [f64], n: usize, dt: f64) {
    for x in m.iter_mut() {
        *x *= dt;
    }
    // The largest magnitude; NaN entries are skipped, as Java's `>` skips them.
    let largest = m
        .iter()
        .fold(0.0, |d: f64, x| if x.abs() > d { x.abs() } else { d });
    let mut halvings = 0u32;
    let mut factor = 1.0;
    while largest * factor > SMALL_ENOUGH {
        factor *= 0.5;
        halvings += 1;
    }
    for x in m.iter_mut() {
        *x *= factor;
    }
    for _ in 0..halvings {
        multiply(m, m, square, n);
        for (x, s) in m.iter_mut().zip(square.iter()) {
            *x += *x;
            *x += *s;
        }
    }
}

/// `out = a·b` for n×n row-major matrices, each entry summed from 0 in index order.
fn multiply(a: &[f64], b: &[f64], out: &mut [f64], n: usize) {
    for i in 0..n {
        for j in 0..n {
            let mut sum = 0.0;
            for k in 0..n {
                sum += a[i * n + k] * b[k * n + j];
            }
            out[i * n + j] = sum;
        }
    }
}
