//! What the template prints outside the blocks' statements: the NEURON block (mechanism
//! kind, ions, RANGE names), the PARAMETER, ASSIGNED and STATE declarations, and the
//! currents a mechanism writes.

use super::*;

impl Writer<'_> {
    pub(super) fn view(&mut self, title: &str) -> ModView {
        let plan = self.plan;
        let point_process = !matches!(
            self.mech.kind,
            MechKind::Density { .. } | MechKind::Concentration { .. }
        );
        let rates = self.rates_body();
        let root_derived = self.root_derived_body();
        let initial = self.initial_body();
        let derivative = self.derivative_body();
        let kinetic = self.kinetic_body();
        // Density mechanisms have no NET_RECEIVE: their conditions (a concentration kept
        // non-negative) are not carried over yet.
        let net_receive = if point_process {
            self.net_receive_body()
        } else {
            Vec::new()
        };
        let (breakpoint, nonspecific, useions) = self.currents();

        let mut ranges = Vec::new();
        let mut params = Vec::new();
        for p in plan.params.iter().chain(&plan.properties) {
            let id = self.id(&p.name);
            params.push((id.clone(), number(p.value)));
            ranges.push(id);
        }
        let mut states = Vec::new();
        let mut assigned = Vec::new();
        for s in &plan.states {
            if s.is_voltage {
                continue;
            }
            let id = self.id(&s.name);
            if self.integrated.contains(&s.name) || self.kinetic_states.contains(&s.name) {
                states.push(id.clone());
            } else {
                assigned.push(id.clone());
            }
            ranges.push(id);
        }
        for d in &plan.derived {
            // A name can be both a state and a derived variable (jLEMS lets the derived value
            // overwrite the state): declared once.
            let id = self.id(&d.name);
            if !assigned.contains(&id) && !states.contains(&id) {
                assigned.push(id.clone());
                ranges.push(id);
            }
        }
        for r in &plan.rates {
            let id = self.rate_id(&r.state);
            if !assigned.contains(&id) {
                // Every per-instance value must be RANGE: an ASSIGNED that is not is one
                // GLOBAL shared by all instances of the mechanism.
                assigned.push(id.clone());
                ranges.push(id);
            }
        }
        let mut simulator = vec!["v (mV)".to_string()];
        if nonspecific.is_some() {
            simulator.push(
                if point_process {
                    "i (nA)"
                } else {
                    "i (mA/cm2)"
                }
                .to_string(),
            );
        }
        if plan.externals.contains(&External::Temperature) {
            simulator.push("celsius (degC)".into());
        }
        let uses_area = plan
            .externals
            .iter()
            .any(|x| matches!(x, External::Area | External::IonCurrent(_)));
        if uses_area {
            simulator.push("area (um2)".into());
        }
        simulator.extend(self.ion_vars.iter().cloned());
        let mut pointers = Vec::new();
        if plan.externals.contains(&External::PeerVoltage) {
            pointers.push("vpeer".to_string());
        }
        let functions = function_definitions(&self.functions);
        ModView {
            title: comment_text(title),
            name: self.mech.name.clone(),
            point_process,
            useions,
            nonspecific,
            ranges,
            pointers,
            random: self.random,
            params,
            assigned,
            simulator,
            states,
            derivative_used: !self.integrated.is_empty(),
            functions,
            rates,
            root_derived,
            initial,
            breakpoint,
            derivative,
            kinetic,
            net_receive,
        }
    }

    /// BREAKPOINT lines, the NONSPECIFIC_CURRENT and USEION lines.
    pub(super) fn currents(&mut self) -> (Vec<String>, Option<String>, Vec<String>) {
        let mut lines = Vec::new();
        if self.integrated.is_empty() && self.kinetic_states.is_empty() {
            lines.push("rates()".to_string());
        }
        if !self.integrated.is_empty() {
            lines.push("SOLVE states METHOD cnexp".to_string());
        }
        if !self.kinetic_states.is_empty() {
            lines.push("SOLVE kin METHOD sparse".to_string());
        }
        if matches!(self.mech.kind, MechKind::Density { .. })
            && self.plan.derived.iter().any(|d| !d.name.contains('/'))
            || self.voltage.is_some() && self.plan.derived.iter().any(is_conductance)
        {
            lines.push("root_derived()".into());
        }
        lines.extend(self.breakpoint_conditions());
        let mut useions = Vec::new();
        let mut nonspecific = None;
        let mut ions: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
        for x in &self.plan.externals {
            match x {
                External::ConcentrationIn(ion) => {
                    ions.entry(ion.clone())
                        .or_default()
                        .0
                        .insert(format!("{ion}i"));
                }
                External::ConcentrationOut(ion) => {
                    ions.entry(ion.clone())
                        .or_default()
                        .0
                        .insert(format!("{ion}o"));
                }
                External::IonCurrent(ion) => {
                    ions.entry(ion.clone())
                        .or_default()
                        .0
                        .insert(format!("i{ion}"));
                }
                _ => {}
            }
        }
        match &self.mech.kind {
            MechKind::PointCell { capacitance } => {
                if let Some(v) = self.voltage.clone() {
                    nonspecific = Some("i".to_string());
                    let c = number(*capacitance);
                    // In a regime without dv/dt the rate is 0 and only other currents (synapses)
                    // move v, as in the reference exports; a cell whose v has no dv/dt at all
                    // (a rate model keeping v for its base type) passes no current.
                    let current = if self.plan.rates.iter().any(|r| r.state == v) {
                        format!("i = -({c} * {}) * 1e9", self.rate_id(&v))
                    } else {
                        "i = 0".to_string()
                    };
                    if !current.is_empty() {
                        lines.push(current);
                    }
                }
            }
            MechKind::Attachment => {
                if let Some(i) = self.root_current() {
                    nonspecific = Some("i".to_string());
                    lines.push(format!("i = -({i}) * 1e9"));
                }
            }
            MechKind::Density { ion, nernst } => {
                let density = self.id("iDensity");
                match ion {
                    Some(ion) => {
                        let e = ions.entry(ion.clone()).or_default();
                        e.1.insert(format!("i{ion}"));
                        if *nernst {
                            e.0.insert(format!("e{ion}"));
                        }
                        lines.push(format!("i{ion} = -({density}) * 0.1"));
                    }
                    None => {
                        nonspecific = Some("i".to_string());
                        lines.push(format!("i = -({density}) * 0.1"));
                    }
                }
            }
            MechKind::Concentration { ion } => {
                // Written where the state changes (DERIVATIVE and INITIAL): nocmodl accepts a
                // WRITE of a concentration only there. A model without rates changes it only in
                // its conditions, tested here (a concentration clamp).
                if self.integrated.is_empty() && self.kinetic_states.is_empty() {
                    lines.extend(self.concentration_out());
                }
                ions.entry(ion.clone())
                    .or_default()
                    .1
                    .insert(format!("{ion}i"));
            }
        }
        for (read, write) in ions.values() {
            self.ion_vars.extend(read.iter().chain(write).cloned());
        }
        for (ion, (read, write)) in ions {
            let read: Vec<String> = read.difference(&write).cloned().collect();
            let mut line = format!("USEION {ion}");
            if !read.is_empty() {
                line.push_str(&format!(" READ {}", read.join(", ")));
            }
            if !write.is_empty() {
                line.push_str(&format!(
                    " WRITE {}",
                    write.iter().cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            let valence = if ion == "ca" || ion == "ca2" { 2 } else { 1 };
            line.push_str(&format!(" VALENCE {valence}"));
            useions.push(line);
        }
        (lines, nonspecific, useions)
    }

    /// The NMODL name of the top component's current `i`, if it has one.
    pub(super) fn root_current(&self) -> Option<String> {
        let name = self.plan.names.get(&(self.plan.root, "i".to_string()))?;
        self.idents.get(name).cloned()
    }

    /// NEURON's reversal potential variable (`eca`) when the density takes it from NEURON.
    pub(super) fn neuron_reversal(&self) -> Option<String> {
        match &self.mech.kind {
            MechKind::Density {
                ion: Some(ion),
                nernst: true,
            } => Some(format!("e{ion}")),
            _ => None,
        }
    }

    /// Channel densities and concentration models (SUFFIX mechanisms).
    pub(super) fn is_density(&self) -> bool {
        matches!(
            self.mech.kind,
            MechKind::Density { .. } | MechKind::Concentration { .. }
        )
    }

    /// A concentration model hands its concentration to NEURON's ion (mol/m³ = mM).
    pub(super) fn concentration_out(&self) -> Vec<String> {
        match &self.mech.kind {
            MechKind::Concentration { ion } => {
                let conc = self.id("concentration");
                vec![format!("{ion}i = {conc}")]
            }
            _ => Vec::new(),
        }
    }
}
