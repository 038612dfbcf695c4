//! Evaluation of an expression with the runtime's arithmetic ([`lemsc_runtime::math`]).

use super::*;

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

pub(super) fn call(func: Func, x: f64, rng: &mut dyn FnMut() -> f64) -> Result<f64, String> {
    Ok(match func.kernel_func() {
        // The runtime's definitions, so that a value folded here equals one computed in a run.
        Some(f) => lemsc_runtime::math::call(f, x),
        None => x * rng(),
    })
}
