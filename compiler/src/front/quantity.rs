//! Quantity literals such as `-65mV`, `0.08 nA` or `5e-3 S_per_cm2`: a number, then an
//! optional unit symbol, with optional spaces around and between them.
//!
//! The split follows jLEMS: the number is an optional sign, digits with an optional
//! fraction, and an exponent only when `e`/`E` is followed by digits (so `1e-3mV` is
//! 1e-3 millivolts and `2E3Ohm_cm` is 2000 ohm centimetres). The unit symbol is one word
//! of letters, digits and underscores, starting with a letter or underscore.

use crate::diag::{Diagnostic, Span};
use crate::front::expr::number_len;

/// Where each part of a quantity lies in its text, in bytes.
struct Parts {
    value: f64,
    unit_start: usize,
    unit_end: usize,
}

fn split(text: &str) -> Result<Parts, (String, usize, usize)> {
    let bytes = text.as_bytes();
    let skip_spaces = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let start = skip_spaces(0);
    if start == bytes.len() {
        return Err((
            "expected a quantity such as '-65mV', found an empty text".to_string(),
            0,
            bytes.len(),
        ));
    }
    let sign = usize::from(matches!(bytes[start], b'+' | b'-'));
    let digits = number_len(&bytes[start + sign..]);
    if digits == 0 {
        let shown = text[start..].trim_end();
        return Err((
            format!("expected a number at the start of a quantity, found '{shown}'"),
            start,
            start + shown.len(),
        ));
    }
    let number_end = start + sign + digits;
    let value: f64 = text[start..number_end].parse().map_err(|_| {
        (
            format!("invalid number '{}'", &text[start..number_end]),
            start,
            number_end,
        )
    })?;
    if !value.is_finite() {
        return Err((
            format!("number '{}' is too large", &text[start..number_end]),
            start,
            number_end,
        ));
    }
    let unit_start = skip_spaces(number_end);
    let mut unit_end = unit_start;
    if unit_start < bytes.len() {
        let c = bytes[unit_start];
        if !(c.is_ascii_alphabetic() || c == b'_') {
            let shown = text[unit_start..].trim_end();
            return Err((
                format!("expected a unit symbol after the number, found '{shown}'"),
                unit_start,
                unit_start + shown.len(),
            ));
        }
        while unit_end < bytes.len()
            && (bytes[unit_end].is_ascii_alphanumeric() || bytes[unit_end] == b'_')
        {
            unit_end += 1;
        }
        let rest = skip_spaces(unit_end);
        if rest < bytes.len() {
            let shown = text[rest..].trim_end();
            return Err((
                format!(
                    "unexpected '{shown}' after unit '{}'; a unit symbol is a single word",
                    &text[unit_start..unit_end]
                ),
                rest,
                rest + shown.len(),
            ));
        }
    }
    Ok(Parts {
        value,
        unit_start,
        unit_end,
    })
}

/// Splits a quantity into its number and unit symbol (empty when there is none).
pub fn split_quantity(text: &str) -> Result<(f64, &str), String> {
    split(text)
        .map(|p| (p.value, &text[p.unit_start..p.unit_end]))
        .map_err(|(msg, _, _)| msg)
}

/// As [`split_quantity`], for text at `span` in a source file; also gives the unit's span,
/// and errors point at the offending part of the text.
pub fn split_quantity_at(text: &str, span: Span) -> Result<(f64, String, Span), Diagnostic> {
    match split(text) {
        Ok(p) => Ok((
            p.value,
            text[p.unit_start..p.unit_end].to_string(),
            span.sub(p.unit_start, p.unit_end - p.unit_start),
        )),
        Err((msg, start, end)) => Err(Diagnostic::at(span.sub(start, end - start), msg).with_note(
            "a quantity is a number followed by an optional unit, e.g. '-65mV' or '0.08 nA'",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    #[test]
    fn splits_number_and_unit() {
        let cases: &[(&str, f64, &str)] = &[
            ("10pS", 10.0, "pS"),
            ("0.08 nA", 0.08, "nA"),
            ("-65mV", -65.0, "mV"),
            ("1per_ms", 1.0, "per_ms"),
            ("5e-3 S_per_cm2", 5e-3, "S_per_cm2"),
            ("2.5", 2.5, ""),
            (" -0.5 mV ", -0.5, "mV"),
            ("1e-3mV", 1e-3, "mV"),
            ("2E3Ohm_cm", 2000.0, "Ohm_cm"),
            (".5ms", 0.5, "ms"),
            ("1.0e-2", 0.01, ""),
            ("+3 um", 3.0, "um"),
            ("6.3degC", 6.3, "degC"),
            ("3.", 3.0, ""),
            // `e` followed by letters is the start of the unit, not an exponent.
            ("1em", 1.0, "em"),
            ("2 E", 2.0, "E"),
        ];
        for (text, value, unit) in cases {
            assert_eq!(split_quantity(text), Ok((*value, *unit)), "{text:?}");
        }
    }

    #[test]
    fn rejects_malformed_quantities() {
        let cases: &[(&str, &str)] = &[
            (
                "abc",
                "expected a number at the start of a quantity, found 'abc'",
            ),
            ("10 m V", "unexpected 'V' after unit 'm'"),
            ("", "found an empty text"),
            ("   ", "found an empty text"),
            (
                "1..2mV",
                "expected a unit symbol after the number, found '.2mV'",
            ),
            ("-", "expected a number"),
            ("mV", "expected a number"),
            ("--1", "expected a number"),
            ("1e999", "too large"),
            ("5 %", "expected a unit symbol after the number, found '%'"),
            ("5mV;", "unexpected ';' after unit 'mV'"),
        ];
        for (text, message) in cases {
            let e = split_quantity(text).unwrap_err();
            assert!(e.contains(message), "{text:?}: got {e:?}");
        }
    }

    #[test]
    fn spans_of_units_and_errors() {
        let text = " -65 mV";
        let span = Span::new(FileId(2), 40, 40 + text.len());
        let (v, unit, uspan) = split_quantity_at(text, span).unwrap();
        assert_eq!((v, unit.as_str()), (-65.0, "mV"));
        assert_eq!((uspan.file, uspan.start, uspan.end), (FileId(2), 45, 47));

        let (_, unit, uspan) = split_quantity_at("12", Span::new(FileId(0), 7, 9)).unwrap();
        assert_eq!(unit, "");
        assert_eq!((uspan.start, uspan.end), (9, 9));

        let text = "10 m V";
        let d = split_quantity_at(text, Span::new(FileId(0), 0, text.len())).unwrap_err();
        let (s, _) = d.primary.unwrap();
        assert_eq!(&text[s.start as usize..s.end as usize], "V");
    }
}
