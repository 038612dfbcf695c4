//! The typed contents of OMV test files: `.omt` (what to run and what to measure) and `.mep`
//! (the expected values), read with the defaults OMV itself applies.

use std::path::{Path, PathBuf};

use lemsc::diag::{Diagnostic, SourceMap, Span};

use super::yaml::{get, quoted_list, Map, Node, YamlFile};

/// OMV's tolerance when an observable names none.
pub const DEFAULT_TOLERANCE: f64 = 0.1;

/// An `.omt` file: one target run by one engine, with observables per experiment.
#[derive(Clone, Debug)]
pub struct Omt {
    pub path: PathBuf,
    /// The model file, as written (relative to the `.omt`'s folder).
    pub target: String,
    pub engine: String,
    /// The `.mep` file, as written; `None` for a dry run (the engine must only run).
    pub mep: Option<String>,
    pub experiments: Vec<OmtExperiment>,
}

#[derive(Clone, Debug)]
pub struct OmtExperiment {
    pub name: String,
    pub span: Span,
    pub observables: Vec<Observable>,
}

#[derive(Clone, Debug)]
pub struct Observable {
    pub kind: ObservableKind,
    pub source: SpikeSource,
    /// Relative tolerance, numpy's `rtol`.
    pub tolerance: f64,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ObservableKind {
    /// `spike times`: the list of spike times.
    SpikeTimes,
    /// `spike rate`: one rate, computed as `rate` says.
    SpikeRate(RateMethod),
}

impl ObservableKind {
    /// The key naming this observable in `.omt` and `.mep` files.
    pub fn key(&self) -> &'static str {
        match self {
            ObservableKind::SpikeTimes => "spike times",
            ObservableKind::SpikeRate(_) => "spike rate",
        }
    }
}

/// How a spike rate is computed from spike times, within `[start, end]` (OMV's defaults:
/// ISI based, from 0 to infinity).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RateMethod {
    /// Number of inter-spike intervals over their summed length (both spikes inside the window).
    IsiBased { start: f64, end: f64 },
    /// Number of spikes inside the window over its length.
    DurationBased { start: f64, end: f64 },
}

/// Where the spikes come from.
#[derive(Clone, Debug, PartialEq)]
pub enum SpikeSource {
    /// Detected in one column of a time series file.
    Trace(TraceFile),
    /// Read from a file of (id, time) rows.
    SpikeFile(SpikeFile),
}

impl SpikeSource {
    /// The data file's path as written in the `.omt`.
    pub fn path(&self) -> &str {
        match self {
            SpikeSource::Trace(t) => &t.path,
            SpikeSource::SpikeFile(s) => &s.path,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceFile {
    pub path: String,
    /// Zero-based columns of time and of the watched value.
    pub columns: [usize; 2],
    /// Rows to skip at the top.
    pub header: usize,
    /// Factors applied to the two columns (e.g. seconds to milliseconds).
    pub scaling: [f64; 2],
    pub detection: Detection,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Detection {
    /// Sample i is a spike when `v[i-1] <= threshold < v[i]`.
    Threshold(f64),
    /// Sample i is a spike when it ends a rise (`v[i] >= v[i-1]`) and starts a fall
    /// (`v[i+1] < v[i]`): a local maximum, for noiseless traces.
    Derivative,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SpikeFile {
    pub path: String,
    pub format: SpikeFormat,
    pub ids: CellSelection,
    /// Factor applied to every time.
    pub scaling: f64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SpikeFormat {
    /// `id time` per row.
    IdTime,
    /// `time id` per row.
    TimeId,
    /// `id time` per row after three header lines (NEST's `.dat`).
    IdTimeNestDat,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CellSelection {
    One(i64),
    /// `ids: "*"`: every cell; rates are averaged over cells.
    All,
}

/// A `.mep` file: expected values per experiment.
#[derive(Clone, Debug)]
pub struct Mep {
    pub path: PathBuf,
    pub system: String,
    pub experiments: Vec<MepExperiment>,
}

#[derive(Clone, Debug)]
pub struct MepExperiment {
    pub name: String,
    /// Expected values keyed by observable (`spike times`, `spike rate`); other keys are kept
    /// as `Expected::Other` so that a lookup says what was found.
    pub expected: Vec<(String, Expected)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    SpikeTimes(Vec<f64>),
    SpikeRate(f64),
    Other,
}

impl Mep {
    pub fn experiment(&self, name: &str) -> Option<&MepExperiment> {
        self.experiments.iter().find(|e| e.name == name)
    }
}

impl MepExperiment {
    pub fn expected(&self, key: &str) -> Option<&Expected> {
        self.expected.iter().find(|(k, _)| k == key).map(|(_, e)| e)
    }
}

impl Omt {
    /// The `.mep` file's location, resolved against the `.omt`'s folder.
    pub fn mep_path(&self) -> Option<PathBuf> {
        self.mep.as_ref().map(|m| self.folder().join(m))
    }

    pub fn folder(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    pub fn observable_count(&self) -> usize {
        self.experiments.iter().map(|e| e.observables.len()).sum()
    }
}

/// Reads a file into `sources`; an unreadable file is an error without a span.
fn read(sources: &mut SourceMap, path: &Path) -> Result<lemsc::diag::FileId, Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::error(format!("cannot read {}: {e}", path.display())))?;
    Ok(sources.add(path.to_path_buf(), path.display().to_string(), text))
}

pub fn load_omt(sources: &mut SourceMap, path: &Path) -> Result<Omt, Diagnostic> {
    let file = read(sources, path)?;
    let yaml = YamlFile {
        file,
        text: &sources.file(file).text,
    };
    parse_omt(&yaml, path)
}

pub fn load_mep(sources: &mut SourceMap, path: &Path) -> Result<Mep, Diagnostic> {
    let file = read(sources, path)?;
    let yaml = YamlFile {
        file,
        text: &sources.file(file).text,
    };
    parse_mep(&yaml, path)
}

/// Loads an `.omt` and, unless it is a dry run, the `.mep` it names.
pub fn load_omt_and_mep(
    sources: &mut SourceMap,
    path: &Path,
) -> Result<(Omt, Option<Mep>), Diagnostic> {
    let omt = load_omt(sources, path)?;
    let mep = match omt.mep_path() {
        Some(mep_path) => Some(load_mep(sources, &mep_path)?),
        None => None,
    };
    Ok((omt, mep))
}

fn parse_omt(yaml: &YamlFile<'_>, path: &Path) -> Result<Omt, Diagnostic> {
    let root = yaml.root()?;
    let map = yaml.mapping(&root, "an .omt file")?;
    yaml.only_keys(
        map,
        &["target", "engine", "mep", "experiments"],
        "an .omt file",
    )?;
    let target = yaml.string(
        yaml.required(&root, map, "target", "the .omt file")?,
        "`target`",
    )?;
    let engine = yaml.string(
        yaml.required(&root, map, "engine", "the .omt file")?,
        "`engine`",
    )?;
    let mep = get(map, "mep")
        .map(|m| yaml.string(m, "`mep`"))
        .transpose()?;
    let experiments = match (get(map, "experiments"), &mep) {
        (Some(node), Some(_)) => parse_omt_experiments(yaml, node)?,
        (Some(node), None) => {
            return Err(yaml
                .error(
                    node,
                    "experiments without a `mep` file to compare them with",
                )
                .with_note("add `mep: <file>.mep` naming the expected values"))
        }
        (None, Some(_)) => {
            return Err(yaml.error(
                &root,
                "the .omt names a `mep` file but has no `experiments`",
            ))
        }
        (None, None) => Vec::new(),
    };
    Ok(Omt {
        path: path.to_path_buf(),
        target,
        engine,
        mep,
        experiments,
    })
}

fn parse_omt_experiments(
    yaml: &YamlFile<'_>,
    node: &Node<'_>,
) -> Result<Vec<OmtExperiment>, Diagnostic> {
    let map = yaml.mapping(node, "`experiments`")?;
    let mut experiments = Vec::new();
    for (name, key, value) in yaml.entries(map)? {
        let what = format!("experiment `{name}`");
        let exp_map = yaml.mapping(value, &what)?;
        yaml.only_keys(exp_map, &["observables"], &what)?;
        let obs_node = yaml.required(value, exp_map, "observables", &what)?;
        let obs_map = yaml.mapping(obs_node, &format!("the observables of {what}"))?;
        let mut observables = Vec::new();
        for (obs_name, obs_key, obs_value) in yaml.entries(obs_map)? {
            observables.push(parse_observable(yaml, &obs_name, obs_key, obs_value)?);
        }
        experiments.push(OmtExperiment {
            name,
            span: yaml.span(key),
            observables,
        });
    }
    Ok(experiments)
}

const OBSERVABLE_KINDS: &[&str] = &["spike times", "spike rate"];

fn parse_observable(
    yaml: &YamlFile<'_>,
    name: &str,
    key: &Node<'_>,
    node: &Node<'_>,
) -> Result<Observable, Diagnostic> {
    let what = format!("observable `{name}`");
    let map = yaml.mapping(node, &what)?;
    let kind = match name {
        "spike times" => {
            let keys = ["file", "spike detection", "spiketimes file", "tolerance"];
            yaml.only_keys(map, &keys, &what)?;
            ObservableKind::SpikeTimes
        }
        "spike rate" => {
            let keys = [
                "file",
                "spike detection",
                "spiketimes file",
                "tolerance",
                "method",
                "start_time",
                "end_time",
            ];
            yaml.only_keys(map, &keys, &what)?;
            ObservableKind::SpikeRate(parse_rate_method(yaml, map)?)
        }
        _ => {
            return Err(yaml
                .error(key, format!("unsupported observable `{name}`"))
                .with_note(format!(
                    "this harness evaluates {}",
                    quoted_list(OBSERVABLE_KINDS)
                )))
        }
    };
    let source = match (get(map, "file"), get(map, "spiketimes file")) {
        (Some(file), None) => {
            let detection = match get(map, "spike detection") {
                Some(n) => parse_detection(yaml, n)?,
                None => {
                    return Err(yaml
                        .error(
                            key,
                            format!("{what} reads a `file` but has no `spike detection`"),
                        )
                        .with_note(
                            "expected `spike detection:` with `method: threshold` and a \
                             `threshold`, or `method: derivative`",
                        ))
                }
            };
            SpikeSource::Trace(parse_trace_file(yaml, file, detection)?)
        }
        (None, Some(file)) => {
            if let Some(n) = get(map, "spike detection") {
                return Err(yaml.error(
                    n,
                    "`spike detection` applies to a `file`, not to a `spiketimes file`",
                ));
            }
            SpikeSource::SpikeFile(parse_spike_file(yaml, file)?)
        }
        (Some(_), Some(second)) => {
            return Err(yaml.error(
                second,
                format!("{what} names both a `file` and a `spiketimes file`; expected one"),
            ))
        }
        (None, None) => {
            return Err(yaml.error(
                key,
                format!("{what} has no data: expected `file` or `spiketimes file`"),
            ))
        }
    };
    let tolerance = match get(map, "tolerance") {
        Some(t) => non_negative(yaml, t, "`tolerance`")?,
        None => DEFAULT_TOLERANCE,
    };
    Ok(Observable {
        kind,
        source,
        tolerance,
        span: yaml.span(key),
    })
}

fn non_negative(yaml: &YamlFile<'_>, node: &Node<'_>, what: &str) -> Result<f64, Diagnostic> {
    let value = yaml.number(node, what)?;
    if value.is_nan() || value < 0.0 {
        return Err(yaml.error(
            node,
            format!("expected a number >= 0 for {what}, found {value}"),
        ));
    }
    Ok(value)
}

fn parse_rate_method(yaml: &YamlFile<'_>, map: &Map<'_>) -> Result<RateMethod, Diagnostic> {
    let start = match get(map, "start_time") {
        Some(n) => yaml.number(n, "`start_time`")?,
        None => 0.0,
    };
    let end = match get(map, "end_time") {
        Some(n) => yaml.number(n, "`end_time`")?,
        None => f64::INFINITY,
    };
    match get(map, "method") {
        None => Ok(RateMethod::IsiBased { start, end }),
        Some(node) => match yaml.string(node, "`method`")?.as_str() {
            "isi based" => Ok(RateMethod::IsiBased { start, end }),
            "duration based" => Ok(RateMethod::DurationBased { start, end }),
            other => Err(yaml
                .error(node, format!("unknown rate method `{other}`"))
                .with_note("expected `isi based` or `duration based`")),
        },
    }
}

fn parse_trace_file(
    yaml: &YamlFile<'_>,
    node: &Node<'_>,
    detection: Detection,
) -> Result<TraceFile, Diagnostic> {
    let map = yaml.mapping(node, "`file`")?;
    yaml.only_keys(map, &["path", "columns", "header", "scaling"], "`file`")?;
    let path = yaml.string(yaml.required(node, map, "path", "`file`")?, "`path`")?;
    let columns = match get(map, "columns") {
        Some(n) => {
            let pair = pair_of(yaml, n, "`columns`", |y, item| {
                let c = y.integer(item, "a column")?;
                usize::try_from(c)
                    .map_err(|_| y.error(item, format!("expected a column number >= 0, found {c}")))
            })?;
            pair
        }
        None => [0, 1],
    };
    let header = match get(map, "header") {
        Some(n) => {
            let h = yaml.integer(n, "`header`")?;
            usize::try_from(h)
                .map_err(|_| yaml.error(n, format!("expected a row count >= 0, found {h}")))?
        }
        None => 0,
    };
    let scaling = match get(map, "scaling") {
        Some(n) => pair_of(yaml, n, "`scaling`", |y, item| {
            y.number(item, "a scaling factor")
        })?,
        None => [1.0, 1.0],
    };
    Ok(TraceFile {
        path,
        columns,
        header,
        scaling,
        detection,
    })
}

fn pair_of<T: Copy>(
    yaml: &YamlFile<'_>,
    node: &Node<'_>,
    what: &str,
    item: impl Fn(&YamlFile<'_>, &Node<'_>) -> Result<T, Diagnostic>,
) -> Result<[T; 2], Diagnostic> {
    let items = yaml.sequence(node, what)?;
    if items.len() != 2 {
        return Err(yaml.error(
            node,
            format!(
                "expected two values for {what} (time, then the watched value), found {}",
                items.len()
            ),
        ));
    }
    Ok([item(yaml, &items[0])?, item(yaml, &items[1])?])
}

fn parse_detection(yaml: &YamlFile<'_>, node: &Node<'_>) -> Result<Detection, Diagnostic> {
    let map = yaml.mapping(node, "`spike detection`")?;
    yaml.only_keys(map, &["method", "threshold"], "`spike detection`")?;
    let method = match get(map, "method") {
        Some(m) => yaml.string(m, "`method`")?,
        None => "threshold".to_string(),
    };
    match method.trim() {
        "threshold" => {
            let threshold = match get(map, "threshold") {
                Some(t) => yaml.number(t, "`threshold`")?,
                None => 0.0,
            };
            Ok(Detection::Threshold(threshold))
        }
        "derivative" => {
            if let Some(t) = get(map, "threshold") {
                return Err(yaml.error(t, "the derivative method takes no `threshold`"));
            }
            Ok(Detection::Derivative)
        }
        other => Err(yaml
            .error(
                get(map, "method").unwrap_or(node),
                format!("unknown spike detection method `{other}`"),
            )
            .with_note("expected `threshold` or `derivative`")),
    }
}

fn parse_spike_file(yaml: &YamlFile<'_>, node: &Node<'_>) -> Result<SpikeFile, Diagnostic> {
    let map = yaml.mapping(node, "`spiketimes file`")?;
    yaml.only_keys(
        map,
        &["path", "format", "ids", "id", "scaling"],
        "`spiketimes file`",
    )?;
    let path = yaml.string(
        yaml.required(node, map, "path", "`spiketimes file`")?,
        "`path`",
    )?;
    let format_node = yaml.required(node, map, "format", "`spiketimes file`")?;
    let format = match yaml.string(format_node, "`format`")?.as_str() {
        "ID_TIME" => SpikeFormat::IdTime,
        "TIME_ID" => SpikeFormat::TimeId,
        "ID_TIME_NEST_DAT" => SpikeFormat::IdTimeNestDat,
        other => {
            return Err(yaml
                .error(format_node, format!("unknown spike file format `{other}`"))
                .with_note("expected `ID_TIME`, `TIME_ID` or `ID_TIME_NEST_DAT`"))
        }
    };
    let ids = match get(map, "ids") {
        None => CellSelection::One(0),
        Some(n) => match &n.data {
            saphyr::YamlData::Value(saphyr::Scalar::String(s)) if s == "*" => CellSelection::All,
            _ => CellSelection::One(yaml.integer(n, "`ids` (a cell id or \"*\")")?),
        },
    };
    // OMV reads only `ids`; the examples also write `id`, which OMV ignores. Accept it where it
    // agrees with the cell OMV selects, and say so where it would not.
    if let Some(id_node) = get(map, "id") {
        let id = yaml.integer(id_node, "`id`")?;
        if ids != CellSelection::One(id) {
            return Err(yaml
                .error(
                    id_node,
                    format!("`id: {id}` differs from the cell OMV reads"),
                )
                .with_note("OMV selects cells with `ids` (default 0) and ignores `id`"));
        }
    }
    let scaling = match get(map, "scaling") {
        Some(n) => yaml.number(n, "`scaling`")?,
        None => 1.0,
    };
    Ok(SpikeFile {
        path,
        format,
        ids,
        scaling,
    })
}

fn parse_mep(yaml: &YamlFile<'_>, path: &Path) -> Result<Mep, Diagnostic> {
    let root = yaml.root()?;
    let map = yaml.mapping(&root, "a .mep file")?;
    yaml.only_keys(map, &["system", "experiments"], "a .mep file")?;
    let system = match get(map, "system") {
        Some(s) => yaml.string(s, "`system`")?,
        None => String::new(),
    };
    let exps_node = yaml.required(&root, map, "experiments", "the .mep file")?;
    let exps_map = yaml.mapping(exps_node, "`experiments`")?;
    let mut experiments = Vec::new();
    for (name, _, value) in yaml.entries(exps_map)? {
        let what = format!("experiment `{name}`");
        let exp_map = yaml.mapping(value, &what)?;
        yaml.only_keys(exp_map, &["expected"], &what)?;
        let expected_node = yaml.required(value, exp_map, "expected", &what)?;
        let expected_map =
            yaml.mapping(expected_node, &format!("the expected values of {what}"))?;
        let mut expected = Vec::new();
        for (key, _, value) in yaml.entries(expected_map)? {
            let parsed = match key.as_str() {
                "spike times" => Expected::SpikeTimes(yaml.numbers(value, "`spike times`")?),
                "spike rate" => Expected::SpikeRate(yaml.number(value, "`spike rate`")?),
                _ => Expected::Other,
            };
            expected.push((key, parsed));
        }
        experiments.push(MepExperiment { name, expected });
    }
    Ok(Mep {
        path: path.to_path_buf(),
        system,
        experiments,
    })
}
