//! `cargo xtask bench --brian2 [--quick]`: the Brian2 route on the LEMS examples, against the
//! native target. For each example (Ex25 is refused by the Brian2 target), the time of
//! `lemsc FILE --target brian2 -o DIR --run` from an empty build cache (generate, build and
//! run: what a first run costs), the same again with the cache filled (generate and run),
//! and the native run `lemsc FILE` (end to end, output files written). Brian2 comes from
//! `target/brian2-venv`, installed as `cargo xtask ci` installs it.

use std::process::Command;

use crate::bench::{build_lemsc, copy_examples, file_name, lems_examples, seconds, QUICK};
use crate::sh::workspace_root;
use crate::timing_table::TimingTable;

struct Row {
    name: String,
    native: Result<f64, String>,
    cold: Result<f64, String>,
    cached: Result<f64, String>,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    let root = workspace_root();
    let lemsc = build_lemsc(&root)?;
    let python = crate::deps::ensure_brian2()?;
    let examples_dir = copy_examples(&root)?;
    let mut examples = lems_examples(&examples_dir)?;
    if quick {
        examples.retain(|e| QUICK.contains(&file_name(e).as_str()));
    }
    let work = root.join("target/bench-work/brian2");
    let mut rows = Vec::new();
    for example in &examples {
        let name = file_name(example);
        eprintln!("bench --brian2: {name}");
        let out = work.join(name.trim_end_matches(".xml"));
        let cache = out.join("cache");
        let _ = std::fs::remove_dir_all(&out);
        let brian2 = || {
            let mut cmd = Command::new(&lemsc);
            cmd.args([name.as_str(), "--target", "brian2", "--run", "-o"])
                .arg(&out)
                .env("LEMSC_BRIAN2_PYTHON", &python)
                .env("LEMSC_BRIAN2_CACHE", &cache);
            cmd
        };
        let cold = seconds(&examples_dir, brian2());
        let cached = seconds(&examples_dir, brian2());
        let mut native = Command::new(&lemsc);
        native.args([name.as_str(), "-q"]);
        let native = seconds(&examples_dir, native);
        let _ = std::fs::remove_dir_all(&out);
        rows.push(Row {
            name,
            native,
            cold,
            cached,
        });
    }
    print_table(&rows);
    let failed = rows
        .iter()
        .filter(|r| r.native.is_err() || r.cold.is_err() || r.cached.is_err())
        .count();
    if failed > 0 {
        return Err(format!("{failed} examples did not run every way"));
    }
    Ok(())
}

fn print_table(rows: &[Row]) {
    let table = TimingTable {
        routes: &["native", "brian2 cold", "brian2 cached"],
        decimals: 2,
        ratio: (1, 0, 0),
    };
    let rows: Vec<_> = rows
        .iter()
        .map(|r| (r.name.as_str(), vec![&r.native, &r.cold, &r.cached]))
        .collect();
    table.print(&rows);
}
