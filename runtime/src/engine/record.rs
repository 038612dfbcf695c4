//! The output files of a run: one `.dat` writer per `OutputFile`, one spike writer per
//! `EventOutputFile`, all created before the run starts and finished only after it
//! succeeded (a writer dropped unfinished leaves no file).

use std::path::PathBuf;

use crate::output::{DatWriter, OutputError, SpikeFormat, SpikeWriter};
use crate::program::{EventFormat, EventOutputSpec, OutputSpec, Program};

/// Every output file of a run, open under temporary names.
pub struct Recorders<'p> {
    traces: Vec<Trace<'p>>,
    event_files: Vec<EventFile<'p>>,
}

/// One `.dat` file: where its columns are read, and a row buffer reused every step.
struct Trace<'p> {
    spec: &'p OutputSpec,
    writer: DatWriter,
    row: Vec<f64>,
}

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
        let traces = program
            .outputs
            .iter()
            .map(|spec| {
                Ok(Trace {
                    spec,
                    writer: DatWriter::create(&spec.path, spec.columns.len())?,
                    row: vec![0.0; spec.columns.len()],
                })
            })
            .collect::<Result<_, OutputError>>()?;
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
        Ok(Recorders {
            traces,
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
        for trace in &mut self.traces {
            for (value, &index) in trace.row.iter_mut().zip(&trace.spec.columns) {
                *value = vars[index as usize];
            }
            trace.writer.write_row(t, &trace.row)?;
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

    /// Gives every file its real name; returns their paths, traces first.
    pub fn finish(self) -> Result<Vec<PathBuf>, OutputError> {
        let mut paths = Vec::with_capacity(self.traces.len() + self.event_files.len());
        for trace in self.traces {
            paths.push(trace.writer.finish()?);
        }
        for file in self.event_files {
            paths.push(file.writer.finish()?);
        }
        Ok(paths)
    }
}

fn spike_format(format: EventFormat) -> SpikeFormat {
    match format {
        EventFormat::TimeId => SpikeFormat::TimeId,
        EventFormat::IdTime => SpikeFormat::IdTime,
    }
}
