//! The state after jLEMS's initialisation, computed here rather than in Brian2.
//!
//! jLEMS initialises recursively, 3·2^d passes for an instance at depth d, with OnStart blocks
//! run twice and random draws from `java.util.Random` (docs/jlems-semantics.md §5, §9). The
//! runtime's interpreter already does exactly that, so the script starts from its result:
//! the rows at t = 0 and the first random numbers are jLEMS's own.

use lemsc_runtime::engine::{self, Interpreter, RunOptions};
use lemsc_runtime::program::Program;

/// Every value of `program` after initialisation (no step run, no file written).
pub fn initial_values(program: &Program) -> Result<Vec<f64>, String> {
    let mut init_only = program.clone();
    init_only.steps = 0;
    init_only.outputs.clear();
    init_only.event_outputs.clear();
    let code = Interpreter::new(&init_only.kernels);
    engine::run(&init_only, &code, RunOptions::default())
        .map(|report| report.final_vars)
        .map_err(|e| format!("the initial state could not be computed: {e}"))
}
