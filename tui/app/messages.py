"""What the apps' workers say when they are done (as toolong's messages.py): typed messages, posted
from the worker thread (post_message is thread-safe) and handled on the UI thread.

Nothing a worker made touches a widget until its message is handled; a result that was overtaken
while it ran is recognised by the session version it was computed for, not by a counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tui.core.anchoring import Placement
    from tui.core.errors import HedgerowError
    from tui.core.layer import Layer
    from tui.core.store import StoredLayer


@dataclass
class AnnotationsRead(Message):
    """A deferred annotation file was read (in a worker): install it."""

    stored: StoredLayer
    layer: Layer


@dataclass
class AnnotationsUnreadable(Message):
    """A deferred annotation file is damaged: say so and stop, never write over it."""

    error: HedgerowError


@dataclass
class AnchorsFound(Message):
    """The annotations whose quote is no longer at their offsets, for the text at session `version`."""

    version: int
    anchors: dict[str, Placement]


@dataclass
class SaveFinished(Message):
    """The autosaver's write ended: `error` is "" when the file is saved."""

    error: str


@dataclass
class ExportFinished(Message):
    """An export ended: `count` annotations (a codebook: tags) written to `path`, or `error`."""

    fmt: str
    path: Path
    count: int
    error: str = ""


@dataclass
class ReportWritten(Message):
    """The HTML report was written to `path`, or `error`."""

    path: Path
    error: str = ""


@dataclass
class AgreementReady(Message):
    """The review's agreement figures were worked out (in a worker) and cached."""


__all__ = ["AgreementReady", "AnchorsFound", "AnnotationsRead", "AnnotationsUnreadable", "ExportFinished",
           "ReportWritten", "SaveFinished"]
