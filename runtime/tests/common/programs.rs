//! Hand-written test programs start from here.

use lemsc_runtime::program::{InstanceRec, Kernel, Program};

/// A program of `steps` steps of `dt` seconds with these kernels, instances and initial
/// values, and nothing else yet: no links, orders, connections or outputs (tests add theirs).
pub fn bare_program(
    dt: f64,
    steps: u64,
    seed: i64,
    kernels: Vec<Kernel>,
    instances: Vec<InstanceRec>,
    initial: Vec<f64>,
) -> Program {
    Program {
        dt,
        steps,
        seed,
        kernels,
        instances,
        initial,
        links: Vec::new(),
        init_order: Vec::new(),
        step_order: Vec::new(),
        connections: Vec::new(),
        outputs: Vec::new(),
        event_outputs: Vec::new(),
    }
}
