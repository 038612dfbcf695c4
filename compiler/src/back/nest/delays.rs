//! Connection delays: NEST's fixed delays in steps, and jLEMS's due times.
//!
//! jLEMS queues a delayed event due at `t_s + delay` (`t_s` the time of the step that sent
//! it, both doubles) and delivers it at the start of the first step `m` with `t_m >= due`
//! (docs/jlems-semantics.md §6). `t` is a sum of steps, so for a delay of k steps the event
//! lands at step `s + k` or, when the sum falls just short, `s + k + 1`, depending on `s`.
//! NEST delivers after a fixed k steps. A model therefore receives the connections of each
//! delay of two steps or more on a port of their own, knows when their spikes were sent
//! (an accumulator of `t` started k steps late gives `t_s`) and holds a spike for one more
//! step when jLEMS's sum says so. A delay of one step or less needs no check: `t_s + dt`
//! is the very sum that gives `t_{s+1}`, and shorter delays are due before it.

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::Ir;

use super::nodes::{internal, Nodes};

/// Where a connection ends in a node model: an attachment kind's port, or (`None`) the
/// cell's own port.
pub type PortKey = (Option<usize>, String);

/// A connection delay in whole steps: the first k with `k * step` reaching `delay` (a
/// delay within rounding of a whole number of steps is that number).
pub fn steps(delay: f64, step: f64) -> u64 {
    let r = (delay / step).max(0.0);
    let k = if (r - r.round()).abs() <= 1e-9 * r.max(1.0) {
        r.round()
    } else {
        r.ceil()
    };
    k as u64
}

/// NEST's delay (steps) for a connection of `k` steps: never less than its one step, so a
/// zero delay arrives at the start of the next step.
pub fn nest_steps(k: u64) -> u64 {
    k.max(1)
}

/// Whether spikes of a `k`-step delay must be checked against jLEMS's due time.
pub fn checked(k: u64) -> bool {
    k >= 2
}

/// Per node model, per port: the delays (as `f64::to_bits`, seconds) of its connections
/// that need the due-time check.
pub fn checked_delays(ir: &Ir, nodes: &Nodes) -> Vec<BTreeMap<PortKey, BTreeSet<u64>>> {
    let mut out = vec![BTreeMap::new(); nodes.models.len()];
    let step = ir.simulation.step;
    for c in &ir.event_connections {
        let receiver = c.receiver.unwrap_or(c.target);
        if internal(ir, nodes, c.source, receiver) || !checked(steps(c.delay, step)) {
            continue;
        }
        let (model, key) = match c.receiver.and_then(|r| nodes.kind_of.get(&r)) {
            Some(&(m, k)) => (m, (Some(k), c.target_port.clone())),
            None => match nodes.model_of.get(&c.target) {
                Some(&m) => (m, (None, c.target_port.clone())),
                None => continue,
            },
        };
        let classes: &mut BTreeMap<PortKey, BTreeSet<u64>> = &mut out[model];
        classes.entry(key).or_default().insert(c.delay.to_bits());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_round_to_whole_steps_and_up_otherwise() {
        assert_eq!(steps(0.0, 5e-6), 0);
        assert_eq!(steps(0.01, 5e-6), 2000);
        assert_eq!(steps(0.015, 5e-6), 3000);
        assert_eq!(steps(2.5e-6, 5e-6), 1);
        assert_eq!(steps(1.25e-5, 5e-6), 3);
        assert_eq!(nest_steps(0), 1);
        assert_eq!(nest_steps(7), 7);
        assert!(!checked(1) && checked(2));
    }

    /// The sum that decides: for some sending steps a 2000-step delay lands one step late
    /// in jLEMS (what the check reproduces), for others on time.
    #[test]
    fn summed_time_makes_some_delays_a_step_longer() {
        let (dt, delay, k) = (5e-6f64, 0.01f64, 2000usize);
        let mut t = vec![0.0f64];
        for _ in 0..40_000 {
            let last = *t.last().unwrap();
            t.push(last + dt);
        }
        let late = (1..t.len() - k - 1)
            .filter(|&s| t[s + k] < t[s] + delay)
            .count();
        assert!(late > 0, "no sending step is delivered late");
        assert!(
            late < t.len() - k - 2,
            "every sending step is delivered late"
        );
        assert!((1..t.len() - k - 1).all(|s| t[s + k + 1] >= t[s] + delay));
    }
}
