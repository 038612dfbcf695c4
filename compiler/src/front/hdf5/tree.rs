//! What was read from a NeuroML HDF5 file, as the `<neuroml>` element tree its XML form gives:
//! the elements libNeuroML's HDF5 reader rebuilds the document with.
//!
//! Populations come first, then projections, electrical and continuous projections, then input
//! lists (the order of the NeuroML schema), each kind in the file's order. Cells are named by
//! path (`../pop/3/cell`) in populations listed with instances and by index (`../pop[3]`)
//! otherwise, as that reader names them.

use std::collections::HashMap;
use std::path::Path;

use crate::diag::{Diagnostic, FileId, SourceMap, Span};
use crate::front::syntax::{Attr, Element};
use crate::front::xml::parse_element_tree;

use super::layout::{located, Group, Table};

/// The file being read, for locations and messages.
pub struct Source<'a> {
    pub canonical: &'a Path,
    /// The path shown in diagnostics.
    pub display: &'a str,
    /// The include's span; problems with the file are reported there.
    pub at: Option<Span>,
}

/// The attribute of `/neuroml` holding the document's other elements as XML.
const EMBEDDED_XML: &str = "neuroml_top_level";

/// The outline's file, the root element and the warnings.
pub type Built = (FileId, Element, Vec<Diagnostic>);

/// Builds the `<neuroml>` element from the `/neuroml` group, registering the file's outline
/// (and its embedded XML, if any) in the source map.
pub fn build(neuroml: &Group, file: &Source, sources: &mut SourceMap) -> Result<Built, Diagnostic> {
    let (outline, spans) = outline(neuroml, file, sources);
    let mut b = Builder {
        file,
        outline,
        spans,
        pops: HashMap::new(),
        warnings: Vec::new(),
        extra: Vec::new(),
    };
    let mut root = b.element("neuroml", &neuroml.path);
    if let Some(id) = b.attr(neuroml, "id")? {
        b.set(&mut root, "id", id, &neuroml.path);
    }
    if let Some(xml) = b.attr(neuroml, EMBEDDED_XML)? {
        root.children = embedded_elements(xml, file, sources)?;
    }
    let mut network = None;
    for g in &neuroml.groups {
        if g.name() == "network" && network.is_none() {
            network = Some(b.network(g)?);
        } else {
            b.ignored(&g.path);
        }
    }
    root.children.append(&mut b.extra);
    root.children.extend(network);
    Ok((outline, root, b.warnings))
}

/// Registers the outline (one line per HDF5 object, the path) and gives each object's span.
fn outline(
    neuroml: &Group,
    file: &Source,
    sources: &mut SourceMap,
) -> (FileId, HashMap<String, Span>) {
    fn walk(g: &Group, text: &mut String, ranges: &mut Vec<(String, usize)>) {
        let mut line = |path: &str| {
            ranges.push((path.to_owned(), text.len()));
            text.push_str(path);
            text.push('\n');
        };
        line(&g.path);
        for t in &g.tables {
            line(&t.path);
        }
        for sub in &g.groups {
            walk(sub, text, ranges);
        }
    }
    let mut text = String::new();
    let mut ranges = Vec::new();
    walk(neuroml, &mut text, &mut ranges);
    let id = sources.add(file.canonical.to_path_buf(), file.display.to_owned(), text);
    let spans = ranges
        .into_iter()
        .map(|(path, start)| {
            let span = Span::new(id, start, start + path.len());
            (path, span)
        })
        .collect();
    (id, spans)
}

/// The children of the embedded `<neuroml>` document, parsed with their own spans.
fn embedded_elements(
    xml: String,
    file: &Source,
    sources: &mut SourceMap,
) -> Result<Vec<Element>, Diagnostic> {
    let mut path = file.canonical.as_os_str().to_owned();
    path.push(format!("#{EMBEDDED_XML}"));
    let shown = format!("{}[/neuroml {EMBEDDED_XML}]", file.display);
    let id = sources.add(path.into(), shown, xml);
    let root = parse_element_tree(sources, id)?;
    if root.name != "neuroml" {
        return Err(Diagnostic::at(
            root.name_span,
            format!(
                "expected <neuroml> as the root element, found <{}>",
                root.name
            ),
        ));
    }
    Ok(root.children)
}

/// A population as connections and inputs need it.
struct PopInfo {
    component: String,
    /// Listed with instances: cells are named `../pop/i/component`, else `../pop[i]`.
    listed: bool,
}

/// The kinds of group a network holds, by name prefix.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Population,
    Projection,
    Input,
}

fn kind_of(g: &Group) -> Option<Kind> {
    let name = g.name();
    if name.starts_with("population_") {
        Some(Kind::Population)
    } else if name.starts_with("projection_") {
        Some(Kind::Projection)
    } else if name.starts_with("inputList_") || name.starts_with("input_list_") {
        Some(Kind::Input)
    } else {
        None
    }
}

/// The three projection types, in the order the schema lists them.
const PROJECTION_TYPES: [&str; 3] = ["projection", "electricalProjection", "continuousProjection"];

struct Builder<'a> {
    file: &'a Source<'a>,
    outline: FileId,
    spans: HashMap<String, Span>,
    pops: HashMap<String, PopInfo>,
    warnings: Vec<Diagnostic>,
    /// Elements the document needs besides the network (silent synapses).
    extra: Vec<Element>,
}

type Res<T> = Result<T, Diagnostic>;

impl Builder<'_> {
    fn span(&self, object: &str) -> Span {
        self.spans
            .get(object)
            .copied()
            .unwrap_or(Span::new(self.outline, 0, 0))
    }

    fn error(&self, object: &str, message: impl AsRef<str>) -> Diagnostic {
        located(self.file.at, self.file.display, object, message.as_ref())
    }

    fn ignored(&mut self, object: &str) {
        let message = format!(
            "{}: ignored HDF5 object {object}, which is not part of NeuroML's HDF5 layout",
            self.file.display
        );
        let span = self.file.at.unwrap_or(self.span(object));
        self.warnings
            .push(Diagnostic::warning(message).with_span(span, ""));
    }

    /// An element located at an HDF5 object's outline line.
    fn element(&self, name: &str, object: &str) -> Element {
        let span = self.span(object);
        Element {
            name: name.to_owned(),
            name_span: span,
            span,
            attrs: Vec::new(),
            children: Vec::new(),
            text: String::new(),
            text_span: None,
        }
    }

    fn set(&self, el: &mut Element, name: &str, value: String, object: &str) {
        let span = self.span(object);
        el.attrs.push(Attr {
            name: name.to_owned(),
            name_span: span,
            value,
            value_span: span,
        });
    }

    /// An element with attributes, all located at `object`.
    fn element_with(&self, name: &str, object: &str, attrs: Vec<(&str, String)>) -> Element {
        let mut el = self.element(name, object);
        for (n, v) in attrs {
            self.set(&mut el, n, v, object);
        }
        el
    }

    /// A group's attribute as text, `None` when absent.
    fn attr(&self, g: &Group, name: &str) -> Res<Option<String>> {
        match g.attrs.iter().find(|(n, _)| n == name) {
            None => Ok(None),
            Some((_, Ok(v))) => Ok(Some(v.clone())),
            Some((_, Err(why))) => {
                Err(self.error(&g.path, format!("cannot read attribute '{name}': {why}")))
            }
        }
    }

    fn required(&self, g: &Group, name: &str) -> Res<String> {
        self.attr(g, name)?
            .ok_or_else(|| self.error(&g.path, format!("expected an attribute '{name}'")))
    }

    fn network(&mut self, g: &Group) -> Res<Element> {
        let mut net = self.element("network", &g.path);
        self.set(&mut net, "id", self.required(g, "id")?, &g.path);
        if let Some(t) = self.attr(g, "temperature")?.filter(|t| !t.is_empty()) {
            self.set(&mut net, "type", "networkWithTemperature".into(), &g.path);
            self.set(&mut net, "temperature", t, &g.path);
        }
        if let Some(notes) = self.attr(g, "notes")?.filter(|n| !n.is_empty()) {
            let mut el = self.element("notes", &g.path);
            el.text = notes;
            el.text_span = Some(self.span(&g.path));
            net.children.push(el);
        }
        let mut by_kind: Vec<(Kind, &Group)> = Vec::new();
        for sub in &g.groups {
            match kind_of(sub) {
                Some(kind) => by_kind.push((kind, sub)),
                None => self.ignored(&sub.path),
            }
        }
        // Populations first: connections and inputs name cells after their population.
        for (_, sub) in by_kind.iter().filter(|(k, _)| *k == Kind::Population) {
            let pop = self.population(sub)?;
            net.children.push(pop);
        }
        let mut projections: Vec<(usize, Element)> = Vec::new();
        for (_, sub) in by_kind.iter().filter(|(k, _)| *k == Kind::Projection) {
            projections.push(self.projection(sub)?);
        }
        // A stable sort keeps the file's order within each type.
        projections.sort_by_key(|(rank, _)| *rank);
        net.children
            .extend(projections.into_iter().map(|(_, el)| el));
        for (_, sub) in by_kind.iter().filter(|(k, _)| *k == Kind::Input) {
            let list = self.input_list(sub)?;
            net.children.push(list);
        }
        Ok(net)
    }

    /// The group's dataset: the one named after the element's id, else its only one.
    fn table<'g>(&self, g: &'g Group, id: &str) -> Res<Option<&'g Table>> {
        if let Some(t) = g.tables.iter().find(|t| t.name() == id) {
            return Ok(Some(t));
        }
        match &g.tables[..] {
            [] => Ok(None),
            [only] => Ok(Some(only)),
            _ => Err(self.error(
                &g.path,
                format!("several datasets and none named '{id}': cannot tell which holds the data"),
            )),
        }
    }

    fn population(&mut self, g: &Group) -> Res<Element> {
        let id = self.required(g, "id")?;
        let component = self.required(g, "component")?;
        let object = &g.path;
        let mut pop = self.element_with(
            "population",
            object,
            vec![("id", id.clone()), ("component", component.clone())],
        );
        let table = self.table(g, &id)?.filter(|t| t.rows > 0);
        match table {
            Some(t) => {
                self.set(&mut pop, "size", t.rows.to_string(), object);
                self.set(&mut pop, "type", "populationList".into(), object);
            }
            None => {
                if let Some(size) = self.attr(g, "size")? {
                    self.set(&mut pop, "size", size, object);
                }
            }
        }
        for (name, _) in &g.attrs {
            if let Some(tag) = name.strip_prefix("property:") {
                let value = self.required(g, name)?;
                let property = self.element_with(
                    "property",
                    object,
                    vec![("tag", tag.into()), ("value", value)],
                );
                pop.children.push(property);
            }
        }
        if let Some(t) = table {
            pop.children.extend(self.instances(t)?);
        }
        let listed = table.is_some();
        self.pops.insert(id, PopInfo { component, listed });
        Ok(pop)
    }

    /// One `<instance>` with its `<location>` per row.
    fn instances(&self, t: &Table) -> Res<Vec<Element>> {
        let named = |n: &str| self.column(t, n);
        let (id, x, y, z) = match (named("id")?, named("x")?, named("y")?, named("z")?) {
            (id, Some(x), Some(y), Some(z)) => (id, x, y, z),
            // Unnamed columns: x, y, z, or id, x, y, z.
            (None, None, None, None) if t.width == 3 => (None, 0, 1, 2),
            (None, None, None, None) if t.width == 4 => (Some(0), 1, 2, 3),
            _ => return Err(self.error(
                &t.path,
                "expected columns named x, y and z (column_N attributes) for the cell locations",
            )),
        };
        let mut out = Vec::with_capacity(t.rows);
        for row in 0..t.rows {
            let index = match id {
                Some(c) => self.index(t, row, c)?,
                None => row as u64,
            };
            let mut instance =
                self.element_with("instance", &t.path, vec![("id", index.to_string())]);
            let location = self.element_with(
                "location",
                &t.path,
                vec![
                    ("x", number(t, t.value(row, x))),
                    ("y", number(t, t.value(row, y))),
                    ("z", number(t, t.value(row, z))),
                ],
            );
            instance.children.push(location);
            out.push(instance);
        }
        Ok(out)
    }

    /// The index of the column a `column_N` attribute names.
    fn column(&self, t: &Table, name: &str) -> Res<Option<usize>> {
        match t.columns.iter().find(|(_, n)| n == name) {
            None => Ok(None),
            Some(&(i, _)) if i < t.width => Ok(Some(i)),
            Some(&(i, _)) => Err(self.error(
                &t.path,
                format!(
                    "column_{i} ('{name}') is past the table's {} columns",
                    t.width
                ),
            )),
        }
    }

    fn required_column(&self, t: &Table, name: &str) -> Res<usize> {
        self.column(t, name)?
            .ok_or_else(|| self.error(&t.path, format!("expected a column named '{name}'")))
    }

    /// A cell index or id: a whole number, not negative.
    fn index(&self, t: &Table, row: usize, col: usize) -> Res<u64> {
        let v = t.value(row, col);
        if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 {
            return Ok(v as u64);
        }
        let name = t
            .columns
            .iter()
            .find(|(i, _)| *i == col)
            .map_or(String::new(), |(_, n)| format!(" ({n})"));
        Err(self.error(
            &t.path,
            format!(
                "row {row}, column {col}{name}: expected a whole number not below 0, found {}",
                number(t, v)
            ),
        ))
    }

    fn population_info(&self, g: &Group, attr: &str) -> Res<(String, &PopInfo)> {
        let id = self.required(g, attr)?;
        match self.pops.get(&id) {
            Some(info) => Ok((id, info)),
            None => Err(self.error(
                &g.path,
                format!("{attr} '{id}' is not one of the network's populations in this file"),
            )),
        }
    }

    /// A projection element of its type, with the type's rank in the schema's order.
    fn projection(&mut self, g: &Group) -> Res<(usize, Element)> {
        let id = self.required(g, "id")?;
        let ty = self.attr(g, "type")?.unwrap_or_else(|| "projection".into());
        let Some(rank) = PROJECTION_TYPES.iter().position(|t| *t == ty) else {
            return Err(self.error(
                &g.path,
                format!(
                    "unknown projection type '{ty}'; expected one of {}",
                    PROJECTION_TYPES.join(", ")
                ),
            ));
        };
        let (pre, _) = self.population_info(g, "presynapticPopulation")?;
        let (post, _) = self.population_info(g, "postsynapticPopulation")?;
        let mut attrs = vec![
            ("id", id.clone()),
            ("presynapticPopulation", pre),
            ("postsynapticPopulation", post),
        ];
        if ty == "projection" {
            if let Some(synapse) = self.attr(g, "synapse")? {
                attrs.push(("synapse", synapse));
            }
        }
        let mut proj = self.element_with(&ty, &g.path, attrs);
        if let Some(t) = self.table(g, &id)? {
            proj.children = self.connections(g, t, &ty)?;
        }
        Ok((rank, proj))
    }

    fn connections(&mut self, g: &Group, t: &Table, ty: &str) -> Res<Vec<Element>> {
        let cols = ConnectionColumns {
            id: self.column(t, "id")?,
            pre: self.required_column(t, "pre_cell_id")?,
            post: self.required_column(t, "post_cell_id")?,
            pre_segment: self.column(t, "pre_segment_id")?,
            pre_fraction: self.column(t, "pre_fraction_along")?,
            post_segment: self.column(t, "post_segment_id")?,
            post_fraction: self.column(t, "post_fraction_along")?,
            weight: self.column(t, "weight")?,
            delay: self.column(t, "delay")?,
        };
        let (pre_id, pre) = self.population_info(g, "presynapticPopulation")?;
        let (post_id, post) = self.population_info(g, "postsynapticPopulation")?;
        let ends = Ends {
            pre: (pre_id, pre.component.clone(), pre.listed),
            post: (post_id, post.component.clone(), post.listed),
        };
        match ty {
            "projection" => self.chemical(t, &cols, &ends),
            "electricalProjection" => {
                let synapse = self.required(g, "synapse")?;
                self.electrical(t, &cols, &ends, &synapse)
            }
            _ => {
                let post_component = match self.attr(g, "synapse")? {
                    Some(s) => s,
                    None => self.required(g, "postComponent")?,
                };
                let pre_component = match self.attr(g, "preComponent")? {
                    Some(c) => c,
                    None => self.silent_synapse(g)?,
                };
                self.continuous(t, &cols, &ends, &pre_component, &post_component)
            }
        }
    }

    /// A continuous projection without a presynaptic component gets a silent one, as
    /// libNeuroML's reader adds.
    fn silent_synapse(&mut self, g: &Group) -> Res<String> {
        let id = format!("silentSyn_{}", self.required(g, "id")?);
        let el = self.element_with("silentSynapse", &g.path, vec![("id", id.clone())]);
        self.extra.push(el);
        Ok(id)
    }

    /// `<connection>`s, or `<connectionWD>`s when the table has weights or delays.
    fn chemical(&self, t: &Table, c: &ConnectionColumns, ends: &Ends) -> Res<Vec<Element>> {
        let weighted = c.weight.is_some() || c.delay.is_some();
        let name = if weighted {
            "connectionWD"
        } else {
            "connection"
        };
        let mut out = Vec::with_capacity(t.rows);
        for row in 0..t.rows {
            let mut attrs = vec![
                ("id", self.connection_id(t, c, row)?),
                ("preCellId", ends.pre_cell(self.index(t, row, c.pre)?)),
                ("postCellId", ends.post_cell(self.index(t, row, c.post)?)),
            ];
            self.segments(t, c, row, &mut attrs, ["preSegmentId", "postSegmentId"])?;
            if weighted {
                let weight = c.weight.map_or(1.0, |w| t.value(row, w));
                let delay = c.delay.map_or(0.0, |d| t.value(row, d));
                attrs.push(("weight", number(t, weight)));
                // Delays are stored in milliseconds.
                attrs.push(("delay", format!("{}ms", number(t, delay))));
            }
            out.push(self.element_with(name, &t.path, attrs));
        }
        Ok(out)
    }

    fn electrical(
        &self,
        t: &Table,
        c: &ConnectionColumns,
        ends: &Ends,
        synapse: &str,
    ) -> Res<Vec<Element>> {
        let listed = ends.pre.2 || ends.post.2;
        let mut out = Vec::with_capacity(t.rows);
        for row in 0..t.rows {
            let weight = c.weight.map_or(1.0, |w| t.value(row, w));
            let (name, mut attrs) =
                self.gap_ends(t, c, ends, row, listed, weight, "electricalConnection")?;
            attrs.push(("synapse", synapse.to_owned()));
            out.push(self.element_with(name, &t.path, attrs));
        }
        Ok(out)
    }

    fn continuous(
        &self,
        t: &Table,
        c: &ConnectionColumns,
        ends: &Ends,
        pre_component: &str,
        post_component: &str,
    ) -> Res<Vec<Element>> {
        let listed = ends.pre.2 || ends.post.2;
        let mut out = Vec::with_capacity(t.rows);
        for row in 0..t.rows {
            let weight = c.weight.map_or(1.0, |w| t.value(row, w));
            if !listed && weight != 1.0 {
                return Err(self.error(
                    &t.path,
                    format!(
                        "row {row}: a weight other than 1 needs populations listed with \
                         instances (NeuroML's continuousConnection has no weight)"
                    ),
                ));
            }
            let (name, mut attrs) =
                self.gap_ends(t, c, ends, row, listed, weight, "continuousConnection")?;
            attrs.push(("preComponent", pre_component.to_owned()));
            attrs.push(("postComponent", post_component.to_owned()));
            out.push(self.element_with(name, &t.path, attrs));
        }
        Ok(out)
    }

    /// The element name and the cell, segment and fraction attributes of an electrical or
    /// continuous connection: `base` with cell indices, `baseInstance` with cell paths, or
    /// `baseInstanceW` with a weight.
    #[allow(clippy::too_many_arguments)]
    fn gap_ends(
        &self,
        t: &Table,
        c: &ConnectionColumns,
        ends: &Ends,
        row: usize,
        listed: bool,
        weight: f64,
        base: &'static str,
    ) -> Res<(&'static str, Vec<(&'static str, String)>)> {
        let pre = self.index(t, row, c.pre)?;
        let post = self.index(t, row, c.post)?;
        let (name, pre, post) = if !listed {
            (base, pre.to_string(), post.to_string())
        } else {
            let name = match (base, weight == 1.0) {
                ("electricalConnection", true) => "electricalConnectionInstance",
                ("electricalConnection", false) => "electricalConnectionInstanceW",
                (_, true) => "continuousConnectionInstance",
                (_, false) => "continuousConnectionInstanceW",
            };
            (name, ends.pre_cell(pre), ends.post_cell(post))
        };
        let mut attrs = vec![
            ("id", self.connection_id(t, c, row)?),
            ("preCell", pre),
            ("postCell", post),
        ];
        self.segments(t, c, row, &mut attrs, ["preSegment", "postSegment"])?;
        if listed && weight != 1.0 {
            attrs.push(("weight", number(t, weight)));
        }
        Ok((name, attrs))
    }

    /// The connection's id: its `id` column, else its row.
    fn connection_id(&self, t: &Table, c: &ConnectionColumns, row: usize) -> Res<String> {
        Ok(match c.id {
            Some(col) => self.index(t, row, col)?.to_string(),
            None => row.to_string(),
        })
    }

    /// Segment and fraction-along attributes for the columns the table has, left out where
    /// they are the defaults (segment 0, halfway along): index-addressed gap junctions
    /// declare no such attributes, and single-compartment cells need none.
    fn segments(
        &self,
        t: &Table,
        c: &ConnectionColumns,
        row: usize,
        attrs: &mut Vec<(&'static str, String)>,
        [pre_segment, post_segment]: [&'static str; 2],
    ) -> Res<()> {
        let ends = [
            (
                c.pre_segment,
                c.pre_fraction,
                pre_segment,
                "preFractionAlong",
            ),
            (
                c.post_segment,
                c.post_fraction,
                post_segment,
                "postFractionAlong",
            ),
        ];
        for (segment, fraction, segment_name, fraction_name) in ends {
            if let Some(col) = segment {
                let s = self.index(t, row, col)?;
                if s != 0 {
                    attrs.push((segment_name, s.to_string()));
                }
            }
            if let Some(col) = fraction {
                let f = t.value(row, col);
                if f != 0.5 {
                    attrs.push((fraction_name, number(t, f)));
                }
            }
        }
        Ok(())
    }

    fn input_list(&self, g: &Group) -> Res<Element> {
        let id = self.required(g, "id")?;
        let component = self.required(g, "component")?;
        let (population, info) = self.population_info(g, "population")?;
        let cell = |i: u64| cell_name(&population, &info.component, info.listed, i);
        let mut list = self.element_with(
            "inputList",
            &g.path,
            vec![
                ("id", id.clone()),
                ("population", population.clone()),
                ("component", component),
            ],
        );
        let Some(t) = self.table(g, &id)? else {
            return Ok(list);
        };
        let id_col = self.column(t, "id")?;
        let target = self.required_column(t, "target_cell_id")?;
        let segment = self.column(t, "segment_id")?;
        let fraction = self.column(t, "fraction_along")?;
        let weight = self.column(t, "weight")?;
        for row in 0..t.rows {
            let input_id = match id_col {
                Some(c) => self.index(t, row, c)?,
                None => row as u64,
            };
            let mut attrs = vec![
                ("id", input_id.to_string()),
                ("target", cell(self.index(t, row, target)?)),
                ("destination", "synapses".to_owned()),
            ];
            // Written only when not the defaults (segment 0, halfway along), as the reader does.
            if let Some(c) = segment {
                let s = self.index(t, row, c)?;
                if s != 0 {
                    attrs.push(("segmentId", s.to_string()));
                }
            }
            if let Some(c) = fraction {
                let f = t.value(row, c);
                if f != 0.5 {
                    attrs.push(("fractionAlong", number(t, f)));
                }
            }
            let w = weight.map_or(1.0, |c| t.value(row, c));
            let name = if w == 1.0 { "input" } else { "inputW" };
            if w != 1.0 {
                attrs.push(("weight", number(t, w)));
            }
            list.children.push(self.element_with(name, &t.path, attrs));
        }
        Ok(list)
    }
}

/// Where a connection table's columns are.
struct ConnectionColumns {
    id: Option<usize>,
    pre: usize,
    post: usize,
    pre_segment: Option<usize>,
    pre_fraction: Option<usize>,
    post_segment: Option<usize>,
    post_fraction: Option<usize>,
    weight: Option<usize>,
    delay: Option<usize>,
}

/// The two populations a projection joins: id, component, listed with instances.
struct Ends {
    pre: (String, String, bool),
    post: (String, String, bool),
}

impl Ends {
    fn pre_cell(&self, i: u64) -> String {
        cell_name(&self.pre.0, &self.pre.1, self.pre.2, i)
    }

    fn post_cell(&self, i: u64) -> String {
        cell_name(&self.post.0, &self.post.1, self.post.2, i)
    }
}

fn cell_name(population: &str, component: &str, listed: bool, i: u64) -> String {
    if listed {
        format!("../{population}/{i}/{component}")
    } else {
        format!("../{population}[{i}]")
    }
}

impl Table {
    fn value(&self, row: usize, col: usize) -> f64 {
        self.values[row * self.width + col]
    }
}

/// A number as XML would hold it: the shortest digits that read back to the stored value.
fn number(t: &Table, v: f64) -> String {
    if t.single {
        format!("{}", v as f32)
    } else {
        format!("{v}")
    }
}
