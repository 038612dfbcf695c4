//! `cargo xtask fuzz [SECONDS] [TARGET]`: fuzz the frontend and the engines with cargo-fuzz
//! (libFuzzer).
//!
//! Each target (`fuzz/fuzz_targets/*.rs`) runs for SECONDS (default 60), seeded from the
//! official NeuroML2 examples (copied into `fuzz/corpus/<target>/`, not committed; for
//! `engines`, which turns any bytes into a model, from fixed pseudo-random bytes) and from the
//! committed crash regressions in `fuzz/regressions/<target>/`. Fails if any target does not
//! build or finds a crash; the artifact paths and the command to reproduce them are printed.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use crate::sh::{self, workspace_root};

const TARGETS: [&str; 4] = ["xml", "expr", "check", "engines"];
const DEFAULT_SECONDS: u64 = 60;
/// libFuzzer limits: inputs as large as a real model file, no input may take 10 s or 2 GB.
const LIBFUZZER_LIMITS: [&str; 3] = ["-max_len=65536", "-timeout=10", "-rss_limit_mb=2048"];
/// Where the official examples are looked for, relative to the workspace root, unless
/// `NEUROML2_DIR` says otherwise: the shared data folder beside the checkout.
const DEFAULT_NEUROML2_DIR: &str = "../shared/neuroml2";

pub fn run(args: &[String]) -> Result<(), String> {
    let (seconds, targets) = parse_args(args)?;
    let root = workspace_root();
    let fuzz_dir = root.join("fuzz");

    ensure_cargo_fuzz()?;
    let toolchain = Toolchain::detect();
    eprintln!("fuzz: using {}", toolchain.describe());

    let mut problems = Vec::new();
    for target in &targets {
        if let Err(e) = sh::run(toolchain.cargo_fuzz(&root).args(["build", target])) {
            problems.push(format!(
                "target `{target}` does not build with {} ({e})",
                toolchain.describe()
            ));
            continue;
        }
        let corpus = fuzz_dir.join("corpus").join(target);
        let seeded = copy_seeds(target, &corpus)?;
        eprintln!(
            "fuzz: {target}: {seeded} seed inputs in {}",
            corpus.display()
        );
        let regressions = fuzz_dir.join("regressions").join(target);
        fs::create_dir_all(&regressions).map_err(|e| io_error(&regressions, e))?;

        let started = SystemTime::now();
        let mut cmd = toolchain.cargo_fuzz(&root);
        cmd.args(["run", target])
            .arg(&corpus)
            .arg(&regressions)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .args(LIBFUZZER_LIMITS);
        if *target != "engines" {
            // `engines` reads its bytes as choices, not as text: words do not help it.
            cmd.arg(format!("-dict={}", fuzz_dir.join("lems.dict").display()));
        }
        let outcome = sh::run(&mut cmd);
        let artifacts = new_artifacts(&fuzz_dir.join("artifacts").join(target), started);
        if outcome.is_err() || !artifacts.is_empty() {
            problems.push(crash_report(target, &artifacts, &toolchain, outcome.err()));
        }
    }

    if problems.is_empty() {
        eprintln!(
            "fuzz: no crash in {} target(s), {seconds} s each",
            targets.len()
        );
        Ok(())
    } else {
        for p in &problems {
            eprintln!("\n{p}");
        }
        Err(format!("{} fuzz target(s) failed", problems.len()))
    }
}

/// `[SECONDS] [TARGET]`, in either order.
fn parse_args(args: &[String]) -> Result<(u64, Vec<&'static str>), String> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets: Vec<&'static str> = TARGETS.to_vec();
    for arg in args {
        if let Ok(n) = arg.parse::<u64>() {
            seconds = n.max(1);
        } else if let Some(t) = TARGETS.iter().find(|t| **t == arg.as_str()) {
            targets = vec![t];
        } else {
            return Err(format!(
                "unexpected argument `{arg}`; usage: cargo xtask fuzz [SECONDS] [{}]",
                TARGETS.join(" | ")
            ));
        }
    }
    Ok((seconds, targets))
}

fn ensure_cargo_fuzz() -> Result<(), String> {
    if sh::have("cargo-fuzz") {
        return Ok(());
    }
    sh::run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"])).map_err(|e| {
        format!("cargo-fuzz is not installed and could not be installed ({e}); cannot fuzz here")
    })
}

/// libFuzzer needs nightly-only compiler flags (sanitizers, coverage instrumentation).
enum Toolchain {
    /// `cargo +nightly`, when rustup has a nightly toolchain.
    Nightly,
    /// Stable cargo with `RUSTC_BOOTSTRAP=1`, which unlocks the nightly flags on stable.
    BootstrappedStable,
}

impl Toolchain {
    fn detect() -> Toolchain {
        let list = Command::new("rustup")
            .args(["toolchain", "list"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        if list.lines().any(|l| l.starts_with("nightly")) {
            Toolchain::Nightly
        } else {
            Toolchain::BootstrappedStable
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Toolchain::Nightly => "the nightly toolchain",
            Toolchain::BootstrappedStable => "the stable toolchain with RUSTC_BOOTSTRAP=1",
        }
    }

    /// `cargo [+nightly] fuzz`, run from the workspace root (cargo-fuzz finds `fuzz/` there).
    fn cargo_fuzz(&self, root: &Path) -> Command {
        let mut cmd = Command::new("cargo");
        match self {
            Toolchain::Nightly => {
                cmd.arg("+nightly");
            }
            Toolchain::BootstrappedStable => {
                cmd.env("RUSTC_BOOTSTRAP", "1");
            }
        }
        cmd.arg("fuzz").current_dir(root);
        cmd
    }

    /// The command line a person types to replay one input.
    fn replay_command(&self, target: &str, input: &Path) -> String {
        let prefix = match self {
            Toolchain::Nightly => "cargo +nightly fuzz",
            Toolchain::BootstrappedStable => "RUSTC_BOOTSTRAP=1 cargo fuzz",
        };
        format!("{prefix} run {target} {}", input.display())
    }
}

fn crash_report(
    target: &str,
    artifacts: &[PathBuf],
    toolchain: &Toolchain,
    error: Option<String>,
) -> String {
    let mut out = format!("fuzz target `{target}` failed");
    if let Some(e) = error {
        out.push_str(&format!(" ({e})"));
    }
    if artifacts.is_empty() {
        out.push_str("; libFuzzer wrote no artifact, see its output above");
    }
    for a in artifacts {
        out.push_str(&format!(
            "\n  input:     {}\n  reproduce: {}\n  minimise:  {}",
            a.display(),
            toolchain.replay_command(target, a),
            toolchain
                .replay_command(target, a)
                .replacen(" run ", " tmin ", 1)
        ));
    }
    out
}

/// Crash, timeout, out-of-memory and leak inputs libFuzzer wrote since `since`.
fn new_artifacts(dir: &Path, since: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            e.metadata()
                .and_then(|m| m.modified())
                .map(|t| t >= since)
                .unwrap_or(false)
        })
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// Fills `corpus` with seed inputs for `target`; returns how many files it now holds.
fn copy_seeds(target: &str, corpus: &Path) -> Result<usize, String> {
    fs::create_dir_all(corpus).map_err(|e| io_error(corpus, e))?;
    let neuroml2 = std::env::var_os("NEUROML2_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::sh::workspace_root().join(DEFAULT_NEUROML2_DIR));
    if !neuroml2.is_dir() {
        eprintln!(
            "fuzz: warning: {} not found (set NEUROML2_DIR); starting without official seeds",
            neuroml2.display()
        );
    }
    let examples = files_with_ext(&neuroml2.join("LEMSexamples"), "xml")
        .into_iter()
        .chain(files_with_ext(&neuroml2.join("examples"), "nml"));
    match target {
        "engines" => {
            for (i, seed) in random_seeds(ENGINE_SEEDS, ENGINE_SEED_LEN)
                .iter()
                .enumerate()
            {
                let path = corpus.join(format!("seed-{i:02}"));
                fs::write(&path, seed).map_err(|err| io_error(&path, err))?;
            }
        }
        "expr" => {
            let core = files_with_ext(&neuroml2.join("NeuroML2CoreTypes"), "xml");
            let mut exprs = BTreeSet::new();
            for file in core.into_iter().chain(examples) {
                if let Ok(text) = fs::read_to_string(&file) {
                    exprs.extend(expression_attributes(&text));
                }
            }
            for (i, e) in exprs.iter().enumerate() {
                let path = corpus.join(format!("seed-{i:04}"));
                fs::write(&path, e).map_err(|err| io_error(&path, err))?;
            }
        }
        _ => {
            for file in examples {
                let name = file.file_name().expect("listed files have names");
                let dest = corpus.join(name);
                fs::copy(&file, &dest).map_err(|e| io_error(&dest, e))?;
            }
        }
    }
    Ok(fs::read_dir(corpus).map(|d| d.count()).unwrap_or(0))
}

/// Seeds of `engines`: enough bytes for a model with most of the generator's choices.
const ENGINE_SEEDS: usize = 16;
const ENGINE_SEED_LEN: usize = 512;

/// `count` inputs of `len` bytes from a fixed 64-bit LCG, the same on every run.
fn random_seeds(count: usize, len: usize) -> Vec<Vec<u8>> {
    let mut state: u64 = 0x6c65_6d73_6675_7a7a;
    (0..count)
        .map(|_| {
            (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (state >> 56) as u8
                })
                .collect()
        })
        .collect()
}

/// The values of `value="..."`, `condition="..."` and `select="..."` attributes, with the
/// XML escapes that occur in expressions undone: good seeds for the expression parser.
fn expression_attributes(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["value=\"", "condition=\"", "select=\""] {
        let mut rest = xml;
        while let Some(at) = rest.find(key) {
            rest = &rest[at + key.len()..];
            let Some(end) = rest.find('"') else { break };
            let value = rest[..end]
                .replace("&gt;", ">")
                .replace("&lt;", "<")
                .replace("&amp;", "&");
            out.push(value);
            rest = &rest[end..];
        }
    }
    out
}

fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == ext))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn io_error(path: &Path, e: std::io::Error) -> String {
    format!("{}: {e}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_in_either_order() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_args(&[]).unwrap(), (60, TARGETS.to_vec()));
        assert_eq!(
            parse_args(&args(&["5", "expr"])).unwrap(),
            (5, vec!["expr"])
        );
        assert_eq!(parse_args(&args(&["xml", "7"])).unwrap(), (7, vec!["xml"]));
        assert_eq!(
            parse_args(&args(&["engines"])).unwrap(),
            (60, vec!["engines"])
        );
        assert!(parse_args(&args(&["nonsense"])).is_err());
    }

    #[test]
    fn engine_seeds_are_distinct_and_the_same_every_time() {
        let seeds = random_seeds(ENGINE_SEEDS, ENGINE_SEED_LEN);
        assert_eq!(seeds, random_seeds(ENGINE_SEEDS, ENGINE_SEED_LEN));
        assert_eq!(seeds.len(), ENGINE_SEEDS);
        assert!(seeds.iter().all(|s| s.len() == ENGINE_SEED_LEN));
        let distinct: BTreeSet<&Vec<u8>> = seeds.iter().collect();
        assert_eq!(distinct.len(), ENGINE_SEEDS);
        // Bytes spread over the range, not stuck in a short cycle.
        let values: BTreeSet<u8> = seeds[0].iter().copied().collect();
        assert!(values.len() > 200, "{} distinct byte values", values.len());
    }

    #[test]
    fn expression_seeds_are_unescaped_attribute_values() {
        let xml = r#"<OnCondition test="x" condition="v .gt. thresh"/>
            <DerivedVariable name="a" value="b &lt; c" select="p/q"/>"#;
        let mut got = expression_attributes(xml);
        got.sort();
        assert_eq!(got, vec!["b < c", "p/q", "v .gt. thresh"]);
    }
}
