"""Fitting text into terminal cells: wide characters count double; controls show as stand-ins."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text

from tui.core.safe_text import shown_line


def plain(text: str, style: str = "") -> Text:
    """Untrusted text for a widget: controls as stand-ins, never parsed as markup."""
    return Text(shown_line(text), style=style)


def snippet(text: str, width: int) -> str:
    """`text` on one line in at most `width` cells, cut with "…"; controls show as stand-ins."""
    text = shown_line(" ".join(text.split()))
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def fit(text: str, width: int) -> str:
    """A snippet padded to exactly `width` cells."""
    return set_cell_size(snippet(text, width), max(0, width))
