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
//!
//! jLEMS's `t_n` and `t_n + delay` are sums of doubles, so a delay of a whole number of steps
//! waits `k` steps after some sending steps and `k + 1` after others ([`DelayTiming`]). A
//! connection whose wait varies gets a second pathway one step later, and tables (computed by
//! the script from the same sums) say which of the two delivers each event.

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
    /// Per connection whose wait depends on the sending step: its index in `varying`.
    pub varying_class: Vec<Option<usize>>,
    /// The delays of this route whose wait is `steps` or `steps + 1`, by (delay, early).
    pub varying: Vec<VaryingDelay>,
}

/// A delay that waits `steps` steps after some sending steps and `steps + 1` after others.
#[derive(Clone, Debug, PartialEq)]
pub struct VaryingDelay {
    pub delay: f64,
    pub steps: u64,
    /// Brian2 delay (in steps) of the on-time pathway; the late one waits a step more.
    pub pathway_steps: u64,
}

/// The routes of the program's connections, in program order of their first connection.
pub fn routes(program: &Program, layout: &Layout) -> Result<Vec<Route>, String> {
    let timing = DelayTiming::new(program.dt, program.steps);
    let mut waits: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
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
                varying_class: Vec::new(),
                varying: Vec::new(),
            });
            routes.len() - 1
        });
        let (steps, most) = *waits
            .entry(c.delay.to_bits())
            .or_insert_with(|| timing.waits(c.delay));
        if most > steps + 1 {
            return Err(format!(
                "a connection delay of {} s waits from {steps} to {most} steps, depending on \
                 when the event is sent; Brian2 pathways can express two neighbouring waits only",
                c.delay
            ));
        }
        // Groups that never advance count as running first.
        let rank = |g: usize| layout.groups[g].rank.map_or(0, |r| r + 1);
        let receiver_later = rank(tg) > rank(sg);
        let early = steps > 0 && !receiver_later;
        let pathway_steps = if early { steps - 1 } else { steps };
        let route = &mut routes[r];
        route.pre.push(sj);
        route.post.push(tj);
        route.delay_steps.push(pathway_steps);
        route.early.push(early);
        let class = (most > steps).then(|| {
            let varying = VaryingDelay {
                delay: c.delay,
                steps,
                pathway_steps,
            };
            match route.varying.iter().position(|v| *v == varying) {
                Some(k) => k,
                None => {
                    route.varying.push(varying);
                    route.varying.len() - 1
                }
            }
        });
        route.varying_class.push(class);
    }
    Ok(routes)
}

/// jLEMS's times `t_0 = 0, t_n = t_{n-1} + dt` of a run, to count the steps a delayed event
/// waits: sent in step `n`, it is due at `t_n + delay` and delivered at the start of the first
/// step `m` whose `t_m` reaches that.
pub struct DelayTiming {
    dt: f64,
    times: Vec<f64>,
    /// The largest distance of a `t_n` from `n * dt`.
    drift: f64,
}

impl DelayTiming {
    pub fn new(dt: f64, steps: u64) -> DelayTiming {
        let mut times = Vec::with_capacity(steps as usize + 1);
        let mut t = 0.0f64;
        let mut drift = 0.0f64;
        for n in 0..=steps {
            times.push(t);
            drift = drift.max((t - n as f64 * dt).abs());
            t += dt;
        }
        DelayTiming { dt, times, drift }
    }

    /// The fewest and the most steps an event waits on a connection of `delay`, over the
    /// sending steps whose delivery falls within the run (zero for no delay).
    pub fn waits(&self, delay: f64) -> (u64, u64) {
        if delay <= 0.0 {
            return (0, 0);
        }
        let ceiling = jlems_delay_steps(delay, self.dt);
        // Far enough from a whole number of steps, no sum of these times can move the wait.
        let end = self.times.last().copied().unwrap_or(0.0) + delay;
        let margin = 4.0 * self.drift + 4.0 * f64::EPSILON * end.abs();
        let k = ceiling as f64;
        if delay <= k * self.dt - margin && delay > (k - 1.0) * self.dt + margin {
            return (ceiling, ceiling);
        }
        let last = self.times.len() - 1;
        let (mut fewest, mut most) = (u64::MAX, 0);
        let mut m = 1;
        for n in 1..=last {
            let due = self.times[n] + delay;
            m = m.max(n + 1);
            while m <= last && self.times[m] < due {
                m += 1;
            }
            if m > last {
                break;
            }
            let wait = (m - n) as u64;
            fewest = fewest.min(wait);
            most = most.max(wait);
        }
        if most == 0 {
            return (ceiling, ceiling); // never delivered within the run
        }
        (fewest, most)
    }
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

    #[test]
    fn a_whole_number_of_steps_waits_one_more_after_some_sending_steps() {
        // 0.005 ms steps, as LEMS_NML2_Ex12_Net2: sent at t = 50 ms (step 10001), 10 ms
        // later is due after t_12001 and delivered in step 12002; sent at 100 ms (step
        // 20000) it is delivered 2000 steps later.
        let timing = DelayTiming::new(5e-6, 60000);
        assert_eq!(timing.waits(0.01), (2000, 2001));
        assert_eq!(timing.waits(0.0), (0, 0));
        assert_eq!(timing.waits(0.0100026), (2001, 2001));
        // Too long to be delivered within the run.
        assert_eq!(timing.waits(1.0), (200000, 200000));
    }
}
