"""Run a Textual program headless until its first frame, then print what it cost, as JSON.

    .venv/bin/python bench/first_frame.py trivial FILE
    .venv/bin/python bench/first_frame.py hedgerow ARG...      (as `hedgerow ARG...`, from the cwd)

The first frame is the first screen update Textual renders (App._display) on the screen that
matters: any screen for the trivial app, the documents screen with its rows for hedgerow, or the
document's screen for `hedgerow DOC`. It prints
{"cpu": s, "wall": s, "modules": n}: the process's CPU time since it started (interpreter start-up
and every thread included) and the wall time since the epoch second given in HEDGEROW_BENCH_T0
(set by the parent just before it starts the process). CPU time barely moves with the machine's
load, unlike wall time: corpus_bench.py compares both, side by side with the trivial app.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    which, args = sys.argv[1], sys.argv[2:]
    started = float(os.environ.get("HEDGEROW_BENCH_T0", time.time()))
    from textual.app import App

    def report() -> None:
        print(json.dumps({"cpu": time.process_time(), "wall": time.time() - started, "modules": len(sys.modules),
                          "cpu at app": constructed[0]}), flush=True)
        os._exit(0)  # now: not after the corpus's worker or Textual's shutdown

    def shown(screen: Any) -> bool:
        if which == "trivial":
            return True
        if type(screen).__name__ != "DocumentsScreen" and screen.is_attached and screen.query("DocumentView"):
            return True  # `hedgerow DOC`: the document's screen
        rows = getattr(getattr(screen, "document_list", None), "rows", None) if screen.is_attached else None
        return type(screen).__name__ == "DocumentsScreen" and bool(rows)

    display = App._display
    constructed = [0.0]
    init = App.__init__

    def __init__(self: App[Any], *a: Any, **k: Any) -> None:
        constructed[0] = constructed[0] or time.process_time()  # the imports are done: the app starts
        init(self, *a, **k)

    App.__init__ = __init__  # type: ignore[method-assign]

    def _display(self: App[Any], screen: Any, renderable: Any) -> None:
        display(self, screen, renderable)
        if renderable is not None and shown(screen):
            report()

    App._display = _display  # type: ignore[method-assign]
    run = App.run

    def headless_run(self: App[Any], *a: Any, **k: Any) -> Any:
        return run(self, *a, **{**k, "headless": True, "size": (120, 40)})

    App.run = headless_run  # type: ignore[method-assign]
    if which == "trivial":
        sys.path.insert(0, str(ROOT / "bench"))
        from trivial_app import TrivialApp

        TrivialApp(args[0]).run()
    else:
        import tui.commands.documents
        from tui.cli import main as hedgerow

        tui.commands.documents.need_terminal = lambda command: None  # stdout is the pipe to the bench
        hedgerow(args)
    print(json.dumps({"error": "no first frame"}), flush=True)


if __name__ == "__main__":
    main()
