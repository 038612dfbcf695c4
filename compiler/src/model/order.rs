//! Evaluation order of derived variables: each comes after the derived variables its value
//! uses, so a simulation step can compute them in one pass.

use std::collections::{HashMap, VecDeque};

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::DfsPostOrder;

use crate::diag::{Diagnostic, Span};
use crate::front::expr::{self, Expr};
use crate::model::types::{ComponentType, DerivedValue};

/// Names of all derived variables (plain and conditional) of `ty`, each after the ones it
/// depends on, otherwise in document order. A dependency cycle is an error naming the
/// variables in the cycle, at the first one.
///
/// Select-based variables depend on children, not on this type's own variables.
pub fn order_derived(ty: &ComponentType) -> Result<Vec<String>, Diagnostic> {
    let dynamics = &ty.dynamics;
    // (name, span, expressions of its value) in document order: plain then conditional.
    let mut vars: Vec<(&str, Span, Vec<&Expr>)> = Vec::new();
    for dv in &dynamics.derived_variables {
        let exprs = match &dv.value {
            DerivedValue::Expr(e) => vec![e],
            DerivedValue::Select { .. } => Vec::new(),
        };
        vars.push((&dv.q.name, dv.q.span, exprs));
    }
    for cdv in &dynamics.conditional_derived_variables {
        let exprs = cdv
            .cases
            .iter()
            .flat_map(|c| c.condition.iter().chain(std::iter::once(&c.value)))
            .collect();
        vars.push((&cdv.q.name, cdv.q.span, exprs));
    }

    // Edges go from a variable to the variables it uses.
    let mut graph: DiGraph<usize, ()> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..vars.len()).map(|i| graph.add_node(i)).collect();
    let index: HashMap<&str, usize> = vars.iter().enumerate().map(|(i, v)| (v.0, i)).collect();
    for (i, (_, _, exprs)) in vars.iter().enumerate() {
        for e in exprs {
            for (name, _) in expr::names(e) {
                if let Some(&j) = index.get(name) {
                    if !graph.contains_edge(nodes[i], nodes[j]) {
                        graph.add_edge(nodes[i], nodes[j], ());
                    }
                }
            }
        }
    }

    if let Some(cycle) = find_cycle(&graph) {
        let names: Vec<&str> = cycle.iter().map(|&i| vars[i].0).collect();
        let first = cycle[0];
        return Err(Diagnostic::at(
            vars[first].1,
            format!(
                "derived variables of ComponentType '{}' depend on each other in a cycle: {} -> {}",
                ty.name,
                names.join(" -> "),
                names[0]
            ),
        )
        .with_note("each derived variable must be computable from the others without a loop"));
    }

    // Post-order from each variable in document order puts dependencies first.
    let mut order = Vec::with_capacity(vars.len());
    let mut dfs = DfsPostOrder::empty(&graph);
    for &n in &nodes {
        if dfs.discovered.contains(n.index()) {
            continue;
        }
        dfs.move_to(n);
        while let Some(v) = dfs.next(&graph) {
            order.push(vars[graph[v]].0.to_string());
        }
    }
    Ok(order)
}

/// A cycle as variable indices in dependency order, starting at the earliest declared
/// variable of the first cyclic component found.
fn find_cycle(graph: &DiGraph<usize, ()>) -> Option<Vec<usize>> {
    let scc = tarjan_scc(graph)
        .into_iter()
        .filter(|c| c.len() > 1 || graph.contains_edge(c[0], c[0]))
        .min_by_key(|c| c.iter().map(|n| graph[*n]).min())?;
    let start = *scc.iter().min_by_key(|n| graph[**n])?;
    if graph.contains_edge(start, start) {
        return Some(vec![graph[start]]);
    }
    // Shortest way back to `start` inside the component, by breadth-first search.
    let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        let mut next: Vec<NodeIndex> = graph.neighbors(v).filter(|n| scc.contains(n)).collect();
        next.sort_by_key(|n| graph[*n]);
        for n in next {
            if n == start {
                let mut path = vec![v];
                while let Some(&p) = parent.get(path.last()?) {
                    path.push(p);
                }
                path.reverse();
                return Some(path.into_iter().map(|n| graph[n]).collect());
            }
            if !parent.contains_key(&n) && n != start {
                parent.insert(n, v);
                queue.push_back(n);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::model::typebuild::testing::build;

    #[test]
    fn dependencies_come_first_otherwise_document_order() {
        let b = build(
            r#"<ComponentType name="a"><Parameter name="p" dimension="none"/><Dynamics>
                 <DerivedVariable name="x" dimension="none" value="y + z"/>
                 <DerivedVariable name="w" dimension="none" value="p"/>
                 <DerivedVariable name="y" dimension="none" value="c * 2"/>
                 <DerivedVariable name="z" dimension="none" value="p"/>
                 <ConditionalDerivedVariable name="c" dimension="none">
                   <Case condition="w .gt. 0" value="1"/><Case value="0"/>
                 </ConditionalDerivedVariable>
               </Dynamics></ComponentType>"#,
        );
        b.assert_clean();
        assert_eq!(b.ty("a").dynamics.derived_order, ["w", "c", "y", "z", "x"]);
    }

    #[test]
    fn selects_do_not_depend_on_own_variables() {
        let b = build(
            r#"<ComponentType name="k"><Exposure name="i" dimension="none"/></ComponentType>
               <ComponentType name="a"><Children name="i" type="k"/><Dynamics>
                 <DerivedVariable name="j" dimension="none" value="i * 2"/>
                 <DerivedVariable name="i" dimension="none" select="i[*]/i" reduce="add"/>
               </Dynamics></ComponentType>"#,
        );
        b.assert_clean();
        assert_eq!(b.ty("a").dynamics.derived_order, ["i", "j"]);
    }

    #[test]
    fn cycles_are_named_in_order() {
        let b = build(
            r#"<ComponentType name="a"><Dynamics>
                 <DerivedVariable name="ok" dimension="none" value="1"/>
                 <DerivedVariable name="a" dimension="none" value="b + ok"/>
                 <DerivedVariable name="b" dimension="none" value="c"/>
                 <DerivedVariable name="c" dimension="none" value="a"/>
               </Dynamics></ComponentType>"#,
        );
        let m = b.one_error(&["depend on each other in a cycle: a -> b -> c -> a"]);
        assert!(m.contains(r#"@ <DerivedVariable name="a""#), "{m}");

        let b = build(
            r#"<ComponentType name="s"><Dynamics>
                 <ConditionalDerivedVariable name="x" dimension="none">
                   <Case condition="x .gt. 0" value="1"/></ConditionalDerivedVariable>
               </Dynamics></ComponentType>"#,
        );
        b.one_error(&["cycle: x -> x"]);
    }
}
