//! Segment groups: which segments each `segmentGroup` of the morphology holds, with its
//! includes and paths resolved.

use super::*;

pub(super) struct GroupDef {
    pub(super) comp: CompId,
    pub(super) name: String,
    pub(super) cable: bool,
    /// `numberInternalDivisions`.
    pub(super) divisions: Option<u32>,
}

pub(super) struct GroupSet {
    pub(super) defs: Vec<GroupDef>,
    /// Segment indices of each group (same order as `defs`), in tree order.
    pub(super) members: Vec<Vec<usize>>,
}

impl GroupSet {
    pub(super) fn read(
        model: &Model,
        morphology: CompId,
        tree: &SegmentTree,
    ) -> Result<GroupSet, Vec<Diagnostic>> {
        let morph = model.component(morphology);
        let mut diags = Vec::new();
        let mut defs = Vec::new();
        for (comp_id, comp) in children_in(model, morph, "segmentGroups") {
            let name = comp.id.clone().unwrap_or_default();
            if defs.iter().any(|d: &GroupDef| d.name == name) {
                diags.push(Diagnostic::at(
                    comp.name_span,
                    format!("segmentGroup '{name}' is defined twice"),
                ));
                continue;
            }
            let mut divisions = None;
            for (_, property) in children_in(model, comp, "property") {
                if property.text("tag") != Some("numberInternalDivisions") {
                    continue;
                }
                let value = property.text("value").unwrap_or("");
                match value.trim().parse::<u32>() {
                    Ok(n) if n > 0 => divisions = Some(n),
                    _ => diags.push(Diagnostic::at(
                        property.name_span,
                        format!("numberInternalDivisions '{value}' of segmentGroup '{name}' is not a positive integer"),
                    )),
                }
            }
            defs.push(GroupDef {
                comp: comp_id,
                cable: text_or_extra(comp, "neuroLexId") == Some(UNBRANCHED_CABLE),
                name,
                divisions,
            });
        }
        let mut resolver = GroupResolver {
            model,
            tree,
            defs: &defs,
            done: vec![None; defs.len()],
            visiting: vec![false; defs.len()],
            diags: &mut diags,
        };
        let members: Vec<Vec<usize>> = (0..defs.len())
            .map(|g| resolver.members(g).unwrap_or_default())
            .collect();
        if diags.is_empty() {
            Ok(GroupSet { defs, members })
        } else {
            Err(diags)
        }
    }

    pub(super) fn index(&self, name: &str) -> Option<usize> {
        self.defs.iter().position(|d| d.name == name)
    }
}

/// Resolves groups' `member`, `include`, `path` and `subTree` elements, includes recursively.
pub(super) struct GroupResolver<'a> {
    pub(super) model: &'a Model,
    pub(super) tree: &'a SegmentTree,
    pub(super) defs: &'a [GroupDef],
    pub(super) done: Vec<Option<Vec<usize>>>,
    pub(super) visiting: Vec<bool>,
    pub(super) diags: &'a mut Vec<Diagnostic>,
}

impl GroupResolver<'_> {
    pub(super) fn members(&mut self, group: usize) -> Option<Vec<usize>> {
        if let Some(done) = &self.done[group] {
            return Some(done.clone());
        }
        let comp = self.model.component(self.defs[group].comp);
        if self.visiting[group] {
            self.diags.push(Diagnostic::at(
                comp.name_span,
                format!(
                    "segmentGroup '{}' includes itself (through its <include>s)",
                    self.defs[group].name
                ),
            ));
            return None;
        }
        self.visiting[group] = true;
        let mut found = Vec::new();
        for (_, member) in children_in(self.model, comp, "members") {
            found.extend(self.segment_at(member, member.text("segment")));
        }
        for (_, include) in children_in(self.model, comp, "includes") {
            let target = include.text("segmentGroup").unwrap_or("");
            match self.defs.iter().position(|d| d.name == target) {
                Some(other) => found.extend(self.members(other).unwrap_or_default()),
                None => self.diags.push(Diagnostic::at(
                    include.name_span,
                    format!("<include> names segmentGroup '{target}', which this morphology does not define"),
                )),
            }
        }
        for (_, path) in children_in(self.model, comp, "paths") {
            found.extend(self.path(path));
        }
        for (_, sub_tree) in children_in(self.model, comp, "subTrees") {
            found.extend(self.sub_tree(sub_tree));
        }
        found.sort_by_key(|&s| self.tree.rank[s]);
        found.dedup();
        self.visiting[group] = false;
        self.done[group] = Some(found.clone());
        Some(found)
    }

    /// The segment a `member`/`from`/`to` names, or a diagnostic at it.
    pub(super) fn segment_at(&mut self, at: &Component, text: Option<&str>) -> Option<usize> {
        let found = self.tree.segment_by_text(text);
        if found.is_none() {
            self.diags.push(Diagnostic::at(
                at.name_span,
                format!(
                    "'{}' is not a segment of this morphology",
                    text.unwrap_or("")
                ),
            ));
        }
        found
    }

    pub(super) fn end_of(&mut self, owner: &Component, slot: &str) -> Option<usize> {
        match child_in(self.model, owner, slot) {
            Some(end) => self.segment_at(end, end.text("segment")),
            None => None,
        }
    }

    /// `from` to `to` inclusive, walking up from `to`; without `to`, the subtree of `from`.
    pub(super) fn path(&mut self, path: &Component) -> Vec<usize> {
        let from = self.end_of(path, "from");
        let Some(to) = self.end_of(path, "to") else {
            return from.map(|f| self.descendants(f)).unwrap_or_default();
        };
        let mut walked = vec![to];
        let mut at = to;
        while Some(at) != from {
            match self.tree.segments[at].parent {
                Some((p, _)) => {
                    at = p;
                    walked.push(p);
                }
                None if from.is_none() => break,
                None => {
                    self.diags.push(Diagnostic::at(
                        path.name_span,
                        "<path>: its <to> segment does not lie distal to its <from> segment",
                    ));
                    return Vec::new();
                }
            }
        }
        walked
    }

    pub(super) fn sub_tree(&mut self, sub_tree: &Component) -> Vec<usize> {
        self.end_of(sub_tree, "from")
            .map(|f| self.descendants(f))
            .unwrap_or_default()
    }

    pub(super) fn descendants(&self, root: usize) -> Vec<usize> {
        let mut found = vec![root];
        let mut k = 0;
        while k < found.len() {
            found.extend(&self.tree.children[found[k]]);
            k += 1;
        }
        found
    }
}
