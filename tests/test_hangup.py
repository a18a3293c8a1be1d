"""A terminal that hangs up under the TUI (an SSH connection dropped, `tmux kill-session`): the app
saves and ends, in a real pseudo-terminal. Found as an orphan `hedgerow` using three quarters of a
core minutes after its tmux session was killed: its input read nothing, at once, again and again."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="a Linux pseudo-terminal")


def start_in_a_terminal(doc: Path, *, under_a_shell: bool) -> tuple[int, int]:
    """`hedgerow DOC` in a new 100x30 pseudo-terminal: (pid, the terminal's master end). With
    `under_a_shell`, the app is the child of a process that leads the terminal's session and
    ignores SIGHUP (as `make run` in tmux): closing the terminal then sends the app no signal."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "PYTHONPATH", "HEDGEROW_CACHE",
                                             "HEDGEROW_CONFIG") if key in os.environ}
    argv = [sys.executable, "-m", "tui", doc.name, "--annotator", "alice"]
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(doc.parent)
        if under_a_shell:
            signal.signal(signal.SIGHUP, signal.SIG_IGN)
            app = os.fork()
            if app == 0:
                signal.signal(signal.SIGHUP, signal.SIG_DFL)
                os.execve(sys.executable, argv, {**env, "TERM": "xterm-256color"})
            _, status = os.waitpid(app, 0)
            os._exit(os.waitstatus_to_exitcode(status) % 256)
        os.execve(sys.executable, argv, {**env, "TERM": "xterm-256color"})
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    return pid, fd


def read_until(fd: int, wanted: bytes, seconds: float) -> bytes:
    output, deadline = bytearray(), time.monotonic() + seconds
    while wanted not in output and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                output.extend(os.read(fd, 65536))
            except OSError:
                break
    assert wanted in output, bytes(output[-2000:])
    return bytes(output)


def ended_within(pid: int, seconds: float) -> int | None:
    """The process's exit code once it has ended, or None if it is still running after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    return None


@pytest.mark.parametrize("under_a_shell", [False, True], ids=["sighup", "no-signal"])
def test_a_terminal_that_hangs_up_ends_the_app_with_its_work_saved(project_doc: Path, user_files: Path,
                                                                     under_a_shell: bool) -> None:
    pid, fd = start_in_a_terminal(project_doc, under_a_shell=under_a_shell)
    code: int | None = None
    try:
        read_until(fd, b"saved", 30)
        os.write(fd, b"s1")  # a sentence selected and tagged actor
        read_until(fd, b"Tagged actor", 15)
        os.write(fd, b"j")  # the cursor on: where it was left is kept as the app ends
        time.sleep(0.3)
        os.close(fd)  # the terminal hangs up
        fd = -1
        code = ended_within(pid, 10)
        assert code == 0, "the app went on after its terminal hung up" if code is None else code
    finally:
        if fd >= 0:
            os.close(fd)
        if code is None:
            os.killpg(pid, signal.SIGKILL)  # the app and, under a shell, the shell
            os.waitpid(pid, 0)
    layer = json.loads((project_doc.parent / "annotations" / project_doc.stem / "alice.json").read_text("utf-8"))
    assert [a["tag"] for a in layer["annotations"].values()] == ["actor"]
    positions = json.loads((user_files / "cache" / "positions.json").read_text("utf-8"))
    assert positions, "the app was ended before it could keep the cursor's place"


def test_a_sighup_with_the_terminal_still_there_restores_it(project_doc: Path) -> None:
    """A SIGHUP sent by hand, the terminal still open: the app ends as on a quit, and leaves the
    terminal as it found it (out of the alternate screen), not writing to nowhere."""
    pid, fd = start_in_a_terminal(project_doc, under_a_shell=False)
    code: int | None = None
    try:
        read_until(fd, b"saved", 30)
        os.kill(pid, signal.SIGHUP)
        tail = read_until(fd, b"\x1b[?1049l", 10)  # the alternate screen left
        assert tail
        code = ended_within(pid, 10)
        assert code == 0
    finally:
        os.close(fd)
        if code is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
