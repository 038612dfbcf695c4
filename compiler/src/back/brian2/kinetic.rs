//! Kinetic schemes: `p <- exp(Q dt) p` each step, as the native runtime computes it
//! (`lemsc_runtime::engine::kinetic`, jLEMS's scaling and squaring, operation for operation).
//!
//! The number of squarings depends on the rates of each step, so the step is a Brian2 user
//! function rather than statements: one function per scheme shape (state count and edges),
//! written here in C++ (cpp_standalone) and Cython, and taken from the template's `_kinetic`
//! in Python (numpy). The function gives the new occupancy of one state; in C++ and Python
//! the others of the same arguments come from a one-entry cache, so the exponential is taken
//! once per scheme and step (the script runs single-threaded).
//!
//! Schemes of one shape whose occupancies and rates sit at the same group slots form a
//! `NeuronGroup` of their own, one member per scheme: its variables are linked to those
//! slots, and its step writes the occupancies back through the links, in the scheme's place
//! of jLEMS's order (see [`super::layout`]).

use std::collections::HashMap;
use std::fmt::Write as _;

use lemsc_runtime::program::{KineticScheme, Op, Program};

use super::code::number;

/// Below this largest entry of `Q dt / 2^s`, `I + Q dt / 2^s` is taken as its exponential
/// (the runtime's and jLEMS's value).
const SMALL_ENOUGH: f64 = 1.0e-12;

/// The states and transitions of a scheme, without where their values live.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SchemeShape {
    pub states: usize,
    /// (from, to) of each transition, positions among the states.
    pub edges: Vec<(u32, u32)>,
}

/// Where one value of every member of a scheme group lives: a slot of one group.
#[derive(Clone, Debug)]
pub struct Source {
    pub group: usize,
    pub slot: u32,
    /// Per member of the scheme group: the member of `group`.
    pub members: Vec<usize>,
}

/// The schemes stepped by one `NeuronGroup`.
#[derive(Clone, Debug)]
pub struct SchemeGroup {
    pub shape: SchemeShape,
    /// Positions in the step order; member `j` steps the scheme of `ops[j]`.
    pub ops: Vec<usize>,
    /// Each state's occupancy, in state order.
    pub occupancies: Vec<Source>,
    /// The forward then reverse rate of each transition, in transition order.
    pub rates: Vec<Source>,
    /// Position among the groups that advance (see [`super::layout`]).
    pub rank: Option<usize>,
}

/// Group, member and slot of `vars[index]`.
pub type PlaceOf<'a> = dyn Fn(u64) -> Option<(usize, usize, u32)> + 'a;

/// The kinetic schemes of the step order, grouped by shape and by the group slots of their
/// values, in order of first appearance. A scheme with a value outside every instance is left
/// out (see [`unplaced_scheme`]).
pub fn scheme_groups(program: &Program, place_of: &PlaceOf) -> Vec<SchemeGroup> {
    let mut out: Vec<SchemeGroup> = Vec::new();
    let mut by_key: HashMap<(SchemeShape, Vec<(usize, u32)>), usize> = HashMap::new();
    for (pos, op) in program.step_order.iter().enumerate() {
        let Op::KineticScheme(ks) = op else {
            continue;
        };
        let Some(places) = values_of(ks)
            .map(place_of)
            .collect::<Option<Vec<(usize, usize, u32)>>>()
        else {
            continue;
        };
        let shape = shape_of(ks);
        let key = (
            shape.clone(),
            places.iter().map(|&(g, _, s)| (g, s)).collect(),
        );
        let g = *by_key.entry(key).or_insert_with(|| {
            let sources = |range: std::ops::Range<usize>| -> Vec<Source> {
                places[range]
                    .iter()
                    .map(|&(group, _, slot)| Source {
                        group,
                        slot,
                        members: Vec::new(),
                    })
                    .collect()
            };
            let n = ks.states.len();
            out.push(SchemeGroup {
                occupancies: sources(0..n),
                rates: sources(n..places.len()),
                shape,
                ops: Vec::new(),
                rank: None,
            });
            out.len() - 1
        });
        let group = &mut out[g];
        group.ops.push(pos);
        let sources = group.occupancies.iter_mut().chain(group.rates.iter_mut());
        for (source, &(_, member, _)) in sources.zip(&places) {
            source.members.push(member);
        }
    }
    out
}

/// The position in the step order of a scheme that [`scheme_groups`] could not place.
pub fn unplaced_scheme(program: &Program, groups: &[SchemeGroup]) -> Option<usize> {
    program
        .step_order
        .iter()
        .enumerate()
        .filter(|(_, op)| matches!(op, Op::KineticScheme(_)))
        .map(|(pos, _)| pos)
        .find(|pos| !groups.iter().any(|g| g.ops.contains(pos)))
}

/// The occupancies, then the forward and reverse rate of each transition.
fn values_of(ks: &KineticScheme) -> impl Iterator<Item = u64> + '_ {
    let rates = ks.edges.iter().flat_map(|e| [e.forward, e.reverse]);
    ks.states.iter().copied().chain(rates)
}

fn shape_of(ks: &KineticScheme) -> SchemeShape {
    SchemeShape {
        states: ks.states.len(),
        edges: ks.edges.iter().map(|e| (e.from, e.to)).collect(),
    }
}

/// The argument names of a shape's function: the state asked for, the occupancies, then the
/// forward and reverse rate of each transition.
pub fn argument_names(shape: &SchemeShape) -> Vec<String> {
    let mut names = vec!["k".to_string()];
    names.extend((0..shape.states).map(|i| format!("p{i}")));
    for e in 0..shape.edges.len() {
        names.push(format!("f{e}"));
        names.push(format!("r{e}"));
    }
    names
}

/// `(index into Q, row-major; sign; rate argument)` of each update of Q, in the runtime's order: an edge
/// i -> j moves occupancy from i to j at the forward rate and back at the reverse rate.
fn generator_updates(shape: &SchemeShape) -> Vec<(usize, char, String)> {
    let n = shape.states;
    let mut out = Vec::new();
    for (e, &(i, j)) in shape.edges.iter().enumerate() {
        let (i, j) = (i as usize, j as usize);
        let (f, r) = (format!("f{e}"), format!("r{e}"));
        out.push((i * n + i, '-', f.clone()));
        out.push((j * n + i, '+', f));
        out.push((j * n + j, '-', r.clone()));
        out.push((i * n + j, '+', r));
    }
    out
}

/// The C++ implementation of function `name` for `shape` at step `dt`.
pub fn cpp_function(name: &str, shape: &SchemeShape, dt: f64) -> String {
    let n = shape.states;
    let args = argument_names(shape);
    let values = &args[1..];
    let params: Vec<String> = args.iter().map(|a| format!("double {a}")).collect();
    let mut c = String::new();
    let _ = writeln!(c, "static inline double {name}({}) {{", params.join(", "));
    let _ = writeln!(c, "    const int n = {n};");
    let _ = writeln!(
        c,
        "    const double args[{}] = {{{}}};",
        values.len(),
        values.join(", ")
    );
    let _ = writeln!(c, "    static double last[{}];", values.len());
    let _ = writeln!(c, "    static double next[{n}];");
    let _ = writeln!(c, "    static bool known = false;");
    c.push_str("    bool same = known;\n");
    c.push_str("    for (int x = 0; x < (int)(sizeof args / sizeof args[0]); x++) same = same && args[x] == last[x];\n");
    c.push_str("    if (!same) {\n");
    let _ = writeln!(c, "        double m[{}];", n * n);
    let _ = writeln!(c, "        double square[{}];", n * n);
    c.push_str("        for (int x = 0; x < n * n; x++) m[x] = 0.0;\n");
    for (at, sign, rate) in generator_updates(shape) {
        let _ = writeln!(c, "        m[{at}] {sign}= {rate};");
    }
    let _ = writeln!(
        c,
        "        for (int x = 0; x < n * n; x++) m[x] *= {};",
        number(dt)
    );
    c.push_str("        double largest = 0.0;\n");
    c.push_str(
        "        for (int x = 0; x < n * n; x++) if (fabs(m[x]) > largest) largest = fabs(m[x]);\n",
    );
    c.push_str("        int halvings = 0;\n        double factor = 1.0;\n");
    let _ = writeln!(
        c,
        "        while (largest * factor > {}) {{ factor *= 0.5; halvings++; }}",
        number(SMALL_ENOUGH)
    );
    c.push_str("        for (int x = 0; x < n * n; x++) m[x] *= factor;\n");
    c.push_str("        for (int h = 0; h < halvings; h++) {\n");
    c.push_str("            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {\n");
    c.push_str("                double sum = 0.0;\n");
    c.push_str("                for (int c = 0; c < n; c++) sum += m[i * n + c] * m[c * n + j];\n");
    c.push_str("                square[i * n + j] = sum;\n            }\n");
    c.push_str(
        "            for (int x = 0; x < n * n; x++) { m[x] += m[x]; m[x] += square[x]; }\n",
    );
    c.push_str("        }\n");
    c.push_str("        for (int x = 0; x < n * n; x++) m[x] += (x % (n + 1) == 0) ? 1.0 : 0.0;\n");
    c.push_str("        for (int i = 0; i < n; i++) {\n");
    c.push_str("            double sum = 0.0;\n");
    c.push_str("            for (int j = 0; j < n; j++) sum += m[i * n + j] * args[j];\n");
    c.push_str("            next[i] = sum;\n        }\n");
    c.push_str("        for (int x = 0; x < (int)(sizeof args / sizeof args[0]); x++) last[x] = args[x];\n");
    c.push_str("        known = true;\n    }\n");
    c.push_str("    return next[(int)k];\n}\n");
    c
}

/// The Cython implementation of function `name` for `shape` at step `dt` (no cache: the
/// exponential is taken for every state asked for).
pub fn cython_function(name: &str, shape: &SchemeShape, dt: f64) -> String {
    let n = shape.states;
    let args = argument_names(shape);
    let params: Vec<String> = args.iter().map(|a| format!("double {a}")).collect();
    let mut c = String::new();
    let _ = writeln!(c, "cdef double {name}({}):", params.join(", "));
    let _ = writeln!(c, "    cdef double m[{}]", n * n);
    let _ = writeln!(c, "    cdef double square[{}]", n * n);
    let _ = writeln!(c, "    cdef double p[{n}]");
    let _ = writeln!(c, "    cdef int n = {n}");
    c.push_str("    cdef int x, i, j, c, h, halvings\n");
    c.push_str("    cdef double largest, factor, size, total\n");
    for i in 0..n {
        let _ = writeln!(c, "    p[{i}] = p{i}");
    }
    c.push_str("    for x in range(n * n):\n        m[x] = 0.0\n");
    for (at, sign, rate) in generator_updates(shape) {
        let _ = writeln!(c, "    m[{at}] {sign}= {rate}");
    }
    let _ = writeln!(
        c,
        "    for x in range(n * n):\n        m[x] *= {}",
        number(dt)
    );
    c.push_str("    largest = 0.0\n");
    c.push_str("    for x in range(n * n):\n");
    c.push_str("        size = m[x] if m[x] >= 0.0 else -m[x]\n");
    c.push_str("        if size > largest:\n            largest = size\n");
    c.push_str("    halvings = 0\n    factor = 1.0\n");
    let _ = writeln!(c, "    while largest * factor > {}:", number(SMALL_ENOUGH));
    c.push_str("        factor *= 0.5\n        halvings += 1\n");
    c.push_str("    for x in range(n * n):\n        m[x] *= factor\n");
    c.push_str("    for h in range(halvings):\n");
    c.push_str("        for i in range(n):\n            for j in range(n):\n");
    c.push_str("                total = 0.0\n");
    c.push_str("                for c in range(n):\n");
    c.push_str("                    total += m[i * n + c] * m[c * n + j]\n");
    c.push_str("                square[i * n + j] = total\n");
    c.push_str("        for x in range(n * n):\n");
    c.push_str("            m[x] += m[x]\n            m[x] += square[x]\n");
    c.push_str("    for x in range(n * n):\n");
    c.push_str("        m[x] += 1.0 if x % (n + 1) == 0 else 0.0\n");
    c.push_str("    i = <int>k\n    total = 0.0\n");
    c.push_str("    for j in range(n):\n        total += m[i * n + j] * p[j]\n");
    c.push_str("    return total\n");
    c
}

/// The Python implementation: the template's `_kinetic(states, edges, dt)`.
pub fn python_function(shape: &SchemeShape, dt: f64) -> String {
    let edges: Vec<String> = shape
        .edges
        .iter()
        .map(|(i, j)| format!("({i}, {j})"))
        .collect();
    format!(
        "_kinetic({}, [{}], {}, {})",
        shape.states,
        edges.join(", "),
        number(dt),
        number(SMALL_ENOUGH)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_state() -> SchemeShape {
        SchemeShape {
            states: 2,
            edges: vec![(0, 1)],
        }
    }

    #[test]
    fn arguments_are_the_state_then_occupancies_then_rates() {
        assert_eq!(argument_names(&two_state()), ["k", "p0", "p1", "f0", "r0"]);
    }

    #[test]
    fn the_generator_moves_occupancy_along_each_edge() {
        let updates = generator_updates(&two_state());
        let text: Vec<String> = updates
            .iter()
            .map(|(at, sign, rate)| format!("{at}{sign}{rate}"))
            .collect();
        assert_eq!(text, ["0-f0", "2+f0", "3-r0", "1+r0"]);
    }
}
