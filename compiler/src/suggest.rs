//! "Did you mean ...?": the known names closest to a misspelt one, for diagnostics.

/// "did you mean ...?" for the known names closest to `name`, or a plain note.
pub fn similar_note<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let similar = similar_names(name, known);
    if similar.is_empty() {
        "no similar name is declared".to_string()
    } else {
        format!("similar names: {}", similar.join(", "))
    }
}

/// Up to five known names within a small edit distance of `name`, closest first.
pub fn similar_names<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &String)> = known
        .filter_map(|k| {
            let k_lower = k.to_lowercase();
            let d = edit_distance(&lower, &k_lower);
            // Sharing the first four letters also counts (`volts` for `voltage`).
            let prefix: String = lower.chars().take(4).collect();
            let close = d <= 2.max(name.len() / 3)
                || k_lower.contains(&lower)
                || (prefix.chars().count() == 4 && k_lower.starts_with(&prefix));
            close.then_some((d, k))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(5).map(|(_, k)| k.clone()).collect()
}

/// Levenshtein distance, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, similar_names};

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("hhpop", "hhpop2"), 1);
        assert_eq!(edit_distance("naChans", "kChans"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn close_names_come_first() {
        let known: Vec<String> = ["voltage", "time", "volume"].map(String::from).to_vec();
        assert_eq!(similar_names("volts", known.iter())[0], "voltage");
        assert!(similar_names("xyzzy", known.iter()).is_empty());
    }
}
