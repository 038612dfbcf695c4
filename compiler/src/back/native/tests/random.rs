//! Compiled kernels give the reference interpreter's bits: on hand-written programs and on
//! thousands of randomly generated statements and expression trees (seeded, reproducible).

use lemsc_runtime::engine::{Entry, Interpreter, KernelCode};
use lemsc_runtime::javarand::JavaRandom;
use lemsc_runtime::program::{BinOp, Expr, Func, Kernel, Program, Reduce, Stmt};

use super::{program_of, run_on, same_bits, Call, BINOPS, FUNCS};
use crate::back::native::kernel::{compile_program_with, MachineCode};

/// A small deterministic generator (64-bit LCG); no extra crate needed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u32) as usize]
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// Values a model meets (voltages, rates, small integers for regimes and factorials)
    /// and the edge cases of IEEE arithmetic.
    fn value(&mut self) -> f64 {
        const EDGES: [f64; 16] = [
            0.0,
            -0.0,
            1.0,
            2.0,
            3.0,
            -1.0,
            0.5,
            -0.065,
            1e-3,
            171.0,
            134217727.0,
            1e300,
            -1e-310,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        match self.below(4) {
            0 => self.pick(&EDGES),
            1 => f64::from(self.below(6)),
            _ => {
                let mantissa = (self.next() as f64 / (1u64 << 31) as f64) * 2.0 - 1.0;
                mantissa * 10f64.powi(self.below(12) as i32 - 6)
            }
        }
    }
}

const SLOTS: u32 = 8;
const LINK_COUNT: u32 = 4;

fn random_expr(rng: &mut Lcg, depth: u32) -> Expr {
    if depth == 0 || rng.chance(25) {
        return match rng.below(8) {
            0 | 1 => Expr::Const(rng.value()),
            2 | 3 => Expr::Local(rng.below(SLOTS)),
            4 => Expr::Link(rng.below(2)),
            5 => Expr::Reduce(rng.pick(&[Reduce::Add, Reduce::Multiply]), 2 + rng.below(2)),
            6 => Expr::Time,
            _ => Expr::Step,
        };
    }
    let kind = rng.below(20);
    let mut sub = || Box::new(random_expr(rng, depth - 1));
    match kind {
        0 | 1 => Expr::Neg(sub()),
        2 => Expr::Not(sub()),
        3..=10 => {
            let (a, b) = (sub(), sub());
            Expr::Binary(rng.pick(&BINOPS), a, b)
        }
        11..=17 => {
            let x = sub();
            Expr::Call(rng.pick(&FUNCS), x)
        }
        _ => Expr::Random(sub()),
    }
}

fn random_stmts(rng: &mut Lcg, count: u32, depth: u32) -> Vec<Stmt> {
    (0..count).map(|_| random_stmt(rng, depth)).collect()
}

fn random_stmt(rng: &mut Lcg, depth: u32) -> Stmt {
    let kind = if depth == 0 { 0 } else { rng.below(10) };
    match kind {
        0..=5 => Stmt::Set {
            slot: rng.below(SLOTS),
            value: random_expr(rng, 5),
        },
        6 => Stmt::Emit {
            port: rng.below(64),
        },
        7 | 8 => Stmt::If {
            test: random_expr(rng, 3),
            then: {
                let n = rng.below(4);
                random_stmts(rng, n, depth - 1)
            },
        },
        _ => Stmt::Switch {
            slot: rng.below(SLOTS),
            arms: (0..rng.below(4))
                .map(|_| {
                    let n = rng.below(3);
                    random_stmts(rng, n, depth - 1)
                })
                .collect(),
        },
    }
}

/// vars and links for one instance at `vars[16..24]` with link entries at `links[3..7]`:
/// single values `vars[2]` and `vars[30]`, the list `vars[5], vars[25], vars[5]`, and an
/// empty list.
fn world(rng: &mut Lcg) -> (Vec<f64>, Vec<u64>) {
    let vars = (0..32).map(|_| rng.value()).collect();
    let links = vec![7, 7, 7, 2, 30, 7, 11, 3, 5, 25, 5, 0];
    (vars, links)
}

const BASE: usize = 16;
const LINK_START: usize = 3;

/// Runs every entry of every kernel of `program` on each of `worlds` (vars and links) with
/// the interpreter and the compiled code (both machine codes), and lists where the bits
/// differ.
fn compare_with_interpreter(program: &Program, worlds: &[(Vec<f64>, Vec<u64>)]) -> Vec<String> {
    let interpreter = Interpreter::new(&program.kernels);
    let compiled = [MachineCode::Quick, MachineCode::Optimised].map(|machine_code| {
        compile_program_with(program, machine_code)
            .unwrap_or_else(|d| panic!("program compiles: {}", d.message))
    });
    let mut found = Vec::new();
    for ((vars, links), (k, kernel)) in worlds.iter().flat_map(|world| {
        program
            .kernels
            .iter()
            .enumerate()
            .map(move |kernel| (world, kernel))
    }) {
        let entries = [Entry::Init, Entry::InitDerived, Entry::Advance]
            .into_iter()
            .chain((0..kernel.on_event.len() as u32).map(Entry::OnEvent));
        for entry in entries {
            let call = Call {
                kernel: k as u32,
                entry,
                base: BASE,
                link_start: LINK_START,
                t: 0.0125,
                dt: 2.5e-5,
            };
            let outcome = |code: &dyn KernelCode| {
                let mut vars = vars.to_vec();
                let mut rng = JavaRandom::new(-42);
                let fired = run_on(code, call, &mut vars, links, &mut rng);
                (vars, fired, rng.next_int())
            };
            let (want_vars, want_fired, want_rng) = outcome(&interpreter);
            for (code, name) in compiled.iter().zip(["quick", "optimised"]) {
                let (vars, fired, rng) = outcome(code);
                let slot = (0..vars.len()).find(|&i| !same_bits(vars[i], want_vars[i]));
                if let Some(i) = slot {
                    found.push(format!(
                        "kernel {k} {entry:?} ({name}): vars[{i}] = {:e}, interpreter {:e}\n{:#?}",
                        vars[i],
                        want_vars[i],
                        kernel_entry(kernel, entry)
                    ));
                }
                if fired != want_fired {
                    found.push(format!(
                        "kernel {k} {entry:?} ({name}): fired {fired:#x}, interpreter {want_fired:#x}"
                    ));
                }
                if rng != want_rng {
                    found.push(format!(
                        "kernel {k} {entry:?} ({name}): another number of random draws"
                    ));
                }
            }
        }
    }
    found
}

fn kernel_entry(kernel: &Kernel, entry: Entry) -> &[Stmt] {
    match entry {
        Entry::Init => &kernel.init,
        Entry::InitDerived => &kernel.init_derived,
        Entry::Advance => &kernel.advance,
        Entry::OnEvent(port) => &kernel.on_event[port as usize],
    }
}

fn random_kernel(rng: &mut Lcg, n: u32) -> Kernel {
    let on_event = (0..rng.below(3))
        .map(|_| {
            let count = rng.below(4);
            random_stmts(rng, count, 2)
        })
        .collect();
    Kernel {
        name: format!("random{n}"),
        block_len: SLOTS,
        link_count: LINK_COUNT,
        init: random_stmts(rng, 2, 1),
        init_derived: Vec::new(),
        advance: random_stmts(rng, 6, 3),
        on_event,
        ..Kernel::default()
    }
}

#[test]
fn thousands_of_random_statements_match_the_interpreter_bit_for_bit() {
    let mut rng = Lcg(0x5EED_1234);
    let mut found = Vec::new();
    let mut statements = 0;
    for round in 0..12 {
        let kernels: Vec<Kernel> = (0..25).map(|n| random_kernel(&mut rng, n)).collect();
        statements += kernels
            .iter()
            .flat_map(|k| [&k.init, &k.advance].into_iter().chain(&k.on_event))
            .map(Vec::len)
            .sum::<usize>();
        let worlds = [world(&mut rng), world(&mut rng)];
        let program = program_of(kernels, worlds[0].0.clone(), worlds[0].1.clone());
        for mismatch in compare_with_interpreter(&program, &worlds) {
            found.push(format!("round {round}: {mismatch}"));
        }
    }
    assert!(statements > 2000, "only {statements} statements generated");
    assert!(
        found.is_empty(),
        "{} mismatches, first:\n{}",
        found.len(),
        found[0]
    );
}

/// One kernel per entry kind, with the cases the hand-written tests check by value.
fn hand_written() -> Program {
    let local = |s| Box::new(Expr::Local(s));
    let set = |slot, value| Stmt::Set { slot, value };
    let sum = Expr::Reduce(Reduce::Add, 2);
    let product = Expr::Reduce(Reduce::Multiply, 2);
    let cell = Kernel {
        name: "cell".into(),
        block_len: SLOTS,
        link_count: LINK_COUNT,
        init: vec![set(0, Expr::Const(-0.065)), set(1, Expr::Const(0.0))],
        advance: vec![
            set(
                2,
                Expr::Binary(BinOp::Add, Box::new(sum), Box::new(product)),
            ),
            set(3, Expr::Reduce(Reduce::Add, 3)),
            set(4, Expr::Reduce(Reduce::Multiply, 3)),
            Stmt::Switch {
                slot: 1,
                arms: vec![
                    vec![
                        set(
                            0,
                            Expr::Binary(
                                BinOp::Add,
                                local(0),
                                Box::new(Expr::Binary(BinOp::Mul, Box::new(Expr::Step), local(2))),
                            ),
                        ),
                        Stmt::If {
                            test: Expr::Binary(BinOp::Gt, local(0), Box::new(Expr::Link(0))),
                            then: vec![set(1, Expr::Const(1.0)), Stmt::Emit { port: 0 }],
                        },
                    ],
                    vec![set(5, Expr::Random(Box::new(Expr::Time)))],
                ],
            },
            set(6, Expr::Call(Func::H, Box::new(Expr::Const(0.0)))),
            set(7, Expr::Call(Func::Factorial, local(7))),
        ],
        on_event: vec![vec![set(
            0,
            Expr::Binary(BinOp::Add, local(0), Box::new(Expr::Link(1))),
        )]],
        ..Kernel::default()
    };
    program_of(vec![cell], Vec::new(), Vec::new())
}

#[test]
fn hand_written_kernels_match_the_interpreter_on_many_states() {
    let program = hand_written();
    let mut rng = Lcg(7);
    let worlds: Vec<_> = (0..200).map(|_| world(&mut rng)).collect();
    let found = compare_with_interpreter(&program, &worlds);
    assert!(found.is_empty(), "{}", found.join("\n"));
}
