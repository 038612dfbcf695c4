//! The `lemsc` command line under hostile conditions: an interrupted run leaves no partial
//! output files, and a closed output pipe ends it quietly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lemsc-cli-safety-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One Izhikevich cell recorded into `results/v.dat` for `length`.
fn model(dir: &Path, length: &str) -> PathBuf {
    let text = format!(
        r#"<Lems>
    <Include file="Cells.xml"/>
    <Include file="Networks.xml"/>
    <Include file="Simulation.xml"/>
    <izhikevichCell id="izh" v0="-70mV" thresh="30mV" a="0.02" b="0.2" c="-50.0" d="2"/>
    <network id="net">
        <population id="pop" component="izh" size="1"/>
    </network>
    <Simulation id="sim" length="{length}" step="0.01ms" target="net">
        <OutputFile id="of" fileName="results/v.dat">
            <OutputColumn id="v" quantity="pop[0]/v"/>
        </OutputFile>
    </Simulation>
    <Target component="sim"/>
</Lems>
"#
    );
    let path = dir.join("m.xml");
    std::fs::write(&path, text).unwrap();
    path
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(unix)]
fn interrupted_run_leaves_nothing(signal: &str) {
    let dir = scratch(signal);
    let file = model(&dir, "100000s");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lemsc"))
        // A run that would go on for hours (and past the default output limit).
        .args([
            "--engine",
            "interpreter",
            "-q",
            "--max-output-gib",
            "1000000",
        ])
        .arg(&file)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let results = dir.join("results");
    let started = Instant::now();
    while !entries(&results).iter().any(|n| n.ends_with(".tmp")) {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("lemsc ended ({status}) before writing its output");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let killed = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert_eq!(
        entries(&results),
        Vec::<String>::new(),
        "{signal} left files"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn sigint_deletes_the_partial_output_files() {
    interrupted_run_leaves_nothing("INT");
}

#[cfg(unix)]
#[test]
fn sigterm_deletes_the_partial_output_files() {
    interrupted_run_leaves_nothing("TERM");
}

/// Runs `lemsc ARGS` with stdout and stderr going into pipes whose reader has gone away.
#[cfg(unix)]
fn with_closed_pipes(args: &[&str]) -> std::process::ExitStatus {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lemsc"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().unwrap()
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_lemsc_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let dir = scratch("pipe");
    let file = model(&dir, "1ms");
    let file = file.to_str().unwrap();
    let bad = dir.join("bad.xml");
    std::fs::write(
        &bad,
        "<Lems>\n<Unit symbol=\"x\" dimension=\"nosuchdimension\"/>\n</Lems>\n",
    )
    .unwrap();
    for (args, code) in [
        (vec!["check", file], 0),
        (vec!["check", bad.to_str().unwrap()], 1),
        (vec![file, "--emit", "ir"], 0),
        (vec![file, "-v"], 0),
        (vec!["--help"], 0),
    ] {
        let status = with_closed_pipes(&args);
        // A panic exits with 101; a SIGPIPE death has no code.
        assert_eq!(status.signal(), None, "{args:?}");
        assert_eq!(status.code(), Some(code), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
