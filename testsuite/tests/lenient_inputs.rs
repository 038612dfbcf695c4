//! The corpus of models in `testsuite/lenient/` that jLEMS runs although they bend a rule:
//! lemsc must accept each one with the warning its rule of `docs/leniency.md` gives, run it
//! when it has a Simulation, and refuse it under `--strict`.
//!
//! `EXPECTATIONS` has one case a line: `CASE  FILE:LINE  RULE  words | more words`, where CASE
//! is the file given to lemsc (relative to `lenient/`), FILE:LINE where the warning must point,
//! RULE the leniency rule it must carry, and each `|`-separated phrase must occur (ignoring
//! case) in its message, label or notes. A case written `CASE - -` must give no warning at all.

use std::path::{Path, PathBuf};

use lemsc::diag::{Diagnostic, SourceMap};
use lemsc::simulate::{run_file, RunOptions};
use lemsc::{check, CheckOptions, Checked};
use lemsc_testsuite::diagtext::{located_and_says, plain_lines};
use lemsc_testsuite::failures::assert_none_failed;

struct Case {
    input: String,
    /// Where the warning must point, and its rule; None for a case that must be clean.
    warning: Option<Warning>,
    /// Line of EXPECTATIONS, for messages.
    at: usize,
}

struct Warning {
    file: String,
    line: usize,
    rule: String,
    phrases: Vec<String>,
}

fn lenient_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("lenient")
}

fn cases() -> Vec<Case> {
    let text =
        std::fs::read_to_string(lenient_dir().join("EXPECTATIONS")).expect("lenient/EXPECTATIONS");
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let (input, location, rule) = match words.as_slice() {
            [input, location, rule, ..] => (*input, *location, *rule),
            _ => bad_line(i + 1),
        };
        let warning = if location == "-" {
            None
        } else {
            let (file, line_no) = location.rsplit_once(':').unwrap_or_else(|| bad_line(i + 1));
            // The phrases are what follows the rule on the line.
            let rest = &line[line.find(rule).unwrap_or(0) + rule.len()..];
            Some(Warning {
                file: file.to_string(),
                line: line_no.parse().unwrap_or_else(|_| bad_line(i + 1)),
                rule: rule.to_string(),
                phrases: rest
                    .split('|')
                    .map(|p| p.trim().to_lowercase())
                    .filter(|p| !p.is_empty())
                    .collect(),
            })
        };
        cases.push(Case {
            input: input.to_string(),
            warning,
            at: i + 1,
        });
    }
    cases
}

fn bad_line(line: usize) -> ! {
    panic!("EXPECTATIONS:{line}: expected CASE FILE:LINE RULE phrases")
}

/// Does `d` point at the warning's place, carry its rule and say every phrase?
fn matches(sources: &SourceMap, d: &Diagnostic, w: &Warning) -> bool {
    d.leniency == Some(w.rule.as_str()) && located_and_says(sources, d, &w.file, w.line, &w.phrases)
}

fn listed(checked: &Checked) -> String {
    plain_lines(&checked.sources, &checked.diagnostics.list).join("\n    ")
}

/// What is wrong with one case, if anything.
fn judge(case: &Case) -> Result<(), String> {
    let path = lenient_dir().join(&case.input);
    if !path.is_file() {
        return Err(format!(
            "EXPECTATIONS:{}: no file {}",
            case.at,
            path.display()
        ));
    }
    let lenient = check(std::slice::from_ref(&path), &CheckOptions::default());
    if !lenient.ok() {
        return Err(format!("refused:\n    {}", listed(&lenient)));
    }
    let strict = check(
        std::slice::from_ref(&path),
        &CheckOptions {
            strict: true,
            ..CheckOptions::default()
        },
    );
    match &case.warning {
        None if !lenient.diagnostics.list.is_empty() => {
            return Err(format!(
                "expected no warning, got:\n    {}",
                listed(&lenient)
            ));
        }
        None if !strict.ok() => {
            return Err(format!("refused under --strict:\n    {}", listed(&strict)));
        }
        None => {}
        Some(w) => {
            if !lenient
                .diagnostics
                .list
                .iter()
                .any(|d| !d.is_error() && matches(&lenient.sources, d, w))
            {
                return Err(format!(
                    "expected a {} warning at {}:{} saying {:?}; got:\n    {}",
                    w.rule,
                    w.file,
                    w.line,
                    w.phrases,
                    listed(&lenient)
                ));
            }
            if !strict
                .diagnostics
                .list
                .iter()
                .any(|d| d.is_error() && matches(&strict.sources, d, w))
            {
                return Err(format!(
                    "--strict must make the {} warning an error; got:\n    {}",
                    w.rule,
                    listed(&strict)
                ));
            }
        }
    }
    if lenient.ir.is_some() {
        run_it(&path, &case.input)?;
    }
    Ok(())
}

/// Runs a case natively into its own folder; every output file must have rows.
fn run_it(path: &Path, name: &str) -> Result<(), String> {
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("lenient")
        .join(name);
    let _ = std::fs::remove_dir_all(&out_dir);
    let opts = RunOptions {
        out_dir: Some(out_dir),
        ..RunOptions::default()
    };
    let outcome = run_file(path, &opts).map_err(|e| format!("the run failed: {}", e.summary()))?;
    if outcome.outputs.is_empty() {
        return Err("the run wrote no output file".into());
    }
    for file in &outcome.outputs {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        if text.lines().count() < 2 {
            return Err(format!("{} has fewer than two rows", file.display()));
        }
    }
    Ok(())
}

#[test]
fn every_lenient_input_runs_with_its_warning_and_fails_under_strict() {
    let cases = cases();
    assert!(cases.len() >= 10, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            judge(case)
                .err()
                .map(|why| format!("{}: {why}", case.input))
        })
        .collect();
    assert_none_failed("cases", &failures, cases.len(), &[]);
}
