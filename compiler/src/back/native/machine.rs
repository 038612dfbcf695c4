//! The machine the native kernels are compiled for: this computer's, at full optimisation.

use std::sync::Once;

use inkwell::targets::{CodeModel, InitializationConfig, RelocMode, Target, TargetMachine};
use inkwell::OptimizationLevel;

/// The target machine of this computer, at full optimisation.
pub(crate) fn host_machine() -> Result<TargetMachine, String> {
    static INIT: Once = Once::new();
    let mut init_error = None;
    INIT.call_once(|| {
        init_error = Target::initialize_native(&InitializationConfig::default()).err();
    });
    if let Some(e) = init_error {
        return Err(e);
    }
    let triple = TargetMachine::get_default_triple();
    let target = Target::from_triple(&triple).map_err(|e| e.to_string())?;
    target
        .create_target_machine(
            &triple,
            &TargetMachine::get_host_cpu_name().to_string(),
            &TargetMachine::get_host_cpu_features().to_string(),
            OptimizationLevel::Aggressive,
            RelocMode::Default,
            CodeModel::JITDefault,
        )
        .ok_or_else(|| "no target machine for this computer".to_string())
}
