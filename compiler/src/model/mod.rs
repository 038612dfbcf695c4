//! The typed model: dimensions, units, component types and components, checked.

pub mod component;
pub mod dims;
pub mod types;
