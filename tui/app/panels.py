"""The side panels that are not lists: the document's details and the tag legend."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import Vertical
from textual.css.scalar import Scalar, Unit
from textual.widgets import Static

from tui.app.cells import plain
from tui.core.annotation import Annotation
from tui.core.safe_text import shown, shown_line
from tui.core.session import Session

ENTITY_ROWS = 2  # the details' rows for an entity at most


class FittedStatic(Static):
    """A Static of `height: auto` whose new content redoes the screen's layout only when its height
    changes. A layout refresh repaints every widget on the screen: with the details and the legend
    following the cursor, a key press that moved onto another annotation cost three times its own
    rows (31 layouts for 30 Down keys in a 5 MB document with 100,000 annotations)."""

    _rows: int | None = None  # the content's height at the width it was last shown at

    def show(self, content: RenderableType, same_height: bool = False) -> None:
        """Show `content`; `same_height` when the caller knows it has as many rows as what it replaces
        (measuring renders it all once more: on every key that moves the cursor between tags)."""
        self.update(content, layout=False)
        if same_height and self._rows is not None:
            return
        width = self.size.width  # set before Resize is sent; content_region can still be the old layout's
        rows = self.get_content_height(self.size, self.app.size, width) if width and self.is_mounted else None
        known = self._rows
        if known is None and self.size.height:
            known = self.size.height  # the rows the layout gave the content first shown
        self._rows = rows
        if rows is None or rows != known:
            self.refresh(layout=True)


class DocumentPanel(FittedStatic):
    """Title, path, length, annotator, and whether the work is saved."""

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.save_state = "saved"
        self.save_error = ""
        self.anchor_counts: dict[str, int] = {}
        self.annotation: Annotation | None = None  # the one under the cursor: its tag and whole note
        self._description_rows_at = (0, 1)  # (width, rows): the codebook's longest tag line's rows
        self.border_title = "document"

    def show_annotation(self, annotation: Annotation | None) -> None:
        if annotation != self.annotation:
            self.annotation = annotation
            self.refresh_details()

    def set_anchor_counts(self, statuses: dict[str, str]) -> None:
        counts: dict[str, int] = {}
        for status in statuses.values():
            counts[status] = counts.get(status, 0) + 1
        self.anchor_counts = counts
        self.refresh_details()

    def set_save_state(self, state: str, error: str = "") -> None:
        self.save_state, self.save_error = state, error
        self.refresh_details()

    def refresh_details(self) -> None:
        session, document = self.session, self.session.document
        width = max(8, self.size.width or 30)
        size = "the document is empty" if document.is_empty else f"{len(document.text):,} characters"
        name = Text(shown_line(document.path.name), style="dim")
        room = width - 3 - len(size)  # the name gives way, the length stays whole (the text pane's title names it)
        if name.cell_len > room >= 4:
            name.truncate(room, overflow="ellipsis")
        lines = [Text(shown_line(document.title), style="bold"),
                 Text.assemble(name, " · ", (size, "bold yellow" if document.is_empty else ""))]
        for line in lines:  # one row each
            line.truncate(width, overflow="ellipsis")
        # The annotator whole, wrapped: two names sharing a prefix must not look the same.
        lines.append(Text.assemble(("annotator ", "dim"), shown_line(session.annotator)))
        who = Text()
        if self.save_state == "loading":
            who.append("… loading annotations", style="yellow")
        elif self.save_state == "aside":  # the whole message is the notice's; here, where the work is
            aside = session.aside.name if session.aside else "a file beside it"
            who.append_text(Text.assemble(("⚠ not written over: ", "bold red"),
                                          (shown(f"{session.store.path.name} changed on disk; this session's "
                                                 f"annotations are in {aside}"), "red")))
        elif self.save_state == "error":
            who.append_text(Text.assemble(("✗ not saved, retrying: ", "bold red"), (shown(self.save_error), "red")))
        elif self.save_state == "saving" or session.dirty:
            who.append("… saving", style="yellow")
        else:
            who.append("✓ saved", style="green")
        lines.append(who)
        if self.anchor_counts:
            found = self.anchor_counts.get("moved", 0) + self.anchor_counts.get("fuzzy", 0)
            orphans = self.anchor_counts.get("orphan", 0)
            lines.append(Text(f"⚠ {found:,} moved · {orphans:,} orphaned · R", style="bold yellow"))
        lines += self._annotation_lines(width)
        self.show(Text("\n").join(lines))

    def _annotation_lines(self, width: int) -> list[Text]:
        """The annotation under the cursor: its tag and the tag's whole description, its entity if it
        has one, then its whole note. The description gets as many rows as the codebook's longest
        needs at this width, and the note a row at least, so that moving the cursor changes the
        panel's height only for a note longer than a row (a new height lays the whole screen out again)."""
        rows = self._description_rows(width)
        annotation = self.annotation
        if annotation is None:
            lines = [Text("no annotation under the cursor", style="dim"), Text("select text, then 1-9 tags it",
                                                                                 style="dim")]
            return lines + [Text("")] * max(0, rows + 1 - len(lines))
        # The actor's canonical name (E sets it), on up to two rows. The tag's description gives way to
        # it (the legend and the help have it), so the panel keeps its height and the note its row.
        entity = self._cut(Text.assemble(("entity ", "dim"), shown_line(annotation.entity)), ENTITY_ROWS, width) \
            if annotation.entity else []
        # A tag outside the codebook, or a short terminal: the note comes first.
        wrapped = self._cut(self._tag_line(annotation.tag), max(1, rows - len(entity)), width)
        note = Text.assemble(("✎ ", "yellow"), shown(annotation.note)) if annotation.note else \
            Text("✎ no note", style="dim")
        return [*wrapped, *entity, note, *[Text("")] * (rows - len(wrapped) - len(entity))]  # blank rows last

    def _cut(self, line: Text, rows: int, width: int) -> list[Text]:
        """`line` wrapped at `width`, on `rows` rows at most: the last one cut with "…"."""
        wrapped = list(line.wrap(self.app.console, width))
        if len(wrapped) > rows:
            wrapped = wrapped[:rows]
            wrapped[-1].truncate(width - 1)
            wrapped[-1].append("…", style="dim")
        return wrapped

    def _tag_line(self, name: str) -> Text:
        tags = self.session.tags
        tag = tags.get(name)
        return Text.assemble(("█ ", tags.colour_of(name)), (shown_line(name), "bold"),
                             (f" — {shown_line(tag.description)}" if tag and tag.description else "", "dim"))

    def _rows_of(self, line: Text, width: int) -> int:
        return len(line.wrap(self.app.console, width))

    def _description_rows(self, width: int) -> int:
        """The rows the longest of the codebook's tag lines needs at `width` (kept per width); two
        at most in a terminal under 30 rows, where the note needs the room more."""
        if self._description_rows_at[0] != width:
            rows = max((self._rows_of(self._tag_line(tag.name), width) for tag in self.session.tags), default=1)
            self._description_rows_at = (width, rows)
        return min(self._description_rows_at[1], 2 if self.app.size.height < 30 else 99)

    def on_mount(self) -> None:
        self.refresh_details()

    def on_resize(self) -> None:
        self.refresh_details()


class TagLegend(FittedStatic):
    """Key, colour, name and count of each tag; the active filter is marked."""

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.filter: str | None = None
        self.current: str | None = None  # the tag under the cursor or the selection: its description shows
        self.border_title = "tags"

    def show_current(self, tag: str | None) -> None:
        if tag != self.current:
            self.current = tag
            self.refresh_counts(same_height=True)  # the same rows: the description's is kept for it, no-wrap

    def refresh_counts(self, same_height: bool = False) -> None:
        counts = self.session.layer.counts()
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(width=1)
        table.add_column(width=2)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right")
        names = list(self.session.tags.names) + sorted(set(counts) - set(self.session.tags.names))
        for name in names:
            tag = self.session.tags.get(name)
            colour = self.session.tags.colour_of(name)
            marker = "▸" if self.filter == name else " "
            table.add_row(Text(tag.key if tag else "", style="bold"), Text("██", style=colour),
                          Text(marker + shown_line(name), style="bold" if self.filter == name or self.current == name
                               else ""),
                          str(counts.get(name, 0)))
        # The description of the tag under the cursor, in a row kept for it below the tags: the legend's
        # height never changes as the cursor moves (a new height lays the screen out again).
        current = self.session.tags.get(self.current) if self.current else None
        description = shown_line(current.description) if current is not None and current.description else ""
        table.add_row("", "", Text(description, style="dim italic", overflow="ellipsis", no_wrap=True), "")
        if self.filter:
            self.border_subtitle = plain(f"filter: {self.filter} (f)")
        else:
            self.border_subtitle = "f filters"
        self.show(table, same_height)

    def on_mount(self) -> None:
        self.refresh_counts()


class Sidebar(Vertical):
    """The side panels, fitted to the screen's height: the details give up rows (45% at most, in the
    CSS) so that the links, the legend and the annotation list's least (its border and two rows)
    always fit under them. At 80x24 an annotation with links pushed the list's bottom off the screen."""

    LIST_LEAST = 4  # rows: #annotations' min-height in app.tcss
    DETAILS_LEAST = 3  # rows: the details' border and a row

    def fit(self) -> None:
        """Set the details' most rows for the panels shown now (a links panel shown or hidden, a resize)."""
        height = self.size.height
        details = next((child for child in self.children if isinstance(child, DocumentPanel)), None)
        if not height or details is None:
            return
        others = sum(self._rows_of(child) for child in self.children
                     if child is not details and child.display and child.id != "annotations")
        rows = max(self.DETAILS_LEAST, min(height * 45 // 100, height - others - self.LIST_LEAST))
        if details.styles.max_height != Scalar(rows, Unit.CELLS, Unit.HEIGHT):
            details.styles.max_height = rows

    @staticmethod
    def _rows_of(panel: Any) -> int:
        """A panel's height: the one set on it (the links panel's, set as it changes) or as laid out."""
        set_height = panel.styles.height
        if set_height is not None and set_height.unit == Unit.CELLS:
            return int(set_height.value)
        return int(panel.outer_size.height)

    def on_resize(self) -> None:
        self.fit()
