//! The linearity analysis on hand-written kernels, and merging on a small network run in the
//! interpreter with and without it.

use lemsc_runtime::engine::{self, Interpreter};
use lemsc_runtime::program::{BinOp, Expr, Kernel, Program, Stmt};

use super::linear::{analyse, Kind};
use super::{merge_linear_synapses, MergeSummary};
use crate::ir::Ir;
use crate::passes::kernels::{build_program, ProgramOptions};
use crate::test_support::check_files;

fn local(s: u32) -> Box<Expr> {
    Box::new(Expr::Local(s))
}

fn bin(op: BinOp, a: Box<Expr>, b: Box<Expr>) -> Box<Expr> {
    Box::new(Expr::Binary(op, a, b))
}

fn set(slot: u32, value: Box<Expr>) -> Stmt {
    Stmt::Set {
        slot,
        value: *value,
    }
}

/// Slots: 0 state `s`, 1 `rate`, 2 `weight`, 3 `v` (linked), 4 `i` (exposed): a one-state
/// conductance synapse, `i = s * (0 - v)`, `s' = -s / tau`, an event adds `weight * 2`.
fn synapse() -> Kernel {
    let c = |x: f64| Box::new(Expr::Const(x));
    Kernel {
        name: "syn".into(),
        block_len: 5,
        link_count: 1,
        slot_names: ["s", "rate", "weight", "v", "i"].map(String::from).to_vec(),
        state_slots: vec![0],
        in_ports: vec!["in".into()],
        init: vec![set(3, Box::new(Expr::Link(0))), set(0, c(0.0))],
        advance: vec![
            set(3, Box::new(Expr::Link(0))),
            set(
                4,
                bin(BinOp::Mul, local(0), bin(BinOp::Sub, c(0.0), local(3))),
            ),
            set(1, bin(BinOp::Div, Box::new(Expr::Neg(local(0))), c(0.005))),
            set(
                0,
                bin(
                    BinOp::Add,
                    local(0),
                    bin(BinOp::Mul, Box::new(Expr::Step), local(1)),
                ),
            ),
        ],
        on_event: vec![vec![set(
            0,
            bin(BinOp::Add, local(0), bin(BinOp::Mul, local(2), c(2.0))),
        )]],
        ..Kernel::default()
    }
}

#[test]
fn a_linear_synapse_is_recognised_and_its_weight_is_per_connection() {
    let a = analyse(&synapse()).expect("linear");
    assert_eq!(a.kinds[0], Kind::Linear);
    assert_eq!(a.kinds[4], Kind::Linear, "i is linear in s");
    assert_eq!(a.kinds[3], Kind::Fixed, "v does not depend on s");
    assert_eq!(a.per_connection, vec![2]);
    assert_eq!(a.handler_constants, vec![2]);
    assert_eq!(a.shared_links, vec![0]);
}

#[test]
fn nonlinear_dynamics_or_handlers_are_refused() {
    let mut squared = synapse();
    squared.advance[2] = set(1, bin(BinOp::Mul, local(0), local(0)));
    assert_eq!(analyse(&squared), None, "s' = s*s");

    let mut offset = synapse();
    offset.advance[1] = set(4, bin(BinOp::Add, local(0), Box::new(Expr::Const(1.0))));
    assert_eq!(analyse(&offset), None, "i = s + 1 has a constant term");

    let mut reset = synapse();
    reset.on_event[0] = vec![set(0, local(2))];
    assert_eq!(
        analyse(&reset),
        None,
        "an event that sets s instead of adding to it"
    );

    let mut facilitating = synapse();
    facilitating.on_event[0] = vec![set(
        0,
        bin(BinOp::Add, local(0), bin(BinOp::Mul, local(0), local(2))),
    )];
    assert_eq!(
        analyse(&facilitating),
        None,
        "an increment that depends on s"
    );

    let mut conditional = synapse();
    conditional.advance.push(Stmt::If {
        test: Expr::Time,
        then: vec![set(0, Box::new(Expr::Const(0.0)))],
    });
    assert_eq!(analyse(&conditional), None, "a condition in the dynamics");

    let mut noisy = synapse();
    noisy.advance[2] = set(1, Box::new(Expr::Random(local(0))));
    assert_eq!(analyse(&noisy), None, "random()");
}

/// Three spike sources into one cell through `fast` (three connections, each its weight and
/// delay) and two through `slow`.
const NETWORK: &str = r#"<Lems>
    <Include file="NeuroML2CoreTypes.xml"/>
    <Include file="Simulation.xml"/>
    <Target component="sim"/>
    <iafCell id="iaf" leakReversal="-65mV" thresh="-50mV" reset="-65mV" C="0.1nF" leakConductance="10nS"/>
    <spikeGenerator id="gen" period="2ms"/>
    <expTwoSynapse id="fast" gbase="5nS" erev="0mV" tauRise="0.5ms" tauDecay="3ms"/>
    <expOneSynapse id="slow" gbase="2nS" erev="-80mV" tauDecay="8ms"/>
    <network id="net">
        <population id="pre" component="gen" size="3"/>
        <population id="post" component="iaf" size="1"/>
        <projection id="pf" presynapticPopulation="pre" postsynapticPopulation="post" synapse="fast">
            <connectionWD id="0" preCellId="../pre[0]" postCellId="../post[0]" weight="0.7" delay="1ms"/>
            <connectionWD id="1" preCellId="../pre[1]" postCellId="../post[0]" weight="1.3" delay="2.5ms"/>
            <connectionWD id="2" preCellId="../pre[2]" postCellId="../post[0]" weight="2.1" delay="0.3ms"/>
        </projection>
        <projection id="ps" presynapticPopulation="pre" postsynapticPopulation="post" synapse="slow">
            <connectionWD id="0" preCellId="../pre[0]" postCellId="../post[0]" weight="0.5" delay="1.2ms"/>
            <connectionWD id="1" preCellId="../pre[2]" postCellId="../post[0]" weight="1.5" delay="4ms"/>
        </projection>
    </network>
    <Simulation id="sim" length="60ms" step="0.01ms" target="net"/>
</Lems>
"#;

fn lowered(text: &str) -> (Ir, Program) {
    let checked = check_files(&[("net.xml", text)]);
    assert!(
        checked.ok(),
        "{:?}",
        crate::test_support::messages(&checked)
    );
    let (model, ir) = (checked.model.unwrap(), checked.ir.unwrap());
    let program =
        build_program(&model, &ir, &ProgramOptions::default()).unwrap_or_else(|d| panic!("{d:?}"));
    (ir, program)
}

/// The value of `v` of the post cell after running `program` in the interpreter, and the
/// events delivered.
fn final_v(ir: &Ir, program: &Program) -> (f64, u64) {
    let report = engine::run(
        program,
        &Interpreter::new(&program.kernels),
        Default::default(),
    )
    .expect("runs");
    let cell = ir.population("post").unwrap().members[0].0 as usize;
    let rec = &program.instances[cell];
    let kernel = &program.kernels[rec.kernel as usize];
    let slot = kernel.slot_names.iter().position(|n| n == "v").unwrap();
    (
        report.final_vars[rec.base as usize + slot],
        report.events_delivered,
    )
}

#[test]
fn merged_synapses_give_the_cell_the_same_input() {
    let (ir, exact) = lowered(NETWORK);
    let mut fast = exact.clone();
    let summary = merge_linear_synapses(&ir, &mut fast);
    assert_eq!(
        summary,
        MergeSummary {
            groups: 2,
            merged: 3
        }
    );
    fast.validate().expect("a valid program");
    let advances = |p: &Program| {
        p.step_order
            .iter()
            .filter(|op| matches!(op, lemsc_runtime::program::Op::Advance { .. }))
            .count()
    };
    assert_eq!(advances(&fast), advances(&exact) - 3);

    let (v_exact, events_exact) = final_v(&ir, &exact);
    let (v_fast, events_fast) = final_v(&ir, &fast);
    assert_eq!(events_fast, events_exact);
    // The inputs moved v well away from rest, so a lost or unweighted event would show.
    assert!((v_exact - -0.065).abs() > 1e-3, "v = {v_exact}");
    assert!(
        (v_fast - v_exact).abs() <= 1e-12 * v_exact.abs(),
        "fast {v_fast} vs exact {v_exact}"
    );
}

#[test]
fn equal_weights_would_hide_a_lost_weight_so_they_differ_here() {
    // With every weight set to 1 the merged run must change: the weights reach the cell.
    let (ir, exact) = lowered(NETWORK);
    let uniform = NETWORK
        .replace("weight=\"0.7\"", "weight=\"1\"")
        .replace("weight=\"1.3\"", "weight=\"1\"")
        .replace("weight=\"2.1\"", "weight=\"1\"");
    let (ir_u, program_u) = lowered(&uniform);
    let mut fast = exact.clone();
    merge_linear_synapses(&ir, &mut fast);
    let (v_fast, _) = final_v(&ir, &fast);
    let (v_uniform, _) = final_v(&ir_u, &program_u);
    assert!((v_fast - v_uniform).abs() > 1e-6, "{v_fast} vs {v_uniform}");
}

#[test]
fn a_recorded_synapse_keeps_its_own_state() {
    let (ir, mut program) = lowered(NETWORK);
    let synapse = ir.event_connections[1].receiver.expect("a synapse");
    let base = program.instances[synapse.0 as usize].base;
    program.outputs.push(lemsc_runtime::program::OutputSpec {
        id: "watch".into(),
        path: "unused.dat".into(),
        columns: vec![base],
    });
    let summary = merge_linear_synapses(&ir, &mut program);
    assert_eq!(
        summary,
        MergeSummary {
            groups: 2,
            merged: 2
        }
    );
    assert!(program
        .step_order
        .iter()
        .any(|op| *op == lemsc_runtime::program::Op::Advance { inst: synapse.0 }));
}

/// Two connections of each synapse into one cell: the kinds whose dynamics are linear merge,
/// depressing and voltage-blocked ones (children with their own state or reads) do not.
#[test]
fn which_core_synapses_merge_is_read_from_their_dynamics() {
    let synapses = [
        (
            "one",
            r#"<expOneSynapse id="one" gbase="1nS" erev="0mV" tauDecay="2ms"/>"#,
        ),
        (
            "two",
            r#"<expTwoSynapse id="two" gbase="1nS" erev="0mV" tauRise="0.5ms" tauDecay="3ms"/>"#,
        ),
        (
            "three",
            r#"<expThreeSynapse id="three" gbase1="1nS" gbase2="0.5nS" erev="0mV" tauRise="0.5ms" tauDecay1="3ms" tauDecay2="9ms"/>"#,
        ),
        (
            "alpha",
            r#"<alphaSynapse id="alpha" gbase="1nS" erev="0mV" tau="2ms"/>"#,
        ),
        (
            "alphaI",
            r#"<alphaCurrentSynapse id="alphaI" tau="2ms" ibase="10pA"/>"#,
        ),
        (
            "dep",
            r#"<blockingPlasticSynapse id="dep" gbase="1nS" erev="0mV" tauRise="0.1ms" tauDecay="4ms"><tsodyksMarkramDepMechanism id="m" initReleaseProb="0.5" tauRec="30ms"/></blockingPlasticSynapse>"#,
        ),
        (
            "nmda",
            r#"<blockingPlasticSynapse id="nmda" gbase="1nS" erev="0mV" tauRise="1ms" tauDecay="10ms"><blockMechanism type="voltageConcDepBlockMechanism" species="mg" blockConcentration="1.2mM" scalingConc="1.92mM" scalingVolt="0.016V"/></blockingPlasticSynapse>"#,
        ),
    ];
    let mut text = String::from(
        r#"<Lems>
    <Include file="NeuroML2CoreTypes.xml"/>
    <Include file="Simulation.xml"/>
    <Target component="sim"/>
    <iafCell id="iaf" leakReversal="-65mV" thresh="-50mV" reset="-65mV" C="0.1nF" leakConductance="10nS"/>
    <spikeGenerator id="gen" period="2ms"/>
"#,
    );
    for (_, element) in &synapses {
        text.push_str(&format!("    {element}\n"));
    }
    text.push_str(
        r#"    <network id="net">
        <population id="pre" component="gen" size="2"/>
        <population id="post" component="iaf" size="1"/>
"#,
    );
    for (id, _) in &synapses {
        text.push_str(&format!(
            r#"        <projection id="p_{id}" presynapticPopulation="pre" postsynapticPopulation="post" synapse="{id}">
            <connectionWD id="0" preCellId="../pre[0]" postCellId="../post[0]" weight="0.5" delay="1ms"/>
            <connectionWD id="1" preCellId="../pre[1]" postCellId="../post[0]" weight="2" delay="2ms"/>
        </projection>
"#
        ));
    }
    text.push_str(
        "    </network>\n    <Simulation id=\"sim\" length=\"20ms\" step=\"0.01ms\" target=\"net\"/>\n</Lems>\n",
    );
    let (ir, mut program) = lowered(&text);
    merge_linear_synapses(&ir, &mut program);
    let mut merged: Vec<String> = program
        .kernels
        .iter()
        .filter_map(|k| k.name.strip_suffix(" (merged connection)"))
        .map(|name| name.split(' ').next().unwrap().to_string())
        .collect();
    merged.sort();
    assert_eq!(merged, ["alpha", "alphaI", "one", "three", "two"]);
    program.validate().expect("a valid program");
    engine::run(
        &program,
        &Interpreter::new(&program.kernels),
        Default::default(),
    )
    .expect("the merged program runs");
}
