//! The OMV tests of real model repositories in `../shared/realworld`: finding their `.omt`
//! files and the LEMS files they run. Each repository keeps its own layout, so test files are
//! found by walking the whole tree; a target may sit beside the `.omt` or above it
//! (`../LEMS_x.xml`).

use std::path::{Path, PathBuf};

use lemsc::diag::SourceMap;

use crate::nrncompare::normalize;
use crate::omv::{load_omt, Omt};
use crate::shared_dir;

/// The folder of real model repositories.
pub fn realworld_dir() -> PathBuf {
    shared_dir().join("realworld")
}

/// Every `.omt` file under `dir`, at any depth, sorted by path.
pub fn omt_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "omt") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// Every `.omt` under the realworld folder whose engine is `engine`, parsed.
pub fn realworld_omts(sources: &mut SourceMap, engine: &str) -> Vec<Omt> {
    omt_files_under(&realworld_dir())
        .iter()
        .map(|path| {
            load_omt(sources, path).unwrap_or_else(|d| panic!("{}: {}", path.display(), d.message))
        })
        .filter(|omt| omt.engine == engine)
        .collect()
}

/// The LEMS file an `.omt` runs, without `.` and `..`.
pub fn omt_target(omt: &Omt) -> PathBuf {
    normalize(&omt.folder().join(omt.target.trim()))
}

/// The distinct LEMS files run by `omts`, in path order.
pub fn distinct_targets(omts: &[Omt]) -> Vec<PathBuf> {
    let mut targets: Vec<PathBuf> = omts.iter().map(omt_target).collect();
    targets.sort();
    targets.dedup();
    targets
}

/// A short name for a target: its path below the realworld folder.
pub fn short_name(target: &Path) -> String {
    let root = normalize(&realworld_dir());
    target
        .strip_prefix(&root)
        .unwrap_or(target)
        .display()
        .to_string()
}

/// A folder name for a target's outputs (its short name with `/` replaced), unique per target.
pub fn out_folder_name(target: &Path) -> String {
    short_name(target).replace(['/', '\\'], "__")
}
