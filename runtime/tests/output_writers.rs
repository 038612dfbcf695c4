//! The `.dat` and spike writers: exact bytes, the temporary-name discipline, and errors.

mod common;

use common::scratch::Scratch;
use lemsc_runtime::output::{DatWriter, SpikeFormat, SpikeWriter};
use std::path::Path;

const REFERENCE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/reference/jlems");

fn reference_head(file: &str, lines: usize) -> Option<String> {
    let text = std::fs::read_to_string(Path::new(REFERENCE_DIR).join(file)).ok()?;
    Some(text.split_inclusive('\n').take(lines).collect())
}

#[test]
fn dat_rows_are_tab_terminated_float32_text() {
    let scratch = Scratch::new("dat");
    let path = scratch.0.join("iaf_v.dat");
    let mut writer = DatWriter::create(&path, 4).unwrap();
    writer
        .write_row(0.0, &[-0.05, -0.05, -0.053, -0.053])
        .unwrap();
    // t accumulates in double precision, as in jLEMS; the file shows it as float32.
    let t = 0.0 + 5e-6 * 13.0;
    writer
        .write_row(t, &[-0.069960035, -0.07, -0.06993636, -0.07])
        .unwrap();
    writer
        .write_row(1.3e-4, &[-0.06991683, -0.07, -0.069867685, -0.07])
        .unwrap();
    assert_eq!(writer.finish().unwrap(), path);

    let written = std::fs::read_to_string(&path).unwrap();
    let expected = "0.0\t-0.05\t-0.05\t-0.053\t-0.053\t\n\
                    6.5E-5\t-0.069960035\t-0.07\t-0.06993636\t-0.07\t\n\
                    1.3E-4\t-0.06991683\t-0.07\t-0.069867685\t-0.07\t\n";
    assert_eq!(written, expected);
    // The same rows open the jLEMS reference file (thinned every 13 rows).
    if let Some(reference) = reference_head("iaf_v.dat", 3) {
        assert_eq!(written, reference);
    }
    assert_eq!(
        scratch.entries(),
        ["iaf_v.dat"],
        "no temporary file is left"
    );
}

#[test]
fn dat_row_of_the_wrong_width_is_refused() {
    let scratch = Scratch::new("width");
    let path = scratch.0.join("x.dat");
    let mut writer = DatWriter::create(&path, 2).unwrap();
    let error = writer.write_row(0.0, &[1.0]).unwrap_err();
    assert_eq!(error.path, path);
    assert!(error
        .to_string()
        .contains("a row of 1 values was written to a file of 2 columns"));
}

#[test]
fn spike_lines_in_both_layouts() {
    let scratch = Scratch::new("spikes");
    let time_id = scratch.0.join("iaf.spikes");
    let mut writer = SpikeWriter::create(&time_id, SpikeFormat::TimeId).unwrap();
    for (t, id) in [(0.02705, 1), (0.03575, 2), (0.04485, 2)] {
        writer.write_event(t, id).unwrap();
    }
    writer.finish().unwrap();
    let written = std::fs::read_to_string(&time_id).unwrap();
    assert_eq!(written, "0.02705\t1\n0.03575\t2\n0.04485\t2\n");
    if let Some(reference) = reference_head("ex23.iaf.spikes", 3) {
        assert_eq!(written, reference);
    }

    let id_time = scratch.0.join("hh.spikes");
    let mut writer = SpikeWriter::create(&id_time, SpikeFormat::IdTime).unwrap();
    for t in [0.0565, 0.09175, 0.11875] {
        writer.write_event(t, 0).unwrap();
    }
    writer.finish().unwrap();
    let written = std::fs::read_to_string(&id_time).unwrap();
    assert_eq!(written, "0\t0.0565\n0\t0.09175\n0\t0.11875\n");
    if let Some(reference) = reference_head("ex23.hh.spikes", 3) {
        assert_eq!(written, reference);
    }
}

#[test]
fn spike_format_names_from_lems() {
    assert_eq!(SpikeFormat::from_lems("TIME_ID"), Some(SpikeFormat::TimeId));
    assert_eq!(SpikeFormat::from_lems("ID_TIME"), Some(SpikeFormat::IdTime));
    assert_eq!(SpikeFormat::from_lems("time_id"), None);
}

#[test]
fn real_name_appears_only_at_finish() {
    let scratch = Scratch::new("pending");
    let path = scratch.0.join("v.dat");
    let mut writer = DatWriter::create(&path, 1).unwrap();
    for i in 0..5000 {
        writer.write_row(i as f64 * 1e-5, &[-0.065]).unwrap();
    }
    assert!(!path.exists(), "the real name must not exist before finish");
    let pending = scratch.entries();
    assert_eq!(pending.len(), 1);
    assert!(pending[0].starts_with(".lemsc-") && pending[0].ends_with(".tmp"));
    writer.finish().unwrap();
    assert_eq!(scratch.entries(), ["v.dat"]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap().lines().count(),
        5000
    );
}

#[test]
fn dropping_without_finish_leaves_nothing() {
    let scratch = Scratch::new("dropped");
    let mut dat = DatWriter::create(scratch.0.join("v.dat"), 1).unwrap();
    dat.write_row(0.0, &[1.0]).unwrap();
    let mut spikes = SpikeWriter::create(scratch.0.join("s.spikes"), SpikeFormat::TimeId).unwrap();
    spikes.write_event(0.001, 3).unwrap();
    drop(dat);
    drop(spikes);
    assert!(
        scratch.entries().is_empty(),
        "left behind: {:?}",
        scratch.entries()
    );
}

#[test]
fn a_failed_run_keeps_the_previous_complete_file() {
    let scratch = Scratch::new("previous");
    let path = scratch.0.join("v.dat");
    std::fs::write(&path, "old\n").unwrap();
    let mut writer = DatWriter::create(&path, 1).unwrap();
    writer.write_row(0.0, &[2.0]).unwrap();
    drop(writer);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");

    let mut writer = DatWriter::create(&path, 1).unwrap();
    writer.write_row(0.0, &[2.0]).unwrap();
    writer.finish().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "0.0\t2.0\t\n");
}

#[test]
fn the_writer_finished_last_wins_a_shared_path() {
    let scratch = Scratch::new("shared");
    let path = scratch.0.join("v.dat");
    let mut first = DatWriter::create(&path, 1).unwrap();
    let mut second = DatWriter::create(&path, 1).unwrap();
    first.write_row(0.0, &[1.0]).unwrap();
    second.write_row(0.0, &[2.0]).unwrap();
    first.finish().unwrap();
    second.finish().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "0.0\t2.0\t\n");
    assert_eq!(scratch.entries(), ["v.dat"]);
}

#[test]
fn a_missing_folder_is_an_error_not_created() {
    let scratch = Scratch::new("nofolder");
    let path = scratch.0.join("results").join("v.dat");
    let error = DatWriter::create(&path, 1)
        .err()
        .expect("missing folder must fail");
    assert_eq!(error.path, path);
    let message = error.to_string();
    assert!(
        message.contains("results") && message.contains("does not exist"),
        "{message}"
    );
    assert!(scratch.entries().is_empty(), "nothing may be created");

    let error = SpikeWriter::create(&path, SpikeFormat::IdTime)
        .err()
        .expect("same for spikes");
    assert!(error.to_string().contains("does not exist"));
}

#[test]
fn the_longest_legal_names_can_be_written() {
    let scratch = Scratch::new("longname");
    for len in [238, 250, 255] {
        let name = "v".repeat(len - 4) + ".dat";
        let mut writer = DatWriter::create(scratch.0.join(&name), 1).unwrap();
        writer.write_row(0.0, &[1.0]).unwrap();
        writer.finish().unwrap();
        assert!(scratch.0.join(&name).is_file(), "{len} bytes");
    }
}

#[test]
fn only_regular_files_are_replaced() {
    let scratch = Scratch::new("special");
    let folder = scratch.0.join("v.dat");
    std::fs::create_dir(&folder).unwrap();
    let error = DatWriter::create(&folder, 1)
        .err()
        .expect("a folder is refused");
    assert!(error.to_string().contains("not a regular file"), "{error}");
    #[cfg(unix)]
    {
        let error = DatWriter::create("/dev/null", 1)
            .err()
            .expect("a device is refused");
        assert!(error.to_string().contains("not a regular file"), "{error}");
        // A folder that appears while the run goes on is refused at finish.
        let late = scratch.0.join("late.dat");
        let writer = DatWriter::create(&late, 1).unwrap();
        std::fs::create_dir(&late).unwrap();
        assert!(writer.finish().is_err());
        assert_eq!(scratch.entries(), ["late.dat", "v.dat"]);
    }
}
