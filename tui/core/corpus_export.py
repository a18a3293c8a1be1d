"""Exports of a whole corpus as one file, written a document at a time.

`documents` yields (document, its annotations, their links) one document at a time; every writer
here takes that iterator and yields text pieces, so memory holds one document's annotations, never
the corpus's. Each annotation names its document by its path from the project root, and the links
travel as in the one-document exports:

- json: `{"hedgerow": {...}, "documents": [{"document": {...}, "annotations": [...], "links": [...]}, ...]}`
  (`links` only where a document has some);
- jsonl: one record a line, with a `path` field (its `document` field stays the sha256 it was made on);
  each document's links follow its annotations as `"type": "link"` lines, with the `path` too;
- csv: the one-document columns (entity and outgoing links included), whose `title` and `path` name
  each row's document;
- w3c: one AnnotationCollection; each target's `source` is its document's sha256 `ni:` URI and
  the `hedgerow` extension carries the path; each document's linking annotations follow its own.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tui.core.annotation import Annotation
from tui.core.document import Document
from tui.core.export import (
    EXTENSION,
    FORMAT_VERSION,
    W3C_CONTEXT,
    Streamed,
    _dump_pieces,
    _ordered,
    _sorted_links,
    csv_documents,
    document_meta,
    exported_link,
    sha256_uri,
    w3c_annotation,
    w3c_link,
)
from tui.core.links import Link
from tui.core.paths import relative_path

CORPUS_FORMAT = "hedgerow-corpus"
Documents = Iterable[tuple[Document, Iterable[Annotation], Iterable[Link]]]


def json_pieces(documents: Documents, label: str, total: int) -> Iterator[str]:
    def entry(item: tuple[Document, Iterable[Annotation], Iterable[Link]]) -> dict[str, Any]:
        document, in_document, links = item
        linked = [exported_link(link) for link in _sorted_links(links)]
        return {"document": document_meta(document), "annotations": [a.to_record() for a in _ordered(in_document)],
                **({"links": linked} if linked else {})}

    yield from _dump_pieces({"hedgerow": {"format": CORPUS_FORMAT, "version": FORMAT_VERSION, "corpus": label},
                             "documents": Streamed(documents, entry)})
    yield "\n"


def jsonl_pieces(documents: Documents, label: str, total: int) -> Iterator[str]:
    for document, in_document, links in documents:
        path = relative_path(document.path)
        for a in _ordered(in_document):
            yield json.dumps({**a.to_record(), "path": path}, ensure_ascii=False, sort_keys=True) + "\n"
        for link in _sorted_links(links):
            yield json.dumps({"type": "link", **exported_link(link), "path": path}, ensure_ascii=False,
                             sort_keys=True) + "\n"


def csv_pieces(documents: Documents, label: str, total: int) -> Iterator[str]:
    yield from csv_documents(documents)  # the one-document columns, which name the document (title, path)


def w3c_pieces(documents: Documents, label: str, total: int) -> Iterator[str]:
    """One collection of every document's annotations and links; `total` (both) is counted beforehand."""
    seed = f"hedgerow-corpus:{label}"
    collection: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": uuid.uuid5(uuid.NAMESPACE_URL, seed).urn,
        "type": "AnnotationCollection",
        "label": label,
        "total": total,
        EXTENSION: {"format": CORPUS_FORMAT, "version": FORMAT_VERSION},
    }
    if total:
        page_id = uuid.uuid5(uuid.NAMESPACE_URL, seed + "&page=1").urn
        collection["first"] = {"id": page_id, "type": "AnnotationPage", "startIndex": 0,
                               "items": Streamed(_w3c_items(documents), lambda item: item)}
        collection["last"] = page_id
    yield from _dump_pieces(collection)
    yield "\n"


def _w3c_items(documents: Documents) -> Iterator[dict[str, Any]]:
    for document, in_document, links in documents:
        source, path = sha256_uri(document.sha256), relative_path(document.path)
        for a in _ordered(in_document):
            item = w3c_annotation(a, source)
            item[EXTENSION]["path"] = path
            item[EXTENSION]["title"] = document.title
            yield item
        for link in _sorted_links(links):
            item = w3c_link(link)
            item[EXTENSION]["path"] = path
            yield item


WRITERS: dict[str, Callable[[Documents, str, int], Iterator[str]]] = {
    "json": json_pieces, "jsonl": jsonl_pieces, "csv": csv_pieces, "w3c": w3c_pieces}
