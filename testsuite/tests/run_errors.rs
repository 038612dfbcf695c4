//! Models that check cleanly but fail while they run (`testsuite/bad/run/`): the run must
//! stop with an error located at the user's text that caused it (the component the failing
//! instance was made from, the line defining the variable as a secondary label), leave no
//! output file behind, and do so the same way in both engines.
//!
//! `bad/run/EXPECTATIONS` has one case a line: `CASE FILE:LINE phrases | ... [@ FILE[:LINE]]`,
//! as `bad/EXPECTATIONS`, plus after `@` where a secondary label must point.

use std::path::{Path, PathBuf};

use lemsc::diag::{Diagnostic, SourceMap};
use lemsc::simulate::{run_file, Engine, RunOptions, SimError};
use lemsc_testsuite::diagtext::located_and_says;

struct Case {
    input: String,
    file: String,
    line: usize,
    phrases: Vec<String>,
    secondary: Option<(String, Option<usize>)>,
}

fn run_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("bad/run")
}

fn file_line(text: &str) -> (String, Option<usize>) {
    match text.rsplit_once(':') {
        Some((file, line)) if line.parse::<usize>().is_ok() => {
            (file.to_string(), line.parse().ok())
        }
        _ => (text.to_string(), None),
    }
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(run_dir().join("EXPECTATIONS")).expect("EXPECTATIONS");
    let mut cases = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (main, secondary) = match line.split_once(" @ ") {
            Some((main, at)) => (main, Some(file_line(at.trim()))),
            None => (line, None),
        };
        let mut words = main.splitn(3, char::is_whitespace);
        let input = words.next().unwrap().to_string();
        let rest = main[input.len()..].trim_start();
        let (location, phrases) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let (file, line_no) = file_line(location);
        cases.push(Case {
            input,
            file,
            line: line_no.unwrap_or_else(|| panic!("{line}: expected FILE:LINE")),
            phrases: phrases
                .split('|')
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
            secondary,
        });
    }
    cases
}

/// Whether a secondary label of `d` points into `file` (at `line`, when given).
fn secondary_at(sources: &SourceMap, d: &Diagnostic, file: &str, line: Option<usize>) -> bool {
    d.secondary.iter().any(|(span, _)| {
        let shown = &sources.file(span.file).display;
        (shown == file || shown.ends_with(&format!("/{file}")))
            && line.map_or(true, |l| sources.line_col(*span).0 == l)
    })
}

/// Runs one case with `engine`; a description of what is wrong, if anything.
fn judge(case: &Case, engine: Engine) -> Option<String> {
    let out = std::env::temp_dir().join(format!(
        "lemsc-run-errors-{}-{}-{:?}",
        std::process::id(),
        case.input,
        engine
    ));
    let _ = std::fs::remove_dir_all(&out);
    let opts = RunOptions {
        out_dir: Some(out.clone()),
        engine,
        ..RunOptions::default()
    };
    let result = run_file(&run_dir().join(&case.input), &opts);
    let leftovers = std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&out);
    let (sources, diagnostics) = match result {
        Ok(_) => return Some("ran to the end, expected it to stop".into()),
        Err(SimError::Stopped {
            sources,
            diagnostics,
        }) => (sources, diagnostics),
        Err(other) => return Some(format!("expected a located run error, got: {other:?}")),
    };
    if leftovers > 0 {
        return Some(format!("left {leftovers} file(s) in the output folder"));
    }
    let Some(error) = diagnostics.iter().find(|d| d.is_error()) else {
        return Some("no error among the diagnostics".into());
    };
    if !located_and_says(&sources, error, &case.file, case.line, &case.phrases) {
        let shown = lemsc::diag::render(&sources, &diagnostics, false);
        return Some(format!(
            "expected an error at {}:{} saying {:?}; got:\n{shown}",
            case.file, case.line, case.phrases
        ));
    }
    if let Some((file, line)) = &case.secondary {
        if !secondary_at(&sources, error, file, *line) {
            let shown = lemsc::diag::render(&sources, &diagnostics, false);
            return Some(format!(
                "expected a secondary label at {file}:{line:?}; got:\n{shown}"
            ));
        }
    }
    None
}

#[test]
fn run_time_failures_are_located_in_the_model() {
    let cases = cases();
    assert!(cases.len() >= 4, "bad/run holds {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        for engine in [Engine::Native, Engine::Interpreter] {
            if let Some(problem) = judge(case, engine) {
                failures.push(format!("{} ({}): {problem}", case.input, engine.name()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
