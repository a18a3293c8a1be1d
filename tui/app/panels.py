"""The side panels that are not lists: the document's details and the tag legend."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tui.core.session import Session


class DocumentPanel(Static):
    """Title, path, length, annotator, and whether the work is saved."""

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.save_state = "saved"
        self.save_error = ""
        self.anchor_counts: dict[str, int] = {}
        self.border_title = "document"

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
        lines = [Text(document.title, style="bold"), Text(document.path.name, style="dim")]
        if document.is_empty:
            lines.append(Text("the document is empty", style="bold yellow"))
        else:
            lines.append(Text(f"{len(document.text):,} characters"))
        lines.append(Text.assemble(("annotator ", "dim"), session.annotator))
        if self.anchor_counts:
            found = self.anchor_counts.get("moved", 0) + self.anchor_counts.get("fuzzy", 0)
            orphans = self.anchor_counts.get("orphan", 0)
            lines.append(Text(f"⚠ {found:,} moved · {orphans:,} orphaned · R", style="bold yellow"))
        if self.save_state == "loading":
            lines.append(Text("… loading annotations", style="yellow"))
        elif self.save_state == "error":
            lines.append(Text.assemble(("✗ not saved, retrying: ", "bold red"), (self.save_error, "red")))
        elif self.save_state == "saving" or session.dirty:
            lines.append(Text("… saving", style="yellow"))
        else:
            lines.append(Text("✓ saved", style="green"))
        width = max(8, self.content_region.width or 30)
        for line in lines[:-1]:  # one row each, so the save state is always in view
            line.truncate(width, overflow="ellipsis")
        self.update(Text("\n").join(lines))

    def on_mount(self) -> None:
        self.refresh_details()

    def on_resize(self) -> None:
        self.refresh_details()


class TagLegend(Static):
    """Key, colour, name and count of each tag; the active filter is marked."""

    def __init__(self, session: Session, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.filter: str | None = None
        self.border_title = "tags"

    def refresh_counts(self) -> None:
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
                          Text(marker + name, style="bold" if self.filter == name else ""),
                          str(counts.get(name, 0)))
        if self.filter:
            self.border_subtitle = f"filter: {self.filter} (f)"
        else:
            self.border_subtitle = "f filters"
        self.update(table)

    def on_mount(self) -> None:
        self.refresh_counts()
