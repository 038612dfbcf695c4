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
