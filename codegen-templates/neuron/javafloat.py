# Output files in the format jLEMS writes (the same text as lemsc's native target), or, with
# style "jneuroml", as jNeuroML's NEURON export writes them (see format_rows_jneuroml).
#
# Every number is cast to a 32-bit float and printed as Java's Float.toString prints it:
# the shortest decimal that reads back as the same float (ties to the even digit), laid out
# plainly for 1e-3 <= |x| < 1e7 ("0.00105", "-0.065", "1234567.0") and as "d.dddE-n"
# otherwise ("4.0E-5", "1.0E7"), always with a digit after the point; "NaN", "Infinity",
# "-Infinity", "0.0", "-0.0". numpy finds the shortest digits; only Java's layout is ours.
#
# A .dat line is each value's text followed by a TAB (the last one too), then "\n". An event
# line is "time<TAB>id\n" (TIME_ID) or "id<TAB>time\n" (ID_TIME), without a trailing TAB.
#
# Files are written under a temporary name in their own folder and renamed to their real
# name only when complete, so a failed run never leaves a file that looks finished.
#
# After use_native_writer(folder), .dat files in jLEMS's format are written by the C++ of
# <this module's name>_rows.cpp (beside it), compiled once into a shared library: the same
# bytes about a hundred times faster, for models that write millions of rows.

import ctypes
import hashlib
import itertools
import math
import os
import subprocess
import sys

import numpy as np

# Below this a float32 is subnormal: few enough significant bits that a one-digit shortest
# decimal can be far from the float, the only case where Java looks for a closer two-digit one.
_SMALLEST_NORMAL_FLOAT32 = float(np.finfo(np.float32).tiny)

def _layout(negative, digits, exponent):
    # Java's layout of the decimal 0.d1d2...dn * 10^(exponent + 1), digits without
    # trailing zeros.
    sign = "-" if negative else ""
    if 0 <= exponent < 7:
        int_len = exponent + 1
        whole = digits[:int_len].ljust(int_len, "0")
        return sign + whole + "." + (digits[int_len:] or "0")
    if -3 <= exponent < 0:
        return sign + "0." + "0" * (-exponent - 1) + digits
    return sign + digits[0] + "." + (digits[1:] or "0") + "E" + str(exponent)


def _split_scientific(text):
    # numpy's "-1.2345e-07" / "1.e+07" as (negative, digits, exponent).
    mantissa, _, exponent = text.partition("e")
    negative = mantissa.startswith("-")
    digits = mantissa.lstrip("-").replace(".", "").rstrip("0") or "0"
    return negative, digits, int(exponent)


def _java_text(x, numpy_text):
    # Java's text of the float32 whose exact value is the Python float `x`, given numpy's
    # shortest text of it ("-0.065", "1e-05", "2.6552757e-17", "nan").
    if x != x:
        return "NaN"
    if x == math.inf:
        return "Infinity"
    if x == -math.inf:
        return "-Infinity"
    if x == 0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    magnitude = abs(x)
    plain = 1e-3 <= magnitude < 1e7
    scientific = "e" in numpy_text
    if plain and not scientific:
        return numpy_text
    if scientific and not plain and magnitude >= _SMALLEST_NORMAL_FLOAT32:
        # The common case of small SI values: only the exponent's form differs.
        mantissa, _, exponent = numpy_text.partition("e")
        if "." not in mantissa:
            mantissa += ".0"
        return mantissa + "E" + str(int(exponent))
    if not scientific:
        numpy_text = np.format_float_scientific(np.float32(x), unique=True)
    negative, digits, exponent = _split_scientific(numpy_text)
    if len(digits) == 1 and magnitude < _SMALLEST_NORMAL_FLOAT32:
        # Java prints the closest two-digit decimal when it also reads back as the value
        # (Float.MIN_VALUE is "1.4E-45", not "1.0E-45").
        closest = np.format_float_scientific(np.float32(x), precision=1, unique=False)
        if np.float32(closest) == np.float32(x):
            negative, digits, exponent = _split_scientific(closest)
    return _layout(negative, digits, exponent)


def java_float(x):
    """Java's Float.toString((float) x) for one number."""
    single = np.float32(x)
    return _java_text(float(single), str(single))


def java_floats(values):
    """Java's Float.toString of every value (cast to float32) of an array-like of any shape;
    a numpy array of str objects of the same shape."""
    singles = np.asarray(values, dtype=np.float64).astype(np.float32)
    texts = singles.astype(str).astype(object)
    magnitudes = np.abs(singles.astype(np.float64))
    # numpy's text is already Java's for zeros and for plain-range values it did not print
    # in E notation (numpy also gives the shortest digits, ties to even).
    plain = (magnitudes >= 1e-3) & (magnitudes < 1e7)
    numpy_scientific = np.array(["e" in t for t in texts.ravel().tolist()], dtype=bool)
    done = (plain & ~numpy_scientific.reshape(texts.shape)) | (magnitudes == 0)
    rest = ~done
    if rest.any():
        # Repeated values (constant columns) are formatted once. np.unique folds NaNs
        # together, which print alike; zeros (whose sign matters) never get here.
        rest_texts = texts[rest]
        unique, first, inverse = np.unique(
            singles[rest], return_index=True, return_inverse=True
        )
        unique_texts = np.array(
            [
                _java_text(x, t)
                for x, t in zip(unique.tolist(), rest_texts[first].tolist())
            ],
            dtype=object,
        )
        texts[rest] = unique_texts[inverse.ravel()]
    return texts


def format_rows(rows):
    """The text of a .dat file: one line per row (time first, then the columns)."""
    texts = java_floats(np.atleast_2d(np.asarray(rows, dtype=np.float64)))
    if texts.size == 0:
        return ""
    return "".join("\t".join(row) + "\t\n" for row in texts.tolist())


def format_rows_jneuroml(rows):
    """A .dat file as jNeuroML's NEURON export writes it: every value printed with "%e" (seven
    significant digits, e.g. "-6.490000e-02") and followed by a TAB, then "\n"."""
    rows = np.atleast_2d(np.asarray(rows, dtype=np.float64))
    if rows.size == 0:
        return ""
    return "".join("".join("%e\t" % x for x in row) + "\n" for row in rows.tolist())


def format_events_jneuroml(times, ids, id_first):
    """An event file as jNeuroML's NEURON export writes it: times as Python prints floats."""
    times = [float(t) for t in np.asarray(times, dtype=np.float64).ravel()]
    if len(times) != len(ids):
        raise ValueError("%d event times but %d ids" % (len(times), len(ids)))
    if id_first:
        return "".join("%s\t%s\n" % (i, t) for t, i in zip(times, ids))
    return "".join("%s\t%s\n" % (t, i) for t, i in zip(times, ids))


def format_events(times, ids, id_first):
    """The text of an event file: one line per (time, id); id_first gives ID_TIME's order."""
    time_texts = java_floats(np.asarray(times, dtype=np.float64).ravel()).tolist()
    id_texts = [str(i) for i in ids]
    if len(time_texts) != len(id_texts):
        raise ValueError(
            "%d event times but %d ids" % (len(time_texts), len(id_texts))
        )
    if id_first:
        pairs = zip(id_texts, time_texts)
    else:
        pairs = zip(time_texts, id_texts)
    return "".join(first + "\t" + second + "\n" for first, second in pairs)


_temp_counter = itertools.count()


class PendingFile:
    """A file that exists under a temporary name until finish() renames it to `path`.

    Created before the run, so a missing folder is reported before any time is spent
    simulating; discard() (or a run that dies) leaves no file under the real name.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        folder, name = os.path.split(self.path)
        if not name:
            raise ValueError("output path %r has no file name" % self.path)
        if folder and not os.path.isdir(folder):
            raise FileNotFoundError(
                "cannot write output file %s: folder %s does not exist"
                % (self.path, folder)
            )
        temp_name = ".%s.%d-%d.partial" % (name, os.getpid(), next(_temp_counter))
        self.temp_path = os.path.join(folder, temp_name)
        self._file = open(self.temp_path, "w", encoding="utf-8", newline="\n")

    def write(self, text):
        self._file.write(text)

    def raw_fd(self):
        """The file descriptor, for a writer that writes to it directly (after what write()
        has buffered)."""
        self._file.flush()
        return self._file.fileno()

    def finish(self):
        """Flushes to disk and gives the file its real name; returns that name."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self.temp_path, self.path)
        return self.path

    def discard(self):
        """Closes and deletes the temporary file."""
        self._file.close()
        if os.path.exists(self.temp_path):
            os.remove(self.temp_path)


def write_atomically(path, text):
    """Writes `text` to `path` under a temporary name, renamed once complete."""
    pending = PendingFile(path)
    try:
        pending.write(text)
    except BaseException:
        pending.discard()
        raise
    return pending.finish()


# The C++ row writer once use_native_writer has loaded it: lemsc_write_rows(fd, values,
# rows, columns) -> 0 or an errno.
_native_write_rows = None

_NATIVE_SOURCE = os.path.splitext(os.path.abspath(__file__))[0] + "_rows.cpp"
_NATIVE_FLAGS = ["-O2", "-std=c++17", "-shared", "-fPIC"]


def _say(why):
    sys.stderr.write("%s: %s; output files are written by the slower Python writer\n"
                     % (os.path.basename(_NATIVE_SOURCE), why))


def _compiled_library(folder):
    # The shared library built from _NATIVE_SOURCE by $CXX (g++ by default) under `folder`, in
    # a subfolder named after a hash of the source, the compiler's version and the flags;
    # built when missing (under a temporary name, so runs side by side never load half a
    # file). None, after saying why, without a compiler or when the build fails.
    try:
        with open(_NATIVE_SOURCE, "rb") as f:
            source = f.read()
    except OSError as e:
        _say("cannot read the C++ writer (%s)" % e)
        return None
    cxx = os.environ.get("CXX", "g++")
    try:
        version = subprocess.run([cxx, "--version"], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        _say("no C++ compiler (%s: %s)" % (cxx, e))
        return None
    key = hashlib.sha256(b"\0".join([source, version, " ".join(_NATIVE_FLAGS).encode()]))
    library = os.path.join(folder, "javafloat-" + key.hexdigest()[:16], "lemsc_javafloat_rows.so")
    if os.path.exists(library):
        return library
    built = "%s.%d.tmp" % (library, os.getpid())
    try:
        os.makedirs(os.path.dirname(library), exist_ok=True)
        done = subprocess.run([cxx] + _NATIVE_FLAGS + [_NATIVE_SOURCE, "-o", built],
                              capture_output=True, text=True)
    except OSError as e:
        _say("cannot build it under %s (%s)" % (folder, e))
        return None
    if done.returncode != 0:
        if os.path.exists(built):
            os.remove(built)
        _say("%s could not compile it:\n%s" % (cxx, done.stderr.strip()[-2000:]))
        return None
    os.replace(built, library)
    return library


def use_native_writer(folder):
    """Compiles the C++ row writer under `folder` (once per source and compiler) and has
    write_rows use it for jLEMS's format from now on. False, after saying why on stderr, when
    it cannot be built: write_rows then writes the same text with Python."""
    global _native_write_rows
    library = _compiled_library(folder)
    if library is None:
        return False
    try:
        function = ctypes.CDLL(library).lemsc_write_rows
    except (OSError, AttributeError) as e:
        _say("cannot load %s (%s)" % (library, e))
        return False
    function.restype = ctypes.c_int
    function.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
    _native_write_rows = function
    return True


def _write_rows_natively(path, rows):
    rows = np.ascontiguousarray(np.atleast_2d(np.asarray(rows, dtype=np.float64)))
    if rows.ndim != 2 or rows.size == 0:
        return write_atomically(path, format_rows(rows))
    pending = PendingFile(path)
    try:
        error = _native_write_rows(pending.raw_fd(), rows.ctypes.data, rows.shape[0],
                                   rows.shape[1])
        if error != 0:
            raise OSError(error, os.strerror(error), pending.temp_path)
    except BaseException:
        pending.discard()
        raise
    return pending.finish()


_STYLES = ("jlems", "jneuroml")


def write_rows(path, rows, style="jlems"):
    """Writes a .dat file (format_rows, or format_rows_jneuroml for style "jneuroml") under a
    temporary name, then renames it."""
    if style not in _STYLES:
        raise ValueError("unknown output style %r" % (style,))
    if style == "jlems" and _native_write_rows is not None:
        return _write_rows_natively(path, rows)
    text = format_rows_jneuroml(rows) if style == "jneuroml" else format_rows(rows)
    return write_atomically(path, text)


def write_events(path, times, ids, event_format, style="jlems"):
    """Writes an event file; event_format is the EventOutputFile's TIME_ID or ID_TIME."""
    if event_format not in ("TIME_ID", "ID_TIME"):
        raise ValueError("unknown event file format %r" % (event_format,))
    if style not in _STYLES:
        raise ValueError("unknown output style %r" % (style,))
    format_events_in = format_events_jneuroml if style == "jneuroml" else format_events
    return write_atomically(
        path, format_events_in(times, ids, id_first=event_format == "ID_TIME")
    )
