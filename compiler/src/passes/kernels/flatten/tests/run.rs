//! Kernels run step by step with a small interpreter of their statements, against
//! hand-computed values and the jLEMS reference traces.

use lemsc_runtime::engine::{Entry, Interpreter, KernelCall, KernelCode, RunContext};

use super::*;

/// The values the kernels under test run on, with the run's clock and generator.
struct Values {
    vars: Vec<f64>,
    links: Vec<u64>,
    dt: f64,
    t: f64,
    rng: lemsc_runtime::javarand::JavaRandom,
}

impl Values {
    fn new(vars: Vec<f64>, links: Vec<u64>, dt: f64) -> Values {
        Values {
            vars,
            links,
            dt,
            t: 0.0,
            rng: lemsc_runtime::javarand::JavaRandom::new(1234),
        }
    }

    /// Runs `entry` of `kernels[kernel]` with the interpreter, on the block at `base`; the
    /// out-ports it fired.
    fn run(
        &mut self,
        kernels: &[lemsc_runtime::program::Kernel],
        kernel: u32,
        entry: Entry,
        base: usize,
    ) -> u64 {
        let mut ctx = RunContext {
            vars: &mut self.vars,
            links: &self.links,
            t: self.t,
            dt: self.dt,
            rng: &mut self.rng,
        };
        let call = KernelCall {
            kernel,
            entry,
            base,
            link_start: 0,
        };
        Interpreter::new(kernels).run(call, &mut ctx)
    }
}

struct Runner {
    plan: KernelPlan,
    /// Every multi-select reads an empty list; the instance has no parent or children.
    values: Values,
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
            values: Values::new(vars, links, dt),
        }
    }

    fn run(&mut self, entry: Entry) -> u64 {
        let kernels = [self.plan.kernel.clone()];
        self.values.run(&kernels, 0, entry, 0)
    }

    /// jLEMS's initialisation of a root instance: a pass without derived variables, then
    /// two with.
    fn initialise(&mut self) {
        self.initialise_at_depth(0);
    }

    /// The own passes of an instance at `depth` below the root: `initialise` reaches it
    /// 2^depth times, each running a pass without derived variables and two with.
    fn initialise_at_depth(&mut self, depth: u32) {
        for _ in 0..1 << depth {
            self.run(Entry::Init);
            self.run(Entry::InitDerived);
            self.run(Entry::InitDerived);
        }
    }

    /// One step at the new time `t + dt`; the out-ports fired.
    fn step(&mut self) -> u64 {
        self.values.t += self.values.dt;
        self.run(Entry::Advance)
    }

    fn get(&self, name: &str) -> f64 {
        self.values.vars[slot(&self.plan, name) as usize]
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
        let value = |run: &Runner| run.values.vars[run.plan.readable[*var] as usize] as f32;
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
    values: Values,
    cell_base: usize,
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
            values: Values::new(vars, links, dt),
            cell_base,
        }
    }

    /// Runs `entry` of the input (`cell == false`) or the cell.
    fn run(&mut self, cell: bool, entry: Entry) {
        let kernels = [self.input.kernel.clone(), self.cell.kernel.clone()];
        let (kernel, base) = if cell { (1, self.cell_base) } else { (0, 0) };
        self.values.run(&kernels, kernel, entry, base);
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
        self.values.t += self.values.dt;
        self.run(false, lemsc_runtime::engine::Entry::Advance);
        self.run(true, lemsc_runtime::engine::Entry::Advance);
    }

    fn cell_value(&self, name: &str) -> f32 {
        self.values.vars[self.cell_base + self.cell.readable[name] as usize] as f32
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
