"""The links panel: the links of the annotation under the cursor, both ways (shown only when it has some).

Enter follows a link to its other end; x (or delete) removes it (undoable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget

from tui.app.cells import fit, snippet
from tui.app.row_list import RowList
from tui.core.annotation import Annotation
from tui.core.links import Link
from tui.core.safe_text import shown_line
from tui.core.session import Session


@dataclass(frozen=True)
class LinkRow:
    outgoing: bool  # the annotation is the link's source
    key: str  # the link's record in the layer file
    link: Link
    other: Annotation | None  # None: the other end no longer exists (see `hedgerow check`)


class LinksPanel(RowList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False, id="links.up"),
        Binding("down", "move(1)", "Down", show=False, id="links.down"),
        Binding("enter", "follow", "Follow", id="links.follow"),
        Binding("x,delete", "remove", "Unlink", id="links.remove"),
    ]
    DEFAULT_CSS = """
    LinksPanel {
        height: auto;
        max-height: 7;
        min-height: 3;
        border: round $secondary 40%;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
        padding: 0 1;
    }
    LinksPanel:focus {
        border: round $secondary;
    }
    """
    EMPTY = "no links · l starts one"

    class Follow(Message):
        """Go to this annotation (the other end of a link)."""

        def __init__(self, annotation: Annotation) -> None:
            super().__init__()
            self.annotation = annotation

    class Remove(Message):
        def __init__(self, key: str, link: Link) -> None:
            super().__init__()
            self.key, self.link = key, link

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.annotation_id: str | None = None
        self._shown: tuple[str | None, int] | None = None
        self._relation_width = 0  # the longest relation name listed: one column, names whole where they fit
        self.border_title = "links"
        self.display = False  # until the annotation under the cursor has links

    def show(self, annotation: Annotation | None) -> None:
        """List the links of `annotation` (None: the cursor is on no annotation)."""
        shown = (annotation.id if annotation else None, self.session.version)
        if shown == self._shown:  # the cursor moved within the same annotation: nothing to redo
            return
        self._shown = shown
        self.annotation_id = annotation.id if annotation else None
        rows: list[LinkRow] = []
        if annotation is not None:
            links, layer = self.session.links, self.session.layer
            rows = [LinkRow(link.source == annotation.id, key, link,
                            layer.get(link.target if link.source == annotation.id else link.source))
                    for key, link in links.keyed(annotation.id)]
            rows.sort(key=lambda r: (not r.outgoing, r.link.relation, r.other.start if r.other else -1))
        if not rows and not self.rows:
            return  # still nothing to show: no layout to redo
        self._relation_width = max((len(shown_line(row.link.relation)) for row in rows), default=0)
        self.set_rows(rows)
        height = max(3, min(7, len(rows) + 2))
        if self.styles.height is None or self.styles.height.value != height:
            self.styles.height = height
        if self.display != bool(rows):
            self.display = bool(rows)  # out of the way until the annotation under the cursor has links
        self.border_subtitle = self._subtitle(len(rows)) if rows else ""

    def _subtitle(self, count: int) -> str:
        """The count and the keys, as much as fits the border: it was cut ("2 · ⏎ follow · x unli…")."""
        room = (self.size.width or self.parent_width()) - 4  # the corners, a space each side
        wordings = (f"{count} · ⏎ follow · x unlink", f"{count} · ⏎ follow · x", f"{count} · ⏎ · x", str(count))
        return next((wording for wording in wordings if len(wording) <= room), wordings[-1])

    def parent_width(self) -> int:
        return self.parent.size.width if isinstance(self.parent, Widget) else 0

    def on_resize(self) -> None:
        super().on_resize()
        if self.rows:
            self.border_subtitle = self._subtitle(len(self.rows))

    def render_row(self, row: LinkRow, width: int, base: Style) -> list[Segment]:
        other = row.other
        arrow = "→" if row.outgoing else "←"
        relation = fit(shown_line(row.link.relation), min(self._relation_width, max(2, width // 2)))
        if other is None:
            return [Segment(f"{arrow} {relation} ", base),
                    Segment("✗ its other end is gone", base + Style(color="red"))]
        colour = self.session.tags.colour_of(other.tag)
        room = max(0, width - 4 - len(relation))
        return [
            Segment(f"{arrow} ", base + Style(bold=True)),
            Segment(f"{relation} ", base + Style(dim=True)),
            Segment("█ ", base + Style(color=colour)),
            Segment(snippet(shown_line(other.quote), room - 2), base),
        ]

    def _user_move(self, index: int) -> None:
        if self.rows:  # browsing the links does not move the document
            self.set_highlight(index)

    def action_follow(self) -> None:
        row = self.current
        if row is not None and row.other is not None:
            self.post_message(self.Follow(row.other))

    def action_remove(self) -> None:
        row = self.current
        if row is not None:
            self.post_message(self.Remove(row.key, row.link))

    def on_click(self, event: events.Click) -> None:
        event.prevent_default()  # not RowList's: it would move the document
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = offset.y + self.scroll_offset.y
        if 0 <= row < len(self.rows):
            self.set_highlight(row)
            if event.chain >= 2:
                self.action_follow()
