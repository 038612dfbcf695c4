//! Events waiting out a connection delay, delivered in order of due time and, for equal due
//! times, in the order they were sent (as jLEMS's `EventManager` keeps them).
//!
//! A single binary heap of every pending event gives that order, but at a cost per event
//! that grows with the thousands in flight in a network. Events are instead filed by their
//! *tick*, `floor(due / dt)`, in a ring of per-tick buckets (a calendar queue); only the
//! buckets of ticks time has reached are moved into a small heap of near events, from which
//! events leave in exactly the heap's order:
//!
//! - `tick` never decreases as the due time grows (division by a positive `dt` and `floor`
//!   both keep order), so every event due at or before `t` has a tick at or before
//!   `tick(t)` and is in the near heap once the buckets up to `tick(t)` are moved;
//! - the near heap orders by (due, order sent) like the single heap did, and an event sent
//!   while events are being taken, due already, goes straight into it;
//! - events beyond the ring's reach wait in a heap of far events, moved to the near heap
//!   when their tick is reached.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// The ring never has more buckets than this (delays longer than this many steps wait in
/// the far heap).
const MAX_RING_TICKS: usize = 1 << 14;

/// The pending delayed events of a run, each carrying a payload `T` (where it goes).
pub struct DelayedEvents<T> {
    /// `1 / dt` is never taken: `due / dt` is divided out each time so the tick is monotone.
    dt: f64,
    /// Events whose tick is at or before `drained`, in delivery order.
    near: BinaryHeap<Pending<T>>,
    /// Bucket `tick & mask` holds the events of one tick in `drained + 1 ..= drained + len`.
    ring: Vec<Vec<Pending<T>>>,
    mask: i64,
    /// Events whose tick was beyond the ring when they were sent.
    far: BinaryHeap<Pending<T>>,
    /// The last tick whose bucket was moved into `near`.
    drained: i64,
    /// Numbers the events in the order they were sent, to keep equal due times in order.
    sent: u64,
    len: usize,
}

impl<T> DelayedEvents<T> {
    /// An empty queue for steps of `dt` seconds whose delays are mostly at most
    /// `longest_delay` seconds (longer ones are still delivered, more slowly).
    pub fn new(dt: f64, longest_delay: f64) -> DelayedEvents<T> {
        let ticks = if dt > 0.0 && dt.is_finite() && longest_delay >= 0.0 {
            // Two extra ticks: a delay of k steps may be due in tick k + 1 of the sender's.
            ((longest_delay / dt).ceil() + 2.0).min(MAX_RING_TICKS as f64) as usize
        } else {
            1
        };
        let buckets = ticks.max(2).next_power_of_two();
        DelayedEvents {
            dt,
            near: BinaryHeap::new(),
            ring: (0..buckets).map(|_| Vec::new()).collect(),
            mask: buckets as i64 - 1,
            far: BinaryHeap::new(),
            drained: -1,
            sent: 0,
            len: 0,
        }
    }

    /// The tick of time `x`: non-decreasing in `x` (constant when `dt` is unusable).
    fn tick(&self, x: f64) -> i64 {
        if self.dt > 0.0 && self.dt.is_finite() {
            // `as` saturates, and a NaN (ruled out by `push`) would give 0.
            (x / self.dt).floor() as i64
        } else {
            0
        }
    }

    /// Queues `item`, due at `due` (not NaN).
    pub fn push(&mut self, due: f64, item: T) {
        debug_assert!(!due.is_nan(), "a delayed event due at NaN");
        let pending = Pending {
            due,
            seq: self.sent,
            item,
        };
        self.sent += 1;
        self.len += 1;
        let tick = self.tick(due);
        if tick <= self.drained {
            self.near.push(pending);
        } else if tick.abs_diff(self.drained) <= self.ring.len() as u64 {
            self.ring[(tick & self.mask) as usize].push(pending);
        } else {
            self.far.push(pending);
        }
    }

    /// The earliest event due at or before `t` (the first sent among equal due times),
    /// taken off the queue.
    pub fn pop_due(&mut self, t: f64) -> Option<(f64, T)> {
        let now = self.tick(t);
        if now > self.drained {
            self.drain_through(now);
        }
        match self.near.peek() {
            Some(first) if first.due <= t => {
                self.len -= 1;
                self.near.pop().map(|p| (p.due, p.item))
            }
            _ => None,
        }
    }

    /// Moves the events of every tick up to `now` into the near heap.
    fn drain_through(&mut self, now: i64) {
        // Only the ring's own ticks: past `drained + len` every bucket has been visited.
        let last = now.min(self.drained.saturating_add(self.ring.len() as i64));
        for tick in self.drained + 1..=last {
            let bucket = &mut self.ring[(tick & self.mask) as usize];
            self.near.extend(bucket.drain(..));
        }
        self.drained = now;
        while self.far.peek().is_some_and(|p| self.tick(p.due) <= now) {
            let pending = self.far.pop().expect("just peeked");
            self.near.push(pending);
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A queued event, ordered so that a max-heap's top is the earliest due, first sent.
struct Pending<T> {
    due: f64,
    seq: u64,
    item: T,
}

impl<T> Ord for Pending<T> {
    fn cmp(&self, other: &Pending<T>) -> Ordering {
        other
            .due
            .total_cmp(&self.due)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl<T> PartialOrd for Pending<T> {
    fn partial_cmp(&self, other: &Pending<T>) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> PartialEq for Pending<T> {
    fn eq(&self, other: &Pending<T>) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Pending<T> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::javarand::JavaRandom;

    #[test]
    fn earliest_first_and_equal_times_in_the_order_sent() {
        let mut q = DelayedEvents::new(1.0, 3.0);
        for (due, target) in [(3.0, 0), (1.0, 1), (3.0, 2), (2.0, 3), (1.0, 4), (3.0, 5)] {
            q.push(due, target);
        }
        assert_eq!(q.pop_due(0.5), None);
        let mut order = Vec::new();
        while let Some((_, target)) = q.pop_due(10.0) {
            order.push(target);
        }
        assert_eq!(order, vec![1, 4, 3, 0, 2, 5]);
        assert!(q.is_empty());
    }

    #[test]
    fn only_events_due_by_t_are_taken() {
        let mut q = DelayedEvents::new(0.1, 0.3);
        q.push(0.1 + 0.2, 0);
        assert_eq!(q.pop_due(0.3), None, "0.1 + 0.2 is just above 0.3");
        assert_eq!(q.pop_due(0.1 + 0.2).map(|e| e.1), Some(0));
        assert_eq!(q.len(), 0);
    }

    /// The order a single heap of every pending event gives: the reference.
    struct OneHeap {
        heap: BinaryHeap<Pending<u32>>,
        sent: u64,
    }

    impl OneHeap {
        fn push(&mut self, due: f64, item: u32) {
            self.heap.push(Pending {
                due,
                seq: self.sent,
                item,
            });
            self.sent += 1;
        }

        fn pop_due(&mut self, t: f64) -> Option<(f64, u32)> {
            match self.heap.peek() {
                Some(first) if first.due <= t => self.heap.pop().map(|p| (p.due, p.item)),
                _ => None,
            }
        }
    }

    /// Steps of an accumulated `t` (as the run loop keeps it), events sent with delays on
    /// the step grid, off it, shorter than a step, longer than the ring, and while events
    /// are being taken (some due at once): both queues deliver the same events in the same
    /// order at the same steps.
    #[test]
    fn delivers_exactly_as_one_heap_would() {
        let dt = 2.5e-5;
        let mut rng = JavaRandom::new(7);
        let mut calendar = DelayedEvents::new(dt, 5e-3);
        let mut reference = OneHeap {
            heap: BinaryHeap::new(),
            sent: 0,
        };
        let mut next_item = 0u32;
        let delay = |rng: &mut JavaRandom| match (rng.next_double() * 6.0) as u32 {
            0 => (1 + (rng.next_double() * 200.0) as u32) as f64 * dt,
            1 => 1e-3 + 1e-4 * (rng.next_double() * 40.0).floor(),
            2 => rng.next_double() * dt,
            3 => 0.02 + rng.next_double() * 0.01,
            4 => 1e-12,
            _ => rng.next_double() * 5e-3 + 1e-9,
        };
        let mut t = 0.0;
        let mut delivered = 0;
        for _ in 0..4000 {
            let sends = (rng.next_double() * 4.0) as u32;
            for _ in 0..sends {
                let d = delay(&mut rng);
                calendar.push(t + d, next_item);
                reference.push(t + d, next_item);
                next_item += 1;
            }
            t += dt;
            loop {
                let got = calendar.pop_due(t);
                assert_eq!(got, reference.pop_due(t), "at t = {t}");
                let Some((due, item)) = got else { break };
                assert!(due <= t);
                delivered += 1;
                if item % 5 == 0 {
                    // Sent while taking: sometimes due in this very step.
                    let d = if item % 10 == 0 {
                        -1e-9
                    } else {
                        delay(&mut rng)
                    };
                    calendar.push(t + d, next_item);
                    reference.push(t + d, next_item);
                    next_item += 1;
                }
            }
            assert_eq!(calendar.len(), reference.heap.len());
        }
        assert!(delivered > 5000, "only {delivered} events delivered");
    }
}
