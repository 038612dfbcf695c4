//! The run loop (docs/jlems-semantics.md §3): initialisation at t = 0, then `steps` steps,
//! a row of every output file before the first step and after each one, and events
//! delivered as jLEMS delivers them (§6).
//!
//! ```text
//! validate; create every output file
//! run init_order at t = 0
//! t = 0
//! for step in 0 ..= steps:
//!     if step > 0:
//!         deliver the delayed events due at or before t
//!         run step_order (instances advanced, kinetic schemes stepped), with advances
//!         of one kernel brought together where no result changes (`regroup`)
//!     write a row stamped t (and the events recorded since the last row)
//!     t = t + dt                    # accumulated, never step * dt
//! finish every file
//! ```
//!
//! Events: when an entry fires out-ports (bit k of its result = out-port k), each fired
//! port is served in ascending order: its zero-delay connections run their target's
//! `OnEvent` at once, in program order (and what those fire is served before going on);
//! then its delayed connections are queued, due at `t + delay`; then the event is noted
//! for each `EventOutputFile` selection of that port.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::cable::{advance_cable, CableWork};
use super::code::{AdvanceBatch, BatchStop, Entry, KernelCall, KernelCode, RunContext};
use super::crew::Crew;
use super::kinetic::{advance_scheme, KineticWork};
use super::lanes::{split, DEFAULT_MIN_PARALLEL_WORK};
use super::plan::{Step, StepPlan};
use super::queue::DelayedEvents;
use super::record::Recorders;
use super::regroup::regrouped_order;
use super::routes::{Receiver, Routes};
use crate::javarand::JavaRandom;
use crate::output::OutputError;
use crate::program::{Op, Program};

/// How deep zero-delay events may trigger further zero-delay events within one delivery
/// before the run stops: deeper means the connections form a loop.
pub const MAX_EVENT_DEPTH: usize = 10_000;

/// How often a run reports progress: about this many times, plus once at the end.
const PROGRESS_REPORTS: u64 = 1000;

/// What a run may do besides simulating.
#[derive(Default)]
pub struct RunOptions<'a> {
    /// Called as `progress(step, steps)` after the row of `step` is written: about a
    /// thousand times a run, and always after the last row.
    pub progress: Option<&'a mut dyn FnMut(u64, u64)>,
    /// The most threads a step may run on (0 and 1: the calling thread only). Steps are
    /// split only where the kernel code can be shared between threads and the split keeps
    /// every bit (`lanes`).
    pub threads: usize,
    /// Split a step only when its advances do at least this much work (statements per
    /// step); `None`: [`DEFAULT_MIN_PARALLEL_WORK`].
    pub min_parallel_work: Option<u64>,
}

/// What a successful run did.
#[derive(Clone, Debug, PartialEq)]
pub struct RunReport {
    /// Steps run (the files have one row more).
    pub steps: u64,
    /// Events delivered to in-ports (at once or after a delay).
    pub events_delivered: u64,
    /// The files written, `OutputFile`s first, in program order.
    pub files: Vec<PathBuf>,
    /// Every value at the end of the run (after the last step).
    pub final_vars: Vec<f64>,
    /// The threads each step ran on (1 unless the step was split, see
    /// [`RunOptions::threads`]).
    pub threads: usize,
}

/// Why a run stopped. No output file is left behind by a failed run.
#[derive(Debug)]
pub enum RunError {
    /// A state variable became NaN or infinite after its instance advanced (or an
    /// occupancy after its kinetic scheme stepped).
    NonFinite {
        /// The slot's name (`v`, `rate:v`).
        variable: String,
        /// The instance's path (`hhpop[0]/bioPhys1/...`).
        instance: String,
        /// The time of the step, in seconds.
        t: f64,
        /// The instance and the slot of the value, for locating it in the model (None when
        /// the value belongs to no instance).
        place: Option<(u32, u32)>,
    },
    /// An output file could not be created or written.
    Output(OutputError),
    /// The program failed validation (a compiler bug, or a bad hand-built program).
    Invalid(String),
    /// Zero-delay events kept triggering each other, more than [`MAX_EVENT_DEPTH`] deep.
    EventLoop {
        /// The path of the instance whose event went too deep.
        instance: String,
        t: f64,
        /// That instance's index in [`Program::instances`].
        inst: u32,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::NonFinite {
                variable,
                instance,
                t,
                ..
            } => write!(
                f,
                "'{variable}' of {instance} became NaN or infinite at t = {t} s \
                 (the model diverged; a smaller time step may help)"
            ),
            RunError::Output(e) => write!(f, "{e}"),
            RunError::Invalid(message) => write!(f, "invalid program: {message}"),
            RunError::EventLoop { instance, t, .. } => write!(
                f,
                "events sent without delay by {instance} at t = {t} s trigger each other \
                 more than {MAX_EVENT_DEPTH} levels deep: the connections form a loop"
            ),
        }
    }
}

impl std::error::Error for RunError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RunError::Output(e) => Some(e),
            _ => None,
        }
    }
}

impl From<OutputError> for RunError {
    fn from(e: OutputError) -> RunError {
        RunError::Output(e)
    }
}

/// Runs `program` with `code` running its kernels, writing its output files.
pub fn run(
    program: &Program,
    code: &dyn KernelCode,
    opts: RunOptions,
) -> Result<RunReport, RunError> {
    program.validate().map_err(RunError::Invalid)?;
    let recorders = Recorders::create(program)?;
    let _flush = super::flush::FlushSubnormals::begin();
    let mut sim = Simulation::new(program, code, recorders);
    let step_order = regrouped_order(program);
    let min_work = opts.min_parallel_work.unwrap_or(DEFAULT_MIN_PARALLEL_WORK);
    let lanes = code
        .shared()
        .and_then(|shared| Some((shared, split(program, &step_order, opts.threads, min_work)?)));
    let mut progress = opts.progress;

    if let Some((_, lanes)) = &lanes {
        if let Some(lane_of) = &lanes.delivery {
            sim.queue_by_lane(lane_of, lanes.plans.len());
        }
    }
    sim.run_ops(&program.init_order)?;
    match &lanes {
        Some((shared, lanes)) => {
            Crew::with(program, *shared, Arc::clone(&sim.routes), lanes, |crew| {
                sim.run_steps(&mut progress, |sim| sim.run_lanes(crew))
            })?
        }
        None => {
            let step_plan = StepPlan::new(
                program,
                step_order.iter().map(|&p| (p, &program.step_order[p])),
            );
            sim.run_steps(&mut progress, |sim| sim.run_plan(&step_plan))?
        }
    }
    Ok(RunReport {
        steps: program.steps,
        events_delivered: sim.events_delivered,
        files: sim.recorders.finish()?,
        final_vars: sim.vars,
        threads: lanes.as_ref().map_or(1, |(_, lanes)| lanes.threads),
    })
}

/// The state of a run.
struct Simulation<'p> {
    program: &'p Program,
    code: &'p dyn KernelCode,
    vars: Vec<f64>,
    rng: JavaRandom,
    /// 0 during initialisation, then the time of the step being run.
    t: f64,
    /// Shared with the threads of a split step (`crew`), which serve zero-delay receivers.
    routes: Arc<Routes>,
    /// Delayed events, each with the receiver it goes to: one queue, or one per lane of a
    /// split step when the lanes deliver them (`lanes::Lanes::delivery`).
    queues: Vec<DelayedEvents<Receiver>>,
    /// The queue of each receiving instance (empty: all in the first).
    queue_of: Vec<u32>,
    recorders: Recorders<'p>,
    kinetic: KineticWork,
    cable: CableWork,
    /// The out-ports being served, innermost last (see [`Simulation::fire`]).
    serving: Vec<Serving>,
    events_delivered: u64,
    /// The ports fired in a step split into lanes, gathered (kept to reuse its memory).
    lane_fired: Vec<(usize, u32, u64)>,
}

/// Out-ports of one instance being served.
struct Serving {
    inst: u32,
    /// The fired ports not yet finished, the current one included.
    ports: u64,
    /// The current port (the lowest bit of `ports`).
    port: u32,
    /// The zero-delay receivers of the current port not yet run.
    next: std::ops::Range<usize>,
}

impl<'p> Simulation<'p> {
    fn new(
        program: &'p Program,
        code: &'p dyn KernelCode,
        recorders: Recorders<'p>,
    ) -> Simulation<'p> {
        let schemes = program
            .init_order
            .iter()
            .chain(&program.step_order)
            .filter_map(|op| match op {
                Op::KineticScheme(scheme) => Some(&**scheme),
                _ => None,
            });
        let routes = Arc::new(Routes::new(program));
        let queue = DelayedEvents::new(program.dt, routes.longest_delay());
        let queues = vec![queue];
        Simulation {
            program,
            code,
            vars: program.initial.clone(),
            rng: JavaRandom::new(program.seed),
            t: 0.0,
            routes,
            queues,
            queue_of: Vec::new(),
            recorders,
            kinetic: KineticWork::for_schemes(schemes),
            cable: CableWork::for_solves(program.step_order.iter().filter_map(|op| match op {
                Op::Cable(cable) => Some(&**cable),
                _ => None,
            })),
            serving: Vec::with_capacity(16),
            events_delivered: 0,
            lane_fired: Vec::new(),
        }
    }

    /// Files each delayed event in the queue of its receiver's lane (`lane_of`, one of
    /// `lanes`), for lanes that deliver their own events.
    fn queue_by_lane(&mut self, lane_of: &[u32], lanes: usize) {
        let longest = self.routes.longest_delay();
        self.queues = (0..lanes)
            .map(|_| DelayedEvents::new(self.program.dt, longest))
            .collect();
        self.queue_of = lane_of.to_vec();
    }

    /// Runs the steps after initialisation, each with `run_step`, writing a row after each
    /// (and one before the first).
    fn run_steps(
        &mut self,
        progress: &mut Option<&mut dyn FnMut(u64, u64)>,
        mut run_step: impl FnMut(&mut Self) -> Result<(), RunError>,
    ) -> Result<(), RunError> {
        let steps = self.program.steps;
        let stride = steps.div_ceil(PROGRESS_REPORTS).max(1);
        // Lanes that deliver the delayed events do it at the start of their part of a step.
        let lanes_deliver = self.queues.len() > 1;
        for step in 0..=steps {
            if step > 0 {
                if !lanes_deliver {
                    self.deliver_due_events()?;
                }
                run_step(self)?;
            }
            self.recorders.write_row(self.t, &self.vars)?;
            if let Some(report) = progress.as_mut() {
                if step % stride == 0 || step == steps {
                    report(step, steps);
                }
            }
            self.t += self.program.dt;
        }
        Ok(())
    }

    /// Runs one step split into lanes (`lanes`) on `crew`'s threads, then serves the ports
    /// fired in step-order position, as one thread would have.
    fn run_lanes(&mut self, crew: &Crew<'_>) -> Result<(), RunError> {
        let queues = (self.queues.len() > 1).then_some(&mut self.queues[..]);
        crew.step(&mut self.vars, self.t, &mut self.rng, queues);
        let mut fired = std::mem::take(&mut self.lane_fired);
        fired.clear();
        let mut failure: Option<(usize, u32)> = None;
        for outcome in crew.outcomes() {
            fired.extend_from_slice(&outcome.fired);
            self.events_delivered += outcome.delivered;
            if let Some(f) = outcome.failure {
                failure = Some(failure.map_or(f, |first| first.min(f)));
            }
        }
        if let Some((_, inst)) = failure {
            return Err(self.check_state(inst).err().unwrap_or_else(|| {
                RunError::Invalid(format!("instance {inst} was reported diverged but is not"))
            }));
        }
        fired.sort_unstable_by_key(|&(position, _, _)| position);
        for &(_, inst, ports) in &fired {
            // The zero-delay receivers ran in the lane.
            for port in Ports(ports) {
                self.finish_port(inst, port);
            }
        }
        self.lane_fired = fired;
        Ok(())
    }

    /// Runs one step: batches of advances through [`KernelCode::advance_batch`], each
    /// instance it stops after served (checked, its ports fired) before the rest go on.
    fn run_plan(&mut self, plan: &StepPlan<'p>) -> Result<(), RunError> {
        for (s, step) in plan.steps.iter().enumerate() {
            match step {
                Step::Op(op, position) => {
                    if let Err(e) = self.run_op(op) {
                        return Err(self.first_failure(plan, s + 1, 0, *position, e));
                    }
                }
                Step::Batch { kernel, range } => {
                    let (program, code) = (self.program, self.code);
                    let state_slots = &program.kernels[*kernel as usize].state_slots;
                    let mut from = range.start;
                    while from < range.end {
                        let batch = AdvanceBatch {
                            places: &plan.places[from..range.end],
                            state_slots,
                        };
                        let Some(BatchStop { position, fired }) =
                            code.advance_batch(*kernel, &mut self.context(), &batch)
                        else {
                            break;
                        };
                        let at = from + position;
                        if let Err(e) = self.serve(plan.insts[at], fired) {
                            return Err(self.first_failure(plan, s, at + 1, plan.positions[at], e));
                        }
                        from = at + 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks the state of an instance just advanced, then fires its ports.
    fn serve(&mut self, inst: u32, fired: u64) -> Result<(), RunError> {
        self.check_state(inst)?;
        self.fire(inst, fired)
    }

    /// The error the step order as written would have stopped at. The plan runs ops out of
    /// that order (`regroup`), and the op at `failed_at` in the step order failed; ops written
    /// before it that the plan had not reached (from `plan.steps[step]`, batch entry `entry`
    /// on) could fail in the same step. Each depends only on ops written before it, which
    /// have all run by then, so they are run now, in plan order, and the failure written
    /// first is the one jLEMS's order meets.
    fn first_failure(
        &mut self,
        plan: &StepPlan<'p>,
        step: usize,
        entry: usize,
        failed_at: usize,
        error: RunError,
    ) -> RunError {
        let mut first = (failed_at, error);
        for later in &plan.steps[step..] {
            match later {
                Step::Op(op, position) => {
                    if *position < first.0 {
                        if let Err(e) = self.run_op(op) {
                            first = (*position, e);
                        }
                    }
                }
                Step::Batch { range, .. } => {
                    for at in range.start.max(entry)..range.end {
                        let (inst, position) = (plan.insts[at], plan.positions[at]);
                        if position < first.0 {
                            let fired = self.run_entry(inst, Entry::Advance);
                            if let Err(e) = self.serve(inst, fired) {
                                first = (position, e);
                            }
                        }
                    }
                }
            }
        }
        first.1
    }

    /// Runs `ops` in order, each [`Op::Repeat`] running the ops before it again.
    fn run_ops(&mut self, ops: &'p [Op]) -> Result<(), RunError> {
        for (at, op) in ops.iter().enumerate() {
            match op {
                Op::Repeat { len } => {
                    // Validation keeps every repeat inside what covers it.
                    let start = at.checked_sub(*len as usize).ok_or_else(|| {
                        RunError::Invalid(format!("a repeat of {len} ops reaches before the order"))
                    })?;
                    self.run_ops(&ops[start..at])?;
                }
                _ => self.run_op(op)?,
            }
        }
        Ok(())
    }

    fn run_op(&mut self, op: &'p Op) -> Result<(), RunError> {
        match op {
            Op::Init { inst, with_derived } => {
                let entry = if *with_derived {
                    Entry::InitDerived
                } else {
                    Entry::Init
                };
                let fired = self.run_entry(*inst, entry);
                self.fire(*inst, fired)?;
            }
            Op::Advance { inst } => {
                let fired = self.run_entry(*inst, Entry::Advance);
                self.check_state(*inst)?;
                self.fire(*inst, fired)?;
            }
            Op::KineticScheme(scheme) => {
                advance_scheme(scheme, &mut self.vars, self.program.dt, &mut self.kinetic);
                if let Some(&bad) = scheme
                    .states
                    .iter()
                    .find(|&&i| !self.vars[i as usize].is_finite())
                {
                    return Err(self.non_finite_value(bad));
                }
            }
            Op::Repeat { .. } => {
                return Err(RunError::Invalid(
                    "a repeat outside the init order".to_string(),
                ))
            }
            Op::Cable(cable) => {
                advance_cable(cable, &mut self.vars, self.program.dt, &mut self.cable);
                if let Some(bad) = cable
                    .nodes
                    .iter()
                    .find(|n| !self.vars[n.v as usize].is_finite())
                {
                    return Err(self.non_finite_value(bad.v));
                }
            }
        }
        Ok(())
    }

    /// Runs one entry of instance `inst` at the current time; returns the fired ports.
    fn run_entry(&mut self, inst: u32, entry: Entry) -> u64 {
        let rec = &self.program.instances[inst as usize];
        self.run_entry_at(rec.kernel, entry, rec.base, rec.links)
    }

    /// Runs `entry` of kernel `kernel` for the block at `base` with links at `links`.
    fn run_entry_at(&mut self, kernel: u32, entry: Entry, base: u64, links: u64) -> u64 {
        let call = KernelCall {
            kernel,
            entry,
            base: base as usize,
            link_start: links as usize,
        };
        self.code.run(call, &mut self.context())
    }

    /// What a kernel runs on: the state, the links, the time and the random stream.
    fn context(&mut self) -> RunContext<'_> {
        RunContext {
            vars: &mut self.vars,
            links: &self.program.links,
            t: self.t,
            dt: self.program.dt,
            rng: &mut self.rng,
        }
    }

    /// Runs the `OnEvent` of an event arriving at `receiver`.
    fn receive(&mut self, receiver: Receiver) -> u64 {
        self.events_delivered += 1;
        self.run_entry_at(
            receiver.kernel,
            Entry::OnEvent(receiver.in_port),
            receiver.base,
            receiver.links,
        )
    }

    /// Delivers the delayed events due by now, earliest first, and what they fire. Delayed
    /// events sent from here are due at `t + delay` with this step's `t` (jLEMS would throw
    /// while its queue is being walked, so there is no behaviour to match).
    fn deliver_due_events(&mut self) -> Result<(), RunError> {
        while let Some((_, receiver)) = self.queues[0].pop_due(self.t) {
            let fired = self.receive(receiver);
            self.fire(receiver.target, fired)?;
        }
        Ok(())
    }

    /// Serves the out-ports `ports` fired by `inst`, depth first: a zero-delay receiver
    /// that fires in turn has its ports served before the next receiver runs. Kept on an
    /// explicit stack so a long chain cannot overflow the call stack.
    fn fire(&mut self, inst: u32, ports: u64) -> Result<(), RunError> {
        if ports == 0 {
            return Ok(());
        }
        self.serving.clear();
        self.push_serving(inst, ports);
        while let Some(top) = self.serving.last_mut() {
            if let Some(at) = top.next.next() {
                let receiver = self.routes.immediate_at(at);
                let fired = self.receive(receiver);
                if fired != 0 {
                    if self.serving.len() >= MAX_EVENT_DEPTH {
                        return Err(RunError::EventLoop {
                            instance: self.path(receiver.target).to_string(),
                            t: self.t,
                            inst: receiver.target,
                        });
                    }
                    self.push_serving(receiver.target, fired);
                }
                continue;
            }
            // The zero-delay receivers of this port are done: queue, record, next port.
            let (inst, port) = (top.inst, top.port);
            self.finish_port(inst, port);
            let top = self
                .serving
                .last_mut()
                .expect("the port just served is on top");
            top.ports &= !(1u64 << port);
            if top.ports == 0 {
                self.serving.pop();
            } else {
                top.port = top.ports.trailing_zeros();
                top.next = self.routes.immediate(inst, top.port);
            }
        }
        Ok(())
    }

    fn push_serving(&mut self, inst: u32, ports: u64) {
        debug_assert!(
            {
                let rec = &self.program.instances[inst as usize];
                let out_ports = self.program.kernels[rec.kernel as usize].out_ports.len();
                out_ports >= 64 || ports >> out_ports == 0
            },
            "instance {inst} fired an out-port its kernel does not have (mask {ports:#b})"
        );
        let port = ports.trailing_zeros();
        self.serving.push(Serving {
            inst,
            ports,
            port,
            next: self.routes.immediate(inst, port),
        });
    }

    /// Queues the delayed connections of (inst, port) and records the event.
    fn finish_port(&mut self, inst: u32, port: u32) {
        for &(receiver, delay) in self.routes.delayed(inst, port) {
            let queue = self
                .queue_of
                .get(receiver.target as usize)
                .map_or(0, |&q| q);
            self.queues[queue as usize].push(self.t + delay, receiver);
        }
        for recorder in self.routes.recorders(inst, port) {
            self.recorders
                .record_event(recorder.file, recorder.selection);
        }
    }

    /// Stops the run if a state variable of `inst` is NaN or infinite.
    fn check_state(&self, inst: u32) -> Result<(), RunError> {
        let rec = &self.program.instances[inst as usize];
        let kernel = &self.program.kernels[rec.kernel as usize];
        let base = rec.base as usize;
        match kernel
            .state_slots
            .iter()
            .find(|&&slot| !self.vars[base + slot as usize].is_finite())
        {
            None => Ok(()),
            Some(&slot) => Err(RunError::NonFinite {
                variable: slot_name(&kernel.slot_names, slot),
                instance: rec.path.clone(),
                t: self.t,
                place: Some((inst, slot)),
            }),
        }
    }

    /// The error for the non-finite value `vars[index]`, named by the instance holding it.
    fn non_finite_value(&self, index: u64) -> RunError {
        let owner = self
            .program
            .instances
            .iter()
            .enumerate()
            .find_map(|(i, rec)| {
                let kernel = &self.program.kernels[rec.kernel as usize];
                let slot = index.checked_sub(rec.base)?;
                (slot < u64::from(kernel.block_len)).then_some((i, rec, kernel, slot as u32))
            });
        let (variable, instance, place) = match owner {
            Some((i, rec, kernel, slot)) => (
                slot_name(&kernel.slot_names, slot),
                rec.path.clone(),
                Some((i as u32, slot)),
            ),
            None => (format!("value {index}"), "no instance".to_string(), None),
        };
        RunError::NonFinite {
            variable,
            instance,
            t: self.t,
            place,
        }
    }

    fn path(&self, inst: u32) -> &str {
        &self.program.instances[inst as usize].path
    }
}

/// The ports of a fired mask, lowest first.
struct Ports(u64);

impl Iterator for Ports {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        (self.0 != 0).then(|| {
            let port = self.0.trailing_zeros();
            self.0 &= self.0 - 1;
            port
        })
    }
}

fn slot_name(names: &[String], slot: u32) -> String {
    names
        .get(slot as usize)
        .cloned()
        .unwrap_or_else(|| format!("slot {slot}"))
}
