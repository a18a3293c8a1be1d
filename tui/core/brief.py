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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import accumulate, compress, filterfalse, repeat
from operator import add, eq, mod, mul, neg, not_, sub
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar, cast, overload

from tui.core.annotation import Annotation
from tui.core.layer import Layer
from tui.core.links import Link, LinkIndex
from tui.core.rows import ID_WIDTH, NO_ID, Rows
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
        made: dict[str, Any] = {**self.span.to_json(), "note": self.note, "hedged": self.hedged,
                                "sentence": {"start": start, "end": end, "text": self.sentences.text[start:end]},
                                "hedges": [h.to_json() for h in self.hedges]}
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


class Totals(NamedTuple):
    """The brief's counts, as its JSON gives them (`totals`)."""

    entities: int
    commitments: int  # each commitment once, whether no actor, one or several made it
    attributions: int  # each entity's commitments: one made by two actors counts twice
    hedged: int
    unattributed: int
    unlinked_hedges: int

    @property
    def bare(self) -> int:
        return self.commitments - self.hedged

    def to_json(self) -> dict[str, int]:
        return {"entities": self.entities, "commitments": self.commitments, "attributions": self.attributions,
                "hedged": self.hedged, "bare": self.bare, "unattributed": self.unattributed,
                "unlinked_hedges": self.unlinked_hedges}


@dataclass
class Brief:
    """A brief of lists (a corpus's, a test's) or of build_brief's sequences, which make each
    entity, commitment and span only when it is read: the TUI shows the few in view."""

    document: dict[str, Any]
    entities: Sequence[Entity]
    unattributed: Sequence[Commitment]  # commitments no actor is linked to
    unlinked_hedges: Sequence[Span]  # hedges linked to no commitment: the author's own voice
    roles: BriefRoles = DEFAULT_ROLES

    @property
    def commitments(self) -> int:
        return self.totals().commitments

    def totals(self) -> Totals:
        """Counted without making the entities and commitments of a built brief."""
        attributions, commitments, hedged = entity_counts(self.entities)
        hedged += sum(hedge_counts(self.unattributed)[1])
        return Totals(len(self.entities), commitments + len(self.unattributed), attributions, hedged,
                      len(self.unattributed), len(self.unlinked_hedges))

    def to_json(self) -> dict[str, Any]:
        return {
            "hedgerow": {"format": BRIEF_FORMAT, "version": BRIEF_VERSION},
            "document": self.document,
            "roles": self.roles._asdict(),
            "entities": [e.to_json() for e in self.entities],
            "unattributed": [c.to_json() for c in self.unattributed],
            "unlinked_hedges": [h.to_json() for h in self.unlinked_hedges],
            "totals": self.totals().to_json(),
        }


def entity_counts(entities: Sequence[Entity]) -> tuple[int, int, int]:
    """(attributions, commitments, hedged commitments) over the entities: a commitment made by two
    actors is two attributions but one commitment (it was counted twice, hedged or not)."""
    if isinstance(entities, EntityList):
        return entities.attributions, entities.commitments, entities.hedged
    hedged = {(c.document, c.span.id): c.hedged for e in entities for c in e.commitments}
    return sum(len(e.commitments) for e in entities), len(hedged), sum(hedged.values())


def entity_sizes(entities: Sequence[Entity]) -> tuple[list[int], list[int]]:
    """Each entity's number of commitments, and of hedges over them (the TUI's brief counts its
    lines with them), without making the entities of a built brief."""
    if isinstance(entities, EntityList):
        return entities.sizes()
    return [len(e.commitments) for e in entities], [sum(len(c.hedges) for c in e.commitments) for e in entities]


def hedge_counts(commitments: Sequence[Commitment]) -> tuple[list[int], list[bool]]:
    """Each commitment's number of hedges, and whether it is hedged, without making them."""
    if isinstance(commitments, CommitmentList):
        return commitments.hedge_counts()
    counts = [len(c.hedges) for c in commitments]
    return counts, list(map(bool, counts))


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


# -- one tag's annotations -----------------------------------------------------------------


class Tagged(NamedTuple):
    """The annotations of one tag in document order, as Spans, with each one's note and entity."""

    spans: list[Span]
    notes: list[str]
    entities: list[str]


class Annotations(Protocol):
    """One tag's annotations in document order: their ids at once, the rest when asked for."""

    tag: str
    ids: list[str]

    def span(self, index: int) -> Span: ...

    def note(self, index: int) -> str: ...

    def spans(self) -> list[Span]:
        """Every one's Span, made at once."""
        ...

    def notes(self) -> list[str]: ...

    def names(self) -> list[str]:
        """Each one's entity, else its quote, white space collapsed: the brief's name for an actor."""
        ...

    def tagged(self) -> Tagged: ...


class _ListedAnnotations:
    """Annotations given as objects (a list, not a Layer)."""

    def __init__(self, tag: str, annotations: list[Annotation]) -> None:
        self.tag, self._annotations = tag, annotations
        self.ids = [a.id for a in annotations]

    def span(self, index: int) -> Span:
        a = self._annotations[index]
        return Span(a.id, self.tag, a.start, a.end, a.quote)

    def note(self, index: int) -> str:
        return self._annotations[index].note

    def spans(self) -> list[Span]:
        return list(map(self.span, range(len(self.ids))))

    def notes(self) -> list[str]:
        return [a.note for a in self._annotations]

    def names(self) -> list[str]:
        return [" ".join((getattr(a, "entity", "") or a.quote).split()) for a in self._annotations]

    def tagged(self) -> Tagged:
        return Tagged(self.spans(), self.notes(), [getattr(a, "entity", "") for a in self._annotations])


class _RowAnnotations:
    """A Layer's rows of one tag, read column by column: the usual row (its quote the text's, no
    field but the note beyond the columns) makes no Annotation; the rest are read whole."""

    def __init__(self, tag: str, rows: Rows, handles: list[int], ids: list[str]) -> None:
        self.tag, self._rows, self._handles, self.ids = tag, rows, handles, ids
        self._text = rows.text or ""
        self._whole: list[int] | None = None  # the indexes of rows with a dict of fields

    def whole(self) -> list[int]:
        """The indexes of the rows kept with a dict of their fields (not the usual row)."""
        if self._whole is None:
            extras = self._rows.extras
            kept = list(map(extras.__getitem__, self._handles))
            self._whole = [i for i, extra in enumerate(kept) if type(extra) is dict] if dict in set(map(type, kept)) \
                else []
        return self._whole

    def span(self, index: int) -> Span:
        rows, row = self._rows, self._handles[index]
        if type(rows.extras[row]) is dict:
            a = rows.annotation(row)
            return Span(a.id, self.tag, a.start, a.end, a.quote)
        start, end = rows.starts[row], rows.ends[row]
        return Span(self.ids[index], self.tag, start, end, self._text[start:end])

    def note(self, index: int) -> str:
        extra = self._rows.extras[self._handles[index]]
        if type(extra) is dict:
            return self._rows.annotation(self._handles[index]).note
        return extra or ""  # type: ignore[return-value]  # (None, or the note alone)

    def _quotes(self) -> list[str]:
        """Every one's quote as the text says it (not yet the quote a row with a dict keeps)."""
        rows, handles = self._rows, self._handles
        return list(map(self._text.__getitem__, map(slice, map(rows.starts.__getitem__, handles),
                                                    map(rows.ends.__getitem__, handles))))

    def names(self) -> list[str]:
        quotes = self._quotes()
        for index in self.whole():
            a = self._rows.annotation(self._handles[index])
            quotes[index] = a.entity or a.quote
        return list(map(" ".join, map(str.split, quotes)))

    def spans(self) -> list[Span]:
        rows, handles = self._rows, self._handles
        spans = list(map(partial(tuple.__new__, Span), zip(
            self.ids, repeat(self.tag), map(rows.starts.__getitem__, handles), map(rows.ends.__getitem__, handles),
            self._quotes(), repeat(""))))
        for index in self.whole():
            spans[index] = self.span(index)
        return spans

    def notes(self) -> list[str]:
        notes = ["" if extra is None else extra for extra in map(self._rows.extras.__getitem__, self._handles)]
        for index in self.whole():
            notes[index] = self.note(index)
        return notes  # type: ignore[return-value]  # (no dict left among them)

    def tagged(self) -> Tagged:
        entities = [""] * len(self._handles)
        for index in self.whole():
            entities[index] = self._rows.annotation(self._handles[index]).entity
        return Tagged(self.spans(), self.notes(), entities)


def annotations_of(annotations: Iterable[Annotation], tags: Iterable[str]) -> dict[str, Annotations]:
    """The annotations of each of `tags`, in document order. A Layer's are read from its rows."""
    wanted = list(dict.fromkeys(tags))
    if isinstance(annotations, Layer) and annotations.text is not None:
        return _row_annotations(annotations, wanted)
    found: dict[str, list[Annotation]] = {tag: [] for tag in wanted}
    for a in sorted(annotations, key=Annotation.sort_key):
        if (into := found.get(a.tag)) is not None:
            into.append(a)
    return {tag: _ListedAnnotations(tag, listed) for tag, listed in found.items()}


def _row_annotations(layer: Layer, tags: list[str]) -> dict[str, Annotations]:
    rows, order = layer.rows_in_position_order()
    codes = rows.tags.codes
    # The rows in tag order, document order within a tag (a stable sort, its key read in C).
    by_tag = sorted(order, key=codes.__getitem__)
    tag_codes = list(map(codes.__getitem__, by_tag))
    every_id: list[str] | None = None
    found: dict[str, Annotations] = {}
    for tag in tags:
        code = rows.tags.code_of(tag)
        handles = by_tag[bisect_left(tag_codes, code):bisect_right(tag_codes, code)] if code >= 0 else []
        if handles and every_id is None:
            every_id = id_texts(rows.ids)
        ids = list(map((every_id or []).__getitem__, handles))
        group = _RowAnnotations(tag, rows, handles, ids)
        if NO_ID in rows.ids:  # an id that is no canonical uuid is kept in the row's dict
            for index in group.whole():
                ids[index] = rows.id_of(handles[index])
        found[tag] = group
    return found


def tagged(annotations: Iterable[Annotation], tags: Iterable[str]) -> dict[str, Tagged]:
    """The annotations of each of `tags`, as Spans with their notes and entities."""
    return {tag: group.tagged() for tag, group in annotations_of(annotations, tags).items()}


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


# -- building ------------------------------------------------------------------------------


def build_brief(text: str, annotations: Iterable[Annotation], links: Iterable[Link],
                document: dict[str, Any] | None = None, roles: BriefRoles = DEFAULT_ROLES) -> Brief:
    """The brief of one layer (a Layer is read straight from its rows, without making Annotations).

    What it sums up is worked out in columns of numbers: each actor's entity, each `by` link as
    (commitment, entity) and each `hedges` link as (hedge, commitment), in sorted lists of ints
    that bisect finds each one's in. The entities, commitments and spans themselves are made
    when read (BriefColumns), so the TUI's brief of 100,000 annotations makes the few in view."""
    found = annotations_of(annotations, [tag for tag in (roles.actor, roles.commitment, roles.hedge) if tag])
    nothing = _ListedAnnotations("", [])
    actors, commitments, hedges = (found[tag] if tag else nothing
                                   for tag in (roles.actor, roles.commitment, roles.hedge))
    sources, relations, targets = _ends(links)
    names = actors.names()
    numbered: dict[str, int] = {}  # an entity's name -> its number, in the order first named
    entity_of = [numbered.setdefault(name, len(numbered)) for name in names]  # each actor's
    commitment_count, hedge_count = len(commitments.ids), len(hedges.ids)
    commitment_at = dict(zip(commitments.ids, range(commitment_count), strict=True))
    entity_at = dict(zip(actors.ids, entity_of, strict=True))
    hedge_at = dict(zip(hedges.ids, range(hedge_count), strict=True))
    # Each `by` link as entity * commitments + commitment (once, whichever mentions it links),
    # each `hedges` link as commitment * hedges + hedge: sorted, each one's are together.
    by_entity = sorted(set(_linked(sources, relations, targets, roles.by, commitment_at, entity_at,
                                   commitment_count)))
    by_commitment = sorted(_linked(sources, relations, targets, roles.hedges, hedge_at, commitment_at, hedge_count))
    columns = BriefColumns(actors, commitments, hedges, Sentences(text), list(numbered), entity_of,
                           by_entity, by_commitment)
    counts = list(map(sub, columns.entity_bounds[1:], columns.entity_bounds))
    attributed = set(map(mod, by_entity, repeat(commitment_count))).__contains__
    linked = set(map(mod, by_commitment, repeat(hedge_count))).__contains__
    return Brief(document or {}, EntityList(columns, _order(columns.names, counts), counts),
                 CommitmentList(columns, list(filterfalse(attributed, range(commitment_count)))),
                 MadeWhenRead(columns.hedge_span, list(filterfalse(linked, range(hedge_count)))), roles)


def _linked(sources: list[str], relations: list[str], targets: list[str], relation: str | None,
            source_at: dict[str, int], target_at: dict[str, int], width: int) -> list[int]:
    """target * width + source, of the numbers of each link of `relation` whose two ends are known."""
    if relation is None:
        return []
    chosen = list(map(eq, relations, repeat(relation)))
    source_numbers = list(map(source_at.get, compress(sources, chosen)))
    target_numbers = list(map(target_at.get, compress(targets, chosen)))
    if None in source_numbers or None in target_numbers:  # an end that is gone, or of another tag
        kept = [s is not None and t is not None for s, t in zip(source_numbers, target_numbers, strict=True)]
        source_numbers, target_numbers = list(compress(source_numbers, kept)), list(compress(target_numbers, kept))
    return list(map(add, map(mul, target_numbers, repeat(width)), source_numbers))


def _bounds(keys: list[int], groups: int, width: int) -> list[int]:
    """Where each of `groups` starts in `keys` (sorted, group * width + member), and the end."""
    if not width:
        return [0] * (groups + 1)
    return list(map(bisect_left, repeat(keys), range(0, (groups + 1) * width, width)))


class BriefColumns:
    """What build_brief worked out, as columns, and the entities and commitments made from them.

    Numbers: an actor, a commitment and a hedge by its place in its tag's annotations (document
    order); an entity in the order first named. `by_entity` holds entity * commitments +
    commitment, sorted (each entity's commitments, in document order); `by_commitment`
    commitment * hedges + hedge (each commitment's hedges, in document order)."""

    def __init__(self, actors: Annotations, commitments: Annotations, hedges: Annotations, sentences: Sentences,
                 names: list[str], entity_of: list[int], by_entity: list[int], by_commitment: list[int]) -> None:
        self.actors, self.commitments, self.hedges, self.sentences = actors, commitments, hedges, sentences
        self.names, self._entity_of = names, entity_of
        self._commitment_count, self._hedge_count = len(commitments.ids), len(hedges.ids)
        self.by_entity, self.by_commitment = by_entity, by_commitment
        self.entity_bounds = _bounds(by_entity, len(names), self._commitment_count)
        self.hedge_bounds = _bounds(by_commitment, self._commitment_count, self._hedge_count)
        self._mentions: tuple[list[int], list[int]] | None = None
        self._hedge_counts: list[int] | None = None
        # One at a time until a pass over every entity asks for them all (read_all)
        self.actor_span: Callable[[int], Span] = actors.span
        self.commitment_span: Callable[[int], Span] = commitments.span
        self.hedge_span: Callable[[int], Span] = hedges.span
        self._note: Callable[[int], str] = commitments.note
        self._read_all = False

    def read_all(self) -> None:
        """Make every span (and note) at once, in C: for a pass over every entity (the JSON, the
        text, a corpus), at a fraction of the cost of one at a time."""
        if not self._read_all:
            self._read_all = True
            self.actor_span = cast("Callable[[int], Span]", self.actors.spans().__getitem__)
            self.commitment_span = cast("Callable[[int], Span]", self.commitments.spans().__getitem__)
            self.hedge_span = cast("Callable[[int], Span]", self.hedges.spans().__getitem__)
            self._note = cast("Callable[[int], str]", self.commitments.notes().__getitem__)

    def hedge_counts(self) -> list[int]:
        """Each commitment's number of hedges (counted once)."""
        if self._hedge_counts is None:
            self._hedge_counts = list(map(sub, self.hedge_bounds[1:], self.hedge_bounds))
        return self._hedge_counts

    def commitment(self, commitment: int) -> Commitment:
        first, span = commitment * self._hedge_count, self.hedge_span
        hedges = tuple([span(key - first) for key in
                        self.by_commitment[self.hedge_bounds[commitment]:self.hedge_bounds[commitment + 1]]])
        return Commitment(self.commitment_span(commitment), hedges, self.sentences, self._note(commitment))

    def mentions(self, entity: int) -> list[int]:
        """The entity's actors, in document order."""
        if self._mentions is None:  # the actors, a stable sort by entity, and where each entity's start
            entity_of = self._entity_of
            self._mentions = (sorted(range(len(entity_of)), key=entity_of.__getitem__),
                              _bounds(sorted(entity_of), len(self.names), 1))
        actors, bounds = self._mentions
        return actors[bounds[entity]:bounds[entity + 1]]

    def entity(self, entity: int) -> Entity:
        first = entity * self._commitment_count
        made = self.by_entity[self.entity_bounds[entity]:self.entity_bounds[entity + 1]]
        return Entity(self.names[entity], list(map(self.actor_span, self.mentions(entity))),
                      [self.commitment(key - first) for key in made])


class EntityList(Sequence[Entity]):
    """A built brief's entities, most commitments first: each made when first read, then kept."""

    def __init__(self, columns: BriefColumns, order: list[int], counts: list[int]) -> None:
        self._columns, self._order, self._counts = columns, order, counts
        self._made: list[Entity | None] = [None] * len(order)
        made = set(map(mod, columns.by_entity, repeat(columns._commitment_count)))  # each commitment an actor made
        hedge_counts = columns.hedge_counts()
        self.attributions, self.commitments = len(columns.by_entity), len(made)
        self.hedged = sum(1 for number in made if hedge_counts[number])
        self._sizes: tuple[list[int], list[int]] | None = None

    def _per_entity(self, values: list[int] | list[bool]) -> list[int]:
        """The sum of a value of each commitment over each entity's commitments, by entity number."""
        columns, width = self._columns, self._columns._commitment_count
        if not columns.by_entity:
            return [0] * len(self._counts)
        running = list(accumulate(map(values.__getitem__, map(mod, columns.by_entity, repeat(width))), initial=0))
        ends = list(map(running.__getitem__, columns.entity_bounds))
        return list(map(sub, ends[1:], ends))

    def names(self) -> list[str]:
        """Each entity's name, in the list's order."""
        return list(map(self._columns.names.__getitem__, self._order))

    def sizes(self) -> tuple[list[int], list[int]]:
        """Each entity's commitments and hedges over them, in the list's order."""
        if self._sizes is None:
            hedges = self._per_entity(self._columns.hedge_counts())
            order = self._order
            self._sizes = list(map(self._counts.__getitem__, order)), list(map(hedges.__getitem__, order))
        return self._sizes

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> Entity: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entity]: ...

    def __getitem__(self, index: int | slice) -> Entity | list[Entity]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        made = self._made[index]
        if made is None:
            made = self._made[index] = self._columns.entity(self._order[index])
        return made

    def __iter__(self) -> Iterator[Entity]:
        self._columns.read_all()  # a pass over them all
        return map(self.__getitem__, range(len(self)))


T = TypeVar("T")


class MadeWhenRead(Sequence[T]):
    """Some of a built brief's items, given by number, each made (`make(number)`) when read."""

    def __init__(self, make: Callable[[int], T], numbers: list[int]) -> None:
        self._make, self._numbers = make, numbers

    def __len__(self) -> int:
        return len(self._numbers)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(map(self._make, self._numbers[index]))
        return self._make(self._numbers[index])

    def __iter__(self) -> Iterator[T]:
        return map(self._make, self._numbers)


class CommitmentList(MadeWhenRead[Commitment]):
    """The commitments no actor is linked to."""

    def __init__(self, columns: BriefColumns, numbers: list[int]) -> None:
        super().__init__(columns.commitment, numbers)
        self._columns = columns

    def hedge_counts(self) -> tuple[list[int], list[bool]]:
        counts = list(map(self._columns.hedge_counts().__getitem__, self._numbers))
        return counts, list(map(bool, counts))


def _ends(links: Iterable[Link]) -> tuple[list[str], list[str], list[str]]:
    """(sources, relations, targets) of the links, as columns."""
    if isinstance(links, LinkIndex):
        return links.ends()
    listed = list(links)
    return [link.source for link in listed], [link.relation for link in listed], [link.target for link in listed]


def _order(names: list[str], counts: list[int]) -> list[int]:
    """The entities' numbers, most commitments first, then by name (case folded, then as written):
    three stable sorts with keys looked up in C, which cost a tenth of a sort on (count, folded,
    name) tuples."""
    folded = list(map(str.casefold, names))
    fewest = list(map(neg, counts))
    order = sorted(range(len(names)), key=names.__getitem__)
    order.sort(key=folded.__getitem__)
    order.sort(key=fewest.__getitem__)
    return order


def _ordered(entities: Iterable[Entity]) -> list[Entity]:
    listed = list(entities)
    return list(map(listed.__getitem__, _order([e.name for e in listed], [len(e.commitments) for e in listed])))


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



# -- rendering -----------------------------------------------------------------------------


def summary_line(brief: Brief) -> str:
    roles = brief.roles
    if not roles.sums_up:
        return roles.why_empty()
    totals = brief.totals()  # counted, not the JSON: that finds every commitment's sentence
    commitments = roles.words(totals.commitments, "commitment")
    parts = [f"{commitments}: {totals.hedged:,} hedged, {totals.bare:,} bare"]
    if roles.by is not None:
        parts.append(roles.words(totals.entities, "actor"))
    if roles.hedges is not None:  # a codebook without the role has no hedges to count
        parts.append(f"{roles.words(totals.unlinked_hedges, 'hedge')} linked to no {roles.word('commitment')}")
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


def _md_commitments(commitments: Sequence[Commitment]) -> list[str]:
    lines = []
    for c in commitments:
        hedges = ", ".join(f"“{md_escape(h.quote)}”" for h in c.hedges) or "none (bare)"
        where = f"{md_escape(c.document)}, " if c.document else ""
        lines += [f"- **“{md_escape(c.span.quote)}”** ({where}{c.span.start}–{c.span.end})",
                  f"  - hedges: {hedges}",
                  f"  - sentence: {md_escape(c.sentence)}"]
    return lines + ([""] if lines else [])


BAR_WIDTH = 20
NAME_COLUMN = 32  # cells at most for an entity's name before its bar: a longer name is cut with "…"
# Hedged and bare read apart without colour (piped, printed, a monochrome terminal): shaded against
# solid, as the report's chart hatches hedged against solid bare. The TUI's brief draws the same.
HEDGED_MARK, BARE_MARK, NO_COMMITMENT_MARK = "▒", "█", "·"
HEDGED_COLOUR, BARE_COLOUR = "#ffaf5f", "#87d787"
LEGEND: tuple[tuple[str, str] | str, ...] = ((HEDGED_MARK, HEDGED_COLOUR), " hedged ", (BARE_MARK, BARE_COLOUR),
                                             " bare")  # Text.assemble's pieces


def bar_runs(hedged: int, bare: int, width: int = BAR_WIDTH) -> tuple[str, str]:
    """The bar's cells, scaled to `width`: the hedged run, then the bare run (dots when there is no
    commitment). One of each still shows however few there are."""
    total = hedged + bare
    if not total:
        return "", NO_COMMITMENT_MARK * width
    filled = round(width * hedged / total)
    if hedged and not filled:
        filled = 1
    if bare and filled == width:
        filled = width - 1
    return HEDGED_MARK * filled, BARE_MARK * (width - filled)


def bar(hedged: int, bare: int, width: int = BAR_WIDTH) -> Text:
    """A rich Text bar: hedged (shaded, in the hedge colour) then bare (solid, in the commitment colour)."""
    from rich.text import Text

    hedged_run, bare_run = bar_runs(hedged, bare, width)
    result = Text()
    result.append(hedged_run, style=HEDGED_COLOUR)
    result.append(bare_run, style=BARE_COLOUR if hedged + bare else "dim")
    return result


def entity_names(entities: Sequence[Entity]) -> list[str]:
    """Each entity's name, without making the entities of a built brief."""
    if isinstance(entities, EntityList):
        return entities.names()
    return [e.name for e in entities]


def name_column(names: Iterable[str], most: int = NAME_COLUMN) -> int:
    """The cells the widest name takes on one terminal line (controls as one-cell stand-ins), at
    most `most`: the column the names are padded to, so that every bar starts at the same place.
    An ASCII name takes a cell a character (len, in C); only the others are measured, and only
    those that could be wider than the widest found."""
    from rich.cells import cell_len

    listed = names if isinstance(names, list) else list(names)
    ascii_ones = list(map(str.isascii, listed))
    widest = min(most, max(map(len, compress(listed, ascii_ones)), default=0))
    if widest < most and not all(ascii_ones):
        for name in compress(listed, map(not_, ascii_ones)):
            if widest >= most:
                break
            if 2 * len(name) > widest:  # a character takes two cells at most
                widest = min(most, max(widest, cell_len(_one_line(name))))
    return widest


def to_text(brief: Brief, width: int = 100) -> Group:
    """The brief as rich renderables (a Group): every untrusted string goes in as plain Text."""
    from rich.console import Group
    from rich.text import Text

    parts: list[RenderableType] = []
    title = brief.document.get("title") or brief.document.get("path") or "document"
    parts.append(Text.assemble(("Brief: ", "bold"), (_one_line(str(title)), "bold")))
    parts.append(Text.assemble((summary_line(brief), "dim"), "  ", *LEGEND))
    room = max(20, width - 8)
    column = name_column(entity_names(brief.entities), min(NAME_COLUMN, max(8, width - BAR_WIDTH - 24)))
    for entity in brief.entities:
        parts.append(Text())
        head = Text.assemble((_fit(_one_line(entity.name), column), "bold #5fafff"), "  ")
        head.append_text(bar(entity.hedged, entity.bare))
        head.append(f"  {entity.hedged} hedged · {entity.bare} bare")
        parts.append(head)
        parts += _text_commitments(entity.commitments, room)
    if brief.unattributed:
        parts += [Text(), Text(unattributed_heading(brief.roles), style="bold")]
        parts += _text_commitments(brief.unattributed, room)
    if brief.unlinked_hedges:
        parts += [Text(), Text(unlinked_heading(brief.roles), style="bold")]
        parts += [Text(f"  {_cut(_quoted(h), room)}  {_one_line(h.document) + ' ' if h.document else ''}"
                       f"{h.start}–{h.end}") for h in brief.unlinked_hedges]  # (offsets mean something per document)
    return Group(*parts)


def _fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: cut with "…", or padded, so that what follows lines up."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) > width:
        text = set_cell_size(text, max(0, width - 1)).rstrip() + "…"
    return set_cell_size(text, width)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _text_commitments(commitments: Sequence[Commitment], room: int) -> list[Text]:
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
