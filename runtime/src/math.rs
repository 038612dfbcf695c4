//! The arithmetic of LEMS expressions, defined once: the runtime's interpreter, the
//! compiler's constant folding (frontend values, mechanism plans) and every code generator's
//! tests use these, so a value folded at compile time equals the one a run computes. The
//! native kernels emit the same operations in LLVM (`back/native/kernel_emit.rs`), checked
//! against these functions bit for bit by its tests.

use crate::program::{BinOp, Func};

/// 1 for true, 0 for false: the value of a comparison.
pub fn truth(b: bool) -> f64 {
    if b {
        1.0
    } else {
        0.0
    }
}

/// One binary operation.
pub fn binary(op: BinOp, a: f64, b: f64) -> f64 {
    match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Pow => a.powf(b),
        BinOp::Gt => truth(a > b),
        BinOp::Lt => truth(a < b),
        BinOp::Ge => truth(a >= b),
        BinOp::Le => truth(a <= b),
        BinOp::Eq => truth(a == b),
        BinOp::Ne => truth(a != b),
        BinOp::And => truth(a != 0.0 && b != 0.0),
        BinOp::Or => truth(a != 0.0 || b != 0.0),
    }
}

/// One function call, as documented on [`Func`].
pub fn call(func: Func, x: f64) -> f64 {
    match func {
        Func::Exp => x.exp(),
        Func::Ln => x.ln(),
        Func::Sqrt => x.sqrt(),
        Func::Sin => x.sin(),
        Func::Cos => x.cos(),
        Func::Tan => x.tan(),
        Func::Sinh => x.sinh(),
        Func::Cosh => x.cosh(),
        Func::Tanh => x.tanh(),
        Func::Abs => x.abs(),
        Func::Ceil => x.ceil(),
        Func::Floor => x.floor(),
        Func::H => heaviside(x),
        Func::Factorial => factorial(x),
    }
}

/// jLEMS's `0.5 * (signum(x) + 1)`: exactly 0.5 at ±0, and NaN for NaN.
pub fn heaviside(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        0.0
    } else if x == 0.0 {
        0.5
    } else {
        x
    }
}

/// `1·2·…·k` over the integers `k <= x`, multiplied in that order from 1.0: 1 for x < 1
/// and for NaN. Stops once the product is infinite (where it would stay).
pub fn factorial(x: f64) -> f64 {
    let mut product = 1.0;
    let mut k = 1.0;
    while k <= x && product != f64::INFINITY {
        product *= k;
        k += 1.0;
    }
    product
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heaviside_is_half_at_zero_and_keeps_nan() {
        assert_eq!(call(Func::H, -1e-300), 0.0);
        assert_eq!(call(Func::H, 0.0), 0.5);
        assert_eq!(call(Func::H, -0.0), 0.5);
        assert_eq!(call(Func::H, 1e-300), 1.0);
        assert!(call(Func::H, f64::NAN).is_nan());
    }

    #[test]
    fn factorial_multiplies_the_integers_up_to_x() {
        assert_eq!(call(Func::Factorial, 5.0), 120.0);
        assert_eq!(call(Func::Factorial, 5.9), 120.0, "the integer part");
        assert_eq!(call(Func::Factorial, 0.5), 1.0);
        assert_eq!(call(Func::Factorial, -3.0), 1.0);
        assert_eq!(call(Func::Factorial, f64::NAN), 1.0, "the empty product");
        assert_eq!(call(Func::Factorial, 171.0), f64::INFINITY);
        assert_eq!(
            call(Func::Factorial, 1e300),
            f64::INFINITY,
            "stops once infinite"
        );
    }

    #[test]
    fn conditions_are_one_or_zero_and_logic_evaluates_both_sides() {
        assert_eq!(binary(BinOp::Gt, 2.0, 1.0), 1.0);
        assert_eq!(binary(BinOp::Le, 2.0, 1.0), 0.0);
        assert_eq!(binary(BinOp::Eq, f64::NAN, f64::NAN), 0.0);
        assert_eq!(binary(BinOp::Ne, f64::NAN, f64::NAN), 1.0);
        assert_eq!(binary(BinOp::And, 2.0, -1.0), 1.0);
        assert_eq!(binary(BinOp::And, f64::NAN, 1.0), 1.0, "NaN is not 0: true");
        assert_eq!(binary(BinOp::Or, 0.0, 0.0), 0.0);
        assert!(binary(BinOp::Pow, -8.0, 1.0 / 3.0).is_nan());
        assert_eq!(call(Func::Ln, 0.0), f64::NEG_INFINITY);
    }
}
