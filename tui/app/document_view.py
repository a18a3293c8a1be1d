"""The main document pane: soft-wrapped text drawn line by line, with annotations, cursor and selection.

A Line API widget (like toolong's LogLines): `render_line` draws one visual row of the
`WrapTable` (tui.app.wrap_table, the data beside the widget as toolong's LogFile), and rows
are cached by (row, width, generation, what of the cursor, selection, current annotation and
search matches falls on that row), so a keypress or a new search redraws only the rows it changed. Annotations
in a row come from `Layer.overlapping` (a bisect), never a scan.

Look of a cell, composed in this order:
  annotation   the innermost (shortest) covering annotation's tag style; underlined where two or
               more overlap; struck through if any covering annotation is flagged
  current      the annotation under the cursor: bold, background lightened
  match        search match: on tagged text underlined and bold, the tag's colour kept (the current
               match also overlined); on untagged text black on yellow (the current one bright)
  selection    reverse video
  cursor       a reverse-video cell; while there is a selection it is not drawn apart, since a
               reversed cell beside the selection would read as selected (the selection's moving
               end is the cursor)
  stand-in     a control character from the text (ESC, C1, a bidi override) is drawn as a dimmed
               one-cell picture (`tui.app.wrap.as_drawn`): never sent to the terminal
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any, ClassVar

from rich.color import Color, blend_rgb
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.steady_layout import set_virtual_size
from tui.app.wrap import DRAWN_AS_STAND_IN, as_drawn, cell_width, is_single_cell
from tui.app.wrap_table import WrapTable
from tui.core import pacing
from tui.core.annotation import Annotation
from tui.core.layer import Layer
from tui.core.segment import (
    clamp_to_grapheme,
    next_grapheme,
    next_word_end,
    paragraph_at,
    previous_grapheme,
    previous_word_start,
    word_at,
)

# Characters wrapped between frames after the screen's rows, on the UI thread: a key pressed
# meanwhile waits for the chunk to end. 1 << 17 took 3-8 ms of a text with wide characters.
WRAP_CHUNK = 1 << 15
_WHITE = ColorTriplet(255, 255, 255)


def _innermost(annotation: Annotation) -> tuple[int, int]:
    return (annotation.end - annotation.start, annotation.start)


class DocumentView(ScrollView, can_focus=True):
    """Reads a document and shows one layer of annotations on it."""

    ALLOW_SELECT = False  # the view draws its own selection

    DEFAULT_CSS = """
    DocumentView {
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = list[BindingType]([
        Binding(key, action, description, show=False, id=f"view.{binding_id}")
        for key, action, description, binding_id in [
            ("left", "cursor_left", "Left", "cursor_left"),
            ("right", "cursor_right", "Right", "cursor_right"),
            ("up", "cursor_up", "Up", "cursor_up"),
            ("down", "cursor_down", "Down", "cursor_down"),
            ("home", "cursor_line_start", "Line start", "cursor_line_start"),
            ("end", "cursor_line_end", "Line end", "cursor_line_end"),
            ("ctrl+home", "cursor_doc_start", "Top", "cursor_doc_start"),
            ("ctrl+end", "cursor_doc_end", "Bottom", "cursor_doc_end"),
            ("pageup", "cursor_page_up", "Page up", "cursor_page_up"),
            ("pagedown", "cursor_page_down", "Page down", "cursor_page_down"),
            ("ctrl+left", "cursor_word_left", "Word left", "cursor_word_left"),
            ("ctrl+right", "cursor_word_right", "Word right", "cursor_word_right"),
            ("shift+left", "cursor_left(True)", "Select left", "select_left"),
            ("shift+up", "cursor_up(True)", "Select up", "select_up"),
            ("shift+down", "cursor_down(True)", "Select down", "select_down"),
            ("shift+home", "cursor_line_start(True)", "Select to line start", "select_line_start"),
            ("shift+end", "cursor_line_end(True)", "Select to line end", "select_line_end"),
            ("ctrl+shift+home", "cursor_doc_start(True)", "Select to top", "select_doc_start"),
            ("ctrl+shift+end", "cursor_doc_end(True)", "Select to bottom", "select_doc_end"),
            ("shift+pageup", "cursor_page_up(True)", "Select page up", "select_page_up"),
            ("shift+pagedown", "cursor_page_down(True)", "Select page down", "select_page_down"),
            ("ctrl+shift+left", "cursor_word_left(True)", "Select word left", "select_word_left"),
            ("ctrl+shift+right", "cursor_word_right(True)", "Select word right", "select_word_right"),
        ]
    ] + [
        # The two shown in the footer; escape only while there is a selection (see check_action).
        Binding("shift+right", "cursor_right(True)", "Select", key_display="⇧→", id="view.select_right"),
        Binding("escape", "clear_selection", "Deselect", id="view.clear_selection"),
    ])

    OVERLAP_STYLE = Style(underline=True)
    FLAGGED_STYLE = Style(strike=True)
    LINKED_STYLE = Style(italic=True)  # a span with links: a subtle mark (the current one is bold)
    CURRENT_STYLE = Style(bold=True)  # plus a lightened background, see _emphasis
    # A background would hide the tag's colour (orange read as a hedge): on tags, lines instead.
    MATCH_STYLE = Style(color="black", bgcolor="yellow")
    CURRENT_MATCH_STYLE = Style(color="black", bgcolor="bright_yellow", bold=True, underline=True)
    MATCH_ON_TAG_STYLE = Style(bold=True, underline=True)
    CURRENT_MATCH_ON_TAG_STYLE = Style(bold=True, underline=True, overline=True, italic=True)
    SELECTION_STYLE = Style(reverse=True)
    CURSOR_STYLE = Style(reverse=True)
    STAND_IN_STYLE = Style(dim=True)

    class CursorMoved(Message):
        """The cursor moved to `offset`."""

        def __init__(self, view: DocumentView, offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

        @property
        def control(self) -> DocumentView:
            return self.view

    class SelectionChanged(Message):
        """The selection became `selection` ((start, end), or None when empty)."""

        def __init__(self, view: DocumentView, selection: tuple[int, int] | None) -> None:
            super().__init__()
            self.view = view
            self.selection = selection

        @property
        def control(self) -> DocumentView:
            return self.view

    def __init__(
        self,
        text: str = "",
        layer: Layer | None = None,
        tag_styles: Mapping[str, Style] | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._text = text
        self._layer = layer if layer is not None else Layer()
        self._tag_styles: Mapping[str, Style] = dict(tag_styles or {})
        self._cursor = 0
        self._anchor = 0
        self._current: Annotation | None = None
        self._chosen: str | None = None  # the annotation ] [ or a jump went to, while the cursor is in it
        self._matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._longest_match = 0
        self._current_match: int | None = None
        self._flagged: frozenset[str] = frozenset()
        self._wraps = WrapTable(text)  # width 0 until the view has a size
        self._is_linked: Callable[[str], bool] | None = None
        self._wrap_token = 0
        self._generation = 0  # bumped when text, wrap, annotations or styles change
        self._cache: LRUCache[tuple[Any, ...], Strip] = LRUCache(2048)
        self._emphasis_cache: dict[Style, Style] = {}
        self._goal_column: int | None = None  # kept across up/down moves
        self._dragging = False
        self._own_scroll = False  # set while the view scrolls to show the cursor

    # ---- content -------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self._text

    def load(self, text: str, layer: Layer | None = None) -> None:
        """Show a new document (and layer); the cursor goes to the start."""
        self._text = text
        if layer is not None:
            self._layer = layer
        self._cursor = self._anchor = 0
        self._matches, self._match_starts, self._current_match = [], [], None
        self._wraps.reset(text, 0)
        if self.is_mounted and self.size.width:
            self._rewrap()
        self.scroll_to(0, 0, animate=False)
        self.refresh_annotations()
        self.post_message(self.CursorMoved(self, 0))
        self.post_message(self.SelectionChanged(self, None))

    @property
    def annotations(self) -> Layer:
        return self._layer

    @annotations.setter
    def annotations(self, layer: Layer) -> None:
        self._layer = layer
        self.refresh_annotations()

    @property
    def tag_styles(self) -> Mapping[str, Style]:
        return self._tag_styles

    @tag_styles.setter
    def tag_styles(self, styles: Mapping[str, Style]) -> None:
        self._tag_styles = dict(styles)
        self._emphasis_cache.clear()
        self.refresh_annotations()

    def refresh_annotations(self) -> None:
        """Redraw after the layer, its annotations or the tag styles changed."""
        self._generation += 1
        self._current = self._annotation_at(self._cursor)
        self.refresh()

    def set_flagged(self, ids: Iterable[str]) -> None:
        """Annotations whose quote no longer holds; drawn struck through."""
        self._flagged = frozenset(ids)
        self.refresh_annotations()

    def set_linked(self, is_linked: Callable[[str], bool] | None) -> None:
        """Which annotations have links (asked as rows are drawn); drawn in italics."""
        self._is_linked = is_linked
        self.refresh_annotations()

    def set_matches(self, matches: Iterable[tuple[int, int]], current: int | None = None) -> None:
        """Search matches as (start, end) sorted by start; `current` indexes the one to stand out."""
        self._matches = [(start, end) for start, end in matches]
        self._match_starts = [start for start, _ in self._matches]
        self._longest_match = max((end - start for start, end in self._matches), default=0)
        self._current_match = current
        self.refresh()  # rows are cached by the matches they show (see _row_state): only those redraw

    def set_current_match(self, index: int | None) -> None:
        """Make match `index` stand out (it does not move the cursor or scroll)."""
        self._current_match = index
        self.refresh()

    @property
    def matches(self) -> Sequence[tuple[int, int]]:
        """The search matches, sorted (the view owns the search's state: the app asks it)."""
        return self._matches

    @property
    def current_match(self) -> int | None:
        """The index of the match that stands out, if any."""
        return self._current_match

    @property
    def current_annotation(self) -> Annotation | None:
        """The innermost annotation under the cursor."""
        return self._current

    # ---- cursor and selection --------------------------------------------------------------

    @property
    def cursor(self) -> int:
        return self._cursor

    @cursor.setter
    def cursor(self, offset: int) -> None:
        self.move_to(offset)

    @property
    def selection_anchor(self) -> int:
        """The selection's fixed end (equal to the cursor when nothing is selected)."""
        return self._anchor

    @property
    def selection(self) -> tuple[int, int] | None:
        if self._anchor == self._cursor:
            return None
        return (min(self._anchor, self._cursor), max(self._anchor, self._cursor))

    def move_to(self, offset: int, *, extend: bool = False, scroll: bool = True, center: bool = False) -> None:
        """Put the cursor at `offset` (snapped to a grapheme); `extend` keeps the anchor to select."""
        self._goal_column = None
        self._place(offset, self._anchor if extend else None, scroll, center)

    def select(self, start: int, end: int, *, scroll: bool = True, center: bool = False) -> None:
        """Select [start, end) with the cursor at `end`."""
        self._goal_column = None
        self._place(end, clamp_to_grapheme(self._text, start), scroll, center)

    def clear_selection(self) -> None:
        if self.selection is not None:
            self._place(self._cursor, None, scroll=False)

    def _place(self, offset: int, anchor: int | None, scroll: bool = True, center: bool = False) -> None:
        """Move the cursor (and anchor; None means "to the cursor"), redraw and post what changed."""
        old_cursor, old_anchor, old_selection, old_current = self._cursor, self._anchor, self.selection, self._current
        self._cursor = clamp_to_grapheme(self._text, offset)
        self._anchor = self._cursor if anchor is None else anchor
        self._current = self._annotation_at(self._cursor)
        if scroll:
            self.scroll_to_offset(self._cursor, center=center)
        # Repaint only the rows that changed (a scroll repaints everything anyway).
        self._refresh_span(old_cursor, self._cursor)
        if old_anchor != self._anchor:
            for span in (old_selection, self.selection):
                if span is not None:
                    self._refresh_span(*span)
        if old_current != self._current:
            for annotation in (old_current, self._current):
                if annotation is not None:
                    self._refresh_span(annotation.start, annotation.end)
        if self._cursor != old_cursor:
            self.post_message(self.CursorMoved(self, self._cursor))
        selection = self.selection
        if selection != old_selection:
            self.post_message(self.SelectionChanged(self, selection))
            if (selection is None) != (old_selection is None):
                self.refresh_bindings()

    def _refresh_span(self, start: int, end: int) -> None:
        """Repaint the visible rows showing offsets start..end."""
        if not self._wraps:
            return
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        first = max(self._wrapped_row(min(start, end)), top)
        last = min(self._wrapped_row(max(start, end)), top + height - 1)
        if first <= last:
            self.refresh_lines(first, last - first + 1)

    def choose(self, annotation: Annotation, *, scroll: bool = False) -> None:
        """The cursor to the annotation's start, and that annotation the one under it (not the
        innermost there) while the cursor stays in it: one that starts where a shorter one does
        ("Currently there are…" and "Currently") could not be reached by key."""
        before, cursor = _id_of(self._current), self._cursor
        self._chosen = annotation.id
        self._goal_column = None
        self._place(annotation.start, None, scroll)
        if self._cursor == cursor and _id_of(self._current) != before:  # ] to one starting there: the panels follow
            self.post_message(self.CursorMoved(self, self._cursor))

    def annotation_at(self, offset: int) -> Annotation | None:
        """The chosen annotation where it covers `offset`, else the innermost one there."""
        return self._annotation_at(offset)

    def _annotation_at(self, offset: int) -> Annotation | None:
        if self._chosen is not None:
            chosen = self._layer.get(self._chosen)
            if chosen is not None and chosen.start <= offset < chosen.end:
                return chosen
            self._chosen = None  # left it (or it is gone): the innermost again
        found = self._layer.overlapping(offset, offset + 1)
        return min(found, key=_innermost) if found else None

    # ---- wrapping and geometry ------------------------------------------------------------

    def _rewrap(self) -> None:
        """Wrap to the current width: the rows on screen now, the rest a chunk after each screen refresh."""
        region = self.scrollable_content_region
        width = region.width
        wraps = self._wraps
        if width <= 0 or width == wraps.width:
            return
        top = wraps.row_start(min(self.scroll_offset.y, len(wraps) - 1)) if wraps else 0
        wraps.reset(width=width)
        self._wrap_token += 1
        self._generation += 1
        if not wraps.wrap_screen(top, region.height):
            self.call_after_refresh(self._wrap_more, self._wrap_token)
        self._update_virtual_size()
        self._scroll_rows(self._wrapped_row(top))
        self.scroll_to_offset(self._cursor)

    def _wrap_more(self, token: int) -> None:
        if token != self._wrap_token or self._wraps.complete:
            return
        if not self._wraps.wrap_next(WRAP_CHUNK):
            self.call_after_refresh(self._wrap_more, token)
        else:
            self._size_when_still(token)  # only now: each change of it costs a repaint

    def _size_when_still(self, token: int) -> None:
        """The exact height once the whole text is wrapped, in a moment when the user is still
        (tui.core.pacing): it laid the screen out again (10-20 ms of CPU on the 5 MB bench document,
        which landed on the first keys pressed after the text showed); now it redraws the scrollbar
        (steady_layout.set_virtual_size), still out of the keys' way. Until then the estimate stands
        (pacing.LONGEST at most); a scroll that needs the exact height gets it at once (_scroll_rows)."""
        def exact() -> None:
            if token == self._wrap_token:  # else rewrapped since: that wrap sets its own size
                self._update_virtual_size()

        pacing.when_still(exact, self.set_timer)

    def _wrapped_row(self, offset: int) -> int:
        """The row of `offset`, wrapping as far as it first (a stretch, not the whole document)."""
        self._wrap_through(self._wraps.wrap_through_offset, offset)
        return self._wraps.row_of(offset)

    def _wrap_through_row(self, row: int) -> None:
        """Wrap until `row` and the row after it are in the table."""
        self._wrap_through(self._wraps.wrap_through_row, row)

    def _wrap_through(self, wrap: Callable[[int], bool], where: int) -> None:
        if self._wraps.complete:
            return
        if wrap(where):
            self.call_later(self._update_virtual_size)  # not now: this may run while a frame is drawn

    def _update_virtual_size(self) -> None:
        set_virtual_size(self, Size(self._wraps.width, self._wraps.estimated_rows()))

    def location(self, offset: int) -> tuple[int, int]:
        """(row, column in cells) where `offset` is drawn."""
        row = self._wrapped_row(offset)
        return row, self._wraps.column_of(offset)

    def offset_at_point(self, x: int, y: int) -> int:
        """The offset drawn at content cell (x, y) of the widget (clamped to the document)."""
        if not self._wraps:
            return 0
        row = self.scroll_offset.y + y
        if row < 0:
            return 0
        self._wrap_through_row(row)
        if row >= len(self._wraps):
            return len(self._text)
        return self._wraps.offset_at(row, max(0, x))

    def scroll_to_offset(self, offset: int, *, center: bool = False) -> None:
        """Scroll (no animation) so the row of `offset` is in view."""
        if not self._wraps:
            return
        row = self._wrapped_row(offset)
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if height <= 0:
            return
        if center and not top <= row < top + height:
            self._scroll_rows(row - height // 2)
        elif row < top:
            self._scroll_rows(row)
        elif row >= top + height:
            self._scroll_rows(row - height + 1)

    def reveal(self, start: int, end: int) -> None:
        """Scroll so the whole of start..end is in view (centred when it was not), or its start if too tall."""
        if not self._wraps:
            return
        first, last = self._wrapped_row(start), self._wrapped_row(max(start, end - 1))
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if height <= 0 or (top <= first and last < top + height):
            return
        span = last - first + 1
        self._scroll_rows(first if span >= height else first - (height - span) // 2)

    def _scroll_rows(self, y: int) -> None:
        if self._wraps.complete and self.virtual_size.height != len(self._wraps):
            self._update_virtual_size()  # the exact height, waiting for a still moment: needed now
        self._own_scroll = True
        try:
            self.scroll_to(y=max(0, y), animate=False)
        finally:
            self._own_scroll = False

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # Scrolling by wheel or scrollbar brings the cursor along, unless a selection would change.
        if self._own_scroll or self._dragging or self.selection is not None or not self._wraps:
            return
        row = self._wrapped_row(self._cursor)
        top, height = round(new_value), self.scrollable_content_region.height
        if height > 0 and not top <= row < top + height:
            target = top if row < top else top + height - 1
            column = self._wraps.column_of(self._cursor)
            goal = self._goal_column if self._goal_column is not None else column
            self._wrap_through_row(target)
            target = min(target, len(self._wraps) - 1)
            self._place(self._wraps.offset_at(target, goal), None, False)
            self._goal_column = goal

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._generation += 1  # the theme may have changed the base colours

    # ---- drawing ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.scrollable_content_region.width != self._wraps.width:
            self._rewrap()  # wrap before drawing: the Resize message only comes after this frame
        if self._wraps:
            self._wrap_through_row(self.scroll_offset.y + crop.bottom)  # e.g. after a jump down the scrollbar
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._wraps.width
        row = self.scroll_offset.y + y
        if not width or row >= len(self._wraps):
            return Strip.blank(self.scrollable_content_region.width, self.rich_style)
        key = (row, width, self._generation, *self._row_state(row))
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._render_row(row, width)
        return strip

    def _row_state(self, row: int) -> tuple[Any, ...]:
        """What of the cursor, selection, current annotation and search matches falls on `row`.

        Matches go in as spans, the current one by its span too (an index would name another
        match once the list changes): a new search redraws only the rows whose matches changed.
        """
        start, stop = self._wraps.row_start(row), self._wraps.row_stop(row)
        cursor = self._cursor if start <= self._cursor < stop else -1
        selection = self.selection
        if selection is not None:
            low, high = max(selection[0], start), min(selection[1], stop)
            selection = (low, high) if low < high else None
        current = self._current
        current_id = current.id if current is not None and self._overlaps(current.span, start, stop) else None
        match = self._current_match
        if match is not None and not 0 <= match < len(self._matches):
            match = None
        current_span = self._matches[match] if match is not None else None
        if current_span is not None and not self._overlaps(current_span, start, stop):
            current_span = None
        spans = tuple(span for _, span in self._matches_in(start, stop)) if self._matches else ()
        return (cursor, selection, current_id, current_span, spans)

    @staticmethod
    def _overlaps(span: tuple[int, int], start: int, stop: int) -> bool:
        return span[0] < stop and span[1] > start

    def _render_row(self, row: int, width: int) -> Strip:
        text = self._text
        start, end = self._wraps.row_span(row)
        raw = text[start:end]
        drawn = as_drawn(raw)
        stand_ins = None if drawn is raw else [m.start() + start for m in DRAWN_AS_STAND_IN.finditer(raw)]
        plain = drawn.isascii() or is_single_cell(drawn)
        base = self.rich_style
        annotations = self._layer.overlapping(start, end) if end > start else []
        matches = self._matches_in(start, end)
        selection = self.selection
        cursor = self._cursor if selection is None else -1
        cursor_end = next_grapheme(text, cursor) if start <= cursor < end else -1

        cuts = {start, end, cursor, cursor_end}
        for annotation in annotations:
            cuts.add(annotation.start)
            cuts.add(annotation.end)
        for _, span in matches:
            cuts.update(span)
        if selection is not None:
            cuts.update(selection)
        if stand_ins:  # each stand-in its own segment, to be dimmed
            cuts.update(stand_ins)
            cuts.update(offset + 1 for offset in stand_ins)
        cuts = {cut for cut in cuts if start <= cut <= end}
        if not plain:  # a style change inside a grapheme would split it and break cell counts
            cuts = {clamp_to_grapheme(text, cut) for cut in cuts}

        segments: list[Segment] = []
        for left, right in pairwise(sorted(cuts)):
            style = self._style_at(left, annotations, matches, selection)
            if left == cursor:
                style += self.CURSOR_STYLE
            if stand_ins and right == left + 1 and DRAWN_AS_STAND_IN.match(raw, left - start):
                style += self.STAND_IN_STYLE
            segments.append(Segment(drawn[left - start : right - start], base + style))
        cells = len(drawn) if plain else cell_width(drawn)
        if self._wraps.is_last_in_paragraph(row):
            # The cell after the text stands for the newline: the cursor or a selected newline shows there.
            if cursor == end:
                segments.append(Segment(" ", base + self.CURSOR_STYLE))
                cells += 1
            elif end < len(text) and self._selected(end):
                segments.append(Segment(" ", base + self.SELECTION_STYLE))
                cells += 1
        if cells < width:
            segments.append(Segment(" " * (width - cells), base))
        return Strip(segments, max(cells, width))

    def _selected(self, offset: int) -> bool:
        selection = self.selection
        return selection is not None and selection[0] <= offset < selection[1]

    def _matches_in(self, start: int, end: int) -> list[tuple[int, tuple[int, int]]]:
        """(index, span) of the search matches that overlap [start, end)."""
        low = bisect_left(self._match_starts, start - self._longest_match)
        high = bisect_left(self._match_starts, end)
        return [(index, self._matches[index]) for index in range(low, high) if self._matches[index][1] > start]

    def _style_at(
        self,
        offset: int,
        annotations: list[Annotation],
        matches: list[tuple[int, tuple[int, int]]],
        selection: tuple[int, int] | None,
    ) -> Style:
        style = Style()
        covering = [a for a in annotations if a.start <= offset < a.end]
        if covering:
            innermost = min(covering, key=_innermost)
            style = self._tag_styles.get(innermost.tag, Style())
            if len(covering) > 1:
                style += self.OVERLAP_STYLE
            if self._flagged and any(a.id in self._flagged for a in covering):
                style += self.FLAGGED_STYLE
            if self._is_linked is not None and self._is_linked(innermost.id):
                style += self.LINKED_STYLE
            if self._current is not None and any(a.id == self._current.id for a in covering):
                style = self._emphasis(style)
        for index, (match_start, match_end) in matches:
            if match_start <= offset < match_end:
                current = index == self._current_match
                if covering:
                    style += self.CURRENT_MATCH_ON_TAG_STYLE if current else self.MATCH_ON_TAG_STYLE
                else:
                    style += self.CURRENT_MATCH_STYLE if current else self.MATCH_STYLE
        if selection is not None and selection[0] <= offset < selection[1]:
            style += self.SELECTION_STYLE
        return style

    def _emphasis(self, style: Style) -> Style:
        """The current annotation's look: bold, with its background lightened."""
        emphasised = self._emphasis_cache.get(style)
        if emphasised is None:
            emphasised = style + self.CURRENT_STYLE
            if style.bgcolor is not None:
                lighter = blend_rgb(style.bgcolor.get_truecolor(), _WHITE, 0.35)
                emphasised += Style(bgcolor=Color.from_triplet(lighter))
            else:
                emphasised += Style(italic=True)
            self._emphasis_cache[style] = emphasised
        return emphasised

    # ---- keys ------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_selection":
            return self.selection is not None  # otherwise escape goes on to the app
        return True

    def action_clear_selection(self) -> None:
        """Esc: the cursor goes to the selection's start, on what was selected (a search's match, say),
        not past its end, where the annotation just found was not "under the cursor" for l, Enter, d."""
        if self.selection is not None:
            self._place(self.selection[0], None, scroll=False)

    def action_cursor_left(self, select: bool = False) -> None:
        if self.selection is not None and not select:
            self.move_to(self.selection[0])
        else:
            self.move_to(previous_grapheme(self._text, self._cursor), extend=select)

    def action_cursor_right(self, select: bool = False) -> None:
        if self.selection is not None and not select:
            self.move_to(self.selection[1])
        else:
            self.move_to(next_grapheme(self._text, self._cursor), extend=select)

    def action_cursor_up(self, select: bool = False) -> None:
        self._move_rows(-1, select)

    def action_cursor_down(self, select: bool = False) -> None:
        self._move_rows(1, select)

    def action_cursor_page_up(self, select: bool = False) -> None:
        self._page(-1, select)

    def action_cursor_page_down(self, select: bool = False) -> None:
        self._page(1, select)

    def action_cursor_line_start(self, select: bool = False) -> None:
        self.move_to(self._wraps.row_start(self._wrapped_row(self._cursor)) if self._wraps else 0, extend=select)

    def action_cursor_line_end(self, select: bool = False) -> None:
        if not self._wraps:
            return
        self.move_to(self._wraps.line_end(self._wrapped_row(self._cursor)), extend=select)

    def action_cursor_doc_start(self, select: bool = False) -> None:
        self.move_to(0, extend=select)

    def action_cursor_doc_end(self, select: bool = False) -> None:
        self.move_to(len(self._text), extend=select)

    def action_cursor_word_left(self, select: bool = False) -> None:
        self.move_to(previous_word_start(self._text, self._cursor), extend=select)

    def action_cursor_word_right(self, select: bool = False) -> None:
        self.move_to(next_word_end(self._text, self._cursor), extend=select)

    def _move_rows(self, delta: int, select: bool) -> None:
        """Up or down by visual rows, keeping the column (in cells) the moves started from."""
        if not self._wraps:
            return
        row, column = self.location(self._cursor)
        goal = self._goal_column if self._goal_column is not None else column
        target = row + delta
        self._wrap_through_row(max(target, 0))
        if target < 0:
            offset = 0
        elif target >= len(self._wraps):
            offset = len(self._text)
        else:
            offset = self._wraps.offset_at(target, goal)
        self._place(offset, self._anchor if select else None)
        self._goal_column = goal

    def _page(self, direction: int, select: bool) -> None:
        rows = max(1, self.scrollable_content_region.height - 1)
        self._scroll_rows(self.scroll_offset.y + direction * rows)
        self._move_rows(direction * rows, select)

    # ---- mouse -----------------------------------------------------------------------------

    def _mouse_offset(self, event: events.MouseEvent) -> int:
        point = event.get_content_offset_capture(self)
        height = self.scrollable_content_region.height
        if self._dragging and (point.y < 0 or point.y >= height):
            self._scroll_rows(self.scroll_offset.y + (-1 if point.y < 0 else 1))  # drag past an edge
        return self.offset_at_point(point.x, min(max(point.y, 0), max(height - 1, 0)) if self._dragging else point.y)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        self._dragging = True
        self.capture_mouse()
        self.move_to(self._mouse_offset(event), extend=event.shift)
        event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging:
            self.move_to(self._mouse_offset(event), extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_click(self, event: events.Click) -> None:
        if event.chain < 2 or event.button != 1:
            return
        offset = self._mouse_offset(event)
        start, end = word_at(self._text, offset) if event.chain == 2 else paragraph_at(self._text, offset)
        if end > start:
            self.select(start, end)


__all__ = ["DocumentView"]


def _id_of(annotation: Annotation | None) -> str | None:
    return None if annotation is None else annotation.id
