//! One backward-Euler step of the membrane potentials of cells with a morphology (see
//! [`CableSolve`]): the tree's tridiagonal-like system solved in linear time by eliminating
//! leaves into parents (Hines), then substituting back from the roots.

use crate::program::CableSolve;

/// Scratch rows for the largest solve of a run, allocated once.
#[derive(Default)]
pub struct CableWork {
    /// Diagonal of each node's row.
    diagonal: Vec<f64>,
    /// Right-hand side, then the solution `dv`.
    rhs: Vec<f64>,
}

impl CableWork {
    pub fn for_solves<'a>(solves: impl IntoIterator<Item = &'a CableSolve>) -> CableWork {
        let n = solves.into_iter().map(|c| c.nodes.len()).max().unwrap_or(0);
        CableWork {
            diagonal: vec![0.0; n],
            rhs: vec![0.0; n],
        }
    }
}

/// Advances every node's voltage in `vars` by one step of `dt` seconds.
pub fn advance_cable(cable: &CableSolve, vars: &mut [f64], dt: f64, work: &mut CableWork) {
    let n = cable.nodes.len();
    let (d, rhs) = (&mut work.diagonal[..n], &mut work.rhs[..n]);
    // Membrane terms.
    for (k, node) in cable.nodes.iter().enumerate() {
        let [start, end] = node.contributions;
        let mut current = 0.0;
        let mut conductance = node.capacitance / dt;
        for &[i, g] in &cable.contributions[start as usize..end as usize] {
            current += vars[i as usize];
            conductance += vars[g as usize];
        }
        d[k] = conductance;
        rhs[k] = current;
    }
    // Axial terms: the current from the parent into the node at the old voltages, and the
    // coupling of the two unknowns.
    for (k, node) in cable.nodes.iter().enumerate() {
        let Some(p) = node.parent else { continue };
        let p = p as usize;
        let into_node = node.axial * (vars[cable.nodes[p].v as usize] - vars[node.v as usize]);
        rhs[k] += into_node;
        rhs[p] -= into_node;
        d[k] += node.axial;
        d[p] += node.axial;
    }
    // Leaves into parents: row k is `d[k] dv_k - g_k dv_p = rhs[k]`.
    for k in (0..n).rev() {
        let node = &cable.nodes[k];
        if let Some(p) = node.parent {
            let p = p as usize;
            let factor = node.axial / d[k];
            d[p] -= factor * node.axial;
            rhs[p] += factor * rhs[k];
        }
    }
    // Roots, then children from their parents' solutions.
    for k in 0..n {
        let node = &cable.nodes[k];
        rhs[k] = match node.parent {
            None => rhs[k] / d[k],
            Some(p) => (rhs[k] + node.axial * rhs[p as usize]) / d[k],
        };
        vars[node.v as usize] += rhs[k];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::CableNode;

    fn node(v: u64, parent: Option<u32>, capacitance: f64, axial: f64, c: [u32; 2]) -> CableNode {
        CableNode {
            v,
            parent,
            capacitance,
            axial,
            contributions: c,
        }
    }

    /// A passive compartment relaxes toward rest as backward Euler says:
    /// `C (v1 - v0)/dt = g (e - v1)` with the linearised current of a leak.
    #[test]
    fn one_passive_compartment_takes_a_backward_euler_step() {
        let (c, g, e, v0, dt) = (1e-12, 1e-9, -0.07, -0.05, 1e-4);
        // vars: v, I = g (e - v), G = g.
        let mut vars = vec![v0, g * (e - v0), g];
        let cable = CableSolve {
            nodes: vec![node(0, None, c, 0.0, [0, 1])],
            contributions: vec![[1, 2]],
        };
        let mut work = CableWork::for_solves([&cable]);
        advance_cable(&cable, &mut vars, dt, &mut work);
        let expected = (c / dt * v0 + g * e) / (c / dt + g);
        assert!(
            (vars[0] - expected).abs() < 1e-15,
            "{} vs {expected}",
            vars[0]
        );
    }

    /// Two coupled compartments conserve charge: with no membrane currents the
    /// capacitance-weighted mean voltage stays put while the voltages approach each other,
    /// and the result solves the implicit equations.
    #[test]
    fn coupled_compartments_solve_the_implicit_system() {
        let (c0, c1, ga, dt) = (2e-12, 1e-12, 5e-9, 1e-4);
        let mut vars = vec![-0.06, -0.02];
        let cable = CableSolve {
            nodes: vec![
                node(0, None, c0, 0.0, [0, 0]),
                node(1, Some(0), c1, ga, [0, 0]),
            ],
            contributions: Vec::new(),
        };
        let mut work = CableWork::for_solves([&cable]);
        let before = vars.clone();
        advance_cable(&cable, &mut vars, dt, &mut work);
        let charge = |v: &[f64]| c0 * v[0] + c1 * v[1];
        assert!((charge(&vars) - charge(&before)).abs() < 1e-24);
        // Residuals of both rows with the new voltages.
        let r0 = c0 / dt * (vars[0] - before[0]) - ga * (vars[1] - vars[0]);
        let r1 = c1 / dt * (vars[1] - before[1]) - ga * (vars[0] - vars[1]);
        assert!(r0.abs() < 1e-20 && r1.abs() < 1e-20, "{r0} {r1}");
        assert!(vars[1] - vars[0] < before[1] - before[0]);
    }

    /// A branch point: the root with two children and a grandchild, against a dense solve.
    #[test]
    fn a_branched_tree_matches_a_dense_solve() {
        let caps = [3e-12, 1e-12, 2e-12, 0.0];
        let axial = [0.0, 4e-9, 2e-9, 6e-9];
        let parents = [None, Some(0u32), Some(0), Some(2)];
        let v0 = [-0.065, -0.06, -0.07, -0.05];
        let currents = [1e-11, 0.0, -2e-11, 0.0];
        let dt = 2.5e-5;
        let mut vars: Vec<f64> = v0.to_vec();
        let mut contributions = Vec::new();
        let mut nodes = Vec::new();
        for k in 0..4 {
            let start = contributions.len() as u32;
            if currents[k] != 0.0 {
                vars.push(currents[k]);
                vars.push(1e-10);
                contributions.push([vars.len() as u64 - 2, vars.len() as u64 - 1]);
            }
            let end = contributions.len() as u32;
            nodes.push(node(k as u64, parents[k], caps[k], axial[k], [start, end]));
        }
        let cable = CableSolve {
            nodes,
            contributions,
        };
        // Dense matrix of the same system.
        let mut a = [[0.0f64; 4]; 4];
        let mut b = [0.0f64; 4];
        for k in 0..4 {
            a[k][k] += caps[k] / dt + if currents[k] != 0.0 { 1e-10 } else { 0.0 };
            b[k] += currents[k];
            if let Some(p) = parents[k] {
                let p = p as usize;
                a[k][k] += axial[k];
                a[p][p] += axial[k];
                a[k][p] -= axial[k];
                a[p][k] -= axial[k];
                b[k] += axial[k] * (v0[p] - v0[k]);
                b[p] -= axial[k] * (v0[p] - v0[k]);
            }
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..4 {
            let pivot = (col..4)
                .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
                .unwrap();
            a.swap(col, pivot);
            b.swap(col, pivot);
            for row in col + 1..4 {
                let f = a[row][col] / a[col][col];
                for c in col..4 {
                    a[row][c] -= f * a[col][c];
                }
                b[row] -= f * b[col];
            }
        }
        let mut dv = [0.0; 4];
        for row in (0..4).rev() {
            let s: f64 = (row + 1..4).map(|c| a[row][c] * dv[c]).sum();
            dv[row] = (b[row] - s) / a[row][row];
        }
        let mut work = CableWork::for_solves([&cable]);
        advance_cable(&cable, &mut vars, dt, &mut work);
        for k in 0..4 {
            let got = vars[k] - v0[k];
            assert!(
                (got - dv[k]).abs() < 1e-12 * dv[k].abs().max(1e-6),
                "node {k}: {got} vs {}",
                dv[k]
            );
        }
    }
}
