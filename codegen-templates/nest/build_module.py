# Builds a NESTML module against the NEST of this Python (the PyPI wheel nest-simulator 3.10),
# for lemsc's NEST target:  python build_module.py MODELS_DIR WORK_DIR MODULE_NAME
#
# The wheel's own bin/nest-config names its build machine's paths, so NESTML is pointed at a
# small nest-config written here that answers from the installed package. The wheel uses the
# old libstdc++ string ABI: a module built without -D_GLIBCXX_USE_CXX11_ABI=0 "could not be
# opened". The kernel's symbols come from the already-loaded PyNEST, so no library is linked.
# The module ends up in WORK_DIR/install/MODULE_NAME.so.

import os
import stat
import sys

models, work, module = sys.argv[1], sys.argv[2], sys.argv[3]

import nest  # noqa: E402

package = os.path.dirname(os.path.abspath(nest.__file__))
shim = os.path.join(work, "nest-config-shim")
os.makedirs(os.path.join(shim, "bin"), exist_ok=True)
answers = {
    "--prefix": package,
    "--includes": "-I" + os.path.join(package, "include", "nest"),
    "--cflags": "-Wall -fopenmp -O2 -DNDEBUG -std=c++20 -D_GLIBCXX_USE_CXX11_ABI=0",
    "--libs": "",
    "--compiler": "g++",
    "--static-libraries": "OFF",
    "--libdir": "lib",
    "--version": nest.__version__ if hasattr(nest, "__version__") else "3.10.0",
}
lines = ["#!/bin/sh", 'case "$1" in']
for key, value in answers.items():
    lines.append("  %s) echo '%s' ;;" % (key, value.replace("'", "")))
lines += ["  *) echo '' ;;", "esac", ""]
config = os.path.join(shim, "bin", "nest-config")
with open(config, "w") as f:
    f.write("\n".join(lines))
os.chmod(config, os.stat(config).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

from pynestml.frontend.pynestml_frontend import generate_nest_target  # noqa: E402

generate_nest_target(
    input_path=models,
    target_path=os.path.join(work, "build"),
    install_path=os.path.join(work, "install"),
    module_name=module,
    logging_level="WARNING",
    # One compiler process: tests build two modules at a time on two cores.
    codegen_opts={"nest_path": shim, "max_n_compiler_processes": 1},
)
# NESTML leaves out a model it cannot generate and still builds the others.
missing = [name[: -len(".nestml")] for name in sorted(os.listdir(models))
           if name.endswith(".nestml")
           and not os.path.exists(os.path.join(work, "build", name[: -len(".nestml")] + ".cpp"))]
if missing:
    sys.exit("NESTML did not generate " + ", ".join(missing) + " (see the messages above)")
if not os.path.exists(os.path.join(work, "install", module + ".so")):
    sys.exit("NESTML finished but did not install " + module + ".so")
