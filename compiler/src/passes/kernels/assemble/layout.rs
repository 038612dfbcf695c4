//! Where every instance of a program lives: its kernel plan, its block in vars and its link
//! entries. Built by `assemble::lay_out`, read by the link, order and output passes.

use crate::diag::Span;
use crate::ir::{InstId, Ir};
use crate::model::Model;
use crate::passes::kernels::plan::KernelPlan;
use crate::passes::navigate::Tree;

/// Where every instance lives: its kernel plan, its block in vars and its link entries.
pub(in crate::passes::kernels) struct ProgramLayout<'a> {
    pub model: &'a Model,
    pub ir: &'a Ir,
    /// One plan per kernel, in kernel order.
    pub plans: Vec<KernelPlan>,
    /// Kernel index of each instance.
    pub kernel_of: Vec<u32>,
    /// First vars index of each instance's block.
    pub base: Vec<u64>,
    /// First entry of each instance's links.
    pub link_start: Vec<u64>,
    /// vars taken by all the instance blocks.
    pub vars_len: u64,
    /// Link entries taken by all the instances (lists go after them).
    pub links_len: u64,
}

impl<'a> ProgramLayout<'a> {
    pub fn plan(&self, inst: InstId) -> &KernelPlan {
        &self.plans[self.kernel_of[inst.0 as usize] as usize]
    }

    /// The vars index another instance reads for `name` of `inst` (exposure first).
    pub fn readable(&self, inst: InstId, name: &str) -> Option<u64> {
        let slot = *self.plan(inst).readable.get(name)?;
        Some(self.base[inst.0 as usize] + u64::from(slot))
    }

    /// The vars index of the variable `name` itself (not its exposed copy).
    pub fn variable(&self, inst: InstId, name: &str) -> Option<u64> {
        let slot = self
            .plan(inst)
            .kernel
            .slot_names
            .iter()
            .position(|s| s == name)?;
        Some(self.base[inst.0 as usize] + slot as u64)
    }

    pub fn tree(&self) -> Tree<'a> {
        Tree::new(self.model, &self.ir.instances)
    }

    /// How messages name an instance: its path and what it is.
    pub fn describe(&self, inst: InstId) -> String {
        let path = self.ir.path_of(inst);
        let what = self.tree().describe(inst);
        if path.is_empty() {
            what
        } else {
            format!("{what} at '{path}'")
        }
    }

    /// Where a problem with `inst` is shown: the element of its component.
    pub fn span_of(&self, inst: InstId) -> Span {
        self.model.component(self.ir.inst(inst).component).span
    }

    /// Where a problem of the run as a whole is shown: the Simulation element.
    pub fn simulation_span(&self) -> Span {
        self.model.component(self.ir.simulation.component).span
    }
}
