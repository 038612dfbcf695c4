//! Component types: the data model of LEMS `<ComponentType>` definitions after resolution.
//!
//! A [`ComponentType`] here is *flattened*: members inherited through `extends` are included
//! (each remembers the type that declared it), so later stages never walk the inheritance chain.
//! Expressions are parsed and dimension-checked; every quantity is in SI units.

use crate::diag::Span;
use crate::front::expr::Expr;
use crate::model::dims::Dim;

/// Index of a component type in [`crate::model::Model::types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeId(pub u32);

/// True if `ty` is `ancestor` or extends it, directly or not.
pub fn extends(types: &[ComponentType], ty: TypeId, ancestor: TypeId) -> bool {
    let mut cur = Some(ty);
    while let Some(t) = cur {
        if t == ancestor {
            return true;
        }
        cur = types[t.0 as usize].parent;
    }
    false
}

/// A named declaration with a dimension: Parameter, Exposure, Requirement, StateVariable...
#[derive(Clone, Debug)]
pub struct Quantity {
    pub name: String,
    /// Name of the LEMS dimension as written (`voltage`, `none`, ...).
    pub dimension: String,
    pub dim: Dim,
    /// The type that declared it (differs from the owner when inherited).
    pub declared_in: TypeId,
    pub span: Span,
}

/// A declaration that names another component type: Child, Children, Attachments, Link,
/// ComponentReference, ComponentRequirement, InstanceRequirement.
#[derive(Clone, Debug)]
pub struct TypedSlot {
    pub name: String,
    /// The type named by `type=` (None where LEMS allows it to be absent).
    pub type_name: Option<String>,
    pub type_id: Option<TypeId>,
    pub declared_in: TypeId,
    pub span: Span,
}

/// A name-only declaration: Text, Path, IndexParameter.
#[derive(Clone, Debug)]
pub struct Named {
    pub name: String,
    pub declared_in: TypeId,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct DerivedParameter {
    pub q: Quantity,
    /// `value=` expression; a `select=` path where the parameter is taken from elsewhere.
    pub value: Option<Expr>,
    pub select: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Constant {
    pub q: Quantity,
    /// The value in SI units.
    pub value: f64,
}

#[derive(Clone, Debug)]
pub struct Property {
    pub q: Quantity,
    pub default_value: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    In,
    Out,
}

#[derive(Clone, Debug)]
pub struct EventPort {
    pub name: String,
    pub direction: Direction,
    pub declared_in: TypeId,
    pub span: Span,
}

/// `<Fixed parameter="..." value="..."/>`: a parameter of the base type given a fixed value.
#[derive(Clone, Debug)]
pub struct Fixed {
    pub parameter: String,
    pub value: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ComponentType {
    pub name: String,
    pub span: Span,
    /// `extends=` as written and as resolved.
    pub extends: Option<(String, Span)>,
    pub parent: Option<TypeId>,
    pub description: Option<String>,
    /// True for types defined in our built-in lems-defs (not the user's files).
    pub builtin: bool,

    pub parameters: Vec<Quantity>,
    pub derived_parameters: Vec<DerivedParameter>,
    pub index_parameters: Vec<Named>,
    pub constants: Vec<Constant>,
    pub properties: Vec<Property>,
    pub exposures: Vec<Quantity>,
    pub requirements: Vec<Quantity>,
    pub component_requirements: Vec<TypedSlot>,
    pub instance_requirements: Vec<TypedSlot>,
    pub texts: Vec<Named>,
    pub paths: Vec<Named>,
    pub links: Vec<TypedSlot>,
    pub component_references: Vec<TypedSlot>,
    /// `<Child>`: exactly one child component.
    pub child: Vec<TypedSlot>,
    /// `<Children>`: any number of child components.
    pub children: Vec<TypedSlot>,
    pub attachments: Vec<TypedSlot>,
    pub event_ports: Vec<EventPort>,
    pub fixed: Vec<Fixed>,

    pub dynamics: Dynamics,
    pub structure: Structure,
    pub simulation: SimulationDef,
}

// ---------------------------------------------------------------------------------------------
// Dynamics

#[derive(Clone, Debug, Default)]
pub struct Dynamics {
    pub state_variables: Vec<StateVariable>,
    pub derived_variables: Vec<DerivedVariable>,
    pub conditional_derived_variables: Vec<ConditionalDerivedVariable>,
    pub time_derivatives: Vec<TimeDerivative>,
    pub on_start: Vec<StateAssignment>,
    pub on_conditions: Vec<OnCondition>,
    pub on_events: Vec<OnEvent>,
    pub regimes: Vec<Regime>,
    pub kinetic_schemes: Vec<KineticScheme>,
    /// Names of all derived variables (plain and conditional) in an order where each comes
    /// after the ones it depends on.
    pub derived_order: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct StateVariable {
    pub q: Quantity,
    /// The exposure this variable is published as, if any.
    pub exposure: Option<String>,
}

#[derive(Clone, Debug)]
pub enum DerivedValue {
    /// `value="expr"`.
    Expr(Expr),
    /// `select="path" reduce="add|multiply" required="true|false"`: gathers an exposure from
    /// children or attachments.
    Select {
        select: String,
        reduce: Option<Reduce>,
        required: bool,
        span: Span,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduce {
    Add,
    Multiply,
}

#[derive(Clone, Debug)]
pub struct DerivedVariable {
    pub q: Quantity,
    pub exposure: Option<String>,
    pub value: DerivedValue,
}

#[derive(Clone, Debug)]
pub struct Case {
    /// None for the default case.
    pub condition: Option<Expr>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct ConditionalDerivedVariable {
    pub q: Quantity,
    pub exposure: Option<String>,
    pub cases: Vec<Case>,
}

#[derive(Clone, Debug)]
pub struct TimeDerivative {
    pub variable: String,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct StateAssignment {
    pub variable: String,
    pub value: Expr,
    pub span: Span,
}

/// What an event handler does, in document order.
#[derive(Clone, Debug)]
pub enum Action {
    Assign(StateAssignment),
    /// `<EventOut port="..."/>`.
    EventOut {
        port: String,
        span: Span,
    },
    /// `<Transition regime="..."/>`.
    Transition {
        regime: String,
        span: Span,
    },
}

#[derive(Clone, Debug)]
pub struct OnCondition {
    pub test: Expr,
    pub actions: Vec<Action>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct OnEvent {
    pub port: String,
    pub actions: Vec<Action>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Regime {
    pub name: String,
    pub initial: bool,
    pub time_derivatives: Vec<TimeDerivative>,
    pub on_entry: Vec<Action>,
    pub on_conditions: Vec<OnCondition>,
    pub span: Span,
}

/// `<KineticScheme>`: a Markov scheme over child components (nodes) joined by edges with
/// forward and reverse rates.
#[derive(Clone, Debug)]
pub struct KineticScheme {
    pub name: String,
    pub nodes: String,
    pub state_variable: String,
    pub edges: String,
    pub edge_source: String,
    pub edge_target: String,
    pub forward_rate: String,
    pub reverse_rate: String,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------------
// Structure

#[derive(Clone, Debug, Default)]
pub struct Structure {
    pub items: Vec<StructureItem>,
}

#[derive(Clone, Debug)]
pub enum StructureItem {
    /// `<ChildInstance component="ref"/>`: instantiate the referenced component as a child.
    ChildInstance {
        component: String,
        assigns: Vec<Assign>,
        span: Span,
    },
    /// `<MultiInstantiate number="param" component="ref"/>` (or `componentType=`).
    MultiInstantiate {
        number: String,
        component: Option<String>,
        component_type: Option<String>,
        assigns: Vec<Assign>,
        span: Span,
    },
    /// `<ForEach instances="path" as="name"> ... </ForEach>`.
    ForEach {
        instances: String,
        as_name: String,
        body: Vec<StructureItem>,
        span: Span,
    },
    /// `<With instance="path" as="name"/>` or `<With list="x" index="i" as="name"/>`.
    With {
        instance: Option<String>,
        list: Option<String>,
        index: Option<String>,
        as_name: String,
        span: Span,
    },
    EventConnection(EventConnection),
    /// `<Tunnel>`: a two-way continuous coupling (gap junctions, graded synapses).
    Tunnel {
        name: String,
        end_a: String,
        end_b: String,
        component_a: String,
        component_b: String,
        assigns: Vec<Assign>,
        span: Span,
    },
}

#[derive(Clone, Debug)]
pub struct EventConnection {
    pub from: String,
    pub to: String,
    pub source_port: Option<String>,
    pub target_port: Option<String>,
    pub receiver: Option<String>,
    pub receiver_container: Option<String>,
    pub delay: Option<String>,
    pub assigns: Vec<Assign>,
    pub span: Span,
}

/// `<Assign property="..." value="expr"/>`.
#[derive(Clone, Debug)]
pub struct Assign {
    pub property: String,
    pub value: Expr,
    pub span: Span,
}

// ---------------------------------------------------------------------------------------------
// Simulation elements inside a ComponentType (they say how components of the type are run,
// recorded and written).

#[derive(Clone, Debug, Default)]
pub struct SimulationDef {
    pub runs: Vec<Run>,
    pub records: Vec<Record>,
    pub event_records: Vec<EventRecord>,
    pub data_displays: Vec<DataDisplay>,
    pub data_writers: Vec<DataWriter>,
    pub event_writers: Vec<EventWriter>,
}

/// Each field names a parameter, path or text of the type that supplies the value.
#[derive(Clone, Debug)]
pub struct Run {
    pub component: String,
    pub variable: String,
    pub increment: String,
    pub total: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Record {
    pub quantity: String,
    pub time_scale: Option<String>,
    pub scale: Option<String>,
    pub color: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EventRecord {
    pub quantity: String,
    pub event_port: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct DataDisplay {
    pub title: String,
    pub data_region: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct DataWriter {
    pub path: String,
    pub file_name: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EventWriter {
    pub path: String,
    pub file_name: String,
    pub format: String,
    pub span: Span,
}
