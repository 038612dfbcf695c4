//! Tokens of the LEMS expression language and the lexer that finds them.

use super::*;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
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
pub(super) struct Token {
    pub(super) tok: Tok,
    /// Byte range within the expression text.
    pub(super) start: usize,
    pub(super) end: usize,
}

pub(super) fn dot_operator(word: &str) -> Option<Tok> {
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
pub(super) fn dot_operator_hint(word: &str) -> Option<&'static str> {
    match word.to_ascii_lowercase().as_str() {
        "ge" | "gte" => Some("did you mean '.geq.'?"),
        "le" | "lte" => Some("did you mean '.leq.'?"),
        "ne" => Some("did you mean '.neq.'?"),
        w if dot_operator(w).is_some() => Some("LEMS operators are written in lower case"),
        _ => None,
    }
}

pub(super) const DOT_OPERATORS: &str = ".gt. .lt. .geq. .leq. .eq. .neq. .and. .or. .not.";

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

pub(super) struct Lexer<'a> {
    pub(super) text: &'a str,
    pub(super) span: Span,
}

impl Lexer<'_> {
    pub(super) fn at(&self, start: usize, end: usize) -> Span {
        self.span.sub(start, end - start)
    }

    pub(super) fn tokens(&self) -> Result<Vec<Token>, Diagnostic> {
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

pub(super) fn describe(t: &Token, text: &str) -> String {
    match t.tok {
        Tok::End => "end of expression".to_string(),
        _ => format!("'{}'", &text[t.start..t.end]),
    }
}
