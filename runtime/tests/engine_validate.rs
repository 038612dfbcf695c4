//! `Program::validate` accepts a well-formed program and rejects each kind of bad index.

mod common;

use common::program::{instance, set};
use lemsc_runtime::program::{
    Connection, EventFormat, EventOutputSpec, EventSelectionSpec, Expr, InstanceRec, Kernel,
    KineticEdge, KineticScheme, Op, OutputSpec, Program, Reduce, Stmt,
};

/// Two instances of one kernel (3 slots, 2 link entries: a single value and a list), a
/// kinetic scheme, a connection and both kinds of output.
fn good() -> Program {
    let kernel = Kernel {
        name: "cell".to_string(),
        block_len: 3,
        link_count: 2,
        slot_names: vec!["v".into(), "g".into(), "q".into()],
        state_slots: vec![0],
        out_ports: vec!["spike".into()],
        in_ports: vec!["in".into()],
        init: vec![set(0, Expr::Const(1.0))],
        init_derived: vec![],
        advance: vec![
            set(0, Expr::Reduce(Reduce::Add, 1)),
            Stmt::Switch {
                slot: 2,
                arms: vec![vec![Stmt::Emit { port: 0 }]],
            },
        ],
        on_event: vec![vec![set(1, Expr::Link(0))]],
    };
    Program {
        dt: 1e-5,
        steps: 10,
        seed: 1,
        kernels: vec![kernel],
        instances: vec![
            instance(0, 0, "pop[0]"),
            InstanceRec {
                links: 2,
                ..instance(0, 3, "pop[1]")
            },
        ],
        initial: vec![0.0; 6],
        // pop[0]: vars[3], and the list at 4 (one member, vars[0]);
        // pop[1]: vars[0], and the empty list at 6.
        links: vec![3, 4, 0, 6, 1, 0, 0],
        init_order: vec![
            Op::Init {
                inst: 0,
                with_derived: false,
            },
            Op::Init {
                inst: 1,
                with_derived: true,
            },
        ],
        step_order: vec![
            Op::Advance { inst: 0 },
            Op::Advance { inst: 1 },
            Op::KineticScheme(Box::new(KineticScheme {
                states: vec![2, 5],
                edges: vec![KineticEdge {
                    from: 0,
                    to: 1,
                    forward: 1,
                    reverse: 4,
                }],
            })),
        ],
        connections: vec![Connection {
            source: 0,
            out_port: 0,
            target: 1,
            in_port: 0,
            delay: 0.0,
        }],
        outputs: vec![OutputSpec {
            id: "v".into(),
            path: "v.dat".into(),
            columns: vec![0, 3],
        }],
        event_outputs: vec![EventOutputSpec {
            id: "spikes".into(),
            path: "s.spikes".into(),
            format: EventFormat::TimeId,
            selections: vec![EventSelectionSpec {
                inst: 0,
                out_port: 0,
                id: "0".into(),
            }],
        }],
    }
}

/// Applies `change` to a good program and checks validation fails with `expected` in the
/// message.
fn rejects(change: impl FnOnce(&mut Program), expected: &str) {
    let mut program = good();
    change(&mut program);
    match program.validate() {
        Ok(()) => panic!("accepted a program that should fail with '{expected}'"),
        Err(message) => assert!(
            message.contains(expected),
            "message '{message}' does not contain '{expected}'"
        ),
    }
}

fn scheme(p: &mut Program) -> &mut KineticScheme {
    match &mut p.step_order[2] {
        Op::KineticScheme(s) => s,
        _ => unreachable!("the good program's third step op is its scheme"),
    }
}

#[test]
fn accepts_a_well_formed_program() {
    assert_eq!(good().validate(), Ok(()));
    assert_eq!(lemsc_runtime::engine::validate(&good()), Ok(()));
}

#[test]
fn rejects_a_bad_time_step() {
    rejects(|p| p.dt = 0.0, "time step must be a positive");
    rejects(|p| p.dt = -1e-5, "time step must be a positive");
    rejects(|p| p.dt = f64::NAN, "found NaN");
    rejects(|p| p.dt = f64::INFINITY, "found inf");
}

#[test]
fn rejects_bad_slots_ports_and_link_entries_in_kernels() {
    rejects(
        |p| p.kernels[0].init = vec![set(3, Expr::Const(0.0))],
        "kernel 'cell', init: assigns slot 3, outside the block of 3 slots",
    );
    rejects(
        |p| p.kernels[0].init_derived = vec![set(0, Expr::Local(7))],
        "init_derived: reads slot 7",
    );
    rejects(
        |p| {
            p.kernels[0].advance = vec![Stmt::If {
                test: Expr::Link(2),
                then: vec![],
            }]
        },
        "advance: reads link entry 2, but the kernel has 2 link entries",
    );
    rejects(
        |p| p.kernels[0].on_event[0] = vec![set(0, Expr::Reduce(Reduce::Multiply, 9))],
        "on_event[0]: reads link entry 9",
    );
    rejects(
        |p| p.kernels[0].advance.push(Stmt::Emit { port: 1 }),
        "emits on out-port 1, but the kernel has 1 out-ports",
    );
    rejects(
        |p| {
            p.kernels[0].advance = vec![Stmt::Switch {
                slot: 3,
                arms: vec![],
            }]
        },
        "switches on slot 3",
    );
    rejects(|p| p.kernels[0].state_slots = vec![0, 3], "state slot 3");
    rejects(
        |p| p.kernels[0].in_ports.push("other".into()),
        "names 2 in-ports but has 1 event handlers",
    );
    rejects(
        |p| p.kernels[0].out_ports = vec![String::new(); 65],
        "65 out-ports, at most 64",
    );
}

#[test]
fn rejects_nesting_too_deep_to_recurse_over() {
    let mut deep = Expr::Time;
    for _ in 0..2000 {
        deep = Expr::Neg(Box::new(deep));
    }
    rejects(
        move |p| p.kernels[0].advance = vec![set(0, deep)],
        "nested more than 1024 levels",
    );
}

#[test]
fn rejects_instances_that_do_not_fit() {
    rejects(
        |p| p.instances[1].kernel = 5,
        "instance 1 (pop[1]) runs kernel 5, but there are 1 kernels",
    );
    rejects(
        |p| p.instances[1].base = 4,
        "its block of 3 slots at 4 does not fit in the 6 values",
    );
    rejects(
        |p| p.instances[1].base = u64::MAX - 1,
        "does not fit in the 6 values",
    );
    rejects(
        |p| p.instances[1].links = 6,
        "its 2 link entries at 6 do not fit in the 7 links",
    );
}

#[test]
fn rejects_link_targets_out_of_bounds() {
    rejects(
        |p| p.links[0] = 6,
        "instance 0 (pop[0]): link entry 0 names value 6, beyond the 6 values",
    );
    rejects(|p| p.links[1] = 70, "the list of link entry 1 starts at 70");
    rejects(|p| p.links[4] = 3, "at 4 holds 3 members");
    rejects(
        |p| p.links[4] = u64::MAX,
        "holds 18446744073709551615 members",
    );
    rejects(|p| p.links[5] = 9, "at 4 names value 9");
}

#[test]
fn rejects_bad_ops() {
    rejects(
        |p| p.step_order.push(Op::Advance { inst: 2 }),
        "step_order[3]: instance 2 does not exist (there are 2)",
    );
    rejects(
        |p| {
            p.init_order.push(Op::Init {
                inst: 7,
                with_derived: true,
            })
        },
        "init_order[2]: instance 7 does not exist",
    );
    rejects(
        |p| scheme(p).states[1] = 6,
        "kinetic scheme's occupancy is value 6",
    );
    rejects(
        |p| scheme(p).edges[0].to = 2,
        "edge joins state 2, but the scheme has 2 states",
    );
    rejects(
        |p| scheme(p).edges[0].forward = 10,
        "forward rate is value 10",
    );
    rejects(
        |p| scheme(p).edges[0].reverse = 6,
        "reverse rate is value 6",
    );
}

#[test]
fn rejects_bad_connections() {
    rejects(
        |p| p.connections[0].source = 3,
        "connection 0: instance 3 does not exist",
    );
    rejects(
        |p| p.connections[0].out_port = 1,
        "out-port 1 of pop[0] does not exist (cell has 1 out-ports)",
    );
    rejects(
        |p| p.connections[0].target = 2,
        "connection 0: instance 2 does not exist",
    );
    rejects(
        |p| p.connections[0].in_port = 1,
        "in-port 1 of pop[1] does not exist",
    );
    rejects(
        |p| p.connections[0].delay = f64::NAN,
        "delay must be a finite",
    );
    rejects(
        |p| p.connections[0].delay = f64::INFINITY,
        "delay must be a finite",
    );
}

#[test]
fn rejects_bad_outputs() {
    rejects(
        |p| p.outputs[0].columns.push(6),
        "output file 'v': column 2 records value 6, beyond the 6 values",
    );
    rejects(
        |p| p.event_outputs[0].selections[0].inst = 9,
        "event output file 'spikes', selection '0': instance 9 does not exist",
    );
    rejects(
        |p| p.event_outputs[0].selections[0].out_port = 2,
        "out-port 2 of pop[0] does not exist",
    );
}
