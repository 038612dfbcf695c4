//! XML text to an [`Element`] tree with the byte span of every name, value and text run.
//!
//! quick-xml splits the input into tags, text and markup; attribute lists are scanned here so
//! that every attribute name and value gets its exact span and a precise error. The tree is
//! built with an explicit stack (no recursion), and nesting is capped so that later recursive
//! passes (and dropping the tree) cannot overflow the stack.
//!
//! Deliberately refused: DTDs (`<!DOCTYPE`, which also refuses entity-expansion bombs before
//! any expansion), entity references other than the five XML built-ins and numeric character
//! references, control characters, and anything but one root element.

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::diag::{Diagnostic, FileId, SourceMap, Span};
use crate::front::syntax::{Attr, Element};

/// Deepest element nesting accepted. Real LEMS/NeuroML files nest fewer than 20 levels.
pub const MAX_DEPTH: usize = 1000;

/// Decodes UTF-8, or gives the byte offset of the first byte that is not valid UTF-8.
pub fn decode_utf8(bytes: &[u8]) -> Result<String, usize> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(e.valid_up_to()),
    }
}

/// Parses one file of the source map into its root element.
pub fn parse_element_tree(sources: &SourceMap, file: FileId) -> Result<Element, Diagnostic> {
    let text = &sources.file(file).text;
    TreeBuilder { text, file }.build()
}

struct TreeBuilder<'a> {
    text: &'a str,
    file: FileId,
}

/// What has been seen at the top level, outside any element.
enum TopLevel {
    BeforeRoot,
    /// The root is closed; holds its name span for "first root here" labels.
    AfterRoot(Span, String),
}

impl<'a> TreeBuilder<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, start, end)
    }

    fn build(&self) -> Result<Element, Diagnostic> {
        self.refuse_control_characters()?;
        // A byte-order mark is allowed before the document; offsets stay those of the file.
        let base = if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        };
        // quick-xml would skip a second mark without counting it, shifting every offset; it is
        // not well-formed XML anyway (nothing may stand before the prolog).
        if self.text[base..].starts_with('\u{feff}') {
            return Err(Diagnostic::at(
                self.span(base, base + 3),
                "found a second byte-order mark; expected the document to start",
            ));
        }
        let mut reader = Reader::from_str(&self.text[base..]);
        let config = reader.config_mut();
        // End tags are matched here, so that the error can name and point at both tags.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.trim_text(false);

        let mut open: Vec<Element> = Vec::new();
        let mut top = TopLevel::BeforeRoot;
        let mut root: Option<Element> = None;
        loop {
            let start = base + reader.buffer_position() as usize;
            let event = match reader.read_event() {
                Ok(ev) => ev,
                Err(err) => {
                    let at = base + reader.error_position() as usize;
                    return Err(self.syntax_error(&err, at));
                }
            };
            let end = base + reader.buffer_position() as usize;
            match event {
                Event::Start(_) | Event::Empty(_) => {
                    let self_closing = matches!(event, Event::Empty(_));
                    if let TopLevel::AfterRoot(first, name) = &top {
                        let el_name = self.tag_name(start + 1, end);
                        return Err(Diagnostic::at(
                            self.span(start + 1, start + 1 + el_name.len()),
                            format!(
                                "found a second root element <{el_name}>; expected the end of \
                                 the file after </{name}>"
                            ),
                        )
                        .with_secondary(*first, "the root element")
                        .with_note("a file has exactly one root element"));
                    }
                    if open.len() >= MAX_DEPTH {
                        return Err(Diagnostic::at(
                            self.span(start, end),
                            format!("elements are nested more than {MAX_DEPTH} levels deep"),
                        )
                        .with_note("LEMS and NeuroML files never need such deep nesting"));
                    }
                    let inner_end = if self_closing { end - 2 } else { end - 1 };
                    let mut el = self.start_tag(start, start + 1, inner_end)?;
                    el.span = self.span(start, end);
                    if self_closing {
                        self.close(el, &mut open, &mut root, &mut top);
                    } else {
                        open.push(el);
                    }
                }
                Event::End(_) => {
                    let name_start = start + 2;
                    let found = self.tag_name(name_start, end - 1);
                    let found_span = self.span(name_start, name_start + found.len());
                    let Some(mut el) = open.pop() else {
                        return Err(Diagnostic::at(
                            found_span,
                            format!("found end tag </{found}> with no matching start tag"),
                        ));
                    };
                    let expected = self.qualified_name(&el);
                    if found != expected {
                        return Err(Diagnostic::at(
                            found_span,
                            format!("mismatched end tag: found </{found}>, expected </{expected}>"),
                        )
                        .with_secondary(el.name_span, format!("<{expected}> starts here")));
                    }
                    el.span = self.span(el.span.start as usize, end);
                    self.close(el, &mut open, &mut root, &mut top);
                }
                Event::Text(_) => {
                    let raw = &self.text[start..end];
                    let value = self.unescape(raw, start)?;
                    match open.last_mut() {
                        Some(parent) => self.add_text(parent, &value, self.span(start, end)),
                        None => self.refuse_top_level_text(raw, start, &top)?,
                    }
                }
                Event::CData(c) => {
                    let content = std::str::from_utf8(&c).unwrap_or_default();
                    // `<![CDATA[` is 9 bytes.
                    let span = self.span(start + 9, start + 9 + content.len());
                    match open.last_mut() {
                        Some(parent) => self.add_text(parent, content, span),
                        None => self.refuse_top_level_text("CDATA", start, &top)?,
                    }
                }
                Event::DocType(_) => {
                    return Err(Diagnostic::at(
                        self.span(start, start + 9.min(end - start)),
                        "found a <!DOCTYPE declaration; DTDs are not supported",
                    )
                    .with_note(
                        "remove the DOCTYPE (and any entities it declares); LEMS and NeuroML \
                         files do not need one",
                    ));
                }
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if let Some(unclosed) = open.pop() {
            let name = self.qualified_name(&unclosed);
            return Err(Diagnostic::at(
                unclosed.name_span,
                format!("element <{name}> is never closed"),
            )
            .with_note(format!("expected </{name}> before the end of the file")));
        }
        root.ok_or_else(|| {
            let what = if self.text[base..].trim().is_empty() {
                "found an empty file"
            } else {
                "found no element"
            };
            Diagnostic::at(
                self.span(self.text.len(), self.text.len()),
                format!("expected a root element such as <Lems> or <neuroml>, {what}"),
            )
        })
    }

    /// Attaches a finished element to its parent, or makes it the root.
    fn close(
        &self,
        el: Element,
        open: &mut [Element],
        root: &mut Option<Element>,
        top: &mut TopLevel,
    ) {
        match open.last_mut() {
            Some(parent) => parent.children.push(el),
            None => {
                *top = TopLevel::AfterRoot(el.name_span, self.qualified_name(&el).to_owned());
                *root = Some(el);
            }
        }
    }

    /// The name as written in the source, prefix included (the tree keeps the local name).
    fn qualified_name(&self, el: &Element) -> &'a str {
        let text = self.text;
        let name_end = el.name_span.end as usize;
        let tag_start = text[..el.name_span.start as usize]
            .rfind('<')
            .map_or(0, |i| i + 1);
        &text[tag_start..name_end]
    }

    /// The tag name starting at `from`, up to whitespace, `/`, `>` or `to`.
    fn tag_name(&self, from: usize, to: usize) -> &'a str {
        let s = &self.text[from..to.max(from)];
        let len = s
            .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .unwrap_or(s.len());
        &s[..len]
    }

    /// Reads the name and attributes of a start tag whose content is `from..to`.
    fn start_tag(&self, lt: usize, from: usize, to: usize) -> Result<Element, Diagnostic> {
        let qname = self.tag_name(from, to);
        if qname.is_empty() {
            return Err(Diagnostic::at(
                self.span(lt, lt + 1),
                "expected an element name after '<'",
            ));
        }
        // Keep the local name: `nml:neuroml` is read as `neuroml`.
        let local_offset = qname.rfind(':').map_or(0, |i| i + 1);
        let name_start = from + local_offset;
        let mut el = Element {
            name: qname[local_offset..].to_owned(),
            name_span: self.span(name_start, from + qname.len()),
            span: self.span(lt, to),
            attrs: Vec::new(),
            children: Vec::new(),
            text: String::new(),
            text_span: None,
        };
        self.attributes(&mut el, from + qname.len(), to)?;
        Ok(el)
    }

    /// Scans `name="value"` pairs in `from..to` into `el.attrs`.
    fn attributes(&self, el: &mut Element, from: usize, to: usize) -> Result<(), Diagnostic> {
        let bytes = self.text.as_bytes();
        let mut pos = from;
        // Names seen so far, by position in `el.attrs`: a hash set keeps a tag with tens of
        // thousands of attributes linear.
        let mut seen: HashMap<&'a str, usize> = HashMap::new();
        loop {
            let ws_start = pos;
            while pos < to && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos >= to {
                return Ok(());
            }
            let name_start = pos;
            while pos < to && !bytes[pos].is_ascii_whitespace() && !b"=\"'<>".contains(&bytes[pos])
            {
                pos += 1;
            }
            if pos == name_start {
                return Err(self.attr_error(
                    name_start,
                    to,
                    format!("expected an attribute name in <{}>", el.name),
                ));
            }
            let name = &self.text[name_start..pos];
            let name_span = self.span(name_start, pos);
            if ws_start == name_start {
                return Err(Diagnostic::at(
                    name_span,
                    format!("expected whitespace before attribute '{name}'"),
                ));
            }
            while pos < to && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos >= to || bytes[pos] != b'=' {
                return Err(Diagnostic::at(
                    name_span,
                    format!("attribute '{name}' has no value: expected '=' and a quoted value"),
                ));
            }
            pos += 1;
            while pos < to && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            let quote = if pos < to { bytes[pos] } else { 0 };
            if quote != b'"' && quote != b'\'' {
                return Err(self.attr_error(
                    pos,
                    to,
                    format!("expected a quoted value for attribute '{name}'"),
                ));
            }
            let value_start = pos + 1;
            let Some(len) = self.text[value_start..to].find(quote as char) else {
                return Err(Diagnostic::at(
                    self.span(pos, to),
                    format!("the value of attribute '{name}' has no closing quote"),
                ));
            };
            let value_end = value_start + len;
            let raw = &self.text[value_start..value_end];
            if let Some(i) = raw.find('<') {
                return Err(Diagnostic::at(
                    self.span(value_start + i, value_start + i + 1),
                    format!("found '<' in the value of attribute '{name}'; write &lt; instead"),
                ));
            }
            if let Some(&first) = seen.get(name) {
                return Err(Diagnostic::at(
                    name_span,
                    format!("duplicate attribute '{name}' in <{}>", el.name),
                )
                .with_secondary(el.attrs[first].name_span, "first given here"));
            }
            seen.insert(name, el.attrs.len());
            // XML attribute-value normalisation: literal tabs and line breaks read as spaces.
            let value = self
                .unescape(raw, value_start)?
                .replace(['\t', '\n', '\r'], " ");
            el.attrs.push(Attr {
                name: name.to_owned(),
                name_span,
                value,
                value_span: self.span(value_start, value_end),
            });
            pos = value_end + 1;
        }
    }

    /// An error pointing at the token found at `at`, quoting it.
    fn attr_error(&self, at: usize, to: usize, expected: String) -> Diagnostic {
        let rest = &self.text[at..to];
        let len = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        let found = if len == 0 {
            "the end of the tag".to_owned()
        } else {
            format!("'{}'", &rest[..len])
        };
        Diagnostic::at(
            self.span(at, at + len),
            format!("{expected}, found {found}"),
        )
    }

    /// Replaces entity and character references in text that starts at byte `at`.
    fn unescape(&self, raw: &str, at: usize) -> Result<String, Diagnostic> {
        if !raw.contains('&') {
            return Ok(raw.to_owned());
        }
        let mut out = String::with_capacity(raw.len());
        let mut rest = raw;
        while let Some(amp) = rest.find('&') {
            out.push_str(&rest[..amp]);
            let from = at + (raw.len() - rest.len()) + amp;
            let after = &rest[amp + 1..];
            let semi = after
                .find(|c: char| c == ';' || c.is_whitespace() || c == '&' || c == '<')
                .filter(|&i| after.as_bytes()[i] == b';');
            let Some(semi) = semi else {
                return Err(Diagnostic::at(
                    self.span(from, from + 1),
                    "found '&' that does not start an entity reference; write &amp; for a \
                     literal ampersand",
                ));
            };
            let name = &after[..semi];
            let span = self.span(from, from + semi + 2);
            out.push(self.resolve_entity(name, span)?);
            rest = &after[semi + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    fn resolve_entity(&self, name: &str, span: Span) -> Result<char, Diagnostic> {
        let builtin = match name {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "apos" => Some('\''),
            "quot" => Some('"'),
            _ => None,
        };
        if let Some(c) = builtin {
            return Ok(c);
        }
        if let Some(number) = name.strip_prefix('#') {
            let code = match number.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => number.parse::<u32>().ok(),
            };
            return code
                .and_then(char::from_u32)
                .filter(|&c| is_xml_char(c))
                .ok_or_else(|| {
                    Diagnostic::at(
                        span,
                        format!("'&{name};' is not a valid character reference"),
                    )
                });
        }
        Err(
            Diagnostic::at(span, format!("unknown entity reference '&{name};'")).with_note(
                "expected one of &lt; &gt; &amp; &apos; &quot; or a character reference such as \
             &#955; (DTD entities are not supported)",
            ),
        )
    }

    /// Appends a text run; `text_span` is the first run, or the first non-blank one once any
    /// run has content.
    fn add_text(&self, parent: &mut Element, value: &str, span: Span) {
        parent.text.push_str(value);
        let earlier_blank = match parent.text_span {
            None => true,
            Some(first) => self.text[first.start as usize..first.end as usize]
                .trim()
                .is_empty(),
        };
        if parent.text_span.is_none() || (earlier_blank && !value.trim().is_empty()) {
            parent.text_span = Some(span);
        }
    }

    /// Text outside the root element may only be whitespace.
    fn refuse_top_level_text(
        &self,
        raw: &str,
        at: usize,
        top: &TopLevel,
    ) -> Result<(), Diagnostic> {
        let Some(offset) = raw.find(|c: char| !c.is_whitespace()) else {
            return Ok(());
        };
        let start = at + offset;
        let shown = raw[offset..].trim_end();
        let len = shown.char_indices().nth(40).map_or(shown.len(), |(i, _)| i);
        let span = self.span(start, start + len);
        Err(match top {
            TopLevel::BeforeRoot => Diagnostic::at(
                span,
                "expected a root element such as <Lems> or <neuroml>, found text",
            ),
            TopLevel::AfterRoot(first, name) => Diagnostic::at(
                span,
                format!("found text after the root element; expected the end of the file after </{name}>"),
            )
            .with_secondary(*first, "the root element"),
        })
    }

    /// NUL and other control bytes mean a binary or corrupt file; refuse before parsing.
    fn refuse_control_characters(&self) -> Result<(), Diagnostic> {
        let bad = self
            .text
            .char_indices()
            .find(|&(_, c)| !is_xml_char(c) && c != '\u{feff}');
        match bad {
            None => Ok(()),
            Some((i, c)) => Err(Diagnostic::at(
                self.span(i, i + c.len_utf8()),
                format!(
                    "found control character U+{:04X}; expected XML text (is this a binary file?)",
                    c as u32
                ),
            )),
        }
    }

    fn syntax_error(&self, err: &quick_xml::Error, at: usize) -> Diagnostic {
        use quick_xml::errors::SyntaxError;
        let at = at.min(self.text.len());
        let message = match err {
            quick_xml::Error::Syntax(SyntaxError::UnclosedTag) => {
                "tag is not closed: expected '>' before the end of the file".to_owned()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedComment) => {
                "comment is not closed: expected '-->' before the end of the file".to_owned()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedCData) => {
                "CDATA section is not closed: expected ']]>' before the end of the file".to_owned()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedDoctype) => {
                "found a <!DOCTYPE declaration; DTDs are not supported".to_owned()
            }
            quick_xml::Error::Syntax(SyntaxError::UnclosedPIOrXmlDecl) => {
                "processing instruction is not closed: expected '?>' before the end of the file"
                    .to_owned()
            }
            quick_xml::Error::Syntax(SyntaxError::InvalidBangMarkup) => {
                "expected a comment '<!--', CDATA '<![CDATA[' after '<!'".to_owned()
            }
            other => format!("malformed XML: {other}"),
        };
        let width = self.text[at..].chars().next().map_or(0, char::len_utf8);
        Diagnostic::at(self.span(at, at + width), message)
    }
}

/// Characters allowed in an XML 1.0 document.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}'
}
