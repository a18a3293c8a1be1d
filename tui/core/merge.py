"""Three-way merge of annotation files by uuid, for git's merge driver.

Annotations: a record changed on one side only (added, edited or deleted) takes that side;
identical changes on both sides are kept once; a record changed on both sides is merged
field by field, `modified` taking the later time. The same field changed differently, or
a record deleted on one side and changed on the other, is a conflict.

The meta table merges the same way per key, but when both sides changed `meta.hedgerow`
differently ours wins, unless both changed the document's sha256 to different texts: that
is a conflict, since the offsets of each side point into a different text. Other tables
also prefer ours.

Conflicts are written with git's markers around whole records, so the file is no longer
JSON (it cannot be loaded as if resolved, see `store.conflict_error`) and keeping either
side of every block, in any combination, leaves valid JSON:

    <<<<<<< ours: annotation <id>; note differs
        "<id>": {...ours...},
    =======
        "<id>": {...theirs...},
    >>>>>>> theirs: annotation <id>
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.atomic import atomic_write_text
from tui.core.errors import InputError, StoreError
from tui.core.store import ANNOTATIONS, INDENT, META, META_KEY, AnnotationStore, _dump_record, dumps_stable, read_json

_MISSING = object()  # a field absent from a record


@dataclass(frozen=True)
class Conflict:
    table: str
    key: str
    ours: dict | None  # None: deleted on that side
    theirs: dict | None
    reason: str


@dataclass
class MergeResult:
    data: dict  # the merged tables, conflicting keys left out
    conflicts: list[Conflict] = field(default_factory=list)


def merge(base: dict, ours: dict, theirs: dict) -> MergeResult:
    """Merge three parsed files (table -> key -> record)."""
    result = MergeResult({ANNOTATIONS: {}})
    for name in sorted(set(base) | set(ours) | set(theirs)):
        if name not in ours and name not in theirs:
            continue
        both_changed = {ANNOTATIONS: _merge_annotation, META: _merge_meta}.get(name, _prefer_ours)
        b, o, t = base.get(name, {}), ours.get(name, {}), theirs.get(name, {})
        table = result.data.setdefault(name, {})
        for key in sorted(set(b) | set(o) | set(t)):
            merged, conflict = _merge_key(key, b.get(key), o.get(key), t.get(key), both_changed)
            if conflict:
                result.conflicts.append(conflict)
            elif merged is not None:
                table[key] = merged
    return result


def _merge_key(key, b, o, t, both_changed):
    if o == t or t == b:
        return o, None
    if o == b:
        return t, None
    return both_changed(key, b, o, t)


def _merge_annotation(key: str, b: dict | None, o: dict | None, t: dict | None):
    if o is None or t is None:
        return None, Conflict(ANNOTATIONS, key, o, t, f"deleted in {'ours' if o is None else 'theirs'}, "
                                                      f"changed in {'theirs' if o is None else 'ours'}")
    base = b or {}
    merged, clashes = {}, {}
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
    reason = f"{', '.join(clashes)} differ" + ("s" if len(clashes) == 1 else "")
    return None, Conflict(ANNOTATIONS, key, merged, their_version, reason)


def _merge_meta(key: str, b: dict | None, o: dict | None, t: dict | None):
    shas = [_sha256(r) for r in (b, o, t)]
    if key == META_KEY and o is not None and t is not None and len(set(shas)) == 3:
        return None, Conflict(META, key, o, t, "both sides changed the document (sha256 differs)")
    return o, None


def _prefer_ours(key, b, o, t):
    return o, None


def _sha256(record: dict | None):
    document = (record or {}).get("document")
    return document.get("sha256") if isinstance(document, dict) else None


# -- writing ---------------------------------------------------------------------


def render(result: MergeResult) -> str:
    """The merged file as text: `dumps_stable`, with marker blocks for the conflicts."""
    data = {name: dict(table) for name, table in result.data.items()}
    two_sided = [c for c in result.conflicts if c.ours is not None and c.theirs is not None]
    one_sided = [c for c in result.conflicts if c.ours is None or c.theirs is None]
    stubs = {}
    for c in two_sided:  # a placeholder keeps the record's place and comma; swapped for the block below
        stubs[c.key] = {"hedgerow-conflict": str(uuid.uuid4())}
        data[c.table][c.key] = stubs[c.key]
    text = dumps_stable(data)
    for c in two_sided:
        stub = f"{INDENT * 2}{_item(c.key, stubs[c.key])}"
        start = text.index(f"\n{stub}") + 1
        end = start + len(stub)
        comma = "," if text[end] == "," else ""
        text = text[:start] + _block([c], comma) + text[end + len(comma):]
    return _insert_one_sided(text, one_sided) if one_sided else text


def _insert_one_sided(text: str, conflicts: list[Conflict]) -> str:
    """Put deleted-vs-changed blocks first in the annotations table, each side ending in a comma.

    A kept record then always has a record after it. When the table holds nothing else,
    they all go in one block whose sides are each a complete list.
    """
    head = f"\n{INDENT}{json.dumps(ANNOTATIONS)}: {{"
    at = text.index(head) + len(head)
    if text[at] == "}":
        together = _block(conflicts, "", "each deleted on one side, changed on the other")
        return f"{text[:at]}\n{together}\n{INDENT}{text[at:]}"
    return text[:at] + "".join("\n" + _block([c], ",") for c in conflicts) + text[at:]


def _block(conflicts: list[Conflict], comma: str, reason: str = "") -> str:
    """Markers around both versions; the label is what `store.conflict_error` reads the ids from."""
    first = conflicts[0]
    what = "annotation" + "s" * (len(conflicts) > 1) if first.table == ANNOTATIONS else first.table
    label = f"{what} {' '.join(c.key for c in conflicts)}"
    return (f"<<<<<<< ours: {label}; {reason or first.reason}\n"
            f"{_side([(c.key, c.ours) for c in conflicts], comma)}=======\n"
            f"{_side([(c.key, c.theirs) for c in conflicts], comma)}>>>>>>> theirs: {label}")


def _side(pairs: list[tuple[str, dict | None]], comma: str) -> str:
    items = [f"{INDENT * 2}{_item(key, record)}" for key, record in pairs if record is not None]
    return ",\n".join(items) + comma + "\n" if items else ""


def _item(key: str, record: dict) -> str:
    return f"{json.dumps(key, ensure_ascii=False)}: {_dump_record(record)}"


# -- files -----------------------------------------------------------------------


def read_side(path: Path, side: str, *, may_be_empty: bool = False) -> dict:
    """One side of a merge, checked like a load; InputError if it is missing or damaged.

    git passes an empty base when both sides added the file.
    """
    try:
        if may_be_empty and path.is_file() and not path.read_bytes().strip():
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
