"""Links between annotations: a commitment `by` an actor, a hedge that `hedges` a commitment.

A link is a record of the layer file's `links` table, apart from the annotations, so adding
one never touches an annotation's record. As in the annotations table, records are keyed by
TinyDB's integer document ids ("1", "2", ...: stock TinyDB reads the table), and each keeps
its stable id as the field `id`, derived from (source, relation, target): the same link made
twice is one link, and the merge driver merges links by that id, renumbering a link that two
branches gave the same key (tui.core.merge).
"""

from __future__ import annotations

import re
import uuid
from array import array
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

from tui.core.annotation import Annotation, utc_now
from tui.core.errors import InputError
from tui.core.safe_text import shown_line
from tui.core.store import document_id
from tui.core.tags import Relations
from tui.core.wording import count_of

LINKS = "links"  # the layer file's table of links
_NAMESPACE = uuid.UUID("5b0f3c4e-9d2a-4c1e-8f57-6a1d0e3b7c21")  # hedgerow's links (uuid5)
_FIELDS = ("from", "relation", "to")


def numbered_links(table: Mapping[str, Any]) -> dict[str, Any] | None:
    """The links table keyed by TinyDB ids, when it is not (None when it is): records of an older
    layout, keyed by the link's id, take the next ids in key order, with the id as a field."""
    if _all_document_ids(table):
        return None
    keys = [key for key in table if not document_id(key)]
    numbered = {key: record for key, record in table.items() if document_id(key)}
    following = max(map(int, numbered), default=0) + 1
    for key in sorted(keys):
        record = table[key]
        if isinstance(record, dict) and "id" not in record:
            with suppress(ValueError):  # not a link: `check` reports it, under its new key
                record = {**record, "id": Link.from_record(record).id}
        numbered[str(following)] = record
        following += 1
    return numbered


_DOCUMENT_IDS = re.compile(r"[1-9][0-9]{0,17}(?: [1-9][0-9]{0,17})*")  # TinyDB ids as store.document_id reads them


def _all_document_ids(table: Mapping[str, Any]) -> bool:
    """Whether every key is a TinyDB id (checked by one regular expression over all the keys: on
    loading 50,000 links, a call of store.document_id per key cost 20 ms)."""
    joined = " ".join(table)
    return not table or (joined.count(" ") == len(table) - 1 and _DOCUMENT_IDS.fullmatch(joined) is not None)


class AnnotationLookup(Protocol):
    """Finds an annotation by id: a Layer, a dict, or a layer with an import's annotations added."""

    def get(self, annotation_id: str, /) -> Annotation | None: ...


def link_key(source: str, relation: str, target: str) -> str:
    """The stable id of the link: the same three ends always give the same id."""
    return str(uuid.uuid5(_NAMESPACE, f"{source}\n{relation}\n{target}"))


class Link(NamedTuple):
    source: str  # the annotation the link starts from (a commitment, for `by`)
    relation: str
    target: str
    created: str = ""

    @classmethod
    def made_now(cls, source: str, relation: str, target: str) -> Link:
        return cls(source, relation, target, utc_now())

    @property
    def id(self) -> str:
        return link_key(self.source, self.relation, self.target)

    def to_record(self) -> dict[str, Any]:
        return {"created": self.created, "from": self.source, "id": self.id, "relation": self.relation,
                "to": self.target}

    @classmethod
    def from_record(cls, record: object) -> Link:
        """A link from its stored record; ValueError says what is wrong."""
        if type(record) is dict:
            source, relation, target = record.get("from"), record.get("relation"), record.get("to")
            created = record.get("created", "")
            if type(source) is str and type(relation) is str and type(target) is str and type(created) is str \
                    and source and relation and target:
                return cls(source, relation, target, created)
        if not isinstance(record, dict):
            raise ValueError("a link must be an object")
        for name in _FIELDS:
            if not isinstance(record.get(name), str) or not record[name]:
                raise ValueError(f"a link needs a non-empty string {name!r}")
        raise ValueError("a link's 'created' must be a string")

    def other_end(self, annotation_id: str) -> str:
        return self.target if annotation_id == self.source else self.source


class LinkIndex:
    """The links table (key -> record), and each annotation's links both ways, kept together.

    Session passes every change of the table to `put`, so the index never goes stale. The
    records are indexed when first asked about (`ready` does it at once, e.g. in a worker), so
    a command that never looks at links does not pay for 50,000 of them. A record's `id` field
    is not read: a link's id is its ends' (Link.id), whatever a hand edit left there.

    Kept in columns, as the annotations' rows are: each link is a row (its key, source and
    target), and an annotation's links are a chain of rows (its first and last, and each row's
    next with the same end, in arrays), built in C. No object per link or per annotation: 50,000
    links indexed as lists and Link tuples set off the collector a dozen times during a load
    that otherwise ran none (150 ms), and Links are made when asked for.
    """

    def __init__(self, table: Mapping[str, dict[str, Any]] | None = None) -> None:
        self._unread: dict[str, dict[str, Any]] = dict(table or {})
        self._records: dict[str, dict[str, Any]] = {}  # key -> the record of a link (checked)
        self._damaged: dict[str, str] = {}  # key -> why a record could not be read as a link
        self._highest = -1  # the highest TinyDB id any record had (-1: not yet looked): new links go after it
        self._rows: dict[str, int] | None = {}  # key -> its row (None: not yet made, until a link is removed)
        self._keys: list[str | None] = []  # row -> key (None: the link was removed)
        self._from, self._to = _Chains(), _Chains()  # the rows of each annotation's links, from it and to it

    def ready(self) -> LinkIndex:
        """Index the records not yet indexed."""
        if not self._unread:
            return self
        unread, self._unread = self._unread, {}
        self._index(unread)  # (the collector is the entry points' business: tui.core.gc_policy)
        return self

    def _index(self, unread: dict[str, dict[str, Any]]) -> None:
        ends = _written_ends(list(unread.values())) if not self._keys else None
        if ends is None:  # some record is not a link as hedgerow writes it: each is read alone
            for key, record in unread.items():
                self.put(key, record)
            return
        self._records.update(unread)
        self._keys = list(unread)
        self._rows = None
        self._from.build(ends[0])
        self._to.build(ends[1])

    @property
    def damaged(self) -> dict[str, str]:
        return self.ready()._damaged

    def __len__(self) -> int:
        return len(self.ready()._records)

    def __iter__(self) -> Iterator[Link]:
        return _links(list(self.ready()._records.values()))

    def __contains__(self, key: object) -> bool:
        return key in self.ready()._records

    def ends(self) -> tuple[list[str], list[str], list[str]]:
        """(sources, relations, targets) of every link, in order, as columns (made in C): what a
        pass over all of them reads, without a Link each (the brief)."""
        records = list(self.ready()._records.values())
        return list(map(_SOURCE, records)), list(map(_RELATION, records)), list(map(_TARGET, records))

    def holds(self, link: Link) -> bool:
        """Whether a link with the same ends and relation is here (under whatever key)."""
        return any(other.target == link.target and other.relation == link.relation
                   for other in self.outgoing(link.source))

    def next_key(self, after: int = 0) -> str:
        """The key for a new link (the `after`-th of several new ones): TinyDB's next document id."""
        if self._highest < 0:  # looked for once, not on loading: `put` keeps it from then on
            keys = [*self.ready()._records, *self._damaged]
            self._highest = max(map(document_id, keys), default=0)
        return str(self._highest + 1 + after)

    def items(self) -> list[tuple[str, Link]]:
        """(key, link) of every link: the key is the record's in the file."""
        records = self.ready()._records
        return list(zip(records, _links(list(records.values())), strict=True))

    def get(self, key: str) -> Link | None:
        record = self.ready()._records.get(key)
        return None if record is None else _link(record)

    def put(self, key: str, record: dict[str, Any] | None) -> None:
        """Take the record stored under `key` (None: removed)."""
        self.drop(key)
        if self._highest >= 0:
            self._highest = max(self._highest, document_id(key))
        if record is None:
            return
        try:
            link = Link.from_record(record)
        except ValueError as error:
            self._damaged[key] = str(error)
            return
        self._records[key] = record
        row = self._row_of()[key] = len(self._keys)
        self._keys.append(key)
        self._from.add(link.source, row)
        self._to.add(link.target, row)

    def drop(self, key: str) -> None:
        self.ready()._damaged.pop(key, None)
        record = self._records.pop(key, None)
        if record is None:
            return
        row = self._row_of().pop(key)
        self._keys[row] = None
        self._from.remove(record["from"], row)
        self._to.remove(record["to"], row)

    def _row_of(self) -> dict[str, int]:
        """key -> row, made when first needed (a change): loading does without."""
        if self._rows is None:
            self._rows = {key: row for row, key in enumerate(self._keys) if key is not None}
        return self._rows

    def _keys_of(self, chains: _Chains, annotation_id: str) -> list[str]:
        keys = self.ready()._keys
        return [keys[row] for row in chains.rows(annotation_id)]  # type: ignore[misc]  # (chained rows are kept)

    def outgoing(self, annotation_id: str) -> list[Link]:
        records = self._records
        return [_link(records[key]) for key in self._keys_of(self._from, annotation_id)]

    def incoming(self, annotation_id: str) -> list[Link]:
        records = self._records
        return [_link(records[key]) for key in self._keys_of(self._to, annotation_id)]

    def keyed(self, annotation_id: str) -> list[tuple[str, Link]]:
        """(key, link) of every link at the annotation, either way: the key is the record's, which a
        hand-edited file may not have derived from the link's ends."""
        keys = self._keys_of(self._from, annotation_id) + self._keys_of(self._to, annotation_id)
        return [(key, _link(self._records[key])) for key in dict.fromkeys(keys)]

    def of(self, annotation_id: str) -> list[Link]:
        """Every link starting or ending at the annotation."""
        return self.outgoing(annotation_id) + self.incoming(annotation_id)

    def is_linked(self, annotation_id: str) -> bool:
        if self._unread:
            self.ready()
        return annotation_id in self._from.first or annotation_id in self._to.first

    def linked_ids(self) -> set[str]:
        self.ready()
        return set(self._from.first) | set(self._to.first)


class _Chains:
    """The rows of the links at each annotation (at one of their ends), in order: the first and
    last row of each annotation's, and each row's next (-1: none) in an array."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}
        self._last: dict[str, int] | None = {}  # None: not yet made, until a row is added or removed
        self._ends: list[str] = []  # what `build` chained
        self.next = array("q")

    def build(self, ends: list[str]) -> None:
        """Chain rows 0, 1, ... whose ends these are (on an empty index), in C: walking the rows
        backwards, each row's next is the row `first` held for its end until the row took its place."""
        first: dict[str, int] = {}
        backwards = range(len(ends) - 1, -1, -1)
        following = zip(map(first.get, reversed(ends), repeat(-1)), map(first.__setitem__, reversed(ends), backwards),
                        strict=True)
        self.next = array("q", reversed(list(map(itemgetter(0), following))))
        self.first, self._last, self._ends = first, None, ends

    @property
    def last(self) -> dict[str, int]:
        if self._last is None:  # the built rows' (a row added since is in `first` and `next` too)
            self._last = dict(zip(self._ends, range(len(self._ends)), strict=True))
            self._ends = []
        return self._last

    def add(self, end: str, row: int) -> None:
        """Row `row`, the newest, at the end of `end`'s chain."""
        self.next.append(-1)
        last = self.last.get(end)
        if last is None:
            self.first[end] = row
        else:
            self.next[last] = row
        self.last[end] = row

    def remove(self, end: str, row: int) -> None:
        following, before = self.next[row], -1
        at = self.first[end]
        while at != row:
            before, at = at, self.next[at]
        if before < 0:
            if following < 0:
                del self.first[end], self.last[end]
                return
            self.first[end] = following
        else:
            self.next[before] = following
        if self.last[end] == row:
            self.last[end] = before

    def rows(self, end: str) -> list[int]:
        rows, at, following = [], self.first.get(end, -1), self.next
        while at >= 0:
            rows.append(at)
            at = following[at]
        return rows


_SOURCE, _RELATION, _TARGET = itemgetter("from"), itemgetter("relation"), itemgetter("to")


def _created(records: list[dict[str, Any]]) -> Iterator[Any]:
    return map(dict.get, records, repeat("created"), repeat(""))


def _written_ends(records: list[Any]) -> tuple[list[str], list[str]] | None:
    """(sources, targets) of the records when every one is a link Link.from_record takes (checked
    in C, column by column), else None."""
    if not records:
        return [], []
    if set(map(type, records)) != {dict}:
        return None
    try:
        sources, relations, targets = (list(map(get, records)) for get in (_SOURCE, _RELATION, _TARGET))
    except KeyError:
        return None
    types = {*map(type, sources), *map(type, relations), *map(type, targets), *map(type, _created(records))}
    if types != {str} or not (all(sources) and all(relations) and all(targets)):
        return None
    return sources, targets


def _link(record: dict[str, Any]) -> Link:
    """The Link of a record the index checked."""
    return tuple.__new__(Link, (record["from"], record["relation"], record["to"], record.get("created", "")))


def _links(records: list[dict[str, Any]]) -> Iterator[Link]:
    """The Links of records the index checked, made in C."""
    columns = zip(map(_SOURCE, records), map(_RELATION, records), map(_TARGET, records), _created(records), strict=True)
    return map(tuple.__new__, repeat(Link), columns)


def check_link(layer: AnnotationLookup, relations: Relations, links: LinkIndex,
               source_id: str, target_id: str, relation_name: str) -> Link:
    """The link, or InputError saying why it cannot be made (one line)."""
    relation = relations.get(relation_name)
    if relation is None:
        names = ", ".join(relations.names) or "none: the codebook defines no [[relations]]"
        raise InputError(f"unknown relation {relation_name!r} (the relations are {names})")
    ends = []
    for which, annotation_id in (("source", source_id), ("target", target_id)):
        annotation = layer.get(annotation_id)
        if annotation is None:
            raise InputError(f"no annotation with id {annotation_id!r} (the link's {which})")
        ends.append(annotation)
    source, target = ends
    if source.id == target.id:
        raise InputError("an annotation cannot be linked to itself")
    if not relation.fits(source.tag, target.tag):
        raise InputError(f"relation {relation.name!r} links {_a(relation.source)} to {_a(relation.target)}, "
                         f"not {_a(source.tag)} to {_a(target.tag)}")
    link = Link.made_now(source.id, relation.name, target.id)
    if links.holds(link):
        raise InputError(f"already linked: {source.tag} {source.id[:8]} {relation.name} {target.tag} {target.id[:8]}")
    return link


class LinkPlan(NamedTuple):
    """What an import does with the links it read."""

    accepted: list[Link]  # to add, kept as they were (`created` included)
    problems: list[str]  # one line each: why a link was not imported
    present: int  # links the layer has already, or that the file repeats: skipped


def plan_links(annotations: AnnotationLookup, relations: Relations, existing: LinkIndex,
               links: Iterable[Link]) -> LinkPlan:
    """Which imported links can be added, and why not the others.

    `annotations` has a `get(id)` covering the layer as it will be after the import. A link the
    layer has already, or one the file holds twice, is counted and skipped, as an annotation
    already present is.
    """
    accepted: list[Link] = []
    problems: list[str] = []
    taken = LinkIndex()
    present = 0
    for link in links:
        if existing.holds(link) or taken.holds(link):
            present += 1
            continue
        try:
            check_link(annotations, relations, existing, link.source, link.target, link.relation)
        except InputError as error:
            problems.append(f"link {shown_line(link.source)} {shown_line(link.relation)} {shown_line(link.target)}: "
                            f"{error}")
            continue
        taken.put(str(len(accepted) + 1), link.to_record())
        accepted.append(link)
    return LinkPlan(accepted, problems, present)


def links_summary(plan: LinkPlan) -> str:
    """The import summary's words on links ("" when the file had none)."""
    if not (plan.accepted or plan.problems or plan.present):
        return ""
    present = f", {plan.present} already present" if plan.present else ""
    return f"; {count_of(len(plan.accepted), 'link')} imported, {len(plan.problems)} not{present}"


def _a(tag: str) -> str:
    return f"{'an' if tag[:1].lower() in 'aeiou' else 'a'} {shown_line(tag)}"


def dangling(links: Iterable[Link], ids: set[str] | Mapping[str, object]) -> list[Link]:
    """Links with an end that is not among the annotations (`ids`): after a merge or a hand edit."""
    return [link for link in links if link.source not in ids or link.target not in ids]


def link_records(links: Iterable[Link]) -> dict[str, dict[str, Any]]:
    """A links table of these links, keyed 1, 2, ... in their order."""
    return {str(number): link.to_record() for number, link in enumerate(links, 1)}


def load_with_links(files: Mapping[str, object], text: str | None = None, text_sha256: str | None = None
                    ) -> tuple[dict[str, list[Annotation]], dict[str, list[Link]]]:
    """Every named layer's annotations and links (agreement, review), each file read once, as
    store.load_layers reads them (with the document's text, checked against it)."""
    from pathlib import Path

    from tui.core.store import AnnotationStore

    layers: dict[str, list[Annotation]] = {}
    links: dict[str, list[Link]] = {}
    for name, path in files.items():
        stored = AnnotationStore(Path(str(path))).load(text, text_sha256, name)
        layers[name] = stored.annotations
        links[name] = list(LinkIndex(stored.tables.get(LINKS)))
    return layers, links
