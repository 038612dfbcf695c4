//! What every text target (NEURON, Brian2, NEST) does before and after generating code: the
//! file checked and lowered, its output folder chosen and confined, errors reported after the
//! checker's warnings, and the generated files written only inside that folder.

use std::path::{Path, PathBuf};

use crate::confine::WriteRoot;
use crate::diag::{Diagnostic, SourceMap, Span};
use crate::ir::Ir;
use crate::model::Model;
use crate::pipeline::{CheckOptions, Checked};
use crate::simulate::{check_file, confine_checked, output_root, SimError};

/// A checked and lowered model, with the folder its generated files go to.
pub struct ExportInput {
    checked: Checked,
    /// The checker's warnings: shown before any later error, and kept in the outcome.
    pub warnings: Vec<Diagnostic>,
    /// The LEMS file's name without extension (`LEMS_x` of `LEMS_x.xml`).
    pub stem: String,
    /// `-o DIR`, else the LEMS file's folder.
    pub dir: PathBuf,
    write_root: WriteRoot,
}

impl ExportInput {
    /// Checks and lowers `path` and confines its output folder (`out_dir`, else the file's
    /// folder); every error is a [`SimError`] ready to report.
    pub fn prepare(
        path: &Path,
        out_dir: Option<&Path>,
        opts: &CheckOptions,
    ) -> Result<ExportInput, SimError> {
        let checked = check_file(path, opts)?;
        let warnings = checked.diagnostics.list.clone();
        if checked.model.is_none() || checked.ir.is_none() {
            // Checking lowers only a Simulation target; lowering again says what is missing.
            let mut diagnostics = warnings;
            if let Some(model) = checked.model.as_ref() {
                diagnostics.extend(crate::passes::lower(model).1.list);
            }
            return Err(SimError::Model {
                sources: checked.sources,
                diagnostics,
            });
        }
        let dir = output_root(path, out_dir);
        let write_root = match confine_checked(&checked, &dir, opts)? {
            Ok(root) => root,
            Err(mut diagnostics) => {
                diagnostics.splice(0..0, warnings);
                return Err(SimError::Model {
                    sources: checked.sources,
                    diagnostics,
                });
            }
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "LEMS".into());
        Ok(ExportInput {
            checked,
            warnings,
            stem,
            dir,
            write_root,
        })
    }

    pub fn model(&self) -> &Model {
        self.checked
            .model
            .as_ref()
            .expect("prepare keeps only lowered models")
    }

    pub fn ir(&self) -> &Ir {
        self.checked
            .ir
            .as_ref()
            .expect("prepare keeps only lowered models")
    }

    /// The model's errors (after its warnings) as the error of the export.
    pub fn fail(self, mut diagnostics: Vec<Diagnostic>) -> SimError {
        diagnostics.splice(0..0, self.warnings);
        SimError::Model {
            sources: self.checked.sources,
            diagnostics,
        }
    }

    /// Writes `files` (name relative to [`ExportInput::dir`], text) into the output folder,
    /// creating it, after refusing any name that would land outside it. An error is located
    /// at `origin(name)` where that knows the component a file comes from.
    pub fn write(
        &self,
        files: &[(&str, &str)],
        origin: &dyn Fn(&str) -> Option<Span>,
    ) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
        for (name, _) in files {
            let target = self.dir.join(name);
            if let Err(why) = self.write_root.check(&target) {
                let message = format!(
                    "will not write the generated file {}: it {why}",
                    target.display()
                );
                return Err(vec![located(origin(name), message)]);
            }
        }
        write_files(&self.dir, files, origin)
    }

    /// The sources and warnings, for the outcome of a finished export.
    pub fn into_report(self) -> (SourceMap, Vec<Diagnostic>) {
        (self.checked.sources, self.warnings)
    }
}

/// Writes `files` into `dir` (made if missing), in order; an error is located at
/// `origin(name)` where known.
pub fn write_files(
    dir: &Path,
    files: &[(&str, &str)],
    origin: &dyn Fn(&str) -> Option<Span>,
) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
    if let Err(e) = std::fs::create_dir_all(dir) {
        let message = format!("cannot make the output folder {}: {e}", dir.display());
        return Err(vec![Diagnostic::error(message)]);
    }
    let mut written = Vec::with_capacity(files.len());
    for &(name, text) in files {
        let path = dir.join(name);
        // A name may hold folders (`nestml/cell.nestml`).
        if let Some(parent) = path.parent().filter(|p| *p != dir) {
            if let Err(e) = std::fs::create_dir_all(parent) {
                let message = format!("cannot make the folder {}: {e}", parent.display());
                return Err(vec![located(origin(name), message)]);
            }
        }
        if let Err(e) = std::fs::write(&path, text) {
            let message = format!("cannot write the generated file {}: {e}", path.display());
            return Err(vec![located(origin(name), message)]);
        }
        written.push(path);
    }
    Ok(written)
}

fn located(span: Option<Span>, message: String) -> Diagnostic {
    match span {
        Some(span) => Diagnostic::at(span, message),
        None => Diagnostic::error(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    #[test]
    fn a_file_that_cannot_be_written_is_an_error_at_its_component() {
        let dir = std::env::temp_dir().join(format!("lemsc-export-write-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let files = [
            ("nml_a.mod", "a"),
            ("m_nrn.py", "b"),
            ("lib/support.py", "c"),
        ];
        let origin = Span::new(FileId(2), 10, 20);
        let origin_of = |name: &str| (name == "nml_a.mod").then_some(origin);
        // A folder where the mod goes.
        std::fs::create_dir_all(dir.join("nml_a.mod")).unwrap();
        let errors = write_files(&dir, &files, &origin_of).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].primary.as_ref().map(|p| p.0), Some(origin));
        assert!(
            errors[0].message.contains("nml_a.mod"),
            "{}",
            errors[0].message
        );

        // Once it can be written, every file is, in order, with its text.
        std::fs::remove_dir(dir.join("nml_a.mod")).unwrap();
        let written = write_files(&dir, &files, &origin_of).unwrap();
        let names: Vec<_> = written.iter().map(|p| p.file_name().unwrap()).collect();
        assert_eq!(names, ["nml_a.mod", "m_nrn.py", "support.py"]);
        assert_eq!(
            std::fs::read_to_string(dir.join("lib/support.py")).unwrap(),
            "c"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
