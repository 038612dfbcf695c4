//! The cable against hand-computed cylinders and against NEURON itself: a Python script builds
//! the same sections as our NEURON export's runner (`h.Section`, `nseg`, `pt3dadd`,
//! `connect(parent(x), 0)`, `Ra`) and reports every node's `area()`, `ri()`, `diam` and
//! NEURON's own node index; each of our nodes must be the same node with the same numbers.

use std::path::Path;
use std::process::Command;

use super::*;
use crate::back::neuron::morphology::{layout, Biophysics, SectionPlan};
use crate::pipeline::check;

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/neuroml2/LEMSexamples"
);

/// Largest relative difference allowed from NEURON: the sums are formed in NEURON's order.
const TOLERANCE: f64 = 1e-12;

fn section(parent: Option<(usize, f64)>, nseg: u32, points: &[[f64; 4]]) -> SectionPlan {
    SectionPlan {
        name: String::new(),
        parent,
        points: points.to_vec(),
        nseg,
        segments: Vec::new(),
    }
}

fn cell_of(sections: Vec<SectionPlan>) -> CellLayout {
    CellLayout {
        sections,
        groups: Vec::new(),
        biophysics: Biophysics::empty(),
    }
}

/// Tapers, several points per segment, points on segment boundaries, a repeated point, a
/// zero-diameter point, and children attached at 1, inside a segment, on a segment
/// boundary, and at 0 (twice in a chain, so that the node is found two sections up).
fn awkward_cell() -> CellLayout {
    cell_of(vec![
        // 0: the root, a tapered cylinder in two pieces.
        section(
            None,
            3,
            &[
                [0.0, 0.0, 0.0, 12.0],
                [7.0, 1.0, 0.0, 10.0],
                [20.0, 0.0, 0.0, 9.0],
            ],
        ),
        // 1: from the root's 1 end, many points, one repeated, nseg 5.
        section(
            Some((0, 1.0)),
            5,
            &[
                [20.0, 0.0, 0.0, 3.0],
                [25.0, 2.0, 1.0, 2.5],
                [25.0, 2.0, 1.0, 2.5],
                [31.0, 4.0, -1.0, 2.0],
                [40.0, 4.0, -3.0, 2.2],
                [41.0, 5.0, -3.0, 1.0],
                [60.0, 9.0, 0.0, 0.8],
            ],
        ),
        // 2: inside the root's middle segment.
        section(
            Some((0, 0.5)),
            2,
            &[[10.0, 0.0, 0.0, 1.5], [10.0, 30.0, 0.0, 1.0]],
        ),
        // 3: at 0.4 of section 1, a boundary of its 5 segments.
        section(
            Some((1, 0.4)),
            1,
            &[[30.0, 3.0, 0.0, 1.2], [30.0, 3.0, 15.0, 0.9]],
        ),
        // 4: at the 0 end of section 1, hence at the root's 1-end node.
        section(
            Some((1, 0.0)),
            4,
            &[
                [20.0, 0.0, 0.0, 2.0],
                [20.0, -12.0, 0.0, 2.0],
                [21.0, -20.0, 2.0, 0.0],
            ],
        ),
        // 5: at the 0 end of section 4, so also the root's 1-end node.
        section(
            Some((4, 0.0)),
            1,
            &[[20.0, 0.0, 0.0, 1.0], [20.0, 0.0, -9.0, 1.0]],
        ),
        // 6: at the root's 0 end.
        section(
            Some((0, 0.0)),
            3,
            &[
                [0.0, 0.0, 0.0, 4.0],
                [-5.0, 0.0, 0.0, 3.0],
                [-5.0, -6.0, 0.0, 2.0],
            ],
        ),
        // 7: at 1 of a child attached inside a segment.
        section(
            Some((2, 1.0)),
            2,
            &[
                [10.0, 30.0, 0.0, 1.0],
                [10.0, 30.0, 0.0, 1.0],
                [10.0, 40.0, 0.0, 0.5],
            ],
        ),
    ])
}

#[test]
fn a_cylinder_has_the_textbook_areas_and_resistances() {
    // 100 µm long, 2 µm wide, 4 segments, Ra = 100 Ω·cm.
    let cell = cell_of(vec![section(
        None,
        4,
        &[
            [0.0, 0.0, 0.0, 2.0],
            [60.0, 0.0, 0.0, 2.0],
            [100.0, 0.0, 0.0, 2.0],
        ],
    )]);
    let cable = cable(&cell, &[100.0]);
    let (length, diam, ra) = (25.0, 2.0, 100.0);
    let area = PI * diam * length;
    // Ω·cm · µm / µm² = 1e4 Ω, i.e. 1e-2 MΩ.
    let half = ra * (length / 2.0) / (PI * diam * diam / 4.0) * 1e-2;
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs();
    let nodes: Vec<_> = cable
        .nodes
        .iter()
        .map(|n| (n.parent, n.section, n.x))
        .collect();
    assert_eq!(
        nodes,
        [
            (None, 0, 0.0),
            (Some(0), 0, 0.125),
            (Some(1), 0, 0.375),
            (Some(2), 0, 0.625),
            (Some(3), 0, 0.875),
            (Some(4), 0, 1.0)
        ]
    );
    let root = &cable.nodes[0];
    assert_eq!((root.area_um2, root.ri_megohm), (0.0, f64::INFINITY));
    for n in &cable.nodes[1..5] {
        assert!(close(n.area_um2, area), "{} vs {area}", n.area_um2);
        assert!(close(n.diam_um, diam));
    }
    assert!(close(cable.nodes[1].ri_megohm, half));
    for n in &cable.nodes[2..5] {
        assert!(close(n.ri_megohm, 2.0 * half));
    }
    assert_eq!(cable.nodes[5].area_um2, 0.0);
    assert!(close(cable.nodes[5].ri_megohm, half));
    assert_eq!(
        cable.sections[0],
        SectionNodes {
            start: 0,
            first_centre: 1,
            nseg: 4,
            end: 5
        }
    );
    assert_eq!(cable.sections[0].centres(), 1..5);
}

#[test]
fn children_hang_off_the_node_at_their_attachment() {
    let cell = awkward_cell();
    let cable = cable(&cell, &vec![100.0; cell.sections.len()]);
    let s = &cable.sections;
    assert_eq!(s[0].start, 0, "the root's 0-end node comes first");
    assert_eq!(cable.node_at(0, 0.5), s[0].first_centre + 1);
    assert_eq!(cable.node_at(0, 1.0 / 3.0), s[0].first_centre + 1);
    assert_eq!(cable.node_at(0, 0.999), s[0].first_centre + 2);
    assert_eq!(cable.node_at(1, 0.4), s[1].first_centre + 2);
    let parent_of_first = |sec: usize| cable.nodes[s[sec].first_centre].parent;
    assert_eq!(parent_of_first(1), Some(s[0].end));
    assert_eq!(parent_of_first(2), Some(s[0].first_centre + 1));
    assert_eq!(parent_of_first(3), Some(s[1].first_centre + 2));
    assert_eq!(
        parent_of_first(4),
        Some(s[0].end),
        "x = 0 is the parent's own 0 end"
    );
    assert_eq!(
        parent_of_first(5),
        Some(s[0].end),
        "followed up two sections"
    );
    assert_eq!(parent_of_first(6), Some(0), "the root's 0-end node");
    assert_eq!(parent_of_first(7), Some(s[2].end));
    assert_eq!(s[4].start, s[0].end);
    for (i, node) in cable.nodes.iter().enumerate() {
        assert!(node.parent.map_or(i == 0, |p| p < i), "parents first");
        assert!(node.area_um2.is_finite() && node.ri_megohm > 0.0);
    }
    assert_eq!(
        cable.nodes.len(),
        1 + cell
            .sections
            .iter()
            .map(|s| s.nseg as usize + 1)
            .sum::<usize>()
    );
}

#[test]
fn axial_resistivity_follows_the_groups_in_order() {
    let mut cell = awkward_cell();
    cell.groups = vec![crate::back::neuron::morphology::GroupPlan {
        name: "dends".into(),
        sections: vec![1, 2],
    }];
    assert_eq!(axial_resistivity(&cell), vec![NEURON_DEFAULT_RA; 8]);
    cell.biophysics.resistivity = vec![(None, 150.0), (Some("dends".into()), 80.0)];
    assert_eq!(
        axial_resistivity(&cell),
        [150.0, 80.0, 80.0, 150.0, 150.0, 150.0, 150.0, 150.0]
    );
}

/// Builds every cell's sections in NEURON as our runner does and prints, per section, the
/// node index, area, ri and diam of sec(0), each segment centre and sec(1).
const NEURON_SCRIPT: &str = r#"
import json, sys
from neuron import h

def build(cell, k):
    secs = []
    for i, s in enumerate(cell):
        sec = h.Section(name="c%d_s%d" % (k, i))
        sec.nseg = s["nseg"]
        h.pt3dclear(sec=sec)
        for x, y, z, d in s["points"]:
            h.pt3dadd(x, y, z, d, sec=sec)
        if s["parent"] is not None:
            sec.connect(secs[s["parent"][0]](s["parent"][1]), 0)
        sec.Ra = s["ra"]
        secs.append(sec)
    return secs

def measure(secs):
    out = []
    for sec in secs:
        xs = [0.0] + [seg.x for seg in sec] + [1.0]
        out.append([[sec(x).node_index(), sec(x).area(), sec(x).ri(), sec(x).diam] for x in xs])
    return out

cells = [build(cell, k) for k, cell in enumerate(json.load(sys.stdin))]
# Node indices are those of the whole model, valid once its tree is set up.
h.finitialize()
json.dump([measure(secs) for secs in cells], sys.stdout)
"#;

/// A Python with NEURON: `LEMSC_PYTHON`, else `python3`. `None` (the test skips) on a
/// developer's machine without one; under CI (`CI=true`) that is a failure.
fn neuron_python() -> Option<String> {
    let python = std::env::var("LEMSC_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import neuron"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "no Python with `import neuron` (set LEMSC_PYTHON): under CI this is a failure"
    );
    println!("SKIPPED: no Python with `import neuron` (pip install neuron, set LEMSC_PYTHON)");
    None
}

/// One cell's numbers: per section, per x (0, the centres, 1), node index, area, ri, diam.
type Measured = Vec<Vec<(usize, f64, f64, f64)>>;

fn measure_in_neuron(python: &str, cells: &[(CellLayout, Vec<f64>)]) -> Vec<Measured> {
    let input: Vec<serde_json::Value> = cells
        .iter()
        .map(|(cell, ra)| {
            serde_json::Value::Array(
                cell.sections
                    .iter()
                    .zip(ra)
                    .map(|(s, ra)| {
                        serde_json::json!({
                            "nseg": s.nseg,
                            "points": s.points,
                            "parent": s.parent,
                            "ra": ra,
                        })
                    })
                    .collect(),
            )
        })
        .collect();
    let mut child = Command::new(python)
        .args(["-c", NEURON_SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python starts");
    serde_json::to_writer(child.stdin.take().unwrap(), &input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script's JSON")
}

/// Relative difference, for numbers expected to be non-negative.
fn relative(ours: f64, theirs: f64) -> f64 {
    if ours == theirs {
        0.0
    } else {
        (ours - theirs).abs() / theirs.abs().max(ours.abs())
    }
}

/// Checks `cable` against NEURON's numbers for the same cell; returns the largest relative
/// difference of areas and resistances.
fn compare(name: &str, cable: &CellCable, neuron: &Measured) -> f64 {
    assert_eq!(cable.sections.len(), neuron.len(), "{name}");
    // Our node for each of NEURON's node indices, and NEURON's for each of ours.
    let mut ours_of = std::collections::HashMap::new();
    let mut theirs_of = vec![usize::MAX; cable.nodes.len()];
    let mut worst: f64 = 0.0;
    for (s, (nodes, measured)) in cable.sections.iter().zip(neuron).enumerate() {
        assert_eq!(measured.len(), nodes.nseg + 2, "{name} section {s}");
        let (start, rest) = measured.split_first().unwrap();
        let (end, centres) = rest.split_last().unwrap();
        for (node, m) in nodes.centres().zip(centres).chain([(nodes.end, end)]) {
            let n = &cable.nodes[node];
            let at = format!("{name} section {s} x {}", n.x);
            assert_eq!(ours_of.insert(m.0, node), None, "{at}: one node twice");
            theirs_of[node] = m.0;
            for (what, ours, theirs) in [("area", n.area_um2, m.1), ("ri", n.ri_megohm, m.2)] {
                let d = relative(ours, theirs);
                assert!(d <= TOLERANCE, "{at}: {what} {ours} vs NEURON's {theirs}");
                worst = worst.max(d);
            }
            assert!(
                relative(n.diam_um, m.3) <= 1e-9,
                "{at}: diam {} vs {}",
                n.diam_um,
                m.3
            );
        }
        if cable.nodes[nodes.start].section == s {
            let root = &cable.nodes[nodes.start];
            assert_eq!(ours_of.insert(start.0, nodes.start), None, "{name}: root");
            theirs_of[nodes.start] = start.0;
            assert_eq!((root.area_um2, start.1), (0.0, 0.0));
            assert!(
                root.ri_megohm.is_infinite() && start.2 >= 1e30,
                "{name}: root ri"
            );
            assert!(relative(root.diam_um, start.3) <= 1e-9, "{name}: root diam");
        }
    }
    assert_eq!(
        ours_of.len(),
        cable.nodes.len(),
        "{name}: NEURON's nodes are ours, one to one"
    );
    // NEURON's node at each section's 0 end is the one its first centre hangs off.
    for (s, (nodes, measured)) in cable.sections.iter().zip(neuron).enumerate() {
        let parent = cable.nodes[nodes.first_centre].parent.unwrap();
        assert_eq!(
            theirs_of[parent], measured[0].0,
            "{name} section {s}: parent"
        );
        assert_eq!(
            theirs_of[nodes.start], measured[0].0,
            "{name} section {s}: start"
        );
        for x in [0.0, 0.2, 0.5, 0.77, 1.0] {
            let node = cable.node_at(s, x);
            let want = if x == 0.0 {
                measured[0].0
            } else if x == 1.0 {
                measured[nodes.nseg + 1].0
            } else {
                measured[1 + ((nodes.nseg as f64 * x) as usize).min(nodes.nseg - 1)].0
            };
            assert_eq!(theirs_of[node], want, "{name} node_at({s}, {x})");
        }
    }
    worst
}

fn example_cell(lems: &str, cell: &str) -> Option<CellLayout> {
    let path = Path::new(EXAMPLES).join(lems);
    if !path.is_file() {
        println!("skipped {cell}: {} is absent", path.display());
        return None;
    }
    let checked = check(std::slice::from_ref(&path), &Default::default());
    let model = checked
        .model
        .as_ref()
        .unwrap_or_else(|| panic!("{} does not load", path.display()));
    Some(layout(model, model.component_by_id[cell]).unwrap_or_else(|d| panic!("{cell}: {d:?}")))
}

#[test]
fn nodes_areas_and_resistances_are_neurons() {
    let Some(python) = neuron_python() else {
        return;
    };
    let mut cells = vec![("awkward", awkward_cell())];
    for (lems, cell) in [
        ("LEMS_NML2_Ex25_MultiComp.xml", "MultiCompCell"),
        ("morphologies/LEMS_pyrfull_in.xml", "pyr_4_sym"),
        ("morphologies/LEMS_m_in_b_in.xml", "pyr_soma_m_in_b_in"),
    ] {
        cells.extend(example_cell(lems, cell).map(|c| (cell, c)));
    }
    let with_ra: Vec<(CellLayout, Vec<f64>)> = cells
        .iter()
        .enumerate()
        .map(|(i, (_, cell))| {
            // The examples' own Ra; the awkward cell a different one per section.
            let ra = if i == 0 {
                (0..cell.sections.len())
                    .map(|s| 50.0 + 10.0 * s as f64)
                    .collect()
            } else {
                axial_resistivity(cell)
            };
            (cell.clone(), ra)
        })
        .collect();
    let measured = measure_in_neuron(&python, &with_ra);
    for ((name, _), ((cell, ra), neuron)) in cells.iter().zip(with_ra.iter().zip(&measured)) {
        let worst = compare(name, &cable(cell, ra), neuron);
        println!(
            "{name}: {} sections, {} nodes; largest relative difference from NEURON {worst:.1e}",
            cell.sections.len(),
            cable(cell, ra).nodes.len()
        );
    }
}
