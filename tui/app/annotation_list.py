"""The annotations panel: every annotation in document order, one row each."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style

from tui.app.cells import fit
from tui.app.row_list import RowList, list_bindings
from tui.core.annotation import Annotation
from tui.core.layer import Ordered
from tui.core.session import Session

NOTE_MARK = "✎"
ANCHOR_MARKS = {"moved": "⚠", "fuzzy": "⚠", "orphan": "✗"}  # the text changed under these


class AnnotationList(RowList):
    BINDINGS = list_bindings("list")
    EMPTY = "no annotations yet"

    def __init__(self, session: Session, **kwargs) -> None:
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
        self.border_subtitle = f"{len(items):,}" + (f" {self.tag_filter}" if self.tag_filter else "")

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
        colour = self.session.tags.colour_of(annotation.tag)
        status = self.statuses.get(annotation.id)
        marks = (ANCHOR_MARKS[status] if status else "") + (NOTE_MARK if annotation.note else "")
        tag_width = min(11, max(4, width // 3))
        room = width - 2 - tag_width - 1 - (len(marks) + 1 if marks else 0)
        segments = [
            Segment("█ ", base + Style(color=colour)),
            Segment(fit(annotation.tag, tag_width) + " ", base + Style(color=colour, bold=True)),
            Segment(fit(annotation.quote, room), base),
        ]
        if marks:
            segments.append(Segment(" " + marks, base + Style(color="yellow", bold=True)))
        return segments
