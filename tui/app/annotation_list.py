"""The annotations panel: every annotation in document order, one row each."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import BindingType

from tui.app.cells import fit, plain, snippet
from tui.app.row_list import RowList, list_bindings
from tui.core.annotation import Annotation
from tui.core.layer import Ordered
from tui.core.safe_text import shown_line
from tui.core.session import Session

NOTE_MARK = "✎"
NOTE_START = 8  # cells: less of a note than this says nothing; the ✎ alone says there is one
ANCHOR_MARKS = {"moved": "⚠", "fuzzy": "⚠", "orphan": "✗"}  # the text changed under these


class AnnotationList(RowList):
    BINDINGS: ClassVar[list[BindingType]] = list_bindings("list")
    EMPTY = "no annotations yet"

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.tag_filter: str | None = None
        self.statuses: dict[str, str] = {}  # annotation id -> moved, fuzzy or orphan
        self.ordered: Ordered | None = None  # the rows shown: RowList's rows, typed as what they are
        self.border_title = "annotations"

    def rebuild(self) -> None:
        """Recompute the rows after a change or a new filter."""
        items = self.ordered = self.session.layer.in_order(self.tag_filter)  # rows are made only when drawn
        self.set_rows(items)
        self.border_subtitle = plain(f"{len(items):,}" + (f" {self.tag_filter}" if self.tag_filter else ""))

    def on_mount(self) -> None:
        self.rebuild()

    def highlight_annotation(self, annotation: Annotation | None) -> None:
        """Follow the document's cursor: highlight this annotation's row."""
        if annotation is None or not self.rows or self.ordered is None:
            return
        index = self.ordered.index_of(annotation.id)
        if index is not None:
            self.set_highlight(index)

    def render_row(self, annotation: Annotation, width: int, base: Style) -> list[Segment]:
        """█ tag  as much of the quote as fits  ✎ the start of the note (a long quote leaves it a third)."""
        colour = self.session.tags.colour_of(annotation.tag)
        status = self.statuses.get(annotation.id)
        tag_width = min(10, max(4, width // 4))
        room = max(0, width - 2 - tag_width - 1)
        segments = [
            Segment("█ ", base + Style(color=colour)),
            Segment(fit(shown_line(annotation.tag), tag_width) + " ", base + Style(color=colour, bold=True)),
        ]
        if status:
            segments.append(Segment(ANCHOR_MARKS[status] + " ", base + Style(color="yellow", bold=True)))
            room -= 2
        quote = shown_line(snippet(annotation.quote, room - (2 if annotation.note else 0)))
        if annotation.note and quote.endswith("…") and room // 3 >= NOTE_START:
            quote = shown_line(snippet(annotation.quote, room - room // 3))  # a long quote leaves the note a third
        segments.append(Segment(quote, base))
        left = room - cell_len(quote)
        if annotation.note:
            segments.append(Segment(" " + NOTE_MARK, base + Style(color="yellow", bold=True)))
            if left - 3 >= NOTE_START - 3:  # a start worth reading, or just the mark
                note = shown_line(snippet(annotation.note, left - 3))
                segments.append(Segment(" " + note, base + Style(dim=True, italic=True)))
        return segments
