"""A terminal that goes away while the app runs (an SSH connection dropped, a tmux session killed,
the window closed) ends the app, with its work saved.

Textual reads the terminal in a thread; once the terminal has hung up, each read returns nothing at
once and the loop reads again: the app went on, unseen, at three quarters of a core (an orphan
found after `tmux kill-session`), and a SIGHUP, where one came, ended it before its last change was
saved. So the app takes SIGHUP itself, and checks once a second that its input is still a terminal.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from contextlib import suppress

CHECK_SECONDS = 1.0


def input_is_a_terminal() -> bool:
    """Whether standard input is still a terminal: a hung-up one is not (isatty asks the terminal)."""
    try:
        return os.isatty(sys.__stdin__.fileno())  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return False


def on_hangup(gone: Callable[[], None]) -> None:
    """Call `gone` on the running event loop when SIGHUP comes (where signals can be handled)."""
    with suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, gone)


def write_nowhere() -> None:
    """Standard input, output and error become /dev/null: what the app writes as it ends (the
    terminal's modes restored, Python's last flush) went to the hung-up terminal and failed, and
    the process exited with 120 for it."""
    with suppress(OSError):
        nowhere = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(nowhere, fd)
        os.close(nowhere)
