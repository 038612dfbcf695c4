//! Diagnostics as JSON (`--message-format json`), one object per diagnostic, in the shape
//! cargo prints for `cargo build --message-format json`: editors and CI annotators that read
//! cargo's messages read lemsc's too.
//!
//! ```json
//! {"reason": "compiler-message",
//!  "message": {"message": "...", "code": {"code": "child-type", "explanation": null} | null,
//!              "level": "error" | "warning", "spans": [...], "children": [notes], "rendered": "..."}}
//! ```
//!
//! `code` is the leniency rule of a warning (`docs/leniency.md`), `null` for other
//! diagnostics. Lines and columns are 1-based, columns counted in characters, as in the
//! human format.

use serde_json::{json, Value};

use crate::diag::{render, Diagnostic, Severity, SourceMap, Span};

/// One diagnostic as the line cargo would print for it (no trailing newline).
pub fn message_line(sources: &SourceMap, diag: &Diagnostic) -> String {
    compiler_message(diagnostic(sources, diag)).to_string()
}

/// An error that has no place in a source file (a missing file, a failed run), as a line.
pub fn plain_error_line(message: &str) -> String {
    compiler_message(json!({
        "message": message,
        "code": null,
        "level": "error",
        "spans": [],
        "children": [],
        "rendered": format!("error: {message}\n"),
    }))
    .to_string()
}

fn compiler_message(message: Value) -> Value {
    json!({ "reason": "compiler-message", "message": message })
}

/// The `message` object of one diagnostic.
pub fn diagnostic(sources: &SourceMap, diag: &Diagnostic) -> Value {
    let mut spans = Vec::new();
    if let Some((span, label)) = &diag.primary {
        spans.push(span_json(sources, *span, label, true));
    }
    for (span, label) in &diag.secondary {
        spans.push(span_json(sources, *span, label, false));
    }
    let mut notes: Vec<Value> = diag.notes.iter().map(|n| note(n)).collect();
    if let (Some(rule), Severity::Warning) = (diag.leniency, diag.severity) {
        notes.push(note(&format!(
            "accepted as jNeuroML accepts it ({rule}, docs/leniency.md); --strict refuses it"
        )));
    }
    let code = match diag.leniency {
        Some(rule) => json!({ "code": rule, "explanation": null }),
        None => Value::Null,
    };
    json!({
        "message": diag.message,
        "code": code,
        "level": level(diag.severity),
        "spans": spans,
        "children": notes,
        "rendered": render(sources, std::slice::from_ref(diag), false),
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn note(text: &str) -> Value {
    json!({
        "message": text,
        "code": null,
        "level": "note",
        "spans": [],
        "children": [],
        "rendered": null,
    })
}

/// A span with its lines and columns and the text of every line it covers, the covered part
/// marked by `highlight_start`/`highlight_end` (1-based character columns, end exclusive).
fn span_json(sources: &SourceMap, span: Span, label: &str, is_primary: bool) -> Value {
    let file = sources.file(span.file);
    let (line_start, column_start) = sources.line_col(span);
    let end = Span {
        start: span.end,
        ..span
    };
    let (line_end, column_end) = sources.line_col(end);
    let lines: Vec<&str> = file.text.lines().collect();
    let text: Vec<Value> = (line_start..=line_end)
        .filter_map(|n| lines.get(n - 1).map(|l| (n, *l)))
        .map(|(n, line)| {
            let from = if n == line_start { column_start } else { 1 };
            let to = if n == line_end {
                column_end
            } else {
                line.chars().count() + 1
            };
            json!({ "text": line, "highlight_start": from, "highlight_end": to })
        })
        .collect();
    json!({
        "file_name": file.display,
        "byte_start": span.start,
        "byte_end": span.end,
        "line_start": line_start,
        "line_end": line_end,
        "column_start": column_start,
        "column_end": column_end,
        "is_primary": is_primary,
        "text": text,
        "label": if label.is_empty() { Value::Null } else { json!(label) },
        "suggested_replacement": null,
        "suggestion_applicability": null,
        "expansion": null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn sources() -> (SourceMap, Span) {
        let mut map = SourceMap::new();
        let text = "<Lems>\n  <pulse delay=\"10mV\"/>\n</Lems>\n".to_string();
        let file = map.add(PathBuf::from("m.xml"), "m.xml".to_string(), text);
        // `10mV` on line 2.
        (map, Span::new(file, 23, 27))
    }

    #[test]
    fn an_error_has_its_file_line_columns_and_the_line_it_covers() {
        let (map, span) = sources();
        let d = Diagnostic::error("expected a time")
            .with_span(span, "a voltage")
            .with_note("known units of time: ms, s");
        let v: Value = serde_json::from_str(&message_line(&map, &d)).unwrap();
        assert_eq!(v["reason"], "compiler-message");
        let m = &v["message"];
        assert_eq!(m["level"], "error");
        assert_eq!(m["code"], Value::Null);
        let s = &m["spans"][0];
        assert_eq!(s["file_name"], "m.xml");
        assert_eq!(
            (s["line_start"].as_u64(), s["line_end"].as_u64()),
            (Some(2), Some(2))
        );
        assert_eq!(s["column_start"], 17);
        assert_eq!(s["column_end"], 21);
        assert_eq!(s["label"], "a voltage");
        assert_eq!(s["text"][0]["text"], "  <pulse delay=\"10mV\"/>");
        assert_eq!(m["children"][0]["level"], "note");
        assert!(m["rendered"].as_str().unwrap().contains("m.xml:2:17"));
    }

    #[test]
    fn a_lenient_warning_carries_its_rule_as_code() {
        let (map, span) = sources();
        let d = Diagnostic::lenient("unused-attribute", "unknown attribute").with_span(span, "");
        let v = diagnostic(&map, &d);
        assert_eq!(v["level"], "warning");
        assert_eq!(v["code"]["code"], "unused-attribute");
        assert_eq!(v["spans"][0]["label"], Value::Null);
    }

    #[test]
    fn an_error_without_a_place_has_no_spans() {
        let v: Value = serde_json::from_str(&plain_error_line("cannot read 'x.xml'")).unwrap();
        assert_eq!(v["message"]["spans"].as_array().map(Vec::len), Some(0));
        assert_eq!(v["message"]["level"], "error");
    }
}
