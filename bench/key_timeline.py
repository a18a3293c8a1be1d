"""What runs between a key and its frame: a per-key timeline of hedgerow driven as a user drives it.

    .venv/bin/python bench/key_timeline.py [--runs 2] [--keys 30] [--slow 20] [--baseline DIR]

Runs hedgerow on the 5 MB / 100,000-annotation bench document under ../shared/tools/tui_timer.py
(tmux, 120x40, Down keys; --baseline DIR runs another checkout in the same rounds), each process
with hooks that log, with times: the input thread reading a key, the key event reaching the app,
every widget refresh (and whether it asks for a layout), messages and timers that took over
0.8 ms, layouts, the compositor's render, the frame handed to the writer thread and its flush,
garbage collections, the loader's waits (tui.core.pacing) and the idle collector. It prints, per
checkout, input -> key event -> frame -> flushed and the UI thread's CPU per key (median / p90 /
max), then the timeline of every key slower than --slow ms from key event to frame.

The hooks patch Textual's internals (8.x) in the measured process only; nothing here is product
code. `key_timeline.py --trace FILE ARGS...` is the hooked `hedgerow ARGS...`, run from the
checkout to measure (its `tui` comes first on the path).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TIMER = ROOT.parent / "shared" / "tools" / "tui_timer.py"
PYTHON = ROOT / ".venv" / "bin" / "python"
Event = tuple[float, str, str, dict[str, Any]]  # (seconds since start, thread, kind, details)


# -- in the measured process ---------------------------------------------------------------------

def trace(out: Path, args: list[str]) -> int:
    sys.path.insert(0, os.getcwd())  # the checkout measured, before the installed one
    import atexit
    import gc
    import signal

    log: list[Event] = []
    start = time.perf_counter()

    def note(kind: str, **details: Any) -> None:
        log.append((time.perf_counter() - start, threading.current_thread().name[:12], kind, details))

    def dump(*_: object) -> None:
        out.write_text(json.dumps(log), encoding="utf-8")

    def dump_and_exit(*_: object) -> None:
        dump()
        os._exit(0)

    atexit.register(dump)
    signal.signal(signal.SIGHUP, dump_and_exit)  # tui_timer ends a run by killing its tmux session
    signal.signal(signal.SIGTERM, dump_and_exit)
    collecting: list[float] = []

    def collector(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[:] = [time.perf_counter()]
        elif collecting:
            note("gc", generation=info["generation"], ms=round((time.perf_counter() - collecting[0]) * 1000, 2))

    gc.callbacks.append(collector)

    from textual import events
    from textual._compositor import Compositor
    from textual.app import App
    from textual.driver import Driver
    from textual.drivers._writer_thread import WriterThread
    from textual.message_pump import MessagePump
    from textual.screen import Screen
    from textual.timer import Timer
    from textual.widget import Widget

    from tui.core import gc_policy, pacing

    def timed(owner: Any, name: str, kind: str) -> None:
        original = getattr(owner, name)

        def hooked(self: Any, *a: Any, **k: Any) -> Any:
            began, cpu = time.perf_counter(), time.thread_time()
            try:
                return original(self, *a, **k)
            finally:
                note(kind, ms=round((time.perf_counter() - began) * 1000, 2),
                     cpu=round((time.thread_time() - cpu) * 1000, 2))

        setattr(owner, name, hooked)

    timed(Screen, "_on_timer_update", "screen update")
    timed(Screen, "_refresh_layout", "layout")
    timed(Compositor, "render_update", "render")

    on_event = App.on_event

    async def app_event(self: App[Any], event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            note("key", key=event.key, tcpu=time.thread_time())
        await on_event(self, event)

    App.on_event = app_event  # type: ignore[method-assign]
    process_message = Driver.process_message

    def driver_message(self: Driver, message: Any) -> None:
        if isinstance(message, events.Key):
            note("input", key=message.key)
        process_message(self, message)

    Driver.process_message = driver_message  # type: ignore[method-assign]
    refresh = Widget.refresh

    def widget_refresh(self: Widget, *regions: Any, **options: Any) -> Widget:
        if self.is_attached and self.app._running:
            note("refresh", widget=type(self).__name__ + (f"#{self.id}" if self.id else ""),
                 layout=bool(options.get("layout")))
        return refresh(self, *regions, **options)

    Widget.refresh = widget_refresh  # type: ignore[method-assign]
    display = App._display

    def app_display(self: App[Any], screen: Any, renderable: Any) -> None:
        display(self, screen, renderable)
        if renderable is not None:
            note("frame", tcpu=time.thread_time())

    App._display = app_display  # type: ignore[method-assign]
    write = WriterThread.write

    def queued(self: WriterThread, text: str) -> None:
        note("queued", chars=len(text))
        write(self, text)

    WriterThread.write = queued  # type: ignore[method-assign]
    writer_init = WriterThread.__init__

    class Flushed:
        def __init__(self, file: Any) -> None:
            self._file = file

        def flush(self) -> None:
            self._file.flush()
            note("flushed")

        def __getattr__(self, name: str) -> Any:
            return getattr(self._file, name)

    def writer(self: WriterThread, file: Any) -> None:
        writer_init(self, Flushed(file))

    WriterThread.__init__ = writer  # type: ignore[method-assign]
    dispatch = MessagePump._dispatch_message

    async def dispatched(self: MessagePump, message: Any) -> Any:
        began, cpu = time.perf_counter(), time.thread_time()
        try:
            return await dispatch(self, message)
        finally:
            took = time.perf_counter() - began
            if took > 0.0008 and not isinstance(message, events.Key):
                note("message", to=type(self).__name__, message=type(message).__name__, ms=round(took * 1000, 2),
                     cpu=round((time.thread_time() - cpu) * 1000, 2))

    MessagePump._dispatch_message = dispatched  # type: ignore[method-assign]
    tick = Timer._tick

    async def ticked(self: Timer, *, next_timer: float, count: int) -> None:
        began = time.perf_counter()
        try:
            await tick(self, next_timer=next_timer, count=count)
        finally:
            took = time.perf_counter() - began
            if took > 0.0008:
                note("timer", name=self.name, ms=round(took * 1000, 2), late=round((began - next_timer) * 1000, 2))

    Timer._tick = ticked  # type: ignore[method-assign]
    pause = pacing.pause

    def loader_pause() -> None:
        began = time.perf_counter()
        pause()
        if time.perf_counter() - began > 0.0005:
            note("loader waited", ms=round((time.perf_counter() - began) * 1000, 2))

    pacing.pause = loader_pause
    collect = gc_policy.collect_while_idle

    def idle_collection() -> bool:
        began = time.perf_counter()
        ran = collect()
        if ran:
            note("idle collection", ms=round((time.perf_counter() - began) * 1000, 2))
        return ran

    gc_policy.collect_while_idle = idle_collection
    for module in list(sys.modules.values()):  # modules that imported the names before the hooks
        name = getattr(module, "__name__", "")
        if name.startswith("tui.") and getattr(module, "pause", None) is pause:
            module.pause = loader_pause  # type: ignore[attr-defined]

    from tui.cli import main as hedgerow

    return hedgerow(args)


# -- the driver ----------------------------------------------------------------------------------

def percentile(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * q // 100) - 1)]


def keys_of(log: list[Event]) -> list[dict[str, Any]]:
    """Per key: its input, event, first frame and flush, and the events between."""
    found = []
    inputs = [i for i, event in enumerate(log) if event[2] == "input"]
    for n, i in enumerate(inputs):
        part = log[i:inputs[n + 1] if n + 1 < len(inputs) else len(log)]
        key = next((e for e in part if e[2] == "key"), None)
        frame = next((e for e in part if e[2] == "frame" and key and e[0] >= key[0]), None)
        if key is None or frame is None:
            continue
        flushed = next((e for e in part if e[2] == "flushed" and e[0] >= frame[0]), frame)
        found.append({"input->key": (key[0] - part[0][0]) * 1000, "key->frame": (frame[0] - key[0]) * 1000,
                      "frame->flushed": (flushed[0] - frame[0]) * 1000,
                      "UI CPU": (frame[3]["tcpu"] - key[3]["tcpu"]) * 1000, "events": part, "at": key[0]})
    return found


def report(name: str, logs: list[list[Event]], slow: float) -> None:
    keys = [key for log in logs for key in keys_of(log)]
    if not keys:
        print(f"{name}: no key was timed")
        return
    print(f"\n{name}: {len(keys)} keys")
    for figure in ("input->key", "key->frame", "frame->flushed", "UI CPU"):
        values = [key[figure] for key in keys]
        print(f"  {figure:15} median {statistics.median(values):6.1f}  p90 {percentile(values, 90):6.1f}  "
              f"max {max(values):6.1f} ms")
    for key in keys:
        if key["key->frame"] > slow:
            print(f"  -- a key {key['key->frame']:.1f} ms to its frame ({key['UI CPU']:.1f} ms of UI CPU):")
            for at, thread, kind, details in key["events"]:
                if (at - key["at"]) * 1000 > key["key->frame"] + 40:
                    break
                shown = {k: v for k, v in details.items() if k != "tcpu"}
                print(f"     {(at - key['at']) * 1000:8.2f} {thread:12} {kind:16} {shown}")


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--trace":
        return trace(Path(sys.argv[2]), sys.argv[3:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2, help="interleaved rounds (default 2)")
    parser.add_argument("--keys", type=int, default=30, help="Down presses per run (default 30)")
    parser.add_argument("--slow", type=float, default=20.0, help="show the timeline of keys slower than this (ms)")
    parser.add_argument("--baseline", type=Path, metavar="DIR", help="another checkout, in the same rounds")
    args = parser.parse_args()
    if not TIMER.is_file():
        print(f"tui_timer is missing ({TIMER}): nothing to measure", file=sys.stderr)
        return 0
    sys.path.insert(0, str(ROOT / "bench"))
    import make_data

    dataset = make_data.ensure(make_data.FULL)
    checkouts = {"hedgerow": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    with tempfile.TemporaryDirectory() as scratch:
        logs: dict[str, list[list[Event]]] = {name: [] for name in checkouts}
        for run in range(args.runs):
            commands = [f"{name}=cd {checkout} && {PYTHON} {Path(__file__).resolve()} --trace "
                        f"{scratch}/{name}-{run}.json {dataset.document} --annotator {make_data.ANNOTATOR}"
                        for name, checkout in checkouts.items()]
            subprocess.run([sys.executable, str(TIMER), "--marker", make_data.MARKER, "--size", "120x40", "--runs", "1",
                            "--keys", str(args.keys), "--key", "Down", "--timeout", "120", "--", *commands],
                           cwd=ROOT, capture_output=True, text=True)
            for name in checkouts:
                path = Path(scratch) / f"{name}-{run}.json"
                if path.is_file():
                    logs[name].append(json.loads(path.read_text(encoding="utf-8")))
    for name, found in logs.items():
        report(name, found, args.slow)
    return 0


if __name__ == "__main__":
    sys.exit(main())
