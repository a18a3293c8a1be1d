"""A second process that reads documents for the documents screen's cold start, from the far end.

Reading a corpus that the cache knows nothing of is CPU work in Python (cutting tags out of every
layer file), which one process does on one core whatever the machine has. For a large cold start
`Summariser.fill_each` starts this helper: it reads the documents from the last one backwards while
the worker reads from the first one forwards, and writes each document's cache row (exactly what
`Summariser.fill` stores) as one JSON line. The worker puts the rows in its cache as they come, and
where the two meet it stops the helper; the rows are then taken as a warm start takes the cache's:
only while each file's size and mtime are still the ones read. Nothing the helper says is trusted
beyond what the cache is.

    request (one JSON line on stdin): {"root": ..., "annotations": ..., "documents": [[index, file, relative], ...]}
    answers (stdout, one line each):  [index, key, row]
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.core.corpus import Summariser, Summary

MINIMUM = 400  # documents to read before a helper is worth its start (~60 ms of CPU on the other core)


class Helper:
    """The parent's side: the process, and what it has answered so far."""

    def __init__(self, process: subprocess.Popen[bytes], frontier: int) -> None:
        self.process = process
        self.frontier = frontier  # the lowest index answered: the helper has read every document from here on
        self._pending = b""
        self._open = True
        assert process.stdout is not None
        self._out = process.stdout.fileno()
        os.set_blocking(self._out, False)

    @classmethod
    def start(cls, summariser: Summariser, summaries: Sequence[Summary], unread: list[int]) -> Helper | None:
        """A helper for the documents at these indexes (which the cache has no row for), or None where
        it would not pay (few documents, one core) or cannot start."""
        if len(unread) < MINIMUM or (os.cpu_count() or 1) < 2:
            return None
        request = {"root": str(summariser.root), "annotations": str(summariser.annotations),
                   "documents": [[n, summaries[n].entry.file, summaries[n].entry.relative] for n in reversed(unread)]}
        package_parent = str(Path(__file__).resolve().parents[2])  # where `tui` is, however hedgerow was started
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": package_parent + (os.pathsep + path if path else "")}
        try:
            process = subprocess.Popen([sys.executable, "-m", "tui.core.corpus_helper"], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        except (OSError, ValueError):
            return None
        try:
            helper = cls(process, len(summaries))
        except (OSError, AttributeError):  # no non-blocking pipes here (os.set_blocking: Unix only before 3.12)
            process.kill()
            process.wait()
            return None
        # Written by a thread: the pipe takes 64 KiB and the helper reads it once started (~0.1 s),
        # which the worker would otherwise wait for before reading anything itself.
        threading.Thread(target=_send, args=(process, json.dumps(request).encode("utf-8") + b"\n"),
                         name="corpus-helper-request", daemon=True).start()
        return helper

    def collect(self, cache: dict[str, Any]) -> int:
        """Put what the helper has answered since into `cache` (the summariser's documents section),
        without waiting; the frontier."""
        while self._open:
            try:
                data = os.read(self._out, 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                self._open = False  # it ended (done, or failed: the worker reads what it did not)
                break
            lines = (self._pending + data).split(b"\n")
            self._pending = lines.pop()
            for line in lines:
                try:
                    index, key, row = json.loads(line)
                except (ValueError, TypeError):
                    continue
                if type(index) is int and type(key) is str:
                    cache[key] = row
                    self.frontier = min(self.frontier, index)
        return self.frontier

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        assert self.process.stdout is not None
        self.process.stdout.close()


def _send(process: subprocess.Popen[bytes], request: bytes) -> None:
    assert process.stdin is not None
    try:
        process.stdin.write(request)
    except (OSError, ValueError):
        pass  # it ended (stopped already, or failed): the worker reads everything itself
    finally:
        with contextlib.suppress(OSError):
            process.stdin.close()


def main() -> int:
    from tui.core import gc_policy
    from tui.core.corpus import DOCUMENTS, Entry, Summariser

    request = json.loads(sys.stdin.buffer.readline())
    summariser = Summariser(Path(request["root"]), Path(request["annotations"]), cache=False)
    indexes = {}
    blanks = []
    for index, file, relative in request["documents"]:
        blank = summariser.blank(Entry(file, relative, -1, 0))
        indexes[id(blank)] = index
        blanks.append(blank)
    out = sys.stdout.buffer
    parent = os.getppid()
    with gc_policy.batch():
        for summary in summariser.fill_each(blanks):
            row = summariser._fresh[DOCUMENTS].get(summary.key)
            if row is not None:
                out.write(json.dumps([indexes[id(summary)], summary.key, row]).encode("utf-8") + b"\n")
                out.flush()
            if os.getppid() != parent:
                return 0  # the app is gone
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(0)
