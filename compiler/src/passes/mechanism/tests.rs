//! Mechanisms inlined from the official examples.

use std::path::PathBuf;

use super::{inline, DerivedValue, External, InlineOptions, MExpr, MechanismPlan};
use crate::ir::{InstId, Ir};
use crate::model::Model;
use crate::pipeline::{check, CheckOptions};

fn example(name: &str) -> (Model, Ir) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/neuroml2/LEMSexamples")
        .join(name);
    let checked = check(&[path], &CheckOptions::default());
    assert!(checked.ok(), "{name} checks");
    (checked.model.unwrap(), checked.ir.unwrap())
}

fn at(ir: &Ir, path: &str) -> InstId {
    (0..ir.instances.len() as u32)
        .map(InstId)
        .find(|&i| ir.path_of(i) == path)
        .unwrap_or_else(|| panic!("no instance {path}"))
}

fn plan(model: &Model, ir: &Ir, path: &str, voltage_is_state: bool) -> MechanismPlan {
    let opts = InlineOptions {
        voltage_is_state,
        ..Default::default()
    };
    inline(model, ir, at(ir, path), &opts).unwrap_or_else(|d| panic!("{path}: {d:#?}"))
}

fn derived<'p>(p: &'p MechanismPlan, name: &str) -> &'p DerivedValue {
    &p.derived
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no derived {name}"))
        .value
}

#[test]
fn hh_point_cell_inlines_channels_and_gates() {
    let (model, ir) = example("LEMS_NML2_Ex1_HH.xml");
    let p = plan(&model, &ir, "hhpop[0]", true);
    let states: Vec<&str> = p.states.iter().map(|s| s.name.as_str()).collect();
    assert!(states.contains(&"v"), "{states:?}");
    assert!(p.states.iter().any(|s| s.name == "v" && s.is_voltage));
    assert!(
        states.iter().any(|s| s.ends_with("/m/q")),
        "gate states are inlined: {states:?}"
    );
    // Children before parents: a gate's rates before the gate, the gate before its channel.
    let pos = |name: &str| {
        p.derived
            .iter()
            .position(|d| d.name.ends_with(name))
            .unwrap_or_else(|| panic!("no derived {name}"))
    };
    assert!(pos("naChans/na/m/forwardRate/r") < pos("naChans/na/m/alpha"));
    assert!(pos("naChans/na/m/fcond") < pos("naChans/na/fopen"));
    assert!(pos("naChans/na/fopen") < pos("iChannels"));
    assert!(p.externals.is_empty(), "{:?}", p.externals);
    assert!(p.rates.iter().any(|r| r.state == "v"));
}

#[test]
fn channel_reads_voltage_from_the_simulator() {
    let (model, ir) = example("LEMS_NML2_Ex5_DetCell.xml");
    let p = plan(
        &model,
        &ir,
        "hhpop[0]/biophysicalProperties/membraneProperties/naChans/naChan",
        false,
    );
    assert_eq!(p.externals, vec![External::Voltage]);
    assert!(p.names.values().any(|n| n == "m/q"));
    assert!(matches!(
        derived(&p, "fopen"),
        DerivedValue::Value(MExpr::Bin(..)) | DerivedValue::Value(MExpr::Var(_))
    ));
}

#[test]
fn synapse_attachments_of_a_cell_are_not_inlined() {
    let (model, ir) = example("LEMS_NML2_Ex0_IaF.xml");
    for m in &ir.populations[0].members {
        let p = plan(&model, &ir, &ir.path_of(*m), true);
        assert!(p.rates.iter().any(|r| r.state == "v"));
    }
}

#[test]
fn filtered_selects_pick_the_members_of_one_ion() {
    // Ex15's cell: `caConc` sums `speciesList[ion='ca']/concentration` and `iCa` the
    // `channelDensities[ion='ca']`: both must read the calcium members, not an empty set.
    let (model, ir) = example("LEMS_NML2_Ex15_CaDynamics.xml");
    let p = plan(&model, &ir, &ir.path_of(ir.populations[0].members[0]), true);
    let reads_something = |name: &str| match derived(&p, name) {
        DerivedValue::Value(MExpr::Num(_)) => false,
        DerivedValue::Value(_) => true,
        DerivedValue::Cases(_) => true,
    };
    assert!(reads_something(
        "biophysicalProperties/intracellularProperties/caConc"
    ));
    assert!(reads_something(
        "biophysicalProperties/membraneProperties/totChanDensCurrentDensityCa"
    ));
    // ... and only them: the potassium densities stay out of the calcium sum.
    let DerivedValue::Value(ca) = derived(
        &p,
        "biophysicalProperties/membraneProperties/totChanDensCurrentDensityCa",
    ) else {
        panic!("a sum")
    };
    assert!(matches!(ca, MExpr::Var(_)), "one calcium density: {ca:?}");
}
