//! Helpers shared by the compiler's integration tests (each test file that needs them says
//! `mod common;`).

#![allow(dead_code)] // each test file uses a part

pub mod neuron;
pub mod snapshots;
