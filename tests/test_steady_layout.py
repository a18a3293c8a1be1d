"""Layouts of the whole screen only when one is needed (tui/app/steady_layout.py): counted at an
app's start, on resizes, and as a list grows, with what the user sees checked alongside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen

from tui.app.app import HedgerowApp
from tui.app.row_list import RowList
from tui.app.steady_layout import SteadyScreen
from tui.core.session import Session, SessionOptions


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The screens laid out, in order: every full layout (not a scroll's) any screen makes."""
    made: list[str] = []
    lay_out = Screen._refresh_layout

    def counted(self: Screen[Any], size: Any = None, scroll: bool = False) -> None:
        if not scroll:
            made.append(type(self).__name__)
        lay_out(self, size, scroll)

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    yield made


async def test_an_app_start_lays_its_screen_out_at_most_three_times(project_doc: Path, layouts: list[str]) -> None:
    """One layout to show the screen, one for the sizes its first frame settles (the list's
    scrollbar); Textual made six: three of them for Resizes of the size the screen already had."""
    app = HedgerowApp(Session.open(project_doc, SessionOptions(annotator="alice")))
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause(0.3)
        await pilot.pause()
        assert isinstance(app.screen, SteadyScreen)
        assert 1 <= len(layouts) <= 3, layouts
        assert app.view.size.width > 0 and app.annotation_list.size.height > 0


async def test_a_resize_lays_out_only_when_the_size_changes(project_doc: Path, layouts: list[str]) -> None:
    app = HedgerowApp(Session.open(project_doc, SessionOptions(annotator="alice")))
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.pause(0.3)
        width = app.view.size.width
        layouts.clear()
        app.screen.post_message(events.Resize(app.size, app.size))
        await pilot.pause()
        assert layouts == []
        await pilot.resize_terminal(90, 30)
        await pilot.pause()
        assert layouts, "a new size is laid out"
        assert app.screen.size == (90, 30) and app.view.size.width < width


class Words(RowList):
    DEFAULT_CSS = "Words { height: 1fr; }"

    def render_row(self, item: Any, width: int, base: Style) -> list[Segment]:
        return [Segment(str(item), base)]


class ListApp(App[None]):
    def get_default_screen(self) -> Screen[Any]:
        return SteadyScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Words()


async def test_a_list_that_grows_lays_out_only_when_its_scrollbar_comes(layouts: list[str]) -> None:
    """A row more changes the list's virtual size; only the scrollbar's arrival needs a layout (the
    rows lose a column to it). Textual laid the screen out on every change of the size."""
    app = ListApp()
    async with app.run_test(size=(30, 10)) as pilot:
        words = app.query_one(Words)

        async def settled() -> None:
            """Until a few frames pass with no layout: what was asked before is done (a loaded machine
            takes longer), so what is counted next is what comes of the next change only."""
            quiet = 0
            while quiet < 3:
                seen = len(layouts)
                await pilot.pause(0.03)
                quiet = quiet + 1 if len(layouts) == seen else 0
            layouts.clear()

        await settled()
        for count in range(1, 9):  # 8 rows in a list of 10: no scrollbar
            words.set_rows([f"row {n}" for n in range(count)])
            await pilot.pause()
        assert layouts == []
        assert not words.show_vertical_scrollbar
        words.set_rows([f"row {n}" for n in range(40)])
        await pilot.pause()
        assert words.show_vertical_scrollbar and len(layouts) >= 1
        assert words.scrollable_content_region.width == 29
        await settled()
        words.set_rows([f"row {n}" for n in range(60)])
        await pilot.pause()
        assert layouts == []
        assert words.max_scroll_y == 50  # 60 rows in 10: the scrollbar knows the new length
        words.set_highlight(59)
        await pilot.pause()
        assert words.scroll_offset.y == 50
        assert app.screen._compositor.render_strips()[9].text.startswith("row 59")
