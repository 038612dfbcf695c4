//! An arbitrary document through the whole pipeline, as `lemsc check` runs it: the input is
//! written to a file in a per-process folder and checked from there, so includes of built-in
//! definitions (and of the file itself) take the real paths. Every diagnostic must point at a
//! character range of its file, and a model that builds must summarise.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use lemsc::diag::render;
use lemsc::model::summary::summary;
use lemsc::{check, CheckOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = input_path();
    std::fs::write(path, data).expect("the fuzz input file can be written");

    let checked = check(&[path.clone()], &CheckOptions::default());
    for d in &checked.diagnostics.list {
        if let Some((span, _)) = &d.primary {
            let file = checked.sources.file(span.file);
            assert!(
                file.text
                    .get(span.start as usize..span.end as usize)
                    .is_some(),
                "diagnostic span {}..{} is not a character range of {}: {}",
                span.start,
                span.end,
                file.display,
                d.message
            );
        }
    }
    let _ = render(&checked.sources, &checked.diagnostics.list, false);
    if let Some(model) = &checked.model {
        let _ = summary(model);
    }
});

/// `<temp>/lemsc-fuzz-check-<pid>/model.xml`, one folder per fuzzing process.
fn input_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("lemsc-fuzz-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the fuzz temp folder can be created");
        dir.join("model.xml")
    })
}
