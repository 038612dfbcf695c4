//! Code shared by the fuzz targets.

pub mod lems_model;
