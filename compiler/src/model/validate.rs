//! Checks of values that are well typed but cannot mean what the model wants, which jLEMS
//! accepts silently: a Simulation whose `length` or `step` is not positive or that targets
//! another Simulation, a connection delay below zero, a cycle among the parents of a cell's
//! segments, a parent segment or group member that the morphology does not have. Each error
//! points at the attribute that causes it.

use std::collections::{HashMap, HashSet};

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::component::{CompId, Component};
use crate::model::types::StructureItem;
use crate::model::Model;

pub fn validate(model: &Model) -> Diagnostics {
    let mut diags = Diagnostics::new();
    simulations(model, &mut diags);
    delays(model, &mut diags);
    segment_cycles(model, &mut diags);
    segment_references(model, &mut diags);
    diags
}

fn extends(model: &Model, c: &Component, name: &str) -> bool {
    model
        .type_by_name
        .get(name)
        .is_some_and(|&t| model.extends(c.type_id, t))
}

fn simulations(model: &Model, diags: &mut Diagnostics) {
    for c in model
        .components
        .iter()
        .filter(|c| extends(model, c, "Simulation"))
    {
        for name in ["length", "step"] {
            if let Some(p) = c.param(name).filter(|p| !(p.si > 0.0 && p.si.is_finite())) {
                diags.push(Diagnostic::at(
                    p.span,
                    format!(
                        "the Simulation's {name} must be a positive time, not '{}'",
                        p.written
                    ),
                ));
            }
        }
        let target = c.refs.iter().find(|(slot, _, _)| slot == "target");
        if let Some((_, target, span)) = target {
            if extends(model, model.component(*target), "Simulation") {
                diags.push(
                    Diagnostic::at(*span, "a Simulation cannot simulate another Simulation")
                        .with_note("target the network or component to simulate"),
                );
            }
        }
    }
}

/// Names of the parameters used as the `delay` of an EventConnection in `items`.
fn delay_params<'a>(items: &'a [StructureItem], found: &mut Vec<&'a str>) {
    for item in items {
        match item {
            StructureItem::EventConnection(ec) => found.extend(ec.delay.as_deref()),
            StructureItem::ForEach { body, .. } => delay_params(body, found),
            _ => {}
        }
    }
}

fn delays(model: &Model, diags: &mut Diagnostics) {
    for c in &model.components {
        let mut names = Vec::new();
        delay_params(&model.ty(c.type_id).structure.items, &mut names);
        for name in names {
            if let Some(p) = c.param(name).filter(|p| p.si < 0.0 || p.si.is_nan()) {
                diags.push(Diagnostic::at(
                    p.span,
                    format!("a connection delay cannot be negative: '{}'", p.written),
                ));
            }
        }
    }
}

/// Every morphology's segments, by id, with the span of their parent's `segment`
/// attribute; a segment that is its own ancestor is an error at that attribute.
fn segment_cycles(model: &Model, diags: &mut Diagnostics) {
    for c in model
        .components
        .iter()
        .filter(|c| extends(model, c, "morphology"))
    {
        let mut parent_of: HashMap<&str, (&str, Span)> = HashMap::new();
        for seg in children(model, c, "segments") {
            let Some(id) = seg.id.as_deref() else {
                continue;
            };
            let parent = children(model, seg, "parent").next();
            let link = parent.and_then(|p| p.texts.iter().find(|(n, _, _)| n == "segment"));
            if let Some((_, parent_id, span)) = link {
                parent_of.insert(id, (parent_id.trim(), *span));
            }
        }
        // Each segment is walked once: a walk stops at a segment already walked.
        let mut done: HashSet<&str> = HashSet::new();
        let mut ids: Vec<&str> = parent_of.keys().copied().collect();
        ids.sort_unstable();
        for start in ids {
            let mut chain: Vec<&str> = Vec::new();
            let mut on_chain: HashMap<&str, usize> = HashMap::new();
            let mut current = start;
            while !done.contains(current) {
                if let Some(&at) = on_chain.get(current) {
                    let mut shown = chain[at..].to_vec();
                    shown.push(current);
                    let (_, span) = parent_of[chain[chain.len() - 1]];
                    diags.push(Diagnostic::at(
                        span,
                        format!("the segments' parents form a cycle: {}", shown.join(" → ")),
                    ));
                    break;
                }
                on_chain.insert(current, chain.len());
                chain.push(current);
                match parent_of.get(current) {
                    Some(&(parent, _)) => current = parent,
                    None => break,
                }
            }
            done.extend(chain);
        }
    }
}

/// Every segment id a morphology's parents and group members name, and every group its groups
/// include, must be in that morphology (NEURON exports cannot place a segment on nothing).
fn segment_references(model: &Model, diags: &mut Diagnostics) {
    for c in model
        .components
        .iter()
        .filter(|c| extends(model, c, "morphology"))
    {
        let segments: Vec<&Component> = children(model, c, "segments").collect();
        let ids: HashSet<&str> = segments.iter().filter_map(|s| s.id.as_deref()).collect();
        let groups: Vec<&Component> = children(model, c, "segmentGroups").collect();
        let group_ids: HashSet<&str> = groups.iter().filter_map(|g| g.id.as_deref()).collect();
        let morphology = c.id.as_deref().unwrap_or("?");
        let mut missing = |what: &str, value: &str, span: Span, known: &HashSet<&str>| {
            let mut names: Vec<&str> = known.iter().copied().collect();
            names.sort_unstable();
            let shown = if names.len() > 10 {
                format!("{}, ... ({} in all)", names[..10].join(", "), names.len())
            } else if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            };
            diags.push(
                Diagnostic::at(
                    span,
                    format!("morphology '{morphology}' has no {what} '{value}'"),
                )
                .with_note(format!("its {what}s: {shown}")),
            );
        };
        for seg in &segments {
            for parent in children(model, seg, "parent") {
                if let Some((_, id, span)) = parent.texts.iter().find(|(n, _, _)| n == "segment") {
                    if !ids.contains(id.trim()) {
                        missing("segment", id, *span, &ids);
                    }
                }
            }
        }
        for group in &groups {
            for member in children(model, group, "members") {
                if let Some((_, id, span)) = member.texts.iter().find(|(n, _, _)| n == "segment") {
                    if !ids.contains(id.trim()) {
                        missing("segment", id, *span, &ids);
                    }
                }
            }
            for include in children(model, group, "includes") {
                let named = include.texts.iter().find(|(n, _, _)| n == "segmentGroup");
                if let Some((_, id, span)) = named {
                    if !group_ids.contains(id.trim()) {
                        missing("segment group", id, *span, &group_ids);
                    }
                }
            }
        }
    }
}

fn children<'a>(
    model: &'a Model,
    c: &'a Component,
    slot: &'a str,
) -> impl Iterator<Item = &'a Component> + 'a {
    c.children
        .iter()
        .filter(move |(s, _)| s == slot)
        .map(|&(_, id): &(String, CompId)| model.component(id))
}
