//! (being written)
use super::MechanismPlan;
use crate::diag::Diagnostic;
use crate::ir::{InstId, Ir};
use crate::model::Model;

/// How the subtree meets the simulator.
#[derive(Clone, Debug, Default)]
pub struct InlineOptions {}

pub fn inline(
    _model: &Model,
    _ir: &Ir,
    _root: InstId,
    _opts: &InlineOptions,
) -> Result<MechanismPlan, Vec<Diagnostic>> {
    Err(Vec::new())
}
