"""Run LEMS and NeuroML2 simulations with lemsc and read their output files as numpy arrays.

    import lemsc
    results = lemsc.run("LEMS_NML2_Ex1_HH.xml", out_dir="out")
    v = results["results/hh_v.dat"]["v"]          # one array per OutputColumn id
    t = results["results/hh_v.dat"]["t"]          # the time column (seconds)
    spikes = results["results/ex23.iaf.spikes"]   # EventOutputFile: {selection id: times}

`run` calls the lemsc program installed with this package, then reads every OutputFile and
EventOutputFile of the LEMS file's target Simulation, as the LEMS file names them (the
`fileName` attribute is the key). The names come from the LEMS file itself (its `<Target>`
and the `<Simulation>` it names); a Simulation kept in an included file is looked for there too.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET

import numpy as np

__all__ = ["run", "executable", "LemscError"]


class LemscError(RuntimeError):
    """lemsc exited with an error; `returncode` and `stderr` say what happened."""

    def __init__(self, message, returncode, stderr):
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


def executable():
    """The lemsc program: the one installed beside this package's Python, else on PATH."""
    name = "lemsc.exe" if sys.platform == "win32" else "lemsc"
    beside = os.path.join(sysconfig.get_path("scripts"), name)
    if os.path.isfile(beside):
        return beside
    found = shutil.which("lemsc")
    if found is None:
        raise FileNotFoundError("the lemsc program is not installed (pip install lemsc)")
    return found


def _option_args(options):
    """Keyword options as lemsc flags: seed=3 -> --seed 3, strict=True -> --strict."""
    args = []
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif value is False or value is None:
            continue
        else:
            args.extend([flag, str(value)])
    return args


def run(path, out_dir=None, target="native", **options):
    """Runs the LEMS simulation file `path` with lemsc and returns what it wrote.

    out_dir: folder for the output files (lemsc's -o); None writes them where lemsc does
        by default, relative to the LEMS file's folder.
    target: "native" (compiled with LLVM and run in process) or "neuron" (exported to
        NEURON and run with it: `--target neuron --run`, which needs NEURON installed and
        LEMSC_PYTHON or a python3 on PATH that imports it).
    options: further lemsc options, e.g. seed=3 (--seed 3), strict=True (--strict).

    Returns a dict from each output file's name, as the LEMS file gives it, to its contents:
    for an OutputFile a dict {"t": times, <OutputColumn id>: values, ...} of 1-D arrays (SI
    units, as in the file); for an EventOutputFile a dict {<EventSelection id>: spike times}.
    Raises LemscError when lemsc fails.
    """
    path = os.fspath(path)
    command = [executable(), path]
    if target == "neuron":
        command += ["--target", "neuron", "--run"]
    elif target != "native":
        raise ValueError("target must be 'native' or 'neuron', not %r" % (target,))
    if out_dir is not None:
        out_dir = os.fspath(out_dir)
        command += ["-o", out_dir]
    command += _option_args(options)
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise LemscError(
            "lemsc exited with status %d:\n%s" % (done.returncode, done.stderr.strip()),
            done.returncode,
            done.stderr,
        )
    folder = out_dir if out_dir is not None else os.path.dirname(os.path.abspath(path))
    return read_outputs(path, folder)


def read_outputs(path, folder):
    """Reads the output files of the LEMS file `path` from `folder` (see `run`)."""
    results = {}
    for output in _outputs(path):
        file = os.path.join(folder, output["file"])
        if output["kind"] == "columns":
            table = np.loadtxt(file, ndmin=2)
            names = ["t"] + output["columns"]
            results[output["file"]] = {name: table[:, i] for i, name in enumerate(names)}
        else:
            results[output["file"]] = _read_events(file, output)
    return results


def _read_events(file, output):
    ids = output["selections"]
    times = {selection: [] for selection in ids}
    id_first = output["format"] == "ID_TIME"
    with open(file) as lines:
        for line in lines:
            fields = line.split()
            if len(fields) != 2:
                continue
            selection, time = (fields[0], fields[1]) if id_first else (fields[1], fields[0])
            times.setdefault(selection, []).append(float(time))
    return {selection: np.array(values) for selection, values in times.items()}


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _outputs(path):
    """The OutputFiles and EventOutputFiles of the target Simulation of the LEMS file."""
    root = ET.parse(path).getroot()
    target = next((e.get("component") for e in root.iter() if _local(e.tag) == "Target"), None)
    simulation = _find_simulation(path, root, target, set())
    if simulation is None:
        raise LemscError("no target Simulation found in %s" % path, 1, "")
    outputs = []
    for element in simulation.iter():
        tag = _local(element.tag)
        if tag == "OutputFile":
            columns = [c.get("id") for c in element if _local(c.tag) == "OutputColumn"]
            outputs.append({"kind": "columns", "file": element.get("fileName"), "columns": columns})
        elif tag == "EventOutputFile":
            selections = [s.get("id") for s in element if _local(s.tag) == "EventSelection"]
            outputs.append(
                {
                    "kind": "events",
                    "file": element.get("fileName"),
                    "format": element.get("format", "TIME_ID"),
                    "selections": selections,
                }
            )
    return outputs


def _find_simulation(path, root, target, seen):
    """The Simulation with id `target` in `root` or in the files it includes."""
    seen.add(os.path.abspath(path))
    for element in root.iter():
        if _local(element.tag) == "Simulation" and (target is None or element.get("id") == target):
            return element
    for element in root.iter():
        if _local(element.tag) != "Include" or not element.get("file"):
            continue
        included = os.path.join(os.path.dirname(path), element.get("file"))
        if os.path.abspath(included) in seen or not os.path.isfile(included):
            continue
        try:
            found = _find_simulation(included, ET.parse(included).getroot(), target, seen)
        except ET.ParseError:
            continue
        if found is not None:
            return found
    return None
