//! `cargo xtask <task>`: the project's scripted workflows.
//!
//! - `ci`: install what the test suite needs (LLVM 19 with apt-get where missing) and run it
//!   all, with the native backend's feature on.
//! - `run FILE [options]`: install LLVM and libhdf5 where missing, build lemsc with the
//!   native backend and HDF5, and run it (the README's first command).
//! - `bench [--quick]`: lemsc against jNeuroML on the LEMS examples, end to end (not part of
//!   CI: it installs pyneuroml from PyPI and takes minutes).
//! - `bench --networks [--sizes 100,1000] [--engines lemsc,eden,neuron] [--quick]`: lemsc
//!   against EDEN and NEURON on generated networks (wall, CPU, peak RSS, spike counts).
//! - `bench --multicompartment [--cells 100] [--engines lemsc,eden,neuron] [--quick]`: lemsc's
//!   native multi-compartment cells against the NEURON export and EDEN (Ex25, the
//!   `morphologies/` examples, a generated network of 9-compartment pyramidal cells).
//! - `bench --brian2 [--quick]`: the Brian2 route (generate, build, run; then cached) on the
//!   LEMS examples, against the native target.
//! - `fuzz [SECONDS] [TARGET]`: fuzz the frontend and the engines for a while; crashes are
//!   kept under `fuzz/artifacts/`.
//! - `wheel`: the Python wheel `target/wheels/lemsc-*.whl` (maturin; the lemsc program and
//!   the `lemsc` Python module).

mod bench;
mod bench_brian2;
mod bench_networks;
mod ci;
mod deps;
mod fuzz;
mod run;
mod sh;
mod timing_table;
mod wheel;

use std::process::ExitCode;

const USAGE: &str =
    "usage: cargo xtask <run FILE [lemsc options] | ci | bench [--quick] | bench --networks [--sizes N,...] | bench --multicompartment [--cells N] | bench --brian2 | fuzz [SECONDS] | wheel>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run::run(&args[1..]),
        Some("ci") => ci::run(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        Some("wheel") => wheel::run(&args[1..]),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
