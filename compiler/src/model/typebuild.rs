//! `<ComponentType>` elements to [`ComponentType`]s: members read with spans, dimensions
//! resolved, expressions parsed, `extends` resolved and flattened, then every type checked
//! ([`super::check`]) and its derived variables ordered ([`super::order`]).
//!
//! Inheritance follows jLEMS: a subtype gets every member of its base that it does not
//! redeclare itself (a redeclaration replaces the inherited member), and a subtype's own
//! `<Dynamics>`, `<Structure>` or `<Simulation>` replaces the base's block as a whole; a
//! subtype without one uses the base's.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Severity, Span};
use crate::front::expr::{self, Expr, ExprKind};
use crate::front::syntax::{Attr, DocKind, Document, Element};
use crate::model::check::check_type;
use crate::model::order::order_derived;
use crate::model::types::*;
use crate::model::units::UnitTable;
use crate::suggest::similar_note;

/// Stands in for an expression that failed to parse (the error is already reported), so the
/// member stays declared and later checks skip it instead of piling up follow-on errors.
pub const UNPARSED: &str = "<unparsed>";

/// True for the stand-in of an expression that did not parse.
pub fn is_unparsed(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Name(n) if n == UNPARSED)
}

/// `dimension="*"`: any dimension.
pub const ANY_DIMENSION: &str = "*";

/// `type="Component"`: a component of any type (no type id).
pub const ANY_TYPE: &str = "Component";

/// Elements that carry documentation only; accepted anywhere and ignored.
const DOCUMENTATION: &[&str] = &["About", "Meta", "Notes", "notes", "annotation"];

const TYPE_MEMBERS: &[&str] = &[
    "Parameter",
    "DerivedParameter",
    "IndexParameter",
    "Constant",
    "Property",
    "Exposure",
    "Requirement",
    "ComponentRequirement",
    "InstanceRequirement",
    "Text",
    "Path",
    "Link",
    "ComponentReference",
    "Child",
    "Children",
    "Attachments",
    "EventPort",
    "Fixed",
    "Dynamics",
    "Structure",
    "Simulation",
];

const DYNAMICS_MEMBERS: &[&str] = &[
    "StateVariable",
    "DerivedVariable",
    "ConditionalDerivedVariable",
    "TimeDerivative",
    "OnStart",
    "OnCondition",
    "OnEvent",
    "Regime",
    "KineticScheme",
];

const STRUCTURE_MEMBERS: &[&str] = &[
    "ChildInstance",
    "MultiInstantiate",
    "ForEach",
    "With",
    "EventConnection",
    "Tunnel",
];

const SIMULATION_MEMBERS: &[&str] = &[
    "Run",
    "Record",
    "EventRecord",
    "DataDisplay",
    "DataWriter",
    "EventWriter",
];

/// Reads, flattens, checks and orders every ComponentType of every `<Lems>` document.
pub fn build_types(
    docs: &[Document],
    units: &UnitTable,
) -> (Vec<ComponentType>, HashMap<String, TypeId>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut raws: Vec<RawType> = Vec::new();
    let mut by_name: HashMap<String, TypeId> = HashMap::new();
    for doc in docs.iter().filter(|d| d.kind == DocKind::Lems) {
        for el in doc.root.children_named("ComponentType") {
            let id = TypeId(raws.len() as u32);
            let Some(raw) = read_type(el, id, doc.builtin, units, &mut diags) else {
                continue;
            };
            if let Some(&first) = by_name.get(&raw.ty.name) {
                diags.push(
                    Diagnostic::at(
                        raw.name_span,
                        format!("ComponentType '{}' is defined twice", raw.ty.name),
                    )
                    .with_secondary(raws[first.0 as usize].name_span, "first defined here"),
                );
                continue;
            }
            by_name.insert(raw.ty.name.clone(), id);
            raws.push(raw);
        }
    }

    let mut types = flatten_all(&raws, &by_name, &mut diags);
    for ty in &mut types {
        dimensions_from_exposures(ty);
    }
    resolve_slot_types(&mut types, &by_name, &mut diags);
    for ty in &mut types {
        match order_derived(ty) {
            Ok(order) => ty.dynamics.derived_order = order,
            Err(d) => diags.push(d),
        }
    }
    // A subtype that inherits Dynamics would repeat its base's findings; report each once.
    // Warnings about our built-in types are not the user's to fix, so they are dropped.
    let mut seen = std::collections::HashSet::new();
    for ty in &types {
        for d in check_type(ty, &types, &by_name).list {
            if ty.builtin && !d.is_error() {
                continue;
            }
            if seen.insert((d.message.clone(), d.primary.as_ref().map(|p| p.0))) {
                diags.push(d);
            }
        }
    }
    (types, by_name, diags)
}

/// One type as declared, before inheritance.
struct RawType {
    ty: ComponentType,
    name_span: Span,
    extends_span: Option<Span>,
    has_dynamics: bool,
    has_structure: bool,
    has_simulation: bool,
}

// ---------------------------------------------------------------------------------------------
// Inheritance

#[derive(Clone, Copy, PartialEq)]
enum Visit {
    New,
    Active,
    Done,
}

struct Flattener<'a> {
    raws: &'a [RawType],
    by_name: &'a HashMap<String, TypeId>,
    state: Vec<Visit>,
    out: Vec<Option<(ComponentType, [bool; 3])>>,
    /// Indices of the types being flattened, outermost first, to report cycles.
    chain: Vec<usize>,
}

fn flatten_all(
    raws: &[RawType],
    by_name: &HashMap<String, TypeId>,
    diags: &mut Diagnostics,
) -> Vec<ComponentType> {
    let mut f = Flattener {
        raws,
        by_name,
        state: vec![Visit::New; raws.len()],
        out: vec![None; raws.len()],
        chain: Vec::new(),
    };
    for i in 0..raws.len() {
        f.flatten(i, diags);
    }
    f.out
        .into_iter()
        .map(|t| t.expect("every type flattened").0)
        .collect()
}

impl Flattener<'_> {
    fn flatten(&mut self, i: usize, diags: &mut Diagnostics) {
        if self.state[i] == Visit::Done {
            return;
        }
        self.state[i] = Visit::Active;
        self.chain.push(i);
        let raw = &self.raws[i];
        let mut ty = raw.ty.clone();
        let mut has = [raw.has_dynamics, raw.has_structure, raw.has_simulation];
        if let Some((base_name, span)) = &raw.ty.extends {
            let span = raw.extends_span.unwrap_or(*span);
            match self.by_name.get(base_name) {
                None => diags.push(
                    Diagnostic::at(
                        span,
                        format!(
                            "ComponentType '{}' extends an unknown type '{base_name}'",
                            ty.name
                        ),
                    )
                    .with_note(similar_note(base_name, self.by_name.keys())),
                ),
                Some(&base) if self.state[base.0 as usize] == Visit::Active => {
                    let from = self
                        .chain
                        .iter()
                        .position(|&c| c == base.0 as usize)
                        .unwrap_or(0);
                    let mut names: Vec<&str> = self.chain[from..]
                        .iter()
                        .map(|&c| self.raws[c].ty.name.as_str())
                        .collect();
                    names.push(&self.raws[base.0 as usize].ty.name);
                    diags.push(Diagnostic::at(
                        span,
                        format!(
                            "ComponentType inheritance cycle: {}",
                            names.join(" extends ")
                        ),
                    ));
                }
                Some(&base) => {
                    self.flatten(base.0 as usize, diags);
                    if let Some((base_ty, base_has)) = &self.out[base.0 as usize] {
                        inherit(&mut ty, base_ty, &mut has, *base_has);
                        ty.parent = Some(base);
                    }
                }
            }
        }
        self.chain.pop();
        self.state[i] = Visit::Done;
        self.out[i] = Some((ty, has));
    }
}

/// Members of `base` that `own` does not redeclare, followed by `own`'s.
fn merge<T: Clone>(own: &mut Vec<T>, base: &[T], name: impl Fn(&T) -> &str) {
    let mut merged: Vec<T> = base
        .iter()
        .filter(|b| !own.iter().any(|o| name(o) == name(b)))
        .cloned()
        .collect();
    merged.append(own);
    *own = merged;
}

fn inherit(ty: &mut ComponentType, base: &ComponentType, has: &mut [bool; 3], base_has: [bool; 3]) {
    merge(&mut ty.parameters, &base.parameters, |q| &q.name);
    merge(&mut ty.derived_parameters, &base.derived_parameters, |d| {
        &d.q.name
    });
    merge(&mut ty.index_parameters, &base.index_parameters, |n| {
        &n.name
    });
    merge(&mut ty.constants, &base.constants, |c| &c.q.name);
    merge(&mut ty.properties, &base.properties, |p| &p.q.name);
    merge(&mut ty.exposures, &base.exposures, |q| &q.name);
    merge(&mut ty.requirements, &base.requirements, |q| &q.name);
    merge(
        &mut ty.component_requirements,
        &base.component_requirements,
        |s| &s.name,
    );
    merge(
        &mut ty.instance_requirements,
        &base.instance_requirements,
        |s| &s.name,
    );
    merge(&mut ty.texts, &base.texts, |n| &n.name);
    merge(&mut ty.paths, &base.paths, |n| &n.name);
    merge(&mut ty.links, &base.links, |s| &s.name);
    merge(
        &mut ty.component_references,
        &base.component_references,
        |s| &s.name,
    );
    merge(&mut ty.child, &base.child, |s| &s.name);
    merge(&mut ty.children, &base.children, |s| &s.name);
    merge(&mut ty.attachments, &base.attachments, |s| &s.name);
    merge(&mut ty.event_ports, &base.event_ports, |p| &p.name);
    merge(&mut ty.fixed, &base.fixed, |f| &f.parameter);
    if !has[0] {
        ty.dynamics = base.dynamics.clone();
        has[0] = base_has[0];
    }
    if !has[1] {
        ty.structure = base.structure.clone();
        has[1] = base_has[1];
    }
    if !has[2] {
        ty.simulation = base.simulation.clone();
        has[2] = base_has[2];
    }
    if ty.description.is_none() {
        ty.description = base.description.clone();
    }
}

/// A declaration without `dimension=` is dimensionless, except that a state or derived
/// variable published through `exposure=` has its exposure's dimension (as in jLEMS).
fn dimensions_from_exposures(ty: &mut ComponentType) {
    let exposures = ty.exposures.clone();
    let resolve = |q: &mut Quantity, exposure: &Option<String>| {
        if !q.dimension.is_empty() {
            return;
        }
        let from = exposure
            .as_ref()
            .and_then(|n| exposures.iter().find(|e| &e.name == n));
        match from {
            Some(e) => (q.dimension, q.dim) = (e.dimension.clone(), e.dim),
            None => q.dimension = "none".to_string(),
        }
    };
    let d = &mut ty.dynamics;
    for v in &mut d.state_variables {
        resolve(&mut v.q, &v.exposure);
    }
    for v in &mut d.derived_variables {
        resolve(&mut v.q, &v.exposure);
    }
    for v in &mut d.conditional_derived_variables {
        resolve(&mut v.q, &v.exposure);
    }
    let none = || "none".to_string();
    let all = ty
        .parameters
        .iter_mut()
        .chain(ty.exposures.iter_mut())
        .chain(ty.requirements.iter_mut())
        .chain(ty.derived_parameters.iter_mut().map(|p| &mut p.q))
        .chain(ty.constants.iter_mut().map(|c| &mut c.q))
        .chain(ty.properties.iter_mut().map(|p| &mut p.q));
    for q in all {
        if q.dimension.is_empty() {
            q.dimension = none();
        }
    }
}

/// The dimension's name for messages; not yet resolved (empty) means dimensionless.
fn dimension_name(q: &Quantity) -> &str {
    if q.dimension.is_empty() {
        "none"
    } else {
        &q.dimension
    }
}

/// Gives every Child/Children/Link/... slot the id of the type it names; unknown type
/// names are reported once, on the type that declares the slot.
fn resolve_slot_types(
    types: &mut [ComponentType],
    by_name: &HashMap<String, TypeId>,
    diags: &mut Diagnostics,
) {
    for (i, ty) in types.iter_mut().enumerate() {
        let owner = TypeId(i as u32);
        let type_name = ty.name.clone();
        let slots = ty
            .links
            .iter_mut()
            .chain(ty.component_references.iter_mut())
            .chain(ty.child.iter_mut())
            .chain(ty.children.iter_mut())
            .chain(ty.attachments.iter_mut())
            .chain(ty.component_requirements.iter_mut())
            .chain(ty.instance_requirements.iter_mut());
        for slot in slots {
            let Some(name) = &slot.type_name else {
                continue;
            };
            if name == ANY_TYPE {
                continue;
            }
            slot.type_id = by_name.get(name).copied();
            if slot.type_id.is_none() && slot.declared_in == owner {
                diags.push(
                    Diagnostic::at(
                        slot.span,
                        format!(
                            "'{}' in ComponentType '{type_name}' names an unknown type '{name}'",
                            slot.name
                        ),
                    )
                    .with_note(similar_note(name, by_name.keys())),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading one ComponentType

struct TypeReader<'a> {
    units: &'a UnitTable,
    id: TypeId,
    diags: &'a mut Diagnostics,
}

fn read_type(
    el: &Element,
    id: TypeId,
    builtin: bool,
    units: &UnitTable,
    diags: &mut Diagnostics,
) -> Option<RawType> {
    let mut r = TypeReader { units, id, diags };
    let name = r.required(el, "name")?;
    let extends = el.attr("extends");
    let mut raw = RawType {
        ty: ComponentType {
            name: name.value.clone(),
            span: el.span,
            extends: extends.map(|a| (a.value.clone(), a.value_span)),
            parent: None,
            description: el.attr_value("description").map(str::to_string),
            builtin,
            parameters: Vec::new(),
            derived_parameters: Vec::new(),
            index_parameters: Vec::new(),
            constants: Vec::new(),
            properties: Vec::new(),
            exposures: Vec::new(),
            requirements: Vec::new(),
            component_requirements: Vec::new(),
            instance_requirements: Vec::new(),
            texts: Vec::new(),
            paths: Vec::new(),
            links: Vec::new(),
            component_references: Vec::new(),
            child: Vec::new(),
            children: Vec::new(),
            attachments: Vec::new(),
            event_ports: Vec::new(),
            fixed: Vec::new(),
            dynamics: Dynamics::default(),
            structure: Structure::default(),
            simulation: SimulationDef::default(),
        },
        name_span: name.value_span,
        extends_span: extends.map(|a| a.value_span),
        has_dynamics: false,
        has_structure: false,
        has_simulation: false,
    };
    let ty = &mut raw.ty;
    for c in &el.children {
        match c.name.as_str() {
            "Parameter" => ty.parameters.extend(r.quantity(c)),
            "Exposure" => ty.exposures.extend(r.quantity(c)),
            "Requirement" => ty.requirements.extend(r.quantity(c)),
            "DerivedParameter" => ty.derived_parameters.extend(r.derived_parameter(c)),
            "IndexParameter" => ty.index_parameters.extend(r.named(c)),
            "Text" => ty.texts.extend(r.named(c)),
            "Path" => ty.paths.extend(r.named(c)),
            "Constant" => ty.constants.extend(r.constant(c)),
            "Property" => ty.properties.extend(r.property(c)),
            "ComponentRequirement" => ty.component_requirements.extend(r.slot(c, false)),
            "InstanceRequirement" => ty.instance_requirements.extend(r.slot(c, false)),
            "Link" => ty.links.extend(r.slot(c, true)),
            "ComponentReference" => ty.component_references.extend(r.slot(c, true)),
            "Child" => ty.child.extend(r.slot(c, true)),
            "Children" => ty.children.extend(r.slot(c, false)),
            "Attachments" => ty.attachments.extend(r.slot(c, true)),
            "EventPort" => ty.event_ports.extend(r.event_port(c)),
            "Fixed" => ty.fixed.extend(r.fixed(c)),
            "Dynamics" => {
                r.once(c, raw.has_dynamics);
                raw.has_dynamics = true;
                ty.dynamics = r.dynamics(c);
            }
            "Structure" => {
                r.once(c, raw.has_structure);
                raw.has_structure = true;
                ty.structure = Structure {
                    items: r.structure_items(c, "Structure"),
                };
            }
            "Simulation" => {
                r.once(c, raw.has_simulation);
                raw.has_simulation = true;
                ty.simulation = r.simulation(c);
            }
            other if DOCUMENTATION.contains(&other) => {}
            _ => r.unknown(c, "ComponentType", TYPE_MEMBERS),
        }
    }
    report_duplicate_members(&raw.ty, diags);
    Some(raw)
}

/// A name declared twice in one type (before inheritance, where redeclaring is overriding).
/// Names live in separate groups: values usable in expressions, exposures, event ports,
/// and component slots with texts and paths. An Exposure may share its variable's name.
fn report_duplicate_members(ty: &ComponentType, diags: &mut Diagnostics) {
    let d = &ty.dynamics;
    // (name, span, is a state or derived variable)
    let values = ty
        .parameters
        .iter()
        .chain(ty.requirements.iter())
        .map(|q| (&q.name, q.span, false))
        .chain(
            ty.derived_parameters
                .iter()
                .map(|p| (&p.q.name, p.q.span, false)),
        )
        .chain(ty.constants.iter().map(|c| (&c.q.name, c.q.span, false)))
        .chain(ty.properties.iter().map(|p| (&p.q.name, p.q.span, false)))
        .chain(ty.index_parameters.iter().map(|n| (&n.name, n.span, false)))
        .chain(
            d.state_variables
                .iter()
                .map(|v| (&v.q.name, v.q.span, true)),
        )
        .chain(
            d.derived_variables
                .iter()
                .map(|v| (&v.q.name, v.q.span, true)),
        )
        .chain(
            d.conditional_derived_variables
                .iter()
                .map(|v| (&v.q.name, v.q.span, true)),
        );
    let exposures = ty.exposures.iter().map(|q| (&q.name, q.span, false));
    let ports = ty.event_ports.iter().map(|p| (&p.name, p.span, false));
    let slots = ty
        .child
        .iter()
        .chain(&ty.children)
        .chain(&ty.attachments)
        .chain(&ty.links)
        .chain(&ty.component_references)
        .chain(&ty.component_requirements)
        .chain(&ty.instance_requirements)
        .map(|s| (&s.name, s.span, false))
        .chain(
            ty.texts
                .iter()
                .chain(&ty.paths)
                .map(|n| (&n.name, n.span, false)),
        );
    let groups: [Vec<(&String, Span, bool)>; 4] = [
        values.collect(),
        exposures.collect(),
        ports.collect(),
        slots.collect(),
    ];
    for group in groups {
        let mut first: HashMap<&String, (Span, bool)> = HashMap::new();
        for (name, span, variable) in group {
            let Some(&(earlier, earlier_variable)) = first.get(name) else {
                first.insert(name, (span, variable));
                continue;
            };
            let mut diag = Diagnostic::at(
                span,
                format!("'{name}' is declared twice in ComponentType '{}'", ty.name),
            )
            .with_secondary(earlier, "first declared here");
            // The official Pinsky-Rinzel cell declares `Sisat` as both a state and a
            // conditional derived variable and jLEMS runs it, so two variables of the same
            // name are only a warning.
            if variable && earlier_variable {
                diag.severity = Severity::Warning;
                if ty.builtin {
                    continue;
                }
            }
            diags.push(diag);
        }
    }
}

impl TypeReader<'_> {
    fn required<'e>(&mut self, el: &'e Element, name: &str) -> Option<&'e Attr> {
        let attr = el.attr(name);
        if attr.is_none() {
            self.diags.push(Diagnostic::at(
                el.name_span,
                format!("<{}> is missing the required attribute '{name}'", el.name),
            ));
        }
        attr
    }

    fn required_value(&mut self, el: &Element, name: &str) -> Option<String> {
        self.required(el, name).map(|a| a.value.clone())
    }

    fn unknown(&mut self, el: &Element, parent: &str, expected: &[&str]) {
        self.diags.push(
            Diagnostic::at(
                el.name_span,
                format!("unknown element <{}> in <{parent}>", el.name),
            )
            .with_note(format!("expected one of: {}", expected.join(", "))),
        );
    }

    /// Dynamics, Structure and Simulation may appear once per type.
    fn once(&mut self, el: &Element, seen: bool) {
        if seen {
            self.diags.push(Diagnostic::at(
                el.name_span,
                format!(
                    "a ComponentType may have only one <{}>; this one replaces the first",
                    el.name
                ),
            ));
        }
    }

    /// Parses the expression in attribute `name`; a parse error is reported and the
    /// expression replaced by the [`UNPARSED`] stand-in.
    fn expr_attr(&mut self, el: &Element, name: &str) -> Option<Expr> {
        let attr = self.required(el, name)?;
        Some(self.parse_expr(attr))
    }

    fn parse_expr(&mut self, attr: &Attr) -> Expr {
        match expr::parse(&attr.value, attr.value_span) {
            Ok(e) => e,
            Err(d) => {
                self.diags.push(d);
                Expr {
                    kind: ExprKind::Name(UNPARSED.to_string()),
                    span: attr.value_span,
                }
            }
        }
    }

    /// `name=` and `dimension=` (absent means dimensionless, as in jLEMS).
    fn quantity(&mut self, el: &Element) -> Option<Quantity> {
        let name = self.required_value(el, "name")?;
        let (dimension, dim) = match el.attr("dimension") {
            // Resolved after flattening: a variable without a dimension takes its
            // exposure's (see `dimensions_from_exposures`).
            None => (String::new(), crate::model::dims::Dim::NONE),
            // `*` accepts a value of any dimension (jLEMS's "any"), e.g. a plot's scale.
            Some(a) if a.value == ANY_DIMENSION => (a.value.clone(), crate::model::dims::Dim::NONE),
            Some(a) => match self.units.dimension(&a.value) {
                Some(d) => (a.value.clone(), d),
                None => {
                    let known: Vec<String> = self.units.dimensions.keys().cloned().collect();
                    self.diags.push(
                        Diagnostic::at(
                            a.value_span,
                            format!("unknown dimension '{}' for '{name}'", a.value),
                        )
                        .with_note(similar_note(&a.value, known.iter())),
                    );
                    return None;
                }
            },
        };
        Some(Quantity {
            name,
            dimension,
            dim,
            declared_in: self.id,
            span: el.span,
        })
    }

    fn named(&mut self, el: &Element) -> Option<Named> {
        let name = self.required_value(el, "name")?;
        Some(Named {
            name,
            declared_in: self.id,
            span: el.span,
        })
    }

    fn slot(&mut self, el: &Element, type_required: bool) -> Option<TypedSlot> {
        let name = self.required_value(el, "name")?;
        let type_name = if type_required {
            Some(self.required_value(el, "type")?)
        } else {
            el.attr_value("type").map(str::to_string)
        };
        Some(TypedSlot {
            name,
            type_name,
            type_id: None,
            declared_in: self.id,
            span: el.span,
        })
    }

    fn derived_parameter(&mut self, el: &Element) -> Option<DerivedParameter> {
        let q = self.quantity(el)?;
        let value = el.attr("value").map(|a| self.parse_expr(a));
        let select = el.attr_value("select").map(str::to_string);
        if value.is_none() && select.is_none() {
            self.diags.push(Diagnostic::at(
                el.name_span,
                format!(
                    "<DerivedParameter name=\"{}\"> needs 'value' or 'select'",
                    q.name
                ),
            ));
            return None;
        }
        Some(DerivedParameter { q, value, select })
    }

    fn constant(&mut self, el: &Element) -> Option<Constant> {
        let q = self.quantity(el)?;
        let text = self.required(el, "value")?;
        match self
            .units
            .quantity(&text.value, text.value_span, q.dim, dimension_name(&q))
        {
            Ok(value) => Some(Constant { q, value }),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    fn property(&mut self, el: &Element) -> Option<Property> {
        let q = self.quantity(el)?;
        let mut default_value = None;
        if let Some(a) = el.attr("defaultValue") {
            match self
                .units
                .quantity(&a.value, a.value_span, q.dim, dimension_name(&q))
            {
                Ok(v) => default_value = Some(v),
                Err(d) => self.diags.push(d),
            }
        }
        Some(Property { q, default_value })
    }

    fn event_port(&mut self, el: &Element) -> Option<EventPort> {
        let name = self.required_value(el, "name")?;
        let dir = self.required(el, "direction")?;
        let direction = match dir.value.to_ascii_lowercase().as_str() {
            "in" => Direction::In,
            "out" => Direction::Out,
            _ => {
                self.diags.push(Diagnostic::at(
                    dir.value_span,
                    format!(
                        "expected 'in' or 'out' for the direction of port '{name}', found '{}'",
                        dir.value
                    ),
                ));
                return None;
            }
        };
        Some(EventPort {
            name,
            direction,
            declared_in: self.id,
            span: el.span,
        })
    }

    fn fixed(&mut self, el: &Element) -> Option<Fixed> {
        let parameter = self.required_value(el, "parameter")?;
        let value = self.required_value(el, "value")?;
        Some(Fixed {
            parameter,
            value,
            span: el.span,
        })
    }

    // -- Dynamics ---------------------------------------------------------------------------

    fn dynamics(&mut self, el: &Element) -> Dynamics {
        let mut d = Dynamics::default();
        for c in &el.children {
            match c.name.as_str() {
                "StateVariable" => {
                    if let Some(q) = self.quantity(c) {
                        let exposure = c.attr_value("exposure").map(str::to_string);
                        d.state_variables.push(StateVariable { q, exposure });
                    }
                }
                "DerivedVariable" => d.derived_variables.extend(self.derived_variable(c)),
                "ConditionalDerivedVariable" => d
                    .conditional_derived_variables
                    .extend(self.conditional_derived(c)),
                "TimeDerivative" => d.time_derivatives.extend(self.time_derivative(c)),
                "OnStart" => {
                    for a in self.actions(c, "OnStart", &["StateAssignment"]) {
                        if let Action::Assign(s) = a {
                            d.on_start.push(s);
                        }
                    }
                }
                "OnCondition" => d.on_conditions.extend(self.on_condition(c)),
                "OnEvent" => {
                    if let Some(port) = self.required_value(c, "port") {
                        let actions = self.actions(
                            c,
                            "OnEvent",
                            &["StateAssignment", "EventOut", "Transition"],
                        );
                        d.on_events.push(OnEvent {
                            port,
                            actions,
                            span: c.span,
                        });
                    }
                }
                "Regime" => d.regimes.extend(self.regime(c)),
                "KineticScheme" => d.kinetic_schemes.extend(self.kinetic_scheme(c)),
                other if DOCUMENTATION.contains(&other) => {}
                _ => self.unknown(c, "Dynamics", DYNAMICS_MEMBERS),
            }
        }
        d
    }

    fn derived_variable(&mut self, el: &Element) -> Option<DerivedVariable> {
        let q = self.quantity(el)?;
        let exposure = el.attr_value("exposure").map(str::to_string);
        let value = if let Some(a) = el.attr("value") {
            DerivedValue::Expr(self.parse_expr(a))
        } else if let Some(sel) = el.attr("select") {
            let reduce = match el.attr("reduce") {
                None => None,
                Some(r) => match r.value.as_str() {
                    "add" => Some(Reduce::Add),
                    "multiply" => Some(Reduce::Multiply),
                    _ => {
                        self.diags.push(Diagnostic::at(
                            r.value_span,
                            format!(
                                "expected 'add' or 'multiply' for reduce, found '{}'",
                                r.value
                            ),
                        ));
                        None
                    }
                },
            };
            let required = el.attr_value("required").is_some_and(|v| v == "true");
            DerivedValue::Select {
                select: sel.value.clone(),
                reduce,
                required,
                span: sel.value_span,
            }
        } else {
            self.diags.push(Diagnostic::at(
                el.name_span,
                format!(
                    "<DerivedVariable name=\"{}\"> needs 'value' or 'select'",
                    q.name
                ),
            ));
            return None;
        };
        Some(DerivedVariable { q, exposure, value })
    }

    fn conditional_derived(&mut self, el: &Element) -> Option<ConditionalDerivedVariable> {
        let q = self.quantity(el)?;
        let exposure = el.attr_value("exposure").map(str::to_string);
        let mut cases = Vec::new();
        for c in &el.children {
            match c.name.as_str() {
                "Case" => {
                    let condition = c.attr("condition").map(|a| self.parse_expr(a));
                    if let Some(value) = self.expr_attr(c, "value") {
                        cases.push(Case {
                            condition,
                            value,
                            span: c.span,
                        });
                    }
                }
                other if DOCUMENTATION.contains(&other) => {}
                _ => self.unknown(c, "ConditionalDerivedVariable", &["Case"]),
            }
        }
        Some(ConditionalDerivedVariable { q, exposure, cases })
    }

    fn time_derivative(&mut self, el: &Element) -> Option<TimeDerivative> {
        let variable = self.required_value(el, "variable")?;
        let value = self.expr_attr(el, "value")?;
        Some(TimeDerivative {
            variable,
            value,
            span: el.span,
        })
    }

    fn state_assignment(&mut self, el: &Element) -> Option<StateAssignment> {
        let variable = self.required_value(el, "variable")?;
        let value = self.expr_attr(el, "value")?;
        Some(StateAssignment {
            variable,
            value,
            span: el.span,
        })
    }

    fn actions(&mut self, el: &Element, parent: &str, allowed: &[&str]) -> Vec<Action> {
        let mut out = Vec::new();
        for c in &el.children {
            let name = c.name.as_str();
            if DOCUMENTATION.contains(&name) {
                continue;
            }
            if !allowed.contains(&name) {
                self.unknown(c, parent, allowed);
                continue;
            }
            match name {
                "StateAssignment" => out.extend(self.state_assignment(c).map(Action::Assign)),
                "EventOut" => {
                    if let Some(port) = self.required_value(c, "port") {
                        out.push(Action::EventOut { port, span: c.span });
                    }
                }
                "Transition" => {
                    if let Some(regime) = self.required_value(c, "regime") {
                        out.push(Action::Transition {
                            regime,
                            span: c.span,
                        });
                    }
                }
                _ => self.unknown(c, parent, allowed),
            }
        }
        out
    }

    fn on_condition(&mut self, el: &Element) -> Option<OnCondition> {
        let test = self.expr_attr(el, "test")?;
        let actions = self.actions(
            el,
            "OnCondition",
            &["StateAssignment", "EventOut", "Transition"],
        );
        Some(OnCondition {
            test,
            actions,
            span: el.span,
        })
    }

    fn regime(&mut self, el: &Element) -> Option<Regime> {
        let name = self.required_value(el, "name")?;
        let initial = el.attr_value("initial").is_some_and(|v| v == "true");
        let mut regime = Regime {
            name,
            initial,
            time_derivatives: Vec::new(),
            on_entry: Vec::new(),
            on_conditions: Vec::new(),
            span: el.span,
        };
        for c in &el.children {
            match c.name.as_str() {
                "TimeDerivative" => regime.time_derivatives.extend(self.time_derivative(c)),
                "OnEntry" => regime.on_entry.extend(self.actions(
                    c,
                    "OnEntry",
                    &["StateAssignment", "EventOut", "Transition"],
                )),
                "OnCondition" => regime.on_conditions.extend(self.on_condition(c)),
                other if DOCUMENTATION.contains(&other) => {}
                _ => self.unknown(c, "Regime", &["TimeDerivative", "OnEntry", "OnCondition"]),
            }
        }
        Some(regime)
    }

    fn kinetic_scheme(&mut self, el: &Element) -> Option<KineticScheme> {
        Some(KineticScheme {
            name: self.required_value(el, "name")?,
            nodes: self.required_value(el, "nodes")?,
            state_variable: self.required_value(el, "stateVariable")?,
            edges: self.required_value(el, "edges")?,
            edge_source: self.required_value(el, "edgeSource")?,
            edge_target: self.required_value(el, "edgeTarget")?,
            forward_rate: self.required_value(el, "forwardRate")?,
            reverse_rate: self.required_value(el, "reverseRate")?,
            span: el.span,
        })
    }

    // -- Structure --------------------------------------------------------------------------

    fn assigns(&mut self, el: &Element, parent: &str) -> Vec<Assign> {
        let mut out = Vec::new();
        for c in &el.children {
            match c.name.as_str() {
                "Assign" => {
                    let Some(property) = self.required_value(c, "property") else {
                        continue;
                    };
                    if let Some(value) = self.expr_attr(c, "value") {
                        out.push(Assign {
                            property,
                            value,
                            span: c.span,
                        });
                    }
                }
                other if DOCUMENTATION.contains(&other) => {}
                _ => self.unknown(c, parent, &["Assign"]),
            }
        }
        out
    }

    fn structure_items(&mut self, el: &Element, parent: &str) -> Vec<StructureItem> {
        let mut items = Vec::new();
        for c in &el.children {
            let opt = |n: &str| c.attr_value(n).map(str::to_string);
            let item = match c.name.as_str() {
                "ChildInstance" => self.required_value(c, "component").map(|component| {
                    StructureItem::ChildInstance {
                        component,
                        assigns: self.assigns(c, "ChildInstance"),
                        span: c.span,
                    }
                }),
                "MultiInstantiate" => {
                    self.required_value(c, "number")
                        .map(|number| StructureItem::MultiInstantiate {
                            number,
                            component: opt("component"),
                            component_type: opt("componentType"),
                            assigns: self.assigns(c, "MultiInstantiate"),
                            span: c.span,
                        })
                }
                "ForEach" => {
                    let instances = self.required_value(c, "instances");
                    let as_name = self.required_value(c, "as");
                    match (instances, as_name) {
                        (Some(instances), Some(as_name)) => Some(StructureItem::ForEach {
                            instances,
                            as_name,
                            body: self.structure_items(c, "ForEach"),
                            span: c.span,
                        }),
                        _ => None,
                    }
                }
                "With" => self
                    .required_value(c, "as")
                    .map(|as_name| StructureItem::With {
                        instance: opt("instance"),
                        list: opt("list"),
                        index: opt("index"),
                        as_name,
                        span: c.span,
                    }),
                "EventConnection" => {
                    let from = self.required_value(c, "from");
                    let to = self.required_value(c, "to");
                    match (from, to) {
                        (Some(from), Some(to)) => {
                            Some(StructureItem::EventConnection(EventConnection {
                                from,
                                to,
                                source_port: opt("sourcePort"),
                                target_port: opt("targetPort"),
                                receiver: opt("receiver"),
                                receiver_container: opt("receiverContainer"),
                                delay: opt("delay"),
                                assigns: self.assigns(c, "EventConnection"),
                                span: c.span,
                            }))
                        }
                        _ => None,
                    }
                }
                "Tunnel" => self.tunnel(c),
                other if DOCUMENTATION.contains(&other) => None,
                _ => {
                    self.unknown(c, parent, STRUCTURE_MEMBERS);
                    None
                }
            };
            items.extend(item);
        }
        items
    }

    fn tunnel(&mut self, c: &Element) -> Option<StructureItem> {
        Some(StructureItem::Tunnel {
            name: self.required_value(c, "name")?,
            end_a: self.required_value(c, "endA")?,
            end_b: self.required_value(c, "endB")?,
            component_a: self.required_value(c, "componentA")?,
            component_b: self.required_value(c, "componentB")?,
            assigns: self.assigns(c, "Tunnel"),
            span: c.span,
        })
    }

    // -- Simulation -------------------------------------------------------------------------

    fn simulation(&mut self, el: &Element) -> SimulationDef {
        let mut s = SimulationDef::default();
        for c in &el.children {
            let opt = |n: &str| c.attr_value(n).map(str::to_string);
            match c.name.as_str() {
                "Run" => {
                    let run = (|| {
                        Some(Run {
                            component: self.required_value(c, "component")?,
                            variable: self.required_value(c, "variable")?,
                            increment: self.required_value(c, "increment")?,
                            total: self.required_value(c, "total")?,
                            span: c.span,
                        })
                    })();
                    s.runs.extend(run);
                }
                "Record" => {
                    if let Some(quantity) = self.required_value(c, "quantity") {
                        s.records.push(Record {
                            quantity,
                            time_scale: opt("timeScale"),
                            scale: opt("scale"),
                            color: opt("color"),
                            span: c.span,
                        });
                    }
                }
                "EventRecord" => {
                    let quantity = self.required_value(c, "quantity");
                    let event_port = self.required_value(c, "eventPort");
                    if let (Some(quantity), Some(event_port)) = (quantity, event_port) {
                        s.event_records.push(EventRecord {
                            quantity,
                            event_port,
                            span: c.span,
                        });
                    }
                }
                "DataDisplay" => {
                    if let Some(title) = self.required_value(c, "title") {
                        s.data_displays.push(DataDisplay {
                            title,
                            data_region: opt("dataRegion"),
                            span: c.span,
                        });
                    }
                }
                "DataWriter" => {
                    let path = self.required_value(c, "path");
                    let file_name = self.required_value(c, "fileName");
                    if let (Some(path), Some(file_name)) = (path, file_name) {
                        s.data_writers.push(DataWriter {
                            path,
                            file_name,
                            span: c.span,
                        });
                    }
                }
                "EventWriter" => {
                    let path = self.required_value(c, "path");
                    let file_name = self.required_value(c, "fileName");
                    let format = self.required_value(c, "format");
                    if let (Some(path), Some(file_name), Some(format)) = (path, file_name, format) {
                        s.event_writers.push(EventWriter {
                            path,
                            file_name,
                            format,
                            span: c.span,
                        });
                    }
                }
                other if DOCUMENTATION.contains(&other) => {}
                _ => self.unknown(c, "Simulation", SIMULATION_MEMBERS),
            }
        }
        s
    }
}

/// Helpers shared by the tests of the model stages: build types from inline LEMS text.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use crate::diag::{Diagnostics, PlainDiagnostic, SourceMap};
    use crate::front::syntax::{DocKind, Document};
    use crate::front::xml::parse_element_tree;
    use crate::model::types::{ComponentType, TypeId};
    use crate::model::units::UnitTable;

    /// Dimensions and units the inline test models use.
    pub const PRELUDE: &str = r#"<Lems>
  <Dimension name="voltage" m="1" l="2" t="-3" i="-1"/>
  <Dimension name="time" t="1"/>
  <Dimension name="per_time" t="-1"/>
  <Dimension name="current" i="1"/>
  <Dimension name="conductance" m="-1" l="-2" t="3" i="2"/>
  <Dimension name="capacitance" m="-1" l="-2" t="4" i="2"/>
  <Dimension name="temperature" k="1"/>
  <Unit symbol="V" dimension="voltage"/>
  <Unit symbol="mV" dimension="voltage" power="-3"/>
  <Unit symbol="s" dimension="time"/>
  <Unit symbol="ms" dimension="time" power="-3"/>
  <Unit symbol="pS" dimension="conductance" power="-12"/>
  <Unit symbol="nS" dimension="conductance" power="-9"/>
  <Unit symbol="K" dimension="temperature"/>
  <Unit symbol="degC" dimension="temperature" offset="273.15"/>
</Lems>"#;

    pub struct Built {
        pub sources: SourceMap,
        pub units: UnitTable,
        pub types: Vec<ComponentType>,
        pub by_name: HashMap<String, TypeId>,
        pub diags: Diagnostics,
    }

    impl Built {
        pub fn ty(&self, name: &str) -> &ComponentType {
            &self.types[self.by_name[name].0 as usize]
        }

        /// Each diagnostic as `message @ spanned text`, plus its notes.
        pub fn messages(&self) -> Vec<String> {
            self.diags
                .list
                .iter()
                .map(|d| {
                    let at = d
                        .primary
                        .as_ref()
                        .map_or("", |(s, _)| self.sources.snippet(*s));
                    format!("{} @ {at} | {}", d.message, d.notes.join(" | "))
                })
                .collect()
        }

        pub fn rendered(&self) -> Vec<String> {
            let sources = &self.sources;
            self.diags
                .list
                .iter()
                .map(|d| PlainDiagnostic { sources, diag: d }.to_string())
                .collect()
        }

        /// Asserts exactly one diagnostic, containing every fragment; returns it.
        pub fn one_error(&self, fragments: &[&str]) -> String {
            let m = self.messages();
            assert_eq!(m.len(), 1, "expected one diagnostic, got {m:#?}");
            for f in fragments {
                assert!(m[0].contains(f), "{f:?} not in {:?}", m[0]);
            }
            m[0].clone()
        }

        pub fn assert_clean(&self) {
            assert!(self.diags.list.is_empty(), "{:#?}", self.messages());
        }
    }

    /// Builds the prelude plus `body` (the inside of a `<Lems>` element).
    pub fn build(body: &str) -> Built {
        build_files(&[PRELUDE, &format!("<Lems>\n{body}\n</Lems>")])
    }

    pub fn build_files(texts: &[&str]) -> Built {
        build_files_as(texts, false)
    }

    /// As [`build_files`], marking every document built-in or not.
    pub fn build_files_as(texts: &[&str], builtin: bool) -> Built {
        let mut sources = SourceMap::new();
        let mut docs = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let name = format!("test{i}.xml");
            let file = sources.add(PathBuf::from(&name), name, text.to_string());
            let root = parse_element_tree(&sources, file).expect("test XML parses");
            docs.push(Document {
                file,
                kind: DocKind::Lems,
                root,
                builtin,
            });
        }
        from_documents(sources, &docs)
    }

    pub fn from_documents(sources: SourceMap, docs: &[Document]) -> Built {
        let (units, mut diags) = UnitTable::from_documents(docs);
        let (types, by_name, type_diags) = super::build_types(docs, &units);
        diags.extend(type_diags);
        Built {
            sources,
            units,
            types,
            by_name,
            diags,
        }
    }
}

#[cfg(test)]
mod official_tests {
    use std::path::PathBuf;

    use super::testing::from_documents;
    use crate::diag::SourceMap;
    use crate::front::load::{load, LoadOptions};

    fn shared(rel: &str) -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/neuroml2/"
        ))
        .join(rel)
    }

    /// The official files write a few unit-less literals where a dimensioned value is due
    /// and expose one dimensionless variable as a current; these are the only warnings
    /// they may give.
    const KNOWN_WARNINGS: &[&str] = &[
        "derived variable 'pOpen' must have dimension voltage",
        "time derivative of 'Si' must have dimension per_time",
        "time derivative of 'Wi' must have dimension per_time",
        "'A' has dimension dimensionless but is exposed as 'A', which has dimension current",
        "'Sisat' is declared twice in ComponentType 'pinskyRinzelCA3Cell'",
    ];

    /// Loads `root` with the official core types (not our built-in copies) and builds its
    /// types; there must be no error and no warning but the known ones.
    fn check_clean(root: PathBuf) -> usize {
        let mut sources = SourceMap::new();
        let opts = LoadOptions {
            include_dirs: vec![shared("NeuroML2CoreTypes")],
        };
        let (docs, load_diags) = load(&mut sources, std::slice::from_ref(&root), &opts);
        assert!(
            load_diags.list.is_empty(),
            "{root:?}: loading failed: {:#?}",
            load_diags.list
        );
        let built = from_documents(sources, &docs);
        let unexpected: Vec<String> = built
            .diags
            .list
            .iter()
            .zip(built.rendered())
            .filter(|(d, _)| d.is_error() || !KNOWN_WARNINGS.iter().any(|w| d.message.contains(w)))
            .map(|(_, r)| r)
            .collect();
        assert!(
            unexpected.is_empty(),
            "{root:?}:\n{}",
            unexpected.join("\n")
        );
        built.types.len()
    }

    #[test]
    fn official_core_types_build_without_errors() {
        let n = check_clean(shared("NeuroML2CoreTypes/NeuroML2CoreTypes.xml"));
        assert!(n > 150, "only {n} types read");
    }

    #[test]
    fn official_lems_examples_build_without_errors() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(shared("LEMSexamples"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        files.sort();
        assert!(files.len() > 20);
        for f in files {
            check_clean(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{build, build_files_as, PRELUDE};
    use crate::model::types::{DerivedValue, Direction, StructureItem, TypeId};

    const BASE_AND_SUB: &str = r#"
<ComponentType name="base">
  <Parameter name="a" dimension="voltage"/>
  <Parameter name="b" dimension="time"/>
  <Exposure name="x" dimension="voltage"/>
  <EventPort name="spike" direction="out"/>
  <Dynamics>
    <StateVariable name="x" dimension="voltage" exposure="x"/>
    <TimeDerivative variable="x" value="a / b"/>
  </Dynamics>
</ComponentType>
<ComponentType name="sub" extends="base">
  <Parameter name="b" dimension="time"/>
  <Parameter name="c" dimension="none"/>
</ComponentType>
<ComponentType name="subWithDynamics" extends="sub">
  <Dynamics>
    <StateVariable name="x" dimension="voltage" exposure="x"/>
    <StateVariable name="y" dimension="none"/>
    <TimeDerivative variable="y" value="c / b"/>
  </Dynamics>
</ComponentType>"#;

    #[test]
    fn subtypes_are_flattened_inherited_members_first() {
        let b = build(BASE_AND_SUB);
        b.assert_clean();
        let (base, sub) = (b.by_name["base"], b.by_name["sub"]);
        let ty = b.ty("sub");
        assert_eq!(ty.parent, Some(base));
        let params: Vec<(&str, TypeId)> = ty
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.declared_in))
            .collect();
        // `b` is redeclared by the subtype, which replaces the inherited one.
        assert_eq!(params, [("a", base), ("b", sub), ("c", sub)]);
        assert_eq!(ty.exposures[0].declared_in, base);
        assert_eq!(ty.event_ports[0].direction, Direction::Out);
        // No Dynamics of its own: the base's is used.
        assert_eq!(ty.dynamics.state_variables[0].q.name, "x");
        assert_eq!(ty.dynamics.time_derivatives.len(), 1);
    }

    #[test]
    fn own_dynamics_replace_the_base_dynamics() {
        let b = build(BASE_AND_SUB);
        let d = &b.ty("subWithDynamics").dynamics;
        let names: Vec<&str> = d
            .state_variables
            .iter()
            .map(|s| s.q.name.as_str())
            .collect();
        assert_eq!(names, ["x", "y"]);
        // The base's TimeDerivative of x is not inherited: the whole block is replaced.
        assert_eq!(d.time_derivatives.len(), 1);
        assert_eq!(d.time_derivatives[0].variable, "y");
        assert_eq!(
            b.ty("subWithDynamics").parameters.len(),
            3,
            "parameters still inherited"
        );
    }

    #[test]
    fn unknown_base_and_cycles() {
        let b = build(r#"<ComponentType name="a" extends="nosuch"/>"#);
        b.one_error(&["ComponentType 'a' extends an unknown type 'nosuch' @ nosuch"]);

        let b = build(
            r#"<ComponentType name="a" extends="b"/><ComponentType name="b" extends="c"/>
               <ComponentType name="c" extends="a"/>"#,
        );
        b.one_error(&["inheritance cycle: a extends b extends c extends a"]);
    }

    #[test]
    fn duplicate_type_names_point_at_both() {
        let b = build(r#"<ComponentType name="a"/><ComponentType name="a"/>"#);
        b.one_error(&["ComponentType 'a' is defined twice @ a"]);
        assert_eq!(b.diags.list[0].secondary[0].1, "first defined here");
        assert_eq!(b.types.len(), 1);
    }

    #[test]
    fn unknown_elements_and_missing_attributes() {
        let b = build(r#"<ComponentType name="a"><Dynamics><Foo/></Dynamics></ComponentType>"#);
        b.one_error(&[
            "unknown element <Foo> in <Dynamics> @ Foo",
            "expected one of: StateVariable, DerivedVariable",
        ]);
        let b = build(r#"<ComponentType name="a"><Paramter name="p"/></ComponentType>"#);
        b.one_error(&[
            "unknown element <Paramter> in <ComponentType>",
            "Parameter, ",
        ]);
        let b =
            build(r#"<ComponentType name="a"><Parameter dimension="voltage"/></ComponentType>"#);
        b.one_error(&["<Parameter> is missing the required attribute 'name' @ Parameter"]);
        let b = build(r#"<ComponentType><Parameter name="p"/></ComponentType>"#);
        b.one_error(&["<ComponentType> is missing the required attribute 'name'"]);
    }

    #[test]
    fn unknown_dimension_points_at_the_value() {
        let b = build(
            r#"<ComponentType name="a"><Parameter name="p" dimension="voltag"/></ComponentType>"#,
        );
        b.one_error(&[
            "unknown dimension 'voltag' for 'p' @ voltag",
            "similar names: voltage",
        ]);
        let b = build(
            r#"<ComponentType name="a"><Parameter name="p" dimension="volts"/></ComponentType>"#,
        );
        b.one_error(&["unknown dimension 'volts'", "similar names: voltage"]);
    }

    #[test]
    fn expression_errors_are_collected_and_reading_goes_on() {
        let b = build(
            r#"<ComponentType name="a"><Dynamics>
                 <DerivedVariable name="d" dimension="none" value="1 +"/>
                 <DerivedVariable name="e" dimension="none" value="d * 2"/>
                 <DerivedVariable name="f" dimension="none" value="(d"/>
               </Dynamics></ComponentType>"#,
        );
        assert_eq!(b.diags.error_count(), 2, "{:#?}", b.messages());
        assert_eq!(b.ty("a").dynamics.derived_variables.len(), 3);
    }

    #[test]
    fn constants_are_converted_to_si_and_builtin_is_kept() {
        let b = build(
            r#"<ComponentType name="a"><Constant name="V0" dimension="voltage" value="-65mV"/>
               </ComponentType>"#,
        );
        b.assert_clean();
        assert_eq!(b.ty("a").constants[0].value, -65.0 * 0.001);
        assert!(!b.ty("a").builtin);
        let b = build(
            r#"<ComponentType name="a"><Constant name="V0" dimension="voltage" value="1ms"/>
               </ComponentType>"#,
        );
        b.one_error(&["expected a voltage, found '1ms' which is a time @ ms"]);
    }

    #[test]
    fn reads_select_structure_and_dimension_from_exposure() {
        let b = build(
            r#"<ComponentType name="syn"><Exposure name="i" dimension="current"/></ComponentType>
               <ComponentType name="cell">
                 <Exposure name="iSyn" dimension="current"/>
                 <Children name="synapses" type="syn"/>
                 <Dynamics>
                   <DerivedVariable name="iSyn" exposure="iSyn" select="synapses[*]/i" reduce="add"/>
                 </Dynamics>
                 <Structure><ChildInstance component="x"/></Structure>
               </ComponentType>"#,
        );
        b.assert_clean();
        let ty = b.ty("cell");
        let dv = &ty.dynamics.derived_variables[0];
        assert_eq!(dv.q.dimension, "current", "taken from the exposure");
        assert!(
            matches!(&dv.value, DerivedValue::Select { select, .. } if select == "synapses[*]/i")
        );
        assert_eq!(ty.children[0].type_id, Some(b.by_name["syn"]));
        assert!(
            matches!(&ty.structure.items[0], StructureItem::ChildInstance { component, .. } if component == "x")
        );
    }

    #[test]
    fn builtin_types_are_marked_and_their_warnings_dropped() {
        let body = r#"<Lems><ComponentType name="a"><Dynamics>
              <StateVariable name="n" dimension="none"/>
              <TimeDerivative variable="n" value="-n / 150"/>
              <TimeDerivative variable="m" value="n"/>
            </Dynamics></ComponentType></Lems>"#;
        let user = build_files_as(&[PRELUDE, body], false);
        assert_eq!(user.diags.list.len(), 2, "{:#?}", user.messages());
        assert!(!user.ty("a").builtin);
        let ours = build_files_as(&[PRELUDE, body], true);
        ours.one_error(&["TimeDerivative of 'm', which is not a state variable"]);
        assert!(ours.ty("a").builtin);
    }

    #[test]
    fn a_name_declared_twice_in_one_type_is_an_error() {
        let b = build(
            r#"<ComponentType name="timer">
                 <Parameter name="period" dimension="time"/>
                 <Parameter name="period" dimension="time"/>
               </ComponentType>"#,
        );
        b.one_error(&["'period' is declared twice in ComponentType 'timer'"]);
        let b = build(
            r#"<ComponentType name="c"><Parameter name="x" dimension="none"/>
                 <Dynamics><StateVariable name="x" dimension="none"/></Dynamics></ComponentType>"#,
        );
        b.one_error(&["'x' is declared twice in ComponentType 'c'"]);
        assert!(b.diags.has_errors());
        let b = build(
            r#"<ComponentType name="c"><Dynamics><StateVariable name="x" dimension="none"/>
                 <DerivedVariable name="x" dimension="none" value="1"/></Dynamics></ComponentType>"#,
        );
        b.one_error(&["'x' is declared twice in ComponentType 'c'"]);
        assert!(
            !b.diags.has_errors(),
            "two variables of one name: a warning, as jLEMS runs it"
        );
        // An exposure named like its variable is the usual idiom, not a clash.
        build(
            r#"<ComponentType name="c"><Exposure name="x" dimension="none"/>
                 <Dynamics><StateVariable name="x" dimension="none" exposure="x"/></Dynamics>
               </ComponentType>"#,
        )
        .assert_clean();
    }

    #[test]
    fn unknown_slot_type_is_an_error() {
        let b = build(r#"<ComponentType name="a"><Child name="c" type="nosuch"/></ComponentType>"#);
        b.one_error(&["'c' in ComponentType 'a' names an unknown type 'nosuch'"]);
    }
}
