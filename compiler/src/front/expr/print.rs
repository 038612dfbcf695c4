//! Printing an [`Expr`] back as LEMS text that parses to the same tree.

use std::fmt;

use super::*;

impl Expr {
    fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Number(_) | ExprKind::Name(_) | ExprKind::Call(..) => PREC_ATOM,
            ExprKind::Neg(_) => PREC_NEG,
            ExprKind::Not(_) => PREC_NOT,
            ExprKind::Binary(op, ..) => op.precedence(),
        }
    }
}

/// Writes a number so that it reads back as the same `f64`: integers without a fraction,
/// others in Rust's shortest round-trip form (which uses `e` notation when short).
pub(super) fn write_number(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        write!(f, "{}", v as i64)
    } else {
        write!(f, "{v:?}")
    }
}

pub(super) fn write_operand(f: &mut fmt::Formatter<'_>, e: &Expr, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl fmt::Display for Expr {
    /// The canonical source form: parentheses wherever the grammar needs them, and also
    /// around nested powers and negations so no reader has to know LEMS's conventions.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Number(v) => write_number(f, *v),
            ExprKind::Name(n) => f.write_str(n),
            ExprKind::Neg(_) | ExprKind::Not(_) => {
                f.write_str(if matches!(self.kind, ExprKind::Neg(_)) {
                    "-"
                } else {
                    ".not. "
                })?;
                let [(e, parens)] = printed_operands(self)[..] else {
                    unreachable!()
                };
                write_operand(f, e, parens)
            }
            ExprKind::Call(func, args) => {
                write!(f, "{}(", func.name())?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str(")")
            }
            ExprKind::Binary(op, ..) => {
                let [(l, lp), (r, rp)] = printed_operands(self)[..] else {
                    unreachable!()
                };
                write_operand(f, l, lp)?;
                if *op == BinOp::Pow {
                    f.write_str("^")?;
                } else {
                    write!(f, " {} ", op.symbol())?;
                }
                write_operand(f, r, rp)
            }
        }
    }
}

/// The operands of `e` in printed order, each with whether the printed form brackets it.
/// Call arguments count as bracketed (by the call's own parentheses).
pub(super) fn printed_operands(e: &Expr) -> Vec<(&Expr, bool)> {
    match &e.kind {
        ExprKind::Number(_) | ExprKind::Name(_) => Vec::new(),
        ExprKind::Neg(x) => vec![(x, x.precedence() < PREC_ATOM)],
        ExprKind::Not(x) => vec![(x, x.precedence() <= PREC_NOT)],
        ExprKind::Call(_, args) => args.iter().map(|a| (a, true)).collect(),
        ExprKind::Binary(BinOp::Pow, l, r) => {
            vec![
                (l, l.precedence() < PREC_ATOM),
                (r, r.precedence() < PREC_ATOM),
            ]
        }
        ExprKind::Binary(op, l, r) => {
            let p = op.precedence();
            vec![(l, l.precedence() < p), (r, r.precedence() <= p)]
        }
    }
}

/// How deeply the printed form of `e` nests prefix operators and brackets: the nesting the
/// parser counts when it reads that form back.
pub(super) fn printed_nesting(e: &Expr) -> u32 {
    let own = matches!(e.kind, ExprKind::Neg(_) | ExprKind::Not(_)) as u32;
    let inner = printed_operands(e)
        .into_iter()
        .map(|(x, bracketed)| bracketed as u32 + printed_nesting(x))
        .max()
        .unwrap_or(0);
    own + inner
}
