//! Paths of connections and inputs as NeuroML writes them into `populationList`s.

use crate::ir::Ir;
use crate::pipeline::Checked;
use crate::test_support::{check_files, messages};

/// A network of two iafCells in a populationList, driven by one input whose target is
/// `target`; checked and lowered.
fn network_with_input_to(target: &str) -> Checked {
    let net = format!(
        r#"<neuroml id="net">
    <iafCell id="iaf" leakReversal="-50mV" thresh="-55mV" reset="-70mV" C="0.2nF" leakConductance="0.01uS"/>
    <pulseGenerator id="pulse" delay="10ms" duration="50ms" amplitude="0.5nA"/>
    <network id="network">
        <population id="pop" component="iaf" type="populationList" size="2">
            <instance id="0"><location x="0" y="0" z="0"/></instance>
            <instance id="1"><location x="1" y="0" z="0"/></instance>
        </population>
        <inputList id="inputs" component="pulse" population="pop">
            <input id="0" target="{target}" destination="synapses"/>
        </inputList>
    </network>
</neuroml>"#
    );
    let lems = r#"<Lems>
    <Target component="sim"/>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Simulation.xml"/>
    <Include file="net.nml"/>
    <Simulation id="sim" length="100ms" step="0.1ms" target="network"/>
</Lems>"#;
    check_files(&[("LEMS_test.xml", lems), ("net.nml", &net)])
}

fn input_cell_path(ir: &Ir) -> String {
    assert_eq!(ir.inputs.len(), 1);
    ir.path_of(ir.inputs[0].cell)
}

#[test]
fn an_input_reaches_the_cell_named_by_its_population_index_and_id() {
    let c = network_with_input_to("../pop/1/iaf");
    assert!(
        c.ok() && c.diagnostics.list.is_empty(),
        "{:#?}",
        messages(&c)
    );
    assert_eq!(input_cell_path(c.ir.as_ref().unwrap()), "pop/1/iaf");
}

#[test]
fn a_wrong_cell_id_after_population_and_index_is_a_warning_and_the_index_decides() {
    let c = network_with_input_to("../pop/1/otherCell");
    // Both Withs of the input resolve the path; the warning is given once.
    assert_eq!(
        messages(&c),
        [
            "warning: '../pop/1/otherCell': the cell of instance '1' is 'iaf', not 'otherCell'; \
          using 'iaf' @ ../pop/1/otherCell"
        ]
    );
    assert!(c.ok());
    assert_eq!(input_cell_path(c.ir.as_ref().unwrap()), "pop/1/iaf");
}

#[test]
fn a_wrong_index_is_still_an_error_given_once() {
    let c = network_with_input_to("../pop/7/iaf");
    assert!(!c.ok());
    // One error for the path; no follow-on errors about the names its With left unbound.
    assert_eq!(
        messages(&c),
        [
            "error: cannot resolve '../pop/7/iaf': no instance '7' in population 'pop' \
          (populationList); instances: 0, 1 @ ../pop/7/iaf"
        ]
    );
}

#[test]
fn a_wrong_name_before_the_last_segment_is_still_an_error() {
    let c = network_with_input_to("../pop/1/otherCell/x");
    assert!(!c.ok());
    assert!(
        messages(&c)
            .iter()
            .any(|l| l.starts_with("error: cannot resolve '../pop/1/otherCell/x'")),
        "{:#?}",
        messages(&c)
    );
}
