//! Arbitrary text through the expression parser and the quantity splitter. What parses must
//! print back to text that parses to the same tree; what does not must give a Diagnostic with
//! a span inside the text.
#![no_main]

use std::path::PathBuf;

use lemsc::diag::{render, SourceMap, Span};
use lemsc::front::expr::{parse, Expr, ExprKind};
use lemsc::front::quantity::{split_quantity, split_quantity_at};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let mut sources = SourceMap::new();
    let file = sources.add(
        PathBuf::from("fuzz.txt"),
        "fuzz.txt".into(),
        text.to_string(),
    );
    let whole = Span::new(file, 0, text.len());

    match parse(text, whole) {
        Ok(expr) => {
            assert_spans_in_text(&expr, text);
            let printed = expr.to_string();
            let again = match parse(&printed, Span::new(file, 0, printed.len())) {
                Ok(e) => e,
                Err(d) => panic!(
                    "{text:?} printed as {printed:?}, which does not parse: {}",
                    d.message
                ),
            };
            assert!(
                same_tree(&expr, &again),
                "{text:?} printed as {printed:?}, which parses to a different tree:\n{expr:?}\n{again:?}"
            );
        }
        Err(diag) => {
            if let Some((span, _)) = &diag.primary {
                assert_span_in_text(*span, text);
            }
            let _ = render(&sources, &[diag], false);
        }
    }

    if let Ok((_, unit)) = split_quantity(text) {
        assert!(text.contains(unit));
    }
    if let Err(diag) = split_quantity_at(text, whole) {
        if let Some((span, _)) = &diag.primary {
            assert_span_in_text(*span, text);
        }
        let _ = render(&sources, &[diag], false);
    }
});

/// Structural equality, ignoring spans (the printed text has different ones).
fn same_tree(a: &Expr, b: &Expr) -> bool {
    match (&a.kind, &b.kind) {
        (ExprKind::Number(x), ExprKind::Number(y)) => x == y || (x.is_nan() && y.is_nan()),
        (ExprKind::Name(x), ExprKind::Name(y)) => x == y,
        (ExprKind::Neg(x), ExprKind::Neg(y)) | (ExprKind::Not(x), ExprKind::Not(y)) => {
            same_tree(x, y)
        }
        (ExprKind::Binary(op1, l1, r1), ExprKind::Binary(op2, l2, r2)) => {
            op1 == op2 && same_tree(l1, l2) && same_tree(r1, r2)
        }
        (ExprKind::Call(f1, a1), ExprKind::Call(f2, a2)) => {
            f1 == f2 && a1.len() == a2.len() && a1.iter().zip(a2).all(|(x, y)| same_tree(x, y))
        }
        _ => false,
    }
}

fn assert_spans_in_text(e: &Expr, text: &str) {
    assert_span_in_text(e.span, text);
    match &e.kind {
        ExprKind::Number(_) | ExprKind::Name(_) => {}
        ExprKind::Neg(x) | ExprKind::Not(x) => assert_spans_in_text(x, text),
        ExprKind::Binary(_, l, r) => {
            assert_spans_in_text(l, text);
            assert_spans_in_text(r, text);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| assert_spans_in_text(a, text)),
    }
}

/// A span must be an in-bounds range on character boundaries, or rendering it goes wrong.
fn assert_span_in_text(span: Span, text: &str) {
    assert!(
        text.get(span.start as usize..span.end as usize).is_some(),
        "span {}..{} is not a character range of the {}-byte text {text:?}",
        span.start,
        span.end,
        text.len()
    );
}
