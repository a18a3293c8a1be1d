"""The annotations panel: every annotation in document order, one row each, drawn with the Line API.

It renders only the rows in view, so 100,000 annotations cost what 20 do.
"""

from __future__ import annotations

from bisect import bisect_left

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.core.annotation import Annotation
from tui.core.session import Session

NOTE_MARK = "✎"
FLAG_MARK = "⚠"


class AnnotationList(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="list.up"),
        Binding("down", "move(1)", "Down", show=False, id="list.down"),
        Binding("pageup", "page(-1)", show=False, id="list.page_up"),
        Binding("pagedown", "page(1)", show=False, id="list.page_down"),
        Binding("home", "edge(0)", show=False, id="list.first"),
        Binding("end", "edge(1)", show=False, id="list.last"),
        Binding("enter", "jump", "Go to", id="list.jump"),
    ]

    class Jump(Message):
        """The user chose an annotation in the list."""

        def __init__(self, annotation: Annotation) -> None:
            super().__init__()
            self.annotation = annotation

    def __init__(self, session: Session, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.tag_filter: str | None = None
        self.flagged: set[str] = set()
        self.rows: list[Annotation] = []
        self.highlighted = 0
        self.border_title = "annotations"

    def rebuild(self) -> None:
        """Recompute the rows after a change or a new filter."""
        items = self.session.layer.items()
        if self.tag_filter:
            items = [a for a in items if a.tag == self.tag_filter]
        self.rows = items
        self.highlighted = min(self.highlighted, max(0, len(items) - 1))
        self.virtual_size = Size(self.scrollable_content_region.width, len(items))
        label = f"{len(items):,}" if not self.tag_filter else f"{len(items):,} {self.tag_filter}"
        self.border_subtitle = label
        self.refresh()

    def on_mount(self) -> None:
        self.rebuild()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows))

    def highlight_annotation(self, annotation: Annotation | None) -> None:
        """Follow the document's cursor: highlight this annotation's row."""
        if annotation is None or not self.rows:
            return
        index = bisect_left(self.rows, annotation.sort_key(), key=Annotation.sort_key)
        if index < len(self.rows) and self.rows[index].id == annotation.id:
            self._set_highlight(index)

    def _set_highlight(self, index: int) -> None:
        self.highlighted = max(0, min(index, len(self.rows) - 1))
        self.scroll_to_region_row(self.highlighted)
        self.refresh()

    def scroll_to_region_row(self, row: int) -> None:
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if row < top:
            self.scroll_to(y=row, animate=False)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False)

    @property
    def current(self) -> Annotation | None:
        return self.rows[self.highlighted] if self.rows else None

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = self.scroll_offset.y + y
        if row >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        annotation = self.rows[row]
        base = self.rich_style
        if row == self.highlighted:
            base = base + Style(reverse=True) if self.has_focus else base + Style(bold=True, underline=True)
        colour = self.session.tags.colour_of(annotation.tag)
        marks = (FLAG_MARK if annotation.id in self.flagged else "") + (NOTE_MARK if annotation.note else "")
        quote = " ".join(annotation.quote.split())
        tag_width = min(11, max(4, width // 3))
        segments = [
            Segment("█ ", base + Style(color=colour)),
            Segment(annotation.tag[:tag_width].ljust(tag_width) + " ", base + Style(color=colour, bold=True)),
        ]
        room = max(0, width - 2 - tag_width - 1 - len(marks) - (1 if marks else 0))
        text = quote if len(quote) <= room else quote[: max(0, room - 1)] + "…"
        segments.append(Segment(text.ljust(room), base))
        if marks:
            segments.append(Segment(" " + marks, base + Style(color="yellow", bold=True)))
        return Strip(segments).crop_extend(0, width, base)

    def action_move(self, delta: int) -> None:
        if self.rows:
            self._set_highlight(self.highlighted + delta)

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, end: int) -> None:
        if self.rows:
            self._set_highlight(len(self.rows) - 1 if end else 0)

    def action_jump(self) -> None:
        if self.current is not None:
            self.post_message(self.Jump(self.current))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:  # on the border
            return
        row = offset.y + self.scroll_offset.y
        if 0 <= row < len(self.rows):
            self._set_highlight(row)
            self.post_message(self.Jump(self.rows[row]))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
