//! The natural logarithm exactly as Java's `StrictMath.log` computes it (the fdlibm
//! algorithm), because `java.util.Random.nextGaussian` uses it and the platform's `ln` can
//! differ in the last bit, which would change every Gaussian draw after it.
//!
//! The method: write x = 2^k · (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2); then
//! log(1 + f) = 2s + s·R(s²) with s = f / (2 + f), R a fixed degree-14 polynomial (in s,
//! degree 7 in s²), and log(x) = k·ln2 + log(1 + f), with ln2 split in a high and a low part
//! so that k·ln2_hi is exact.

const ONE_THIRD: f64 = 1.0 / 3.0;
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 2^54: scales subnormal inputs into the normal range.
const TWO54: f64 = f64::from_bits(0x4350_0000_0000_0000);
/// Coefficients of R(z) = LG1·z + LG2·z² + ... + LG7·z⁷.
const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);

fn high_word(x: f64) -> i32 {
    (x.to_bits() >> 32) as i32
}

fn with_high_word(x: f64, high: i32) -> f64 {
    f64::from_bits((u64::from(high as u32) << 32) | (x.to_bits() & 0xffff_ffff))
}

/// `StrictMath.log(x)`, bit for bit.
pub fn strict_log(mut x: f64) -> f64 {
    let mut hx = high_word(x);
    let low = x.to_bits() as u32;
    let mut k: i32 = 0;
    if hx < 0x0010_0000 {
        // Zero, negative or subnormal.
        if (hx & 0x7fff_ffff) == 0 && low == 0 {
            return f64::NEG_INFINITY;
        }
        if hx < 0 {
            return f64::NAN;
        }
        k -= 54;
        x *= TWO54;
        hx = high_word(x);
    }
    if hx >= 0x7ff0_0000 {
        return x + x; // Infinity or NaN.
    }
    k += (hx >> 20) - 1023;
    hx &= 0x000f_ffff;
    // Pick x or x/2 so that the mantissa lands in [sqrt(2)/2, sqrt(2)).
    let i = (hx + 0x95f64) & 0x0010_0000;
    x = with_high_word(x, hx | (i ^ 0x3ff0_0000));
    k += i >> 20;
    let f = x - 1.0;
    let dk = f64::from(k);

    if (0x000f_ffff & (2 + hx)) < 3 {
        // |f| < 2^-20: two terms of the series suffice.
        if f == 0.0 {
            return if k == 0 {
                0.0
            } else {
                dk * LN2_HI + dk * LN2_LO
            };
        }
        let r = f * f * (0.5 - ONE_THIRD * f);
        return if k == 0 {
            f - r
        } else {
            dk * LN2_HI - ((r - dk * LN2_LO) - f)
        };
    }

    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    // Away from 1 + f ≈ 1 the f²/2 term is split off for accuracy.
    let split_half_square = ((hx - 0x6147a) | (0x6b851 - hx)) > 0;
    if split_half_square {
        let hfsq = 0.5 * f * f;
        if k == 0 {
            f - (hfsq - s * (hfsq + r))
        } else {
            dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f)
        }
    } else if k == 0 {
        f - s * (f - r)
    } else {
        dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f)
    }
}

#[cfg(test)]
mod tests {
    use super::strict_log;

    #[test]
    fn special_values() {
        assert_eq!(strict_log(1.0), 0.0);
        assert_eq!(strict_log(0.0), f64::NEG_INFINITY);
        assert_eq!(strict_log(-0.0), f64::NEG_INFINITY);
        assert!(strict_log(-1.0).is_nan());
        assert!(strict_log(f64::NAN).is_nan());
        assert_eq!(strict_log(f64::INFINITY), f64::INFINITY);
    }

    #[test]
    fn close_to_the_true_logarithm() {
        for x in [
            1e-310, 1e-300, 0.001, 0.5, 0.7, 0.99999, 1.000001, 2.0, 10.0, 1e300,
        ] {
            let ours = strict_log(x);
            let reference = x.ln();
            assert!(
                (ours - reference).abs() <= 2.0 * f64::EPSILON * reference.abs().max(1e-300),
                "log({x}) = {ours}, expected about {reference}"
            );
        }
        assert_eq!(strict_log(std::f64::consts::E), 1.0);
    }
}
