//! NeuroML documents read as jNeuroML reads them: LEMS definitions inside `<neuroml>`, and a
//! cell's morphology and biophysics given by reference to top-level elements.

use crate::model::component::CompId;
use crate::model::Model;
use crate::passes::support::{segment_count, segment_ids};
use crate::pipeline::Checked;
use crate::test_support::{check_files, messages};

fn model(c: &Checked) -> &Model {
    assert!(c.ok(), "{:#?}", messages(c));
    c.model.as_ref().unwrap()
}

fn by_id(m: &Model, id: &str) -> CompId {
    m.component_by_id[id]
}

fn child_in(m: &Model, comp: CompId, slot: &str) -> Option<CompId> {
    m.component(comp)
        .children
        .iter()
        .find(|(s, _)| s == slot)
        .map(|(_, c)| *c)
}

const MORPHOLOGY: &str = r#"
    <morphology id="morph">
        <segment id="0" name="soma">
            <proximal x="0" y="0" z="0" diameter="10"/>
            <distal x="0" y="10" z="0" diameter="10"/>
        </segment>
        <segment id="1" name="dend">
            <parent segment="0"/>
            <distal x="0" y="30" z="0" diameter="2"/>
        </segment>
    </morphology>"#;

const BIOPHYSICS: &str = r#"
    <biophysicalProperties id="bio">
        <membraneProperties>
            <spikeThresh value="0 mV"/>
            <specificCapacitance value="1 uF_per_cm2"/>
            <initMembPotential value="-65 mV"/>
        </membraneProperties>
        <intracellularProperties>
            <resistivity value="0.1 kohm_cm"/>
        </intracellularProperties>
    </biophysicalProperties>"#;

fn neuroml(body: &str) -> String {
    format!("<neuroml id=\"doc\">\n{body}\n</neuroml>\n")
}

#[test]
fn component_types_dimensions_and_units_inside_neuroml_are_read_as_lems() {
    let doc = neuroml(
        r#"
    <Dimension name="per_length" l="-1"/>
    <Unit symbol="per_um" dimension="per_length" power="6"/>
    <ComponentType name="myRate" extends="baseVoltageDepTime">
        <Constant name="TIME_SCALE" dimension="time" value="1 ms"/>
        <Parameter name="k" dimension="per_length"/>
        <Dynamics>
            <DerivedVariable name="t" dimension="time" exposure="t" value="TIME_SCALE * 2"/>
        </Dynamics>
    </ComponentType>
    <myRate id="rate1" k="3 per_um"/>"#,
    );
    let c = check_files(&[("defs.nml", &doc)]);
    let m = model(&c);
    let rate = m.component(by_id(m, "rate1"));
    assert_eq!(m.ty(rate.type_id).name, "myRate");
    assert_eq!(
        m.type_named("myRate")
            .unwrap()
            .dynamics
            .derived_variables
            .len(),
        1
    );
    // 3 per micrometre is 3e6 per metre.
    assert!((rate.param("k").unwrap().si - 3e6).abs() < 1e-6);
    assert!(m.units.units.contains_key("per_um"));
}

#[test]
fn a_type_defined_in_neuroml_serves_a_component_of_an_including_file() {
    let types = neuroml(
        r#"
    <ComponentType name="fixedTau" extends="baseVoltageDepTime">
        <Constant name="TAU" dimension="time" value="2 ms"/>
        <Dynamics>
            <DerivedVariable name="t" dimension="time" exposure="t" value="TAU"/>
        </Dynamics>
    </ComponentType>"#,
    );
    let user = neuroml(r#"<include href="types.nml"/><fixedTau id="tau1"/>"#);
    let c = check_files(&[("user.nml", &user), ("types.nml", &types)]);
    let m = model(&c);
    assert_eq!(m.ty(m.component(by_id(m, "tau1")).type_id).name, "fixedTau");
}

#[test]
fn a_cell_gets_its_referenced_morphology_and_biophysics_as_children() {
    let doc = neuroml(&format!(
        r#"{MORPHOLOGY}{BIOPHYSICS}
    <cell id="c1" morphology="morph" biophysicalProperties="bio"/>"#
    ));
    let c = check_files(&[("cell.nml", &doc)]);
    let m = model(&c);
    let cell = by_id(m, "c1");
    assert_eq!(child_in(m, cell, "morphology"), Some(by_id(m, "morph")));
    assert_eq!(
        child_in(m, cell, "biophysicalProperties"),
        Some(by_id(m, "bio"))
    );
    // The references are children now, not metadata kept verbatim.
    assert!(m.component(cell).extra.is_empty());
    assert_eq!(segment_count(m, cell), 2);
    assert_eq!(segment_ids(m, cell).collect::<Vec<_>>(), ["0", "1"]);
}

#[test]
fn a_referenced_morphology_may_be_defined_in_another_file() {
    let parts = neuroml(&format!("{MORPHOLOGY}{BIOPHYSICS}"));
    let cell = neuroml(
        r#"<include href="parts.nml"/>
    <cell id="c1" morphology="morph" biophysicalProperties="bio"/>"#,
    );
    let c = check_files(&[("cell.nml", &cell), ("parts.nml", &parts)]);
    let m = model(&c);
    assert_eq!(segment_count(m, by_id(m, "c1")), 2);
}

#[test]
fn an_unknown_morphology_id_is_located_at_the_attribute() {
    let doc = neuroml(&format!(
        r#"{MORPHOLOGY}{BIOPHYSICS}
    <cell id="c1" morphology="morf" biophysicalProperties="bio"/>"#
    ));
    let c = check_files(&[("cell.nml", &doc)]);
    assert_eq!(
        messages(&c),
        ["error: no component with id 'morf'; expected a morphology @ morf"]
    );
    let notes = &c.diagnostics.list[0].notes;
    assert!(notes.iter().any(|n| n.contains("morph")), "{notes:?}");
}

#[test]
fn a_reference_to_a_component_of_the_wrong_type_is_refused() {
    let doc = neuroml(&format!(
        r#"{MORPHOLOGY}{BIOPHYSICS}
    <cell id="c1" morphology="bio" biophysicalProperties="bio"/>"#
    ));
    let c = check_files(&[("cell.nml", &doc)]);
    assert_eq!(
        messages(&c),
        [
            "error: 'bio' is a biophysicalProperties, but 'morphology' must refer to a \
             morphology @ bio"
        ]
    );
}

#[test]
fn a_morphology_both_nested_and_referenced_is_refused() {
    let nested = MORPHOLOGY.replace("id=\"morph\"", "id=\"inner\"");
    let doc = neuroml(&format!(
        r#"{MORPHOLOGY}{BIOPHYSICS}
    <cell id="c1" morphology="morph" biophysicalProperties="bio">{nested}</cell>"#
    ));
    let c = check_files(&[("cell.nml", &doc)]);
    assert_eq!(
        messages(&c),
        ["error: <cell> has its morphology both nested and by reference @ morph"]
    );
}
