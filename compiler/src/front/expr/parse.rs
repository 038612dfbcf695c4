//! The parser: LEMS expression text to an [`Expr`] tree with spans.

use super::*;

/// Parses one LEMS expression. `span` is where `text` sits in its source file; every node's
/// span is the part of it that the node covers.
pub fn parse(text: &str, span: Span) -> Result<Expr, Diagnostic> {
    let tokens = Lexer { text, span }.tokens()?;
    let mut p = Parser {
        text,
        span,
        tokens,
        pos: 0,
        nesting: 0,
    };
    if p.peek() == &Tok::End {
        return Err(Diagnostic::at(
            span,
            "expected an expression, found an empty text",
        ));
    }
    let e = p.expr(PREC_LOGIC).map_err(|d| *d)?;
    let t = p.current().clone();
    match t.tok {
        // The printed form brackets more than the source may have; refuse what would print
        // deeper than the parser accepts, so that every accepted expression prints and parses.
        Tok::End if printed_nesting(&e.expr) > MAX_DEPTH => Err(Diagnostic::at(
            span,
            format!("expression is nested too deeply (more than {MAX_DEPTH} levels)"),
        )),
        Tok::End => Ok(e.expr),
        Tok::RParen => Err(Diagnostic::at(
            p.at(&t),
            "unbalanced parenthesis: this ')' has no matching '('",
        )),
        _ => Err(Diagnostic::at(
            p.at(&t),
            format!("expected an operator, found {}", describe(&t, text)),
        )
        .with_note("expected one of + - * / ^ or a dotted operator such as .gt. or .and.")),
    }
}

/// A parsed subtree, with its height (so over-deep trees are refused while being built) and
/// the span it covers including any parentheses around it (so a parent's span covers them).
pub(super) struct Parsed {
    expr: Expr,
    height: u32,
    outer: Span,
}

/// Boxed so the parser's many stack frames stay small.
pub(super) type PResult = Result<Parsed, Box<Diagnostic>>;

pub(super) struct Parser<'a> {
    text: &'a str,
    span: Span,
    tokens: Vec<Token>,
    pos: usize,
    /// How many parentheses, calls and prefix operators we are inside.
    nesting: u32,
}

impl Parser<'_> {
    fn current(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> &Tok {
        &self.current().tok
    }

    fn advance(&mut self) -> Token {
        let t = self.current().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn at(&self, t: &Token) -> Span {
        self.span.sub(t.start, t.end - t.start)
    }

    fn join(&self, a: Span, b: Span) -> Span {
        Span::new(
            self.span.file,
            a.start.min(b.start) as usize,
            a.end.max(b.end) as usize,
        )
    }

    fn too_deep(&self, t: &Token) -> Box<Diagnostic> {
        Box::new(
            Diagnostic::at(
                self.at(t),
                format!("expression is nested too deeply (more than {MAX_DEPTH} levels)"),
            )
            .with_note("split it into several derived variables"),
        )
    }

    fn enter(&mut self, t: &Token) -> Result<(), Box<Diagnostic>> {
        if self.nesting >= MAX_DEPTH {
            return Err(self.too_deep(t));
        }
        self.nesting += 1;
        Ok(())
    }

    fn node(&self, kind: ExprKind, span: Span, height: u32, at: &Token) -> PResult {
        if height > MAX_DEPTH {
            return Err(self.too_deep(at));
        }
        Ok(Parsed {
            expr: Expr { kind, span },
            height,
            outer: span,
        })
    }

    /// The binary operator at the cursor, if any.
    fn binary_op(&self) -> Option<BinOp> {
        Some(match self.peek() {
            Tok::Plus => BinOp::Add,
            Tok::Minus => BinOp::Sub,
            Tok::Star => BinOp::Mul,
            Tok::Slash => BinOp::Div,
            Tok::Caret => BinOp::Pow,
            Tok::DotOp(op) => *op,
            _ => return None,
        })
    }

    /// Precedence climbing over the binary operators binding at least as tight as
    /// `min_prec`; every level groups left to right, as in jLEMS.
    fn expr(&mut self, min_prec: u8) -> PResult {
        let mut left = self.prefixed()?;
        while let Some(op) = self.binary_op() {
            let prec = op.precedence();
            if prec < min_prec {
                break;
            }
            let t = self.advance();
            let right = if op == BinOp::Pow {
                self.operand_after(&t, |p| p.exponent())?
            } else {
                self.operand_after(&t, |p| p.expr(prec + 1))?
            };
            let span = self.join(left.outer, right.outer);
            let height = left.height.max(right.height) + 1;
            let kind = ExprKind::Binary(op, Box::new(left.expr), Box::new(right.expr));
            left = self.node(kind, span, height, &t)?;
        }
        Ok(left)
    }

    /// `.not.`, unary minus and plus, or a power chain.
    fn prefixed(&mut self) -> PResult {
        match self.peek() {
            Tok::Not => self.prefix(ExprKind::Not, |p| p.expr(PREC_CMP)),
            Tok::Minus => self.prefix(ExprKind::Neg, |p| p.expr(PREC_POW)),
            Tok::Plus => self.plus(|p| p.expr(PREC_POW)),
            _ => self.primary(),
        }
    }

    /// An exponent: signs, then one operand, so `a^-b^c` is `(a^(-b))^c` as in jLEMS.
    fn exponent(&mut self) -> PResult {
        match self.peek() {
            Tok::Minus => self.prefix(ExprKind::Neg, Self::exponent),
            Tok::Plus => self.plus(Self::exponent),
            _ => self.primary(),
        }
    }

    /// A prefix operator token at the cursor, applied to what `operand` parses.
    fn prefix(
        &mut self,
        make: fn(Box<Expr>) -> ExprKind,
        operand: fn(&mut Self) -> PResult,
    ) -> PResult {
        let t = self.advance();
        self.enter(&t)?;
        let inner = self.operand_after(&t, operand)?;
        self.nesting -= 1;
        let span = self.join(self.at(&t), inner.outer);
        self.node(make(Box::new(inner.expr)), span, inner.height + 1, &t)
    }

    /// Unary plus changes nothing: the operand is kept, its outer span widened.
    fn plus(&mut self, operand: fn(&mut Self) -> PResult) -> PResult {
        let t = self.advance();
        self.enter(&t)?;
        let mut inner = self.operand_after(&t, operand)?;
        self.nesting -= 1;
        inner.outer = self.join(self.at(&t), inner.outer);
        Ok(inner)
    }

    /// Parses what must follow operator token `op`, with an error naming `op` if nothing does.
    fn operand_after(&mut self, op: &Token, f: impl FnOnce(&mut Self) -> PResult) -> PResult {
        if matches!(
            self.peek(),
            Tok::Number(_) | Tok::Name(_) | Tok::LParen | Tok::Minus | Tok::Plus | Tok::Not
        ) {
            return f(self);
        }
        let found = self.current().clone();
        Err(Box::new(Diagnostic::at(
            self.at(&found),
            format!(
                "expected an operand after '{}', found {}",
                &self.text[op.start..op.end],
                describe(&found, self.text)
            ),
        )))
    }

    fn primary(&mut self) -> PResult {
        let t = self.advance();
        match &t.tok {
            Tok::Number(v) => self.node(ExprKind::Number(*v), self.at(&t), 1, &t),
            Tok::Name(name) => {
                let func = Func::from_name(name);
                if *self.peek() == Tok::LParen {
                    let Some(func) = func else {
                        let known: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
                        return Err(Box::new(
                            Diagnostic::at(self.at(&t), format!("unknown function '{name}'"))
                                .with_note(format!("expected one of: {}", known.join(", "))),
                        ));
                    };
                    return self.call(&t, func);
                }
                if let Some(func) = func {
                    let f = func.name();
                    return Err(Box::new(
                        Diagnostic::at(
                            self.at(&t),
                            format!("function '{f}' needs an argument in parentheses"),
                        )
                        .with_note(format!(
                            "write e.g. '{f}(x)'; '{f}' cannot be a variable name"
                        )),
                    ));
                }
                self.node(ExprKind::Name(name.clone()), self.at(&t), 1, &t)
            }
            Tok::LParen => {
                self.enter(&t)?;
                let mut inner = self.operand_after(&t, |p| p.expr(PREC_LOGIC))?;
                self.nesting -= 1;
                let close = self.close(&t)?;
                inner.outer = self.join(self.at(&t), self.at(&close));
                Ok(inner)
            }
            Tok::RParen => Err(Box::new(Diagnostic::at(
                self.at(&t),
                "unbalanced parenthesis: this ')' has no matching '('",
            ))),
            _ => Err(Box::new(Diagnostic::at(
                self.at(&t),
                format!("expected an operand, found {}", describe(&t, self.text)),
            ))),
        }
    }

    /// Expects the `)` that closes the `(` at `open`.
    fn close(&mut self, open: &Token) -> Result<Token, Box<Diagnostic>> {
        let t = self.current().clone();
        match t.tok {
            Tok::RParen => Ok(self.advance()),
            Tok::End => Err(Box::new(
                Diagnostic::at(
                    self.at(open),
                    "unbalanced parenthesis: this '(' is never closed",
                )
                .with_note("expected ')' before the end of the expression"),
            )),
            _ => Err(Box::new(
                Diagnostic::at(
                    self.at(&t),
                    format!(
                        "expected ')' or an operator, found {}",
                        describe(&t, self.text)
                    ),
                )
                .with_secondary(self.at(open), "to close this '('"),
            )),
        }
    }

    fn call(&mut self, name: &Token, func: Func) -> PResult {
        let open = self.advance();
        if *self.peek() == Tok::RParen {
            let t = self.current().clone();
            return Err(Box::new(Diagnostic::at(
                self.at(&t),
                format!("function '{}' needs one argument, found none", func.name()),
            )));
        }
        self.enter(&open)?;
        let arg = self.operand_after(&open, |p| p.expr(PREC_LOGIC))?;
        self.nesting -= 1;
        if *self.peek() == Tok::Comma {
            let t = self.current().clone();
            return Err(Box::new(Diagnostic::at(
                self.at(&t),
                format!("function '{}' takes exactly one argument", func.name()),
            )));
        }
        let close = self.close(&open)?;
        let span = self.join(self.at(name), self.at(&close));
        self.node(
            ExprKind::Call(func, vec![arg.expr]),
            span,
            arg.height + 1,
            name,
        )
    }
}
