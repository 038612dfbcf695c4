//! Compiled kernels do what `program.rs` says each statement and expression does.

use std::hint::black_box;

use lemsc_runtime::engine::{Entry, KernelCall, KernelCode, RunContext};
use lemsc_runtime::javarand::JavaRandom;
use lemsc_runtime::program::{BinOp, Expr, Func, Kernel, Program, Reduce, Stmt};

use super::kernel::{compile_program, compile_program_with, MachineCode, NativeKernels};

pub(super) fn program_of(kernels: Vec<Kernel>, initial: Vec<f64>, links: Vec<u64>) -> Program {
    Program {
        dt: 1e-5,
        seed: 1234,
        kernels,
        initial,
        links,
        ..Program::default()
    }
}

pub(super) fn kernel(name: &str, block_len: u32, advance: Vec<Stmt>) -> Kernel {
    Kernel {
        name: name.to_string(),
        block_len,
        advance,
        ..Kernel::default()
    }
}

/// Where and when an entry runs.
#[derive(Clone, Copy)]
pub(super) struct Call {
    pub kernel: u32,
    pub entry: Entry,
    pub base: usize,
    pub link_start: usize,
    pub t: f64,
    pub dt: f64,
}

impl Call {
    pub fn advance(base: usize) -> Call {
        Call {
            kernel: 0,
            entry: Entry::Advance,
            base,
            link_start: 0,
            t: 0.0,
            dt: 1e-5,
        }
    }
}

/// Runs `call` on `vars` and returns the fired mask.
pub(super) fn run_on(
    code: &dyn KernelCode,
    call: Call,
    vars: &mut [f64],
    links: &[u64],
    rng: &mut JavaRandom,
) -> u64 {
    let mut ctx = RunContext {
        vars,
        links,
        t: call.t,
        dt: call.dt,
        rng,
    };
    let kernel_call = KernelCall {
        kernel: call.kernel,
        entry: call.entry,
        base: call.base,
        link_start: call.link_start,
    };
    code.run(kernel_call, &mut ctx)
}

/// One advance of kernel 0 at base 0, without links and with a fresh generator (seed 1).
fn advance_alone(code: &dyn KernelCode, vars: &mut [f64]) -> u64 {
    run_on(code, Call::advance(0), vars, &[], &mut JavaRandom::new(1))
}

/// The program compiled with each kind of machine code: every test runs on both.
fn compile_both(program: &Program) -> [NativeKernels; 2] {
    [MachineCode::Quick, MachineCode::Optimised].map(|machine_code| {
        match compile_program_with(program, machine_code) {
            Ok(code) => code,
            Err(d) => panic!("program compiles: {} {:?}", d.message, d.notes),
        }
    })
}

/// Runs the advance entry of a one-kernel program on a copy of its initial values.
fn advance_once(stmts: Vec<Stmt>, initial: &[f64], links: &[u64], base: usize) -> (Vec<f64>, u64) {
    let program = program_of(
        vec![kernel("k", 8, stmts)],
        initial.to_vec(),
        links.to_vec(),
    );
    let results: Vec<(Vec<f64>, u64)> = compile_both(&program)
        .iter()
        .map(|code| {
            let mut vars = initial.to_vec();
            let mut rng = JavaRandom::new(1);
            let mask = run_on(code, Call::advance(base), &mut vars, links, &mut rng);
            (vars, mask)
        })
        .collect();
    let [quick, optimised] = [&results[0], &results[1]];
    let bits = |vars: &[f64]| vars.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&quick.0),
        bits(&optimised.0),
        "both machine codes agree"
    );
    assert_eq!(
        quick.1, optimised.1,
        "both machine codes fire the same ports"
    );
    results[0].clone()
}

fn local(s: u32) -> Box<Expr> {
    Box::new(Expr::Local(s))
}

fn c(v: f64) -> Box<Expr> {
    Box::new(Expr::Const(v))
}

fn set(slot: u32, value: Expr) -> Stmt {
    Stmt::Set { slot, value }
}

fn bin(op: BinOp, a: Box<Expr>, b: Box<Expr>) -> Expr {
    Expr::Binary(op, a, b)
}

pub(super) fn same_bits(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn sets_are_seen_by_later_statements_and_use_the_base() {
    // Instance block at 2..: slot 0 = 3, slot 1 = slot0 * 2 + 1, slot 2 = slot1 (the new one).
    let stmts = vec![
        set(
            1,
            bin(
                BinOp::Add,
                Box::new(bin(BinOp::Mul, local(0), c(2.0))),
                c(1.0),
            ),
        ),
        set(2, Expr::Local(1)),
        set(0, Expr::Neg(local(0))),
    ];
    let (vars, mask) = advance_once(stmts, &[9.0, 9.0, 3.0, 0.0, 0.0, 9.0], &[], 2);
    assert_eq!(vars, vec![9.0, 9.0, -3.0, 7.0, 7.0, 9.0]);
    assert_eq!(mask, 0);
}

#[test]
fn nested_ifs_run_only_when_their_test_is_non_zero() {
    // if s0 { s2 = 1; if s1 { s3 = 1 } }, for several (s0, s1).
    let stmts = vec![Stmt::If {
        test: Expr::Local(0),
        then: vec![
            set(2, Expr::Const(1.0)),
            Stmt::If {
                test: Expr::Local(1),
                then: vec![set(3, Expr::Const(1.0))],
            },
        ],
    }];
    let cases = [
        ((0.0, 1.0), (0.0, 0.0)),
        ((-0.0, 1.0), (0.0, 0.0)),
        ((1.0, 0.0), (1.0, 0.0)),
        ((0.5, -2.0), (1.0, 1.0)),
        ((f64::NAN, f64::NAN), (1.0, 1.0)),
    ];
    for ((a, b), (x, y)) in cases {
        let (vars, _) = advance_once(stmts.clone(), &[a, b, 0.0, 0.0], &[], 0);
        assert_eq!((vars[2], vars[3]), (x, y), "tests ({a}, {b})");
    }
}

#[test]
fn emits_set_bits_of_the_mask_only_where_they_run() {
    let stmts = vec![
        Stmt::Emit { port: 0 },
        Stmt::If {
            test: Expr::Local(0),
            then: vec![Stmt::Emit { port: 5 }, Stmt::Emit { port: 5 }],
        },
        Stmt::Switch {
            slot: 1,
            arms: vec![vec![], vec![Stmt::Emit { port: 63 }]],
        },
    ];
    let (_, mask) = advance_once(stmts.clone(), &[0.0, 0.0], &[], 0);
    assert_eq!(mask, 1);
    let (_, mask) = advance_once(stmts.clone(), &[1.0, 0.0], &[], 0);
    assert_eq!(mask, 1 | 1 << 5);
    let (_, mask) = advance_once(stmts, &[1.0, 1.0], &[], 0);
    assert_eq!(mask, 1 | 1 << 5 | 1 << 63);
}

#[test]
fn switch_runs_the_arm_rust_as_usize_selects_and_none_out_of_range() {
    let stmts = vec![Stmt::Switch {
        slot: 0,
        arms: vec![
            vec![set(1, Expr::Const(10.0))],
            vec![],
            vec![set(1, Expr::Const(30.0)), set(2, Expr::Const(1.0))],
        ],
    }];
    let selectors = [
        0.0,
        1.0,
        2.0,
        2.9,
        3.0,
        0.7,
        -1.0,
        -0.0,
        1e30,
        -1e30,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for x in selectors {
        let expected = match x as usize {
            0 => (10.0, 0.0),
            2 => (30.0, 1.0),
            _ => (0.0, 0.0),
        };
        let (vars, _) = advance_once(stmts.clone(), &[x, 0.0, 0.0], &[], 0);
        assert_eq!((vars[1], vars[2]), expected, "selector {x}");
    }
}

#[test]
fn links_and_reductions_read_other_instances_in_list_order() {
    // vars: own block 0..4, others at 4..; links from link_start = 1:
    //   k0: single value vars[5]; k1: list at 4 (three values); k2: empty list at 8.
    let links = vec![99, 5, 4, 8, 3, 6, 4, 7, 0];
    let initial = vec![0.0, 0.0, 0.0, 0.0, 1e16, 2.5, 1.0, -1e16];
    let stmts = vec![
        set(0, Expr::Link(0)),
        set(1, Expr::Reduce(Reduce::Add, 1)),
        set(2, Expr::Reduce(Reduce::Multiply, 1)),
        set(
            3,
            bin(
                BinOp::Add,
                Box::new(Expr::Reduce(Reduce::Add, 2)),
                Box::new(bin(
                    BinOp::Mul,
                    c(10.0),
                    Box::new(Expr::Reduce(Reduce::Multiply, 2)),
                )),
            ),
        ),
    ];
    let program = program_of(vec![kernel("k", 4, stmts)], initial.clone(), links.clone());
    for code in compile_both(&program) {
        let mut vars = initial.clone();
        let call = Call {
            link_start: 1,
            ..Call::advance(0)
        };
        run_on(&code, call, &mut vars, &links, &mut JavaRandom::new(1));
        assert_eq!(vars[0], 2.5);
        // In order: (0 + 1.0) + 1e16 + -1e16 = 0 (the 1 is lost), not 1.
        assert_eq!(vars[1], ((0.0 + 1.0) + 1e16) + -1e16);
        assert_eq!(vars[1], 0.0);
        assert_eq!(vars[2], 1.0 * 1.0 * 1e16 * -1e16);
        assert_eq!(vars[3], 10.0, "empty lists give 0 and 1");
    }
}

#[test]
fn random_scales_draws_of_the_run_generator_in_evaluation_order() {
    // s0 = random(2) - random(s1); s2 = random(1 + random(1)) (the inner draw comes first).
    let stmts = vec![
        set(
            0,
            bin(
                BinOp::Sub,
                Box::new(Expr::Random(c(2.0))),
                Box::new(Expr::Random(local(1))),
            ),
        ),
        set(
            2,
            Expr::Random(Box::new(bin(
                BinOp::Add,
                c(1.0),
                Box::new(Expr::Random(c(1.0))),
            ))),
        ),
    ];
    let program = program_of(vec![kernel("k", 3, stmts)], vec![0.0, 5.0, 0.0], vec![]);
    for code in compile_both(&program) {
        let mut vars = vec![0.0, 5.0, 0.0];
        let mut rng = JavaRandom::new(123);
        let mut expected_rng = JavaRandom::new(123);
        for _ in 0..3 {
            vars[1] = 5.0;
            run_on(&code, Call::advance(0), &mut vars, &[], &mut rng);
            let a = 2.0 * expected_rng.next_double();
            let b = 5.0 * expected_rng.next_double();
            let scale = 1.0 + expected_rng.next_double();
            let outer = scale * expected_rng.next_double();
            assert_eq!(vars[0].to_bits(), (a - b).to_bits());
            assert_eq!(vars[2].to_bits(), outer.to_bits());
        }
        assert_eq!(
            rng.next_double(),
            expected_rng.next_double(),
            "same number of draws"
        );
    }
}

#[test]
fn time_and_step_are_the_call_arguments() {
    let stmts = vec![set(0, Expr::Time), set(1, Expr::Step)];
    let program = program_of(vec![kernel("k", 2, stmts)], vec![0.0; 2], vec![]);
    for code in compile_both(&program) {
        let mut vars = vec![0.0; 2];
        let call = Call {
            t: 0.123,
            dt: 2.5e-5,
            ..Call::advance(0)
        };
        run_on(&code, call, &mut vars, &[], &mut JavaRandom::new(1));
        assert_eq!(vars, vec![0.123, 2.5e-5]);
    }
}

const SPECIAL: [f64; 16] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.0,
    7.9,
    1e-300,
    -1e300,
    710.0,
    -745.5,
    171.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// Every function and operator of the runtime.
const FUNCS: [Func; 14] = Func::ALL;
const BINOPS: [BinOp; 13] = BinOp::ALL;

// The one definition of the arithmetic the LLVM code must reproduce bit for bit.
use lemsc_runtime::math::{binary as expected_binop, call as expected_func};

/// One kernel setting slot `2 + i` to `exprs[i]` of inputs in slots 0 and 1, run on every
/// pair of special values; returns the mismatches against `expected`.
fn mismatches(exprs: &[Expr], expected: &dyn Fn(usize, f64, f64) -> f64) -> Vec<String> {
    let stmts = (0..exprs.len())
        .map(|i| set(2 + i as u32, exprs[i].clone()))
        .collect();
    let len = 2 + exprs.len();
    let program = program_of(vec![kernel("k", len as u32, stmts)], vec![0.0; len], vec![]);
    let mut found = Vec::new();
    for (code, machine_code) in compile_both(&program).iter().zip(["quick", "optimised"]) {
        for a in SPECIAL {
            for b in SPECIAL {
                let mut vars = vec![0.0; len];
                vars[0] = a;
                vars[1] = b;
                advance_alone(code, &mut vars);
                for (i, e) in exprs.iter().enumerate() {
                    let want = expected(i, a, b);
                    if !same_bits(vars[2 + i], want) {
                        found.push(format!(
                            "{e:?} at ({a:e}, {b:e}), {machine_code}: {:e}, want {want:e}",
                            vars[2 + i]
                        ));
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_function_matches_the_rust_f64_method() {
    let exprs: Vec<Expr> = FUNCS.iter().map(|&f| Expr::Call(f, local(0))).collect();
    let found = mismatches(&exprs, &|i, a, _| expected_func(FUNCS[i], a));
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn heaviside_and_factorial_at_their_edges() {
    let exprs = [
        Expr::Call(Func::H, local(0)),
        Expr::Call(Func::Factorial, local(0)),
    ];
    let cases = [
        (0.0, 0.5, 1.0),
        (-0.0, 0.5, 1.0),
        (1e-320, 1.0, 1.0),
        (-1e-320, 0.0, 1.0),
        (3.0, 1.0, 6.0),
        (3.99, 1.0, 6.0),
        (-3.0, 0.0, 1.0),
        (20.0, 1.0, 2432902008176640000.0),
        (170.0, 1.0, (1..=170).map(f64::from).product()),
        (171.0, 1.0, f64::INFINITY),
        (1e300, 1.0, f64::INFINITY),
    ];
    let stmts = vec![set(1, exprs[0].clone()), set(2, exprs[1].clone())];
    let program = program_of(vec![kernel("k", 3, stmts)], vec![0.0; 3], vec![]);
    for code in compile_both(&program) {
        for (x, h, fact) in cases {
            let mut vars = vec![x, 0.0, 0.0];
            advance_alone(&code, &mut vars);
            assert_eq!(vars[1].to_bits(), f64::to_bits(h), "H({x:e})");
            assert_eq!(vars[2].to_bits(), f64::to_bits(fact), "factorial({x:e})");
        }
        let mut vars = vec![f64::NAN, 0.0, 0.0];
        advance_alone(&code, &mut vars);
        assert!(vars[1].is_nan(), "H(NaN) is NaN");
        assert_eq!(vars[2], 1.0, "factorial(NaN) is the empty product");
    }
}

#[test]
fn every_operator_matches_rust_arithmetic_including_nan_and_signed_zero() {
    let mut exprs: Vec<Expr> = BINOPS
        .iter()
        .map(|&op| bin(op, local(0), local(1)))
        .collect();
    exprs.push(Expr::Neg(local(0)));
    exprs.push(Expr::Not(local(0)));
    // A constant exponent LLVM may rewrite (pow(x, 2) into x*x) must still equal powf.
    exprs.push(bin(BinOp::Pow, local(0), c(2.0)));
    exprs.push(bin(BinOp::Pow, local(0), c(0.5)));
    let found = mismatches(&exprs, &|i, a, b| match i {
        i if i < BINOPS.len() => expected_binop(BINOPS[i], a, b),
        13 => -a,
        14 => f64::from(u8::from(a == 0.0)),
        15 => a.powf(black_box(2.0)),
        _ => a.powf(black_box(0.5)),
    });
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn powers_with_constant_operands_stay_libm_pow() {
    // LLVM would rewrite these to x*x, 1/x and exp2(x) were pow a builtin to it. Squares of
    // 27-bit odd integers are exact halfway cases, where x*x and pow round differently.
    let exprs = [
        bin(BinOp::Pow, local(0), c(2.0)),
        bin(BinOp::Pow, local(0), c(-1.0)),
        bin(BinOp::Pow, c(2.0), local(0)),
        bin(BinOp::Pow, c(10.0), local(0)),
    ];
    let stmts = (0..4)
        .map(|i| set(1 + i, exprs[i as usize].clone()))
        .collect();
    let program = program_of(vec![kernel("k", 5, stmts)], vec![0.0; 5], vec![]);
    let xs = (0..200u32).map(|i| f64::from((1 << 27) - 1 - 2 * i));
    let fractions = (0..200u32).map(|i| f64::from(i) * 0.0123 - 1.1);
    let mut differences = 0;
    for code in compile_both(&program) {
        for x in xs.clone().chain(fractions.clone()) {
            let mut vars = vec![x, 0.0, 0.0, 0.0, 0.0];
            advance_alone(&code, &mut vars);
            let x = black_box(x);
            let want = [
                x.powf(black_box(2.0)),
                x.powf(black_box(-1.0)),
                black_box(2.0f64).powf(x),
                black_box(10.0f64).powf(x),
            ];
            for (i, want) in want.into_iter().enumerate() {
                assert_eq!(
                    vars[1 + i].to_bits(),
                    want.to_bits(),
                    "{:?} at {x:e}",
                    exprs[i]
                );
            }
            differences += usize::from((x * x).to_bits() != want_square(x).to_bits());
        }
    }
    assert!(
        differences > 0,
        "the inputs include cases where x*x is not pow(x, 2)"
    );
}

fn want_square(x: f64) -> f64 {
    black_box(x).powf(black_box(2.0))
}

#[test]
fn entries_dispatch_per_kernel_and_empty_ones_return_zero_untouched() {
    let first = Kernel {
        name: "first".into(),
        block_len: 1,
        init: vec![set(0, Expr::Const(1.0))],
        on_event: vec![vec![set(0, Expr::Const(10.0))], vec![]],
        ..Kernel::default()
    };
    let second = Kernel {
        name: "second".into(),
        block_len: 1,
        init_derived: vec![set(0, Expr::Const(2.0))],
        advance: vec![set(0, Expr::Const(3.0)), Stmt::Emit { port: 1 }],
        on_event: vec![
            vec![],
            vec![],
            vec![set(0, Expr::Const(40.0)), Stmt::Emit { port: 0 }],
        ],
        ..Kernel::default()
    };
    let program = program_of(vec![first, second], vec![0.0], vec![]);
    for code in compile_both(&program) {
        assert_eq!(code.function_count(), 5);
        let cases = [
            (0, Entry::Init, 1.0, 0),
            (0, Entry::InitDerived, -7.0, 0),
            (0, Entry::Advance, -7.0, 0),
            (0, Entry::OnEvent(0), 10.0, 0),
            (0, Entry::OnEvent(1), -7.0, 0),
            (1, Entry::Init, -7.0, 0),
            (1, Entry::InitDerived, 2.0, 0),
            (1, Entry::Advance, 3.0, 2),
            (1, Entry::OnEvent(0), -7.0, 0),
            (1, Entry::OnEvent(2), 40.0, 1),
        ];
        for (kernel, entry, value, mask) in cases {
            let mut vars = vec![-7.0];
            let call = Call {
                kernel,
                entry,
                ..Call::advance(0)
            };
            let fired = run_on(&code, call, &mut vars, &[], &mut JavaRandom::new(1));
            assert_eq!((vars[0], fired), (value, mask), "kernel {kernel} {entry:?}");
        }
    }
}

#[test]
#[should_panic(expected = "has no entry")]
fn an_in_port_beyond_the_kernel_is_refused_not_run_as_the_next_kernel() {
    let first = Kernel {
        on_event: vec![vec![set(0, Expr::Const(1.0))]],
        ..kernel("first", 1, vec![])
    };
    let second = kernel("second", 1, vec![set(0, Expr::Const(2.0))]);
    for code in compile_both(&program_of(vec![first, second], vec![0.0], vec![])) {
        let call = Call {
            entry: Entry::OnEvent(1),
            ..Call::advance(0)
        };
        run_on(&code, call, &mut [0.0], &[], &mut JavaRandom::new(1));
    }
}

#[test]
fn an_out_port_beyond_the_mask_is_a_diagnostic() {
    let stmts = vec![Stmt::If {
        test: Expr::Const(1.0),
        then: vec![Stmt::Emit { port: 64 }],
    }];
    let program = program_of(vec![kernel("cell0 (iafCell)", 1, stmts)], vec![0.0], vec![]);
    let Err(d) = compile_program(&program) else {
        panic!("port 64 must be refused");
    };
    assert!(d.message.contains("cell0 (iafCell)"), "{}", d.message);
    assert!(d.message.contains("out-port 64"), "{}", d.message);
}

#[test]
fn programs_can_be_compiled_and_dropped_repeatedly() {
    for i in 0..20 {
        let stmts = vec![set(0, bin(BinOp::Add, local(0), c(f64::from(i))))];
        for code in compile_both(&program_of(vec![kernel("k", 1, stmts)], vec![0.0], vec![])) {
            let mut vars = vec![1.0];
            advance_alone(&code, &mut vars);
            assert_eq!(vars[0], 1.0 + f64::from(i));
        }
    }
}

mod batch;
mod fuzzed;
mod lanes;
mod random;
mod run;
mod size;
