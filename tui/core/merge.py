"""Three-way merge of annotation files by key, for git's merge driver.

Every table except `meta` merges three-way by key. A record changed on one side only
(added, edited or deleted) takes that side; identical changes on both sides are kept once.

* Annotations (and any table hedgerow does not know): a record changed on both sides is
  merged field by field, `modified` taking the later time. The same field changed
  differently, or a record deleted on one side and changed on the other, is a conflict.
* The gold layer's `review` table: a decision is a unit (its `gold`, `decision` and
  `reviewer` belong together), so any difference between the two sides' versions of one
  key is a conflict, unless one side left it as in the base.
* Links (`links`) merge by their id, derived from their ends and relation (the record's `id`),
  whatever key each side gave them, as annotations do: the same link made on both sides is
  kept once, with the earlier `created`, and a link whose key the other side gave to another
  link is renumbered. A link whose end was deleted on the other side is kept: `hedgerow
  check` reports it (and --apply removes it).
* The meta table merges the same way per key, but when both sides changed `meta.hedgerow`
  differently ours wins, unless both changed the document's sha256 to different texts: that
  is a conflict, since the offsets of each side point into a different text.

In a gold file (one with a `review` table, or whose annotator is "gold") the decisions and
the gold annotations must agree, so a conflict over a decision takes with it the gold
annotations that only its sides' versions made: they become a conflict block of their own,
ours against theirs, and keeping the same side in both blocks leaves a consistent file.
Two gold annotations with the same (start, end, tag), one made on each side (parallel
reviews of one span), are a conflict too, along with the decisions that point at them.

Conflicts are written with git's markers around whole records, so the file is no longer
JSON (it cannot be loaded as if resolved, see `store.conflict_error`) and keeping either
side of every block, in any combination, leaves valid JSON:

    <<<<<<< ours: annotation <id>; note differs
        "<id>": {...ours...},
    =======
        "<id>": {...theirs...},
    >>>>>>> theirs: annotation <id>

A block whose sides hold different records (a record on one side only, or two different
ids for one gold span) goes at the top of its table, each side ending in a comma.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from itertools import zip_longest
from pathlib import Path
from typing import Any

from tui.core.atomic import atomic_write_text
from tui.core.errors import InputError, StoreError
from tui.core.paths import GOLD
from tui.core.store import (
    ANNOTATIONS,
    INDENT,
    LEGACY_META_KEY,
    META,
    META_KEY,
    SCHEMA_VERSION,
    AnnotationStore,
    _dump_record,
    document_id,
    dumps_stable,
    read_json,
)

REVIEW = "review"  # the gold layer's decisions (tui.core.review.REVIEW_TABLE; not imported, to keep git's driver light)
LINKS = "links"  # tui.core.links.LINKS
_MISSING = object()  # a field absent from a record


@dataclass(frozen=True)
class Conflict:
    table: str
    key: str  # the record's key; ours' when the two sides hold different records
    ours: dict[str, Any] | None  # None: absent (deleted) on that side
    theirs: dict[str, Any] | None
    reason: str
    theirs_key: str | None = None  # theirs' key when it differs from ours' (two gold ids for one span)
    labels: tuple[str, ...] = ()  # what the markers name, when not the keys (annotations: their ids)

    @property
    def keys(self) -> list[str]:
        """Every key the block holds, ours' first."""
        return [self.key] if self.theirs_key in (None, self.key) else [self.key, self.theirs_key]

    @property
    def in_place(self) -> bool:
        """Whether both sides hold the same key, so the block can stand where that record would."""
        return self.ours is not None and self.theirs is not None and len(self.keys) == 1


@dataclass
class MergeResult:
    data: dict[str, Any]  # the merged tables, conflicting keys left out; annotations keyed by their id
    conflicts: list[Conflict] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)  # annotation id -> its key (TinyDB id) in the file
    link_numbers: dict[str, int] = field(default_factory=dict)  # link id -> its key in the file


def merge(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> MergeResult:
    """Merge three parsed files (table -> key -> record).

    Annotations merge by their id (the uuid), whatever key each side gave them: two branches
    may well have given the same TinyDB id to different annotations. Each keeps ours' key,
    else theirs', else the base's; one whose key is taken by another is renumbered after the
    highest key any side used (see _numbering), so none is lost."""
    sides = [_by_id(side) for side in (base, ours, theirs)]
    (base, base_keys), (ours, ours_keys), (theirs, theirs_keys) = sides
    links = [_links_by_id(side) for side in (base, ours, theirs)]
    (base, base_links), (ours, ours_links), (theirs, theirs_links) = links
    result = _merge(base, ours, theirs)
    ids = set(result.data[ANNOTATIONS]) | {key for c in result.conflicts if c.table == ANNOTATIONS for key in c.keys}
    result.numbers = _numbering(ids, [ours_keys, theirs_keys, base_keys])
    link_ids = set(result.data.get(LINKS, {})) | {key for c in result.conflicts if c.table == LINKS for key in c.keys}
    result.link_numbers = _numbering(link_ids, [ours_links, theirs_links, base_links])
    return result


def _links_by_id(side: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """The side with its links keyed by their id, and each id's key on that side (as _by_id).

    A record's id is the one derived from its ends (what it is, whatever its `id` field says);
    a record that is no link keeps its key as its id, so it merges by key."""
    from tui.core.links import Link

    if LINKS not in side:
        return side, {}
    by_id, keys = {}, {}
    for key, record in side[LINKS].items():
        try:
            record_id = Link.from_record(record).id
        except ValueError:
            record_id = key
        if record_id in by_id:  # the same link twice on one side (a hand edit): it is one link
            continue
        by_id[record_id] = record
        if document_id(key):
            keys[record_id] = document_id(key)
    return {**side, LINKS: by_id}, keys


def _by_id(side: dict[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """The side with its annotations keyed by id, and each id's key on that side; a schema-1
    side's meta (under "hedgerow") as schema 2's (document 1)."""
    table, keys, by_id = side.get(ANNOTATIONS, {}), {}, {}
    for key, record in table.items():
        record_id = record.get("id") if isinstance(record, dict) else None
        record_id = record_id if isinstance(record_id, str) and record_id else key
        by_id[record_id] = record
        if document_id(key):
            keys[record_id] = document_id(key)
    meta = side.get(META, {})
    if LEGACY_META_KEY in meta and META_KEY not in meta:
        meta = {**{k: v for k, v in meta.items() if k != LEGACY_META_KEY}, META_KEY: meta[LEGACY_META_KEY]}
    return {**side, ANNOTATIONS: by_id, **({META: meta} if META in side else {})}, keys


def _numbering(ids: set[str], sources: list[dict[str, int]]) -> dict[str, int]:
    """Each annotation's key: the first source's (ours, theirs, base) that no other took;
    the rest after the highest key used anywhere, in their theirs' order."""
    numbers: dict[str, int] = {}
    used: set[int] = set()
    for source in sources:
        for record_id in sorted(ids - numbers.keys(), key=lambda i: (source.get(i, 0), i)):
            key = source.get(record_id)
            if key and key not in used:
                numbers[record_id] = key
                used.add(key)
    following = max((key for source in sources for key in source.values()), default=0) + 1
    for record_id in sorted(ids - numbers.keys(), key=lambda i: (sources[1].get(i, 0), i)):
        numbers[record_id] = following
        following += 1
    return numbers


# What merging one record gives: the merged record (any JSON value a side holds), or a conflict.
Merged = tuple[Any, "Conflict | None"]
RecordMerge = Callable[[str, Any, Any, Any], Merged]


def _merge(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> MergeResult:
    result = MergeResult({ANNOTATIONS: {}})
    for name in sorted(set(base) | set(ours) | set(theirs)):
        if name not in ours and name not in theirs:
            continue
        both_changed: RecordMerge
        if name == META:
            both_changed = _merge_meta
        elif name == REVIEW:
            both_changed = _merge_whole(name)
        elif name == LINKS:
            both_changed = _merge_links
        else:
            both_changed = _merge_fields(name)
        b, o, t = base.get(name, {}), ours.get(name, {}), theirs.get(name, {})
        table = result.data.setdefault(name, {})
        for key in sorted(set(b) | set(o) | set(t)):
            merged, conflict = _merge_key(key, b.get(key), o.get(key), t.get(key), both_changed)
            if conflict:
                result.conflicts.append(conflict)
            elif merged is not None:
                table[key] = merged
    if _is_gold(base, ours, theirs):
        _settle_gold(ours, theirs, result)
    result.conflicts.sort(key=lambda c: (c.table != REVIEW, c.table, c.key))  # decisions first
    return result


def _merge_key(key: str, b: Any, o: Any, t: Any, both_changed: RecordMerge) -> Merged:
    if o == t or t == b:
        return o, None
    if o == b:
        return t, None
    return both_changed(key, b, o, t)


def _deleted(table: str, key: str, o: Any, t: Any) -> Conflict:
    return Conflict(table, key, o, t, f"deleted in {'ours' if o is None else 'theirs'}, "
                                      f"changed in {'theirs' if o is None else 'ours'}")


def _merge_fields(table: str) -> RecordMerge:
    """Both sides changed a record: merge it field by field (annotations, unknown tables)."""

    def merge_record(key: str, b: Any, o: Any, t: Any) -> Merged:
        if o is None or t is None:
            return None, _deleted(table, key, o, t)
        if not all(isinstance(r, dict) for r in (o, t, b or {})):  # not records of fields: a unit
            return None, Conflict(table, key, o, t, "differs")
        base = b or {}
        merged: dict[str, Any] = {}
        clashes: dict[str, Any] = {}
        for name in sorted((set(base) | set(o) | set(t)) - {"modified"}):
            bv, ov, tv = (r.get(name, _MISSING) for r in (base, o, t))
            value = ov
            if ov != tv and ov == bv:
                value = tv
            elif ov != tv and tv != bv:
                clashes[name] = tv
            if value is not _MISSING:
                merged[name] = value
        if "modified" in o or "modified" in t:
            merged["modified"] = max(o.get("modified", ""), t.get("modified", ""))  # UTC ISO strings sort by time
        if not clashes:
            return merged, None
        their_version = {k: v for k, v in {**merged, **clashes}.items() if v is not _MISSING}
        return None, Conflict(table, key, merged, their_version, _differ(clashes))

    return merge_record


def _merge_whole(table: str) -> RecordMerge:
    """Both sides changed a record that only makes sense as a whole (a review decision): a conflict."""

    def merge_record(key: str, b: Any, o: Any, t: Any) -> Merged:
        if o is None or t is None:
            return None, _deleted(table, key, o, t)
        how = "added differently on both sides" if b is None else "changed differently on both sides"
        if not (isinstance(o, dict) and isinstance(t, dict)):
            return None, Conflict(table, key, o, t, how)
        fields = [name for name in sorted(set(o) | set(t)) if o.get(name, _MISSING) != t.get(name, _MISSING)]
        return None, Conflict(table, key, o, t, f"{how}: {_differ(fields)}")

    return merge_record


def _merge_links(key: str, b: dict[str, Any] | None, o: dict[str, Any] | None,
                 t: dict[str, Any] | None) -> tuple[dict[str, Any] | None, Conflict | None]:
    """The same link on both sides (its key names its ends): one record, the earlier `created`."""
    if o is not None and t is not None and all(isinstance(r, dict) for r in (o, t)):
        ends = ("from", "relation", "to")
        if all(isinstance(o.get(name), str) and o.get(name) == t.get(name) for name in ends):
            return min(o, t, key=lambda r: str(r.get("created", ""))), None
    return _merge_fields(LINKS)(key, b, o, t)


def _differ(fields: Collection[str]) -> str:
    return f"{', '.join(fields)} differ" + ("s" if len(fields) == 1 else "")


def _merge_meta(key: str, b: Any, o: Any, t: Any) -> Merged:
    shas = [_sha256(r) for r in (b, o, t)]
    if key == META_KEY and o is not None and t is not None and len(set(shas)) == 3:
        return None, Conflict(META, key, o, t, "both sides changed the document (sha256 differs)")
    return o, None


def _sha256(record: Any) -> object:
    document = (record or {}).get("document") if isinstance(record, dict) else None
    return document.get("sha256") if isinstance(document, dict) else None


# -- the gold layer ---------------------------------------------------------------


def _is_gold(*sides: dict[str, Any]) -> bool:
    def annotator(side: dict[str, Any]) -> object:
        meta = side.get(META, {}).get(META_KEY)
        return meta.get("annotator") if isinstance(meta, dict) else None

    return any(REVIEW in side or annotator(side) == GOLD for side in sides)


def _gold_id(record: Any) -> str:
    gold = record.get("gold") if isinstance(record, dict) else None
    return gold if isinstance(gold, str) else ""


def _span(record: Any) -> tuple[Any, ...] | None:
    if not isinstance(record, dict):
        return None
    span = (record.get("start"), record.get("end"), record.get("tag"))
    return span if isinstance(span[0], int) and isinstance(span[1], int) and isinstance(span[2], str) else None


def _settle_gold(ours: dict[str, Any], theirs: dict[str, Any], result: MergeResult) -> None:
    """Keep decisions and gold annotations resolvable together (see the module's docstring)."""
    annotations, review = result.data[ANNOTATIONS], result.data.get(REVIEW, {})
    o_gold, t_gold = ours.get(ANNOTATIONS, {}), theirs.get(ANNOTATIONS, {})
    o_review, t_review = ours.get(REVIEW, {}), theirs.get(REVIEW, {})
    taken = {key for c in result.conflicts if c.table == ANNOTATIONS for key in c.keys}
    referenced = {_gold_id(r) for r in review.values()}  # by decisions merged cleanly: they stay

    def own(gold_id: str, mine: dict[str, Any], other: dict[str, Any]) -> str | None:
        """`gold_id` if only this side has that gold annotation and nothing else needs it."""
        if gold_id and gold_id in mine and gold_id not in other and gold_id not in taken | referenced:
            taken.add(gold_id)
            annotations.pop(gold_id, None)
            return gold_id
        return None

    def block(o_id: str | None, t_id: str | None, reason: str) -> Conflict:
        return Conflict(ANNOTATIONS, o_id or t_id or "", o_gold[o_id] if o_id else None, t_gold[t_id] if t_id else None,
                        reason, t_id if o_id and t_id else None)

    # A decision in conflict takes along the gold annotations only its side's version made.
    for c in [c for c in result.conflicts if c.table == REVIEW]:
        o_id, t_id = own(_gold_id(c.ours), o_gold, t_gold), own(_gold_id(c.theirs), t_gold, o_gold)
        if o_id or t_id:
            reason = f"the gold of review {c.key}: keep the same side as in that review block"
            result.conflicts.append(block(o_id, t_id, reason))

    # Gold annotations for one span made on both sides, and the decisions that point at them.
    spans = defaultdict(list)
    for gold_id, record in annotations.items():
        if (span := _span(record)) is not None:
            spans[span].append(gold_id)
    for (start, end, tag), ids in sorted(spans.items()):
        mine = sorted(i for i in ids if i in o_gold and i not in t_gold)
        yours = sorted(i for i in ids if i in t_gold and i not in o_gold)
        if not (mine and yours):
            continue
        where = f"{start}-{end} {tag}"
        for o_id, t_id in zip_longest(mine, yours):
            for gold_id in (o_id, t_id):
                if gold_id:
                    taken.add(gold_id)
                    annotations.pop(gold_id, None)
            result.conflicts.append(block(o_id, t_id, f"duplicate gold span {where}, made on both sides"))
        for key in sorted(key for key, record in review.items() if _gold_id(record) in {*mine, *yours}):
            if o_review.get(key) != t_review.get(key):
                del review[key]
                result.conflicts.append(Conflict(REVIEW, key, o_review.get(key), t_review.get(key),
                                                 f"its gold span {where} was made on both sides: "
                                                 f"keep the same side as for that gold span"))


# -- writing ---------------------------------------------------------------------


def render(result: MergeResult) -> str:
    """The merged file as text: `dumps_stable`, with marker blocks for the conflicts."""
    data = {name: dict(table) for name, table in result.data.items()}
    data[ANNOTATIONS] = {str(result.numbers[i]): record for i, record in data[ANNOTATIONS].items()}
    if LINKS in data:
        data[LINKS] = {str(result.link_numbers[i]): record for i, record in data[LINKS].items()}
    if isinstance(data.get(META, {}).get(META_KEY), dict):
        data[META][META_KEY] = {**data[META][META_KEY], "schema": SCHEMA_VERSION}
    conflicts = [_numbered(c, result.numbers if c.table == ANNOTATIONS else result.link_numbers)
                 for c in result.conflicts]
    for c in conflicts:
        data.setdefault(c.table, {})
    in_place = [c for c in conflicts if c.in_place]
    stubs = {}
    for c in in_place:  # a placeholder keeps the record's place and comma; swapped for the block below
        stubs[c.table, c.key] = {"hedgerow-conflict": str(uuid.uuid4())}
        data[c.table][c.key] = stubs[c.table, c.key]
    text = dumps_stable(data)
    for c in in_place:
        stub = f"{INDENT * 2}{_item(c.key, stubs[c.table, c.key])}"
        start = text.index(f"\n{stub}") + 1
        end = start + len(stub)
        comma = "," if text[end] == "," else ""
        text = text[:start] + _block([c], comma) + text[end + len(comma):]
    at_head = defaultdict(list)
    for c in conflicts:
        if not c.in_place:
            at_head[c.table].append(c)
    for table, conflicts in at_head.items():
        text = _insert_at_head(text, table, conflicts)
    return text


def _numbered(c: Conflict, numbers: dict[str, int]) -> Conflict:
    """An annotations or links conflict keyed as written (TinyDB ids), its markers still naming the ids."""
    if c.table not in (ANNOTATIONS, LINKS):
        return c
    return replace(c, key=str(numbers[c.key]), theirs_key=str(numbers[c.theirs_key]) if c.theirs_key else None,
                   labels=tuple(c.keys))


def _insert_at_head(text: str, table: str, conflicts: list[Conflict]) -> str:
    """Put blocks whose sides hold different records first in the table, each side ending in a comma.

    A kept record then always has a record after it. When the table holds nothing else,
    they all go in one block whose sides are each a complete list.
    """
    head = f"\n{INDENT}{json.dumps(table, ensure_ascii=False)}: {{"
    at = text.index(head) + len(head)
    if text[at] == "}":
        reasons = list(dict.fromkeys(c.reason for c in conflicts))
        if all(c.reason.startswith("deleted in ") for c in conflicts) and len(conflicts) > 1:
            reasons = ["each deleted on one side, changed on the other"]
        together = _block(conflicts, "", "; ".join(reasons))
        return f"{text[:at]}\n{together}\n{INDENT}{text[at:]}"
    return text[:at] + "".join("\n" + _block([c], ",") for c in conflicts) + text[at:]


def _block(conflicts: list[Conflict], comma: str, reason: str = "") -> str:
    """Markers around both versions; the label is what `store.conflict_error` reads the ids from."""
    first = conflicts[0]
    keys = [key for c in conflicts for key in (c.labels or c.keys)]
    what = "annotation" + "s" * (len(keys) > 1) if first.table == ANNOTATIONS else first.table
    label = f"{what} {' '.join(keys)}"
    return (f"<<<<<<< ours: {label}; {reason or first.reason}\n"
            f"{_side([(c.key, c.ours) for c in conflicts], comma)}=======\n"
            f"{_side([(c.theirs_key or c.key, c.theirs) for c in conflicts], comma)}>>>>>>> theirs: {label}")


def _side(pairs: list[tuple[str, dict[str, Any] | None]], comma: str) -> str:
    items = [f"{INDENT * 2}{_item(key, record)}" for key, record in pairs if record is not None]
    return ",\n".join(items) + comma + "\n" if items else ""


def _item(key: str, record: dict[str, Any]) -> str:
    return f"{json.dumps(key, ensure_ascii=False)}: {_dump_record(record)}"


# -- files -----------------------------------------------------------------------


def read_side(path: Path, side: str, *, may_be_empty: bool = False) -> dict[str, Any]:
    """One side of a merge, checked like a load; InputError if it is missing or damaged.

    git passes an empty base when both sides added the file; /dev/null is one too (two versions of
    a layer with no base to hand: a session's `.unsaved-` file and the file it did not write over).
    """
    try:
        if may_be_empty and path.exists() and not path.is_dir() and not path.read_bytes().strip():
            return {}
        data = read_json(path)
        if data is None:
            raise StoreError(f"{path}: no such file")
        AnnotationStore(path).load()  # the same checks as opening it: records, ids, schema
    except (StoreError, OSError) as error:
        raise InputError(f"cannot merge, {side} is unusable: {error}") from None
    return data


def merge_files(base: Path, ours: Path, theirs: Path) -> MergeResult:
    """git's `%O %A %B`: merge into `ours` (one atomic write); `ours` is untouched on bad input."""
    result = merge(read_side(base, "the base", may_be_empty=True), read_side(ours, "ours"),
                   read_side(theirs, "theirs"))
    atomic_write_text(ours, render(result))
    return result
