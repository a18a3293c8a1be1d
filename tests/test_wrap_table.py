"""The wrap table alone: wrapped in stretches it gives the rows of wrapping at once; reading never wraps."""

from __future__ import annotations

import random

import pytest

from tui.app.wrap import column_of, line_end, offset_at, row_of, row_span, wrap
from tui.app.wrap_table import SMALL_STRETCH, WrapTable

PARAGRAPH = "Kazakhstan and NATO agreed a partnership plan; officials said it may deepen, 中文 👍🏽 and more.\n"


def long_text(paragraphs: int = 2000, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join(PARAGRAPH[: rng.randrange(20, len(PARAGRAPH))] + "\n" for _ in range(paragraphs))


def test_a_new_table_has_no_rows_until_asked() -> None:
    table = WrapTable("one\ntwo", 10)
    assert len(table) == 0 and not table.complete and table.wrapped_to == 0
    assert table.row_of(5) == 0  # a query answers from what is wrapped: nothing was wrapped by it
    assert len(table) == 0


def test_without_a_width_nothing_is_wrapped() -> None:
    table = WrapTable("one\ntwo")
    table.wrap_all()
    table.wrap_through_offset(5)
    table.wrap_through_row(3)
    assert len(table) == 0 and not table.complete


@pytest.mark.parametrize("seed", range(3))
def test_stretches_give_the_rows_of_wrapping_at_once(seed: int) -> None:
    text = long_text(seed=seed)
    rng = random.Random(seed)
    table = WrapTable(text, 37)
    while not table.complete:
        before = table.wrapped_to
        table.wrap_next(rng.randrange(1, 5000))
        assert table.wrapped_to > before
        assert table.wrapped_to > len(text) or text[table.wrapped_to - 1] == "\n"  # on a paragraph start
    assert list(table.starts) == wrap(text, 37)
    assert table.estimated_rows() == len(table)


def test_queries_agree_with_the_wrap_functions() -> None:
    text = long_text(200)
    starts = wrap(text, 23)
    table = WrapTable(text, 23)
    table.wrap_all()
    for offset in range(0, len(text) + 1, 97):
        row = table.row_of(offset)
        assert row == row_of(starts, offset)
        assert table.column_of(offset) == column_of(text, starts, offset)[1]
        assert table.row_span(row) == row_span(text, starts, row)
        assert table.line_end(row) == line_end(text, starts, row)
        assert table.offset_at(row, 5) == offset_at(text, starts, row, 5)
        assert table.row_start(row) <= offset < table.row_stop(row)


def test_wrapping_through_an_offset_goes_a_stretch_not_the_whole_text() -> None:
    text = long_text(20000)
    table = WrapTable(text, 40)
    table.wrap_screen(0, 40)
    assert 40 < len(table) < 200
    offset = table.starts[-1] + 1  # on the last row known, whose end is not
    table.wrap_through_offset(offset)
    assert table.starts[-1] > offset  # the row after it is known: its span is
    assert table.row_of(offset) == row_of(wrap(text, 40), offset)
    assert table.wrapped_to < offset + 2 * SMALL_STRETCH and not table.complete

    row = len(table) + 10
    table.wrap_through_row(row)
    assert len(table) > row + 1 and not table.complete


def test_the_screen_below_an_offset_is_wrapped() -> None:
    text = long_text(5000)
    table = WrapTable(text, 50)
    top = len(text) // 2
    table.wrap_screen(top, 30)
    assert len(table) - table.row_of(top) > 31  # the screenful and the spare row below it
    assert not table.complete


def test_the_estimate_grows_to_the_real_count() -> None:
    text = long_text(3000)
    table = WrapTable(text, 30)
    table.wrap_next(len(text) // 3)
    rows = len(wrap(text, 30))
    assert 0.8 * rows < table.estimated_rows() < 1.2 * rows
    table.wrap_all()
    assert table.estimated_rows() == rows


def test_reset_starts_again_for_a_new_width_or_text() -> None:
    table = WrapTable("aaa bbb ccc", 8)
    table.wrap_all()
    assert list(table.starts) == [0, 8]
    table.reset(width=5)
    assert len(table) == 0 and table.width == 5 and table.text == "aaa bbb ccc"
    table.wrap_all()
    assert list(table.starts) == wrap("aaa bbb ccc", 5)
    table.reset("x\ny")
    table.wrap_all()
    assert list(table.starts) == [0, 2] and table.row_stop(1) == 4


def test_an_empty_text_has_one_row() -> None:
    table = WrapTable("", 10)
    table.wrap_through_row(0)
    assert list(table.starts) == [0] and table.complete and table.row_span(0) == (0, 0)
