//! `--message-format json`: every diagnostic of the human format comes out as one JSON line
//! on stderr, at the same file, line and column, with the same level; warnings of a
//! leniency rule carry the rule as `code`. Inputs: the corpora of `testsuite/bad` and
//! `testsuite/lenient`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../testsuite")
        .join(name)
}

fn lemsc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lemsc"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run lemsc")
}

/// (level, "file:line:column") of each diagnostic the human format printed.
fn human_diagnostics(stderr: &str) -> Vec<(String, Option<String>)> {
    let mut found: Vec<(String, Option<String>)> = Vec::new();
    for line in stderr.lines() {
        if let Some(level) = ["error", "warning"]
            .into_iter()
            .find(|l| line.starts_with(&format!("{l}:")))
        {
            found.push((level.to_string(), None));
        } else if let Some(place) = line.trim_start().strip_prefix("┌─ ") {
            if let Some(last) = found.last_mut().filter(|(_, p)| p.is_none()) {
                last.1 = Some(place.trim().to_string());
            }
        }
    }
    found
}

/// Every line of stderr parsed as a JSON object: anything else fails the test.
fn json_messages(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"))
        })
        .collect()
}

/// (level, "file:line:column") of a JSON message, from its primary span.
fn json_place(message: &Value) -> (String, Option<String>) {
    let m = &message["message"];
    let level = m["level"].as_str().expect("level").to_string();
    let primary = m["spans"]
        .as_array()
        .expect("spans")
        .iter()
        .find(|s| s["is_primary"] == Value::Bool(true));
    let place = primary.map(|s| {
        format!(
            "{}:{}:{}",
            s["file_name"].as_str().expect("file_name"),
            s["line_start"],
            s["column_start"]
        )
    });
    (level, place)
}

/// The cases of an EXPECTATIONS file: (input, expected FILE:LINE, rest of the line).
fn expectations(dir: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(dir.join("EXPECTATIONS")).expect("EXPECTATIONS");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut parts = l.split_whitespace();
            let input = parts.next().unwrap().to_string();
            let place = parts.next().unwrap_or("-").to_string();
            (input, place, parts.collect::<Vec<_>>().join(" "))
        })
        .collect()
}

#[test]
fn bad_inputs_give_the_same_places_and_levels_in_json_as_in_the_human_format() {
    let dir = corpus("bad");
    let cases = expectations(&dir);
    assert!(cases.len() >= 40, "{} cases", cases.len());
    for (input, expected, _) in &cases {
        let human = lemsc(&dir, &["check", input, "--color", "never"]);
        let json = lemsc(&dir, &["check", input, "--message-format", "json"]);
        assert_eq!(human.status.code(), Some(1), "{input}");
        assert_eq!(json.status.code(), Some(1), "{input}");
        let human = human_diagnostics(&String::from_utf8_lossy(&human.stderr));
        let messages = json_messages(&String::from_utf8_lossy(&json.stderr));
        let from_json: Vec<_> = messages.iter().map(json_place).collect();
        assert_eq!(from_json, human, "{input}");
        // The error the corpus expects is among them, at its file and line.
        let (file, line) = expected.rsplit_once(':').unwrap();
        let located = messages.iter().any(|m| {
            m["message"]["level"] == "error"
                && m["message"]["spans"].as_array().unwrap().iter().any(|s| {
                    s["is_primary"] == Value::Bool(true)
                        && s["file_name"].as_str().unwrap().ends_with(file)
                        && s["line_start"].as_u64() == line.parse().ok()
                })
        });
        assert!(
            located,
            "{input}: no JSON error at {expected}: {messages:?}"
        );
        for m in &messages {
            assert_eq!(m["reason"], "compiler-message", "{input}");
            let rendered = m["message"]["rendered"].as_str().unwrap();
            assert!(!rendered.is_empty(), "{input}");
        }
    }
}

#[test]
fn lenient_warnings_carry_their_rule_as_code() {
    let dir = corpus("lenient");
    let mut checked = 0;
    for (input, place, rest) in expectations(&dir) {
        let rule = rest.split_whitespace().next().unwrap_or("-");
        if place == "-" || rule == "-" {
            continue;
        }
        let out = lemsc(&dir, &["check", &input, "--message-format", "json"]);
        assert_eq!(out.status.code(), Some(0), "{input}");
        let messages = json_messages(&String::from_utf8_lossy(&out.stderr));
        let (file, line) = place.rsplit_once(':').unwrap();
        let hit = messages.iter().find(|m| {
            let m = &m["message"];
            m["code"]["code"] == rule
                && m["spans"][0]["file_name"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with(file)
                && m["spans"][0]["line_start"].as_u64() == line.parse().ok()
        });
        let hit = hit.unwrap_or_else(|| panic!("{input}: no {rule} warning: {messages:?}"));
        assert_eq!(hit["message"]["level"], "warning", "{input}");
        checked += 1;
    }
    assert!(checked >= 10, "{checked} lenient cases");
}

#[test]
fn strict_makes_the_rule_an_error_that_keeps_its_code() {
    let dir = corpus("lenient");
    let out = lemsc(
        &dir,
        &[
            "check",
            "unknown_attribute.xml",
            "--strict",
            "--message-format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let messages = json_messages(&String::from_utf8_lossy(&out.stderr));
    assert!(messages
        .iter()
        .any(|m| m["message"]["level"] == "error"
            && m["message"]["code"]["code"] == "unused-attribute"));
}

#[test]
fn errors_without_a_place_and_runs_are_json_too() {
    let dir = corpus("bad");
    // A missing file: a usage error, still one JSON line.
    let out = lemsc(&dir, &["no_such_file.xml", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let messages = json_messages(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["message"]["level"], "error");
    assert_eq!(
        messages[0]["message"]["spans"].as_array().map(Vec::len),
        Some(0)
    );
    // A run (the native target) of a bad model reports through the same format.
    let out = lemsc(&dir, &["wrong_dimension.xml", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let messages = json_messages(&String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        json_place(&messages[0]),
        (
            "error".to_string(),
            Some("wrong_dimension.xml:3:38".to_string())
        )
    );
}

#[test]
fn a_run_that_stops_is_located_in_json_as_in_the_human_format() {
    let dir = corpus("bad/run");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("message-format-run");
    let out = out.to_str().unwrap();
    for (input, expected, _) in expectations(&dir) {
        let human = lemsc(&dir, &[&input, "-o", out, "--color", "never"]);
        let json = lemsc(&dir, &[&input, "-o", out, "--message-format", "json"]);
        assert_eq!(json.status.code(), human.status.code(), "{input}");
        assert_eq!(json.status.code(), Some(1), "{input}");
        let human = human_diagnostics(&String::from_utf8_lossy(&human.stderr));
        let messages = json_messages(&String::from_utf8_lossy(&json.stderr));
        let places: Vec<_> = messages.iter().map(json_place).collect();
        assert_eq!(places, human, "{input}");
        let (file, line) = expected.rsplit_once(':').unwrap();
        assert!(
            places.iter().any(|(level, place)| level == "error"
                && place
                    .as_deref()
                    .is_some_and(|p| p.contains(&format!("{file}:{line}:")))),
            "{input}: {places:?}"
        );
    }
}
