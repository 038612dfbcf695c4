//! Values a plan fixes before any simulation: an expression over parameters and the derived
//! variables that read only parameters (a cell's initial `v` is often one).

use super::{DerivedValue, MExpr, MechanismPlan};
use crate::front::expr::{BinOp, Func};

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
            match op {
                BinOp::Add => l + r,
                BinOp::Sub => l - r,
                BinOp::Mul => l * r,
                BinOp::Div => l / r,
                BinOp::Pow => l.powf(r),
                BinOp::Gt => f64::from(l > r),
                BinOp::Lt => f64::from(l < r),
                BinOp::Ge => f64::from(l >= r),
                BinOp::Le => f64::from(l <= r),
                BinOp::Eq => f64::from(l == r),
                BinOp::Ne => f64::from(l != r),
                BinOp::And => f64::from(l != 0.0 && r != 0.0),
                BinOp::Or => f64::from(l != 0.0 || r != 0.0),
            }
        }
        MExpr::Call(f, x) => {
            let x = go(x)?;
            match f {
                Func::Exp => x.exp(),
                Func::Log | Func::Ln => x.ln(),
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
                _ => return None,
            }
        }
    })
}
