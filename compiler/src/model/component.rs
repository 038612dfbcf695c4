//! Components: instances of component types with their parameter values, references and
//! children, as written in the model (before any Structure is instantiated).

use crate::diag::Span;
use crate::model::dims::Dim;
use crate::model::types::TypeId;

/// Index of a component in [`crate::model::Model::components`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CompId(pub u32);

/// A parameter value as given, converted to SI.
#[derive(Clone, Debug)]
pub struct ParamValue {
    pub name: String,
    pub si: f64,
    pub dim: Dim,
    /// The value as written (`-65mV`), for messages and text backends.
    pub written: String,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct Component {
    pub id: Option<String>,
    pub type_id: TypeId,
    /// Span of the element that defines the component.
    pub span: Span,
    /// Span of that element's name in its start tag: where to point at the component.
    pub name_span: Span,
    /// The component this one is nested in, if any.
    pub parent: Option<CompId>,
    /// Parameters (and Property values) given, in SI.
    pub params: Vec<ParamValue>,
    /// ComponentReference and Link attributes resolved to components: (slot name, target).
    pub refs: Vec<(String, CompId, Span)>,
    /// Text and Path attributes: (name, value as written, value span).
    pub texts: Vec<(String, String, Span)>,
    /// Nested components by the Child/Children/Attachments slot they fill: (slot, child).
    pub children: Vec<(String, CompId)>,
    /// Attributes kept verbatim that the type does not declare but LEMS/NeuroML tolerate
    /// (e.g. NeuroML metadata), for backends that want them.
    pub extra: Vec<(String, String, Span)>,
    /// DerivedParameters with a `value=` expression, evaluated from the parameters, in SI.
    pub derived: Vec<ParamValue>,
}

impl Component {
    pub fn param(&self, name: &str) -> Option<&ParamValue> {
        self.params.iter().find(|p| p.name == name)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.as_str())
    }

    pub fn reference(&self, name: &str) -> Option<CompId> {
        self.refs
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, c, _)| *c)
    }
}
