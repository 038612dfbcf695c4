//! LEMS expressions to kernel expressions, one node for one node: same operands in the same
//! order, nothing simplified, so the kernel computes the bits the model's formula gives.

use lemsc_runtime::program::{BinOp as KOp, Expr as KExpr, Func as KFunc};

use super::Lowerer;
use crate::diag::{Diagnostic, Span};
use crate::front::expr::{BinOp, Expr, ExprKind, Func};

impl Lowerer<'_> {
    /// The kernel expression of `e`. Errors are recorded and give a NaN constant, so one
    /// pass reports every problem.
    pub(super) fn expr(&mut self, e: &Expr) -> KExpr {
        match &e.kind {
            ExprKind::Number(v) => KExpr::Const(*v),
            ExprKind::Name(n) => self.name(n, e.span),
            ExprKind::Neg(x) => KExpr::Neg(Box::new(self.expr(x))),
            ExprKind::Not(x) => KExpr::Not(Box::new(self.expr(x))),
            ExprKind::Binary(op, l, r) => {
                let l = self.expr(l);
                let r = self.expr(r);
                KExpr::Binary(binop(*op), Box::new(l), Box::new(r))
            }
            ExprKind::Call(func, args) => {
                let [arg] = args.as_slice() else {
                    self.error(Diagnostic::at(
                        e.span,
                        format!("'{}' takes one argument, found {}", func.name(), args.len()),
                    ));
                    return KExpr::Const(f64::NAN);
                };
                let arg = Box::new(self.expr(arg));
                match func {
                    Func::Random => KExpr::Random(arg),
                    f => KExpr::Call(function(*f), arg),
                }
            }
        }
    }

    /// A name: a parameter or constant folded to its value, a variable to its slot, `t` to
    /// the instance's own time.
    fn name(&mut self, name: &str, span: Span) -> KExpr {
        if let Some(&v) = self.values.get(name) {
            return KExpr::Const(v);
        }
        if let Some(&slot) = self.layout.variables.get(name) {
            return KExpr::Local(slot);
        }
        if name == "t" {
            // jLEMS keeps `t` per instance, set when the instance advances: an event handled
            // before the instance's own step sees the time of its previous step.
            return KExpr::Local(self.layout.time_slot());
        }
        let what = if self.ty.derived_parameters.iter().any(|d| d.q.name == name) {
            format!("derived parameter '{name}' has no value here")
        } else if self.ty.parameters.iter().any(|p| p.name == name) {
            format!("parameter '{name}' has no value here")
        } else {
            format!("'{name}' names nothing in ComponentType '{}'", self.ty.name)
        };
        let d = Diagnostic::at(span, what)
            .with_secondary(self.comp.name_span, "in this component")
            .with_note(
                "expected a parameter with a value, a constant, a variable, a requirement \
                 or t; DerivedParameters with select= are not supported by this target",
            );
        self.error(d);
        KExpr::Const(f64::NAN)
    }
}

fn binop(op: BinOp) -> KOp {
    op.kernel_op()
}

/// The kernel function of a one-argument LEMS function (`random` is its own expression).
fn function(f: Func) -> KFunc {
    f.kernel_func().expect("random(x) lowers to Expr::Random")
}
