//! Reading diagnostics back in the corpus tests (`bad/`, `lenient/`, the examples).

use lemsc::diag::{Diagnostic, SourceMap};

/// Each diagnostic as the one line a person reads: `file:line:col: severity: message`.
pub use lemsc::diag::plain_lines;

/// A diagnostic's message, label and notes, lower case, for matching expected phrases.
pub fn full_text(d: &Diagnostic) -> String {
    let mut s = d.message.clone();
    if let Some((_, label)) = &d.primary {
        s.push('\n');
        s.push_str(label);
    }
    for n in &d.notes {
        s.push('\n');
        s.push_str(n);
    }
    s.to_lowercase()
}

/// Whether `d` points into a file shown as `file` (or ending in `/file`) at `line`, and says
/// every one of `phrases` (lower case).
pub fn located_and_says(
    sources: &SourceMap,
    d: &Diagnostic,
    file: &str,
    line: usize,
    phrases: &[String],
) -> bool {
    let Some((span, _)) = &d.primary else {
        return false;
    };
    let shown = &sources.file(span.file).display;
    let text = full_text(d);
    (shown == file || shown.ends_with(&format!("/{file}")))
        && sources.line_col(*span).0 == line
        && phrases.iter().all(|p| text.contains(p.as_str()))
}
