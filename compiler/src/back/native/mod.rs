//! The native backend: model kernels compiled to machine code with LLVM and run in-process.

mod batch_emit;
pub mod expr;
pub mod kernel;
mod kernel_emit;
mod machine;

pub use kernel::{compile_program, NativeKernels};

#[cfg(test)]
mod tests;
