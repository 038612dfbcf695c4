//! The reference interpreter of kernel statements: walks the [`Stmt`] and [`Expr`] trees of
//! a [`Kernel`] directly.
//!
//! It defines the bits every other [`KernelCode`] must reproduce, so it does exactly what
//! `program.rs` documents and nothing cleverer: operands are evaluated left to right (which
//! fixes the order of `random()` draws), both sides of `And`/`Or` are evaluated, a slot is
//! read each time it is named, and every operation is one IEEE double operation.

use super::code::{Entry, KernelCall, KernelCode, RunContext};
use crate::math::{binary, call, truth};
use crate::program::{Expr, Kernel, Reduce, Stmt};

/// Runs the kernels of one program by interpretation.
pub struct Interpreter<'p> {
    kernels: &'p [Kernel],
}

impl<'p> Interpreter<'p> {
    /// An interpreter over `kernels` (a program's [`crate::program::Program::kernels`]).
    pub fn new(kernels: &'p [Kernel]) -> Interpreter<'p> {
        Interpreter { kernels }
    }
}

impl KernelCode for Interpreter<'_> {
    /// Panics (rather than reading out of bounds) when the program was not validated and an
    /// index is out of range.
    fn run(&self, call: KernelCall, ctx: &mut RunContext<'_>) -> u64 {
        let kernel = &self.kernels[call.kernel as usize];
        let stmts = match call.entry {
            Entry::Init => &kernel.init,
            Entry::InitDerived => &kernel.init_derived,
            Entry::Advance => &kernel.advance,
            Entry::OnEvent(port) => &kernel.on_event[port as usize],
        };
        let mut frame = Frame {
            ctx,
            base: call.base,
            link_start: call.link_start,
            fired: 0,
        };
        frame.stmts(stmts);
        frame.fired
    }
}

/// One entry call: where the instance's values are, and the out-ports fired so far.
struct Frame<'c, 'a> {
    ctx: &'c mut RunContext<'a>,
    base: usize,
    link_start: usize,
    fired: u64,
}

impl Frame<'_, '_> {
    fn stmts(&mut self, stmts: &[Stmt]) {
        for stmt in stmts {
            self.stmt(stmt);
        }
    }

    fn stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Set { slot, value } => {
                let value = self.eval(value);
                self.ctx.vars[self.base + *slot as usize] = value;
            }
            Stmt::If { test, then } => {
                // NaN is not 0.0, so a NaN test runs the block.
                if self.eval(test) != 0.0 {
                    self.stmts(then);
                }
            }
            Stmt::Emit { port } => self.fired |= 1u64 << port,
            Stmt::Switch { slot, arms } => {
                // `as usize` saturates: NaN and negative selectors pick arm 0.
                let selector = self.ctx.vars[self.base + *slot as usize] as usize;
                if let Some(arm) = arms.get(selector) {
                    self.stmts(arm);
                }
            }
        }
    }

    fn eval(&mut self, e: &Expr) -> f64 {
        match e {
            Expr::Const(v) => *v,
            Expr::Local(slot) => self.ctx.vars[self.base + *slot as usize],
            Expr::Link(k) => {
                let index = self.link_entry(*k);
                self.ctx.vars[index as usize]
            }
            Expr::Reduce(op, k) => self.reduce(*op, *k),
            Expr::Time => self.ctx.t,
            Expr::Step => self.ctx.dt,
            Expr::Neg(x) => -self.eval(x),
            Expr::Not(x) => truth(self.eval(x) == 0.0),
            Expr::Binary(op, l, r) => {
                let a = self.eval(l);
                let b = self.eval(r);
                binary(*op, a, b)
            }
            Expr::Call(func, x) => {
                let x = self.eval(x);
                call(*func, x)
            }
            Expr::Random(x) => {
                // The scale first, then the draw.
                let scale = self.eval(x);
                scale * self.ctx.rng.next_double()
            }
        }
    }

    fn link_entry(&self, k: u32) -> u64 {
        self.ctx.links[self.link_start + k as usize]
    }

    /// Folds the list that link entry `k` points to, in list order.
    fn reduce(&self, op: Reduce, k: u32) -> f64 {
        let list = self.link_entry(k) as usize;
        let links = self.ctx.links;
        let count = links[list] as usize;
        let members = &links[list + 1..list + 1 + count];
        let vars = &*self.ctx.vars;
        match op {
            Reduce::Add => members.iter().fold(0.0, |acc, &i| acc + vars[i as usize]),
            Reduce::Multiply => members.iter().fold(1.0, |acc, &i| acc * vars[i as usize]),
        }
    }
}
