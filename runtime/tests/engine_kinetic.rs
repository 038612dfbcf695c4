//! Kinetic schemes step occupancies by the matrix exponential: checked against the
//! analytic solution of a two-state scheme and a Taylor-series exponential of a
//! three-state cycle.

mod common;

use common::program::instance;
use lemsc_runtime::engine::kinetic::{advance_scheme, KineticWork};
use lemsc_runtime::engine::{run, Interpreter, RunError, RunOptions};
use lemsc_runtime::program::{Kernel, KineticEdge, KineticScheme, Op, Program};

/// Closed (vars[0]) <-> open (vars[1]); opening rate vars[2], closing rate vars[3].
fn two_state() -> KineticScheme {
    KineticScheme {
        states: vec![0, 1],
        edges: vec![KineticEdge {
            from: 0,
            to: 1,
            forward: 2,
            reverse: 3,
        }],
    }
}

/// The scheme's states as slots of one instance, stepped `steps` times by a run.
fn two_state_program(alpha: f64, beta: f64, dt: f64, steps: u64) -> Program {
    Program {
        dt,
        steps,
        seed: 1,
        kernels: vec![Kernel {
            name: "gate (gateKS)".into(),
            block_len: 4,
            slot_names: vec![
                "c/occupancy".into(),
                "o/occupancy".into(),
                "a".into(),
                "b".into(),
            ],
            ..Kernel::default()
        }],
        instances: vec![instance(0, 0, "cell/gate")],
        initial: vec![1.0, 0.0, alpha, beta],
        step_order: vec![Op::KineticScheme(Box::new(two_state()))],
        ..Program::default()
    }
}

fn run_program(p: &Program) -> Result<Vec<f64>, RunError> {
    run(p, &Interpreter::new(&p.kernels), RunOptions::default()).map(|r| r.final_vars)
}

#[test]
fn two_states_follow_the_analytic_relaxation() {
    let (alpha, beta, dt, steps) = (200.0, 100.0, 1e-5, 1000);
    let vars = run_program(&two_state_program(alpha, beta, dt, steps)).unwrap();
    // p_open(t) = p_inf (1 - exp(-(alpha + beta) t)) from all closed; the exponential of
    // each step composes exactly, so only rounding separates the two.
    let t = steps as f64 * dt;
    let p_inf = alpha / (alpha + beta);
    let open = p_inf * (1.0 - (-(alpha + beta) * t).exp());
    assert!((vars[1] - open).abs() < 1e-11, "{} vs {open}", vars[1]);
    assert!((vars[0] - (1.0 - open)).abs() < 1e-11);
    assert!((vars[0] + vars[1] - 1.0).abs() < 1e-13);
}

#[test]
fn one_step_is_the_exponential_even_where_euler_is_far_off() {
    // (alpha + beta) dt = 3: Euler would overshoot to negative occupancy.
    let (alpha, beta, dt) = (2000.0, 1000.0, 1e-3);
    let vars = run_program(&two_state_program(alpha, beta, dt, 1)).unwrap();
    let open = alpha / (alpha + beta) * (1.0 - (-3.0f64).exp());
    assert!((vars[1] - open).abs() < 1e-12, "{} vs {open}", vars[1]);
    assert!(vars[0] > 0.0);
}

/// exp(a) for a small n×n matrix by its Taylor series (an independent check).
fn taylor_exp(a: &[f64], n: usize) -> Vec<f64> {
    let mut result = vec![0.0; n * n];
    let mut term = vec![0.0; n * n];
    for i in 0..n {
        result[i * n + i] = 1.0;
        term[i * n + i] = 1.0;
    }
    for k in 1..60 {
        let mut next = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                next[i * n + j] =
                    (0..n).map(|m| term[i * n + m] * a[m * n + j]).sum::<f64>() / f64::from(k);
            }
        }
        term = next;
        for (r, t) in result.iter_mut().zip(&term) {
            *r += t;
        }
    }
    result
}

#[test]
fn a_three_state_cycle_matches_a_taylor_series_exponential() {
    // States at vars 0..3; edges 0->1, 1->2, 2->0 with forward/reverse rates at 3..9.
    let rates = [120.0, 30.0, 75.0, 10.0, 45.0, 5.0];
    let scheme = KineticScheme {
        states: vec![0, 1, 2],
        edges: (0..3)
            .map(|e| KineticEdge {
                from: e,
                to: (e + 1) % 3,
                forward: 3 + 2 * u64::from(e),
                reverse: 4 + 2 * u64::from(e),
            })
            .collect(),
    };
    let mut vars = vec![0.6, 0.3, 0.1];
    vars.extend(rates);
    let dt = 2e-3;

    // Q[to][from] += forward, Q[from][to] += reverse, minus the outflow on the diagonal.
    let n = 3;
    let mut q = vec![0.0; n * n];
    for e in 0..3 {
        let (i, j) = (e, (e + 1) % 3);
        let (f, r) = (rates[2 * e], rates[2 * e + 1]);
        q[j * n + i] += f * dt;
        q[i * n + i] -= f * dt;
        q[i * n + j] += r * dt;
        q[j * n + j] -= r * dt;
    }
    let e = taylor_exp(&q, n);
    let p0 = [vars[0], vars[1], vars[2]];
    let expected: Vec<f64> = (0..n)
        .map(|i| (0..n).map(|j| e[i * n + j] * p0[j]).sum())
        .collect();

    let mut work = KineticWork::for_schemes([&scheme]);
    advance_scheme(&scheme, &mut vars, dt, &mut work);
    for i in 0..n {
        assert!(
            (vars[i] - expected[i]).abs() < 1e-12,
            "state {i}: {} vs {}",
            vars[i],
            expected[i]
        );
    }
    assert!((vars[0] + vars[1] + vars[2] - 1.0).abs() < 1e-13);
    assert_eq!(&vars[3..], &rates, "rates are only read");
}

#[test]
fn a_nan_rate_stops_the_run_naming_the_occupancy() {
    let p = two_state_program(f64::NAN, 100.0, 1e-5, 10);
    match run_program(&p) {
        Err(RunError::NonFinite {
            variable,
            instance,
            t,
            ..
        }) => {
            assert_eq!(variable, "c/occupancy");
            assert_eq!(instance, "cell/gate");
            assert_eq!(t, 1e-5);
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
}
