//! Resource limits on the command line: a model asking for more instances, connections or
//! memory than allowed is refused before the memory is taken, with an error at the element
//! responsible that names the option raising the limit; raising it lets the same model run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lemsc-cli-limits-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `size` event counters, all-to-all connected by a ForEach, for 1 ms.
fn network(dir: &Path, size: usize) -> PathBuf {
    let text = format!(
        r#"<Lems>
    <Include file="Cells.xml"/>
    <Include file="Simulation.xml"/>
    <ComponentType name="Counter"><EventPort name="out" direction="out"/><EventPort name="in" direction="in"/><Dynamics><StateVariable name="n" dimension="none"/><OnEvent port="in"><StateAssignment variable="n" value="n + 1"/></OnEvent></Dynamics></ComponentType>
    <ComponentType name="Group">
        <ComponentReference name="cell" type="Counter"/>
        <Parameter name="n" dimension="none"/>
        <Structure>
            <MultiInstantiate component="cell" number="n"/>
        </Structure>
    </ComponentType>
    <ComponentType name="AllToAll">
        <Child name="group" type="Group"/>
        <Structure>
            <ForEach instances="group" as="a">
                <ForEach instances="group" as="b">
                    <EventConnection from="a" to="b"/>
                </ForEach>
            </ForEach>
        </Structure>
    </ComponentType>
    <Counter id="counter"/><AllToAll id="net"><group cell="counter" n="{size}"/></AllToAll>
    <Simulation id="sim" length="1ms" step="0.1ms" target="net">
        <OutputFile id="of" fileName="v.dat">
            <OutputColumn id="v" quantity="group[0]/n"/>
        </OutputFile>
    </Simulation>
    <Target component="sim"/>
</Lems>
"#
    );
    let path = dir.join("net.xml");
    std::fs::write(&path, text).unwrap();
    path
}

fn lemsc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lemsc"))
        .args(args)
        .output()
        .expect("lemsc runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_population_above_max_instances_is_refused_at_its_size() {
    let dir = scratch("instances");
    let file = network(&dir, 50);
    let file = file.to_str().unwrap();
    let out = lemsc(&["check", file, "--max-instances", "20"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--max-instances") && err.contains("net.xml:22"),
        "{err}"
    );
    let ok = lemsc(&["check", file, "--max-instances", "100"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn a_cross_product_above_max_connections_is_refused_at_the_connection() {
    let dir = scratch("connections");
    let file = network(&dir, 50);
    let file = file.to_str().unwrap();
    let out = lemsc(&["check", file, "--max-connections", "1000"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--max-connections") && err.contains("net.xml:17"),
        "{err}"
    );
    let ok = lemsc(&["check", file, "--max-connections", "2500"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
}

#[test]
fn a_run_above_max_memory_is_refused_at_the_simulation_and_writes_nothing() {
    let dir = scratch("memory");
    let file = network(&dir, 50);
    let file = file.to_str().unwrap();
    // 50 cells and 2500 connections take a few hundred KB: a limit of 100 KB refuses them.
    let out = lemsc(&[file, "--max-memory-gib", "0.0001"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--max-memory-gib") && err.contains("net.xml:23"),
        "{err}"
    );
    assert!(!dir.join("v.dat").exists());
    let ok = lemsc(&[file]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let rows = std::fs::read_to_string(dir.join("v.dat"))
        .unwrap()
        .lines()
        .count();
    assert_eq!(rows, 11, "1 ms at 0.1 ms: 11 rows");
}
