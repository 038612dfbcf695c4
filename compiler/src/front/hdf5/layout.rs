//! What is read from an HDF5 file, as plain data: groups with their attributes as text, and
//! numeric tables. The reader fills it in, the tree builder reads it; problems with it are
//! reported by [`located`].

use crate::diag::{Diagnostic, Span};

/// One HDF5 group as read: attributes, then datasets and subgroups in the file's order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    /// Full HDF5 path, e.g. `/neuroml/network`.
    pub path: String,
    /// Attributes as text (empty ones and pickled Python `None`s left out); an attribute of a
    /// type that has no text form holds why.
    pub attrs: Vec<(String, Result<String, String>)>,
    pub tables: Vec<Table>,
    pub groups: Vec<Group>,
}

impl Group {
    /// The last component of the path.
    pub fn name(&self) -> &str {
        last_component(&self.path)
    }
}

/// A 2-D numeric dataset, row-major, with its named columns.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    pub path: String,
    /// `(N, name)` for every `column_N` attribute.
    pub columns: Vec<(usize, String)>,
    pub rows: usize,
    pub width: usize,
    pub values: Vec<f64>,
    /// Stored as 32-bit floats: numbers are written with the digits that identify an `f32`
    /// (a weight stored as 0.05f32 reads back as `0.05`, as the XML it came from said).
    pub single: bool,
}

impl Table {
    pub fn name(&self) -> &str {
        last_component(&self.path)
    }
}

fn last_component(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// An error about one HDF5 object, at the include when there is one.
pub(crate) fn located(at: Option<Span>, display: &str, object: &str, message: &str) -> Diagnostic {
    let text = if object.is_empty() {
        format!("{display}: {message}")
    } else {
        format!("{display}, HDF5 object {object}: {message}")
    };
    match at {
        Some(span) => Diagnostic::at(span, text),
        None => Diagnostic::error(text),
    }
}
