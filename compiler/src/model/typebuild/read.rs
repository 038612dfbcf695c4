//! Reading one `<ComponentType>` element: members with spans, dimensions resolved,
//! expressions parsed.

use super::*;
use crate::diag::Severity;
use crate::front::expr;
use crate::front::syntax::{Attr, Element};

struct TypeReader<'a> {
    units: &'a UnitTable,
    id: TypeId,
    diags: &'a mut Diagnostics,
}

pub(super) fn read_type(
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
