"""How a session is opened: who annotates, where the layers and the codebook are.

Apart from tui.core.session so that what only needs the options (the documents screen, the command
line's parsing) does not import the session, its store and the annotation model before the first
frame (issue 12).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SessionOptions:
    annotator: str | None = None
    annotations: Path | None = None
    tags: Path | None = None
    gold: bool = False  # may open the review's gold layer (the review; commands that read or re-anchor)
