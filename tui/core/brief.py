"""The analyst's brief: who commits to what, and how it is hedged.

Built from one layer and its links: per entity (an actor's `entity`, else its quote), the
commitments linked to it `by` that relation, each with its quote, its sentence and the hedges
linked to it (`hedges`); the hedged and bare counts; the commitments no actor is linked to;
and the hedges linked to nothing (the author's own voice). The relations are found by name,
`by` and `hedges`, whatever tags a custom codebook gives them.

Three renderings: `to_json` (documented in the README), `to_markdown` (pastes into a report)
and `to_text` (a rich renderable: a small bar per entity, hedged against bare).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from tui.core.annotation import Annotation
from tui.core.layer import Layer
from tui.core.links import Link
from tui.core.rows import ID_WIDTH
from tui.core.safe_text import shown_line
from tui.core.segment import paragraph_at, sentences_in

if TYPE_CHECKING:
    from rich.console import Group, RenderableType
    from rich.text import Text

BY = "by"
HEDGES = "hedges"
BRIEF_FORMAT = "hedgerow-brief"
BRIEF_VERSION = 1
NO_ACTOR = "(no actor linked)"


class Span(NamedTuple):
    id: str
    tag: str
    start: int
    end: int
    quote: str
    document: str = ""  # in a corpus brief: the document's path

    @classmethod
    def of(cls, annotation: Annotation) -> Span:
        return cls(annotation.id, annotation.tag, annotation.start, annotation.end, annotation.quote)

    def to_json(self) -> dict[str, Any]:
        made: dict[str, Any] = {"id": self.id, "tag": self.tag, "start": self.start, "end": self.end,
                                "quote": self.quote}
        if self.document:
            made["document"] = self.document
        return made


@dataclass(slots=True)
class Commitment:
    span: Span
    sentence: str
    sentence_start: int
    sentence_end: int
    hedges: tuple[Span, ...]
    note: str = ""
    document: str = ""  # in a corpus brief: the document's path (its offsets count in that text)

    @property
    def hedged(self) -> bool:
        return bool(self.hedges)

    def to_json(self) -> dict[str, Any]:
        made: dict[str, Any] = {**self.span.to_json(), "note": self.note,
                "sentence": {"start": self.sentence_start, "end": self.sentence_end, "text": self.sentence},
                "hedged": self.hedged, "hedges": [h.to_json() for h in self.hedges]}
        if self.document:
            made["document"] = self.document
        return made


@dataclass(slots=True)
class Entity:
    name: str
    actors: list[Span] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)

    @property
    def hedged(self) -> int:
        return sum(c.hedged for c in self.commitments)

    @property
    def bare(self) -> int:
        return len(self.commitments) - self.hedged

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.name, "mentions": [a.to_json() for a in self.actors],
                "commitments": [c.to_json() for c in self.commitments],
                "hedged": self.hedged, "bare": self.bare}


@dataclass
class Brief:
    document: dict[str, Any]
    entities: list[Entity]
    unattributed: list[Commitment]  # commitments no actor is linked to
    unlinked_hedges: list[Span]  # hedges linked to no commitment: the author's own voice

    @property
    def commitments(self) -> int:
        return sum(len(e.commitments) for e in self.entities) + len(self.unattributed)

    def to_json(self) -> dict[str, Any]:
        hedged = sum(e.hedged for e in self.entities) + sum(c.hedged for c in self.unattributed)
        return {
            "hedgerow": {"format": BRIEF_FORMAT, "version": BRIEF_VERSION},
            "document": self.document,
            "entities": [e.to_json() for e in self.entities],
            "unattributed": [c.to_json() for c in self.unattributed],
            "unlinked_hedges": [h.to_json() for h in self.unlinked_hedges],
            "totals": {"entities": len(self.entities), "commitments": self.commitments,
                       "attributions": sum(len(e.commitments) for e in self.entities),
                       "hedged": hedged, "bare": self.commitments - hedged,
                       "unattributed": len(self.unattributed), "unlinked_hedges": len(self.unlinked_hedges)},
        }


class Sentences:
    """The sentence around an offset; a paragraph is split into sentences once, however many ask."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._paragraph: tuple[int, int] = (-1, -1)
        self._starts: list[int] = []
        self._spans: list[tuple[int, int]] = []
        self._last: tuple[int, int] = (-1, -1)  # the sentence found last

    def at(self, offset: int) -> tuple[int, int]:
        last = self._last
        if last[0] <= offset < last[1]:  # commitments come in document order: often the same sentence again
            return last
        start, end = self._paragraph
        if not start <= offset < end:
            self._paragraph = start, end = paragraph_at(self.text, offset)
            self._spans = sentences_in(self.text, start, end) or [(start, end)]
            self._starts = [s for s, _ in self._spans]
        index = max(0, bisect_right(self._starts, offset) - 1)
        self._last = found = self._spans[index]
        return found


def build_brief(text: str, annotations: Iterable[Annotation], links: Iterable[Link],
                document: dict[str, Any] | None = None) -> Brief:
    """The brief of one layer (a Layer is read straight from its rows, without making Annotations)."""
    return _build(text, annotations, links, document)


def _build(text: str, annotations: Iterable[Annotation], links: Iterable[Link],
           document: dict[str, Any] | None) -> Brief:
    by: dict[str, list[str]] = {}
    hedges_of: dict[str, list[str]] = {}
    for link in links:
        if link.relation == BY:
            by.setdefault(link.source, []).append(link.target)
        elif link.relation == HEDGES:
            hedges_of.setdefault(link.target, []).append(link.source)
    commitments: list[tuple[Span, str]] = []
    actors: dict[str, tuple[Span, str]] = {}  # id -> (span, entity name)
    hedges: dict[str, Span] = {}
    for span, note, entity in _items(annotations):
        if span.tag == COMMITMENT:
            commitments.append((span, note))
        elif span.tag == ACTOR:
            actors[span.id] = (span, " ".join((entity or span.quote).split()))
        elif span.tag == HEDGE:
            hedges[span.id] = span
    entities: dict[str, Entity] = {}
    for span, name in actors.values():
        named = entities.get(name)
        if named is None:
            named = entities[name] = Entity(name)
        named.actors.append(span)
    unattributed: list[Commitment] = []
    hedging: set[str] = set()
    _place_commitments(text, commitments, actors, hedges, by, hedges_of, entities, unattributed, hedging)
    unlinked = [h for h in hedges.values() if h.id not in hedging]
    ordered = sorted(entities.values(), key=lambda e: (-len(e.commitments), e.name.casefold(), e.name))
    return Brief(document or {}, ordered, unattributed, unlinked)


def _place_commitments(text: str, commitments: list[tuple[Span, str]], actors: dict[str, tuple[Span, str]],
                       hedges: dict[str, Span], by: dict[str, list[str]], hedges_of: dict[str, list[str]],
                       entities: dict[str, Entity], unattributed: list[Commitment], hedging: set[str]) -> None:
    """Each commitment with its sentence and hedges, under the entities it is `by` (else unattributed);
    the hedges linked to one go into `hedging`."""
    in_order = _in_order  # the items come in document order: only a commitment's hedges need sorting
    sentences = Sentences(text)
    sentence_at = sentences.at
    for span, note in commitments:
        own: tuple[Span, ...] = ()
        if (hedge_ids := hedges_of.get(span.id)) is not None:
            own = tuple([hedges[h] for h in hedge_ids if h in hedges])
            if own:
                hedging.update([h.id for h in own])
                if len(own) > 1:
                    own = tuple(sorted(own, key=in_order))
        start, end = sentence_at(span.start)
        commitment = Commitment(span, text[start:end], start, end, own, note)
        actor_ids = by.get(span.id)
        if actor_ids is None:
            unattributed.append(commitment)
            continue
        names = dict.fromkeys([actors[a][1] for a in actor_ids if a in actors])
        if not names:
            unattributed.append(commitment)
        for name in names:
            if (named := entities.get(name)) is None:
                named = entities[name] = Entity(name)
            named.commitments.append(commitment)


ACTOR, COMMITMENT, HEDGE = "actor", "commitment", "hedge"


def corpus_brief(briefs: Iterable[tuple[str, Brief]], corpus: dict[str, Any]) -> Brief:
    """Briefs of several documents summed per entity: each commitment, and each hedge linked to
    nothing, keeps its document's path."""
    from dataclasses import replace

    entities: dict[str, Entity] = {}
    unattributed: list[Commitment] = []
    unlinked: list[Span] = []
    for path, brief in briefs:
        for entity in brief.entities:
            merged = entities.get(entity.name)
            if merged is None:
                merged = entities[entity.name] = Entity(entity.name)
            merged.actors += entity.actors
            merged.commitments += [replace(c, document=path) for c in entity.commitments]
        unattributed += [replace(c, document=path) for c in brief.unattributed]
        unlinked += [h._replace(document=path) for h in brief.unlinked_hedges]
    ordered = sorted(entities.values(), key=lambda e: (-len(e.commitments), e.name.casefold(), e.name))
    return Brief(corpus, ordered, unattributed, unlinked)


_in_order = itemgetter(2, 3, 0)  # a Span's (start, end, id): document order, in C


def _items(annotations: Iterable[Annotation]) -> Iterator[tuple[Span, str, str]]:
    """(span, note, entity) of each annotation with a tag the brief uses, in document order; a
    Layer's from its rows, without making Annotation objects (timestamps and context are not needed)."""
    wanted = {ACTOR, COMMITMENT, HEDGE}
    if not isinstance(annotations, Layer):
        for a in sorted(annotations, key=Annotation.sort_key):
            if a.tag in wanted:
                yield Span(a.id, a.tag, a.start, a.end, a.quote), a.note, getattr(a, "entity", "")
        return
    rows, order = annotations.rows_in_position_order()
    text, starts, ends, tags = rows.text, rows.starts, rows.ends, rows.tags
    whole = text or ""  # read only when the text is there (see `extra`)
    extras = getattr(rows, "extras", None)
    codes = {tags.code_of(name): name for name in wanted}
    codes.pop(-1, None)
    tag_codes = tags.codes
    hexes, width = rows.ids.hex(), 2 * ID_WIDTH  # every id's hex digits at once: rows.id_of, without a call a row
    new = tuple.__new__
    for row in order:
        tag = codes.get(tag_codes[row])
        if tag is None:
            continue
        extra = extras[row] if extras is not None and text is not None else {}
        if extra is None or type(extra) is str:  # the usual row: the quote is the text's, the note this
            start, end, h = starts[row], ends[row], row * width
            annotation_id = f"{hexes[h:h + 8]}-{hexes[h + 8:h + 12]}-{hexes[h + 12:h + 16]}-{hexes[h + 16:h + 20]}-" \
                            f"{hexes[h + 20:h + width]}"
            yield new(Span, (annotation_id, tag, start, end, whole[start:end], "")), extra or "", ""
        else:  # anything else: the whole annotation, as the rows make it
            a = rows.annotation(row)
            yield Span(a.id, tag, a.start, a.end, a.quote), a.note, getattr(a, "entity", "")


# -- rendering -----------------------------------------------------------------------------


def counted(number: int, noun: str) -> str:
    """"1 commitment", "2 commitments"."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def summary_line(brief: Brief) -> str:
    totals = brief.to_json()["totals"]
    return (f"{counted(totals['commitments'], 'commitment')}: {totals['hedged']:,} hedged, {totals['bare']:,} bare · "
            f"{counted(totals['entities'], 'actor')} · "
            f"{counted(totals['unlinked_hedges'], 'hedge')} linked to nothing")


def _one_line(text: str) -> str:
    return shown_line(" ".join(text.split()))


def _quoted(span: Span) -> str:
    return f"“{_one_line(span.quote)}”"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#&])")  # what can start emphasis, code, links, HTML, tables


def md_escape(text: str) -> str:
    """Text that Markdown shows as it is: no emphasis, links, HTML or table breaks from a quote."""
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def to_markdown(brief: Brief) -> str:
    title = brief.document.get("title") or brief.document.get("path") or "document"
    lines = [f"## Brief: {md_escape(str(title))}", ""]
    lines += [md_escape(summary_line(brief)) + ".", ""]
    for entity in brief.entities:
        lines += [f"### {md_escape(entity.name)}", "",
                  f"{counted(len(entity.commitments), 'commitment')}: {entity.hedged} hedged, {entity.bare} bare.", ""]
        lines += _md_commitments(entity.commitments)
    if brief.unattributed:
        lines += ["### Commitments with no actor linked", "", *_md_commitments(brief.unattributed)]
    if brief.unlinked_hedges:
        lines += ["### Hedges linked to nothing", ""]
        lines += [f"- “{md_escape(h.quote)}” ({md_escape(h.document) + ', ' if h.document else ''}{h.start}–{h.end})"
                  for h in brief.unlinked_hedges] + [""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_commitments(commitments: list[Commitment]) -> list[str]:
    lines = []
    for c in commitments:
        hedges = ", ".join(f"“{md_escape(h.quote)}”" for h in c.hedges) or "none (bare)"
        where = f"{md_escape(c.document)}, " if c.document else ""
        lines += [f"- **“{md_escape(c.span.quote)}”** ({where}{c.span.start}–{c.span.end})",
                  f"  - hedges: {hedges}",
                  f"  - sentence: {md_escape(c.sentence)}"]
    return lines + ([""] if lines else [])


BAR_WIDTH = 20


def bar(hedged: int, bare: int, width: int = BAR_WIDTH) -> Text:
    """A rich Text bar: hedged in the hedge colour, bare in the commitment colour, scaled to `width`."""
    from rich.text import Text

    total = hedged + bare
    filled = round(width * hedged / total) if total else 0
    if hedged and not filled:
        filled = 1
    if bare and filled == width:
        filled = width - 1
    result = Text()
    result.append("█" * filled, style="#ffaf5f")
    result.append("█" * (width - filled) if total else "·" * width, style="#87d787" if total else "dim")
    return result


def to_text(brief: Brief, width: int = 100) -> Group:
    """The brief as rich renderables (a Group): every untrusted string goes in as plain Text."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    title = brief.document.get("title") or brief.document.get("path") or "document"
    parts.append(Text.assemble(("Brief: ", "bold"), (_one_line(str(title)), "bold")))
    parts.append(Text.assemble((summary_line(brief), "dim"), "  ", ("█", "#ffaf5f"), " hedged ", ("█", "#87d787"),
                               " bare"))
    room = max(20, width - 8)
    for entity in brief.entities:
        parts.append(Text())
        head = Text.assemble((_one_line(entity.name)[:40], "bold #5fafff"), "  ")
        head.append_text(bar(entity.hedged, entity.bare))
        head.append(f"  {entity.hedged} hedged · {entity.bare} bare")
        parts.append(head)
        parts += _text_commitments(entity.commitments, room)
    if brief.unattributed:
        parts += [Text(), Text("Commitments with no actor linked", style="bold")]
        parts += _text_commitments(brief.unattributed, room)
    if brief.unlinked_hedges:
        parts += [Text(), Text("Hedges linked to nothing", style="bold")]
        parts += [Text(f"  {_cut(_quoted(h), room)}  {h.start}–{h.end}") for h in brief.unlinked_hedges]
    return Group(*parts)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _text_commitments(commitments: list[Commitment], room: int) -> list[Text]:
    from rich.text import Text

    lines = []
    for c in commitments:
        where = f"{_one_line(c.document)} " if c.document else ""
        lines.append(Text.assemble("  → ", (_cut(_quoted(c.span), room), "#87d787"),
                                   f"  {where}{c.span.start}–{c.span.end}"))
        hedges = ", ".join(_quoted(h) for h in c.hedges)
        lines.append(Text.assemble("      hedged by ", (_cut(hedges, room - 10), "#ffaf5f")) if hedges
                     else Text("      bare", style="dim"))
        lines.append(Text(f"      {_cut(_one_line(c.sentence), room)}", style="dim italic"))
    return lines
