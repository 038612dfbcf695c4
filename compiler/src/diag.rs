//! Source files, spans and diagnostics.
//!
//! Every stage reports problems as [`Diagnostic`]s that point into a [`SourceMap`] by byte
//! span; rendering (file, line, column and the source line) happens once, here.

use std::fmt;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// A sub-range of this span, `offset..offset+len` bytes from its start (clamped).
    pub fn sub(self, offset: usize, len: usize) -> Span {
        let start = (self.start as usize + offset).min(self.end as usize);
        let end = (start + len).min(self.end as usize).max(start);
        Span::new(self.file, start, end)
    }
}

/// One loaded source file. Built-in definitions get a path like `<lems-defs>/Cells.xml`.
pub struct SourceFile {
    pub path: PathBuf,
    /// The name shown in diagnostics.
    pub display: String,
    pub text: String,
    /// Byte offset of the start of every line, for line/column look-ups.
    line_starts: Vec<usize>,
}

/// All source files read during one compilation.
#[derive(Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, path: PathBuf, display: String, text: String) -> FileId {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        self.files.push(SourceFile {
            path,
            display,
            text,
            line_starts,
        });
        FileId(self.files.len() as u32 - 1)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files
            .iter()
            .position(|f| f.path == path)
            .map(|i| FileId(i as u32))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.file(span.file).text;
        text.get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }

    /// 1-based line and column (in characters) of a span's start.
    pub fn line_col(&self, span: Span) -> (usize, usize) {
        let f = self.file(span.file);
        let pos = (span.start as usize).min(f.text.len());
        let line = match f.line_starts.binary_search(&pos) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let line_start = f.line_starts[line];
        let col = f
            .text
            .get(line_start..pos)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (line + 1, col + 1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A problem found in the input, located by span where a location is known.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where the problem is, with a short label shown under the source line.
    pub primary: Option<(Span, String)>,
    /// Other places that explain it (e.g. "first defined here").
    pub secondary: Vec<(Span, String)>,
    /// Extra lines: what was expected, a hint.
    pub notes: Vec<String>,
    /// For a warning given where lemsc is as lenient as jLEMS: a short name of the rule
    /// (`docs/leniency.md`). Warnings of one rule are shown once with a count.
    pub leniency: Option<&'static str>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            leniency: None,
        }
    }

    /// A warning where jLEMS accepts what lemsc would otherwise refuse; `rule` names the
    /// entry of `docs/leniency.md` that says why. `--strict` makes it an error.
    pub fn lenient(rule: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            leniency: Some(rule),
            ..Diagnostic::warning(message)
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    /// Shorthand for an error at a span.
    pub fn at(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).with_span(span, "")
    }

    pub fn with_span(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.primary = Some((span, label.into()));
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Diagnostics collected by a stage that keeps going after the first error.
#[derive(Default, Debug)]
pub struct Diagnostics {
    pub list: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.list.push(d);
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.list.extend(other.list);
    }
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }
    pub fn error_count(&self) -> usize {
        self.list.iter().filter(|d| d.is_error()).count()
    }
    /// `--strict`: every warning becomes an error.
    pub fn make_strict(&mut self) {
        for d in &mut self.list {
            if d.severity == Severity::Warning {
                d.severity = Severity::Error;
                d.notes.push(match d.leniency {
                    Some(rule) => {
                        format!("an error because of --strict ({rule}, docs/leniency.md)")
                    }
                    None => "an error because of --strict; without it, a warning".to_string(),
                });
            }
        }
    }
}

/// Warnings as a person wants to read them: each rule of leniency (and each repeated
/// message) shown once, at its first place, with the count of the others. Errors are kept
/// as they are, in order.
pub fn group_warnings(diags: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut counts: Vec<(usize, usize)> = Vec::new(); // (index in out, repeats)
    let mut first_of: std::collections::HashMap<String, usize> = Default::default();
    for d in diags {
        if d.is_error() {
            out.push(d.clone());
            continue;
        }
        let key = match d.leniency {
            Some(rule) => format!("rule:{rule}"),
            None => format!("text:{}", d.message),
        };
        match first_of.get(&key) {
            Some(&slot) => counts[slot].1 += 1,
            None => {
                first_of.insert(key, counts.len());
                counts.push((out.len(), 0));
                out.push(d.clone());
            }
        }
    }
    for (at, repeats) in counts {
        if repeats > 0 {
            out[at].notes.push(format!(
                "{repeats} more warning{} like this one",
                if repeats == 1 { "" } else { "s" }
            ));
        }
    }
    out
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Diagnostics {
        Diagnostics { list: vec![d] }
    }
}

/// Renders diagnostics with file, line, column and the source line.
pub fn render(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for (_, f) in sources.files() {
        files.add(f.display.clone(), f.text.clone());
    }
    let mut out = term::termcolor::Buffer::no_color();
    if color {
        out = term::termcolor::Buffer::ansi();
    }
    let config = term::Config::default();
    for d in diags {
        let mut cd = match d.severity {
            Severity::Error => cs::Diagnostic::error(),
            Severity::Warning => cs::Diagnostic::warning(),
        }
        .with_message(&d.message);
        let mut labels = Vec::new();
        if let Some((span, label)) = &d.primary {
            labels.push(
                cs::Label::primary(span.file.0 as usize, span.start as usize..span.end as usize)
                    .with_message(label),
            );
        }
        for (span, label) in &d.secondary {
            labels.push(
                cs::Label::secondary(span.file.0 as usize, span.start as usize..span.end as usize)
                    .with_message(label),
            );
        }
        let mut notes = d.notes.clone();
        if let (Some(rule), Severity::Warning) = (d.leniency, d.severity) {
            notes.push(format!(
                "accepted as jNeuroML accepts it ({rule}, docs/leniency.md); --strict refuses it"
            ));
        }
        cd = cd.with_labels(labels).with_notes(notes);
        // Rendering into a buffer cannot fail except on span bugs; fall back to plain text.
        if term::emit(&mut out, &config, &files, &cd).is_err() {
            out_plain(&mut out, sources, d);
        }
    }
    String::from_utf8_lossy(out.as_slice()).into_owned()
}

fn out_plain(out: &mut term::termcolor::Buffer, sources: &SourceMap, d: &Diagnostic) {
    use std::io::Write;
    let _ = writeln!(out, "{}", PlainDiagnostic { sources, diag: d });
}

/// One-line form `file:line:col: error: message`, used by tests and machine-readable output.
pub struct PlainDiagnostic<'a> {
    pub sources: &'a SourceMap,
    pub diag: &'a Diagnostic,
}

impl fmt::Display for PlainDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.diag.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if let Some((span, label)) = &self.diag.primary {
            let (line, col) = self.sources.line_col(*span);
            write!(
                f,
                "{}:{}:{}: {}: {}",
                self.sources.file(span.file).display,
                line,
                col,
                sev,
                self.diag.message
            )?;
            if !label.is_empty() {
                write!(f, " ({label})")?;
            }
        } else {
            write!(f, "{}: {}", sev, self.diag.message)?;
        }
        for n in &self.diag.notes {
            write!(f, "; {n}")?;
        }
        Ok(())
    }
}
