//! Hostile models: whatever a model file names, a run writes only inside its output folder,
//! never over an input of the model, only regular files, and leaves nothing complete-looking
//! when it fails. Each test writes its model into a fresh temporary folder and compares the
//! tree around it before and after.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lemsc::back::neuron::{export_file as export_neuron, NeuronRunOptions};
use lemsc::simulate::{run_file, Engine, RunOptions, SimError};
use lemsc::CheckOptions;

/// A fresh folder `<tmp>/lemsc-safety-PID-NAME/`, with the model folder `model/` inside it,
/// so that a write "outside" lands in the scratch folder where the test can see it.
struct Scratch {
    top: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let top = std::env::temp_dir().join(format!("lemsc-safety-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&top);
        std::fs::create_dir_all(top.join("model")).unwrap();
        Scratch {
            top: std::fs::canonicalize(top).unwrap(),
        }
    }

    fn model_dir(&self) -> PathBuf {
        self.top.join("model")
    }

    /// Writes `model/NAME` with the simulation of [`model_text`] recording into `outputs`.
    fn model(&self, name: &str, outputs: &str) -> PathBuf {
        let path = self.model_dir().join(name);
        std::fs::write(&path, model_text(outputs)).unwrap();
        path
    }

    /// Every file and folder under the scratch folder, with file contents.
    fn tree(&self) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
        let mut found = BTreeMap::new();
        let mut stack = vec![self.top.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                let meta = std::fs::symlink_metadata(&path).unwrap();
                let rel = path.strip_prefix(&self.top).unwrap().to_path_buf();
                if meta.is_dir() {
                    stack.push(path);
                    found.insert(rel, None);
                } else if meta.is_file() {
                    found.insert(rel, Some(std::fs::read(&path).unwrap()));
                } else {
                    found.insert(rel, None);
                }
            }
        }
        found
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.top);
    }
}

/// An Izhikevich cell simulated for 1 ms; `outputs` goes inside the `<Simulation>`.
fn model_text(outputs: &str) -> String {
    format!(
        r#"<Lems>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Simulation.xml"/>
    <izhikevichCell id="izh" v0="-70mV" thresh="30mV" a="0.02" b="0.2" c="-50.0" d="2"/>
    <network id="net">
        <population id="pop" component="izh" size="1"/>
    </network>
    <Simulation id="sim" length="1ms" step="0.01ms" target="net">
{outputs}
    </Simulation>
    <Target component="sim"/>
</Lems>
"#
    )
}

fn trace(file_name: &str) -> String {
    format!(
        r#"        <OutputFile id="of" fileName="{file_name}">
            <OutputColumn id="v" quantity="pop[0]/v"/>
        </OutputFile>"#
    )
}

fn spikes(file_name: &str) -> String {
    format!(
        r#"        <EventOutputFile id="ev" fileName="{file_name}" format="TIME_ID">
            <EventSelection id="0" select="pop[0]" eventPort="spike"/>
        </EventOutputFile>"#
    )
}

fn opts() -> RunOptions {
    RunOptions {
        engine: Engine::Interpreter,
        ..RunOptions::default()
    }
}

fn allowing_outside() -> RunOptions {
    RunOptions {
        check: CheckOptions {
            allow_writes_outside: true,
            ..CheckOptions::default()
        },
        ..opts()
    }
}

/// Runs `model` and expects a model error whose text says `words`; the scratch tree must be
/// unchanged.
fn refused(scratch: &Scratch, model: &Path, opts: &RunOptions, words: &str) {
    let before = scratch.tree();
    let err = match run_file(model, opts) {
        Ok(_) => panic!("{}: the run was accepted", model.display()),
        Err(err) => err,
    };
    let summary = err.summary();
    assert!(matches!(err, SimError::Model { .. }), "{summary}");
    assert!(summary.contains(words), "expected '{words}' in: {summary}");
    assert_eq!(scratch.tree(), before, "a refused run changed files");
}

#[test]
fn a_plain_model_writes_inside_its_folder() {
    let scratch = Scratch::new("plain");
    let model = scratch.model(
        "m.xml",
        &(trace("results/v.dat") + &spikes("results/s.spk")),
    );
    let outcome = run_file(&model, &opts()).unwrap();
    assert_eq!(outcome.outputs.len(), 2);
    let files: Vec<PathBuf> = scratch.tree().into_keys().collect();
    assert_eq!(
        files,
        [
            "model",
            "model/m.xml",
            "model/results",
            "model/results/s.spk",
            "model/results/v.dat"
        ]
        .map(PathBuf::from)
    );
}

#[test]
fn parent_folders_and_absolute_paths_are_refused_at_their_line() {
    let scratch = Scratch::new("traversal");
    let outside = scratch.top.join("abs.dat");
    for (i, name) in [
        "../escape.dat".to_string(),
        "results/../../escape.dat".to_string(),
        outside.display().to_string(),
    ]
    .iter()
    .enumerate()
    {
        let model = scratch.model(&format!("t{i}.xml"), &trace(name));
        refused(&scratch, &model, &opts(), &format!("t{i}.xml:10:"));
        refused(&scratch, &model, &opts(), "leaves the output folder");
        let model = scratch.model(&format!("e{i}.xml"), &spikes(name));
        refused(&scratch, &model, &opts(), "leaves the output folder");
    }
}

#[test]
fn the_path_attribute_is_a_folder_and_is_confined_too() {
    let scratch = Scratch::new("pathattr");
    let good = trace("v.dat").replace("fileName=", "path=\"results\" fileName=");
    let model = scratch.model("good.xml", &good);
    run_file(&model, &opts()).unwrap();
    assert!(scratch.model_dir().join("results/v.dat").is_file());
    let bad = trace("v.dat").replace("fileName=", "path=\"..\" fileName=");
    let model = scratch.model("bad.xml", &bad);
    refused(
        &scratch,
        &model,
        &opts(),
        "'../v.dat' leaves the output folder",
    );
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_folder_is_followed_and_refused() {
    let scratch = Scratch::new("link");
    std::fs::create_dir(scratch.top.join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(
        scratch.top.join("elsewhere"),
        scratch.model_dir().join("out"),
    )
    .unwrap();
    let model = scratch.model("m.xml", &trace("out/v.dat"));
    refused(&scratch, &model, &opts(), "outside the output folder");
    refused(&scratch, &model, &opts(), "m.xml:10:");
}

#[test]
fn the_model_and_its_includes_are_never_overwritten() {
    let scratch = Scratch::new("clobber");
    let model = scratch.model("m.xml", &trace("m.xml"));
    refused(&scratch, &model, &opts(), "is an input file of the model");
    refused(&scratch, &model, &allowing_outside(), "input file");

    let cell = r#"<Lems><izhikevichCell id="izh2" v0="-70mV" thresh="30mV" a="0.02" b="0.2" c="-50.0" d="2"/></Lems>"#;
    std::fs::write(scratch.model_dir().join("cell.xml"), cell).unwrap();
    let text =
        model_text(&spikes("./cell.xml")).replace("<Lems>", "<Lems>\n<Include file=\"cell.xml\"/>");
    let model = scratch.model_dir().join("inc.xml");
    std::fs::write(&model, text).unwrap();
    refused(&scratch, &model, &opts(), "is an input file of the model");
}

#[test]
fn folders_and_devices_are_never_replaced() {
    let scratch = Scratch::new("special");
    std::fs::create_dir(scratch.model_dir().join("v.dat")).unwrap();
    let model = scratch.model("m.xml", &trace("v.dat"));
    refused(&scratch, &model, &opts(), "is a folder, not a regular file");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/dev/null", scratch.model_dir().join("null.dat")).unwrap();
        let model = scratch.model("n.xml", &trace("null.dat"));
        refused(&scratch, &model, &allowing_outside(), "not a regular file");
        let model = scratch.model("d.xml", &spikes("/dev/null"));
        refused(&scratch, &model, &allowing_outside(), "is a device");
    }
}

#[test]
fn the_out_folder_is_the_root_when_given() {
    let scratch = Scratch::new("outdir");
    let out = scratch.top.join("out");
    let with_out = RunOptions {
        out_dir: Some(out.clone()),
        ..opts()
    };
    let model = scratch.model("m.xml", &trace("results/v.dat"));
    run_file(&model, &with_out).unwrap();
    assert!(out.join("results/v.dat").is_file());
    assert!(!scratch.model_dir().join("results").exists());
    // A link in the out folder to the model's folder leads outside it.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(scratch.model_dir(), out.join("up")).unwrap();
        let model = scratch.model("l.xml", &trace("up/v.dat"));
        refused(&scratch, &model, &with_out, "outside the output folder");
    }
}

#[test]
fn writes_outside_are_allowed_only_when_asked_for() {
    let scratch = Scratch::new("allowed");
    let model = scratch.model("m.xml", &trace("../beside.dat"));
    refused(&scratch, &model, &opts(), "--allow-writes-outside");
    run_file(&model, &allowing_outside()).unwrap();
    assert!(scratch.top.join("beside.dat").is_file());
}

#[test]
fn the_neuron_export_is_confined_before_writing_anything() {
    let scratch = Scratch::new("neuron");
    let model = scratch.model("m.xml", &trace("../escape.dat"));
    let before = scratch.tree();
    let err = export_neuron(&model, &NeuronRunOptions::default())
        .err()
        .expect("refused");
    assert!(
        err.summary().contains("leaves the output folder"),
        "{err:?}"
    );
    assert_eq!(scratch.tree(), before);

    // A link planted where a generated file goes is refused too.
    let model = scratch.model("g.xml", &trace("v.dat"));
    std::fs::create_dir(scratch.model_dir().join("g_nrn.py")).unwrap();
    let before = scratch.tree();
    let err = export_neuron(&model, &NeuronRunOptions::default())
        .err()
        .expect("refused");
    assert!(err.summary().contains("not a regular file"), "{err:?}");
    assert_eq!(scratch.tree(), before);

    // The same model with a clean folder exports inside it.
    std::fs::remove_dir(scratch.model_dir().join("g_nrn.py")).unwrap();
    let outcome = export_neuron(&model, &NeuronRunOptions::default()).unwrap();
    for file in &outcome.files {
        assert!(file.starts_with(scratch.model_dir()), "{}", file.display());
    }
}

/// Ids written to break out of generated code: a Python statement after a closing quote, a
/// VERBATIM block after a closing comment, quotes, a backslash, a newline (`&#10;`),
/// non-ASCII, 300 characters; and a LEMS file name of 250 characters.
fn hostile_neuron_model() -> String {
    let long = "L".repeat(300);
    let python = "&apos;); import os; os.system(&apos;touch INJECTED&apos;) #";
    let nmodl = "q&quot;\\&#10;x}ENDCOMMENT VERBATIM system(&quot;touch INJECTED&quot;); \
                 ENDVERBATIM &#233;";
    let cell = |id: &str| {
        format!(
            r#"<izhikevichCell id="{id}" v0="-70mV" thresh="30mV" a="0.02" b="0.2" c="-50.0" d="2"/>"#
        )
    };
    format!(
        r#"<Lems>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Inputs.xml"/>
    <Include file="Simulation.xml"/>
    {}
    {}
    {}
    <pulseGenerator id="p&apos;&quot;&#10;" delay="1ms" duration="20ms" amplitude="10nA"/>
    <network id="net&apos;&#10;os.system(&apos;touch INJECTED&apos;)">
        <population id="a" component="{python}" size="1"/>
        <population id="b" component="{nmodl}" size="1"/>
        <population id="c" component="{long}" size="2"/>
        <explicitInput target="a[0]" input="p&apos;&quot;&#10;"/>
    </network>
    <Simulation id="sim&quot;" length="30ms" step="0.01ms"
                target="net&apos;&#10;os.system(&apos;touch INJECTED&apos;)">
        <OutputFile id="of&apos;" fileName="v&apos;&quot;.dat">
            <OutputColumn id="{python}" quantity="a[0]/v"/>
            <OutputColumn id="\&#10;" quantity="b[0]/v"/>
            <OutputColumn id="{long}" quantity="c[1]/v"/>
        </OutputFile>
        <EventOutputFile id="ev" fileName="s.spikes" format="TIME_ID">
            <EventSelection id="{python}" select="a[0]" eventPort="spike"/>
            <EventSelection id="{nmodl}{long}" select="c[0]" eventPort="spike"/>
        </EventOutputFile>
    </Simulation>
    <Target component="sim&quot;"/>
</Lems>
"#,
        cell(python),
        cell(nmodl),
        cell(&long)
    )
}

/// The NEURON export of [`hostile_neuron_model`] writes only into its output folder, names
/// every file within the file system's limits and every mod line within nocmodl's, and
/// gives a runner Python compiles. With NEURON (required under CI) it is also compiled by
/// nrnivmodl and run: nothing is written outside the output folder (nrnivmodl's `x86_64/`
/// is inside it), no payload runs, and the spike file holds the ids as written.
#[test]
fn hostile_ids_never_inject_code_into_the_neuron_export() {
    let scratch = Scratch::new("neuron-ids");
    let model = scratch.model_dir().join(format!("{}.xml", "M".repeat(250)));
    std::fs::write(&model, hostile_neuron_model()).unwrap();
    let out = scratch.top.join("out");
    let run = !lemsc_testsuite::simulators::skipped_without_neuron(
        "hostile_ids_never_inject_code_into_the_neuron_export (run part)",
    );
    let before = scratch.tree();
    let opts = NeuronRunOptions {
        out_dir: Some(out.clone()),
        run,
        ..NeuronRunOptions::default()
    };
    let outcome = export_neuron(&model, &opts).unwrap_or_else(|e| panic!("{}", e.summary()));
    let after = scratch.tree();

    // Only the output folder changed, and no payload ran anywhere in the scratch folder.
    for (path, content) in &before {
        assert_eq!(after.get(path), Some(content), "{} changed", path.display());
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        assert!(
            path.starts_with("out"),
            "written outside: {}",
            path.display()
        );
        assert_ne!(path.file_name().unwrap(), "INJECTED", "a payload ran");
        assert_ne!(path.file_name().unwrap(), "__pycache__");
    }

    let mut mods = 0;
    for file in &outcome.files {
        assert!(file.starts_with(&out), "{}", file.display());
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.len() <= 255, "{name}");
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.is_ascii(), "{name} is not ASCII");
        if name.ends_with(".mod") {
            mods += 1;
            assert!(name.len() <= 80, "{name}");
            let longest = text.lines().map(str::len).max().unwrap_or(0);
            assert!(longest < 512, "{name}: a line of {longest} characters");
            // Model text stays inside names and `:` comments: no line opens a block.
            let opens_block = |l: &str| {
                let l = l.trim_start();
                l.starts_with("VERBATIM") || l.starts_with("COMMENT")
            };
            assert!(!text.lines().any(opens_block), "{name} opens a block");
        }
    }
    assert_eq!(mods, 4, "three cells and the pulse generator");
    assert!(outcome.runner.file_name().unwrap().len() <= 255);
    let python = lemsc_testsuite::simulators::neuron_python().unwrap_or("python3");
    let compiled = std::process::Command::new(python)
        .args([
            "-c",
            "import sys; compile(open(sys.argv[1]).read(), sys.argv[1], 'exec')",
        ])
        .arg(&outcome.runner)
        .output()
        .expect("python runs");
    assert!(
        compiled.status.success(),
        "the runner does not compile: {}",
        String::from_utf8_lossy(&compiled.stderr)
    );

    if run {
        assert_eq!(outcome.status, Some(0), "the runner failed");
        assert!(
            out.join("x86_64").is_dir(),
            "nrnivmodl builds inside the folder"
        );
        let trace = std::fs::read_to_string(out.join("v'\".dat")).unwrap();
        assert_eq!(
            trace.lines().count(),
            3001,
            "30 ms at 0.01 ms and the first row"
        );
        let spikes = std::fs::read_to_string(out.join("s.spikes")).unwrap();
        let ids: BTreeMap<&str, usize> = spikes.lines().fold(BTreeMap::new(), |mut ids, line| {
            let id = line.split_once('\t').map(|(_, id)| id).unwrap_or("");
            *ids.entry(id).or_default() += 1;
            ids
        });
        let python_id = "'); import os; os.system('touch INJECTED') #";
        assert!(ids.get(python_id).is_some_and(|&n| n > 0), "{spikes}");
        assert_eq!(ids.len(), 1, "only the driven cell spikes: {spikes}");
    }
}
