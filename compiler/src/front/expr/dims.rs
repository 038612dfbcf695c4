//! Dimensional analysis: the dimension (or truth type) of an expression.

use super::*;

/// What an expression computes: a quantity of some dimension, or a truth value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Number(Dim),
    Bool,
}

/// Inference result inside this module: a literal zero (possibly negated, possibly in
/// parentheses) may stand for a zero of any dimension, as in `v .gt. 0` or `x + 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Inferred {
    Number(Dim),
    /// A constant literal; `zero` when its value is 0.
    Literal {
        zero: bool,
    },
    Bool,
}

impl Inferred {
    fn public(self) -> Type {
        match self {
            Inferred::Number(d) => Type::Number(d),
            Inferred::Literal { .. } => Type::Number(Dim::NONE),
            Inferred::Bool => Type::Bool,
        }
    }
}

/// Common names for dimensions, to make messages readable.
pub(super) fn dim_name(d: Dim) -> Option<&'static str> {
    let dim = |m, l, t, i, k, n| Dim {
        m,
        l,
        t,
        i,
        k,
        n,
        j: 0,
    };
    let table = [
        (dim(1, 2, -3, -1, 0, 0), "voltage"),
        (Dim::TIME, "time"),
        (dim(0, 0, -1, 0, 0, 0), "per_time"),
        (dim(0, 0, 0, 1, 0, 0), "current"),
        (dim(-1, -2, 3, 2, 0, 0), "conductance"),
        (dim(-1, -2, 4, 2, 0, 0), "capacitance"),
        (dim(1, 2, -3, -2, 0, 0), "resistance"),
        (dim(0, 1, 0, 0, 0, 0), "length"),
        (dim(0, 2, 0, 0, 0, 0), "area"),
        (dim(0, -3, 0, 0, 0, 1), "concentration"),
        (dim(0, 0, 0, 0, 1, 0), "temperature"),
        (dim(0, 0, 1, 1, 0, 0), "charge"),
        (dim(0, -2, 0, 1, 0, 0), "currentDensity"),
        (dim(-1, -4, 3, 2, 0, 0), "conductanceDensity"),
    ];
    table.iter().find(|(x, _)| *x == d).map(|(_, n)| *n)
}

/// `voltage (kg·m^2·s^-3·A^-1)`, or just the units when the dimension has no common name.
pub fn describe_dim(d: Dim) -> String {
    match dim_name(d) {
        Some(name) => format!("{name} ({d})"),
        None if d.is_none() => "dimensionless".to_string(),
        None => d.to_string(),
    }
}

pub(super) fn describe_inferred(t: Inferred) -> String {
    match t {
        Inferred::Number(d) => describe_dim(d),
        Inferred::Literal { .. } => "dimensionless".to_string(),
        Inferred::Bool => "a condition (true/false)".to_string(),
    }
}

/// The dimension of a numeric expression. Conditions are an error here.
pub fn infer_dim(
    e: &Expr,
    lookup: &mut dyn FnMut(&str, Span) -> Result<Dim, Diagnostic>,
) -> Result<Dim, Diagnostic> {
    match infer_type(e, lookup)? {
        Type::Number(d) => Ok(d),
        Type::Bool => Err(Diagnostic::at(
            e.span,
            "expected a numeric expression, found a condition",
        )
        .with_note("comparisons and .and./.or./.not. give true or false, not a quantity")),
    }
}

/// The type of an expression: a quantity with its dimension, or a condition. `lookup` gives
/// the dimension of a name; the caller decides scopes and reports undefined names.
pub fn infer_type(
    e: &Expr,
    lookup: &mut dyn FnMut(&str, Span) -> Result<Dim, Diagnostic>,
) -> Result<Type, Diagnostic> {
    Ok(infer(e, lookup)?.public())
}

pub(super) fn number_of(e: &Expr, t: Inferred, what: &str) -> Result<Dim, Diagnostic> {
    match t {
        Inferred::Number(d) => Ok(d),
        Inferred::Literal { .. } => Ok(Dim::NONE),
        Inferred::Bool => Err(Diagnostic::at(
            e.span,
            format!("expected a number {what}, found a condition"),
        )),
    }
}

pub(super) fn bool_of(e: &Expr, t: Inferred, what: &str) -> Result<(), Diagnostic> {
    match t {
        Inferred::Bool => Ok(()),
        other => Err(Diagnostic::at(
            e.span,
            format!(
                "expected a condition {what}, found a number of dimension {}",
                describe_inferred(other)
            ),
        )
        .with_note("write a comparison such as 'x .gt. 0'")),
    }
}

/// `a * b^power`, refusing exponents that do not fit the `Dim` representation (a long
/// product of dimensioned names) instead of overflowing.
pub(super) fn dim_product(e: &Expr, a: Dim, b: Dim, power: i32) -> Result<Dim, Diagnostic> {
    let parts = |d: Dim| [d.m, d.l, d.t, d.i, d.k, d.n, d.j].map(i32::from);
    let (pa, pb) = (parts(a), parts(b));
    let mut out = [0i8; 7];
    for k in 0..7 {
        out[k] = i8::try_from(pa[k] + pb[k] * power).map_err(|_| {
            Diagnostic::at(
                e.span,
                "the dimension of this expression has an exponent beyond ±127",
            )
        })?;
    }
    let [m, l, t, i, k, n, j] = out;
    Ok(Dim {
        m,
        l,
        t,
        i,
        k,
        n,
        j,
    })
}

/// The value of a constant integer exponent: a literal, possibly negated.
pub(super) fn integer_literal(e: &Expr) -> Option<i32> {
    match &e.kind {
        ExprKind::Number(v) if v.fract() == 0.0 && v.abs() <= 64.0 => Some(*v as i32),
        ExprKind::Neg(inner) => integer_literal(inner).map(|n| -n),
        _ => None,
    }
}

pub(super) fn infer(
    e: &Expr,
    lookup: &mut dyn FnMut(&str, Span) -> Result<Dim, Diagnostic>,
) -> Result<Inferred, Diagnostic> {
    Ok(match &e.kind {
        ExprKind::Number(v) => Inferred::Literal { zero: *v == 0.0 },
        ExprKind::Name(n) => Inferred::Number(lookup(n, e.span)?),
        ExprKind::Neg(x) => match infer(x, lookup)? {
            Inferred::Bool => {
                return Err(Diagnostic::at(
                    x.span,
                    "cannot negate a condition; use .not.",
                ))
            }
            t => t,
        },
        ExprKind::Not(x) => {
            let t = infer(x, lookup)?;
            bool_of(x, t, "after '.not.'")?;
            Inferred::Bool
        }
        ExprKind::Call(func, args) => {
            let [arg] = args.as_slice() else {
                return Err(Diagnostic::at(
                    e.span,
                    format!(
                        "'{}' takes exactly one argument, found {}",
                        func.name(),
                        args.len()
                    ),
                ));
            };
            let t = infer(arg, lookup)?;
            let d = number_of(arg, t, &format!("as the argument of '{}'", func.name()))?;
            infer_call(*func, arg, t, d)?
        }
        ExprKind::Binary(op, l, r) => {
            let (lt, rt) = (infer(l, lookup)?, infer(r, lookup)?);
            infer_binary(e, *op, l, r, lt, rt)?
        }
    })
}

pub(super) fn infer_call(
    func: Func,
    arg: &Expr,
    t: Inferred,
    d: Dim,
) -> Result<Inferred, Diagnostic> {
    let needs_plain = || -> Result<(), Diagnostic> {
        if d.is_none() {
            Ok(())
        } else {
            Err(Diagnostic::at(
                arg.span,
                format!(
                    "the argument of '{}' must be dimensionless, found {}",
                    func.name(),
                    describe_dim(d)
                ),
            )
            .with_note("divide by a constant of the same dimension first"))
        }
    };
    Ok(match func {
        Func::Exp
        | Func::Log
        | Func::Ln
        | Func::Sin
        | Func::Cos
        | Func::Tan
        | Func::Sinh
        | Func::Cosh
        | Func::Tanh
        | Func::Factorial => {
            needs_plain()?;
            Inferred::Number(Dim::NONE)
        }
        Func::Sqrt => {
            let parts = [d.m, d.l, d.t, d.i, d.k, d.n, d.j];
            if parts.iter().any(|x| x % 2 != 0) {
                return Err(Diagnostic::at(
                    arg.span,
                    format!(
                        "cannot take the square root of {}: an exponent is odd",
                        describe_dim(d)
                    ),
                ));
            }
            Inferred::Number(Dim {
                m: d.m / 2,
                l: d.l / 2,
                t: d.t / 2,
                i: d.i / 2,
                k: d.k / 2,
                n: d.n / 2,
                j: d.j / 2,
            })
        }
        Func::Abs | Func::Ceil | Func::Floor | Func::Random => match t {
            Inferred::Literal { zero } => Inferred::Literal {
                zero: zero && func != Func::Random,
            },
            _ => Inferred::Number(d),
        },
        Func::H => Inferred::Number(Dim::NONE),
    })
}

pub(super) fn infer_binary(
    e: &Expr,
    op: BinOp,
    l: &Expr,
    r: &Expr,
    lt: Inferred,
    rt: Inferred,
) -> Result<Inferred, Diagnostic> {
    let sym = op.symbol();
    if op.is_logical() {
        bool_of(l, lt, &format!("before '{sym}'"))?;
        bool_of(r, rt, &format!("after '{sym}'"))?;
        return Ok(Inferred::Bool);
    }
    let ld = number_of(l, lt, &format!("before '{sym}'"))?;
    let rd = number_of(r, rt, &format!("after '{sym}'"))?;
    Ok(match op {
        BinOp::Add
        | BinOp::Sub
        | BinOp::Gt
        | BinOp::Lt
        | BinOp::Ge
        | BinOp::Le
        | BinOp::Eq
        | BinOp::Ne => {
            let d = match (lt, rt) {
                (Inferred::Literal { zero: true }, _) => rd,
                (_, Inferred::Literal { zero: true }) => ld,
                _ if ld == rd => ld,
                _ => {
                    let verb = match op {
                        BinOp::Add => "add",
                        BinOp::Sub => "subtract",
                        _ => "compare",
                    };
                    let (a, b) = (describe_dim(ld), describe_dim(rd));
                    let (a, b) = if op == BinOp::Sub { (b, a) } else { (a, b) };
                    let joiner = match op {
                        BinOp::Sub => "from",
                        BinOp::Add => "and",
                        _ => "with",
                    };
                    return Err(
                        Diagnostic::at(e.span, format!("cannot {verb} {a} {joiner} {b}"))
                            .with_secondary(l.span, describe_dim(ld))
                            .with_secondary(r.span, describe_dim(rd))
                            .with_note(format!(
                                "both sides of '{sym}' must have the same dimension"
                            )),
                    );
                }
            };
            if op.is_comparison() {
                Inferred::Bool
            } else if matches!(
                (lt, rt),
                (Inferred::Literal { .. }, Inferred::Literal { .. })
            ) {
                Inferred::Literal { zero: false }
            } else {
                Inferred::Number(d)
            }
        }
        BinOp::Mul | BinOp::Div => match (lt, rt) {
            (Inferred::Literal { .. }, Inferred::Literal { .. }) => {
                Inferred::Literal { zero: false }
            }
            _ => {
                let power = if op == BinOp::Mul { 1 } else { -1 };
                Inferred::Number(dim_product(e, ld, rd, power)?)
            }
        },
        BinOp::Pow => {
            if !rd.is_none() {
                return Err(Diagnostic::at(
                    r.span,
                    format!(
                        "an exponent must be dimensionless, found {}",
                        describe_dim(rd)
                    ),
                ));
            }
            if ld.is_none() {
                match (lt, rt) {
                    (Inferred::Literal { .. }, Inferred::Literal { .. }) => {
                        Inferred::Literal { zero: false }
                    }
                    _ => Inferred::Number(Dim::NONE),
                }
            } else {
                let Some(n) = integer_literal(r) else {
                    return Err(Diagnostic::at(
                        r.span,
                        format!(
                            "a quantity of dimension {} can only be raised to a constant integer power",
                            describe_dim(ld)
                        ),
                    )
                    .with_note("write the exponent as an integer literal such as 2 or -1"));
                };
                Inferred::Number(dim_product(e, Dim::NONE, ld, n)?)
            }
        }
        BinOp::And | BinOp::Or => unreachable!("handled above"),
    })
}
