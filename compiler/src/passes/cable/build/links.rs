//! What each mechanism instance reads: its node's voltage, area and temperature, the
//! concentration model at its node, the ion currents of the densities there, a tunnel peer's
//! voltage.

use super::*;

impl Builder<'_> {
    /// Every mechanism instance's links: its node's values, the concentration model at its
    /// node for an inside concentration, the ion currents of the densities at its node.
    pub(super) fn resolve_links(&mut self) {
        let mut lists: Vec<(usize, Vec<u64>)> = Vec::new();
        for p in 0..self.placed.len() {
            let (mech, node, links) = (
                self.placed[p].mech,
                self.placed[p].node,
                self.placed[p].links,
            );
            let Some(node) = node else {
                continue; // a spike source reads nothing
            };
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
    pub(super) fn peer_voltage(&self, end: InstId) -> Option<u64> {
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
    pub(super) fn concentration_at(&self, node: usize, ion: &str) -> Option<u64> {
        self.placed.iter().find_map(|p| {
            let m = &self.mechs[p.mech];
            let is_it = p.node == Some(node)
                && matches!(&m.kind, MechKind::Concentration { ion: i } if i == ion);
            let slot = m.kernels.slots.get("concentration")?;
            is_it.then_some(p.base + u64::from(*slot))
        })
    }

    /// The current slots (inward, A) of the densities of `ion` at `node`.
    pub(super) fn ion_currents_at(&self, node: usize, ion: &str) -> Vec<u64> {
        self.placed
            .iter()
            .filter(|p| p.node == Some(node))
            .filter(|p| {
                matches!(&self.mechs[p.mech].kind, MechKind::Density { ion: Some(i), .. } if i == ion)
            })
            .filter_map(|p| {
                let [i, _] = self.mechs[p.mech].kernels.contribution?;
                Some(p.base + u64::from(i))
            })
            .collect()
    }
}
