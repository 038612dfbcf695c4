//! How the conformance tests report: every failure listed, one per line, and known gaps
//! (failures the project knows of and explains) kept apart so that any other failure fails
//! the test and a gap that stopped failing is noticed.

/// Panics with `failures` (one per line) out of `total` when there is any that no entry of
/// `gaps` (a name the line contains, and why it fails) explains. Explained failures are
/// printed with their reason; a gap with no failure is printed so it can be taken off.
pub fn assert_none_failed(what: &str, failures: &[String], total: usize, gaps: &[(&str, &str)]) {
    let gap_of = |line: &str| gaps.iter().find(|(name, _)| line.contains(name));
    let (known, failures): (Vec<String>, Vec<String>) =
        failures.iter().cloned().partition(|l| gap_of(l).is_some());
    for line in &known {
        if let Some((_, why)) = gap_of(line) {
            println!("known gap ({why}): {line}");
        }
    }
    for (name, _) in gaps {
        if !known.iter().any(|l| l.contains(name)) {
            println!("{name} is listed as a known gap but had no failure in this test");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} {what} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
