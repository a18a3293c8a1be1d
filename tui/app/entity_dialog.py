"""Choose an actor's entity: type a name or pick one already used, best match first."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui.app.cells import quoted
from tui.app.steady_layout import SteadyLayout
from tui.core.annotation import Annotation
from tui.core.entities import ranked
from tui.core.safe_text import shown_line


class EntityDialog(ModalScreen[str | None], SteadyLayout[str | None]):
    """Returns the entity typed or chosen ("" for the quote itself), or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="entity.cancel"),
        Binding("down", "to_list", "Choices", show=False, id="entity.choices"),
    ]
    DEFAULT_CSS = """
    EntityDialog { align: center middle; }
    #entity-dialog { width: 70; max-width: 95%; height: auto; max-height: 24; border: round $primary;
                     background: $surface; padding: 0 1; }
    #entity-choices { height: auto; max-height: 12; border: none; }
    #entity-hint { color: $text-muted; width: 100%; }  /* wraps in a narrow terminal, never cut */
    """

    def __init__(self, annotation: Annotation, known: Counter[str]) -> None:
        super().__init__()
        self.annotation = annotation
        self.known = known

    def compose(self) -> ComposeResult:
        quote = " ".join(self.annotation.quote.split())
        with Vertical(id="entity-dialog"):
            yield Label(Text.assemble(("Entity of ", "bold"), (quoted(shown_line(quote), 52), "italic")))  # cut with …
            yield Input(value=self.annotation.entity or quote, id="entity-input", select_on_focus=True)
            yield OptionList(id="entity-choices")
            yield Label("⏎ sets it · ↓ one already used · empty: the quote · esc cancels",
                        id="entity-hint")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        self._offer(field.value)
        field.focus()
        field.action_select_all()  # typing replaces the name

    def _offer(self, query: str) -> None:
        choices = self.query_one(OptionList)
        choices.clear_options()
        names = ranked(query, self.known, limit=30)
        choices.add_options([Option(Text.assemble(shown_line(name)[:60], (f"  {self.known[name]}×", "dim")), id=name)
                             for name in names])
        choices.display = bool(names)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._offer(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id or "")

    def action_to_list(self) -> None:
        choices = self.query_one(OptionList)
        if choices.option_count:
            choices.focus()
            choices.highlighted = 0

    def action_cancel(self) -> None:
        self.dismiss(None)
