//! Where every instance of the program lives in Brian2: one `NeuronGroup` per kernel (all
//! instances of one component), members in program order, and the order the groups run in.
//!
//! jLEMS advances instance by instance, children before parents (docs/jlems-semantics.md
//! §4.1). Running one kernel for all its instances at once keeps that order whenever a
//! kernel's instances come, in the step order, before those of every kernel that reads
//! them; the groups run in the order each kernel first appears in the step order.

use lemsc_runtime::program::{Op, Program};

/// One `NeuronGroup`.
#[derive(Clone, Debug)]
pub struct Group {
    pub kernel: u32,
    /// Instances (indices into `Program::instances`), member `j` is `members[j]`.
    pub members: Vec<u32>,
    /// Position among the groups that advance; `None` for a kernel never advanced.
    pub rank: Option<usize>,
}

/// Instances grouped by kernel, and a way back from an index into `vars`.
pub struct Layout {
    pub groups: Vec<Group>,
    /// Per instance: (group, member index).
    pub place: Vec<(usize, usize)>,
    /// Instances sorted by their block's first slot, for [`Layout::locate`].
    by_base: Vec<(u64, u32)>,
    /// Per instance: its position in the step order (events of one step are written in it).
    pub step_position: Vec<usize>,
}

impl Layout {
    pub fn new(program: &Program) -> Layout {
        let mut group_of_kernel = vec![usize::MAX; program.kernels.len()];
        let mut groups: Vec<Group> = Vec::new();
        let mut place = Vec::with_capacity(program.instances.len());
        for (i, inst) in program.instances.iter().enumerate() {
            let k = inst.kernel as usize;
            if group_of_kernel[k] == usize::MAX {
                group_of_kernel[k] = groups.len();
                groups.push(Group {
                    kernel: inst.kernel,
                    members: Vec::new(),
                    rank: None,
                });
            }
            let g = group_of_kernel[k];
            place.push((g, groups[g].members.len()));
            groups[g].members.push(i as u32);
        }
        let mut step_position = vec![usize::MAX; program.instances.len()];
        let mut next_rank = 0;
        for (pos, op) in program.step_order.iter().enumerate() {
            if let Op::Advance { inst } = op {
                step_position[*inst as usize] = pos;
                let g = place[*inst as usize].0;
                if groups[g].rank.is_none() {
                    groups[g].rank = Some(next_rank);
                    next_rank += 1;
                }
            }
        }
        let mut by_base: Vec<(u64, u32)> = program
            .instances
            .iter()
            .enumerate()
            .map(|(i, r)| (r.base, i as u32))
            .collect();
        by_base.sort_unstable();
        Layout {
            groups,
            place,
            by_base,
            step_position,
        }
    }

    /// The instance and slot of `vars[index]`.
    pub fn locate(&self, program: &Program, index: u64) -> Option<(u32, u32)> {
        let at = self.by_base.partition_point(|&(base, _)| base <= index);
        let &(base, inst) = self.by_base.get(at.checked_sub(1)?)?;
        let kernel = &program.kernels[program.instances[inst as usize].kernel as usize];
        let slot = index - base;
        (slot < u64::from(kernel.block_len)).then_some((inst, slot as u32))
    }

    /// Group, member and slot of `vars[index]`.
    pub fn place_of(&self, program: &Program, index: u64) -> Option<(usize, usize, u32)> {
        let (inst, slot) = self.locate(program, index)?;
        let (g, j) = self.place[inst as usize];
        Some((g, j, slot))
    }
}
