//! The LEMS expression language: parsing with spans, printing, dimensional inference and
//! evaluation.
//!
//! The grammar follows jLEMS, the reference interpreter, where its behaviour is coherent:
//!
//! * precedence, loosest first: `.or.`/`.and.` (one level, left to right, as in jLEMS),
//!   `.not.`, comparisons, `+ -`, `* /`, unary `- +`, `^`. jLEMS ranks `-` above `+` and
//!   `/` above `*`; that only regroups sums and products, which gives the same values.
//! * `^` groups left to right like every jLEMS operator, so `a^b^c` is `(a^b)^c`;
//! * `-x^2` is `-(x^2)`, which is what jLEMS computes at the start of an expression or after
//!   `(` (jLEMS alone binds a minus that follows another operator tighter than `^`);
//! * jLEMS puts `.eq.` at the `.and.` level; here all six comparisons share one level, which
//!   gives the same trees for every official expression and avoids `(a .and. b) .eq. c`.
//! * Operators are case-sensitive, as in jLEMS (`.GT.` and `.ge.` are errors with a hint);
//!   `.not.` is accepted as a prefix operator although jLEMS has none.
//! * Functions take one argument: jLEMS's list (without its `sum`/`product`) plus `floor`.
//!
//! Dimensions: a literal number is dimensionless, except that a literal zero takes the
//! dimension of whatever it is added to or compared with, as jLEMS allows; the official core
//! types rely on it (`caConcExt .gt. 0`, `v .gt. 0`).

use std::fmt;

use lemsc_runtime::program::{BinOp as KOp, Func as KFunc};

use crate::diag::{Diagnostic, Span};
use crate::model::dims::Dim;

/// A parsed expression. Every node knows the source span it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number literal (dimensionless).
    Number(f64),
    /// A name: parameter, constant, state or derived variable, requirement, `t`, ...
    Name(String),
    /// Unary minus.
    Neg(Box<Expr>),
    /// `.not.`
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A built-in function call.
    Call(Func, Vec<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Gt,
    Lt,
    Ge,
    Le,
    Eq,
    Ne,
    And,
    Or,
}

/// Functions LEMS expressions may call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Exp,
    Log,
    Ln,
    Sqrt,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Abs,
    Ceil,
    Floor,
    /// Heaviside step as jLEMS defines it: 0 for x < 0, 1/2 at 0, 1 for x > 0.
    H,
    /// `random(x)`: x times a uniform draw in [0, 1).
    Random,
    /// `factorial(n)` for a non-negative integer n.
    Factorial,
}

impl Func {
    pub const ALL: [Func; 16] = [
        Func::Exp,
        Func::Log,
        Func::Ln,
        Func::Sqrt,
        Func::Sin,
        Func::Cos,
        Func::Tan,
        Func::Sinh,
        Func::Cosh,
        Func::Tanh,
        Func::Abs,
        Func::Ceil,
        Func::Floor,
        Func::H,
        Func::Random,
        Func::Factorial,
    ];

    /// The name used in LEMS source.
    pub fn name(self) -> &'static str {
        match self {
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Ln => "ln",
            Func::Sqrt => "sqrt",
            Func::Sin => "sin",
            Func::Cos => "cos",
            Func::Tan => "tan",
            Func::Sinh => "sinh",
            Func::Cosh => "cosh",
            Func::Tanh => "tanh",
            Func::Abs => "abs",
            Func::Ceil => "ceil",
            Func::Floor => "floor",
            Func::H => "H",
            Func::Random => "random",
            Func::Factorial => "factorial",
        }
    }

    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The function as the runtime defines it ([`lemsc_runtime::math::call`]); `None` for
    /// `random`, which draws a number instead.
    pub fn kernel_func(self) -> Option<KFunc> {
        Some(match self {
            Func::Exp => KFunc::Exp,
            Func::Log | Func::Ln => KFunc::Ln,
            Func::Sqrt => KFunc::Sqrt,
            Func::Sin => KFunc::Sin,
            Func::Cos => KFunc::Cos,
            Func::Tan => KFunc::Tan,
            Func::Sinh => KFunc::Sinh,
            Func::Cosh => KFunc::Cosh,
            Func::Tanh => KFunc::Tanh,
            Func::Abs => KFunc::Abs,
            Func::Ceil => KFunc::Ceil,
            Func::Floor => KFunc::Floor,
            Func::H => KFunc::H,
            Func::Factorial => KFunc::Factorial,
            Func::Random => return None,
        })
    }
}

impl BinOp {
    /// The operator as the runtime defines it ([`lemsc_runtime::math::binary`]).
    pub fn kernel_op(self) -> KOp {
        match self {
            BinOp::Add => KOp::Add,
            BinOp::Sub => KOp::Sub,
            BinOp::Mul => KOp::Mul,
            BinOp::Div => KOp::Div,
            BinOp::Pow => KOp::Pow,
            BinOp::Gt => KOp::Gt,
            BinOp::Lt => KOp::Lt,
            BinOp::Ge => KOp::Ge,
            BinOp::Le => KOp::Le,
            BinOp::Eq => KOp::Eq,
            BinOp::Ne => KOp::Ne,
            BinOp::And => KOp::And,
            BinOp::Or => KOp::Or,
        }
    }

    /// The operator as written in LEMS source.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "^",
            BinOp::Gt => ".gt.",
            BinOp::Lt => ".lt.",
            BinOp::Ge => ".geq.",
            BinOp::Le => ".leq.",
            BinOp::Eq => ".eq.",
            BinOp::Ne => ".neq.",
            BinOp::And => ".and.",
            BinOp::Or => ".or.",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le | BinOp::Eq | BinOp::Ne
        )
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
    }

    /// Binding strength; larger binds tighter. Shared by the parser and the printer.
    fn precedence(self) -> u8 {
        match self {
            BinOp::And | BinOp::Or => PREC_LOGIC,
            BinOp::Gt | BinOp::Lt | BinOp::Ge | BinOp::Le | BinOp::Eq | BinOp::Ne => PREC_CMP,
            BinOp::Add | BinOp::Sub => PREC_ADD,
            BinOp::Mul | BinOp::Div => PREC_MUL,
            BinOp::Pow => PREC_POW,
        }
    }
}

const PREC_LOGIC: u8 = 1;
const PREC_NOT: u8 = 2;
const PREC_CMP: u8 = 3;
const PREC_ADD: u8 = 4;
const PREC_MUL: u8 = 5;
const PREC_NEG: u8 = 6;
const PREC_POW: u8 = 7;
const PREC_ATOM: u8 = 8;

/// The deepest expression tree accepted. Parsing, printing, inference and evaluation all
/// recurse over the tree, so its height is capped to keep them far from the stack limit.
pub const MAX_DEPTH: u32 = 256;

// ---------------------------------------------------------------------------------------
// Tokens

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Number(f64),
    Name(String),
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LParen,
    RParen,
    Comma,
    /// A binary dotted operator such as `.gt.` or `.and.`.
    DotOp(BinOp),
    Not,
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    /// Byte range within the expression text.
    start: usize,
    end: usize,
}

fn dot_operator(word: &str) -> Option<Tok> {
    Some(match word {
        "gt" => Tok::DotOp(BinOp::Gt),
        "lt" => Tok::DotOp(BinOp::Lt),
        "geq" => Tok::DotOp(BinOp::Ge),
        "leq" => Tok::DotOp(BinOp::Le),
        "eq" => Tok::DotOp(BinOp::Eq),
        "neq" => Tok::DotOp(BinOp::Ne),
        "and" => Tok::DotOp(BinOp::And),
        "or" => Tok::DotOp(BinOp::Or),
        "not" => Tok::Not,
        _ => return None,
    })
}

/// A hint for dotted operators that other languages spell differently.
fn dot_operator_hint(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().as_str() {
        "ge" | "gte" => Some("did you mean '.geq.'?"),
        "le" | "lte" => Some("did you mean '.leq.'?"),
        "ne" => Some("did you mean '.neq.'?"),
        w if dot_operator(w).is_some() => Some("LEMS operators are written in lower case"),
        _ => None,
    }
}

const DOT_OPERATORS: &str = ".gt. .lt. .geq. .leq. .eq. .neq. .and. .or. .not.";

/// Length of the number literal at the start of `rest` (digits, optional fraction, optional
/// exponent), or 0 if there is none. An `e` not followed by digits is not part of it.
pub(crate) fn number_len(rest: &[u8]) -> usize {
    let digits = |from: usize| {
        rest[from..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    let int = digits(0);
    let mut len = int;
    let mut frac = 0;
    if rest.get(len) == Some(&b'.') {
        frac = digits(len + 1);
        if int > 0 || frac > 0 {
            len += 1 + frac;
        }
    }
    if int == 0 && frac == 0 {
        return 0;
    }
    if matches!(rest.get(len), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(rest.get(len + 1), Some(b'+' | b'-')));
        let exp = digits(len + 1 + sign);
        if exp > 0 {
            len += 1 + sign + exp;
        }
    }
    len
}

struct Lexer<'a> {
    text: &'a str,
    span: Span,
}

impl Lexer<'_> {
    fn at(&self, start: usize, end: usize) -> Span {
        self.span.sub(start, end - start)
    }

    fn tokens(&self) -> Result<Vec<Token>, Diagnostic> {
        let bytes = self.text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            let start = i;
            let tok = if c.is_ascii_digit()
                || (c == b'.' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
            {
                i += number_len(&bytes[i..]);
                let literal = &self.text[start..i];
                let value: f64 = literal.parse().map_err(|_| {
                    Diagnostic::at(self.at(start, i), format!("invalid number '{literal}'"))
                })?;
                if !value.is_finite() {
                    return Err(Diagnostic::at(
                        self.at(start, i),
                        format!("number '{literal}' is too large"),
                    )
                    .with_note("expected a finite number"));
                }
                Tok::Number(value)
            } else if c.is_ascii_alphabetic() || c == b'_' {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                Tok::Name(self.text[start..i].to_string())
            } else if c == b'.' {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                    i += 1;
                }
                let word = &self.text[start + 1..i];
                let closed = bytes.get(i) == Some(&b'.');
                let found = dot_operator(word).filter(|_| closed);
                if closed {
                    i += 1;
                }
                match found {
                    Some(tok) => tok,
                    None => {
                        let shown = &self.text[start..i];
                        let mut d =
                            Diagnostic::at(self.at(start, i), format!("unexpected '{shown}'"))
                                .with_note(format!(
                                    "expected one of the operators {DOT_OPERATORS}"
                                ));
                        if let Some(hint) = dot_operator_hint(word) {
                            d = d.with_note(hint);
                        }
                        return Err(d);
                    }
                }
            } else {
                i += 1;
                match c {
                    b'+' => Tok::Plus,
                    b'-' => Tok::Minus,
                    b'*' => Tok::Star,
                    b'/' => Tok::Slash,
                    b'^' => Tok::Caret,
                    b'(' => Tok::LParen,
                    b')' => Tok::RParen,
                    b',' => Tok::Comma,
                    _ => {
                        let ch = self.text[start..].chars().next().unwrap_or('?');
                        let end = start + ch.len_utf8();
                        return Err(Diagnostic::at(
                            self.at(start, end),
                            format!("unexpected character '{ch}' in expression"),
                        )
                        .with_note("expected a number, a name, an operator or a parenthesis"));
                    }
                }
            };
            out.push(Token { tok, start, end: i });
        }
        let n = bytes.len();
        out.push(Token {
            tok: Tok::End,
            start: n,
            end: n,
        });
        Ok(out)
    }
}

fn describe(t: &Token, text: &str) -> String {
    match t.tok {
        Tok::End => "end of expression".to_string(),
        _ => format!("'{}'", &text[t.start..t.end]),
    }
}

// ---------------------------------------------------------------------------------------
// Parser

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
struct Parsed {
    expr: Expr,
    height: u32,
    outer: Span,
}

/// Boxed so the parser's many stack frames stay small.
type PResult = Result<Parsed, Box<Diagnostic>>;

struct Parser<'a> {
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

// ---------------------------------------------------------------------------------------
// Printing

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
fn write_number(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        write!(f, "{}", v as i64)
    } else {
        write!(f, "{v:?}")
    }
}

fn write_operand(f: &mut fmt::Formatter<'_>, e: &Expr, parens: bool) -> fmt::Result {
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
fn printed_operands(e: &Expr) -> Vec<(&Expr, bool)> {
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
fn printed_nesting(e: &Expr) -> u32 {
    let own = matches!(e.kind, ExprKind::Neg(_) | ExprKind::Not(_)) as u32;
    let inner = printed_operands(e)
        .into_iter()
        .map(|(x, bracketed)| bracketed as u32 + printed_nesting(x))
        .max()
        .unwrap_or(0);
    own + inner
}

// ---------------------------------------------------------------------------------------
// Names

/// Every name the expression refers to, left to right, one entry per occurrence.
pub fn names(e: &Expr) -> Vec<(&str, Span)> {
    let mut out = Vec::new();
    collect_names(e, &mut out);
    out
}

fn collect_names<'a>(e: &'a Expr, out: &mut Vec<(&'a str, Span)>) {
    match &e.kind {
        ExprKind::Number(_) => {}
        ExprKind::Name(n) => out.push((n.as_str(), e.span)),
        ExprKind::Neg(x) | ExprKind::Not(x) => collect_names(x, out),
        ExprKind::Binary(_, l, r) => {
            collect_names(l, out);
            collect_names(r, out);
        }
        ExprKind::Call(_, args) => args.iter().for_each(|a| collect_names(a, out)),
    }
}

// ---------------------------------------------------------------------------------------
// Dimensional analysis

/// What an expression computes: a quantity of some dimension, or a truth value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Number(Dim),
    Bool,
}

/// Inference result inside this module: a literal zero (possibly negated, possibly in
/// parentheses) may stand for a zero of any dimension, as in `v .gt. 0` or `x + 0`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Inferred {
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
fn dim_name(d: Dim) -> Option<&'static str> {
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

fn describe_inferred(t: Inferred) -> String {
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

fn number_of(e: &Expr, t: Inferred, what: &str) -> Result<Dim, Diagnostic> {
    match t {
        Inferred::Number(d) => Ok(d),
        Inferred::Literal { .. } => Ok(Dim::NONE),
        Inferred::Bool => Err(Diagnostic::at(
            e.span,
            format!("expected a number {what}, found a condition"),
        )),
    }
}

fn bool_of(e: &Expr, t: Inferred, what: &str) -> Result<(), Diagnostic> {
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
fn dim_product(e: &Expr, a: Dim, b: Dim, power: i32) -> Result<Dim, Diagnostic> {
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
fn integer_literal(e: &Expr) -> Option<i32> {
    match &e.kind {
        ExprKind::Number(v) if v.fract() == 0.0 && v.abs() <= 64.0 => Some(*v as i32),
        ExprKind::Neg(inner) => integer_literal(inner).map(|n| -n),
        _ => None,
    }
}

fn infer(
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

fn infer_call(func: Func, arg: &Expr, t: Inferred, d: Dim) -> Result<Inferred, Diagnostic> {
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

fn infer_binary(
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

// ---------------------------------------------------------------------------------------
// Evaluation

/// Computes the value of an expression. Conditions give 1.0 (true) or 0.0 (false);
/// `random(x)` multiplies x by a draw from `rng`, which should be uniform in [0, 1).
pub fn eval(
    e: &Expr,
    lookup: &dyn Fn(&str) -> Option<f64>,
    rng: &mut dyn FnMut() -> f64,
) -> Result<f64, String> {
    Ok(match &e.kind {
        ExprKind::Number(v) => *v,
        ExprKind::Name(n) => lookup(n).ok_or_else(|| format!("no value for '{n}'"))?,
        ExprKind::Neg(x) => -eval(x, lookup, rng)?,
        ExprKind::Not(x) => lemsc_runtime::math::truth(eval(x, lookup, rng)? == 0.0),
        ExprKind::Call(func, args) => {
            let [arg] = args.as_slice() else {
                return Err(format!(
                    "'{}' takes exactly one argument, found {}",
                    func.name(),
                    args.len()
                ));
            };
            let x = eval(arg, lookup, rng)?;
            call(*func, x, rng)?
        }
        ExprKind::Binary(op, l, r) => {
            let a = eval(l, lookup, rng)?;
            let b = eval(r, lookup, rng)?;
            lemsc_runtime::math::binary(op.kernel_op(), a, b)
        }
    })
}

fn call(func: Func, x: f64, rng: &mut dyn FnMut() -> f64) -> Result<f64, String> {
    Ok(match func.kernel_func() {
        // The runtime's definitions, so that a value folded here equals one computed in a run.
        Some(f) => lemsc_runtime::math::call(f, x),
        None => x * rng(),
    })
}

#[cfg(test)]
mod official_tests;
#[cfg(test)]
mod tests;
