"""REFI-QDA (QDA-XML 1.0) exchange: what the writer and the reader share.

A `.qdpx` is a zip of `project.qde` (XML in the project namespace) and `sources/`, where
each text source is a UTF-8 `.txt` named by its guid. A `.qdc` is a codebook alone (XML in
the codebook namespace). Selection positions count Unicode code points from 0 into the text
as written in the source (REFI-QDA 1.5, section 10.2); hedgerow writes the end exclusive.

GUIDs are derived, never random, so exporting the same annotations twice gives the same file:
a selection keeps its annotation's uuid, everything else is a uuid5 of what it stands for.
"""

from __future__ import annotations

import hashlib
import re
import uuid

from rich.color import Color, ColorParseError

from tui import __version__

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
FORMATS = ("qdpx", "qdc")  # export formats, beside tui.core.export.FORMATS (which are text)
ORIGIN = f"hedgerow {__version__}"
PROJECT_FILE = "project.qde"
SOURCES_DIR = "sources/"
INTERNAL = "internal://"

# All derived guids live under this namespace (itself uuid5(NAMESPACE_URL, "hedgerow:refi-qda")).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "hedgerow:refi-qda")
_NAMESPACE_BYTES = NAMESPACE.bytes

_GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?")


def derived_guid(kind: str, key: str) -> str:
    """A stable guid for `kind` ("user", "code", "source", ...) named by `key`.

    str(uuid.uuid5(NAMESPACE, f"{kind}\\0{key}")), without making a UUID object (a selection needs two).
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{kind}\0{key}".encode()).digest()[:16])
    digest[6] = digest[6] & 0x0F | 0x50  # version 5
    digest[8] = digest[8] & 0x3F | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def canonical_guid(value: str) -> str | None:
    """A REFI-QDA guid (with or without braces, any case) as a lowercase uuid string, or None."""
    match = _GUID.fullmatch(value.strip())
    return match.group(1).lower() if match else None


def is_uuid(value: str) -> bool:
    """Whether `value` is already a canonical lowercase uuid (annotation ids usually are)."""
    return canonical_guid(value) == value


def user_guid(name: str) -> str:
    return derived_guid("user", name)


def code_guid(tag: str) -> str:
    return derived_guid("code", tag)


def source_guid(sha256: str) -> str:
    return derived_guid("source", sha256)


def case_guid(entity: str) -> str:
    return derived_guid("case", entity)


def coding_guid(selection: str) -> str:
    return derived_guid("coding", selection)


def note_guid(selection: str) -> str:
    return derived_guid("note", selection)


def rgb(colour: str, fallback: str = "#a8a8a8") -> str:
    """A codebook colour ("#5fafff", "dark_orange", "rgb(1,2,3)") as REFI-QDA's #rrggbb."""
    try:
        red, green, blue = Color.parse(colour).get_truecolor()
    except ColorParseError:
        return fallback
    return f"#{red:02x}{green:02x}{blue:02x}"


# XML 1.0 allows these characters only; the rest (C0 controls but tab, LF and CR, lone
# surrogates, U+FFFE and U+FFFF) cannot appear even as character references.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# xs:dateTime as hedgerow writes it and as REFI-QDA tools do (an offset or Z is optional).
DATE_TIME = re.compile(r"-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


def xml_safe(text: str) -> bool:
    return NOT_XML.search(text) is None
