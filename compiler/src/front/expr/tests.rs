//! Unit tests of parsing, printing, inference and evaluation.

use super::*;
use crate::diag::FileId;

fn span_of(text: &str) -> Span {
    Span::new(FileId(0), 100, 100 + text.len())
}

pub(super) fn p(text: &str) -> Expr {
    parse(text, span_of(text)).unwrap_or_else(|d| panic!("{text:?}: {}", d.message))
}

pub(super) fn err(text: &str) -> Diagnostic {
    match parse(text, span_of(text)) {
        Ok(e) => panic!("{text:?} parsed as {e}"),
        Err(d) => d,
    }
}

/// The bytes of `text` that a diagnostic's primary span covers.
fn pointed<'a>(text: &'a str, d: &Diagnostic) -> &'a str {
    let (s, _) = d.primary.as_ref().expect("diagnostic without a span");
    &text[s.start as usize - 100..s.end as usize - 100]
}

/// The same tree with every span replaced, for comparing structure only.
pub(super) fn shape(e: &Expr) -> Expr {
    let span = Span::new(FileId(0), 0, 0);
    let kind = match &e.kind {
        ExprKind::Neg(x) => ExprKind::Neg(Box::new(shape(x))),
        ExprKind::Not(x) => ExprKind::Not(Box::new(shape(x))),
        ExprKind::Binary(op, l, r) => ExprKind::Binary(*op, Box::new(shape(l)), Box::new(shape(r))),
        ExprKind::Call(f, args) => ExprKind::Call(*f, args.iter().map(shape).collect()),
        other => other.clone(),
    };
    Expr { kind, span }
}

/// Parses, prints, re-parses and checks the tree is unchanged; returns the printed form.
pub(super) fn round_trip(text: &str) -> String {
    let e = p(text);
    let printed = e.to_string();
    let again = p(&printed);
    assert_eq!(shape(&e), shape(&again), "{text:?} printed as {printed:?}");
    assert_eq!(
        printed,
        again.to_string(),
        "printing is not stable for {text:?}"
    );
    printed
}

#[test]
fn numbers() {
    for (text, v) in [
        ("1", 1.0),
        ("0.5", 0.5),
        (".5", 0.5),
        ("1e-3", 1e-3),
        ("2.5E+2", 250.0),
        ("3.", 3.0),
        ("7E2", 700.0),
    ] {
        assert_eq!(p(text).kind, ExprKind::Number(v), "{text}");
    }
    // An `e` without digits after it is not an exponent: `2e` is a number then a name.
    assert!(err("2e")
        .message
        .contains("expected an operator, found 'e'"));
    assert!(err("1e999").message.contains("too large"));
}

#[test]
fn precedence_and_grouping() {
    let cases = [
        ("a + b * c", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("a - b - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("a / b * c", "a / b * c"),
        ("a / (b * c)", "a / (b * c)"),
        // jLEMS groups `^` left to right.
        ("a^b^c", "(a^b)^c"),
        ("a^(b^c)", "a^(b^c)"),
        ("-x^2", "-(x^2)"),
        ("(-x)^2", "(-x)^2"),
        ("a * -b", "a * -b"),
        ("a^-2", "a^(-2)"),
        ("--a", "-(-a)"),
        ("+a", "a"),
        ("2*+a", "2 * a"),
        ("exp(-(v - v0) / k)", "exp(-(v - v0) / k)"),
        ("a .gt. b + 1", "a .gt. b + 1"),
        (
            "a .gt. b .and. c .lt. d .or. e .eq. f",
            "a .gt. b .and. c .lt. d .or. e .eq. f",
        ),
        ("a .and. (b .or. c)", "a .and. (b .or. c)"),
        (".not. a .gt. b", ".not. a .gt. b"),
        (
            ".not. (a .gt. b .and. c .lt. d)",
            ".not. (a .gt. b .and. c .lt. d)",
        ),
        ("H(x)*random(2)", "H(x) * random(2)"),
        ("1.5e-7 * x", "1.5e-7 * x"),
        ("0.1 + 0.2", "0.1 + 0.2"),
        ("(((a)))", "a"),
    ];
    for (text, want) in cases {
        assert_eq!(round_trip(text), want, "{text}");
    }
    // Structure, not only printing.
    let e = p("a^b^c");
    let ExprKind::Binary(BinOp::Pow, l, _) = &e.kind else {
        panic!()
    };
    assert!(matches!(l.kind, ExprKind::Binary(BinOp::Pow, ..)));
    let e = p("-x^2");
    let ExprKind::Neg(inner) = &e.kind else {
        panic!("{e:?}")
    };
    assert!(matches!(inner.kind, ExprKind::Binary(BinOp::Pow, ..)));
}

#[test]
fn all_operators_and_functions() {
    for f in Func::ALL {
        let text = format!("{}(x + 1)", f.name());
        assert_eq!(round_trip(&text), text);
    }
    for op in [".gt.", ".lt.", ".geq.", ".leq.", ".eq.", ".neq."] {
        let e = p(&format!("a {op} b"));
        let ExprKind::Binary(b, ..) = e.kind else {
            panic!()
        };
        assert_eq!(b.symbol(), op);
    }
}

#[test]
fn spans_cover_their_text() {
    let text = "  exp(-(v - vh) / k) * g ";
    let span = Span::new(FileId(3), 50, 50 + text.len());
    let e = parse(text, span).unwrap();
    let cut = |s: Span| &text[s.start as usize - 50..s.end as usize - 50];
    assert_eq!(e.span.file, FileId(3));
    assert_eq!(cut(e.span), "exp(-(v - vh) / k) * g");
    let ExprKind::Binary(_, call, g) = &e.kind else {
        panic!()
    };
    assert_eq!(cut(call.span), "exp(-(v - vh) / k)");
    assert_eq!(cut(g.span), "g");
    let ns: Vec<(&str, &str)> = names(&e).into_iter().map(|(n, s)| (n, cut(s))).collect();
    assert_eq!(ns, vec![("v", "v"), ("vh", "vh"), ("k", "k"), ("g", "g")]);
    let ExprKind::Call(_, args) = &call.kind else {
        panic!()
    };
    let ExprKind::Binary(BinOp::Div, neg, _) = &args[0].kind else {
        panic!()
    };
    assert_eq!(cut(neg.span), "-(v - vh)");
}

#[test]
fn names_in_order_with_repeats() {
    let e = p("a * b + a / c");
    let got: Vec<&str> = names(&e).into_iter().map(|(n, _)| n).collect();
    assert_eq!(got, ["a", "b", "a", "c"]);
    assert!(names(&p("1 + 2")).is_empty());
}

#[test]
fn syntax_errors_point_at_the_problem() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "a *",
            "expected an operand after '*', found end of expression",
            "",
        ),
        ("a * / b", "expected an operand after '*', found '/'", "/"),
        ("foo(x)", "unknown function 'foo'", "foo"),
        ("(a + b", "unbalanced parenthesis", "("),
        ("a + b)", "unbalanced parenthesis", ")"),
        ("a .gx. b", "unexpected '.gx.'", ".gx."),
        ("a .ge. b", "unexpected '.ge.'", ".ge."),
        ("a .GT. b", "unexpected '.GT.'", ".GT."),
        ("a .gt b", "unexpected '.gt'", ".gt"),
        ("a b", "expected an operator, found 'b'", "b"),
        ("", "expected an expression", ""),
        ("   ", "expected an expression", "   "),
        (
            "exp + 1",
            "function 'exp' needs an argument in parentheses",
            "exp",
        ),
        ("exp()", "needs one argument, found none", ")"),
        ("exp(a, b)", "takes exactly one argument", ","),
        ("a # b", "unexpected character '#'", "#"),
        ("a ≤ b", "unexpected character '≤'", "≤"),
        ("()", "expected an operand after '(', found ')'", ")"),
        ("(a b)", "expected ')' or an operator, found 'b'", "b"),
        (")", "unbalanced parenthesis", ")"),
        (
            "a .and.",
            "expected an operand after '.and.', found end of expression",
            "",
        ),
        (".not.", "expected an operand after '.not.'", ""),
    ];
    for (text, message, at) in cases {
        let d = err(text);
        assert!(
            d.message.contains(message),
            "{text:?}: got {:?}, expected {message:?}",
            d.message
        );
        assert_eq!(
            pointed(text, &d),
            *at,
            "{text:?}: wrong place for {:?}",
            d.message
        );
    }
    assert!(err("a .ge. b").notes.iter().any(|n| n.contains(".geq.")));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let open = "(".repeat(100_000);
    assert!(err(&open).message.contains("nested too deeply"));
    let balanced = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
    assert!(err(&balanced).message.contains("nested too deeply"));
    let minus = "-".repeat(100_000) + "x";
    assert!(err(&minus).message.contains("nested too deeply"));
    let chain = vec!["x"; 100_000].join(" + ");
    assert!(err(&chain).message.contains("nested too deeply"));
    let calls = "exp(".repeat(3000) + "x" + &")".repeat(3000);
    assert!(err(&calls).message.contains("nested too deeply"));
    // Just under the limit is fine, and printing it does not overflow either.
    let ok = format!("{}x{}", "(".repeat(200), ")".repeat(200));
    assert_eq!(round_trip(&ok), "x");
    let long = vec!["x"; 200].join(" * ");
    round_trip(&long);
}

/// A tiny deterministic generator (xorshift) so the fuzz tests are reproducible.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_bytes_and_token_soup_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = rng.below(24);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text, span_of(&text));
        let _ = crate::front::quantity::split_quantity(&text);
    }
    let tokens = [
        "a", "x1", "_v", "1", "0.5", ".5", "1e-3", "2E+2", "e", "+", "-", "*", "/", "^", "(", ")",
        ",", ".gt.", ".and.", ".not.", ".or.", ".eq.", ".", ".g", "exp", "H", "random", "foo", " ",
        "mV", "1..2", "é",
    ];
    let mut parsed = 0;
    for _ in 0..5000 {
        let n = 1 + rng.below(10);
        let text: String = (0..n)
            .map(|_| tokens[rng.below(tokens.len())])
            .collect::<Vec<_>>()
            .join(" ");
        if let Ok(e) = parse(&text, span_of(&text)) {
            parsed += 1;
            round_trip(&text);
            let _ = infer_type(&e, &mut |_, _| Ok(Dim::TIME));
            let _ = eval(&e, &|_| Some(0.25), &mut || 0.5);
        }
        let _ = crate::front::quantity::split_quantity(&text);
    }
    assert!(
        parsed > 100,
        "the soup should contain valid expressions too, got {parsed}"
    );
}

// ----- dimensions

fn voltage() -> Dim {
    Dim {
        m: 1,
        l: 2,
        t: -3,
        i: -1,
        ..Dim::NONE
    }
}

fn dims_of(name: &str) -> Option<Dim> {
    Some(match name {
        "v" | "vh" | "e" => voltage(),
        "t" | "tau" => Dim::TIME,
        "g" => Dim {
            m: -1,
            l: -2,
            t: 3,
            i: 2,
            ..Dim::NONE
        },
        "area" => Dim { l: 2, ..Dim::NONE },
        "k" | "n" => Dim::NONE,
        _ => return None,
    })
}

fn ty(text: &str) -> Result<Type, Diagnostic> {
    let e = p(text);
    infer_type(&e, &mut |n, s| {
        dims_of(n).ok_or_else(|| Diagnostic::at(s, format!("undefined variable '{n}'")))
    })
}

fn dim_err(text: &str) -> String {
    match ty(text) {
        Ok(t) => panic!("{text:?} type-checked as {t:?}"),
        Err(d) => d.message,
    }
}

#[test]
fn dimension_rules() {
    assert_eq!(ty("v - e").unwrap(), Type::Number(voltage()));
    assert_eq!(
        ty("g * (v - e)").unwrap(),
        Type::Number(Dim { i: 1, ..Dim::NONE })
    );
    assert_eq!(
        ty("(v - vh) / tau").unwrap(),
        Type::Number(voltage() / Dim::TIME)
    );
    assert_eq!(ty("exp((v - vh) / v)").unwrap(), Type::Number(Dim::NONE));
    assert_eq!(ty("v^2").unwrap(), Type::Number(voltage().powi(2)));
    assert_eq!(ty("v^-1").unwrap(), Type::Number(voltage().recip()));
    assert_eq!(
        ty("sqrt(area)").unwrap(),
        Type::Number(Dim { l: 1, ..Dim::NONE })
    );
    assert_eq!(ty("abs(v)").unwrap(), Type::Number(voltage()));
    assert_eq!(ty("random(tau)").unwrap(), Type::Number(Dim::TIME));
    assert_eq!(ty("H(v)").unwrap(), Type::Number(Dim::NONE));
    assert_eq!(ty("k^n").unwrap(), Type::Number(Dim::NONE));
    assert_eq!(ty("2 * v").unwrap(), Type::Number(voltage()));
    assert_eq!(ty("v .gt. vh .and. .not. t .lt. tau").unwrap(), Type::Bool);
    // A literal zero takes whatever dimension it is added to or compared with.
    assert_eq!(ty("v .gt. 0").unwrap(), Type::Bool);
    assert_eq!(ty("0 - v").unwrap(), Type::Number(voltage()));
    assert_eq!(ty("-0 .lt. t").unwrap(), Type::Bool);
    assert_eq!(ty("0").unwrap(), Type::Number(Dim::NONE));
    // Exponents that overflow the representation are an error, not a crash.
    let huge = vec!["v"; 130].join(" * ");
    assert!(dim_err(&huge).contains("beyond"));
    assert!(dim_err("v^60 * v^60 * v^60").contains("beyond"));

    let m = dim_err("v + t");
    assert!(
        m.contains("cannot add voltage (kg·m^2·s^-3·A^-1) and time (s)"),
        "{m}"
    );
    assert!(dim_err("v - t").contains("cannot subtract time (s) from voltage"));
    assert!(dim_err("v .gt. 1")
        .contains("cannot compare voltage (kg·m^2·s^-3·A^-1) with dimensionless"));
    assert!(dim_err("v + 1").contains("cannot add"));
    assert!(
        dim_err("exp(v)").contains("the argument of 'exp' must be dimensionless, found voltage")
    );
    assert!(dim_err("sqrt(v)").contains("square root"));
    assert!(dim_err("v^k").contains("constant integer power"));
    assert!(dim_err("v^1.5").contains("constant integer power"));
    assert!(dim_err("k^t").contains("exponent must be dimensionless"));
    assert!(dim_err("v .and. t .gt. 0").contains("expected a condition before '.and.'"));
    assert!(dim_err(".not. v").contains("expected a condition after '.not.'"));
    assert!(dim_err("(v .gt. 0) + 1").contains("expected a number before '+', found a condition"));
    assert!(dim_err("-(v .gt. 0)").contains("cannot negate a condition"));
    assert!(dim_err("exp(q)").contains("undefined variable 'q'"));

    let e = p("v .gt. 0");
    let d = infer_dim(&e, &mut |n, _| Ok(dims_of(n).unwrap())).unwrap_err();
    assert!(d
        .message
        .contains("expected a numeric expression, found a condition"));
}

#[test]
fn dimension_errors_point_at_the_expression() {
    let text = "g * (v + t)";
    let e = p(text);
    let d = infer_type(&e, &mut |n, _| Ok(dims_of(n).unwrap())).unwrap_err();
    assert_eq!(pointed(text, &d), "v + t");
    let labels: Vec<&str> = d.secondary.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(labels, ["voltage (kg·m^2·s^-3·A^-1)", "time (s)"]);
}

// ----- evaluation

fn value(text: &str) -> f64 {
    let vars = |n: &str| match n {
        "x" => Some(2.0),
        "y" => Some(-3.0),
        "z" => Some(0.0),
        _ => None,
    };
    eval(&p(text), &vars, &mut || 0.25).unwrap()
}

#[test]
fn evaluation() {
    assert_eq!(value("1 + 2 * 3"), 7.0);
    assert_eq!(value("2^3^2"), 64.0); // (2^3)^2, as jLEMS computes it
    assert_eq!(value("-x^2"), -4.0);
    assert_eq!(value("8 / 4 * 2"), 4.0);
    assert_eq!(value("x - y - 1"), 4.0);
    assert_eq!(value("exp(0) + log(1) + ln(1)"), 1.0);
    assert_eq!(value("sqrt(16) + abs(y) + ceil(0.2) + floor(1.7)"), 9.0);
    assert_eq!(value("H(y)"), 0.0);
    assert_eq!(value("H(z)"), 0.5);
    assert_eq!(value("H(x)"), 1.0);
    assert_eq!(value("random(8)"), 2.0);
    assert_eq!(value("factorial(5)"), 120.0);
    assert_eq!(value("x .gt. y"), 1.0);
    assert_eq!(value("x .leq. y"), 0.0);
    assert_eq!(value("x .geq. 2 .and. z .eq. 0"), 1.0);
    assert_eq!(value("x .neq. 2 .or. .not. z .lt. 0"), 1.0);
    assert_eq!(value("x .lt. 1 .or. y .gt. 1"), 0.0);
    assert!((value("sin(1)^2 + cos(1)^2") - 1.0).abs() < 1e-15);
    assert!((value("tanh(x) - sinh(x) / cosh(x)") + value("tan(0)")).abs() < 1e-15);
    let e = p("x + w");
    assert_eq!(
        eval(&e, &|_| None, &mut || 0.0).unwrap_err(),
        "no value for 'x'"
    );
    assert!(eval(&p("factorial(2.5)"), &|_| None, &mut || 0.0).is_err());
    // Trees built by hand may break the one-argument rule; that is an error, not a crash.
    let span = Span::new(FileId(0), 0, 0);
    let bad = Expr {
        kind: ExprKind::Call(Func::Exp, vec![]),
        span,
    };
    assert!(eval(&bad, &|_| None, &mut || 0.0).is_err());
    assert!(infer_type(&bad, &mut |_, _| Ok(Dim::NONE)).is_err());
}
