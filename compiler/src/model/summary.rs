//! A short, deterministic description of a checked model, printed by `lemsc check`: what will
//! be run, what it is made of, and what it writes.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

use crate::model::component::{CompId, Component};
use crate::model::types::StructureItem;
use crate::model::Model;

/// At most this many state variables are listed per cell type.
const MAX_STATE_LISTED: usize = 16;

/// Describes the model: target, component types in use, populations, state variables of the
/// populations' cells, and outputs.
pub fn summary(model: &Model) -> String {
    let mut out = String::new();
    write_target(model, &mut out);
    write_types_in_use(model, &mut out);
    write_populations(model, &mut out);
    write_outputs(model, &mut out);
    out
}

fn type_name<'a>(model: &'a Model, c: &Component) -> &'a str {
    &model.ty(c.type_id).name
}

fn label(c: &Component) -> &str {
    c.id.as_deref().unwrap_or("(no id)")
}

fn write_target(model: &Model, out: &mut String) {
    let Some(t) = model.target else {
        out.push_str("target: none (no <Target>)\n");
        return;
    };
    let sim = model.component(t);
    let _ = write!(out, "target: {} ({})", label(sim), type_name(model, sim));
    for name in ["length", "step"] {
        if let Some(p) = sim.param(name) {
            let _ = write!(out, ", {name} {}", p.written.trim());
        }
    }
    out.push('\n');
}

fn write_types_in_use(model: &Model, out: &mut String) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in &model.components {
        *counts.entry(type_name(model, c)).or_default() += 1;
    }
    let _ = writeln!(out, "component types in use: {}", counts.len());
    let width = counts.keys().map(|k| k.len()).max().unwrap_or(0);
    for (name, n) in counts {
        let _ = writeln!(out, "  {name:<width$}  {n}");
    }
}

/// NeuroML populations: components whose type extends `basePopulation`.
fn populations(model: &Model) -> Vec<CompId> {
    let Some(&base) = model.type_by_name.get("basePopulation") else {
        return Vec::new();
    };
    (0..model.components.len() as u32)
        .map(CompId)
        .filter(|&c| model.extends(model.component(c).type_id, base))
        .collect()
}

fn population_size(pop: &Component) -> usize {
    match pop.param("size") {
        Some(p) => p.si as usize,
        None => pop
            .children
            .iter()
            .filter(|(slot, _)| slot == "instances")
            .count(),
    }
}

fn write_populations(model: &Model, out: &mut String) {
    let pops = populations(model);
    if pops.is_empty() {
        return;
    }
    let _ = writeln!(out, "populations: {}", pops.len());
    let rows: Vec<(String, String, String)> = pops
        .iter()
        .map(|&p| {
            let pop = model.component(p);
            let cell = pop
                .reference("component")
                .map(|c| model.component(c))
                .map_or("?".to_string(), |c| {
                    format!("{} ({})", label(c), type_name(model, c))
                });
            (
                label(pop).to_string(),
                population_size(pop).to_string(),
                cell,
            )
        })
        .collect();
    let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    for (name, size, cell) in &rows {
        let _ = writeln!(out, "  {name:<w0$}  {size:>w1$} x {cell}");
    }

    // State variables of each distinct cell used in a population, children included.
    let mut cells: Vec<CompId> = pops
        .iter()
        .filter_map(|&p| model.component(p).reference("component"))
        .collect();
    cells.sort();
    cells.dedup();
    let _ = writeln!(out, "state variables per population component:");
    let width = cells
        .iter()
        .map(|&c| label(model.component(c)).len())
        .max()
        .unwrap_or(0);
    for c in cells {
        let mut vars = Vec::new();
        collect_state(model, c, "", &mut HashSet::new(), &mut vars);
        let shown: Vec<&str> = vars
            .iter()
            .take(MAX_STATE_LISTED)
            .map(String::as_str)
            .collect();
        let mut list = if shown.is_empty() {
            "(none)".to_string()
        } else {
            shown.join(", ")
        };
        if vars.len() > MAX_STATE_LISTED {
            let _ = write!(list, ", ... ({} in all)", vars.len());
        }
        let _ = writeln!(out, "  {:<width$}  {list}", label(model.component(c)));
    }
}

/// State variables of `c` and of everything instantiated inside it (nested components and the
/// components its type instantiates with `<ChildInstance>`), as paths relative to the root.
fn collect_state(
    model: &Model,
    c: CompId,
    prefix: &str,
    seen: &mut HashSet<CompId>,
    vars: &mut Vec<String>,
) {
    if !seen.insert(c) {
        return;
    }
    let comp = model.component(c);
    let ty = model.ty(comp.type_id);
    for sv in &ty.dynamics.state_variables {
        vars.push(format!("{prefix}{}", sv.q.name));
    }
    let mut inner: Vec<(String, CompId)> = comp
        .children
        .iter()
        .map(|(slot, child)| {
            let step = model
                .component(*child)
                .id
                .clone()
                .unwrap_or_else(|| slot.clone());
            (step, *child)
        })
        .collect();
    for item in &ty.structure.items {
        if let StructureItem::ChildInstance { component, .. } = item {
            if let Some(target) = comp.reference(component) {
                let step = model
                    .component(target)
                    .id
                    .clone()
                    .unwrap_or_else(|| component.clone());
                inner.push((step, target));
            }
        }
    }
    for (step, child) in inner {
        collect_state(model, child, &format!("{prefix}{step}/"), seen, vars);
    }
}

fn write_outputs(model: &Model, out: &mut String) {
    let mut rows: Vec<[String; 4]> = Vec::new();
    let mut displays = 0;
    let mut lines = 0;
    for c in &model.components {
        let kind = type_name(model, c);
        match kind {
            "OutputFile" | "EventOutputFile" => {
                let (slot, what) = if kind == "OutputFile" {
                    ("outputColumn", "columns")
                } else {
                    ("eventSelection", "selections")
                };
                let n = c.children.iter().filter(|(s, _)| s == slot).count();
                let file = c.text("fileName").unwrap_or("?").to_string();
                rows.push([
                    kind.to_string(),
                    label(c).to_string(),
                    file,
                    format!("{n} {what}"),
                ]);
            }
            "Display" => {
                displays += 1;
                lines += c.children.iter().filter(|(s, _)| s == "lines").count();
            }
            _ => {}
        }
    }
    let _ = writeln!(
        out,
        "outputs: {} files, {displays} displays ({lines} lines)",
        rows.len()
    );
    let widths: Vec<usize> = (0..3)
        .map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let _ = writeln!(
            out,
            "  {:<w0$}  {:<w1$}  {:<w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
    }
}
