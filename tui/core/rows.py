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
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from functools import lru_cache
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from tui.core.annotation import COLUMNS, CONTEXT, FIELDS, NAMES, POSITION, TABLE, Annotation, Column, _field_values

ID_WIDTH = 16  # a uuid, as bytes; ids not written as uuid4() writes them live in the row's extras
_NO_ID = NO_ID = b"\xff" * ID_WIDTH  # in `ids` for an id kept in the extras (not a canonical uuid)
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


def _uuid_text(raw: bytes | bytearray) -> str:
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

    def __iter__(self) -> Iterator[str]:
        return map(self.distinct.__getitem__, self.codes)


class Rows:
    """Append-only columns of annotations: the one implementation of TextRows (on a text) and
    KeptRows (no text, so every quote and context is kept in the row); make them with rows_on.

    The columns follow Annotation's field table: an array per INT field (`starts`, `ends`),
    a Values per SHARED field (`tags`, `documents`, `annotators`), packed times per TIME
    field (`created_times`, `modified_times`), the uuid's bytes (`ids`), and `extras` for
    what the columns cannot hold. `append`, `values` and `encode_plain` are built from the
    table (see _layout), so a field added there needs nothing here.
    """

    def __init__(self, text: str | None = None) -> None:
        self.text = text
        for name, column in zip(NAMES, COLUMNS, strict=True):
            if column in (Column.INT, Column.KEY):
                setattr(self, _column_name(name), array("q"))
            elif column is Column.SHARED:
                setattr(self, _column_name(name), Values())
            elif column is Column.TIME:
                setattr(self, _column_name(name), array("q"))
        self.ids = bytearray()  # ID_WIDTH bytes a row
        # What the columns cannot hold, never changed once set: None, the note alone (most
        # often: a str costs 180 bytes less than a dict), or a dict of the fields.
        self.extras: list[dict[str, Any] | str | None] = []
        self.ids_ascending = True  # every id greater than the one before: a file's order
        self._last_id = ""

    # Typed names for the columns the rest of the code reads (set in __init__ from the table).
    starts: array[int]
    ends: array[int]
    keys: array[int]  # TinyDB's document ids
    tags: Values
    documents: Values
    annotators: Values

    def __len__(self) -> int:
        return len(self.extras)

    def append(self, values: tuple[Any, ...]) -> int:
        """Store one annotation's values (NAMES order, already checked); returns its row number."""
        return _append(self, values)

    def append_annotation(self, a: Annotation) -> int:
        return _append(self, _field_values(a))

    def id_of(self, row: int) -> str:
        extra = self.extras[row]
        if type(extra) is dict and "id" in extra:
            return str(extra["id"])
        return _uuid_text(self.ids[row * ID_WIDTH:(row + 1) * ID_WIDTH])

    def sort_key(self, row: int) -> tuple[Any, ...]:
        """Annotation.sort_key of the row."""
        return (self.starts[row], self.ends[row], self.tags[row], self.id_of(row))

    def values(self, row: int) -> tuple[Any, ...]:
        """The row's values in Annotation's order (NAMES)."""
        return _values(self, row)

    def annotation(self, row: int) -> Annotation:
        return Annotation(*_values(self, row))

    def span_of(self, row: int) -> tuple[int, int]:
        return self.starts[row], self.ends[row]


class TextRows(Rows):
    """Rows on a text: a quote or context the text still says is sliced from it, not kept."""

    text: str

    def __init__(self, text: str) -> None:
        super().__init__(text)


class KeptRows(Rows):
    """Rows with no text (agreement, merges): every quote and context is kept in the row."""

    text: None

    def __init__(self) -> None:
        super().__init__(None)


def rows_on(text: str | None) -> TextRows | KeptRows:
    return KeptRows() if text is None else TextRows(text)


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


def encode_values(values: tuple[Any, ...]) -> str:
    """A record given as its values (NAMES order) as the store writes it (indent 2, sorted keys; not its key)."""
    return _TEMPLATE.format(*[encode_value(values[i]) for i in _POSITIONS])


def encode_row(rows: Rows, row: int, id_: str | None = None) -> str:
    """The row's record as the store writes it (indent 2, sorted keys, inside the table).

    `id_` is the row's id when the caller has it already (the store writes it as the key)."""
    if type(rows.extras[row]) is dict:
        return encode_values(_values(rows, row))
    return _encode_plain(rows, row, id_)


# -- the layout, built from the field table --------------------------------------------------------
#
# Each column kind says how `append` stores a field (`store`), how `values` reads it back
# for a row without an extras dict (`plain`) and with one (`from_extra`), and how the usual
# row is encoded without making its values (`encoded`). The generated code's locals: `rows`,
# `text`, `row`, `extra`, `id_`, and each field's value as f_<name>.

_SLICES = {Column.QUOTE: "text[f_start:f_end]", Column.PREFIX: "text[max(0, f_start - CONTEXT):f_start]",
           Column.SUFFIX: "text[f_end:f_end + CONTEXT]"}
_UUID_AT = "_uuid_text(rows.ids[row * ID_WIDTH:(row + 1) * ID_WIDTH])"


class _Code(NamedTuple):
    store: str
    plain: str
    from_extra: str
    encoded: str


def _kept_in_extra(name: str) -> str:
    return f'extra = {{**(extra or {{}}), "{name}": f_{name}}}'


def _int_code(name: str, column: str) -> _Code:
    return _Code(f"{column}.append(f_{name})", f"f_{name}", f"f_{name}", f"f_{name}")  # read first: see _values


def _shared_code(name: str, column: str) -> _Code:
    return _Code(f"{column}.append(f_{name})", f"{column}[row]", f"{column}[row]", f"{column}.encoded(row)")


def _slice_code(name: str, column: Column) -> _Code:
    sliced = _SLICES[column]
    return _Code("", sliced, f'get("{name}") if "{name}" in extra else {sliced}', f"encode({sliced})")


def _uuid_code(name: str) -> _Code:
    store = f"""if _UUID.fullmatch(f_{name}):
        rows.ids += bytes.fromhex(f_{name}.replace("-", ""))
    else:
        rows.ids += _NO_ID
        {_kept_in_extra(name)}
    if f_{name} <= rows._last_id:
        rows.ids_ascending = False
    rows._last_id = f_{name}"""
    return _Code(store, _UUID_AT, f'get("{name}") if "{name}" in extra else {_UUID_AT}',
                 f"encode(id_ if id_ is not None else {_UUID_AT})")


def _time_code(name: str, column: str, first: str, first_column: str) -> _Code:
    """A TIME field; one equal to the first TIME field (modified, to created) is not packed twice."""
    pack = f"pack_time(f_{name})" if name == first else f"p_{first} if f_{name} == f_{first} else pack_time(f_{name})"
    store = f"""p_{name} = {pack}
    if p_{name} == NO_TIME:
        {_kept_in_extra(name)}
    {column}.append(p_{name})"""
    return _Code(store, f"unpack_time({column}[row])",
                 f'get("{name}") if {column}[row] == NO_TIME else unpack_time({column}[row])', f"encode(t_{name})")


def _extra_code(name: str, default: object, lone: bool) -> _Code:
    """A field kept in the extras; the `lone` one (the note) is kept as the extra itself when alone."""
    if lone:
        return _Code("", 'extra or ""', f"get({name!r}, {default!r})", 'encode(extra or "")')
    return _Code(f"if f_{name} != {default!r}:\n        {_kept_in_extra(name)}", repr(default),
                 f"get({name!r}, {default!r})", "")  # encoded: a constant, baked into the format


def _codes() -> tuple[dict[str, _Code], str | None]:
    """Each field's code, and the lone EXTRA field's name."""
    extras = [f for f in TABLE if f.metadata["column"] is Column.EXTRA]
    lone = extras[0].name if extras and str(extras[0].type) == "str" else None
    times = [f.name for f in TABLE if f.metadata["column"] is Column.TIME]
    codes = {}
    for f in TABLE:
        column, attribute = f.metadata["column"], f"rows.{_column_name(f.name)}"
        if column is Column.INT:
            codes[f.name] = _int_code(f.name, attribute)
        elif column is Column.KEY:  # not in the record: the table's key
            codes[f.name] = _Code(f"{attribute}.append(f_{f.name})", f"{attribute}[row]", f"{attribute}[row]", "")
        elif column is Column.SHARED:
            codes[f.name] = _shared_code(f.name, attribute)
        elif column in _SLICES:
            codes[f.name] = _slice_code(f.name, column)
        elif column is Column.UUID:
            codes[f.name] = _uuid_code(f.name)
        elif column is Column.TIME:
            codes[f.name] = _time_code(f.name, attribute, times[0], f"rows.{_column_name(times[0])}")
        else:
            codes[f.name] = _extra_code(f.name, f.default, f.name == lone)
    return codes, lone


def _plain_format(lone: str | None) -> str:
    """The usual row's record, for %: a field at its default (other than the lone one) is a constant."""
    lines = []
    for name in _ORDER:
        column = COLUMNS[POSITION[name]]
        if column is Column.EXTRA and name != lone:
            value = encode_value(TABLE[POSITION[name]].default).replace("%", "%%")
        else:
            value = "%d" if column is Column.INT else "%s"
        lines.append(f'      "{name}": {value}')
    return "{\n" + ",\n".join(lines) + "\n    }"


def _layout_source() -> tuple[str, str]:
    codes, lone = _codes()
    slices = [name for name in NAMES if COLUMNS[POSITION[name]] in _SLICES]
    store = []
    if slices:
        differs = " or ".join(f"{codes[n].plain} != f_{n}" for n in slices)
        store.append(f"if text is None or {differs}:\n        extra = {{{', '.join(f'{n!r}: f_{n}' for n in slices)}}}")
    store += [codes[name].store for name in NAMES if codes[name].store]
    if lone:
        store.append(f'if extra is not None and f_{lone}:\n        extra["{lone}"] = f_{lone}')
    store.append(f"rows.extras.append(extra if extra is not None else {f'f_{lone} or None' if lone else 'None'})")
    ints = [name for name in NAMES if COLUMNS[POSITION[name]] is Column.INT]
    int_locals = "".join(f"\n    f_{n} = rows.{_column_name(n)}[row]" for n in ints)  # the slices use them
    times = [name for name in NAMES if COLUMNS[POSITION[name]] is Column.TIME]
    time_locals = "".join(
        f"\n    t_{n} = {codes[n].plain}" if n == times[0] else
        f"\n    t_{n} = t_{times[0]} if rows.{_column_name(n)}[row] == rows.{_column_name(times[0])}[row] "
        f"else {codes[n].plain}" for n in times)
    statements = "\n    ".join(store)
    source = f"""def _append(rows, values):
    {", ".join(f"f_{name}" for name in NAMES)}, = values
    text, extra = rows.text, None
    {statements}
    return len(rows.extras) - 1


def _values(rows, row):
    extra = rows.extras[row]
    text = rows.text{int_locals}
    if extra is None or type(extra) is str:
        return ({", ".join(codes[n].plain for n in NAMES)},)
    get = extra.get
    return ({", ".join(codes[n].from_extra for n in NAMES)},)


def _encode_plain(rows, row, id_):
    extra = rows.extras[row]
    text = rows.text{int_locals}{time_locals}
    return _PLAIN % ({", ".join(codes[n].encoded for n in _ORDER if codes[n].encoded)},)
"""
    return source, _plain_format(lone)


def _layout() -> dict[str, Callable[..., Any]]:
    source, plain_format = _layout_source()
    namespace: dict[str, Any] = {
        "CONTEXT": CONTEXT, "_UUID": _UUID, "_NO_ID": _NO_ID, "ID_WIDTH": ID_WIDTH, "NO_TIME": NO_TIME,
        "pack_time": pack_time, "unpack_time": unpack_time, "_uuid_text": _uuid_text,
        "encode": encode_basestring, "_PLAIN": plain_format}
    exec(compile(source, "<generated rows layout>", "exec"), namespace)
    functions = {name: namespace[name] for name in ("_append", "_values", "_encode_plain")}
    for function in functions.values():
        function.__source__ = source  # to read what runs: print(tui.core.rows._append.__source__)
    return functions


_LAYOUT = _layout()
_append: Callable[[Rows, tuple[Any, ...]], int] = _LAYOUT["_append"]
_values: Callable[[Rows, int], tuple[Any, ...]] = _LAYOUT["_values"]
_encode_plain: Callable[[Rows, int, str | None], str] = _LAYOUT["_encode_plain"]
