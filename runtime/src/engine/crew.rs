//! Worker threads that run the lanes of a split step (`engine::lanes`): the calling thread
//! runs lane 0 and one worker per other lane runs its own (so each lane's blocks stay in one
//! core's cache), with one wait at the start of each step and one at its end.
//!
//! Waits spin briefly, then yield, then sleep: a step of a network large enough to be split
//! takes tens of microseconds, and the work between two steps (writing a row, serving fired
//! ports) a few, so a worker woken from sleep each step would wait far longer than it
//! works; but when other processes take the cores, spinning keeps the awaited thread off.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::code::{Entry, KernelCall, SharedKernels};
use super::flush::FlushSubnormals;
use super::lanes::Lanes;
use super::plan::{Step, StepPlan};
use super::queue::DelayedEvents;
use super::routes::{Receiver, Routes};
use crate::javarand::JavaRandom;
use crate::program::Program;

/// What a lane did in one step.
#[derive(Default)]
pub(super) struct LaneOutcome {
    /// `(position in the step order, instance, ports)` of each advance that fired, in the
    /// lane's order (which is step-order position order among advances that fire).
    pub fired: Vec<(usize, u32, u64)>,
    /// The advance written first in the step order among those of the lane whose state
    /// became NaN or infinite: `(position, instance)`.
    pub failure: Option<(usize, u32)>,
    /// Events delivered to zero-delay receivers.
    pub delivered: u64,
}

/// The lanes of a run and the threads that run them.
pub(super) struct Crew<'p> {
    shared: Shared<'p>,
}

/// What the threads share.
struct Shared<'p> {
    program: &'p Program,
    code: &'p dyn SharedKernels,
    routes: Arc<Routes>,
    lanes: &'p Lanes<'p>,
    /// Bumped by the calling thread to start a step (or to send the workers home).
    epoch: AtomicU64,
    /// Workers done with the current step.
    done: AtomicUsize,
    quit: AtomicBool,
    /// A worker panicked: the step will never finish.
    panicked: AtomicBool,
    vars: AtomicPtr<f64>,
    t: AtomicU64,
    rng: AtomicPtr<JavaRandom>,
    /// One delayed-event queue per lane, when the lanes deliver them; else null.
    queues: AtomicPtr<DelayedEvents<Receiver>>,
    outcomes: Vec<Mutex<LaneOutcome>>,
}

// SAFETY: the raw pointers in `Shared` are handed between threads only through the atomic
// protocol of `Crew::step` (set before a step starts, used only until it ends); every other
// field is Sync already.
unsafe impl Sync for Shared<'_> {}

impl<'p> Crew<'p> {
    /// Runs `work` with a crew of workers for `lanes`, one per lane but the first, which
    /// the calling thread runs in [`Crew::step`]. The workers leave when `work` returns
    /// (or panics).
    pub fn with<R>(
        program: &'p Program,
        code: &'p dyn SharedKernels,
        routes: Arc<Routes>,
        lanes: &'p Lanes<'p>,
        work: impl FnOnce(&Crew<'p>) -> R,
    ) -> R {
        let crew = Crew {
            shared: Shared {
                program,
                code,
                routes,
                lanes,
                epoch: AtomicU64::new(0),
                done: AtomicUsize::new(0),
                quit: AtomicBool::new(false),
                panicked: AtomicBool::new(false),
                vars: AtomicPtr::new(ptr::null_mut()),
                t: AtomicU64::new(0),
                rng: AtomicPtr::new(ptr::null_mut()),
                queues: AtomicPtr::new(ptr::null_mut()),
                outcomes: lanes.plans.iter().map(|_| Mutex::default()).collect(),
            },
        };
        std::thread::scope(|scope| {
            for lane in 1..lanes.plans.len() {
                let shared = &crew.shared;
                scope.spawn(move || shared.work_lane(lane));
            }
            /// Sends the workers home however `work` ends, so the scope can join them.
            struct Dismiss<'a, 'p>(&'a Shared<'p>);
            impl Drop for Dismiss<'_, '_> {
                fn drop(&mut self) {
                    self.0.quit.store(true, Ordering::Release);
                    self.0.epoch.fetch_add(1, Ordering::Release);
                }
            }
            let _dismiss = Dismiss(&crew.shared);
            work(&crew)
        })
    }

    /// Runs one step's lanes on `vars` at time `t`: lane 0 here, the others on the workers.
    /// With `queues` (one per lane), each lane first delivers the events of its queue due
    /// by `t`. Returns when all are done; their outcomes are then in [`Crew::outcomes`].
    pub fn step(
        &self,
        vars: &mut [f64],
        t: f64,
        rng: &mut JavaRandom,
        queues: Option<&mut [DelayedEvents<Receiver>]>,
    ) {
        let shared = &self.shared;
        let vars = vars.as_mut_ptr();
        let rng: *mut JavaRandom = rng;
        let queues = queues.map_or(ptr::null_mut(), |q| {
            assert_eq!(q.len(), shared.outcomes.len(), "one queue per lane");
            q.as_mut_ptr()
        });
        shared.queues.store(queues, Ordering::Relaxed);
        shared.vars.store(vars, Ordering::Relaxed);
        shared.t.store(t.to_bits(), Ordering::Relaxed);
        shared.rng.store(rng, Ordering::Relaxed);
        shared.done.store(0, Ordering::Relaxed);
        shared.epoch.fetch_add(1, Ordering::Release);
        shared.run_lane(0, vars, t, rng);
        let workers = shared.outcomes.len() - 1;
        wait_until(|| {
            shared.done.load(Ordering::Acquire) == workers
                || shared.panicked.load(Ordering::Acquire)
        });
        assert!(
            !shared.panicked.load(Ordering::Acquire),
            "a worker thread of the run panicked"
        );
    }

    /// Each lane's outcome of the last step, lane by lane.
    pub fn outcomes(&self) -> impl Iterator<Item = std::sync::MutexGuard<'_, LaneOutcome>> {
        self.shared
            .outcomes
            .iter()
            .map(|m| m.lock().expect("no lane panics while holding its outcome"))
    }
}

impl Shared<'_> {
    /// A worker's life: each step, run `lane`; leave when dismissed.
    fn work_lane(&self, lane: usize) {
        // The same floating-point mode as the calling thread's, for the same bits.
        let _flush = FlushSubnormals::begin();
        let mut seen = 0;
        loop {
            wait_until(|| self.epoch.load(Ordering::Acquire) != seen);
            seen = self.epoch.load(Ordering::Acquire);
            if self.quit.load(Ordering::Acquire) {
                return;
            }
            let vars = self.vars.load(Ordering::Relaxed);
            let t = f64::from_bits(self.t.load(Ordering::Relaxed));
            let rng = self.rng.load(Ordering::Relaxed);
            let ran = catch_unwind(AssertUnwindSafe(|| self.run_lane(lane, vars, t, rng)));
            if ran.is_err() {
                self.panicked.store(true, Ordering::Release);
                return;
            }
            self.done.fetch_add(1, Ordering::Release);
        }
    }

    /// Runs lane `lane` of the step on `vars`, writing its outcome.
    fn run_lane(&self, lane: usize, vars: *mut f64, t: f64, rng: *mut JavaRandom) {
        let rng = if self.lanes.rng_lane == Some(lane) {
            rng
        } else {
            ptr::null_mut()
        };
        let plan = &self.lanes.plans[lane];
        let mut outcome = self.outcomes[lane]
            .lock()
            .expect("no lane panics while holding its outcome");
        outcome.fired.clear();
        outcome.failure = None;
        outcome.delivered = 0;
        let queues = self.queues.load(Ordering::Relaxed);
        let lane_run = LaneRun {
            program: self.program,
            code: self.code,
            routes: &self.routes,
            plan,
            vars,
            t,
            rng,
        };
        if !queues.is_null() {
            // SAFETY: `Crew::step` stored one queue per lane, from a `&mut` the calling
            // thread does not use until every lane is done; this lane alone touches its own.
            let queue = unsafe { &mut *queues.add(lane) };
            outcome.delivered += lane_run.deliver(queue);
        }
        lane_run.run(&mut outcome);
    }
}

/// One lane's part of one step.
struct LaneRun<'a> {
    program: &'a Program,
    code: &'a dyn SharedKernels,
    routes: &'a Routes,
    plan: &'a StepPlan<'a>,
    vars: *mut f64,
    t: f64,
    rng: *mut JavaRandom,
}

impl LaneRun<'_> {
    fn run(&self, outcome: &mut LaneOutcome) {
        for step in &self.plan.steps {
            let Step::Batch { kernel, range } = step else {
                unreachable!("lanes hold advances only (lanes::split)");
            };
            let mut from = range.start;
            while from < range.end {
                let Some(stop) = self.advance(*kernel, from..range.end) else {
                    break;
                };
                let at = from + stop.position;
                let (inst, position) = (self.plan.insts[at], self.plan.positions[at]);
                if self.diverged(inst) {
                    outcome.failure = Some(self.first_failure(at, (position, inst)));
                    return;
                }
                outcome.delivered += self.run_receivers(inst, stop.fired);
                outcome.fired.push((position, inst, stop.fired));
                from = at + 1;
            }
        }
    }

    /// Advances the plan's instances `range` (all of `kernel`) until one stops the batch.
    fn advance(
        &self,
        kernel: u32,
        range: std::ops::Range<usize>,
    ) -> Option<super::code::BatchStop> {
        let program = self.program;
        // SAFETY: the program was validated before the run; the lanes share no block
        // (`lanes::split` joins every advance with the blocks it reads and writes into one
        // lane), so no other thread touches what these advances touch while this lane
        // runs; `rng` is non-null only in the one lane whose advances draw, and the
        // calling thread leaves it alone until every lane is done.
        unsafe {
            self.code.advance_shared(
                kernel,
                self.vars,
                &program.links,
                self.t,
                program.dt,
                self.rng,
                &self.plan.places[range],
            )
        }
    }

    /// Runs the zero-delay receivers of the ports `fired` by `inst`, port by port, as
    /// `Simulation::fire` does; returns how many ran. None of them fires or draws (those
    /// make the step a barrier, which is not split).
    fn run_receivers(&self, inst: u32, fired: u64) -> u64 {
        let mut delivered = 0;
        let mut ports = fired;
        while ports != 0 {
            let port = ports.trailing_zeros();
            ports &= ports - 1;
            for at in self.routes.immediate(inst, port) {
                // Its block and what it reads are in this lane's part
                // (`regroup::step_accesses` counts them as the sender's).
                self.receive(self.routes.immediate_at(at));
                delivered += 1;
            }
        }
        delivered
    }

    /// Delivers the events of `queue` due by now, earliest first, as
    /// `Simulation::deliver_due_events` does; returns how many. Their receivers are in this
    /// lane's parts and neither fire nor draw (`lanes::split`).
    fn deliver(&self, queue: &mut DelayedEvents<Receiver>) -> u64 {
        let mut delivered = 0;
        while let Some((_, receiver)) = queue.pop_due(self.t) {
            self.receive(receiver);
            delivered += 1;
        }
        delivered
    }

    /// Runs the `OnEvent` of an event arriving at `receiver`, which fires nothing.
    fn receive(&self, receiver: Receiver) {
        let call = KernelCall {
            kernel: receiver.kernel,
            entry: Entry::OnEvent(receiver.in_port),
            base: receiver.base as usize,
            link_start: receiver.links as usize,
        };
        // SAFETY: as in `advance`: the receiver's block and what its `OnEvent` reads are in
        // this lane's parts, and it draws no numbers.
        let fired = unsafe {
            self.code.run_shared(
                call,
                self.vars,
                &self.program.links,
                self.t,
                self.program.dt,
                self.rng,
            )
        };
        debug_assert_eq!(fired, 0, "receivers that fire are delivered by one thread");
    }

    /// Whether a state slot of `inst` is NaN or infinite.
    fn diverged(&self, inst: u32) -> bool {
        let rec = &self.program.instances[inst as usize];
        let kernel = &self.program.kernels[rec.kernel as usize];
        kernel.state_slots.iter().any(|&slot| {
            // SAFETY: the slot is inside the block of an instance of this lane (validated
            // program), which no other thread touches during the step.
            let value = unsafe { *self.vars.add(rec.base as usize + slot as usize) };
            !value.is_finite()
        })
    }

    /// The failure written first in the step order among this lane's advances, when the
    /// one at `at` in the plan failed (`(position, instance)`): as `Simulation::first_failure`
    /// does on one thread, the advances after it in the plan but written before it are run
    /// now (each depends only on advances written before it, all run by then).
    fn first_failure(&self, at: usize, failed: (usize, u32)) -> (usize, u32) {
        let mut first = failed;
        for later in at + 1..self.plan.insts.len() {
            let (inst, position) = (self.plan.insts[later], self.plan.positions[later]);
            if position >= first.0 {
                continue;
            }
            let kernel = self.program.instances[inst as usize].kernel;
            self.advance(kernel, later..later + 1);
            if self.diverged(inst) {
                first = (position, inst);
            }
        }
        first
    }
}

/// Waits for `ready`: spinning first (a step's other lanes usually finish within
/// microseconds), then yielding the core, then sleeping between looks. On a machine with
/// more runnable threads than cores the thread waited for may not be running at all, and
/// spinning would only keep it off the core longer.
fn wait_until(ready: impl Fn() -> bool) {
    const SPINS: u32 = 4096;
    const YIELDS: u32 = 64;
    let mut looks = 0u32;
    while !ready() {
        if looks < SPINS {
            std::hint::spin_loop();
        } else if looks < SPINS + YIELDS {
            std::thread::yield_now();
        } else {
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
        looks = looks.saturating_add(1);
    }
}
