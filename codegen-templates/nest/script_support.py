# The model-independent part of every NEST script lemsc generates: the helpers its model
# section calls, and the output files it writes after the run. Written beside the script as
# lemsc_nest_support.py (the same text for every model), so that the script itself holds only
# the model.
#
# The script puts its own folder on sys.path before importing this module, which finds
# lemsc_javafloat.py (the number format of the output files) there too.

import os
import sys

import numpy as np

import nest

from lemsc_javafloat import write_events, write_rows


class Run:
    """The NEST kernel, set up for a run of `steps` steps of `step_ms` ms (`step_s` s) with the
    NESTML module `module` (a path relative to this module's folder, the script's)."""

    def __init__(self, module, step_ms, step_s, steps, seed):
        self.step_ms = step_ms
        self.step_s = step_s
        self.steps = steps
        nest.ResetKernel()
        nest.set(resolution=step_ms, rng_seed=seed, local_num_threads=1, print_time=False)
        # By absolute path: NEST finds a module by name only on LD_LIBRARY_PATH.
        nest.Install(os.path.join(os.path.dirname(os.path.abspath(__file__)), module))

    def simulate(self, pad_steps):
        # A multimeter hands over its last samples one NEST communication interval later, so
        # the run goes on for that long (`pad_steps`); nothing after the simulation's length
        # is written.
        nest.Simulate((self.steps + pad_steps) * self.step_ms)

    def output(self, recorders, spikes, initial_values):
        return Output(self.step_s, self.steps, recorders, spikes, initial_values)


def receptor(model, port):
    # NESTML numbers a model's spike ports from 1 (upper-case names) when it has several,
    # and has only port 0 when it has one.
    types = nest.GetDefaults(model).get("receptor_types") or {}
    return types.get(port.upper(), 0)


def initial(node, var):
    return float(nest.NodeCollection([node]).get(var))


def make_folder(path):
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)


class Output:
    """The output files of a finished run of `steps` steps of `step_s` seconds: traces from
    the multimeters in `recorders` (by model name) and the initial values in `initial` (by
    (node, variable)), spikes from the spike recorder `spikes`."""

    def __init__(self, step_s, steps, recorders, spikes, initial_values):
        self.step_s = step_s
        self.steps = steps
        self.recorders = recorders
        self.spikes = spikes
        self.initial_values = initial_values
        # As jLEMS: the time accumulated step by step.
        self.times = np.empty(steps + 1)
        t = 0.0
        for k in range(steps + 1):
            self.times[k] = t
            t += step_s

    def trace(self, model, node, var):
        # Row 0 is the initial state; the multimeter samples the end of every step.
        steps = self.steps
        ev = self.recorders[model].get("events")
        mask = ev["senders"] == node
        order = np.argsort(ev["times"][mask], kind="stable")
        values = np.asarray(ev[var])[mask][order][:steps]
        if len(values) != steps:
            sys.exit("the multimeter gave %d samples of %s of node %d, not %d" % (len(values), var, node, steps))
        return np.concatenate([[self.initial_values[(node, var)]], values])

    def constant(self, value):
        return np.full(self.steps + 1, value)

    def write_traces(self, path, columns):
        # columns: each column after the time (trace or constant).
        write_rows(path, np.column_stack([self.times] + columns))

    def write_spikes(self, path, event_format, selections):
        # selections: (node id, id text) of each EventSelection, in the file's order.
        ev = self.spikes.get("events")
        last = (self.steps + 0.5) * self.step_s
        found = []
        for place, (node, id_text) in enumerate(selections):
            for t in (ev["times"][ev["senders"] == node] * 1e-3).tolist():
                if t <= last:
                    found.append((t, place, id_text))
        found.sort(key=lambda x: (x[0], x[1]))
        write_events(path, [f[0] for f in found], [f[2] for f in found], event_format)
