"""TUI benchmarks: hedgerow on a 5 MB document with 100,000 annotations.

    .venv/bin/python bench/tui_bench.py [--quick] [--snapshot] [--profile auto|always|never]

--snapshot benchmarks a frozen copy of HEAD's tui/ (git archive into bench/data/code-<commit>/, put
first on PYTHONPATH for every process started), so that edits and commits landing during the
~15-minute run do not mix versions; without it the working tree is measured, and the output warns
when HEAD or the changed files differ between the start and the end of the run.

Data comes from bench/make_data.py (bench/data/tui-5mb/, generated once; --quick uses tui-1mb,
1 MB and 20,000 annotations, and fewer runs). The figures:

1. Time to first frame, whole process. /work/shared/tools/tui_timer.py (../shared from the project)
   runs `hedgerow DOC --annotator bench` and bench/trivial_app.py (a minimal Textual app that reads
   the same file and shows its first screenful in a Static) interleaved in tmux at 120x40, and
   reports ms from launch until MARKER (a line near the top of the document, which appears nowhere
   else and in no annotation) is on the screen. Median over --runs rounds; ratio = hedgerow / trivial.
   The same tool sends 20 Down keys per run (the terminal-level key latency, for reference).

2. Keypress -> repaint, in process. A fresh subprocess per run runs `hedgerow open DOC` through the
   CLI's own code (tui.cli's parser and run_open, so a deferred annotation file and gc.freeze()
   happen as in the terminal) with HedgerowApp.run replaced by `run_test(size=(120, 40))` and the
   measurements. First, while a deferred annotation file loads, Down every 50 ms (reported, no
   target). Then, with the annotations in and the background wrap done, each key is sent as Pilot
   does (driver.send_message(Key)), with the app idle before each press. Hooks (this process only):
     * App._dispatch_action on the instance: when the bound action starts and ends;
     * Screen._on_timer_update (the 60 fps frame tick) and App._display on the instance: when a
       frame starts and ends. Headless Textual skips turning the CompositorUpdate into terminal
       escape codes, so the hook does that (render_segments) to charge the frame what a terminal costs.
   latency = key sent -> end of the first frame that started after the action ended, i.e. the
   action, the messages it posted that ran before the frame, the compositor re-rendering the dirty
   lines (render_line) and the escape codes. A screen that has been idle ticks at once (Textual's
   frame timer waits only between consecutive frames), so this has no 0-16.7 ms frame wait in it;
   "all frames" is until the last frame the key caused (e.g. the annotation list following the
   cursor, the footer after a selection starts), which can include a frame wait.
   UI CPU = time.thread_time() of the UI thread over the same span (work, without any waiting).
   `await pilot.press()` is not used for timing: it sleeps in wait_for_idle (>= 2 x 20 ms).

3. Adding one annotation. Select 12 characters, then press 1 (tag 1):
     blocked  = key sent -> end of the first frame after action_tag returned (Session.add, the
                change listeners: view, annotation list, legend, details panel, saver.changed)
     longest stall = the longest time the event loop did not run a 1 ms sleep, from the key until
                the file is saved (a probe task); a save on the UI thread would show here
     save     = Session.save_snapshot in the AutoSaver's worker thread (timed by a wrapper)
     on disk  = key sent -> save_snapshot returned (atomic rename + fsync done); the file is then
                read back to check it holds the new id. Includes the saver's 100 ms coalescing.
     keys during save = Down/Up latency (as in 2) while the worker saves (it shares the GIL).
   PASS when the frame showing the tag was done before the save began (the save is not in the
   blocked time); a second row checks that the UI never stalls more than 100 ms while the worker
   saves (the GIL and the garbage collector are shared: a save can freeze the UI without being on it).

4. Peak memory: VmHWM (peak RSS) of the process tree from tui_timer (hedgerow's CLI: startup and
   keys; includes `sh`, ~1 MiB), and VmHWM of the in-process run (which also tags and saves).

Each in-process run is a fresh process; figures are the median of the runs' medians, worst is the
worst of all presses. Every collection of the garbage collector is timed (gc.callbacks), so slow
presses and stalls can be put down to full (gen 2) collections or not.

On a miss, --profile auto (the default; `always`, `never`; --only-profile startup|keys|tag runs one)
profiles it, each in a fresh process:
  startup/memory: the CLI's own timeline in tmux (hedgerow open with timestamps at each phase, the
      first frames and GC time), each load phase timed alone, cProfile of Session.open + first frame,
      tracemalloc by phase (retained and transient), and Session.save's time and transient memory;
  keys/tag: inclusive time per step from the key to the end of its first frame (class-level timers
      on the action handlers, hedgerow's render_line, Textual's StylesCache.render_widget per widget,
      Compositor.render_update, the escape codes), then cProfile. Raw stats: bench/data/profile-*.prof.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
CODE_ENV = "HEDGEROW_BENCH_CODE"  # set by --snapshot: a folder holding a frozen copy of the tui package
sys.path.insert(0, os.environ.get(CODE_ENV) or str(ROOT))
sys.path.insert(0, str(BENCH))

import make_data  # noqa: E402

TIMER = ROOT.parent / "shared" / "tools" / "tui_timer.py"
PYTHON = ROOT / ".venv" / "bin" / "python"
HEDGEROW = ROOT / ".venv" / "bin" / "hedgerow"
SIZE = (120, 40)
KEYS = ("down", "right", "shift+right", "shift+down")
TARGET_STARTUP_RATIO = 1.5
TARGET_KEY_MS = 12.0
TARGET_RSS_MIB = 120.0
TARGET_STALL_MS = 100.0  # a key pressed while the save runs still answers 'at once'

perf = time.perf_counter


def med(xs):
    return statistics.median(xs) if xs else None


def pct(xs, q):
    return sorted(xs)[max(0, -(-len(xs) * q // 100) - 1)] if xs else None


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def mem() -> dict:
    return {"rss_mib": round(status_kib("VmRSS") / 1024, 1), "hwm_mib": round(status_kib("VmHWM") / 1024, 1)}


# ---------------------------------------------------------------------------------------------
# The in-process worker: one fresh process per run
# ---------------------------------------------------------------------------------------------

def work_project(dataset: make_data.Dataset) -> Path:
    """A scratch copy of the project (hard links: hedgerow saves by rename, so the originals stay)."""
    work = Path(tempfile.mkdtemp(prefix=f"work-{dataset.label}-", dir=make_data.DATA))
    for source in (dataset.project / "hedgerow.toml", dataset.document, dataset.annotations):
        target = work / source.relative_to(dataset.project)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)
    return work


class Probe:
    """Timestamps of actions, frames and event-loop stalls in a running HedgerowApp."""

    def __init__(self, app) -> None:
        from textual._compositor import CompositorUpdate
        from textual.screen import Screen

        self.app = app
        self.actions: list[tuple[str, float, float]] = []  # (name, start, end)
        self.frames: list[tuple[float, float, float]] = []  # (start, end, UI thread CPU at end)
        self.frame_event = asyncio.Event()
        self.tick_start: float | None = None
        self.stalls: list[tuple[float, float]] = []
        self._stall_task: asyncio.Task | None = None
        self.gcs: list[tuple[float, float, int, str]] = []  # (start, end, generation, thread) of each collection
        gc_start: dict[int, float] = {}

        def on_gc(phase, info):
            ident = threading.get_ident()
            if phase == "start":
                gc_start[ident] = perf()
            elif ident in gc_start:
                name = "UI" if ident == self.ui_thread else "worker"
                self.gcs.append((gc_start.pop(ident), perf(), info["generation"], name))

        self.ui_thread = threading.get_ident()
        gc.callbacks.append(on_gc)
        self.acc: dict[str, float] | None = None  # inclusive ms per label, when install_breakdown() ran
        self.frame_acc: list[dict[str, float]] = []

        dispatch = app._dispatch_action

        async def timed_dispatch(namespace, action_name, params):
            start = perf()
            try:
                return await dispatch(namespace, action_name, params)
            finally:
                self.actions.append((action_name, start, perf()))

        app._dispatch_action = timed_dispatch

        display = app._display

        def timed_display(screen, renderable):
            start = self.tick_start if self.tick_start is not None else perf()
            if renderable is not None and isinstance(renderable, CompositorUpdate) and not app._batch_count:
                begin = perf()
                renderable.render_segments(app.console)  # what a terminal driver would write
                if self.acc is not None:
                    self.acc["frame: escape codes (render_segments)"] += (perf() - begin) * 1e3
            display(screen, renderable)
            if renderable is not None:
                self.frames.append((start, perf(), time.thread_time()))
                if self.acc is not None:
                    self.acc["frame: whole (tick)"] += (perf() - start) * 1e3
                    self.frame_acc.append(dict(self.acc))
                self.frame_event.set()

        app._display = timed_display

        if not getattr(Screen, "_bench_patched", False):
            tick = Screen._on_timer_update

            def timed_tick(screen):
                probe = getattr(screen.app, "_bench_probe", None)
                if probe is not None:
                    probe.tick_start = perf()
                try:
                    return tick(screen)
                finally:
                    if probe is not None:
                        probe.tick_start = None

            Screen._on_timer_update = timed_tick
            Screen._bench_patched = True
        app._bench_probe = self

    # -- event-loop stall probe
    def start_stalls(self) -> None:
        async def run():
            while True:
                start = perf()
                await asyncio.sleep(0.001)
                self.stalls.append((start, perf()))

        self.stalls = []
        self._stall_task = asyncio.get_running_loop().create_task(run())

    async def stop_stalls(self) -> None:
        if self._stall_task:
            self._stall_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stall_task
            self._stall_task = None

    def gc_in(self, start: float, end: float, generation: int = 0) -> list[tuple[float, float, int, str]]:
        return [g for g in self.gcs if g[1] > start and g[0] < end and g[2] >= generation]

    def longest_stall(self, start: float, end: float) -> float:
        gaps = [b - a - 0.001 for a, b in self.stalls if a >= start and a <= end]
        return max(gaps, default=0.0)

    # -- keys
    async def quiet(self, screen, quiet_s: float = 0.03, timeout: float = 3.0) -> None:
        """Until the app is idle: no frame for quiet_s, nothing dirty, every message queue empty and the
        event loop answering a 2 ms sleep on time."""
        begin = perf()
        while perf() - begin < timeout:
            last = self.frames[-1][1] if self.frames else 0.0
            busy = screen._dirty_widgets or screen._layout_required or screen._scroll_required \
                or screen._repaint_required
            if not busy and perf() - last >= quiet_s:
                nodes = [self.app, *screen.walk_children(with_self=True)]
                if all(node._message_queue.empty() for node in nodes):
                    t = perf()
                    await asyncio.sleep(0.002)
                    if perf() - t < 0.0035:
                        return
                    continue
            await asyncio.sleep(0.003)

    async def press(self, key: str, *, settle: bool = True) -> dict | None:
        """Send key; return its timings (ms) once the first frame after its action is done."""
        from textual import events

        app = self.app
        char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        n_actions = len(self.actions)
        self.frame_event.clear()
        n_frames = len(self.frames)
        if self.acc is not None:
            self.acc.clear()
        cpu0 = time.thread_time()
        t0 = perf()
        app._driver.send_message(event)
        deadline = t0 + 5
        first = None
        while perf() < deadline:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.frame_event.wait(), timeout=0.05)
            self.frame_event.clear()
            if len(self.actions) > n_actions:
                _, a0, a1 = self.actions[n_actions]
                first = next((f for f in self.frames if f[0] >= a1), None)
                if first:
                    break
        if first is None:
            return None
        if settle:
            await self.quiet(app.screen)
        later = [f for f in self.frames if f[0] >= a1]
        collections = self.gc_in(t0, first[1])
        breakdown = {}
        if self.acc is not None:
            breakdown = self.frame_acc[self.frames.index(first, n_frames) - len(self.frames)] \
                if len(self.frame_acc) == len(self.frames) else {}
        return {"gc_ms": sum(e - b for b, e, _, _ in collections) * 1e3,
                "gc2_ms": sum(e - b for b, e, g, _ in collections if g == 2) * 1e3,
                "ms": (first[1] - t0) * 1e3, "cpu_ms": (first[2] - cpu0) * 1e3,
                "to_action_ms": (a0 - t0) * 1e3, "action_ms": (a1 - a0) * 1e3,
                "wait_ms": (first[0] - a1) * 1e3, "frame_ms": (first[1] - first[0]) * 1e3,
                "all_frames_ms": (later[-1][1] - t0) * 1e3, "frames": len(later), "t0": t0, "t_frame": first[1],
                "action": self.actions[n_actions][0], "breakdown": breakdown}


def install_breakdown(probe: Probe) -> None:
    """Time (inclusive ms, per press up to its first frame) the steps of handling a key and painting it.
    Class-level wrappers: call before the app is built (bound methods are taken at mount)."""
    from collections import defaultdict

    from textual._compositor import Compositor
    from textual._styles_cache import StylesCache
    from textual.screen import Screen

    from tui.app.annotation_list import AnnotationList
    from tui.app.app import HedgerowApp
    from tui.app.document_view import DocumentView
    from tui.app.panels import DocumentPanel, TagLegend
    from tui.app.saver import AutoSaver
    from tui.core.session import Session

    probe.acc = defaultdict(float)
    acc = probe.acc

    def timed(owner, name, label, by_widget=False):
        inner = getattr(owner, name)

        def wrapper(*args, **kwargs):
            begin = perf()
            try:
                return inner(*args, **kwargs)
            finally:
                key = f"{label}[{type(args[1]).__name__}]" if by_widget else label
                acc[key] += (perf() - begin) * 1e3
                acc[key + " calls"] += 1

        setattr(owner, name, wrapper)

    timed(Compositor, "render_update", "frame: compositor.render_update")
    timed(Screen, "_refresh_layout", "frame: screen._refresh_layout (reflow)")
    timed(StylesCache, "render_widget", "frame: styles_cache.render_widget", by_widget=True)
    timed(DocumentView, "render_line", "frame: DocumentView.render_line (hedgerow)")
    timed(DocumentView, "_render_row", "frame: DocumentView._render_row (cache miss)")
    timed(AnnotationList, "render_line", "frame: AnnotationList.render_line (hedgerow)")
    timed(Session, "add", "action: Session.add (incl. listeners)")
    timed(HedgerowApp, "_on_change", "action: app._on_change (listener)")
    timed(DocumentView, "refresh_annotations", "action: view.refresh_annotations")
    timed(AnnotationList, "rebuild", "action: annotation_list.rebuild")
    timed(TagLegend, "refresh_counts", "action: legend.refresh_counts")
    timed(DocumentPanel, "refresh_details", "action: details.refresh_details")
    timed(AutoSaver, "changed", "action: saver.changed")
    timed(HedgerowApp, "notify", "action: app.notify (toast)")
    for name in ("_follow_cursor", "_show_position"):
        if hasattr(HedgerowApp, name):
            timed(HedgerowApp, name, f"handler: app.{name}")


def breakdown_lines(records: list[dict], indent: str = "     ") -> list[str]:
    """Median inclusive ms (and calls) of each timed step over the records."""
    labels = sorted({k for r in records for k in r.get("breakdown", {}) if not k.endswith(" calls")})
    lines = []
    for label in labels:
        values = [r["breakdown"].get(label, 0.0) for r in records]
        calls = [r["breakdown"].get(label + " calls", 0) for r in records]
        count = f"  x{med(calls):g}" if any(calls) else ""
        lines.append(f"{indent}{med(values):7.2f} ms  (max {max(values):7.2f}){count:>8}  {label}")
    return lines


def summarize_presses(records: list[dict]) -> dict:
    out = {"n": len(records)}
    for field in ("ms", "cpu_ms", "to_action_ms", "action_ms", "wait_ms", "frame_ms", "all_frames_ms"):
        values = [r[field] for r in records]
        out[field] = {"med": med(values), "p90": pct(values, 90), "max": max(values, default=None)}
    return out


def run_app(dataset: make_data.Dataset, presses: int, tags: int, profile: str | None) -> dict:
    """Run `hedgerow open DOC` through the CLI's own code (so whatever it does before the app runs,
    e.g. deferring a large annotation file or gc.freeze(), happens as in the terminal), with
    HedgerowApp.run replaced by run_test and the measurements."""
    result: dict = {"mem": {}}
    t_import = perf()
    from tui.app.app import HedgerowApp
    from tui.cli import build_parser
    from tui.core.session import Session

    result["import_ms"] = (perf() - t_import) * 1e3
    result["mem"]["after import"] = mem()
    result["tui_from"] = str(Path(sys.modules["tui"].__file__).parent.relative_to(ROOT))
    open_session = Session.open  # a bound classmethod

    def timed_open(*args, **kwargs):
        begin = perf()
        session = open_session(*args, **kwargs)
        result["open_ms"] = (perf() - begin) * 1e3
        result["deferred"] = not getattr(session, "loaded", True)
        result["mem"]["after Session.open"] = mem()
        return session

    def run(app, *args, **kwargs):
        asyncio.run(drive(app, result, presses, tags, profile))

    work = work_project(dataset)
    Session.open = timed_open
    HedgerowApp.run = run
    try:
        args = build_parser().parse_args(["open", str(work / dataset.document.name),
                                          "--annotator", make_data.ANNOTATOR])
        args.run(args)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["gc_frozen"] = gc.get_freeze_count()
    result["mem"]["end"] = mem()
    result["peak_rss_mib"] = round(status_kib("VmHWM") / 1024, 1)
    return result


async def drive(app, result: dict, presses: int, tags: int, profile: str | None) -> None:
    session = app.session
    probe = Probe(app)
    if profile in ("keys", "tag"):
        install_breakdown(probe)
    t_run = perf()
    async with app.run_test(size=SIZE) as pilot:
        result["first_frame_ms"] = ((probe.frames[0][1] if probe.frames else perf()) - t_run) * 1e3
        result["mem"]["after first frame"] = mem()
        # While a deferred annotation file is read in a worker: Down every 50 ms, and the UI's stalls
        loading: list[dict] = []
        probe.start_stalls()
        t_loading = perf()
        while not getattr(session, "loaded", True) and perf() - t_loading < 60:
            record = await probe.press("down", settle=False)
            if record and not session.loaded:
                loading.append(record)
            await asyncio.sleep(0.05)
        await probe.stop_stalls()
        result["loaded_ms"] = (perf() - t_run) * 1e3
        result["loading_keys_ms"] = [r["ms"] for r in loading]
        result["loading_stall_ms"] = probe.longest_stall(t_loading, perf()) * 1e3 if loading else None
        result["mem"]["annotations in"] = mem()
        view = app.view
        while not view._wraps.complete:
            await asyncio.sleep(0.01)
        result["wrapped_ms"] = (perf() - t_run) * 1e3
        await pilot.pause()
        await probe.quiet(app.screen, 0.1)
        result["mem"]["after wrap"] = mem()
        result["gc_tracked"] = len(gc.get_objects())

        profiler = None
        if profile == "keys":
            result["breakdown_keys"] = {}
            for key in KEYS:  # first without cProfile: the step timings
                await place(app, probe, row=10)
                records = [await probe.press(key) for _ in range(min(presses, 100))]
                records = [r for r in records if r]
                result["breakdown_keys"][key] = {
                    "ms": med([r["ms"] for r in records]), "n": len(records),
                    "lines": breakdown_lines(records)}
            import cProfile
            profiler = cProfile.Profile()
        result["keys"] = {}
        for key in KEYS:
            await place(app, probe, row=10)
            if profiler:
                profiler.enable()
            records = []
            for _ in range(presses):
                record = await probe.press(key)
                if record:
                    records.append(record)
            if profiler:
                profiler.disable()
            result["keys"][key] = {"summary": summarize_presses(records),
                                   "ms": [round(r["ms"], 3) for r in records],
                                   "gc_ms": [round(r["gc_ms"], 3) for r in records],
                                   "gc2_ms": [round(r["gc2_ms"], 3) for r in records]}
        result["mem"]["after keys"] = mem()
        if profiler:
            result["profile_keys"] = profile_text(profiler, 18, "keys", ())

        result["tags"] = []
        for i in range(tags):
            record = await tag_once(app, session, probe, row=12 + 2 * i)
            result["tags"].append(record)
        if profile == "tag":  # the step timings above; now cProfile over two more tags
            result["breakdown_tag"] = breakdown_lines([{"breakdown": t["breakdown"]} for t in result["tags"]])
            import cProfile
            profiler = cProfile.Profile()
            for i in range(2):
                await tag_once(app, session, probe, row=12 + 2 * (tags + i), profiler=profiler)
            result["profile_tag"] = profile_text(profiler, 18, "tag", ())
        result["mem"]["after tagging"] = mem()
        app.exit()


async def place(app, probe: Probe, row: int) -> None:
    """Cursor to the start of visual row `row` (top of the document in view), no selection."""
    view = app.view
    view.scroll_to(0, 0, animate=False)
    view.move_to(view._wraps.row_start(row))
    await probe.quiet(app.screen, 0.05)


async def tag_once(app, session, probe: Probe, row: int, profiler=None) -> dict:
    view = app.view
    view.scroll_to(0, 0, animate=False)
    start = view._wraps.row_start(row) + 2
    app.clear_notifications()  # the last tag's toast would go away in the middle of this one
    view.select(start, start + 12)
    await probe.quiet(app.screen, 0.1)
    saves: list[tuple[float, float, int]] = []
    save_snapshot = session.save_snapshot

    def timed_save(version, annotations, tables=None):
        begin = perf()
        save_snapshot(version, annotations, tables)
        saves.append((begin, perf(), version))

    session.save_snapshot = timed_save
    before = session.version
    changes = []  # not layer.ids() before and after: two sets of 100,000 strings would count in the peak RSS
    session.subscribe(changes.append)
    probe.start_stalls()
    if profiler:
        profiler.enable()
    record = await probe.press("1", settle=False)
    if profiler:
        profiler.disable()
    t0 = record["t0"]
    new_ids = {after.id for change in changes for old, after in change.pairs if old is None and after is not None}
    session._listeners.remove(changes.append)
    during: list[dict] = []
    k = 0
    while not any(v > before for _, _, v in saves):
        if perf() - t0 > 30:
            break
        if saves or app.saver._in_flight:  # the worker is saving: keys must still be quick
            press = await probe.press("down" if k % 2 == 0 else "up", settle=False)
            k += 1
            if press and app.saver._in_flight:
                during.append(press)
            await asyncio.sleep(0.02)
        else:
            await asyncio.sleep(0.001)
    await probe.stop_stalls()
    session.save_snapshot = save_snapshot
    save = next(((b, e) for b, e, v in saves if v > before), None)
    await probe.quiet(app.screen, 0.05)
    on_disk = False
    if save and len(new_ids) == 1:
        on_disk = file_contains(session.store.path, next(iter(new_ids)).encode())
    return {
        "blocked_ms": record["ms"], "action_ms": record["action_ms"], "cpu_ms": record["cpu_ms"],
        "all_frames_ms": record["all_frames_ms"],
        "save_ms": (save[1] - save[0]) * 1e3 if save else None,
        "save_start_ms": (save[0] - t0) * 1e3 if save else None,
        "on_disk_ms": (save[1] - t0) * 1e3 if save else None,
        "frame_before_save": bool(save and record["t_frame"] <= save[0]),
        "longest_stall_ms": probe.longest_stall(t0, save[1] if save else perf()) * 1e3,
        "stall_during_save_ms": probe.longest_stall(save[0], save[1]) * 1e3 if save else None,
        "keys_during_save_ms": [r["ms"] for r in during],
        "gc2_during_save": [((e - b) * 1e3, who)
                            for b, e, g, who in (probe.gc_in(save[0], save[1], 2) if save else [])],
        "gc2_in_blocked": [((e - b) * 1e3, who) for b, e, g, who in probe.gc_in(t0, record["t_frame"], 2)],
        "verified_on_disk": on_disk, "added": len(new_ids), "action": record["action"],
        "breakdown": record.get("breakdown", {}),
    }


def file_contains(path: Path, needle: bytes, chunk: int = 1 << 20) -> bool:
    """Whether the file holds `needle`, read a chunk at a time (the whole 59 MB file would count in the peak RSS)."""
    with path.open("rb") as file:
        tail = b""
        while block := file.read(chunk):
            if needle in tail + block:
                return True
            tail = block[-len(needle):]
    return False


NOT_LOOP = r"^(?!.*(asyncio|selectors|_contextvars|epoll|timer\.py|_callback\.py|message_pump\.py|tui_bench))"


def profile_text(profiler, limit: int, name: str, callees: tuple[str, ...] = ()) -> str:
    """cProfile's top functions (event-loop plumbing left out), and the callees of `callees`.

    The raw stats are kept in bench/data/profile-<name>.prof (python -m pstats FILE to browse)."""
    import io
    import pstats

    profiler.dump_stats(str(make_data.DATA / f"profile-{name}.prof"))
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(NOT_LOOP, limit)
    stats.sort_stats("tottime").print_stats(NOT_LOOP, limit)
    for callee in callees:
        stats.sort_stats("cumulative").print_callees(callee)
    text = shorten_paths(out.getvalue())
    return f"(raw stats: bench/data/profile-{name}.prof)\n" + text


def shorten_paths(text: str) -> str:
    site = str(ROOT / ".venv" / "lib" / "python3.11" / "site-packages") + "/"
    return text.replace(site, "").replace(str(ROOT) + "/", "")


def worker(args) -> int:
    dataset = make_data.QUICK if args.quick else make_data.FULL
    result = run_app(dataset, args.presses, args.tags, args.worker_profile)
    Path(args.worker).write_text(json.dumps(result))
    return 0


# ---------------------------------------------------------------------------------------------
# Profiles (run in fresh subprocesses, on a miss)
# ---------------------------------------------------------------------------------------------

TRACE_CLI = r"""
# Written by bench/tui_bench.py: `hedgerow` (its own main) with timestamps at each phase, run by tui_timer
# in tmux. Only wraps functions; the CLI runs its own code.
import gc, importlib.machinery, json, os, sys, threading, time
perf = time.perf_counter
ticks = os.sysconf("SC_CLK_TCK")
started = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[19]) / ticks
base = perf() - (float(open("/proc/uptime").read().split()[0]) - started)  # perf() at process start (10 ms)
out, argv = sys.argv[1], sys.argv[2:]
marks, seen, live = [("python up, bench code starts", perf())], {}, [False]
gc_time, gc_begin = [0.0, 0.0, 0.0], {}
def on_gc(phase, info):
    if phase == "start":
        gc_begin[threading.get_ident()] = perf()
    elif threading.get_ident() in gc_begin:
        gc_time[info["generation"]] += perf() - gc_begin.pop(threading.get_ident())
gc.callbacks.append(on_gc)
def dump():
    data = {"marks": [(n, (t - base) * 1e3) for n, t in marks], "gc_ms": [g * 1e3 for g in gc_time]}
    with open(out + ".tmp", "w") as f:
        json.dump(data, f)
    os.replace(out + ".tmp", out)
def mark(name):
    seen[name] = seen.get(name, 0) + 1
    where = "" if threading.current_thread() is threading.main_thread() else " [worker thread]"
    marks.append((name + where + ("" if seen[name] == 1 else f" #{seen[name]}"), perf()))
    if live[0]:
        dump()
def wrap(owner, name, label):
    raw = owner.__dict__.get(name)
    if raw is None:
        return
    kind = type(raw) if isinstance(raw, (classmethod, staticmethod)) else None
    inner = raw.__func__ if kind else raw
    def timed(*a, **k):
        mark(label + " start")
        try:
            return inner(*a, **k)
        finally:
            mark(label + " end")
    setattr(owner, name, kind(timed) if kind else timed)
freeze = gc.freeze
def timed_freeze():
    freeze()
    mark(f"gc.freeze() ({gc.get_freeze_count():,} objects frozen)")
gc.freeze = timed_freeze
def patch_app(module):
    App = module.HedgerowApp
    run, display = App.run, App._display
    def timed_run(self, *a, **k):
        mark("HedgerowApp.run()")
        live[0] = True
        dump()
        return run(self, *a, **k)
    frames = [0]
    def timed_display(self, screen, renderable):
        display(self, screen, renderable)
        if renderable is None:
            return
        frames[0] += 1
        if frames[0] <= 3:
            mark(f"frame {frames[0]} written")
        if not seen.get("first frame with the annotations") and getattr(self.session, "loaded", True):
            mark("first frame with the annotations")
    App.run, App._display = timed_run, timed_display
    import tui.app.document_view as document_view
    wrap(document_view.DocumentView, "_rewrap", "DocumentView._rewrap (first chunk)")
class Finder:  # times `import tui.app.app` (Textual) where the CLI does it, and patches the app once loaded
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "tui.app.app":
            return None
        mark("import tui.app.app (Textual) start")
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        execute = spec.loader.exec_module
        def exec_module(module):
            execute(module)
            mark("import tui.app.app (Textual) end")
            patch_app(module)
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, Finder)
import tui.cli
mark("import tui.cli (rich, argparse, commands)")
from tui.core import document, layer, session, store
wrap(document.Document, "load", "Document.load")
wrap(session.Session, "open", "Session.open")
wrap(session.Session, "install", "Session.install")
wrap(store.AnnotationStore, "load", "AnnotationStore.load")
wrap(layer.Layer, "from_rows", "Layer.from_rows()")
sys.exit(tui.cli.main(argv))
"""


def trace_cli(dataset: make_data.Dataset, runs: int) -> list[str]:
    """The CLI's startup timeline in a real terminal (tmux via tui_timer), phase by phase."""
    if not TIMER.is_file():
        return ["(tui_timer missing: no CLI timeline)"]
    script = make_data.DATA / "trace_cli.py"
    script.write_text(TRACE_CLI)
    lines, timelines, markers = [], [], []
    for i in range(runs):
        out = make_data.DATA / f"trace-{i}.json"
        out.unlink(missing_ok=True)
        # Keys keep the process alive (and show when it answers) until a deferred annotation file is in.
        cmd = [sys.executable, str(TIMER), "--marker", make_data.MARKER, "--size", f"{SIZE[0]}x{SIZE[1]}",
               "--runs", "1",
               "--keys", "25", "--key", "Down", "--timeout", "120", "--json", "--",
               f"traced={code_env()}{PYTHON} {script} {out} {dataset.document} --annotator {make_data.ANNOTATOR}"]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
        if proc.returncode == 0 and out.exists():
            timelines.append(json.loads(out.read_text()))
            markers.append(json.loads(proc.stdout)["commands"]["traced"]["summary"]["startup_med"])
        out.unlink(missing_ok=True)
    if not timelines:
        return ["(the traced CLI did not run)"]
    names = {n for t in timelines for n, _ in t["marks"]}
    at = {n: med([dict(t["marks"])[n] for t in timelines if n in dict(t["marks"])]) for n in names}
    lines.append(f"CLI timeline in tmux ({len(timelines)} runs, ms since the process started, median; "
                 f"tui_timer saw the marker at {med(markers):.0f} ms after launch):")
    previous = 0.0
    for name in sorted(names, key=at.get):
        lines.append(f"  {at[name]:8.0f}  (+{at[name] - previous:6.0f})  {name}")
        previous = at[name]
    gcs = [med([t["gc_ms"][g] for t in timelines]) for g in range(3)]
    lines.append(f"  garbage collection up to the last mark: gen0 {gcs[0]:.0f} ms, gen1 {gcs[1]:.0f} ms, "
                 f"gen2 {gcs[2]:.0f} ms")
    return lines


def profile_startup(args) -> int:
    """Startup and memory, through public functions only (the internals change): each load step timed
    alone with its GC time, cProfile of the whole, tracemalloc by step, and Session.save."""
    import tracemalloc

    dataset = make_data.QUICK if args.quick else make_data.FULL
    lines = []
    say = lines.append
    t = perf()
    import textual.app  # noqa: F401
    import_textual = (perf() - t) * 1e3
    t = perf()
    import tui.cli  # noqa: F401
    from tui.app.app import HedgerowApp
    import_app = (perf() - t) * 1e3
    from tui.core import document as document_module
    from tui.core.document import Document
    from tui.core.session import Session, SessionOptions
    from tui.core.store import AnnotationStore

    say(f"imports: textual {import_textual:.0f} ms, then tui.cli + hedgerow's app modules {import_app:.0f} ms")
    gc_ms = [0.0, 0.0, 0.0]
    gc_count = [0, 0, 0]
    began = [0.0]

    def on_gc(phase, info):
        if phase == "start":
            began[0] = perf()
        else:
            gc_ms[info["generation"]] += (perf() - began[0]) * 1e3
            gc_count[info["generation"]] += 1

    def timed(label, fn):
        gc_ms[:] = [0.0, 0.0, 0.0]
        gc_count[:] = [0, 0, 0]
        gc.callbacks.append(on_gc)
        t = perf()
        value = fn()
        total = (perf() - t) * 1e3
        gc.callbacks.remove(on_gc)
        say(f"{label:<32} {total:6.0f} ms, of which garbage collection {sum(gc_ms):4.0f} ms "
            f"(gen0 {gc_count[0]}x {gc_ms[0]:.0f}, gen1 {gc_count[1]}x {gc_ms[1]:.0f}, "
            f"gen2 {gc_count[2]}x {gc_ms[2]:.0f})")
        return value

    path, apath = dataset.document, dataset.annotations
    doc = timed("Document.load", lambda: Document.load(path))
    text = doc.text
    width = 1 if text.isascii() else 4 if any(ord(c) > 0xFFFF for c in set(text)) else 2
    parts = []
    if hasattr(document_module, "normalise") and hasattr(document_module, "decode"):
        raw = document_module.decode(path.read_bytes(), path)
        t = perf()
        document_module.normalise(raw)
        parts.append(f"normalise (CRLF + NFC) {(perf() - t) * 1e3:.0f} ms")
        import unicodedata
        parts.append(f"text already NFC: {unicodedata.is_normalized('NFC', raw)}")
        del raw
    say(f"  {len(text):,} code points, {sys.getsizeof(text) / 2**20:.1f} MiB as a str ({width} bytes per code point); "
        + "; ".join(parts))
    stored = timed("AnnotationStore.load(text)", lambda: AnnotationStore(apath).load(text))
    say(f"  ({len(stored.layer):,} annotations, file {apath.stat().st_size / 1e6:.1f} MB)")
    del stored
    gc.collect()
    session = timed("Session.open (not deferred)",
                    lambda: Session.open(dataset.document, SessionOptions(annotator=make_data.ANNOTATOR)))
    say(f"objects tracked by the GC with the session loaded: {len(gc.get_objects()):,}")
    t = perf()
    gc.collect()
    say(f"one full gc.collect() with the session loaded: {(perf() - t) * 1e3:.0f} ms")
    gc.freeze()
    t = perf()
    gc.collect()
    say(f"the same after gc.freeze(): {(perf() - t) * 1e3:.1f} ms")
    gc.unfreeze()

    async def first_frame(session) -> float:
        app = HedgerowApp(session)
        probe = Probe(app)
        t = perf()
        async with app.run_test(size=SIZE):
            first = (probe.frames[0][1] if probe.frames else perf()) - t
            app.exit()
        return first * 1e3

    say(f"HedgerowApp(loaded session).run_test -> first frame {asyncio.run(first_frame(session)):.0f} ms (headless)")
    del session
    gc.collect()

    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    session = Session.open(dataset.document, SessionOptions(annotator=make_data.ANNOTATOR))
    asyncio.run(first_frame(session))
    profiler.disable()
    del session
    gc.collect()
    say("\ncProfile of Session.open (not deferred) + HedgerowApp first frame (headless, Textual already imported):")
    say(profile_text(profiler, 22, "startup", ("store.py.*load", "layer.py.*__init__")))

    say("memory by step (tracemalloc: the Python heap; retained = still allocated after the step, peak = the highest"
        " during it, both above the start of the step):")
    tracemalloc.start()

    def phase(name, fn):
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        value = fn()
        now, peak = tracemalloc.get_traced_memory()
        say(f"  {name:<40} retained {(now - base) / 2**20:7.1f} MiB   peak {(peak - base) / 2**20:7.1f} MiB")
        return value

    document = phase("Document.load", lambda: Document.load(dataset.document))
    stored = phase("AnnotationStore.load(text)", lambda: AnnotationStore(apath).load(document.text))
    rows = stored.layer.rows_in_key_order()[0]
    names = ("starts", "ends", "keys", "ids", "created_times", "modified_times", "extras")
    columns = {name: getattr(rows, name) for name in names}
    columns.update({name: getattr(rows, name).codes for name in ("tags", "documents", "annotators")})
    say("  the rows' columns: " + ", ".join(f"{name} {sys.getsizeof(c) / 2**20:.1f}" for name, c in columns.items())
        + f" MiB; {sum(e is not None for e in rows.extras):,} rows with extras"
        + " (notes, or what the text no longer says)")
    snapshot = tracemalloc.take_snapshot()
    say("  largest allocation sites still alive (by line):")
    for stat in snapshot.statistics("lineno")[:8]:
        frame = stat.traceback[0]
        where = f"{shorten_paths(frame.filename)}:{frame.lineno}"
        say(f"    {stat.size / 2**20:7.1f} MiB  {stat.count:>9,} blocks  {where}")
    del snapshot
    del stored, rows, columns
    session = Session.open(dataset.document, SessionOptions(annotator=make_data.ANNOTATOR))
    session.store = AnnotationStore(make_data.DATA / "profile-save.json")  # a copy: the data stays as made
    t = perf()
    phase("Session.save (of the loaded session)", session.save)
    say(f"  Session.save took {(perf() - t) * 1e3:.0f} ms (tracemalloc on; see section 3 for the real figure)")
    (make_data.DATA / "profile-save.json").unlink(missing_ok=True)
    tracemalloc.stop()
    print("\n".join(lines))
    return 0


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------

def run_timer(dataset: make_data.Dataset, runs: int) -> dict | None:
    if not TIMER.is_file():
        return None
    doc = dataset.document
    marker = make_data.MARKER
    commands = [f"trivial={PYTHON} {BENCH / 'trivial_app.py'} {doc}",
                f"hedgerow={hedgerow_command()} {doc} --annotator {make_data.ANNOTATOR}"]
    cmd = [sys.executable, str(TIMER), "--marker", marker, "--size", f"{SIZE[0]}x{SIZE[1]}", "--runs", str(runs),
           "--keys", "20", "--key", "Down", "--timeout", "120", "--json", "--", *commands]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        raise SystemExit("tui_timer failed")
    for line in proc.stderr.splitlines():
        print("  " + line, file=sys.stderr)
    return json.loads(proc.stdout)


def run_worker(args, profile: str | None = None) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", dir=make_data.DATA, delete=False) as handle:
        out = Path(handle.name)
    try:
        cmd = [str(PYTHON), __file__, "--worker", str(out), "--presses", str(args.presses), "--tags", str(args.tags)]
        cmd += ["--quick"] if args.quick else []
        cmd += ["--worker-profile", profile] if profile else []
        subprocess.run(cmd, check=True, cwd=ROOT)
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


def f1(x, unit=" ms"):
    return "-" if x is None else f"{x:.1f}{unit}"


def print_profiles(args, dataset: make_data.Dataset, *want: str) -> int:
    want = set(want)
    if want & {"1.", "4."}:
        print("\n--- profile: startup and memory " + "-" * 60, flush=True)
        print("\n".join(trace_cli(dataset, 3)), flush=True)
        cmd = [str(PYTHON), __file__, "--profile-startup"] + (["--quick"] if args.quick else [])
        subprocess.run(cmd, check=True, cwd=ROOT)
    if "2." in want:
        print("\n--- profile: keys " + "-" * 75)
        result = run_worker(args, "keys")
        for key, info in result["breakdown_keys"].items():
            print(f"{key}: median {info['ms']:.2f} ms over {info['n']} presses; median inclusive ms per step, from the "
                  f"key to the end of its first frame (nested: render_widget includes the render_line inside it):")
            print("\n".join(info["lines"]))
        print("\ncProfile over all presses of one run (times inflated by the profiler; GC pauses are charged to"
              " whatever function allocated when a collection started):")
        print(result["profile_keys"])
    if "3." in want:
        print("\n--- profile: tagging " + "-" * 72)
        result = run_worker(args, "tag")
        print(f"median inclusive ms per step over {args.tags} tags, from the key to the end of its first frame:")
        print("\n".join(result["breakdown_tag"]))
        print("\ncProfile of two more tag key presses (UI thread, until the first frame; inflated by the profiler):")
        print(result["profile_tag"])
    return 0


def code_env() -> str:
    """The shell prefix that makes a command use the frozen copy (--snapshot), or nothing."""
    code = os.environ.get(CODE_ENV)
    return f"PYTHONPATH={code} " if code else ""


def hedgerow_command() -> str:
    """`hedgerow` (the console script), or the same entry point on the frozen copy."""
    # -P: `-m` would otherwise put the current directory (the working tree) ahead of PYTHONPATH.
    return f"{code_env()}{PYTHON} -P -m tui" if os.environ.get(CODE_ENV) else str(HEDGEROW)


def freeze_code() -> str:
    """Extract HEAD's tui/ into bench/data/code-<commit>/ (git archive: read-only) and use it from now on."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                          check=True).stdout.strip()
    folder = make_data.DATA / f"code-{head}"
    if not (folder / "tui" / "cli.py").is_file():
        folder.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", "HEAD", "tui"], capture_output=True, cwd=ROOT,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    os.environ[CODE_ENV] = str(folder)
    os.environ["PYTHONPATH"] = str(folder) + (os.pathsep + os.environ["PYTHONPATH"] if os.environ.get("PYTHONPATH")
                                              else "")
    return f"frozen copy of HEAD {head} in {folder.relative_to(ROOT)} (commits landing during the run do not count)"


def compile_code() -> None:
    """Byte-compile the tui package measured, as an installed package is (Textual's is).

    An editable install compiles nothing, and with PYTHONDONTWRITEBYTECODE set (as on the
    machine these figures come from) every start would compile ~30 modules (~50 ms) that the
    trivial app, using only Textual's compiled files, never pays for.
    """
    folder = Path(os.environ.get(CODE_ENV) or ROOT) / "tui"
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(folder)], check=True)


def code_version() -> str:
    """HEAD and the files changed outside bench/ (read-only git commands)."""
    if os.environ.get(CODE_ENV):
        return f"frozen copy {Path(os.environ[CODE_ENV]).name}"
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                              timeout=10).stdout.strip()
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                                text=True, cwd=ROOT, timeout=10).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    dirty = sorted(line[3:] for line in status if not line[3:].startswith("bench/"))
    return f"HEAD {head}" + (f" + uncommitted changes in {', '.join(dirty)}" if dirty else "")


def print_rows(rows: list[tuple[str, str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print(f"\n{'figure':<{width}}  {'value':<{vwidth}}  {'target':<18} result")
    for figure, value, target, result in rows:
        print(f"{figure:<{width}}  {value:<{vwidth}}  {target:<18} {result}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 MB / 20,000 annotations, fewer runs and presses")
    parser.add_argument("--runs", type=int, help="tui_timer rounds (default 5, quick 3)")
    parser.add_argument("--inproc-runs", type=int, help="in-process runs, each a fresh process (default 3, quick 1)")
    parser.add_argument("--presses", type=int, help="presses per key per run (default 200, quick 60)")
    parser.add_argument("--tags", type=int, help="annotations added per run (default 5, quick 3)")
    parser.add_argument("--profile", choices=("auto", "always", "never"), default="auto")
    parser.add_argument("--only-profile", choices=("startup", "keys", "tag"), help="run just this profile")
    parser.add_argument("--snapshot", action="store_true",
                        help="benchmark a frozen copy of HEAD's tui/ (git archive), not the working tree, so that "
                             "edits and commits made during the run do not mix versions")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--worker-profile", help=argparse.SUPPRESS)
    parser.add_argument("--profile-startup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.runs = args.runs or (3 if args.quick else 5)
    args.inproc_runs = args.inproc_runs or (1 if args.quick else 3)
    args.presses = args.presses or (60 if args.quick else 200)
    args.tags = args.tags or (3 if args.quick else 5)
    if args.worker:
        return worker(args)
    if args.profile_startup:
        return profile_startup(args)

    frozen = freeze_code() if args.snapshot else None
    compile_code()
    dataset = make_data.ensure(make_data.QUICK if args.quick else make_data.FULL)
    if args.only_profile:
        return print_profiles(args, dataset, {"startup": "1.", "keys": "2.", "tag": "3."}[args.only_profile])
    doc_chars = len(dataset.document.read_text(encoding="utf-8"))
    document_mb, file_mb = dataset.document.stat().st_size / 1e6, dataset.annotations.stat().st_size / 1e6
    print(f"hedgerow TUI benchmarks: {dataset.document.relative_to(ROOT)} ({document_mb:.1f} MB,"
          f" {doc_chars:,} chars), {dataset.count:,} annotations ({file_mb:.1f} MB file),"
          f" {SIZE[0]}x{SIZE[1]}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.2f}")

    code_at_start = code_version()
    print(f"code: {frozen or code_at_start}")
    rows: list[tuple[str, str, str, str]] = []  # figure, value, target, result

    # 1. startup (and RSS) through tmux
    print(f"\n[1] tui_timer: {args.runs} interleaved rounds ...", file=sys.stderr)
    timer = run_timer(dataset, args.runs)
    timer_rss = None
    if timer is None:
        print(f"\n1. time to first frame: SKIPPED, {TIMER} is missing")
    else:
        s_triv = timer["commands"]["trivial"]["summary"]
        s_hedge = timer["commands"]["hedgerow"]["summary"]
        print(f"\n1. whole-process time to first frame (tui_timer, marker {make_data.MARKER!r}, {args.runs} rounds, "
              f"median [min-max])")
        for name, s in (("trivial", s_triv), ("hedgerow", s_hedge)):
            print(f"   {name:<9} {f1(s['startup_med'])} [{f1(s['startup_min'])} - {f1(s['startup_max'])}]   "
                  f"Down key: 1st {f1(s['key1_med'])}, median {f1(s['key_med'])}, p90 {f1(s['key_p90'])}, "
                  f"max {f1(s['key_max'])} (n={s['key_n']}, t/o {s['key_timeouts']})   peak RSS "
                  f"{f1(s['peak_rss_mib'], ' MiB')}   ok {s['ok_runs']}/{s['runs']}")
        capture = timer["capture_ms"]["median"]
        print(f"   capture round trip median {capture:.2f} ms; poll 5 ms (times are upper bounds)")
        for name in ("trivial", "hedgerow"):
            for i, run in enumerate(timer["commands"][name]["runs"]):
                if run["error"]:
                    print(f"   {name} run {i + 1} FAILED: {run['error']}" +
                          "".join("\n     | " + line for line in run.get("screen", [])))
        if s_hedge["startup_med"] is None or s_triv["startup_med"] is None:
            rows.append(("1. time to first frame, hedgerow / trivial", "no successful run",
                         f"<= {TARGET_STARTUP_RATIO}x",
                         "FAIL"))
        else:
            ratio = s_hedge["startup_med"] / s_triv["startup_med"]
            rows.append(("1. time to first frame, hedgerow / trivial",
                         f"{ratio:.2f}x ({s_hedge['startup_med']:.0f} / {s_triv['startup_med']:.0f} ms)",
                         f"<= {TARGET_STARTUP_RATIO}x", "PASS" if ratio <= TARGET_STARTUP_RATIO else "MISS"))
        timer_rss = s_hedge["peak_rss_mib"]

    # 2-4. in process
    print(f"[2-4] in-process: {args.inproc_runs} run(s) x {args.presses} presses per key, {args.tags} tags ...",
          file=sys.stderr)
    try:
        runs = [run_worker(args) for _ in range(args.inproc_runs)]
    except subprocess.CalledProcessError as error:
        print(f"\n2-4. the in-process run FAILED (exit status {error.returncode}; its traceback is above)")
        rows.append(("2-4. in-process figures", "the run failed", "", "FAIL"))
        print_rows(rows)
        return 1
    def mr(field):
        values = [r[field] for r in runs if r.get(field) is not None]
        return med(values)

    deferred = any(r.get("deferred") for r in runs)
    print(f"\n   in-process (`hedgerow open` code path, {runs[0]['tui_from']}/, run_test; median of {len(runs)}): "
          f"import tui.cli + app "
          f"{mr('import_ms'):.0f} ms, Session.open {mr('open_ms'):.0f} ms"
          f"{' (annotation file deferred to a worker)' if deferred else ''}, run_test -> first frame "
          f"{mr('first_frame_ms'):.0f} ms, annotations in at {mr('loaded_ms'):.0f} ms, background wrap done at "
          f"{mr('wrapped_ms'):.0f} ms; objects tracked by the GC then {mr('gc_tracked'):,.0f}, frozen "
          f"{mr('gc_frozen'):,.0f}")
    loading = [x for r in runs for x in r.get("loading_keys_ms", [])]
    if loading:
        stalls = [r["loading_stall_ms"] for r in runs if r.get("loading_stall_ms") is not None]
        print(f"   while the annotations load: Down -> frame median {med(loading):.1f} ms, max {max(loading):.1f} ms "
              f"(n={len(loading)}); longest UI stall {max(stalls):.0f} ms")
    print(f"\n2. keypress -> repaint, in process ({len(runs)} runs x {args.presses} presses; ms;"
          " med = median of the runs'"
          f" medians, p90/max over all presses)")
    print(f"   {'key':<12}{'med':>7}{'p90':>7}{'max':>8}  {'UI CPU':>7}  {'->action':>8}{'action':>7}{'wait':>6}"
          f"{'frame':>7}  {'all frames med/max':>19}")
    key_verdicts = []
    for key in KEYS:
        per_run = [r["keys"][key] for r in runs]
        all_ms = [x for p in per_run for x in p["ms"]]
        def m(field, stat="med", per_run=per_run):
            return med([p["summary"][field][stat] for p in per_run])
        median = m("ms")
        worst = max(all_ms)
        print(f"   {key:<12}{median:7.2f}{pct(all_ms, 90):7.2f}{worst:8.2f}  {m('cpu_ms'):7.2f}"
              f"  {m('to_action_ms'):8.2f}"
              f"{m('action_ms'):7.2f}{m('wait_ms'):6.2f}{m('frame_ms'):7.2f}  "
              f"{m('all_frames_ms'):9.2f} / {max(p['summary']['all_frames_ms']['max'] for p in per_run):7.2f}")
        verdict = "PASS" if median <= TARGET_KEY_MS else "MISS"
        key_verdicts.append(verdict)
        rows.append((f"2. {key} -> repaint (median; worst)", f"{median:.2f} ms; {worst:.1f} ms",
                     f"median <= {TARGET_KEY_MS:.0f} ms", verdict))
    slow = [(ms, g2) for r in runs for key in KEYS
            for ms, g2 in zip(r["keys"][key]["ms"], r["keys"][key]["gc2_ms"], strict=True)
            if ms > 50]
    total = sum(len(r["keys"][key]["ms"]) for r in runs for key in KEYS)
    gen2 = [g2 for r in runs for key in KEYS for g2 in r["keys"][key]["gc2_ms"] if g2 > 0]
    print(f"   presses over 50 ms: {len(slow)} of {total}; {sum(1 for _, g2 in slow if g2 > 0)} of them had a full"
          f" (gen 2) garbage collection in them; gen 2 pauses inside presses: {len(gen2)}, median "
          f"{f1(med(gen2))}, max {f1(max(gen2, default=None))}")
    print("   (med/p90/max: key sent -> first frame after the action is painted; UI CPU: thread CPU over that span;"
          " ->action: queue+bindings; action: the action method; wait: action end -> frame start; frame: compositor"
          " render + escape codes)")

    # 3. tagging
    tags = [t for r in runs for t in r["tags"]]
    print(f"\n3. add one annotation ({len(tags)} tags: select 12 chars, press 1; ms, median [max])")
    def mt(field):
        values = [t[field] for t in tags if t[field] is not None]
        return f"{med(values):.1f} [{max(values):.1f}]" if values else "-"
    print(f"   UI blocked (key -> frame showing it)  {mt('blocked_ms')}   of which action_tag {mt('action_ms')}, "
          f"UI CPU {mt('cpu_ms')};  until the last frame {mt('all_frames_ms')}")
    print(f"   save in worker thread                 {mt('save_ms')}   starts {mt('save_start_ms')} after the key")
    print(f"   key -> on disk                        {mt('on_disk_ms')}   (includes the saver's 100 ms coalescing)")
    print(f"   longest UI stall key -> on disk       {mt('longest_stall_ms')}   during the save itself "
          f"{mt('stall_during_save_ms')}")
    during = [x for t in tags for x in t["keys_during_save_ms"]]
    if during:
        print(f"   Down/Up while the save runs           median {med(during):.1f}, max {max(during):.1f} "
              f"(n={len(during)}; the worker holds the GIL in turns)")
    g2_save = [ms for t in tags for ms, _ in t["gc2_during_save"]]
    g2_who = sorted({who for t in tags for _, who in t["gc2_during_save"]})
    g2_blocked = [ms for t in tags for ms, _ in t["gc2_in_blocked"]]
    print(f"   full (gen 2) GCs during the saves: {len(g2_save)} in {len(tags)} saves, median {f1(med(g2_save))}, max "
          f"{f1(max(g2_save, default=None))} (run by the {'/'.join(g2_who) or '-'} thread; every thread waits for them)"
          f"; inside the UI-blocked spans: {len(g2_blocked)} (max {f1(max(g2_blocked, default=None))})")
    ok_disk = all(t["verified_on_disk"] for t in tags)
    print(f"   file holds each new annotation: {'yes' if ok_disk else 'NO'}; frame done before the save began: "
          f"{sum(t['frame_before_save'] for t in tags)}/{len(tags)}")
    blocked = med([t["blocked_ms"] for t in tags])
    save_ms = med([t["save_ms"] for t in tags if t["save_ms"] is not None]) or 0
    stall = max((t["stall_during_save_ms"] or 0) for t in tags)
    tag_ok = ok_disk and all(t["frame_before_save"] for t in tags) and blocked < save_ms
    rows.append(("3. tag: UI blocked / on disk (median)",
                 f"{blocked:.1f} ms / {med([t['on_disk_ms'] for t in tags]):.0f} ms"
                 f" (save {save_ms:.0f} ms in a thread)",
                 "save not in blocked", "PASS" if tag_ok else "MISS"))
    rows.append(("3. tag: longest UI stall during the saves", f"{stall:.1f} ms ({len(g2_save)} full GCs, max "
                 f"{f1(max(g2_save, default=None))})", f"<= {TARGET_STALL_MS:.0f} ms",
                 "PASS" if stall <= TARGET_STALL_MS else "MISS"))

    # 4. memory
    inproc_rss = max(r["peak_rss_mib"] for r in runs)
    print(f"\n4. peak RSS: tui_timer (CLI, startup + keys) {f1(timer_rss, ' MiB')}; in-process run (incl. tagging and"
          f" saving) {inproc_rss:.1f} MiB")
    phases = runs[0]["mem"]
    print("   in-process VmRSS / VmHWM by phase (first run): " +
          "; ".join(f"{k} {v['rss_mib']:.0f}/{v['hwm_mib']:.0f}" for k, v in phases.items()))
    if timer_rss is not None:
        rows.append(("4. peak RSS, hedgerow CLI (tui_timer)", f"{timer_rss:.1f} MiB", f"<= {TARGET_RSS_MIB:.0f} MiB",
                     "PASS" if timer_rss <= TARGET_RSS_MIB else "MISS"))
    rows.append(("4. peak RSS, in-process incl. saves", f"{inproc_rss:.1f} MiB", f"<= {TARGET_RSS_MIB:.0f} MiB",
                 "PASS" if inproc_rss <= TARGET_RSS_MIB else "MISS"))

    print_rows(rows)
    if code_version() != code_at_start:
        print(f"WARNING: the code changed during the run (now {code_version()}); the figures mix versions")

    # profiles
    missed = {r[0][:2] for r in rows if r[3] in ("MISS", "FAIL")}
    want = {"1.", "2.", "3.", "4."} if args.profile == "always" else missed if args.profile == "auto" else set()
    print_profiles(args, dataset, *want)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
