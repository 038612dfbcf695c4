//! `cargo xtask bench --multicompartment [--cells 100] [--engines lemsc,eden,neuron] [--quick]`:
//! lemsc's native multi-compartment cells against lemsc's NEURON export and EDEN, whole runs
//! (start-up, compilation, simulation, output files), on
//!
//! - the multi-compartment examples: `LEMS_NML2_Ex25_MultiComp.xml` (3 cells of 4
//!   compartments, AMPA/NMDA synapses), `morphologies/LEMS_pyrfull_in.xml` (one 9-compartment
//!   pyramidal cell) and `morphologies/LEMS_m_in_b_in.xml` (its one-compartment soma, run
//!   natively with `--cell-numerics neuron`, as the NEURON-like numerics are what is timed);
//! - `pyr-net`, N of those pyramidal cells connected by synapses on their dendrites (see
//!   [`super::pyr_net`]), whose spike counts are compared across engines.
//!
//! The engines are run and measured by the network benchmark's code (same `wait4` figures,
//! same NEURON twice: the first run includes nrnivmodl, the second reuses it; same EDEN
//! single-threaded with the gcc shim). The table is printed and written to
//! `target/bench-work/multicomp/report.md`.

use super::*;

const USAGE: &str = "usage: cargo xtask bench --multicompartment [--cells 100] \
                     [--engines lemsc,eden,neuron] [--quick]";

/// The examples timed, under `LEMSexamples/`: file, lemsc's extra native options, cells.
const EXAMPLES: &[(&str, &[&str], usize)] = &[
    ("LEMS_NML2_Ex25_MultiComp.xml", &[], 3),
    ("morphologies/LEMS_pyrfull_in.xml", &[], 1),
    (
        "morphologies/LEMS_m_in_b_in.xml",
        &["--cell-numerics", "neuron"],
        1,
    ),
];

/// Simulated length of `pyr-net` (a tenth with `--quick`).
const NETWORK_MS: f64 = 1000.0;

struct McOptions {
    cells: usize,
    lemsc: bool,
    eden: bool,
    neuron: bool,
    quick: bool,
}

fn parse_options(args: &[String]) -> Result<McOptions, String> {
    let mut cells = 100;
    let set_cells = |n: &str| {
        cells =
            cell_count(n).ok_or_else(|| format!("--cells wants a cell count >= 2, got `{n}`"))?;
        Ok(())
    };
    let known = ["lemsc", "eden", "neuron"];
    let args = parse_args(
        args,
        "--multicompartment",
        &known,
        USAGE,
        ("--cells", set_cells),
    )?;
    let names = args.engines.unwrap_or_else(|| known.to_vec());
    Ok(McOptions {
        cells,
        lemsc: names.contains(&"lemsc"),
        eden: names.contains(&"eden"),
        neuron: names.contains(&"neuron"),
        quick: args.quick,
    })
}

/// One model of this benchmark.
struct McModel {
    name: String,
    cells: usize,
    lems: PathBuf,
    /// Options lemsc's native run gets (the NEURON export and EDEN have their own numerics).
    native_args: &'static [&'static str],
    /// The spike file, relative to the run's output folder, for models that write one.
    spikes: Option<String>,
    /// Short folder name for this model's runs.
    slug: String,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse_options(args)?;
    let root = workspace_root();
    let work = root.join("target/bench-work/multicomp");
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;

    let python = ensure_eden_venv(&root)?;
    let lemsc = build_lemsc(&root, &work)?;
    let neuron_python = options
        .neuron
        .then(crate::deps::ensure_neuron)
        .transpose()?;
    let eden = options.eden.then(|| eden_executable(&python)).transpose()?;
    let models = prepare_models(&root, &work, &options)?;
    let lemsc_ftz = lemsc_ftz_state(&lemsc, &work.join("ftz-probe"))?;

    let mut rows = Vec::new();
    for model in &models {
        let runs = work.join("runs").join(&model.slug);
        let mut add = |engine: Engine, result: Result<Measured, String>, ftz: &'static str| {
            match &result {
                Ok(m) => eprintln!(
                    "bench: {} {}: {:.2} s wall, {:.2} s CPU",
                    model.name,
                    engine.label(),
                    m.wall_s,
                    m.cpu_s
                ),
                Err(why) => eprintln!("bench: {} {}: FAILED: {why}", model.name, engine.label()),
            }
            rows.push(Row {
                model: model.name.clone(),
                cells: model.cells,
                engine,
                result,
                ftz,
            });
        };
        if options.lemsc {
            eprintln!("bench: {} with lemsc", model.name);
            add(
                Engine::Lemsc,
                run_native(&lemsc, model, &runs.join("lemsc")),
                lemsc_ftz,
            );
        }
        if let Some(eden) = &eden {
            eprintln!("bench: {} with EDEN", model.name);
            add(
                Engine::Eden,
                run_eden_in_place(&root, eden, model, &runs.join("eden")),
                EDEN_FTZ,
            );
        }
        if let Some(python) = &neuron_python {
            let out = runs.join("neuron");
            // A fresh folder, so the first run includes nrnivmodl.
            remove_dir(&out)?;
            for engine in [Engine::NeuronBuild, Engine::Neuron] {
                eprintln!("bench: {} with {}", model.name, engine.label());
                add(
                    engine,
                    run_neuron_export(&lemsc, python, model, &out),
                    NEURON_FTZ,
                );
            }
        }
    }

    finish(
        &work,
        &report(&rows, &header(&options), &[]),
        &rows,
        Vec::new(),
    )
}

fn header(options: &McOptions) -> String {
    let ms = network_ms(options);
    format!(
        "## Multi-compartment benchmark: lemsc native, EDEN, NEURON export\n\n\
         Whole runs (start-up, code generation and compilation, simulation, output files); one \
         run each; CPU = user + sys of the process and its children; RSS = peak resident set; \
         sim = the engine's own simulation-phase time (wall) where it reports one. The examples \
         run as written (Ex25 140 ms at 0.005 ms; pyrfull_in 700 ms at 0.01 ms; m_in_b_in 700 ms \
         at 0.0025 ms, natively with `--cell-numerics neuron`); pyr-net N={} simulates {ms} ms at \
         {} ms with {} synapses per cell. Spike counts are compared on pyr-net (the examples \
         write voltage traces only; `testsuite/tests/native_cable.rs` checks those against the \
         NEURON export).\n",
        options.cells,
        pyr_net::STEP_MS,
        pyr_net::INPUTS_PER_CELL
    )
}

fn network_ms(options: &McOptions) -> f64 {
    if options.quick {
        NETWORK_MS / 10.0
    } else {
        NETWORK_MS
    }
}

/// Copies the examples to `work/neuroml2` (EDEN writes its outputs next to them, and
/// `../shared` is read-only) and writes `pyr-net` into `work/models`.
fn prepare_models(root: &Path, work: &Path, options: &McOptions) -> Result<Vec<McModel>, String> {
    let shared = root.join("../shared/neuroml2");
    let copy = work.join("neuroml2");
    remove_dir(&copy)?;
    // Ex25 includes cells and channels from `../examples`.
    for folder in ["LEMSexamples", "examples"] {
        crate::bench::copy_dir(&shared.join(folder), &copy.join(folder))?;
    }
    let mut models = Vec::new();
    for &(file, native_args, cells) in EXAMPLES {
        let lems = copy.join("LEMSexamples").join(file);
        let stem = lems
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = lems.parent().expect("examples sit in a folder");
        std::fs::create_dir_all(folder.join("results"))
            .map_err(|e| format!("cannot create results/ in {}: {e}", folder.display()))?;
        models.push(McModel {
            name: stem.trim_start_matches("LEMS_").to_string(),
            cells,
            lems,
            native_args,
            spikes: None,
            slug: stem,
        });
    }
    let net = pyr_net::write(
        &work.join("models"),
        &shared.join("LEMSexamples/morphologies"),
        options.cells,
        network_ms(options),
    )?;
    models.push(McModel {
        name: format!("pyr-net N={}", options.cells),
        cells: options.cells,
        lems: net.lems,
        native_args: &[],
        spikes: Some(net.spikes),
        slug: format!("pyr-net_N{}", options.cells),
    });
    Ok(models)
}

/// The spike count in `dir`, for the models that write spikes.
fn spikes_in(model: &McModel, dir: &Path) -> Result<Option<usize>, String> {
    match &model.spikes {
        Some(file) => count_spikes(&dir.join(file)).map(Some),
        None => Ok(None),
    }
}

fn run_native(lemsc: &Path, model: &McModel, out: &Path) -> Result<Measured, String> {
    fresh_dir(out)?;
    let mut cmd = Command::new(lemsc);
    cmd.arg(&model.lems)
        .args(model.native_args)
        .arg("-v")
        .arg("-o")
        .arg(out);
    let mut m = measure(&mut cmd, out)?;
    m.sim_s = lemsc_sim_seconds(out);
    m.spikes = spikes_in(model, out)?;
    Ok(m)
}

/// EDEN in the model's own folder, where its includes are and its outputs go; logs in `out`.
fn run_eden_in_place(
    root: &Path,
    eden: &Path,
    model: &McModel,
    out: &Path,
) -> Result<Measured, String> {
    fresh_dir(out)?;
    let folder = model.lems.parent().expect("models sit in a folder");
    if let Some(file) = &model.spikes {
        let _ = std::fs::remove_file(folder.join(file));
    }
    let lems = model.lems.file_name().expect("models have file names");
    let mut m = measure_eden(root, eden, Path::new(lems), folder, out)?;
    m.spikes = spikes_in(model, folder)?;
    Ok(m)
}

fn run_neuron_export(
    lemsc: &Path,
    python: &Path,
    model: &McModel,
    out: &Path,
) -> Result<Measured, String> {
    if let Some(file) = &model.spikes {
        let _ = std::fs::remove_file(out.join(file));
    }
    let mut m = measure_neuron(lemsc, python, &model.lems, &[], out)?;
    m.spikes = spikes_in(model, out)?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_and_lists() {
        let o = parse_options(&["--multicompartment".into()]).unwrap();
        assert_eq!(o.cells, 100);
        assert!(o.lemsc && o.eden && o.neuron && !o.quick);
        let args: Vec<String> = ["--cells", "50", "--engines", "lemsc,neuron", "--quick"]
            .map(String::from)
            .into();
        let o = parse_options(&args).unwrap();
        assert_eq!(o.cells, 50);
        assert!(o.lemsc && !o.eden && o.neuron && o.quick);
        assert_eq!(network_ms(&o), 100.0);
        assert!(parse_options(&["--cells".into(), "1".into()]).is_err());
        assert!(parse_options(&["--engines".into(), "nest".into()]).is_err());
    }
}
