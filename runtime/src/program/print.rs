//! A [`Program`] as text (`lemsc FILE --emit program`): each kernel's statements over its
//! named slots, then the instances, the initialisation and step orders, the connections and
//! the recorded values, so a lowering can be read and diffed without running it.
//!
//! Inside a kernel a slot prints as its name (`v`, `rate:v`), a link as `link#k` (the k-th
//! value this instance reads from another one), a reduced list as `sum(list#k)`. Numbers
//! print in Rust's shortest round-trip form.

use std::fmt::Write;

use super::{Connection, EventFormat, Expr, InstanceRec, Kernel, Op, Program, Reduce, Stmt};

/// The whole program, as described in the module documentation.
pub fn print(p: &Program) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "program: dt {} s, {} steps, seed {}, {} values, {} link entries",
        p.dt,
        p.steps,
        p.seed,
        p.initial.len(),
        p.links.len()
    );
    for (k, kernel) in p.kernels.iter().enumerate() {
        out.push('\n');
        print_kernel(&mut out, k, kernel);
    }
    out.push_str("\ninstances:\n");
    for (i, inst) in p.instances.iter().enumerate() {
        print_instance(&mut out, p, i, inst);
    }
    print_order(&mut out, p, "init order", &p.init_order);
    print_order(&mut out, p, "step order", &p.step_order);
    if !p.connections.is_empty() {
        out.push_str("\nconnections:\n");
        for c in &p.connections {
            print_connection(&mut out, p, c);
        }
    }
    for o in &p.outputs {
        let _ = writeln!(out, "\noutput file {} -> {}:", o.id, o.path.display());
        for &var in &o.columns {
            let _ = writeln!(out, "  {}", var_name(p, var));
        }
    }
    for e in &p.event_outputs {
        let format = match e.format {
            EventFormat::TimeId => "TIME_ID",
            EventFormat::IdTime => "ID_TIME",
        };
        let _ = writeln!(
            out,
            "\nevent file {} ({format}) -> {}:",
            e.id,
            e.path.display()
        );
        for s in &e.selections {
            let _ = writeln!(
                out,
                "  {} {}.{}",
                s.id,
                instance_name(p, s.inst),
                port(
                    &p.kernels,
                    p.instances.get(s.inst as usize),
                    s.out_port,
                    true
                )
            );
        }
    }
    out
}

fn print_kernel(out: &mut String, k: usize, kernel: &Kernel) {
    let _ = writeln!(
        out,
        "kernel {k} {}: {} slots, {} links",
        kernel.name, kernel.block_len, kernel.link_count
    );
    let states: Vec<&str> = kernel
        .state_slots
        .iter()
        .map(|&s| slot_name(kernel, s))
        .collect();
    if !states.is_empty() {
        let _ = writeln!(out, "  states: {}", states.join(", "));
    }
    if !kernel.out_ports.is_empty() {
        let _ = writeln!(out, "  out ports: {}", kernel.out_ports.join(", "));
    }
    print_block(out, kernel, "init", &kernel.init);
    print_block(out, kernel, "init with derived", &kernel.init_derived);
    print_block(out, kernel, "advance", &kernel.advance);
    for (port, block) in kernel.on_event.iter().enumerate() {
        let name = kernel.in_ports.get(port).map_or("?", String::as_str);
        print_block(out, kernel, &format!("on event {name}"), block);
    }
}

fn print_block(out: &mut String, kernel: &Kernel, title: &str, stmts: &[Stmt]) {
    if stmts.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}:");
    print_stmts(out, kernel, stmts, 2);
}

fn print_stmts(out: &mut String, kernel: &Kernel, stmts: &[Stmt], depth: usize) {
    let pad = "  ".repeat(depth);
    for stmt in stmts {
        match stmt {
            Stmt::Set { slot, value } => {
                let _ = writeln!(
                    out,
                    "{pad}{} = {}",
                    slot_name(kernel, *slot),
                    expr(kernel, value)
                );
            }
            Stmt::If { test, then } => {
                let _ = writeln!(out, "{pad}if {}:", expr(kernel, test));
                print_stmts(out, kernel, then, depth + 1);
            }
            Stmt::Emit { port } => {
                let name = kernel
                    .out_ports
                    .get(*port as usize)
                    .map_or("?", String::as_str);
                let _ = writeln!(out, "{pad}emit {name}");
            }
            Stmt::Switch { slot, arms } => {
                let _ = writeln!(out, "{pad}switch {}:", slot_name(kernel, *slot));
                for (k, arm) in arms.iter().enumerate() {
                    let _ = writeln!(out, "{pad}  case {k}:");
                    print_stmts(out, kernel, arm, depth + 2);
                }
            }
        }
    }
}

fn slot_name(kernel: &Kernel, slot: u32) -> &str {
    kernel
        .slot_names
        .get(slot as usize)
        .map_or("?", String::as_str)
}

/// An expression with every operator bracketed except at the top, so the grouping is plain.
fn expr(kernel: &Kernel, e: &Expr) -> String {
    let mut s = String::new();
    write_expr(&mut s, kernel, e, true);
    s
}

fn write_expr(s: &mut String, kernel: &Kernel, e: &Expr, top: bool) {
    match e {
        Expr::Const(v) => {
            let _ = write!(s, "{v:?}");
        }
        Expr::Local(slot) => s.push_str(slot_name(kernel, *slot)),
        Expr::Link(k) => {
            let _ = write!(s, "link#{k}");
        }
        Expr::Reduce(r, k) => {
            let what = match r {
                Reduce::Add => "sum",
                Reduce::Multiply => "product",
            };
            let _ = write!(s, "{what}(list#{k})");
        }
        Expr::Time => s.push('t'),
        Expr::Step => s.push_str("dt"),
        Expr::Neg(x) => {
            s.push('-');
            write_expr(s, kernel, x, false);
        }
        Expr::Not(x) => {
            s.push_str("not ");
            write_expr(s, kernel, x, false);
        }
        Expr::Binary(op, a, b) => {
            if !top {
                s.push('(');
            }
            write_expr(s, kernel, a, false);
            let _ = write!(s, " {} ", op.c_like_symbol("^", "and", "or"));
            write_expr(s, kernel, b, false);
            if !top {
                s.push(')');
            }
        }
        Expr::Call(f, x) => {
            let _ = write!(s, "{}(", f.name());
            write_expr(s, kernel, x, true);
            s.push(')');
        }
        Expr::Random(x) => {
            s.push_str("random(");
            write_expr(s, kernel, x, true);
            s.push(')');
        }
    }
}

fn print_instance(out: &mut String, p: &Program, i: usize, inst: &InstanceRec) {
    let kernel = &p.kernels[inst.kernel as usize];
    let _ = write!(
        out,
        "  {i} {} : kernel {} at {}",
        display_path(&inst.path),
        inst.kernel,
        inst.base
    );
    if kernel.link_count > 0 {
        let links: Vec<String> = (0..u64::from(kernel.link_count))
            .map(|k| {
                let entry = p.links.get((inst.links + k) as usize).copied();
                match entry {
                    Some(var) if (var as usize) < p.initial.len() => var_name(p, var),
                    Some(pos) => format!("list@{pos}"),
                    None => "?".into(),
                }
            })
            .collect();
        let _ = write!(out, ", links [{}]", links.join(", "));
    }
    out.push('\n');
}

fn print_order(out: &mut String, p: &Program, title: &str, ops: &[Op]) {
    let _ = writeln!(out, "\n{title}:");
    for op in ops {
        match op {
            Op::Init { inst, with_derived } => {
                let pass = if *with_derived {
                    "init with derived"
                } else {
                    "init"
                };
                let _ = writeln!(out, "  {pass} {}", instance_name(p, *inst));
            }
            Op::Advance { inst } => {
                let _ = writeln!(out, "  advance {}", instance_name(p, *inst));
            }
            Op::KineticScheme(ks) => {
                let states: Vec<String> = ks.states.iter().map(|&v| var_name(p, v)).collect();
                let _ = writeln!(
                    out,
                    "  kinetic scheme over {} ({} transitions)",
                    states.join(", "),
                    ks.edges.len()
                );
            }
            Op::Repeat { len } => {
                let _ = writeln!(out, "  again the {len} ops above");
            }
            Op::Cable(cable) => {
                let roots = cable.nodes.iter().filter(|n| n.parent.is_none()).count();
                let _ = writeln!(
                    out,
                    "  cable solve over {} nodes ({roots} trees, {} membrane contributions)",
                    cable.nodes.len(),
                    cable.contributions.len()
                );
            }
        }
    }
}

fn print_connection(out: &mut String, p: &Program, c: &Connection) {
    let source = p.instances.get(c.source as usize);
    let target = p.instances.get(c.target as usize);
    let _ = writeln!(
        out,
        "  {}.{} -> {}.{} delay {} s",
        instance_name(p, c.source),
        port(&p.kernels, source, c.out_port, true),
        instance_name(p, c.target),
        port(&p.kernels, target, c.in_port, false),
        c.delay
    );
}

fn port(kernels: &[Kernel], inst: Option<&InstanceRec>, port: u32, out: bool) -> String {
    let kernel = inst.and_then(|i| kernels.get(i.kernel as usize));
    let names = kernel.map(|k| if out { &k.out_ports } else { &k.in_ports });
    names
        .and_then(|n| n.get(port as usize))
        .cloned()
        .unwrap_or_else(|| format!("port{port}"))
}

fn display_path(path: &str) -> &str {
    if path.is_empty() {
        "(target)"
    } else {
        path
    }
}

fn instance_name(p: &Program, inst: u32) -> String {
    match p.instances.get(inst as usize) {
        Some(rec) => display_path(&rec.path).to_string(),
        None => format!("instance {inst}"),
    }
}

/// `path/slot` of the instance whose block holds `vars[var]`.
fn var_name(p: &Program, var: u64) -> String {
    // Blocks are laid out in instance order, so the owner is the last one starting at or
    // before `var`.
    let owner = p.instances.partition_point(|i| i.base <= var);
    let Some(rec) = owner.checked_sub(1).and_then(|i| p.instances.get(i)) else {
        return format!("vars[{var}]");
    };
    let kernel = &p.kernels[rec.kernel as usize];
    let slot = var - rec.base;
    if slot >= u64::from(kernel.block_len) {
        return format!("vars[{var}]");
    }
    format!(
        "{}/{}",
        display_path(&rec.path),
        slot_name(kernel, slot as u32)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{BinOp, InstanceRec, OutputSpec};

    fn tiny() -> Program {
        let kernel = Kernel {
            name: "leak (leakyCell)".into(),
            block_len: 2,
            link_count: 1,
            slot_names: vec!["v".into(), "rate:v".into()],
            state_slots: vec![0],
            out_ports: vec!["spike".into()],
            in_ports: vec![],
            init: vec![Stmt::Set {
                slot: 0,
                value: Expr::Const(-0.065),
            }],
            init_derived: vec![],
            advance: vec![
                Stmt::Set {
                    slot: 1,
                    value: Expr::Binary(
                        BinOp::Div,
                        Box::new(Expr::Neg(Box::new(Expr::Local(0)))),
                        Box::new(Expr::Link(0)),
                    ),
                },
                Stmt::If {
                    test: Expr::Binary(
                        BinOp::Gt,
                        Box::new(Expr::Local(0)),
                        Box::new(Expr::Const(0.0)),
                    ),
                    then: vec![Stmt::Emit { port: 0 }],
                },
            ],
            on_event: vec![],
        };
        Program {
            dt: 1e-5,
            steps: 10,
            seed: 1234,
            kernels: vec![kernel],
            instances: vec![
                InstanceRec {
                    kernel: 0,
                    base: 0,
                    links: 0,
                    path: "pop[0]".into(),
                },
                InstanceRec {
                    kernel: 0,
                    base: 2,
                    links: 1,
                    path: "pop[1]".into(),
                },
            ],
            initial: vec![0.0; 4],
            links: vec![3, 1],
            init_order: vec![Op::Init {
                inst: 0,
                with_derived: false,
            }],
            step_order: vec![Op::Advance { inst: 1 }],
            connections: vec![Connection {
                source: 0,
                out_port: 0,
                target: 1,
                in_port: 7,
                delay: 0.002,
            }],
            outputs: vec![OutputSpec {
                id: "of0".into(),
                path: "results/v.dat".into(),
                columns: vec![2],
            }],
            event_outputs: vec![],
        }
    }

    #[test]
    fn statements_read_with_slot_names_and_values_with_their_owners() {
        let text = print(&tiny());
        for line in [
            "program: dt 0.00001 s, 10 steps, seed 1234, 4 values, 2 link entries",
            "kernel 0 leak (leakyCell): 2 slots, 1 links",
            "  states: v",
            "    v = -0.065",
            "    rate:v = -v / link#0",
            "    if v > 0.0:",
            "      emit spike",
            "  0 pop[0] : kernel 0 at 0, links [pop[1]/rate:v]",
            "  1 pop[1] : kernel 0 at 2, links [pop[0]/rate:v]",
            "  init pop[0]",
            "  advance pop[1]",
            "  pop[0].spike -> pop[1].port7 delay 0.002 s",
            "  pop[1]/v",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing line {line:?} in:\n{text}"
            );
        }
    }
}
