//! The LEMS expression language: parsing with spans, dimensional inference and evaluation.
//!
//! INTERFACE DRAFT: types and signatures are fixed; bodies are being written.

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
    /// Heaviside step: 1 for x > 0, 0 otherwise (jLEMS's convention at 0 to be checked).
    H,
    /// `random(x)`: x times a uniform draw in [0, 1).
    Random,
}
