//! A simulation with multi-compartment cells lowered to a runnable [`Program`], built as the
//! NEURON export builds the model (docs/native-multicompartment.md): the same mechanisms
//! (`back::neuron::classify`, one plan per component), the same sections and placements
//! (`back::neuron::morphology`), NEURON's nodes ([`super::geometry`]) and NEURON's step:
//!
//! ```text
//! deliver the events due (sent at t_spike + delay + dt/2: NEURON's delivery at step start)
//! current kernels of every mechanism (BREAKPOINT at t + dt/2)
//! Op::Cable: backward Euler of every node's voltage
//! state kernels (DERIVATIVE at t + dt), mechanism by mechanism
//! spike detectors: a cell's root segment crossing its threshold fires `spike`
//! ```
//!
//! Every value lives in vars as in any program: a block per node (its voltage, area,
//! temperature and ion concentrations), a block per mechanism instance (shared by its current
//! and state kernels), a slot per spike detector.

mod io;
mod links;
mod place;

use std::collections::BTreeMap;
use std::path::Path;

use lemsc_runtime::program::{
    BinOp as KOp, CableNode as RunNode, CableSolve, Connection, EventFormat, EventOutputSpec,
    EventSelectionSpec, Expr, InstanceRec, Kernel, Op, OutputSpec, Program, Reduce, Stmt,
};

use super::geometry::{axial_resistivity, cable, section_length, CellCable};
use super::mechanism::{mechanism_kernels, MechanismKernels, Role};
use super::nernst::use_neuron_nernst;
use crate::back::neuron::classify::{classify, Kinds, MechKind};
use crate::back::neuron::modfile::{vary_density, DISTANCE_VAR};
use crate::back::neuron::morphology::{attachment_points, layout, CellLayout};
use crate::diag::Diagnostic;
use crate::ir::{InstId, Ir, VarRef};
use crate::model::component::CompId;
use crate::model::Model;
use crate::passes::kernels::ProgramOptions;
use crate::passes::mechanism::{inline, External, InlineOptions, MechanismPlan};

/// Slots of a node's block before its ion concentrations.
const NODE_V: u32 = 0;
const NODE_AREA: u32 = 1;
const NODE_TEMPERATURE: u32 = 2;
const NODE_FIXED_SLOTS: u32 = 3;

/// NEURON's temperature when the network gives none (6.3 °C), in K.
const NEURON_DEFAULT_KELVIN: f64 = 6.3 + 273.15;
/// NEURON's initial voltage where the cell gives none (V).
const NEURON_DEFAULT_V: f64 = -0.065;

/// NEURON's default concentrations (mM = mol/m³) of the ions it knows, inside and outside.
fn default_concentrations(ion: &str) -> (f64, f64) {
    match ion {
        "na" => (10.0, 140.0),
        "k" => (54.4, 2.5),
        "ca" => (5e-5, 2.0),
        _ => (1.0, 1.0),
    }
}

/// Lowers `ir` (which has at least one multi-compartment cell) to a program.
pub fn build_program(
    model: &Model,
    ir: &Ir,
    opts: &ProgramOptions,
) -> Result<Program, Vec<Diagnostic>> {
    let kinds = classify(model, ir)?;
    let mut b = Builder::new(model, ir, kinds);
    b.plan_mechanisms();
    if !b.diags.is_empty() {
        return Err(b.diags);
    }
    b.place_cells();
    b.place_attachments();
    b.place_sources();
    b.resolve_links();
    b.place_detectors();
    let connections = b.connections();
    let outputs = b.outputs(&opts.out_dir);
    let event_outputs = b.event_outputs(&opts.out_dir);
    if !b.diags.is_empty() {
        return Err(b.diags);
    }
    let sim = &ir.simulation;
    let steps = (sim.length / sim.step).round().max(0.0) as u64;
    let (init_order, step_order) = b.orders();
    Ok(Program {
        dt: sim.step,
        steps,
        seed: opts.seed.unwrap_or_else(|| sim.seed_or_default()),
        kernels: b.kernels,
        instances: b.instances,
        initial: b.initial,
        links: b.links,
        init_order,
        step_order,
        connections,
        outputs,
        event_outputs,
    })
}

/// One mechanism (one component) with its plan and kernels.
struct Mech {
    kind: MechKind,
    plan: MechanismPlan,
    kernels: MechanismKernels,
    current_kernel: u32,
    state_kernel: u32,
}

/// One instance of a mechanism at one node.
struct Placed {
    mech: usize,
    /// The IR instance it stands for (a cell's channel density, a synapse).
    ir_inst: InstId,
    /// Index into `Builder::nodes`; `None` for a spike source, which has no membrane.
    node: Option<usize>,
    base: u64,
    links: u64,
    /// Program instances of its current and state kernels.
    current: u32,
    state: u32,
}

/// A node of some cell.
struct Node {
    base: u64,
    /// Its program instance.
    inst: u32,
    parent: Option<usize>,
    capacitance: f64,
    axial: f64,
}

/// A multi-compartment (or any `<cell>`) population member.
struct Cell {
    inst: InstId,
    layout: CellLayout,
    cable: CellCable,
    /// Index of its first node in `Builder::nodes`.
    first_node: usize,
    /// Program instance of its spike detector, once placed.
    detector: Option<u32>,
}

struct Builder<'a> {
    model: &'a Model,
    ir: &'a Ir,
    kinds: Kinds,
    diags: Vec<Diagnostic>,
    mechs: Vec<Mech>,
    /// Ions any mechanism or cell uses, in first-use order: a node's block holds each one's
    /// concentration inside and outside.
    ions: Vec<String>,
    cells: Vec<Cell>,
    nodes: Vec<Node>,
    placed: Vec<Placed>,
    kernels: Vec<Kernel>,
    instances: Vec<InstanceRec>,
    initial: Vec<f64>,
    links: Vec<u64>,
    temperature: f64,
    /// Instances summing an ion's current at a node for a recording (`iCa`), by (node, ion).
    ion_recorders: Vec<(usize, String, u32)>,
}

const NODE_KERNEL: u32 = 0;
const DETECTOR_KERNEL: u32 = 1;
const ION_CURRENT_KERNEL: u32 = 2;

impl<'a> Builder<'a> {
    fn new(model: &'a Model, ir: &'a Ir, kinds: Kinds) -> Self {
        let root = model.component(ir.inst(ir.root).component);
        let temperature = root
            .param("temperature")
            .map_or(NEURON_DEFAULT_KELVIN, |p| p.si);
        Builder {
            model,
            ir,
            kinds,
            diags: Vec::new(),
            mechs: Vec::new(),
            ions: Vec::new(),
            cells: Vec::new(),
            nodes: Vec::new(),
            placed: Vec::new(),
            kernels: Vec::new(),
            instances: Vec::new(),
            initial: Vec::new(),
            links: Vec::new(),
            temperature,
            ion_recorders: Vec::new(),
        }
    }

    pub(super) fn error_at(&mut self, comp: CompId, message: String) {
        let c = self.model.component(comp);
        self.diags.push(
            Diagnostic::at(c.name_span, message)
                .with_note("use `--target neuron` to simulate this model with NEURON"),
        );
    }

    /// One plan and two kernels per mechanism.
    fn plan_mechanisms(&mut self) {
        self.kernels.push(self.node_kernel());
        self.kernels.push(io::detector_kernel());
        self.kernels.push(io::ion_current_kernel());
        // NEURON runs mechanisms in the order nrnivmodl registers them: by mod file name.
        let mut mechanisms = self.kinds.mechanisms.clone();
        mechanisms.sort_by(|a, b| a.name.cmp(&b.name));
        for m in mechanisms {
            let role = match &m.kind {
                MechKind::Density { .. } => Role::Density,
                MechKind::Concentration { .. } => Role::Concentration,
                MechKind::Attachment => Role::Attachment,
                MechKind::PointCell { .. } => Role::Source,
            };
            let plan = match inline(
                self.model,
                self.ir,
                m.representative,
                &InlineOptions {
                    voltage_is_state: false,
                    properties_from_connections: true,
                },
            ) {
                Ok(p) => p,
                Err(d) => {
                    self.diags.extend(d);
                    continue;
                }
            };
            if role == Role::Source
                && (plan.states.iter().any(|s| s.is_voltage) || !plan.externals.is_empty())
            {
                self.error_at(
                    m.component,
                    "the native target simulates a network with multi-compartment cells only \
                     when its other cells are spike sources; this cell has a membrane but no \
                     morphology"
                        .into(),
                );
                continue;
            }
            let comp = self.model.component(m.component);
            let ty = &self.model.ty(comp.type_id).name;
            let mut plan = plan;
            if ty.starts_with("channelDensityNonUniform") {
                // Its density is an expression of the distance along the cell, given per
                // compartment as the NEURON export's runner gives it.
                if let Err(d) = vary_density(self.model, self.ir, comp, &mut plan) {
                    self.diags.push(d);
                    continue;
                }
            }
            if let MechKind::Density {
                ion: Some(ion),
                nernst: true,
            } = &m.kind
            {
                use_neuron_nernst(&mut plan, ion);
            }
            let name = format!("{} ({ty})", comp.id.as_deref().unwrap_or("?"));
            let kernels = match mechanism_kernels(&plan, role, &name) {
                Ok(k) => k,
                Err(why) => {
                    self.error_at(
                        m.component,
                        format!("'{name}' cannot be simulated natively on a multi-compartment cell yet: {why}"),
                    );
                    continue;
                }
            };
            for x in &plan.externals {
                if let External::ConcentrationIn(ion) | External::ConcentrationOut(ion) = x {
                    self.use_ion(ion);
                }
            }
            let current_kernel = self.kernels.len() as u32;
            self.kernels.push(kernels.current.clone());
            self.kernels.push(kernels.state.clone());
            self.mechs.push(Mech {
                kind: m.kind.clone(),
                plan,
                kernels,
                current_kernel,
                state_kernel: current_kernel + 1,
            });
        }
        // The node kernel names every ion's slots.
        self.kernels[NODE_KERNEL as usize] = self.node_kernel();
    }

    fn use_ion(&mut self, ion: &str) {
        if !self.ions.iter().any(|i| i == ion) {
            self.ions.push(ion.to_string());
        }
    }

    fn node_kernel(&self) -> Kernel {
        let mut names = vec!["v".to_string(), "area".into(), "temperature".into()];
        for ion in &self.ions {
            names.push(format!("{ion}i"));
            names.push(format!("{ion}o"));
        }
        Kernel {
            name: "compartment".into(),
            block_len: names.len() as u32,
            slot_names: names,
            ..Kernel::default()
        }
    }

    fn ion_slot(&self, ion: &str, inside: bool) -> Option<u32> {
        let k = self.ions.iter().position(|i| i == ion)? as u32;
        Some(NODE_FIXED_SLOTS + 2 * k + u32::from(!inside))
    }

    /// A new block of `len` values.
    fn allocate(&mut self, len: u32) -> u64 {
        let base = self.initial.len() as u64;
        self.initial.resize(self.initial.len() + len as usize, 0.0);
        base
    }

    fn instance(&mut self, kernel: u32, base: u64, links: u64, path: String) -> u32 {
        self.instances.push(InstanceRec {
            kernel,
            base,
            links,
            path,
        });
        (self.instances.len() - 1) as u32
    }

    /// Initialisation (detectors after the mechanisms) and one step, mechanism by mechanism.
    fn orders(&self) -> (Vec<Op>, Vec<Op>) {
        let by_mech = |pick: fn(&Placed) -> u32| -> Vec<u32> {
            let mut insts = Vec::new();
            for mech in 0..self.mechs.len() {
                insts.extend(self.placed.iter().filter(|p| p.mech == mech).map(pick));
            }
            insts
        };
        let states = by_mech(|p| p.state);
        let detectors: Vec<u32> = self.cells.iter().filter_map(|c| c.detector).collect();
        let mut init: Vec<Op> = states
            .iter()
            .chain(&detectors)
            .map(|&inst| Op::Init {
                inst,
                with_derived: false,
            })
            .collect();
        init.shrink_to_fit();
        let mut step: Vec<Op> = by_mech(|p| p.current)
            .into_iter()
            .map(|inst| Op::Advance { inst })
            .collect();
        // Ion currents are recorded as NEURON has them after its current phase.
        step.extend(
            self.ion_recorders
                .iter()
                .map(|&(_, _, inst)| Op::Advance { inst }),
        );
        step.push(Op::Cable(Box::new(self.cable_solve())));
        step.extend(
            states
                .iter()
                .chain(&detectors)
                .map(|&inst| Op::Advance { inst }),
        );
        (init, step)
    }

    /// Every node of every cell, with the current contributions at it in mechanism order.
    fn cable_solve(&self) -> CableSolve {
        let mut contributions = Vec::new();
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for (k, n) in self.nodes.iter().enumerate() {
            let start = contributions.len() as u32;
            for mech in 0..self.mechs.len() {
                let Some([i, g]) = self.mechs[mech].kernels.contribution else {
                    continue;
                };
                for p in self
                    .placed
                    .iter()
                    .filter(|p| p.mech == mech && p.node == Some(k))
                {
                    contributions.push([p.base + u64::from(i), p.base + u64::from(g)]);
                }
            }
            nodes.push(RunNode {
                v: n.base + u64::from(NODE_V),
                parent: n.parent.map(|p| p as u32),
                capacitance: n.capacitance,
                axial: n.axial,
                contributions: [start, contributions.len() as u32],
            });
        }
        CableSolve {
            nodes,
            contributions,
        }
    }
}
