//! The Brian2 script: Rust decides every object and prints it as straight-line Python; the
//! template (`codegen-templates/brian2/script.py.tera`) places the lines in a frame that picks
//! the device, runs the network and writes the output files. Model text reaches Python only
//! through [`python_str`] (paths, ids) and [`super::names`] (identifiers).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use lemsc_runtime::program::{EventFormat, Program, Reduce, Stmt};
use serde::Serialize;

use super::code::{number, Names, Printer};
use super::events::{self, Route};
use super::kinetic;
use super::layout::Layout;
use super::links::{group_links, GroupLinks};
use super::names;
use super::shapes::GroupCode;
use crate::back::neuron::names::python_str;

const TEMPLATE: &str = include_str!("../../../../codegen-templates/brian2/script.py.tera");

/// Steps of the group order: each group runs at `ORDER_STRIDE * rank`, the summed variables
/// it reads just before.
const ORDER_STRIDE: usize = 10;

/// The temporary of a handler that says whether its pathway delivers this event.
const DELIVERS: &str = "qdeliver";

#[derive(Serialize)]
struct ScriptView {
    title: String,
    support_module: String,
    brian2_support: String,
    device: String,
    seed: i64,
    dt: String,
    steps: u64,
    build: Vec<String>,
    outputs: Vec<String>,
    /// Whether the script defines `delivery_tables` (only where a delay's wait varies, so
    /// that other scripts, and their cached builds, stay as they were).
    delivery_tables: bool,
}

/// What the script needs besides the program.
pub struct ScriptInput<'a> {
    pub title: &'a str,
    pub support_module: &'a str,
    /// The module of what every script shares, written beside it.
    pub brian2_support: &'a str,
    pub device: &'a str,
    /// Every value after initialisation (the rows at t = 0, and the groups' start values).
    pub initial: &'a [f64],
}

/// The script's text; an error says what Brian2 groups cannot hold.
pub fn script(program: &Program, input: &ScriptInput) -> Result<String, String> {
    let layout = Layout::new(program);
    if let Some(pos) = kinetic::unplaced_scheme(program, &layout.schemes) {
        return Err(format!(
            "kinetic scheme {pos} of the step order reads values outside every instance"
        ));
    }
    let links: Vec<GroupLinks> = (0..layout.groups.len())
        .map(|g| group_links(program, &layout, g))
        .collect::<Result<_, _>>()?;
    let routes = events::routes(program, &layout)?;
    let ports = events::used_ports(program, &layout, &routes);
    let codes: Vec<GroupCode> = layout
        .groups
        .iter()
        .map(|g| layout.shapes.group_code(program, &g.member_kernels))
        .collect();
    let mut b = Builder {
        program,
        layout: &layout,
        codes: &codes,
        links: &links,
        ports: &ports,
        initial: input.initial,
        lines: Vec::new(),
        delivery_tables: false,
    };
    b.groups()?;
    b.schemes();
    b.linked();
    b.summed();
    b.routes(&routes)?;
    let monitors = b.monitors();
    let outputs = b.outputs(&monitors);
    let view = ScriptView {
        title: input.title.to_string(),
        support_module: input.support_module.to_string(),
        brian2_support: input.brian2_support.to_string(),
        device: input.device.to_string(),
        seed: program.seed,
        dt: number(program.dt),
        steps: program.steps,
        delivery_tables: b.delivery_tables,
        build: b.lines,
        outputs,
    };
    render(&view).map_err(|e| format!("the Brian2 template failed: {e}"))
}

fn render(view: &ScriptView) -> Result<String, tera::Error> {
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![]);
    tera.add_raw_template("script.py", TEMPLATE)?;
    tera.render("script.py", &tera::Context::from_serialize(view)?)
}

struct Builder<'a> {
    program: &'a Program,
    layout: &'a Layout,
    /// Each group's code (constants that differ per member as slots).
    codes: &'a [GroupCode],
    links: &'a [GroupLinks],
    ports: &'a BTreeMap<usize, Vec<u32>>,
    initial: &'a [f64],
    lines: Vec<String>,
    /// Whether a route uses the script's `delivery_tables`.
    delivery_tables: bool,
}

/// How one kernel's code names things: in its own group, or from a `Synapses` object on the
/// post side (`_post`), where a delayed event sees the next step's time.
struct KernelNames<'a> {
    slot_names: &'a [String],
    links: &'a GroupLinks,
    post: bool,
}

impl KernelNames<'_> {
    fn side(&self, name: String) -> String {
        if self.post {
            format!("{name}_post")
        } else {
            name
        }
    }
}

/// A slot's name hint; slots past the kernel's own hold constants that differ per member.
fn slot_hint(slot_names: &[String], slot: u32) -> &str {
    slot_names
        .get(slot as usize)
        .map_or("param", String::as_str)
}

impl Names for KernelNames<'_> {
    fn local(&self, slot: u32) -> String {
        self.side(names::slot(slot, slot_hint(self.slot_names, slot)))
    }
    fn link(&self, entry: u32) -> Result<String, String> {
        self.entry(entry)
    }
    fn reduce(&self, _op: Reduce, entry: u32) -> Result<String, String> {
        self.entry(entry)
    }
    fn time(&self) -> String {
        if self.post {
            // Delivered right after the sender ran: the sender's time is this step's.
            "(tl_pre + tshift)".into()
        } else {
            "tl".into()
        }
    }
    fn event_flag(&self, port: u32) -> String {
        self.side(format!("ev{port}"))
    }
}

impl KernelNames<'_> {
    fn entry(&self, entry: u32) -> Result<String, String> {
        let text = self
            .links
            .entries
            .get(&entry)
            .ok_or_else(|| format!("link entry {entry} is not laid out"))?;
        if !self.post {
            return Ok(text.clone());
        }
        // Every name in the entry's text is a variable of the post group, or a temporary of
        // its step, written out here.
        let mut out = String::new();
        for token in split_names(text) {
            match token {
                Token::Name(n) => match self.links.temporaries.iter().find(|(t, _)| t == n) {
                    Some((_, value)) => push_post_names(value, &mut out),
                    None => push_post_names(n, &mut out),
                },
                Token::Other(o) => out.push_str(o),
            }
        }
        Ok(out)
    }
}

/// `text` with every name suffixed `_post`.
fn push_post_names(text: &str, out: &mut String) {
    for token in split_names(text) {
        match token {
            Token::Name(n) => {
                let _ = write!(out, "{n}_post");
            }
            Token::Other(o) => out.push_str(o),
        }
    }
}

enum Token<'a> {
    Name(&'a str),
    Other(&'a str),
}

/// Identifiers (starting with a letter) and the text between them.
fn split_names(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i].is_ascii_alphabetic() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Token::Name(&text[start..i]));
        } else {
            while i < bytes.len() && !bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Token::Other(&text[start..i]));
        }
    }
    out
}

impl Builder<'_> {
    fn group_name(&self, g: usize) -> String {
        let kernel = &self.program.kernels[self.layout.groups[g].kernel as usize];
        names::group(g, &kernel.name)
    }

    fn slot_var(&self, g: usize, slot: u32) -> String {
        let kernel = &self.program.kernels[self.layout.groups[g].kernel as usize];
        names::slot(slot, slot_hint(&kernel.slot_names, slot))
    }

    /// One `NeuronGroup` per kernel: every slot a variable, its start values, its step as
    /// `run_regularly` code in the group's place of the order.
    fn groups(&mut self) -> Result<(), String> {
        for (g, group) in self.layout.groups.iter().enumerate() {
            let kernel = &self.program.kernels[group.kernel as usize];
            let name = self.group_name(g);
            let mut eqs: Vec<String> = (0..kernel.block_len)
                .map(|s| format!("{} : 1", self.slot_var(g, s)))
                .collect();
            let code = &self.codes[g];
            for (slot, _) in &code.params {
                eqs.push(format!("{} : 1", self.slot_var(g, *slot)));
            }
            eqs.push("tl : 1 (shared)".into());
            let ports = self.ports.get(&g).cloned().unwrap_or_default();
            let all_ports = emitted_ports(kernel);
            for &p in all_ports.union(&ports.iter().copied().collect()) {
                eqs.push(format!("ev{p} : 1"));
            }
            for l in &self.links[g].linked {
                eqs.push(format!("{} : 1 (linked)", l.name));
            }
            for s in &self.links[g].summed {
                eqs.push(format!("{} : 1", s.name));
            }
            let events: Vec<String> = ports
                .iter()
                .map(|p| format!("'e{p}': 'ev{p} > 0.5'"))
                .collect();
            self.lines.push(format!("# {}", comment(&kernel.name)));
            self.lines.push(format!(
                "{name} = b2.NeuronGroup({}, {}, events={{{}}}, namespace=NAMESPACE, name={})",
                group.members.len(),
                python_str(&eqs.join("\n")),
                events.join(", "),
                python_str(&name),
            ));
            self.lines.push(format!("OBJECTS.append({name})"));
            for slot in 0..kernel.block_len {
                let values: Vec<f64> = group
                    .members
                    .iter()
                    .map(|&i| {
                        let base = self.program.instances[i as usize].base;
                        self.initial[(base + u64::from(slot)) as usize]
                    })
                    .collect();
                if values.iter().all(|&v| v == 0.0 && v.is_sign_positive()) {
                    continue;
                }
                self.lines.push(format!(
                    "{name}.{} = {}",
                    self.slot_var(g, slot),
                    values_literal(&values)
                ));
            }
            // Events are detected right after the group runs, then delivered (see
            // `events`); the flag is cleared once seen, so an event sent from an OnEvent
            // after detection is seen at the next.
            for (slot, values) in &code.params {
                self.lines.push(format!(
                    "{name}.{} = {}",
                    self.slot_var(g, *slot),
                    values_literal(values)
                ));
            }
            let after = ORDER_STRIDE * (group.rank.map_or(0, |r| r + 1));
            for &p in &ports {
                self.lines
                    .push(format!("{name}.thresholder['e{p}'].when = 'groups'"));
                self.lines
                    .push(format!("{name}.thresholder['e{p}'].order = {}", after + 1));
                self.lines.push(format!(
                    "{name}.run_on_event('e{p}', 'ev{p} = 0', when='groups', order={})",
                    after + 3
                ));
            }
            if let Some(rank) = group.rank {
                let names = KernelNames {
                    slot_names: &kernel.slot_names,
                    links: &self.links[g],
                    post: false,
                };
                let mut printer = Printer::new(&names, self.program.dt);
                printer.raw(format!("tl = tl + {}", number(self.program.dt)));
                for (temporary, value) in &self.links[g].temporaries {
                    printer.raw(format!("{temporary} = {value}"));
                }
                printer.stmts(&code.advance, None)?;
                let code = printer.finish().join("\n");
                self.lines.push(format!(
                    "{name}.run_regularly({}, when='groups', order={}, name={})",
                    python_str(&code),
                    ORDER_STRIDE * (rank + 1),
                    python_str(&format!("{name}_step")),
                ));
            }
        }
        Ok(())
    }

    /// One `NeuronGroup` per scheme group: its occupancies and rates linked to their slots,
    /// its step the shape's function (one call per state, all on the old occupancies, then
    /// the writes back), in its place of the order.
    fn schemes(&mut self) {
        let dt = self.program.dt;
        for (s, scheme) in self.layout.schemes.iter().enumerate() {
            let name = format!("ks{s}");
            let function = format!("lemsc_kinetic{s}");
            let args = kinetic::argument_names(&scheme.shape);
            self.lines.push(format!(
                "# kinetic scheme of {} states",
                scheme.shape.states
            ));
            self.lines.push(format!(
                "NAMESPACE[{}] = _function({}, {}, {}, {}, {})",
                python_str(&function),
                kinetic::python_function(&scheme.shape, dt),
                args.len(),
                python_str(&kinetic::cpp_function(&function, &scheme.shape, dt)),
                python_str(&kinetic::cython_function(&function, &scheme.shape, dt)),
                python_str(&function),
            ));
            let values = &args[1..];
            let news: Vec<String> = (0..scheme.shape.states).map(|k| format!("kn{k}")).collect();
            let eqs: Vec<String> = values
                .iter()
                .map(|a| format!("{a} : 1 (linked)"))
                .chain(news.iter().map(|kn| format!("{kn} : 1")))
                .collect();
            self.lines.push(format!(
                "{name} = b2.NeuronGroup({}, {}, namespace=NAMESPACE, name={})",
                scheme.ops.len(),
                python_str(&eqs.join("\n")),
                python_str(&name),
            ));
            self.lines.push(format!("OBJECTS.append({name})"));
            let sources = scheme.occupancies.iter().chain(&scheme.rates);
            for (arg, source) in values.iter().zip(sources) {
                self.lines.push(format!(
                    "{name}.{arg} = b2.linked_var({}, {}, index={})",
                    self.group_name(source.group),
                    python_str(&self.slot_var(source.group, source.slot)),
                    index_literal(&source.members),
                ));
            }
            // Computed, then written back by a second operation: one code block that reads
            // and writes the linked occupancies is one numpy cannot vectorise.
            let call = values.join(", ");
            let compute: Vec<String> = news
                .iter()
                .enumerate()
                .map(|(k, kn)| format!("{kn} = {function}({}, {call})", number(k as f64)))
                .collect();
            let write: Vec<String> = news
                .iter()
                .enumerate()
                .map(|(k, kn)| format!("p{k} = {kn}"))
                .collect();
            let order = ORDER_STRIDE * (scheme.rank.unwrap_or(0) + 1);
            for (code, at, suffix) in [(compute, order, "step"), (write, order + 1, "write")] {
                self.lines.push(format!(
                    "{name}.run_regularly({}, when='groups', order={at}, name={})",
                    python_str(&code.join("\n")),
                    python_str(&format!("{name}_{suffix}")),
                ));
            }
        }
    }

    fn linked(&mut self) {
        for (g, links) in self.links.iter().enumerate() {
            let name = self.group_name(g);
            for l in &links.linked {
                self.lines.push(format!(
                    "{name}.{} = b2.linked_var({}, {}, index={})",
                    l.name,
                    self.group_name(l.source_group),
                    python_str(&self.slot_var(l.source_group, l.source_slot)),
                    index_literal(&l.index),
                ));
            }
        }
    }

    /// Sums over lists: one `Synapses` per part, updated just before the reading group.
    fn summed(&mut self) {
        for (g, links) in self.links.iter().enumerate() {
            let order = ORDER_STRIDE * (self.layout.groups[g].rank.unwrap_or(0) + 1) - 1;
            for (k, s) in links.summed.iter().enumerate() {
                let obj = format!("sum{g}_{k}");
                let model = format!(
                    "{}_post = {}_pre : 1 (summed)",
                    s.name,
                    self.slot_var(s.source_group, s.source_slot)
                );
                self.lines.push(format!(
                    "{obj} = b2.Synapses({}, {}, model={}, namespace=NAMESPACE, name={})",
                    self.group_name(s.source_group),
                    self.group_name(g),
                    python_str(&model),
                    python_str(&obj),
                ));
                self.lines.push(format!(
                    "{obj}.connect(i={}, j={})",
                    index_literal(&s.pre),
                    index_literal(&s.post)
                ));
                let updater = format!(
                    "{obj}.summed_updaters[{}]",
                    python_str(&format!("{}_post", s.name))
                );
                self.lines.push(format!("{updater}.when = 'groups'"));
                self.lines.push(format!("{updater}.order = {order}"));
                self.lines.push(format!("OBJECTS.append({obj})"));
            }
        }
    }

    /// Event connections: each route's `Synapses` runs the receiver's `OnEvent` on its post.
    fn routes(&mut self, routes: &[Route]) -> Result<(), String> {
        for (k, r) in routes.iter().enumerate() {
            let target = &self.program.kernels[self.layout.groups[r.target_group].kernel as usize];
            let handler: &[Stmt] = self.codes[r.target_group]
                .on_event
                .get(r.in_port as usize)
                .map_or(&[], Vec::as_slice);
            let names = KernelNames {
                slot_names: &target.slot_names,
                links: &self.links[r.target_group],
                post: true,
            };
            let obj = format!("ev{k}_{}", names::clean(&target.name, 24));
            // An empty handler does nothing whichever step it runs in.
            let varying = !handler.is_empty() && !r.varying.is_empty();
            let handler_code = |when: Option<&str>| -> Result<String, String> {
                let mut printer = Printer::new(&names, self.program.dt);
                if let Some(table) = when {
                    printer.raw(format!("{DELIVERS} = {table}(t, dclass)"));
                }
                printer.stmts(handler, when.map(|_| DELIVERS))?;
                let code = printer.finish();
                Ok(if code.is_empty() {
                    "tshift = tshift".to_string()
                } else {
                    code.join("\n")
                })
            };
            let (model, on_pre) = if varying {
                let on_time = format!("lemsc_on_time{k}");
                let late = format!("lemsc_late{k}");
                let classes: Vec<String> = std::iter::once("None".to_string())
                    .chain(r.varying.iter().map(|v| {
                        format!("({}, {}, {})", number(v.delay), v.steps, v.pathway_steps)
                    }))
                    .collect();
                self.delivery_tables = true;
                self.lines.push(format!(
                    "NAMESPACE[{}], NAMESPACE[{}] = delivery_tables([{}])",
                    python_str(&on_time),
                    python_str(&late),
                    classes.join(", ")
                ));
                let on_pre = format!(
                    "{{'pre': {}, 'late': {}}}",
                    python_str(&handler_code(Some(&on_time))?),
                    python_str(&handler_code(Some(&late))?)
                );
                ("tshift : 1\ndclass : integer", on_pre)
            } else {
                ("tshift : 1", python_str(&handler_code(None)?))
            };
            self.lines.push(format!(
                "{obj} = b2.Synapses({}, {}, model={}, on_pre={on_pre}, on_event='e{}', \
                 namespace=NAMESPACE, name={})",
                self.group_name(r.source_group),
                self.group_name(r.target_group),
                python_str(model),
                r.out_port,
                python_str(&obj),
            ));
            self.lines.push(format!(
                "{obj}.connect(i={}, j={})",
                index_literal(&r.pre),
                index_literal(&r.post)
            ));
            let delays: Vec<f64> = r
                .delay_steps
                .iter()
                .map(|&s| s as f64 * self.program.dt)
                .collect();
            if varying {
                // Class 0: connections whose wait never varies (always on time).
                let classes: Vec<usize> = r
                    .varying_class
                    .iter()
                    .map(|c| c.map_or(0, |c| c + 1))
                    .collect();
                self.lines
                    .push(format!("{obj}.dclass = {}", index_literal(&classes)));
                self.lines.push(format!(
                    "{obj}.pre.delay = {} * b2.second",
                    values_literal(&delays)
                ));
                let later: Vec<f64> = r
                    .delay_steps
                    .iter()
                    .map(|&s| (s + 1) as f64 * self.program.dt)
                    .collect();
                self.lines.push(format!(
                    "{obj}.late.delay = {} * b2.second",
                    values_literal(&later)
                ));
            } else if delays.iter().any(|&d| d != 0.0) {
                self.lines.push(format!(
                    "{obj}.delay = {} * b2.second",
                    values_literal(&delays)
                ));
            }
            let after =
                ORDER_STRIDE * (self.layout.groups[r.source_group].rank.map_or(0, |k| k + 1));
            // Pathways of one order run by name: `late` (the earlier sent) before `pre`.
            self.lines.push(format!(
                "for p in {obj}._pathways:\n        p.when = 'groups'\n        p.order = {}",
                after + 2
            ));
            let shifts: Vec<f64> = r
                .early
                .iter()
                .map(|&d| if d { self.program.dt } else { 0.0 })
                .collect();
            if shifts.iter().any(|&d| d != 0.0) {
                self.lines
                    .push(format!("{obj}.tshift = {}", values_literal(&shifts)));
            }
            self.lines.push(format!("OBJECTS.append({obj})"));
        }
        Ok(())
    }

    /// One `StateMonitor` per group that has recorded values, recording at the end of each
    /// step (the values jLEMS writes in that step's row); returns, per `vars` index
    /// recorded, the monitor, variable and row holding it.
    fn monitors(&mut self) -> BTreeMap<u64, (String, String, usize)> {
        let mut wanted: BTreeMap<usize, (BTreeSet<u32>, BTreeSet<usize>)> = BTreeMap::new();
        let recorded: BTreeSet<u64> = self
            .program
            .outputs
            .iter()
            .flat_map(|o| o.columns.iter().copied())
            .collect();
        let mut places = Vec::new();
        for &index in &recorded {
            if let Some((g, j, slot)) = self.layout.place_of(self.program, index) {
                let w = wanted.entry(g).or_default();
                w.0.insert(slot);
                w.1.insert(j);
                places.push((index, g, j, slot));
            }
        }
        let mut at = BTreeMap::new();
        for (&g, (slots, members)) in &wanted {
            let obj = format!("mon{g}");
            let vars: Vec<String> = slots
                .iter()
                .map(|&s| python_str(&self.slot_var(g, s)))
                .collect();
            let members: Vec<usize> = members.iter().copied().collect();
            self.lines.push(format!(
                "{obj} = b2.StateMonitor({}, [{}], record={}, when='end', order=1000, name={})",
                self.group_name(g),
                vars.join(", "),
                index_literal(&members),
                python_str(&obj),
            ));
            self.lines.push(format!("OBJECTS.append({obj})"));
            for &(index, pg, j, slot) in &places {
                if pg == g {
                    let row = members.binary_search(&j).expect("a recorded member");
                    at.insert(index, (obj.clone(), self.slot_var(g, slot), row));
                }
            }
        }
        at
    }

    /// The lines that write every output file once the run is over.
    fn outputs(&mut self, monitors: &BTreeMap<u64, (String, String, usize)>) -> Vec<String> {
        let mut out = Vec::new();
        for file in &self.program.outputs {
            let mut columns = Vec::new();
            for &index in &file.columns {
                let Some((obj, var, row)) = monitors.get(&index) else {
                    continue;
                };
                columns.push(format!(
                    "column(OBJ[{}], {}, {row}, {})",
                    python_str(obj),
                    python_str(var),
                    number(self.initial[index as usize])
                ));
            }
            out.push(format!(
                "write_output({}, [{}])",
                python_str(&file.path.to_string_lossy()),
                columns.join(", ")
            ));
        }
        // Event monitors are made here, before the run: one per (group, port) selected.
        let mut event_monitors: BTreeMap<(usize, u32), String> = BTreeMap::new();
        for file in &self.program.event_outputs {
            let mut selections = Vec::new();
            for s in &file.selections {
                let (g, j) = self.layout.place[s.inst as usize];
                let obj = event_monitors
                    .entry((g, s.out_port))
                    .or_insert_with(|| {
                        let obj = format!("evmon{g}_{}", s.out_port);
                        self.lines.push(format!(
                            "{obj} = b2.EventMonitor({}, 'e{}', record=True, name={})",
                            self.group_name(g),
                            s.out_port,
                            python_str(&obj)
                        ));
                        self.lines.push(format!("OBJECTS.append({obj})"));
                        obj
                    })
                    .clone();
                selections.push(format!(
                    "(OBJ[{}], {j}, {}, {})",
                    python_str(&obj),
                    python_str(&s.id),
                    self.layout.step_position[s.inst as usize]
                ));
            }
            let format = match file.format {
                EventFormat::TimeId => "TIME_ID",
                EventFormat::IdTime => "ID_TIME",
            };
            out.push(format!(
                "write_event_file({}, '{format}', [{}])",
                python_str(&file.path.to_string_lossy()),
                selections.join(", ")
            ));
        }
        out
    }
}

/// The out-ports a kernel's code can fire.
fn emitted_ports(kernel: &lemsc_runtime::program::Kernel) -> BTreeSet<u32> {
    fn walk(stmts: &[Stmt], out: &mut BTreeSet<u32>) {
        for s in stmts {
            match s {
                Stmt::Emit { port } => {
                    out.insert(*port);
                }
                Stmt::If { then, .. } => walk(then, out),
                Stmt::Switch { arms, .. } => arms.iter().for_each(|a| walk(a, out)),
                Stmt::Set { .. } => {}
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&kernel.advance, &mut out);
    kernel.on_event.iter().for_each(|h| walk(h, &mut out));
    out
}

/// One value for every member, or a list.
fn values_literal(values: &[f64]) -> String {
    if values.windows(2).all(|w| w[0].to_bits() == w[1].to_bits()) {
        return number(values[0]);
    }
    let items: Vec<String> = values.iter().map(|&v| number(v)).collect();
    format!("np.array([{}])", items.join(", "))
}

fn index_literal(values: &[usize]) -> String {
    let items: Vec<String> = values.iter().map(usize::to_string).collect();
    format!("np.array([{}], dtype=np.int64)", items.join(", "))
}

/// A kernel's name inside a Python comment: one line, printable ASCII only.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}
