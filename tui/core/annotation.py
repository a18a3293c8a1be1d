"""The annotation record: a tagged span at code-point offsets, with its quote and context."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import Enum
from operator import attrgetter, itemgetter
from typing import Any

CONTEXT = 32  # characters of prefix and suffix kept to re-find a quote


def span_fields(text: str, start: int, end: int) -> dict[str, Any]:
    """start, end, and the quote with its prefix and suffix, as read from `text`."""
    return {"start": start, "end": end, "quote": text[start:end],
            "prefix": text[max(0, start - CONTEXT):start], "suffix": text[end:end + CONTEXT]}


def utc_now() -> str:
    """UTC ISO 8601 with milliseconds, ending in Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id() -> str:
    return str(uuid.uuid4())


class Column(Enum):
    """How tui.core.rows keeps a field (the row layout is built from these)."""

    INT = "int"  # an array of 64-bit integers
    SHARED = "shared"  # one of a few distinct strings (tags, hashes, names): 4 bytes a row
    QUOTE = "quote"  # what the text says at [start, end): kept only when it differs
    PREFIX = "prefix"  # what the text says before start, CONTEXT long: kept only when it differs
    SUFFIX = "suffix"  # what the text says after end, CONTEXT long: kept only when it differs
    UUID = "uuid"  # 16 bytes; any other spelling is kept as is
    TIME = "time"  # utc_now()'s form as milliseconds; any other spelling is kept as is
    EXTRA = "extra"  # kept only when it differs from its default: the column for new fields
    KEY = "key"  # the record's key in the table (TinyDB's document id), not a field of the record


def kept(column: Column, *, missing: object = MISSING) -> dict[str, object]:
    """A field's metadata: its column, and the value a record that lacks it gets (when the
    field has no default of its own; fields with neither are required in a record)."""
    return {"column": column, "missing": missing}


@dataclass(frozen=True, slots=True)
class Annotation:
    """One tag on one span. `end` is exclusive; offsets are code points into NFC text.

    This class is the record's one field table: the stored record, its checks, the row
    layout (tui.core.rows) and the encoder are all built from these lines. To add a field,
    add one line here, after the fields without a default, with a default, a type of str,
    int or bool, and `metadata=kept(Column.EXTRA)` (rows keep it only where it differs from
    the default, so old files need nothing). That is all: records without it load with the
    default, the checks refuse a value of another type, and saving writes it.
    """

    start: int = field(metadata=kept(Column.INT))
    end: int = field(metadata=kept(Column.INT))
    quote: str = field(metadata=kept(Column.QUOTE))
    tag: str = field(metadata=kept(Column.SHARED))
    document: str = field(metadata=kept(Column.SHARED, missing=""))
    annotator: str = field(metadata=kept(Column.SHARED, missing=""))
    prefix: str = field(default="", metadata=kept(Column.PREFIX))
    suffix: str = field(default="", metadata=kept(Column.SUFFIX))
    note: str = field(default="", metadata=kept(Column.EXTRA))
    id: str = field(default_factory=new_id, metadata=kept(Column.UUID))
    created: str = field(default_factory=utc_now, metadata=kept(Column.TIME))
    modified: str = field(default="", metadata=kept(Column.TIME))
    # Who made it, when an import re-attributed it to the layer's annotator ("" otherwise).
    original_annotator: str = field(default="", metadata=kept(Column.EXTRA))
    entity: str = field(default="", metadata=kept(Column.EXTRA))  # an actor's canonical name; "": its quote
    # The record's TinyDB document id: its key in the file, not part of the record; 0 until a
    # layer numbers it. Not compared: the same annotation is equal before and after numbering.
    key: int = field(default=0, compare=False, metadata=kept(Column.KEY))

    def __post_init__(self) -> None:
        if not self.modified:
            object.__setattr__(self, "modified", self.created)

    @classmethod
    def create(
        cls, text: str, start: int, end: int, tag: str, *, document: str, annotator: str, note: str = ""
    ) -> Annotation:
        """A new annotation on text[start:end], with its quote and context taken from `text`."""
        if not 0 <= start < end <= len(text):
            raise ValueError(f"empty or out-of-range span {start}-{end} (text has {len(text)} characters)")
        return cls(
            **span_fields(text, start, end),
            tag=tag,
            note=note,
            document=document,
            annotator=annotator,
        )

    def changed(self, **changes: Any) -> Annotation:
        """A copy with `changes` applied and `modified` set to now."""
        return replace(self, modified=utc_now(), **changes)

    def to_record(self) -> dict[str, Any]:
        # Every field is a str or an int, so this equals dataclasses.asdict, which deep-copies
        # and costs several times as much (it was a third of saving 10,000 annotations).
        return dict(zip(FIELDS, _record_field_values(self), strict=True))

    @classmethod
    def from_record(cls, record: object) -> Annotation:
        """Build from a stored dict; raises ValueError saying what is wrong (a missing field, a
        field of the wrong type, a span that is empty, negative or backwards)."""
        values = record_values(record)
        if values is not None:
            return cls(*values)
        return cls(**checked_fields(record))

    def annotation(self) -> Annotation:
        """Itself (see tui.core.layer.Version: a change holds Annotations or Stored rows)."""
        return self

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def sort_key(self) -> tuple[Any, ...]:
        return (self.start, self.end, self.tag, self.id)


# -- what the table gives ------------------------------------------------------------------------

TABLE: tuple[Field[Any], ...] = fields(Annotation)
NAMES = tuple(f.name for f in TABLE)  # every value an Annotation holds, in its order
POSITION = {name: position for position, name in enumerate(NAMES)}  # named positions in a values tuple
START, END, ID, NOTE, KEY = (POSITION[name] for name in ("start", "end", "id", "note", "key"))
_TYPES = {"int": int, "str": str, "bool": bool}  # the annotations are strings (from __future__)
TYPES: tuple[type, ...] = tuple(_TYPES[str(f.type)] for f in TABLE)
COLUMNS: tuple[Column, ...] = tuple(f.metadata["column"] for f in TABLE)
FIELDS = tuple(name for name, column in zip(NAMES, COLUMNS, strict=True) if column is not Column.KEY)  # a record's
FIELD_TYPES: tuple[type, ...] = tuple(TYPES[POSITION[name]] for name in FIELDS)
REQUIRED = tuple(f.name for f in TABLE if f.default is MISSING and f.default_factory is MISSING
                 and f.metadata["missing"] is MISSING)
_MISSING_VALUES = {f.name: f.metadata["missing"] for f in TABLE if f.metadata["missing"] is not MISSING}
_FIELD_NAMES = frozenset(FIELDS)
_field_values = attrgetter(*NAMES)
_record_field_values = attrgetter(*FIELDS)
_record_values = itemgetter(*FIELDS)
sort_key_of = attrgetter("start", "end", "tag", "id")  # Annotation.sort_key without a method call
_SHARED: dict[str, str] = {}
_shared = _SHARED.setdefault  # one string object for values repeated across records: _shared(v, v)


def describe(value: object) -> str:
    """A value, named briefly: never its whole repr, which can be huge or nested past the recursion limit."""
    if type(value) is int:
        digits = len(str(abs(value))) if abs(value) < 10**100 else None
        return repr(value) if digits else "an integer of more than 100 digits"
    if type(value) is str:
        return repr(value) if len(value) <= 40 else repr(value[:40]) + "…"
    if isinstance(value, (bool, float)) or value is None:
        return "null" if value is None else repr(value).lower() if isinstance(value, bool) else repr(value)
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, dict) else type(value).__name__


_EXPECTED: dict[type, str] = {int: "an integer", str: "a string", bool: "true or false"}


def checked_fields(record: object) -> dict[str, Any]:
    """The record's fields as Annotation's keyword arguments, checked against the table;
    ValueError saying what is wrong. Unknown fields are ignored."""
    if type(record) is not dict:
        raise ValueError(f"the record is {describe(record)}, not an object")
    missing = [name for name in REQUIRED if name not in record]
    if missing:
        raise ValueError(f"missing field(s): {', '.join(missing)}")
    values = {**_MISSING_VALUES}
    for name, kind in zip(FIELDS, FIELD_TYPES, strict=True):  # not the key: the table gives it
        if name in record:
            value = record[name]
            if type(value) is not kind:
                what = _EXPECTED[kind]
                raise ValueError(f"field {name!r} must be {what}, got {describe(value)}")
            values[name] = value
    start, end = values["start"], values["end"]
    if start < 0:
        raise ValueError(f"negative start {start}")
    if end < start:
        raise ValueError(f"start {start} is after end {end}")
    if end == start:
        raise ValueError(f"empty span {start}-{end}")
    return values


def _compile(source: str, name: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """A function built from the table, so the hot paths stay as fast as written out by hand."""
    exec(compile(source, f"<generated {name}>", "exec"), namespace)
    function: Callable[..., Any] = namespace[name]
    function.__source__ = source  # type: ignore[attr-defined]  # for reading and debugging
    return function


def _record_values_source() -> str:
    local = [f"f_{name}" for name in FIELDS]
    times = [f"f_{name}" for name, column in zip(NAMES, COLUMNS, strict=True) if column is Column.TIME]
    shared = []
    for name, column in zip(NAMES, COLUMNS, strict=True):
        if column is Column.KEY:
            shared.append("key")
        elif column is Column.SHARED:
            shared.append(f"_shared(f_{name}, f_{name})")
        elif column is Column.TIME and f"f_{name}" != times[0]:  # the same string as the first time when equal
            shared.append(f"{times[0]} if f_{name} == {times[0]} else f_{name}")
        else:
            shared.append(f"f_{name}")
    return f"""def record_values(record, key=0):
    if type(record) is not dict:
        return None
    if record.keys() != _FIELD_NAMES:
        if not _FIELD_NAMES - _DEFAULTED <= record.keys() <= _FIELD_NAMES:
            return None
        record = {{**_DEFAULTS, **record}}  # a file from before a field was added: still the fast path
    values = _record_values(record)
    if tuple(map(type, values)) != FIELD_TYPES or not 0 <= values[START] < values[END] or not {" or not ".join(
        f"values[{FIELDS.index(name[2:])}]" for name in times)}:
        return None
    {", ".join(local)}, = values
    return ({", ".join(shared)},)
"""


_DEFAULTS = {f.name: f.default for f in TABLE if f.metadata["column"] is Column.EXTRA}  # added fields
record_values: Callable[..., tuple[Any, ...] | None] = _compile(_record_values_source(), "record_values", {
    "_FIELD_NAMES": _FIELD_NAMES, "_record_values": _record_values, "FIELD_TYPES": FIELD_TYPES,
    "START": FIELDS.index("start"), "END": FIELDS.index("end"), "_shared": _shared,
    "_DEFAULTS": _DEFAULTS, "_DEFAULTED": frozenset(_DEFAULTS)})
record_values.__doc__ = """record_values(record, key=0): a complete, well-typed stored record's values, with
its key (the table's), in Annotation's order (NAMES), else None (look closer).

The usual record is checked in one go; the SHARED columns' strings (tag, document,
annotator) come back as shared strings, since thousands of records repeat them."""
