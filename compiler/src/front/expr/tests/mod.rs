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

#[test]
fn every_accepted_tree_prints_to_text_that_parses_again() {
    // Printing brackets nested prefix operators, doubling their nesting: what would print
    // too deep is refused, and what is accepted prints to text that parses to the same tree.
    for prefix in ["-", ".not. "] {
        for n in [100, 127, 128, 129, 200] {
            let text = prefix.repeat(n) + "x";
            match parse(&text, span_of(&text)) {
                Ok(e) => {
                    let printed = e.to_string();
                    let again =
                        parse(&printed, span_of(&printed)).expect("the printed form parses");
                    assert_eq!(again.to_string(), printed);
                }
                Err(d) => {
                    assert!(n > 128, "{n} prefixes refused: {}", d.message);
                    assert!(d.message.contains("nested too deeply"));
                }
            }
        }
    }
}

mod official;
