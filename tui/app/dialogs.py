"""Modal dialogs: the note editor, the key help, and the quit-with-unsaved-work question."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tui.app.cells import quoted
from tui.app.steady_layout import SteadyLayout
from tui.core.safe_text import is_safe, shown, shown_line
from tui.core.wording import count_of

if TYPE_CHECKING:
    from textual.widgets import OptionList  # imported where used: not before the first frame

    from tui.core.annotation import Annotation  # not imported before the documents screen's first frame


def restore_controls(original: str, edited: str) -> str:
    """The note as edited, with the control characters of `original` back where it was not changed.

    The editor shows `shown(original)` (stand-ins instead of controls, one code point each);
    the parts the user left alone are taken from `original`, what they typed stays as typed.
    """
    from difflib import SequenceMatcher

    drawn = shown(original)
    if edited == drawn:
        return original
    pieces = []
    for operation, low, high, edited_low, edited_high in SequenceMatcher(None, drawn, edited,
                                                                         autojunk=False).get_opcodes():
        pieces.append(original[low:high] if operation == "equal" else edited[edited_low:edited_high])
    return "".join(pieces)


class NoteDialog(ModalScreen[str | None], SteadyLayout[str | None]):
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

        class NoteArea(TextArea):
            """A paste's control characters come in as stand-ins: none reaches the terminal. Its line
            ends are line ends: terminals send a pasted newline as CR, which came in as "␍"."""

            # A pasted newline where the terminal does not bracket pastes (tmux send-keys, some
            # terminals) comes as LF, which is ctrl+j: TextArea ignored it and glued the lines.
            BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+j", "new_line", show=False, id="note.new_line")]

            async def _on_paste(self, event: events.Paste) -> None:
                lines = event.text.replace("\r\n", "\n").replace("\r", "\n")
                event.text = shown(lines)  # TextArea's own handler runs next, with the shown text

            def action_new_line(self) -> None:
                self.insert("\n")

        quote = self.annotation.quote
        note = self.annotation.note
        with Vertical(id="note-dialog"):
            yield Label(Text.assemble(("Note on ", "bold"), (shown_line(self.annotation.tag), f"bold {self.colour}")),
                        id="note-title")
            yield Static(Text(quoted(quote, 300), style="italic"), id="note-quote")
            # Controls in the note are edited as their stand-ins; saving puts them back (restore_controls).
            yield NoteArea(shown(note), id="note-text", soft_wrap=True, show_line_numbers=False)
            if not is_safe(note):
                yield Label(Text("⚠ controls show as symbols (␛ …); kept unless deleted", style="yellow"),
                            id="note-controls")
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

        edited = self.query_one("#note-text", TextArea).text
        self.dismiss(restore_controls(self.annotation.note, edited).strip("\n"))

    def action_cancel(self) -> None:
        from textual.widgets import TextArea

        if self.query_one("#note-text", TextArea).text == shown(self.annotation.note):
            self.dismiss(None)
            return

        def decide(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        # Esc threw away a long note being written without a word.
        self.app.push_screen(ConfirmDialog("Discard the changes to this note?", "The note stays as it was.",
                                           yes="Discard", no="Keep editing", risky=True), decide)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_save() if event.button.id == "note-save" else self.action_cancel()


class HelpScreen(ModalScreen[None], SteadyLayout[None]):
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
                table.add_row(Text(keys), Text(description))  # codebook text is not markup
            table.add_row("", "")
        with Vertical(id="help-dialog"):
            yield Label(Text("hedgerow keys", style="bold"), id="help-title")
            with HelpBody(id="help-body"):
                yield Static(table)
            yield Label(self.hint(), id="help-hint")

    def hint(self) -> Text:
        """Says when there is more below (or above): the first page gave no sign that it scrolls."""
        try:
            body = self.query_one(HelpBody)
        except Exception:  # not composed yet
            return Text("esc closes · ctrl+p lists every command")
        y, most = round(body.scroll_y), body.max_scroll_y
        if most <= 0:
            return Text("esc closes · ctrl+p lists every command")
        where = "↓ more below" if y < most else "↑ more above"
        return Text.assemble((where, "bold"), f" ({y * 100 // most}%) · ↑↓ pgup/pgdn scroll · esc closes")

    def refresh_hint(self) -> None:
        self.query_one("#help-hint", Label).update(self.hint())

    def on_mount(self) -> None:
        self.call_after_refresh(self.refresh_hint)

    def on_resize(self) -> None:
        self.call_after_refresh(self.refresh_hint)

    def action_close(self) -> None:
        self.dismiss(None)


class HelpBody(VerticalScroll):
    """The help's scrolling body; tells the screen when it scrolls, so the hint follows."""

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if isinstance(self.screen, HelpScreen):
            self.screen.refresh_hint()


class ConfirmDialog(ModalScreen[bool], SteadyLayout[bool]):
    """A yes-or-no question; Esc declines. `risky` makes "no" the safe default."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "no", "Cancel", id="confirm.no")]

    def __init__(self, title: str, body: str, yes: str = "OK", no: str = "Cancel", risky: bool = False) -> None:
        super().__init__()
        self.title_text, self.body, self.yes, self.no, self.risky = title, body, yes, no, risky

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog", classes="-risky" if self.risky else ""):
            yield Label(Text(shown_line(self.title_text), style="bold red" if self.risky else "bold"))
            yield Static(Text(shown(self.body)), id="confirm-body")  # may quote an error: never markup
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


class ChoiceDialog(ModalScreen[str | None], SteadyLayout[str | None]):
    """A question with several answers, as buttons; returns the chosen id, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, body: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text, self.body, self.choices = title, body, choices

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(Text(shown_line(self.title_text), style="bold yellow"))
            yield Static(Text(shown(self.body)), id="confirm-body")
            with Horizontal(id="confirm-buttons"):
                for index, (choice, label) in enumerate(self.choices):
                    yield Button(label, variant="primary" if index == 0 else "default", id=f"choice-{choice}")

    def on_mount(self) -> None:
        self.set_focus(self.query(Button).first())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss((event.button.id or "").removeprefix("choice-"))


class QuitDialog(ConfirmDialog):
    """Asked only when changes could not be saved: quitting would lose them."""

    def __init__(self, reason: str, unsaved: int) -> None:
        super().__init__("Your changes are not saved",
                         f"{reason}\nQuitting now loses {count_of(unsaved, 'change')}. Fix the problem and hedgerow "
                         f"saves them on its own.", yes="Quit and lose them", no="Stay", risky=True)


EXPORT_FORMATS = (  # one row each in the dialog's list (30 columns at its narrowest)
    ("csv", "CSV, for spreadsheets"),
    ("excel", "CSV for Excel (with BOM)"),
    ("json", "JSON: full records"),
    ("w3c", "W3C Web Annotation"),
    ("jsonl", "JSON Lines"),
    ("qdpx", "REFI-QDA, for QDA tools"),
    ("qdc", "REFI-QDA codebook (tags)"),
)


class ExportDialog(ModalScreen["tuple[str, str] | None"], SteadyLayout["tuple[str, str] | None"]):
    """Which format and which layer to export; returns (format, layer) or None.

    `layers` are (value, label) pairs, the current annotator's first. Up/down choose in a list;
    enter on a format goes on to the layers, enter on a layer exports (ctrl+s at once); esc cancels.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.save"),
    ]

    def __init__(self, layers: list[tuple[str, str]], folder: str) -> None:
        super().__init__()
        self.layer_choices, self.folder = layers, folder

    def compose(self) -> ComposeResult:
        from textual.widgets import OptionList

        with Vertical(id="export-dialog"):
            yield Label(Text("Export annotations", style="bold"))
            with Horizontal(id="export-choices"):
                with Vertical(classes="export-column"):
                    yield Label("format", classes="export-label")
                    yield OptionList(*(Text(label) for _, label in EXPORT_FORMATS), id="export-format")
                with Vertical(classes="export-column"):
                    yield Label("layer", classes="export-label")
                    yield OptionList(*(Text(shown_line(label)) for _, label in self.layer_choices),
                                     id="export-layer")  # layer names are file names: shown, not markup
            hint = f"to {self.folder}/ · enter: format, then layer · ctrl+s exports · esc"
            yield Label(Text(shown_line(hint)), id="export-hint")
            with Horizontal(id="export-buttons"):
                yield Button("Export", variant="primary", id="export-yes")
                yield Button("Cancel", id="export-no")

    def on_mount(self) -> None:
        from textual.widgets import OptionList

        for option_list in self.query(OptionList):
            option_list.highlighted = 0
        self.set_focus(self.query_one("#export-format"))

    def choice(self) -> tuple[str, str]:
        from textual.widgets import OptionList

        fmt = self.query_one("#export-format", OptionList).highlighted or 0
        layer = self.query_one("#export-layer", OptionList).highlighted or 0
        return EXPORT_FORMATS[fmt][0], self.layer_choices[layer][0]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list.id == "export-format":
            self.set_focus(self.query_one("#export-layer"))
        else:
            self.action_export()

    def action_export(self) -> None:
        self.dismiss(self.choice())

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_export() if event.button.id == "export-yes" else self.action_cancel()
