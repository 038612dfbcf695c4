//! Locating run-time failures in the model's text.
//!
//! The runtime knows instances and slots only (nothing is named at run time); a failure it
//! reports is turned here into a diagnostic at the user's component that the failing instance
//! was made from, with the line that defines the variable (often in a built-in core type) as a
//! secondary label, so that a diverging model is reported like any other model error.

use lemsc_runtime::engine::RunError;
use lemsc_runtime::program::Program;

use crate::diag::{Diagnostic, SourceMap, Span};
use crate::ir::{InstId, Ir};
use crate::model::component::CompId;
use crate::model::types::ComponentType;
use crate::model::Model;

/// What a located run-time failure needs: the checked model and the program that ran.
pub struct RunContext<'a> {
    pub sources: &'a SourceMap,
    pub model: &'a Model,
    pub ir: &'a Ir,
    pub program: &'a Program,
}

/// A diagnostic for `err` at the model text that caused it; None when nothing in the model
/// can be pointed at (the message alone is then the best report).
pub fn locate(cx: &RunContext, err: &RunError) -> Option<Diagnostic> {
    match err {
        RunError::NonFinite {
            variable,
            t,
            place: Some((inst, slot)),
            ..
        } => Some(non_finite(cx, *inst, *slot, variable, *t)),
        RunError::EventLoop { t, inst, .. } => {
            let (span, path) = user_component(cx, *inst)?;
            Some(
                Diagnostic::at(
                    span,
                    format!(
                        "events sent without delay by {path} at {} trigger each other more \
                         than {} levels deep",
                        at_time(*t, cx.program.dt),
                        lemsc_runtime::engine::run::MAX_EVENT_DEPTH
                    ),
                )
                .with_note("the connections without delay form a loop"),
            )
        }
        RunError::Output(e) => {
            let span = output_element(cx, &e.path)?;
            Some(Diagnostic::at(span, e.to_string()))
        }
        _ => None,
    }
}

/// A diagnostic for an output file that could not be created, at its element.
pub fn output_failure(cx: &RunContext, path: &std::path::Path, message: String) -> Diagnostic {
    match output_element(cx, path) {
        Some(span) => Diagnostic::at(span, message),
        None => Diagnostic::error(message),
    }
}

fn non_finite(cx: &RunContext, inst: u32, slot: u32, variable: &str, t: f64) -> Diagnostic {
    let when = at_time(t, cx.program.dt);
    let Some((span, path)) = user_component(cx, inst) else {
        return Diagnostic::error(format!("'{variable}' became NaN or infinite at {when}"));
    };
    let mut d = Diagnostic::error(format!(
        "'{variable}' of {path} became NaN or infinite at {when}"
    ))
    .with_span(span, format!("{path} is an instance of this component"))
    .with_note("the model diverged; a smaller time step may help");
    let comp = cx.ir.instances[inst as usize].component;
    let ty = cx.model.ty(cx.model.component(comp).type_id);
    let name = declared_name(cx.program, inst, slot, variable);
    if let Some((def, label)) = definition(ty, name) {
        if def != span {
            d = d.with_secondary(def, label);
        }
    }
    d
}

/// The variable a slot holds, without the suffixes layouts add (`v@exposed` is `v`).
fn declared_name<'p>(program: &'p Program, inst: u32, slot: u32, fallback: &'p str) -> &'p str {
    let rec = &program.instances[inst as usize];
    let name = program.kernels[rec.kernel as usize]
        .slot_names
        .get(slot as usize)
        .map(String::as_str)
        .unwrap_or(fallback);
    name.split('@').next().unwrap_or(name)
}

/// Where `ty` says how `name` changes (its TimeDerivative, in the type or a regime), else
/// where it declares it.
fn definition(ty: &ComponentType, name: &str) -> Option<(Span, String)> {
    let dynamics = &ty.dynamics;
    let rates = dynamics
        .time_derivatives
        .iter()
        .chain(dynamics.regimes.iter().flat_map(|r| &r.time_derivatives));
    if let Some(td) = rates.into_iter().find(|td| td.variable == name) {
        return Some((td.span, format!("the rate of '{name}' is defined here")));
    }
    dynamics
        .state_variables
        .iter()
        .find(|sv| sv.q.name == name)
        .map(|sv| (sv.q.span, format!("'{name}' is declared here")))
}

/// The name span of the component instance `inst` was made from, or of its nearest
/// ancestor written in the user's files (not a built-in definition); and the instance's path.
fn user_component(cx: &RunContext, inst: u32) -> Option<(Span, String)> {
    let path = instance_path(cx, inst);
    let mut at = Some(InstId(inst));
    while let Some(id) = at {
        let instance = cx.ir.instances.get(id.0 as usize)?;
        let span = cx.model.component(instance.component).name_span;
        if !is_builtin(cx.sources, span) {
            return Some((span, path));
        }
        at = instance.parent;
    }
    None
}

/// The instance's path for messages; the simulation's target itself has an empty path.
fn instance_path(cx: &RunContext, inst: u32) -> String {
    let path = &cx.program.instances[inst as usize].path;
    let target = cx.model.component(cx.ir.simulation.target);
    let target = target.id.as_deref().unwrap_or("the simulation's target");
    if path.is_empty() {
        format!("'{target}'")
    } else if path.starts_with('[') {
        // A member of the target's own population: `[2]` reads better as `group[2]`.
        format!("{target}{path}")
    } else {
        path.clone()
    }
}

fn is_builtin(sources: &SourceMap, span: Span) -> bool {
    sources
        .file(span.file)
        .display
        .starts_with(crate::front::load::BUILTIN_PREFIX)
}

/// The `OutputFile`/`EventOutputFile` element writing `path`.
fn output_element(cx: &RunContext, path: &std::path::Path) -> Option<Span> {
    let id = cx
        .program
        .outputs
        .iter()
        .map(|o| (&o.path, &o.id))
        .chain(cx.program.event_outputs.iter().map(|o| (&o.path, &o.id)))
        .find(|(p, _)| p.as_path() == path)
        .map(|(_, id)| id)?;
    simulation_child(cx.model, cx.ir.simulation.component, id)
        .map(|c| cx.model.component(c).name_span)
}

/// The component with `id` nested (at any depth) in the Simulation component `sim`.
fn simulation_child(model: &Model, sim: CompId, id: &str) -> Option<CompId> {
    let mut stack = vec![sim];
    while let Some(c) = stack.pop() {
        for &(_, child) in &model.component(c).children {
            if model.component(child).id.as_deref() == Some(id) {
                return Some(child);
            }
            stack.push(child);
        }
    }
    None
}

/// `t = 2.2 s (step 22)`: the time without the digits its accumulation adds.
fn at_time(t: f64, dt: f64) -> String {
    let shown = format!("{:.12}", t);
    let shown = shown.trim_end_matches('0').trim_end_matches('.');
    if dt > 0.0 {
        format!("t = {shown} s (step {})", (t / dt).round() as u64)
    } else {
        format!("t = {shown} s")
    }
}

#[cfg(test)]
mod tests {
    use super::at_time;

    #[test]
    fn times_are_shown_without_accumulation_noise() {
        assert_eq!(at_time(2.2000000000000006, 0.1), "t = 2.2 s (step 22)");
        assert_eq!(at_time(0.0, 0.1), "t = 0 s (step 0)");
    }
}
