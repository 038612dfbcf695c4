//! The interface between the runtime and the code that runs kernels.

use crate::javarand::JavaRandom;

/// Which statement list of a kernel to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    /// [`crate::program::Kernel::init`].
    Init,
    /// [`crate::program::Kernel::init_derived`].
    InitDerived,
    /// [`crate::program::Kernel::advance`].
    Advance,
    /// [`crate::program::Kernel::on_event`]`[port]`.
    OnEvent(u32),
}

/// One call of a kernel entry: which kernel and entry, and the instance it runs for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KernelCall {
    pub kernel: u32,
    pub entry: Entry,
    /// Where the instance's block starts in [`RunContext::vars`].
    pub base: usize,
    /// Where its link entries start in [`RunContext::links`].
    pub link_start: usize,
}

/// What a kernel entry may touch while it runs.
pub struct RunContext<'a> {
    /// All values of the run.
    pub vars: &'a mut [f64],
    /// [`crate::program::Program::links`].
    pub links: &'a [u64],
    /// `t_n` inside a step, 0 during initialisation.
    pub t: f64,
    pub dt: f64,
    /// The run's one generator (`random()` draws from it in evaluation order).
    pub rng: &'a mut JavaRandom,
}

/// Runs kernel statements: the LLVM-compiled code of the native backend, or the reference
/// interpreter ([`crate::engine::interp`]). Both must give the same bits.
pub trait KernelCode {
    /// Runs `call`: its entry of its kernel, for the instance whose block starts at
    /// `vars[call.base]` and whose link entries start at `links[call.link_start]`. Returns the
    /// bit mask of out-ports that fired (bit k = out-port k).
    ///
    /// The caller guarantees the program was validated
    /// ([`crate::program::Program::validate`]): every index the kernel can reach is in bounds.
    fn run(&self, call: KernelCall, ctx: &mut RunContext<'_>) -> u64;

    /// Runs `advance` of kernel `kernel` for each instance of `batch` in turn, and stops
    /// right after the first one that fires an out-port or leaves one of
    /// [`AdvanceBatch::state_slots`] NaN or infinite: the caller serves that instance (its
    /// events reach their zero-delay receivers before the next instance advances) and calls
    /// again with the rest. `None` when every instance advanced without stopping.
    ///
    /// Same contract as [`KernelCode::run`]; the default runs the instances one by one
    /// through it.
    fn advance_batch(
        &self,
        kernel: u32,
        ctx: &mut RunContext<'_>,
        batch: &AdvanceBatch<'_>,
    ) -> Option<BatchStop> {
        advance_each(self, kernel, ctx, batch)
    }

    /// The kernels as something several threads may call at once, for runs that advance
    /// independent parts of a step on worker threads (`engine::lanes`). `None` (the
    /// default) keeps every run on one thread.
    fn shared(&self) -> Option<&dyn SharedKernels> {
        None
    }
}

/// Kernel code callable from several threads at once, each on blocks no other thread
/// touches meanwhile.
pub trait SharedKernels: Sync {
    /// [`KernelCode::run`] of `call` on the run's values at `vars` (see
    /// [`SharedKernels::advance_shared`] for the other arguments).
    ///
    /// # Safety
    ///
    /// As [`SharedKernels::advance_shared`], for the one instance of `call`.
    #[allow(clippy::too_many_arguments)]
    unsafe fn run_shared(
        &self,
        call: KernelCall,
        vars: *mut f64,
        links: &[u64],
        t: f64,
        dt: f64,
        rng: *mut JavaRandom,
    ) -> u64;

    /// [`KernelCode::advance_batch`] of `kernel` over `places`, on the run's values at
    /// `vars` with the time `t` and step `dt`.
    ///
    /// # Safety
    ///
    /// `vars` points at the whole value array of a validated program, and while the call
    /// runs no other thread reads or writes the blocks of these instances or the values
    /// their links read. `rng` is a generator no other thread uses meanwhile, or null when
    /// no kernel of `places` draws random numbers.
    #[allow(clippy::too_many_arguments)]
    unsafe fn advance_shared(
        &self,
        kernel: u32,
        vars: *mut f64,
        links: &[u64],
        t: f64,
        dt: f64,
        rng: *mut JavaRandom,
        places: &[[u64; 2]],
    ) -> Option<BatchStop>;
}

/// Instances of one kernel advanced back to back (consecutive in the step order).
pub struct AdvanceBatch<'a> {
    /// `[base, link_start]` of each instance, in the order they advance.
    pub places: &'a [[u64; 2]],
    /// The kernel's [`crate::program::Kernel::state_slots`].
    pub state_slots: &'a [u32],
}

/// The instance a batch stopped after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchStop {
    /// Its position in [`AdvanceBatch::places`].
    pub position: usize,
    /// The out-ports it fired (0 when it stopped for a non-finite state only).
    pub fired: u64,
}

/// [`KernelCode::advance_batch`] by one [`KernelCode::run`] call per instance.
pub fn advance_each<C: KernelCode + ?Sized>(
    code: &C,
    kernel: u32,
    ctx: &mut RunContext<'_>,
    batch: &AdvanceBatch<'_>,
) -> Option<BatchStop> {
    batch
        .places
        .iter()
        .enumerate()
        .find_map(|(position, &[base, link_start])| {
            let (base, link_start) = (base as usize, link_start as usize);
            let call = KernelCall {
                kernel,
                entry: Entry::Advance,
                base,
                link_start,
            };
            let fired = code.run(call, ctx);
            let diverged = batch
                .state_slots
                .iter()
                .any(|&slot| !ctx.vars[base + slot as usize].is_finite());
            (fired != 0 || diverged).then_some(BatchStop { position, fired })
        })
}
