//! The output files of a run: one `.dat` writer per `OutputFile`, one spike writer per
//! `EventOutputFile`, all created before the run starts and finished only after it
//! succeeded (a writer dropped unfinished leaves no file).
//!
//! Formatting numbers as Java does costs about as much as simulating them, so the `.dat`
//! writers live on a second thread: the run copies each row's values into a batch and
//! hands full batches over; that thread formats and writes them in order.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use crate::output::{DatWriter, OutputError, SpikeFormat, SpikeWriter};
use crate::program::{EventFormat, EventOutputSpec, OutputSpec, Program};

/// Every output file of a run, open under temporary names.
pub struct Recorders<'p> {
    traces: Vec<&'p OutputSpec>,
    /// Values of the rows not yet handed over: per row, `t` then every trace's columns.
    batch: Vec<f64>,
    rows_in_batch: usize,
    /// Where full batches go, and the thread writing them (None once finished or when the
    /// run records no trace).
    sender: Option<SyncSender<Vec<f64>>>,
    writer_thread: Option<JoinHandle<Result<Vec<DatWriter>, OutputError>>>,
    event_files: Vec<EventFile<'p>>,
}

/// Rows per batch handed to the writer thread.
const BATCH_ROWS: usize = 1024;

/// One spike file, with the selections recorded since its last line was written.
struct EventFile<'p> {
    spec: &'p EventOutputSpec,
    writer: SpikeWriter,
    pending: Vec<u32>,
}

impl<'p> Recorders<'p> {
    /// Creates every file of `program` (an error for the first that cannot be created, such
    /// as one in a missing folder).
    pub fn create(program: &'p Program) -> Result<Recorders<'p>, OutputError> {
        let writers = program
            .outputs
            .iter()
            .map(|spec| DatWriter::create(&spec.path, spec.columns.len()))
            .collect::<Result<Vec<_>, OutputError>>()?;
        let event_files = program
            .event_outputs
            .iter()
            .map(|spec| {
                Ok(EventFile {
                    spec,
                    writer: SpikeWriter::create(&spec.path, spike_format(spec.format))?,
                    pending: Vec::with_capacity(64),
                })
            })
            .collect::<Result<_, OutputError>>()?;
        let traces: Vec<&OutputSpec> = program.outputs.iter().collect();
        let (sender, writer_thread) = if traces.is_empty() {
            (None, None)
        } else {
            let widths: Vec<usize> = traces.iter().map(|t| t.columns.len()).collect();
            // Two batches in flight at most: memory stays bounded if writing is slower.
            let (sender, receiver) = sync_channel::<Vec<f64>>(2);
            let handle = std::thread::spawn(move || {
                let mut writers = writers;
                for batch in receiver {
                    write_batch(&mut writers, &widths, &batch)?;
                }
                Ok(writers)
            });
            (Some(sender), Some(handle))
        };
        let row_len = 1 + program
            .outputs
            .iter()
            .map(|o| o.columns.len())
            .sum::<usize>();
        Ok(Recorders {
            traces,
            batch: Vec::with_capacity(row_len * BATCH_ROWS),
            rows_in_batch: 0,
            sender,
            writer_thread,
            event_files,
        })
    }

    /// Notes an event of selection `selection` of event file `file`, written at the next
    /// [`Recorders::write_row`].
    pub fn record_event(&mut self, file: u32, selection: u32) {
        self.event_files[file as usize].pending.push(selection);
    }

    /// Writes the row of time `t` to every trace, and every event noted since the last
    /// row, stamped `t`, to its spike file.
    pub fn write_row(&mut self, t: f64, vars: &[f64]) -> Result<(), OutputError> {
        if !self.traces.is_empty() {
            self.batch.push(t);
            for trace in &self.traces {
                self.batch
                    .extend(trace.columns.iter().map(|&index| vars[index as usize]));
            }
            self.rows_in_batch += 1;
            if self.rows_in_batch == BATCH_ROWS {
                self.hand_over()?;
            }
        }
        for file in &mut self.event_files {
            for &selection in &file.pending {
                let id = &file.spec.selections[selection as usize].id;
                file.writer.write_event_id(t, id)?;
            }
            file.pending.clear();
        }
        Ok(())
    }

    /// Sends the rows gathered so far to the writer thread.
    fn hand_over(&mut self) -> Result<(), OutputError> {
        let Some(sender) = &self.sender else {
            return Ok(());
        };
        let capacity = self.batch.capacity();
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(capacity));
        self.rows_in_batch = 0;
        if sender.send(full).is_err() {
            // The thread stopped at a write error: that error is the one to report.
            self.sender = None;
            return self.join_writers().map(|_| ());
        }
        Ok(())
    }

    /// Waits for the writer thread to write everything sent and returns its writers.
    fn join_writers(&mut self) -> Result<Vec<DatWriter>, OutputError> {
        self.sender = None;
        match self.writer_thread.take() {
            Some(handle) => match handle.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            None => Ok(Vec::new()),
        }
    }

    /// Gives every file its real name; returns their paths, traces first.
    pub fn finish(mut self) -> Result<Vec<PathBuf>, OutputError> {
        if self.rows_in_batch > 0 {
            self.hand_over()?;
        }
        let writers = self.join_writers()?;
        // Every file complete on disk first, then all renamed: a failure on the way leaves
        // none of them under its real name.
        let mut sealed = Vec::with_capacity(writers.len() + self.event_files.len());
        for writer in writers {
            sealed.push(writer.seal()?);
        }
        for file in std::mem::take(&mut self.event_files) {
            sealed.push(file.writer.seal()?);
        }
        let mut paths = Vec::with_capacity(sealed.len());
        for file in sealed {
            match file.publish() {
                Ok(path) => paths.push(path),
                Err(e) => {
                    for path in &paths {
                        let _ = std::fs::remove_file(path);
                    }
                    return Err(e);
                }
            }
        }
        Ok(paths)
    }
}

impl Drop for Recorders<'_> {
    /// An unfinished run: stop the writer thread, whose writers then delete their files.
    fn drop(&mut self) {
        let _ = self.join_writers();
    }
}

/// Writes the rows of one batch (see [`Recorders::batch`]) to the trace writers.
fn write_batch(
    writers: &mut [DatWriter],
    widths: &[usize],
    batch: &[f64],
) -> Result<(), OutputError> {
    let row_len = 1 + widths.iter().sum::<usize>();
    for row in batch.chunks_exact(row_len) {
        let (t, mut values) = (row[0], &row[1..]);
        for (writer, &width) in writers.iter_mut().zip(widths) {
            let (own, rest) = values.split_at(width);
            writer.write_row(t, own)?;
            values = rest;
        }
    }
    Ok(())
}

fn spike_format(format: EventFormat) -> SpikeFormat {
    match format {
        EventFormat::TimeId => SpikeFormat::TimeId,
        EventFormat::IdTime => SpikeFormat::IdTime,
    }
}
