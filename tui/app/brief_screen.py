"""The brief as a screen: per entity, the commitments with their hedges; Enter on a line jumps to its span.

The lines are a Line-API list (RowList): each is drawn only when in view, so the brief of
100,000 annotations opens as fast as that of ten.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import ClassVar, NamedTuple, overload

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.app.cells import fit, snippet
from tui.app.row_list import RowList
from tui.app.steady_layout import SteadyLayout
from tui.core.brief import (
    BAR_WIDTH,
    BARE_COLOUR,
    HEDGED_COLOUR,
    LEGEND,
    NAME_COLUMN,
    Brief,
    Commitment,
    Span,
    bar_runs,
    entity_names,
    entity_sizes,
    hedge_counts,
    name_column,
    summary_line,
    unattributed_heading,
    unlinked_heading,
)
from tui.core.safe_text import shown_line

Target = tuple[int, int]  # the span a line jumps to
HEDGED, BARE, ACTOR = Style(color=HEDGED_COLOUR), Style(color=BARE_COLOUR), Style(color="#5fafff", bold=True)


class Line(NamedTuple):
    kind: str  # entity, commitment, hedge, sentence, heading, unlinked
    item: object
    span: Target | None  # a sentence line's is found when chosen (see `target`)

    @property
    def target(self) -> Target | None:
        """The span the line jumps to: a sentence is found only when asked for, not for every line."""
        if self.kind == "sentence":
            return self.item.sentence_span  # type: ignore[attr-defined, no-any-return]
        return self.span


def _quoted(text: str, width: int) -> str:
    return f"“{snippet(shown_line(text), max(1, width - 2))}”"


class BriefLines(RowList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Up", show=False, id="brief.up"),
        Binding("down", "move(1)", "Down", show=False, id="brief.down"),
        Binding("pageup", "page(-1)", show=False, id="brief.page_up"),
        Binding("pagedown", "page(1)", show=False, id="brief.page_down"),
        Binding("home", "edge(0)", show=False, id="brief.first"),
        Binding("end", "edge(1)", show=False, id="brief.last"),
        Binding("enter", "jump", "Go to", id="brief.jump"),
    ]
    EMPTY = "Nothing to sum up yet: tag actors, commitments and hedges, then link them (l)."

    def render_row(self, line: Line, width: int, base: Style) -> list[Segment]:
        kind, item = line.kind, line.item
        if kind == "entity":
            hedged, bare = item.hedged, item.bare  # type: ignore[attr-defined]
            hedged_run, bare_run = bar_runs(hedged, bare)
            # Every name padded to the widest (cut with … past NAME_COLUMN), so the bars start in one column.
            column = min(self._name_column(), max(8, width - BAR_WIDTH - 24))
            name = fit(item.name, column)  # type: ignore[attr-defined]
            bar = base + Style(reverse=False)  # reversed with the row's highlight, a bar of █ went blank
            return [Segment(name + "  ", base + ACTOR),
                    Segment(hedged_run, bar + HEDGED),
                    Segment(bare_run, bar + (BARE if hedged + bare else Style(dim=True))),
                    Segment(f"  {hedged} hedged · {bare} bare", base + Style(dim=True))]
        if kind == "commitment":
            commitment: Commitment = item  # type: ignore[assignment]
            return [Segment("  → ", base), Segment(_quoted(commitment.span.quote, width - 12), base + BARE),
                    Segment("" if commitment.hedges else "  bare", base + Style(dim=True))]
        if kind == "hedge":
            span: Span = item  # type: ignore[assignment]
            return [Segment("      hedged by ", base), Segment(_quoted(span.quote, width - 16), base + HEDGED)]
        if kind == "sentence":
            text = snippet(shown_line(item.sentence), max(1, width - 6))  # type: ignore[attr-defined]
            return [Segment(f"      {text}", base + Style(dim=True, italic=True))]
        if kind == "unlinked":
            hedge: Span = item  # type: ignore[assignment]
            return [Segment("  ", base), Segment(_quoted(hedge.quote, width - 2), base + HEDGED)]
        return [Segment(str(item), base + Style(bold=True))]  # a heading

    def _name_column(self) -> int:
        rows = self.rows
        return rows.name_column if isinstance(rows, BriefLineList) else NAME_COLUMN


def brief_lines(brief: Brief) -> BriefLineList:
    """Every line of the brief, in order, with the span each jumps to (made when first drawn)."""
    return BriefLineList(brief)


class BriefLineList(Sequence[Line]):
    """The brief's lines, made a block at a time when first read: an entity with its commitments,
    a heading, a commitment no actor is linked to, a hedge linked to none. Only the blocks'
    sizes are counted at first (tui.core.brief.entity_sizes), so a brief of 30,000 entities
    opens having made the lines in view, and the entities in them."""

    def __init__(self, brief: Brief) -> None:
        self.brief = brief
        counts, hedges = entity_sizes(brief.entities)
        sizes = list(map(_entity_lines, counts, hedges))
        self._unattributed = len(sizes)  # the block of its heading, if any
        if brief.unattributed:
            sizes += [1, *map(_commitment_lines, hedge_counts(brief.unattributed)[0])]
        self._unlinked = len(sizes)
        if brief.unlinked_hedges:
            sizes += [1] * (len(brief.unlinked_hedges) + 1)
        self._ends = list(accumulate(sizes))
        self._made: dict[int, list[Line]] = {}
        self._name_column: int | None = None

    @property
    def name_column(self) -> int:
        """The cells of the widest entity name (at most NAME_COLUMN), which every name is padded
        to: measured when the first entity line is drawn, from the names alone."""
        if self._name_column is None:
            self._name_column = name_column(entity_names(self.brief.entities))
        return self._name_column

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, index: int) -> Line: ...

    @overload
    def __getitem__(self, index: slice) -> list[Line]: ...

    def __getitem__(self, index: int | slice) -> Line | list[Line]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        block = bisect_right(self._ends, index)
        lines = self._made.get(block)
        if lines is None:
            lines = self._made[block] = self._block(block)
        return lines[index - (self._ends[block - 1] if block else 0)]

    def _block(self, block: int) -> list[Line]:
        brief = self.brief
        if block < self._unattributed:
            entity = brief.entities[block]
            first = entity.actors[0] if entity.actors else None
            return [Line("entity", entity, (first.start, first.end) if first else None),
                    *_commitment_block(entity.commitments)]
        if block == self._unattributed and brief.unattributed:
            return [Line("heading", unattributed_heading(brief.roles), None)]
        if block < self._unlinked:
            return _commitment_block([brief.unattributed[block - self._unattributed - 1]])
        if block == self._unlinked:
            return [Line("heading", f"{unlinked_heading(brief.roles)} (the author's own voice)", None)]
        h = brief.unlinked_hedges[block - self._unlinked - 1]
        return [Line("unlinked", h, (h.start, h.end))]


def _entity_lines(commitments: int, hedges: int) -> int:
    return 1 + 2 * commitments + hedges


def _commitment_lines(hedges: int) -> int:
    return 2 + hedges


def _commitment_block(commitments: Sequence[Commitment]) -> list[Line]:
    lines: list[Line] = []
    for c in commitments:
        lines.append(Line("commitment", c, (c.span.start, c.span.end)))
        lines.extend(Line("hedge", h, (h.start, h.end)) for h in c.hedges)
        lines.append(Line("sentence", c, None))
    return lines


class BriefScreen(ModalScreen[Target | None], SteadyLayout[Target | None]):
    """Returns the (start, end) of the chosen line's span, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
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
    }
    """

    def __init__(self, brief: Brief) -> None:
        super().__init__()
        self.brief = brief
        self.lines = brief_lines(brief)

    def compose(self) -> ComposeResult:
        from rich.text import Text

        with Vertical(id="brief"):
            yield Static(Text.assemble(summary_line(self.brief), "\n", *LEGEND, " · ⏎ goes to the span · esc closes"),
                         id="brief-summary")
            yield BriefLines(id="brief-lines")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#brief").border_title = "brief: who commits to what, and how it is hedged"
        lines = self.query_one(BriefLines)
        roles = self.brief.roles
        lines.EMPTY = (f"Nothing to sum up yet: tag {roles.word('actor')}s, {roles.word('commitment')}s and "
                       f"{roles.word('hedge')}s, then link them (l).")
        lines.set_rows(self.lines)
        lines.focus()

    def on_row_list_chosen(self, event: RowList.Chosen) -> None:
        event.stop()
        target = event.item.target if event.focus else None  # Enter or a double click, not a move
        if target is not None:
            self.dismiss(target)

    def action_close(self) -> None:
        self.dismiss(None)
