//! "Did you mean ...?": the known names closest to a misspelt one, for diagnostics.
//!
//! A model with many misspelt names (each compared with every known name) would make this
//! quadratic, so the search is kept cheap three ways: names longer than [`MAX_NAME_CHARS`] are
//! not searched, each comparison stops as soon as it cannot be close, and the work of all
//! searches in one [`limit_work`] scope (a model build) is bounded; past that bound the note
//! says the search was skipped.

use std::cell::Cell;

/// Names (looked for or known) longer than this are not compared: ids are short, and a
/// hostile megabyte-long name must not cost a megabyte-squared edit distance.
pub const MAX_NAME_CHARS: usize = 100;

/// Work (characters compared) that all searches of one model build may spend: well under a
/// second, far more than any real model's handful of typos needs.
pub const MODEL_WORK_BUDGET: u64 = 40_000_000;

thread_local! {
    /// Work left in the current [`limit_work`] scope; None outside any scope (no limit).
    static WORK_LEFT: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Restores the enclosing scope's budget when dropped.
pub struct WorkScope {
    outer: Option<u64>,
}

impl Drop for WorkScope {
    fn drop(&mut self) {
        WORK_LEFT.with(|w| w.set(self.outer));
    }
}

/// Bounds the work of all searches on this thread until the returned scope is dropped.
pub fn limit_work(units: u64) -> WorkScope {
    WorkScope {
        outer: WORK_LEFT.with(|w| w.replace(Some(units))),
    }
}

/// Takes `units` from the budget; false when it is spent.
fn spend(units: u64) -> bool {
    WORK_LEFT.with(|w| match w.get() {
        None => true,
        Some(left) if left >= units => {
            w.set(Some(left - units));
            true
        }
        Some(_) => {
            w.set(Some(0));
            false
        }
    })
}

/// "did you mean ...?" for the known names closest to `name`, or a plain note.
pub fn similar_note<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> String {
    match search(name, known) {
        Some(similar) if similar.is_empty() => "no similar name is declared".to_string(),
        Some(similar) => format!("similar names: {}", similar.join(", ")),
        None => "similar names were not searched (too many unknown names)".to_string(),
    }
}

/// Up to five known names within a small edit distance of `name`, closest first.
pub fn similar_names<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> Vec<String> {
    search(name, known).unwrap_or_default()
}

/// How many suggestions are given.
const SHOWN: usize = 5;

/// The closest known names, or None when the work budget ran out.
fn search<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> Option<Vec<String>> {
    let query: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
    if query.len() > MAX_NAME_CHARS {
        return Some(Vec::new());
    }
    // Close: within this edit distance, containing the name, or sharing its first four
    // letters (`volts` for `voltage`).
    let bound = 2.max(name.len() / 3);
    let prefix = (query.len() >= 4).then(|| &query[..4]);
    let mut best: Vec<(usize, &String)> = Vec::with_capacity(SHOWN + 1);
    let mut candidate: Vec<char> = Vec::new();
    let mut row: Vec<usize> = Vec::new();
    for k in known {
        if !spend(1 + k.len() as u64) {
            return None;
        }
        if k.len() > 4 * MAX_NAME_CHARS {
            continue;
        }
        candidate.clear();
        candidate.extend(k.chars().flat_map(char::to_lowercase));
        if candidate.len() > MAX_NAME_CHARS {
            continue;
        }
        let loose =
            contains(&candidate, &query) || prefix.is_some_and(|p| candidate.starts_with(p));
        let d = if loose {
            if !spend((candidate.len() * query.len()) as u64) {
                return None;
            }
            bounded_distance(&query, &candidate, usize::MAX, &mut row)
        } else if candidate.len().abs_diff(query.len()) > bound {
            continue;
        } else {
            if !spend((candidate.len() * (2 * bound + 1)) as u64) {
                return None;
            }
            match bounded_distance(&query, &candidate, bound, &mut row) {
                Some(d) => Some(d),
                None => continue,
            }
        };
        let d = d.unwrap_or(usize::MAX);
        keep_best(&mut best, (d, k));
    }
    Some(best.into_iter().map(|(_, k)| k.clone()).collect())
}

/// Inserts `entry` into the sorted list of the [`SHOWN`] best (distance, then name), once.
fn keep_best<'a>(best: &mut Vec<(usize, &'a String)>, entry: (usize, &'a String)) {
    if best.iter().any(|b| b.1 == entry.1) {
        return;
    }
    let at = best.partition_point(|b| *b <= entry);
    if at < SHOWN {
        best.insert(at, entry);
        best.truncate(SHOWN);
    }
}

fn contains(haystack: &[char], needle: &[char]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// Levenshtein distance, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    bounded_distance(&a, &b, usize::MAX, &mut Vec::new()).unwrap_or(usize::MAX)
}

/// The edit distance of `a` and `b` if it is at most `bound`; stops as soon as every entry of
/// a row exceeds the bound (the distance only grows from there).
fn bounded_distance(a: &[char], b: &[char], bound: usize, row: &mut Vec<usize>) -> Option<usize> {
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    row.clear();
    row.extend(0..=b.len());
    for (i, &ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        let mut smallest = row[0];
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            smallest = smallest.min(row[j + 1]);
            prev = cur;
        }
        if smallest > bound {
            return None;
        }
    }
    Some(row[b.len()]).filter(|&d| d <= bound)
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, limit_work, similar_names, similar_note};

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

    #[test]
    fn containing_and_same_prefix_names_are_similar_too() {
        let known: Vec<String> = ["izhikevich2007Cell", "izhikevichCell", "iafCell"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            similar_names("izhikevichCel", known.iter()),
            ["izhikevichCell", "izhikevich2007Cell"]
        );
    }

    #[test]
    fn very_long_names_are_not_searched() {
        let long = "x".repeat(1_000_000);
        let known: Vec<String> = vec![long.clone(), "x".into()];
        assert!(similar_names(&long, known.iter()).is_empty());
    }

    #[test]
    fn many_searches_over_many_names_stay_fast() {
        let known: Vec<String> = (0..30_000).map(|i| format!("cell{i}")).collect();
        let _scope = limit_work(super::MODEL_WORK_BUDGET);
        let (skipped, took) = crate::cputime::cpu_timed(|| {
            let mut skipped = 0;
            for i in 0..30_000 {
                let note = similar_note(&format!("celx{i}"), known.iter());
                skipped += usize::from(note.contains("not searched"));
            }
            skipped
        });
        assert!(
            skipped > 0,
            "the budget must run out on 900 million comparisons"
        );
        assert!(took.as_secs_f64() < 10.0, "took {took:?} of CPU");
    }
}
