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

    /// Length in bytes of the line holding byte `pos` of `file`.
    pub fn line_len(&self, file: FileId, pos: usize) -> usize {
        let f = self.file(file);
        let pos = pos.min(f.text.len());
        let line = match f.line_starts.binary_search(&pos) {
            Ok(l) => l,
            Err(l) => l - 1,
        };
        let start = f.line_starts[line];
        let end = f
            .line_starts
            .get(line + 1)
            .map_or(f.text.len(), |&next| next - 1);
        end.saturating_sub(start)
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

/// Longest run of non-space characters a message quotes whole: ids and values longer than
/// this (a hostile megabyte-long id) are shown by their start and end and their length.
pub const MAX_QUOTED_CHARS: usize = 80;

/// Longest message, label or note kept whole (a list of thousands of names is cut).
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// A message, label or note with over-long words and an over-long whole cut short, so that
/// the error for a huge input stays small.
pub fn clip(text: String) -> String {
    let text = if text.chars().any(unsafe_to_print) {
        escape_unsafe(&text)
    } else {
        text
    };
    if text.len() <= MAX_QUOTED_CHARS {
        return text;
    }
    let needs_cut = text.len() > MAX_MESSAGE_CHARS
        || text
            .split(char::is_whitespace)
            .any(|w| w.len() > MAX_QUOTED_CHARS && w.chars().count() > MAX_QUOTED_CHARS);
    if !needs_cut {
        return text;
    }
    let mut out = String::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let word_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_len);
        out.push_str(&clip_word(word));
        let space_len = after
            .find(|c: char| !c.is_whitespace())
            .unwrap_or(after.len());
        out.push_str(&after[..space_len]);
        rest = &after[space_len..];
        if out.len() > MAX_MESSAGE_CHARS {
            let cut = out
                .char_indices()
                .map(|(i, _)| i)
                .take_while(|&i| i <= MAX_MESSAGE_CHARS)
                .last()
                .unwrap_or(0);
            out.truncate(cut);
            out.push_str(&format!("… ({} characters in all)", text.chars().count()));
            break;
        }
    }
    out
}

/// Characters a terminal may act on instead of showing (C1 controls such as CSI, DEL) or that
/// reorder the text around them (bidirectional overrides and isolates): a hostile id must not
/// disguise or restyle the error that quotes it.
pub fn unsafe_to_print(c: char) -> bool {
    matches!(c, '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with each character [`unsafe_to_print`] written as `\u{...}`.
fn escape_unsafe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unsafe_to_print(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// A source text as it may be printed: each character [`unsafe_to_print`] replaced by one of
/// the same length in bytes, so that spans and columns stay right.
fn printable_source(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(unsafe_to_print) {
        return text.into();
    }
    text.chars()
        .map(|c| match (unsafe_to_print(c), c.len_utf8()) {
            (false, _) => c,
            (true, 1) => '?',
            (true, 2) => '\u{bf}',
            (true, _) => '\u{fffd}',
        })
        .collect::<String>()
        .into()
}

/// One word, kept whole when short, else its first and last characters around its length.
fn clip_word(word: &str) -> std::borrow::Cow<'_, str> {
    let count = word.chars().count();
    if count <= MAX_QUOTED_CHARS {
        return word.into();
    }
    let head: String = word.chars().take(MAX_QUOTED_CHARS - 20).collect();
    let tail: String = word.chars().skip(count - 8).collect();
    format!("{head}…[{count} characters]…{tail}").into()
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
            message: clip(message.into()),
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
        self.primary = Some((span, clip(label.into())));
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Diagnostic {
        self.secondary.push((span, clip(label.into())));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(clip(note.into()));
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

/// Source lines longer than this are not printed under a diagnostic.
pub const MAX_SHOWN_LINE_BYTES: usize = 1000;

/// Renders diagnostics with file, line, column and the source line.
pub fn render(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for (_, f) in sources.files() {
        files.add(f.display.clone(), printable_source(&f.text).into_owned());
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
        let mut notes = Vec::new();
        let located = d.primary.iter().map(|p| (p, true));
        for ((span, label), primary) in located.chain(d.secondary.iter().map(|s| (s, false))) {
            // A line of megabytes (a minified or hostile file) is named, not printed.
            let longest = sources
                .line_len(span.file, span.start as usize)
                .max(sources.line_len(span.file, span.end as usize));
            if longest > MAX_SHOWN_LINE_BYTES {
                let (line, col) = sources.line_col(*span);
                notes.push(format!(
                    "{}at {}:{line}:{col}{}{label} (the line is {longest} bytes long, not shown)",
                    if primary { "" } else { "also " },
                    sources.file(span.file).display,
                    if label.is_empty() { "" } else { ": " },
                ));
                continue;
            }
            let range = span.start as usize..span.end as usize;
            labels.push(if primary {
                cs::Label::primary(span.file.0 as usize, range).with_message(label)
            } else {
                cs::Label::secondary(span.file.0 as usize, range).with_message(label)
            });
        }
        notes.extend(d.notes.iter().cloned());
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

/// Each of `diags` in its one-line form ([`PlainDiagnostic`]).
pub fn plain_lines<'a>(
    sources: &SourceMap,
    diags: impl IntoIterator<Item = &'a Diagnostic>,
) -> Vec<String> {
    diags
        .into_iter()
        .map(|diag| PlainDiagnostic { sources, diag }.to_string())
        .collect()
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

#[cfg(test)]
mod tests {
    use super::{clip, render, Diagnostic, SourceMap, Span, MAX_MESSAGE_CHARS};
    use std::path::PathBuf;

    #[test]
    fn short_messages_are_kept_as_they_are() {
        let m = "no component with id 'izh2'; expected a baseCell".to_string();
        assert_eq!(clip(m.clone()), m);
    }

    #[test]
    fn a_huge_quoted_id_is_shown_by_its_ends_and_length() {
        let id = format!("start{}end", "x".repeat(100_000));
        let clipped = clip(format!("no component with id '{id}'; expected a cell"));
        assert!(clipped.len() < 200, "{clipped}");
        assert!(clipped.starts_with("no component with id 'startxx"));
        // The quoted word is the id with its quotes and the semicolon.
        let word = id.len() + 3;
        assert!(
            clipped.contains(&format!("[{word} characters]")),
            "{clipped}"
        );
        assert!(clipped.ends_with("xxend'; expected a cell"));
    }

    #[test]
    fn a_huge_list_is_cut() {
        let names: Vec<String> = (0..10_000).map(|i| format!("name{i}")).collect();
        let clipped = clip(format!("it has: {}", names.join(", ")));
        assert!(clipped.len() < MAX_MESSAGE_CHARS + 100);
        assert!(clipped.ends_with("characters in all)"));
    }

    #[test]
    fn characters_that_steer_a_terminal_are_escaped() {
        let clipped = clip("no component 'a\u{202e}b\u{9b}2J'".to_string());
        assert_eq!(clipped, "no component 'a\\u{202e}b\\u{9b}2J'");
    }

    #[test]
    fn a_megabyte_long_line_is_named_not_printed() {
        let mut sources = SourceMap::new();
        let text = format!("<Lems a=\"{}\"/>\n", "y".repeat(1 << 20));
        let file = sources.add(PathBuf::from("long.xml"), "long.xml".into(), text);
        let d = Diagnostic::at(Span::new(file, 1, 5), "something is wrong");
        let out = render(&sources, &[d], false);
        assert!(out.len() < 1000, "{out}");
        assert!(out.contains("long.xml:1:2"), "{out}");
    }
}
