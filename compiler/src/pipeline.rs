//! The pipeline, stage by stage. Each stage is one function with a typed result; errors from
//! every stage are diagnostics located in the [`SourceMap`].

use std::path::PathBuf;

use crate::diag::{Diagnostics, SourceMap};
use crate::front::load::{self, LoadOptions};
use crate::ir::Ir;
use crate::limits::Limits;
use crate::model::{self, Model};
use crate::passes;

/// Options shared by every command that reads a model.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Extra folders searched for included files (`-I`), before the built-in core types.
    pub include_dirs: Vec<PathBuf>,
    /// `--strict`: what lemsc accepts as jLEMS does, with a warning, is an error instead.
    pub strict: bool,
    /// `--allow-writes-outside`: output files may be named outside the model's folder.
    pub allow_writes_outside: bool,
    /// `--max-instances`, `--max-connections`, `--max-memory-gib`.
    pub limits: Limits,
}

/// The result of reading and checking a model: the sources (for rendering diagnostics), the
/// model if it could be built, and everything found along the way.
pub struct Checked {
    pub sources: SourceMap,
    pub model: Option<Model>,
    /// The instantiated simulation, when the model's `<Target>` is a Simulation that lowers.
    pub ir: Option<Ir>,
    pub diagnostics: Diagnostics,
}

impl Checked {
    /// True when the model was built and no error was reported.
    pub fn ok(&self) -> bool {
        self.model.is_some() && !self.diagnostics.has_errors()
    }
}

/// Reads `files` and everything they include, then resolves and checks the model.
pub fn check(files: &[PathBuf], opts: &CheckOptions) -> Checked {
    let mut sources = SourceMap::new();
    // 1. XML files, includes resolved, into syntax trees.
    let load_opts = LoadOptions {
        include_dirs: opts.include_dirs.clone(),
    };
    let (docs, mut diagnostics) = load::load(&mut sources, files, &load_opts);
    if opts.strict {
        diagnostics.make_strict();
    }
    if diagnostics.has_errors() {
        // A file that could not be read leaves types and components missing; checking further
        // would bury the real error under consequences of it.
        return Checked {
            sources,
            model: None,
            ir: None,
            diagnostics,
        };
    }
    // 2. Syntax trees into the typed, dimension-checked model.
    let (model, model_diags) = model::build(&docs, &sources);
    diagnostics.extend(model_diags);
    // 3. The files the simulation will write.
    if let Some(model) = &model {
        diagnostics.extend(model::outputs::check_output_paths(
            model,
            opts.allow_writes_outside,
        ));
        diagnostics.extend(model::validate::validate(model));
    }
    // 4. What the target Simulation runs: Structure instantiated, recorded paths resolved.
    let mut ir = None;
    if let Some(model) = model
        .as_ref()
        .filter(|m| passes::lower::has_runnable_target(m))
    {
        if !diagnostics.has_errors() {
            let (lowered, lower_diags) = passes::lower_within(model, &opts.limits);
            diagnostics.extend(lower_diags);
            ir = lowered;
        }
    }
    if opts.strict {
        diagnostics.make_strict();
    }
    Checked {
        sources,
        model,
        ir,
        diagnostics,
    }
}
