//! NESTML identifiers for the names of a model.
//!
//! Flat names (`m/forwardRate/r`) become `m__forwardRate__r`; characters outside
//! `[A-Za-z0-9_]` become `_` (so model text cannot inject NESTML); names NESTML reserves
//! (keywords, predefined functions and variables, unit names that would be read as units,
//! the generator's own names) get a trailing `_`; clashes get a number.

use std::collections::{BTreeMap, BTreeSet};

use crate::back::neuron::names::sanitize;

/// Names that mean something to NESTML or to the C++ it generates, and the generator's own.
const RESERVED: &[&str] = &[
    // NESTML keywords and types.
    "model",
    "neuron",
    "synapse",
    "state",
    "parameters",
    "internals",
    "update",
    "equations",
    "input",
    "output",
    "function",
    "inline",
    "recordable",
    "if",
    "elif",
    "else",
    "for",
    "while",
    "in",
    "step",
    "and",
    "or",
    "not",
    "return",
    "true",
    "false",
    "inf",
    "spike",
    "continuous",
    "integer",
    "real",
    "string",
    "boolean",
    "void",
    "onReceive",
    "onCondition",
    "kernel",
    "shape",
    "e",
    "t",
    "pi",
    // Predefined functions.
    "exp",
    "expm1",
    "ln",
    "log10",
    "log",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "sinh",
    "cosh",
    "tanh",
    "asin",
    "acos",
    "atan",
    "atan2",
    "abs",
    "max",
    "min",
    "clip",
    "ceil",
    "floor",
    "round",
    "erf",
    "erfc",
    "random_normal",
    "random_uniform",
    "emit_spike",
    "print",
    "println",
    "resolution",
    "steps",
    "delta",
    "convolve",
    "info",
    "warning",
    "timestep",
    // Units a name could be mistaken for.
    "s",
    "ms",
    "us",
    "ns",
    "mV",
    "V",
    "uV",
    "A",
    "nA",
    "pA",
    "mA",
    "uA",
    "F",
    "nF",
    "pF",
    "uF",
    "S",
    "nS",
    "uS",
    "mS",
    "pS",
    "Hz",
    "kHz",
    "mol",
    "mmol",
    "M",
    "mM",
    "uM",
    "nM",
    "K",
    "m",
    "cm",
    "mm",
    "um",
    "nm",
    "g",
    "kg",
    "C",
    "J",
    "W",
    "Ohm",
    "MOhm",
    "GOhm",
    "kOhm",
    "L",
    "l",
    "h",
    "min",
    "d",
    "a",
    "b",
    "c",
    "N",
    "Pa",
    "T",
    "H",
    "Wb",
    "lx",
    "lm",
    "rad",
    "cd",
    "sr",
    "Bq",
    "Gy",
    "Sv",
    "kat",
    "ohm",
    "mmHg",
    "degC",
    // C++ words the generated code could meet.
    "double",
    "float",
    "int",
    "long",
    "class",
    "struct",
    "new",
    "delete",
    "this",
    "const",
    "static",
    "auto",
    "std",
    "nest",
    "origin",
    "lag",
    "P_",
    "S_",
    "V_",
    "B_",
    // The generator's own names.
    "t_lems",
    "lems_dt",
    "regime",
    "weight_in",
];

/// One model's names: each flat name once, each identifier once.
#[derive(Default)]
pub struct NameTable {
    by_flat: BTreeMap<String, String>,
    taken: BTreeSet<String>,
}

impl NameTable {
    /// The identifier of `flat` (made on first use).
    pub fn ident(&mut self, flat: &str) -> String {
        if let Some(id) = self.by_flat.get(flat) {
            return id.clone();
        }
        let id = self.fresh(&flat.replace('/', "__"));
        self.by_flat.insert(flat.to_string(), id.clone());
        id
    }

    /// A new identifier based on `raw`, never taken before (for names the generator adds).
    pub fn fresh(&mut self, raw: &str) -> String {
        let mut base = sanitize(raw);
        if RESERVED.contains(&base.as_str()) || base.starts_with("__") {
            base.push('_');
        }
        let mut id = base.clone();
        let mut n = 1;
        while !self.taken.insert(id.clone()) {
            n += 1;
            id = format!("{base}_{n}");
        }
        id
    }

    /// The identifier given to `flat`, if any.
    pub fn get(&self, flat: &str) -> Option<&String> {
        self.by_flat.get(flat)
    }
}

/// A NESTML model name from a component id: sanitised, with `_lems` so it never names a NEST
/// built-in model.
pub fn model_name(raw: &str) -> String {
    format!("{}_lems", sanitize(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_names_keep_their_path_and_reserved_names_are_steered_clear_of() {
        let mut t = NameTable::default();
        assert_eq!(t.ident("m/forwardRate/r"), "m__forwardRate__r");
        assert_eq!(t.ident("a"), "a_");
        assert_eq!(t.ident("regime"), "regime_");
        assert_eq!(t.ident("x;y"), "x_y");
        assert_eq!(t.ident("x:y"), "x_y_2");
        assert_eq!(t.ident("m/forwardRate/r"), "m__forwardRate__r");
    }
}
