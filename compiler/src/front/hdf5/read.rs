//! The HDF5 side: opens the file with libhdf5 and copies the `/neuroml` group, the `network`
//! group in it and that group's children into plain [`Group`]s. Nothing NeuroML-specific is
//! decided here but where to look.

use std::path::Path;

use hdf5::types::{
    FixedAscii, FixedUnicode, FloatSize, TypeDescriptor, VarLenAscii, VarLenUnicode,
};
use hdf5::{Attribute, Dataset, Location};

use super::layout::{Group, Table};

/// A problem with the HDF5 file itself: where in it, and what.
#[derive(Debug)]
pub struct ReadError {
    /// HDF5 object path, empty for the file as a whole.
    pub object: String,
    pub message: String,
}

/// Groups below `/neuroml` that are read: `network`, then its populations, projections and
/// input lists. Nothing NeuroML defines lies deeper.
const DEPTH: usize = 2;

/// Reads `/neuroml` and the two levels below it.
pub fn read_file(path: &Path) -> Result<Group, ReadError> {
    let whole = |message: String| ReadError {
        object: String::new(),
        message,
    };
    let file = hdf5::File::open(path).map_err(|e| whole(format!("cannot read as HDF5: {e}")))?;
    let root = file.group("neuroml").map_err(|_| {
        whole("no /neuroml group: not a NeuroML HDF5 file (as libNeuroML writes them)".into())
    })?;
    read_group(&root, DEPTH)
}

fn read_group(group: &hdf5::Group, depth: usize) -> Result<Group, ReadError> {
    let path = group.name();
    let fail = |e: hdf5::Error| ReadError {
        object: path.clone(),
        message: e.to_string(),
    };
    let mut out = Group {
        attrs: read_attrs(group).map_err(fail)?,
        ..Group::default()
    };
    for ds in group.datasets().map_err(fail)? {
        out.tables.push(read_table(&ds)?);
    }
    if depth > 0 {
        for sub in group.groups().map_err(fail)? {
            out.groups.push(read_group(&sub, depth - 1)?);
        }
    }
    out.path = path;
    Ok(out)
}

fn read_attrs(loc: &Location) -> hdf5::Result<Vec<(String, Result<String, String>)>> {
    let mut attrs = Vec::new();
    for name in loc.attr_names()? {
        let value = loc
            .attr(&name)
            .and_then(|a| attr_text(&a))
            .map_err(|e| e.to_string());
        match value {
            Ok(None) => {}
            // PyTables stores Python's None (libNeuroML's unset notes) pickled: `N.`.
            Ok(Some(v)) if v == "N." => {}
            Ok(Some(v)) => attrs.push((name, Ok(v))),
            Err(e) => attrs.push((name, Err(e))),
        }
    }
    Ok(attrs)
}

/// An attribute as text: strings as they are, numbers as written in XML; of an array, its
/// first element (as libNeuroML reads them). `None` for an empty attribute.
fn attr_text(attr: &Attribute) -> hdf5::Result<Option<String>> {
    let first = |v: Vec<String>| v.into_iter().next();
    Ok(match attr.dtype()?.to_descriptor()? {
        TypeDescriptor::FixedAscii(len) => fixed_string(attr, len, false)?,
        TypeDescriptor::FixedUnicode(len) => fixed_string(attr, len, true)?,
        TypeDescriptor::VarLenAscii => first(
            attr.read_raw::<VarLenAscii>()?
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        TypeDescriptor::VarLenUnicode => first(
            attr.read_raw::<VarLenUnicode>()?
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ),
        TypeDescriptor::Integer(_) | TypeDescriptor::Boolean | TypeDescriptor::Enum(_) => {
            attr.read_raw::<i64>()?.first().map(i64::to_string)
        }
        TypeDescriptor::Unsigned(_) => attr.read_raw::<u64>()?.first().map(u64::to_string),
        TypeDescriptor::Float(_) => attr.read_raw::<f64>()?.first().map(f64::to_string),
        other => return Err(format!("an attribute of type {other} has no text form").into()),
    })
}

/// A fixed-length string of `len` bytes. libhdf5 converts between fixed lengths but not to
/// variable-length strings, so it is read into the smallest fixed buffer that holds it.
fn fixed_string(attr: &Attribute, len: usize, utf8: bool) -> hdf5::Result<Option<String>> {
    fn read<const N: usize>(attr: &Attribute, utf8: bool) -> hdf5::Result<Option<String>> {
        Ok(if utf8 {
            attr.read_raw::<FixedUnicode<N>>()?
                .first()
                .map(|s| s.as_str().to_owned())
        } else {
            attr.read_raw::<FixedAscii<N>>()?
                .first()
                .map(|s| s.as_str().to_owned())
        })
    }
    match len {
        0..=256 => read::<256>(attr, utf8),
        257..=4096 => read::<4096>(attr, utf8),
        4097..=65536 => read::<65536>(attr, utf8),
        65537..=1_048_576 => read::<1_048_576>(attr, utf8),
        1_048_577..=16_777_216 => read::<16_777_216>(attr, utf8),
        _ => Err(format!("a string attribute of {len} bytes is more than lemsc reads").into()),
    }
}

fn read_table(ds: &Dataset) -> Result<Table, ReadError> {
    let path = ds.name();
    let fail = |message: String| ReadError {
        object: path.clone(),
        message,
    };
    let shape = ds.shape();
    let [rows, width] = shape[..] else {
        return Err(fail(format!(
            "expected a 2-D table (rows of numbers), found a dataset of shape {shape:?}"
        )));
    };
    let descriptor = ds.dtype().and_then(|t| t.to_descriptor());
    let single = matches!(descriptor, Ok(TypeDescriptor::Float(FloatSize::U4)));
    let numeric = matches!(
        descriptor,
        Ok(TypeDescriptor::Float(_) | TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_))
    );
    if !numeric {
        let found = descriptor.map_or_else(|e| e.to_string(), |t| t.to_string());
        return Err(fail(format!(
            "expected numbers, found values of type {found}"
        )));
    }
    let values = if single {
        ds.read_raw::<f32>()
            .map(|v| v.into_iter().map(f64::from).collect())
    } else {
        ds.read_raw::<f64>()
    }
    .map_err(|e| fail(e.to_string()))?;
    let mut columns = Vec::new();
    for (name, value) in read_attrs(ds).map_err(|e| fail(e.to_string()))? {
        let Some(index) = name.strip_prefix("column_") else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        let value = value.map_err(|e| fail(format!("attribute {name}: {e}")))?;
        columns.push((index, value));
    }
    Ok(Table {
        path,
        columns,
        rows,
        width,
        values,
        single,
    })
}
