//! Finding the OMV test files of the NeuroML2 examples and listing their observables.

use std::path::{Path, PathBuf};

use lemsc::diag::{Diagnostic, SourceMap};

use super::spec::{load_omt, Observable, Omt};

/// The engine of the native LEMS simulation.
pub const ENGINE_JNEUROML: &str = "jNeuroML";
/// The engine of the NEURON export.
pub const ENGINE_NEURON: &str = "jNeuroML_NEURON";

/// The `.omt` files in `dir` (the hidden `.test.*.omt` files; `.omt.todo` ones are disabled
/// tests and left out), sorted by name.
pub fn omt_files(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::error(format!("cannot list {}: {e}", dir.display())))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "omt") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// The `.omt` files in `dir` whose engine is `engine`, parsed.
pub fn omts_for_engine(
    sources: &mut SourceMap,
    dir: &Path,
    engine: &str,
) -> Result<Vec<Omt>, Diagnostic> {
    let mut omts = Vec::new();
    for path in omt_files(dir)? {
        let omt = load_omt(sources, &path)?;
        if omt.engine == engine {
            omts.push(omt);
        }
    }
    Ok(omts)
}

/// One observable, with the test file and experiment it belongs to.
#[derive(Clone, Debug)]
pub struct ListedObservable {
    pub omt: PathBuf,
    pub experiment: String,
    pub observable: Observable,
}

/// Every observable of every `.omt` in `dir` run by `engine`, in file then experiment order.
/// Dry runs (an `.omt` without a `.mep`) have no observable and add nothing.
pub fn observables_for_engine(
    sources: &mut SourceMap,
    dir: &Path,
    engine: &str,
) -> Result<Vec<ListedObservable>, Diagnostic> {
    let mut listed = Vec::new();
    for omt in omts_for_engine(sources, dir, engine)? {
        for experiment in &omt.experiments {
            for observable in &experiment.observables {
                listed.push(ListedObservable {
                    omt: omt.path.clone(),
                    experiment: experiment.name.clone(),
                    observable: observable.clone(),
                });
            }
        }
    }
    Ok(listed)
}
