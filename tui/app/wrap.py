"""Soft wrapping for the document view: text + width -> the start offset of each visual row.

Pure functions with no Textual import. A row is `text[starts[i]:starts[i + 1]]`; its last
character may be the paragraph's "\\n", which is not drawn. Every row keeps one cell free
after its text (for a trailing space, the newline or the cursor), so every cursor position
has a column inside the width. Widths are counted with rich.cells so they match how Textual
measures the drawn segments; control characters are drawn as one-cell stand-ins (see `as_drawn`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from rich.cells import cell_len, get_character_cell_size

from tui.core.safe_text import BIDI_CONTROLS, shown_line

# The cursor's grapheme rule, so that rows never start inside what the cursor treats as one character.
from tui.core.segment import _is_extender as is_extender
from tui.core.segment import _is_regional as is_regional
from tui.core.segment import next_grapheme, previous_grapheme

# Control characters (C0 but the newline, which is never drawn; DEL; C1; the bidi overrides and
# isolates) are drawn as the one-cell stand-ins of `tui.core.safe_text`, a tab as a space: each
# still takes one cell and one cursor step, and nothing from the text reaches the terminal raw.
_CONTROLS = {code: shown_line(chr(code)) for code in (*range(0, 32), *range(0x7F, 0xA0), *BIDI_CONTROLS)
             if code != 10}
DRAWN_AS_STAND_IN = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_CONTROLS) if code != 9) + "]")


def _char_class(ranges: list[tuple[int, int]], cells: int, extra: frozenset[int] = frozenset()) -> str:
    """A regex class body for the code points in `ranges` that take `cells` cells and never join others."""
    codes = sorted(
        {
            code
            for low, high in ranges
            for code in range(low, high + 1)
            if get_character_cell_size(chr(code)) == cells and not is_extender(chr(code))
        }
        | extra
    )
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(re.escape(chr(low)) + ("-" + re.escape(chr(high)) if high > low else "") for low, high in runs)


# One-cell characters that are their own grapheme: Latin, Greek, Cyrillic, punctuation, controls.
_SINGLE_CELL = _char_class(
    [(0x20, 0x7E), (0xA0, 0x2FF), (0x370, 0x52F), (0x2010, 0x2027), (0x2030, 0x205E), (0x20A0, 0x20C0),
     (0x2400, 0x2426)],  # the last: the stand-ins themselves
    1,
    frozenset({*_CONTROLS, 10}),
)
_WIDE_RANGES = [(0x1100, 0x115F), (0x2E80, 0x303E), (0x3041, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
                (0xA000, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFF60),
                (0xFFE0, 0xFFE6)]


def _wide_class() -> str:
    """`_char_class(_WIDE_RANGES, 2)`, read off rich's width table rather than 40,000 lookups at start-up.

    rich gives combining marks width 0, so a two-cell character never joins the one before it.
    """
    try:
        from rich.cells import load_cell_table  # type: ignore[attr-defined]  # re-exported, not declared; guarded

        table = load_cell_table("auto").widths
    except (ImportError, AttributeError, TypeError):  # another rich: the slow, exact way
        return _char_class(_WIDE_RANGES, 2)
    runs = []
    for low, high in _WIDE_RANGES:
        for start, end, width in table:
            if width == 2 and start <= high and end >= low:
                runs.append((max(low, start), min(high, end)))
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in runs)


# Two-cell characters that are their own grapheme: CJK, kana, hangul, full-width forms.
_WIDE = _wide_class()
_NOT_SINGLE_CELL = re.compile(f"[^{_SINGLE_CELL}]")
# Stretches of simple text that the wrapper measures in bulk rather than grapheme by grapheme.
_RUN = re.compile(f"([{_SINGLE_CELL}]{{4,}})|[{_WIDE}]{{2,}}")


def is_single_cell(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether every code point in text[start:end] is one cell and its own grapheme."""
    return _NOT_SINGLE_CELL.search(text, start, len(text) if end is None else end) is None


def as_drawn(text: str) -> str:
    """The string as drawn: control characters become one-cell stand-ins, a tab a space."""
    return text.translate(_CONTROLS) if not text.isprintable() else text


def cell_width(text: str) -> int:
    """Terminal cells taken by `text` as drawn."""
    if text.isascii() or is_single_cell(text):
        return len(text)
    return cell_len(as_drawn(text))


def wrap(text: str, width: int) -> list[int]:
    """Start offsets of the visual rows of `text` wrapped to `width` cells, breaking after spaces."""
    return wrap_range(text, width, 0, len(text) + 1)


def wrap_range(text: str, width: int, start: int, stop: int) -> list[int]:
    """Row starts for the paragraphs beginning in [start, stop); `start` must begin a paragraph.

    Wrapping the whole text in pieces that end on paragraph starts gives the same rows as one call.
    """
    width = max(2, width)
    size = len(text)
    last = text.find("\n", stop)
    simple = text.isascii() or is_single_cell(text, start, size if last < 0 else last)
    starts: list[int] = []
    append = starts.append
    find = text.find
    rfind = text.rfind
    position = start
    while True:
        end = find("\n", position)
        if end < 0:
            end = size
        if simple or is_single_cell(text, position, end):
            # A row holds its characters plus one spare cell (a trailing space or the newline).
            row = position
            while end - row >= width:
                append(row)
                space = rfind(" ", row, row + width)
                row = space + 1 if space >= row else row + width
            append(row)
        else:
            _wrap_complex(text, position, end, width, starts)
        position = end + 1
        if position > size or position >= stop:
            return starts


_ZWJ = "\u200d"
_extender_cache: dict[str, bool] = {}
_width_cache: dict[str, int] = {}


def _joins(character: str) -> bool:
    """Whether `character` joins the grapheme before it (cached segment rule)."""
    joins = _extender_cache.get(character)
    if joins is None:
        joins = _extender_cache[character] = is_extender(character)
    return joins


def _width(character: str) -> int:
    cells = _width_cache.get(character)
    if cells is None:
        cells = _width_cache[character] = cell_len(as_drawn(character))
    return cells


def _graphemes(text: str, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, cells) of each grapheme in text[start:end], by the same rule as `next_grapheme`."""
    position = start
    while position < end:
        following = position + 1
        if is_regional(text[position]) and following < end and is_regional(text[following]):
            following += 1
        while following < end and (_joins(text[following]) or text[following - 1] == _ZWJ):
            following += 1
        if following == position + 1:
            yield position, following, _width(text[position])
        else:
            yield position, following, cell_len(as_drawn(text[position:following]))
        position = following


def _wrap_complex(text: str, start: int, end: int, width: int, starts: list[int]) -> None:
    """Wrap one paragraph that has wide, zero-width or joining characters.

    Stretches of plain one-cell text are measured in bulk; the rest grapheme by grapheme.
    A row may also break after a wide (CJK) grapheme, not only after a space.
    """
    row = start
    starts.append(row)
    cells = 0  # cells used on the row so far
    soft_break = -1  # where the row could end, and the cells used up to there
    soft_cells = 0

    def break_row(position: int) -> None:
        """Start a row at the last soft break on this row, else at `position`."""
        nonlocal row, cells, soft_break
        if soft_break > row:
            row, cells = soft_break, cells - soft_cells
        else:
            row, cells = position, 0
        starts.append(row)
        soft_break = -1

    def take(position: int, following: int, size: int) -> None:
        nonlocal row, cells, soft_break, soft_cells
        if cells + size > width and position > row:
            break_row(position)
            if cells + size > width and position > row:
                row, cells = position, 0
                starts.append(row)
        cells += size
        if size == 2 or (position < end and text[position] == " "):
            soft_break, soft_cells = following, cells

    position = start
    rfind = text.rfind
    while position < end:
        run = _RUN.search(text, position, end)
        run_start, run_end = run.span() if run else (end, end)
        for grapheme, following, size in _graphemes(text, position, end):
            take(grapheme, following, size)
            position = following
            if following >= run_start:
                break
        # A run's last character goes to the grapheme walk: a mark after it may join it.
        stop = run_end - 1 if run_end < end else end
        plain = run is not None and run.group(1) is not None
        while position < stop:
            if plain:
                fits = min(stop - position, width - cells)
                space = rfind(" ", position, position + fits)
                if space >= 0:
                    soft_break, soft_cells = space + 1, cells + space + 1 - position
                cells += fits
            else:
                fits = min(stop - position, (width - cells) // 2)
                cells += 2 * fits
                if fits:
                    soft_break, soft_cells = position + fits, cells
            position += fits
            if position < stop:  # the next character does not fit
                break_row(position)
    take(end, end + 1, 1)  # the newline (or the end of the text) takes the last cell


def row_of(starts: list[int], offset: int) -> int:
    """The row holding `offset` (an offset equal to a row's start belongs to that row)."""
    return max(0, bisect_right(starts, offset) - 1)


def row_span(text: str, starts: list[int], row: int) -> tuple[int, int]:
    """[start, end) of the characters drawn on `row`, without its newline."""
    begin = starts[row]
    end = starts[row + 1] if row + 1 < len(starts) else len(text)
    if end > begin and text[end - 1] == "\n":
        end -= 1
    return begin, end


def is_last_in_paragraph(text: str, starts: list[int], row: int) -> bool:
    """Whether `row` ends at a newline or the end of the text (so its end offset is on it)."""
    return row + 1 >= len(starts) or text[starts[row + 1] - 1] == "\n"


def line_end(text: str, starts: list[int], row: int) -> int:
    """Where End puts the cursor: the newline, or the last grapheme of a wrapped row."""
    begin, end = row_span(text, starts, row)
    if is_last_in_paragraph(text, starts, row) or end == begin:
        return end
    return previous_grapheme(text, end)


def column_of(text: str, starts: list[int], offset: int) -> tuple[int, int]:
    """(row, column in cells) of `offset`."""
    row = row_of(starts, offset)
    return row, cell_width(text[starts[row] : offset])


def offset_at(text: str, starts: list[int], row: int, column: int) -> int:
    """The offset of the grapheme drawn at `column` on `row`; past the row's end gives its end."""
    row = max(0, min(row, len(starts) - 1))
    begin, end = row_span(text, starts, row)
    last = line_end(text, starts, row)
    piece = text[begin:end]
    if piece.isascii() or is_single_cell(piece):
        return min(begin + max(0, column), last)
    cells = 0
    position = begin
    while position < end:
        following = next_grapheme(text, position)
        cells += cell_width(text[position:following])
        if cells > column:
            return position
        position = following
    return last


__all__ = [
    "DRAWN_AS_STAND_IN",
    "as_drawn",
    "cell_width",
    "column_of",
    "is_last_in_paragraph",
    "is_single_cell",
    "line_end",
    "offset_at",
    "row_of",
    "row_span",
    "wrap",
    "wrap_range",
]
