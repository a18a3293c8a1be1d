"""What a layer file says about itself, read cheaply: counts per tag, the done mark, the hash and
path of the document it was made on. No annotation is parsed into an object: the documents
screen and `hedgerow status` read thousands of these.

A file as hedgerow writes it (records one field a line, keys sorted) is read with one regular
expression over the annotations table and one small json.loads of the rest; any other layout
is parsed whole, as a fallback.
"""

from __future__ import annotations

import json
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
_TABLE_END = b"\n  }"  # only a table's own closing brace sits at this indent
_TAG_FIELD = b'\n      "tag": "'  # a record's tag field (a raw newline cannot be inside a JSON string)
_PLAIN_TAG = re.compile(rb'\n      "tag": "([^"\\]*)"')  # a tag without escapes: one run of a character class
_TAG = re.compile(rb'\n      "tag": "((?:[^"\\]|\\.)*)"')  # any tag, escapes too (~1.6x slower)


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
    try:
        with open(path, "rb") as file:  # not Path.read_bytes: its parsing showed in profiles
            raw = file.read()
    except OSError as error:
        return LayerSummary(problem=f"cannot read it ({error.strerror or error})")
    try:
        return _fast(raw) or _slow(raw)
    except (ValueError, TypeError, AttributeError) as error:
        if b"\n<<<<<<< " in raw or raw.startswith(b"<<<<<<< "):
            return LayerSummary(problem="unresolved merge conflict")
        return LayerSummary(problem=f"damaged ({type(error).__name__})")


def _fast(raw: bytes) -> LayerSummary | None:
    start = raw.find(_TABLE_START)
    if start < 0 or not raw.startswith(b"{"):
        return None
    body_start = start + len(_TABLE_START)
    if raw[body_start:body_start + 1] == b"}":  # an empty table: `"annotations": {}`
        end, body_end = body_start + 1, body_start
    else:
        body_end = raw.find(_TABLE_END, body_start)
        if body_end < 0:
            return None
        end = body_end + len(_TABLE_END)
    tags = _PLAIN_TAG.findall(raw, body_start, body_end)
    if len(tags) != raw.count(_TAG_FIELD, body_start, body_end):  # a tag with an escape in it
        tags = _TAG.findall(raw, body_start, body_end)
    counts = {_decode(tag): n for tag, n in Counter(tags).items()}
    rest = json.loads(raw[:start + len(_TABLE_START) - 1] + b"{}" + raw[end:])
    return _summary(rest, counts)


def _slow(raw: bytes) -> LayerSummary:
    data = json.loads(raw.decode("utf-8"))
    records = data.get(ANNOTATIONS, {}) if isinstance(data, dict) else None
    if not isinstance(records, dict):
        raise ValueError("no annotations table")
    counts = Counter(str(r.get("tag", "")) for r in records.values() if isinstance(r, dict))
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
    return json.loads(b'"' + tag + b'"') if b"\\" in tag else tag.decode("utf-8", "replace")
