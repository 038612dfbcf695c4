//! Reads the root files and everything they include into [`Document`]s.
//!
//! Includes are resolved beside the including file, then in the `-I` folders, then among our
//! built-in definitions (`lems_defs`). Every file is read once; documents come out in
//! depth-first post-order, so whatever a file includes comes before it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::front::hdf5;
use crate::front::syntax::{DocKind, Document, Element};
use crate::front::xml::{decode_utf8, parse_element_tree};

/// Where includes are looked for besides the including file's folder.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub include_dirs: Vec<PathBuf>,
}

/// Includes nested deeper than this are refused: a chain this long is a hostile or generated
/// model, and each level costs stack.
pub const MAX_INCLUDE_DEPTH: usize = 200;

/// A model file larger than this is refused before it is read whole (a `/proc` file or a
/// device would otherwise grow without end).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The prefix of built-in files' paths and display names.
/// How built-in definitions are named in diagnostics (`<lems-defs>/Cells.xml`).
pub const BUILTIN_PREFIX: &str = "<lems-defs>";

/// The core-type files a NeuroML root document is read with: the whole standard, so that any
/// NeuroML element (PyNN cells and simulation elements included) is known.
const NEUROML_CORE_TYPES: &[&str] = &["NeuroML2CoreTypes.xml", "PyNN.xml", "Simulation.xml"];

/// Reads the root files and everything they include, each file once.
pub fn load(
    sources: &mut SourceMap,
    roots: &[PathBuf],
    opts: &LoadOptions,
) -> (Vec<Document>, Diagnostics) {
    let mut loader = Loader {
        sources,
        opts,
        docs: Vec::new(),
        diags: Diagnostics::new(),
        done: HashSet::new(),
        chain: Vec::new(),
    };
    for root in roots {
        loader.load_root(root);
    }
    (loader.docs, loader.diags)
}

/// A file's identity: its canonical path, or the name of a built-in file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum FileKey {
    Disk(PathBuf),
    Builtin(String),
}

/// Where an include was found.
enum Found {
    /// Canonical path, and the path as found (shown in diagnostics).
    Disk(PathBuf, PathBuf),
    Builtin(String, &'static str),
}

impl Found {
    fn key(&self) -> FileKey {
        match self {
            Found::Disk(p, _) => FileKey::Disk(p.clone()),
            Found::Builtin(name, _) => FileKey::Builtin(name.clone()),
        }
    }
}

struct Loader<'a> {
    sources: &'a mut SourceMap,
    opts: &'a LoadOptions,
    docs: Vec<Document>,
    diags: Diagnostics,
    /// Files already read (or being read).
    done: HashSet<FileKey>,
    /// The files being loaded, outermost first, with a short name for cycle messages.
    chain: Vec<(FileKey, String)>,
}

impl Loader<'_> {
    fn load_root(&mut self, path: &Path) {
        let found = match std::fs::canonicalize(path) {
            Ok(p) => Found::Disk(p, path.to_path_buf()),
            Err(e) => {
                self.diags.push(Diagnostic::error(format!(
                    "cannot read '{}': {e}",
                    path.display()
                )));
                return;
            }
        };
        if !self.done.insert(found.key()) {
            return;
        }
        let Some((file, root, kind)) = self.read(&found, None) else {
            return;
        };
        if kind == DocKind::NeuroML {
            self.load_core_types();
        }
        self.finish(found, file, root, kind);
    }

    /// NeuroML files use the core types without including them; read them first.
    fn load_core_types(&mut self) {
        for name in NEUROML_CORE_TYPES {
            let found = self
                .opts
                .include_dirs
                .iter()
                .map(|d| d.join(name))
                .find_map(on_disk)
                .or_else(|| builtin(name));
            match found {
                Some(found) => self.include(found, None),
                None => self.diags.push(Diagnostic::error(format!(
                    "cannot find {name}, which NeuroML documents need"
                ))),
            }
        }
    }

    /// Loads a found include (and what it includes) unless it was read already.
    /// `at` is the include's attribute value, for cycle errors.
    fn include(&mut self, found: Found, at: Option<Span>) {
        if self.chain.len() >= MAX_INCLUDE_DEPTH {
            let message = format!(
                "includes are nested more than {MAX_INCLUDE_DEPTH} deep; the chain starts at {}",
                self.chain.first().map_or("?", |c| c.1.as_str())
            );
            self.diags.push(match at {
                Some(span) => Diagnostic::at(span, message),
                None => Diagnostic::error(message),
            });
            return;
        }
        let key = found.key();
        if let Some(pos) = self.chain.iter().position(|(k, _)| *k == key) {
            let mut names: Vec<&str> = self.chain[pos..].iter().map(|(_, n)| n.as_str()).collect();
            names.push(&self.chain[pos].1);
            let message = format!("circular include: {}", names.join(" -> "));
            let diag = match at {
                Some(span) => Diagnostic::at(span, message),
                None => Diagnostic::error(message),
            };
            self.diags.push(diag);
            return;
        }
        if !self.done.insert(key) {
            return;
        }
        if let Some((file, root, kind)) = self.read(&found, at) {
            self.finish(found, file, root, kind);
        }
    }

    /// Loads a file's includes, then records the file itself.
    fn finish(&mut self, found: Found, file: FileId, root: Element, kind: DocKind) {
        let key = found.key();
        let short = short_name(&found);
        self.chain.push((key, short));
        for child in &root.children {
            let target = match (kind, child.name.as_str()) {
                (DocKind::Lems, "Include") => Some("file"),
                (DocKind::NeuroML, "include") => Some("href"),
                _ => None,
            };
            let Some(attr_name) = target else { continue };
            // `<xi:include>` (XInclude) is another language's element, not a model include.
            let prefix = element_prefix(self.sources, file, child);
            if prefix != element_prefix(self.sources, file, &root) {
                self.diags.push(
                    Diagnostic::at(
                        child.name_span,
                        format!(
                            "<{}:{}> is not a {} include; lemsc does not process it",
                            prefix.unwrap_or(""),
                            child.name,
                            if kind == DocKind::Lems {
                                "LEMS"
                            } else {
                                "NeuroML"
                            }
                        ),
                    )
                    .with_note(format!(
                        "include a file with <{}{attr_name}=\"...\"/>",
                        if kind == DocKind::Lems {
                            "Include "
                        } else {
                            "include "
                        }
                    )),
                );
                continue;
            }
            // `<include segmentGroup=...>` belongs inside <segmentGroup>; not a file include.
            if kind == DocKind::NeuroML && child.attr("segmentGroup").is_some() {
                continue;
            }
            // jLEMS reads `file` and `href` alike on both elements; exporters write
            // `<include file=...>` in NeuroML documents.
            let other_name = if attr_name == "file" { "href" } else { "file" };
            let other = child
                .attr(other_name)
                .filter(|_| child.attr(attr_name).is_none());
            if let Some(other) = other {
                self.diags.push(
                    Diagnostic::lenient(
                        "include-attribute",
                        format!(
                            "<{}> names its file with {other_name}=; {attr_name}= is the \
                             attribute this element declares",
                            child.name
                        ),
                    )
                    .with_span(other.name_span, ""),
                );
            }
            let Some(attr) = child.attr(attr_name).or(other) else {
                self.diags.push(Diagnostic::at(
                    child.name_span,
                    format!(
                        "<{}> needs a {attr_name}=\"...\" attribute naming the file to include",
                        child.name
                    ),
                ));
                continue;
            };
            match self.resolve(&attr.value, &found) {
                Ok(inc) => self.include(inc, Some(attr.value_span)),
                Err(looked) => self.diags.push(
                    Diagnostic::at(
                        attr.value_span,
                        format!("cannot find included file '{}'", attr.value),
                    )
                    .with_note(format!("looked in: {}", looked.join(", "))),
                ),
            }
        }
        self.chain.pop();
        let builtin = matches!(found, Found::Builtin(..));
        self.docs.push(Document {
            file,
            kind,
            root,
            builtin,
        });
    }

    /// Finds an include's file, or lists where it looked.
    /// Built-in files look only in the `-I` folders and among the built-ins.
    fn resolve(&self, name: &str, from: &Found) -> Result<Found, Vec<String>> {
        let mut looked = Vec::new();
        let mut candidates = Vec::new();
        if let Found::Disk(_, shown) = from {
            let folder = shown.parent().unwrap_or(Path::new(""));
            candidates.push(folder.join(name));
        }
        candidates.extend(self.opts.include_dirs.iter().map(|d| d.join(name)));
        for c in candidates {
            let shown = c.display().to_string();
            if let Some(found) = on_disk(c) {
                return Ok(found);
            }
            looked.push(shown);
        }
        let file_name = Path::new(name.strip_prefix("NeuroML2CoreTypes/").unwrap_or(name))
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(name);
        builtin(file_name).ok_or_else(|| {
            looked.push("the built-in definitions".to_owned());
            looked
        })
    }

    /// Reads and parses one file, registering it in the source map, and checks its root.
    fn read(&mut self, found: &Found, at: Option<Span>) -> Option<(FileId, Element, DocKind)> {
        let file = match found {
            Found::Builtin(name, text) => {
                let shown = format!("{BUILTIN_PREFIX}/{name}");
                self.sources
                    .add(PathBuf::from(&shown), shown, (*text).to_owned())
            }
            Found::Disk(canonical, path) if hdf5::is_hdf5_file(canonical) => {
                let display = path.display().to_string();
                let (file, root) =
                    hdf5::load(self.sources, canonical, &display, at, &mut self.diags)?;
                return Some((file, root, DocKind::NeuroML));
            }
            Found::Disk(canonical, path) => {
                let bytes = match read_limited(canonical) {
                    Ok(b) => b,
                    Err(e) => {
                        let message = format!("cannot read '{}': {e}", path.display());
                        self.diags.push(match at {
                            Some(span) => Diagnostic::at(span, message),
                            None => Diagnostic::error(message),
                        });
                        return None;
                    }
                };
                let display = path.display().to_string();
                // An include of something that is not XML at all (`/etc/passwd`, a binary) is
                // refused at the include: its lines are not quoted.
                if let (Some(span), false) = (at, looks_like_xml(&bytes)) {
                    self.diags.push(
                        Diagnostic::at(
                            span,
                            format!("included file '{display}' is not an XML file"),
                        )
                        .with_note(
                            "expected a LEMS or NeuroML document, which starts with '<' (an \
                             XML declaration, a comment or the root element)",
                        ),
                    );
                    return None;
                }
                match decode_utf8(&bytes) {
                    Ok(text) => self.sources.add(canonical.clone(), display, text),
                    Err(bad) => {
                        let text = String::from_utf8_lossy(&bytes).into_owned();
                        let file = self.sources.add(canonical.clone(), display, text);
                        self.diags.push(Diagnostic::at(
                            // The bad byte shows as U+FFFD (3 bytes) in the stored text.
                            Span::new(file, bad, bad + '\u{fffd}'.len_utf8()),
                            format!(
                                "invalid utf-8: found byte 0x{:02x}, expected UTF-8 encoded text",
                                bytes[bad]
                            ),
                        ));
                        return None;
                    }
                }
            }
        };
        match parse_element_tree(self.sources, file) {
            Ok(root) => {
                let kind = self.root_kind(&root, at)?;
                Some((file, root, kind))
            }
            Err(d) => {
                self.diags.push(match at {
                    Some(span) => d.with_secondary(span, "included here"),
                    None => d,
                });
                None
            }
        }
    }

    /// Checks the root element's name.
    fn root_kind(&mut self, root: &Element, at: Option<Span>) -> Option<DocKind> {
        match root.name.as_str() {
            "Lems" => Some(DocKind::Lems),
            "neuroml" => Some(DocKind::NeuroML),
            other => {
                let mut d = Diagnostic::at(
                    root.name_span,
                    format!("expected <Lems> or <neuroml> as the root element, found <{other}>"),
                );
                if other.eq_ignore_ascii_case("lems") || other.eq_ignore_ascii_case("neuroml") {
                    d = d.with_note("element names are case-sensitive");
                }
                if let Some(span) = at {
                    d = d.with_secondary(span, "included here");
                }
                self.diags.push(d);
                None
            }
        }
    }
}

/// A file's bytes, refusing anything but a regular file of at most [`MAX_FILE_BYTES`]; the
/// read itself stops there too, as a special file may say it is empty and never end.
fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(Error::new(ErrorKind::InvalidInput, "not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidData,
            format!("larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    Ok(bytes)
}

/// Whether a file's first non-blank character (after a byte-order mark) is '<'.
fn looks_like_xml(bytes: &[u8]) -> bool {
    let text = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    text.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}

/// The namespace prefix an element was written with (`xi` of `<xi:include>`), if any.
fn element_prefix<'s>(sources: &'s SourceMap, file: FileId, el: &Element) -> Option<&'s str> {
    let text = &sources.file(file).text;
    let before = text.get(..el.name_span.start as usize)?;
    let prefixed = before.strip_suffix(':')?;
    let start = prefixed.rfind('<')? + 1;
    Some(&prefixed[start..])
}

/// A file that exists, with its canonical path.
fn on_disk(path: PathBuf) -> Option<Found> {
    if !path.is_file() {
        return None;
    }
    let canonical = std::fs::canonicalize(&path).ok()?;
    Some(Found::Disk(canonical, path))
}

fn builtin(name: &str) -> Option<Found> {
    lems_defs::get(name).map(|text| Found::Builtin(name.to_owned(), text))
}

/// The file name alone, as cycle messages show it.
fn short_name(found: &Found) -> String {
    match found {
        Found::Builtin(name, _) => name.clone(),
        Found::Disk(p, _) => p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.display().to_string()),
    }
}
