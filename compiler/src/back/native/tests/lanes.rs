//! A step split between threads (`lemsc_runtime::engine::lanes`) writes the bytes of a
//! one-thread run: the same files, events and final values, and the same error when a state
//! diverges.

use std::path::{Path, PathBuf};

use lemsc_runtime::engine::{run, RunOptions, RunReport};
use lemsc_runtime::program::{
    BinOp, Connection, EventFormat, EventOutputSpec, EventSelectionSpec, Expr, InstanceRec, Kernel,
    Op, OutputSpec, Program, Stmt,
};

use super::run::{bin, exp_synapse, iaf_cell, pulse, set};
use crate::back::native::compile_program;

const CELLS: usize = 6;

/// Counts the events it receives (a zero-delay receiver of its cell's spikes).
fn counter() -> Kernel {
    Kernel {
        name: "counter".into(),
        block_len: 1,
        slot_names: vec!["n".into()],
        in_ports: vec!["in".into()],
        on_event: vec![vec![set(
            0,
            bin(BinOp::Add, Expr::Local(0), Expr::Const(1.0)),
        )]],
        ..Kernel::default()
    }
}

/// A noisy current: a fresh draw of the run's generator every step.
fn noise() -> Kernel {
    Kernel {
        name: "noise".into(),
        block_len: 1,
        slot_names: vec!["i".into()],
        advance: vec![set(0, Expr::Random(Box::new(Expr::Const(2e-10))))],
        ..Kernel::default()
    }
}

/// `x` (slot 0) grows a hundred orders of magnitude a step from the step `start` on, so
/// it is infinite four steps later. It reads its cell's `v` (link 0), which puts it in its
/// cell's part of a split step.
fn blower(start: f64) -> Kernel {
    let grown = bin(BinOp::Mul, Expr::Local(0), Expr::Const(1e100));
    let started = bin(BinOp::Gt, Expr::Time, Expr::Const(start));
    let cell_alive = bin(BinOp::Lt, Expr::Link(0), Expr::Const(1.0));
    Kernel {
        name: "blower".into(),
        block_len: 1,
        link_count: 1,
        slot_names: vec!["x".into()],
        state_slots: vec![0],
        advance: vec![Stmt::If {
            test: bin(BinOp::And, started, cell_alive),
            then: vec![set(0, grown)],
        }],
        init: vec![set(0, Expr::Const(1.0))],
        ..Kernel::default()
    }
}

/// `CELLS` cells, each with a pulse, a synapse (whose events draw random weights) and a
/// counter of its own spikes (zero delay); cells 0 and 3 also get noise. Cell `c` sends delayed events to the synapses of
/// cells `c + 1` and `c + 2`. With `blowers`, an instance of each kernel of `blowers` sits
/// among the instances of the cell with the same index.
///
/// With `drawn_weights`, each event a synapse receives adds a random weight, so the calling
/// thread delivers the delayed events; without, a fixed one, and the lanes deliver them.
fn network(dir: &Path, blowers: &[(usize, f64)], drawn_weights: bool) -> Program {
    const CELL: u32 = 0;
    const PULSE: u32 = 1;
    const SYN: u32 = 2;
    const COUNTER: u32 = 3;
    const NOISE: u32 = 4;
    let mut synapse = exp_synapse();
    if !drawn_weights {
        let g = || Expr::Local(0);
        synapse.on_event = vec![vec![set(0, bin(BinOp::Add, g(), Expr::Const(6e-9)))]];
    }
    let mut kernels = vec![iaf_cell(), pulse(), synapse, counter(), noise()];
    let mut program = Program {
        dt: 5e-5,
        steps: 3000,
        seed: 7,
        ..Program::default()
    };
    let add = |program: &mut Program, kernels: &[Kernel], kernel: u32, path: String| {
        let base = program.initial.len() as u64;
        program
            .initial
            .extend(std::iter::repeat(0.0).take(kernels[kernel as usize].block_len as usize));
        let links = program.links.len() as u64;
        program
            .links
            .extend(std::iter::repeat(0).take(kernels[kernel as usize].link_count as usize));
        program.instances.push(InstanceRec {
            kernel,
            base,
            links,
            path,
        });
        (program.instances.len() - 1) as u32
    };
    let mut cells = Vec::new();
    let mut syns = Vec::new();
    let mut counters = Vec::new();
    let mut step_order = Vec::new();
    for c in 0..CELLS {
        let cell = add(&mut program, &kernels, CELL, format!("pop[{c}]"));
        let pulse = add(&mut program, &kernels, PULSE, format!("pop[{c}]/pulse"));
        let syn = add(&mut program, &kernels, SYN, format!("pop[{c}]/syn"));
        let count = add(&mut program, &kernels, COUNTER, format!("pop[{c}]/count"));
        let mut currents = vec![pulse, syn];
        let mut advanced = vec![pulse, syn];
        if c % 3 == 0 {
            let noise = add(&mut program, &kernels, NOISE, format!("pop[{c}]/noise"));
            currents.push(noise);
            advanced.insert(0, noise);
        }
        for &(_, start) in blowers.iter().filter(|&&(at, _)| at == c) {
            kernels.push(blower(start));
            let kernel = kernels.len() as u32 - 1;
            let blower = add(&mut program, &kernels, kernel, format!("pop[{c}]/blower"));
            let at = program.instances[blower as usize].links as usize;
            program.links[at] = program.instances[cell as usize].base;
            advanced.push(blower);
        }
        advanced.push(cell);
        // The cell's list of currents (slot 1 of each), and the synapse's link to v.
        let list = program.links.len() as u64;
        program.links.push(currents.len() as u64);
        for &inst in &currents {
            program
                .links
                .push(program.instances[inst as usize].base + if inst == syn { 1 } else { 0 });
        }
        let cell_rec = &program.instances[cell as usize];
        program.links[cell_rec.links as usize] = list;
        let syn_links = program.instances[syn as usize].links as usize;
        program.links[syn_links] = cell_rec.base;
        program.connections.push(Connection {
            source: cell,
            out_port: 0,
            target: count,
            in_port: 0,
            delay: 0.0,
        });
        step_order.extend(advanced.iter().map(|&inst| Op::Advance { inst }));
        step_order.push(Op::Advance { inst: count });
        cells.push(cell);
        syns.push(syn);
        counters.push(count);
    }
    for c in 0..CELLS {
        for (hop, delay) in [(1, 0.001), (2, 0.0015)] {
            program.connections.push(Connection {
                source: cells[c],
                out_port: 0,
                target: syns[(c + hop) % CELLS],
                in_port: 0,
                delay,
            });
        }
    }
    program.kernels = kernels;
    let every: Vec<u32> = (0..program.instances.len() as u32).collect();
    program.init_order = every
        .iter()
        .map(|&inst| Op::Init {
            inst,
            with_derived: false,
        })
        .chain(every.iter().map(|&inst| Op::Init {
            inst,
            with_derived: true,
        }))
        .collect();
    program.step_order = step_order;
    let slot = |inst: u32| program.instances[inst as usize].base;
    program.outputs = vec![OutputSpec {
        id: "v".into(),
        path: dir.join("v.dat"),
        columns: cells.iter().chain(&counters).map(|&i| slot(i)).collect(),
    }];
    program.event_outputs = vec![EventOutputSpec {
        id: "spikes".into(),
        path: dir.join("spikes.txt"),
        format: EventFormat::TimeId,
        selections: cells
            .iter()
            .map(|&inst| EventSelectionSpec {
                inst,
                out_port: 0,
                id: inst.to_string(),
            })
            .collect(),
    }];
    program
}

fn temp_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("lemsc-native-lanes-{}-{name}", std::process::id()))
}

/// Runs the network on up to `threads` threads, splitting whatever the step allows.
fn run_on(
    threads: usize,
    blowers: &[(usize, f64)],
    drawn_weights: bool,
) -> (Result<RunReport, String>, Vec<String>) {
    let dir = temp_dir(&format!("{threads}-{}-{drawn_weights}", blowers.len()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    let program = network(&dir, blowers, drawn_weights);
    let code = compile_program(&program).expect("compiles");
    let opts = RunOptions {
        threads,
        min_parallel_work: Some(0),
        ..RunOptions::default()
    };
    let report = run(&program, &code, opts).map_err(|e| e.to_string());
    let files = ["v.dat", "spikes.txt"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(dir.join(f)).ok())
        .collect();
    std::fs::remove_dir_all(&dir).ok();
    (report, files)
}

#[test]
fn a_split_step_writes_the_bytes_of_one_thread() {
    for drawn_weights in [true, false] {
        let (one, one_files) = run_on(1, &[], drawn_weights);
        let one = one.expect("the run finishes");
        assert_eq!(one.threads, 1);
        let spikes = one_files[1].lines().count();
        assert!(
            spikes >= 3 * CELLS,
            "every cell should spike a few times: {spikes} spikes"
        );
        for threads in [2, 3] {
            let (split, files) = run_on(threads, &[], drawn_weights);
            let split = split.expect("the run finishes");
            let case = format!("{threads} threads, drawn weights {drawn_weights}");
            assert!(split.threads >= 2, "the step is split ({case})");
            assert!(files == one_files, "the files differ ({case})");
            assert_eq!(split.events_delivered, one.events_delivered, "{case}");
            let same = split
                .final_vars
                .iter()
                .zip(&one.final_vars)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "the final values differ ({case})");
        }
    }
}

#[test]
fn a_split_step_stops_at_the_failure_one_thread_meets_first() {
    // Blowers in the first and the last cell's stretch diverge in the same step, and a third
    // in the middle one step later.
    let blowers = [(0, 0.01), (CELLS - 1, 0.01), (CELLS / 2, 0.01005)];
    let (one, _) = run_on(1, &blowers, false);
    let one = one.expect_err("a state diverges");
    assert!(one.contains("pop[0]/blower"), "{one}");
    let (split, files) = run_on(2, &blowers, false);
    assert_eq!(split.expect_err("a state diverges"), one);
    assert!(files.is_empty(), "a failed run leaves no file: {files:?}");
}
