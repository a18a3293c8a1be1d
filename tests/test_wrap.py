"""Soft wrapping in cells: word breaks, hard breaks, wide and zero-width graphemes, row/column round trips."""

from __future__ import annotations

import random

import pytest

from tui.app.wrap import (
    cell_width,
    column_of,
    is_last_in_paragraph,
    line_end,
    offset_at,
    row_of,
    row_span,
    wrap,
    wrap_range,
)
from tui.core.segment import clamp_to_grapheme


def rows(text: str, width: int) -> list[str]:
    starts = wrap(text, width)
    return [text[slice(*row_span(text, starts, row))] for row in range(len(starts))]


def test_short_paragraphs_are_one_row_each() -> None:
    assert wrap("one\ntwo\n\nthree", 10) == [0, 4, 8, 9]
    assert wrap("", 10) == [0]
    assert wrap("end\n", 10) == [0, 4]  # the empty last line is a row the cursor can sit on


def test_breaks_after_spaces_keeping_a_spare_cell() -> None:
    assert rows("aaa bbb ccc", 8) == ["aaa bbb ", "ccc"]
    # "aaa bbb" would fill all 7 cells of a 7-wide row and leave none for the cursor
    assert rows("aaa bbb", 7) == ["aaa ", "bbb"]


def test_long_words_are_broken_hard() -> None:
    assert rows("x abcdefghijklmnopqrstuvwxy z", 10) == ["x ", "abcdefghij", "klmnopqrst", "uvwxy z"]
    assert wrap("a" * 20, 10) == [0, 10, 20]  # the end of text gets its own (empty) row


def test_cjk_and_emoji_count_two_cells() -> None:
    assert cell_width("中文") == 4
    assert cell_width("👍🏽") == 2
    assert cell_width("👨\u200d👩\u200d👧") == 2
    assert cell_width("🇰🇿") == 2
    assert cell_width("q\u0307") == 1
    assert cell_width("a\tb") == 3  # control characters are drawn as spaces
    # ten ideographs are 20 cells: 4 fit a 9-wide row with its spare cell, breaking between them
    assert rows("中" * 10, 9) == ["中中中中", "中中中中", "中中"]


def test_graphemes_are_never_split() -> None:
    family = "👨\u200d👩\u200d👧"
    text = (family + "q\u0307" + "🇰🇿" + "👍🏽") * 6
    for width in range(2, 12):
        for start in wrap(text, width):
            assert clamp_to_grapheme(text, start) == start


def test_wrapping_in_pieces_matches_wrapping_at_once() -> None:
    text = "Alpha beta gamma delta.\n\n中文 text here 👍🏽 and more words.\nlast line"
    whole = wrap(text, 12)
    cut = text.index("\n\n") + 2
    assert wrap_range(text, 12, 0, cut) + wrap_range(text, 12, cut, len(text) + 1) == whole


@pytest.mark.parametrize("seed", range(4))
def test_rows_fit_and_offsets_round_trip(seed: int) -> None:
    pieces = ["word", "a", " ", " ", "中文", "👍🏽", "🇰🇿", "👨\u200d👩\u200d👧", "q\u0307", "\n"]
    pieces.append("extraordinarily")
    rng = random.Random(seed)
    text = "".join(rng.choice(pieces) for _ in range(300))
    for width in (2, 3, 7, 20, 41):
        starts = wrap(text, width)
        for row in range(len(starts)):
            start, end = row_span(text, starts, row)
            spare = 1 if is_last_in_paragraph(text, starts, row) else 0
            assert cell_width(text[start:end]) + spare <= width
            assert "\n" not in text[start:end]
        for offset in range(len(text) + 1):
            if clamp_to_grapheme(text, offset) != offset:
                continue
            row, column = column_of(text, starts, offset)
            assert row == row_of(starts, offset)
            assert column < width
            assert offset_at(text, starts, row, column) == min(offset, line_end(text, starts, row))


def test_offset_at_past_the_end_and_inside_wide_characters() -> None:
    text = "ab中文 cd\nxy"
    starts = wrap(text, 20)
    assert offset_at(text, starts, 0, 3) == 2  # second cell of 中
    assert offset_at(text, starts, 0, 4) == 3
    assert offset_at(text, starts, 0, 50) == text.index("\n")
    assert offset_at(text, starts, 1, 50) == len(text)


def test_the_wide_class_read_from_rich_equals_the_exact_one() -> None:
    import re

    from tui.app import wrap

    exact, fast = wrap._char_class(wrap._WIDE_RANGES, 2), wrap._WIDE
    members = lambda cls: {c for low, high in wrap._WIDE_RANGES for c in range(low, high + 1)  # noqa: E731
                           if re.fullmatch(f"[{cls}]", chr(c))}
    assert members(fast) == members(exact)
