//! A small JIT harness: each expression as `double f_k(const double* vars)`, optimised at
//! O2 and compiled in-process. Used to test expression codegen against `eval`.

use std::sync::Once;

use inkwell::context::Context;
use inkwell::execution_engine::{ExecutionEngine, JitFunction};
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{CodeModel, InitializationConfig, RelocMode, Target, TargetMachine};
use inkwell::{AddressSpace, OptimizationLevel};

use super::expr::{compile_expr, Codegen};
use crate::diag::Diagnostic;
use crate::front::expr::Expr;

type KernelFn = unsafe extern "C" fn(*const f64) -> f64;

/// Compiled expressions; `call(k, vars)` runs the k-th with `vars` in the order of `names`.
pub struct JitFunctions<'ctx> {
    functions: Vec<JitFunction<'ctx, KernelFn>>,
    arity: usize,
    // Owns the machine code the functions point into.
    _engine: ExecutionEngine<'ctx>,
}

impl JitFunctions<'_> {
    pub fn len(&self) -> usize {
        self.functions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
    }

    /// Runs expression `k` with `vars[i]` as the value of `names[i]`.
    pub fn call(&self, k: usize, vars: &[f64]) -> f64 {
        assert_eq!(vars.len(), self.arity, "one value per name");
        // SAFETY: the function reads exactly `arity` doubles from the pointer.
        unsafe { self.functions[k].call(vars.as_ptr()) }
    }
}

/// Compiles each of `exprs` into its own function reading `names` from an array of doubles.
pub fn compile_standalone<'ctx>(
    context: &'ctx Context,
    exprs: &[&Expr],
    names: &[&str],
) -> Result<JitFunctions<'ctx>, Diagnostic> {
    let llvm_err = |what: &str, e: String| Diagnostic::error(format!("LLVM {what}: {e}"));
    let tm = host_machine().map_err(|e| llvm_err("target", e))?;
    let module = context.create_module("lemsc_exprs");
    let builder = context.create_builder();
    let f64t = context.f64_type();
    let ptr = context.ptr_type(AddressSpace::default());
    let fn_type = f64t.fn_type(&[ptr.into()], false);
    let cg = Codegen {
        context,
        module: &module,
        builder: &builder,
    };
    for (k, e) in exprs.iter().enumerate() {
        let f = module.add_function(&format!("f_{k}"), fn_type, None);
        builder.position_at_end(context.append_basic_block(f, "entry"));
        let vars = f
            .get_nth_param(0)
            .expect("one parameter")
            .into_pointer_value();
        let mut values = Vec::with_capacity(names.len());
        for (i, name) in names.iter().enumerate() {
            let index = context.i64_type().const_int(i as u64, false);
            // SAFETY: callers pass one double per name, so index i is in bounds.
            let at = unsafe { builder.build_in_bounds_gep(f64t, vars, &[index], name) }
                .map_err(|e| llvm_err("builder", e.to_string()))?;
            let v = builder
                .build_load(f64t, at, name)
                .map_err(|e| llvm_err("builder", e.to_string()))?;
            values.push(v.into_float_value());
        }
        let lookup = |n: &str| names.iter().position(|m| *m == n).map(|i| values[i]);
        let result = compile_expr(&cg, e, &lookup)?;
        builder
            .build_return(Some(&result))
            .map_err(|e| llvm_err("builder", e.to_string()))?;
    }
    module
        .verify()
        .map_err(|e| llvm_err("verifier", e.to_string()))?;
    module.set_triple(&tm.get_triple());
    module.set_data_layout(&tm.get_target_data().get_data_layout());
    module
        .run_passes("default<O2>", &tm, PassBuilderOptions::create())
        .map_err(|e| llvm_err("optimiser", e.to_string()))?;
    let engine = module
        .create_jit_execution_engine(OptimizationLevel::Aggressive)
        .map_err(|e| llvm_err("JIT", e.to_string()))?;
    let mut functions = Vec::with_capacity(exprs.len());
    for k in 0..exprs.len() {
        // SAFETY: f_k was built above with exactly the KernelFn signature.
        let f = unsafe { engine.get_function::<KernelFn>(&format!("f_{k}")) }
            .map_err(|e| llvm_err("JIT lookup", e.to_string()))?;
        functions.push(f);
    }
    Ok(JitFunctions {
        functions,
        arity: names.len(),
        _engine: engine,
    })
}

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
