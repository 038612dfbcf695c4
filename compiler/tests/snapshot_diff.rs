//! The snapshot tests' own helpers: how a changed, missing or extra snapshot is reported.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::snapshots::{first_difference, mismatches};

#[test]
fn the_line_diff_shows_the_first_changed_lines_with_context() {
    let old = "a\nb\nc\nd\ne\nf\n";
    let new = "a\nb\nc\nd\nX\nf\n";
    assert_eq!(
        first_difference(old, new),
        "@@ -2,4 +2,4 @@\n b\n c\n d\n-e\n+X\n"
    );
}

#[test]
fn the_line_diff_of_an_inserted_line_shows_only_that_line() {
    let old = "a\nb\nc\n";
    let new = "a\nnew\nb\nc\n";
    assert_eq!(first_difference(old, new), "@@ -1,1 +1,2 @@\n a\n+new\n");
}

#[test]
fn the_line_diff_is_cut_after_a_few_changed_lines() {
    let old: String = (0..40).map(|i| format!("old {i}\n")).collect();
    let new: String = (0..40).map(|i| format!("new {i}\n")).collect();
    let diff = first_difference(&old, &new);
    assert!(
        diff.contains("-old 5\n-... 34 more lines\n+new 0\n"),
        "{diff}"
    );
    assert!(diff.ends_with("+new 5\n+... 34 more lines\n"), "{diff}");
}

#[test]
fn a_missing_snapshot_and_an_extra_one_are_both_reported() {
    let dir = Path::new("snap");
    let generated = BTreeMap::from([
        ("a.mod".to_string(), "x\n".to_string()),
        ("run.py".to_string(), "y\n".to_string()),
    ]);
    let snapshots = BTreeMap::from([
        ("a.mod".to_string(), "x\n".to_string()),
        ("old.mod".to_string(), "z\n".to_string()),
    ]);
    let problems = mismatches(dir, &generated, &snapshots);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems[0].contains("run.py: generated, but no snapshot file"));
    assert!(problems[1].contains("old.mod: snapshot file, but no longer generated"));
}

#[test]
fn a_difference_in_the_final_newline_is_reported_and_explained() {
    let diff = first_difference("a\nb\n", "a\nb");
    assert!(diff.contains("final newline"), "{diff}");
    let problems = mismatches(
        Path::new("snap"),
        &BTreeMap::from([("a.mod".to_string(), "a\nb".to_string())]),
        &BTreeMap::from([("a.mod".to_string(), "a\nb\n".to_string())]),
    );
    assert_eq!(problems.len(), 1);
}
