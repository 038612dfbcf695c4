//! Frontend: XML files to syntax trees (with Include resolution), quantities and expressions.

pub mod expr;
pub mod load;
pub mod quantity;
pub mod syntax;
pub mod xml;

#[cfg(test)]
mod tests_load;
#[cfg(test)]
mod tests_xml;
