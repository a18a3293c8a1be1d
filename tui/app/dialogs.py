"""Modal dialogs: the note editor, the key help, and the quit-with-unsaved-work question."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tui.core.annotation import Annotation


class NoteDialog(ModalScreen[str | None]):
    """Edit an annotation's note; ctrl+s saves, Esc cancels. Returns the note or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
        Binding("ctrl+s", "save", "Save", id="note.save"),
    ]

    def __init__(self, annotation: Annotation, colour: str) -> None:
        super().__init__()
        self.annotation = annotation
        self.colour = colour

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # ~10 ms to import: not before the first frame

        quote = " ".join(self.annotation.quote.split())
        with Vertical(id="note-dialog"):
            tag = (f" {self.annotation.tag} ", f"bold reverse {self.colour}")
            yield Label(Text.assemble(("Note on ", "bold"), tag))
            yield Static(Text(f"“{quote[:300]}{'…' if len(quote) > 300 else ''}”", style="italic"), id="note-quote")
            yield TextArea(self.annotation.note, id="note-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal(id="note-buttons"):
                yield Label("ctrl+s save · esc cancel", id="note-hint")
                yield Button("Save", variant="primary", id="note-save")
                yield Button("Cancel", id="note-cancel")

    def on_mount(self) -> None:
        from textual.widgets import TextArea

        area = self.query_one("#note-text", TextArea)
        area.cursor_blink = False
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        from textual.widgets import TextArea

        self.dismiss(self.query_one("#note-text", TextArea).text.strip("\n"))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save() if event.button.id == "note-save" else self.action_cancel()


class HelpScreen(ModalScreen[None]):
    """Every key, grouped, as currently bound (after the user's remapping)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close"),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for title, rows in self.sections:
            table.add_row(Text(title, style="bold underline"), "")
            for keys, description in rows:
                table.add_row(keys, description)
            table.add_row("", "")
        with Vertical(id="help-dialog"):
            yield Label(Text("hedgerow keys", style="bold"), id="help-title")
            with VerticalScroll(id="help-body"):
                yield Static(table)
            yield Label("esc closes · ctrl+p lists every command", id="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ConfirmDialog(ModalScreen[bool]):
    """A yes-or-no question; Esc declines. `risky` makes "no" the safe default."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "no", "Cancel", id="confirm.no")]

    def __init__(self, title: str, body: str, yes: str = "OK", no: str = "Cancel", risky: bool = False) -> None:
        super().__init__()
        self.title_text, self.body, self.yes, self.no, self.risky = title, body, yes, no, risky

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="-risky" if self.risky else ""):
            yield Label(Text(self.title_text, style="bold red" if self.risky else "bold"))
            yield Static(self.body, id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes, variant="error" if self.risky else "primary", id="confirm-yes")
                yield Button(self.no, variant="primary" if self.risky else "default", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-no" if self.risky else "#confirm-yes", Button).focus()

    def action_no(self) -> None:
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")


class QuitDialog(ConfirmDialog):
    """Asked only when changes could not be saved: quitting would lose them."""

    def __init__(self, reason: str, unsaved: int) -> None:
        super().__init__("Your changes are not saved",
                         f"{reason}\nQuitting now loses {unsaved} change(s). Fix the problem and hedgerow "
                         f"saves them on its own.", yes="Quit and lose them", no="Stay", risky=True)
