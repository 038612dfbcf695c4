//! A [`MechanismPlan`] as text (`lemsc FILE --emit mechanism`): what a text backend receives
//! for one mechanism, block by block, with its flat names and LEMS operators, so a plan can be
//! read and diffed without reading the NMODL (or NESTML) it becomes.

use std::fmt::Write;

use super::{Actions, DerivedValue, External, MExpr, MechanismPlan};

/// The plan of one mechanism, under the heading `title` (its file or component name).
pub fn print(plan: &MechanismPlan, title: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "mechanism {title}:");
    if !plan.params.is_empty() {
        out.push_str("  parameters:\n");
        for p in &plan.params {
            let _ = writeln!(out, "    {} = {:?}", p.name, p.value);
        }
    }
    if !plan.properties.is_empty() {
        out.push_str("  per instance:\n");
        for p in &plan.properties {
            let _ = writeln!(out, "    {} = {:?} (default)", p.name, p.value);
        }
    }
    if !plan.externals.is_empty() {
        let names: Vec<String> = plan.externals.iter().map(external).collect();
        let _ = writeln!(out, "  from the simulator: {}", names.join(", "));
    }
    if !plan.states.is_empty() {
        let names: Vec<String> = plan
            .states
            .iter()
            .map(|s| {
                if s.is_voltage {
                    format!("{} (membrane voltage)", s.name)
                } else {
                    s.name.clone()
                }
            })
            .collect();
        let _ = writeln!(out, "  states: {}", names.join(", "));
    }
    if !plan.on_start.is_empty() {
        out.push_str("  on start:\n");
        for a in &plan.on_start {
            let _ = writeln!(out, "    {} = {}", a.var, expr(&a.value));
        }
    }
    if !plan.derived.is_empty() {
        out.push_str("  derived, in order:\n");
        for d in &plan.derived {
            match &d.value {
                DerivedValue::Value(e) => {
                    let _ = writeln!(out, "    {} = {}", d.name, expr(e));
                }
                DerivedValue::Cases(cases) => {
                    let _ = writeln!(out, "    {} =", d.name);
                    for (test, value) in cases {
                        match test {
                            Some(t) => {
                                let _ = writeln!(out, "      {} if {}", expr(value), expr(t));
                            }
                            None => {
                                let _ = writeln!(out, "      {} otherwise", expr(value));
                            }
                        }
                    }
                }
            }
        }
    }
    let regime_name = |k: Option<usize>| -> String {
        match (k, &plan.regimes) {
            (Some(k), Some(r)) => {
                format!(" in regime {}", r.names.get(k).map_or("?", String::as_str))
            }
            (Some(k), None) => format!(" in regime {k}"),
            (None, _) => String::new(),
        }
    };
    if !plan.rates.is_empty() {
        out.push_str("  rates:\n");
        for r in &plan.rates {
            let _ = writeln!(
                out,
                "    d{}/dt = {}{}",
                r.state,
                expr(&r.value),
                regime_name(r.regime)
            );
        }
    }
    if let Some(r) = &plan.regimes {
        let _ = writeln!(
            out,
            "  regimes ({}): {}; starts in {}",
            r.var,
            r.names.join(", "),
            r.names.get(r.initial).map_or("?", String::as_str)
        );
        for (k, entry) in r.on_entry.iter().enumerate() {
            if !is_empty(entry) {
                let _ = writeln!(out, "    on entry to {}:", r.names[k]);
                print_actions(&mut out, entry, plan, 3);
            }
        }
    }
    for c in &plan.conditions {
        let _ = writeln!(out, "  when {}{}:", expr(&c.test), regime_name(c.regime));
        print_actions(&mut out, &c.actions, plan, 2);
    }
    for h in &plan.on_events {
        let _ = writeln!(out, "  on event {}{}:", h.port, regime_name(h.regime));
        print_actions(&mut out, &h.actions, plan, 2);
    }
    for k in &plan.kinetic {
        let _ = writeln!(out, "  kinetic scheme over {}:", k.states.join(", "));
        for (from, to, forward, reverse) in &k.edges {
            let _ = writeln!(
                out,
                "    {from} <-> {to}: forward {}, reverse {}",
                expr(forward),
                expr(reverse)
            );
        }
    }
    out
}

fn is_empty(a: &Actions) -> bool {
    a.assigns.is_empty() && a.event_outs.is_empty() && a.transition.is_none()
}

fn print_actions(out: &mut String, a: &Actions, plan: &MechanismPlan, depth: usize) {
    let pad = "  ".repeat(depth);
    for assign in &a.assigns {
        let _ = writeln!(out, "{pad}{} = {}", assign.var, expr(&assign.value));
    }
    for port in &a.event_outs {
        let _ = writeln!(out, "{pad}send {port}");
    }
    if let Some(k) = a.transition {
        let name = plan
            .regimes
            .as_ref()
            .and_then(|r| r.names.get(k))
            .map_or("?", String::as_str);
        let _ = writeln!(out, "{pad}go to regime {name}");
    }
}

fn external(e: &External) -> String {
    match e {
        External::Voltage => "membrane voltage".into(),
        External::Temperature => "temperature".into(),
        External::ConcentrationIn(ion) => format!("{ion} inside"),
        External::ConcentrationOut(ion) => format!("{ion} outside"),
        External::IonCurrent(ion) => format!("{ion} current"),
        External::Area => "area".into(),
        External::PeerVoltage => "peer voltage".into(),
    }
}

/// An expression in LEMS syntax, every operation bracketed except at the top.
fn expr(e: &MExpr) -> String {
    let mut s = String::new();
    write_expr(&mut s, e, true);
    s
}

fn write_expr(s: &mut String, e: &MExpr, top: bool) {
    match e {
        MExpr::Num(v) => {
            let _ = write!(s, "{v:?}");
        }
        MExpr::Var(n) => s.push_str(n),
        MExpr::Ext(x) => {
            let _ = write!(s, "<{}>", external(x));
        }
        MExpr::Time => s.push('t'),
        MExpr::Neg(x) => {
            s.push('-');
            write_expr(s, x, false);
        }
        MExpr::Not(x) => {
            s.push_str(".not. ");
            write_expr(s, x, false);
        }
        MExpr::Bin(op, a, b) => {
            if !top {
                s.push('(');
            }
            write_expr(s, a, false);
            let _ = write!(s, " {} ", op.symbol());
            write_expr(s, b, false);
            if !top {
                s.push(')');
            }
        }
        MExpr::Call(f, x) => {
            let _ = write!(s, "{}(", f.name());
            write_expr(s, x, true);
            s.push(')');
        }
        MExpr::Random(x) => {
            s.push_str("random(");
            write_expr(s, x, true);
            s.push(')');
        }
    }
}
