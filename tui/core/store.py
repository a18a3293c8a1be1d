"""TinyDB files of annotations: one per document and annotator, written atomically.

Layout (schema 2): `annotations/<document-path>/<annotator>.json`, the document's path from
the project root less a `.txt` suffix (`annotations/seeds/2005/report/alice.json`; see
`tui.core.paths.layer_key`), a file stock TinyDB opens with its default storage
(`TinyDB(path)`): every table is keyed by TinyDB's integer document ids, and each annotation
keeps its uuid as the field `id`, stable across branches and exports:

    {"annotations": {"1": {..., "id": "<uuid>", ...}, "2": {...}, ...},
     "meta": {"1": {"schema": 2, "annotator": ..., "document": {"sha256": ..., "path": ...,
                                                                "title": ..., "length": ...}}}}

Per-layer metadata lives in the meta table's document 1 (`db.table("meta").get(doc_id=1)`):
hedgerow writes schema, annotator and document there and keeps any other key it finds (a
layer's done mark, say). Any other table (the gold layer's `review`, links, ...) is kept
as it was read and written back unchanged.

Written with indent 2, keys sorted within a record, records in id order and a trailing
newline: a new annotation takes the next id, so a git diff of it shows only its lines,
at the end of the table. Files TinyDB wrote (compact), and schema-1 files (keyed by uuid,
meta under "hedgerow"), are read too and written in this layout on the next save.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import chain
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from tui.core.annotation import END, ID, Annotation, _field_values, describe, record_values, span_fields
from tui.core.atomic import atomic_write_chunks
from tui.core.document import text_hash
from tui.core.errors import ChangedOnDisk, StoreError
from tui.core.layer import Layer
from tui.core.pacing import pause
from tui.core.rows import Rows, encode_row, encode_values, rows_on
from tui.core.wording import count_of

if TYPE_CHECKING:
    from tinydb import TinyDB

SCHEMA_VERSION = 2
ANNOTATIONS = "annotations"
META = "meta"
META_KEY = "1"  # the meta table's one document (TinyDB id 1): the layer's metadata
LEGACY_META_KEY = "hedgerow"  # where schema 1 kept it
INDENT = " " * 2
MAX_OFFSET = 2**62  # past any text; the rows' columns hold 64-bit integers


def _name(key: object) -> str:
    """A record's key or id as an error names it: short, quoted only when it has to be."""
    text = key if isinstance(key, str) else json.dumps(key)
    if text and len(text) <= 40 and text.isprintable() and " " not in text:
        return text
    return json.dumps(text[:40] + ("…" if len(text) > 40 else ""), ensure_ascii=False)


def dumps_stable(data: dict[str, Any]) -> str:
    """json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + newline, but fast.

    The stdlib only uses its C encoder without `indent`; the annotation records are flat,
    so each is encoded by the C encoder with newline separators and spliced in.
    """
    return "".join(_pieces(data))


def dumps_stable_bytes(data: dict[str, Any]) -> bytes:
    """dumps_stable(data) encoded as UTF-8, without building the whole text as one str first.

    One emoji anywhere makes a str hold four bytes per character, so a 6 MB file would pass
    through a 24 MB string, copied more than once; encoding piece by piece avoids that.
    """
    return b"".join(encoded_pieces(data))


def encoded_pieces(data: dict[str, Any]) -> Iterator[bytes]:
    """dumps_stable(data) as UTF-8 pieces, to write without holding the whole file."""
    return (piece.encode("utf-8") for piece in _pieces(data))


def _pieces(data: dict[str, Any]) -> Iterator[str]:
    yield "{"
    for t, table_name in enumerate(sorted(data)):
        table = data[table_name]
        yield f'\n{INDENT}{_key(table_name)}: '
        if not table:
            yield "{}"
        else:
            opening = "{"
            for key, record in _records(table):
                yield f"{opening}\n{INDENT * 2}{_key(key)}: {record}"
                opening = ","
            yield f"\n{INDENT}}}"
        if t < len(data) - 1:
            yield ","
    yield "\n}\n" if data else "}\n"


def _records(table: dict[str, Any] | Layer) -> Iterator[tuple[str, str]]:
    """(key, encoded record) in key order (numbers as numbers); a Layer's straight from its rows."""
    if isinstance(table, Layer):
        rows, order = table.rows_in_key_order()
        keys = rows.keys
        for row in order:
            yield str(keys[row]), encode_row(rows, row)
    else:
        for key in sorted(table, key=_key_order):
            yield key, _dump_record(table[key])


def _key_order(key: object) -> tuple[int, int, str]:
    """TinyDB's ids in numeric order ("2" before "10"), then any other key as a string."""
    text = key if isinstance(key, str) else json.dumps(key)
    return (0, int(text), "") if document_id(text) else (1, 0, text)


def document_id(key: str) -> int:
    """The TinyDB document id `key` spells (1, 2, ... written plainly), else 0."""
    if key.isascii() and key.isdigit() and key[0] != "0" and len(key) < 19:
        return int(key)
    return 0


def _key(key: object) -> str:
    """A dict key as json.dumps writes it: always a string (1 -> "1", None -> "null")."""
    return encode_basestring(key if isinstance(key, str) else json.dumps(key))


def _dump_annotation(a: Annotation) -> str:
    """An annotation as its record is written, without building the dict."""
    return encode_values(_field_values(a))


def _dump_record(record: dict[str, Any] | Annotation) -> str:
    """A record as the store writes it: an annotation's through the field table's encoder,
    anything else (a review decision, the meta) as json.dumps with the table's indent."""
    if type(record) is Annotation:
        return _dump_annotation(record)
    values = record_values(record)
    if values is not None:
        return encode_values(values)
    if type(record) is dict and record and all(type(v) is str and type(k) is str for k, v in record.items()):
        # Flat strings (a link): what json.dumps below writes, without its pure-Python indenting
        # encoder (50,000 links took 1.4 s that way).
        fields = (f"{encode_basestring(k)}: {encode_basestring(v)}" for k, v in sorted(record.items()))
        return "{\n" + INDENT * 3 + (",\n" + INDENT * 3).join(fields) + "\n" + INDENT * 2 + "}"
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, indent=2)
    return text.replace("\n", "\n" + INDENT * 2)


def read_json(path: Path) -> dict[str, Any] | None:
    """The parsed file, None when it does not exist; StoreError when it is damaged."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StoreError(f"{path}: cannot read it ({error.strerror or error})") from None
    if not raw.strip():
        raise StoreError(f"{path}: the file is empty, so it was damaged (hedgerow never writes an empty file); "
                         f"restore it, e.g. with git checkout, or remove it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StoreError(f"{path}: corrupt (not UTF-8 at byte {error.start}); left untouched") from None
    try:
        data = parse_checked(text)
    except json.JSONDecodeError as error:
        conflict = conflict_error(path, text)
        if conflict:
            raise conflict from None
        raise StoreError(f"{path}: corrupt JSON at line {error.lineno} column {error.colno} ({error.msg}); "
                         f"left untouched, fix or restore it") from None
    except DamagedJSON as error:
        raise StoreError(f"{path}: {error}; left untouched") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise StoreError(f"{path}: not a hedgerow annotation file (expected tables of records); left untouched")
    return data


class DamagedJSON(ValueError):
    """JSON that parses, or would, but is not fit to load: a key twice, nesting or a number too big."""


class _Twice(dict[str, Any]):
    """An object (or one of its descendants) that holds a key twice: `where` leads to it."""

    where: tuple[str, ...] = ()


class _NoDuplicates:
    """json.loads's object_pairs_hook: a dict, or a _Twice saying where a key is twice."""

    def __init__(self) -> None:
        self.found = False

    def __call__(self, pairs: list[tuple[str, object]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            seen: set[str] = set()
            twice = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
            self.found = True
            return _marked(result, (twice,))
        if self.found:  # below here, something held a key twice: say where
            for key, value in pairs:
                if type(value) is _Twice:
                    return _marked(result, (key, *value.where))
        return result


def _marked(result: dict[str, Any], where: tuple[str, ...]) -> _Twice:
    marked = _Twice(result)
    marked.where = where
    return marked


def parse_checked(text: str | bytes) -> object:
    """json.loads, refusing what json.loads lets through or dies of (DamagedJSON says what):

    a key twice in one object (json.loads keeps the last silently, and the next save would
    drop the other), nesting past the recursion limit, an integer past Python's digit limit.
    """
    try:
        data = json.loads(text, object_pairs_hook=_NoDuplicates())
    except RecursionError:
        raise DamagedJSON("nested too deeply (JSON arrays or objects inside one another past Python's "
                          "recursion limit)") from None
    except json.JSONDecodeError:
        raise
    except ValueError as error:  # int() past sys.get_int_max_str_digits()
        if "digits" in str(error):
            raise DamagedJSON(f"holds a number with more than {sys.get_int_max_str_digits():,} digits") from None
        raise DamagedJSON(str(error)) from None
    if type(data) is _Twice:
        raise DamagedJSON(_twice_message(data.where))
    return data


def _twice_message(where: tuple[str, ...]) -> str:
    names = [json.dumps(key, ensure_ascii=False)[:80] for key in where]
    if len(names) == 1:
        return f"the key {names[0]} appears twice at the top level"
    if len(names) == 2:
        return f"record {names[1]} appears twice in table {names[0]}"
    inner = f" (at {' → '.join(names[3:-1])})" if len(names) > 4 else ""
    field_name = names[-1] if len(names) > 3 else names[2]
    return f"record {names[1]} of table {names[0]} has the key {field_name} twice{inner}"


_TABLE_START = b'\n  "annotations": {\n'
_TABLE_END = b"\n  }"  # only the table's own closing brace sits at this indent
_RECORD_CLOSE = b"\n    }"
_RECORD_END = _RECORD_CLOSE + b",\n"
# Bytes read, and records parsed, at a time: about 55 records, whose json.loads (one call in C,
# holding the GIL throughout) and checks take about a millisecond on a busy machine, so a key
# pressed while a worker loads waits that long at most (512 KiB took 5-30 ms: a stutter on the
# keys pressed meanwhile; 64 KiB 2-5 ms at a load of 6 on 2 cores, 32 KiB 0.8-1.4 ms).
CHUNK = 1 << 15


class _OtherLayout(Exception):
    """The file is not laid out as hedgerow writes it (or is damaged): read it whole instead."""


def _stream_records(path: Path, take: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """Pass the annotation table's records to `take` a batch at a time; return the other tables.

    A file as hedgerow writes it is cut at record boundaries while it is read, so 100,000
    annotations never exist as one tree of dicts, nor the file as one bytes object (either
    costs more than all the rows). The tables after it (the links, the meta...) are read in
    batches too, each parsed in C: 50,000 links through parse_checked's Python hook took twice
    as long, in one call. Anything else raises _OtherLayout; FileNotFoundError as is.
    """
    with path.open("rb") as file:
        head = file.read(CHUNK)
        start = head.find(_TABLE_START)
        if not 0 <= start < 16:
            raise _OtherLayout
        opening, buffer = head[:start + len(_TABLE_START) - 2], head[start + len(_TABLE_START):]
        streamed: dict[str, dict[str, Any]] = {}
        try:
            buffer = _stream_table(file, buffer, take, ANNOTATIONS)
            while (table := _next_table(file, buffer)) is not None:
                name, buffer = table
                if name in streamed or name == ANNOTATIONS:  # a table twice: read_json says which
                    raise _OtherLayout
                batches: list[dict[str, Any]] = []
                buffer = _stream_table(file, buffer, batches.append, name)
                records = streamed[name] = {}
                for records_read in batches:
                    records.update(records_read)
                if len(records) != sum(map(len, batches)):  # a key in two batches: read_json says which
                    raise _OtherLayout
            empties = b"".join(b",\n  " + _key(name).encode("utf-8") + b": {}" for name in streamed)
            data = parse_checked(opening + b"{}" + empties + buffer + file.read())
        except (ValueError, RecursionError):  # read_json reads it again and says what is wrong
            raise _OtherLayout from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise _OtherLayout
    data.update(streamed)
    return data


def _stream_table(file: BinaryIO, buffer: bytes, take: Callable[[dict[str, Any]], None], name: str) -> bytes:
    """Pass the records of the table `buffer` starts in (just after its opening line) to `take`, a
    batch at a time; return what follows the table's closing brace."""
    while (end := buffer.find(_TABLE_END)) < 0:
        cut = buffer.rfind(_RECORD_END)
        if cut >= 0:
            pause()  # the user acting comes first (tui.core.pacing)
            take(_batch(b"{\n" + buffer[:cut + len(_RECORD_CLOSE)] + b"}", name))
            buffer = buffer[cut + len(_RECORD_END):]
        more = file.read(CHUNK)
        if not more:
            raise _OtherLayout
        buffer += more
    pause()
    take(_batch(b"{\n" + buffer[:end] + b"}", name))
    return buffer[end + len(_TABLE_END):]


_NEXT_TABLE = re.compile(rb',\n  ("(?:[^"\\\n]|\\.)*"): \{\n')  # `,` then a table's opening line, with records


def _next_table(file: BinaryIO, buffer: bytes) -> tuple[str, bytes] | None:
    """(name, what follows its opening line) when `buffer` goes on with a table of records, else None."""
    while b"\n" not in buffer[2:] and (more := file.read(CHUNK)):
        buffer += more
    found = _NEXT_TABLE.match(buffer)
    if found is None:
        return None
    return json.loads(found.group(1)), buffer[found.end():]


_RECORD_KEY_LINE = b'\n    "'  # a record's key, at the table's indent (JSON strings hold no raw newline)
_FIELD_LINE = b'\n      "'  # a field of a record
_FLAT = {str, int, float, bool, type(None)}  # field values that hold no key of their own


def _batch(raw: bytes, table: str = ANNOTATIONS) -> dict[str, Any]:
    """A batch of records; a key twice (in the batch, or in one record) is counted, not parsed out.

    The counts see the records' own fields; a record holding an object (a field of the meta, a
    review's decision) is checked by parse_checked, which looks inside."""
    records: dict[str, Any] = json.loads(raw)
    try:
        fields = sum(map(len, records.values()))
        flat = table == ANNOTATIONS or set(map(type, chain.from_iterable(map(dict.values, records.values())))) <= _FLAT
    except TypeError:  # a record that is not an object: _add_records says so (another table's reader keeps it)
        if table == ANNOTATIONS:
            return records
        fields, flat = -1, False
    if not flat or raw.count(_RECORD_KEY_LINE) != len(records) or raw.count(_FIELD_LINE) != fields:
        parse_checked(b"{" + _key(table).encode("utf-8") + b": " + raw + b"}")  # says which key is there twice
    return records


_CONFLICT_IDS = re.compile(r"ours: annotations? ([^;\n]+)")  # the labels tui.core.merge writes


def conflict_error(path: Path, text: str) -> StoreError | None:
    """A StoreError naming the conflicting annotations if `text` holds git conflict markers."""
    starts = [line for line in text.splitlines() if line.startswith("<<<<<<< ")]
    if not starts:
        return None
    ids = [i for line in starts if (m := _CONFLICT_IDS.search(line)) for i in m.group(1).split()]
    parts = [f"{count_of(len(ids), 'annotation')} ({', '.join(ids[:5])}{', …' * (len(ids) > 5)})"] if ids else []
    others = sum(not _CONFLICT_IDS.search(line) for line in starts)
    parts += [f"{count_of(others, ('other ' * bool(ids)) + 'place')}"] if others else []
    return StoreError(f"{path}: unresolved merge conflict in {' and '.join(parts)}; "
                      f"edit the file to keep one version, then git add it")


@dataclass
class StoredLayer:
    layer: Layer = field(default_factory=Layer)
    meta: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # other tables, e.g. the gold layer's review

    @property
    def annotations(self) -> list[Annotation]:
        """Every annotation, in file order (by id)."""
        return self.layer.in_id_order()

    @property
    def document_sha256(self) -> str:
        return str(self.meta.get("document", {}).get("sha256", ""))


ABSENT = (0, -1, 0)  # the fingerprint of a file that is not there
Fingerprint = tuple[int, int, int]  # inode, size, mtime in ns


def fingerprint(path: Path) -> Fingerprint:
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return ABSENT
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class AnnotationStore:
    """One annotator's file for one document.

    A store that has read its file (or found none) writes it only while it is still the file it
    read or last wrote: a `hedgerow add`, a git merge or another session that wrote it meanwhile
    would otherwise be written over with what this store holds (`ChangedOnDisk` instead)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._seen: Fingerprint | None = None  # the file as last read or written; None: not tracked

    def open_db(self) -> TinyDB:
        """The file as a TinyDB database (writes atomic, in this layout); stock TinyDB opens it too."""
        from tui.core.tinydb_file import open_db

        return open_db(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def load(self, text: str | None = None, text_sha256: str | None = None, owner: str = "") -> StoredLayer:
        """Read and index the file. Raises StoreError for a damaged file.

        With the document's `text` (and its sha256, else it is computed when needed), quotes
        and context that still match it are not kept twice, and a record made on this text
        whose offsets fall outside it is damage. (A record made on another version of the
        text may point past its end: re-anchoring finds it.) `owner`, the layer's annotator,
        is the annotator of records a script inserted without one."""
        # (The collector's part is tui.core.gc_policy's, set by the entry points.)
        try:
            self._text, self._text_sha256, self._owner = text, text_sha256, owner
            return self._load(text)
        finally:
            self._text = self._text_sha256 = None

    def _load(self, text: str | None) -> StoredLayer:
        self._seen = fingerprint(self.path)  # before reading: a write during the read counts as a change
        rows = rows_on(text)
        try:
            data = _stream_records(self.path, lambda records: self._add_records(rows, records))
        except FileNotFoundError:
            return StoredLayer(Layer(text=text))
        except (OSError, _OtherLayout):  # read_json says what is wrong, or reads any other layout
            whole = read_json(self.path)
            if whole is None:
                return StoredLayer(Layer(text=text))
            data, rows = whole, rows_on(text)
            self._add_records(rows, data.get(ANNOTATIONS, {}))
        data.pop(ANNOTATIONS, None)
        try:
            layer = Layer.from_rows(rows)
        except ValueError as error:
            raise StoreError(f"{self.path}: {error}; left untouched") from None
        meta_table = data.get(META, {})
        meta = meta_table.get(META_KEY, meta_table.get(LEGACY_META_KEY, {}))
        if not isinstance(meta, dict) or not isinstance(meta.get("document", {}), dict):
            raise StoreError(f"{self.path}: damaged meta table (its document 1 and that one's document must be "
                             f"objects); left untouched")
        schema = meta.get("schema", SCHEMA_VERSION)
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer hedgerow (schema {schema}); upgrade hedgerow")
        tables = {name: table for name, table in data.items() if name != META}
        others = {key: record for key, record in meta_table.items() if key not in (META_KEY, LEGACY_META_KEY)}
        if others:  # documents of the meta table besides the layer's own: kept as they were
            tables[META] = others
        return StoredLayer(layer, meta, tables)

    def _add_records(self, rows: Rows, records: dict[str, Any]) -> None:
        append, checked = rows.append, record_values
        limit = MAX_OFFSET if rows.text is None else len(rows.text)
        for key, record in records.items():
            number = document_id(key)
            values = checked(record, number)
            if values is not None and values[END] <= limit and (number or values[ID] == key):
                append(values)  # schema 2 (numbered), or schema 1 (keyed by its id): numbered by the Layer
            else:
                rows.append_annotation(self._annotation(key, number, record))  # or says what is wrong

    def _annotation(self, key: str, number: int, record: object) -> Annotation:
        name = _name(key)
        if not isinstance(record, dict):
            raise StoreError(f"{self.path}: record {name} is not an object (got {describe(record)}); left untouched")
        try:
            annotation = Annotation.from_record(self._completed(record))
        except (TypeError, ValueError) as error:
            raise StoreError(f"{self.path}: record {name} is invalid ({error}); left untouched") from None
        if not number and annotation.id != key:
            raise StoreError(f"{self.path}: record {name}: its key is neither a TinyDB document id (1, 2, ...) "
                             f"nor its id {_name(annotation.id)}; left untouched")
        self._check_offsets(name, annotation)
        return replace(annotation, key=number) if number else annotation

    def _completed(self, record: dict[str, Any]) -> dict[str, Any]:
        """A record a script inserted with TinyDB (start, end, tag, maybe note), completed from the
        text: quote and context, the text's sha256, the layer's owner; from_record mints its id
        and times. Anything else is returned as it is, for the checks to judge."""
        text, start, end = self._text, record.get("start"), record.get("end")
        if "quote" in record or text is None:
            return record
        made = {"document": self._sha256(), "annotator": self._owner}
        if type(start) is int and type(end) is int and 0 <= start < end <= len(text):
            return {**span_fields(text, start, end), **made, **record}
        return {"quote": "", **made, **record}  # so the checks name what is wrong with the offsets

    def _sha256(self) -> str:
        if self._text_sha256 is None:
            self._text_sha256 = text_hash(self._text or "")
        return self._text_sha256

    def _check_offsets(self, name: str, annotation: Annotation) -> None:
        """Offsets outside the text it was made on are damage (an export would give a position
        that disagrees with the quote); on another version of the text, re-anchoring's to find."""
        text = self._text
        if text is None:
            if annotation.end > MAX_OFFSET:
                raise StoreError(f"{self.path}: record {name} is invalid (offset {describe(annotation.end)} "
                                 f"is past the end of any text); left untouched")
            return
        if annotation.end <= len(text):
            return
        if annotation.document in ("", self._sha256()):
            raise StoreError(f"{self.path}: record {name} is invalid (offsets {describe(annotation.start)}-"
                             f"{describe(annotation.end)} are outside the text, which has {len(text):,} "
                             f"characters); left untouched")

    def save(self, annotations: Layer | Iterable[Annotation], meta: dict[str, Any],
             tables: dict[str, dict[str, Any]] | None = None) -> None:
        """Write the whole set in one atomic write (a Layer, e.g. a snapshot, is written from its rows).
        Raises ChangedOnDisk, writing nothing, if the file changed since this store read or wrote it."""
        data = {
            **(tables or {}),
            ANNOTATIONS: annotations if isinstance(annotations, Layer) else Layer(annotations),
            META: {**(tables or {}).get(META, {}), META_KEY: {**meta, "schema": SCHEMA_VERSION}},
        }
        if self._seen is not None and fingerprint(self.path) != self._seen:
            raise ChangedOnDisk(f"{self.path}: changed on disk since hedgerow read it (another program, or "
                                f"git); not written over")
        atomic_write_chunks(self.path, encoded_pieces(data))
        if self._seen is not None:
            self._seen = fingerprint(self.path)


def load_layers(files: dict[str, Path], text: str | None = None,
                text_sha256: str | None = None) -> dict[str, list[Annotation]]:
    """Every named layer's annotations, for agreement and review; with the document's text,
    checked against it as a session's load is."""
    return {name: AnnotationStore(path).load(text, text_sha256, name).annotations for name, path in files.items()}
