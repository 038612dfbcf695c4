//! Helpers for unit tests that check whole files: written to a fresh folder, checked through
//! the pipeline, diagnostics read back as short lines.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diag::{Diagnostic, SourceMap};
use crate::pipeline::{check, CheckOptions, Checked};

/// Writes `files` (name, text) into a fresh temporary folder and checks the first one.
pub fn check_files(files: &[(&str, &str)]) -> Checked {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir: PathBuf = std::env::temp_dir().join(format!("lemsc-unit-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    let checked = check(&[dir.join(files[0].0)], &CheckOptions::default());
    let _ = std::fs::remove_dir_all(&dir);
    checked
}

/// The source text under a diagnostic's primary span ("" without one).
pub fn spanned_text<'a>(sources: &'a SourceMap, d: &Diagnostic) -> &'a str {
    d.primary.as_ref().map_or("", |(s, _)| sources.snippet(*s))
}

/// Each diagnostic as `severity: message @ spanned text`.
pub fn messages(c: &Checked) -> Vec<String> {
    c.diagnostics
        .list
        .iter()
        .map(|d| {
            let sev = if d.is_error() { "error" } else { "warning" };
            format!("{sev}: {} @ {}", d.message, spanned_text(&c.sources, d))
        })
        .collect()
}
