//! The simulation IR of the official LEMS examples: instance trees, populations, connections,
//! inputs and recorders, checked against facts read from the example files.

use std::path::PathBuf;

use lemsc::diag::{render, SourceMap};
use lemsc::ir::{InstId, Ir};
use lemsc::model::Model;
use lemsc::passes;
use lemsc::{check, CheckOptions};

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/neuroml2/LEMSexamples")
}

/// Checks and lowers one example; panics with the rendered diagnostics if either fails.
fn lower(name: &str) -> (Ir, Model, SourceMap) {
    let checked = check(&[examples_dir().join(name)], &CheckOptions::default());
    let rendered = render(&checked.sources, &checked.diagnostics.list, false);
    assert!(checked.ok(), "{name} does not check:\n{rendered}");
    let model = checked.model.expect("checked model");
    let (ir, diags) = passes::lower(&model);
    let ir = ir.unwrap_or_else(|| {
        panic!(
            "{name} does not lower:\n{}",
            render(&checked.sources, &diags.list, false)
        )
    });
    let problems = lemsc::ir::validate::validate(&ir);
    assert!(
        problems.is_empty(),
        "{name}: inconsistent IR: {problems:#?}"
    );
    (ir, model, checked.sources)
}

fn member(ir: &Ir, population: &str, index: usize) -> InstId {
    ir.population(population)
        .unwrap_or_else(|| panic!("no population {population}"))
        .members[index]
}

fn comp_id(model: &Model, ir: &Ir, inst: InstId) -> String {
    model
        .component(ir.inst(inst).component)
        .id
        .clone()
        .unwrap_or_default()
}

#[test]
fn every_example_but_the_multi_compartment_one_lowers_for_the_native_target() {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("LEMSexamples")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("LEMS_NML2_Ex") && n.ends_with(".xml"))
        .collect();
    names.sort();
    assert!(names.len() >= 30, "found only {names:?}");
    for name in names.iter().filter(|n| !n.contains("Ex25")) {
        let (ir, model, sources) = lower(name);
        assert!(
            passes::support::multi_compartment_cells(&model, &ir).is_empty(),
            "{name} has a multi-compartment cell"
        );
        let recorded = ir
            .output_files
            .iter()
            .map(|f| f.columns.len())
            .sum::<usize>()
            + ir.display_lines.len()
            + ir.event_output_files.len();
        assert!(recorded > 0, "{name} records nothing");
    }
}

#[test]
fn hh_example_has_one_cell_with_its_gates_and_resolved_recorders() {
    let (ir, model, _) = lower("LEMS_NML2_Ex1_HH.xml");
    assert_eq!(ir.simulation.length, 0.15);
    assert!((ir.simulation.step - 1e-5).abs() < 1e-18);
    assert_eq!(ir.simulation.seed, None);
    assert_eq!(ir.simulation.seed_or_default(), 1234);
    assert_eq!(ir.populations.len(), 1);
    let pop = &ir.populations[0];
    assert_eq!(pop.name, "hhpop");
    assert_eq!(pop.members.len(), 1);
    let cell = pop.members[0];
    let m = ir
        .descendant(cell, "naChans/na/m")
        .expect("the cell holds naChans/na/m");
    assert_eq!(
        model.ty(model.component(ir.inst(m).component).type_id).name,
        "gateHHrates"
    );
    let na_m = ir
        .display_lines
        .iter()
        .find(|l| l.id == "na_m")
        .expect("line na_m");
    assert_eq!(na_m.target.inst, m);
    assert_eq!(na_m.target.variable, "q");
    assert_eq!(ir.path_of(m), "hhpop[0]/naChans/na/m");
    // The pulse generator is an input attached to the cell's synapses.
    assert_eq!(ir.inputs.len(), 1);
    assert_eq!(ir.inputs[0].cell, cell);
    assert_eq!(ir.inputs[0].destination, "synapses");
    assert_eq!(
        (
            ir.inputs[0].cell_port.as_str(),
            ir.inputs[0].input_port.as_str()
        ),
        ("spike", "in")
    );
    assert_eq!(comp_id(&model, &ir, ir.inputs[0].input), "pulseGen1");
    assert_eq!(
        ir.population_of(cell).map(|(p, i)| (p.name.as_str(), i)),
        Some(("hhpop", 0))
    );
    let file = &ir.output_files[0];
    assert_eq!(
        (file.id.as_str(), file.file_name.as_str()),
        ("of0", "results/hh_v.dat")
    );
    assert_eq!(file.columns.len(), 1);
    assert_eq!(file.columns[0].target.inst, cell);
    assert_eq!(file.columns[0].target.variable, "v");
}

#[test]
fn iaf_example_has_four_single_cell_populations() {
    let (ir, _, _) = lower("LEMS_NML2_Ex0_IaF.xml");
    let names: Vec<&str> = ir.populations.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["iafTauPop", "iafTauRefPop", "iafRefPop", "iafPop"]);
    assert!(ir.populations.iter().all(|p| p.members.len() == 1));
    let columns: Vec<String> = ir.output_files[0]
        .columns
        .iter()
        .map(|c| format!("{}/{}", ir.path_of(c.target.inst), c.target.variable))
        .collect();
    assert_eq!(
        columns,
        [
            "iafTauPop[0]/v",
            "iafTauRefPop[0]/v",
            "iafPop[0]/v",
            "iafRefPop[0]/v"
        ]
    );
}

#[test]
fn weights_example_has_connections_with_their_delays_and_weights() {
    // NML2_Weights.nml: prePop (3 cells) and postPop (9 cells) given as instance lists;
    // connection 0 plain, 1 and 2 with weight 0.5 / 2 and delay 20 ms / 40 ms.
    let (ir, model, _) = lower("LEMS_NML2_Ex26_Weights.xml");
    assert_eq!(ir.population("prePop").unwrap().members.len(), 3);
    assert_eq!(ir.population("postPop").unwrap().members.len(), 9);
    let got: Vec<(String, String, f64, Option<f64>)> = ir
        .event_connections
        .iter()
        .map(|c| {
            let weight = c.assigned.iter().find(|(p, _)| p == "weight").map(|w| w.1);
            (ir.path_of(c.source), ir.path_of(c.target), c.delay, weight)
        })
        .collect();
    let want = [
        ("prePop/0/hhcell", "postPop/0/hhcell", 0.0, None),
        ("prePop/0/hhcell", "postPop/1/hhcell", 0.02, Some(0.5)),
        ("prePop/0/hhcell", "postPop/2/hhcell", 0.04, Some(2.0)),
    ];
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert_eq!((g.0.as_str(), g.1.as_str()), (w.0, w.1));
        assert!((g.2 - w.2).abs() < 1e-15, "delay {} != {}", g.2, w.2);
        assert_eq!(g.3, w.3);
    }
    for c in &ir.event_connections {
        assert_eq!(
            (c.source_port.as_str(), c.target_port.as_str()),
            ("spike", "in")
        );
        let receiver = c.receiver.expect("a synapse made for the connection");
        assert_eq!(ir.inst(receiver).parent, Some(c.target));
        assert_eq!(comp_id(&model, &ir, receiver), "syn1");
    }
    // Gap junctions and graded synapses: one coupling instance at each end.
    assert_eq!(ir.tunnels.len(), 6);
    for t in &ir.tunnels {
        assert_eq!(ir.inst(t.at_a).parent, Some(t.end_a));
        assert_eq!(ir.inst(t.at_b).parent, Some(t.end_b));
    }
    assert_eq!(ir.inputs.len(), 3);
}

#[test]
fn pynn_example_connects_with_projection_delays_and_weights() {
    let (ir, _, _) = lower("LEMS_NML2_Ex14_PyNN.xml");
    let got: Vec<(f64, f64)> = ir
        .event_connections
        .iter()
        .map(|c| (c.delay, c.assigned[0].1))
        .collect();
    assert_eq!(got, [(0.01, 0.01), (0.02, 0.005), (0.03, 1.0), (0.04, 0.5)]);
}

#[test]
fn gap_junction_example_joins_the_two_cells_both_ways() {
    let (ir, model, _) = lower("LEMS_NML2_Ex19_GapJunctions.xml");
    assert_eq!(ir.tunnels.len(), 1);
    let t = &ir.tunnels[0];
    assert_eq!(t.name, "peer");
    assert_eq!(t.end_a, member(&ir, "iafPop1", 0));
    assert_eq!(t.end_b, member(&ir, "iafPop2", 0));
    assert_eq!(comp_id(&model, &ir, t.at_a), "gj1");
    assert_eq!(comp_id(&model, &ir, t.at_b), "gj1");
}

#[test]
fn spike_time_example_resolves_event_selections() {
    let (ir, _, _) = lower("LEMS_NML2_Ex23_Spiketimes.xml");
    let file = ir
        .event_output_files
        .iter()
        .find(|f| f.id == "iaf_spikes")
        .expect("iaf_spikes");
    assert_eq!(file.file_name, "results/ex23.iaf.spikes");
    assert_eq!(file.format, "TIME_ID");
    for (k, sel) in file.selections.iter().enumerate() {
        assert_eq!(sel.id, k.to_string());
        assert_eq!(sel.inst, member(&ir, "iafPop", k));
        assert_eq!(sel.port, "spike");
    }
}

#[test]
fn the_multi_compartment_cell_is_found_for_the_cable_lowering() {
    let (ir, model, _) = lower("LEMS_NML2_Ex25_MultiComp.xml");
    let cells = passes::support::multi_compartment_cells(&model, &ir);
    assert_eq!(cells.len(), 1);
    assert_eq!(
        model.component(cells[0]).id.as_deref(),
        Some("MultiCompCell")
    );
    assert!(passes::support::segment_count(&model, cells[0]) > 1);
    // Its recorders name segments of the cell.
    let seg = ir.display_lines.iter().find(|l| l.target.segment.is_some());
    assert!(seg.is_some());
}

#[test]
fn emitted_ir_is_the_same_on_every_run() {
    let (ir, model, _) = lower("LEMS_NML2_Ex1_HH.xml");
    let first = lemsc::ir::print::print(&ir, &model);
    let (ir2, model2, _) = lower("LEMS_NML2_Ex1_HH.xml");
    assert_eq!(first, lemsc::ir::print::print(&ir2, &model2));
    assert!(first.contains("hhpop: 1 x hhpointcell"), "{first}");
    assert!(first.contains("na_m: hhpop[0]/naChans/na/m/q"), "{first}");
}

#[test]
fn spike_array_children_send_their_spikes_to_the_array() {
    // NML2_Inputs.nml: spikeArray "spkArr" has five <spike> children, each an event source
    // connected to its parent (With instance="parent").
    let (ir, _, _) = lower("LEMS_NML2_Ex16_Inputs.xml");
    let array = member(&ir, "spikeArrPop", 0);
    let from_children: Vec<_> = ir
        .event_connections
        .iter()
        .filter(|c| ir.inst(c.source).parent == Some(array))
        .collect();
    assert_eq!(from_children.len(), 5);
    for c in from_children {
        assert_eq!(c.target, array);
        assert_eq!(
            (c.source_port.as_str(), c.target_port.as_str()),
            ("spike", "in")
        );
    }
}
