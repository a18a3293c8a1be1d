"""The noise floor for tui_bench: a minimal Textual app that shows a text file's first screenful.

    .venv/bin/python bench/trivial_app.py FILE

It reads the whole file (as hedgerow does), shows the first screenful of text in a Static,
and moves down one paragraph per Down key (so a key timer sees a change); q quits.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Static


class TrivialApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("down", "next_paragraph", "Down"), ("q", "quit", "Quit")]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.text = Path(path).read_text(encoding="utf-8")
        self.top = 0

    def screenful(self) -> str:
        width, height = self.size.width or 120, self.size.height or 40
        return self.text[self.top : self.top + width * height]

    def compose(self) -> ComposeResult:
        yield Static(self.screenful(), markup=False)

    def action_next_paragraph(self) -> None:
        following = self.text.find("\n", self.top)
        self.top = following + 1 if following >= 0 else self.top
        self.query_one(Static).update(self.screenful())


if __name__ == "__main__":
    TrivialApp(sys.argv[1]).run()
