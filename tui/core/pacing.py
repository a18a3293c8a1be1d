"""Background work stands back while the user acts: the one pacing policy.

A worker thread and the UI thread share one GIL (and, on a small machine, one core). While a
worker computes (the deferred load of a large annotation file, a save, re-anchoring), a key's
handling and the frame it draws get about half the interpreter: with the switch interval at
1 ms (tui.core.gc_policy) the two threads take turns. With 100,000 annotations loading behind
the first screen, every key pressed in the first seconds paid for it.

So the UI says when the user acts (`user_acted`, from the app's input events: keys, pastes, mouse
clicks and wheel), and long background jobs call `pause()` between pieces of their work: it
sleeps, holding nothing, until the user has been still for QUIET seconds, so the key is handled
and its frame drawn on a free interpreter. It never waits more than LONGEST at a time, so a key
held down (a stream of repeats) slows the job down but cannot stop it. The pieces must be short
(a few ms at most): a long call in C holds the GIL to its end, pause or not.

On the UI thread, and in a program where no user acts (the CLI), `pause()` returns at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import TypeVar

T = TypeVar("T")

QUIET = 0.05  # seconds after an input event during which background work waits (a key and its frame)
LONGEST = 0.25  # seconds one pause may last at most: held-down keys slow background work, never stop it

EVERY = 1024  # items between two pauses in `paced`: about a millisecond of a loop's work on a busy machine

_acted = -1e9  # time.monotonic() of the user's last input event


def user_acted() -> None:
    """The user pressed a key, pasted or clicked: background work waits a moment (UI thread)."""
    global _acted
    _acted = time.monotonic()


def still_for(seconds: float) -> bool:
    """Whether the user has not acted for `seconds`: time for work the UI thread does while idle."""
    return time.monotonic() - _acted >= seconds


class Stopped(Exception):
    """Raised by `pause()` in a job run under `stop_when` once its condition holds."""


_job = threading.local()  # this thread's job's `stop_when` condition, if any


@contextmanager
def stop_when(stop: Callable[[], bool]) -> Iterator[None]:
    """Background work in this block ends at its next `pause()` (raising Stopped) once `stop()`
    holds: a large file's load when the app quits, which the process otherwise waited for (4-6 s
    for 100,000 annotations). Only for work whose result may be dropped: never a save."""
    before = getattr(_job, "stop", None)
    _job.stop = stop
    try:
        yield
    finally:
        _job.stop = before


def pause() -> None:
    """Between two pieces of background work: wait while the user is acting (LONGEST at most);
    raise Stopped if the job's `stop_when` condition holds."""
    if threading.current_thread() is threading.main_thread():
        return  # the UI thread never waits for itself
    stop = getattr(_job, "stop", None)
    if stop is not None and stop():
        raise Stopped
    now = time.monotonic()
    deadline = now + LONGEST
    while (resume := _acted + QUIET) > now and now < deadline:
        time.sleep(min(resume, deadline) - now)
        now = time.monotonic()


def when_still(run: Callable[[], object], later: Callable[[float, Callable[[], None]], object],
               waited: float = 0.0) -> None:
    """`run()` now if the user has been still for QUIET, else once they have (`later(delay, retry)`
    schedules a retry, e.g. a Textual node's set_timer), waiting LONGEST at most: for work on the UI
    thread that must happen but not on a key (a frame of 100,000 newly loaded annotations, a layout)."""
    if waited >= LONGEST or still_for(QUIET):
        run()
    else:
        later(QUIET, lambda: when_still(run, later, waited + QUIET))


def paced(items: Iterable[T], every: int = EVERY) -> Iterable[T]:
    """The items, with a `pause()` before the first and after every `every` of them: a long loop in
    a worker stands back for a key within about a millisecond, not at its end (a duplicate check
    over 100,000 ids ran 50-200 ms without one, sharing the interpreter with every key meanwhile).
    On the UI thread (and in the CLI), where `pause` never waits, the items as they are: the
    pacing's ~10 ms per 100,000 items would be paid for nothing."""
    if threading.current_thread() is threading.main_thread():
        return items
    return _paced(iter(items), every)


def _paced(items: Iterator[T], every: int) -> Iterator[T]:
    while True:
        pause()
        chunk = list(islice(items, every))
        if not chunk:
            return
        yield from chunk


__all__ = ["EVERY", "LONGEST", "QUIET", "Stopped", "paced", "pause", "still_for", "stop_when", "user_acted",
           "when_still"]
