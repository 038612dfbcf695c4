//! Conditions and events: what `BREAKPOINT` tests, what is `WATCH`ed (as a margin, since a
//! WATCH takes one comparison), and the `NET_RECEIVE` handlers with their actions.

use super::*;

impl Writer<'_> {
    /// Conditions tested in BREAKPOINT at every step (as jLEMS tests them): those that only
    /// assign the mechanism's own variables. The others (sending events, changing regime,
    /// resetting v) are WATCHed and handled in NET_RECEIVE.
    pub(super) fn tested_in_breakpoint(&self, c: &Condition) -> bool {
        c.actions.event_outs.is_empty()
            && c.actions.transition.is_none()
            && !c
                .actions
                .assigns
                .iter()
                .any(|a| Some(&a.var) == self.voltage.as_ref())
    }

    pub(super) fn watched(&self) -> Vec<Condition> {
        let plan = self.plan;
        plan.conditions
            .iter()
            .filter(|c| !self.is_density() && !self.tested_in_breakpoint(c))
            .cloned()
            .collect()
    }

    /// BREAKPOINT lines of the conditions tested there.
    pub(super) fn breakpoint_conditions(&mut self) -> Vec<String> {
        let plan = self.plan;
        let mut lines = Vec::new();
        for c in &plan.conditions {
            if !self.is_density() && !self.tested_in_breakpoint(c) {
                continue;
            }
            let test = self.condition_test(c);
            lines.push(format!("if ({test}) {{"));
            let body = self.actions(&c.actions);
            lines.extend(body.into_iter().map(|l| format!("    {l}")));
            lines.push("}".into());
        }
        lines
    }

    /// The condition's test, with its regime.
    pub(super) fn condition_test(&mut self, c: &Condition) -> String {
        let test = self.regime_test(c);
        self.expr(&test)
    }

    pub(super) fn regime_test(&self, c: &Condition) -> MExpr {
        let mut test = c.test.clone();
        if let (Some(k), Some(r)) = (c.regime, &self.plan.regimes) {
            let in_regime = MExpr::Bin(
                BinOp::Eq,
                Box::new(MExpr::Var(r.var.clone())),
                Box::new(MExpr::Num(k as f64)),
            );
            test = MExpr::Bin(BinOp::And, Box::new(in_regime), Box::new(test));
        }
        test
    }

    pub(super) fn regime_id(&self) -> Option<String> {
        self.plan.regimes.as_ref().map(|r| self.id(&r.var))
    }

    pub(super) fn net_receive_body(&mut self) -> Vec<String> {
        let plan = self.plan;
        let mut lines = Vec::new();
        let handlers: Vec<_> = plan.on_events.iter().filter(|h| h.port == "in").collect();
        if let Some(h) = handlers.first() {
            lines.push("if (flag == 0) {".into());
            let body = self.actions(&h.actions);
            lines.extend(body.into_iter().map(|l| format!("    {l}")));
            lines.push("}".into());
        }
        let watched = self.watched();
        if watched.is_empty() {
            return lines;
        }
        let mut tests = Vec::new();
        let mut margins = Vec::new();
        for c in &watched {
            let test = self.regime_test(c);
            margins.push(self.expr(&margin(&test)));
            tests.push(self.expr(&test));
        }
        lines.push("if (flag == 1) {".into());
        // A WATCH takes one comparison: each condition is watched as a margin that is
        // positive exactly when the condition holds.
        for (k, m) in margins.iter().enumerate() {
            let f = CONDITION_FLAG + k;
            lines.push(format!("    WATCH ({m} > 0) {f}"));
        }
        // WATCH fires on a false-to-true change only; a condition already true at the start
        // fires once now, as it would at the first step of jLEMS.
        for (k, t) in tests.iter().enumerate() {
            let f = CONDITION_FLAG + k;
            lines.push(format!("    if ({t}) {{"));
            lines.push(format!("        net_send(0, {f})"));
            lines.push("    }".into());
        }
        lines.push("}".into());
        for (k, c) in watched.iter().enumerate() {
            let f = CONDITION_FLAG + k;
            lines.push(format!("if (flag == {f}) {{"));
            lines.push(format!("    if ({}) {{", tests[k]));
            let body = self.actions(&c.actions);
            lines.extend(body.into_iter().map(|l| format!("        {l}")));
            lines.push("    }".into());
            lines.push("}".into());
        }
        lines
    }

    pub(super) fn actions(&mut self, actions: &Actions) -> Vec<String> {
        let mut lines = Vec::new();
        for a in &actions.assigns {
            let value = self.expr(&a.value);
            if Some(&a.var) == self.voltage.as_ref() {
                lines.push(format!("v = ({value}) * 1000"));
                // The current from the last rates() belongs to the voltage before the reset:
                // it stops until rates() runs again.
                if self.plan.regimes.is_none() && self.plan.rates.iter().any(|r| r.state == a.var) {
                    lines.push(format!("{} = 0", self.rate_id(&a.var)));
                }
            } else {
                lines.push(format!("{} = {value}", self.id(&a.var)));
            }
        }
        if let (Some(k), Some(r)) = (actions.transition, self.plan.regimes.clone()) {
            lines.push(format!("{} = {k}", self.id(&r.var)));
            let entry = self.actions(&r.on_entry[k]);
            lines.extend(entry);
        }
        for _ in &actions.event_outs {
            lines.push("net_event(t)".into());
        }
        lines
    }
}

/// An arithmetic expression that is positive exactly when the boolean `test` holds (up to
/// equality at the boundary): WATCH accepts one comparison, not `&&`, `||` or `!`.
fn margin(test: &MExpr) -> MExpr {
    let b = |op, l: MExpr, r: MExpr| MExpr::Bin(op, Box::new(l), Box::new(r));
    let abs = |x: MExpr| MExpr::Call(Func::Abs, Box::new(x));
    let half = |x: MExpr| b(BinOp::Mul, x, MExpr::Num(0.5));
    match test {
        MExpr::Bin(op, l, r) => {
            let (l, r) = ((**l).clone(), (**r).clone());
            match op {
                BinOp::Gt | BinOp::Ge => b(BinOp::Sub, l, r),
                BinOp::Lt | BinOp::Le => b(BinOp::Sub, r, l),
                BinOp::Eq => b(BinOp::Sub, MExpr::Num(1e-9), abs(b(BinOp::Sub, l, r))),
                BinOp::Ne => b(BinOp::Sub, abs(b(BinOp::Sub, l, r)), MExpr::Num(1e-9)),
                BinOp::And | BinOp::Or => {
                    let (ml, mr) = (margin(&l), margin(&r));
                    let sum = b(BinOp::Add, ml.clone(), mr.clone());
                    let gap = abs(b(BinOp::Sub, ml, mr));
                    // min(a, b) = (a + b - |a - b|) / 2; max with +.
                    let op = if *op == BinOp::And {
                        BinOp::Sub
                    } else {
                        BinOp::Add
                    };
                    half(b(op, sum, gap))
                }
                _ => abs(test.clone()),
            }
        }
        MExpr::Not(x) => MExpr::Neg(Box::new(margin(x))),
        other => abs(other.clone()),
    }
}
