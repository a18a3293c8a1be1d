"""What a layer file says about itself, read cheaply: counts per tag, the done mark, the hash and
path of the document it was made on. No annotation is parsed into an object: the documents
screen and `hedgerow status` read thousands of these.

A file as hedgerow writes it (records one field a line, keys sorted) is read with one regular
expression over the annotations table and one small json.loads of the rest; any other layout
is parsed whole, as a fallback.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANNOTATIONS = "annotations"
META = "meta"
META_KEY = "1"  # schema 2: the meta table's document 1 (tui.core.store)
LEGACY_META_KEY = "hedgerow"  # schema 1
DONE = "done"  # the layer's metadata's `done`: the annotator marked the document finished

_TABLE_START = b'\n  "annotations": {'
_TABLE_END = b"\n    }\n  }"  # the last record's closing brace, then the table's (only a table's sits at 2)
_RECORD_SEPARATOR = b"\n    },\n"  # between two records of a table
_TAG_FIELD = b'\n      "tag": "'  # a record's tag field (a raw newline cannot be inside a JSON string)
_TAG = re.compile(rb'\n      "tag": "((?:[^"\\]|\\.)*)"')  # any tag, escapes too
_CONFLICT = b"\n<<<<<<< "  # a git conflict's first marker, at a line's start
# A record's offsets as hedgerow writes them: digits (a hand edit's "x" or -1 makes the file damaged)
_OFFSETS = re.compile(rb'\n      "(?:start|end)": \d+,\n')
# JSON's commas, which a hand edit breaks first: a record of n fields has n - 1 (its last field has
# none) and records are one apart; a string holds no raw newline, so ",\n" ends a line.
_FIELD = b'\n      "'
_RECORD_END = b"\n    }"
_LINE_COMMA = b",\n"

@dataclass(frozen=True)
class LayerSummary:
    counts: dict[str, int] = field(default_factory=dict)  # tag -> annotations
    done: bool = False
    sha256: str = ""  # of the text the layer was last saved against
    path: str = ""  # the document's path from the project root, as recorded
    annotator: str = ""
    problem: str = ""  # why the file could not be read; empty when it was

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {"counts": self.counts, "done": self.done, "sha256": self.sha256, "path": self.path,
                "annotator": self.annotator, "problem": self.problem}

    def to_row(self) -> list[Any]:
        """The summary as a list (the corpus cache's form: no field names repeated per layer)."""
        return [self.counts, self.done, self.sha256, self.path, self.annotator, self.problem]

    @classmethod
    def from_row(cls, row: list[Any]) -> LayerSummary | None:
        """A summary from `to_row`'s list; None when it is not one (a damaged cache)."""
        if len(row) != 6:
            return None
        counts, done, sha256, path, annotator, problem = row
        if not (type(counts) is dict and type(done) is bool and type(sha256) is str
                and type(path) is str and type(annotator) is str and type(problem) is str):
            return None
        for count in counts.values():
            if type(count) is not int:
                return None
        return cls(counts, done, sha256, path, annotator, problem)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LayerSummary:
        return cls(dict(data.get("counts", {})), bool(data.get("done")), str(data.get("sha256", "")),
                   str(data.get("path", "")), str(data.get("annotator", "")), str(data.get("problem", "")))


def read_summary(path: Path | str) -> LayerSummary:
    """The layer file's summary; a damaged or unreadable file gives one with `problem` set."""
    return read_summary_and_stat(path)[0]


def read_summary_and_stat(path: Path | str) -> tuple[LayerSummary, os.stat_result | None]:
    """The summary, and the stat of the file it was read from (one open, no path looked up twice:
    the corpus's cache keys the summary by that size and mtime). No stat when it could not be read."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except OSError as error:
        return LayerSummary(problem=f"cannot read it ({error.strerror or error})"), None
    try:
        stat = os.fstat(descriptor)
        raw = _read_all(descriptor, stat.st_size)
    except OSError as error:
        return LayerSummary(problem=f"cannot read it ({error.strerror or error})"), None
    finally:
        os.close(descriptor)
    return summary_of(raw), stat


def _read_all(descriptor: int, size: int) -> bytes:
    """Everything in the file (one read when it is the size it was stat'ed at, as nearly always)."""
    raw = os.read(descriptor, size + 1)
    if len(raw) <= size:
        return raw if len(raw) == size or not raw else raw + _read_rest(descriptor)
    return raw + _read_rest(descriptor)  # it grew since the stat


def _read_rest(descriptor: int) -> bytes:
    parts = []
    while chunk := os.read(descriptor, 1 << 16):
        parts.append(chunk)
    return b"".join(parts)


def summary_of(raw: bytes) -> LayerSummary:
    """The summary of a layer file's bytes."""
    if b"<" in raw and (_CONFLICT in raw or raw.startswith(_CONFLICT[1:])):  # memchr first: `<` is rare
        return LayerSummary(problem="unresolved merge conflict")  # the quick count would add up both sides
    try:
        return _fast(raw) or _slow(raw)
    except _Damaged as error:
        return LayerSummary(problem=f"damaged: {error}")
    except json.JSONDecodeError as error:
        return LayerSummary(problem=f"damaged: corrupt JSON at line {error.lineno} column {error.colno}")
    except (ValueError, TypeError, AttributeError) as error:
        return LayerSummary(problem=f"damaged ({type(error).__name__})")


class _Damaged(ValueError):
    """What is wrong with a layer file, said as `list` and `check` would."""


def _fast(raw: bytes) -> LayerSummary | None:
    """The summary of a file laid out as hedgerow writes it, else None. The annotations table's
    tags are cut out with bytes.split (a C search for a 16-byte string, faster than a regular
    expression stopping at every line) and checked to be one plain string per record: anything
    else (an escape, a record without a tag, a table that ends otherwise) is read by `_slow`."""
    start = raw.find(_TABLE_START, 0, 64)
    if start < 0 or not raw.startswith(b"{"):
        return None
    body_start = start + len(_TABLE_START)
    counts: dict[str, int] = {}
    if raw[body_start:body_start + 1] == b"}":  # an empty table: `"annotations": {}`
        end = body_start + 1
    else:
        body_end = raw.find(_TABLE_END, body_start)
        if body_end < 0:
            return None
        body_end += len(_TABLE_END) - 4  # the table's own closing line, which `rest` keeps
        end = body_end + 4
        pieces = raw[body_start:body_end].split(_TAG_FIELD)
        tags = [piece[:piece.find(b'"')] for piece in pieces[1:]]  # up to the first quote: right without escapes
        found = Counter(tags) if len(tags) > 1000 else {tag: tags.count(tag) for tag in set(tags)}
        if any(b"\\" in tag for tag in found):  # an escape (maybe of a quote): read as JSON reads it
            tags = _TAG.findall(raw, body_start, body_end)
            found = Counter(tags)
        if len(tags) != len(pieces) - 1 or len(tags) != raw.count(_RECORD_SEPARATOR, body_start, body_end) + 1:
            return None  # a record with no tag, or two, or not a string: read it all
        if len(_OFFSETS.findall(raw, body_start, body_end)) != 2 * len(tags):
            return None  # an offset that is no number (or missing): _slow says which
        fields = raw.count(_FIELD, body_start, raw.find(_RECORD_END, body_start))  # the first record's
        if raw.count(_LINE_COMMA, body_start, body_end) != len(tags) * fields - 1:
            return None  # a comma too many or too few (a hand edit), or records unlike the first: _slow reads it
        for tag, n in found.items():
            if b"\n" in tag:  # no JSON string holds a raw newline: a string left open (damaged)
                return None
            name = _decode(tag)
            counts[name] = counts.get(name, 0) + n  # two spellings of one tag (an escape) add up
    rest = json.loads(raw[:body_start - 1] + b"{}" + raw[end:])
    return _summary(rest, counts)


def _slow(raw: bytes) -> LayerSummary:
    data = json.loads(raw.decode("utf-8"))
    records = data.get(ANNOTATIONS, {}) if isinstance(data, dict) else None
    if not isinstance(records, dict):
        raise ValueError("no annotations table")
    counts = Counter(str(r.get("tag", "")) for r in records.values() if isinstance(r, dict))
    for record in records.values():  # as a session's load would refuse them (tui.core.store)
        start, end = (record.get("start"), record.get("end")) if isinstance(record, dict) else (None, None)
        if not (type(start) is int and type(end) is int and 0 <= start < end):
            raise _Damaged("a record's offsets are not two whole numbers, start before end")
    return _summary(data, dict(counts))


def _summary(data: dict[str, Any], counts: dict[str, int]) -> LayerSummary:
    table = data.get(META, {})
    meta = table.get(META_KEY, table.get(LEGACY_META_KEY, {})) if isinstance(table, dict) else None
    document = meta.get("document", {}) if isinstance(meta, dict) else {}
    if not isinstance(meta, dict) or not isinstance(document, dict):
        raise ValueError("damaged meta")
    return LayerSummary(counts, meta.get(DONE) is True, str(document.get("sha256", "")),
                        str(document.get("path", "")), str(meta.get("annotator", "")))


def _decode(tag: bytes) -> str:
    return json.loads(b'"' + tag + b'"') if b"\\" in tag else tag.decode("utf-8")
