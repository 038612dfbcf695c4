//! How one part of a node model (the cell, or one attachment kind) spells its variables in
//! NESTML, and the wrapper that lets expressions carry raw NESTML text (a received weight,
//! a past value of `v`).

use std::collections::BTreeMap;

use crate::passes::mechanism::{External, MExpr};

use super::super::expr::Spelling;

/// What a name the generator cannot spell reads: NaN, so a gap shows in the outputs.
const NOT_A_NUMBER: &str = "(0.0 * (1e308 * 1e308))";

pub(super) struct Spell<'a> {
    pub idents: &'a BTreeMap<String, String>,
    /// What an attachment reads as the cell's voltage; `None` in the cell itself, whose
    /// EventOuts are the node's spikes (an attachment's go nowhere in NEST).
    pub voltage: Option<String>,
    /// True in the cell itself.
    pub cell: bool,
}

impl Spelling for Spell<'_> {
    fn var(&self, flat: &str) -> String {
        self.idents
            .get(flat)
            .cloned()
            .unwrap_or_else(|| NOT_A_NUMBER.into())
    }
    fn external(&self, ext: &External) -> String {
        match ext {
            External::Voltage => self.voltage.clone().unwrap_or_else(|| "v".into()),
            External::Temperature => "temperature".into(),
            _ => NOT_A_NUMBER.into(),
        }
    }
    fn time(&self) -> String {
        "t_lems".into()
    }
    fn emits(&self) -> bool {
        self.cell
    }
}

/// Marks `text` as raw NESTML, for [`RawSpell`] to print as it is.
fn raw(text: &str) -> MExpr {
    MExpr::Var(format!("\u{0}{text}"))
}

/// Reads the raw-text variables of [`replace_var`] and [`replace_external_voltage`] as
/// they are, and everything else as its [`Spell`].
pub(super) struct RawSpell<'a, 'b> {
    pub inner: &'a Spell<'b>,
}

impl Spelling for RawSpell<'_, '_> {
    fn var(&self, flat: &str) -> String {
        match flat.strip_prefix('\u{0}') {
            Some(raw) => raw.to_string(),
            None => self.inner.var(flat),
        }
    }
    fn external(&self, ext: &External) -> String {
        self.inner.external(ext)
    }
    fn time(&self) -> String {
        self.inner.time()
    }
    fn emits(&self) -> bool {
        self.inner.emits()
    }
}

/// `e` with the external voltage read as the raw NESTML text `replacement` (a past v).
pub(super) fn replace_external_voltage(e: &MExpr, replacement: &str) -> MExpr {
    replace(
        e,
        &|x| matches!(x, MExpr::Ext(External::Voltage)),
        replacement,
    )
}

/// `e` with variable `flat` read as the raw NESTML text `replacement` (the received weight).
pub(super) fn replace_var(e: &MExpr, flat: &str, replacement: &str) -> MExpr {
    replace(e, &|x| matches!(x, MExpr::Var(n) if n == flat), replacement)
}

/// `e` with every leaf `hit` accepts read as the raw text `replacement`.
fn replace(e: &MExpr, hit: &dyn Fn(&MExpr) -> bool, replacement: &str) -> MExpr {
    let go = |x: &MExpr| Box::new(replace(x, hit, replacement));
    match e {
        leaf if hit(leaf) => raw(replacement),
        MExpr::Neg(x) => MExpr::Neg(go(x)),
        MExpr::Not(x) => MExpr::Not(go(x)),
        MExpr::Random(x) => MExpr::Random(go(x)),
        MExpr::Call(f, x) => MExpr::Call(*f, go(x)),
        MExpr::Bin(op, l, r) => MExpr::Bin(*op, go(l), go(r)),
        other => other.clone(),
    }
}
