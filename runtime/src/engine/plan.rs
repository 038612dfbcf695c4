//! The step order regrouped for running: consecutive `Op::Advance`s of instances of the same
//! kernel (the synapses of a cell, the cells of a population) become one batch, run by a
//! single [`super::code::KernelCode::advance_batch`] call instead of one call per instance.
//!
//! The ops come in the order [`super::regroup`] gives, which brings advances of one kernel
//! together where that changes no result; a batch stops after any instance that fires
//! or diverges, so events and errors happen exactly where the op-by-op loop has them.

use crate::program::{Op, Program};

/// One thing a step runs.
pub(super) enum Step<'p> {
    /// `advance` of `insts[range]` (all of one kernel), in order.
    Batch {
        kernel: u32,
        range: std::ops::Range<usize>,
    },
    /// Any other op, run as it stands, with its position in the step order.
    Op(&'p Op, usize),
}

/// A step order as batches and ops.
pub(super) struct StepPlan<'p> {
    pub steps: Vec<Step<'p>>,
    /// The instances of all batches, batch after batch.
    pub insts: Vec<u32>,
    /// `[base, link_start]` of each of `insts`.
    pub places: Vec<[u64; 2]>,
    /// The position in the step order of the advance of each of `insts`.
    pub positions: Vec<usize>,
}

impl<'p> StepPlan<'p> {
    /// Groups `ops` of `program` (each with its position in the step order), in the order
    /// given. Advances of kernels with neither `advance` statements nor state slots are left
    /// out: they change nothing and cannot diverge.
    pub fn new(
        program: &'p Program,
        ops: impl IntoIterator<Item = (usize, &'p Op)>,
    ) -> StepPlan<'p> {
        let mut plan = StepPlan {
            steps: Vec::new(),
            insts: Vec::new(),
            places: Vec::new(),
            positions: Vec::new(),
        };
        for (position, op) in ops {
            let Op::Advance { inst } = *op else {
                plan.steps.push(Step::Op(op, position));
                continue;
            };
            let rec = &program.instances[inst as usize];
            let kernel = &program.kernels[rec.kernel as usize];
            if kernel.advance.is_empty() && kernel.state_slots.is_empty() {
                continue;
            }
            let at = plan.insts.len();
            plan.insts.push(inst);
            plan.places.push([rec.base, rec.links]);
            plan.positions.push(position);
            match plan.steps.last_mut() {
                Some(Step::Batch { kernel, range }) if *kernel == rec.kernel => range.end = at + 1,
                _ => plan.steps.push(Step::Batch {
                    kernel: rec.kernel,
                    range: at..at + 1,
                }),
            }
        }
        plan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{InstanceRec, Kernel, Stmt};

    fn instance(kernel: u32, base: u64) -> InstanceRec {
        InstanceRec {
            kernel,
            base,
            links: base * 10,
            path: format!("i{base}"),
        }
    }

    #[test]
    fn consecutive_advances_of_one_kernel_form_one_batch() {
        let advancing = Kernel {
            block_len: 1,
            advance: vec![Stmt::Emit { port: 0 }],
            ..Kernel::default()
        };
        let idle = Kernel::default();
        let program = Program {
            kernels: vec![advancing.clone(), advancing, idle],
            instances: vec![
                instance(0, 0),
                instance(0, 1),
                instance(1, 2),
                instance(2, 3),
                instance(0, 4),
            ],
            dt: 1e-5,
            steps: 1,
            initial: vec![0.0; 5],
            ..Program::default()
        };
        let ops: Vec<Op> = [0, 1, 3, 2, 4, 4]
            .into_iter()
            .map(|inst| Op::Advance { inst })
            .chain([Op::Init {
                inst: 0,
                with_derived: false,
            }])
            .collect();
        let plan = StepPlan::new(&program, ops.iter().enumerate());
        // Instance 3 (nothing to run) is dropped, so 0 and 1 stay together; 2 is another
        // kernel; 4 twice is one batch of two; the Init stays an op.
        assert_eq!(plan.insts, vec![0, 1, 2, 4, 4]);
        assert_eq!(plan.places[2], [2, 20]);
        assert_eq!(plan.positions, vec![0, 1, 3, 4, 5]);
        let shape: Vec<String> = plan
            .steps
            .iter()
            .map(|s| match s {
                Step::Batch { kernel, range } => format!("k{kernel}:{range:?}"),
                Step::Op(op, _) => format!("{op:?}"),
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                "k0:0..2",
                "k1:2..3",
                "k0:3..5",
                "Init { inst: 0, with_derived: false }"
            ]
        );
    }
}
