//! One mechanism of a cell with a morphology (a channel density, a concentration model, a
//! synapse or an input) as two kernels over one block of slots, in the arrangement of the
//! NEURON export's mod files (docs/neuron-target.md §3), so that a native run takes the same
//! arithmetic steps as NEURON running the export:
//! - `current` is NEURON's `BREAKPOINT` as `nrn_cur` runs it, before the cable solve, at the
//!   middle of the step: the current is computed at `v + 1 µV` and at `v`, and the difference
//!   gives the conductance the implicit solve uses. It leaves the inward current (A) and
//!   `-dI/dV` (S) in two slots the solve reads.
//! - `state` holds `INITIAL` (its `init` entry), the state update after the solve (`rates()`,
//!   then a forward step of every state, as `cnexp` takes it on `x' = rate`, then the kinetic
//!   schemes' implicit step (see [`super::kinetic`]), then the conditions of synapses and
//!   inputs) and `NET_RECEIVE` (its `on_event` entries).
//!
//! The values the simulator provides (voltage, temperature, concentrations, ion currents,
//! area) are links; the builder points them at the compartment.

use std::collections::BTreeMap;

use lemsc_runtime::program::{BinOp as KOp, Expr, Kernel, Reduce, Stmt};

use super::kinetic::{implicit_step, SchemeSlots, STEADY_STATE_STEP};
use crate::passes::mechanism::{
    Actions, Condition, Derived, DerivedValue, External, MExpr, MechanismPlan,
};

/// The voltage step of NEURON's numerical `di/dv` (0.001 mV).
const DV: f64 = 1e-6;

/// What the mechanism is to the cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A channel density: its `iDensity` (A/m², inward) over the compartment's area.
    Density,
    /// A concentration model: no current.
    Concentration,
    /// A synapse or input: its own current `i` (A, inward).
    Attachment,
    /// A spike source without a membrane (a population of `spikeGenerator`s): no current;
    /// every condition is tested after the step, where NEURON's WATCH tests it.
    Source,
}

/// The kernels of one mechanism and how its block is laid out.
pub struct MechanismKernels {
    pub current: Kernel,
    pub state: Kernel,
    /// Slot of each flat name of the plan.
    pub slots: BTreeMap<String, u32>,
    /// Start values of the parameters and property defaults.
    pub constants: Vec<(u32, f64)>,
    /// Per-instance properties (a connection's `weight`): flat name and slot.
    pub properties: Vec<(String, u32)>,
    /// What link entry `k` reads.
    pub links: Vec<External>,
    /// The slots the cable solve reads: inward current (A) and `-dI/dV` (S).
    pub contribution: Option<[u32; 2]>,
}

/// Why a plan cannot become kernels yet.
pub type Unsupported = String;

/// The kernels of `plan` for a mechanism of role `role`, named `name` in messages.
pub fn mechanism_kernels(
    plan: &MechanismPlan,
    role: Role,
    name: &str,
) -> Result<MechanismKernels, Unsupported> {
    if plan.regimes.is_some() {
        return Err("it has regimes".into());
    }
    if plan.states.iter().any(|s| s.is_voltage) {
        return Err("it owns a membrane potential".into());
    }
    let mut b = Builder::new(plan, role);
    let current = b.current_kernel(name);
    let state = b.state_kernel(name);
    Ok(MechanismKernels {
        current,
        state,
        constants: plan
            .params
            .iter()
            .chain(&plan.properties)
            .map(|p| (b.slots[&p.name], p.value))
            .collect(),
        properties: plan
            .properties
            .iter()
            .map(|p| (p.name.clone(), b.slots[&p.name]))
            .collect(),
        contribution: b.contribution,
        links: b.links,
        slots: b.slots,
    })
}

struct Builder<'p> {
    plan: &'p MechanismPlan,
    role: Role,
    slots: BTreeMap<String, u32>,
    names: Vec<String>,
    links: Vec<External>,
    /// States advanced by their rate (every state with one).
    integrated: Vec<String>,
    contribution: Option<[u32; 2]>,
    /// The inward current at `v + DV`, kept while the current at `v` is computed.
    current_plus: u32,
    /// Set once a case of a conditional value has been taken.
    case_taken: u32,
    /// NEURON's `t` in ms, kept as NEURON keeps it: half a step added before the currents,
    /// half a step before the state update, so that a test such as `t >= delay` flips at the
    /// step where it flips in NEURON (200 steps of 0.05 ms give 10.000000000000075 ms there,
    /// where adding 5e-5 s 200 times gives 0.009999999999999967 s).
    clock: u32,
    /// The kinetic schemes' occupancies, their implicit step and their steady state.
    kinetic_states: Vec<u32>,
    kinetic_step: Vec<Stmt>,
    kinetic_steady_state: Vec<Stmt>,
}

/// Where an expression is evaluated: the voltage offset.
#[derive(Clone, Copy)]
struct At {
    dv: f64,
}

const AT_STEP_END: At = At { dv: 0.0 };

impl<'p> Builder<'p> {
    fn new(plan: &'p MechanismPlan, role: Role) -> Self {
        let mut b = Builder {
            plan,
            role,
            slots: BTreeMap::new(),
            names: Vec::new(),
            links: plan.externals.clone(),
            integrated: Vec::new(),
            contribution: None,
            current_plus: 0,
            case_taken: 0,
            clock: 0,
            kinetic_states: Vec::new(),
            kinetic_step: Vec::new(),
            kinetic_steady_state: Vec::new(),
        };
        for p in plan.params.iter().chain(&plan.properties) {
            b.slot(&p.name);
        }
        for s in &plan.states {
            b.slot(&s.name);
        }
        for d in &plan.derived {
            b.slot(&d.name);
        }
        for r in &plan.rates {
            b.slot(&rate_name(&r.state));
            if !b.integrated.contains(&r.state) {
                b.integrated.push(r.state.clone());
            }
        }
        if role == Role::Density && !b.links.contains(&External::Area) {
            b.links.push(External::Area);
        }
        let passes_current = match role {
            Role::Density => b.slots.contains_key("iDensity"),
            Role::Attachment => b.root_current().is_some(),
            Role::Concentration | Role::Source => false,
        };
        if passes_current {
            let i = b.slot("@current");
            let g = b.slot("@conductance");
            b.contribution = Some([i, g]);
        }
        b.current_plus = b.slot("@current at v+dv");
        b.case_taken = b.slot("@case taken");
        b.clock = b.slot("@NEURON t (ms)");
        b.kinetic_statements();
        b
    }

    /// The statements of the kinetic schemes, made here so that their scratch slots are in
    /// the block both kernels share.
    fn kinetic_statements(&mut self) {
        let plan = self.plan;
        let schemes: Vec<SchemeSlots> = plan
            .kinetic
            .iter()
            .map(|k| {
                let states: Vec<u32> = k.states.iter().map(|s| self.slot(s)).collect();
                let position = |s: &String| k.states.iter().position(|x| x == s);
                let edges = k
                    .edges
                    .iter()
                    .filter_map(|(from, to, fwd, rev)| {
                        Some((
                            position(from)?,
                            position(to)?,
                            self.expr(fwd, AT_STEP_END),
                            self.expr(rev, AT_STEP_END),
                        ))
                    })
                    .collect();
                SchemeSlots { states, edges }
            })
            .collect();
        for scheme in &schemes {
            self.kinetic_states.extend(&scheme.states);
            let step = implicit_step(scheme, Expr::Step, &mut |n| self.slot(n));
            self.kinetic_step.extend(step);
            let steady = implicit_step(scheme, Expr::Const(STEADY_STATE_STEP), &mut |n| {
                self.slot(n)
            });
            self.kinetic_steady_state.extend(steady);
        }
    }

    /// `t += 0.5 * dt` in ms, as NEURON's fixed step does twice per step.
    fn clock_half_step(&self) -> Stmt {
        let dt_ms = Expr::Binary(
            KOp::Mul,
            Box::new(Expr::Step),
            Box::new(Expr::Const(1000.0)),
        );
        Stmt::Set {
            slot: self.clock,
            value: Expr::Binary(
                KOp::Add,
                Box::new(Expr::Local(self.clock)),
                Box::new(Expr::Binary(
                    KOp::Mul,
                    Box::new(Expr::Const(0.5)),
                    Box::new(dt_ms),
                )),
            ),
        }
    }

    fn slot(&mut self, name: &str) -> u32 {
        if let Some(&s) = self.slots.get(name) {
            return s;
        }
        let s = self.names.len() as u32;
        self.slots.insert(name.to_string(), s);
        self.names.push(name.to_string());
        s
    }

    /// The flat name of the root's current `i`, if it has one.
    fn root_current(&self) -> Option<&String> {
        self.plan.names.get(&(self.plan.root, "i".to_string()))
    }

    fn link(&self, x: &External) -> u32 {
        self.links
            .iter()
            .position(|l| l == x)
            .expect("every external of the plan has a link") as u32
    }

    fn expr(&self, e: &MExpr, at: At) -> Expr {
        let boxed = |e: &MExpr| Box::new(self.expr(e, at));
        match e {
            MExpr::Num(x) => Expr::Const(*x),
            MExpr::Var(name) => Expr::Local(self.slots[name]),
            MExpr::Ext(x) => {
                let k = self.link(x);
                match x {
                    External::IonCurrent(_) => Expr::Reduce(Reduce::Add, k),
                    External::Voltage if at.dv != 0.0 => Expr::Binary(
                        KOp::Add,
                        Box::new(Expr::Link(k)),
                        Box::new(Expr::Const(at.dv)),
                    ),
                    _ => Expr::Link(k),
                }
            }
            // NEURON's `t` (ms) as the mod reads it: see `clock`.
            MExpr::Time => Expr::Binary(
                KOp::Mul,
                Box::new(Expr::Local(self.clock)),
                Box::new(Expr::Const(0.001)),
            ),
            MExpr::Neg(a) => Expr::Neg(boxed(a)),
            MExpr::Not(a) => Expr::Not(boxed(a)),
            MExpr::Bin(op, a, b) => Expr::Binary(op.kernel_op(), boxed(a), boxed(b)),
            MExpr::Call(f, a) => Expr::Call(
                f.kernel_func().expect("random(x) is MExpr::Random"),
                boxed(a),
            ),
            MExpr::Random(a) => Expr::Random(boxed(a)),
        }
    }

    /// Statements computing the derived variables `keep` selects, in the plan's order.
    fn derived(&self, keep: impl Fn(&Derived) -> bool, at: At) -> Vec<Stmt> {
        let mut out = Vec::new();
        for d in self.plan.derived.iter().filter(|d| keep(d)) {
            let slot = self.slots[&d.name];
            match &d.value {
                DerivedValue::Value(e) => out.push(Stmt::Set {
                    slot,
                    value: self.expr(e, at),
                }),
                DerivedValue::Cases(cases) => out.extend(self.cases(slot, cases, at)),
            }
        }
        out
    }

    /// The first case whose condition holds (or the default) sets `slot`; with none, the slot
    /// keeps its value, as NMODL's if/else-if chain leaves it.
    fn cases(&self, slot: u32, cases: &[(Option<MExpr>, MExpr)], at: At) -> Vec<Stmt> {
        let taken = self.case_taken;
        let mut out = vec![Stmt::Set {
            slot: taken,
            value: Expr::Const(0.0),
        }];
        for (cond, value) in cases {
            let not_taken = Expr::Not(Box::new(Expr::Local(taken)));
            let test = match cond {
                Some(c) => Expr::Binary(KOp::And, Box::new(not_taken), Box::new(self.expr(c, at))),
                None => not_taken,
            };
            out.push(Stmt::If {
                test,
                then: vec![
                    Stmt::Set {
                        slot,
                        value: self.expr(value, at),
                    },
                    Stmt::Set {
                        slot: taken,
                        value: Expr::Const(1.0),
                    },
                ],
            });
        }
        out
    }

    /// NEURON's `rates()`: the derived values (a density's own ones excepted: those are the
    /// current's) and every rate.
    fn rates(&self, at: At) -> Vec<Stmt> {
        let density = self.role == Role::Density;
        let mut out = self.derived(|d| !(density && is_own(d)), at);
        for r in &self.plan.rates {
            out.push(Stmt::Set {
                slot: self.slots[&rate_name(&r.state)],
                value: self.expr(&r.value, at),
            });
        }
        out
    }

    /// BREAKPOINT's statements at one voltage, ending with the inward current in `into`.
    fn breakpoint(&self, at: At, into: u32) -> Vec<Stmt> {
        let mut out = Vec::new();
        if self.integrated.is_empty() && self.kinetic_states.is_empty() {
            out.extend(self.rates(at));
        }
        let current = match self.role {
            Role::Density => {
                out.extend(self.derived(is_own, at));
                out.extend(self.breakpoint_conditions(at));
                Expr::Binary(
                    KOp::Mul,
                    Box::new(Expr::Local(self.slots["iDensity"])),
                    Box::new(Expr::Link(self.link(&External::Area))),
                )
            }
            Role::Attachment => {
                out.extend(self.breakpoint_conditions(at));
                match self.root_current() {
                    Some(i) => Expr::Local(self.slots[i]),
                    None => return out,
                }
            }
            Role::Concentration | Role::Source => return out,
        };
        out.push(Stmt::Set {
            slot: into,
            value: current,
        });
        out
    }

    /// The conditions BREAKPOINT tests, before it writes the current: all of a density's,
    /// and a synapse's or input's that only assign its own variables (the others are
    /// WATCHed: see the state kernel).
    fn breakpoint_conditions(&self, at: At) -> Vec<Stmt> {
        self.plan
            .conditions
            .iter()
            .filter(|c| self.role == Role::Density || tested_in_breakpoint(c))
            .map(|c| Stmt::If {
                test: self.expr(&c.test, at),
                then: self.actions(&c.actions, &mut Vec::new()),
            })
            .collect()
    }

    fn current_kernel(&mut self, name: &str) -> Kernel {
        let mut advance = vec![self.clock_half_step()];
        if let Some([i, g]) = self.contribution {
            let plus = At { dv: DV };
            let here = At { dv: 0.0 };
            advance.extend(self.breakpoint(plus, self.current_plus));
            advance.extend(self.breakpoint(here, i));
            // -dI/dV from the two currents, as NEURON's `nrn_cur` takes it.
            advance.push(Stmt::Set {
                slot: g,
                value: Expr::Binary(
                    KOp::Div,
                    Box::new(Expr::Binary(
                        KOp::Sub,
                        Box::new(Expr::Local(i)),
                        Box::new(Expr::Local(self.current_plus)),
                    )),
                    Box::new(Expr::Const(DV)),
                ),
            });
        }
        Kernel {
            name: format!("{name} (current)"),
            advance,
            ..self.empty_kernel()
        }
    }

    fn state_kernel(&mut self, name: &str) -> Kernel {
        // INITIAL: rates() twice (a child reading a parent's derived value sees the previous
        // call's), then every OnStart. Occupancies start from 0 (nocmodl's `a = a0`), then
        // go to their steady state; the solve ends with rates() at the new occupancies.
        let mut init: Vec<Stmt> = std::iter::once(self.clock)
            .chain(self.kinetic_states.iter().copied())
            .map(|slot| Stmt::Set {
                slot,
                value: Expr::Const(0.0),
            })
            .collect();
        init.extend(self.rates(AT_STEP_END));
        init.extend(self.rates(AT_STEP_END));
        for a in &self.plan.on_start {
            init.push(Stmt::Set {
                slot: self.slots[&a.var],
                value: self.expr(&a.value, AT_STEP_END),
            });
        }
        if !self.kinetic_states.is_empty() {
            init.extend(self.kinetic_steady_state.clone());
            init.extend(self.rates(AT_STEP_END));
        }
        let mut advance = vec![self.clock_half_step()];
        advance.extend(self.rates(AT_STEP_END));
        for s in &self.integrated {
            let x = self.slots[s];
            advance.push(Stmt::Set {
                slot: x,
                value: Expr::Binary(
                    KOp::Add,
                    Box::new(Expr::Local(x)),
                    Box::new(Expr::Binary(
                        KOp::Mul,
                        Box::new(Expr::Step),
                        Box::new(Expr::Local(self.slots[&rate_name(s)])),
                    )),
                ),
            });
        }
        if !self.kinetic_states.is_empty() {
            // `SOLVE kin` after `SOLVE states`: its own rates() (after the other states moved),
            // the step, and rates() once more at the new occupancies.
            if !self.integrated.is_empty() {
                advance.extend(self.rates(AT_STEP_END));
            }
            advance.extend(self.kinetic_step.clone());
            advance.extend(self.rates(AT_STEP_END));
        }
        let mut out_ports: Vec<String> = Vec::new();
        // A synapse's or input's conditions are tested after the step, where NEURON's WATCH
        // tests them; a concentration model's after its update too, since nocmodl moves the
        // BREAKPOINT of a mechanism without currents into the state update. A density's are in
        // its current kernel.
        if self.role != Role::Density {
            for c in self.plan.conditions.iter().filter(|c| {
                matches!(self.role, Role::Concentration | Role::Source) || !tested_in_breakpoint(c)
            }) {
                let then = self.actions(&c.actions, &mut out_ports);
                advance.push(Stmt::If {
                    test: self.expr(&c.test, AT_STEP_END),
                    then,
                });
            }
        }
        let mut in_ports: Vec<String> = Vec::new();
        let mut on_event: Vec<Vec<Stmt>> = Vec::new();
        for h in &self.plan.on_events {
            let k = match in_ports.iter().position(|p| *p == h.port) {
                Some(k) => k,
                None => {
                    in_ports.push(h.port.clone());
                    on_event.push(Vec::new());
                    in_ports.len() - 1
                }
            };
            let stmts = self.actions(&h.actions, &mut out_ports);
            on_event[k].extend(stmts);
        }
        let state_slots = self
            .integrated
            .iter()
            .map(|s| self.slots[s])
            .chain(self.kinetic_states.iter().copied())
            .collect();
        Kernel {
            name: format!("{name} (states)"),
            init,
            advance,
            on_event,
            in_ports,
            out_ports,
            state_slots,
            ..self.empty_kernel()
        }
    }

    fn actions(&self, actions: &Actions, out_ports: &mut Vec<String>) -> Vec<Stmt> {
        let mut out: Vec<Stmt> = actions
            .assigns
            .iter()
            .map(|a| Stmt::Set {
                slot: self.slots[&a.var],
                value: self.expr(&a.value, AT_STEP_END),
            })
            .collect();
        for port in &actions.event_outs {
            let k = match out_ports.iter().position(|p| p == port) {
                Some(k) => k,
                None => {
                    out_ports.push(port.clone());
                    out_ports.len() - 1
                }
            };
            out.push(Stmt::Emit { port: k as u32 });
        }
        out
    }

    fn empty_kernel(&self) -> Kernel {
        Kernel {
            name: String::new(),
            block_len: self.names.len() as u32,
            link_count: self.links.len() as u32,
            slot_names: self.names.clone(),
            ..Kernel::default()
        }
    }
}

/// A condition that sends no event and changes no regime: the NEURON export tests it in
/// BREAKPOINT at every step.
fn tested_in_breakpoint(c: &Condition) -> bool {
    c.actions.event_outs.is_empty() && c.actions.transition.is_none()
}

/// A derived value of the top component itself (`gDensity`, `iDensity`), not of a child.
fn is_own(d: &Derived) -> bool {
    !d.name.contains('/')
}

fn rate_name(state: &str) -> String {
    format!("rate {state}")
}
