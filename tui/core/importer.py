"""Reading exports back: hedgerow json, W3C Web Annotation JSON-LD, JSON Lines, CSV.

`parse_export` turns an export into Annotations (ids, authors and times kept);
`plan_import` decides which of them go into a layer for a given document. `parse_links`
reads the links an export carries (W3C linking annotations, json `links`, jsonl link lines,
CSV's `links` column).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from tui.core.annotation import Annotation
from tui.core.document import Document
from tui.core.errors import InputError
from tui.core.export import CSV_LINKS, EXTENSION, FORMAT_NAME, FORMAT_VERSION, sha256_from_uri
from tui.core.links import Link

CSV_REQUIRED = ("id", "tag", "start", "end", "quote")


def parse_export(text: str, source: str) -> list[Annotation]:
    """The annotations in a json, w3c, jsonl or csv export. Raises InputError naming `source`.

    Read `text` without newline translation (bytes decoded, not `read_text`): a CSV value may
    hold a CR or a CRLF of its own.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(f"{source}: empty file, expected a hedgerow json, W3C, JSON Lines or CSV export")
    if _looks_like_csv(text):
        return _parse_csv(text, source)
    try:
        data = json.loads(text)
    except ValueError as error:
        return _parse_jsonl(text, source, error)
    try:
        return _parse_json(data)
    except (ValueError, TypeError) as error:
        raise InputError(f"{source}: {error}") from None


def _looks_like_csv(text: str) -> bool:
    """A header row naming hedgerow's columns (in any order), as `export --format csv` writes."""
    header = next(csv.reader(io.StringIO(text[:4096].partition("\n")[0].rstrip("\r"), newline="")), [])
    return set(CSV_REQUIRED) <= set(header)


def _parse_csv(text: str, source: str) -> list[Annotation]:
    """Rows of `export --format csv`: offsets are integers, every other column a string."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    annotations = []
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            if None in row or None in row.values():
                raise InputError(f"{source}: {where} does not have one value per column")
            record: dict[str, object] = dict(row)
            for name in ("start", "end"):
                value = row[name]
                if not (value.isascii() and value.isdigit() and len(value) <= 18):
                    raise InputError(f"{source}: {where}: {name} must be a whole number, got {value[:20]!r}")
                record[name] = int(value)
            annotations.append(_from_record(record, where))
    except csv.Error as error:
        raise InputError(f"{source}: line {reader.line_num} is not valid CSV ({error})") from None
    except ValueError as error:
        raise InputError(f"{source}: {error}") from None
    return annotations


def _parse_jsonl(text: str, source: str, json_error: ValueError) -> list[Annotation]:
    # JSON Lines end at "\n" only: str.splitlines would also cut at U+2028, U+0085 and others,
    # which json.dumps leaves unescaped inside strings.
    lines = [(n, line.removesuffix("\r")) for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    annotations: list[Annotation] = []
    for n, line in lines:
        try:
            record = json.loads(line)
        except ValueError as error:
            if not annotations:  # not JSON Lines either: report it as the broken JSON it likely is
                raise InputError(f"{source}: not JSON ({json_error})") from None
            raise InputError(f"{source}: line {n} is not JSON ({error})") from None
        if _is_link_record(record):
            continue  # parse_links reads it
        try:
            annotations.append(_from_record(record, f"line {n}"))
        except ValueError as error:
            raise InputError(f"{source}: {error}") from None
    return annotations


def _parse_json(data: object) -> list[Annotation]:
    if isinstance(data, list):  # a bare list of W3C annotations
        return [_from_w3c(item, f"item {i}") for i, item in enumerate(data) if not _is_linking(item)]
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object: a hedgerow json or W3C export")
    header = data.get("hedgerow")
    if isinstance(header, dict) and "annotations" in data:
        if header.get("format") != FORMAT_NAME or header.get("version") != FORMAT_VERSION:
            raise ValueError(f"unsupported hedgerow export {header.get('format')!r} "
                             f"version {header.get('version')!r} (this hedgerow reads version {FORMAT_VERSION})")
        records = data["annotations"]
        if not isinstance(records, list):
            raise ValueError("'annotations' must be a list")
        return [_from_record(r, f"annotation {i}") for i, r in enumerate(records)]
    types = _types(data)
    if "AnnotationCollection" in types:
        first = data.get("first")
        if first is None:
            if data.get("total", 0):
                raise ValueError("the AnnotationCollection has a total but no first page")
            return []
        if not isinstance(first, dict):
            raise ValueError("the AnnotationCollection's first page is not embedded; export it with its items")
        if first.get("next"):
            raise ValueError("the AnnotationCollection has more than one page; only an embedded single page is read")
        return _page(first)
    if "AnnotationPage" in types:
        return _page(data)
    if "Annotation" in types:
        return [] if _is_linking(data) else [_from_w3c(data, "the annotation")]
    if "start" in data and "quote" in data:  # JSON Lines with a single record
        return [_from_record(data, "line 1")]
    raise ValueError("not a hedgerow json or W3C export (no 'hedgerow' header or Annotation 'type')")


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind) if isinstance(kind, list) else set()


def _page(page: dict[str, Any]) -> list[Annotation]:
    items = page.get("items")
    if not isinstance(items, list):
        raise ValueError("the AnnotationPage has no 'items' list")
    return [_from_w3c(item, f"item {i}") for i, item in enumerate(items) if not _is_linking(item)]


# -- links -------------------------------------------------------------------------------


def _is_link_record(record: object) -> bool:
    return isinstance(record, dict) and record.get("type") == "link"


def _is_linking(item: object) -> bool:
    """A W3C linking annotation (a link between two annotations), not a tagged span."""
    if not isinstance(item, dict):
        return False
    motivation = item.get("motivation")
    return motivation == "linking" or (isinstance(motivation, list) and motivation == ["linking"])


def parse_links(text: str, source: str) -> list[Link]:
    """The links in a json, w3c, jsonl or csv export (none when it has none). Raises InputError naming `source`."""
    text = text.removeprefix("\ufeff")
    if _looks_like_csv(text):
        return _csv_links(text, source)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    try:
        if data is None:  # JSON Lines, or another format (CSV) that carries no link records
            try:
                lines = [json.loads(line) for line in text.splitlines() if line.strip()]
            except ValueError:
                return []
            return [_link(r, "a link line") for r in lines if _is_link_record(r)]
        if isinstance(data, dict) and isinstance(data.get("hedgerow"), dict) and "annotations" in data:
            records = data.get("links", [])
            if not isinstance(records, list):
                raise ValueError("'links' must be a list")
            return [_link(r, f"link {i}") for i, r in enumerate(records)]
        if _is_link_record(data):
            return [_link(data, "the link")]
        return [_w3c_link(item, f"item {i}") for i, item in enumerate(_w3c_items(data)) if _is_linking(item)]
    except (ValueError, TypeError) as error:
        raise InputError(f"{source}: {error}") from None


def _csv_links(text: str, source: str) -> list[Link]:
    """The `links` column of `export --format csv`: each row's outgoing links, `relation:target-id`
    separated by spaces (a relation is one word). CSV keeps no link's time: they are made now."""
    from tui.core.annotation import utc_now

    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    if CSV_LINKS not in (reader.fieldnames or ()):
        return []
    links: list[Link] = []
    now = utc_now()
    try:
        for row in reader:
            for token in (row.get(CSV_LINKS) or "").split():
                relation, colon, target = token.partition(":")
                if not (colon and relation and target):
                    raise InputError(f"{source}: line {reader.line_num}: the links column holds {token[:40]!r}, "
                                     "not relation:target-id")
                links.append(Link(row["id"], relation, target, now))
    except csv.Error as error:
        raise InputError(f"{source}: line {reader.line_num} is not valid CSV ({error})") from None
    return links


def _w3c_items(data: object) -> list[Any]:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        return []
    page: dict[str, Any] = data
    if "AnnotationCollection" in _types(page) and isinstance(page.get("first"), dict):
        page = page["first"]
    if "AnnotationPage" in _types(page):
        items = page.get("items")
        return items if isinstance(items, list) else []
    return [page] if "Annotation" in _types(page) else []


def _link(record: object, where: str) -> Link:
    try:
        return Link.from_record(record)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _w3c_link(item: dict[str, Any], where: str) -> Link:
    """A linking annotation as export.w3c_link writes it: two targets by IRI, the relation as its body."""
    where = f"{where} ({item['id']})" if isinstance(item.get("id"), str) else where
    targets = item.get("target")
    bodies = item.get("body")
    bodies = bodies if isinstance(bodies, list) else [bodies]
    relations = [b.get("value") for b in bodies if isinstance(b, dict) and isinstance(b.get("value"), str)]
    if not (isinstance(targets, list) and len(targets) == 2 and all(isinstance(t, str) for t in targets)):
        raise ValueError(f"{where}: a linking annotation needs two targets, the linked annotations' IRIs")
    if len(relations) != 1:
        raise ValueError(f"{where}: a linking annotation needs one body naming the relation")
    created = item.get("created", "")
    source, target = (t.removeprefix("urn:uuid:") for t in targets)
    return _link({"from": source, "relation": relations[0], "to": target,
                  "created": created if isinstance(created, str) else ""}, where)


def _from_record(record: object, where: str) -> Annotation:
    if not isinstance(record, dict):
        raise ValueError(f"{where}: expected an annotation record (a JSON object)")
    try:
        return Annotation.from_record(record)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{where}: {error}") from None


def _from_w3c(item: object, where: str) -> Annotation:
    """One W3C Annotation as written by export.w3c_annotation (or close enough)."""
    if not isinstance(item, dict) or "Annotation" not in _types(item):
        raise ValueError(f"{where}: not a W3C Annotation object")
    where = f"{where} ({item['id']})" if isinstance(item.get("id"), str) else where
    annotation_id = item.get("id")
    if not isinstance(annotation_id, str) or not annotation_id:
        raise ValueError(f"{where}: has no 'id'")
    target = _target(item, where)
    selectors = target.get("selector")
    selectors = selectors if isinstance(selectors, list) else [selectors]
    quote = _one(selectors, "TextQuoteSelector", where)
    position = _one(selectors, "TextPositionSelector", where)
    bodies = item.get("body")
    bodies = bodies if isinstance(bodies, list) else [] if bodies is None else [bodies]
    tags = _bodies(bodies, "tagging")
    notes = _bodies(bodies, "commenting")
    if len(tags) != 1 or len(notes) > 1:
        raise ValueError(f"{where}: needs exactly one tagging body and at most one commenting body, "
                         f"found {len(tags)} and {len(notes)}")
    creator = item.get("creator")
    annotator = (creator.get("nickname") or creator.get("name") or "") if isinstance(creator, dict) else ""
    found = item.get(EXTENSION)
    extension: dict[str, Any] = found if isinstance(found, dict) else {}
    source = target.get("source")
    document = extension.get("document", sha256_from_uri(source) if isinstance(source, str) else None) or ""
    record = {
        "id": annotation_id.removeprefix("urn:uuid:"),
        "start": position.get("start"),
        "end": position.get("end"),
        "quote": quote.get("exact"),
        "prefix": quote.get("prefix", ""),
        "suffix": quote.get("suffix", ""),
        "tag": tags[0],
        "note": notes[0] if notes else "",
        "annotator": annotator,
        "original_annotator": extension.get("original_annotator", ""),
        "document": document,
        "modified": item.get("modified", ""),
    }
    if "entity" in extension:
        record["entity"] = extension["entity"]
    if "created" in item:
        record["created"] = item["created"]
    return _from_record(record, where)


def _target(item: dict[str, Any], where: str) -> dict[str, Any]:
    targets = item.get("target")
    targets = targets if isinstance(targets, list) else [targets]
    found = [t for t in targets if isinstance(t, dict) and t.get("selector")]
    if len(found) != 1:
        raise ValueError(f"{where}: needs exactly one target with selectors, found {len(found)}")
    return found[0]


def _one(selectors: list[Any], kind: str, where: str) -> dict[str, Any]:
    found = [s for s in selectors if isinstance(s, dict) and s.get("type") == kind]
    if not found:
        raise ValueError(f"{where}: the target has no {kind}")
    return found[0]


def _bodies(bodies: list[Any], purpose: str) -> list[str]:
    return [b["value"] for b in bodies
            if isinstance(b, dict) and b.get("purpose") == purpose and isinstance(b.get("value"), str)]


# -- planning an import ------------------------------------------------------------------

@dataclass(frozen=True)
class Mismatch:
    """An annotation whose quote is not at its offsets in this document."""

    annotation: Annotation
    reason: str

    def __str__(self) -> str:
        a = self.annotation
        return f"{a.id} ({a.tag}, {a.start}-{a.end}): {self.reason}"


@dataclass(frozen=True)
class ImportPlan:
    new: list[Annotation] = field(default_factory=list)  # to add, `document` set to this text's sha256
    reattributed: int = 0  # of `new`, how many another annotator (or no one) had made
    skipped: list[Annotation] = field(default_factory=list)  # ids already in the layer (or repeated)
    mismatched: list[Mismatch] = field(default_factory=list)  # reported, not stored
    # The same span and tag as one kept or in the layer (two layers' exported together): one would
    # be counted twice. Each left-out id maps to the id kept, so links to it still land.
    duplicates: dict[str, str] = field(default_factory=dict)

    def same_as(self, link: Link) -> Link:
        """`link` with an end that was left out as a duplicate moved to the annotation kept."""
        source, target = self.duplicates.get(link.source, link.source), self.duplicates.get(link.target, link.target)
        return link if (source, target) == (link.source, link.target) else link._replace(source=source, target=target)

    def duplicates_note(self) -> str:
        """The import summary's words on duplicates ("" when there were none)."""
        count = len(self.duplicates)
        return f" ({count} {'duplicate' if count == 1 else 'duplicates'} of a span and tag left out)" if count else ""


def _short(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def mismatch_reason(document: Document, annotation: Annotation) -> str | None:
    """Why `annotation` does not fit `document`, or None when its quote is at its offsets."""
    start, end = annotation.start, annotation.end
    if end > len(document.text):
        return f"span {start}-{end} runs past the end of the document ({len(document.text)} characters)"
    found = document.text[start:end]
    if found != annotation.quote:
        return f"the text at {start}-{end} is {_short(found)}, not the quote {_short(annotation.quote)}"
    return None


def plan_import(document: Document, existing_ids: Iterable[str], annotations: Iterable[Annotation],
                annotator: str | None = None, existing: Iterable[Annotation] = ()) -> ImportPlan:
    """Split `annotations` into new ones, ones already present by id, ones not matching the text,
    and duplicates: the same span and tag as one of `existing` (the layer) or one imported before
    it, which `Session.add` refuses since it would be counted twice (an `export --all` holds each
    span two annotators agreed on twice).

    New annotations keep their id, created and modified; their `document` becomes this
    document's sha256, since their quote has just been checked against it. With `annotator`
    (the layer they go into), each becomes that annotator's: one made by someone else keeps its
    maker in `original_annotator` (the first maker, if it was re-attributed before).
    """
    seen = set(existing_ids)
    spans = {(a.start, a.end, a.tag): a.id for a in existing}
    plan = ImportPlan()
    reattributed = 0
    for annotation in annotations:
        if annotation.id in seen:
            plan.skipped.append(annotation)
            continue
        reason = mismatch_reason(document, annotation)
        if reason:
            plan.mismatched.append(Mismatch(annotation, reason))
            continue
        kept = spans.setdefault((annotation.start, annotation.end, annotation.tag), annotation.id)
        seen.add(annotation.id)
        if kept != annotation.id:
            plan.duplicates[annotation.id] = kept
            continue
        if annotator is not None and annotation.annotator != annotator:
            annotation = replace(annotation, annotator=annotator,
                                 original_annotator=annotation.original_annotator or annotation.annotator)
            reattributed += 1
        plan.new.append(replace(annotation, document=document.sha256))
    return replace(plan, reattributed=reattributed)
