//! [`MExpr`] printed as NESTML expression text.
//!
//! Every value is a dimensionless `real` holding the SI number, so no NESTML unit ever
//! appears; names come from the caller's `name` function (see [`super::names`]), so model
//! text never reaches the NESTML file unsanitised.

use crate::passes::mechanism::{BinOp, External, Func, MExpr};

/// How a model's variables and the simulator's values are spelled in one NESTML model.
pub trait Spelling {
    /// The NESTML identifier of a flat name of the plan.
    fn var(&self, flat: &str) -> String;
    /// What an [`External`] reads (the cell's voltage, the temperature).
    fn external(&self, ext: &External) -> String;
    /// The LEMS time `t` (s).
    fn time(&self) -> String;
    /// Whether an EventOut here is a spike of the node (the cell's, not an attachment's).
    fn emits(&self) -> bool {
        true
    }
}

/// A real literal NESTML and C++ read back as the same double.
pub fn number(x: f64) -> String {
    if x.is_nan() {
        "(0.0 * (1e308 * 1e308))".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "(1e308 * 1e308)".into()
        } else {
            "(-(1e308 * 1e308))".into()
        }
    } else if x.is_sign_negative() {
        format!("(-{})", plain(-x))
    } else {
        plain(x)
    }
}

/// Rust's shortest round-trip text, always with a point or an exponent (NESTML reads `5` as
/// an integer). NESTML 9 keeps only 8 significant digits of a literal (and misreads some
/// longer ones), so a longer value is rounded to 8 here: the script sets parameters and
/// initial states to their exact values (`nest.SetDefaults`), so only constants written in
/// the model's expressions, short in practice, depend on this.
fn plain(x: f64) -> String {
    let shortest = format!("{x:e}");
    let digits = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    if digits > 8 {
        return format!("{x:.7e}");
    }
    let text = format!("{x:?}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

/// `e` as NESTML text; conditions print as NESTML booleans.
pub fn print(e: &MExpr, s: &dyn Spelling) -> String {
    match e {
        MExpr::Num(x) => number(*x),
        MExpr::Var(n) => s.var(n),
        MExpr::Ext(x) => s.external(x),
        MExpr::Time => s.time(),
        MExpr::Neg(x) => format!("(-{})", print(x, s)),
        MExpr::Not(x) => format!("(not {})", boolean(x, s)),
        MExpr::Bin(op, l, r) => {
            let logical = matches!(op, BinOp::And | BinOp::Or);
            let (l, r) = if logical {
                (boolean(l, s), boolean(r, s))
            } else {
                (print(l, s), print(r, s))
            };
            let op = op.c_like_symbol("**", "and", "or");
            format!("({l} {op} {r})")
        }
        MExpr::Call(f, x) => {
            let x = print(x, s);
            match f {
                // jLEMS's H(0) is 1/2.
                Func::H => format!("(({x}) > 0.0 ? 1.0 : (({x}) < 0.0 ? 0.0 : 0.5))"),
                Func::Log | Func::Ln => format!("ln({x})"),
                // NESTML 9 has no sqrt.
                Func::Sqrt => format!("pow({x}, 0.5)"),
                f => format!("{}({x})", function_name(*f)),
            }
        }
        MExpr::Random(x) => format!("(random_uniform(0.0, 1.0) * {})", print(x, s)),
    }
}

/// A condition: comparisons and logic as they are, a number as `x != 0`.
pub fn boolean(e: &MExpr, s: &dyn Spelling) -> String {
    match e {
        MExpr::Bin(op, ..) if is_logical(*op) => print(e, s),
        MExpr::Not(_) => print(e, s),
        other => format!("({} != 0.0)", print(other, s)),
    }
}

fn is_logical(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Gt
            | BinOp::Lt
            | BinOp::Ge
            | BinOp::Le
            | BinOp::Eq
            | BinOp::Ne
            | BinOp::And
            | BinOp::Or
    )
}

/// NESTML's name of a one-argument function (those [`unsupported_function`] lets through).
fn function_name(f: Func) -> &'static str {
    match f {
        Func::Log => "ln",
        Func::H | Func::Random | Func::Factorial => "unsupported",
        // exp, sqrt, the trigonometric and hyperbolic functions, abs, ceil, floor and ln are
        // spelled as in LEMS.
        other => other.name(),
    }
}

/// The first function of `e` NESTML has no counterpart for.
pub fn unsupported_function(e: &MExpr) -> Option<Func> {
    match e {
        MExpr::Call(Func::Factorial, _) => Some(Func::Factorial),
        MExpr::Call(_, x) | MExpr::Neg(x) | MExpr::Not(x) | MExpr::Random(x) => {
            unsupported_function(x)
        }
        MExpr::Bin(_, l, r) => unsupported_function(l).or_else(|| unsupported_function(r)),
        MExpr::Num(_) | MExpr::Var(_) | MExpr::Ext(_) | MExpr::Time => None,
    }
}

/// Calls `f` on every flat name `e` reads.
pub fn visit_vars(e: &MExpr, f: &mut dyn FnMut(&str)) {
    match e {
        MExpr::Var(n) => f(n),
        MExpr::Call(_, x) | MExpr::Neg(x) | MExpr::Not(x) | MExpr::Random(x) => visit_vars(x, f),
        MExpr::Bin(_, l, r) => {
            visit_vars(l, f);
            visit_vars(r, f);
        }
        MExpr::Num(_) | MExpr::Ext(_) | MExpr::Time => {}
    }
}

/// Whether `e` draws a random number.
pub fn uses_random(e: &MExpr) -> bool {
    match e {
        MExpr::Random(_) => true,
        MExpr::Call(_, x) | MExpr::Neg(x) | MExpr::Not(x) => uses_random(x),
        MExpr::Bin(_, l, r) => uses_random(l) || uses_random(r),
        MExpr::Num(_) | MExpr::Var(_) | MExpr::Ext(_) | MExpr::Time => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;
    impl Spelling for Plain {
        fn var(&self, flat: &str) -> String {
            flat.replace('/', "__")
        }
        fn external(&self, _: &External) -> String {
            "V_m".into()
        }
        fn time(&self) -> String {
            "t_lems".into()
        }
    }

    #[test]
    fn numbers_read_back_as_the_same_double_and_are_always_real() {
        assert_eq!(number(5.0), "5.0");
        assert_eq!(number(-0.065), "(-0.065)");
        assert_eq!(number(1e-9), "1e-9");
        assert_eq!(number(2.0000000000000003e-10), "2.0000000e-10");
        assert!(number(f64::INFINITY).contains("1e308"));
    }

    #[test]
    fn expressions_keep_their_grouping_and_heaviside_is_half_at_zero() {
        let e = MExpr::Bin(
            BinOp::Mul,
            Box::new(MExpr::Var("m/q".into())),
            Box::new(MExpr::Call(
                Func::H,
                Box::new(MExpr::Bin(
                    BinOp::Sub,
                    Box::new(MExpr::Ext(External::Voltage)),
                    Box::new(MExpr::Num(0.02)),
                )),
            )),
        );
        assert_eq!(
            print(&e, &Plain),
            "(m__q * (((V_m - 0.02)) > 0.0 ? 1.0 : (((V_m - 0.02)) < 0.0 ? 0.0 : 0.5)))"
        );
        let c = MExpr::Bin(
            BinOp::And,
            Box::new(MExpr::Var("x".into())),
            Box::new(MExpr::Bin(
                BinOp::Gt,
                Box::new(MExpr::Time),
                Box::new(MExpr::Num(1.0)),
            )),
        );
        assert_eq!(boolean(&c, &Plain), "((x != 0.0) and (t_lems > 1.0))");
    }
}
