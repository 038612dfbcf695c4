//! Checks of the files a simulation will write (`OutputFile`, `EventOutputFile`): each names
//! a file, not a folder, and two outputs of one model do not silently write the same file.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::Model;

/// Component types whose `fileName` is a file the simulation writes.
const WRITER_TYPES: &[&str] = &["OutputFile", "EventOutputFile"];

pub fn check_output_paths(model: &Model) -> Diagnostics {
    let writer_types: Vec<_> = WRITER_TYPES
        .iter()
        .filter_map(|name| model.type_by_name.get(*name).copied())
        .collect();
    let mut diags = Diagnostics::new();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for c in &model.components {
        if !writer_types.iter().any(|&w| model.extends(c.type_id, w)) {
            continue;
        }
        let Some((_, name, span)) = c.texts.iter().find(|(n, _, _)| n == "fileName") else {
            continue;
        };
        if let Some(problem) = path_problem(name) {
            diags.push(
                Diagnostic::at(*span, format!("output file name '{name}' {problem}"))
                    .with_note("expected the path of a file, relative to the LEMS file's folder, e.g. 'results/v.dat'"),
            );
            continue;
        }
        if let Some(first) = seen.insert(name.as_str(), *span) {
            diags.push(
                Diagnostic::warning(format!(
                    "two outputs write the same file '{name}'; the last one written wins"
                ))
                .with_span(*span, "written again here")
                .with_secondary(first, "first written here"),
            );
        }
    }
    diags
}

/// Why `name` cannot be an output file's path, if it cannot.
fn path_problem(name: &str) -> Option<&'static str> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    if name.trim().is_empty() {
        Some("is empty")
    } else if name.chars().any(char::is_control) {
        Some("contains control characters")
    } else if last.is_empty() || last == "." || last == ".." {
        Some("names a folder, not a file")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::path_problem;

    #[test]
    fn names_that_are_not_files_are_refused() {
        assert_eq!(path_problem("results/v.dat"), None);
        assert_eq!(path_problem("v.dat"), None);
        assert_eq!(path_problem("/tmp/out/v.dat"), None);
        assert_eq!(path_problem(""), Some("is empty"));
        assert_eq!(path_problem("   "), Some("is empty"));
        assert_eq!(path_problem("results/"), Some("names a folder, not a file"));
        assert_eq!(
            path_problem("results/.."),
            Some("names a folder, not a file")
        );
        assert_eq!(path_problem("a\u{0}b"), Some("contains control characters"));
    }
}
