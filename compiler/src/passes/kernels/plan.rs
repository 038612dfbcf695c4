//! What the per-component code generator hands to the program assembler.
//!
//! Lowering to a [`lemsc_runtime::program::Program`] has two halves:
//! - `flatten` turns one component (its type's Dynamics, with the component's parameter values
//!   folded in) into a [`KernelPlan`]: the kernel's statements over its own slots, and a list
//!   of [`LinkSpec`]s saying what each cross-instance read (`Expr::Link`/`Expr::Reduce` index k)
//!   means, in the component's own terms (a requirement name, a select path);
//! - `assemble` lays out every instance of the IR, resolves each instance's links through the
//!   instance tree to indices into vars (jLEMS's `getVariable` rules), and builds the orders,
//!   connections and outputs.

use std::collections::BTreeMap;

use lemsc_runtime::program::Kernel;

use crate::diag::Span;
use crate::model::types::KineticScheme;

/// One component's code and what the assembler must resolve for each of its instances.
#[derive(Clone, Debug)]
pub struct KernelPlan {
    /// Statements use `Expr::Local` for the instance's own slots and `Expr::Link(k)` /
    /// `Expr::Reduce(_, k)` for `links[k]`. `link_count == links.len()`.
    pub kernel: Kernel,
    pub links: Vec<LinkSpec>,
    /// What another instance reading variable `name` of this one gets (jLEMS
    /// `StateInstance.getVariable`: the exposed copy when the name is exposed, else the
    /// variable itself — state, derived, requirement copy, parameter or property). The slot of
    /// every name an instance of this component can be asked for.
    pub readable: BTreeMap<String, u32>,
    /// Slots whose start value differs per instance: `Property` values set by `Assign`
    /// (e.g. a connection's `weight`), with the default when nothing is assigned. The
    /// assembler writes them into `Program::initial`.
    pub per_instance: Vec<PerInstance>,
    /// Slots holding a constant start value (parameters others may read), written into
    /// `Program::initial` for every instance.
    pub constants: Vec<(u32, f64)>,
    /// Kinetic schemes of this component; the assembler turns each into an
    /// `Op::KineticScheme` run before the instance's own `Op::Advance`.
    pub kinetic_schemes: Vec<KineticSchemePlan>,
}

/// A per-instance start value.
#[derive(Clone, Debug)]
pub struct PerInstance {
    pub slot: u32,
    /// The Property name (`weight`).
    pub name: String,
    /// Used when the instance has no assigned value.
    pub default: f64,
}

/// What link `k` of an instance reads.
#[derive(Clone, Debug)]
pub enum LinkSpec {
    /// A `Requirement`: the value of `name` as the parent's `getVariable` gives it (the
    /// parent's readable slot for that name, else the grandparent's, and so on). A single
    /// index (`Expr::Link`).
    Requirement { name: String, span: Span },
    /// A `select` path that names one value (`a/b/x`, `peer/v` through a tunnel): a single
    /// index (`Expr::Link`). When `required` is false and the path finds nothing, the
    /// assembler points the link at a slot holding `missing` (0 for add, 1 for multiply).
    Select {
        path: String,
        required: bool,
        missing: f64,
        span: Span,
    },
    /// A multi-select path (`synapses[*]/i`, `../pop/*/v`): a list (`Expr::Reduce`), members in
    /// the order of the set they come from.
    SelectList { path: String, span: Span },
}

/// `<KineticScheme>` of a component, as its type declares it: the nodes are the members of
/// child list `nodes`, each holding its occupancy in `state_variable`; the edges are the
/// members of child list `edges`, each naming its two nodes (`edge_source`, `edge_target`
/// texts) and exposing its rates (`forward_rate`, `reverse_rate`).
pub type KineticSchemePlan = KineticScheme;
