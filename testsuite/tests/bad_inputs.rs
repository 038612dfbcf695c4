//! The corpus of bad inputs in `testsuite/bad/`: each must be refused with an error located at
//! the line `bad/EXPECTATIONS` names, whose text contains the words it lists.
//!
//! `EXPECTATIONS` has one case a line: `CASE  FILE:LINE  words | more words`, where CASE is the
//! file given to lemsc (relative to `bad/`), FILE the file name the error must point into and
//! LINE its line; each `|`-separated phrase must occur (ignoring case) in the error's message,
//! label or notes.

use std::path::{Path, PathBuf};

use lemsc::diag::{Diagnostic, PlainDiagnostic, SourceMap};
use lemsc::{check, CheckOptions};
use lemsc_testsuite::diagtext::located_and_says;

struct Case {
    input: String,
    file: String,
    line: usize,
    phrases: Vec<String>,
    /// Line of EXPECTATIONS, for messages.
    at: usize,
}

fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bad")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(bad_dir().join("EXPECTATIONS")).expect("bad/EXPECTATIONS");
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace).map(str::trim);
        let input = parts.next().unwrap().to_string();
        let rest = line[input.len()..].trim_start();
        let (location, phrases) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let (file, line_no) = location
            .rsplit_once(':')
            .unwrap_or_else(|| panic!("EXPECTATIONS:{}: expected FILE:LINE", i + 1));
        cases.push(Case {
            input,
            file: file.to_string(),
            line: line_no
                .parse()
                .unwrap_or_else(|_| panic!("EXPECTATIONS:{}: bad line", i + 1)),
            phrases: phrases
                .split('|')
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
            at: i + 1,
        });
    }
    cases
}

/// Does `d` point at `case.file:case.line` and say every phrase?
fn matches(sources: &SourceMap, d: &Diagnostic, case: &Case) -> bool {
    located_and_says(sources, d, &case.file, case.line, &case.phrases)
}

#[test]
fn every_bad_input_is_refused_where_expected() {
    let cases = cases();
    assert!(
        cases.len() >= 30,
        "the corpus must hold at least 30 cases, has {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let path = bad_dir().join(&case.input);
        assert!(
            path.is_file(),
            "EXPECTATIONS:{}: no file {}",
            case.at,
            path.display()
        );
        let checked = check(&[path], &CheckOptions::default());
        let errors: Vec<&Diagnostic> = checked
            .diagnostics
            .list
            .iter()
            .filter(|d| d.is_error())
            .collect();
        if checked.ok() || errors.is_empty() {
            failures.push(format!("{}: accepted, expected an error", case.input));
            continue;
        }
        // Rendering must work for every diagnostic (no panic on odd spans).
        let _ = lemsc::diag::render(&checked.sources, &checked.diagnostics.list, false);
        if !errors.iter().any(|d| matches(&checked.sources, d, case)) {
            let got: Vec<String> = errors
                .iter()
                .map(|d| {
                    PlainDiagnostic {
                        sources: &checked.sources,
                        diag: d,
                    }
                    .to_string()
                })
                .collect();
            failures.push(format!(
                "{}: expected an error at {}:{} saying {:?}; got:\n    {}",
                case.input,
                case.file,
                case.line,
                case.phrases,
                got.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
