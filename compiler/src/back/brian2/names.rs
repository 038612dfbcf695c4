//! Brian2 identifiers for groups and slots. Every name is built from a number that makes it
//! unique and a cleaned-up hint for the reader (letters, digits and `_` only, shortened), so
//! no model text can reach the script as code.

/// The name of slot `slot` whose kernel calls it `hint` (`v@exposed` gives `s3_v_exposed`).
pub fn slot(slot: u32, hint: &str) -> String {
    format!("s{slot}_{}", clean(hint, 24))
}

/// The name of group `index` running kernel `hint` (`hhcell (cell)` gives `g2_hhcell_cell`).
pub fn group(index: usize, hint: &str) -> String {
    format!("g{index}_{}", clean(hint, 32))
}

/// `text` reduced to `[A-Za-z0-9_]`, runs of anything else as one `_`, at most `max` bytes,
/// never ending in `_pre`/`_post` (Brian2 reads those suffixes as the side of a synapse).
pub fn clean(text: &str, max: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
        if out.len() >= max {
            break;
        }
    }
    let mut out = out.trim_matches('_').to_string();
    if out.is_empty() {
        out.push('x');
    }
    if out.ends_with("_pre") || out.ends_with("_post") {
        out.push('x');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hold_only_identifier_characters() {
        assert_eq!(slot(3, "v@exposed"), "s3_v_exposed");
        assert_eq!(group(2, "hhcell (cell)"), "g2_hhcell_cell");
        assert_eq!(slot(0, "\"); import os #"), "s0_import_os");
        assert_eq!(slot(1, "g_post"), "s1_g_postx");
        assert_eq!(slot(1, "@@"), "s1_x");
        assert!(group(9, &"a".repeat(300)).len() < 40);
    }
}
