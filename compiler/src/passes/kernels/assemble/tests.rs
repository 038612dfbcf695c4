//! Program assembly on small models written inline: layout, link resolution, orders and
//! init repetition counts, run settings and located errors.

use std::path::PathBuf;

use lemsc_runtime::program::{order, Expr, Op, Program, Stmt};

use crate::diag::{render, Diagnostic, SourceMap};
use crate::ir::{InstId, Ir};
use crate::model::Model;
use crate::passes::kernels::{build_program, ProgramOptions};
use crate::{check, CheckOptions};

/// Types for the tests: a `holder` with a single child, a list and a cell-like `leaf`
/// hierarchy; `leaf` requires `v`, which only the root has.
const TYPES: &str = r#"
<Include file="NeuroMLCoreDimensions.xml"/>
<Include file="Simulation.xml"/>
<ComponentType name="leaf">
    <Property name="weight" dimension="none" defaultValue="1"/>
    <Requirement name="v" dimension="voltage"/>
    <Exposure name="y" dimension="voltage"/>
    <Dynamics>
        <StateVariable name="y" dimension="voltage" exposure="y"/>
        <OnStart><StateAssignment variable="y" value="v * weight"/></OnStart>
        <TimeDerivative variable="y" value="(v - y) / tau"/>
    </Dynamics>
    <Constant name="tau" dimension="time" value="1ms"/>
</ComponentType>
<ComponentType name="middle">
    <Children name="leaves" type="leaf"/>
    <Exposure name="total" dimension="voltage"/>
    <Dynamics>
        <DerivedVariable name="total" dimension="voltage" exposure="total" select="leaves[*]/y" reduce="add"/>
    </Dynamics>
</ComponentType>
<ComponentType name="top">
    <Parameter name="v0" dimension="voltage"/>
    <Child name="mid" type="middle"/>
    <Exposure name="v" dimension="voltage"/>
    <Exposure name="seen" dimension="voltage"/>
    <Dynamics>
        <StateVariable name="v" dimension="voltage" exposure="v"/>
        <DerivedVariable name="seen" dimension="voltage" exposure="seen" select="mid/total"/>
        <DerivedVariable name="absent" dimension="voltage" select="mid/nothing/y" reduce="add" required="false"/>
        <OnStart><StateAssignment variable="v" value="v0"/></OnStart>
    </Dynamics>
</ComponentType>
<ComponentType name="drawing">
    <Exposure name="r" dimension="none"/>
    <Dynamics>
        <StateVariable name="r" dimension="none" exposure="r"/>
        <OnStart><StateAssignment variable="r" value="random(1)"/></OnStart>
    </Dynamics>
</ComponentType>
<ComponentType name="many">
    <Parameter name="n" dimension="none"/>
    <ComponentReference name="each" type="drawing"/>
    <Structure><MultiInstantiate number="n" component="each"/></Structure>
</ComponentType>
"#;

const MODEL: &str = r#"
<top id="root" v0="-60mV">
    <mid>
        <leaf id="a" weight="2"/>
        <leaf id="b"/>
    </mid>
</top>
<Simulation id="sim" length="2.5ms" step="1ms" target="root">
    <OutputFile id="out" fileName="results/out.dat">
        <OutputColumn id="v" quantity="v"/>
        <OutputColumn id="ya" quantity="mid/a/y"/>
    </OutputFile>
</Simulation>
"#;

/// Checks `body` (with [`TYPES`]) from a temporary file; returns the model and its IR.
fn checked(name: &str, body: &str) -> (Model, Ir, SourceMap) {
    let dir = std::env::temp_dir().join(format!("lemsc-assemble-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.xml"));
    std::fs::write(
        &path,
        format!("<Lems>\n{TYPES}\n{body}\n<Target component=\"sim\"/>\n</Lems>"),
    )
    .unwrap();
    let c = check(&[path], &CheckOptions::default());
    let rendered = render(&c.sources, &c.diagnostics.list, false);
    assert!(c.ok(), "{name} does not check:\n{rendered}");
    (c.model.unwrap(), c.ir.expect("a simulation"), c.sources)
}

fn opts() -> ProgramOptions {
    ProgramOptions {
        out_dir: PathBuf::from("/some/dir"),
        seed: None,
    }
}

fn program(name: &str, body: &str) -> (Program, Ir, Model) {
    let (model, ir, sources) = checked(name, body);
    let p = build_program(&model, &ir, &opts())
        .unwrap_or_else(|d| panic!("{}", render(&sources, &d, false)));
    (p, ir, model)
}

fn inst(ir: &Ir, path: &str) -> u32 {
    ir.descendant(ir.root, path)
        .unwrap_or_else(|| panic!("no instance {path}"))
        .0
}

/// The vars index of slot `name` of instance `i`.
fn var(p: &Program, i: u32, name: &str) -> u64 {
    let rec = &p.instances[i as usize];
    let k = &p.kernels[rec.kernel as usize];
    let slot = k.slot_names.iter().position(|n| n == name);
    rec.base + slot.unwrap_or_else(|| panic!("no slot {name} in {:?}", k.slot_names)) as u64
}

/// Link entry `k` of instance `i`.
fn link(p: &Program, i: u32, k: u64) -> u64 {
    p.links[(p.instances[i as usize].links + k) as usize]
}

#[test]
fn instances_of_one_component_share_a_kernel_and_get_their_own_blocks() {
    let (p, ir, _) = program("layout", MODEL);
    let (a, b) = (inst(&ir, "mid/a"), inst(&ir, "mid/b"));
    assert_eq!(p.instances.len(), 4);
    assert_eq!(
        p.kernels.len(),
        4,
        "a and b have different weights, so kernels differ"
    );
    let mut next = 0;
    for rec in &p.instances {
        assert_eq!(rec.base, next, "blocks follow each other");
        next += u64::from(p.kernels[rec.kernel as usize].block_len);
    }
    assert!(p.initial.len() as u64 >= next);
    assert_eq!(p.instances[a as usize].path, "mid/a");
    // weight is a Property: a's given value and b's default.
    assert_eq!(p.initial[var(&p, a, "weight") as usize], 2.0);
    assert_eq!(p.initial[var(&p, b, "weight") as usize], 1.0);
}

#[test]
fn a_requirement_is_read_from_the_nearest_ancestor_that_has_it() {
    let (p, ir, _) = program("requirement", MODEL);
    let (root, a) = (inst(&ir, ""), inst(&ir, "mid/a"));
    // `mid` has no `v`, so the leaf reads the root's exposed v.
    assert_eq!(link(&p, a, 0), var(&p, root, "v@exposed"));
}

#[test]
fn a_multi_select_lists_the_members_exposures_in_document_order() {
    let (p, ir, _) = program("select", MODEL);
    let (mid, a, b) = (inst(&ir, "mid"), inst(&ir, "mid/a"), inst(&ir, "mid/b"));
    let at = link(&p, mid, 0) as usize;
    assert_eq!(
        &p.links[at..at + 3],
        &[2, var(&p, a, "y@exposed"), var(&p, b, "y@exposed")]
    );
    let root = inst(&ir, "");
    assert_eq!(link(&p, root, 0), var(&p, mid, "total@exposed"));
}

#[test]
fn an_optional_select_that_finds_nothing_reads_a_constant_slot() {
    let (p, ir, _) = program("optional", MODEL);
    let root = inst(&ir, "");
    let index = link(&p, root, 1) as usize;
    let blocks: u64 = p
        .instances
        .iter()
        .map(|r| u64::from(p.kernels[r.kernel as usize].block_len))
        .sum();
    assert!(index as u64 >= blocks, "outside every instance's block");
    assert_eq!(p.initial[index], 0.0, "reduce=add gives 0");
}

#[test]
fn children_advance_before_their_parent_and_init_passes_double_per_level() {
    let (p, ir, _) = program("orders", MODEL);
    let (root, mid, a, b) = (
        inst(&ir, ""),
        inst(&ir, "mid"),
        inst(&ir, "mid/a"),
        inst(&ir, "mid/b"),
    );
    let advanced: Vec<u32> = p
        .step_order
        .iter()
        .map(|op| match op {
            Op::Advance { inst } => *inst,
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(advanced, vec![a, b, mid, root]);
    let init_order = order::expanded(&p.init_order);
    let count = |i: u32, derived: bool| {
        init_order
            .iter()
            .filter(|op| {
                **op == Op::Init {
                    inst: i,
                    with_derived: derived,
                }
            })
            .count()
    };
    // 3 passes per initialise call, called 2^depth times; one in three without derived.
    for (i, depth) in [(root, 0), (mid, 1), (a, 2), (b, 2)] {
        assert_eq!(count(i, false), 1 << depth, "instance {i}");
        assert_eq!(count(i, true), 2 << depth, "instance {i}");
    }
    assert_eq!(
        &init_order[..3],
        &[
            Op::Init {
                inst: root,
                with_derived: false
            },
            Op::Init {
                inst: mid,
                with_derived: false
            },
            Op::Init {
                inst: a,
                with_derived: false
            },
        ]
    );
}

#[test]
fn builder_made_instances_that_draw_run_each_init_pass_twice() {
    let (p, ir, _) = program(
        "drawing",
        r#"
<drawing id="d"/>
<many id="root" n="2" each="d"/>
<Simulation id="sim" length="1ms" step="1ms" target="root"/>
"#,
    );
    let member = inst(&ir, "0");
    // depth 1: 2 initialise calls x 3 passes, each running OnStart twice.
    assert_eq!(init_draws(&p, member), 12);
    let second = inst(&ir, "1");
    assert_eq!(
        p.step_order,
        vec![Op::Advance { inst: member }, Op::Advance { inst: second }],
        "members in index order; the population itself has nothing to advance"
    );
}

#[test]
fn list_members_that_draw_run_each_init_pass_once() {
    let (p, ir, _) = program(
        "drawing_list",
        r#"
<ComponentType name="bag">
    <Children name="items" type="drawing"/>
</ComponentType>
<bag id="root"><drawing id="d"/></bag>
<Simulation id="sim" length="1ms" step="1ms" target="root"/>
"#,
    );
    let member = inst(&ir, "d");
    assert_eq!(
        init_draws(&p, member),
        6,
        "a <Children> member is built from the original type: one OnStart per pass"
    );
}

/// How many `random()` calls the init order makes for instance `member`.
fn init_draws(p: &Program, member: u32) -> usize {
    let kernel = &p.kernels[p.instances[member as usize].kernel as usize];
    let per_pass = |with_derived: bool| {
        let stmts = if with_derived {
            &kernel.init_derived
        } else {
            &kernel.init
        };
        stmts
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    Stmt::Set {
                        value: Expr::Random(_),
                        ..
                    }
                )
            })
            .count()
    };
    order::expanded(&p.init_order)
        .iter()
        .map(|op| match op {
            Op::Init { inst, with_derived } if *inst == member => per_pass(*with_derived),
            _ => 0,
        })
        .sum()
}

#[test]
fn run_settings_round_steps_half_up_and_take_the_seed_option_first() {
    let (model, ir, _) = checked("settings", MODEL);
    let p = build_program(&model, &ir, &opts()).unwrap();
    assert_eq!(p.dt, 1e-3);
    assert_eq!(p.steps, 3, "2.5 steps round up, as Math.round does");
    assert_eq!(p.seed, 1234);
    let seeded = ProgramOptions {
        seed: Some(7),
        ..opts()
    };
    assert_eq!(build_program(&model, &ir, &seeded).unwrap().seed, 7);
}

#[test]
fn output_columns_read_exposures_and_files_go_under_the_output_folder() {
    let (p, ir, _) = program("outputs", MODEL);
    let (root, a) = (inst(&ir, ""), inst(&ir, "mid/a"));
    assert_eq!(p.outputs.len(), 1);
    assert_eq!(
        p.outputs[0].path,
        PathBuf::from("/some/dir/results/out.dat")
    );
    assert_eq!(
        p.outputs[0].columns,
        vec![var(&p, root, "v@exposed"), var(&p, a, "y@exposed")]
    );
}

/// The error of building `body`, rendered.
fn error_of(name: &str, body: &str) -> String {
    let (model, ir, sources) = checked(name, body);
    let diags: Vec<Diagnostic> = build_program(&model, &ir, &opts()).expect_err("an error");
    render(&sources, &diags, false)
}

#[test]
fn a_missing_requirement_is_a_located_error() {
    let text = error_of(
        "no_requirement",
        r#"
<middle id="root"><leaf id="a"/></middle>
<Simulation id="sim" length="1ms" step="1ms" target="root"/>
"#,
    );
    assert!(text.contains("requires 'v'"), "{text}");
    assert!(
        text.contains("Requirement name=\"v\""),
        "points at the requirement: {text}"
    );
}

#[test]
fn a_required_select_that_finds_nothing_is_a_located_error() {
    let text = error_of(
        "no_child",
        r#"
<ComponentType name="reader">
    <Child name="mid" type="middle"/>
    <Dynamics>
        <DerivedVariable name="x" dimension="voltage" select="mid/missing/y"/>
    </Dynamics>
</ComponentType>
<reader id="root"><mid/></reader>
<Simulation id="sim" length="1ms" step="1ms" target="root"/>
"#,
    );
    assert!(text.contains("select=\"mid/missing/y\""), "{text}");
    assert!(text.contains("no child 'missing'"), "{text}");
    assert!(text.contains(".xml:"), "located: {text}");
}

#[test]
fn instance_paths_name_every_instance() {
    let (p, ir, _) = program("paths", MODEL);
    let paths: Vec<&str> = p.instances.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, vec!["", "mid", "mid/a", "mid/b"]);
    assert_eq!(ir.inst(InstId(0)).parent, None);
}

#[test]
fn an_output_column_that_cannot_be_resolved_is_an_error_where_the_resolver_says_and_left_out() {
    use crate::diag::{FileId, Span};
    use crate::ir::{OutputColumn, OutputFile, VarRef};
    let column = |id: &str, variable: &str| OutputColumn {
        id: id.into(),
        target: VarRef {
            inst: InstId(0),
            segment: None,
            variable: variable.into(),
        },
    };
    let file = OutputFile {
        id: "of".into(),
        file_name: "v.dat".into(),
        columns: vec![column("a", "v"), column("b", "w"), column("c", "u")],
    };
    let at = Span::new(FileId(0), 3, 5);
    let mut diags = Vec::new();
    let spec = super::output_spec(
        &file,
        std::path::Path::new("out"),
        |target| match target.variable.as_str() {
            "v" => Ok(10),
            "u" => Ok(11),
            _ => Err((at, "no such variable".to_string())),
        },
        &mut diags,
    );
    assert_eq!(spec.id, "of");
    assert_eq!(spec.path, PathBuf::from("out/v.dat"));
    assert_eq!(spec.columns, vec![10, 11]);
    assert_eq!(diags.len(), 1);
    assert_eq!(
        diags[0].message,
        "column 'b' of output file 'of' cannot be recorded: no such variable"
    );
    assert_eq!(diags[0].primary.as_ref().map(|(s, _)| *s), Some(at));
}
