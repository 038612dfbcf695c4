//! From the checked model to the IR: the target Simulation's settings, the instance tree of
//! what it runs, and its recorders resolved.

use crate::diag::{Diagnostic, Diagnostics};
use crate::ir::{InstId, Ir, Simulation};
use crate::limits::Limits;
use crate::model::component::CompId;
use crate::model::Model;
use crate::passes::instantiate::instantiate_within;
use crate::passes::navigate::Tree;
use crate::passes::paths::resolve_recorders;

/// True when the model names a target that can be run: a component with a `length`, a `step`
/// and a `target` (a LEMS `Simulation`).
pub fn has_runnable_target(model: &Model) -> bool {
    model.target.is_some_and(|t| {
        let c = model.component(t);
        c.param("length").is_some() && c.param("step").is_some() && c.reference("target").is_some()
    })
}

/// Builds the IR of the model's target simulation. None when anything failed.
pub fn lower(model: &Model) -> (Option<Ir>, Diagnostics) {
    lower_within(model, &Limits::default())
}

/// [`lower`], refusing a Structure that makes more than `limits` allow.
pub fn lower_within(model: &Model, limits: &Limits) -> (Option<Ir>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(simulation) = simulation(model, &mut diags) else {
        return (None, diags);
    };
    let (built, build_diags) = instantiate_within(model, simulation.target, limits);
    diags.extend(build_diags);
    if diags.has_errors() {
        // Paths into an incomplete tree would only repeat the error.
        return (None, diags);
    }
    let root = InstId(0);
    let tree = Tree::new(model, &built.instances);
    let (recorders, path_diags) = resolve_recorders(&tree, simulation.component, root);
    diags.extend(path_diags);
    if diags.has_errors() {
        return (None, diags);
    }
    let ir = Ir {
        simulation,
        instances: built.instances,
        root,
        populations: built.populations,
        event_connections: built.event_connections,
        tunnels: built.tunnels,
        inputs: built.inputs,
        output_files: recorders.output_files,
        event_output_files: recorders.event_output_files,
        display_lines: recorders.display_lines,
    };
    // A broken IR is a bug in the passes above, not in the model: a debug build (the test
    // suite's) stops here instead of failing later somewhere less clear.
    #[cfg(debug_assertions)]
    {
        let problems = crate::ir::validate::validate(&ir);
        assert!(
            problems.is_empty(),
            "inconsistent IR after lowering: {problems:?}"
        );
    }
    (Some(ir), diags)
}

/// The run settings of the `<Target>` Simulation.
fn simulation(model: &Model, diags: &mut Diagnostics) -> Option<Simulation> {
    let Some(component) = model.target else {
        diags.push(Diagnostic::error(
            "the model has no <Target component=\"...\"/>; expected one naming the Simulation to run",
        ));
        return None;
    };
    let c = model.component(component);
    let mut missing = |what: &str| {
        diags.push(Diagnostic::at(
            c.span,
            format!(
                "the target '{}' has no '{what}'; expected a Simulation with length, step and target",
                c.id.as_deref().unwrap_or("?")
            ),
        ));
    };
    let length = c.param("length").map(|p| p.si);
    let step = c.param("step").map(|p| p.si);
    let target: Option<CompId> = c.reference("target");
    for (name, given) in [
        ("length", length.is_some()),
        ("step", step.is_some()),
        ("target", target.is_some()),
    ] {
        if !given {
            missing(name);
        }
    }
    let seed = match c.texts.iter().find(|(n, _, _)| n == "seed") {
        None => None,
        Some((_, text, span)) => match text.trim().parse::<i64>() {
            Ok(s) => Some(s),
            Err(_) => {
                diags.push(Diagnostic::at(
                    *span,
                    format!("seed '{text}' is not a whole number; expected e.g. seed=\"1234\""),
                ));
                return None;
            }
        },
    };
    if let Some(step) = step.filter(|s| s.is_nan() || *s <= 0.0) {
        let at = c.param("step").map_or(c.span, |p| p.span);
        diags.push(Diagnostic::at(
            at,
            format!("step is {step} s; expected a positive time step"),
        ));
        return None;
    }
    Some(Simulation {
        component,
        length: length?,
        step: step?,
        seed,
        target: target?,
    })
}
