//! The second half of instantiation: `With`, `ForEach`, `EventConnection` and `Tunnel` of
//! one instance, run once the whole tree exists. They bind instances by path, make the
//! connections and attach the synapse or input instances they create to cells.

use super::{Builder, Env};
use crate::diag::{Diagnostic, Span};
use crate::ir::{EventConnection, Input, InstId, SlotKind, Tunnel};
use crate::model::component::CompId;
use crate::model::types::{Direction, StructureItem};
use crate::passes::navigate::segments;

impl<'m> Builder<'m> {
    /// Runs the connection-making Structure items of one instance.
    pub(super) fn connect(&mut self, id: InstId) {
        let comp = self.out.instances[id.0 as usize].component;
        let ty = self.model.ty(self.comp(comp).type_id);
        let mut env = Env::new();
        let reported = self.diags.list.len();
        self.run_items(id, comp, &ty.structure.items, &mut env, false);
        self.move_to_user_site(reported, comp);
    }

    /// `unresolved`: a With before these items failed (and said why), so the connections that
    /// would use its name are skipped rather than reported again as unbound.
    fn run_items(
        &mut self,
        id: InstId,
        comp: CompId,
        items: &'m [StructureItem],
        env: &mut Env,
        mut unresolved: bool,
    ) {
        for item in items {
            match item {
                StructureItem::ChildInstance { .. } | StructureItem::MultiInstantiate { .. } => {}
                StructureItem::With {
                    instance,
                    list,
                    index,
                    as_name,
                    span,
                } => {
                    let found = match (instance, list, index) {
                        (Some(path), _, _) => self.with_instance(id, comp, path, *span, false),
                        (None, Some(list), Some(index)) => {
                            self.with_list(id, comp, list, index, *span)
                        }
                        _ => {
                            self.diags.push(Diagnostic::at(
                                *span,
                                "With needs instance=\"path\" or list=\"...\" with index=\"...\"",
                            ));
                            None
                        }
                    };
                    match found {
                        Some(found) => {
                            env.insert(as_name.clone(), found);
                        }
                        None => unresolved = true,
                    }
                }
                StructureItem::ForEach {
                    instances,
                    as_name,
                    body,
                    span,
                } => {
                    let Some(group) = self.with_instance(id, comp, instances, *span, true) else {
                        continue;
                    };
                    let members: Vec<InstId> = self.out.instances[group.0 as usize]
                        .children
                        .iter()
                        .filter(|c| c.kind != SlotKind::Single)
                        .map(|c| c.inst)
                        .collect();
                    for m in members {
                        if self.stopped {
                            break;
                        }
                        let mut inner = env.clone();
                        inner.insert(as_name.clone(), m);
                        self.run_items(id, comp, body, &mut inner, unresolved);
                    }
                }
                _ if self.stopped => return,
                StructureItem::EventConnection(ec)
                    if self.out.event_connections.len() >= self.limits.max_connections =>
                {
                    self.diags.push(Diagnostic::at(
                        ec.span,
                        format!(
                            "more than {} connections; a ForEach over large populations makes \
                             one per pair (raise the limit with --max-connections)",
                            self.limits.max_connections
                        ),
                    ));
                    self.stopped = true;
                }
                StructureItem::EventConnection(_) | StructureItem::Tunnel { .. } if unresolved => {}
                StructureItem::EventConnection(ec) => self.event_connection(comp, ec, env),
                StructureItem::Tunnel {
                    name,
                    end_a,
                    end_b,
                    component_a,
                    component_b,
                    assigns,
                    span,
                } => {
                    let ends = [(end_a, component_a), (end_b, component_b)];
                    self.tunnel(comp, name, ends, assigns, *span, env);
                }
            }
        }
    }

    /// A `Tunnel`: one instance of each end's coupling component, attached to that end.
    fn tunnel(
        &mut self,
        comp: CompId,
        name: &str,
        ends: [(&String, &String); 2],
        assigns: &[crate::model::types::Assign],
        span: Span,
        env: &Env,
    ) {
        let [(end_a, coupling_a), (end_b, coupling_b)] = ends;
        let (Some((end_a, ca, set_a)), Some((end_b, cb, set_b))) = (
            self.tunnel_end(comp, end_a, coupling_a, span, env),
            self.tunnel_end(comp, end_b, coupling_b, span, env),
        ) else {
            return;
        };
        let at_a = self.attach(end_a, ca, set_a);
        let at_b = self.attach(end_b, cb, set_b);
        self.assign(at_a, comp, assigns);
        self.assign(at_b, comp, assigns);
        self.out.tunnels.push(Tunnel {
            made_by: comp,
            name: name.to_string(),
            end_a,
            end_b,
            at_a,
            at_b,
        });
    }

    /// One end of a tunnel: the cell bound to `end`, the coupling component, and the
    /// attachment set of the cell it joins.
    fn tunnel_end(
        &mut self,
        comp: CompId,
        end: &str,
        coupling: &str,
        span: Span,
        env: &Env,
    ) -> Option<(InstId, CompId, String)> {
        let cell = self.bound(env, end, span)?;
        let coupling = self.reference(comp, coupling, span)?;
        let set = self.container(cell, None, span)?;
        Some((cell, coupling, set))
    }

    fn event_connection(
        &mut self,
        comp: CompId,
        ec: &crate::model::types::EventConnection,
        env: &Env,
    ) {
        let (Some(from), Some(to)) = (
            self.bound(env, &ec.from, ec.span),
            self.bound(env, &ec.to, ec.span),
        ) else {
            return;
        };
        let receiver = match &ec.receiver {
            Some(r) => {
                let Some(rc) = self.reference(comp, r, ec.span) else {
                    return;
                };
                let wanted = ec
                    .receiver_container
                    .as_deref()
                    .and_then(|t| self.text_or_literal(comp, t));
                let Some(set) = self.container(to, wanted.as_deref(), ec.span) else {
                    return;
                };
                let inst = self.attach(to, rc, set.clone());
                self.assign(inst, comp, &ec.assigns);
                Some((inst, set))
            }
            None => None,
        };
        let receiving = receiver.as_ref().map_or(to, |r| r.0);
        let source_port = self.port(comp, ec.source_port.as_deref(), from, Direction::Out);
        let target_port = self.port(comp, ec.target_port.as_deref(), receiving, Direction::In);
        // An input is a connection from a cell to itself whose receiver is the input.
        if let (true, Some((input, destination))) = (from == to, &receiver) {
            self.out.inputs.push(Input {
                made_by: comp,
                cell: to,
                destination: destination.clone(),
                input: *input,
                cell_port: source_port,
                input_port: target_port,
            });
            return;
        }
        let delay = ec
            .delay
            .as_deref()
            .and_then(|d| self.comp(comp).param(d))
            .map_or(0.0, |p| p.si);
        let assigned = receiver.as_ref().map_or_else(Vec::new, |r| {
            self.out.instances[r.0 .0 as usize].assigned.clone()
        });
        self.out.event_connections.push(EventConnection {
            made_by: comp,
            assigned,
            source: from,
            source_port,
            target: to,
            receiver: receiver.map(|r| r.0),
            target_port,
            delay,
        });
    }

    /// A Structure attribute that names a Text/Path of the type gives that text's value; an
    /// empty or absent value gives None; anything else is taken literally.
    fn text_or_literal(&self, comp: CompId, name: &str) -> Option<String> {
        let c = self.comp(comp);
        let ty = self.model.ty(c.type_id);
        let declared = ty.texts.iter().chain(&ty.paths).any(|t| t.name == name);
        let value = if declared {
            c.text(name).map(str::to_string)
        } else {
            Some(name.to_string())
        };
        value.filter(|v| !v.trim().is_empty())
    }

    /// The port an EventConnection uses on `inst`: the one its `sourcePort`/`targetPort`
    /// names (through a Text of the type, or literally), else the first port of `dir`.
    fn port(&mut self, comp: CompId, named: Option<&str>, inst: InstId, dir: Direction) -> String {
        let c = self.comp(comp);
        let ty = self.model.ty(c.type_id);
        let ports: Vec<&str> = self
            .model
            .ty(self
                .comp(self.out.instances[inst.0 as usize].component)
                .type_id)
            .event_ports
            .iter()
            .filter(|p| p.direction == dir)
            .map(|p| p.name.as_str())
            .collect();
        let first = ports.first().map_or(String::new(), |p| p.to_string());
        let Some(named) = named else {
            return first;
        };
        // An attribute of that name counts even when the type does not declare it as a Text:
        // jLEMS reads it (`<connection targetPort=...>`).
        let declared = ty.texts.iter().chain(&ty.paths).any(|t| t.name == named)
            || c.texts.iter().any(|(n, _, _)| n == named);
        if !declared {
            // Not a Text of the type: a port name written directly, or (as jLEMS reads an
            // unset text) nothing, which leaves the default.
            return if ports.contains(&named) {
                named.to_string()
            } else {
                first
            };
        }
        match c.texts.iter().find(|(n, _, _)| n == named) {
            Some((_, v, at)) if !v.trim().is_empty() => {
                if !ports.contains(&v.as_str()) {
                    let dir = if dir == Direction::Out { "out" } else { "in" };
                    let what = self.tree().describe(inst);
                    self.diags.push(Diagnostic::at(
                        *at,
                        format!(
                            "'{v}' is not an {dir}-port of {what}; its {dir}-ports: {}",
                            if ports.is_empty() {
                                "none".to_string()
                            } else {
                                ports.join(", ")
                            }
                        ),
                    ));
                }
                v.clone()
            }
            _ => first,
        }
    }

    fn bound(&mut self, env: &Env, name: &str, span: Span) -> Option<InstId> {
        let found = env.get(name).copied();
        if found.is_none() {
            let mut known: Vec<&str> = env.keys().map(String::as_str).collect();
            known.sort_unstable();
            self.diags.push(Diagnostic::at(
                span,
                format!(
                    "'{name}' is not bound by a With or ForEach here; bound: {}",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
        found
    }

    /// The attachment set of `cell` that a connection's new instance joins.
    fn container(&mut self, cell: InstId, wanted: Option<&str>, span: Span) -> Option<String> {
        let comp = self.comp(self.out.instances[cell.0 as usize].component);
        let ty = self.model.ty(comp.type_id);
        let sets: Vec<&str> = ty.attachments.iter().map(|a| a.name.as_str()).collect();
        let what = self.tree().describe(cell);
        let problem = match (wanted, sets.as_slice()) {
            (Some(w), _) if sets.contains(&w) => return Some(w.to_string()),
            (None, [only]) => return Some(only.to_string()),
            (_, []) => format!("{what} has no attachment sets to receive it"),
            (Some(w), _) => format!(
                "{what} has no attachment set '{w}'; it has: {}",
                sets.join(", ")
            ),
            (None, _) => format!(
                "{what} has several attachment sets ({}); name one with destination",
                sets.join(", ")
            ),
        };
        self.diags.push(Diagnostic::at(
            span,
            format!("cannot attach the connection: {problem}"),
        ));
        None
    }

    fn attach(&mut self, cell: InstId, comp: CompId, set: String) -> InstId {
        let index = self.out.instances[cell.0 as usize]
            .children
            .iter()
            .filter(|c| c.slot == set)
            .count();
        let name = self
            .comp(comp)
            .id
            .clone()
            .unwrap_or_else(|| index.to_string());
        self.build(
            comp,
            Some(cell),
            name,
            Some(index),
            set,
            SlotKind::Attachment,
        )
    }

    /// `With instance="path"`: the path is a Path/Text of the type (or written literally) and
    /// starts at the parent of the instance whose Structure runs (`ForEach` paths start at the
    /// instance itself: `from_self`).
    fn with_instance(
        &mut self,
        id: InstId,
        comp: CompId,
        path: &str,
        span: Span,
        from_self: bool,
    ) -> Option<InstId> {
        let c = self.comp(comp);
        let (value, at) = match c.texts.iter().find(|(n, _, _)| n == path) {
            Some((_, v, s)) => (v.clone(), *s),
            None => (path.to_string(), span),
        };
        // `this`, `parent` and `./x` start at the instance itself (a poissonFiringSynapse's
        // `spikeTarget="./syn"` names its own child); other paths start at its parent.
        let own = from_self
            || value == "this"
            || value == "parent"
            || value.starts_with("this/")
            || value.starts_with("./");
        let start = match self.out.instances[id.0 as usize].parent {
            Some(parent) if !own => parent,
            _ => id,
        };
        let mut cur = start;
        let segs = segments(&value);
        for (i, &(_, seg)) in segs.iter().enumerate() {
            let step = self.tree().child(cur, seg);
            match step {
                Ok(next) => cur = next,
                Err(msg) => {
                    // A Link or ComponentReference of the instance reached names the
                    // component whose instance is meant (`../source` of an AllAll pattern).
                    let linked = self
                        .comp(self.out.instances[cur.0 as usize].component)
                        .reference(seg);
                    if let Some(found) = linked.and_then(|l| self.instance_of(l, cur)) {
                        cur = found;
                        continue;
                    }
                    // `pop/0/cellId/3`: jNeuroML's exports take the cell by population and
                    // index and ignore what follows it (c302 writes a segment number there).
                    let after_id = i > 0 && !is_index(segs[i - 1].1);
                    if after_id && self.is_cell_of_population(cur) {
                        let rest: Vec<&str> = segs[i..].iter().map(|s| s.1).collect();
                        let message = format!(
                            "'{value}' goes on after the cell {} ('{}'); that is ignored",
                            self.tree().describe(cur),
                            rest.join("/")
                        );
                        self.push_once(
                            Diagnostic::lenient("cell-path-suffix", message)
                                .with_span(at, "")
                                .with_note("a segment is named by segmentId, not in the path"),
                        );
                        return Some(cur);
                    }
                    if i + 1 == segs.len() {
                        if let Some(cell) = self.made_cell(cur) {
                            self.warn_wrong_cell_id(&value, seg, cur, cell, at);
                            return Some(cell);
                        }
                        // `pop/0/cellId` where `pop/0` is already the cell (a population
                        // made by MultiInstantiate): the last segment names its component.
                        if self.is_population_member(cur) {
                            if self
                                .comp(self.out.instances[cur.0 as usize].component)
                                .id
                                .as_deref()
                                != Some(seg)
                            {
                                self.warn_wrong_cell_id(&value, seg, cur, cur, at);
                            }
                            return Some(cur);
                        }
                    }
                    self.push_once(Diagnostic::at(
                        at,
                        format!("cannot resolve '{value}': {msg}"),
                    ));
                    return None;
                }
            }
        }
        // `pop[0]` of a populationList names the list's instance, which only wraps the cell:
        // jNeuroML's exports take the cell.
        if let Some(cell) = self.made_cell(cur).filter(|_| self.is_wrapper(cur)) {
            let message = format!(
                "'{value}' names {}, which holds a cell; the cell is used",
                self.tree().describe(cur)
            );
            self.push_once(
                Diagnostic::lenient("instance-for-cell", message)
                    .with_span(at, "")
                    .with_note("name the cell itself, as in pop/0/cellId"),
            );
            return Some(cell);
        }
        Some(cur)
    }

    /// Whether `inst` is only a holder of the cell ChildInstance made in it: its type has no
    /// event ports and nothing can attach to it (a populationList's `instance`).
    fn is_wrapper(&self, inst: InstId) -> bool {
        let ty = self.model.ty(self
            .comp(self.out.instances[inst.0 as usize].component)
            .type_id);
        ty.event_ports.is_empty() && ty.attachments.is_empty()
    }

    /// The one child `ChildInstance` made in `inst` (the cell of a populationList `instance`),
    /// if it made exactly one: a Single child in no `<Child>` slot of the instance's type.
    fn made_cell(&self, inst: InstId) -> Option<InstId> {
        let ty = self.model.ty(self
            .comp(self.out.instances[inst.0 as usize].component)
            .type_id);
        let mut made = self.out.instances[inst.0 as usize]
            .children
            .iter()
            .filter(|c| c.kind == SlotKind::Single && !ty.child.iter().any(|s| s.name == c.slot));
        match (made.next(), made.next()) {
            (Some(only), None) => Some(only.inst),
            _ => None,
        }
    }

    /// Whether `inst` is a cell of a population: made by its MultiInstantiate, or the cell
    /// of one of its list's instances.
    fn is_cell_of_population(&self, inst: InstId) -> bool {
        let parent = self.out.instances[inst.0 as usize].parent;
        self.is_population_member(inst)
            || parent.is_some_and(|p| self.is_wrapper(p) && self.made_cell(p) == Some(inst))
    }

    /// Whether `inst` is one of the instances a population's MultiInstantiate made.
    fn is_population_member(&self, inst: InstId) -> bool {
        let Some(parent) = self.out.instances[inst.0 as usize].parent else {
            return false;
        };
        self.out.instances[parent.0 as usize]
            .children
            .iter()
            .any(|c| c.inst == inst && c.kind == SlotKind::Multi)
    }

    /// Each With of a connection resolves its path again (`a` and `b` of an input are the same
    /// cell): what one path gives is said once. The repeat comes right after the first.
    fn push_once(&mut self, d: Diagnostic) {
        let span = |d: &Diagnostic| d.primary.as_ref().map(|p| p.0);
        let repeated = self
            .diags
            .list
            .last()
            .is_some_and(|old| old.message == d.message && span(old) == span(&d));
        if !repeated {
            self.diags.push(d);
        }
    }

    /// `pop/0/wrongId`: the cell is taken by population and index and its id is not checked,
    /// as jNeuroML's exports do; said as a warning (an error with `--strict`).
    fn warn_wrong_cell_id(&mut self, value: &str, seg: &str, inst: InstId, cell: InstId, at: Span) {
        let cell_comp = self.comp(self.out.instances[cell.0 as usize].component);
        let cell_id = cell_comp
            .id
            .clone()
            .unwrap_or_else(|| self.out.instances[cell.0 as usize].name.clone());
        let message = format!(
            "'{value}': the cell of {} is '{cell_id}', not '{seg}'; using '{cell_id}'",
            self.tree().describe(inst)
        );
        self.push_once(
            Diagnostic::lenient("cell-id-after-index", message)
                .with_span(at, "")
                .with_note("the cell is picked by population and index; its id is not checked")
                .with_note(format!("write '{cell_id}' to make the path exact")),
        );
    }

    /// The instance of `comp` nearest to `near`: among the children of `near`, then of each of
    /// its ancestors in turn.
    fn instance_of(&self, comp: CompId, near: InstId) -> Option<InstId> {
        let mut cur = Some(near);
        while let Some(a) = cur {
            let inst = &self.out.instances[a.0 as usize];
            if let Some(c) = inst
                .children
                .iter()
                .find(|ch| self.out.instances[ch.inst.0 as usize].component == comp)
            {
                return Some(c.inst);
            }
            cur = inst.parent;
        }
        None
    }

    /// `With list="popRef" index="param"`: the index-th member of a referenced population.
    fn with_list(
        &mut self,
        id: InstId,
        comp: CompId,
        list: &str,
        index: &str,
        span: Span,
    ) -> Option<InstId> {
        let pop = self.reference(comp, list, span)?;
        let c = self.comp(comp);
        let Some(i) = c.param(index).map(|p| p.si as usize) else {
            self.diags.push(Diagnostic::at(
                c.span,
                format!(
                    "{} has no '{index}' to pick a cell of the population",
                    self.describe_comp(comp)
                ),
            ));
            return None;
        };
        let found = self.instance_of(pop, id);
        let Some(pop_inst) = found else {
            self.diags.push(Diagnostic::at(
                c.span,
                format!(
                    "population {} is not part of this network",
                    self.describe_comp(pop)
                ),
            ));
            return None;
        };
        match self.tree().child(pop_inst, &format!("[{i}]")) {
            Ok(m) => Some(m),
            Err(msg) => {
                let at = c.param(index).map_or(c.span, |p| p.span);
                self.diags
                    .push(Diagnostic::at(at, format!("'{index}': {msg}")));
                None
            }
        }
    }
}

/// `3` or `[3]`: a path segment that picks a member by index.
fn is_index(segment: &str) -> bool {
    let digits = segment
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or(segment);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}
