//! `lemsc FILE --plot` from the command line: the plots land in the output folder beside the
//! output files and `-v` lists them; `--plot` with another target is a usage error.

use std::path::{Path, PathBuf};
use std::process::Command;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/neuroml2/LEMSexamples")
        .join(name)
}

#[test]
fn plot_writes_a_png_and_an_svg_per_display_beside_the_outputs() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plot-cli");
    let _ = std::fs::remove_dir_all(&out);
    let run = Command::new(env!("CARGO_BIN_EXE_lemsc"))
        .arg(example("LEMS_NML2_Ex1_HH.xml"))
        .args(["--plot", "-v", "-o"])
        .arg(&out)
        .output()
        .expect("run lemsc");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    for name in ["d1.png", "d1.svg", "d2.png", "d2.svg", "results/hh_v.dat"] {
        let path = out.join(name);
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{} has {size} bytes", path.display());
        assert!(
            stderr.contains(&format!("wrote {}", path.display())),
            "{stderr}"
        );
    }
    let png = std::fs::read(out.join("d1.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn plot_with_another_target_is_a_usage_error() {
    let run = Command::new(env!("CARGO_BIN_EXE_lemsc"))
        .arg(example("LEMS_NML2_Ex1_HH.xml"))
        .args(["--plot", "--target", "neuron", "-o"])
        .arg(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("plot-cli-neuron"))
        .output()
        .expect("run lemsc");
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--plot"));
}
