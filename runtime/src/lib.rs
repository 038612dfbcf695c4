//! The lemsc runtime: owns time stepping, event delivery, recording and output files for
//! compiled kernels. It is filled in by the native target; nothing runs simulations yet.
