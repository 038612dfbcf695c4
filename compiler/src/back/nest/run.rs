//! `--target nest --run`: build the NESTML module (once per distinct set of models), put it
//! beside the script, run the script.
//!
//! The Python is `$LEMSC_NEST_PYTHON`, else `python3` on PATH; it must import `nest`
//! (nest-simulator 3.10 from PyPI) and `pynestml` (nestml 9.0), and cmake and the Boost,
//! ltdl and GSL headers must be installed (docs/nest-target.md §2). Built modules are kept
//! in `$LEMSC_NEST_CACHE`, else `$XDG_CACHE_HOME/lemsc/nest`, else `~/.cache/lemsc/nest`,
//! under their name, which holds a hash of the models' text: an unchanged model is never
//! rebuilt.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::script::MODULE_DIR;
use super::{NestExport, MODELS_DIR};

const BUILD_SCRIPT: &str = include_str!("../../../../codegen-templates/nest/build_module.py");

/// Bumped when the way modules are built changes, so cached modules are not reused.
const BUILD_VERSION: &str = "lemsc-nest-1";

/// `lemsc<16 hex digits>module`, from the models' names and text.
pub fn module_name(models: &[(String, String)]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes.iter().chain(&[0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(BUILD_VERSION.as_bytes());
    feed(BUILD_SCRIPT.as_bytes());
    for (name, text) in models {
        feed(name.as_bytes());
        feed(text.as_bytes());
    }
    format!("lemsc{h:016x}module")
}

/// The Python that runs NEST and NESTML.
pub fn python() -> PathBuf {
    std::env::var_os("LEMSC_NEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// Checks that `python` imports nest and pynestml and that cmake is there.
pub fn check_tools(python: &Path) -> Result<(), String> {
    let imports = Command::new(python)
        .args(["-c", "import nest, pynestml"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !imports {
        return Err(format!(
            "the NEST target needs a Python that imports nest and pynestml: `pip install \
             nest-simulator==3.10.0 nestml==9.0.0` into a virtual environment and set \
             LEMSC_NEST_PYTHON to its python ({} does not import them)",
            python.display()
        ));
    }
    let cmake = Command::new("cmake")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !cmake {
        return Err(
            "building NESTML modules needs cmake and the Boost, ltdl and GSL headers: \
                    `apt-get install cmake libboost-dev libltdl-dev libgsl-dev`"
                .into(),
        );
    }
    Ok(())
}

/// Where built modules are kept.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("LEMSC_NEST_CACHE") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("lemsc/nest");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache/lemsc/nest")
}

/// The built module of `export`: from the cache, else built now (NESTML code generation,
/// cmake and g++: about 15-30 s). Returns its path in the cache and whether it was built.
pub fn ensure_module(python: &Path, export: &NestExport) -> Result<(PathBuf, bool), String> {
    let cache = cache_dir();
    let so_name = format!("{}.so", export.module);
    let cached = cache.join(&export.module).join(&so_name);
    if cached.is_file() {
        return Ok((cached, false));
    }
    let work = cache.join(format!("{}.building-{}", export.module, std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let models = work.join(MODELS_DIR);
    std::fs::create_dir_all(&models).map_err(|e| {
        format!(
            "cannot make the NEST build folder {}: {e}",
            models.display()
        )
    })?;
    for (name, text) in &export.models {
        std::fs::write(models.join(name), text)
            .map_err(|e| format!("cannot write {}: {e}", models.join(name).display()))?;
    }
    let script = work.join("build_module.py");
    std::fs::write(&script, BUILD_SCRIPT)
        .map_err(|e| format!("cannot write {}: {e}", script.display()))?;
    let output = Command::new(python)
        .arg(&script)
        .arg(&models)
        .arg(&work)
        .arg(&export.module)
        .current_dir(&work)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    let built = work.join("install").join(&so_name);
    if !output.status.success() || !built.is_file() {
        let mut log = String::from_utf8_lossy(&output.stdout).into_owned();
        log.push_str(&String::from_utf8_lossy(&output.stderr));
        let tail: String = {
            let lines: Vec<&str> = log.lines().collect();
            lines[lines.len().saturating_sub(40)..].join("\n")
        };
        return Err(format!(
            "building the NESTML module {} failed (models and build in {}):\n{tail}",
            export.module,
            work.display()
        ));
    }
    // Into place by renaming, so a concurrent run never sees half a module; a run that
    // built the same module first wins.
    let final_dir = cache.join(&export.module);
    let staged = work.join("module");
    std::fs::create_dir_all(&staged).map_err(|e| e.to_string())?;
    std::fs::rename(&built, staged.join(&so_name)).map_err(|e| e.to_string())?;
    if std::fs::rename(&staged, &final_dir).is_err() && !cached.is_file() {
        return Err(format!(
            "cannot move the built module into {}",
            final_dir.display()
        ));
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok((cached, true))
}

/// Copies the module beside the script (`nest_module/`), as the script expects it.
pub fn install_module(module: &Path, out_dir: &Path) -> Result<PathBuf, String> {
    let dir = out_dir.join(MODULE_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    let dest = dir.join(module.file_name().unwrap_or_default());
    let tmp = dir.join(format!(".copy-{}", std::process::id()));
    std::fs::copy(module, &tmp)
        .and_then(|_| std::fs::rename(&tmp, &dest))
        .map_err(|e| format!("cannot copy the module to {}: {e}", dest.display()))?;
    Ok(dest)
}

/// Runs the script in `out_dir` with `-nogui`; its exit status (its output goes to ours).
pub fn run_script(python: &Path, script: &Path, out_dir: &Path) -> Result<i32, String> {
    // The script runs in `out_dir`, so it is named from there.
    let name = script.file_name().map_or_else(|| script.as_os_str(), |n| n);
    let status = Command::new(python)
        .arg(name)
        .arg("-nogui")
        .current_dir(out_dir)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_name_changes_with_the_models_and_only_with_them() {
        let a = vec![("x.nestml".to_string(), "model x:".to_string())];
        let b = vec![("x.nestml".to_string(), "model x: ".to_string())];
        assert_eq!(module_name(&a), module_name(&a.clone()));
        assert_ne!(module_name(&a), module_name(&b));
        assert!(module_name(&a).starts_with("lemsc") && module_name(&a).ends_with("module"));
    }
}
