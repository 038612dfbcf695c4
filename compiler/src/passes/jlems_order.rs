//! Orders jLEMS takes from `java.util.HashMap` iteration, in one place for every target:
//! which regime an instance starts in, and (through [`java_hash_map_order`]) the order of
//! named children and attachment sets in a step (`kernels::assemble_order`).
//!
//! Regimes sit in a `HashMap` keyed by name; the instance takes the last one marked
//! `initial` in that map's iteration order, or, when none is marked, the first key of the map
//! (`StateInstance.addRegime`, `initRegime`).

use crate::model::types::Regime;

/// Index (in declaration order) of the regime an instance starts in; 0 when there are none.
pub fn initial_regime(regimes: &[Regime]) -> usize {
    let names: Vec<&str> = regimes.iter().map(|r| r.name.as_str()).collect();
    let order = java_hash_map_order(&names);
    order
        .iter()
        .rev()
        .copied()
        .find(|&i| regimes[i].initial)
        .or_else(|| order.first().copied())
        .unwrap_or(0)
}

/// The iteration order of a `java.util.HashMap<String, _>` filled with `keys` in order:
/// by bucket (hash spread over the table size), then insertion order within a bucket.
pub fn java_hash_map_order(keys: &[&str]) -> Vec<usize> {
    // Default capacity 16, doubled whenever the size passes three quarters of it.
    let mut capacity: usize = 16;
    while keys.len() > capacity * 3 / 4 {
        capacity *= 2;
    }
    let bucket = |key: &str| {
        let h = java_string_hash(key);
        let spread = h ^ (h >> 16);
        (spread as usize) & (capacity - 1)
    };
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| (bucket(keys[i]), i));
    order
}

/// `String.hashCode`: `s[0]*31^(n-1) + ... + s[n-1]` over UTF-16 units, wrapping, as u32 bits.
fn java_string_hash(s: &str) -> u32 {
    s.encode_utf16().fold(0u32, |h, unit| {
        h.wrapping_mul(31).wrapping_add(u32::from(unit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_hash_matches_java() {
        // Values printed by Java's "...".hashCode().
        assert_eq!(java_string_hash("") as i32, 0);
        assert_eq!(java_string_hash("a") as i32, 97);
        assert_eq!(java_string_hash("integrating") as i32, 1_156_347_310);
        assert_eq!(java_string_hash("refractory") as i32, -450_755_549);
    }

    #[test]
    fn iteration_follows_buckets_then_insertion() {
        // Key sets printed by Java for maps filled in these orders.
        assert_eq!(java_hash_map_order(&["b", "a"]), vec![1, 0]); // [a, b]
        assert_eq!(java_hash_map_order(&["q", "a"]), vec![0, 1]); // [q, a]
        let keys = ["up", "down", "refractory", "integrating"];
        assert_eq!(java_hash_map_order(&keys), vec![2, 3, 0, 1]);
    }
}
