//! Java's `Float.toString`, which jLEMS uses for every number it writes.
//!
//! Java (JDK 19 and later, and every value in the jLEMS reference files) prints the
//! shortest decimal that reads back as the same `f32`; among several of that length, the
//! one closest to the float. One twist: when a single significant digit would do, Java
//! still picks the closest decimal of *two* digits (so `Float.MIN_VALUE` prints `1.4E-45`,
//! not `1.0E-45`). Rust's `{:e}` gives shortest-and-closest digits, so only that twist and
//! Java's layout are ours:
//!
//! - plain notation for 1e-3 <= |v| < 1e7 (`0.00105`, `-0.065`, `1234567.0`),
//! - `d.dddEn` otherwise (`4.0E-5`, `1.0E7`), no `+` on the exponent,
//! - always at least one digit after the point, never a trailing zero beyond that one,
//! - `-0.0`, `NaN`, `Infinity`, `-Infinity`.
//!
//! The decision between plain and scientific is made on the chosen decimal, as Java does.

use std::fmt::Write;

/// Formats `x` exactly as Java's `Float.toString(x)`.
pub fn float_to_string(x: f32) -> String {
    let mut out = String::with_capacity(16);
    push_float(&mut out, x);
    out
}

/// Appends Java's `Float.toString(x)` to `out` without allocating (beyond `out` growing),
/// for writers that format millions of values into one reused buffer.
pub fn push_float(out: &mut String, x: f32) {
    if x.is_nan() {
        out.push_str("NaN");
        return;
    }
    if x.is_sign_negative() {
        out.push('-');
    }
    let x = x.abs();
    if x.is_infinite() {
        out.push_str("Infinity");
        return;
    }
    if x == 0.0 {
        out.push_str("0.0");
        return;
    }
    // Fast path: several digits and no exact tie, so ryu's choice is Java's.
    let (digits, len, sci_exp) = ryu_shortest(x);
    if len > 1 && !may_be_tie(x, len, sci_exp) {
        write_layout(out, &digits[..len], sci_exp);
        return;
    }
    let decimal = Decimal::java_choice(x);
    decimal.write_java_layout(out);
}

/// A positive decimal `d1.d2...dn × 10^sci_exp`: `digits` holds d1..dn with no trailing
/// zeros (at least one digit).
struct Decimal {
    digits: [u8; 128],
    len: usize,
    sci_exp: i32,
}

impl Decimal {
    /// The decimal Java prints for a finite, positive, non-zero `x`.
    fn java_choice(x: f32) -> Decimal {
        let shortest = Decimal::shortest(x);
        if shortest.len > 1 {
            return shortest.even_on_tie(x);
        }
        // One digit suffices; Java takes the closest two-digit decimal if it also reads
        // back as `x` (a one-digit decimal is a two-digit one ending in 0, so it competes).
        let two = Decimal::from_exp_format(format_args!("{x:.1e}"));
        if two.reads_back_as(x) {
            two.even_on_tie(x)
        } else {
            shortest
        }
    }

    /// When `x` lies exactly halfway between two decimals of this length, Java takes the one
    /// whose last digit is even (171578.125 prints as `171578.12`); Rust rounds such ties up.
    fn even_on_tie(self, x: f32) -> Decimal {
        let n = self.len;
        // Cheap exact filter first (integer arithmetic): ties are rare, formatting is not.
        if !may_be_tie(x, n, self.sci_exp) {
            return self;
        }
        // Every f32 has a finite decimal expansion of at most 112 significant digits, so
        // 120 digits after the point in scientific form are exact.
        let exact = Decimal::from_exp_format(format_args!("{x:.120e}"));
        let is_tie = exact.len == n + 1 && exact.digits[n] == 5 && exact.sci_exp == self.sci_exp;
        if !is_tie || exact.digits[n - 1] & 1 == 1 {
            return self;
        }
        let mut truncated = exact;
        truncated.len = n;
        if truncated.reads_back_as(x) {
            truncated.trim_zeros();
            truncated
        } else {
            self
        }
    }

    fn reads_back_as(&self, x: f32) -> bool {
        let mut text = StackText::new();
        for i in 0..self.len {
            let _ = text.write_char(self.digit_char(i));
        }
        // The digits are read as an integer, so the exponent moves by len-1.
        let _ = write!(text, "e{}", self.sci_exp - (self.len as i32 - 1));
        text.as_str().parse::<f32>() == Ok(x)
    }

    fn trim_zeros(&mut self) {
        while self.len > 1 && self.digits[self.len - 1] == 0 {
            self.len -= 1;
        }
    }

    /// The shortest decimal that reads back as `x` (closest to it, ties to even).
    fn shortest(x: f32) -> Decimal {
        let (small, len, sci_exp) = ryu_shortest(x);
        let mut decimal = Decimal {
            digits: [0; 128],
            len,
            sci_exp,
        };
        decimal.digits[..len].copy_from_slice(&small[..len]);
        decimal
    }

    /// Reads Rust's `LowerExp` output (`1.2345e-7`, `4e-5`) into digits and exponent.
    fn from_exp_format(args: std::fmt::Arguments) -> Decimal {
        let mut text = StackText::new();
        // Even the exact 120-digit form of an f32 fits the stack buffer.
        let _ = text.write_fmt(args);
        let text = text.as_str();
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text, "0"));
        let mut decimal = Decimal {
            digits: [0; 128],
            len: 0,
            sci_exp: exponent.parse().unwrap_or(0),
        };
        for b in mantissa.bytes().filter(u8::is_ascii_digit) {
            if decimal.len < decimal.digits.len() {
                decimal.digits[decimal.len] = b - b'0';
                decimal.len += 1;
            }
        }
        decimal.trim_zeros();
        decimal
    }

    fn digit_char(&self, i: usize) -> char {
        if i < self.len {
            char::from(b'0' + self.digits[i])
        } else {
            '0'
        }
    }

    fn write_java_layout(&self, out: &mut String) {
        write_layout(out, &self.digits[..self.len], self.sci_exp);
    }
}

/// Java's layout of the positive decimal `d1.d2...dn × 10^sci_exp` (`digits` are the values
/// 0..=9, at least one, no trailing zero).
fn write_layout(out: &mut String, digits: &[u8], e: i32) {
    let digit = |i: usize| char::from(b'0' + digits.get(i).copied().unwrap_or(0));
    if (0..7).contains(&e) {
        // Integer part: the first e+1 digits, padded with zeros.
        let int_len = e as usize + 1;
        for i in 0..int_len {
            out.push(digit(i));
        }
        out.push('.');
        if digits.len() > int_len {
            for i in int_len..digits.len() {
                out.push(digit(i));
            }
        } else {
            out.push('0');
        }
    } else if (-3..0).contains(&e) {
        out.push_str("0.");
        for _ in 0..(-e - 1) {
            out.push('0');
        }
        for i in 0..digits.len() {
            out.push(digit(i));
        }
    } else {
        out.push(digit(0));
        out.push('.');
        if digits.len() > 1 {
            for i in 1..digits.len() {
                out.push(digit(i));
            }
        } else {
            out.push('0');
        }
        out.push('E');
        let _ = write!(out, "{e}");
    }
}

/// The shortest decimal of a finite positive `x` from ryu, as (digits, count, sci_exp): ryu
/// prints it as `d.ddd`, `0.000ddd`, `ddd.0` or `d.dddeN`. An f32 needs at most 9 digits.
fn ryu_shortest(x: f32) -> ([u8; 12], usize, i32) {
    let mut buffer = ryu::Buffer::new();
    let text = buffer.format_finite(x).as_bytes();
    let mut digits = [0u8; 12];
    let (mut len, mut leading_zeros, mut int_len, mut exponent) = (0usize, 0i32, None, 0i32);
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'.' => int_len = Some(i as i32),
            b'e' => {
                let (negative, from) = if text.get(i + 1) == Some(&b'-') {
                    (true, i + 2)
                } else {
                    (false, i + 1)
                };
                let magnitude = text[from..]
                    .iter()
                    .fold(0i32, |acc, &b| acc * 10 + i32::from(b - b'0'));
                exponent = if negative { -magnitude } else { magnitude };
                if int_len.is_none() {
                    int_len = Some(i as i32);
                }
                break;
            }
            b'0' if len == 0 => leading_zeros += 1,
            b => {
                if len < digits.len() {
                    digits[len] = b - b'0';
                    len += 1;
                }
            }
        }
        i += 1;
    }
    let int_len = int_len.unwrap_or(text.len() as i32);
    while len > 1 && digits[len - 1] == 0 {
        len -= 1;
    }
    (digits, len, int_len - 1 - leading_zeros + exponent)
}

/// A small fixed buffer that `write!` can fill, so formatting needs no heap.
struct StackText {
    bytes: [u8; 160],
    len: usize,
}

impl StackText {
    fn new() -> StackText {
        StackText {
            bytes: [0; 160],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the bytes are valid UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{float_to_string, may_be_tie, Decimal};

    /// The arithmetic tie filter never misses a tie that formatting one more digit shows.
    #[test]
    fn tie_filter_agrees_with_formatting_one_more_digit() {
        let mut ties = 0;
        for bits in (1u32..0x7f80_0000).step_by(4099) {
            let x = f32::from_bits(bits);
            let shortest = Decimal::from_exp_format(format_args!("{x:e}"));
            // ryu and core agree but at exact ties (ryu takes the even digit, core rounds up;
            // `even_on_tie` settles those for both).
            let from_ryu = Decimal::shortest(x);
            if !may_be_tie(x, shortest.len, shortest.sci_exp) {
                assert_eq!(
                    (&from_ryu.digits[..from_ryu.len], from_ryu.sci_exp),
                    (&shortest.digits[..shortest.len], shortest.sci_exp),
                    "{x:e}"
                );
            }
            let n = shortest.len;
            let one_more = Decimal::from_exp_format(format_args!("{x:.n$e}"));
            let formatted_tie = one_more.len == n + 1 && one_more.digits[n] == 5;
            let exact = Decimal::from_exp_format(format_args!("{x:.120e}"));
            let exact_tie = exact.len == n + 1 && exact.digits[n] == 5;
            if formatted_tie && exact_tie {
                ties += 1;
                assert!(may_be_tie(x, n, shortest.sci_exp), "{x:e}");
            }
        }
        assert!(
            may_be_tie(171578.125, 8, 5),
            "171578.125 is a tie at 8 digits"
        );
        assert!(!may_be_tie(171578.14, 8, 5), "171578.140625 is not");
        assert!(ties > 0, "the sample holds ties");
    }

    #[test]
    fn special_values() {
        assert_eq!(float_to_string(0.0), "0.0");
        assert_eq!(float_to_string(-0.0), "-0.0");
        assert_eq!(float_to_string(f32::NAN), "NaN");
        assert_eq!(float_to_string(f32::INFINITY), "Infinity");
        assert_eq!(float_to_string(f32::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn plain_notation_between_one_thousandth_and_ten_million() {
        assert_eq!(float_to_string(1.0), "1.0");
        assert_eq!(float_to_string(-0.0649988), "-0.0649988");
        assert_eq!(float_to_string(0.001), "0.001");
        assert_eq!(float_to_string(0.00105), "0.00105");
        assert_eq!(float_to_string(100.0), "100.0");
        assert_eq!(float_to_string(1234567.0), "1234567.0");
        assert_eq!(float_to_string(9999999.0), "9999999.0");
        assert_eq!(float_to_string(0.15), "0.15");
    }

    #[test]
    fn scientific_notation_outside_that_range() {
        assert_eq!(float_to_string(4.0e-5), "4.0E-5");
        assert_eq!(float_to_string(1.0e7), "1.0E7");
        assert_eq!(float_to_string(2.6552757e-17), "2.6552757E-17");
        assert_eq!(float_to_string(-9.99e-4), "-9.99E-4");
        assert_eq!(float_to_string(f32::MAX), "3.4028235E38");
    }

    #[test]
    fn one_digit_shortest_becomes_closest_two_digits() {
        assert_eq!(float_to_string(1.0e-44), "9.8E-45");
        assert_eq!(float_to_string(f32::from_bits(1)), "1.4E-45");
        assert_eq!(float_to_string(f32::from_bits(2)), "2.8E-45");
    }

    #[test]
    #[allow(clippy::excessive_precision)] // the exact binary values are the point here
    fn exact_ties_take_the_even_last_digit() {
        assert_eq!(float_to_string(171578.125), "171578.12");
        assert_eq!(float_to_string(26303.3125), "26303.312");
        assert_eq!(float_to_string(-2035928.25), "-2035928.2");
    }

    #[test]
    fn push_float_appends() {
        let mut buf = String::from("t=");
        super::push_float(&mut buf, 0.5);
        assert_eq!(buf, "t=0.5");
    }
}

/// Whether `x` could lie exactly halfway between two decimals of `n` significant digits whose
/// leading digit is at `10^sci_exp`: that is, whether `x = (D + 1/2)·10^p` for an integer `D`,
/// with `p = sci_exp - n + 1`. Equivalently `2·x·10^-p` is an odd integer. With
/// `x = m·2^e` (`m` odd) that is `m·5^q·2^(e+1+q)` for `q = -p`: odd exactly when the power
/// of two is 0 and, for `q < 0`, `5^-q` divides `m`.
fn may_be_tie(x: f32, n: usize, sci_exp: i32) -> bool {
    let bits = x.to_bits();
    let (exp_field, fraction) = ((bits >> 23) & 0xff, bits & 0x7f_ffff);
    let (mut m, mut e) = if exp_field == 0 {
        (fraction, -149)
    } else {
        (fraction | 1 << 23, exp_field as i32 - 150)
    };
    if m == 0 {
        return false;
    }
    let zeros = m.trailing_zeros();
    m >>= zeros;
    e += zeros as i32;
    let q = n as i32 - 1 - sci_exp;
    if e + 1 + q != 0 {
        return false;
    }
    // m < 2^24 < 5^11: a larger power of five cannot divide it.
    q >= 0 || (-q <= 10 && m % 5u32.pow((-q) as u32) == 0)
}
