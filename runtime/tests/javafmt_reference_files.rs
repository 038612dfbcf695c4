//! Every number in the jLEMS reference outputs, reformatted, must come out as the same text.

mod common;

use lemsc_runtime::javafmt::float_to_string;
use std::path::Path;

const REFERENCE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/jlems");

#[test]
fn every_reference_value_formats_identically() {
    let dir = Path::new(REFERENCE_DIR);
    if !dir.is_dir() {
        // The reference data sits beside the repository; a bare clone cannot run this check.
        eprintln!("note: {REFERENCE_DIR} not found; reference comparison skipped");
        return;
    }
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("reference folder is readable")
        .map(|entry| entry.expect("folder entry").path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("dat" | "spikes")
            )
        })
        .collect();
    files.sort();
    assert!(
        files.len() > 30,
        "expected the jLEMS reference files, found {}",
        files.len()
    );

    let mut checked = 0usize;
    let mut mismatches = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("reference file is UTF-8 text");
        let is_spikes = file.extension().is_some_and(|e| e == "spikes");
        for (line_no, line) in text.lines().enumerate() {
            for field in line.split('\t').filter(|f| !f.is_empty()) {
                // Spike files hold integer ids beside the times; ids are not floats.
                if is_spikes && !field.contains('.') {
                    continue;
                }
                let value: f32 = field.parse().unwrap_or_else(|_| {
                    panic!(
                        "{}:{}: not a number: {field:?}",
                        file.display(),
                        line_no + 1
                    )
                });
                checked += 1;
                let ours = float_to_string(value);
                if ours != field {
                    mismatches.push(format!(
                        "{}:{}: reference {field:?}, ours {ours:?}",
                        file.file_name().unwrap().to_string_lossy(),
                        line_no + 1
                    ));
                }
            }
        }
    }
    assert!(checked > 600_000, "only {checked} values read");
    common::assert_no_mismatches(&mismatches, checked, "reference values");
    eprintln!("{checked} reference values formatted identically");
}
