//! Non-uniform channel densities: the conductance density as an expression of the distance
//! along the dendrite, which the runner sets per segment.

use super::*;

/// Flat name of a non-uniform density's distance variable (`p`), set per segment by the
/// runner (`@` cannot occur in LEMS names).
pub const DISTANCE_VAR: &str = "@distance";

/// A non-uniform channel density gives no current in LEMS (its conductance depends on where it
/// sits). Here it computes its current as `channelDensity` (or `channelDensityNernst`) does,
/// with the varying parameter given by its expression of [`DISTANCE_VAR`], which the runner
/// sets per segment as the reference export does.
pub fn vary_density(
    model: &Model,
    ir: &Ir,
    comp: &crate::model::component::Component,
    plan: &mut MechanismPlan,
) -> Result<(), Diagnostic> {
    let ty = &model.ty(comp.type_id).name;
    let Some((parameter, _, value)) = super::super::morphology::variable_parameter(model, comp)
    else {
        return Err(Diagnostic::at(
            comp.name_span,
            format!(
                "{ty} '{}' has no variableParameter with an inhomogeneousValue",
                comp.id.as_deref().unwrap_or("")
            ),
        ));
    };
    if ty == "channelDensityNonUniformGHK" || parameter != "condDensity" {
        return Err(Diagnostic::at(
            comp.name_span,
            format!("{ty} varying '{parameter}' is not supported by the NEURON target yet"),
        ));
    }
    let span = value
        .texts
        .iter()
        .find(|(n, _, _)| n == "value")
        .map_or(value.name_span, |(_, _, s)| *s);
    let text = value.text("value").unwrap_or("");
    let expr = crate::front::expr::parse(text, span)?;
    let density = distance_expr(&expr, &mut None)?;
    let fopen = ir
        .inst(plan.root)
        .children
        .iter()
        .find_map(|c| plan.names.get(&(c.inst, "fopen".to_string())))
        .cloned()
        .ok_or_else(|| Diagnostic::at(comp.name_span, "the density's ionChannel has no fopen"))?;
    let b = |op, l: MExpr, r: MExpr| MExpr::Bin(op, Box::new(l), Box::new(r));
    let var = |n: &str| MExpr::Var(n.to_string());
    let conductance_density = crate::model::dims::Dim {
        m: -1,
        l: -4,
        t: 3,
        i: 2,
        ..crate::model::dims::Dim::NONE
    };
    let current_density = crate::model::dims::Dim {
        l: -2,
        i: 1,
        ..crate::model::dims::Dim::NONE
    };
    let derived = |name: &str, dim, value| Derived {
        name: name.to_string(),
        dim,
        value: DerivedValue::Value(value),
    };
    plan.params.push(crate::passes::mechanism::Param {
        name: DISTANCE_VAR.to_string(),
        value: 0.0,
        dim: crate::model::dims::Dim::NONE,
    });
    plan.derived.retain(|d| d.name != "iDensity");
    plan.derived.extend([
        derived("condDensity", conductance_density, density),
        derived("channelf", crate::model::dims::Dim::NONE, var(&fopen)),
        derived(
            "gDensity",
            conductance_density,
            b(BinOp::Mul, var("condDensity"), var("channelf")),
        ),
        derived(
            "iDensity",
            current_density,
            b(
                BinOp::Mul,
                var("gDensity"),
                b(BinOp::Sub, var("erev"), MExpr::Ext(External::Voltage)),
            ),
        ),
    ]);
    for n in ["condDensity", "gDensity", "iDensity"] {
        plan.names.insert((plan.root, n.to_string()), n.to_string());
    }
    Ok(())
}

/// An inhomogeneousValue expression with its one variable (`seen`) read as [`DISTANCE_VAR`].
pub(super) fn distance_expr(
    e: &crate::front::expr::Expr,
    seen: &mut Option<String>,
) -> Result<MExpr, Diagnostic> {
    use crate::front::expr::ExprKind;
    let mut bx = |e| distance_expr(e, seen).map(Box::new);
    Ok(match &e.kind {
        ExprKind::Number(x) => MExpr::Num(*x),
        ExprKind::Name(n) => {
            if seen.get_or_insert_with(|| n.clone()) != n {
                return Err(Diagnostic::at(
                    e.span,
                    format!("'{n}': the value may use one variable, its inhomogeneousParameter's"),
                ));
            }
            MExpr::Var(DISTANCE_VAR.to_string())
        }
        ExprKind::Neg(x) => MExpr::Neg(bx(x)?),
        ExprKind::Not(x) => MExpr::Not(bx(x)?),
        ExprKind::Binary(op, l, r) => {
            let l = bx(l)?;
            MExpr::Bin(*op, l, bx(r)?)
        }
        ExprKind::Call(Func::Random, args) if args.len() == 1 => MExpr::Random(bx(&args[0])?),
        ExprKind::Call(f, args) if args.len() == 1 => MExpr::Call(*f, bx(&args[0])?),
        ExprKind::Call(..) => {
            return Err(Diagnostic::at(
                e.span,
                "a function of one argument was expected",
            ))
        }
    })
}
