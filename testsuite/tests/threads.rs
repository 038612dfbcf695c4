//! A step split between threads (`--threads`, `lemsc_runtime::engine::lanes`) writes the
//! bytes of a one-thread run. The models are the LEMS examples and real models whose steps
//! split into lanes (networks of cells that only reach each other through delayed events),
//! each run exact and with `--fast`, on one thread and on two threads with every step split
//! however small, and every output file compared byte for byte. OpenCortex's Deterministic
//! network sends its events without delay to synapses that `--fast` merges: its step stays
//! whole, and its bytes are compared too.

use std::path::{Path, PathBuf};

use lemsc::simulate::{run_file, Engine, RunOptions, Threads};
use lemsc_testsuite::runs::{first_error, two_at_a_time};
use lemsc_testsuite::scratch::Scratch;
use lemsc_testsuite::shared_dir;

/// `(file under ../shared, whether its step splits)`.
const MODELS: &[(&str, bool)] = &[
    ("neuroml2/LEMSexamples/LEMS_NML2_Ex0_IaF.xml", true),
    ("neuroml2/LEMSexamples/LEMS_NML2_Ex8_AdEx.xml", true),
    ("neuroml2/LEMSexamples/LEMS_NML2_Ex14_PyNN.xml", true),
    ("neuroml2/LEMSexamples/LEMS_NML2_Ex26_Weights.xml", true),
    (
        "realworld/GranCellLayer/neuroConstruct/generatedNeuroML2/LEMS_TestNet.xml",
        true,
    ),
    ("realworld/NeuroMLlite/examples/LEMS_SimExample4.xml", true),
    ("realworld/OpenCortex/examples/LEMS_SpikingNet.xml", true),
    (
        "realworld/OpenCortex/examples/LEMS_Deterministic.xml",
        false,
    ),
];

/// Every file under `dir`, relative to it, sorted, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("an output file can be read");
                let relative = path.strip_prefix(dir).expect("under dir").to_path_buf();
                found.push((relative, bytes));
            }
        }
    }
    found.sort();
    found
}

/// Runs `file` into `out` on `threads`; the threads the run used, or why it failed.
fn run(file: &Path, out: &Path, fast: bool, threads: Threads) -> Result<usize, String> {
    let opts = RunOptions {
        out_dir: Some(out.to_path_buf()),
        engine: Engine::Native,
        fast,
        threads,
        ..RunOptions::default()
    };
    run_file(file, &opts)
        .map(|outcome| outcome.threads)
        .map_err(|e| first_error(&e))
}

/// What went wrong with one model in one mode, or None.
fn compare(root: &Path, file: &str, splits: bool, fast: bool) -> Option<String> {
    let path = shared_dir().join(file);
    let name = format!(
        "{}{}",
        path.file_stem().unwrap().to_string_lossy(),
        if fast { "-fast" } else { "" }
    );
    let one_dir = root.join(&name).join("one");
    let split_dir = root.join(&name).join("split");
    if let Err(e) = run(&path, &one_dir, fast, Threads::ONE) {
        return Some(format!("{name}: one thread: {e}"));
    }
    let every_step = Threads {
        count: 2,
        min_work: Some(0),
    };
    let threads = match run(&path, &split_dir, fast, every_step) {
        Ok(threads) => threads,
        Err(e) => return Some(format!("{name}: two threads: {e}")),
    };
    if splits && threads != 2 {
        return Some(format!("{name}: ran on {threads} thread(s), expected 2"));
    }
    if !splits && threads != 1 {
        return Some(format!(
            "{name}: ran on {threads} threads, expected its step whole"
        ));
    }
    let (one, split) = (files_under(&one_dir), files_under(&split_dir));
    if one.is_empty() {
        return Some(format!("{name}: wrote no output file"));
    }
    let names = |files: &[(PathBuf, Vec<u8>)]| -> Vec<PathBuf> {
        files.iter().map(|(p, _)| p.clone()).collect()
    };
    if names(&one) != names(&split) {
        return Some(format!(
            "{name}: different files: {:?} and {:?}",
            names(&one),
            names(&split)
        ));
    }
    let differing: Vec<String> = one
        .iter()
        .zip(&split)
        .filter(|((_, a), (_, b))| a != b)
        .map(|((p, _), _)| p.display().to_string())
        .collect();
    (!differing.is_empty()).then(|| format!("{name}: bytes differ in {differing:?}"))
}

#[test]
fn a_split_step_writes_the_bytes_of_one_thread_on_real_networks() {
    assert_eq!(
        Engine::Native.available(),
        Engine::Native,
        "this test needs the native engine (cargo feature `lemsc/native`)"
    );
    let root = Scratch::fresh(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("threads"));
    let cases: Vec<(&str, bool, bool)> = MODELS
        .iter()
        .flat_map(|&(file, splits)| [(file, splits, false), (file, splits, true)])
        .collect();
    let failures: Vec<String> = two_at_a_time(&cases, |&(file, splits, fast)| {
        let result = compare(&root, file, splits, fast);
        eprintln!(
            "{file}{}: {}",
            if fast { " --fast" } else { "" },
            result.as_deref().unwrap_or("same bytes")
        );
        result
    })
    .into_iter()
    .flatten()
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
