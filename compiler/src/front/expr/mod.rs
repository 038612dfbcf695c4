//! The LEMS expression language: the tree ([`Expr`]) and its operators and functions here;
//! `lex` and `parse` read text into a tree with spans, `print` writes it back, `dims` infers
//! dimensions, `eval` computes values with the runtime's arithmetic.
//!
//! The grammar follows jLEMS, the reference interpreter, where its behaviour is coherent:
//!
//! * precedence, loosest first: `.or.`/`.and.` (one level, left to right, as in jLEMS),
//!   `.not.`, comparisons, `+ -`, `* /`, unary `- +`, `^`. jLEMS ranks `-` above `+` and
//!   `/` above `*`; that only regroups sums and products, which gives the same values.
//! * `^` groups left to right like every jLEMS operator, so `a^b^c` is `(a^b)^c`;
//! * `-x^2` is `-(x^2)`, which is what jLEMS computes at the start of an expression or after
//!   `(` (jLEMS alone binds a minus that follows another operator tighter than `^`);
//! * jLEMS puts `.eq.` at the `.and.` level; here all six comparisons share one level, which
//!   gives the same trees for every official expression and avoids `(a .and. b) .eq. c`.
//! * Operators are case-sensitive, as in jLEMS (`.GT.` and `.ge.` are errors with a hint);
//!   `.not.` is accepted as a prefix operator although jLEMS has none.
//! * Functions take one argument: jLEMS's list (without its `sum`/`product`) plus `floor`.
//!
//! Dimensions: a literal number is dimensionless, except that a literal zero takes the
//! dimension of whatever it is added to or compared with, as jLEMS allows; the official core
//! types rely on it (`caConcExt .gt. 0`, `v .gt. 0`).

use lemsc_runtime::program::{BinOp as KOp, Func as KFunc};

use crate::diag::{Diagnostic, Span};
use crate::model::dims::Dim;

/// A parsed expression. Every node knows the source span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal (dimensionless).
    Number(f64),
    /// A name: parameter, constant, state or derived variable, requirement, `t`, ...
    Name(String),
    /// Unary minus.
    Neg(Box<Expr>),
    /// `.not.`
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A built-in function call.
    Call(Func, Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Gt,
    Lt,
    Ge,
    Le,
    Eq,
    Ne,
    And,
    Or,
}

/// Functions LEMS expressions may call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Exp,
    Log,
    Ln,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Abs,
    Ceil,
    Floor,
    /// Heaviside step as jLEMS defines it: 0 for x < 0, 1/2 at 0, 1 for x > 0.
    H,
    /// `random(x)`: x times a uniform draw in [0, 1).
    Random,
    /// `factorial(n)` for a non-negative integer n.
    Factorial,
}

impl Func {
    pub const ALL: [Func; 16] = [
        Func::Exp,
        Func::Log,
        Func::Ln,
        Func::Sqrt,
        Func::Sin,
        Func::Cos,
        Func::Tan,
        Func::Sinh,
        Func::Cosh,
        Func::Tanh,
        Func::Abs,
        Func::Ceil,
        Func::Floor,
        Func::H,
        Func::Random,
        Func::Factorial,
    ];

    /// The name used in LEMS source: the runtime's name of the function, except for the two
    /// the runtime has not (`log`, written for its `ln`, and `random`).
    pub fn name(self) -> &'static str {
        match self {
            Func::Log => "log",
            Func::Random => "random",
            f => f
                .kernel_func()
                .expect("the runtime defines every function but random")
                .name(),
        }
    }

    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The function as the runtime defines it ([`lemsc_runtime::math::call`]); `None` for
    /// `random`, which draws a number instead.
    pub fn kernel_func(self) -> Option<KFunc> {
        Some(match self {
            Func::Exp => KFunc::Exp,
            Func::Log | Func::Ln => KFunc::Ln,
            Func::Sqrt => KFunc::Sqrt,
            Func::Sin => KFunc::Sin,
            Func::Cos => KFunc::Cos,
            Func::Tan => KFunc::Tan,
            Func::Sinh => KFunc::Sinh,
            Func::Cosh => KFunc::Cosh,
            Func::Tanh => KFunc::Tanh,
            Func::Abs => KFunc::Abs,
            Func::Ceil => KFunc::Ceil,
            Func::Floor => KFunc::Floor,
            Func::H => KFunc::H,
            Func::Factorial => KFunc::Factorial,
            Func::Random => return None,
        })
    }
}

impl BinOp {
    /// The operator as the runtime defines it ([`lemsc_runtime::math::binary`]).
    pub fn kernel_op(self) -> KOp {
        match self {
            BinOp::Add => KOp::Add,
            BinOp::Sub => KOp::Sub,
            BinOp::Mul => KOp::Mul,
            BinOp::Div => KOp::Div,
            BinOp::Pow => KOp::Pow,
            BinOp::Gt => KOp::Gt,
            BinOp::Lt => KOp::Lt,
            BinOp::Ge => KOp::Ge,
            BinOp::Le => KOp::Le,
            BinOp::Eq => KOp::Eq,
            BinOp::Ne => KOp::Ne,
            BinOp::And => KOp::And,
            BinOp::Or => KOp::Or,
        }
    }

    /// The operator as written in LEMS source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::Gt => ".gt.",
            BinOp::Lt => ".lt.",
            BinOp::Ge => ".geq.",
            BinOp::Le => ".leq.",
            BinOp::Eq => ".eq.",
            BinOp::Ne => ".neq.",
            BinOp::And => ".and.",
            BinOp::Or => ".or.",
        }
    }

    /// The operator as C-like target languages (NMODL, NESTML) write it: they agree on
    /// `+ - * / > < >= <= == !=` and differ on power, and and or, which the caller spells.
    pub fn c_like_symbol(
        self,
        pow: &'static str,
        and: &'static str,
        or: &'static str,
    ) -> &'static str {
        self.kernel_op().c_like_symbol(pow, and, or)
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le | BinOp::Eq | BinOp::Ne
        )
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
    }

    /// Binding strength; larger binds tighter. Shared by the parser and the printer.
    fn precedence(self) -> u8 {
        match self {
            BinOp::And | BinOp::Or => PREC_LOGIC,
            BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le | BinOp::Eq | BinOp::Ne => PREC_CMP,
            BinOp::Add | BinOp::Sub => PREC_ADD,
            BinOp::Mul | BinOp::Div => PREC_MUL,
            BinOp::Pow => PREC_POW,
        }
    }
}

const PREC_LOGIC: u8 = 1;
const PREC_NOT: u8 = 2;
const PREC_CMP: u8 = 3;
const PREC_ADD: u8 = 4;
const PREC_MUL: u8 = 5;
const PREC_NEG: u8 = 6;
const PREC_POW: u8 = 7;
const PREC_ATOM: u8 = 8;

/// The deepest expression tree accepted. Parsing, printing, inference and evaluation all
/// recurse over the tree, so its height is capped to keep them far from the stack limit.
pub const MAX_DEPTH: u32 = 256;

mod dims;
mod eval;
mod lex;
mod parse;
mod print;

pub use dims::{describe_dim, infer_dim, infer_type, Type};
pub use eval::eval;
pub(crate) use lex::number_len;
pub use parse::parse;
#[allow(unused_imports)]
use {dims::*, lex::*, parse::*, print::*};

/// Stands in for an expression that failed to parse (the error is already reported), so the
/// member stays declared and later checks skip it instead of piling up follow-on errors.
pub const UNPARSED: &str = "<unparsed>";

/// True for the stand-in of an expression that did not parse.
pub fn is_unparsed(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Name(n) if n == UNPARSED)
}

/// Every name the expression refers to, left to right, one entry per occurrence.
pub fn names(e: &Expr) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    collect_names(e, &mut out);
    out
}

fn collect_names<'a>(e: &'a Expr, out: &mut Vec<(&'a str, Span)>) {
    match &e.kind {
        ExprKind::Number(_) => {}
        ExprKind::Name(n) => out.push((n.as_str(), e.span)),
        ExprKind::Neg(x) | ExprKind::Not(x) => collect_names(x, out),
        ExprKind::Binary(_, l, r) => {
            collect_names(l, out);
            collect_names(r, out);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| collect_names(a, out)),
    }
}

#[cfg(test)]
mod tests;
