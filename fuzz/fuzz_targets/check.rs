//! An arbitrary document through the whole pipeline, as `lemsc check` runs it: the input is
//! written to a file in a per-process folder and loaded from there, so includes of built-in
//! definitions (and of the file itself) take the real paths.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use lemsc::diag::{render, SourceMap};
use lemsc::front::load::{load, LoadOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = input_path();
    std::fs::write(path, data).expect("the fuzz input file can be written");

    let mut sources = SourceMap::new();
    let (_docs, diags) = load(&mut sources, &[path.clone()], &LoadOptions::default());
    for d in &diags.list {
        if let Some((span, _)) = &d.primary {
            let text = &sources.file(span.file).text;
            assert!(
                text.get(span.start as usize..span.end as usize).is_some(),
                "diagnostic span {}..{} is not a character range of {}",
                span.start,
                span.end,
                sources.file(span.file).display
            );
        }
    }
    let _ = render(&sources, &diags.list, false);
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
