//! The NEURON runner's number formatting (`codegen-templates/neuron/javafloat.py`) against
//! the native target's: every value's text must be `lemsc_runtime::javafmt::float_to_string`,
//! and `.dat` and event files must be byte for byte what `lemsc_runtime::output` writes.
//!
//! Needs a Python with numpy: `$LEMSC_PYTHON`, else `python3`. Without one the tests print
//! why and pass, so machines without NEURON's Python still run the suite.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use lemsc_runtime::javafmt::float_to_string;
use lemsc_runtime::output::{DatWriter, SpikeFormat, SpikeWriter};

const JAVAFLOAT_PY: &str = include_str!("../../codegen-templates/neuron/javafloat.py");

fn javafloat_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen-templates/neuron")
}

/// The Python to test with, or None (after saying why) when it has no numpy.
fn python_with_numpy() -> Option<PathBuf> {
    let python = std::env::var_os("LEMSC_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let works = Command::new(&python)
        .args(["-c", "import numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if works {
        Some(python)
    } else {
        eprintln!(
            "skipped: {} cannot import numpy (set LEMSC_PYTHON to a Python with numpy, \
             e.g. target/neuron-venv/bin/python)",
            python.display()
        );
        None
    }
}

/// A fresh empty folder for one test.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "lemsc-neuron-javafloat-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch folder");
    dir
}

/// Runs `script` (Python source that can `import javafloat`) with `args`; its stdout.
fn run_python(python: &Path, dir: &Path, script: &str, args: &[&Path]) -> String {
    let script_path = dir.join("script.py");
    std::fs::write(&script_path, script).expect("write script");
    let output = Command::new(python)
        .arg(&script_path)
        .args(args)
        .env("PYTHONPATH", javafloat_dir())
        .output()
        .expect("start python");
    assert!(
        output.status.success(),
        "python failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("utf-8 output")
}

/// xorshift64*: reproducible bit patterns without a dependency.
struct Bits(u64);

impl Bits {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// The values of every jLEMS reference file (text Java wrote), parsed as f32.
fn reference_values() -> Vec<f32> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/jlems");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("note: no reference files in {}", dir.display());
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "dat" || x == "spikes"))
        .collect();
    paths.sort();
    let mut values = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("read reference file");
        values.extend(
            text.split_whitespace()
                .filter_map(|t| t.parse::<f32>().ok()),
        );
    }
    values
}

/// About 200,000 distinct f32s covering what the formatting rules distinguish.
fn sample_values() -> Vec<f32> {
    let mut values: Vec<f32> = Vec::new();
    let mut bits = Bits(0x9e37_79b9_7f4a_7c15);
    // Any bit pattern: every exponent, NaNs, infinities and subnormals included.
    for _ in 0..60_000 {
        values.push(f32::from_bits(bits.next() as u32));
    }
    // Subnormals, where a single digit can be far from the value.
    for b in 1..2_000u32 {
        values.push(f32::from_bits(b));
        values.push(f32::from_bits(b | 0x8000_0000));
        values.push(f32::from_bits(bits.next() as u32 & 0x807f_ffff));
    }
    // Around the switches between plain and E notation, and around powers of ten.
    for boundary in [1e-3f32, 1e7, 1e-4, 1e6, 1.0, 0.1, 1e-2, 1e5] {
        for k in 0..2_000u32 {
            for x in [
                f32::from_bits(boundary.to_bits() + k),
                f32::from_bits(boundary.to_bits() - k),
            ] {
                values.push(x);
                values.push(-x);
            }
        }
    }
    for e in -45..=38 {
        values.push(format!("1e{e}").parse().unwrap());
        values.push(format!("5e{e}").parse().unwrap());
    }
    // Integers, and binary fractions that lie exactly halfway between two decimals.
    for n in -5_000..5_000 {
        values.push(n as f32);
    }
    for _ in 0..20_000 {
        let whole = (bits.next() % 10_000_000) as f32;
        let eighths = (bits.next() % 8) as f32 / 8.0;
        values.push(whole + eighths);
        values.push(-(whole / 16.0 + eighths / 16.0));
    }
    values.extend([
        0.0,
        -0.0,
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        f32::MIN,
        f32::MIN_POSITIVE,
        f32::EPSILON,
    ]);
    values.extend(reference_values().into_iter().step_by(3));
    let mut seen = HashSet::new();
    values.retain(|x| seen.insert(x.to_bits()));
    values
}

#[test]
fn every_value_has_the_text_of_the_native_target() {
    let Some(python) = python_with_numpy() else {
        return;
    };
    let dir = scratch_dir("values");
    let values = sample_values();
    assert!(values.len() > 190_000, "{} values", values.len());
    let input = dir.join("values.f32");
    let bytes: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(&input, bytes).unwrap();
    // The array function on everything (as one column and as a 2-D block), the scalar one
    // on every 7th value.
    let script = r#"
import sys
import numpy as np
import javafloat
values = np.fromfile(sys.argv[1], dtype="<f4")
whole = javafloat.java_floats(values).tolist()
if len(values) % 2 == 0:
    block = javafloat.java_floats(values.reshape(-1, 2)).ravel().tolist()
    assert block == whole, "2-D input formats differently"
scalar = [javafloat.java_float(float(x)) for x in values[::7]]
sys.stdout.write("\n".join(whole) + "\n#\n" + "\n".join(scalar) + "\n")
"#;
    let out = run_python(&python, &dir, script, &[&input]);
    let (whole, scalar) = out.split_once("#\n").expect("two sections");
    let whole: Vec<&str> = whole.lines().collect();
    let scalar: Vec<&str> = scalar.lines().collect();
    assert_eq!(whole.len(), values.len());
    let mut wrong = Vec::new();
    for (x, text) in values.iter().zip(&whole) {
        let expected = float_to_string(*x);
        if *text != expected {
            wrong.push(format!(
                "{:#010x}: python {text}, native {expected}",
                x.to_bits()
            ));
        }
    }
    for (x, text) in values.iter().step_by(7).zip(&scalar) {
        let expected = float_to_string(*x);
        if *text != expected {
            wrong.push(format!(
                "{:#010x} (java_float): python {text}, native {expected}",
                x.to_bits()
            ));
        }
    }
    assert_eq!(scalar.len(), values.len().div_ceil(7));
    assert!(
        wrong.is_empty(),
        "{} values differ, first ones:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Rows of f64 values (not yet f32: the cast must round the same way in both languages).
fn sample_rows() -> Vec<Vec<f64>> {
    let mut bits = Bits(42);
    let mut rows = Vec::new();
    for r in 0..3_000 {
        let t = r as f64 * 2.5e-5;
        let noise = (bits.next() >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        let mut row = vec![
            t,
            -0.065 + 0.04 * noise,
            1e-10 * noise,
            f64::from_bits(bits.next()),
            (r % 7) as f64 * 1e-3,
        ];
        if r == 10 {
            row[1] = f64::NAN;
            row[2] = -0.0;
            row[3] = f64::INFINITY;
            row[4] = 1e300;
        }
        rows.push(row);
    }
    rows
}

#[test]
fn dat_and_event_files_are_the_native_writers_bytes() {
    let Some(python) = python_with_numpy() else {
        return;
    };
    let dir = scratch_dir("files");
    let rows = sample_rows();
    let width = rows[0].len();
    let flat: Vec<u8> = rows
        .iter()
        .flatten()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let rows_path = dir.join("rows.f64");
    std::fs::write(&rows_path, flat).unwrap();

    let native_dir = dir.join("native");
    std::fs::create_dir_all(&native_dir).unwrap();
    let mut dat = DatWriter::create(native_dir.join("trace.dat"), width - 1).unwrap();
    for row in &rows {
        dat.write_row(row[0], &row[1..]).unwrap();
    }
    dat.finish().unwrap();
    // Events: the time column's values, with ids cycling through a few selections.
    let ids = ["0", "7", "12", "cell_3"];
    for (format, name) in [
        (SpikeFormat::TimeId, "time_id.spikes"),
        (SpikeFormat::IdTime, "id_time.spikes"),
    ] {
        let mut spikes = SpikeWriter::create(native_dir.join(name), format).unwrap();
        for (k, row) in rows.iter().enumerate().step_by(5) {
            spikes
                .write_event_id(row[0] * 1.7, ids[k % ids.len()])
                .unwrap();
        }
        spikes.finish().unwrap();
    }

    let python_dir = dir.join("python");
    std::fs::create_dir_all(&python_dir).unwrap();
    let script = format!(
        r#"
import os, sys
import numpy as np
import javafloat
rows = np.fromfile(sys.argv[1], dtype="<f8").reshape(-1, {width})
out = sys.argv[2]
javafloat.write_rows(os.path.join(out, "trace.dat"), rows)
ids = ["0", "7", "12", "cell_3"]
picked = list(range(0, len(rows), 5))
times = rows[picked, 0] * 1.7
event_ids = [ids[k % len(ids)] for k in picked]
javafloat.write_events(os.path.join(out, "time_id.spikes"), times, event_ids, "TIME_ID")
javafloat.write_events(os.path.join(out, "id_time.spikes"), times, event_ids, "ID_TIME")
"#
    );
    run_python(&python, &dir, &script, &[&rows_path, &python_dir]);

    for name in ["trace.dat", "time_id.spikes", "id_time.spikes"] {
        let native = std::fs::read_to_string(native_dir.join(name)).unwrap();
        let ours = std::fs::read_to_string(python_dir.join(name)).unwrap();
        if let Some((n, (a, b))) = native
            .lines()
            .zip(ours.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            panic!("{name} line {}: native {a:?}, python {b:?}", n + 1);
        }
        assert_eq!(native, ours, "{name}");
    }
    let mut left: Vec<String> = std::fs::read_dir(&python_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["id_time.spikes", "time_id.spikes", "trace.dat"],
        "only the finished files remain"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pending_files_appear_only_when_finished() {
    let Some(python) = python_with_numpy() else {
        return;
    };
    let dir = scratch_dir("pending");
    let script = r#"
import os, sys
import javafloat
out = sys.argv[1]
os.makedirs(out)
target = os.path.join(out, "a.dat")
pending = javafloat.PendingFile(target)
pending.write("1.0\t\n")
assert not os.path.exists(target), "visible before finish"
assert len(os.listdir(out)) == 1 and os.listdir(out)[0].endswith(".partial")
assert pending.finish() == target
assert open(target).read() == "1.0\t\n"
assert os.listdir(out) == ["a.dat"]

dropped = javafloat.PendingFile(os.path.join(out, "b.dat"))
dropped.write("x")
dropped.discard()
assert os.listdir(out) == ["a.dat"], os.listdir(out)

try:
    javafloat.PendingFile(os.path.join(out, "missing", "c.dat"))
except FileNotFoundError as error:
    assert "missing" in str(error), str(error)
else:
    raise AssertionError("a missing folder was not reported")

try:
    javafloat.write_events(os.path.join(out, "d.spikes"), [0.1], ["0"], "TIME_ONLY")
except ValueError:
    pass
else:
    raise AssertionError("an unknown event format was accepted")
assert javafloat.format_rows([]) == ""
assert javafloat.format_rows([[0.0, 1e-5]]) == "0.0\t1.0E-5\t\n"
print("ok")
"#;
    let out = run_python(&python, &dir, script, &[&dir.join("out")]);
    assert_eq!(out.trim(), "ok");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The "jneuroml" style, as `jnml FILE -neuron -run` writes files: C's `%e` for every value
/// of a .dat file, Python's float text for event times. The digits matter: a trace value
/// 3e-9 V above a threshold prints as the threshold itself, so a crossing found in the file
/// moves to the next step, as in the files the NEURON test files were made from.
#[test]
fn jneuroml_style_prints_as_jneuroml_does() {
    let Some(python) = python_with_numpy() else {
        return;
    };
    let dir = scratch_dir("jneuroml");
    let script = r#"
import os, sys
import javafloat
out = sys.argv[1]
rows = [[0.0, -0.065, 1e-300], [0.253268, -0.064899996, 2.5], [1.5e-6, float("nan"), -float("inf")]]
javafloat.write_rows(os.path.join(out, "trace.dat"), rows, "jneuroml")
javafloat.write_events(os.path.join(out, "t.spikes"), [0.05, 0.1003], ["0", "cell_3"], "TIME_ID", "jneuroml")
javafloat.write_events(os.path.join(out, "i.spikes"), [0.05], ["7"], "ID_TIME", "jneuroml")
try:
    javafloat.write_rows(os.path.join(out, "bad.dat"), rows, "neuron")
except ValueError as e:
    print("refused:", e)
"#;
    let printed = run_python(&python, &dir, script, &[&dir]);
    assert!(
        printed.contains("refused: unknown output style 'neuron'"),
        "{printed}"
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    assert_eq!(
        read("trace.dat"),
        "0.000000e+00\t-6.500000e-02\t1.000000e-300\t\n\
         2.532680e-01\t-6.490000e-02\t2.500000e+00\t\n\
         1.500000e-06\tnan\t-inf\t\n"
    );
    assert_eq!(read("t.spikes"), "0.05\t0\n0.1003\tcell_3\n");
    assert_eq!(read("i.spikes"), "7\t0.05\n");
    assert!(!dir.join("bad.dat").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
