"""A list drawn with the Line API: only the rows in view are rendered, so 100,000 rows cost what 20 do.

Subclasses say how one row looks (`render_row`); moving the highlight tells the app (`Chosen`),
so the document follows the list as the user browses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.steady_layout import set_virtual_size


def list_bindings(prefix: str) -> list[BindingType]:
    """The list's keys, with ids under `prefix` so users can remap them."""
    return [
        Binding("up", "move(-1)", "Up", show=False, id=f"{prefix}.up"),
        Binding("down", "move(1)", "Down", show=False, id=f"{prefix}.down"),
        Binding("pageup", "page(-1)", show=False, id=f"{prefix}.page_up"),
        Binding("pagedown", "page(1)", show=False, id=f"{prefix}.page_down"),
        Binding("home", "edge(0)", show=False, id=f"{prefix}.first"),
        Binding("end", "edge(1)", show=False, id=f"{prefix}.last"),
        Binding("enter", "jump", "Go to", id=f"{prefix}.jump"),
    ]


class RowList(ScrollView, can_focus=True):
    EMPTY = "nothing here"

    # One thin scrollbar, and no horizontal one: rows are cut to the width.
    DEFAULT_CSS = """
    RowList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
    }
    """

    class Chosen(Message):
        """The user moved to `item` (focus=False: the document follows) or chose it (focus=True)."""

        def __init__(self, item: Any, focus: bool) -> None:
            super().__init__()
            self.item = item
            self.focus = focus

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: Sequence[Any] = []
        self.highlighted = 0
        self._frame_style: Style | None = None  # while render_lines draws a frame

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.store_rows(rows)
        self.refresh()

    def store_rows(self, rows: Sequence[Any]) -> None:
        """The rows, without drawing them (set_rows draws them)."""
        self.rows = rows
        self.highlighted = min(self.highlighted, max(0, len(rows) - 1))
        self._size_to_rows()

    def _size_to_rows(self) -> None:
        # No width: rows are cut to the list's width, never scrolled sideways. A width here changed
        # with the first layout and asked for a second one, redrawing the whole screen (every app start).
        set_virtual_size(self, Size(0, len(self.rows)))

    def on_resize(self) -> None:
        self._size_to_rows()

    @property
    def current(self) -> Any | None:
        return self.rows[self.highlighted] if self.rows else None

    def set_highlight(self, index: int) -> None:
        """Highlight row `index` and scroll it into view, without telling the app. Without a scroll
        only the two rows that change are drawn again (the list follows the document's cursor, so
        this runs on most keys: the whole list was drawn again each time)."""
        old, self.highlighted = self.highlighted, max(0, min(index, len(self.rows) - 1))
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if self.highlighted < top:
            self.scroll_to(y=self.highlighted, animate=False)
        elif height and self.highlighted >= top + height:
            self.scroll_to(y=self.highlighted - height + 1, animate=False)
        elif old != self.highlighted:
            self.refresh_lines(old)
            self.refresh_lines(self.highlighted)
            return
        else:
            return
        self.refresh()

    def render_row(self, item: Any, width: int, base: Style) -> list[Segment]:
        raise NotImplementedError

    def render_lines(self, crop: Region) -> list[Strip]:
        # The widget's style once per frame, not per line: Textual works it out from every ancestor
        # each time it is asked (~0.2 ms, as long as drawing the row itself).
        self._frame_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style = None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = self.scroll_offset.y + y
        base = self._frame_style or self.rich_style
        if not self.rows:
            text = self.EMPTY if y == 0 else ""
            return Strip([Segment(text, base + Style(dim=True))]).crop_extend(0, width, base)
        if row >= len(self.rows):
            return Strip.blank(width, base)
        if row == self.highlighted:
            base = base + (Style(reverse=True) if self.has_focus else Style(bold=True, underline=True))
        return Strip(self.render_row(self.rows[row], width, base)).crop_extend(0, width, base)

    def _user_move(self, index: int) -> None:
        if self.rows:
            self.set_highlight(index)
            self.post_message(self.Chosen(self.rows[self.highlighted], focus=False))

    def action_move(self, delta: int) -> None:
        self._user_move(self.highlighted + delta)

    def action_page(self, direction: int) -> None:
        self._user_move(self.highlighted + direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        self._user_move(len(self.rows) - 1 if end else 0)

    def action_jump(self) -> None:
        if self.current is not None:
            self.post_message(self.Chosen(self.current, focus=True))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # the border
            return
        row = offset.y + self.scroll_offset.y
        if 0 <= row < len(self.rows):
            self.set_highlight(row)
            self.post_message(self.Chosen(self.rows[row], focus=event.chain >= 2))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
