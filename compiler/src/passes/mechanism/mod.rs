//! The ODE-form view of one instance subtree, for text backends (NEURON now; Brian2 and NEST
//! need the same form).
//!
//! [`inline`] takes one instance of the IR (a point cell, a synapse, an input, an ion channel)
//! and folds it and every instance below it into one flat set of variables, the way a `.mod`
//! file holds a whole channel with its gates and rate functions:
//! - every name is prefixed by the slot path from the root (`m_forwardRate_r` for `r` of the
//!   `forwardRate` of gate `m`), so names stay unique;
//! - requirements and `select` paths are resolved inside the subtree; what only the simulator
//!   provides (membrane voltage, temperature, ion concentrations, a peer's voltage) becomes
//!   [`External`];
//! - derived variables come in jLEMS's order: children before parents, each instance's own
//!   in document order (a child reading a parent's derived value sees the previous one);
//! - everything stays in SI: the printer converts at the simulator's edge.
//!
//! Attachments of the root (synapses, inputs) are not inlined: they are mechanisms of their own
//! and the simulator sums their currents.

mod eval;
mod inline;
pub mod print;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

pub use crate::front::expr::{BinOp, Func};
use crate::ir::InstId;
use crate::model::component::CompId;
use crate::model::dims::Dim;

pub use eval::eval_const;
pub use inline::{inline, InlineOptions, REGIME_VAR};

/// An expression over the mechanism's flat names, in SI units.
#[derive(Clone, Debug, PartialEq)]
pub enum MExpr {
    Num(f64),
    /// A flat name of [`MechanismPlan`]: a parameter, property, state or derived variable.
    Var(String),
    /// A value the simulator provides.
    Ext(External),
    /// Simulation time (s).
    Time,
    Neg(Box<MExpr>),
    Not(Box<MExpr>),
    Bin(BinOp, Box<MExpr>, Box<MExpr>),
    /// A one-argument built-in (never `Func::Random`).
    Call(Func, Box<MExpr>),
    /// LEMS `random(x)`: uniform in [0, x).
    Random(Box<MExpr>),
}

/// Values read from the simulator rather than from the mechanism's own variables; all SI.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum External {
    /// Membrane potential where the mechanism sits (V).
    Voltage,
    /// Temperature (K).
    Temperature,
    /// Concentration of an ion species inside / outside (mol/m³ = mM).
    ConcentrationIn(String),
    ConcentrationOut(String),
    /// Total membrane current of an ion species through the compartment, LEMS sign (inward
    /// positive) (A).
    IonCurrent(String),
    /// Membrane area of the compartment (m²).
    Area,
    /// The voltage of the other end of a tunnel (gap junction, graded synapse) (V).
    PeerVoltage,
}

/// One assignment `var = value` (flat name).
#[derive(Clone, Debug, PartialEq)]
pub struct Assign {
    pub var: String,
    pub value: MExpr,
}

/// A derived variable: a value, or the cases of a ConditionalDerivedVariable (first true
/// condition wins; `None` is the default case).
#[derive(Clone, Debug, PartialEq)]
pub enum DerivedValue {
    Value(MExpr),
    Cases(Vec<(Option<MExpr>, MExpr)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    pub name: String,
    pub dim: Dim,
    pub value: DerivedValue,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    /// SI value (for a property: the default or the value assigned to the representative
    /// instance; the runner sets each instance's own).
    pub value: f64,
    pub dim: Dim,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StateVar {
    pub name: String,
    pub dim: Dim,
    /// True for the root's membrane potential `v`: the simulator owns it. Its rate becomes a
    /// current and assignments to it set the section's voltage.
    pub is_voltage: bool,
}

/// `x' = rate`, per regime where the component has regimes (`regime: None` = outside any
/// regime, always active). A state absent from the active regime keeps its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Rate {
    pub state: String,
    pub regime: Option<usize>,
    pub value: MExpr,
}

/// What an OnCondition, OnEvent or OnEntry does, in document order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Actions {
    pub assigns: Vec<Assign>,
    /// Out-ports fired (of the root; events of inlined children are dropped with a warning).
    pub event_outs: Vec<String>,
    /// Regime index entered.
    pub transition: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub test: MExpr,
    /// Only tested while this regime is active.
    pub regime: Option<usize>,
    pub actions: Actions,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventHandler {
    /// In-port of the root.
    pub port: String,
    pub regime: Option<usize>,
    pub actions: Actions,
}

/// The regimes of the root (inlined children with regimes are refused).
#[derive(Clone, Debug, PartialEq)]
pub struct Regimes {
    /// Flat name of the variable holding the active regime's index.
    pub var: String,
    pub names: Vec<String>,
    pub initial: usize,
    /// OnEntry actions per regime.
    pub on_entry: Vec<Actions>,
}

/// A kinetic scheme: node states (flat names) and transitions with their rate expressions.
#[derive(Clone, Debug, PartialEq)]
pub struct Kinetic {
    pub states: Vec<String>,
    /// (from, to, forward rate, reverse rate), flat names of states and derived rates.
    pub edges: Vec<(String, String, MExpr, MExpr)>,
}

/// One instance subtree in ODE form.
#[derive(Clone, Debug, PartialEq)]
pub struct MechanismPlan {
    pub root: InstId,
    pub component: CompId,
    /// Parameters and constants of every inlined instance, folded to SI values.
    pub params: Vec<Param>,
    /// Properties of the root that differ per instance (`weight`): the runner sets them.
    pub properties: Vec<Param>,
    pub states: Vec<StateVar>,
    /// OnStart of every inlined instance, children first (jLEMS's init order).
    pub on_start: Vec<Assign>,
    /// Every derived variable: children before parents, each instance's in document order.
    pub derived: Vec<Derived>,
    pub rates: Vec<Rate>,
    pub conditions: Vec<Condition>,
    pub on_events: Vec<EventHandler>,
    pub regimes: Option<Regimes>,
    pub kinetic: Vec<Kinetic>,
    /// Externals read anywhere in the plan.
    pub externals: Vec<External>,
    /// The flat name of each variable an output path can name, by (instance, LEMS name):
    /// states, derived variables, parameters, exposures (to the variable they expose).
    pub names: BTreeMap<(InstId, String), String>,
}
