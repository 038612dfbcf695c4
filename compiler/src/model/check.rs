//! Checks of one flattened ComponentType: every name used in an expression is declared,
//! every expression has the dimension its use requires, and every variable, port, regime,
//! exposure and select path named by a member exists.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Severity, Span};
use crate::front::expr::{self, describe_dim, is_unparsed, Expr, ExprKind, Type};
use crate::model::dims::Dim;
use crate::model::types::*;
use crate::suggest::similar_note;

/// All checks of `ty`; `types` and `by_name` are every type, for select paths.
pub fn check_type(
    ty: &ComponentType,
    types: &[ComponentType],
    by_name: &HashMap<String, TypeId>,
) -> Diagnostics {
    // Slot types were resolved to ids while building, so names need no lookup here.
    let _ = by_name;
    let mut c = Checker {
        ty,
        types,
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
    /// Every type, flattened, to look into the types of child slots.
    types: &'a [ComponentType],
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
        self.expect_dim_named(e, want, &describe_dim(want), what, None);
    }

    /// As [`Self::expect_dim`], with the expected dimension described as `want_name`; a
    /// mismatch is a warning of the rule `lenient` where jLEMS only logs it.
    fn expect_dim_named(
        &mut self,
        e: &Expr,
        want: Dim,
        want_name: &str,
        what: &str,
        lenient: Option<&'static str>,
    ) {
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
                        "{what} must have dimension {want_name}, found {}",
                        describe_dim(d)
                    ),
                )
                .with_note(format!("in ComponentType '{}'", self.ty.name));
                // Some official types write e.g. `-Si/150.0` for a rate, the literal carrying
                // unstated units; jLEMS runs them, so this is only a warning.
                if d.is_none() && has_nonzero_literal(e) {
                    diag.severity = Severity::Warning;
                    diag.leniency = Some("unitless-literal");
                    diag = diag.with_note("a number written without units is dimensionless; it is taken as if it carried the missing units");
                } else if let Some(rule) = lenient {
                    diag.severity = Severity::Warning;
                    diag.leniency = Some(rule);
                    diag = diag.with_note(format!(
                        "the value is used as it is, as if it had dimension {want_name}"
                    ));
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
        // Name the rate after the variable's dimension when it has no common name.
        let mut want_name = describe_dim(want);
        if !want_name.contains('(') && !want.is_none() {
            want_name = format!("{}/time ({want})", sv.q.dimension);
        }
        let what = format!("the time derivative of '{}'", td.variable);
        self.expect_dim_named(&td.value, want, &want_name, &what, None);
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
                    // jLEMS logs this mismatch and runs the model (`dimension="none"` on
                    // time-valued rate expressions is common in published models).
                    let what = format!("the value of derived variable '{}'", dv.q.name);
                    let want = describe_dim(dv.q.dim);
                    let rule = Some("derived-variable-dimension");
                    self.expect_dim_named(e, dv.q.dim, &want, &what, rule);
                }
                DerivedValue::Select { select, span, .. } => self.select_path(select, *span, &dv.q),
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
                // jLEMS minds only when something reads it: a warning here, an error where
                // a path or a parent reads the exposure.
                let message = format!(
                    "Exposure '{}' of ComponentType '{}' names no variable or parameter",
                    e.name, self.ty.name
                );
                let mut d = Diagnostic::lenient("exposure-without-variable", message).with_note(
                    "expose a state or derived variable with exposure=\"...\", or declare \
                         one of the same name",
                );
                // An inherited exposure is the user's type's business: point there first.
                let own = self
                    .types
                    .get(e.declared_in.0 as usize)
                    .map(|t| t.name.as_str())
                    == Some(self.ty.name.as_str());
                d = if own {
                    d.with_span(e.span, "")
                } else {
                    d.with_span(self.ty.span, "")
                        .with_secondary(e.span, "declared here")
                };
                self.diags.push(d);
            }
        }
    }

    /// The first segment of a select path (`synapses[*]/i` -> `synapses`) must name a
    /// child, children, attachments, reference, link or instance requirement of the type.
    ///
    /// For a path of two segments (`synapses[*]/i`) into a slot of known type, the second
    /// must be a quantity of that type with the dimension of `target`.
    fn select_path(&mut self, path: &str, span: Span, target: &Quantity) {
        let segments: Vec<&str> = path.split('/').collect();
        let first = segments[0].split('[').next().unwrap_or("").trim();
        let ty = self.ty;
        let slots: Vec<&TypedSlot> = ty
            .child
            .iter()
            .chain(&ty.children)
            .chain(&ty.attachments)
            .chain(&ty.component_references)
            .chain(&ty.links)
            .chain(&ty.instance_requirements)
            .collect();
        let known: Vec<String> = slots.iter().map(|s| s.name.clone()).collect();
        if let Some(slot) = slots.iter().find(|s| s.name == first) {
            if let ([_, last], Some(t)) = (segments.as_slice(), slot.type_id) {
                self.selected_quantity(path, span, t, last.trim(), target);
            }
        } else {
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

    /// What the path's last segment `name` reads in a slot of type `slot_type`: anything
    /// with a value (exposures, parameters, requirements as in the official gap junction's
    /// `peer/v`, variables), declared by the slot's type or, where that type is abstract,
    /// by a type extending it.
    fn selected_quantity(
        &mut self,
        path: &str,
        span: Span,
        slot_type: TypeId,
        name: &str,
        target: &Quantity,
    ) {
        let child = &self.types[slot_type.0 as usize];
        let extends_slot = |t: &ComponentType| {
            let mut cur = t.parent;
            while let Some(p) = cur {
                if p == slot_type {
                    return true;
                }
                cur = self.types[p.0 as usize].parent;
            }
            false
        };
        let candidates =
            std::iter::once(child).chain(self.types.iter().filter(|t| extends_slot(t)));
        let mut found = None;
        for t in candidates {
            if let Some(e) = t.exposures.iter().find(|e| e.name == name) {
                found = Some(e.dim);
            } else if name != "t" {
                found = dynamics_scope(t).get(name).copied();
            }
            if found.is_some() {
                break;
            }
        }
        match found {
            Some(dim) if dim == target.dim => {}
            Some(dim) => self.diags.push(Diagnostic::at(
                span,
                format!(
                    "select path '{path}' gives {} but '{}' has dimension {}",
                    describe_dim(dim),
                    target.name,
                    describe_dim(target.dim)
                ),
            )),
            None => {
                let mut known: Vec<String> =
                    child.exposures.iter().map(|e| e.name.clone()).collect();
                known.extend(dynamics_scope(child).into_keys().filter(|k| k != "t"));
                // jLEMS reads it at run time with getVariable, which goes on to the
                // instances above (a graded synapse's `peer/r` is the peer's cell's `r`);
                // lowering says so if nothing above has it either.
                self.diags.push(
                    Diagnostic::lenient(
                        "select-undeclared",
                        format!(
                            "select path '{path}' reads '{name}', which ComponentType '{}' does not declare",
                            child.name
                        ),
                    )
                    .with_span(span, "")
                    .with_note(similar_note(name, known.iter()))
                    .with_note("it is read from the instance reached, or the nearest one above it that has it"),
                );
            }
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

#[cfg(test)]
mod tests {
    use crate::diag::Severity;
    use crate::model::typebuild::testing::{build, Built};

    /// A type with the usual members around the given Dynamics children.
    fn cell(dynamics: &str) -> Built {
        build(&format!(
            r#"<ComponentType name="syn"><Exposure name="i" dimension="current"/></ComponentType>
<ComponentType name="cell">
  <Parameter name="threshold" dimension="voltage"/>
  <Parameter name="tau" dimension="time"/>
  <Parameter name="gain" dimension="none"/>
  <Constant name="MV" dimension="voltage" value="1mV"/>
  <Requirement name="iExt" dimension="current"/>
  <Exposure name="v" dimension="voltage"/>
  <EventPort name="spike" direction="out"/>
  <EventPort name="in" direction="in"/>
  <Children name="synapses" type="syn"/>
  <Dynamics>
    <StateVariable name="v" dimension="voltage" exposure="v"/>
    <StateVariable name="n" dimension="none"/>
{dynamics}
  </Dynamics>
</ComponentType>"#
        ))
    }

    #[test]
    fn a_well_formed_type_passes() {
        cell(
            r#"<DerivedVariable name="rate" dimension="per_time" value="gain / tau"/>
               <DerivedVariable name="iSyn" dimension="current" select="synapses[*]/i" reduce="add"/>
               <ConditionalDerivedVariable name="m" dimension="none">
                 <Case condition="v .gt. threshold" value="1"/><Case value="0"/>
               </ConditionalDerivedVariable>
               <TimeDerivative variable="v" value="(threshold - v) / tau + MV * rate"/>
               <OnStart><StateAssignment variable="v" value="0"/></OnStart>
               <OnCondition test="v .gt. threshold .and. t .gt. tau">
                 <StateAssignment variable="v" value="MV"/><EventOut port="spike"/>
               </OnCondition>
               <OnEvent port="in"><StateAssignment variable="n" value="n + 1"/></OnEvent>
               <Regime name="up" initial="true">
                 <TimeDerivative variable="v" value="MV / tau"/>
                 <OnCondition test="v .gt. threshold"><Transition regime="up"/></OnCondition>
               </Regime>"#,
        )
        .assert_clean();
    }

    #[test]
    fn undefined_names_are_reported_at_the_name() {
        let b = cell(r#"<TimeDerivative variable="v" value="(threshhold - v) / tau"/>"#);
        b.one_error(&[
            "undefined variable 'threshhold' in ComponentType 'cell' @ threshhold",
            "similar names: threshold",
        ]);
    }

    #[test]
    fn dimensions_are_checked() {
        let b = cell(r#"<TimeDerivative variable="v" value="threshold - v"/>"#);
        b.one_error(&[
            "the time derivative of 'v' must have dimension voltage",
            "found voltage",
            "@ threshold - v",
        ]);
        let b = cell(r#"<DerivedVariable name="r" dimension="per_time" value="tau"/>"#);
        b.one_error(&["the value of derived variable 'r' must have dimension per_time"]);
        let b = cell(r#"<OnStart><StateAssignment variable="v" value="tau"/></OnStart>"#);
        b.one_error(&["the value assigned to 'v' must have dimension voltage"]);
        let b = cell(r#"<OnCondition test="v - threshold"/>"#);
        b.one_error(&["the test of an OnCondition must be a condition, found a number"]);
        let b = cell(
            r#"<ConditionalDerivedVariable name="m" dimension="none">
                 <Case condition="v" value="1"/></ConditionalDerivedVariable>"#,
        );
        b.one_error(&["the condition of a Case must be a condition"]);
        let b = cell(r#"<OnCondition test="v .gt. tau"/>"#);
        assert_eq!(b.diags.error_count(), 1, "comparing a voltage with a time");
    }

    #[test]
    fn unit_less_literals_for_dimensioned_values_are_warnings() {
        let b = cell(r#"<TimeDerivative variable="n" value="-n / 150.0"/>"#);
        b.one_error(&["the time derivative of 'n' must have dimension per_time"]);
        assert_eq!(b.diags.list[0].severity, Severity::Warning);
    }

    #[test]
    fn assigned_variables_ports_and_regimes_must_exist() {
        let b = cell(r#"<TimeDerivative variable="w" value="v / tau"/>"#);
        b.one_error(&[
            "TimeDerivative of 'w', which is not a state variable of ComponentType 'cell'",
        ]);
        let b = cell(r#"<OnStart><StateAssignment variable="gain" value="1"/></OnStart>"#);
        b.one_error(&["StateAssignment of 'gain', which is not a state variable"]);
        let b = cell(
            r#"<OnCondition test="v .gt. threshold"><Transition regime="down"/></OnCondition>"#,
        );
        b.one_error(&["Transition to 'down', which is not a regime"]);
        let b = cell(r#"<OnCondition test="v .gt. threshold"><EventOut port="in"/></OnCondition>"#);
        b.one_error(&["EventOut needs an output port, but 'in' is an input port"]);
        let b = cell(r#"<OnEvent port="spike"/>"#);
        b.one_error(&["OnEvent needs an input port, but 'spike' is an output port"]);
        let b = cell(r#"<OnEvent port="spikes"/>"#);
        b.one_error(&[
            "OnEvent names 'spikes', which is not an event port",
            "similar names: spike",
        ]);
    }

    #[test]
    fn exposures_must_match() {
        let b = cell(r#"<StateVariable name="w" dimension="none" exposure="nope"/>"#);
        b.one_error(&[
            "'w' is exposed as 'nope', which is not an Exposure of ComponentType 'cell'",
        ]);
        let b = cell(r#"<StateVariable name="w" dimension="none" exposure="v"/>"#);
        b.one_error(&["'w' has dimension dimensionless but is exposed as 'v'"]);
        assert_eq!(b.diags.list[0].severity, Severity::Warning);
        let b = build(
            r#"<ComponentType name="a"><Exposure name="x" dimension="none"/>
                 <Dynamics><StateVariable name="y" dimension="none"/></Dynamics></ComponentType>"#,
        );
        b.one_error(&["Exposure 'x' of ComponentType 'a' names no variable or parameter"]);
    }

    #[test]
    fn select_paths_start_at_a_child_slot_and_read_a_quantity_of_its_type() {
        // (dimension, select, reduce) of a DerivedVariable `s`; the one error it gets.
        let cases: [(&str, &str, &str, &[&str]); 4] = [
            ("current", "synapse[*]/i", "add", &[
                "select path 'synapse[*]/i' starts with 'synapse'",
                "similar names: synapses",
            ]),
            ("current", "synapses[*]/i", "sum", &[
                "expected 'add' or 'multiply' for reduce, found 'sum' @ sum",
            ]),
            ("current", "synapses[*]/j", "add", &[
                "select path 'synapses[*]/j' reads 'j', which ComponentType 'syn' does not declare",
                "similar names: i",
            ]),
            ("voltage", "synapses[*]/i", "add", &[
                "select path 'synapses[*]/i' gives current (A) but 's' has dimension voltage",
            ]),
        ];
        for (dimension, select, reduce, error) in cases {
            cell(&format!(
                r#"<DerivedVariable name="s" dimension="{dimension}" select="{select}" reduce="{reduce}"/>"#
            ))
            .one_error(error);
        }
    }

    #[test]
    fn select_paths_may_read_a_quantity_of_a_subtype() {
        // A quantity declared only by a subtype of the slot's type is fine.
        let b = build(
            r#"<ComponentType name="base"/>
               <ComponentType name="concrete" extends="base"><Parameter name="r" dimension="none"/></ComponentType>
               <ComponentType name="a"><Child name="c" type="base"/><Dynamics>
                 <DerivedVariable name="x" dimension="none" select="c/r"/></Dynamics></ComponentType>"#,
        );
        b.assert_clean();
    }

    #[test]
    fn derived_parameters_see_parameters_only() {
        let b = build(
            r#"<ComponentType name="a"><Parameter name="p" dimension="time"/>
                 <DerivedParameter name="q" dimension="per_time" value="1 / p"/>
                 <DerivedParameter name="r" dimension="none" value="p"/></ComponentType>"#,
        );
        b.one_error(&["the value of derived parameter 'r' must have dimension dimensionless"]);
    }
}
