//! Dimensions and units declared by `<Dimension>` and `<Unit>`, and conversion of quantities
//! such as `-65mV` to SI values.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::front::quantity::split_quantity_at;
use crate::front::syntax::{Attr, Document, Element};
use crate::model::dims::Dim;

/// `<Dimension name="voltage" m="1" l="2" t="-3" i="-1"/>`.
#[derive(Clone, Debug)]
pub struct DimensionDef {
    pub name: String,
    pub dim: Dim,
    pub span: Span,
}

/// `<Unit symbol="mV" dimension="voltage" power="-3" scale="1" offset="0"/>`: a value `x` in this
/// unit is `(x + offset) * scale * 10^power` in SI (see [`Unit::to_si`]).
#[derive(Clone, Debug)]
pub struct Unit {
    pub symbol: String,
    pub dimension: String,
    pub dim: Dim,
    pub power: i32,
    pub scale: f64,
    pub offset: f64,
    pub span: Span,
}

/// Every Dimension and Unit of the loaded documents.
#[derive(Clone, Debug, Default)]
pub struct UnitTable {
    pub dimensions: HashMap<String, DimensionDef>,
    pub units: HashMap<String, Unit>,
}

impl UnitTable {
    /// Collects the Dimension and Unit declarations of all documents (`<neuroml>` ones too, as
    /// jNeuroML reads them as LEMS). Declaring the same name twice is fine when both say the
    /// same thing (a file included by two others).
    pub fn from_documents(docs: &[Document]) -> (UnitTable, Diagnostics) {
        let mut table = UnitTable::default();
        let mut diags = Diagnostics::new();
        let lems_roots = || docs.iter().map(|d| &d.root);
        for root in lems_roots() {
            for el in root.children_named("Dimension") {
                match read_dimension(el) {
                    Ok(def) => table.add_dimension(def, &mut diags),
                    Err(d) => diags.push(d),
                }
            }
        }
        // Units after all dimensions, so a unit may precede its dimension in the files.
        for root in lems_roots() {
            for el in root.children_named("Unit") {
                match read_unit(el, &table) {
                    Ok(unit) => table.add_unit(unit, &mut diags),
                    Err(d) => diags.push(d),
                }
            }
        }
        (table, diags)
    }

    fn add_dimension(&mut self, def: DimensionDef, diags: &mut Diagnostics) {
        match self.dimensions.get(&def.name) {
            Some(old) if old.dim != def.dim => diags.push(
                Diagnostic::at(
                    def.span,
                    format!(
                        "dimension '{}' is declared twice with different exponents ({} and {})",
                        def.name, old.dim, def.dim
                    ),
                )
                .with_secondary(old.span, "first declared here"),
            ),
            Some(_) => {}
            None => {
                self.dimensions.insert(def.name.clone(), def);
            }
        }
    }

    fn add_unit(&mut self, unit: Unit, diags: &mut Diagnostics) {
        match self.units.get(&unit.symbol) {
            Some(old) if !same_unit(old, &unit) => diags.push(
                Diagnostic::at(
                    unit.span,
                    format!(
                        "unit '{}' is declared twice with different definitions",
                        unit.symbol
                    ),
                )
                .with_secondary(old.span, "first declared here"),
            ),
            Some(_) => {}
            None => {
                self.units.insert(unit.symbol.clone(), unit);
            }
        }
    }

    /// The dimension named `name` (`none` is dimensionless).
    pub fn dimension(&self, name: &str) -> Option<Dim> {
        if name == "none" {
            return Some(Dim::NONE);
        }
        self.dimensions.get(name).map(|d| d.dim)
    }

    /// The LEMS name of a dimension, for messages (`none` for dimensionless).
    pub fn dimension_name(&self, dim: Dim) -> Option<&str> {
        if dim.is_none() {
            return Some("none");
        }
        let mut names: Vec<&str> = self
            .dimensions
            .values()
            .filter(|d| d.dim == dim)
            .map(|d| d.name.as_str())
            .collect();
        names.sort_unstable();
        names.first().copied()
    }

    /// Converts a written quantity (`10pS`, `-65 mV`, `2.5`) at `span` to SI, checking that its
    /// unit's dimension is `expected` (whose LEMS name is `expected_name`, for messages;
    /// the name `*` accepts any unit).
    ///
    /// The conversion is jLEMS's, `(x + offset) * scale * 10^power`, evaluated in the same
    /// order so that the f64 is identical. A bare number is only accepted where the expected
    /// dimension is `none`: jLEMS reads it in the dimensionless unit and then rejects it for
    /// a dimensioned parameter.
    pub fn quantity(
        &self,
        text: &str,
        span: Span,
        expected: Dim,
        expected_name: &str,
    ) -> Result<f64, Diagnostic> {
        let (value, symbol, unit_span) = split_quantity_at(text, span)?;
        // `dimension="*"` takes a value in any declared unit.
        if expected_name == "*" {
            return match self.units.get(&symbol) {
                Some(unit) => Ok(unit.to_si(value)),
                None if symbol.is_empty() => Ok(value),
                None => Err(Diagnostic::at(
                    unit_span,
                    format!("unknown unit '{symbol}'"),
                )),
            };
        }
        if symbol.is_empty() {
            if expected.is_none() {
                return Ok(value);
            }
            return Err(Diagnostic::at(
                span,
                format!(
                    "expected {} with a unit, found the bare number '{}'",
                    with_article(expected_name),
                    text.trim()
                ),
            )
            .with_note(format!(
                "known units of {expected_name}: {}",
                self.units_of(expected)
            )));
        }
        let Some(unit) = self.units.get(&symbol) else {
            return Err(
                Diagnostic::at(unit_span, format!("unknown unit '{symbol}'")).with_note(format!(
                    "known units of {expected_name}: {}",
                    self.units_of(expected)
                )),
            );
        };
        if unit.dim != expected {
            return Err(Diagnostic::at(
                unit_span,
                format!(
                    "expected {}, found '{}' which is {}",
                    with_article(expected_name),
                    text.trim(),
                    with_article(&unit.dimension)
                ),
            )
            .with_note(format!(
                "known units of {expected_name}: {}",
                self.units_of(expected)
            )));
        }
        Ok(unit.to_si(value))
    }

    /// Up to eight symbols of units with dimension `dim`, sorted, for messages.
    fn units_of(&self, dim: Dim) -> String {
        let mut symbols: Vec<&str> = self
            .units
            .values()
            .filter(|u| u.dim == dim)
            .map(|u| u.symbol.as_str())
            .collect();
        if symbols.is_empty() {
            return if dim.is_none() {
                "a bare number".to_string()
            } else {
                "none declared".to_string()
            };
        }
        symbols.sort_unstable();
        let more = symbols.len() > 8;
        symbols.truncate(8);
        let mut list = symbols.join(", ");
        if more {
            list.push_str(", ...");
        }
        list
    }
}

impl Unit {
    /// The SI value of `x` written in this unit, computed as jLEMS does.
    pub fn to_si(&self, x: f64) -> f64 {
        (x + self.offset) * self.scale * 10f64.powf(f64::from(self.power))
    }
}

fn same_unit(a: &Unit, b: &Unit) -> bool {
    a.dimension == b.dimension && a.power == b.power && a.scale == b.scale && a.offset == b.offset
}

/// `a voltage`, `an area`.
fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(|c: char| "aeiouAEIOU".contains(c));
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

fn required<'a>(el: &'a Element, name: &str) -> Result<&'a Attr, Diagnostic> {
    el.attr(name).ok_or_else(|| {
        Diagnostic::at(
            el.name_span,
            format!("<{}> is missing the required attribute '{name}'", el.name),
        )
    })
}

fn parse_attr<T: std::str::FromStr>(
    el: &Element,
    name: &str,
    default: T,
    what: &str,
) -> Result<T, Diagnostic> {
    match el.attr(name) {
        None => Ok(default),
        Some(a) => a.value.trim().parse().map_err(|_| {
            Diagnostic::at(
                a.value_span,
                format!("expected {what} for '{name}', found '{}'", a.value),
            )
        }),
    }
}

fn read_dimension(el: &Element) -> Result<DimensionDef, Diagnostic> {
    let name = required(el, "name")?.value.clone();
    let exp = |n: &str| parse_attr::<i8>(el, n, 0, "an integer exponent");
    let dim = Dim {
        m: exp("m")?,
        l: exp("l")?,
        t: exp("t")?,
        i: exp("i")?,
        k: exp("k")?,
        n: exp("n")?,
        j: exp("j")?,
    };
    Ok(DimensionDef {
        name,
        dim,
        span: el.span,
    })
}

fn read_unit(el: &Element, table: &UnitTable) -> Result<Unit, Diagnostic> {
    let symbol = required(el, "symbol")?.value.clone();
    let dimension = required(el, "dimension")?;
    let Some(dim) = table.dimension(&dimension.value) else {
        return Err(Diagnostic::at(
            dimension.value_span,
            format!(
                "unit '{symbol}' names an unknown dimension '{}'",
                dimension.value
            ),
        )
        .with_note("declare it with <Dimension name=\"...\"/> or use one that is declared"));
    };
    let unit = Unit {
        symbol,
        dimension: dimension.value.clone(),
        dim,
        power: parse_attr(el, "power", 0, "an integer power of ten")?,
        scale: parse_attr(el, "scale", 1.0, "a number")?,
        offset: parse_attr(el, "offset", 0.0, "a number")?,
        span: el.span,
    };
    check_conversion(el, &unit)?;
    Ok(unit)
}

/// A unit whose factor to SI overflows or vanishes (`power="400"`) would turn every value
/// written in it into infinity or zero without a word.
fn check_conversion(el: &Element, unit: &Unit) -> Result<(), Diagnostic> {
    let factor = unit.scale * 10f64.powf(f64::from(unit.power));
    let culprit = if !unit.scale.is_finite() || unit.scale == 0.0 {
        "scale"
    } else if !unit.offset.is_finite() {
        "offset"
    } else if !factor.is_finite() || factor == 0.0 {
        "power"
    } else {
        return Ok(());
    };
    let at = el.attr(culprit).map_or(el.span, |a| a.value_span);
    Err(Diagnostic::at(
        at,
        format!(
            "unit '{}' converts to SI by a factor of {factor:e} (offset {}): every value in it \
             would be zero or infinite",
            unit.symbol, unit.offset
        ),
    )
    .with_note(format!("check its {culprit}")))
}

#[cfg(test)]
mod tests {
    use crate::model::dims::Dim;
    use crate::model::typebuild::testing::{build, build_files, PRELUDE};

    const VOLTAGE: Dim = Dim {
        m: 1,
        l: 2,
        t: -3,
        i: -1,
        k: 0,
        n: 0,
        j: 0,
    };

    #[test]
    fn reads_dimensions_and_units() {
        let b = build("");
        b.assert_clean();
        assert_eq!(b.units.dimension("voltage"), Some(VOLTAGE));
        assert_eq!(b.units.dimension("none"), Some(Dim::NONE));
        assert_eq!(b.units.dimension("nonsense"), None);
        let mv = &b.units.units["mV"];
        assert_eq!(
            (mv.power, mv.scale, mv.offset, mv.dim),
            (-3, 1.0, 0.0, VOLTAGE)
        );
    }

    #[test]
    fn converts_like_jlems() {
        let b = build("");
        let q = |text: &str, dim: Dim, name: &str| {
            let span = crate::diag::Span::new(crate::diag::FileId(0), 0, text.len());
            b.units.quantity(text, span, dim, name)
        };
        // jLEMS computes (x + offset) * scale * 10^power.
        assert_eq!(q("-65mV", VOLTAGE, "voltage").unwrap(), -65.0 * 0.001);
        assert_eq!(q("-65 mV", VOLTAGE, "voltage").unwrap(), -0.065);
        assert_eq!(q("2V", VOLTAGE, "voltage").unwrap(), 2.0);
        let kelvin = Dim { k: 1, ..Dim::NONE };
        assert_eq!(
            q("6.3degC", kelvin, "temperature").unwrap(),
            (6.3 + 273.15) * 1.0
        );
        assert_eq!(q("2.5", Dim::NONE, "none").unwrap(), 2.5);
        assert_eq!(q("3ms", Dim::NONE, "*").unwrap(), 3.0 * 0.001);
    }

    #[test]
    fn quantity_errors_say_what_was_expected() {
        let b = build("");
        let span = |t: &str| crate::diag::Span::new(crate::diag::FileId(0), 10, 10 + t.len());
        let d = b
            .units
            .quantity("10pS", span("10pS"), VOLTAGE, "voltage")
            .unwrap_err();
        assert_eq!(
            d.message,
            "expected a voltage, found '10pS' which is a conductance"
        );
        let (s, _) = d.primary.unwrap();
        assert_eq!((s.start, s.end), (12, 14), "points at the unit");
        assert!(d.notes[0].contains("V, mV"), "{:?}", d.notes);

        let d = b
            .units
            .quantity("10 mQ", span("10 mQ"), VOLTAGE, "voltage")
            .unwrap_err();
        assert_eq!(d.message, "unknown unit 'mQ'");
        assert!(
            d.notes[0].contains("known units of voltage: V, mV"),
            "{:?}",
            d.notes
        );

        // jLEMS reads a bare number as dimensionless and refuses it for a voltage.
        let d = b
            .units
            .quantity("-65", span("-65"), VOLTAGE, "voltage")
            .unwrap_err();
        assert!(
            d.message.contains("expected a voltage with a unit"),
            "{}",
            d.message
        );

        assert!(b
            .units
            .quantity("abc", span("abc"), VOLTAGE, "voltage")
            .is_err());
    }

    #[test]
    fn same_declaration_twice_is_fine_a_different_one_is_not() {
        let again = r#"<Lems><Dimension name="voltage" m="1" l="2" t="-3" i="-1"/>
            <Unit symbol="mV" dimension="voltage" power="-3"/></Lems>"#;
        build_files(&[PRELUDE, again]).assert_clean();

        let b = build(r#"<Dimension name="voltage" m="1"/>"#);
        let m = b.one_error(&["dimension 'voltage' is declared twice"]);
        assert!(m.contains("@ <Dimension name=\"voltage\" m=\"1\"/>"), "{m}");
        assert_eq!(
            b.diags.list[0].secondary.len(),
            1,
            "points at the first too"
        );

        let b = build(r#"<Unit symbol="mV" dimension="voltage" power="-6"/>"#);
        b.one_error(&["unit 'mV' is declared twice with different definitions"]);
    }

    #[test]
    fn unit_of_unknown_dimension_and_bad_exponent() {
        let b = build(r#"<Unit symbol="furlong" dimension="distance"/>"#);
        b.one_error(&["unit 'furlong' names an unknown dimension 'distance' @ distance"]);
        let b = build(r#"<Dimension name="odd" m="one"/>"#);
        b.one_error(&["expected an integer exponent for 'm', found 'one' @ one"]);
        let b = build(r#"<Unit dimension="voltage"/>"#);
        b.one_error(&["<Unit> is missing the required attribute 'symbol' @ Unit"]);
    }
}
