//! Physical dimensions as exponents of the seven SI base quantities.

use std::fmt;
use std::ops::{Div, Mul};

/// Exponents of mass, length, time, current, temperature, amount and luminous intensity,
/// in the order of LEMS's `<Dimension m l t i k n j>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Dim {
    pub m: i8,
    pub l: i8,
    pub t: i8,
    pub i: i8,
    pub k: i8,
    pub n: i8,
    pub j: i8,
}

impl Dim {
    pub const NONE: Dim = Dim {
        m: 0,
        l: 0,
        t: 0,
        i: 0,
        k: 0,
        n: 0,
        j: 0,
    };
    pub const TIME: Dim = Dim { t: 1, ..Dim::NONE };

    fn parts(self) -> [i8; 7] {
        [self.m, self.l, self.t, self.i, self.k, self.n, self.j]
    }

    fn from_parts(p: [i8; 7]) -> Dim {
        Dim {
            m: p[0],
            l: p[1],
            t: p[2],
            i: p[3],
            k: p[4],
            n: p[5],
            j: p[6],
        }
    }

    pub fn is_none(self) -> bool {
        self == Dim::NONE
    }

    /// `self` raised to an integer power.
    pub fn powi(self, n: i32) -> Dim {
        Dim::from_parts(self.parts().map(|e| (e as i32 * n) as i8))
    }

    /// The inverse, 1/self.
    pub fn recip(self) -> Dim {
        self.powi(-1)
    }
}

impl Mul for Dim {
    type Output = Dim;
    fn mul(self, o: Dim) -> Dim {
        let (a, b) = (self.parts(), o.parts());
        Dim::from_parts(std::array::from_fn(|k| a[k] + b[k]))
    }
}

impl Div for Dim {
    type Output = Dim;
    fn div(self, o: Dim) -> Dim {
        self * o.recip()
    }
}

impl fmt::Display for Dim {
    /// Writes e.g. `kg·m^2·s^-3·A^-1` (volts), or `1` for dimensionless.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = ["kg", "m", "s", "A", "K", "mol", "cd"];
        let mut first = true;
        for (name, e) in names.iter().zip(self.parts()) {
            if e == 0 {
                continue;
            }
            if !first {
                f.write_str("·")?;
            }
            first = false;
            if e == 1 {
                write!(f, "{name}")?;
            } else {
                write!(f, "{name}^{e}")?;
            }
        }
        if first {
            f.write_str("1")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algebra() {
        let v = Dim {
            m: 1,
            l: 2,
            t: -3,
            i: -1,
            ..Dim::NONE
        };
        let a = Dim { i: 1, ..Dim::NONE };
        let w = v * a;
        assert_eq!(
            w,
            Dim {
                m: 1,
                l: 2,
                t: -3,
                ..Dim::NONE
            }
        );
        assert_eq!(v / v, Dim::NONE);
        assert_eq!(Dim::TIME.recip().to_string(), "s^-1");
        assert_eq!(Dim::NONE.to_string(), "1");
    }
}
