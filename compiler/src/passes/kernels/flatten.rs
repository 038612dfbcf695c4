//! One component to one kernel: its type's Dynamics, with the component's parameters folded
//! in, as statements over the instance's slots (see [`super::plan`]).
//!
//! The kernel reproduces jLEMS's `StateInstance` for one instance (docs/jlems-semantics.md
//! §4.2–§4.4, §5, §6): requirement copies, derived variables in document order, Euler rates
//! computed before any update, conditions seeing the updated state, exposures synchronised
//! before the active regime runs, regime rates applied one after the other.

mod layout;
mod lower_expr;
mod statements;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use lemsc_runtime::program::{Kernel, Stmt};

use crate::diag::Diagnostic;
use crate::model::component::{CompId, Component};
use crate::model::types::{ComponentType, Direction};
use crate::model::Model;
use crate::passes::kernels::plan::{KernelPlan, LinkSpec, PerInstance};
use layout::SlotLayout;
use statements::Context;

/// Out-ports fired in one entry are returned as bits of a `u64`.
const MAX_OUT_PORTS: usize = 64;

/// The kernel of component `comp` (its type's Dynamics with the component's parameters folded
/// in as constants). Errors are located diagnostics (e.g. an unsupported construct).
pub fn plan_component(model: &Model, comp: CompId) -> Result<KernelPlan, Vec<Diagnostic>> {
    plan_component_with(model, comp, 1)
}

/// [`plan_component`] for instances whose init passes run the OnStart block
/// `onstart_copies` times in a row: jLEMS runs it twice per pass for the instances a builder
/// made (docs/jlems-semantics.md §5), which shows through `random()` and through OnStart
/// assignments that read what they set.
pub fn plan_component_with(
    model: &Model,
    comp: CompId,
    onstart_copies: u32,
) -> Result<KernelPlan, Vec<Diagnostic>> {
    let c = model.component(comp);
    let ty = model.ty(c.type_id);
    let has_dynamics = has_dynamics(ty);
    let mut lw = Lowerer {
        onstart_copies: onstart_copies.max(1),
        comp: c,
        ty,
        layout: SlotLayout::of(ty, c, has_dynamics),
        values: folded_values(ty, c),
        out_ports: port_names(ty, Direction::Out),
        links: Vec::new(),
        requirement_links: Vec::new(),
        select_values: Vec::new(),
        diags: Vec::new(),
    };
    if lw.out_ports.len() > MAX_OUT_PORTS {
        lw.error(Diagnostic::at(
            ty.span,
            format!(
                "ComponentType '{}' has {} out-ports; this target handles at most {MAX_OUT_PORTS}",
                ty.name,
                lw.out_ports.len()
            ),
        ));
    }
    lw.make_links();
    let in_ports = port_names(ty, Direction::In);
    let (init, init_derived, mut advance, on_event) = if has_dynamics {
        let init = lw.init(false);
        let init_derived = lw.init(true);
        let advance = lw.advance();
        let on_event = in_ports.iter().map(|p| lw.on_event(p)).collect();
        (init, init_derived, advance, on_event)
    } else {
        (
            Vec::new(),
            Vec::new(),
            Vec::new(),
            vec![Vec::new(); in_ports.len()],
        )
    };
    if let Some(t) = lw.layout.time {
        // The instance's own time, as jLEMS sets it at the start of its step.
        advance.insert(
            0,
            Stmt::Set {
                slot: t,
                value: lemsc_runtime::program::Expr::Time,
            },
        );
    }
    if !lw.diags.is_empty() {
        return Err(distinct(lw.diags));
    }
    let mut constants = lw.layout.constants.clone();
    if let Some(slot) = lw.layout.regime {
        constants.push((
            slot,
            crate::passes::jlems_order::initial_regime(&ty.dynamics.regimes) as f64,
        ));
    }
    let kernel = Kernel {
        name: format!("{} ({})", c.id.as_deref().unwrap_or("?"), ty.name),
        block_len: lw.layout.names.len() as u32,
        link_count: lw.links.len() as u32,
        slot_names: lw.layout.names,
        state_slots: lw.layout.state,
        out_ports: lw.out_ports,
        in_ports,
        init,
        init_derived,
        advance,
        on_event,
    };
    Ok(KernelPlan {
        kernel,
        links: lw.links,
        readable: lw.layout.readable,
        per_instance: lw
            .layout
            .properties
            .into_iter()
            .map(|(slot, name, default)| PerInstance {
                slot,
                name,
                default,
            })
            .collect(),
        constants,
        kinetic_schemes: ty.dynamics.kinetic_schemes.clone(),
    })
}

/// What lowering one component needs and collects.
struct Lowerer<'a> {
    /// How many times each init pass runs the OnStart block.
    onstart_copies: u32,
    comp: &'a Component,
    ty: &'a ComponentType,
    layout: SlotLayout,
    /// Parameters, derived parameters and constants by name, folded into expressions.
    values: HashMap<String, f64>,
    out_ports: Vec<String>,
    links: Vec<LinkSpec>,
    /// (link, copy slot) of each requirement.
    requirement_links: Vec<(u32, u32)>,
    /// (slot, value) of each select-derived variable, in declaration order.
    select_values: Vec<(u32, lemsc_runtime::program::Expr)>,
    diags: Vec<Diagnostic>,
}

impl Lowerer<'_> {
    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// One `StateType.initialize` pass (t stays 0).
    fn init(&mut self, with_derived: bool) -> Vec<Stmt> {
        let mut out = Vec::new();
        self.copy_requirements(&mut out);
        if with_derived {
            self.derived(&mut out);
        }
        for _ in 0..self.onstart_copies {
            self.on_start(&mut out);
        }
        self.enter_active(&mut out);
        self.synchronise_exposures(&mut out);
        out
    }

    /// `StateType.eulerAdvance`, then the active regime's `ComponentRegime.advance`.
    fn advance(&mut self) -> Vec<Stmt> {
        let mut out = Vec::new();
        self.copy_requirements(&mut out);
        self.derived(&mut out);
        self.integrate(&mut out);
        let ty = self.ty;
        out.extend(self.conditions(&ty.dynamics.on_conditions, Context::Instance));
        self.synchronise_exposures(&mut out);
        self.regime_step(&mut out);
        out
    }

    /// What an event on in-port `port` runs: the instance's OnEvent for it (the last one
    /// declared, as jLEMS keeps one block per port). Regimes hold no OnEvent in this model.
    fn on_event(&mut self, port: &str) -> Vec<Stmt> {
        let ty = self.ty;
        match ty.dynamics.on_events.iter().rev().find(|e| e.port == port) {
            Some(oe) => self.actions(&oe.actions, Context::Instance, &mut Vec::new()),
            None => Vec::new(),
        }
    }
}

/// Each problem once: an expression is lowered into several entries (init passes, advance,
/// every place a regime's OnEntry runs), so its errors come several times.
fn distinct(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    diags
        .into_iter()
        .filter(|d| seen.insert((d.message.clone(), d.primary.as_ref().map(|p| p.0))))
        .collect()
}

/// jLEMS builds no dynamics for a type without a `<Dynamics>` element: no requirement
/// copies, no exposure table.
fn has_dynamics(ty: &ComponentType) -> bool {
    let d = &ty.dynamics;
    !(d.state_variables.is_empty()
        && d.derived_variables.is_empty()
        && d.conditional_derived_variables.is_empty()
        && d.time_derivatives.is_empty()
        && d.on_start.is_empty()
        && d.on_conditions.is_empty()
        && d.on_events.is_empty()
        && d.regimes.is_empty()
        && d.kinetic_schemes.is_empty())
}

/// Values folded into expressions: the type's constants, then the component's parameters
/// and derived parameters (Properties stay per instance).
fn folded_values(ty: &ComponentType, comp: &Component) -> HashMap<String, f64> {
    let mut values: HashMap<String, f64> = ty
        .constants
        .iter()
        .map(|c| (c.q.name.clone(), c.value))
        .collect();
    let is_property = |n: &str| ty.properties.iter().any(|p| p.q.name == n);
    for p in comp.params.iter().chain(&comp.derived) {
        if !is_property(&p.name) {
            values.insert(p.name.clone(), p.si);
        }
    }
    values
}

fn port_names(ty: &ComponentType, direction: Direction) -> Vec<String> {
    ty.event_ports
        .iter()
        .filter(|p| p.direction == direction)
        .map(|p| p.name.clone())
        .collect()
}
