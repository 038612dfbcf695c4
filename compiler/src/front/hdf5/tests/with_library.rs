//! HDF5 files read through libhdf5: the OpenCortex example against its XML twin, and files
//! written here in the layout libNeuroML writes.

use std::collections::BTreeMap;

use hdf5::types::{FixedAscii, VarLenUnicode};

use super::*;
use crate::pipeline::{check, CheckOptions, Checked};

/// The OpenCortex examples folder of `../shared`, if present.
fn opencortex() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld/OpenCortex/examples");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} is missing", dir.display());
        None
    }
}

fn checked(path: &Path) -> (Checked, String) {
    let c = check(&[path.to_path_buf()], &CheckOptions::default());
    let rendered = crate::diag::render(&c.sources, &c.diagnostics.list, false);
    assert!(c.ok(), "{}: {rendered}", path.display());
    let ir = crate::ir::print::print(
        c.ir.as_ref().expect("lowers"),
        c.model.as_ref().expect("builds"),
    );
    (c, ir)
}

/// The IR's sections (populations, event connections, inputs...) by heading, each as its
/// sorted lines: the order of populations follows the HDF5 file's (by name), not the XML's.
fn sections(ir: &str) -> BTreeMap<String, Vec<String>> {
    ir.split("\n\n")
        .filter_map(|block| {
            let mut lines = block.lines();
            let head = lines.next()?.to_owned();
            let mut body: Vec<String> = lines.map(str::to_owned).collect();
            body.sort();
            Some((head, body))
        })
        .collect()
}

#[test]
fn spiking_net_in_hdf5_lowers_like_its_xml_twin() {
    let Some(dir) = opencortex() else { return };
    let (_, from_xml) = checked(&dir.join("LEMS_SpikingNet.xml"));
    let (_, from_h5) = checked(&dir.join("HDF5/LEMS_SpikingNet.xml"));
    let (xml, h5) = (sections(&from_xml), sections(&from_h5));
    for head in [
        "populations: 2",
        "event connections: 38",
        "inputs: 10",
        "tunnels: 0",
    ] {
        assert_eq!(xml.get(head), h5.get(head), "section {head}");
    }
    let connections = &h5["event connections: 38"];
    assert!(connections.contains(
        &"  pop_pre/1/RS:spike -> pop_post/3/RS:in receiver pop_post/3/RS/syn1 delay 0.005 s \
          weight=0.05"
            .to_owned()
    ));
    assert!(h5["populations: 2"].contains(&"  pop_post: 10 x RS at pop_post".to_owned()));
    // The whole instance tree, line for line in any order.
    let tree = |ir: &BTreeMap<String, Vec<String>>| {
        ir.iter()
            .find(|(h, _)| h.starts_with("instances:"))
            .map(|(h, b)| (h.clone(), b.clone()))
    };
    assert_eq!(tree(&xml), tree(&h5));
}

#[test]
fn spiking_net_in_hdf5_simulates_like_its_xml_twin() {
    let Some(dir) = opencortex() else { return };
    let out = TempDir::new("spiking");
    let run = |lems: &str, sub: &str| {
        let opts = crate::simulate::RunOptions {
            out_dir: Some(out.0.join(sub)),
            ..Default::default()
        };
        let outcome = crate::simulate::run_file(&dir.join(lems), &opts)
            .unwrap_or_else(|e| panic!("{lems}: {e:?}"));
        outcome.outputs.len()
    };
    assert_eq!(run("LEMS_SpikingNet.xml", "xml"), 2);
    assert_eq!(run("HDF5/LEMS_SpikingNet.xml", "h5"), 2);
    for name in [
        "Sim_SpikingNet.pop_pre.v.dat",
        "Sim_SpikingNet.pop_post.v.dat",
    ] {
        let a = std::fs::read(out.0.join("xml").join(name)).unwrap();
        let b = std::fs::read(out.0.join("h5").join(name)).unwrap();
        assert!(a == b, "{name} differs");
    }
}

// --- Files written here ---

const CELLS: &str = r#"<neuroml id="doc">
    <izhikevich2007Cell id="rs" v0="-60mV" C="100pF" k="0.7nS_per_mV" vr="-60mV" vt="-40mV"
        vpeak="35mV" a="0.03per_ms" b="-2nS" c="-50mV" d="100pA"/>
    <gapJunction id="gj" conductance="10nS"/>
    <pulseGenerator id="pg" delay="5ms" duration="10ms" amplitude="0.5nA"/>
</neuroml>"#;

const NETWORK_XML: &str = r#"<neuroml id="doc">
    <izhikevich2007Cell id="rs" v0="-60mV" C="100pF" k="0.7nS_per_mV" vr="-60mV" vt="-40mV"
        vpeak="35mV" a="0.03per_ms" b="-2nS" c="-50mV" d="100pA"/>
    <gapJunction id="gj" conductance="10nS"/>
    <pulseGenerator id="pg" delay="5ms" duration="10ms" amplitude="0.5nA"/>
    <network id="net">
        <population id="pop" component="rs" size="3"/>
        <electricalProjection id="ep" presynapticPopulation="pop" postsynapticPopulation="pop">
            <electricalConnection id="0" preCell="0" postCell="1" synapse="gj"/>
            <electricalConnection id="1" preCell="1" postCell="2" synapse="gj"/>
        </electricalProjection>
        <inputList id="il" population="pop" component="pg">
            <input id="0" target="../pop[0]" destination="synapses"/>
        </inputList>
    </network>
</neuroml>"#;

fn lems(network_file: &str) -> String {
    format!(
        r#"<Lems>
    <Target component="sim"/>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Simulation.xml"/>
    <Include file="{network_file}"/>
    <Simulation id="sim" length="30ms" step="0.01ms" target="net">
        <OutputFile id="of" fileName="v.dat">
            <OutputColumn id="v2" quantity="pop[2]/v"/>
        </OutputFile>
    </Simulation>
</Lems>
"#
    )
}

fn text_attr(loc: &hdf5::Location, name: &str, value: &str) -> hdf5::Result<()> {
    let value: VarLenUnicode = value.parse().expect("no NUL in test strings");
    loc.new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&value)
}

fn table(group: &hdf5::Group, name: &str, columns: &[&str], rows: &[&[f64]]) -> hdf5::Result<()> {
    let flat: Vec<f64> = rows.iter().flat_map(|r| r.iter().copied()).collect();
    let ds = group
        .new_dataset::<f64>()
        .shape((rows.len(), columns.len()))
        .create(name)?;
    ds.write_raw(&flat[..])?;
    for (i, c) in columns.iter().enumerate() {
        // Column names as fixed-length ASCII, the other string kind files hold.
        let value = FixedAscii::<32>::from_ascii(c.as_bytes()).expect("ascii");
        ds.new_attr::<FixedAscii<32>>()
            .create(format!("column_{i}").as_str())?
            .write_scalar(&value)?;
    }
    Ok(())
}

/// NETWORK_XML's network in HDF5 (its population of `component`): strings as variable-length
/// UTF-8, numbers as f64 and i64.
fn write_network(path: &Path, component: &str) -> hdf5::Result<()> {
    let file = hdf5::File::create(path)?;
    let neuroml = file.create_group("neuroml")?;
    text_attr(&neuroml, "id", "doc")?;
    text_attr(&neuroml, "neuroml_top_level", CELLS)?;
    let net = neuroml.create_group("network")?;
    text_attr(&net, "id", "net")?;
    let pop = net.create_group("population_pop")?;
    text_attr(&pop, "id", "pop")?;
    text_attr(&pop, "component", component)?;
    pop.new_attr::<i64>().create("size")?.write_scalar(&3i64)?;
    let ep = net.create_group("projection_ep")?;
    for (n, v) in [
        ("id", "ep"),
        ("type", "electricalProjection"),
        ("presynapticPopulation", "pop"),
        ("postsynapticPopulation", "pop"),
        ("synapse", "gj"),
    ] {
        text_attr(&ep, n, v)?;
    }
    let mut columns = vec!["id"];
    columns.extend(CONNECTION_COLUMNS);
    let rows: [&[f64]; 2] = [
        &[0.0, 0.0, 1.0, 0.0, 0.0, 0.5, 0.5],
        &[1.0, 1.0, 2.0, 0.0, 0.0, 0.5, 0.5],
    ];
    table(&ep, "ep", &columns, &rows)?;
    let il = net.create_group("inputList_il")?;
    for (n, v) in [("id", "il"), ("component", "pg"), ("population", "pop")] {
        text_attr(&il, n, v)?;
    }
    let columns = ["id", "target_cell_id", "segment_id", "fraction_along"];
    table(&il, "il", &columns, &[&[0.0, 0.0, 0.0, 0.5]])
}

#[test]
fn a_gap_junction_network_written_in_hdf5_lowers_like_its_xml() {
    let dir = TempDir::new("gap");
    write_network(&dir.0.join("net.h5"), "rs").unwrap();
    dir.write("net.nml", NETWORK_XML.as_bytes());
    let from_h5 = dir.write("LEMS_h5.xml", lems("net.h5").as_bytes());
    let from_xml = dir.write("LEMS_xml.xml", lems("net.nml").as_bytes());
    let (_, h5) = checked(&from_h5);
    let (_, xml) = checked(&from_xml);
    assert_eq!(h5, xml);
    assert!(h5.contains("tunnels: 2"), "{h5}");
}

#[test]
fn an_hdf5_file_that_is_not_neuroml_is_an_error_at_the_include() {
    let dir = TempDir::new("notnml");
    let path = dir.0.join("net.nml.h5");
    hdf5::File::create(&path)
        .unwrap()
        .create_group("other")
        .unwrap();
    let lems = dir.write(
        "LEMS.xml",
        b"<Lems>\n  <Include file=\"net.nml.h5\"/>\n</Lems>\n",
    );
    assert_eq!(
        load_rendered(&lems),
        [format!(
            "{}:2:18: error: {}: no /neuroml group: not a NeuroML HDF5 file (as libNeuroML \
             writes them)",
            lems.display(),
            dir.0.join("net.nml.h5").display()
        )]
    );
}

#[test]
fn a_later_error_shows_the_hdf5_object_it_came_from() {
    let dir = TempDir::new("later");
    write_network(&dir.0.join("net.h5"), "nosuch").unwrap();
    let path = dir.write("LEMS.xml", lems("net.h5").as_bytes());
    let c = check(&[path], &CheckOptions::default());
    let rendered = crate::diag::render(&c.sources, &c.diagnostics.list, false);
    assert!(!c.ok());
    assert!(
        rendered.contains("error: no component with id 'nosuch'")
            && rendered.contains("net.h5:5:1")
            && rendered.contains("5 │ /neuroml/network/population_pop\n"),
        "{rendered}"
    );
}
