//! The NESTML names of one node model: every variable of the cell and of its attachment
//! kinds, the exposed copies of a cell with regimes, the per-node counts and the input ports
//! (one more for each delay whose due time is checked, see [`delays`](super::super::delays)).
//!
//! Names are taken from one [`NameTable`] in a fixed order, so a model prints the same way
//! each time; the later stages take their own names from the same table.

use std::collections::{BTreeMap, BTreeSet};

use crate::passes::mechanism::{MechanismPlan, REGIME_VAR};

use super::super::delays::PortKey;
use super::super::names::NameTable;
use super::super::nodes::{Mode, NodeModel};
use super::spell::Spell;

/// The NESTML names of one node model, which the script needs too.
#[derive(Clone, Debug)]
pub struct Idents {
    /// NESTML name of each cell flat name, and of each kind's (kind index, flat name).
    pub cell: BTreeMap<String, String>,
    pub kinds: BTreeMap<(usize, String), String>,
    /// Per kind, its flat names to NESTML names (a view of `kinds`).
    pub per_kind: Vec<BTreeMap<String, String>>,
    /// The copy of each cell state taken before the regime part (cells with regimes only).
    pub exposed: BTreeMap<String, String>,
    /// The state recorded for a cell state (its exposed copy in a cell with regimes).
    pub recorded: BTreeMap<String, String>,
    /// Per-node parameter of each kind in [`Mode::Scaled`] or [`Mode::Single`]: its count.
    pub count_param: BTreeMap<usize, String>,
    /// NEST port name of each (kind, in-port), and of each cell in-port.
    pub kind_ports: BTreeMap<(usize, String), String>,
    pub cell_ports: BTreeMap<String, String>,
    /// NEST port of the connections of one checked delay (`f64::to_bits`) to a port.
    pub delayed_ports: BTreeMap<(PortKey, u64), String>,
    /// Parameters (NESTML names) the script sets per node: a Single kind's properties, as
    /// (kind, flat name, NESTML name).
    pub node_properties: Vec<(usize, String, String)>,
    /// What the attachments read as the cell's voltage (its exposed copy if it has one).
    pub voltage: Option<String>,
}

impl Idents {
    pub(super) fn assign(
        m: &NodeModel,
        checked_delays: &BTreeMap<PortKey, BTreeSet<u64>>,
        names: &mut NameTable,
    ) -> Idents {
        // The generator's own names first, so model names step aside.
        for own in ["t_lems", "lems_dt", "temperature", "lems_started"] {
            names.fresh(own);
        }
        let mut cell = BTreeMap::new();
        for flat in plan_names(&m.cell) {
            let id = if flat == REGIME_VAR {
                names.fresh("regime")
            } else {
                names.ident(&flat)
            };
            cell.insert(flat, id);
        }
        let mut kinds = BTreeMap::new();
        for (k, kind) in m.kinds.iter().enumerate() {
            for flat in plan_names(&kind.plan) {
                let raw = if flat == REGIME_VAR {
                    format!("{}/regime", kind.label)
                } else {
                    format!("{}/{flat}", kind.label)
                };
                kinds.insert((k, flat), names.fresh(&raw.replace('/', "__")));
            }
        }
        let per_kind = (0..m.kinds.len())
            .map(|k| {
                kinds
                    .iter()
                    .filter(|((i, _), _)| *i == k)
                    .map(|((_, flat), id)| (flat.clone(), id.clone()))
                    .collect()
            })
            .collect();
        let has_regimes = m.cell.regimes.is_some();
        let mut recorded = BTreeMap::new();
        let mut exposed = BTreeMap::new();
        for s in m.cell.states.iter().filter(|s| s.name != REGIME_VAR) {
            let id = &cell[&s.name];
            if has_regimes {
                let copy = names.fresh(&format!("{id}__exposed"));
                exposed.insert(s.name.clone(), copy.clone());
                recorded.insert(s.name.clone(), copy);
            } else {
                recorded.insert(s.name.clone(), id.clone());
            }
        }
        let mut count_param = BTreeMap::new();
        let mut kind_ports = BTreeMap::new();
        let mut node_properties = Vec::new();
        for (k, kind) in m.kinds.iter().enumerate() {
            if kind.mode != Mode::Folded {
                count_param.insert(k, names.fresh(&format!("{}__count", kind.label)));
            }
            for port in &kind.ports {
                kind_ports.insert(
                    (k, port.clone()),
                    names.fresh(&format!("{}__{port}__spikes", kind.label)),
                );
            }
            if kind.mode == Mode::Single {
                for p in &kind.plan.properties {
                    node_properties.push((k, p.name.clone(), kinds[&(k, p.name.clone())].clone()));
                }
            }
        }
        let mut cell_ports = BTreeMap::new();
        for port in &m.cell_ports {
            cell_ports.insert(port.clone(), names.fresh(&format!("{port}__spikes")));
        }
        // A port of its own for each delay whose spikes jLEMS's due time decides (`delays`).
        let mut delayed_ports: BTreeMap<(PortKey, u64), String> = BTreeMap::new();
        for (key, delays) in checked_delays {
            let base = match &key.0 {
                Some(k) => kind_ports.get(&(*k, key.1.clone())),
                None => cell_ports.get(&key.1),
            };
            let Some(base) = base.cloned() else { continue };
            for (i, bits) in delays.iter().enumerate() {
                let port = names.fresh(&format!("{base}__delay{}", i + 1));
                delayed_ports.insert((key.clone(), *bits), port);
            }
        }
        let voltage = m
            .cell
            .states
            .iter()
            .find(|s| s.is_voltage)
            .map(|s| exposed.get(&s.name).unwrap_or(&cell[&s.name]).clone());
        Idents {
            cell,
            kinds,
            per_kind,
            exposed,
            recorded,
            count_param,
            kind_ports,
            cell_ports,
            delayed_ports,
            node_properties,
            voltage,
        }
    }

    /// The spelling of the cell's own variables.
    pub(super) fn cell_spell(&self) -> Spell<'_> {
        Spell {
            idents: &self.cell,
            voltage: None,
            cell: true,
        }
    }

    /// The spelling of attachment kind `k`'s variables.
    pub(super) fn kind_spell(&self, k: usize) -> Spell<'_> {
        Spell {
            idents: &self.per_kind[k],
            voltage: self.voltage.clone(),
            cell: false,
        }
    }
}

/// Every flat name of a plan that becomes a NESTML variable.
fn plan_names(plan: &MechanismPlan) -> Vec<String> {
    let mut seen = BTreeSet::new();
    plan.params
        .iter()
        .chain(&plan.properties)
        .map(|p| p.name.clone())
        .chain(plan.states.iter().map(|s| s.name.clone()))
        .chain(plan.derived.iter().map(|d| d.name.clone()))
        .chain(plan.regimes.iter().map(|r| r.var.clone()))
        .filter(|n| seen.insert(n.clone()))
        .collect()
}
