//! Frontend: XML files (and NeuroML HDF5 networks) to syntax trees (with Include resolution),
//! quantities and expressions.

pub mod expr;
pub mod hdf5;
pub mod load;
pub mod quantity;
pub mod syntax;
pub mod xml;

#[cfg(test)]
mod tests;
