//! Our LEMS definitions of the NeuroML2 core component types, embedded in the binary.
//!
//! The files keep the standard's file names, so that `<Include file="Cells.xml"/>` (or
//! `NeuroML2CoreTypes/Cells.xml`) in a user's model finds them when no such file sits beside it.

macro_rules! def_files {
    ($($name:literal),* $(,)?) => {
        /// The built-in definition files: (file name, text).
        pub const FILES: &[(&str, &str)] = &[
            $(($name, include_str!(concat!("../defs/", $name)))),*
        ];
    };
}

def_files!(
    "NeuroML2CoreTypes.xml",
    "NeuroMLCoreDimensions.xml",
    "NeuroMLCoreCompTypes.xml",
    "Cells.xml",
    "Channels.xml",
    "Synapses.xml",
    "Inputs.xml",
    "Networks.xml",
    "Simulation.xml",
    "PyNN.xml",
);

/// The text of a built-in file by its name, e.g. `Cells.xml`.
pub fn get(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_is_embedded() {
        assert_eq!(super::FILES.len(), 10);
        assert!(super::get("Cells.xml").is_some());
        assert!(super::get("Nope.xml").is_none());
    }
}
