//! `cargo xtask bench [--quick]`: lemsc against jNeuroML (jLEMS) on the official LEMS examples,
//! end to end (process start to exit, output files written), median of three runs each.
//! `--networks` runs the network benchmark of [`crate::bench_networks`] instead, and
//! `--multicompartment` its multi-compartment benchmark (Ex25, the `morphologies/` examples and
//! a generated network of detailed cells, lemsc native against the NEURON export and EDEN),
//! and `--brian2` the Brian2 route on the examples ([`crate::bench_brian2`]).
//!
//! jnml comes from PyPI (`pyneuroml`) in a virtual environment under `target/bench-venv`, made
//! on first use; it needs Java on the PATH. jnml writes `results/` relative to its working
//! folder, and `../shared` is read-only, so the examples are copied to `target/bench-work`
//! and both programs run there.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::sh::{self, workspace_root};
use crate::timing_table::TimingTable;

/// Runs per example and program; the median is reported.
const RUNS: usize = 3;

/// The multi-compartment example: jLEMS cannot run it. `--multicompartment` times lemsc's
/// native run of it against the NEURON export and EDEN instead.
const SKIPPED: &[&str] = &["LEMS_NML2_Ex25_MultiComp.xml"];

/// `--quick`: a few examples covering point neurons, HH channels, a network and inputs.
pub(crate) const QUICK: &[&str] = &[
    "LEMS_NML2_Ex0_IaF.xml",
    "LEMS_NML2_Ex1_HH.xml",
    "LEMS_NML2_Ex5_DetCell.xml",
    "LEMS_NML2_Ex9_FN.xml",
];

pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--networks") {
        return crate::bench_networks::run(args);
    }
    if args.iter().any(|a| a == "--multicompartment") {
        return crate::bench_networks::multicomp::run(args);
    }
    if args.iter().any(|a| a == "--brian2") {
        return crate::bench_brian2::run(args);
    }
    let quick = match args {
        [] => false,
        [flag] if flag == "--quick" => true,
        _ => return Err("usage: cargo xtask bench [--quick] | bench --networks [--sizes 100,1000] [--engines lemsc,eden,neuron] [--quick] | bench --multicompartment [--cells 100] [--engines lemsc,eden,neuron] [--quick] | bench --brian2 [--quick]".into()),
    };
    let root = workspace_root();
    let lemsc = build_lemsc(&root)?;
    let jnml = ensure_jnml(&root)?;
    let examples_dir = copy_examples(&root)?;
    let mut examples = lems_examples(&examples_dir)?;
    if quick {
        examples.retain(|e| QUICK.contains(&file_name(e).as_str()));
    }

    let mut rows = Vec::new();
    for example in &examples {
        let name = file_name(example);
        eprintln!("bench: {name}");
        let ours = median_seconds(&examples_dir, || {
            let mut cmd = Command::new(&lemsc);
            cmd.args([&name, "-q"]);
            cmd
        });
        let theirs = median_seconds(&examples_dir, || {
            let mut cmd = Command::new(&jnml);
            cmd.args([&name, "-nogui"]);
            cmd
        });
        rows.push(Row {
            name,
            lemsc: ours,
            jnml: theirs,
        });
    }
    print_table(&rows);
    let failed = rows
        .iter()
        .filter(|r| r.lemsc.is_err() || r.jnml.is_err())
        .count();
    if failed > 0 {
        return Err(format!("{failed} examples did not run with both programs"));
    }
    Ok(())
}

struct Row {
    name: String,
    /// Median seconds, or why it did not run.
    lemsc: Result<f64, String>,
    jnml: Result<f64, String>,
}

/// Builds the release binary with the native backend; its path.
pub(crate) fn build_lemsc(root: &Path) -> Result<PathBuf, String> {
    crate::deps::ensure_llvm()?;
    sh::run(
        Command::new("cargo")
            .args(["build", "--release", "-p", "lemsc", "--features", "native"])
            .current_dir(root),
    )?;
    Ok(root.join("target/release/lemsc"))
}

/// The `jnml` of `target/bench-venv`, installing pyneuroml there when missing.
fn ensure_jnml(root: &Path) -> Result<PathBuf, String> {
    if !sh::have("java") {
        return Err("jnml needs Java: install a JRE (e.g. apt-get install default-jre)".into());
    }
    let venv = root.join("target/bench-venv");
    let jnml = venv.join("bin/jnml");
    if jnml.is_file() {
        return Ok(jnml);
    }
    sh::run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    sh::run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "pyneuroml"]))?;
    if jnml.is_file() {
        Ok(jnml)
    } else {
        Err(format!("pyneuroml installed no {}", jnml.display()))
    }
}

/// Copies the examples (and the NeuroML files they include from `../examples`) to
/// `target/bench-work/neuroml2`; the copied `LEMSexamples` folder.
pub(crate) fn copy_examples(root: &Path) -> Result<PathBuf, String> {
    let shared = root.join("../shared/neuroml2");
    let work = root.join("target/bench-work/neuroml2");
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .map_err(|e| format!("cannot empty {}: {e}", work.display()))?;
    }
    for folder in ["LEMSexamples", "examples"] {
        copy_dir(&shared.join(folder), &work.join(folder))?;
    }
    // jLEMS does not create the folder its output files go to.
    let results = work.join("LEMSexamples/results");
    std::fs::create_dir_all(&results)
        .map_err(|e| format!("cannot create {}: {e}", results.display()))?;
    Ok(work.join("LEMSexamples"))
}

/// Copies a folder tree; the copies are writable whatever the originals were (`../shared` is
/// read-only, and the runs write into the copy).
pub(crate) fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    make_writable(to)?;
    let entries =
        std::fs::read_dir(from).map_err(|e| format!("cannot list {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", from.display()))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_dir(&source, &target)?;
        } else {
            std::fs::copy(&source, &target)
                .map_err(|e| format!("cannot copy {}: {e}", source.display()))?;
            make_writable(&target)?;
        }
    }
    Ok(())
}

fn make_writable(path: &Path) -> Result<(), String> {
    let cannot = |e: std::io::Error| format!("cannot make {} writable: {e}", path.display());
    let mut permissions = std::fs::metadata(path).map_err(cannot)?.permissions();
    #[allow(clippy::permissions_set_readonly_false)] // the copy is ours alone
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions).map_err(cannot)
}

/// The `LEMS_NML2_Ex*.xml` files of `dir` but the skipped ones, in example-number order.
pub(crate) fn lems_examples(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = file_name(p);
            name.starts_with("LEMS_NML2_Ex")
                && name.ends_with(".xml")
                && !SKIPPED.contains(&name.as_str())
        })
        .collect();
    files.sort_by_key(|p| example_order(&file_name(p)));
    Ok(files)
}

/// Sort key: the example number, then the rest of the name (`Ex4` < `Ex4a` < `Ex10`).
fn example_order(name: &str) -> (u32, String) {
    let rest = name.trim_start_matches("LEMS_NML2_Ex");
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (digits.parse().unwrap_or(u32::MAX), rest.to_string())
}

pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Runs the command [`RUNS`] times in `dir`; the median wall-clock seconds, or the first
/// lines of its error output when a run fails.
fn median_seconds(dir: &Path, command: impl Fn() -> Command) -> Result<f64, String> {
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        times.push(seconds(dir, command())?);
    }
    Ok(median(&mut times))
}

/// One run of `cmd` in `dir`: its wall-clock seconds, or the first lines of its error output.
pub(crate) fn seconds(dir: &Path, mut cmd: Command) -> Result<f64, String> {
    cmd.current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let output = cmd
        .output()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let elapsed = started.elapsed().as_secs_f64();
    if output.status.success() {
        Ok(elapsed)
    } else {
        Err(failure(&output))
    }
}

/// A failed run in a line: its status and the first two lines of its error output.
pub(crate) fn failure(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(2)
        .collect();
    format!("failed ({}): {}", output.status, first.join(" | "))
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    let n = times.len();
    if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    }
}

fn print_table(rows: &[Row]) {
    let table = TimingTable {
        routes: &["lemsc", "jnml"],
        decimals: 3,
        ratio: (1, 0, 1),
    };
    let rows: Vec<_> = rows
        .iter()
        .map(|r| (r.name.as_str(), vec![&r.lemsc, &r.jnml]))
        .collect();
    table.print(&rows);
}

#[cfg(test)]
mod tests {
    use super::{example_order, median};

    #[test]
    fn examples_sort_by_number_then_suffix() {
        let mut names = vec![
            "LEMS_NML2_Ex10_Q10.xml",
            "LEMS_NML2_Ex4a_KS.xml",
            "LEMS_NML2_Ex4_KS.xml",
            "LEMS_NML2_Ex0_IaF.xml",
        ];
        names.sort_by_key(|n| example_order(n));
        assert_eq!(
            names,
            [
                "LEMS_NML2_Ex0_IaF.xml",
                "LEMS_NML2_Ex4_KS.xml",
                "LEMS_NML2_Ex4a_KS.xml",
                "LEMS_NML2_Ex10_Q10.xml"
            ]
        );
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
