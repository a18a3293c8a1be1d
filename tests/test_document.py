"""Documents: normalisation, and offsets that are code points into the NFC text, end to end.

Each case writes real bytes to a file, opens it through `Session.open` (the path the CLI and
the TUI take), tags spans whose offsets were worked out by hand, saves, and reopens.
"""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata
from pathlib import Path

import pytest

from tui.core.document import HASH_CHUNK, Document, decode, make_title, normalise, text_hash
from tui.core.errors import InputError
from tui.core.session import Session, SessionOptions

ALICE = SessionOptions(annotator="alice")

# (id, raw bytes on disk, the normalised text, [(quote, start offset in code points)])
CASES = [
    ("crlf", b"First line\r\nSecond line\r\n", "First line\nSecond line\n",
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
    ("combining", "x\u0301 and q\u0323!".encode(), "x\u0301 and q\u0323!",
     [("x\u0301", 0), ("and", 3), ("q\u0323", 7)]),
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
    stored = {r["id"]: r for r in json.loads(session.store.path.read_text(encoding="utf-8"))["annotations"].values()}
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


# -- loading works a line at a time: each case would catch a split anywhere but at "\n", a CR
# -- handled after splitting, or a hash that skips or repeats bytes around a normalised line.

def _reference(raw: bytes) -> str:
    """What loading means: decode, drop a BOM, LF line ends, NFC -- done on the whole text at once."""
    text = raw.decode("utf-8").removeprefix("\ufeff")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


LINE_CASES = {
    "mark-after-newline": "Cafe\n\u0301 and e\n\u0301\n".encode(),  # a mark never joins across a newline
    "mark-after-crlf": "e\r\n\u0301x\r\n".encode(),
    "mark-after-lone-cr": "e\r\u0301x\re\u0301".encode(),  # CR becomes LF before composing
    "crlf-then-nfd-lines": ("ascii line\r\n" * 3 + "Cafe\u0301\r\n" + "plain\r\n" + "u\u0308ber\r\n").encode(),
    "bom-nfd-first-line": "\ufeffe\u0301 first\nsecond e\u0301".encode(),
    "hangul-jamo-lines": "\u1112\u1161\u11ab\n\u1112\n\u1161\u11ab".encode(),
    "reordered-marks": "a\u0301\u0323 q\u0307\u0323\n".encode(),  # canonical reordering, then composing
    "singletons": "\u212b \u2126 \u0344\n".encode(),  # quick check says No: Angstrom, Ohm, a composite mark
    "unchanged-non-ascii": "“quoted” 👍🏽 哈萨克斯坦\nCafé\n".encode(),
    "nfd-between-unchanged": "“a”\nCafe\u0301\n“b”\nx\u0301\n👨\u200d👩\u200d👧 e\u0301\n".encode(),
    "no-final-newline": "plain\nlast e\u0301".encode(),
    "empty-lines": "\n\n\u0301\n\ne\u0301\n\n".encode(),
}


@pytest.mark.parametrize("raw", LINE_CASES.values(), ids=LINE_CASES.keys())
def test_load_matches_normalising_the_whole_text(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(raw)
    expected = _reference(raw)
    document = Document.load(path)
    assert document.text == expected
    assert document.sha256 == hashlib.sha256(expected.encode("utf-8")).hexdigest()
    assert normalise(raw.decode("utf-8")) == expected
    assert Document.from_text(raw.decode("utf-8")).sha256 == document.sha256


def test_load_matches_normalising_the_whole_text_on_a_long_mixed_text(tmp_path: Path) -> None:
    """Many lines, some already NFC, some not, and CRLF and CR: the hash runs over every kind of seam."""
    pieces = ["plain words ", "Cafe\u0301 ", "café ", "“q” ", "👍🏽", "\u1112\u1161\u11ab", "x\u0301\u0323",
              "\u212b", "\n", "\r\n", "\r", "\n\u0301", "\u0301"]
    rng = random.Random(7)
    raw = "\ufeff" + "".join(rng.choice(pieces) for _ in range(20_000))
    path = tmp_path / "doc.txt"
    path.write_bytes(raw.encode("utf-8"))
    expected = _reference(raw.encode("utf-8"))
    document = Document.load(path)
    assert document.text == expected
    assert document.sha256 == hashlib.sha256(expected.encode("utf-8")).hexdigest() == text_hash(expected)
    assert normalise(raw) == expected


def test_text_hash_spans_its_chunks() -> None:
    text = "é👍" * (HASH_CHUNK // 2 + 3)  # longer than a chunk, with chunk seams between characters
    assert text_hash(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_normalise_returns_text_that_is_already_normal_as_is() -> None:
    text = "“already” NFC é 👍🏽\n" * 3
    assert normalise(text) is text


@pytest.mark.parametrize(
    ("raw", "offset"),
    [(b"ok\r\nline\r\n\xe9t\xe9", 10), (b"\xef\xbb\xbfCafe\xcc\x81\nok\n\xff", 13), (b"caf\xc3", 3)],
    ids=["after-crlf", "after-bom-and-nfd", "cut-at-the-end"],
)
def test_bad_bytes_are_named_at_their_offset_in_the_file(tmp_path: Path, raw: bytes, offset: int) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(raw)
    with pytest.raises(InputError, match=f"byte 0x{raw[offset]:02x} at offset {offset}"):
        Document.load(path)
