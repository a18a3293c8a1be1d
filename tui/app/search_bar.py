"""The search bar: plain text, case-insensitive by default, with regex and case toggles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input, Label

from tui.core.safe_text import shown, shown_line


class SearchInput(Input):
    """The bar's field: enter submits at once, not through a message (keys typed after it must
    find the focus already back on the text; see KeysInOrder). A paste's control characters
    (copied from a web page) come in as stand-ins, so none reaches the terminal when it is drawn."""

    def _on_paste(self, event: events.Paste) -> None:
        event.text = shown(event.text)  # Input's own handler runs next, with the shown text

    def _watch_value(self, value: str) -> None:
        # Input's watcher sets virtual_size, a reactive that lays the whole screen out again on
        # every key (~20 ms). The field's size never follows its text here (width 1fr, height 1):
        # set it quietly first, so Input's assignment changes nothing; scrolling reads it as before.
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    async def action_submit(self) -> None:
        bar = self.parent
        if isinstance(bar, SearchBar):
            bar.submit()


COUNT_MIN_CELLS = 10  # #search-count's min-width (12) less its padding (0 1), in app.tcss


class SearchBar(Horizontal):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close search", id="search.close"),
        Binding("ctrl+r", "toggle_regex", "Regex", id="search.regex"),
        Binding("ctrl+t", "toggle_case", "Case", id="search.case"),
    ]

    class Changed(Message):
        def __init__(self, query: str, regex: bool, case_sensitive: bool) -> None:
            super().__init__()
            self.query, self.regex, self.case_sensitive = query, regex, case_sensitive

    class Submitted(Changed):
        pass

    class Closed(Message):
        pass

    def __init__(self, on_submit: Callable[[str, bool, bool], None] | None = None,
                 on_close: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.regex = False
        self.case_sensitive = False
        self._count_cells = 0  # the width of the count's text, see set_count
        # Called in the key's own action, so the focus moves before the next key is routed;
        # without them the bar posts Submitted and Closed messages instead.
        self.on_submit, self.on_close = on_submit, on_close

    def compose(self) -> ComposeResult:
        yield Label("/", id="search-prompt")
        yield SearchInput(placeholder="search (enter: select next match, esc: close)", id="search-input")
        yield Label("", id="search-count")
        yield Label("", id="search-flags")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False
        self._show_flags()

    def open(self) -> None:
        self.display = True
        field = self.query_one(Input)
        field.focus()
        field.select_all()

    def set_count(self, text: str) -> None:
        """A count, or an error that may quote the query: plain text, never markup."""
        label = self.query_one("#search-count", Label)
        shown_text = shown_line(text)
        # The label is as wide as its text (at least COUNT_MIN_CELLS): lay the screen out again only
        # when that width changes, not on every key of a search.
        resized = max(cell_len(shown_text), COUNT_MIN_CELLS) != max(self._count_cells, COUNT_MIN_CELLS)
        self._count_cells = cell_len(shown_text)
        label.update(Text(shown_text), layout=resized)

    @property
    def query_text(self) -> str:
        return self.query_one(Input).value

    def _show_flags(self) -> None:
        regex = "[b]regex[/]" if self.regex else "[dim]regex[/]"
        case = "[b]Aa[/]" if self.case_sensitive else "[dim]aa[/]"
        self.query_one("#search-flags", Label).update(f"{regex} ^r  {case} ^t")

    def _changed(self) -> None:
        self._show_flags()
        self.post_message(self.Changed(self.query_text, self.regex, self.case_sensitive))

    def action_toggle_regex(self) -> None:
        self.regex = not self.regex
        self._changed()

    def action_toggle_case(self) -> None:
        self.case_sensitive = not self.case_sensitive
        self._changed()

    def action_close(self) -> None:
        self.display = False
        if self.on_close is not None:
            self.on_close()
        else:
            self.post_message(self.Closed())

    def submit(self) -> None:
        if self.on_submit is not None:
            self.on_submit(self.query_text, self.regex, self.case_sensitive)
        else:
            self.post_message(self.Submitted(self.query_text, self.regex, self.case_sensitive))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value, self.regex, self.case_sensitive))

