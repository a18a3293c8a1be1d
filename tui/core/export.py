"""Exports of one document's annotations: hedgerow json, W3C Web Annotation, JSON Lines, CSV.

Every format lists annotations in document order. `pieces` yields the text a piece at a time,
each annotation made as it is written, so exporting 100,000 annotations from a Layer never
holds them all as objects nor the whole text; `render` joins the pieces. `json` and `w3c`
read back losslessly through `tui.core.importer.parse_export`.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

from tui.core.annotation import Annotation
from tui.core.document import Document
from tui.core.errors import InputError
from tui.core.layer import Layer
from tui.core.links import Link
from tui.core.paths import relative_path

FORMATS = ("json", "w3c", "jsonl", "csv")
FORMAT_NAME = "hedgerow-annotations"
FORMAT_VERSION = 1
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
EXTENSION = "hedgerow"  # W3C extension property keeping what the model has no place for
Item = TypeVar("Item")
# What an analyst reads first, then where it is, then what machines need.
CSV_COLUMNS = ("tag", "quote", "note", "annotator", "start", "end", "title", "path", "created", "modified",
               "id", "prefix", "suffix", "document", "original_annotator")
CSV_ENTITY = "entity"  # after them: an actor's entity ("" when it is the quote)
CSV_LINKS = "links"  # the last column: the row's outgoing links, "relation:target-id" separated by spaces
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only with it


def _ordered(annotations: Iterable[Annotation]) -> Layer | list[Annotation]:
    """In document order; a Layer already is, and makes each annotation only as it is read."""
    return annotations if isinstance(annotations, Layer) else sorted(annotations, key=Annotation.sort_key)


def _dumps(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


class Streamed(Generic[Item]):
    """A JSON array whose items are made as they are written (see `_dump_pieces`)."""

    def __init__(self, items: Iterable[Item], make: Callable[[Item], object]) -> None:
        self.items, self.make = items, make


def _dump_pieces(value: object, depth: int = 0) -> Iterator[str]:
    """json.dumps(value, indent=2, ensure_ascii=False), in pieces, with Streamed arrays; keys are sorted
    but in the top level and the dicts holding a stream, which keep the order they were written in."""
    pad = "\n" + "  " * (depth + 1)
    if isinstance(value, Streamed):
        opening = "["
        for item in value.items:
            yield opening + pad + _dumps(value.make(item))[:-1].replace("\n", pad)
            opening = ","
        yield "[]" if opening == "[" else "\n" + "  " * depth + "]"
    elif isinstance(value, dict) and (depth == 0 or _streams(value)):
        opening = "{"
        for key in value:  # a streamed document's keys in the order written: the document before its annotations
            yield f"{opening}{pad}{json.dumps(key, ensure_ascii=False)}: "
            yield from _dump_pieces(value[key], depth + 1)
            opening = ","
        yield "\n" + "  " * depth + "}"
    else:
        yield _dumps(value)[:-1].replace("\n", "\n" + "  " * depth)


def _streams(value: object) -> bool:
    return isinstance(value, Streamed) or (isinstance(value, dict) and any(map(_streams, value.values())))


def document_meta(document: Document) -> dict[str, Any]:
    """The document's identity; the path is relative to the project root, so exports are portable."""
    return {"title": document.title, "path": relative_path(document.path), "sha256": document.sha256,
            "length": len(document.text)}


def exported_link(link: Link) -> dict[str, Any]:
    """A link's record with its id (in the layer file the id is the record's key)."""
    return {"id": link.id, **link.to_record()}


def _sorted_links(links: Iterable[Link]) -> list[Link]:
    return sorted(links, key=lambda link: (link.source, link.relation, link.target))


CSV_HEADER = (*CSV_COLUMNS, CSV_ENTITY, CSV_LINKS)


def _outgoing_links(links: Iterable[Link]) -> dict[str, list[str]]:
    """Each annotation's outgoing links as CSV writes them, `relation:target-id`, by source id."""
    outgoing: dict[str, list[str]] = {}
    for link in _sorted_links(links):
        outgoing.setdefault(link.source, []).append(f"{link.relation}:{link.target}")
    return outgoing


def _csv_row(a: Annotation, where: dict[str, str], outgoing: dict[str, list[str]]) -> list[Any]:
    """One CSV row: CSV_HEADER's values, with `where` (the title and path) naming the document."""
    record = {**a.to_record(), **where}
    return [*(record[name] for name in CSV_COLUMNS), a.entity, " ".join(outgoing.get(a.id, ()))]


def json_pieces(document: Document, annotations: Iterable[Annotation], links: Iterable[Link] = ()) -> Iterator[str]:
    """hedgerow's full records with the document's metadata, and the link records."""
    data = {
        "hedgerow": {"format": FORMAT_NAME, "version": FORMAT_VERSION},
        "document": document_meta(document),
        "annotations": Streamed(_ordered(annotations), Annotation.to_record),
    }
    links = _sorted_links(links)
    if links:  # an export without links reads as before
        data["links"] = Streamed(links, exported_link)
    yield from _dump_pieces(data)
    yield "\n"


def jsonl_pieces(document: Document, annotations: Iterable[Annotation], links: Iterable[Link] = ()) -> Iterator[str]:
    """One full record per line, no document header (so `cat` and `grep` work on it); then one
    line per link, marked `"type": "link"`."""
    for a in _ordered(annotations):
        yield json.dumps(a.to_record(), ensure_ascii=False, sort_keys=True) + "\n"
    for link in _sorted_links(links):
        yield json.dumps({"type": "link", **exported_link(link)}, ensure_ascii=False, sort_keys=True) + "\n"


def csv_pieces(document: Document, annotations: Iterable[Annotation], links: Iterable[Link] = (),
               excel: bool = False) -> Iterator[str]:
    """RFC 4180 CSV (CRLF rows, minimal quoting) in UTF-8; with `excel`, a byte-order mark first.

    Without the BOM other tools read the first header as `tag`, but Excel opens the file as its
    local code page (curly quotes come out as â€œ); with it, Excel reads UTF-8. Every row carries
    the document's title and path, so rows pasted from several exports still say where they are
    from. Values are written verbatim: a quote starting with `=` is data here, not a formula, so
    open untrusted files with care. After the columns: `entity`, and `links`, the row's outgoing
    links as `relation:target-id`, space-separated.
    """
    yield from csv_documents([(document, annotations, links)], excel)


def csv_documents(documents: Iterable[tuple[Document, Iterable[Annotation], Iterable[Link]]],
                  excel: bool = False) -> Iterator[str]:
    """CSV_HEADER, then each document's rows (its title and path in each), in pieces of ~64 KiB:
    one document's export, or a corpus's a document at a time."""
    out = io.StringIO()
    if excel:
        out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    for document, in_document, links in documents:
        where = {"title": document.title, "path": relative_path(document.path)}
        outgoing = _outgoing_links(links)
        for a in _ordered(in_document):
            writer.writerow(_csv_row(a, where, outgoing))
            if out.tell() > 1 << 16:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
    yield out.getvalue()


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


def w3c_annotation(a: Annotation, source: str, text: str | None = None) -> dict[str, Any]:
    """One W3C Annotation: a tagging body, an optional commenting body, quote and position selectors.

    Given the exported `text`, an annotation whose quote it no longer holds at its offsets
    (made on another version, not yet re-anchored) targets the text it was made on, where
    its position and its quote agree, never the exported one."""
    if text is not None and text[a.start:a.end] != a.quote and a.document:
        # not a sha256: keep the exported text's, the quote says what was meant
        with contextlib.suppress(ValueError):
            source = sha256_uri(a.document)
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
        # The sha256 the annotation was made on, which need not be the exported text's, who made it
        # when an import re-attributed it, and an actor's entity.
        EXTENSION: {"document": a.document, **({"original_annotator": a.original_annotator}
                                               if a.original_annotator else {}),
                    **({"entity": a.entity} if a.entity else {})},
    }
    if a.annotator:
        item["creator"] = {"type": "Person", "name": a.annotator, "nickname": a.annotator}
    return item


def w3c_link(link: Link) -> dict[str, Any]:
    """A link as a W3C linking annotation: its two annotations as targets, by IRI; the relation as its body."""
    item: dict[str, Any] = {
        "id": _urn(link.id),
        "type": "Annotation",
        "motivation": "linking",
        "body": {"type": "TextualBody", "purpose": "classifying", "value": link.relation},
        "target": [_urn(link.source), _urn(link.target)],
        EXTENSION: {"relation": link.relation, "from": link.source, "to": link.target},
    }
    if link.created:
        item["created"] = link.created
    return item


class _Items:
    """The page's items: the annotations in document order, then the links."""

    def __init__(self, annotations: Iterable[Annotation], links: list[Link], source: str, text: str) -> None:
        self.annotations, self.links, self.source, self.text = annotations, links, source, text

    def __iter__(self) -> Iterator[Annotation | Link]:
        yield from self.annotations
        yield from self.links

    def make(self, item: Annotation | Link) -> dict[str, Any]:
        return w3c_link(item) if isinstance(item, Link) else w3c_annotation(item, self.source, self.text)


def w3c_collection(document: Document, annotations: Iterable[Annotation],
                   links: Iterable[Link] = ()) -> dict[str, Any]:
    """The collection; its one page's items are a Streamed array, made as they are written."""
    items = _ordered(annotations)
    links = _sorted_links(links)
    annotators = sorted(items.annotators() if isinstance(items, Layer) else {a.annotator for a in items})
    # Derived, not random, so re-exporting the same layer gives the same ids.
    seed = f"{sha256_uri(document.sha256)}?annotators={','.join(annotators)}"
    collection_id = uuid.uuid5(uuid.NAMESPACE_URL, seed).urn
    collection = {
        "@context": W3C_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": document.title,
        "total": len(items) + len(links),
        EXTENSION: {"format": FORMAT_NAME, "version": FORMAT_VERSION, "document": document_meta(document)},
    }
    if items or links:  # the model has no first page for an empty collection
        page_id = uuid.uuid5(uuid.NAMESPACE_URL, seed + "&page=1").urn
        source = sha256_uri(document.sha256)
        page = _Items(items, links, source, document.text)
        # No partOf: the page is embedded in its collection, as in the model's own example.
        collection["first"] = {
            "id": page_id,
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": Streamed(page, page.make),
        }
        collection["last"] = page_id
    return collection


def w3c_pieces(document: Document, annotations: Iterable[Annotation], links: Iterable[Link] = ()) -> Iterator[str]:
    yield from _dump_pieces(w3c_collection(document, annotations, links))
    yield "\n"


_WRITERS = {"json": json_pieces, "w3c": w3c_pieces, "jsonl": jsonl_pieces, "csv": csv_pieces}


def pieces(fmt: str, document: Document, annotations: Iterable[Annotation], links: Iterable[Link] = (),
           excel: bool = False) -> Iterator[str]:
    """The export's text a piece at a time (write each to a file as it comes); `excel`: csv with a BOM."""
    try:
        writer = _WRITERS[fmt]
    except KeyError:
        raise InputError(f"unknown export format {fmt!r} (the formats are {', '.join(FORMATS)})") from None
    if excel:
        if fmt != "csv":
            raise InputError(f"--excel writes csv, not {fmt}")
        return csv_pieces(document, annotations, links, excel=True)
    return writer(document, annotations, links)


def render(fmt: str, document: Document, annotations: Iterable[Annotation], links: Iterable[Link] = (),
           excel: bool = False) -> str:
    return "".join(pieces(fmt, document, annotations, links, excel))
