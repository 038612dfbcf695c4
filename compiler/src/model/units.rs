//! Dimensions and units declared by `<Dimension>` and `<Unit>`, and conversion of quantities
//! such as `-65mV` to SI values.
//!
//! INTERFACE: the types and signatures below are the contract; the bodies are being written.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::front::syntax::Document;
use crate::model::dims::Dim;

/// `<Dimension name="voltage" m="1" l="2" t="-3" i="-1"/>`.
#[derive(Clone, Debug)]
pub struct DimensionDef {
    pub name: String,
    pub dim: Dim,
    pub span: Span,
}

/// `<Unit symbol="mV" dimension="voltage" power="-3" scale="1" offset="0"/>`: a value `x` in this
/// unit is `x * scale * 10^power + offset` in SI.
#[derive(Clone, Debug)]
pub struct Unit {
    pub symbol: String,
    pub dimension: String,
    pub dim: Dim,
    pub power: i32,
    pub scale: f64,
    pub offset: f64,
    pub span: Span,
}

/// Every Dimension and Unit of the loaded documents.
#[derive(Clone, Debug, Default)]
pub struct UnitTable {
    pub dimensions: HashMap<String, DimensionDef>,
    pub units: HashMap<String, Unit>,
}

impl UnitTable {
    /// Collects the Dimension and Unit declarations of all documents.
    pub fn from_documents(_docs: &[Document]) -> (UnitTable, Diagnostics) {
        (UnitTable::default(), Diagnostics::new())
    }

    /// The dimension named `name` (`none` is dimensionless).
    pub fn dimension(&self, name: &str) -> Option<Dim> {
        if name == "none" {
            return Some(Dim::NONE);
        }
        self.dimensions.get(name).map(|d| d.dim)
    }

    /// Converts a written quantity (`10pS`, `-65 mV`, `2.5`) at `span` to SI, checking that its
    /// unit's dimension is `expected` (whose LEMS name is `expected_name`, for messages).
    pub fn quantity(
        &self,
        _text: &str,
        span: Span,
        _expected: Dim,
        _expected_name: &str,
    ) -> Result<f64, Diagnostic> {
        Err(Diagnostic::at(span, "quantities are not converted yet"))
    }
}
