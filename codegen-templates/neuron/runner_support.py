# The model-independent part of every NEURON runner lemsc generates: the helpers its model
# section calls to build sections, connections and recordings, and the output files it writes
# after the run. Written beside the runner as lemsc_neuron_support.py (the same text for
# every model), so that the runner itself holds only the model.
#
# The runner puts its own folder on sys.path before importing this module, which finds
# lemsc_javafloat.py (the number format of the output files) there too.

import os

import numpy as np

import neuron
from neuron import h

from lemsc_javafloat import write_events, write_rows

# Every NetCon made, kept alive for the run (NEURON drops a NetCon nothing refers to).
NETCONS = []


def load_mechanisms(probe):
    # `from neuron import h` may already have loaded the compiled mechanisms from the working
    # folder (`probe` is one of them), and loading them twice is an error; else they are
    # loaded from this module's folder, the runner's.
    if not hasattr(h, probe):
        neuron.load_mechanisms(os.path.dirname(os.path.abspath(__file__)))


def make_folder(path):
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)


def point_section(name, size_um, cm):
    sec = h.Section(name=name)
    sec.L = size_um
    sec.diam = size_um
    sec.nseg = 1
    sec.cm = cm
    return sec


def add_points(sec, points):
    h.pt3dclear(sec=sec)
    for x, y, z, d in points:
        h.pt3dadd(x, y, z, d, sec=sec)


def set_concentrations(sec, ion, inside, outside):
    # finitialize() starts every segment's concentrations from these globals.
    setattr(h, "%si0_%s_ion" % (ion, ion), inside)
    setattr(h, "%so0_%s_ion" % (ion, ion), outside)
    for seg in sec:
        setattr(seg, ion + "i", inside)
        setattr(seg, ion + "o", outside)


def set_path_distance(sections, root, name, translate, normalize):
    # The distance NEURON's SubsetDomainIterator (metric 0) gives each segment of a group, as
    # the reference export sets non-uniform channel densities: the path length (um) from the
    # root's 0 end to the segment's centre; with `translate` minus the group's smallest
    # distance, with `normalize` divided by its largest (the sections' ends included, and
    # never less than 1).
    origin = root(0)
    ends = [h.distance(origin, sec(x)) for sec in sections
            for x in [0.0] + [seg.x for seg in sec] + [1.0]]
    p0 = min(ends + [1e9])
    p1 = max(ends + [1.0])
    if not translate:
        p0 = 0.0
    for sec in sections:
        for seg in sec:
            p = h.distance(origin, seg) - p0
            if normalize:
                p /= p1 - p0
            setattr(seg, name, p)


def spike_detector(sec, threshold):
    return (sec, threshold)


def _netcon(source, target):
    if isinstance(source, tuple):
        sec, threshold = source
        nc = h.NetCon(sec(0.5)._ref_v, target, sec=sec)
        nc.threshold = threshold
    else:
        nc = h.NetCon(source, target)
    NETCONS.append(nc)
    return nc


def connect(source, target, delay_ms):
    nc = _netcon(source, target)
    nc.delay = delay_ms
    nc.weight[0] = 1.0


def record(ref):
    vec = h.Vector()
    vec.record(ref)
    return vec


class Run:
    """The simulation's settings, its run, and its output files: recorded during the run,
    written after it. `style` is "jlems" (output files as jLEMS writes them) or "jneuroml"
    (as jNeuroML's NEURON export does); `celsius` is the network's temperature, if any."""

    def __init__(self, step_ms, step_s, steps, seed, style, celsius=None):
        self.step_s = step_s
        self.steps = steps
        self.seed = seed
        self.style = style
        h.dt = step_ms
        h.secondorder = 0
        if celsius is not None:
            h.celsius = celsius
        self.time = None
        self.spike_times = h.Vector()    # every recorded spike: time (ms)...
        self.spike_sources = h.Vector()  # ...and the number of its source (record_spikes)

    def record_time(self):
        if self.style == "jneuroml":
            self.time = record(h._ref_t)

    def simulate(self):
        h.finitialize()
        # One step more than the simulation's: an event found at the last step (a spike at
        # exactly `length`) is delivered in the next one. Traces keep steps + 1 rows, spikes
        # up to `length`.
        for _ in range(self.steps + 1):
            h.fadvance()

    def record_spikes(self, source, number):
        nc = _netcon(source, None)
        nc.record(self.spike_times, self.spike_sources, number)

    def _traces_rows(self, traces):
        rows = self.steps + 1
        if self.style == "jneuroml":
            # NEURON's own times, and each value divided by the unit factor as jNeuroML
            # writes it (the shortest decimal of a 32-bit float: 1000.0 for mV, 0.0001 for
            # S/cm2).
            columns = [np.array(self.time)[:rows] / 1000.0]
            for vec, scale in traces:
                factor = float(str(np.float32(1.0 / scale))) if scale else 1.0
                columns.append(np.array(vec)[:rows] / factor)
            return np.column_stack(columns)
        # As jLEMS: the time accumulated step by step.
        times = np.empty(rows)
        t = 0.0
        for k in range(rows):
            times[k] = t
            t += self.step_s
        columns = [times]
        for vec, scale in traces:
            values = np.array(vec)[:rows] * scale
            columns.append(values)
        return np.column_stack(columns)

    def write_traces(self, path, traces):
        # traces: (recorded vector, factor to SI) of each column after the time.
        write_rows(path, self._traces_rows(traces), self.style)

    def write_spikes(self, path, event_format, selections):
        # selections: (source number, id text) of each EventSelection, in the file's order.
        # Events keep NEURON's delivery order; a source selected twice is written twice.
        ids_of = {}
        for number, id_text in selections:
            ids_of.setdefault(number, []).append(id_text)
        last = (self.steps + 0.5) * self.step_s
        times, ids = [], []
        sources = np.array(self.spike_sources).astype(np.int64).tolist()
        if self.style == "jneuroml":
            seconds = (np.array(self.spike_times) / 1000.0).tolist()
        else:
            seconds = (np.array(self.spike_times) * 1e-3).tolist()
        for t, number in zip(seconds, sources):
            if t <= last:
                for id_text in ids_of.get(number, ()):
                    times.append(t)
                    ids.append(id_text)
        write_events(path, times, ids, event_format, self.style)
