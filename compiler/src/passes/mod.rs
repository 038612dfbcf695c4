//! Passes from the checked model to the simulation IR.

pub mod cable;
pub mod fast;
pub mod instantiate;
pub mod jlems_order;
pub mod kernels;
pub mod lower;
pub mod mechanism;
pub mod navigate;
pub mod paths;
pub mod support;
pub mod user_site;

pub use lower::{lower, lower_within};
