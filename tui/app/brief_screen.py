"""The brief as a screen: per entity, the commitments with their hedges; Enter on a line jumps to its span."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tui.core.brief import Brief, Commitment, Span, bar, summary_line

Target = tuple[int, int]  # the span a line jumps to


def _one_line(text: str, width: int = 200) -> str:
    from tui.core.safe_text import shown_line

    text = shown_line(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"


class BriefScreen(ModalScreen[Target | None]):
    """Returns the (start, end) of the chosen line's span, or None."""

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="brief.close"),
        Binding("B", "close", "Close", show=False, id="brief.toggle"),
    ]
    DEFAULT_CSS = """
    BriefScreen {
        align: center middle;
    }
    #brief {
        width: 100%;
        height: 100%;
        border: round $primary;
        padding: 0 1;
        background: $surface;
    }
    #brief-summary {
        height: auto;
        color: $text-muted;
        padding: 0 1;
    }
    #brief-lines {
        height: 1fr;
        border: none;
    }
    """

    def __init__(self, brief: Brief) -> None:
        super().__init__()
        self.brief = brief
        self.targets: list[Target | None] = []

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical

        with Vertical(id="brief"):
            yield Static(self._summary(), id="brief-summary")
            yield OptionList(*self._options(), id="brief-lines")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#brief").border_title = "brief: who commits to what, and how it is hedged"
        self.query_one(OptionList).focus()

    def _summary(self) -> Text:
        return Text.assemble(summary_line(self.brief), "  ", ("█", "#ffaf5f"), " hedged ", ("█", "#87d787"),
                             " bare · ⏎ goes to the span · esc closes")

    def _line(self, prompt: Text, target: Target | None) -> Option:
        self.targets.append(target)
        return Option(prompt, id=str(len(self.targets) - 1), disabled=False)

    def _options(self) -> list[Option]:
        options: list[Option] = []
        brief = self.brief
        if not brief.entities and not brief.unattributed and not brief.unlinked_hedges:
            options.append(self._line(Text("Nothing to sum up yet: tag actors, commitments and hedges, "
                                           "then link them (l).", style="dim"), None))
        for entity in brief.entities:
            head = Text.assemble((_one_line(entity.name, 40), "bold #5fafff"), "  ")
            head.append_text(bar(entity.hedged, entity.bare))
            head.append(f"  {entity.hedged} hedged · {entity.bare} bare", style="dim")
            first = entity.actors[0] if entity.actors else None
            options.append(self._line(head, (first.start, first.end) if first else None))
            options += self._commitments(entity.commitments)
        if brief.unattributed:
            options.append(self._line(Text("Commitments with no actor linked", style="bold"), None))
            options += self._commitments(brief.unattributed)
        if brief.unlinked_hedges:
            options.append(self._line(Text("Hedges linked to nothing (the author's own voice)", style="bold"), None))
            options += [self._line(Text.assemble("  ", (f"“{_one_line(h.quote)}”", "#ffaf5f")), (h.start, h.end))
                        for h in brief.unlinked_hedges]
        return options

    def _commitments(self, commitments: list[Commitment]) -> list[Option]:
        options = []
        for c in commitments:
            options.append(self._line(Text.assemble("  → ", (f"“{_one_line(c.span.quote)}”", "#87d787"),
                                                    ("" if c.hedges else "  bare", "dim")), _span(c.span)))
            for hedge in c.hedges:
                options.append(self._line(Text.assemble("      hedged by ", (f"“{_one_line(hedge.quote)}”", "#ffaf5f")),
                                          _span(hedge)))
            options.append(self._line(Text(f"      {_one_line(c.sentence)}", style="dim italic", no_wrap=True,
                                           overflow="ellipsis"), (c.sentence_start, c.sentence_end)))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        target = self.targets[int(event.option.id or 0)]
        if target is not None:
            self.dismiss(target)

    def action_close(self) -> None:
        self.dismiss(None)


def _span(span: Span) -> Target:
    return (span.start, span.end)
