"""Exports of one document's annotations: hedgerow json, W3C Web Annotation, JSON Lines, CSV.

Every format lists annotations in document order and is returned as one string; the
CLI writes it to stdout or atomically to a file. `json` and `w3c` read back losslessly
through `tui.core.importer.parse_export`.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import uuid
from collections.abc import Iterable

from tui.core.annotation import Annotation
from tui.core.document import Document
from tui.core.paths import relative_path
from tui.core.errors import InputError

FORMATS = ("json", "w3c", "jsonl", "csv")
FORMAT_NAME = "hedgerow-annotations"
FORMAT_VERSION = 1
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
EXTENSION = "hedgerow"  # W3C extension property keeping what the model has no place for
CSV_COLUMNS = ("id", "tag", "start", "end", "quote", "note", "annotator", "created", "modified",
               "prefix", "suffix", "document")


def _ordered(annotations: Iterable[Annotation]) -> list[Annotation]:
    return sorted(annotations, key=Annotation.sort_key)


def _dumps(data) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def document_meta(document: Document) -> dict:
    """The document's identity; the path is relative to the project root, so exports are portable."""
    return {"title": document.title, "path": relative_path(document.path), "sha256": document.sha256,
            "length": len(document.text)}


def to_json(document: Document, annotations: Iterable[Annotation]) -> str:
    """hedgerow's full records with the document's metadata."""
    return _dumps({
        "hedgerow": {"format": FORMAT_NAME, "version": FORMAT_VERSION},
        "document": document_meta(document),
        "annotations": [a.to_record() for a in _ordered(annotations)],
    })


def to_jsonl(document: Document, annotations: Iterable[Annotation]) -> str:
    """One full record per line, no document header (so `cat` and `grep` work on it)."""
    return "".join(json.dumps(a.to_record(), ensure_ascii=False, sort_keys=True) + "\n"
                   for a in _ordered(annotations))


def to_csv(document: Document, annotations: Iterable[Annotation]) -> str:
    """RFC 4180 CSV (CRLF rows, minimal quoting) in plain UTF-8 without a byte-order mark.

    No BOM, so other tools read the first header as `id`; Excel needs "Data > From Text/CSV"
    (or a UTF-8 import) to show non-ASCII text correctly. Values are written verbatim: a
    quote starting with `=` is data here, not a formula, so open untrusted files with care.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for a in _ordered(annotations):
        record = a.to_record()
        writer.writerow([record[name] for name in CSV_COLUMNS])
    return out.getvalue()


# -- W3C Web Annotation ----------------------------------------------------------------

def sha256_uri(sha256: str) -> str:
    """RFC 6920 `ni:` URI naming text by its SHA-256 (a registered scheme, unlike urn:sha256)."""
    digest = base64.urlsafe_b64encode(bytes.fromhex(sha256)).rstrip(b"=").decode("ascii")
    return f"ni:///sha-256;{digest}"


def sha256_from_uri(uri: str) -> str | None:
    """The hex SHA-256 in an `ni:///sha-256;...` URI, or None."""
    prefix = "ni:///sha-256;"
    if not uri.startswith(prefix):
        return None
    try:
        digest = base64.urlsafe_b64decode(uri[len(prefix):] + "=" * (-len(uri) % 4))
    except ValueError:
        return None
    return digest.hex() if len(digest) == 32 else None


def _urn(annotation_id: str) -> str:
    try:
        canonical = str(uuid.UUID(annotation_id)) == annotation_id
    except ValueError:
        canonical = False
    # Only a canonical uuid becomes a urn:uuid, so stripping the prefix gives the same id back.
    return f"urn:uuid:{annotation_id}" if canonical else annotation_id


def w3c_annotation(a: Annotation, source: str) -> dict:
    """One W3C Annotation: a tagging body, an optional commenting body, quote and position selectors."""
    body = [{"type": "TextualBody", "purpose": "tagging", "value": a.tag}]
    if a.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": a.note, "format": "text/plain"})
    item = {
        "id": _urn(a.id),
        "type": "Annotation",
        "motivation": ["tagging", "commenting"] if a.note else "tagging",
        "created": a.created,
        "modified": a.modified,
        "body": body,
        "target": {
            "source": source,
            "selector": [
                {"type": "TextQuoteSelector", "exact": a.quote, "prefix": a.prefix, "suffix": a.suffix},
                {"type": "TextPositionSelector", "start": a.start, "end": a.end},
            ],
        },
        # The sha256 the annotation was made on, which need not be the exported text's.
        EXTENSION: {"document": a.document},
    }
    if a.annotator:
        item["creator"] = {"type": "Person", "name": a.annotator, "nickname": a.annotator}
    return item


def w3c_collection(document: Document, annotations: Iterable[Annotation]) -> dict:
    items = _ordered(annotations)
    annotators = sorted({a.annotator for a in items})
    # Derived, not random, so re-exporting the same layer gives the same ids.
    seed = f"{sha256_uri(document.sha256)}?annotators={','.join(annotators)}"
    collection_id = uuid.uuid5(uuid.NAMESPACE_URL, seed).urn
    collection = {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": document.title,
        "total": len(items),
        EXTENSION: {"format": FORMAT_NAME, "version": FORMAT_VERSION, "document": document_meta(document)},
    }
    if items:  # the model has no first page for an empty collection
        page_id = uuid.uuid5(uuid.NAMESPACE_URL, seed + "&page=1").urn
        source = sha256_uri(document.sha256)
        # No partOf: the page is embedded in its collection, as in the model's own example.
        collection["first"] = {
            "id": page_id,
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": [w3c_annotation(a, source) for a in items],
        }
        collection["last"] = page_id
    return collection


def to_w3c(document: Document, annotations: Iterable[Annotation]) -> str:
    return _dumps(w3c_collection(document, annotations))


_RENDERERS = {"json": to_json, "w3c": to_w3c, "jsonl": to_jsonl, "csv": to_csv}


def render(fmt: str, document: Document, annotations: Iterable[Annotation]) -> str:
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise InputError(f"unknown export format {fmt!r} (the formats are {', '.join(FORMATS)})") from None
    return renderer(document, annotations)
