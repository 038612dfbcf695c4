//! Values a kernel reads from other instances ([`Expr::Link`], [`Expr::Reduce`]) as Brian2
//! sees them.
//!
//! - A link entry that every member of a group points at the same slot of the same other
//!   group is a linked variable (`lkE : 1 (linked)`, one source index per member): Brian2 reads
//!   the source at the moment the code runs, as the kernel reads `vars`.
//! - A reduction over a list is split by (source group, slot). A part in which every member
//!   has exactly one element is again a linked variable; any other part is a `Synapses` object
//!   whose `(summed)` variable adds its elements, updated just before the reading group runs.
//!   A product (`reduce="multiply"`) needs exactly one element per member in each part.
//!
//! Anything else cannot be laid out on groups and is refused.

use std::collections::BTreeMap;

use lemsc_runtime::program::{Expr, Kernel, Program, Reduce, Stmt};

use super::layout::Layout;

/// `lkE = linked_var(source, slot, index=...)` on a group.
#[derive(Clone, Debug)]
pub struct Linked {
    pub name: String,
    pub source_group: usize,
    pub source_slot: u32,
    /// Per member of the reading group: the member of the source group.
    pub index: Vec<usize>,
}

/// A `Synapses` object summing `source_slot` of its pre members into `name` of its post.
#[derive(Clone, Debug)]
pub struct Summed {
    pub name: String,
    pub source_group: usize,
    pub source_slot: u32,
    pub pre: Vec<usize>,
    pub post: Vec<usize>,
}

/// What one group reads from others.
#[derive(Clone, Debug, Default)]
pub struct GroupLinks {
    pub linked: Vec<Linked>,
    pub summed: Vec<Summed>,
    /// The expression each link entry reads as, by entry.
    pub entries: BTreeMap<u32, String>,
    /// Temporaries an entry's expression may name, with their values: the runs of a long sum
    /// or product, computed first in the group's step ([`joined`]).
    pub temporaries: Vec<(String, String)>,
}

/// How a kernel's code reads one link entry.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Single,
    List(Reduce),
}

/// The link entries a kernel's step and event code read, and how.
pub fn link_uses(kernel: &Kernel) -> BTreeMap<u32, Use> {
    let mut uses = BTreeMap::new();
    for stmts in std::iter::once(&kernel.advance).chain(&kernel.on_event) {
        collect_stmts(stmts, &mut uses);
    }
    uses
}

/// The links of group `g`; an error says why they cannot be laid out.
pub fn group_links(program: &Program, layout: &Layout, g: usize) -> Result<GroupLinks, String> {
    let group = &layout.groups[g];
    let kernel = &program.kernels[group.kernel as usize];
    let uses = link_uses(kernel);
    let mut out = GroupLinks::default();
    for (&entry, &usage) in &uses {
        let lists: Vec<Vec<u64>> = group
            .members
            .iter()
            .map(|&inst| {
                let at = (program.instances[inst as usize].links + u64::from(entry)) as usize;
                match usage {
                    Use::Single => vec![program.links[at]],
                    Use::List(_) => {
                        let p = program.links[at] as usize;
                        let n = program.links[p] as usize;
                        program.links[p + 1..=p + n].to_vec()
                    }
                }
            })
            .collect();
        // Parts by (source group, slot): per member, the source members in list order.
        let mut parts: BTreeMap<(usize, u32), Vec<Vec<usize>>> = BTreeMap::new();
        for (member, list) in lists.iter().enumerate() {
            for &index in list {
                let (sg, sj, slot) = layout
                    .place_of(program, index)
                    .ok_or_else(|| format!("link {entry} of {} points nowhere", kernel.name))?;
                parts
                    .entry((sg, slot))
                    .or_insert_with(|| vec![Vec::new(); lists.len()])[member]
                    .push(sj);
            }
        }
        let mut terms = Vec::new();
        for (p, ((sg, slot), per_member)) in parts.into_iter().enumerate() {
            let one_each = per_member.iter().all(|m| m.len() == 1);
            if one_each {
                let name = format!("lk{entry}_{p}");
                out.linked.push(Linked {
                    name: name.clone(),
                    source_group: sg,
                    source_slot: slot,
                    index: per_member.iter().map(|m| m[0]).collect(),
                });
                terms.push(name);
            } else if usage == Use::List(Reduce::Add) {
                let name = format!("rd{entry}_{p}");
                let mut pre = Vec::new();
                let mut post = Vec::new();
                for (member, sources) in per_member.iter().enumerate() {
                    for &s in sources {
                        pre.push(s);
                        post.push(member);
                    }
                }
                out.summed.push(Summed {
                    name: name.clone(),
                    source_group: sg,
                    source_slot: slot,
                    pre,
                    post,
                });
                terms.push(name);
            } else {
                return Err(format!(
                    "{} reads {} of its instances from other groups in a way Brian2 groups \
                     cannot hold (a single value from different places, or a product over \
                     lists of different lengths)",
                    kernel.name,
                    if usage == Use::Single {
                        "a value that differs in kind for some"
                    } else {
                        "a product that differs in length for some"
                    }
                ));
            }
        }
        let text = match (usage, terms.len()) {
            (Use::List(Reduce::Add), 0) => "0.0".to_string(),
            (Use::List(Reduce::Multiply), 0) => "1.0".to_string(),
            (Use::List(Reduce::Multiply), _) => joined(entry, &terms, " * ", &mut out.temporaries),
            (_, _) => joined(entry, &terms, " + ", &mut out.temporaries),
        };
        out.entries.insert(entry, text);
    }
    Ok(out)
}

/// Terms joined by an operator, in parentheses. Brian2 flattens a chain of one operator and
/// renders it back as nested parentheses, one level per term, deeper than Python parses (a
/// c302 cell sums 240 parts): a long chain is computed in runs of [`RUN`] terms, each a
/// temporary of the step, and the entry joins those.
fn joined(
    entry: u32,
    terms: &[String],
    op: &str,
    temporaries: &mut Vec<(String, String)>,
) -> String {
    const LONG: usize = 64;
    const RUN: usize = 32;
    if terms.len() <= LONG {
        return format!("({})", terms.join(op));
    }
    let mut runs = Vec::new();
    for (k, run) in terms.chunks(RUN).enumerate() {
        let name = format!("ln{entry}_{k}");
        temporaries.push((name.clone(), format!("({})", run.join(op))));
        runs.push(name);
    }
    format!("({})", runs.join(op))
}

fn collect_stmts(stmts: &[Stmt], uses: &mut BTreeMap<u32, Use>) {
    for stmt in stmts {
        match stmt {
            Stmt::Set { value, .. } => collect_expr(value, uses),
            Stmt::If { test, then } => {
                collect_expr(test, uses);
                collect_stmts(then, uses);
            }
            Stmt::Emit { .. } => {}
            Stmt::Switch { arms, .. } => {
                for arm in arms {
                    collect_stmts(arm, uses);
                }
            }
        }
    }
}

fn collect_expr(e: &Expr, uses: &mut BTreeMap<u32, Use>) {
    match e {
        Expr::Link(entry) => {
            uses.insert(*entry, Use::Single);
        }
        Expr::Reduce(op, entry) => {
            uses.insert(*entry, Use::List(*op));
        }
        Expr::Neg(x) | Expr::Not(x) | Expr::Call(_, x) | Expr::Random(x) => collect_expr(x, uses),
        Expr::Binary(_, l, r) => {
            collect_expr(l, uses);
            collect_expr(r, uses);
        }
        Expr::Const(_) | Expr::Local(_) | Expr::Time | Expr::Step => {}
    }
}
