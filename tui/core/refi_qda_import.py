"""A REFI-QDA project's selections on one document, as annotations to import.

Positions in a project count code points into the source as written, which another tool may
have written with CRLF line ends or in NFD; `SourceOffsets` maps them onto the normalised text
(NFC, LF) that hedgerow's offsets count. Codes become tags by name. What cannot be imported (an
unknown code, a selection with no code, one that splits a composed character) is reported, not
stored; a selection outside its source's text makes the whole file bad input.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tui.core.annotation import Annotation, span_fields, utc_now
from tui.core.document import Document, normalise, text_hash
from tui.core.errors import InputError
from tui.core.links import Link
from tui.core.refi_qda import derived_guid
from tui.core.refi_qda_read import Project, Selection, TextSource
from tui.core.tags import TagSet
from tui.core.wording import count_of

_BREAK = re.compile(r"\r\n|\r|\n")
_HEDGEROW_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


class SourceOffsets:
    """Code-point positions in a source's text as written -> offsets in its normalised text."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.text = normalise(raw)
        self.identity = self.text == raw  # hedgerow's own exports: nothing to map
        if self.identity:
            return
        # Per line: where it starts and ends in `raw`, where it starts in `text`, and its NFC form
        # when that differs (NFC never reaches across a line break, as document.normalise relies on).
        self._starts: list[int] = []
        self._lines: list[tuple[int, int, str | None]] = []  # (raw end, normalised start, NFC or None)
        position = normalised = 0
        for match in [*_BREAK.finditer(raw), None]:
            end = match.start() if match else len(raw)
            line = raw[position:end]
            nfc = unicodedata.normalize("NFC", line) if not line.isascii() else line
            self._starts.append(position)
            self._lines.append((end, normalised, None if nfc == line else nfc))
            normalised += len(nfc) + 1
            position = match.end() if match else len(raw)

    def __call__(self, position: int) -> int | None:
        """The normalised offset, or None when `position` falls inside a character NFC composes."""
        if self.identity:
            return position
        index = bisect_right(self._starts, position) - 1
        start = self._starts[index]
        end, normalised, nfc = self._lines[index]
        if position > end:  # between a CR and its LF: the line break's place
            return normalised + len(nfc if nfc is not None else self.raw[start:end])
        if nfc is None:
            return normalised + position - start
        before = unicodedata.normalize("NFC", self.raw[start:position])
        after = unicodedata.normalize("NFC", self.raw[position:end])
        return normalised + len(before) if before + after == nfc else None


@dataclass
class Found:
    """The annotations read from a project, and one line per thing not imported."""

    annotations: list[Annotation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)  # between these annotations, or the layer's: still to check
    problems: list[str] = field(default_factory=list)  # not imported (make the import exit 1)
    remarks: list[str] = field(default_factory=list)  # left alone on purpose (other documents)
    refused: int = 0


def choose_source(project: Project, document: Document, where: str) -> tuple[TextSource, str | None]:
    """The project's text source that is this document: by its text, else the only one, else by name."""
    sources = project.sources
    if not sources:
        raise InputError(f"{where}: the project has no text sources, so no selections to import")
    texts: dict[str, str | None] = {}
    for source in sources:
        raw = texts[source.guid] = project.source_text(source)
        # normalising never lengthens a text, so a shorter one cannot be it
        if raw is not None and len(raw) >= len(document.text) and text_hash(normalise(raw)) == document.sha256:
            return source, raw
    named = [s for s in sources if s.name in (document.path.name, document.path.stem, document.title)]
    if len(sources) == 1 or len(named) == 1:
        source = sources[0] if len(sources) == 1 else named[0]
        return source, texts[source.guid]
    raise InputError(f"{where}: none of the project's {len(sources)} text sources has {document.path.name}'s "
                     "text or name, so hedgerow cannot tell which one to import")


def annotations_from_project(project: Project, document: Document, tags: TagSet, annotator: str,
                             where: str) -> Found:
    """The selections on `document`'s source as annotations (ids from their guids, kept stable)."""
    source, raw = choose_source(project, document, where)
    found = Found()
    for other in project.sources:
        if other is not source and other.selections:
            found.remarks.append(f"{count_of(len(other.selections), 'selection')} on the source {other.name!r}, "
                                 "another document, left alone")
    if project.other_selections:
        found.remarks.append(f"{count_of(project.other_selections, 'selection')} on PDF, picture, audio or video "
                             "sources, which hedgerow does not read, left alone")
    offsets = SourceOffsets(raw) if raw is not None else None
    unknown: Counter[str] = Counter()
    in_cases = 0  # selections in more than one Case: which is the entity cannot be told
    for selection in source.selections:
        _check_bounds(selection, raw, where)
        span = _span(selection, offsets)
        if isinstance(span, str):
            _refuse(found, selection, span)
            continue
        start, end = span
        if offsets is not None:
            context = span_fields(offsets.text, start, end)
        elif selection.name:  # an external source: its name is the only text to check against
            context = {"start": start, "end": end, "quote": normalise(selection.name)}
        else:
            _refuse(found, selection, "its source's text is not in the project and it has no name to check")
            continue
        if not selection.codes:
            _refuse(found, selection, "it has no code")
            continue
        note = "\n\n".join(project.notes[g] for g in selection.notes if project.notes.get(g))
        who = project.users.get(selection.user or "") or annotator
        created = _timestamp(selection.created)
        modified = created if selection.modified in (None, selection.created) else _timestamp(selection.modified)
        # The Case grouping a selection is its entity (hedgerow exports an entity so: a Case of its name).
        cases = set(project.cases.get(selection.guid, ()))
        entity = " ".join(next(iter(cases)).split()) if len(cases) == 1 else ""
        in_cases += len(cases) > 1
        for number, code in enumerate(selection.codes):
            name = project.codes.get(code)
            if name is None:
                _refuse(found, selection, f"its code {code} is not in the project's codebook")
                continue
            if name not in tags:
                unknown[name] += 1
                continue
            found.annotations.append(Annotation(
                **context, tag=name, note=note, annotator=who, document="", entity=entity,
                id=selection.guid if number == 0 else derived_guid("coding-of", f"{selection.guid}\0{code}"),
                created=created, modified=modified))
    if in_cases:
        found.remarks.append(f"{count_of(in_cases, 'selection')} in more than one case, so with no entity: "
                             "a case names one")
    for name, count in sorted(unknown.items()):
        found.refused += count
        found.problems.append(f"{count_of(count, 'selection')} coded {name!r}: not a tag in the codebook "
                              f"(the tags are {', '.join(tags.names)}; add it to hedgerow.toml to import them)")
    _links(project, source, found)
    return found


def _links(project: Project, source: TextSource, found: Found) -> None:
    """The project's Links between two selections of this source, as hedgerow links named by the
    Link's name (the relation; `export` writes them so). A selection's first coding keeps its guid
    as its annotation's id, so the ends are those ids; checking the tags and the relation is the
    import's (links.plan_links). Links between other things (codes, sources, another document's
    selections) are left alone, and said so."""
    here = {selection.guid for selection in source.selections}
    elsewhere = 0
    now = utc_now()
    for link in project.links:
        if link.origin is None or link.target is None:
            found.problems.append(f"link {link.guid}: it needs an originGUID and a targetGUID, the two selections")
        elif link.origin not in here or link.target not in here:
            elsewhere += 1
        elif not link.name:
            found.problems.append(f"link {link.guid}: it has no name, which hedgerow reads as the relation")
        else:
            found.links.append(Link(link.origin, link.name, link.target, now))
    if elsewhere:
        found.remarks.append(f"{count_of(elsewhere, 'link')} not between two selections of this document, left alone")


def _check_bounds(selection: Selection, raw: str | None, where: str) -> None:
    length = len(raw) if raw is not None else None
    if selection.start < 0 or selection.end < selection.start or (length is not None and selection.end > length):
        size = f"0-{length}" if length is not None else "any text"
        raise InputError(f"{where}: selection {selection.guid} at {selection.start}-{selection.end} is outside "
                         f"its source's text ({size}); nothing was imported")


def _span(selection: Selection, offsets: SourceOffsets | None) -> tuple[int, int] | str:
    """The selection's normalised offsets, or why it has none."""
    if selection.start == selection.end:
        return "it is empty"
    if offsets is None:
        return selection.start, selection.end
    start, end = offsets(selection.start), offsets(selection.end)
    if start is None or end is None:
        return "its positions fall inside a character that NFC composes"
    if start == end:
        return "it covers only a line break's CR"
    return start, end


def _refuse(found: Found, selection: Selection, reason: str) -> None:
    found.refused += 1
    found.problems.append(f"selection {selection.guid} ({selection.start}-{selection.end}): {reason}")


def _timestamp(value: str | None) -> str:
    """An xs:dateTime as hedgerow writes times (UTC, milliseconds, Z); now when missing or unreadable."""
    if not value:
        return utc_now()
    if _HEDGEROW_TIME.fullmatch(value):  # as hedgerow wrote it: nothing to convert
        return value
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return utc_now()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
