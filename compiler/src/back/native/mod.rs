//! The native backend: model kernels compiled to machine code with LLVM and run in-process.

pub mod expr;
pub mod jit;

#[cfg(test)]
mod tests_expr;
