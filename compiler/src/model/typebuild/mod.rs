//! `<ComponentType>` elements to [`ComponentType`]s: members read with spans, dimensions
//! resolved, expressions parsed, `extends` resolved and flattened, then every type checked
//! ([`super::check`]) and its derived variables ordered ([`super::order`]).
//!
//! Inheritance follows jLEMS: a subtype gets every member of its base that it does not
//! redeclare itself (a redeclaration replaces the inherited member), and a subtype's own
//! `<Dynamics>`, `<Structure>` or `<Simulation>` replaces the base's block as a whole; a
//! subtype without one uses the base's.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::front::expr::{Expr, ExprKind, UNPARSED};
use crate::front::syntax::Document;
use crate::model::check::check_type;
use crate::model::order::order_derived;
use crate::model::types::*;
use crate::model::units::UnitTable;
use crate::suggest::similar_note;

/// `dimension="*"`: any dimension.
pub const ANY_DIMENSION: &str = "*";

/// `type="Component"`: a component of any type (no type id).
pub const ANY_TYPE: &str = "Component";

/// Elements that carry documentation only; accepted anywhere and ignored.
const DOCUMENTATION: &[&str] = &["About", "Meta", "Notes", "notes", "annotation"];

const TYPE_MEMBERS: &[&str] = &[
    "Parameter",
    "DerivedParameter",
    "IndexParameter",
    "Constant",
    "Property",
    "Exposure",
    "Requirement",
    "ComponentRequirement",
    "InstanceRequirement",
    "Text",
    "Path",
    "Link",
    "ComponentReference",
    "Child",
    "Children",
    "Attachments",
    "EventPort",
    "Fixed",
    "Dynamics",
    "Structure",
    "Simulation",
];

const DYNAMICS_MEMBERS: &[&str] = &[
    "StateVariable",
    "DerivedVariable",
    "ConditionalDerivedVariable",
    "TimeDerivative",
    "OnStart",
    "OnCondition",
    "OnEvent",
    "Regime",
    "KineticScheme",
];

const STRUCTURE_MEMBERS: &[&str] = &[
    "ChildInstance",
    "MultiInstantiate",
    "ForEach",
    "With",
    "EventConnection",
    "Tunnel",
];

const SIMULATION_MEMBERS: &[&str] = &[
    "Run",
    "Record",
    "EventRecord",
    "DataDisplay",
    "DataWriter",
    "EventWriter",
];

/// Reads, flattens, checks and orders every ComponentType of every document: a `<neuroml>`
/// document may define LEMS types too (jNeuroML reads it as LEMS).
pub fn build_types(
    docs: &[Document],
    units: &UnitTable,
) -> (Vec<ComponentType>, HashMap<String, TypeId>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut raws: Vec<RawType> = Vec::new();
    let mut by_name: HashMap<String, TypeId> = HashMap::new();
    for doc in docs {
        for el in doc.root.children_named("ComponentType") {
            let id = TypeId(raws.len() as u32);
            let Some(raw) = read_type(el, id, doc.builtin, units, &mut diags) else {
                continue;
            };
            if let Some(&first) = by_name.get(&raw.ty.name) {
                diags.push(
                    Diagnostic::at(
                        raw.name_span,
                        format!("ComponentType '{}' is defined twice", raw.ty.name),
                    )
                    .with_secondary(raws[first.0 as usize].name_span, "first defined here"),
                );
                continue;
            }
            by_name.insert(raw.ty.name.clone(), id);
            raws.push(raw);
        }
    }

    let mut types = flatten_all(&raws, &by_name, &mut diags);
    for ty in &mut types {
        dimensions_from_exposures(ty);
    }
    resolve_slot_types(&mut types, &by_name, &mut diags);
    for ty in &mut types {
        match order_derived(ty) {
            Ok(order) => ty.dynamics.derived_order = order,
            Err(d) => diags.push(d),
        }
    }
    // A subtype that inherits Dynamics would repeat its base's findings; report each once.
    // Warnings about our built-in types are not the user's to fix, so they are dropped.
    let mut seen = std::collections::HashSet::new();
    for ty in &types {
        for d in check_type(ty, &types, &by_name).list {
            if ty.builtin && !d.is_error() {
                continue;
            }
            if seen.insert((d.message.clone(), d.primary.as_ref().map(|p| p.0))) {
                diags.push(d);
            }
        }
    }
    (types, by_name, diags)
}

/// One type as declared, before inheritance.
struct RawType {
    ty: ComponentType,
    name_span: Span,
    extends_span: Option<Span>,
    has_dynamics: bool,
    has_structure: bool,
    has_simulation: bool,
}

/// The dimension's name for messages; not yet resolved (empty) means dimensionless.
fn dimension_name(q: &Quantity) -> &str {
    if q.dimension.is_empty() {
        "none"
    } else {
        &q.dimension
    }
}

mod inherit;
mod read;

use inherit::{dimensions_from_exposures, flatten_all, resolve_slot_types};
use read::read_type;

/// Helpers shared by the tests of the model stages: build types from inline LEMS text.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use crate::diag::{plain_lines, Diagnostics, SourceMap};
    use crate::front::syntax::{DocKind, Document};
    use crate::front::xml::parse_element_tree;
    use crate::model::types::{ComponentType, TypeId};
    use crate::model::units::UnitTable;

    /// Dimensions and units the inline test models use.
    pub const PRELUDE: &str = r#"<Lems>
  <Dimension name="voltage" m="1" l="2" t="-3" i="-1"/>
  <Dimension name="time" t="1"/>
  <Dimension name="per_time" t="-1"/>
  <Dimension name="current" i="1"/>
  <Dimension name="conductance" m="-1" l="-2" t="3" i="2"/>
  <Dimension name="capacitance" m="-1" l="-2" t="4" i="2"/>
  <Dimension name="temperature" k="1"/>
  <Unit symbol="V" dimension="voltage"/>
  <Unit symbol="mV" dimension="voltage" power="-3"/>
  <Unit symbol="s" dimension="time"/>
  <Unit symbol="ms" dimension="time" power="-3"/>
  <Unit symbol="pS" dimension="conductance" power="-12"/>
  <Unit symbol="nS" dimension="conductance" power="-9"/>
  <Unit symbol="K" dimension="temperature"/>
  <Unit symbol="degC" dimension="temperature" offset="273.15"/>
</Lems>"#;

    pub struct Built {
        pub sources: SourceMap,
        pub units: UnitTable,
        pub types: Vec<ComponentType>,
        pub by_name: HashMap<String, TypeId>,
        pub diags: Diagnostics,
    }

    impl Built {
        pub fn ty(&self, name: &str) -> &ComponentType {
            &self.types[self.by_name[name].0 as usize]
        }

        /// Each diagnostic as `message @ spanned text`, plus its notes.
        pub fn messages(&self) -> Vec<String> {
            self.diags
                .list
                .iter()
                .map(|d| {
                    let at = crate::test_support::spanned_text(&self.sources, d);
                    format!("{} @ {at} | {}", d.message, d.notes.join(" | "))
                })
                .collect()
        }

        pub fn rendered(&self) -> Vec<String> {
            plain_lines(&self.sources, &self.diags.list)
        }

        /// Asserts exactly one diagnostic, containing every fragment; returns it.
        pub fn one_error(&self, fragments: &[&str]) -> String {
            let m = self.messages();
            assert_eq!(m.len(), 1, "expected one diagnostic, got {m:#?}");
            for f in fragments {
                assert!(m[0].contains(f), "{f:?} not in {:?}", m[0]);
            }
            m[0].clone()
        }

        pub fn assert_clean(&self) {
            assert!(self.diags.list.is_empty(), "{:#?}", self.messages());
        }
    }

    /// Builds the prelude plus `body` (the inside of a `<Lems>` element).
    pub fn build(body: &str) -> Built {
        build_files(&[PRELUDE, &format!("<Lems>\n{body}\n</Lems>")])
    }

    pub fn build_files(texts: &[&str]) -> Built {
        build_files_as(texts, false)
    }

    /// As [`build_files`], marking every document built-in or not.
    pub fn build_files_as(texts: &[&str], builtin: bool) -> Built {
        let (sources, docs) = documents(texts, builtin);
        from_documents(sources, &docs)
    }

    /// Each of `texts` parsed as a LEMS document (`test0.xml`, `test1.xml`, ...), every one
    /// built-in or not.
    pub fn documents(texts: &[&str], builtin: bool) -> (SourceMap, Vec<Document>) {
        let mut sources = SourceMap::new();
        let mut docs = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let name = format!("test{i}.xml");
            let file = sources.add(PathBuf::from(&name), name, text.to_string());
            let root = parse_element_tree(&sources, file).expect("test XML parses");
            docs.push(Document {
                file,
                kind: DocKind::Lems,
                root,
                builtin,
            });
        }
        (sources, docs)
    }

    pub fn from_documents(sources: SourceMap, docs: &[Document]) -> Built {
        let (units, mut diags) = UnitTable::from_documents(docs);
        let (types, by_name, type_diags) = super::build_types(docs, &units);
        diags.extend(type_diags);
        Built {
            sources,
            units,
            types,
            by_name,
            diags,
        }
    }
}

#[cfg(test)]
mod official_tests {
    use std::path::PathBuf;

    use super::testing::from_documents;
    use crate::diag::SourceMap;
    use crate::front::load::{load, LoadOptions};

    fn shared(rel: &str) -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/neuroml2/"
        ))
        .join(rel)
    }

    /// The official files write a few unit-less literals where a dimensioned value is due
    /// and expose one dimensionless variable as a current; these are the only warnings
    /// they may give.
    const KNOWN_WARNINGS: &[&str] = &[
        "derived variable 'pOpen' must have dimension voltage",
        "time derivative of 'Si' must have dimension per_time",
        "time derivative of 'Wi' must have dimension per_time",
        "'A' has dimension dimensionless but is exposed as 'A', which has dimension current",
        "'Sisat' is declared twice in ComponentType 'pinskyRinzelCA3Cell'",
    ];

    /// Loads `root` with the official core types (not our built-in copies) and builds its
    /// types; there must be no error and no warning but the known ones.
    fn check_clean(root: PathBuf) -> usize {
        let mut sources = SourceMap::new();
        let opts = LoadOptions {
            include_dirs: vec![shared("NeuroML2CoreTypes")],
        };
        let (docs, load_diags) = load(&mut sources, std::slice::from_ref(&root), &opts);
        assert!(
            load_diags.list.is_empty(),
            "{root:?}: loading failed: {:#?}",
            load_diags.list
        );
        let built = from_documents(sources, &docs);
        let unexpected: Vec<String> = built
            .diags
            .list
            .iter()
            .zip(built.rendered())
            .filter(|(d, _)| d.is_error() || !KNOWN_WARNINGS.iter().any(|w| d.message.contains(w)))
            .map(|(_, r)| r)
            .collect();
        assert!(
            unexpected.is_empty(),
            "{root:?}:\n{}",
            unexpected.join("\n")
        );
        built.types.len()
    }

    #[test]
    fn official_core_types_build_without_errors() {
        let n = check_clean(shared("NeuroML2CoreTypes/NeuroML2CoreTypes.xml"));
        assert!(n > 150, "only {n} types read");
    }

    #[test]
    fn official_lems_examples_build_without_errors() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(shared("LEMSexamples"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        files.sort();
        assert!(files.len() > 20);
        for f in files {
            check_clean(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{build, build_files_as, PRELUDE};
    use crate::model::types::{DerivedValue, Direction, StructureItem, TypeId};

    const BASE_AND_SUB: &str = r#"
<ComponentType name="base">
  <Parameter name="a" dimension="voltage"/>
  <Parameter name="b" dimension="time"/>
  <Exposure name="x" dimension="voltage"/>
  <EventPort name="spike" direction="out"/>
  <Dynamics>
    <StateVariable name="x" dimension="voltage" exposure="x"/>
    <TimeDerivative variable="x" value="a / b"/>
  </Dynamics>
</ComponentType>
<ComponentType name="sub" extends="base">
  <Parameter name="b" dimension="time"/>
  <Parameter name="c" dimension="none"/>
</ComponentType>
<ComponentType name="subWithDynamics" extends="sub">
  <Dynamics>
    <StateVariable name="x" dimension="voltage" exposure="x"/>
    <StateVariable name="y" dimension="none"/>
    <TimeDerivative variable="y" value="c / b"/>
  </Dynamics>
</ComponentType>"#;

    #[test]
    fn subtypes_are_flattened_inherited_members_first() {
        let b = build(BASE_AND_SUB);
        b.assert_clean();
        let (base, sub) = (b.by_name["base"], b.by_name["sub"]);
        let ty = b.ty("sub");
        assert_eq!(ty.parent, Some(base));
        let params: Vec<(&str, TypeId)> = ty
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.declared_in))
            .collect();
        // `b` is redeclared by the subtype, which replaces the inherited one.
        assert_eq!(params, [("a", base), ("b", sub), ("c", sub)]);
        assert_eq!(ty.exposures[0].declared_in, base);
        assert_eq!(ty.event_ports[0].direction, Direction::Out);
        // No Dynamics of its own: the base's is used.
        assert_eq!(ty.dynamics.state_variables[0].q.name, "x");
        assert_eq!(ty.dynamics.time_derivatives.len(), 1);
    }

    #[test]
    fn own_dynamics_replace_the_base_dynamics() {
        let b = build(BASE_AND_SUB);
        let d = &b.ty("subWithDynamics").dynamics;
        let names: Vec<&str> = d
            .state_variables
            .iter()
            .map(|s| s.q.name.as_str())
            .collect();
        assert_eq!(names, ["x", "y"]);
        // The base's TimeDerivative of x is not inherited: the whole block is replaced.
        assert_eq!(d.time_derivatives.len(), 1);
        assert_eq!(d.time_derivatives[0].variable, "y");
        assert_eq!(
            b.ty("subWithDynamics").parameters.len(),
            3,
            "parameters still inherited"
        );
    }

    #[test]
    fn unknown_base_and_cycles() {
        let b = build(r#"<ComponentType name="a" extends="nosuch"/>"#);
        b.one_error(&["ComponentType 'a' extends an unknown type 'nosuch' @ nosuch"]);

        let b = build(
            r#"<ComponentType name="a" extends="b"/><ComponentType name="b" extends="c"/>
               <ComponentType name="c" extends="a"/>"#,
        );
        b.one_error(&["inheritance cycle: a extends b extends c extends a"]);
    }

    #[test]
    fn duplicate_type_names_point_at_both() {
        let b = build(r#"<ComponentType name="a"/><ComponentType name="a"/>"#);
        b.one_error(&["ComponentType 'a' is defined twice @ a"]);
        assert_eq!(b.diags.list[0].secondary[0].1, "first defined here");
        assert_eq!(b.types.len(), 1);
    }

    #[test]
    fn unknown_elements_and_missing_attributes() {
        let b = build(r#"<ComponentType name="a"><Dynamics><Foo/></Dynamics></ComponentType>"#);
        b.one_error(&[
            "unknown element <Foo> in <Dynamics> @ Foo",
            "expected one of: StateVariable, DerivedVariable",
        ]);
        let b = build(r#"<ComponentType name="a"><Paramter name="p"/></ComponentType>"#);
        b.one_error(&[
            "unknown element <Paramter> in <ComponentType>",
            "Parameter, ",
        ]);
        let b =
            build(r#"<ComponentType name="a"><Parameter dimension="voltage"/></ComponentType>"#);
        b.one_error(&["<Parameter> is missing the required attribute 'name' @ Parameter"]);
        let b = build(r#"<ComponentType><Parameter name="p"/></ComponentType>"#);
        b.one_error(&["<ComponentType> is missing the required attribute 'name'"]);
    }

    #[test]
    fn unknown_dimension_points_at_the_value() {
        let b = build(
            r#"<ComponentType name="a"><Parameter name="p" dimension="voltag"/></ComponentType>"#,
        );
        b.one_error(&[
            "unknown dimension 'voltag' for 'p' @ voltag",
            "similar names: voltage",
        ]);
        let b = build(
            r#"<ComponentType name="a"><Parameter name="p" dimension="volts"/></ComponentType>"#,
        );
        b.one_error(&["unknown dimension 'volts'", "similar names: voltage"]);
    }

    #[test]
    fn expression_errors_are_collected_and_reading_goes_on() {
        let b = build(
            r#"<ComponentType name="a"><Dynamics>
                 <DerivedVariable name="d" dimension="none" value="1 +"/>
                 <DerivedVariable name="e" dimension="none" value="d * 2"/>
                 <DerivedVariable name="f" dimension="none" value="(d"/>
               </Dynamics></ComponentType>"#,
        );
        assert_eq!(b.diags.error_count(), 2, "{:#?}", b.messages());
        assert_eq!(b.ty("a").dynamics.derived_variables.len(), 3);
    }

    #[test]
    fn constants_are_converted_to_si_and_builtin_is_kept() {
        let b = build(
            r#"<ComponentType name="a"><Constant name="V0" dimension="voltage" value="-65mV"/>
               </ComponentType>"#,
        );
        b.assert_clean();
        assert_eq!(b.ty("a").constants[0].value, -65.0 * 0.001);
        assert!(!b.ty("a").builtin);
        let b = build(
            r#"<ComponentType name="a"><Constant name="V0" dimension="voltage" value="1ms"/>
               </ComponentType>"#,
        );
        b.one_error(&["expected a voltage, found '1ms' which is a time @ ms"]);
    }

    #[test]
    fn reads_select_structure_and_dimension_from_exposure() {
        let b = build(
            r#"<ComponentType name="syn"><Exposure name="i" dimension="current"/></ComponentType>
               <ComponentType name="cell">
                 <Exposure name="iSyn" dimension="current"/>
                 <Children name="synapses" type="syn"/>
                 <Dynamics>
                   <DerivedVariable name="iSyn" exposure="iSyn" select="synapses[*]/i" reduce="add"/>
                 </Dynamics>
                 <Structure><ChildInstance component="x"/></Structure>
               </ComponentType>"#,
        );
        b.assert_clean();
        let ty = b.ty("cell");
        let dv = &ty.dynamics.derived_variables[0];
        assert_eq!(dv.q.dimension, "current", "taken from the exposure");
        assert!(
            matches!(&dv.value, DerivedValue::Select { select, .. } if select == "synapses[*]/i")
        );
        assert_eq!(ty.children[0].type_id, Some(b.by_name["syn"]));
        assert!(
            matches!(&ty.structure.items[0], StructureItem::ChildInstance { component, .. } if component == "x")
        );
    }

    #[test]
    fn builtin_types_are_marked_and_their_warnings_dropped() {
        let body = r#"<Lems><ComponentType name="a"><Dynamics>
              <StateVariable name="n" dimension="none"/>
              <TimeDerivative variable="n" value="-n / 150"/>
              <TimeDerivative variable="m" value="n"/>
            </Dynamics></ComponentType></Lems>"#;
        let user = build_files_as(&[PRELUDE, body], false);
        assert_eq!(user.diags.list.len(), 2, "{:#?}", user.messages());
        assert!(!user.ty("a").builtin);
        let ours = build_files_as(&[PRELUDE, body], true);
        ours.one_error(&["TimeDerivative of 'm', which is not a state variable"]);
        assert!(ours.ty("a").builtin);
    }

    #[test]
    fn a_name_declared_twice_in_one_type_is_an_error() {
        let b = build(
            r#"<ComponentType name="timer">
                 <Parameter name="period" dimension="time"/>
                 <Parameter name="period" dimension="time"/>
               </ComponentType>"#,
        );
        b.one_error(&["'period' is declared twice in ComponentType 'timer'"]);
        let b = build(
            r#"<ComponentType name="c"><Parameter name="x" dimension="none"/>
                 <Dynamics><StateVariable name="x" dimension="none"/></Dynamics></ComponentType>"#,
        );
        b.one_error(&["'x' is declared twice in ComponentType 'c'"]);
        assert!(b.diags.has_errors());
        let b = build(
            r#"<ComponentType name="c"><Dynamics><StateVariable name="x" dimension="none"/>
                 <DerivedVariable name="x" dimension="none" value="1"/></Dynamics></ComponentType>"#,
        );
        b.one_error(&["'x' is declared twice in ComponentType 'c'"]);
        assert!(
            !b.diags.has_errors(),
            "two variables of one name: a warning, as jLEMS runs it"
        );
        // An exposure named like its variable is the usual idiom, not a clash.
        build(
            r#"<ComponentType name="c"><Exposure name="x" dimension="none"/>
                 <Dynamics><StateVariable name="x" dimension="none" exposure="x"/></Dynamics>
               </ComponentType>"#,
        )
        .assert_clean();
    }

    #[test]
    fn unknown_slot_type_is_an_error() {
        let b = build(r#"<ComponentType name="a"><Child name="c" type="nosuch"/></ComponentType>"#);
        b.one_error(&["'c' in ComponentType 'a' names an unknown type 'nosuch'"]);
    }
}
