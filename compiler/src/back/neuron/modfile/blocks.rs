//! The statements of `rates()`, the top component's derived values, `INITIAL`,
//! `DERIVATIVE` and `KINETIC`.

use super::*;

impl Writer<'_> {
    /// Lines computing the derived variables `keep` selects, in dependency order.
    pub(super) fn derived_lines(&mut self, keep: impl Fn(&Derived) -> bool) -> Vec<String> {
        let mut lines = Vec::new();
        let reversal = self.neuron_reversal();
        for d in &self.plan.derived {
            if !keep(d) || (d.name == "erev" && reversal.is_some()) {
                continue;
            }
            let id = self.id(&d.name);
            match &d.value {
                DerivedValue::Value(e) => {
                    let e = self.expr(e);
                    lines.push(format!("{id} = {e}"));
                }
                DerivedValue::Cases(cases) => {
                    let mut first = true;
                    let mut closed = false;
                    for (cond, value) in cases {
                        let value = self.expr(value);
                        match cond {
                            Some(c) => {
                                let c = self.expr(c);
                                let kw = if first { "if" } else { "} else if" };
                                lines.push(format!("{kw} ({c}) {{"));
                                lines.push(format!("    {id} = {value}"));
                                first = false;
                            }
                            None if first => {
                                lines.push(format!("{id} = {value}"));
                                closed = true;
                            }
                            None => {
                                lines.push("} else {".into());
                                lines.push(format!("    {id} = {value}"));
                                lines.push("}".into());
                                closed = true;
                            }
                        }
                    }
                    if !closed && !first {
                        lines.push("}".into());
                    }
                }
            }
        }
        lines
    }

    pub(super) fn rates_body(&mut self) -> Vec<String> {
        // In a point cell, conductances are computed in BREAKPOINT from the gates' state that
        // rates() left, and the current computed by rates() uses them a step later: the
        // arithmetic NEURON's reference values come from (docs/neuron-target.md §3).
        // In a density mechanism the top component's own derived values (gDensity,
        // iDensity) are computed in BREAKPOINT only, from the gates' values rates() left, as
        // the reference export computes a channel's conductance: a recorded gDensity then
        // belongs to the states of the step before, as there. Computed again in rates()
        // (which runs in the state update, after BREAKPOINT) a recording shows them a step
        // earlier.
        let cell = self.voltage.is_some();
        let density = matches!(self.mech.kind, MechKind::Density { .. });
        let mut lines = self
            .derived_lines(|d| !(cell && is_conductance(d)) && !(density && !d.name.contains('/')));
        let regime = self.regime_id();
        let mut seen = BTreeSet::new();
        for r in &self.plan.rates {
            let id = self.rate_id(&r.state);
            if seen.insert(id.clone()) && self.plan.regimes.is_some() {
                lines.push(format!("{id} = 0"));
            }
            let value = self.expr(&r.value);
            match (r.regime, &regime) {
                (Some(k), Some(reg)) => {
                    lines.push(format!("if ({reg} == {k}) {{"));
                    lines.push(format!("    {id} = {value}"));
                    lines.push("}".into());
                }
                _ => lines.push(format!("{id} = {value}")),
            }
        }
        lines.extend(self.voltage_clamps());
        lines
    }

    /// A regime without time derivatives whose OnEntry sets `v` (a refractory period) holds
    /// `v` there with a stiff current, as the reference export does (1e7 per ms), so inputs
    /// cannot move it. Only where BREAKPOINT calls rates(), so NEURON sees the current's
    /// dependence on v and integrates it implicitly; otherwise the rate stays 0.
    pub(super) fn voltage_clamps(&mut self) -> Vec<String> {
        let (Some(v), Some(regimes), Some(reg)) = (
            self.voltage.clone(),
            self.plan.regimes.clone(),
            self.regime_id(),
        ) else {
            return Vec::new();
        };
        let implicit = self.integrated.is_empty() && self.kinetic_states.is_empty();
        if !implicit || !self.plan.rates.iter().any(|r| r.state == v) {
            return Vec::new();
        }
        let rate = self.rate_id(&v);
        let mut lines = Vec::new();
        for (k, entry) in regimes.on_entry.iter().enumerate() {
            let has_rates = self.plan.rates.iter().any(|r| r.regime == Some(k));
            let Some(held) = entry.assigns.iter().rev().find(|a| a.var == v) else {
                continue;
            };
            if has_rates {
                continue;
            }
            let held = self.expr(&held.value);
            lines.push(format!("if ({reg} == {k}) {{"));
            lines.push(format!("    {rate} = 1e10 * ({held} - (v * 0.001))"));
            lines.push("}".into());
        }
        lines
    }

    pub(super) fn root_derived_body(&mut self) -> Vec<String> {
        if self.voltage.is_some() {
            return self.derived_lines(is_conductance);
        }
        if !matches!(self.mech.kind, MechKind::Density { .. }) {
            return Vec::new();
        }
        self.derived_lines(|d| !d.name.contains('/'))
    }

    pub(super) fn initial_body(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        // The reference export enters the initial regime only after its two rates() calls:
        // until then no regime is active, so every regime's rates are 0. Where BREAKPOINT
        // does not call rates() itself (a cell with other states), the first step's current
        // comes from those values: v stays put for one step, as in jLEMS.
        let regime = self
            .plan
            .regimes
            .as_ref()
            .map(|r| (self.id(&r.var), r.initial));
        if let Some((id, _)) = &regime {
            lines.push(format!("{id} = -1"));
        }
        // Twice, as the reference export does: a child that reads its parent's derived value
        // (a gate's steadyState reading the gate's alpha) sees the previous call's, so one
        // call would start the states from values computed with alpha = 0.
        lines.push("rates()".into());
        lines.push("rates()".into());
        if let Some((id, initial)) = regime {
            lines.push(format!("{id} = {initial}"));
        }
        for a in &self.plan.on_start {
            if Some(&a.var) == self.voltage.as_ref() {
                // The runner sets the section's initial voltage.
                continue;
            }
            let value = self.expr(&a.value);
            lines.push(format!("{} = {value}", self.id(&a.var)));
        }
        lines.extend(self.concentration_out());
        if !self.kinetic_states.is_empty() {
            // Schemes start at their steady state for the initial voltage.
            lines.push("SOLVE kin STEADYSTATE sparse".into());
        }
        let point_process = !matches!(
            self.mech.kind,
            MechKind::Density { .. } | MechKind::Concentration { .. }
        );
        if point_process && !self.watched().is_empty() {
            lines.push("net_send(0, 1)".into());
        }
        lines
    }

    pub(super) fn derivative_body(&mut self) -> Vec<String> {
        let mut lines = vec!["rates()".to_string()];
        for s in self.integrated.clone() {
            lines.push(format!("{}' = {} * 0.001", self.id(&s), self.rate_id(&s)));
        }
        lines.extend(self.concentration_out());
        lines
    }

    /// `KINETIC kin`: every transition of every scheme, rates per ms, occupancies summing to 1.
    pub(super) fn kinetic_body(&mut self) -> Vec<String> {
        if self.kinetic_states.is_empty() {
            return Vec::new();
        }
        let mut lines = vec!["rates()".to_string()];
        for k in &self.plan.kinetic {
            for (from, to, fwd, rev) in &k.edges {
                let (fwd, rev) = (self.expr(fwd), self.expr(rev));
                lines.push(format!(
                    "~ {} <-> {} ({fwd} * 0.001, {rev} * 0.001)",
                    self.id(from),
                    self.id(to)
                ));
            }
            let sum: Vec<String> = k.states.iter().map(|s| self.id(s)).collect();
            lines.push(format!("CONSERVE {} = 1", sum.join(" + ")));
        }
        lines
    }
}
