//! Layouts of the example cells: sections, groups, biophysics and their errors.

use std::path::{Path, PathBuf};

use super::*;
use crate::pipeline::{check, Checked};

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/neuroml2/LEMSexamples"
);

/// Reads and checks `path`; the model must build. Errors of the later stages (lowering the
/// simulation) are printed, not fatal: the layout needs the model only.
fn checked(path: &Path) -> Checked {
    let checked = check(&[path.to_path_buf()], &Default::default());
    let errors: Vec<&str> = checked
        .diagnostics
        .list
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.as_str())
        .collect();
    assert!(checked.model.is_some(), "{}: {errors:?}", path.display());
    if !errors.is_empty() {
        println!(
            "{}: the simulation does not lower: {errors:?}",
            path.display()
        );
    }
    checked
}

/// The model of an example, or `None` (with a note) when the examples are absent.
fn example(relative: &str) -> Option<Checked> {
    let path = Path::new(EXAMPLES).join(relative);
    if !path.is_file() {
        println!("skipped: {} is absent", path.display());
        return None;
    }
    Some(checked(&path))
}

/// The model of a `morphologies/` example. Two of its channel files define ComponentTypes
/// inside `<neuroml>`, which the loader does not read yet; when the folder does not load as
/// it is, it is copied with those two channels replaced by passive ones of the same id, so
/// the cell files themselves are read unchanged.
fn morphology_example(lems: &str) -> Option<Checked> {
    let folder = Path::new(EXAMPLES).join("morphologies");
    if !folder.is_dir() {
        println!("skipped: {} is absent", folder.display());
        return None;
    }
    let as_is = check(&[folder.join(lems)], &Default::default());
    if as_is.model.is_some() {
        return Some(as_is);
    }
    let copy = std::env::temp_dir().join(format!(
        "lemsc-morphology-{}-{}",
        std::process::id(),
        lems.trim_end_matches(".xml")
    ));
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().to_string();
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        if let Some(channel) = file.strip_suffix(".channel.nml") {
            if text.contains("<ComponentType") {
                text = format!(
                    "<neuroml id=\"{channel}\">\n  <ionChannel id=\"{channel}\" conductance=\"10pS\" type=\"ionChannelPassive\"/>\n</neuroml>\n"
                );
            }
        }
        std::fs::write(copy.join(&file), text).unwrap();
    }
    let result = checked(&copy.join(lems));
    std::fs::remove_dir_all(&copy).ok();
    Some(result)
}

fn layout_of(checked: &Checked, cell: &str) -> CellLayout {
    let model = checked.model.as_ref().unwrap();
    match layout(model, model.component_by_id[cell]) {
        Ok(layout) => layout,
        Err(diags) => panic!(
            "{cell}: {:?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    }
}

fn names(layout: &CellLayout) -> Vec<&str> {
    layout.sections.iter().map(|s| s.name.as_str()).collect()
}

fn group<'l>(layout: &'l CellLayout, name: &str) -> &'l [usize] {
    &layout
        .groups
        .iter()
        .find(|g| g.name == name)
        .unwrap()
        .sections
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

fn assert_close(a: f64, b: f64) {
    assert!(close(a, b), "{a} != {b}");
}

fn id_of(checked: &Checked, comp: CompId) -> &str {
    checked
        .model
        .as_ref()
        .unwrap()
        .component(comp)
        .id
        .as_deref()
        .unwrap()
}

#[test]
fn a_spherical_soma_becomes_a_cylinder_as_long_as_wide() {
    let Some(ex5) = example("LEMS_NML2_Ex5_DetCell.xml") else {
        return;
    };
    let cell = layout_of(&ex5, "hhcell");
    assert_eq!(names(&cell), ["soma"]);
    let soma = &cell.sections[0];
    assert_eq!((soma.parent, soma.nseg), (None, 1));
    let d = 17.841242;
    assert_eq!(
        soma.points,
        [[0.0, -d / 2.0, 0.0, d], [0.0, d / 2.0, 0.0, d]]
    );
    assert_eq!(
        soma.segments,
        [SegmentSpan {
            id: 0,
            name: Some("soma".into()),
            start: 0.0,
            end: 1.0
        }]
    );
    assert_eq!(group(&cell, "soma_group"), [0]);
    assert_eq!(
        group(&cell, "all"),
        [0],
        "`all` is added when the file lacks it"
    );
    assert_eq!(cell.locate(0, 0.5), Some((0, 0.5)));
    assert_eq!(cell.locate(1, 0.5), None);
    assert_eq!(cell.root_section(), 0);

    let bio = &cell.biophysics;
    assert_eq!(bio.specific_capacitance.len(), 1);
    assert_eq!(bio.specific_capacitance[0].0, None);
    assert_close(bio.specific_capacitance[0].1, 1.0);
    assert_close(bio.resistivity[0].1, 30.0); // 0.03 kohm_cm
    assert_close(bio.init_membrane_potential[0].1, -65.0);
    assert_close(bio.spike_threshold, -20.0);
    assert!(bio.species.is_empty());
    let channels: Vec<_> = bio
        .channels
        .iter()
        .map(|c| {
            (
                id_of(&ex5, c.density),
                id_of(&ex5, c.channel),
                c.density_kind.as_str(),
                c.ion.as_deref(),
                c.group.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        channels,
        [
            ("leak", "passiveChan", "channelDensity", None, None),
            ("naChans", "naChan", "channelDensity", Some("na"), None),
            ("kChans", "kChan", "channelDensity", Some("k"), None),
        ]
    );
    let g: Vec<f64> = bio
        .channels
        .iter()
        .map(|c| c.cond_density.unwrap())
        .collect();
    let e: Vec<f64> = bio.channels.iter().map(|c| c.erev.unwrap()).collect();
    for (got, want) in g.iter().zip([3e-4, 0.12, 0.036]) {
        assert_close(*got, want);
    }
    for (got, want) in e.iter().zip([-54.3, 50.0, -77.0]) {
        assert_close(*got, want);
    }
    assert!(bio
        .channels
        .iter()
        .all(|c| c.permeability.is_none() && c.segment.is_none()));
}

#[test]
fn ex25_cables_become_sections_with_their_divisions() {
    let Some(ex25) = example("LEMS_NML2_Ex25_MultiComp.xml") else {
        return;
    };
    let cell = layout_of(&ex25, "MultiCompCell");
    assert_eq!(names(&cell), ["soma", "dendSec1", "dendSec2"]);
    let parents: Vec<_> = cell.sections.iter().map(|s| s.parent).collect();
    assert_eq!(parents, [None, Some((0, 1.0)), Some((1, 1.0))]);
    let nseg: Vec<_> = cell.sections.iter().map(|s| s.nseg).collect();
    assert_eq!(nseg, [1, 1, 9]);
    // Segment 3 has no proximal point: it starts at segment 2's distal one.
    let dend2 = &cell.sections[2];
    assert_eq!(
        dend2.points,
        [
            [0.0, 20.0, 0.0, 3.0],
            [0.0, 30.0, 0.0, 2.5],
            [0.0, 50.0, 0.0, 1.5]
        ]
    );
    let spans: Vec<_> = dend2
        .segments
        .iter()
        .map(|s| (s.id, s.start, s.end))
        .collect();
    assert_eq!(spans, [(2, 0.0, 1.0 / 3.0), (3, 1.0 / 3.0, 1.0)]);
    // The synapse positions of the file's projections.
    assert_eq!(cell.locate(0, 0.5), Some((0, 0.5)));
    assert_eq!(cell.locate(1, 0.5), Some((1, 0.5)));
    let (section, x) = cell.locate(3, 0.3).unwrap();
    assert_eq!(section, 2);
    assert_close(x, 1.0 / 3.0 + 0.3 * 2.0 / 3.0);
    let (_, x) = cell.locate(3, 0.25).unwrap();
    assert_close(x, 0.5);
    assert_eq!(cell.root_section(), 0);

    assert_eq!(group(&cell, "soma_group"), [0]);
    assert_eq!(group(&cell, "dendrite_group"), [1, 2]);
    assert_eq!(group(&cell, "dendSec2"), [2]);
    assert_eq!(group(&cell, "all"), [0, 1, 2]);
    assert_close(cell.biophysics.resistivity[0].1, 100_000.0); // 100 kohm_cm
    assert_eq!(cell.biophysics.channels.len(), 3);
}

/// The 9-segment pyramidal cell of `morphologies/`, with its morphology and biophysics
/// inside the cell (pyr_4_sym) or referenced from other files (pyr_full_out).
#[test]
fn the_nine_segment_pyramidal_cell() {
    let Some(inside) = morphology_example("LEMS_pyrfull_in.xml") else {
        return;
    };
    let outside = morphology_example("LEMS_pyrfull_out.xml").unwrap();
    let cell = layout_of(&inside, "pyr_4_sym");
    assert_eq!(
        names(&cell),
        [
            "soma", "apical0", "apical2", "apical3", "apical4", "apical1", "basal0", "basal1",
            "basal2"
        ]
    );
    let parents: Vec<_> = cell.sections.iter().map(|s| s.parent).collect();
    assert_eq!(
        parents,
        [
            None,
            Some((0, 1.0)),
            Some((1, 1.0)),
            Some((2, 1.0)),
            Some((3, 1.0)),
            Some((1, 1.0)),
            Some((0, 0.0)), // basal0: fractionAlong="0.0" on the soma
            Some((6, 1.0)),
            Some((6, 1.0)),
        ]
    );
    assert!(cell
        .sections
        .iter()
        .all(|s| s.nseg == 1 && s.points.len() == 2));
    assert_eq!(cell.sections[6].points[0], [0.0, 0.0, 0.0, 4.0]);
    assert_eq!(group(&cell, "all"), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(group(&cell, "soma_group"), [0]);
    assert_eq!(group(&cell, "dendrite_group"), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(group(&cell, "apical_dends"), [1, 2, 3, 4, 5]);
    assert_eq!(group(&cell, "basal_dends"), [6, 7, 8]);
    assert_eq!(group(&cell, "middle_apical_dendrite"), [3]);
    assert_eq!(cell.groups.iter().filter(|g| g.name == "all").count(), 1);
    assert_eq!(cell.locate(3, 0.5), Some((3, 0.5)));

    let bio = &cell.biophysics;
    assert_close(bio.spike_threshold, 0.0);
    assert_close(bio.specific_capacitance[0].1, 2.84);
    assert_close(bio.resistivity[0].1, 200.0); // 0.2 kohm_cm
    assert_close(bio.init_membrane_potential[0].1, -65.0);
    let channels: Vec<_> = bio
        .channels
        .iter()
        .map(|c| {
            (
                id_of(&inside, c.channel),
                c.group.as_deref(),
                c.ion.as_deref(),
                c.erev.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        channels,
        [
            ("Ca_pyr", Some("soma_group"), Some("ca"), 80.0),
            ("Kahp_pyr", Some("soma_group"), Some("k"), -75.0),
            ("Kdr_pyr", Some("soma_group"), Some("k"), -75.0),
            ("LeakConductance_pyr", None, None, -66.0),
            ("Na_pyr", Some("soma_group"), Some("na"), 55.0),
        ]
    );
    for (c, g) in bio
        .channels
        .iter()
        .zip([0.01, 0.0025, 0.08, 0.0001420051, 0.12])
    {
        assert_close(c.cond_density.unwrap(), g);
    }
    let [species] = &bio.species[..] else {
        panic!("{:?}", bio.species)
    };
    assert_eq!(
        (species.ion.as_str(), species.group.as_deref()),
        ("ca", Some("soma_group"))
    );
    assert_eq!(id_of(&inside, species.concentration_model), "Ca_conc");
    assert_close(species.initial_in, 5e-5); // 5.0E-11 mol_per_cm3
    assert_close(species.initial_out, 3.0); // 3.0E-6 mol_per_cm3

    // The same cell written with a referenced morphology and biophysics lays out the same.
    let referenced = layout_of(&outside, "pyr_full_out");
    assert_eq!(referenced.sections, cell.sections);
    assert_eq!(referenced.groups, cell.groups);
    assert_eq!(
        referenced.biophysics.specific_capacitance,
        bio.specific_capacitance
    );
    assert_eq!(referenced.biophysics.channels.len(), 5);
}

/// The four ways of writing the one-segment cell (morphology and biophysics in or out of
/// the cell) give the same layout.
#[test]
fn the_soma_only_variants_agree() {
    let mut layouts = Vec::new();
    for (lems, cell) in [
        ("LEMS_m_in_b_in.xml", "pyr_soma_m_in_b_in"),
        ("LEMS_m_in_b_out.xml", "pyr_soma_m_in_b_out"),
        ("LEMS_m_out_b_in.xml", "pyr_soma_m_out_b_in"),
        ("LEMS_m_out_b_out.xml", "pyr_soma_m_out_b_out"),
    ] {
        let Some(checked) = morphology_example(lems) else {
            return;
        };
        let layout = layout_of(&checked, cell);
        let channels: Vec<_> = layout
            .biophysics
            .channels
            .iter()
            .map(|c| {
                (
                    id_of(&checked, c.channel).to_string(),
                    c.group.clone(),
                    c.cond_density,
                )
            })
            .collect();
        layouts.push((
            layout.sections,
            layout.groups,
            channels,
            layout.biophysics.spike_threshold,
        ));
    }
    let (sections, groups, channels, _) = &layouts[0];
    assert_eq!(sections.len(), 1);
    assert_eq!(sections[0].name, "soma");
    assert_eq!(
        sections[0].points,
        [[0.0, 0.0, 0.0, 23.0], [0.0, 17.0, 0.0, 23.0]]
    );
    assert!(groups
        .iter()
        .any(|g| g.name == "soma_group" && g.sections == [0]));
    assert_eq!(channels.len(), 5);
    for other in &layouts[1..] {
        assert_eq!(other, &layouts[0]);
    }
}

// --- hand-written morphologies for the rules the examples do not exercise -------------

/// Lays out the cell `c` of a NeuroML file made of `morphology` (the inside of
/// `<morphology>`) and `biophysics` (the inside of `<membraneProperties>`).
fn written(morphology: &str, membrane: &str) -> Result<CellLayout, Vec<String>> {
    let dir = std::env::temp_dir().join(format!(
        "lemsc-morphology-written-{}-{:x}",
        std::process::id(),
        {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (morphology, membrane).hash(&mut h);
            h.finish()
        }
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file: PathBuf = dir.join("cell.nml");
    std::fs::write(
        &file,
        format!(
            "<neuroml id=\"n\">\n<ionChannel id=\"pas\" conductance=\"10pS\" type=\"ionChannelPassive\"/>\n\
             <cell id=\"c\">\n<morphology id=\"m\">\n{morphology}\n</morphology>\n\
             <biophysicalProperties id=\"b\"><membraneProperties>\n{membrane}\n\
             <spikeThresh value=\"-10mV\"/><specificCapacitance value=\"1 uF_per_cm2\"/>\
             <initMembPotential value=\"-70mV\"/>\n</membraneProperties>\n\
             <intracellularProperties><resistivity value=\"100 ohm_cm\"/></intracellularProperties>\n\
             </biophysicalProperties>\n</cell>\n</neuroml>\n"
        ),
    )
    .unwrap();
    let checked = checked(&file);
    std::fs::remove_dir_all(&dir).ok();
    let model = checked.model.as_ref().unwrap();
    layout(model, model.component_by_id["c"])
        .map_err(|diags| diags.into_iter().map(|d| d.message).collect())
}

fn seg(id: u32, parent: Option<&str>, proximal_y: Option<f64>, distal_y: f64) -> String {
    let parent = parent.map_or(String::new(), |p| format!("<parent {p}/>"));
    let proximal = proximal_y.map_or(String::new(), |y| {
        format!("<proximal x=\"0\" y=\"{y}\" z=\"0\" diameter=\"2\"/>")
    });
    format!(
        "<segment id=\"{id}\">{parent}{proximal}<distal x=\"0\" y=\"{distal_y}\" z=\"0\" diameter=\"2\"/></segment>"
    )
}

#[test]
fn a_missing_proximal_point_lies_fraction_along_the_parent() {
    let cell = written(
        &[
            seg(0, None, Some(0.0), 10.0),
            seg(1, Some("segment=\"0\" fractionAlong=\"0.25\""), None, 40.0),
        ]
        .concat(),
        "",
    )
    .unwrap();
    assert_eq!(names(&cell), ["section_0", "section_1"]);
    assert_eq!(cell.sections[1].parent, Some((0, 0.25)));
    assert_eq!(cell.sections[1].points[0], [0.0, 2.5, 0.0, 2.0]);
}

#[test]
fn paths_and_subtrees_select_segments() {
    // 0 - 1 - 2 - 3, and 4 branching off 1.
    let segments = [
        seg(0, None, Some(0.0), 10.0),
        seg(1, Some("segment=\"0\""), None, 20.0),
        seg(2, Some("segment=\"1\""), None, 30.0),
        seg(3, Some("segment=\"2\""), None, 40.0),
        seg(4, Some("segment=\"1\""), None, 50.0),
    ]
    .concat();
    let groups = "<segmentGroup id=\"p\"><path><from segment=\"1\"/><to segment=\"3\"/></path></segmentGroup>\
         <segmentGroup id=\"t\"><subTree><from segment=\"2\"/></subTree></segmentGroup>\
         <segmentGroup id=\"u\"><include segmentGroup=\"t\"/><member segment=\"4\"/></segmentGroup>";
    let cell = written(&format!("{segments}{groups}"), "").unwrap();
    assert_eq!(cell.sections.len(), 5);
    // Depth first: 0, 1, 2, 3, then 4.
    assert_eq!(cell.sections[4].parent, Some((1, 1.0)));
    assert_eq!(group(&cell, "p"), [1, 2, 3]);
    assert_eq!(group(&cell, "t"), [2, 3]);
    assert_eq!(group(&cell, "u"), [2, 3, 4]);
}

#[test]
fn placement_on_a_group_and_names_are_sanitised() {
    let segments = [
        "<segment id=\"0\" name=\"2 soma\"><proximal x=\"0\" y=\"0\" z=\"0\" diameter=\"2\"/><distal x=\"0\" y=\"10\" z=\"0\" diameter=\"2\"/></segment>".to_string(),
        "<segment id=\"1\" name=\"soma\"><parent segment=\"0\"/><distal x=\"0\" y=\"20\" z=\"0\" diameter=\"2\"/></segment>".to_string(),
        "<segment id=\"2\" name=\"d\"><parent segment=\"1\"/><distal x=\"0\" y=\"30\" z=\"0\" diameter=\"2\"/></segment>".to_string(),
        "<segmentGroup id=\"soma\" neuroLexId=\"sao864921383\"><member segment=\"2\"/></segmentGroup>".to_string(),
    ]
    .concat();
    let cell = written(
        &segments,
        "<channelDensity id=\"leak\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\" erev=\"-70mV\" segmentGroup=\"soma\" ion=\"non_specific\"/>",
    )
    .unwrap();
    assert_eq!(names(&cell), ["sec_2_soma", "soma_2", "soma"]);
    assert_eq!(cell.biophysics.channels[0].group.as_deref(), Some("soma"));
    assert_eq!(group(&cell, "soma"), [2]);
}

#[test]
fn errors_name_the_problem() {
    let two = [
        seg(0, None, Some(0.0), 10.0),
        seg(1, Some("segment=\"7\""), None, 20.0),
    ]
    .concat();
    let errors = written(&two, "").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].contains("parent '7'"), "{errors:?}");

    let cycle = [
        seg(0, None, Some(0.0), 10.0),
        seg(1, Some("segment=\"2\""), Some(0.0), 20.0),
        seg(2, Some("segment=\"1\""), Some(0.0), 30.0),
    ]
    .concat();
    let errors = written(&cycle, "").unwrap_err();
    assert!(errors[0].contains("cycle"), "{errors:?}");

    let branching_cable = [
        seg(0, None, Some(0.0), 10.0),
        seg(1, Some("segment=\"0\""), None, 20.0),
        seg(2, Some("segment=\"0\""), None, 30.0),
        "<segmentGroup id=\"cab\" neuroLexId=\"sao864921383\"><member segment=\"0\"/><member segment=\"1\"/><member segment=\"2\"/></segmentGroup>".into(),
    ]
    .concat();
    let errors = written(&branching_cable, "").unwrap_err();
    assert!(errors[0].contains("unbranched cable"), "{errors:?}");

    let groups = [
        seg(0, None, Some(0.0), 10.0),
        "<segmentGroup id=\"g\"><member segment=\"5\"/><include segmentGroup=\"h\"/></segmentGroup>".into(),
        "<segmentGroup id=\"h\"><include segmentGroup=\"g\"/></segmentGroup>".into(),
    ]
    .concat();
    let errors = written(&groups, "").unwrap_err();
    assert!(
        errors.iter().any(|e| e.contains("'5' is not a segment")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("includes itself")),
        "{errors:?}"
    );

    let errors = written(
        &seg(0, None, Some(0.0), 10.0),
        "<channelDensity id=\"leak\" ionChannel=\"pas\" condDensity=\"1 S_per_m2\" erev=\"-70mV\" segmentGroup=\"dends\" ion=\"non_specific\"/>",
    )
    .unwrap_err();
    assert!(errors[0].contains("segmentGroup 'dends'"), "{errors:?}");

    let divisions = [
        seg(0, None, Some(0.0), 10.0),
        "<segmentGroup id=\"s\" neuroLexId=\"sao864921383\"><property tag=\"numberInternalDivisions\" value=\"0\"/><member segment=\"0\"/></segmentGroup>".into(),
    ]
    .concat();
    let errors = written(&divisions, "").unwrap_err();
    assert!(errors[0].contains("numberInternalDivisions"), "{errors:?}");
}
