//! A deterministic text form of the IR (`lemsc FILE --emit ir`). Instances are named by their
//! path from the root; numbers are SI values in Rust's shortest round-trip form.

use std::fmt::{self, Write};

use crate::ir::{InstId, Ir, SlotKind};
use crate::model::Model;

/// The whole IR as text; the model supplies type names and component ids.
pub fn print(ir: &Ir, model: &Model) -> String {
    let mut out = String::new();
    write_ir(&mut out, ir, model).expect("writing to a String cannot fail");
    out
}

fn write_ir(out: &mut String, ir: &Ir, model: &Model) -> fmt::Result {
    let sim = &ir.simulation;
    let comp_name = |c| {
        let c = model.component(c);
        c.id.clone()
            .unwrap_or_else(|| model.ty(c.type_id).name.clone())
    };
    writeln!(
        out,
        "simulation {}: length {} s, step {} s, seed {}{}, target {}",
        comp_name(sim.component),
        sim.length,
        sim.step,
        sim.seed_or_default(),
        if sim.seed.is_none() { " (default)" } else { "" },
        comp_name(sim.target)
    )?;
    writeln!(out, "\ninstances: {}", ir.instances.len())?;
    write_instance(out, ir, model, ir.root, 1)?;
    let path = |i: InstId| {
        let p = ir.path_of(i);
        if p.is_empty() {
            ".".to_string()
        } else {
            p
        }
    };
    writeln!(out, "\npopulations: {}", ir.populations.len())?;
    for p in &ir.populations {
        writeln!(
            out,
            "  {}: {} x {} at {}",
            p.name,
            p.members.len(),
            comp_name(p.component),
            path(p.inst)
        )?;
    }
    writeln!(out, "\nevent connections: {}", ir.event_connections.len())?;
    for c in &ir.event_connections {
        let receiver = c.receiver.map_or("none".to_string(), path);
        write!(
            out,
            "  {}:{} -> {}:{} receiver {} delay {} s",
            path(c.source),
            c.source_port,
            path(c.target),
            c.target_port,
            receiver,
            c.delay
        )?;
        for (prop, v) in &c.assigned {
            write!(out, " {prop}={v}")?;
        }
        writeln!(out)?;
    }
    writeln!(out, "\ntunnels: {}", ir.tunnels.len())?;
    for t in &ir.tunnels {
        writeln!(
            out,
            "  {} <-> {} as {}: {} and {}",
            path(t.end_a),
            path(t.end_b),
            t.name,
            path(t.at_a),
            path(t.at_b)
        )?;
    }
    writeln!(out, "\ninputs: {}", ir.inputs.len())?;
    for i in &ir.inputs {
        writeln!(
            out,
            "  {} -> {} ({}), events {}:{} -> {}",
            path(i.input),
            path(i.cell),
            i.destination,
            path(i.cell),
            i.cell_port,
            i.input_port
        )?;
    }
    writeln!(out, "\noutput files: {}", ir.output_files.len())?;
    for f in &ir.output_files {
        writeln!(out, "  {} '{}'", f.id, f.file_name)?;
        for c in &f.columns {
            writeln!(
                out,
                "    {}: {}/{}",
                c.id,
                path(c.target.inst),
                c.target.variable
            )?;
        }
    }
    writeln!(out, "\nevent output files: {}", ir.event_output_files.len())?;
    for f in &ir.event_output_files {
        writeln!(out, "  {} '{}' {}", f.id, f.file_name, f.format)?;
        for s in &f.selections {
            writeln!(out, "    {}: {}:{}", s.id, path(s.inst), s.port)?;
        }
    }
    writeln!(out, "\ndisplay lines: {}", ir.display_lines.len())?;
    for l in &ir.display_lines {
        writeln!(
            out,
            "  {}: {}/{}",
            l.id,
            path(l.target.inst),
            l.target.variable
        )?;
    }
    Ok(())
}

fn write_instance(
    out: &mut String,
    ir: &Ir,
    model: &Model,
    id: InstId,
    depth: usize,
) -> fmt::Result {
    let inst = ir.inst(id);
    let comp = model.component(inst.component);
    let ty = &model.ty(comp.type_id).name;
    let name = if inst.parent.is_none() {
        comp.id.as_deref().unwrap_or(ty)
    } else {
        inst.name.as_str()
    };
    write!(out, "{:indent$}{name}: {ty}", "", indent = depth * 2)?;
    if let Some(cid) = comp.id.as_deref().filter(|c| *c != name) {
        write!(out, " '{cid}'")?;
    }
    let parent_slot = ir
        .place_of(id)
        .filter(|c| c.kind != SlotKind::Single || c.slot != inst.name);
    if let Some(c) = parent_slot {
        let kind = match c.kind {
            SlotKind::Single => "child",
            SlotKind::List => "list",
            SlotKind::Attachment => "attachment",
            SlotKind::Multi => "member",
        };
        write!(out, " ({kind} of {})", c.slot)?;
    }
    for (prop, v) in &inst.assigned {
        write!(out, " {prop}={v}")?;
    }
    writeln!(out)?;
    for c in &inst.children {
        write_instance(out, ir, model, c.inst, depth + 1)?;
    }
    Ok(())
}
