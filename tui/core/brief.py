"""The analyst's brief: who commits to what, and how it is hedged.

Built from one layer and its links: per entity (an actor's `entity`, else its quote), the
commitments linked to it `by` that relation, each with its quote, its sentence and the hedges
linked to it (`hedges`); the hedged and bare counts; the commitments no actor is linked to;
and the hedges linked to no commitment (the author's own voice). Which tags and relations play
actor, commitment, hedge, `by` and `hedges` is the codebook's to say (BriefRoles.of): a codebook
of claims softened by hedges gets a brief of claims, worded so.

Three renderings: `to_json` (documented in the README), `to_markdown` (pastes into a report)
and `to_text` (a rich renderable: a small bar per entity, hedged against bare).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import chain, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from tui.core.annotation import Annotation
from tui.core.layer import Layer
from tui.core.links import Link
from tui.core.rows import ID_WIDTH
from tui.core.safe_text import shown_line
from tui.core.segment import paragraph_at, sentences_in
from tui.core.tags import Relations
from tui.core.wording import count_of

if TYPE_CHECKING:
    from rich.console import Group, RenderableType
    from rich.text import Text

BRIEF_FORMAT = "hedgerow-brief"
BRIEF_VERSION = 1


class BriefRoles(NamedTuple):
    """The tags and relations the brief sums up; None where the codebook has no relation for it."""

    actor: str | None = "actor"
    commitment: str | None = "commitment"
    hedge: str | None = "hedge"
    by: str | None = "by"
    hedges: str | None = "hedges"

    @classmethod
    def of(cls, relations: Relations) -> BriefRoles:
        by, hedges = relations.playing("by"), relations.playing("hedges")
        return cls(by.target if by else None, by.source if by else hedges.target if hedges else None,
                   hedges.source if hedges else None, by.name if by else None, hedges.name if hedges else None)

    @property
    def sums_up(self) -> bool:
        """False when the codebook has neither relation: there is nothing to sum up."""
        return self.by is not None or self.hedges is not None

    def word(self, role: str) -> str:
        """The tag's name for `role` ("actor", "commitment", "hedge"), as shown: the role's own when absent."""
        return shown_line(getattr(self, role) or role)

    def words(self, count: int, role: str) -> str:
        return count_of(count, self.word(role))

    def heading(self, role: str) -> str:
        """"Commitments", "Claims": the tag's plural, capitalised, to start a heading."""
        plural = self.word(role) + "s"
        return plural[:1].upper() + plural[1:]

    def why_empty(self) -> str:
        return ("The codebook gives the brief nothing to sum up: no relation is named, or has the role, "
                "by (commitment → actor) or hedges (hedge → commitment).")


DEFAULT_ROLES = BriefRoles()


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


class Commitment(NamedTuple):
    """A commitment with its hedges. Its sentence is found when first asked for (`sentences`
    splits each paragraph once): the TUI's brief shows the few in view, so only those are split."""

    span: Span
    hedges: tuple[Span, ...]
    sentences: Sentences  # of the commitment's document
    note: str = ""
    document: str = ""  # in a corpus brief: the document's path (its offsets count in that text)

    @property
    def hedged(self) -> bool:
        return bool(self.hedges)

    @property
    def sentence_span(self) -> tuple[int, int]:
        return self.sentences.at(self.span.start)

    @property
    def sentence_start(self) -> int:
        return self.sentence_span[0]

    @property
    def sentence_end(self) -> int:
        return self.sentence_span[1]

    @property
    def sentence(self) -> str:
        start, end = self.sentence_span
        return self.sentences.text[start:end]

    def to_json(self) -> dict[str, Any]:
        start, end = self.sentence_span
        made: dict[str, Any] = {**self.span.to_json(), "note": self.note,
                "sentence": {"start": start, "end": end, "text": self.sentences.text[start:end]},
                "hedged": self.hedged, "hedges": [h.to_json() for h in self.hedges]}
        if self.document:
            made["document"] = self.document
        return made


class Entity(NamedTuple):
    """An actor's canonical name, its mentions, and the commitments linked `by` them."""

    name: str
    actors: list[Span]
    commitments: list[Commitment]

    @classmethod
    def named(cls, name: str) -> Entity:
        return cls(name, [], [])

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
    roles: BriefRoles = DEFAULT_ROLES

    @property
    def commitments(self) -> int:
        return sum(len(e.commitments) for e in self.entities) + len(self.unattributed)

    def to_json(self) -> dict[str, Any]:
        hedged = sum(e.hedged for e in self.entities) + sum(c.hedged for c in self.unattributed)
        return {
            "hedgerow": {"format": BRIEF_FORMAT, "version": BRIEF_VERSION},
            "document": self.document,
            "roles": self.roles._asdict(),
            "entities": [e.to_json() for e in self.entities],
            "unattributed": [c.to_json() for c in self.unattributed],
            "unlinked_hedges": [h.to_json() for h in self.unlinked_hedges],
            "totals": {"entities": len(self.entities), "commitments": self.commitments,
                       "attributions": sum(len(e.commitments) for e in self.entities),
                       "hedged": hedged, "bare": self.commitments - hedged,
                       "unattributed": len(self.unattributed), "unlinked_hedges": len(self.unlinked_hedges)},
        }


class Sentences:
    """The sentence around an offset in one text: each paragraph is split into sentences once,
    however many ask and in whatever order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._paragraphs: dict[int, tuple[int, list[int], list[tuple[int, int]]]] = {}  # start -> (end, ...)
        self._paragraph: tuple[int, int, list[int], list[tuple[int, int]]] = (-1, -1, [], [])  # the last asked
        self._last: tuple[int, int] = (-1, -1)  # the sentence found last

    def at(self, offset: int) -> tuple[int, int]:
        last = self._last
        if last[0] <= offset < last[1]:  # commitments come in document order: often the same sentence again
            return last
        start, end, starts, spans = self._paragraph
        if not start <= offset < end:
            start, end = paragraph_at(self.text, offset)
            known = self._paragraphs.get(start)
            if known is None:
                spans = sentences_in(self.text, start, end) or [(start, end)]
                known = self._paragraphs[start] = (end, [s for s, _ in spans], spans)
            end, starts, spans = known
            self._paragraph = (start, end, starts, spans)
        index = max(0, bisect_right(starts, offset) - 1)
        self._last = found = spans[index]
        return found


class Tagged(NamedTuple):
    """The annotations of one tag in document order, as Spans, with each one's note and entity."""

    spans: list[Span]
    notes: list[str]
    entities: list[str]


def tagged(annotations: Iterable[Annotation], tags: Iterable[str]) -> dict[str, Tagged]:
    """The annotations of each of `tags`. A Layer is read column by column from its rows: the
    usual row (its quote the text's, no field but the note beyond the columns) makes no
    Annotation and no Python call; the rest are read whole."""
    wanted = list(dict.fromkeys(tags))
    if isinstance(annotations, Layer) and annotations.text is not None:
        return _tagged_rows(annotations, wanted)
    found = {tag: Tagged([], [], []) for tag in wanted}
    for a in sorted(annotations, key=Annotation.sort_key):
        if (into := found.get(a.tag)) is not None:
            into.spans.append(Span(a.id, a.tag, a.start, a.end, a.quote))
            into.notes.append(a.note)
            into.entities.append(getattr(a, "entity", ""))
    return found


def _tagged_rows(layer: Layer, tags: list[str]) -> dict[str, Tagged]:
    rows, order = layer.rows_in_position_order()
    text, starts, ends, extras, codes = rows.text or "", rows.starts, rows.ends, rows.extras, rows.tags.codes
    found: dict[str, Tagged] = {}
    ids: list[str] | None = None
    make_span = partial(tuple.__new__, Span)
    # The rows in tag order, document order within a tag (a stable sort, its key read in C).
    by_tag = sorted(order, key=codes.__getitem__)
    tag_codes = list(map(codes.__getitem__, by_tag))
    for tag in tags:
        code = rows.tags.code_of(tag)
        tag_rows = by_tag[bisect_left(tag_codes, code):bisect_right(tag_codes, code)] if code >= 0 else []
        if tag_rows and ids is None:
            ids = id_texts(rows.ids)
        at = list(map(starts.__getitem__, tag_rows))
        to = list(map(ends.__getitem__, tag_rows))
        spans = list(map(make_span, zip(map((ids or []).__getitem__, tag_rows), repeat(tag), at, to,
                                        map(text.__getitem__, map(slice, at, to)), repeat(""))))
        kept = list(map(extras.__getitem__, tag_rows))  # None, the note alone, or a dict of every field
        notes = ["" if extra is None else extra for extra in kept]
        entities = [""] * len(spans)
        if dict in set(map(type, kept)):
            for index in [i for i, extra in enumerate(kept) if type(extra) is dict]:
                a = rows.annotation(tag_rows[index])
                spans[index] = Span(a.id, tag, a.start, a.end, a.quote)
                notes[index], entities[index] = a.note, a.entity
        found[tag] = Tagged(spans, notes, entities)  # type: ignore[arg-type]  # (no dict left among the notes)
    return found


_HEX_PLACES = [k + (k >= 8) + (k >= 12) + (k >= 16) + (k >= 20) for k in range(32)]  # hex digit -> place in a uuid


def id_texts(raw: bytes | bytearray) -> list[str]:
    """The uuid text of every 16 bytes: the hex digits put in place column by column (a slice
    assignment each, in C), then split; a tenth of the time of formatting them one by one."""
    count = len(raw) // ID_WIDTH
    digits = raw.hex().encode("ascii")
    out = bytearray(b"-" * (37 * count))
    for k, place in enumerate(_HEX_PLACES):
        out[place::37] = digits[k::32]
    out[36::37] = b"\n" * count
    return out.decode("ascii").split("\n")[:count]


def build_brief(text: str, annotations: Iterable[Annotation], links: Iterable[Link],
                document: dict[str, Any] | None = None, roles: BriefRoles = DEFAULT_ROLES) -> Brief:
    """The brief of one layer (a Layer is read straight from its rows, without making Annotations)."""
    nothing = Tagged([], [], [])
    found = tagged(annotations, [tag for tag in (roles.actor, roles.commitment, roles.hedge) if tag])
    actors, commitments, hedges = (found.get(tag, nothing) if tag else nothing
                                   for tag in (roles.actor, roles.commitment, roles.hedge))
    by: dict[str, list[str]] = {}
    hedges_of: dict[str, list[str]] = {}
    by_name, hedges_name = roles.by, roles.hedges
    for source, relation, target, *_ in links:
        if relation == by_name:
            if (targets := by.get(source)) is None:
                by[source] = [target]
            else:
                targets.append(target)
        elif relation == hedges_name:
            if (sources := hedges_of.get(target)) is None:
                hedges_of[target] = [source]
            else:
                sources.append(source)
    names = [" ".join((entity or span.quote).split())
             for span, entity in zip(actors.spans, actors.entities, strict=True)]
    mentions: dict[str, list[Span]] = {}
    for span, name in zip(actors.spans, names, strict=True):
        if (listed := mentions.get(name)) is None:
            mentions[name] = [span]
        else:
            listed.append(span)
    empty_lists: Iterator[list[Commitment]] = map(list, repeat((), len(mentions)))  # each entity's commitments, to come
    entities = dict(zip(mentions, map(partial(tuple.__new__, Entity),
                                      zip(mentions, mentions.values(), empty_lists, strict=True)), strict=True))
    entity_of = dict(zip(map(_id, actors.spans), names, strict=True))
    hedge_of = dict(zip(map(_id, hedges.spans), hedges.spans, strict=True))
    unattributed: list[Commitment] = []
    make = partial(tuple.__new__, Commitment)
    sentences = Sentences(text)
    ids = list(map(_id, commitments.spans))
    for span, note, hedge_ids, actor_ids in zip(commitments.spans, commitments.notes, map(hedges_of.get, ids),
                                                map(by.get, ids), strict=True):
        own: tuple[Span, ...] = ()
        if hedge_ids is not None:
            own = tuple([hedge_of[h] for h in hedge_ids if h in hedge_of])
            if len(own) > 1:
                own = tuple(sorted(own, key=_in_order))  # the spans come in document order: only these need it
        commitment = make((span, own, sentences, note, ""))
        if actor_ids is None:
            unattributed.append(commitment)
            continue
        named_by = dict.fromkeys([entity_of[a] for a in actor_ids if a in entity_of])
        if not named_by:
            unattributed.append(commitment)
        for name in named_by:
            entities[name].commitments.append(commitment)
    # A hedge speaks in the author's own voice when it hedges no commitment there is.
    committed = set(ids)
    hedging = set(chain.from_iterable([ids for target, ids in hedges_of.items() if target in committed]))
    unlinked = [h for h in hedges.spans if h.id not in hedging]
    return Brief(document or {}, _ordered(entities.values()), unattributed, unlinked, roles)


def _ordered(entities: Iterable[Entity]) -> list[Entity]:
    """Most commitments first, then by name (case folded, then as written): three stable sorts
    with keys looked up in C, which cost a tenth of a sort on (count, folded, name) tuples."""
    listed = list(entities)
    names = [e.name for e in listed]
    folded = list(map(str.casefold, names))
    counts = [-len(e.commitments) for e in listed]
    order = sorted(range(len(listed)), key=names.__getitem__)
    order.sort(key=folded.__getitem__)
    order.sort(key=counts.__getitem__)
    return list(map(listed.__getitem__, order))


def corpus_brief(briefs: Iterable[tuple[str, Brief]], corpus: dict[str, Any],
                 roles: BriefRoles = DEFAULT_ROLES) -> Brief:
    """Briefs of several documents summed per entity: each commitment, and each hedge linked to
    nothing, keeps its document's path."""
    entities: dict[str, Entity] = {}
    unattributed: list[Commitment] = []
    unlinked: list[Span] = []
    for path, brief in briefs:
        for entity in brief.entities:
            merged = entities.get(entity.name)
            if merged is None:
                merged = entities[entity.name] = Entity.named(entity.name)
            merged.actors.extend(entity.actors)
            merged.commitments.extend([c._replace(document=path) for c in entity.commitments])
        unattributed += [c._replace(document=path) for c in brief.unattributed]
        unlinked += [h._replace(document=path) for h in brief.unlinked_hedges]
    return Brief(corpus, _ordered(entities.values()), unattributed, unlinked, roles)


_in_order = itemgetter(2, 3, 0)  # a Span's (start, end, id): document order, in C
_id = itemgetter(0)  # a Span's id


# -- rendering -----------------------------------------------------------------------------


def summary_line(brief: Brief) -> str:
    roles = brief.roles
    if not roles.sums_up:
        return roles.why_empty()
    totals = brief.to_json()["totals"]
    commitments = roles.words(totals["commitments"], "commitment")
    parts = [f"{commitments}: {totals['hedged']:,} hedged, {totals['bare']:,} bare"]
    if roles.by is not None:
        parts.append(roles.words(totals["entities"], "actor"))
    if roles.hedges is not None:  # a codebook without the role has no hedges to count
        parts.append(f"{roles.words(totals['unlinked_hedges'], 'hedge')} linked to no {roles.word('commitment')}")
    return " · ".join(parts)


def unattributed_heading(roles: BriefRoles) -> str:
    return f"{roles.heading('commitment')} with no {roles.word('actor')} linked"


def unlinked_heading(roles: BriefRoles) -> str:
    return f"{roles.heading('hedge')} linked to no {roles.word('commitment')}"


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
    roles = brief.roles
    for entity in brief.entities:
        lines += [f"### {md_escape(entity.name)}", "",
                  f"{md_escape(roles.words(len(entity.commitments), 'commitment'))}: {entity.hedged} hedged, "
                  f"{entity.bare} bare.", ""]
        lines += _md_commitments(entity.commitments)
    if brief.unattributed:
        lines += [f"### {md_escape(unattributed_heading(roles))}", "", *_md_commitments(brief.unattributed)]
    if brief.unlinked_hedges:
        lines += [f"### {md_escape(unlinked_heading(roles))}", ""]
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
        parts += [Text(), Text(unattributed_heading(brief.roles), style="bold")]
        parts += _text_commitments(brief.unattributed, room)
    if brief.unlinked_hedges:
        parts += [Text(), Text(unlinked_heading(brief.roles), style="bold")]
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
