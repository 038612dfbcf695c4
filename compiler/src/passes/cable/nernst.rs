//! The reversal potential of a `channelDensityNernst` (and its non-uniform kind) as NEURON
//! computes `e<ion>` for the NEURON export: the Nernst equation with NEURON's constants (the
//! 2018 CODATA values NEURON 9 uses), from the concentrations inside and outside the
//! compartment at the time the currents are computed.

use crate::model::dims::Dim;
use crate::passes::mechanism::{
    BinOp, Derived, DerivedValue, External, Func, MExpr, MechanismPlan,
};

/// The gas constant (J/(mol·K)) and Faraday's constant (C/mol) as NEURON 9 has them.
const GAS_CONSTANT: f64 = 8.314462618;
const FARADAY: f64 = 96485.33212;

/// The valence the NEURON export declares for an ion (`VALENCE` of its `USEION`).
pub fn valence(ion: &str) -> f64 {
    if ion == "ca" || ion == "ca2" {
        2.0
    } else {
        1.0
    }
}

/// Makes `erev` of `plan` the Nernst potential of `ion`, computed first among the density's
/// own values: `R T / (z F) · ln(c_out / c_in)` (V).
pub fn use_neuron_nernst(plan: &mut MechanismPlan, ion: &str) {
    let b = |op, l: MExpr, r: MExpr| MExpr::Bin(op, Box::new(l), Box::new(r));
    let ext = |x: External| MExpr::Ext(x);
    let value = b(
        BinOp::Mul,
        b(
            BinOp::Div,
            b(
                BinOp::Mul,
                MExpr::Num(GAS_CONSTANT),
                ext(External::Temperature),
            ),
            MExpr::Num(valence(ion) * FARADAY),
        ),
        MExpr::Call(
            Func::Ln,
            Box::new(b(
                BinOp::Div,
                ext(External::ConcentrationOut(ion.to_string())),
                ext(External::ConcentrationIn(ion.to_string())),
            )),
        ),
    );
    plan.derived.retain(|d| d.name != "erev");
    plan.params.retain(|p| p.name != "erev");
    plan.derived.insert(
        0,
        Derived {
            name: "erev".into(),
            dim: Dim {
                m: 1,
                l: 2,
                t: -3,
                i: -1,
                ..Dim::NONE
            },
            value: DerivedValue::Value(value),
        },
    );
    for x in [
        External::Temperature,
        External::ConcentrationIn(ion.to_string()),
        External::ConcentrationOut(ion.to_string()),
    ] {
        if !plan.externals.contains(&x) {
            plan.externals.push(x);
        }
    }
    plan.names
        .insert((plan.root, "erev".to_string()), "erev".to_string());
}
