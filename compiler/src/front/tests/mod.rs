//! Unit tests of the frontend, one file per module tested.

mod load;
mod xml;
