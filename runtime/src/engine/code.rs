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
    /// Runs `entry` of kernel `kernel` for the instance whose block starts at `vars[base]` and
    /// whose link entries start at `links[link_start]`. Returns the bit mask of out-ports that
    /// fired (bit k = out-port k).
    ///
    /// The caller guarantees the program was validated
    /// ([`crate::program::Program::validate`]): every index the kernel can reach is in bounds.
    fn run(
        &self,
        kernel: u32,
        entry: Entry,
        ctx: &mut RunContext<'_>,
        base: usize,
        link_start: usize,
    ) -> u64;
}
