//! Parameters the runner sets itself instead of leaving them to the `.mod`'s `PARAMETER`
//! defaults.
//!
//! NEURON 9's nocmodl keeps a RANGE parameter's default as C text with 6 significant digits
//! (`%g`): a density of `9.084216` S/m² becomes `9.08422`. The reference export keeps most
//! values as mod defaults too, and NEURON rounds them the same way there, but it sets a
//! channel density's conductance density, reversal potential and permeability, and every
//! parameter of an abstract (point) cell, from its runner, at full precision. Those values
//! must come from our runner as well where nocmodl would round them (Ex15's Ca and H channel
//! densities drifted by a step after 280 ms of spiking); values the default keeps exactly
//! stay in the mod only, so most runners are unchanged.

use crate::passes::mechanism::MechanismPlan;

/// The parameters of a channel density that the reference export sets from its runner.
const DENSITY_RUNNER_PARAMS: &[&str] = &["condDensity", "erev", "permeability"];

/// Whether nocmodl's 6-significant-digit default loses digits of `x`. A few ulps do not
/// count: they are unit-conversion artefacts (55.7227 mS/cm² is 557.2270000000001 S/m²),
/// and the default's `557.227` is the model's own decimal.
pub fn rounded_by_nocmodl(x: f64) -> bool {
    if !x.is_finite() {
        return false;
    }
    format!("{x:.5e}")
        .parse::<f64>()
        .map_or(true, |back| (back - x).abs() > 1e-12 * x.abs())
}

/// `(flat name, SI value)` of the root's own parameters with one of `names` (every one of
/// them where `names` is `None`) whose mod default nocmodl would round, in plan order.
fn runner_params(plan: &MechanismPlan, names: Option<&[&str]>) -> Vec<(String, f64)> {
    let own: Vec<&String> = plan
        .names
        .iter()
        .filter(|((inst, lems_name), _)| {
            *inst == plan.root && names.is_none_or(|n| n.contains(&lems_name.as_str()))
        })
        .map(|(_, flat)| flat)
        .collect();
    plan.params
        .iter()
        .filter(|p| own.contains(&&p.name) && rounded_by_nocmodl(p.value))
        .map(|p| (p.name.clone(), p.value))
        .collect()
}

/// A channel density's conductance density, reversal potential and permeability, where
/// nocmodl would round them.
pub fn density_params(plan: &MechanismPlan) -> Vec<(String, f64)> {
    runner_params(plan, Some(DENSITY_RUNNER_PARAMS))
}

/// Every parameter of a point cell's own component that nocmodl would round.
pub fn point_cell_params(plan: &MechanismPlan) -> Vec<(String, f64)> {
    runner_params(plan, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_significant_digits_survive_and_seven_do_not() {
        // The values nocmodl printed for Ex15's mechanisms.
        assert!(!rounded_by_nocmodl(0.330033));
        assert!(!rounded_by_nocmodl(-0.065));
        assert!(!rounded_by_nocmodl(1e-11));
        assert!(!rounded_by_nocmodl(557.227));
        assert!(!rounded_by_nocmodl(557.2270000000001));
        assert!(!rounded_by_nocmodl(7.549999999999999e-5));
        assert!(rounded_by_nocmodl(9.084216000000001));
        assert!(rounded_by_nocmodl(0.3090506));
        assert!(rounded_by_nocmodl(290.500264793));
        assert!(!rounded_by_nocmodl(f64::INFINITY));
    }
}
