//! Event connections as Brian2 `Synapses`, and what the event files select.
//!
//! An out-port that fires sets a flag (`evP = 1`) in the sender's step; the group's custom
//! event `eP` (`evP > 0.5`) is detected after every group has run, and each `Synapses`
//! object of that event runs the receiver's `OnEvent` code on its post side.
//!
//! Timing, against jLEMS (docs/jlems-semantics.md §6): an event is detected right after its
//! sender's group has run, and delivered there, before the groups that come later in the
//! order: a zero-delay receiver that jLEMS advances later in the step sees the event in this
//! step, one advanced earlier sees it in the next, as in jLEMS. A delayed event reaches jLEMS
//! at the start of the first step `m` whose time reaches `t_n + delay`; delivered after the
//! sender's group, it must arrive in step `m` when the receiver runs later than the sender,
//! in step `m - 1` otherwise.

use std::collections::BTreeMap;

use lemsc_runtime::program::Program;

use super::layout::Layout;

/// One `Synapses` object: connections from one out-port of a group to one in-port of another.
#[derive(Clone, Debug)]
pub struct Route {
    pub source_group: usize,
    pub out_port: u32,
    pub target_group: usize,
    pub in_port: u32,
    pub pre: Vec<usize>,
    pub post: Vec<usize>,
    /// Brian2 delay of each connection, in steps.
    pub delay_steps: Vec<u64>,
    /// Per connection: whether it is delivered a step before jLEMS delivers it (its `OnEvent`
    /// then sees the next step's time).
    pub early: Vec<bool>,
}

/// The routes of the program's connections, in program order of their first connection.
pub fn routes(program: &Program, layout: &Layout) -> Vec<Route> {
    let mut by_key: BTreeMap<(usize, u32, usize, u32), usize> = BTreeMap::new();
    let mut routes: Vec<Route> = Vec::new();
    for c in &program.connections {
        let (sg, sj) = layout.place[c.source as usize];
        let (tg, tj) = layout.place[c.target as usize];
        let key = (sg, c.out_port, tg, c.in_port);
        let r = *by_key.entry(key).or_insert_with(|| {
            routes.push(Route {
                source_group: sg,
                out_port: c.out_port,
                target_group: tg,
                in_port: c.in_port,
                pre: Vec::new(),
                post: Vec::new(),
                delay_steps: Vec::new(),
                early: Vec::new(),
            });
            routes.len() - 1
        });
        let steps = jlems_delay_steps(c.delay, program.dt);
        // Groups that never advance count as running first.
        let rank = |g: usize| layout.groups[g].rank.map_or(0, |r| r + 1);
        let receiver_later = rank(tg) > rank(sg);
        let early = steps > 0 && !receiver_later;
        let route = &mut routes[r];
        route.pre.push(sj);
        route.post.push(tj);
        route
            .delay_steps
            .push(if early { steps - 1 } else { steps });
        route.early.push(early);
    }
    routes
}

/// Steps from sending to the step whose start delivers the event (0: at once). jLEMS compares
/// accumulated times; a step count is the same whenever the delay is not within rounding of
/// a whole number of steps.
pub fn jlems_delay_steps(delay: f64, dt: f64) -> u64 {
    if delay <= 0.0 {
        return 0;
    }
    let steps = (delay / dt * (1.0 - 1e-12)).ceil();
    steps.max(1.0) as u64
}

/// The out-ports of each group that something listens to (a route or an event file).
pub fn used_ports(
    program: &Program,
    layout: &Layout,
    routes: &[Route],
) -> BTreeMap<usize, Vec<u32>> {
    let mut ports: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    let mut add = |g: usize, p: u32| {
        let list = ports.entry(g).or_default();
        if !list.contains(&p) {
            list.push(p);
            list.sort_unstable();
        }
    };
    for r in routes {
        add(r.source_group, r.out_port);
    }
    for file in &program.event_outputs {
        for s in &file.selections {
            add(layout.place[s.inst as usize].0, s.out_port);
        }
    }
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_count_the_steps_jlems_waits() {
        let dt = 1e-5;
        assert_eq!(jlems_delay_steps(0.0, dt), 0);
        assert_eq!(jlems_delay_steps(0.2e-5, dt), 1);
        assert_eq!(jlems_delay_steps(1e-5, dt), 1);
        assert_eq!(jlems_delay_steps(0.01, dt), 1000);
        assert_eq!(jlems_delay_steps(0.0100001, dt), 1001);
    }
}
