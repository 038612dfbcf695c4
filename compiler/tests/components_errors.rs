//! Component building: each kind of bad input gives one located error, and good input gives
//! the parameters, references, children and derived values it should.

use std::path::PathBuf;

use lemsc::diag::{plain_lines, SourceMap};
use lemsc::front::syntax::{DocKind, Document};
use lemsc::front::xml::parse_element_tree;
use lemsc::model::{self, Model};

/// Types for the tests: a cell with gates that have a rate child, a population referring to
/// cells, and a simulation target.
const TYPES: &str = r#"<Lems>
<Dimension name="none"/>
<Dimension name="voltage" m="1" l="2" t="-3" i="-1"/>
<Dimension name="time" t="1"/>
<Unit symbol="mV" dimension="voltage" power="-3"/>
<Unit symbol="ms" dimension="time" power="-3"/>
<ComponentType name="rate"><Parameter name="r" dimension="none"/></ComponentType>
<ComponentType name="fastRate" extends="rate"/>
<ComponentType name="gate">
  <Parameter name="n" dimension="none"/>
  <Child name="forward" type="rate"/>
</ComponentType>
<ComponentType name="cell">
  <Parameter name="v0" dimension="voltage"/>
  <Parameter name="tau" dimension="time"/>
  <DerivedParameter name="v2" dimension="voltage" value="v1 * 2"/>
  <DerivedParameter name="v1" dimension="voltage" value="v0 * 3"/>
  <Children name="gates" type="gate"/>
  <Text name="label"/>
</ComponentType>
<ComponentType name="fixedCell" extends="cell"><Fixed parameter="tau" value="5ms"/></ComponentType>
<ComponentType name="other"/>
<ComponentType name="population">
  <ComponentReference name="component" type="cell"/>
  <Parameter name="size" dimension="none"/>
</ComponentType>
<ComponentType name="Simulation"/>
<ComponentType name="notes"/>
<ComponentType name="property"><Text name="tag"/><Text name="value"/></ComponentType>
<ComponentType name="annotation"><Children name="property" type="property"/></ComponentType>
<ComponentType name="described">
  <Child name="notes" type="notes"/>
  <Child name="annotation" type="annotation"/>
  <Children name="property" type="property"/>
</ComponentType>
<ComponentType name="state"/>
<ComponentType name="transition"><Link name="from" type="state"/><Link name="to" type="state"/></ComponentType>
<ComponentType name="scheme">
  <Children name="states" type="state"/>
  <Children name="transitions" type="transition"/>
</ComponentType>
</Lems>"#;

struct Built {
    sources: SourceMap,
    model: Option<Model>,
    /// Every diagnostic as `file:line:col: severity: message (label); notes`.
    lines: Vec<String>,
}

/// Builds the test types plus `body` (the children of a `<Lems>` root in file `model.xml`,
/// starting on line 2).
fn build(body: &str) -> Built {
    build_with_root(body, DocKind::Lems)
}

fn build_with_root(body: &str, kind: DocKind) -> Built {
    let root = if kind == DocKind::Lems {
        "Lems"
    } else {
        "neuroml"
    };
    let mut sources = SourceMap::new();
    let mut docs = Vec::new();
    for (name, text, kind) in [
        ("types.xml", TYPES.to_string(), DocKind::Lems),
        ("model.xml", format!("<{root}>\n{body}\n</{root}>"), kind),
    ] {
        let file = sources.add(PathBuf::from(name), name.to_string(), text);
        let root = parse_element_tree(&sources, file).expect("test XML parses");
        docs.push(Document {
            file,
            kind,
            root,
            builtin: false,
        });
    }
    let (model, diags) = model::build(&docs, &sources);
    let lines = plain_lines(&sources, &diags.list);
    Built {
        sources,
        model,
        lines,
    }
}

/// The single diagnostic of a build, which must be an error.
fn one_error(body: &str) -> String {
    let b = build(body);
    assert_eq!(
        b.lines.len(),
        1,
        "expected one diagnostic, got {:#?}",
        b.lines
    );
    assert!(b.model.is_none(), "a model came out despite an error");
    assert!(b.lines[0].contains(": error: "), "{}", b.lines[0]);
    b.lines[0].clone()
}

/// The single diagnostic of a build, which must be a warning that leaves the model built.
fn one_warning(body: &str) -> String {
    let b = build(body);
    assert_eq!(
        b.lines.len(),
        1,
        "expected one diagnostic, got {:#?}",
        b.lines
    );
    assert!(b.model.is_some(), "a warning must not stop the build");
    assert!(b.lines[0].contains(": warning: "), "{}", b.lines[0]);
    b.lines[0].clone()
}

fn clean(body: &str) -> Model {
    let b = build(body);
    assert!(b.lines.is_empty(), "unexpected diagnostics: {:#?}", b.lines);
    let _ = &b.sources;
    b.model.expect("model")
}

fn assert_starts(line: &str, prefix: &str) {
    assert!(
        line.starts_with(prefix),
        "expected `{prefix}...`, got `{line}`"
    );
}

#[test]
fn good_components_get_values_children_references_and_derived_parameters() {
    let m = clean(
        r#"<cell id="c1" v0="-65mV" tau="10 ms" label="hello" metaid="m1">
  <gate id="g" n="3"><forward type="fastRate" r="2"/></gate>
</cell>
<Component id="p" type="population" component="c1" size="5"/>
<fixedCell id="c2" v0="1mV"/>
<Simulation id="sim"/>
<Target component="sim"/>"#,
    );
    let c1 = m.component(m.component_by_id["c1"]);
    assert!((c1.param("v0").unwrap().si - -0.065).abs() < 1e-15);
    assert!((c1.param("tau").unwrap().si - 0.010).abs() < 1e-15);
    assert_eq!(c1.text("label"), Some("hello"));
    assert_eq!(c1.extra[0].0, "metaid");
    // v2 depends on v1, declared after it: both evaluated.
    let v2 = c1.derived.iter().find(|p| p.name == "v2").unwrap();
    assert!((v2.si - 2.0 * 3.0 * -0.065).abs() < 1e-12);
    let (slot, gate) = &c1.children[0];
    assert_eq!(slot, "gates");
    let gate = m.component(*gate);
    let (slot, rate) = &gate.children[0];
    assert_eq!(slot, "forward");
    assert_eq!(m.ty(m.component(*rate).type_id).name, "fastRate");
    let p = m.component(m.component_by_id["p"]);
    assert_eq!(p.reference("component"), Some(m.component_by_id["c1"]));
    let c2 = m.component(m.component_by_id["c2"]);
    assert!((c2.param("tau").unwrap().si - 0.005).abs() < 1e-15);
    assert_eq!(m.target, Some(m.component_by_id["sim"]));
}

#[test]
fn unknown_element_type_is_reported_at_the_name_with_suggestions() {
    let e = one_error(r#"<cel id="c1" v0="1mV" tau="1ms"/>"#);
    assert_starts(&e, "model.xml:2:2: error: unknown component type 'cel'");
    assert!(e.contains("similar names: cell"), "{e}");
}

#[test]
fn unknown_type_attribute_is_reported_at_the_value() {
    let e = one_error(r#"<Component id="x" type="popluation"/>"#);
    assert_starts(
        &e,
        "model.xml:2:25: error: unknown component type 'popluation'",
    );
    assert!(e.contains("population"), "{e}");
}

#[test]
fn unknown_attribute_is_a_warning_that_lists_what_the_type_takes() {
    let e = one_warning(r#"<cell id="c" v0="1mV" tau="1ms" foo="3"/>"#);
    assert_starts(
        &e,
        "model.xml:2:33: warning: unknown attribute 'foo' on <cell>",
    );
    assert!(e.contains("expected one of: id, v0, tau, label"), "{e}");
}

#[test]
fn parameter_with_the_wrong_dimension_is_reported_at_the_unit() {
    let e = one_error(r#"<cell id="c" v0="1ms" tau="1ms"/>"#);
    assert_starts(&e, "model.xml:2:19: error: expected a voltage");
}

#[test]
fn parameter_with_an_unknown_unit_is_reported() {
    let e = one_error(r#"<cell id="c" v0="1mV" tau="1hours"/>"#);
    assert_starts(&e, "model.xml:2:29: error: unknown unit 'hours'");
}

#[test]
fn parameter_that_is_not_a_number_is_reported_at_the_value() {
    let e = one_error(r#"<cell id="c" v0="abc" tau="1ms"/>"#);
    assert_starts(&e, "model.xml:2:18: error: ");
}

#[test]
fn missing_parameter_is_reported_at_the_element() {
    let e = one_error(r#"<cell id="c" v0="1mV"/>"#);
    assert_starts(
        &e,
        "model.xml:2:2: error: <cell> has no value for parameter 'tau'",
    );
}

#[test]
fn fixed_parameter_cannot_be_set_again() {
    let e = one_error(r#"<fixedCell id="c" v0="1mV" tau="2ms"/>"#);
    assert_starts(
        &e,
        "model.xml:2:28: error: parameter 'tau' is fixed by fixedCell",
    );
}

#[test]
fn a_value_given_for_a_derived_parameter_is_unused_with_a_warning() {
    let e = one_warning(r#"<cell id="c" v0="1mV" tau="2ms" v1="3mV"/>"#);
    assert_starts(
        &e,
        "model.xml:2:33: warning: 'v1' is a derived parameter of cell",
    );
}

#[test]
fn dangling_reference_names_what_was_expected() {
    let e = one_error(r#"<population id="p" component="c9" size="1"/>"#);
    assert_starts(
        &e,
        "model.xml:2:31: error: no component with id 'c9'; expected a cell",
    );
}

#[test]
fn reference_to_the_wrong_type_is_a_warning_as_jlems_does_not_check_it() {
    let w = one_warning(r#"<other id="o"/><population id="p" component="o" size="1"/>"#);
    assert_starts(
        &w,
        "model.xml:2:46: warning: 'o' is an other, but 'component' must refer to a cell",
    );
}

#[test]
fn duplicate_top_level_id_points_at_the_first() {
    let b = build("<other id=\"o\"/>\n<other id=\"o\"/>");
    assert_eq!(b.lines.len(), 1, "{:#?}", b.lines);
    assert_starts(
        &b.lines[0],
        "model.xml:3:12: error: duplicate component id 'o'",
    );
    let d = &b.lines[0];
    assert!(d.contains("duplicate"), "{d}");
}

#[test]
fn nested_component_that_fits_no_slot_is_reported() {
    let e = one_error(r#"<cell id="c" v0="1mV" tau="1ms"><other/></cell>"#);
    assert_starts(
        &e,
        "model.xml:2:34: error: <other> (a other) is not allowed inside <cell>",
    );
    assert!(e.contains("cell takes a gate (gates)"), "{e}");
}

#[test]
fn single_child_given_twice_is_reported_at_the_second() {
    let e = one_error(r#"<gate n="1"><forward r="1"/><forward r="2"/></gate>"#);
    assert_starts(
        &e,
        "model.xml:2:30: error: <forward> is given twice in <gate>",
    );
}

#[test]
fn child_of_an_incompatible_type_is_a_warning_as_jlems_does_not_check_it() {
    let w = one_warning(r#"<gate n="1"><forward type="other"/></gate>"#);
    assert_starts(
        &w,
        "model.xml:2:28: warning: <forward> is a other, which is not a rate",
    );
}

#[test]
fn dangling_target_is_reported() {
    let e = one_error(r#"<Simulation id="sim"/><Target component="simm"/>"#);
    assert_starts(
        &e,
        "model.xml:2:42: error: no component with id 'simm' to run",
    );
    assert!(e.contains("similar names: sim"), "{e}");
}

#[test]
fn errors_are_all_collected() {
    let b = build(
        "<cel/>\n<cell id=\"c\" v0=\"1\" tau=\"1ms\" x=\"1\"/>\n<Target component=\"nope\"/>",
    );
    assert_eq!(b.lines.len(), 4, "{:#?}", b.lines);
}

#[test]
fn component_prototypes_are_refused_with_a_reason() {
    let e = one_error(r#"<other id="a"/><other id="b" extends="a"/>"#);
    assert_starts(
        &e,
        "model.xml:2:30: error: a component extending another component is not supported",
    );
}

#[test]
fn documentation_elements_inside_components_are_skipped() {
    let m = clean(r#"<gate id="g" n="1"><About>a gate</About><Meta/><forward r="1"/></gate>"#);
    let g = m.component(m.component_by_id["g"]);
    assert_eq!(g.children.len(), 1);
}

#[test]
fn links_resolve_to_siblings_before_top_level_components() {
    let m = clean(
        r#"<state id="c"/>
<scheme id="s1"><state id="c"/><state id="o"/><transition from="c" to="o"/></scheme>
<scheme id="s2"><state id="o"/><state id="c"/><transition from="c" to="o"/></scheme>"#,
    );
    for scheme in ["s1", "s2"] {
        let s = m.component(m.component_by_id[scheme]);
        let child = |slot: &str, k: usize| {
            s.children
                .iter()
                .filter(|(n, _)| n == slot)
                .nth(k)
                .unwrap()
                .1
        };
        let t = m.component(child("transitions", 0));
        let from = t.reference("from").unwrap();
        assert_eq!(m.component(from).parent, Some(m.component_by_id[scheme]));
        assert_eq!(m.component(from).id.as_deref(), Some("c"));
        assert_eq!(
            m.component(t.reference("to").unwrap()).id.as_deref(),
            Some("o")
        );
        assert_eq!(s.children.iter().filter(|(n, _)| n == "states").count(), 2);
    }
}

#[test]
fn neuroml_metadata_rdf_and_includes_are_accepted() {
    let b = build_with_root(
        r#"<include href="other.nml"/>
<described id="d" metaid="m" neuroLexId="sao1">
  <notes>Free text.</notes>
  <annotation>
    <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
      <rdf:Description rdf:about="d"><bqbiol:is><rdf:Bag/></bqbiol:is></rdf:Description>
    </rdf:RDF>
    <property tag="color" value="red"/>
  </annotation>
  <property tag="radius" value="3"/>
</described>"#,
        DocKind::NeuroML,
    );
    assert!(b.lines.is_empty(), "{:#?}", b.lines);
    let m = b.model.unwrap();
    let d = m.component(m.component_by_id["d"]);
    let slots: Vec<&str> = d.children.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(slots, ["notes", "annotation", "property"]);
    let annotation = m.component(d.children[1].1);
    assert_eq!(
        annotation.children.len(),
        1,
        "only the property, not the RDF"
    );
    assert_eq!(
        m.component(annotation.children[0].1).text("value"),
        Some("red")
    );
    let extra: Vec<&str> = d.extra.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(extra, ["metaid", "neuroLexId"]);
}
