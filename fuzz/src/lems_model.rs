//! Small LEMS models drawn from fuzzer bytes, valid by construction, for the `engines` target.
//!
//! Every choice picks among names that exist at that point, so lemsc accepts what comes out
//! and the fuzzer spends its time in the engines rather than in the parser. The shape:
//!
//! - a ComponentType `part` with dimensionless Parameters `p*`, a rate `rate` (per_time),
//!   StateVariables `x*`, DerivedVariables `d*` (each reads only earlier ones), Conditional-
//!   DerivedVariables `c*` with a default Case, TimeDerivatives `rate * (...)`, OnStart,
//!   OnConditions with StateAssignments and EventOut, an OnEvent, and optionally Regimes with
//!   OnEntry and Transitions;
//! - a ComponentType `top` with one or two `part` children (`a`, `b`), a state variable that
//!   follows a value read from `a`, and optionally EventConnections between the children;
//! - a Simulation of 50 to 800 steps recording every exposed value and both spike ports.
//!
//! Everything is dimensionless except `rate` and `t`, which only appear as `rate * (...)` and
//! `(rate * t)`, so the dimension checks always pass.
//!
//! A run stops when a state variable becomes NaN or infinite, and a stopped run writes no
//! files to compare. So most state updates are *tame*: a bounded function (`tanh`, `sin`,
//! `cos`) of an expression built only from tame values (parameters, states, tame derived
//! variables, moderate literals) and operations that keep them finite (`+ - *`, `sin`,
//! `abs`, `floor`, ...); the rest, and every condition and wild derived variable, may use
//! anything. About nine runs in ten reach their last step.

use std::fmt::Write;

use libfuzzer_sys::arbitrary::{Result, Unstructured};

/// Functions of one argument, as LEMS writes them.
const FUNCTIONS: [&str; 15] = [
    "exp",
    "ln",
    "log",
    "sqrt",
    "sin",
    "cos",
    "tan",
    "sinh",
    "cosh",
    "tanh",
    "abs",
    "ceil",
    "floor",
    "H",
    "factorial",
];

const ARITHMETIC: [&str; 5] = ["+", "-", "*", "/", "^"];
const COMPARISONS: [&str; 6] = [".gt.", ".lt.", ".geq.", ".leq.", ".eq.", ".neq."];

/// Literals a model meets, and some that push the arithmetic to its edges.
const LITERALS: [&str; 20] = [
    "0", "1", "2", "3", "0.5", "0.1", "-1", "1.5", "10", "100", "0.001", "7", "0.25", "171",
    "1e-3", "2.5E2", "1e300", "1e-300", "0.0", "4",
];
/// Literals of moderate size, for tame expressions and parameter values.
const TAME_LITERALS: [&str; 12] = [
    "0", "1", "2", "3", "0.5", "0.1", "-1", "1.5", "0.001", "0.25", "1e-3", "-0.065",
];
const TAME_ARITHMETIC: [&str; 3] = ["+", "-", "*"];
const TAME_FUNCTIONS: [&str; 7] = ["sin", "cos", "tanh", "abs", "ceil", "floor", "H"];
/// Bounded functions around a tame state update.
const BOUNDS: [&str; 3] = ["tanh", "sin", "cos"];

const STEPS: [&str; 4] = ["0.01ms", "0.005ms", "0.02ms", "0.025ms"];

/// The names an expression may read.
#[derive(Clone)]
struct Scope {
    /// Each with whether it is tame.
    names: Vec<(String, bool)>,
    /// Only tame names, literals and operations.
    tame: bool,
    /// `random(...)`: draws from the simulation's generator, so only where the order of
    /// draws is fixed (assignments), never in values recomputed for recording.
    random: bool,
    /// `(rate * t)`: needs `rate` in scope.
    time: bool,
}

/// The generated `part` type: what exists, for the instances and the Simulation.
struct Part {
    params: usize,
    exposed: Vec<String>,
    /// The exposed values that stay finite when the state does.
    tame_exposed: Vec<String>,
}

/// A whole LEMS document: types, the `net` instance and its Simulation, as the target.
pub fn generate(u: &mut Unstructured) -> Result<String> {
    let mut xml = String::from(
        "<Lems>\n<Include file=\"NeuroMLCoreDimensions.xml\"/>\n<Include file=\"Simulation.xml\"/>\n",
    );
    let part = part_type(u, &mut xml)?;
    let two = u.arbitrary::<bool>()?;
    top_type(u, &mut xml, &part, two)?;

    let _ = writeln!(xml, "<top id=\"net\" rate=\"{}per_ms\">", rate(u)?);
    for child in if two { &["a", "b"][..] } else { &["a"][..] } {
        let _ = write!(xml, "  <{child} rate=\"{}per_ms\"", rate(u)?);
        for i in 0..part.params {
            let _ = write!(xml, " p{i}=\"{}\"", u.choose(&TAME_LITERALS)?);
        }
        xml.push_str("/>\n");
    }
    xml.push_str("</top>\n");

    let step = u.choose(&STEPS)?;
    let length = u.int_in_range(1..=4)?;
    let _ = writeln!(
        xml,
        "<Simulation id=\"sim\" length=\"{length}ms\" step=\"{step}\" target=\"net\">"
    );
    xml.push_str("  <OutputFile id=\"of\" fileName=\"values.dat\">\n");
    xml.push_str("    <OutputColumn id=\"y\" quantity=\"y\"/>\n");
    for child in if two { &["a", "b"][..] } else { &["a"][..] } {
        for name in &part.exposed {
            let _ = writeln!(
                xml,
                "    <OutputColumn id=\"{child}_{name}\" quantity=\"{child}/{name}\"/>"
            );
        }
    }
    xml.push_str("  </OutputFile>\n");
    xml.push_str(
        "  <EventOutputFile id=\"ev\" fileName=\"events.spk\" format=\"TIME_ID\">\n    \
         <EventSelection id=\"0\" select=\"a\" eventPort=\"out\"/>\n",
    );
    if two {
        xml.push_str("    <EventSelection id=\"1\" select=\"b\" eventPort=\"out\"/>\n");
    }
    xml.push_str("  </EventOutputFile>\n</Simulation>\n<Target component=\"sim\"/>\n</Lems>\n");
    Ok(xml)
}

/// Writes the `part` ComponentType.
fn part_type(u: &mut Unstructured, xml: &mut String) -> Result<Part> {
    let params = u.int_in_range(1..=3)?;
    let states = u.int_in_range(1..=3)?;
    let derived = u.int_in_range(0..=3)?;
    let conditional = u.int_in_range(0..=2)?;
    let regimes = if u.ratio(1, 3)? {
        u.int_in_range(2..=3)?
    } else {
        0
    };

    xml.push_str("<ComponentType name=\"part\">\n");
    for i in 0..params {
        let _ = writeln!(xml, "  <Parameter name=\"p{i}\" dimension=\"none\"/>");
    }
    xml.push_str("  <Parameter name=\"rate\" dimension=\"per_time\"/>\n");
    xml.push_str("  <EventPort name=\"out\" direction=\"out\"/>\n");
    xml.push_str("  <EventPort name=\"in\" direction=\"in\"/>\n");
    let exposed: Vec<String> = names("x", states)
        .chain(names("d", derived))
        .chain(names("c", conditional))
        .collect();
    for name in &exposed {
        let _ = writeln!(xml, "  <Exposure name=\"{name}\" dimension=\"none\"/>");
    }

    xml.push_str("  <Dynamics>\n");
    for i in 0..states {
        let _ = writeln!(
            xml,
            "    <StateVariable name=\"x{i}\" dimension=\"none\" exposure=\"x{i}\"/>"
        );
    }
    let mut scope = Scope {
        names: tame_names(names("p", params).chain(names("x", states))),
        tame: false,
        random: false,
        time: true,
    };
    let mut tame_exposed: Vec<String> = names("x", states).collect();
    for i in 0..derived {
        let tame = u.arbitrary::<bool>()?;
        let value = expr(u, &scope.tamed(tame), 3)?;
        let _ = writeln!(
            xml,
            "    <DerivedVariable name=\"d{i}\" dimension=\"none\" exposure=\"d{i}\" value=\"{value}\"/>"
        );
        scope.names.push((format!("d{i}"), tame));
        if tame {
            tame_exposed.push(format!("d{i}"));
        }
    }
    for i in 0..conditional {
        let _ = writeln!(
            xml,
            "    <ConditionalDerivedVariable name=\"c{i}\" dimension=\"none\" exposure=\"c{i}\">"
        );
        let tame = u.arbitrary::<bool>()?;
        for _ in 0..u.int_in_range(0..=2)? {
            let test = condition(u, &scope, 2)?;
            let value = expr(u, &scope.tamed(tame), 3)?;
            let _ = writeln!(xml, "      <Case condition=\"{test}\" value=\"{value}\"/>");
        }
        let value = expr(u, &scope.tamed(tame), 3)?;
        let _ = writeln!(xml, "      <Case value=\"{value}\"/>");
        xml.push_str("    </ConditionalDerivedVariable>\n");
        scope.names.push((format!("c{i}"), tame));
        if tame {
            tame_exposed.push(format!("c{i}"));
        }
    }

    // With regimes, each state variable either changes in every regime or in none.
    let mut in_regimes = Vec::new();
    for i in 0..states {
        if regimes > 0 && u.arbitrary::<bool>()? {
            in_regimes.push(i);
        } else if u.ratio(3, 4)? {
            time_derivative(u, xml, "    ", i, &scope)?;
        }
    }

    xml.push_str("    <OnStart>\n");
    let start = Scope {
        names: tame_names(names("p", params)),
        tame: false,
        random: true,
        time: false,
    };
    for i in 0..states {
        if u.ratio(4, 5)? {
            let value = update(u, &start, 2)?;
            let _ = writeln!(
                xml,
                "      <StateAssignment variable=\"x{i}\" value=\"{value}\"/>"
            );
        }
    }
    xml.push_str("    </OnStart>\n");

    let handlers = Scope {
        random: true,
        ..scope.clone()
    };
    for _ in 0..u.int_in_range(0..=2)? {
        let test = condition(u, &scope, 2)?;
        let _ = writeln!(xml, "    <OnCondition test=\"{test}\">");
        assignments(u, xml, "      ", states, &handlers)?;
        if u.arbitrary::<bool>()? {
            xml.push_str("      <EventOut port=\"out\"/>\n");
        }
        xml.push_str("    </OnCondition>\n");
    }
    if u.arbitrary::<bool>()? {
        xml.push_str("    <OnEvent port=\"in\">\n");
        assignments(u, xml, "      ", states, &handlers)?;
        if u.ratio(1, 4)? {
            xml.push_str("      <EventOut port=\"out\"/>\n");
        }
        xml.push_str("    </OnEvent>\n");
    }

    for r in 0..regimes {
        let initial = if r == 0 { " initial=\"true\"" } else { "" };
        let _ = writeln!(xml, "    <Regime name=\"r{r}\"{initial}>");
        for &i in &in_regimes {
            if u.ratio(3, 4)? {
                time_derivative(u, xml, "      ", i, &scope)?;
            }
        }
        if u.arbitrary::<bool>()? {
            xml.push_str("      <OnEntry>\n");
            assignments(u, xml, "        ", states, &handlers)?;
            xml.push_str("      </OnEntry>\n");
        }
        for _ in 0..u.int_in_range(1..=2)? {
            let test = condition(u, &scope, 2)?;
            let _ = writeln!(xml, "      <OnCondition test=\"{test}\">");
            if u.arbitrary::<bool>()? {
                assignments(u, xml, "        ", states, &handlers)?;
            }
            if u.ratio(1, 4)? {
                xml.push_str("        <EventOut port=\"out\"/>\n");
            }
            let to = (r + u.int_in_range(1..=regimes - 1)?) % regimes;
            let _ = writeln!(xml, "        <Transition regime=\"r{to}\"/>");
            xml.push_str("      </OnCondition>\n");
        }
        xml.push_str("    </Regime>\n");
    }
    xml.push_str("  </Dynamics>\n</ComponentType>\n");
    Ok(Part {
        params,
        exposed,
        tame_exposed,
    })
}

/// Writes the `top` ComponentType: children `a` (and `b`), `y` following a value of `a`.
fn top_type(u: &mut Unstructured, xml: &mut String, part: &Part, two: bool) -> Result<()> {
    let watched = u.choose(&part.tame_exposed)?;
    xml.push_str(
        "<ComponentType name=\"top\">\n  <Parameter name=\"rate\" dimension=\"per_time\"/>\n",
    );
    xml.push_str("  <Child name=\"a\" type=\"part\"/>\n");
    if two {
        xml.push_str("  <Child name=\"b\" type=\"part\"/>\n");
    }
    xml.push_str("  <Exposure name=\"y\" dimension=\"none\"/>\n  <Dynamics>\n");
    xml.push_str("    <StateVariable name=\"y\" dimension=\"none\" exposure=\"y\"/>\n");
    let _ = writeln!(
        xml,
        "    <DerivedVariable name=\"seen\" dimension=\"none\" select=\"a/{watched}\"/>"
    );
    let scope = Scope {
        names: tame_names(["seen".to_string(), "y".to_string()].into_iter()),
        tame: false,
        random: false,
        time: true,
    };
    let value = update(u, &scope, 2)?;
    let _ = writeln!(
        xml,
        "    <TimeDerivative variable=\"y\" value=\"rate * ({value})\"/>"
    );
    let _ = writeln!(
        xml,
        "    <OnStart><StateAssignment variable=\"y\" value=\"{}\"/></OnStart>",
        u.choose(&TAME_LITERALS)?
    );
    xml.push_str("  </Dynamics>\n");
    if two {
        let forward = u.ratio(3, 4)?;
        let backward = u.ratio(1, 3)?;
        if forward || backward {
            xml.push_str("  <Structure>\n");
            xml.push_str(
                "    <With instance=\"a\" as=\"first\"/>\n    <With instance=\"b\" as=\"second\"/>\n",
            );
            if forward {
                xml.push_str("    <EventConnection from=\"first\" to=\"second\"/>\n");
            }
            if backward {
                xml.push_str("    <EventConnection from=\"second\" to=\"first\"/>\n");
            }
            xml.push_str("  </Structure>\n");
        }
    }
    xml.push_str("</ComponentType>\n");
    Ok(())
}

fn time_derivative(
    u: &mut Unstructured,
    xml: &mut String,
    indent: &str,
    state: usize,
    scope: &Scope,
) -> Result<()> {
    let value = update(u, scope, 3)?;
    let _ = writeln!(
        xml,
        "{indent}<TimeDerivative variable=\"x{state}\" value=\"rate * ({value})\"/>"
    );
    Ok(())
}

/// One to two StateAssignments to distinct state variables.
fn assignments(
    u: &mut Unstructured,
    xml: &mut String,
    indent: &str,
    states: usize,
    scope: &Scope,
) -> Result<()> {
    let first = u.int_in_range(0..=states - 1)?;
    let mut targets = vec![first];
    if states > 1 && u.arbitrary::<bool>()? {
        targets.push((first + 1) % states);
    }
    for x in targets {
        let value = update(u, scope, 3)?;
        let _ = writeln!(
            xml,
            "{indent}<StateAssignment variable=\"x{x}\" value=\"{value}\"/>"
        );
    }
    Ok(())
}

impl Scope {
    /// The same names, read tamely when `tame`.
    fn tamed(&self, tame: bool) -> Scope {
        Scope {
            tame,
            ..self.clone()
        }
    }
}

fn tame_names(names: impl Iterator<Item = String>) -> Vec<(String, bool)> {
    names.map(|n| (n, true)).collect()
}

/// The new value of a state variable: mostly a bounded function of a tame expression, so
/// that the run goes on; sometimes anything.
fn update(u: &mut Unstructured, scope: &Scope, depth: u32) -> Result<String> {
    if u.ratio(1, 5)? {
        return expr(u, scope, depth);
    }
    let bound = u.choose(&BOUNDS)?;
    Ok(format!("{bound}({})", expr(u, &scope.tamed(true), depth)?))
}

/// A dimensionless expression at most `depth` operators deep.
fn expr(u: &mut Unstructured, scope: &Scope, depth: u32) -> Result<String> {
    if depth == 0 || u.ratio(1, 3)? {
        return leaf(u, scope);
    }
    let (arithmetic, functions): (&[&str], &[&str]) = if scope.tame {
        (&TAME_ARITHMETIC, &TAME_FUNCTIONS)
    } else {
        (&ARITHMETIC, &FUNCTIONS)
    };
    Ok(match u.int_in_range(0..=9)? {
        0..=4 => {
            let op = u.choose(arithmetic)?;
            let l = expr(u, scope, depth - 1)?;
            let r = expr(u, scope, depth - 1)?;
            format!("({l} {op} {r})")
        }
        5 => format!("-({})", expr(u, scope, depth - 1)?),
        6 if scope.random => format!("random({})", expr(u, scope, depth - 1)?),
        _ => {
            let f = u.choose(functions)?;
            format!("{f}({})", expr(u, scope, depth - 1)?)
        }
    })
}

fn leaf(u: &mut Unstructured, scope: &Scope) -> Result<String> {
    let readable: Vec<&String> = scope
        .names
        .iter()
        .filter(|(_, tame)| *tame || !scope.tame)
        .map(|(name, _)| name)
        .collect();
    match u.int_in_range(0..=9)? {
        0..=5 if !readable.is_empty() => Ok(u.choose(&readable)?.to_string()),
        6 if scope.time => Ok("(rate * t)".into()),
        _ => {
            let value = if scope.tame {
                u.choose(&TAME_LITERALS)?
            } else {
                literal(u)?
            };
            // `x - -1` is not LEMS; a negative literal operand goes in parentheses.
            Ok(if value.starts_with('-') {
                format!("({value})")
            } else {
                value.to_string()
            })
        }
    }
}

/// A test: comparisons joined by `.and.`/`.or.`, sometimes negated.
fn condition(u: &mut Unstructured, scope: &Scope, depth: u32) -> Result<String> {
    if depth > 0 && u.ratio(1, 3)? {
        let join = if u.arbitrary::<bool>()? {
            ".and."
        } else {
            ".or."
        };
        let l = condition(u, scope, depth - 1)?;
        let r = condition(u, scope, depth - 1)?;
        return Ok(format!("{l} {join} {r}"));
    }
    let op = u.choose(&COMPARISONS)?;
    let l = expr(u, scope, 2)?;
    let r = expr(u, scope, 2)?;
    let not = if u.ratio(1, 10)? { ".not. " } else { "" };
    Ok(format!("{not}{l} {op} {r}"))
}

/// `prefix0`, `prefix1`, ... up to `n` names.
fn names(prefix: &'static str, n: usize) -> impl Iterator<Item = String> {
    (0..n).map(move |i| format!("{prefix}{i}"))
}

fn literal(u: &mut Unstructured) -> Result<&'static str> {
    u.choose(&LITERALS).copied()
}

/// A positive rate in per_ms, for `rate="...per_ms"`.
fn rate(u: &mut Unstructured) -> Result<&'static str> {
    u.choose(&["0.1", "0.5", "1", "2", "5", "20"]).copied()
}
