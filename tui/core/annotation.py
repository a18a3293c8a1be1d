"""The annotation record: a tagged span at code-point offsets, with its quote and context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from operator import attrgetter, itemgetter

CONTEXT = 32  # characters of prefix and suffix kept to re-find a quote


def span_fields(text: str, start: int, end: int) -> dict:
    """start, end, and the quote with its prefix and suffix, as read from `text`."""
    return {"start": start, "end": end, "quote": text[start:end],
            "prefix": text[max(0, start - CONTEXT):start], "suffix": text[end:end + CONTEXT]}


def utc_now() -> str:
    """UTC ISO 8601 with milliseconds, ending in Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Annotation:
    """One tag on one span. `end` is exclusive; offsets are code points into NFC text."""

    start: int
    end: int
    quote: str
    tag: str
    document: str
    annotator: str
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    id: str = field(default_factory=new_id)
    created: str = field(default_factory=utc_now)
    modified: str = ""

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

    def changed(self, **changes) -> Annotation:
        """A copy with `changes` applied and `modified` set to now."""
        return replace(self, modified=utc_now(), **changes)

    def to_record(self) -> dict:
        # Every field is a str or an int, so this equals dataclasses.asdict, which deep-copies
        # and costs several times as much (it was a third of saving 10,000 annotations).
        return dict(zip(FIELDS, _field_values(self), strict=True))

    @classmethod
    def from_record(cls, record: dict) -> Annotation:
        """Build from a stored dict; raises ValueError naming a missing or mistyped field."""
        values = record_values(record)
        if values is not None:
            return cls(*values)
        missing = [name for name in _REQUIRED if name not in record]
        if missing:
            raise ValueError(f"missing field(s): {', '.join(missing)}")
        fields = {k: v for k, v in record.items() if k in _FIELD_NAMES}
        for name in ("start", "end"):
            if not isinstance(fields[name], int) or isinstance(fields[name], bool):
                raise ValueError(f"field {name!r} must be an integer, got {fields[name]!r}")
        for name in _STRING_FIELDS:
            if name in fields and not isinstance(fields[name], str):
                raise ValueError(f"field {name!r} must be a string, got {fields[name]!r}")
        fields.setdefault("document", "")
        fields.setdefault("annotator", "")
        if fields["start"] < 0 or fields["end"] <= fields["start"]:
            raise ValueError(f"empty or negative span {fields['start']}-{fields['end']}")
        return cls(**fields)

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def contains(self, offset: int) -> bool:
        return self.start <= offset < self.end

    def sort_key(self) -> tuple:
        return (self.start, self.end, self.tag, self.id)


FIELDS = tuple(f.name for f in fields(Annotation))
_FIELD_NAMES = frozenset(FIELDS)
_field_values = attrgetter(*FIELDS)
_REQUIRED = ("start", "end", "quote", "tag")
_record_values = itemgetter(*FIELDS)
sort_key_of = attrgetter("start", "end", "tag", "id")  # Annotation.sort_key without a method call
_SHARED: dict[str, str] = {}


_shared = _SHARED.setdefault  # one string object for values repeated across records: _shared(v, v)
_FIELD_TYPES = tuple(int if name in ("start", "end") else str for name in FIELDS)


def record_values(record: object) -> tuple | None:
    """A complete, well-typed stored record's values in FIELDS order, else None (look closer).

    The usual record is checked in one go; tag, document and annotator come back as shared
    strings, since thousands of records repeat them.
    """
    if type(record) is not dict or record.keys() != _FIELD_NAMES:
        return None
    values = _record_values(record)
    if tuple(map(type, values)) != _FIELD_TYPES or not 0 <= values[0] < values[1] or not values[-1]:
        return None
    start, end, quote, tag, document, annotator, prefix, suffix, note, id_, created, modified = values
    return (start, end, quote, _shared(tag, tag), _shared(document, document), _shared(annotator, annotator),
            prefix, suffix, note, id_, created, created if modified == created else modified)


_STRING_FIELDS = ("quote", "tag", "prefix", "suffix", "note", "id", "created", "modified", "document", "annotator")
