//! Where each value of one component lives in its instance block.
//!
//! jLEMS keeps two tables per instance: its variables (state, derived, requirement copies,
//! parameters, properties, `t`) and its exposures, refreshed at set points. A kernel keeps
//! one slot per variable and one per exposure, so other instances can read the exposed copy
//! while the variable itself moves on.

use std::collections::{BTreeMap, HashMap};

use crate::diag::Span;
use crate::model::component::Component;
use crate::model::types::ComponentType;

/// The slots of one component, by what they hold.
#[derive(Debug, Default)]
pub(super) struct SlotLayout {
    /// A name per slot (`v`, `v@exposed`, `rate:v`).
    pub names: Vec<String>,
    /// Variables by name: state, requirement copy, derived, property, parameter.
    pub variables: HashMap<String, u32>,
    pub state: Vec<u32>,
    /// Requirement copies in declaration order.
    pub requirements: Vec<(String, u32, Span)>,
    /// (exposed slot, variable slot) pairs refreshed by "synchronise exposures".
    pub sync: Vec<(u32, u32)>,
    /// What another instance reading a name of this one gets.
    pub readable: BTreeMap<String, u32>,
    /// The rate slot of each variable with a TimeDerivative in the main Dynamics.
    pub rates: HashMap<String, u32>,
    /// The active regime's index, when the type has regimes.
    pub regime: Option<u32>,
    /// Set while a ConditionalDerivedVariable has found its case.
    pub case_matched: Option<u32>,
    /// The instance's own `t` (the time of its last advance), allocated on first use.
    pub time: Option<u32>,
    /// Parameter slots and their values.
    pub constants: Vec<(u32, f64)>,
    /// Property slots: (slot, name, default).
    pub properties: Vec<(u32, String, f64)>,
}

impl SlotLayout {
    fn add(&mut self, name: impl Into<String>) -> u32 {
        self.names.push(name.into());
        self.names.len() as u32 - 1
    }

    /// The slot of variable `name`, made when new.
    fn variable(&mut self, name: &str) -> u32 {
        if let Some(&s) = self.variables.get(name) {
            return s;
        }
        let s = self.add(name);
        self.variables.insert(name.to_string(), s);
        s
    }

    /// The slot of the instance's own `t`.
    pub fn time_slot(&mut self) -> u32 {
        match self.time {
            Some(s) => s,
            None => {
                let s = self.add("t");
                self.time = Some(s);
                s
            }
        }
    }

    /// Lays out `comp`, an instance of `ty`.
    pub fn of(ty: &ComponentType, comp: &Component, has_dynamics: bool) -> SlotLayout {
        let mut l = SlotLayout::default();
        let d = &ty.dynamics;
        for sv in &d.state_variables {
            let s = l.variable(&sv.q.name);
            l.state.push(s);
        }
        if has_dynamics {
            // jLEMS copies requirements only in types with Dynamics.
            for r in &ty.requirements {
                let s = l.variable(&r.name);
                l.requirements.push((r.name.clone(), s, r.span));
            }
        }
        for dv in &d.derived_variables {
            l.variable(&dv.q.name);
        }
        for cdv in &d.conditional_derived_variables {
            l.variable(&cdv.q.name);
        }
        for p in &ty.properties {
            let s = l.variable(&p.q.name);
            let default = comp
                .param(&p.q.name)
                .map(|v| v.si)
                .or(p.default_value)
                .unwrap_or(0.0);
            l.properties.push((s, p.q.name.clone(), default));
        }
        let is_property = |n: &str| ty.properties.iter().any(|p| p.q.name == n);
        for pv in comp.params.iter().filter(|p| !is_property(&p.name)) {
            let s = l.variable(&pv.name);
            l.constants.push((s, pv.si));
        }
        for pv in &comp.derived {
            let s = l.variable(&pv.name);
            l.constants.push((s, pv.si));
        }
        // jLEMS reads a Requirement from an enclosing Constant too (channelDensity's
        // `vShift = 0mV` serves gates written for channelDensityVShift).
        for c in &ty.constants {
            if !l.variables.contains_key(&c.q.name) {
                let s = l.variable(&c.q.name);
                l.constants.push((s, c.value));
            }
        }
        l.expose(ty, has_dynamics);
        for td in &d.time_derivatives {
            if !l.rates.contains_key(&td.variable) {
                let s = l.add(format!("rate:{}", td.variable));
                l.rates.insert(td.variable.clone(), s);
            }
        }
        if !d.regimes.is_empty() {
            l.regime = Some(l.add("@regime"));
        }
        if !d.conditional_derived_variables.is_empty() {
            l.case_matched = Some(l.add("@case_matched"));
        }
        l
    }

    /// Exposure slots and what other instances read (jLEMS `getVariable`: the exposure table
    /// first, then the variables).
    fn expose(&mut self, ty: &ComponentType, has_dynamics: bool) {
        let d = &ty.dynamics;
        let declared = |n: &str| ty.exposures.iter().any(|e| e.name == n);
        // The exposure each variable publishes: its `exposure=`, else (jLEMS resolves
        // loosely) the Exposure of its own name. Later mappings of one exposure win, in the
        // order jLEMS adds them: state, derived, conditional derived.
        let mut source: BTreeMap<String, Feed> = BTreeMap::new();
        let published = d
            .state_variables
            .iter()
            .map(|v| (&v.q.name, &v.exposure))
            .chain(d.derived_variables.iter().map(|v| (&v.q.name, &v.exposure)))
            .chain(
                d.conditional_derived_variables
                    .iter()
                    .map(|v| (&v.q.name, &v.exposure)),
            );
        for (name, exposure) in published {
            let target = match exposure {
                Some(e) => e.clone(),
                None if declared(name) => name.clone(),
                None => continue,
            };
            source.insert(target, Feed::Copy(self.variables[name.as_str()]));
        }
        // Properties are exposed under their own name. Actions cannot assign them, so the
        // exposed copy always equals the property slot, which serves directly.
        for p in &ty.properties {
            source.insert(p.q.name.clone(), Feed::Direct(self.variables[&p.q.name]));
        }
        if has_dynamics {
            // Every declared Exposure has an entry in jLEMS's table, 0 until a variable
            // feeds it.
            for e in &ty.exposures {
                source.entry(e.name.clone()).or_insert(Feed::Unfed);
            }
        }
        for (exposure, feed) in source {
            let slot = match feed {
                Feed::Direct(slot) => slot,
                Feed::Copy(from) => {
                    let slot = self.add(format!("{exposure}@exposed"));
                    self.sync.push((slot, from));
                    slot
                }
                Feed::Unfed => self.add(format!("{exposure}@exposed")),
            };
            self.readable.insert(exposure, slot);
        }
        for (name, &slot) in &self.variables {
            self.readable.entry(name.clone()).or_insert(slot);
        }
    }
}

/// Where an exposure's value comes from.
enum Feed {
    /// Copied from a variable slot when exposures are synchronised.
    Copy(u32),
    /// Read straight from this slot.
    Direct(u32),
    /// Declared but fed by nothing: stays 0.
    Unfed,
}
