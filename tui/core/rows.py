"""Annotations stored as columns: about 100 bytes each instead of about 800 as objects.

A row is appended once and never changed (a change appends a new row), so a copy of the
indexes over these columns is a consistent snapshot that a worker can save while the UI
goes on adding rows. What the text already says is not stored: the quote, prefix and
suffix are sliced from the text when they still match it, and a row keeps its own copy
only when they differ (the text changed). Annotation objects are made on demand.
"""

from __future__ import annotations

import re
from array import array
from datetime import datetime, timedelta
from functools import lru_cache
from json.encoder import encode_basestring

from tui.core.annotation import CONTEXT, FIELDS, Annotation

ID_WIDTH = 16  # a uuid, as bytes; ids not written as uuid4() writes them live in the row's extras
_NO_ID = b"\xff" * ID_WIDTH
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NO_TIME = -(2**63)  # the timestamp is not in the canonical form: it is in the extras
_EPOCH = datetime(1970, 1, 1)
_SECOND = timedelta(seconds=1)


@lru_cache(maxsize=4096)
def _seconds_of(text: str) -> int | None:
    """'YYYY-MM-DDTHH:MM:SS' as seconds since the epoch, or None unless written exactly so."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not None or moment.isoformat() != text:
        return None
    return (moment - _EPOCH) // _SECOND


@lru_cache(maxsize=4096)
def _text_of(seconds: int) -> str:
    return (_EPOCH + timedelta(seconds=seconds)).isoformat()


def pack_time(text: str) -> int:
    """utc_now()'s form, 'YYYY-MM-DDTHH:MM:SS.mmmZ', as milliseconds; NO_TIME for anything else."""
    if len(text) != 24 or text[19] != "." or text[23] != "Z" or not text.isascii() or not text[20:23].isdigit():
        return NO_TIME
    seconds = _SECONDS.get(text[:19])  # a dict first: lru_cache's call costs as much as the rest
    if seconds is None:
        seconds = _seconds_of(text[:19])
        if seconds is None:
            return NO_TIME
        if len(_SECONDS) < 4096:
            _SECONDS[text[:19]] = seconds
    return seconds * 1000 + int(text[20:23])


_SECONDS: dict[str, int] = {}


def unpack_time(value: int) -> str:
    seconds, millis = divmod(value, 1000)
    return f"{_text_of(seconds)}.{millis:03d}Z"


def _uuid_text(raw: bytes) -> str:
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class Values:
    """A column of a few distinct strings (tags, document hashes, annotators), 4 bytes a row."""

    def __init__(self) -> None:
        self.codes = array("I")
        self.distinct: list[str] = []
        self._code_of: dict[str, int] = {}
        self._encoded: list[str] = []

    def append(self, value: str) -> None:
        code = self._code_of.get(value)
        if code is None:
            code = self._code_of[value] = len(self.distinct)
            self.distinct.append(value)
        self.codes.append(code)

    def __getitem__(self, row: int) -> str:
        return self.distinct[self.codes[row]]

    def encoded(self, row: int) -> str:
        """The row's value as a JSON string, encoded once per distinct value."""
        code, encoded = self.codes[row], self._encoded
        if code >= len(encoded):  # rebuilt whole, not appended to: two workers may be saving
            encoded = self._encoded = [encode_basestring(value) for value in list(self.distinct)]
        return encoded[code]

    def code_of(self, value: str) -> int:
        """The value's code, -1 for one no row has."""
        return self._code_of.get(value, -1)

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self):
        return map(self.distinct.__getitem__, self.codes)


class Rows:
    """Append-only columns of annotations on one text (None: keep every quote and context)."""

    def __init__(self, text: str | None = None) -> None:
        self.text = text
        self.starts = array("q")
        self.ends = array("q")
        self.tags = Values()
        self.documents = Values()
        self.annotators = Values()
        self.ids = bytearray()  # ID_WIDTH bytes a row
        self.created = array("q")
        self.modified = array("q")
        # What the columns cannot hold, never changed once set: None, the note alone (most
        # often: a str costs 180 bytes less than a dict), or a dict of the fields.
        self.extras: list[dict | str | None] = []
        self.ids_ascending = True  # every id greater than the one before: a file's order
        self._last_id = ""

    def __len__(self) -> int:
        return len(self.starts)

    def append(self, start: int, end: int, quote: str, tag: str, document: str, annotator: str,
               prefix: str, suffix: str, note: str, id_: str, created: str, modified: str) -> int:
        """Store one annotation's fields (already checked); returns its row number."""
        text, extra = self.text, None
        if (text is None or text[start:end] != quote or text[max(0, start - CONTEXT):start] != prefix
                or text[end:end + CONTEXT] != suffix):
            extra = {"quote": quote, "prefix": prefix, "suffix": suffix}
        if _UUID.fullmatch(id_):
            self.ids += bytes.fromhex(id_.replace("-", ""))
        else:
            self.ids += _NO_ID
            extra = {**(extra or {}), "id": id_}
        if id_ <= self._last_id:
            self.ids_ascending = False
        self._last_id = id_
        packed_created = pack_time(created)
        packed_modified = packed_created if modified == created else pack_time(modified)
        if packed_created == NO_TIME or packed_modified == NO_TIME:
            extra = {**(extra or {}), "created": created, "modified": modified}
        if extra is not None and note:
            extra["note"] = note
        self.starts.append(start)
        self.ends.append(end)
        self.tags.append(tag)
        self.documents.append(document)
        self.annotators.append(annotator)
        self.created.append(packed_created)
        self.modified.append(packed_modified)
        self.extras.append(extra if extra is not None else note or None)
        return len(self.starts) - 1

    def append_annotation(self, a: Annotation) -> int:
        return self.append(a.start, a.end, a.quote, a.tag, a.document, a.annotator, a.prefix, a.suffix,
                           a.note, a.id, a.created, a.modified)

    def id_of(self, row: int) -> str:
        extra = self.extras[row]
        if type(extra) is dict and "id" in extra:
            return extra["id"]
        return _uuid_text(self.ids[row * ID_WIDTH:(row + 1) * ID_WIDTH])

    def sort_key(self, row: int) -> tuple:
        """Annotation.sort_key of the row."""
        return (self.starts[row], self.ends[row], self.tags[row], self.id_of(row))

    def values(self, row: int) -> tuple:
        """The row's fields in Annotation's order (FIELDS)."""
        start, end, extra = self.starts[row], self.ends[row], self.extras[row]
        text = self.text
        created, modified = self.created[row], self.modified[row]
        if extra is None or type(extra) is str:
            return (start, end, text[start:end], self.tags[row], self.documents[row], self.annotators[row],
                    text[max(0, start - CONTEXT):start], text[end:end + CONTEXT], extra or "",
                    _uuid_text(self.ids[row * ID_WIDTH:(row + 1) * ID_WIDTH]),
                    unpack_time(created), unpack_time(modified))
        get = extra.get
        return (start, end,
                get("quote") if "quote" in extra else text[start:end],
                self.tags[row], self.documents[row], self.annotators[row],
                get("prefix") if "prefix" in extra else text[max(0, start - CONTEXT):start],
                get("suffix") if "suffix" in extra else text[end:end + CONTEXT],
                get("note", ""), self.id_of(row),
                get("created") if created == NO_TIME else unpack_time(created),
                get("modified") if modified == NO_TIME else unpack_time(modified))

    def annotation(self, row: int) -> Annotation:
        return Annotation(*self.values(row))

    def span_of(self, row: int) -> tuple[int, int]:
        return self.starts[row], self.ends[row]


_ORDER = sorted(FIELDS)  # the record's keys as a stable JSON file writes them
_TEMPLATE = "{{\n" + ",\n".join(f'      "{name}": {{}}' for name in _ORDER) + "\n    }}"
_POSITIONS = [FIELDS.index(name) for name in _ORDER]
_PLAIN = "{\n" + ",\n".join(f'      "{name}": %{"d" if name in ("start", "end") else "s"}'
                            for name in _ORDER) + "\n    }"


def encode_row(rows: Rows, row: int, id_: str | None = None) -> str:
    """The row's record as the store writes it (indent 2, sorted keys, inside the table).

    `id_` is the row's id when the caller has it already (the store writes it as the key)."""
    extra = rows.extras[row]
    if type(extra) is dict:
        values = rows.values(row)
        return _TEMPLATE.format(*[encode_basestring(v) if type(v) is str else int(v)
                                  for v in map(values.__getitem__, _POSITIONS)])
    # The usual row, written without making its Annotation or a tuple of its values.
    start, end, text = rows.starts[row], rows.ends[row], rows.text
    created = unpack_time(rows.created[row])
    modified = rows.modified[row]
    modified = created if modified == rows.created[row] else unpack_time(modified)
    encode = encode_basestring
    return _PLAIN % (  # in _ORDER: annotator, created, document, end, id, modified, note, prefix, quote, start,
        rows.annotators.encoded(row), encode(created), rows.documents.encoded(row), end,  # suffix, tag
        encode(id_ if id_ is not None else rows.id_of(row)), encode(modified), encode(extra or ""),
        encode(text[max(0, start - CONTEXT):start]), encode(text[start:end]), start,
        encode(text[end:end + CONTEXT]), rows.tags.encoded(row))
