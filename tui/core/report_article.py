"""The article in the HTML report: the text with every tagged span marked, as a stream of pieces.

The text is cut at every boundary of every span; each piece nests one <mark> per span covering
it, outermost first. A span keeps one "lane" from its start to its end, so its underline stays at
one depth under the text and overlapping spans show every line. A note's number goes after its
span, outside every mark, so each mark holds exactly its span's text: joined per annotation id,
the pieces give back the quote. Untrusted text goes through `text` or `attr` (escaped, with
control characters as visible stand-ins, one per code point).
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import escape

from tui.core.anchoring import quote_holds
from tui.core.annotation import Annotation
from tui.core.report_style import LANES, TagLook
from tui.core.safe_text import shown

TEXT_CHUNK = 1 << 16  # characters of unannotated text escaped at a time
TIP_NOTE = 400  # characters of a note in a span's tip (the notes section has all of it)


def attr(value: str) -> str:
    """Untrusted text for a double-quoted attribute."""
    return escape(shown(value), quote=True)


def text(value: str) -> str:
    """Untrusted text for element content."""
    return escape(shown(value), quote=False)


@dataclass
class ElementIds:
    """Element ids within one document's part of the page (a corpus prefixes them per document)."""

    prefix: str = ""

    def span(self, k: int) -> str:
        return f"{self.prefix}a{k}"

    def ref(self, n: int) -> str:
        return f"{self.prefix}ref-{n}"

    def note(self, n: int) -> str:
        return f"{self.prefix}note-{n}"

    def __getattr__(self, name: str) -> str:  # text, notes, by-tag, agreement: one id each
        if name.startswith("_"):
            raise AttributeError(name)
        return f"{self.prefix}{name.replace('_', '-')}"


def _tip(a: Annotation) -> str:
    tip = f"{a.tag} — {a.annotator or 'unknown annotator'}"
    note = a.note if len(a.note) <= TIP_NOTE else a.note[: TIP_NOTE - 1] + "…"
    return f"{tip}\n{note}" if a.note else tip


@dataclass
class _Open:
    """A span the sweep is inside."""

    k: int
    annotation: Annotation
    lane: int
    css: str
    tip: str
    first: bool = True


@dataclass
class ArticleState:
    """What the article's sweep learns for the sections after it."""

    notes: list[tuple[int, int]] = field(default_factory=list)  # (note number, span index k), in text order
    note_of: dict[int, int] = field(default_factory=dict)  # span index k -> note number
    unplaced: set[int] = field(default_factory=set)  # spans whose quote is not at their offsets
    tags: array[int] = field(default_factory=lambda: array("H"))  # span index k -> its tag's look index


class _Sweep:
    """The walk through the text: which spans are open, and where the next one starts or ends."""

    def __init__(self, value: str, annotations: Iterable[Annotation], looks: dict[str, TagLook],
                 state: ArticleState) -> None:
        self.value, self.looks, self.state = value, looks, state
        self.pending = iter(enumerate(annotations))
        self.active: list[_Open] = []  # in lane order: outermost first
        self.ends: list[tuple[int, int]] = []  # heap of (end, k) of the active spans
        self.upcoming = self._take()

    def _take(self) -> tuple[int, Annotation] | None:
        """The next span that is where its quote is; the others are noted as unplaced."""
        for k, a in self.pending:
            self.state.tags.append(self.looks[a.tag].index)
            if a.end <= len(self.value) and quote_holds(self.value, a):
                return k, a
            self.state.unplaced.add(k)
        return None

    def next_boundary(self) -> int | None:
        if self.upcoming is None and not self.active:
            return None
        starts = self.upcoming[1].start if self.upcoming else len(self.value)
        return min(starts, self.ends[0][0] if self.ends else len(self.value))

    def close(self, position: int) -> list[_Open]:
        """The spans ending at `position`, in document order; they are no longer active."""
        closing = set()
        while self.ends and self.ends[0][0] == position:
            closing.add(heapq.heappop(self.ends)[1])
        if not closing:
            return []
        closed = [o for o in self.active if o.k in closing]
        self.active = [o for o in self.active if o.k not in closing]
        return sorted(closed, key=lambda o: o.k)

    def open(self, position: int) -> None:
        """Open the spans starting at `position`, longest outermost, each in the lowest free lane."""
        starting = []
        while self.upcoming is not None and self.upcoming[1].start == position:
            starting.append(self.upcoming)
            self.upcoming = self._take()
        for k, a in sorted(starting, key=lambda item: -item[1].end):
            lanes = {o.lane for o in self.active}
            lane = next(n for n in range(len(self.active) + 1) if n not in lanes)
            look = self.looks[a.tag]
            self.active.append(_Open(k, a, lane, f"{look.css_class} l{min(lane, LANES - 1)}", _tip(a)))
            heapq.heappush(self.ends, (a.end, k))
        self.active.sort(key=lambda o: o.lane)


def article_pieces(value: str, annotations: Iterable[Annotation], looks: dict[str, TagLook],
                   ids: ElementIds, state: ArticleState) -> Iterator[str]:
    """The text with its spans marked, as pieces. `annotations` in document order (start first)."""
    sweep = _Sweep(value, annotations, looks, state)
    position = 0
    while (boundary := sweep.next_boundary()) is not None:
        if boundary > position:
            yield from _piece(value, position, boundary, sweep.active, ids)
            position = boundary
        for item in sweep.close(position):
            if item.annotation.note:  # its number goes after it, outside every mark
                number = len(state.notes) + 1
                state.notes.append((number, item.k))
                state.note_of[item.k] = number
                yield (f'<a class="ref" id="{ids.ref(number)}" href="#{ids.note(number)}" '
                       f'aria-label="note {number}">{number}</a>')
        sweep.open(position)
    for start in range(position, len(value), TEXT_CHUNK):
        yield text(value[start:start + TEXT_CHUNK])


def _piece(value: str, start: int, end: int, active: list[_Open], ids: ElementIds) -> Iterator[str]:
    """text[start:end] inside one <mark> per active span; the innermost carries every span's tip."""
    if not active:
        for at in range(start, end, TEXT_CHUNK):
            yield text(value[at:min(end, at + TEXT_CHUNK)])
        return
    opening = []
    last = len(active) - 1
    for depth, item in enumerate(active):
        extra = ""
        if item.first:  # the span's first piece: its label, its anchor, a tab stop with its tip
            extra = (f' id="{ids.span(item.k)}" tabindex="0" data-label="{attr(item.annotation.tag)}"'
                     f' data-tip="{attr(item.tip)}"')
            item.first = False
        if depth == last:
            extra += f' title="{attr(chr(10).join(o.tip for o in reversed(active)))}"'
        opening.append(f'<mark class="{item.css}" data-id="{attr(item.annotation.id)}"{extra}>')
    yield "".join(opening)
    for at in range(start, end, TEXT_CHUNK):
        yield text(value[at:min(end, at + TEXT_CHUNK)])
    yield "</mark>" * len(active)
