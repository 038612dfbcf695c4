//! Reading YAML nodes with their source spans, so every error in an `.omt` or `.mep` file
//! points at the line and column where the unexpected value sits.

use lemsc::diag::{Diagnostic, FileId, Span};
use saphyr::{AnnotatedMapping, LoadableYamlNode, MarkedYaml, Scalar, YamlData};

pub(crate) type Node<'s> = MarkedYaml<'s>;
pub(crate) type Map<'s> = AnnotatedMapping<'s, MarkedYaml<'s>>;

/// One YAML file already added to a `SourceMap`.
pub(crate) struct YamlFile<'s> {
    pub file: FileId,
    pub text: &'s str,
}

impl<'s> YamlFile<'s> {
    /// Parses the file's first document; a file with no document is an error.
    pub fn root(&self) -> Result<Node<'s>, Diagnostic> {
        let docs = MarkedYaml::load_from_str(self.text).map_err(|e| {
            let at = self.byte_offset(e.marker().index());
            Diagnostic::at(
                Span::new(self.file, at, at + 1),
                format!("invalid YAML: {}", e.info()),
            )
        })?;
        docs.into_iter().next().ok_or_else(|| {
            Diagnostic::at(
                Span::new(self.file, 0, 0),
                "empty file: expected a YAML mapping",
            )
        })
    }

    /// saphyr counts positions in characters; diagnostics count bytes.
    fn byte_offset(&self, char_index: usize) -> usize {
        if self.text.is_ascii() {
            return char_index.min(self.text.len());
        }
        self.text
            .char_indices()
            .nth(char_index)
            .map_or(self.text.len(), |(byte, _)| byte)
    }

    pub fn span(&self, node: &Node<'_>) -> Span {
        let start = self.byte_offset(node.span.start.index());
        let end = self.byte_offset(node.span.end.index());
        // Block mappings and null values can have empty spans; keep one character visible.
        Span::new(self.file, start, end.max(start + 1).min(self.text.len()))
    }

    pub fn error(&self, node: &Node<'_>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::at(self.span(node), message)
    }

    pub fn mapping<'n>(&self, node: &'n Node<'s>, what: &str) -> Result<&'n Map<'s>, Diagnostic> {
        match &node.data {
            YamlData::Mapping(map) => Ok(map),
            _ => Err(self.error(
                node,
                format!("expected a mapping for {what}, found {}", describe(node)),
            )),
        }
    }

    /// The entries of a mapping as (key text, key node, value node), keys must be scalars.
    pub fn entries<'n>(
        &self,
        map: &'n Map<'s>,
    ) -> Result<Vec<(String, &'n Node<'s>, &'n Node<'s>)>, Diagnostic> {
        map.iter()
            .map(|(key, value)| match scalar_text(key) {
                Some(text) => Ok((text, key, value)),
                None => Err(self.error(
                    key,
                    format!("expected a plain key, found {}", describe(key)),
                )),
            })
            .collect()
    }

    /// Rejects keys outside `allowed`, so a misspelt option is an error rather than ignored.
    pub fn only_keys(&self, map: &Map<'s>, allowed: &[&str], what: &str) -> Result<(), Diagnostic> {
        for (key, key_node, _) in self.entries(map)? {
            if !allowed.contains(&key.as_str()) {
                return Err(self
                    .error(key_node, format!("unknown key `{key}` in {what}"))
                    .with_note(format!("expected one of: {}", quoted_list(allowed))));
            }
        }
        Ok(())
    }

    pub fn required<'n>(
        &self,
        owner: &Node<'s>,
        map: &'n Map<'s>,
        key: &str,
        what: &str,
    ) -> Result<&'n Node<'s>, Diagnostic> {
        get(map, key).ok_or_else(|| self.error(owner, format!("{what} has no `{key}`")))
    }

    pub fn string(&self, node: &Node<'s>, what: &str) -> Result<String, Diagnostic> {
        match &node.data {
            YamlData::Value(Scalar::String(s)) => Ok(s.to_string()),
            _ => Err(self.error(
                node,
                format!("expected text for {what}, found {}", describe(node)),
            )),
        }
    }

    /// A number; text that reads as a number is accepted too, as OMV converts with `float()`.
    pub fn number(&self, node: &Node<'s>, what: &str) -> Result<f64, Diagnostic> {
        let value = match &node.data {
            YamlData::Value(Scalar::Integer(i)) => Some(*i as f64),
            YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.into_inner()),
            YamlData::Value(Scalar::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        value.ok_or_else(|| {
            self.error(
                node,
                format!("expected a number for {what}, found {}", describe(node)),
            )
        })
    }

    pub fn integer(&self, node: &Node<'s>, what: &str) -> Result<i64, Diagnostic> {
        match &node.data {
            YamlData::Value(Scalar::Integer(i)) => Ok(*i),
            _ => Err(self.error(
                node,
                format!(
                    "expected a whole number for {what}, found {}",
                    describe(node)
                ),
            )),
        }
    }

    pub fn sequence<'n>(
        &self,
        node: &'n Node<'s>,
        what: &str,
    ) -> Result<&'n [Node<'s>], Diagnostic> {
        match &node.data {
            YamlData::Sequence(items) => Ok(items),
            _ => Err(self.error(
                node,
                format!("expected a list for {what}, found {}", describe(node)),
            )),
        }
    }

    pub fn numbers(&self, node: &Node<'s>, what: &str) -> Result<Vec<f64>, Diagnostic> {
        self.sequence(node, what)?
            .iter()
            .map(|item| self.number(item, &format!("an item of {what}")))
            .collect()
    }
}

pub(crate) fn get<'n, 's>(map: &'n Map<'s>, key: &str) -> Option<&'n Node<'s>> {
    map.iter()
        .find(|(k, _)| scalar_text(k).as_deref() == Some(key))
        .map(|(_, v)| v)
}

fn scalar_text(node: &Node<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(Scalar::String(s)) => Some(s.to_string()),
        YamlData::Value(Scalar::Integer(i)) => Some(i.to_string()),
        YamlData::Value(Scalar::FloatingPoint(f)) => Some(f.to_string()),
        YamlData::Value(Scalar::Boolean(b)) => Some(b.to_string()),
        _ => None,
    }
}

/// A short description of what a node holds, for "found ..." in messages.
fn describe(node: &Node<'_>) -> String {
    match &node.data {
        YamlData::Value(Scalar::Null) => "nothing".into(),
        YamlData::Value(Scalar::Boolean(b)) => format!("the boolean `{b}`"),
        YamlData::Value(Scalar::Integer(i)) => format!("the number `{i}`"),
        YamlData::Value(Scalar::FloatingPoint(f)) => format!("the number `{f}`"),
        YamlData::Value(Scalar::String(s)) => format!("the text `{s}`"),
        YamlData::Sequence(_) => "a list".into(),
        YamlData::Mapping(_) => "a mapping".into(),
        _ => "an unsupported YAML value".into(),
    }
}

pub(crate) fn quoted_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
