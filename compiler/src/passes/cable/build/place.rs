//! Where things go: each cell's nodes (from its layout and NEURON's discretisation), its
//! channel densities and concentration models on the sections the NEURON export inserts them
//! in, and synapses and inputs at their segment and fraction.

use super::*;

impl Builder<'_> {
    /// Nodes of every cell, and the densities and concentration models on them.
    pub(super) fn place_cells(&mut self) {
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

    pub(super) fn place_nodes(&mut self, member: InstId, l: &CellLayout, c: &CellCable) {
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
    pub(super) fn mech_of(&self, inst: InstId) -> Option<usize> {
        let m = self.kinds.mechanism_of(inst)?;
        self.mechs
            .iter()
            .position(|x| x.plan.component == m.component)
    }

    /// Channel densities and concentration models of one cell, on the sections the NEURON
    /// export inserts them in.
    pub(super) fn place_densities(&mut self, cell: usize) {
        let member = self.cells[cell].inst;
        let insts: Vec<InstId> = self
            .kinds
            .of_instance
            .keys()
            .copied()
            .filter(|&i| self.ir.is_descendant(i, member))
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
            let distances = self.path_distances(cell, comp, &sections);
            let distance_slot = self.mechs[mech].kernels.slots.get(DISTANCE_VAR).copied();
            for s in sections {
                let centres = self.cells[cell].cable.sections[s].centres();
                for n in centres {
                    let node = self.cells[cell].first_node + n;
                    self.place(mech, inst, Some(node));
                    if let (Some(slot), Some(d)) = (distance_slot, distances.get(&n)) {
                        let base = self.placed.last().expect("just placed").base;
                        self.initial[(base + u64::from(slot)) as usize] = *d;
                    }
                }
            }
        }
    }

    /// For a non-uniform density on `sections`: each centre node's distance (µm) as the NEURON
    /// export's runner sets it: the path length from the root section's 0 end, less the
    /// group's smallest (section ends included) with `translationStart`, divided by the
    /// largest (at least 1) with `normalizationEnd`. Empty for other mechanisms.
    pub(super) fn path_distances(
        &self,
        cell: usize,
        density: CompId,
        sections: &[usize],
    ) -> BTreeMap<usize, f64> {
        let c = &self.cells[cell];
        let Some(variation) = c
            .layout
            .biophysics
            .channels
            .iter()
            .find(|p| p.density == density)
            .and_then(|p| p.variation.clone())
        else {
            return BTreeMap::new();
        };
        // Path length of each section's 0 end, parents first.
        let lengths: Vec<f64> = c
            .layout
            .sections
            .iter()
            .map(|s| section_length(&s.points))
            .collect();
        let mut start = vec![0.0; lengths.len()];
        for (i, s) in c.layout.sections.iter().enumerate() {
            if let Some((parent, x)) = s.parent {
                start[i] = start[parent] + x * lengths[parent];
            }
        }
        let at = |s: usize, x: f64| start[s] + x * lengths[s];
        let mut ends = Vec::new();
        for &s in sections {
            ends.push(at(s, 0.0));
            ends.extend(
                c.cable.sections[s]
                    .centres()
                    .map(|n| at(s, c.cable.nodes[n].x)),
            );
            ends.push(at(s, 1.0));
        }
        let p0 = if variation.translate {
            ends.iter().copied().fold(1e9, f64::min)
        } else {
            0.0
        };
        let p1 = ends.iter().copied().fold(1.0, f64::max);
        let mut out = BTreeMap::new();
        for &s in sections {
            for n in c.cable.sections[s].centres() {
                let mut p = at(s, c.cable.nodes[n].x) - p0;
                if variation.normalize {
                    p /= p1 - p0;
                }
                out.insert(n, p);
            }
        }
        out
    }

    /// One instance of mechanism `mech` standing for `ir_inst` at `node`.
    pub(super) fn place(&mut self, mech: usize, ir_inst: InstId, node: Option<usize>) {
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
        let path = match node {
            Some(node) => format!(
                "{} at {}",
                self.ir.path_of(ir_inst),
                self.instances[self.nodes[node].inst as usize].path
            ),
            None => self.ir.path_of(ir_inst),
        };
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
    pub(super) fn place_attachments(&mut self) {
        let at = attachment_points(self.model, self.ir);
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
                // On a spike source (no membrane): an input that only relays events.
                if self.mechs[mech].kernels.links.is_empty() {
                    self.place(mech, inst, None);
                } else {
                    let comp = self.ir.inst(inst).component;
                    self.error_at(
                        comp,
                        "this input reads the membrane of a cell that has none (a spike \
                         source); the native target cannot simulate it beside \
                         multi-compartment cells"
                            .into(),
                    );
                }
                continue;
            };
            let (seg, frac) = at.get(&inst).copied().unwrap_or((None, None));
            let node = self.node_of(cell, seg.unwrap_or(0), frac.unwrap_or(0.5));
            self.place(mech, inst, Some(node));
        }
    }

    /// Population members that are spike sources (no membrane): instances without a node.
    pub(super) fn place_sources(&mut self) {
        for pop in &self.ir.populations {
            for &member in &pop.members {
                if let Some(mech) = self.mech_of(member) {
                    if matches!(self.mechs[mech].kind, MechKind::PointCell { .. }) {
                        self.place(mech, member, None);
                    }
                }
            }
        }
    }

    /// The node of a point given by segment id and fraction along it (the root's centre when
    /// the segment is unknown, as the NEURON export places it).
    pub(super) fn node_of(&self, cell: usize, segment: u32, fraction: f64) -> usize {
        let c = &self.cells[cell];
        let (section, x) = c
            .layout
            .locate(segment, fraction)
            .unwrap_or((c.layout.root_section(), 0.5));
        c.first_node + c.cable.node_at(section, x)
    }
}

/// A value per section from `(group, value)` entries, later ones overriding earlier ones.
pub(super) fn per_section(
    l: &CellLayout,
    entries: &[(Option<String>, f64)],
    default: f64,
) -> Vec<f64> {
    let mut out = vec![default; l.sections.len()];
    for (group, value) in entries {
        for s in group_sections(l, group) {
            out[s] = *value;
        }
    }
    out
}

/// The sections of a segment group (every section for none or an unknown group).
pub(super) fn group_sections(l: &CellLayout, group: &Option<String>) -> Vec<usize> {
    group
        .as_ref()
        .and_then(|name| l.groups.iter().find(|g| &g.name == name))
        .map(|g| g.sections.clone())
        .unwrap_or_else(|| (0..l.sections.len()).collect())
}

/// The sections a channel density is inserted in: its group's, except where a later density
/// of the same ion channel covers the section (the NEURON export inserts one mechanism per
/// channel, the later density winning).
pub(super) fn density_sections(l: &CellLayout, density: CompId) -> Vec<usize> {
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
