//! The statement lists of a kernel, piece by piece, each in jLEMS's order
//! (`StateType.eulerAdvance`, `StateType.initialize`, `ComponentRegime.advance`,
//! `ActionBlock.run`).

use lemsc_runtime::program::{BinOp, Expr as KExpr, Reduce as KReduce, Stmt};

use super::Lowerer;
use crate::diag::{Diagnostic, Span};
use crate::front::expr::Expr;
use crate::model::types::{Action, DerivedValue, OnCondition, Reduce};
use crate::passes::kernels::plan::LinkSpec;

/// Where an action block runs: jLEMS only follows a Transition from a regime's block
/// (`ActionBlock.run(RegimeStateInstance)`); the instance's own blocks ignore it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Context {
    Instance,
    Regime,
}

impl Lowerer<'_> {
    /// `copy = parent's value` for every requirement.
    pub(super) fn copy_requirements(&mut self, out: &mut Vec<Stmt>) {
        for (k, slot) in self.requirement_links.clone() {
            out.push(Stmt::Set {
                slot,
                value: KExpr::Link(k),
            });
        }
    }

    /// Links of requirements and selects, in that order, made once per component.
    pub(super) fn make_links(&mut self) {
        for (name, slot, span) in self.layout.requirements.clone() {
            let k = self.link(LinkSpec::Requirement { name, span });
            self.requirement_links.push((k, slot));
        }
        let ty = self.ty;
        for dv in &ty.dynamics.derived_variables {
            let DerivedValue::Select {
                select,
                reduce,
                required,
                span,
            } = &dv.value
            else {
                continue;
            };
            let slot = self.layout.variables[&dv.q.name];
            let value = match select_link(select, *reduce, *required, *span) {
                Ok((spec, list_reduce)) => {
                    let k = self.link(spec);
                    match list_reduce {
                        Some(r) => KExpr::Reduce(r, k),
                        None => KExpr::Link(k),
                    }
                }
                Err(d) => {
                    self.error(d);
                    KExpr::Const(f64::NAN)
                }
            };
            self.select_values.push((slot, value));
        }
    }

    fn link(&mut self, spec: LinkSpec) -> u32 {
        self.links.push(spec);
        self.links.len() as u32 - 1
    }

    /// Select-derived, then expression-derived (document order, not dependency order), then
    /// conditional derived variables.
    pub(super) fn derived(&mut self, out: &mut Vec<Stmt>) {
        for (slot, value) in self.select_values.clone() {
            out.push(Stmt::Set { slot, value });
        }
        let ty = self.ty;
        for dv in &ty.dynamics.derived_variables {
            if let DerivedValue::Expr(e) = &dv.value {
                let slot = self.layout.variables[&dv.q.name];
                let value = self.expr(e);
                out.push(Stmt::Set { slot, value });
            }
        }
        for cdv in &ty.dynamics.conditional_derived_variables {
            let slot = self.layout.variables[&cdv.q.name];
            let cases: Vec<(Option<&Expr>, &Expr)> = cdv
                .cases
                .iter()
                .map(|c| (c.condition.as_ref(), &c.value))
                .collect();
            self.first_case(slot, &cases, out);
        }
    }

    /// `slot` = the value of the first case whose condition holds (a case without one always
    /// holds), else 0. Conditions are tested in order and stop at the first that holds, as
    /// jLEMS does, so `random()` draws the same numbers.
    fn first_case(&mut self, slot: u32, cases: &[(Option<&Expr>, &Expr)], out: &mut Vec<Stmt>) {
        let matched = self
            .layout
            .case_matched
            .expect("laid out with the conditionals");
        let set_matched = |v: f64| Stmt::Set {
            slot: matched,
            value: KExpr::Const(v),
        };
        let not_matched = KExpr::Not(Box::new(KExpr::Local(matched)));
        out.push(set_matched(0.0));
        for (i, (condition, value)) in cases.iter().enumerate() {
            let chosen = vec![
                Stmt::Set {
                    slot,
                    value: self.expr(value),
                },
                set_matched(1.0),
            ];
            let step = match condition {
                Some(c) => Stmt::If {
                    test: self.expr(c),
                    then: chosen,
                },
                None => Stmt::If {
                    test: not_matched.clone(),
                    then: chosen,
                },
            };
            let guarded = match (i, condition) {
                (0, _) | (_, None) => step,
                _ => Stmt::If {
                    test: not_matched.clone(),
                    then: vec![step],
                },
            };
            out.push(guarded);
            if condition.is_none() {
                return;
            }
        }
        out.push(Stmt::If {
            test: not_matched,
            then: vec![Stmt::Set {
                slot,
                value: KExpr::Const(0.0),
            }],
        });
    }

    /// Every rate from the same state into its rate slot, then `x = x + dt * rate` each.
    pub(super) fn integrate(&mut self, out: &mut Vec<Stmt>) {
        let ty = self.ty;
        let mut updates = Vec::new();
        for td in &ty.dynamics.time_derivatives {
            let Some(x) = self.state_slot(&td.variable, td.span) else {
                continue;
            };
            let rate = self.layout.rates[&td.variable];
            let value = self.expr(&td.value);
            out.push(Stmt::Set { slot: rate, value });
            updates.push(Stmt::Set {
                slot: x,
                value: euler(x, KExpr::Local(rate)),
            });
        }
        out.extend(updates);
    }

    /// The instance's own OnConditions, each tested once, in document order.
    pub(super) fn conditions(&mut self, conditions: &[OnCondition], ctx: Context) -> Vec<Stmt> {
        let mut out = Vec::new();
        for oc in conditions {
            let test = self.expr(&oc.test);
            let then = self.actions(&oc.actions, ctx, &mut Vec::new());
            out.push(Stmt::If { test, then });
        }
        out
    }

    /// An action block as jLEMS runs it: every assignment in order, then every EventOut,
    /// then (in a regime) the Transition, which enters the new regime at once. `entering`
    /// holds the regimes whose OnEntry is being inlined, to refuse a loop of transitions.
    pub(super) fn actions(
        &mut self,
        actions: &[Action],
        ctx: Context,
        entering: &mut Vec<usize>,
    ) -> Vec<Stmt> {
        let mut out = Vec::new();
        for a in actions {
            if let Action::Assign(sa) = a {
                if let Some(slot) = self.state_slot(&sa.variable, sa.span) {
                    let value = self.expr(&sa.value);
                    out.push(Stmt::Set { slot, value });
                }
            }
        }
        for a in actions {
            if let Action::EventOut { port, span } = a {
                if let Some(port) = self.out_port(port, *span) {
                    out.push(Stmt::Emit { port });
                }
            }
        }
        let transitions: Vec<(&String, Span)> = actions
            .iter()
            .filter_map(|a| match a {
                Action::Transition { regime, span } => Some((regime, *span)),
                _ => None,
            })
            .collect();
        if let [_, (_, second), ..] = transitions[..] {
            // jLEMS refuses such a block when it reads the model.
            self.error(
                Diagnostic::at(second, "a second Transition in one block")
                    .with_note("expected at most one Transition per OnCondition or OnEntry"),
            );
        } else if let (Context::Regime, [(regime, span)]) = (ctx, &transitions[..]) {
            self.transition(regime, *span, entering, &mut out);
        }
        out
    }

    /// Switches the regime slot to `regime` and runs its OnEntry.
    fn transition(
        &mut self,
        regime: &str,
        span: Span,
        entering: &mut Vec<usize>,
        out: &mut Vec<Stmt>,
    ) {
        let regimes = &self.ty.dynamics.regimes;
        let Some(index) = regimes.iter().position(|r| r.name == regime) else {
            let known: Vec<&str> = regimes.iter().map(|r| r.name.as_str()).collect();
            self.error(
                Diagnostic::at(span, format!("no regime named '{regime}' to go to"))
                    .with_note(format!("expected one of: {}", known.join(", "))),
            );
            return;
        };
        if entering.contains(&index) {
            self.error(
                Diagnostic::at(
                    span,
                    format!("entering regime '{regime}' leads back to itself through OnEntry"),
                )
                .with_note(
                    "a Transition inside OnEntry must not come back to a regime being entered",
                ),
            );
            return;
        }
        let slot = self.layout.regime.expect("laid out with the regimes");
        out.push(Stmt::Set {
            slot,
            value: KExpr::Const(index as f64),
        });
        out.extend(self.enter(index, entering));
    }

    /// The OnEntry of regime `index`.
    pub(super) fn enter(&mut self, index: usize, entering: &mut Vec<usize>) -> Vec<Stmt> {
        let ty = self.ty;
        entering.push(index);
        let out = self.actions(
            &ty.dynamics.regimes[index].on_entry,
            Context::Regime,
            entering,
        );
        entering.pop();
        out
    }

    /// Runs the OnEntry of whichever regime is active.
    pub(super) fn enter_active(&mut self, out: &mut Vec<Stmt>) {
        let Some(slot) = self.layout.regime else {
            return;
        };
        let arms = (0..self.ty.dynamics.regimes.len())
            .map(|r| self.enter(r, &mut Vec::new()))
            .collect();
        out.push(Stmt::Switch { slot, arms });
    }

    /// The active regime's part of a step: its rates applied one after the other (each sees
    /// the updates before it), then its OnConditions.
    pub(super) fn regime_step(&mut self, out: &mut Vec<Stmt>) {
        let Some(slot) = self.layout.regime else {
            return;
        };
        // jLEMS's regime first copies every requirement from the instance's own
        // `getVariable`, which reads the exposure table first: a no-op unless an Exposure
        // shares the requirement's name.
        for (name, copy, _) in &self.layout.requirements {
            let seen = self.layout.readable[name];
            if seen != *copy {
                out.push(Stmt::Set {
                    slot: *copy,
                    value: KExpr::Local(seen),
                });
            }
        }
        let ty = self.ty;
        let mut arms = Vec::new();
        for regime in &ty.dynamics.regimes {
            let mut arm = Vec::new();
            for td in &regime.time_derivatives {
                if let Some(x) = self.state_slot(&td.variable, td.span) {
                    let rate = self.expr(&td.value);
                    arm.push(Stmt::Set {
                        slot: x,
                        value: euler(x, rate),
                    });
                }
            }
            for oc in &regime.on_conditions {
                let test = self.expr(&oc.test);
                let then = self.actions(&oc.actions, Context::Regime, &mut Vec::new());
                arm.push(Stmt::If { test, then });
            }
            arms.push(arm);
        }
        out.push(Stmt::Switch { slot, arms });
    }

    /// Copies every exposed variable into its exposure slot.
    pub(super) fn synchronise_exposures(&self, out: &mut Vec<Stmt>) {
        for &(exposed, from) in &self.layout.sync {
            out.push(Stmt::Set {
                slot: exposed,
                value: KExpr::Local(from),
            });
        }
    }

    /// The OnStart assignments, in document order.
    pub(super) fn on_start(&mut self, out: &mut Vec<Stmt>) {
        let ty = self.ty;
        for sa in &ty.dynamics.on_start {
            if let Some(slot) = self.state_slot(&sa.variable, sa.span) {
                let value = self.expr(&sa.value);
                out.push(Stmt::Set { slot, value });
            }
        }
    }

    /// The slot of a state variable that a rate or an assignment changes.
    fn state_slot(&mut self, name: &str, span: Span) -> Option<u32> {
        let slot = self.layout.variables.get(name).copied();
        if slot.is_none() {
            self.error(Diagnostic::at(
                span,
                format!(
                    "'{name}' is not a variable of ComponentType '{}'",
                    self.ty.name
                ),
            ));
        }
        slot
    }

    fn out_port(&mut self, name: &str, span: Span) -> Option<u32> {
        let port = self.out_ports.iter().position(|p| p == name);
        if port.is_none() {
            self.error(
                Diagnostic::at(span, format!("no out-port named '{name}'"))
                    .with_note(format!("expected one of: {}", self.out_ports.join(", "))),
            );
        }
        port.map(|p| p as u32)
    }
}

/// `x + dt * rate`, the order jLEMS computes it in.
fn euler(x: u32, rate: KExpr) -> KExpr {
    KExpr::Binary(
        BinOp::Add,
        Box::new(KExpr::Local(x)),
        Box::new(KExpr::Binary(
            BinOp::Mul,
            Box::new(KExpr::Step),
            Box::new(rate),
        )),
    )
}

/// What a `select=` path reads: one value, or a list reduced with `reduce` (a path with `[` or
/// `*` after its first character, as jLEMS decides).
fn select_link(
    path: &str,
    reduce: Option<Reduce>,
    required: bool,
    span: Span,
) -> Result<(LinkSpec, Option<KReduce>), Diagnostic> {
    let multi = path.find(['[', '*']).is_some_and(|i| i > 0);
    if multi {
        let r = match reduce {
            Some(Reduce::Add) => KReduce::Add,
            Some(Reduce::Multiply) => KReduce::Multiply,
            None => {
                return Err(Diagnostic::at(
                    span,
                    format!("select=\"{path}\" names many values but says no reduce"),
                )
                .with_note("expected reduce=\"add\" or reduce=\"multiply\""));
            }
        };
        let spec = LinkSpec::SelectList {
            path: path.to_string(),
            span,
        };
        return Ok((spec, Some(r)));
    }
    // jLEMS: a missing single target gives 0 when adding, 1 when multiplying and not
    // required; anything else is an error.
    let (required, missing) = match reduce {
        Some(Reduce::Add) => (false, 0.0),
        Some(Reduce::Multiply) if !required => (false, 1.0),
        _ => (true, 0.0),
    };
    let spec = LinkSpec::Select {
        path: path.to_string(),
        required,
        missing,
        span,
    };
    Ok((spec, None))
}
