//! Spikes and recordings: a detector on the root segment of every cell that sends or records
//! spikes, the connections from it, the output files' columns and the event output files.

use super::*;
use crate::passes::kernels::output_spec;

impl Builder<'_> {
    /// The node a cell's recorded variable is read at: the middle of the segment its path
    /// names (`pop/0/cell/3/v`), else of segment 0.
    fn recorded_node(&self, cell: usize, target: &VarRef) -> usize {
        let segment = target.segment.as_deref().and_then(|s| s.parse().ok());
        self.node_of(cell, segment.unwrap_or(0), 0.5)
    }

    /// A cell's `iCa` (`iCa2`): the total inward current of the ion through the recorded
    /// segment (A), summed by an instance of its own after the current kernels.
    pub(super) fn ion_current_column(&mut self, target: &VarRef) -> Option<Result<u64, String>> {
        let ion = match target.variable.as_str() {
            "iCa" => "ca",
            "iCa2" => "ca2",
            _ => return None,
        };
        let cell = self.cells.iter().position(|c| c.inst == target.inst)?;
        let node = self.recorded_node(cell, target);
        if let Some(&(_, _, inst)) = self
            .ion_recorders
            .iter()
            .find(|(n, i, _)| *n == node && i == ion)
        {
            return Some(Ok(self.instances[inst as usize].base));
        }
        let base = self.allocate(1);
        let links = self.links.len() as u64;
        let members = self.ion_currents_at(node, ion);
        self.links.push(links + 1);
        self.links.push(members.len() as u64);
        self.links.extend(members);
        let path = format!(
            "{} i{ion}",
            self.instances[self.nodes[node].inst as usize].path
        );
        let inst = self.instance(ION_CURRENT_KERNEL, base, links, path);
        self.ion_recorders.push((node, ion.to_string(), inst));
        Some(Ok(base))
    }

    /// A spike detector on the root segment of every cell that sends spikes or is recorded.
    pub(super) fn place_detectors(&mut self) {
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
    pub(super) fn connections(&mut self) -> Vec<Connection> {
        let half_step = self.ir.simulation.step * 0.5;
        let mut out = Vec::new();
        for c in &self.ir.event_connections {
            let target = c.receiver.unwrap_or(c.target);
            // A connection inside one mechanism (the spikes of a timed input to its synapse,
            // a synapse relaying to its plasticity rule) was inlined into that mechanism.
            let is_mechanism = |i: &InstId| {
                self.kinds.of_instance.contains_key(i) || self.kinds.morph_cells.contains(i)
            };
            if !is_mechanism(&target) || !is_mechanism(&c.source) {
                continue;
            }
            let Some((source, out_port)) = self.spike_port(c.source, &c.source_port) else {
                self.diags.push(Diagnostic::at(
                    self.model.component(c.made_by).name_span,
                    format!(
                        "this connection's source {} sends no '{}' events the native target \
                         simulates beside multi-compartment cells",
                        self.ir.path_of(c.source),
                        c.source_port
                    ),
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
                source,
                out_port,
                target: p.state,
                in_port: in_port as u32,
                delay: c.delay + half_step,
            });
        }
        out
    }

    /// The program instance and out-port of a cell's spikes: a cell's detector, or a spike
    /// source's own port.
    fn spike_port(&self, inst: InstId, port: &str) -> Option<(u32, u32)> {
        if let Some(cell) = self.cells.iter().find(|c| c.inst == inst) {
            return cell.detector.map(|d| (d, 0));
        }
        let p = self
            .placed
            .iter()
            .find(|p| p.ir_inst == inst && p.node.is_none())?;
        let ports = &self.mechs[p.mech].kernels.state.out_ports;
        let k = ports.iter().position(|x| x == port)?;
        Some((p.state, k as u32))
    }

    pub(super) fn outputs(&mut self, out_dir: &Path) -> Vec<OutputSpec> {
        let ir = self.ir;
        // Columns that cannot be recorded are reported at the Simulation.
        let at = self.model.component(ir.simulation.component).name_span;
        let mut diags = Vec::new();
        let mut specs = Vec::new();
        for file in &ir.output_files {
            let column = |target: &VarRef| {
                let found = match self.ion_current_column(target) {
                    Some(found) => found,
                    None => self.recorded(target),
                };
                found.map_err(|why| (at, why))
            };
            specs.push(output_spec(file, out_dir, column, &mut diags));
        }
        self.diags.extend(diags);
        specs
    }

    /// The vars index of a recorded variable, found as the NEURON export finds it.
    pub(super) fn recorded(&self, target: &VarRef) -> Result<u64, String> {
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
            let node = self.recorded_node(cell, target);
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
                    .position(|c| self.ir.is_descendant(cur, c.inst))
                    .ok_or_else(|| format!("{} is not on a cell", describe()))?;
                let node = self.node_of(cell, 0, 0.5);
                self.placed
                    .iter()
                    .find(|p| p.ir_inst == cur && p.node == Some(node))
            }
        };
        placed
            .map(|p| p.base + u64::from(slot))
            .ok_or_else(|| format!("{} is not present on segment 0", describe()))
    }

    pub(super) fn event_outputs(&mut self, out_dir: &Path) -> Vec<EventOutputSpec> {
        let mut specs = Vec::new();
        for file in &self.ir.event_output_files {
            let format = match file.format.as_str() {
                "ID_TIME" => EventFormat::IdTime,
                _ => EventFormat::TimeId,
            };
            let mut selections = Vec::new();
            for sel in &file.selections {
                match self.spike_port(sel.inst, &sel.port) {
                    Some((inst, out_port)) => selections.push(EventSelectionSpec {
                        inst,
                        out_port,
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
}

/// A detector's slots: whether the voltage was above threshold after the last step, and the
/// threshold (V).
pub(super) const DETECTOR_ABOVE: u32 = 0;

pub(super) const DETECTOR_THRESHOLD: u32 = 1;

pub(super) const DETECTOR_SLOTS: u32 = 2;

/// Fires `spike` when the watched voltage (link 0) rises above the threshold, as NEURON's
/// NetCon threshold detection does after each step.
pub(super) fn detector_kernel() -> Kernel {
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

/// Sums the currents of link 0's list (an ion's densities at one node) into its slot.
pub(super) fn ion_current_kernel() -> Kernel {
    Kernel {
        name: "ion current".into(),
        block_len: 1,
        link_count: 1,
        slot_names: vec!["ion current".into()],
        advance: vec![Stmt::Set {
            slot: 0,
            value: Expr::Reduce(Reduce::Add, 0),
        }],
        ..Kernel::default()
    }
}
