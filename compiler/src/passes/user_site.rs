//! Errors found in a NeuroML core type's definition, moved to the user's text that caused
//! them.
//!
//! A projection's Structure, a synapse's dynamics or a cell's requirements live in the
//! built-in definitions (`<lems-defs>/Networks.xml`); when running them for one of the
//! user's components fails, the user needs to see their own element first. The diagnostic's
//! place becomes the component's element, and the built-in line stays as a second label.

use std::collections::HashSet;

use crate::diag::{Diagnostic, FileId};
use crate::model::component::CompId;
use crate::model::Model;

/// The files holding built-in definitions, found once per model.
pub struct BuiltinFiles(HashSet<FileId>);

impl BuiltinFiles {
    pub fn of(model: &Model) -> BuiltinFiles {
        BuiltinFiles(
            model
                .types
                .iter()
                .filter(|t| t.builtin)
                .map(|t| t.span.file)
                .collect(),
        )
    }

    /// `d` pointed at `comp`'s element when it points into a built-in file and the component
    /// itself is the user's; unchanged otherwise.
    pub fn at_user_site(&self, model: &Model, comp: CompId, d: Diagnostic) -> Diagnostic {
        let Some((span, label)) = d.primary.clone() else {
            return d;
        };
        let c = model.component(comp);
        if !self.0.contains(&span.file) || self.0.contains(&c.name_span.file) {
            return d;
        }
        let ty = &model.ty(c.type_id).name;
        let shown =
            c.id.as_deref()
                .map_or_else(String::new, |id| format!(" '{id}'"));
        let mut moved = d.with_span(c.name_span, format!("while building {ty}{shown}"));
        let label = if label.is_empty() {
            format!("in the definition of {ty}")
        } else {
            label
        };
        moved.secondary.insert(0, (span, label));
        moved
    }
}
