//! `java.util.Random`, bit for bit: jLEMS draws every LEMS `random(x)` from one such
//! generator (seeded by `<Simulation seed>`, default 1234), so a stochastic model only
//! reproduces jLEMS's numbers if we replay the same generator.
//!
//! The generator is the 48-bit linear congruential one fixed by the Java specification:
//! `s ← (s · 0x5DEECE66D + 0xB) mod 2^48`, each draw taking the top bits of `s`.

use crate::strict_log::strict_log;

const MULTIPLIER: i64 = 0x5_DEEC_E66D;
const INCREMENT: i64 = 0xB;
const STATE_MASK: i64 = (1 << 48) - 1;
/// 2^-53: turns a 53-bit integer into a double in [0, 1).
const DOUBLE_UNIT: f64 = 1.0 / (1u64 << 53) as f64;

/// A `java.util.Random`, including the cached second value of `nextGaussian`.
#[derive(Debug, Clone)]
pub struct JavaRandom {
    state: i64,
    cached_gaussian: Option<f64>,
}

impl JavaRandom {
    /// `new Random(seed)`: the seed is scrambled with the multiplier before use.
    pub fn new(seed: i64) -> JavaRandom {
        JavaRandom {
            state: (seed ^ MULTIPLIER) & STATE_MASK,
            cached_gaussian: None,
        }
    }

    /// `next(bits)`: advances the state and returns its top `bits` bits (1..=32), as Java
    /// does, reinterpreted as a signed 32-bit integer.
    pub fn next(&mut self, bits: u32) -> i32 {
        debug_assert!(
            (1..=32).contains(&bits),
            "next({bits}): bits must be 1..=32"
        );
        self.state = self.state.wrapping_mul(MULTIPLIER).wrapping_add(INCREMENT) & STATE_MASK;
        (self.state >> (48 - bits)) as i32
    }

    /// `nextInt()`: 32 uniformly random bits.
    pub fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// `nextInt(bound)`: uniform in `0..bound`, with Java's rejection of the biased top
    /// range. Returns `None` where Java throws (`bound <= 0`).
    pub fn next_int_bounded(&mut self, bound: i32) -> Option<i32> {
        if bound <= 0 {
            return None;
        }
        let r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            // A power of two: take the high bits, which are the better ones in an LCG.
            return Some(((i64::from(bound) * i64::from(r)) >> 31) as i32);
        }
        let mut u = r;
        loop {
            let r = u % bound;
            // Java relies on int overflow here: a negative sum means `u` fell in the
            // incomplete last block and must be redrawn.
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return Some(r);
            }
            u = self.next(31);
        }
    }

    /// `nextDouble()`: 53 random bits scaled into [0, 1).
    pub fn next_double(&mut self) -> f64 {
        let high = i64::from(self.next(26)) << 27;
        let low = i64::from(self.next(27));
        (high + low) as f64 * DOUBLE_UNIT
    }

    /// `nextGaussian()`: Marsaglia's polar method, which makes two values at a time; the
    /// second is kept and returned by the next call, whatever other draws come between.
    pub fn next_gaussian(&mut self) -> f64 {
        if let Some(cached) = self.cached_gaussian.take() {
            return cached;
        }
        loop {
            let v1 = 2.0 * self.next_double() - 1.0;
            let v2 = 2.0 * self.next_double() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s < 1.0 && s != 0.0 {
                // Java takes StrictMath's log here; sqrt is correctly rounded everywhere.
                let multiplier = (-2.0 * strict_log(s) / s).sqrt();
                self.cached_gaussian = Some(v2 * multiplier);
                return v1 * multiplier;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::JavaRandom;

    #[test]
    fn seed_123_starts_as_the_jdk_does() {
        // Values also quoted in docs/jlems-semantics.md §9.
        let mut random = JavaRandom::new(123);
        assert_eq!(random.next_double(), 0.7231742029971469);
        assert_eq!(random.next_double(), 0.9908988967772393);
    }

    #[test]
    fn bound_must_be_positive() {
        let mut random = JavaRandom::new(1);
        assert_eq!(random.next_int_bounded(0), None);
        assert_eq!(random.next_int_bounded(-5), None);
        assert!(random.next_int_bounded(1) == Some(0));
    }

    #[test]
    fn gaussian_pairs_share_one_draw() {
        let mut a = JavaRandom::new(7);
        let mut b = JavaRandom::new(7);
        a.next_gaussian();
        a.next_gaussian();
        b.next_gaussian();
        // The second Gaussian came from the cache: both generators are at the same state.
        assert_eq!(a.next_int(), b.next_int());
    }
}
