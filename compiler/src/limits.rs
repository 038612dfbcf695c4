//! How big a model may make a run before lemsc refuses it.
//!
//! Model files are untrusted input: a few lines (a population of `size="1e9"`, a `ForEach`
//! over two large populations) can ask for more memory than any machine has. Each limit is
//! checked before the memory it guards is allocated, with a located error that names the
//! option raising it. The defaults fit a 24 GiB machine with room to spare and are far above
//! the published networks (the largest in the shared real-world models has ~10^4 cells).

/// The limits one compilation checks.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Instances (cells, synapses, inputs, their children) the target's Structure may make
    /// (`--max-instances`).
    pub max_instances: usize,
    /// Event connections the Structure may make (`--max-connections`).
    pub max_connections: usize,
    /// Memory the run's state may take, estimated from the laid-out program before it is
    /// allocated (`--max-memory-gib`).
    pub max_memory_bytes: u64,
}

/// Default of [`Limits::max_instances`]: about 2 GB of instance tree.
pub const DEFAULT_MAX_INSTANCES: usize = 2_000_000;

/// Default of [`Limits::max_connections`]: about 2 GB of connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 20_000_000;

/// Default of [`Limits::max_memory_bytes`]: half of a 24 GiB machine.
pub const DEFAULT_MAX_MEMORY_BYTES: u64 = 12 * GIB;

pub const GIB: u64 = 1024 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_instances: DEFAULT_MAX_INSTANCES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
        }
    }
}

/// `bytes` for messages: `3.2 GiB`, `512 MiB`.
pub fn show_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if bytes >= GIB {
        format!("{:.1} GiB", b / GIB as f64)
    } else {
        format!("{:.0} MiB", (b / (1024.0 * 1024.0)).ceil())
    }
}

/// GiB as given on the command line to bytes; negative or NaN is 0, huge saturates.
pub fn gib_to_bytes(gib: f64) -> u64 {
    if gib.is_nan() || gib <= 0.0 {
        0
    } else {
        (gib * GIB as f64).min(u64::MAX as f64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(show_bytes(3 * GIB + GIB / 5), "3.2 GiB");
        assert_eq!(show_bytes(512 * 1024 * 1024), "512 MiB");
        assert_eq!(gib_to_bytes(-1.0), 0);
        assert_eq!(gib_to_bytes(0.5), GIB / 2);
    }
}
