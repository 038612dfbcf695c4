//! Compile time of a program the size of a small network: it is paid by every native run.

use std::time::Duration;

use lemsc_runtime::engine::Entry;
use lemsc_runtime::javarand::JavaRandom;
use lemsc_runtime::program::{BinOp, Expr, Func, Kernel, Op, Program, Reduce, Stmt};

use super::{program_of, run_on, set, Call};
use crate::back::native::kernel::{
    compile_program_with, machine_code_for, MachineCode, NativeKernels,
};
use crate::cputime::cpu_timed;

fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn bin(op: BinOp, a: Expr, c: Expr) -> Expr {
    Expr::Binary(op, b(a), b(c))
}

fn call(f: Func, x: Expr) -> Expr {
    Expr::Call(f, b(x))
}

/// An HH-style gate: slot 0 is the copied `v`, 1 the state `q`, then rates and derived
/// values. The constants vary with `n` so no two kernels are the same code.
fn gate(n: u32) -> Kernel {
    let k = f64::from(n);
    let v = || Expr::Local(0);
    let q = || Expr::Local(1);
    let rate = |slot: u32, scale: f64, mid: f64| Stmt::Set {
        slot,
        value: bin(
            BinOp::Mul,
            Expr::Const(scale * 1e3),
            call(
                Func::Exp,
                bin(
                    BinOp::Div,
                    bin(BinOp::Sub, v(), Expr::Const(mid)),
                    Expr::Const(0.01 + k * 1e-4),
                ),
            ),
        ),
    };
    let rate_sum = || bin(BinOp::Add, Expr::Local(2), Expr::Local(3));
    let advance = vec![
        set(0, Expr::Link(0)),
        rate(2, 0.1, -0.04 - k * 1e-4),
        rate(3, 4.0, -0.065),
        // The steady state alpha / (alpha + beta) and the time constant 1 / (alpha + beta).
        set(4, bin(BinOp::Div, Expr::Local(2), rate_sum())),
        set(5, bin(BinOp::Div, Expr::Const(1.0), rate_sum())),
        set(6, bin(BinOp::Pow, q(), Expr::Const(3.0 + (k % 2.0)))),
        Stmt::Set {
            slot: 1,
            value: bin(
                BinOp::Add,
                q(),
                bin(
                    BinOp::Mul,
                    Expr::Step,
                    bin(
                        BinOp::Div,
                        bin(BinOp::Sub, Expr::Local(4), q()),
                        Expr::Local(5),
                    ),
                ),
            ),
        },
    ];
    let init = vec![Stmt::Set {
        slot: 1,
        value: Expr::Local(4),
    }];
    Kernel {
        name: format!("gate{n}"),
        block_len: 7,
        link_count: 1,
        init: init.clone(),
        init_derived: init,
        advance,
        ..Kernel::default()
    }
}

/// An integrate-and-fire cell with a regime switch, a synaptic current sum and a spike.
fn cell(n: u32) -> Kernel {
    let k = f64::from(n);
    let v = || Expr::Local(0);
    let set = |slot, value| Stmt::Set { slot, value };
    let integrating = vec![
        set(2, Expr::Reduce(Reduce::Add, 0)),
        set(
            0,
            bin(
                BinOp::Add,
                v(),
                bin(
                    BinOp::Mul,
                    Expr::Step,
                    bin(
                        BinOp::Div,
                        bin(
                            BinOp::Add,
                            bin(BinOp::Sub, Expr::Const(-0.07), v()),
                            bin(BinOp::Mul, Expr::Local(2), Expr::Const(1e8)),
                        ),
                        Expr::Const(0.02 + k * 1e-4),
                    ),
                ),
            ),
        ),
        Stmt::If {
            test: bin(BinOp::Gt, v(), Expr::Const(-0.05)),
            then: vec![
                set(0, Expr::Const(-0.07)),
                set(1, Expr::Const(1.0)),
                set(3, Expr::Time),
                Stmt::Emit { port: 0 },
            ],
        },
    ];
    let refractory = vec![Stmt::If {
        test: bin(
            BinOp::Gt,
            Expr::Time,
            bin(BinOp::Add, Expr::Local(3), Expr::Const(0.002)),
        ),
        then: vec![set(1, Expr::Const(0.0))],
    }];
    Kernel {
        name: format!("cell{n}"),
        block_len: 4,
        link_count: 1,
        out_ports: vec!["spike".into()],
        in_ports: vec!["in".into()],
        init: vec![set(0, Expr::Const(-0.07))],
        advance: vec![Stmt::Switch {
            slot: 1,
            arms: vec![integrating, refractory],
        }],
        on_event: vec![vec![set(
            0,
            bin(BinOp::Add, v(), Expr::Random(b(Expr::Const(1e-3)))),
        )]],
        ..Kernel::default()
    }
}

fn forty_kernels() -> Program {
    let kernels: Vec<Kernel> = (0..40)
        .map(|n| if n % 4 == 0 { cell(n) } else { gate(n) })
        .collect();
    program_of(kernels, vec![0.0; 16], vec![])
}

/// Compiles the forty kernels with `machine_code` and prints how long it took (run with
/// `--nocapture` to see it).
fn compile_timed(machine_code: MachineCode) -> (NativeKernels, Duration) {
    let (code, cpu) = cpu_timed(|| compile_program_with(&forty_kernels(), machine_code));
    let code = code.expect("compiles");
    println!(
        "40 kernels, {} functions, {machine_code:?} machine code: {cpu:?} of CPU",
        code.function_count()
    );
    (code, cpu)
}

#[test]
fn forty_kernels_compile_quickly() {
    let (code, wall) = compile_timed(MachineCode::Quick);
    // The goal is well under 200 ms; the bound leaves room for a loaded test machine.
    assert!(wall.as_millis() < 1000, "compiling took {wall:?}");

    // A gate instance at 8.. reading v from vars[0] through its one link entry.
    let links = [0];
    let mut vars = vec![0.0; 16];
    vars[0] = -0.065;
    let mut rng = JavaRandom::new(1);
    let at = |entry| Call {
        kernel: 1,
        entry,
        ..Call::advance(8)
    };
    run_on(&code, at(Entry::Advance), &mut vars, &links, &mut rng);
    let q_inf = vars[8 + 4];
    run_on(&code, at(Entry::Init), &mut vars, &links, &mut rng);
    assert_eq!(vars[8 + 1], q_inf);
    assert!(q_inf > 0.0 && q_inf < 1.0, "steady state {q_inf}");
}

#[test]
fn optimised_machine_code_of_forty_kernels_compiles_in_reasonable_time() {
    let (_, wall) = compile_timed(MachineCode::Optimised);
    assert!(wall.as_millis() < 2000, "compiling took {wall:?}");
}

#[test]
fn long_runs_of_many_instances_get_optimised_machine_code() {
    let mut program = forty_kernels();
    program.step_order = vec![Op::Advance { inst: 0 }; 500];
    program.steps = 1000;
    assert_eq!(machine_code_for(&program), MachineCode::Quick);
    program.steps = 30_000;
    assert_eq!(machine_code_for(&program), MachineCode::Optimised);
}
