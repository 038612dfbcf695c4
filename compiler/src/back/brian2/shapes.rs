//! Kernels that differ only in their constants share a group.
//!
//! Parameters are folded into each kernel as constants, so components of one type with other
//! parameter values (the 21 `spike` times of a spike array, nine Izhikevich cells) are distinct
//! kernels with the same statements. Brian2 compiles every group's code separately, which is
//! what a standalone build spends its time on; one group per statement shape, with the
//! constants that differ among its members as per-member variables, keeps builds short.

use std::collections::HashMap;

use lemsc_runtime::program::{Expr, Kernel, Program, Stmt};

/// The shape class of every kernel, and the constants of each kernel in statement order.
pub struct Shapes {
    pub class_of_kernel: Vec<usize>,
    consts: Vec<Vec<f64>>,
}

/// A group's code: its kernel's statements with the constants that differ among its members
/// read from slots past the kernel's own (`block_len + k`), whose per-member values are given.
pub struct GroupCode {
    pub advance: Vec<Stmt>,
    pub on_event: Vec<Vec<Stmt>>,
    /// (slot, value of each member).
    pub params: Vec<(u32, Vec<f64>)>,
}

impl Shapes {
    pub fn new(program: &Program) -> Shapes {
        let mut classes: HashMap<String, usize> = HashMap::new();
        let mut class_of_kernel = Vec::with_capacity(program.kernels.len());
        let mut consts = Vec::with_capacity(program.kernels.len());
        for kernel in &program.kernels {
            let mut values = Vec::new();
            let (advance, on_event) = map_kernel(kernel, &mut |x| {
                values.push(x);
                Expr::Const(0.0)
            });
            let key = format!(
                "{}|{:?}|{:?}|{:?}|{:?}|{:?}",
                kernel.block_len,
                kernel.slot_names,
                kernel.out_ports,
                kernel.in_ports,
                advance,
                on_event
            );
            let fresh = classes.len();
            class_of_kernel.push(*classes.entry(key).or_insert(fresh));
            consts.push(values);
        }
        Shapes {
            class_of_kernel,
            consts,
        }
    }

    /// The code of a group whose members run `kernels` (all of one class).
    pub fn group_code(&self, program: &Program, kernels: &[u32]) -> GroupCode {
        let first = kernels[0] as usize;
        let kernel = &program.kernels[first];
        let count = self.consts[first].len();
        let varies: Vec<bool> = (0..count)
            .map(|c| {
                kernels.iter().any(|&k| {
                    self.consts[k as usize][c].to_bits() != self.consts[first][c].to_bits()
                })
            })
            .collect();
        let mut position = 0;
        let (advance, on_event) = map_kernel(kernel, &mut |x| {
            let c = position;
            position += 1;
            if varies[c] {
                Expr::Local(kernel.block_len + c as u32)
            } else {
                Expr::Const(x)
            }
        });
        let params = (0..count)
            .filter(|&c| varies[c])
            .map(|c| {
                let values = kernels
                    .iter()
                    .map(|&k| self.consts[k as usize][c])
                    .collect();
                (kernel.block_len + c as u32, values)
            })
            .collect();
        GroupCode {
            advance,
            on_event,
            params,
        }
    }
}

type ConstFn<'a> = dyn FnMut(f64) -> Expr + 'a;

/// The step and event code of `kernel` with every constant replaced by `f(value)`, in one
/// fixed order (step first, then each handler, statements and operands left to right).
fn map_kernel(kernel: &Kernel, f: &mut ConstFn) -> (Vec<Stmt>, Vec<Vec<Stmt>>) {
    let advance = map_stmts(&kernel.advance, f);
    let on_event = kernel.on_event.iter().map(|h| map_stmts(h, f)).collect();
    (advance, on_event)
}

fn map_stmts(stmts: &[Stmt], f: &mut ConstFn) -> Vec<Stmt> {
    stmts
        .iter()
        .map(|s| match s {
            Stmt::Set { slot, value } => Stmt::Set {
                slot: *slot,
                value: map_expr(value, f),
            },
            Stmt::If { test, then } => {
                let test = map_expr(test, f);
                Stmt::If {
                    test,
                    then: map_stmts(then, f),
                }
            }
            Stmt::Emit { port } => Stmt::Emit { port: *port },
            Stmt::Switch { slot, arms } => Stmt::Switch {
                slot: *slot,
                arms: arms.iter().map(|a| map_stmts(a, f)).collect(),
            },
        })
        .collect()
}

fn map_expr(e: &Expr, f: &mut ConstFn) -> Expr {
    match e {
        Expr::Const(x) => f(*x),
        Expr::Neg(x) => Expr::Neg(Box::new(map_expr(x, f))),
        Expr::Not(x) => Expr::Not(Box::new(map_expr(x, f))),
        Expr::Call(func, x) => Expr::Call(*func, Box::new(map_expr(x, f))),
        Expr::Random(x) => Expr::Random(Box::new(map_expr(x, f))),
        Expr::Binary(op, l, r) => {
            let l = map_expr(l, f);
            Expr::Binary(*op, Box::new(l), Box::new(map_expr(r, f)))
        }
        other => other.clone(),
    }
}
