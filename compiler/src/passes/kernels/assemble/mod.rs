//! Puts a program together: one kernel per component in use, every IR instance laid out as a
//! block of vars (in instance order) with its link entries, start values from the plans, then
//! links, orders, connections and outputs, each in its own module (`links`, `order`, `io`;
//! the layout itself in `layout`).

use std::collections::{HashMap, HashSet};

use lemsc_runtime::program::{InstanceRec, Program};

use self::order::onstart_copies;
use crate::diag::Diagnostic;
use crate::ir::{InstId, Ir};
use crate::limits::show_bytes;
use crate::model::component::CompId;
use crate::model::Model;
use crate::passes::kernels::flatten::plan_component_with;
use crate::passes::kernels::ProgramOptions;

mod io;
mod layout;
mod links;
mod order;

use crate::passes::user_site::BuiltinFiles;
pub(crate) use io::output_spec;
pub(super) use layout::ProgramLayout;

/// See [`super::build_program`].
pub(super) fn build(
    model: &Model,
    ir: &Ir,
    opts: &ProgramOptions,
    max_memory_bytes: u64,
) -> Result<Program, Vec<Diagnostic>> {
    let layout = lay_out(model, ir)?;
    let needed = state_bytes(&layout);
    if needed > max_memory_bytes {
        let sim = model.component(ir.simulation.component);
        return Err(vec![Diagnostic::at(
            sim.name_span,
            format!(
                "this simulation needs about {} for its {} instances ({} values, {} links); \
                 the limit is {}",
                show_bytes(needed),
                ir.instances.len(),
                layout.vars_len,
                layout.links_len,
                show_bytes(max_memory_bytes)
            ),
        )
        .with_note(
            "make the network smaller, or raise the limit with --max-memory-gib",
        )]);
    }
    let mut initial = start_values(&layout);
    let mut links = vec![0u64; layout.links_len as usize];
    let mut diags = links::resolve(&layout, &mut initial, &mut links);
    let init_order = order::init_order(&layout);
    let step_order = match order::step_order(&layout, &mut initial) {
        Ok(ops) => ops,
        Err(mut d) => {
            diags.append(&mut d);
            Vec::new()
        }
    };
    let connections = io::connections(&layout).unwrap_or_else(|mut d| {
        diags.append(&mut d);
        Vec::new()
    });
    let outputs = io::outputs(&layout, &opts.out_dir).unwrap_or_else(|mut d| {
        diags.append(&mut d);
        Vec::new()
    });
    let event_outputs = io::event_outputs(&layout, &opts.out_dir).unwrap_or_else(|mut d| {
        diags.append(&mut d);
        Vec::new()
    });
    let (dt, steps) = match run_length(&layout) {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            (1.0, 0)
        }
    };
    if !diags.is_empty() {
        return Err(diags);
    }
    let instances = (0..ir.instances.len())
        .map(|i| InstanceRec {
            kernel: layout.kernel_of[i],
            base: layout.base[i],
            links: layout.link_start[i],
            path: ir.path_of(InstId(i as u32)),
        })
        .collect();
    Ok(Program {
        dt,
        steps,
        seed: opts.seed.unwrap_or_else(|| ir.simulation.seed_or_default()),
        kernels: layout.plans.iter().map(|p| p.kernel.clone()).collect(),
        instances,
        initial,
        links,
        init_order,
        step_order,
        connections,
        outputs,
        event_outputs,
    })
}

/// The memory a run of `layout` takes, estimated before any of it is allocated: the start
/// values and the running copy of every value, the links, and per instance its record, path
/// and routes; per connection its route.
fn state_bytes(layout: &ProgramLayout) -> u64 {
    const PER_INSTANCE: u64 = 160;
    const PER_CONNECTION: u64 = 64;
    let values = layout.vars_len.saturating_mul(16);
    let links = layout.links_len.saturating_mul(8);
    let instances = (layout.ir.instances.len() as u64).saturating_mul(PER_INSTANCE);
    let connections = (layout.ir.event_connections.len() as u64).saturating_mul(PER_CONNECTION);
    values
        .saturating_add(links)
        .saturating_add(instances)
        .saturating_add(connections)
}

/// Plans each component once and places the instances one after the other.
fn lay_out<'a>(model: &'a Model, ir: &'a Ir) -> Result<ProgramLayout<'a>, Vec<Diagnostic>> {
    // One kernel per component and number of OnStart copies (jLEMS runs OnStart twice per
    // init pass for instances a builder made, once for list members: §5).
    let mut kernel_by_comp: HashMap<(CompId, u32), u32> = HashMap::new();
    let mut plans = Vec::new();
    let mut failed: HashSet<CompId> = HashSet::new();
    let mut builtin: Option<BuiltinFiles> = None;
    let mut diags = Vec::new();
    let mut kernel_of = Vec::with_capacity(ir.instances.len());
    for (i, inst) in ir.instances.iter().enumerate() {
        let comp = inst.component;
        let copies = onstart_copies(model, ir, InstId(i as u32));
        if let Some(&k) = kernel_by_comp.get(&(comp, copies)) {
            kernel_of.push(k);
            continue;
        }
        if failed.contains(&comp) {
            kernel_of.push(0);
            continue;
        }
        match plan_component_with(model, comp, copies) {
            Ok(plan) => {
                let k = plans.len() as u32;
                plans.push(plan);
                kernel_by_comp.insert((comp, copies), k);
                kernel_of.push(k);
            }
            Err(d) => {
                // Errors in a core type's dynamics are shown at the user's component.
                let builtin = builtin.get_or_insert_with(|| BuiltinFiles::of(model));
                diags.extend(d.into_iter().map(|d| builtin.at_user_site(model, comp, d)));
                failed.insert(comp);
                kernel_of.push(0);
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut base = Vec::with_capacity(kernel_of.len());
    let mut link_start = Vec::with_capacity(kernel_of.len());
    let (mut next_var, mut next_link) = (0u64, 0u64);
    for &k in &kernel_of {
        base.push(next_var);
        link_start.push(next_link);
        next_var += u64::from(plans[k as usize].kernel.block_len);
        next_link += u64::from(plans[k as usize].kernel.link_count);
    }
    Ok(ProgramLayout {
        model,
        ir,
        plans,
        kernel_of,
        base,
        link_start,
        vars_len: next_var,
        links_len: next_link,
    })
}

/// vars at the start: each plan's constants, and its per-instance properties (the value a
/// connection assigned, else the default).
fn start_values(layout: &ProgramLayout) -> Vec<f64> {
    let mut vars = vec![0.0; layout.vars_len as usize];
    for (i, inst) in layout.ir.instances.iter().enumerate() {
        let plan = layout.plan(InstId(i as u32));
        let base = layout.base[i] as usize;
        for &(slot, value) in &plan.constants {
            vars[base + slot as usize] = value;
        }
        for p in &plan.per_instance {
            // The last Assign of a property wins, as each one overwrites it in jLEMS.
            let value = inst
                .assigned
                .iter()
                .rev()
                .find(|(name, _)| *name == p.name)
                .map_or(p.default, |(_, v)| *v);
            vars[base + p.slot as usize] = value;
        }
    }
    vars
}

/// The step and number of steps: Java's `Math.round(length / step)` (half up).
fn run_length(layout: &ProgramLayout) -> Result<(f64, u64), Diagnostic> {
    let sim = &layout.ir.simulation;
    if !(sim.step > 0.0 && sim.step.is_finite()) {
        return Err(Diagnostic::at(
            layout.simulation_span(),
            format!(
                "the Simulation's step is {} s; expected a positive time step",
                sim.step
            ),
        ));
    }
    let ratio = sim.length / sim.step;
    if !(ratio >= 0.0 && ratio.is_finite()) {
        return Err(Diagnostic::at(
            layout.simulation_span(),
            format!(
                "the Simulation's length is {} s; expected a non-negative duration",
                sim.length
            ),
        ));
    }
    Ok((sim.step, java_round(ratio)))
}

/// `Math.round(double)` for non-negative values: the nearest whole number, halves up.
fn java_round(x: f64) -> u64 {
    (x + 0.5).floor() as u64
}

#[cfg(test)]
mod tests;
