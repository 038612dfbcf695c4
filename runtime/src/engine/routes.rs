//! Where each out-port's events go, looked up by (instance, out-port) without searching:
//! the connections that deliver at once, those that wait out a delay, and the
//! `EventOutputFile` selections that record the port. Each receiver carries its kernel and
//! block, so delivering an event reads nothing of the program's instance table.

use std::ops::Range;

use crate::program::Program;

/// A receiver of an event: in-port `in_port` of instance `target`, whose kernel is `kernel`
/// and whose block and links start at `base` and `links` (copied from its
/// [`crate::program::InstanceRec`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receiver {
    pub target: u32,
    pub in_port: u32,
    pub kernel: u32,
    pub base: u64,
    pub links: u64,
}

/// An event recorder: selection `selection` of event output file `file`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventRecorder {
    pub file: u32,
    pub selection: u32,
}

/// The receivers of every (instance, out-port), in the order jLEMS serves them.
pub struct Routes {
    /// Index of (instance, port 0) in `ports`; (instance, port k) is at `first_port[i] + k`.
    first_port: Vec<usize>,
    ports: Vec<PortRoutes>,
    immediate: Vec<Receiver>,
    delayed: Vec<(Receiver, f64)>,
    recorders: Vec<EventRecorder>,
    /// The longest delay of a delayed connection (0 without any).
    longest_delay: f64,
}

#[derive(Clone, Default)]
struct PortRoutes {
    immediate: Range<usize>,
    delayed: Range<usize>,
    recorders: Range<usize>,
}

impl Routes {
    /// Groups the connections and event selections of a validated program by source port,
    /// keeping program order within each group.
    pub fn new(program: &Program) -> Routes {
        let mut first_port = Vec::with_capacity(program.instances.len());
        let mut port_count = 0;
        for inst in &program.instances {
            first_port.push(port_count);
            port_count += program.kernels[inst.kernel as usize].out_ports.len();
        }
        let slot = |inst: u32, port: u32| first_port[inst as usize] + port as usize;

        let mut immediate: Vec<Vec<Receiver>> = vec![Vec::new(); port_count];
        let mut delayed: Vec<Vec<(Receiver, f64)>> = vec![Vec::new(); port_count];
        let mut longest_delay: f64 = 0.0;
        for c in &program.connections {
            let rec = &program.instances[c.target as usize];
            let receiver = Receiver {
                target: c.target,
                in_port: c.in_port,
                kernel: rec.kernel,
                base: rec.base,
                links: rec.links,
            };
            let at = slot(c.source, c.out_port);
            if c.delay <= 0.0 {
                immediate[at].push(receiver);
            } else {
                delayed[at].push((receiver, c.delay));
                longest_delay = longest_delay.max(c.delay);
            }
        }
        let mut recorders: Vec<Vec<EventRecorder>> = vec![Vec::new(); port_count];
        for (file, out) in program.event_outputs.iter().enumerate() {
            for (selection, sel) in out.selections.iter().enumerate() {
                recorders[slot(sel.inst, sel.out_port)].push(EventRecorder {
                    file: file as u32,
                    selection: selection as u32,
                });
            }
        }

        let mut routes = Routes {
            first_port,
            ports: vec![PortRoutes::default(); port_count],
            immediate: Vec::new(),
            delayed: Vec::new(),
            recorders: Vec::new(),
            longest_delay,
        };
        for (at, port) in routes.ports.iter_mut().enumerate() {
            port.immediate = append(&mut routes.immediate, &immediate[at]);
            port.delayed = append(&mut routes.delayed, &delayed[at]);
            port.recorders = append(&mut routes.recorders, &recorders[at]);
        }
        routes
    }

    fn port(&self, inst: u32, port: u32) -> &PortRoutes {
        &self.ports[self.first_port[inst as usize] + port as usize]
    }

    /// The connections of (inst, port) with no delay, in program order.
    pub fn immediate(&self, inst: u32, port: u32) -> Range<usize> {
        self.port(inst, port).immediate.clone()
    }

    /// The receiver at position `at` of an [`Routes::immediate`] range.
    pub fn immediate_at(&self, at: usize) -> Receiver {
        self.immediate[at]
    }

    /// The connections of (inst, port) with a delay, in program order.
    pub fn delayed(&self, inst: u32, port: u32) -> &[(Receiver, f64)] {
        &self.delayed[self.port(inst, port).delayed.clone()]
    }

    /// The longest delay of any delayed connection, in seconds (0 without any).
    pub fn longest_delay(&self) -> f64 {
        self.longest_delay
    }

    /// The event selections that record (inst, port), in file then selection order.
    pub fn recorders(&self, inst: u32, port: u32) -> &[EventRecorder] {
        &self.recorders[self.port(inst, port).recorders.clone()]
    }
}

/// Appends `items` to `all` and returns where they went.
fn append<T: Copy>(all: &mut Vec<T>, items: &[T]) -> Range<usize> {
    let start = all.len();
    all.extend_from_slice(items);
    start..all.len()
}
