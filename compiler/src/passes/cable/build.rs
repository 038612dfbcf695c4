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

use std::collections::BTreeMap;
use std::path::Path;

use lemsc_runtime::program::{
    BinOp as KOp, CableNode as RunNode, CableSolve, Connection, EventFormat, EventOutputSpec,
    EventSelectionSpec, Expr, InstanceRec, Kernel, Op, OutputSpec, Program, Stmt,
};

use super::geometry::{axial_resistivity, cable, CellCable};
use super::mechanism::{mechanism_kernels, MechanismKernels, Role};
use crate::back::neuron::classify::{classify, Kinds, MechKind};
use crate::back::neuron::morphology::{layout, CellLayout};
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
    b.refuse_unsupported();
    b.plan_mechanisms();
    if !b.diags.is_empty() {
        return Err(b.diags);
    }
    b.place_cells();
    b.place_attachments();
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
    /// Index into `Builder::nodes`.
    node: usize,
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
}

const NODE_KERNEL: u32 = 0;
const DETECTOR_KERNEL: u32 = 1;

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
        }
    }

    fn error_at(&mut self, comp: CompId, message: String) {
        let c = self.model.component(comp);
        self.diags.push(
            Diagnostic::at(c.name_span, message)
                .with_note("use `--target neuron` to simulate this model with NEURON"),
        );
    }

    /// What this lowering does not do yet, located at the component at fault.
    fn refuse_unsupported(&mut self) {
        for m in self.kinds.mechanisms.clone() {
            if let MechKind::PointCell { .. } = m.kind {
                self.error_at(
                    m.component,
                    "the native target simulates a network with multi-compartment cells only \
                     when all its cells are NeuroML <cell>s; this cell has no morphology"
                        .into(),
                );
            }
        }
    }

    /// One plan and two kernels per mechanism.
    fn plan_mechanisms(&mut self) {
        self.kernels.push(self.node_kernel());
        self.kernels.push(detector_kernel());
        // NEURON runs mechanisms in the order nrnivmodl registers them: by mod file name.
        let mut mechanisms = self.kinds.mechanisms.clone();
        mechanisms.sort_by(|a, b| a.name.cmp(&b.name));
        for m in mechanisms {
            let role = match &m.kind {
                MechKind::Density { .. } => Role::Density,
                MechKind::Concentration { .. } => Role::Concentration,
                MechKind::Attachment => Role::Attachment,
                MechKind::PointCell { .. } => continue,
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
            let comp = self.model.component(m.component);
            let ty = &self.model.ty(comp.type_id).name;
            if ty.starts_with("channelDensityNonUniform") {
                self.error_at(
                    m.component,
                    format!("'{ty}' (a non-uniform channel density) is not simulated natively yet"),
                );
                continue;
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

    /// Nodes of every cell, and the densities and concentration models on them.
    fn place_cells(&mut self) {
        for member in self.kinds.morph_cells.clone() {
            let comp = self.ir.inst(member).component;
            let l = match layout(self.model, comp) {
                Ok(l) => l,
                Err(d) => {
                    self.diags.extend(d);
                    continue;
                }
            };
            for sp in &l.biophysics.species {
                self.use_ion(&sp.ion.clone());
            }
            let ra = axial_resistivity(&l);
            let c = cable(&l, &ra);
            let cell = self.cells.len();
            let first_node = self.nodes.len();
            self.place_nodes(member, &l, &c);
            self.cells.push(Cell {
                inst: member,
                layout: l,
                cable: c,
                first_node,
                detector: None,
            });
            self.place_densities(cell);
        }
        self.kernels[NODE_KERNEL as usize] = self.node_kernel();
    }

    fn place_nodes(&mut self, member: InstId, l: &CellLayout, c: &CellCable) {
        let cm = per_section(l, &l.biophysics.specific_capacitance, 1.0);
        let v0 = per_section(
            l,
            &l.biophysics.init_membrane_potential,
            NEURON_DEFAULT_V * 1e3,
        );
        let first = self.nodes.len();
        let path = self.ir.path_of(member);
        let block = NODE_FIXED_SLOTS + 2 * self.ions.len() as u32;
        for n in &c.nodes {
            let base = self.allocate(block);
            let section = &l.sections[n.section];
            self.initial[(base + u64::from(NODE_V)) as usize] = v0[n.section] * 1e-3;
            self.initial[(base + u64::from(NODE_AREA)) as usize] = n.area_um2 * 1e-12;
            self.initial[(base + u64::from(NODE_TEMPERATURE)) as usize] = self.temperature;
            for ion in self.ions.clone() {
                let (inside, outside) = l
                    .biophysics
                    .species
                    .iter()
                    .find(|s| s.ion == ion)
                    .map_or_else(
                        || default_concentrations(&ion),
                        |s| (s.initial_in, s.initial_out),
                    );
                let i = self.ion_slot(&ion, true).unwrap();
                self.initial[(base + u64::from(i)) as usize] = inside;
                self.initial[(base + u64::from(i) + 1) as usize] = outside;
            }
            let inst = self.instance(
                NODE_KERNEL,
                base,
                0,
                format!("{path}/{}({})", section.name, n.x),
            );
            // µF/cm² × µm² → F; MΩ → S.
            self.nodes.push(Node {
                base,
                inst,
                parent: n.parent.map(|p| first + p),
                capacitance: cm[n.section] * n.area_um2 * 1e-14,
                axial: if n.parent.is_some() && n.ri_megohm > 0.0 {
                    1.0 / (n.ri_megohm * 1e6)
                } else {
                    0.0
                },
            });
        }
    }

    /// The mechanism of an IR instance, by index into `mechs`.
    fn mech_of(&self, inst: InstId) -> Option<usize> {
        let m = self.kinds.mechanism_of(inst)?;
        self.mechs
            .iter()
            .position(|x| x.plan.component == m.component)
    }

    /// Channel densities and concentration models of one cell, on the sections the NEURON
    /// export inserts them in.
    fn place_densities(&mut self, cell: usize) {
        let member = self.cells[cell].inst;
        let insts: Vec<InstId> = self
            .kinds
            .of_instance
            .keys()
            .copied()
            .filter(|&i| self.is_inside(i, member))
            .collect();
        for inst in insts {
            let Some(mech) = self.mech_of(inst) else {
                continue;
            };
            let comp = self.ir.inst(inst).component;
            let sections = {
                let l = &self.cells[cell].layout;
                match &self.mechs[mech].kind {
                    MechKind::Density { .. } => density_sections(l, comp),
                    MechKind::Concentration { .. } => {
                        let group = l
                            .biophysics
                            .species
                            .iter()
                            .find(|s| s.concentration_model == comp)
                            .and_then(|s| s.group.clone());
                        group_sections(l, &group)
                    }
                    _ => continue,
                }
            };
            for s in sections {
                let centres = self.cells[cell].cable.sections[s].centres();
                for n in centres {
                    let node = self.cells[cell].first_node + n;
                    self.place(mech, inst, node);
                }
            }
        }
    }

    fn is_inside(&self, inst: InstId, ancestor: InstId) -> bool {
        let mut cur = self.ir.inst(inst).parent;
        while let Some(p) = cur {
            if p == ancestor {
                return true;
            }
            cur = self.ir.inst(p).parent;
        }
        false
    }

    /// One instance of mechanism `mech` standing for `ir_inst` at `node`.
    fn place(&mut self, mech: usize, ir_inst: InstId, node: usize) {
        let (block, link_count) = {
            let k = &self.mechs[mech].kernels;
            (k.current.block_len, k.current.link_count)
        };
        let base = self.allocate(block);
        for &(slot, value) in &self.mechs[mech].kernels.constants {
            self.initial[(base + u64::from(slot)) as usize] = value;
        }
        // A connection's Assign sets this instance's own property (weight).
        let assigned = self.ir.inst(ir_inst).assigned.clone();
        for (name, slot) in &self.mechs[mech].kernels.properties {
            if let Some((_, v)) = assigned.iter().rev().find(|(n, _)| n == name) {
                self.initial[(base + u64::from(*slot)) as usize] = *v;
            }
        }
        let links = self.links.len() as u64;
        self.links
            .resize(self.links.len() + link_count as usize, u64::MAX);
        let path = format!(
            "{} at {}",
            self.ir.path_of(ir_inst),
            self.instances[self.nodes[node].inst as usize].path
        );
        let (ck, sk) = (
            self.mechs[mech].current_kernel,
            self.mechs[mech].state_kernel,
        );
        let current = self.instance(ck, base, links, path.clone());
        let state = self.instance(sk, base, links, path);
        self.placed.push(Placed {
            mech,
            ir_inst,
            node,
            base,
            links,
            current,
            state,
        });
    }

    /// Synapses and inputs at the segment and fraction their connection or input names.
    fn place_attachments(&mut self) {
        let mut at: BTreeMap<InstId, (Option<u32>, Option<f64>)> = BTreeMap::new();
        for input in &self.ir.inputs {
            let seg = text_number(self.model, input.made_by, "segmentId").map(|x| x as u32);
            let frac = text_number(self.model, input.made_by, "fractionAlong");
            at.insert(input.input, (seg, frac));
        }
        for c in &self.ir.event_connections {
            if let Some(r) = c.receiver {
                let seg = text_number(self.model, c.made_by, "postSegmentId").map(|x| x as u32);
                let frac = text_number(self.model, c.made_by, "postFractionAlong");
                at.insert(r, (seg, frac));
            }
        }
        let attachments: Vec<InstId> = self
            .kinds
            .of_instance
            .iter()
            .filter(|(_, &i)| self.kinds.mechanisms[i].kind == MechKind::Attachment)
            .map(|(inst, _)| *inst)
            .collect();
        for inst in attachments {
            let Some(mech) = self.mech_of(inst) else {
                continue;
            };
            let Some(parent) = self.ir.inst(inst).parent else {
                continue;
            };
            let Some(cell) = self.cells.iter().position(|c| c.inst == parent) else {
                continue;
            };
            let (seg, frac) = at.get(&inst).copied().unwrap_or((None, None));
            let node = self.node_of(cell, seg.unwrap_or(0), frac.unwrap_or(0.5));
            self.place(mech, inst, node);
        }
    }

    /// The node of a point given by segment id and fraction along it (the root's centre when
    /// the segment is unknown, as the NEURON export places it).
    fn node_of(&self, cell: usize, segment: u32, fraction: f64) -> usize {
        let c = &self.cells[cell];
        let (section, x) = c
            .layout
            .locate(segment, fraction)
            .unwrap_or((c.layout.root_section(), 0.5));
        c.first_node + c.cable.node_at(section, x)
    }

    /// Every mechanism instance's links: its node's values, the concentration model at its
    /// node for an inside concentration, the ion currents of the densities at its node.
    fn resolve_links(&mut self) {
        let mut lists: Vec<(usize, Vec<u64>)> = Vec::new();
        for p in 0..self.placed.len() {
            let (mech, node, links) = (
                self.placed[p].mech,
                self.placed[p].node,
                self.placed[p].links,
            );
            let node_base = self.nodes[node].base;
            for (k, x) in self.mechs[mech].kernels.links.clone().iter().enumerate() {
                let entry = (links + k as u64) as usize;
                let at = |slot: u32| node_base + u64::from(slot);
                self.links[entry] = match x {
                    External::Voltage => at(NODE_V),
                    External::Area => at(NODE_AREA),
                    External::Temperature => at(NODE_TEMPERATURE),
                    External::ConcentrationIn(ion) => match self.concentration_at(node, ion) {
                        Some(index) => index,
                        None => at(self.ion_slot(ion, true).expect("ions are collected")),
                    },
                    External::ConcentrationOut(ion) => {
                        at(self.ion_slot(ion, false).expect("ions are collected"))
                    }
                    External::IonCurrent(ion) => {
                        lists.push((entry, self.ion_currents_at(node, ion)));
                        continue;
                    }
                    External::PeerVoltage => match self.peer_voltage(self.placed[p].ir_inst) {
                        Some(index) => index,
                        None => {
                            let comp = self.ir.inst(self.placed[p].ir_inst).component;
                            self.error_at(
                                comp,
                                "this coupling reads another cell's voltage but is not one end \
                                 of a gap junction or graded synapse"
                                    .into(),
                            );
                            continue;
                        }
                    },
                };
            }
        }
        for (entry, members) in lists {
            self.links[entry] = self.links.len() as u64;
            self.links.push(members.len() as u64);
            self.links.extend(members);
        }
    }

    /// The voltage a tunnel end (a gap junction's or graded synapse's half) reads: its peer
    /// cell's at the root segment's middle, where the NEURON export points `vpeer`.
    fn peer_voltage(&self, end: InstId) -> Option<u64> {
        let peer = self.ir.tunnels.iter().find_map(|t| {
            if t.at_a == end {
                Some(t.end_b)
            } else if t.at_b == end {
                Some(t.end_a)
            } else {
                None
            }
        })?;
        let cell = self.cells.iter().position(|c| c.inst == peer)?;
        Some(self.nodes[self.node_of(cell, 0, 0.5)].base + u64::from(NODE_V))
    }

    /// The `concentration` of the model of `ion` at `node`, if one is there.
    fn concentration_at(&self, node: usize, ion: &str) -> Option<u64> {
        self.placed.iter().find_map(|p| {
            let m = &self.mechs[p.mech];
            let is_it =
                p.node == node && matches!(&m.kind, MechKind::Concentration { ion: i } if i == ion);
            let slot = m.kernels.slots.get("concentration")?;
            is_it.then_some(p.base + u64::from(*slot))
        })
    }

    /// The current slots (inward, A) of the densities of `ion` at `node`.
    fn ion_currents_at(&self, node: usize, ion: &str) -> Vec<u64> {
        self.placed
            .iter()
            .filter(|p| p.node == node)
            .filter(|p| {
                matches!(&self.mechs[p.mech].kind, MechKind::Density { ion: Some(i), .. } if i == ion)
            })
            .filter_map(|p| {
                let [i, _] = self.mechs[p.mech].kernels.contribution?;
                Some(p.base + u64::from(i))
            })
            .collect()
    }

    /// A spike detector on the root segment of every cell that sends spikes or is recorded.
    fn place_detectors(&mut self) {
        let mut wanted: Vec<InstId> = self.ir.event_connections.iter().map(|c| c.source).collect();
        for f in &self.ir.event_output_files {
            wanted.extend(f.selections.iter().map(|s| s.inst));
        }
        for cell in 0..self.cells.len() {
            if !wanted.contains(&self.cells[cell].inst) {
                continue;
            }
            let (root, threshold) = {
                let c = &self.cells[cell];
                (
                    c.layout.root_section(),
                    c.layout.biophysics.spike_threshold * 1e-3,
                )
            };
            let node = self.cells[cell].first_node + self.cells[cell].cable.node_at(root, 0.5);
            let base = self.allocate(DETECTOR_SLOTS);
            self.initial[(base + u64::from(DETECTOR_THRESHOLD)) as usize] = threshold;
            let links = self.links.len() as u64;
            self.links.push(self.nodes[node].base + u64::from(NODE_V));
            let path = format!("{} spike detector", self.ir.path_of(self.cells[cell].inst));
            let inst = self.instance(DETECTOR_KERNEL, base, links, path);
            self.cells[cell].detector = Some(inst);
        }
    }

    /// Spikes of a cell's detector to the synapses they reach, half a step later than sent
    /// so that they arrive when NEURON delivers them: at the start of the first step from a
    /// time at or after `t_spike + delay`.
    fn connections(&mut self) -> Vec<Connection> {
        let half_step = self.ir.simulation.step * 0.5;
        let mut out = Vec::new();
        for c in &self.ir.event_connections {
            let target = c.receiver.unwrap_or(c.target);
            let Some(source) = self.cells.iter().find(|x| x.inst == c.source) else {
                self.diags.push(Diagnostic::at(
                    self.model.component(c.made_by).name_span,
                    "this connection's source is not a cell with a morphology; the native \
                     target does not mix such sources with multi-compartment cells yet"
                        .to_string(),
                ));
                continue;
            };
            let Some(p) = self.placed.iter().find(|p| p.ir_inst == target) else {
                continue;
            };
            let state = &self.mechs[p.mech].kernels.state;
            let Some(in_port) = state.in_ports.iter().position(|x| *x == c.target_port) else {
                continue;
            };
            out.push(Connection {
                source: source.detector.expect("every source has a detector"),
                out_port: 0,
                target: p.state,
                in_port: in_port as u32,
                delay: c.delay + half_step,
            });
        }
        out
    }

    fn outputs(&mut self, out_dir: &Path) -> Vec<OutputSpec> {
        let mut specs = Vec::new();
        for file in &self.ir.output_files {
            let mut columns = Vec::new();
            for col in &file.columns {
                match self.recorded(&col.target) {
                    Ok(index) => columns.push(index),
                    Err(why) => {
                        let c = self.model.component(self.ir.simulation.component);
                        self.diags.push(Diagnostic::at(
                            c.name_span,
                            format!(
                                "column '{}' of output file '{}' cannot be recorded: {why}",
                                col.id, file.id
                            ),
                        ));
                    }
                }
            }
            specs.push(OutputSpec {
                id: file.id.clone(),
                path: out_dir.join(&file.file_name),
                columns,
            });
        }
        specs
    }

    /// The vars index of a recorded variable, found as the NEURON export finds it.
    fn recorded(&self, target: &VarRef) -> Result<u64, String> {
        let describe = || format!("{}/{}", self.ir.path_of(target.inst), target.variable);
        // The mechanism instance (or cell) holding it, and the path from there.
        let mut cur = target.inst;
        let mut path = Vec::new();
        while !self.kinds.of_instance.contains_key(&cur) && !self.kinds.morph_cells.contains(&cur) {
            path.push(self.ir.inst(cur).name.clone());
            cur = self
                .ir
                .inst(cur)
                .parent
                .ok_or_else(|| format!("{} is not part of a cell", describe()))?;
        }
        path.reverse();
        if let Some(cell) = self.cells.iter().position(|c| c.inst == cur) {
            if !path.is_empty() {
                return Err(format!("{} is not a variable of the cell", describe()));
            }
            let segment = target
                .segment
                .as_deref()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let node = self.node_of(cell, segment, 0.5);
            let base = self.nodes[node].base;
            return match target.variable.as_str() {
                "v" => Ok(base + u64::from(NODE_V)),
                "caConc" | "caConcExt" | "caConc2" | "caConcExt2" => {
                    let ion = if target.variable.ends_with('2') {
                        "ca2"
                    } else {
                        "ca"
                    };
                    let inside = !target.variable.contains("Ext");
                    if inside {
                        if let Some(i) = self.concentration_at(node, ion) {
                            return Ok(i);
                        }
                    }
                    self.ion_slot(ion, inside)
                        .map(|s| base + u64::from(s))
                        .ok_or_else(|| format!("the cell has no {ion} concentration"))
                }
                _ => Err(format!(
                    "{} is not recorded natively on a multi-compartment cell yet",
                    describe()
                )),
            };
        }
        let mech = self
            .mech_of(cur)
            .ok_or_else(|| format!("{} is not simulated", describe()))?;
        let m = &self.mechs[mech];
        let rep = self
            .kinds
            .mechanism_of(cur)
            .expect("a mechanism")
            .representative;
        let rep_inst = self
            .ir
            .descendant(rep, &path.join("/"))
            .ok_or_else(|| format!("{} names nothing", describe()))?;
        let flat = m
            .plan
            .names
            .get(&(rep_inst, target.variable.clone()))
            .ok_or_else(|| format!("{} names nothing", describe()))?;
        let slot = m.kernels.slots[flat];
        // A density is recorded on its cell's segment 0, as the NEURON export records it.
        let placed = match m.kind {
            MechKind::Attachment => self.placed.iter().find(|p| p.ir_inst == cur),
            _ => {
                let cell = self
                    .cells
                    .iter()
                    .position(|c| self.is_inside(cur, c.inst))
                    .ok_or_else(|| format!("{} is not on a cell", describe()))?;
                let node = self.node_of(cell, 0, 0.5);
                self.placed
                    .iter()
                    .find(|p| p.ir_inst == cur && p.node == node)
            }
        };
        placed
            .map(|p| p.base + u64::from(slot))
            .ok_or_else(|| format!("{} is not present on segment 0", describe()))
    }

    fn event_outputs(&mut self, out_dir: &Path) -> Vec<EventOutputSpec> {
        let mut specs = Vec::new();
        for file in &self.ir.event_output_files {
            let format = match file.format.as_str() {
                "ID_TIME" => EventFormat::IdTime,
                _ => EventFormat::TimeId,
            };
            let mut selections = Vec::new();
            for sel in &file.selections {
                match self
                    .cells
                    .iter()
                    .find(|c| c.inst == sel.inst)
                    .and_then(|c| c.detector)
                {
                    Some(inst) => selections.push(EventSelectionSpec {
                        inst,
                        out_port: 0,
                        id: sel.id.clone(),
                    }),
                    None => {
                        let c = self.model.component(self.ir.simulation.component);
                        self.diags.push(Diagnostic::at(
                            c.name_span,
                            format!(
                                "event output file '{}' selects {}, which is not a cell with a \
                                 morphology",
                                file.id,
                                self.ir.path_of(sel.inst)
                            ),
                        ));
                    }
                }
            }
            specs.push(EventOutputSpec {
                id: file.id.clone(),
                path: out_dir.join(&file.file_name),
                format,
                selections,
            });
        }
        specs
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
        step.push(Op::Cable(self.cable_solve()));
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
                for p in self.placed.iter().filter(|p| p.mech == mech && p.node == k) {
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

/// A detector's slots: whether the voltage was above threshold after the last step, and the
/// threshold (V).
const DETECTOR_ABOVE: u32 = 0;
const DETECTOR_THRESHOLD: u32 = 1;
const DETECTOR_SLOTS: u32 = 2;

/// Fires `spike` when the watched voltage (link 0) rises above the threshold, as NEURON's
/// NetCon threshold detection does after each step.
fn detector_kernel() -> Kernel {
    let above = || {
        Expr::Binary(
            KOp::Gt,
            Box::new(Expr::Link(0)),
            Box::new(Expr::Local(DETECTOR_THRESHOLD)),
        )
    };
    Kernel {
        name: "spike detector".into(),
        block_len: DETECTOR_SLOTS,
        link_count: 1,
        slot_names: vec!["above threshold".into(), "threshold".into()],
        out_ports: vec!["spike".into()],
        init: vec![Stmt::Set {
            slot: DETECTOR_ABOVE,
            value: above(),
        }],
        advance: vec![
            Stmt::If {
                test: Expr::Binary(
                    KOp::And,
                    Box::new(above()),
                    Box::new(Expr::Not(Box::new(Expr::Local(DETECTOR_ABOVE)))),
                ),
                then: vec![Stmt::Emit { port: 0 }],
            },
            Stmt::Set {
                slot: DETECTOR_ABOVE,
                value: above(),
            },
        ],
        ..Kernel::default()
    }
}

/// A value per section from `(group, value)` entries, later ones overriding earlier ones.
fn per_section(l: &CellLayout, entries: &[(Option<String>, f64)], default: f64) -> Vec<f64> {
    let mut out = vec![default; l.sections.len()];
    for (group, value) in entries {
        for s in group_sections(l, group) {
            out[s] = *value;
        }
    }
    out
}

/// The sections of a segment group (every section for none or an unknown group).
fn group_sections(l: &CellLayout, group: &Option<String>) -> Vec<usize> {
    group
        .as_ref()
        .and_then(|name| l.groups.iter().find(|g| &g.name == name))
        .map(|g| g.sections.clone())
        .unwrap_or_else(|| (0..l.sections.len()).collect())
}

/// The sections a channel density is inserted in: its group's, except where a later density
/// of the same ion channel covers the section (the NEURON export inserts one mechanism per
/// channel, the later density winning).
fn density_sections(l: &CellLayout, density: CompId) -> Vec<usize> {
    let Some((position, placement)) = l
        .biophysics
        .channels
        .iter()
        .enumerate()
        .find(|(_, c)| c.density == density)
    else {
        return Vec::new();
    };
    let mut last = BTreeMap::new();
    for (k, c) in l.biophysics.channels.iter().enumerate() {
        for s in group_sections(l, &c.group) {
            last.insert((s, c.channel), k);
        }
    }
    group_sections(l, &placement.group)
        .into_iter()
        .filter(|&s| last.get(&(s, placement.channel)) == Some(&position))
        .collect()
}

/// A number written as an attribute of a component (or its parameter's SI value).
fn text_number(model: &Model, comp: CompId, name: &str) -> Option<f64> {
    let c = model.component(comp);
    c.text(name)
        .and_then(|t| t.trim().parse().ok())
        .or_else(|| c.param(name).map(|p| p.si))
}
