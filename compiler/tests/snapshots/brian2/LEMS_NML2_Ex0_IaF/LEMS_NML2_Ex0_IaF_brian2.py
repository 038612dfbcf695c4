# LEMS_NML2_Ex0_IaF: the LEMS simulation as a Brian2 script, written by lemsc (--target brian2).
#
# Every LEMS instance is a member of the NeuronGroup of its component; each group's step is
# jLEMS's forward Euler written out as statements (run_regularly), groups in jLEMS's order
# (children before parents), time accumulated by addition as jLEMS does. Event connections
# are Synapses. Values are SI numbers. The output files are written relative to this
# script's folder, in the native target's format, by lemsc_javafloat.py (beside it), whose
# C++ row writer is compiled into the build cache below (Python writes when there is no
# compiler).
#
#   python THIS_SCRIPT [--device cpp_standalone|cython|numpy] [-nogui]
#
# cpp_standalone (the default here) builds in a folder named after a hash of this file, under
# $LEMSC_BRIAN2_CACHE or beside this script, so an unchanged model is not compiled again.

import hashlib
import os
import shlex
import subprocess
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import brian2 as b2  # noqa: E402

from lemsc_javafloat import use_native_writer, write_events, write_rows  # noqa: E402

DEFAULT_DEVICE = 'cpp_standalone'
SEED = 1234
DT = 5e-6
STEPS = 60000


def _ifelse(c, a, b):
    return np.where(np.asarray(c) != 0, a, b)


def _heaviside(x):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, np.where(x < 0, 0.0, np.where(x == 0, 0.5, x)))


def _factorial(x):
    n = np.floor(np.asarray(x, dtype=float))
    out = np.ones_like(n)
    for k in range(2, int(np.nanmax(n, initial=1)) + 1):
        out = np.where(n >= k, out * k, out)
    return out


def _function(pyfunc, nargs, cpp, cython, name):
    f = b2.Function(pyfunc, arg_units=[1] * nargs, return_unit=1, return_type='float')
    f.implementations.add_implementation('cpp', cpp, name=name)
    f.implementations.add_implementation('cython', cython, name=name)
    return f



def _kinetic(states, edges, dt, small_enough):
    # A kinetic scheme's step, p <- exp(Q dt) p, as the native runtime and jLEMS compute it
    # (scaling and squaring, operation for operation; the C++ and Cython implementations are
    # written out per scheme shape). step(k, occupancies..., forward and reverse rates...)
    # gives state k's new occupancy; the others of the same arguments are kept.
    n = states

    def occupancies(values):
        m = [0.0] * (n * n)
        for e, (i, j) in enumerate(edges):
            forward, reverse = values[n + 2 * e], values[n + 2 * e + 1]
            m[i * n + i] -= forward
            m[j * n + i] += forward
            m[j * n + j] -= reverse
            m[i * n + j] += reverse
        m = [x * dt for x in m]
        largest = 0.0
        for x in m:
            if abs(x) > largest:
                largest = abs(x)
        halvings, factor = 0, 1.0
        while largest * factor > small_enough:
            factor *= 0.5
            halvings += 1
        m = [x * factor for x in m]
        for _ in range(halvings):
            square = [0.0] * (n * n)
            for i in range(n):
                for j in range(n):
                    total = 0.0
                    for c in range(n):
                        total += m[i * n + c] * m[c * n + j]
                    square[i * n + j] = total
            m = [(x + x) + s for x, s in zip(m, square)]
        m = [x + (1.0 if at % (n + 1) == 0 else 0.0) for at, x in enumerate(m)]
        out = []
        for i in range(n):
            total = 0.0
            for j in range(n):
                total += m[i * n + j] * values[j]
            out.append(total)
        return out

    kept = {}

    def step(k, *values):
        arrays = np.broadcast_arrays(*[np.asarray(v, dtype=np.float64) for v in (k,) + values])
        key = b''.join(a.tobytes() for a in arrays[1:])
        if kept.get('key') != key:
            columns = [a.ravel().tolist() for a in arrays[1:]]
            kept['key'] = key
            kept['next'] = [occupancies(member) for member in zip(*columns)]
        wanted = arrays[0].ravel()
        out = [kept['next'][member][int(wanted[member])] for member in range(wanted.size)]
        return np.array(out, dtype=np.float64).reshape(arrays[0].shape)

    return step

# Both values are computed, one is kept: a 0/0 in the branch not taken stays a quiet NaN.
NAMESPACE = {
    'lemsc_ifelse': _function(
        _ifelse, 3,
        'static inline double lemsc_ifelse(double c, double a, double b)'
        ' { return c != 0 ? a : b; }',
        'cdef double lemsc_ifelse(double c, double a, double b):\n'
        '    return a if c != 0 else b\n',
        'lemsc_ifelse'),
    'lemsc_heaviside': _function(
        _heaviside, 1,
        'static inline double lemsc_heaviside(double x)'
        ' { return x > 0 ? 1.0 : (x < 0 ? 0.0 : (x == 0 ? 0.5 : x)); }',
        'cdef double lemsc_heaviside(double x):\n'
        '    return 1.0 if x > 0 else (0.0 if x < 0 else (0.5 if x == 0 else x))\n',
        'lemsc_heaviside'),
    'lemsc_factorial': _function(
        _factorial, 1,
        'static inline double lemsc_factorial(double x)'
        ' { double r = 1.0; for (double k = 2.0; k <= x; k += 1.0) r *= k; return r; }',
        'cdef double lemsc_factorial(double x):\n'
        '    cdef double r = 1.0\n'
        '    cdef double k = 2.0\n'
        '    while k <= x:\n'
        '        r *= k\n'
        '        k += 1.0\n'
        '    return r\n',
        'lemsc_factorial'),
}


def device_from(argv):
    device = DEFAULT_DEVICE
    if '--device' in argv[1:-1]:
        device = argv[argv.index('--device') + 1]
    if device not in ('cpp_standalone', 'cython', 'numpy'):
        sys.exit('unknown --device %r: use cpp_standalone, cython or numpy' % device)
    return device


def cache_root():
    return os.environ.get('LEMSC_BRIAN2_CACHE') or os.path.join(HERE, 'brian2_build')


def build_folder():
    with open(os.path.abspath(__file__), 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:20]
    name = os.path.splitext(os.path.basename(__file__))[0]
    return os.path.join(cache_root(), '%s-%s' % (name[:80], digest))


# The C++ standard headers Brian2's sources include. Every group is a source file of its own
# (hundreds in a large model), and parsing these headers was two thirds of each one's
# compile: they are precompiled once per cache folder, compiler and flags.
STANDARD_HEADERS = ('algorithm', 'assert.h', 'climits', 'cmath', 'ctime', 'fstream',
                    'iostream', 'iterator', 'limits', 'map', 'math.h', 'random', 'set',
                    'stdint.h', 'stdlib.h', 'string', 'tuple', 'utility', 'vector')


def write_atomically(path, data):
    temporary = '%s.%d.tmp' % (path, os.getpid())
    with open(temporary, 'wb') as f:
        f.write(data)
    os.replace(temporary, path)


def precompiled_headers(flags):
    # ['-includeHEADER'] once HEADER.gch is built by the GCC make will run; [] (the build
    # goes on without) for another compiler or when it cannot be built. GCC takes the .gch
    # only where the flags match (so not for objects.cpp's -O0) and the header otherwise.
    # One word: Brian2 drops every flag that does not compile on its own.
    cxx = os.environ.get('CXX', 'g++')
    try:
        version = subprocess.run([cxx, '--version'], capture_output=True, text=True,
                                 check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return []
    if 'Free Software Foundation' not in version:
        return []
    text = ''.join('#include <%s>\n' % h for h in STANDARD_HEADERS)
    key = hashlib.sha256('\n'.join([version, ' '.join(flags), text]).encode()).hexdigest()
    header = os.path.join(cache_root(), 'pch-' + key[:16], 'lemsc_std.h')
    if ' ' in header:
        return []  # the makefile's flags are split at spaces
    if not os.path.exists(header + '.gch'):
        os.makedirs(os.path.dirname(header), exist_ok=True)
        write_atomically(header, text.encode())
        built = '%s.gch.%d.tmp' % (header, os.getpid())
        done = subprocess.run([cxx] + flags + ['-x', 'c++-header', header, '-o', built],
                              capture_output=True)
        if done.returncode != 0:
            if os.path.exists(built):
                os.remove(built)
            return []
        os.replace(built, header + '.gch')
    return ['-include' + header]


def lock_build_folder(folder):
    # Two runs of one model (same script, same cache) share its build folder: the second
    # waits here until the first exits, instead of rewriting or running a program the first
    # is still building. The lock is released when the process ends.
    try:
        import fcntl
    except ImportError:
        return None
    os.makedirs(os.path.dirname(folder), exist_ok=True)
    lock = open(folder + '.lock', 'w')
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


BUILD_LOCK = None


def use_device(device):
    # IEEE arithmetic as written (no -ffast-math, no fused multiply-add), as jLEMS computes;
    # two compiler jobs at a time. objects.cpp only allocates, fills and saves arrays, one
    # function line per variable: optimising it takes most of a large model's build (ten
    # times the unoptimised compile) and gains nothing at run time, so it is built with -O0.
    flags = ['-w', '-O2', '-std=c++11', '-ffp-contract=off']
    b2.prefs.codegen.cpp.extra_compile_args_gcc = flags
    b2.prefs.devices.cpp_standalone.extra_make_args_unix = [
        '-j2', "'--eval=objects.o: CXXFLAGS += -O0'"]
    # Brian2 runs this command (then the arguments above) in the build folder: this script
    # again, to compile the code objects together (combined_make).
    b2.prefs.devices.cpp_standalone.make_cmd_unix = ' '.join(
        shlex.quote(a) for a in [sys.executable, os.path.abspath(__file__), MAKE_FLAG])
    if device == 'cpp_standalone':
        b2.prefs.codegen.cpp.extra_compile_args_gcc = flags + precompiled_headers(flags)
        global BUILD_LOCK
        BUILD_LOCK = lock_build_folder(build_folder())
        b2.set_device('cpp_standalone', directory=build_folder())
    else:
        b2.prefs.codegen.target = device
    b2.seed(SEED)
    b2.defaultclock.dt = DT * b2.second
    # Brian2's only warning from this module: code that writes through an index array (a
    # kinetic scheme's occupancies, written back through their links) "may depend on the
    # order of execution". Each member writes values of its own scheme, so it does not.
    b2.BrianLogger.suppress_hierarchy('brian2.codegen.generators.base')


# Brian2 compiles every code object (one per group step, threshold, synapse pathway) as a
# source file of its own, and each parses objects.h, which declares every array of the
# model: a large model's build grows with the square of its size. combined_make compiles
# them a few hundred at a time, each code object's text in a namespace of its own (their
# helper code has the same names), with a function of its name calling it; about twenty
# times faster. Should that not compile, make builds the sources one by one as Brian2 wrote
# them.
MAKE_FLAG = '--lemsc-make'
CODE_OBJECTS_PER_SOURCE = 200


def makefile_sources():
    with open('makefile') as f:
        for line in f:
            if line.startswith('SRCS = '):
                return line[len('SRCS = '):].split()
    return []


def combined_source(index, paths):
    includes, bodies, calls = [], [], []
    for path in paths:
        with open(path) as f:
            text = f.read()
        includes.extend(line for line in text.splitlines() if line.startswith('#include'))
        space = 'lemsc_code_object_%d_%d' % (index, len(bodies))
        bodies.append('namespace %s {\n#include "%s"\n}\n' % (space, path))
        for line in text.splitlines():
            if line.startswith('void ') and line.rstrip().endswith('()'):
                name = line[len('void '):].rstrip()[:-2]
                calls.append('void %s() { %s::%s(); }\n' % (name, space, name))
    # Every header once, outside the namespaces (their guards keep them out of those).
    head = '\n'.join(dict.fromkeys(includes)) + '\n'
    return head + ''.join(bodies) + ''.join(calls)


def write_if_changed(path, text):
    # make rebuilds what is newer than its object: an unchanged source keeps its time.
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                return
    with open(path, 'w') as f:
        f.write(text)


def combined_make(make_args):
    sources = makefile_sources()
    code_objects = [s for s in sources if s.startswith('code_objects/') and s.endswith('.cpp')]
    others = [s for s in sources if s not in code_objects]
    if code_objects:
        combined = []
        for start in range(0, len(code_objects), CODE_OBJECTS_PER_SOURCE):
            path = 'lemsc_code_objects_%d.cpp' % len(combined)
            chunk = code_objects[start:start + CODE_OBJECTS_PER_SOURCE]
            write_if_changed(path, combined_source(len(combined), chunk))
            combined.append(path)
        srcs = 'SRCS=' + ' '.join(others + combined)
        if subprocess.call(['make', srcs] + make_args) == 0:
            return 0
        print('lemsc: the combined build failed; building the code objects one by one',
              file=sys.stderr)
    return subprocess.call(['make'] + make_args)


def times():
    # jLEMS's times: 0, then dt added once per step.
    out = np.empty(STEPS + 1)
    t = 0.0
    for n in range(STEPS + 1):
        out[n] = t
        t += DT
    return out


def build():
    OBJECTS = []
    # net1 (network)
    g0_net1_network = b2.NeuronGroup(1, 'tl : 1 (shared)', events={}, namespace=NAMESPACE, name='g0_net1_network')
    OBJECTS.append(g0_net1_network)
    # iafTauPop (population)
    g1_iafTauPop_population = b2.NeuronGroup(4, 's0_size : 1\ntl : 1 (shared)', events={}, namespace=NAMESPACE, name='g1_iafTauPop_population')
    OBJECTS.append(g1_iafTauPop_population)
    g1_iafTauPop_population.s0_size = 1.0
    # iafTau (iafTauCell)
    g2_iafTau_iafTauCell = b2.NeuronGroup(1, 's0_v : 1\ns1_leakReversal : 1\ns2_thresh : 1\ns3_reset : 1\ns4_tau : 1\ns5_v_exposed : 1\ns6_rate_v : 1\ntl : 1 (shared)\nev0 : 1', events={}, namespace=NAMESPACE, name='g2_iafTau_iafTauCell')
    OBJECTS.append(g2_iafTau_iafTauCell)
    g2_iafTau_iafTauCell.s0_v = (-0.05)
    g2_iafTau_iafTauCell.s1_leakReversal = (-0.05)
    g2_iafTau_iafTauCell.s2_thresh = (-0.055)
    g2_iafTau_iafTauCell.s3_reset = (-0.07)
    g2_iafTau_iafTauCell.s4_tau = 0.03
    g2_iafTau_iafTauCell.s5_v_exposed = (-0.05)
    g2_iafTau_iafTauCell.run_regularly('tl = tl + 5e-6\ns6_rate_v = (((-0.05) - s0_v) / 0.03)\ns0_v = (s0_v + (5e-6 * s6_rate_v))\nqc1 = int(s0_v > (-0.055))\ns0_v = lemsc_ifelse(qc1, (-0.07), s0_v)\nev0 = lemsc_ifelse(qc1, 1, ev0)\ns5_v_exposed = s0_v', when='groups', order=10, name='g2_iafTau_iafTauCell_step')
    # iafTauRef (iafTauRefCell)
    g3_iafTauRef_iafTauRefCell = b2.NeuronGroup(1, 's0_v : 1\ns1_lastSpikeTime : 1\ns2_leakReversal : 1\ns3_thresh : 1\ns4_reset : 1\ns5_tau : 1\ns6_refract : 1\ns7_v_exposed : 1\ns8_regime : 1\ns9_t : 1\ntl : 1 (shared)\nev0 : 1', events={}, namespace=NAMESPACE, name='g3_iafTauRef_iafTauRefCell')
    OBJECTS.append(g3_iafTauRef_iafTauRefCell)
    g3_iafTauRef_iafTauRefCell.s0_v = (-0.05)
    g3_iafTauRef_iafTauRefCell.s2_leakReversal = (-0.05)
    g3_iafTauRef_iafTauRefCell.s3_thresh = (-0.055)
    g3_iafTauRef_iafTauRefCell.s4_reset = (-0.07)
    g3_iafTauRef_iafTauRefCell.s5_tau = 0.03
    g3_iafTauRef_iafTauRefCell.s6_refract = 0.005
    g3_iafTauRef_iafTauRefCell.s7_v_exposed = (-0.05)
    g3_iafTauRef_iafTauRefCell.s8_regime = 1.0
    g3_iafTauRef_iafTauRefCell.run_regularly('tl = tl + 5e-6\ns9_t = tl\ns7_v_exposed = s0_v\nqs1 = s8_regime\nqc2 = int(qs1 == 0)\nqc3 = lemsc_ifelse(qc2, int(s9_t > (s1_lastSpikeTime + 0.005)), 0)\ns8_regime = lemsc_ifelse(qc3, 1.0, s8_regime)\nqc4 = int(qs1 == 1)\ns0_v = lemsc_ifelse(qc4, (s0_v + (5e-6 * (((-0.05) - s0_v) / 0.03))), s0_v)\nqc5 = lemsc_ifelse(qc4, int(s0_v > (-0.055)), 0)\nev0 = lemsc_ifelse(qc5, 1, ev0)\ns8_regime = lemsc_ifelse(qc5, 0.0, s8_regime)\ns1_lastSpikeTime = lemsc_ifelse(qc5, s9_t, s1_lastSpikeTime)\ns0_v = lemsc_ifelse(qc5, (-0.07), s0_v)', when='groups', order=20, name='g3_iafTauRef_iafTauRefCell_step')
    # iafRef (iafRefCell)
    g4_iafRef_iafRefCell = b2.NeuronGroup(1, 's0_v : 1\ns1_lastSpikeTime : 1\ns2_iSyn : 1\ns3_iMemb : 1\ns4_leakConductance : 1\ns5_leakReversal : 1\ns6_thresh : 1\ns7_reset : 1\ns8_C : 1\ns9_refract : 1\ns10_iMemb_exposed : 1\ns11_iSyn_exposed : 1\ns12_v_exposed : 1\ns13_regime : 1\ns14_t : 1\ntl : 1 (shared)\nev0 : 1', events={}, namespace=NAMESPACE, name='g4_iafRef_iafRefCell')
    OBJECTS.append(g4_iafRef_iafRefCell)
    g4_iafRef_iafRefCell.s0_v = (-0.053)
    g4_iafRef_iafRefCell.s4_leakConductance = 2.0000000000000003e-10
    g4_iafRef_iafRefCell.s5_leakReversal = (-0.053)
    g4_iafRef_iafRefCell.s6_thresh = (-0.055)
    g4_iafRef_iafRefCell.s7_reset = (-0.07)
    g4_iafRef_iafRefCell.s8_C = 3.2e-12
    g4_iafRef_iafRefCell.s9_refract = 0.005
    g4_iafRef_iafRefCell.s12_v_exposed = (-0.053)
    g4_iafRef_iafRefCell.s13_regime = 1.0
    g4_iafRef_iafRefCell.run_regularly('tl = tl + 5e-6\ns14_t = tl\ns2_iSyn = 0.0\ns3_iMemb = ((2.0000000000000003e-10 * ((-0.053) - s0_v)) + s2_iSyn)\ns10_iMemb_exposed = s3_iMemb\ns11_iSyn_exposed = s2_iSyn\ns12_v_exposed = s0_v\nqs1 = s13_regime\nqc2 = int(qs1 == 0)\nqc3 = lemsc_ifelse(qc2, int(s14_t > (s1_lastSpikeTime + 0.005)), 0)\ns13_regime = lemsc_ifelse(qc3, 1.0, s13_regime)\nqc4 = int(qs1 == 1)\ns0_v = lemsc_ifelse(qc4, (s0_v + (5e-6 * (s3_iMemb / 3.2e-12))), s0_v)\nqc5 = lemsc_ifelse(qc4, int(s0_v > (-0.055)), 0)\nev0 = lemsc_ifelse(qc5, 1, ev0)\ns13_regime = lemsc_ifelse(qc5, 0.0, s13_regime)\ns1_lastSpikeTime = lemsc_ifelse(qc5, s14_t, s1_lastSpikeTime)\ns0_v = lemsc_ifelse(qc5, (-0.07), s0_v)', when='groups', order=30, name='g4_iafRef_iafRefCell_step')
    # iaf (iafCell)
    g5_iaf_iafCell = b2.NeuronGroup(1, 's0_v : 1\ns1_iSyn : 1\ns2_iMemb : 1\ns3_leakConductance : 1\ns4_leakReversal : 1\ns5_thresh : 1\ns6_reset : 1\ns7_C : 1\ns8_iMemb_exposed : 1\ns9_iSyn_exposed : 1\ns10_v_exposed : 1\ns11_rate_v : 1\ntl : 1 (shared)\nev0 : 1', events={}, namespace=NAMESPACE, name='g5_iaf_iafCell')
    OBJECTS.append(g5_iaf_iafCell)
    g5_iaf_iafCell.s0_v = (-0.053)
    g5_iaf_iafCell.s3_leakConductance = 2.0000000000000003e-10
    g5_iaf_iafCell.s4_leakReversal = (-0.053)
    g5_iaf_iafCell.s5_thresh = (-0.055)
    g5_iaf_iafCell.s6_reset = (-0.07)
    g5_iaf_iafCell.s7_C = 3.2e-12
    g5_iaf_iafCell.s10_v_exposed = (-0.053)
    g5_iaf_iafCell.run_regularly('tl = tl + 5e-6\ns1_iSyn = 0.0\ns2_iMemb = ((2.0000000000000003e-10 * ((-0.053) - s0_v)) + s1_iSyn)\ns11_rate_v = (s2_iMemb / 3.2e-12)\ns0_v = (s0_v + (5e-6 * s11_rate_v))\nqc1 = int(s0_v > (-0.055))\ns0_v = lemsc_ifelse(qc1, (-0.07), s0_v)\nev0 = lemsc_ifelse(qc1, 1, ev0)\ns8_iMemb_exposed = s2_iMemb\ns9_iSyn_exposed = s1_iSyn\ns10_v_exposed = s0_v', when='groups', order=40, name='g5_iaf_iafCell_step')
    mon2 = b2.StateMonitor(g2_iafTau_iafTauCell, ['s5_v_exposed'], record=np.array([0], dtype=np.int64), when='end', order=1000, name='mon2')
    OBJECTS.append(mon2)
    mon3 = b2.StateMonitor(g3_iafTauRef_iafTauRefCell, ['s7_v_exposed'], record=np.array([0], dtype=np.int64), when='end', order=1000, name='mon3')
    OBJECTS.append(mon3)
    mon4 = b2.StateMonitor(g4_iafRef_iafRefCell, ['s12_v_exposed'], record=np.array([0], dtype=np.int64), when='end', order=1000, name='mon4')
    OBJECTS.append(mon4)
    mon5 = b2.StateMonitor(g5_iaf_iafCell, ['s10_v_exposed'], record=np.array([0], dtype=np.int64), when='end', order=1000, name='mon5')
    OBJECTS.append(mon5)
    return OBJECTS


def run():
    # The objects by name, for reading the monitors after the run.
    objects = build()
    b2.Network(objects).run(STEPS * DT * b2.second, namespace={})
    return {o.name: o for o in objects}


def column(monitor, var, row, initial):
    # Row 0 is the state after initialisation; then the value after each step.
    values = np.asarray(getattr(monitor, var)[row, :], dtype=np.float64)
    if values.shape[0] != STEPS:
        raise RuntimeError('%s recorded %d steps, not %d' % (monitor.name, values.shape[0], STEPS))
    return np.concatenate([[initial], values])


def make_folder(path):
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)


def write_output(path, columns):
    make_folder(path)
    write_rows(path, np.column_stack([TIMES] + columns))


def write_event_file(path, event_format, selections):
    # An event of step n (Brian2's iteration n-1) is written with jLEMS's time t_n; the events
    # of one step in the order jLEMS advances their senders.
    events = []
    for order, (monitor, member, ident, position) in enumerate(selections):
        sent = np.asarray(monitor.i[:]) == member
        steps = np.rint(np.asarray(monitor.t_[:])[sent] / DT).astype(np.int64) + 1
        events.extend((int(n), position, order, ident) for n in steps)
    events.sort(key=lambda e: e[:3])
    make_folder(path)
    write_events(path, [TIMES[e[0]] for e in events], [e[3] for e in events], event_format)


def main(argv):
    if argv[1:2] == [MAKE_FLAG]:
        sys.exit(combined_make(argv[2:]))
    os.chdir(HERE)
    np.seterr(all='ignore')
    use_device(device_from(argv))
    use_native_writer(cache_root())
    global TIMES
    TIMES = times()
    OBJ = run()
    write_output('results/iaf_v.dat', [column(OBJ['mon2'], 's5_v_exposed', 0, (-0.05)), column(OBJ['mon3'], 's7_v_exposed', 0, (-0.05)), column(OBJ['mon5'], 's10_v_exposed', 0, (-0.053)), column(OBJ['mon4'], 's12_v_exposed', 0, (-0.053))])


if __name__ == '__main__':
    main(sys.argv)
