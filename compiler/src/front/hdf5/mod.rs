//! NeuroML networks stored as HDF5 (the layout libNeuroML's HDF5 writer produces), read into
//! the same [`Element`] tree the equivalent NeuroML XML gives, so later stages cannot tell
//! them apart.
//!
//! The file holds a `/neuroml` group (attributes `id`, `notes`, and `neuroml_top_level`: the
//! document's other elements as XML text) with a `network` group inside; that group's
//! `population_*`, `projection_*` and `inputList_*` groups carry their XML attributes as HDF5
//! attributes and their instances, connections and inputs as one 2-D numeric dataset whose
//! `column_N` attributes name the columns.
//!
//! Reading the file needs the system libhdf5, so it sits behind the cargo feature `hdf5`;
//! without it an HDF5 include is a located error saying how to build lemsc with it. Turning
//! what was read into elements ([`tree`]) needs no library and is always compiled for tests.
//!
//! Locations: an HDF5 file has no lines, so the elements made from it point into a short
//! outline of the file registered in the source map in its place, one line per HDF5 object
//! (`/neuroml/network/population_pop/pop`). A later error about an element then shows the
//! object it came from. Problems with the HDF5 content found here are reported at the
//! `<Include>` that brought the file in, naming the object.

use std::io::Read;
use std::path::Path;

#[cfg(not(feature = "hdf5"))]
use crate::diag::Diagnostic;
use crate::diag::{Diagnostics, FileId, SourceMap, Span};
use crate::front::syntax::Element;

#[cfg(any(feature = "hdf5", test))]
mod layout;
#[cfg(feature = "hdf5")]
mod read;
#[cfg(any(feature = "hdf5", test))]
mod tree;

#[cfg(test)]
mod tests;

/// The 8 bytes every HDF5 file starts with (after an optional user block).
const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// True when the file is HDF5: its signature is at offset 0 or, after a user block, at 512,
/// 1024, 2048... as the HDF5 format allows.
pub fn is_hdf5_file(path: &Path) -> bool {
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut offset = 0u64;
    while offset + 8 <= len {
        if has_signature_at(&mut file, offset) {
            return true;
        }
        offset = if offset == 0 { 512 } else { offset * 2 };
    }
    false
}

fn has_signature_at(file: &mut std::fs::File, offset: u64) -> bool {
    use std::io::{Seek, SeekFrom};
    let mut head = [0u8; 8];
    file.seek(SeekFrom::Start(offset)).is_ok()
        && file.read_exact(&mut head).is_ok()
        && &head == SIGNATURE
}

/// Reads a NeuroML HDF5 file into its `<neuroml>` element. `display` is the path shown in
/// diagnostics and `at` the include's span, where problems with the file are reported.
#[cfg(feature = "hdf5")]
pub fn load(
    sources: &mut SourceMap,
    canonical: &Path,
    display: &str,
    at: Option<Span>,
    diags: &mut Diagnostics,
) -> Option<(FileId, Element)> {
    let report = |e: read::ReadError| layout::located(at, display, &e.object, &e.message);
    let neuroml = match read::read_file(canonical) {
        Ok(g) => g,
        Err(e) => {
            diags.push(report(e));
            return None;
        }
    };
    let file = tree::Source {
        canonical,
        display,
        at,
    };
    match tree::build(&neuroml, &file, sources) {
        Ok((id, root, warnings)) => {
            for w in warnings {
                diags.push(w);
            }
            Some((id, root))
        }
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Without the `hdf5` feature: reports that this build cannot read the file.
#[cfg(not(feature = "hdf5"))]
pub fn load(
    _sources: &mut SourceMap,
    _canonical: &Path,
    display: &str,
    at: Option<Span>,
    diags: &mut Diagnostics,
) -> Option<(FileId, Element)> {
    let message = format!(
        "'{display}' is a NeuroML HDF5 file, and this lemsc was built without HDF5 support"
    );
    let d = match at {
        Some(span) => Diagnostic::at(span, message),
        None => Diagnostic::error(message),
    };
    diags.push(d.with_note(
        "build lemsc with the cargo feature `hdf5` to read it (needs libhdf5-dev and \
         pkg-config): cargo build --release --features lemsc/hdf5",
    ));
    None
}
