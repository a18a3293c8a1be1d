"""The one garbage-collector policy. Only entry points call it: `tui.cli.main` (every command), the
TUI commands' start, the TUI's first frame, its idle timer, the TUI when a deferred annotation file
arrives, and the TUI's brief (`B`).
Nothing else in hedgerow touches `gc`, and no worker thread does (the collector is global: a worker
that switched it off switched it off for the UI thread too).

hedgerow's data holds no reference cycles (annotation rows, records, candidate tuples), so the
cyclic collector frees nothing among them; it only walks them. What was measured:
  * A command that loads and exits (list, export, check, agree, show...): with the collector on,
    walking every new record cost about a third of a 100,000-annotation load, and building review
    candidates makes hundreds of thousands of small tuples. `batch()`: off for the whole command.
  * A TUI: while starting (the annotations and Textual's modules loading) the collector walked the
    growing heap over and over (~10 ms) to find nothing; then, with Python's default threshold
    (700), a full collection landed in about 1 of 14 key presses while moving through a 5 MB
    document, pausing 12-50 ms. `starting_a_tui()`: off while starting, then what was loaded is
    frozen (full collections never walk it again) and gen-0 collections wait for 10,000 new objects.
    With that, loading 100,000 annotations in a worker and saving them ran no collection at all.
  * Leaving the start: what it made is frozen *before* the collector comes back on (else its first
    run, a generation-1 one since the counts grew while it was off, walked everything Textual's
    import made: ~116 ms before the first frame). `hedgerow DOC` keeps it off through the app's
    first frame too (`starting_a_tui(until_shown=True)`, then the app calls `shown()`): building
    the screen set off gen-0 runs of 12-17 ms.
  * Between keys: Textual makes cycles as it draws (~4,000 of ~11,000 young objects were garbage),
    so collections do run, a few ms each, and one landed in about one key press in six. The TUI
    runs the collection that is due (`collect_while_idle`) on a timer while the user is still
    (tui.core.pacing), so the automatic ones rarely come during a key.
  * A deferred annotation file (read in a worker after the first frame): its columns are long
    lists that a full collection walks item by item (~8 ms); `keep_loaded()` freezes them.
  * The brief, built on the UI thread: for 100,000 annotations and 50,000 links it makes about
    250,000 small objects (spans, commitments) and no cycle; with the collector on (even at the
    TUI's threshold) it took 1.8 s of CPU against 1.1 s without. `kept()` around the build: off
    inside, and the result frozen, not walked by the first collection after (0.3 s more). Built
    as columns since (tui.core.brief), it makes 35 such objects, the rest as the screen draws them.

The same start sets the interpreter's other global knob for a TUI, its thread switch interval:
while a worker computes (the deferred load, a save, re-anchoring), every time the UI thread
wakes up (a key, a frame written) it waits for the GIL until the worker is made to let go, 5 ms
by default and several times per key. At 1 ms the first key after the text shows, while the
100,000 annotations load, answered in 19 ms instead of 44 (tui_timer, medians of 3 interleaved
runs); a thread alone is never interrupted, so work without a rival costs nothing more.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

TUI_GEN0_THRESHOLD = 10_000  # objects made before a collection runs in a TUI (Python's default: 700)
IDLE_MINIMUM = 1_000  # new objects that make a collection worth running while the user is still
TUI_SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL while another waits (default 0.005)

_lock = threading.Lock()
_pauses = 0
_was_enabled = True
_held = False  # starting_a_tui(until_shown=True) holds a pause until shown()


@contextmanager
def paused() -> Iterator[None]:
    """No collections inside; nests, and the collector comes back (if it was on) when the outermost ends."""
    _pause()
    try:
        yield
    finally:
        _resume()


@contextmanager
def kept() -> Iterator[None]:
    """Around building something that lives on and holds no cycle (the TUI's brief): no collection
    inside, and what it made is frozen before the collector comes back. With `paused()` alone the
    first collection after it (its ~250,000 spans and commitments were all young) walked every one
    of them: ~0.3 s on the UI thread as the brief opened, a quarter of the brief's time. The young
    generation is collected first, so that Textual's garbage from before is not frozen with it."""
    if gc.isenabled():
        gc.collect(0)
    with paused():
        yield
        keep_loaded()


def _pause() -> None:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1


def _resume() -> None:
    global _pauses
    with _lock:
        _pauses -= 1
        if _pauses == 0 and _was_enabled:
            gc.enable()


@contextmanager
def batch() -> Iterator[None]:
    """A command that loads, works and exits: the collector stays off throughout."""
    with paused():
        yield


@contextmanager
def starting_a_tui(*, until_shown: bool = False) -> Iterator[None]:
    """Around a TUI's start (opening the session, importing the app): off inside; on leaving, what
    was loaded is frozen, collections become rarer and the UI thread gets the GIL back sooner.

    With `until_shown`, the collector stays off after the block too, while the app builds its
    first screen, until the app calls `shown()` once its first frame is drawn."""
    global _held
    with paused():
        yield
        # Frozen before the collector is back on: else its first run (a generation-1 one, since the
        # counts grew while it was off) walked everything the start made, ~100 ms before the first frame.
        keep_loaded()
        if until_shown and not _held:
            _pause()
            _held = True
    gc.set_threshold(TUI_GEN0_THRESHOLD, *gc.get_threshold()[1:])
    sys.setswitchinterval(TUI_SWITCH_INTERVAL)


def shown() -> None:
    """The TUI's first frame is drawn (the app calls this): what it built to draw it lives as long as
    the app, so it is frozen, and the collector held off by `starting_a_tui(until_shown=True)` is back."""
    global _held
    if _held:
        _held = False
        keep_loaded()
        _resume()


def collect_while_idle() -> bool:
    """The collection Python would run at its next threshold, run now, while the user is still (the
    TUI calls this on a timer between keys); True if one ran. Returns at once with fewer than
    IDLE_MINIMUM new objects, or while a pause (a brief's build) holds the collector off."""
    if not gc.isenabled():
        return False
    counts, thresholds = gc.get_count(), gc.get_threshold()
    if counts[0] < IDLE_MINIMUM:
        return False
    generation = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0  # Python's own rule
    gc.collect(generation)
    return True


def keep_loaded() -> None:
    """Everything alive now lives as long as the app: full collections no longer walk it."""
    gc.freeze()


__all__ = ["IDLE_MINIMUM", "TUI_GEN0_THRESHOLD", "TUI_SWITCH_INTERVAL", "batch", "collect_while_idle", "keep_loaded",
           "kept", "paused", "shown", "starting_a_tui"]
