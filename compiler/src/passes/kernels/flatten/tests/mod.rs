//! Kernels of small components written inline, statement by statement, and of every
//! component the official LEMS examples run.

use std::path::PathBuf;

use lemsc_runtime::program::{BinOp, Expr, Func, Reduce, Stmt};

use super::plan_component;
use crate::diag::render;
use crate::model::typebuild::testing::{documents, PRELUDE};
use crate::model::Model;
use crate::passes::kernels::plan::{KernelPlan, LinkSpec};

/// Builds the test prelude plus `body` (the inside of a `<Lems>` element).
fn model_of(body: &str) -> Model {
    let (sources, docs) = documents(&[PRELUDE, &format!("<Lems>\n{body}\n</Lems>")], false);
    let (model, diags) = crate::model::build(&docs, &sources);
    assert!(
        !diags.has_errors(),
        "{}",
        render(&sources, &diags.list, false)
    );
    model.expect("model builds")
}

fn plan_of(model: &Model, id: &str) -> KernelPlan {
    let comp = model.component_by_id[id];
    match plan_component(model, comp) {
        Ok(plan) => plan,
        Err(d) => panic!("{id} does not plan: {d:#?}"),
    }
}

/// The slot named `name`.
fn slot(plan: &KernelPlan, name: &str) -> u32 {
    let names = &plan.kernel.slot_names;
    names
        .iter()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no slot {name} in {names:?}")) as u32
}

fn param(model: &Model, id: &str, name: &str) -> f64 {
    let comp = model.component(model.component_by_id[id]);
    comp.param(name).expect("parameter given").si
}

fn local(s: u32) -> Expr {
    Expr::Local(s)
}

fn c(v: f64) -> Expr {
    Expr::Const(v)
}

fn bin(op: BinOp, l: Expr, r: Expr) -> Expr {
    Expr::Binary(op, Box::new(l), Box::new(r))
}

fn set(slot: u32, value: Expr) -> Stmt {
    Stmt::Set { slot, value }
}

/// `x + dt * rate`.
fn euler(x: u32, rate: Expr) -> Expr {
    bin(BinOp::Add, local(x), bin(BinOp::Mul, Expr::Step, rate))
}

const IAF: &str = r#"
<ComponentType name="iafTau">
  <Parameter name="leakReversal" dimension="voltage"/>
  <Parameter name="tau" dimension="time"/>
  <Parameter name="thresh" dimension="voltage"/>
  <Parameter name="reset" dimension="voltage"/>
  <Exposure name="v" dimension="voltage"/>
  <Exposure name="drive" dimension="voltage"/>
  <EventPort name="spike" direction="out"/>
  <Dynamics>
    <StateVariable name="v" dimension="voltage" exposure="v"/>
    <DerivedVariable name="drive" dimension="voltage" exposure="drive" value="half * 2"/>
    <DerivedVariable name="half" dimension="voltage" value="(leakReversal - v) / 2"/>
    <TimeDerivative variable="v" value="drive / tau"/>
    <OnStart>
      <StateAssignment variable="v" value="leakReversal"/>
    </OnStart>
    <OnCondition test="v .gt. thresh">
      <EventOut port="spike"/>
      <StateAssignment variable="v" value="reset"/>
    </OnCondition>
  </Dynamics>
</ComponentType>
<iafTau id="cell" leakReversal="-50mV" tau="30ms" thresh="-55mV" reset="-70mV"/>
"#;

#[test]
fn iaf_advance_keeps_document_order_then_euler_then_conditions_then_exposures() {
    let model = model_of(IAF);
    let plan = plan_of(&model, "cell");
    let p = |n| param(&model, "cell", n);
    let (v, drive, half) = (slot(&plan, "v"), slot(&plan, "drive"), slot(&plan, "half"));
    let rate = slot(&plan, "rate:v");
    let k = &plan.kernel;
    assert_eq!(
        k.advance,
        vec![
            // `drive` uses `half` before `half` is recomputed: document order, as jLEMS.
            set(drive, bin(BinOp::Mul, local(half), c(2.0))),
            set(
                half,
                bin(
                    BinOp::Div,
                    bin(BinOp::Sub, c(p("leakReversal")), local(v)),
                    c(2.0)
                )
            ),
            set(rate, bin(BinOp::Div, local(drive), c(p("tau")))),
            set(v, euler(v, local(rate))),
            // Assignments before the EventOut, whatever the document order.
            Stmt::If {
                test: bin(BinOp::Gt, local(v), c(p("thresh"))),
                then: vec![set(v, c(p("reset"))), Stmt::Emit { port: 0 }],
            },
            set(slot(&plan, "drive@exposed"), local(drive)),
            set(slot(&plan, "v@exposed"), local(v)),
        ]
    );
    assert_eq!(k.out_ports, ["spike"]);
    assert!(k.in_ports.is_empty() && k.on_event.is_empty());
    assert_eq!(k.state_slots, [v]);
    assert_eq!(k.block_len as usize, k.slot_names.len());
    assert_eq!(k.link_count, 0);
    assert!(plan.links.is_empty());
}

#[test]
fn iaf_init_runs_on_start_then_synchronises_and_only_the_second_pass_derives() {
    let model = model_of(IAF);
    let plan = plan_of(&model, "cell");
    let (v, drive, half) = (slot(&plan, "v"), slot(&plan, "drive"), slot(&plan, "half"));
    let sync = vec![
        set(slot(&plan, "drive@exposed"), local(drive)),
        set(slot(&plan, "v@exposed"), local(v)),
    ];
    let start = set(v, c(param(&model, "cell", "leakReversal")));
    let mut init = vec![start.clone()];
    init.extend(sync.clone());
    assert_eq!(plan.kernel.init, init);
    let d = &plan.kernel.init_derived;
    assert_eq!(d.len(), 5);
    assert!(matches!(d[0], Stmt::Set { slot, .. } if slot == drive));
    assert!(matches!(d[1], Stmt::Set { slot, .. } if slot == half));
    assert_eq!(d[2..], [vec![start], sync].concat()[..]);
}

#[test]
fn iaf_exposes_copies_and_parameters_read_as_constant_slots() {
    let model = model_of(IAF);
    let plan = plan_of(&model, "cell");
    let r = &plan.readable;
    assert_eq!(r["v"], slot(&plan, "v@exposed"));
    assert_eq!(r["drive"], slot(&plan, "drive@exposed"));
    assert_eq!(r["half"], slot(&plan, "half"));
    assert_eq!(r["tau"], slot(&plan, "tau"));
    let tau = param(&model, "cell", "tau");
    assert!(plan.constants.contains(&(slot(&plan, "tau"), tau)));
    assert_eq!(plan.constants.len(), 4, "one per parameter");
    assert!(plan.per_instance.is_empty());
}

const CHANNEL: &str = r#"
<ComponentType name="leak">
  <Parameter name="g" dimension="conductance"/>
  <Parameter name="erev" dimension="voltage"/>
  <Requirement name="v" dimension="voltage"/>
  <Exposure name="i" dimension="current"/>
  <Dynamics>
    <DerivedVariable name="i" dimension="current" exposure="i" value="g * (erev - v)"/>
  </Dynamics>
</ComponentType>
<leak id="ch" g="10pS" erev="-70mV"/>
"#;

#[test]
fn a_requirement_is_copied_from_the_parent_before_anything_uses_it() {
    let model = model_of(CHANNEL);
    let plan = plan_of(&model, "ch");
    let (v, i) = (slot(&plan, "v"), slot(&plan, "i"));
    assert!(matches!(
        &plan.links[..],
        [LinkSpec::Requirement { name, .. }] if name == "v"
    ));
    let copy = set(v, Expr::Link(0));
    let p = |n| param(&model, "ch", n);
    let current = set(
        i,
        bin(
            BinOp::Mul,
            c(p("g")),
            bin(BinOp::Sub, c(p("erev")), local(v)),
        ),
    );
    let sync = set(slot(&plan, "i@exposed"), local(i));
    assert_eq!(
        plan.kernel.advance,
        vec![copy.clone(), current.clone(), sync.clone()]
    );
    assert_eq!(plan.kernel.init, vec![copy.clone(), sync.clone()]);
    assert_eq!(plan.kernel.init_derived, vec![copy, current, sync]);
    assert_eq!(plan.kernel.link_count, 1);
    // Children asking this instance for `v` get its copy.
    assert_eq!(plan.readable["v"], v);
    assert!(plan.kernel.state_slots.is_empty());
}

const SELECTS: &str = r#"
<ComponentType name="syn">
  <Exposure name="i" dimension="current"/>
  <Exposure name="x" dimension="none"/>
  <Dynamics>
    <StateVariable name="i" dimension="current" exposure="i"/>
    <StateVariable name="x" dimension="none" exposure="x"/>
  </Dynamics>
</ComponentType>
<ComponentType name="summing">
  <Children name="syns" type="syn"/>
  <Child name="first" type="syn"/>
  <Exposure name="iSyn" dimension="current"/>
  <Dynamics>
    <DerivedVariable name="iSyn" dimension="current" exposure="iSyn" select="syns[*]/i" reduce="add"/>
    <DerivedVariable name="scale" dimension="none" select="first/x" reduce="multiply" required="false"/>
    <DerivedVariable name="x1" dimension="none" select="first/x"/>
    <DerivedVariable name="twice" dimension="current" value="2 * iSyn * scale"/>
  </Dynamics>
</ComponentType>
<summing id="sum"/>
"#;

#[test]
fn selects_read_links_in_declaration_order_before_expressions() {
    let model = model_of(SELECTS);
    let plan = plan_of(&model, "sum");
    match &plan.links[..] {
        [LinkSpec::SelectList { path: p0, .. }, LinkSpec::Select {
            path: p1,
            required: false,
            missing: m1,
            ..
        }, LinkSpec::Select {
            path: p2,
            required: true,
            ..
        }] => {
            assert_eq!(p0, "syns[*]/i");
            assert_eq!((p1.as_str(), *m1), ("first/x", 1.0));
            assert_eq!(p2, "first/x");
        }
        other => panic!("unexpected links {other:#?}"),
    }
    let (i_syn, scale, x1) = (slot(&plan, "iSyn"), slot(&plan, "scale"), slot(&plan, "x1"));
    let a = &plan.kernel.advance;
    assert_eq!(a[0], set(i_syn, Expr::Reduce(Reduce::Add, 0)));
    assert_eq!(a[1], set(scale, Expr::Link(1)));
    assert_eq!(a[2], set(x1, Expr::Link(2)));
    assert_eq!(
        a[3],
        set(
            slot(&plan, "twice"),
            bin(
                BinOp::Mul,
                bin(BinOp::Mul, c(2.0), local(i_syn)),
                local(scale)
            )
        )
    );
    assert_eq!(a[4], set(slot(&plan, "iSyn@exposed"), local(i_syn)));
    assert_eq!(a.len(), 5);
}

#[test]
fn a_multi_select_without_reduce_is_a_located_error() {
    let body = SELECTS.replace(
        r#"select="syns[*]/i" reduce="add""#,
        r#"select="syns[*]/i""#,
    );
    let model = model_of(&body);
    let errs = plan_component(&model, model.component_by_id["sum"]).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].message.contains("syns[*]/i"), "{}", errs[0].message);
    assert!(errs[0].primary.is_some());
    assert!(errs[0].notes[0].contains("reduce=\"add\""));
}

const ADEX: &str = r#"
<ComponentType name="adex">
  <Parameter name="refract" dimension="time"/>
  <Parameter name="thresh" dimension="voltage"/>
  <Parameter name="reset" dimension="voltage"/>
  <Parameter name="tauw" dimension="time"/>
  <Parameter name="b" dimension="voltage"/>
  <Exposure name="v" dimension="voltage"/>
  <Exposure name="w" dimension="voltage"/>
  <EventPort name="spike" direction="out"/>
  <Dynamics>
    <StateVariable name="v" dimension="voltage" exposure="v"/>
    <StateVariable name="w" dimension="voltage" exposure="w"/>
    <StateVariable name="lastSpikeTime" dimension="time"/>
    <Regime name="refractory">
      <OnEntry>
        <StateAssignment variable="lastSpikeTime" value="t"/>
        <StateAssignment variable="v" value="reset"/>
      </OnEntry>
      <OnCondition test="t .gt. lastSpikeTime + refract">
        <Transition regime="integrating"/>
      </OnCondition>
    </Regime>
    <Regime name="integrating" initial="true">
      <TimeDerivative variable="v" value="(thresh - v + w) / tauw"/>
      <TimeDerivative variable="w" value="(v - w) / tauw"/>
      <OnCondition test="v .gt. thresh">
        <Transition regime="refractory"/>
        <EventOut port="spike"/>
        <StateAssignment variable="w" value="w + b"/>
      </OnCondition>
    </Regime>
  </Dynamics>
</ComponentType>
<adex id="ad" refract="2ms" thresh="10mV" reset="-60mV" tauw="5ms" b="1mV"/>
"#;

#[test]
fn a_regime_runs_after_the_exposures_with_sequential_rates_and_immediate_entry() {
    let model = model_of(ADEX);
    let plan = plan_of(&model, "ad");
    let p = |n| param(&model, "ad", n);
    let (v, w, last) = (
        slot(&plan, "v"),
        slot(&plan, "w"),
        slot(&plan, "lastSpikeTime"),
    );
    let (t, regime) = (slot(&plan, "t"), slot(&plan, "@regime"));
    let on_entry_refractory = vec![set(last, local(t)), set(v, c(p("reset")))];
    let refractory = vec![Stmt::If {
        test: bin(
            BinOp::Gt,
            local(t),
            bin(BinOp::Add, local(last), c(p("refract"))),
        ),
        then: vec![set(regime, c(1.0))],
    }];
    let tauw = c(p("tauw"));
    let integrating = vec![
        set(
            v,
            euler(
                v,
                bin(
                    BinOp::Div,
                    bin(
                        BinOp::Add,
                        bin(BinOp::Sub, c(p("thresh")), local(v)),
                        local(w),
                    ),
                    tauw.clone(),
                ),
            ),
        ),
        // Sees the `v` just updated: regime rates apply one after the other.
        set(
            w,
            euler(
                w,
                bin(BinOp::Div, bin(BinOp::Sub, local(v), local(w)), tauw),
            ),
        ),
        Stmt::If {
            test: bin(BinOp::Gt, local(v), c(p("thresh"))),
            then: [
                vec![
                    set(w, bin(BinOp::Add, local(w), c(p("b")))),
                    Stmt::Emit { port: 0 },
                    set(regime, c(0.0)),
                ],
                on_entry_refractory.clone(),
            ]
            .concat(),
        },
    ];
    let sync = vec![
        set(slot(&plan, "v@exposed"), local(v)),
        set(slot(&plan, "w@exposed"), local(w)),
    ];
    let mut advance = vec![set(t, Expr::Time)];
    advance.extend(sync.clone());
    advance.push(Stmt::Switch {
        slot: regime,
        arms: vec![refractory, integrating],
    });
    assert_eq!(plan.kernel.advance, advance);
    // Initialisation enters the active regime; its slot starts at the initial regime.
    let mut init = vec![Stmt::Switch {
        slot: regime,
        arms: vec![on_entry_refractory, vec![]],
    }];
    init.extend(sync);
    assert_eq!(plan.kernel.init, init);
    assert_eq!(plan.kernel.init_derived, init);
    assert!(plan.constants.contains(&(regime, 1.0)));
    assert_eq!(plan.kernel.state_slots, [v, w, last]);
}

#[test]
fn transitions_that_loop_through_on_entry_are_a_located_error() {
    // jLEMS would recurse without end entering these two regimes.
    let body = ADEX
        .replace(
            r#"<Regime name="integrating" initial="true">"#,
            r#"<Regime name="integrating" initial="true">
      <OnEntry><Transition regime="refractory"/></OnEntry>"#,
        )
        .replace(
            r#"<StateAssignment variable="v" value="reset"/>
      </OnEntry>"#,
            r#"<StateAssignment variable="v" value="reset"/>
        <Transition regime="integrating"/>
      </OnEntry>"#,
        );
    let model = model_of(&body);
    let errs = plan_component(&model, model.component_by_id["ad"]).unwrap_err();
    // Once per Transition that closes the loop, although OnEntry is inlined in many places.
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(
        errs.iter()
            .all(|e| e.message.contains("leads back to itself") && e.primary.is_some()),
        "{errs:#?}"
    );
}

const SYNAPSE: &str = r#"
<ComponentType name="expSyn">
  <Parameter name="gbase" dimension="conductance"/>
  <Parameter name="tau" dimension="time"/>
  <Property name="weight" dimension="none" defaultValue="1"/>
  <Exposure name="g" dimension="conductance"/>
  <EventPort name="in" direction="in"/>
  <EventPort name="relay" direction="out"/>
  <Dynamics>
    <StateVariable name="g" dimension="conductance" exposure="g"/>
    <TimeDerivative variable="g" value="-g / tau"/>
    <OnEvent port="in">
      <StateAssignment variable="g" value="g + weight * gbase"/>
      <EventOut port="relay"/>
    </OnEvent>
  </Dynamics>
</ComponentType>
<expSyn id="syn" gbase="1nS" tau="5ms"/>
"#;

#[test]
fn a_property_is_a_per_instance_slot_with_its_default() {
    let model = model_of(SYNAPSE);
    let plan = plan_of(&model, "syn");
    let (g, weight) = (slot(&plan, "g"), slot(&plan, "weight"));
    assert_eq!(plan.per_instance.len(), 1);
    let pi = &plan.per_instance[0];
    assert_eq!(
        (pi.slot, pi.name.as_str(), pi.default),
        (weight, "weight", 1.0)
    );
    assert_eq!(plan.kernel.in_ports, ["in"]);
    assert_eq!(plan.kernel.out_ports, ["relay"]);
    let gbase = param(&model, "syn", "gbase");
    assert_eq!(
        plan.kernel.on_event,
        vec![vec![
            set(
                g,
                bin(
                    BinOp::Add,
                    local(g),
                    bin(BinOp::Mul, local(weight), c(gbase))
                )
            ),
            Stmt::Emit { port: 0 },
        ]]
    );
    assert_eq!(plan.readable["weight"], weight);
    assert!(!plan.constants.iter().any(|&(s, _)| s == weight));
    let rate = slot(&plan, "rate:g");
    let tau = param(&model, "syn", "tau");
    assert_eq!(
        plan.kernel.advance[0],
        set(rate, bin(BinOp::Div, Expr::Neg(Box::new(local(g))), c(tau)))
    );
}

#[test]
fn a_property_given_on_the_component_overrides_the_default() {
    let body = SYNAPSE.replace(r#"tau="5ms"/>"#, r#"tau="5ms" weight="0.25"/>"#);
    let model = model_of(&body);
    let plan = plan_of(&model, "syn");
    assert_eq!(plan.per_instance[0].default, 0.25);
}

#[test]
fn a_conditional_derived_variable_takes_the_first_case_that_holds() {
    let body = r#"
<ComponentType name="rate">
  <Parameter name="vhalf" dimension="voltage"/>
  <Requirement name="v" dimension="voltage"/>
  <Dynamics>
    <ConditionalDerivedVariable name="r" dimension="none">
      <Case condition="v .lt. vhalf" value="exp(v / vhalf)"/>
      <Case condition="v .eq. vhalf" value="1"/>
      <Case value="log(v / vhalf)"/>
    </ConditionalDerivedVariable>
  </Dynamics>
</ComponentType>
<rate id="r1" vhalf="-40mV"/>
"#;
    let model = model_of(body);
    let plan = plan_of(&model, "r1");
    let (r, v, m) = (
        slot(&plan, "r"),
        slot(&plan, "v"),
        slot(&plan, "@case_matched"),
    );
    let vhalf = c(param(&model, "r1", "vhalf"));
    let ratio = bin(BinOp::Div, local(v), vhalf.clone());
    let not_matched = Expr::Not(Box::new(local(m)));
    assert_eq!(
        plan.kernel.advance,
        vec![
            set(v, Expr::Link(0)),
            set(m, c(0.0)),
            Stmt::If {
                test: bin(BinOp::Lt, local(v), vhalf.clone()),
                then: vec![
                    set(r, Expr::Call(Func::Exp, Box::new(ratio.clone()))),
                    set(m, c(1.0)),
                ],
            },
            Stmt::If {
                test: not_matched.clone(),
                then: vec![Stmt::If {
                    test: bin(BinOp::Eq, local(v), vhalf),
                    then: vec![set(r, c(1.0)), set(m, c(1.0))],
                }],
            },
            Stmt::If {
                test: not_matched,
                then: vec![
                    set(r, Expr::Call(Func::Ln, Box::new(ratio))),
                    set(m, c(1.0)),
                ],
            },
        ]
    );
}

#[test]
fn a_conditional_without_a_default_falls_back_to_zero_and_random_is_kept() {
    let body = r#"
<ComponentType name="noisy">
  <Dynamics>
    <StateVariable name="x" dimension="none"/>
    <ConditionalDerivedVariable name="r" dimension="none">
      <Case condition="x .gt. 0" value="random(2)"/>
    </ConditionalDerivedVariable>
  </Dynamics>
</ComponentType>
<noisy id="n"/>
"#;
    let model = model_of(body);
    let plan = plan_of(&model, "n");
    let (r, m) = (slot(&plan, "r"), slot(&plan, "@case_matched"));
    let a = &plan.kernel.advance;
    assert_eq!(
        a[1],
        Stmt::If {
            test: bin(BinOp::Gt, local(slot(&plan, "x")), c(0.0)),
            then: vec![set(r, Expr::Random(Box::new(c(2.0)))), set(m, c(1.0))],
        }
    );
    assert_eq!(
        a[2],
        Stmt::If {
            test: Expr::Not(Box::new(local(m))),
            then: vec![set(r, c(0.0))],
        }
    );
    assert_eq!(a.len(), 3);
}

#[test]
fn a_type_without_dynamics_has_no_statements_but_readable_parameters() {
    let body = r#"
<ComponentType name="holder">
  <Parameter name="size" dimension="none"/>
  <EventPort name="in" direction="in"/>
</ComponentType>
<holder id="h" size="3"/>
"#;
    let model = model_of(body);
    let plan = plan_of(&model, "h");
    let k = &plan.kernel;
    assert!(k.advance.is_empty() && k.init.is_empty() && k.init_derived.is_empty());
    assert_eq!(k.on_event, vec![Vec::<Stmt>::new()]);
    assert_eq!(plan.readable["size"], slot(&plan, "size"));
    assert_eq!(plan.constants, [(slot(&plan, "size"), 3.0)]);
}

/// Every component instantiated by every official example (but Ex25's multi-compartment
/// cell) plans without error.
#[test]
fn every_component_of_the_official_examples_plans() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/neuroml2/LEMSexamples");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no examples at {}", dir.display());
        return;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("LEMS_NML2_Ex") && n.ends_with(".xml"))
        .collect();
    names.sort();
    assert!(names.len() >= 30, "found only {names:?}");
    let mut planned = 0;
    for name in &names {
        let checked = crate::check(&[dir.join(name)], &crate::CheckOptions::default());
        let rendered = render(&checked.sources, &checked.diagnostics.list, false);
        let model = checked
            .model
            .as_ref()
            .unwrap_or_else(|| panic!("{name}:\n{rendered}"));
        let ir = checked
            .ir
            .as_ref()
            .unwrap_or_else(|| panic!("{name}:\n{rendered}"));
        let mut used: Vec<_> = ir.instances.iter().map(|i| i.component).collect();
        used.sort();
        used.dedup();
        for comp in used {
            if crate::passes::support::segment_count(model, comp) > 1 {
                continue;
            }
            if let Err(errs) = plan_component(model, comp) {
                panic!("{name}: {}", render(&checked.sources, &errs, false));
            }
            planned += 1;
        }
    }
    assert!(planned > 100, "only {planned} components planned");
}

/// Runs one instance of a planned kernel with the reference interpreter.

#[test]
fn a_derived_parameter_taken_by_select_is_a_located_error_where_it_is_used() {
    let body = r#"
<ComponentType name="sized">
  <Parameter name="g" dimension="none"/>
  <Parameter name="tau" dimension="time"/>
  <DerivedParameter name="scale" dimension="none" select="ref/g"/>
  <Dynamics>
    <StateVariable name="x" dimension="none"/>
    <TimeDerivative variable="x" value="(g - x) * scale / tau"/>
  </Dynamics>
</ComponentType>
<sized id="z" g="2" tau="1s"/>
"#;
    let model = model_of(body);
    let errs = plan_component(&model, model.component_by_id["z"]).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].message.contains("'scale'"), "{}", errs[0].message);
    assert!(errs[0].notes[0].contains("select="));
    assert!(errs[0].primary.is_some() && !errs[0].secondary.is_empty());
}

#[test]
fn two_transitions_in_one_block_are_a_located_error() {
    let body = ADEX.replace(
        r#"<Transition regime="integrating"/>"#,
        r#"<Transition regime="integrating"/><Transition regime="refractory"/>"#,
    );
    let model = model_of(&body);
    let errs = plan_component(&model, model.component_by_id["ad"]).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(errs[0].message.contains("second Transition"));
    assert!(errs[0].primary.is_some());
}

mod run;
