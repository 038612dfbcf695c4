//! The typed model: dimensions, units, component types and components, checked.
//!
//! [`build`] runs the stages in order: units, then component types (inheritance resolved,
//! expressions parsed and dimension-checked, derived variables ordered), then components.

pub mod check;
pub mod compbuild;
pub mod component;
pub mod dims;
pub mod order;
pub mod outputs;
pub mod summary;
pub mod typebuild;
pub mod types;
pub mod units;
pub mod validate;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::diag::{Diagnostics, SourceMap};
use crate::front::syntax::Document;
use component::{CompId, Component};
use types::{ComponentType, TypeId};
use units::UnitTable;

/// A loaded, resolved and checked model.
#[derive(Debug, Default)]
pub struct Model {
    pub units: UnitTable,
    pub types: Vec<ComponentType>,
    pub type_by_name: HashMap<String, TypeId>,
    pub components: Vec<Component>,
    /// Components with an id, by id (ids are global across all files).
    pub component_by_id: HashMap<String, CompId>,
    /// The component named by `<Target component="..."/>`, normally a Simulation.
    pub target: Option<CompId>,
}

/// Resolves loaded documents into a checked model; all errors found are returned.
///
/// The model is returned only when no stage reported an error.
pub fn build(docs: &[Document], sources: &SourceMap) -> (Option<Model>, Diagnostics) {
    // Spans already carry their file; the source map is for stages that need the text.
    let _ = sources;
    // A model full of misspelt names must not make "similar names" notes quadratic.
    let _suggestions = crate::suggest::limit_work(crate::suggest::MODEL_WORK_BUDGET);
    let (units, mut diags) = UnitTable::from_documents(docs);
    let (types, type_by_name, type_diags) = typebuild::build_types(docs, &units);
    diags.extend(type_diags);
    let (components, component_by_id, target, comp_diags) =
        compbuild::build_components(docs, &types, &type_by_name, &units);
    diags.extend(comp_diags);
    if diags.has_errors() {
        return (None, diags);
    }
    let model = Model {
        units,
        types,
        type_by_name,
        components,
        component_by_id,
        target,
    };
    (Some(model), diags)
}

impl Model {
    pub fn ty(&self, id: TypeId) -> &ComponentType {
        &self.types[id.0 as usize]
    }

    pub fn component(&self, id: CompId) -> &Component {
        &self.components[id.0 as usize]
    }

    pub fn type_named(&self, name: &str) -> Option<&ComponentType> {
        self.type_by_name.get(name).map(|&id| self.ty(id))
    }

    /// True if `ty` is `ancestor` or extends it, directly or not.
    pub fn extends(&self, ty: TypeId, ancestor: TypeId) -> bool {
        types::extends(&self.types, ty, ancestor)
    }
}
