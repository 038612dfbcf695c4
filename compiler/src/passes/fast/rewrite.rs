//! Applies merge groups to a program: a relay kernel per merged kernel, a relay instance per
//! merged instance (its connections redirected there), merged instances out of the init and
//! step orders and out of the sums their parent reads.

use std::collections::{HashMap, HashSet};

use lemsc_runtime::program::{order, Expr, InstanceRec, Kernel, Op, Program, Stmt};

use super::linear::LinearSynapse;
use super::MergeSummary;

/// Merges every instance of each group but the first into the first (see the module doc of
/// [`super`]); `listed_in` gives the sums that read each instance.
pub(super) fn apply(
    program: &mut Program,
    analyses: &[Option<LinearSynapse>],
    groups: &[Vec<u32>],
    listed_in: &[Vec<(u64, u32)>],
) -> MergeSummary {
    let mut relay_kernels: HashMap<u32, u32> = HashMap::new();
    // Per instance, its relay (NO_RELAY when not merged): a table, as the init order of a
    // network holds millions of ops to look up.
    let mut relay_of: Vec<u32> = vec![NO_RELAY; program.instances.len()];
    let mut merged_count = 0;
    let mut dropped: HashMap<u64, HashSet<u64>> = HashMap::new();
    for group in groups {
        let shared_base = program.instances[group[0] as usize].base;
        for &merged in &group[1..] {
            let rec = program.instances[merged as usize].clone();
            let kernel = rec.kernel as usize;
            let analysis = analyses[kernel]
                .as_ref()
                .expect("merged kernels are linear");
            let relay_kernel = *relay_kernels.entry(rec.kernel).or_insert_with(|| {
                program
                    .kernels
                    .push(relay_kernel(&program.kernels[kernel], analysis));
                (program.kernels.len() - 1) as u32
            });
            // The relay reads the merged instance's own links, then its per-connection values.
            let links = program.links.len() as u64;
            let own = rec.links as usize
                ..(rec.links + u64::from(program.kernels[kernel].link_count)) as usize;
            program.links.extend_from_within(own);
            let constants = analysis.handler_constants.iter();
            program
                .links
                .extend(constants.map(|&s| rec.base + u64::from(s)));
            relay_of[merged as usize] = program.instances.len() as u32;
            merged_count += 1;
            program.instances.push(InstanceRec {
                kernel: relay_kernel,
                base: shared_base,
                links,
                path: rec.path,
            });
            for &(list, slot) in &listed_in[merged as usize] {
                dropped
                    .entry(list)
                    .or_default()
                    .insert(rec.base + u64::from(slot));
            }
        }
    }
    let is_merged = |inst: &u32| relay_of.get(*inst as usize).is_some_and(|&r| r != NO_RELAY);
    for c in &mut program.connections {
        if is_merged(&c.target) {
            c.target = relay_of[c.target as usize];
        }
    }
    program
        .step_order
        .retain(|op| !matches!(op, Op::Advance { inst } if is_merged(inst)));
    // Nothing reads a merged instance's block any more but its relay, for slots no entry
    // writes: its initialisation would be wasted work.
    order::retain(
        &mut program.init_order,
        |op: &Op| !matches!(op, Op::Init { inst, .. } if is_merged(inst)),
    );
    for (list, vars) in dropped {
        drop_from_list(&mut program.links, list as usize, &vars);
    }
    MergeSummary {
        groups: groups.len(),
        merged: merged_count,
    }
}

/// No relay: the instance was not merged.
const NO_RELAY: u32 = u32::MAX;

/// Removes `vars` from the list at `list` (count, then entries), keeping the others in order;
/// the entries freed at its end are left unused.
fn drop_from_list(links: &mut [u64], list: usize, vars: &HashSet<u64>) {
    let count = links[list] as usize;
    let mut kept = 0;
    for i in 0..count {
        let var = links[list + 1 + i];
        if !vars.contains(&var) {
            links[list + 1 + kept] = var;
            kept += 1;
        }
    }
    links[list] = kept as u64;
}

/// A kernel with no dynamics of its own, laid over the shared state: `kernel`'s event
/// handlers with the constants only they read taken through links appended after its own.
fn relay_kernel(kernel: &Kernel, analysis: &LinearSynapse) -> Kernel {
    let first = kernel.link_count;
    let relink = |stmt: &Stmt| match stmt {
        Stmt::Set { slot, value } => Stmt::Set {
            slot: *slot,
            value: relinked(value, &analysis.handler_constants, first),
        },
        other => other.clone(),
    };
    Kernel {
        name: format!("{} (merged connection)", kernel.name),
        block_len: kernel.block_len,
        link_count: first + analysis.handler_constants.len() as u32,
        slot_names: kernel.slot_names.clone(),
        in_ports: kernel.in_ports.clone(),
        on_event: kernel
            .on_event
            .iter()
            .map(|handler| handler.iter().map(relink).collect())
            .collect(),
        ..Kernel::default()
    }
}

/// `e` with slot `constants[i]` read through link entry `first + i`.
fn relinked(e: &Expr, constants: &[u32], first: u32) -> Expr {
    let again = |a: &Expr| Box::new(relinked(a, constants, first));
    match e {
        Expr::Local(s) => match constants.binary_search(s) {
            Ok(i) => Expr::Link(first + i as u32),
            Err(_) => Expr::Local(*s),
        },
        Expr::Neg(a) => Expr::Neg(again(a)),
        Expr::Not(a) => Expr::Not(again(a)),
        Expr::Call(f, a) => Expr::Call(*f, again(a)),
        Expr::Random(a) => Expr::Random(again(a)),
        Expr::Binary(op, a, b) => Expr::Binary(*op, again(a), again(b)),
        other => other.clone(),
    }
}
