# The fixed part of every Brian2 script lemsc writes (--target brian2), imported by the
# script beside it: the functions its code calls (conditions, the Heaviside step, factorials,
# kinetic schemes), the device and its build (cache folder, precompiled headers, the code
# objects compiled together), jLEMS's times, and the output files from the monitors. The
# script calls setup() first with what is its own: its path, its steps and its time step.
#
#   python THIS_MODULE --lemsc-make [make arguments]: the make command Brian2 runs.

import atexit
import hashlib
import os
import shlex
import shutil
import subprocess
import sys

import numpy as np
import brian2 as b2

from lemsc_javafloat import write_events, write_rows

# Set by setup().
SCRIPT = None
STEPS = None
DT = None
TIMES = None


def setup(script, steps, dt):
    """Binds this module to the script at `script` (its build folder is named after it),
    which runs `steps` steps of `dt` seconds."""
    global SCRIPT, STEPS, DT, TIMES
    SCRIPT = os.path.abspath(script)
    STEPS, DT = steps, dt
    TIMES = jlems_times()


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


def device_from(argv, default):
    device = default
    if '--device' in argv[1:-1]:
        device = argv[argv.index('--device') + 1]
    if device not in ('cpp_standalone', 'cython', 'numpy'):
        sys.exit('unknown --device %r: use cpp_standalone, cython or numpy' % device)
    return device


def cache_root():
    return os.environ.get('LEMSC_BRIAN2_CACHE') or os.path.join(os.path.dirname(SCRIPT), 'brian2_build')


def build_folder():
    with open(SCRIPT, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:20]
    name = os.path.splitext(os.path.basename(SCRIPT))[0]
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


def use_device(device, seed):
    # IEEE arithmetic as written (no -ffast-math, no fused multiply-add), as jLEMS computes;
    # two compiler jobs at a time. objects.cpp only allocates, fills and saves arrays, one
    # function line per variable: optimising it takes most of a large model's build (ten
    # times the unoptimised compile) and gains nothing at run time, so it is built with -O0.
    flags = ['-w', '-O2', '-std=c++11', '-ffp-contract=off']
    b2.prefs.codegen.cpp.extra_compile_args_gcc = flags
    b2.prefs.devices.cpp_standalone.extra_make_args_unix = [
        '-j2', "'--eval=objects.o: CXXFLAGS += -O0'"]
    # Brian2 runs this command (then the arguments above) in the build folder: this module,
    # to compile the code objects together (combined_make).
    b2.prefs.devices.cpp_standalone.make_cmd_unix = ' '.join(
        shlex.quote(a) for a in [sys.executable, os.path.abspath(__file__), MAKE_FLAG])
    if device == 'cpp_standalone':
        b2.prefs.codegen.cpp.extra_compile_args_gcc = flags + precompiled_headers(flags)
        global BUILD_LOCK
        BUILD_LOCK = lock_build_folder(build_folder())
        b2.set_device('cpp_standalone', directory=build_folder())
        # The recorded arrays (hundreds of MB for a long run) are read once, into the output
        # files; every run writes them anew. The build, which the next run reuses, stays.
        # atexit runs while the build folder is still locked.
        atexit.register(shutil.rmtree, os.path.join(build_folder(), 'results'), True)
    else:
        b2.prefs.codegen.target = device
    b2.seed(seed)
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


def jlems_times():
    # jLEMS's times: 0, then dt added once per step.
    out = np.empty(STEPS + 1)
    t = 0.0
    for n in range(STEPS + 1):
        out[n] = t
        t += DT
    return out


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


if __name__ == '__main__' and sys.argv[1:2] == [MAKE_FLAG]:
    sys.exit(combined_make(sys.argv[2:]))
