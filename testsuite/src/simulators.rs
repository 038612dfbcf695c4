//! Finding the simulators that the export tests run. A missing simulator skips those tests
//! on a developer's machine, but fails them under CI (`CI=true`, as `cargo xtask ci` and
//! `.ci/run` set it): a skip there would hide a broken install.

use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The Python that imports NEURON (`$LEMSC_PYTHON`, else `python3`), if there is one.
pub fn neuron_python() -> Option<&'static str> {
    static PYTHON: OnceLock<Option<String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let python = std::env::var("LEMSC_PYTHON").unwrap_or_else(|_| "python3".into());
            let works = Command::new(&python)
                .args(["-c", "import neuron"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            works.then_some(python)
        })
        .as_deref()
}

/// True when `test` must be skipped for want of NEURON (after saying so); panics instead
/// under CI.
pub fn skipped_without_neuron(test: &str) -> bool {
    if neuron_python().is_some() {
        return false;
    }
    let why = "no Python with NEURON (`import neuron` failed for $LEMSC_PYTHON, or python3 \
               when it is unset); install it with `pip install neuron` and set LEMSC_PYTHON";
    if in_ci() {
        panic!("{test}: {why}; under CI this is a failure, not a skip");
    }
    println!("SKIPPED {test}: {why}");
    true
}

/// Whether the tests run under CI (`CI` set to anything but `false` or empty).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}
