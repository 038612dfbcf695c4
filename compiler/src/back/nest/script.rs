//! The Python script `LEMS_<name>_nest.py`: NEST nodes for every population member,
//! connections with weights, delays and receptor ports, per-node parameters, multimeters and
//! a spike recorder, and the output files written in the native target's format.
//!
//! Rust decides everything (node ids included: NEST numbers nodes from 1 in creation order)
//! and emits data and straight-line statements; the template
//! (`codegen-templates/nest/script.py.tera`) only places them. Model text reaches Python only
//! through [`python_str`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::back::neuron::names::python_str;
use crate::diag::Diagnostic;
use crate::ir::{InstId, Ir, VarRef};
use crate::model::Model;

use super::expr::number;
use super::nestml::ModelFile;
use super::nodes::{Mode, Nodes, WEIGHT};

const TEMPLATE: &str = include_str!("../../../../codegen-templates/nest/script.py.tera");

/// Where the script finds the built module, relative to itself.
pub const MODULE_DIR: &str = "nest_module";

#[derive(Serialize)]
struct View {
    title: String,
    support_module: String,
    module_dir: String,
    module_dir_str: String,
    module_file: String,
    step_ms: String,
    step_s: String,
    steps: u64,
    pad_steps: u64,
    seed: i64,
    populations: Vec<String>,
    connections: Vec<String>,
    record: Vec<String>,
    spike_sources: String,
    initial: Vec<String>,
    write: Vec<String>,
}

/// What the script needs besides the IR.
pub struct ScriptInput<'a> {
    pub nodes: &'a Nodes,
    pub files: &'a [ModelFile],
    pub module_file: &'a str,
    pub support_module: &'a str,
    pub seed: i64,
}

/// `(file name, text)` of the script.
pub fn script(
    model: &Model,
    ir: &Ir,
    lems_stem: &str,
    input: &ScriptInput,
) -> Result<(String, String), Vec<Diagnostic>> {
    let sim = &ir.simulation;
    let sim_span = model.component(sim.component).name_span;
    let mut diags = Vec::new();
    let steps = (sim.length / sim.step).round() as u64;
    let nodes = input.nodes;

    // Node ids in creation order: populations in IR order.
    let mut gid: BTreeMap<InstId, u64> = BTreeMap::new();
    let mut populations = Vec::new();
    let mut next = 1u64;
    let mut defaulted = Vec::new();
    for (p, pop) in ir.populations.iter().enumerate() {
        let members: Vec<InstId> = pop
            .members
            .iter()
            .copied()
            .filter(|m| nodes.model_of.contains_key(m))
            .collect();
        if members.is_empty() {
            continue;
        }
        let mi = nodes.model_of[&members[0]];
        let file = &input.files[mi];
        if !defaulted.contains(&mi) {
            defaulted.push(mi);
            let entries: Vec<String> = file
                .defaults
                .iter()
                .map(|(k, v)| format!("{}: {}", python_str(k), py_float(*v)))
                .collect();
            populations.push(format!(
                "nest.SetDefaults({}, {{{}}})",
                python_str(&file.name),
                entries.join(", ")
            ));
        }
        populations.push(format!(
            "POP[{p}] = nest.Create({}, {})  # {}",
            python_str(&file.name),
            members.len(),
            python_str(&pop.name)
        ));
        for &m in &members {
            gid.insert(m, next);
            next += 1;
        }
        populations.extend(node_parameters(ir, nodes, file, mi, p, &members));
    }

    // Connections, grouped by (post model, receptor).
    let mut groups: BTreeMap<(String, String), (Vec<u64>, Vec<u64>, Vec<f64>, Vec<f64>)> =
        BTreeMap::new();
    for c in &ir.event_connections {
        if super::nodes::internal(ir, nodes, c.source, c.receiver.unwrap_or(c.target)) {
            continue;
        }
        let (Some(&pre), post_cell) = (
            gid.get(&c.source),
            c.receiver.map_or(c.target, |r| {
                nodes.cell_of.get(&r).copied().unwrap_or(c.target)
            }),
        ) else {
            continue;
        };
        let Some(&post) = gid.get(&post_cell) else {
            continue;
        };
        let mi = nodes.model_of[&post_cell];
        let file = &input.files[mi];
        let k_steps = super::delays::steps(c.delay, sim.step);
        let kind_of = c
            .receiver
            .and_then(|r| nodes.kind_of.get(&r).map(|k| (r, k)));
        // A connection whose delay jLEMS's due time decides has a port of its own.
        let delayed = super::delays::checked(k_steps)
            .then(|| {
                let key = (kind_of.map(|(_, &(_, k))| k), c.target_port.clone());
                file.idents
                    .delayed_ports
                    .get(&(key, c.delay.to_bits()))
                    .cloned()
            })
            .flatten();
        let (port, weight) = match kind_of {
            Some((r, &(_, k))) => {
                let kind = &nodes.models[mi].kinds[k];
                let w = if kind.mode == Mode::Folded {
                    ir.inst(r)
                        .assigned
                        .iter()
                        .find(|(n, _)| n == WEIGHT)
                        .map(|(_, v)| *v)
                        .or_else(|| {
                            kind.plan
                                .properties
                                .iter()
                                .find(|p| p.name == WEIGHT)
                                .map(|p| p.value)
                        })
                        .unwrap_or(1.0)
                } else {
                    1.0
                };
                (
                    file.idents
                        .kind_ports
                        .get(&(k, c.target_port.clone()))
                        .cloned(),
                    w,
                )
            }
            None => (file.idents.cell_ports.get(&c.target_port).cloned(), 1.0),
        };
        let Some(port) = delayed.or(port) else {
            continue;
        };
        // A LEMS delay of k steps arrives at the start of step n + k (or one later, which
        // the model's due-time check adds), and so does a NEST delay of k steps: the model
        // applies arrivals before its step. NEST's smallest delay is one step: a zero
        // delay arrives at the start of the next step.
        let d = super::delays::nest_steps(k_steps) as f64 * (sim.step * 1e3);
        let g = groups.entry((file.name.clone(), port)).or_default();
        g.0.push(pre);
        g.1.push(post);
        g.2.push(weight);
        g.3.push(d);
    }
    // NEST's communication interval is its smallest delay, 1 ms without connections.
    let longest_ms = groups
        .values()
        .flat_map(|g| g.3.iter().copied())
        .fold(1.0f64, f64::max);
    let pad_steps = ((longest_ms + sim.step * 1e3) / (sim.step * 1e3)).ceil() as u64 + 1;
    let mut connections = Vec::new();
    for ((model_name, port), (pre, post, w, d)) in &groups {
        connections.push(format!(
            "nest.Connect(np.array({}), np.array({}), \"one_to_one\", syn_spec={{\"weight\": \
             np.array({}), \"delay\": np.array({}), \"receptor_type\": receptor({}, {})}})",
            int_list(pre),
            int_list(post),
            float_list(w),
            float_list(d),
            python_str(model_name),
            python_str(port)
        ));
    }

    // Recorded variables: per model, the NESTML variables; per column, how to read it.
    let mut per_model: BTreeMap<usize, (Vec<String>, Vec<u64>)> = BTreeMap::new();
    let mut initial = Vec::new();
    let mut write = Vec::new();
    for f in &ir.output_files {
        let mut cols = Vec::new();
        for col in &f.columns {
            match column(model, ir, nodes, input.files, &gid, &col.target) {
                Ok(Read::Trace(mi, node, var)) => {
                    let entry = per_model.entry(mi).or_default();
                    if !entry.0.contains(&var) {
                        entry.0.push(var.clone());
                    }
                    if !entry.1.contains(&node) {
                        entry.1.push(node);
                    }
                    let key = format!("({node}, {})", python_str(&var));
                    let line = format!("INITIAL[{key}] = initial({node}, {})", python_str(&var));
                    if !initial.contains(&line) {
                        initial.push(line);
                    }
                    cols.push(format!(
                        "OUTPUT.trace({}, {node}, {})",
                        python_str(&input.files[mi].name),
                        python_str(&var)
                    ));
                }
                Ok(Read::Constant(v)) => cols.push(format!("OUTPUT.constant({})", number(v))),
                Err(message) => diags.push(
                    Diagnostic::at(sim_span, message)
                        .with_note(format!("in output column '{}' of '{}'", col.id, f.id)),
                ),
            }
        }
        let path = python_str(&f.file_name);
        write.push(format!("make_folder({path})"));
        write.push(format!(
            "OUTPUT.write_traces({path}, [{}])",
            cols.join(", ")
        ));
    }
    let mut record = Vec::new();
    for (mi, (vars, mut recorded_nodes)) in per_model {
        recorded_nodes.sort();
        let name = python_str(&input.files[mi].name);
        record.push(format!(
            "RECORDERS[{name}] = nest.Create(\"multimeter\", params={{\"interval\": RUN.step_ms, \
             \"record_from\": [{}]}})",
            vars.iter()
                .map(|v| python_str(v))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        record.push(format!(
            "nest.Connect(RECORDERS[{name}], nest.NodeCollection({}))",
            int_list(&recorded_nodes)
        ));
    }
    let mut spike_sources: Vec<u64> = Vec::new();
    for f in &ir.event_output_files {
        let mut sel = Vec::new();
        for s in &f.selections {
            match gid.get(&s.inst) {
                Some(&node) => {
                    if !spike_sources.contains(&node) {
                        spike_sources.push(node);
                    }
                    sel.push(format!("({node}, {})", python_str(&s.id)));
                }
                None => diags.push(Diagnostic::at(
                    sim_span,
                    format!(
                        "the NEST target records spikes of population members only (event \
                         selection '{}' of '{}')",
                        s.id, f.id
                    ),
                )),
            }
        }
        let path = python_str(&f.file_name);
        write.push(format!("make_folder({path})"));
        write.push(format!(
            "OUTPUT.write_spikes({path}, {}, [{}])",
            python_str(&f.format),
            sel.join(", ")
        ));
    }
    spike_sources.sort();
    if !diags.is_empty() {
        return Err(diags);
    }
    let view = View {
        title: python_comment(lems_stem),
        support_module: input.support_module.to_string(),
        module_dir: MODULE_DIR.to_string(),
        module_dir_str: python_str(MODULE_DIR),
        module_file: python_str(input.module_file),
        step_ms: number(sim.step * 1e3),
        step_s: number(sim.step),
        steps,
        pad_steps,
        seed: input.seed,
        populations,
        connections,
        record,
        spike_sources: if spike_sources.is_empty() {
            String::new()
        } else {
            int_list(&spike_sources)
        },
        initial,
        write,
    };
    let text = render(&view).map_err(|e| {
        vec![Diagnostic::at(
            sim_span,
            format!("NEST script template failed: {e}"),
        )]
    })?;
    Ok((script_file_name(lems_stem), text))
}

/// `<stem>_nest.py`, within the 255 bytes a file name may have.
pub fn script_file_name(lems_stem: &str) -> String {
    const SUFFIX: &str = "_nest.py";
    format!(
        "{}{SUFFIX}",
        crate::back::neuron::names::shorten(lems_stem, 255 - SUFFIX.len())
    )
}

fn render(view: &View) -> Result<String, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("script.py", TEMPLATE)?;
    tera.render("script.py", &tera::Context::from_serialize(view)?)
}

fn python_comment(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn int_list(v: &[u64]) -> String {
    let mut s = String::from("[");
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{x}");
    }
    s.push(']');
    s
}

fn float_list(v: &[f64]) -> String {
    let mut s = String::from("[");
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&py_float(*x));
    }
    s.push(']');
    s
}

/// A Python float literal that reads back as `x`.
fn py_float(x: f64) -> String {
    if x.is_nan() {
        "float('nan')".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "float('inf')".into()
        } else {
            "float('-inf')".into()
        }
    } else {
        format!("{x:?}")
    }
}

/// Per-node parameters of one population: the count of each kind that is not folded, and
/// the properties of kinds held once per cell.
fn node_parameters(
    ir: &Ir,
    nodes: &Nodes,
    file: &ModelFile,
    mi: usize,
    p: usize,
    members: &[InstId],
) -> Vec<String> {
    let m = &nodes.models[mi];
    let mut lines = Vec::new();
    for (&k, param) in &file.idents.count_param {
        let counts: Vec<f64> = members
            .iter()
            .map(|c| m.kinds[k].on_cell.get(c).map_or(0, Vec::len) as f64)
            .collect();
        if counts.iter().all(|&c| c == 0.0) {
            continue;
        }
        lines.push(format!(
            "POP[{p}].set({{{}: {}}})",
            python_str(param),
            float_list(&counts)
        ));
    }
    for (k, flat, ident) in &file.idents.node_properties {
        let kind = &m.kinds[*k];
        let default = kind
            .plan
            .properties
            .iter()
            .find(|q| &q.name == flat)
            .map_or(0.0, |q| q.value);
        let values: Vec<f64> = members
            .iter()
            .map(|c| {
                kind.on_cell
                    .get(c)
                    .and_then(|list| list.first())
                    .and_then(|a| {
                        ir.inst(*a)
                            .assigned
                            .iter()
                            .find(|(n, _)| n == flat)
                            .map(|(_, v)| *v)
                    })
                    .unwrap_or(default)
            })
            .collect();
        if values.iter().all(|&v| v == default) {
            continue;
        }
        lines.push(format!(
            "POP[{p}].set({{{}: {}}})",
            python_str(ident),
            float_list(&values)
        ));
    }
    lines
}

enum Read {
    /// (model index, node id, NESTML variable)
    Trace(usize, u64, String),
    Constant(f64),
}

/// How one recorded variable is read in NEST.
fn column(
    _model: &Model,
    ir: &Ir,
    nodes: &Nodes,
    files: &[ModelFile],
    gid: &BTreeMap<InstId, u64>,
    target: &VarRef,
) -> Result<Read, String> {
    if target.segment.is_some() {
        return Err("the NEST target has no segments to record from".into());
    }
    // Walk up to the population member or attachment that owns the instance, noting the
    // child names on the way, to find the same instance under the plan's representative.
    let mut path = Vec::new();
    let mut at = target.inst;
    loop {
        if nodes.model_of.contains_key(&at) || nodes.kind_of.contains_key(&at) {
            break;
        }
        let inst = ir.inst(at);
        path.push(inst.name.clone());
        match inst.parent {
            Some(p) => at = p,
            None => return Err("the recorded variable is not in a NEST node".into()),
        }
    }
    path.reverse();
    let mut variable = std::collections::BTreeSet::new();
    let (plan, idents, node, mi, recorded): (_, BTreeMap<String, String>, _, _, _) =
        if let Some(&mi) = nodes.model_of.get(&at) {
            let m = &nodes.models[mi];
            variable = m.sum_names();
            (
                &m.cell,
                files[mi].idents.cell.clone(),
                gid[&at],
                mi,
                Some(&files[mi].idents.recorded),
            )
        } else {
            let (mi, k) = nodes.kind_of[&at];
            let kind = &nodes.models[mi].kinds[k];
            let cell = nodes.cell_of[&at];
            if kind.mode == Mode::Folded && kind.on_cell.get(&cell).map_or(0, Vec::len) > 1 {
                return Err(format!(
                    "the NEST target sums the {} instances of this synapse on one cell into one \
                     state, so one of them cannot be recorded",
                    kind.on_cell[&cell].len()
                ));
            }
            let idents = files[mi].idents.per_kind[k].clone();
            let node = *gid
                .get(&cell)
                .ok_or_else(|| "the synapse's cell is not a NEST node".to_string())?;
            (&kind.plan, idents, node, mi, None)
        };
    let mut rep = plan.root;
    for name in &path {
        match ir
            .inst(rep)
            .children
            .iter()
            .find(|c| &ir.inst(c.inst).name == name)
        {
            Some(c) => rep = c.inst,
            None => return Err("the recorded instance has no counterpart in the NEST model".into()),
        }
    }
    let Some(flat) = plan.names.get(&(rep, target.variable.clone())) else {
        return Err(format!(
            "'{}' is not a variable of the NEST model",
            target.variable
        ));
    };
    if let Some(p) = plan
        .params
        .iter()
        .chain(&plan.properties)
        .find(|p| &p.name == flat)
    {
        return Ok(Read::Constant(p.value));
    }
    if let Some(v) = super::nestml::constant_derived(plan, &variable).get(flat) {
        return Ok(Read::Constant(*v));
    }
    let var = recorded
        .and_then(|r| r.get(flat))
        .or_else(|| idents.get(flat))
        .cloned()
        .ok_or_else(|| format!("'{}' has no NESTML variable", target.variable))?;
    Ok(Read::Trace(mi, node, var))
}
