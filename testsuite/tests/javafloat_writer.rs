//! The output-file module the Brian2 script (and the NEURON and NEST scripts) write beside
//! themselves: its C++ row writer (`lemsc_javafloat_rows.cpp`, compiled by
//! `use_native_writer`) must write the bytes its Python writer writes, for every kind of
//! float32 (any bit pattern, subnormals, NaN, infinities, signed zeros, the plain/E-notation
//! boundaries) and for float64s that round when cast (ties, overflow, underflow).
//!
//! Runs the module, as `lemsc --target brian2` writes it, with the Brian2 Python
//! (`$LEMSC_BRIAN2_PYTHON`, as `tests/brian2.rs` finds it): skipped without one on a
//! developer's machine, a failure under CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use lemsc::back::brian2::run::find_python;
use lemsc::back::brian2::{SUPPORT_FILE, SUPPORT_TEXT, WRITER_FILE, WRITER_TEXT};
use lemsc_testsuite::brian2compare::skipped_without_brian2;
use lemsc_testsuite::scratch::Scratch;

/// Values per row of the sample file.
const WIDTH: usize = 7;

fn tmp_root(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("javafloat-writer-{name}"))
}

/// A folder holding the two generated files, named as the scripts' folders name them.
fn module_folder(root: &Path) -> PathBuf {
    let folder = root.join("module");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(SUPPORT_FILE), SUPPORT_TEXT).unwrap();
    std::fs::write(folder.join(WRITER_FILE), WRITER_TEXT).unwrap();
    folder
}

/// Runs Python `script` (which can `import lemsc_javafloat`) with `args` and `env`; its
/// stderr, after asserting that it succeeded.
fn run_python(root: &Path, script: &str, args: &[&Path], env: &[(&str, &str)]) -> String {
    let python = find_python().expect("a Python with brian2 (checked before)");
    let module = module_folder(root);
    let script_path = root.join("script.py");
    std::fs::write(&script_path, script).unwrap();
    let output = Command::new(python)
        .arg(&script_path)
        .args(args)
        .env("PYTHONPATH", &module)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .envs(env.iter().copied())
        .output()
        .expect("start python");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "python failed ({}):\n{stderr}",
        output.status
    );
    stderr
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

/// The float64 halfway between float32 `x` and the next one up: the cast rounds it to the
/// one whose last bit is even.
fn halfway_above(x: f32) -> f64 {
    (x as f64 + f32::from_bits(x.to_bits() + 1) as f64) / 2.0
}

/// About 300,000 float64s covering what the cast and the text rules distinguish.
fn sample_values() -> Vec<f64> {
    let mut values: Vec<f64> = Vec::new();
    let mut bits = Bits(0x9e37_79b9_7f4a_7c15);
    // Any float32 bit pattern (every exponent, NaNs, infinities, subnormals), and any float64
    // (most of which overflow to infinity or underflow to zero when cast).
    for _ in 0..120_000 {
        values.push(f32::from_bits(bits.next() as u32) as f64);
    }
    for _ in 0..20_000 {
        values.push(f64::from_bits(bits.next()));
    }
    // float64s in float32's range, rounded by the cast.
    for _ in 0..40_000 {
        let x = f32::from_bits(bits.next() as u32 & 0xbfff_ffff);
        values.push(x as f64 * (1.0 + (bits.next() >> 40) as f64 * 1e-16));
        values.push(halfway_above(x));
    }
    // Subnormals, where Java may print two digits where one would do.
    for b in 1..3_000u32 {
        values.push(f32::from_bits(b) as f64);
        values.push(-(f32::from_bits(b) as f64));
        values.push(f32::from_bits(bits.next() as u32 & 0x807f_ffff) as f64);
        values.push(halfway_above(f32::from_bits(b)));
    }
    // Around the switches between plain and E notation, and around powers of ten.
    for boundary in [1e-3f32, 1e7, 1e-4, 1e6, 1.0, 0.1, 1e-2, 1e5, 1e-38] {
        for k in 0..2_000u32 {
            for x in [
                f32::from_bits(boundary.to_bits() + k),
                f32::from_bits(boundary.to_bits() - k),
            ] {
                values.push(x as f64);
                values.push(-(x as f64));
            }
        }
        values.push(boundary as f64);
        values.push(halfway_above(boundary));
    }
    for e in -46..=39 {
        for d in ["1", "5", "9.5", "2.5"] {
            values.push(format!("{d}e{e}").parse().unwrap());
        }
    }
    // Integers, and binary fractions that lie exactly halfway between two decimals.
    for n in -5_000..5_000 {
        values.push(n as f64);
    }
    for _ in 0..20_000 {
        let whole = (bits.next() % 10_000_000) as f64;
        let eighths = (bits.next() % 8) as f64 / 8.0;
        values.push(whole + eighths);
        values.push(-(whole / 16.0 + eighths / 16.0));
    }
    values.extend([
        0.0,
        -0.0,
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f32::MAX as f64,
        halfway_above(f32::MAX),
        f32::MIN as f64,
        f32::MIN_POSITIVE as f64,
        f32::EPSILON as f64,
        1e-300,
        -1e-300,
        1e300,
    ]);
    let whole_rows = values.len() / WIDTH * WIDTH;
    values.truncate(whole_rows);
    values
}

const BOTH_WRITERS: &str = r#"
import os, sys
import numpy as np
import lemsc_javafloat as jf
rows = np.fromfile(sys.argv[1], dtype="<f8").reshape(-1, int(sys.argv[2]))
out = sys.argv[3]
jf.write_rows(os.path.join(out, "python.dat"), rows)
jf.write_rows(os.path.join(out, "python_one_row.dat"), rows[3])
jf.write_rows(os.path.join(out, "python_empty.dat"), rows[:0])
assert jf.use_native_writer(os.path.join(out, "cache")), "the C++ writer was not built"
jf.write_rows(os.path.join(out, "native.dat"), rows)
jf.write_rows(os.path.join(out, "native_one_row.dat"), rows[3])
jf.write_rows(os.path.join(out, "native_empty.dat"), rows[:0])
# A transposed view: the writer must take the values in row order, not memory order.
jf.write_rows(os.path.join(out, "native_strided.dat"), rows.T.copy().T)
try:
    jf.write_rows(os.path.join(out, "missing", "x.dat"), rows)
    raise AssertionError("a missing folder was not reported")
except FileNotFoundError:
    pass
"#;

#[test]
fn the_cpp_writer_writes_the_python_writers_bytes() {
    if skipped_without_brian2("the_cpp_writer_writes_the_python_writers_bytes") {
        return;
    }
    let root = Scratch::fresh(tmp_root("bytes"));
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let values = sample_values();
    assert!(values.len() > 300_000, "{} values", values.len());
    let input = root.join("rows.f64");
    let bytes: Vec<u8> = values.iter().flat_map(|x| x.to_le_bytes()).collect();
    std::fs::write(&input, bytes).unwrap();
    let width = WIDTH.to_string();
    run_python(&root, BOTH_WRITERS, &[&input, Path::new(&width), &out], &[]);

    let python = std::fs::read_to_string(out.join("python.dat")).unwrap();
    let lines: Vec<&str> = python.lines().collect();
    assert_eq!(lines.len(), values.len() / WIDTH);
    assert!(lines.iter().all(|l| l.split('\t').count() == WIDTH + 1));
    for name in ["native.dat", "native_strided.dat"] {
        let native = std::fs::read_to_string(out.join(name)).unwrap();
        if native != python {
            let differ: Vec<String> = python
                .lines()
                .zip(native.lines())
                .flat_map(|(p, n)| p.split('\t').zip(n.split('\t')))
                .filter(|(p, n)| p != n)
                .take(20)
                .map(|(p, n)| format!("python {p:?}, C++ {n:?}"))
                .collect();
            panic!("{name} differs from python.dat:\n{}", differ.join("\n"));
        }
    }
    for case in ["one_row", "empty"] {
        let python = std::fs::read(out.join(format!("python_{case}.dat"))).unwrap();
        let native = std::fs::read(out.join(format!("native_{case}.dat"))).unwrap();
        assert_eq!(native, python, "{case}");
    }
    // Written under temporary names, renamed when complete: none is left behind.
    let leftovers: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

const WITHOUT_COMPILER: &str = r#"
import os, sys
import lemsc_javafloat as jf
out = sys.argv[1]
assert not jf.use_native_writer(os.path.join(out, "cache"))
jf.write_rows(os.path.join(out, "python.dat"), [[0.0, 1e-5, -0.065], [2.5e-5, 1e7, 1e-45]])
"#;

#[test]
fn without_a_compiler_python_writes_and_says_so() {
    if skipped_without_brian2("without_a_compiler_python_writes_and_says_so") {
        return;
    }
    let root = Scratch::fresh(tmp_root("no-compiler"));
    let out = root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let missing = root.join("no-such-compiler");
    let stderr = run_python(
        &root,
        WITHOUT_COMPILER,
        &[&out],
        &[("CXX", missing.to_str().unwrap())],
    );
    assert!(
        stderr.contains("no C++ compiler") && stderr.contains("Python writer"),
        "stderr: {stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("python.dat")).unwrap(),
        "0.0\t1.0E-5\t-0.065\t\n2.5E-5\t1.0E7\t1.4E-45\t\n"
    );
}
