//! The JIT-compiled expressions give exactly what `eval` gives.

use inkwell::context::Context;

use super::jit::compile_standalone;
use crate::diag::{FileId, SourceMap, Span};
use crate::front::expr::{self, Expr};
use crate::front::syntax::Element;
use crate::front::xml::parse_element_tree;

fn parse(text: &str) -> Expr {
    expr::parse(text, Span::new(FileId(0), 0, text.len())).expect("test expression parses")
}

fn eval_with(e: &Expr, names: &[&str], vars: &[f64]) -> f64 {
    let lookup = |n: &str| names.iter().position(|m| *m == n).map(|i| vars[i]);
    expr::eval(e, &lookup, &mut || 0.5).expect("eval succeeds")
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Asserts that each expression, JIT-compiled, equals `eval` on every set of values.
fn assert_matches_eval(exprs: &[&Expr], names: &[&str], value_sets: &[Vec<f64>]) {
    let context = Context::create();
    let jit = compile_standalone(&context, exprs, names).expect("expressions compile");
    assert_eq!(jit.len(), exprs.len());
    let mut mismatches = Vec::new();
    for vars in value_sets {
        for (k, e) in exprs.iter().enumerate() {
            let (native, interpreted) = (jit.call(k, vars), eval_with(e, names, vars));
            if !same(native, interpreted) {
                mismatches.push(format!(
                    "{e:?} with {vars:?}: native {native:e}, eval {interpreted:e}"
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// One expression of one variable `x`, at each of `xs`.
fn assert_single(text: &str, xs: &[f64]) {
    let e = parse(text);
    let sets: Vec<Vec<f64>> = xs.iter().map(|&x| vec![x]).collect();
    assert_matches_eval(&[&e], &["x"], &sets);
}

const SPECIAL: [f64; 14] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.0,
    1e-300,
    -1e300,
    710.0,
    -745.5,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

/// A small deterministic generator (64-bit LCG) for pseudo-random test values.
struct Lcg(u64);

impl Lcg {
    fn unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Values of mixed sign and magnitude: SI voltages, rates, concentrations, zeros.
    fn value(&mut self) -> f64 {
        let scale = [1e-3, 0.07, 1.0, 30.0, 1e3][(self.unit() * 5.0) as usize % 5];
        match (self.unit() * 10.0) as u32 {
            0 => 0.0,
            1 => 1.0,
            _ => (self.unit() * 2.0 - 1.0) * scale,
        }
    }
}

#[test]
fn arithmetic_operators_match_eval() {
    let names = ["a", "b"];
    let es: Vec<Expr> = [
        "a + b", "a - b", "a * b", "a / b", "-a", "a ^ b", "a^2", "a^0.5",
    ]
    .iter()
    .map(|t| parse(t))
    .collect();
    let refs: Vec<&Expr> = es.iter().collect();
    let mut sets = Vec::new();
    for &a in &SPECIAL {
        for &b in &SPECIAL {
            sets.push(vec![a, b]);
        }
    }
    assert_matches_eval(&refs, &names, &sets);
}

#[test]
fn comparisons_and_logic_give_one_or_zero_as_eval() {
    let names = ["a", "b"];
    let texts = [
        "a .gt. b",
        "a .lt. b",
        "a .geq. b",
        "a .leq. b",
        "a .eq. b",
        "a .neq. b",
        "a .and. b",
        "a .or. b",
        ".not. a",
    ];
    let es: Vec<Expr> = texts.iter().map(|t| parse(t)).collect();
    let refs: Vec<&Expr> = es.iter().collect();
    let values = [0.0, -0.0, 1.0, -3.0, f64::NAN, f64::INFINITY];
    let mut sets = Vec::new();
    for &a in &values {
        for &b in &values {
            sets.push(vec![a, b]);
        }
    }
    assert_matches_eval(&refs, &names, &sets);
    let context = Context::create();
    let jit = compile_standalone(&context, &[refs[6], refs[7]], &names).unwrap();
    assert_eq!(jit.call(0, &[2.0, f64::NAN]), 1.0, "NaN counts as true");
    assert_eq!(jit.call(1, &[0.0, 0.0]), 0.0);
}

#[test]
fn heaviside_is_one_half_at_zero() {
    assert_single("H(x)", &SPECIAL);
    let e = parse("H(x)");
    let context = Context::create();
    let jit = compile_standalone(&context, &[&e], &["x"]).unwrap();
    assert_eq!(jit.call(0, &[0.0]), 0.5);
    assert_eq!(jit.call(0, &[-1e-300]), 0.0);
    assert_eq!(jit.call(0, &[1e-300]), 1.0);
    assert!(
        jit.call(0, &[f64::NAN]).is_nan(),
        "NaN stays NaN, as in the runtime"
    );
}

#[test]
fn every_maths_function_matches_rust_bit_for_bit() {
    let mut rng = Lcg(7);
    let mut xs: Vec<f64> = SPECIAL.to_vec();
    xs.extend((0..200).map(|_| rng.value()));
    xs.extend((0..50).map(|_| (rng.unit() - 0.5) * 1e6));
    for f in [
        "exp", "log", "ln", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs", "ceil",
        "floor",
    ] {
        assert_single(&format!("{f}(x)"), &xs);
        // A constant argument may be folded at compile time; that must agree too.
        for c in ["0.3", "2", "-1.5", "700"] {
            let e = parse(&format!("{f}({c})"));
            assert_matches_eval(&[&e], &[], &[vec![]]);
        }
    }
}

#[test]
fn random_and_factorial_are_refused_at_their_span() {
    for text in ["1 + random(x)", "factorial(x) * 2"] {
        let e = parse(text);
        let context = Context::create();
        let err = compile_standalone(&context, &[&e], &["x"])
            .err()
            .expect("refused");
        assert!(
            err.message
                .contains("is not supported by the native backend yet"),
            "{}",
            err.message
        );
        let span = err.primary.expect("located").0;
        let call = if text.starts_with('1') {
            "random(x)"
        } else {
            "factorial(x)"
        };
        let start = text.find(call).unwrap();
        assert_eq!(
            (span.start as usize, span.end as usize),
            (start, start + call.len())
        );
    }
}

#[test]
fn unknown_names_are_errors_at_the_name() {
    let e = parse("a + bee");
    let context = Context::create();
    let err = compile_standalone(&context, &[&e], &["a"])
        .err()
        .expect("refused");
    assert!(err.message.contains("'bee'"), "{}", err.message);
    assert_eq!(err.primary.expect("located").0.start, 4);
}

/// Every expression of our built-in core types: values, rates, assignments and conditions.
fn core_type_expressions() -> Vec<Expr> {
    fn walk(el: &Element, out: &mut Vec<Expr>) {
        let attr = match el.name.as_str() {
            "DerivedVariable" | "DerivedParameter" | "TimeDerivative" | "StateAssignment" => {
                el.attr("value")
            }
            "Case" => el.attr("value"),
            "OnCondition" => el.attr("test"),
            _ => None,
        };
        if el.name == "Case" {
            out.extend(
                el.attr("condition")
                    .and_then(|a| expr::parse(&a.value, a.value_span).ok()),
            );
        }
        if let Some(a) = attr {
            let e = expr::parse(&a.value, a.value_span)
                .unwrap_or_else(|d| panic!("core type expression {:?}: {}", a.value, d.message));
            out.push(e);
        }
        for c in &el.children {
            walk(c, out);
        }
    }
    let mut sources = SourceMap::new();
    let mut out = Vec::new();
    for (name, text) in lems_defs::FILES {
        let file = sources.add(name.into(), name.to_string(), text.to_string());
        let root = parse_element_tree(&sources, file).expect("built-in file parses");
        walk(&root, &mut out);
    }
    out
}

fn uses_unsupported(e: &Expr) -> bool {
    use expr::{ExprKind, Func};
    match &e.kind {
        ExprKind::Call(f, args) => {
            matches!(f, Func::Random | Func::Factorial) || args.iter().any(uses_unsupported)
        }
        ExprKind::Neg(x) | ExprKind::Not(x) => uses_unsupported(x),
        ExprKind::Binary(_, l, r) => uses_unsupported(l) || uses_unsupported(r),
        ExprKind::Number(_) | ExprKind::Name(_) => false,
    }
}

#[test]
fn every_core_type_expression_matches_eval() {
    let all = core_type_expressions();
    assert!(all.len() > 300, "found only {} expressions", all.len());
    let supported: Vec<&Expr> = all.iter().filter(|e| !uses_unsupported(e)).collect();
    // Only the random inputs (Poisson spike sources) are left out.
    assert!(
        supported.len() * 10 > all.len() * 9,
        "{} of {}",
        supported.len(),
        all.len()
    );
    let mut names: Vec<&str> = supported
        .iter()
        .flat_map(|e| expr::names(e))
        .map(|(n, _)| n)
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut rng = Lcg(2026);
    let mut sets = vec![vec![0.0; names.len()], vec![1.0; names.len()]];
    sets.extend((0..6).map(|_| names.iter().map(|_| rng.value()).collect()));
    // All negative and all positive, so signs and conditions go both ways.
    sets.push(names.iter().map(|_| -rng.unit() * 0.1).collect());
    sets.push(names.iter().map(|_| rng.unit() * 100.0).collect());
    assert_matches_eval(&supported, &names, &sets);
}
