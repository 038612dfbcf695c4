//! Structure instantiation on small models written for the purpose, and the located errors
//! of paths that do not resolve.

use std::path::{Path, PathBuf};

use lemsc::diag::render;
use lemsc::ir::Ir;
use lemsc::{check, passes, CheckOptions};

/// A fresh folder for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lemsc-ir-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    dir
}

/// Checks `text` written to `dir/name`: the IR, or every diagnostic rendered.
fn lower_text(dir: &Path, name: &str, text: &str) -> Result<Ir, String> {
    let file = dir.join(name);
    std::fs::write(&file, text).expect("write model");
    let checked = check(&[file], &CheckOptions::default());
    let rendered = render(&checked.sources, &checked.diagnostics.list, false);
    if !checked.ok() {
        return Err(rendered);
    }
    let model = checked.model.expect("model");
    let (ir, diags) = passes::lower(&model);
    ir.ok_or_else(|| render(&checked.sources, &diags.list, false))
}

fn ex1_with(old: &str, new: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/neuroml2/LEMSexamples/LEMS_NML2_Ex1_HH.xml");
    let text = std::fs::read_to_string(path).expect("Ex1");
    assert!(text.contains(old), "Ex1 has no {old}");
    text.replacen(old, new, 1)
}

const ALL_TO_ALL: &str = r#"<Lems>
    <Include file="Simulation.xml"/>
    <Target component="sim"/>
    <ComponentType name="Cell">
        <EventPort name="spike" direction="out"/>
        <EventPort name="in" direction="in"/>
        <Dynamics>
            <StateVariable name="x" dimension="none"/>
        </Dynamics>
    </ComponentType>
    <ComponentType name="Population">
        <ComponentReference name="component" type="Cell"/>
        <Parameter name="size" dimension="none"/>
        <Structure>
            <MultiInstantiate number="size" component="component"/>
        </Structure>
    </ComponentType>
    <ComponentType name="ConnectionPattern"/>
    <ComponentType name="AllAll" extends="ConnectionPattern">
        <Structure>
            <ForEach instances="../source" as="a">
                <ForEach instances="../target" as="b">
                    <EventConnection from="a" to="b"/>
                </ForEach>
            </ForEach>
        </Structure>
    </ComponentType>
    <ComponentType name="EventConnectivity">
        <Link name="source" type="Population"/>
        <Link name="target" type="Population"/>
        <Child name="Connections" type="ConnectionPattern"/>
    </ComponentType>
    <ComponentType name="Network">
        <Children name="populations" type="Population"/>
        <Children name="connectivities" type="EventConnectivity"/>
    </ComponentType>
    <Cell id="c"/>
    <Network id="net">
        <Population id="p1" component="c" size="2"/>
        <Population id="p2" component="c" size="3"/>
        <EventConnectivity id="conn" source="p1" target="p2">
            <Connections type="AllAll"/>
        </EventConnectivity>
    </Network>
    <Simulation id="sim" length="1ms" step="0.1ms" target="net" seed="7">
        <OutputFile id="f" fileName="x.dat">
            <OutputColumn id="x" quantity="p2[2]/x"/>
        </OutputFile>
    </Simulation>
</Lems>
"#;

#[test]
fn for_each_over_linked_populations_connects_every_pair_in_order() {
    let ir =
        lower_text(&scratch("allall"), "allall.xml", ALL_TO_ALL).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ir.simulation.seed, Some(7));
    let pairs: Vec<(String, String)> = ir
        .event_connections
        .iter()
        .map(|c| (ir.path_of(c.source), ir.path_of(c.target)))
        .collect();
    let want: Vec<(String, String)> = (0..2)
        .flat_map(|a| (0..3).map(move |b| (format!("p1[{a}]"), format!("p2[{b}]"))))
        .collect();
    assert_eq!(pairs, want);
    for c in &ir.event_connections {
        assert_eq!(
            (c.source_port.as_str(), c.target_port.as_str()),
            ("spike", "in")
        );
        assert_eq!(c.receiver, None);
        assert_eq!(c.delay, 0.0);
    }
    let column = &ir.output_files[0].columns[0];
    assert_eq!(column.target.inst, ir.population("p2").unwrap().members[2]);
}

#[test]
fn unknown_variable_of_a_gate_lists_what_it_has() {
    // An OutputColumn: a Display's Line that reads nothing is only a warning.
    let text = ex1_with(
        "<OutputColumn id=\"v\" quantity=\"hhpop[0]/v\"/>",
        "<OutputColumn id=\"v\" quantity=\"hhpop[0]/naChans/na/m/q2\"/>",
    );
    let err = lower_text(&scratch("q2"), "ex1_q2.xml", &text).expect_err("q2 is no variable");
    assert!(
        err.contains("'q2' is not a variable of gate 'm' (gateHHrates); it has: q, "),
        "{err}"
    );
    assert!(err.contains("ex1_q2.xml:87:66"), "{err}");
}

#[test]
fn unknown_population_names_the_network_and_its_populations() {
    let text = ex1_with(
        "<OutputColumn id=\"v\" quantity=\"hhpop[0]/v\"/>",
        "<OutputColumn id=\"v\" quantity=\"hhpop2[0]/v\"/>",
    );
    let err = lower_text(&scratch("pop"), "ex1_pop.xml", &text).expect_err("no hhpop2");
    assert!(
        err.contains("no population 'hhpop2' in network 'net1'; populations: hhpop"),
        "{err}"
    );
    assert!(err.contains("ex1_pop.xml:87:"), "{err}");
}

#[test]
fn event_selection_needs_an_out_port_of_the_selected_cell() {
    let text = ALL_TO_ALL.replace(
        "</Simulation>",
        r#"<EventOutputFile id="ev" fileName="s.spikes" format="TIME_ID">
            <EventSelection id="0" select="p1[1]" eventPort="spikes"/>
        </EventOutputFile>
    </Simulation>"#,
    );
    let err = lower_text(&scratch("port"), "port.xml", &text).expect_err("no port spikes");
    assert!(
        err.contains("'spikes' is not an out-port of 'p1[1]' (Cell 'c'); its out-ports: spike"),
        "{err}"
    );
    let good = text.replace("eventPort=\"spikes\"", "eventPort=\"spike\"");
    let ir =
        lower_text(&scratch("port_ok"), "port_ok.xml", &good).unwrap_or_else(|e| panic!("{e}"));
    let sel = &ir.event_output_files[0].selections[0];
    assert_eq!((sel.id.as_str(), sel.port.as_str()), ("0", "spike"));
    assert_eq!(sel.inst, ir.population("p1").unwrap().members[1]);
}

#[test]
fn a_connection_to_a_missing_cell_is_located_at_its_path() {
    let text = r#"<Lems>
    <Include file="NeuroML2CoreTypes.xml"/>
    <Include file="Simulation.xml"/>
    <Target component="sim"/>
    <iafCell id="iaf" leakReversal="-65mV" thresh="-50mV" reset="-65mV" C="1nF" leakConductance="10nS"/>
    <expOneSynapse id="syn" gbase="1nS" erev="0mV" tauDecay="2ms"/>
    <network id="net">
        <population id="pop" component="iaf" size="2"/>
        <projection id="proj" presynapticPopulation="pop" postsynapticPopulation="pop" synapse="syn">
            <connection id="0" preCellId="../pop[0]" postCellId="../pop[7]"/>
        </projection>
    </network>
    <Simulation id="sim" length="1ms" step="0.1ms" target="net"/>
</Lems>
"#;
    let err = lower_text(&scratch("conn"), "conn.xml", text).expect_err("pop[7] is missing");
    assert!(err.contains("cannot resolve '../pop[7]'"), "{err}");
    assert!(err.contains("indices 0 to 1"), "{err}");
    assert!(err.contains("conn.xml:10:"), "{err}");
    let fixed = text.replace("../pop[7]", "../pop[1]");
    let ir =
        lower_text(&scratch("conn_ok"), "conn_ok.xml", &fixed).unwrap_or_else(|e| panic!("{e}"));
    let c = &ir.event_connections[0];
    assert_eq!(c.target, ir.population("pop").unwrap().members[1]);
    let syn = c.receiver.expect("a synapse on the post cell");
    assert_eq!(ir.path_of(syn), "pop[1]/syn");
}

#[test]
fn a_component_that_contains_itself_is_an_error_not_a_hang() {
    let text = r#"<Lems>
    <Include file="Simulation.xml"/>
    <Target component="sim"/>
    <ComponentType name="Loop">
        <ComponentReference name="next" type="Loop"/>
        <Structure>
            <ChildInstance component="next"/>
        </Structure>
    </ComponentType>
    <Loop id="a" next="a"/>
    <Simulation id="sim" length="1ms" step="0.1ms" target="a"/>
</Lems>
"#;
    let err = lower_text(&scratch("loop"), "loop.xml", text).expect_err("endless nesting");
    assert!(err.contains("nest more than 64 levels"), "{err}");
    assert!(err.contains("loop.xml:10:"), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}

#[test]
fn a_population_too_large_to_build_is_refused_at_its_size() {
    let text = ALL_TO_ALL.replace("size=\"3\"", "size=\"3e9\"");
    let err = lower_text(&scratch("huge"), "huge.xml", &text).expect_err("too many");
    assert!(err.contains("at most 2000000 instances"), "{err}");
    assert!(err.contains("huge.xml:40:"), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}
