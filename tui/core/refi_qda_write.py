"""Writing REFI-QDA: one document's annotations as a `.qdpx` project, the codebook as a `.qdc`.

The project holds the document as one UTF-8 text source: its normalised text (NFC, LF line
ends), the very text hedgerow's offsets and sha256 are of, so a selection's positions are the
annotation's start and end unchanged. A file written with CRLF or in NFD is exported in that
normal form, not byte for byte (see README, "REFI-QDA").

The zip is made as it is written (`qdpx_chunks` yields its bytes a piece at a time, for
`atomic_write_chunks`), and the XML a few annotations at a time, so a large layer is never
held whole as objects or as text. Re-exporting the same annotations gives the same bytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from tui.core.annotation import Annotation
from tui.core.document import Document
from tui.core.layer import Layer
from tui.core.paths import relative_path
from tui.core.refi_qda import (
    CODEBOOK_NS,
    DATE_TIME,
    INTERNAL,
    NOT_XML,
    ORIGIN,
    PROJECT_FILE,
    PROJECT_NS,
    SOURCES_DIR,
    case_guid,
    code_guid,
    coding_guid,
    derived_guid,
    is_uuid,
    note_guid,
    rgb,
    source_guid,
    user_guid,
    xml_safe,
)
from tui.core.tags import FALLBACK_COLOUR, TagSet

if TYPE_CHECKING:
    from tui.core.links import Link as HedgerowLink

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # a fixed time in the zip: the same annotations give the same bytes
TEXT_CHUNK = 1 << 20  # characters of the source encoded at a time
FLUSH_AT = 1 << 16  # characters of XML gathered before they are compressed

_TEXT_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\r"): "&#13;"}
# In attributes, tab and line breaks too: a parser would otherwise turn them into spaces.
_ATTRIBUTE_ESCAPES = {**_TEXT_ESCAPES, ord('"'): "&quot;", ord("\t"): "&#9;", ord("\n"): "&#10;"}


def text(value: str) -> str:
    """Element content, escaped; characters XML cannot carry at all become U+FFFD."""
    return NOT_XML.sub("\ufffd", value).translate(_TEXT_ESCAPES)


def attribute(value: str) -> str:
    return '"' + NOT_XML.sub("\ufffd", value).translate(_ATTRIBUTE_ESCAPES) + '"'


def attributes(**values: str | int | None) -> str:
    """` name="value"` for each value that is not None, in the order given."""
    return "".join(f" {name}={attribute(str(value))}" for name, value in values.items() if value is not None)


def _plain(name: str, value: str | None) -> str:
    """` name="value"` for a value known to need no escaping (a guid, a checked time), or ""."""
    return f' {name}="{value}"' if value else ""


def _time(value: str) -> str | None:
    """An annotation's timestamp if it is an xs:dateTime (a stored file could hold anything)."""
    if not DATE_TIME.fullmatch(value):
        return None
    try:
        datetime.fromisoformat(value)  # and a real date and time: no month 13
    except ValueError:
        return None
    return value


@dataclass(frozen=True)
class Link:
    """A REFI-QDA Link between two guids (selections, codes, ...): a place for relations (issue 13)."""

    guid: str
    origin: str
    target: str
    name: str = ""
    direction: str = "OneWay"  # Associative, OneWay or Bidirectional


@dataclass
class Summary:
    """What an export wrote, and the annotations it left out with why."""

    selections: int = 0
    notes: int = 0
    entities: int = 0  # selections in a Case: those whose annotation names an entity
    left_out: list[tuple[Annotation, str]] = field(default_factory=list)


class SelectionGuids:
    """A selection's guid: its annotation's uuid, unless another layer's selection has it already.

    Two layers can hold the same annotation (an import keeps ids); the second gets a uuid5 of
    its layer and id, so guids stay unique and re-exports stay the same.
    """

    def __init__(self) -> None:
        self._seen: set[str] = set()

    def __call__(self, user: str, annotation_id: str) -> str:
        guid = annotation_id if is_uuid(annotation_id) else derived_guid("selection", f"{user}\0{annotation_id}")
        if guid in self._seen:
            guid = derived_guid("selection", f"{user}\0{annotation_id}")
        self._seen.add(guid)
        return guid


def _fits(document: Document, annotation: Annotation) -> str | None:
    """Why the annotation cannot be a selection of this text, or None."""
    if annotation.end > len(document.text):
        return f"its span {annotation.start}-{annotation.end} runs past the end of the text"
    if document.text[annotation.start:annotation.end] != annotation.quote:
        return "its quote is no longer at its offsets (the text changed: `hedgerow check DOC --apply` re-anchors it)"
    return None


def _in_document_order(annotations: Iterable[Annotation]) -> Iterable[Annotation]:
    """A Layer already is, and makes each annotation only as it is read; anything else is sorted."""
    return annotations if isinstance(annotations, Layer) else sorted(annotations, key=Annotation.sort_key)


def _tags_used(layers: Sequence[tuple[str, Iterable[Annotation]]]) -> set[str]:
    used: set[str] = set()
    for _, layer in layers:
        used.update(layer.counts() if isinstance(layer, Layer) else {a.tag for a in layer})
    return used


def codes_pieces(tags: TagSet, used: Iterable[str] = (), indent: str = "  ") -> Iterator[str]:
    """<Codes> with a Code per codebook tag, then one per tag found in annotations but not in it."""
    yield f"{indent}<Codes>\n"
    extra = sorted(set(used) - set(tags.names))
    entries = [(t.name, t.colour, t.description) for t in tags]
    entries += [(name, FALLBACK_COLOUR, "Found in the annotations, not in the codebook.") for name in extra]
    for name, colour, description in entries:
        head = f"{indent}  <Code{attributes(guid=code_guid(name), name=name, isCodable='true', color=rgb(colour))}"
        if description:
            yield f"{head}>\n{indent}    <Description>{text(description)}</Description>\n{indent}  </Code>\n"
        else:
            yield f"{head}/>\n"
    yield f"{indent}</Codes>\n"


def qdc_pieces(tags: TagSet) -> Iterator[str]:
    """The codebook alone, as a REFI-QDA .qdc (codebook namespace)."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f"<CodeBook{attributes(xmlns=CODEBOOK_NS, origin=ORIGIN)}>\n"
    yield from codes_pieces(tags)
    yield "</CodeBook>\n"


def source_member(document: Document) -> str:
    return f"{SOURCES_DIR}{source_guid(document.sha256)}.txt"


def project_pieces(document: Document, layers: Sequence[tuple[str, Iterable[Annotation]]], tags: TagSet,
                   summary: Summary, links: Sequence[Link] = ()) -> Iterator[str]:
    """project.qde's text. `layers` is (user, annotations) per layer.

    Notes come after all sources in the schema, so the annotations with notes are kept aside as
    the selections are written (only those: one pass over the layers, most annotations unkept).
    """
    layers = [(user, _in_document_order(layer)) for user, layer in layers]
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f"<Project{attributes(xmlns=PROJECT_NS, name=document.title, origin=ORIGIN)}>\n"
    yield "  <Users>\n"
    for user, _ in layers:
        yield f"    <User{attributes(guid=user_guid(user), name=user)}/>\n"
    yield "  </Users>\n  <CodeBook>\n"
    yield from codes_pieces(tags, _tags_used(layers), "    ")
    yield "  </CodeBook>\n"
    yield from _cases_pieces(document, layers, summary)
    yield "  <Sources>\n"
    guid = source_guid(document.sha256)
    yield (f"    <TextSource{attributes(guid=guid, name=document.path.name, plainTextPath=INTERNAL + guid + '.txt')}>\n"
           f"      <Description>{text(_source_description(document))}</Description>\n")
    guids = SelectionGuids()
    codes: dict[str, str] = {}
    notes: list[tuple[str, str, Annotation]] = []
    for user, layer in layers:
        who = user_guid(user)
        for a in layer:
            reason = _fits(document, a)
            if reason:
                summary.left_out.append((a, reason))
                continue
            summary.selections += 1
            selection = guids(user, a.id)
            code = codes.get(a.tag) or codes.setdefault(a.tag, code_guid(a.tag))
            # Guids, integers and checked times need no escaping: only the quote goes through attribute().
            name = f" name={attribute(a.quote)}" if xml_safe(a.quote) else ""
            created, modified = _time(a.created), _time(a.modified)
            yield (f'      <PlainTextSelection guid="{selection}"{name} startPosition="{a.start}" '
                   f'endPosition="{a.end}" creatingUser="{who}"{_plain("creationDateTime", created)} '
                   f'modifyingUser="{who}"{_plain("modifiedDateTime", modified)}>\n'
                   f'        <Coding guid="{coding_guid(selection)}" creatingUser="{who}"'
                   f'{_plain("creationDateTime", modified)}>\n'
                   f'          <CodeRef targetGUID="{code}"/>\n'
                   "        </Coding>\n")
            if a.note:
                notes.append((note_guid(selection), who, a))
                yield f'        <NoteRef targetGUID="{notes[-1][0]}"/>\n'
            yield "      </PlainTextSelection>\n"
    yield "    </TextSource>\n  </Sources>\n"
    yield from _notes_pieces(notes, summary)
    yield from _links_pieces(links)
    yield "</Project>\n"


def _cases_pieces(document: Document, layers: Sequence[tuple[str, Iterable[Annotation]]],
                  summary: Summary) -> Iterator[str]:
    """<Cases>: one Case per entity, named by it, holding its mentions' selections. A Case is "a
    subject, object or topic by which sources and selections can be grouped", e.g. a person
    (REFI-QDA 1.5, §3.1, §13): what an entity is. Cases come before Sources in the schema, so the
    mentions are found first, without making every annotation of a Layer (see Layer.having)."""
    cases: dict[str, list[str]] = {}
    by_id = [layer if isinstance(layer, Layer) else {a.id: a for a in layer} for _, layer in layers[:-1]]
    for index, (user, layer) in enumerate(layers):
        mentions = layer.having("entity") if isinstance(layer, Layer) else (a for a in layer if a.entity)
        for a in mentions:
            if _fits(document, a) is None:
                cases.setdefault(a.entity, []).append(_selection_guid(document, by_id[:index], user, a.id))
    if not cases:
        return
    yield "  <Cases>\n"
    for entity in sorted(cases):
        yield f"    <Case{attributes(guid=case_guid(entity), name=entity)}>\n"
        for selection in cases[entity]:
            summary.entities += 1
            yield f'      <SelectionRef targetGUID="{selection}"/>\n'
        yield "    </Case>\n"
    yield "  </Cases>\n"


def _selection_guid(document: Document, before: Sequence[Layer | dict[str, Annotation]], user: str,
                    annotation_id: str) -> str:
    """The guid SelectionGuids gives the selection, knowing only the layers `before` its own (by
    id): its id, unless that is not a uuid or one of those layers exports a selection with it."""
    if is_uuid(annotation_id) and not any(
            (found := layer.get(annotation_id)) is not None and _fits(document, found) is None for layer in before):
        return annotation_id
    return derived_guid("selection", f"{user}\0{annotation_id}")


def _source_description(document: Document) -> str:
    return (f"{relative_path(document.path)} (sha256 {document.sha256}), as hedgerow reads it: "
            "NFC, LF line ends; positions count code points from 0, end exclusive.")


def _notes_pieces(notes: list[tuple[str, str, Annotation]], summary: Summary) -> Iterator[str]:
    """<Notes>: one Note per annotation with a note, as (note guid, user guid, annotation)."""
    if not notes:
        return
    yield "  <Notes>\n"
    for guid, who, a in notes:
        summary.notes += 1
        name = f"{a.tag}: {a.quote if len(a.quote) <= 60 else a.quote[:59] + '…'}"
        head = attributes(guid=guid, name=name, creatingUser=who, creationDateTime=_time(a.created),
                          modifyingUser=who, modifiedDateTime=_time(a.modified))
        yield (f"    <Note{head}>\n"
               f"      <PlainTextContent>{text(a.note)}</PlainTextContent>\n"
               "    </Note>\n")
    yield "  </Notes>\n"


def _links_pieces(links: Sequence[Link]) -> Iterator[str]:
    """REFI-QDA Links (after Notes, as the schema orders them); relations will fill them (issue 13)."""
    if not links:
        return
    yield "  <Links>\n"
    for link in links:
        head = attributes(guid=link.guid, name=link.name or None, direction=link.direction,
                          originGUID=link.origin, targetGUID=link.target)
        yield f"    <Link{head}/>\n"
    yield "  </Links>\n"


class _Sink:
    """A write-only file for zipfile that hands back what was written since the last `take`.

    It has `tell` but no `seek`, so zipfile streams: sizes go in data descriptors after each member.
    """

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._position = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def qdpx_chunks(document: Document, layers: Sequence[tuple[str, Iterable[Annotation]]], tags: TagSet,
                summary: Summary | None = None, links: Sequence[Link] = ()) -> Iterator[bytes]:
    """The .qdpx zip's bytes, a piece at a time: the source text, then project.qde."""
    summary = summary if summary is not None else Summary()
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        with archive.open(_member(source_member(document)), "w") as out:
            for start in range(0, len(document.text), TEXT_CHUNK):
                out.write(document.text[start:start + TEXT_CHUNK].encode("utf-8"))
                yield sink.take()
        with archive.open(_member(PROJECT_FILE), "w") as out:
            gathered: list[str] = []
            size = 0
            for piece in project_pieces(document, layers, tags, summary, links):
                gathered.append(piece)
                size += len(piece)
                if size >= FLUSH_AT:
                    out.write("".join(gathered).encode("utf-8"))
                    gathered.clear()
                    size = 0
                    yield sink.take()
            out.write("".join(gathered).encode("utf-8"))
    yield sink.take()


def qdc_chunks(tags: TagSet) -> Iterator[bytes]:
    yield "".join(qdc_pieces(tags)).encode("utf-8")


def refi_links(document: Document, layers: Sequence[tuple[str, Iterable[Annotation]]],
               links: Sequence[HedgerowLink]) -> list[Link]:
    """hedgerow's links as REFI-QDA Links (OneWay, named by the relation) between the selections of
    their two annotations; a link whose end is not exported as a selection under its own id (its
    quote no longer fits the text, or another layer holds the same id) is left out."""
    if not links:
        return []
    wanted = {end for link in links for end in (link.source, link.target)}
    exported: dict[str, int] = {}
    for _, layer in layers:
        for annotation in layer:
            if annotation.id in wanted and is_uuid(annotation.id) and _fits(document, annotation) is None:
                exported[annotation.id] = exported.get(annotation.id, 0) + 1
    return [Link(link.id, link.source, link.target, link.relation) for link in links
            if exported.get(link.source) == 1 and exported.get(link.target) == 1]
