//! The simulation IR, first layer: the concrete instances a simulation runs (the target
//! component with its Structure instantiated), the connections between them and the resolved
//! recorders. Plain data in arenas indexed by typed handles; [`print`] writes it out.

pub mod print;
pub mod validate;

use crate::model::component::CompId;

/// Index of an instance in [`Ir::instances`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstId(pub u32);

/// jLEMS seeds its random generator with this when the Simulation gives no `seed`.
pub const DEFAULT_SEED: i64 = 1234;

/// The run itself, in SI units, from the `Simulation` component.
#[derive(Clone, Debug, PartialEq)]
pub struct Simulation {
    /// The Simulation component.
    pub component: CompId,
    /// Total simulated time (s).
    pub length: f64,
    /// Time step (s).
    pub step: f64,
    /// `seed=` as given; [`DEFAULT_SEED`] applies when absent.
    pub seed: Option<i64>,
    /// The component the simulation runs (usually a network).
    pub target: CompId,
}

impl Simulation {
    pub fn seed_or_default(&self) -> i64 {
        self.seed.unwrap_or(DEFAULT_SEED)
    }
}

/// How an instance hangs under its parent; decides how paths address it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlotKind {
    /// `<Child>` of the parent's type, or made by `ChildInstance`.
    Single,
    /// A member of a `<Children>` list.
    List,
    /// A member of an `<Attachments>` set (synapses and inputs made by connections).
    Attachment,
    /// One of the instances made by `MultiInstantiate`.
    Multi,
}

/// One instance under its parent.
#[derive(Clone, Debug, PartialEq)]
pub struct ChildRef {
    /// The Child/Children/Attachments name, or the population's own group for MultiInstantiate.
    pub slot: String,
    pub kind: SlotKind,
    pub inst: InstId,
}

/// One runtime instance of a component.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    pub component: CompId,
    pub parent: Option<InstId>,
    /// The name paths use for it: the Child slot, the component id, or the index in its group.
    pub name: String,
    /// Index within its population (MultiInstantiate) or list.
    pub index: Option<usize>,
    pub children: Vec<ChildRef>,
    /// Properties set by `Assign` when a connection made this instance (e.g. `weight`).
    pub assigned: Vec<(String, f64)>,
    /// Its position in its parent's `children` (0 for the root), so that how the parent
    /// holds it is found without a search: a projection has ~10^5 children.
    pub place: u32,
}

/// A group of instances made by one `MultiInstantiate` (a NeuroML `population`), or the
/// instances of a `populationList`.
#[derive(Clone, Debug, PartialEq)]
pub struct Population {
    pub name: String,
    /// The instance of the population component itself.
    pub inst: InstId,
    /// The cell component its members are made from.
    pub component: CompId,
    /// Members in index order.
    pub members: Vec<InstId>,
}

/// A spike connection made by `EventConnection`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventConnection {
    /// The component whose Structure made it (e.g. the NeuroML `connection`).
    pub made_by: CompId,
    pub source: InstId,
    pub source_port: String,
    /// The instance named by `to` (the post cell).
    pub target: InstId,
    /// The instance created for the connection and attached to `target`, if any (a synapse).
    pub receiver: Option<InstId>,
    /// In-port of the receiver (or of `target` when there is no receiver).
    pub target_port: String,
    /// Seconds; 0 means immediate delivery.
    pub delay: f64,
    /// Properties its `Assign`s set on the receiver (e.g. `weight`).
    pub assigned: Vec<(String, f64)>,
}

/// A two-way continuous coupling made by `Tunnel`: each end gets its own instance of the
/// coupling component that reads the other through `name` (e.g. `peer`).
#[derive(Clone, Debug, PartialEq)]
pub struct Tunnel {
    pub made_by: CompId,
    pub name: String,
    pub end_a: InstId,
    pub end_b: InstId,
    /// The coupling instance attached to end A, and the one attached to end B.
    pub at_a: InstId,
    pub at_b: InstId,
}

/// An input component attached to a cell (NeuroML explicitInput / inputList).
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub made_by: CompId,
    pub cell: InstId,
    /// The attachment set it joined (e.g. `synapses`).
    pub destination: String,
    pub input: InstId,
    /// jLEMS builds an input as an event connection from the cell to the input: the cell's
    /// out-port (`spike`) feeds this in-port of the input (empty where the input has none).
    pub cell_port: String,
    pub input_port: String,
}

/// What a recorded quantity resolved to: a variable of one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct VarRef {
    pub inst: InstId,
    /// The segment id, for a variable of one segment of a multi-compartment cell
    /// (`pop/0/cell/3/v`); such paths are for targets that simulate morphology.
    pub segment: Option<String>,
    pub variable: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputColumn {
    pub id: String,
    pub target: VarRef,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputFile {
    pub id: String,
    /// As written in the model.
    pub file_name: String,
    pub columns: Vec<OutputColumn>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventSelection {
    pub id: String,
    pub inst: InstId,
    pub port: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventOutputFile {
    pub id: String,
    pub file_name: String,
    /// `TIME_ID` or `ID_TIME` as written.
    pub format: String,
    pub selections: Vec<EventSelection>,
}

/// A `Line` of a `Display`: resolved, as jLEMS checks it, though nothing is written for it.
#[derive(Clone, Debug, PartialEq)]
pub struct DisplayLine {
    pub id: String,
    /// The `Line` component (its Display is its parent), for plots.
    pub line: CompId,
    pub target: VarRef,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ir {
    pub simulation: Simulation,
    pub instances: Vec<Instance>,
    pub root: InstId,
    pub populations: Vec<Population>,
    pub event_connections: Vec<EventConnection>,
    pub tunnels: Vec<Tunnel>,
    pub inputs: Vec<Input>,
    pub output_files: Vec<OutputFile>,
    pub event_output_files: Vec<EventOutputFile>,
    pub display_lines: Vec<DisplayLine>,
}

/// How its parent (in `instances`) holds `id`: the entry at its [`Instance::place`].
pub fn place_in(instances: &[Instance], id: InstId) -> Option<&ChildRef> {
    let inst = &instances[id.0 as usize];
    let parent = &instances[inst.parent?.0 as usize];
    parent
        .children
        .get(inst.place as usize)
        .filter(|c| c.inst == id)
}

impl Ir {
    pub fn inst(&self, id: InstId) -> &Instance {
        &self.instances[id.0 as usize]
    }

    /// Whether `ancestor` is above `inst` in the instance tree.
    pub fn is_descendant(&self, inst: InstId, ancestor: InstId) -> bool {
        let mut cur = self.inst(inst).parent;
        while let Some(p) = cur {
            if p == ancestor {
                return true;
            }
            cur = self.inst(p).parent;
        }
        false
    }

    /// How its parent holds `id` (None for the root).
    pub fn place_of(&self, id: InstId) -> Option<&ChildRef> {
        place_in(&self.instances, id)
    }

    /// The path of an instance from the root in LEMS form (`hhpop[0]/naChans/na`).
    pub fn path_of(&self, id: InstId) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(id);
        while let Some(i) = cur {
            let inst = self.inst(i);
            if inst.parent.is_some() {
                let member = self.place_of(i).is_some_and(|c| c.kind == SlotKind::Multi);
                parts.push(if member {
                    format!("[{}]", inst.name)
                } else {
                    format!("/{}", inst.name)
                });
            }
            cur = inst.parent;
        }
        parts.reverse();
        let path = parts.concat();
        path.strip_prefix('/').unwrap_or(&path).to_string()
    }

    pub fn population(&self, name: &str) -> Option<&Population> {
        self.populations.iter().find(|p| p.name == name)
    }

    /// The population an instance is a member of, and its index there.
    pub fn population_of(&self, id: InstId) -> Option<(&Population, usize)> {
        self.populations
            .iter()
            .find_map(|p| p.members.iter().position(|&m| m == id).map(|i| (p, i)))
    }

    /// The child reached by following slot/instance names from `from` (`naChans/na/m`).
    pub fn descendant(&self, from: InstId, path: &str) -> Option<InstId> {
        let mut cur = from;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            cur = self
                .inst(cur)
                .children
                .iter()
                .find(|c| self.inst(c.inst).name == part)?
                .inst;
        }
        Some(cur)
    }
}
