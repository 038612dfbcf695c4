//! Values a plan fixes before any simulation: an expression over parameters and the derived
//! variables that read only parameters (a cell's initial `v` is often one).

use super::{DerivedValue, MExpr, MechanismPlan};

/// The value of `e` when it depends on parameters only; `None` when it reads a state, the
/// time, the simulator or a random number.
pub fn eval_const(plan: &MechanismPlan, e: &MExpr) -> Option<f64> {
    eval(plan, e, 0)
}

fn eval(plan: &MechanismPlan, e: &MExpr, depth: usize) -> Option<f64> {
    if depth > 64 {
        return None;
    }
    let go = |x: &MExpr| eval(plan, x, depth + 1);
    Some(match e {
        MExpr::Num(x) => *x,
        MExpr::Var(n) => {
            if let Some(p) = plan
                .params
                .iter()
                .chain(&plan.properties)
                .find(|p| &p.name == n)
            {
                p.value
            } else {
                match &plan.derived.iter().find(|d| &d.name == n)?.value {
                    DerivedValue::Value(x) => go(x)?,
                    DerivedValue::Cases(_) => return None,
                }
            }
        }
        MExpr::Ext(_) | MExpr::Time | MExpr::Random(_) => return None,
        MExpr::Neg(x) => -go(x)?,
        MExpr::Not(x) => f64::from(go(x)? == 0.0),
        MExpr::Bin(op, l, r) => {
            let (l, r) = (go(l)?, go(r)?);
            lemsc_runtime::math::binary(op.kernel_op(), l, r)
        }
        MExpr::Call(f, x) => {
            let x = go(x)?;
            lemsc_runtime::math::call(f.kernel_func()?, x)
        }
    })
}
