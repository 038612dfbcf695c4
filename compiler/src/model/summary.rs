//! A short, deterministic description of a checked model, printed by `lemsc check`.

use crate::model::Model;

/// Describes the model: target, types in use, populations, state, outputs.
pub fn summary(model: &Model) -> String {
    let _ = model;
    String::new()
}
