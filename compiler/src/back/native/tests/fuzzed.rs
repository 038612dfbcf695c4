//! Models the `engines` fuzz target (fuzz/fuzz_targets/engines.rs) found the compiled
//! kernels to get wrong, reduced by hand: each one is run through the whole pipeline by the
//! reference interpreter and by compiled kernels, which must agree bit for bit.

use lemsc_runtime::engine::{run, Interpreter, KernelCode, RunOptions, RunReport};
use lemsc_runtime::program::Program;

use crate::back::native::kernel::compile_program;
use crate::diag::render;
use crate::passes::kernels::{build_program, ProgramOptions};
use crate::{check, CheckOptions};

/// `<Lems>` around `body`, checked from a temporary file and lowered to a program whose
/// output files go to `<temp>/.../<folder>`.
fn program(name: &str, body: &str, folder: &str) -> Program {
    let dir = std::env::temp_dir().join(format!("lemsc-fuzzed-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.xml");
    let text = format!(
        "<Lems>\n<Include file=\"NeuroMLCoreDimensions.xml\"/>\n<Include file=\"Simulation.xml\"/>\n\
         {body}\n<Target component=\"sim\"/>\n</Lems>\n"
    );
    std::fs::write(&path, text).unwrap();
    let checked = check(&[path], &CheckOptions::default());
    let rendered = render(&checked.sources, &checked.diagnostics.list, false);
    assert!(checked.ok(), "{name} does not check:\n{rendered}");
    let (model, ir) = (checked.model.unwrap(), checked.ir.expect("a simulation"));
    std::fs::create_dir_all(dir.join(folder)).unwrap();
    let opts = ProgramOptions {
        out_dir: dir.join(folder),
        seed: None,
    };
    build_program(&model, &ir, &opts).unwrap_or_else(|d| panic!("{name} does not lower: {d:?}"))
}

/// The report and the bytes of every output file of one run.
fn run_with(program: &Program, code: &dyn KernelCode) -> (RunReport, Vec<Vec<u8>>) {
    let report = run(program, code, RunOptions::default()).expect("the run finishes");
    let files = report
        .files
        .iter()
        .map(|f| std::fs::read(f).unwrap())
        .collect();
    (report, files)
}

/// Runs `body` with both engines and asserts the same final values and the same files.
fn assert_engines_agree(name: &str, body: &str) {
    let reference = program(name, body, "interpreter");
    let (expected, expected_files) = run_with(&reference, &Interpreter::new(&reference.kernels));
    let native = program(name, body, "native");
    let kernels = compile_program(&native).expect("the kernels compile");
    let (got, got_files) = run_with(&native, &kernels);

    assert_eq!(got.steps, expected.steps);
    assert_eq!(got.events_delivered, expected.events_delivered);
    let bits = |r: &RunReport| r.final_vars.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got), bits(&expected), "final values of {name}");
    assert!(!expected_files.is_empty() && !expected_files[0].is_empty());
    assert_eq!(got_files, expected_files, "output files of {name}");
}

/// LLVM 19's `instcombine`, named alone in a pass pipeline, aborted the whole process
/// ("Instruction Combining did not reach a fixpoint") on this condition.
#[test]
fn a_condition_instcombine_does_not_settle_in_one_round_compiles() {
    assert_engines_agree(
        "instcombine-fixpoint",
        r#"
<ComponentType name="part">
  <Parameter name="p0" dimension="none"/>
  <Parameter name="rate" dimension="per_time"/>
  <Exposure name="x0" dimension="none"/>
  <Exposure name="d0" dimension="none"/>
  <Exposure name="d2" dimension="none"/>
  <Dynamics>
    <StateVariable name="x0" dimension="none" exposure="x0"/>
    <DerivedVariable name="d0" dimension="none" exposure="d0" value="sin((p0 - -(4)))"/>
    <DerivedVariable name="d2" dimension="none" exposure="d2" value="x0"/>
    <TimeDerivative variable="x0" value="rate * (cosh((cos(100) - (x0 ^ 1.5))))"/>
    <OnCondition test="100 .lt. (d0 * (0.5 / d2)) .and. .not. exp(p0) .lt. p0 .or. .not. p0 .gt. p0">
      <StateAssignment variable="x0" value="p0"/>
    </OnCondition>
  </Dynamics>
</ComponentType>
<ComponentType name="top">
  <Child name="a" type="part"/>
</ComponentType>
<top id="net">
  <a rate="0.1per_ms" p0="0"/>
</top>
<Simulation id="sim" length="1ms" step="0.01ms" target="net">
  <OutputFile id="of" fileName="x.dat">
    <OutputColumn id="x" quantity="a/x0"/>
    <OutputColumn id="d" quantity="a/d0"/>
  </OutputFile>
</Simulation>"#,
    );
}
