//! [`MExpr`] printed as NMODL text.
//!
//! - Every binary operation is parenthesised, so NMODL's precedence never matters.
//! - Numbers are Rust's shortest round-trip form (`0.1`, `1e-5`, `1.5e20`), which nocmodl
//!   copies into the C++ verbatim, so the C++ compiler reads back the same `f64`. Negative
//!   numbers are parenthesised. Non-finite numbers have no literal: they are printed as
//!   expressions that evaluate to them in IEEE arithmetic (`(1e308 * 1e308)` is +inf,
//!   `(0 * (1e308 * 1e308))` is NaN).
//! - Values stay SI; only time is converted here (`t` is in ms in NEURON). The caller maps
//!   the other externals (e.g. voltage to `(v * 0.001)`).
//! - LEMS `H` and `factorial` become generated FUNCTIONs ([`function_definitions`]);
//!   `random(x)` draws from the mechanism's `RANDOM` stream [`RANDOM_STREAM`].
//!
//! What NEURON 9.0.2 does with the printed text (checked by running it):
//! - `exp` is C++ `hoc_Exp`: above 700 it prints "exp(x) out of range, returning exp(700)"
//!   on every call and returns exp(700) (1.01e304) instead of +inf; below -700 it returns 0.
//!   `^`, `log`, `sqrt` follow IEEE (inf, -inf, NaN) without a message.
//! - A `WATCH` condition must be a single comparison of arithmetic expressions: `&&`, `||`,
//!   `!` and comparisons inside it are syntax errors ("Illegal block"), and a call of a mod's
//!   own FUNCTION inside it passes nocmodl but fails the C++ compile (`_globals` not
//!   declared). See [`watchable`].

use std::collections::BTreeSet;

use crate::passes::mechanism::{BinOp, External, Func, MExpr};

/// Name of the `RANDOM` variable that `random(x)` draws from; a mechanism that
/// [`uses_random`] must declare `RANDOM rng` in its NEURON block.
pub const RANDOM_STREAM: &str = "rng";
/// Generated FUNCTION for LEMS `H`.
pub const HEAVISIDE: &str = "nml_H";
/// Generated FUNCTION for LEMS `factorial`.
pub const FACTORIAL: &str = "nml_factorial";

/// Prints expressions of one mechanism.
pub struct Printer<'a> {
    /// Flat name -> NMODL identifier.
    pub var: &'a dyn Fn(&str) -> String,
    /// The NMODL text of an external, in SI (e.g. `Voltage` -> `(v * 0.001)`).
    pub external: &'a dyn Fn(&External) -> String,
}

impl Printer<'_> {
    /// The NMODL text of `e`, broken over lines of at most [`WRAP_AT`] characters where it
    /// is longer (nocmodl refuses lines over 511 characters; a newline may stand wherever a
    /// space does in an expression).
    pub fn expr(&self, e: &MExpr) -> String {
        let mut out = String::new();
        self.write(e, &mut out);
        wrap(&out)
    }

    fn write(&self, e: &MExpr, out: &mut String) {
        match e {
            MExpr::Num(x) => out.push_str(&number(*x)),
            MExpr::Var(name) => out.push_str(&atom((self.var)(name))),
            MExpr::Ext(ext) => out.push_str(&atom((self.external)(ext))),
            MExpr::Time => out.push_str("(t * 0.001)"),
            MExpr::Neg(x) => self.unary("-", x, out),
            MExpr::Not(x) => self.unary("!", x, out),
            MExpr::Bin(op, l, r) => {
                out.push('(');
                self.write(l, out);
                out.push(' ');
                out.push_str(operator(*op));
                out.push(' ');
                self.write(r, out);
                out.push(')');
            }
            MExpr::Call(Func::Random, x) | MExpr::Random(x) => {
                out.push('(');
                self.write(x, out);
                out.push_str(&format!(" * random_uniform({RANDOM_STREAM}))"));
            }
            MExpr::Call(f, x) => {
                out.push_str(function_name(*f));
                out.push('(');
                self.write(x, out);
                out.push(')');
            }
        }
    }

    fn unary(&self, op: &str, x: &MExpr, out: &mut String) {
        out.push('(');
        out.push_str(op);
        self.write(x, out);
        out.push(')');
    }
}

/// Longest line [`Printer::expr`] writes, leaving room for what the caller puts before it.
pub const WRAP_AT: usize = 100;

/// Breaks `text` at spaces (which the printer puts only between tokens) so that no line is
/// longer than [`WRAP_AT`]; continuation lines are indented by eight spaces.
fn wrap(text: &str) -> String {
    if text.len() <= WRAP_AT {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut line_len = 0;
    for (k, token) in text.split(' ').enumerate() {
        if k > 0 {
            if line_len + 1 + token.len() > WRAP_AT {
                out.push_str("\n        ");
                line_len = 8;
            } else {
                out.push(' ');
                line_len += 1;
            }
        }
        out.push_str(token);
        line_len += token.len();
    }
    out
}

/// An NMODL literal (or constant expression) with exactly the value `x`.
pub fn number(x: f64) -> String {
    const INF: &str = "(1e308 * 1e308)";
    if x.is_nan() {
        format!("(0 * {INF})")
    } else if x.is_infinite() {
        if x > 0.0 {
            INF.to_string()
        } else {
            format!("(-{INF})")
        }
    } else if x.is_sign_negative() {
        format!("(-{:?})", -x)
    } else {
        format!("{x:?}")
    }
}

/// `text` as one operand: identifiers, numbers and fully parenthesised text as they are,
/// anything else in parentheses.
fn atom(text: String) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    if plain || is_parenthesised(&text) {
        text
    } else {
        format!("({text})")
    }
}

/// True when the `(` at the start closes at the very end.
fn is_parenthesised(text: &str) -> bool {
    if !text.starts_with('(') {
        return false;
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return i == text.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

fn operator(op: BinOp) -> &'static str {
    op.c_like_symbol("^", "&&", "||")
}

fn function_name(f: Func) -> &'static str {
    match f {
        // LEMS `log` and `ln` are both the natural logarithm.
        Func::Log | Func::Ln => "log",
        Func::Abs => "fabs",
        Func::H => HEAVISIDE,
        Func::Factorial => FACTORIAL,
        // Printed as a draw by `Printer::write`; never reaches here.
        Func::Random => "random_uniform",
        // exp, sqrt, the trigonometric and hyperbolic functions, ceil and floor are spelled
        // as in LEMS.
        other => other.name(),
    }
}

/// Adds the generated FUNCTIONs that `e` calls ([`HEAVISIDE`], [`FACTORIAL`]) to `out`.
pub fn used_functions(e: &MExpr, out: &mut BTreeSet<&'static str>) {
    visit(e, &mut |node| {
        if let MExpr::Call(f @ (Func::H | Func::Factorial), _) = node {
            out.insert(function_name(*f));
        }
    });
}

/// True when `e` draws a random number, so the mechanism needs `RANDOM rng`.
pub fn uses_random(e: &MExpr) -> bool {
    let mut found = false;
    visit(e, &mut |node| {
        found |= matches!(node, MExpr::Random(_) | MExpr::Call(Func::Random, _));
    });
    found
}

/// True when `WATCH (<printed e>) flag` compiles on NEURON 9: `e` is one comparison whose
/// sides hold no comparison, logic, generated FUNCTION or random draw. Any other condition
/// has to be computed into an ASSIGNED variable and watched as `(var > 0.5)`.
pub fn watchable(e: &MExpr) -> bool {
    let MExpr::Bin(op, l, r) = e else {
        return false;
    };
    is_comparison(*op) && is_plain_arithmetic(l) && is_plain_arithmetic(r)
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le | BinOp::Eq | BinOp::Ne
    )
}

fn is_plain_arithmetic(e: &MExpr) -> bool {
    let mut plain = true;
    visit(e, &mut |node| {
        plain &= match node {
            MExpr::Not(_) | MExpr::Random(_) => false,
            MExpr::Bin(op, _, _) => !is_comparison(*op) && !matches!(op, BinOp::And | BinOp::Or),
            MExpr::Call(f, _) => !matches!(f, Func::H | Func::Factorial | Func::Random),
            _ => true,
        };
    });
    plain
}

fn visit<'e>(e: &'e MExpr, f: &mut dyn FnMut(&'e MExpr)) {
    f(e);
    match e {
        MExpr::Neg(x) | MExpr::Not(x) | MExpr::Call(_, x) | MExpr::Random(x) => visit(x, f),
        MExpr::Bin(_, l, r) => {
            visit(l, f);
            visit(r, f);
        }
        MExpr::Num(_) | MExpr::Var(_) | MExpr::Ext(_) | MExpr::Time => {}
    }
}

/// The NMODL FUNCTION blocks of the generated functions in `used`, in name order.
pub fn function_definitions(used: &BTreeSet<&'static str>) -> String {
    let mut out = String::new();
    for name in used {
        match *name {
            HEAVISIDE => out.push_str(HEAVISIDE_DEF),
            FACTORIAL => out.push_str(FACTORIAL_DEF),
            _ => {}
        }
    }
    out
}

/// jLEMS's Heaviside step (as `lemsc_runtime::math::heaviside`): 0 below zero,
/// 1/2 at zero, 1 above, NaN stays NaN.
const HEAVISIDE_DEF: &str = "\
FUNCTION nml_H(x) {
    if (x > 0) {
        nml_H = 1
    } else if (x < 0) {
        nml_H = 0
    } else if (x == 0) {
        nml_H = 0.5
    } else {
        nml_H = x
    }
}
";

/// `1*2*...*k` over the integers k <= x, as `lemsc_runtime::math::factorial`:
/// 1 for x < 1 and NaN, and it stops once the product is infinite.
const FACTORIAL_DEF: &str = "\
FUNCTION nml_factorial(x) {
    LOCAL k
    nml_factorial = 1
    k = 1
    while (k <= x && nml_factorial <= 1.7976931348623157e308) {
        nml_factorial = nml_factorial * k
        k = k + 1
    }
}
";

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str) -> String {
        name.replace('.', "_")
    }

    fn external(e: &External) -> String {
        match e {
            External::Voltage => "(v * 0.001)".to_string(),
            External::Temperature => "celsius + 273.15".to_string(),
            External::ConcentrationIn(ion) => format!("{ion}i"),
            other => format!("{other:?}"),
        }
    }

    fn print(e: &MExpr) -> String {
        Printer {
            var: &var,
            external: &external,
        }
        .expr(e)
    }

    fn n(x: f64) -> MExpr {
        MExpr::Num(x)
    }
    fn v(name: &str) -> MExpr {
        MExpr::Var(name.to_string())
    }
    fn bin(op: BinOp, l: MExpr, r: MExpr) -> MExpr {
        MExpr::Bin(op, Box::new(l), Box::new(r))
    }
    fn call(f: Func, x: MExpr) -> MExpr {
        MExpr::Call(f, Box::new(x))
    }

    #[test]
    fn numbers_round_trip_and_negatives_are_parenthesised() {
        assert_eq!(number(1.0), "1.0");
        assert_eq!(number(0.1), "0.1");
        assert_eq!(number(1e-5), "1e-5");
        assert_eq!(number(1.5e20), "1.5e20");
        assert_eq!(number(-0.065), "(-0.065)");
        assert_eq!(number(-0.0), "(-0.0)");
        for x in [
            0.1,
            1.0 / 3.0,
            6.02214076e23,
            5e-324,
            f64::MAX,
            -2.5e-12,
            1e16,
            123456.789,
        ] {
            let text = number(x);
            let digits = text.trim_start_matches("(-").trim_end_matches(')');
            let back: f64 = digits.parse().unwrap();
            assert_eq!(back, x.abs(), "{x} printed as {text}");
        }
    }

    #[test]
    fn non_finite_numbers_become_ieee_expressions() {
        assert_eq!(number(f64::INFINITY), "(1e308 * 1e308)");
        assert_eq!(number(f64::NEG_INFINITY), "(-(1e308 * 1e308))");
        assert_eq!(number(f64::NAN), "(0 * (1e308 * 1e308))");
        assert_eq!(1e308_f64 * 1e308, f64::INFINITY);
        assert!((0.0 * (1e308_f64 * 1e308)).is_nan());
    }

    #[test]
    fn every_binary_operation_is_parenthesised() {
        // a - (b - c) * d ^ 2
        let e = bin(
            BinOp::Sub,
            v("a"),
            bin(
                BinOp::Mul,
                bin(BinOp::Sub, v("b"), v("c")),
                bin(BinOp::Pow, v("d"), n(2.0)),
            ),
        );
        assert_eq!(print(&e), "(a - ((b - c) * (d ^ 2.0)))");
        let cmp = bin(
            BinOp::Or,
            bin(
                BinOp::And,
                bin(BinOp::Ge, v("x"), n(0.0)),
                bin(BinOp::Ne, v("y"), n(1.0)),
            ),
            MExpr::Not(Box::new(bin(BinOp::Le, v("x"), n(-1.0)))),
        );
        assert_eq!(
            print(&cmp),
            "(((x >= 0.0) && (y != 1.0)) || (!(x <= (-1.0))))"
        );
        assert_eq!(
            print(&bin(BinOp::Eq, MExpr::Neg(Box::new(v("a"))), v("b"))),
            "((-a) == b)"
        );
        assert_eq!(print(&bin(BinOp::Lt, v("a"), v("b"))), "(a < b)");
        assert_eq!(print(&bin(BinOp::Gt, v("a"), v("b"))), "(a > b)");
        assert_eq!(print(&bin(BinOp::Div, v("a"), v("b"))), "(a / b)");
        assert_eq!(print(&bin(BinOp::Add, v("a"), v("b"))), "(a + b)");
    }

    #[test]
    fn variables_externals_and_time() {
        assert_eq!(print(&v("na.m.q")), "na_m_q");
        assert_eq!(
            print(&bin(BinOp::Sub, MExpr::Ext(External::Voltage), v("e"))),
            "((v * 0.001) - e)"
        );
        // Text that is not one operand gets parentheses.
        assert_eq!(
            print(&bin(BinOp::Mul, n(2.0), MExpr::Ext(External::Temperature))),
            "(2.0 * (celsius + 273.15))"
        );
        assert_eq!(
            print(&MExpr::Ext(External::ConcentrationIn("ca".into()))),
            "cai"
        );
        assert_eq!(print(&MExpr::Time), "(t * 0.001)");
    }

    #[test]
    fn functions() {
        let cases = [
            (Func::Exp, "exp(x)"),
            (Func::Log, "log(x)"),
            (Func::Ln, "log(x)"),
            (Func::Sqrt, "sqrt(x)"),
            (Func::Sin, "sin(x)"),
            (Func::Cos, "cos(x)"),
            (Func::Tan, "tan(x)"),
            (Func::Sinh, "sinh(x)"),
            (Func::Cosh, "cosh(x)"),
            (Func::Tanh, "tanh(x)"),
            (Func::Abs, "fabs(x)"),
            (Func::Ceil, "ceil(x)"),
            (Func::Floor, "floor(x)"),
            (Func::H, "nml_H(x)"),
            (Func::Factorial, "nml_factorial(x)"),
        ];
        for (f, text) in cases {
            assert_eq!(print(&call(f, v("x"))), text);
        }
        assert_eq!(
            print(&call(Func::Exp, bin(BinOp::Div, v("a"), n(-2.0)))),
            "exp((a / (-2.0)))"
        );
    }

    #[test]
    fn long_expressions_are_wrapped_between_tokens() {
        let mut e = v("gate_forwardRate_rate");
        for k in 0..40 {
            e = bin(
                BinOp::Add,
                e,
                bin(BinOp::Mul, n(k as f64 + 0.5), v("gate_x")),
            );
        }
        let text = print(&e);
        assert!(text.lines().count() > 5, "{text}");
        assert!(text.lines().all(|l| l.len() <= WRAP_AT), "{text}");
        let joined: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut flat = String::new();
        Printer {
            var: &var,
            external: &external,
        }
        .write(&e, &mut flat);
        assert_eq!(joined, flat);
    }

    #[test]
    fn random_draws_from_the_mechanism_stream() {
        let r = MExpr::Random(Box::new(v("rate")));
        assert_eq!(print(&r), "(rate * random_uniform(rng))");
        assert!(uses_random(&bin(BinOp::Add, n(1.0), r)));
        assert!(!uses_random(&call(Func::Exp, v("x"))));
    }

    #[test]
    fn used_functions_collects_generated_functions_only() {
        let e = bin(
            BinOp::Add,
            call(Func::H, v("x")),
            call(Func::Exp, call(Func::Factorial, v("n"))),
        );
        let mut used = BTreeSet::new();
        used_functions(&e, &mut used);
        assert_eq!(used.into_iter().collect::<Vec<_>>(), [HEAVISIDE, FACTORIAL]);
        let mut none = BTreeSet::new();
        used_functions(&call(Func::Exp, v("x")), &mut none);
        assert!(none.is_empty());
        assert_eq!(function_definitions(&none), "");
    }

    #[test]
    fn function_definitions_define_what_is_used() {
        let used = BTreeSet::from([HEAVISIDE, FACTORIAL]);
        let text = function_definitions(&used);
        let factorial_at = text.find("FUNCTION nml_factorial(x)").unwrap();
        let heaviside_at = text.find("FUNCTION nml_H(x)").unwrap();
        assert!(heaviside_at < factorial_at);
        assert_eq!(text.matches('{').count(), text.matches('}').count());
    }

    #[test]
    fn watchable_accepts_one_plain_comparison_only() {
        let volt = MExpr::Ext(External::Voltage);
        assert!(watchable(&bin(BinOp::Gt, volt.clone(), v("thresh"))));
        assert!(watchable(&bin(
            BinOp::Ge,
            call(Func::Abs, MExpr::Time),
            n(-1.0)
        )));
        assert!(!watchable(&v("x")));
        assert!(!watchable(&bin(
            BinOp::And,
            bin(BinOp::Gt, v("a"), v("b")),
            bin(BinOp::Lt, v("c"), v("d"))
        )));
        assert!(!watchable(&MExpr::Not(Box::new(bin(
            BinOp::Lt,
            v("a"),
            v("b")
        )))));
        assert!(!watchable(&bin(BinOp::Gt, call(Func::H, v("a")), n(0.5))));
        assert!(!watchable(&bin(
            BinOp::Gt,
            bin(BinOp::Add, bin(BinOp::Gt, v("a"), v("b")), n(1.0)),
            n(1.5)
        )));
    }
}
