"""Modal dialogs: the note editor, the key help, and the quit-with-unsaved-work question."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea

from tui.core.annotation import Annotation


class NoteDialog(ModalScreen[str | None]):
    """Edit an annotation's note; ctrl+s saves, Esc cancels. Returns the note or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
        Binding("ctrl+s", "save", "Save", id="note.save"),
    ]

    def __init__(self, annotation: Annotation, colour: str) -> None:
        super().__init__()
        self.annotation = annotation
        self.colour = colour

    def compose(self) -> ComposeResult:
        quote = " ".join(self.annotation.quote.split())
        with Vertical(id="note-dialog"):
            yield Label(Text.assemble(("Note on ", "bold"), (f" {self.annotation.tag} ", f"bold reverse {self.colour}")))
            yield Static(Text(f"“{quote[:300]}{'…' if len(quote) > 300 else ''}”", style="italic"), id="note-quote")
            yield TextArea(self.annotation.note, id="note-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal(id="note-buttons"):
                yield Label("ctrl+s save · esc cancel", id="note-hint")
                yield Button("Save", variant="primary", id="note-save")
                yield Button("Cancel", id="note-cancel")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.cursor_blink = False
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text.strip("\n"))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save() if event.button.id == "note-save" else self.action_cancel()


class HelpScreen(ModalScreen[None]):
    """Every key, grouped, as currently bound (after the user's remapping)."""

    BINDINGS = [
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
    """A yes-or-no question; Enter confirms, Esc declines."""

    BINDINGS = [Binding("escape", "no", "Cancel", id="confirm.no")]

    def __init__(self, title: str, body: str, yes: str = "OK") -> None:
        super().__init__()
        self.title_text, self.body, self.yes = title, body, yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(Text(self.title_text, style="bold"))
            yield Static(self.body, id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                yield Button(self.yes, variant="primary", id="confirm-yes")
                yield Button("Cancel", id="confirm-no")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes", Button).focus()

    def action_no(self) -> None:
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")


class QuitDialog(ModalScreen[bool]):
    """Asked only when changes could not be saved: quitting would lose them."""

    BINDINGS = [Binding("escape", "stay", "Stay", id="quit.stay")]

    def __init__(self, reason: str, unsaved: int) -> None:
        super().__init__()
        self.reason = reason
        self.unsaved = unsaved

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-dialog"):
            yield Label(Text("Your changes are not saved", style="bold red"))
            yield Label(f"{self.reason}\nQuitting now loses {self.unsaved} change(s). Fix the problem and "
                        f"hedgerow saves them on its own.")
            with Horizontal(id="quit-buttons"):
                yield Button("Stay", variant="primary", id="quit-stay")
                yield Button("Quit and lose them", variant="error", id="quit-lose")

    def on_mount(self) -> None:
        self.query_one("#quit-stay", Button).focus()

    def action_stay(self) -> None:
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "quit-lose")
