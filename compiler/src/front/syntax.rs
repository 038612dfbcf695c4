//! The syntax tree: XML elements as read, with the source span of every name and value.
//!
//! Nothing here knows LEMS; the model builder gives elements their meaning.

use crate::diag::{FileId, Span};

/// One attribute, `name="value"`, with the value already unescaped (XML built-in entities and
/// character references only).
#[derive(Clone, Debug)]
pub struct Attr {
    pub name: String,
    pub name_span: Span,
    pub value: String,
    /// Span of the value between the quotes.
    pub value_span: Span,
}

/// One element with its attributes, children and text.
#[derive(Clone, Debug)]
pub struct Element {
    pub name: String,
    /// Span of the element name in the start tag.
    pub name_span: Span,
    /// Span from `<` of the start tag to `>` of the end tag.
    pub span: Span,
    pub attrs: Vec<Attr>,
    pub children: Vec<Element>,
    /// Character data directly inside this element (CDATA included), concatenated, untrimmed.
    pub text: String,
    /// Span of the first text run, if any.
    pub text_span: Option<Span>,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn attr_value(&self, name: &str) -> Option<&str> {
        self.attr(name).map(|a| a.value.as_str())
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

/// What the root element says a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    /// `<Lems>` root.
    Lems,
    /// `<neuroml>` root: its children are read as LEMS components, as jLEMS does.
    NeuroML,
}

/// One parsed file.
#[derive(Clone, Debug)]
pub struct Document {
    pub file: FileId,
    pub kind: DocKind,
    pub root: Element,
    /// True for our built-in lems-defs files (not the user's).
    pub builtin: bool,
}
