//! A whole run through the runtime's loop (initialisation, steps, immediate and delayed
//! events, random draws, output files) writes the same bytes with compiled kernels as with
//! the reference interpreter.

use std::path::{Path, PathBuf};

use lemsc_runtime::engine::{run, Interpreter, KernelCode, RunOptions};
use lemsc_runtime::program::{
    BinOp, Connection, EventFormat, EventOutputSpec, EventSelectionSpec, Expr, Func, InstanceRec,
    Kernel, Op, OutputSpec, Program, Reduce, Stmt,
};

use crate::back::native::kernel::{compile_program_with, MachineCode};

fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}

pub(super) fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    Expr::Binary(op, b(l), b(r))
}

pub(super) fn set(slot: u32, value: Expr) -> Stmt {
    Stmt::Set { slot, value }
}

/// Integrate-and-fire: `v` (slot 0) driven by the sum of its attachments' currents (slot 1,
/// from list link 0); a spike resets `v` and fires out-port 0.
pub(super) fn iaf_cell() -> Kernel {
    let v = || Expr::Local(0);
    let leak = bin(
        BinOp::Div,
        bin(BinOp::Sub, Expr::Const(-0.07), v()),
        Expr::Const(0.02),
    );
    let drive = bin(BinOp::Mul, Expr::Local(1), Expr::Const(1e10));
    Kernel {
        name: "cell (iaf)".into(),
        block_len: 2,
        link_count: 1,
        slot_names: vec!["v".into(), "iSyn".into()],
        state_slots: vec![0],
        out_ports: vec!["spike".into()],
        init: vec![set(0, Expr::Const(-0.07))],
        init_derived: vec![set(1, Expr::Reduce(Reduce::Add, 0))],
        advance: vec![
            set(1, Expr::Reduce(Reduce::Add, 0)),
            set(
                0,
                bin(
                    BinOp::Add,
                    v(),
                    bin(BinOp::Mul, Expr::Step, bin(BinOp::Add, leak, drive)),
                ),
            ),
            Stmt::If {
                test: bin(BinOp::Gt, v(), Expr::Const(-0.05)),
                then: vec![set(0, Expr::Const(-0.07)), Stmt::Emit { port: 0 }],
            },
        ],
        ..Kernel::default()
    }
}

/// An exponential synapse: conductance `g` (slot 0) jumps by a randomly scaled weight on
/// each event; current `i` (slot 1) from the post cell's `v` (single link 0).
pub(super) fn exp_synapse() -> Kernel {
    let g = || Expr::Local(0);
    Kernel {
        name: "syn (expSynapse)".into(),
        block_len: 2,
        link_count: 1,
        slot_names: vec!["g".into(), "i".into()],
        state_slots: vec![0],
        in_ports: vec!["in".into()],
        advance: vec![
            set(
                1,
                bin(
                    BinOp::Mul,
                    g(),
                    bin(BinOp::Sub, Expr::Const(0.0), Expr::Link(0)),
                ),
            ),
            set(
                0,
                bin(
                    BinOp::Add,
                    g(),
                    bin(
                        BinOp::Mul,
                        Expr::Step,
                        bin(BinOp::Div, Expr::Neg(b(g())), Expr::Const(0.005)),
                    ),
                ),
            ),
        ],
        on_event: vec![vec![set(
            0,
            bin(
                BinOp::Add,
                g(),
                bin(
                    BinOp::Mul,
                    Expr::Const(6e-9),
                    Expr::Random(b(Expr::Const(2.0))),
                ),
            ),
        )]],
        ..Kernel::default()
    }
}

/// A current pulse between 10 ms and 150 ms, shaped by a regime switch on slot 1.
pub(super) fn pulse() -> Kernel {
    let on = bin(
        BinOp::And,
        bin(BinOp::Ge, Expr::Time, Expr::Const(0.01)),
        bin(BinOp::Lt, Expr::Time, Expr::Const(0.15)),
    );
    Kernel {
        name: "pulse (pulseGenerator)".into(),
        block_len: 2,
        slot_names: vec!["i".into(), "regime".into()],
        advance: vec![
            set(1, on),
            Stmt::Switch {
                slot: 1,
                arms: vec![
                    vec![set(0, Expr::Const(0.0))],
                    vec![set(
                        0,
                        bin(
                            BinOp::Mul,
                            Expr::Const(3e-10),
                            Expr::Call(Func::Exp, b(Expr::Neg(b(Expr::Time)))),
                        ),
                    )],
                ],
            },
        ],
        ..Kernel::default()
    }
}

/// Two cells; cell 0 gets the pulse and a synapse from cell 1 (no delay), cell 1 a synapse
/// from cell 0 (2 ms delay). Files go to `dir`.
fn network(dir: &Path) -> Program {
    // vars: cell0 0..2, cell1 2..4, pulse 4..6, syn0 (on cell0) 6..8, syn1 (on cell1) 8..10.
    let instance = |kernel, base, links, path: &str| InstanceRec {
        kernel,
        base,
        links,
        path: path.into(),
    };
    let instances = vec![
        instance(0, 0, 0, "pop[0]"),
        instance(0, 2, 1, "pop[1]"),
        instance(2, 4, 2, "pop[0]/pulse"),
        instance(1, 6, 2, "pop[0]/syn0"),
        instance(1, 8, 3, "pop[1]/syn1"),
    ];
    // Link entries: cell0 -> list at 4, cell1 -> list at 7; syn0 reads v of cell0 (0),
    // syn1 v of cell1 (2). Lists: [pulse.i, syn0.i] and [syn1.i].
    let links = vec![4, 7, 0, 2, 2, 4, 7, 1, 9];
    let advance = |inst| Op::Advance { inst };
    let init = |inst, with_derived| Op::Init { inst, with_derived };
    let order = [2, 3, 0, 4, 1];
    Program {
        dt: 5e-5,
        steps: 4000,
        seed: 123,
        kernels: vec![iaf_cell(), exp_synapse(), pulse()],
        instances,
        initial: vec![0.0; 10],
        links,
        init_order: order
            .iter()
            .map(|&i| init(i, false))
            .chain(order.iter().map(|&i| init(i, true)))
            .collect(),
        step_order: order.iter().map(|&i| advance(i)).collect(),
        connections: vec![
            Connection {
                source: 0,
                out_port: 0,
                target: 4,
                in_port: 0,
                delay: 0.002,
            },
            Connection {
                source: 1,
                out_port: 0,
                target: 3,
                in_port: 0,
                delay: 0.0,
            },
        ],
        outputs: vec![OutputSpec {
            id: "v".into(),
            path: dir.join("v.dat"),
            columns: vec![0, 2, 6, 8],
        }],
        event_outputs: vec![EventOutputSpec {
            id: "spikes".into(),
            path: dir.join("spikes.txt"),
            format: EventFormat::TimeId,
            selections: (0..2)
                .map(|inst| EventSelectionSpec {
                    inst,
                    out_port: 0,
                    id: inst.to_string(),
                })
                .collect(),
        }],
    }
}

fn run_into(dir: &Path, code_for: &dyn Fn(&Program) -> Box<dyn KernelCode + '_>) -> Vec<String> {
    std::fs::create_dir_all(dir).expect("temp folder");
    let program = network(dir);
    let code = code_for(&program);
    run(&program, code.as_ref(), RunOptions::default())
        .unwrap_or_else(|e| panic!("the run finishes: {e}"));
    ["v.dat", "spikes.txt"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).expect("output written"))
        .collect()
}

fn temp_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("lemsc-native-run-{}-{name}", std::process::id()))
}

#[test]
fn a_network_run_writes_the_interpreter_files_byte_for_byte() {
    let interpreted = run_into(&temp_dir("interp"), &|p| {
        Box::new(Interpreter::new(&p.kernels))
    });
    let spikes = interpreted[1].lines().count();
    assert!(
        spikes >= 4,
        "the run should spike a few times, got {spikes}"
    );
    assert!(
        interpreted[1].lines().any(|l| l.ends_with("\t1")),
        "cell 1 fires, driven through the delayed synapse"
    );
    for machine_code in [MachineCode::Quick, MachineCode::Optimised] {
        let dir = temp_dir(&format!("{machine_code:?}"));
        let native = run_into(&dir, &|p| {
            Box::new(compile_program_with(p, machine_code).expect("compiles"))
        });
        assert!(
            native[0] == interpreted[0],
            "v.dat differs ({machine_code:?})"
        );
        assert_eq!(
            native[1], interpreted[1],
            "spikes differ ({machine_code:?})"
        );
        std::fs::remove_dir_all(dir).ok();
    }
    std::fs::remove_dir_all(temp_dir("interp")).ok();
}
