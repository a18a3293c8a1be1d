"""Links between annotations: a commitment `by` an actor, a hedge that `hedges` a commitment.

A link is a record of the layer file's `links` table, apart from the annotations, so adding
one never touches an annotation's record. As in the annotations table, records are keyed by
TinyDB's integer document ids ("1", "2", ...: stock TinyDB reads the table), and each keeps
its stable id as the field `id`, derived from (source, relation, target): the same link made
twice is one link, and the merge driver merges links by that id, renumbering a link that two
branches gave the same key (tui.core.merge).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
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
_STR = (str, str, str, str)
_WRITTEN = 5  # fields of a record as hedgerow writes it: created, from, id, relation, to


def numbered_links(table: Mapping[str, Any]) -> dict[str, Any] | None:
    """The links table keyed by TinyDB ids, when it is not (None when it is): records of an older
    layout, keyed by the link's id, take the next ids in key order, with the id as a field."""
    keys = [key for key in table if not document_id(key)]
    if not keys:
        return None
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
    """

    def __init__(self, table: Mapping[str, dict[str, Any]] | None = None) -> None:
        self._unread: dict[str, dict[str, Any]] = dict(table or {})
        self._links: dict[str, Link] = {}
        self._from: dict[str, list[str]] = {}
        self._to: dict[str, list[str]] = {}
        self._damaged: dict[str, str] = {}  # key -> why a record could not be read as a link
        self._highest = -1  # the highest TinyDB id any record had (-1: not yet looked): new links go after it

    def ready(self) -> LinkIndex:
        """Index the records not yet indexed."""
        if not self._unread:
            return self
        unread, self._unread = self._unread, {}
        self._index(unread)  # (the collector is the entry points' business: tui.core.gc_policy)
        return self

    def _index(self, unread: dict[str, dict[str, Any]]) -> None:
        links, outgoing, incoming, new = self._links, self._from, self._to, tuple.__new__
        for key, record in unread.items():  # put(), unrolled
            link = None
            if type(record) is dict and len(record) == _WRITTEN:  # as hedgerow writes it: checked in one go
                source, relation, target = record.get("from"), record.get("relation"), record.get("to")
                created = record.get("created")
                if (type(source), type(relation), type(target), type(created)) == _STR and source and relation \
                        and target:
                    link = links[key] = new(Link, (source, relation, target, created))
            if link is None:
                try:
                    link = links[key] = Link.from_record(record)
                except ValueError as error:
                    self._damaged[key] = str(error)
                    continue
            if (keys := outgoing.get(link.source)) is None:
                outgoing[link.source] = [key]
            else:
                keys.append(key)
            if (keys := incoming.get(link.target)) is None:
                incoming[link.target] = [key]
            else:
                keys.append(key)

    @property
    def damaged(self) -> dict[str, str]:
        return self.ready()._damaged

    def __len__(self) -> int:
        return len(self.ready()._links)

    def __iter__(self) -> Iterator[Link]:
        return iter(self.ready()._links.values())

    def __contains__(self, key: object) -> bool:
        return key in self.ready()._links

    def holds(self, link: Link) -> bool:
        """Whether a link with the same ends and relation is here (under whatever key)."""
        return any(other.target == link.target and other.relation == link.relation
                   for other in self.outgoing(link.source))

    def next_key(self, after: int = 0) -> str:
        """The key for a new link (the `after`-th of several new ones): TinyDB's next document id."""
        if self._highest < 0:  # looked for once, not on loading: `put` keeps it from then on
            keys = [*self.ready()._links, *self._damaged]
            self._highest = max(map(document_id, keys), default=0)
        return str(self._highest + 1 + after)

    def items(self) -> list[tuple[str, Link]]:
        """(key, link) of every link: the key is the record's in the file."""
        return list(self.ready()._links.items())

    def get(self, key: str) -> Link | None:
        return self.ready()._links.get(key)

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
        self._links[key] = link
        self._from.setdefault(link.source, []).append(key)
        self._to.setdefault(link.target, []).append(key)

    def drop(self, key: str) -> None:
        self.ready()._damaged.pop(key, None)
        link = self._links.pop(key, None)
        if link is None:
            return
        for ends, end in ((self._from, link.source), (self._to, link.target)):
            keys = ends[end]
            keys.remove(key)
            if not keys:
                del ends[end]

    def outgoing(self, annotation_id: str) -> list[Link]:
        return [self._links[k] for k in self.ready()._from.get(annotation_id, ())]

    def incoming(self, annotation_id: str) -> list[Link]:
        return [self._links[k] for k in self.ready()._to.get(annotation_id, ())]

    def keyed(self, annotation_id: str) -> list[tuple[str, Link]]:
        """(key, link) of every link at the annotation, either way: the key is the record's, which a
        hand-edited file may not have derived from the link's ends."""
        self.ready()
        keys = self._from.get(annotation_id, []) + self._to.get(annotation_id, [])
        return [(key, self._links[key]) for key in dict.fromkeys(keys)]

    def of(self, annotation_id: str) -> list[Link]:
        """Every link starting or ending at the annotation."""
        return self.outgoing(annotation_id) + self.incoming(annotation_id)

    def is_linked(self, annotation_id: str) -> bool:
        if self._unread:
            self.ready()
        return annotation_id in self._from or annotation_id in self._to

    def linked_ids(self) -> set[str]:
        self.ready()
        return set(self._from) | set(self._to)


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
