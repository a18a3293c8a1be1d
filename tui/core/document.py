"""Loading a plain-text document into the normalised text that offsets point into.

Offsets are Unicode code points into the NFC-normalised text with LF line ends,
as the W3C Web Annotation model requires.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.errors import InputError

TITLE_WIDTH = 72


def normalise(raw: str) -> str:
    """Drop a BOM, turn CRLF and lone CR into LF, and normalise to NFC."""
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", raw)


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_title(text: str, width: int = TITLE_WIDTH) -> str:
    """The first non-empty line, shortened; looks at the first lines only, not the whole text."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = " ".join(text[start:min(end, start + 4 * width)].split())
        if line:
            return line if len(line) <= width else line[: width - 1].rstrip() + "…"
        start = end + 1
    return "(empty document)"


def decode(data: bytes, path: Path) -> str:
    """Decode UTF-8 (with or without BOM); refuse binary and other encodings clearly."""
    if b"\x00" in data:
        raise InputError(f"{path}: looks like a binary file (it contains NUL bytes); hedgerow reads plain text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            f"convert it first, e.g. iconv -f latin1 -t utf-8 {path.name} > {path.stem}.utf8.txt"
        ) from None


@dataclass(frozen=True)
class Document:
    """A document's normalised text, identity and title."""

    path: Path
    text: str
    sha256: str = field(default="")
    title: str = field(default="")

    def __post_init__(self) -> None:
        if not self.sha256:
            object.__setattr__(self, "sha256", text_hash(self.text))
        if not self.title:
            object.__setattr__(self, "title", make_title(self.text))

    @classmethod
    def from_text(cls, text: str, path: str | Path = "<memory>") -> Document:
        return cls(Path(path), normalise(text))

    @classmethod
    def load(cls, path: str | Path) -> Document:
        path = Path(path)
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not a text document")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(f"{path}: cannot read it ({error.strerror or error})") from None
        return cls(path.resolve(), normalise(decode(data, path)))

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()

    def __len__(self) -> int:
        return len(self.text)
