//! `--plot`: every LEMS example the native target runs, run with plots, must give for each
//! `<Display>` a PNG that decodes to the plot size with something drawn on it, and a
//! well-formed SVG with one polyline per Line that resolved. Plots are confined to the output
//! folder like output files, and a run without `--plot` draws nothing.

use std::path::{Path, PathBuf};

use lemsc::plot::displays::{displays, DisplaySpec};
use lemsc::plot::{HEIGHT, WIDTH};
use lemsc::simulate::{check_file, run_file, RunOptions, SimError};
use lemsc::CheckOptions;
use lemsc_testsuite::scratch::Scratch;
use lemsc_testsuite::shared_dir;
use quick_xml::events::Event;
use quick_xml::Reader;

fn example_files() -> Vec<PathBuf> {
    lemsc_testsuite::native_lems_examples()
}

fn out_root(name: &str) -> Scratch {
    Scratch::fresh(
        PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("plots")
            .join(name),
    )
}

fn plotting(out_dir: &Path) -> RunOptions {
    RunOptions {
        out_dir: Some(out_dir.to_path_buf()),
        plot: true,
        ..RunOptions::default()
    }
}

/// The Displays of a file, as the plots draw them.
fn display_specs(file: &Path) -> Vec<DisplaySpec> {
    let checked = check_file(file, &CheckOptions::default())
        .unwrap_or_else(|e| panic!("{}: {}", file.display(), e.summary()));
    displays(
        checked.model.as_ref().unwrap(),
        checked.ir.as_ref().unwrap(),
    )
}

/// Decodes a PNG: its size and the share of its pixels that are not the white background.
fn png_ink(path: &Path) -> Result<((u32, u32), f64), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .map_err(|e| e.to_string())?;
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).map_err(|e| e.to_string())?;
    let channels = info.color_type.samples();
    let data = &pixels[..info.buffer_size()];
    let inked = data
        .chunks_exact(channels)
        .filter(|px| px.iter().take(3).any(|&c| c < 250))
        .count();
    let total = (info.width * info.height) as f64;
    Ok(((info.width, info.height), inked as f64 / total))
}

/// Parses an SVG to its end (an error if it is not well-formed XML); the number of
/// polylines drawn with the Lines' stroke width and the total of their points.
fn svg_lines(path: &Path) -> Result<(usize, usize), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let mut reader = Reader::from_str(&text);
    let (mut lines, mut points, mut root_seen) = (0, 0, false);
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name)
                        .ok()
                        .flatten()
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned())
                };
                match e.name().as_ref() {
                    b"svg" => {
                        root_seen = true;
                        if attr("width") != Some(WIDTH.to_string()) {
                            return Err(format!("svg width {:?}", attr("width")));
                        }
                    }
                    b"polyline" if attr("stroke-width").as_deref() == Some("2") => {
                        lines += 1;
                        points += attr("points")
                            .unwrap_or_default()
                            .split_whitespace()
                            .count();
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if !root_seen {
        return Err("no <svg> element".into());
    }
    Ok((lines, points))
}

#[test]
fn every_display_of_every_example_is_drawn_as_png_and_svg() {
    let root = out_root("examples");
    let mut failures = Vec::new();
    let mut drawn = 0;
    for file in example_files() {
        let name = file.file_stem().unwrap().to_string_lossy().into_owned();
        let specs = display_specs(&file);
        let outcome = match run_file(&file, &plotting(&root.join(&name))) {
            Ok(outcome) => outcome,
            Err(e) => {
                failures.push(format!("{name}: {}", e.summary()));
                continue;
            }
        };
        if outcome.plots.len() != 2 * specs.len() {
            failures.push(format!(
                "{name}: {} plot files for {} Displays",
                outcome.plots.len(),
                specs.len()
            ));
            continue;
        }
        for (spec, files) in specs.iter().zip(outcome.plots.chunks(2)) {
            let (png_file, svg_file) = (&files[0], &files[1]);
            let label = format!("{name} Display {}", spec.id);
            // Named after the Display (a Display without an id gets `displayN`).
            let stem = |f: &Path| f.file_stem().unwrap().to_string_lossy().into_owned();
            assert_eq!(stem(png_file), stem(svg_file), "{label}");
            assert!(
                spec.id.is_empty() || stem(png_file) == spec.id,
                "{label}: {png_file:?}"
            );
            assert_eq!(png_file.extension().unwrap(), "png", "{label}");
            assert_eq!(svg_file.extension().unwrap(), "svg", "{label}");
            match png_ink(png_file) {
                Ok((size, _)) if size != (WIDTH, HEIGHT) => {
                    failures.push(format!("{label}: PNG of {size:?}"))
                }
                // Axes and text alone ink about 2%; a blank or all-dark image is wrong.
                Ok((_, ink)) if !(0.01..0.6).contains(&ink) => {
                    failures.push(format!("{label}: {:.1}% of the PNG inked", ink * 100.0))
                }
                Ok(_) => {}
                Err(e) => failures.push(format!("{label}: PNG does not decode: {e}")),
            }
            match svg_lines(svg_file) {
                Ok((lines, _)) if lines != spec.lines.len() => failures.push(format!(
                    "{label}: {lines} polylines in the SVG for {} Lines",
                    spec.lines.len()
                )),
                Ok((lines, points)) if lines > 0 && points < 2 * lines => {
                    failures.push(format!("{label}: {points} points for {lines} lines"))
                }
                Ok(_) => {}
                Err(e) => failures.push(format!("{label}: SVG is not well formed: {e}")),
            }
            drawn += 1;
        }
        // Outputs are still written where the model names them, and only those.
        assert!(
            outcome
                .outputs
                .iter()
                .all(|f| f.starts_with(root.join(&name))),
            "{name}: {:?}",
            outcome.outputs
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(drawn >= 60, "only {drawn} Displays drawn");
}

#[test]
fn a_run_without_plot_draws_nothing() {
    let root = out_root("no_plot");
    let file = shared_dir().join("neuroml2/LEMSexamples/LEMS_NML2_Ex1_HH.xml");
    let opts = RunOptions {
        out_dir: Some(root.to_path_buf()),
        ..RunOptions::default()
    };
    let outcome = run_file(&file, &opts).unwrap_or_else(|e| panic!("{}", e.summary()));
    assert!(outcome.plots.is_empty());
    assert_eq!(outcome.outputs, vec![root.join("results/hh_v.dat")]);
    let drawn: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().ends_with(".png"))
        .collect();
    assert!(drawn.is_empty(), "{drawn:?}");
}

#[test]
fn a_display_whose_plot_would_leave_the_output_folder_is_refused_at_the_display() {
    let root = out_root("escape");
    std::fs::create_dir_all(&root).unwrap();
    let file = root.join("escape.xml");
    let text = r##"<Lems>
  <Target component="sim"/>
  <Include file="NeuroML2CoreTypes.xml"/>
  <Include file="Simulation.xml"/>
  <iafCell id="cell" leakReversal="-50mV" thresh="-55mV" reset="-70mV" C="0.2nF" leakConductance="0.01uS"/>
  <network id="net"><population id="pop" component="cell" size="1"/></network>
  <Simulation id="sim" length="10ms" step="0.01ms" target="net">
    <Display id="../outside" title="v" timeScale="1ms" xmin="0" xmax="10" ymin="-80" ymax="-40">
      <Line id="v" quantity="pop[0]/v" scale="1mV" color="#000000" timeScale="1ms"/>
    </Display>
  </Simulation>
</Lems>"##;
    std::fs::write(&file, text).unwrap();
    let out = root.join("out");
    let err = run_file(&file, &plotting(&out)).err().expect("refused");
    let SimError::Model { .. } = &err else {
        panic!("expected a located error, got {err:?}");
    };
    let summary = err.summary();
    assert!(summary.contains("escape.xml:8:"), "{summary}");
    assert!(summary.contains("outside.png"), "{summary}");
    assert!(!root.join("outside.png").exists());
    // Inside the folder, the same model draws its Display.
    std::fs::write(&file, text.replace("../outside", "inside")).unwrap();
    let outcome = run_file(&file, &plotting(&out)).unwrap_or_else(|e| panic!("{}", e.summary()));
    assert_eq!(
        outcome.plots,
        vec![out.join("inside.png"), out.join("inside.svg")]
    );
    let (size, ink) = png_ink(&out.join("inside.png")).unwrap();
    assert_eq!(size, (WIDTH, HEIGHT));
    assert!(ink > 0.01);
    assert_eq!(svg_lines(&out.join("inside.svg")).unwrap().0, 1);
}
