//! Initial values of a node's states and derived variables, computed here as jLEMS
//! initialises an instance (derived values, then OnStart, three passes; the initial regime's
//! OnEntry), so the NESTML state block starts from plain numbers.
//!
//! A value that draws a random number cannot be fixed here: it is left as an expression,
//! printed with every other name replaced by its number, and NEST draws it when it makes
//! the node.

use std::collections::BTreeMap;

use crate::passes::mechanism::{Actions, DerivedValue, External, MExpr, MechanismPlan};

/// Values by flat name; externals by kind.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub values: BTreeMap<String, f64>,
    /// Initial expressions of values that draw random numbers, or read such values, in
    /// the order they must be computed (other names already replaced by numbers).
    pub random: Vec<(String, MExpr)>,
    pub voltage: Option<f64>,
    pub temperature: Option<f64>,
}

impl Env {
    fn eval(&self, e: &MExpr) -> Option<f64> {
        Some(match e {
            MExpr::Num(x) => *x,
            MExpr::Var(n) => *self.values.get(n)?,
            MExpr::Ext(External::Voltage) => self.voltage?,
            MExpr::Ext(External::Temperature) => self.temperature?,
            MExpr::Ext(_) | MExpr::Random(_) => return None,
            MExpr::Time => 0.0,
            MExpr::Neg(x) => -self.eval(x)?,
            MExpr::Not(x) => f64::from(self.eval(x)? == 0.0),
            MExpr::Bin(op, l, r) => {
                let (l, r) = (self.eval(l)?, self.eval(r)?);
                lemsc_runtime::math::binary(op.kernel_op(), l, r)
            }
            MExpr::Call(f, x) => {
                let x = self.eval(x)?;
                // The runtime's arithmetic, so initial values equal jLEMS's (H(NaN) too).
                lemsc_runtime::math::call(f.kernel_func()?, x)
            }
        })
    }

    /// `e` with every name this environment knows replaced by its number.
    fn substitute(&self, e: &MExpr) -> MExpr {
        let go = |x: &MExpr| Box::new(self.substitute(x));
        match e {
            MExpr::Var(n) if self.is_random(n) => e.clone(),
            MExpr::Var(n) => match self.values.get(n) {
                Some(v) => MExpr::Num(*v),
                None => e.clone(),
            },
            MExpr::Ext(External::Voltage) => self.voltage.map(MExpr::Num).unwrap_or(e.clone()),
            MExpr::Time => MExpr::Num(0.0),
            MExpr::Neg(x) => MExpr::Neg(go(x)),
            MExpr::Not(x) => MExpr::Not(go(x)),
            MExpr::Random(x) => MExpr::Random(go(x)),
            MExpr::Call(f, x) => MExpr::Call(*f, go(x)),
            MExpr::Bin(op, l, r) => MExpr::Bin(*op, go(l), go(r)),
            MExpr::Num(_) | MExpr::Ext(_) => e.clone(),
        }
    }

    /// Whether `name` holds a value drawn at random (or computed from one).
    pub fn is_random(&self, name: &str) -> bool {
        self.random.iter().any(|(n, _)| n == name)
    }

    fn reads_random(&self, e: &MExpr) -> bool {
        let mut found = false;
        super::expr::visit_vars(e, &mut |n| found |= self.is_random(n));
        found || super::expr::uses_random(e)
    }

    fn set(&mut self, var: &str, value: &MExpr) {
        let known = if self.reads_random(value) {
            None
        } else {
            self.eval(value)
        };
        self.random.retain(|(n, _)| n != var);
        match known {
            Some(v) => {
                self.values.insert(var.to_string(), v);
            }
            None => {
                let sub = self.substitute(value);
                self.random.push((var.to_string(), sub));
                // Later values that read it are left to NEST too (they see NaN here).
                self.values.insert(var.to_string(), f64::NAN);
            }
        }
    }

    fn derived(&mut self, plan: &MechanismPlan) {
        for d in &plan.derived {
            match &d.value {
                DerivedValue::Value(e) => self.set(&d.name, e),
                DerivedValue::Cases(cases) => {
                    let mut value = MExpr::Num(0.0);
                    for (cond, v) in cases {
                        let holds = match cond {
                            None => true,
                            Some(c) => self.eval(c).is_some_and(|x| x != 0.0),
                        };
                        if holds {
                            value = v.clone();
                            break;
                        }
                    }
                    self.set(&d.name, &value);
                }
            }
        }
    }

    fn actions(&mut self, a: &Actions) {
        for assign in &a.assigns {
            self.set(&assign.var, &assign.value);
        }
    }
}

/// Runs jLEMS's initialisation of one plan in `env` (parameters and properties must be in
/// it already; states start at 0).
pub fn initialise(plan: &MechanismPlan, env: &mut Env) {
    for s in &plan.states {
        env.values.entry(s.name.clone()).or_insert(0.0);
    }
    for d in &plan.derived {
        env.values.entry(d.name.clone()).or_insert(0.0);
    }
    for pass in 0..3 {
        if pass > 0 {
            env.derived(plan);
        }
        for a in &plan.on_start {
            env.set(&a.var, &a.value);
        }
        if let Some(r) = &plan.regimes {
            if let Some(entry) = r.on_entry.get(r.initial) {
                env.actions(entry);
            }
        }
    }
    env.derived(plan);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::front::expr::BinOp;

    #[test]
    fn a_value_drawn_at_random_stays_an_expression_over_numbers() {
        let mut env = Env::default();
        env.values.insert("rate".into(), 2.0);
        env.set(
            "tnext",
            &MExpr::Bin(
                BinOp::Div,
                Box::new(MExpr::Random(Box::new(MExpr::Num(1.0)))),
                Box::new(MExpr::Var("rate".into())),
            ),
        );
        assert!(env.values["tnext"].is_nan());
        assert_eq!(
            env.random[0].1,
            MExpr::Bin(
                BinOp::Div,
                Box::new(MExpr::Random(Box::new(MExpr::Num(1.0)))),
                Box::new(MExpr::Num(2.0)),
            )
        );
    }
}
