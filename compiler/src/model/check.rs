//! Checks of one flattened ComponentType: every name used in an expression is declared,
//! every expression has the dimension its use requires, and every variable, port, regime,
//! exposure and select path named by a member exists.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Severity, Span};
use crate::front::expr::{self, describe_dim, Expr, ExprKind, Type};
use crate::model::dims::Dim;
use crate::model::typebuild::{is_unparsed, similar_note};
use crate::model::types::*;

/// All checks of `ty`; `types` and `by_name` are every type, for select paths.
pub fn check_type(
    ty: &ComponentType,
    types: &[ComponentType],
    by_name: &HashMap<String, TypeId>,
) -> Diagnostics {
    let _ = (types, by_name);
    let mut c = Checker {
        ty,
        diags: Diagnostics::new(),
        scope: dynamics_scope(ty),
    };
    c.derived_parameters();
    c.dynamics();
    c.exposures();
    c.structure(&ty.structure.items);
    c.diags
}

/// A written zero (`0`, `-0.0`) is a zero of whatever dimension is expected, as in
/// `<StateAssignment variable="v" value="0"/>`.
fn is_literal_zero(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Number(v) => *v == 0.0,
        ExprKind::Neg(inner) => is_literal_zero(inner),
        _ => false,
    }
}

fn has_nonzero_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Number(v) => *v != 0.0,
        ExprKind::Name(_) => false,
        ExprKind::Neg(x) | ExprKind::Not(x) => has_nonzero_literal(x),
        ExprKind::Binary(_, l, r) => has_nonzero_literal(l) || has_nonzero_literal(r),
        ExprKind::Call(_, args) => args.iter().any(has_nonzero_literal),
    }
}

/// Names usable in parameter expressions: parameters, derived parameters and constants.
fn parameter_scope(ty: &ComponentType) -> HashMap<String, Dim> {
    let mut scope = HashMap::new();
    for q in &ty.parameters {
        scope.insert(q.name.clone(), q.dim);
    }
    for d in &ty.derived_parameters {
        scope.insert(d.q.name.clone(), d.q.dim);
    }
    for c in &ty.constants {
        scope.insert(c.q.name.clone(), c.q.dim);
    }
    for n in &ty.index_parameters {
        scope.insert(n.name.clone(), Dim::NONE);
    }
    scope
}

/// Names usable in Dynamics expressions: the parameter scope plus requirements, properties,
/// state and derived variables and the time `t`.
fn dynamics_scope(ty: &ComponentType) -> HashMap<String, Dim> {
    let mut scope = parameter_scope(ty);
    for q in &ty.requirements {
        scope.insert(q.name.clone(), q.dim);
    }
    for p in &ty.properties {
        scope.insert(p.q.name.clone(), p.q.dim);
    }
    let d = &ty.dynamics;
    for s in &d.state_variables {
        scope.insert(s.q.name.clone(), s.q.dim);
    }
    for v in &d.derived_variables {
        scope.insert(v.q.name.clone(), v.q.dim);
    }
    for v in &d.conditional_derived_variables {
        scope.insert(v.q.name.clone(), v.q.dim);
    }
    scope.entry("t".to_string()).or_insert(Dim::TIME);
    scope
}

struct Checker<'a> {
    ty: &'a ComponentType,
    diags: Diagnostics,
    scope: HashMap<String, Dim>,
}

impl Checker<'_> {
    /// The type of `e` in `scope`; undefined names and dimension errors are reported and
    /// give None.
    fn infer(&mut self, e: &Expr, scope: &HashMap<String, Dim>) -> Option<Type> {
        if is_unparsed(e) {
            return None;
        }
        let ty_name = &self.ty.name;
        let mut lookup = |name: &str, span: Span| -> Result<Dim, Diagnostic> {
            scope.get(name).copied().ok_or_else(|| {
                Diagnostic::at(
                    span,
                    format!("undefined variable '{name}' in ComponentType '{ty_name}'"),
                )
                .with_note(similar_note(name, scope.keys()))
            })
        };
        match expr::infer_type(e, &mut lookup) {
            Ok(t) => Some(t),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// Checks that `e` is a number of dimension `want`; `what` names the use in messages.
    fn expect_dim(&mut self, e: &Expr, want: Dim, what: &str) {
        if is_literal_zero(e) {
            return;
        }
        let scope = std::mem::take(&mut self.scope);
        let got = self.infer(e, &scope);
        self.scope = scope;
        match got {
            None => {}
            Some(Type::Number(d)) if d == want => {}
            Some(Type::Number(d)) => {
                let mut diag = Diagnostic::at(
                    e.span,
                    format!(
                        "{what} must have dimension {}, found {}",
                        describe_dim(want),
                        describe_dim(d)
                    ),
                )
                .with_note(format!("in ComponentType '{}'", self.ty.name));
                // Some official types write e.g. `-Si/150.0` for a rate, the literal carrying
                // unstated units; jLEMS runs them, so this is only a warning.
                if d.is_none() && has_nonzero_literal(e) {
                    diag.severity = Severity::Warning;
                    diag = diag.with_note("a number written without units is dimensionless; it is taken as if it carried the missing units");
                }
                self.diags.push(diag);
            }
            Some(Type::Bool) => self.diags.push(Diagnostic::at(
                e.span,
                format!(
                    "{what} must be a number of dimension {}, found a condition",
                    describe_dim(want)
                ),
            )),
        }
    }

    fn expect_bool(&mut self, e: &Expr, what: &str) {
        let scope = std::mem::take(&mut self.scope);
        let got = self.infer(e, &scope);
        self.scope = scope;
        if let Some(Type::Number(d)) = got {
            self.diags.push(
                Diagnostic::at(
                    e.span,
                    format!(
                        "{what} must be a condition, found a number of dimension {}",
                        describe_dim(d)
                    ),
                )
                .with_note("write a comparison such as 'v .gt. threshold'"),
            );
        }
    }

    fn derived_parameters(&mut self) {
        let scope = parameter_scope(self.ty);
        for dp in &self.ty.derived_parameters {
            let Some(e) = &dp.value else { continue };
            match self.infer(e, &scope) {
                Some(Type::Number(d)) if d != dp.q.dim => self.diags.push(Diagnostic::at(
                    e.span,
                    format!(
                        "the value of derived parameter '{}' must have dimension {}, found {}",
                        dp.q.name,
                        describe_dim(dp.q.dim),
                        describe_dim(d)
                    ),
                )),
                Some(Type::Bool) => self.diags.push(Diagnostic::at(
                    e.span,
                    format!(
                        "the value of derived parameter '{}' is a condition, not a number",
                        dp.q.name
                    ),
                )),
                _ => {}
            }
        }
    }

    fn state_variable(&self, name: &str) -> Option<&StateVariable> {
        self.ty
            .dynamics
            .state_variables
            .iter()
            .find(|s| s.q.name == name)
    }

    fn unknown_state(&mut self, what: &str, name: &str, span: Span) {
        let known: Vec<String> = self
            .ty
            .dynamics
            .state_variables
            .iter()
            .map(|s| s.q.name.clone())
            .collect();
        self.diags.push(
            Diagnostic::at(
                span,
                format!(
                    "{what} of '{name}', which is not a state variable of ComponentType '{}'",
                    self.ty.name
                ),
            )
            .with_note(similar_note(name, known.iter())),
        );
    }

    fn time_derivative(&mut self, td: &TimeDerivative) {
        let Some(sv) = self.state_variable(&td.variable) else {
            return self.unknown_state("TimeDerivative", &td.variable, td.span);
        };
        let want = sv.q.dim / Dim::TIME;
        let what = format!("the time derivative of '{}'", td.variable);
        self.expect_dim(&td.value, want, &what);
    }

    fn assignment(&mut self, sa: &StateAssignment) {
        let Some(sv) = self.state_variable(&sa.variable) else {
            return self.unknown_state("StateAssignment", &sa.variable, sa.span);
        };
        let want = sv.q.dim;
        let what = format!("the value assigned to '{}'", sa.variable);
        self.expect_dim(&sa.value, want, &what);
    }

    fn port(&mut self, name: &str, want: Direction, span: Span, user: &str) {
        let ports = &self.ty.event_ports;
        match ports.iter().find(|p| p.name == name) {
            Some(p) if p.direction == want => {}
            Some(_) => {
                let (w, f) = match want {
                    Direction::In => ("an input", "an output"),
                    Direction::Out => ("an output", "an input"),
                };
                self.diags.push(Diagnostic::at(
                    span,
                    format!("{user} needs {w} port, but '{name}' is {f} port").to_string(),
                ));
            }
            None => {
                let known: Vec<String> = ports.iter().map(|p| p.name.clone()).collect();
                self.diags.push(
                    Diagnostic::at(
                        span,
                        format!(
                            "{user} names '{name}', which is not an event port of ComponentType '{}'",
                            self.ty.name
                        ),
                    )
                    .with_note(similar_note(name, known.iter())),
                );
            }
        }
    }

    fn actions(&mut self, actions: &[Action]) {
        for a in actions {
            match a {
                Action::Assign(sa) => self.assignment(sa),
                Action::EventOut { port, span } => {
                    self.port(port, Direction::Out, *span, "EventOut")
                }
                Action::Transition { regime, span } => {
                    let regimes = &self.ty.dynamics.regimes;
                    if !regimes.iter().any(|r| &r.name == regime) {
                        let known: Vec<String> = regimes.iter().map(|r| r.name.clone()).collect();
                        self.diags.push(
                            Diagnostic::at(
                                *span,
                                format!(
                                    "Transition to '{regime}', which is not a regime of ComponentType '{}'",
                                    self.ty.name
                                ),
                            )
                            .with_note(similar_note(regime, known.iter())),
                        );
                    }
                }
            }
        }
    }

    fn on_condition(&mut self, oc: &OnCondition) {
        self.expect_bool(&oc.test, "the test of an OnCondition");
        self.actions(&oc.actions);
    }

    fn dynamics(&mut self) {
        let d = &self.ty.dynamics;
        for sv in &d.state_variables {
            self.exposure_of(&sv.q, sv.exposure.as_deref());
        }
        for dv in &d.derived_variables {
            self.exposure_of(&dv.q, dv.exposure.as_deref());
            match &dv.value {
                DerivedValue::Expr(e) => {
                    let what = format!("the value of derived variable '{}'", dv.q.name);
                    self.expect_dim(e, dv.q.dim, &what);
                }
                DerivedValue::Select { select, span, .. } => self.select_path(select, *span),
            }
        }
        for cdv in &d.conditional_derived_variables {
            self.exposure_of(&cdv.q, cdv.exposure.as_deref());
            for case in &cdv.cases {
                if let Some(cond) = &case.condition {
                    self.expect_bool(cond, "the condition of a Case");
                }
                let what = format!("the value of derived variable '{}'", cdv.q.name);
                self.expect_dim(&case.value, cdv.q.dim, &what);
            }
        }
        for td in &d.time_derivatives {
            self.time_derivative(td);
        }
        for sa in &d.on_start {
            self.assignment(sa);
        }
        for oc in &d.on_conditions {
            self.on_condition(oc);
        }
        for oe in &d.on_events {
            self.port(&oe.port, Direction::In, oe.span, "OnEvent");
            self.actions(&oe.actions);
        }
        for r in &d.regimes {
            for td in &r.time_derivatives {
                self.time_derivative(td);
            }
            self.actions(&r.on_entry);
            for oc in &r.on_conditions {
                self.on_condition(oc);
            }
        }
    }

    /// A variable's `exposure=` must name an Exposure of the same dimension.
    fn exposure_of(&mut self, q: &Quantity, exposure: Option<&str>) {
        let Some(name) = exposure else { return };
        match self.ty.exposures.iter().find(|e| e.name == name) {
            Some(e) if e.dim == q.dim => {}
            // jLEMS publishes such a variable anyway (the official PyNN alphaCurrSynapse
            // exposes a dimensionless state as a current), so this is a warning.
            Some(e) => self.diags.push(
                Diagnostic::warning(format!(
                    "'{}' has dimension {} but is exposed as '{name}', which has dimension {}",
                    q.name,
                    describe_dim(q.dim),
                    describe_dim(e.dim)
                ))
                .with_span(q.span, "")
                .with_secondary(e.span, "exposure declared here"),
            ),
            None => {
                let known: Vec<String> = self.ty.exposures.iter().map(|e| e.name.clone()).collect();
                self.diags.push(
                    Diagnostic::at(
                        q.span,
                        format!(
                            "'{}' is exposed as '{name}', which is not an Exposure of ComponentType '{}'",
                            q.name, self.ty.name
                        ),
                    )
                    .with_note(similar_note(name, known.iter())),
                );
            }
        }
    }

    /// Where the type has Dynamics, each Exposure must be provided by one of its
    /// quantities; abstract base types without Dynamics leave that to their subtypes.
    fn exposures(&mut self) {
        let d = &self.ty.dynamics;
        let has_dynamics = !(d.state_variables.is_empty()
            && d.derived_variables.is_empty()
            && d.conditional_derived_variables.is_empty());
        if !has_dynamics {
            return;
        }
        for e in &self.ty.exposures {
            let provided = d
                .state_variables
                .iter()
                .any(|s| s.exposure.as_deref() == Some(&e.name) || s.q.name == e.name)
                || d.derived_variables
                    .iter()
                    .any(|v| v.exposure.as_deref() == Some(&e.name) || v.q.name == e.name)
                || d.conditional_derived_variables
                    .iter()
                    .any(|v| v.exposure.as_deref() == Some(&e.name) || v.q.name == e.name)
                || self.ty.parameters.iter().any(|p| p.name == e.name)
                || self
                    .ty
                    .derived_parameters
                    .iter()
                    .any(|p| p.q.name == e.name)
                || self.ty.constants.iter().any(|c| c.q.name == e.name)
                || self.ty.properties.iter().any(|p| p.q.name == e.name);
            if !provided {
                self.diags.push(Diagnostic::at(
                    e.span,
                    format!(
                        "Exposure '{}' of ComponentType '{}' names no variable or parameter",
                        e.name, self.ty.name
                    ),
                ).with_note("expose a state or derived variable with exposure=\"...\", or declare one of the same name"));
            }
        }
    }

    /// The first segment of a select path (`synapses[*]/i` -> `synapses`) must name a
    /// child, children, attachments, reference, link or instance requirement of the type.
    fn select_path(&mut self, path: &str, span: Span) {
        let first = path.split('/').next().unwrap_or("");
        let first = first.split('[').next().unwrap_or("").trim();
        let ty = self.ty;
        let slots = ty
            .child
            .iter()
            .chain(&ty.children)
            .chain(&ty.attachments)
            .chain(&ty.component_references)
            .chain(&ty.links)
            .chain(&ty.instance_requirements);
        let known: Vec<String> = slots.map(|s| s.name.clone()).collect();
        if !known.iter().any(|k| k == first) {
            self.diags.push(
                Diagnostic::at(
                    span,
                    format!(
                        "select path '{path}' starts with '{first}', which is not a child, children, attachments or instance requirement of ComponentType '{}'",
                        ty.name
                    ),
                )
                .with_note(similar_note(first, known.iter())),
            );
        }
    }

    /// Assign values are evaluated in the scope of the type that holds the Structure.
    fn structure(&mut self, items: &[StructureItem]) {
        for item in items {
            let assigns: &[Assign] = match item {
                StructureItem::ChildInstance { assigns, .. }
                | StructureItem::MultiInstantiate { assigns, .. }
                | StructureItem::Tunnel { assigns, .. } => assigns,
                StructureItem::EventConnection(ec) => &ec.assigns,
                StructureItem::ForEach { body, .. } => {
                    self.structure(body);
                    &[]
                }
                StructureItem::With { .. } => &[],
            };
            for a in assigns {
                let scope = std::mem::take(&mut self.scope);
                self.infer(&a.value, &scope);
                self.scope = scope;
            }
        }
    }
}
