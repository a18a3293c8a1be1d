"""Documents: normalisation, and offsets that are code points into the NFC text, end to end.

Each case writes real bytes to a file, opens it through `Session.open` (the path the CLI and
the TUI take), tags spans whose offsets were worked out by hand, saves, and reopens.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from tui.core.document import Document, decode, make_title, normalise, text_hash
from tui.core.errors import InputError
from tui.core.session import Session, SessionOptions

ALICE = SessionOptions(annotator="alice")

# (id, raw bytes on disk, the normalised text, [(quote, start offset in code points)])
CASES = [
    ("crlf", "First line\r\nSecond line\r\n".encode(), "First line\nSecond line\n",
     [("Second", 11), ("line\nSecond", 6)]),
    ("lone-cr", b"one\rtwo\rthree", "one\ntwo\nthree", [("three", 8), ("two", 4)]),
    ("crlf-then-cr", b"a\r\n\rb", "a\n\nb", [("b", 3)]),
    ("bom", b"\xef\xbb\xbfHello world", "Hello world", [("Hello", 0), ("world", 6)]),
    ("bom-crlf", b"\xef\xbb\xbfA\r\nB", "A\nB", [("B", 2)]),
    # NFD in, NFC out: e + U+0301 becomes one code point, so "au" is at 5, not 6.
    ("nfd", "Cafe\u0301 au lait".encode(), "Café au lait", [("Café", 0), ("au", 5)]),
    # Hangul jamo compose into one syllable under NFC.
    ("nfd-hangul", "\u1112\u1161\u11ab ok".encode(), "\ud55c ok", [("\ud55c", 0), ("ok", 2)]),
    # Thumbs up + skin tone is two code points (four UTF-16 units, eight UTF-8 bytes).
    ("skin-tone", "Thumbs 👍🏽 up".encode(), "Thumbs 👍🏽 up", [("👍🏽", 7), ("up", 10)]),
    # Each flag is two regional indicators.
    ("flags", "Flags 🇰🇿🇺🇸 end".encode(), "Flags 🇰🇿🇺🇸 end", [("🇰🇿", 6), ("🇺🇸", 8), ("end", 11)]),
    # Man ZWJ woman ZWJ girl: five code points.
    ("zwj", "Family 👨\u200d👩\u200d👧 here".encode(), "Family 👨\u200d👩\u200d👧 here",
     [("👨\u200d👩\u200d👧", 7), ("here", 13)]),
    ("cjk", "哈萨克斯坦 and NATO 北约".encode(), "哈萨克斯坦 and NATO 北约",
     [("哈萨克斯坦", 0), ("NATO", 10), ("北约", 15)]),
    # x + combining acute and q + dot below have no precomposed form: they stay two code points.
    ("combining", "x\u0301 and q\u0323!".encode(), "x\u0301 and q\u0323!", [("x\u0301", 0), ("and", 3), ("q\u0323", 7)]),
    ("devanagari", "हिन्दी text".encode(), "हिन्दी text", [("हिन्दी", 0), ("text", 7)]),
]


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.parametrize(("raw", "expected", "spans"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_offsets_are_code_points_into_nfc_text(project: Path, raw: bytes, expected: str, spans) -> None:
    path = project / "doc.txt"
    path.write_bytes(raw)
    session = Session.open(path, ALICE)
    text = session.text
    assert text == expected
    assert unicodedata.is_normalized("NFC", text)
    assert "\r" not in text and not text.startswith("\ufeff")

    made = []
    for quote, start in spans:
        end = start + len(quote)
        assert text[start:end] == quote  # the hand-worked offset really is in code points
        annotation = session.add(start, end, "actor", note=f"on {quote}")
        assert annotation.quote == text[annotation.start : annotation.end] == quote
        assert (annotation.start, annotation.end) == (start, end)
        assert annotation.prefix == text[max(0, start - 32) : start]
        assert annotation.suffix == text[end : end + 32]
        assert annotation.document == session.document.sha256 == text_hash(expected)
        made.append(annotation)
    session.save()

    # The file holds the same code-point offsets and the quote as real characters.
    stored = json.loads(session.store.path.read_text(encoding="utf-8"))["annotations"]
    for annotation in made:
        record = stored[annotation.id]
        assert (record["start"], record["end"], record["quote"]) == (annotation.start, annotation.end, annotation.quote)

    reopened = Session.open(path, ALICE)
    assert reopened.text == text
    assert not reopened.document_changed
    assert [a.to_record() for a in reopened.layer] == [a.to_record() for a in session.layer]
    for annotation in reopened.layer:
        assert annotation.quote == reopened.text[annotation.start : annotation.end]


def test_offsets_differ_from_utf16_and_bytes_where_it_matters() -> None:
    """Guards the cases above: they would catch a UTF-16 or byte-offset implementation."""
    text = "Thumbs 👍🏽 up"
    start = text.index("up")
    assert start == 10
    assert _utf16_units(text[:start]) == 12
    assert len(text[:start].encode()) == 16
    text = normalise("Cafe\u0301 au lait")
    assert text.index("au") == 5 and "Cafe\u0301 au lait".index("au") == 6


def test_line_endings_do_not_change_identity(project: Path) -> None:
    """A file re-saved with other line ends (or a BOM) is still the same document."""
    path = project / "doc.txt"
    path.write_bytes(b"Alpha beta.\nGamma delta.\n")
    session = Session.open(path, ALICE)
    session.add(12, 17, "hedge")
    session.save()
    path.write_bytes(b"\xef\xbb\xbfAlpha beta.\r\nGamma delta.\r\n")
    reopened = Session.open(path, ALICE)
    assert not reopened.document_changed
    assert reopened.layer.items()[0].quote == "Gamma"


def test_changed_text_is_noticed(project: Path) -> None:
    path = project / "doc.txt"
    path.write_text("Alpha beta.\n", encoding="utf-8")
    session = Session.open(path, ALICE)
    session.add(0, 5, "actor")
    session.save()
    path.write_text("Alpha beta, gamma.\n", encoding="utf-8")
    assert Session.open(path, ALICE).document_changed


def test_normalise() -> None:
    assert normalise("\ufeffa\r\nb\rc\n") == "a\nb\nc\n"
    assert normalise("e\u0301") == "é"
    assert normalise("a\ufeffb") == "a\ufeffb"  # only a leading BOM is dropped
    assert normalise("") == ""


def test_seed_loads(seed_path: Path, seed_text: str) -> None:
    document = Document.load(seed_path)
    assert document.text == normalise(seed_text)
    assert document.title == "Publication: Eurasia Daily Monitor Volume: 2 Issue: 188"
    assert document.stem == "kazakhstan-nato-partnership-edm-2005"
    assert document.sha256 == text_hash(document.text)
    assert len(document) == len(document.text)
    assert document.path.is_absolute()
    assert not document.is_empty


def test_title() -> None:
    assert make_title("\n\n   Title  with   spaces \nbody") == "Title with spaces"
    long = "word " * 40
    title = make_title(long)
    assert len(title) <= 72 and title.endswith("…")
    assert make_title(" \n\t\n") == "(empty document)"


@pytest.mark.parametrize("raw", [b"", b"   \n\t\n  ", b"\xef\xbb\xbf", b"\r\n\r\n"])
def test_empty_documents_open(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(raw)
    document = Document.load(path)
    assert document.is_empty
    assert document.title == "(empty document)"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        Document.load(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        Document.load(tmp_path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.bin"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="binary file"):
        Document.load(path)


def test_non_utf8_names_byte_and_offset_and_suggests_converting(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Déjà vu".encode("latin-1"))
    with pytest.raises(InputError) as info:
        Document.load(path)
    message = str(info.value)
    assert "not valid UTF-8" in message
    assert "byte 0xe9 at offset 1" in message
    assert "iconv -f latin1 -t utf-8 latin1.txt" in message


def test_decode_accepts_bom_and_refuses_utf16() -> None:
    assert decode("\ufeffok".encode(), Path("x.txt")) == "\ufeffok"
    with pytest.raises(InputError, match="binary"):  # UTF-16 of ASCII is full of NUL bytes
        decode("hello".encode("utf-16"), Path("x.txt"))


def test_from_text_normalises() -> None:
    document = Document.from_text("Cafe\u0301\r\n")
    assert document.text == "Café\n"
    assert document.sha256 == text_hash("Café\n")
