//! Events waiting out a connection delay, delivered in order of due time and, for equal due
//! times, in the order they were sent (as jLEMS's `EventManager` keeps them).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// An event due at `due` on in-port `in_port` of instance `target`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DelayedEvent {
    pub due: f64,
    pub target: u32,
    pub in_port: u32,
}

/// The pending delayed events of a run.
#[derive(Default)]
pub struct DelayedEvents {
    heap: BinaryHeap<Pending>,
    /// Numbers the events in the order they were sent, to keep equal due times in order.
    sent: u64,
}

impl DelayedEvents {
    pub fn new() -> DelayedEvents {
        DelayedEvents::default()
    }

    /// Queues `event`. Its due time must not be NaN.
    pub fn push(&mut self, event: DelayedEvent) {
        debug_assert!(!event.due.is_nan(), "a delayed event due at NaN");
        self.heap.push(Pending {
            event,
            seq: self.sent,
        });
        self.sent += 1;
    }

    /// The earliest event due at or before `t`, taken off the queue.
    pub fn pop_due(&mut self, t: f64) -> Option<DelayedEvent> {
        match self.heap.peek() {
            Some(first) if first.event.due <= t => self.heap.pop().map(|p| p.event),
            _ => None,
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

/// A queued event, ordered so that the max-heap's top is the earliest due, first sent.
struct Pending {
    event: DelayedEvent,
    seq: u64,
}

impl Ord for Pending {
    fn cmp(&self, other: &Pending) -> Ordering {
        other
            .event
            .due
            .total_cmp(&self.event.due)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Pending) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pending {
    fn eq(&self, other: &Pending) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pending {}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(due: f64, target: u32) -> DelayedEvent {
        DelayedEvent {
            due,
            target,
            in_port: 0,
        }
    }

    #[test]
    fn earliest_first_and_equal_times_in_the_order_sent() {
        let mut q = DelayedEvents::new();
        for (due, target) in [(3.0, 0), (1.0, 1), (3.0, 2), (2.0, 3), (1.0, 4), (3.0, 5)] {
            q.push(event(due, target));
        }
        assert_eq!(q.pop_due(0.5), None);
        let mut order = Vec::new();
        while let Some(e) = q.pop_due(10.0) {
            order.push(e.target);
        }
        assert_eq!(order, vec![1, 4, 3, 0, 2, 5]);
        assert!(q.is_empty());
    }

    #[test]
    fn only_events_due_by_t_are_taken() {
        let mut q = DelayedEvents::new();
        q.push(event(0.1 + 0.2, 0));
        assert_eq!(q.pop_due(0.3), None, "0.1 + 0.2 is just above 0.3");
        assert_eq!(q.pop_due(0.1 + 0.2).map(|e| e.target), Some(0));
        assert_eq!(q.len(), 0);
    }
}
