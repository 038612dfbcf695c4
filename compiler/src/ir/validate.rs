//! Consistency checks of an IR. Anything found is a bug in the pass that built it, not in the
//! model, so the problems are plain strings for tests to show.

use crate::ir::{InstId, Ir, SlotKind};

/// Every broken invariant, described; empty when the IR is consistent.
pub fn validate(ir: &Ir) -> Vec<String> {
    let mut problems = Vec::new();
    let n = ir.instances.len();
    let valid = |i: InstId| (i.0 as usize) < n;
    if !valid(ir.root) || ir.inst(ir.root).parent.is_some() {
        problems.push("the root is missing or has a parent".to_string());
        return problems;
    }
    // How often each instance is listed as a child, counted in one pass (linear: a
    // population's parent lists ~10^5 children).
    let mut listed_as_child = vec![0u32; n];
    for inst in &ir.instances {
        for c in &inst.children {
            if valid(c.inst) {
                listed_as_child[c.inst.0 as usize] += 1;
            }
        }
    }
    for (k, inst) in ir.instances.iter().enumerate() {
        let id = InstId(k as u32);
        match inst.parent {
            None if id != ir.root => problems.push(format!("instance {k} has no parent")),
            Some(p) if !valid(p) => problems.push(format!("instance {k}: parent out of range")),
            Some(_) => {
                // Every listing is checked below to be in its parent's list, so one listing
                // in all is one in the parent's.
                let listed = listed_as_child[k];
                if listed != 1 {
                    problems.push(format!(
                        "instance {k} is listed {listed} times among its parent's children"
                    ));
                } else if ir.place_of(id).is_none() {
                    problems.push(format!(
                        "instance {k}: its place does not point at it among its parent's children"
                    ));
                }
            }
            None => {}
        }
        for c in &inst.children {
            if !valid(c.inst) || ir.inst(c.inst).parent != Some(id) {
                problems.push(format!("instance {k} lists a child that is not its own"));
            }
        }
    }
    for p in &ir.populations {
        for (i, &m) in p.members.iter().enumerate() {
            if !valid(m) || ir.inst(m).component != p.component {
                problems.push(format!(
                    "population {}: member {i} is not a {}",
                    p.name, "cell of it"
                ));
            }
        }
        let multi = ir
            .inst(p.inst)
            .children
            .iter()
            .filter(|c| c.kind == SlotKind::Multi)
            .count();
        if multi != 0 && multi != p.members.len() {
            problems.push(format!(
                "population {}: {multi} instances made, {} listed",
                p.name,
                p.members.len()
            ));
        }
    }
    let attached_to =
        |inst: InstId, cell: InstId| valid(inst) && ir.inst(inst).parent == Some(cell);
    for (k, c) in ir.event_connections.iter().enumerate() {
        if !valid(c.source) || !valid(c.target) {
            problems.push(format!("event connection {k}: end out of range"));
        } else if let Some(r) = c.receiver.filter(|&r| !attached_to(r, c.target)) {
            problems.push(format!(
                "event connection {k}: receiver {} not on its target",
                r.0
            ));
        }
        if !c.delay.is_finite() {
            problems.push(format!("event connection {k}: delay {}", c.delay));
        }
    }
    for (k, t) in ir.tunnels.iter().enumerate() {
        if !attached_to(t.at_a, t.end_a) || !attached_to(t.at_b, t.end_b) {
            problems.push(format!("tunnel {k}: coupling instance not on its end"));
        }
    }
    for (k, i) in ir.inputs.iter().enumerate() {
        if !attached_to(i.input, i.cell) {
            problems.push(format!("input {k}: not attached to its cell"));
        }
    }
    let recorded = ir
        .output_files
        .iter()
        .flat_map(|f| f.columns.iter().map(|c| c.target.inst))
        .chain(ir.display_lines.iter().map(|l| l.target.inst))
        .chain(
            ir.event_output_files
                .iter()
                .flat_map(|f| f.selections.iter().map(|s| s.inst)),
        );
    for inst in recorded {
        if !valid(inst) {
            problems.push(format!("a recorder reads instance {} out of range", inst.0));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::validate;
    use crate::ir::*;
    use crate::model::component::CompId;

    fn instance(parent: Option<InstId>, children: Vec<ChildRef>) -> Instance {
        Instance {
            component: CompId(0),
            parent,
            name: "x".to_string(),
            index: None,
            children,
            assigned: Vec::new(),
            place: 0,
        }
    }

    fn ir(instances: Vec<Instance>) -> Ir {
        Ir {
            simulation: Simulation {
                component: CompId(1),
                length: 1.0,
                step: 0.1,
                seed: None,
                target: CompId(0),
            },
            instances,
            root: InstId(0),
            populations: Vec::new(),
            event_connections: Vec::new(),
            tunnels: Vec::new(),
            inputs: Vec::new(),
            output_files: Vec::new(),
            event_output_files: Vec::new(),
            display_lines: Vec::new(),
        }
    }

    #[test]
    fn a_child_its_parent_does_not_list_is_reported() {
        let child = ChildRef {
            slot: "a".to_string(),
            kind: SlotKind::Single,
            inst: InstId(1),
        };
        let good = ir(vec![
            instance(None, vec![child]),
            instance(Some(InstId(0)), vec![]),
        ]);
        assert!(validate(&good).is_empty(), "{:?}", validate(&good));
        let orphan = ir(vec![
            instance(None, vec![]),
            instance(Some(InstId(0)), vec![]),
        ]);
        assert_eq!(
            validate(&orphan),
            ["instance 1 is listed 0 times among its parent's children"]
        );
    }
}
