use std::path::{Path, PathBuf};

use super::layout::{Group, Table};
use super::tree::{build, Source};
use super::*;
use crate::diag::{plain_lines, PlainDiagnostic, SourceMap};
use crate::front::syntax::Element;

/// A fresh folder under the system's temporary one, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("lemsc-h5-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_signature_is_found_at_the_start_or_after_a_user_block() {
    let dir = TempDir::new("sig");
    let mut at_start = SIGNATURE.to_vec();
    at_start.extend([0u8; 100]);
    let mut after_block = vec![b' '; 1024];
    after_block.extend(SIGNATURE);
    let mut misplaced = vec![b' '; 100];
    misplaced.extend(SIGNATURE);
    assert!(is_hdf5_file(&dir.write("a.h5", &at_start)));
    assert!(is_hdf5_file(&dir.write("b.nml", &after_block)));
    assert!(!is_hdf5_file(&dir.write("c.h5", &misplaced)));
    assert!(!is_hdf5_file(&dir.write("d.xml", b"<Lems/>")));
    assert!(!is_hdf5_file(&dir.0.join("missing.h5")));
}

// --- What was read, to elements (no libhdf5 needed) ---

fn text(v: &str) -> Result<String, String> {
    Ok(v.to_owned())
}

fn group(path: &str, attrs: &[(&str, &str)]) -> Group {
    Group {
        path: path.to_owned(),
        attrs: attrs
            .iter()
            .map(|(n, v)| (n.to_string(), text(v)))
            .collect(),
        ..Group::default()
    }
}

fn table(path: &str, columns: &[&str], rows: &[&[f64]]) -> Table {
    Table {
        path: path.to_owned(),
        columns: columns
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.is_empty())
            .map(|(i, n)| (i, n.to_string()))
            .collect(),
        rows: rows.len(),
        width: columns.len(),
        values: rows.iter().flat_map(|r| r.iter().copied()).collect(),
        single: true,
    }
}

/// `/neuroml` holding a network with the given groups.
fn document(groups: Vec<Group>) -> Group {
    let mut net = group("/neuroml/network", &[("id", "net"), ("notes", "N.")]);
    net.attrs.pop(); // an unset note is left out when read
    net.groups = groups;
    let mut root = group("/neuroml", &[("id", "doc")]);
    root.groups.push(net);
    root
}

/// The element tree as compact XML, to compare with what the XML form would say.
fn xml(el: &Element) -> String {
    let attrs: String = el
        .attrs
        .iter()
        .map(|a| format!(" {}=\"{}\"", a.name, a.value))
        .collect();
    if el.children.is_empty() && el.text.is_empty() {
        return format!("<{}{attrs}/>", el.name);
    }
    let inner: String = el.children.iter().map(xml).collect();
    format!("<{}{attrs}>{}{inner}</{}>", el.name, el.text, el.name)
}

fn build_ok(root: &Group) -> (SourceMap, Element) {
    let mut sources = SourceMap::new();
    let file = Source {
        canonical: Path::new("/tmp/net.nml.h5"),
        display: "net.nml.h5",
        at: None,
    };
    let (_, el, warnings) = build(root, &file, &mut sources).expect("builds");
    assert!(warnings.is_empty(), "{warnings:?}");
    (sources, el)
}

fn build_err(root: &Group) -> String {
    let mut sources = SourceMap::new();
    let file = Source {
        canonical: Path::new("/tmp/net.nml.h5"),
        display: "net.nml.h5",
        at: None,
    };
    let d = build(root, &file, &mut sources).expect_err("fails");
    PlainDiagnostic {
        sources: &sources,
        diag: &d,
    }
    .to_string()
}

fn listed_population(id: &str, rows: usize) -> Group {
    let mut g = group(
        &format!("/neuroml/network/population_{id}"),
        &[
            ("id", id),
            ("component", "iaf"),
            ("property:color", "1 0 0"),
        ],
    );
    let xyz: Vec<[f64; 3]> = (0..rows).map(|i| [i as f64, 0.5, 0.1]).collect();
    let refs: Vec<&[f64]> = xyz.iter().map(|r| &r[..]).collect();
    g.tables
        .push(table(&format!("{}/{id}", g.path), &["x", "y", "z"], &refs));
    g
}

fn plain_population(id: &str, size: &str) -> Group {
    group(
        &format!("/neuroml/network/population_{id}"),
        &[("id", id), ("component", "iaf"), ("size", size)],
    )
}

#[test]
fn populations_come_first_then_projections_then_inputs() {
    let mut proj = group(
        "/neuroml/network/projection_p",
        &[
            ("id", "p"),
            ("type", "projection"),
            ("presynapticPopulation", "a"),
            ("postsynapticPopulation", "b"),
            ("synapse", "syn"),
        ],
    );
    proj.tables.push(table(
        "/neuroml/network/projection_p/p",
        &["pre_cell_id", "post_cell_id", "weight", "delay"],
        &[&[0.0, 1.0, 0.05, 5.0], &[1.0, 0.0, 2.0, 0.25]],
    ));
    let mut inputs = group(
        "/neuroml/network/inputList_in",
        &[("id", "in"), ("component", "pulse"), ("population", "a")],
    );
    inputs.tables.push(table(
        "/neuroml/network/inputList_in/in",
        &[
            "id",
            "target_cell_id",
            "segment_id",
            "fraction_along",
            "weight",
        ],
        &[&[0.0, 1.0, 0.0, 0.5, 1.0], &[1.0, 0.0, 2.0, 0.25, 3.0]],
    ));
    // Stored order (by name): the input list and the projection before population b.
    let root = document(vec![
        inputs,
        listed_population("a", 2),
        proj,
        plain_population("b", "2"),
    ]);
    let (_, el) = build_ok(&root);
    assert_eq!(
        xml(&el),
        "<neuroml id=\"doc\"><network id=\"net\">\
         <population id=\"a\" component=\"iaf\" size=\"2\" type=\"populationList\">\
         <property tag=\"color\" value=\"1 0 0\"/>\
         <instance id=\"0\"><location x=\"0\" y=\"0.5\" z=\"0.1\"/></instance>\
         <instance id=\"1\"><location x=\"1\" y=\"0.5\" z=\"0.1\"/></instance></population>\
         <population id=\"b\" component=\"iaf\" size=\"2\"/>\
         <projection id=\"p\" presynapticPopulation=\"a\" postsynapticPopulation=\"b\" synapse=\"syn\">\
         <connectionWD id=\"0\" preCellId=\"../a/0/iaf\" postCellId=\"../b[1]\" weight=\"0.05\" delay=\"5ms\"/>\
         <connectionWD id=\"1\" preCellId=\"../a/1/iaf\" postCellId=\"../b[0]\" weight=\"2\" delay=\"0.25ms\"/>\
         </projection>\
         <inputList id=\"in\" population=\"a\" component=\"pulse\">\
         <input id=\"0\" target=\"../a/1/iaf\" destination=\"synapses\"/>\
         <inputW id=\"1\" target=\"../a/0/iaf\" destination=\"synapses\" segmentId=\"2\" fractionAlong=\"0.25\" weight=\"3\"/>\
         </inputList></network></neuroml>"
    );
}

#[test]
fn connections_without_weights_or_delays_are_plain() {
    let mut proj = group(
        "/neuroml/network/projection_p",
        &[
            ("id", "p"),
            ("presynapticPopulation", "a"),
            ("postsynapticPopulation", "a"),
            ("synapse", "syn"),
        ],
    );
    proj.tables.push(table(
        "/neuroml/network/projection_p/p",
        &CONNECTION_COLUMNS,
        &[&[1.0, 0.0, 3.0, 0.0, 0.5, 0.75]],
    ));
    let (_, el) = build_ok(&document(vec![plain_population("a", "2"), proj]));
    assert_eq!(
        xml(&el.children[0].children[1].children[0]),
        "<connection id=\"0\" preCellId=\"../a[1]\" postCellId=\"../a[0]\" preSegmentId=\"3\" \
         postFractionAlong=\"0.75\"/>"
    );
}

/// The columns of a connection table that place each connection: its cells, segments and
/// fractions along them.
const CONNECTION_COLUMNS: [&str; 6] = [
    "pre_cell_id",
    "post_cell_id",
    "pre_segment_id",
    "post_segment_id",
    "pre_fraction_along",
    "post_fraction_along",
];

fn gap_table(path: &str, weights: bool) -> Table {
    let mut columns = vec!["id"];
    columns.extend(CONNECTION_COLUMNS);
    let mut row = vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.5];
    if weights {
        columns.push("weight");
        row.push(0.5);
    }
    table(path, &columns, &[&row])
}

#[test]
fn electrical_and_continuous_projections_follow_the_population_kind() {
    let mut gap = group(
        "/neuroml/network/projection_gj",
        &[
            ("id", "gj"),
            ("type", "electricalProjection"),
            ("presynapticPopulation", "a"),
            ("postsynapticPopulation", "a"),
            ("synapse", "gap"),
        ],
    );
    gap.tables
        .push(gap_table("/neuroml/network/projection_gj/gj", false));
    let mut graded = group(
        "/neuroml/network/projection_cp",
        &[
            ("id", "cp"),
            ("type", "continuousProjection"),
            ("presynapticPopulation", "l"),
            ("postsynapticPopulation", "l"),
            ("postComponent", "graded"),
        ],
    );
    graded
        .tables
        .push(gap_table("/neuroml/network/projection_cp/cp", true));
    let root = document(vec![
        plain_population("a", "2"),
        listed_population("l", 2),
        graded,
        gap,
    ]);
    let (_, el) = build_ok(&root);
    // The continuous projection has no presynaptic component: a silent one is added.
    assert_eq!(xml(&el.children[0]), "<silentSynapse id=\"silentSyn_cp\"/>");
    let net = &el.children[1];
    assert_eq!(
        xml(&net.children[2]),
        "<electricalProjection id=\"gj\" presynapticPopulation=\"a\" postsynapticPopulation=\"a\">\
         <electricalConnection id=\"0\" preCell=\"1\" postCell=\"0\" synapse=\"gap\"/>\
         </electricalProjection>"
    );
    assert_eq!(
        xml(&net.children[3]),
        "<continuousProjection id=\"cp\" presynapticPopulation=\"l\" postsynapticPopulation=\"l\">\
         <continuousConnectionInstanceW id=\"0\" preCell=\"../l/1/iaf\" postCell=\"../l/0/iaf\" \
         weight=\"0.5\" preComponent=\"silentSyn_cp\" postComponent=\"graded\"/>\
         </continuousProjection>"
    );
}

#[test]
fn elements_point_at_their_object_in_the_outline() {
    let (sources, el) = build_ok(&document(vec![listed_population("a", 1)]));
    let pop = &el.children[0].children[0];
    assert_eq!(sources.snippet(pop.span), "/neuroml/network/population_a");
    let instance = &pop.children[1];
    assert_eq!(
        sources.snippet(instance.attrs[0].value_span),
        "/neuroml/network/population_a/a"
    );
}

#[test]
fn embedded_xml_gives_the_other_elements_with_their_own_lines() {
    let mut root = document(vec![]);
    root.attrs.push((
        "neuroml_top_level".into(),
        text("<neuroml id=\"doc\">\n  <include href=\"cell.nml\"/>\n  <expOneSynapse id=\"s\"/>\n</neuroml>"),
    ));
    let (sources, el) = build_ok(&root);
    assert_eq!(el.children.len(), 3);
    assert_eq!(xml(&el.children[0]), "<include href=\"cell.nml\"/>");
    assert_eq!(sources.line_col(el.children[1].name_span), (3, 4));
}

fn projection_with(columns: &[&str], row: &[f64], pre: &str) -> Group {
    let mut proj = group(
        "/neuroml/network/projection_p",
        &[
            ("id", "p"),
            ("presynapticPopulation", pre),
            ("postsynapticPopulation", "a"),
            ("synapse", "syn"),
        ],
    );
    proj.tables
        .push(table("/neuroml/network/projection_p/p", columns, &[row]));
    document(vec![plain_population("a", "2"), proj])
}

#[test]
fn problems_name_the_hdf5_object() {
    assert_eq!(
        build_err(&projection_with(&["pre_cell_id"], &[0.0], "a")),
        "error: net.nml.h5, HDF5 object /neuroml/network/projection_p/p: expected a column named \
         'post_cell_id'"
    );
    assert_eq!(
        build_err(&projection_with(
            &["pre_cell_id", "post_cell_id"],
            &[0.5, 1.0],
            "a"
        )),
        "error: net.nml.h5, HDF5 object /neuroml/network/projection_p/p: row 0, column 0 \
         (pre_cell_id): expected a whole number not below 0, found 0.5"
    );
    assert_eq!(
        build_err(&projection_with(
            &["pre_cell_id", "post_cell_id"],
            &[0.0, 1.0],
            "z"
        )),
        "error: net.nml.h5, HDF5 object /neuroml/network/projection_p: presynapticPopulation \
         'z' is not one of the network's populations in this file"
    );
    let mut unreadable = document(vec![]);
    unreadable.groups[0].attrs[0].1 = Err("a compound".into());
    assert_eq!(
        build_err(&unreadable),
        "error: net.nml.h5, HDF5 object /neuroml/network: cannot read attribute 'id': a compound"
    );
}

// --- Whole files through the loader ---

/// A LEMS file including `net.nml.h5`, written beside `bytes` as that file.
#[cfg(not(feature = "hdf5"))]
fn lems_including_h5(dir: &TempDir, bytes: &[u8]) -> PathBuf {
    dir.write("net.nml.h5", bytes);
    dir.write(
        "LEMS.xml",
        b"<Lems>\n  <Include file=\"net.nml.h5\"/>\n</Lems>\n",
    )
}

fn load_rendered(root: &Path) -> Vec<String> {
    let mut sources = SourceMap::new();
    let (_, diags) = crate::front::load::load(
        &mut sources,
        &[root.to_path_buf()],
        &crate::front::load::LoadOptions::default(),
    );
    plain_lines(&sources, &diags.list)
}

#[cfg(not(feature = "hdf5"))]
#[test]
fn without_the_feature_an_hdf5_include_says_how_to_get_it() {
    let dir = TempDir::new("nofeature");
    let mut bytes = SIGNATURE.to_vec();
    bytes.extend([0u8; 64]);
    let lems = lems_including_h5(&dir, &bytes);
    let got = load_rendered(&lems);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("net.nml.h5' is a NeuroML HDF5 file")
            && got[0].contains("LEMS.xml:2:18: error: ")
            && got[0].contains("without HDF5 support")
            && got[0].contains("--features lemsc/hdf5"),
        "{got:?}"
    );
}

#[cfg(feature = "hdf5")]
mod with_library;
