//! The files jLEMS writes, byte for byte: `.dat` traces (an `OutputFile`) and spike lists
//! (an `EventOutputFile`).
//!
//! Layout (docs/jlems-semantics.md §11, confirmed on the reference files):
//! - a `.dat` row is `t`, then each column, every value cast to `f32` and printed by Java's
//!   `Float.toString`, each one followed by a TAB (the last one too), then `\n`;
//! - a spike line is `time<TAB>id\n` (`TIME_ID`) or `id<TAB>time\n` (`ID_TIME`), no
//!   trailing tab, the time printed like a `.dat` value and the id as an integer.
//!
//! A file is written under a temporary name in its own folder and renamed to its real name
//! only by `finish()` (or `seal()` then `publish()`, to rename the files of a run only once
//! all are complete). A writer dropped before that (a failed run) deletes its temporary
//! file, so a failed run never leaves a file that looks complete; [`remove_pending_files`]
//! deletes them all when the process is interrupted.
//!
//! Missing folders: jLEMS does not create the parent folder of an output file; it reports
//! an error and exits at the first write. We do the same, but at `create`, before any time
//! is spent simulating.

use crate::javafmt::push_float;
use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// An output file that could not be written, with the path it was meant for.
#[derive(Debug)]
pub struct OutputError {
    pub path: PathBuf,
    pub source: io::Error,
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot write output file {}: {}",
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for OutputError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A file written a line at a time, each line built in `line` first: `L` is what shapes the
/// lines, the column count of a [`DatWriter`] or the layout of a [`SpikeWriter`].
pub struct LineWriter<L> {
    file: PendingFile,
    shape: L,
    line: String,
}

impl<L> LineWriter<L> {
    fn start(path: &Path, shape: L, line_capacity: usize) -> Result<Self, OutputError> {
        Ok(LineWriter {
            file: PendingFile::create(path)?,
            shape,
            line: String::with_capacity(line_capacity),
        })
    }

    /// Ends the line built in `line` and writes it.
    fn write_line(&mut self) -> Result<(), OutputError> {
        self.line.push('\n');
        self.file.write(self.line.as_bytes())
    }

    /// Flushes the lines and gives the file its real name; returns that path.
    pub fn finish(self) -> Result<PathBuf, OutputError> {
        self.file.finish()
    }

    /// Flushes the lines to disk, still under the temporary name: for runs that give all
    /// their files their real names only once every one of them is complete.
    pub fn seal(self) -> Result<Sealed, OutputError> {
        self.file.seal()
    }
}

/// Writes `.dat` rows: time, then one value per column (the count it was created for).
pub type DatWriter = LineWriter<usize>;

impl DatWriter {
    /// Starts `path` (under a temporary name) for rows of `columns` values after the time.
    pub fn create(path: impl AsRef<Path>, columns: usize) -> Result<DatWriter, OutputError> {
        LineWriter::start(path.as_ref(), columns, 16 * (columns + 1) + 1)
    }

    /// Appends one row. `values` must hold exactly the number of columns given to `create`.
    pub fn write_row(&mut self, t: f64, values: &[f64]) -> Result<(), OutputError> {
        let columns = self.shape;
        if values.len() != columns {
            let message = format!(
                "a row of {} values was written to a file of {columns} columns",
                values.len(),
            );
            return Err(self
                .file
                .error(io::Error::new(io::ErrorKind::InvalidInput, message)));
        }
        self.line.clear();
        for value in std::iter::once(t).chain(values.iter().copied()) {
            push_float(&mut self.line, value as f32);
            self.line.push('\t');
        }
        self.write_line()
    }
}

/// Which of an `EventOutputFile`'s two layouts to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpikeFormat {
    /// `time<TAB>id`
    TimeId,
    /// `id<TAB>time`
    IdTime,
}

impl SpikeFormat {
    /// Reads the `format` attribute of an `EventOutputFile` (`TIME_ID` or `ID_TIME`).
    pub fn from_lems(text: &str) -> Option<SpikeFormat> {
        match text {
            "TIME_ID" => Some(SpikeFormat::TimeId),
            "ID_TIME" => Some(SpikeFormat::IdTime),
            _ => None,
        }
    }
}

/// Writes one line per recorded event, in the [`SpikeFormat`] it was created for.
pub type SpikeWriter = LineWriter<SpikeFormat>;

impl SpikeWriter {
    /// Starts `path` (under a temporary name) for events in `format`.
    pub fn create(path: impl AsRef<Path>, format: SpikeFormat) -> Result<SpikeWriter, OutputError> {
        LineWriter::start(path.as_ref(), format, 40)
    }

    /// Appends the event of selection `id` at time `t`.
    pub fn write_event(&mut self, t: f64, id: u64) -> Result<(), OutputError> {
        use std::fmt::Write as _;
        self.line.clear();
        match self.shape {
            SpikeFormat::TimeId => {
                push_float(&mut self.line, t as f32);
                let _ = write!(self.line, "\t{id}");
            }
            SpikeFormat::IdTime => {
                let _ = write!(self.line, "{id}\t");
                push_float(&mut self.line, t as f32);
            }
        }
        self.write_line()
    }

    /// Appends the event of selection `id` at time `t`, the id written as given: jLEMS
    /// writes the `id` attribute of the `EventSelection`, which need not be a number.
    pub fn write_event_id(&mut self, t: f64, id: &str) -> Result<(), OutputError> {
        self.line.clear();
        match self.shape {
            SpikeFormat::TimeId => {
                push_float(&mut self.line, t as f32);
                self.line.push('\t');
                self.line.push_str(id);
            }
            SpikeFormat::IdTime => {
                self.line.push_str(id);
                self.line.push('\t');
                push_float(&mut self.line, t as f32);
            }
        }
        self.write_line()
    }
}

/// A buffered file that exists under a temporary name until `finish` renames it, and is
/// deleted if dropped before that.
struct PendingFile {
    /// `None` once `finish` has taken it.
    out: Option<BufWriter<File>>,
    temp_path: PathBuf,
    final_path: PathBuf,
    /// Sealed: the temporary file now belongs to a [`Sealed`].
    handed_over: bool,
}

/// Makes temporary names unique when one run writes the same path twice (as Ex22 does;
/// the file finished last wins, as in jLEMS).
static NEXT_TEMP_ID: AtomicU64 = AtomicU64::new(0);

impl PendingFile {
    fn create(final_path: &Path) -> Result<PendingFile, OutputError> {
        let error = |source| OutputError {
            path: final_path.to_path_buf(),
            source,
        };
        if final_path.file_name().is_none() {
            return Err(error(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no file name",
            )));
        }
        refuse_special_file(final_path).map_err(error)?;
        let parent = final_path.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(folder) = parent.filter(|p| !p.is_dir()) {
            let message = format!("folder {} does not exist", folder.display());
            return Err(error(io::Error::new(io::ErrorKind::NotFound, message)));
        }
        let (temp_path, file) = create_temp_beside(final_path).map_err(error)?;
        Ok(PendingFile {
            out: Some(BufWriter::with_capacity(1 << 16, file)),
            temp_path,
            final_path: final_path.to_path_buf(),
            handed_over: false,
        })
    }

    fn error(&self, source: io::Error) -> OutputError {
        OutputError {
            path: self.final_path.clone(),
            source,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), OutputError> {
        match self.out.as_mut() {
            Some(out) => out.write_all(bytes).map_err(|e| self.error(e)),
            None => Err(self.error(io::Error::other("file already finished"))),
        }
    }

    fn finish(self) -> Result<PathBuf, OutputError> {
        self.seal()?.publish()
    }

    fn seal(mut self) -> Result<Sealed, OutputError> {
        let out = self.out.take().expect("a pending file is sealed only once");
        let file = out.into_inner().map_err(|e| self.error(e.into_error()))?;
        // On disk before it gets its real name, so a crash cannot leave a short file there.
        file.sync_all().map_err(|e| self.error(e))?;
        drop(file);
        self.handed_over = true;
        Ok(Sealed {
            temp_path: std::mem::take(&mut self.temp_path),
            final_path: std::mem::take(&mut self.final_path),
            published: false,
        })
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let Some(out) = self.out.take() {
            // Close without flushing: the rows still buffered are not wanted.
            let _ = out.into_parts();
        }
        if !self.handed_over {
            discard(&self.temp_path);
        }
    }
}

/// A complete output file still under its temporary name. [`Sealed::publish`] gives it its
/// real name; dropped unpublished (another file of the run failed), it is deleted.
pub struct Sealed {
    temp_path: PathBuf,
    final_path: PathBuf,
    published: bool,
}

impl Sealed {
    /// Renames the file to its real name, which must not be a folder or a special file.
    pub fn publish(mut self) -> Result<PathBuf, OutputError> {
        let error = |source| OutputError {
            path: self.final_path.clone(),
            source,
        };
        refuse_special_file(&self.final_path).map_err(error)?;
        std::fs::rename(&self.temp_path, &self.final_path).map_err(error)?;
        forget_pending(&self.temp_path);
        self.published = true;
        Ok(self.final_path.clone())
    }
}

impl Drop for Sealed {
    fn drop(&mut self) {
        if !self.published {
            discard(&self.temp_path);
        }
    }
}

/// The temporary files of this process not yet renamed or deleted, so that an interrupted
/// run can delete them ([`remove_pending_files`]).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn forget_pending(temp_path: &Path) {
    pending().retain(|p| p != temp_path);
}

/// Deletes a temporary file that will not be needed. Best effort: nothing useful can be
/// done with an error while a run fails.
fn discard(temp_path: &Path) {
    let _ = std::fs::remove_file(temp_path);
    forget_pending(temp_path);
}

/// Deletes every temporary output file of this process: for a handler of SIGINT and
/// SIGTERM, so that an interrupted run leaves no partial files.
pub fn remove_pending_files() {
    for path in pending().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// A new, empty file in `final_path`'s folder under a short temporary name of its own
/// (`.lemsc-PID-N.tmp`): short so that any legal final name works, and created exclusively
/// so that nothing already there (a file, a link) is opened.
fn create_temp_beside(final_path: &Path) -> io::Result<(PathBuf, File)> {
    loop {
        let unique = NEXT_TEMP_ID.fetch_add(1, Ordering::Relaxed);
        let name = format!(".lemsc-{}-{unique}.tmp", std::process::id());
        let temp_path = final_path.with_file_name(name);
        match File::options()
            .write(true)
            .create_new(true)
            .open(&temp_path)
        {
            Ok(file) => {
                pending().push(temp_path.clone());
                return Ok((temp_path, file));
            }
            // Left by an earlier process of the same id: take the next number.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Output files only ever replace regular files: a folder, a device, a pipe or a socket at
/// the path (or a link to one) is an error, not something to rename over.
fn refuse_special_file(path: &Path) -> io::Result<()> {
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the path exists and is not a regular file",
        )),
        _ => Ok(()),
    }
}
