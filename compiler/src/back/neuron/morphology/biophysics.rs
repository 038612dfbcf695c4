//! `biophysicalProperties` in NEURON's units: capacitance, axial resistivity, initial
//! potential, spike threshold, channel densities (with non-uniform variations) and ion
//! species, each with the segment group it applies to.

use std::collections::HashSet;

use super::*;

// SI → NEURON units.
pub(super) const F_PER_M2_TO_UF_PER_CM2: f64 = 100.0;
pub(super) const OHM_M_TO_OHM_CM: f64 = 100.0;
pub(super) const V_TO_MV: f64 = 1e3;
pub(super) const S_PER_M2_TO_S_PER_CM2: f64 = 1e-4;
pub(super) const M_PER_S_TO_CM_PER_S: f64 = 100.0;
/// mol/m³ is mM.
pub(super) const MOL_PER_M3_TO_MM: f64 = 1.0;

impl Biophysics {
    /// No densities, species or threshold: the start a cell's biophysics is read into.
    pub(crate) fn empty() -> Biophysics {
        Biophysics {
            specific_capacitance: Vec::new(),
            resistivity: Vec::new(),
            init_membrane_potential: Vec::new(),
            spike_threshold: 0.0,
            channels: Vec::new(),
            species: Vec::new(),
        }
    }
}

/// Reads `biophysicalProperties` (or its 2CaPools variant); every segmentGroup it names must be
/// one of `known_groups`, every segment one of the tree.
pub(super) fn read_biophysics(
    model: &Model,
    bio: CompId,
    morphology: CompId,
    known_groups: &HashSet<&str>,
    tree: &SegmentTree,
) -> Result<Biophysics, Vec<Diagnostic>> {
    let bio = model.component(bio);
    let mut out = Biophysics::empty();
    let mut diags = Vec::new();
    let group_of = |comp: &Component, diags: &mut Vec<Diagnostic>| -> Option<String> {
        let name = text_or_extra(comp, "segmentGroup")?;
        if !known_groups.contains(name) {
            diags.push(Diagnostic::at(
                comp.name_span,
                format!("segmentGroup '{name}' is not defined in the cell's morphology"),
            ));
        }
        Some(name.to_string())
    };
    let part = |prefix: &str| {
        bio.children
            .iter()
            .find(|(slot, _)| slot.starts_with(prefix))
            .map(|(_, c)| model.component(*c))
    };
    if let Some(membrane) = part("membraneProperties") {
        for (_, c) in children_in(model, membrane, "specificCapacitances") {
            let value = param_or_zero(c, "value") * F_PER_M2_TO_UF_PER_CM2;
            out.specific_capacitance
                .push((group_of(c, &mut diags), value));
        }
        for (_, c) in children_in(model, membrane, "initMembPotential") {
            let value = param_or_zero(c, "value") * V_TO_MV;
            out.init_membrane_potential
                .push((group_of(c, &mut diags), value));
        }
        if let Some(thresh) = child_in(model, membrane, "spikeThresh") {
            out.spike_threshold = param_or_zero(thresh, "value") * V_TO_MV;
        }
        for (density, comp) in children_in(model, membrane, "channelDensities") {
            match channel_placement(model, density, comp, tree) {
                Ok(mut placement) => {
                    let group_holder = child_in(model, comp, "variableParameter").unwrap_or(comp);
                    placement.group = group_of(group_holder, &mut diags);
                    if let Some((_, id, value)) = variable_parameter(model, comp) {
                        match variation(model, morphology, id) {
                            Ok(v) => placement.variation = Some(v),
                            Err(message) => diags.push(Diagnostic::at(value.name_span, message)),
                        }
                    }
                    out.channels.push(placement);
                }
                Err(d) => diags.push(d),
            }
        }
    }
    if let Some(intracellular) = part("intracellularProperties") {
        for (_, c) in children_in(model, intracellular, "resistivity") {
            let value = param_or_zero(c, "value") * OHM_M_TO_OHM_CM;
            out.resistivity.push((group_of(c, &mut diags), value));
        }
        for (_, c) in children_in(model, intracellular, "speciesList") {
            let (Some(ion), Some(concentration_model)) =
                (text_or_extra(c, "ion"), c.reference("concentrationModel"))
            else {
                diags.push(Diagnostic::at(
                    c.name_span,
                    "<species> needs an ion and a concentrationModel",
                ));
                continue;
            };
            out.species.push(SpeciesPlacement {
                ion: ion.to_string(),
                concentration_model,
                group: group_of(c, &mut diags),
                initial_in: param_or_zero(c, "initialConcentration") * MOL_PER_M3_TO_MM,
                initial_out: param_or_zero(c, "initialExtConcentration") * MOL_PER_M3_TO_MM,
            });
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

pub(super) fn param_or_zero(comp: &Component, name: &str) -> f64 {
    comp.param(name).map_or(0.0, |p| p.si)
}

/// One channel density; its group is filled in by the caller.
pub(super) fn channel_placement(
    model: &Model,
    density: CompId,
    comp: &Component,
    tree: &SegmentTree,
) -> Result<ChannelPlacement, Diagnostic> {
    let channel = comp.reference("ionChannel").ok_or_else(|| {
        Diagnostic::at(
            comp.name_span,
            format!("channel density '{}' names no ionChannel", display_id(comp)),
        )
    })?;
    let segment = match text_or_extra(comp, "segment") {
        None => None,
        Some(text) => Some(
            tree.segment_by_text(Some(text))
                .map(|s| tree.segments[s].id)
                .ok_or_else(|| {
                    Diagnostic::at(
                        comp.name_span,
                        format!("segment '{text}' is not a segment of the cell's morphology"),
                    )
                })?,
        ),
    };
    // The ion: the density's `ion`, else the channel's `species`; "non_specific" is none.
    let ion = text_or_extra(comp, "ion")
        .or_else(|| text_or_extra(model.component(channel), "species"))
        .filter(|ion| !ion.is_empty() && *ion != "non_specific")
        .map(str::to_string);
    let scaled = |name: &str, factor: f64| comp.param(name).map(|p| p.si * factor);
    Ok(ChannelPlacement {
        density,
        density_kind: model.ty(comp.type_id).name.clone(),
        channel,
        group: None,
        segment,
        cond_density: scaled("condDensity", S_PER_M2_TO_S_PER_CM2),
        permeability: scaled("permeability", M_PER_S_TO_CM_PER_S),
        erev: scaled("erev", V_TO_MV),
        ion,
        variation: None,
    })
}

/// The `variableParameter` of a non-uniform channel density: the parameter that varies, the
/// id of the inhomogeneousParameter its value uses, and the value expression (SI).
pub fn variable_parameter<'m>(
    model: &'m Model,
    density: &'m Component,
) -> Option<(&'m str, &'m str, &'m Component)> {
    let vp = child_in(model, density, "variableParameter")?;
    let value = child_in(model, vp, "inhomogeneousValue")?;
    Some((
        text_or_extra(vp, "parameter")?,
        text_or_extra(value, "inhomogeneousParameter")?,
        value,
    ))
}

/// The `inhomogeneousParameter` called `id` in any segmentGroup of the morphology, read as a
/// [`Variation`]. Only the metric NEURON's exporter knows is accepted: path length from root.
pub(super) fn variation(model: &Model, morphology: CompId, id: &str) -> Result<Variation, String> {
    let morph = model.component(morphology);
    let param = children_in(model, morph, "segmentGroups")
        .flat_map(|(_, g)| children_in(model, g, "inhomogeneousParameter"))
        .map(|(_, p)| p)
        .find(|p| p.id.as_deref() == Some(id))
        .ok_or_else(|| format!("no segmentGroup defines the inhomogeneousParameter '{id}'"))?;
    let metric = text_or_extra(param, "metric").unwrap_or("");
    if metric != "Path Length from root" {
        return Err(format!(
            "inhomogeneousParameter '{id}': metric '{metric}' is not supported (only 'Path Length from root')"
        ));
    }
    // NEURON's SubsetDomainIterator moves the start to 0 and the end to 1 only.
    let given = |slot: &str, attr: &str, wanted: f64| -> Result<bool, String> {
        let Some(c) = child_in(model, param, slot) else {
            return Ok(false);
        };
        let text = text_or_extra(c, attr).unwrap_or("");
        match text.trim().parse::<f64>() {
            Ok(x) if x == wanted => Ok(true),
            _ => Err(format!(
                "inhomogeneousParameter '{id}': {attr} '{text}' is not supported (only {wanted})"
            )),
        }
    };
    Ok(Variation {
        translate: given("proximal", "translationStart", 0.0)?,
        normalize: given("distal", "normalizationEnd", 1.0)?,
    })
}
