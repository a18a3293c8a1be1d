"""Layouts of the whole screen only when something needs one.

A layout arranges every widget on the screen and draws the result again: 15-30 ms of CPU here, more
than a key's own work. Textual lays out (and styles) more often than it must in three places:

- A screen's size announced again: the app passes its Resize on twice at start, and each layout
  sends the screen a Resize of its own size. Every one of them laid the whole screen out again:
  four layouts before the first key where one does (and one more on each dialog).
- A ScrollView's virtual size is a layout reactive: a list that gains a row, or a text pane that
  wraps more of its document, laid the whole screen out again, though only its scrollbar changes.
- A screen's first showing styles all its widgets again, just after they were styled as they mounted.

This module is where the app stands in for those two, on Textual's own private parts: names that
Textual 8 has (the tests drive every screen through them).
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.geometry import Size
from textual.screen import Screen
from textual.widget import Widget

ResultType = TypeVar("ResultType")


class SteadyLayout(Screen[ResultType]):
    """A screen that lays itself out again on a resize only when its size has changed, and counts a
    full layout as answering every layout asked for before it (Textual's own frames do; a layout
    made on a resize or a resume left the request standing, and the next frame made it again)."""

    _resumed_before = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Textual styles every widget again each time a screen comes up, for what may have changed
        while it was hidden (the app's theme, say). The first time there was no such while: its
        widgets were styled as they mounted, just before. A tenth of an app's start (cProfile calls).
        Textual runs Screen's own handler for the event next."""
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False

    def _screen_resized(self, size: Size) -> None:
        if size == self._compositor.size:
            return  # laid out at this size already; a layout still asked for comes with the next frame
        super()._screen_resized(size)

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        super()._refresh_layout(size, scroll)
        if not scroll and self._compositor.size == (self.outer_size if size is None else size):
            self._layout_required = False


def set_virtual_size(widget: Widget, size: Size) -> None:
    """Set a scrolling widget's virtual size without laying out the screen, unless its scrollbars
    come or go (then they ask for a layout themselves): what Textual does on a scroll."""
    if widget.virtual_size == size:
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)


class SteadyScreen(SteadyLayout[object]):
    """The apps' default screen."""
