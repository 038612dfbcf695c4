//! What each instance becomes in NEURON, and which instances share one `.mod`.
//!
//! - a population member that is a NeuroML `<cell>` becomes sections (see [`super::morphology`]);
//!   each of its channel densities and concentration models is a density mechanism;
//! - any other population member is a point cell: a `POINT_PROCESS` on a dummy section whose
//!   voltage is the cell's `v` (when it has one);
//! - attachments (synapses, inputs, tunnel ends) are `POINT_PROCESS`es on their cell's section.
//!
//! One mechanism is made per component; its first instance is the one inlined (instances of
//! one component differ only in the properties the runner sets).

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::ir::{InstId, Ir, SlotKind};
use crate::model::component::CompId;
use crate::model::Model;

use super::names::mechanism_name;

/// The role of a mechanism.
#[derive(Clone, Debug, PartialEq)]
pub enum MechKind {
    /// A cell without morphology: its `v` (if any) is the dummy section's voltage, and the
    /// section's capacitance is `capacitance` (F).
    PointCell { capacitance: f64 },
    /// A synapse, input or tunnel end attached to a cell.
    Attachment,
    /// A channel density (`channelDensity*`) of a `<cell>`; `ion` is its species, if any.
    /// `nernst` (`channelDensityNernst`): the reversal potential is NEURON's `e<ion>`, computed
    /// by NEURON from the concentrations, as the reference exports do.
    Density { ion: Option<String>, nernst: bool },
    /// A concentration model of ion species `ion` in a `<cell>`.
    Concentration { ion: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mechanism {
    /// The NEURON name (SUFFIX or POINT_PROCESS), unique, never a built-in.
    pub name: String,
    pub component: CompId,
    /// The instance inlined for the mod.
    pub representative: InstId,
    pub kind: MechKind,
}

/// Every mechanism of a simulation and which instance uses which.
#[derive(Clone, Debug, Default)]
pub struct Kinds {
    pub mechanisms: Vec<Mechanism>,
    /// Mechanism index of every instance that is one (cells, attachments, densities...).
    pub of_instance: BTreeMap<InstId, usize>,
    /// Population members that are `<cell>`s with sections.
    pub morph_cells: Vec<InstId>,
}

impl Kinds {
    pub fn mechanism_of(&self, inst: InstId) -> Option<&Mechanism> {
        self.of_instance.get(&inst).map(|&i| &self.mechanisms[i])
    }
}

/// The mechanisms of `ir`. Errors name components NEURON cannot represent.
pub fn classify(model: &Model, ir: &Ir) -> Result<Kinds, Vec<Diagnostic>> {
    let mut c = Classifier {
        model,
        ir,
        kinds: Kinds::default(),
        by_component: BTreeMap::new(),
        taken: Default::default(),
    };
    let cell_type = model.type_by_name.get("cell").copied();
    for pop in &ir.populations {
        for &member in &pop.members {
            let comp = model.component(ir.inst(member).component);
            let is_morph = cell_type.is_some_and(|t| model.extends(comp.type_id, t));
            if is_morph {
                c.kinds.morph_cells.push(member);
                c.cell_mechanisms(member);
            } else {
                let capacitance = capacitance_of(model, ir.inst(member).component);
                c.add(member, MechKind::PointCell { capacitance });
            }
            c.attachments(member);
        }
    }
    Ok(c.kinds)
}

struct Classifier<'a> {
    model: &'a Model,
    ir: &'a Ir,
    kinds: Kinds,
    by_component: BTreeMap<(CompId, u8), usize>,
    /// Mechanism names taken so far.
    taken: std::collections::BTreeSet<String>,
}

impl Classifier<'_> {
    fn add(&mut self, inst: InstId, kind: MechKind) {
        let component = self.ir.inst(inst).component;
        let role = match kind {
            MechKind::PointCell { .. } => 0,
            MechKind::Attachment => 1,
            MechKind::Density { .. } => 2,
            MechKind::Concentration { .. } => 3,
        };
        let index = match self.by_component.get(&(component, role)) {
            Some(&i) => i,
            None => {
                let comp = self.model.component(component);
                let raw = match &comp.id {
                    Some(id) => id.clone(),
                    None => format!(
                        "{}_{}",
                        self.model.ty(comp.type_id).name,
                        self.ir.inst(inst).name
                    ),
                };
                let base = mechanism_name(&raw);
                let mut name = base.clone();
                let mut n = 1;
                while !self.taken.insert(name.clone()) {
                    n += 1;
                    name = format!("{base}_{n}");
                }
                self.kinds.mechanisms.push(Mechanism {
                    name,
                    component,
                    representative: inst,
                    kind,
                });
                let i = self.kinds.mechanisms.len() - 1;
                self.by_component.insert((component, role), i);
                i
            }
        };
        self.kinds.of_instance.insert(inst, index);
    }

    fn attachments(&mut self, cell: InstId) {
        for child in &self.ir.inst(cell).children {
            if child.kind == SlotKind::Attachment {
                self.add(child.inst, MechKind::Attachment);
            }
        }
    }

    /// Channel densities and concentration models under a `<cell>` instance.
    fn cell_mechanisms(&mut self, cell: InstId) {
        let mut stack = vec![cell];
        while let Some(id) = stack.pop() {
            for child in &self.ir.inst(id).children {
                if child.kind == SlotKind::Attachment {
                    continue;
                }
                let comp = self.model.component(self.ir.inst(child.inst).component);
                let ty = self.model.ty(comp.type_id);
                if ty.name.starts_with("channelDensity") || ty.name.starts_with("channelPopulation")
                {
                    // The channel's species, as in the reference export's mods (a
                    // channelDensityNernstCa2 may say ion="ca" of a channel of species ca2),
                    // else the density's ion.
                    let species = comp
                        .reference("ionChannel")
                        .and_then(|ch| self.model.component(ch).text("species"));
                    let ion = species
                        .filter(|i| !i.is_empty() && *i != "non_specific")
                        .or_else(|| comp.text("ion"))
                        .filter(|i| *i != "non_specific")
                        .map(str::to_string);
                    let nernst = matches!(
                        ty.name.as_str(),
                        "channelDensityNernst"
                            | "channelDensityNernstCa2"
                            | "channelDensityNonUniformNernst"
                    );
                    self.add(child.inst, MechKind::Density { ion, nernst });
                } else if self.is_concentration_model(comp.type_id) {
                    let ion = comp.text("ion").unwrap_or("ca").to_string();
                    self.add(child.inst, MechKind::Concentration { ion });
                } else {
                    stack.push(child.inst);
                }
            }
        }
    }

    fn is_concentration_model(&self, ty: crate::model::types::TypeId) -> bool {
        self.model
            .type_by_name
            .get("concentrationModel")
            .is_some_and(|&base| self.model.extends(ty, base))
    }
}

/// The capacitance a point cell's section gets (F): the cell's `C`, PyNN's `cm` (nF), else 1 nF.
fn capacitance_of(model: &Model, comp: CompId) -> f64 {
    let c = model.component(comp);
    if let Some(p) = c.param("C") {
        return p.si;
    }
    if let Some(p) = c.param("cm") {
        if p.dim == crate::model::dims::Dim::NONE {
            return p.si * 1e-9;
        }
        return p.si;
    }
    1e-9
}
