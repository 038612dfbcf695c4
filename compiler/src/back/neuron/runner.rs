//! The Python runner: builds every cell, mechanism, connection and recorder of the IR with
//! NEURON's Python API (never hoc strings, whose errors would not stop the script), runs the
//! simulation with a fixed step and writes the output files in the native target's format.
//!
//! Rust decides everything and emits straight-line Python statements; the template
//! (`codegen-templates/neuron/runner.py.tera`) only places them. Model text reaches Python
//! only through [`python_str`].

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::ir::{InstId, Ir, VarRef};
use crate::model::component::CompId;
use crate::model::Model;

use super::classify::{Kinds, MechKind};
use super::modfile::{ModFile, DISTANCE_VAR};
use super::morphology::{attachment_points, layout, CellLayout};
use super::names::{python_str, shorten};
use super::nmodl_expr::number;
use super::runner_params;
use super::{NeuronOptions, OutputStyle};

const TEMPLATE: &str = include_str!("../../../../codegen-templates/neuron/runner.py.tera");
/// The output files' format (Java's float text), written beside the runner as
/// [`SUPPORT_FILE`]; [`RUNNER_SUPPORT_FILE`] imports it.
pub const SUPPORT_TEXT: &str = include_str!("../../../../codegen-templates/neuron/javafloat.py");
/// The format module's file name; it is imported by the name without `.py`.
pub const SUPPORT_FILE: &str = "lemsc_javafloat.py";
/// The format module's C++ row writer, which it compiles when asked to (`use_native_writer`),
/// written beside it as [`WRITER_FILE`].
pub const WRITER_TEXT: &str =
    include_str!("../../../../codegen-templates/neuron/javafloat_rows.cpp");
/// The row writer's file name: the format module finds it by its own name plus `_rows.cpp`.
pub const WRITER_FILE: &str = "lemsc_javafloat_rows.cpp";
/// The runner's model-independent helpers (sections, connections, recordings, the output
/// files), written beside it as [`RUNNER_SUPPORT_FILE`]: the same text for every model, so
/// the runner itself holds only the model.
pub const RUNNER_SUPPORT_TEXT: &str =
    include_str!("../../../../codegen-templates/neuron/runner_support.py");
/// The runner support module's file name; the runner imports it by the name without `.py`.
pub const RUNNER_SUPPORT_FILE: &str = "lemsc_neuron_support.py";

/// Dummy sections of point cells: L = diam = 10 µm.
const POINT_SECTION_UM: f64 = 10.0;

#[derive(Serialize)]
struct RunnerView {
    title: String,
    support_module: String,
    format_module: String,
    step_ms: String,
    steps: u64,
    step_s: String,
    seed: i64,
    /// `"jlems"` or `"jneuroml"` ([`OutputStyle`]).
    output_style: &'static str,
    temperature: Option<String>,
    /// One mechanism's name: `from neuron import h` may already have loaded the compiled
    /// mechanisms from the working folder, and loading them twice is an error.
    probe: Option<String>,
    build: Vec<String>,
    record: Vec<String>,
    write: Vec<String>,
}

/// `(file name, text)` of the runner.
pub fn runner(
    model: &Model,
    ir: &Ir,
    kinds: &Kinds,
    mods: &[ModFile],
    lems_stem: &str,
    opts: &NeuronOptions,
) -> Result<(String, String), Vec<Diagnostic>> {
    let mut b = Builder {
        model,
        ir,
        kinds,
        mods,
        layouts: BTreeMap::new(),
        lines: Vec::new(),
        diags: Vec::new(),
        spike_sources: Vec::new(),
    };
    b.build_cells();
    b.build_attachments();
    b.build_connections();
    b.build_tunnels();
    let record = b.record();
    let write = b.write();
    if !b.diags.is_empty() {
        return Err(b.diags);
    }
    let sim = &ir.simulation;
    let steps = (sim.length / sim.step).round() as u64;
    let view = RunnerView {
        title: python_str(lems_stem),
        support_module: RUNNER_SUPPORT_FILE.trim_end_matches(".py").to_string(),
        format_module: SUPPORT_FILE.trim_end_matches(".py").to_string(),
        step_ms: number(sim.step * 1e3),
        steps,
        step_s: number(sim.step),
        seed: opts.seed.unwrap_or(sim.seed_or_default()),
        output_style: match opts.output_style {
            OutputStyle::Jlems => "jlems",
            OutputStyle::Jneuroml => "jneuroml",
        },
        temperature: temperature(model, ir).map(|k| number(k - 273.15)),
        probe: kinds.mechanisms.first().map(|m| python_str(&m.name)),
        build: b.lines,
        record,
        write,
    };
    let text = render(&view).map_err(|e| {
        let c = model.component(sim.component);
        vec![Diagnostic::at(
            c.name_span,
            format!("runner template failed: {e}"),
        )]
    })?;
    Ok((runner_file_name(lems_stem), text))
}

/// `<stem>_nrn.py`, within the 255 bytes a file name may have (a long stem is shortened).
pub fn runner_file_name(lems_stem: &str) -> String {
    const SUFFIX: &str = "_nrn.py";
    format!("{}{SUFFIX}", shorten(lems_stem, 255 - SUFFIX.len()))
}

fn render(view: &RunnerView) -> Result<String, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("runner.py", TEMPLATE)?;
    tera.render("runner.py", &tera::Context::from_serialize(view)?)
}

/// The network's `temperature` (K), if it has one.
fn temperature(model: &Model, ir: &Ir) -> Option<f64> {
    let root = model.component(ir.inst(ir.root).component);
    root.param("temperature").map(|p| p.si)
}

struct Builder<'a> {
    model: &'a Model,
    ir: &'a Ir,
    kinds: &'a Kinds,
    mods: &'a [ModFile],
    /// Sections of each `<cell>` component.
    layouts: BTreeMap<CompId, CellLayout>,
    lines: Vec<String>,
    diags: Vec<Diagnostic>,
    /// The spike sources recorded for event files, numbered by position.
    spike_sources: Vec<String>,
}

impl Builder<'_> {
    fn mech_name(&self, inst: InstId) -> Option<String> {
        self.kinds.mechanism_of(inst).map(|m| m.name.clone())
    }

    fn mod_of(&self, inst: InstId) -> Option<&ModFile> {
        let i = *self.kinds.of_instance.get(&inst)?;
        self.mods.get(i)
    }

    fn build_cells(&mut self) {
        for pop in &self.ir.populations {
            for (index, &member) in pop.members.iter().enumerate() {
                let label = python_str(&format!("{}_{index}", pop.name));
                let k = member.0;
                if self.kinds.morph_cells.contains(&member) {
                    self.morph_cell(member, &label);
                    continue;
                }
                let Some(m) = self.kinds.mechanism_of(member).cloned() else {
                    continue;
                };
                let MechKind::PointCell { capacitance } = m.kind else {
                    continue;
                };
                let area_cm2 = std::f64::consts::PI * POINT_SECTION_UM * POINT_SECTION_UM * 1e-8;
                let cm = capacitance * 1e6 / area_cm2;
                self.lines.push(format!(
                    "S[{k}] = point_section({label}, {}, {})",
                    number(POINT_SECTION_UM),
                    number(cm)
                ));
                self.lines
                    .push(format!("P[{k}] = h.{}(S[{k}](0.5))", m.name));
                self.properties(member);
                self.exact_point_cell_params(member);
                if let Some(v0) = self.initial_voltage(member) {
                    self.lines.push(format!("S[{k}].v = {}", number(v0 * 1e3)));
                }
                self.random_ids(member);
            }
        }
    }

    /// Per-instance properties (a connection's `weight`).
    fn properties(&mut self, inst: InstId) {
        let Some(m) = self.mod_of(inst) else { return };
        let assigned = &self.ir.inst(inst).assigned;
        let mut lines = Vec::new();
        for p in &m.plan.properties {
            let value = assigned
                .iter()
                .find(|(n, _)| *n == p.name)
                .map(|(_, v)| *v)
                .unwrap_or(p.value);
            let id = &m.idents[&p.name];
            lines.push(format!("P[{}].{id} = {}", inst.0, number(value)));
        }
        self.lines.extend(lines);
    }

    /// A point cell's own parameters that nocmodl would round ([`runner_params`]).
    fn exact_point_cell_params(&mut self, inst: InstId) {
        let Some(m) = self.mod_of(inst) else { return };
        let lines: Vec<String> = runner_params::point_cell_params(&m.plan)
            .into_iter()
            .filter_map(|(flat, value)| {
                let ident = m.idents.get(&flat)?;
                Some(format!("P[{}].{ident} = {}", inst.0, number(value)))
            })
            .collect();
        self.lines.extend(lines);
    }

    /// A channel density's parameters that nocmodl would round ([`runner_params`]), on every
    /// segment of the sections it is inserted in.
    fn exact_density_params(&mut self, inst: InstId, mech: &str, k: u32, sections: &[usize]) {
        let Some(m) = self.mod_of(inst) else { return };
        let mut lines = Vec::new();
        for (flat, value) in runner_params::density_params(&m.plan) {
            let Some(ident) = m.idents.get(&flat) else {
                continue;
            };
            for &i in sections {
                lines.push(format!("C[{k}][{i}].{ident}_{mech} = {}", number(value)));
            }
        }
        self.lines.extend(lines);
    }

    fn random_ids(&mut self, inst: InstId) {
        if self
            .mod_of(inst)
            .is_some_and(|m| m.text.contains("RANDOM rng"))
        {
            self.lines
                .push(format!("P[{0}].rng.set_ids(RUN.seed, {0}, 0)", inst.0));
        }
    }

    /// The value the cell's OnStart gives `v`, evaluated from parameters (V).
    fn initial_voltage(&self, inst: InstId) -> Option<f64> {
        let m = self.mod_of(inst)?;
        let v = m.plan.states.iter().find(|s| s.is_voltage)?;
        let a = m.plan.on_start.iter().rev().find(|a| a.var == v.name)?;
        crate::passes::mechanism::eval_const(&m.plan, &a.value)
    }

    fn cell_layout(&mut self, comp: CompId) -> Option<CellLayout> {
        if !self.layouts.contains_key(&comp) {
            match layout(self.model, comp) {
                Ok(l) => {
                    self.layouts.insert(comp, l);
                }
                Err(d) => {
                    self.diags.extend(d);
                    return None;
                }
            }
        }
        self.layouts.get(&comp).cloned()
    }

    fn morph_cell(&mut self, member: InstId, label: &str) {
        let comp = self.ir.inst(member).component;
        let Some(l) = self.cell_layout(comp) else {
            return;
        };
        let k = member.0;
        self.lines.push(format!("C[{k}] = {{}}"));
        for (i, s) in l.sections.iter().enumerate() {
            let name = python_str(&s.name);
            self.lines.push(format!(
                "C[{k}][{i}] = h.Section(name={label} + '_' + {name})"
            ));
            self.lines.push(format!("C[{k}][{i}].nseg = {}", s.nseg));
            let points: Vec<String> = s
                .points
                .iter()
                .map(|p| {
                    format!(
                        "({}, {}, {}, {})",
                        number(p[0]),
                        number(p[1]),
                        number(p[2]),
                        number(p[3])
                    )
                })
                .collect();
            self.lines
                .push(format!("add_points(C[{k}][{i}], [{}])", points.join(", ")));
            if let Some((parent, x)) = s.parent {
                self.lines.push(format!(
                    "C[{k}][{i}].connect(C[{k}][{parent}]({}), 0)",
                    number(x)
                ));
            }
        }
        let group_sections = |g: &Option<String>| -> Vec<usize> {
            match g {
                None => (0..l.sections.len()).collect(),
                Some(name) => l
                    .groups
                    .iter()
                    .find(|gr| &gr.name == name)
                    .map(|gr| gr.sections.clone())
                    .unwrap_or_else(|| (0..l.sections.len()).collect()),
            }
        };
        let bio = &l.biophysics;
        for (g, cm) in &bio.specific_capacitance {
            for i in group_sections(g) {
                self.lines.push(format!("C[{k}][{i}].cm = {}", number(*cm)));
            }
        }
        for (g, ra) in &bio.resistivity {
            for i in group_sections(g) {
                self.lines.push(format!("C[{k}][{i}].Ra = {}", number(*ra)));
            }
        }
        // Density mechanisms: every channel density and concentration model of this cell.
        let densities: Vec<(InstId, String, MechKind)> = self
            .kinds
            .of_instance
            .iter()
            .filter(|(inst, _)| self.ir.is_descendant(**inst, member))
            .map(|(inst, &i)| {
                let m = &self.kinds.mechanisms[i];
                (*inst, m.name.clone(), m.kind.clone())
            })
            .collect();
        // The reference export inserts one mechanism per ion channel and sets its density
        // group by group: where two densities of one channel overlap, the later one is the
        // section's only one.
        let mut last_density = BTreeMap::new();
        for (position, c) in bio.channels.iter().enumerate() {
            for i in group_sections(&c.group) {
                last_density.insert((i, c.channel), position);
            }
        }
        for (inst, name, kind) in densities {
            let comp = self.ir.inst(inst).component;
            let sections = match &kind {
                MechKind::Density { .. } => {
                    let Some((position, c)) = bio
                        .channels
                        .iter()
                        .enumerate()
                        .find(|(_, c)| c.density == comp)
                    else {
                        continue;
                    };
                    let sections: Vec<usize> = group_sections(&c.group)
                        .into_iter()
                        .filter(|&i| last_density.get(&(i, c.channel)) == Some(&position))
                        .collect();
                    sections
                }
                MechKind::Concentration { .. } => {
                    let group = bio
                        .species
                        .iter()
                        .find(|s| s.concentration_model == comp)
                        .map(|s| s.group.clone())
                        .unwrap_or(None);
                    group_sections(&group)
                }
                _ => continue,
            };
            for &i in &sections {
                self.lines
                    .push(format!("C[{k}][{i}].insert({})", python_str(&name)));
            }
            if matches!(kind, MechKind::Density { .. }) {
                self.exact_density_params(inst, &name, k, &sections);
            }
            let variation = bio
                .channels
                .iter()
                .find(|c| c.density == comp)
                .and_then(|c| c.variation.clone());
            let distance = self
                .mod_of(inst)
                .and_then(|m| m.idents.get(DISTANCE_VAR).cloned());
            if let (Some(v), Some(distance)) = (variation, distance) {
                // The root section (index 0, parents come first) is where distances start.
                let sections: Vec<String> =
                    sections.iter().map(|i| format!("C[{k}][{i}]")).collect();
                let py_bool = |b: bool| if b { "True" } else { "False" };
                self.lines.push(format!(
                    "set_path_distance([{}], C[{k}][0], {}, {}, {})",
                    sections.join(", "),
                    python_str(&format!("{distance}_{name}")),
                    py_bool(v.translate),
                    py_bool(v.normalize)
                ));
            }
        }
        for sp in &bio.species {
            for i in group_sections(&sp.group) {
                let ion = &sp.ion;
                self.lines.push(format!(
                    "set_concentrations(C[{k}][{i}], {}, {}, {})",
                    python_str(ion),
                    number(sp.initial_in),
                    number(sp.initial_out)
                ));
            }
        }
        for (g, v0) in &bio.init_membrane_potential {
            for i in group_sections(g) {
                self.lines.push(format!("C[{k}][{i}].v = {}", number(*v0)));
            }
        }
        let root = l.root_section();
        self.lines.push(format!("S[{k}] = C[{k}][{root}]"));
        self.lines
            .push(format!("THRESHOLD[{k}] = {}", number(bio.spike_threshold)));
    }

    /// Section expression and x of a point of a cell given by segment id and fraction.
    fn place(&mut self, cell: InstId, segment: Option<u32>, fraction: Option<f64>) -> String {
        let k = cell.0;
        if !self.kinds.morph_cells.contains(&cell) {
            return format!("S[{k}](0.5)");
        }
        let comp = self.ir.inst(cell).component;
        let Some(l) = self.cell_layout(comp) else {
            return format!("S[{k}](0.5)");
        };
        let seg = segment.unwrap_or(0);
        let frac = fraction.unwrap_or(0.5);
        match l.locate(seg, frac) {
            Some((i, x)) => format!("C[{k}][{i}]({})", number(x)),
            None => format!("S[{k}](0.5)"),
        }
    }

    fn build_attachments(&mut self) {
        let placed = attachment_points(self.model, self.ir);
        let attachments: Vec<(InstId, InstId)> = self
            .kinds
            .of_instance
            .iter()
            .filter(|(_, &i)| self.kinds.mechanisms[i].kind == MechKind::Attachment)
            .filter_map(|(inst, _)| self.ir.inst(*inst).parent.map(|p| (*inst, p)))
            .collect();
        for (inst, cell) in attachments {
            let (seg, frac) = placed.get(&inst).copied().unwrap_or((None, None));
            let at = self.place(cell, seg, frac);
            let name = self.mech_name(inst).unwrap();
            self.lines.push(format!("P[{}] = h.{name}({at})", inst.0));
            self.properties(inst);
            self.random_ids(inst);
        }
    }

    /// The NetCon source of a cell's spikes: a spike source's own events; for any other cell
    /// its voltage crossing a threshold, as NEURON users detect spikes (the reference values
    /// come from exports that do the same): `spikeThresh` of a `<cell>`, `thresh` of the
    /// integrate-and-fire cells, `v_thresh` (or `v_spike` for exponential cells) of PyNN
    /// cells, else 0 mV.
    fn spike_source(&self, cell: InstId) -> String {
        let k = cell.0;
        if self.kinds.morph_cells.contains(&cell) {
            return format!("spike_detector(S[{k}], THRESHOLD[{k}])");
        }
        let comp = self.model.component(self.ir.inst(cell).component);
        let extends = |name: &str| {
            self.model
                .type_by_name
                .get(name)
                .is_some_and(|&t| self.model.extends(comp.type_id, t))
        };
        if extends("baseSpikeSource") {
            return format!("P[{k}]");
        }
        let mv = |name: &str| {
            comp.param(name).map(|p| {
                if p.dim == crate::model::dims::Dim::NONE {
                    p.si
                } else {
                    p.si * 1e3
                }
            })
        };
        let threshold = if extends("baseIafCapCell") || extends("baseIaf") {
            mv("thresh")
        } else if extends("basePyNNCell") {
            let exponential =
                extends("EIF_cond_alpha_isfa_ista") || extends("EIF_cond_exp_isfa_ista");
            if exponential && mv("delta_T") != Some(0.0) {
                mv("v_spike")
            } else {
                mv("v_thresh")
            }
        } else {
            None
        };
        let threshold = number(threshold.unwrap_or(0.0));
        format!("spike_detector(S[{k}], {threshold})")
    }

    fn build_connections(&mut self) {
        for c in &self.ir.event_connections {
            let target = c.receiver.unwrap_or(c.target);
            // Connections inside one mechanism (a synapse relaying to its plasticity
            // mechanism) were inlined into it.
            let is_cell = |i: &InstId| {
                self.kinds.of_instance.contains_key(i) || self.kinds.morph_cells.contains(i)
            };
            if !is_cell(&target) || !is_cell(&c.source) {
                continue;
            }
            let source = self.spike_source(c.source);
            self.lines.push(format!(
                "connect({source}, P[{}], {})",
                target.0,
                number(c.delay * 1e3)
            ));
        }
    }

    fn build_tunnels(&mut self) {
        for t in &self.ir.tunnels {
            for (end, peer) in [(t.at_a, t.end_b), (t.at_b, t.end_a)] {
                let at = self.place(peer, None, None);
                self.lines
                    .push(format!("h.setpointer({at}._ref_v, 'vpeer', P[{}])", end.0));
            }
        }
    }

    /// The NEURON reference and SI scale (a Python expression) of a recorded variable.
    fn reference(&mut self, target: &VarRef) -> Option<(String, String)> {
        // The mechanism instance holding it, and the path from there.
        let mut cur = target.inst;
        let mut path = Vec::new();
        loop {
            if self.kinds.of_instance.contains_key(&cur) || self.kinds.morph_cells.contains(&cur) {
                break;
            }
            path.push(self.ir.inst(cur).name.clone());
            cur = self.ir.inst(cur).parent?;
        }
        path.reverse();
        if self.kinds.morph_cells.contains(&cur) {
            if !path.is_empty() {
                return None;
            }
            // Variables of the cell itself are NEURON's own, per segment. A calcium current
            // is a density there (mA/cm², outward positive): times the segment's area
            // (µm²) and -1e-11 it is the cell's inward current in A.
            let seg = target.segment.as_deref().and_then(|s| s.parse().ok());
            let at = self.place(cur, seg.or(Some(0)), Some(0.5));
            let (name, scale) = match target.variable.as_str() {
                "v" => ("v", number(1e-3)),
                // mM = mol/m³.
                "caConc" => ("cai", number(1.0)),
                "caConcExt" => ("cao", number(1.0)),
                "caConc2" => ("ca2i", number(1.0)),
                "caConcExt2" => ("ca2o", number(1.0)),
                "iCa" => ("ica", format!("-1e-11 * {at}.area()")),
                "iCa2" => ("ica2", format!("-1e-11 * {at}.area()")),
                _ => return None,
            };
            return Some((format!("{at}._ref_{name}"), scale));
        }
        let m = self.mod_of(cur)?;
        let rep = self.kinds.mechanism_of(cur)?.representative;
        let rep_inst = self.ir.descendant(rep, &path.join("/"))?;
        let flat = m
            .plan
            .names
            .get(&(rep_inst, target.variable.clone()))?
            .clone();
        if m.plan.states.iter().any(|s| s.name == flat && s.is_voltage) {
            return Some((format!("S[{}](0.5)._ref_v", cur.0), number(1e-3)));
        }
        let ident = m.idents.get(&flat)?.clone();
        match self.kinds.mechanism_of(cur)?.kind {
            MechKind::Density { .. } | MechKind::Concentration { .. } => {
                let cell = self.cell_of(cur)?;
                let at = self.place(cell, Some(0), Some(0.5));
                let name = self.kinds.mechanism_of(cur)?.name.clone();
                Some((format!("{at}._ref_{ident}_{name}"), number(1.0)))
            }
            _ => Some((format!("P[{}]._ref_{ident}", cur.0), number(1.0))),
        }
    }

    fn cell_of(&self, inst: InstId) -> Option<InstId> {
        let mut cur = Some(inst);
        while let Some(c) = cur {
            if self.kinds.morph_cells.contains(&c) {
                return Some(c);
            }
            cur = self.ir.inst(c).parent;
        }
        None
    }

    fn record(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        // Folders are made before the run, as the native target does.
        let names = self.ir.output_files.iter().map(|f| &f.file_name);
        for name in names.chain(self.ir.event_output_files.iter().map(|f| &f.file_name)) {
            lines.push(format!("make_folder({})", python_str(name)));
        }
        for (f, file) in self.ir.output_files.iter().enumerate() {
            lines.push(format!("TRACES[{f}] = []"));
            for col in &file.columns {
                match self.reference(&col.target) {
                    Some((r, scale)) => {
                        lines.push(format!("TRACES[{f}].append((record({r}), {scale}))"))
                    }
                    None => {
                        let c = self.model.component(self.ir.simulation.component);
                        self.diags.push(Diagnostic::at(
                            c.name_span,
                            format!(
                                "output column '{}' ({}/{}) has no NEURON counterpart",
                                col.id,
                                self.ir.path_of(col.target.inst),
                                col.target.variable
                            ),
                        ));
                    }
                }
            }
        }
        // NEURON keeps one recording per spike source (a second `NetCon.record` replaces the
        // first), so each source is recorded once, numbered, into vectors every event file
        // reads; write_spikes turns a source's number back into the `id` text of each
        // selection of it (written as given, as jLEMS and the native target do).
        for file in &self.ir.event_output_files {
            for sel in &file.selections {
                let source = self.spike_source(sel.inst);
                if !self.spike_sources.contains(&source) {
                    lines.push(format!(
                        "RUN.record_spikes({source}, {})",
                        self.spike_sources.len()
                    ));
                    self.spike_sources.push(source);
                }
            }
        }
        lines
    }

    fn write(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (f, file) in self.ir.output_files.iter().enumerate() {
            lines.push(format!(
                "RUN.write_traces({}, TRACES[{f}])",
                python_str(&file.file_name)
            ));
        }
        for file in &self.ir.event_output_files {
            let selections: Vec<String> = file
                .selections
                .iter()
                .map(|sel| {
                    let source = self.spike_source(sel.inst);
                    let number = self.spike_sources.iter().position(|s| *s == source);
                    format!("({}, {})", number.unwrap_or(0), python_str(&sel.id))
                })
                .collect();
            lines.push(format!(
                "RUN.write_spikes({}, {}, [{}])",
                python_str(&file.file_name),
                python_str(&file.format),
                selections.join(", ")
            ));
        }
        lines
    }
}
