"""The checkers in ../shared/tools (w3c_validate.py, qdpx_validate.py), run inside the test process.

Each is a script with a `main`. Run as a subprocess, every check paid a Python start and the import
of jsonschema or xmlschema again: ~0.5 s of CPU a check, ~7 s of a test run. Here each script is
loaded once per worker and its `main` called with the same arguments, so the same code checks the
same file, and its exit code and output come back as the CompletedProcess subprocess.run gave.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import io
import subprocess
import sys
from pathlib import Path
from types import ModuleType


@functools.cache
def _load(script: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"shared_tools_{script.stem}", script)
    assert spec is not None and spec.loader is not None, script
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """What `python SCRIPT ARGS...` exits with and prints, run in this process."""
    main = _load(script).main
    out, err = io.StringIO(), io.StringIO()
    argv, sys.argv = sys.argv, [str(script), *args]  # a main that parses sys.argv (qdpx_validate)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args)) if main.__code__.co_argcount else main()
            except SystemExit as exit_:
                status = exit_.code
    finally:
        sys.argv = argv
    if status is None:
        code = 0
    elif isinstance(status, int):
        code = status
    else:  # sys.exit("message"): Python prints it and exits 1
        err.write(f"{status}\n")
        code = 1
    return subprocess.CompletedProcess([sys.executable, str(script), *args], code, out.getvalue(), err.getvalue())
