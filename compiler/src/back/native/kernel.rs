//! Every kernel of a [`Program`] compiled to machine code: one LLVM module, optimised once
//! (see [`MachineCode`]), JIT-compiled in process, and run through [`KernelCode`].
//!
//! Each (kernel, entry) with statements becomes one function (see [`super::kernel_emit`]);
//! [`NativeKernels::run`] finds it in a flat table and calls it on the run's arrays. The
//! advance of a kernel lives in its batch function (see [`super::batch_emit`]), which runs
//! it over consecutive instances for `KernelCode::advance_batch`.

use std::ffi::c_void;
use std::mem::ManuallyDrop;
use std::time::{Duration, Instant};

use inkwell::context::Context;
use inkwell::execution_engine::ExecutionEngine;
use inkwell::module::Linkage;
use inkwell::passes::PassBuilderOptions;
use inkwell::OptimizationLevel;

use lemsc_runtime::engine::{
    AdvanceBatch, BatchStop, Entry, KernelCall, KernelCode, RunContext, SharedKernels,
};
use lemsc_runtime::javarand::JavaRandom;
use lemsc_runtime::program::{Kernel, Op, Program, Stmt};

use super::batch_emit::emit_batch;
use super::expr::Codegen;
use super::kernel_emit::{emit_entry, NEXT_DOUBLE};
use super::machine::host_machine;
use crate::diag::Diagnostic;

/// The machine-code form of an entry: `(vars, base, links, link_start, t, dt, rng) -> mask`.
type EntryFn = unsafe extern "C" fn(*mut f64, u64, *const u64, u64, f64, f64, *mut c_void) -> u64;

/// The machine-code form of a kernel's batch advance (see [`super::batch_emit`]):
/// `(vars, places, count, links, t, dt, rng, fired) -> position stopped at, or count`.
type BatchFn = unsafe extern "C" fn(
    *mut f64,
    *const [u64; 2],
    u64,
    *const u64,
    f64,
    f64,
    *mut c_void,
    *mut u64,
) -> u64;

/// Entries per kernel before the in-ports: `init`, `init_derived`, `advance`.
const FIXED_ENTRIES: usize = 3;

/// All kernels of `program`, compiled and ready; implements `KernelCode`.
///
/// Not `Send`: the execution engine behind it is reference-counted. A run uses it from the
/// thread that compiled it; its [`Functions`] (plain pointers to the machine code) are what
/// worker threads call (`KernelCode::shared`).
pub struct NativeKernels {
    functions: Functions,
    /// How many kernels have `advance` statements (compiled into their batch function).
    batched_advances: usize,
    /// How long LLVM took (building, optimising, generating machine code).
    compile_time: Duration,
    /// Owns the machine code `functions` point into. Dropped before `context` (see `Drop`).
    engine: ManuallyDrop<ExecutionEngine<'static>>,
    /// The LLVM context everything above was made in.
    ///
    /// inkwell ties an engine to its context by a lifetime; a value the CLI can hold for the
    /// whole run has to own both. The context is boxed, so its address stays put when
    /// `NativeKernels` moves, and it is disposed only after the engine (and with it the
    /// module) is gone. The `'static` given to the engine is therefore never observed past
    /// the context's life: nothing borrowing the context leaves this struct (the function
    /// tables hold plain function pointers). Leaking the context instead would be simpler
    /// but would cost a context per compiled program in tests and long-lived tools.
    context: ManuallyDrop<Box<Context>>,
}

impl Drop for NativeKernels {
    fn drop(&mut self) {
        // SAFETY: each field is dropped exactly once, here, engine first: it owns the module,
        // which must be disposed while its context is alive.
        unsafe {
            ManuallyDrop::drop(&mut self.engine);
            ManuallyDrop::drop(&mut self.context);
        }
    }
}

/// The compiled functions of every kernel: plain pointers to machine code that keeps no
/// state of its own, so any thread may call them (each on blocks no other touches).
struct Functions {
    /// The function of every entry, kernel after kernel: kernel `k` owns
    /// `entries[first_entry[k] .. first_entry[k + 1]]`, in the order `init`, `init_derived`,
    /// `advance`, then `on_event[0..]`. `None` for an entry without statements, and for
    /// every `advance` (run through `batches`).
    entries: Vec<Option<EntryFn>>,
    first_entry: Vec<usize>,
    /// The batch advance of every kernel with `advance` statements or state slots. The
    /// advance statements are compiled only into it (their `entries` slot is `None`), and a
    /// single `advance` is a batch of one.
    batches: Vec<Option<BatchFn>>,
}

impl NativeKernels {
    /// The time LLVM spent on this program, from the first function built to the last
    /// address resolved.
    pub fn compile_time(&self) -> Duration {
        self.compile_time
    }

    /// How many entries were compiled to functions (entries without statements are not).
    pub fn function_count(&self) -> usize {
        self.functions
            .entries
            .iter()
            .filter(|f| f.is_some())
            .count()
            + self.batched_advances
    }
}

impl KernelCode for NativeKernels {
    fn run(&self, call: KernelCall, ctx: &mut RunContext<'_>) -> u64 {
        let rng: *mut JavaRandom = ctx.rng;
        // SAFETY: `KernelCode::run`'s contract (a validated program) is `run_shared`'s; the
        // values and the generator come from exclusive borrows, so nothing else touches them.
        unsafe {
            self.functions
                .run_shared(call, ctx.vars.as_mut_ptr(), ctx.links, ctx.t, ctx.dt, rng)
        }
    }

    fn advance_batch(
        &self,
        kernel: u32,
        ctx: &mut RunContext<'_>,
        batch: &AdvanceBatch<'_>,
    ) -> Option<BatchStop> {
        let rng: *mut JavaRandom = ctx.rng;
        // SAFETY: as in `run`, for each instance of the batch.
        unsafe {
            self.functions.advance_shared(
                kernel,
                ctx.vars.as_mut_ptr(),
                ctx.links,
                ctx.t,
                ctx.dt,
                rng,
                batch.places,
            )
        }
    }

    fn shared(&self) -> Option<&dyn SharedKernels> {
        Some(&self.functions)
    }
}

impl Functions {
    fn entry_index(&self, kernel: u32, entry: Entry) -> usize {
        let kernel = kernel as usize;
        let (first, end) = (self.first_entry[kernel], self.first_entry[kernel + 1]);
        let index = first + entry_position(entry);
        assert!(
            index < end,
            "kernel {kernel} has no entry {entry:?} (the runtime validates programs first)"
        );
        index
    }
}

impl SharedKernels for Functions {
    unsafe fn run_shared(
        &self,
        call: KernelCall,
        vars: *mut f64,
        links: &[u64],
        t: f64,
        dt: f64,
        rng: *mut JavaRandom,
    ) -> u64 {
        let KernelCall {
            kernel,
            entry,
            base,
            link_start,
        } = call;
        let index = self.entry_index(kernel, entry);
        if entry == Entry::Advance {
            let place = [base as u64, link_start as u64];
            // A batch of one stops after its instance whenever it fired.
            // SAFETY: the caller keeps this function's contract, which is `advance_shared`'s.
            let stop = unsafe { self.advance_shared(kernel, vars, links, t, dt, rng, &[place]) };
            return stop.map_or(0, |stop| stop.fired);
        }
        let Some(function) = self.entries[index] else {
            return 0;
        };
        // SAFETY: the function was compiled from this kernel's statements with the `EntryFn`
        // signature. It reads and writes `vars` only at `base + slot` for slots below the
        // kernel's block length and at indices read from `links`, and reads `links` only at
        // `link_start + k` for k below its link count and inside the lists those entries
        // point to: inside the arrays for a validated program, which the caller guarantees,
        // as it guarantees that no other thread touches those values meanwhile and that
        // `rng` is this call's alone (or null where the kernel draws nothing). The function's
        // parameters are marked `noalias`: `vars`, `links` and `rng` are distinct arrays, and
        // none is kept after the call.
        unsafe {
            function(
                vars,
                base as u64,
                links.as_ptr(),
                link_start as u64,
                t,
                dt,
                rng.cast::<c_void>(),
            )
        }
    }

    unsafe fn advance_shared(
        &self,
        kernel: u32,
        vars: *mut f64,
        links: &[u64],
        t: f64,
        dt: f64,
        rng: *mut JavaRandom,
        places: &[[u64; 2]],
    ) -> Option<BatchStop> {
        // Without a batch function the kernel has no advance and no state: nothing to run
        // or check.
        let function = self.batches[kernel as usize]?;
        let count = places.len();
        let mut fired = 0u64;
        // SAFETY: as in `run_shared`, for each `[base, link_start]` of `places` in turn (the
        // function reads `count` pairs, instances of the function's kernel); the state slots
        // it checks are the kernel's own, below its block length. `fired` is a local.
        let position = unsafe {
            function(
                vars,
                places.as_ptr(),
                count as u64,
                links.as_ptr(),
                t,
                dt,
                rng.cast::<c_void>(),
                &mut fired,
            )
        } as usize;
        (position < count).then_some(BatchStop { position, fired })
    }
}

/// How much work LLVM puts into optimising the IR and turning it into machine code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MachineCode {
    /// A short IR pipeline, fast instruction selection and register allocation: for runs
    /// whose compile time would outweigh the faster calls.
    Quick,
    /// O2 and LLVM's full code generator.
    Optimised,
}

/// Above this many kernel calls in a run, better machine code pays for its compile time.
/// Measured on 40 kernels (120 functions): the full code generator adds about 100 ms and
/// saves about 7 ns per call, so it breaks even near 15 million calls.
const CALLS_WORTH_OPTIMISED_CODE: u64 = 10_000_000;

impl MachineCode {
    /// The IR optimisation pipeline that goes with it. Kernels are straight-line code over
    /// loads and stores, so promoting values, removing repeated loads and folding gives most
    /// of O2's speed at a third of its time; long runs still get the full O2 pipeline.
    /// The quick pipeline leaves each advance a call from its kernel's batch loop: inlining
    /// doubled the compile time of short runs for no measurable gain; O2 inlines it.
    /// `instcombine` runs once, as in O2: named alone, LLVM 19 also checks that one round
    /// reached a fixpoint and aborts the process when it did not (found by fuzzing).
    fn ir_passes(self) -> &'static str {
        match self {
            MachineCode::Quick => {
                "function(mem2reg,early-cse<memssa>,instcombine<no-verify-fixpoint>,simplifycfg)"
            }
            MachineCode::Optimised => "default<O2>",
        }
    }
}

/// The machine code worth generating for `program`, from the number of `advance` calls its
/// run makes.
pub fn machine_code_for(program: &Program) -> MachineCode {
    let advances_per_step = program
        .step_order
        .iter()
        .filter(|op| matches!(op, Op::Advance { .. }))
        .count() as u64;
    if advances_per_step.saturating_mul(program.steps) > CALLS_WORTH_OPTIMISED_CODE {
        MachineCode::Optimised
    } else {
        MachineCode::Quick
    }
}

/// Compiles every kernel of `program`, with the machine code [`machine_code_for`] picks.
/// Errors are internal (LLVM refusing code we built) or out-of-contract programs (an
/// out-port that does not fit the 64-bit mask).
pub fn compile_program(program: &Program) -> Result<NativeKernels, Diagnostic> {
    compile_program_with(program, machine_code_for(program))
}

/// [`compile_program`] with the machine code chosen by the caller.
pub fn compile_program_with(
    program: &Program,
    machine_code: MachineCode,
) -> Result<NativeKernels, Diagnostic> {
    let context = Box::new(Context::create());
    // SAFETY: see `NativeKernels::context`. `compiled` and everything made from this reference
    // end up inside the returned value next to the box, or are dropped before it on error.
    let context_ref: &'static Context = unsafe { &*(&*context as *const Context) };
    let compiled = compile_in(context_ref, program, machine_code)?;
    Ok(NativeKernels {
        functions: Functions {
            entries: compiled.entries,
            first_entry: compiled.first_entry,
            batches: compiled.batches,
        },
        batched_advances: compiled.batched_advances,
        compile_time: compiled.compile_time,
        engine: ManuallyDrop::new(compiled.engine),
        context: ManuallyDrop::new(context),
    })
}

struct Compiled<'ctx> {
    entries: Vec<Option<EntryFn>>,
    first_entry: Vec<usize>,
    batches: Vec<Option<BatchFn>>,
    batched_advances: usize,
    compile_time: Duration,
    engine: ExecutionEngine<'ctx>,
}

fn compile_in<'ctx>(
    context: &'ctx Context,
    program: &Program,
    machine_code: MachineCode,
) -> Result<Compiled<'ctx>, Diagnostic> {
    let started = Instant::now();
    let llvm_err = |what: &str, e: String| Diagnostic::error(format!("LLVM {what}: {e}"));
    let machine = host_machine().map_err(|e| llvm_err("target", e))?;
    let module = context.create_module("lemsc_kernels");
    let builder = context.create_builder();
    let cg = Codegen {
        context,
        module: &module,
        builder: &builder,
    };

    // Build: one function per entry with statements; the table remembers its name.
    let mut names: Vec<Option<String>> = Vec::new();
    let mut first_entry = Vec::with_capacity(program.kernels.len() + 1);
    let mut batch_names: Vec<Option<String>> = Vec::with_capacity(program.kernels.len());
    for (k, kernel) in program.kernels.iter().enumerate() {
        first_entry.push(names.len());
        check_out_ports(kernel)?;
        let mut advance = None;
        for (position, stmts) in kernel_entries(kernel).into_iter().enumerate() {
            if stmts.is_empty() {
                names.push(None);
                continue;
            }
            let name = format!("k{k}_{}", entry_label(position));
            let function = emit_entry(&cg, &name, stmts).map_err(|d| {
                d.with_note(format!(
                    "while compiling {} of kernel {k} ({})",
                    entry_label(position),
                    kernel.name
                ))
            })?;
            if position == entry_position(Entry::Advance) {
                // Only the batch function calls it (and inlines it under O2).
                function.set_linkage(Linkage::Internal);
                advance = Some(function);
                names.push(None);
                continue;
            }
            names.push(Some(name));
        }
        batch_names.push(if advance.is_some() || !kernel.state_slots.is_empty() {
            let name = format!("k{k}_advance_batch");
            emit_batch(&cg, &name, advance, &kernel.state_slots).map_err(|d| {
                d.with_note(format!(
                    "while compiling the batch advance of kernel {k} ({})",
                    kernel.name
                ))
            })?;
            Some(name)
        } else {
            None
        });
    }
    first_entry.push(names.len());
    module
        .verify()
        .map_err(|e| llvm_err("verifier", e.to_string()))?;
    module.set_triple(&machine.get_triple());
    module.set_data_layout(&machine.get_target_data().get_data_layout());
    module
        .run_passes(
            machine_code.ir_passes(),
            &machine,
            PassBuilderOptions::create(),
        )
        .map_err(|e| llvm_err("optimiser", e.to_string()))?;
    let engine = module
        .create_jit_execution_engine(match machine_code {
            MachineCode::Quick => OptimizationLevel::None,
            MachineCode::Optimised => OptimizationLevel::Default,
        })
        .map_err(|e| llvm_err("JIT", e.to_string()))?;
    if let Some(next_double) = module.get_function(NEXT_DOUBLE) {
        engine.add_global_mapping(&next_double, lemsc_next_double as *const () as usize);
    }

    let mut entries = Vec::with_capacity(names.len());
    for name in &names {
        let Some(name) = name else {
            entries.push(None);
            continue;
        };
        let address = engine
            .get_function_address(name)
            .map_err(|e| llvm_err("JIT lookup", e.to_string()))?;
        // SAFETY: `name` was built by `emit_entry` with `entry_fn_type`, which is `EntryFn`
        // in LLVM terms; the address stays valid as long as `engine` lives.
        let function = unsafe { std::mem::transmute::<usize, EntryFn>(address) };
        entries.push(Some(function));
    }
    let mut batches = Vec::with_capacity(batch_names.len());
    for name in &batch_names {
        let Some(name) = name else {
            batches.push(None);
            continue;
        };
        let address = engine
            .get_function_address(name)
            .map_err(|e| llvm_err("JIT lookup", e.to_string()))?;
        // SAFETY: `name` was built by `emit_batch` with the parameters and result of
        // `BatchFn`; the address stays valid as long as `engine` lives.
        let function = unsafe { std::mem::transmute::<usize, BatchFn>(address) };
        batches.push(Some(function));
    }
    let batched_advances = program
        .kernels
        .iter()
        .filter(|k| !k.advance.is_empty())
        .count();
    Ok(Compiled {
        entries,
        first_entry,
        batches,
        batched_advances,
        compile_time: started.elapsed(),
        engine,
    })
}

/// The statement lists of a kernel in table order.
fn kernel_entries(kernel: &Kernel) -> Vec<&[Stmt]> {
    let mut lists: Vec<&[Stmt]> = vec![&kernel.init, &kernel.init_derived, &kernel.advance];
    lists.extend(kernel.on_event.iter().map(Vec::as_slice));
    lists
}

fn entry_position(entry: Entry) -> usize {
    match entry {
        Entry::Init => 0,
        Entry::InitDerived => 1,
        Entry::Advance => 2,
        Entry::OnEvent(port) => FIXED_ENTRIES + port as usize,
    }
}

fn entry_label(position: usize) -> String {
    match position {
        0 => "init".to_string(),
        1 => "init_derived".to_string(),
        2 => "advance".to_string(),
        p => format!("on_event_{}", p - FIXED_ENTRIES),
    }
}

/// The fired mask has one bit per out-port, so port numbers must stay below 64.
fn check_out_ports(kernel: &Kernel) -> Result<(), Diagnostic> {
    fn first_bad(stmts: &[Stmt]) -> Option<u32> {
        stmts.iter().find_map(|s| match s {
            Stmt::Emit { port } if *port >= u64::BITS => Some(*port),
            Stmt::If { then, .. } => first_bad(then),
            Stmt::Switch { arms, .. } => arms.iter().find_map(|arm| first_bad(arm)),
            _ => None,
        })
    }
    match kernel_entries(kernel).into_iter().find_map(first_bad) {
        None => Ok(()),
        Some(port) => Err(Diagnostic::error(format!(
            "kernel {} emits on out-port {port}; the native backend supports out-ports 0 to 63",
            kernel.name
        ))),
    }
}

/// `random()`'s draw, called from compiled code with the `rng` pointer `run` passed in.
extern "C" fn lemsc_next_double(rng: *mut c_void) -> f64 {
    // SAFETY: compiled code passes on unchanged the pointer `NativeKernels::run` made from
    // the `&mut JavaRandom` of its `RunContext`, exclusively borrowed for the whole call.
    let rng = unsafe { &mut *rng.cast::<JavaRandom>() };
    rng.next_double()
}
