//! Short constructors for the expressions hand-written test programs are made of.

use lemsc_runtime::program::Expr;

/// The instance's slot `s`.
pub fn local(s: u32) -> Box<Expr> {
    Box::new(Expr::Local(s))
}

/// The constant `v`.
pub fn c(v: f64) -> Box<Expr> {
    Box::new(Expr::Const(v))
}
