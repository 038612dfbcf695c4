//! Walking the instance tree by LEMS path segments, with jLEMS's rules for naming a child
//! (`StateInstance.getChild`): `[i]`, child and list-member names, component ids, and
//! `set:id:k` for the k-th attachment of one component in a set.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::ir::{ChildRef, InstId, Instance, SlotKind};
use crate::model::Model;
use crate::suggest::edit_distance;

/// The tree being walked: the instances and the model their components come from.
pub struct Tree<'a> {
    pub model: &'a Model,
    pub instances: &'a [Instance],
    /// Name indexes of instances with many children, where the caller keeps one across
    /// walks (a network's 100k connections each name two of 1000 population members).
    pub names: Option<&'a ChildNames>,
}

/// Fewer children than this are searched one by one: an index would cost more.
const INDEXED_CHILDREN: usize = 64;

/// The children of large instances by the names [`Tree::child`] finds them by, built on
/// first use. Children are only ever appended, so an index stays right while the instance
/// has as many children as when it was built, and is rebuilt when it has more.
#[derive(Default)]
pub struct ChildNames {
    by_inst: RefCell<HashMap<InstId, ChildIndex>>,
}

struct ChildIndex {
    /// How many children the instance had when this was built.
    len: usize,
    /// Name -> position of the first child a walk by id finds: a Child slot of that name,
    /// or a member named so whose component id is that name.
    by_id: HashMap<String, usize>,
    /// Name -> position of the first child named so at all (slot or member name).
    by_name: HashMap<String, usize>,
}

impl ChildIndex {
    fn build(tree: &Tree, inst: &Instance) -> ChildIndex {
        let mut by_id = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, c) in inst.children.iter().enumerate() {
            if c.kind == SlotKind::Single {
                by_id.entry(c.slot.clone()).or_insert(i);
                by_name.entry(c.slot.clone()).or_insert(i);
            }
            if c.kind != SlotKind::Multi {
                let name = &tree.inst(c.inst).name;
                by_name.entry(name.clone()).or_insert(i);
                if tree.comp_id(c.inst) == Some(name.as_str()) {
                    by_id.entry(name.clone()).or_insert(i);
                }
            }
        }
        ChildIndex {
            len: inst.children.len(),
            by_id,
            by_name,
        }
    }
}

impl<'a> Tree<'a> {
    /// A tree without name indexes (for walks that are few).
    pub fn new(model: &'a Model, instances: &'a [Instance]) -> Tree<'a> {
        Tree {
            model,
            instances,
            names: None,
        }
    }

    /// The child of `id` named `name` as the member scan of [`Tree::child`] finds it, from
    /// the index of `id`'s children (built or rebuilt here); `None` without an index.
    fn indexed_member(&self, id: InstId, name: &str) -> Option<Option<InstId>> {
        let cache = self.names?;
        let inst = self.inst(id);
        if inst.children.len() < INDEXED_CHILDREN {
            return None;
        }
        let mut by_inst = cache.by_inst.borrow_mut();
        let index = by_inst
            .entry(id)
            .and_modify(|index| {
                if index.len != inst.children.len() {
                    *index = ChildIndex::build(self, inst);
                }
            })
            .or_insert_with(|| ChildIndex::build(self, inst));
        let at = index.by_id.get(name).or_else(|| index.by_name.get(name));
        Some(at.map(|&i| inst.children[i].inst))
    }

    pub fn inst(&self, id: InstId) -> &'a Instance {
        &self.instances[id.0 as usize]
    }

    fn comp_id(&self, id: InstId) -> Option<&'a str> {
        self.model.component(self.inst(id).component).id.as_deref()
    }

    /// The type name of an instance's component, for messages.
    pub fn type_name(&self, id: InstId) -> &'a str {
        let comp = self.model.component(self.inst(id).component);
        &self.model.ty(comp.type_id).name
    }

    /// How messages name an instance: `network 'net1'`, `gate 'm' (gateHHrates)`,
    /// `'hhpop[0]' (pointCellCondBased 'hhcell')`.
    pub fn describe(&self, id: InstId) -> String {
        let ty = self.type_name(id);
        let typed = match self.comp_id(id) {
            Some(cid) => format!("{ty} '{cid}'"),
            None => ty.to_string(),
        };
        let inst = self.inst(id);
        let Some(parent) = inst.parent else {
            return typed;
        };
        let Some(place) = crate::ir::place_in(self.instances, id) else {
            return typed;
        };
        match place.kind {
            SlotKind::Multi => format!("'{}[{}]' ({typed})", self.inst(parent).name, inst.name),
            SlotKind::Single => format!("'{}' ({typed})", inst.name),
            SlotKind::List | SlotKind::Attachment => {
                let noun = singular(&place.slot);
                if noun == ty {
                    format!("{noun} '{}'", inst.name)
                } else {
                    format!("{noun} '{}' ({ty})", inst.name)
                }
            }
        }
    }

    /// The groups of an instance that hold many members, in order of first appearance.
    fn multi_groups(&self, id: InstId) -> Vec<(&'a str, SlotKind)> {
        let mut groups: Vec<(&str, SlotKind)> = Vec::new();
        for c in &self.inst(id).children {
            if c.kind != SlotKind::Single && !groups.iter().any(|(s, _)| *s == c.slot) {
                groups.push((c.slot.as_str(), c.kind));
            }
        }
        groups
    }

    fn members(&self, id: InstId, slot: &str) -> impl Iterator<Item = InstId> + 'a {
        let slot = slot.to_string();
        self.inst(id)
            .children
            .iter()
            .filter(move |c| c.kind != SlotKind::Single && c.slot == slot)
            .map(|c| c.inst)
    }

    /// One step down (or up, for `..`) from `id` by the path segment `name`.
    pub fn child(&self, id: InstId, name: &str) -> Result<InstId, String> {
        let inst = self.inst(id);
        match name {
            "." | "this" => return Ok(id),
            ".." | "parent" => {
                return inst
                    .parent
                    .ok_or_else(|| format!("{} has no parent", self.describe(id)))
            }
            _ => {}
        }
        if let Some(index) = name.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            return self.indexed(id, index);
        }
        // A Child slot name, or a list member (or ChildInstance-made child) by its id. A
        // member without an id is named by its index, but jLEMS cannot reach it by name: in
        // a populationList, `<property>` tags before the `<instance id="0">`s must not take
        // the name "0" from the instances.
        let named = |c: &&ChildRef, by_id: bool| {
            (c.kind == SlotKind::Single && c.slot == name)
                || (c.kind != SlotKind::Multi
                    && self.inst(c.inst).name == name
                    && (!by_id || self.comp_id(c.inst) == Some(name)))
        };
        let member = match self.indexed_member(id, name) {
            Some(found) => found,
            None => inst
                .children
                .iter()
                .find(|c| named(c, true))
                .or_else(|| inst.children.iter().find(|c| named(c, false)))
                .map(|c| c.inst),
        };
        if let Some(found) = member {
            return Ok(found);
        }
        // `pop/3/cell` in a population made by MultiInstantiate: its members are reached
        // by a bare index too, as jLEMS names them.
        if name.bytes().all(|b| b.is_ascii_digit())
            && inst.children.iter().any(|c| c.kind == SlotKind::Multi)
        {
            return self.indexed(id, name);
        }
        if let Some(found) = self.attachment_by_count(id, name) {
            return found;
        }
        // Any member whose component id is the name.
        if let Some(c) = inst
            .children
            .iter()
            .find(|c| self.comp_id(c.inst) == Some(name))
        {
            return Ok(c.inst);
        }
        Err(self.missing_child(id, name))
    }

    fn indexed(&self, id: InstId, index: &str) -> Result<InstId, String> {
        let i: usize = index
            .trim()
            .parse()
            .map_err(|_| format!("'[{index}]' is not an index; expected a whole number"))?;
        let groups = self.multi_groups(id);
        let group = match groups.iter().find(|(_, k)| *k == SlotKind::Multi) {
            Some(g) => g.0,
            None if groups.len() == 1 => groups[0].0,
            None if groups.is_empty() => {
                return Err(format!(
                    "{} has no population or list to index with [{i}]",
                    self.describe(id)
                ))
            }
            None => {
                let names: Vec<&str> = groups.iter().map(|g| g.0).collect();
                return Err(format!(
                    "[{i}] is ambiguous in {}: it has several lists ({})",
                    self.describe(id),
                    names.join(", ")
                ));
            }
        };
        let members: Vec<InstId> = self.members(id, group).collect();
        members.get(i).copied().ok_or_else(|| match members.len() {
            0 => format!("index {i} is out of range: {} is empty", self.describe(id)),
            n => format!(
                "index {i} is out of range: {} has {n} instance{}, indices 0 to {}",
                self.describe(id),
                if n == 1 { "" } else { "s" },
                n - 1
            ),
        })
    }

    /// `set:id:k`: the k-th member of `set` made from component `id`.
    fn attachment_by_count(&self, id: InstId, name: &str) -> Option<Result<InstId, String>> {
        let mut parts = name.splitn(3, ':');
        let (set, cid, k) = (parts.next()?, parts.next()?, parts.next()?);
        let Ok(k) = k.parse::<usize>() else {
            return Some(Err(format!(
                "'{name}': expected set:component:index with a whole number index"
            )));
        };
        let matching: Vec<InstId> = self
            .members(id, set)
            .filter(|&m| self.comp_id(m) == Some(cid))
            .collect();
        Some(matching.get(k).copied().ok_or_else(|| {
            format!(
                "{} has {} '{cid}' in '{set}', so '{name}' does not exist",
                self.describe(id),
                matching.len()
            )
        }))
    }

    /// "no population 'x' in network 'net1'; populations: a, b".
    fn missing_child(&self, id: InstId, name: &str) -> String {
        let inst = self.inst(id);
        let mut slots: Vec<(&str, Vec<&str>)> = Vec::new();
        for c in &inst.children {
            let shown = match c.kind {
                SlotKind::Single => c.slot.as_str(),
                SlotKind::Multi => continue,
                _ => self.inst(c.inst).name.as_str(),
            };
            match slots.iter_mut().find(|(s, _)| *s == c.slot) {
                Some((_, names)) => names.push(shown),
                None => slots.push((c.slot.as_str(), vec![shown])),
            }
        }
        let multi = self.multi_groups(id);
        let has_multi = multi.iter().any(|(_, k)| *k == SlotKind::Multi);
        // Name what was probably meant by the slot of the nearest candidate (a typo of a
        // population's id is "no population ...").
        let nearest = slots
            .iter()
            .flat_map(|(slot, names)| names.iter().map(move |n| (edit_distance(n, name), *slot)))
            .min_by_key(|(d, _)| *d)
            .filter(|(d, _)| *d <= name.len().max(2) / 2);
        let noun = match nearest {
            Some((_, slot))
                if inst
                    .children
                    .iter()
                    .any(|c| c.slot == slot && c.kind != SlotKind::Single) =>
            {
                singular(slot).to_string()
            }
            _ => "child".to_string(),
        };
        let mut msg = format!("no {noun} '{name}' in {}", self.describe(id));
        if slots.is_empty() {
            if has_multi {
                msg.push_str("; its instances are reached by index, e.g. [0]");
            } else {
                msg.push_str("; it has no children");
            }
        } else {
            let listed: Vec<String> = slots
                .iter()
                .map(|(slot, names)| {
                    let mut uniq: Vec<&str> = Vec::new();
                    for n in names {
                        if !uniq.contains(n) {
                            uniq.push(n);
                        }
                    }
                    if uniq.len() == 1 && uniq[0] == *slot {
                        slot.to_string()
                    } else {
                        format!("{slot}: {}", shorten(&uniq))
                    }
                })
                .collect();
            msg.push_str(&format!("; {}", listed.join("; ")));
        }
        msg
    }
}

/// `populations` → `population`, for messages.
fn singular(slot: &str) -> &str {
    slot.strip_suffix('s').unwrap_or(slot)
}

/// At most 8 names, then how many more.
pub fn shorten(names: &[&str]) -> String {
    if names.len() <= 8 {
        names.join(", ")
    } else {
        format!("{}, ... ({} more)", names[..8].join(", "), names.len() - 8)
    }
}

/// A LEMS path split into segments the way jLEMS does: `pop[0]/v` → `pop`, `[0]`, `v`.
/// Each segment comes with its byte offset in `path`.
pub fn segments(path: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = path.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'/' || b == b'[' {
            if i > start {
                out.push((start, &path[start..i]));
            }
            start = if b == b'/' { i + 1 } else { i };
        }
    }
    if start < path.len() {
        out.push((start, &path[start..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn splits_at_slashes_and_before_brackets() {
        let parts: Vec<&str> = segments("net1/pop[3]/a/v")
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(parts, ["net1", "pop", "[3]", "a", "v"]);
        assert_eq!(segments("../pop[0]")[2], (6, "[0]"));
        let parts: Vec<&str> = segments("pop/0/cell/v").into_iter().map(|p| p.1).collect();
        assert_eq!(parts, ["pop", "0", "cell", "v"]);
    }
}
