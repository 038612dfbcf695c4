//! Checks of the files a simulation will write (`OutputFile`, `EventOutputFile`): each names
//! a file, not a folder, inside the model's folder, and two outputs of one model do not
//! silently write the same file. [`confine_outputs`] checks them again against the real
//! output folder just before a run, for every target.

use std::collections::HashMap;
use std::path::Path;

use crate::confine::WriteRoot;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::component::{CompId, Component};
use crate::model::Model;

/// Component types whose `fileName` is a file the simulation writes.
const WRITER_TYPES: &[&str] = &["OutputFile", "EventOutputFile"];

/// The file an output component writes, relative to the output folder, and the span of its
/// `fileName`: jLEMS puts the file in the folder `path` when that attribute is given.
pub fn written_name(c: &Component) -> Option<(String, Span)> {
    let (_, name, span) = c.texts.iter().find(|(n, _, _)| n == "fileName")?;
    let joined = match c.text("path").map(str::trim).filter(|p| !p.is_empty()) {
        Some(folder) => format!("{}/{name}", folder.trim_end_matches('/')),
        None => name.clone(),
    };
    Some((joined, *span))
}

/// `allow_outside`: `--allow-writes-outside`, names that leave the model's folder are accepted.
pub fn check_output_paths(model: &Model, allow_outside: bool) -> Diagnostics {
    let writer_types: Vec<_> = WRITER_TYPES
        .iter()
        .filter_map(|name| model.type_by_name.get(*name).copied())
        .collect();
    let mut diags = Diagnostics::new();
    let mut seen: HashMap<String, Span> = HashMap::new();
    for c in &model.components {
        if !writer_types.iter().any(|&w| model.extends(c.type_id, w)) {
            continue;
        }
        if let Some(d) = format_problem(model, c) {
            diags.push(d);
        }
        let Some((name, span)) = written_name(c) else {
            continue;
        };
        let problem = path_problem(&name).or_else(|| {
            (!allow_outside && leaves_folder(&name)).then_some(
                "leaves the output folder; a model may only write inside it \
                 (--allow-writes-outside permits this)",
            )
        });
        if let Some(problem) = problem {
            diags.push(
                Diagnostic::at(span, format!("output file name '{name}' {problem}"))
                    .with_note("expected the path of a file, relative to the LEMS file's folder, e.g. 'results/v.dat'"),
            );
            continue;
        }
        if let Some(first) = seen.insert(name.clone(), span) {
            diags.push(
                Diagnostic::warning(format!(
                    "two outputs write the same file '{name}'; the last one written wins"
                ))
                .with_span(span, "written again here")
                .with_secondary(first, "first written here"),
            );
        }
    }
    diags
}

/// Checks every file the target Simulation `sim` writes against the run's output folder
/// (links followed, input files and special files refused), located at its `fileName`.
/// Every target calls this before it writes anything.
pub fn confine_outputs(model: &Model, sim: CompId, root: &WriteRoot) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (slot, child) in &model.component(sim).children {
        if slot != "outputs" && slot != "events" {
            continue;
        }
        let Some((name, span)) = written_name(model.component(*child)) else {
            continue;
        };
        let path = root.folder().join(&name);
        if let Err(why) = root.check(&path) {
            diags.push(
                Diagnostic::at(
                    span,
                    format!("will not write output file '{name}': it {why}"),
                )
                .with_note(format!("{} {why}", path.display())),
            );
        }
    }
    diags
}

/// An `EventOutputFile` whose `format` is neither layout the writers know.
fn format_problem(model: &Model, c: &Component) -> Option<Diagnostic> {
    let event_file = model.type_by_name.get("EventOutputFile")?;
    if !model.extends(c.type_id, *event_file) {
        return None;
    }
    let (at, written) = match c.texts.iter().find(|(n, _, _)| n == "format") {
        Some((_, value, _)) if matches!(value.as_str(), "TIME_ID" | "ID_TIME") => return None,
        Some((_, value, span)) => (*span, value.as_str()),
        None => (c.name_span, ""),
    };
    Some(Diagnostic::at(
        at,
        format!("event output file format '{written}' is not TIME_ID or ID_TIME"),
    ))
}

/// Does the relative path `name` climb out of its folder (or is it absolute)?
fn leaves_folder(name: &str) -> bool {
    let path = Path::new(name);
    if path.has_root() || name.starts_with('\\') {
        return true;
    }
    let mut depth = 0i64;
    for part in name.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
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
    use super::{leaves_folder, path_problem};

    #[test]
    fn names_that_climb_out_of_the_folder_are_found() {
        assert!(!leaves_folder("results/v.dat"));
        assert!(!leaves_folder("results/../v.dat"));
        assert!(!leaves_folder("./a/./b/../../v.dat"));
        assert!(leaves_folder("../v.dat"));
        assert!(leaves_folder("results/../../v.dat"));
        assert!(leaves_folder("/tmp/v.dat"));
        assert!(leaves_folder("..\\v.dat"));
    }

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
