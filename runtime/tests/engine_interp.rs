//! The reference interpreter does what `program.rs` says each statement and expression does.

mod common;

use common::exprs::{c, local};
use common::program::set;
use lemsc_runtime::engine::{Entry, Interpreter, KernelCall, KernelCode, RunContext};
use lemsc_runtime::javarand::JavaRandom;
use lemsc_runtime::program::{BinOp, Expr, Func, Kernel, Reduce, Stmt};

fn kernel(advance: Vec<Stmt>) -> Kernel {
    Kernel {
        name: "k".to_string(),
        block_len: 8,
        link_count: 4,
        advance,
        ..Kernel::default()
    }
}

fn bin(op: BinOp, a: Box<Expr>, b: Box<Expr>) -> Expr {
    Expr::Binary(op, a, b)
}

fn func(f: Func, x: Box<Expr>) -> Expr {
    Expr::Call(f, x)
}

/// Where and with what an entry runs.
struct Setup {
    vars: Vec<f64>,
    links: Vec<u64>,
    base: usize,
    link_start: usize,
    t: f64,
    dt: f64,
    seed: i64,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            vars: vec![0.0; 8],
            links: Vec::new(),
            base: 0,
            link_start: 0,
            t: 0.25,
            dt: 1e-3,
            seed: 42,
        }
    }
}

/// Runs `entry` of `kernels[0]` and returns the vars after it and the fired mask.
fn run_entry(kernels: &[Kernel], entry: Entry, setup: Setup) -> (Vec<f64>, u64) {
    let mut vars = setup.vars;
    let mut rng = JavaRandom::new(setup.seed);
    let mut ctx = RunContext {
        vars: &mut vars,
        links: &setup.links,
        t: setup.t,
        dt: setup.dt,
        rng: &mut rng,
    };
    let call = KernelCall {
        kernel: 0,
        entry,
        base: setup.base,
        link_start: setup.link_start,
    };
    let fired = Interpreter::new(kernels).run(call, &mut ctx);
    (vars, fired)
}

fn advance(stmts: Vec<Stmt>, setup: Setup) -> (Vec<f64>, u64) {
    run_entry(&[kernel(stmts)], Entry::Advance, setup)
}

/// The value of `e` stored into slot 0.
fn value_of(e: Expr) -> f64 {
    advance(vec![set(0, e)], Setup::default()).0[0]
}

fn same_bits(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

#[test]
fn sets_use_the_base_and_are_seen_by_later_statements() {
    let stmts = vec![
        set(0, Expr::Const(3.0)),
        set(
            1,
            bin(BinOp::Add, bin_box(BinOp::Mul, local(0), c(2.0)), c(1.0)),
        ),
        set(2, Expr::Local(1)),
    ];
    let setup = Setup {
        vars: vec![-1.0; 6],
        base: 2,
        ..Setup::default()
    };
    let (vars, fired) = advance(stmts, setup);
    assert_eq!(vars, vec![-1.0, -1.0, 3.0, 7.0, 7.0, -1.0]);
    assert_eq!(fired, 0);
}

fn bin_box(op: BinOp, a: Box<Expr>, b: Box<Expr>) -> Box<Expr> {
    Box::new(bin(op, a, b))
}

#[test]
fn time_and_step_come_from_the_context() {
    let (vars, _) = advance(
        vec![set(0, Expr::Time), set(1, Expr::Step)],
        Setup {
            t: 0.125,
            dt: 5e-6,
            ..Setup::default()
        },
    );
    assert_eq!((vars[0], vars[1]), (0.125, 5e-6));
}

#[test]
fn links_read_other_instances_through_the_link_entries() {
    // Link entries of this instance start at 1: entry 0 names vars[5], entry 1 a list at
    // position 4 (two members: vars[6], vars[7]), entry 2 an empty list at position 7.
    let links = vec![99, 5, 4, 7, 2, 6, 7, 0];
    let mut vars = vec![0.0; 8];
    vars[5] = 1.5;
    vars[6] = 0.1;
    vars[7] = 0.2;
    let stmts = vec![
        set(0, Expr::Link(0)),
        set(1, Expr::Reduce(Reduce::Add, 1)),
        set(2, Expr::Reduce(Reduce::Multiply, 1)),
        set(3, Expr::Reduce(Reduce::Add, 2)),
        set(4, Expr::Reduce(Reduce::Multiply, 2)),
    ];
    let setup = Setup {
        vars,
        links,
        link_start: 1,
        ..Setup::default()
    };
    let (vars, _) = advance(stmts, setup);
    assert_eq!(vars[0], 1.5);
    // Added from 0 in list order: 0 + 0.1 + 0.2 (not 0.3, which is 0.1 + 0.2 rounded).
    assert!(same_bits(vars[1], 0.0 + 0.1 + 0.2));
    assert!(same_bits(vars[2], 1.0 * 0.1 * 0.2));
    assert_eq!((vars[3], vars[4]), (0.0, 1.0));
}

#[test]
fn binary_operators_follow_ieee_and_give_one_or_zero() {
    let nan = f64::NAN;
    let cases = [
        (BinOp::Add, 0.1, 0.2, 0.1 + 0.2),
        (BinOp::Sub, 1.0, 3.0, -2.0),
        (BinOp::Mul, 1e300, 1e10, f64::INFINITY),
        (BinOp::Div, 1.0, 0.0, f64::INFINITY),
        (BinOp::Pow, 2.0, 0.5, 2f64.powf(0.5)),
        (BinOp::Gt, 2.0, 1.0, 1.0),
        (BinOp::Lt, 2.0, 1.0, 0.0),
        (BinOp::Ge, 1.0, 1.0, 1.0),
        (BinOp::Le, nan, 1.0, 0.0),
        (BinOp::Eq, nan, nan, 0.0),
        (BinOp::Ne, nan, nan, 1.0),
        (BinOp::And, 2.0, -1.0, 1.0),
        (BinOp::And, 2.0, 0.0, 0.0),
        (BinOp::And, nan, 1.0, 1.0),
        (BinOp::Or, 0.0, 0.0, 0.0),
        (BinOp::Or, 0.0, -0.0, 0.0),
        (BinOp::Or, 0.0, 3.0, 1.0),
    ];
    for (op, a, b, expected) in cases {
        let got = value_of(bin(op, c(a), c(b)));
        assert!(
            same_bits(got, expected),
            "{a} {op:?} {b}: got {got}, expected {expected}"
        );
    }
}

#[test]
fn negation_and_not() {
    assert!(same_bits(value_of(Expr::Neg(c(0.0))), -0.0));
    assert_eq!(value_of(Expr::Not(c(0.0))), 1.0);
    assert_eq!(value_of(Expr::Not(c(-0.0))), 1.0);
    assert_eq!(value_of(Expr::Not(c(0.5))), 0.0);
    assert_eq!(value_of(Expr::Not(c(f64::NAN))), 0.0);
}

#[test]
fn functions_are_the_rust_f64_methods() {
    let x = 0.7316;
    type Method = fn(f64) -> f64;
    let cases: [(Func, Method); 12] = [
        (Func::Exp, f64::exp),
        (Func::Ln, f64::ln),
        (Func::Sqrt, f64::sqrt),
        (Func::Sin, f64::sin),
        (Func::Cos, f64::cos),
        (Func::Tan, f64::tan),
        (Func::Sinh, f64::sinh),
        (Func::Cosh, f64::cosh),
        (Func::Tanh, f64::tanh),
        (Func::Abs, f64::abs),
        (Func::Ceil, f64::ceil),
        (Func::Floor, f64::floor),
    ];
    for (f, method) in cases {
        for arg in [x, -x, 12.5] {
            let got = value_of(func(f, c(arg)));
            assert!(
                same_bits(got, method(arg)) || (got.is_nan() && method(arg).is_nan()),
                "{f:?}({arg}) = {got}"
            );
        }
    }
}

#[test]
fn heaviside_is_one_half_at_zero_and_keeps_nan() {
    assert_eq!(value_of(func(Func::H, c(3.0))), 1.0);
    assert_eq!(value_of(func(Func::H, c(-1e-300))), 0.0);
    assert_eq!(value_of(func(Func::H, c(0.0))), 0.5);
    assert_eq!(value_of(func(Func::H, c(-0.0))), 0.5);
    assert!(value_of(func(Func::H, c(f64::NAN))).is_nan());
}

#[test]
fn factorial_multiplies_up_to_the_integer_part() {
    let fact = |x: f64| value_of(func(Func::Factorial, c(x)));
    assert_eq!(fact(0.0), 1.0);
    assert_eq!(fact(-3.0), 1.0);
    assert_eq!(fact(f64::NAN), 1.0);
    assert_eq!(fact(5.0), 120.0);
    assert_eq!(fact(3.7), 6.0);
    let expected_170: f64 = (1..=170).map(f64::from).product();
    assert!(same_bits(fact(170.0), expected_170));
    assert_eq!(fact(171.0), f64::INFINITY);
    assert_eq!(fact(f64::INFINITY), f64::INFINITY);
}

#[test]
fn random_scales_a_draw_and_draws_in_evaluation_order() {
    // slot 0 = 2 * draw1; slot 1 = random(slot0) - random(1): scale read first, then
    // draw2, then draw3; slot 2 = (random(1) > 2) and (random(1) > 2): both sides draw.
    let stmts = vec![
        set(0, Expr::Random(c(2.0))),
        set(
            1,
            bin(
                BinOp::Sub,
                Box::new(Expr::Random(local(0))),
                Box::new(Expr::Random(c(1.0))),
            ),
        ),
        set(
            2,
            bin(
                BinOp::And,
                bin_box(BinOp::Gt, Box::new(Expr::Random(c(1.0))), c(2.0)),
                bin_box(BinOp::Gt, Box::new(Expr::Random(c(1.0))), c(2.0)),
            ),
        ),
        set(3, Expr::Random(c(1.0))),
    ];
    let (vars, _) = advance(
        stmts,
        Setup {
            seed: 123,
            ..Setup::default()
        },
    );
    let mut rng = JavaRandom::new(123);
    let d: Vec<f64> = (0..6).map(|_| rng.next_double()).collect();
    assert!(same_bits(vars[0], 2.0 * d[0]));
    assert!(same_bits(vars[1], vars[0] * d[1] - d[2]));
    assert_eq!(vars[2], 0.0);
    assert!(same_bits(vars[3], d[5]));
}

#[test]
fn if_runs_its_block_for_any_non_zero_test_including_nan() {
    let stmts = |test: f64| {
        vec![Stmt::If {
            test: Expr::Const(test),
            then: vec![set(0, Expr::Const(1.0)), Stmt::Emit { port: 1 }],
        }]
    };
    assert_eq!(advance(stmts(0.0), Setup::default()), (vec![0.0; 8], 0));
    assert_eq!(advance(stmts(-0.0), Setup::default()).1, 0);
    for test in [1.0, -2.0, f64::NAN] {
        let (vars, fired) = advance(stmts(test), Setup::default());
        assert_eq!((vars[0], fired), (1.0, 0b10), "test {test}");
    }
}

#[test]
fn emits_accumulate_a_mask_of_out_ports() {
    let stmts = vec![
        Stmt::Emit { port: 0 },
        Stmt::Emit { port: 63 },
        Stmt::Emit { port: 0 },
    ];
    assert_eq!(advance(stmts, Setup::default()).1, 1 | 1 << 63);
}

#[test]
fn switch_runs_the_arm_of_the_regime_slot() {
    let stmts = vec![Stmt::Switch {
        slot: 7,
        arms: vec![
            vec![set(0, Expr::Const(10.0))],
            vec![],
            vec![set(0, Expr::Const(12.0)), Stmt::Emit { port: 2 }],
        ],
    }];
    let regime = |r: f64| {
        let mut vars = vec![0.0; 8];
        vars[7] = r;
        let (vars, fired) = advance(
            stmts.clone(),
            Setup {
                vars,
                ..Setup::default()
            },
        );
        (vars[0], fired)
    };
    assert_eq!(regime(0.0), (10.0, 0));
    assert_eq!(regime(1.0), (0.0, 0));
    assert_eq!(regime(2.0), (12.0, 0b100));
    assert_eq!(regime(2.9), (12.0, 0b100));
    assert_eq!(regime(3.0), (0.0, 0));
    // `as usize` saturates: negatives and NaN select arm 0.
    assert_eq!(regime(-1.0), (10.0, 0));
    assert_eq!(regime(f64::NAN), (10.0, 0));
}

#[test]
fn each_entry_runs_its_own_statement_list() {
    let k = Kernel {
        init: vec![set(0, Expr::Const(1.0))],
        init_derived: vec![set(0, Expr::Const(2.0))],
        on_event: vec![vec![set(0, Expr::Const(3.0))], vec![Stmt::Emit { port: 0 }]],
        ..kernel(vec![set(0, Expr::Const(4.0))])
    };
    let kernels = [k];
    let slot0 = |entry| run_entry(&kernels, entry, Setup::default());
    assert_eq!(slot0(Entry::Init).0[0], 1.0);
    assert_eq!(slot0(Entry::InitDerived).0[0], 2.0);
    assert_eq!(slot0(Entry::OnEvent(0)).0[0], 3.0);
    assert_eq!(slot0(Entry::OnEvent(1)), (vec![0.0; 8], 1));
    assert_eq!(slot0(Entry::Advance).0[0], 4.0);
}
