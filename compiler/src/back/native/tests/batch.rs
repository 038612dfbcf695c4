//! The compiled batch advance stops where the one-by-one loop over `run` stops (after an
//! instance that fired or left a state slot NaN or infinite) and leaves the same bits.

use lemsc_runtime::engine::{
    advance_each, AdvanceBatch, BatchStop, Interpreter, KernelCode, RunContext,
};
use lemsc_runtime::javarand::JavaRandom;
use lemsc_runtime::program::{BinOp, Expr, Kernel, Stmt};

use super::{compile_both, program_of};

fn local(s: u32) -> Box<Expr> {
    Box::new(Expr::Local(s))
}

/// `s0 = s0 * s1 + s2[link 0]`; fires port 1 when `s0 > 100`. Block of 2, state slot 0.
fn scaling_kernel() -> Kernel {
    Kernel {
        name: "scale".into(),
        block_len: 2,
        link_count: 1,
        slot_names: vec!["x".into(), "k".into()],
        state_slots: vec![0],
        out_ports: vec!["a".into(), "big".into()],
        advance: vec![
            Stmt::Set {
                slot: 0,
                value: Expr::Binary(
                    BinOp::Add,
                    Box::new(Expr::Binary(BinOp::Mul, local(0), local(1))),
                    Box::new(Expr::Link(0)),
                ),
            },
            Stmt::If {
                test: Expr::Binary(BinOp::Gt, local(0), Box::new(Expr::Const(100.0))),
                then: vec![Stmt::Emit { port: 1 }],
            },
        ],
        ..Kernel::default()
    }
}

/// A kernel with a state slot and no advance: only the check runs.
fn checked_only_kernel() -> Kernel {
    Kernel {
        name: "held".into(),
        block_len: 1,
        slot_names: vec!["y".into()],
        state_slots: vec![0],
        ..Kernel::default()
    }
}

/// Advances every instance of `places` through `code`, resuming after each stop as the run
/// loop does; returns the stops (as positions in `places`) and the final values.
fn advance_all(
    code: &dyn KernelCode,
    kernel: u32,
    state_slots: &[u32],
    places: &[[u64; 2]],
    initial: &[f64],
    links: &[u64],
) -> (Vec<BatchStop>, Vec<u64>) {
    let mut vars = initial.to_vec();
    let mut rng = JavaRandom::new(7);
    let mut stops = Vec::new();
    let mut from = 0;
    while from < places.len() {
        let mut ctx = RunContext {
            vars: &mut vars,
            links,
            t: 0.5,
            dt: 1e-3,
            rng: &mut rng,
        };
        let batch = AdvanceBatch {
            places: &places[from..],
            state_slots,
        };
        let Some(stop) = code.advance_batch(kernel, &mut ctx, &batch) else {
            break;
        };
        stops.push(BatchStop {
            position: from + stop.position,
            fired: stop.fired,
        });
        from += stop.position + 1;
    }
    (stops, vars.iter().map(|v| v.to_bits()).collect())
}

#[test]
fn batches_stop_after_firing_and_diverging_instances_like_the_interpreter() {
    // Instances at bases 0, 2, .., 12 (x, k), then a value each reads through link 0 at 14.
    let mut initial = vec![
        1.0,
        2.0, // advances quietly
        1.5,
        0.5, // quietly
        50.0,
        3.0, // fires (150 + 0.25)
        2.0,
        f64::NAN, // diverges (NaN), does not fire
        7.0,
        f64::INFINITY, // diverges (inf) and fires
        0.0,
        1.0, // quietly
        -3.0,
        1e308, // overflows to -inf: diverges
    ];
    initial.push(0.25);
    let links = vec![14];
    let places: Vec<[u64; 2]> = (0..7).map(|i| [2 * i, 0]).collect();
    let program = program_of(
        vec![scaling_kernel(), checked_only_kernel()],
        initial.clone(),
        links.clone(),
    );
    let slots = &program.kernels[0].state_slots;
    let interpreter = Interpreter::new(&program.kernels);
    let expected = advance_all(&interpreter, 0, slots, &places, &initial, &links);
    let positions: Vec<(usize, u64)> = expected.0.iter().map(|s| (s.position, s.fired)).collect();
    assert_eq!(positions, vec![(2, 2), (3, 0), (4, 2), (6, 0)]);
    for code in compile_both(&program) {
        assert_eq!(
            advance_all(&code, 0, slots, &places, &initial, &links),
            expected
        );
        // The one-by-one default on the same compiled entries agrees too.
        let mut vars = initial.clone();
        let mut rng = JavaRandom::new(7);
        let mut ctx = RunContext {
            vars: &mut vars,
            links: &links,
            t: 0.5,
            dt: 1e-3,
            rng: &mut rng,
        };
        let batch = AdvanceBatch {
            places: &places,
            state_slots: slots,
        };
        assert_eq!(
            advance_each(&code, 0, &mut ctx, &batch),
            Some(expected.0[0])
        );
    }
}

#[test]
fn a_kernel_without_advance_still_stops_at_a_non_finite_state() {
    let initial = vec![1.0, -0.0, f64::NEG_INFINITY, 5e-324, f64::NAN];
    let places: Vec<[u64; 2]> = (0..5).map(|i| [i, 0]).collect();
    let program = program_of(
        vec![scaling_kernel(), checked_only_kernel()],
        initial.clone(),
        Vec::new(),
    );
    let slots = &program.kernels[1].state_slots;
    for code in compile_both(&program) {
        let (stops, vars) = advance_all(&code, 1, slots, &places, &initial, &[]);
        let positions: Vec<(usize, u64)> = stops.iter().map(|s| (s.position, s.fired)).collect();
        assert_eq!(positions, vec![(2, 0), (4, 0)]);
        assert_eq!(vars[3], 5e-324f64.to_bits(), "values are left alone");
    }
}
