//! Subnormal floats flushed to zero while a run steps (FTZ and DAZ on x86-64, FZ on
//! AArch64), restored when it ends.
//!
//! A synapse whose source stops firing decays into the subnormal range and stays a few ulps
//! above zero for the rest of the run; every operation on such a value then takes the
//! processor's slow path, which made whole networks 3-4x slower. Flushing changes no output:
//! the files print values as `float` (32 bits), whose smallest subnormal is ~1.4e-45, far
//! above the largest subnormal double (~2.2e-308), so a subnormal double and zero print the
//! same; and the reference comparison of every example (testsuite/tests/native_examples.rs,
//! byte for byte against jLEMS's files) runs with the flush on. The interpreter runs under the
//! same flags, so both engines still give the same bits.

/// While alive, the current thread flushes subnormal results and inputs to zero; dropping it
/// restores the thread's previous floating-point control state.
pub struct FlushSubnormals {
    #[cfg_attr(
        not(any(target_arch = "x86_64", target_arch = "aarch64")),
        allow(dead_code)
    )]
    saved: u64,
}

impl FlushSubnormals {
    pub fn begin() -> FlushSubnormals {
        let saved = read_control();
        write_control(saved | FLUSH_BITS);
        FlushSubnormals { saved }
    }
}

impl Drop for FlushSubnormals {
    fn drop(&mut self) {
        write_control(self.saved);
    }
}

/// MXCSR: FTZ (bit 15) flushes subnormal results, DAZ (bit 6) reads subnormal inputs as zero.
#[cfg(target_arch = "x86_64")]
const FLUSH_BITS: u64 = (1 << 15) | (1 << 6);

/// FPCR: FZ (bit 24) does both.
#[cfg(target_arch = "aarch64")]
const FLUSH_BITS: u64 = 1 << 24;

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const FLUSH_BITS: u64 = 0;

#[cfg(target_arch = "x86_64")]
fn read_control() -> u64 {
    let mut mxcsr: u32 = 0;
    // SAFETY: stmxcsr stores the 32-bit control register to the given address.
    unsafe {
        std::arch::asm!("stmxcsr [{}]", in(reg) &mut mxcsr, options(nostack, preserves_flags));
    }
    u64::from(mxcsr)
}

#[cfg(target_arch = "x86_64")]
fn write_control(value: u64) {
    let mxcsr = value as u32;
    // SAFETY: ldmxcsr loads the control register; only mode bits we read back are set.
    unsafe {
        std::arch::asm!("ldmxcsr [{}]", in(reg) &mxcsr, options(nostack, preserves_flags));
    }
}

#[cfg(target_arch = "aarch64")]
fn read_control() -> u64 {
    let fpcr: u64;
    // SAFETY: reading FPCR has no side effects.
    unsafe {
        std::arch::asm!("mrs {}, fpcr", out(reg) fpcr, options(nomem, nostack, preserves_flags));
    }
    fpcr
}

#[cfg(target_arch = "aarch64")]
fn write_control(value: u64) {
    // SAFETY: FPCR holds mode bits only; the value is the saved one plus FZ.
    unsafe {
        std::arch::asm!("msr fpcr, {}", in(reg) value, options(nomem, nostack, preserves_flags));
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn read_control() -> u64 {
    0
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn write_control(_: u64) {}

#[cfg(test)]
mod tests {
    use super::FlushSubnormals;

    fn halve(x: f64) -> f64 {
        std::hint::black_box(x) / std::hint::black_box(2.0)
    }

    #[test]
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn subnormals_are_zero_inside_and_kept_after() {
        let smallest_normal = f64::MIN_POSITIVE;
        {
            let _flush = FlushSubnormals::begin();
            assert_eq!(halve(smallest_normal), 0.0);
        }
        assert!(
            halve(smallest_normal) > 0.0,
            "the previous mode is restored"
        );
    }
}
