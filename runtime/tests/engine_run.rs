//! The run loop on hand-built programs: Euler steps with accumulated time, random draws,
//! output files, progress, and the errors that stop a run.

mod common;

use common::exprs::{c, local};
use common::program::{instance, set};
use common::scratch::Scratch;
use std::path::Path;

use lemsc_runtime::engine::{run, Interpreter, RunError, RunOptions, RunReport};
use lemsc_runtime::javafmt::float_to_string;
use lemsc_runtime::javarand::JavaRandom;
use lemsc_runtime::program::{
    BinOp, Connection, EventFormat, EventOutputSpec, EventSelectionSpec, Expr, InstanceRec, Kernel,
    Op, OutputSpec, Program, Stmt,
};

/// A fresh, empty folder for one test, removed when dropped.

fn b(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn bin(op: BinOp, l: Box<Expr>, r: Box<Expr>) -> Box<Expr> {
    b(Expr::Binary(op, l, r))
}

fn program(kernels: Vec<Kernel>, instances: Vec<InstanceRec>, initial: Vec<f64>) -> Program {
    Program {
        dt: 1e-4,
        steps: 10,
        seed: 1234,
        kernels,
        instances,
        initial,
        ..Program::default()
    }
}

fn interpret(p: &Program) -> Result<RunReport, RunError> {
    run(p, &Interpreter::new(&p.kernels), RunOptions::default())
}

/// `v' = (vinf - v) / tau` by forward Euler; slot 3 keeps the step's `t`.
fn leaky_kernel() -> Kernel {
    Kernel {
        name: "leak (leakyIntegrator)".to_string(),
        block_len: 4,
        slot_names: vec!["v".into(), "tau".into(), "vinf".into(), "t_seen".into()],
        state_slots: vec![0],
        advance: vec![
            // v = v + dt * ((vinf - v) / tau)
            set(
                0,
                *bin(
                    BinOp::Add,
                    local(0),
                    bin(
                        BinOp::Mul,
                        b(Expr::Step),
                        bin(BinOp::Div, bin(BinOp::Sub, local(2), local(0)), local(1)),
                    ),
                ),
            ),
            set(3, *b(Expr::Time)),
        ],
        ..Kernel::default()
    }
}

fn leaky_program(dir: &Scratch) -> Program {
    let mut p = program(
        vec![leaky_kernel()],
        vec![instance(0, 0, "leak")],
        vec![-0.07, 0.02, -0.05, f64::NAN],
    );
    p.steps = 1000;
    p.step_order = vec![Op::Advance { inst: 0 }];
    p.outputs = vec![OutputSpec {
        id: "trace".into(),
        path: dir.path("leak.dat"),
        columns: vec![0, 3],
    }];
    p
}

#[test]
fn euler_steps_match_hand_computed_values_bit_for_bit() {
    let dir = Scratch::new("euler");
    let p = leaky_program(&dir);
    let report = interpret(&p).expect("the run succeeds");

    let (dt, tau, vinf) = (1e-4, 0.02, -0.05);
    let mut v: f64 = -0.07;
    let mut t = 0.0;
    let mut rows = vec![(t, v)];
    for _ in 0..1000 {
        t += dt;
        v += dt * ((vinf - v) / tau);
        rows.push((t, v));
    }
    assert_eq!(report.final_vars[0].to_bits(), v.to_bits());
    // The time a step sees is accumulated, which is not 1000 * dt.
    assert_eq!(report.final_vars[3].to_bits(), t.to_bits());
    assert_ne!(
        t,
        1000.0 * dt,
        "the test needs an accumulated t that differs"
    );
    assert_eq!(report.steps, 1000);
    assert_eq!(report.files, vec![dir.path("leak.dat")]);

    let text = std::fs::read_to_string(dir.path("leak.dat")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1001, "one row per step plus the initial one");
    // Row 0 is the state before any step: t_seen is still its initial NaN.
    assert_eq!(lines[0], "0.0\t-0.07\tNaN\t");
    for (line, &(t, v)) in lines.iter().zip(&rows).skip(1) {
        let expected = format!(
            "{}\t{}\t{}\t",
            float_to_string(t as f32),
            float_to_string(v as f32),
            float_to_string(t as f32)
        );
        assert_eq!(*line, expected);
    }
    assert!(text.ends_with("\t\n"));
    assert_eq!(dir.entries(), vec!["leak.dat"], "no temporary file is left");
}

#[test]
fn init_runs_both_passes_in_order_at_time_zero() {
    let k = Kernel {
        name: "k".into(),
        block_len: 3,
        init: vec![
            set(0, *bin(BinOp::Add, local(0), c(1.0))),
            set(2, *b(Expr::Time)),
        ],
        init_derived: vec![set(1, *bin(BinOp::Mul, local(0), c(10.0)))],
        ..Kernel::default()
    };
    let mut p = program(vec![k], vec![instance(0, 0, "a")], vec![0.0, 0.0, -1.0]);
    p.steps = 0;
    p.init_order = vec![
        Op::Init {
            inst: 0,
            with_derived: false,
        },
        Op::Init {
            inst: 0,
            with_derived: true,
        },
        Op::Init {
            inst: 0,
            with_derived: false,
        },
    ];
    let report = interpret(&p).unwrap();
    assert_eq!(report.final_vars, vec![2.0, 10.0, 0.0]);
    assert_eq!(report.steps, 0);
}

#[test]
fn random_draws_come_in_order_from_the_seeded_generator() {
    // Each instance draws once in init, then twice per step (scales 1 and 2).
    let k = Kernel {
        name: "noisy".into(),
        block_len: 3,
        init: vec![set(2, *b(Expr::Random(c(1.0))))],
        advance: vec![
            set(0, *b(Expr::Random(c(1.0)))),
            set(1, *b(Expr::Random(c(2.0)))),
        ],
        ..Kernel::default()
    };
    let mut p = program(
        vec![k],
        vec![instance(0, 0, "a"), instance(0, 3, "b")],
        vec![0.0; 6],
    );
    p.seed = 123;
    p.steps = 5;
    p.init_order = (0..2)
        .map(|inst| Op::Init {
            inst,
            with_derived: false,
        })
        .collect();
    p.step_order = vec![Op::Advance { inst: 0 }, Op::Advance { inst: 1 }];
    let report = interpret(&p).unwrap();

    let mut rng = JavaRandom::new(123);
    let init_a = rng.next_double();
    let init_b = rng.next_double();
    let mut last = [0.0; 4];
    for _ in 0..5 {
        last = [
            rng.next_double(),
            2.0 * rng.next_double(),
            rng.next_double(),
            2.0 * rng.next_double(),
        ];
    }
    let expected = [last[0], last[1], init_a, last[2], last[3], init_b];
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&report.final_vars), bits(&expected));
}

#[test]
fn a_non_finite_state_stops_the_run_naming_variable_instance_and_time() {
    let dir = Scratch::new("nan");
    // v falls by 0.5 a step; w = sqrt(v) turns NaN at step 3, when v = -0.3.
    let k = Kernel {
        name: "falling".into(),
        block_len: 2,
        slot_names: vec!["v".into(), "w".into()],
        state_slots: vec![0, 1],
        advance: vec![
            set(0, *bin(BinOp::Sub, local(0), c(0.5))),
            set(1, Expr::Call(lemsc_runtime::program::Func::Sqrt, local(0))),
        ],
        ..Kernel::default()
    };
    let mut p = program(vec![k], vec![instance(0, 0, "net/pop[0]")], vec![1.2, 0.0]);
    p.dt = 0.1;
    p.step_order = vec![Op::Advance { inst: 0 }];
    p.outputs = vec![OutputSpec {
        id: "out".into(),
        path: dir.path("v.dat"),
        columns: vec![0],
    }];
    p.event_outputs = vec![EventOutputSpec {
        id: "spikes".into(),
        path: dir.path("s.spikes"),
        format: EventFormat::TimeId,
        selections: Vec::new(),
    }];
    let err = interpret(&p).expect_err("the run diverges");
    let t3: f64 = 0.1 + 0.1 + 0.1;
    match &err {
        RunError::NonFinite {
            variable,
            instance,
            t,
            ..
        } => {
            assert_eq!((variable.as_str(), instance.as_str()), ("w", "net/pop[0]"));
            assert_eq!(t.to_bits(), t3.to_bits());
        }
        other => panic!("expected NonFinite, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        "'w' of net/pop[0] became NaN or infinite at t = 0.30000000000000004 s \
         (the model diverged; a smaller time step may help)"
    );
    assert!(
        dir.entries().is_empty(),
        "a failed run leaves no file: {:?}",
        dir.entries()
    );
}

#[test]
fn a_missing_output_folder_fails_before_anything_runs() {
    let dir = Scratch::new("missing");
    let mut p = leaky_program(&dir);
    p.outputs[0].path = dir.path("results/leak.dat");
    let mut calls = 0;
    let mut progress = |_: u64, _: u64| calls += 1;
    let err = run(
        &p,
        &Interpreter::new(&p.kernels),
        RunOptions {
            progress: Some(&mut progress),
            ..RunOptions::default()
        },
    )
    .expect_err("no results folder");
    assert!(matches!(err, RunError::Output(_)), "{err:?}");
    assert!(err.to_string().contains("results"), "{err}");
    assert_eq!(calls, 0, "no step ran");
    assert!(dir.entries().is_empty());
}

#[test]
fn an_invalid_program_is_refused() {
    let dir = Scratch::new("invalid");
    let mut p = leaky_program(&dir);
    p.step_order.push(Op::Advance { inst: 4 });
    let err = interpret(&p).expect_err("instance 4 does not exist");
    assert!(matches!(err, RunError::Invalid(_)));
    assert_eq!(
        err.to_string(),
        "invalid program: step_order[1]: instance 4 does not exist (there are 1)"
    );
    assert!(dir.entries().is_empty());
}

#[test]
fn progress_is_reported_up_to_the_last_step() {
    let dir = Scratch::new("progress");
    let mut p = leaky_program(&dir);
    p.steps = 2500;
    let mut seen = Vec::new();
    let mut progress = |step: u64, steps: u64| seen.push((step, steps));
    run(
        &p,
        &Interpreter::new(&p.kernels),
        RunOptions {
            progress: Some(&mut progress),
            ..RunOptions::default()
        },
    )
    .unwrap();
    assert_eq!(seen.first(), Some(&(0, 2500)));
    assert_eq!(seen.last(), Some(&(2500, 2500)));
    assert!(
        seen.len() > 10 && seen.len() <= 1002,
        "{} reports",
        seen.len()
    );
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
}

#[test]
fn zero_delay_events_that_trigger_each_other_forever_are_an_error() {
    // Two instances whose handlers fire back at each other without delay.
    let k = Kernel {
        name: "echo".into(),
        block_len: 1,
        out_ports: vec!["out".into()],
        in_ports: vec!["in".into()],
        init: vec![Stmt::Emit { port: 0 }],
        on_event: vec![vec![Stmt::Emit { port: 0 }]],
        ..Kernel::default()
    };
    let mut p = program(
        vec![k],
        vec![instance(0, 0, "a"), instance(0, 1, "b")],
        vec![0.0; 2],
    );
    p.init_order = vec![Op::Init {
        inst: 0,
        with_derived: false,
    }];
    let conn = |source, target| Connection {
        source,
        out_port: 0,
        target,
        in_port: 0,
        delay: 0.0,
    };
    p.connections = vec![conn(0, 1), conn(1, 0)];
    let err = interpret(&p).expect_err("an endless cascade");
    assert!(matches!(err, RunError::EventLoop { .. }), "{err:?}");
    assert!(err.to_string().contains("form a loop"), "{err}");
}

#[test]
fn output_files_hold_steps_plus_one_rows_and_the_recorded_events() {
    let dir = Scratch::new("files");
    // A counter that fires on every third step; the event file records it by id "7".
    let k = Kernel {
        name: "clock".into(),
        block_len: 1,
        out_ports: vec!["tick".into()],
        advance: vec![
            set(0, *bin(BinOp::Add, local(0), c(1.0))),
            Stmt::If {
                test: *bin(
                    BinOp::Eq,
                    b(Expr::Call(
                        lemsc_runtime::program::Func::Floor,
                        bin(BinOp::Div, local(0), c(3.0)),
                    )),
                    bin(BinOp::Div, local(0), c(3.0)),
                ),
                then: vec![Stmt::Emit { port: 0 }],
            },
        ],
        ..Kernel::default()
    };
    let mut p = program(vec![k], vec![instance(0, 0, "clock")], vec![0.0]);
    p.dt = 0.001;
    p.steps = 7;
    p.step_order = vec![Op::Advance { inst: 0 }];
    p.outputs = vec![OutputSpec {
        id: "count".into(),
        path: dir.path("count.dat"),
        columns: vec![0],
    }];
    let selection = |id: &str| EventSelectionSpec {
        inst: 0,
        out_port: 0,
        id: id.to_string(),
    };
    p.event_outputs = vec![
        EventOutputSpec {
            id: "ticks".into(),
            path: dir.path("ticks.spikes"),
            format: EventFormat::TimeId,
            selections: vec![selection("7")],
        },
        EventOutputSpec {
            id: "ticks2".into(),
            path: dir.path("ticks2.spikes"),
            format: EventFormat::IdTime,
            selections: vec![selection("a"), selection("b")],
        },
    ];
    let report = interpret(&p).unwrap();
    assert_eq!(
        report.files,
        vec![
            dir.path("count.dat"),
            dir.path("ticks.spikes"),
            dir.path("ticks2.spikes")
        ]
    );
    let read = |name: &str| std::fs::read_to_string(dir.path(name)).unwrap();
    assert_eq!(
        read("count.dat"),
        "0.0\t0.0\t\n0.001\t1.0\t\n0.002\t2.0\t\n0.003\t3.0\t\n0.004\t4.0\t\n\
         0.005\t5.0\t\n0.006\t6.0\t\n0.007\t7.0\t\n"
    );
    assert_eq!(read("ticks.spikes"), "0.003\t7\n0.006\t7\n");
    assert_eq!(
        read("ticks2.spikes"),
        "a\t0.003\nb\t0.003\na\t0.006\nb\t0.006\n"
    );
    assert_eq!(report.events_delivered, 0, "recording is not delivery");
    assert!(Path::new(&dir.path("count.dat")).exists());
    assert_eq!(
        dir.entries(),
        vec!["count.dat", "ticks.spikes", "ticks2.spikes"]
    );
}

#[test]
fn expressions_nested_up_to_the_validation_limit_run_on_a_small_stack() {
    // 1000 levels: 1 + (1 + (1 + ... t)). Run on a thread with a 1 MiB stack, well below
    // the 2 MiB of a test thread or the 8 MiB of a main thread.
    let mut deep = Expr::Time;
    for _ in 0..1000 {
        deep = Expr::Binary(BinOp::Add, c(1.0), b(deep));
    }
    let k = Kernel {
        name: "deep".into(),
        block_len: 1,
        advance: vec![set(0, deep)],
        ..Kernel::default()
    };
    let mut p = program(vec![k], vec![instance(0, 0, "deep")], vec![0.0]);
    p.dt = 0.5;
    p.steps = 2;
    p.step_order = vec![Op::Advance { inst: 0 }];
    let vars = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || interpret(&p).map(|r| r.final_vars))
        .unwrap()
        .join()
        .expect("no stack overflow")
        .expect("the run succeeds");
    assert_eq!(vars, vec![1001.0]);
}
