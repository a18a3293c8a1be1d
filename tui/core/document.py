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
BOM = b"\xef\xbb\xbf"
HASH_CHUNK = 1 << 20  # characters encoded at a time: hashing never holds a whole encoded copy

# NFC never composes across "\n" (a starter that is in no composition), so text is normalised a
# line at a time, and only the lines that are not ASCII: the quick check passes most of the rest
# without copying them, where normalising a whole 5 MB text copies and recomposes all of it.


def normalise(raw: str) -> str:
    """Drop a BOM, turn CRLF and lone CR into LF, and normalise to NFC."""
    if raw.startswith("\ufeff"):
        raw = raw[1:]
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if raw.isascii():
        return raw
    lines = raw.split("\n")
    normalised = [line if line.isascii() else unicodedata.normalize("NFC", line) for line in lines]
    if all(new is old for new, old in zip(normalised, lines, strict=True)):
        return raw  # already NFC: no second copy
    return "\n".join(normalised)


def text_hash(text: str) -> str:
    """sha256 of the text as UTF-8."""
    digest = hashlib.sha256()
    for start in range(0, len(text), HASH_CHUNK):
        digest.update(text[start : start + HASH_CHUNK].encode("utf-8"))
    return digest.hexdigest()


def read_text(data: bytes, path: Path) -> tuple[str, str]:
    """A file's bytes as normalised text (see `normalise`) and that text's sha256 (`text_hash`).

    Works on the bytes a line at a time: lines that NFC leaves alone are decoded once and hashed
    straight from `data`, so the file is never held as a whole decoded and a whole re-encoded copy.
    Bad input gets the same errors as `decode`.
    """
    _refuse_binary(data, path)
    original = data
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if b"\r" in data:  # CR is one byte in UTF-8 and never inside a character
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if data.isascii():
        return data.decode("ascii"), hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    view = memoryview(data)
    lines: list[str] = []
    position = hashed = 0  # byte offsets in `data`: of the current line; of what is hashed so far
    try:
        for raw_line in data.split(b"\n"):
            line = raw_line.decode("utf-8")
            if not line.isascii():
                nfc = unicodedata.normalize("NFC", line)
                if nfc != line:
                    digest.update(view[hashed:position])
                    digest.update(nfc.encode("utf-8"))
                    hashed = position + len(raw_line)
                    line = nfc
            lines.append(line)
            position += len(raw_line) + 1
    except UnicodeDecodeError:
        decode(original, path)  # raises, naming the bad byte's offset in the file
        raise
    digest.update(view[hashed:])
    return "\n".join(lines), digest.hexdigest()


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
    _refuse_binary(data, path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            f"convert it first, e.g. iconv -f latin1 -t utf-8 {path.name} > {path.stem}.utf8.txt"
        ) from None


def _refuse_binary(data: bytes, path: Path) -> None:
    if b"\x00" in data:
        raise InputError(f"{path}: looks like a binary file (it contains NUL bytes); hedgerow reads plain text")


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
        text, sha256 = read_text(data, path)
        return cls(path.resolve(), text, sha256)

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def is_empty(self) -> bool:
        return not self.text or self.text.isspace()  # strip() would copy the whole text

    def __len__(self) -> int:
        return len(self.text)
