//! Event connections and recorders (§6, §10, §11 of docs/jlems-semantics.md): port names
//! to kernel port indices, recorded variables to vars indices, file names to paths.

use std::path::Path;

use lemsc_runtime::program::{
    Connection, EventFormat, EventOutputSpec, EventSelectionSpec, OutputSpec,
};

use super::layout::ProgramLayout;
use crate::diag::{Diagnostic, Span};
use crate::ir::{InstId, OutputFile, VarRef};

/// Every event path: connections (source out-port → receiver in-port) and inputs (the
/// cell's out-port → the input's in-port), in the order they were built. Each one created
/// its receiver instance, so instance order is build order; jLEMS serves one port's
/// recipients in that order.
pub(super) fn connections(layout: &ProgramLayout) -> Result<Vec<Connection>, Vec<Diagnostic>> {
    let ir = layout.ir;
    let mut built: Vec<(InstId, Connection)> = Vec::new();
    let mut diags = Vec::new();
    for ec in &ir.event_connections {
        let receiver = ec.receiver.unwrap_or(ec.target);
        let ports = out_port(layout, ec.source, &ec.source_port)
            .and_then(|o| in_port(layout, receiver, &ec.target_port).map(|i| (o, i)));
        match ports {
            Ok((out_port, in_port)) => built.push((
                receiver,
                Connection {
                    source: ec.source.0,
                    out_port,
                    target: receiver.0,
                    in_port,
                    delay: ec.delay,
                },
            )),
            Err(d) => diags.push(d),
        }
    }
    for input in &ir.inputs {
        // An input without an in-port, or a cell without an out-port, has no event path.
        if input.cell_port.is_empty() || input.input_port.is_empty() {
            continue;
        }
        let ports = out_port(layout, input.cell, &input.cell_port)
            .and_then(|o| in_port(layout, input.input, &input.input_port).map(|i| (o, i)));
        match ports {
            Ok((out_port, in_port)) => built.push((
                input.input,
                Connection {
                    source: input.cell.0,
                    out_port,
                    target: input.input.0,
                    in_port,
                    delay: 0.0,
                },
            )),
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    built.sort_by_key(|(receiver, _)| *receiver);
    Ok(built.into_iter().map(|(_, c)| c).collect())
}

fn out_port(layout: &ProgramLayout, inst: InstId, name: &str) -> Result<u32, Diagnostic> {
    port(
        layout,
        inst,
        name,
        &layout.plan(inst).kernel.out_ports,
        "out-port",
    )
}

fn in_port(layout: &ProgramLayout, inst: InstId, name: &str) -> Result<u32, Diagnostic> {
    port(
        layout,
        inst,
        name,
        &layout.plan(inst).kernel.in_ports,
        "in-port",
    )
}

fn port(
    layout: &ProgramLayout,
    inst: InstId,
    name: &str,
    ports: &[String],
    what: &str,
) -> Result<u32, Diagnostic> {
    ports
        .iter()
        .position(|p| p == name)
        .map(|p| p as u32)
        .ok_or_else(|| {
            Diagnostic::at(
                layout.span_of(inst),
                format!(
                    "{} has no {what} '{name}'; its {what}s: {}",
                    layout.describe(inst),
                    if ports.is_empty() {
                        "none".to_string()
                    } else {
                        ports.join(", ")
                    }
                ),
            )
        })
}

/// Each `OutputFile` with its columns resolved to the exposed (else plain) variable.
pub(super) fn outputs(
    layout: &ProgramLayout,
    out_dir: &Path,
) -> Result<Vec<OutputSpec>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut specs = Vec::new();
    for file in &layout.ir.output_files {
        let column = |target: &VarRef| {
            let found = match &target.segment {
                Some(seg) => Err(format!(
                    "it names segment '{seg}' of a multi-compartment cell, which this target does not simulate"
                )),
                None => layout.readable(target.inst, &target.variable).ok_or_else(|| {
                    format!(
                        "{} has no variable '{}'",
                        layout.describe(target.inst),
                        target.variable
                    )
                }),
            };
            found.map_err(|why| (layout.span_of(target.inst), why))
        };
        specs.push(output_spec(file, out_dir, column, &mut diags));
    }
    if diags.is_empty() {
        Ok(specs)
    } else {
        Err(diags)
    }
}

/// An `OutputFile`'s spec, each column resolved by `column` to a vars index; a column it
/// cannot resolve gives where and why, an error there, and is left out of the spec. Shared
/// with the cable builder, which resolves columns its own way.
pub(crate) fn output_spec(
    file: &OutputFile,
    out_dir: &Path,
    mut column: impl FnMut(&VarRef) -> Result<u64, (Span, String)>,
    diags: &mut Vec<Diagnostic>,
) -> OutputSpec {
    let mut columns = Vec::with_capacity(file.columns.len());
    for col in &file.columns {
        match column(&col.target) {
            Ok(index) => columns.push(index),
            Err((at, why)) => diags.push(Diagnostic::at(
                at,
                format!(
                    "column '{}' of output file '{}' cannot be recorded: {why}",
                    col.id, file.id
                ),
            )),
        }
    }
    OutputSpec {
        id: file.id.clone(),
        path: out_dir.join(&file.file_name),
        columns,
    }
}

/// Each `EventOutputFile` with its selections resolved to out-ports.
pub(super) fn event_outputs(
    layout: &ProgramLayout,
    out_dir: &Path,
) -> Result<Vec<EventOutputSpec>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let mut specs = Vec::new();
    for file in &layout.ir.event_output_files {
        let format = match file.format.as_str() {
            "TIME_ID" => EventFormat::TimeId,
            "ID_TIME" => EventFormat::IdTime,
            other => {
                diags.push(Diagnostic::at(
                    layout.simulation_span(),
                    format!(
                        "event output file '{}' has format \"{other}\"; expected TIME_ID or ID_TIME",
                        file.id
                    ),
                ));
                continue;
            }
        };
        let mut selections = Vec::with_capacity(file.selections.len());
        for sel in &file.selections {
            match out_port(layout, sel.inst, &sel.port) {
                Ok(out_port) => selections.push(EventSelectionSpec {
                    inst: sel.inst.0,
                    out_port,
                    id: sel.id.clone(),
                }),
                Err(d) => diags.push(d),
            }
        }
        specs.push(EventOutputSpec {
            id: file.id.clone(),
            path: out_dir.join(&file.file_name),
            format,
            selections,
        });
    }
    if diags.is_empty() {
        Ok(specs)
    } else {
        Err(diags)
    }
}
