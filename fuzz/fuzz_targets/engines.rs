//! Differential fuzzing of the two engines: a small LEMS model generated from the input
//! (`lemsc_fuzz::lems_model`) is checked, lowered to a program, and run once by the reference
//! interpreter and once by the LLVM-compiled kernels (the quick machine code a run of that
//! length gets, or, when the input says so, the O2 code of long runs). Both must end the same
//! way: the same final values bit for bit (any NaN equals any NaN), the same number of events
//! delivered and byte-identical output files; or the same error. A generated model lemsc
//! rejects is a bug too (of the generator, or of lemsc). An input that starts with `<Lems>`
//! is taken as the model itself: that is how `fuzz/regressions/engines/` keeps what was found.
//!
//! Environment: `LEMSC_FUZZ_PRINT` prints each generated model (to see what an input
//! replays), `LEMSC_FUZZ_STATS` how each run ended.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use lemsc::back::native::kernel::{compile_program_with, machine_code_for, MachineCode};
use lemsc::passes::kernels::{build_program, ProgramOptions};
use lemsc::simulate::{check_file, confine_checked};
use lemsc::CheckOptions;
use lemsc_fuzz::lems_model;
use lemsc_runtime::engine::{run, Interpreter, KernelCode, RunOptions};
use lemsc_runtime::program::Program;
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

/// Steps × instances a given model may run: more would take longer than libFuzzer waits.
const MAX_WORK: u64 = 100_000;

fuzz_target!(|data: &[u8]| {
    // A whole model as input (a regression, kept as text so that it outlives changes to
    // the generator) runs as it is; it may be one lemsc rejects.
    let given = data.starts_with(b"<Lems>");
    // The machine code: what a run of this length gets, or O2 (which only runs of more than
    // ten million kernel calls get otherwise) when the input says so; a given model gets both.
    let mut optimised = vec![given];
    let xml = if given {
        optimised.push(false);
        match std::str::from_utf8(data) {
            Ok(text) => text.to_string(),
            Err(_) => return,
        }
    } else {
        let mut u = Unstructured::new(data);
        let Ok(xml) = lems_model::generate(&mut u) else {
            return;
        };
        optimised[0] = u.arbitrary::<bool>().unwrap_or(false);
        xml
    };
    if std::env::var_os("LEMSC_FUZZ_PRINT").is_some() {
        eprintln!("{xml}");
    }
    let dir = work_dir();
    let path = dir.join("model.xml");
    std::fs::write(&path, &xml).expect("the fuzz model file can be written");

    let checked = match check_file(&path, &CheckOptions::default()) {
        Ok(checked) => checked,
        Err(_) if given => return,
        Err(e) => panic!("lemsc rejects the generated model:\n{}\n{xml}", e.summary()),
    };
    let (Some(model), Some(ir)) = (&checked.model, &checked.ir) else {
        assert!(
            given,
            "the generated model has no runnable Simulation:\n{xml}"
        );
        return;
    };
    let program_into = |folder: &str| {
        // A given model may name any output file: it must stay inside its folder.
        let out_dir = dir.join(folder);
        let _ = std::fs::create_dir_all(&out_dir);
        if !matches!(
            confine_checked(&checked, &out_dir, &CheckOptions::default()),
            Ok(Ok(_))
        ) {
            assert!(
                given,
                "the generated model writes outside its folder:\n{xml}"
            );
            return Err(());
        }
        let opts = ProgramOptions {
            out_dir,
            seed: None,
        };
        build_program(model, ir, &opts).map_err(|d| {
            let messages: Vec<_> = d.iter().map(|d| d.message.clone()).collect();
            assert!(
                given,
                "the generated model does not lower: {messages:?}\n{xml}"
            );
        })
    };
    let (Ok(reference), Ok(native)) = (program_into("interpreter"), program_into("native")) else {
        return;
    };
    if given
        && reference
            .steps
            .saturating_mul(reference.instances.len() as u64)
            > MAX_WORK
    {
        return;
    }
    let expected = outcome(&reference, Code::Interpreter);
    for &o2 in &optimised {
        let machine_code = if o2 {
            MachineCode::Optimised
        } else {
            machine_code_for(&native)
        };
        let got = outcome(&native, Code::Native(machine_code));
        if let Some(difference) = compare(&reference, &expected, &got) {
            if std::env::var_os("LEMSC_FUZZ_QUIET").is_none() {
                eprintln!("{xml}");
            }
            panic!("the engines disagree ({machine_code:?} machine code): {difference}");
        }
    }
    if std::env::var_os("LEMSC_FUZZ_STATS").is_some() {
        let verdict = match &expected {
            Outcome::Ran { steps, .. } => format!("ran {steps} steps"),
            Outcome::Failed(e) => format!("failed alike: {e}"),
        };
        eprintln!("engines: {verdict}");
    }
});

/// How a run ended.
enum Outcome {
    Ran {
        steps: u64,
        events: u64,
        final_vars: Vec<f64>,
        /// Output files by name, with their bytes.
        files: Vec<(String, Vec<u8>)>,
    },
    Failed(String),
}

/// What runs the kernels.
#[derive(Clone, Copy)]
enum Code {
    Interpreter,
    Native(MachineCode),
}

/// Runs `program` (its output folder exists) through the runtime's loop, as `lemsc` does.
fn outcome(program: &Program, code: Code) -> Outcome {
    let interpreter;
    let compiled;
    let kernels: &dyn KernelCode = match code {
        Code::Interpreter => {
            interpreter = Interpreter::new(&program.kernels);
            &interpreter
        }
        Code::Native(machine_code) => match compile_program_with(program, machine_code) {
            Ok(k) => {
                compiled = k;
                &compiled
            }
            Err(d) => return Outcome::Failed(format!("the kernels do not compile: {}", d.message)),
        },
    };
    match run(program, kernels, RunOptions::default()) {
        Ok(report) => {
            let files = report
                .files
                .iter()
                .map(|f| {
                    let bytes = std::fs::read(f).expect("a written output file can be read");
                    let _ = std::fs::remove_file(f);
                    (file_name(f), bytes)
                })
                .collect();
            Outcome::Ran {
                steps: report.steps,
                events: report.events_delivered,
                final_vars: report.final_vars,
                files,
            }
        }
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// What differs between the interpreter's outcome and the native one, if anything.
fn compare(program: &Program, expected: &Outcome, got: &Outcome) -> Option<String> {
    match (expected, got) {
        (Outcome::Failed(a), Outcome::Failed(b)) if a == b => None,
        (Outcome::Failed(a), Outcome::Failed(b)) => Some(format!(
            "interpreter failed with\n  {a}\nnative with\n  {b}"
        )),
        (Outcome::Failed(a), Outcome::Ran { .. }) => {
            Some(format!("interpreter failed with\n  {a}\nnative ran"))
        }
        (Outcome::Ran { .. }, Outcome::Failed(b)) => {
            Some(format!("interpreter ran, native failed with\n  {b}"))
        }
        (
            Outcome::Ran {
                steps,
                events,
                final_vars,
                files,
            },
            Outcome::Ran {
                steps: steps2,
                events: events2,
                final_vars: final_vars2,
                files: files2,
            },
        ) => {
            if steps != steps2 {
                return Some(format!("{steps} steps against {steps2}"));
            }
            if events != events2 {
                return Some(format!("{events} events delivered against {events2}"));
            }
            let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
            if let Some(i) = (0..final_vars.len()).find(|&i| !same(final_vars[i], final_vars2[i])) {
                return Some(format!(
                    "final value of {}: interpreter {:e} ({:#x}), native {:e} ({:#x})",
                    slot_name(program, i),
                    final_vars[i],
                    final_vars[i].to_bits(),
                    final_vars2[i],
                    final_vars2[i].to_bits()
                ));
            }
            if final_vars.len() != final_vars2.len() {
                return Some("the programs have different sizes".into());
            }
            for ((name, a), (name2, b)) in files.iter().zip(files2) {
                if name != name2 {
                    return Some(format!("output file {name} against {name2}"));
                }
                if a != b {
                    let line = first_different_line(a, b);
                    return Some(format!("{name} differs: {line}"));
                }
            }
            None
        }
    }
}

/// `instance/slot` for index `i` of the program's values.
fn slot_name(program: &Program, i: usize) -> String {
    let i = i as u64;
    for rec in &program.instances {
        let kernel = &program.kernels[rec.kernel as usize];
        if (rec.base..rec.base + u64::from(kernel.block_len)).contains(&i) {
            let slot = &kernel.slot_names[(i - rec.base) as usize];
            return format!("{}/{slot}", rec.path);
        }
    }
    format!("value #{i}")
}

fn first_different_line(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (n, (la, lb)) in a.lines().zip(b.lines()).enumerate() {
        if la != lb {
            return format!("line {}:\n  interpreter {la}\n  native      {lb}", n + 1);
        }
    }
    format!("{} lines against {}", a.lines().count(), b.lines().count())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `<temp>/lemsc-fuzz-engines-<pid>/`, one folder per fuzzing process.
fn work_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("lemsc-fuzz-engines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the fuzz temp folder can be created");
        dir
    })
}
