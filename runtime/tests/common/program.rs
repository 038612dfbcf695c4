//! Short constructors for the statements and instances hand-written test programs are made
//! of.

use lemsc_runtime::program::{Expr, InstanceRec, Stmt};

/// `vars[base + slot] = value`.
pub fn set(slot: u32, value: Expr) -> Stmt {
    Stmt::Set { slot, value }
}

/// An instance of kernel `kernel` whose block starts at `base`, without links.
pub fn instance(kernel: u32, base: u64, path: &str) -> InstanceRec {
    InstanceRec {
        kernel,
        base,
        links: 0,
        path: path.into(),
    }
}
