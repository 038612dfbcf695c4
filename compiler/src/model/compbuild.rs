//! Component elements to [`Component`]s, following jLEMS's reading rules.
//!
//! * Every child of a `<Lems>` root that is not a definition (Dimension, Unit, ComponentType,
//!   Constant, Assertion, Target, Include) is a component, and so is every child of a
//!   `<neuroml>` root but `<include>` and those definitions (NeuroML documents may define
//!   LEMS types; jNeuroML reads them as LEMS).
//! * An element is either `<Component type="T">` or named after its type, `<T>`. Inside a
//!   parent, an element named after one of the parent's `<Child>` slots takes that slot's type
//!   unless it says `type=` itself.
//! * A nested component fills the Child slot named like its element, else the Children (or,
//!   failing that, Attachments) list whose type it is or extends.
//! * Attributes are parameters, properties, texts, paths, references, links or index
//!   parameters of the type; `morphology="id"` and `biophysicalProperties="id"` on a `<cell>`
//!   name top-level components that fill those Child slots, as if nested; a few metadata
//!   attributes NeuroML writes are kept in [`Component::extra`]; anything else is an error.
//!
//! Components are made in two passes: first every element becomes a component (so that ids
//! are known everywhere), then attributes are read and references resolved.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics};
use crate::front::expr;
use crate::front::syntax::{Attr, DocKind, Document, Element};
use crate::model::component::{CompId, Component, ParamValue};
use crate::model::dims::Dim;
use crate::model::types::{ComponentType, StructureItem, TypeId, TypedSlot};
use crate::model::units::UnitTable;
use crate::suggest::similar_note;

/// Top-level `<Lems>` elements that define things rather than components.
const LEMS_DEFINITIONS: &[&str] = &[
    "Dimension",
    "Unit",
    "ComponentType",
    "Constant",
    "Assertion",
    "Target",
    "Include",
];

/// Elements inside a component that document it (LEMS `<About>`, `<Meta>`).
const LEMS_DOCUMENTATION: &[&str] = &["About", "Meta"];

/// Metadata attributes NeuroML documents carry on components that no type declares; jLEMS
/// only warns about unused attributes, we keep these and reject the rest.
const TOLERATED_ATTRIBUTES: &[&str] = &["name", "metaid", "neuroLexId"];

/// Attributes that name, by id, a top-level component filling the Child slot of that name.
const CHILD_REFERENCE_ATTRIBUTES: &[&str] = &["morphology", "biophysicalProperties"];

/// Attributes the NeuroML schema defines but the core LEMS types do not declare (jLEMS only
/// warns that they are unused): kept verbatim in [`Component::extra`].
const NEUROML_SCHEMA_ATTRIBUTES: &[&str] = &[
    "morphology",
    "biophysicalProperties",
    "extracellularProperties",
    "segment",
    "experimentalTemp",
];

/// Builds every component of every document; returns them with the top-level ids and the
/// `<Target>` component.
pub fn build_components(
    docs: &[Document],
    types: &[ComponentType],
    type_by_name: &HashMap<String, TypeId>,
    units: &UnitTable,
) -> (
    Vec<Component>,
    HashMap<String, CompId>,
    Option<CompId>,
    Diagnostics,
) {
    let mut b = Builder {
        types,
        type_by_name,
        units,
        comps: Vec::new(),
        elements: Vec::new(),
        by_id: HashMap::new(),
        sibling_index: HashMap::new(),
        diags: Diagnostics::new(),
    };
    for doc in docs {
        for el in &doc.root.children {
            if is_top_level_component(doc.kind, el) {
                if let Some(id) = b.make(el, None) {
                    b.register_top_level(id, el);
                }
            }
        }
    }
    for i in 0..b.comps.len() {
        b.read_attributes(CompId(i as u32));
    }
    for i in 0..b.comps.len() {
        b.evaluate_derived(CompId(i as u32));
    }
    let target = b.resolve_target(docs);
    (b.comps, b.by_id, target, b.diags)
}

fn is_top_level_component(kind: DocKind, el: &Element) -> bool {
    match kind {
        DocKind::Lems => !LEMS_DEFINITIONS.contains(&el.name.as_str()),
        DocKind::NeuroML => el.name != "include" && !LEMS_DEFINITIONS.contains(&el.name.as_str()),
    }
}

struct Builder<'a> {
    types: &'a [ComponentType],
    type_by_name: &'a HashMap<String, TypeId>,
    units: &'a UnitTable,
    comps: Vec<Component>,
    /// The element each component was read from, by CompId.
    elements: Vec<&'a Element>,
    by_id: HashMap<String, CompId>,
    /// For a component with many children, its children by id (a network of thousands of
    /// populations would make looking up siblings quadratic).
    sibling_index: HashMap<CompId, HashMap<String, Vec<CompId>>>,
    diags: Diagnostics,
}

impl<'a> Builder<'a> {
    fn ty(&self, id: TypeId) -> &'a ComponentType {
        &self.types[id.0 as usize]
    }

    fn extends(&self, ty: TypeId, ancestor: TypeId) -> bool {
        crate::model::types::extends(self.types, ty, ancestor)
    }

    /// Can a reference declared with type `declared` point at a component of type `found`?
    /// Yes if `found` extends `declared`, or if NeuroML allows the pair although the core types
    /// declare the reference more narrowly: any spike source may stand in a population of
    /// cells, a projection may join populationLists, a dimensionless input (`...DL`) may
    /// drive a dimensionless cell where a current input is declared, and a dimensionless
    /// (rate-based) synapse may stand where a synapse or a graded synapse is declared.
    fn reference_accepts(&self, declared: TypeId, found: TypeId) -> bool {
        if self.extends(found, declared) {
            return true;
        }
        let named = |name: &str| self.type_by_name.get(name).copied();
        let is_a = |name: &str| named(name).is_some_and(|t| self.extends(found, t));
        match self.ty(declared).name.as_str() {
            "baseCell" => is_a("baseSpikeSource"),
            "population" => is_a("basePopulation"),
            "basePointCurrent" => is_a("basePointCurrentDL"),
            "baseSynapse" | "baseGradedSynapse" => is_a("baseSynapseDL"),
            _ => false,
        }
    }

    /// What a component of type `found` lacks to stand where `declared` is expected: the
    /// exposures and event ports of `declared` it does not have (by name, ports by direction
    /// too). jLEMS does not check declared types; it reads members by name when it runs, so
    /// a component that has them all runs there.
    fn missing_members(&self, found: TypeId, declared: TypeId) -> Vec<String> {
        let (have, want) = (self.ty(found), self.ty(declared));
        let exposures = want
            .exposures
            .iter()
            .filter(|e| !have.exposures.iter().any(|h| h.name == e.name))
            .map(|e| format!("exposure '{}'", e.name));
        let ports = want
            .event_ports
            .iter()
            .filter(|p| {
                !have
                    .event_ports
                    .iter()
                    .any(|h| h.name == p.name && h.direction == p.direction)
            })
            .map(|p| format!("event port '{}'", p.name));
        exposures.chain(ports).collect()
    }

    // -----------------------------------------------------------------------------------------
    // Pass 1: elements to components

    /// Makes the component for `el` and, recursively, its nested components.
    fn make(&mut self, el: &'a Element, parent: Option<CompId>) -> Option<CompId> {
        let parent_ty = parent.map(|p| self.ty(self.comps[p.0 as usize].type_id));
        let type_id = self.element_type(el, parent_ty)?;
        let id = CompId(self.comps.len() as u32);
        self.comps.push(Component {
            id: el.attr_value("id").map(str::to_string),
            type_id,
            span: el.span,
            name_span: el.name_span,
            parent,
            params: Vec::new(),
            refs: Vec::new(),
            texts: Vec::new(),
            children: Vec::new(),
            extra: Vec::new(),
            derived: Vec::new(),
        });
        self.elements.push(el);
        let is_annotation = self.ty(type_id).name == "annotation";
        for child_el in &el.children {
            // RDF inside an annotation is metadata in other vocabularies (`rdf:RDF`); the tree
            // keeps local names only, so it cannot match the core types' prefixed slots.
            if is_annotation && has_namespace_prefix(child_el) {
                continue;
            }
            // jLEMS reads these as documentation of the component, not as components.
            if LEMS_DOCUMENTATION.contains(&child_el.name.as_str())
                && !self.type_by_name.contains_key(&child_el.name)
            {
                continue;
            }
            let Some(child) = self.make(child_el, Some(id)) else {
                continue;
            };
            if let Some(slot) = self.slot_for(id, child_el, child) {
                self.comps[id.0 as usize].children.push((slot, child));
            }
        }
        Some(id)
    }

    /// The type of a component element: `type=`, else the type of the parent's Child slot of
    /// that name, else the element name.
    fn element_type(&mut self, el: &Element, parent_ty: Option<&ComponentType>) -> Option<TypeId> {
        let (name, span) = match el.attr("type") {
            Some(a) => (a.value.as_str(), a.value_span),
            None if el.name == "Component" => {
                self.diags.push(
                    Diagnostic::at(el.name_span, "<Component> without a type")
                        .with_note("expected type=\"...\" naming a ComponentType"),
                );
                return None;
            }
            None => {
                let slot_type = parent_ty.and_then(|t| {
                    t.child
                        .iter()
                        .find(|c| c.name == el.name)
                        .and_then(|c| c.type_name.as_deref())
                });
                (slot_type.unwrap_or(el.name.as_str()), el.name_span)
            }
        };
        match self.type_by_name.get(name) {
            Some(&t) => Some(t),
            None => {
                self.diags.push(
                    Diagnostic::at(span, format!("unknown component type '{name}'"))
                        .with_note(similar_note(name, self.type_by_name.keys())),
                );
                None
            }
        }
    }

    /// Which slot of `parent` the nested `child` fills: the Child named like its element,
    /// else the Children list (then the Attachments) whose type the child's type extends.
    fn slot_for(&mut self, parent: CompId, el: &Element, child: CompId) -> Option<String> {
        let pty = self.ty(self.comps[parent.0 as usize].type_id);
        let cty = self.comps[child.0 as usize].type_id;
        if let Some(slot) = pty.child.iter().find(|c| c.name == el.name) {
            let taken = self.comps[parent.0 as usize]
                .children
                .iter()
                .find(|(s, _)| *s == slot.name);
            if let Some(&(_, first)) = taken {
                self.diags.push(
                    Diagnostic::at(
                        el.name_span,
                        format!(
                            "<{}> is given twice in <{}>",
                            el.name, self.elements[parent.0 as usize].name
                        ),
                    )
                    .with_secondary(self.comps[first.0 as usize].span, "first given here")
                    .with_note(format!(
                        "'{}' is a single Child of type {}",
                        slot.name, pty.name
                    )),
                );
                return None;
            }
            if !self.slot_accepts(slot, cty) {
                // A named Child takes the element whatever its type, as in jLEMS, when it
                // has what the declared type offers.
                let missing = slot
                    .type_id
                    .map_or_else(Vec::new, |st| self.missing_members(cty, st));
                self.type_mismatch(el, slot, cty, pty, &missing);
                if !missing.is_empty() {
                    return None;
                }
            }
            return Some(slot.name.clone());
        }
        // jLEMS takes the last matching list.
        let list = pty
            .children
            .iter()
            .rev()
            .find(|s| self.slot_accepts(s, cty));
        let list = list.or_else(|| {
            pty.attachments
                .iter()
                .rev()
                .find(|s| self.slot_accepts(s, cty))
        });
        if let Some(slot) = list {
            return Some(slot.name.clone());
        }
        let mut expected: Vec<String> = pty.child.iter().map(|c| format!("<{}>", c.name)).collect();
        expected.extend(
            pty.children
                .iter()
                .chain(&pty.attachments)
                .map(|c| format!("a {} ({})", c.type_name.as_deref().unwrap_or("?"), c.name)),
        );
        let expected = if expected.is_empty() {
            format!("{} takes no nested components", pty.name)
        } else {
            format!("{} takes {}", pty.name, expected.join(", "))
        };
        self.diags.push(
            Diagnostic::at(
                el.name_span,
                format!(
                    "<{}> (a {}) is not allowed inside <{}>",
                    el.name,
                    self.ty(cty).name,
                    self.elements[parent.0 as usize].name
                ),
            )
            .with_note(expected),
        );
        None
    }

    fn slot_accepts(&self, slot: &TypedSlot, ty: TypeId) -> bool {
        match slot.type_id {
            Some(st) => self.extends(ty, st),
            // An unresolved slot type was reported by the type builder; accept anything.
            None => true,
        }
    }

    fn type_mismatch(
        &mut self,
        el: &Element,
        slot: &TypedSlot,
        cty: TypeId,
        pty: &ComponentType,
        missing: &[String],
    ) {
        let want = slot.type_name.as_deref().unwrap_or("?");
        let span = el.attr("type").map_or(el.name_span, |a| a.value_span);
        let message = format!(
            "<{}> is a {}, which is not a {want}",
            el.name,
            self.ty(cty).name
        );
        let d = if missing.is_empty() {
            Diagnostic::lenient("child-type", message)
        } else {
            Diagnostic::error(message)
                .with_note(format!("it lacks {} of a {want}", missing.join(", ")))
        };
        self.diags.push(d.with_span(span, "").with_note(format!(
            "{} declares '{}' as a Child of type {want}",
            pty.name, slot.name
        )));
    }

    /// Top-level ids are global across all files; a second use is an error.
    fn register_top_level(&mut self, id: CompId, el: &Element) {
        let Some(a) = el.attr("id") else { return };
        match self.by_id.get(&a.value) {
            Some(&first) => {
                let first_span = self.elements[first.0 as usize]
                    .attr("id")
                    .map_or(self.comps[first.0 as usize].span, |a| a.value_span);
                self.diags.push(
                    Diagnostic::at(
                        a.value_span,
                        format!("duplicate component id '{}'", a.value),
                    )
                    .with_secondary(first_span, "first used here"),
                );
            }
            None => {
                self.by_id.insert(a.value.clone(), id);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Pass 2: attributes

    fn read_attributes(&mut self, id: CompId) {
        let el = self.elements[id.0 as usize];
        let ty = self.ty(self.comps[id.0 as usize].type_id);
        for a in &el.attrs {
            self.read_attribute(id, el, ty, a);
        }
        self.apply_fixed(id, ty);
        self.check_missing(el, ty);
    }

    fn read_attribute(&mut self, id: CompId, el: &Element, ty: &'a ComponentType, a: &Attr) {
        let name = a.name.as_str();
        if name == "id" || name == "type" {
            return;
        }
        if name == "extends" {
            self.diags.push(
                Diagnostic::at(
                    a.name_span,
                    "a component extending another component is not supported",
                )
                .with_note(
                    "give the component a type=\"...\" and all its parameter values instead",
                ),
            );
            return;
        }
        if let Some(p) = ty.parameters.iter().find(|p| p.name == name) {
            if let Some(f) = ty.fixed.iter().find(|f| f.parameter == name) {
                self.diags.push(
                    Diagnostic::at(
                        a.name_span,
                        format!(
                            "parameter '{name}' is fixed by {} and cannot be set",
                            ty.name
                        ),
                    )
                    .with_secondary(f.span, "fixed here"),
                );
                return;
            }
            self.push_quantity(id, name, &p.dimension, p.dim, a);
        } else if let Some(p) = ty.properties.iter().find(|p| p.q.name == name) {
            self.push_quantity(id, name, &p.q.dimension, p.q.dim, a);
        } else if ty.texts.iter().chain(&ty.paths).any(|t| t.name == name) {
            self.comps[id.0 as usize]
                .texts
                .push((name.to_string(), a.value.clone(), a.value_span));
        } else if ty.index_parameters.iter().any(|t| t.name == name) {
            match a.value.trim().parse::<u32>() {
                Ok(n) => self.comps[id.0 as usize].params.push(ParamValue {
                    name: name.to_string(),
                    si: f64::from(n),
                    dim: Dim::NONE,
                    written: a.value.clone(),
                    span: a.value_span,
                }),
                Err(_) => self.diags.push(Diagnostic::at(
                    a.value_span,
                    format!(
                        "index parameter '{name}' must be a whole number, found '{}'",
                        a.value
                    ),
                )),
            }
        } else if let Some(slot) = ty
            .component_references
            .iter()
            .chain(&ty.links)
            .find(|s| s.name == name)
        {
            if let Some(target) = self.resolve_reference(id, slot, a) {
                self.comps[id.0 as usize]
                    .refs
                    .push((name.to_string(), target, a.value_span));
            }
        } else if ty.derived_parameters.iter().any(|d| d.q.name == name) {
            // jLEMS leaves the attribute unused and computes the value.
            self.diags.push(
                Diagnostic::lenient(
                    "unused-attribute",
                    format!(
                        "'{name}' is a derived parameter of {}; its value is computed, not \
                         given, so this value is not used",
                        ty.name
                    ),
                )
                .with_span(a.name_span, ""),
            );
        } else if let Some(slots) = child_reference_slots(ty, name) {
            if let Some((slot, target)) = self.resolve_child_reference(id, el, &slots, a) {
                self.comps[id.0 as usize].children.push((slot, target));
                self.sibling_index.remove(&id);
            }
        } else if names_a_port(&ty.structure.items, name) {
            // jLEMS reads an EventConnection's port from the component's attribute of that
            // name, declared or not: keep it, for the connection to check.
            self.comps[id.0 as usize]
                .texts
                .push((name.to_string(), a.value.clone(), a.value_span));
        } else if is_tolerated(name) {
            self.comps[id.0 as usize]
                .extra
                .push((name.to_string(), a.value.clone(), a.value_span));
        } else {
            // jLEMS warns of an unused attribute and goes on; newer NeuroML tools write
            // attributes older core types do not declare (`method` on <Simulation>).
            self.diags.push(
                Diagnostic::lenient(
                    "unused-attribute",
                    format!(
                        "unknown attribute '{name}' on <{}>; it is not used",
                        el.name
                    ),
                )
                .with_span(a.name_span, "")
                .with_note(expected_attributes(ty)),
            );
        }
    }

    fn push_quantity(&mut self, id: CompId, name: &str, dim_name: &str, dim: Dim, a: &Attr) {
        match self.units.quantity(&a.value, a.value_span, dim, dim_name) {
            Ok(si) => self.comps[id.0 as usize].params.push(ParamValue {
                name: name.to_string(),
                si,
                dim,
                written: a.value.clone(),
                span: a.value_span,
            }),
            Err(d) => self.diags.push(d),
        }
    }

    /// A ComponentReference or Link: a sibling with that id (kinetic schemes link their local
    /// states), else a top-level component; its type must be the slot's type or extend it.
    /// The first child of `parent` other than `me` whose id is `wanted`.
    fn sibling(&mut self, parent: CompId, me: CompId, wanted: &str) -> Option<CompId> {
        const INDEX_FROM: usize = 16;
        let children = &self.comps[parent.0 as usize].children;
        if children.len() < INDEX_FROM {
            return children
                .iter()
                .map(|&(_, c)| c)
                .find(|&c| c != me && self.comps[c.0 as usize].id.as_deref() == Some(wanted));
        }
        let comps = &self.comps;
        let index = self.sibling_index.entry(parent).or_insert_with(|| {
            let mut index: HashMap<String, Vec<CompId>> = HashMap::new();
            for &(_, c) in &comps[parent.0 as usize].children {
                if let Some(cid) = &comps[c.0 as usize].id {
                    index.entry(cid.clone()).or_default().push(c);
                }
            }
            index
        });
        index.get(wanted)?.iter().copied().find(|&c| c != me)
    }

    fn resolve_reference(&mut self, id: CompId, slot: &TypedSlot, a: &Attr) -> Option<CompId> {
        let want = slot.type_name.as_deref().unwrap_or("component");
        let parent = self.comps[id.0 as usize].parent;
        let sibling = parent.and_then(|p| self.sibling(p, id, &a.value));
        let Some(target) = sibling.or_else(|| self.by_id.get(&a.value).copied()) else {
            self.diags.push(
                no_component_with_id(a, want)
                    .with_note(format!("'{}' refers to a component by its id", slot.name)),
            );
            return None;
        };
        let tty = self.comps[target.0 as usize].type_id;
        if let Some(st) = slot.type_id {
            if !self.reference_accepts(st, tty) {
                let missing = self.missing_members(tty, st);
                // jLEMS does not check the type of a reference: a component with every
                // exposure and port of the declared type runs there.
                let d = if missing.is_empty() {
                    Diagnostic::lenient("reference-type", "")
                } else {
                    Diagnostic::error("").with_note(format!(
                        "it lacks {} of {}",
                        missing.join(", "),
                        with_article(want)
                    ))
                };
                self.diags.push(
                    Diagnostic {
                        message: format!(
                            "'{}' is {}, but '{}' must refer to {}",
                            a.value,
                            with_article(&self.ty(tty).name),
                            slot.name,
                            with_article(want)
                        ),
                        ..d
                    }
                    .with_span(a.value_span, "")
                    .with_secondary(self.comps[target.0 as usize].span, "defined here"),
                );
            }
        }
        Some(target)
    }

    /// A Child given by reference (`<cell morphology="m1">`): the top-level component with that
    /// id fills the first of `slots` whose type it has, as if it were nested. Errors (unknown id,
    /// wrong type, the Child also nested) point at the attribute's value.
    fn resolve_child_reference(
        &mut self,
        id: CompId,
        el: &Element,
        slots: &[&'a TypedSlot],
        a: &Attr,
    ) -> Option<(String, CompId)> {
        let want = slots[0].type_name.as_deref().unwrap_or("component");
        let Some(&target) = self.by_id.get(a.value.trim()) else {
            self.diags.push(
                no_component_with_id(a, want)
                    .with_note(format!("'{}' names a top-level <{want}> by its id", a.name))
                    .with_note(similar_note(&a.value, self.by_id.keys())),
            );
            return None;
        };
        let tty = self.comps[target.0 as usize].type_id;
        let Some(slot) = slots.iter().find(|s| self.slot_accepts(s, tty)) else {
            self.diags.push(
                Diagnostic::at(
                    a.value_span,
                    format!(
                        "'{}' is {}, but '{}' must refer to {}",
                        a.value,
                        with_article(&self.ty(tty).name),
                        a.name,
                        with_article(want)
                    ),
                )
                .with_secondary(self.comps[target.0 as usize].span, "defined here"),
            );
            return None;
        };
        let nested = self.comps[id.0 as usize]
            .children
            .iter()
            .find(|(s, _)| slots.iter().any(|slot| slot.name == *s))
            .map(|&(_, c)| c);
        if let Some(nested) = nested {
            self.diags.push(
                Diagnostic::at(
                    a.value_span,
                    format!(
                        "<{}> has its {} both nested and by reference",
                        el.name, a.name
                    ),
                )
                .with_secondary(self.comps[nested.0 as usize].span, "nested here")
                .with_note("give one of them only"),
            );
            return None;
        }
        Some((slot.name.clone(), target))
    }

    fn apply_fixed(&mut self, id: CompId, ty: &ComponentType) {
        for f in &ty.fixed {
            let Some(p) = ty.parameters.iter().find(|p| p.name == f.parameter) else {
                continue;
            };
            match self.units.quantity(&f.value, f.span, p.dim, &p.dimension) {
                Ok(si) => self.comps[id.0 as usize].params.push(ParamValue {
                    name: p.name.clone(),
                    si,
                    dim: p.dim,
                    written: f.value.clone(),
                    span: f.span,
                }),
                Err(d) => self.diags.push(d),
            }
        }
    }

    /// jLEMS refuses a component that leaves a parameter without a value.
    fn check_missing(&mut self, el: &Element, ty: &ComponentType) {
        // A value that was given but could not be read is reported already.
        let given = |name: &str| el.attr(name).is_some();
        let missing: Vec<&str> = ty
            .parameters
            .iter()
            .filter(|p| !given(&p.name) && !ty.fixed.iter().any(|f| f.parameter == p.name))
            .map(|p| p.name.as_str())
            .collect();
        if missing.is_empty() {
            return;
        }
        let list = missing
            .iter()
            .map(|m| format!("'{m}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let plural = if missing.len() == 1 { "" } else { "s" };
        self.diags.push(
            Diagnostic::at(
                el.name_span,
                format!("<{}> has no value for parameter{plural} {list}", el.name),
            )
            .with_note(format!("{} needs every parameter it declares", ty.name)),
        );
    }

    // -----------------------------------------------------------------------------------------
    // Derived parameters and the target

    /// Evaluates the `value=` DerivedParameters from the component's parameters (and the ones
    /// already derived); `select=` ones need the instance tree and are left to later stages.
    fn evaluate_derived(&mut self, id: CompId) {
        let ty = self.ty(self.comps[id.0 as usize].type_id);
        let pending: Vec<_> = ty
            .derived_parameters
            .iter()
            .filter(|d| d.value.is_some())
            .collect();
        let mut done: Vec<ParamValue> = Vec::new();
        // Repeat while progress is made, so a derived parameter may use another.
        loop {
            let before = done.len();
            for d in &pending {
                if done.iter().any(|p| p.name == d.q.name) {
                    continue;
                }
                let comp = &self.comps[id.0 as usize];
                let lookup = |n: &str| {
                    comp.param(n)
                        .or_else(|| done.iter().find(|p| p.name == n))
                        .map(|p| p.si)
                        .or_else(|| ty.constants.iter().find(|c| c.q.name == n).map(|c| c.value))
                };
                let mut no_random = || f64::NAN;
                let expr = d.value.as_ref().expect("filtered on value");
                if let Ok(v) = expr::eval(expr, &lookup, &mut no_random) {
                    done.push(ParamValue {
                        name: d.q.name.clone(),
                        si: v,
                        dim: d.q.dim,
                        written: String::new(),
                        span: d.q.span,
                    });
                }
            }
            if done.len() == before {
                break;
            }
        }
        self.comps[id.0 as usize].derived = done;
    }

    fn resolve_target(&mut self, docs: &[Document]) -> Option<CompId> {
        let mut target = None;
        for doc in docs.iter().filter(|d| d.kind == DocKind::Lems) {
            for el in doc.root.children_named("Target") {
                let Some(a) = el.attr("component") else {
                    self.diags.push(
                        Diagnostic::at(el.name_span, "<Target> without a component")
                            .with_note("expected component=\"...\" naming the simulation to run"),
                    );
                    continue;
                };
                match self.by_id.get(&a.value) {
                    Some(&c) if target.is_none() => target = Some(c),
                    Some(_) => {}
                    None => self.diags.push(
                        Diagnostic::at(
                            a.value_span,
                            format!("no component with id '{}' to run", a.value),
                        )
                        .with_note(similar_note(&a.value, self.by_id.keys())),
                    ),
                }
            }
        }
        target
    }
}

/// True for `<prefix:name>`: the element's `<` is not right before its (local) name.
fn has_namespace_prefix(el: &Element) -> bool {
    el.name_span.start > el.span.start + 1
}

/// The Child slots an attribute may fill by reference: NeuroML lets a `<cell>` name its
/// morphology and biophysics by id instead of nesting them (jNeuroML reads them as children).
/// The slot named like the attribute comes first, then its variants (`cell2CaPools` has
/// `biophysicalProperties2CaPools`). None when the attribute is not such a reference.
fn child_reference_slots<'t>(ty: &'t ComponentType, name: &str) -> Option<Vec<&'t TypedSlot>> {
    if !CHILD_REFERENCE_ATTRIBUTES.contains(&name) {
        return None;
    }
    let mut slots: Vec<&TypedSlot> = ty.child.iter().filter(|c| c.name == name).collect();
    slots.extend(
        ty.child
            .iter()
            .filter(|c| c.name != name && c.name.starts_with(name)),
    );
    (!slots.is_empty()).then_some(slots)
}

/// Whether an EventConnection of these Structure items takes its `sourcePort` or `targetPort`
/// from an attribute called `name`.
fn names_a_port(items: &[StructureItem], name: &str) -> bool {
    items.iter().any(|item| match item {
        StructureItem::EventConnection(ec) => {
            ec.source_port.as_deref() == Some(name) || ec.target_port.as_deref() == Some(name)
        }
        StructureItem::ForEach { body, .. } => names_a_port(body, name),
        _ => false,
    })
}

fn is_tolerated(name: &str) -> bool {
    TOLERATED_ATTRIBUTES.contains(&name)
        || NEUROML_SCHEMA_ATTRIBUTES.contains(&name)
        || name == "xmlns"
        || name.contains(':')
}

fn expected_attributes(ty: &ComponentType) -> String {
    let mut names: Vec<&str> = Vec::new();
    names.extend(
        ty.parameters
            .iter()
            .filter(|p| !ty.fixed.iter().any(|f| f.parameter == p.name))
            .map(|p| p.name.as_str()),
    );
    names.extend(ty.properties.iter().map(|p| p.q.name.as_str()));
    names.extend(
        ty.texts
            .iter()
            .chain(&ty.paths)
            .chain(&ty.index_parameters)
            .map(|t| t.name.as_str()),
    );
    names.extend(
        ty.component_references
            .iter()
            .chain(&ty.links)
            .map(|s| s.name.as_str()),
    );
    if names.is_empty() {
        format!("{} takes no attributes but id", ty.name)
    } else {
        format!("expected one of: id, {}", names.join(", "))
    }
}

/// The error for a reference attribute whose value is no component id, located at the
/// value; `want` is the type the reference expects.
fn no_component_with_id(a: &Attr, want: &str) -> Diagnostic {
    Diagnostic::at(
        a.value_span,
        format!(
            "no component with id '{}'; expected {}",
            a.value,
            with_article(want)
        ),
    )
}

fn with_article(word: &str) -> String {
    let vowel = word
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {word}", if vowel { "an" } else { "a" })
}
