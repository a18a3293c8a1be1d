"""Saving every change at once, off the UI thread, coalescing bursts and retrying failures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.timer import Timer

from tui.core.errors import SavedAside, StoreError

if TYPE_CHECKING:
    from tui.app.base import SavingApp
    from tui.core.session import Session, Snapshot  # not imported before the documents screen's first frame

COALESCE_SECONDS = 0.1
RETRY_SECONDS = (1, 2, 5, 10)


class AutoSaver:
    """Writes the session's snapshot in a worker thread; one write at a time, never dropped.

    The app runs `write` in its save worker and hands the outcome back with `finished` (the
    SaveFinished message). `on_state(state, error)` is called on the UI thread with "saving",
    "saved" or "error".
    """

    def __init__(self, app: SavingApp, session: Session, on_state: Callable[[str, str], None]) -> None:
        self.app = app
        self.session = session
        self.on_state = on_state
        self.failures = 0
        self.last_error = ""
        self._timer: Timer | None = None
        self._in_flight = False
        self._lock = threading.Lock()  # one writer at a time: the worker or a final flush
        self.aside_message = ""  # set once the file changed on disk and saves go beside it (SavedAside)

    def changed(self) -> None:
        if self.failures:
            return  # the retry timer is already due; it will take the newest state
        self.on_state("saving", "")
        self._schedule(COALESCE_SECONDS)

    def _schedule(self, delay: float) -> None:
        if self._timer is None and not self._in_flight:
            self._timer = self.app.set_timer(delay, self._start)

    def _start(self) -> None:
        self._timer = None
        if self._in_flight or not self.session.dirty:
            return
        snapshot = self.session.snapshot()
        self._in_flight = True
        self.app.save_in_background(snapshot)

    def write(self, snapshot: Snapshot) -> str:
        """In the save worker: write `snapshot` unless newer state is already saved; the error or ""."""
        error = ""
        # No collector switching here: it is global, so it would stop collections on the UI thread
        # too. The TUI's policy (tui.core.gc_policy) already keeps collections out of a save.
        try:
            with self._lock:
                if snapshot[0] > self.session.saved_version:  # a flush may have written newer state
                    self.session.save_snapshot(*snapshot)
        except SavedAside as problem:
            error = self.aside_message = str(problem)
        except StoreError as problem:
            error = str(problem)
        except Exception as problem:  # keep the app alive and the data in memory
            error = f"unexpected error: {problem}"
        return error

    def finished(self, error: str) -> None:
        """On the UI thread, when the worker's write ended."""
        self._in_flight = False
        if error and error == self.aside_message:  # kept, beside the file: no retry can write over it
            self.on_state("aside", error)
            if self.session.dirty:
                self._schedule(COALESCE_SECONDS)
            return
        if error:
            self.failures += 1
            self.last_error = error
            self.on_state("error", error)
            self._schedule(RETRY_SECONDS[min(self.failures, len(RETRY_SECONDS)) - 1])
            return
        self.failures, self.last_error = 0, ""
        if self.session.dirty:
            self.on_state("saving", "")
            self._schedule(COALESCE_SECONDS)
        else:
            self.on_state("saved", "")

    def flush(self) -> str:
        """Save now, on this thread (at quit). Returns the error, or "" when all is saved."""
        if not self.session.dirty:
            return ""
        try:
            with self._lock:
                self.session.save()
        except SavedAside as problem:
            self.aside_message = str(problem)
            return self.aside_message
        except StoreError as problem:
            self.last_error = str(problem)
            return self.last_error
        self.failures, self.last_error = 0, ""
        return ""
