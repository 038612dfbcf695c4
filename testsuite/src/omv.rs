//! The OMV ("OSB model validation") test harness: reads the NeuroML2 examples' `.omt` and
//! `.mep` files and judges observables on simulation output the way OMV does, so that a
//! target only has to run the simulations.
//!
//! Semantics follow OMV's spike analysers: threshold crossings are the first sample above the
//! threshold (no interpolation), the derivative method finds local maxima, spike rates are
//! ISI based unless the observable says otherwise, and values pass when the counts match and
//! `numpy.allclose(observed, expected, rtol=tolerance, atol=1e-8)` holds.

mod catalog;
mod evaluate;
mod report;
mod signal;
mod spec;
mod yaml;

pub use catalog::{
    observables_for_engine, omt_files, omts_for_engine, ListedObservable, ENGINE_JNEUROML,
    ENGINE_NEURON,
};
pub use evaluate::{
    compare, data_path, evaluate, observe, FailReason, ObservableResult, Values, Verdict,
};
pub use report::{few, judge_observables, observable_failure};
pub use signal::{
    allowed_difference, detect_spikes, is_close, mean_spike_rate, read_spike_file, read_trace,
    spike_rate, spike_times, ALLCLOSE_ATOL,
};
pub use spec::{
    load_mep, load_omt, load_omt_and_mep, CellSelection, Detection, Expected, Mep, MepExperiment,
    Observable, ObservableKind, Omt, OmtExperiment, RateMethod, SpikeFile, SpikeFormat,
    SpikeSource, TraceFile, DEFAULT_TOLERANCE,
};
