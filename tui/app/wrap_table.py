"""The wrap table: where each visual row of a soft-wrapped text starts, wrapped a stretch at a time.

Data apart from the widget, as toolong's LogFile is beside its LogLines: `DocumentView` draws
rows and moves the cursor; this knows the rows. No Textual here. A large document is wrapped
in stretches that end on paragraph starts (so the rows are those of wrapping it at once): the
rows on screen first, the rest a chunk at a time. Reading never wraps: the `wrap_*` methods say
how far the table must reach, and the queries answer only about rows already wrapped.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.app.wrap import column_of, is_last_in_paragraph, line_end, offset_at, row_of, row_span, wrap_range

SMALL_STRETCH = 1 << 14  # characters wrapped when a few more rows are wanted (well under a millisecond)


def _paragraph_start(text: str, offset: int) -> int:
    """The first paragraph start at or after `offset` (len(text) + 1 when there is none)."""
    if offset <= 0:
        return 0
    if offset > len(text):
        return len(text) + 1
    if text[offset - 1] == "\n":
        return offset
    newline = text.find("\n", offset)
    return len(text) + 1 if newline < 0 else newline + 1


class WrapTable:
    """The start offset of each visual row of `text` wrapped to `width` cells, as far as wrapped."""

    def __init__(self, text: str = "", width: int = 0) -> None:
        self._text = text
        self._width = width
        self._starts: list[int] = []
        self._wrapped_to = 0  # paragraphs before this offset are wrapped; len(text) + 1 when all are

    # ---- state ---------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self._text

    @property
    def width(self) -> int:
        """The width in cells (0: not wrapped to any width yet)."""
        return self._width

    @property
    def starts(self) -> Sequence[int]:
        """The start offset of each row wrapped so far (read-only)."""
        return self._starts

    @property
    def wrapped_to(self) -> int:
        """Every paragraph that starts before this offset is wrapped."""
        return self._wrapped_to

    @property
    def complete(self) -> bool:
        return self._wrapped_to > len(self._text)

    def __len__(self) -> int:
        """Rows wrapped so far."""
        return len(self._starts)

    def reset(self, text: str | None = None, width: int | None = None) -> None:
        """Start again, for a new text and/or width; nothing is wrapped."""
        if text is not None:
            self._text = text
        if width is not None:
            self._width = width
        self._starts = []
        self._wrapped_to = 0

    def estimated_rows(self) -> int:
        """All the rows there will be: exact when complete, else extrapolated from the part wrapped."""
        rows = len(self._starts)
        if not self.complete and self._wrapped_to:
            rows += int((len(self._text) - self._wrapped_to) * rows / self._wrapped_to) + 1
        return rows

    # ---- wrapping (the only methods that add rows) ----------------------------------------

    # Each returns whether the table is now complete.

    def wrap_next(self, amount: int) -> bool:
        """Wrap at least `amount` more characters, through the end of the paragraph reached."""
        if self.complete or self._width <= 0:
            return self.complete
        stop = _paragraph_start(self._text, self._wrapped_to + max(1, amount))
        self._starts.extend(wrap_range(self._text, self._width, self._wrapped_to, stop))
        self._wrapped_to = stop
        return self.complete

    def wrap_all(self) -> bool:
        return self.wrap_next(len(self._text) + 1)

    def wrap_screen(self, top: int, height: int) -> bool:
        """Wrap through offset `top` and `height` rows below its row, plus the one after them."""
        screenful = max(1, self._width * height)  # of one-cell characters; more rounds if they are not
        while not self.complete and self._width > 0:
            if self._wrapped_to > top and len(self._starts) - row_of(self._starts, top) > height + 1:
                break
            self.wrap_next(max(screenful, top + 1 - self._wrapped_to))
        return self.complete

    def wrap_through_offset(self, offset: int) -> bool:
        """Wrap until the row holding `offset` is known, and where it ends (the row after it)."""
        while not self.complete and self._width > 0 and (not self._starts or offset >= self._starts[-1]):
            self.wrap_next(max(SMALL_STRETCH, offset + 1 - self._wrapped_to))
        return self.complete

    def wrap_through_row(self, row: int) -> bool:
        """Wrap until row `row` and the one after it are known (or the text ends before)."""
        while not self.complete and self._width > 0 and row + 1 >= len(self._starts):
            self.wrap_next(SMALL_STRETCH)
        return self.complete

    # ---- queries (about rows already wrapped) ----------------------------------------------

    def row_of(self, offset: int) -> int:
        """The row holding `offset` (wrap_through_offset first)."""
        return row_of(self._starts, offset)

    def row_start(self, row: int) -> int:
        return self._starts[row]

    def row_stop(self, row: int) -> int:
        """Where the next row starts (len(text) + 1 after the last row)."""
        return self._starts[row + 1] if row + 1 < len(self._starts) else len(self._text) + 1

    def row_span(self, row: int) -> tuple[int, int]:
        """[start, end) of the characters drawn on `row`, without its newline."""
        return row_span(self._text, self._starts, row)

    def is_last_in_paragraph(self, row: int) -> bool:
        return is_last_in_paragraph(self._text, self._starts, row)

    def line_end(self, row: int) -> int:
        """Where End puts the cursor on `row`."""
        return line_end(self._text, self._starts, row)

    def column_of(self, offset: int) -> int:
        """The column, in cells, where `offset` is drawn on its row."""
        return column_of(self._text, self._starts, offset)[1]

    def offset_at(self, row: int, column: int) -> int:
        """The offset drawn at `column` (in cells) on `row`; past the row's end gives its end."""
        return offset_at(self._text, self._starts, row, column)


__all__ = ["WrapTable"]
