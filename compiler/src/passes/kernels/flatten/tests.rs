//! Kernels of small components written inline, statement by statement, and of every
//! component the official LEMS examples run.

use std::path::PathBuf;

use lemsc_runtime::program::{BinOp, Expr, Func, Reduce, Stmt};

use super::plan_component;
use crate::diag::{render, SourceMap};
use crate::front::syntax::{DocKind, Document};
use crate::front::xml::parse_element_tree;
use crate::model::typebuild::testing::PRELUDE;
use crate::model::Model;
use crate::passes::kernels::plan::{KernelPlan, LinkSpec};

/// Builds the test prelude plus `body` (the inside of a `<Lems>` element).
fn model_of(body: &str) -> Model {
    let texts = [PRELUDE.to_string(), format!("<Lems>\n{body}\n</Lems>")];
    let mut sources = SourceMap::new();
    let mut docs = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let name = format!("flatten{i}.xml");
        let file = sources.add(PathBuf::from(&name), name, text.clone());
        let root = parse_element_tree(&sources, file).expect("test XML parses");
        docs.push(Document {
            file,
            kind: DocKind::Lems,
            root,
            builtin: false,
        });
    }
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
struct Runner {
    plan: KernelPlan,
    vars: Vec<f64>,
    /// Every multi-select reads an empty list; the instance has no parent or children.
    links: Vec<u64>,
    dt: f64,
    t: f64,
    rng: lemsc_runtime::javarand::JavaRandom,
}

impl Runner {
    fn new(plan: KernelPlan, dt: f64) -> Runner {
        let mut vars = vec![0.0; plan.kernel.block_len as usize];
        for &(s, v) in &plan.constants {
            vars[s as usize] = v;
        }
        for p in &plan.per_instance {
            vars[p.slot as usize] = p.default;
        }
        let mut links = vec![0u64; plan.links.len()];
        for (k, spec) in plan.links.iter().enumerate() {
            match spec {
                LinkSpec::SelectList { .. } => {
                    links[k] = links.len() as u64;
                    links.push(0);
                }
                other => panic!("a lone instance cannot resolve {other:?}"),
            }
        }
        Runner {
            plan,
            vars,
            links,
            dt,
            t: 0.0,
            rng: lemsc_runtime::javarand::JavaRandom::new(1234),
        }
    }

    fn run(&mut self, entry: lemsc_runtime::engine::Entry) -> u64 {
        use lemsc_runtime::engine::{Interpreter, KernelCode, RunContext};
        let kernels = [self.plan.kernel.clone()];
        let mut ctx = RunContext {
            vars: &mut self.vars,
            links: &self.links,
            t: self.t,
            dt: self.dt,
            rng: &mut self.rng,
        };
        Interpreter::new(&kernels).run(0, entry, &mut ctx, 0, 0)
    }

    /// jLEMS's initialisation of a root instance: a pass without derived variables, then
    /// two with.
    fn initialise(&mut self) {
        self.initialise_at_depth(0);
    }

    /// The own passes of an instance at `depth` below the root: `initialise` reaches it
    /// 2^depth times, each running a pass without derived variables and two with.
    fn initialise_at_depth(&mut self, depth: u32) {
        use lemsc_runtime::engine::Entry;
        for _ in 0..1 << depth {
            self.run(Entry::Init);
            self.run(Entry::InitDerived);
            self.run(Entry::InitDerived);
        }
    }

    /// One step at the new time `t + dt`; the out-ports fired.
    fn step(&mut self) -> u64 {
        self.t += self.dt;
        self.run(lemsc_runtime::engine::Entry::Advance)
    }

    fn get(&self, name: &str) -> f64 {
        self.vars[slot(&self.plan, name) as usize]
    }
}

#[test]
fn an_iaf_kernel_steps_as_hand_computed_euler() {
    let model = model_of(IAF);
    let p = |n| param(&model, "cell", n);
    let (leak, tau, thresh, reset) = (p("leakReversal"), p("tau"), p("thresh"), p("reset"));
    let dt = 5e-5;
    let mut run = Runner::new(plan_of(&model, "cell"), dt);
    run.initialise();
    assert_eq!(run.get("v"), leak);
    assert_eq!(run.get("v@exposed"), leak);
    // The start value is above threshold: the first step resets and spikes (as iaf_v.dat).
    let (mut v, mut half) = (leak, 0.0);
    for n in 1..=40 {
        let drive = half * 2.0;
        half = (leak - v) / 2.0;
        v += dt * (drive / tau);
        let spiked = v > thresh;
        if spiked {
            v = reset;
        }
        let fired = run.step();
        assert_eq!(fired, u64::from(spiked), "step {n}");
        assert_eq!(run.get("v").to_bits(), v.to_bits(), "v at step {n}");
        assert_eq!(run.get("v@exposed").to_bits(), v.to_bits());
        assert_eq!(run.get("drive@exposed").to_bits(), drive.to_bits());
        assert_eq!(n == 1, spiked, "only the first step spikes");
    }
    assert!(v > reset && v < leak, "relaxing towards rest: {v}");
}

#[test]
fn a_regime_kernel_lags_its_exposures_and_enters_the_refractory_regime_at_once() {
    let model = model_of(ADEX);
    let p = |n| param(&model, "ad", n);
    let (refract, thresh, reset, tauw, b) =
        (p("refract"), p("thresh"), p("reset"), p("tauw"), p("b"));
    let dt = 1e-4;
    let mut run = Runner::new(plan_of(&model, "ad"), dt);
    run.initialise();
    assert_eq!(run.get("@regime"), 1.0, "starts integrating");
    let (mut v, mut w, mut last, mut integrating) = (0.0f64, 0.0f64, 0.0f64, true);
    let mut t = 0.0;
    let mut spikes = 0;
    for n in 1..=2000 {
        t += dt;
        let exposed_v = v;
        let mut spiked = false;
        if integrating {
            v += dt * ((thresh - v + w) / tauw);
            w += dt * ((v - w) / tauw);
            if v > thresh {
                w += b;
                spiked = true;
                integrating = false;
                last = t;
                v = reset;
            }
        } else if t > last + refract {
            integrating = true;
        }
        let fired = run.step();
        spikes += usize::from(spiked);
        assert_eq!(fired, u64::from(spiked), "step {n}");
        assert_eq!(run.get("v").to_bits(), v.to_bits(), "v at step {n}");
        assert_eq!(run.get("w").to_bits(), w.to_bits(), "w at step {n}");
        // Exposures were synchronised before the regime ran: one step behind.
        assert_eq!(run.get("v@exposed").to_bits(), exposed_v.to_bits());
        assert_eq!(run.get("@regime"), if integrating { 1.0 } else { 0.0 });
    }
    assert!(
        spikes >= 2,
        "the test should cover spikes and recoveries: {spikes}"
    );
}

#[test]
fn a_regime_recopies_a_requirement_that_shares_an_exposure_name() {
    let body = r#"
<ComponentType name="odd">
  <Requirement name="v" dimension="voltage"/>
  <Exposure name="v" dimension="voltage"/>
  <Dynamics>
    <StateVariable name="u" dimension="voltage" exposure="v"/>
    <Regime name="only" initial="true">
      <OnCondition test="v .gt. u"><StateAssignment variable="u" value="v"/></OnCondition>
    </Regime>
  </Dynamics>
</ComponentType>
<odd id="o"/>
"#;
    let model = model_of(body);
    let plan = plan_of(&model, "o");
    let (v, u, exposed) = (slot(&plan, "v"), slot(&plan, "u"), slot(&plan, "v@exposed"));
    assert_eq!(plan.readable["v"], exposed);
    let a = &plan.kernel.advance;
    assert_eq!(a[0], set(v, Expr::Link(0)));
    assert_eq!(a[1], set(exposed, local(u)));
    // jLEMS's regime reads `v` through the instance's exposure table.
    assert_eq!(a[2], set(v, local(exposed)));
    assert!(matches!(a[3], Stmt::Switch { .. }));
}

#[test]
fn a_regime_may_transition_to_itself_and_enters_it_again() {
    let body = ADEX.replace(
        r#"<Transition regime="integrating"/>"#,
        r#"<Transition regime="refractory"/>"#,
    );
    let model = model_of(&body);
    let plan = plan_of(&model, "ad");
    let regime = slot(&plan, "@regime");
    let Some(Stmt::Switch { arms, .. }) = plan.kernel.advance.last() else {
        panic!("no regime switch");
    };
    let Stmt::If { then, .. } = &arms[0][0] else {
        panic!("no condition in the refractory regime");
    };
    assert_eq!(then[0], set(regime, c(0.0)));
    assert_eq!(then.len(), 3, "the transition re-runs OnEntry: {then:#?}");
}

/// Runs lone cells of an example (no inputs or connections, so only their own kernels
/// matter) with the reference interpreter and compares every kept row of a jLEMS reference
/// file as float32. `columns` names the component and variable of each column; `every` is
/// the thinning of the file.
fn compare_lone_cells(example: &str, reference: &str, every: usize, columns: &[(&str, &str)]) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    let example = root.join("neuroml2/LEMSexamples").join(example);
    let Ok(text) = std::fs::read_to_string(root.join("reference/jlems").join(reference)) else {
        eprintln!("skipped: no reference {reference}");
        return;
    };
    let checked = crate::check(&[example], &crate::CheckOptions::default());
    let model = checked.model.as_ref().expect("example checks");
    let sim = &checked.ir.as_ref().expect("example lowers").simulation;
    let rows: Vec<Vec<f32>> = text
        .lines()
        .map(|l| l.split_whitespace().map(|x| x.parse().unwrap()).collect())
        .collect();
    let steps = (sim.length / sim.step).round() as usize;
    assert_eq!(rows.len(), steps / every + 1, "rows of {reference}");
    for (column, (id, var)) in columns.iter().enumerate() {
        let plan = plan_component(model, model.component_by_id[*id]).expect("plans");
        let mut run = Runner::new(plan, sim.step);
        // network > population > cell
        run.initialise_at_depth(2);
        let value = |run: &Runner| run.vars[run.plan.readable[*var] as usize] as f32;
        assert_eq!(value(&run), rows[0][column + 1], "{id}/{var} at t = 0");
        let mut t = 0.0f64;
        for n in 1..=steps {
            run.step();
            t += sim.step;
            if n % every == 0 {
                let row = &rows[n / every];
                assert_eq!(t as f32, row[0], "time of step {n}");
                assert_eq!(value(&run), row[column + 1], "{id}/{var} at step {n}");
            }
        }
    }
}

/// Ex0's four integrate-and-fire cells, two of them with a refractory regime.
#[test]
fn ex0_cells_match_the_jlems_reference_trace() {
    let columns = [
        ("iafTau", "v"),
        ("iafTauRef", "v"),
        ("iaf", "v"),
        ("iafRef", "v"),
    ];
    compare_lone_cells("LEMS_NML2_Ex0_IaF.xml", "iaf_v.dat", 13, &columns);
}

/// Ex9's FitzHugh-Nagumo cell.
#[test]
fn ex9_cell_matches_the_jlems_reference_trace() {
    let columns = [("fn1", "V"), ("fn1", "W")];
    compare_lone_cells("LEMS_NML2_Ex9_FN.xml", "ex9.dat", 5, &columns);
}

/// A cell with one input attached (as jLEMS builds an `explicitInput`): the input's block
/// first, then the cell's; the cell's multi-selects list the input's exposed value.
struct CellWithInput {
    input: KernelPlan,
    cell: KernelPlan,
    vars: Vec<f64>,
    links: Vec<u64>,
    cell_base: usize,
    dt: f64,
    t: f64,
    rng: lemsc_runtime::javarand::JavaRandom,
}

impl CellWithInput {
    fn new(cell: KernelPlan, input: KernelPlan, dt: f64) -> CellWithInput {
        assert!(input.links.is_empty(), "the input reads nothing");
        let cell_base = input.kernel.block_len as usize;
        let mut vars = vec![0.0; cell_base + cell.kernel.block_len as usize];
        for (plan, base) in [(&input, 0), (&cell, cell_base)] {
            for &(s, v) in &plan.constants {
                vars[base + s as usize] = v;
            }
            for p in &plan.per_instance {
                vars[base + p.slot as usize] = p.default;
            }
        }
        let mut links = vec![0u64; cell.links.len()];
        for (k, spec) in cell.links.iter().enumerate() {
            let LinkSpec::SelectList { path, .. } = spec else {
                panic!("a cell without a parent cannot resolve {spec:?}");
            };
            let var = path.rsplit('/').next().expect("a variable");
            links[k] = links.len() as u64;
            links.extend([1, u64::from(input.readable[var])]);
        }
        CellWithInput {
            input,
            cell,
            vars,
            links,
            cell_base,
            dt,
            t: 0.0,
            rng: lemsc_runtime::javarand::JavaRandom::new(1234),
        }
    }

    /// Runs `entry` of the input (`cell == false`) or the cell.
    fn run(&mut self, cell: bool, entry: lemsc_runtime::engine::Entry) {
        use lemsc_runtime::engine::{Interpreter, KernelCode, RunContext};
        let kernels = [self.input.kernel.clone(), self.cell.kernel.clone()];
        let mut ctx = RunContext {
            vars: &mut self.vars,
            links: &self.links,
            t: self.t,
            dt: self.dt,
            rng: &mut self.rng,
        };
        let (kernel, base) = if cell { (1, self.cell_base) } else { (0, 0) };
        Interpreter::new(&kernels).run(kernel, entry, &mut ctx, base, 0);
    }

    /// jLEMS's `initialise` of the cell, 2^depth times, each initialising the input twice.
    fn initialise_at_depth(&mut self, depth: u32) {
        use lemsc_runtime::engine::Entry::{Init, InitDerived};
        for _ in 0..1 << depth {
            self.run(true, Init);
            for e in [Init, InitDerived, InitDerived] {
                self.run(false, e);
            }
            self.run(true, InitDerived);
            for e in [Init, InitDerived, InitDerived] {
                self.run(false, e);
            }
            self.run(true, InitDerived);
        }
    }

    /// Attachments advance before their cell.
    fn step(&mut self) {
        self.t += self.dt;
        self.run(false, lemsc_runtime::engine::Entry::Advance);
        self.run(true, lemsc_runtime::engine::Entry::Advance);
    }

    fn cell_value(&self, name: &str) -> f32 {
        self.vars[self.cell_base + self.cell.readable[name] as usize] as f32
    }
}

/// Ex8's adaptive exponential cells, each driven by a pulse: regimes, exposures synchronised
/// before the regime, and the input seeing the new time.
#[test]
fn ex8_adex_cells_with_pulses_match_the_jlems_reference_traces() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    let example = root.join("neuroml2/LEMSexamples/LEMS_NML2_Ex8_AdEx.xml");
    let files = [
        ("adExBurst2", "pulseGen1", "adEx_2burst.dat"),
        ("adExBurst4", "pulseGen1", "adEx_4burst.dat"),
        ("adExBurstChaos", "pulseGen1", "adEx_chaos.dat"),
        ("adExRebound", "pulseGen2", "adEx_rebound.dat"),
    ];
    let checked = crate::check(&[example], &crate::CheckOptions::default());
    let model = checked.model.as_ref().expect("Ex8 checks");
    let sim = &checked.ir.as_ref().expect("Ex8 lowers").simulation;
    let steps = (sim.length / sim.step).round() as usize;
    let every = 3;
    for (cell, input, file) in files {
        let Ok(text) = std::fs::read_to_string(root.join("reference/jlems").join(file)) else {
            eprintln!("skipped: no reference {file}");
            return;
        };
        let rows: Vec<Vec<f32>> = text
            .lines()
            .map(|l| l.split_whitespace().map(|x| x.parse().unwrap()).collect())
            .collect();
        assert_eq!(rows.len(), steps / every + 1);
        let plan = |id: &str| plan_component(model, model.component_by_id[id]).expect("plans");
        let mut run = CellWithInput::new(plan(cell), plan(input), sim.step);
        // network > population > cell
        run.initialise_at_depth(2);
        for n in 1..=steps {
            run.step();
            if n % every == 0 {
                let row = &rows[n / every];
                assert_eq!(run.cell_value("v"), row[1], "{file}: v at step {n}");
                assert_eq!(run.cell_value("w"), row[2], "{file}: w at step {n}");
            }
        }
    }
}

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
