"""Annotations stored as columns: about 100 bytes each instead of about 800 as objects.

A row is appended once and never changed (a change appends a new row), so a copy of the
indexes over these columns is a consistent snapshot that a worker can save while the UI
goes on adding rows. What the text already says is not stored: the quote, prefix and
suffix are sliced from the text when they still match it, and a row keeps its own copy
only when they differ (the text changed). Annotation objects are made on demand.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any

from tui.core.annotation import CONTEXT, COLUMNS, FIELDS, POSITION, TABLE, Annotation, Column, _field_values

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
    """Append-only columns of annotations on one text (see RowStore; None: no text, so every
    quote and context is kept in the row).

    The columns follow Annotation's field table: an array per INT field (`starts`, `ends`),
    a Values per SHARED field (`tags`, `documents`, `annotators`), packed times per TIME
    field (`created_times`, `modified_times`), the uuid's bytes (`ids`), and `extras` for
    what the columns cannot hold. `append`, `values` and `encode_plain` are built from the
    table (see _layout), so a field added there needs nothing here.
    """

    def __init__(self, text: str | None = None) -> None:
        self.text = text
        for name, column in zip(FIELDS, COLUMNS):
            if column is Column.INT:
                setattr(self, _column_name(name), array("q"))
            elif column is Column.SHARED:
                setattr(self, _column_name(name), Values())
            elif column is Column.TIME:
                setattr(self, _column_name(name), array("q"))
        self.ids = bytearray()  # ID_WIDTH bytes a row
        # What the columns cannot hold, never changed once set: None, the note alone (most
        # often: a str costs 180 bytes less than a dict), or a dict of the fields.
        self.extras: list[dict | str | None] = []
        self.ids_ascending = True  # every id greater than the one before: a file's order
        self._last_id = ""

    # Typed names for the columns the rest of the code reads (set in __init__ from the table).
    starts: array[int]
    ends: array[int]
    tags: Values
    documents: Values
    annotators: Values

    def __len__(self) -> int:
        return len(self.extras)

    def append(self, values: tuple) -> int:
        """Store one annotation's field values (FIELDS order, already checked); returns its row number."""
        return _append(self, values)

    def append_annotation(self, a: Annotation) -> int:
        return _append(self, _field_values(a))

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
        return _values(self, row)

    def annotation(self, row: int) -> Annotation:
        return Annotation(*_values(self, row))

    def span_of(self, row: int) -> tuple[int, int]:
        return self.starts[row], self.ends[row]


def _column_name(name: str) -> str:
    """The Rows attribute holding a field's column: `starts` for start, `created_times` for created."""
    return f"{name}_times" if COLUMNS[POSITION[name]] is Column.TIME else f"{name}s"


_ORDER = sorted(FIELDS)  # the record's keys as a stable JSON file writes them
_POSITIONS = [POSITION[name] for name in _ORDER]
_TEMPLATE = "{{\n" + ",\n".join(f'      "{name}": {{}}' for name in _ORDER) + "\n    }}"


def encode_value(value: object) -> str:
    """One field's value as JSON (ensure_ascii=False)."""
    if type(value) is str:
        return encode_basestring(value)
    if type(value) is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def encode_values(values: tuple) -> str:
    """A record given as its values (FIELDS order) as the store writes it (indent 2, sorted keys)."""
    return _TEMPLATE.format(*[encode_value(values[i]) for i in _POSITIONS])


def encode_row(rows: Rows, row: int, id_: str | None = None) -> str:
    """The row's record as the store writes it (indent 2, sorted keys, inside the table).

    `id_` is the row's id when the caller has it already (the store writes it as the key)."""
    if type(rows.extras[row]) is dict:
        return encode_values(_values(rows, row))
    return _encode_plain(rows, row, id_)


# -- the layout, built from the field table --------------------------------------------------------
#
# Each column kind says how `append` stores a field (`store`), how `values` reads it back,
# for a row without an extras dict (`plain`) and with one (`from_extra`), and how the
# usual row is encoded without making its values (`encoded`). Locals: `text`, `row`,
# `extra`, and each field's value as f_<name>.

_SLICES = {Column.QUOTE: "text[f_start:f_end]", Column.PREFIX: "text[max(0, f_start - CONTEXT):f_start]",
           Column.SUFFIX: "text[f_end:f_end + CONTEXT]"}


def _layout() -> dict[str, Callable[..., Any]]:
    extra_fields = [f for f in TABLE if f.metadata["column"] is Column.EXTRA]
    lone = extra_fields[0].name if extra_fields and str(extra_fields[0].type) == "str" else None
    defaults = {f.name: f.default for f in extra_fields}
    times = [name for name, column in zip(FIELDS, COLUMNS) if column is Column.TIME]
    slices = [name for name, column in zip(FIELDS, COLUMNS) if column in _SLICES]
    unpack = ", ".join(f"f_{name}" for name in FIELDS) + ","

    store, plain, from_extra, encoded = [], {}, {}, {}
    if slices:
        differs = " or ".join(f"{_SLICES[COLUMNS[POSITION[n]]]} != f_{n}" for n in slices)
        kept = ", ".join(f'"{n}": f_{n}' for n in slices)
        store.append(f"if text is None or {differs}:\n        extra = {{{kept}}}")
    for name, column in zip(FIELDS, COLUMNS):
        attribute = f"rows.{_column_name(name)}"
        if column is Column.INT:
            store.append(f"{attribute}.append(f_{name})")
            plain[name] = from_extra[name] = encoded[name] = f"{attribute}[row]"
        elif column is Column.SHARED:
            store.append(f"{attribute}.append(f_{name})")
            plain[name] = from_extra[name] = f"{attribute}[row]"
            encoded[name] = f"{attribute}.encoded(row)"
        elif column in _SLICES:
            plain[name] = _SLICES[column]
            from_extra[name] = f'get("{name}") if "{name}" in extra else {_SLICES[column]}'
            encoded[name] = f"encode({_SLICES[column]})"
        elif column is Column.UUID:
            store.append(f"""if _UUID.fullmatch(f_{name}):
        rows.ids += bytes.fromhex(f_{name}.replace("-", ""))
    else:
        rows.ids += _NO_ID
        extra = {{**(extra or {{}}), "{name}": f_{name}}}
    if f_{name} <= rows._last_id:
        rows.ids_ascending = False
    rows._last_id = f_{name}""")
            plain[name] = "_uuid_text(rows.ids[row * ID_WIDTH:(row + 1) * ID_WIDTH])"
            from_extra[name] = f'get("{name}") if "{name}" in extra else {plain[name]}'
            encoded[name] = f"encode(id_ if id_ is not None else {plain[name]})"
        elif column is Column.TIME:
            first = times[0]
            pack = f"pack_time(f_{name})" if name == first else \
                f"p_{first} if f_{name} == f_{first} else pack_time(f_{name})"
            store.append(f"""p_{name} = {pack}
    if p_{name} == NO_TIME:
        extra = {{**(extra or {{}}), "{name}": f_{name}}}
    {attribute}.append(p_{name})""")
            plain[name] = f"unpack_time({attribute}[row])"
            from_extra[name] = f'get("{name}") if {attribute}[row] == NO_TIME else unpack_time({attribute}[row])'
            encoded[name] = f"encode(t_{name})"
        elif column is Column.EXTRA:
            if name != lone:
                store.append(f"if f_{name} != {defaults[name]!r}:\n        extra = {{**(extra or {{}}), \"{name}\": f_{name}}}")
                plain[name] = repr(defaults[name])
                encoded[name] = repr(encode_value(defaults[name]))
            else:
                plain[name] = 'extra or ""'
                encoded[name] = 'encode(extra or "")'
            from_extra[name] = f"get({name!r}, {defaults[name]!r})"
    if lone:
        store.append(f'if extra is not None and f_{lone}:\n        extra["{lone}"] = f_{lone}')
        store.append(f"rows.extras.append(extra if extra is not None else f_{lone} or None)")
    else:
        store.append("rows.extras.append(extra)")
    store.append("return len(rows.extras) - 1")
    statements = "\n    ".join(store)
    needs_text = any(name in slices for name in FIELDS)
    ints = [name for name, column in zip(FIELDS, COLUMNS) if column is Column.INT]
    int_locals = "".join(f"\n    f_{n} = {plain[n]}" for n in ints)  # the slices use start and end
    for n in ints:
        plain[n] = from_extra[n] = encoded[n] = f"f_{n}"
    time_locals = "".join(f"\n    t_{n} = {plain[n]}" if n == times[0] else
                          f"\n    t_{n} = t_{times[0]} if rows.{_column_name(n)}[row] == rows.{_column_name(times[0])}[row]"
                          f" else {plain[n]}" for n in times)
    formats = ",\n".join(f'      "{name}": %{"d" if COLUMNS[POSITION[name]] is Column.INT else "s"}' for name in _ORDER)
    for name in _ORDER:  # a constant's % would be read as a format: bake it into the format itself
        if COLUMNS[POSITION[name]] is Column.EXTRA and name != lone:
            formats = formats.replace(f'"{name}": %s', f'"{name}": ' + encode_value(defaults[name]).replace("%", "%%"))
    plain_format = "{\n" + formats + "\n    }"
    encoded_args = ", ".join(encoded[name] for name in _ORDER
                             if not (COLUMNS[POSITION[name]] is Column.EXTRA and name != lone))
    source = f"""def _append(rows, values):
    {unpack} = values
    text, extra = rows.text, None
    {statements}


def _values(rows, row):
    extra = rows.extras[row]
    text = rows.text{int_locals}
    if extra is None or type(extra) is str:
        return ({", ".join(plain[n] for n in FIELDS)},)
    get = extra.get
    return ({", ".join(from_extra[n] for n in FIELDS)},)


def _encode_plain(rows, row, id_):
    extra = rows.extras[row]
    text = rows.text{int_locals}{time_locals}
    return _PLAIN % ({encoded_args},)
"""
    del needs_text
    namespace: dict[str, Any] = {
        "CONTEXT": CONTEXT, "_UUID": _UUID, "_NO_ID": _NO_ID, "ID_WIDTH": ID_WIDTH, "NO_TIME": NO_TIME,
        "pack_time": pack_time, "unpack_time": unpack_time, "_uuid_text": _uuid_text,
        "encode": encode_basestring, "_PLAIN": plain_format}
    exec(compile(source, "<generated rows layout>", "exec"), namespace)  # noqa: S102 - built from FIELDS only
    functions = {name: namespace[name] for name in ("_append", "_values", "_encode_plain")}
    for function in functions.values():
        function.__source__ = source
    return functions


_LAYOUT = _layout()
_append: Callable[[Rows, tuple], int] = _LAYOUT["_append"]
_values: Callable[[Rows, int], tuple] = _LAYOUT["_values"]
_encode_plain: Callable[[Rows, int, str | None], str] = _LAYOUT["_encode_plain"]
