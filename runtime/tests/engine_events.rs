//! Event delivery as jLEMS does it: zero-delay events run the receiver at once, delayed ones
//! land at the first step whose accumulated time reaches the due time, equal due times keep
//! the order they were sent in, and recorders see events after their receivers.

mod common;

use common::exprs::{c, local};
use common::program::instance;
use common::scratch::Scratch;
use std::path::PathBuf;

use lemsc_runtime::engine::{run, Interpreter, RunOptions, RunReport};
use lemsc_runtime::program::{
    BinOp, Connection, EventFormat, EventOutputSpec, EventSelectionSpec, Expr, InstanceRec, Kernel,
    Op, OutputSpec, Program, Stmt,
};

fn set(slot: u32, op: BinOp, l: Box<Expr>, r: Box<Expr>) -> Stmt {
    Stmt::Set {
        slot,
        value: Expr::Binary(op, l, r),
    }
}

/// Slot 0 counts steps; fires `spike` on the step where the count reaches slot 1.
fn source_kernel() -> Kernel {
    Kernel {
        name: "src (spikeAt)".into(),
        block_len: 2,
        out_ports: vec!["spike".into()],
        advance: vec![
            set(0, BinOp::Add, local(0), c(1.0)),
            Stmt::If {
                test: Expr::Binary(BinOp::Eq, local(0), local(1)),
                then: vec![Stmt::Emit { port: 0 }],
            },
        ],
        ..Kernel::default()
    }
}

/// g (slot 0) jumps by 1 on an event and halves every step; slot 1 keeps the time of the
/// last event.
fn synapse_kernel() -> Kernel {
    Kernel {
        name: "syn (halving)".into(),
        block_len: 2,
        in_ports: vec!["in".into()],
        on_event: vec![vec![
            set(0, BinOp::Add, local(0), c(1.0)),
            Stmt::Set {
                slot: 1,
                value: Expr::Time,
            },
        ]],
        advance: vec![set(0, BinOp::Mul, local(0), c(0.5))],
        ..Kernel::default()
    }
}

/// In-port 0 doubles g, in-port 1 adds 1 to it: the result tells the order of arrival.
fn order_kernel() -> Kernel {
    Kernel {
        name: "acc".into(),
        block_len: 1,
        in_ports: vec!["double".into(), "increment".into()],
        on_event: vec![
            vec![set(0, BinOp::Mul, local(0), c(2.0))],
            vec![set(0, BinOp::Add, local(0), c(1.0))],
        ],
        ..Kernel::default()
    }
}

/// Passes every event on, without delay of its own.
fn relay_kernel() -> Kernel {
    Kernel {
        name: "relay".into(),
        block_len: 1,
        out_ports: vec!["out".into()],
        in_ports: vec!["in".into()],
        on_event: vec![vec![Stmt::Emit { port: 0 }]],
        ..Kernel::default()
    }
}

fn connect(source: u32, out_port: u32, target: u32, in_port: u32, delay: f64) -> Connection {
    Connection {
        source,
        out_port,
        target,
        in_port,
        delay,
    }
}

fn program(kernels: Vec<Kernel>, instances: Vec<InstanceRec>, initial: Vec<f64>) -> Program {
    Program {
        dt: 1e-3,
        steps: 5,
        seed: 1,
        kernels,
        instances,
        initial,
        ..Program::default()
    }
}

fn interpret(p: &Program) -> RunReport {
    match run(p, &Interpreter::new(&p.kernels), RunOptions::default()) {
        Ok(report) => report,
        Err(e) => panic!("the run fails: {e}"),
    }
}

/// A source firing at step 3 into a synapse, zero delay, traced in a `.dat` file.
fn source_into_synapse(dir: &Scratch, step_order: Vec<Op>) -> Program {
    let mut p = program(
        vec![source_kernel(), synapse_kernel()],
        vec![instance(0, 0, "src"), instance(1, 2, "syn")],
        vec![0.0, 3.0, 0.0, -1.0],
    );
    p.step_order = step_order;
    p.connections = vec![connect(0, 0, 1, 0, 0.0)];
    p.outputs = vec![OutputSpec {
        id: "g".into(),
        path: dir.0.join("g.dat"),
        columns: vec![2],
    }];
    p
}

/// The values of the first data column of a `.dat` file.
fn column(path: PathBuf) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| line.split('\t').nth(1).unwrap().to_string())
        .collect()
}

#[test]
fn a_zero_delay_event_reaches_a_receiver_before_it_advances_in_the_same_step() {
    let dir = Scratch::new("immediate");
    let p = source_into_synapse(&dir, vec![Op::Advance { inst: 0 }, Op::Advance { inst: 1 }]);
    let report = interpret(&p);
    // Step 3: the source fires, the synapse jumps to 1, then halves in its own advance.
    assert_eq!(
        column(dir.0.join("g.dat")),
        ["0.0", "0.0", "0.0", "0.5", "0.25", "0.125"]
    );
    assert_eq!(report.events_delivered, 1);
    let t3: f64 = 1e-3 + 1e-3 + 1e-3;
    assert_eq!(
        report.final_vars[3].to_bits(),
        t3.to_bits(),
        "OnEvent sees t_n"
    );
}

#[test]
fn a_receiver_already_advanced_shows_the_jump_in_that_row_and_decays_next_step() {
    let dir = Scratch::new("after");
    let p = source_into_synapse(&dir, vec![Op::Advance { inst: 1 }, Op::Advance { inst: 0 }]);
    interpret(&p);
    assert_eq!(
        column(dir.0.join("g.dat")),
        ["0.0", "0.0", "0.0", "1.0", "0.5", "0.25"]
    );
}

#[test]
fn a_delayed_event_lands_at_the_first_step_whose_accumulated_time_reaches_it() {
    let dir = Scratch::new("delayed");
    let mut p = source_into_synapse(&dir, vec![Op::Advance { inst: 0 }, Op::Advance { inst: 1 }]);
    // Fires at step 5 (t_5 = 0.5), due at 0.5 + 0.3 = 0.8. Accumulated, t_8 is
    // 0.7999999999999999 < 0.8, so the event lands at the start of step 9, not step 8.
    p.dt = 0.1;
    p.steps = 12;
    p.initial[1] = 5.0;
    p.connections[0].delay = 0.3;
    let report = interpret(&p);
    let g = column(dir.0.join("g.dat"));
    assert!(g[..9].iter().all(|v| v == "0.0"), "{g:?}");
    assert_eq!(
        g[9], "0.5",
        "delivered before the synapse's step 9, then halved"
    );
    let mut t: f64 = 0.0;
    for _ in 0..9 {
        t += 0.1;
    }
    assert_eq!(report.final_vars[3].to_bits(), t.to_bits());
    assert_ne!(9.0 * 0.1, t, "the test needs t_9 to differ from 9 * dt");
    assert_eq!(report.events_delivered, 1);
}

#[test]
fn a_delay_shorter_than_a_step_arrives_at_the_start_of_the_next_step() {
    let dir = Scratch::new("short");
    let mut p = source_into_synapse(&dir, vec![Op::Advance { inst: 1 }, Op::Advance { inst: 0 }]);
    p.connections[0].delay = 1e-9;
    interpret(&p);
    // Sent at step 3 after the synapse advanced; delivered before anything of step 4.
    assert_eq!(
        column(dir.0.join("g.dat")),
        ["0.0", "0.0", "0.0", "0.0", "0.5", "0.25"]
    );
}

#[test]
fn immediate_receivers_run_before_delayed_events_are_queued_and_equal_times_stay_in_order() {
    // src fires at step 1. In program order: src -> acc.double (delayed), src -> relay (at
    // once), relay -> acc.increment (same delay). jLEMS serves the relay first, so its
    // event is queued first: at the due step acc gets increment then double: (0+1)*2 = 2.
    let mut p = program(
        vec![source_kernel(), order_kernel(), relay_kernel()],
        vec![
            instance(0, 0, "src"),
            instance(1, 2, "acc"),
            instance(2, 3, "relay"),
        ],
        vec![0.0, 1.0, 0.0, 0.0],
    );
    p.step_order = vec![Op::Advance { inst: 0 }];
    p.connections = vec![
        connect(0, 0, 1, 0, 2e-3),
        connect(0, 0, 2, 0, 0.0),
        connect(2, 0, 1, 1, 2e-3),
    ];
    let report = interpret(&p);
    assert_eq!(report.final_vars[2], 2.0);
    assert_eq!(report.events_delivered, 3);
}

#[test]
fn fired_ports_are_served_in_ascending_order() {
    // One advance fires port 1 then port 0; port 0 (double) is still served first:
    // 0 * 2 + 1 = 1, where the other order would give 2.
    let two_ports = Kernel {
        name: "two".into(),
        block_len: 1,
        out_ports: vec!["a".into(), "b".into()],
        advance: vec![Stmt::Emit { port: 1 }, Stmt::Emit { port: 0 }],
        ..Kernel::default()
    };
    let mut p = program(
        vec![two_ports, order_kernel()],
        vec![instance(0, 0, "two"), instance(1, 1, "acc")],
        vec![0.0; 2],
    );
    p.steps = 1;
    p.step_order = vec![Op::Advance { inst: 0 }];
    p.connections = vec![connect(0, 1, 1, 1, 0.0), connect(0, 0, 1, 0, 0.0)];
    assert_eq!(interpret(&p).final_vars[1], 1.0);
}

#[test]
fn events_fired_during_init_are_delivered_and_recorded_in_row_zero_after_their_receivers() {
    let dir = Scratch::new("init");
    let mut src = source_kernel();
    src.init = vec![Stmt::Emit { port: 0 }];
    let mut p = program(
        vec![src, relay_kernel(), order_kernel()],
        vec![
            instance(0, 0, "src"),
            instance(1, 2, "relay"),
            instance(2, 3, "acc"),
        ],
        vec![0.0, 2.0, 0.0, 0.0],
    );
    p.steps = 3;
    p.init_order = vec![Op::Init {
        inst: 0,
        with_derived: false,
    }];
    p.step_order = vec![Op::Advance { inst: 0 }];
    // src -> relay at once; relay -> acc.increment after 1.5 steps (due 0.0015).
    p.connections = vec![connect(0, 0, 1, 0, 0.0), connect(1, 0, 2, 1, 1.5e-3)];
    p.outputs = vec![OutputSpec {
        id: "acc".into(),
        path: dir.0.join("acc.dat"),
        columns: vec![3],
    }];
    let selection = |inst, id: &str| EventSelectionSpec {
        inst,
        out_port: 0,
        id: id.into(),
    };
    p.event_outputs = vec![EventOutputSpec {
        id: "events".into(),
        path: dir.0.join("events.spikes"),
        format: EventFormat::TimeId,
        selections: vec![selection(0, "src"), selection(1, "relay")],
    }];
    let report = interpret(&p);
    // The relay's event is recorded while src's is still being served, so it comes first.
    // src fires again at step 2 (count 2); its relayed event is due at 0.0035, after the end.
    assert_eq!(
        std::fs::read_to_string(dir.0.join("events.spikes")).unwrap(),
        "0.0\trelay\n0.0\tsrc\n0.002\trelay\n0.002\tsrc\n"
    );
    // The init event, due at 0.0015, lands at step 2 (t = 0.002).
    assert_eq!(column(dir.0.join("acc.dat")), ["0.0", "0.0", "1.0", "1.0"]);
    assert_eq!(report.events_delivered, 3);
}
