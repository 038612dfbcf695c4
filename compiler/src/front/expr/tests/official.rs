//! Every expression in the official NeuroML2 core type definitions must parse, print back to
//! the same tree, and type-check when each name gets the dimension its ComponentType (or an
//! ancestor through `extends`) declares. The files are read with a small quick-xml scan so
//! this test does not depend on the model builder.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::round_trip;
use super::*;
use crate::diag::FileId;

const CORE_TYPES: &str = "/work/shared/neuroml2/NeuroML2CoreTypes";

/// One expression attribute found in a ComponentType.
struct Found {
    file: String,
    component_type: String,
    element: String,
    attr: String,
    text: String,
    /// For TimeDerivative / StateAssignment / DerivedVariable: the variable it defines.
    target: Option<String>,
}

#[derive(Default)]
struct TypeDecls {
    extends: Option<String>,
    /// Declared name -> dimension name ("none" when absent).
    dims: HashMap<String, String>,
}

#[derive(Default)]
struct Scan {
    dimensions: HashMap<String, Dim>,
    types: HashMap<String, TypeDecls>,
    found: Vec<Found>,
}

fn attrs(e: &BytesStart) -> HashMap<String, String> {
    e.attributes()
        .flatten()
        .map(|a| {
            let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
            let value = a
                .unescape_value()
                .map(|v| v.into_owned())
                .unwrap_or_default();
            (key, value)
        })
        .collect()
}

const DECLARATIONS: [&str; 9] = [
    "Parameter",
    "DerivedParameter",
    "Constant",
    "Exposure",
    "Requirement",
    "StateVariable",
    "DerivedVariable",
    "ConditionalDerivedVariable",
    "Property",
];

fn scan_file(path: &Path, scan: &mut Scan) {
    let text = std::fs::read_to_string(path).unwrap();
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut reader = Reader::from_str(&text);
    let mut current_type: Option<String> = None;
    loop {
        let (e, is_empty) = match reader.read_event().unwrap() {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                if e.name().as_ref() == b"ComponentType" {
                    current_type = None;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let a = attrs(&e);
        let get = |k: &str| a.get(k).cloned();
        if tag == "Dimension" {
            let exp = |k: &str| get(k).map(|v| v.parse::<i8>().unwrap()).unwrap_or(0);
            let d = Dim {
                m: exp("m"),
                l: exp("l"),
                t: exp("t"),
                i: exp("i"),
                k: exp("k"),
                n: exp("n"),
                j: exp("j"),
            };
            scan.dimensions.insert(get("name").unwrap(), d);
            continue;
        }
        if tag == "ComponentType" {
            let name = get("name").unwrap();
            let decls = scan.types.entry(name.clone()).or_default();
            decls.extends = get("extends");
            if !is_empty {
                current_type = Some(name);
            }
            continue;
        }
        let Some(ct) = current_type.clone() else {
            continue;
        };
        if DECLARATIONS.contains(&tag.as_str()) {
            // A DerivedVariable that only names its exposure (gapJunction's `i`) has the
            // exposure's dimension, so a missing attribute must not overwrite a known one.
            let dims = &mut scan.types.get_mut(&ct).unwrap().dims;
            let name = get("name").unwrap();
            match get("dimension") {
                Some(dim) => {
                    dims.insert(name, dim);
                }
                None => {
                    dims.entry(name).or_insert_with(|| "none".to_string());
                }
            }
        }
        let expression_attrs: &[&str] = match tag.as_str() {
            "DerivedVariable" | "DerivedParameter" | "TimeDerivative" | "StateAssignment" => {
                &["value"]
            }
            "Case" => &["value", "condition"],
            "OnCondition" => &["test"],
            _ => &[],
        };
        let target = match tag.as_str() {
            "TimeDerivative" | "StateAssignment" => get("variable"),
            "DerivedVariable" | "DerivedParameter" => get("name"),
            _ => None,
        };
        for attr in expression_attrs {
            if let Some(text) = get(attr) {
                scan.found.push(Found {
                    file: file.clone(),
                    component_type: ct.clone(),
                    element: tag.clone(),
                    attr: attr.to_string(),
                    text,
                    target: target.clone().filter(|_| *attr == "value"),
                });
            }
        }
    }
}

fn scan_core_types() -> Scan {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CORE_TYPES)
        .expect("the official NeuroML2 core types are missing")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    let mut scan = Scan::default();
    for f in &files {
        scan_file(f, &mut scan);
    }
    scan
}

impl Scan {
    /// The declared dimension of `name` in `ct` or its ancestors; `t` is always time.
    fn dim_of(&self, ct: &str, name: &str) -> Option<Dim> {
        if name == "t" {
            return Some(Dim::TIME);
        }
        let mut here = Some(ct.to_string());
        let mut hops = 0;
        while let Some(c) = here {
            let decls = self.types.get(&c)?;
            if let Some(dim) = decls.dims.get(name) {
                return Some(if dim == "none" {
                    Dim::NONE
                } else {
                    *self.dimensions.get(dim)?
                });
            }
            here = decls.extends.clone();
            hops += 1;
            assert!(hops < 100, "extends cycle at {c}");
        }
        None
    }
}

#[test]
fn every_official_expression_parses_and_round_trips() {
    let scan = scan_core_types();
    assert!(
        scan.found.len() > 500,
        "only {} expressions found",
        scan.found.len()
    );
    for f in &scan.found {
        let span = Span::new(FileId(0), 0, f.text.len());
        if let Err(d) = parse(&f.text, span) {
            panic!(
                "{} {} {}@{} {:?}: {}",
                f.file, f.component_type, f.element, f.attr, f.text, d.message
            );
        }
        round_trip(&f.text);
    }
}

#[test]
fn every_official_expression_type_checks() {
    let scan = scan_core_types();
    let mut failures = Vec::new();
    for f in &scan.found {
        let span = Span::new(FileId(0), 0, f.text.len());
        let e = parse(&f.text, span).unwrap();
        let mut lookup = |n: &str, s: Span| {
            scan.dim_of(&f.component_type, n)
                .ok_or_else(|| Diagnostic::at(s, format!("undefined variable '{n}'")))
        };
        let result = infer_type(&e, &mut lookup);
        let expected = match (f.attr.as_str(), &f.target) {
            ("test" | "condition", _) => Some(Type::Bool),
            (_, Some(var)) => scan.dim_of(&f.component_type, var).map(|d| {
                Type::Number(if f.element == "TimeDerivative" {
                    d / Dim::TIME
                } else {
                    d
                })
            }),
            _ => None,
        };
        let place = format!(
            "{} {} {}@{} {:?}",
            f.file, f.component_type, f.element, f.attr, f.text
        );
        match (result, expected) {
            (Err(d), _) => failures.push(format!("{place}: {}", d.message)),
            (Ok(got), Some(want)) if got != want && !literal_zero(&e) => failures.push(format!(
                "{place}: gives {got:?}, its variable needs {want:?}"
            )),
            _ => {}
        }
    }
    // Upstream inconsistencies, kept here so that any new one fails the test: the
    // Pinsky-Rinzel cell gives dimensionless rates of change for its dimensionless states.
    let known = [
        "Cells.xml pinskyRinzelCA3Cell TimeDerivative@value \"-Si/150.0\"",
        "Cells.xml pinskyRinzelCA3Cell TimeDerivative@value \"-Wi/2.0\"",
    ];
    failures.retain(|f| !known.iter().any(|k| f.starts_with(k)));
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `value="0"` assigns a zero of the variable's dimension.
fn literal_zero(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Number(v) => *v == 0.0,
        ExprKind::Neg(x) => literal_zero(x),
        _ => false,
    }
}

/// The ComponentTypes that the official examples define for themselves: their expressions
/// must parse, round-trip and type-check too, against the core types plus the file's own
/// declarations.
#[test]
fn every_expression_in_the_official_examples_checks() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for dir in [
        "/work/shared/neuroml2/LEMSexamples",
        "/work/shared/neuroml2/examples",
    ] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("the official examples are missing")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
            .collect();
        files.sort();
        for path in files {
            let mut scan = scan_core_types();
            let core_count = scan.found.len();
            scan_file(&path, &mut scan);
            for f in &scan.found[core_count..] {
                checked += 1;
                let span = Span::new(FileId(0), 0, f.text.len());
                let place = format!(
                    "{} {} {}@{} {:?}",
                    f.file, f.component_type, f.element, f.attr, f.text
                );
                let e = match parse(&f.text, span) {
                    Ok(e) => e,
                    Err(d) => {
                        failures.push(format!("{place}: {}", d.message));
                        continue;
                    }
                };
                round_trip(&f.text);
                let mut lookup = |n: &str, s: Span| {
                    scan.dim_of(&f.component_type, n)
                        .ok_or_else(|| Diagnostic::at(s, format!("undefined variable '{n}'")))
                };
                if let Err(d) = infer_type(&e, &mut lookup) {
                    failures.push(format!("{place}: {}", d.message));
                }
            }
        }
    }
    assert!(checked > 50, "only {checked} example expressions found");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
