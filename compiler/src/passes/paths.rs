//! Resolution of what a Simulation records: every `OutputColumn` and `Line` quantity and every
//! `EventSelection` select, walked from the simulation's target (jLEMS's
//! `RunnableAccessor`), to one instance and a variable or out-port of it.

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::ir::{
    DisplayLine, EventOutputFile, EventSelection, InstId, OutputColumn, OutputFile, VarRef,
};
use crate::model::component::CompId;
use crate::model::outputs::written_name;
use crate::model::types::{ComponentType, Direction};
use crate::passes::navigate::{segments, shorten, Tree};
use crate::passes::support;

/// The recorders of one Simulation, resolved.
#[derive(Debug, Default)]
pub struct Recorders {
    pub output_files: Vec<OutputFile>,
    pub event_output_files: Vec<EventOutputFile>,
    pub display_lines: Vec<DisplayLine>,
}

/// Resolves the recorders nested in the Simulation component `sim`, from `root`.
pub fn resolve_recorders(tree: &Tree, sim: CompId, root: InstId) -> (Recorders, Diagnostics) {
    let mut r = Resolver {
        tree,
        root,
        diags: Diagnostics::new(),
        segment: None,
    };
    let mut out = Recorders::default();
    let model = tree.model;
    for (slot, child) in &model.component(sim).children {
        let c = model.component(*child);
        let nested = |name: &'static str| {
            c.children
                .iter()
                .filter(move |(s, _)| s == name)
                .map(|(_, id)| *id)
        };
        match slot.as_str() {
            "outputs" => {
                let columns = nested("outputColumn")
                    .filter_map(|col| {
                        let target = r.variable(col, "quantity")?;
                        Some(OutputColumn {
                            id: id_of(tree, col),
                            target,
                        })
                    })
                    .collect();
                out.output_files.push(OutputFile {
                    id: id_of(tree, *child),
                    file_name: written_name(c).map(|(n, _)| n).unwrap_or_default(),
                    columns,
                });
            }
            "events" => {
                let selections = nested("eventSelection")
                    .filter_map(|sel| r.event_selection(sel))
                    .collect();
                out.event_output_files.push(EventOutputFile {
                    id: id_of(tree, *child),
                    file_name: written_name(c).map(|(n, _)| n).unwrap_or_default(),
                    format: c.text("format").unwrap_or_default().to_string(),
                    selections,
                });
            }
            "displays" => {
                // jNeuroML runs without its displays (`-nogui`, and every export but its
                // own GUI): a Line that reads nothing is dropped with a warning.
                let before = std::mem::take(&mut r.diags);
                for line in nested("lines") {
                    if let Some(target) = r.variable(line, "quantity") {
                        out.display_lines.push(DisplayLine {
                            id: id_of(tree, line),
                            line,
                            target,
                        });
                    }
                }
                let found = std::mem::replace(&mut r.diags, before);
                for mut d in found.list {
                    if d.is_error() {
                        d.severity = crate::diag::Severity::Warning;
                        d.leniency = Some("display-line");
                        d.notes.push("the Line is left out".to_string());
                    }
                    r.diags.push(d);
                }
            }
            _ => {}
        }
    }
    (out, r.diags)
}

fn id_of(tree: &Tree, comp: CompId) -> String {
    tree.model.component(comp).id.clone().unwrap_or_default()
}

/// Every name a recorder may read from a component of this type.
pub fn variable_names(ty: &ComponentType) -> Vec<&str> {
    let d = &ty.dynamics;
    let mut names: Vec<&str> = Vec::new();
    let all = d
        .state_variables
        .iter()
        .map(|s| s.q.name.as_str())
        .chain(d.derived_variables.iter().map(|v| v.q.name.as_str()))
        .chain(
            d.conditional_derived_variables
                .iter()
                .map(|v| v.q.name.as_str()),
        )
        .chain(ty.exposures.iter().map(|e| e.name.as_str()))
        .chain(ty.parameters.iter().map(|p| p.name.as_str()))
        .chain(ty.derived_parameters.iter().map(|p| p.q.name.as_str()))
        .chain(ty.properties.iter().map(|p| p.q.name.as_str()));
    for n in all {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names
}

struct Resolver<'t, 'a> {
    tree: &'t Tree<'a>,
    root: InstId,
    diags: Diagnostics,
    /// The segment named by the path being resolved, if any.
    segment: Option<String>,
}

impl Resolver<'_, '_> {
    /// True if `name` is the id of a segment of `inst`'s morphology, when it has several.
    fn is_segment(&self, inst: InstId, name: &str) -> bool {
        let model = self.tree.model;
        let cell = self.tree.inst(inst).component;
        support::segment_count(model, cell) > 1
            && support::segment_ids(model, cell).any(|id| id == name)
    }

    /// The Path/Text `attr` of `comp` as (value, span of the value).
    fn attribute(&mut self, comp: CompId, attr: &str) -> Option<(String, Span)> {
        let c = self.tree.model.component(comp);
        let found = c
            .texts
            .iter()
            .find(|(n, _, _)| n == attr)
            .map(|(_, v, s)| (v.clone(), *s));
        if found.is_none() {
            self.diags.push(Diagnostic::at(
                c.span,
                format!("no '{attr}' given; expected the path of what to record, e.g. pop[0]/v"),
            ));
        }
        found
    }

    /// Walks all segments but the last; the last (with its offset) is returned unwalked.
    fn walk<'p>(
        &mut self,
        path: &'p str,
        span: Span,
        keep_last: bool,
    ) -> Option<(InstId, Option<(usize, &'p str)>)> {
        let segs = segments(path);
        let (walked, last) = match (keep_last, segs.split_last()) {
            (true, Some((last, rest))) => (rest, Some(*last)),
            (false, _) => (segs.as_slice(), None),
            (true, None) => {
                self.diags
                    .push(Diagnostic::at(span, "empty path; expected e.g. pop[0]/v"));
                return None;
            }
        };
        let mut cur = self.root;
        for (offset, seg) in walked {
            match self.tree.child(cur, seg) {
                Ok(next) => cur = next,
                // A segment of a multi-compartment cell: what follows is on that segment.
                Err(_) if self.segment.is_none() && self.is_segment(cur, seg) => {
                    self.segment = Some(seg.to_string());
                }
                Err(msg) => {
                    self.diags.push(
                        Diagnostic::at(span.sub(*offset, seg.len()), msg)
                            .with_note(format!("while resolving '{path}'")),
                    );
                    return None;
                }
            }
        }
        Some((cur, last))
    }

    fn variable(&mut self, comp: CompId, attr: &str) -> Option<VarRef> {
        let (path, span) = self.attribute(comp, attr)?;
        self.segment = None;
        let (inst, last) = self.walk(&path, span, true)?;
        let (offset, var) = last?;
        let ty = self.ty_of(inst);
        let names = variable_names(ty);
        if names.contains(&var) {
            return Some(VarRef {
                inst,
                segment: self.segment.take(),
                variable: var.to_string(),
            });
        }
        let mut msg = format!("'{var}' is not a variable of {}", self.tree.describe(inst));
        msg.push_str(&if names.is_empty() {
            "; it has none".to_string()
        } else {
            format!("; it has: {}", shorten(&names))
        });
        self.diags
            .push(Diagnostic::at(span.sub(offset, var.len()), msg));
        None
    }

    fn event_selection(&mut self, sel: CompId) -> Option<EventSelection> {
        let (path, span) = self.attribute(sel, "select")?;
        let (inst, _) = self.walk(&path, span, false)?;
        let c = self.tree.model.component(sel);
        let ty = self.ty_of(inst);
        let outs: Vec<&str> = ty
            .event_ports
            .iter()
            .filter(|p| p.direction == Direction::Out)
            .map(|p| p.name.as_str())
            .collect();
        let port = match c.texts.iter().find(|(n, _, _)| n == "eventPort") {
            Some((_, p, pspan)) => {
                if !outs.contains(&p.as_str()) {
                    self.diags.push(Diagnostic::at(
                        *pspan,
                        format!(
                            "'{p}' is not an out-port of {}; its out-ports: {}",
                            self.tree.describe(inst),
                            if outs.is_empty() {
                                "none".to_string()
                            } else {
                                outs.join(", ")
                            }
                        ),
                    ));
                    return None;
                }
                p.clone()
            }
            None => match outs.first() {
                Some(p) => p.to_string(),
                None => {
                    self.diags.push(Diagnostic::at(
                        span,
                        format!("{} sends no events to record", self.tree.describe(inst)),
                    ));
                    return None;
                }
            },
        };
        Some(EventSelection {
            id: c.id.clone().unwrap_or_default(),
            inst,
            port,
        })
    }

    fn ty_of(&self, inst: InstId) -> &ComponentType {
        let model = self.tree.model;
        model.ty(model.component(self.tree.inst(inst).component).type_id)
    }
}
