"""Reading a REFI-QDA `.qdpx` safely into a small model of what an import needs.

Untrusted files stay inert:
- the zip is never extracted; members are read by name, each up to a size cap checked against
  what it declares and again against what it actually unpacks to (a zip bomb stops at the cap);
- project.qde is parsed by the standard library's expat as it is unpacked, with any DOCTYPE
  refused outright: no entity is ever declared, so none is expanded (billion laughs) and none is
  fetched (external entities). REFI-QDA files have no DTD, so nothing legitimate is refused, and
  no dependency (defusedxml) is needed for it.
Every problem is an InputError naming the file and the problem in one line.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from tui.core.errors import InputError
from tui.core.refi_qda import INTERNAL, PROJECT_FILE, PROJECT_NS, SOURCES_DIR, canonical_guid

MAX_PROJECT_BYTES = 512 * 1024 * 1024  # project.qde: ~600 bytes a selection, so ~800,000 of them
MAX_SOURCE_BYTES = 256 * 1024 * 1024  # one text source
READ_CHUNK = 1 << 20


@dataclass
class Selection:
    """A PlainTextSelection: positions as written (code points into its source), codes and notes."""

    guid: str
    start: int
    end: int
    name: str | None = None
    user: str | None = None  # creatingUser guid
    created: str | None = None
    modified: str | None = None
    codes: list[str] = field(default_factory=list)  # CodeRef guids, one per Coding
    notes: list[str] = field(default_factory=list)  # NoteRef guids, on the selection or its codings


@dataclass
class TextSource:
    guid: str
    name: str
    path: str | None = None  # plainTextPath
    content: str | None = None  # PlainTextContent
    selections: list[Selection] = field(default_factory=list)


@dataclass(frozen=True)
class ProjectLink:
    """A Link between two guids (hedgerow's relations link selections); an end that is missing or
    not a guid is None."""

    guid: str
    name: str
    direction: str
    origin: str | None
    target: str | None


@dataclass
class Project:
    """What an import reads from project.qde (guids lowercased, without braces)."""

    name: str = ""
    origin: str = ""
    users: dict[str, str] = field(default_factory=dict)  # guid -> name
    codes: dict[str, str] = field(default_factory=dict)  # guid -> name (nested codes flattened)
    sources: list[TextSource] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # guid -> text
    other_selections: int = 0  # on PDF, picture, audio or video sources: not read
    links: list[ProjectLink] = field(default_factory=list)
    cases: dict[str, list[str]] = field(default_factory=dict)  # selection guid -> the names of its Cases
    archive: zipfile.ZipFile | None = None
    where: str = ""

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None

    def source_text(self, source: TextSource) -> str | None:
        """The source's text as written: its PlainTextContent, or its internal:// file; None if external."""
        if source.content is not None:
            return source.content
        if not source.path or not source.path.startswith(INTERNAL) or self.archive is None:
            return None
        name = SOURCES_DIR + source.path[len(INTERNAL):]
        info = _member(self.archive, name)
        if info is None:
            raise InputError(f"{self.where}: text source {source.name!r} names {name}, which is not in the zip")
        data = b"".join(_read_member(self.archive, info, MAX_SOURCE_BYTES, self.where))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"{self.where}: {info.filename} is not UTF-8 (byte {error.start}); "
                             "REFI-QDA text sources are UTF-8") from None
        return text.removeprefix("\ufeff")


class _Refused(Exception):
    """Raised from an expat handler to stop the parse at once."""


def read_qdpx(path: Path) -> Project:
    """The project in a .qdpx; the zip stays open in `project.archive` for reading sources."""
    where = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InputError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{where}: is a directory, not a .qdpx file") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise InputError(f"{where}: not a REFI-QDA project: a .qdpx is a zip file, and this is not one") from None
    except OSError as error:
        raise InputError(f"{where}: cannot read it ({error.strerror or error})") from None
    try:
        info = _member(archive, PROJECT_FILE)
        if info is None:
            names = ", ".join(archive.namelist()[:3]) or "nothing"
            raise InputError(f"{where}: not a REFI-QDA project: no {PROJECT_FILE} in the zip (it holds {names})")
        project = parse_project(_read_member(archive, info, MAX_PROJECT_BYTES, where), f"{where}: {info.filename}")
    except BaseException:
        archive.close()
        raise
    project.archive, project.where = archive, where
    return project


def _member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """The member called `name`; tools differ in case (Sources/, Project.qde), so that is ignored."""
    try:
        return archive.getinfo(name)
    except KeyError:
        folded = name.casefold()
        return next((i for i in archive.infolist() if i.filename.casefold() == folded), None)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str) -> Iterator[bytes]:
    """A member's bytes a chunk at a time, refusing it past `limit` by its declared or its actual size."""
    too_big = f"{where}: {info.filename} would unpack past {_size(limit)}; refused as a possible zip bomb"
    if info.file_size > limit:  # what it declares
        raise InputError(too_big)
    if info.flag_bits & 0x1:
        raise InputError(f"{where}: {info.filename} is encrypted")
    total = 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(READ_CHUNK):
                total += len(chunk)
                # What it unpacks to. CPython's zipfile already stops at the declared size (and then
                # fails the CRC, reported below as damaged); this keeps the cap whatever the reader.
                if total > limit:
                    raise InputError(too_big)
                yield chunk
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as error:
        raise InputError(f"{where}: {info.filename} cannot be unpacked ({error}); the zip is damaged") from None


def _size(count: int) -> str:
    for unit in ("bytes", "KiB"):
        if count < 1024 or count % 1024:
            return f"{count} {unit}"
        count //= 1024
    return f"{count} MiB"


# -- project.qde ---------------------------------------------------------------------------------

_SEPARATOR = " "  # expat's namespace separator: "urn:QDA-XML:project:1.0 Project"


def parse_project(chunks: Iterator[bytes] | bytes, where: str) -> Project:
    """Parse project.qde from its bytes (or chunks of them). Raises InputError naming `where`."""
    builder = _Builder(where)
    parser = expat.ParserCreate(namespace_separator=_SEPARATOR)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.characters
    parser.buffer_text = True
    try:
        for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Refused as refused:
        raise InputError(f"{where}: {refused}") from None
    except expat.ExpatError as error:
        reason = expat.errors.messages.get(error.code, str(error))
        raise InputError(f"{where}: not well-formed XML ({reason}, line {error.lineno}, "
                         f"column {error.offset + 1})") from None
    if not builder.seen_root:
        raise InputError(f"{where}: empty, not a REFI-QDA project")
    return builder.project


def _refuse_doctype(*_: object) -> None:
    raise _Refused("declares a DOCTYPE, which REFI-QDA never needs; refused (entities are not expanded)")


def _refuse_entity(*_: object) -> None:
    raise _Refused("declares an entity; refused (entities are not expanded)")


def _refuse_external(*_: object) -> int:
    raise _Refused("refers to an external entity; refused (nothing is fetched)")


_P = PROJECT_NS + _SEPARATOR


class _Builder:
    """Turns expat's events into a Project, keeping only what an import reads."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.project = Project()
        self.stack: list[str] = []  # local names of the open elements
        self.seen_root = False
        self.text: list[str] | None = None  # gathering PlainTextContent
        self.selection: Selection | None = None
        self.source: TextSource | None = None
        self.note: str | None = None  # the guid of the Note being read
        self.case: str | None = None  # the name of the Case being read

    def fail(self, message: str) -> None:
        raise _Refused(message)

    def guid(self, attrs: dict[str, str], name: str, element: str) -> str:
        value = canonical_guid(attrs.get(name, ""))
        if value is None:
            self.fail(f"a {element} has a missing or bad {name} {attrs.get(name)!r}")
        return value  # type: ignore[return-value]

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if not self.seen_root:
            self.seen_root = True
            if tag != _P + "Project":
                shown = tag.replace(_SEPARATOR, "}", 1)
                self.fail(f"not a REFI-QDA project: the root element is {'{' + shown if '}' in shown else shown}, "
                          f"not Project in {PROJECT_NS}")
            self.project.name, self.project.origin = attrs.get("name", ""), attrs.get("origin", "")
        local = tag[len(_P):] if tag.startswith(_P) else ""
        parent = self.stack[-1] if self.stack else ""
        self.stack.append(local)
        if local == "User" and parent == "Users":
            self.project.users[self.guid(attrs, "guid", "User")] = attrs.get("name", "")
        elif local == "Code" and parent in ("Codes", "Code"):
            self.project.codes[self.guid(attrs, "guid", "Code")] = attrs.get("name", "")
        elif local == "TextSource" and parent == "Sources":
            self.source = TextSource(self.guid(attrs, "guid", "TextSource"), attrs.get("name", ""),
                                     attrs.get("plainTextPath"))
            self.project.sources.append(self.source)
        elif local == "PlainTextSelection" and parent == "TextSource" and self.source is not None:
            self.selection = self._selection(attrs)
            self.source.selections.append(self.selection)
        elif local.endswith("Selection") and local != "PlainTextSelection":
            self.project.other_selections += 1
        elif local == "CodeRef" and parent == "Coding" and self.selection is not None:
            self.selection.codes.append(self.guid(attrs, "targetGUID", "CodeRef"))
        elif local == "NoteRef" and self.selection is not None and parent in ("PlainTextSelection", "Coding"):
            self.selection.notes.append(self.guid(attrs, "targetGUID", "NoteRef"))
        elif local == "Link" and parent == "Links":
            self.project.links.append(ProjectLink(
                self.guid(attrs, "guid", "Link"), attrs.get("name", ""), attrs.get("direction", ""),
                canonical_guid(attrs.get("originGUID", "")), canonical_guid(attrs.get("targetGUID", ""))))
        elif local == "Case" and parent == "Cases":
            self.case = attrs.get("name") or None  # a Case with no name names no entity
        elif local == "SelectionRef" and parent == "Case" and self.case is not None:
            self.project.cases.setdefault(self.guid(attrs, "targetGUID", "SelectionRef"), []).append(self.case)
        elif local == "Note" and parent == "Notes":
            self.note = self.guid(attrs, "guid", "Note")
            self.project.notes[self.note] = ""
        elif local == "PlainTextContent" and ((parent == "Note" and self.note)
                                              or (parent == "TextSource" and self.source)):
            self.text = []

    def _selection(self, attrs: dict[str, str]) -> Selection:
        guid = self.guid(attrs, "guid", "PlainTextSelection")
        positions = []
        for name in ("startPosition", "endPosition"):
            value = attrs.get(name, "").strip()
            try:
                positions.append(int(value))
            except ValueError:
                self.fail(f"selection {guid}: {name} {value!r} is not an integer")
        return Selection(guid, positions[0], positions[1], attrs.get("name"),
                         canonical_guid(attrs.get("creatingUser", "")), attrs.get("creationDateTime"),
                         attrs.get("modifiedDateTime"))

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def end(self, tag: str) -> None:
        local = self.stack.pop()
        if local == "PlainTextContent" and self.text is not None:
            content, self.text = "".join(self.text), None
            if self.stack and self.stack[-1] == "Note" and self.note:
                self.project.notes[self.note] = content
            elif self.source is not None:
                self.source.content = content
        elif local == "PlainTextSelection":
            self.selection = None
        elif local == "TextSource" and self.stack and self.stack[-1] == "Sources":
            self.source = None
        elif local == "Note":
            self.note = None
        elif local == "Case":
            self.case = None
