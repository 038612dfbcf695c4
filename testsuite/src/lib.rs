//! Helpers shared by the conformance tests in `tests/`.

use std::path::PathBuf;

pub mod diagtext;
pub mod failures;
pub mod nrncompare;
pub mod omv;
pub mod realworld;
pub mod refcompare;
pub mod simulators;

/// The read-only shared data folder beside the checkout (`../shared`).
pub fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}
