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


OPENING_QUOTES = "“‘«‹\"'„‚"
CLOSING_QUOTES = "”’»›\"'“‘"


def quoted(text: str, width: int) -> str:
    """`text` as a one-line snippet in curly quotes, for a notice: no doubled mark when the quote
    itself starts or ends with one ("Tagged: “Currently…", not "““Currently…"), and every
    control character shown as a stand-in (it is the document's text)."""
    from tui.core.safe_text import shown_line

    text = shown_line(snippet(text, width))
    opening = "" if text[:1] in OPENING_QUOTES else "“"
    cut_inside_its_own_quotes = opening == "" and text.endswith("…")
    closing = "" if text[-1:] in CLOSING_QUOTES or cut_inside_its_own_quotes else "”"
    return f"{opening}{text}{closing}"
